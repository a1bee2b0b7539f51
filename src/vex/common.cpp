// Shared pieces of the VEX module: reading files, recognising the format, dates, globs, purls.
#include <cerrno>
#include <fstream>
#include <vector>

#include "core/json.hpp"
#include "core/limits.hpp"
#include "core/purl.hpp"
#include "vex/json_input.hpp"
#include "vex/vex.hpp"

namespace bulwark::vex {

using core::Error;
using core::Result;

namespace {

bool digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int number(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

bool leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (the civil-from-days inverse).
int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool valid_ymd(std::string_view s) {
  if (s.size() < 10 || !digits(s, 0, 4) || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' ||
      !digits(s, 8, 2)) {
    return false;
  }
  int y = number(s, 0, 4), m = number(s, 5, 2), d = number(s, 8, 2);
  return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

Result<std::string> read_bounded(const std::string& path) {
  const uint64_t limit = core::limits().max_metadata_bytes;
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error::from_errno(path, errno);
  std::string data;
  data.resize(limit + 1);
  f.read(data.data(), static_cast<std::streamsize>(data.size()));
  if (f.bad()) return Error::io(path + ": read failed");
  data.resize(static_cast<size_t>(f.gcount()));
  if (data.size() > limit) {
    return Error::limit(path + ": larger than " + std::to_string(limit) +
                        " bytes (limit max_metadata_bytes)");
  }
  return data;
}

}  // namespace

bool valid_date(std::string_view text) {
  return text.size() == 10 && valid_ymd(text);
}

// RFC 3339 section 5.6: full-date "T" time (fraction optional) and "Z" or a numeric offset.
Result<int64_t> parse_rfc3339(std::string_view s) {
  auto bad = [&] {
    return Error::invalid("not an RFC 3339 date-time: \"" + std::string(s) + "\"");
  };
  if (!valid_ymd(s) || s.size() < 19 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !digits(s, 11, 2) || s[13] != ':' || !digits(s, 14, 2) || s[16] != ':' || !digits(s, 17, 2)) {
    return bad();
  }
  int hh = number(s, 11, 2), mm = number(s, 14, 2), ss = number(s, 17, 2);
  if (hh > 23 || mm > 59 || ss > 60) return bad();
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return bad();
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    if (!digits(s, pos + 1, 2) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2)) {
      return bad();
    }
    int oh = number(s, pos + 1, 2), om = number(s, pos + 4, 2);
    if (oh > 23 || om > 59) return bad();
    offset = (s[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  int64_t days = days_from_civil(number(s, 0, 4), number(s, 5, 2), number(s, 8, 2));
  return days * 86400 + hh * 3600 + mm * 60 + ss - offset;
}

bool glob_matches(std::string_view p, std::string_view s) {
  // Tokens, then a dynamic programme over (token, position): linear in both, no backtracking
  // blow-up whatever the pattern.
  enum class T { kLit, kOne, kStar, kDoubleStar, kDoubleStarSlash };
  std::vector<std::pair<T, char>> tokens;
  for (size_t i = 0; i < p.size();) {
    if (p.compare(i, 3, "**/") == 0) {
      tokens.emplace_back(T::kDoubleStarSlash, 0);
      i += 3;
    } else if (p.compare(i, 2, "**") == 0) {
      tokens.emplace_back(T::kDoubleStar, 0);
      i += 2;
    } else if (p[i] == '*') {
      tokens.emplace_back(T::kStar, 0);
      ++i;
    } else if (p[i] == '?') {
      tokens.emplace_back(T::kOne, 0);
      ++i;
    } else {
      tokens.emplace_back(T::kLit, p[i]);
      ++i;
    }
  }
  const size_t n = s.size();
  std::vector<char> next(n + 1, 0), cur(n + 1, 0), tmp(n + 1, 0);
  next[n] = 1;  // no tokens left: matches only the end
  for (size_t t = tokens.size(); t-- > 0;) {
    auto [kind, c] = tokens[t];
    for (size_t j = n + 1; j-- > 0;) {
      bool more = j < n;
      switch (kind) {
        case T::kLit:
          cur[j] = more && s[j] == c && next[j + 1];
          break;
        case T::kOne:
          cur[j] = more && s[j] != '/' && next[j + 1];
          break;
        case T::kStar:
          cur[j] = next[j] || (more && s[j] != '/' && cur[j + 1]);
          break;
        case T::kDoubleStar:
          cur[j] = next[j] || (more && cur[j + 1]);
          break;
        case T::kDoubleStarSlash:
          // "**/": nothing, or anything that ends with '/'.
          tmp[j] = (more && s[j] == '/' && next[j + 1]) || (more && tmp[j + 1]);
          cur[j] = next[j] || tmp[j];
          break;
      }
    }
    std::swap(cur, next);
  }
  return next[0] != 0;
}

bool purl_matches(std::string_view pattern, std::string_view purl) {
  auto a = core::PackageUrl::parse(pattern, core::PurlParseMode::kLenient);
  auto b = core::PackageUrl::parse(purl, core::PurlParseMode::kLenient);
  if (!a.ok() || !b.ok()) return false;
  // Compare the canonical forms of the components, so case and encoding rules of the type
  // (deb names lowercase, pypi '_' == '-') apply to both sides.
  auto key = [](core::PackageUrl p, bool with_version) {
    p.qualifiers.clear();
    p.subpath.clear();
    if (!with_version) p.version.clear();
    return p.to_string();
  };
  bool versioned = !a->version.empty();
  return key(*a, versioned) == key(*b, versioned);
}

Result<Document> parse_vex(std::string_view text, std::string_view name) {
  BW_ASSIGN_OR_RETURN(auto j, core::parse_json(text, name));
  if (j.is_object()) {
    auto ctx = j.find("@context");
    if (ctx != j.end() && ctx->is_string() &&
        ctx->get_ref<const std::string&>().rfind("https://openvex.dev/ns", 0) == 0) {
      return detail::openvex_from_json(j, name);
    }
    auto fmt = j.find("bomFormat");
    if (fmt != j.end() && fmt->is_string() && *fmt == "CycloneDX") {
      return detail::cyclonedx_vex_from_json(j, name);
    }
  }
  return Error::invalid(std::string(name) +
                        ": not a VEX document (neither an OpenVEX @context nor a CycloneDX "
                        "bomFormat)");
}

Result<Document> load_vex(const std::string& path) {
  BW_ASSIGN_OR_RETURN(auto text, read_bounded(path));
  return parse_vex(text, path);
}

Result<IgnoreFile> load_ignore_file(const std::string& path) {
  BW_ASSIGN_OR_RETURN(auto text, read_bounded(path));
  return parse_ignore_file(text, path);
}

}  // namespace bulwark::vex
