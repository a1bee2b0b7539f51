// Format facts from rpm's docs/manual/format_header.md and lib/header.cc (the sanity limits
// below are rpm's own, so a header we accept is one rpm would also have accepted).
#include "catalog/rpm_header.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "catalog/changelog.hpp"
#include "core/limits.hpp"
#include "core/text.hpp"

namespace bulwark::catalog {
namespace {

using core::Error;
using core::Result;

// Data types of an index entry (rpm's rpmTagType).
enum RpmType : uint32_t {
  kTypeChar = 1,
  kTypeInt8 = 2,
  kTypeInt16 = 3,
  kTypeInt32 = 4,
  kTypeInt64 = 5,
  kTypeString = 6,
  kTypeBin = 7,
  kTypeStringArray = 8,
  kTypeI18nString = 9,
};

constexpr size_t kPreambleBytes = 8;     // index count + data size
constexpr size_t kIndexEntryBytes = 16;  // tag, type, offset, count
// rpm's HEADER_TAGS_MAX, HEADER_DATA_MAX and HEADER_ARRAY_MAX.
constexpr uint32_t kMaxIndexEntries = 0xffff;
constexpr uint32_t kMaxDataBytes = 0x0fffffff;
constexpr uint32_t kMaxArrayCount = 0xfffff;

uint32_t be32(const char* p) {
  auto b = [p](int i) { return static_cast<uint32_t>(static_cast<unsigned char>(p[i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

struct IndexEntry {
  uint32_t tag;
  uint32_t type;
  uint32_t offset;
  uint32_t count;
};

uint32_t fixed_size(uint32_t type) {
  switch (type) {
    case kTypeChar:
    case kTypeInt8:
    case kTypeBin:
      return 1;
    case kTypeInt16:
      return 2;
    case kTypeInt32:
      return 4;
    case kTypeInt64:
      return 8;
    default:
      return 0;  // strings: variable
  }
}

class HeaderView {
 public:
  static Result<HeaderView> open(std::string_view blob) {
    if (blob.size() < kPreambleBytes)
      return Error::invalid("rpm header: shorter than its preamble");
    const uint32_t il = be32(blob.data());
    const uint32_t dl = be32(blob.data() + 4);
    if (il == 0 || il > kMaxIndexEntries) {
      return Error::invalid(fmt::format("rpm header: implausible index count {}", il));
    }
    if (dl > kMaxDataBytes) {
      return Error::invalid(fmt::format("rpm header: implausible data size {}", dl));
    }
    const uint64_t need = kPreambleBytes + uint64_t{il} * kIndexEntryBytes + dl;
    if (blob.size() < need) {
      return Error::invalid(fmt::format("rpm header: truncated ({} bytes, index and data need {})",
                                        blob.size(), need));
    }
    HeaderView h;
    h.data_ = blob.substr(kPreambleBytes + size_t{il} * kIndexEntryBytes, dl);
    h.entries_.reserve(il);
    for (uint32_t i = 0; i < il; ++i) {
      const char* p = blob.data() + kPreambleBytes + size_t{i} * kIndexEntryBytes;
      IndexEntry e{be32(p), be32(p + 4), be32(p + 8), be32(p + 12)};
      BW_TRY(h.check(e));
      h.entries_.push_back(e);
    }
    return h;
  }

  // Entries added after the immutable region (rpm's "dribble" entries) replace region entries
  // of the same tag, and they come later in the index: the last entry wins.
  const IndexEntry* find(uint32_t tag) const {
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
      if (it->tag == tag) return &*it;
    }
    return nullptr;
  }

  // A single string. rpm writes some string tags as I18NSTRING or STRING_ARRAY; the first
  // element is the untranslated value either way.
  Result<std::optional<std::string>> string_tag(uint32_t tag) const {
    const IndexEntry* e = find(tag);
    if (e == nullptr) return std::optional<std::string>{};
    if (e->type != kTypeString && e->type != kTypeI18nString && e->type != kTypeStringArray) {
      return type_error(*e, "a string");
    }
    size_t pos = e->offset;
    BW_ASSIGN_OR_RETURN(auto s, next_string(pos, *e));
    return std::optional<std::string>(std::string(s));
  }

  Result<std::vector<std::string_view>> string_array(uint32_t tag) const {
    std::vector<std::string_view> out;
    const IndexEntry* e = find(tag);
    if (e == nullptr) return out;
    if (e->type != kTypeStringArray) return type_error(*e, "a string array");
    out.reserve(e->count);
    size_t pos = e->offset;
    for (uint32_t i = 0; i < e->count; ++i) {
      BW_ASSIGN_OR_RETURN(auto s, next_string(pos, *e));
      out.push_back(s);
    }
    return out;
  }

  Result<std::vector<uint32_t>> int32_array(uint32_t tag) const {
    std::vector<uint32_t> out;
    const IndexEntry* e = find(tag);
    if (e == nullptr) return out;
    if (e->type != kTypeInt32) return type_error(*e, "an int32 array");
    out.reserve(e->count);
    for (uint32_t i = 0; i < e->count; ++i) {
      out.push_back(be32(data_.data() + e->offset + size_t{i} * 4));  // bounds checked in check()
    }
    return out;
  }

 private:
  Result<void> check(const IndexEntry& e) const {
    auto bad = [&e](std::string_view why) {
      return Error::invalid(fmt::format("rpm header: tag {} (type {}, offset {}, count {}): {}",
                                        e.tag, e.type, e.offset, e.count, why));
    };
    if (e.type < kTypeChar || e.type > kTypeI18nString) return bad("unknown type");
    if (e.count == 0 || e.count > data_.size()) return bad("implausible count");
    if (e.type != kTypeBin && e.count > kMaxArrayCount) return bad("array too long");
    if (e.offset > data_.size()) return bad("offset outside the data store");
    if (uint32_t size = fixed_size(e.type); size != 0) {
      if (uint64_t{e.offset} + uint64_t{e.count} * size > data_.size()) {
        return bad("data runs past the data store");
      }
    } else if (e.offset == data_.size()) {
      return bad("string starts at the end of the data store");
    }
    return core::ok();
  }

  // The NUL-terminated string at `pos`, advancing `pos` past its terminator.
  Result<std::string_view> next_string(size_t& pos, const IndexEntry& e) const {
    size_t end = pos < data_.size() ? data_.find('\0', pos) : std::string_view::npos;
    if (end == std::string_view::npos) {
      return Error::invalid(fmt::format("rpm header: tag {}: string not terminated", e.tag));
    }
    std::string_view s = data_.substr(pos, end - pos);
    pos = end + 1;
    return s;
  }

  static Error type_error(const IndexEntry& e, std::string_view want) {
    return Error::invalid(
        fmt::format("rpm header: tag {} has type {}, not {}", e.tag, e.type, want));
  }

  std::string_view data_;
  std::vector<IndexEntry> entries_;
};

Result<std::string> required_string(const HeaderView& h, uint32_t tag, std::string_view what) {
  BW_ASSIGN_OR_RETURN(auto s, h.string_tag(tag));
  if (!s) return Error::invalid(fmt::format("rpm header: no {} tag", what));
  return std::move(*s);
}

Result<std::string> optional_string(const HeaderView& h, uint32_t tag) {
  BW_ASSIGN_OR_RETURN(auto s, h.string_tag(tag));
  return s ? std::move(*s) : std::string();
}

// Files are stored compressed since rpm 4.0 (a basename, and an index into the list of
// directory names); very old headers carry OLDFILENAMES instead.
Result<std::vector<std::string>> file_list(const HeaderView& h) {
  std::vector<std::string> files;
  BW_ASSIGN_OR_RETURN(auto basenames, h.string_array(kRpmTagBasenames));
  if (basenames.empty()) {
    BW_ASSIGN_OR_RETURN(auto old, h.string_array(kRpmTagOldFilenames));
    files.assign(old.begin(), old.end());
    return files;
  }
  BW_ASSIGN_OR_RETURN(auto dirnames, h.string_array(kRpmTagDirnames));
  BW_ASSIGN_OR_RETURN(auto dirindexes, h.int32_array(kRpmTagDirIndexes));
  if (dirindexes.size() != basenames.size()) {
    return Error::invalid(fmt::format("rpm header: {} basenames but {} dir indexes",
                                      basenames.size(), dirindexes.size()));
  }
  files.reserve(basenames.size());
  for (size_t i = 0; i < basenames.size(); ++i) {
    if (dirindexes[i] >= dirnames.size()) {
      return Error::invalid(fmt::format("rpm header: dir index {} out of {} dirnames",
                                        dirindexes[i], dirnames.size()));
    }
    std::string path(dirnames[dirindexes[i]]);
    path += basenames[i];
    files.push_back(std::move(path));
  }
  return files;
}

}  // namespace

std::string rpm_changelog_version(std::string_view name) {
  std::string_view rest;
  if (auto gt = name.rfind('>'); gt != std::string_view::npos) {
    rest = name.substr(gt + 1);
  } else if (auto dash = name.rfind(" - "); dash != std::string_view::npos) {
    rest = name.substr(dash + 3);
  } else {
    return {};
  }
  rest = core::trim(rest);
  if (rest.starts_with('-')) rest = core::trim(rest.substr(1));
  size_t end = 0;
  while (end < rest.size() && !core::is_space(rest[end])) ++end;
  std::string_view token = rest.substr(0, end);
  if (token.empty() || token.front() < '0' || token.front() > '9') return {};
  for (char c : token) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '.' || c == '_' || c == '+' || c == '~' || c == '^' || c == ':' || c == '-';
    if (!ok) return {};
  }
  return std::string(token);
}

namespace {

// %changelog: CHANGELOGNAME and CHANGELOGTEXT are parallel string arrays, newest entry first.
// A damaged changelog costs only the fix evidence, never the package.
void read_changelog(const HeaderView& h, RpmHeader& out) {
  auto names = h.string_array(kRpmTagChangelogName);
  auto texts = h.string_array(kRpmTagChangelogText);
  if (!names.ok() || !texts.ok()) {
    out.changelog_problem = "%changelog: " + (names.ok() ? texts.error() : names.error()).message();
    return;
  }
  if (names->size() != texts->size()) {
    out.changelog_problem = "%changelog: " + std::to_string(names->size()) + " names for " +
                            std::to_string(texts->size()) + " texts";
  }
  const auto& lim = core::limits();
  size_t n = std::min(names->size(), texts->size());
  if (n > lim.max_changelog_entries) {
    n = lim.max_changelog_entries;
    out.changelog_problem =
        "%changelog: more than " + std::to_string(n) + " entries; the older ones were not read";
  }
  std::vector<std::string> ids;
  for (size_t i = 0; i < n; ++i) {
    std::string version = rpm_changelog_version((*names)[i]);
    std::string_view text = (*texts)[i];
    size_t first = out.changelog_cves.size();
    for (size_t pos = 0; pos < text.size();) {
      size_t eol = text.find('\n', pos);
      if (eol == std::string_view::npos) eol = text.size();
      std::string_view line = text.substr(pos, eol - pos);
      pos = eol + 1;
      ids.clear();
      find_cve_ids(line, ids);
      for (auto& id : ids) {
        bool dup = false;
        for (size_t k = first; k < out.changelog_cves.size(); ++k)
          dup = dup || out.changelog_cves[k].cve == id;
        if (dup) continue;
        if (out.changelog_cves.size() >= lim.max_changelog_cves) {
          out.changelog_problem = "%changelog: more than " +
                                  std::to_string(lim.max_changelog_cves) +
                                  " CVE mentions; the older ones were not read";
          return;
        }
        out.changelog_cves.push_back({std::move(id), version, evidence_line(line)});
      }
    }
  }
}

}  // namespace

Result<RpmHeader> parse_rpm_header(std::string_view blob) {
  BW_ASSIGN_OR_RETURN(auto h, HeaderView::open(blob));
  RpmHeader out;
  BW_ASSIGN_OR_RETURN(out.name, required_string(h, kRpmTagName, "NAME"));
  BW_ASSIGN_OR_RETURN(out.version, required_string(h, kRpmTagVersion, "VERSION"));
  BW_ASSIGN_OR_RETURN(out.release, required_string(h, kRpmTagRelease, "RELEASE"));
  BW_ASSIGN_OR_RETURN(out.arch, optional_string(h, kRpmTagArch));
  BW_ASSIGN_OR_RETURN(out.source_rpm, optional_string(h, kRpmTagSourceRpm));
  BW_ASSIGN_OR_RETURN(out.license, optional_string(h, kRpmTagLicense));
  BW_ASSIGN_OR_RETURN(out.vendor, optional_string(h, kRpmTagVendor));
  BW_ASSIGN_OR_RETURN(out.modularity_label, optional_string(h, kRpmTagModularityLabel));
  BW_ASSIGN_OR_RETURN(auto epoch, h.int32_array(kRpmTagEpoch));
  if (!epoch.empty()) out.epoch = epoch.front();
  BW_ASSIGN_OR_RETURN(out.files, file_list(h));
  read_changelog(h, out);
  return out;
}

}  // namespace bulwark::catalog
