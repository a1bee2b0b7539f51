// Generates true and false examples from a rule's example template ({c:N} placeholders).
#pragma once

#include <random>
#include <string>
#include <string_view>

#include "secret/rules.hpp"

namespace bulwark::secret::testing {

inline std::string_view class_chars(char c) {
  switch (c) {
    case 'a':
      return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    case 'A':
      return "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    case 'u':
      return "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    case 'L':
      return "abcdefghijklmnopqrstuvwxyz";
    case 'l':
      return "abcdefghijklmnopqrstuvwxyz0123456789";
    case 'h':
      return "abcdef0123456789";
    case 'H':
      return "ABCDEF0123456789";
    case 'd':
      return "0123456789";
    case 'b':
      return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    case 'B':
      return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    case 'z':
      return "abcdefghijklmnopqrstuvwxyz234567";
    case 'Z':
      return "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    case 'g':
      return "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";
    default:
      return "";
  }
}

enum class Fill { kRandom, kTruncated, kPlaceholder };

// Expands the template. kTruncated makes every placeholder a third as long (at most 6);
// kPlaceholder repeats one character, as a documentation placeholder does.
inline std::string expand(std::string_view tmpl, uint64_t seed, Fill fill) {
  std::mt19937_64 rng(seed);
  std::string out;
  for (size_t i = 0; i < tmpl.size();) {
    if (tmpl[i] == '{' && i + 3 < tmpl.size() && tmpl[i + 2] == ':') {
      size_t close = tmpl.find('}', i);
      auto chars = class_chars(tmpl[i + 1]);
      if (close != std::string_view::npos && !chars.empty()) {
        size_t n = std::stoul(std::string(tmpl.substr(i + 3, close - i - 3)));
        if (fill == Fill::kTruncated) n = std::max<size_t>(1, std::min<size_t>(n / 3, 6));
        for (size_t k = 0; k < n; ++k) {
          out += fill == Fill::kPlaceholder ? chars[0] : chars[rng() % chars.size()];
        }
        i = close + 1;
        continue;
      }
    }
    out += tmpl[i++];
  }
  return out;
}

inline std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Every (case-insensitive) occurrence of every keyword gets its last character replaced: the
// provider's prefix or the variable's name is then wrong.
inline std::string break_keywords(std::string s, const Rule& r) {
  for (const auto& k : r.keywords) {
    if (k.empty()) continue;
    for (size_t pos = 0;;) {
      pos = lower(s).find(k, pos);
      if (pos == std::string::npos) break;
      s[pos + k.size() - 1] = '#';
      pos += k.size();
    }
  }
  return s;
}

}  // namespace bulwark::secret::testing
