#include "registry/manifest.hpp"

#include "core/json.hpp"
#include "core/limits.hpp"

namespace bulwark::registry {

using core::Error;
using core::Result;
using nlohmann::json;

namespace {

// The media type without parameters ("application/json; charset=utf-8" -> "application/json").
std::string bare_media_type(std::string_view ct) {
  size_t semi = ct.find(';');
  std::string_view t = ct.substr(0, semi);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  std::string out(t);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::map<std::string, std::string> string_map(const json& j, std::string_view key) {
  std::map<std::string, std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return out;
  for (const auto& [k, v] : it->items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
  }
  return out;
}

Result<Descriptor> parse_descriptor(const json& d, const std::string& where) {
  if (!d.is_object()) return Error::invalid(where + ": descriptor is not an object");
  Descriptor out;
  out.media_type = core::json_string(d, "mediaType");
  auto digest = core::Digest::parse(core::json_string(d, "digest"));
  if (!digest.ok()) return std::move(digest).error().with_context(where);
  out.digest = *digest;
  out.size = core::json_int(d, "size", -1);
  if (out.size < 0) return Error::invalid(where + ": descriptor without a valid size");
  if (auto p = d.find("platform"); p != d.end() && p->is_object()) {
    out.platform =
        image::Platform{core::json_string(*p, "os"), core::json_string(*p, "architecture"),
                        core::json_string(*p, "variant")};
  }
  out.artifact_type = core::json_string(d, "artifactType");
  out.annotations = string_map(d, "annotations");
  return out;
}

Result<std::vector<Descriptor>> parse_list(const json& doc, std::string_view key,
                                           const std::string& where, bool required) {
  std::vector<Descriptor> out;
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) {
    if (required) return Error::invalid(where + ": no '" + std::string(key) + "' array");
    return out;
  }
  if (!it->is_array())
    return Error::invalid(where + ": '" + std::string(key) + "' is not an array");
  if (it->size() > core::limits().max_layers * 4ULL)
    return Error::limit(where + ": more '" + std::string(key) + "' entries than the limit");
  for (const auto& d : *it) {
    BW_ASSIGN_OR_RETURN(auto desc, parse_descriptor(d, where));
    out.push_back(std::move(desc));
  }
  return out;
}

}  // namespace

bool is_index_media_type(std::string_view mt) {
  return mt == kOciIndex || mt == kDockerList;
}
bool is_manifest_media_type(std::string_view mt) {
  return mt == kOciManifest || mt == kDockerManifest;
}
bool is_schema1_media_type(std::string_view mt) {
  return mt == kDockerSchema1 || mt == kDockerSchema1Signed ||
         mt == "application/vnd.docker.distribution.manifest.v1";
}

Result<Manifest> parse_manifest(std::string_view body, std::string_view content_type,
                                std::string_view where_sv) {
  std::string where(where_sv);
  std::string ct = bare_media_type(content_type);
  if (is_schema1_media_type(ct)) {
    return Error::unsupported(where + ": Docker schema 1 manifests are not supported (deprecated)");
  }
  BW_ASSIGN_OR_RETURN(auto doc, core::parse_json(body, where));
  if (!doc.is_object()) return Error::invalid(where + ": manifest is not a JSON object");
  int64_t schema = core::json_int(doc, "schemaVersion", 0);
  if (schema == 1) {
    return Error::unsupported(where + ": Docker schema 1 manifests are not supported (deprecated)");
  }
  if (schema != 2) {
    return Error::invalid(where + ": schemaVersion " + std::to_string(schema) + ", expected 2");
  }
  Manifest m;
  m.media_type = core::json_string(doc, "mediaType");
  if (m.media_type.empty()) m.media_type = ct;
  if (m.media_type.empty() || m.media_type == "application/json") {
    m.media_type = doc.contains("manifests") ? kOciIndex : kOciManifest;
  }
  if (!ct.empty() && ct != "application/json" && ct != "application/octet-stream" &&
      !core::json_string(doc, "mediaType").empty() && ct != m.media_type) {
    return Error::invalid(where + ": Content-Type '" + ct + "' differs from the mediaType '" +
                          m.media_type + "' in the document");
  }
  m.artifact_type = core::json_string(doc, "artifactType");
  m.annotations = string_map(doc, "annotations");
  if (auto s = doc.find("subject"); s != doc.end() && !s->is_null()) {
    BW_ASSIGN_OR_RETURN(auto subject, parse_descriptor(*s, where + " subject"));
    m.subject = std::move(subject);
  }
  if (is_index_media_type(m.media_type)) {
    m.is_index = true;
    BW_ASSIGN_OR_RETURN(m.manifests, parse_list(doc, "manifests", where, true));
    return m;
  }
  if (!is_manifest_media_type(m.media_type)) {
    return Error::unsupported(where + ": media type '" + m.media_type +
                              "' is neither an image manifest nor an index");
  }
  auto cfg = doc.find("config");
  if (cfg == doc.end()) return Error::invalid(where + ": no config descriptor");
  BW_ASSIGN_OR_RETURN(auto config, parse_descriptor(*cfg, where + " config"));
  m.config = std::move(config);
  BW_ASSIGN_OR_RETURN(m.layers, parse_list(doc, "layers", where, true));
  return m;
}

}  // namespace bulwark::registry
