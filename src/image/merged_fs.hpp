// The image's filesystem as a container would see it, with history: for every path, the layer
// that added its current version, and for paths no longer visible, which layer removed them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "image/layer_reader.hpp"

namespace bulwark::image {

// Points into the LayerResults the view was built from, which must outlive it.
struct FileRecord {
  const Entry* entry = nullptr;
  int layer = 0;                        // layer that wrote this version
  std::optional<int> removed_in_layer;  // set for records in removed() only
};

class MergedFs {
 public:
  // Keys and records point into `layers`: keep them alive (and unmodified) while this is used.
  static MergedFs build(const std::vector<LayerResult>& layers);

  // The visible entry at `path` (no symlink following), or nullptr.
  const FileRecord* find(std::string_view path) const;
  // find() of each path, in order. For thousands of paths (every evidence file of an image)
  // this is faster than one call each: the table slot a path a few places ahead will probe is
  // fetched from memory while the current one is looked up.
  std::vector<const FileRecord*> find_all(std::span<const std::string_view> paths) const;
  // Follows symlinks in every component, never leaving the root; nullopt for loops (more than
  // max_symlink_hops) and dangling links.
  std::optional<std::string> resolve(std::string_view path) const;
  // True when some visible entry lies below `dir`.
  bool has_entries_under(std::string_view dir) const;
  size_t visible_count() const { return visible_count_; }
  // Entries a later layer deleted by a whiteout or an opaque directory, or hid by replacing a
  // directory with a file; overwritten versions of a still-visible path are not listed.
  const std::vector<FileRecord>& removed() const { return removed_; }

 private:
  // Every path some layer wrote, once, at its topmost version: visible ones have no
  // removed_in_layer. An open-addressing table (linear probing) over these records: one cache
  // miss per lookup instead of a node-based map's several, which showed in profiles as the
  // serial step after the parallel layer reads.
  struct Slot {
    uint64_t hash = 0;
    size_t index = 0;  // into records_ plus one; 0: empty
  };
  struct Record {
    FileRecord rec;
    size_t position = 0;        // of the layer that wrote it, in the build's layer vector
    bool first_is_dir = false;  // type of the layer's first entry at this path (tar order)
  };
  const Record* lookup(std::string_view path, uint64_t hash) const;
  Record* lookup(std::string_view path, uint64_t hash) {
    return const_cast<Record*>(std::as_const(*this).lookup(path, hash));
  }
  void insert(uint64_t hash, Record r);

  std::vector<Slot> slots_;  // size a power of two, at most half full
  std::vector<Record> records_;
  size_t visible_count_ = 0;
  std::vector<FileRecord> removed_;
};

}  // namespace bulwark::image
