#include "cli/app.hpp"

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <vector>

#include "core/limits.hpp"
#include "core/log.hpp"

namespace bulwark::cli {

void add_image_args(CLI::App& cmd, ImageArgs& args) {
  cmd.add_option("target", args.target,
                 "Image to read: docker-archive:FILE[:TAG], oci:DIR[:REF], oci-archive:FILE[:REF], "
                 "dir:PATH,\n"
                 "registry:REF, or a bare path recognised by its content or registry reference\n"
                 "(HOST[:PORT]/REPO[:TAG][@sha256:DIGEST])")
      ->required();
  cmd.add_option("--platform", args.platform,
                 "Platform to pick from a multi-platform index (os/arch[/variant]);\n"
                 "default: this host's, then linux/amd64");
  cmd.add_flag("--no-cache", args.no_cache,
               "Analyze every layer, neither reading nor writing the layer cache");
  cmd.add_option("--cache-dir", args.cache_dir,
                 "Layer cache directory (default: $XDG_CACHE_HOME/bulwark)");
  cmd.add_flag("--verify-diffids", args.verify_diff_ids,
               "Also hash each decompressed layer and check it against the config's diff_id\n"
               "(always done for layers stored uncompressed)");
  cmd.add_option("--threads", args.threads,
                 "Layers read in parallel (default: one per CPU available: affinity mask, "
                 "cgroup CPU limit)");
  cmd.add_option("--catalogers", args.catalogers,
                 "Only these catalogers: comma-separated names or tags (os, language, npm,\n"
                 "pypi, javascript, python, ...); default: all");
  cmd.add_option("-o,--output", args.output, "Write the result to FILE instead of stdout");
}

core::Result<ScanOptions> to_scan_options(const ImageArgs& args, const GlobalOptions& g) {
  ScanOptions o;
  o.target = args.target;
  if (!args.platform.empty()) {
    BW_ASSIGN_OR_RETURN(auto p, image::Platform::parse(args.platform));
    o.platform = p;
  }
  o.use_cache = !args.no_cache;
  o.cache_dir = args.cache_dir;
  o.verify_diff_ids = args.verify_diff_ids;
  o.threads = args.threads;
  o.catalogers = args.catalogers;
  o.progress = !g.quiet && g.log_format == "text";
  return o;
}

core::Result<void> write_output(const std::string& output, const std::string& text) {
  if (output.empty() || output == "-") {
    // A closed pipe (`bulwark sbom ... | head`) or a full disk is an error, not silent loss.
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
        std::fflush(stdout) != 0) {
      return core::Error::from_errno("stdout", errno);
    }
    return core::ok();
  }
  std::ofstream f(output, std::ios::binary | std::ios::trunc);
  if (!f) return core::Error::from_errno(output, errno);
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  f.close();
  if (!f) return core::Error::io(output + ": write failed");
  return core::ok();
}

int report_error(const core::Error& e) {
  // Errors are shown even with --quiet: they are the reason for exit code 2.
  if (core::log_level() > core::LogLevel::kError) core::set_log_level(core::LogLevel::kError);
  core::log_message(core::LogLevel::kError, e.message());
  return kExitError;
}

int run(int argc, char** argv) {
  CLI::App app{
      "bulwark: one tool to secure containers from build to run.\n"
      "Reads container images (docker-archive, OCI layout/archive, root filesystem directories)\n"
      "in one streaming pass and reports what is inside them.",
      "bulwark"};
  app.footer(
      "EXIT STATUS\n"
      "  0  success, nothing at or above the failure threshold\n"
      "  1  findings or a policy failed the threshold\n"
      "  2  error: bad input, unreadable image, I/O failure (one line on stderr says why)\n\n"
      "EXAMPLES\n"
      "  bulwark sbom docker-archive:app.tar --format cyclonedx -o app.cdx.json\n"
      "  bulwark sbom oci:./layout:1.0 --format spdx\n"
      "  bulwark scan app.tar\n\n"
      "See docs/cli.md for every command and option.");
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the command: `bulwark sbom -q IMAGE`
  app.set_version_flag("--version", scanner_version());
  GlobalOptions g;
  app.add_flag("-q,--quiet", g.quiet, "Print only results and errors (no progress, no warnings)");
  app.add_flag("-v,--verbose", g.verbose, "Also print what bulwark is doing (info and debug logs)");
  app.add_option("--log-format", g.log_format,
                 "Diagnostics on stderr as text or one JSON object per line")
      ->check(CLI::IsMember({"text", "json"}));
  std::vector<std::string> limit_assignments;
  app.add_option("--limit", limit_assignments,
                 "Change a bound on untrusted input, NAME=VALUE (K/M/G/T suffixes); repeatable.\n"
                 "Limits and their defaults:\n" +
                     core::describe_limits(core::limits()))
      ->type_name("NAME=VALUE")
      ->check([](const std::string& a) {
        core::Limits scratch;
        auto r = core::apply_limit(scratch, a);
        return r.ok() ? std::string() : r.error().message();
      });
  app.parse_complete_callback([&g, &limit_assignments] {
    core::Limits l = core::limits();
    for (const auto& a : limit_assignments) (void)core::apply_limit(l, a);  // checked above
    core::set_limits(l);
    core::set_log_format(g.log_format == "json" ? core::LogFormat::kJson : core::LogFormat::kText);
    if (g.quiet) core::set_log_level(core::LogLevel::kError);
    if (g.verbose) core::set_log_level(core::LogLevel::kDebug);
  });

  add_sbom_command(app, g);
  add_scan_command(app, g);
  add_secrets_command(app, g);
  add_version_command(app, g);
  add_completion_command(app, g);
  add_config_command(app, g);
  add_db_command(app, g);
  add_inspect_command(app, g);
  add_registry_options(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitError;
  }
  return g.exit_code;
}

}  // namespace bulwark::cli
