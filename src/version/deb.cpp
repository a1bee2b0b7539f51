// Debian package versions: [epoch:]upstream[-revision], compared as dpkg does (Debian Policy
// 5.6.12): epochs numerically, then upstream and revision by alternating non-digit runs (where
// '~' sorts before everything, even the end, and letters before other characters) and digit
// runs compared as unbounded integers. dpkg only warns about a version that does not start with
// a digit or holds characters outside the policy's set; we reject those (no guessing).
#include <array>
#include <climits>

#include "version/scheme.hpp"

namespace bulwark::version::deb {
namespace {

constexpr std::string_view kName = "Debian";

struct Parsed {
  std::string_view epoch;  // digits; empty means 0
  std::string_view upstream;
  std::string_view revision;  // empty when absent
};

// Characters allowed anywhere in a version (the revision is further limited below).
constexpr auto kAllowed = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view(".+~-:")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

// One pass: validates characters and finds the epoch colon and the revision hyphen (the
// matcher compares millions of versions; see bench/RESULTS.md).
// Returns nullptr, or why the version is invalid (no allocation on the hot path).
const char* parse(std::string_view s, Parsed& p) {
  if (!s.empty() && (s.front() <= ' ' || s.back() <= ' ')) s = trim_space(s);
  if (s.empty()) return "empty";
  size_t first_colon = std::string_view::npos;
  size_t last_colon = std::string_view::npos;
  size_t last_hyphen = std::string_view::npos;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (!kAllowed[static_cast<unsigned char>(c)]) {
      if (c == ' ' || c == '\t') return "embedded spaces";
      return "invalid character";
    }
    if (c == ':') {
      if (first_colon == std::string_view::npos) first_colon = i;
      last_colon = i;
    } else if (c == '-') {
      last_hyphen = i;
    }
  }
  size_t start = 0;
  if (first_colon != std::string_view::npos) {
    p.epoch = s.substr(0, first_colon);
    if (p.epoch.empty()) return "epoch is empty";
    if (!all_digits(p.epoch)) return "epoch is not a number";
    if (compare_digits(p.epoch, "2147483647") > 0) return "epoch too big";
    start = first_colon + 1;
    if (start == s.size()) return "nothing after the epoch's colon";
  }
  size_t end = s.size();
  if (last_hyphen != std::string_view::npos && last_hyphen >= start) {
    p.revision = s.substr(last_hyphen + 1);
    end = last_hyphen;
    if (p.revision.empty()) return "revision is empty";
    if (last_colon != std::string_view::npos && last_colon > last_hyphen) {
      return "invalid character in revision";
    }
  }
  p.upstream = s.substr(start, end - start);
  if (p.upstream.empty()) return "upstream version is empty";
  if (!is_digit(p.upstream.front())) return "does not start with a digit";
  return nullptr;
}

// Weight of a character in a non-digit run: '~' first, then the end of the run, then
// letters, then everything else (ASCII order within each class).
int weight(char c) {
  if (c == '~') return -1;
  if (is_digit(c)) return 0;
  if (is_alpha(c)) return static_cast<unsigned char>(c);
  return static_cast<unsigned char>(c) + 256;
}

int compare_part(std::string_view a, std::string_view b) {
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() || j < b.size()) {
    while ((i < a.size() && !is_digit(a[i])) || (j < b.size() && !is_digit(b[j]))) {
      int wa = i < a.size() ? weight(a[i]) : 0;
      int wb = j < b.size() ? weight(b[j]) : 0;
      if (wa != wb) return wa < wb ? -1 : 1;
      ++i;
      ++j;
    }
    size_t si = i;
    size_t sj = j;
    while (i < a.size() && is_digit(a[i])) ++i;
    while (j < b.size() && is_digit(b[j])) ++j;
    std::string_view da = a.substr(si, i - si);
    std::string_view db = b.substr(sj, j - sj);
    if (da.empty()) da = "0";
    if (db.empty()) db = "0";
    if (int c = compare_digits(da, db); c != 0) return c;
  }
  return 0;
}

}  // namespace

core::Result<int> compare(std::string_view a, std::string_view b) {
  Parsed pa;
  Parsed pb;
  if (const char* why = parse(a, pa)) return bad_version(kName, a, why);
  if (const char* why = parse(b, pb)) return bad_version(kName, b, why);
  if (int c = compare_digits(pa.epoch.empty() ? "0" : pa.epoch, pb.epoch.empty() ? "0" : pb.epoch);
      c != 0) {
    return c;
  }
  if (int c = compare_part(pa.upstream, pb.upstream); c != 0) return c;
  return compare_part(pa.revision, pb.revision);
}

core::Result<bool> satisfies(std::string_view v, std::string_view c) {
  return satisfies_op_list(kName, compare, v, c);
}

}  // namespace bulwark::version::deb
