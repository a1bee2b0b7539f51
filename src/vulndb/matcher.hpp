// Matches one installed package against the advisory database: OSV ranges (events evaluated
// as the OSV schema describes), explicit versions, and constraint strings, with version order
// from version/ (the ecosystem's own rules). Every match says why; a version that does not
// parse is a warning naming it, never a guess.
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "vulndb/store.hpp"

namespace bulwark::vulndb {

struct PackageQuery {
  std::string ecosystem;  // OSV name (Debian, Alpine, Ubuntu, Go, PyPI, npm, ...)
  std::string release;    // distro release as stored (bookworm, 3.19, noble); "" for languages
  std::string name;       // source package for distros
  std::string version;    // installed version (source version for distros)
};

struct VulnMatch {
  std::string advisory_id;
  std::string source;
  std::string kind;  // vulnerability / malicious / informational:...
  std::vector<std::string> aliases;
  std::string severity;
  std::string cvss_v3_vector;
  std::optional<double> cvss_v3_score;
  Status status = Status::kAffected;  // kFixed (a fix exists), kUnfixed, kWillNotFix
  std::string status_detail;
  std::vector<std::string> fixed_versions;
  std::string why;                      // one line: which advisory range matched
  std::vector<std::string> references;  // the advisory's reference URLs, as stored
  // CISA KEV entry and EPSS score of the advisory's CVE (its id or first CVE alias), if known.
  std::optional<KevEntry> kev;
  std::optional<EpssEntry> epss;
};

struct MatchResult {
  std::vector<VulnMatch> matches;     // sorted by advisory id, then source
  std::vector<std::string> warnings;  // unparsable versions, withdrawn-only records...
};

core::Result<MatchResult> match_package(const VulnDb& db, const PackageQuery& query);

// OSV range evaluation over already-parsed order: true when `version` falls in the range.
// `cmp(a, b)` returns -1/0/1 or an error. Exposed for tests.
core::Result<bool> in_osv_range(
    const Range& range, std::string_view version,
    const std::function<core::Result<int>(std::string_view, std::string_view)>& cmp);

}  // namespace bulwark::vulndb
