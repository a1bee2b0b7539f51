#include "license/expression.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "core/text.hpp"
#include "report/licenses.hpp"

namespace bulwark::license {
namespace {

namespace rd = report::detail;

// Deeper nesting than any real declaration is read as one free-text name.
constexpr int kMaxDepth = 32;
constexpr size_t kMaxTokens = 512;
constexpr std::string_view kLicenseRef = "LicenseRef-";

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = lower(c);
  return out;
}

bool equal_nocase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

bool starts_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && equal_nocase(s.substr(0, prefix.size()), prefix);
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == ':';
}

struct Token {
  enum class Kind { kOpen, kClose, kWord } kind;
  std::string_view text;
  bool plus = false;
};

std::optional<std::vector<Token>> tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    if (out.size() > kMaxTokens) return std::nullopt;
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
    } else if (c == '(' || c == ')') {
      out.push_back({c == '(' ? Token::Kind::kOpen : Token::Kind::kClose, {}});
      ++i;
    } else if (is_word_char(c)) {
      size_t j = i;
      while (j < s.size() && is_word_char(s[j])) ++j;
      Token t{Token::Kind::kWord, s.substr(i, j - i)};
      if (j < s.size() && s[j] == '+') {
        t.plus = true;
        ++j;
      }
      out.push_back(t);
      i = j;
    } else {
      return std::nullopt;  // ',', '/', ';', quotes: free text, not an expression
    }
  }
  return out;
}

// The value of a (sub)expression while combining.
struct Value {
  bool known = false;
  Category category = Category::kUnknown;
  Verdict verdict = Verdict::kNone;
  std::string term;    // deciding term
  std::string reason;  // how the deciding term got its category
  std::vector<std::string> unknown;
};

// Order for combining: allowed terms are the least restrictive choice, denied the most.
int rank(const Value& v) {
  if (v.verdict == Verdict::kAllowed) return -1;
  if (v.verdict == Verdict::kDenied) return 100;
  return static_cast<int>(v.category);
}

bool matches(const std::vector<std::string>& list, const std::string& term, const std::string& base,
             const std::string& name) {
  for (const auto& e : list) {
    // An exception only adds permissions, so an entry for the license covers it WITH any.
    if (equal_nocase(e, term) || (!base.empty() && equal_nocase(e, base))) return true;
    if (!name.empty() && starts_nocase(e, kLicenseRef) &&
        (equal_nocase(e.substr(kLicenseRef.size()), name) ||
         equal_nocase(e, rd::license_ref_for(name))))
      return true;
  }
  return false;
}

void apply_policy(Value& v, const Policy& p, const std::string& base, const std::string& name) {
  const std::string where = p.source.empty() ? "the policy" : "policy " + p.source;
  if (matches(p.deny, v.term, base, name)) {
    v.verdict = Verdict::kDenied;
    v.known = true;
    v.reason = v.term + " is denied by " + where;
  } else if (matches(p.allow, v.term, base, name)) {
    v.verdict = Verdict::kAllowed;
    v.known = true;
    v.reason = v.term + " is allowed by " + where;
  }
}

std::string category_phrase(Category c) {
  return std::string(category_name(c));
}

// An SPDX license id, or a Debian-style short name one ".0" away from one ("GPL-2" ->
// "GPL-2.0", "Apache-2" -> "Apache-2.0"). With '+' (or later) the -or-later id is preferred
// over the deprecated "+" ids, then the SPDX '+' operator.
std::optional<std::string> spdx_id(std::string_view word, bool plus) {
  std::vector<std::string> bases{std::string(word)};
  if (!word.empty() && std::isdigit(static_cast<unsigned char>(word.back())) != 0)
    bases.push_back(std::string(word) + ".0");
  for (const auto& base : bases) {
    if (plus) {
      if (auto id = rd::canonical_license_id(base + "-or-later")) return std::string(*id);
      if (auto id = rd::canonical_license_id(base + "+")) return std::string(*id);
    }
    if (auto id = rd::canonical_license_id(base)) return std::string(*id) + (plus ? "+" : "");
  }
  return std::nullopt;
}

std::string strip_plus(const std::string& id) {
  return !id.empty() && id.back() == '+' ? id.substr(0, id.size() - 1) : id;
}

