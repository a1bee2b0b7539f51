// PHP packages from Composer: composer.lock ("packages" and "packages-dev") and the
// vendor/composer/installed.json Composer writes into an installed vendor tree (version 1: a
// JSON array of packages; version 2: {"packages": [...], "dev-package-names": [...]}).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.hpp"

namespace bulwark::catalog {

class ComposerCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "php-composer"; }
  int version() const override { return 2; }  // 2: dev flag in LanguageMetadata
  std::vector<image::PathPattern> patterns() const override;
  bool wants(const image::Entry& entry) const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
};

inline constexpr uint64_t kMaxComposerJsonBytes = uint64_t{32} << 20;

struct ComposerPackage {
  core::Package package;
  bool dev = false;  // from packages-dev, or named in installed.json's dev-package-names
};

struct ComposerParseResult {
  std::vector<ComposerPackage> packages;
  std::vector<std::string> warnings;  // entries skipped, at most a few dozen
};

// Exposed for tests and fuzzing; `what` names the input in error messages.
core::Result<ComposerParseResult> parse_composer_lock(std::string_view text, std::string_view what);
core::Result<ComposerParseResult> parse_composer_installed(std::string_view text,
                                                           std::string_view what);

}  // namespace bulwark::catalog
