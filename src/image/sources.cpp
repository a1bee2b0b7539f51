// Turning what the user typed into an Image: explicit transport prefixes, or recognition by
// content for a bare path.
#include <sys/stat.h>

#include "image/container.hpp"

namespace bulwark::image {

using core::Error;
using core::Result;

namespace {

RemoteSource& remote_source() {
  static RemoteSource source;
  return source;
}

bool is_dir(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
bool is_file(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// "PATH:REF" where PATH exists: split at the first ':' after which the prefix is a real path.
std::pair<std::string, std::string> split_ref(std::string_view spec, bool want_dir) {
  std::string s(spec);
  if (want_dir ? is_dir(s) : is_file(s)) return {s, ""};
  for (size_t pos = s.find(':'); pos != std::string::npos; pos = s.find(':', pos + 1)) {
    std::string head = s.substr(0, pos);
    if (want_dir ? is_dir(head) : is_file(head)) return {head, s.substr(pos + 1)};
  }
  return {s, ""};
}

Result<Image> open_archive(const std::string& path, const std::string& ref,
                           const OpenOptions& options, std::string_view forced) {
  BW_ASSIGN_OR_RETURN(auto archive, ArchiveContainer::open_file(path));
  bool docker = archive->exists("manifest.json");
  bool oci = archive->exists("index.json");
  if (forced == "docker-archive" || (forced.empty() && docker)) {
    if (!docker) return Error::invalid(path + ": no manifest.json, not a docker-archive");
    return open_docker_archive(archive, path, ref);
  }
  if (!oci)
    return Error::invalid(path + ": neither manifest.json nor index.json: not an image archive");
  return open_oci(archive, "oci-archive", path, ref, options);
}

Result<Image> open_image_unchecked(std::string_view target, const OpenOptions& options) {
  auto has_prefix = [&](std::string_view p) { return target.substr(0, p.size()) == p; };
  if (has_prefix("docker-archive:")) {
    auto [path, ref] = split_ref(target.substr(15), false);
    if (!is_file(path)) return Error::not_found(path + ": no such file");
    return open_archive(path, ref, options, "docker-archive");
  }
  if (has_prefix("oci-archive:")) {
    auto [path, ref] = split_ref(target.substr(12), false);
    if (!is_file(path)) return Error::not_found(path + ": no such file");
    return open_archive(path, ref, options, "oci-archive");
  }
  if (has_prefix("oci:")) {
    auto [path, ref] = split_ref(target.substr(4), true);
    if (!is_dir(path)) return Error::not_found(path + ": no such directory");
    return open_oci(std::make_shared<DirContainer>(path), "oci-layout", path, ref, options);
  }
  if (has_prefix("dir:")) return open_rootfs_dir(std::string(target.substr(4)));
  if (has_prefix("registry:")) {
    if (!remote_source().open) return Error::unsupported("registry references are not enabled");
    return remote_source().open(target.substr(9), options);
  }

  std::string path(target);
  if (is_dir(path)) {
    if (is_file(path + "/oci-layout") || is_file(path + "/index.json")) {
      return open_oci(std::make_shared<DirContainer>(path), "oci-layout", path, "", options);
    }
    return open_rootfs_dir(path);
  }
  if (is_file(path)) return open_archive(path, "", options, "");
  auto [p, ref] = split_ref(path, false);
  if (is_file(p)) return open_archive(p, ref, options, "");
  auto [d, dref] = split_ref(path, true);
  if (is_dir(d)) return open_oci(std::make_shared<DirContainer>(d), "oci-layout", d, dref, options);
  if (remote_source().recognises && remote_source().recognises(path))
    return remote_source().open(path, options);
  return Error::not_found(path + ": no such file or directory, nor a registry reference");
}

}  // namespace

void set_remote_source(RemoteSource source) {
  remote_source() = std::move(source);
}

Result<Image> open_image(std::string_view target, const OpenOptions& options) {
  BW_ASSIGN_OR_RETURN(auto img, open_image_unchecked(target, options));
  // An explicit --platform must hold even when there was nothing to choose from (a single
  // manifest, a docker-archive): scanning an amd64 image as arm64 would mislead silently.
  if (options.platform && img.rootfs_dir.empty() && !img.platform.matches(*options.platform)) {
    return Error::not_found(std::string(target) + ": image is " + img.platform.str() + ", not " +
                            options.platform->str());
  }
  return img;
}

}  // namespace bulwark::image
