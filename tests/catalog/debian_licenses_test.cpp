#include "catalog/debian_licenses.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "report/licenses.hpp"

namespace bulwark::catalog {
namespace {

std::vector<std::string> words_of(std::string_view expression) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < expression.size()) {
    size_t j = expression.find(' ', i);
    if (j == std::string_view::npos) j = expression.size();
    if (j > i) words.emplace_back(expression.substr(i, j - i));
    i = j + 1;
  }
  return words;
}

TEST(DebianLicense, MapsTheSpecShortNames) {
  EXPECT_EQ(debian_license_to_spdx("Expat"), "MIT");
  EXPECT_EQ(debian_license_to_spdx("BSD-2-clause"), "BSD-2-Clause");
  EXPECT_EQ(debian_license_to_spdx("BSD-3-clause"), "BSD-3-Clause");
  EXPECT_EQ(debian_license_to_spdx("BSD-4-clause"), "BSD-4-Clause");
  EXPECT_EQ(debian_license_to_spdx("Artistic"), "Artistic-1.0-Perl");
  EXPECT_EQ(debian_license_to_spdx("Artistic-2.0"), "Artistic-2.0");
  EXPECT_EQ(debian_license_to_spdx("Apache-2.0"), "Apache-2.0");
  EXPECT_EQ(debian_license_to_spdx("MPL-2.0"), "MPL-2.0");
  EXPECT_EQ(debian_license_to_spdx("Zlib"), "Zlib");
  EXPECT_EQ(debian_license_to_spdx("CC-BY-SA-3.0"), "CC-BY-SA-3.0");
  EXPECT_EQ(debian_license_to_spdx("CC0-1.0"), "CC0-1.0");
  EXPECT_EQ(debian_license_to_spdx("Zope-2.1"), "ZPL-2.1");
  EXPECT_EQ(debian_license_to_spdx("PSF-2"), "PSF-2.0");
  EXPECT_EQ(debian_license_to_spdx("GFDL-NIV-1.3"), "GFDL-1.3-no-invariants-only");
  EXPECT_EQ(debian_license_to_spdx("Perl"), "Artistic-1.0-Perl OR GPL-1.0-or-later");
}

TEST(DebianLicense, VersionedGnuLicensesAreOnlyOrOrLater) {
  EXPECT_EQ(debian_license_to_spdx("GPL-2"), "GPL-2.0-only");
  EXPECT_EQ(debian_license_to_spdx("GPL-3"), "GPL-3.0-only");
  EXPECT_EQ(debian_license_to_spdx("GPL-2+"), "GPL-2.0-or-later");
  EXPECT_EQ(debian_license_to_spdx("GPL-1+"), "GPL-1.0-or-later");
  EXPECT_EQ(debian_license_to_spdx("LGPL-2.1+"), "LGPL-2.1-or-later");
  EXPECT_EQ(debian_license_to_spdx("LGPL-2"), "LGPL-2.0-only");
  EXPECT_EQ(debian_license_to_spdx("AGPL-3+"), "AGPL-3.0-or-later");
  EXPECT_EQ(debian_license_to_spdx("GFDL-1.2+"), "GFDL-1.2-or-later");
  EXPECT_EQ(debian_license_to_spdx("GFDL-NIV-1.2+"), "GFDL-1.2-no-invariants-or-later");
}

TEST(DebianLicense, OrLaterWithoutAnOrLaterIdUsesThePlusOperator) {
  EXPECT_EQ(debian_license_to_spdx("Apache-2.0+"), "Apache-2.0+");
  EXPECT_EQ(debian_license_to_spdx("MPL-1.1+"), "MPL-1.1+");
  EXPECT_EQ(debian_license_to_spdx("CC-BY-SA-3.0+"), "CC-BY-SA-3.0+");
  // An expression has no "or later".
  EXPECT_EQ(debian_license_to_spdx("Perl+"), "Perl+");
}

TEST(DebianLicense, VersionSpellingsMeet) {
  EXPECT_EQ(debian_license_to_spdx("GPL-2.0"), "GPL-2.0-only");
  EXPECT_EQ(debian_license_to_spdx("GPL-2.0+"), "GPL-2.0-or-later");
  EXPECT_EQ(debian_license_to_spdx("Apache-2"), "Apache-2.0");
  EXPECT_EQ(debian_license_to_spdx("CDDL-1"), "CDDL-1.0");
  EXPECT_EQ(debian_license_to_spdx("GPLv3+"), "GPL-3.0-or-later");
  EXPECT_EQ(debian_license_to_spdx("LGPLv2.1+"), "LGPL-2.1-or-later");
  EXPECT_EQ(debian_license_to_spdx("LPPL-1.3c"), "LPPL-1.3c");
}

