#include <gtest/gtest.h>

#include "vulndb_test_support.hpp"

namespace bulwark::vulndb {
namespace {

struct RubySpot {
  const char* id;
  const char* gem;
  const char* patched;  // " | "-joined requirement strings, as in the file
  const char* unaffected;
};
// From the extracted feed (every Nth gems/*/*.yml), read with Python's yaml module.
constexpr RubySpot kSpots[] = {
    {"CVE-2014-2322", "Arabic-Prawn", "", ""},
    {"GHSA-pmwx-rm49-xv39", "activerecord-tenanted", ">= 0.7.0", ""},
    {"CVE-2022-29498", "blazer", ">= 2.6.0", ""},
    {"CVE-2023-37463", "commonmarker", ">= 0.23.10", ""},
    {"CVE-2019-7615", "elastic-apm", ">= 2.9.0", ""},
    {"CVE-2023-32732", "grpc", ">= 1.53.0", ""},
    {"CVE-2016-1000221", "logstash-core", ">= 2.3.4", ""},
    {"CVE-2022-29181", "nokogiri", ">= 1.13.6", ""},
    {"GHSA-mjgf-xj26-9qf9", "pay", ">= 11.6.2", ""},
    {"CVE-2022-44570", "rack",
     "~> 2.0.9, >= 2.0.9.2 | ~> 2.1.4, >= 2.1.4.2 | ~> 2.2.6, >= 2.2.6.2 | >= 3.0.4.1", ""},
    {"CVE-2024-41946", "rexml", ">= 3.3.3", ""},
    {"CVE-2022-45442", "sinatra", "~> 2.2.3 | >= 3.0.4", ""},
    {"CVE-2008-7248", "actionpack", "~> 2.1.3 | >= 2.2.2", "< 2.1.0"},
};

std::string joined(const Affected& x, ConstraintKind k) {
  std::string out;
  for (const auto& c : x.constraints) {
    if (c.kind != k) continue;
    if (!out.empty()) out += " | ";
    out += c.text;
  }
  return out;
}

TEST(RubySecFeed, ImportsEveryGemAdvisoryAndSkipsInterpreterOnes) {
  BW_REQUIRE_SHARED(shared);
  auto feed = testing::load(shared / "advisories/rubysec-ruby-advisory-db.tar.zst");
  const auto* s = testing::source(feed->report, "rubysec");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->imported, 1234u);  // SOURCES.md: 1,234 gem advisories
  EXPECT_EQ(s->failed, 0u);
  for (const auto& spot : kSpots) {
    const auto found = testing::find_all(feed->sink, spot.id);
    const Advisory* a = nullptr;
    for (const auto* f : found)
      if (f->affected[0].package == spot.gem) a = f;
    ASSERT_NE(a, nullptr) << spot.id;
    const auto& x = a->affected[0];
    EXPECT_EQ(x.ecosystem, "RubyGems");
    EXPECT_EQ(joined(x, ConstraintKind::kPatched), spot.patched) << spot.id;
    EXPECT_EQ(joined(x, ConstraintKind::kUnaffected), spot.unaffected) << spot.id;
    if (std::string(spot.patched).empty() && std::string(spot.unaffected).empty()) {
      EXPECT_EQ(joined(x, ConstraintKind::kVulnerable), ">= 0") << spot.id;
    }
  }
  const auto ap = testing::find_all(feed->sink, "CVE-2008-7248");
  ASSERT_FALSE(ap.empty());
  EXPECT_EQ(ap[0]->aliases, (std::vector<std::string>{"GHSA-8fqx-7pv4-3jwm"}));
}

TEST(RubySecImport, RequirementsThatAreNotAListAreRejected) {
  VectorSink sink;
  ImportStats stats;
  import_rubysec("gems/x/CVE-1.yml", "gem: x\npatched_versions: \">= 1\"\n", sink, stats);
  import_rubysec("gems/x/CVE-2.yml", "gem: x\npatched_versions:\n  - \">= 1\"\ncvss_v3: 9.8\n",
                 sink, stats);
  EXPECT_EQ(stats.failed, 1u);
  ASSERT_EQ(sink.advisories.size(), 1u);
  EXPECT_EQ(sink.advisories[0].id, "CVE-2");
  EXPECT_EQ(sink.advisories[0].severity, "CRITICAL");
}

}  // namespace
}  // namespace bulwark::vulndb
