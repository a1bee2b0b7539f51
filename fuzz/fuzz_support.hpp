// Helpers for fuzz targets: an in-memory Container so image parsers run without files.
#pragma once

#include <map>
#include <string>

#include "image/container.hpp"

namespace bulwark::fuzz {

class MemoryContainer final : public image::Container {
 public:
  std::map<std::string, std::string> files;
  bool exists(const std::string& path) const override { return files.count(path) != 0; }
  core::Result<std::unique_ptr<image::ByteStream>> open(const std::string& path) const override {
    auto it = files.find(path);
    if (it == files.end()) return core::Error::not_found(path);
    return std::unique_ptr<image::ByteStream>(std::make_unique<image::MemoryStream>(it->second));
  }
  std::optional<image::FileIdentity> identity(const std::string& /*path*/) const override {
    return std::nullopt;
  }
  std::string describe(const std::string& path) const override { return "mem:" + path; }
};

inline std::string blob_path(const std::string& data) {
  return "blobs/sha256/" + core::Sha256::hex_of(data);
}

}  // namespace bulwark::fuzz
