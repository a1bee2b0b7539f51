// The registration list: OSV names, aliases, release suffixes, unknown ecosystems.
#include <gtest/gtest.h>

#include "version/version.hpp"

namespace bulwark {
namespace {

TEST(VersionSchemes, FindsOsvNamesAndAliases) {
  for (const char* name :
       {"Debian", "Ubuntu",   "Alpine", "Red Hat",   "rpm",          "npm",       "PyPI",
        "Maven",  "RubyGems", "Go",     "crates.io", "NuGet",        "Packagist", "deb",
        "apk",    "semver",   "pep440", "Debian:12", "Alpine:v3.18", "pypi"}) {
    EXPECT_NE(version::find_scheme(name), nullptr) << name;
  }
  EXPECT_EQ(version::find_scheme("Debian"), version::find_scheme("Ubuntu:22.04:LTS"));
  EXPECT_EQ(version::find_scheme("nosuch"), nullptr);
  EXPECT_EQ(version::find_scheme(""), nullptr);
}

TEST(VersionSchemes, UnknownEcosystemIsAnErrorNamingIt) {
  auto r = version::compare("Hackage", "1", "2");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("Hackage"), std::string::npos);
}

TEST(VersionSchemes, OverlongInputIsRejected) {
  std::string huge(100000, '1');
  for (const char* eco : {"Debian", "npm", "PyPI", "Maven"}) {
    EXPECT_FALSE(version::compare(eco, huge, "1").ok()) << eco;
  }
}

}  // namespace
}  // namespace bulwark
