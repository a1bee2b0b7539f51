// Inside the version module: the Scheme record, each ecosystem's entry points, and helpers
// shared by several schemes (digit-string comparison, the generic operator-list constraint).
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "version/version.hpp"

namespace bulwark::version {

using CompareFn = core::Result<int> (*)(std::string_view, std::string_view);
using SatisfiesFn = core::Result<bool> (*)(std::string_view, std::string_view);

struct Scheme {
  std::string_view name;                    // canonical name, used in error messages
  std::array<std::string_view, 6> aliases;  // other accepted names (case-insensitive)
  CompareFn compare;
  SatisfiesFn satisfies;
  std::string_view constraint_syntax;  // one line for help and docs
};

// The registration list (schemes.cpp).
std::span<const Scheme> all_schemes();

// Longest version or constraint string accepted by any scheme (untrusted input).
inline constexpr size_t kMaxVersionLength = 1024;
inline constexpr size_t kMaxConstraintLength = 16 * 1024;

// "<scheme>: version "<v>": <why>"
core::Error bad_version(std::string_view scheme, std::string_view v, std::string_view why);
core::Error bad_constraint(std::string_view scheme, std::string_view c, std::string_view why);

// Compares two strings of ASCII digits as unbounded non-negative integers.
int compare_digits(std::string_view a, std::string_view b);
inline int sign(int v) {
  return (v > 0) - (v < 0);
}
inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool is_alnum(char c) {
  return is_digit(c) || is_alpha(c);
}
inline char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
inline bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}
std::string_view trim_space(std::string_view s);

// The operator-list syntax used by ecosystems without one of their own (deb, rpm, apk, Go):
// alternatives separated by "||", each a list of clauses separated by "," or spaces, each clause
// OP VERSION with OP one of < <= > >= = == != (deb's << and >> are strict, as in dpkg).
// With `fuzzy` (apk), ~ <~ >~ compare with it instead: equal when the version starts with the
// operand's components.
core::Result<bool> satisfies_op_list(std::string_view scheme, CompareFn cmp,
                                     std::string_view version, std::string_view constraint,
                                     CompareFn fuzzy = nullptr);

#define BW_VERSION_SCHEME(ns)                                           \
  namespace ns {                                                        \
  core::Result<int> compare(std::string_view a, std::string_view b);    \
  core::Result<bool> satisfies(std::string_view v, std::string_view c); \
  }
BW_VERSION_SCHEME(deb)
BW_VERSION_SCHEME(rpm)
BW_VERSION_SCHEME(apk)
BW_VERSION_SCHEME(npm)
BW_VERSION_SCHEME(semver)
BW_VERSION_SCHEME(go)
BW_VERSION_SCHEME(cargo)
BW_VERSION_SCHEME(pep440)
BW_VERSION_SCHEME(maven)
BW_VERSION_SCHEME(rubygems)
BW_VERSION_SCHEME(nuget)
BW_VERSION_SCHEME(composer)
#undef BW_VERSION_SCHEME

}  // namespace bulwark::version
