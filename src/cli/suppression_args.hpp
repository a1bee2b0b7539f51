// `scan --vex FILE` and `--ignore-file FILE`: VEX documents and the ignore file that mark
// findings as suppressed (vex/, docs/vex.md).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/scan_pipeline.hpp"

namespace bulwark::cli {

inline constexpr const char* kDefaultIgnoreFile = ".bulwarkignore.yaml";

struct SuppressionArgs {
  std::vector<std::string> vex;
  std::string ignore_file;  // "" : ./.bulwarkignore.yaml when it exists
};

void add_suppression_args(CLI::App& cmd, SuppressionArgs& args);
// Reads and checks every file now, so a bad one stops the scan before any work (exit 2).
core::Result<void> load_suppressions(const SuppressionArgs& args, ScanOptions& options);

}  // namespace bulwark::cli
