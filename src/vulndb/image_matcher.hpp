// Matches a whole image's packages against the advisory database and turns the matches into
// report Findings (kind "vulnerability"): OS packages through their source package and the
// distro release, language packages by ecosystem and name, language packages that an OS
// package installed only through that OS package's distro advisories, and every advisory of the
// same flaw for the same package merged into one finding. docs/vulndb.md "Matching" describes
// the rules.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/package.hpp"
#include "core/result.hpp"
#include "report/report.hpp"
#include "vulndb/store.hpp"

namespace bulwark::vulndb {

// The distro release an image's OS packages are matched against, as the database stores it.
struct DistroRelease {
  std::string ecosystem;          // OSV name: Debian, Ubuntu, Alpine, Red Hat...
  std::string release;            // bookworm, noble, 3.19, 9
  std::string package_ecosystem;  // purl type of its packages: deb, apk, rpm
  std::string display;            // "debian bookworm" for messages
};
// nullopt when the OS is unknown or has no release to match by.
std::optional<DistroRelease> distro_release(const core::OsInfo& os);

// OSV ecosystem of a language package's purl type (npm -> npm, pypi -> PyPI, golang -> Go,
// cargo -> crates.io, gem -> RubyGems, maven -> Maven, nuget -> NuGet, composer -> Packagist);
// "" for types without one.
std::string language_ecosystem(std::string_view purl_type);

struct ImageMatches {
  std::vector<report::Finding> findings;  // kind "vulnerability", sorted by (target, id)
  std::vector<std::string> warnings;      // sorted, unique
};

// Matches `packages` (installed ones; the report's removed packages are not matched) of an
// image whose OS is `os`. Errors only for a database that cannot be read.
core::Result<ImageMatches> match_image(const VulnDb& db, const core::OsInfo& os,
                                       const std::vector<core::Package>& packages);

// Severity of an advisory word ("HIGH", "moderate", "important", "unimportant"...) or, when
// the word says nothing, of a CVSS v3 base score (FIRST CVSS v3.1 qualitative ratings).
report::Severity severity_from(std::string_view word, std::optional<double> cvss_score);

}  // namespace bulwark::vulndb
