// SemVer 2.0 parsing and precedence shared by the npm, SemVer, Go and Cargo schemes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "version/scheme.hpp"

namespace bulwark::version {

struct SemVer {
  std::string major, minor, patch;  // ASCII digit strings
  std::vector<std::string> pre;     // dot-separated pre-release identifiers
  std::string build;                // without '+'; never part of precedence
};

struct SemVerRules {
  bool allow_v_prefix = false;   // "v1.2.3" (node-semver, Go)
  bool trim = false;             // surrounding whitespace ignored (node-semver)
  bool js_safe_numbers = false;  // numbers above 2^53-1 rejected (node-semver)
  size_t max_length = 1024;
};

core::Result<SemVer> parse_semver(std::string_view scheme, std::string_view s,
                                  const SemVerRules& rules);
// Precedence (SemVer 2.0 section 11): numbers, then pre-release (none > some; numeric
// identifiers numerically and before alphanumeric ones, which compare in ASCII order).
int compare_semver(const SemVer& a, const SemVer& b);
int compare_prerelease(const std::vector<std::string>& a, const std::vector<std::string>& b);
bool valid_identifier_chars(std::string_view id);

}  // namespace bulwark::version
