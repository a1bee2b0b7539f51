#include "findings/findings.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

namespace bulwark::findings {

using core::Error;
using core::Result;

namespace {

report::Severity severity_from(std::string_view s) {
  using report::Severity;
  for (auto v : {Severity::kUnknown, Severity::kNone, Severity::kLow, Severity::kMedium,
                 Severity::kHigh, Severity::kCritical}) {
    if (report::severity_name(v) == s) return v;
  }
  return Severity::kUnknown;
}

}  // namespace

std::string encode(const FileFinding& f) {
  nlohmann::json j = {{"kind", f.kind},   {"id", f.id},
                      {"title", f.title}, {"severity", report::severity_name(f.severity)},
                      {"line", f.line},   {"evidence", f.evidence},
                      {"fix", f.fix},     {"references", f.references}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<FileFinding> decode(std::string_view record) {
  auto j = nlohmann::json::parse(record, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error::invalid("bad finding record");
  FileFinding f;
  try {
    f.kind = j.at("kind").get<std::string>();
    f.id = j.at("id").get<std::string>();
    f.title = j.at("title").get<std::string>();
    f.severity = severity_from(j.at("severity").get<std::string>());
    f.line = j.at("line").get<uint64_t>();
    f.evidence = j.at("evidence").get<std::string>();
    f.fix = j.at("fix").get<std::string>();
    f.references = j.at("references").get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    return Error::invalid(std::string("bad finding record: ") + e.what());
  }
  return f;
}

void record(image::LayerFacts& out, const std::string& path, const FileFinding& f) {
  out.findings_by_path[path].push_back(encode(f));
}

std::vector<report::Finding> collect_file_findings(const std::vector<image::LayerResult>& layers,
                                                   const image::MergedFs& fs,
                                                   std::vector<std::string>& warnings) {
  // (path, layer) -> layer that deleted it, for files a whiteout or opaque dir removed.
  std::map<std::pair<std::string_view, int>, int> removed;
  for (const auto& r : fs.removed()) {
    if (r.entry != nullptr && r.removed_in_layer)
      removed[{std::string_view(r.entry->path), r.layer}] = *r.removed_in_layer;
  }
  std::vector<report::Finding> out;
  for (const auto& layer : layers) {
    for (const auto& [path, records] : layer.facts.findings_by_path) {
      std::optional<int> removed_in;
      if (auto it = removed.find({std::string_view(path), layer.layer}); it != removed.end()) {
        removed_in = it->second;
      } else if (const auto* v = fs.find(path); v != nullptr && v->layer != layer.layer) {
        removed_in = v->layer;  // a later layer replaced the file; this version is still there
      }
      for (const auto& rec : records) {
        auto f = decode(rec);
        if (!f.ok()) {
          warnings.push_back(path + ": " + f.error().message());
          continue;
        }
        report::Finding out_f;
        out_f.kind = f->kind;
        out_f.id = f->id;
        out_f.title = f->title;
        out_f.severity = f->severity;
        out_f.target = "/" + path + (f->line > 0 ? ":" + std::to_string(f->line) : "");
        out_f.layer = layer.layer;
        out_f.removed_in_layer = removed_in;
        out_f.evidence = f->evidence;
        out_f.fix = f->fix;
        out_f.references = f->references;
        out.push_back(std::move(out_f));
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.target, a.layer, a.id) < std::tie(b.target, b.layer, b.id);
  });
  return out;
}

}  // namespace bulwark::findings
