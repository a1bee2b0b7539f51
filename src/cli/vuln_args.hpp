// Options of vulnerability matching and of what a scan reports and fails on: --db,
// --db-max-age, --severity, --ignore-unfixed, --exit-code.
#pragma once

#include <CLI/CLI.hpp>
#include <ctime>
#include <string>
#include <vector>

#include "cli/scan_pipeline.hpp"
#include "core/result.hpp"
#include "report/report.hpp"

namespace bulwark::cli {

struct VulnArgs {
  std::string db;                     // --db; "" = $BULWARK_DB, else the default location
  int db_max_age = 7;                 // days; 0 = never warn
  std::vector<std::string> severity;  // upper-case names; empty = all
  bool ignore_unfixed = false;
  int exit_code = 0;  // exit code when an unsuppressed finding remains; 0 = keep exit 0
};

void add_vuln_args(CLI::App& cmd, VulnArgs& args);

// Opens the database into `options` (the scan matches against it). Absent or unreadable: the
// error open_for_scan gives. A database older than --db-max-age: `warning` is set.
core::Result<void> open_vuln_db(const VulnArgs& args, std::time_t now, ScanOptions& options,
                                std::string& warning);

// Drops the findings the user asked not to see: severities outside --severity (every kind),
// and with --ignore-unfixed vulnerabilities without a fix (unfixed, will-not-fix).
void apply_finding_filters(const VulnArgs& args, report::Report& r);

// Findings that fail the scan under --exit-code: not suppressed, and not a vulnerability the
// package's changelog says is fixed.
size_t failing_findings(const report::Report& r);

}  // namespace bulwark::cli
