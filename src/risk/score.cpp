#include "risk/score.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace bulwark::risk {

using report::Finding;
using report::RiskComponent;
using report::RiskScore;
using report::Severity;

namespace {

// Points one finding adds before saturation, by severity (docs/scoring.md, table 1).
struct SeverityWeights {
  double critical, high, medium, low, unknown;
  double of(Severity s) const {
    switch (s) {
      case Severity::kCritical:
        return critical;
      case Severity::kHigh:
        return high;
      case Severity::kMedium:
        return medium;
      case Severity::kLow:
        return low;
      case Severity::kNone:
        return 0;
      case Severity::kUnknown:
        return unknown;
    }
    return unknown;
  }
};

// A component's points saturate towards its cap: cap * (1 - e^(-raw / scale)), so the first
// findings count most and a thousand low ones never outweigh what the cap allows.
struct Component {
  std::string_view kind;
  SeverityWeights weights;
  double cap;
  double scale;
};

constexpr Component kVulnerability{"vulnerability", {10, 5, 2, 0.5, 1}, 60, 40};
constexpr Component kMisconfig{"misconfig", {6, 3, 1, 0.25, 0.5}, 20, 15};
// Licenses are a legal matter, not a security risk: shown in the breakdown (count and the
// most severe ones) but worth no points (docs/scoring.md); policies gate on them instead.
constexpr Component kLicense{"license", {0, 0, 0, 0, 0}, 0, 10};

// Vulnerability multipliers (table 2): an available fix makes the risk actionable now, a known
// exploited one (CISA KEV) is being used by attackers, EPSS is the probability of exploitation
// in the next 30 days.
constexpr double kFixAvailableFactor = 1.0;
constexpr double kNoFixFactor = 0.7;  // unfixed and will-not-fix
constexpr double kKnownExploitedFactor = 3.0;
constexpr double kEpssFactor = 2.0;  // multiplier 1 + 2 * epss

// Near-blocking kinds lift the score to a floor (table 3).
constexpr int kMalwareFloor = 90;
constexpr int kSecretFloor = 70;
constexpr int kSecretStep = 5;  // each further secret, up to kSecretMax
constexpr int kSecretMax = 85;

// Exposure points (table 4).
constexpr double kRootPoints = 8;
constexpr double kSshPortPoints = 4;
constexpr double kPrivilegedPortPoints = 2;  // each other port below 1024
constexpr double kExposureCap = 15;

constexpr size_t kReasonsShown = 3;

double saturate(double raw, double cap, double scale) {
  return cap * (1.0 - std::exp(-raw / scale));
}

// Misconfigurations whose fact the exposure component already weighs (table 4): counting them
// in M too would count one fact twice.
constexpr std::array<std::string_view, 2> kExposureRules = {
    "BW-IMG-001",  // runs as root
    "BW-IMG-003",  // privileged port exposed
};

bool fix_available(const Finding& f) {
  // The matcher's status says it (VulnerabilityInfo); a finding without one has a fix when it
  // names what to do.
  if (f.vulnerability && !f.vulnerability->status.empty())
    return f.vulnerability->status == "fixed";
  return !f.fix.empty();
}

// Findings that add nothing: suppressed ones (VEX, ignore file) and vulnerabilities whose
// package's own changelog names the CVE as fixed. The misconfigurations the exposure component
// weighs are counted there.
bool excluded(const Finding& f) {
  if (f.suppressed) return true;
  if (f.kind == "vulnerability" && f.vulnerability &&
      f.vulnerability->status == "fixed-per-changelog")
    return true;
  if (f.kind == "misconfig" &&
      std::find(kExposureRules.begin(), kExposureRules.end(), f.id) != kExposureRules.end())
    return true;
  return false;
}

double vulnerability_points(const Finding& f) {
  double p = kVulnerability.weights.of(f.severity);
  p *= fix_available(f) ? kFixAvailableFactor : kNoFixFactor;
  if (f.known_exploited) p *= kKnownExploitedFactor;
  if (f.epss) p *= 1.0 + kEpssFactor * std::clamp(*f.epss, 0.0, 1.0);
  return p;
}

std::string describe(const Finding& f) {
  std::string s = f.id + " (" + std::string(report::severity_name(f.severity));
  if (f.known_exploited) s += ", known exploited";
  if (f.epss) s += fmt::format(", EPSS {:.2f}", *f.epss);
  s += ")";
  if (!f.target.empty()) s += " in " + f.target;
  return s;
}

RiskComponent weigh(const Component& c, const std::vector<const Finding*>& findings) {
  RiskComponent out;
  out.name = std::string(c.kind);
  out.cap = c.cap;
  std::vector<std::pair<double, const Finding*>> scored;
  double raw = 0;
  for (const auto* f : findings) {
    double p = c.kind == kVulnerability.kind ? vulnerability_points(*f) : c.weights.of(f->severity);
    raw += p;
    scored.emplace_back(p, f);
  }
  out.findings = static_cast<int>(findings.size());
  out.points = saturate(raw, c.cap, c.scale);
  // Equal points (always, for licenses): the more severe finding is the better reason.
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return a.second->severity > b.second->severity;
  });
  for (size_t i = 0; i < scored.size() && i < kReasonsShown; ++i)
    out.reasons.push_back(describe(*scored[i].second));
  return out;
}

}  // namespace

