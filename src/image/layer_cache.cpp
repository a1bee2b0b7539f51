#include "image/layer_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/serial.hpp"

namespace bulwark::image {

using core::BinaryReader;
using core::BinaryWriter;
using core::Error;
using core::Result;

namespace {

// 3: packages carry changelog_cves.
constexpr std::string_view kMagic = "bulwark-layer-cache/3\n";

}  // namespace

// Every metadata type must be encoded here and decoded in get_package; a new alternative
// fails this check until it is (a type the cache dropped made every warm scan a miss).
static_assert(std::variant_size_v<core::PackageMetadata> == 6,
              "encode and decode the new PackageMetadata alternative in the layer cache");

void put_package(BinaryWriter& w, const core::Package& p) {
  w.str(p.name);
  w.str(p.version);
  w.str(p.ecosystem);
  w.str(p.purl);
  w.str(p.architecture);
  w.str(p.source_name);
  w.str(p.source_version);
  w.strings(p.licenses);
  w.u64(p.locations.size());
  for (const auto& l : p.locations) {
    w.str(l.path);
    w.i64(l.layer_index);
    w.str(l.layer_digest);
  }
  w.strings(p.files);
  w.u64(p.metadata.index());
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, core::DpkgMetadata>) {
          w.str(m.maintainer);
          w.str(m.status);
          w.i64(m.installed_size_kib);
        } else if constexpr (std::is_same_v<T, core::ApkMetadata>) {
          w.str(m.origin);
          w.str(m.commit);
          w.str(m.maintainer);
          w.str(m.checksum);
        } else if constexpr (std::is_same_v<T, core::RpmMetadata>) {
          w.boolean(m.epoch.has_value());
          w.i64(m.epoch.value_or(0));
          w.str(m.release);
          w.str(m.source_rpm);
          w.str(m.modularity_label);
          w.str(m.vendor);
          w.str(m.db_format);
        } else if constexpr (std::is_same_v<T, core::LanguageMetadata>) {
          w.boolean(m.dev);
          w.boolean(m.optional);
          w.str(m.resolved);
          w.str(m.integrity);
        } else if constexpr (std::is_same_v<T, core::GoMetadata>) {
          w.boolean(m.main_module);
          w.str(m.go_version);
          w.str(m.main_path);
          w.str(m.sum);
          w.u64(m.build_settings.size());
          for (const auto& [k, v] : m.build_settings) {
            w.str(k);
            w.str(v);
          }
        }
      },
      p.metadata);
  w.i64(p.removed_in_layer.value_or(-1));
  w.u64(p.changelog_cves.size());
  for (const auto& c : p.changelog_cves) {
    w.str(c.cve);
    w.str(c.version);
    w.str(c.line);
  }
}

