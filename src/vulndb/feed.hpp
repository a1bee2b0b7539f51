// Reads a feed as published: a directory, a .tar.zst / .tar.gz / .tar.xz / .tar archive, a
// .zip (OSV's per-ecosystem all.zip), or a single (possibly compressed) file. Archives are
// streamed through libarchive and never extracted to disk.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace bulwark::vulndb {

class FeedEntry {
 public:
  virtual ~FeedEntry() = default;
  // Path inside the feed ("data/osv/GO-2020-0001.json"); for a single file, its base name.
  virtual const std::string& path() const = 0;
  // Reads up to `len` bytes; 0 at the end; an error names the feed and the entry.
  virtual core::Result<size_t> read(char* buf, size_t len) = 0;
  // The whole (remaining) entry, refused past `limit` bytes.
  core::Result<std::string> read_all(uint64_t limit);
};

using FeedVisitor = std::function<core::Result<void>(FeedEntry&)>;

// Calls `visit` for each regular file in `input`, in archive / sorted directory order. A
// visitor error stops the walk and is returned.
core::Result<void> walk_feed(const std::string& input, const FeedVisitor& visit);

// Decompresses a single compressed blob held in memory (bzip2, gzip, xz, zstd; plain bytes
// pass through), streaming into `sink` chunk by chunk. Used for OVAL .xml.bz2 inside a tar.
core::Result<void> decompress_stream(std::string_view what, std::string_view data,
                                     const std::function<core::Result<void>(FeedEntry&)>& sink);

}  // namespace bulwark::vulndb
