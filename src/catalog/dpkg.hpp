// Debian packages: var/lib/dpkg/status (and distroless status.d/*), the file lists in
// var/lib/dpkg/info/*.list, licenses from DEP-5 usr/share/doc/*/copyright, and the CVEs named
// as fixed by usr/share/doc/*/changelog.Debian.gz (Package::changelog_cves).
#pragma once

#include <string_view>
#include <vector>

#include "catalog/cataloger.hpp"

namespace bulwark::catalog {

class DpkgCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "dpkg"; }
  // 2: licenses mapped to SPDX; 3: CVE mentions of changelog.Debian.gz
  int version() const override { return 3; }
  std::vector<image::PathPattern> patterns() const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
  void finalize(const MergeContext& ctx, std::vector<core::Package>& packages) const override;

 private:
  core::Result<void> analyze_changelog(const std::string& path, image::EntryContent& content,
                                       image::LayerFacts& out) const;
};

// Exposed for tests and fuzzing.
struct DpkgParseResult {
  std::vector<core::Package> packages;  // installed (files on disk) entries only
  std::vector<std::string> warnings;
};
DpkgParseResult parse_dpkg_status(std::string_view text);
// License short names from a copyright file (DEP-5 License: fields, or common-licenses
// references in free-form files), sorted and unique.
std::vector<std::string> parse_debian_copyright(std::string_view text);

}  // namespace bulwark::catalog
