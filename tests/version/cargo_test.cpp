// Cargo: SemVer precedence checked against node-semver on the real versions of the RustSec
// database; requirement matching against the semver crate's documented examples (facts from
// doc.rust-lang.org/cargo/reference/specifying-dependencies.html).
#include <gtest/gtest.h>

#include "version/differential.hpp"
#include "version/version.hpp"

namespace bulwark {
namespace {

bool sat(std::string_view v, std::string_view r) {
  auto s = version::satisfies("crates.io", v, r);
  EXPECT_TRUE(s.ok()) << v << " " << r << ": " << (s.ok() ? "" : s.error().message());
  return s.ok() && *s;
}

TEST(CargoVersion, CaretTildeAndWildcardsAsTheCargoBook) {
  // ^1.2.3 := >=1.2.3, <2.0.0 ... ^0.0 := >=0.0.0, <0.1.0; ^0 := >=0.0.0, <1.0.0
  EXPECT_TRUE(sat("1.9.9", "^1.2.3"));
  EXPECT_FALSE(sat("2.0.0", "^1.2.3"));
  EXPECT_TRUE(sat("0.2.9", "^0.2.3"));
  EXPECT_FALSE(sat("0.3.0", "^0.2.3"));
  EXPECT_TRUE(sat("0.0.3", "^0.0.3"));
  EXPECT_FALSE(sat("0.0.4", "^0.0.3"));
  EXPECT_TRUE(sat("0.0.9", "^0.0"));
  EXPECT_FALSE(sat("0.1.0", "^0.0"));
  EXPECT_TRUE(sat("0.9.0", "^0"));
  EXPECT_TRUE(sat("1.2.3", "1.2.3"));  // bare = caret
  EXPECT_TRUE(sat("1.4.0", "1.2.3"));
  // ~1.2.3 := >=1.2.3, <1.3.0; ~1 := >=1.0.0, <2.0.0
  EXPECT_TRUE(sat("1.2.9", "~1.2.3"));
  EXPECT_FALSE(sat("1.3.0", "~1.2.3"));
  EXPECT_TRUE(sat("1.9.0", "~1"));
  // 1.* := >=1.0.0, <2.0.0; 1.2.* := >=1.2.0, <1.3.0; * := any
  EXPECT_TRUE(sat("1.5.0", "1.*"));
  EXPECT_FALSE(sat("1.3.0", "1.2.*"));
  EXPECT_TRUE(sat("9.0.0", "*"));
  EXPECT_TRUE(sat("1.5.0", ">= 1.2, < 1.5.1"));
  EXPECT_FALSE(sat("1.5.1", ">= 1.2, < 1.5.1"));
  EXPECT_TRUE(sat("0.9.0", ">= 1.2 || < 1.0"));  // our || extension (RustSec lists)
}

TEST(CargoVersion, PreReleasesOnlyMatchTheirOwnTuple) {
  EXPECT_TRUE(sat("1.2.3-beta.2", ">=1.2.3-beta.1"));
  EXPECT_FALSE(sat("1.2.4-beta.2", ">=1.2.3-beta.1"));
  EXPECT_FALSE(sat("2.0.0-alpha", "^1"));
  EXPECT_FALSE(version::satisfies("crates.io", "1.0.0", ">=1.0-beta").ok());
  EXPECT_FALSE(version::compare("crates.io", "v1.0.0", "1.0.0").ok());
}

TEST(CargoVersion, AgreesWithSemverPrecedenceOnRustSecVersions) {
  BW_REQUIRE_SHARED(shared);
  std::string why;
  std::string module = testing::npm_semver_module(&why);
  if (module.empty()) BW_SKIP_OR_FAIL(why);
  std::string why_grep;
  auto versions = testing::dedupe(testing::grep_advisories(
      shared, "rustsec-advisory-db-osv.tar.zst", "'*.json'",
      R"re("(?:introduced|fixed|last_affected)": "\K[0-9][^"]*)re", &why_grep));
  std::printf("[real] crates.io: %zu distinct versions from RustSec\n", versions.size());
  ASSERT_GT(versions.size(), 500u) << why_grep;
  auto pairs = testing::make_pairs(versions, 6000, testing::seed(23));
  std::vector<std::string> ref;
  ASSERT_TRUE(testing::run_reference(
      "node " + testing::reference_dir() + "/semver_ref.js '" + module + "' compare", pairs, &ref,
      &why))
      << why;
  testing::expect_agreement("crates.io compare vs SemVer precedence (node-semver)",
                            testing::diff_against("crates.io", "compare", pairs, ref));
}

}  // namespace
}  // namespace bulwark
