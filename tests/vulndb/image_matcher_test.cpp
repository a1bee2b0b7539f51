// vulndb::match_image against a database the test builds from the real shared feeds: Debian
// OVAL (bookworm and bullseye files), the Debian DSA/DLA lists, Alpine secdb, Ubuntu OVAL, Go
// vulndb, the PyPA advisory database and the Node.js security-wg advisories.
#include "vulndb/image_matcher.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "support/test_env.hpp"
#include "vulndb/build.hpp"

namespace bulwark::vulndb {
namespace {

namespace fs = std::filesystem;

class ImageMatcher : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto shared = bulwark::testing::shared_dir();
    if (!shared) return;
    dir_ = new bulwark::testing::TempDir();
    const fs::path a = *shared / "advisories";
    // Two of Debian's OVAL files (all six take a minute to import on a busy machine).
    int rc = bulwark::testing::run_command(
        "tar --zstd -xf '" + (a / "debian-oval.tar.zst").string() + "' -C '" +
        dir_->path().string() +
        "' debian/oval-definitions-bookworm.xml.bz2 debian/oval-definitions-bullseye.xml.bz2");
    if (rc != 0) return;
    BuildOptions o;
    o.inputs = {(dir_->path() / "debian").string(),
                (a / "debian-security-tracker-lists.tar.zst").string(),
                (a / "alpine-secdb.tar.zst").string(),
                (a / "ubuntu-oval.tar.zst").string(),
                (a / "go-vulndb-osv.tar.zst").string(),
                (a / "pypa-advisory-database.tar.zst").string(),
                (a / "nodejs-security-wg-vulns.tar.zst").string()};
    o.out = (dir_->path() / "test.db").string();
    o.built_at = "2026-11-26T00:00:00Z";
    auto built = build_db(o);
    if (!built.ok()) {
      ADD_FAILURE() << built.error().message();
      return;
    }
    auto db = VulnDb::open(o.out);
    if (db.ok()) db_ = std::move(db).value().release();
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    BW_REQUIRE_SHARED(shared);
    ASSERT_NE(db_, nullptr) << "the test database was not built";
  }

  static inline bulwark::testing::TempDir* dir_ = nullptr;
  static inline VulnDb* db_ = nullptr;
};

core::OsInfo debian(std::string codename, std::string version_id = "") {
  core::OsInfo os;
  os.id = "debian";
  os.codename = std::move(codename);
  os.version_id = std::move(version_id);
  return os;
}

core::Package deb(std::string name, std::string version, std::string source,
                  std::string source_version, int layer = 0) {
  core::Package p;
  p.name = std::move(name);
  p.version = std::move(version);
  p.ecosystem = "deb";
  p.purl = "pkg:deb/debian/" + p.name + "@" + p.version;
  p.source_name = std::move(source);
  p.source_version = std::move(source_version);
  p.locations.push_back({"var/lib/dpkg/status", layer, ""});
  return p;
}

core::Package lang(std::string type, std::string name, std::string version, std::string path,
                   int layer = 1) {
  core::Package p;
  p.name = std::move(name);
  p.version = std::move(version);
  p.ecosystem = type;
  p.purl = "pkg:" + type + "/" + p.name + "@" + p.version;
  p.locations.push_back({std::move(path), layer, ""});
  return p;
}

const report::Finding* find(const ImageMatches& m, std::string_view target, std::string_view id) {
  for (const auto& f : m.findings)
    if (f.target == target && f.id == id) return &f;
  return nullptr;
}

size_t count_target(const ImageMatches& m, std::string_view target) {
  return static_cast<size_t>(std::count_if(m.findings.begin(), m.findings.end(),
                                           [&](const auto& f) { return f.target == target; }));
}

