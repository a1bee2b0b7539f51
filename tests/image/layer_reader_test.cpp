#include "image/layer_reader.hpp"

#include <gtest/gtest.h>

#include <mutex>

#include "core/limits.hpp"
#include "image/layer_cache.hpp"
#include "image/merged_fs.hpp"
#include "support/image_builder.hpp"
#include "support/test_env.hpp"

namespace bulwark::image {
namespace {

using testing::ImageBuilder;
using testing::LayerCompression;
using testing::TarEntry;

// Records what it was offered, as facts keyed by path (so results travel through the cache).
class RecordingAnalyzer final : public Analyzer {
 public:
  explicit RecordingAnalyzer(std::vector<PathPattern> p, std::string name = "recorder")
      : patterns_(std::move(p)), name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  int version() const override { return 1; }
  std::vector<PathPattern> patterns() const override { return patterns_; }
  core::Result<void> analyze(const Entry& e, EntryContent& c, LayerFacts& out) const override {
    BW_ASSIGN_OR_RETURN(auto data, c.read_all(1 << 20));
    out.captured[e.path] = data;
    std::lock_guard lock(mu_);
    ++calls_;
    return core::ok();
  }
  int calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::vector<PathPattern> patterns_;
  std::string name_;
  mutable std::mutex mu_;
  mutable int calls_ = 0;
};

Image open(const std::string& target) {
  auto img = open_image(target, {});
  EXPECT_TRUE(img.ok()) << img.error().message();
  return std::move(img).value();
}

TEST(LayerReader, OffersOnlyMatchingEntriesToTheAnalyzersThatAskedForThem) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("etc/os-release", "ID=debian\n"),
           TarEntry::file("usr/share/doc/a/copyright", "x"),
           TarEntry::file("usr/share/doc/a/b/copyright", "nested"),
           TarEntry::file("srv/app/package.json", "{}"),
           TarEntry::file("srv/app/other.txt", "no")});
  b.write_oci_layout(tmp.str() + "/l");
  RecordingAnalyzer os({PathPattern::exact("etc/os-release")}, "os");
  RecordingAnalyzer doc({PathPattern::glob("usr/share/doc/*/copyright")}, "doc");
  RecordingAnalyzer npm({PathPattern::suffix("/package.json")}, "npm");
  auto layers = read_layers(open(tmp.str() + "/l"), {&os, &doc, &npm}, {});
  ASSERT_TRUE(layers.ok()) << layers.error().message();
  const auto& cap = (*layers)[0].facts.captured;
  EXPECT_EQ(cap.size(), 3U);
  EXPECT_EQ(cap.at("etc/os-release"), "ID=debian\n");
  EXPECT_TRUE(cap.count("usr/share/doc/a/copyright"));
  EXPECT_FALSE(cap.count("usr/share/doc/a/b/copyright"));  // '*' does not cross '/'
  EXPECT_TRUE(cap.count("srv/app/package.json"));
  EXPECT_EQ(os.calls() + doc.calls() + npm.calls(), 3);
}

TEST(LayerReader, ReadsLongPaxNamesHardlinksAndRecordsWhiteouts) {
  testing::TempDir tmp;
  std::string long_dir(180, 'd');
  ImageBuilder b;
  b.layer({TarEntry::file(long_dir + "/" + std::string(120, 'f') + "/marker", "deep"),
           TarEntry::file("lib/real.so", "ELF"), TarEntry::hardlink("lib/alias.so", "lib/real.so"),
           TarEntry::symlink("lib/link.so", "real.so")});
  b.layer({TarEntry::whiteout("lib/real.so"), TarEntry::opaque("etc")});
  b.write_docker_archive(tmp.str() + "/img.tar");
  RecordingAnalyzer rec({PathPattern::suffix("/marker"), PathPattern::prefix("lib/")});
  auto layers = read_layers(open(tmp.str() + "/img.tar"), {&rec}, {});
  ASSERT_TRUE(layers.ok()) << layers.error().message();
  const auto& l0 = (*layers)[0];
  EXPECT_EQ(l0.facts.captured.at(long_dir + "/" + std::string(120, 'f') + "/marker"), "deep");
  EXPECT_EQ(l0.facts.captured.at("lib/alias.so"), "ELF");  // replayed from its hardlink target
  const auto& l1 = (*layers)[1];
  EXPECT_EQ(l1.files.whiteouts, std::vector<std::string>{"lib/real.so"});
  EXPECT_EQ(l1.files.opaque_dirs, std::vector<std::string>{"etc"});
  EXPECT_TRUE(l1.files.entries.empty());  // whiteout markers are not files
  // Uncompressed classic layers: the stored digest is the diff_id, verified for free.
  ASSERT_TRUE(l0.diff_id.has_value());
  EXPECT_EQ(l0.diff_id->hex, testing::sha256_hex(b.layers()[0].tar));
}

