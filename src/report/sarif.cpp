// SARIF 2.1.0 (OASIS, docs.oasis-open.org/sarif/sarif/v2.1.0) for every finding kind: one run,
// tool.driver.rules with each rule's metadata, one result per finding with its level, message
// and location. File findings locate the file (a path inside the image, or a config file) as
// the artifact URI with its start line; package findings name the package as a logical
// location. properties.kind and properties.layer (digest) travel with every result.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include "report/report.hpp"
#include "report/writer_common.hpp"

namespace bulwark::report {
namespace {

using nlohmann::ordered_json;

std::string_view level(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh:
      return "error";
    case Severity::kMedium:
      return "warning";
    case Severity::kLow:
      return "note";
    case Severity::kNone:
    case Severity::kUnknown:
      return "none";
  }
  return "none";
}

// GitHub code scanning reads a CVSS-like number from properties["security-severity"].
std::string_view security_severity(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "9.5";
    case Severity::kHigh:
      return "8.0";
    case Severity::kMedium:
      return "5.5";
    case Severity::kLow:
      return "2.0";
    default:
      return "0.0";
  }
}

// A path as a URI reference (RFC 3986): unreserved characters and "/" kept, the rest
// percent-encoded, so "/app/my file" stays valid.
std::string uri_reference(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) != 0 || c == '/' || c == '-' || c == '.' || c == '_' || c == '~' ||
        c == '@' || c == '+' || c == ',' || c == '=') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool package_kind(const Finding& f) {
  return f.kind == "vulnerability" || f.kind == "license" || f.target.starts_with("pkg:");
}

// "path:12" -> ("path", 12); a target without a numeric suffix has no line.
std::pair<std::string, int> split_line(const std::string& target) {
  size_t colon = target.rfind(':');
  if (colon == std::string::npos || colon + 1 == target.size() || target.size() - colon > 10)
    return {target, 0};
  for (size_t i = colon + 1; i < target.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(target[i])) == 0) return {target, 0};
  }
  return {target.substr(0, colon), std::stoi(target.substr(colon + 1))};
}

ordered_json rule_json(const Finding& f) {
  ordered_json r = {{"id", f.id}};
  r["shortDescription"] = {{"text", f.title.empty() ? f.id : f.title}};
  r["fullDescription"] = {{"text", f.title.empty() ? f.id : f.title}};
  if (!f.fix.empty()) r["help"] = {{"text", f.fix}};
  for (const auto& ref : f.references) {
    if (ref.starts_with("https://") || ref.starts_with("http://")) {
      r["helpUri"] = ref;
      break;
    }
  }
  r["defaultConfiguration"] = {{"level", level(f.severity)}};
  std::string sec(security_severity(f.severity));
  if (f.vulnerability && f.vulnerability->cvss_v3_score) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f", *f.vulnerability->cvss_v3_score);
    sec = buf;
  }
  r["properties"] = {{"tags", ordered_json::array({"security", f.kind})},
                     {"security-severity", sec},
                     {"severity", severity_name(f.severity)}};
  return r;
}

ordered_json vulnerability_properties(const VulnerabilityInfo& v) {
  ordered_json j = {{"package", v.package_name},          {"installed_version", v.package_version},
                    {"ecosystem", v.ecosystem},           {"status", v.status},
                    {"fixed_versions", v.fixed_versions}, {"aliases", v.aliases},
                    {"advisories", v.advisories},         {"why", v.why}};
  if (!v.source_package.empty()) j["source_package"] = v.source_package;
  if (!v.status_detail.empty()) j["status_detail"] = v.status_detail;
  if (v.cvss_v3_score) {
    j["cvss_v3_vector"] = v.cvss_v3_vector;
    j["cvss_v3_score"] = *v.cvss_v3_score;
  }
  if (!v.owner_package.empty()) j["owner_package"] = v.owner_package;
  if (!v.changelog_evidence.empty()) j["changelog_evidence"] = v.changelog_evidence;
  return j;
}

