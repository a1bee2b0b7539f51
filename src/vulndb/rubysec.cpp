// RubySec advisories (github.com/rubysec/ruby-advisory-db, gems/<gem>/<id>.yml). Versions are
// RubyGems requirement lists: a version is affected unless it satisfies one of
// `patched_versions` or `unaffected_versions`; stored as constraints for the matcher.
#include <cmath>

#include "vulndb/cvss.hpp"
#include "vulndb/importer.hpp"
#include "vulndb/osv_internal.hpp"

namespace bulwark::vulndb {

namespace {
std::string str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}
std::string stem(std::string_view where) {
  auto slash = where.rfind('/');
  std::string_view name = slash == std::string_view::npos ? where : where.substr(slash + 1);
  if (auto dot = name.rfind('.'); dot != std::string_view::npos) name = name.substr(0, dot);
  return std::string(name);
}
}  // namespace

void import_rubysec(std::string_view where, std::string_view text, AdvisorySink& sink,
                    ImportStats& stats) {
  auto doc = parse_yaml_document(where, text);
  if (!doc.ok()) {
    stats.fail(doc.error().message());
    return;
  }
  const auto& j = *doc;
  if (!j.is_object()) {
    stats.fail(std::string(where) + ": not a RubySec advisory (no mapping)");
    return;
  }
  const std::string gem = str(j, "gem");
  if (gem.empty()) {
    if (!str(j, "engine").empty())
      stats.skip("ruby interpreter advisory (engine, not a gem)");
    else
      stats.fail(std::string(where) + ": no \"gem\" field");
    return;
  }
  Advisory a;
  a.source = "rubysec";
  a.id = stem(where);  // the file name is the advisory's identifier (CVE-..., GHSA-..., OSVDB-...)
  if (const auto cve = str(j, "cve"); !cve.empty()) a.aliases.push_back("CVE-" + cve);
  if (const auto ghsa = str(j, "ghsa"); !ghsa.empty()) a.aliases.push_back("GHSA-" + ghsa);
  if (const auto osvdb = str(j, "osvdb"); !osvdb.empty()) a.aliases.push_back("OSVDB-" + osvdb);
  a.aliases.erase(std::remove(a.aliases.begin(), a.aliases.end(), a.id), a.aliases.end());
  a.published = str(j, "date");
  if (const auto url = str(j, "url"); !url.empty()) a.references.push_back(url);
  if (auto rel = j.find("related"); rel != j.end() && rel->is_object())
    if (auto urls = rel->find("url"); urls != rel->end() && urls->is_array())
      for (const auto& u : *urls)
        if (u.is_string() && std::find(a.references.begin(), a.references.end(),
                                       u.get<std::string>()) == a.references.end())
          a.references.push_back(u.get<std::string>());
  if (const auto v3 = str(j, "cvss_v3"); !v3.empty()) {
    char* end = nullptr;
    const double score = std::strtod(v3.c_str(), &end);
    if (end != v3.c_str() && std::isfinite(score) && score >= 0 && score <= 10) {
      a.cvss_v3_score = score;
      a.severity = cvss_severity(score);
    }
  }
  if (const auto v4 = str(j, "cvss_v4"); !v4.empty()) {
    char* end = nullptr;
    const double score = std::strtod(v4.c_str(), &end);
    if (end != v4.c_str() && std::isfinite(score) && score >= 0 && score <= 10)
      a.cvss_v4_score = score;
  }
  Affected x;
  x.ecosystem = "RubyGems";
  x.package = normalize_package(x.ecosystem, gem);
  auto reqs = [&](const char* key, ConstraintKind kind) -> bool {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return true;
    if (!it->is_array()) return false;
    for (const auto& r : *it)
      if (r.is_string()) x.constraints.push_back({kind, r.get<std::string>()});
    return true;
  };
  if (!reqs("patched_versions", ConstraintKind::kPatched) ||
      !reqs("unaffected_versions", ConstraintKind::kUnaffected)) {
    stats.fail(std::string(where) + ": version requirements are not a list");
    return;
  }
  // No patched and no unaffected versions: every version is affected (stated, not implied).
  if (x.constraints.empty()) x.constraints.push_back({ConstraintKind::kVulnerable, ">= 0"});
  a.affected.push_back(std::move(x));
  ++stats.imported;
  sink.add(std::move(a));
}

}  // namespace bulwark::vulndb
