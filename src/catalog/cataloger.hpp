// A cataloger is a per-layer analyzer (it reads the files it asked for in each layer) plus an
// optional step after the layers are merged, where it can join facts from several files (a
// dpkg package's file list and copyright live in other files than its status entry).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/package.hpp"
#include "image/layer_reader.hpp"
#include "image/merged_fs.hpp"

namespace bulwark::catalog {

// The merged image as finalize() and OS detection see it.
class MergeContext {
 public:
  MergeContext(const image::MergedFs& fs, const std::vector<image::LayerResult>& layers)
      : fs_(fs), layers_(layers) {}
  const image::MergedFs& fs() const { return fs_; }
  const std::vector<image::LayerResult>& layers() const { return layers_; }
  // Facts recorded for the visible version of `path` (nullptr when the path is not visible or
  // has no facts). Symlinks are not followed: facts are keyed by the path they were read at.
  const std::vector<std::string>* facts(std::string_view path) const;
  // Captured content of the visible file at `path`, following symlinks inside the root.
  const std::string* captured(std::string_view path) const;
  // The detected operating system (set before catalogers' finalize() runs; empty if unknown).
  const core::OsInfo& os() const { return os_; }
  void set_os(core::OsInfo os) { os_ = std::move(os); }
  // Installed packages finalized so far, in registration order: the OS catalogers' (deb, apk,
  // rpm, with the files they own) are complete when the language catalogers finalize.
  const std::vector<core::Package>& cataloged() const {
    static const std::vector<core::Package> kNone;
    return cataloged_ != nullptr ? *cataloged_ : kNone;
  }
  void set_cataloged(const std::vector<core::Package>* packages) { cataloged_ = packages; }

 private:
  core::OsInfo os_;
  const std::vector<core::Package>* cataloged_ = nullptr;
  const image::MergedFs& fs_;
  const std::vector<image::LayerResult>& layers_;
};

// A package found inside its evidence file (a jar nested in a jar) is located at
// "<evidence path>!/<path inside>", as Java's jar: URLs and Spring Boot's loader write it; a
// cataloger sets such a Location and the SBOM merge keeps it (with the evidence's layer).
inline constexpr std::string_view kNestedSeparator = "!/";

class Cataloger : public image::Analyzer {
 public:
  // Adjusts the merged, visible packages this cataloger produced (attach owned files,
  // licenses...). Packages from other catalogers are not passed in.
  virtual void finalize(const MergeContext& /*ctx*/,
                        std::vector<core::Package>& /*packages*/) const {}

  // Whether its packages are declared (lock files, pins) rather than installed; set from the
  // "declared" tag of its registration line, the one place that says so.
  bool declares() const { return declares_; }
  void set_declares(bool d) { declares_ = d; }

 private:
  bool declares_ = false;
};

}  // namespace bulwark::catalog
