// Alpine packages: the apk installed database lib/apk/db/installed. One record per package,
// records separated by blank lines, each line "<letter>:<value>" (the format apk-tools writes;
// see the Alpine wiki's "Apk spec"). Fields read: P name, V version, A arch, o origin,
// L license, c aports commit, m maintainer, C checksum, and F (directory) / R (file in the
// last F) for the files a package owns. Other keys are ignored.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.hpp"

namespace bulwark::catalog {

class ApkCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "apk"; }
  int version() const override { return 1; }
  std::vector<image::PathPattern> patterns() const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
  // Sets the purls' vendor namespace and distro qualifier from the detected OS, which no
  // single layer knows.
  void finalize(const MergeContext& ctx, std::vector<core::Package>& packages) const override;
};

// Lines longer than this are not apk database lines; they are skipped with a warning.
inline constexpr size_t kMaxApkLineBytes = size_t{64} << 10;

// Exposed for tests and fuzzing.
struct ApkParseResult {
  std::vector<core::Package> packages;  // in database order
  std::vector<std::string> warnings;    // at most a few dozen, however bad the input
};
ApkParseResult parse_apk_installed(std::string_view text);

// The L: field as licenses: an SPDX expression ("MPL-2.0 AND MIT") stays one entry, a legacy
// space-separated list ("MIT BSD GPL2+") becomes one entry per name.
std::vector<std::string> split_apk_license(std::string_view field);

// pkg:apk/<vendor>/<name>@<version>?arch=..&distro=<id>-<version_id>&upstream=<origin>. The
// vendor is the OS's ID for apk-based distributions (alpine, wolfi...), else "alpine", in
// which case the distro is left off rather than guessed.
std::string apk_purl(const core::Package& pkg, const core::OsInfo& os);

}  // namespace bulwark::catalog
