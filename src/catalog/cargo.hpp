// Rust: Cargo.lock (TOML, read with toml++; the [[package]] array of name/version/source as
// cargo writes it, lockfile versions 1-4) and executables built with cargo-auditable, which
// embed their dependency tree as zlib-compressed JSON in a `.dep-v0` section (format:
// github.com/rust-secure-code/cargo-auditable, "auditable-serde" crate docs: an object with a
// "packages" array of {name, version, source, kind?, dependencies?, root?}).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.hpp"
#include "catalog/go_binary.hpp"

namespace bulwark::catalog {

// Every [[package]] of a Cargo.lock. kInvalidInput when the text is not TOML or `package` is
// not an array of tables; entries without a string name and version are skipped with a warning.
struct CargoLockResult {
  std::vector<core::Package> packages;
  std::vector<std::string> warnings;
};
core::Result<CargoLockResult> parse_cargo_lock(std::string_view text);

// The JSON document of a .dep-v0 section (already inflated).
core::Result<std::vector<core::Package>> parse_cargo_auditable_json(std::string_view json);
// kNotFound when the executable has no .dep-v0 section. With `kept` (a streamed file:
// exec_stream.hpp), a section outside the kept bytes is a kInvalidInput error.
core::Result<std::vector<core::Package>> read_cargo_auditable(std::string_view file,
                                                              const KeptRanges* kept = nullptr);

class CargoLockCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "rust-cargo-lock"; }
  int version() const override { return 1; }
  std::vector<image::PathPattern> patterns() const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
};

class CargoAuditableCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "rust-binary"; }
  int version() const override { return 2; }  // 2: streamed (exec_stream.hpp)
  std::vector<image::PathPattern> patterns() const override;
  bool wants(const image::Entry& entry) const override { return is_candidate_executable(entry); }
  bool content_only() const override { return true; }
  bool streams() const override { return true; }
  std::unique_ptr<image::ChunkSink> open_sink(const image::Entry& entry) const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
  void finalize(const MergeContext& ctx, std::vector<core::Package>& packages) const override;
};

}  // namespace bulwark::catalog
