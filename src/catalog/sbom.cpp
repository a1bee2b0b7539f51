#include "catalog/sbom.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_set>

#include "catalog/os_release.hpp"
#include "core/cpus.hpp"
#include "core/log.hpp"
#include "core/path.hpp"
#include "core/teardown.hpp"
#include "image/merged_fs.hpp"
#include "image/path_matcher.hpp"

namespace bulwark::catalog {

namespace {

// What each layer deletes from the layers below it, as hash sets so that checking an evidence
// path costs one lookup per ancestor however many whiteouts a layer carries.
struct LayerDeletions {
  std::unordered_set<std::string_view> subtrees;  // whiteouts: the path and all below
  std::unordered_set<std::string_view> opaque;    // opaque dirs: all below

  explicit LayerDeletions(const image::LayerResult& l) {
    for (const auto& w : l.files.whiteouts) subtrees.insert(w);
    for (const auto& d : l.files.opaque_dirs) opaque.insert(d);
  }
  bool deletes(std::string_view path) const {
    if (subtrees.empty() && opaque.empty()) return false;
    if (subtrees.count(path) != 0) return true;
    for (auto dir = core::parent_path(path);; dir = core::parent_path(dir)) {
      if (opaque.count(dir) != 0 || (!dir.empty() && subtrees.count(dir) != 0)) return true;
      if (dir.empty()) return false;
    }
  }
};

struct Tracked {
  core::Package pkg;
  int introduced = 0;
};

// Follows the package set of one evidence file through the layers: a package's layer is the
// one that introduced its current version; packages whose identity disappears are removed at
// that layer (a version change is an upgrade, not a removal). Keys include the version because
// rpm allows several installed versions of one name and arch (kernels).
void follow_evidence(const std::string& path, const std::vector<image::LayerResult>& layers,
                     const std::vector<LayerDeletions>& deletions, bool directory_source,
                     std::vector<core::Package>& installed, std::vector<core::Package>& removed) {
  auto layer_digest = [&](int layer) {
    const auto& d = layers[static_cast<size_t>(layer)].blob_digest;
    return d ? d->str() : std::string();
  };
  std::map<std::string, Tracked> current;  // identity + version -> package
  auto identities = [](const std::map<std::string, Tracked>& m) {
    std::set<std::string> ids;
    for (const auto& [key, t] : m) ids.insert(core::package_identity(t.pkg));
    return ids;
  };
  // The evidence path, or the cataloger's own locations when they lie inside the evidence file
  // ("app.jar!/BOOT-INF/lib/x.jar"), all dated to the layer that introduced the package.
  const std::string inside = path + std::string(kNestedSeparator);
  auto locate = [&](core::Package& p, int layer_index, int introduced) {
    std::vector<core::Location> locs;
    for (auto& l : p.locations) {
      if (l.path == path || l.path.starts_with(inside)) {
        locs.push_back(core::Location{std::move(l.path), layer_index, layer_digest(introduced)});
      }
    }
    if (locs.empty()) locs.push_back(core::Location{path, layer_index, layer_digest(introduced)});
    std::sort(locs.begin(), locs.end());
    locs.erase(std::unique(locs.begin(), locs.end()), locs.end());
    p.locations = std::move(locs);
  };
  auto report_removed = [&](const std::map<std::string, Tracked>& next, int layer) {
    auto remaining = identities(next);
    for (auto& [key, t] : current) {
      if (remaining.count(core::package_identity(t.pkg)) != 0) continue;
      t.pkg.removed_in_layer = layer;
      auto p = t.pkg;
      locate(p, t.introduced, t.introduced);
      removed.push_back(std::move(p));
    }
  };
  for (const auto& l : layers) {
    auto it = l.facts.packages_by_path.find(path);
    if (it == l.facts.packages_by_path.end()) {
      if (deletions[static_cast<size_t>(&l - layers.data())].deletes(path)) {
        report_removed({}, l.layer);
        current.clear();
      }
      continue;
    }
    std::map<std::string, Tracked> next;
    for (const auto& p : it->second) {
      auto key = core::package_identity(p) + "\x1f" + p.version;
      auto same = next.find(key);
      if (same != next.end() && (!p.locations.empty() || !same->second.pkg.locations.empty())) {
        // The same package twice in one file, once at least inside it (a library nested at
        // two paths of a fat jar, or shaded into the outer jar too): one package, every place.
        auto& locs = same->second.pkg.locations;
        if (locs.empty()) locs.push_back(core::Location{path});
        if (p.locations.empty()) locs.push_back(core::Location{path});
        locs.insert(locs.end(), p.locations.begin(), p.locations.end());
        continue;
      }
      auto prev = current.find(key);
      next[key] = Tracked{p, prev != current.end() ? prev->second.introduced : l.layer};
    }
    report_removed(next, l.layer);
    current = std::move(next);
  }
  for (auto& [key, t] : current) {
    locate(t.pkg, directory_source ? -1 : t.introduced, t.introduced);
    installed.push_back(std::move(t.pkg));
  }
}

// The visible version of an evidence file may be one no analyzer could read (over the size
// limit, a hardlink to a file outside the layer, unparsable): its packages are then reported as
// of the last version that was read, which may be stale, and the report must say so.
void warn_if_visible_version_unread(const image::FileRecord* visible,
                                    const std::vector<image::LayerResult>& layers,
                                    const std::string& path, std::vector<std::string>& warnings) {
  if (visible == nullptr || visible->entry->type == image::EntryType::kDir) return;
  const auto& top = layers[static_cast<size_t>(visible->layer)];
  if (top.facts.packages_by_path.count(path) != 0) return;
  int last_read = -1;
  for (const auto& l : layers) {
    if (l.layer < visible->layer && l.facts.packages_by_path.count(path) != 0) last_read = l.layer;
  }
  if (last_read < 0) return;
  warnings.push_back("layer " + std::to_string(visible->layer + 1) + ": " + path +
                     " could not be analyzed; its packages are reported as of layer " +
                     std::to_string(last_read + 1) + " and may be out of date");
}

// A lock file that an OS package ships (Debian puts the pnpm-lock.yaml and npm-shrinkwrap.json
// of its node-* sources under usr/share/nodejs) records how that package was built, not what is
// installed: reporting its entries would list hundreds of packages that are not in the image.
// Packages whose every location is a file that one of the first `os_count` cataloged packages
// (deb, rpm or apk) owns are dropped; returns how many.
//
// The OS packages of big own ~80,000 files and the declared packages sit in a few dozen lock
// files: the files are checked against the lock files' paths, not the other way round, and a
// file whose length or last eight bytes match no lock file's path is passed over without
// hashing it (a hash set of all 80,000 cost ~4 ms of the serial tail to build and free).
size_t drop_os_shipped_declarations(const std::vector<core::Package>& cataloged, size_t os_count,
                                    std::vector<core::Package>& packages) {
  auto relative = [](std::string_view path) {
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    return path;
  };
  constexpr size_t kTail = sizeof(uint64_t);
  auto tail_of = [](std::string_view path) {
    uint64_t t = 0;
    std::memcpy(&t, path.data() + path.size() - kTail, kTail);
    return t;
  };
  std::unordered_set<std::string_view> wanted;
  for (const auto& p : packages) {
    for (const auto& l : p.locations) wanted.insert(relative(l.path));
  }
  if (wanted.empty()) return 0;
  // First the length (stored beside the pointer, no access to the characters), then the tail.
  constexpr size_t kMaxLength = 4096;
  std::vector<bool> length_wanted(kMaxLength + 1);
  std::vector<uint64_t> tails;
  for (auto w : wanted) {
    length_wanted[std::min(w.size(), kMaxLength)] = true;
    if (w.size() >= kTail) tails.push_back(tail_of(w));
  }
  std::sort(tails.begin(), tails.end());
  tails.erase(std::unique(tails.begin(), tails.end()), tails.end());
  std::unordered_set<std::string_view> owned;  // views of `wanted`'s keys
  for (size_t i = 0; i < os_count && i < cataloged.size(); ++i) {
    const auto& p = cataloged[i];
    if (p.ecosystem != "deb" && p.ecosystem != "rpm" && p.ecosystem != "apk") continue;
    for (const auto& f : p.files) {
      if (!length_wanted[std::min(f.size(), kMaxLength)]) continue;
      // Paths shorter than the tail can only equal paths as short: always looked up.
      if (f.size() >= kTail && !std::binary_search(tails.begin(), tails.end(), tail_of(f)))
        continue;
      if (auto it = wanted.find(f); it != wanted.end()) owned.insert(*it);
    }
  }
  if (owned.empty()) return 0;
  auto shipped = [&](const core::Package& p) {
    if (p.locations.empty()) return false;
    for (const auto& l : p.locations) {
      if (owned.count(relative(l.path)) == 0) return false;
    }
    return true;
  };
  auto before = packages.size();
  packages.erase(std::remove_if(packages.begin(), packages.end(), shipped), packages.end());
  return before - packages.size();
}

bool package_less(const core::Package& a, const core::Package& b) {
  auto key = [](const core::Package& p) {
    return std::tie(p.ecosystem, p.name, p.version, p.architecture);
  };
  if (key(a) != key(b)) return key(a) < key(b);
  return a.locations < b.locations;
}

template <typename T>
void append_unique(std::vector<T>& into, std::vector<T>& from) {
  for (auto& x : from) {
    if (std::find(into.begin(), into.end(), x) == into.end()) into.push_back(std::move(x));
  }
}

}  // namespace

void merge_duplicate_packages(std::vector<core::Package>& packages) {
  auto key = [](const core::Package& p) {
    return std::tie(p.ecosystem, p.name, p.version, p.architecture, p.purl);
  };
  std::sort(packages.begin(), packages.end(), [&](const core::Package& a, const core::Package& b) {
    if (key(a) != key(b)) return key(a) < key(b);
    return a.locations < b.locations;
  });
  std::vector<core::Package> out;
  out.reserve(packages.size());
  for (auto& p : packages) {
    if (out.empty() || key(out.back()) != key(p)) {
      out.push_back(std::move(p));
      continue;
    }
    auto& into = out.back();
    append_unique(into.locations, p.locations);
    append_unique(into.licenses, p.licenses);
    append_unique(into.files, p.files);
    if (into.metadata.index() == 0) into.metadata = std::move(p.metadata);
    if (into.source_name.empty()) {
      into.source_name = std::move(p.source_name);
      into.source_version = std::move(p.source_version);
    }
  }
  for (auto& p : out) std::sort(p.locations.begin(), p.locations.end());
  packages = std::move(out);
  std::sort(packages.begin(), packages.end(), package_less);
}

Sbom build_sbom(const image::Image& image, const std::vector<image::LayerResult>& layers,
                const std::vector<std::unique_ptr<Cataloger>>& catalogers) {
  Sbom sbom;
  std::vector<std::string> evidence_paths;
  for (const auto& l : layers) {
    for (const auto& [path, pkgs] : l.facts.packages_by_path) evidence_paths.push_back(path);
    for (const auto& w : l.facts.warnings) {
      sbom.warnings.push_back(
          (image.rootfs_dir.empty() ? "layer " + std::to_string(l.layer + 1) + ": " : "") + w);
    }
  }
  std::vector<LayerDeletions> deletions;
  deletions.reserve(layers.size());
  for (const auto& l : layers) deletions.emplace_back(l);
  std::sort(evidence_paths.begin(), evidence_paths.end());
  evidence_paths.erase(std::unique(evidence_paths.begin(), evidence_paths.end()),
                       evidence_paths.end());

  // Following each evidence path through the layers needs neither the merged view nor the
  // owner: a second thread starts on it while this one merges the layers, then both share the
  // rest. Results stay in path order, so the output is the same as one thread's.
  struct Followed {
    std::vector<core::Package> installed, removed;
  };
  std::vector<Followed> followed(evidence_paths.size());
  std::atomic<size_t> next_path{0};
  auto follow_all = [&] {
    for (size_t k = next_path++; k < evidence_paths.size(); k = next_path++) {
      follow_evidence(evidence_paths[k], layers, deletions, !image.rootfs_dir.empty(),
                      followed[k].installed, followed[k].removed);
    }
  };
  std::optional<std::jthread> helper;
  if (evidence_paths.size() > 1 && core::available_cpus() > 1) {
    try {
      helper.emplace(follow_all);
    } catch (const std::system_error&) {
      // No thread: this one follows every path below.
    }
  }

  auto fs = image::MergedFs::build(layers);
  MergeContext ctx(fs, layers);
  sbom.os = detect_os(ctx);
  ctx.set_os(sbom.os);

  // Which cataloger produced each evidence path: the same matcher the reader used.
  std::vector<std::vector<image::PathPattern>> patterns;
  patterns.reserve(catalogers.size());
  for (const auto& c : catalogers) patterns.push_back(c->patterns());
  image::PathMatcher matcher(patterns);
  std::vector<std::vector<core::Package>> installed(catalogers.size());
  std::vector<std::vector<core::Package>> removed(catalogers.size());

  follow_all();
  helper.reset();  // joins
  const auto visible =
      fs.find_all(std::vector<std::string_view>(evidence_paths.begin(), evidence_paths.end()));
  for (size_t k = 0; k < evidence_paths.size(); ++k) {
    const auto& path = evidence_paths[k];
    auto mask = matcher.match(path);
    // A catch-all pattern (executables anywhere) must not claim another cataloger's evidence:
    // the header filter decides too, when the file is still visible.
    const auto* rec = visible[k];
    auto claims = [&](size_t i) {
      return (mask & (image::AnalyzerMask{1} << i)) != 0 &&
             (rec == nullptr || rec->entry == nullptr || catalogers[i]->wants(*rec->entry));
    };
    size_t owner = 0;
    while (owner < catalogers.size() && !claims(owner)) ++owner;
    if (owner == catalogers.size()) continue;
    warn_if_visible_version_unread(rec, layers, path, sbom.warnings);
    for (auto& p : followed[k].installed) installed[owner].push_back(std::move(p));
    for (auto& p : followed[k].removed) removed[owner].push_back(std::move(p));
  }
  // OS catalogers come first in the registration list, so their packages (with the files
  // they own) are in sbom.packages before any declared package is looked at.
  std::optional<size_t> os_count;  // packages cataloged before the first declared ones
  size_t shipped_declarations = 0;
  ctx.set_cataloged(&sbom.packages);
  for (size_t i = 0; i < catalogers.size(); ++i) {
    catalogers[i]->finalize(ctx, installed[i]);
    catalogers[i]->finalize(ctx, removed[i]);
    if (catalogers[i]->declares() && !installed[i].empty()) {
      if (!os_count) os_count = sbom.packages.size();
      shipped_declarations += drop_os_shipped_declarations(sbom.packages, *os_count, installed[i]);
    }
    for (auto& p : installed[i]) sbom.packages.push_back(std::move(p));
    for (auto& p : removed[i]) sbom.removed_packages.push_back(std::move(p));
  }
  if (shipped_declarations > 0) {
    core::log_info("{} declared packages left out: their lock files belong to OS packages",
                   shipped_declarations);
  }
  for (const auto& r : fs.removed()) {
    if (r.entry->type == image::EntryType::kDir) continue;
    sbom.removed_files.push_back(
        RemovedFile{r.entry->path, r.layer, r.removed_in_layer.value_or(-1)});
  }
  std::sort(sbom.removed_files.begin(), sbom.removed_files.end(),
            [](const RemovedFile& a, const RemovedFile& b) {
              return std::tie(a.path, a.added_in_layer) < std::tie(b.path, b.added_in_layer);
            });
  merge_duplicate_packages(sbom.packages);
  merge_duplicate_packages(sbom.removed_packages);
  // The working state (the merged view's table, every evidence path, the moved-from packages)
  // is freed at once or, at the end of a CLI command, not at all: freeing it made glibc
  // consolidate its free lists, ~1.5 ms of the serial tail on big (core/teardown.hpp).
  core::discard(std::move(fs));
  core::discard(std::move(followed));
  core::discard(std::move(installed));
  core::discard(std::move(removed));
  core::discard(std::move(evidence_paths));
  core::discard(std::move(deletions));
  return sbom;
}

}  // namespace bulwark::catalog
