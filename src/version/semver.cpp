// SemVer 2.0 versions and node-semver ranges (npm). Ranges follow node-semver's documented
// desugaring: hyphen ranges (1.2 - 2.3.4), X-ranges (1.x, 1.2.*, *), tilde (~1.2.3, ~>1.2),
// caret (^0.2.3), primitive comparators (<, <=, >, >=, =), "||" alternatives and space-separated
// conjunctions; a pre-release version only satisfies a comparator set in which some comparator
// names a pre-release of the same major.minor.patch (node-semver's default, no
// includePrerelease). Build metadata is ignored everywhere.
#include <charconv>
#include <cstdint>
#include <optional>

#include "version/semver_core.hpp"

namespace bulwark::version {

bool valid_identifier_chars(std::string_view id) {
  if (id.empty()) return false;
  for (char c : id) {
    if (!is_alnum(c) && c != '-') return false;
  }
  return true;
}

namespace {

bool numeric_ok(std::string_view n) {
  return all_digits(n) && (n.size() == 1 || n.front() != '0');
}

bool js_safe(std::string_view digits) {
  return compare_digits(digits, "9007199254740991") <= 0;
}

}  // namespace

core::Result<SemVer> parse_semver(std::string_view scheme, std::string_view s,
                                  const SemVerRules& rules) {
  const std::string_view in = s;
  if (s.size() > rules.max_length) return bad_version(scheme, in.substr(0, 64), "too long");
  if (rules.trim) s = trim_space(s);
  if (rules.allow_v_prefix && !s.empty() && s.front() == 'v') s.remove_prefix(1);
  if (s.empty()) return bad_version(scheme, in, "empty");
  SemVer v;
  if (auto plus = s.find('+'); plus != std::string_view::npos) {
    v.build = std::string(s.substr(plus + 1));
    std::string_view b = s.substr(plus + 1);
    s = s.substr(0, plus);
    while (true) {
      auto dot = b.find('.');
      if (!valid_identifier_chars(b.substr(0, dot))) {
        return bad_version(scheme, in, "invalid build metadata");
      }
      if (dot == std::string_view::npos) break;
      b = b.substr(dot + 1);
    }
  }
  if (auto hyphen = s.find('-'); hyphen != std::string_view::npos) {
    std::string_view p = s.substr(hyphen + 1);
    s = s.substr(0, hyphen);
    while (true) {
      auto dot = p.find('.');
      std::string_view id = p.substr(0, dot);
      if (!valid_identifier_chars(id)) return bad_version(scheme, in, "invalid pre-release");
      if (all_digits(id) && !numeric_ok(id)) {
        return bad_version(scheme, in, "numeric pre-release identifier with a leading zero");
      }
      if (rules.js_safe_numbers && all_digits(id) && !js_safe(id)) {
        return bad_version(scheme, in, "pre-release number too large");
      }
      v.pre.emplace_back(id);
      if (dot == std::string_view::npos) break;
      p = p.substr(dot + 1);
    }
  }
  std::string_view parts[3];
  for (int i = 0; i < 3; ++i) {
    auto dot = s.find('.');
    if ((i < 2) == (dot == std::string_view::npos)) {
      return bad_version(scheme, in, "expected MAJOR.MINOR.PATCH");
    }
    parts[i] = s.substr(0, dot);
    if (!numeric_ok(parts[i])) {
      return bad_version(scheme, in, "version numbers must be digits without leading zeros");
    }
    if (rules.js_safe_numbers && !js_safe(parts[i])) {
      return bad_version(scheme, in, "version number too large");
    }
    if (dot != std::string_view::npos) s = s.substr(dot + 1);
  }
  v.major = std::string(parts[0]);
  v.minor = std::string(parts[1]);
  v.patch = std::string(parts[2]);
  return v;
}

int compare_prerelease(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.empty() || b.empty()) {
    if (a.empty() && b.empty()) return 0;
    return a.empty() ? 1 : -1;
  }
  for (size_t i = 0;; ++i) {
    if (i == a.size() && i == b.size()) return 0;
    if (i == a.size()) return -1;
    if (i == b.size()) return 1;
    const bool an = all_digits(a[i]);
    const bool bn = all_digits(b[i]);
    int c = 0;
    if (an && bn)
      c = compare_digits(a[i], b[i]);
    else if (an != bn)
      c = an ? -1 : 1;
    else
      c = sign(a[i].compare(b[i]));
    if (c != 0) return c;
  }
}

