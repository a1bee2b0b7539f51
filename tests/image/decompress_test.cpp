#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/limits.hpp"
#include "image/stream.hpp"
#include "support/image_builder.hpp"

namespace bulwark::image {
namespace {

using testing::LayerCompression;

std::string inflate(const std::string& stored, core::Result<std::string>* err = nullptr) {
  auto s = make_auto_decompressor(std::make_unique<MemoryStream>(stored), "blob");
  if (!s.ok()) {
    if (err) *err = std::move(s).error();
    return "";
  }
  auto r = read_all(**s, 1ULL << 32, "blob");
  if (err) *err = r;
  return r.ok() ? *r : "";
}

std::string sample() {
  std::string s;
  for (int i = 0; i < 100000; ++i) s += "line " + std::to_string(i) + "\n";
  return s;
}

TEST(Decompress, GzipAndZstdRoundTrip) {
  auto data = sample();
  EXPECT_EQ(inflate(testing::compress(data, LayerCompression::kGzip)), data);
  EXPECT_EQ(inflate(testing::compress(data, LayerCompression::kZstd)), data);
  EXPECT_EQ(inflate(data), data);
}

TEST(Decompress, ConcatenatedGzipMembersAreOneStream) {
  auto a = sample();
  std::string b = "tail\n";
  EXPECT_EQ(inflate(testing::compress(a, LayerCompression::kGzip) +
                    testing::compress(b, LayerCompression::kGzip)),
            a + b);
}

TEST(Decompress, TruncatedStreamsAreErrors) {
  auto data = sample();
  for (auto c : {LayerCompression::kGzip, LayerCompression::kZstd}) {
    auto stored = testing::compress(data, c);
    core::Result<std::string> r = std::string();
    inflate(stored.substr(0, stored.size() / 2), &r);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message().find("truncated"), std::string::npos) << r.error().message();
  }
}

TEST(Decompress, CorruptGzipIsAnError) {
  auto stored = testing::compress(sample(), LayerCompression::kGzip);
  for (size_t i = 20; i < 60; ++i) stored[i] = static_cast<char>(stored[i] ^ 0x5a);
  core::Result<std::string> r = std::string();
  inflate(stored, &r);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), core::ErrorCode::kInvalidInput);
}

TEST(Decompress, BombStopsAtTheRatioLimit) {
  auto saved = core::limits();
  core::Limits l = saved;
  l.ratio_grace_bytes = 1 << 20;
  l.max_compression_ratio = 100;
  core::set_limits(l);
  std::string zeros(64 << 20, '\0');
  core::Result<std::string> r = std::string();
  inflate(testing::compress(zeros, LayerCompression::kGzip), &r);
  core::set_limits(saved);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), core::ErrorCode::kLimitExceeded);
  EXPECT_NE(r.error().message().find("decompression bomb"), std::string::npos);
}

TEST(HashingStream, MismatchNamesTheBlob) {
  auto expected = core::Digest::of("other");
  HashingStream h(std::make_unique<MemoryStream>("content"), expected, "blob sha256:feed");
  auto r = read_all(h, 1000, "x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), core::ErrorCode::kDigestMismatch);
  EXPECT_NE(r.error().message().find("blob sha256:feed"), std::string::npos);
}

// A source that returns a few bytes per call, then an error (or endless zeros).
class TrickleStream final : public ByteStream {
 public:
  TrickleStream(std::string data, bool fail_at_end) : data_(std::move(data)), fail_(fail_at_end) {}
  core::Result<size_t> read(std::span<std::byte> buf) override {
    if (pos_ == data_.size()) {
      if (fail_) return core::Error::invalid("blob: truncated gzip stream");
      return size_t{0};
    }
    size_t n = std::min({buf.size(), data_.size() - pos_, size_t{777}});
    std::memcpy(buf.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  bool fail_;
  size_t pos_ = 0;
};

class EndlessStream final : public ByteStream {
 public:
  core::Result<size_t> read(std::span<std::byte> buf) override {
    std::memset(buf.data(), 0, buf.size());
    return buf.size();
  }
};

TEST(PipelinedStream, PassesEveryByteInOrderThroughReadAndLentBlocks) {
  auto data = sample();
  TrickleStream src(data, false);
  PipelinedStream piped(src, 4096, 3);
  std::string got;
  std::vector<std::byte> scratch(100);
  for (int i = 0;; ++i) {
    if (i % 2 == 0) {
      auto n = piped.read(scratch);
      ASSERT_TRUE(n.ok());
      if (*n == 0) break;
      got.append(reinterpret_cast<const char*>(scratch.data()), *n);
    } else {
      auto b = piped.read_block(scratch);
      ASSERT_TRUE(b.ok());
      if (b->empty()) break;
      got.append(reinterpret_cast<const char*>(b->data()), b->size());
    }
  }
  EXPECT_EQ(got, data);
  auto again = piped.read(scratch);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0U);
}

TEST(PipelinedStream, SourceErrorArrivesAfterTheBytesBeforeItAndStays) {
  std::string data(10000, 'x');
  TrickleStream src(data, true);
  PipelinedStream piped(src, 1024, 2);
  std::string got;
  std::vector<std::byte> buf(512);
  core::Result<size_t> n = size_t{0};
  while (true) {
    n = piped.read(buf);
    if (!n.ok() || *n == 0) break;
    got.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
  EXPECT_EQ(got, data);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().message(), "blob: truncated gzip stream");
  auto later = piped.read_block(buf);
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().message(), "blob: truncated gzip stream");
}

TEST(PipelinedStream, StopsItsThreadWhenDroppedBeforeTheEnd) {
  EndlessStream src;
  std::vector<std::byte> buf(4096);
  for (int i = 0; i < 20; ++i) {
    PipelinedStream piped(src, 1 << 16, 4);
    ASSERT_TRUE(piped.read(buf).ok());
  }  // each destructor must join a thread that is blocked on a full ring
  SUCCEED();
}

TEST(PipelinedStream, GzipThroughTwoPipelinesDecompressesAndChecksTheDigest) {
  auto data = sample();
  auto gz = testing::compress(data, LayerCompression::kGzip);
  auto digest = core::Digest::of(gz);
  auto hashed = std::make_unique<HashingStream>(std::make_unique<MemoryStream>(gz), digest, "blob");
  auto stored = std::make_unique<PipelinedStream>(std::move(hashed), 256 << 10, 8);
  auto dec = make_auto_decompressor(std::move(stored), "blob");
  ASSERT_TRUE(dec.ok());
  PipelinedStream tar(**dec, 1 << 20, 4);
  auto r = read_all(tar, 1ULL << 32, "blob");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r, data);

  auto bad = std::make_unique<HashingStream>(std::make_unique<MemoryStream>(gz),
                                             core::Digest::of("other"), "blob");
  auto dec2 = make_auto_decompressor(
      std::make_unique<PipelinedStream>(std::move(bad), 256 << 10, 8), "blob");
  ASSERT_TRUE(dec2.ok());
  PipelinedStream tar2(**dec2, 1 << 20, 4);
  auto r2 = read_all(tar2, 1ULL << 32, "blob");
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message().find("blob: content hashes to"), std::string::npos);
}

}  // namespace
}  // namespace bulwark::image
