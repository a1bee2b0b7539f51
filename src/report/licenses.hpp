// SPDX license identifiers and expressions, shared by the CycloneDX and SPDX writers. Package
// databases declare licenses as free text ("GPL-2+", "ASL 2.0", "MIT"); the SBOM formats want
// valid SPDX identifiers or expressions and a separate, lossless place for everything else.
// Shared with the license scanner (src/license), which classifies the same expressions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark::report::detail {

// The SPDX License List version the tables in spdx_license_list.cpp come from.
inline constexpr std::string_view kSpdxLicenseListVersion = "3.28";

std::span<const std::string_view> spdx_license_ids();    // sorted case-insensitively
std::span<const std::string_view> spdx_exception_ids();  // sorted case-insensitively

// The list's spelling of a license (or exception) id, matched case-insensitively as the SPDX
// specification asks; nullopt when the list has no such id.
std::optional<std::string_view> canonical_license_id(std::string_view id);
std::optional<std::string_view> canonical_exception_id(std::string_view id);

// A declared license as the SBOM writers classify it.
struct LicenseChoice {
  enum class Kind {
    kId,          // exactly one listed license id: `text` is its canonical spelling
    kExpression,  // a valid SPDX expression (operators, '+', WITH or LicenseRef-): normalised
    kName,        // anything else: `text` is the declared string, trimmed
  };
  Kind kind = Kind::kName;
  std::string text;
  std::vector<std::string> license_refs;  // the LicenseRef- ids a kExpression uses
};

// Classifies one declared license. Expressions are normalised: canonical id spelling,
// upper-case operators (Debian writes "GPL-2+ or Artistic"), single spaces.
LicenseChoice classify_license(std::string_view declared);

// "LicenseRef-" plus the name reduced to the characters SPDX allows in an idstring
// ([A-Za-z0-9.-]); when that reduction changed the name, a short hash of the original keeps
// different names from meeting in one reference ("public domain" vs "public-domain").
std::string license_ref_for(std::string_view name);

}  // namespace bulwark::report::detail
