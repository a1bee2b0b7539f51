// `bulwark scan --scanners license` end to end on the corpus image debian-app (Debian 12 with
// apt packages, an npm app, Python packages installed by dpkg): real packages, real copyright
// files, every output format.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_env.hpp"

namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

struct CmdResult {
  int rc;
  std::string out;
  std::string err;
};

class LicenseScan : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = new bulwark::testing::TempDir();
    std::string why;
    auto corpus = bulwark::testing::corpus_dir(&why);
    if (!corpus) {
      skip_ = new std::string(why);
      return;
    }
    image_ = new std::string((*corpus / "debian-app.docker.tar").string());
  }
  static void TearDownTestSuite() {
    delete work_;
    delete image_;
    delete skip_;
    work_ = nullptr;
    image_ = nullptr;
    skip_ = nullptr;
  }
  void SetUp() override {
    if (skip_ != nullptr) BW_SKIP_OR_FAIL(*skip_);
  }

  static CmdResult bulwark(const std::string& args, const std::string& env = "") {
    bulwark::testing::TempDir tmp;
    std::string out;
    int rc = bulwark::testing::run_command(env + " '" + bulwark::testing::bulwark_binary() +
                                               "' -q " + args + " 2>'" + tmp.str() + "/err'",
                                           &out);
    return {rc, out, bulwark::testing::read_file(tmp.path() / "err")};
  }
  static CmdResult scan(const std::string& extra) {
    return bulwark("scan --cache-dir '" + work_->str() + "/cache' '" + *image_ +
                   "' --scanners license " + extra);
  }
  static json json_scan(const std::string& extra = "") {
    auto r = scan("-f json " + extra);
    EXPECT_EQ(r.rc, 0) << r.err;
    return json::parse(r.out);
  }
  static std::vector<json> licenses(const json& report) {
    std::vector<json> out;
    for (const auto& f : report["findings"])
      if (f["kind"] == "license") out.push_back(f);
    return out;
  }
  static const json* finding(const std::vector<json>& fs, const std::string& package,
                             const std::string& id) {
    for (const auto& f : fs)
      if (f["license"]["package_name"] == package && f["id"] == id) return &f;
    return nullptr;
  }
  static std::string write(const std::string& name, const std::string& text) {
    auto p = work_->path() / name;
    bulwark::testing::write_file(p, text);
    return p.string();
  }

  static bulwark::testing::TempDir* work_;
  static std::string* image_;
  static std::string* skip_;
};
bulwark::testing::TempDir* LicenseScan::work_ = nullptr;
std::string* LicenseScan::image_ = nullptr;
std::string* LicenseScan::skip_ = nullptr;

TEST_F(LicenseScan, DebianGplPackagesAreRestrictedAndPermissiveOnesAreNotShown) {
  auto fs = licenses(json_scan());
  ASSERT_GT(fs.size(), 100U);
  const json* bash = finding(fs, "bash", "GPL-3.0-or-later");
  ASSERT_NE(bash, nullptr);
  EXPECT_EQ((*bash)["severity"], "high");
  EXPECT_EQ((*bash)["license"]["category"], "restricted");
  EXPECT_EQ((*bash)["layer"], 0);
  EXPECT_EQ((*bash)["license"]["paths"], json::array({"var/lib/dpkg/status"}));
  EXPECT_THAT((*bash)["target"].get<std::string>(), HasSubstr("pkg:deb/debian/bash@"));
  // curl came with the apt layer (layer 1).
  const json* curl = finding(fs, "curl", "GPL-2.0-or-later WITH Libtool-exception");
  ASSERT_NE(curl, nullptr);
  EXPECT_EQ((*curl)["layer"], 1);
  EXPECT_EQ((*curl)["license"]["category"], "restricted");
  // ca-certificates: MPL-2.0 is reciprocal, shown at medium.
  const json* mpl = finding(fs, "ca-certificates", "MPL-2.0");
  ASSERT_NE(mpl, nullptr);
  EXPECT_EQ((*mpl)["severity"], "medium");
  // Notice and unencumbered licenses are not shown by default.
  EXPECT_EQ(finding(fs, "zlib1g", "Zlib"), nullptr);
  EXPECT_EQ(finding(fs, "express", "MIT"), nullptr);
  for (const auto& f : fs) {
    const std::string cat = f["license"]["category"];
    EXPECT_TRUE(cat != "notice" && cat != "permissive" && cat != "unencumbered") << f.dump();
  }
  // perl: "GPL-1.0-or-later OR Artistic-1.0-Perl": the licensee chooses Artistic, not shown.
  EXPECT_EQ(finding(fs, "perl-base", "GPL-1.0-or-later OR Artistic-1.0-Perl"), nullptr);
}

