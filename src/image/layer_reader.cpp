#include "image/layer_reader.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "core/limits.hpp"
#include "core/log.hpp"
#include "image/layer_cache.hpp"
#include "image/path_matcher.hpp"
#include "image/tar_entries.hpp"

namespace bulwark::image {

using core::Error;
using core::Result;

Result<std::string> EntryContent::read_all(uint64_t limit, uint64_t size_hint) {
  // Reads straight into the string, sized from the header when known: large executables
  // pass through here, and every extra copy or regrowth shows in the scan time.
  std::string out;
  out.resize(static_cast<size_t>(std::min<uint64_t>(std::max<uint64_t>(size_hint, 65536), limit)) +
             1);
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

Result<size_t> StringContent::read(std::span<std::byte> buf) {
  size_t n = std::min(buf.size(), data_.size() - pos_);
  std::memcpy(buf.data(), data_.data() + pos_, n);
  pos_ += n;
  return n;
}

namespace {

// Contents of matched files kept for hardlinks to them later in the same layer.
constexpr uint64_t kHardlinkReplayBudget = 64ULL << 20;
// Chunk size for streaming analyzers: most files arrive in one chunk.
constexpr size_t kStreamChunk = 1 << 20;

// Builds one layer's index and offers matching entries to the analyzers that asked.
class LayerScanner final : public EntryVisitor {
 public:
  LayerScanner(const std::vector<const Analyzer*>& analyzers, const PathMatcher& matcher,
               LayerResult& out)
      : analyzers_(analyzers), matcher_(matcher), out_(out) {
    for (size_t i = 0; i < analyzers_.size(); ++i) {
      if (analyzers_[i]->streams()) streaming_ |= AnalyzerMask{1} << i;
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
    if (entry.type == EntryType::kHardlink) mask &= ~streaming_;
    if (mask == 0) return core::ok();
    // Only streaming analyzers, or a file too large to hold: read it once, in chunks.
    if (entry.type == EntryType::kFile && (mask & streaming_) != 0 &&
        ((mask & ~streaming_) == 0 || entry.size > core::limits().max_file_read)) {
      BW_TRY(stream_entry(entry, content, mask & streaming_));
      mask &= ~streaming_;
      if (mask == 0) return core::ok();
    }
    std::string data;
    if (entry.type == EntryType::kHardlink) {
      auto it = replay_.find(entry.link_target);
      if (it == replay_.end()) {
        out_.facts.warnings.push_back(entry.path + ": hardlink to " + entry.link_target +
                                      ", whose content was not kept; not analyzed");
        return core::ok();
      }
      data = it->second;
    } else {
      // An oversized file costs only that file (decided from the header, before reading);
      // any error while reading comes from the layer stream and is fatal for the layer.
      if (entry.size > core::limits().max_file_read) {
        out_.facts.warnings.push_back(entry.path + ": " + std::to_string(entry.size) +
                                      " bytes, larger than the read limit of " +
                                      std::to_string(core::limits().max_file_read) +
                                      "; not analyzed");
        return core::ok();
      }
      auto r = content.read_all(core::limits().max_file_read, entry.size);
      if (!r.ok()) return std::move(r).error().with_context(entry.path);
      data = std::move(r).value();
      if (replay_bytes_ + data.size() <= kHardlinkReplayBudget) {
        replay_bytes_ += data.size();
        replay_[entry.path] = data;
      }
    }
    for (size_t i = 0; i < analyzers_.size(); ++i) {
      if ((mask & (AnalyzerMask{1} << i)) == 0) continue;
      if ((streaming_ & (AnalyzerMask{1} << i)) != 0) {
        if (auto sink = analyzers_[i]->open_sink(entry)) {
          sink->write(data);
          sink->finish(out_.facts);
        }
        continue;
      }
      StringContent sc(data);
      auto r = analyzers_[i]->analyze(entry, sc, out_.facts);
      if (!r.ok())
        out_.facts.warnings.push_back(entry.path + ": " + std::string(analyzers_[i]->name()) +
                                      ": " + r.error().message());
    }
    return core::ok();
  }
  void on_whiteout(const std::string& p) override { out_.files.whiteouts.push_back(p); }
  void on_opaque_dir(const std::string& d) override { out_.files.opaque_dirs.push_back(d); }
  void on_bad_entry(const std::string& raw, const std::string& reason) override {
    out_.facts.warnings.push_back(raw + ": " + reason);
  }

 private:
  Result<void> stream_entry(const Entry& entry, EntryContent& content, AnalyzerMask mask) {
    std::vector<std::unique_ptr<ChunkSink>> sinks;
    for (size_t i = 0; i < analyzers_.size(); ++i) {
      if ((mask & (AnalyzerMask{1} << i)) == 0) continue;
      if (auto sink = analyzers_[i]->open_sink(entry)) sinks.push_back(std::move(sink));
    }
    if (sinks.empty()) return core::ok();
    thread_local std::vector<std::byte> buf(kStreamChunk);
    while (true) {
      auto n = content.read(buf);
      if (!n.ok()) return std::move(n).error().with_context(entry.path);
      if (*n == 0) break;
      std::string_view chunk(reinterpret_cast<const char*>(buf.data()), *n);
      for (auto& s : sinks) s->write(chunk);
    }
    for (auto& s : sinks) s->finish(out_.facts);
    return core::ok();
  }

  const std::vector<const Analyzer*>& analyzers_;
  const PathMatcher& matcher_;
  LayerResult& out_;
  std::map<std::string, std::string> replay_;
  uint64_t index_bytes_ = 0;
  uint64_t replay_bytes_ = 0;
  AnalyzerMask streaming_ = 0;
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
  auto stored = std::make_unique<HashingStream>(
      std::make_unique<ProgressStream>(std::move(raw), ctx.options.progress), layer.blob.digest,
      name);
  HashingStream* stored_hash = stored.get();
  Compression compression = Compression::kNone;
  BW_ASSIGN_OR_RETURN(auto decompressed,
                      make_auto_decompressor(std::move(stored), name, &compression));
  std::unique_ptr<HashingStream> diff_hash;
  ByteStream* tar = decompressed.get();
  if (compression != Compression::kNone && ctx.options.verify_diff_ids) {
    diff_hash =
        std::make_unique<HashingStream>(std::move(decompressed), layer.diff_id, name + " diff_id");
    tar = diff_hash.get();
  }
  CountingStream counted(*tar, ctx.uncompressed_total, name);
  LayerScanner scanner(ctx.analyzers, ctx.matcher, out);
  BW_TRY(read_tar_entries(counted, name, scanner));

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
  unsigned threads =
      options.threads != 0 ? options.threads : std::max(1U, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, n));
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
