// Findings about files, from per-layer analyzers to the report. Analyzers (secrets, malware)
// record each finding in their layer's LayerFacts::findings_by_path as an encoded record; after
// the layers are read, collect_file_findings() turns the records of EVERY layer into
// report::Findings dated to the layer that added the file, and to the layer that deleted or
// replaced it: a secret in a file a later layer removed is still in the image.
#pragma once

#include <string>
#include <vector>

#include "image/image.hpp"
#include "image/layer_reader.hpp"
#include "image/merged_fs.hpp"
#include "report/report.hpp"

namespace bulwark::findings {

// A finding about the file at a path, as an analyzer records it. `target` is completed with
// the path (and ":line" when line > 0) when collected.
struct FileFinding {
  std::string kind;  // secret | malware
  std::string id;
  std::string title;
  report::Severity severity = report::Severity::kUnknown;
  uint64_t line = 0;
  std::string evidence;  // already redacted
  std::string fix;
  std::vector<std::string> references;
};

std::string encode(const FileFinding& f);
core::Result<FileFinding> decode(std::string_view record);

void record(image::LayerFacts& out, const std::string& path, const FileFinding& f);

// Every layer's file findings, with layer and removed_in_layer set. Paths are shown absolute
// ("/app/.env"). Sorted by (path, layer, id, line).
std::vector<report::Finding> collect_file_findings(const std::vector<image::LayerResult>& layers,
                                                   const image::MergedFs& fs,
                                                   std::vector<std::string>& warnings);

// An analyzer that also looks at the image as a whole once its layers are read (the config's
// Env and history, for instance).
class FindingsAnalyzer : public image::Analyzer {
 public:
  virtual void finalize(const image::Image& /*image*/,
                        std::vector<report::Finding>& /*out*/) const {}
};

}  // namespace bulwark::findings
