// Streaming decompression. gzip goes through ISA-L's igzip (the fastest inflate on x86 here;
// see bench/RESULTS.md), zstd through libzstd's streaming API. Both count output against the
// decompression-bomb limits before handing bytes on.
#include <isa-l/igzip_lib.h>
// The buffer-less decompression API (ZSTD_decompressContinue and its helpers) sits behind this
// macro; the shared libzstd exports it, and Debian 12 pins the version (1.5.4).
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include <cstring>
#include <vector>

#include "core/limits.hpp"
#include "image/stream.hpp"

namespace bulwark::image {

using core::Error;
using core::Result;

namespace {

constexpr size_t kInputChunk = 256 * 1024;

// Shared bomb accounting: the ratio check starts after a grace amount, so small layers of
// zeros (normal) pass while a 10 KB blob inflating to gigabytes stops early.
class BombGuard {
 public:
  explicit BombGuard(std::string name) : name_(std::move(name)) {}
  Result<void> account(uint64_t in_total, uint64_t out_total) const {
    const auto& l = core::limits();
    if (out_total > l.max_total_uncompressed) {
      return Error::limit(name_ + ": decompresses to more than " +
                          std::to_string(l.max_total_uncompressed) +
                          " bytes (decompression bomb?)");
    }
    if (out_total > l.ratio_grace_bytes && in_total > 0 &&
        out_total / in_total > l.max_compression_ratio) {
      return Error::limit(name_ + ": compression ratio above " +
                          std::to_string(l.max_compression_ratio) + ":1 (decompression bomb?)");
    }
    return core::ok();
  }

 private:
  std::string name_;
};

class GzipStream final : public ByteStream {
 public:
  GzipStream(std::unique_ptr<ByteStream> inner, std::string name)
      : inner_(std::move(inner)), name_(std::move(name)), guard_(name_), in_(kInputChunk) {
    isal_inflate_init(&state_);
    state_.crc_flag = ISAL_GZIP;
  }

  Result<size_t> read(std::span<std::byte> buf) override {
    if (done_ || buf.empty()) return size_t{0};
    state_.next_out = reinterpret_cast<uint8_t*>(buf.data());
    state_.avail_out = static_cast<uint32_t>(std::min<size_t>(buf.size(), UINT32_MAX));
    while (state_.avail_out == buf.size()) {
      if (state_.block_state == ISAL_BLOCK_FINISH) {
        // End of one gzip member. Another member may follow (concatenated gzip is valid).
        BW_ASSIGN_OR_RETURN(bool more, refill_if_empty());
        if (!more) {
          done_ = true;
          return size_t{0};
        }
        if (state_.avail_in > 0 && *state_.next_in == 0) {
          // Zero padding after the last member (some tools pad to a block size).
          BW_TRY(skip_zero_padding());
          done_ = true;
          return size_t{0};
        }
        isal_inflate_reset(&state_);
        state_.crc_flag = ISAL_GZIP;
        continue;
      }
      if (state_.avail_in == 0) {
        BW_ASSIGN_OR_RETURN(bool more, refill_if_empty());
        if (!more) return Error::invalid(name_ + ": truncated gzip stream");
      }
      int rc = isal_inflate(&state_);
      if (rc != ISAL_DECOMP_OK && rc != ISAL_END_INPUT) {
        return Error::invalid(name_ + ": corrupt gzip stream (" + describe(rc) + ")");
      }
    }
    size_t produced = buf.size() - state_.avail_out;
    out_total_ += produced;
    BW_TRY(guard_.account(in_total_, out_total_));
    return produced;
  }

  void cancel() override { inner_->cancel(); }

 private:
  Result<bool> refill_if_empty() {
    if (state_.avail_in > 0) return true;
    // Lent from the inner stream's buffer where it has one (no copy); valid until the next
    // call on inner_, which comes only once igzip consumed all of it (avail_in == 0).
    std::span<const std::byte> block = rest_;
    if (block.empty()) {
      BW_ASSIGN_OR_RETURN(block, inner_->read_block(std::span<std::byte>(in_)));
    }
    // igzip counts input in 32 bits: a larger lent block is taken in pieces.
    rest_ = block.size() > UINT32_MAX ? block.subspan(UINT32_MAX) : std::span<const std::byte>();
    block = block.first(block.size() - rest_.size());
    size_t n = block.size();
    in_total_ += n;
    state_.next_in = const_cast<uint8_t*>(reinterpret_cast<const uint8_t*>(block.data()));
    state_.avail_in = static_cast<uint32_t>(n);
    return n > 0;
  }