TEST_F(LicenseScan, PythonPackagesDpkgInstalledAreReportedThroughTheirDebianPackage) {
  auto fs = licenses(json_scan());
  for (const auto& f : fs)
    EXPECT_THAT(f["target"].get<std::string>(), ::testing::Not(HasSubstr("pkg:pypi/")));
  const json* jinja = finding(fs, "python3-jinja2", "LicenseRef-GPL");
  ASSERT_NE(jinja, nullptr);
  EXPECT_EQ(jinja->at("license").at("category"), "restricted");
  EXPECT_THAT(jinja->at("license").at("covers").dump(), HasSubstr("pkg:pypi/jinja2@"));
}

TEST_F(LicenseScan, AllShowsEveryLicenseWithItsCategory) {
  auto fs = licenses(json_scan("--license-all"));
  const json* zlib = finding(fs, "zlib1g", "Zlib");
  ASSERT_NE(zlib, nullptr);
  EXPECT_EQ((*zlib)["severity"], "low");
  EXPECT_EQ((*zlib)["license"]["category"], "notice");
  const json* express = finding(fs, "express", "MIT");
  ASSERT_NE(express, nullptr);
  EXPECT_EQ((*express)["layer"], 2);
  // Every place the package was found: its installed manifest and the app's lock file.
  EXPECT_EQ((*express)["license"]["paths"],
            json::array({"app/node_modules/express/package.json", "app/package-lock.json"}));
  const json* tz = finding(fs, "tzdata", "LicenseRef-public-domain");
  ASSERT_NE(tz, nullptr);
  EXPECT_EQ((*tz)["license"]["category"], "unencumbered");
}

std::string schema_errors(const std::filesystem::path& schema, const std::string& document) {
  bulwark::testing::TempDir dir;
  auto doc = dir.path() / "document.json";
  bulwark::testing::write_file(doc, document);
  std::string out;
  int rc = bulwark::testing::run_command("/usr/bin/python3 '" + std::string(BULWARK_SOURCE_DIR) +
                                             "/tests/report/validate_json.py' '" + schema.string() +
                                             "' '" + doc.string() + "' 2>&1",
                                         &out);
  return rc == 0 ? "" : out;
}

TEST_F(LicenseScan, JsonAndSarifValidateAgainstTheirSchemas) {
  if (bulwark::testing::run_command("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null") != 0)
    BW_SKIP_OR_FAIL("python3-jsonschema not installed for /usr/bin/python3");
  auto shared = bulwark::testing::shared_dir();
  if (!shared) BW_SKIP_OR_FAIL("../shared not found (a user's clone has none)");
  auto r = scan("-f json --license-all");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(
      schema_errors(std::filesystem::path(BULWARK_SOURCE_DIR) / "docs/schema/report.schema.json",
                    r.out),
      "");
  r = scan("-f sarif");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(schema_errors(*shared / "schemas/sarif-schema-2.1.0.json", r.out), "");
}

TEST_F(LicenseScan, RiskShowsLicensesButTheyAddNothing) {
  auto report = json_scan();
  bool seen = false;
  for (const auto& c : report["risk"]["components"]) {
    if (c["name"] != "license") continue;
    seen = true;
    EXPECT_EQ(c["points"], 0.0);
    EXPECT_GT(c["findings"].get<int>(), 100);
  }
  EXPECT_TRUE(seen) << report["risk"].dump();
}

