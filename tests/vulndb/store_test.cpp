#include "vulndb/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "vulndb/locate.hpp"
#include "vulndb_test_support.hpp"

namespace bulwark::vulndb {
namespace {

using bulwark::testing::TempDir;

Advisory sample(std::string id, std::string release, std::string fixed) {
  Advisory a;
  a.id = std::move(id);
  a.source = "test";
  a.aliases = {"GHSA-xxxx"};
  a.cvss_v3_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
  a.cvss_v3_score = 9.8;
  a.severity = "CRITICAL";
  a.references = {"https://example.org/a"};
  Affected x;
  x.ecosystem = "Debian";
  x.release = std::move(release);
  x.package = "openssl";
  x.package_kind = "source";
  x.status = Status::kFixed;
  x.ranges.push_back({"ECOSYSTEM", {{EventKind::kIntroduced, "0"}, {EventKind::kFixed, fixed}}});
  a.affected.push_back(x);
  return a;
}

std::string write_db(const TempDir& dir, const std::string& name = "v.db") {
  const std::string path = (dir.path() / name).string();
  auto w = DbWriter::create(path);
  EXPECT_TRUE(w.ok());
  (*w)->add(sample("CVE-2023-0286", "bookworm", "3.0.8-1"));
  // Same (source, id): merged into one advisory, aliases not duplicated.
  (*w)->add(sample("CVE-2023-0286", "bullseye", "1.1.1n-0+deb11u4"));
  Advisory py;
  py.id = "PYSEC-1";
  py.source = "osv-pysec";
  Affected x;
  x.ecosystem = "PyPI";
  x.package = normalize_package("PyPI", "Foo_Bar.baz");
  x.ranges.push_back(
      {"ECOSYSTEM", {{EventKind::kIntroduced, "1.0"}, {EventKind::kLastAffected, "1.4"}}});
  x.versions = {"1.0", "1.4"};
  x.constraints = {{ConstraintKind::kPatched, ">= 1.5"}};
  py.affected.push_back(x);
  (*w)->add(py);
  (*w)->add_kev({"CVE-2023-0286", "OpenSSL", "OpenSSL", "2023-03-01", "2023-03-22", false});
  (*w)->add_source({"test", "unit", "memory", "2023-02-07", 2, 0, 0, "{}"});
  EXPECT_TRUE((*w)->finish("2026-01-01T00:00:00Z").ok());
  return path;
}

TEST(VulnDbStore, RoundTripsAdvisoriesAndMergesTheSameId) {
  TempDir dir;
  auto db = VulnDb::open(write_db(dir));
  ASSERT_TRUE(db.ok()) << db.error().message();
  auto info = (*db)->info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->schema_version, kSchemaVersion);
  EXPECT_EQ(info->built_at, "2026-01-01T00:00:00Z");
  EXPECT_EQ(info->advisories, 2u);
  EXPECT_EQ(info->affected, 3u);
  EXPECT_EQ(info->aliases, 1u);
  EXPECT_EQ(info->kev, 1u);
  ASSERT_EQ(info->sources.size(), 1u);
  EXPECT_EQ(info->sources[0].date, "2023-02-07");

  auto rows = (*db)->lookup("Debian", "bullseye", "openssl");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].advisory_id, "CVE-2023-0286");
  EXPECT_EQ((*rows)[0].affected.status, Status::kFixed);
  EXPECT_EQ(testing::events_str((*rows)[0].affected.ranges.at(0)), "i:0 f:1.1.1n-0+deb11u4");

  // Lookup normalises the name the way the ecosystem does (PEP 503).
  auto py = (*db)->lookup("pypi", "", "foo-bar_Baz");
  ASSERT_TRUE(py.ok());
  ASSERT_EQ(py->size(), 1u);
  const auto& x = (*py)[0].affected;
  EXPECT_EQ(testing::events_str(x.ranges.at(0)), "i:1.0 l:1.4");
  EXPECT_EQ(x.versions, (std::vector<std::string>{"1.0", "1.4"}));
  ASSERT_EQ(x.constraints.size(), 1u);
  EXPECT_EQ(x.constraints[0].text, ">= 1.5");

  auto full = (*db)->advisories_by_id("CVE-2023-0286");
  ASSERT_TRUE(full.ok());
  ASSERT_EQ(full->size(), 1u);
  EXPECT_EQ((*full)[0].affected.size(), 2u);
  EXPECT_EQ((*full)[0].aliases, std::vector<std::string>{"GHSA-xxxx"});
  ASSERT_TRUE((*full)[0].cvss_v3_score.has_value());
  EXPECT_DOUBLE_EQ(*(*full)[0].cvss_v3_score, 9.8);
  EXPECT_TRUE((*db)->lookup("Debian", "bookworm", "curl")->empty());
}

