// Suppressed findings (VEX, ignore file) in every writer: kept and explained in json (valid
// against docs/schema/report.schema.json), counted but not listed in the table, SARIF
// suppressions[] (valid against the OASIS schema), their own section in HTML.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report/report.hpp"
#include "support/test_env.hpp"

namespace bulwark::report {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPython = "/usr/bin/python3";

std::string schema_errors(const std::filesystem::path& schema, const std::string& document) {
  testing::TempDir dir;
  auto doc_path = dir.path() / "document.json";
  testing::write_file(doc_path, document);
  std::string out;
  int rc = testing::run_command(std::string(kPython) + " '" + BULWARK_SOURCE_DIR +
                                    "/tests/report/validate_json.py' '" + schema.string() + "' '" +
                                    doc_path.string() + "' 2>&1",
                                &out);
  return rc == 0 ? "" : "exit " + std::to_string(rc) + ":\n" + out;
}

#define BW_REQUIRE_JSONSCHEMA()                                                      \
  if (::bulwark::testing::run_command(std::string(kPython) +                         \
                                      " -c 'import jsonschema' 2>/dev/null") != 0) { \
    BW_SKIP_OR_FAIL("python3-jsonschema not installed for /usr/bin/python3");        \
  }

Finding make(std::string kind, std::string id, std::string target, Severity s) {
  Finding f;
  f.kind = std::move(kind);
  f.id = std::move(id);
  f.title = "title of " + f.id;
  f.severity = s;
  f.target = std::move(target);
  f.layer = 0;
  return f;
}

Report with_suppressed() {
  Report r;
  r.target.input = "docker-archive:app.tar";
  r.target.reference = "shop/app:1.0";
  r.target.layers = {{0, "sha256:" + std::string(64, '0'), "", false, "", 10, "ADD rootfs"}};
  r.scanner_version = "0.1.0 (git 0123456789ab)";
  r.created = "2025-01-01T00:00:00Z";
  auto vex =
      make("vulnerability", "CVE-2023-4911",
           "pkg:deb/debian/libc6@2.36-9+deb12u1?arch=amd64&distro=debian-12", Severity::kHigh);
  vex.suppressed = Suppression{"openvex:vex.json", "not_affected",
                               "vulnerable_code_not_in_execute_path", "no setuid use", ""};
  auto ignored = make("secret", "github-pat", "/app/config/deploy.json:3", Severity::kCritical);
  ignored.suppressed =
      Suppression{"ignore:.bulwarkignore.yaml", "ignored", "", "revoked test token", "2099-12-31"};
  auto open = make("secret", "aws-access-key-id", "/root/.aws/credentials:2", Severity::kCritical);
  r.findings = {vex, ignored, open};
  return r;
}

json find(const json& list, const std::string& id) {
  for (const auto& f : list)
    if (f["id"] == id) return f;
  return nullptr;
}

TEST(SuppressedJson, FindingsStayWithTheirSuppression) {
  auto j = json::parse(write_json(with_suppressed()));
  ASSERT_EQ(j["findings"].size(), 3U);
  auto v = find(j["findings"], "CVE-2023-4911");
  EXPECT_EQ(v["suppressed"], json({{"source", "openvex:vex.json"},
                                   {"status", "not_affected"},
                                   {"justification", "vulnerable_code_not_in_execute_path"},
                                   {"reason", "no setuid use"},
                                   {"expires", ""}}));
  auto g = find(j["findings"], "github-pat");
  EXPECT_EQ(g["suppressed"]["status"], "ignored");
  EXPECT_EQ(g["suppressed"]["expires"], "2099-12-31");
  EXPECT_TRUE(find(j["findings"], "aws-access-key-id")["suppressed"].is_null());
}

TEST(SuppressedJson, IsValidAgainstTheReportSchema) {
  BW_REQUIRE_JSONSCHEMA();
  auto schema =
      std::filesystem::path(BULWARK_SOURCE_DIR) / "docs" / "schema" / "report.schema.json";
  EXPECT_EQ(schema_errors(schema, write_json(with_suppressed())), "");
  // And the schema does check it: an unknown source prefix is refused.
  auto r = with_suppressed();
  r.findings[0].suppressed->source = "wishful:thinking";
  EXPECT_THAT(schema_errors(schema, write_json(r)), HasSubstr("suppressed"));
}

TEST(SuppressedTable, CountedInOneLineNotListed) {
  auto t = write_table(with_suppressed());
  EXPECT_THAT(t, HasSubstr("Findings (1)"));
  EXPECT_THAT(t, HasSubstr("aws-access-key-id"));
  EXPECT_THAT(t, Not(HasSubstr("github-pat")));
  EXPECT_THAT(t, Not(HasSubstr("CVE-2023-4911")));
  EXPECT_THAT(t, HasSubstr("secret: 1 (1 critical)\n"));
  EXPECT_THAT(t, Not(HasSubstr("vulnerability:")));
  EXPECT_THAT(t, HasSubstr("2 suppressed (VEX/ignore file; see --format json)\n"));
}

TEST(SuppressedTable, OnlySuppressedFindingsStillGetTheCountLine) {
  auto r = with_suppressed();
  r.findings.pop_back();
  auto t = write_table(r);
  EXPECT_THAT(t, Not(HasSubstr("Findings (")));
  EXPECT_THAT(t, HasSubstr("\n2 suppressed (VEX/ignore file; see --format json)\n"));
}

TEST(SuppressedSarif, ResultsCarryExternalAcceptedSuppressions) {
  auto j = json::parse(write_sarif(with_suppressed()));
  const auto& results = j["runs"][0]["results"];
  ASSERT_EQ(results.size(), 3U);
  int suppressed = 0;
  for (const auto& res : results) {
    if (res["ruleId"] == "aws-access-key-id") {
      EXPECT_FALSE(res.contains("suppressions"));
      continue;
    }
    ++suppressed;
    ASSERT_EQ(res["suppressions"].size(), 1U);
    const auto& s = res["suppressions"][0];
    EXPECT_EQ(s["kind"], "external");
    EXPECT_EQ(s["status"], "accepted");
    if (res["ruleId"] == "CVE-2023-4911") {
      EXPECT_EQ(s["justification"],
                "not_affected (vulnerable_code_not_in_execute_path): no setuid use");
      EXPECT_EQ(s["properties"]["source"], "openvex:vex.json");
    } else {
      EXPECT_EQ(s["justification"], "ignored: revoked test token; until 2099-12-31");
      EXPECT_EQ(s["properties"]["expires"], "2099-12-31");
    }
  }
  EXPECT_EQ(suppressed, 2);
}

TEST(SuppressedSarif, IsValidAgainstTheSarifSchema) {
  BW_REQUIRE_SHARED(shared);
  BW_REQUIRE_JSONSCHEMA();
  EXPECT_EQ(
      schema_errors(shared / "schemas" / "sarif-schema-2.1.0.json", write_sarif(with_suppressed())),
      "");
}

TEST(SuppressedHtml, OwnSectionAndNotInTheFindingsTable) {
  auto h = write_html(with_suppressed());
  EXPECT_THAT(h, HasSubstr("<h2>Findings (1)</h2>"));
  EXPECT_THAT(h, HasSubstr("<h2>Suppressed (2)</h2>"));
  auto findings_table = h.substr(h.find("id=\"findings-table\""));
  findings_table = findings_table.substr(0, findings_table.find("</table>"));
  EXPECT_THAT(findings_table, Not(HasSubstr("github-pat")));
  auto section = h.substr(h.find("id=\"suppressed-table\""));
  EXPECT_THAT(section, HasSubstr("github-pat"));
  EXPECT_THAT(section, HasSubstr("revoked test token"));
  EXPECT_THAT(section, HasSubstr("not_affected (vulnerable_code_not_in_execute_path)"));
}

TEST(SuppressedHtml, SectionIsWellFormedAndReadsBackAsTheReportSays) {
  if (!std::filesystem::exists(kPython)) BW_SKIP_OR_FAIL("/usr/bin/python3 not installed");
  testing::TempDir dir;
  auto path = dir.path() / "report.html";
  testing::write_file(path, write_html(with_suppressed()));
  std::string out;
  int rc = testing::run_command(std::string(kPython) + " '" + BULWARK_SOURCE_DIR +
                                    "/tests/report/validate_html.py' '" + path.string() + "'",
                                &out);
  ASSERT_EQ(rc, 0) << out;
  auto tables = json::parse(out);
  const auto& rows = tables["tables"]["suppressed-table"];
  ASSERT_EQ(rows.size(), 3U) << out;  // header and two rows
  EXPECT_EQ(rows[1][1], "github-pat");
  EXPECT_EQ(rows[1][4], "revoked test token until 2099-12-31");
  EXPECT_EQ(rows[2][1], "CVE-2023-4911");
  EXPECT_EQ(rows[2][3], "not_affected (vulnerable_code_not_in_execute_path)");
  // The layer table counts only what the findings table shows.
  EXPECT_EQ(tables["tables"]["layers-table"][1][6], "1");
}

TEST(SuppressedHtml, NoSectionWithoutSuppressedFindings) {
  auto r = with_suppressed();
  for (auto& f : r.findings) f.suppressed.reset();
  EXPECT_THAT(write_html(r), Not(HasSubstr("id=\"suppressed\"")));
}

}  // namespace
}  // namespace bulwark::report