TEST(DebianLicense, CaseInsensitive) {
  EXPECT_EQ(debian_license_to_spdx("expat"), "MIT");
  EXPECT_EQ(debian_license_to_spdx("EXPAT"), "MIT");
  EXPECT_EQ(debian_license_to_spdx("gpl-2+"), "GPL-2.0-or-later");
  EXPECT_EQ(debian_license_to_spdx("bsd-3-CLAUSE"), "BSD-3-Clause");
  EXPECT_EQ(debian_license_to_spdx("APACHE-2.0"), "Apache-2.0");
  EXPECT_EQ(debian_license_to_spdx("GPL-2+ OR artistic"), "GPL-2.0-or-later OR Artistic-1.0-Perl");
}

TEST(DebianLicense, AmbiguousAndUnknownNamesStayVerbatim) {
  EXPECT_EQ(debian_license_to_spdx("public-domain"), "public-domain");
  EXPECT_EQ(debian_license_to_spdx("GPL"), "GPL");
  EXPECT_EQ(debian_license_to_spdx("LGPL"), "LGPL");
  EXPECT_EQ(debian_license_to_spdx("Apache"), "Apache");
  EXPECT_EQ(debian_license_to_spdx("Python"), "Python");
  EXPECT_EQ(debian_license_to_spdx("GPL+"), "GPL+");
  EXPECT_EQ(debian_license_to_spdx("BSD-3-google"), "BSD-3-google");
  EXPECT_EQ(debian_license_to_spdx("  permissive\t"), "permissive");
  EXPECT_EQ(debian_license_to_spdx("LGPLv3+_or_GPLv2+"), "LGPLv3+_or_GPLv2+");
  EXPECT_EQ(debian_license_to_spdx(""), "");
  EXPECT_EQ(debian_license_to_spdx("   "), "");
}

TEST(DebianLicense, ExpressionOperators) {
  EXPECT_EQ(debian_license_to_spdx("GPL-2+ or Artistic"), "GPL-2.0-or-later OR Artistic-1.0-Perl");
  EXPECT_EQ(debian_license_to_spdx("GPL-1+ or Artistic"), "GPL-1.0-or-later OR Artistic-1.0-Perl");
  EXPECT_EQ(debian_license_to_spdx("LGPL-3+ or GPL-2+"), "LGPL-3.0-or-later OR GPL-2.0-or-later");
  EXPECT_EQ(debian_license_to_spdx("Expat and Zlib"), "MIT AND Zlib");
  // Without commas "and" binds tighter than "or", as AND does in SPDX.
  EXPECT_EQ(debian_license_to_spdx("GPL-2 or Expat and Zlib"), "GPL-2.0-only OR MIT AND Zlib");
  // A comma closes the group before it.
  EXPECT_EQ(debian_license_to_spdx("MPL-1.1 or LGPL-2.1+, and Zlib"),
            "(MPL-1.1 OR LGPL-2.1-or-later) AND Zlib");
  EXPECT_EQ(debian_license_to_spdx("Expat, and GPL-2 or GPL-3"),
            "MIT AND (GPL-2.0-only OR GPL-3.0-only)");
  EXPECT_EQ(debian_license_to_spdx("Expat and Zlib, or GPL-2+"),
            "MIT AND Zlib OR GPL-2.0-or-later");
  // A bare comma lists licenses that all apply.
  EXPECT_EQ(debian_license_to_spdx("Expat, BSD-3-clause"), "MIT AND BSD-3-Clause");
  // An expression-valued name is parenthesised among others.
  EXPECT_EQ(debian_license_to_spdx("Perl and Expat"),
            "(Artistic-1.0-Perl OR GPL-1.0-or-later) AND MIT");
}

TEST(DebianLicense, UnknownOperandsStayVerbatimInsideExpressions) {
  EXPECT_EQ(debian_license_to_spdx("BSL-1.0 and Jam"), "BSL-1.0 AND Jam");
  EXPECT_EQ(debian_license_to_spdx("expat and mit-HP"), "MIT AND mit-HP");
  // Free text, dangling operators and SPDX-syntax parentheses are not Debian expressions.
  EXPECT_EQ(debian_license_to_spdx("Permission to use, copy, modify, and distribute"),
            "Permission to use, copy, modify, and distribute");
  EXPECT_EQ(debian_license_to_spdx("GPL-2+ or"), "GPL-2+ or");
  EXPECT_EQ(debian_license_to_spdx("GPL-2+,"), "GPL-2+,");
  EXPECT_EQ(debian_license_to_spdx("(MIT or Apache-2.0) and Zlib"), "(MIT or Apache-2.0) and Zlib");
}

