#include "vulndb/cvss.hpp"

#include <cmath>
#include <cstdint>
#include <map>

namespace bulwark::vulndb {

namespace {
// Spec appendix A "Roundup": the smallest number, to one decimal, >= its input, computed on
// integers to avoid floating-point surprises.
double roundup(double x) {
  const auto i = static_cast<int64_t>(std::llround(x * 100000.0));
  if (i % 10000 == 0) return static_cast<double>(i) / 100000.0;
  return (std::floor(static_cast<double>(i) / 10000.0) + 1.0) / 10.0;
}
}  // namespace

std::optional<double> cvss3_base_score(std::string_view v) {
  if (v.rfind("CVSS:3.0/", 0) != 0 && v.rfind("CVSS:3.1/", 0) != 0) return std::nullopt;
  v.remove_prefix(9);
  std::map<std::string, std::string, std::less<>> m;
  while (!v.empty()) {
    const size_t slash = v.find('/');
    std::string_view part = v.substr(0, slash);
    v = slash == std::string_view::npos ? std::string_view{} : v.substr(slash + 1);
    const size_t colon = part.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    m[std::string(part.substr(0, colon))] = std::string(part.substr(colon + 1));
  }
  auto get = [&](const char* k) -> std::string {
    auto it = m.find(k);
    return it == m.end() ? std::string() : it->second;
  };
  const std::string av = get("AV"), ac = get("AC"), pr = get("PR"), ui = get("UI"), s = get("S"),
                    c = get("C"), i = get("I"), a = get("A");
  const bool changed = s == "C";
  if (s != "C" && s != "U") return std::nullopt;
  double w_av, w_ac, w_pr, w_ui;
  if (av == "N")
    w_av = 0.85;
  else if (av == "A")
    w_av = 0.62;
  else if (av == "L")
    w_av = 0.55;
  else if (av == "P")
    w_av = 0.2;
  else
    return std::nullopt;
  if (ac == "L")
    w_ac = 0.77;
  else if (ac == "H")
    w_ac = 0.44;
  else
    return std::nullopt;
  if (pr == "N")
    w_pr = 0.85;
  else if (pr == "L")
    w_pr = changed ? 0.68 : 0.62;
  else if (pr == "H")
    w_pr = changed ? 0.5 : 0.27;
  else
    return std::nullopt;
  if (ui == "N")
    w_ui = 0.85;
  else if (ui == "R")
    w_ui = 0.62;
  else
    return std::nullopt;
  auto cia = [](const std::string& x) -> std::optional<double> {
    if (x == "H") return 0.56;
    if (x == "L") return 0.22;
    if (x == "N") return 0.0;
    return std::nullopt;
  };
  auto wc = cia(c), wi = cia(i), wa = cia(a);
  if (!wc || !wi || !wa) return std::nullopt;
  const double iss = 1.0 - ((1.0 - *wc) * (1.0 - *wi) * (1.0 - *wa));
  const double impact =
      changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15) : 6.42 * iss;
  const double exploitability = 8.22 * w_av * w_ac * w_pr * w_ui;
  if (impact <= 0) return 0.0;
  if (changed) return roundup(std::min(1.08 * (impact + exploitability), 10.0));
  return roundup(std::min(impact + exploitability, 10.0));
}

std::string cvss_severity(double score) {
  if (score <= 0.0) return "NONE";
  if (score < 4.0) return "LOW";
  if (score < 7.0) return "MEDIUM";
  if (score < 9.0) return "HIGH";
  return "CRITICAL";
}

}  // namespace bulwark::vulndb
