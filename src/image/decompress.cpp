// Streaming decompression. gzip goes through ISA-L's igzip (the fastest inflate on x86 here;
// see bench/RESULTS.md), zstd through libzstd's streaming API. Both count output against the
// decompression-bomb limits before handing bytes on.
#include <isa-l/igzip_lib.h>
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

class ZstdStream final : public ByteStream {
 public:
  ZstdStream(std::unique_ptr<ByteStream> inner, std::string name)
      : inner_(std::move(inner)),
        name_(std::move(name)),
        guard_(name_),
        in_(ZSTD_DStreamInSize()),
        ctx_(ZSTD_createDCtx()) {
    // Frames may ask for a window up to 2^27 (128 MiB, zstd's default maximum): bounded memory.
    ZSTD_DCtx_setParameter(ctx_, ZSTD_d_windowLogMax, 27);
  }
  ~ZstdStream() override { ZSTD_freeDCtx(ctx_); }
  ZstdStream(const ZstdStream&) = delete;
  ZstdStream& operator=(const ZstdStream&) = delete;

  Result<size_t> read(std::span<std::byte> buf) override {
    if (done_ || buf.empty()) return size_t{0};
    ZSTD_outBuffer out{buf.data(), buf.size(), 0};
    while (out.pos == 0) {
      if (input_.pos == input_.size) {
        // Lent from the inner stream's buffer where it has one (no copy); valid until the
        // next call on inner_, which comes only once zstd consumed all of it.
        BW_ASSIGN_OR_RETURN(auto block, inner_->read_block(std::span<std::byte>(in_)));
        size_t n = block.size();
        if (n == 0) {
          if (last_ret_ != 0) return Error::invalid(name_ + ": truncated zstd stream");
          done_ = true;
          return size_t{0};
        }
        in_total_ += n;
        input_ = ZSTD_inBuffer{block.data(), n, 0};
      }
      size_t ret = ZSTD_decompressStream(ctx_, &out, &input_);
      if (ZSTD_isError(ret)) {
        return Error::invalid(name_ + ": corrupt zstd stream (" + ZSTD_getErrorName(ret) + ")");
      }
      last_ret_ = ret;
    }
    out_total_ += out.pos;
    BW_TRY(guard_.account(in_total_, out_total_));
    return out.pos;
  }

  void cancel() override { inner_->cancel(); }

 private:
  std::unique_ptr<ByteStream> inner_;
  std::string name_;
  BombGuard guard_;
  std::vector<std::byte> in_;
  ZSTD_DCtx* ctx_;
  ZSTD_inBuffer input_{nullptr, 0, 0};
  size_t last_ret_ = 1;  // 0 once a frame is complete
  uint64_t in_total_ = 0;
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
