// SemVer and npm ranges: differential against the node-semver package (installed with npm) on
// generated versions and ranges and on the real ranges of the Node.js security-wg advisories.
#include <gtest/gtest.h>

#include "version/differential.hpp"
#include "version/version.hpp"

namespace bulwark {
namespace {

std::string gen_version(std::mt19937& rng, bool allow_pre = true) {
  static const char* kNums[] = {"0", "1", "2", "3", "10", "11", "0", "1"};
  static const char* kPre[] = {"alpha", "beta", "rc", "0", "1", "2", "10", "alpha-1", "x", "RC"};
  std::string v = std::string(kNums[rng() % 8]) + "." + kNums[rng() % 8] + "." + kNums[rng() % 8];
  if (allow_pre && rng() % 3 == 0) {
    v += "-";
    int n = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < n; ++i) v += (i ? "." : "") + std::string(kPre[rng() % 10]);
  }
  if (rng() % 10 == 0) v += "+build." + std::to_string(rng() % 5);
  return v;
}

std::string gen_partial(std::mt19937& rng) {
  static const char* kParts[] = {"0", "1", "2", "3", "x", "*", "X", "10"};
  int n = 1 + static_cast<int>(rng() % 3);
  std::string v;
  for (int i = 0; i < n; ++i) v += (i ? "." : "") + std::string(kParts[rng() % 8]);
  if (n == 3 && rng() % 4 == 0) v += "-beta.1";
  return v;
}

std::string gen_range(std::mt19937& rng) {
  static const char* kOps[] = {"", "=", "<", "<=", ">", ">=", "^", "~", "~>", "v", "> ", "^ "};
  std::string r;
  int alts = 1 + static_cast<int>(rng() % 2);
  for (int a = 0; a < alts; ++a) {
    if (a) r += rng() % 2 ? " || " : "||";
    if (rng() % 6 == 0) {
      r += gen_partial(rng) + " - " + gen_partial(rng);
      continue;
    }
    int n = 1 + static_cast<int>(rng() % 2);
    for (int i = 0; i < n; ++i) {
      if (i) r += " ";
      r += kOps[rng() % 12];
      r += rng() % 2 ? gen_version(rng) : gen_partial(rng);
    }
  }
  if (rng() % 40 == 0) r = "*";
  if (rng() % 40 == 0) r += " garbage";
  // Odd spellings node-semver has rules for: prefixes, lone operators, misplaced wildcards,
  // build metadata, empty alternatives.
  static const char* kOdd[] = {"=v1.2.3",
                               "v=1.2",
                               "==1.2.3",
                               ">= v1.2",
                               "~> 1.2",
                               "^ 1.x",
                               "1.x.3",
                               "x.1",
                               "*.1",
                               "1.2.3-",
                               "1.2.3+b.1",
                               "<=*",
                               ">*",
                               "<*",
                               ">=*",
                               "1.2.3 -",
                               "- 1.2.3",
                               "1 - ",
                               "||",
                               "1.2.3 ||",
                               "~v1",
                               "^=1.2",
                               ">=1.2.3<2",
                               "<1.2.3-rc.1",
                               "1.2.3-0",
                               ">=0.0.0",
                               "~1.2.3-beta",
                               "^0.0.1-rc",
                               "1.2.x-beta",
                               ">1.x",
                               "<=1.2.x",
                               "<1.x",
                               "= 1",
                               "1.2.3+build - 2",
                               "v1.2.3 - v2",
                               "01.2.3",
                               "1.02",
                               "~>1",
                               "^*",
                               "~*",
                               "x",
                               "X.x.X",
                               "",
                               " ",
                               "1.2.3.4",
                               "a.b.c"};
  if (rng() % 3 == 0) {
    r = kOdd[rng() % std::size(kOdd)];
    if (rng() % 2) r += std::string(" ") + kOdd[rng() % std::size(kOdd)];
  }
  return r;
}

TEST(NpmVersion, DesugarsRangesAsNodeSemverDocuments) {
  auto sat = [](std::string_view v, std::string_view r) {
    return *version::satisfies("npm", v, r);
  };
  EXPECT_TRUE(sat("1.2.9", "^1.2.3"));
  EXPECT_FALSE(sat("2.0.0", "^1.2.3"));
  EXPECT_FALSE(sat("0.3.0", "^0.2.3"));
  EXPECT_TRUE(sat("1.2.9", "~1.2.3"));
  EXPECT_TRUE(sat("3.4.5", "1.2.3 - 3.4"));
  EXPECT_FALSE(sat("3.5.0", "1.2.3 - 3.4"));
  EXPECT_TRUE(sat("1.2.4-beta.1", ">=1.2.4-beta <2"));
  EXPECT_FALSE(sat("1.2.5-beta.1", ">=1.2.4-beta <2"));  // pre-release of another tuple
  EXPECT_FALSE(sat("1.0.0-rc.1", "*"));
  EXPECT_TRUE(sat("5.0.0", "<1.0.0 || >=4.1"));
  EXPECT_FALSE(version::satisfies("npm", "1.0.0", ">=1.0.0.0").ok());
  EXPECT_FALSE(version::compare("npm", "1.0", "1.0.0").ok());
  EXPECT_FALSE(version::compare("npm", "01.0.0", "1.0.0").ok());
  // Bounds node-semver cannot represent (past 2^53-1) make the range invalid, as in node-semver.
  EXPECT_FALSE(version::satisfies("npm", "1.0.0", "^9007199254740991").ok());
  EXPECT_TRUE(version::satisfies("npm", "1.0.0", "9007199254740990.x").ok());
}

class NodeSemver : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    module_ = testing::npm_semver_module(&why);
    if (module_.empty()) BW_SKIP_OR_FAIL(why);
  }
  std::string cmd(const std::string& mode) const {
    return "node " + testing::reference_dir() + "/semver_ref.js '" + module_ + "' " + mode;
  }
  std::string module_;
};