// Reads only the first bytes of what it is offered (an analyzer deciding from a file's magic).
class HeadAnalyzer final : public Analyzer {
 public:
  std::string_view name() const override { return "head"; }
  int version() const override { return 1; }
  std::vector<PathPattern> patterns() const override { return {PathPattern::prefix("")}; }
  core::Result<void> analyze(const Entry& e, EntryContent& c, LayerFacts& out) const override {
    std::string head(4, '\0');
    BW_ASSIGN_OR_RETURN(size_t n, c.read(std::as_writable_bytes(std::span(head.data(), 4))));
    head.resize(n);
    out.facts_by_path[e.path].push_back(head);
    return core::ok();
  }
};

// Promises content_only: records one package named after the file's first bytes and size.
class ContentOnlyAnalyzer final : public Analyzer {
 public:
  std::string_view name() const override { return "content-only"; }
  int version() const override { return 1; }
  std::vector<PathPattern> patterns() const override { return {PathPattern::prefix("bin/")}; }
  bool content_only() const override { return true; }
  core::Result<void> analyze(const Entry& e, EntryContent& c, LayerFacts& out) const override {
    std::string storage;
    BW_ASSIGN_OR_RETURN(auto data, c.read_rest(64 << 20, storage));
    core::Package p;
    p.name = std::string(data.substr(0, 4)) + ":" + std::to_string(data.size());
    out.packages_by_path[e.path] = {p};
    std::lock_guard lock(mu_);
    ++calls_;
    return core::ok();
  }
  int calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  mutable std::mutex mu_;
  mutable int calls_ = 0;
};

TEST(LayerReader, AnalyzersOfOneEntryEachSeeAllItsBytesWhateverTheOthersRead) {
  testing::TempDir tmp;
  std::string big(600000, 'x');  // several reads of the layer stream
  big.replace(0, 4, "ELF!");
  big.back() = 'z';
  ImageBuilder b;
  b.layer({TarEntry::file("bin/tool", big, 0755), TarEntry::file("etc/a.conf", "abcdefgh")});
  b.write_oci_layout(tmp.str() + "/l");
  HeadAnalyzer head;
  RecordingAnalyzer rec({PathPattern::prefix("")});
  ContentOnlyAnalyzer whole;
  // The head reader comes first: what it read is not lost to the analyzers after it.
  auto layers = read_layers(open(tmp.str() + "/l"), {&head, &rec, &whole}, {});
  ASSERT_TRUE(layers.ok()) << layers.error().message();
  const auto& f = (*layers)[0].facts;
  EXPECT_EQ(f.facts_by_path.at("bin/tool"), std::vector<std::string>{"ELF!"});
  EXPECT_EQ(f.facts_by_path.at("etc/a.conf"), std::vector<std::string>{"abcd"});
  EXPECT_EQ(f.captured.at("etc/a.conf"), "abcdefgh");
  EXPECT_EQ(f.captured.at("bin/tool").size(), big.size());
  EXPECT_EQ(f.captured.at("bin/tool").back(), 'z');
  ASSERT_EQ(f.packages_by_path.at("bin/tool").size(), 1U);
  EXPECT_EQ(f.packages_by_path.at("bin/tool")[0].name, "ELF!:" + std::to_string(big.size()));
}

