#include "support/image_builder.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/digest.hpp"
#include "support/test_env.hpp"

namespace bulwark::testing {

namespace {

la_ssize_t append_cb(archive* /*a*/, void* data, const void* buf, size_t n) {
  static_cast<std::string*>(data)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

// Runs a libarchive writer into a string.
template <typename Fn>
std::string write_archive(int filter, Fn&& add_entries) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  // Names are written as raw bytes, so tests can build entries with non-UTF-8 names.
  archive_write_set_options(a, "hdrcharset=BINARY");
  if (filter == 1) archive_write_add_filter_gzip(a);
  if (filter == 2) archive_write_add_filter_zstd(a);
  archive_write_set_bytes_in_last_block(a, 1);
  if (archive_write_open(a, &out, nullptr, append_cb, nullptr) != ARCHIVE_OK) {
    throw std::runtime_error(archive_error_string(a));
  }
  add_entries(a);
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

void add(archive* a, const TarEntry& e) {
  archive_entry* ae = archive_entry_new();
  archive_entry_set_pathname(ae, e.path.c_str());
  archive_entry_set_mtime(ae, 1704067200, 0);
  archive_entry_set_uid(ae, 0);
  archive_entry_set_gid(ae, 0);
  switch (e.type) {
    case TarEntry::Type::kFile:
      archive_entry_set_filetype(ae, AE_IFREG);
      archive_entry_set_size(ae, static_cast<la_int64_t>(e.content.size()));
      break;
    case TarEntry::Type::kDir:
      archive_entry_set_filetype(ae, AE_IFDIR);
      break;
    case TarEntry::Type::kSymlink:
      archive_entry_set_filetype(ae, AE_IFLNK);
      archive_entry_set_symlink(ae, e.link.c_str());
      break;
    case TarEntry::Type::kHardlink:
      archive_entry_set_filetype(ae, AE_IFREG);
      archive_entry_set_hardlink(ae, e.link.c_str());
      archive_entry_set_size(ae, 0);
      break;
  }
  archive_entry_set_perm(ae, e.mode);
  if (archive_write_header(a, ae) != ARCHIVE_OK) throw std::runtime_error(archive_error_string(a));
  if (e.type == TarEntry::Type::kFile && !e.content.empty()) {
    archive_write_data(a, e.content.data(), e.content.size());
  }
  archive_entry_free(ae);
}

void write_bytes(const std::filesystem::path& p, const std::string& data) {
  write_file(p, data);
}

}  // namespace

TarEntry TarEntry::whiteout(const std::string& deleted_path) {
  auto slash = deleted_path.rfind('/');
  std::string parent = slash == std::string::npos ? "" : deleted_path.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? deleted_path : deleted_path.substr(slash + 1);
  return file(parent + ".wh." + base, "");
}

TarEntry TarEntry::opaque(const std::string& dir) {
  return file(dir + "/.wh..wh..opq", "");
}

std::string make_tar(const std::vector<TarEntry>& entries) {
  return write_archive(0, [&](archive* a) {
    for (const auto& e : entries) add(a, e);
  });
}

std::string compress(const std::string& data, LayerCompression c) {
  if (c == LayerCompression::kNone) return data;
  // libarchive's raw format + a filter compresses one "file" with no tar structure.
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_raw(a);
  archive_write_add_filter(
      a, c == LayerCompression::kGzip ? ARCHIVE_FILTER_GZIP : ARCHIVE_FILTER_ZSTD);
  // No time in the gzip header: the same layer is the same blob whenever it is written
  // (tests compare digests of images built a moment, maybe a second boundary, apart).
  if (c == LayerCompression::kGzip) archive_write_set_options(a, "gzip:!timestamp");
  archive_write_set_bytes_per_block(a, 0);
  archive_write_open(a, &out, nullptr, append_cb, nullptr);
  archive_entry* ae = archive_entry_new();
  archive_entry_set_filetype(ae, AE_IFREG);
  archive_entry_set_size(ae, static_cast<la_int64_t>(data.size()));
  archive_write_header(a, ae);
  archive_write_data(a, data.data(), data.size());
  archive_entry_free(ae);
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

std::string sha256_hex(const std::string& data) {
  return core::Sha256::hex_of(data);
}

std::string BuiltLayer::media_type() const {
  switch (compression) {
    case LayerCompression::kNone:
      return "application/vnd.oci.image.layer.v1.tar";
    case LayerCompression::kGzip:
      return "application/vnd.oci.image.layer.v1.tar+gzip";
    case LayerCompression::kZstd:
      return "application/vnd.oci.image.layer.v1.tar+zstd";
  }
  return "";
}

ImageBuilder& ImageBuilder::layer(const std::vector<TarEntry>& entries, LayerCompression c) {
  BuiltLayer l;
  l.tar = make_tar(entries);
  l.stored = compress(l.tar, c);
  l.compression = c;
  layers_.push_back(std::move(l));
  return *this;
}

ImageBuilder& ImageBuilder::config_field(const std::string& key, nlohmann::json value) {
  config_extra_[key] = std::move(value);
  return *this;
}

ImageBuilder& ImageBuilder::architecture(std::string arch, std::string variant) {
  arch_ = std::move(arch);
  variant_ = std::move(variant);
  return *this;
}

ImageBuilder& ImageBuilder::claim_diff_id(size_t i, std::string digest) {
  claimed_diff_ids_[i] = std::move(digest);
  return *this;
}

std::string ImageBuilder::config_json() const {
  nlohmann::ordered_json cfg;
  cfg["architecture"] = arch_;
  if (!variant_.empty()) cfg["variant"] = variant_;
  cfg["os"] = "linux";
  cfg["created"] = "2024-01-01T00:00:00Z";
  cfg["config"] = config_extra_;
  nlohmann::json ids = nlohmann::json::array();
  nlohmann::json history = nlohmann::json::array();
  for (size_t i = 0; i < layers_.size(); ++i) {
    auto it = claimed_diff_ids_.find(i);
    ids.push_back(it != claimed_diff_ids_.end() ? it->second
                                                : "sha256:" + sha256_hex(layers_[i].tar));
    history.push_back({{"created_by", "layer " + std::to_string(i + 1)}});
  }
  cfg["rootfs"] = {{"type", "layers"}, {"diff_ids", ids}};
  cfg["history"] = history;
  return cfg.dump();
}

std::string ImageBuilder::manifest_json() const {
  auto config = config_json();
  nlohmann::ordered_json m;
  m["schemaVersion"] = 2;
  m["mediaType"] = "application/vnd.oci.image.manifest.v1+json";
  m["config"] = {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                 {"digest", "sha256:" + sha256_hex(config)},
                 {"size", config.size()}};
  m["layers"] = nlohmann::json::array();
  for (const auto& l : layers_) {
    m["layers"].push_back({{"mediaType", l.media_type()},
                           {"digest", "sha256:" + sha256_hex(l.stored)},
                           {"size", l.stored.size()}});
  }
  return m.dump();
}

void ImageBuilder::write_docker_archive(const std::string& path, bool classic,
                                        const std::string& tag) const {
  std::vector<std::pair<std::string, std::string>> members;
  auto config = config_json();
  nlohmann::json entry;
  entry["RepoTags"] = {tag};
  nlohmann::json layer_paths = nlohmann::json::array();
  if (classic) {
    entry["Config"] = sha256_hex(config) + ".json";
    members.emplace_back(sha256_hex(config) + ".json", config);
    for (size_t i = 0; i < layers_.size(); ++i) {
      std::string id = sha256_hex(layers_[i].tar + std::to_string(i));
      members.emplace_back(id + "/VERSION", "1.0");
      members.emplace_back(id + "/layer.tar", layers_[i].tar);
      layer_paths.push_back(id + "/layer.tar");
    }
  } else {
    entry["Config"] = "blobs/sha256/" + sha256_hex(config);
    members.emplace_back("blobs/sha256/" + sha256_hex(config), config);
    for (const auto& l : layers_) {
      members.emplace_back("blobs/sha256/" + sha256_hex(l.stored), l.stored);
      layer_paths.push_back("blobs/sha256/" + sha256_hex(l.stored));
    }
    auto manifest = manifest_json();
    members.emplace_back("blobs/sha256/" + sha256_hex(manifest), manifest);
    nlohmann::json index = {{"schemaVersion", 2},
                            {"mediaType", "application/vnd.oci.image.index.v1+json"},
                            {"manifests",
                             {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                               {"digest", "sha256:" + sha256_hex(manifest)},
                               {"size", manifest.size()}}}}};
    members.emplace_back("index.json", index.dump());
    members.emplace_back("oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  }
  entry["Layers"] = layer_paths;
  members.emplace_back("manifest.json", nlohmann::json::array({entry}).dump());
  write_plain_tar(path, members);
}

namespace {
std::vector<std::pair<std::string, std::string>> oci_members(
    const std::vector<const ImageBuilder*>& images, const std::string& ref) {
  std::vector<std::pair<std::string, std::string>> members;
  nlohmann::json manifests = nlohmann::json::array();
  for (const auto* img : images) {
    auto config = img->config_json();
    members.emplace_back("blobs/sha256/" + sha256_hex(config), config);
    for (const auto& l : img->layers())
      members.emplace_back("blobs/sha256/" + sha256_hex(l.stored), l.stored);
    auto manifest = img->manifest_json();
    members.emplace_back("blobs/sha256/" + sha256_hex(manifest), manifest);
    auto cfg = nlohmann::json::parse(config);
    nlohmann::json d = {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                        {"digest", "sha256:" + sha256_hex(manifest)},
                        {"size", manifest.size()}};
    if (images.size() > 1) {
      d["platform"] = {{"os", cfg["os"]}, {"architecture", cfg["architecture"]}};
      if (cfg.contains("variant")) d["platform"]["variant"] = cfg["variant"];
    } else {
      d["annotations"] = {{"org.opencontainers.image.ref.name", ref}};
    }
    manifests.push_back(d);
  }
  nlohmann::json index = {{"schemaVersion", 2},
                          {"mediaType", "application/vnd.oci.image.index.v1+json"}};
  if (images.size() > 1) {
    // Multi-platform: a nested index named by the ref, as `docker buildx` lays it out.
    nlohmann::json inner = index;
    inner["manifests"] = manifests;
    auto inner_text = inner.dump();
    members.emplace_back("blobs/sha256/" + sha256_hex(inner_text), inner_text);
    index["manifests"] = {{{"mediaType", "application/vnd.oci.image.index.v1+json"},
                           {"digest", "sha256:" + sha256_hex(inner_text)},
                           {"size", inner_text.size()},
                           {"annotations", {{"org.opencontainers.image.ref.name", ref}}}}};
  } else {
    index["manifests"] = manifests;
  }
  members.emplace_back("index.json", index.dump());
  members.emplace_back("oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  return members;
}
}  // namespace

void ImageBuilder::write_oci_layout(const std::string& dir, const std::string& ref) const {
  for (const auto& [name, data] : oci_members({this}, ref))
    write_bytes(std::filesystem::path(dir) / name, data);
}

void ImageBuilder::write_oci_archive(const std::string& path, const std::string& ref) const {
  write_plain_tar(path, oci_members({this}, ref));
}

void ImageBuilder::write_oci_index(const std::string& dir,
                                   const std::vector<const ImageBuilder*>& images,
                                   const std::string& ref) {
  for (const auto& [name, data] : oci_members(images, ref))
    write_bytes(std::filesystem::path(dir) / name, data);
}

void write_plain_tar(const std::string& path,
                     const std::vector<std::pair<std::string, std::string>>& members) {
  std::vector<TarEntry> entries;
  for (const auto& [name, data] : members) entries.push_back(TarEntry::file(name, data));
  write_bytes(path, make_tar(entries));
}

}  // namespace bulwark::testing
