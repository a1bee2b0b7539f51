// RubyGems versions and requirements as Gem::Version and Gem::Requirement define them
// (guides.rubygems.org/patterns/#pessimistic-version-constraint): a version is digits then
// dot-separated alphanumeric parts, '-' meaning ".pre."; it is split into numeric and letter
// segments; a letter segment marks a pre-release and sorts before any number; trailing zeros
// of the release part and of the pre-release part are insignificant. Requirements: = != > < >=
// <= ~> (pessimistic: >= v and < v with its last release segment dropped and the one before
// bumped); comma-separated lists all apply; "||" between lists is our extension.
#include <string>
#include <variant>
#include <vector>

#include "version/scheme.hpp"

namespace bulwark::version::rubygems {
namespace {

constexpr std::string_view kName = "RubyGems";

// A segment: digits (without leading zeros) or letters.
struct Segment {
  bool numeric;
  std::string text;
  bool operator==(const Segment&) const = default;
};

struct Version {
  std::vector<Segment> segments;
  bool prerelease = false;
};

bool ident_char(char c) {
  return is_alnum(c) || c == '-';
}

core::Result<Version> parse(std::string_view text) {
  std::string_view s = trim_space(text);
  if (s.empty()) return bad_version(kName, text, "empty");
  // ANCHORED_VERSION_PATTERN: [0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?
  size_t i = 0;
  while (i < s.size() && is_digit(s[i])) ++i;
  if (i == 0) return bad_version(kName, text, "does not start with a digit");
  while (i < s.size() && s[i] == '.') {
    size_t j = i + 1;
    while (j < s.size() && is_alnum(s[j])) ++j;
    if (j == i + 1) return bad_version(kName, text, "empty segment");
    i = j;
  }
  if (i < s.size()) {
    if (s[i] != '-') return bad_version(kName, text, "invalid character");
    while (i < s.size() && (s[i] == '-' || s[i] == '.')) {
      size_t j = i + 1;
      while (j < s.size() && ident_char(s[j])) ++j;
      if (j == i + 1) return bad_version(kName, text, "empty segment");
      i = j;
    }
    if (i < s.size()) return bad_version(kName, text, "invalid character");
  }
  // "-" means ".pre.", then the string is scanned for digit runs and letter runs.
  Version v;
  size_t k = 0;
  while (k < s.size()) {
    if (s[k] == '-') {
      v.segments.push_back({false, "pre"});
      v.prerelease = true;
      ++k;
      continue;
    }
    if (is_digit(s[k])) {
      size_t st = k;
      while (k < s.size() && is_digit(s[k])) ++k;
      std::string_view d = s.substr(st, k - st);
      while (d.size() > 1 && d.front() == '0') d.remove_prefix(1);
      v.segments.push_back({true, std::string(d)});
    } else if (is_alpha(s[k])) {
      size_t st = k;
      while (k < s.size() && is_alpha(s[k])) ++k;
      v.segments.push_back({false, std::string(s.substr(st, k - st))});
      v.prerelease = true;
    } else {
      ++k;
    }
  }
  return v;
}

// Gem::Version#canonical_segments: trailing zeros dropped from the release part and from the
// pre-release part separately.
std::vector<Segment> canonical(const std::vector<Segment>& segs) {
  size_t first_str = segs.size();
  for (size_t i = 0; i < segs.size(); ++i) {
    if (!segs[i].numeric) {
      first_str = i;
      break;
    }
  }
  std::vector<Segment> rel(segs.begin(), segs.begin() + static_cast<ptrdiff_t>(first_str));
  std::vector<Segment> pre(segs.begin() + static_cast<ptrdiff_t>(first_str), segs.end());
  auto drop = [](std::vector<Segment>& v) {
    while (!v.empty() && v.back().numeric && v.back().text == "0") v.pop_back();
  };
  drop(rel);
  drop(pre);
  rel.insert(rel.end(), pre.begin(), pre.end());
  return rel;
}

int compare_segments(const std::vector<Segment>& a0, const std::vector<Segment>& b0) {
  auto a = canonical(a0);
  auto b = canonical(b0);
  if (a == b) return 0;
  const Segment zero{true, "0"};
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const Segment& l = i < a.size() ? a[i] : zero;
    const Segment& r = i < b.size() ? b[i] : zero;
    if (l == r) continue;
    if (!l.numeric && r.numeric) return -1;
    if (l.numeric && !r.numeric) return 1;
    if (l.numeric) return compare_digits(l.text, r.text);
    return sign(l.text.compare(r.text));
  }
  return 0;
}

// Gem::Version#release: a pre-release without its letter segments (and what follows them).
Version release_of(const Version& v) {
  if (!v.prerelease) return v;
  Version r;
  for (const auto& s : v.segments) {
    if (!s.numeric) break;
    r.segments.push_back(s);
  }
  return r;
}

// Gem::Version#bump: drop letter segments, drop the last segment (if more than one), add one
// to the new last.
Version bump(const Version& v) {
  Version b = release_of(v);
  if (b.segments.size() > 1) b.segments.pop_back();
  std::string& d = b.segments.back().text;
  int carry = 1;
  for (size_t i = d.size(); i-- > 0 && carry;) {
    int x = d[i] - '0' + carry;
    d[i] = static_cast<char>('0' + x % 10);
    carry = x / 10;
  }
  if (carry) d.insert(d.begin(), '1');
  return b;
}

core::Result<bool> one_requirement(std::string_view text, const Version& v,
                                   std::string_view whole) {
  std::string_view s = trim_space(text);
  static constexpr std::string_view kOps[] = {"~>", ">=", "<=", "!=", "=", ">", "<"};
  std::string_view op = "=";
  for (auto o : kOps) {
    if (s.starts_with(o)) {
      op = o;
      s.remove_prefix(o.size());
      break;
    }
  }
  auto r = parse(s);
  if (!r.ok()) return bad_constraint(kName, whole, r.error().message());
  const int c = compare_segments(v.segments, r->segments);
  if (op == "=") return c == 0;
  if (op == "!=") return c != 0;
  if (op == ">") return c > 0;
  if (op == "<") return c < 0;
  if (op == ">=") return c >= 0;
  if (op == "<=") return c <= 0;
  // ~>
  return c >= 0 && compare_segments(release_of(v).segments, bump(*r).segments) < 0;
}

}  // namespace

core::Result<int> compare(std::string_view a, std::string_view b) {
  BW_ASSIGN_OR_RETURN(auto va, parse(a));
  BW_ASSIGN_OR_RETURN(auto vb, parse(b));
  return compare_segments(va.segments, vb.segments);
}

core::Result<bool> satisfies(std::string_view v, std::string_view c) {
  BW_ASSIGN_OR_RETURN(auto ver, parse(v));
  std::string_view rest = trim_space(c);
  if (rest.empty()) return bad_constraint(kName, c, "empty");
  bool any = false;
  while (true) {
    size_t bar = rest.find("||");
    std::string_view alt = rest.substr(0, bar);
    bool all = true;
    while (true) {
      auto comma = alt.find(',');
      BW_ASSIGN_OR_RETURN(bool ok, one_requirement(alt.substr(0, comma), ver, c));
      if (!ok) all = false;
      if (comma == std::string_view::npos) break;
      alt = alt.substr(comma + 1);
    }
    if (all) any = true;
    if (bar == std::string_view::npos) break;
    rest = rest.substr(bar + 2);
  }
  return any;
}

}  // namespace bulwark::version::rubygems