bool has(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

TEST_F(ImageMatcher, DebianBinaryPackagesMatchThroughTheirSourcePackageAndRelease) {
  // libcurl4 is built from source curl; the advisories name the source.
  auto libcurl = deb("libcurl4", "7.74.0-1.3+deb11u3", "curl", "7.74.0-1.3+deb11u3", 2);
  auto r = match_image(*db_, debian("bullseye"), {libcurl});
  ASSERT_TRUE(r.ok()) << r.error().message();
  const auto* f = find(*r, libcurl.purl, "CVE-2022-32221");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind, "vulnerability");
  EXPECT_EQ(f->layer, 2);
  EXPECT_EQ(f->fix, "upgrade to 7.74.0-1.3+deb11u5");
  EXPECT_EQ(f->title, "libcurl4 7.74.0-1.3+deb11u3: CVE-2022-32221, fixed in 7.74.0-1.3+deb11u5");
  const auto& v = *f->vulnerability;
  EXPECT_EQ(v.source_package, "curl");
  EXPECT_EQ(v.status, "fixed");
  EXPECT_EQ(v.fixed_versions, std::vector<std::string>{"7.74.0-1.3+deb11u5"});
  EXPECT_NE(v.why.find("Debian bullseye curl 7.74.0-1.3+deb11u3"), std::string::npos) << v.why;
  // A later fix of the same source is reported too; the installed fix is not.
  EXPECT_NE(find(*r, libcurl.purl, "CVE-2023-23916"), nullptr);
  auto fixed = match_image(*db_, debian("bullseye"),
                           {deb("libcurl4", "7.74.0-1.3+deb11u7", "curl", "7.74.0-1.3+deb11u7")});
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(find(*fixed, "pkg:deb/debian/libcurl4@7.74.0-1.3+deb11u7", "CVE-2022-32221"), nullptr);
}

TEST_F(ImageMatcher, TheReleaseComesFromTheCodenameOrTheVersionId) {
  auto libcurl = deb("libcurl4", "7.74.0-1.3+deb11u3", "curl", "7.74.0-1.3+deb11u3");
  // VERSION_ID 11 without a codename is bullseye: the DSA list's bullseye entries apply.
  auto by_id = match_image(*db_, debian("", "11"), {libcurl});
  ASSERT_TRUE(by_id.ok());
  const auto* f = find(*by_id, libcurl.purl, "CVE-2022-32221");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(has(f->vulnerability->advisories, "debian-dsa:DSA-5330-1"));
  // On bookworm the DSA list (older than bookworm) says nothing; only bookworm OVAL applies.
  auto bookworm = match_image(*db_, debian("bookworm"), {libcurl});
  ASSERT_TRUE(bookworm.ok());
  for (const auto& x : bookworm->findings)
    for (const auto& a : x.vulnerability->advisories)
      EXPECT_EQ(a.rfind("debian-dsa:", 0), std::string::npos) << a;
  auto rel = distro_release(debian("", "12"));
  ASSERT_TRUE(rel.has_value());
  EXPECT_EQ(rel->release, "bookworm");
}

TEST_F(ImageMatcher, OneFindingPerCveMergesDsaAndOvalAdvisories) {
  auto libcurl = deb("libcurl4", "7.74.0-1.3+deb11u3", "curl", "7.74.0-1.3+deb11u3");
  auto r = match_image(*db_, debian("bullseye"), {libcurl});
  ASSERT_TRUE(r.ok());
  size_t n = std::count_if(r->findings.begin(), r->findings.end(),
                           [](const auto& f) { return f.id == "CVE-2022-32221"; });
  EXPECT_EQ(n, 1U);
  const auto& v = *find(*r, libcurl.purl, "CVE-2022-32221")->vulnerability;
  // The OVAL per-CVE definition, OVAL's DSA definition and the DSA list's entry: one flaw.
  EXPECT_EQ(v.advisories,
            (std::vector<std::string>{"debian-dsa:DSA-5330-1", "debian-oval:CVE-2022-32221",
                                      "debian-oval:DSA-5330-1"}));
  EXPECT_TRUE(has(v.aliases, "DSA-5330-1"));
  // DSA-5330-1 fixed two flaws: the other one is its own finding, not an alias of this one.
  EXPECT_FALSE(has(v.aliases, "CVE-2022-43552"));
  const auto* other = find(*r, libcurl.purl, "CVE-2022-43552");
  ASSERT_NE(other, nullptr);
  EXPECT_TRUE(has(other->vulnerability->advisories, "debian-dsa:DSA-5330-1"));
  // No finding is named after the DSA itself: its CVEs carry it.
  EXPECT_EQ(find(*r, libcurl.purl, "DSA-5330-1"), nullptr);
}

