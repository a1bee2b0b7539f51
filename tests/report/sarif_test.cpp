// The SARIF 2.1.0 writer: valid against the OASIS schema (../shared/schemas), one result per
// finding of every kind with level, location, kind and layer digest, rule metadata in
// tool.driver.rules, deterministic output.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "report/report.hpp"
#include "support/test_env.hpp"

namespace bulwark::report {
namespace {

using nlohmann::json;

constexpr const char* kPython = "/usr/bin/python3";

std::string schema_errors(const std::filesystem::path& schema, const std::string& document) {
  testing::TempDir dir;
  auto doc_path = dir.path() / "document.json";
  testing::write_file(doc_path, document);
  std::string script = std::string(BULWARK_SOURCE_DIR) + "/tests/report/validate_json.py";
  std::string out;
  int rc = testing::run_command(std::string(kPython) + " '" + script + "' '" + schema.string() +
                                    "' '" + doc_path.string() + "' 2>&1",
                                &out);
  return rc == 0 ? "" : "exit " + std::to_string(rc) + ":\n" + out;
}

#define BW_REQUIRE_JSONSCHEMA()                                                      \
  if (::bulwark::testing::run_command(std::string(kPython) +                         \
                                      " -c 'import jsonschema' 2>/dev/null") != 0) { \
    BW_SKIP_OR_FAIL("python3-jsonschema not installed for /usr/bin/python3");        \
  }

Finding finding(std::string kind, std::string id, std::string title, Severity s, std::string target,
                std::optional<int> layer, std::string evidence = "", std::string fix = "") {
  Finding f;
  f.kind = std::move(kind);
  f.id = std::move(id);
  f.title = std::move(title);
  f.severity = s;
  f.target = std::move(target);
  f.layer = layer;
  f.evidence = std::move(evidence);
  f.fix = std::move(fix);
  return f;
}

Report every_kind() {
  Report r;
  r.target.input = "docker-archive:app.tar";
  r.target.reference = "shop/app:1.0";
  r.target.manifest_digest = "sha256:" + std::string(64, 'a');
  r.target.platform = "linux/amd64";
  r.target.layers = {{0, "sha256:" + std::string(64, '0'), "", false, "", 10, "ADD rootfs"},
                     {1, "sha256:" + std::string(64, '1'), "", false, "", 10, "COPY app"}};
  r.scanner_version = "0.1.0 (git 0123456789ab)";
  auto vuln =
      finding("vulnerability", "CVE-2023-38545", "curl: SOCKS5 heap overflow", Severity::kCritical,
              "pkg:deb/debian/curl@7.88.1-10?arch=amd64", 0, "", "upgrade to 7.88.1-10+deb12u4");
  vuln.references = {"https://security-tracker.debian.org/tracker/CVE-2023-38545"};
  r.findings = {
      vuln,
      finding("misconfig", "BW-IMG-006", "setuid/setgid file", Severity::kMedium, "/usr/bin/sx", 1,
              "setuid file, mode 4755", "chmod u-s"),
      finding("misconfig", "BW-DF-001", "Final stage runs as root", Severity::kHigh,
              "Dockerfile:12", std::nullopt, "USER root", "add USER"),
      finding("secret", "aws-access-key-id", "AWS access key ID", Severity::kHigh, "/app/.env:3", 1,
              "AKIA****"),
      finding("malware", "EICAR-Test-File", "EICAR test file", Severity::kCritical,
              "/srv/my files/eicar.com", 1, "yara rule EICAR"),
      finding("license", "AGPL-3.0-only", "Strong copyleft license", Severity::kLow,
              "pkg:npm/some-lib@1.0.0", 1),
  };
  return r;
}

const json* result_for(const json& doc, std::string_view rule) {
  for (const auto& res : doc["runs"][0]["results"]) {
    if (res["ruleId"] == rule) return &res;
  }
  return nullptr;
}

TEST(SarifWriter, ValidatesAgainstTheSarif210Schema) {
  BW_REQUIRE_SHARED(shared);
  BW_REQUIRE_JSONSCHEMA();
  auto schema = shared / "schemas" / "sarif-schema-2.1.0.json";
  EXPECT_EQ(schema_errors(schema, write_sarif(every_kind())), "");
  EXPECT_EQ(schema_errors(schema, write_sarif(Report{})), "");
  // The validator bites: a wrong level is reported.
  auto bad = json::parse(write_sarif(every_kind()));
  bad["runs"][0]["results"][0]["level"] = "fatal";
  EXPECT_NE(schema_errors(schema, bad.dump()), "");
}

TEST(SarifWriter, OneResultPerFindingOfEveryKindWithKindAndLayerDigest) {
  auto doc = json::parse(write_sarif(every_kind()));
  EXPECT_EQ(doc["version"], "2.1.0");
  const auto& results = doc["runs"][0]["results"];
  ASSERT_EQ(results.size(), 6u);
  std::set<std::string> kinds;
  for (const auto& res : results) kinds.insert(res["properties"]["kind"]);
  EXPECT_EQ(kinds,
            (std::set<std::string>{"vulnerability", "misconfig", "secret", "malware", "license"}));
  const json* secret = result_for(doc, "aws-access-key-id");
  ASSERT_NE(secret, nullptr);
  EXPECT_EQ((*secret)["level"], "error");
  const auto& phys = (*secret)["locations"][0]["physicalLocation"];
  EXPECT_EQ(phys["artifactLocation"]["uri"], "/app/.env");
  EXPECT_EQ(phys["region"]["startLine"], 3);
  EXPECT_EQ((*secret)["properties"]["layer"], "sha256:" + std::string(64, '1'));
  EXPECT_EQ((*secret)["properties"]["layer_index"], 1);
  EXPECT_EQ((*secret)["message"]["text"], "AWS access key ID: AKIA****");
}

TEST(SarifWriter, LevelsFollowSeverity) {
  auto doc = json::parse(write_sarif(every_kind()));
  EXPECT_EQ((*result_for(doc, "CVE-2023-38545"))["level"], "error");
  EXPECT_EQ((*result_for(doc, "BW-DF-001"))["level"], "error");
  EXPECT_EQ((*result_for(doc, "BW-IMG-006"))["level"], "warning");
  EXPECT_EQ((*result_for(doc, "AGPL-3.0-only"))["level"], "note");
}

TEST(SarifWriter, LocatesFilesByUriAndPackagesByLogicalLocation) {
  auto doc = json::parse(write_sarif(every_kind()));
  const auto& df = (*result_for(doc, "BW-DF-001"))["locations"][0]["physicalLocation"];
  EXPECT_EQ(df["artifactLocation"]["uri"], "Dockerfile");
  EXPECT_EQ(df["region"]["startLine"], 12);
  EXPECT_FALSE((*result_for(doc, "BW-DF-001"))["properties"].contains("layer"));
  const auto& mal = (*result_for(doc, "EICAR-Test-File"))["locations"][0]["physicalLocation"];
  EXPECT_EQ(mal["artifactLocation"]["uri"], "/srv/my%20files/eicar.com");
  EXPECT_FALSE(mal.contains("region"));
  const auto& vuln = (*result_for(doc, "CVE-2023-38545"))["locations"][0];
  EXPECT_EQ(vuln["logicalLocations"][0]["fullyQualifiedName"],
            "pkg:deb/debian/curl@7.88.1-10?arch=amd64");
  EXPECT_EQ((*result_for(doc, "CVE-2023-38545"))["properties"]["layer"],
            "sha256:" + std::string(64, '0'));
}

TEST(SarifWriter, DriverRulesCarryMetadataAndResultsPointAtThem) {
  auto doc = json::parse(write_sarif(every_kind()));
  const auto& driver = doc["runs"][0]["tool"]["driver"];
  EXPECT_EQ(driver["name"], "bulwark");
  EXPECT_EQ(driver["version"], "0.1.0 (git 0123456789ab)");
  const auto& rules = driver["rules"];
  ASSERT_EQ(rules.size(), 6u);
  for (size_t i = 1; i < rules.size(); ++i)
    EXPECT_LT(rules[i - 1]["id"].get<std::string>(), rules[i]["id"].get<std::string>());
  for (const auto& res : doc["runs"][0]["results"]) {
    const auto& rule = rules[res["ruleIndex"].get<size_t>()];
    EXPECT_EQ(rule["id"], res["ruleId"]);
  }
  const json* cve = nullptr;
  for (const auto& r : rules) {
    if (r["id"] == "CVE-2023-38545") cve = &r;
  }
  ASSERT_NE(cve, nullptr);
  EXPECT_EQ((*cve)["shortDescription"]["text"], "curl: SOCKS5 heap overflow");
  EXPECT_EQ((*cve)["help"]["text"], "upgrade to 7.88.1-10+deb12u4");
  EXPECT_EQ((*cve)["helpUri"], "https://security-tracker.debian.org/tracker/CVE-2023-38545");
  EXPECT_EQ((*cve)["properties"]["security-severity"], "9.5");
  EXPECT_EQ((*cve)["defaultConfiguration"]["level"], "error");
}

TEST(SarifWriter, OutputIsDeterministicWhateverTheFindingOrder) {
  auto a = every_kind();
  auto b = every_kind();
  std::reverse(b.findings.begin(), b.findings.end());
  EXPECT_EQ(write_sarif(a), write_sarif(b));
}

TEST(SarifWriter, IsRegisteredAsAFormat) {
  const Writer* w = find_writer("sarif");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->write(every_kind()), write_sarif(every_kind()));
}

}  // namespace
}  // namespace bulwark::report