int compare_semver(const SemVer& a, const SemVer& b) {
  if (int c = compare_digits(a.major, b.major); c != 0) return c;
  if (int c = compare_digits(a.minor, b.minor); c != 0) return c;
  if (int c = compare_digits(a.patch, b.patch); c != 0) return c;
  return compare_prerelease(a.pre, b.pre);
}

namespace npm {
namespace {

constexpr std::string_view kName = "npm";
constexpr SemVerRules kRules{
    .allow_v_prefix = true, .trim = true, .js_safe_numbers = true, .max_length = 256};

enum class Op { kAny, kEq, kLt, kLe, kGt, kGe };

struct Comparator {
  Op op = Op::kAny;
  SemVer v;
};
using ComparatorSet = std::vector<Comparator>;

// One component of a partial version: a number, or absent/x/X/* (a wildcard).
struct Part {
  bool wild = true;
  uint64_t n = 0;
};

struct Partial {
  Part major, minor, patch;
  std::vector<std::string> pre;  // only with all three parts present
};

std::string num(uint64_t n) {
  return std::to_string(n);
}

SemVer make(uint64_t M, uint64_t m, uint64_t p, std::vector<std::string> pre = {}) {
  return SemVer{num(M), num(m), num(p), std::move(pre), ""};
}

// [v=]* then X(.X(.X(-pre)?)?)? with X = 0|[1-9][0-9]*|x|X|*, as node-semver's XRANGEPLAIN.
std::optional<Partial> parse_partial(std::string_view s) {
  while (!s.empty() && (s.front() == 'v' || s.front() == '=')) s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  Partial p;
  Part* parts[3] = {&p.major, &p.minor, &p.patch};
  for (int i = 0; i < 3; ++i) {
    size_t end = 0;
    while (end < s.size() && s[end] != '.' && !(i == 2 && s[end] == '-')) ++end;
    std::string_view t = s.substr(0, end);
    if (t == "x" || t == "X" || t == "*") {
      parts[i]->wild = true;
    } else if (numeric_ok(t) && js_safe(t)) {
      parts[i]->wild = false;
      std::from_chars(t.data(), t.data() + t.size(), parts[i]->n);
    } else {
      return std::nullopt;
    }
    s = s.substr(end);
    if (s.empty()) return p;
    if (i < 2) {
      if (s.front() != '.') return std::nullopt;
      s.remove_prefix(1);
    }
  }
  if (s.front() != '-') return std::nullopt;
  s.remove_prefix(1);
  while (true) {
    auto dot = s.find('.');
    std::string_view id = s.substr(0, dot);
    if (!valid_identifier_chars(id)) return std::nullopt;
    if (all_digits(id) && (!numeric_ok(id) || !js_safe(id))) return std::nullopt;
    p.pre.emplace_back(id);
    if (dot == std::string_view::npos) break;
    s = s.substr(dot + 1);
  }
  return p;
}

core::Result<void> add_plain(ComparatorSet& set, std::string_view op_text, std::string_view ver,
                             std::string_view whole) {
  // A full version with a primitive operator: only a single 'v' may precede it.
  Op op;
  if (op_text.empty() || op_text == "=")
    op = Op::kEq;
  else if (op_text == "<")
    op = Op::kLt;
  else if (op_text == "<=")
    op = Op::kLe;
  else if (op_text == ">")
    op = Op::kGt;
  else if (op_text == ">=")
    op = Op::kGe;
  else
    return bad_constraint(kName, whole, "invalid comparator");
  SemVerRules rules = kRules;
  rules.trim = false;
  auto v = parse_semver(kName, ver, rules);
  if (!v.ok())
    return bad_constraint(kName, whole, "invalid comparator \"" + std::string(ver) + "\"");
  set.push_back({op, std::move(*v)});
  return core::ok();
}

// Desugars one comparator token (operator already joined to its version).
core::Result<void> add_token(ComparatorSet& set, std::string_view tok, std::string_view whole) {
  if (tok.starts_with('^')) {
    auto p = parse_partial(tok.substr(1));
    if (!p) return bad_constraint(kName, whole, "invalid caret range " + std::string(tok));
    const uint64_t M = p->major.n, m = p->minor.n, pt = p->patch.n;
    if (p->major.wild) return core::ok();  // any
    if (p->minor.wild) {
      set.push_back({Op::kGe, make(M, 0, 0)});
      set.push_back({Op::kLt, make(M + 1, 0, 0, {"0"})});
    } else if (p->patch.wild) {
      set.push_back({Op::kGe, make(M, m, 0)});
      set.push_back({Op::kLt, M == 0 ? make(M, m + 1, 0, {"0"}) : make(M + 1, 0, 0, {"0"})});
    } else {
      set.push_back({Op::kGe, make(M, m, pt, p->pre)});
      SemVer upper = M != 0   ? make(M + 1, 0, 0, {"0"})
                     : m != 0 ? make(M, m + 1, 0, {"0"})
                              : make(M, m, pt + 1, {"0"});
      set.push_back({Op::kLt, std::move(upper)});
    }
    return core::ok();
  }
  if (tok.starts_with('~')) {
    std::string_view rest = tok.substr(1);
    if (rest.starts_with('>')) rest.remove_prefix(1);
    auto p = parse_partial(rest);
    if (!p) return bad_constraint(kName, whole, "invalid tilde range " + std::string(tok));
    const uint64_t M = p->major.n, m = p->minor.n, pt = p->patch.n;
    if (p->major.wild) return core::ok();
    if (p->minor.wild) {
      set.push_back({Op::kGe, make(M, 0, 0)});
      set.push_back({Op::kLt, make(M + 1, 0, 0, {"0"})});
    } else if (p->patch.wild) {
      set.push_back({Op::kGe, make(M, m, 0)});
      set.push_back({Op::kLt, make(M, m + 1, 0, {"0"})});
    } else {
      set.push_back({Op::kGe, make(M, m, pt, p->pre)});
      set.push_back({Op::kLt, make(M, m + 1, 0, {"0"})});
    }
    return core::ok();
  }
  size_t n = 0;
  if (n < tok.size() && (tok[n] == '<' || tok[n] == '>')) ++n;
  if (n < tok.size() && tok[n] == '=') ++n;
  std::string_view op = tok.substr(0, n);
  std::string_view ver = tok.substr(n);
  if (ver.empty()) {
    if (op.empty()) return core::ok();
    return bad_constraint(kName, whole, "operator without version");
  }
  auto p = parse_partial(ver);
  if (!p) return add_plain(set, op, ver, whole);
  const bool xM = p->major.wild;
  const bool xm = xM || p->minor.wild;
  const bool xp = xm || p->patch.wild;
  // node-semver leaves "x.1" or "1.x.2" alone, which then fails as a comparator.
  if ((p->major.wild && !p->minor.wild) || (p->minor.wild && !p->patch.wild)) {
    return add_plain(set, op, ver, whole);
  }
  if (!xp) return add_plain(set, op, ver, whole);
  if (op == "=") op = "";
  uint64_t M = p->major.n;
  uint64_t m = p->minor.n;
  if (xM) {
    if (op == ">" || op == "<") set.push_back({Op::kLt, make(0, 0, 0, {"0"})});
    return core::ok();  // "*", ">=*", "<=*": any
  }
  if (!op.empty()) {
    if (xm) m = 0;
    Op o = Op::kEq;
    bool pre0 = false;
    if (op == ">") {
      o = Op::kGe;
      if (xm) {
        M += 1;
        m = 0;
      } else {
        m += 1;
      }
    } else if (op == "<=") {
      o = Op::kLt;
      if (xm)
        M += 1;
      else
        m += 1;
    } else if (op == ">=") {
      o = Op::kGe;
    } else if (op == "<") {
      o = Op::kLt;
    }
    if (o == Op::kLt) pre0 = true;
    set.push_back({o, pre0 ? make(M, m, 0, {"0"}) : make(M, m, 0)});
    return core::ok();
  }
  if (xm) {
    set.push_back({Op::kGe, make(M, 0, 0)});
    set.push_back({Op::kLt, make(M + 1, 0, 0, {"0"})});
  } else {
    set.push_back({Op::kGe, make(M, m, 0)});
    set.push_back({Op::kLt, make(M, m + 1, 0, {"0"})});
  }
  return core::ok();
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && !is_space(s[j])) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// Removes every "+ident(.ident)*" (build metadata), as node-semver does before parsing.
std::string strip_build(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '+' && i + 1 < s.size() && (is_alnum(s[i + 1]) || s[i + 1] == '-')) {
      size_t j = i + 1;
      while (true) {
        while (j < s.size() && (is_alnum(s[j]) || s[j] == '-')) ++j;
        if (j + 1 < s.size() && s[j] == '.' && (is_alnum(s[j + 1]) || s[j + 1] == '-')) {
          ++j;
          continue;
        }
        break;
      }
      i = j;
      continue;
    }
    out.push_back(s[i++]);
  }
  return out;
}