TEST(LayerReader, HardlinkToALargeFileGetsTheContentOnlyResultAgainWithoutItsBytesKept) {
  testing::TempDir tmp;
  std::string big(5 << 20, 'q');  // above the size kept for hardlinks whatever read it
  ImageBuilder b;
  b.layer({TarEntry::file("bin/perl", big, 0755), TarEntry::hardlink("bin/perl5", "bin/perl"),
           TarEntry::file("bin/small", "tiny", 0755),
           TarEntry::hardlink("bin/small2", "bin/small")});
  b.write_docker_archive(tmp.str() + "/img.tar");
  ContentOnlyAnalyzer whole;
  auto layers = read_layers(open(tmp.str() + "/img.tar"), {&whole}, {});
  ASSERT_TRUE(layers.ok()) << layers.error().message();
  const auto& f = (*layers)[0].facts;
  EXPECT_TRUE(f.warnings.empty()) << f.warnings.front();
  ASSERT_EQ(f.packages_by_path.count("bin/perl5"), 1U);
  EXPECT_EQ(f.packages_by_path.at("bin/perl5")[0].name, "qqqq:" + std::to_string(5 << 20));
  EXPECT_EQ(f.packages_by_path.at("bin/small2")[0].name, "tiny:4");
  EXPECT_EQ(whole.calls(), 2);  // each target once; the hardlinks replay its result
}

// Reads executables as they stream past (like the Go and cargo-auditable catalogers): its
// result depends on the bytes alone, so a hardlink gets it again without a second pass.
class StreamingContentOnlyAnalyzer final : public Analyzer {
 public:
  std::string_view name() const override { return "stream-head"; }
  int version() const override { return 1; }
  std::vector<PathPattern> patterns() const override { return {PathPattern::prefix("bin/")}; }
  bool content_only() const override { return true; }
  bool streams() const override { return true; }
  core::Result<void> analyze(const Entry& e, EntryContent& c, LayerFacts& out) const override {
    std::string storage;
    BW_ASSIGN_OR_RETURN(auto data, c.read_rest(64 << 20, storage));
    auto sink = open_sink(e);
    sink->write(data);
    sink->finish(out);
    return core::ok();
  }
  std::unique_ptr<ChunkSink> open_sink(const Entry& e) const override {
    {
      std::lock_guard lock(mu_);
      ++sinks_;
    }
    return std::make_unique<Sink>(e.path);
  }
  int sinks() const {
    std::lock_guard lock(mu_);
    return sinks_;
  }

 private:
  class Sink final : public ChunkSink {
   public:
    explicit Sink(std::string path) : path_(std::move(path)) {}
    void write(std::string_view chunk) override {
      if (head_.size() < 4) head_ += chunk.substr(0, 4 - head_.size());
      size_ += chunk.size();
    }
    void finish(LayerFacts& out) override {
      core::Package p;
      p.name = head_ + ":" + std::to_string(size_);
      out.packages_by_path[path_] = {p};
    }

   private:
    std::string path_, head_;
    size_t size_ = 0;
  };
  mutable std::mutex mu_;
  mutable int sinks_ = 0;
};

