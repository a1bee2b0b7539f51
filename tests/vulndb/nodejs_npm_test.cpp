#include <gtest/gtest.h>

#include <cmath>

#include "vulndb/cvss.hpp"
#include "vulndb_test_support.hpp"

namespace bulwark::vulndb {
namespace {

struct NpmSpot {
  const char* id;
  const char* module;
  const char* vulnerable;
  const char* patched;
};
constexpr NpmSpot kSpots[] = {
    {"NSWG-ECO-1", "bassmaster", "<=1.5.1", ">=1.5.2"},
    {"NSWG-ECO-138", "c3", "<=0.4.10", ">=0.4.11"},
    {"NSWG-ECO-175", "selenium-binaries", "<=99.999.99999", "<0.0.0"},
    {"NSWG-ECO-21", "libyaml", "<0.2.3", ">=0.2.3"},
    {"NSWG-ECO-244", "jstestdriver", "<=99.999.99999", "<0.0.0"},
    {"NSWG-ECO-28", "qs", "<1.0.0", ">= 1.x"},
    {"NSWG-ECO-315", "summit", ">=0.1.0", "<0.0.0"},
    {"NSWG-ECO-369", "mixin-deep", "<1.3.1", ">=1.3.1"},
    {"NSWG-ECO-402", "http-proxy-agent", "<=2.0.0", ">=2.1.0"},
    {"NSWG-ECO-437", "sexstatic", "<=0.6.2", ""},
    {"NSWG-ECO-476", "cryptiles", ">=3.1.0 <4.1.2", ">=4.1.2"},
    {"NSWG-ECO-511", "seeftl", "*", ""},
};

TEST(NodejsNpmFeed, ImportsEveryNpmAdvisoryWithItsRanges) {
  BW_REQUIRE_SHARED(shared);
  auto feed = testing::load(shared / "advisories/nodejs-security-wg-vulns.tar.zst");
  const auto* s = testing::source(feed->report, "nodejs-security-wg");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->imported, 467u);
  EXPECT_EQ(s->failed, 0u);
  for (const auto& spot : kSpots) {
    const auto found = testing::find_all(feed->sink, spot.id);
    ASSERT_EQ(found.size(), 1u) << spot.id;
    const auto& x = found[0]->affected.at(0);
    EXPECT_EQ(x.ecosystem, "npm");
    EXPECT_EQ(x.package, spot.module);
    ASSERT_FALSE(x.constraints.empty());
    EXPECT_EQ(x.constraints[0].kind, ConstraintKind::kVulnerable);
    EXPECT_EQ(x.constraints[0].text, spot.vulnerable) << spot.id;
    const std::string patched = x.constraints.size() > 1 ? x.constraints[1].text : "";
    EXPECT_EQ(patched, spot.patched) << spot.id;
  }
  const auto one = testing::find_all(feed->sink, "NSWG-ECO-1");
  EXPECT_EQ(one[0]->aliases, std::vector<std::string>{"CVE-2014-7205"});
}

// Differential: the feed states both the CVSS v3 vector and a score. Some published scores do
// not belong to their vector (e.g. AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N published as 9.3; the
// spec's formula gives 7.5), so the check is that the calculator agrees on the large majority
// and the importer stores the score computed from the vector, not the feed's number.
TEST(NodejsNpmFeed, CvssScoresComputedFromVectorsMatchMostPublishedScores) {
  BW_REQUIRE_SHARED(shared);
  size_t compared = 0, agreed = 0, invalid = 0;
  auto r = walk_feed_for_test(
      shared / "advisories/nodejs-security-wg-vulns.tar.zst", [&](const nlohmann::json& j) {
        const auto v = core::json_string(j, "cvss_vector");
        if (v.rfind("CVSS:3", 0) != 0 || !j.contains("cvss_score") || !j["cvss_score"].is_number())
          return;
        auto s = cvss3_base_score(v);
        if (!s) {  // e.g. "I:U/A:U": not a CVSS v3 metric value
          ++invalid;
          return;
        }
        ++compared;
        agreed += std::fabs(*s - j["cvss_score"].get<double>()) < 1e-9;
      });
  ASSERT_TRUE(r.ok()) << r.error().message();
  std::printf("CVSS v3: %zu of %zu published scores equal the computed ones\n", agreed, compared);
  EXPECT_GT(compared, 300u);
  EXPECT_GT(agreed * 10, compared * 9);
  EXPECT_LE(invalid, 3u);
  auto feed = testing::load(shared / "advisories/nodejs-security-wg-vulns.tar.zst");
  for (const auto& a : feed->sink.advisories)
    if (a.cvss_v3_vector == "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N") {
      ASSERT_TRUE(a.cvss_v3_score.has_value());
      EXPECT_DOUBLE_EQ(*a.cvss_v3_score, 7.5) << a.id;
    }
}

}  // namespace
}  // namespace bulwark::vulndb
