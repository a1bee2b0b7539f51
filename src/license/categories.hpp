// License categories: what using a component under a license obliges its user to do, from
// least to most demanding. The categories and most assignments follow Google's license
// classification (the "license types" of github.com/google/licenseclassifier, the public
// reference Trivy also uses); docs/licenses.md lists where we differ and why. The tables are
// data (categories.cpp): one row per SPDX license id, one per SPDX exception, one per common
// non-SPDX name.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace bulwark::license {

// Ordered from least to most restrictive; kUnknown is apart (no order: it could be anything).
enum class Category {
  kUnencumbered,  // public-domain dedications and no-condition licenses (CC0, Unlicense, 0BSD)
  kPermissive,    // only asks to keep the notice in the file itself (FSF all-permissive)
  kNotice,        // keep the copyright notice and license text with copies (MIT, BSD, Apache)
  kReciprocal,    // changes to the component's own files stay under it (MPL, EPL, CDDL)
  kRestricted,    // copyleft over the combined work when distributed (GPL, LGPL, CC-BY-SA)
  kForbidden,     // not usable in most products (AGPL network clause, non-commercial, SSPL)
  kUnknown,       // not classified: free text, LicenseRef-, a variant of a known license
};

inline constexpr Category kAllCategories[] = {
    Category::kUnencumbered, Category::kPermissive, Category::kNotice,  Category::kReciprocal,
    Category::kRestricted,   Category::kForbidden,  Category::kUnknown,
};

std::string_view category_name(Category c);
// "restricted" -> kRestricted; case-insensitive; nullopt for anything else.
std::optional<Category> parse_category(std::string_view name);

struct CategoryRow {
  std::string_view id;  // SPDX license id, exactly as the SPDX License List spells it
  Category category;
};
std::span<const CategoryRow> category_table();  // sorted case-insensitively by id

// What an SPDX exception does to the license it is attached to.
enum class ExceptionEffect {
  // Lets other code link with or use the component without that code falling under the
  // license (Classpath, GCC runtime, Linux syscall note...): a restricted license becomes
  // reciprocal, since only the component itself stays copyleft.
  kLinking,
  // Frees only what a tool generates (Autoconf, Bison, Libtool output): the component's own
  // code keeps the license's category.
  kGeneratedOutput,
  // Adds a permission that changes nothing about the obligations (OpenSSL linking
  // permissions, GPL cure commitments...).
  kNone,
};

struct ExceptionRow {
  std::string_view id;  // SPDX exception id
  ExceptionEffect effect;
};
std::span<const ExceptionRow> exception_table();  // sorted case-insensitively by id

// A license name that is not an SPDX id but says unambiguously which license family it is
// ("GPL" with no version, Debian's "public-domain", PyPI's "Apache 2.0").
struct AliasRow {
  std::string_view name;     // matched case-insensitively, spaces/underscores as '-'
  std::string_view meaning;  // what the name denotes, for the finding's reason
  Category category;
};
std::span<const AliasRow> alias_table();  // sorted case-insensitively by normalised name

// The category of an SPDX license id (any case; deprecated ids included); nullopt when the id
// is not in the table.
std::optional<Category> category_of(std::string_view spdx_id);
std::optional<ExceptionEffect> exception_effect(std::string_view spdx_exception_id);
const AliasRow* find_alias(std::string_view name);

}  // namespace bulwark::license