TEST(VulnDbStore, AFileThatIsNotSqliteIsAOneLineError) {
  TempDir dir;
  bulwark::testing::write_file(dir.path() / "x.db",
                               "this is not a database at all, just text that is long enough to "
                               "have a header of one hundred bytes.............");
  auto db = VulnDb::open((dir.path() / "x.db").string());
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.error().message().find("not a SQLite database"), std::string::npos);
  EXPECT_EQ(db.error().message().find('\n'), std::string::npos);
  auto empty = VulnDb::open((dir.path() / "missing.db").string());
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message().find("missing.db"), std::string::npos);
}

TEST(VulnDbStore, ATruncatedFileIsRefusedBeforeAnyQuery) {
  TempDir dir;
  const auto path = write_db(dir);
  const auto size = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, size / 2);
  auto db = VulnDb::open(path);
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.error().message().find("truncated"), std::string::npos) << db.error().message();
}

TEST(VulnDbStore, AnotherSchemaVersionOrAForeignSqliteFileIsRefused) {
  TempDir dir;
  const auto path = write_db(dir);
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &h), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(h, "UPDATE metadata SET value='999' WHERE key='schema_version'", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(h);
  auto db = VulnDb::open(path);
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.error().message().find("schema version 999"), std::string::npos)
      << db.error().message();

  const std::string foreign = (dir.path() / "foreign.db").string();
  ASSERT_EQ(sqlite3_open(foreign.c_str(), &h), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(h, "CREATE TABLE t(x); INSERT INTO t VALUES (1);", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(h);
  auto f = VulnDb::open(foreign);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message().find("not a bulwark database"), std::string::npos)
      << f.error().message();
}

TEST(VulnDbLocate, AbsentDatabaseSaysHowToGetOne) {
  TempDir dir;
  auto r = open_for_scan((dir.path() / "none.db").string(), 7, std::time(nullptr));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("bulwark db update"), std::string::npos);
  EXPECT_NE(r.error().message().find("bulwark db build"), std::string::npos);
}

TEST(VulnDbLocate, WarnsWhenOlderThanTheMaximumAge) {
  TempDir dir;
  const auto path = write_db(dir);  // built 2026-01-01
  const auto built = parse_rfc3339_utc("2026-01-01T00:00:00Z");
  ASSERT_TRUE(built.has_value());
  auto fresh = open_for_scan(path, 7, *built + 3 * 86400);
  ASSERT_TRUE(fresh.ok());
  EXPECT_FALSE(fresh->warning.has_value());
  auto old = open_for_scan(path, 7, *built + 30 * 86400);
  ASSERT_TRUE(old.ok());
  ASSERT_TRUE(old->warning.has_value());
  EXPECT_NE(old->warning->find("30 days ago"), std::string::npos) << *old->warning;
}

TEST(VulnDbLocate, FlagThenEnvironmentThenCache) {
  EXPECT_EQ(resolve_db_path("/x.db").chosen_by, "--db");
  ::setenv("BULWARK_DB", "/env.db", 1);
  EXPECT_EQ(resolve_db_path("").path, "/env.db");
  ::unsetenv("BULWARK_DB");
  ::setenv("XDG_CACHE_HOME", "/cachehome", 1);
  EXPECT_EQ(resolve_db_path("").path, "/cachehome/bulwark/db/bulwark.db");
}

}  // namespace
}  // namespace bulwark::vulndb
