#include "registry/www_authenticate.hpp"

namespace bulwark::registry {

using core::Error;
using core::Result;

namespace {

constexpr size_t kMaxHeader = 16384;
constexpr size_t kMaxChallenges = 32;
constexpr size_t kMaxParams = 64;

// tchar from RFC 7230 section 3.2.6.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}
bool is_ws(char c) {
  return c == ' ' || c == '\t';
}
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<std::vector<Challenge>> run() {
    std::vector<Challenge> out;
    skip_separators();
    while (i_ < s_.size()) {
      if (out.size() >= kMaxChallenges) return fail("too many challenges");
      std::string_view scheme = token();
      if (scheme.empty()) return fail("expected an auth scheme");
      Challenge c;
      c.scheme = lower(scheme);
      skip_ws();
      // Parameters follow until a token that is not followed by '=' (the next scheme).
      bool first = true;
      while (i_ < s_.size() && s_[i_] != ',') {
        size_t save = i_;
        std::string_view name = token();
        size_t after_name = i_;
        skip_ws();
        if (!name.empty() && i_ < s_.size() && s_[i_] == '=') {
          // name=value, unless this is a token68 ending in '=' padding ("abc==").
          ++i_;
          skip_ws();
          if (first && (i_ >= s_.size() || s_[i_] == ',' || s_[i_] == '=')) {
            i_ = save;
            BW_TRY(read_token68(c));
            break;
          }
          std::string value;
          if (i_ < s_.size() && s_[i_] == '"') {
            BW_ASSIGN_OR_RETURN(value, quoted());
          } else {
            std::string_view v = token();
            if (v.empty()) return fail("parameter '" + std::string(name) + "' has no value");
            value = std::string(v);
          }
          if (c.params.size() >= kMaxParams) return fail("too many parameters");
          c.params[lower(name)] = std::move(value);
        } else if (first && !name.empty()) {
          i_ = save;
          BW_TRY(read_token68(c));
          break;
        } else {
          i_ = after_name;
          return fail("unexpected character");
        }
        first = false;
        skip_ws();
        // A comma then either another parameter or the next challenge.
        if (i_ < s_.size() && s_[i_] == ',') {
          size_t comma = i_;
          skip_separators();
          size_t look = i_;
          std::string_view next = token();
          skip_ws();
          bool is_param = !next.empty() && i_ < s_.size() && s_[i_] == '=';
          i_ = is_param ? look : comma;
          if (!is_param) break;
        }
      }
      out.push_back(std::move(c));
      skip_separators();
    }
    if (out.empty()) return fail("no challenge");
    return out;
  }

 private:
  Error fail(const std::string& why) const {
    return Error::invalid("WWW-Authenticate: " + why + " at offset " + std::to_string(i_));
  }
  void skip_ws() {
    while (i_ < s_.size() && is_ws(s_[i_])) ++i_;
  }
  void skip_separators() {
    while (i_ < s_.size() && (is_ws(s_[i_]) || s_[i_] == ',')) ++i_;
  }
  std::string_view token() {
    size_t start = i_;
    while (i_ < s_.size() && is_tchar(s_[i_])) ++i_;
    return s_.substr(start, i_ - start);
  }
  Result<std::string> quoted() {
    ++i_;  // opening quote
    std::string out;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (i_ >= s_.size()) break;
        c = s_[i_++];
      }
      out.push_back(c);
    }
    return fail("unterminated quoted string");
  }
  // token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
  Result<void> read_token68(Challenge& c) {
    size_t start = i_;
    auto t68 = [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             std::string_view("-._~+/").find(ch) != std::string_view::npos;
    };
    while (i_ < s_.size() && t68(s_[i_])) ++i_;
    if (i_ == start) return fail("expected token68");
    while (i_ < s_.size() && s_[i_] == '=') ++i_;
    c.token68 = std::string(s_.substr(start, i_ - start));
    skip_ws();
    if (i_ < s_.size() && s_[i_] != ',') return fail("unexpected text after token68");
    return core::ok();
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

Result<std::vector<Challenge>> parse_www_authenticate(std::string_view header) {
  if (header.size() > kMaxHeader) return Error::limit("WWW-Authenticate: header too long");
  return Parser(header).run();
}

}  // namespace bulwark::registry