Value apply_exception(Value v, std::string_view exception_id, ExceptionEffect effect) {
  std::string exc(exception_id);
  v.term += " WITH " + exc;
  if (v.verdict != Verdict::kNone || !v.known) return v;
  if (effect == ExceptionEffect::kLinking && v.category == Category::kRestricted) {
    v.category = Category::kReciprocal;
    v.reason += "; " + exc + " lets other code link with it without falling under it: reciprocal";
  } else if (effect == ExceptionEffect::kGeneratedOutput) {
    v.reason += "; " + exc + " frees only what a tool generates, the package's own code keeps " +
                category_phrase(v.category);
  } else if (effect == ExceptionEffect::kNone) {
    v.reason += "; " + exc + " does not change the obligations";
  }
  return v;
}

Value classify_name(std::string_view name, const Policy& p, int depth);
std::optional<ExceptionRow> exception_by_keyword(std::string_view keyword);

// An SPDX license id (as spdx_id() returns it, maybe with the '+' operator): its category.
// No policy yet: the caller applies it once the term is complete.
Value classify_spdx(const std::string& id) {
  Value v;
  v.term = id;
  if (auto c = category_of(id); c || (c = category_of(strip_plus(id)))) {
    v.known = true;
    v.category = *c;
    v.reason = id + " is " + category_phrase(*c);
  } else {
    v.reason = id + " is an SPDX license id that bulwark's category table does not classify";
    v.unknown.push_back(id);
  }
  return v;
}

// One term: an SPDX id (with '+' and an exception), a LicenseRef or a name.
Value classify_term(std::string_view word, bool plus, std::string_view exception, const Policy& p) {
  Value v;
  std::string base;
  std::string name;
  if (auto id = spdx_id(word, plus)) {
    v = classify_spdx(*id);
    base = *id;
  } else if (starts_nocase(word, kLicenseRef)) {
    v.term = std::string(word);
    v.reason = v.term + " is a license reference, not a listed license";
    v.unknown.push_back(v.term);
  } else {
    v = classify_name(std::string(word) + (plus ? "+" : ""), p, 1);
    name = v.term;
  }
  if (!exception.empty()) {
    std::optional<ExceptionRow> row;
    if (auto exc = rd::canonical_exception_id(exception)) {
      if (auto effect = exception_effect(*exc)) row = ExceptionRow{*exc, *effect};
      if (!row) row = ExceptionRow{*exc, ExceptionEffect::kNone};
    } else {
      // Not an SPDX exception id: a keyword as Debian or Fedora write them ("Classpath").
      std::string_view key = exception;
      if (key.size() > 10 && equal_nocase(key.substr(key.size() - 10), "-exception"))
        key.remove_suffix(10);
      row = exception_by_keyword(key);
    }
    v = apply_exception(std::move(v), row ? row->id : exception,
                        row ? row->effect : ExceptionEffect::kNone);
  }
  if (v.verdict == Verdict::kNone) apply_policy(v, p, base, name);
  return v;
}

// The exception named by a Debian-style keyword ("Autoconf" -> Autoconf-exception-2.0's
// effect, "Linux-syscall-note"): the first table row the keyword starts.
std::optional<ExceptionRow> exception_by_keyword(std::string_view keyword) {
  std::string key;
  for (char c : keyword) key += (c == ' ' || c == '_') ? '-' : lower(c);
  // Whole words only ("classpath" names Classpath-exception-2.0, "c" names nothing): a
  // keyword must not lower a category by accident.
  if (key.size() < 3) return std::nullopt;
  for (const auto& row : exception_table()) {
    if (starts_nocase(row.id, key) && (row.id.size() == key.size() || row.id[key.size()] == '-'))
      return row;
  }
  return std::nullopt;
}

