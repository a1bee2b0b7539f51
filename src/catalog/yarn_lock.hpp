// yarn.lock, both dialects: Yarn 1 ("# yarn lockfile v1", its own indented key/value format)
// and Yarn Berry 2+ (YAML with a __metadata entry; classic.yarnpkg.com/lang/en/docs/yarn-lock
// and yarnpkg.com/configuration/yarnrc + real lock files for the record layout).
#pragma once

#include <string_view>
#include <vector>

#include "catalog/cataloger.hpp"

namespace bulwark::catalog {

class YarnLockCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "yarn-lock"; }
  int version() const override { return 1; }
  std::vector<image::PathPattern> patterns() const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
};

// Yarn 1 format. Entries without a version are skipped; errors name `what`.
core::Result<std::vector<core::Package>> parse_yarn_v1_lock(std::string_view text,
                                                            std::string_view what);
// Yarn Berry format: registry packages (npm: and patched ones); workspaces, links and portals
// are the project's own code and are skipped.
core::Result<std::vector<core::Package>> parse_yarn_berry_lock(std::string_view text,
                                                               std::string_view what);
// Picks the dialect from the content.
core::Result<std::vector<core::Package>> parse_yarn_lock(std::string_view text,
                                                         std::string_view what);

}  // namespace bulwark::catalog
