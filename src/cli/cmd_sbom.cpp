#include "cli/app.hpp"
#include "core/teardown.hpp"
#include "report/report.hpp"

namespace bulwark::cli {

namespace {
std::string format_names() {
  std::string s;
  for (const auto& w : report::writers())
    s += "\n  " + std::string(w.name) + ": " + std::string(w.description);
  return s;
}
}  // namespace

void add_sbom_command(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand(
      "sbom", "List what is inside an image: OS, packages, and the layer that added each");
  auto args = std::make_shared<ImageArgs>();
  auto format = std::make_shared<std::string>("cyclonedx");
  add_image_args(*cmd, *args);
  std::vector<std::string> names;
  for (const auto& w : report::writers()) names.emplace_back(w.name);
  cmd->add_option("-f,--format", *format, "Output format:" + format_names())
      ->check(CLI::IsMember(names))
      ->capture_default_str();
  cmd->footer(
      "The SBOM is deterministic: the same image gives byte-identical output; set "
      "SOURCE_DATE_EPOCH\n"
      "to fix the timestamp too.\n\n"
      "EXAMPLES\n"
      "  bulwark sbom docker-archive:app.tar --format cyclonedx > app.cdx.json\n"
      "  bulwark sbom oci:./layout:1.0 --format spdx\n"
      "  bulwark sbom dir:/srv/rootfs --format table");
  cmd->callback([&g, args, format] {
    // One scan, then the process exits: its large results are left to the OS (core/teardown.hpp).
    core::set_skip_teardown(true);
    auto opts = to_scan_options(*args, g);
    if (!opts.ok()) {
      g.exit_code = report_error(opts.error());
      return;
    }
    auto r = run_scan(*opts);
    if (!r.ok()) {
      g.exit_code = report_error(r.error());
      return;
    }
    const auto* w = report::find_writer(*format);
    std::string text = w->write(*r);
    auto written = write_output(args->output, text);  // flushed and closed on return
    g.exit_code = written.ok() ? kExitOk : report_error(written.error());
    // The process exits next: no need to free the report one string at a time.
    core::discard(std::move(text));
    core::discard(std::move(r).value());
  });
}

}  // namespace bulwark::cli
