#include "license/scanner.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>

#include "license/expression.hpp"
#include "report/licenses.hpp"

namespace bulwark::license {
namespace {

using report::Severity;

constexpr size_t kMaxEvidence = 256;
constexpr size_t kMaxDeclared = 4096;
constexpr std::string_view kNoAssertion = "NOASSERTION";

bool os_ecosystem(std::string_view e) {
  return e == "deb" || e == "apk" || e == "rpm";
}

std::string parent_dir(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

bool python_metadata_dir(std::string_view dir) {
  return dir.ends_with(".dist-info") || dir.ends_with(".egg-info");
}

// Index of the OS package that owns each language package's evidence (its manifest, or its
// Python metadata directory), as the vulnerability matcher decides it: only those paths are
// indexed, not the tens of thousands of files OS packages list.
std::vector<std::optional<size_t>> owners(const std::vector<core::Package>& packages) {
  std::unordered_map<std::string, std::optional<size_t>> owner_of;
  for (const auto& p : packages) {
    if (os_ecosystem(p.ecosystem)) continue;
    for (const auto& l : p.locations) {
      owner_of.try_emplace(l.path);
      if (std::string dir = parent_dir(l.path); python_metadata_dir(dir))
        owner_of.try_emplace(std::move(dir));
    }
  }
  std::vector<std::optional<size_t>> out(packages.size());
  if (owner_of.empty()) return out;
  for (size_t i = 0; i < packages.size(); ++i) {
    if (!os_ecosystem(packages[i].ecosystem)) continue;
    for (const auto& f : packages[i].files) {
      if (auto it = owner_of.find(f); it != owner_of.end() && !it->second) it->second = i;
    }
  }
  for (size_t i = 0; i < packages.size(); ++i) {
    const auto& p = packages[i];
    if (os_ecosystem(p.ecosystem)) continue;
    for (const auto& l : p.locations) {
      if (auto it = owner_of.find(l.path); it != owner_of.end() && it->second) {
        out[i] = it->second;
        break;
      }
      if (std::string dir = parent_dir(l.path); python_metadata_dir(dir)) {
        if (auto it = owner_of.find(dir); it != owner_of.end() && it->second) {
          out[i] = it->second;
          break;
        }
      }
    }
  }
  return out;
}

std::string clip(std::string_view s, size_t n) {
  if (s.size() <= n) return std::string(s);
  return std::string(s.substr(0, n)) + "...";
}

bool shown(const Policy& policy, Category c, Verdict v, Severity s) {
  if (policy.show_all) return true;
  if (v == Verdict::kDenied) return true;
  if (v == Verdict::kAllowed || s == Severity::kNone) return false;
  return s >= Severity::kMedium || c == Category::kUnknown;
}

Severity severity_of(const Evaluation& ev, const Policy& policy) {
  if (ev.verdict == Verdict::kDenied) return policy.deny_severity;
  if (ev.verdict == Verdict::kAllowed) return Severity::kNone;
  return severity_for(policy, ev.category);
}

std::string target_of(const core::Package& p) {
  return p.purl.empty() ? p.ecosystem + "/" + p.name + "@" + p.version : p.purl;
}

report::Finding make_finding(const core::Package& p, std::string_view declared,
                             const Evaluation& ev, const Policy& policy,
                             const std::vector<std::string>& covers) {
  report::Finding f;
  f.kind = "license";
  const std::string cat(category_name(ev.category));
  const bool none_declared = declared.empty();
  f.id = none_declared ? std::string(kNoAssertion) : ev.expression;
  f.target = target_of(p);
  for (const auto& l : p.locations) {
    if (l.layer_index >= 0) {
      f.layer = l.layer_index;
      break;
    }
  }
  f.evidence = none_declared ? "no license declared" : clip(declared, kMaxEvidence);
  if (ev.verdict == Verdict::kDenied) {
    f.severity = policy.deny_severity;
    f.title = "license " + clip(f.id, 80) + " is denied by the license policy";
    f.fix = "Replace " + p.name + " or have its license approved (" + policy.source + ")";
  } else {
    f.severity =
        ev.verdict == Verdict::kAllowed ? Severity::kNone : severity_for(policy, ev.category);
    f.title = none_declared ? "no license declared" : cat + " license " + clip(f.id, 80);
  }
  if (!none_declared && report::detail::canonical_license_id(f.id))
    f.references.push_back("https://spdx.org/licenses/" + f.id + ".html");

  report::LicenseInfo info;
  info.package_name = p.name;
  info.package_version = p.version;
  info.ecosystem = p.ecosystem;
  info.declared = clip(declared, kMaxDeclared);
  info.expression = none_declared ? std::string(kNoAssertion) : ev.expression;
  info.category = cat;
  info.policy = ev.verdict == Verdict::kAllowed  ? "allowed"
                : ev.verdict == Verdict::kDenied ? "denied"
                                                 : "";
  info.reason = none_declared ? "the package declares no license" : ev.reason;
  info.unknown_terms = ev.unknown_terms;
  for (const auto& l : p.locations) {
    if (std::find(info.paths.begin(), info.paths.end(), l.path) == info.paths.end())
      info.paths.push_back(l.path);
  }
  info.covers = covers;
  f.license = std::move(info);
  return f;
}

}  // namespace

ScanResult scan_packages(const std::vector<core::Package>& packages, const Policy& policy) {
  ScanResult out;
  const auto owner = owners(packages);
  std::map<size_t, std::vector<std::string>> covers;
  for (size_t i = 0; i < packages.size(); ++i) {
    if (owner[i]) {
      covers[*owner[i]].push_back(packages[i].purl);
      ++out.covered;
    }
  }
  // One finding per (package, declared license) even when a package is listed at several
  // locations: the locations are merged into its paths.
  std::map<std::pair<std::string, std::string>, size_t> seen;
  std::set<std::pair<std::string, std::string>> hidden;
  std::unordered_map<std::string, Evaluation> cache;  // declared -> evaluation
  for (size_t i = 0; i < packages.size(); ++i) {
    const auto& p = packages[i];
    if (owner[i] || ignores(policy, p)) continue;
    std::vector<std::string> declared = p.licenses;
    std::sort(declared.begin(), declared.end());
    declared.erase(std::unique(declared.begin(), declared.end()), declared.end());
    if (declared.empty()) declared.emplace_back();
    static const std::vector<std::string> kNone;
    auto cov = covers.find(i);
    const std::string target = target_of(p);
    for (const auto& d : declared) {
      auto it = cache.find(d);
      if (it == cache.end()) it = cache.emplace(d, evaluate(d, policy)).first;
      const Evaluation& ev = it->second;
      auto key = std::make_pair(target, d);
      if (auto s = seen.find(key); s != seen.end()) {
        auto& paths = out.findings[s->second].license->paths;
        for (const auto& l : p.locations)
          if (std::find(paths.begin(), paths.end(), l.path) == paths.end()) paths.push_back(l.path);
        continue;
      }
      // Decided before the finding is built: most (package, license) pairs are not shown.
      if (!shown(policy, ev.category, ev.verdict, severity_of(ev, policy))) {
        if (hidden.insert(std::move(key)).second) ++out.hidden;
        continue;
      }
      seen.emplace(std::move(key), out.findings.size());
      out.findings.push_back(
          make_finding(p, d, ev, policy, cov == covers.end() ? kNone : cov->second));
    }
  }
  std::sort(out.findings.begin(), out.findings.end(), [](const auto& a, const auto& b) {
    return std::tie(a.target, a.id, a.evidence) < std::tie(b.target, b.id, b.evidence);
  });
  return out;
}

}  // namespace bulwark::license