TEST_F(ImageMatcher, LanguageAdvisoriesMergeOnTheirCveAlias) {
  auto urllib3 = lang("pypi", "urllib3", "1.26.12", "app/venv/urllib3-1.26.12.dist-info/METADATA");
  auto r = match_image(*db_, {}, {urllib3});
  ASSERT_TRUE(r.ok()) << r.error().message();
  const auto* f = find(*r, urllib3.purl, "CVE-2023-45803");
  ASSERT_NE(f, nullptr);
  const auto& v = *f->vulnerability;
  EXPECT_TRUE(has(v.advisories, "osv-pysec:PYSEC-2023-212"));
  EXPECT_TRUE(has(v.aliases, "PYSEC-2023-212"));
  EXPECT_TRUE(has(v.aliases, "GHSA-g4mx-q9vg-27p4"));
  EXPECT_EQ(v.ecosystem, "pypi");
  EXPECT_EQ(v.source_package, "");
  // Two branches are fixed (1.26.18 and 2.0.7): the upgrade is the lowest above 1.26.12.
  EXPECT_EQ(f->fix, "upgrade to 1.26.18");
  EXPECT_EQ(f->layer, 1);
  EXPECT_EQ(find(*r, urllib3.purl, "PYSEC-2023-212"), nullptr);
}

TEST_F(ImageMatcher, ALanguagePackageAnOsPackageInstalledIsMatchedOnlyThroughTheDistro) {
  // Debian's python3-urllib3 owns the egg-info directory the PyPI package was found in.
  auto owner = deb("python3-urllib3", "1.26.4-1", "python-urllib3", "1.26.4-1");
  owner.files = {"usr/lib/python3/dist-packages/urllib3",
                 "usr/lib/python3/dist-packages/urllib3-1.26.4.egg-info"};
  auto py = lang("pypi", "urllib3", "1.26.4",
                 "usr/lib/python3/dist-packages/urllib3-1.26.4.egg-info/PKG-INFO");
  auto r = match_image(*db_, debian("bookworm"), {owner, py});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(count_target(*r, py.purl), 0U);  // no double counting through PyPA
  const auto* f = find(*r, owner.purl, "CVE-2021-33503");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->vulnerability->owner_package, "deb:python3-urllib3");
  EXPECT_NE(f->vulnerability->why.find("also covers pkg:pypi/urllib3@1.26.4"), std::string::npos)
      << f->vulnerability->why;
  EXPECT_EQ(f->vulnerability->fixed_versions, std::vector<std::string>{"1.26.5-1~exp1"});
  // The same PyPI package installed by pip (no owner) is matched against PyPA.
  auto alone = match_image(*db_, debian("bookworm"), {py});
  ASSERT_TRUE(alone.ok());
  const auto* p = find(*alone, py.purl, "CVE-2021-33503");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->vulnerability->owner_package, "");
}

TEST_F(ImageMatcher, TheGoStandardLibraryInAPackagedBinaryIsStillMatchedAgainstGoVulndb) {
  // gosu's binary belongs to the Debian package, but Debian's advisories for gosu do not cover
  // the Go standard library linked into it.
  auto gosu = deb("gosu", "1.14-1+b10", "gosu", "1.14-1");
  gosu.files = {"usr/sbin/gosu"};
  auto stdlib = lang("golang", "stdlib", "1.19.8", "usr/sbin/gosu");
  auto r = match_image(*db_, debian("bookworm"), {gosu, stdlib});
  ASSERT_TRUE(r.ok());
  const auto* f = find(*r, stdlib.purl, "CVE-2023-29403");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(has(f->vulnerability->advisories, "osv-go:GO-2023-1840"));
  EXPECT_EQ(f->fix, "upgrade to 1.19.10");
  EXPECT_NE(f->vulnerability->why.find("built into usr/sbin/gosu, which deb:gosu owns"),
            std::string::npos);
}

