// MappedBlobStream: a blob read through a memory mapping of its file range, hashed on a thread
// of its own; the bytes, the digest check, page alignment, bounded residency, early
// destruction and a file truncated under the mapping.
#include "image/mapped_stream.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/digest.hpp"
#include "image/container.hpp"
#include "image/stream.hpp"
#include "support/image_builder.hpp"
#include "support/test_env.hpp"

namespace bulwark::image {
namespace {

using testing::LayerCompression;
using testing::TempDir;

std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::shared_ptr<const int> open_fd(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0) << path;
  return std::shared_ptr<const int>(new int(fd), [](const int* p) {
    ::close(*p);
    delete p;
  });
}

// Reads a stream to its end, alternating lent blocks and copying reads of odd sizes.
core::Result<std::string> drain(ByteStream& s) {
  std::string out;
  std::vector<std::byte> buf(3001);
  for (int i = 0;; ++i) {
    if (i % 3 == 2) {
      BW_ASSIGN_OR_RETURN(size_t n, s.read(buf));
      if (n == 0) return out;
      out.append(reinterpret_cast<const char*>(buf.data()), n);
    } else {
      BW_ASSIGN_OR_RETURN(auto b, s.read_block(buf));
      if (b.empty()) return out;
      out.append(reinterpret_cast<const char*>(b.data()), b.size());
    }
  }
}

TEST(MappedBlobStream, RangeStartingAndEndingMidPageGivesExactlyItsBytesAndDigest) {
  TempDir tmp;
  std::string file = random_bytes(5 * 4096 + 333, 1);
  testing::write_file(tmp.path() / "blob", file);
  const uint64_t off = 700, len = 3 * 4096 + 50;  // starts and ends inside a page
  std::string want = file.substr(off, len);
  FileRangeStream range(open_fd(tmp.str() + "/blob"), off, len, "blobfile");
  // Tiny blocks and window: the reader and the hasher wait on each other often.
  auto s = MappedBlobStream::open(range, core::Digest::of(want), "blob", 1000, 2500);
  ASSERT_TRUE(s);
  auto got = drain(*s);
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_TRUE(*got == want);
  ASSERT_TRUE(s->computed());
  EXPECT_EQ(*s->computed(), core::Digest::of(want));
  EXPECT_EQ(s->bytes(), len);
  auto again = s->read_block({});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST(MappedBlobStream, DigestMismatchIsReportedBeforeTheEndNamingTheBlob) {
  TempDir tmp;
  std::string file = random_bytes(3 << 20, 2);
  testing::write_file(tmp.path() / "blob", file);
  FileRangeStream range(open_fd(tmp.str() + "/blob"), 0, file.size(), "blobfile");
  auto s = MappedBlobStream::open(range, core::Digest::of("other"), "layer sha256:feed");
  ASSERT_TRUE(s);
  auto got = drain(*s);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), core::ErrorCode::kDigestMismatch);
  EXPECT_EQ(got.error().message(), "layer sha256:feed: content hashes to " +
                                       core::Digest::of(file).str() + ", expected " +
                                       core::Digest::of("other").str());
  // The same error again, never a clean end.
  auto later = s->read_block({});
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().code(), core::ErrorCode::kDigestMismatch);
}

TEST(MappedBlobStream, MemberAtAnUnalignedOffsetOfARealTarReadsAsTheMember) {
  TempDir tmp;
  std::string first = random_bytes(1000, 3);    // the second member starts at 512 * 5
  std::string layer = random_bytes(300001, 4);  // ends mid-page, mid-block
  testing::write_file(tmp.path() / "a.bin", first);
  testing::write_file(tmp.path() / "layer.bin", layer);
  ASSERT_EQ(testing::run_command("tar -C '" + tmp.str() + "' -cf '" + tmp.str() +
                                 "/archive.tar' a.bin layer.bin"),
            0);
  auto archive = ArchiveContainer::open_file(tmp.str() + "/archive.tar");
  ASSERT_TRUE(archive.ok()) << archive.error().message();
  auto raw = (*archive)->open("layer.bin");
  ASSERT_TRUE(raw.ok());
  const auto* range = dynamic_cast<const FileRangeStream*>(raw->get());
  ASSERT_NE(range, nullptr);
  EXPECT_NE(range->position() % 4096, 0U);
  EXPECT_EQ(range->position() % 512, 0U);
  auto s = MappedBlobStream::open(*range, core::Digest::of(layer), "layer");
  ASSERT_TRUE(s);
  auto got = drain(*s);
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_TRUE(*got == layer);
}

