// Maven: differential against Maven's own ComparableVersion and VersionRange (Debian's
// maven-artifact 3.8 jar, through a small Java program) on generated versions, the versions in
// Debian's /usr/share/maven-repo and the versions of every other real feed (any string is a
// Maven version).
#include <gtest/gtest.h>

#include <sstream>

#include "version/differential.hpp"
#include "version/version.hpp"

namespace bulwark {
namespace {

std::string gen_maven(std::mt19937& rng) {
  static const char* kTok[] = {"1",    "2",         "0",        "10",      "00",  "alpha",
                               "a",    "b",         "m",        "rc",      "cr",  "sp",
                               "ga",   "final",     "SNAPSHOT", "release", "foo", "x",
                               "Beta", "milestone", "1",        "2",       "3"};
  static const char* kSep[] = {".", "-", "", ".", "-", ".", "_", "+", "..", "-."};
  std::string v = kTok[rng() % 4];
  int n = static_cast<int>(rng() % 5);
  for (int i = 0; i < n; ++i)
    v += std::string(kSep[rng() % std::size(kSep)]) + kTok[rng() % std::size(kTok)];
  if (rng() % 30 == 0) v += rng() % 2 ? "." : "-";
  return v;
}

std::string gen_range(std::mt19937& rng) {
  auto v = [&] { return gen_maven(rng); };
  // Two bounds in increasing order (by our comparator; Maven rejects the others, which the
  // unordered forms below still exercise).
  auto ordered = [&](const char* open, const char* close) {
    std::string a = v();
    std::string b = v();
    auto c = version::compare("Maven", a, b);
    if (c.ok() && *c > 0) std::swap(a, b);
    return open + a + "," + b + close;
  };
  if (rng() % 2) return ordered(rng() % 2 ? "[" : "(", rng() % 2 ? "]" : ")");
  switch (rng() % 6) {
    case 0:
      return "[" + v() + "," + v() + ")";
    case 1:
      return "(," + v() + "]";
    case 2:
      return "[" + v() + ",)";
    case 3:
      return "[" + v() + "]";
    case 4:
      return "(" + v() + "," + v() + "]";
    default:
      return "[" + v() + "," + v() + "],[" + v() + ",)";
  }
}

TEST(MavenVersion, OrdersQualifiersAsTheSpec) {
  auto cmp = [](std::string_view a, std::string_view b) {
    return *version::compare("Maven", a, b);
  };
  EXPECT_EQ(cmp("1.0-alpha-1", "1.0-beta"), -1);
  EXPECT_EQ(cmp("1.0-rc1", "1.0-SNAPSHOT"), -1);
  EXPECT_EQ(cmp("1.0-SNAPSHOT", "1.0"), -1);
  EXPECT_EQ(cmp("1.0", "1.0-ga"), 0);
  EXPECT_EQ(cmp("1.0", "1.0-sp1"), -1);
  EXPECT_EQ(cmp("1.0.0", "1"), 0);
  EXPECT_EQ(cmp("1.0a1", "1.0-alpha-1"), 0);
  EXPECT_TRUE(*version::satisfies("Maven", "1.5", "[1.0,2.0)"));
  EXPECT_FALSE(*version::satisfies("Maven", "2.0", "[1.0,2.0)"));
  EXPECT_TRUE(*version::satisfies("Maven", "3.1", "(,1.0],[3.0,)"));
  EXPECT_FALSE(version::satisfies("Maven", "1", "[2.0,1.0]").ok());
  EXPECT_FALSE(version::compare("Maven", "1 0", "1").ok());
}

class MavenRef : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    cmd_ = testing::maven_reference_command(&why);
    if (cmd_.empty()) BW_SKIP_OR_FAIL(why);
  }
  std::string cmd_;
};

TEST_F(MavenRef, ComparesGeneratedAndRealVersionsAlike) {
  std::mt19937 rng(testing::seed(31));
  std::vector<std::string> pool;
  for (int i = 0; i < 3000; ++i) pool.push_back(gen_maven(rng));
  std::string listing;
  testing::run_command(
      "find /usr/share/maven-repo -mindepth 3 -maxdepth 3 -type d -printf '%f\\n' 2>/dev/null",
      &listing);
  std::istringstream ss(listing);
  std::string line;
  size_t real = 0;
  while (std::getline(ss, line)) {
    pool.push_back(line);
    ++real;
  }
  std::printf("[real] Maven: %zu versions from /usr/share/maven-repo\n", real);
  pool = testing::dedupe(pool);
  auto pairs = testing::make_pairs(pool, 8000, testing::seed(2));
  std::vector<std::string> ref;
  std::string why;
  ASSERT_TRUE(testing::run_reference(cmd_ + " compare", pairs, &ref, &why)) << why;
  testing::expect_agreement("Maven compare vs ComparableVersion",
                            testing::diff_against("Maven", "compare", pairs, ref));
}

TEST_F(MavenRef, RangesContainVersionsAlike) {
  std::mt19937 rng(testing::seed(6));
  std::vector<testing::Pair> pairs;
  for (int i = 0; i < 4000; ++i) pairs.push_back({gen_maven(rng), gen_range(rng)});
  std::vector<std::string> ref;
  std::string why;
  ASSERT_TRUE(testing::run_reference(cmd_ + " range", pairs, &ref, &why)) << why;
  testing::expect_agreement("Maven ranges vs VersionRange",
                            testing::diff_against("Maven", "satisfies", pairs, ref));
}

}  // namespace
}  // namespace bulwark
