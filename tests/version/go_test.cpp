// Go module versions: SemVer precedence checked against node-semver on the real versions of the
// Go vulnerability database (pseudo-versions included), plus Go-specific rules as facts.
#include <gtest/gtest.h>

#include "version/differential.hpp"
#include "version/version.hpp"

namespace bulwark {
namespace {

TEST(GoVersion, OrdersPseudoVersionsAndIgnoresIncompatible) {
  auto cmp = [](std::string_view a, std::string_view b) { return *version::compare("Go", a, b); };
  EXPECT_EQ(cmp("v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20200101000000-aaaaaaaaaaaa"), -1);
  EXPECT_EQ(cmp("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3"), 1);  // after its base
  EXPECT_EQ(cmp("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4"), -1);
  EXPECT_EQ(cmp("v2.0.0+incompatible", "2.0.0"), 0);
  EXPECT_EQ(cmp("1.21.0", "v1.9.0"), 1);
  EXPECT_EQ(cmp("v100000000000000000000.0.0", "v99999999999999999999.0.0"), 1);  // unbounded
  EXPECT_FALSE(version::compare("Go", "v1.0.0+incompatible", "v1.0.0").ok());
  EXPECT_FALSE(version::compare("Go", "v1.2", "v1.2.0").ok());
  EXPECT_EQ(cmp("11.0.6+security-01", "11.0.6"), 0);  // as in the Go vulndb
  EXPECT_TRUE(*version::satisfies("Go", "v1.20.5", ">= 1.20.0, < 1.20.6"));
}

TEST(GoVersion, AgreesWithSemverPrecedenceOnTheGoVulnDb) {
  BW_REQUIRE_SHARED(shared);
  std::string why;
  std::string module = testing::npm_semver_module(&why);
  if (module.empty()) BW_SKIP_OR_FAIL(why);
  std::string why_grep;
  auto versions = testing::dedupe(testing::grep_advisories(
      shared, "go-vulndb-osv.tar.zst", "'*.json'",
      R"re("(?:introduced|fixed|last_affected)": "\K[0-9][^"]*)re", &why_grep));
  std::printf("[real] Go: %zu distinct versions from the Go vulndb\n", versions.size());
  ASSERT_GT(versions.size(), 1000u) << why_grep;
  auto pairs = testing::make_pairs(versions, 8000, testing::seed(17));
  std::vector<std::string> ref;
  ASSERT_TRUE(testing::run_reference(
      "node " + testing::reference_dir() + "/semver_ref.js '" + module + "' compare", pairs, &ref,
      &why))
      << why;
  testing::expect_agreement("Go compare vs SemVer precedence (node-semver)",
                            testing::diff_against("Go", "compare", pairs, ref));
}

}  // namespace
}  // namespace bulwark