TEST_F(ImageMatcher, AlpineMatchesTheOriginPackageInTheBranch) {
  core::OsInfo os;
  os.id = "alpine";
  os.version_id = "3.19.1";
  core::Package p;
  p.name = "py3-urllib3-pyc";
  p.version = "1.26.17-r0";
  p.ecosystem = "apk";
  p.purl = "pkg:apk/alpine/py3-urllib3-pyc@1.26.17-r0";
  p.source_name = "py3-urllib3";
  p.locations.push_back({"lib/apk/db/installed", 0, ""});
  auto r = match_image(*db_, os, {p});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->warnings.empty());
  const auto* f = find(*r, p.purl, "CVE-2023-45803");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->fix, "upgrade to 1.26.18-r0");
  EXPECT_EQ(f->vulnerability->status_detail, "repository=main");
  EXPECT_EQ(find(*r, p.purl, "CVE-2023-43804"), nullptr);  // fixed in 1.26.17-r0
}

TEST_F(ImageMatcher, UbuntuMatchesBinaryNamesAndSplitsAUsnIntoItsCves) {
  core::OsInfo os;
  os.id = "ubuntu";
  os.codename = "lunar";
  os.version_id = "23.04";
  core::Package p;
  p.name = "tar";
  p.version = "1.34+dfsg-1.2";
  p.ecosystem = "deb";
  p.purl = "pkg:deb/ubuntu/tar@1.34+dfsg-1.2";
  p.source_name = "tar-source-name-not-used";
  auto r = match_image(*db_, os, {p});
  ASSERT_TRUE(r.ok());
  const auto* f = find(*r, p.purl, "CVE-2022-48303");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(has(f->vulnerability->advisories, "ubuntu-oval:USN-5900-2"));
  EXPECT_EQ(f->severity, report::Severity::kMedium);  // the USN's priority
}

TEST_F(ImageMatcher, ADistroWithoutAdvisoriesIsOneWarningNotSilence) {
  core::OsInfo os;
  os.id = "rhel";
  os.version_id = "9.3";
  core::Package p;
  p.name = "openssl";
  p.version = "3.0.7-24.el9";
  p.ecosystem = "rpm";
  p.purl = "pkg:rpm/redhat/openssl@3.0.7-24.el9";
  auto q = p;
  q.name = "bash";
  q.purl = "pkg:rpm/redhat/bash@5.1.8-6.el9";
  auto r = match_image(*db_, os, {p, q});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->findings.empty());
  EXPECT_EQ(r->warnings, std::vector<std::string>{
                             "the database has no advisories for rhel 9; OS packages were not "
                             "matched"});
  // The Python library the rpm installed is not matched against PyPA either, and is counted.
  auto owner = q;
  owner.name = "python3-urllib3";
  owner.purl = "pkg:rpm/redhat/python3-urllib3@1.26.5-3.el9";
  owner.files = {"usr/lib/python3.9/site-packages/urllib3-1.26.5-py3.9.egg-info"};
  auto py = lang("pypi", "urllib3", "1.26.5",
                 "usr/lib/python3.9/site-packages/urllib3-1.26.5-py3.9.egg-info/PKG-INFO");
  auto with_lang = match_image(*db_, os, {p, owner, py});
  ASSERT_TRUE(with_lang.ok());
  EXPECT_TRUE(with_lang->findings.empty());
  EXPECT_EQ(with_lang->warnings,
            std::vector<std::string>{"the database has no advisories for rhel 9; OS packages and "
                                     "the 1 language packages they installed were not matched"});
  // Debian trixie: not in this database either.
  auto trixie = match_image(*db_, debian("trixie"), {deb("bash", "5.2-1", "bash", "5.2-1")});
  ASSERT_TRUE(trixie.ok());
  EXPECT_EQ(trixie->warnings.size(), 1U);
}

