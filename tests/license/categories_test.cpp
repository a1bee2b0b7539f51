// The category tables are data; these tests keep them honest: every row names a real SPDX id
// (SPDX License List 3.28, the list the SBOM writers validate against), rows are sorted for
// the binary search, and the families land where docs/licenses.md says.
#include "license/categories.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>

#include "report/licenses.hpp"

namespace bulwark::license {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

TEST(LicenseCategories, EveryRowIsARealSpdxLicenseIdInItsListSpelling) {
  for (const auto& row : category_table()) {
    auto id = report::detail::canonical_license_id(row.id);
    ASSERT_TRUE(id.has_value()) << row.id << " is not an SPDX license id";
    EXPECT_EQ(*id, row.id) << "spelled differently from the SPDX list";
  }
  for (const auto& row : exception_table()) {
    auto id = report::detail::canonical_exception_id(row.id);
    ASSERT_TRUE(id.has_value()) << row.id << " is not an SPDX exception id";
    EXPECT_EQ(*id, row.id);
  }
}

TEST(LicenseCategories, TablesAreSortedWithoutDuplicatesSoLookupsFindEveryRow) {
  std::string prev;
  for (const auto& row : category_table()) {
    EXPECT_LT(prev, lower(row.id)) << "after " << prev;
    prev = lower(row.id);
    EXPECT_EQ(category_of(row.id), row.category) << row.id;
    EXPECT_EQ(category_of(lower(row.id)), row.category) << "case-insensitive: " << row.id;
  }
  prev.clear();
  for (const auto& row : exception_table()) {
    EXPECT_LT(prev, lower(row.id));
    prev = lower(row.id);
    EXPECT_EQ(exception_effect(row.id), row.effect);
  }
  prev.clear();
  for (const auto& row : alias_table()) {
    EXPECT_LT(prev, std::string(row.name));
    prev = std::string(row.name);
    EXPECT_EQ(find_alias(row.name), &row);
    // An alias must not shadow a real id: those classify through the id table.
    EXPECT_FALSE(report::detail::canonical_license_id(row.name).has_value()) << row.name;
  }
}

TEST(LicenseCategories, CoversTheCommonlyUsedLicensesAsGoogleClassifiesThem) {
  struct Case {
    const char* id;
    Category want;
  };
  const Case cases[] = {
      {"AGPL-3.0-only", Category::kForbidden},
      {"AGPL-3.0-or-later", Category::kForbidden},
      {"SSPL-1.0", Category::kForbidden},
      {"CC-BY-NC-4.0", Category::kForbidden},
      {"CC-BY-NC-SA-4.0", Category::kForbidden},
      {"WTFPL", Category::kForbidden},
      {"GPL-2.0-only", Category::kRestricted},
      {"GPL-3.0-or-later", Category::kRestricted},
      {"LGPL-2.1-only", Category::kRestricted},
      {"LGPL-3.0-or-later", Category::kRestricted},
      {"CC-BY-SA-4.0", Category::kRestricted},
      {"Sleepycat", Category::kRestricted},
      {"EUPL-1.2", Category::kRestricted},
      {"MPL-2.0", Category::kReciprocal},
      {"EPL-2.0", Category::kReciprocal},
      {"CDDL-1.0", Category::kReciprocal},
      {"Apache-2.0", Category::kNotice},
      {"MIT", Category::kNotice},
      {"BSD-3-Clause", Category::kNotice},
      {"BSD-2-Clause", Category::kNotice},
      {"ISC", Category::kNotice},
      {"Zlib", Category::kNotice},
      {"CC-BY-4.0", Category::kNotice},
      {"PSF-2.0", Category::kNotice},
      {"FSFAP", Category::kPermissive},
      {"CC0-1.0", Category::kUnencumbered},
      {"Unlicense", Category::kUnencumbered},
      {"0BSD", Category::kUnencumbered},
  };
  for (const auto& c : cases) EXPECT_EQ(category_of(c.id), c.want) << c.id;
  // The table is large enough to cover what packages actually declare.
  EXPECT_GE(category_table().size(), 300U);
}

TEST(LicenseCategories, NamesRoundTripAndUnknownNamesDoNotParse) {
  for (Category c : kAllCategories) EXPECT_EQ(parse_category(category_name(c)), c);
  EXPECT_EQ(parse_category("Restricted"), Category::kRestricted);
  EXPECT_FALSE(parse_category("copyleft").has_value());
  EXPECT_FALSE(parse_category("").has_value());
}

TEST(LicenseCategories, AliasesMatchCaseAndSeparatorsLoosely) {
  ASSERT_NE(find_alias("Public Domain"), nullptr);
  EXPECT_EQ(find_alias("public_domain")->category, Category::kUnencumbered);
  EXPECT_EQ(find_alias("GPL")->category, Category::kRestricted);
  EXPECT_EQ(find_alias("Apache 2.0"), nullptr) << "\"Apache 2.0\" is an id one dot away";
  EXPECT_EQ(find_alias("MIT/X11")->category, Category::kNotice);
  EXPECT_EQ(find_alias("MIT-like"), nullptr) << "a variant is not the license";
}

}  // namespace
}  // namespace bulwark::license