TEST(LayerReader, HardlinkToAStreamedFileGetsTheStreamingContentOnlyResultAgain) {
  testing::TempDir tmp;
  std::string big(5 << 20, 'g');  // above the size kept for hardlinks
  ImageBuilder b;
  b.layer({TarEntry::file("bin/gosu", big, 0755), TarEntry::hardlink("bin/gosu2", "bin/gosu"),
           TarEntry::file("bin/small", "tiny", 0755),
           TarEntry::hardlink("bin/small2", "bin/small")});
  b.write_docker_archive(tmp.str() + "/img.tar");
  StreamingContentOnlyAnalyzer streamed;
  auto layers = read_layers(open(tmp.str() + "/img.tar"), {&streamed}, {});
  ASSERT_TRUE(layers.ok()) << layers.error().message();
  const auto& f = (*layers)[0].facts;
  EXPECT_TRUE(f.warnings.empty()) << f.warnings.front();
  for (const auto* path : {"bin/gosu", "bin/gosu2"}) {
    ASSERT_EQ(f.packages_by_path.count(path), 1U) << path;
    EXPECT_EQ(f.packages_by_path.at(path)[0].name, "gggg:" + std::to_string(5 << 20)) << path;
  }
  ASSERT_EQ(f.packages_by_path.count("bin/small2"), 1U);
  EXPECT_EQ(f.packages_by_path.at("bin/small2")[0].name, "tiny:4");
  EXPECT_EQ(streamed.sinks(), 2);  // each target streamed once; the hardlinks replay its result
}

TEST(LayerReader, EntriesEscapingTheRootAreIgnoredWithAWarning) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("../../etc/passwd", "root:x:0:0"), TarEntry::file("ok", "fine")});
  b.write_oci_layout(tmp.str() + "/l");
  auto layers = read_layers(open(tmp.str() + "/l"), {}, {});
  ASSERT_TRUE(layers.ok()) << layers.error().message();
  ASSERT_EQ((*layers)[0].files.entries.size(), 1U);
  EXPECT_EQ((*layers)[0].files.entries[0].path, "ok");
  ASSERT_EQ((*layers)[0].facts.warnings.size(), 1U);
  EXPECT_NE((*layers)[0].facts.warnings[0].find("escapes the image root"), std::string::npos);
}

TEST(LayerReader, TamperedLayerBlobFailsNamingTheBlob) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("a", std::string(5000, 'x'))}, LayerCompression::kNone);
  b.write_oci_layout(tmp.str() + "/l");
  auto hex = testing::sha256_hex(b.layers()[0].stored);
  auto blob = tmp.path() / "l/blobs/sha256" / hex;
  auto data = testing::read_file(blob);
  data[600] = 'y';
  testing::write_file(blob, data);
  auto layers = read_layers(open(tmp.str() + "/l"), {}, {});
  ASSERT_FALSE(layers.ok());
  EXPECT_EQ(layers.error().code(), core::ErrorCode::kDigestMismatch);
  EXPECT_NE(layers.error().message().find(hex), std::string::npos);
}

TEST(LayerReader, SeveralBadLayersAlwaysReportTheLowestOne) {
  // Layer 3 is the largest, so it is scheduled first; layer 1 is bad too. Whatever order the
  // threads take, the error must name layer 1.
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("a", std::string(3000, 'a'))}, LayerCompression::kNone);
  b.layer({TarEntry::file("b", "fine")}, LayerCompression::kNone);
  b.layer({TarEntry::file("c", std::string(200000, 'c'))}, LayerCompression::kNone);
  b.write_oci_layout(tmp.str() + "/l");
  for (size_t i : {0, 2}) {
    auto blob = tmp.path() / "l/blobs/sha256" / testing::sha256_hex(b.layers()[i].stored);
    auto data = testing::read_file(blob);
    data[600] = 'y';
    testing::write_file(blob, data);
  }
  auto img = open(tmp.str() + "/l");
  for (unsigned threads : {1U, 2U, 3U}) {
    for (int round = 0; round < 5; ++round) {
      ReadOptions opts;
      opts.threads = threads;
      auto layers = read_layers(img, {}, opts);
      ASSERT_FALSE(layers.ok());
      EXPECT_NE(layers.error().message().find("layer 1 "), std::string::npos)
          << threads << " threads: " << layers.error().message();
    }
  }
}