// node-semver builds each desugared bound as a SemVer, which fails past 2^53-1
// (^9007199254740991 has no upper bound it can represent).
core::Result<void> check_safe(const ComparatorSet& set, std::string_view whole) {
  for (const auto& c : set) {
    for (const std::string* n : {&c.v.major, &c.v.minor, &c.v.patch}) {
      if (!n->empty() && !js_safe(*n)) return bad_constraint(kName, whole, "number too large");
    }
  }
  return core::ok();
}

core::Result<ComparatorSet> parse_alternative(std::string_view alt, std::string_view whole) {
  std::string stripped = strip_build(alt);
  auto toks = split_ws(stripped);
  ComparatorSet set;
  // Hyphen range: X - Y, each side a partial version after any run of 'v', '=' and spaces.
  size_t dash = 0;
  size_t dashes = 0;
  for (size_t i = 0; i < toks.size(); ++i) {
    if (toks[i] == "-") {
      dash = i;
      ++dashes;
    }
  }
  if (dashes == 1 && dash > 0 && dash + 1 < toks.size()) {
    struct Side {
      std::optional<Partial> p;
      bool plain_prefix = false;  // nothing or a single 'v' before the numbers
    };
    auto side = [&](size_t from, size_t to) {
      Side out;
      std::string joined;
      for (size_t i = from; i < to; ++i) {
        if (i + 1 < to && toks[i].find_first_not_of("v=") != std::string_view::npos) return out;
        joined += toks[i];
      }
      out.p = parse_partial(joined);
      const size_t digits = joined.find_first_not_of("v=");
      out.plain_prefix = (to - from == 1) && (digits == 0 || joined.substr(0, digits) == "v");
      return out;
    };
    Side from = side(0, dash);
    Side to = side(dash + 1, toks.size());
    if (from.p && to.p) {
      const Partial& f = *from.p;
      const Partial& t = *to.p;
      const bool f_full = !f.major.wild && !f.minor.wild && !f.patch.wild;
      const bool t_full = !t.major.wild && !t.minor.wild && !t.patch.wild;
      // node-semver pastes a full bound's text as written (">=" + from, "<=" + to), so any
      // other prefix makes an invalid comparator.
      if ((f_full && !from.plain_prefix) || (t_full && t.pre.empty() && !to.plain_prefix)) {
        return bad_constraint(kName, whole, "invalid hyphen range bound");
      }
      if (!f.major.wild) {
        if (f.minor.wild)
          set.push_back({Op::kGe, make(f.major.n, 0, 0)});
        else if (f.patch.wild)
          set.push_back({Op::kGe, make(f.major.n, f.minor.n, 0)});
        else
          set.push_back({Op::kGe, make(f.major.n, f.minor.n, f.patch.n, f.pre)});
      }
      if (!t.major.wild) {
        if (t.minor.wild)
          set.push_back({Op::kLt, make(t.major.n + 1, 0, 0, {"0"})});
        else if (t.patch.wild)
          set.push_back({Op::kLt, make(t.major.n, t.minor.n + 1, 0, {"0"})});
        else
          set.push_back({Op::kLe, make(t.major.n, t.minor.n, t.patch.n, t.pre)});
      }
      BW_TRY(check_safe(set, whole));
      return set;
    }
  }
  // Join a lone operator with the version after it: "> 1.2" -> ">1.2", "~ 1" -> "~1".
  std::vector<std::string> joined;
  for (size_t i = 0; i < toks.size(); ++i) {
    std::string_view t = toks[i];
    const bool lone_op = t == "<" || t == ">" || t == "<=" || t == ">=" || t == "=" || t == "~" ||
                         t == "~>" || t == "^";
    if (lone_op && i + 1 < toks.size()) {
      joined.push_back(std::string(t) + std::string(toks[i + 1]));
      ++i;
    } else {
      joined.emplace_back(t);
    }
  }
  for (const auto& t : joined) BW_TRY(add_token(set, t, whole));
  BW_TRY(check_safe(set, whole));
  return set;
}

