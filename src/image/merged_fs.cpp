// Merging walks the layers from the top down. An entry is visible unless a higher layer
// already wrote the same path (then it is an overwritten version) or deleted it or one of its
// ancestors (then it is removed, by the lowest such layer above it). That costs one hash
// lookup per entry, plus an ancestor walk only while deletions are pending above; a bottom-up
// merge would instead have to erase whole subtrees from an ordered map.
#include "image/merged_fs.hpp"

#include <unordered_set>

#include "core/limits.hpp"
#include "core/path.hpp"

namespace bulwark::image {

namespace {

// Deletions made by layers above the one being merged: path -> lowest deleting layer so far.
struct Deletions {
  std::unordered_map<std::string_view, int>
      subtree;  // whiteouts, files replacing dirs: path and below
  std::unordered_map<std::string_view, int> children;  // opaque dirs: below only

  bool empty() const { return subtree.empty() && children.empty(); }

  std::optional<int> deleting_layer(std::string_view path) const {
    if (auto it = subtree.find(path); it != subtree.end()) return it->second;
    std::optional<int> best;
    for (auto dir = core::parent_path(path);; dir = core::parent_path(dir)) {
      // A deletion closer to the root may come from a lower layer than one deeper down; the
      // entry is removed by the lowest deleting layer above it.
      if (auto it = subtree.find(dir); it != subtree.end() && !dir.empty()) {
        best = best ? std::min(*best, it->second) : it->second;
      }
      if (auto it = children.find(dir); it != children.end())
        best = best ? std::min(*best, it->second) : it->second;
      if (dir.empty()) break;
    }
    return best;
  }
};

}  // namespace

MergedFs MergedFs::build(const std::vector<LayerResult>& layers) {
  MergedFs fs;
  size_t total = 0;
  for (const auto& l : layers) total += l.files.entries.size();
  fs.visible_.reserve(total);
  Deletions above;
  struct Written {
    int layer;
    bool dir;
  };
  std::unordered_map<std::string_view, Written>
      written;  // path -> lowest layer above that wrote it
  written.reserve(total);
  std::unordered_set<std::string_view> same_layer;
  for (auto li = layers.rbegin(); li != layers.rend(); ++li) {
    const auto& l = *li;
    same_layer.clear();
    // A higher layer's file where this layer has a directory hides the directory's contents
    // (rare: only then do this layer's entries pay for an ancestor walk).
    if (!written.empty()) {
      for (const auto& e : l.files.entries) {
        if (e.type != EntryType::kDir) continue;
        if (auto w = written.find(e.path); w != written.end() && !w->second.dir) {
          above.subtree.emplace(e.path, w->second.layer);
        }
      }
    }
    // Backwards through the layer: when a tar holds a path twice, extraction keeps the last.
    for (auto ei = l.files.entries.rbegin(); ei != l.files.entries.rend(); ++ei) {
      const auto& e = *ei;
      std::string_view path = e.path;
      if (same_layer.count(path) != 0) continue;
      same_layer.insert(path);
      if (written.count(path) != 0) continue;  // a higher layer wrote its own version
      std::optional<int> deleted = above.empty() ? std::nullopt : above.deleting_layer(path);
      if (deleted) {
        fs.removed_.push_back(FileRecord{&e, l.layer, deleted});
      } else if (!fs.visible_.count(path)) {
        fs.visible_.emplace(path, FileRecord{&e, l.layer, std::nullopt});
      }
    }
    // This layer's own changes hide what lies below it. Entries are recorded after the loop so
    // that a layer never hides its own entries.
    for (const auto& e : l.files.entries)
      written.emplace(e.path, Written{l.layer, e.type == EntryType::kDir});
    for (const auto& w : l.files.whiteouts)
      above.subtree.insert_or_assign(std::string_view(w), l.layer);
    for (const auto& d : l.files.opaque_dirs)
      above.children.insert_or_assign(std::string_view(d), l.layer);
  }
  return fs;
}

const FileRecord* MergedFs::find(std::string_view path) const {
  auto it = visible_.find(path);
  return it == visible_.end() ? nullptr : &it->second;
}

bool MergedFs::has_entries_under(std::string_view dir) const {
  for (const auto& [path, rec] : visible_) {
    if (core::is_under(path, dir)) return true;
  }
  return false;
}

std::optional<std::string> MergedFs::resolve(std::string_view path) const {
  auto norm = core::normalize_image_path(path);
  if (!norm) return std::nullopt;
  std::string pending = *norm;  // components still to walk
  std::string done;             // resolved prefix (no symlinks in it)
  uint32_t hops = 0;
  while (!pending.empty()) {
    auto slash = pending.find('/');
    std::string comp = pending.substr(0, slash);
    pending = slash == std::string::npos ? "" : pending.substr(slash + 1);
    std::string candidate = done.empty() ? comp : done + "/" + comp;
    const FileRecord* rec = find(candidate);
    if (rec == nullptr) {
      // Tars may omit parent directories; an unlisted intermediate component is an implicit
      // directory, and only the final component must exist.
      if (pending.empty()) return std::nullopt;
      done = candidate;
      continue;
    }
    if (rec->entry->type == EntryType::kSymlink) {
      if (++hops > core::limits().max_symlink_hops) return std::nullopt;  // loop
      auto target = core::resolve_link_target(candidate, rec->entry->link_target);
      if (!target) return std::nullopt;
      pending = pending.empty() ? *target : (target->empty() ? pending : *target + "/" + pending);
      done.clear();
      continue;
    }
    done = candidate;
  }
  return done;
}

}  // namespace bulwark::image
