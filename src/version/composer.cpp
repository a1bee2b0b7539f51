// Composer (Packagist) versions and constraints (getcomposer.org/doc/articles/versions.md).
// A version is normalised as Composer's VersionParser does (v prefix dropped, four numbers,
// stability suffix alpha/beta/RC/patch expanded, -dev kept) and normalised versions compare
// as PHP's version_compare (special forms dev < alpha = a < beta = b < RC = rc < number <
// patch = pl = p). Branch names (dev-main, 2.x-dev) have no order and are errors here.
// Constraints: "||" (or "|") alternatives; "," or space separated conjunctions; = == != <> < <=
// > >=; ^ and ~ ranges; wildcards 1.2.*; hyphen ranges "1.0 - 2.0"; @stability flags ignored.
#include <optional>
#include <string>
#include <vector>

#include "version/scheme.hpp"

namespace bulwark::version::composer {
namespace {

constexpr std::string_view kName = "Packagist";

struct Parsed {
  std::vector<std::string> numbers;  // leading zeros stripped (1 to 4)
  std::vector<std::string> raw;      // as written: Composer's caret compares these as text
  std::string stability;             // "", alpha, beta, RC, patch
  std::string stability_number;
  bool dev = false;
  bool stability_word = false;  // any stability word, "stable" included
  bool explicit_modifier() const { return stability_word || dev; }
  std::string normalized() const {
    std::string out;
    for (size_t i = 0; i < 4; ++i) {
      if (i) out += '.';
      out += i < numbers.size() ? numbers[i] : std::string("0");
    }
    if (!stability.empty()) out += "-" + stability + stability_number;
    if (dev) out += "-dev";
    return out;
  }
};

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = to_lower(c);
  return o;
}

// Parses Composer's classical version form; parts may be wildcards when allow_wild.
core::Result<Parsed> parse(std::string_view text) {
  std::string_view s = trim_space(text);
  if (s.empty()) return bad_version(kName, text, "empty");
  std::string l = lower(s);
  // "@stability" flags and "+build" metadata are not part of the version.
  for (std::string_view flag : {"@stable", "@rc", "@beta", "@alpha", "@dev"}) {
    if (l.ends_with(flag)) l.resize(l.size() - flag.size());
  }
  if (auto plus = l.find('+'); plus != std::string::npos && plus > 0 && plus + 1 < l.size()) {
    l.resize(plus);
  }
  if (l.starts_with("dev-") || (l.ends_with("-dev") && l.find(".x") != std::string::npos)) {
    return bad_version(kName, text, "a branch name has no version order");
  }
  std::string_view v = l;
  if (v.front() == 'v') v.remove_prefix(1);
  Parsed p;
  size_t i = 0;
  while (p.numbers.size() < 4) {
    size_t st = i;
    while (i < v.size() && is_digit(v[i])) ++i;
    if (i == st) return bad_version(kName, text, "expected a number");
    std::string_view d = v.substr(st, i - st);
    p.raw.emplace_back(d);
    while (d.size() > 1 && d.front() == '0') d.remove_prefix(1);
    p.numbers.emplace_back(d);
    if (i + 1 < v.size() && v[i] == '.' && is_digit(v[i + 1])) {
      ++i;
      continue;
    }
    break;
  }
  std::string_view rest = v.substr(i);
  // Modifier: [._-]?(stable|beta|b|rc|alpha|a|patch|pl|p)((?:[.-]?\d+)*)?([.-]?dev)?
  std::string_view after_sep = rest;
  if (!after_sep.empty() &&
      (after_sep.front() == '.' || after_sep.front() == '_' || after_sep.front() == '-')) {
    after_sep.remove_prefix(1);
  }
  static constexpr std::pair<std::string_view, std::string_view> kStab[] = {
      {"stable", ""}, {"beta", "beta"},   {"b", "beta"},   {"rc", "RC"},  {"alpha", "alpha"},
      {"a", "alpha"}, {"patch", "patch"}, {"pl", "patch"}, {"p", "patch"}};
  bool matched = false;
  bool stable = false;
  for (auto [word, expanded] : kStab) {
    if (after_sep.starts_with(word)) {
      matched = true;
      p.stability_word = true;
      stable = word == "stable";
      rest = after_sep.substr(word.size());
      p.stability = std::string(expanded);
      std::string num;
      while (!rest.empty()) {
        std::string_view r = rest;
        if (r.front() == '.' || r.front() == '-') r.remove_prefix(1);
        size_t k = 0;
        while (k < r.size() && is_digit(r[k])) ++k;
        if (k == 0) break;
        num += std::string(rest.substr(0, rest.size() - r.size())) + std::string(r.substr(0, k));
        rest = r.substr(k);
      }
      while (!num.empty() && (num.front() == '.' || num.front() == '-')) num.erase(0, 1);
      p.stability_number = num;
      break;
    }
  }
  // Without a stability word the modifier's leading separator may precede "dev" ("1.0_dev").
  std::string_view dev_part = matched ? rest : after_sep;
  if (!matched && !after_sep.empty() && (after_sep.front() == '.' || after_sep.front() == '-') &&
      after_sep.substr(1) == "dev") {
    dev_part = "dev";
  }
  if (dev_part == "dev" || dev_part == ".dev" || dev_part == "-dev") {
    p.dev = true;
    rest = {};
  }
  // The modifier's separator may stand alone: "1." and "1-" are 1.0.0.0.
  if (!matched && rest.size() == 1 && (rest == "." || rest == "_" || rest == "-")) rest = {};
  if (!rest.empty()) return bad_version(kName, text, "not a Composer version");
  if (stable) {  // Composer returns at "stable": no number, no -dev
    p.stability.clear();
    p.stability_number.clear();
    p.dev = false;
  }
  return p;
}

// PHP's version_compare: canonicalise, then compare dot-separated parts.
std::string php_canonical(std::string_view v) {
  std::string out;
  if (v.empty()) return out;
  auto isdig = [](char c) { return is_digit(c); };
  auto isndig = [](char c) { return !is_digit(c) && c != '.'; };
  out.push_back(v[0]);
  char lp = v[0];
  for (size_t i = 1; i < v.size(); ++i) {
    char c = v[i];
    char lq = out.back();
    if (c == '-' || c == '_' || c == '+') {
      if (lq != '.') out.push_back('.');
    } else if ((isndig(lp) && isdig(c)) || (isdig(lp) && isndig(c))) {
      if (lq != '.') out.push_back('.');
      out.push_back(c);
    } else if (!is_alnum(c)) {
      if (lq != '.') out.push_back('.');
    } else {
      out.push_back(c);
    }
    lp = c;
  }
  return out;
}

int special_form(std::string_view f) {
  static constexpr std::pair<std::string_view, int> kForms[] = {
      {"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2},
      {"RC", 3},  {"rc", 3},    {"#", 4}, {"pl", 5},   {"p", 5}};
  for (auto [name, order] : kForms) {
    if (f.starts_with(name)) return order;
  }
  return -1;
}

int php_version_compare(std::string_view a0, std::string_view b0) {
  std::string a = php_canonical(a0);
  std::string b = php_canonical(b0);
  std::vector<std::string_view> pa, pb;
  auto split = [](std::string_view s, std::vector<std::string_view>& out) {
    size_t st = 0;
    for (size_t k = 0; k <= s.size(); ++k) {
      if (k == s.size() || s[k] == '.') {
        out.push_back(s.substr(st, k - st));
        st = k + 1;
      }
    }
  };
  split(a, pa);
  split(b, pb);
  size_t i = 0;
  for (; i < pa.size() && i < pb.size(); ++i) {
    std::string_view x = pa[i];
    std::string_view y = pb[i];
    const bool xd = !x.empty() && is_digit(x[0]);
    const bool yd = !y.empty() && is_digit(y[0]);
    int c;
    if (xd && yd)
      c = compare_digits(x.substr(0, x.find_first_not_of("0123456789")),
                         y.substr(0, y.find_first_not_of("0123456789")));
    else if (!xd && !yd)
      c = sign(special_form(x) - special_form(y));
    else if (xd)
      c = sign(special_form("#") - special_form(y));
    else
      c = sign(special_form(x) - special_form("#"));
    if (c != 0) return c;
  }
  if (i < pa.size()) {
    return (!pa[i].empty() && is_digit(pa[i][0])) ? 1 : sign(special_form(pa[i]) - 4);
  }
  if (i < pb.size()) {
    return (!pb[i].empty() && is_digit(pb[i][0])) ? -1 : sign(4 - special_form(pb[i]));
  }
  return 0;
}

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };
struct Constraint {
  Op op;
  std::string version;  // normalised
};
using Conjunction = std::vector<Constraint>;

// Composer's test for "<" and ">=": does the text end in "-" followed by an (optional)
// modifier, [._-]?((stable|beta|b|rc|alpha|a|patch|pl|p)([.-]?digits)*)?([.-]?dev)?
bool ends_with_hyphen_modifier(std::string_view t) {
  for (size_t h = t.find('-'); h != std::string_view::npos; h = t.find('-', h + 1)) {
    std::string_view r = t.substr(h + 1);
    auto try_rest = [](std::string_view x) {
      static constexpr std::string_view kWords[] = {"stable", "beta",  "b",  "rc", "alpha",
                                                    "a",      "patch", "pl", "p"};
      auto dev_tail = [](std::string_view y) {
        return y.empty() || y == "dev" || y == ".dev" || y == "-dev";
      };
      if (dev_tail(x)) return true;
      for (auto w : kWords) {
        if (!x.starts_with(w)) continue;
        std::string_view y = x.substr(w.size());
        while (true) {
          std::string_view z = y;
          if (!z.empty() && (z.front() == '.' || z.front() == '-')) z.remove_prefix(1);
          size_t k = 0;
          while (k < z.size() && is_digit(z[k])) ++k;
          if (k == 0) break;
          y = z.substr(k);
        }
        if (dev_tail(y)) return true;
      }
      return false;
    };
    if (try_rest(r)) return true;
    if (!r.empty() && (r.front() == '.' || r.front() == '_' || r.front() == '-') &&
        try_rest(r.substr(1))) {
      return true;
    }
  }
  return false;
}

std::string bump(std::vector<std::string> parts, size_t position) {
  parts.resize(4, "0");
  for (auto& p : parts) {
    if (p == "x" || p == "X" || p == "*") p = "0";
  }
  for (size_t i = position; i < 4; ++i) parts[i] = "0";
  std::string& d = parts[position - 1];
  int carry = 1;
  for (size_t k = d.size(); k-- > 0 && carry;) {
    int x = d[k] - '0' + carry;
    d[k] = static_cast<char>('0' + x % 10);
    carry = x / 10;
  }
  if (carry) d.insert(d.begin(), '1');
  return parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[3];
}

core::Result<void> parse_one(std::string_view tok, Conjunction& out, std::string_view whole) {
  if (auto at = tok.find('@'); at != std::string_view::npos) tok = tok.substr(0, at);
  if (tok.empty()) return core::ok();  // "@dev" alone
  auto version_of = [&](std::string_view t) -> core::Result<Parsed> {
    auto p = parse(t);
    if (!p.ok()) return bad_constraint(kName, whole, p.error().message());
    return p;
  };
  if (tok == "*" || tok == "x" || tok == "X" || tok == "*.*") return core::ok();
  if (tok.front() == '^' || tok.front() == '~') {
    BW_ASSIGN_OR_RETURN(auto p, version_of(tok.substr(1)));
    size_t position;
    if (tok.front() == '^') {
      // As Composer: the numbers are compared as written ("00" is not "0").
      if (p.raw[0] != "0" || p.raw.size() < 2)
        position = 1;
      else if (p.raw[1] != "0" || p.raw.size() < 3)
        position = 2;
      else
        position = 3;
    } else {
      position = std::max<size_t>(1, p.numbers.size() - 1);
    }
    Parsed low = p;
    if (!p.explicit_modifier()) low.dev = true;
    out.push_back({Op::kGe, low.normalized()});
    out.push_back({Op::kLt, bump(p.numbers, position) + "-dev"});
    return core::ok();
  }
  // Wildcards: 1.*, 1.2.x
  if (tok.find_first_of("*xX") != std::string_view::npos &&
      tok.find("-") == std::string_view::npos) {
    std::string_view t = tok;
    if (t.front() == 'v') t.remove_prefix(1);
    std::vector<std::string> parts;
    size_t wild_at = 0;
    size_t st = 0;
    for (size_t k = 0; k <= t.size(); ++k) {
      if (k == t.size() || t[k] == '.') {
        std::string_view part = t.substr(st, k - st);
        if (part == "*" || part == "x" || part == "X") {
          if (wild_at == 0) wild_at = parts.size();
        } else if (!all_digits(part) || wild_at != 0) {
          return bad_constraint(kName, whole, "invalid wildcard " + std::string(tok));
        }
        parts.emplace_back(part);
        st = k + 1;
      }
    }
    if (wild_at == 0 || parts.size() > 4) {
      return bad_constraint(kName, whole, "invalid wildcard " + std::string(tok));
    }
    std::vector<std::string> low(parts.begin(), parts.begin() + static_cast<ptrdiff_t>(wild_at));
    low.resize(4, "0");
    std::string lowv = low[0] + "." + low[1] + "." + low[2] + "." + low[3] + "-dev";
    if (lowv != "0.0.0.0-dev") out.push_back({Op::kGe, lowv});
    out.push_back({Op::kLt, bump(parts, wild_at) + "-dev"});
    return core::ok();
  }
  size_t n = 0;
  while (n < tok.size() && (tok[n] == '<' || tok[n] == '>' || tok[n] == '=' || tok[n] == '!')) ++n;
  std::string_view op_text = tok.substr(0, n);
  Op op;
  if (op_text.empty() || op_text == "=" || op_text == "==")
    op = Op::kEq;
  else if (op_text == "!=" || op_text == "<>")
    op = Op::kNe;
  else if (op_text == "<")
    op = Op::kLt;
  else if (op_text == "<=")
    op = Op::kLe;
  else if (op_text == ">")
    op = Op::kGt;
  else if (op_text == ">=")
    op = Op::kGe;
  else
    return bad_constraint(kName, whole, "unknown operator " + std::string(op_text));
  std::string_view vt = trim_space(tok.substr(n));
  BW_ASSIGN_OR_RETURN(auto p, version_of(vt));
  std::string norm = p.normalized();
  if ((op == Op::kLt || op == Op::kGe) && !ends_with_hyphen_modifier(lower(vt))) norm += "-dev";
  out.push_back({op, norm});
  return core::ok();
}

bool holds(const Constraint& c, const std::string& v) {
  int r = php_version_compare(v, c.version);
  switch (c.op) {
    case Op::kEq:
      return r == 0;
    case Op::kNe:
      return r != 0;
    case Op::kLt:
      return r < 0;
    case Op::kLe:
      return r <= 0;
    case Op::kGt:
      return r > 0;
    case Op::kGe:
      return r >= 0;
  }
  return false;
}

std::vector<std::string_view> split_tokens(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == ',' || s[i] == '\t')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != ',' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

core::Result<Conjunction> parse_conjunction(std::string_view alt, std::string_view whole) {
  auto toks = split_tokens(alt);
  Conjunction out;
  if (toks.empty()) return bad_constraint(kName, whole, "empty alternative");
  // Hyphen range "A - B".
  if (toks.size() == 3 && toks[1] == "-") {
    auto from = parse(toks[0]);
    auto to = parse(toks[2]);
    if (!from.ok() || !to.ok()) return bad_constraint(kName, whole, "invalid hyphen range");
    Parsed low = *from;
    if (!low.explicit_modifier()) low.dev = true;
    out.push_back({Op::kGe, low.normalized()});
    if (to->numbers.size() >= 3 || to->explicit_modifier()) {
      out.push_back({Op::kLe, to->normalized()});
    } else {
      out.push_back({Op::kLt, bump(to->numbers, to->numbers.size() < 2 ? 1 : 2) + "-dev"});
    }
    return out;
  }
  // Join a lone operator with the version after it: ">= 1.0".
  for (size_t i = 0; i < toks.size(); ++i) {
    std::string_view t = toks[i];
    if (t.find_first_not_of("<>=!") == std::string_view::npos && i + 1 < toks.size()) {
      std::string joined = std::string(t) + std::string(toks[i + 1]);
      BW_TRY(parse_one(joined, out, whole));
      ++i;
      continue;
    }
    BW_TRY(parse_one(t, out, whole));
  }
  return out;
}

}  // namespace

core::Result<int> compare(std::string_view a, std::string_view b) {
  BW_ASSIGN_OR_RETURN(auto pa, parse(a));
  BW_ASSIGN_OR_RETURN(auto pb, parse(b));
  return php_version_compare(pa.normalized(), pb.normalized());
}

core::Result<bool> satisfies(std::string_view v, std::string_view c) {
  BW_ASSIGN_OR_RETURN(auto pv, parse(v));
  const std::string nv = pv.normalized();
  std::string_view rest = trim_space(c);
  if (rest.empty()) return bad_constraint(kName, c, "empty");
  bool any = false;
  while (true) {
    size_t bar = rest.find('|');
    BW_ASSIGN_OR_RETURN(auto conj, parse_conjunction(rest.substr(0, bar), c));
    bool all = true;
    for (const auto& k : conj) {
      if (!holds(k, nv)) all = false;
    }
    if (all) any = true;
    if (bar == std::string_view::npos) break;
    rest = rest.substr(bar + 1);
    if (!rest.empty() && rest.front() == '|') rest.remove_prefix(1);
  }
  return any;
}

}  // namespace bulwark::version::composer
