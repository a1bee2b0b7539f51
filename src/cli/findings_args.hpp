// Options of the finding scanners (secrets, malware) shared by `scan` and `secrets`, and the
// analyzers they configure.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cli/scan_pipeline.hpp"
#include "secret/engine.hpp"

namespace bulwark::cli {

struct FindingsArgs {
  std::vector<std::string> scanners{"vuln", "secret", "malware", "misconfig", "license"};
  std::string secret_config;  // gitleaks TOML
  std::vector<std::string> malware_rules;
  std::vector<std::string> known_bad;
  std::string clamav_db;
  std::string license_policy;  // --license-policy FILE (YAML)
  bool license_all = false;    // --license-all: also findings below medium severity
  bool wants(std::string_view scanner) const;
};

void add_secret_config_arg(CLI::App& cmd, FindingsArgs& args);
// --scanners, --secret-config, --malware-rules, --known-bad, --clamav-db.
void add_findings_args(CLI::App& cmd, FindingsArgs& args);

// `cache_dir`: where the compiled rule database is kept ("" : compile every time).
core::Result<std::shared_ptr<const secret::Engine>> make_secret_engine(
    const FindingsArgs& args, const std::string& cache_dir);
// Adds the selected finding analyzers to the scan options.
core::Result<void> add_finding_analyzers(const FindingsArgs& args, ScanOptions& options);

}  // namespace bulwark::cli
