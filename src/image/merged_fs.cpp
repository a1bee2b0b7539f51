// Merging walks the layers from the top down. An entry is visible unless a higher layer
// already wrote the same path (then it is an overwritten version) or deleted it or one of its
// ancestors (then it is removed, by the lowest such layer above it). That costs one hash
// lookup per entry, plus an ancestor walk only while deletions are pending above; a bottom-up
// merge would instead have to erase whole subtrees from an ordered map.
#include "image/merged_fs.hpp"

#include <functional>
#include <unordered_map>

#include "core/limits.hpp"
#include "core/path.hpp"

namespace bulwark::image {

namespace {

uint64_t hash_path(std::string_view path) {
  return std::hash<std::string_view>{}(path);
}

// Deletions made by layers above the one being merged: path -> lowest deleting layer so far.
struct Deletions {
  std::unordered_map<std::string_view, int>
      subtree;  // whiteouts, files replacing dirs: path and below
  std::unordered_map<std::string_view, int> children;  // opaque dirs: below only

  bool empty() const { return subtree.empty() && children.empty(); }

  std::optional<int> deleting_layer(std::string_view path) {
    if (auto it = subtree.find(path); it != subtree.end()) return it->second;
    // What deletes a path through its ancestors depends on its parent only, and a tar lists a
    // directory's entries together: remember the last parent's answer.
    auto parent = core::parent_path(path);
    if (memo_valid_ && parent == memo_parent_) return memo_;
    std::optional<int> best;
    for (auto dir = parent;; dir = core::parent_path(dir)) {
      // A deletion closer to the root may come from a lower layer than one deeper down; the
      // entry is removed by the lowest deleting layer above it.
      if (auto it = subtree.find(dir); it != subtree.end() && !dir.empty()) {
        best = best ? std::min(*best, it->second) : it->second;
      }
      if (auto it = children.find(dir); it != children.end())
        best = best ? std::min(*best, it->second) : it->second;
      if (dir.empty()) break;
    }
    memo_valid_ = true;
    memo_parent_ = parent;
    memo_ = best;
    return best;
  }
  // Called whenever the maps change.
  void forget() { memo_valid_ = false; }

 private:
  bool memo_valid_ = false;
  std::string_view memo_parent_;
  std::optional<int> memo_;
};

}  // namespace

const MergedFs::Record* MergedFs::lookup(std::string_view path, uint64_t hash) const {
  if (slots_.empty()) return nullptr;
  const size_t mask = slots_.size() - 1;
  for (size_t i = static_cast<size_t>(hash) & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.index == 0) return nullptr;
    if (s.hash == hash) {
      const Record& r = records_[s.index - 1];
      if (r.rec.entry->path == path) return &r;
    }
  }
}

void MergedFs::insert(uint64_t hash, Record r) {
  const size_t mask = slots_.size() - 1;
  size_t i = static_cast<size_t>(hash) & mask;
  while (slots_[i].index != 0) i = (i + 1) & mask;
  records_.push_back(r);
  slots_[i] = Slot{hash, records_.size()};
}

