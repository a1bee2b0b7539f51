#include "catalog/zip_reader.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <memory>

#include "core/limits.hpp"

namespace bulwark::catalog {

using core::Error;
using core::Result;

InflateBudget::InflateBudget(uint64_t outer_size)
    : outer_size_(outer_size), absolute_(core::limits().max_total_uncompressed) {}

Result<void> InflateBudget::charge(uint64_t n) {
  used_ += n;
  const auto& l = core::limits();
  if (used_ > absolute_) {
    return Error::limit("zip bomb: more than " + std::to_string(absolute_) + " bytes inflated");
  }
  if (used_ > l.ratio_grace_bytes && outer_size_ > 0 &&
      used_ / outer_size_ >= l.max_compression_ratio) {
    return Error::limit("zip bomb: inflated " + std::to_string(used_) + " bytes from a " +
                        std::to_string(outer_size_) + "-byte archive (ratio limit " +
                        std::to_string(l.max_compression_ratio) + ")");
  }
  return core::ok();
}

ZipName normalize_zip_name(std::string_view raw) {
  ZipName out;
  std::string name(raw);
  std::replace(name.begin(), name.end(), '\\', '/');  // Windows-made zips use backslashes
  if (!name.empty() && name.front() == '/') out.escapes = true;
  if (name.size() >= 2 && name[1] == ':') out.escapes = true;  // drive letter
  std::vector<std::string_view> parts;
  std::string_view rest(name);
  while (!rest.empty()) {
    auto slash = rest.find('/');
    auto seg = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (parts.empty()) {
        out.escapes = true;
      } else {
        parts.pop_back();
      }
      continue;
    }
    parts.push_back(seg);
  }
  for (auto seg : parts) {
    if (!out.path.empty()) out.path += '/';
    out.path += seg;
  }
  return out;
}

namespace {

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

std::string archive_message(archive* a) {
  const char* s = archive_error_string(a);
  return s != nullptr ? s : "unknown libarchive error";
}

enum class Mode { kSeekable, kStreaming };

// One pass over the archive in the given mode. `started` tells the caller whether any entry
// was delivered (then a failure is not retried in the other mode).
Result<void> walk(std::string_view data, Mode mode, InflateBudget& budget, const ZipVisit& visit,
                  std::vector<std::string>& warnings, bool& started) {
  ArchivePtr a(archive_read_new());
  if (!a) return Error::internal("zip: out of memory");
  if (mode == Mode::kSeekable) {
    archive_read_support_format_zip_seekable(a.get());
  } else {
    archive_read_support_format_zip_streamable(a.get());
  }
  if (archive_read_open_memory(a.get(), data.data(), data.size()) != ARCHIVE_OK) {
    return Error::invalid("zip: " + archive_message(a.get()));
  }
  const uint64_t max_entries = core::limits().max_archive_entries;
  const uint64_t max_entry = core::limits().max_file_read;
  uint64_t count = 0;
  std::string buf;
  buf.resize(64 * 1024);
  for (;;) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      return Error::invalid("zip: " + archive_message(a.get()));
    }
    started = true;
    if (++count > max_entries) {
      return Error::limit("zip: more than " + std::to_string(max_entries) + " entries");
    }
    if (archive_entry_filetype(e) != AE_IFREG) continue;
    const char* raw = archive_entry_pathname(e);
    if (raw == nullptr) continue;
    auto name = normalize_zip_name(raw);
    if (name.escapes) {
      warnings.push_back("entry " + std::string(raw) +
                         ": path escapes the archive (zip path traversal); skipped");
      continue;
    }
    if (name.path.empty() || !visit.want(name.path)) continue;
    if (archive_entry_size_is_set(e) != 0 && archive_entry_size(e) > 0 &&
        static_cast<uint64_t>(archive_entry_size(e)) > max_entry) {
      warnings.push_back("entry " + name.path + ": declares " +
                         std::to_string(archive_entry_size(e)) +
                         " bytes, larger than the read limit; skipped");
      continue;
    }
    std::string content;
    bool failed = false;
    for (;;) {
      la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
      if (n == 0) break;
      if (n < 0) {
        warnings.push_back("entry " + name.path + ": " + archive_message(a.get()));
        failed = true;
        break;
      }
      BW_TRY(budget.charge(static_cast<uint64_t>(n)));
      if (content.size() + static_cast<uint64_t>(n) > max_entry) {
        return Error::limit("zip: entry " + name.path + " inflates past " +
                            std::to_string(max_entry) + " bytes");
      }
      content.append(buf.data(), static_cast<size_t>(n));
    }
    if (failed) {
      // libarchive cannot go on after a data error in streaming mode; in seekable mode the
      // next header is found through the central directory.
      if (mode == Mode::kStreaming) break;
      continue;
    }
    BW_TRY(visit.on_content(name.path, std::move(content)));
  }
  return core::ok();
}

}  // namespace

Result<void> walk_zip(std::string_view data, InflateBudget& budget, const ZipVisit& visit,
                      std::vector<std::string>& warnings) {
  bool started = false;
  std::vector<std::string> seek_warnings;
  auto r = walk(data, Mode::kSeekable, budget, visit, seek_warnings, started);
  if (r.ok() || started) {
    warnings.insert(warnings.end(), seek_warnings.begin(), seek_warnings.end());
    return r;
  }
  // No central directory found (truncated, or data appended after it): read the local
  // headers front to back instead.
  auto s = walk(data, Mode::kStreaming, budget, visit, warnings, started);
  if (!s.ok() && !started) return r;  // the seekable reader's reason is the clearer one
  return s;
}

}  // namespace bulwark::catalog
