// Runtimes copied into an image by hand, without a package manager (a node or python built
// from source into /usr/local, a JDK unpacked into /opt): identified from version strings in
// their files by a table of rules (binary_rules.cpp), one line of data each. A file is offered
// only when its name matches a rule, and read once, streaming, with every applicable pattern
// matched in that one pass (Vectorscan streaming mode); reading stops as soon as the rules are
// answered, and never goes past kMaxBinaryScanBytes.
//
// A file that an OS package owns is not reported: finalize() drops binaries that the file list
// of an installed deb, apk or rpm package names (directly or through symlinks such as usrmerge's
// bin -> usr/bin), so a distribution's own python is left to its package manager.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.hpp"

namespace bulwark::catalog {

struct BinaryRule {
  enum class Pick {
    kFirst,    // the first match in file order
    kHighest,  // the highest version among all matches (when older versions are also named)
  };
  std::string_view package;    // package name in the SBOM and the purl
  std::string_view purl_type;  // "generic"
  // Space-separated file-name globs ("python[23].* libpython*.so*"), looked for in the usual
  // install directories (binary_identifier.cpp); "*/name" matches the name at any depth.
  std::string_view files;
  // Regex in the common subset of Vectorscan and ECMAScript syntax; group 1 is the version.
  // Matches must be short (bounded repeats): at most kMaxBinaryMatchBytes.
  std::string_view pattern;
  Pick pick = Pick::kFirst;
  // Optional regex over the file name whose group 1 ("3.11" of python3.11) the version must
  // start with, followed by a '.'.
  std::string_view name_version = {};
};

// The rule table (binary_rules.cpp).
std::span<const BinaryRule> binary_rules();

inline constexpr uint64_t kMaxBinaryScanBytes = uint64_t{256} << 20;
inline constexpr size_t kMaxBinaryMatchBytes = 256;

class BinaryIdentifierCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "binary"; }
  int version() const override { return 2; }  // 2: apk and rpm file lists own binaries too
  std::vector<image::PathPattern> patterns() const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
  void finalize(const MergeContext& ctx, std::vector<core::Package>& packages) const override;
};

// Exposed for tests and fuzzing: the packages the rules find in `content`, read as the file
// `path` (its name selects the rules). Errors are read errors or an unusable rule table.
core::Result<std::vector<core::Package>> identify_binary(std::string_view path,
                                                         image::EntryContent& content);

}  // namespace bulwark::catalog
