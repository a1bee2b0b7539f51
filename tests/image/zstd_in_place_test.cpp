// zstd decoded in place, in PipelinedStream's ring (ByteStream::accept_output_ring), checked
// against libzstd's own one-shot decoder and the original bytes: many laps of the ring with
// back-references across its wrap, frames whose window is too large for the ring (decoded by
// the streaming API instead), skippable frames, input lent in pieces that split every block,
// and corrupt or truncated input.
#define ZSTD_STATIC_LINKING_ONLY
#include <gtest/gtest.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "image/stream.hpp"

namespace bulwark::image {
namespace {

// Bytes that compress only through back-references: random 4 KiB pieces, and copies of pieces
// from up to `reach` bytes back, so that matches span the ring's wrap many times over.
std::string referencing_data(size_t size, size_t reach, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out;
  out.reserve(size);
  constexpr size_t kPiece = 4096;
  while (out.size() < size) {
    if (out.size() < 2 * kPiece || rng() % 3 == 0) {
      for (size_t i = 0; i < kPiece; ++i) out.push_back(static_cast<char>(rng() & 0x3f));
    } else {
      size_t back = std::min(out.size() - kPiece, static_cast<size_t>(rng() % reach));
      size_t from = out.size() - kPiece - back;
      out.append(out, from, kPiece);  // out.size() grows; `from` stays valid
    }
  }
  out.resize(size);
  return out;
}

std::string zstd_frame(const std::string& data, int window_log, bool checksum = true) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3);
  ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, window_log);
  ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, checksum ? 1 : 0);
  // Content size left out, as a streaming compressor (a layer being pushed) writes it.
  ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 0);
  std::string out(ZSTD_compressBound(data.size()), '\0');
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  ZSTD_inBuffer i{data.data(), data.size(), 0};
  size_t rc = ZSTD_compressStream2(c, &o, &i, ZSTD_e_end);
  ZSTD_freeCCtx(c);
  EXPECT_EQ(rc, 0U) << ZSTD_getErrorName(rc);
  out.resize(o.pos);
  return out;
}

