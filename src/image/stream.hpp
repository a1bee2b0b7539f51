// Byte streams for blobs: a file range read with pread (members of an archive tar or whole
// blob files), in-memory bytes, a hashing pass-through that verifies a digest at EOF, and
// streaming decompression (ISA-L igzip for gzip, libzstd for zstd).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/digest.hpp"
#include "core/result.hpp"

namespace bulwark::image {

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Reads up to buf.size() bytes; 0 means end of stream.
  virtual core::Result<size_t> read(std::span<std::byte> buf) = 0;
  // The next bytes, lent from a buffer of the stream's own where it has one (valid until the
  // next call on this stream), else read into `scratch`. Empty: end of stream.
  virtual core::Result<std::span<const std::byte>> read_block(std::span<std::byte> scratch) {
    BW_ASSIGN_OR_RETURN(size_t n, read(scratch));
    return std::span<const std::byte>(scratch.first(n));
  }
  // Asks a read() that may be waiting on something slow (the network) to give up soon with an
  // error; streams that wrap another pass it on. Called from another thread than the reader's
  // (PipelinedStream's destructor, before it joins the thread reading its source), so an
  // implementation only sets atomics. Default: nothing to abandon.
  virtual void cancel() {}
  // Offered once, before the first read(), by a caller that writes into a ring of `ring_bytes`
  // and promises two things: (1) each read() gets a buffer that starts where the previous one
  // ended, except that it starts over at the ring's start when fewer than the returned number
  // of bytes were left before the ring's end, and is at least that many bytes long; (2) bytes
  // handed out stay as they are until a later read() writes over them. A decoder whose output
  // refers back to its earlier output (zstd) may then decode in place, keeping its window in
  // the caller's ring instead of a buffer of its own, and save copying every byte out of it.
  // Returns the smallest read() it then needs; 0 declines (the caller need not keep (1)).
  // Streams that pass their caller's buffer straight to another pass the offer on.
  virtual size_t accept_output_ring(size_t /*ring_bytes*/) { return 0; }
};

// What a stream that hashes a stored blob tells once it reported its end (HashingStream,
// MappedBlobStream).
class BlobDigest {
 public:
  virtual ~BlobDigest() = default;
  virtual const std::optional<core::Digest>& computed() const = 0;
  virtual uint64_t bytes() const = 0;
};

// Reads [offset, offset+length) of an open file descriptor; shares the fd (pread).
class FileRangeStream final : public ByteStream {
 public:
  FileRangeStream(std::shared_ptr<const int> fd, uint64_t offset, uint64_t length, std::string name)
      : fd_(std::move(fd)), pos_(offset), end_(offset + length), name_(std::move(name)) {}
  core::Result<size_t> read(std::span<std::byte> buf) override;
  // The part not read yet, for a reader that maps it instead (MappedBlobStream).
  int fd() const { return *fd_; }
  uint64_t position() const { return pos_; }
  uint64_t end() const { return end_; }
  const std::string& name() const { return name_; }

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
class HashingStream final : public ByteStream, public BlobDigest {
 public:
  HashingStream(std::unique_ptr<ByteStream> inner, std::optional<core::Digest> expected,
                std::string name)
      : inner_(std::move(inner)), expected_(std::move(expected)), name_(std::move(name)) {}
  core::Result<size_t> read(std::span<std::byte> buf) override;
  void cancel() override { inner_->cancel(); }
  size_t accept_output_ring(size_t ring_bytes) override {
    return inner_->accept_output_ring(ring_bytes);
  }
  // Valid once read() returned 0.
  const std::optional<core::Digest>& computed() const override { return computed_; }
  uint64_t bytes() const override { return bytes_; }

 private:
  std::unique_ptr<ByteStream> inner_;
  std::optional<core::Digest> expected_;
  std::string name_;
  core::Sha256 hasher_;
  std::optional<core::Digest> computed_;
  uint64_t bytes_ = 0;
};

// Reads `source` on a thread of its own, up to `depth` chunks ahead, so that the stages before
// it (reading, hashing, decompressing) run on another core than those after it (tar parsing,
// analyzers): a layer then uses two cores when it is the last one left. Bytes and errors arrive
// in the source's order; an error is returned after the bytes read before it, and again on
// every later call. `source` must outlive this stream, whose destructor stops the thread
// (cancelling the source first, so a read waiting on the network gives up).
//
// The chunks are stretches of one ring of chunk_size * depth bytes, which the source writes
// into directly: a source that accepts the ring (ByteStream::accept_output_ring: zstd) keeps
// its window there and is never copied out of. Rings come from a small pool, so that the pages
// of one layer's ring are reused by the next instead of being faulted in again.
class PipelinedStream final : public ByteStream {
 public:
  PipelinedStream(ByteStream& source, size_t chunk_size, size_t depth);
  // Owns its source.
  PipelinedStream(std::unique_ptr<ByteStream> source, size_t chunk_size, size_t depth);
  ~PipelinedStream() override;
  PipelinedStream(const PipelinedStream&) = delete;
  PipelinedStream& operator=(const PipelinedStream&) = delete;
  core::Result<size_t> read(std::span<std::byte> buf) override;
  core::Result<std::span<const std::byte>> read_block(std::span<std::byte> scratch) override;
  void cancel() override { source_.cancel(); }

  // Time each side spent blocked on the other, for tuning (--verbose): a consumer that waits
  // long is fed too slowly (the stage before is the bottleneck), a producer that waits long
  // is drained too slowly. Read once the stream is done.
  struct Waits {
    std::chrono::nanoseconds consumer{0}, producer{0};
  };
  Waits waits() const;
  // Whether the source decodes straight into the ring (for tests).
  bool source_writes_in_place() const;

 private:
  struct Segment {  // a filled stretch of the ring
    size_t offset = 0;
    size_t len = 0;
  };
  void produce();
  std::optional<std::span<std::byte>> writable_span();  // (mu_) where the producer may write
  core::Result<void> advance();  // gives back the segment held, takes the next one into cur_

  std::unique_ptr<ByteStream> owned_;  // destroyed after the thread is joined
  ByteStream& source_;
  const size_t chunk_size_;
  std::shared_ptr<std::byte[]> ring_;
  size_t ring_size_ = 0;
  // Set before the first read, on the producer thread, which alone uses min_write_ after.
  size_t min_write_ = 1;   // the smallest span the source is given; wraps come before
  bool in_place_ = false;  // (mu_)
  mutable std::mutex mu_;
  std::condition_variable filled_cv_;  // producer -> consumer: a segment or the end arrived
  std::condition_variable free_cv_;    // consumer -> producer: a segment was given back
  std::deque<Segment> segments_;       // filled and not given back yet, oldest first
  size_t taken_ = 0;                   // of segments_, how many the consumer took (0 or 1)
  size_t head_ = 0;                    // where the producer writes next
  bool done_ = false;                  // the producer reached the end or an error
  bool stop_ = false;
  std::optional<core::Error> error_;
  std::span<const std::byte> cur_;  // the segment held by the consumer
  size_t cur_pos_ = 0;              // how much of cur_ read() has handed out
  bool direct_ = false;             // no thread could be started: reads go straight through
  Waits waits_;                     // (mu_)
  std::thread thread_;
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