bool test(const Comparator& c, const SemVer& v) {
  if (c.op == Op::kAny) return true;
  const int r = compare_semver(v, c.v);
  switch (c.op) {
    case Op::kEq:
      return r == 0;
    case Op::kLt:
      return r < 0;
    case Op::kLe:
      return r <= 0;
    case Op::kGt:
      return r > 0;
    case Op::kGe:
      return r >= 0;
    case Op::kAny:
      return true;
  }
  return false;
}

bool test_set(const ComparatorSet& set, const SemVer& v) {
  for (const auto& c : set) {
    if (!test(c, v)) return false;
  }
  if (v.pre.empty()) return true;
  for (const auto& c : set) {
    if (c.op == Op::kAny || c.v.pre.empty()) continue;
    if (c.v.major == v.major && c.v.minor == v.minor && c.v.patch == v.patch) return true;
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
  bool any = false;
  while (true) {
    size_t bar = rest.find("||");
    BW_ASSIGN_OR_RETURN(auto set, parse_alternative(rest.substr(0, bar), c));
    if (test_set(set, ver)) any = true;
    if (bar == std::string_view::npos) break;
    rest = rest.substr(bar + 2);
  }
  return any;
}

}  // namespace npm

namespace semver {

core::Result<int> compare(std::string_view a, std::string_view b) {
  constexpr SemVerRules rules{.allow_v_prefix = true};
  BW_ASSIGN_OR_RETURN(auto va, parse_semver("SemVer", a, rules));
  BW_ASSIGN_OR_RETURN(auto vb, parse_semver("SemVer", b, rules));
  return compare_semver(va, vb);
}

core::Result<bool> satisfies(std::string_view v, std::string_view c) {
  return npm::satisfies(v, c);
}

}  // namespace semver
}  // namespace bulwark::version
