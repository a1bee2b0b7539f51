// RubyGems: differential against Ruby's own Gem::Version and Gem::Requirement on generated
// versions and requirements and on the real versions and requirements of the RubySec database.
#include <gtest/gtest.h>

#include "version/differential.hpp"
#include "version/version.hpp"

namespace bulwark {
namespace {

std::string gen_gem(std::mt19937& rng) {
  static const char* kTok[] = {"0", "1",   "2",   "10",    "00", "3", "a",
                               "b", "pre", "rc1", "beta2", "A",  "Z", "alpha"};
  std::string v = std::to_string(rng() % 4);
  int n = static_cast<int>(rng() % 5);
  for (int i = 0; i < n; ++i)
    v += (rng() % 8 == 0 ? "-" : ".") + std::string(kTok[rng() % std::size(kTok)]);
  if (rng() % 40 == 0) v += "..";
  return v;
}

std::string gen_requirement(std::mt19937& rng) {
  static const char* kOps[] = {"", "= ", "!= ", "> ", "< ", ">= ", "<= ", "~> ", "~>"};
  std::string r;
  int n = 1 + static_cast<int>(rng() % 2);
  for (int i = 0; i < n; ++i) r += (i ? ", " : "") + std::string(kOps[rng() % 9]) + gen_gem(rng);
  static const char* kOdd[] = {"~>",        "= ",         "~> 1.0.0.pre", "!=",     "=1",
                               " ~> 1 ",    ">=1.a",      "~>1.a.2",      "~> 0",   "~> 1.0.a",
                               "> 1.0-rc1", "<= 1.0.0.0", "~> 2.2.x",     "=> 1.0", "~< 1.0",
                               ">==1",      "1.0 1.1",    "~> 1.0.b.2"};
  if (rng() % 4 == 0) r = kOdd[rng() % std::size(kOdd)];
  return r;
}

TEST(RubyGemsVersion, PessimisticConstraintAsTheGuide) {
  auto sat = [](std::string_view v, std::string_view r) {
    return *version::satisfies("RubyGems", v, r);
  };
  EXPECT_TRUE(sat("2.2.9", "~> 2.2"));
  EXPECT_FALSE(sat("3.0", "~> 2.2"));
  EXPECT_TRUE(sat("2.2.9", "~> 2.2.0"));
  EXPECT_FALSE(sat("2.3.0", "~> 2.2.0"));
  EXPECT_TRUE(sat("4.2.5.1", "~> 4.2.5, >= 4.2.5.1"));
  EXPECT_FALSE(sat("4.2.5", "~> 4.2.5, >= 4.2.5.1"));
  EXPECT_EQ(*version::compare("RubyGems", "1.0.a", "1.0"), -1);
  EXPECT_EQ(*version::compare("RubyGems", "1.0-rc1", "1.0.pre.rc1"), 0);
  EXPECT_EQ(*version::compare("RubyGems", "1.0.0", "1"), 0);
  EXPECT_FALSE(version::compare("RubyGems", "junk", "1").ok());
}

class RubyRef : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_command("ruby")) BW_SKIP_OR_FAIL("ruby not installed");
  }
  static std::string cmd(const std::string& mode) {
    return "ruby " + testing::reference_dir() + "/rubygems_ref.rb " + mode;
  }
};

TEST_F(RubyRef, ComparesGeneratedAndRealVersionsAlike) {
  BW_REQUIRE_SHARED(shared);
  std::mt19937 rng(testing::seed(41));
  std::vector<std::string> pool;
  for (int i = 0; i < 3000; ++i) pool.push_back(gen_gem(rng));
  std::string why_grep;
  auto real = testing::dedupe(
      testing::grep_advisories(shared, "rubysec-ruby-advisory-db.tar.zst", "'*.yml'",
                               R"re([=>~<] \K[0-9][0-9A-Za-z.-]*)re", &why_grep));
  std::printf("[real] RubyGems: %zu distinct versions from RubySec\n", real.size());
  ASSERT_GT(real.size(), 1000u) << why_grep;
  pool.insert(pool.end(), real.begin(), real.end());
  pool = testing::dedupe(pool);
  auto pairs = testing::make_pairs(pool, 8000, testing::seed(13));
  std::vector<std::string> ref;
  std::string why;
  ASSERT_TRUE(testing::run_reference(cmd("compare"), pairs, &ref, &why)) << why;
  testing::expect_agreement("RubyGems compare vs Gem::Version",
                            testing::diff_against("RubyGems", "compare", pairs, ref));
}

TEST_F(RubyRef, SatisfiesGeneratedAndRealRequirementsAlike) {
  BW_REQUIRE_SHARED(shared);
  std::string why_grep;
  // patched_versions / unaffected_versions entries: - "~> 4.2.5, >= 4.2.5.1"
  auto real = testing::dedupe(
      testing::grep_advisories(shared, "rubysec-ruby-advisory-db.tar.zst", "'*.yml'",
                               R"re(^\s*- ['"]\K[<>=~!][^'"]*(?=['"]))re", &why_grep));
  std::printf("[real] RubyGems: %zu distinct requirements from RubySec\n", real.size());
  ASSERT_GT(real.size(), 500u) << why_grep;
  std::mt19937 rng(testing::seed(43));
  std::vector<testing::Pair> pairs;
  for (int i = 0; i < 4000; ++i) pairs.push_back({gen_gem(rng), gen_requirement(rng)});
  std::vector<std::string> versions = testing::dedupe(
      testing::grep_advisories(shared, "rubysec-ruby-advisory-db.tar.zst", "'*.yml'",
                               R"re([=>~<] \K[0-9][0-9A-Za-z.-]*)re", &why_grep));
  for (const auto& r : real) {
    for (int k = 0; k < 6; ++k) pairs.push_back({versions[rng() % versions.size()], r});
  }
  std::vector<std::string> ref;
  std::string why;
  ASSERT_TRUE(testing::run_reference(cmd("satisfies"), pairs, &ref, &why)) << why;
  testing::expect_agreement("RubyGems satisfies vs Gem::Requirement",
                            testing::diff_against("RubyGems", "satisfies", pairs, ref));
}

}  // namespace
}  // namespace bulwark
