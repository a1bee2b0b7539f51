// `bulwark scan` with vulnerability matching, end to end: the corpus debian-app image (Debian
// bookworm with python3 libraries, gosu, and an npm app) against a database built by
// `bulwark db build` from the real shared feeds (Debian bookworm OVAL, Go vulndb, PyPA,
// Node.js security-wg). Outputs are validated against their schemas.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/test_env.hpp"

namespace bulwark {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kPython = "/usr/bin/python3";

class VulnScanCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto shared = testing::shared_dir();
    if (!shared) return;
    dir_ = new testing::TempDir();
    const fs::path a = *shared / "advisories";
    const std::string d = dir_->path().string();
    if (testing::run_command("tar --zstd -xf '" + (a / "debian-oval.tar.zst").string() + "' -C '" +
                             d + "' debian/oval-definitions-bookworm.xml.bz2") != 0)
      return;
    std::string out;
    int rc = testing::run_command(
        testing::bulwark_binary() + " -q db build --built-at 2026-11-26T00:00:00Z --from '" + d +
            "/debian' --from '" + (a / "go-vulndb-osv.tar.zst").string() + "' --from '" +
            (a / "nodejs-security-wg-vulns.tar.zst").string() + "' --from '" +
            (a / "pypa-advisory-database.tar.zst").string() + "' --out '" + d + "/bulwark.db' 2>&1",
        &out);
    if (rc != 0) {
      ADD_FAILURE() << "db build failed: " << out;
      return;
    }
    db_ = new std::string(d + "/bulwark.db");
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    BW_REQUIRE_SHARED(shared);
    std::string why;
    auto corpus = testing::corpus_dir(&why);
    if (!corpus) BW_SKIP_OR_FAIL(why);
    image_ = (*corpus / "debian-app.docker.tar").string();
    if (!fs::exists(image_)) BW_SKIP_OR_FAIL("no " + image_);
    ASSERT_NE(db_, nullptr) << "the test database was not built";
  }
  // Runs `bulwark scan` on the image; returns the exit code.
  int scan(const std::string& args, std::string* out) {
    out->clear();
    return testing::run_command(testing::bulwark_binary() + " -q scan --no-cache --db '" + *db_ +
                                    "' " + args + " '" + image_ + "' 2>&1",
                                out);
  }
  json scan_json(const std::string& args) {
    std::string out;
    int rc = scan("-f json " + args, &out);
    EXPECT_EQ(rc, 0) << out;
    return json::parse(out, nullptr, false);
  }

  static inline testing::TempDir* dir_ = nullptr;
  static inline std::string* db_ = nullptr;
  std::string image_;
};

const json* finding(const json& report, std::string_view target, std::string_view id) {
  for (const auto& f : report["findings"])
    if (f["target"] == target && f["id"] == id) return &f;
  return nullptr;
}

size_t count_target_prefix(const json& report, std::string_view prefix) {
  size_t n = 0;
  for (const auto& f : report["findings"])
    if (f["target"].get<std::string>().rfind(prefix, 0) == 0) ++n;
  return n;
}

std::string schema_errors(const fs::path& schema, const std::string& document) {
  testing::TempDir dir;
  auto doc = dir.path() / "document.json";
  testing::write_file(doc, document);
  std::string out;
  int rc = testing::run_command(std::string(kPython) + " '" + BULWARK_SOURCE_DIR +
                                    "/tests/report/validate_json.py' '" + schema.string() + "' '" +
                                    doc.string() + "' 2>&1",
                                &out);
  return rc == 0 ? "" : out;
}

TEST_F(VulnScanCli, NpmAppAndGosuStandardLibraryGetRealAdvisories) {
  auto r = scan_json("--scanners vuln");
  ASSERT_FALSE(r.is_discarded());
  EXPECT_EQ(r["database"]["path"], *db_);
  EXPECT_EQ(r["database"]["built_at"], "2026-11-26T00:00:00Z");
  EXPECT_EQ(r["database"]["schema_version"], 1);
  // lodash 4.17.15 is in ">=4.17.15 <4.17.19" of the Node.js working group's NSWG-ECO-516.
  const auto* lodash = finding(r, "pkg:npm/lodash@4.17.15", "NSWG-ECO-516");
  ASSERT_NE(lodash, nullptr) << r["findings"].dump(1).substr(0, 2000);
  EXPECT_EQ((*lodash)["fix"], "upgrade to 4.17.19");
  EXPECT_EQ((*lodash)["layer"], 2);
  EXPECT_EQ((*lodash)["severity"], "medium");
  // express 4.17.1, jsonwebtoken 8.5.1 and minimist 1.2.0 are outside every range this feed
  // has for them (its express/jsonwebtoken advisories are for 3.x/4.x and < 4.2.2).
  EXPECT_EQ(count_target_prefix(r, "pkg:npm/express@"), 0U);
  EXPECT_EQ(count_target_prefix(r, "pkg:npm/jsonwebtoken@"), 0U);
  // gosu was built with Go 1.19.8: Go vulndb's standard library advisories apply.
  const auto* go = finding(r, "pkg:golang/stdlib@1.19.8", "CVE-2023-29403");
  ASSERT_NE(go, nullptr);
  EXPECT_EQ((*go)["vulnerability"]["advisories"], json::array({"osv-go:GO-2023-1840"}));
  EXPECT_EQ((*go)["fix"], "upgrade to 1.19.10");
  EXPECT_EQ((*go)["layer"], 1);
  // Debian bookworm is in the database: no "no advisories" warning.
  for (const auto& w : r["warnings"])
    EXPECT_EQ(w.get<std::string>().find("no advisories"), std::string::npos) << w;
}

