// PEP 440: differential against python3-packaging (Version ordering and SpecifierSet with
// pre-releases accepted) on generated versions and specifiers and on the real versions of the
// PyPA advisory database.
#include <gtest/gtest.h>

#include "version/differential.hpp"
#include "version/version.hpp"

namespace bulwark {
namespace {

std::string gen_pep440(std::mt19937& rng) {
  auto pick = [&](std::initializer_list<const char*> l) {
    return std::string(l.begin()[rng() % l.size()]);
  };
  std::string v;
  if (rng() % 10 == 0) v += pick({"v", "V"});
  if (rng() % 12 == 0) v += pick({"1!", "0!", "2!"});
  int n = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < n; ++i) v += (i ? "." : "") + pick({"0", "1", "2", "10", "00", "3"});
  if (rng() % 3 == 0) {
    v += pick({"", ".", "-", "_"}) +
         pick({"a", "b", "rc", "c", "alpha", "beta", "pre", "preview", "RC"});
    v += pick({"", "0", "1", "2", ".1", "-3"});
  }
  if (rng() % 4 == 0) v += pick({".post1", "-1", "post", ".r2", "-rev3", "_post0", ".post"});
  if (rng() % 4 == 0) v += pick({".dev0", "dev", "-dev1", ".dev"});
  if (rng() % 8 == 0) v += pick({"+local", "+ubuntu.1", "+1.a", "+abc-2", "+0"});
  if (rng() % 50 == 0) v += pick({"..", "+", "x", " 1"});
  return v;
}

std::string gen_specifiers(std::mt19937& rng) {
  auto pick = [&](std::initializer_list<const char*> l) {
    return std::string(l.begin()[rng() % l.size()]);
  };
  std::string s;
  int n = 1 + static_cast<int>(rng() % 2);
  for (int i = 0; i < n; ++i) {
    if (i) s += pick({",", ", "});
    std::string op = pick({"==", "!=", "<=", ">=", "<", ">", "~=", "===", "== "});
    std::string v = gen_pep440(rng);
    if ((op == "==" || op == "!=") && rng() % 3 == 0)
      v = pick({"1", "1.0", "2", "1.2", "1!1"}) + std::string(".*");
    s += op + v;
  }
  static const char* kOdd[] = {
      "~=1",           "~=1.0",      "~=1.0.post1", "~=1.0a1",   "~=v1.2",        "~=1!1.0",
      "==1.0.*.post1", "<1.0.*",     ">=1.0+local", "~=1.0+x",   "==1.0+local.*", "!= 1.*",
      "===",           "==",         ", ,",         "==1.0, ",   "==1.0+LOCAL",   "!=1.0+local",
      "<=1.0.dev1",    ">1.0.post1", ">1.0",        "<1.0",      "==1.0.0.*",     "==1.*",
      "==1!1.*",       "==01.2",     "=== 1.0",     "===1.0.0",  "===V1.0",       ">=1.0 ,<2",
      "<= 1.0",        "~= 1.1",     "==2.0rc1.*",  "== 1.0a.*", "==1.0-1",       ">1.0-1",
      "1.0",           ">= 1.0 2.0"};
  if (rng() % 3 == 0) s = kOdd[rng() % std::size(kOdd)];
  return s;
}

TEST(Pep440Version, OrdersDevPrePostAndLocal) {
  auto cmp = [](std::string_view a, std::string_view b) { return *version::compare("PyPI", a, b); };
  EXPECT_EQ(cmp("1.0.dev0", "1.0a1"), -1);
  EXPECT_EQ(cmp("1.0a1", "1.0b1"), -1);
  EXPECT_EQ(cmp("1.0rc1", "1.0"), -1);
  EXPECT_EQ(cmp("1.0", "1.0.post1"), -1);
  EXPECT_EQ(cmp("1.0", "1.0+local"), -1);
  EXPECT_EQ(cmp("1.0", "1.0.0"), 0);
  EXPECT_EQ(cmp("1!0.1", "2.0"), 1);
  EXPECT_EQ(cmp("1.0-1", "1.0.post1"), 0);
  EXPECT_TRUE(*version::satisfies("PyPI", "1.4.5", "~=1.4.2"));
  EXPECT_FALSE(*version::satisfies("PyPI", "1.5.0", "~=1.4.2"));
  EXPECT_TRUE(*version::satisfies("PyPI", "2.0b1", "<2.1"));   // pre-releases are accepted
  EXPECT_FALSE(*version::satisfies("PyPI", "2.0b1", "<2.0"));  // < excludes its own pre-releases
  EXPECT_FALSE(version::satisfies("PyPI", "1.0", "1.0").ok());
  EXPECT_FALSE(version::compare("PyPI", "1.0-beta-x", "1").ok());
}

class Packaging : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::run_command("/usr/bin/python3 -c 'import packaging.specifiers'") != 0) {
      BW_SKIP_OR_FAIL("python3-packaging not installed");
    }
  }
  static std::string cmd(const std::string& mode) {
    return "/usr/bin/python3 " + testing::reference_dir() + "/pep440_ref.py " + mode;
  }
};

TEST_F(Packaging, ComparesGeneratedAndRealVersionsAlike) {
  BW_REQUIRE_SHARED(shared);
  std::mt19937 rng(testing::seed(8));
  std::vector<std::string> pool;
  for (int i = 0; i < 3000; ++i) pool.push_back(gen_pep440(rng));
  std::string why_grep;
  auto real = testing::dedupe(testing::grep_advisories(
      shared, "pypa-advisory-database.tar.zst", "'*.yaml'",
      R"re((?:introduced|fixed|last_affected): ["']?\K[0-9][^"'\s]*)re", &why_grep));
  auto listed = testing::grep_advisories(shared, "pypa-advisory-database.tar.zst", "'*.yaml'",
                                         R"re(^\s+- ["']?\K[0-9][0-9a-zA-Z.!+_-]*(?=["']?\s*$))re",
                                         &why_grep);
  real.insert(real.end(), listed.begin(), listed.end());
  real = testing::dedupe(real);
  std::printf("[real] PyPI: %zu distinct versions from the PyPA advisory database\n", real.size());
  ASSERT_GT(real.size(), 3000u) << why_grep;
  pool.insert(pool.end(), real.begin(), real.end());
  pool = testing::dedupe(pool);
  auto pairs = testing::make_pairs(pool, 8000, testing::seed(4));
  std::vector<std::string> ref;
  std::string why;
  ASSERT_TRUE(testing::run_reference(cmd("compare"), pairs, &ref, &why)) << why;
  testing::expect_agreement("PyPI compare vs packaging",
                            testing::diff_against("PyPI", "compare", pairs, ref));
}

TEST_F(Packaging, SatisfiesGeneratedSpecifiersAlike) {
  std::mt19937 rng(testing::seed(12));
  std::vector<testing::Pair> pairs;
  for (int i = 0; i < 6000; ++i) pairs.push_back({gen_pep440(rng), gen_specifiers(rng)});
  std::vector<std::string> ref;
  std::string why;
  ASSERT_TRUE(testing::run_reference(cmd("satisfies"), pairs, &ref, &why)) << why;
  testing::expect_agreement("PyPI satisfies vs packaging",
                            testing::diff_against("PyPI", "satisfies", pairs, ref));
}

}  // namespace
}  // namespace bulwark
