// Go executables: the build info the Go linker embeds (the `\xff Go buildinf:` header in the
// data segment; its layout is documented in the Go sources, src/debug/buildinfo/buildinfo.go
// and src/runtime/debug/mod.go). Both layouts are read: before Go 1.18 the header holds two
// pointers to Go string headers; since 1.18 the strings follow it inline, varint-prefixed.
// The header is searched for in .go.buildinfo or else the writable data, never via symbols,
// so stripped binaries are covered. ELF and PE.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/cataloger.hpp"
#include "catalog/elf_pe.hpp"

namespace bulwark::catalog {

struct GoModule {
  std::string path;
  std::string version;
  std::string sum;
  // "=> path version sum": the module the code really came from. A directory replacement has
  // a path and no version.
  std::optional<std::pair<std::string, std::string>> replace;
};

struct GoBuildInfo {
  std::string go_version;  // "go1.19.8" as embedded
  std::string path;        // main package path ("cmd/go", "github.com/x/y/cmd/z")
  std::optional<GoModule> main;
  std::vector<GoModule> deps;
  std::vector<std::pair<std::string, std::string>> settings;  // build key=value, in order
};

// kNotFound when the executable carries no Go build info (not a Go binary); kInvalidInput when
// the header is there but its strings cannot be read (truncated, pointers outside the file).
// With `kept` (a file streamed past, only those ranges in memory: exec_stream.hpp), strings
// that lie outside them are a kInvalidInput error instead of being read as zeros.
core::Result<GoBuildInfo> read_go_build_info(std::string_view file,
                                             const KeptRanges* kept = nullptr);
// The module text (`go version -m` lines without the leading tab).
GoBuildInfo parse_go_modinfo(std::string_view modinfo);
// Packages for a binary: the Go standard library (pkg:golang/stdlib@1.x.y, as Go's vulndb
// names it), the main module and every dependency (replacements applied), each with
// GoMetadata (toolchain, main package path, module sum; the build settings on the main module).
std::vector<core::Package> go_build_info_packages(const GoBuildInfo& info);
// pkg:golang purl for a module path ("github.com/a/b" -> namespace github.com/a, name b).
std::string go_purl(const std::string& module_path, const std::string& version);

// Executables are not at known paths: every regular file with an execute bit (or named
// *.exe) is offered, and only ELF/PE images are parsed.
bool is_candidate_executable(const image::Entry& entry);

class GoBinaryCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "go-binary"; }
  // 2: GoMetadata (build settings, main module); 3: streamed (a pre-1.18 binary without a Go
  // build ID is a warning)
  int version() const override { return 3; }
  std::vector<image::PathPattern> patterns() const override;
  bool wants(const image::Entry& entry) const override { return is_candidate_executable(entry); }
  bool content_only() const override { return true; }
  // Executables stream past in chunks; only the byte ranges the build info can be in are kept
  // (exec_stream.hpp). analyze() feeds the same sink from `content`.
  bool streams() const override { return true; }
  std::unique_ptr<image::ChunkSink> open_sink(const image::Entry& entry) const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
  void finalize(const MergeContext& ctx, std::vector<core::Package>& packages) const override;
};

// Feeds `content` to `sink` in chunks and finishes it (analyze() of the streaming catalogers).
core::Result<void> feed_sink(image::ChunkSink& sink, image::EntryContent& content,
                             image::LayerFacts& out);

}  // namespace bulwark::catalog
