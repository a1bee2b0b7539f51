// Reading the entries of one layer: a tar stream through libarchive (PAX, GNU long names,
// hardlinks, symlinks) or a root filesystem directory. Whiteouts are translated here, so
// callers see deletions and opaque directories rather than ".wh." files.
#pragma once

#include <functional>
#include <string>

#include "image/layer_reader.hpp"
#include "image/stream.hpp"

namespace bulwark::image {

class EntryVisitor {
 public:
  virtual ~EntryVisitor() = default;
  virtual core::Result<void> on_entry(const Entry& entry, EntryContent& content) = 0;
  virtual void on_whiteout(const std::string& deleted_path) = 0;
  virtual void on_opaque_dir(const std::string& dir) = 0;
  virtual void on_bad_entry(const std::string& raw_name, const std::string& reason) = 0;
};

// Reads every entry of a tar stream; `name` prefixes errors. The stream is drained to its end
// so a hashing stream underneath sees every byte.
core::Result<void> read_tar_entries(ByteStream& tar, const std::string& name,
                                    EntryVisitor& visitor);

// Walks a directory tree without following symlinks or crossing into other filesystems.
core::Result<void> read_dir_entries(const std::string& root, EntryVisitor& visitor);

}  // namespace bulwark::image
