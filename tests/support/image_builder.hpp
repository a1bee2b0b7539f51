// Builds real images for tests: layers assembled in memory as tar streams (libarchive's
// writer, PAX format), compressed as asked, then written as a docker-archive (classic or
// containerd style), an OCI layout directory, or an OCI archive tar, with correct digests.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace bulwark::testing {

struct TarEntry {
  enum class Type { kFile, kDir, kSymlink, kHardlink };
  std::string path;
  std::string content;
  Type type = Type::kFile;
  std::string link;  // symlink target or hardlink target path
  unsigned mode = 0644;

  static TarEntry file(std::string p, std::string c, unsigned mode = 0644) {
    return {std::move(p), std::move(c), Type::kFile, "", mode};
  }
  static TarEntry dir(std::string p) { return {std::move(p), "", Type::kDir, "", 0755}; }
  static TarEntry symlink(std::string p, std::string target) {
    return {std::move(p), "", Type::kSymlink, std::move(target), 0777};
  }
  static TarEntry hardlink(std::string p, std::string target) {
    return {std::move(p), "", Type::kHardlink, std::move(target), 0644};
  }
  static TarEntry whiteout(const std::string& deleted_path);  // ".wh.NAME" beside it
  static TarEntry opaque(const std::string& dir);             // "DIR/.wh..wh..opq"
};

enum class LayerCompression { kNone, kGzip, kZstd };

std::string make_tar(const std::vector<TarEntry>& entries);
std::string compress(const std::string& data, LayerCompression c);
std::string sha256_hex(const std::string& data);

struct BuiltLayer {
  std::string tar;     // uncompressed
  std::string stored;  // as stored (maybe compressed)
  LayerCompression compression = LayerCompression::kNone;
  std::string media_type() const;
};

class ImageBuilder {
 public:
  ImageBuilder& layer(const std::vector<TarEntry>& entries,
                      LayerCompression c = LayerCompression::kGzip);
  ImageBuilder& config_field(const std::string& key, nlohmann::json value);
  ImageBuilder& architecture(std::string arch, std::string variant = "");
  // Replaces the diff_id the config claims for layer i (for attack tests).
  ImageBuilder& claim_diff_id(size_t i, std::string digest);

  std::string config_json() const;
  std::string manifest_json() const;  // OCI manifest
  const std::vector<BuiltLayer>& layers() const { return layers_; }

  // docker save output. classic: <id>/layer.tar members (stored uncompressed whatever the
  // layer compression); containerd: OCI blobs + manifest.json pointing at them.
  void write_docker_archive(const std::string& path, bool classic = true,
                            const std::string& tag = "test/image:1.0") const;
  void write_oci_layout(const std::string& dir, const std::string& ref = "1.0") const;
  void write_oci_archive(const std::string& path, const std::string& ref = "1.0") const;

  // A multi-platform OCI layout: one image per builder, under one index.
  static void write_oci_index(const std::string& dir,
                              const std::vector<const ImageBuilder*>& images,
                              const std::string& ref = "1.0");

 private:
  std::vector<BuiltLayer> layers_;
  nlohmann::json config_extra_ = nlohmann::json::object();
  std::string arch_ = "amd64";
  std::string variant_;
  std::map<size_t, std::string> claimed_diff_ids_;
};

// Writes a tar of (name, content) members: the outer archive of docker-archive / oci-archive.
void write_plain_tar(const std::string& path,
                     const std::vector<std::pair<std::string, std::string>>& members);

}  // namespace bulwark::testing
