// How the writers show vulnerability findings: the table's Vulnerabilities section (findings
// fixed per the changelog only counted), SARIF's vulnerability properties, and CycloneDX 1.5
// vulnerabilities[] with ratings, affects and the VEX analysis of suppressed findings,
// validated against the CycloneDX 1.5 and SARIF 2.1.0 schemas.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report/report.hpp"
#include "support/test_env.hpp"

namespace bulwark::report {
namespace {

using nlohmann::json;

Report report_with_vulnerabilities() {
  Report r;
  r.target.input = "app.tar";
  r.target.reference = "app:1";
  r.created = "2026-11-26T00:00:00Z";
  r.scanner_version = "0.1.0 (git test)";
  core::Package curl;
  curl.name = "libcurl4";
  curl.version = "7.74.0-1.3+deb11u3";
  curl.ecosystem = "deb";
  curl.purl = "pkg:deb/debian/libcurl4@7.74.0-1.3%2Bdeb11u3?distro=debian-11";
  curl.locations.push_back({"var/lib/dpkg/status", 0, ""});
  r.packages.push_back(curl);
  auto vuln = [&](std::string id, Severity s, std::string status) {
    Finding f;
    f.kind = "vulnerability";
    f.id = id;
    f.severity = s;
    f.target = curl.purl;
    f.layer = 0;
    f.evidence = "var/lib/dpkg/status";
    VulnerabilityInfo v;
    v.package_name = "libcurl4";
    v.package_version = curl.version;
    v.ecosystem = "deb";
    v.source_package = "curl";
    v.status = std::move(status);
    v.aliases = {"DSA-5330-1"};
    v.advisories = {"debian-dsa:DSA-5330-1", "debian-oval:" + id};
    if (v.status == "fixed") {
      v.fixed_versions = {"7.74.0-1.3+deb11u5"};
      f.fix = "upgrade to 7.74.0-1.3+deb11u5";
    }
    v.cvss_v3_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    v.cvss_v3_score = 9.8;
    v.why = "Debian bullseye curl is in ECOSYSTEM range [introduced 0, fixed 7.74.0-1.3+deb11u5]";
    f.title = "libcurl4 " + curl.version + ": " + id;
    f.vulnerability = v;
    return f;
  };
  r.findings.push_back(vuln("CVE-2022-32221", Severity::kCritical, "fixed"));
  auto changelog = vuln("CVE-2022-43552", Severity::kMedium, "fixed-per-changelog");
  changelog.vulnerability->changelog_evidence = "* Fix CVE-2022-43552";
  r.findings.push_back(changelog);
  auto vexed = vuln("CVE-2023-23916", Severity::kHigh, "unfixed");
  vexed.suppressed = Suppression{"openvex:vex.json", "not_affected",
                                 "vulnerable_code_not_in_execute_path", "not built with it", ""};
  r.findings.push_back(vexed);
  return r;
}

std::string schema_errors(const std::filesystem::path& schema, const std::string& doc) {
  testing::TempDir dir;
  testing::write_file(dir.path() / "doc.json", doc);
  std::string out;
  int rc = testing::run_command("/usr/bin/python3 '" + std::string(BULWARK_SOURCE_DIR) +
                                    "/tests/report/validate_json.py' '" + schema.string() + "' '" +
                                    (dir.path() / "doc.json").string() + "' 2>&1",
                                &out);
  return rc == 0 ? "" : out;
}

TEST(VulnerabilityTable, ListsPackageVersionIdSeverityStatusAndFixedVersion) {
  auto out = write_table(report_with_vulnerabilities());
  // The VEX-suppressed one is counted on its own line, not listed.
  auto at = out.find("Vulnerabilities (1)");
  ASSERT_NE(at, std::string::npos) << out;
  EXPECT_NE(out.find("PACKAGE", at), std::string::npos);
  EXPECT_NE(out.find("libcurl4  7.74.0-1.3+deb11u3  CVE-2022-32221  CRITICAL  fixed   "
                     "7.74.0-1.3+deb11u5",
                     at),
            std::string::npos)
      << out;
  // Fixed per changelog: counted, not listed.
  EXPECT_EQ(out.find("CVE-2022-43552"), std::string::npos) << out;
  EXPECT_NE(out.find("1 more fixed per changelog (see --format json)"), std::string::npos);
  EXPECT_EQ(out.find("CVE-2023-23916"), std::string::npos) << out;
  EXPECT_NE(out.find("1 suppressed (VEX/ignore file"), std::string::npos) << out;
  // The per-kind summary counts open flaws only.
  EXPECT_NE(out.find("vulnerability: 1 (1 critical)"), std::string::npos) << out;
  EXPECT_EQ(out.find("Findings ("), std::string::npos);  // no other kinds
}

TEST(VulnerabilitySarif, ResultsCarryThePackageAndAdvisoriesAndValidate) {
  auto out = write_sarif(report_with_vulnerabilities());
  auto doc = json::parse(out);
  const auto& res = doc["runs"][0]["results"];
  ASSERT_EQ(res.size(), 3U);
  const json* critical = nullptr;
  for (const auto& x : res)
    if (x["ruleId"] == "CVE-2022-32221") critical = &x;
  ASSERT_NE(critical, nullptr);
  EXPECT_EQ((*critical)["properties"]["vulnerability"]["package"], "libcurl4");
  EXPECT_EQ((*critical)["properties"]["vulnerability"]["source_package"], "curl");
  EXPECT_EQ((*critical)["properties"]["vulnerability"]["advisories"][0], "debian-dsa:DSA-5330-1");
  EXPECT_EQ((*critical)["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "var/lib/dpkg/status");
  for (const auto& rule : doc["runs"][0]["tool"]["driver"]["rules"]) {
    if (rule["id"] == "CVE-2022-32221") {
      EXPECT_EQ(rule["properties"]["security-severity"], "9.8");
    }
  }
  BW_REQUIRE_SHARED(shared);
  if (testing::run_command("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null") != 0)
    BW_SKIP_OR_FAIL("python3-jsonschema not installed for /usr/bin/python3");
  EXPECT_EQ(schema_errors(shared / "schemas/sarif-schema-2.1.0.json", out), "");
}

TEST(VulnerabilityCycloneDx, VulnerabilitiesAffectTheComponentAndShowTheVexAnalysis) {
  auto out = write_cyclonedx(report_with_vulnerabilities());
  auto doc = json::parse(out);
  ASSERT_EQ(doc["vulnerabilities"].size(), 3U);
  std::map<std::string, json> by_id;
  for (const auto& v : doc["vulnerabilities"]) by_id[v["id"]] = v;
  const auto& c = by_id["CVE-2022-32221"];
  EXPECT_EQ(c["source"]["url"], "https://nvd.nist.gov/vuln/detail/CVE-2022-32221");
  EXPECT_EQ(c["ratings"][0]["method"], "CVSSv31");
  EXPECT_EQ(c["ratings"][0]["score"], 9.8);
  EXPECT_EQ(c["ratings"][0]["severity"], "critical");
  EXPECT_EQ(c["ratings"][0]["vector"], "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
  EXPECT_EQ(c["references"][0]["id"], "DSA-5330-1");
  EXPECT_EQ(c["references"][0]["source"]["url"],
            "https://security-tracker.debian.org/tracker/DSA-5330-1");
  EXPECT_EQ(c["recommendation"], "upgrade to 7.74.0-1.3+deb11u5");
  const std::string ref = c["affects"][0]["ref"];
  EXPECT_EQ(doc["components"][0]["bom-ref"], ref);
  EXPECT_EQ(c["affects"][0]["versions"][0]["version"], "7.74.0-1.3+deb11u3");
  EXPECT_EQ(c["affects"][0]["versions"][0]["status"], "affected");
  EXPECT_EQ(c["affects"][0]["versions"][1]["version"], "7.74.0-1.3+deb11u5");
  EXPECT_EQ(c["affects"][0]["versions"][1]["status"], "unaffected");
  EXPECT_FALSE(c.contains("analysis"));
  // The VEX statement: not_affected, with OpenVEX's justification in CycloneDX's words.
  const auto& vexed = by_id["CVE-2023-23916"];
  EXPECT_EQ(vexed["analysis"]["state"], "not_affected");
  EXPECT_EQ(vexed["analysis"]["justification"], "code_not_reachable");
  EXPECT_EQ(vexed["analysis"]["detail"], "openvex:vex.json: not built with it");
  EXPECT_EQ(by_id["CVE-2022-43552"]["analysis"]["state"], "resolved");
  BW_REQUIRE_SHARED(shared);
  if (testing::run_command("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null") != 0)
    BW_SKIP_OR_FAIL("python3-jsonschema not installed for /usr/bin/python3");
  EXPECT_EQ(schema_errors(shared / "schemas/cyclonedx/bom-1.5.schema.json", out), "");
}

TEST(VulnerabilityJson, TheVulnerabilityObjectValidatesAgainstTheNativeSchema) {
  auto r = report_with_vulnerabilities();
  r.database = DatabaseInfo{"/tmp/bulwark.db", "2026-11-26T00:00:00Z", 1};
  auto out = write_json(r);
  auto doc = json::parse(out);
  EXPECT_EQ(doc["database"]["path"], "/tmp/bulwark.db");
  bool seen = false;
  for (const auto& f : doc["findings"])
    if (f["id"] == "CVE-2022-43552") {
      seen = true;
      EXPECT_EQ(f["vulnerability"]["status"], "fixed-per-changelog");
      EXPECT_EQ(f["vulnerability"]["changelog_evidence"], "* Fix CVE-2022-43552");
    }
  EXPECT_TRUE(seen);
  if (testing::run_command("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null") != 0)
    BW_SKIP_OR_FAIL("python3-jsonschema not installed for /usr/bin/python3");
  // The vex helper adds `suppressed` to the schema; validate without it here.
  for (auto& f : r.findings) f.suppressed.reset();
  EXPECT_EQ(
      schema_errors(std::filesystem::path(BULWARK_SOURCE_DIR) / "docs/schema/report.schema.json",
                    write_json(r)),
      "");
}

}  // namespace
}  // namespace bulwark::report
