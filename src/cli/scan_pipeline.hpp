// The scan pipeline as the CLI drives it: target -> image -> layers (cached) -> SBOM -> Report.
// Commands differ only in which parts of the Report they print.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "findings/findings.hpp"
#include "image/image.hpp"
#include "license/policy.hpp"
#include "report/report.hpp"
#include "vex/vex.hpp"
#include "vulndb/store.hpp"

namespace bulwark::cli {

struct ScanOptions {
  std::string target;
  std::optional<image::Platform> platform;
  bool use_cache = true;
  std::string cache_dir;  // empty: $XDG_CACHE_HOME/bulwark or ~/.cache/bulwark
  bool verify_diff_ids = false;
  unsigned threads = 0;
  std::string catalogers;  // catalog::select_catalogers() list; "" = all
  bool progress = false;   // draw progress on stderr (only when it is a terminal)
  bool risk = false;       // compute the risk score (scan); an SBOM has none
  bool misconfig = false;  // image config and file checks (scan --scanners misconfig)
  // Finding scanners that read the layers along with the catalogers (secrets, malware), and
  // what in their configuration changes their output (part of the layer cache key).
  std::vector<std::shared_ptr<const findings::FindingsAnalyzer>> finding_analyzers;
  std::string findings_options_key;
  // Set: match the packages against this advisory database (never cached: the database
  // changes more often than the image).
  std::shared_ptr<const vulndb::VulnDb> vuln_db;
  // VEX documents and ignore files (scan --vex / --ignore-file); applied to the final findings.
  std::shared_ptr<const vex::Suppressions> suppressions;
  // Set: license findings of the packages under this policy (scan --scanners license).
  std::shared_ptr<const license::Policy> license_policy;
};

core::Result<report::Report> run_scan(const ScanOptions& options);

std::string default_cache_dir();
std::string scanner_version();
// RFC 3339 UTC, from SOURCE_DATE_EPOCH when set (reproducible output).
std::string report_timestamp();

}  // namespace bulwark::cli