Result<core::Package> get_package(BinaryReader& r) {
  core::Package p;
  BW_ASSIGN_OR_RETURN(p.name, r.str());
  BW_ASSIGN_OR_RETURN(p.version, r.str());
  BW_ASSIGN_OR_RETURN(p.ecosystem, r.str());
  BW_ASSIGN_OR_RETURN(p.purl, r.str());
  BW_ASSIGN_OR_RETURN(p.architecture, r.str());
  BW_ASSIGN_OR_RETURN(p.source_name, r.str());
  BW_ASSIGN_OR_RETURN(p.source_version, r.str());
  BW_ASSIGN_OR_RETURN(p.licenses, r.strings());
  BW_ASSIGN_OR_RETURN(uint64_t nloc, r.u64());
  for (uint64_t i = 0; i < nloc; ++i) {
    core::Location l;
    BW_ASSIGN_OR_RETURN(l.path, r.str());
    BW_ASSIGN_OR_RETURN(int64_t li, r.i64());
    l.layer_index = static_cast<int>(li);
    BW_ASSIGN_OR_RETURN(l.layer_digest, r.str());
    p.locations.push_back(std::move(l));
  }
  BW_ASSIGN_OR_RETURN(p.files, r.strings());
  BW_ASSIGN_OR_RETURN(uint64_t kind, r.u64());
  switch (kind) {
    case 0:
      break;
    case 1: {
      core::DpkgMetadata m;
      BW_ASSIGN_OR_RETURN(m.maintainer, r.str());
      BW_ASSIGN_OR_RETURN(m.status, r.str());
      BW_ASSIGN_OR_RETURN(m.installed_size_kib, r.i64());
      p.metadata = std::move(m);
      break;
    }
    case 2: {
      core::ApkMetadata m;
      BW_ASSIGN_OR_RETURN(m.origin, r.str());
      BW_ASSIGN_OR_RETURN(m.commit, r.str());
      BW_ASSIGN_OR_RETURN(m.maintainer, r.str());
      BW_ASSIGN_OR_RETURN(m.checksum, r.str());
      p.metadata = std::move(m);
      break;
    }
    case 3: {
      core::RpmMetadata m;
      BW_ASSIGN_OR_RETURN(bool has_epoch, r.boolean());
      BW_ASSIGN_OR_RETURN(int64_t epoch, r.i64());
      if (has_epoch) m.epoch = epoch;
      BW_ASSIGN_OR_RETURN(m.release, r.str());
      BW_ASSIGN_OR_RETURN(m.source_rpm, r.str());
      BW_ASSIGN_OR_RETURN(m.modularity_label, r.str());
      BW_ASSIGN_OR_RETURN(m.vendor, r.str());
      BW_ASSIGN_OR_RETURN(m.db_format, r.str());
      p.metadata = std::move(m);
      break;
    }
    case 4: {
      core::LanguageMetadata m;
      BW_ASSIGN_OR_RETURN(m.dev, r.boolean());
      BW_ASSIGN_OR_RETURN(m.optional, r.boolean());
      BW_ASSIGN_OR_RETURN(m.resolved, r.str());
      BW_ASSIGN_OR_RETURN(m.integrity, r.str());
      p.metadata = std::move(m);
      break;
    }
    case 5: {
      core::GoMetadata m;
      BW_ASSIGN_OR_RETURN(m.main_module, r.boolean());
      BW_ASSIGN_OR_RETURN(m.go_version, r.str());
      BW_ASSIGN_OR_RETURN(m.main_path, r.str());
      BW_ASSIGN_OR_RETURN(m.sum, r.str());
      BW_ASSIGN_OR_RETURN(uint64_t n, r.u64());
      for (uint64_t i = 0; i < n; ++i) {
        BW_ASSIGN_OR_RETURN(auto k, r.str());
        BW_ASSIGN_OR_RETURN(auto v, r.str());
        m.build_settings.emplace_back(std::move(k), std::move(v));
      }
      p.metadata = std::move(m);
      break;
    }
    default:
      return Error::invalid("unknown package metadata kind");
  }
  BW_ASSIGN_OR_RETURN(int64_t removed, r.i64());
  if (removed >= 0) p.removed_in_layer = static_cast<int>(removed);
  BW_ASSIGN_OR_RETURN(uint64_t ncves, r.u64());
  for (uint64_t i = 0; i < ncves; ++i) {
    core::ChangelogCve c;
    BW_ASSIGN_OR_RETURN(c.cve, r.str());
    BW_ASSIGN_OR_RETURN(c.version, r.str());
    BW_ASSIGN_OR_RETURN(c.line, r.str());
    p.changelog_cves.push_back(std::move(c));
  }
  return p;
}

namespace {

std::string shard_path(const std::string& dir, std::string_view sub, const std::string& key) {
  return dir + "/" + std::string(sub) + "/" + key.substr(0, 2) + "/" + key;
}

std::optional<std::string> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Write-then-rename so concurrent scans never read a half-written file; mkstemp gives every
// writer (threads and processes) its own temporary name.
Result<void> write_atomically(const std::string& path, std::string_view data) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return Error::io(path + ": " + ec.message());
  std::string tmp = path + ".tmp.XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return Error::from_errno(tmp, errno);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      std::filesystem::remove(tmp, ec);
      return Error::from_errno(tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) {
    std::filesystem::remove(tmp, ec);
    return Error::io(tmp + ": close failed");
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return Error::io(path + ": " + ec.message());
  }
  return core::ok();
}

}  // namespace

