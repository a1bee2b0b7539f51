// The scan's finding filters and exit-code rule (cli/vuln_args): --severity applies to every
// finding kind, --ignore-unfixed to vulnerabilities without a fix, and only unsuppressed
// findings that are not fixed per the changelog fail a scan.
#include "cli/vuln_args.hpp"

#include <gtest/gtest.h>

namespace bulwark::cli {
namespace {

report::Finding vuln(std::string id, report::Severity s, std::string status) {
  report::Finding f;
  f.kind = "vulnerability";
  f.id = std::move(id);
  f.severity = s;
  report::VulnerabilityInfo v;
  v.status = std::move(status);
  f.vulnerability = v;
  return f;
}

report::Finding secret(report::Severity s) {
  report::Finding f;
  f.kind = "secret";
  f.id = "aws-access-key";
  f.severity = s;
  return f;
}

std::vector<std::string> ids(const report::Report& r) {
  std::vector<std::string> out;
  for (const auto& f : r.findings) out.push_back(f.id);
  return out;
}

report::Report sample() {
  report::Report r;
  r.findings = {vuln("CVE-1", report::Severity::kCritical, "fixed"),
                vuln("CVE-2", report::Severity::kHigh, "unfixed"),
                vuln("CVE-3", report::Severity::kLow, "will-not-fix"),
                vuln("CVE-4", report::Severity::kUnknown, "fixed-per-changelog"),
                secret(report::Severity::kMedium)};
  return r;
}

TEST(VulnArgs, SeverityFilterKeepsOnlyTheListedSeveritiesOfEveryKind) {
  VulnArgs a;
  a.severity = {"HIGH", "CRITICAL"};
  auto r = sample();
  apply_finding_filters(a, r);
  EXPECT_EQ(ids(r), (std::vector<std::string>{"CVE-1", "CVE-2"}));
  a.severity = {"MEDIUM"};
  r = sample();
  apply_finding_filters(a, r);
  EXPECT_EQ(ids(r), std::vector<std::string>{"aws-access-key"});
}

TEST(VulnArgs, IgnoreUnfixedDropsUnfixedAndWillNotFixVulnerabilitiesOnly) {
  VulnArgs a;
  a.ignore_unfixed = true;
  auto r = sample();
  apply_finding_filters(a, r);
  EXPECT_EQ(ids(r), (std::vector<std::string>{"CVE-1", "CVE-4", "aws-access-key"}));
}

TEST(VulnArgs, SuppressedAndChangelogFixedFindingsDoNotFailTheScan) {
  auto r = sample();
  EXPECT_EQ(failing_findings(r), 4U);  // all but the fixed-per-changelog one
  for (auto& f : r.findings) f.suppressed = report::Suppression{"ignore:x", "ignored", "", "", ""};
  EXPECT_EQ(failing_findings(r), 0U);
}

}  // namespace
}  // namespace bulwark::cli
