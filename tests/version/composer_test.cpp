// Composer: no PHP on the build machine; facts from Composer's documentation
// (getcomposer.org/doc/articles/versions.md) and PHP's version_compare documentation.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace bulwark
