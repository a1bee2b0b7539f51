// Debian package versions: [epoch:]upstream[-revision], compared as dpkg does (Debian Policy
// 5.6.12): epochs numerically, then upstream and revision by alternating non-digit runs (where
// '~' sorts before everything, even the end, and letters before other characters) and digit
// runs compared as unbounded integers. dpkg only warns about a version that does not start with
// a digit or holds characters outside the policy's set; we reject those (no guessing).
#include <climits>

#include "version/scheme.hpp"

namespace bulwark::version::deb {
namespace {

constexpr std::string_view kName = "Debian";

struct Parsed {
  std::string_view epoch;  // digits; empty means 0
  std::string_view upstream;
  std::string_view revision;  // empty when absent
};

core::Result<Parsed> parse(std::string_view s) {
  const std::string_view in = s;
  s = trim_space(s);
  if (s.empty()) return bad_version(kName, in, "empty");
  for (char c : s) {
    if (c == ' ' || c == '\t') return bad_version(kName, in, "embedded spaces");
  }
  Parsed p;
  if (auto colon = s.find(':'); colon != std::string_view::npos) {
    p.epoch = s.substr(0, colon);
    if (p.epoch.empty()) return bad_version(kName, in, "epoch is empty");
    if (!all_digits(p.epoch)) return bad_version(kName, in, "epoch is not a number");
    if (compare_digits(p.epoch, "2147483647") > 0) return bad_version(kName, in, "epoch too big");
    s = s.substr(colon + 1);
    if (s.empty()) return bad_version(kName, in, "nothing after the epoch's colon");
  }
  if (auto hyphen = s.rfind('-'); hyphen != std::string_view::npos) {
    p.revision = s.substr(hyphen + 1);
    s = s.substr(0, hyphen);
    if (p.revision.empty()) return bad_version(kName, in, "revision is empty");
  }
  p.upstream = s;
  if (s.empty()) return bad_version(kName, in, "upstream version is empty");
  if (!is_digit(s.front())) return bad_version(kName, in, "does not start with a digit");
  for (char c : s) {
    if (!is_alnum(c) && c != '.' && c != '+' && c != '~' && c != '-' && c != ':') {
      return bad_version(kName, in, "invalid character in upstream version");
    }
  }
  for (char c : p.revision) {
    if (!is_alnum(c) && c != '.' && c != '+' && c != '~') {
      return bad_version(kName, in, "invalid character in revision");
    }
  }
  return p;
}

// Weight of a character in a non-digit run: '~' first, then the end of the run, then
// letters, then everything else (ASCII order within each class).
int weight(char c) {
  if (c == '~') return -1;
  if (is_digit(c)) return 0;
  if (is_alpha(c)) return static_cast<unsigned char>(c);
  return static_cast<unsigned char>(c) + 256;
}

int compare_part(std::string_view a, std::string_view b) {
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() || j < b.size()) {
    while ((i < a.size() && !is_digit(a[i])) || (j < b.size() && !is_digit(b[j]))) {
      int wa = i < a.size() ? weight(a[i]) : 0;
      int wb = j < b.size() ? weight(b[j]) : 0;
      if (wa != wb) return wa < wb ? -1 : 1;
      ++i;
      ++j;
    }
    size_t si = i;
    size_t sj = j;
    while (i < a.size() && is_digit(a[i])) ++i;
    while (j < b.size() && is_digit(b[j])) ++j;
    std::string_view da = a.substr(si, i - si);
    std::string_view db = b.substr(sj, j - sj);
    if (da.empty()) da = "0";
    if (db.empty()) db = "0";
    if (int c = compare_digits(da, db); c != 0) return c;
  }
  return 0;
}

}  // namespace

core::Result<int> compare(std::string_view a, std::string_view b) {
  BW_ASSIGN_OR_RETURN(auto pa, parse(a));
  BW_ASSIGN_OR_RETURN(auto pb, parse(b));
  if (int c = compare_digits(pa.epoch.empty() ? "0" : pa.epoch, pb.epoch.empty() ? "0" : pb.epoch);
      c != 0) {
    return c;
  }
  if (int c = compare_part(pa.upstream, pb.upstream); c != 0) return c;
  return compare_part(pa.revision, pb.revision);
}

core::Result<bool> satisfies(std::string_view v, std::string_view c) {
  return satisfies_op_list(kName, compare, v, c);
}

}  // namespace bulwark::version::deb
