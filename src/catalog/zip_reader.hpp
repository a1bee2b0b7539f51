// Zip archives (jar, war, ear) read from memory with libarchive, never extracted to disk.
// Only the entries a caller asks for are inflated, each within a shared budget, so a zip bomb
// (huge ratio, huge entries, archives nested without end) costs bounded time and memory.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace bulwark::catalog {

// Bytes inflated from one archive and everything nested in it. The ratio is taken against the
// outermost archive's size, once `grace` bytes have been inflated (small jars compress well).
class InflateBudget {
 public:
  explicit InflateBudget(uint64_t outer_size);
  // Charges n more inflated bytes; fails when a limit is crossed.
  core::Result<void> charge(uint64_t n);
  uint64_t used() const { return used_; }

 private:
  uint64_t outer_size_;
  uint64_t used_ = 0;
  uint64_t absolute_;
};

// An entry name made safe: "./a//b" -> "a/b". nullopt-like empty result with `escapes` set
// when the name is absolute or climbs out of the archive ("../../etc/passwd", "C:\\x").
struct ZipName {
  std::string path;
  bool escapes = false;
};
ZipName normalize_zip_name(std::string_view raw);

struct ZipVisit {
  // Called for each regular entry with a safe name; true asks for its content.
  std::function<bool(std::string_view path)> want;
  // Receives the content of a wanted entry. An error stops the walk.
  std::function<core::Result<void>(std::string_view path, std::string content)> on_content;
};

// Walks the archive. Per-entry problems (unsafe names, unreadable or encrypted entries) become
// `warnings` ("entry NAME: reason") and the walk goes on; an archive that cannot be read at
// all, or a crossed limit, is the error.
core::Result<void> walk_zip(std::string_view data, InflateBudget& budget, const ZipVisit& visit,
                            std::vector<std::string>& warnings);

}  // namespace bulwark::catalog