// A term that is not an SPDX id: a known alias, "<license> with <keyword> exception" as Debian
// writes it, or unknown.
Value classify_name(std::string_view name, const Policy& p, int depth) {
  Value v;
  v.term = std::string(core::trim(name));
  {
    // "Apache 2.0", "GPL 2+": an SPDX id written with spaces.
    std::string dashed = v.term;
    std::replace(dashed.begin(), dashed.end(), ' ', '-');
    bool plus = !dashed.empty() && dashed.back() == '+';
    if (plus) dashed.pop_back();
    if (dashed != v.term || plus) {
      if (auto id = spdx_id(dashed, plus)) {
        Value out = classify_spdx(*id);
        apply_policy(out, p, *id, v.term);
        out.reason = "\"" + v.term + "\" reads as " + out.reason;
        return out;
      }
    }
  }
  if (const auto* alias = find_alias(v.term)) {
    v.known = true;
    v.category = alias->category;
    v.reason = "\"" + v.term + "\" names " + std::string(alias->meaning) + ": " +
               category_phrase(alias->category);
    // "GPLv2+" is GPL-2.0-or-later for the policy's lists too.
    auto id = rd::canonical_license_id(alias->meaning);
    apply_policy(v, p, id ? std::string(*id) : "", v.term);
    return v;
  }
  if (depth <= 2) {
    // "GPL-2+ with Autoconf exception", "GPL-3+-WITH-BISON-EXCEPTION"
    std::string low = lowered(v.term);
    for (std::string_view sep : {" with ", "-with-"}) {
      size_t at = low.find(sep);
      if (at == std::string::npos || at == 0) continue;
      std::string_view rest = std::string_view(v.term).substr(at + sep.size());
      std::string rest_low = lowered(rest);
      for (std::string_view suffix : {" exception", "-exception"}) {
        if (rest_low.size() > suffix.size() && rest_low.ends_with(suffix))
          rest = rest.substr(0, rest.size() - suffix.size());
      }
      std::string_view left = std::string_view(v.term).substr(0, at);
      bool plus = !left.empty() && left.back() == '+';
      if (plus) left.remove_suffix(1);
      Value inner;
      std::string base;
      if (auto id = spdx_id(left, plus)) {
        inner = classify_spdx(*id);
        base = *id;
      } else {
        inner = classify_name(std::string(left) + (plus ? "+" : ""), p, depth + 1);
      }
      if (!inner.known) break;
      auto row = exception_by_keyword(rest);
      Value out =
          apply_exception(inner, row ? row->id : rest, row ? row->effect : ExceptionEffect::kNone);
      out.term = v.term;
      out.reason = "\"" + v.term + "\" reads as " + inner.term + " with " +
                   (row ? std::string(row->id) : "an unlisted exception") + ": " + out.reason;
      apply_policy(out, p, base, v.term);
      return out;
    }
  }
  v.reason = "\"" + v.term + "\" is not an SPDX license id and names no license bulwark knows";
  v.unknown.push_back(v.term);
  apply_policy(v, p, "", v.term);
  return v;
}

Value combine_or(std::vector<Value> operands) {
  const Value* best = nullptr;
  for (const auto& o : operands) {
    if (o.known && (best == nullptr || rank(o) < rank(*best))) best = &o;
  }
  if (best == nullptr) {
    Value v;
    for (auto& o : operands) v.unknown.insert(v.unknown.end(), o.unknown.begin(), o.unknown.end());
    v.term = operands.empty() ? "" : operands.front().term;
    v.reason = "no choice in the OR is a license bulwark knows";
    return v;
  }
  Value v = *best;
  if (operands.size() > 1)
    v.reason =
        "the licensee may choose " + v.term + " (" +
        (v.verdict == Verdict::kAllowed ? std::string("allowed") : category_phrase(v.category)) +
        "): " + v.reason;
  return v;
}

