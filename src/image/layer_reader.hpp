// The one-pass layer reader: each layer blob is read and decompressed exactly once, streaming,
// layers in parallel; every tar entry is offered only to the analyzers whose path patterns
// match it (one precompiled matcher). Per-layer results are cached by verified blob digest.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/digest.hpp"
#include "core/package.hpp"
#include "core/result.hpp"
#include "image/image.hpp"

namespace bulwark::image {

enum class EntryType { kFile, kDir, kSymlink, kHardlink, kOther };

struct Entry {
  std::string path;  // normalised, relative to the image root ("etc/os-release")
  EntryType type = EntryType::kFile;
  uint64_t size = 0;
  uint32_t mode = 0;  // permission bits incl. setuid/setgid/sticky
  int64_t uid = 0, gid = 0;
  std::string link_target;  // symlink: as written; hardlink: normalised path of the target
};

// The bytes of the entry being offered. Reading is optional; what is not read is skipped.
class EntryContent {
 public:
  virtual ~EntryContent() = default;
  virtual core::Result<size_t> read(std::span<std::byte> buf) = 0;
  // Reads the rest of the entry, failing when it is larger than `limit`. `size_hint` (the
  // header's size) sizes the buffer up front.
  virtual core::Result<std::string> read_all(uint64_t limit, uint64_t size_hint = 0);
  // The rest of the entry as one view, failing when it is larger than `limit`: without a copy
  // where the bytes are (or can be) held by the reader, else read into `storage`. The view
  // lives as long as this content and `storage`.
  virtual core::Result<std::string_view> read_rest(uint64_t limit, std::string& storage);
};

// Content held in memory: hardlinked files replayed from a capture, and tests.
class StringContent final : public EntryContent {
 public:
  explicit StringContent(std::string_view data) : data_(data) {}
  core::Result<size_t> read(std::span<std::byte> buf) override;
  core::Result<std::string> read_all(uint64_t limit, uint64_t size_hint = 0) override;
  core::Result<std::string_view> read_rest(uint64_t limit, std::string& storage) override;

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

struct PathPattern {
  enum class Kind { kExact, kSuffix, kPrefix, kGlob, kAll };
  Kind kind;
  std::string text;
  static PathPattern exact(std::string p) { return {Kind::kExact, std::move(p)}; }
  static PathPattern suffix(std::string p) { return {Kind::kSuffix, std::move(p)}; }
  static PathPattern prefix(std::string p) { return {Kind::kPrefix, std::move(p)}; }
  // fnmatch(3) syntax with FNM_PATHNAME: "var/lib/dpkg/info/*.list"
  static PathPattern glob(std::string p) { return {Kind::kGlob, std::move(p)}; }
  // Every regular file (secret and malware scanners).
  static PathPattern all() { return {Kind::kAll, {}}; }
};

// What the analyzers of one layer found. Everything is keyed by the image path it came from,
// so that merging the layers can apply "the topmost visible version of a path wins".
struct LayerFacts {
  std::map<std::string, std::vector<core::Package>> packages_by_path;
  std::map<std::string, std::vector<std::string>> facts_by_path;  // e.g. owned files, licenses
  std::map<std::string, std::string> captured;                    // small files kept verbatim
  // Findings about a file (secrets, malware), one encoded record each, by the analyzer that
  // made them; the merge step decodes them and dates them to this layer.
  std::map<std::string, std::vector<std::string>> findings_by_path;
  std::vector<std::string> warnings;  // "path: reason", one per file that could not be read
};

// Receives one entry's bytes in order, in chunks; finish() is called once at the end.
class ChunkSink {
 public:
  virtual ~ChunkSink() = default;
  virtual void write(std::string_view chunk) = 0;
  virtual void finish(LayerFacts& out) = 0;
};

// Per-layer analysis. Implementations keep no state between calls (layers run in parallel).
class Analyzer {
 public:
  virtual ~Analyzer() = default;
  virtual std::string_view name() const = 0;
  // Bumped whenever the analyzer's output for the same bytes changes; part of the cache key.
  virtual int version() const = 0;
  virtual std::vector<PathPattern> patterns() const = 0;
  // A second, cheap filter on the entry header for analyzers whose paths cannot be named in
  // advance (executables anywhere in the image): false skips the entry before it is read.
  virtual bool wants(const Entry& /*entry*/) const { return true; }
  // True when what analyze() records depends only on the entry's bytes, and is nothing but
  // packages_by_path[entry.path], assigned whole (executables: Go build info, cargo-auditable).
  // A hardlink to a file it analyzed then gets that result again without the bytes being kept.
  virtual bool content_only() const { return false; }
  virtual core::Result<void> analyze(const Entry& entry, EntryContent& content,
                                     LayerFacts& out) const = 0;
  // Analyzers that read every byte of many files (secrets, malware) return a sink per entry
  // instead: the reader then reads the entry once, in chunks, for all of them, and no file is
  // held whole. nullptr: use analyze(). Hardlinks are not offered to sinks (their bytes are
  // read at the path they link to).
  virtual std::unique_ptr<ChunkSink> open_sink(const Entry& /*entry*/) const { return nullptr; }
  virtual bool streams() const { return false; }
};

// Every entry of a layer, for the merged view. Whiteouts are not entries: they are recorded
// as the paths they delete and the directories they make opaque.
struct LayerIndex {
  std::vector<Entry> entries;
  std::vector<std::string> whiteouts;    // paths deleted from lower layers
  std::vector<std::string> opaque_dirs;  // directories whose lower content is hidden
};

struct LayerResult {
  int layer = 0;                            // 0-based position in the image
  std::optional<core::Digest> blob_digest;  // verified digest of the stored bytes
  std::optional<core::Digest> diff_id;      // verified digest of the uncompressed tar, if computed
  uint64_t stored_bytes = 0;
  uint64_t uncompressed_bytes = 0;
  bool from_cache = false;
  LayerIndex files;
  LayerFacts facts;
};

struct Progress {
  std::atomic<uint64_t> stored_bytes_read{0};
  std::atomic<int> layers_done{0};
  std::atomic<uint64_t> stored_bytes_total{0};
  std::atomic<int> layers_total{0};
};

struct ReadOptions {
  bool verify_diff_ids = false;
  unsigned threads = 0;                  // 0: one per core
  std::optional<std::string> cache_dir;  // nullopt: no cache
  std::string options_key;               // scan options that change analyzer output
  Progress* progress = nullptr;
};

core::Result<std::vector<LayerResult>> read_layers(const Image& image,
                                                   const std::vector<const Analyzer*>& analyzers,
                                                   const ReadOptions& options);

}  // namespace bulwark::image
