// The rpm cataloger: installed packages from the rpm database in any of its three formats.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.hpp"
#include "core/package.hpp"
#include "core/result.hpp"

namespace bulwark::catalog {

// Versions follow rpm's own %{EVR}: Package::version is "[epoch:]version-release", with the
// epoch whenever the package has an Epoch tag (also "0:"), so the rpm comparator sees what rpm
// sees; RpmMetadata keeps epoch and release apart. The purl follows the purl-spec rpm type:
// version-release as version, the epoch as the `epoch` qualifier (omitted when 0, which rpm
// treats as no epoch), the OS as namespace and `distro` qualifier (set in finalize(), once the
// OS is known), and Syft's `upstream` qualifier with the source rpm file name.
class RpmCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "rpm"; }
  int version() const override { return 2; }  // 2: Package::changelog_cves from %changelog
  std::vector<image::PathPattern> patterns() const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
  // Sets the purls from the detected OS. rpm reads exactly one database: when several are
  // visible (a format or location migration that left the old file behind), keeps only the
  // packages of the one rpm would read.
  void finalize(const MergeContext& ctx, std::vector<core::Package>& packages) const override;
};

// The packages of one rpm database file; its format is chosen by the file name (rpmdb.sqlite,
// Packages, Packages.db). Headers that fail to parse are skipped with a line in `warnings`;
// a database that cannot be walked is an error. gpg-pubkey entries are not packages.
core::Result<std::vector<core::Package>> read_rpm_database(std::string_view path, std::string bytes,
                                                           std::vector<std::string>& warnings);

// The package URL; without namespace and distro when `os` is empty:
// pkg:rpm/<os id>/<name>@<version>-<release>?arch=..&distro=<id>-<version_id>&epoch=..&upstream=..
std::string rpm_purl(const core::Package& package, const core::OsInfo& os);

}  // namespace bulwark::catalog