std::string skippable_frame(const std::string& payload) {
  std::string out(payload.size() + 8, '\0');
  size_t n = ZSTD_writeSkippableFrame(out.data(), out.size(), payload.data(), payload.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// libzstd's own decoder, the reference.
std::string zstd_reference(const std::string& stored) {
  ZSTD_DCtx* d = ZSTD_createDCtx();
  ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, 27);
  std::string out;
  std::string buf(1 << 20, '\0');
  ZSTD_inBuffer in{stored.data(), stored.size(), 0};
  while (in.pos < in.size) {
    ZSTD_outBuffer o{buf.data(), buf.size(), 0};
    size_t rc = ZSTD_decompressStream(d, &o, &in);
    EXPECT_FALSE(ZSTD_isError(rc)) << ZSTD_getErrorName(rc);
    if (ZSTD_isError(rc)) break;
    out.append(buf, 0, o.pos);
  }
  ZSTD_freeDCtx(d);
  return out;
}

// Lends its bytes in pieces of `piece` bytes, as a mapped blob lends its blocks: a zstd block
// (up to 128 KiB) then straddles many pieces.
class LendingStream final : public ByteStream {
 public:
  LendingStream(std::string data, size_t piece) : data_(std::move(data)), piece_(piece) {}
  core::Result<size_t> read(std::span<std::byte> buf) override {
    size_t n = std::min({buf.size(), piece_, data_.size() - pos_});
    std::memcpy(buf.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  core::Result<std::span<const std::byte>> read_block(std::span<std::byte> /*scratch*/) override {
    size_t n = std::min(piece_, data_.size() - pos_);
    auto out = std::as_bytes(std::span<const char>(data_.data() + pos_, n));
    pos_ += n;
    return out;
  }

 private:
  std::string data_;
  size_t piece_;
  size_t pos_ = 0;
};

struct Decoded {
  core::Result<std::string> bytes = std::string();
  bool in_place = false;
};

// The layer reader's arrangement: a zstd decompressor feeding a PipelinedStream whose ring is
// chunk * depth bytes; the consumer takes lent blocks.
Decoded through_ring(std::unique_ptr<ByteStream> stored, size_t chunk, size_t depth) {
  auto dec = make_decompressor(Compression::kZstd, std::move(stored), "blob");
  PipelinedStream piped(*dec, chunk, depth);
  std::string out;
  std::vector<std::byte> scratch(4096);
  Decoded d;
  while (true) {
    auto b = piped.read_block(scratch);
    if (!b.ok()) {
      d.bytes = std::move(b).error();
      break;
    }
    if (b->empty()) {
      d.bytes = std::move(out);
      break;
    }
    out.append(reinterpret_cast<const char*>(b->data()), b->size());
  }
  d.in_place = piped.source_writes_in_place();
  return d;
}

TEST(ZstdInPlace, ManyLapsOfTheRingWithReferencesAcrossItsWrapMatchTheReferenceDecoder) {
  // A 1 MiB window in a 2 MiB ring: 24 MiB of output is 12 laps, and every lap's start refers
  // back into the previous lap's end.
  auto data = referencing_data(24 << 20, 1 << 20, 1);
  auto stored = zstd_frame(data, 20);
  ASSERT_LT(stored.size(), data.size() * 3 / 4) << "the data must compress through references";
  ASSERT_EQ(zstd_reference(stored), data);
  auto d = through_ring(std::make_unique<MemoryStream>(stored), 256 << 10, 8);
  ASSERT_TRUE(d.bytes.ok()) << d.bytes.error().message();
  EXPECT_TRUE(d.in_place);
  EXPECT_TRUE(*d.bytes == data);
}

TEST(ZstdInPlace, InputLentInPiecesThatSplitEveryBlockDecodesTheSame) {
  auto data = referencing_data(6 << 20, 1 << 20, 2);
  auto stored = zstd_frame(data, 20);
  for (size_t piece : {size_t{1}, size_t{777}, size_t{65536}, size_t{1} << 20}) {
    if (piece == 1 && stored.size() > (4 << 20)) continue;
    auto d = through_ring(std::make_unique<LendingStream>(stored, piece), 256 << 10, 8);
    ASSERT_TRUE(d.bytes.ok()) << "piece " << piece << ": " << d.bytes.error().message();
    EXPECT_TRUE(*d.bytes == data) << "piece " << piece;
  }
}

TEST(ZstdInPlace, FramesOfEveryKindInOneStreamDecodeInOrder) {
  // In place (window fits the ring), streaming (window of 4 MiB does not), skippable, a frame
  // with no checksum, an empty frame: one after the other, as concatenated zstd is valid.
  auto a = referencing_data(3 << 20, 1 << 20, 3);
  auto b = referencing_data(5 << 20, 4 << 20, 4);
  auto c = referencing_data(100000, 50000, 5);
  std::string stored = zstd_frame(a, 20) + zstd_frame(b, 22) + skippable_frame("metadata") +
                       zstd_frame(c, 18, false) + zstd_frame("", 10);
  std::string want = a + b + c;
  ASSERT_EQ(zstd_reference(stored), want);
  for (size_t piece : {size_t{777}, size_t{1} << 20}) {
    auto d = through_ring(std::make_unique<LendingStream>(stored, piece), 256 << 10, 8);
    ASSERT_TRUE(d.bytes.ok()) << d.bytes.error().message();
    EXPECT_TRUE(d.in_place);
    EXPECT_TRUE(*d.bytes == want) << "piece " << piece;
  }
}

TEST(ZstdInPlace, ARingTooSmallForAnyWindowIsDeclinedAndTheStreamingDecoderRuns) {
  auto data = referencing_data(1 << 20, 100000, 6);
  auto d = through_ring(std::make_unique<MemoryStream>(zstd_frame(data, 20)), 4096, 4);
  ASSERT_TRUE(d.bytes.ok()) << d.bytes.error().message();
  EXPECT_FALSE(d.in_place);
  EXPECT_TRUE(*d.bytes == data);
}

TEST(ZstdInPlace, CorruptTruncatedAndTrailingGarbageAreErrorsNamingTheBlob) {
  auto data = referencing_data(3 << 20, 1 << 20, 7);
  auto stored = zstd_frame(data, 20);
  auto error_of = [](std::string bytes) {
    auto d = through_ring(std::make_unique<LendingStream>(std::move(bytes), 65536), 256 << 10, 8);
    return d.bytes.ok() ? std::string("no error") : d.bytes.error().message();
  };
  auto flipped = stored;
  flipped[flipped.size() - 2] = static_cast<char>(flipped[flipped.size() - 2] ^ 0x55);  // checksum
  EXPECT_EQ(error_of(flipped), "blob: corrupt zstd stream (Restored data doesn't match checksum)");
  auto middle = stored;
  for (size_t i = middle.size() / 2; i < middle.size() / 2 + 64; ++i) middle[i] = '\x7f';
  EXPECT_NE(error_of(middle).find("blob: corrupt zstd stream ("), std::string::npos);
  EXPECT_EQ(error_of(stored.substr(0, stored.size() / 2)), "blob: truncated zstd stream");
  EXPECT_EQ(error_of(stored.substr(0, 5)), "blob: truncated zstd stream");  // inside the header
  EXPECT_EQ(error_of(stored.substr(0, 7)), "blob: truncated zstd stream");  // in a block header
  EXPECT_EQ(error_of(""), "blob: truncated zstd stream");
  EXPECT_NE(error_of(stored + "garbage after the frame").find("blob: corrupt zstd stream ("),
            std::string::npos);
}

TEST(ZstdInPlace, AWindowAboveTheLimitIsRefusedWithoutAllocatingIt) {
  // A frame header (RFC 8878, 3.1.1.1) asking for a 2^28 window, beyond the 2^27 limit: magic,
  // descriptor 0 (no content size, no checksum, no dictionary), window descriptor exponent 18
  // (2^(10+18)), then one empty last raw block.
  const std::string stored("\x28\xb5\x2f\xfd\x00\x90\x01\x00\x00", 9);
  auto d = through_ring(std::make_unique<MemoryStream>(stored), 1 << 20, 16);
  ASSERT_FALSE(d.bytes.ok());
  EXPECT_EQ(d.bytes.error().message(),
            "blob: corrupt zstd stream (Frame requires too much memory for decoding)");
}

}  // namespace
}  // namespace bulwark::image