TEST(LayerReader, TruncatedLayerIsAnError) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("a", std::string(100000, 'x'))});
  auto stored = b.layers()[0].stored;
  b.write_docker_archive(tmp.str() + "/img.tar", /*classic=*/false);
  // Rewrite the archive with the layer blob cut in half (and its name no longer its digest).
  auto layers_hex = testing::sha256_hex(stored);
  auto config = b.config_json();
  testing::write_plain_tar(
      tmp.str() + "/cut.tar",
      {{"config.json", config},
       {"layer.tar.gz", stored.substr(0, stored.size() / 2)},
       {"manifest.json", R"([{"Config":"config.json","Layers":["layer.tar.gz"]}])"}});
  auto layers = read_layers(open(tmp.str() + "/cut.tar"), {}, {});
  ASSERT_FALSE(layers.ok());
  EXPECT_NE(layers.error().message().find("truncated"), std::string::npos)
      << layers.error().message();
}

TEST(LayerReader, VerifiesDiffIdsOnRequest) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("a", "1")}).claim_diff_id(0, "sha256:" + std::string(64, '0'));
  b.write_oci_layout(tmp.str() + "/l");
  auto img = open(tmp.str() + "/l");
  EXPECT_TRUE(read_layers(img, {}, {}).ok());  // not checked by default for compressed layers
  ReadOptions opts;
  opts.verify_diff_ids = true;
  auto r = read_layers(img, {}, opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), core::ErrorCode::kDigestMismatch);
}

TEST(LayerCache, SecondScanComesFromTheCache) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("etc/os-release", "ID=debian\n")}).layer({TarEntry::file("x", "y")});
  b.write_docker_archive(tmp.str() + "/img.tar");
  testing::let_files_settle();
  RecordingAnalyzer rec({PathPattern::exact("etc/os-release")});
  ReadOptions opts;
  opts.cache_dir = tmp.str() + "/cache";
  auto img = open(tmp.str() + "/img.tar");
  auto first = read_layers(img, {&rec}, opts);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE((*first)[0].from_cache);
  auto second = read_layers(img, {&rec}, opts);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE((*second)[0].from_cache);
  EXPECT_TRUE((*second)[1].from_cache);
  EXPECT_EQ(rec.calls(), 1);
  EXPECT_EQ((*second)[0].facts.captured, (*first)[0].facts.captured);
  EXPECT_EQ((*second)[0].files.entries.size(), (*first)[0].files.entries.size());
  // A new analyzer version invalidates the entry.
  RecordingAnalyzer other({PathPattern::exact("etc/os-release")}, "other");
  auto third = read_layers(img, {&other}, opts);
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE((*third)[0].from_cache);
}

// The attack: a config claims the diff_id of a layer the cache knows as clean, while the
// blob it ships is malicious. The cache is keyed by the verified blob digest, so the
// malicious layer is analyzed, not skipped.
TEST(LayerCache, FileChangedJustBeforeTheReadIsNotTrustedByIdentity) {
  // A classic docker-archive names no layer digests, so a warm hit needs the verified-file
  // index. A file whose last change is within a timestamp tick of the read could change again
  // without changing its identity, so it is hashed again rather than remembered.
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("etc/os-release", "ID=debian\n")});
  b.write_docker_archive(tmp.str() + "/img.tar");
  RecordingAnalyzer rec({PathPattern::exact("etc/os-release")});
  ReadOptions opts;
  opts.cache_dir = tmp.str() + "/cache";
  auto img = open(tmp.str() + "/img.tar");
  ASSERT_TRUE(read_layers(img, {&rec}, opts).ok());
  auto again = read_layers(img, {&rec}, opts);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE((*again)[0].from_cache);
  testing::let_files_settle();
  ASSERT_TRUE(read_layers(img, {&rec}, opts).ok());
  auto settled = read_layers(img, {&rec}, opts);
  ASSERT_TRUE(settled.ok());
  EXPECT_TRUE((*settled)[0].from_cache);
}