TEST_F(VulnScanCli, PythonLibrariesDebianInstalledAreNotMatchedAgainstPyPA) {
  auto r = scan_json("--scanners vuln");
  ASSERT_FALSE(r.is_discarded());
  // python3-urllib3 and python3-requests own the egg-info the PyPI packages were read from.
  EXPECT_EQ(count_target_prefix(r, "pkg:pypi/urllib3@"), 0U);
  EXPECT_EQ(count_target_prefix(r, "pkg:pypi/requests@"), 0U);
  // Without the Debian database (language catalogers only) they have no owner, and PyPA's
  // advisories for urllib3 1.26.12 apply: the rule above hid real matches, not nothing.
  auto lang = scan_json("--scanners vuln --catalogers language");
  ASSERT_FALSE(lang.is_discarded());
  const auto* f = finding(lang, "pkg:pypi/urllib3@1.26.12", "CVE-2023-45803");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(std::find((*f)["vulnerability"]["advisories"].begin(),
                      (*f)["vulnerability"]["advisories"].end(), "osv-pysec:PYSEC-2023-212"),
            (*f)["vulnerability"]["advisories"].end());
}

TEST_F(VulnScanCli, ExitCodeSeverityAndIgnoreUnfixed) {
  std::string out;
  EXPECT_EQ(scan("--scanners vuln -f json -o /dev/null --exit-code 3", &out), 3) << out;
  // No critical finding remains after --severity CRITICAL: exit 0.
  EXPECT_EQ(scan("--scanners vuln -o /dev/null --severity CRITICAL --exit-code 3", &out), 0) << out;
  auto medium = scan_json("--scanners vuln --severity medium");
  ASSERT_FALSE(medium.is_discarded());
  ASSERT_FALSE(medium["findings"].empty());
  for (const auto& f : medium["findings"]) EXPECT_EQ(f["severity"], "medium");
  auto fixed_only = scan_json("--scanners vuln --ignore-unfixed");
  // What stays has a fix: an advisory's fixed version, or the package's own changelog naming
  // the flaw (kept in the JSON, hidden in the table, never counted).
  ASSERT_FALSE(fixed_only["findings"].empty());
  for (const auto& f : fixed_only["findings"]) {
    const auto status = f["vulnerability"]["status"].get<std::string>();
    EXPECT_TRUE(status == "fixed" || status == "fixed-per-changelog") << f["id"] << " " << status;
  }
}

TEST_F(VulnScanCli, AnAbsentDatabaseIsAnErrorWhenAskedForAndAWarningByDefault) {
  const std::string no_db = "BULWARK_DB= XDG_CACHE_HOME=" + dir_->str() + "/nocache ";
  std::string out;
  // Asked for: --scanners vuln, or --db naming a missing file.
  int rc =
      testing::run_command(no_db + testing::bulwark_binary() +
                               " -q scan --no-cache --scanners vuln,secret '" + image_ + "' 2>&1",
                           &out);
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("no vulnerability database at"), std::string::npos) << out;
  out.clear();
  rc = testing::run_command(no_db + testing::bulwark_binary() + " -q scan --no-cache --db '" +
                                dir_->str() + "/missing.db' '" + image_ + "' 2>&1",
                            &out);
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("no vulnerability database at"), std::string::npos) << out;
  // Default scanners and no database at the default place: the other scanners run, and the
  // report says vulnerabilities were skipped and how to get a database.
  out.clear();
  rc = testing::run_command(no_db + testing::bulwark_binary() + " -q scan --no-cache -f json '" +
                                image_ + "' 2>/dev/null",
                            &out);
  EXPECT_EQ(rc, 0) << out;
  auto doc = nlohmann::json::parse(out);
  bool skipped = false;
  for (const auto& w : doc["warnings"])
    if (w.get<std::string>().starts_with(
            "vulnerability scanning skipped: no vulnerability database"))
      skipped = true;
  EXPECT_TRUE(skipped) << doc["warnings"].dump();
  bool secrets = false;
  for (const auto& f : doc["findings"]) {
    EXPECT_NE(f["kind"], "vulnerability");
    if (f["kind"] == "secret") secrets = true;
  }
  EXPECT_TRUE(secrets);
  // Without the vuln scanner no database is needed.
  out.clear();
  rc = testing::run_command(testing::bulwark_binary() +
                                " -q scan --no-cache -o /dev/null --scanners misconfig '" + image_ +
                                "' 2>&1",
                            &out);
  EXPECT_EQ(rc, 0) << out;
}

