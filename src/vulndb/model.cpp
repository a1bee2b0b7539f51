#include "vulndb/model.hpp"

#include <cctype>

#include "vulndb/cvss.hpp"
#include "vulndb/importer.hpp"

namespace bulwark::vulndb {

std::string_view event_kind_name(EventKind k) {
  switch (k) {
    case EventKind::kIntroduced:
      return "introduced";
    case EventKind::kFixed:
      return "fixed";
    case EventKind::kLastAffected:
      return "last_affected";
    case EventKind::kLimit:
      return "limit";
  }
  return "?";
}

std::string_view constraint_kind_name(ConstraintKind k) {
  switch (k) {
    case ConstraintKind::kVulnerable:
      return "vulnerable";
    case ConstraintKind::kPatched:
      return "patched";
    case ConstraintKind::kUnaffected:
      return "unaffected";
  }
  return "?";
}

std::string_view status_name(Status s) {
  switch (s) {
    case Status::kAffected:
      return "affected";
    case Status::kFixed:
      return "fixed";
    case Status::kUnfixed:
      return "unfixed";
    case Status::kNotAffected:
      return "not-affected";
    case Status::kWillNotFix:
      return "will-not-fix";
  }
  return "?";
}

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

std::string canonical_ecosystem(std::string_view ecosystem) {
  static constexpr std::string_view kNames[] = {
      "Go",         "PyPI",      "npm",      "crates.io",   "RubyGems",  "Maven",
      "NuGet",      "Packagist", "Debian",   "Alpine",      "Ubuntu",    "Red Hat",
      "Hex",        "Pub",       "rpm",      "Rocky Linux", "AlmaLinux", "Wolfi",
      "Chainguard", "SUSE",      "openSUSE", "Photon OS",   "Mageia",    "Linux"};
  const std::string l = lower(ecosystem);
  for (auto n : kNames)
    if (lower(n) == l) return std::string(n);
  if (l == "cargo") return "crates.io";
  if (l == "gem" || l == "rubygems") return "RubyGems";
  if (l == "golang") return "Go";
  return std::string(ecosystem);
}

std::string normalize_package(std::string_view ecosystem, std::string_view name) {
  if (ecosystem == "PyPI") {
    // PEP 503: re.sub(r"[-_.]+", "-", name).lower()
    std::string out;
    out.reserve(name.size());
    bool in_sep = false;
    for (char c : name) {
      if (c == '-' || c == '_' || c == '.') {
        if (!in_sep) out.push_back('-');
        in_sep = true;
      } else {
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        in_sep = false;
      }
    }
    return out;
  }
  if (ecosystem == "Go" || ecosystem == "RubyGems" || ecosystem == "Maven")
    return std::string(name);
  return lower(name);
}

void ImportStats::fail(std::string message) {
  ++failed;
  if (errors.size() < kMaxErrors) errors.push_back(std::move(message));
}

void ImportStats::merge(const ImportStats& o) {
  imported += o.imported;
  failed += o.failed;
  skipped += o.skipped;
  git_ranges_ignored += o.git_ranges_ignored;
  informational += o.informational;
  withdrawn += o.withdrawn;
  for (const auto& [k, v] : o.skip_reasons) skip_reasons[k] += v;
  for (const auto& e : o.errors)
    if (errors.size() < kMaxErrors) errors.push_back(e);
}

}  // namespace bulwark::vulndb
