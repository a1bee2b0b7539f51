#include "image/merged_fs.hpp"

#include "core/limits.hpp"
#include "core/path.hpp"

namespace bulwark::image {

namespace {

using RecordMap = std::map<std::string_view, FileRecord, std::less<>>;

// Removes `dir`'s descendants (and `dir` itself when include_self) as deleted by `layer`.
void remove_tree(RecordMap& visible, std::vector<FileRecord>& removed, const std::string& dir, bool include_self,
                 int layer) {
  if (include_self) {
    if (auto it = visible.find(dir); it != visible.end()) {
      it->second.removed_in_layer = layer;
      removed.push_back(std::move(it->second));
      visible.erase(it);
    }
  }
  std::string prefix = dir.empty() ? "" : dir + "/";
  auto it = visible.lower_bound(std::string_view(prefix));
  while (it != visible.end() && it->first.substr(0, prefix.size()) == prefix) {
    it->second.removed_in_layer = layer;
    removed.push_back(std::move(it->second));
    it = visible.erase(it);
  }
}

}  // namespace

MergedFs MergedFs::build(const std::vector<LayerResult>& layers) {
  MergedFs fs;
  for (const auto& l : layers) {
    // Whiteouts and opaque markers hide what lower layers put there, never this layer's entries.
    for (const auto& d : l.files.opaque_dirs) remove_tree(fs.visible_, fs.removed_, d, false, l.layer);
    for (const auto& w : l.files.whiteouts) remove_tree(fs.visible_, fs.removed_, w, true, l.layer);
    for (const auto& e : l.files.entries) {
      auto it = fs.visible_.find(e.path);
      if (it != fs.visible_.end() && it->second.entry->type == EntryType::kDir && e.type != EntryType::kDir) {
        // A file replacing a directory hides the directory's whole subtree.
        remove_tree(fs.visible_, fs.removed_, e.path, false, l.layer);
      }
      fs.visible_.insert_or_assign(std::string_view(e.path), FileRecord{&e, l.layer, std::nullopt});
    }
  }
  return fs;
}

const FileRecord* MergedFs::find(std::string_view path) const {
  auto it = visible_.find(path);
  return it == visible_.end() ? nullptr : &it->second;
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
