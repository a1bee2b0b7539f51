#include "core/json.hpp"
#include "image/container.hpp"
#include "image/image.hpp"

namespace bulwark::image {

std::string FileIdentity::key() const {
  return std::to_string(device) + ":" + std::to_string(inode) + ":" + std::to_string(size) + ":" +
         std::to_string(mtime_ns) + ":" + std::to_string(ctime_ns) + ":" + std::to_string(offset) +
         ":" + std::to_string(length);
}

core::Result<std::string> BlobStore::read_verified(const BlobRef& blob, uint64_t limit) const {
  if (blob.size > static_cast<int64_t>(limit)) {
    return core::Error::limit(blob.display() + ": declared size " + std::to_string(blob.size) +
                              " exceeds the metadata limit of " + std::to_string(limit) + " bytes");
  }
  BW_ASSIGN_OR_RETURN(auto raw, open(blob));
  HashingStream hashed(std::move(raw), blob.digest, blob.display());
  BW_ASSIGN_OR_RETURN(auto data, read_all(hashed, limit, blob.display()));
  if (blob.size >= 0 && data.size() != static_cast<uint64_t>(blob.size)) {
    return core::Error::invalid(blob.display() + ": size is " + std::to_string(data.size()) +
                                " bytes, the manifest says " + std::to_string(blob.size));
  }
  return data;
}

core::Result<std::vector<core::Digest>> config_diff_ids(const nlohmann::json& config) {
  std::vector<core::Digest> diff_ids;
  auto rootfs = config.find("rootfs");
  if (rootfs == config.end() || !rootfs->is_object()) return diff_ids;
  auto ids = rootfs->find("diff_ids");
  if (ids == rootfs->end() || !ids->is_array()) return diff_ids;
  for (const auto& id : *ids) {
    auto d = core::Digest::parse(id.is_string() ? id.get<std::string>() : "");
    if (!d.ok()) return std::move(d).error().with_context("config rootfs.diff_ids");
    diff_ids.push_back(*d);
  }
  return diff_ids;
}

void attach_created_by(Image& img) {
  auto hist = img.config.find("history");
  if (hist == img.config.end() || !hist->is_array()) return;
  size_t li = 0;
  for (const auto& h : *hist) {
    auto empty = h.is_object() ? h.find("empty_layer") : h.end();
    if (empty != h.end() && empty->is_boolean() && empty->get<bool>()) continue;
    if (li < img.layers.size()) img.layers[li++].created_by = core::json_string(h, "created_by");
  }
}

}  // namespace bulwark::image
