#include "catalog/changelog.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "core/text.hpp"
#include "version/version.hpp"

namespace bulwark::catalog {
namespace {

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_alnum_(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
constexpr char kSep = '\x1f';
// Real ids have at most 7 digits after the year; a longer run is not an id.
constexpr size_t kMaxIdDigits = 12;

}  // namespace

void find_cve_ids(std::string_view line, std::vector<std::string>& out) {
  // Runs on every change line: find each '-' (memchr) and look back for "CVE", no regex.
  size_t pos = 3;
  while (pos < line.size()) {
    const void* hit = std::memchr(line.data() + pos, '-', line.size() - pos);
    if (hit == nullptr) return;
    size_t dash = static_cast<size_t>(static_cast<const char*>(hit) - line.data());
    pos = dash + 1;
    if (dash < 3) continue;
    size_t i = dash - 3;
    if ((line[i] | 0x20) != 'c' || (line[i + 1] | 0x20) != 'v' || (line[i + 2] | 0x20) != 'e')
      continue;
    if (i > 0 && is_alnum_(line[i - 1])) continue;
    size_t y = dash + 1;
    if (y + 9 > line.size() || !is_digit(line[y]) || !is_digit(line[y + 1]) ||
        !is_digit(line[y + 2]) || !is_digit(line[y + 3]) || line[y + 4] != '-')
      continue;
    size_t d = y + 5;
    size_t end = d;
    while (end < line.size() && is_digit(line[end])) ++end;
    if (end - d < 4 || end - d > kMaxIdDigits) continue;
    std::string id = "CVE-";
    id.append(line.substr(y, end - y));
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(std::move(id));
    pos = end;
  }
}

std::string evidence_line(std::string_view line) {
  line = core::trim(line);
  if (line.size() <= kChangelogLineMax) return std::string(line);
  size_t cut = kChangelogLineMax - 3;
  // Do not split a UTF-8 sequence: back up over continuation bytes.
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  return std::string(line.substr(0, cut)) + "...";
}

std::string encode_changelog_cve(const core::ChangelogCve& c) {
  std::string s;
  s.reserve(c.version.size() + c.cve.size() + c.line.size() + 2);
  s.append(c.version).push_back(kSep);
  s.append(c.cve).push_back(kSep);
  s.append(c.line);
  return s;
}

std::optional<core::ChangelogCve> decode_changelog_cve(std::string_view record) {
  auto a = record.find(kSep);
  if (a == std::string_view::npos) return std::nullopt;
  auto b = record.find(kSep, a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  return core::ChangelogCve{std::string(record.substr(a + 1, b - a - 1)),
                            std::string(record.substr(0, a)), std::string(record.substr(b + 1))};
}

std::vector<core::ChangelogCve> changelog_cves_up_to(std::vector<core::ChangelogCve> mentions,
                                                     std::string_view ecosystem,
                                                     std::string_view installed,
                                                     bool keep_unversioned) {
  std::vector<core::ChangelogCve> out;
  const auto* scheme = version::find_scheme(ecosystem);
  if (scheme == nullptr || mentions.empty()) return out;
  // Entries repeat versions (one per CVE): compare each distinct version once.
  // allowed: version -> (kept, parsable).
  // Hash maps: only looked up, never walked (the output is sorted below).
  std::unordered_map<std::string, std::pair<bool, bool>> allowed;
  std::unordered_map<std::string, size_t> by_cve;  // cve -> index in out
  allowed.reserve(mentions.size());
  by_cve.reserve(mentions.size());
  out.reserve(mentions.size());
  for (auto& m : mentions) {
    auto it = allowed.find(m.version);
    if (it == allowed.end()) {
      auto cmp = version::compare(*scheme, m.version, installed);
      bool parsable = cmp.ok();
      it = allowed.emplace(m.version, std::pair{parsable ? *cmp <= 0 : keep_unversioned, parsable})
               .first;
    }
    if (!it->second.first) continue;
    auto seen = by_cve.find(m.cve);
    if (seen == by_cve.end()) {
      by_cve.emplace(m.cve, out.size());
      out.push_back(std::move(m));
      continue;
    }
    // Keep the oldest entry naming the CVE: the version that first fixed it. A versioned entry
    // beats an unversioned one (it says more).
    auto& kept = out[seen->second];
    bool kept_parsable = allowed.find(kept.version)->second.second;
    if (!it->second.second) continue;
    if (!kept_parsable) {
      kept = std::move(m);
      continue;
    }
    auto older = version::compare(*scheme, m.version, kept.version);
    if (older.ok() && *older < 0) kept = std::move(m);
  }
  std::sort(out.begin(), out.end(),
            [](const core::ChangelogCve& a, const core::ChangelogCve& b) { return a.cve < b.cve; });
  return out;
}

}  // namespace bulwark::catalog
