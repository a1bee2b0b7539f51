#include "report/licenses.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "core/digest.hpp"
#include "core/text.hpp"

namespace bulwark::report::detail {
namespace {

// Nesting deeper than any real declaration is treated as free text instead of recursing on
// whatever a hostile package database put there.
constexpr int kMaxParenDepth = 32;
constexpr std::string_view kLicenseRefPrefix = "LicenseRef-";

using core::equal_nocase;
using core::less_nocase;

std::optional<std::string_view> find_nocase(std::span<const std::string_view> sorted,
                                            std::string_view id) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), id, less_nocase);
  if (it != sorted.end() && equal_nocase(*it, id)) return *it;
  return std::nullopt;
}

bool is_idstring_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
}

using core::trim;

struct Token {
  enum class Kind { kOpen, kClose, kWord };
  Kind kind;
  std::string_view text;  // kWord only
  bool plus = false;      // kWord directly followed by '+'
};

std::optional<std::vector<Token>> tokenize(std::string_view s) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
    } else if (c == '(') {
      tokens.push_back({Token::Kind::kOpen, {}});
      ++i;
    } else if (c == ')') {
      tokens.push_back({Token::Kind::kClose, {}});
      ++i;
    } else if (is_idstring_char(c)) {
      size_t j = i;
      while (j < s.size() && is_idstring_char(s[j])) ++j;
      Token t{Token::Kind::kWord, s.substr(i, j - i)};
      if (j < s.size() && s[j] == '+') {
        t.plus = true;
        ++j;
      }
      tokens.push_back(t);
      i = j;
    } else {
      return std::nullopt;  // ',', '/', ';' and the like mean free text, not an expression
    }
  }
  return tokens;
}

// Recursive descent over the grammar of SPDX 2.3 annex D, with its precedence
// (WITH binds tighter than AND, AND tighter than OR). Writes the normalised form as it goes.
class ExpressionParser {
 public:
  explicit ExpressionParser(const std::vector<Token>& tokens) : tokens_(tokens) {}

  bool parse() { return parse_or(0) && pos_ == tokens_.size(); }
  const std::string& normalized() const { return out_; }
  std::vector<std::string> take_refs() { return std::move(refs_); }

 private:
  bool parse_or(int depth) {
    if (!parse_and(depth)) return false;
    while (accept_operator("OR")) {
      out_ += " OR ";
      if (!parse_and(depth)) return false;
    }
    return true;
  }

  bool parse_and(int depth) {
    if (!parse_with(depth)) return false;
    while (accept_operator("AND")) {
      out_ += " AND ";
      if (!parse_with(depth)) return false;
    }
    return true;
  }

  bool parse_with(int depth) {
    if (pos_ < tokens_.size() && tokens_[pos_].kind == Token::Kind::kOpen) {
      if (depth >= kMaxParenDepth) return false;
      ++pos_;
      out_ += '(';
      if (!parse_or(depth + 1)) return false;
      if (pos_ >= tokens_.size() || tokens_[pos_].kind != Token::Kind::kClose) return false;
      ++pos_;
      out_ += ')';
      return true;
    }
    if (!parse_simple()) return false;
    if (accept_operator("WITH")) {
      if (pos_ >= tokens_.size() || tokens_[pos_].kind != Token::Kind::kWord ||
          tokens_[pos_].plus) {
        return false;
      }
      auto exception = canonical_exception_id(tokens_[pos_].text);
      if (!exception) return false;
      ++pos_;
      out_ += " WITH ";
      out_ += *exception;
    }
    return true;
  }

  bool parse_simple() {
    if (pos_ >= tokens_.size() || tokens_[pos_].kind != Token::Kind::kWord) return false;
    const Token& t = tokens_[pos_];
    if (is_operator(t.text)) return false;
    if (t.text.size() > kLicenseRefPrefix.size() &&
        equal_nocase(t.text.substr(0, kLicenseRefPrefix.size()), kLicenseRefPrefix)) {
      if (t.plus) return false;  // '+' follows a listed license only
      std::string ref =
          std::string(kLicenseRefPrefix) + std::string(t.text.substr(kLicenseRefPrefix.size()));
      out_ += ref;
      refs_.push_back(std::move(ref));
    } else {
      auto id = canonical_license_id(t.text);
      if (!id) return false;
      out_ += *id;
      if (t.plus) out_ += '+';
    }
    ++pos_;
    return true;
  }

  static bool is_operator(std::string_view w) {
    return equal_nocase(w, "AND") || equal_nocase(w, "OR") || equal_nocase(w, "WITH");
  }

  bool accept_operator(std::string_view op) {
    if (pos_ < tokens_.size() && tokens_[pos_].kind == Token::Kind::kWord && !tokens_[pos_].plus &&
        equal_nocase(tokens_[pos_].text, op)) {
      ++pos_;
      return true;
    }
    return false;
  }

  const std::vector<Token>& tokens_;
  size_t pos_ = 0;
  std::string out_;
  std::vector<std::string> refs_;
};

}  // namespace

std::optional<std::string_view> canonical_license_id(std::string_view id) {
  return find_nocase(spdx_license_ids(), id);
}

std::optional<std::string_view> canonical_exception_id(std::string_view id) {
  return find_nocase(spdx_exception_ids(), id);
}

LicenseChoice classify_license(std::string_view declared) {
  std::string_view text = trim(declared);
  // Whole-string lookup first: the list has ids such as "GPL-2.0+" that the grammar would
  // read as "GPL-2.0" plus the or-later operator.
  if (auto id = canonical_license_id(text)) {
    return {LicenseChoice::Kind::kId, std::string(*id)};
  }
  if (auto tokens = tokenize(text); tokens && !tokens->empty()) {
    ExpressionParser parser(*tokens);
    if (parser.parse()) {
      return {LicenseChoice::Kind::kExpression, parser.normalized(), parser.take_refs()};
    }
  }
  return {LicenseChoice::Kind::kName, std::string(text)};
}

std::string license_ref_for(std::string_view name) {
  std::string idstring;
  for (char c : name) idstring.push_back(is_idstring_char(c) ? c : '-');
  std::string ref = std::string(kLicenseRefPrefix) + (idstring.empty() ? "unnamed" : idstring);
  if (idstring != name) ref += "-" + core::Sha256::hex_of(name).substr(0, 8);
  return ref;
}

}  // namespace bulwark::report::detail