TEST_F(ImageMatcher, TheChangelogNamingTheCveMarksTheFindingFixedPerChangelog) {
  auto libcurl = deb("libcurl4", "7.74.0-1.3+deb11u3", "curl", "7.74.0-1.3+deb11u3");
  libcurl.changelog_cves.push_back(
      {"CVE-2022-32221", "7.74.0-1.3+deb11u3", "* Fix CVE-2022-32221: POST following PUT"});
  auto r = match_image(*db_, debian("bullseye"), {libcurl});
  ASSERT_TRUE(r.ok());
  const auto* f = find(*r, libcurl.purl, "CVE-2022-32221");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->vulnerability->status, "fixed-per-changelog");
  EXPECT_EQ(f->vulnerability->changelog_evidence, "* Fix CVE-2022-32221: POST following PUT");
  EXPECT_EQ(f->fix, "");
  // The changelog does not name the other flaw of the same DSA.
  EXPECT_EQ(find(*r, libcurl.purl, "CVE-2022-43552")->vulnerability->status, "fixed");
}

TEST_F(ImageMatcher, NpmConstraintAdvisoriesGiveTheirPatchedVersionAsTheFix) {
  auto lodash = lang("npm", "lodash", "4.17.15", "app/node_modules/lodash/package.json", 2);
  auto r = match_image(*db_, {}, {lodash});
  ASSERT_TRUE(r.ok());
  const auto* f = find(*r, lodash.purl, "NSWG-ECO-516");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->vulnerability->status, "fixed");
  EXPECT_EQ(f->fix, "upgrade to 4.17.19");
  EXPECT_EQ(f->severity, report::Severity::kMedium);
}

TEST_F(ImageMatcher, AnUnparsableVersionIsAWarningNamingThePackage) {
  auto bad = lang("golang", "stdlib", "not-a-version", "usr/bin/app");
  auto r = match_image(*db_, {}, {bad});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->findings.empty());
  ASSERT_FALSE(r->warnings.empty());
  EXPECT_EQ(r->warnings.front().rfind("pkg:golang/stdlib@not-a-version: osv-go GO-", 0), 0U)
      << r->warnings.front();
}

TEST_F(ImageMatcher, FindingsAreInADeterministicOrder) {
  auto a = deb("libcurl4", "7.74.0-1.3+deb11u3", "curl", "7.74.0-1.3+deb11u3");
  auto b = lang("pypi", "urllib3", "1.26.12", "app/urllib3-1.26.12.dist-info/METADATA");
  auto one = match_image(*db_, debian("bullseye"), {a, b});
  auto two = match_image(*db_, debian("bullseye"), {b, a});
  ASSERT_TRUE(one.ok() && two.ok());
  ASSERT_EQ(one->findings.size(), two->findings.size());
  for (size_t i = 0; i < one->findings.size(); ++i) {
    EXPECT_EQ(one->findings[i].target, two->findings[i].target);
    EXPECT_EQ(one->findings[i].id, two->findings[i].id);
  }
}

TEST(SeverityFrom, DistroWordsAndCvssRatings) {
  EXPECT_EQ(severity_from("HIGH", std::nullopt), report::Severity::kHigh);
  EXPECT_EQ(severity_from("moderate", std::nullopt), report::Severity::kMedium);
  EXPECT_EQ(severity_from("unimportant", std::nullopt), report::Severity::kLow);
  EXPECT_EQ(severity_from("", 9.8), report::Severity::kCritical);
  EXPECT_EQ(severity_from("", 6.3), report::Severity::kMedium);
  EXPECT_EQ(severity_from("", std::nullopt), report::Severity::kUnknown);
}

}  // namespace
}  // namespace bulwark::vulndb
