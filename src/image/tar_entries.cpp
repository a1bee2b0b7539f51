#include "image/tar_entries.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <memory>
#include <vector>

#include "core/limits.hpp"
#include "core/path.hpp"

namespace bulwark::image {

using core::Error;
using core::Result;

namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

struct StreamClient {
  ByteStream* stream;
  // Not zero-filled: a pipelined stream lends its own chunks, and these pages are then never
  // touched (no resident memory for them).
  static constexpr size_t kBufSize = 1 << 20;
  std::unique_ptr<std::byte[]> buf = std::make_unique_for_overwrite<std::byte[]>(kBufSize);
  std::optional<Error> error;
};

la_ssize_t read_callback(archive* a, void* data, const void** out) {
  auto* c = static_cast<StreamClient*>(data);
  // A stream with buffers of its own lends one (libarchive uses it until the next call).
  auto block = c->stream->read_block(std::span<std::byte>(c->buf.get(), StreamClient::kBufSize));
  if (!block.ok()) {
    c->error = std::move(block).error();
    archive_set_error(a, EIO, "%s", "stream error");
    return -1;
  }
  *out = block->data();
  return static_cast<la_ssize_t>(block->size());
}

class ArchiveEntryContent final : public EntryContent {
 public:
  ArchiveEntryContent(archive* a, const StreamClient& client) : a_(a), client_(client) {}
  Result<size_t> read(std::span<std::byte> buf) override {
    la_ssize_t n = archive_read_data(a_, buf.data(), buf.size());
    if (n < 0) {
      // The stream's own error (bomb limit, CRC, digest, I/O) says more than libarchive's.
      if (client_.error) return *client_.error;
      const char* why = archive_error_string(a_);
      return Error::invalid(std::string("truncated or corrupt entry data: ") + (why ? why : "?"));
    }
    return static_cast<size_t>(n);
  }

 private:
  archive* a_;
  const StreamClient& client_;
};

EntryType type_of(mode_t ft) {
  switch (ft) {
    case AE_IFREG:
      return EntryType::kFile;
    case AE_IFDIR:
      return EntryType::kDir;
    case AE_IFLNK:
      return EntryType::kSymlink;
    default:
      return EntryType::kOther;
  }
}

// Classifies a normalised path: a whiteout yields the deleted path, an opaque marker the dir.
enum class WhiteoutKind { kNone, kWhiteout, kOpaque, kInvalid };
WhiteoutKind classify(const std::string& path, std::string* target) {
  auto base = core::base_name(path);
  if (base.substr(0, kWhiteoutPrefix.size()) != kWhiteoutPrefix) return WhiteoutKind::kNone;
  auto parent = core::parent_path(path);
  if (base == kOpaqueMarker) {
    *target = std::string(parent);
    return WhiteoutKind::kOpaque;
  }
  auto victim = base.substr(kWhiteoutPrefix.size());
  // ".wh." alone would name the parent itself (or, at the root, everything): not a whiteout
  // any runtime produces, so it deletes nothing.
  if (victim.empty() || victim == "." || victim == "..") return WhiteoutKind::kInvalid;
  *target = parent.empty() ? std::string(victim) : std::string(parent) + "/" + std::string(victim);
  return WhiteoutKind::kWhiteout;
}

}  // namespace

