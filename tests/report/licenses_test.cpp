// License classification for the SBOM writers: SPDX ids and expressions (SPDX 2.3 annex D)
// are normalised, everything else stays free text.
#include "report/licenses.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "support/test_env.hpp"

namespace bulwark::report::detail {
namespace {

using Kind = LicenseChoice::Kind;

LicenseChoice c(std::string_view s) {
  return classify_license(s);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char ch) { return std::tolower(ch); });
  return out;
}

TEST(Licenses, ListedIdsMatchCaseInsensitivelyAndComeOutCanonical) {
  EXPECT_EQ(c("MIT").kind, Kind::kId);
  EXPECT_EQ(c("mit").text, "MIT");
  EXPECT_EQ(c("  bsd-3-clause ").text, "BSD-3-Clause");
  EXPECT_EQ(c("bsd-3-clause").kind, Kind::kId);
  // Deprecated ids with '+' are on the list as they are.
  EXPECT_EQ(c("GPL-2.0+").kind, Kind::kId);
  EXPECT_EQ(c("gpl-2.0+").text, "GPL-2.0+");
}

TEST(Licenses, ExpressionsAreNormalised) {
  auto e = c("GPL-1.0-or-later or artistic-1.0-perl");
  EXPECT_EQ(e.kind, Kind::kExpression);
  EXPECT_EQ(e.text, "GPL-1.0-or-later OR Artistic-1.0-Perl");
  EXPECT_EQ(c("( mit  AND bsd-3-clause)or Apache-2.0").text,
            "(MIT AND BSD-3-Clause) OR Apache-2.0");
  EXPECT_EQ(c("GPL-2.0-only with linux-syscall-note").text, "GPL-2.0-only WITH Linux-syscall-note");
  EXPECT_EQ(c("Apache-2.0+").kind, Kind::kExpression);  // or-later of a listed id
  EXPECT_EQ(c("Apache-2.0+").text, "Apache-2.0+");
  EXPECT_EQ(c("(MIT)").kind, Kind::kExpression);
  EXPECT_EQ(c("MIT AND (Apache-2.0 OR (BSD-2-Clause AND ISC))").text,
            "MIT AND (Apache-2.0 OR (BSD-2-Clause AND ISC))");
}

TEST(Licenses, LicenseRefsAreExpressionsAndReported) {
  auto e = c("LicenseRef-acme-1.0 OR mit");
  EXPECT_EQ(e.kind, Kind::kExpression);
  EXPECT_EQ(e.text, "LicenseRef-acme-1.0 OR MIT");
  EXPECT_THAT(e.license_refs, ::testing::ElementsAre("LicenseRef-acme-1.0"));
  EXPECT_EQ(c("LicenseRef-x").kind, Kind::kExpression);
  EXPECT_TRUE(c("MIT OR Apache-2.0").license_refs.empty());
}

TEST(Licenses, AnythingElseStaysTheDeclaredName) {
  for (std::string_view s : {"GPL-2+",
                             "ASL 2.0",
                             "public-domain",
                             "MIT/X11",
                             "BSD-3-Clause,",
                             "MIT AND",
                             "(MIT",
                             "MIT)",
                             "MIT OR OR ISC",
                             "MIT WITH MIT",
                             "WITH",
                             "AND",
                             "Classpath-exception-2.0",
                             "GPL-2.0-only WITH",
                             "LicenseRef-x+",
                             "LicenseRef-",
                             "DocumentRef-a:LicenseRef-b",
                             "MIT +",
                             "(MIT OR ISC) WITH Classpath-exception-2.0",
                             "GPL-2.0-only WITH Classpath-exception-2.0+",
                             "SEE LICENSE IN LICENSE.txt",
                             "()",
                             ""}) {
    auto r = c(s);
    EXPECT_EQ(r.kind, Kind::kName) << s << " -> " << r.text;
  }
  EXPECT_EQ(c("  ASL 2.0 ").text, "ASL 2.0");
}

TEST(Licenses, DeepNestingIsFreeTextNotRecursion) {
  std::string deep = std::string(10'000, '(') + "MIT" + std::string(10'000, ')');
  EXPECT_EQ(c(deep).kind, Kind::kName);
  std::string fine = std::string(8, '(') + "MIT" + std::string(8, ')');
  EXPECT_EQ(c(fine).kind, Kind::kExpression);
}

TEST(Licenses, LicenseRefsForNamesAreStableAndDistinct) {
  EXPECT_EQ(license_ref_for("public-domain"), "LicenseRef-public-domain");
  std::string asl = license_ref_for("ASL 2.0");
  EXPECT_THAT(asl, ::testing::MatchesRegex("LicenseRef-ASL-2\\.0-[0-9a-f]{8}"));
  EXPECT_EQ(asl, license_ref_for("ASL 2.0"));
  EXPECT_NE(license_ref_for("public domain"), license_ref_for("public-domain"));
  EXPECT_THAT(license_ref_for("Timo Teräs"), ::testing::MatchesRegex("LicenseRef-[A-Za-z0-9.-]+"));
  EXPECT_THAT(license_ref_for(""), ::testing::StartsWith("LicenseRef-unnamed"));
}

TEST(Licenses, TablesAreSortedCaseInsensitivelyWithoutDuplicates) {
  for (auto table : {spdx_license_ids(), spdx_exception_ids()}) {
    ASSERT_FALSE(table.empty());
    for (size_t i = 1; i < table.size(); ++i) {
      EXPECT_LT(lower(table[i - 1]), lower(table[i])) << table[i - 1] << " / " << table[i];
    }
  }
  EXPECT_TRUE(canonical_license_id("Apache-2.0"));
  EXPECT_FALSE(canonical_license_id("Classpath-exception-2.0"));
  EXPECT_TRUE(canonical_exception_id("Classpath-exception-2.0"));
  EXPECT_FALSE(canonical_exception_id("MIT"));
}

// Every id we write as a CycloneDX license.id must be in the enum that schema checks against,
// and the list should not lag behind it.
TEST(Licenses, ListMatchesTheCycloneDxSpdxEnum) {
  BW_REQUIRE_SHARED(shared);
  auto schema = nlohmann::json::parse(
      testing::read_file(shared / "schemas" / "cyclonedx" / "spdx.schema.json"));
  std::set<std::string> expected;
  for (const auto& id : schema["enum"]) expected.insert(id.get<std::string>());
  std::set<std::string> ours;
  for (auto id : spdx_license_ids()) ours.insert(std::string(id));
  for (auto id : spdx_exception_ids()) ours.insert(std::string(id));
  EXPECT_EQ(ours, expected);
}

}  // namespace
}  // namespace bulwark::report::detail
