// Ruby gems: the specifications RubyGems writes for installed gems
// (<gem dir>/specifications/*.gemspec and specifications/default/*.gemspec) and Bundler's
// Gemfile.lock. Neither is evaluated as Ruby: the gemspec's assignments to name, version,
// license(s) and platform are read as string literals, the lock file as its indented sections.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.hpp"

namespace bulwark::catalog {

class GemspecCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "ruby-gemspec"; }
  int version() const override { return 1; }
  std::vector<image::PathPattern> patterns() const override;
  bool wants(const image::Entry& entry) const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
};

class GemfileLockCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "ruby-gemfile-lock"; }
  int version() const override { return 1; }
  std::vector<image::PathPattern> patterns() const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
};

// Gemspecs and lock files larger than this are not what RubyGems or Bundler write.
inline constexpr uint64_t kMaxGemspecBytes = uint64_t{4} << 20;
inline constexpr uint64_t kMaxGemfileLockBytes = uint64_t{32} << 20;

// Exposed for tests and fuzzing.
// True for "<dir>/specifications/<x>.gemspec" and ".../specifications/default/<x>.gemspec".
bool is_installed_gemspec_path(std::string_view path);
// One installed gem from a RubyGems-written specification; an error names what is missing.
core::Result<core::Package> parse_gemspec(std::string_view text);

struct GemfileLockResult {
  std::vector<core::Package> packages;  // in file order, one per spec line
  std::vector<std::string> platforms;   // the PLATFORMS section
  std::vector<std::string> warnings;
};
core::Result<GemfileLockResult> parse_gemfile_lock(std::string_view text);

// "1.13.10-x86_64-linux" -> {"1.13.10", "x86_64-linux"}. RubyGems turns '-' in a version into
// ".pre.", so a '-' in a locked version always starts the platform.
std::pair<std::string_view, std::string_view> split_gem_platform(std::string_view version);
std::string gem_purl(std::string_view name, std::string_view version, std::string_view platform);

}  // namespace bulwark::catalog
