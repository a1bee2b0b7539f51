#include "image/layer_reader.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "core/cpus.hpp"
#include "core/limits.hpp"
#include "core/log.hpp"
#include "image/layer_cache.hpp"
#include "image/mapped_stream.hpp"
#include "image/path_matcher.hpp"
#include "image/tar_entries.hpp"

namespace bulwark::image {

using core::Error;
using core::Result;

Result<std::string> EntryContent::read_all(uint64_t limit, uint64_t size_hint) {
  // Reads straight into the string, sized from the header when known (exactly: a tar entry's
  // size is exact, so the common case fills the string once and never regrows it).
  std::string out;
  out.resize(static_cast<size_t>(
      std::min<uint64_t>(size_hint > 0 ? size_hint + 1 : uint64_t{65536}, limit + 1)));
  size_t used = 0;
  while (true) {
    if (used == out.size()) out.resize(out.size() * 2);
    auto* at = reinterpret_cast<std::byte*>(out.data()) + used;
    BW_ASSIGN_OR_RETURN(size_t n, read(std::span<std::byte>(at, out.size() - used)));
    if (n == 0) break;
    used += n;
    if (used > limit) {
      return Error::limit("file larger than the read limit of " + std::to_string(limit) + " bytes");
    }
  }
  out.resize(used);
  return out;
}

Result<std::string_view> EntryContent::read_rest(uint64_t limit, std::string& storage) {
  BW_ASSIGN_OR_RETURN(storage, read_all(limit));
  return std::string_view(storage);
}

namespace {
Error too_large(uint64_t limit) {
  return Error::limit("file larger than the read limit of " + std::to_string(limit) + " bytes");
}
}  // namespace

Result<size_t> StringContent::read(std::span<std::byte> buf) {
  size_t n = std::min(buf.size(), data_.size() - pos_);
  std::memcpy(buf.data(), data_.data() + pos_, n);
  pos_ += n;
  return n;
}

Result<std::string> StringContent::read_all(uint64_t limit, uint64_t /*size_hint*/) {
  std::string unused;
  BW_ASSIGN_OR_RETURN(auto rest, read_rest(limit, unused));
  return std::string(rest);
}

Result<std::string_view> StringContent::read_rest(uint64_t limit, std::string& /*storage*/) {
  if (data_.size() - pos_ > limit) return too_large(limit);
  auto rest = data_.substr(pos_);
  pos_ = data_.size();
  return rest;
}

namespace {

// Contents of matched files kept for hardlinks to them later in the same layer.
constexpr uint64_t kHardlinkReplayBudget = 64ULL << 20;
// Files up to this size are kept for hardlinks whatever analyzed them; larger ones only when
// an analyzer whose result cannot be replayed (not content_only) was offered them.
constexpr uint64_t kAlwaysReplayBytes = 1ULL << 20;
// Chunk size for streaming analyzers: most files arrive in one chunk.
constexpr size_t kStreamChunk = 1 << 20;
// Hand-over between a layer's decompressing thread and its parsing thread: chunks of the size
// the tar parser asks for, 16 MiB ahead. Analyzers come in bursts (a run of package.json or
// changelog files), and a ring this deep lets decompression run on through them: on big,
// 4 chunks -> 16 cut the cold scan from 1.183 to 1.130 s (the last layer's decompression
// had waited 35 ms for the tar stage), for ~20 MiB more peak RSS; 32 was slower (page
// faults), 2 MiB x 8 the same (bench/RESULTS.md).
constexpr size_t kPipelineChunk = 1 << 20;
constexpr size_t kPipelineDepth = 16;
constexpr size_t kStoredChunk = 256 << 10;  // what the decompressors ask for
constexpr size_t kStoredDepth = 8;

// One entry's bytes, read from the layer stream only as far as the analyzers offered the
// entry ask, and held so that each of them reads the same bytes without the stream being
// read twice. An analyzer that decides from the first bytes costs only those; the entry is
// copied once (stream -> here) however many analyzers read it, and never zero-filled first.
class EntryBytes {
 public:
  EntryBytes(EntryContent& source, uint64_t size_hint) : source_(source), hint_(size_hint) {}

