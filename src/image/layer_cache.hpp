// On-disk cache of per-layer analysis results (Trivy's idea, pkg/cache/key.go): keyed by the
// VERIFIED blob digest plus every analyzer's name and version plus the scan options, so a
// changed analyzer invalidates only its results. Never keyed by a config's diff_id, which is
// only a claim: a config could name a clean layer's diff_id for a malicious blob.
//
// A second index remembers which stored file ranges were verified to hold which digest
// (device, inode, size, mtime, ctime, range), so a warm scan need not re-hash unchanged files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/serial.hpp"
#include "image/layer_reader.hpp"

namespace bulwark::image {

class LayerCache {
 public:
  explicit LayerCache(std::string dir) : dir_(std::move(dir)) {}

  // Creates the cache directory (mode 0700) or checks an existing one: it must be a real
  // directory owned by this user and writable by nobody else, since whoever can write it can
  // make a malicious layer scan as clean. An error means "do not use this cache".
  static core::Result<void> prepare(const std::string& dir);

  static std::string key(const core::Digest& blob_digest,
                         const std::vector<const Analyzer*>& analyzers,
                         std::string_view options_key);

  std::optional<LayerResult> load(const std::string& key) const;  // nullopt on miss or corrupt file
  core::Result<void> store(const std::string& key, const LayerResult& result) const;

  std::optional<core::Digest> verified_digest(const FileIdentity& id) const;
  void remember_verified(const FileIdentity& id, const core::Digest& digest) const;

  // Other results kept beside the layers' (kind names a subdirectory, e.g. "images"), with
  // the same atomic writes; the caller owns the encoding and validates what it loads.
  std::optional<std::string> load_entry(std::string_view kind, const std::string& key) const;
  core::Result<void> store_entry(std::string_view kind, const std::string& key,
                                 std::string_view data) const;

  // The verified digest of every layer's stored blob, when the verified-file index knows each
  // file unchanged since it was hashed: what a caller keys an image-wide result by without
  // reading any layer. nullopt when one is unknown (a cold cache or a replaced file).
  std::optional<std::vector<core::Digest>> verified_layer_digests(const Image& image) const;

 private:
  std::string dir_;
};

// The package encoding of the cache files, shared with caches of image-wide results.
void put_package(core::BinaryWriter& w, const core::Package& p);
core::Result<core::Package> get_package(core::BinaryReader& r);

// Exposed for tests and fuzzing: the cache file encoding.
std::string encode_layer_result(const LayerResult& r);
core::Result<LayerResult> decode_layer_result(std::string_view data);

}  // namespace bulwark::image
