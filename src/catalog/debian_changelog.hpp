// Debian changelogs (usr/share/doc/PKG/changelog.Debian.gz): the entries and the CVE ids each
// entry's change lines name, as fix evidence for backported security patches.
//
// Format: Debian Policy 4.4 "debian/changelog" (https://www.debian.org/doc/debian-policy/
// ch-source.html#debian-changelog-debian-changelog): an entry is a header line
// `package (version) distribution(s); urgency=...`, change lines indented by two or more
// spaces, and a trailer ` -- Maintainer <email>  date`; entries are newest first. Where the
// policy is silent (comments, editor modelines, stray lines, pre-policy "ancient" formats), the
// reader classifies lines as dpkg's parser (dpkg-parsechangelog) does, so that both agree on the
// entries and on which lines are change data.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/package.hpp"
#include "core/result.hpp"

namespace bulwark::catalog {

struct DebianChangelogEntry {
  // The header's version; "" when the header's version is invalid or the entry has no header
  // (dpkg-parsechangelog says "unknown" for both).
  std::string version;
  std::vector<core::ChangelogCve> cves;  // each CVE once per entry, first line naming it
};

struct DebianChangelog {
  std::vector<DebianChangelogEntry> entries;  // file order: newest first
  std::vector<std::string> warnings;          // malformed lines, limits reached
};

// Parses changelog text. Never fails: what cannot be read is skipped with a warning. Reading
// stops at core::limits().max_changelog_entries entries or max_changelog_cves CVE mentions.
DebianChangelog parse_debian_changelog(std::string_view text);

// Decompresses a gzip changelog, keeping at most core::limits().max_changelog_bytes (cut at
// the last complete line). `problem` says why the text is incomplete when the limit cut it or
// the stream is truncated or corrupt after some bytes; an error only when no byte was read.
struct InflatedChangelog {
  std::string text;
  std::string problem;  // why the text is incomplete ("" when it is whole)
};
core::Result<InflatedChangelog> inflate_changelog(std::string_view gz, std::string_view name);

}  // namespace bulwark::catalog