  // Makes the first `end` bytes available (fewer when the entry is shorter); fails past
  // `limit` bytes. A failure of the layer stream is kept: it ends the layer.
  Result<void> fill_to(uint64_t end, uint64_t limit) {
    if (stream_error_) return *stream_error_;
    while (!eof_ && len_ < end) {
      if (len_ == cap_) grow(limit);
      auto n = source_.read(std::span<std::byte>(data_.get() + len_, cap_ - len_));
      if (!n.ok()) {
        stream_error_ = std::move(n).error();
        return *stream_error_;
      }
      if (*n == 0) eof_ = true;
      len_ += *n;
      if (len_ > limit) return too_large(limit);
    }
    return core::ok();
  }
  Result<void> fill_all(uint64_t limit) { return fill_to(UINT64_MAX, limit); }

  std::string_view bytes() const {
    return {reinterpret_cast<const char*>(data_.get()), static_cast<size_t>(len_)};
  }
  bool complete() const { return eof_; }
  const std::optional<Error>& stream_error() const { return stream_error_; }

 private:
  void grow(uint64_t limit) {
    // The header's size first (+1 so that the end of the entry is seen without regrowing),
    // then doubling for sources whose size changed (a root filesystem being written).
    uint64_t want = cap_ == 0 ? std::max<uint64_t>(hint_ + 1, 4096) : cap_ * 2;
    want = std::min<uint64_t>(want, limit == UINT64_MAX ? limit : limit + 1);
    if (want <= cap_) want = cap_ + 1;
    auto next = std::make_unique_for_overwrite<std::byte[]>(static_cast<size_t>(want));
    if (len_ > 0) std::memcpy(next.get(), data_.get(), static_cast<size_t>(len_));
    data_ = std::move(next);
    cap_ = want;
  }

  EntryContent& source_;
  uint64_t hint_;
  std::unique_ptr<std::byte[]> data_;
  uint64_t cap_ = 0;
  uint64_t len_ = 0;
  bool eof_ = false;
  std::optional<Error> stream_error_;
};

// What one analyzer reads of a shared entry: its own position over the shared bytes.
class EntryBytesReader final : public EntryContent {
 public:
  explicit EntryBytesReader(EntryBytes& bytes) : bytes_(bytes) {}
  Result<size_t> read(std::span<std::byte> buf) override {
    BW_TRY(bytes_.fill_to(pos_ + buf.size(), core::limits().max_file_read));
    auto have = bytes_.bytes();
    size_t n = std::min<size_t>(buf.size(), have.size() - static_cast<size_t>(pos_));
    std::memcpy(buf.data(), have.data() + pos_, n);
    pos_ += n;
    return n;
  }
  Result<std::string> read_all(uint64_t limit, uint64_t /*size_hint*/) override {
    std::string unused;
    BW_ASSIGN_OR_RETURN(auto rest, read_rest(limit, unused));
    return std::string(rest);
  }
  uint64_t position() const { return pos_; }
  Result<std::string_view> read_rest(uint64_t limit, std::string& /*storage*/) override {
    // The shared bytes stop at the global read limit; the caller's limit may be lower.
    uint64_t end = limit >= UINT64_MAX - pos_ - 1 ? UINT64_MAX : pos_ + limit + 1;
    BW_TRY(bytes_.fill_to(end, std::max(limit, core::limits().max_file_read)));
    auto rest = bytes_.bytes().substr(static_cast<size_t>(pos_));
    if (rest.size() > limit) return too_large(limit);
    pos_ += rest.size();
    return rest;
  }

 private:
  EntryBytes& bytes_;
  uint64_t pos_ = 0;
};

// A content_only analyzer's result for one file, kept for hardlinks to it.
struct ReplayedResult {
  bool recorded = false;  // packages_by_path[path] was assigned
  std::vector<core::Package> packages;
  std::optional<std::string> error;
};

// What each analyzer cost in one layer (logged at debug level: `--verbose`).
struct AnalyzerStats {
  uint64_t files = 0;
  uint64_t bytes = 0;  // bytes of the entries it read (a hardlink's replayed bytes excluded)
  std::chrono::nanoseconds time{0};
};

// Builds one layer's index and offers matching entries to the analyzers that asked.
class LayerScanner final : public EntryVisitor {
 public:
  LayerScanner(const std::vector<const Analyzer*>& analyzers, const PathMatcher& matcher,
               LayerResult& out)
      : analyzers_(analyzers), matcher_(matcher), out_(out), stats_(analyzers.size()) {
    for (size_t i = 0; i < analyzers_.size(); ++i) {
      if (analyzers_[i]->streams()) streaming_ |= AnalyzerMask{1} << i;
      if (analyzers_[i]->content_only()) content_only_ |= AnalyzerMask{1} << i;
    }
  }