TEST_F(VulnScanCli, MatchesAreMadeAfterTheAnalysisCacheNeverCached) {
  // A second database with only the Node.js advisories.
  auto shared = testing::shared_dir();
  ASSERT_TRUE(shared.has_value());
  testing::TempDir dir;
  const std::string npm_db = dir.str() + "/npm.db";
  std::string out;
  ASSERT_EQ(
      testing::run_command(testing::bulwark_binary() +
                               " -q db build --built-at 2020-01-01T00:00:00Z --from '" +
                               (*shared / "advisories/nodejs-security-wg-vulns.tar.zst").string() +
                               "' --out '" + npm_db + "' 2>&1",
                           &out),
      0)
      << out;
  auto run = [&](const std::string& db, json* report, std::string* log) {
    log->clear();
    int rc = testing::run_command(testing::bulwark_binary() + " -v scan --cache-dir '" + dir.str() +
                                      "/cache' --db '" + db + "' --scanners vuln -f json -o '" +
                                      dir.str() + "/out.json' '" + image_ + "' 2>&1",
                                  log);
    *report = json::parse(testing::read_file(dir.path() / "out.json"), nullptr, false);
    return rc;
  };
  json cold, warm;
  std::string log;
  ASSERT_EQ(run(*db_, &cold, &log), 0) << log;
  ASSERT_NE(finding(cold, "pkg:golang/stdlib@1.19.8", "CVE-2023-29403"), nullptr);
  // The warm scan reuses the analysis but matches against the database it is given now.
  ASSERT_EQ(run(npm_db, &warm, &log), 0) << log;
  EXPECT_NE(log.find("analysis from cache"), std::string::npos) << log;
  EXPECT_EQ(count_target_prefix(warm, "pkg:golang/"), 0U);
  EXPECT_NE(finding(warm, "pkg:npm/lodash@4.17.15", "NSWG-ECO-516"), nullptr);
  EXPECT_EQ(warm["database"]["path"], npm_db);
  // Built in 2020: older than --db-max-age (default 7 days), a warning in the report too.
  bool old_db = false;
  for (const auto& w : warm["warnings"])
    if (w.get<std::string>().find("vulnerability database " + npm_db + " was built") == 0)
      old_db = true;
  EXPECT_TRUE(old_db) << warm["warnings"].dump();
  EXPECT_NE(log.find("older than 7"), std::string::npos) << log;
}

TEST_F(VulnScanCli, TableShowsAVulnerabilitiesSection) {
  std::string out;
  ASSERT_EQ(scan("--scanners vuln", &out), 0) << out;
  EXPECT_NE(out.find("Vulnerabilities ("), std::string::npos) << out.substr(0, 3000);
  EXPECT_NE(out.find("NSWG-ECO-516"), std::string::npos);
  EXPECT_NE(out.find("Database  " + *db_ + " (built 2026-11-26T00:00:00Z)"), std::string::npos);
  EXPECT_NE(out.find("4.17.19"), std::string::npos);
}

TEST_F(VulnScanCli, OutputsWithVulnerabilitiesValidateAgainstTheirSchemas) {
  if (testing::run_command(std::string(kPython) + " -c 'import jsonschema' 2>/dev/null") != 0)
    BW_SKIP_OR_FAIL("python3-jsonschema not installed for /usr/bin/python3");
  auto shared = testing::shared_dir();
  ASSERT_TRUE(shared.has_value());
  std::string out;
  ASSERT_EQ(scan("--scanners vuln -f json", &out), 0);
  EXPECT_EQ(schema_errors(fs::path(BULWARK_SOURCE_DIR) / "docs/schema/report.schema.json", out),
            "");
  ASSERT_EQ(scan("--scanners vuln -f sarif", &out), 0);
  EXPECT_EQ(schema_errors(*shared / "schemas/sarif-schema-2.1.0.json", out), "");
  auto sarif = json::parse(out);
  bool rule = false;
  for (const auto& r : sarif["runs"][0]["tool"]["driver"]["rules"])
    if (r["id"] == "NSWG-ECO-516") rule = true;
  EXPECT_TRUE(rule);
  ASSERT_EQ(scan("--scanners vuln -f cyclonedx", &out), 0);
  EXPECT_EQ(schema_errors(*shared / "schemas/cyclonedx/bom-1.5.schema.json", out), "");
  auto bom = json::parse(out);
  ASSERT_TRUE(bom.contains("vulnerabilities"));
  const json* v = nullptr;
  for (const auto& x : bom["vulnerabilities"])
    if (x["id"] == "NSWG-ECO-516") v = &x;
  ASSERT_NE(v, nullptr);
  // affects[].ref names the lodash component's bom-ref.
  std::string ref = (*v)["affects"][0]["ref"];
  bool component = false;
  for (const auto& c : bom["components"])
    if (c.value("bom-ref", "") == ref && c["name"] == "lodash") component = true;
  EXPECT_TRUE(component) << ref;
  EXPECT_EQ((*v)["ratings"][0]["method"], "CVSSv3");
  EXPECT_EQ((*v)["ratings"][0]["score"], 6.3);
}

}  // namespace
}  // namespace bulwark