MergedFs MergedFs::build(const std::vector<LayerResult>& layers) {
  MergedFs fs;
  size_t total = 0;
  for (const auto& l : layers) total += l.files.entries.size();
  size_t capacity = 16;
  while (capacity < 2 * total) capacity *= 2;
  fs.slots_.resize(capacity);
  fs.records_.reserve(total);
  Deletions above;
  // Top down. A path's record is created by the topmost layer that has it (the last entry of
  // that layer's tar at the path: extraction keeps the last); it then stands for "a higher layer
  // wrote this path" for every lower layer, which therefore never sees it again.
  // The table is several MiB and every entry lands at a random slot of it: the entries'
  // hashes are computed first (one sequential pass) so that the slot an entry a few places
  // ahead will probe can be prefetched while this one is looked up: on big (65,000 entries)
  // this serial step went from ~9 to ~6 ms.
  std::vector<uint64_t> hashes;
  const size_t mask = capacity - 1;
  auto prefetch = [&](size_t i) {
    if (i < hashes.size()) __builtin_prefetch(&fs.slots_[static_cast<size_t>(hashes[i]) & mask]);
  };
  constexpr size_t kAhead = 8;
  for (size_t pos = layers.size(); pos-- > 0;) {
    const auto& l = layers[pos];
    const auto& entries = l.files.entries;
    hashes.resize(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) hashes[i] = hash_path(entries[i].path);
    // A higher layer's file where this layer has a directory hides the directory's contents
    // (rare: only then do this layer's entries pay for an ancestor walk). The higher layer's
    // kind is that of its first entry at the path.
    if (!fs.records_.empty()) {
      for (size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        if (e.type != EntryType::kDir) continue;
        const Record* w = fs.lookup(e.path, hashes[i]);
        if (w != nullptr && !w->first_is_dir) above.subtree.emplace(e.path, w->rec.layer);
      }
      above.forget();
    }
    // Backwards through the layer, so that the first entry seen at a path is the one kept.
    for (size_t k = 0; k < kAhead && k < entries.size(); ++k) prefetch(entries.size() - 1 - k);
    for (size_t i = entries.size(); i-- > 0;) {
      if (i >= kAhead) prefetch(i - kAhead);
      const auto& e = entries[i];
      const uint64_t h = hashes[i];
      if (Record* seen = fs.lookup(e.path, h)) {
        // Either a higher layer wrote its own version, or this layer holds the path twice
        // (then this entry comes earlier in the tar: it decides the kind a lower layer sees).
        if (seen->position == pos) seen->first_is_dir = e.type == EntryType::kDir;
        continue;
      }
      std::optional<int> deleted = above.empty() ? std::nullopt : above.deleting_layer(e.path);
      fs.insert(h, Record{FileRecord{&e, l.layer, deleted}, pos, e.type == EntryType::kDir});
      if (deleted) {
        fs.removed_.push_back(FileRecord{&e, l.layer, deleted});
      } else {
        ++fs.visible_count_;
      }
    }
    // This layer's own deletions hide what lies below it (never its own entries).
    for (const auto& w : l.files.whiteouts)
      above.subtree.insert_or_assign(std::string_view(w), l.layer);
    for (const auto& d : l.files.opaque_dirs)
      above.children.insert_or_assign(std::string_view(d), l.layer);
    above.forget();
  }
  return fs;
}

const FileRecord* MergedFs::find(std::string_view path) const {
  const Record* r = lookup(path, hash_path(path));
  return r == nullptr || r->rec.removed_in_layer ? nullptr : &r->rec;
}

std::vector<const FileRecord*> MergedFs::find_all(std::span<const std::string_view> paths) const {
  std::vector<const FileRecord*> out(paths.size(), nullptr);
  if (slots_.empty()) return out;
  std::vector<uint64_t> hashes(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) hashes[i] = hash_path(paths[i]);
  const size_t mask = slots_.size() - 1;
  constexpr size_t kAhead = 8;
  for (size_t i = 0; i < paths.size(); ++i) {
    if (i == 0) {
      for (size_t k = 0; k < kAhead && k < paths.size(); ++k)
        __builtin_prefetch(&slots_[static_cast<size_t>(hashes[k]) & mask]);
    } else if (i + kAhead - 1 < paths.size()) {
      __builtin_prefetch(&slots_[static_cast<size_t>(hashes[i + kAhead - 1]) & mask]);
    }
    const Record* r = lookup(paths[i], hashes[i]);
    out[i] = r == nullptr || r->rec.removed_in_layer ? nullptr : &r->rec;
  }
  return out;
}

bool MergedFs::has_entries_under(std::string_view dir) const {
  for (const auto& r : records_) {
    if (!r.rec.removed_in_layer && core::is_under(r.rec.entry->path, dir)) return true;
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
