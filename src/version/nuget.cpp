// NuGet versions (learn.microsoft.com/nuget/concepts/package-versioning): Major.Minor.Patch
// with an optional fourth Revision number (absent parts are 0), SemVer 2.0 pre-release labels
// compared case-insensitively (numeric labels numerically, before alphanumeric ones), build
// metadata ignored. Ranges in NuGet's interval notation: "1.0" (minimum, inclusive), "[1.0]",
// "(1.0,)", "(,1.0]", "[1.0,2.0)"; floating versions (1.*) are for restore, not matching.
#include <string>
#include <vector>

#include "version/semver_core.hpp"

namespace bulwark::version::nuget {
namespace {

constexpr std::string_view kName = "NuGet";

struct Version {
  std::string parts[4] = {"0", "0", "0", "0"};
  std::vector<std::string> pre;  // lower-cased
};

core::Result<Version> parse(std::string_view text) {
  std::string_view s = trim_space(text);
  if (s.empty()) return bad_version(kName, text, "empty");
  if (auto plus = s.find('+'); plus != std::string_view::npos) {
    std::string_view meta = s.substr(plus + 1);
    if (meta.empty()) return bad_version(kName, text, "empty build metadata");
    for (char c : meta) {
      if (!is_alnum(c) && c != '-' && c != '.') return bad_version(kName, text, "invalid metadata");
    }
    s = s.substr(0, plus);
  }
  Version v;
  if (auto h = s.find('-'); h != std::string_view::npos) {
    std::string_view p = s.substr(h + 1);
    s = s.substr(0, h);
    while (true) {
      auto dot = p.find('.');
      std::string_view id = p.substr(0, dot);
      if (!valid_identifier_chars(id)) return bad_version(kName, text, "invalid pre-release label");
      std::string l(id);
      for (char& c : l) c = to_lower(c);
      v.pre.push_back(std::move(l));
      if (dot == std::string_view::npos) break;
      p = p.substr(dot + 1);
    }
  }
  int n = 0;
  while (true) {
    if (n == 4) return bad_version(kName, text, "more than four version numbers");
    auto dot = s.find('.');
    std::string_view d = s.substr(0, dot);
    if (!all_digits(d)) return bad_version(kName, text, "version numbers must be digits");
    if (compare_digits(d, "2147483647") > 0) return bad_version(kName, text, "number too large");
    while (d.size() > 1 && d.front() == '0') d.remove_prefix(1);
    v.parts[n++] = std::string(d);
    if (dot == std::string_view::npos) break;
    s = s.substr(dot + 1);
  }
  return v;
}

int compare_versions(const Version& a, const Version& b) {
  for (int i = 0; i < 4; ++i) {
    if (int c = compare_digits(a.parts[i], b.parts[i]); c != 0) return c;
  }
  if (a.pre.empty() != b.pre.empty()) return a.pre.empty() ? 1 : -1;
  for (size_t i = 0; i < std::max(a.pre.size(), b.pre.size()); ++i) {
    if (i == a.pre.size()) return -1;
    if (i == b.pre.size()) return 1;
    const bool an = all_digits(a.pre[i]);
    const bool bn = all_digits(b.pre[i]);
    int c = an && bn   ? compare_digits(a.pre[i], b.pre[i])
            : an != bn ? (an ? -1 : 1)
                       : sign(a.pre[i].compare(b.pre[i]));
    if (c != 0) return c;
  }
  return 0;
}

}  // namespace

core::Result<int> compare(std::string_view a, std::string_view b) {
  BW_ASSIGN_OR_RETURN(auto va, parse(a));
  BW_ASSIGN_OR_RETURN(auto vb, parse(b));
  return compare_versions(va, vb);
}

core::Result<bool> satisfies(std::string_view v, std::string_view c) {
  BW_ASSIGN_OR_RETURN(auto ver, parse(v));
  std::string_view s = trim_space(c);
  if (s.empty()) return bad_constraint(kName, c, "empty");
  auto version_or_error = [&](std::string_view t) -> core::Result<Version> {
    auto p = parse(t);
    if (!p.ok()) return bad_constraint(kName, c, p.error().message());
    return p;
  };
  if (s.front() != '[' && s.front() != '(') {
    BW_ASSIGN_OR_RETURN(auto min, version_or_error(s));
    return compare_versions(ver, min) >= 0;
  }
  const bool lower_inc = s.front() == '[';
  const char close = s.back();
  if (close != ']' && close != ')') return bad_constraint(kName, c, "unclosed range");
  const bool upper_inc = close == ']';
  std::string_view body = trim_space(s.substr(1, s.size() - 2));
  auto comma = body.find(',');
  if (comma == std::string_view::npos) {
    if (!lower_inc || !upper_inc) return bad_constraint(kName, c, "single version needs []");
    BW_ASSIGN_OR_RETURN(auto exact, version_or_error(body));
    return compare_versions(ver, exact) == 0;
  }
  std::string_view lo = trim_space(body.substr(0, comma));
  std::string_view hi = trim_space(body.substr(comma + 1));
  if (lo.empty() && hi.empty()) return bad_constraint(kName, c, "range without bounds");
  bool in = true;
  if (!lo.empty()) {
    BW_ASSIGN_OR_RETURN(auto l, version_or_error(lo));
    int k = compare_versions(ver, l);
    if (k < 0 || (k == 0 && !lower_inc)) in = false;
  }
  if (!hi.empty()) {
    BW_ASSIGN_OR_RETURN(auto h, version_or_error(hi));
    int k = compare_versions(ver, h);
    if (k > 0 || (k == 0 && !upper_inc)) in = false;
  }
  return in;
}

}  // namespace bulwark::version::nuget
