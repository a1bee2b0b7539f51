// Image-wide cache of everything a scan derives from the layers alone (OS, packages, removed
// files, layer findings, warnings), so a warm scan of an unchanged image reads no layer result
// and skips the merge. The layer cache makes a changed image cheap; this makes a repeated scan
// of the same image nearly free (issue 2: warm scan <= 5% of cold).
//
// The key covers every input of that derivation: the verified digest of each stored layer blob
// in order (never the config's claims), the config digest (diff_ids, history), the analyzers'
// names and versions, the options that change their output, and the scanner build itself,
// since the merge logic has no version of its own. Database-dependent results (vulnerability
// matches) are not part of it: they are recomputed on every scan.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "image/layer_cache.hpp"
#include "report/report.hpp"

namespace bulwark::cli {

struct AnalysisKeyInputs {
  const image::Image& image;
  const std::vector<core::Digest>& layer_digests;  // verified blob digests, in layer order
  const std::vector<const image::Analyzer*>& analyzers;
  const image::ReadOptions& read_options;
  std::string scanner_build;  // changes whenever the program does
};

std::string analysis_cache_key(const AnalysisKeyInputs& in);

// The part of a Report that the cache holds: everything but the target's naming (input,
// reference, source), the scanner version and the timestamp, which belong to this invocation.
std::string encode_analysis(const report::Report& r);
core::Result<report::Report> decode_analysis(std::string_view data);

// Identifies this executable's build: version, git revision, and the binary's own size and
// modification time, so a rebuilt binary never trusts results of the previous build.
std::string scanner_build_id();

}  // namespace bulwark::cli
