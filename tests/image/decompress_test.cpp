#include <gtest/gtest.h>

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

}  // namespace
}  // namespace bulwark::image
