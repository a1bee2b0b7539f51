// The scan pipeline as the CLI drives it: target -> image -> layers (cached) -> SBOM -> Report.
// Commands differ only in which parts of the Report they print.
#pragma once

#include <optional>
#include <string>

#include "core/result.hpp"
#include "image/image.hpp"
#include "report/report.hpp"

namespace bulwark::cli {

struct ScanOptions {
  std::string target;
  std::optional<image::Platform> platform;
  bool use_cache = true;
  std::string cache_dir;  // empty: $XDG_CACHE_HOME/bulwark or ~/.cache/bulwark
  bool verify_diff_ids = false;
  unsigned threads = 0;
  std::string catalogers;  // catalog::select_catalogers() list; "" = all
  bool progress = false;   // draw progress on stderr (only when it is a terminal)
  bool risk = false;       // compute the risk score (scan); an SBOM has none
};

core::Result<report::Report> run_scan(const ScanOptions& options);

std::string default_cache_dir();
std::string scanner_version();
// RFC 3339 UTC, from SOURCE_DATE_EPOCH when set (reproducible output).
std::string report_timestamp();

}  // namespace bulwark::cli
