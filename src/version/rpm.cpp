// RPM versions: [epoch:]version[-release], compared as rpm's rpmvercmp and labelCompare do:
// epochs numerically (absent = 0), then version, then release, each split into alphanumeric
// segments separated by anything else; digit segments are greater than letter segments and
// compare numerically; '~' sorts before everything (even the end), '^' after the end but before
// any further segment. A missing release sorts before any release (rpm.labelCompare); an empty
// one ("1.0-") is accepted as rpm does, an empty version is not.
#include "version/scheme.hpp"

namespace bulwark::version::rpm {
namespace {

constexpr std::string_view kName = "Red Hat";

struct Parsed {
  std::string_view epoch;
  std::string_view version;
  std::string_view release;
  bool has_release = false;
};

bool allowed(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == '+' || c == '~' || c == '^' || c == '-';
}

core::Result<Parsed> parse(std::string_view s) {
  const std::string_view in = s;
  if (s.empty()) return bad_version(kName, in, "empty");
  Parsed p;
  size_t n = 0;
  while (n < s.size() && is_digit(s[n])) ++n;
  if (n < s.size() && s[n] == ':') {
    p.epoch = s.substr(0, n);
    if (p.epoch.empty()) return bad_version(kName, in, "epoch is empty");
    s = s.substr(n + 1);
  }
  for (char c : s) {
    if (!allowed(c)) return bad_version(kName, in, "invalid character");
  }
  if (auto hyphen = s.rfind('-'); hyphen != std::string_view::npos) {
    p.release = s.substr(hyphen + 1);
    p.has_release = true;
    s = s.substr(0, hyphen);
  }
  p.version = s;
  if (s.empty()) return bad_version(kName, in, "version is empty");
  return p;
}

int rpmvercmp(std::string_view a, std::string_view b) {
  if (a == b) return 0;
  size_t i = 0;
  size_t j = 0;
  auto sep = [](char c) { return !is_alnum(c) && c != '~' && c != '^'; };
  while (i < a.size() || j < b.size()) {
    while (i < a.size() && sep(a[i])) ++i;
    while (j < b.size() && sep(b[j])) ++j;
    const bool ae = i >= a.size();
    const bool be = j >= b.size();
    if ((!ae && a[i] == '~') || (!be && b[j] == '~')) {
      if (ae || a[i] != '~') return 1;
      if (be || b[j] != '~') return -1;
      ++i;
      ++j;
      continue;
    }
    if ((!ae && a[i] == '^') || (!be && b[j] == '^')) {
      if (ae) return -1;
      if (be) return 1;
      if (a[i] != '^') return 1;
      if (b[j] != '^') return -1;
      ++i;
      ++j;
      continue;
    }
    if (ae || be) break;
    size_t si = i;
    size_t sj = j;
    const bool numeric = is_digit(a[i]);
    if (numeric) {
      while (i < a.size() && is_digit(a[i])) ++i;
      while (j < b.size() && is_digit(b[j])) ++j;
    } else {
      while (i < a.size() && is_alpha(a[i])) ++i;
      while (j < b.size() && is_alpha(b[j])) ++j;
    }
    // The segments are of different kinds: a number is newer than letters.
    if (j == sj) return numeric ? 1 : -1;
    std::string_view sa = a.substr(si, i - si);
    std::string_view sb = b.substr(sj, j - sj);
    int c = numeric ? compare_digits(sa, sb) : sign(sa.compare(sb));
    if (c != 0) return c;
  }
  const bool ae = i >= a.size();
  const bool be = j >= b.size();
  if (ae && be) return 0;
  return ae ? -1 : 1;
}

}  // namespace

core::Result<int> compare(std::string_view a, std::string_view b) {
  BW_ASSIGN_OR_RETURN(auto pa, parse(a));
  BW_ASSIGN_OR_RETURN(auto pb, parse(b));
  if (int c = compare_digits(pa.epoch.empty() ? "0" : pa.epoch, pb.epoch.empty() ? "0" : pb.epoch);
      c != 0) {
    return c;
  }
  if (int c = rpmvercmp(pa.version, pb.version); c != 0) return c;
  if (!pa.has_release || !pb.has_release) {
    if (pa.has_release == pb.has_release) return 0;
    return pa.has_release ? 1 : -1;
  }
  return rpmvercmp(pa.release, pb.release);
}

core::Result<bool> satisfies(std::string_view v, std::string_view c) {
  return satisfies_op_list(kName, compare, v, c);
}

}  // namespace bulwark::version::rpm
