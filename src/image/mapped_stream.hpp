// A stored blob that is a byte range of a regular file (a docker-archive member, an OCI layout
// blob file), read through a read-only memory mapping instead of pread: the decompressor gets
// the file's page-cache pages lent (read_block) with no copy into a buffer of ours, while a
// hasher thread computes the blob's SHA-256 over the same pages, so hashing still runs on
// another core than decompression. The digest is verified before the stream reports its end.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>

#include "core/digest.hpp"
#include "core/result.hpp"
#include "image/stream.hpp"

namespace bulwark::image {

// Memory: the reader and the hasher stay within `window` bytes of each other, and pages
// behind both are released (MADV_DONTNEED) every few MiB, so the resident part of a mapping
// stays a few MiB whatever the blob's size (mapped file pages count in the process's RSS).
//
// SIGBUS: a mapped page past the end of the file (someone truncated the blob file or the
// archive while we read it) raises SIGBUS on access instead of a read error, and would kill
// the process. open() checks the file is regular and long enough at the start; against a later
// truncation, a process-wide SIGBUS handler (installed once, on the first open) recognises a
// fault inside a live mapping of ours: it maps zero pages over the rest of that mapping and
// sets the mapping's flag, so the faulting access (the hasher's or the decompressor's)
// completes and the stream fails at its next hand-out or at its end with "file changed
// (truncated) while it was being read". The layer fails either way (a decompressor that read
// zeros may fail first, with "corrupt ... stream"), so no result is built from the zeros. A
// fault outside our mappings goes to the previous handler (by default the process dies).
class MappedBlobStream final : public ByteStream, public BlobDigest {
 public:
  static constexpr size_t kBlock = size_t{256} * 1024;  // bytes lent per read_block
  static constexpr size_t kWindow = 1 << 20;            // how far the reader and hasher may drift
  static constexpr size_t kReleaseStep = 2 << 20;       // pages released in steps of this

  // Maps the rest of `range` ([position, end) of its file). nullptr when that is not possible
  // (not a regular file, the file is shorter than the range, an empty range, mmap or the thread
  // failed): the caller keeps reading `range` with pread.
  static std::unique_ptr<MappedBlobStream> open(const FileRangeStream& range,
                                                std::optional<core::Digest> expected,
                                                std::string name, size_t block = kBlock,
                                                size_t window = kWindow);
  ~MappedBlobStream() override;
  MappedBlobStream(const MappedBlobStream&) = delete;
  MappedBlobStream& operator=(const MappedBlobStream&) = delete;

  core::Result<size_t> read(std::span<std::byte> buf) override;
  // Lends up to `block` bytes of the mapping, valid until the next call.
  core::Result<std::span<const std::byte>> read_block(std::span<std::byte> scratch) override;
  // Valid once the stream reported its end.
  const std::optional<core::Digest>& computed() const override { return computed_; }
  uint64_t bytes() const override { return pos_; }

 private:
  MappedBlobStream(std::byte* map, size_t map_len, size_t lead, uint64_t length,
                   std::optional<core::Digest> expected, std::string name, std::string file_name,
                   size_t block, size_t window);
  core::Result<std::span<const std::byte>> take(size_t max);
  core::Result<void> finish();
  void hash_all();
  void populate(uint64_t pos, uint64_t n);
  void release_behind(uint64_t pos);
  bool truncated() const;

  std::byte* map_;  // page-aligned start of the mapping
  size_t map_len_;  // whole pages
  size_t lead_;     // bytes of the first page before the blob starts
  const std::byte* data_;
  uint64_t length_;
  std::optional<core::Digest> expected_;
  std::string name_;       // for digest errors ("layer sha256:..")
  std::string file_name_;  // for file errors (the archive member or blob file)
  size_t block_;
  size_t window_;
  int guard_slot_ = -1;  // in the SIGBUS guard's table of live mappings

  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t hashed_ = 0;    // bytes the hasher is done with (mu_)
  uint64_t consumed_ = 0;  // bytes the reader is done with (mu_)
  bool stop_ = false;      // (mu_)
  bool hasher_waiting_ = false;
  bool reader_waiting_ = false;
  std::string hex_;  // the hasher's result, read after join

  uint64_t pos_ = 0;                  // reader: next byte to hand out
  size_t released_ = 0;               // reader: mapping offset below which pages were released
  bool finished_ = false;             // the end was reached and the digest checked
  std::optional<core::Error> error_;  // sticky
  std::optional<core::Digest> computed_;
  std::thread hasher_;
};

}  // namespace bulwark::image
