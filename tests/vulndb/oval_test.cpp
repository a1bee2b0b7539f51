#include <gtest/gtest.h>

#include "vulndb_test_support.hpp"

namespace bulwark::vulndb {
namespace {

struct OvalSpot {
  const char* release;
  const char* id;
  const char* package;
  const char* fixed;
};
// Debian: from each release file, the package and version named in the definition's
// criterion comment ("glibc DPKG is earlier than 2.2-1"), which the importer does not read:
// it resolves test -> object -> state instead, so these check that resolution.
constexpr OvalSpot kDebian[] = {
    {"bookworm", "CVE-1999-0199", "glibc", "2.2-1"},
    {"bookworm", "CVE-2018-1000632", "dom4j", "2.1.1-1"},
    {"bookworm", "CVE-2023-1989", "linux", "6.1.25-1"},
    {"bullseye", "CVE-1999-0199", "glibc", "2.2-1"},
    {"bullseye", "CVE-2018-11645", "ghostscript", "9.21~dfsg-1"},
    {"buster", "CVE-1999-0199", "glibc", "2.2-1"},
    {"buster", "CVE-2017-9434", "libcrypto++", "5.6.4-7"},
    {"jessie", "DSA-3253-1", "pound", "2.6-6+deb8u1"},
    {"jessie", "DSA-3762-1", "tiff", "4.0.3-12.3+deb8u2"},
    {"stretch", "DSA-4692-1", "netqmail", "1.06-6.2~deb9u1"},
    {"stretch", "DSA-4454-1", "qemu", "1:2.8+dfsg-6+deb9u6"},
    {"wheezy", "DSA-2892-1", "a2ps", "1:4.14-1.1+deb7u1"},
    {"wheezy", "DSA-3257-1", "mercurial", "2.2.2-4+deb7u1"},
};
// Ubuntu: USN -> binary package names through constant variables, resolved in Python.
constexpr OvalSpot kUbuntu[] = {
    {"lunar", "USN-5900-2", "tar", "1.34+dfsg-1.2ubuntu0.1"},
    {"lunar", "USN-6190-1", "accountsservice", "22.08.8-1ubuntu7.1"},
    {"lunar", "USN-6358-1", "ruby-redcloth", "4.3.2-4ubuntu0.23.04.1"},
    {"lunar", "USN-6488-1", "charon-cmd", "5.9.8-3ubuntu4.1"},
    {"noble", "USN-6844-2", "cups", "2.4.7-1.2ubuntu7.2"},
    {"noble", "USN-6967-1", "intel-microcode", "3.20240813.0ubuntu0.24.04.2"},
    {"noble", "USN-7082-1", "heif-gdk-pixbuf", "1.17.6-1ubuntu4.1"},
    {"oracular", "USN-7042-3", "cups-browsed", "2.0.1-0ubuntu2.1"},
    {"oracular", "USN-7094-1", "qemu-block-extra", "1:9.0.2+ds-4ubuntu5.1"},
    {"oracular", "USN-7117-2", "needrestart", "3.6-8ubuntu4.3"},
    {"oracular", "USN-7147-1", "libshiro-java", "1.3.2-5ubuntu0.24.10.1"},
    {"noble", "USN-7000-1", "expat", ""},  // checked for presence only (below)
};

void check(const VectorSink& sink, const OvalSpot& s) {
  const auto* x = testing::find_affected(sink, s.id, s.release, s.package);
  ASSERT_NE(x, nullptr) << s.release << " " << s.id << " " << s.package;
  if (*s.fixed == '\0') return;
  EXPECT_EQ(x->status, Status::kFixed) << s.id;
  ASSERT_EQ(x->ranges.size(), 1u) << s.id;
  EXPECT_EQ(testing::events_str(x->ranges[0]), std::string("i:0 f:") + s.fixed) << s.id;
}

TEST(DebianOvalFeed, ImportsEveryDefinitionOfEveryRelease) {
  BW_REQUIRE_SHARED(shared);
  auto feed = testing::load(shared / "advisories/debian-oval.tar.zst");
  const auto* s = testing::source(feed->report, "debian-oval");
  ASSERT_NE(s, nullptr);
  // SOURCES.md: 25,932 + 27,311 + 26,617 + 4,532 + 4,811 + 3,807 definitions; 7 of them have
  // no package test.
  EXPECT_EQ(s->imported + s->skipped, 93010u);
  EXPECT_EQ(s->imported, 93003u);
  EXPECT_EQ(s->failed, 0u);
  std::map<std::string, size_t> per_release;
  for (const auto& a : feed->sink.advisories) per_release[a.affected.at(0).release]++;
  size_t total = 0;
  for (const auto& [rel, n] : per_release) total += n;
  EXPECT_EQ(total, 93003u);
  EXPECT_EQ(per_release.size(), 6u);
  EXPECT_GE(per_release["jessie"], 4811u - 7);
  for (const auto& spot : kDebian) check(feed->sink, spot);
  // Fixed version "0": no fix in that release (open, or not affected: OVAL cannot say which).
  // bookworm has 1,533 such tests (grep -c 'DPKG is earlier than 0"'); three of them are
  // issues the Debian tracker lists as open in bookworm.
  size_t no_fixed_version = 0;
  for (const auto& a : feed->sink.advisories)
    for (const auto& x : a.affected) {
      EXPECT_NE(x.status, Status::kNotAffected) << a.id;
      if (x.status == Status::kUnfixed && x.status_detail == kOvalNoFixedVersion)
        ++no_fixed_version;
    }
  EXPECT_GE(no_fixed_version, 1533u);
  for (const auto& [cve, package] : {std::pair{"CVE-2011-3374", "apt"},
                                     {"CVE-2022-27943", "gcc-12"},
                                     {"CVE-2022-3219", "gnupg2"}}) {
    const auto* open = testing::find_affected(feed->sink, cve, "bookworm", package);
    ASSERT_NE(open, nullptr) << cve;
    EXPECT_EQ(open->status, Status::kUnfixed) << cve;
    ASSERT_EQ(open->ranges.size(), 1u) << cve;
    ASSERT_EQ(open->ranges[0].events.size(), 1u) << cve;  // introduced 0, never fixed
    EXPECT_EQ(open->ranges[0].events[0].kind, EventKind::kIntroduced) << cve;
  }
  // A DSA definition carries its CVEs as aliases.
  const auto* dsa = testing::find_affected(feed->sink, "DSA-3253-1", "jessie", "pound");
  ASSERT_NE(dsa, nullptr);
  for (const auto* a : testing::find_all(feed->sink, "DSA-3253-1"))
    EXPECT_FALSE(a->aliases.empty());
}

TEST(UbuntuOvalFeed, ResolvesBinaryPackagesThroughVariables) {
  BW_REQUIRE_SHARED(shared);
  auto feed = testing::load(shared / "advisories/ubuntu-oval.tar.zst");
  const auto* s = testing::source(feed->report, "ubuntu-oval");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->imported, 502u);  // 580 USN patch definitions, 78 of them kernel live patches
  EXPECT_EQ(s->failed, 0u);
  for (const auto& spot : kUbuntu) check(feed->sink, spot);
  const auto usn = testing::find_all(feed->sink, "USN-7000-1");
  ASSERT_EQ(usn.size(), 1u);
  EXPECT_EQ(usn[0]->severity, "MEDIUM");
  EXPECT_EQ(usn[0]->published, "2024-09-12");
  EXPECT_EQ(usn[0]->affected[0].package_kind, "binary");
  EXPECT_FALSE(usn[0]->aliases.empty());
}

TEST(OvalImport, ACutDocumentIsRefusedWithItsLine) {
  const std::string doc = R"(<?xml version="1.0"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5">
  <definitions>
    <definition id="d1" version="1" class="vulnerability">
      <metadata><title>CVE-2020-1 foo</title></metadata>
      <criteria><criterion test_ref="t1"/></criteria>
    </definition>
  </definitions>
  <tests><dpkginfo_test id="t1"><object object_ref="o1"/><state state_ref="s1"/></dpkginfo_test></tests>
  <objects><dpkginfo_object id="o1"><name>foo</name></dpkginfo_object></objects>
  <states><dpkginfo_state id="s1"><evr operation="less than">0:1.2-3</evr></dpkginfo_state></states>
</oval_definitions>
)";
  VectorSink whole;
  ImportStats ok_stats;
  import_oval_text("bookworm.xml", doc, OvalFlavor::kDebian, "bookworm", whole, ok_stats);
  EXPECT_EQ(ok_stats.imported, 1u);
  ASSERT_EQ(whole.advisories.size(), 1u);
  EXPECT_EQ(testing::events_str(whole.advisories[0].affected.at(0).ranges.at(0)), "i:0 f:1.2-3");

  VectorSink cut;
  ImportStats stats;
  import_oval_text("bookworm.xml", doc.substr(0, doc.size() / 2), OvalFlavor::kDebian, "bookworm",
                   cut, stats);
  EXPECT_EQ(stats.failed, 1u);
  EXPECT_TRUE(cut.advisories.empty());
  ASSERT_EQ(stats.errors.size(), 1u);
  EXPECT_NE(stats.errors[0].find("bookworm.xml: malformed OVAL XML (line"), std::string::npos)
      << stats.errors[0];
}

}  // namespace
}  // namespace bulwark::vulndb
