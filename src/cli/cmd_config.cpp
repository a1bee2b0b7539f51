// `bulwark config PATH`: misconfiguration checks of Dockerfiles, Kubernetes manifests and
// compose files, one file or a directory tree, recognised by content.
#include <algorithm>
#include <sstream>

#include "cli/app.hpp"
#include "core/log.hpp"
#include "misconfig/config_output.hpp"
#include "misconfig/kubernetes/rules.hpp"

namespace bulwark::cli {

namespace {

struct ConfigArgs {
  std::string path;
  std::string format = "table";
  std::string pss;
  std::string severity;
  std::string output;
  bool list_rules = false;
};

// Markdown table of every rule (docs/misconfig.md is generated from it).
std::string rule_table() {
  std::string out = "| ID | Severity | Title | PSS level | Fix |\n|---|---|---|---|---|\n";
  for (const misconfig::Rule* r : misconfig::all_rules()) {
    out += "| " + std::string(r->id) + " | " + std::string(report::severity_name(r->severity)) +
           " | " + std::string(r->title) + " | " +
           std::string(misconfig::pss_level_name(r->pss_level)) + " | " + std::string(r->fix) +
           " |\n";
  }
  return out;
}

core::Result<std::vector<report::Severity>> parse_severities(const std::string& list) {
  std::vector<report::Severity> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    for (auto& c : item) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool found = false;
    for (auto s : {report::Severity::kLow, report::Severity::kMedium, report::Severity::kHigh,
                   report::Severity::kCritical}) {
      if (report::severity_name(s) == item) {
        out.push_back(s);
        found = true;
      }
    }
    if (!found) {
      return core::Error::invalid("--severity: unknown severity \"" + item +
                                  "\" (low, medium, high, critical)");
    }
  }
  return out;
}

int run_config(const ConfigArgs& a) {
  if (a.list_rules) {
    auto written = write_output(a.output, rule_table());
    return written.ok() ? kExitOk : report_error(written.error());
  }
  if (a.path.empty()) return report_error(core::Error::invalid("config: PATH is required"));
  auto sev = parse_severities(a.severity);
  if (!sev.ok()) return report_error(sev.error());
  auto result = misconfig::check_path(a.path);
  if (!result.ok()) return report_error(result.error());
  auto& r = *result;
  std::optional<misconfig::PssVerdict> verdict;
  if (!a.pss.empty()) {
    auto level =
        a.pss == "baseline" ? misconfig::PssLevel::kBaseline : misconfig::PssLevel::kRestricted;
    // Under --pss the question is admission: only the controls of that profile count.
    std::erase_if(r.issues, [&](const misconfig::Issue& i) {
      auto l = i.rule->pss_level;
      return l == misconfig::PssLevel::kNone || static_cast<int>(l) > static_cast<int>(level);
    });
    verdict = misconfig::PssVerdict{level, misconfig::kubernetes::admitted(r.issues, level)};
  }
  if (!sev->empty()) {
    std::erase_if(r.issues, [&](const misconfig::Issue& i) {
      return std::find(sev->begin(), sev->end(), i.rule->severity) == sev->end();
    });
  }
  for (const auto& w : r.warnings) core::log_warn("{}", w);
  std::string text;
  if (a.format == "json") {
    text = misconfig::write_config_json(r, verdict);
  } else if (a.format == "sarif") {
    auto rep = misconfig::to_report(r, a.path);
    rep.scanner_version = scanner_version();
    text = report::write_sarif(rep);
  } else {
    text = misconfig::write_config_table(r, verdict);
  }
  auto written = write_output(a.output, text);
  if (!written.ok()) return report_error(written.error());
  if (verdict) return verdict->admitted ? kExitOk : kExitFindings;
  return r.issues.empty() ? kExitOk : kExitFindings;
}

}  // namespace

void add_config_command(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand(
      "config", "Check Dockerfiles, Kubernetes manifests and compose files for misconfigurations");
  auto args = std::make_shared<ConfigArgs>();
  cmd->add_option("path", args->path,
                  "A file or a directory tree; files are recognised by content, not name");
  cmd->add_flag("--list-rules", args->list_rules, "Print every rule (ID, severity, title, fix)");
  cmd->add_option("-f,--format", args->format, "Output format")
      ->check(CLI::IsMember({"table", "json", "sarif"}))
      ->capture_default_str();
  cmd->add_option("--pss", args->pss,
                  "Answer whether the Kubernetes workloads would be admitted under this Pod\n"
                  "Security Standards profile (exit 1 if not); only its controls are reported")
      ->check(CLI::IsMember({"baseline", "restricted"}));
  cmd->add_option("--severity", args->severity,
                  "Report only these severities (comma-separated: low,medium,high,critical)");
  cmd->add_option("-o,--output", args->output, "Write the result to FILE instead of stdout");
  cmd->footer(
      "Exit status: 0 no findings (or admitted under --pss), 1 findings (or not admitted),\n"
      "2 error.\n\n"
      "EXAMPLES\n"
      "  bulwark config Dockerfile\n"
      "  bulwark config --pss restricted deploy.yaml\n"
      "  bulwark config ./repo --format sarif -o misconfig.sarif --severity high,critical");
  cmd->callback([&g, args] { g.exit_code = run_config(*args); });
}

}  // namespace bulwark::cli
