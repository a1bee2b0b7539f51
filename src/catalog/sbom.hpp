// From per-layer results to the image's SBOM: merge the layers, keep each package's evidence
// from the topmost visible version of its file, date each package to the layer that added its
// current version, and list packages that a later layer removed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/cataloger.hpp"
#include "core/package.hpp"
#include "image/image.hpp"
#include "image/layer_reader.hpp"

namespace bulwark::catalog {

// A file a layer added and a later layer deleted (whiteout or opaque directory): still in the
// image's blobs, invisible in the container. Secrets and malware often hide exactly there.
struct RemovedFile {
  std::string path;
  int added_in_layer = 0;
  int removed_in_layer = 0;
  bool operator==(const RemovedFile&) const = default;
};

struct Sbom {
  core::OsInfo os;
  std::vector<core::Package> packages;          // installed in the final filesystem, sorted
  std::vector<core::Package> removed_packages;  // added by a layer, removed by a later one
  std::vector<RemovedFile> removed_files;       // regular files and symlinks only, sorted
  std::vector<std::string> warnings;
};

// The one place packages found through several pieces of evidence become one: packages with
// the same ecosystem, name, version, architecture and purl (a lock file and the installed
// package.json, two projects locking the same release) are merged, keeping every location
// and the union of licenses and owned files; the first non-empty metadata wins. Sorted.
void merge_duplicate_packages(std::vector<core::Package>& packages);

Sbom build_sbom(const image::Image& image, const std::vector<image::LayerResult>& layers,
                const std::vector<std::unique_ptr<Cataloger>>& catalogers);

}  // namespace bulwark::catalog
