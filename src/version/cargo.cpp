// Cargo (crates.io): strict SemVer 2.0 versions and Cargo's version requirements
// (doc.rust-lang.org/cargo/reference/specifying-dependencies.html), matching as the `semver`
// crate's VersionReq: comma-separated comparators that must all match; an operator-less
// requirement is a caret one; ^, ~, =, >, >=, <, <= and wildcards (*, 1.*, 1.2.*) on partial
// versions. A pre-release version only matches when some comparator has a pre-release on the
// same major.minor.patch. "||" between requirements is our extension (RustSec lists several).
#include <algorithm>
#include <optional>

#include "version/semver_core.hpp"

namespace bulwark::version::cargo {
namespace {

constexpr std::string_view kName = "crates.io";
constexpr SemVerRules kRules{};

enum class Op { kExact, kGreater, kGreaterEq, kLess, kLessEq, kTilde, kCaret, kWildcard };

struct Comparator {
  Op op;
  std::string major;
  std::optional<std::string> minor, patch;
  std::vector<std::string> pre;
};

bool numeric_ok(std::string_view n) {
  return all_digits(n) && (n.size() == 1 || n.front() != '0');
}

core::Result<Comparator> parse_comparator(std::string_view text, std::string_view whole) {
  std::string_view s = trim_space(text);
  Comparator c{Op::kCaret, "", std::nullopt, std::nullopt, {}};
  bool explicit_op = true;
  if (s.starts_with(">="))
    c.op = Op::kGreaterEq, s.remove_prefix(2);
  else if (s.starts_with("<="))
    c.op = Op::kLessEq, s.remove_prefix(2);
  else if (s.starts_with(">"))
    c.op = Op::kGreater, s.remove_prefix(1);
  else if (s.starts_with("<"))
    c.op = Op::kLess, s.remove_prefix(1);
  else if (s.starts_with("="))
    c.op = Op::kExact, s.remove_prefix(1);
  else if (s.starts_with("~"))
    c.op = Op::kTilde, s.remove_prefix(1);
  else if (s.starts_with("^"))
    c.op = Op::kCaret, s.remove_prefix(1);
  else
    explicit_op = false;
  s = trim_space(s);
  if (s.empty()) return bad_constraint(kName, whole, "comparator without version");
  std::string_view pre;
  if (auto h = s.find('-'); h != std::string_view::npos) {
    pre = s.substr(h + 1);
    s = s.substr(0, h);
  }
  if (s.find('+') != std::string_view::npos) {
    // Build metadata is allowed and ignored.
    s = s.substr(0, s.find('+'));
  }
  if (auto plus = pre.find('+'); plus != std::string_view::npos) pre = pre.substr(0, plus);
  std::string_view parts[3];
  int n = 0;
  while (true) {
    if (n == 3) return bad_constraint(kName, whole, "more than three version numbers");
    auto dot = s.find('.');
    parts[n++] = s.substr(0, dot);
    if (dot == std::string_view::npos) break;
    s = s.substr(dot + 1);
  }
  bool wildcard = false;
  auto is_wild = [](std::string_view p) { return p == "*" || p == "x" || p == "X"; };
  for (int i = 0; i < n; ++i) {
    if (is_wild(parts[i])) {
      wildcard = true;
      continue;
    }
    if (wildcard) return bad_constraint(kName, whole, "number after a wildcard");
    if (!numeric_ok(parts[i])) return bad_constraint(kName, whole, "invalid version number");
  }
  if (wildcard && is_wild(parts[0])) {
    if (n > 1 && !std::all_of(parts + 1, parts + n, is_wild)) {
      return bad_constraint(kName, whole, "number after a wildcard");
    }
    // "*" alone: every non-pre-release version.
    c.op = Op::kWildcard;
    c.major = "*";
    return c;
  }
  c.major = std::string(parts[0]);
  if (n > 1 && !is_wild(parts[1])) c.minor = std::string(parts[1]);
  if (n > 2 && !is_wild(parts[2])) c.patch = std::string(parts[2]);
  if (wildcard && !explicit_op) c.op = Op::kWildcard;
  if (!pre.empty() || (text.find('-') != std::string_view::npos)) {
    if (!c.patch) return bad_constraint(kName, whole, "pre-release on a partial version");
    while (true) {
      auto dot = pre.find('.');
      std::string_view id = pre.substr(0, dot);
      if (!valid_identifier_chars(id) || (all_digits(id) && !numeric_ok(id))) {
        return bad_constraint(kName, whole, "invalid pre-release");
      }
      c.pre.emplace_back(id);
      if (dot == std::string_view::npos) break;
      pre = pre.substr(dot + 1);
    }
  }
  return c;
}

int cmp_num(const std::string& a, const std::string& b) {
  return compare_digits(a, b);
}

bool matches_exact(const Comparator& c, const SemVer& v) {
  if (cmp_num(v.major, c.major) != 0) return false;
  if (c.minor && cmp_num(v.minor, *c.minor) != 0) return false;
  if (c.patch && cmp_num(v.patch, *c.patch) != 0) return false;
  return v.pre == c.pre;
}

bool matches_greater(const Comparator& c, const SemVer& v) {
  if (int r = cmp_num(v.major, c.major); r != 0) return r > 0;
  if (!c.minor) return false;
  if (int r = cmp_num(v.minor, *c.minor); r != 0) return r > 0;
  if (!c.patch) return false;
  if (int r = cmp_num(v.patch, *c.patch); r != 0) return r > 0;
  return compare_prerelease(v.pre, c.pre) > 0;
}

bool matches_less(const Comparator& c, const SemVer& v) {
  if (int r = cmp_num(v.major, c.major); r != 0) return r < 0;
  if (!c.minor) return false;
  if (int r = cmp_num(v.minor, *c.minor); r != 0) return r < 0;
  if (!c.patch) return false;
  if (int r = cmp_num(v.patch, *c.patch); r != 0) return r < 0;
  return compare_prerelease(v.pre, c.pre) < 0;
}

bool matches_tilde(const Comparator& c, const SemVer& v) {
  if (cmp_num(v.major, c.major) != 0) return false;
  if (c.minor && cmp_num(v.minor, *c.minor) != 0) return false;
  if (c.patch) {
    if (int r = cmp_num(v.patch, *c.patch); r != 0) return r > 0;
  }
  return compare_prerelease(v.pre, c.pre) >= 0;
}

bool matches_caret(const Comparator& c, const SemVer& v) {
  if (cmp_num(v.major, c.major) != 0) return false;
  if (!c.minor) return true;
  const bool major_zero = c.major == "0";
  if (!c.patch) {
    return major_zero ? cmp_num(v.minor, *c.minor) == 0 : cmp_num(v.minor, *c.minor) >= 0;
  }
  if (!major_zero) {
    if (int r = cmp_num(v.minor, *c.minor); r != 0) return r > 0;
    if (int r = cmp_num(v.patch, *c.patch); r != 0) return r > 0;
  } else if (*c.minor != "0") {
    if (cmp_num(v.minor, *c.minor) != 0) return false;
    if (int r = cmp_num(v.patch, *c.patch); r != 0) return r > 0;
  } else if (cmp_num(v.minor, *c.minor) != 0 || cmp_num(v.patch, *c.patch) != 0) {
    return false;
  }
  return compare_prerelease(v.pre, c.pre) >= 0;
}

bool matches(const Comparator& c, const SemVer& v) {
  switch (c.op) {
    case Op::kWildcard:
      return c.major == "*" ? true : matches_exact(c, v);
    case Op::kExact:
      return matches_exact(c, v);
    case Op::kGreater:
      return matches_greater(c, v);
    case Op::kGreaterEq:
      return matches_exact(c, v) || matches_greater(c, v);
    case Op::kLess:
      return matches_less(c, v);
    case Op::kLessEq:
      return matches_exact(c, v) || matches_less(c, v);
    case Op::kTilde:
      return matches_tilde(c, v);
    case Op::kCaret:
      return matches_caret(c, v);
  }
  return false;
}

core::Result<bool> matches_req(std::string_view req, const SemVer& v, std::string_view whole) {
  std::vector<Comparator> cs;
  std::string_view rest = req;
  while (true) {
    auto comma = rest.find(',');
    BW_ASSIGN_OR_RETURN(auto c, parse_comparator(rest.substr(0, comma), whole));
    cs.push_back(std::move(c));
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  for (const auto& c : cs) {
    if (!matches(c, v)) return false;
  }
  if (v.pre.empty()) return true;
  for (const auto& c : cs) {
    if (c.major == v.major && c.minor == v.minor && c.patch == v.patch && !c.pre.empty()) {
      return true;
    }
  }
  return false;
}

}  // namespace

core::Result<int> compare(std::string_view a, std::string_view b) {
  BW_ASSIGN_OR_RETURN(auto va, parse_semver(kName, a, kRules));
  BW_ASSIGN_OR_RETURN(auto vb, parse_semver(kName, b, kRules));
  return compare_semver(va, vb);
}

core::Result<bool> satisfies(std::string_view v, std::string_view c) {
  BW_ASSIGN_OR_RETURN(auto ver, parse_semver(kName, v, kRules));
  std::string_view rest = trim_space(c);
  if (rest.empty()) return bad_constraint(kName, c, "empty");
  bool any = false;
  while (true) {
    size_t bar = rest.find("||");
    std::string_view alt = trim_space(rest.substr(0, bar));
    if (alt.empty()) return bad_constraint(kName, c, "empty requirement");
    BW_ASSIGN_OR_RETURN(bool m, matches_req(alt, ver, c));
    if (m) any = true;
    if (bar == std::string_view::npos) break;
    rest = rest.substr(bar + 2);
  }
  return any;
}

}  // namespace bulwark::version::cargo