  Result<void> on_entry(const Entry& entry, EntryContent& content) override {
    index_bytes_ += entry.path.size() + entry.link_target.size() + sizeof(Entry);
    if (index_bytes_ > core::limits().max_index_bytes_per_layer) {
      return Error::limit("the layer's file index exceeds " +
                          std::to_string(core::limits().max_index_bytes_per_layer) + " bytes");
    }
    out_.files.entries.push_back(entry);
    if (entry.type != EntryType::kFile && entry.type != EntryType::kHardlink) return core::ok();
    AnalyzerMask mask = matcher_.match(entry.path);
    for (size_t i = 0; mask != 0 && i < analyzers_.size(); ++i) {
      AnalyzerMask bit = AnalyzerMask{1} << i;
      if ((mask & bit) != 0 && !analyzers_[i]->wants(entry)) mask &= ~bit;
    }
    if (mask == 0) return core::ok();
    if (entry.type == EntryType::kHardlink) {
      // A streaming analyzer's result can be replayed only when it depends on the bytes alone
      // (content_only: Go build info, cargo-auditable); secrets and malware are reported once,
      // at the file the bytes were read from.
      mask &= ~(streaming_ & ~content_only_);
      if (mask == 0) return core::ok();
      return replay_hardlink(entry, mask);
    }
    // Only streaming analyzers, or a file too large to hold: read it once, in chunks.
    if ((mask & streaming_) != 0 &&
        ((mask & ~streaming_) == 0 || entry.size > core::limits().max_file_read)) {
      BW_TRY(stream_entry(entry, content, mask & streaming_));
      mask &= ~streaming_;
      if (mask == 0) return core::ok();
    }
    // An oversized file costs only that file (decided from the header, before reading);
    // any error while reading comes from the layer stream and is fatal for the layer.
    if (entry.size > core::limits().max_file_read) {
      out_.facts.warnings.push_back(entry.path + ": " + std::to_string(entry.size) +
                                    " bytes, larger than the read limit of " +
                                    std::to_string(core::limits().max_file_read) +
                                    "; not analyzed");
      return core::ok();
    }
    auto bytes = std::make_shared<EntryBytes>(content, entry.size);
    auto fatal = [&]() -> std::optional<Error> {
      if (const auto& e = bytes->stream_error()) return e->with_context(entry.path);
      return std::nullopt;
    };
    const uint64_t limit = core::limits().max_file_read;
    std::map<size_t, ReplayedResult>* results = nullptr;
    for (size_t i = 0; i < analyzers_.size(); ++i) {
      const AnalyzerMask bit = AnalyzerMask{1} << i;
      if ((mask & bit) == 0) continue;
      if ((streaming_ & bit) != 0) {
        if (auto sink = analyzers_[i]->open_sink(entry)) {
          auto all = bytes->fill_all(limit);
          if (auto e = fatal()) return *e;
          if (!all.ok()) return std::move(all).error().with_context(entry.path);
          sink->write(bytes->bytes());
          finish_sink(entry, i, *sink);
        }
        continue;
      }
      EntryBytesReader reader(*bytes);
      Timed timed(stats_[i], reader);
      if ((content_only_ & bit) == 0) {
        auto r = analyzers_[i]->analyze(entry, reader, out_.facts);
        if (auto e = fatal()) return *e;
        if (!r.ok()) warn(entry, i, r.error().message());
        continue;
      }
      LayerFacts scratch;
      auto r = analyzers_[i]->analyze(entry, reader, scratch);
      if (auto e = fatal()) return *e;
      ReplayedResult kept;
      if (!r.ok()) kept.error = r.error().message();
      if (auto it = scratch.packages_by_path.find(entry.path);
          it != scratch.packages_by_path.end()) {
        kept.recorded = true;
        kept.packages = it->second;
        out_.facts.packages_by_path[entry.path] = std::move(it->second);
        scratch.packages_by_path.erase(it);
      }
      bool only_packages = scratch.packages_by_path.empty() && scratch.facts_by_path.empty() &&
                           scratch.captured.empty() && scratch.findings_by_path.empty() &&
                           scratch.warnings.empty();
      if (!only_packages) {
        // Not what content_only promised: keep what it recorded, and the bytes for hardlinks.
        merge_into(out_.facts, std::move(scratch));
        mask &= ~content_only_;
      } else {
        if (results == nullptr) results = &results_[entry.path];
        (*results)[i] = kept;
      }
      if (kept.error) warn(entry, i, *kept.error);
    }
    // Kept for hardlinks: small files always, larger ones when an analyzer offered them
    // needs the bytes again (a content_only analyzer's result is replayed instead).
    AnalyzerMask needs_bytes = mask & ~streaming_ & ~content_only_;
    if ((needs_bytes != 0 || entry.size <= kAlwaysReplayBytes) &&
        replay_bytes_ + entry.size <= kHardlinkReplayBudget) {
      auto all = bytes->fill_all(limit);
      if (auto e = fatal()) return *e;
      if (all.ok() && replay_bytes_ + bytes->bytes().size() <= kHardlinkReplayBudget) {
        replay_bytes_ += bytes->bytes().size();
        replay_[entry.path] = std::move(bytes);
      }
    }
    return core::ok();
  }
  void on_whiteout(const std::string& p) override { out_.files.whiteouts.push_back(p); }
  void on_opaque_dir(const std::string& d) override { out_.files.opaque_dirs.push_back(d); }
  void on_bad_entry(const std::string& raw, const std::string& reason) override {
    out_.facts.warnings.push_back(raw + ": " + reason);
  }
  const std::vector<AnalyzerStats>& stats() const { return stats_; }

