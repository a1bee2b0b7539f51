// Go source trees: go.mod (require directives, replace directives applied; syntax from
// golang.org/ref/mod#go-mod-file) and go.sum. go.sum also lists versions that minimal version
// selection discarded, so its modules are reported only where the go.mod beside it predates
// Go 1.17 (before 1.17 go.mod omits indirect dependencies) or is missing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.hpp"

namespace bulwark::catalog {

struct GoModFile {
  std::string module;
  std::string go_version;                // the `go` directive, "" when absent
  std::vector<core::Package> requires_;  // replacements applied
};
GoModFile parse_go_mod(std::string_view text);
// Modules whose content hash go.sum records (lines without "/go.mod"), in file order, unique.
std::vector<core::Package> parse_go_sum(std::string_view text);

class GoModCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "go-mod"; }
  int version() const override { return 1; }
  std::vector<image::PathPattern> patterns() const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
  void finalize(const MergeContext& ctx, std::vector<core::Package>& packages) const override;
};

}  // namespace bulwark::catalog