Result<void> read_tar_entries(ByteStream& tar, const std::string& name, EntryVisitor& visitor) {
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  // Names are taken as raw bytes: no charset conversion per entry (it showed in profiles),
  // and non-UTF-8 names survive unchanged.
  archive_read_set_format_option(a, "tar", "hdrcharset", "BINARY");
  StreamClient client{&tar};
  struct Closer {
    archive* a;
    ~Closer() { archive_read_free(a); }
  } closer{a};
  auto fail = [&](std::string_view what) -> Error {
    if (client.error) return client.error->with_context(name);
    const char* why = archive_error_string(a);
    return Error::invalid(name + ": " + std::string(what) + (why ? std::string(": ") + why : ""));
  };
  if (archive_read_open(a, &client, nullptr, read_callback, nullptr) != ARCHIVE_OK) {
    return fail("not a tar stream");
  }
  archive_entry* e = nullptr;
  uint64_t count = 0;
  const auto& lim = core::limits();
  while (true) {
    int rc = archive_read_next_header(a, &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) return fail("corrupt or truncated tar");
    if (++count > lim.max_entries_per_layer)
      return Error::limit(name + ": more entries than the limit");
    const char* raw_c = archive_entry_pathname(e);
    std::string raw = raw_c ? raw_c : "";
    if (raw.size() > lim.max_path_length) {
      visitor.on_bad_entry(raw.substr(0, 64) + "...", "path longer than the limit");
      continue;
    }
    auto path = core::normalize_image_path(raw);
    if (!path) {
      visitor.on_bad_entry(raw, "path escapes the image root; entry ignored");
      continue;
    }
    if (path->empty()) continue;  // "./" itself
    std::string target;
    switch (classify(*path, &target)) {
      case WhiteoutKind::kOpaque:
        visitor.on_opaque_dir(target);
        continue;
      case WhiteoutKind::kWhiteout:
        visitor.on_whiteout(target);
        continue;
      case WhiteoutKind::kInvalid:
        visitor.on_bad_entry(raw, "whiteout without a name; ignored");
        continue;
      case WhiteoutKind::kNone:
        break;
    }
    Entry entry;
    entry.path = std::move(*path);
    entry.mode = static_cast<uint32_t>(archive_entry_perm(e)) | (archive_entry_mode(e) & 07000);
    entry.uid = archive_entry_uid(e);
    entry.gid = archive_entry_gid(e);
    entry.size = archive_entry_size_is_set(e) ? static_cast<uint64_t>(archive_entry_size(e)) : 0;
    if (const char* hl = archive_entry_hardlink(e)) {
      auto t = core::normalize_image_path(hl);
      if (!t) {
        visitor.on_bad_entry(raw, "hardlink target escapes the image root; entry ignored");
        continue;
      }
      entry.type = EntryType::kHardlink;
      entry.link_target = *t;
      entry.size = 0;
    } else {
      entry.type = type_of(archive_entry_filetype(e));
      if (entry.type == EntryType::kSymlink) {
        const char* s = archive_entry_symlink(e);
        entry.link_target = s ? s : "";
      }
    }
    ArchiveEntryContent content(a, client);
    BW_TRY(visitor.on_entry(entry, content));
  }
  if (client.error) return client.error->with_context(name);
  // Drain what follows the end-of-archive marker (block padding) so hashes cover every byte.
  std::vector<std::byte> sink(1 << 16);
  while (true) {
    BW_ASSIGN_OR_RETURN(size_t n, tar.read(sink));
    if (n == 0) break;
  }
  return core::ok();
}

namespace {

class FileContent final : public EntryContent {
 public:
  explicit FileContent(std::string path) : path_(std::move(path)) {}
  ~FileContent() override {
    if (fd_ >= 0) ::close(fd_);
  }
  FileContent(const FileContent&) = delete;
  FileContent& operator=(const FileContent&) = delete;
  Result<size_t> read(std::span<std::byte> buf) override {
    if (fd_ < 0) {
      fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd_ < 0) return Error::from_errno(path_, errno);
    }
    while (true) {
      ssize_t n = ::read(fd_, buf.data(), buf.size());
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return Error::from_errno(path_, errno);
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace

Result<void> read_dir_entries(const std::string& root, EntryVisitor& visitor) {
  namespace fs = std::filesystem;
  std::error_code ec;
  struct stat root_st {};
  if (::lstat(root.c_str(), &root_st) != 0) return Error::from_errno(root, errno);
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) return Error::io(root + ": " + ec.message());
  uint64_t count = 0;
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return Error::io(root + ": " + ec.message());
    if (++count > core::limits().max_entries_per_layer)
      return Error::limit(root + ": more entries than the limit");
    const auto& p = it->path();
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode) && st.st_dev != root_st.st_dev) {
      it.disable_recursion_pending();  // /proc, /sys and other mounts are not the image
      continue;
    }
    // lexically: fs::relative would follow a symlink and record it at its target's path.
    auto rel = core::normalize_image_path(p.lexically_relative(root).string());
    if (!rel || rel->empty()) continue;
    Entry entry;
    entry.path = *rel;
    entry.mode = st.st_mode & 07777;
    entry.uid = st.st_uid;
    entry.gid = st.st_gid;
    if (S_ISREG(st.st_mode)) {
      entry.type = EntryType::kFile;
      entry.size = static_cast<uint64_t>(st.st_size);
    } else if (S_ISDIR(st.st_mode)) {
      entry.type = EntryType::kDir;
    } else if (S_ISLNK(st.st_mode)) {
      entry.type = EntryType::kSymlink;
      std::string target(4096, '\0');
      ssize_t n = ::readlink(p.c_str(), target.data(), target.size());
      entry.link_target = n > 0 ? target.substr(0, static_cast<size_t>(n)) : "";
    } else {
      entry.type = EntryType::kOther;
    }
    FileContent content(p.string());
    BW_TRY(visitor.on_entry(entry, content));
  }
  return core::ok();
}

}  // namespace bulwark::image
