// Every size, count and depth that untrusted input can drive. Defaults fit real images with
// a wide margin; set_limits() changes them for the whole process (tests use it), and so does
// the CLI's `--limit NAME=VALUE`, through the table in limits.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "core/result.hpp"

namespace bulwark::core {

struct Limits {
  // Total uncompressed bytes read from all layers of one image (decompression bombs).
  uint64_t max_total_uncompressed = 64ULL << 30;
  // Uncompressed/compressed ratio of one layer, checked once the layer has inflated past
  // ratio_grace_bytes (small, highly compressible layers are normal).
  uint64_t max_compression_ratio = 1000;
  uint64_t ratio_grace_bytes = 64ULL << 20;
  // Largest single file an analyzer may read into memory (dpkg status, rpmdb.sqlite...).
  uint64_t max_file_read = 512ULL << 20;
  // Largest language lock file or package manifest parsed (package-lock.json, poetry.lock...);
  // real ones stay far below, and a parse tree costs several times the text.
  uint64_t max_lock_file_bytes = 64ULL << 20;
  // Largest metadata document (manifest.json, index.json, image config).
  uint64_t max_metadata_bytes = 8ULL << 20;
  uint64_t max_entries_per_layer = 4'000'000;
  // Memory held by one layer's file index (paths, link targets, entry records).
  uint64_t max_index_bytes_per_layer = 2ULL << 30;
  uint32_t max_layers = 512;
  uint32_t max_path_length = 4096;
  uint32_t max_symlink_hops = 40;
  uint32_t max_index_depth = 4;  // nested image indexes
  // Archives inside archives (jars in a Spring Boot jar in an ear) and entries per archive.
  uint32_t max_archive_depth = 4;
  uint64_t max_archive_entries = 1'000'000;
  // Package changelogs read for fix evidence (Debian changelog.Debian.gz, RPM %changelog):
  // bytes of one decompressed changelog, its entries, and the CVE mentions kept from it.
  // Past a limit the newest part (changelogs are newest first) is kept, with a warning.
  uint64_t max_changelog_bytes = 8ULL << 20;
  uint32_t max_changelog_entries = 20'000;
  uint32_t max_changelog_cves = 20'000;
};

// The limits in force for this process; set once by the CLI before scanning.
const Limits& limits();
void set_limits(const Limits& l);

// One settable limit: its name as users write it, what it bounds, and the field.
struct LimitField {
  std::string_view name;
  std::string_view help;
  std::variant<uint64_t Limits::*, uint32_t Limits::*> field;
};
// The one list of settable limits (a new limit is a field plus one line there).
std::span<const LimitField> limit_fields();
// Applies "NAME=VALUE"; VALUE is a decimal count with an optional binary suffix K, M, G or T
// (1K = 1024). Unknown names, bad numbers, 0 and values the field cannot hold are errors.
Result<void> apply_limit(Limits& l, std::string_view assignment);
// "name  default  help" lines for --help.
std::string describe_limits(const Limits& l);

}  // namespace bulwark::core