std::string encode_layer_result(const LayerResult& r) {
  BinaryWriter w;
  w.str(kMagic);
  w.str(r.blob_digest ? r.blob_digest->hex : "");
  w.str(r.diff_id ? r.diff_id->hex : "");
  w.u64(r.stored_bytes);
  w.u64(r.uncompressed_bytes);
  w.u64(r.files.entries.size());
  for (const auto& e : r.files.entries) {
    w.str(e.path);
    w.u64(static_cast<uint64_t>(e.type));
    w.u64(e.size);
    w.u64(e.mode);
    w.i64(e.uid);
    w.i64(e.gid);
    w.str(e.link_target);
  }
  w.strings(r.files.whiteouts);
  w.strings(r.files.opaque_dirs);
  w.u64(r.facts.packages_by_path.size());
  for (const auto& [path, pkgs] : r.facts.packages_by_path) {
    w.str(path);
    w.u64(pkgs.size());
    for (const auto& p : pkgs) put_package(w, p);
  }
  w.u64(r.facts.facts_by_path.size());
  for (const auto& [path, facts] : r.facts.facts_by_path) {
    w.str(path);
    w.strings(facts);
  }
  w.u64(r.facts.captured.size());
  for (const auto& [path, data] : r.facts.captured) {
    w.str(path);
    w.str(data);
  }
  w.u64(r.facts.findings_by_path.size());
  for (const auto& [path, records] : r.facts.findings_by_path) {
    w.str(path);
    w.strings(records);
  }
  w.strings(r.facts.warnings);
  return w.take();
}

Result<LayerResult> decode_layer_result(std::string_view data) {
  BinaryReader r(data);
  BW_ASSIGN_OR_RETURN(auto magic, r.str());
  if (magic != kMagic) return Error::invalid("not a bulwark layer cache file");
  LayerResult out;
  BW_ASSIGN_OR_RETURN(auto blob_hex, r.str());
  if (!blob_hex.empty()) out.blob_digest = core::Digest{blob_hex};
  BW_ASSIGN_OR_RETURN(auto diff_hex, r.str());
  if (!diff_hex.empty()) out.diff_id = core::Digest{diff_hex};
  BW_ASSIGN_OR_RETURN(out.stored_bytes, r.u64());
  BW_ASSIGN_OR_RETURN(out.uncompressed_bytes, r.u64());
  BW_ASSIGN_OR_RETURN(uint64_t n, r.u64());
  if (n > data.size()) return Error::invalid("entry count larger than the file");
  out.files.entries.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    Entry e;
    BW_ASSIGN_OR_RETURN(e.path, r.str());
    BW_ASSIGN_OR_RETURN(uint64_t type, r.u64());
    if (type > static_cast<uint64_t>(EntryType::kOther)) return Error::invalid("bad entry type");
    e.type = static_cast<EntryType>(type);
    BW_ASSIGN_OR_RETURN(e.size, r.u64());
    BW_ASSIGN_OR_RETURN(uint64_t mode, r.u64());
    e.mode = static_cast<uint32_t>(mode);
    BW_ASSIGN_OR_RETURN(e.uid, r.i64());
    BW_ASSIGN_OR_RETURN(e.gid, r.i64());
    BW_ASSIGN_OR_RETURN(e.link_target, r.str());
    out.files.entries.push_back(std::move(e));
  }
  BW_ASSIGN_OR_RETURN(out.files.whiteouts, r.strings());
  BW_ASSIGN_OR_RETURN(out.files.opaque_dirs, r.strings());
  BW_ASSIGN_OR_RETURN(uint64_t npaths, r.u64());
  for (uint64_t i = 0; i < npaths; ++i) {
    BW_ASSIGN_OR_RETURN(auto path, r.str());
    BW_ASSIGN_OR_RETURN(uint64_t count, r.u64());
    if (count > data.size()) return Error::invalid("package count larger than the file");
    auto& pkgs = out.facts.packages_by_path[path];
    for (uint64_t j = 0; j < count; ++j) {
      BW_ASSIGN_OR_RETURN(auto p, get_package(r));
      pkgs.push_back(std::move(p));
    }
  }
  BW_ASSIGN_OR_RETURN(uint64_t nfacts, r.u64());
  for (uint64_t i = 0; i < nfacts; ++i) {
    BW_ASSIGN_OR_RETURN(auto path, r.str());
    BW_ASSIGN_OR_RETURN(out.facts.facts_by_path[path], r.strings());
  }
  BW_ASSIGN_OR_RETURN(uint64_t ncap, r.u64());
  for (uint64_t i = 0; i < ncap; ++i) {
    BW_ASSIGN_OR_RETURN(auto path, r.str());
    BW_ASSIGN_OR_RETURN(out.facts.captured[path], r.str());
  }
  BW_ASSIGN_OR_RETURN(uint64_t nfind, r.u64());
  for (uint64_t i = 0; i < nfind; ++i) {
    BW_ASSIGN_OR_RETURN(auto path, r.str());
    BW_ASSIGN_OR_RETURN(out.facts.findings_by_path[path], r.strings());
  }
  BW_ASSIGN_OR_RETURN(out.facts.warnings, r.strings());
  if (!r.at_end()) return Error::invalid("trailing bytes in cache file");
  return out;
}

