#include <gtest/gtest.h>

#include "vulndb_test_support.hpp"

namespace bulwark::vulndb {
namespace {

struct DsaSpot {
  const char* source;
  const char* id;
  const char* first_cve;
  const char* release;
  const char* package;
  const char* fixed;
};
// From the extracted lists (every Nth block), parsed with Python regular expressions.
constexpr DsaSpot kSpots[] = {
    {"debian-dsa", "DSA-5380-1", "CVE-2023-1393", "bullseye", "xorg-server", "2:1.20.11-1+deb11u6"},
    {"debian-dsa", "DSA-4502-1", "CVE-2019-12730", "buster", "ffmpeg", "7:4.1.4-1~deb10u1"},
    {"debian-dsa", "DSA-3642-1", "CVE-2016-1000212", "jessie", "lighttpd", "1.4.35-4+deb8u1"},
    {"debian-dsa", "DSA-2775-1", "CVE-2013-6169", "squeeze", "ejabberd", "2.1.5-3+squeeze2"},
    {"debian-dsa", "DSA-1900-1", "CVE-2009-3229", "etch", "postgresql-7.4", "1:7.4.26-0etch1"},
    {"debian-dsa", "DSA-1025-1", "CVE-2006-1550", "woody", "dia", "0.88.1-3woody1"},
    {"debian-dla", "DLA-3380-1", "CVE-2020-12362", "buster", "firmware-nonfree",
     "20190114+really20220913-0+deb10u1"},
    {"debian-dla", "DLA-2807-1", "CVE-2018-5740", "stretch", "bind9",
     "1:9.10.3.dfsg.P4-12.3+deb9u10"},
    {"debian-dla", "DLA-2233-2", "", "jessie", "python-django", "1.7.11-1+deb8u10"},
    {"debian-dla", "DLA-1690-1", "CVE-2019-6256", "jessie", "liblivemedia", "2014.01.13-1+deb8u2"},
    {"debian-dla", "DLA-1123-1", "CVE-2017-1000098", "wheezy", "golang", "2:1.0.2-1.1+deb7u1"},
    {"debian-dla", "DLA-565-1", "CVE-2016-1238", "wheezy", "perl", "5.14.2-21+deb7u4"},
};

TEST(DsaListFeed, ImportsEveryDsaAndDla) {
  BW_REQUIRE_SHARED(shared);
  auto feed = testing::load(shared / "advisories/debian-security-tracker-lists.tar.zst");
  const auto* dsa = testing::source(feed->report, "debian-dsa");
  const auto* dla = testing::source(feed->report, "debian-dla");
  ASSERT_NE(dsa, nullptr);
  ASSERT_NE(dla, nullptr);
  EXPECT_EQ(dsa->imported, 5406u);  // SOURCES.md
  EXPECT_EQ(dla->imported, 3534u);
  EXPECT_EQ(dsa->failed + dla->failed, 0u);
  EXPECT_EQ(dsa->date, "2023-03-29");  // newest DSA-5380-1
  for (const auto& s : kSpots) {
    const auto found = testing::find_all(feed->sink, s.id);
    ASSERT_EQ(found.size(), 1u) << s.id;
    EXPECT_EQ(found[0]->source, s.source);
    if (*s.first_cve != '\0') {
      ASSERT_FALSE(found[0]->aliases.empty()) << s.id;
      EXPECT_EQ(found[0]->aliases[0], s.first_cve);
    }
    const auto* x = testing::find_affected(feed->sink, s.id, s.release, s.package);
    ASSERT_NE(x, nullptr) << s.id;
    EXPECT_EQ(x->status, Status::kFixed);
    EXPECT_EQ(testing::events_str(x->ranges.at(0)), std::string("i:0 f:") + s.fixed) << s.id;
  }
  const auto first = testing::find_all(feed->sink, "DSA-5380-1");
  EXPECT_EQ(first[0]->published, "2023-03-29");
}

TEST(DsaListImport, ReadsStatusesAndReportsBadLines) {
  VectorSink sink;
  ImportStats stats;
  import_dsa_list("list",
                  "\tstray line before any header\n"
                  "[01 Jan 2020] DSA-1-1 foo - security update\n"
                  "\t{CVE-2020-1 CVE-2020-2}\n"
                  "\t[buster] - foo <not-affected> (Vulnerable code not present)\n"
                  "\t[stretch] - foo 1.0-1+deb9u1\n"
                  "\tNOTE: prose is skipped\n"
                  "[99 Foo 2020] DSA-2-1 bar - security update\n"
                  "[02 Jan 2020] DSA-3-1 baz - security update\n"
                  "\t[buster] - baz\n",
                  "debian-dsa", sink, stats);
  EXPECT_EQ(stats.imported, 1u);
  EXPECT_EQ(stats.failed, 3u);
  ASSERT_EQ(sink.advisories.size(), 1u);
  const auto& a = sink.advisories[0];
  EXPECT_EQ(a.aliases, (std::vector<std::string>{"CVE-2020-1", "CVE-2020-2"}));
  EXPECT_EQ(a.published, "2020-01-01");
  ASSERT_EQ(a.affected.size(), 2u);
  EXPECT_EQ(a.affected[0].status, Status::kNotAffected);
  EXPECT_EQ(a.affected[1].status, Status::kFixed);
}

}  // namespace
}  // namespace bulwark::vulndb