  Result<void> skip_zero_padding() {
    while (true) {
      for (uint32_t i = 0; i < state_.avail_in; ++i) {
        if (state_.next_in[i] != 0)
          return Error::invalid(name_ + ": garbage after the gzip stream");
      }
      state_.avail_in = 0;
      BW_ASSIGN_OR_RETURN(bool more, refill_if_empty());
      if (!more) return core::ok();
    }
  }

  static std::string describe(int rc) {
    switch (rc) {
      case ISAL_INVALID_BLOCK:
        return "invalid deflate block";
      case ISAL_INVALID_SYMBOL:
        return "invalid deflate symbol";
      case ISAL_INVALID_LOOKBACK:
        return "invalid back-reference distance";
      case ISAL_INVALID_WRAPPER:
        return "invalid gzip header";
      case ISAL_INCORRECT_CHECKSUM:
        return "CRC32 mismatch";
      default:
        return "igzip error " + std::to_string(rc);
    }
  }

  std::unique_ptr<ByteStream> inner_;
  std::string name_;
  BombGuard guard_;
  std::vector<std::byte> in_;
  std::span<const std::byte> rest_;  // of a lent block beyond igzip's 32-bit avail_in
  inflate_state state_{};
  uint64_t in_total_ = 0;
  uint64_t out_total_ = 0;
  bool done_ = false;
};

// The compressed input of a zstd stream, as the buffer-less API wants it: exactly the number of
// bytes it asks for, in one piece. Mostly a view into the block the inner stream lent (no
// copy); a piece that straddles two lent blocks (one per compressed block at most) is copied
// together into `carry_`.
class ZstdInput {
 public:
  explicit ZstdInput(ByteStream& inner) : inner_(inner), scratch_(ZSTD_DStreamInSize()) {}

  // At least `want` bytes in one piece, fewer only where the input ends. Not consumed.
  Result<std::span<const std::byte>> peek(size_t want) {
    while (cur_.size() < want) {
      if (next_.empty()) {
        // The inner stream's next call ends the life of the block it lent last (and reuses
        // scratch_): what is left of it moves to carry_ first.
        if (!cur_.empty()) {
          if (!in_carry_) {
            carry_.assign(cur_.begin(), cur_.end());
            in_carry_ = true;
          } else {
            carry_.erase(carry_.begin(), carry_.begin() + (cur_.data() - carry_.data()));
          }
          cur_ = carry_;
        }
        BW_ASSIGN_OR_RETURN(next_, inner_.read_block(std::span<std::byte>(scratch_)));
        in_total_ += next_.size();
        if (next_.empty()) break;
      }
      if (cur_.empty()) {
        cur_ = next_;
        next_ = {};
        in_carry_ = false;
        continue;
      }
      // cur_ is in carry_ (next_ is only ever set beside it): append what is missing.
      auto off = cur_.data() - carry_.data();
      size_t n = std::min(want - cur_.size(), next_.size());
      carry_.insert(carry_.end(), next_.begin(), next_.begin() + static_cast<ptrdiff_t>(n));
      cur_ = std::span<const std::byte>(carry_).subspan(static_cast<size_t>(off));
      next_ = next_.subspan(n);
    }
    return cur_.first(std::min(want, cur_.size()));
  }
  void consume(size_t n) {
    cur_ = cur_.subspan(n);
    if (cur_.empty()) {
      cur_ = next_;
      next_ = {};
      in_carry_ = false;
    }
  }
  // All the bytes at hand, reading more only when none are (for the streaming API); empty
  // only at the end. Not peek(1): that is one byte, and zstd fed byte by byte is 8x slower.
  Result<std::span<const std::byte>> some() {
    BW_TRY(peek(1));
    return cur_;
  }
  uint64_t total() const { return in_total_; }

 private:
  ByteStream& inner_;
  std::vector<std::byte> scratch_;  // for inner streams that read into the caller's buffer
  std::vector<std::byte> carry_;
  std::span<const std::byte> cur_;   // what is consumed next: in a lent block or in carry_
  std::span<const std::byte> next_;  // the rest of the lent block, once cur_ is in carry_
  bool in_carry_ = false;
  uint64_t in_total_ = 0;
};

// zstd, frame by frame. Where the caller keeps the output in a ring big enough for a frame's
// window (PipelinedStream accepts that; see ByteStream::accept_output_ring), the frame is
// decoded in place with the buffer-less API: blocks land straight in the caller's ring and
// refer back to earlier output there. Otherwise (a window too large for the ring, a frame that
// needs a dictionary, a caller that offered no ring) the streaming API decodes into a window
// of its own and copies out of it. On the corpus `big` image that copy was ~7% of the cold
// scan's CPU (bench/RESULTS.md).
class ZstdStream final : public ByteStream {
 public:
  ZstdStream(std::unique_ptr<ByteStream> inner, std::string name)
      : inner_(std::move(inner)),
        name_(std::move(name)),
        guard_(name_),
        input_(*inner_),
        ctx_(ZSTD_createDCtx()) {
    // Frames may ask for a window up to 2^27 (128 MiB, zstd's default maximum): bounded memory.
    ZSTD_DCtx_setParameter(ctx_, ZSTD_d_windowLogMax, kWindowLogMax);
  }
  ~ZstdStream() override { ZSTD_freeDCtx(ctx_); }
  ZstdStream(const ZstdStream&) = delete;
  ZstdStream& operator=(const ZstdStream&) = delete;