Result<void> LayerCache::prepare(const std::string& dir) {
  std::error_code ec;
  auto parent = std::filesystem::path(dir).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Error::from_errno(dir, errno);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return Error::from_errno(dir, errno);
  if (!S_ISDIR(st.st_mode)) return Error::invalid(dir + ": not a directory (a symlink?)");
  if (st.st_uid != ::geteuid()) return Error::invalid(dir + ": owned by another user");
  if ((st.st_mode & 022) != 0) return Error::invalid(dir + ": writable by group or others");
  return core::ok();
}

std::string LayerCache::key(const core::Digest& blob_digest,
                            const std::vector<const Analyzer*>& analyzers,
                            std::string_view options_key) {
  std::vector<std::string> parts;
  for (const auto* a : analyzers)
    parts.push_back(std::string(a->name()) + "@" + std::to_string(a->version()));
  std::sort(parts.begin(), parts.end());
  std::string material = "layer-cache/2|" + blob_digest.str() + "|";
  for (const auto& p : parts) material += p + ",";
  material += "|";
  material += options_key;
  return core::Sha256::hex_of(material);
}

std::optional<std::string> LayerCache::load_entry(std::string_view kind,
                                                  const std::string& key) const {
  return slurp(shard_path(dir_, kind, key));
}

Result<void> LayerCache::store_entry(std::string_view kind, const std::string& key,
                                     std::string_view data) const {
  return write_atomically(shard_path(dir_, kind, key), data);
}

std::optional<LayerResult> LayerCache::load(const std::string& key) const {
  auto data = slurp(shard_path(dir_, "layers", key));
  if (!data) return std::nullopt;
  auto r = decode_layer_result(*data);
  if (!r.ok()) return std::nullopt;
  return std::move(r).value();
}

Result<void> LayerCache::store(const std::string& key, const LayerResult& result) const {
  return write_atomically(shard_path(dir_, "layers", key), encode_layer_result(result));
}

std::optional<core::Digest> LayerCache::verified_digest(const FileIdentity& id) const {
  auto data = slurp(shard_path(dir_, "verified", core::Sha256::hex_of(id.key())));
  if (!data) return std::nullopt;
  auto d = core::Digest::parse(*data);
  if (!d.ok()) return std::nullopt;
  return *d;
}

void LayerCache::remember_verified(const FileIdentity& id, const core::Digest& digest) const {
  // Best effort: a failure only costs a re-hash next time.
  (void)write_atomically(shard_path(dir_, "verified", core::Sha256::hex_of(id.key())),
                         digest.str());
}

std::optional<std::vector<core::Digest>> LayerCache::verified_layer_digests(
    const Image& image) const {
  if (!image.rootfs_dir.empty() || image.store == nullptr) return std::nullopt;
  std::vector<core::Digest> out;
  out.reserve(image.layers.size());
  for (const auto& layer : image.layers) {
    auto identity = image.store->identity(layer.blob);
    if (!identity) return std::nullopt;
    auto digest = verified_digest(*identity);
    if (!digest || (layer.blob.digest && *digest != *layer.blob.digest)) return std::nullopt;
    out.push_back(*digest);
  }
  return out;
}

}  // namespace bulwark::image