Value combine_and(std::vector<Value> operands) {
  const Value* worst = nullptr;
  std::vector<std::string> unknown;
  for (const auto& o : operands) {
    if (o.known && (worst == nullptr || rank(o) > rank(*worst))) worst = &o;
    if (!o.known) unknown.insert(unknown.end(), o.unknown.begin(), o.unknown.end());
  }
  if (worst == nullptr ||
      (!unknown.empty() && rank(*worst) < static_cast<int>(Category::kReciprocal))) {
    // Unknown obligations on top of benign ones: the whole cannot be called benign.
    Value v;
    v.unknown = std::move(unknown);
    v.term = v.unknown.empty() ? "" : v.unknown.front();
    v.reason = "all apply and " + v.term + " does not classify";
    return v;
  }
  Value v = *worst;
  v.unknown = std::move(unknown);
  if (operands.size() > 1) v.reason = "all apply; the most restrictive: " + v.reason;
  return v;
}

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, const Policy& policy) : t_(tokens), p_(policy) {}

  std::optional<Value> parse() {
    auto v = parse_or(0);
    if (!v || pos_ != t_.size()) return std::nullopt;
    return v;
  }

 private:
  std::optional<Value> parse_or(int depth) {
    std::vector<Value> ops;
    auto first = parse_and(depth);
    if (!first) return std::nullopt;
    ops.push_back(std::move(*first));
    while (accept("OR")) {
      auto next = parse_and(depth);
      if (!next) return std::nullopt;
      ops.push_back(std::move(*next));
    }
    return ops.size() == 1 ? std::move(ops.front()) : combine_or(std::move(ops));
  }

  std::optional<Value> parse_and(int depth) {
    std::vector<Value> ops;
    auto first = parse_primary(depth);
    if (!first) return std::nullopt;
    ops.push_back(std::move(*first));
    while (accept("AND")) {
      auto next = parse_primary(depth);
      if (!next) return std::nullopt;
      ops.push_back(std::move(*next));
    }
    return ops.size() == 1 ? std::move(ops.front()) : combine_and(std::move(ops));
  }

  std::optional<Value> parse_primary(int depth) {
    if (pos_ < t_.size() && t_[pos_].kind == Token::Kind::kOpen) {
      if (depth >= kMaxDepth) return std::nullopt;
      ++pos_;
      auto v = parse_or(depth + 1);
      if (!v || pos_ >= t_.size() || t_[pos_].kind != Token::Kind::kClose) return std::nullopt;
      ++pos_;
      return v;
    }
    if (pos_ >= t_.size() || t_[pos_].kind != Token::Kind::kWord || is_operator(t_[pos_]))
      return std::nullopt;
    const Token& word = t_[pos_++];
    std::string_view exception;
    if (accept("WITH")) {
      if (pos_ >= t_.size() || t_[pos_].kind != Token::Kind::kWord || t_[pos_].plus ||
          is_operator(t_[pos_]))
        return std::nullopt;
      // An exception the list does not have changes nothing (classify_term says so), and the
      // rest of the expression still counts: "X WITH unlisted OR MIT" is MIT's.
      exception = t_[pos_++].text;
    }
    return classify_term(word.text, word.plus, exception, p_);
  }

  static bool is_operator(const Token& t) {
    return !t.plus && (equal_nocase(t.text, "AND") || equal_nocase(t.text, "OR") ||
                       equal_nocase(t.text, "WITH"));
  }

  bool accept(std::string_view op) {
    if (pos_ < t_.size() && t_[pos_].kind == Token::Kind::kWord && !t_[pos_].plus &&
        equal_nocase(t_[pos_].text, op)) {
      ++pos_;
      return true;
    }
    return false;
  }

  const std::vector<Token>& t_;
  const Policy& p_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<std::string> canonical_term(std::string_view term) {
  std::string_view t = core::trim(term);
  if (starts_nocase(t, kLicenseRef) && t.size() > kLicenseRef.size() &&
      std::all_of(t.begin(), t.end(), [](char c) { return is_word_char(c) && c != ':'; }))
    return std::string(kLicenseRef) + std::string(t.substr(kLicenseRef.size()));
  auto choice = rd::classify_license(t);
  if (choice.kind == rd::LicenseChoice::Kind::kId) return choice.text;
  if (choice.kind == rd::LicenseChoice::Kind::kExpression && choice.license_refs.empty() &&
      choice.text.find(" AND ") == std::string::npos &&
      choice.text.find(" OR ") == std::string::npos && choice.text.find('(') == std::string::npos)
    return choice.text;
  return std::nullopt;
}

Evaluation evaluate(std::string_view declared, const Policy& policy) {
  std::string_view text = core::trim(declared);
  Evaluation out;
  auto choice = rd::classify_license(text);
  out.expression =
      choice.kind == rd::LicenseChoice::Kind::kName ? rd::license_ref_for(text) : choice.text;

  std::optional<Value> value;
  if (auto tokens = tokenize(text); tokens && !tokens->empty())
    value = Parser(*tokens, policy).parse();
  if (!value) value = classify_name(text, policy, 0);

  out.category = value->known ? value->category : Category::kUnknown;
  out.verdict = value->verdict;
  out.decisive = value->term;
  out.reason = value->reason;
  out.unknown_terms = std::move(value->unknown);
  // An allowed or denied term's own category is still what the license is.
  if (out.verdict != Verdict::kNone && !value->known) out.category = Category::kUnknown;
  return out;
}

}  // namespace bulwark::license
