#include <gtest/gtest.h>

#include "vulndb_test_support.hpp"

namespace bulwark::vulndb {
namespace {

struct AlpineSpot {
  const char* id;
  const char* branch;
  const char* package;
  const char* fixed;
};
// From the extracted feed (a middle package of every 4th branch file, its lowest fixed
// version), read with Python's json module.
constexpr AlpineSpot kSpots[] = {
    {"CVE-2019-11461", "edge", "nautilus", "3.32.1-r0"},
    {"CVE-2016-1248", "3.11", "neovim", "0.1.6-r1"},
    {"CVE-2020-28926", "3.13", "minidlna", "1.2.1-r2"},
    {"CVE-2018-25032", "3.15", "minizip", "1.2.12-r0"},
    {"CVE-2020-15866", "3.17", "mruby", "2.1.2-r0"},
    {"CVE-2022-26495", "3.19", "nbd", "3.24-r0"},
    {"CVE-2022-2309", "3.20", "libxml2", "2.10.0-r0"},
    {"CVE-2016-7947", "3.3", "libxrandr", "1.5.0-r1"},
    {"CVE-2017-16612", "3.5", "libxcursor", "1.1.15-r0"},
    {"CVE-2018-14598", "3.7", "libx11", "1.6.6-r0"},
    {"CVE-2018-10933", "3.9", "libssh", "0.7.6-r0"},
    {"CVE-2017-3167", "3.19", "apache2", "2.4.26-r0"},
};

TEST(AlpineSecdbFeed, ImportsEveryFixTupleOfEveryBranch) {
  BW_REQUIRE_SHARED(shared);
  auto feed = testing::load(shared / "advisories/alpine-secdb.tar.zst");
  const auto* s = testing::source(feed->report, "alpine-secdb");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->imported, 85270u);  // SOURCES.md: 85,270 (package, fixed-version, id) tuples
  EXPECT_EQ(s->failed, 0u);
  for (const auto& spot : kSpots) {
    bool seen = false;
    for (const auto* a : testing::find_all(feed->sink, spot.id))
      for (const auto& x : a->affected)
        if (x.release == spot.branch && x.package == spot.package) {
          seen = true;
          EXPECT_EQ(x.ecosystem, "Alpine");
          EXPECT_EQ(x.status, Status::kFixed);
          ASSERT_EQ(x.ranges.size(), 1u);
          EXPECT_EQ(testing::events_str(x.ranges[0]), std::string("i:0 f:") + spot.fixed);
        }
    EXPECT_TRUE(seen) << spot.id << " " << spot.branch << " " << spot.package;
  }
  // Fixed version "0": the branch was never affected.
  size_t not_affected = 0;
  for (const auto& a : feed->sink.advisories)
    not_affected += a.affected[0].status == Status::kNotAffected;
  EXPECT_EQ(not_affected, 553u);  // ids listed under the 317 "0" keys (counted in Python)
}

TEST(AlpineSecdbImport, ExtraTokensBecomeAliasesAndZeroMeansNotAffected) {
  VectorSink sink;
  ImportStats stats;
  import_alpine_secdb("v3.19/main.json", R"({"distroversion":"v3.19","reponame":"main",
    "packages":[{"pkg":{"name":"gimp","secfixes":{"0":["CVE-2023-1"],
      "2.10.36-r0":["CVE-2023-44441 ZDI-CAN-22093"]}}}, {"nopkg":1}]})",
                      sink, stats);
  EXPECT_EQ(stats.failed, 1u);
  ASSERT_EQ(sink.advisories.size(), 2u);
  EXPECT_EQ(sink.advisories[0].affected[0].status, Status::kNotAffected);
  EXPECT_EQ(sink.advisories[1].id, "CVE-2023-44441");
  EXPECT_EQ(sink.advisories[1].aliases, std::vector<std::string>{"ZDI-CAN-22093"});
  EXPECT_EQ(sink.advisories[1].affected[0].release, "3.19");
}

}  // namespace
}  // namespace bulwark::vulndb
