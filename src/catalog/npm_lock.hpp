// npm lock files: package-lock.json and npm-shrinkwrap.json, lockfileVersion 1 (the nested
// "dependencies" tree), 2 and 3 (the flat "packages" map keyed by node_modules path).
// Format: docs.npmjs.com/cli/v10/configuring-npm/package-lock-json.
#pragma once

#include <string_view>
#include <vector>

#include "catalog/cataloger.hpp"

namespace bulwark::catalog {

class NpmLockCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "npm-lock"; }
  int version() const override { return 1; }
  std::vector<image::PathPattern> patterns() const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
};

// Every dependency the lock file records (the project itself and workspace links excluded),
// with dev/optional flags, resolved URL and integrity in LanguageMetadata. Errors name `what`.
core::Result<std::vector<core::Package>> parse_package_lock(std::string_view text,
                                                            std::string_view what);

// The licenses a package.json-style object declares: "license" as a string or {type}, or the
// legacy "licenses" array.
std::vector<std::string> npm_declared_licenses(const nlohmann::json& manifest);

}  // namespace bulwark::catalog
