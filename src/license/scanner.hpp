// License findings of an image's packages (`bulwark scan --scanners license`): one finding per
// (package, declared license), classified by evaluate() and rated by the policy. Language
// packages whose files an OS package owns are reported through that OS package, whose
// copyright file covers them.
#pragma once

#include <vector>

#include "core/package.hpp"
#include "license/policy.hpp"
#include "report/report.hpp"

namespace bulwark::license {

struct ScanResult {
  std::vector<report::Finding> findings;  // sorted by (target, id)
  size_t hidden = 0;                      // below the policy's threshold (see Policy::show_all)
  size_t covered = 0;                     // language packages reported through an OS package
};

ScanResult scan_packages(const std::vector<core::Package>& packages, const Policy& policy);

}  // namespace bulwark::license
