// An image as every source presents it: the selected manifest's layers in order, the config,
// and a BlobStore to stream blobs from. Sources: docker-archive tars, OCI layouts (directory or
// tar), and root filesystem directories.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/digest.hpp"
#include "core/result.hpp"
#include "image/stream.hpp"

namespace bulwark::image {

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;

  static core::Result<Platform> parse(std::string_view text);  // "linux/arm64/v8"
  static Platform host();
  std::string str() const;
  bool matches(const Platform& wanted) const;  // an empty variant in `wanted` matches any
  bool operator==(const Platform&) const = default;
};

// Identity of the file that stores a blob, so a blob verified once need not be hashed again
// while the file is unchanged (same device, inode, size, mtime and ctime).
struct FileIdentity {
  uint64_t device = 0, inode = 0, size = 0;
  int64_t mtime_ns = 0, ctime_ns = 0;
  uint64_t offset = 0, length = 0;  // the blob's range inside the file
  std::string key() const;
};

struct BlobRef {
  std::string location;                // member path in an archive or file path in a layout
  std::optional<core::Digest> digest;  // content address, when the source names one
  int64_t size = -1;                   // expected size, -1 when unknown
  std::string display() const { return digest ? digest->str() : location; }
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  virtual core::Result<std::unique_ptr<ByteStream>> open(const BlobRef& blob) const = 0;
  virtual std::optional<FileIdentity> identity(const BlobRef& blob) const = 0;
  // Small documents (manifests, configs): read whole, verified against blob.digest.
  core::Result<std::string> read_verified(const BlobRef& blob, uint64_t limit) const;
  // True when blobs are fetched by digest from a content-addressed store (a registry): a
  // cached result for the digest is then used without fetching the blob to prove it.
  virtual bool content_addressed() const { return false; }
};

struct LayerRef {
  int index = 0;
  BlobRef blob;
  std::string media_type;
  std::optional<Compression> declared_compression;  // from the media type, if it says
  std::optional<core::Digest> diff_id;              // from the config (a claim until verified)
  std::string created_by;
};

struct Image {
  std::string source;     // "docker-archive", "oci-layout", "oci-archive", "dir"
  std::string path;       // file or directory given by the user
  std::string reference;  // tag or ref name, when known ("app:1.0")
  std::optional<core::Digest> manifest_digest;
  std::optional<core::Digest> config_digest;
  nlohmann::json config;  // the image config (empty object for a directory)
  Platform platform;
  std::vector<Platform> available_platforms;  // from an index, when there was one
  std::vector<LayerRef> layers;
  std::shared_ptr<const BlobStore> store;
  std::string rootfs_dir;  // set only for source "dir"
};

struct OpenOptions {
  std::optional<Platform> platform;  // default: the host's, then linux/amd64
};

// Opens "docker-archive:PATH", "oci:DIR[:REF]", "oci-archive:PATH[:REF]", "dir:PATH", or a bare
// path recognised by content.
core::Result<Image> open_image(std::string_view target, const OpenOptions& options);

// Registry references come from the registry module (the image module has no network code):
// open_image hands it "registry:REF", and bare targets that are no local file but that it
// recognises as references ("host[:port]/repo[:tag][@digest]").
struct RemoteSource {
  std::function<bool(std::string_view)> recognises;
  std::function<core::Result<Image>(std::string_view, const OpenOptions&)> open;
};
void set_remote_source(RemoteSource source);

}  // namespace bulwark::image