TEST_F(NodeSemver, ComparesGeneratedVersionsAlike) {
  std::mt19937 rng(testing::seed(21));
  std::vector<std::string> pool;
  for (int i = 0; i < 3000; ++i) pool.push_back(gen_version(rng));
  pool = testing::dedupe(pool);
  auto pairs = testing::make_pairs(pool, 6000, testing::seed(3));
  std::vector<std::string> ref;
  std::string why;
  ASSERT_TRUE(testing::run_reference(cmd("compare"), pairs, &ref, &why)) << why;
  testing::expect_agreement("npm compare vs node-semver",
                            testing::diff_against("npm", "compare", pairs, ref));
}

TEST_F(NodeSemver, SatisfiesGeneratedAndRealRangesAlike) {
  BW_REQUIRE_SHARED(shared);
  std::string why_grep;
  auto real = testing::grep_advisories(
      shared, "nodejs-security-wg-vulns.tar.zst", "'*.json'",
      R"re("(?:vulnerable_versions|patched_versions)": "\K[^"]*)re", &why_grep);
  real = testing::dedupe(real);
  std::printf("[real] npm: %zu distinct ranges from the security-wg advisories\n", real.size());
  ASSERT_GT(real.size(), 300u) << why_grep;
  std::mt19937 rng(testing::seed(5));
  std::vector<testing::Pair> pairs;
  for (int i = 0; i < 5000; ++i) pairs.push_back({gen_version(rng), gen_range(rng)});
  for (const auto& r : real) {
    for (int k = 0; k < 8; ++k) pairs.push_back({gen_version(rng), r});
  }
  std::vector<std::string> ref;
  std::string why;
  ASSERT_TRUE(testing::run_reference(cmd("satisfies"), pairs, &ref, &why)) << why;
  testing::expect_agreement("npm satisfies vs node-semver",
                            testing::diff_against("npm", "satisfies", pairs, ref));
}

}  // namespace
}  // namespace bulwark
