// Small text helpers shared by the parsers of package databases and release files.
#pragma once

#include <algorithm>
#include <string_view>

namespace bulwark::core {

constexpr bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Strips ASCII whitespace (space, tab, CR, LF) from both ends.
constexpr std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// ASCII case folding for identifiers (SPDX ids, keywords); other bytes are left as they are.
constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool equal_nocase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

// Orders as std::string_view's < does after ascii_lower: tables sorted with it are searched
// case-insensitively with std::lower_bound.
constexpr bool less_nocase(std::string_view a, std::string_view b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return ascii_lower(x) < ascii_lower(y);
  });
}

}  // namespace bulwark::core
