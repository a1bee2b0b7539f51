#include <sys/stat.h>

#include "image/container.hpp"

namespace bulwark::image {

core::Result<Image> open_rootfs_dir(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return core::Error::not_found(path + ": not a directory");
  }
  Image img;
  img.source = "dir";
  img.path = path;
  img.rootfs_dir = path;
  img.config = nlohmann::json::object();
  img.platform = Platform::host();
  return img;
}

}  // namespace bulwark::image
