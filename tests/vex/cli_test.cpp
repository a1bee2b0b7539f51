// `bulwark scan --ignore-file / --vex` end to end on the corpus' debian-app image: a real secret
// and a real misconfig finding suppressed, reported as such in json, left out of the table
// (one count line), SARIF-suppressed; expiry by the report's clock; the default ignore file;
// bad files stop the scan with exit 2 and one line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "support/test_env.hpp"
#include "vex_test_support.hpp"

namespace bulwark::vex {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

struct Run {
  int rc;
  std::string out;
  std::string err;
};

// Runs bulwark in `cwd` with `env` assignments in front.
Run bulwark_run(const std::string& args, const std::string& cwd = ".",
                const std::string& env = "") {
  bulwark::testing::TempDir tmp;
  std::string out;
  int rc = bulwark::testing::run_command("cd '" + cwd + "' && " + env + " '" +
                                             bulwark::testing::bulwark_binary() + "' " + args +
                                             " 2>'" + tmp.str() + "/err'",
                                         &out);
  return {rc, out, bulwark::testing::read_file(tmp.path() / "err")};
}

constexpr const char* kIgnore = R"(# suppress one real secret and one real misconfig finding
ignore:
  - id: github-pat
    path: /app/config/*.json
    reason: revoked token kept for the deployment tests
    expires: 2099-12-31
  - id: BW-IMG-006
    path: /usr/bin/su
    reason: su is needed by the entrypoint
)";

class ScanSuppression : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    auto dir = bulwark::testing::corpus_dir(&why);
    if (!dir) {
      skip_reason_ = new std::string(why);
      return;
    }
    image_ = new std::string((*dir / "debian-app.docker.tar").string());
    work_ = new bulwark::testing::TempDir();
    bulwark::testing::write_file(work_->path() / "ign.yaml", kIgnore);
  }
  static void TearDownTestSuite() {
    delete work_;
    delete image_;
    delete skip_reason_;
    work_ = nullptr;
    image_ = nullptr;
    skip_reason_ = nullptr;
  }
  void SetUp() override {
    if (skip_reason_ != nullptr) BW_SKIP_OR_FAIL(*skip_reason_);
  }
  static std::string scan(const std::string& extra) {
    return "scan -q --cache-dir '" + work_->str() + "/cache' --scanners secret,malware,misconfig " +
           extra + " '" + *image_ + "'";
  }
  static std::string ign() { return (work_->path() / "ign.yaml").string(); }

  static std::string* image_;
  static std::string* skip_reason_;
  static bulwark::testing::TempDir* work_;
};
std::string* ScanSuppression::image_ = nullptr;
std::string* ScanSuppression::skip_reason_ = nullptr;
bulwark::testing::TempDir* ScanSuppression::work_ = nullptr;

std::vector<json> suppressed_of(const json& report) {
  std::vector<json> out;
  for (const auto& f : report["findings"])
    if (!f["suppressed"].is_null()) out.push_back(f);
  return out;
}

TEST_F(ScanSuppression, JsonKeepsBothFindingsMarkedSuppressed) {
  auto plain = bulwark_run(scan("-f json"), work_->str());
  ASSERT_EQ(plain.rc, 0) << plain.err;
  auto r = bulwark_run(scan("-f json --ignore-file '" + ign() + "'"), work_->str());
  ASSERT_EQ(r.rc, 0) << r.err;
  auto before = json::parse(plain.out);
  auto after = json::parse(r.out);
  EXPECT_TRUE(suppressed_of(before).empty());
  EXPECT_EQ(after["findings"].size(), before["findings"].size()) << "suppressed, not dropped";
  auto s = suppressed_of(after);
  ASSERT_EQ(s.size(), 2U) << after["findings"].dump(1);
  // Sorted by severity: the critical secret first.
  EXPECT_EQ(s[0]["id"], "github-pat");
  EXPECT_EQ(s[0]["target"], "/app/config/deploy.json:3");
  EXPECT_EQ(s[0]["suppressed"], json({{"source", "ignore:" + ign()},
                                      {"status", "ignored"},
                                      {"justification", ""},
                                      {"reason", "revoked token kept for the deployment tests"},
                                      {"expires", "2099-12-31"}}));
  EXPECT_EQ(s[1]["id"], "BW-IMG-006");
  EXPECT_EQ(s[1]["target"], "/usr/bin/su");
  EXPECT_EQ(s[1]["suppressed"]["reason"], "su is needed by the entrypoint");
  int setuid = 0;
  for (const auto& f : after["findings"])
    if (f["id"] == "BW-IMG-006") ++setuid;
  EXPECT_GT(setuid, 1) << "the other setuid files stay reported";
}

TEST_F(ScanSuppression, TableLeavesThemOutAndCountsThem) {
  auto r = bulwark_run(scan("--ignore-file '" + ign() + "'"), work_->str());
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("github-pat")));
  EXPECT_THAT(r.out, Not(HasSubstr(" /usr/bin/su ")));
  EXPECT_THAT(r.out, HasSubstr(" /usr/bin/passwd "));
  EXPECT_THAT(r.out, HasSubstr("\n2 suppressed (VEX/ignore file; see --format json)\n"));
}

TEST_F(ScanSuppression, SarifMarksThemExternallySuppressed) {
  auto r = bulwark_run(scan("-f sarif --ignore-file '" + ign() + "'"), work_->str());
  ASSERT_EQ(r.rc, 0) << r.err;
  auto j = json::parse(r.out);
  std::vector<std::string> rules;
  for (const auto& res : j["runs"][0]["results"]) {
    if (!res.contains("suppressions")) continue;
    rules.push_back(res["ruleId"]);
    EXPECT_EQ(res["suppressions"][0]["kind"], "external");
    EXPECT_EQ(res["suppressions"][0]["status"], "accepted");
    EXPECT_EQ(res["suppressions"][0]["properties"]["source"], "ignore:" + ign());
  }
  EXPECT_THAT(rules, ::testing::ElementsAre("github-pat", "BW-IMG-006"));
}

TEST_F(ScanSuppression, ExpiryFollowsTheReportClock) {
  // SOURCE_DATE_EPOCH 1735689600 is 2025-01-01: the first entry expired the day before.
  bulwark::testing::write_file(work_->path() / "dated.yaml",
                               "ignore:\n"
                               "  - id: github-pat\n    reason: old\n    expires: 2024-12-31\n"
                               "  - id: BW-IMG-006\n    path: /usr/bin/su\n    reason: r\n"
                               "    expires: 2025-01-01\n");
  auto r = bulwark_run(scan("-f json --ignore-file dated.yaml"), work_->str(),
                       "SOURCE_DATE_EPOCH=1735689600");
  ASSERT_EQ(r.rc, 0) << r.err;
  auto s = suppressed_of(json::parse(r.out));
  ASSERT_EQ(s.size(), 1U);
  EXPECT_EQ(s[0]["id"], "BW-IMG-006");
  const std::string warning =
      "dated.yaml:2: ignore entry for github-pat expired on 2024-12-31; no longer applied";
  EXPECT_THAT(json::parse(r.out)["warnings"], ::testing::Contains(warning));
}

TEST_F(ScanSuppression, DefaultIgnoreFileIsTheOneInTheWorkingDirectory) {
  bulwark::testing::TempDir cwd;
  bulwark::testing::write_file(cwd.path() / ".bulwarkignore.yaml", kIgnore);
  auto r = bulwark_run(scan("-f json"), cwd.str());
  ASSERT_EQ(r.rc, 0) << r.err;
  auto s = suppressed_of(json::parse(r.out));
  ASSERT_EQ(s.size(), 2U);
  EXPECT_EQ(s[0]["suppressed"]["source"], "ignore:.bulwarkignore.yaml");
}

TEST_F(ScanSuppression, VexStatementsThatCannotApplyAreReportedAsWarnings) {
  auto r =
      bulwark_run(scan("-f json --vex '" + test::fixture_path("openvex_invalid_statements.json") +
                       "' --vex '" + test::fixture_path("cyclonedx_vex.json") + "'"),
                  work_->str());
  ASSERT_EQ(r.rc, 0) << r.err;
  auto j = json::parse(r.out);
  int skipped = 0;
  for (const auto& w : j["warnings"])
    if (w.get<std::string>().find("skipped") != std::string::npos) ++skipped;
  EXPECT_EQ(skipped, 5);
  EXPECT_TRUE(suppressed_of(j).empty()) << "VEX speaks about vulnerabilities only";
}

TEST(ScanSuppressionErrors, BadFilesExitTwoWithOneLineNamingThem) {
  bulwark::testing::TempDir tmp;
  bulwark::testing::write_file(tmp.path() / "noreason.yaml",
                               "ignore:\n  - id: github-pat\n    path: /app/**\n");
  bulwark::testing::write_file(tmp.path() / "typo.yaml",
                               "ignore:\n  - id: a\n    reason: b\n    expire: 2025-01-01\n");
  bulwark::testing::write_file(tmp.path() / "cut.json",
                               "{\"@context\": \"https://openvex.dev/ns\"");
  bulwark::testing::write_file(tmp.path() / "sbom.json", "{\"bomFormat\": \"CycloneDX\"}");
  struct Case {
    std::string args;
    std::string message;
  };
  // The image is never opened: the files are checked first.
  const Case cases[] = {
      {"--ignore-file noreason.yaml",
       "noreason.yaml:2: entry for github-pat has no \"reason\" (required: say why it is "
       "ignored)"},
      {"--ignore-file typo.yaml", "typo.yaml:4: unknown key \"expire\""},
      {"--ignore-file missing.yaml", "missing.yaml: "},
      {"--vex cut.json", "cut.json: "},
      {"--vex sbom.json", "sbom.json: CycloneDX BOM has no \"vulnerabilities\" array"},
  };
  for (const auto& c : cases) {
    auto r = bulwark_run("scan -q " + c.args + " /nonexistent/image.tar", tmp.str());
    EXPECT_EQ(r.rc, 2) << c.args;
    EXPECT_THAT(r.err, HasSubstr(c.message)) << c.args;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_THAT(r.err, Not(HasSubstr("/nonexistent/image.tar")));
  }
}

}  // namespace
}  // namespace bulwark::vex
