// OCI image layout (image-spec image-layout.md): oci-layout, index.json, blobs/<alg>/<hex>.
// Also reads Docker schema 2 manifests and manifest lists found in such layouts.
#include "core/json.hpp"
#include "core/limits.hpp"
#include "image/container.hpp"

namespace bulwark::image {

using core::Error;
using core::Result;
using nlohmann::json;

namespace {

constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kDockerList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
constexpr std::string_view kDockerSchema1 = "application/vnd.docker.distribution.manifest.v1";
constexpr std::string_view kRefNameAnnotation = "org.opencontainers.image.ref.name";

struct ParsedDescriptor {
  std::string media_type;
  BlobRef blob;
  std::optional<Platform> platform;
  std::string ref_name;
};

Result<ParsedDescriptor> parse_descriptor(const json& d, std::string_view where) {
  if (!d.is_object()) return Error::invalid(std::string(where) + ": descriptor is not an object");
  ParsedDescriptor out;
  out.media_type = core::json_string(d, "mediaType");
  auto digest = core::Digest::parse(core::json_string(d, "digest"));
  if (!digest.ok()) return std::move(digest).error().with_context(where);
  out.blob.digest = *digest;
  out.blob.location = "blobs/sha256/" + digest->hex;
  out.blob.size = core::json_int(d, "size", -1);
  if (out.blob.size < 0)
    return Error::invalid(std::string(where) + ": descriptor without a valid size");
  if (auto p = d.find("platform"); p != d.end() && p->is_object()) {
    out.platform = Platform{core::json_string(*p, "os"), core::json_string(*p, "architecture"),
                            core::json_string(*p, "variant")};
  }
  if (auto a = d.find("annotations"); a != d.end() && a->is_object()) {
    out.ref_name = core::json_string(*a, kRefNameAnnotation);
  }
  return out;
}

std::optional<Compression> compression_of_media_type(std::string_view mt) {
  auto ends_with = [&](std::string_view s) {
    return mt.size() >= s.size() && mt.substr(mt.size() - s.size()) == s;
  };
  if (ends_with("+gzip") || ends_with(".tar.gzip")) return Compression::kGzip;
  if (ends_with("+zstd") || ends_with(".tar.zstd")) return Compression::kZstd;
  if (ends_with(".tar") || mt == "application/vnd.docker.image.rootfs.diff.tar")
    return Compression::kNone;
  return std::nullopt;
}

bool is_layer_media_type(std::string_view mt) {
  return mt.starts_with("application/vnd.oci.image.layer.") ||
         mt.starts_with("application/vnd.docker.image.rootfs.");
}

Result<json> read_json_blob(const BlobStore& store, const BlobRef& blob, std::string_view what) {
  BW_ASSIGN_OR_RETURN(auto text, store.read_verified(blob, core::limits().max_metadata_bytes));
  return core::parse_json(text, std::string(what) + " " + blob.display());
}

// Picks one manifest from an index: by ref name first, then by platform.
Result<ParsedDescriptor> select_manifest(const std::vector<ParsedDescriptor>& list,
                                         const std::string& ref, const OpenOptions& options,
                                         std::vector<Platform>* seen, std::string_view where) {
  std::vector<ParsedDescriptor> candidates;
  for (const auto& d : list) {
    if (!ref.empty() && d.ref_name != ref) continue;
    if (d.platform && (d.platform->os == "unknown" || d.platform->architecture == "unknown")) {
      continue;  // BuildKit attestation manifests, not runnable images
    }
    candidates.push_back(d);
  }
  if (candidates.empty()) {
    if (!ref.empty())
      return Error::not_found(std::string(where) + ": no manifest is tagged '" + ref + "'");
    return Error::not_found(std::string(where) + ": the index lists no image manifest");
  }
  for (const auto& c : candidates) {
    if (c.platform) seen->push_back(*c.platform);
  }
  bool any_platform = std::any_of(candidates.begin(), candidates.end(),
                                  [](auto& c) { return c.platform.has_value(); });
  if (!any_platform) {
    if (candidates.size() > 1 && ref.empty()) {
      std::string names;
      for (const auto& c : candidates)
        names += (names.empty() ? "" : ", ") + (c.ref_name.empty() ? c.blob.display() : c.ref_name);
      return Error::invalid(std::string(where) + ": holds several images (" + names +
                            "); name one with :REF");
    }
    return candidates.front();
  }
  std::vector<Platform> wanted;
  if (options.platform) {
    wanted.push_back(*options.platform);
  } else {
    wanted.push_back(Platform::host());
    wanted.push_back(Platform{"linux", "amd64", ""});
  }
  for (const auto& w : wanted) {
    for (const auto& c : candidates) {
      if (c.platform && c.platform->matches(w)) return c;
    }
  }
  std::string have;
  for (const auto& c : candidates) {
    if (c.platform) have += (have.empty() ? "" : ", ") + c.platform->str();
  }
  return Error::not_found(std::string(where) + ": no manifest for platform " +
                          wanted.front().str() + " (available: " + have + ")");
}

}  // namespace

Result<Image> open_oci(std::shared_ptr<const Container> c, std::string source, std::string path,
                       std::string ref, const OpenOptions& options) {
  auto store = std::make_shared<ContainerBlobStore>(c);
  if (c->exists("oci-layout")) {
    BW_ASSIGN_OR_RETURN(auto layout_text, c->read("oci-layout", core::limits().max_metadata_bytes));
    BW_ASSIGN_OR_RETURN(auto layout, core::parse_json(layout_text, c->describe("oci-layout")));
    auto version = core::json_string(layout, "imageLayoutVersion");
    if (version.empty() || version[0] != '1') {
      return Error::unsupported(c->describe("oci-layout") + ": imageLayoutVersion '" + version +
                                "'");
    }
  }
  BW_ASSIGN_OR_RETURN(auto index_text, c->read("index.json", core::limits().max_metadata_bytes));
  BW_ASSIGN_OR_RETURN(auto doc, core::parse_json(index_text, c->describe("index.json")));

  Image img;
  img.source = std::move(source);
  img.path = std::move(path);
  img.reference = ref;
  img.store = store;

  std::string where = c->describe("index.json");
  std::string media_type = kOciIndex.data();
  std::string select_ref = ref;
  for (uint32_t depth = 0;; ++depth) {
    if (depth > core::limits().max_index_depth)
      return Error::limit(where + ": image indexes nested too deeply");
    if (media_type == kOciIndex || media_type == kDockerList) {
      auto manifests = doc.find("manifests");
      if (manifests == doc.end() || !manifests->is_array())
        return Error::invalid(where + ": no 'manifests' array");
      std::vector<ParsedDescriptor> list;
      for (const auto& m : *manifests) {
        BW_ASSIGN_OR_RETURN(auto d, parse_descriptor(m, where));
        list.push_back(std::move(d));
      }
      std::vector<Platform> seen;
      BW_ASSIGN_OR_RETURN(auto chosen, select_manifest(list, select_ref, options, &seen, where));
      if (!seen.empty()) img.available_platforms = seen;
      if (img.reference.empty()) img.reference = chosen.ref_name;
      select_ref.clear();  // a ref name applies to the top-level index only
      BW_ASSIGN_OR_RETURN(doc, read_json_blob(*store, chosen.blob, "manifest"));
      media_type = core::json_string(doc, "mediaType", chosen.media_type);
      if (media_type.empty()) media_type = chosen.media_type;
      if (media_type.empty()) media_type = doc.contains("manifests") ? kOciIndex : kOciManifest;
      where = "manifest " + chosen.blob.display();
      img.manifest_digest = chosen.blob.digest;
      if (chosen.platform) img.platform = *chosen.platform;
      continue;
    }
    if (media_type.starts_with(kDockerSchema1) || core::json_int(doc, "schemaVersion") == 1) {
      return Error::unsupported(where +
                                ": Docker schema 1 manifests are not supported (deprecated)");
    }
    if (media_type != kOciManifest && media_type != kDockerManifest) {
      return Error::unsupported(where + ": media type '" + media_type +
                                "' is not an image manifest");
    }
    break;
  }

  auto cfg = doc.find("config");
  if (cfg == doc.end()) return Error::invalid(where + ": no config descriptor");
  BW_ASSIGN_OR_RETURN(auto config_desc, parse_descriptor(*cfg, where));
  BW_ASSIGN_OR_RETURN(img.config, read_json_blob(*store, config_desc.blob, "config"));
  img.config_digest = config_desc.blob.digest;
  if (img.platform.os.empty()) {
    img.platform =
        Platform{core::json_string(img.config, "os"), core::json_string(img.config, "architecture"),
                 core::json_string(img.config, "variant")};
  }

  auto layers = doc.find("layers");
  if (layers == doc.end() || !layers->is_array())
    return Error::invalid(where + ": no 'layers' array");
  if (layers->size() > core::limits().max_layers)
    return Error::limit(where + ": more layers than the limit");
  BW_ASSIGN_OR_RETURN(auto diff_ids, config_diff_ids(img.config));
  int index = 0;
  for (const auto& l : *layers) {
    BW_ASSIGN_OR_RETURN(auto d, parse_descriptor(l, where));
    if (!is_layer_media_type(d.media_type)) {
      return Error::unsupported(where + ": layer media type '" + d.media_type + "'");
    }
    LayerRef ref_out;
    ref_out.index = index;
    ref_out.blob = d.blob;
    ref_out.media_type = d.media_type;
    ref_out.declared_compression = compression_of_media_type(d.media_type);
    img.layers.push_back(std::move(ref_out));
    ++index;
  }
  if (!diff_ids.empty() && diff_ids.size() != img.layers.size()) {
    return Error::invalid(where + ": " + std::to_string(img.layers.size()) +
                          " layers but the config lists " + std::to_string(diff_ids.size()) +
                          " diff_ids");
  }
  for (size_t i = 0; i < diff_ids.size(); ++i) img.layers[i].diff_id = diff_ids[i];
  // Attach created_by from non-empty history entries, in order.
  attach_created_by(img);
  return img;
}

}  // namespace bulwark::image
