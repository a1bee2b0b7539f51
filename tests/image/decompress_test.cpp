#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
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

// 64 MiB of zeros gzipped, inflated by `inflater` under a 100:1 ratio limit: must stop with the
// bomb error.
template <typename Inflater>
void expect_bomb_stopped(Inflater inflater) {
  auto saved = core::limits();
  core::Limits l = saved;
  l.ratio_grace_bytes = 1 << 20;
  l.max_compression_ratio = 100;
  core::set_limits(l);
  std::string zeros(64 << 20, '\0');
  core::Result<std::string> r = std::string();
  inflater(testing::compress(zeros, LayerCompression::kGzip), &r);
  core::set_limits(saved);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), core::ErrorCode::kLimitExceeded);
  EXPECT_NE(r.error().message().find("decompression bomb"), std::string::npos);
}

TEST(Decompress, BombStopsAtTheRatioLimit) {
  expect_bomb_stopped([](const std::string& s, core::Result<std::string>* r) { inflate(s, r); });
}

// Lends its bytes in blocks of varying size (read_block) and counts how often a caller asked
// for a copy (read) instead: decompressors must take lent input where it is offered.
class LendingStream final : public ByteStream {
 public:
  explicit LendingStream(std::string data) : data_(std::move(data)) {}
  core::Result<size_t> read(std::span<std::byte> buf) override {
    ++copies_;
    size_t n = std::min(buf.size(), data_.size() - pos_);
    std::memcpy(buf.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  core::Result<std::span<const std::byte>> read_block(std::span<std::byte> /*scratch*/) override {
    static constexpr size_t kSizes[] = {1, 7, 4096, 333, 65536, 2};
    size_t n = std::min(kSizes[calls_++ % std::size(kSizes)], data_.size() - pos_);
    auto out = std::as_bytes(std::span<const char>(data_.data() + pos_, n));
    pos_ += n;
    return out;
  }
  int copies() const { return copies_; }

 private:
  std::string data_;
  size_t pos_ = 0;
  size_t calls_ = 0;
  int copies_ = 0;
};

// Inflates through a lending source; the result (bytes or error message) must equal the
// copying path's, and after the 4-byte sniff nothing is copied.
std::string inflate_lent(const std::string& stored, core::Result<std::string>* err) {
  auto src = std::make_unique<LendingStream>(stored);
  LendingStream* lender = src.get();
  auto s = make_auto_decompressor(std::move(src), "blob");
  if (!s.ok()) {
    *err = std::move(s).error();
    return "";
  }
  auto r = read_all(**s, 1ULL << 32, "blob");
  *err = r;
  EXPECT_LE(lender->copies(), 2);  // the sniff only (a short first read may take two)
  return r.ok() ? *r : "";
}

TEST(Decompress, LentInputGivesTheSameBytesAndErrorsAsCopiedInput) {
  auto a = sample();
  auto gz = testing::compress(a, LayerCompression::kGzip);
  auto zst = testing::compress(a, LayerCompression::kZstd);
  auto tail = testing::compress(std::string("tail\n"), LayerCompression::kGzip);
  std::vector<std::string> inputs = {
      gz,
      zst,
      gz + tail,                            // concatenated members
      gz + std::string(1000, '\0'),         // zero padding after the last member
      gz + std::string(10, '\0') + "junk",  // garbage after the padding
      gz.substr(0, gz.size() / 2),          // truncated gzip
      zst.substr(0, zst.size() / 2),        // truncated zstd
  };
  std::string corrupt = gz;
  for (size_t i = 20; i < 60; ++i) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  inputs.push_back(corrupt);
  for (size_t i = 0; i < inputs.size(); ++i) {
    core::Result<std::string> copied = std::string();
    core::Result<std::string> lent = std::string();
    auto want = inflate(inputs[i], &copied);
    auto got = inflate_lent(inputs[i], &lent);
    ASSERT_EQ(copied.ok(), lent.ok()) << "input " << i;
    if (copied.ok()) {
      EXPECT_EQ(got, want) << "input " << i;
    } else {
      EXPECT_EQ(lent.error().message(), copied.error().message()) << "input " << i;
    }
  }
  core::Result<std::string> r = std::string();
  EXPECT_EQ(inflate_lent(gz + tail, &r), a + "tail\n");
}

TEST(Decompress, BombStopsAtTheRatioLimitOnLentInput) {
  expect_bomb_stopped(
      [](const std::string& s, core::Result<std::string>* r) { inflate_lent(s, r); });
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

// A read that waits (as on a stalled network) until cancel() is called from another thread.
class StalledStream final : public ByteStream {
 public:
  core::Result<size_t> read(std::span<std::byte> /*buf*/) override {
    std::unique_lock lock(mu_);
    bool woke = cv_.wait_for(lock, std::chrono::seconds(20), [&] { return cancelled_; });
    if (!woke) return core::Error::io("blob: never cancelled");
    return core::Error::io("blob: download cancelled");
  }
  void cancel() override {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
  }
  bool cancelled() {
    std::lock_guard lock(mu_);
    return cancelled_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool cancelled_ = false;
};

TEST(PipelinedStream, DestructorCancelsASourceWaitingOnTheNetworkThroughTheWrappers) {
  // The layer reader's chain: stalled download -> hash -> stored pipeline -> decompressor ->
  // outer pipeline. Dropping the outer one must reach the download through every wrapper.
  auto stalled = std::make_unique<StalledStream>();
  StalledStream* source = stalled.get();
  auto hashed = std::make_unique<HashingStream>(std::move(stalled), std::nullopt, "blob");
  auto stored = std::make_unique<PipelinedStream>(std::move(hashed), 256 << 10, 8);
  auto dec = make_decompressor(Compression::kGzip, std::move(stored), "blob");
  auto start = std::chrono::steady_clock::now();
  {
    PipelinedStream tar(*dec, 1 << 20, 4);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // both threads now wait
  }
  EXPECT_TRUE(source->cancelled());
  dec.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
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
