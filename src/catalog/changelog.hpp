// What the Debian and RPM changelog readers share: finding CVE ids in a line, the compact record
// a changelog's CVE mentions travel in between the layer pass and finalize(), and the step that
// keeps the mentions of entries up to the installed version (Package::changelog_cves).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/package.hpp"

namespace bulwark::catalog {

// Evidence lines longer than this are cut (at a UTF-8 boundary) and end in "...".
inline constexpr size_t kChangelogLineMax = 240;

// Appends every CVE id in `line` ("CVE-YYYY-NNNN", four or more digits after the year, the
// letters in any case, written upper case; not preceded by a letter, digit or '_'), each once,
// in order of appearance, to `out` (ids already in `out` are not added again).
void find_cve_ids(std::string_view line, std::vector<std::string>& out);

// `line` trimmed and cut to kChangelogLineMax bytes.
std::string evidence_line(std::string_view line);

// One changelog entry's CVE mentions as the per-layer facts carry them: one string per CVE,
// "version \x1f cve \x1f line".
std::string encode_changelog_cve(const core::ChangelogCve& c);
std::optional<core::ChangelogCve> decode_changelog_cve(std::string_view record);

// The mentions whose entry version is <= `installed` under `ecosystem`'s version order, one per
// CVE: the oldest such entry naming it (the version that first fixed it), sorted by CVE id.
// Entries without a parsable version are dropped, or kept (with their version as written, and
// losing to any versioned entry) when `keep_unversioned`.
std::vector<core::ChangelogCve> changelog_cves_up_to(std::vector<core::ChangelogCve> mentions,
                                                     std::string_view ecosystem,
                                                     std::string_view installed,
                                                     bool keep_unversioned = false);

}  // namespace bulwark::catalog
