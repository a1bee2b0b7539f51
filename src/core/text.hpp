// Small text helpers shared by the parsers of package databases and release files.
#pragma once

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

}  // namespace bulwark::core
