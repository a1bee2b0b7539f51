// Alpine apk versions: digits{.digits}[letter]{_suffix[digits]}[~hash][-rdigits], ordered as
// apk-tools 3 orders them: the version is a sequence of typed tokens (initial number, '.'
// numbers, one letter, suffixes, a commit hash, the revision); tokens compare while their types
// agree: numbers numerically, except that a '.' number with a leading zero on either side
// compares as text (Gentoo's rule); suffixes in the order _alpha < _beta < _pre < _rc < (none)
// < _cvs < _svn < _git < _hg < _p. When one version runs out first, the other is newer unless
// what follows is a pre-release suffix. A string apk-tools calls invalid is an error here.
// The fuzzy operators ~ (prefix match, e.g. 3.6.9 ~ 3.6), <~ and >~ are apk's own.
#include <cstdint>

#include "version/scheme.hpp"

namespace bulwark::version::apk {
namespace {

constexpr std::string_view kName = "Alpine";

enum Token : int {
  kInitialDigit,
  kDigit,
  kLetter,
  kSuffix,
  kSuffixNo,
  kCommitHash,
  kRevisionNo,
  kEnd,
  kInvalid,
};

// Suffix ranks; kNone is the rank of "no suffix" (only used for comparisons).
constexpr std::string_view kSuffixes[] = {"alpha", "beta", "pre", "rc", "",
                                          "cvs",   "svn",  "git", "hg", "p"};
constexpr int kNoneRank = 4;

int suffix_rank(std::string_view s) {
  if (s.empty()) return -1;
  for (int i = 0; i < static_cast<int>(std::size(kSuffixes)); ++i) {
    if (i != kNoneRank && kSuffixes[i] == s) return i;
  }
  return -1;
}

struct State {
  Token token = kInitialDigit;
  int suffix = -1;
  std::string_view value;  // digits, letter, suffix word or hash
};

void parse_digits(State& t, std::string_view& b) {
  size_t n = 0;
  while (n < b.size() && is_digit(b[n])) ++n;
  t.value = b.substr(0, n);
  b.remove_prefix(n);
  if (n == 0 || n > 19) t.token = kInvalid;  // apk-tools reads a 64-bit number
}

void first(State& t, std::string_view& b) {
  t.token = kInitialDigit;
  parse_digits(t, b);
}

void next(State& t, std::string_view& b) {
  if (b.empty()) {
    t.token = kEnd;
    return;
  }
  const char c = b.front();
  if (c >= 'a' && c <= 'z') {
    if (t.token > kDigit) {
      t.token = kInvalid;
      return;
    }
    t.value = b.substr(0, 1);
    t.token = kLetter;
    b.remove_prefix(1);
  } else if (c == '.' || is_digit(c)) {
    if (c == '.') {
      if (t.token > kDigit) {
        t.token = kInvalid;
        return;
      }
      b.remove_prefix(1);
    }
    if (t.token == kInitialDigit || t.token == kDigit)
      t.token = kDigit;
    else if (t.token == kSuffix)
      t.token = kSuffixNo;
    else {
      t.token = kInvalid;
      return;
    }
    parse_digits(t, b);
  } else if (c == '_') {
    if (t.token > kSuffixNo) {
      t.token = kInvalid;
      return;
    }
    b.remove_prefix(1);
    size_t n = 0;
    while (n < b.size() && b[n] >= 'a' && b[n] <= 'z') ++n;
    t.value = b.substr(0, n);
    b.remove_prefix(n);
    t.suffix = suffix_rank(t.value);
    t.token = t.suffix < 0 ? kInvalid : kSuffix;
  } else if (c == '~') {
    if (t.token >= kCommitHash) {
      t.token = kInvalid;
      return;
    }
    b.remove_prefix(1);
    size_t n = 0;
    while (n < b.size() &&
           (is_digit(b[n]) || (b[n] >= 'a' && b[n] <= 'f') || (b[n] >= 'A' && b[n] <= 'F'))) {
      ++n;
    }
    t.value = b.substr(0, n);
    b.remove_prefix(n);
    t.token = n == 0 ? kInvalid : kCommitHash;
  } else if (c == '-') {
    if (t.token >= kRevisionNo || b.size() < 2 || b[1] != 'r') {
      t.token = kInvalid;
      return;
    }
    b.remove_prefix(2);
    t.token = kRevisionNo;
    parse_digits(t, b);
  } else {
    t.token = kInvalid;
  }
}

int token_cmp(const State& a, const State& b) {
  switch (a.token) {
    case kDigit:
      if (a.value.front() == '0' || b.value.front() == '0') return sign(a.value.compare(b.value));
      [[fallthrough]];
    case kInitialDigit:
    case kSuffixNo:
    case kRevisionNo:
      return compare_digits(a.value, b.value);
    case kLetter:
      return sign(a.value.compare(b.value));
    case kSuffix:
      return sign(a.suffix - b.suffix);
    default:
      return sign(a.value.compare(b.value));
  }
}

core::Result<void> validate(std::string_view s) {
  const std::string_view in = s;
  if (s.empty()) return bad_version(kName, in, "empty");
  State t;
  for (first(t, s); t.token < kEnd; next(t, s)) {
  }
  if (t.token != kEnd) return bad_version(kName, in, "not a valid apk version");
  return core::ok();
}

int compare_valid(std::string_view a, std::string_view b, bool fuzzy) {
  State ta;
  State tb;
  first(ta, a);
  first(tb, b);
  while (ta.token == tb.token && ta.token < kEnd) {
    if (int r = token_cmp(ta, tb); r != 0) return r;
    next(ta, a);
    next(tb, b);
  }
  if (ta.token == tb.token) return 0;
  if (tb.token == kEnd && fuzzy) return 0;
  if (ta.token == kSuffix && ta.suffix < kNoneRank) return -1;
  if (tb.token == kSuffix && tb.suffix < kNoneRank) return 1;
  if (ta.token > tb.token) return -1;
  if (tb.token > ta.token) return 1;
  return 0;
}

core::Result<int> compare_fuzzy(std::string_view a, std::string_view b) {
  BW_TRY(validate(a));
  BW_TRY(validate(b));
  return compare_valid(a, b, true);
}

}  // namespace

core::Result<int> compare(std::string_view a, std::string_view b) {
  BW_TRY(validate(a));
  BW_TRY(validate(b));
  return compare_valid(a, b, false);
}

core::Result<bool> satisfies(std::string_view v, std::string_view c) {
  return satisfies_op_list(kName, compare, v, c, compare_fuzzy);
}

}  // namespace bulwark::version::apk
