// The Report every output format is written from, and the registry of writers.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/package.hpp"

namespace bulwark::report {

inline constexpr std::string_view kReportSchemaVersion = "1.0.0";

struct LayerSummary {
  int index = 0;
  std::string digest;   // blob digest "sha256:..." ("" for a directory)
  std::string diff_id;  // from the config (verified when `diff_id_verified`)
  bool diff_id_verified = false;
  std::string media_type;
  int64_t size = 0;  // stored bytes
  std::string created_by;
};

enum class Severity { kUnknown, kNone, kLow, kMedium, kHigh, kCritical };

// What a vulnerability finding knows beyond the common fields (kind "vulnerability"): the
// package it is about, every advisory merged into it, and why it matched.
struct VulnerabilityInfo {
  std::string package_name;
  std::string package_version;  // as installed
  std::string ecosystem;        // purl type of the package: deb, apk, rpm, npm, pypi, golang...
  std::string source_package;   // distro source package the advisory names ("" for languages)
  std::vector<std::string> aliases;     // other ids of the same flaw (CVE, GHSA, DSA, USN...)
  std::vector<std::string> advisories;  // "source:id" of every advisory merged into this one
  std::vector<std::string> fixed_versions;
  // fixed (a fixed version exists) | unfixed | will-not-fix | fixed-per-changelog (an advisory
  // says affected but the package's own changelog names the CVE as fixed)
  std::string status;
  std::string status_detail;  // the distro's word: no-dsa, postponed, end-of-life...
  std::string cvss_v3_vector;
  std::optional<double> cvss_v3_score;
  std::string why;  // one line: which advisory range matched
  // A language package whose files an OS package owns is matched through the distro's
  // advisories for that package: "deb:python3-urllib3".
  std::string owner_package;
  std::string changelog_evidence;  // the changelog line naming the CVE, for fixed-per-changelog
};

// What a license finding knows (kind "license"; docs/licenses.md): the package, the license
// as declared and as classified, and how the category follows from it.
struct LicenseInfo {
  std::string package_name;
  std::string package_version;
  std::string ecosystem;
  std::string declared;    // as the package declares it
  std::string expression;  // normalised SPDX expression, or the LicenseRef- for a name
  std::string category;    // forbidden|restricted|reciprocal|notice|permissive|unencumbered|unknown
  std::string policy;      // allowed | denied (by --license-policy), or ""
  std::string reason;      // one line: how the category follows from the terms
  std::vector<std::string> unknown_terms;  // terms that did not classify
  std::vector<std::string> paths;          // where the package was found
  // Language packages an OS package installed: their license is the OS package's.
  std::vector<std::string> covers;
};

// Why a finding is suppressed: a VEX statement or an ignore-file entry. Suppressed findings
// stay in the report, marked, and never count toward exit codes or the risk score.
struct Suppression {
  std::string source;         // "openvex:FILE", "cyclonedx-vex:FILE", "ignore:FILE"
  std::string status;         // VEX status (not_affected, fixed...) or "ignored"
  std::string justification;  // VEX justification, if given
  std::string reason;         // the statement or the ignore entry's reason
  std::string expires;        // ignore entries: the date after which it no longer applies
};

// One type for every kind of finding (DESIGN.md).
struct Finding {
  std::string kind;  // vulnerability|misconfig|secret|malware|license|policy
  std::string id;
  std::string title;
  Severity severity = Severity::kUnknown;
  std::string target;  // purl, or path[:line], or resource
  std::optional<int> layer;
  std::string evidence;  // already redacted
  std::string fix;
  std::vector<std::string> references;
  // Exploitation signals of a vulnerability, when the database knows them: CISA KEV listing
  // and the FIRST EPSS probability (0..1). The risk score weighs them.
  bool known_exploited = false;
  std::optional<double> epss;
  // A file finding whose file a later layer deleted or replaced: still in the image's blobs.
  // (Last, so that positional initialisers of the fields above keep working.)
  std::optional<int> removed_in_layer;
  std::optional<VulnerabilityInfo> vulnerability;  // kind "vulnerability" only
  std::optional<Suppression> suppressed;
  std::optional<LicenseInfo> license;  // kind "license" only
};

// The image's risk in one number (risk/ computes it; docs/scoring.md gives the formula), with
// the parts a reader needs to see why.
struct RiskComponent {
  std::string name;  // vulnerability | secret | malware | misconfig | exposure
  double points = 0;
  double cap = 0;  // most points this component can add
  int findings = 0;
  std::vector<std::string> reasons;  // largest contributors first, at most a few
};

struct RiskScore {
  int score = 0;             // 0 (nothing found) .. 100 (act now)
  char grade = 'A';          // A (0-9) B (10-29) C (30-49) D (50-69) E (70-84) F (85-100)
  std::string floor_reason;  // set when a near-blocking finding lifted the score
  std::vector<RiskComponent> components;
};

struct Target {
  std::string input;      // what the user passed
  std::string source;     // docker-archive | oci-layout | oci-archive | dir
  std::string reference;  // tag or ref name
  std::string manifest_digest;
  std::string config_digest;
  std::string platform;  // "linux/amd64"
  std::vector<LayerSummary> layers;
};

struct RemovedFile {
  std::string path;
  int added_in_layer = 0;
  int removed_in_layer = 0;
};

// The advisory database a scan matched against (set when vulnerabilities were matched).
struct DatabaseInfo {
  std::string path;
  std::string built_at;  // RFC 3339 UTC
  int schema_version = 0;
};

struct Report {
  Target target;
  core::OsInfo os;
  std::vector<core::Package> packages;  // sorted by (ecosystem, name, version, arch)
  std::vector<core::Package> removed_packages;
  std::vector<RemovedFile> removed_files;  // deleted by a later layer but still in the blobs
  std::vector<Finding> findings;
  std::optional<RiskScore> risk;  // set by `scan`; `sbom` has none
  std::vector<std::string> warnings;
  std::string scanner_version;  // "0.1.0 (git abc123)"
  std::string created;          // RFC 3339 UTC; from SOURCE_DATE_EPOCH when set
  std::optional<DatabaseInfo> database;
};

std::string_view severity_name(Severity s);

using WriteFn = std::string (*)(const Report&);
struct Writer {
  std::string_view name;         // --format value
  std::string_view description;  // one line for --help
  WriteFn write;
};

// The one list of output formats (writers.cpp).
std::span<const Writer> writers();
const Writer* find_writer(std::string_view name);

// Writers, one file each.
std::string write_cyclonedx(const Report& r);  // CycloneDX 1.5 JSON
std::string write_spdx(const Report& r);       // SPDX 2.3 JSON
std::string write_json(const Report& r);       // native JSON, docs/schema/report.schema.json
std::string write_table(const Report& r);      // human-readable table for terminals
std::string write_sarif(const Report& r);      // SARIF 2.1.0, every finding kind
std::string write_html(const Report& r);       // one self-contained HTML file

}  // namespace bulwark::report