  size_t accept_output_ring(size_t ring_bytes) override {
    // A ring that cannot hold even a small window next to a block is of no use.
    if (ring_bytes < 4 * kMinInPlaceRead) return 0;
    ring_bytes_ = ring_bytes;
    return kMinInPlaceRead;
  }

  Result<size_t> read(std::span<std::byte> buf) override {
    if (done_ || buf.empty()) return size_t{0};
    size_t produced = 0;
    while (produced == 0) {
      if (mode_ == Mode::kFrameStart) {
        BW_ASSIGN_OR_RETURN(bool more, start_frame());
        if (!more) {
          done_ = true;
          return size_t{0};
        }
      }
      if (mode_ == Mode::kInPlace) {
        BW_ASSIGN_OR_RETURN(produced, decode_in_place(buf));
      } else {
        BW_ASSIGN_OR_RETURN(produced, decode_streaming(buf));
      }
    }
    out_total_ += produced;
    BW_TRY(guard_.account(input_.total(), out_total_));
    return produced;
  }

  void cancel() override { inner_->cancel(); }

 private:
  enum class Mode { kFrameStart, kInPlace, kStreaming };
  static constexpr int kWindowLogMax = 27;
  // The caller's buffers in place mode: a whole block, whatever the frame's block size (at
  // most ZSTD_BLOCKSIZE_MAX), with room to spare for the decoder's over-long copies.
  static constexpr size_t kMinInPlaceRead = ZSTD_BLOCKSIZE_MAX + 256;

  Error corrupt(size_t code) const {
    return Error::invalid(name_ + ": corrupt zstd stream (" + ZSTD_getErrorName(code) + ")");
  }
  Error truncated() const { return Error::invalid(name_ + ": truncated zstd stream"); }

  // At a frame boundary: reads the next frame's header and picks how to decode the frame.
  // False at the end of the input.
  Result<bool> start_frame() {
    BW_ASSIGN_OR_RETURN(auto head, input_.peek(ZSTD_FRAMEHEADERSIZE_MAX));
    if (head.empty()) {
      if (frames_ == 0) return truncated();  // no frame at all
      return false;
    }
    ZSTD_frameHeader h{};
    size_t r = ZSTD_getFrameHeader(&h, head.data(), head.size());
    if (ZSTD_isError(r)) return corrupt(r);
    if (r > 0) return truncated();  // the input ends inside the header
    ++frames_;
    bool fits = h.windowSize <= (1ULL << kWindowLogMax) &&
                ZSTD_decodingBufferSize_min(h.windowSize, h.frameContentSize) + kMinInPlaceRead <=
                    ring_bytes_;
    if (ring_bytes_ > 0 && h.dictID == 0 && (h.frameType == ZSTD_skippableFrame || fits)) {
      size_t rc = ZSTD_decompressBegin(ctx_);
      if (ZSTD_isError(rc)) return corrupt(rc);
      mode_ = Mode::kInPlace;
    } else {
      ZSTD_DCtx_reset(ctx_, ZSTD_reset_session_only);
      mode_ = Mode::kStreaming;
    }
    return true;
  }

  // Decodes blocks straight into `buf` while a whole block fits; the caller's ring keeps the
  // window (the promise of accept_output_ring).
  Result<size_t> decode_in_place(std::span<std::byte> buf) {
    if (buf.size() < kMinInPlaceRead) {
      return Error::internal(name_ + ": zstd output buffer smaller than the ring promised");
    }
    size_t produced = 0;
    while (buf.size() - produced >= kMinInPlaceRead) {
      size_t need = ZSTD_nextSrcSizeToDecompress(ctx_);
      if (need == 0) {
        mode_ = Mode::kFrameStart;
        break;
      }
      BW_ASSIGN_OR_RETURN(auto src, input_.peek(need));
      if (src.size() < need) return truncated();
      size_t n = ZSTD_decompressContinue(ctx_, buf.data() + produced, buf.size() - produced,
                                         src.data(), need);
      if (ZSTD_isError(n)) return corrupt(n);
      input_.consume(need);
      produced += n;
    }
    return produced;
  }

