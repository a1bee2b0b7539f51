// Debian changelogs (usr/share/doc/*/changelog.Debian.gz): the input is tried both as the
// changelog text and as its gzip file; the CVE records must survive their facts encoding.
#include <cstdint>
#include <string_view>

#include "catalog/changelog.hpp"
#include "catalog/debian_changelog.hpp"

namespace {

void check(const bulwark::catalog::DebianChangelog& cl) {
  std::vector<bulwark::core::ChangelogCve> mentions;
  for (const auto& e : cl.entries) {
    for (const auto& c : e.cves) {
      auto back = bulwark::catalog::decode_changelog_cve(bulwark::catalog::encode_changelog_cve(c));
      if (!back || *back != c) __builtin_trap();
      if (c.line.size() > bulwark::catalog::kChangelogLineMax) __builtin_trap();
      mentions.push_back(c);
    }
  }
  if (!cl.entries.empty()) {
    auto kept = bulwark::catalog::changelog_cves_up_to(mentions, "deb", cl.entries.front().version);
    (void)kept;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check(bulwark::catalog::parse_debian_changelog(bytes));
  (void)bulwark::catalog::starts_with_debian_changelog_header(bytes);
  auto inflated = bulwark::catalog::inflate_changelog(bytes, "fuzz.gz");
  if (inflated.ok()) check(bulwark::catalog::parse_debian_changelog(inflated->text));
  auto head = bulwark::catalog::inflate_changelog(bytes, "fuzz.gz", 1024);
  if (head.ok() && head->text.size() > 1024) __builtin_trap();
  return 0;
}
