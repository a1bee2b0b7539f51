// PEP 440 versions and specifiers (PyPI), as the `packaging` library defines them:
// [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local] with its accepted spellings (alpha, beta, c, pre,
// preview, rev, r, '-'/'_'/'.' separators, implicit numbers, a leading 'v', case-insensitive).
// Specifiers: ~= == != <= >= < > === with ".*" prefix matching for == and !=, comma = and.
// Pre-releases are accepted by every specifier (PEP 440: an installed pre-release is
// considered), i.e. packaging's SpecifierSet.contains(v, prereleases=True).
#include <optional>
#include <string>
#include <vector>

#include "version/scheme.hpp"

namespace bulwark::version::pep440 {
namespace {

constexpr std::string_view kName = "PyPI";

struct Version {
  std::string epoch = "0";
  std::vector<std::string> release;
  std::optional<std::pair<std::string, std::string>> pre;  // ("a"|"b"|"rc", n)
  std::optional<std::string> post;
  std::optional<std::string> dev;
  std::vector<std::string> local;  // lower-cased segments
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower(c);
  return out;
}

std::string strip_zeros(std::string_view d) {
  while (d.size() > 1 && d.front() == '0') d.remove_prefix(1);
  return std::string(d);
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}
  bool eof() const { return i_ >= s_.size(); }
  char peek(size_t k = 0) const { return i_ + k < s_.size() ? to_lower(s_[i_ + k]) : '\0'; }
  std::string_view digits() {
    size_t st = i_;
    while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
    return s_.substr(st, i_ - st);
  }
  bool word(std::string_view w) {
    if (i_ + w.size() > s_.size()) return false;
    for (size_t k = 0; k < w.size(); ++k) {
      if (to_lower(s_[i_ + k]) != w[k]) return false;
    }
    i_ += w.size();
    return true;
  }
  bool sep() {
    char c = peek();
    if (c == '-' || c == '_' || c == '.') {
      ++i_;
      return true;
    }
    return false;
  }
  size_t pos() const { return i_; }
  void reset(size_t p) { i_ = p; }
  std::string_view rest() const { return s_.substr(i_); }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

// Optional "[sep]label[sep][N]"; labels tried longest first as the regex alternation allows.
bool labeled(Parser& p, std::initializer_list<std::string_view> labels, std::string* which,
             std::string* n) {
  size_t start = p.pos();
  p.sep();
  for (auto l : labels) {
    size_t at = p.pos();
    if (p.word(l)) {
      *which = std::string(l);
      // The separator after a label belongs to it even without a number ("1.0a-" is 1.0a0).
      p.sep();
      auto d = p.digits();
      if (d.empty()) {
        *n = "0";
      } else {
        *n = strip_zeros(d);
      }
      return true;
    }
    p.reset(at);
  }
  p.reset(start);
  return false;
}

core::Result<Version> parse(std::string_view text) {
  std::string_view s = trim_space(text);
  if (s.empty()) return bad_version(kName, text, "empty");
  Parser p(s);
  Version v;
  if (p.peek() == 'v') p.word("v");
  auto first = p.digits();
  if (first.empty()) return bad_version(kName, text, "does not start with a number");
  if (p.peek() == '!') {
    v.epoch = strip_zeros(first);
    p.word("!");
    first = p.digits();
    if (first.empty()) return bad_version(kName, text, "no release after the epoch");
  }
  v.release.push_back(strip_zeros(first));
  while (p.peek() == '.' && is_digit(p.peek(1))) {
    p.word(".");
    v.release.push_back(strip_zeros(p.digits()));
  }
  std::string label;
  std::string n;
  if (labeled(p, {"alpha", "beta", "preview", "pre", "rc", "a", "b", "c"}, &label, &n)) {
    if (label == "alpha")
      label = "a";
    else if (label == "beta")
      label = "b";
    else if (label == "c" || label == "pre" || label == "preview")
      label = "rc";
    v.pre = std::make_pair(label, n);
  }
  // Post release: "-N" or "[sep](post|rev|r)[sep][N]".
  {
    size_t at = p.pos();
    if (p.peek() == '-' && is_digit(p.peek(1))) {
      p.word("-");
      v.post = strip_zeros(p.digits());
    } else if (labeled(p, {"post", "rev", "r"}, &label, &n)) {
      v.post = n;
    } else {
      p.reset(at);
    }
  }
  if (labeled(p, {"dev"}, &label, &n)) v.dev = n;
  if (p.peek() == '+') {
    p.word("+");
    std::string_view rest = p.rest();
    size_t st = 0;
    for (size_t k = 0; k <= rest.size(); ++k) {
      if (k == rest.size() || rest[k] == '.' || rest[k] == '-' || rest[k] == '_') {
        std::string_view seg = rest.substr(st, k - st);
        if (seg.empty()) return bad_version(kName, text, "empty local version segment");
        for (char c : seg) {
          if (!is_alnum(c)) return bad_version(kName, text, "invalid local version");
        }
        v.local.push_back(all_digits(seg) ? strip_zeros(seg) : lower(seg));
        st = k + 1;
      }
    }
    p.reset(p.pos() + rest.size());
  }
  if (!p.eof()) return bad_version(kName, text, "not a PEP 440 version");
  return v;
}

int pre_rank(const std::string& l) {
  return l == "a" ? 0 : l == "b" ? 1 : 2;
}

int compare_versions(const Version& a, const Version& b) {
  if (int c = compare_digits(a.epoch, b.epoch); c != 0) return c;
  // Release, trailing zeros ignored.
  size_t la = a.release.size();
  size_t lb = b.release.size();
  while (la > 1 && a.release[la - 1] == "0") --la;
  while (lb > 1 && b.release[lb - 1] == "0") --lb;
  for (size_t i = 0; i < std::max(la, lb); ++i) {
    if (i >= la) return -1;
    if (i >= lb) return 1;
    if (int c = compare_digits(a.release[i], b.release[i]); c != 0) return c;
  }
  // Pre: a dev-only release sorts before any pre-release; no pre sorts after all of them.
  auto pre_key = [](const Version& v) -> int {
    if (!v.pre && !v.post && v.dev) return -1;  // -infinity
    if (!v.pre) return 1;                       // +infinity
    return 0;
  };
  int ka = pre_key(a);
  int kb = pre_key(b);
  if (ka != kb) return ka < kb ? -1 : 1;
  if (ka == 0) {
    if (int c = pre_rank(a.pre->first) - pre_rank(b.pre->first); c != 0) return sign(c);
    if (int c = compare_digits(a.pre->second, b.pre->second); c != 0) return c;
  }
  if (a.post.has_value() != b.post.has_value()) return a.post ? 1 : -1;
  if (a.post) {
    if (int c = compare_digits(*a.post, *b.post); c != 0) return c;
  }
  if (a.dev.has_value() != b.dev.has_value()) return a.dev ? -1 : 1;
  if (a.dev) {
    if (int c = compare_digits(*a.dev, *b.dev); c != 0) return c;
  }
  // Local: none sorts first; numeric segments after alphanumeric ones; shorter first.
  if (a.local.empty() != b.local.empty()) return a.local.empty() ? -1 : 1;
  for (size_t i = 0;; ++i) {
    if (i == a.local.size() && i == b.local.size()) return 0;
    if (i == a.local.size()) return -1;
    if (i == b.local.size()) return 1;
    const bool an = all_digits(a.local[i]);
    const bool bn = all_digits(b.local[i]);
    if (an != bn) return an ? 1 : -1;
    int c = an ? compare_digits(a.local[i], b.local[i]) : sign(a.local[i].compare(b.local[i]));
    if (c != 0) return c;
  }
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

// packaging's str(Version): the normal form.
std::string normal_form(const Version& v, bool with_local = true) {
  std::string out;
  if (v.epoch != "0") out += v.epoch + "!";
  out += join(v.release, ".");
  if (v.pre) out += v.pre->first + v.pre->second;
  if (v.post) out += ".post" + *v.post;
  if (v.dev) out += ".dev" + *v.dev;
  if (with_local && !v.local.empty()) out += "+" + join(v.local, ".");
  return out;
}

Version public_of(const Version& v) {
  Version p = v;
  p.local.clear();
  return p;
}

Version base_of(const Version& v) {
  Version b;
  b.epoch = v.epoch;
  b.release = v.release;
  return b;
}

bool is_prerelease(const Version& v) {
  return v.pre.has_value() || v.dev.has_value();
}

// packaging's _version_split: dot-split, with "1rc2"-like items split in two.
std::vector<std::string> version_split(std::string_view s) {
  std::vector<std::string> out;
  size_t st = 0;
  for (size_t k = 0; k <= s.size(); ++k) {
    if (k == s.size() || s[k] == '.') {
      std::string_view item = s.substr(st, k - st);
      size_t d = 0;
      while (d < item.size() && is_digit(item[d])) ++d;
      std::string_view tail = item.substr(d);
      bool split = false;
      if (d > 0) {
        for (std::string_view l : {"rc", "a", "b", "c"}) {
          if (tail.starts_with(l) && all_digits(tail.substr(l.size()))) split = true;
        }
      }
      if (split) {
        out.emplace_back(item.substr(0, d));
        out.emplace_back(tail);
      } else {
        out.emplace_back(item);
      }
      st = k + 1;
    }
  }
  return out;
}

bool is_not_suffix(const std::string& seg) {
  for (std::string_view p : {"dev", "a", "b", "rc", "post"}) {
    if (seg.starts_with(p)) return false;
  }
  return true;
}

// "==" with a trailing ".*": prefix match on the normalised public version, zero-padded.
bool prefix_equal(const Version& prospective, const Version& spec_base) {
  auto spec = version_split(normal_form(spec_base));
  auto pro = version_split(normal_form(public_of(prospective)));
  auto numeric_run = [](const std::vector<std::string>& v) {
    size_t n = 0;
    while (n < v.size() && all_digits(v[n])) ++n;
    return n;
  };
  size_t pn = numeric_run(pro);
  size_t sn = numeric_run(spec);
  std::vector<std::string> padded(pro.begin(), pro.begin() + static_cast<ptrdiff_t>(pn));
  for (size_t k = pn; k < sn; ++k) padded.emplace_back("0");
  padded.insert(padded.end(), pro.begin() + static_cast<ptrdiff_t>(pn), pro.end());
  if (padded.size() < spec.size()) return false;
  padded.resize(spec.size());
  return padded == spec;
}

core::Result<bool> contains_one(std::string_view spec_text, const Version& v,
                                std::string_view whole) {
  std::string_view s = trim_space(spec_text);
  static constexpr std::string_view kOps[] = {"===", "~=", "==", "!=", "<=", ">=", "<", ">"};
  std::string_view op;
  for (auto o : kOps) {
    if (s.starts_with(o)) {
      op = o;
      break;
    }
  }
  if (op.empty()) return bad_constraint(kName, whole, "specifier without an operator");
  std::string_view operand = trim_space(s.substr(op.size()));
  // packaging accepts an empty "===" operand (which no version equals).
  if (operand.empty() && op != "===") {
    return bad_constraint(kName, whole, "operator without a version");
  }
  if (op == "===") {
    for (char c : operand) {
      if (c == ' ' || c == ';' || c == ')') return bad_constraint(kName, whole, "bad === operand");
    }
    return lower(normal_form(v)) == lower(operand);
  }
  const bool wildcard = operand.ends_with(".*");
  if (wildcard && op != "==" && op != "!=") {
    return bad_constraint(kName, whole, ".* is only allowed with == and !=");
  }
  auto spec = parse(wildcard ? operand.substr(0, operand.size() - 2) : operand);
  if (!spec.ok()) return bad_constraint(kName, whole, spec.error().message());
  const Version& sv = *spec;
  const bool plain_release = !sv.pre && !sv.post && !sv.dev && sv.local.empty();
  if (wildcard && !plain_release) {
    return bad_constraint(kName, whole, ".* must follow a plain release");
  }
  if (!sv.local.empty() && op != "==" && op != "!=") {
    return bad_constraint(kName, whole, "local versions are only allowed with == and !=");
  }
  if (op == "~=") {
    if (sv.release.size() < 2) return bad_constraint(kName, whole, "~= needs two release numbers");
    auto split = version_split(operand);
    std::vector<std::string> prefix;
    for (const auto& seg : split) {
      if (!is_not_suffix(seg)) break;
      prefix.push_back(seg);
    }
    if (!prefix.empty()) prefix.pop_back();
    auto pv = parse(join(prefix, "."));
    if (!pv.ok()) return bad_constraint(kName, whole, "~= prefix does not parse");
    return compare_versions(public_of(v), sv) >= 0 && prefix_equal(v, *pv);
  }
  if (op == "==" || op == "!=") {
    bool eq;
    if (wildcard) {
      eq = prefix_equal(v, sv);
    } else {
      eq = compare_versions(sv.local.empty() ? public_of(v) : v, sv) == 0;
    }
    return op == "==" ? eq : !eq;
  }
  if (op == "<=") return compare_versions(public_of(v), sv) <= 0;
  if (op == ">=") return compare_versions(public_of(v), sv) >= 0;
  if (op == "<") {
    if (compare_versions(v, sv) >= 0) return false;
    if (!is_prerelease(sv) && is_prerelease(v) && compare_versions(base_of(v), base_of(sv)) == 0) {
      return false;
    }
    return true;
  }
  // ">"
  if (compare_versions(v, sv) <= 0) return false;
  if (!sv.post && v.post && compare_versions(base_of(v), base_of(sv)) == 0) return false;
  if (!v.local.empty() && compare_versions(base_of(v), base_of(sv)) == 0) return false;
  return true;
}

}  // namespace

core::Result<int> compare(std::string_view a, std::string_view b) {
  BW_ASSIGN_OR_RETURN(auto va, parse(a));
  BW_ASSIGN_OR_RETURN(auto vb, parse(b));
  return compare_versions(va, vb);
}

core::Result<bool> satisfies(std::string_view v, std::string_view c) {
  BW_ASSIGN_OR_RETURN(auto ver, parse(v));
  bool all = true;
  std::string_view rest = c;
  while (true) {
    auto comma = rest.find(',');
    std::string_view one = trim_space(rest.substr(0, comma));
    if (!one.empty()) {
      BW_ASSIGN_OR_RETURN(bool ok, contains_one(one, ver, c));
      if (!ok) all = false;
    }
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return all;
}

}  // namespace bulwark::version::pep440