TEST(MappedBlobStream, GzipLayerDecompressesFromTheMappingWithoutACopy) {
  TempDir tmp;
  std::string plain;
  for (int i = 0; i < 200000; ++i) plain += "row " + std::to_string(i) + "\n";
  std::string gz = testing::compress(plain, LayerCompression::kGzip);
  testing::write_file(tmp.path() / "blob", "xyz" + gz);
  FileRangeStream range(open_fd(tmp.str() + "/blob"), 3, gz.size(), "blobfile");
  auto s = MappedBlobStream::open(range, core::Digest::of(gz), "layer");
  ASSERT_TRUE(s);
  auto dec = make_auto_decompressor(std::move(s), "layer");
  ASSERT_TRUE(dec.ok());
  auto r = read_all(**dec, 1ULL << 32, "layer");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r, plain);
}

TEST(MappedBlobStream, DroppedEarlyWhileTheHasherRunsStopsIt) {
  TempDir tmp;
  std::string file = random_bytes(32 << 20, 5);
  testing::write_file(tmp.path() / "blob", file);
  auto fd = open_fd(tmp.str() + "/blob");
  for (int round = 0; round < 20; ++round) {
    FileRangeStream range(fd, 512, file.size() - 512, "blobfile");
    auto s = MappedBlobStream::open(range, core::Digest::of("x"), "layer");
    ASSERT_TRUE(s);
    if (round % 2 == 1) {
      auto b = s->read_block({});
      ASSERT_TRUE(b.ok());
      EXPECT_EQ(b->size(), MappedBlobStream::kBlock);
    }
  }  // each destructor joins a hasher that is running or waiting on the window
  SUCCEED();
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

TEST(MappedBlobStream, ResidentMemoryStaysBoundedWhateverTheBlobSize) {
  TempDir tmp;
  const size_t size = 192 << 20;
  {
    std::ofstream out(tmp.path() / "blob", std::ios::binary);
    std::string chunk = random_bytes(1 << 20, 6);
    for (size_t i = 0; i < size >> 20; ++i) out.write(chunk.data(), chunk.size());
  }
  FileRangeStream range(open_fd(tmp.str() + "/blob"), 0, size, "blobfile");
  auto s = MappedBlobStream::open(range, std::nullopt, "layer");
  ASSERT_TRUE(s);
  long base = rss_kib();
  long peak = base;
  uint64_t total = 0;
  // Every lent byte is read, as a decompressor would, by OpenSSL's SHA-256: code that is not
  // instrumented, so ThreadSanitizer's shadow memory (which would grow with every page our own
  // code touches, whatever the mapping releases) stays out of the measurement.
  core::Sha256 reader;
  while (true) {
    auto b = s->read_block({});
    ASSERT_TRUE(b.ok());
    if (b->empty()) break;
    reader.update(*b);
    total += b->size();
    if ((total & ((8 << 20) - 1)) == 0) peak = std::max(peak, rss_kib());
  }
  EXPECT_EQ(total, size);
  // Window + release step (2 MiB) + a block, with slack; never the blob's 192 MiB.
  EXPECT_LT(peak - base, 32 * 1024) << "RSS grew from " << base << " to " << peak << " KiB";
}

TEST(MappedBlobStream, FileTruncatedWhileMappedFailsInsteadOfCrashing) {
  TempDir tmp;
  std::string file = random_bytes(16 << 20, 7);
  testing::write_file(tmp.path() / "blob", file);
  FileRangeStream range(open_fd(tmp.str() + "/blob"), 0, file.size(), "blobfile");
  auto s = MappedBlobStream::open(range, core::Digest::of(file), "layer");
  ASSERT_TRUE(s);
  auto first = s->read_block({});
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(::truncate((tmp.str() + "/blob").c_str(), 1 << 20), 0);
  auto got = drain(*s);  // touches pages past the new end: SIGBUS, caught by the guard
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message(), "blobfile: file changed (truncated) while it was being read");
}

TEST(MappedBlobStream, NotARegularFileOrAShortFileIsLeftToPread) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ::close(p[1]);
  auto pipe_fd = std::shared_ptr<const int>(new int(p[0]), [](const int* q) {
    ::close(*q);
    delete q;
  });
  EXPECT_FALSE(MappedBlobStream::open(FileRangeStream(pipe_fd, 0, 100, "pipe"), {}, "x"));
  TempDir tmp;
  testing::write_file(tmp.path() / "short", std::string(100, 'a'));
  auto fd = open_fd(tmp.str() + "/short");
  EXPECT_FALSE(MappedBlobStream::open(FileRangeStream(fd, 50, 100, "short"), {}, "x"));
  EXPECT_FALSE(MappedBlobStream::open(FileRangeStream(fd, 50, 0, "short"), {}, "x"));
  EXPECT_TRUE(MappedBlobStream::open(FileRangeStream(fd, 50, 50, "short"), {}, "x"));
}

}  // namespace
}  // namespace bulwark::image