TEST(DebianLicense, ExceptionsOnlyWhereSpdxHasTheSameText) {
  EXPECT_EQ(debian_license_to_spdx("GPL-2+ with Font exception"),
            "GPL-2.0-or-later WITH Font-exception-2.0");
  EXPECT_EQ(debian_license_to_spdx("GPL-2 with Linux-syscall-note exception"),
            "GPL-2.0-only WITH Linux-syscall-note");
  EXPECT_EQ(debian_license_to_spdx("Apache-2.0 with LLVM exception"),
            "Apache-2.0 WITH LLVM-exception");
  EXPECT_EQ(debian_license_to_spdx("GPL-2+ with libtool exception"),
            "GPL-2.0-or-later WITH Libtool-exception");
  EXPECT_EQ(debian_license_to_spdx("GPL-3+ with Bison exception"),
            "GPL-3.0-or-later WITH Bison-exception-2.2");
  EXPECT_EQ(debian_license_to_spdx("GPL-3+ with GCC-Runtime-3.1 exception"),
            "GPL-3.0-or-later WITH GCC-exception-3.1");
  EXPECT_EQ(debian_license_to_spdx("Zlib and GPL-2+ with Font exception"),
            "Zlib AND GPL-2.0-or-later WITH Font-exception-2.0");
  // No single SPDX exception has Debian's meaning: verbatim.
  EXPECT_EQ(debian_license_to_spdx("GPL-2+ with OpenSSL exception"),
            "GPL-2+ with OpenSSL exception");
  EXPECT_EQ(debian_license_to_spdx("GPL-2+ with Autoconf exception"),
            "GPL-2+ with Autoconf exception");
  EXPECT_EQ(debian_license_to_spdx("LGPL-2.1+ with staticLink exception"),
            "LGPL-2.1+ with staticLink exception");
  // The exception exists, but not for this license.
  EXPECT_EQ(debian_license_to_spdx("GPL-2+ with Bison exception"), "GPL-2+ with Bison exception");
  EXPECT_EQ(debian_license_to_spdx("LGPL-2+ with Font exception"), "LGPL-2+ with Font exception");
  // An unversioned license has nothing to attach the exception to.
  EXPECT_EQ(debian_license_to_spdx("GPL with Classpath exception"), "GPL with Classpath exception");
}

// Every row maps its own short name to its SPDX id: no row hides behind another with the same
// lookup key ("GPL-2" and "GPL-2.0" are one name), and empty rows stay verbatim.
TEST(DebianLicense, EveryRowIsReachable) {
  for (const auto& row : debian_license_table()) {
    std::string expected = row.spdx.empty() ? std::string(row.debian) : std::string(row.spdx);
    EXPECT_EQ(debian_license_to_spdx(row.debian), expected) << row.debian;
  }
  std::set<std::string> keywords;
  for (const auto& row : debian_license_exception_table()) {
    EXPECT_TRUE(keywords.insert(std::string(row.debian)).second) << row.debian;
  }
}

// Every id the tables produce is on the SPDX License List, spelled as the list spells it, so
// the SBOM writers emit ids and expressions rather than LicenseRefs.
TEST(DebianLicense, TablesProduceListedSpdxIds) {
  size_t checked = 0;
  for (const auto& row : debian_license_table()) {
    for (std::string_view id : {row.spdx, row.spdx_or_later}) {
      for (const auto& word : words_of(id)) {
        if (word == "OR" || word == "AND") continue;
        auto canonical = report::detail::canonical_license_id(word);
        ASSERT_TRUE(canonical.has_value()) << row.debian << ": " << word;
        EXPECT_EQ(*canonical, word) << row.debian;
        ++checked;
      }
    }
  }
  for (const auto& row : debian_license_exception_table()) {
    if (row.spdx.empty()) continue;
    auto canonical = report::detail::canonical_exception_id(row.spdx);
    ASSERT_TRUE(canonical.has_value()) << row.debian << ": " << row.spdx;
    EXPECT_EQ(*canonical, row.spdx) << row.debian;
    ++checked;
  }
  EXPECT_GT(checked, 100u);
}

// What the writers make of the mapped expressions: SPDX ids and expressions, no LicenseRefs.
TEST(DebianLicense, WritersClassifyMappedExpressionsAsSpdx) {
  for (std::string_view declared :
       {"GPL-2+", "GPL-2+ or Artistic", "MPL-1.1 or LGPL-2.1+, and Zlib", "Perl and Expat",
        "GPL-2+ with Font exception", "Apache-2.0+", "Expat, and GPL-2 or GPL-3"}) {
    auto choice = report::detail::classify_license(debian_license_to_spdx(declared));
    EXPECT_NE(choice.kind, report::detail::LicenseChoice::Kind::kName) << declared;
    EXPECT_TRUE(choice.license_refs.empty()) << declared;
  }
}

}  // namespace
}  // namespace bulwark::catalog
