// Every size, count and depth that untrusted input can drive. Defaults fit real images with
// a wide margin; set_limits() changes them for the whole process (tests use it; command-line
// flags for them are future work).
#pragma once

#include <cstdint>

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
};

// The limits in force for this process; set once by the CLI before scanning.
const Limits& limits();
void set_limits(const Limits& l);

}  // namespace bulwark::core
