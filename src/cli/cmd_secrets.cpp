// `bulwark secrets PATH`: the image secret rules over a file or directory tree (a CI
// workspace, a build context), without an image.
#include <algorithm>

#include "cli/app.hpp"
#include "cli/findings_args.hpp"
#include "core/log.hpp"
#include "report/report.hpp"
#include "secret/analyzer.hpp"

namespace bulwark::cli {

void add_secrets_command(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand(
      "secrets", "Scan a file or directory tree (not an image) for secrets with the image rules");
  auto path = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("table");
  auto output = std::make_shared<std::string>();
  auto args = std::make_shared<FindingsArgs>();
  cmd->add_option("path", *path, "File or directory to scan (symlinks are not followed)")
      ->required();
  // SARIF joins once the SARIF writer lands (report/sarif*).
  cmd->add_option("-f,--format", *format, "Output format: table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", *output, "Write the result to FILE instead of stdout");
  add_secret_config_arg(*cmd, *args);
  cmd->footer(
      "Binary files are skipped by their content (NUL bytes or invalid UTF-8), not by name.\n"
      "Evidence keeps only the first 4 characters of each secret.\n"
      "Exit status 1 when a secret was found, 0 when none, 2 on errors.\n\n"
      "EXAMPLES\n"
      "  bulwark secrets .\n"
      "  bulwark secrets ./deploy --secret-config .gitleaks.toml --format json -o secrets.json");
  cmd->callback([&g, path, format, output, args] {
    auto engine = make_secret_engine(*args, default_cache_dir());
    if (!engine.ok()) {
      g.exit_code = report_error(engine.error());
      return;
    }
    report::Report r;
    r.target.input = *path;
    r.target.source = "path";
    secret::TreeScanStats stats;
    r.findings = secret::scan_tree(**engine, *path, r.warnings, &stats);
    if (stats.files == 0 && !r.warnings.empty()) {
      g.exit_code = report_error(core::Error::not_found(r.warnings.front()));
      return;
    }
    for (const auto& w : r.warnings) core::log_warn("{}", w);
    core::log_info("{}: {} files, {} bytes, {} binary files skipped, {} secrets", *path,
                   stats.files, stats.bytes, stats.binary_skipped, r.findings.size());
    r.scanner_version = scanner_version();
    r.created = report_timestamp();
    auto written = write_output(*output, report::find_writer(*format)->write(r));
    if (!written.ok()) {
      g.exit_code = report_error(written.error());
      return;
    }
    g.exit_code = r.findings.empty() ? kExitOk : kExitFindings;
  });
}

}  // namespace bulwark::cli