TEST(LayerCache, ClaimedDiffIdOfACleanLayerDoesNotSkipAMaliciousOne) {
  testing::TempDir tmp;
  RecordingAnalyzer rec({PathPattern::prefix("etc/")});
  ReadOptions opts;
  opts.cache_dir = tmp.str() + "/cache";

  ImageBuilder clean;
  clean.layer({TarEntry::file("etc/motd", "hello")});
  clean.write_docker_archive(tmp.str() + "/clean.tar");
  auto c = read_layers(open(tmp.str() + "/clean.tar"), {&rec}, opts);
  ASSERT_TRUE(c.ok());

  ImageBuilder evil;
  evil.layer({TarEntry::file("etc/motd", "hello"),
              TarEntry::file("etc/cron.d/miner", "* * * * * root /tmp/x")},
             LayerCompression::kGzip)
      .claim_diff_id(0, "sha256:" + testing::sha256_hex(clean.layers()[0].tar));
  evil.write_docker_archive(tmp.str() + "/evil.tar", /*classic=*/false);
  auto e = read_layers(open(tmp.str() + "/evil.tar"), {&rec}, opts);
  ASSERT_TRUE(e.ok()) << e.error().message();
  EXPECT_FALSE((*e)[0].from_cache);
  EXPECT_TRUE((*e)[0].facts.captured.count("etc/cron.d/miner"));
}

// A blob replaced in place behind a cached digest is re-verified, not trusted by name.
TEST(LayerCache, ReplacedBlobFileIsReverifiedNotTrusted) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("etc/motd", "hello")});
  b.write_oci_layout(tmp.str() + "/l");
  testing::let_files_settle();  // so the first read remembers the file's identity
  RecordingAnalyzer rec({PathPattern::prefix("etc/")});
  ReadOptions opts;
  opts.cache_dir = tmp.str() + "/cache";
  ASSERT_TRUE(read_layers(open(tmp.str() + "/l"), {&rec}, opts).ok());
  auto blob = tmp.path() / "l/blobs/sha256" / testing::sha256_hex(b.layers()[0].stored);
  ImageBuilder evil;
  evil.layer({TarEntry::file("etc/motd", "owned")});
  testing::write_file(blob, evil.layers()[0].stored);
  auto r = read_layers(open(tmp.str() + "/l"), {&rec}, opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), core::ErrorCode::kDigestMismatch);
}

}  // namespace
}  // namespace bulwark::image

namespace bulwark::image {
namespace {

TEST(LayerReader, HugeSingleEntryIsAWarningNotAFailure) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("etc/big.conf", std::string(3 << 20, 'z')),
           TarEntry::file("etc/small.conf", "ok")});
  b.write_oci_layout(tmp.str() + "/l");
  auto saved = core::limits();
  auto l = saved;
  l.max_file_read = 1 << 20;
  core::set_limits(l);
  RecordingAnalyzer rec({PathPattern::prefix("etc/")});
  auto layers = read_layers(open(tmp.str() + "/l"), {&rec}, {});
  core::set_limits(saved);
  ASSERT_TRUE(layers.ok()) << layers.error().message();
  EXPECT_EQ((*layers)[0].facts.captured.count("etc/small.conf"), 1U);
  EXPECT_EQ((*layers)[0].facts.captured.count("etc/big.conf"), 0U);
  ASSERT_EQ((*layers)[0].facts.warnings.size(), 1U);
  EXPECT_NE((*layers)[0].facts.warnings[0].find("etc/big.conf"), std::string::npos);
}

TEST(LayerReader, NonUtf8NamesAreKeptAsBytes) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("etc/caf\xe9.conf", "x")});
  b.write_oci_layout(tmp.str() + "/l");
  RecordingAnalyzer rec({PathPattern::prefix("etc/")});
  auto layers = read_layers(open(tmp.str() + "/l"), {&rec}, {});
  ASSERT_TRUE(layers.ok()) << layers.error().message();
  ASSERT_EQ((*layers)[0].facts.captured.size(), 1U);
}

}  // namespace
}  // namespace bulwark::image

