// Operating-system detection. The cataloger only captures the small release files of each
// layer; detect_os() then reads the visible versions after the merge, in this order:
// etc/os-release, usr/lib/os-release (os-release(5)), etc/lsb-release, etc/debian_version,
// etc/alpine-release, the Red Hat family's *-release files, and last the distroless marker
// (var/lib/dpkg/status.d/ without any release file). The parsers are pure functions so they
// can be tested and fuzzed on their own.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.hpp"
#include "core/package.hpp"

namespace bulwark::catalog {

// Release files are a few hundred bytes; anything larger is not one.
inline constexpr uint64_t kMaxOsReleaseFileBytes = uint64_t{64} << 10;

class OsReleaseCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "os-release"; }
  int version() const override { return 1; }
  std::vector<image::PathPattern> patterns() const override;
  // Stores each release file verbatim in out.captured[entry.path].
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
};

// KEY=value assignments of an os-release(5) or lsb-release file, with shell-style quoting
// and backslash escapes undone. Later assignments win; comments, blank lines and malformed
// lines (no '=', a key that is not a shell variable name) are skipped.
std::map<std::string, std::string> parse_os_release(std::string_view text);

// One source each; an empty OsInfo when the text does not identify an OS.
core::OsInfo os_from_os_release(std::string_view text);
core::OsInfo os_from_lsb_release(std::string_view text);
// "12.4" -> debian 12 bookworm; "bookworm/sid" (testing, unstable) -> codename only.
core::OsInfo os_from_debian_version(std::string_view text);
core::OsInfo os_from_alpine_release(std::string_view text);
// "<Name> release <version> (<codename>)": redhat-, centos-, fedora- and system-release.
core::OsInfo os_from_redhat_release(std::string_view text);
// Debian major version -> codename ("12" -> "bookworm"); "" when unknown.
std::string_view debian_codename(std::string_view major);

// Content of a captured file by image path (following symlinks), or nullptr.
using CapturedLookup = std::function<const std::string*(std::string_view path)>;

// The detection order described above, over any source of captured files.
core::OsInfo detect_os(const CapturedLookup& captured, bool has_dpkg_status_d);
// Over the merged image.
core::OsInfo detect_os(const MergeContext& ctx);

}  // namespace bulwark::catalog