// SARIF 2.1.0 section 3.35: a suppression decided outside the analysed code (a VEX document or
// the ignore file) is kind "external"; the user asserted it, so its status is "accepted".
ordered_json suppressions_json(const Suppression& s) {
  std::string text = s.status;
  if (!s.justification.empty()) text += " (" + s.justification + ")";
  if (!s.reason.empty()) text += ": " + s.reason;
  if (!s.expires.empty()) text += "; until " + s.expires;
  ordered_json props = {{"source", s.source}, {"status", s.status}};
  if (!s.justification.empty()) props["justification"] = s.justification;
  if (!s.expires.empty()) props["expires"] = s.expires;
  return ordered_json::array({{{"kind", "external"},
                               {"status", "accepted"},
                               {"justification", text},
                               {"properties", std::move(props)}}});
}

}  // namespace

std::string write_sarif(const Report& r) {
  auto findings = detail::sorted_findings(r.findings);
  // Rules: one per (kind, id), sorted by id; the first finding of a rule supplies its text.
  std::map<std::pair<std::string, std::string>, const Finding*> first;
  for (const Finding* f : findings) first.emplace(std::make_pair(f->id, f->kind), f);
  std::map<std::pair<std::string, std::string>, size_t> index;
  ordered_json rules = ordered_json::array();
  for (const auto& [key, f] : first) {
    index[key] = rules.size();
    rules.push_back(rule_json(*f));
  }

  ordered_json results = ordered_json::array();
  for (const Finding* f : findings) {
    ordered_json res;
    res["ruleId"] = f->id;
    res["ruleIndex"] = index[{f->id, f->kind}];
    res["level"] = level(f->severity);
    std::string text = f->title.empty() ? f->id : f->title;
    if (!f->evidence.empty()) text += ": " + f->evidence;
    res["message"] = {{"text", text}};
    ordered_json loc;
    if (package_kind(*f)) {
      loc["logicalLocations"] =
          ordered_json::array({{{"fullyQualifiedName", f->target}, {"kind", "package"}}});
      // A vulnerable package is also located at the file it was read from (code scanning
      // tools want a physical location).
      if (f->vulnerability && !f->evidence.empty())
        loc["physicalLocation"] = {{"artifactLocation", {{"uri", uri_reference(f->evidence)}}}};
    } else if (!f->target.empty()) {
      auto [path, line] = split_line(f->target);
      ordered_json phys = {{"artifactLocation", {{"uri", uri_reference(path)}}}};
      if (line > 0) phys["region"] = {{"startLine", line}};
      loc["physicalLocation"] = std::move(phys);
    }
    if (!loc.empty()) res["locations"] = ordered_json::array({std::move(loc)});
    ordered_json props = {{"kind", f->kind}, {"severity", severity_name(f->severity)}};
    if (f->layer) {
      props["layer_index"] = *f->layer;
      std::string digest;
      for (const auto& l : r.target.layers) {
        if (l.index == *f->layer) digest = l.digest.empty() ? l.diff_id : l.digest;
      }
      props["layer"] = digest;
    }
    if (!f->fix.empty()) props["fix"] = f->fix;
    if (f->vulnerability) props["vulnerability"] = vulnerability_properties(*f->vulnerability);
    if (f->license) {
      const auto& l = *f->license;
      props["license"] = {{"package", l.package_name},
                          {"installed_version", l.package_version},
                          {"ecosystem", l.ecosystem},
                          {"declared", l.declared},
                          {"expression", l.expression},
                          {"category", l.category},
                          {"policy", l.policy},
                          {"reason", l.reason},
                          {"paths", l.paths}};
    }
    res["properties"] = std::move(props);
    if (f->suppressed) res["suppressions"] = suppressions_json(*f->suppressed);
    results.push_back(std::move(res));
  }

  ordered_json driver = {
      {"name", "bulwark"}, {"version", detail::scanner_version(r)}, {"rules", std::move(rules)}};
  ordered_json run = {{"tool", {{"driver", std::move(driver)}}}, {"results", std::move(results)}};
  std::string name = detail::image_name(r.target);
  if (!name.empty()) {
    run["properties"] = {{"target", name},
                         {"manifest_digest", r.target.manifest_digest},
                         {"platform", r.target.platform}};
  }
  ordered_json doc = {{"$schema",
                       "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/"
                       "sarif-schema-2.1.0.json"},
                      {"version", "2.1.0"},
                      {"runs", ordered_json::array({std::move(run)})}};
  return detail::dump_ordered(doc) + "\n";
}

}  // namespace bulwark::report
