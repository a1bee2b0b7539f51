// Byte streams for blobs: a file range read with pread (members of an archive tar or whole
// blob files), in-memory bytes, a hashing pass-through that verifies a digest at EOF, and
// streaming decompression (ISA-L igzip for gzip, libzstd for zstd).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "core/digest.hpp"
#include "core/result.hpp"

namespace bulwark::image {

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Reads up to buf.size() bytes; 0 means end of stream.
  virtual core::Result<size_t> read(std::span<std::byte> buf) = 0;
};

// Reads [offset, offset+length) of an open file descriptor; shares the fd (pread).
class FileRangeStream final : public ByteStream {
 public:
  FileRangeStream(std::shared_ptr<const int> fd, uint64_t offset, uint64_t length, std::string name)
      : fd_(std::move(fd)), pos_(offset), end_(offset + length), name_(std::move(name)) {}
  core::Result<size_t> read(std::span<std::byte> buf) override;

 private:
  std::shared_ptr<const int> fd_;
  uint64_t pos_;
  uint64_t end_;
  std::string name_;
};

class MemoryStream final : public ByteStream {
 public:
  explicit MemoryStream(std::string data) : data_(std::move(data)) {}
  core::Result<size_t> read(std::span<std::byte> buf) override;

 private:
  std::string data_;
  size_t pos_ = 0;
};

// Passes bytes through and hashes them. At end of stream it compares the digest with the
// expected one (when given) and fails naming the blob; the computed digest is available after.
class HashingStream final : public ByteStream {
 public:
  HashingStream(std::unique_ptr<ByteStream> inner, std::optional<core::Digest> expected,
                std::string name)
      : inner_(std::move(inner)), expected_(std::move(expected)), name_(std::move(name)) {}
  core::Result<size_t> read(std::span<std::byte> buf) override;
  // Valid once read() returned 0.
  const std::optional<core::Digest>& computed() const { return computed_; }
  uint64_t bytes() const { return bytes_; }

 private:
  std::unique_ptr<ByteStream> inner_;
  std::optional<core::Digest> expected_;
  std::string name_;
  core::Sha256 hasher_;
  std::optional<core::Digest> computed_;
  uint64_t bytes_ = 0;
};

enum class Compression { kNone, kGzip, kZstd };

std::string_view compression_name(Compression c);
// Recognises gzip and zstd by their magic numbers; anything else is taken as uncompressed.
Compression sniff_compression(std::span<const std::byte> head);

// Wraps a compressed stream; `name` appears in errors ("layer sha256:..: truncated gzip stream").
// Enforces the decompression-bomb limits from core/limits.
std::unique_ptr<ByteStream> make_decompressor(Compression c, std::unique_ptr<ByteStream> inner,
                                              std::string name);

// A stream that peeks at its first bytes to pick the decompressor, whatever the media type says.
core::Result<std::unique_ptr<ByteStream>> make_auto_decompressor(std::unique_ptr<ByteStream> inner,
                                                                 std::string name,
                                                                 Compression* detected = nullptr);

// Reads a whole stream into memory, failing past `limit` bytes.
core::Result<std::string> read_all(ByteStream& s, uint64_t limit, std::string_view name);

}  // namespace bulwark::image
