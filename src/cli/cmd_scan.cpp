#include "cli/app.hpp"
#include "cli/findings_args.hpp"
#include "cli/suppression_args.hpp"
#include "cli/vuln_args.hpp"
#include "core/log.hpp"
#include "core/teardown.hpp"
#include "report/report.hpp"
#include "vulndb/locate.hpp"

namespace bulwark::cli {

void add_scan_command(CLI::App& app, GlobalOptions& g) {
  auto* cmd =
      app.add_subcommand("scan", "Scan an image: OS, packages with their layers, and findings");
  auto args = std::make_shared<ImageArgs>();
  auto format = std::make_shared<std::string>("table");
  add_image_args(*cmd, *args);
  auto findings_args = std::make_shared<FindingsArgs>();
  add_findings_args(*cmd, *findings_args);
  auto vuln_args = std::make_shared<VulnArgs>();
  add_vuln_args(*cmd, *vuln_args);
  auto suppression_args = std::make_shared<SuppressionArgs>();
  add_suppression_args(*cmd, *suppression_args);
  std::vector<std::string> names;
  for (const auto& w : report::writers()) names.emplace_back(w.name);
  cmd->add_option("-f,--format", *format,
                  "Output format (table, json, cyclonedx, spdx, sarif, html)")
      ->check(CLI::IsMember(names))
      ->capture_default_str();
  cmd->footer(
      "A scan reports the operating system, every package with the layer that added it, the\n"
      "findings, and a risk score from 0 to 100 with a grade (docs/scoring.md explains both).\n\n"
      "Vulnerabilities are matched against the advisory database (--db; create it with\n"
      "`bulwark db update` or `bulwark db build`); docs/vulndb.md explains the matching.\n\n"
      "EXAMPLES\n"
      "  bulwark scan app.tar\n"
      "  bulwark scan app.tar --severity HIGH,CRITICAL --ignore-unfixed --exit-code 1\n"
      "  bulwark scan oci:./layout --format json -o report.json");
  cmd->callback([&g, cmd, args, format, findings_args, vuln_args, suppression_args] {
    // One scan, then the process exits: its large results are left to the OS (core/teardown.hpp).
    core::set_skip_teardown(true);
    auto opts = to_scan_options(*args, g);
    if (!opts.ok()) {
      g.exit_code = report_error(opts.error());
      return;
    }
    opts->risk = true;
    if (auto added = add_finding_analyzers(*findings_args, *opts); !added.ok()) {
      g.exit_code = report_error(added.error());
      return;
    }
    if (auto loaded = load_suppressions(*suppression_args, *opts); !loaded.ok()) {
      g.exit_code = report_error(loaded.error());
      return;
    }
    std::string db_warning;
    if (findings_args->wants("vuln")) {
      // Scanners left at their default run when they have their data: with no database at the
      // default location the scan goes on without vulnerabilities and says so. A database the
      // user asked for (--scanners vuln, --db, BULWARK_DB) that is missing is an error.
      const bool asked_for_vulns = cmd->count("--scanners") > 0 ||
                                   vulndb::resolve_db_path(vuln_args->db).chosen_by != "default";
      auto opened = open_vuln_db(*vuln_args, std::time(nullptr), *opts, db_warning);
      if (!opened.ok()) {
        if (asked_for_vulns || opened.error().code() != core::ErrorCode::kNotFound) {
          g.exit_code = report_error(opened.error());
          return;
        }
        db_warning = "vulnerability scanning skipped: " + opened.error().message();
      }
    }
    auto r = run_scan(*opts);
    if (!r.ok()) {
      g.exit_code = report_error(r.error());
      return;
    }
    if (!db_warning.empty()) {
      core::log_warn("{}", db_warning);
      r->warnings.push_back(db_warning);
    }
    apply_finding_filters(*vuln_args, *r);
    std::string text = report::find_writer(*format)->write(*r);
    auto written = write_output(args->output, text);  // flushed and closed on return
    if (!written.ok()) {
      g.exit_code = report_error(written.error());
      return;
    }
    g.exit_code =
        vuln_args->exit_code != 0 && failing_findings(*r) > 0 ? vuln_args->exit_code : kExitOk;
    // The process exits next: no need to free the report one string at a time.
    core::discard(std::move(text));
    core::discard(std::move(r).value());
  });
}

}  // namespace bulwark::cli
