#include "vulndb/matcher.hpp"

#include <gtest/gtest.h>

#include "version/version.hpp"
#include "vulndb_test_support.hpp"

namespace bulwark::vulndb {
namespace {

// The committed demo bundle: a real database built from the shared feeds by
// scripts/build-demo-db.sh (Debian OVAL, DSA/DLA lists, Go vulndb, PyPA, Node.js wg).
std::unique_ptr<VulnDb> demo_db() {
  auto db = VulnDb::open(std::string(BULWARK_SOURCE_DIR) + "/data/demo-vulndb.sqlite");
  EXPECT_TRUE(db.ok()) << (db.ok() ? "" : db.error().message());
  return db.ok() ? std::move(db).value() : nullptr;
}

const VulnMatch* find(const MatchResult& r, std::string_view id) {
  for (const auto& m : r.matches)
    if (m.advisory_id == id) return &m;
  return nullptr;
}

TEST(Matcher, DebianSourcePackageMatchesUntilTheDistroFixedVersion) {
  auto db = demo_db();
  ASSERT_NE(db, nullptr);
  auto old = match_package(*db, {"Debian", "bookworm", "openssl", "3.0.8-1"});
  ASSERT_TRUE(old.ok()) << old.error().message();
  const auto* m = find(*old, "CVE-2023-2650");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->source, "debian-oval");
  EXPECT_EQ(m->status, Status::kFixed);
  EXPECT_EQ(m->fixed_versions, std::vector<std::string>{"3.0.9-1"});
  EXPECT_NE(m->why.find("Debian bookworm openssl 3.0.8-1 is in ECOSYSTEM range"), std::string::npos)
      << m->why;
  // The fixed version itself, and a later Debian revision, are not affected.
  auto fixed = match_package(*db, {"Debian", "bookworm", "openssl", "3.0.9-1"});
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(find(*fixed, "CVE-2023-2650"), nullptr);
  auto later = match_package(*db, {"Debian", "bookworm", "openssl", "3.0.11-1~deb12u2"});
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(find(*later, "CVE-2023-2650"), nullptr);
  EXPECT_LT(later->matches.size(), old->matches.size());
}

TEST(Matcher, GoStandardLibraryVersionsWithTheGoPrefix) {
  auto db = demo_db();
  ASSERT_NE(db, nullptr);
  auto r = match_package(*db, {"Go", "", "stdlib", "go1.16.0"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  const auto* m = find(*r, "GO-2021-0067");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->fixed_versions, std::vector<std::string>{"1.16.1"});
  auto f = match_package(*db, {"Go", "", "stdlib", "go1.16.1"});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(find(*f, "GO-2021-0067"), nullptr);
}

TEST(Matcher, NpmConstraintRangesFromTheNodejsWorkingGroup) {
  auto db = demo_db();
  ASSERT_NE(db, nullptr);
  auto r = match_package(*db, {"npm", "", "lodash", "4.17.15"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  const auto* m = find(*r, "NSWG-ECO-516");
  ASSERT_NE(m, nullptr);
  EXPECT_NE(m->why.find("satisfies \">=4.17.15 <4.17.19\""), std::string::npos) << m->why;
  EXPECT_EQ(find(*r, "NSWG-ECO-368"), nullptr);  // < 4.17.5 only
  auto ok = match_package(*db, {"npm", "", "lodash", "4.17.19"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(find(*ok, "NSWG-ECO-516"), nullptr);
}

TEST(Matcher, AnUnparsableInstalledVersionIsAWarningNotAMatch) {
  auto db = demo_db();
  ASSERT_NE(db, nullptr);
  auto r = match_package(*db, {"Go", "", "stdlib", "not a version"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->matches.empty());
  EXPECT_FALSE(r->warnings.empty());
}

TEST(OsvRange, LastAffectedLimitAndUnsortedEvents) {
  auto cmp = [](std::string_view a, std::string_view b) { return version::compare("PyPI", a, b); };
  const Range last{"ECOSYSTEM",
                   {{EventKind::kIntroduced, "1.0"}, {EventKind::kLastAffected, "1.4"}}};
  EXPECT_TRUE(*in_osv_range(last, "1.4", cmp));
  EXPECT_FALSE(*in_osv_range(last, "1.4.1", cmp));
  EXPECT_FALSE(*in_osv_range(last, "0.9", cmp));
  // Two intervals listed out of order: [2.0, 2.1) and [1.0, 1.2).
  const Range two{"ECOSYSTEM",
                  {{EventKind::kIntroduced, "2.0"},
                   {EventKind::kFixed, "2.1"},
                   {EventKind::kIntroduced, "1.0"},
                   {EventKind::kFixed, "1.2"}}};
  EXPECT_TRUE(*in_osv_range(two, "1.1", cmp));
  EXPECT_FALSE(*in_osv_range(two, "1.5", cmp));
  EXPECT_TRUE(*in_osv_range(two, "2.0.5", cmp));
  const Range limited{"ECOSYSTEM", {{EventKind::kIntroduced, "0"}, {EventKind::kLimit, "3.0"}}};
  EXPECT_TRUE(*in_osv_range(limited, "2.9", cmp));
  EXPECT_FALSE(*in_osv_range(limited, "3.0", cmp));
  EXPECT_FALSE(in_osv_range(two, "x y z", cmp).ok());
}

}  // namespace
}  // namespace bulwark::vulndb

namespace bulwark::vulndb {
namespace {

TEST(Matcher, CarriesKevAndEpssOfTheAdvisoryCve) {
  bulwark::testing::TempDir dir;
  const std::string path = (dir.path() / "k.db").string();
  auto w = DbWriter::create(path);
  ASSERT_TRUE(w.ok());
  Advisory a;
  a.id = "GO-2099-0001";
  a.source = "osv-go";
  a.aliases = {"CVE-2099-1"};
  Affected x;
  x.ecosystem = "Go";
  x.package = "example.com/m";
  x.ranges.push_back({"SEMVER", {{EventKind::kIntroduced, "0"}, {EventKind::kFixed, "1.2.0"}}});
  a.affected.push_back(x);
  (*w)->add(a);
  (*w)->add_kev({"CVE-2099-1", "Ex", "M", "2099-01-01", "2099-01-21", true});
  (*w)->add_epss({"CVE-2099-1", 0.5, 0.9});
  ASSERT_TRUE((*w)->finish("2099-01-01T00:00:00Z").ok());
  auto db = VulnDb::open(path);
  ASSERT_TRUE(db.ok());
  auto r = match_package(**db, {"Go", "", "example.com/m", "v1.1.9"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->matches.size(), 1u);
  const auto& m = r->matches[0];
  EXPECT_EQ(m.status, Status::kFixed);
  ASSERT_TRUE(m.kev.has_value());
  EXPECT_TRUE(m.kev->known_ransomware);
  ASSERT_TRUE(m.epss.has_value());
  EXPECT_DOUBLE_EQ(m.epss->percentile, 0.9);
  auto none = match_package(**db, {"Go", "", "example.com/m", "v1.2.0"});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->matches.empty());
}

// Debian OVAL writes fixed version 0 both for issues still open and for packages not affected;
// where the tracker (OVAL's own source) speaks of the flaw, its verdict is the one used.
TEST(Matcher, TheDebianTrackerOverridesOvalsFixedVersionZero) {
  bulwark::testing::TempDir dir;
  const std::string path = (dir.path() / "d.db").string();
  auto w = DbWriter::create(path);
  ASSERT_TRUE(w.ok());
  auto debian = [](std::string id, std::string source, std::string package, Status status,
                   std::string detail) {
    Advisory a;
    a.id = std::move(id);
    a.source = std::move(source);
    Affected x;
    x.ecosystem = "Debian";
    x.release = "bookworm";
    x.package = std::move(package);
    x.package_kind = "source";
    x.status = status;
    x.status_detail = std::move(detail);
    if (status == Status::kUnfixed)
      x.ranges.push_back({"ECOSYSTEM", {{EventKind::kIntroduced, "0"}}});
    a.affected.push_back(x);
    return a;
  };
  std::string zero(kOvalNoFixedVersion);
  (*w)->add(debian("CVE-2011-3374", "debian-oval", "apt", Status::kUnfixed, zero));
  (*w)->add(debian("CVE-2099-0002", "debian-oval", "apt", Status::kUnfixed, zero));
  (*w)->add(debian("CVE-2099-0002", "debian-tracker", "apt", Status::kNotAffected, ""));
  (*w)->add(debian("CVE-2099-0003", "debian-oval", "apt", Status::kUnfixed, zero));
  (*w)->add(debian("CVE-2099-0003", "debian-tracker", "apt", Status::kUnfixed, "unimportant"));
  ASSERT_TRUE((*w)->finish("2099-01-01T00:00:00Z").ok());
  auto db = VulnDb::open(path);
  ASSERT_TRUE(db.ok());
  auto r = match_package(**db, {"Debian", "bookworm", "apt", "2.6.1"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  std::vector<std::string> seen;
  for (const auto& m : r->matches) seen.push_back(m.advisory_id + " " + m.source);
  std::sort(seen.begin(), seen.end());
  // Open per OVAL alone; not affected per the tracker; open per the tracker (its detail kept).
  EXPECT_EQ(seen, (std::vector<std::string>{"CVE-2011-3374 debian-oval",
                                            "CVE-2099-0003 debian-tracker"}));
  for (const auto& m : r->matches) {
    EXPECT_EQ(m.status, Status::kUnfixed);
    EXPECT_EQ(m.status_detail, m.source == "debian-oval" ? zero : "unimportant");
  }
}

}  // namespace
}  // namespace bulwark::vulndb
