// .NET packages: the <app>.deps.json the SDK writes beside a built application (its
// "libraries" map, "Name/Version" -> {"type": "package" | "project" | ...}) and NuGet's
// packages.lock.json ({"dependencies": {<target framework>: {Name: {"type", "resolved"}}}}).
// Only NuGet packages are reported: project references are the application itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.hpp"

namespace bulwark::catalog {

class DotnetCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "dotnet"; }
  int version() const override { return 1; }
  std::vector<image::PathPattern> patterns() const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
};

inline constexpr uint64_t kMaxDotnetJsonBytes = uint64_t{32} << 20;

struct DotnetParseResult {
  std::vector<core::Package> packages;  // sorted by name and version, unique
  std::vector<std::string> warnings;
};

// Exposed for tests and fuzzing; `what` names the input in error messages.
core::Result<DotnetParseResult> parse_deps_json(std::string_view text, std::string_view what);
core::Result<DotnetParseResult> parse_packages_lock_json(std::string_view text,
                                                         std::string_view what);

}  // namespace bulwark::catalog
