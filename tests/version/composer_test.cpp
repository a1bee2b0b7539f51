// Composer: facts from Composer's documentation (getcomposer.org/doc/articles/versions.md), and a
// differential against Composer's own composer/semver library (Debian's php-composer-semver)
// on generated versions and constraints. Branch forms (dev-main, 1.0.x-dev, "1.0dev-dev") are
// errors for us by design, so the generator does not produce them.
#include <gtest/gtest.h>

#include "version/differential.hpp"
#include "version/version.hpp"

namespace bulwark {
namespace {

int cmp(std::string_view a, std::string_view b) {
  auto r = version::compare("Packagist", a, b);
  EXPECT_TRUE(r.ok()) << a << " " << b << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : 99;
}

bool sat(std::string_view v, std::string_view r) {
  auto s = version::satisfies("Packagist", v, r);
  EXPECT_TRUE(s.ok()) << v << " " << r << (s.ok() ? "" : s.error().message());
  return s.ok() && *s;
}

TEST(ComposerVersion, OrdersStabilities) {
  EXPECT_EQ(cmp("1.0.0-dev", "1.0.0-alpha1"), -1);
  EXPECT_EQ(cmp("1.0.0-alpha2", "1.0.0-beta1"), -1);
  EXPECT_EQ(cmp("1.0.0-beta1", "1.0.0-RC1"), -1);
  EXPECT_EQ(cmp("1.0.0-RC1", "1.0.0"), -1);
  EXPECT_EQ(cmp("1.0.0", "1.0.0-patch1"), -1);
  EXPECT_EQ(cmp("v1.0", "1.0.0.0"), 0);
  EXPECT_EQ(cmp("1.0.0-b2", "1.0.0-beta2"), 0);
  EXPECT_EQ(cmp("1.10.0", "1.9.9"), 1);
  EXPECT_FALSE(version::compare("Packagist", "dev-main", "1.0").ok());
  EXPECT_FALSE(version::compare("Packagist", "1.0.x-dev", "1.0").ok());
}

TEST(ComposerVersion, ConstraintsAsTheDocumentation) {
  EXPECT_TRUE(sat("1.2.5", "^1.2.3"));  // >=1.2.3 <2.0.0
  EXPECT_FALSE(sat("2.0.0", "^1.2.3"));
  EXPECT_FALSE(sat("0.4.0", "^0.3"));    // >=0.3.0 <0.4.0
  EXPECT_TRUE(sat("1.9", "~1.2"));       // >=1.2 <2.0.0
  EXPECT_FALSE(sat("1.3.0", "~1.2.3"));  // >=1.2.3 <1.3.0
  EXPECT_TRUE(sat("1.2.9", "1.2.*"));
  EXPECT_FALSE(sat("1.3.0", "1.2.*"));
  EXPECT_TRUE(sat("2.0.5", "1.0 - 2.0"));  // >=1.0.0 <2.1
  EXPECT_FALSE(sat("2.1.0", "1.0 - 2.0"));
  EXPECT_FALSE(sat("2.0.1", "1.0.0 - 2.0.0"));
  EXPECT_TRUE(sat("1.5", ">=1.0 <1.6 || >=2.0"));
  EXPECT_TRUE(sat("2.1", ">=1.0,<1.6 || >=2.0"));
  EXPECT_FALSE(sat("2.0.0-beta1", "<2.0"));  // <2.0 means <2.0.0.0-dev
  EXPECT_TRUE(sat("5.4.1", "!=5.4.0"));
  EXPECT_FALSE(version::satisfies("Packagist", "1.0", ">=foo").ok());
}

std::string gen_composer(std::mt19937& rng) {
  auto pick = [&](std::initializer_list<const char*> l) {
    return std::string(l.begin()[rng() % l.size()]);
  };
  std::string v = pick({"", "", "v"}) + pick({"0", "1", "2", "10"});
  int n = static_cast<int>(rng() % 4);
  for (int i = 0; i < n; ++i) v += "." + pick({"0", "1", "2", "10", "00"});
  if (rng() % 3 == 0) {
    v += pick({"", "-", ".", "_"}) +
         pick({"alpha", "a", "beta", "b", "RC", "rc", "patch", "pl", "p", "stable"});
    if (rng() % 2) v += pick({"1", "2", "10", ".1", "-2"});
  }
  if (rng() % 8 == 0) v += "-dev";
  if (rng() % 40 == 0) v += pick({"x", "..", "-foo"});
  return v;
}

std::string gen_constraint(std::mt19937& rng) {
  auto pick = [&](std::initializer_list<const char*> l) {
    return std::string(l.begin()[rng() % l.size()]);
  };
  std::string c;
  int alts = 1 + static_cast<int>(rng() % 2);
  for (int a = 0; a < alts; ++a) {
    if (a) c += pick({" || ", "||", " | "});
    switch (rng() % 6) {
      case 0:
        c += gen_composer(rng) + " - " + gen_composer(rng);
        break;
      case 1:
        c += pick({"^", "~"}) + gen_composer(rng);
        break;
      case 2:
        c += pick({"1", "2", "1.2", "0"}) + pick({".*", ".x", ".*.*"});
        break;
      default: {
        int n = 1 + static_cast<int>(rng() % 2);
        for (int i = 0; i < n; ++i) {
          if (i) c += pick({" ", ", ", ","});
          c += pick({"", "=", "==", "!=", "<>", "<", "<=", ">", ">=", ">= "}) + gen_composer(rng);
        }
      }
    }
  }
  return c;
}

class ComposerRef : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_command("php") ||
        testing::run_command("test -f /usr/share/php/Composer/Semver/autoload.php") != 0) {
      BW_SKIP_OR_FAIL("php-cli and php-composer-semver are needed for the Composer reference");
    }
  }
  static std::string cmd(const std::string& mode) {
    return "php " + testing::reference_dir() + "/composer_ref.php " + mode;
  }
};

TEST_F(ComposerRef, ComparesGeneratedVersionsAlike) {
  std::mt19937 rng(testing::seed(51));
  std::vector<std::string> pool;
  for (int i = 0; i < 3000; ++i) pool.push_back(gen_composer(rng));
  pool = testing::dedupe(pool);
  auto pairs = testing::make_pairs(pool, 6000, testing::seed(52));
  std::vector<std::string> ref;
  std::string why;
  ASSERT_TRUE(testing::run_reference(cmd("compare"), pairs, &ref, &why)) << why;
  testing::expect_agreement("Packagist compare vs composer/semver",
                            testing::diff_against("Packagist", "compare", pairs, ref));
}

TEST_F(ComposerRef, SatisfiesGeneratedConstraintsAlike) {
  std::mt19937 rng(testing::seed(53));
  std::vector<testing::Pair> pairs;
  for (int i = 0; i < 6000; ++i) pairs.push_back({gen_composer(rng), gen_constraint(rng)});
  std::vector<std::string> ref;
  std::string why;
  ASSERT_TRUE(testing::run_reference(cmd("satisfies"), pairs, &ref, &why)) << why;
  testing::expect_agreement("Packagist satisfies vs composer/semver",
                            testing::diff_against("Packagist", "satisfies", pairs, ref));
}

}  // namespace
}  // namespace bulwark
