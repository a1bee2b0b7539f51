// An rpm header blob as the rpm database stores it (rpmdb.sqlite, Packages, Packages.db all
// hold the same bytes): the few tags a cataloger needs, decoded with every offset checked.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/package.hpp"
#include "core/result.hpp"

namespace bulwark::catalog {

// Tag numbers from rpm's include/rpm/rpmtag.h.
inline constexpr uint32_t kRpmTagName = 1000;
inline constexpr uint32_t kRpmTagVersion = 1001;
inline constexpr uint32_t kRpmTagRelease = 1002;
inline constexpr uint32_t kRpmTagEpoch = 1003;
inline constexpr uint32_t kRpmTagVendor = 1011;
inline constexpr uint32_t kRpmTagLicense = 1014;
inline constexpr uint32_t kRpmTagArch = 1022;
inline constexpr uint32_t kRpmTagOldFilenames = 1027;
inline constexpr uint32_t kRpmTagSourceRpm = 1044;
inline constexpr uint32_t kRpmTagChangelogName = 1081;  // "Name <email> - 1.2-3", newest first
inline constexpr uint32_t kRpmTagChangelogText = 1082;  // the entry's text, lines "- ..."
inline constexpr uint32_t kRpmTagDirIndexes = 1116;
inline constexpr uint32_t kRpmTagBasenames = 1117;
inline constexpr uint32_t kRpmTagDirnames = 1118;
inline constexpr uint32_t kRpmTagModularityLabel = 5096;

struct RpmHeader {
  std::string name;
  std::string version;
  std::string release;
  std::optional<int64_t> epoch;  // absent when the package has no Epoch tag
  std::string arch;
  std::string source_rpm;  // "bash-5.1.8-6.el9.src.rpm"; empty for gpg-pubkey and source packages
  std::string license;
  std::string vendor;
  std::string modularity_label;
  std::vector<std::string> files;  // absolute paths as rpm records them, in header order
  // The CVE ids each %changelog entry names, with the entry's version ("" when its name line
  // has none), newest entry first; every entry, whatever its version.
  std::vector<core::ChangelogCve> changelog_cves;
  std::string changelog_problem;  // why the changelog was not (fully) read; "" when it was
};

// The version at the end of a %changelog entry's name line ("Jane <j@x.org> - 1:2.3-4.el9"):
// the token after the e-mail address (after " - " when there is none), without a leading '-';
// "" when that is not an rpm version (starts with a digit, only rpm version characters).
std::string rpm_changelog_version(std::string_view name);

// Parses one header blob: int32 index count, int32 data size, index entries of four big-endian
// int32 (tag, type, offset, count), then the data store. Fails on anything that does not fit.
core::Result<RpmHeader> parse_rpm_header(std::string_view blob);

// Called by the database readers once per stored header, with rpm's instance number (the
// record key). The blob is valid only during the call. An error stops the walk and is returned.
using RpmBlobVisitor = std::function<core::Result<void>(uint32_t instance, std::string_view blob)>;

}  // namespace bulwark::catalog
