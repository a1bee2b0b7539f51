// The image's filesystem as a container would see it, with history: for every path, the layer
// that added its current version, and for paths no longer visible, which layer removed them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
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
  // Follows symlinks in every component, never leaving the root; nullopt for loops (more than
  // max_symlink_hops) and dangling links.
  std::optional<std::string> resolve(std::string_view path) const;
  // True when some visible entry lies below `dir`.
  bool has_entries_under(std::string_view dir) const;
  size_t visible_count() const { return visible_.size(); }
  // Entries a later layer deleted by a whiteout or an opaque directory, or hid by replacing a
  // directory with a file; overwritten versions of a still-visible path are not listed.
  const std::vector<FileRecord>& removed() const { return removed_; }

 private:
  std::unordered_map<std::string_view, FileRecord> visible_;
  std::vector<FileRecord> removed_;
};

}  // namespace bulwark::image
