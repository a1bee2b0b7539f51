// The command-line shell over the scan library: global options, one file per subcommand
// (cmd_*.cpp), and the exit-code contract: 0 clean, 1 policy/threshold failed, 2 error.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/scan_pipeline.hpp"

namespace bulwark::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitError = 2;

struct GlobalOptions {
  bool quiet = false;
  bool verbose = false;
  std::string log_format = "text";
  int exit_code = kExitOk;
};

// Options shared by every command that reads an image.
struct ImageArgs {
  std::string target;
  std::string platform;
  bool no_cache = false;
  std::string cache_dir;
  bool verify_diff_ids = false;
  unsigned threads = 0;
  std::string catalogers;  // --catalogers: names and tags, comma-separated; "" = all
  std::string output;      // "" or "-": stdout
};
void add_image_args(CLI::App& cmd, ImageArgs& args);
core::Result<ScanOptions> to_scan_options(const ImageArgs& args, const GlobalOptions& g);
// Writes to --output (created or truncated) or stdout; an error names the file.
core::Result<void> write_output(const std::string& output, const std::string& text);
// Prints "bulwark: error: <message>" (or a JSON log line) and returns kExitError.
int report_error(const core::Error& e);

void add_sbom_command(CLI::App& app, GlobalOptions& g);
void add_scan_command(CLI::App& app, GlobalOptions& g);
void add_secrets_command(CLI::App& app, GlobalOptions& g);
void add_version_command(CLI::App& app, GlobalOptions& g);
void add_completion_command(CLI::App& app, GlobalOptions& g);
void add_config_command(CLI::App& app, GlobalOptions& g);
void add_db_command(CLI::App& app, GlobalOptions& g);
void add_inspect_command(CLI::App& app, GlobalOptions& g);
// Global registry flags (--insecure-registry, --ca-cert, --username ...) and the registry
// image source that open_image uses for registry references.
void add_registry_options(CLI::App& app);

int run(int argc, char** argv);

}  // namespace bulwark::cli
