// pnpm-lock.yaml, lockfileVersion 5.x ("/name/1.0.0_peer@2" keys), 6.x ("/name@1.0.0(peer@2)")
// and 9.x ("name@1.0.0" keys, peers moved to "snapshots"). Format: pnpm.io/git-branch-lockfiles
// and the lock files pnpm writes (github.com/pnpm/spec/tree/master/lockfile).
#pragma once

#include <string_view>
#include <vector>

#include "catalog/cataloger.hpp"

namespace bulwark::catalog {

class PnpmLockCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "pnpm-lock"; }
  int version() const override { return 1; }
  std::vector<image::PathPattern> patterns() const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
};

// Every entry of "packages" (dev/optional flags where the version records them). Errors
// name `what`.
core::Result<std::vector<core::Package>> parse_pnpm_lock(std::string_view text,
                                                         std::string_view what);

}  // namespace bulwark::catalog
