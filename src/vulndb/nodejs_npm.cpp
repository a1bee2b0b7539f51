// Node.js security-wg npm advisories (github.com/nodejs/security-wg, vuln/npm/<n>.json, the
// legacy NSP format). Ranges are node-semver range strings, stored as constraints; ids follow
// the working group's own naming, NSWG-ECO-<n>.
#include "core/json.hpp"
#include "vulndb/cvss.hpp"
#include "vulndb/importer.hpp"

namespace bulwark::vulndb {

namespace {
std::string str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}
}  // namespace

void import_nodejs_npm(std::string_view where, std::string_view text, AdvisorySink& sink,
                       ImportStats& stats) {
  auto doc = core::parse_json(text, where);
  if (!doc.ok()) {
    stats.fail(doc.error().message());
    return;
  }
  const auto& j = *doc;
  if (!j.is_object() || !j.contains("id") ||
      !(j["id"].is_number_integer() || j["id"].is_string())) {
    stats.fail(std::string(where) + ": NSP advisory without an \"id\"");
    return;
  }
  const std::string module = str(j, "module_name");
  const std::string vulnerable = str(j, "vulnerable_versions");
  if (module.empty() || vulnerable.empty()) {
    stats.fail(std::string(where) + ": NSP advisory without module_name or vulnerable_versions");
    return;
  }
  Advisory a;
  a.source = "nodejs-security-wg";
  a.id = "NSWG-ECO-" + (j["id"].is_string() ? j["id"].get<std::string>()
                                            : std::to_string(j["id"].get<int64_t>()));
  if (auto c = j.find("cves"); c != j.end() && c->is_array())
    for (const auto& s : *c)
      if (s.is_string()) a.aliases.push_back(s.get<std::string>());
  a.published = str(j, "publish_date");
  a.modified = str(j, "updated_at");
  if (auto r = j.find("references"); r != j.end()) {
    if (r->is_array()) {
      for (const auto& s : *r)
        if (s.is_string()) a.references.push_back(s.get<std::string>());
    } else if (r->is_string() && !r->get<std::string>().empty()) {
      a.references.push_back(r->get<std::string>());
    }
  }
  a.cvss_v3_vector = str(j, "cvss_vector");
  if (a.cvss_v3_vector.rfind("CVSS:3", 0) == 0) {
    a.cvss_v3_score = cvss3_base_score(a.cvss_v3_vector);
  } else {
    a.cvss_v3_vector.clear();
  }
  if (!a.cvss_v3_score)
    if (auto s = j.find("cvss_score"); s != j.end() && s->is_number()) {
      const double v = s->get<double>();
      if (v >= 0 && v <= 10) a.cvss_v3_score = v;
    }
  if (a.cvss_v3_score) a.severity = cvss_severity(*a.cvss_v3_score);
  Affected x;
  x.ecosystem = "npm";
  x.package = normalize_package(x.ecosystem, module);
  x.constraints.push_back({ConstraintKind::kVulnerable, vulnerable});
  if (const auto patched = str(j, "patched_versions"); !patched.empty())
    x.constraints.push_back({ConstraintKind::kPatched, patched});
  a.affected.push_back(std::move(x));
  ++stats.imported;
  sink.add(std::move(a));
}

}  // namespace bulwark::vulndb
