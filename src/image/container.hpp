// Where an image's files live: a directory (OCI layout, rootfs) or an uncompressed tar
// (docker-archive, OCI archive) indexed once so members are read in place with pread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "image/image.hpp"

namespace bulwark::image {

class Container {
 public:
  virtual ~Container() = default;
  virtual bool exists(const std::string& path) const = 0;
  virtual core::Result<std::unique_ptr<ByteStream>> open(const std::string& path) const = 0;
  virtual std::optional<FileIdentity> identity(const std::string& path) const = 0;
  virtual std::string describe(const std::string& path) const = 0;  // for error messages
  core::Result<std::string> read(const std::string& path, uint64_t limit) const;
};

class DirContainer final : public Container {
 public:
  explicit DirContainer(std::string root) : root_(std::move(root)) {}
  bool exists(const std::string& path) const override;
  core::Result<std::unique_ptr<ByteStream>> open(const std::string& path) const override;
  std::optional<FileIdentity> identity(const std::string& path) const override;
  std::string describe(const std::string& path) const override { return root_ + "/" + path; }

 private:
  core::Result<std::string> safe_path(const std::string& path) const;
  std::string root_;
};

class ArchiveContainer final : public Container {
 public:
  // Indexes every member of an uncompressed tar (names, data offsets, sizes; links resolved).
  static core::Result<std::shared_ptr<ArchiveContainer>> open_file(const std::string& path);
  bool exists(const std::string& path) const override;
  core::Result<std::unique_ptr<ByteStream>> open(const std::string& path) const override;
  std::optional<FileIdentity> identity(const std::string& path) const override;
  std::string describe(const std::string& path) const override { return file_ + ":" + path; }

  struct Member {
    uint64_t offset = 0;
    uint64_t size = 0;
    std::string link;  // symlink or hardlink target (normalised), empty for regular files
    bool symlink = false;
  };

 private:
  const Member* resolve(const std::string& path) const;
  std::string file_;
  std::shared_ptr<const int> fd_;
  FileIdentity file_identity_;
  std::map<std::string, Member> members_;
};

// A BlobStore whose blob locations are paths inside a Container.
class ContainerBlobStore final : public BlobStore {
 public:
  explicit ContainerBlobStore(std::shared_ptr<const Container> c) : container_(std::move(c)) {}
  core::Result<std::unique_ptr<ByteStream>> open(const BlobRef& blob) const override {
    return container_->open(blob.location);
  }
  std::optional<FileIdentity> identity(const BlobRef& blob) const override {
    return container_->identity(blob.location);
  }

 private:
  std::shared_ptr<const Container> container_;
};

// The config's rootfs.diff_ids (empty when absent); a malformed digest is an error.
core::Result<std::vector<core::Digest>> config_diff_ids(const nlohmann::json& config);
// Gives each layer the created_by of its history entry (entries marked empty_layer skipped).
void attach_created_by(Image& img);

// OCI layout (directory or archive): index.json -> manifest -> config + layers.
core::Result<Image> open_oci(std::shared_ptr<const Container> c, std::string source,
                             std::string path, std::string ref, const OpenOptions& options);
// docker save output (classic or containerd style): manifest.json.
core::Result<Image> open_docker_archive(std::shared_ptr<const Container> c, std::string path,
                                        std::string ref);
core::Result<Image> open_rootfs_dir(const std::string& path);

}  // namespace bulwark::image