  // One call's worth of the streaming API: into its own window, copied out into `buf`.
  Result<size_t> decode_streaming(std::span<std::byte> buf) {
    ZSTD_outBuffer out{buf.data(), buf.size(), 0};
    while (out.pos == 0) {
      BW_ASSIGN_OR_RETURN(auto src, input_.some());
      if (src.empty()) return truncated();
      ZSTD_inBuffer in{src.data(), src.size(), 0};
      size_t ret = ZSTD_decompressStream(ctx_, &out, &in);
      if (ZSTD_isError(ret)) return corrupt(ret);
      input_.consume(in.pos);
      if (ret == 0) {  // the frame is complete and flushed
        mode_ = Mode::kFrameStart;
        break;
      }
    }
    return out.pos;
  }

  std::unique_ptr<ByteStream> inner_;
  std::string name_;
  BombGuard guard_;
  ZstdInput input_;
  ZSTD_DCtx* ctx_;
  size_t ring_bytes_ = 0;  // of the caller's ring; 0: no ring offered
  Mode mode_ = Mode::kFrameStart;
  uint64_t frames_ = 0;
  uint64_t out_total_ = 0;
  bool done_ = false;
};

// Counts plain (uncompressed) bytes against the total limit only.
class PlainStream final : public ByteStream {
 public:
  PlainStream(std::unique_ptr<ByteStream> inner, std::string name)
      : inner_(std::move(inner)), guard_(std::move(name)) {}
  Result<size_t> read(std::span<std::byte> buf) override {
    BW_ASSIGN_OR_RETURN(size_t n, inner_->read(buf));
    total_ += n;
    BW_TRY(guard_.account(total_, total_));
    return n;
  }

  void cancel() override { inner_->cancel(); }

 private:
  std::unique_ptr<ByteStream> inner_;
  BombGuard guard_;
  uint64_t total_ = 0;
};

// Replays bytes already read for sniffing, then continues with the inner stream.
class PrefixedStream final : public ByteStream {
 public:
  PrefixedStream(std::vector<std::byte> head, std::unique_ptr<ByteStream> inner)
      : head_(std::move(head)), inner_(std::move(inner)) {}
  Result<size_t> read(std::span<std::byte> buf) override {
    if (pos_ < head_.size()) {
      size_t n = std::min(buf.size(), head_.size() - pos_);
      std::memcpy(buf.data(), head_.data() + pos_, n);
      pos_ += n;
      return n;
    }
    return inner_->read(buf);
  }
  Result<std::span<const std::byte>> read_block(std::span<std::byte> scratch) override {
    if (pos_ < head_.size()) {
      auto rest = std::span<const std::byte>(head_).subspan(pos_);
      pos_ = head_.size();
      return rest;
    }
    return inner_->read_block(scratch);
  }

  void cancel() override { inner_->cancel(); }

 private:
  std::vector<std::byte> head_;
  size_t pos_ = 0;
  std::unique_ptr<ByteStream> inner_;
};

}  // namespace

std::string_view compression_name(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
  }
  return "?";
}

Compression sniff_compression(std::span<const std::byte> head) {
  auto b = [&](size_t i) { return static_cast<uint8_t>(head[i]); };
  if (head.size() >= 2 && b(0) == 0x1f && b(1) == 0x8b) return Compression::kGzip;
  if (head.size() >= 4 && b(0) == 0x28 && b(1) == 0xb5 && b(2) == 0x2f && b(3) == 0xfd)
    return Compression::kZstd;
  return Compression::kNone;
}

std::unique_ptr<ByteStream> make_decompressor(Compression c, std::unique_ptr<ByteStream> inner,
                                              std::string name) {
  switch (c) {
    case Compression::kGzip:
      return std::make_unique<GzipStream>(std::move(inner), std::move(name));
    case Compression::kZstd:
      return std::make_unique<ZstdStream>(std::move(inner), std::move(name));
    case Compression::kNone:
      break;
  }
  return std::make_unique<PlainStream>(std::move(inner), std::move(name));
}

Result<std::unique_ptr<ByteStream>> make_auto_decompressor(std::unique_ptr<ByteStream> inner,
                                                           std::string name,
                                                           Compression* detected) {
  std::vector<std::byte> head(4);
  size_t got = 0;
  while (got < head.size()) {
    BW_ASSIGN_OR_RETURN(size_t n, inner->read(std::span<std::byte>(head).subspan(got)));
    if (n == 0) break;
    got += n;
  }
  head.resize(got);
  Compression c = sniff_compression(head);
  if (detected != nullptr) *detected = c;
  auto replay = std::make_unique<PrefixedStream>(std::move(head), std::move(inner));
  return make_decompressor(c, std::move(replay), std::move(name));
}

}  // namespace bulwark::image
