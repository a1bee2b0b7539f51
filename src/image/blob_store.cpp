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

}  // namespace bulwark::image