TEST_F(LicenseScan, EveryFormatCarriesTheLicenseFindings) {
  auto table = scan("");
  ASSERT_EQ(table.rc, 0) << table.err;
  // One row per category in the table: licenses, packages, the most common licenses.
  EXPECT_THAT(table.out, ::testing::ContainsRegex("\nHIGH +restricted +[0-9]+ +[0-9]+ +GPL-"));
  EXPECT_THAT(table.out, ::testing::ContainsRegex("\nlicense: [0-9]+ \\([0-9]+ high, "));

  auto sarif = scan("-f sarif");
  ASSERT_EQ(sarif.rc, 0) << sarif.err;
  auto doc = json::parse(sarif.out);
  int n = 0;
  for (const auto& res : doc["runs"][0]["results"]) {
    if (res["properties"]["kind"] != "license") continue;
    ++n;
    EXPECT_TRUE(res["properties"]["license"].contains("category"));
    EXPECT_EQ(res["locations"][0]["logicalLocations"][0]["kind"], "package");
  }
  EXPECT_GT(n, 100);

  auto html = scan("-f html");
  ASSERT_EQ(html.rc, 0) << html.err;
  EXPECT_THAT(html.out, HasSubstr("<option value=\"license\">license</option>"));
  EXPECT_THAT(html.out, HasSubstr("restricted license GPL-3.0-or-later"));
}

TEST_F(LicenseScan, PolicyDeniesIgnoresAndRerates) {
  auto policy = write("policy.yaml", R"(# our rules
severity:
  restricted: low      # GPL in the base OS is fine for us
deny: [MPL-2.0]
ignore-packages: [pkg:deb/debian/libc6, tzdata]
)");
  auto fs = licenses(json_scan("--license-policy '" + policy + "'"));
  const json* mpl = finding(fs, "ca-certificates", "MPL-2.0");
  ASSERT_NE(mpl, nullptr);
  EXPECT_EQ((*mpl)["severity"], "critical");
  EXPECT_EQ((*mpl)["license"]["policy"], "denied");
  EXPECT_EQ(finding(fs, "bash", "GPL-3.0-or-later"), nullptr) << "restricted rated low: hidden";
  for (const auto& f : fs) EXPECT_NE(f["license"]["package_name"], "libc6");
}

TEST_F(LicenseScan, ABadPolicyStopsTheScanWithOneLine) {
  auto policy = write("bad.yaml", "severity:\n  copyleft: high\n");
  auto r = scan("--license-policy '" + policy + "'");
  EXPECT_EQ(r.rc, 2);
  EXPECT_THAT(r.err, HasSubstr(policy + ":2: unknown category \"copyleft\""));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(LicenseScan, LicenseOptionsWithoutTheLicenseScannerAreAnError) {
  auto r = bulwark("scan --cache-dir '" + work_->str() + "/cache' '" + *image_ +
                   "' --scanners misconfig --license-all");
  EXPECT_EQ(r.rc, 2);
  EXPECT_THAT(r.err, HasSubstr("need the license scanner"));
}

TEST_F(LicenseScan, DefaultScanReportsLicensesAndSbomDoesNot) {
  // No database anywhere: the default scanners run without vulnerabilities.
  const std::string env = "BULWARK_DB= XDG_CACHE_HOME='" + work_->str() + "/xdg'";
  auto r = bulwark("scan --cache-dir '" + work_->str() + "/cache' '" + *image_ + "' -f json", env);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_GT(licenses(json::parse(r.out)).size(), 100U);
  auto s = bulwark("sbom --cache-dir '" + work_->str() + "/cache' '" + *image_ + "' -f json");
  ASSERT_EQ(s.rc, 0) << s.err;
  EXPECT_TRUE(licenses(json::parse(s.out)).empty());
}

}  // namespace
