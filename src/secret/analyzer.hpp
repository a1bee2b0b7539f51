// The secret scanner inside images: a streaming analyzer over every regular file of every
// layer (deleted ones included: their bytes are still in the blobs), plus the image config's
// Env and history once the layers are read. Also scans files and trees outside images.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "findings/findings.hpp"
#include "secret/engine.hpp"

namespace bulwark::secret {

findings::FileFinding to_file_finding(const SecretMatch& m);

class SecretAnalyzer final : public findings::FindingsAnalyzer {
 public:
  explicit SecretAnalyzer(std::shared_ptr<const Engine> engine) : engine_(std::move(engine)) {}
  std::string_view name() const override { return "secrets"; }
  int version() const override { return 1; }
  std::vector<image::PathPattern> patterns() const override { return {image::PathPattern::all()}; }
  bool streams() const override { return true; }
  std::unique_ptr<image::ChunkSink> open_sink(const image::Entry& entry) const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
  // Env entries and history commands of the image config.
  void finalize(const image::Image& image, std::vector<report::Finding>& out) const override;

 private:
  std::shared_ptr<const Engine> engine_;
};

// Scans the image config: Env ("config.Env[i]") and history created_by ("history[i]").
std::vector<report::Finding> scan_image_config(const Engine& engine, const image::Image& image);

struct TreeScanStats {
  uint64_t files = 0;
  uint64_t bytes = 0;
  uint64_t binary_skipped = 0;
};

// Scans a file, or every regular file under a directory (symlinks are not followed), with the
// same engine. Targets are paths as given plus ":line". Unreadable files become warnings.
std::vector<report::Finding> scan_tree(const Engine& engine, const std::string& root,
                                       std::vector<std::string>& warnings, TreeScanStats* stats);

}  // namespace bulwark::secret
