// NuGet: no reference implementation runs on Debian; facts from the NuGet documentation
// (learn.microsoft.com/nuget/concepts/package-versioning: version precedence and range syntax).
#include <gtest/gtest.h>

#include "version/version.hpp"

namespace bulwark {
namespace {

int cmp(std::string_view a, std::string_view b) {
  auto r = version::compare("NuGet", a, b);
  EXPECT_TRUE(r.ok()) << a << " " << b;
  return r.ok() ? *r : 99;
}

bool sat(std::string_view v, std::string_view r) {
  auto s = version::satisfies("NuGet", v, r);
  EXPECT_TRUE(s.ok()) << v << " " << r;
  return s.ok() && *s;
}

TEST(NuGetVersion, OrdersAsTheDocumentation) {
  EXPECT_EQ(cmp("1.0", "1.0.0.0"), 0);
  EXPECT_EQ(cmp("1.0.0.1", "1.0.0"), 1);
  EXPECT_EQ(cmp("1.0.0-alpha", "1.0.0"), -1);
  EXPECT_EQ(cmp("1.0.0-Alpha", "1.0.0-alpha"), 0);  // labels are case-insensitive
  EXPECT_EQ(cmp("1.0.0-alpha.2", "1.0.0-alpha.10"), -1);
  EXPECT_EQ(cmp("1.0.0-2", "1.0.0-alpha"), -1);  // numeric labels first
  EXPECT_EQ(cmp("1.0.0+build1", "1.0.0+build2"), 0);
  EXPECT_EQ(cmp("1.01", "1.1"), 0);
  EXPECT_FALSE(version::compare("NuGet", "1.0.0.0.0", "1").ok());
  EXPECT_FALSE(version::compare("NuGet", "1.*", "1").ok());
}

TEST(NuGetVersion, RangesAsTheDocumentation) {
  EXPECT_TRUE(sat("1.0", "1.0"));  // a bare version is a minimum
  EXPECT_TRUE(sat("2.5", "1.0"));
  EXPECT_FALSE(sat("0.9", "1.0"));
  EXPECT_FALSE(sat("1.0", "(1.0,)"));
  EXPECT_TRUE(sat("1.0", "[1.0]"));
  EXPECT_FALSE(sat("1.0.1", "[1.0]"));
  EXPECT_TRUE(sat("1.0", "(,1.0]"));
  EXPECT_FALSE(sat("1.0", "(,1.0)"));
  EXPECT_TRUE(sat("1.9.9", "[1.0,2.0)"));
  EXPECT_FALSE(sat("2.0", "[1.0,2.0)"));
  EXPECT_FALSE(sat("2.0.0-beta", "(2.0,3.0)"));
  EXPECT_FALSE(version::satisfies("NuGet", "1.0", "(1.0)").ok());
  EXPECT_FALSE(version::satisfies("NuGet", "1.0", "[1.0,2.0").ok());
}

}  // namespace
}  // namespace bulwark
