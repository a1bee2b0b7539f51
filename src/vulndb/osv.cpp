// OSV importer (https://ossf.github.io/osv-schema/), for JSON and YAML documents: Go vulndb,
// the PyPA advisory database (YAML), RustSec's OSV export, known-malicious npm packages.
// GIT ranges are ignored (counted): bulwark matches released versions, not commits.
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "core/json.hpp"
#include "vulndb/cvss.hpp"
#include "vulndb/importer.hpp"
#include "vulndb/osv_internal.hpp"

namespace bulwark::vulndb {

namespace {

using nlohmann::json;

constexpr int kMaxYamlDepth = 64;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

// yaml-cpp node -> json, scalars as strings (OSV fields we read are strings; YAML's implicit
// typing would turn version "2.0" into a float otherwise).
core::Result<json> yaml_to_json(const YAML::Node& n, int depth) {
  if (depth > kMaxYamlDepth) return core::Error::limit("YAML nested too deeply");
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return json(nullptr);
    case YAML::NodeType::Scalar:
      return json(n.Scalar());
    case YAML::NodeType::Sequence: {
      json arr = json::array();
      for (const auto& c : n) {
        BW_ASSIGN_OR_RETURN(auto v, yaml_to_json(c, depth + 1));
        arr.push_back(std::move(v));
      }
      return arr;
    }
    case YAML::NodeType::Map: {
      json obj = json::object();
      for (const auto& kv : n) {
        if (!kv.first.IsScalar()) return core::Error::invalid("non-scalar YAML key");
        BW_ASSIGN_OR_RETURN(auto v, yaml_to_json(kv.second, depth + 1));
        obj[kv.first.Scalar()] = std::move(v);
      }
      return obj;
    }
  }
  return json(nullptr);
}

}  // namespace

core::Result<json> parse_yaml_document(std::string_view where, std::string_view text) {
  try {
    YAML::Node root = YAML::Load(std::string(text));
    auto j = yaml_to_json(root, 0);
    if (!j.ok()) return std::move(j).error().with_context(where);
    return j;
  } catch (const YAML::Exception& e) {
    return core::Error::invalid(std::string(where) + ": YAML: " + e.what());
  }
}