 private:
  // Charges one analyze() call (time, bytes read) to its analyzer.
  class Timed {
   public:
    Timed(AnalyzerStats& s, const EntryBytesReader& r)
        : s_(s), r_(r), start_(std::chrono::steady_clock::now()) {}
    ~Timed() {
      ++s_.files;
      s_.bytes += r_.position();
      s_.time += std::chrono::steady_clock::now() - start_;
    }
    Timed(const Timed&) = delete;
    Timed& operator=(const Timed&) = delete;

   private:
    AnalyzerStats& s_;
    const EntryBytesReader& r_;
    std::chrono::steady_clock::time_point start_;
  };

  void warn(const Entry& entry, size_t analyzer, const std::string& message) {
    out_.facts.warnings.push_back(entry.path + ": " + std::string(analyzers_[analyzer]->name()) +
                                  ": " + message);
  }

  static void merge_into(LayerFacts& out, LayerFacts&& in) {
    for (auto& [p, v] : in.packages_by_path) {
      auto& dst = out.packages_by_path[p];
      dst.insert(dst.end(), std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
    }
    for (auto& [p, v] : in.facts_by_path) {
      auto& dst = out.facts_by_path[p];
      dst.insert(dst.end(), std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
    }
    for (auto& [p, v] : in.captured) out.captured[p] = std::move(v);
    for (auto& [p, v] : in.findings_by_path) {
      auto& dst = out.findings_by_path[p];
      dst.insert(dst.end(), std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
    }
    for (auto& w : in.warnings) out.warnings.push_back(std::move(w));
  }

  // A hardlink gets what the analyzers offered it make of its target's bytes: a content_only
  // analyzer's result for the target again, or a fresh analysis of the kept bytes.
  Result<void> replay_hardlink(const Entry& entry, AnalyzerMask mask) {
    const std::map<size_t, ReplayedResult>* results = nullptr;
    if (auto it = results_.find(entry.link_target); it != results_.end()) results = &it->second;
    auto known = [&](size_t i) { return results != nullptr && results->count(i) != 0; };
    bool needs_bytes = false;
    for (size_t i = 0; i < analyzers_.size(); ++i) {
      if ((mask & (AnalyzerMask{1} << i)) != 0 && !known(i)) needs_bytes = true;
    }
    auto kept = replay_.find(entry.link_target);
    if (needs_bytes && kept == replay_.end()) {
      out_.facts.warnings.push_back(entry.path + ": hardlink to " + entry.link_target +
                                    ", whose content was not kept; not analyzed");
      return core::ok();
    }
    for (size_t i = 0; i < analyzers_.size(); ++i) {
      if ((mask & (AnalyzerMask{1} << i)) == 0) continue;
      if (known(i)) {
        const auto& r = results->at(i);
        if (r.recorded) out_.facts.packages_by_path[entry.path] = r.packages;
        if (r.error) warn(entry, i, *r.error);
        continue;
      }
      StringContent sc(kept->second->bytes());
      auto r = analyzers_[i]->analyze(entry, sc, out_.facts);
      if (!r.ok()) warn(entry, i, r.error().message());
    }
    return core::ok();
  }

  // Ends one streaming analyzer's pass over an entry. A content_only analyzer's packages for
  // the entry are also kept for hardlinks to it, as for analyze() above.
  void finish_sink(const Entry& entry, size_t analyzer, ChunkSink& sink) {
    if ((content_only_ & (AnalyzerMask{1} << analyzer)) == 0) {
      sink.finish(out_.facts);
      return;
    }
    LayerFacts scratch;
    sink.finish(scratch);
    ReplayedResult kept;
    if (auto it = scratch.packages_by_path.find(entry.path); it != scratch.packages_by_path.end()) {
      kept.recorded = true;
      kept.packages = it->second;
    }
    results_[entry.path][analyzer] = std::move(kept);
    merge_into(out_.facts, std::move(scratch));
  }

  Result<void> stream_entry(const Entry& entry, EntryContent& content, AnalyzerMask mask) {
    std::vector<std::pair<size_t, std::unique_ptr<ChunkSink>>> sinks;
    for (size_t i = 0; i < analyzers_.size(); ++i) {
      if ((mask & (AnalyzerMask{1} << i)) == 0) continue;
      if (auto sink = analyzers_[i]->open_sink(entry)) sinks.emplace_back(i, std::move(sink));
    }
    if (sinks.empty()) return core::ok();
    thread_local std::vector<std::byte> buf(kStreamChunk);
    while (true) {
      auto n = content.read(buf);
      if (!n.ok()) return std::move(n).error().with_context(entry.path);
      if (*n == 0) break;
      std::string_view chunk(reinterpret_cast<const char*>(buf.data()), *n);
      for (auto& [i, sink] : sinks) sink->write(chunk);
    }
    for (auto& [i, sink] : sinks) finish_sink(entry, i, *sink);
    return core::ok();
  }

  const std::vector<const Analyzer*>& analyzers_;
  const PathMatcher& matcher_;
  LayerResult& out_;
  std::map<std::string, std::shared_ptr<EntryBytes>> replay_;
  std::map<std::string, std::map<size_t, ReplayedResult>> results_;
  uint64_t index_bytes_ = 0;
  uint64_t replay_bytes_ = 0;
  AnalyzerMask streaming_ = 0;
  AnalyzerMask content_only_ = 0;
  std::vector<AnalyzerStats> stats_;
};

// Counts stored bytes for the progress display.
class ProgressStream final : public ByteStream {
 public:
  ProgressStream(std::unique_ptr<ByteStream> inner, Progress* p)
      : inner_(std::move(inner)), p_(p) {}
  Result<size_t> read(std::span<std::byte> buf) override {
    BW_ASSIGN_OR_RETURN(size_t n, inner_->read(buf));
    if (p_ != nullptr) p_->stored_bytes_read += n;
    return n;
  }
  Result<std::span<const std::byte>> read_block(std::span<std::byte> scratch) override {
    BW_ASSIGN_OR_RETURN(auto block, inner_->read_block(scratch));
    if (p_ != nullptr) p_->stored_bytes_read += block.size();
    return block;
  }
  void cancel() override { inner_->cancel(); }

 private:
  std::unique_ptr<ByteStream> inner_;
  Progress* p_;
};

// Counts uncompressed bytes (the tar stream) of one layer and of the whole image: the
// decompressors bound each layer, this bounds the sum (many layers just under the limit).
class CountingStream final : public ByteStream {
 public:
  CountingStream(ByteStream& inner, std::atomic<uint64_t>& image_total, std::string name)
      : inner_(inner), image_total_(image_total), name_(std::move(name)) {}
  Result<size_t> read(std::span<std::byte> buf) override {
    BW_ASSIGN_OR_RETURN(size_t n, inner_.read(buf));
    count_ += n;
    uint64_t total = image_total_.fetch_add(n) + n;
    if (total > core::limits().max_total_uncompressed) {
      return Error::limit(name_ + ": the image's layers decompress to more than " +
                          std::to_string(core::limits().max_total_uncompressed) +
                          " bytes in total (decompression bomb?)");
    }
    return n;
  }
  void cancel() override { inner_.cancel(); }
  size_t accept_output_ring(size_t ring_bytes) override {
    return inner_.accept_output_ring(ring_bytes);
  }
  uint64_t count() const { return count_; }

 private:
  ByteStream& inner_;
  std::atomic<uint64_t>& image_total_;
  std::string name_;
  uint64_t count_ = 0;
};

struct Context {
  const Image& image;
  const std::vector<const Analyzer*>& analyzers;
  const PathMatcher& matcher;
  const ReadOptions& options;
  std::optional<LayerCache> cache;
  mutable std::atomic<uint64_t> uncompressed_total{0};
  bool pipeline = false;  // more than one thread: split each layer's work over two
};

std::string layer_name(const LayerRef& l) {
  return "layer " + std::to_string(l.index + 1) + " (" + l.blob.display() + ")";
}

// Hashes the stored blob without analyzing it: a warm cache hit on a file not seen before.
Result<core::Digest> hash_stored(const Context& ctx, const LayerRef& layer) {
  BW_ASSIGN_OR_RETURN(auto raw, ctx.image.store->open(layer.blob));
  HashingStream h(std::make_unique<ProgressStream>(std::move(raw), ctx.options.progress),
                  layer.blob.digest, layer_name(layer));
  std::vector<std::byte> buf(1 << 20);
  while (true) {
    BW_ASSIGN_OR_RETURN(size_t n, h.read(buf));
    if (n == 0) break;
  }
  return *h.computed();
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Records that the stored file holds `digest`, but only when that is provably what was read:
// the file's identity did not change while it was read, and its last change (ctime, which no
// one can set back) lies clearly before the read began. Otherwise a write landing in the same
// timestamp tick as an earlier one could leave the identity unchanged over new content (git's
// "racily clean" problem). Such a file is simply hashed again next time.
void remember_if_settled(const Context& ctx, const LayerRef& layer,
                         const std::optional<FileIdentity>& before, int64_t read_started_ns,
                         const core::Digest& digest) {
  constexpr int64_t kTimestampTickNs = 50'000'000;  // well above any filesystem's tick
  if (!ctx.cache || !before) return;
  if (before->ctime_ns >= read_started_ns - kTimestampTickNs) return;
  auto after = ctx.image.store->identity(layer.blob);
  if (!after || after->key() != before->key()) return;
  ctx.cache->remember_verified(*before, digest);
}

Result<LayerResult> analyze_layer(const Context& ctx, const LayerRef& layer) {
  const std::string name = layer_name(layer);
  const int64_t started_ns = now_ns();
  auto identity = ctx.image.store->identity(layer.blob);

  if (ctx.cache) {
    std::optional<core::Digest> trusted;
    if (identity) {
      auto v = ctx.cache->verified_digest(*identity);
      if (v && (!layer.blob.digest || *v == *layer.blob.digest)) trusted = v;
    }
    // A registry serves blobs by digest and every fetch is verified: the digest is the content.
    if (!trusted && layer.blob.digest && ctx.image.store->content_addressed())
      trusted = layer.blob.digest;
    std::optional<core::Digest> candidate = trusted ? trusted : layer.blob.digest;
    if (candidate) {
      if (auto hit = ctx.cache->load(
              LayerCache::key(*candidate, ctx.analyzers, ctx.options.options_key))) {
        if (!trusted) {
          // The cached result belongs to the content address; prove this file holds it.
          BW_ASSIGN_OR_RETURN(auto d, hash_stored(ctx, layer));
          remember_if_settled(ctx, layer, identity, started_ns, d);
        }
        // The diff_id check holds on a warm scan too: a known uncompressed digest is always
        // compared; one that --verify-diffids needs but the cold scan did not compute makes
        // this a miss, so the layer is read again and the entry rewritten with it.
        bool need_diff_id = ctx.options.verify_diff_ids && layer.diff_id && !hit->diff_id;
        if (!need_diff_id) {
          if (layer.diff_id && hit->diff_id && *hit->diff_id != *layer.diff_id) {
            return Error::digest_mismatch(name + ": uncompressed content hashes to " +
                                          hit->diff_id->str() + " but the config's diff_id is " +
                                          layer.diff_id->str());
          }
          hit->blob_digest = candidate;
          hit->layer = layer.index;
          hit->from_cache = true;
          return std::move(*hit);
        }
      }
    }
  }

  LayerResult out;
  out.layer = layer.index;
  BW_ASSIGN_OR_RETURN(auto raw, ctx.image.store->open(layer.blob));
  const BlobDigest* stored_hash = nullptr;
  std::unique_ptr<ByteStream> stored_source;
  std::unique_ptr<MappedBlobStream> mapped;
  const PipelinedStream* stored_pipe = nullptr;  // for the --verbose stage waits
  if (ctx.pipeline) {
    // A byte range of a local file: mapped, hashed on a thread of its own, and lent to the
    // decompressor without a copy.
    if (const auto* range = dynamic_cast<const FileRangeStream*>(raw.get()))
      mapped = MappedBlobStream::open(*range, layer.blob.digest, name);
  }
  if (mapped) {
    stored_hash = mapped.get();
    stored_source = std::make_unique<ProgressStream>(std::move(mapped), ctx.options.progress);
  } else {
    auto stored = std::make_unique<HashingStream>(
        std::make_unique<ProgressStream>(std::move(raw), ctx.options.progress), layer.blob.digest,
        name);
    stored_hash = stored.get();
    stored_source = std::move(stored);
    // Reading and hashing the stored blob on a thread of their own too, ahead of decompression.
    if (ctx.pipeline) {
      auto pipe =
          std::make_unique<PipelinedStream>(std::move(stored_source), kStoredChunk, kStoredDepth);
      stored_pipe = pipe.get();
      stored_source = std::move(pipe);
    }
  }
  Compression compression = Compression::kNone;
  BW_ASSIGN_OR_RETURN(auto decompressed,
                      make_auto_decompressor(std::move(stored_source), name, &compression));
  std::unique_ptr<HashingStream> diff_hash;
  ByteStream* tar = decompressed.get();
  if (compression != Compression::kNone && ctx.options.verify_diff_ids) {
    diff_hash =
        std::make_unique<HashingStream>(std::move(decompressed), layer.diff_id, name + " diff_id");
    tar = diff_hash.get();
  }
  CountingStream counted(*tar, ctx.uncompressed_total, name);
  LayerScanner scanner(ctx.analyzers, ctx.matcher, out);
  if (ctx.pipeline) {
    // Reading, hashing and decompressing on a thread of their own, ahead of the tar parser and
    // the analyzers: when fewer layers than cores are left, a layer uses two of them.
    auto started = std::chrono::steady_clock::now();
    PipelinedStream piped(counted, kPipelineChunk, kPipelineDepth);
    BW_TRY(read_tar_entries(piped, name, scanner));
    if (core::log_level() <= core::LogLevel::kDebug) {
      // Which stage held the layer up: long waits of the tar stage mean decompression (or
      // reading) was the bottleneck; long waits of decompression mean tar + analyzers were.
      using Ms = std::chrono::duration<double, std::milli>;
      auto w = piped.waits();
      core::log_debug(
          "{}: read in {:.0f} ms; tar stage waited {:.0f} ms for data, decompression waited "
          "{:.0f} ms for the tar stage",
          name, Ms(std::chrono::steady_clock::now() - started).count(), Ms(w.consumer).count(),
          Ms(w.producer).count());
      if (stored_pipe != nullptr) {
        auto sw = stored_pipe->waits();
        core::log_debug(
            "{}: decompression waited {:.0f} ms for stored bytes, reading waited {:.0f} ms for "
            "decompression",
            name, Ms(sw.consumer).count(), Ms(sw.producer).count());
      }
    }
  } else {
    BW_TRY(read_tar_entries(counted, name, scanner));
  }
  if (core::log_level() <= core::LogLevel::kDebug) {
    for (size_t i = 0; i < ctx.analyzers.size(); ++i) {
      const auto& s = scanner.stats()[i];
      if (s.files == 0) continue;
      core::log_debug("{}: analyzer {}: {} files, {} bytes read, {:.1f} ms", name,
                      ctx.analyzers[i]->name(), s.files, s.bytes,
                      std::chrono::duration<double, std::milli>(s.time).count());
    }
  }

  out.blob_digest = stored_hash->computed();
  out.stored_bytes = stored_hash->bytes();
  out.uncompressed_bytes = counted.count();
  if (compression == Compression::kNone) {
    // Stored uncompressed: the blob digest is the diff_id, so checking costs nothing.
    out.diff_id = out.blob_digest;
    if (layer.diff_id && *out.diff_id != *layer.diff_id) {
      return Error::digest_mismatch(name + ": content hashes to " + out.diff_id->str() +
                                    " but the config's diff_id is " + layer.diff_id->str());
    }
  } else if (diff_hash) {
    out.diff_id = diff_hash->computed();
  }
  if (ctx.cache && out.blob_digest) {
    auto key = LayerCache::key(*out.blob_digest, ctx.analyzers, ctx.options.options_key);
    if (auto r = ctx.cache->store(key, out); !r.ok())
      core::log_warn("layer cache: {}", r.error().message());
    remember_if_settled(ctx, layer, identity, started_ns, *out.blob_digest);
  }
  return out;
}

}  // namespace

Result<std::vector<LayerResult>> read_layers(const Image& image,
                                             const std::vector<const Analyzer*>& analyzers,
                                             const ReadOptions& options) {
  if (analyzers.size() > kMaxAnalyzers)
    return Error::internal("more analyzers than the matcher supports");
  std::vector<std::vector<PathPattern>> patterns;
  patterns.reserve(analyzers.size());
  for (const auto* a : analyzers) patterns.push_back(a->patterns());
  PathMatcher matcher(patterns);

  if (!image.rootfs_dir.empty()) {
    LayerResult out;
    LayerScanner scanner(analyzers, matcher, out);
    BW_TRY(read_dir_entries(image.rootfs_dir, scanner));
    std::vector<LayerResult> v;
    v.push_back(std::move(out));
    return v;
  }

  Context ctx{image, analyzers, matcher, options, std::nullopt};
  // One layer reader per CPU this process may use (its affinity mask and cgroup CPU limit),
  // not per CPU of the host: in a 2-CPU pod on a 64-core node, 64 readers would only fight.
  unsigned threads = options.threads != 0 ? options.threads : core::available_cpus();
  ctx.pipeline = threads > 1;
  if (options.cache_dir) {
    if (auto ok = LayerCache::prepare(*options.cache_dir); ok.ok()) {
      ctx.cache.emplace(*options.cache_dir);
    } else {
      core::log_warn("layer cache disabled: {}", ok.error().message());
    }
  }
  const size_t n = image.layers.size();
  if (options.progress != nullptr) {
    options.progress->layers_total = static_cast<int>(n);
    uint64_t total = 0;
    for (const auto& l : image.layers)
      total += l.blob.size > 0 ? static_cast<uint64_t>(l.blob.size) : 0;
    options.progress->stored_bytes_total = total;
  }

  // Largest layers first (LPT scheduling): the last layer to finish is then a small one, so
  // the cores stay busy until the end instead of one core finishing a big layer alone.
  std::vector<std::pair<uint64_t, size_t>> order;
  for (size_t i = 0; i < n; ++i) {
    const auto& blob = image.layers[i].blob;
    uint64_t size = blob.size > 0 ? static_cast<uint64_t>(blob.size) : 0;
    if (size == 0) {
      if (auto id = image.store->identity(blob)) size = id->length;
    }
    order.emplace_back(size, i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });

  // After a failure, layers above the lowest failed one are skipped, but lower ones still
  // run: the error reported is always the lowest layer's, whatever order the threads took.
  std::vector<std::optional<Result<LayerResult>>> results(n);
  std::atomic<size_t> next{0};
  std::atomic<size_t> lowest_failed{n};
  auto worker = [&] {
    while (true) {
      size_t k = next++;
      if (k >= n) return;
      size_t i = order[k].second;
      if (i > lowest_failed.load()) continue;
      results[i] = analyze_layer(ctx, image.layers[i]);
      if (!results[i]->ok()) {
        size_t seen = lowest_failed.load();
        while (i < seen && !lowest_failed.compare_exchange_weak(seen, i)) {
        }
      }
      if (options.progress != nullptr) ++options.progress->layers_done;
    }
  };
  threads = static_cast<unsigned>(std::min<size_t>(threads, n));
  core::log_debug("reading {} layer{} on {} thread{}{}", n, n == 1 ? "" : "s", threads,
                  threads == 1 ? "" : "s", ctx.pipeline ? ", each layer pipelined" : "");
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
  }
  std::vector<LayerResult> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (results[i] && !results[i]->ok()) return std::move(*results[i]).error();
  }
  for (size_t i = 0; i < n; ++i) {
    if (!results[i]) return Error::internal("layer " + std::to_string(i + 1) + " was not read");
    out.push_back(std::move(*results[i]).value());
  }
  return out;
}

}  // namespace bulwark::image