namespace bulwark::image {
namespace {

TEST(LayerReader, NamelessWhiteoutDeletesNothing) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("etc/motd", "hi")})
      .layer({TarEntry::file(".wh.", ""), TarEntry::file("x/.wh.", "")});
  b.write_oci_layout(tmp.str() + "/l");
  auto layers = read_layers(open(tmp.str() + "/l"), {}, {});
  ASSERT_TRUE(layers.ok());
  EXPECT_TRUE((*layers)[1].files.whiteouts.empty());
  EXPECT_EQ((*layers)[1].facts.warnings.size(), 2U);
  EXPECT_NE(MergedFs::build(*layers).find("etc/motd"), nullptr);
}

TEST(LayerReader, RootfsDirectoryKeepsSymlinksAtTheirOwnPath) {
  testing::TempDir tmp;
  testing::write_file(tmp.path() / "usr/lib/os-release", "ID=debian\n");
  std::filesystem::create_directories(tmp.path() / "etc");
  std::filesystem::create_symlink("../usr/lib/os-release", tmp.path() / "etc/os-release");
  std::filesystem::create_symlink("/usr/lib/os-release", tmp.path() / "etc/abs-link");
  auto layers = read_layers(open("dir:" + tmp.str()), {}, {});
  ASSERT_TRUE(layers.ok());
  auto fs = MergedFs::build(*layers);
  ASSERT_NE(fs.find("etc/os-release"), nullptr);
  EXPECT_EQ(fs.find("etc/os-release")->entry->type, EntryType::kSymlink);
  EXPECT_EQ(fs.find("usr/lib/os-release")->entry->type, EntryType::kFile);
  EXPECT_EQ(fs.resolve("etc/abs-link"), "usr/lib/os-release");
}

TEST(LayerCache, RefusesADirectoryOthersCanWrite) {
  testing::TempDir tmp;
  auto dir = tmp.str() + "/shared-cache";
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::all);
  EXPECT_FALSE(LayerCache::prepare(dir).ok());
  auto own = tmp.str() + "/own";
  ASSERT_TRUE(LayerCache::prepare(own).ok());
  EXPECT_EQ(std::filesystem::status(own).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_all);
}

TEST(LayerCache, TestLayersAreTheSameBlobWhenWrittenASecondApart) {
  // WarmScanStillVerifiesDiffIds needs its two images to share the layer blob: a gzip header
  // with the writing time in it made them differ when a second boundary fell between them.
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("a", "1")});
  b.write_oci_layout(tmp.str() + "/l");
  int gzip_blobs = 0;
  for (const auto& e : std::filesystem::directory_iterator(tmp.path() / "l/blobs/sha256")) {
    std::string blob = testing::read_file(e.path());
    if (blob.size() < 10 || blob[0] != '\x1f' || blob[1] != '\x8b') continue;
    ++gzip_blobs;
    EXPECT_EQ(blob.substr(4, 4), std::string(4, '\0')) << "gzip MTIME set in " << e.path();
  }
  EXPECT_EQ(gzip_blobs, 1);
}

TEST(LayerCache, WarmScanStillVerifiesDiffIds) {
  testing::TempDir tmp;
  ImageBuilder good;
  good.layer({TarEntry::file("a", "1")});
  good.write_oci_layout(tmp.str() + "/good");
  ReadOptions opts;
  opts.cache_dir = tmp.str() + "/cache";
  ASSERT_TRUE(read_layers(open(tmp.str() + "/good"), {}, opts).ok());  // cached without a diff_id
  opts.verify_diff_ids = true;
  auto verified = read_layers(open(tmp.str() + "/good"), {}, opts);
  ASSERT_TRUE(verified.ok()) << verified.error().message();  // a miss, read again with the check
  EXPECT_FALSE((*verified)[0].from_cache);
  // The same blob under a config that lies about its diff_id fails, warm or not.
  ImageBuilder liar;
  liar.layer({TarEntry::file("a", "1")}).claim_diff_id(0, "sha256:" + std::string(64, 'f'));
  liar.write_oci_layout(tmp.str() + "/liar");
  opts.verify_diff_ids = false;
  auto r = read_layers(open(tmp.str() + "/liar"), {}, opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), core::ErrorCode::kDigestMismatch);
}

}  // namespace
}  // namespace bulwark::image