char grade_for(int score) {
  if (score < 10) return 'A';
  if (score < 30) return 'B';
  if (score < 50) return 'C';
  if (score < 70) return 'D';
  if (score < 85) return 'E';
  return 'F';
}

Exposure exposure_from_config(const nlohmann::json& image_config) {
  Exposure e;
  const nlohmann::json* cfg = nullptr;
  if (image_config.is_object()) {
    auto it = image_config.find("config");
    if (it != image_config.end() && it->is_object()) cfg = &*it;
  }
  std::string user;
  if (cfg != nullptr) {
    auto u = cfg->find("User");
    if (u != cfg->end() && u->is_string()) user = u->get<std::string>();
  }
  // No user, "root", uid 0, with or without a group, all run as root.
  std::string name = user.substr(0, user.find(':'));
  e.runs_as_root = name.empty() || name == "root" || name == "0";
  if (cfg != nullptr) {
    auto ports = cfg->find("ExposedPorts");
    if (ports != cfg->end() && ports->is_object()) {
      for (const auto& [key, value] : ports->items()) {
        int port = 0;
        for (char ch : key) {
          if (ch < '0' || ch > '9') break;
          port = port * 10 + (ch - '0');
          if (port > 65535) break;
        }
        if (port > 0 && port <= 65535) e.exposed_ports.push_back(port);
      }
    }
  }
  std::sort(e.exposed_ports.begin(), e.exposed_ports.end());
  return e;
}

RiskScore compute(const std::vector<Finding>& findings, const Exposure& exposure) {
  std::map<std::string, std::vector<const Finding*>> by_kind;
  for (const auto& f : findings) {
    if (!excluded(f)) by_kind[f.kind].push_back(&f);
  }

  RiskScore r;
  double total = 0;
  for (const Component* c : {&kVulnerability, &kMisconfig, &kLicense}) {
    auto it = by_kind.find(std::string(c->kind));
    if (it == by_kind.end()) continue;
    r.components.push_back(weigh(*c, it->second));
    total += r.components.back().points;
  }

  RiskComponent exp;
  exp.name = "exposure";
  exp.cap = kExposureCap;
  if (exposure.runs_as_root) {
    exp.points += kRootPoints;
    exp.reasons.push_back("runs as root (no non-root USER)");
  }
  for (int port : exposure.exposed_ports) {
    if (port == 22) {
      exp.points += kSshPortPoints;
      exp.reasons.push_back("exposes SSH port 22");
    } else if (port < 1024) {
      exp.points += kPrivilegedPortPoints;
      exp.reasons.push_back(fmt::format("exposes privileged port {}", port));
    }
  }
  exp.points = std::min(exp.points, kExposureCap);
  if (exp.points > 0) {
    total += exp.points;
    r.components.push_back(std::move(exp));
  }

  int floor = 0;
  if (auto it = by_kind.find("secret"); it != by_kind.end()) {
    int n = static_cast<int>(it->second.size());
    floor = std::min(kSecretMax, kSecretFloor + kSecretStep * (n - 1));
    r.floor_reason = fmt::format("{} secret{} in the image", n, n == 1 ? "" : "s");
    RiskComponent c{"secret", 0, static_cast<double>(kSecretMax), n, {}};
    for (size_t i = 0; i < it->second.size() && i < kReasonsShown; ++i)
      c.reasons.push_back(describe(*it->second[i]));
    r.components.push_back(std::move(c));
  }
  if (auto it = by_kind.find("malware"); it != by_kind.end()) {
    int n = static_cast<int>(it->second.size());
    floor = std::max(floor, kMalwareFloor);
    r.floor_reason = fmt::format("malware: {} finding{}", n, n == 1 ? "" : "s");
    RiskComponent c{"malware", 0, static_cast<double>(kMalwareFloor), n, {}};
    for (size_t i = 0; i < it->second.size() && i < kReasonsShown; ++i)
      c.reasons.push_back(describe(*it->second[i]));
    r.components.push_back(std::move(c));
  }

  int score = static_cast<int>(std::lround(std::min(100.0, total)));
  if (score < floor) {
    score = floor;
  } else {
    r.floor_reason.clear();
  }
  r.score = score;
  r.grade = grade_for(score);
  return r;
}

}  // namespace bulwark::risk
