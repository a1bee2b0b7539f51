// Alpine apk versions (Gentoo-style): digits{.digits}[letter]{_suffix[digits]}[-rdigits].
// Ordering as apk-tools' version comparison: the version is read as a sequence of typed
// tokens (digit, letter, suffix, suffix number, revision); tokens compare by value while their
// types agree; a component after a '.' that starts with '0' compares by its leading-zero count
// (so 1.01 < 1.1); pre-release suffixes (_alpha _beta _pre _rc) sort before the end, post-release
// ones (_cvs _svn _git _hg _p) after it. A string apk would call invalid is an error here.
#include <cstdint>
#include <vector>

#include "version/scheme.hpp"

namespace bulwark::version::apk {
namespace {

constexpr std::string_view kName = "Alpine";

// Token types in the order apk-tools gives them; a later type after an earlier one is only
// allowed for the transitions listed in next_type().
enum Type : int {
  kInvalid = -1,
  kDigitOrZero = 0,
  kDigit = 1,
  kLetter = 2,
  kSuffix = 3,
  kSuffixNo = 4,
  kRevisionNo = 5,
  kEnd = 6,
};

constexpr std::string_view kPreSuffixes[] = {"alpha", "beta", "pre", "rc"};
constexpr std::string_view kPostSuffixes[] = {"cvs", "svn", "git", "hg", "p"};

struct Token {
  Type type;
  int64_t value;
};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  // Reads the token of type `type_` and advances; returns its value and sets type_ to the next.
  int64_t next() {
    if (s_.empty()) {
      type_ = kEnd;
      return 0;
    }
    int64_t v = 0;
    size_t i = 0;
    Type forced = kInvalid;
    switch (type_) {
      case kDigitOrZero:
        if (s_[0] == '0') {
          while (i < s_.size() && s_[i] == '0') ++i;
          forced = kDigit;
          v = -static_cast<int64_t>(i);
          break;
        }
        [[fallthrough]];
      case kDigit:
      case kSuffixNo:
      case kRevisionNo: {
        size_t start = i;
        while (i < s_.size() && is_digit(s_[i])) {
          if (i - start >= 18) {  // beyond int64: apk-tools itself would overflow
            type_ = kInvalid;
            return -1;
          }
          v = v * 10 + (s_[i++] - '0');
        }
        break;
      }
      case kLetter:
        v = static_cast<unsigned char>(s_[i++]);
        break;
      case kSuffix: {
        bool found = false;
        for (size_t k = 0; k < std::size(kPreSuffixes) && !found; ++k) {
          if (s_.starts_with(kPreSuffixes[k])) {
            i = kPreSuffixes[k].size();
            v = static_cast<int64_t>(k) - static_cast<int64_t>(std::size(kPreSuffixes));
            found = true;
          }
        }
        for (size_t k = 0; k < std::size(kPostSuffixes) && !found; ++k) {
          if (s_.starts_with(kPostSuffixes[k])) {
            i = kPostSuffixes[k].size();
            v = static_cast<int64_t>(k);
            found = true;
          }
        }
        if (!found) {
          type_ = kInvalid;
          return -1;
        }
        break;
      }
      default:
        type_ = kInvalid;
        return -1;
    }
    s_.remove_prefix(i);
    if (s_.empty()) {
      type_ = kEnd;
    } else if (forced != kInvalid) {
      type_ = forced;
    } else {
      advance_type();
    }
    return v;
  }

  Type type() const { return type_; }

 private:
  void advance_type() {
    Type n = kInvalid;
    const char c = s_[0];
    if ((type_ == kDigit || type_ == kDigitOrZero) && c >= 'a' && c <= 'z') {
      n = kLetter;
    } else if (type_ == kLetter && is_digit(c)) {
      n = kDigit;
    } else if (type_ == kSuffix && is_digit(c)) {
      n = kSuffixNo;
    } else {
      if (c == '.') {
        n = kDigitOrZero;
      } else if (c == '_') {
        n = kSuffix;
      } else if (c == '-' && s_.size() > 1 && s_[1] == 'r') {
        n = kRevisionNo;
        s_.remove_prefix(1);
      }
      s_.remove_prefix(1);
    }
    if (n < type_) {
      const bool ok = (n == kDigitOrZero && type_ == kDigit) ||
                      (n == kSuffix && type_ == kSuffixNo) || (n == kDigit && type_ == kLetter);
      if (!ok) n = kInvalid;
    }
    type_ = n;
  }

  std::string_view s_;
  Type type_ = kDigit;
};

core::Result<void> validate(std::string_view s) {
  if (s.empty()) return bad_version(kName, s, "empty");
  if (!is_digit(s.front())) return bad_version(kName, s, "does not start with a digit");
  Lexer lx(s);
  while (lx.type() != kEnd && lx.type() != kInvalid) (void)lx.next();
  if (lx.type() != kEnd) return bad_version(kName, s, "not a valid apk version");
  return core::ok();
}

int compare_valid(std::string_view a, std::string_view b) {
  Lexer la(a);
  Lexer lb(b);
  int64_t av = 0;
  int64_t bv = 0;
  while (la.type() == lb.type() && la.type() != kEnd && la.type() != kInvalid && av == bv) {
    av = la.next();
    bv = lb.next();
  }
  if (av != bv) return av < bv ? -1 : 1;
  if (la.type() == lb.type()) return 0;
  // Equal so far: the longer version is newer unless what follows is a pre-release suffix.
  if (la.type() == kSuffix) {
    Lexer peek = la;
    if (peek.next() < 0) return -1;
  }
  if (lb.type() == kSuffix) {
    Lexer peek = lb;
    if (peek.next() < 0) return 1;
  }
  if (la.type() > lb.type()) return -1;
  if (lb.type() > la.type()) return 1;
  return 0;
}

}  // namespace

core::Result<int> compare(std::string_view a, std::string_view b) {
  BW_TRY(validate(a));
  BW_TRY(validate(b));
  return compare_valid(a, b);
}

core::Result<bool> satisfies(std::string_view v, std::string_view c) {
  return satisfies_op_list(kName, compare, v, c);
}

}  // namespace bulwark::version::apk
