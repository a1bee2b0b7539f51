// Indexing an uncompressed outer tar (docker-archive, OCI archive) with libarchive: we record
// each member's data offset so layers can later be streamed in parallel straight from the
// file with pread, without extracting anything.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>

#include "core/limits.hpp"
#include "core/path.hpp"
#include "image/container.hpp"

namespace bulwark::image {

using core::Error;
using core::Result;

Result<std::string> Container::read(const std::string& path, uint64_t limit) const {
  BW_ASSIGN_OR_RETURN(auto s, open(path));
  return read_all(*s, limit, describe(path));
}

// --- directory ---------------------------------------------------------------------------

Result<std::string> DirContainer::safe_path(const std::string& path) const {
  auto norm = core::normalize_image_path(path);
  if (!norm || norm->empty()) return Error::invalid(describe(path) + ": path escapes the layout");
  return root_ + "/" + *norm;
}

bool DirContainer::exists(const std::string& path) const {
  auto p = safe_path(path);
  struct stat st {};
  return p.ok() && ::stat(p->c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<std::unique_ptr<ByteStream>> DirContainer::open(const std::string& path) const {
  BW_ASSIGN_OR_RETURN(auto full, safe_path(path));
  // The file must resolve inside the layout (a symlinked blob may not read /etc/shadow into an
  // error message) and must not be a FIFO or device (O_NONBLOCK: opening one must not hang).
  char resolved[PATH_MAX];
  char root[PATH_MAX];
  if (::realpath(full.c_str(), resolved) == nullptr) {
    if (errno == ENOENT) return Error::not_found(full + ": missing");
    return Error::from_errno(full, errno);
  }
  if (::realpath(root_.c_str(), root) == nullptr) return Error::from_errno(root_, errno);
  std::string_view r(resolved), base(root);
  if (!(r.size() > base.size() && r.substr(0, base.size()) == base && r[base.size()] == '/')) {
    return Error::invalid(full + ": resolves outside the layout directory");
  }
  int fd = ::open(resolved, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return Error::not_found(full + ": missing");
    return Error::from_errno(full, errno);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error::invalid(full + ": not a regular file");
  }
  auto shared = std::shared_ptr<const int>(new int(fd), [](const int* p) {
    ::close(*p);
    delete p;
  });
  return std::unique_ptr<ByteStream>(
      std::make_unique<FileRangeStream>(shared, 0, static_cast<uint64_t>(st.st_size), full));
}

std::optional<FileIdentity> DirContainer::identity(const std::string& path) const {
  auto full = safe_path(path);
  struct stat st {};
  if (!full.ok() || ::stat(full->c_str(), &st) != 0) return std::nullopt;
  return FileIdentity{static_cast<uint64_t>(st.st_dev),
                      static_cast<uint64_t>(st.st_ino),
                      static_cast<uint64_t>(st.st_size),
                      st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec,
                      st.st_ctim.tv_sec * 1'000'000'000LL + st.st_ctim.tv_nsec,
                      0,
                      static_cast<uint64_t>(st.st_size)};
}

// --- tar archive -------------------------------------------------------------------------

Result<std::shared_ptr<ArchiveContainer>> ArchiveContainer::open_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::from_errno(path, errno);
  auto shared = std::shared_ptr<const int>(new int(fd), [](const int* p) {
    ::close(*p);
    delete p;
  });
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Error::from_errno(path, errno);
  if (!S_ISREG(st.st_mode)) return Error::invalid(path + ": not a regular file");

  auto c = std::shared_ptr<ArchiveContainer>(new ArchiveContainer());
  c->file_ = path;
  c->fd_ = shared;
  c->file_identity_ = FileIdentity{static_cast<uint64_t>(st.st_dev),
                                   static_cast<uint64_t>(st.st_ino),
                                   static_cast<uint64_t>(st.st_size),
                                   st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec,
                                   st.st_ctim.tv_sec * 1'000'000'000LL + st.st_ctim.tv_nsec,
                                   0,
                                   0};

  // libarchive reads through its own fd; offsets come from the bytes it has consumed.
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  auto close_archive = [&] { archive_read_free(a); };
  int dup_fd = ::dup(fd);
  if (dup_fd < 0 || archive_read_open_fd(a, dup_fd, 64 * 1024) != ARCHIVE_OK) {
    std::string why = archive_error_string(a) ? archive_error_string(a) : "cannot read";
    close_archive();
    if (dup_fd >= 0) ::close(dup_fd);
    return Error::invalid(path + ": not a tar archive (" + why + ")");
  }
  archive_entry* e = nullptr;
  uint64_t count = 0;
  Result<void> status;
  while (true) {
    int rc = archive_read_next_header(a, &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      const char* why = archive_error_string(a);
      status = Error::invalid(path + ": " + (why ? why : "corrupt tar header"));
      break;
    }
    if (++count > core::limits().max_entries_per_layer) {
      status = Error::limit(path + ": more members than the limit");
      break;
    }
    const char* raw = archive_entry_pathname(e);
    auto name = core::normalize_image_path(raw ? raw : "");
    if (!name || name->empty()) continue;  // "../x" members can never be referenced safely
    Member m;
    m.offset = static_cast<uint64_t>(archive_filter_bytes(a, 0));
    m.size = archive_entry_size_is_set(e) ? static_cast<uint64_t>(archive_entry_size(e)) : 0;
    if (m.offset + m.size > static_cast<uint64_t>(st.st_size)) {
      status =
          Error::invalid(path + ": member " + *name + " runs past the end of the file (truncated)");
      break;
    }
    if (const char* hl = archive_entry_hardlink(e)) {
      auto target = core::normalize_image_path(hl);
      if (target) m.link = *target;
    } else if (archive_entry_filetype(e) == AE_IFLNK) {
      const char* sl = archive_entry_symlink(e);
      auto target = core::resolve_link_target(*name, sl ? sl : "");
      if (target) m.link = *target;
      m.symlink = true;
    } else if (archive_entry_filetype(e) != AE_IFREG) {
      continue;
    }
    c->members_[*name] = m;
  }
  close_archive();
  ::close(dup_fd);
  if (!status.ok()) return std::move(status).error();
  if (c->members_.empty()) return Error::invalid(path + ": empty or not a tar archive");
  return c;
}

const ArchiveContainer::Member* ArchiveContainer::resolve(const std::string& path) const {
  auto norm = core::normalize_image_path(path);
  if (!norm) return nullptr;
  std::string cur = *norm;
  for (uint32_t hop = 0; hop <= core::limits().max_symlink_hops; ++hop) {
    auto it = members_.find(cur);
    if (it == members_.end()) return nullptr;
    if (it->second.link.empty()) return &it->second;
    cur = it->second.link;
  }
  return nullptr;  // link loop
}

bool ArchiveContainer::exists(const std::string& path) const {
  return resolve(path) != nullptr;
}

Result<std::unique_ptr<ByteStream>> ArchiveContainer::open(const std::string& path) const {
  const Member* m = resolve(path);
  if (m == nullptr) return Error::not_found(describe(path) + ": no such member (or a link loop)");
  return std::unique_ptr<ByteStream>(
      std::make_unique<FileRangeStream>(fd_, m->offset, m->size, describe(path)));
}

std::optional<FileIdentity> ArchiveContainer::identity(const std::string& path) const {
  const Member* m = resolve(path);
  if (m == nullptr) return std::nullopt;
  FileIdentity id = file_identity_;
  id.offset = m->offset;
  id.length = m->size;
  return id;
}

}  // namespace bulwark::image
