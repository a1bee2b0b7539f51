#include "cli/vuln_args.hpp"

#include <algorithm>
#include <cctype>

#include "vulndb/locate.hpp"

namespace bulwark::cli {

namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

void add_vuln_args(CLI::App& cmd, VulnArgs& args) {
  cmd.add_option("--db", args.db,
                 "Vulnerability database (bulwark db build/update); default $BULWARK_DB, else\n"
                 "$XDG_CACHE_HOME/bulwark/db/bulwark.db");
  cmd.add_option("--db-max-age", args.db_max_age,
                 "Warn when the database was built more than DAYS ago (0: never)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--severity", args.severity,
                 "Show only findings of these severities (comma-separated, any kind):\n"
                 "UNKNOWN, NONE, LOW, MEDIUM, HIGH, CRITICAL")
      ->delimiter(',')
      ->transform([](std::string s) { return upper(std::move(s)); })
      ->check(CLI::IsMember({"UNKNOWN", "NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL"}));
  cmd.add_flag("--ignore-unfixed", args.ignore_unfixed,
               "Leave out vulnerabilities without a fixed version (unfixed, will-not-fix)");
  cmd.add_option("--exit-code", args.exit_code,
                 "Exit with N when any finding remains after the filters and suppressions\n"
                 "(0: exit 0 whatever is found)")
      ->check(CLI::Range(0, 255))
      ->capture_default_str();
}

core::Result<void> open_vuln_db(const VulnArgs& args, std::time_t now, ScanOptions& options,
                                std::string& warning) {
  BW_ASSIGN_OR_RETURN(auto opened, vulndb::open_for_scan(args.db, args.db_max_age, now));
  if (opened.warning) warning = *opened.warning;
  options.vuln_db = std::move(opened.db);
  return core::ok();
}

void apply_finding_filters(const VulnArgs& args, report::Report& r) {
  auto keep = [&](const report::Finding& f) {
    if (!args.severity.empty() &&
        std::find(args.severity.begin(), args.severity.end(),
                  upper(std::string(report::severity_name(f.severity)))) == args.severity.end())
      return false;
    if (args.ignore_unfixed && f.vulnerability &&
        (f.vulnerability->status == "unfixed" || f.vulnerability->status == "will-not-fix"))
      return false;
    return true;
  };
  r.findings.erase(std::remove_if(r.findings.begin(), r.findings.end(),
                                  [&](const report::Finding& f) { return !keep(f); }),
                   r.findings.end());
}

size_t failing_findings(const report::Report& r) {
  return static_cast<size_t>(std::count_if(r.findings.begin(), r.findings.end(), [](const auto& f) {
    if (f.suppressed) return false;
    return !(f.vulnerability && f.vulnerability->status == "fixed-per-changelog");
  }));
}

}  // namespace bulwark::cli
