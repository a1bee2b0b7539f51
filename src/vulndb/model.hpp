// The advisory model every importer produces and the store persists: facts only (ids, ranges,
// fixed versions, severity, CVSS vectors, aliases, reference URLs), never prose. Versions are
// kept as the feed wrote them; the matcher evaluates them later through version/ with the
// OSV ecosystem name stored beside them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark::vulndb {

// OSV event kinds (https://ossf.github.io/osv-schema/#affectedrangesevents-fields).
enum class EventKind { kIntroduced, kFixed, kLastAffected, kLimit };
std::string_view event_kind_name(EventKind k);

struct Event {
  EventKind kind;
  std::string version;
  bool operator==(const Event&) const = default;
};

// One OSV range: "SEMVER" or "ECOSYSTEM" (GIT ranges are dropped at import, counted).
struct Range {
  std::string type;
  std::vector<Event> events;
  bool operator==(const Range&) const = default;
};

// Constraint strings in the ecosystem's own syntax, for feeds that publish requirements rather
// than events (RubySec `patched_versions`, Node.js security-wg `vulnerable_versions`). The
// version is affected when it satisfies a kVulnerable constraint (if any is given) and none of
// the kPatched / kUnaffected ones.
enum class ConstraintKind { kVulnerable, kPatched, kUnaffected };
std::string_view constraint_kind_name(ConstraintKind k);

struct Constraint {
  ConstraintKind kind;
  std::string text;
  bool operator==(const Constraint&) const = default;
};

// Per-package verdict a distro publishes. OSV records are kAffected-by-range.
enum class Status { kAffected, kFixed, kUnfixed, kNotAffected, kWillNotFix };
std::string_view status_name(Status s);

// Affected::status_detail of a Debian OVAL entry whose fixed version is 0: the issue is open in
// that release, or the package is not affected; the OVAL file does not say which.
inline constexpr std::string_view kOvalNoFixedVersion = "oval-version-0";

struct Affected {
  std::string ecosystem;  // OSV name: Go, PyPI, npm, crates.io, RubyGems, Debian, Alpine, Ubuntu
  std::string release;    // distro release: Debian codename, Alpine branch "3.19", Ubuntu codename
  std::string package;    // normalised (normalize_package)
  std::string package_kind;  // "source" (Debian feeds), "binary" (Ubuntu OVAL), "" (languages)
  Status status = Status::kAffected;
  std::string status_detail;  // e.g. "no-dsa", "postponed", "unimportant", "end-of-life"
  std::string severity;       // per-package urgency/priority where the distro gives one
  std::vector<Range> ranges;
  std::vector<std::string> versions;  // explicit affected versions
  std::vector<Constraint> constraints;
};

struct Advisory {
  std::string id;
  std::string source;  // feed name, e.g. "osv-go", "debian-oval"
  // "vulnerability", "malicious", or "informational:<kind>" (RustSec unmaintained/unsound/notice)
  std::string kind = "vulnerability";
  std::vector<std::string> aliases;
  std::string severity;  // LOW / MEDIUM / HIGH / CRITICAL or the feed's word
  std::string cvss_v3_vector;
  std::optional<double> cvss_v3_score;
  std::string cvss_v4_vector;
  std::optional<double> cvss_v4_score;
  std::string published;
  std::string modified;
  std::string withdrawn;  // empty unless withdrawn
  std::vector<std::string> references;
  std::vector<Affected> affected;
};

struct KevEntry {
  std::string cve;
  std::string vendor;
  std::string product;
  std::string date_added;
  std::string due_date;
  bool known_ransomware = false;
};

struct EpssEntry {
  std::string cve;
  double epss = 0;
  double percentile = 0;
};

// Normalises a package name the way its ecosystem compares names: PEP 503 for PyPI
// (lower-case, runs of -_. become -), lower-case for npm, crates.io and distro packages; Go
// module paths and RubyGems names are case-sensitive and kept.
std::string normalize_package(std::string_view ecosystem, std::string_view name);

// Canonical OSV ecosystem spelling for a feed's spelling ("pypi" -> "PyPI"); unknown names are
// returned unchanged.
std::string canonical_ecosystem(std::string_view ecosystem);

}  // namespace bulwark::vulndb