core::Result<Advisory> osv_from_json(const json& j, std::string_view source, ImportStats& stats) {
  if (!j.is_object()) return core::Error::invalid("not an OSV object");
  Advisory a;
  a.id = str(j, "id");
  if (a.id.empty()) return core::Error::invalid("OSV record without an \"id\"");
  a.source = std::string(source);
  a.published = str(j, "published");
  a.modified = str(j, "modified");
  a.withdrawn = str(j, "withdrawn");
  auto strings = [&](const char* key, std::vector<std::string>& out) -> core::Result<void> {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return core::ok();
    if (!it->is_array()) return core::Error::invalid(a.id + ": \"" + key + "\" is not a list");
    for (const auto& s : *it)
      if (s.is_string()) out.push_back(s.get<std::string>());
    return core::ok();
  };
  BW_TRY(strings("aliases", a.aliases));
  if (auto it = j.find("severity"); it != j.end() && it->is_array()) {
    for (const auto& s : *it) {
      if (!s.is_object()) continue;
      const std::string type = str(s, "type"), score = str(s, "score");
      if (type == "CVSS_V3" && a.cvss_v3_vector.empty()) a.cvss_v3_vector = score;
      if (type == "CVSS_V4" && a.cvss_v4_vector.empty()) a.cvss_v4_vector = score;
    }
  }
  if (auto it = j.find("database_specific"); it != j.end() && it->is_object())
    a.severity = str(*it, "severity");
  if (auto it = j.find("references"); it != j.end() && it->is_array())
    for (const auto& r : *it)
      if (r.is_object() && !str(r, "url").empty()) a.references.push_back(str(r, "url"));

  auto is_mal = [](const std::string& s) { return s.rfind("MAL-", 0) == 0; };
  if (is_mal(a.id) || std::any_of(a.aliases.begin(), a.aliases.end(), is_mal)) a.kind = "malicious";

  auto aff = j.find("affected");
  if (aff != j.end() && !aff->is_null() && !aff->is_array())
    return core::Error::invalid(a.id + ": \"affected\" is not a list");
  if (aff != j.end() && aff->is_array()) {
    for (const auto& e : *aff) {
      if (!e.is_object()) return core::Error::invalid(a.id + ": affected entry is not an object");
      Affected x;
      auto pkg = e.find("package");
      if (pkg == e.end() || !pkg->is_object())
        return core::Error::invalid(a.id + ": affected entry without a package");
      std::string eco = str(*pkg, "ecosystem");
      const std::string name = str(*pkg, "name");
      if (eco.empty() || name.empty())
        return core::Error::invalid(a.id + ": package without ecosystem or name");
      // "Debian:11", "Alpine:v3.16": the suffix is the release.
      if (auto colon = eco.find(':'); colon != std::string::npos) {
        x.release = eco.substr(colon + 1);
        eco.resize(colon);
      }
      x.ecosystem = canonical_ecosystem(eco);
      x.package = normalize_package(x.ecosystem, name);
      if (auto ranges = e.find("ranges"); ranges != e.end() && !ranges->is_null()) {
        if (!ranges->is_array()) return core::Error::invalid(a.id + ": \"ranges\" is not a list");
        for (const auto& r : *ranges) {
          if (!r.is_object()) return core::Error::invalid(a.id + ": range is not an object");
          const std::string type = str(r, "type");
          if (type == "GIT") {
            ++stats.git_ranges_ignored;
            continue;
          }
          if (type != "SEMVER" && type != "ECOSYSTEM") {
            stats.skip_reasons["range type \"" + type + "\" ignored"]++;
            continue;
          }
          Range range{type, {}};
          auto events = r.find("events");
          if (events == r.end() || !events->is_array())
            return core::Error::invalid(a.id + ": range without events");
          for (const auto& ev : *events) {
            if (!ev.is_object() || ev.size() != 1)
              return core::Error::invalid(a.id + ": event must have exactly one field");
            const auto first = ev.begin();  // (items() would hand out a dangling proxy)
            const std::string& k = first.key();
            const json& v = first.value();
            if (!v.is_string()) return core::Error::invalid(a.id + ": event version not a string");
            EventKind kind;
            if (k == "introduced")
              kind = EventKind::kIntroduced;
            else if (k == "fixed")
              kind = EventKind::kFixed;
            else if (k == "last_affected")
              kind = EventKind::kLastAffected;
            else if (k == "limit")
              kind = EventKind::kLimit;
            else
              return core::Error::invalid(a.id + ": unknown event \"" + k + "\"");
            range.events.push_back({kind, v.get<std::string>()});
          }
          x.ranges.push_back(std::move(range));
        }
      }
      if (auto vs = e.find("versions"); vs != e.end() && vs->is_array())
        for (const auto& v : *vs)
          if (v.is_string()) x.versions.push_back(v.get<std::string>());
      if (auto ds = e.find("database_specific"); ds != e.end() && ds->is_object()) {
        const std::string info = str(*ds, "informational");
        if (!info.empty()) a.kind = "informational:" + info;
        if (a.severity.empty()) a.severity = str(*ds, "severity");
      }
      if (auto es = e.find("ecosystem_specific"); es != e.end() && es->is_object())
        if (a.severity.empty()) a.severity = str(*es, "severity");
      // An entry left with neither ranges nor versions (GIT-only) can never match.
      if (x.ranges.empty() && x.versions.empty()) continue;
      a.affected.push_back(std::move(x));
    }
  }
  if (!a.cvss_v3_vector.empty()) a.cvss_v3_score = cvss3_base_score(a.cvss_v3_vector);
  if (a.severity.empty() && a.cvss_v3_score) a.severity = cvss_severity(*a.cvss_v3_score);
  for (char& c : a.severity) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (a.severity == "MODERATE") a.severity = "MEDIUM";
  return a;
}

void emit_osv(std::string_view where, core::Result<json> doc, std::string_view source,
              AdvisorySink& sink, ImportStats& stats) {
  if (!doc.ok()) {
    stats.fail(doc.error().message());
    return;
  }
  auto a = osv_from_json(*doc, source, stats);
  if (!a.ok()) {
    stats.fail(std::string(where) + ": " + a.error().message());
    return;
  }
  if (!a->withdrawn.empty()) ++stats.withdrawn;
  if (a->kind.rfind("informational:", 0) == 0) ++stats.informational;
  ++stats.imported;
  sink.add(std::move(a).value());
}

void import_osv_json(std::string_view where, std::string_view text, std::string_view source,
                     AdvisorySink& sink, ImportStats& stats) {
  emit_osv(where, core::parse_json(text, where), source, sink, stats);
}

void import_osv_yaml(std::string_view where, std::string_view text, std::string_view source,
                     AdvisorySink& sink, ImportStats& stats) {
  emit_osv(where, parse_yaml_document(where, text), source, sink, stats);
}

}  // namespace bulwark::vulndb
