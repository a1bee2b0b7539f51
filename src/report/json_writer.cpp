// The native JSON report: everything the Report holds, in a shape described by
// docs/schema/report.schema.json (versioned by kReportSchemaVersion). Every field is always
// present, empty when unknown, so consumers need no existence checks; only
// `removed_in_layer` is limited to removed packages, where it is the point, and
// `changelog_cves` to packages whose changelog names fixed CVEs (most packages have none).
#include <algorithm>
#include <cmath>
#include <tuple>

#include "report/report.hpp"
#include "report/writer_common.hpp"

namespace bulwark::report {
namespace {

using nlohmann::ordered_json;

ordered_json to_json(const Target& t) {
  ordered_json layers = ordered_json::array();
  for (const auto& l : t.layers) {
    layers.push_back({{"index", l.index},
                      {"digest", l.digest},
                      {"diff_id", l.diff_id},
                      {"diff_id_verified", l.diff_id_verified},
                      {"media_type", l.media_type},
                      {"size", l.size},
                      {"created_by", l.created_by}});
  }
  return {{"input", t.input},
          {"source", t.source},
          {"reference", t.reference},
          {"manifest_digest", t.manifest_digest},
          {"config_digest", t.config_digest},
          {"platform", t.platform},
          {"layers", std::move(layers)}};
}

ordered_json to_json(const core::OsInfo& os) {
  if (os.empty()) return nullptr;
  return {{"id", os.id},
          {"version_id", os.version_id},
          {"codename", os.codename},
          {"pretty_name", os.pretty_name},
          {"id_like", os.id_like},
          {"evidence_path", os.evidence_path}};
}

// Typed metadata tagged by `type`, so a consumer switches on one field (as on the variant).
ordered_json metadata_json(const core::PackageMetadata& metadata) {
  if (const auto* d = std::get_if<core::DpkgMetadata>(&metadata)) {
    return {{"type", "dpkg"},
            {"maintainer", d->maintainer},
            {"status", d->status},
            {"installed_size_kib", d->installed_size_kib}};
  }
  if (const auto* a = std::get_if<core::ApkMetadata>(&metadata)) {
    return {{"type", "apk"},
            {"origin", a->origin},
            {"commit", a->commit},
            {"maintainer", a->maintainer},
            {"checksum", a->checksum}};
  }
  if (const auto* r = std::get_if<core::RpmMetadata>(&metadata)) {
    return {{"type", "rpm"},
            {"epoch", r->epoch ? ordered_json(*r->epoch) : ordered_json(nullptr)},
            {"release", r->release},
            {"source_rpm", r->source_rpm},
            {"modularity_label", r->modularity_label},
            {"vendor", r->vendor},
            {"db_format", r->db_format}};
  }
  if (const auto* l = std::get_if<core::LanguageMetadata>(&metadata)) {
    return {{"type", "language"},
            {"dev", l->dev},
            {"optional", l->optional},
            {"resolved", l->resolved},
            {"integrity", l->integrity}};
  }
  if (const auto* g = std::get_if<core::GoMetadata>(&metadata)) {
    ordered_json settings = ordered_json::object();
    for (const auto& [k, v] : g->build_settings) settings[k] = v;
    return {{"type", "go"},
            {"main_module", g->main_module},
            {"go_version", g->go_version},
            {"main_path", g->main_path},
            {"sum", g->sum},
            {"build_settings", std::move(settings)}};
  }
  return nullptr;
}

ordered_json to_json(const core::Package& p) {
  ordered_json locations = ordered_json::array();
  for (const auto& l : p.locations) {
    locations.push_back(
        {{"path", l.path}, {"layer_index", l.layer_index}, {"layer_digest", l.layer_digest}});
  }
  ordered_json j = {{"name", p.name},
                    {"version", p.version},
                    {"ecosystem", p.ecosystem},
                    {"purl", p.purl},
                    {"architecture", p.architecture},
                    {"source_name", p.source_name},
                    {"source_version", p.source_version},
                    {"licenses", p.licenses},
                    {"locations", std::move(locations)},
                    {"metadata", metadata_json(p.metadata)},
                    // The owned-file list is the bulk of a report (tens of bytes per path, a
                    // few thousand paths in a base image) but later analyses need it, so it is
                    // kept whole.
                    {"files", p.files}};
  if (p.removed_in_layer) j["removed_in_layer"] = *p.removed_in_layer;
  if (!p.changelog_cves.empty()) {
    // CVE -> the changelog entry version that names it, nothing more: a kernel headers package
    // alone names thousands, and the changelog line travels as the evidence of the findings.
    ordered_json cves = ordered_json::object();
    for (const auto& c : p.changelog_cves) cves[c.cve] = c.version;
    j["changelog_cves"] = std::move(cves);
  }
  return j;
}

ordered_json packages_json(const std::vector<core::Package>& packages) {
  ordered_json out = ordered_json::array();
  for (const auto* p : detail::sorted_packages(packages)) out.push_back(to_json(*p));
  return out;
}

ordered_json removed_files_json(const std::vector<RemovedFile>& files) {
  std::vector<const RemovedFile*> sorted;
  sorted.reserve(files.size());
  for (const auto& f : files) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(), [](const RemovedFile* a, const RemovedFile* b) {
    return std::tie(a->path, a->added_in_layer, a->removed_in_layer) <
           std::tie(b->path, b->added_in_layer, b->removed_in_layer);
  });
  ordered_json out = ordered_json::array();
  for (const auto* f : sorted) {
    out.push_back({{"path", f->path},
                   {"added_in_layer", f->added_in_layer},
                   {"removed_in_layer", f->removed_in_layer}});
  }
  return out;
}

ordered_json to_json(const VulnerabilityInfo& v) {
  return {
      {"package_name", v.package_name},
      {"package_version", v.package_version},
      {"ecosystem", v.ecosystem},
      {"source_package", v.source_package},
      {"status", v.status},
      {"status_detail", v.status_detail},
      {"fixed_versions", v.fixed_versions},
      {"aliases", v.aliases},
      {"advisories", v.advisories},
      {"cvss_v3_vector", v.cvss_v3_vector},
      {"cvss_v3_score", v.cvss_v3_score ? ordered_json(*v.cvss_v3_score) : ordered_json(nullptr)},
      {"why", v.why},
      {"owner_package", v.owner_package},
      {"changelog_evidence", v.changelog_evidence}};
}

// Why the finding is suppressed (VEX or ignore file), or null (docs/vex.md).
ordered_json suppressed_json(const Finding& f) {
  if (!f.suppressed) return nullptr;
  const auto& s = *f.suppressed;
  return {{"source", s.source},
          {"status", s.status},
          {"justification", s.justification},
          {"reason", s.reason},
          {"expires", s.expires}};
}

ordered_json to_json(const LicenseInfo& l) {
  return {{"package_name", l.package_name},
          {"package_version", l.package_version},
          {"ecosystem", l.ecosystem},
          {"declared", l.declared},
          {"expression", l.expression},
          {"category", l.category},
          {"policy", l.policy},
          {"reason", l.reason},
          {"unknown_terms", l.unknown_terms},
          {"paths", l.paths},
          {"covers", l.covers}};
}

ordered_json to_json(const Finding& f) {
  ordered_json j = {{"kind", f.kind},
                    {"id", f.id},
                    {"title", f.title},
                    {"severity", severity_name(f.severity)},
                    {"target", f.target},
                    {"layer", f.layer ? ordered_json(*f.layer) : ordered_json(nullptr)},
                    {"removed_in_layer", f.removed_in_layer ? ordered_json(*f.removed_in_layer)
                                                            : ordered_json(nullptr)},
                    {"evidence", f.evidence},
                    {"fix", f.fix},
                    {"references", f.references},
                    {"known_exploited", f.known_exploited},
                    {"epss", f.epss ? ordered_json(*f.epss) : ordered_json(nullptr)},
                    {"suppressed", suppressed_json(f)}};
  if (f.vulnerability) j["vulnerability"] = to_json(*f.vulnerability);
  if (f.license) j["license"] = to_json(*f.license);
  return j;
}

ordered_json to_json(const RiskScore& risk) {
  ordered_json components = ordered_json::array();
  for (const auto& c : risk.components) {
    // Points rounded to one decimal: the breakdown is for reading, the score is the integer.
    components.push_back({{"name", c.name},
                          {"points", std::round(c.points * 10) / 10},
                          {"cap", c.cap},
                          {"findings", c.findings},
                          {"reasons", c.reasons}});
  }
  return {{"score", risk.score},
          {"grade", std::string(1, risk.grade)},
          {"floor_reason", risk.floor_reason},
          {"components", std::move(components)}};
}

}  // namespace

std::string write_json(const Report& r) {
  ordered_json findings = ordered_json::array();
  for (const auto* f : detail::sorted_findings(r.findings)) findings.push_back(to_json(*f));
  ordered_json doc;
  doc["schema_version"] = kReportSchemaVersion;
  doc["scanner"] = {{"name", "bulwark"}, {"version", detail::scanner_version(r)}};
  doc["created"] = r.created;
  doc["target"] = to_json(r.target);
  doc["os"] = to_json(r.os);
  doc["packages"] = packages_json(r.packages);
  doc["removed_packages"] = packages_json(r.removed_packages);
  doc["removed_files"] = removed_files_json(r.removed_files);
  doc["findings"] = std::move(findings);
  if (r.risk) doc["risk"] = to_json(*r.risk);
  if (r.database)
    doc["database"] = {{"path", r.database->path},
                       {"built_at", r.database->built_at},
                       {"schema_version", r.database->schema_version}};
  doc["warnings"] = r.warnings;
  return detail::dump_ordered(doc);
}

}  // namespace bulwark::report
