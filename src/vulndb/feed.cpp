#include "vulndb/feed.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>

namespace bulwark::vulndb {

namespace fs = std::filesystem;

core::Result<std::string> FeedEntry::read_all(uint64_t limit) {
  std::string out;
  char buf[1 << 16];
  while (true) {
    BW_ASSIGN_OR_RETURN(size_t n, read(buf, sizeof buf));
    if (n == 0) break;
    if (out.size() + n > limit)
      return core::Error::limit(path() + ": larger than " + std::to_string(limit) + " bytes");
    out.append(buf, n);
  }
  return out;
}

namespace {

class ArchiveEntry final : public FeedEntry {
 public:
  ArchiveEntry(archive* a, std::string what, std::string path)
      : a_(a), what_(std::move(what)), path_(std::move(path)) {}
  const std::string& path() const override { return path_; }
  core::Result<size_t> read(char* buf, size_t len) override {
    const la_ssize_t n = archive_read_data(a_, buf, len);
    if (n < 0) return core::Error::invalid(what_ + ": " + path_ + ": " + archive_error_string(a_));
    return static_cast<size_t>(n);
  }

 private:
  archive* a_;
  std::string what_;
  std::string path_;
};

class FileEntry final : public FeedEntry {
 public:
  FileEntry(const fs::path& full, std::string rel)
      : f_(full, std::ios::binary), path_(std::move(rel)), full_(full) {}
  bool ok() const { return static_cast<bool>(f_); }
  const std::string& path() const override { return path_; }
  core::Result<size_t> read(char* buf, size_t len) override {
    f_.read(buf, static_cast<std::streamsize>(len));
    if (f_.bad()) return core::Error::io(full_.string() + ": read failed");
    return static_cast<size_t>(f_.gcount());
  }

 private:
  std::ifstream f_;
  std::string path_;
  fs::path full_;
};

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveCloser>;

bool has_suffix(std::string_view s, std::string_view suf) {
  return s.size() >= suf.size() && s.substr(s.size() - suf.size()) == suf;
}

bool looks_like_archive(std::string_view name) {
  for (auto suf : {".tar", ".tar.zst", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".zip"})
    if (has_suffix(name, suf)) return true;
  return false;
}

core::Result<void> walk_archive(archive* a, const std::string& what, const FeedVisitor& visit) {
  archive_entry* e = nullptr;
  int rc;
  while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
    if (archive_entry_filetype(e) != AE_IFREG) continue;
    const char* p = archive_entry_pathname(e);
    std::string path = p != nullptr ? p : "";
    while (path.rfind("./", 0) == 0) path.erase(0, 2);
    ArchiveEntry entry(a, what, std::move(path));
    BW_TRY(visit(entry));
  }
  if (rc != ARCHIVE_EOF)
    return core::Error::invalid(what + ": " +
                                (archive_error_string(a) ? archive_error_string(a) : "unreadable"));
  return core::ok();
}

}  // namespace

core::Result<void> walk_feed(const std::string& input, const FeedVisitor& visit) {
  std::error_code ec;
  const auto st = fs::status(input, ec);
  if (ec || !fs::exists(st)) return core::Error::not_found(input + ": no such file or directory");
  if (fs::is_directory(st)) {
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(input, fs::directory_options::none, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file()) files.push_back(it->path());
    if (ec) return core::Error::io(input + ": " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      const std::string rel = fs::relative(f, input).generic_string();
      // An archive inside a directory (a mirror of downloaded feeds) is walked too.
      if (looks_like_archive(rel)) {
        BW_TRY(walk_feed(f.string(), visit));
        continue;
      }
      FileEntry entry(f, rel);
      if (!entry.ok()) return core::Error::from_errno(f.string(), errno);
      BW_TRY(visit(entry));
    }
    return core::ok();
  }
  ArchivePtr a(archive_read_new());
  archive_read_support_filter_all(a.get());
  const bool is_archive = looks_like_archive(input);
  if (is_archive) {
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    archive_read_support_format_zip(a.get());
  } else {
    archive_read_support_format_raw(a.get());  // a single (maybe compressed) file
  }
  if (archive_read_open_filename(a.get(), input.c_str(), 1 << 20) != ARCHIVE_OK)
    return core::Error::invalid(
        input + ": " +
        (archive_error_string(a.get()) ? archive_error_string(a.get()) : "cannot open"));
  if (is_archive) return walk_archive(a.get(), input, visit);
  archive_entry* e = nullptr;
  if (archive_read_next_header(a.get(), &e) != ARCHIVE_OK)
    return core::Error::invalid(
        input + ": " + (archive_error_string(a.get()) ? archive_error_string(a.get()) : "empty"));
  std::string name = fs::path(input).filename().string();
  for (auto suf : {".gz", ".bz2", ".xz", ".zst"})
    if (has_suffix(name, suf)) name.resize(name.size() - std::string_view(suf).size());
  ArchiveEntry entry(a.get(), input, name);
  return visit(entry);
}

core::Result<void> decompress_stream(std::string_view what, std::string_view data,
                                     const std::function<core::Result<void>(FeedEntry&)>& sink) {
  ArchivePtr a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_raw(a.get());
  if (archive_read_open_memory(a.get(), data.data(), data.size()) != ARCHIVE_OK)
    return core::Error::invalid(std::string(what) + ": " + archive_error_string(a.get()));
  archive_entry* e = nullptr;
  if (archive_read_next_header(a.get(), &e) != ARCHIVE_OK)
    return core::Error::invalid(
        std::string(what) + ": " +
        (archive_error_string(a.get()) ? archive_error_string(a.get()) : "empty"));
  ArchiveEntry entry(a.get(), std::string(what), std::string(what));
  return sink(entry);
}

}  // namespace bulwark::vulndb
