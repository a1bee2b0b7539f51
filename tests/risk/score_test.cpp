#include "risk/score.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace bulwark::risk {
namespace {

using report::Finding;
using report::Severity;

Finding vuln(Severity s, bool fix = true) {
  Finding f;
  f.kind = "vulnerability";
  f.id = "CVE-2024-0001";
  f.severity = s;
  if (fix) f.fix = "upgrade to 1.2.3";
  return f;
}

Finding of_kind(const std::string& kind, Severity s = Severity::kHigh) {
  Finding f;
  f.kind = kind;
  f.id = kind + "-1";
  f.severity = s;
  return f;
}

const Exposure kNoExposure{};

TEST(RiskScore, NothingFoundAndNonRootIsZeroGradeA) {
  auto r = compute({}, kNoExposure);
  EXPECT_EQ(r.score, 0);
  EXPECT_EQ(r.grade, 'A');
  EXPECT_TRUE(r.components.empty());
}

TEST(RiskScore, GradesHaveDocumentedBoundaries) {
  EXPECT_EQ(grade_for(9), 'A');
  EXPECT_EQ(grade_for(10), 'B');
  EXPECT_EQ(grade_for(29), 'B');
  EXPECT_EQ(grade_for(30), 'C');
  EXPECT_EQ(grade_for(50), 'D');
  EXPECT_EQ(grade_for(70), 'E');
  EXPECT_EQ(grade_for(84), 'E');
  EXPECT_EQ(grade_for(85), 'F');
  EXPECT_EQ(grade_for(100), 'F');
}

TEST(RiskScore, OneCriticalVulnerabilityFollowsTheFormula) {
  // 60 * (1 - e^(-10/40)) = 13.27 (docs/scoring.md, worked example 1).
  auto r = compute({vuln(Severity::kCritical)}, kNoExposure);
  EXPECT_EQ(r.score, 13);
  EXPECT_EQ(r.grade, 'B');
  ASSERT_EQ(r.components.size(), 1U);
  EXPECT_NEAR(r.components[0].points, 13.27, 0.01);
  EXPECT_EQ(r.components[0].findings, 1);
}

TEST(RiskScore, ExploitSignalsAndFixesMoveTheScoreTheRightWay) {
  auto base = compute({vuln(Severity::kHigh)}, kNoExposure).components[0].points;
  auto kev = vuln(Severity::kHigh);
  kev.known_exploited = true;
  EXPECT_GT(compute({kev}, kNoExposure).components[0].points, base);
  auto likely = vuln(Severity::kHigh);
  likely.epss = 0.9;
  auto unlikely = vuln(Severity::kHigh);
  unlikely.epss = 0.01;
  EXPECT_GT(compute({likely}, kNoExposure).components[0].points,
            compute({unlikely}, kNoExposure).components[0].points);
  EXPECT_LT(compute({vuln(Severity::kHigh, false)}, kNoExposure).components[0].points, base);
  // The KEV finding is named first among the reasons.
  auto r = compute({vuln(Severity::kHigh), kev}, kNoExposure);
  EXPECT_NE(r.components[0].reasons[0].find("known exploited"), std::string::npos);
}

TEST(RiskScore, ManyLowFindingsSaturateBelowTheCap) {
  std::vector<Finding> lots(1000, vuln(Severity::kLow));
  auto r = compute(lots, kNoExposure);
  EXPECT_LE(r.components[0].points, 60.0);
  EXPECT_GT(r.components[0].points, 59.0);
  EXPECT_EQ(r.score, 60);
}

TEST(RiskScore, LicensesAreShownInTheBreakdownButAddNoPoints) {
  std::vector<Finding> findings(50, of_kind("license", Severity::kHigh));
  auto forbidden = of_kind("license", Severity::kCritical);
  forbidden.id = "AGPL-3.0-only";
  findings.push_back(forbidden);
  auto r = compute(findings, kNoExposure);
  EXPECT_EQ(r.score, 0);
  EXPECT_EQ(r.grade, 'A');
  ASSERT_EQ(r.components.size(), 1U);
  EXPECT_EQ(r.components[0].name, "license");
  EXPECT_EQ(r.components[0].findings, 51);
  EXPECT_EQ(r.components[0].points, 0.0);
  // The most severe license comes first among the reasons, although all weigh nothing.
  ASSERT_FALSE(r.components[0].reasons.empty());
  EXPECT_EQ(r.components[0].reasons[0].rfind("AGPL-3.0-only (critical)", 0), 0U)
      << r.components[0].reasons[0];
  // With one critical vulnerability the score is the vulnerability's alone.
  findings.push_back(vuln(Severity::kCritical));
  EXPECT_EQ(compute(findings, kNoExposure).score,
            compute({vuln(Severity::kCritical)}, kNoExposure).score);
}

TEST(RiskScore, SecretsAndMalwareAreNearBlocking) {
  auto one = compute({of_kind("secret")}, kNoExposure);
  EXPECT_EQ(one.score, 70);
  EXPECT_EQ(one.grade, 'E');
  EXPECT_EQ(one.floor_reason, "1 secret in the image");
  EXPECT_EQ(compute({of_kind("secret"), of_kind("secret"), of_kind("secret")}, kNoExposure).score,
            80);
  std::vector<Finding> many(10, of_kind("secret"));
  EXPECT_EQ(compute(many, kNoExposure).score, 85);
  auto mal = compute({of_kind("malware")}, kNoExposure);
  EXPECT_EQ(mal.score, 90);
  EXPECT_EQ(mal.grade, 'F');
  EXPECT_EQ(mal.floor_reason, "malware: 1 finding");
}

TEST(RiskScore, FloorOnlyWhenItIsHigherThanTheSum) {
  std::vector<Finding> f(200, vuln(Severity::kCritical));
  f.push_back(of_kind("misconfig", Severity::kCritical));
  for (int i = 0; i < 20; ++i) f.push_back(of_kind("misconfig", Severity::kCritical));
  f.push_back(of_kind("secret"));
  auto r = compute(f, Exposure{true, {22}});
  EXPECT_EQ(r.score, 92);  // 60 + 20 (saturated) + 12 exposure > 70
  EXPECT_TRUE(r.floor_reason.empty());
}

TEST(RiskScore, ExposureFromRootAndPorts) {
  auto r = compute({}, Exposure{true, {22, 80, 8080}});
  // root 8 + ssh 4 + privileged port 80: 2 = 14; 8080 adds nothing.
  EXPECT_EQ(r.score, 14);
  ASSERT_EQ(r.components.size(), 1U);
  EXPECT_EQ(r.components[0].name, "exposure");
  EXPECT_EQ(r.components[0].reasons.size(), 3U);
  EXPECT_EQ(compute({}, Exposure{true, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}).score, 15);  // capped
}

Finding matched(Severity s, const std::string& status) {
  Finding f;
  f.kind = "vulnerability";
  f.id = "CVE-2024-0002";
  f.severity = s;
  f.vulnerability.emplace();
  f.vulnerability->package_name = "libfoo";
  f.vulnerability->status = status;
  if (status == "fixed") f.vulnerability->fixed_versions = {"1.2.3"};
  return f;
}

TEST(RiskScore, RootAndPrivilegedPortCountOnceNotAlsoAsMisconfigurations) {
  // docs/scoring.md worked example 2: the BW-IMG-001/003 findings report the facts the
  // exposure component weighs; the score is the same with and without them.
  auto without = compute({vuln(Severity::kCritical)}, Exposure{true, {22}});
  auto root = of_kind("misconfig", Severity::kMedium);
  root.id = "BW-IMG-001";
  auto port = of_kind("misconfig", Severity::kLow);
  port.id = "BW-IMG-003";
  auto with = compute({vuln(Severity::kCritical), root, port}, Exposure{true, {22}});
  EXPECT_EQ(without.score, 25);
  EXPECT_EQ(with.score, 25);
  for (const auto& c : with.components) EXPECT_NE(c.name, "misconfig");
  // Another image misconfiguration still counts in M.
  auto setuid = of_kind("misconfig", Severity::kMedium);
  setuid.id = "BW-IMG-006";
  auto more = compute({vuln(Severity::kCritical), root, port, setuid}, Exposure{true, {22}});
  ASSERT_EQ(more.components.size(), 3U);
  EXPECT_EQ(more.components[1].name, "misconfig");
  EXPECT_EQ(more.components[1].findings, 1);
  EXPECT_NEAR(more.components[1].points, 20 * (1 - std::exp(-1.0 / 15)), 1e-9);
}

TEST(RiskScore, SuppressedAndChangelogFixedFindingsCountZero) {
  // Worked example 4: one counted critical, one suppressed, one fixed per changelog.
  auto counted = vuln(Severity::kCritical);
  auto vexed = vuln(Severity::kCritical);
  vexed.suppressed.emplace();
  vexed.suppressed->source = "openvex:vex.json";
  vexed.suppressed->status = "not_affected";
  auto changelog = matched(Severity::kCritical, "fixed-per-changelog");
  auto r = compute({counted, vexed, changelog}, kNoExposure);
  EXPECT_EQ(r.score, 13);
  ASSERT_EQ(r.components.size(), 1U);
  EXPECT_EQ(r.components[0].findings, 1);
  // Suppressed secrets and malware do not lift the score to their floors.
  auto secret = of_kind("secret");
  secret.suppressed.emplace();
  secret.suppressed->source = "ignore:.bulwarkignore";
  auto malware = of_kind("malware");
  malware.suppressed.emplace();
  auto quiet = compute({secret, malware}, kNoExposure);
  EXPECT_EQ(quiet.score, 0);
  EXPECT_TRUE(quiet.floor_reason.empty());
  EXPECT_TRUE(quiet.components.empty());
  // Nothing but excluded findings and no exposure: grade A.
  EXPECT_EQ(compute({vexed, changelog}, kNoExposure).grade, 'A');
}

TEST(RiskScore, FixAvailabilityComesFromTheMatcherStatus) {
  // Worked example 5: 60 * (1 - e^(-5 * 0.7 / 40)) = 5.03 unfixed, 60 * (1 - e^(-5/40)) = 7.05.
  auto unfixed = compute({matched(Severity::kHigh, "unfixed")}, kNoExposure);
  EXPECT_NEAR(unfixed.components[0].points, 5.03, 0.01);
  EXPECT_EQ(unfixed.score, 5);
  EXPECT_EQ(unfixed.grade, 'A');
  auto fixed = compute({matched(Severity::kHigh, "fixed")}, kNoExposure);
  EXPECT_NEAR(fixed.components[0].points, 7.05, 0.01);
  EXPECT_EQ(fixed.score, 7);
  auto wontfix = compute({matched(Severity::kHigh, "will-not-fix")}, kNoExposure);
  EXPECT_NEAR(wontfix.components[0].points, unfixed.components[0].points, 1e-9);
  // The status wins over the free-text fix hint: an unfixed finding whose fix says "no fix
  // yet, watch the tracker" is still unfixed.
  auto hinted = matched(Severity::kHigh, "unfixed");
  hinted.fix = "No fixed version yet; follow the Debian security tracker.";
  EXPECT_NEAR(compute({hinted}, kNoExposure).components[0].points, 5.03, 0.01);
  // KEV and EPSS still weigh matched findings.
  auto kev = matched(Severity::kHigh, "unfixed");
  kev.known_exploited = true;
  kev.epss = 0.5;
  EXPECT_NEAR(compute({kev}, kNoExposure).components[0].points,
              60 * (1 - std::exp(-5 * 0.7 * 3 * 2.0 / 40)), 1e-9);
}

TEST(RiskExposure, ReadsUserAndPortsFromTheImageConfig) {
  auto cfg = [](nlohmann::json c) { return nlohmann::json{{"config", std::move(c)}}; };
  EXPECT_TRUE(exposure_from_config(cfg({{"User", ""}})).runs_as_root);
  EXPECT_TRUE(exposure_from_config(cfg({{"User", "root"}})).runs_as_root);
  EXPECT_TRUE(exposure_from_config(cfg({{"User", "0:0"}})).runs_as_root);
  EXPECT_TRUE(exposure_from_config(nlohmann::json::object()).runs_as_root);
  EXPECT_FALSE(exposure_from_config(cfg({{"User", "1000:1000"}})).runs_as_root);
  EXPECT_FALSE(exposure_from_config(cfg({{"User", "app"}})).runs_as_root);
  auto e = exposure_from_config(
      cfg({{"User", "app"}, {"ExposedPorts", {{"8080/tcp", {}}, {"22/tcp", {}}, {"x", {}}}}}));
  EXPECT_EQ(e.exposed_ports, (std::vector<int>{22, 8080}));
  // Malformed fields add nothing and never throw.
  auto bad = exposure_from_config(cfg({{"User", 5}, {"ExposedPorts", {1, 2}}}));
  EXPECT_TRUE(bad.runs_as_root);
  EXPECT_TRUE(bad.exposed_ports.empty());
  EXPECT_TRUE(exposure_from_config(nlohmann::json("garbage")).exposed_ports.empty());
}

}  // namespace
}  // namespace bulwark::risk
