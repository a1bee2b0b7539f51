#include "cli/scan_pipeline.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>

#include "build_info.hpp"
#include "catalog/catalogers.hpp"
#include "catalog/sbom.hpp"
#include "cli/analysis_cache.hpp"
#include "core/limits.hpp"
#include "core/log.hpp"
#include "core/teardown.hpp"
#include "image/layer_reader.hpp"
#include "image/merged_fs.hpp"
#include "license/scanner.hpp"
#include "misconfig/image_config/rules.hpp"
#include "risk/score.hpp"
#include "vulndb/image_matcher.hpp"

namespace bulwark::cli {

namespace {

// Draws "layers 2/6  120.5/395.3 MiB  210 MiB/s" on stderr until stopped.
class ProgressLine {
 public:
  explicit ProgressLine(image::Progress& p) : p_(p), start_(std::chrono::steady_clock::now()) {
    thread_ = std::jthread([this](std::stop_token st) {
      while (!st.stop_requested()) {
        draw();
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    });
  }
  ~ProgressLine() {
    thread_.request_stop();
    thread_.join();
    std::fputs("\r\033[K", stderr);
  }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

 private:
  void draw() {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    double read = static_cast<double>(p_.stored_bytes_read.load()) / (1 << 20);
    double total = static_cast<double>(p_.stored_bytes_total.load()) / (1 << 20);
    std::fprintf(stderr, "\r\033[Kbulwark: layers %d/%d  %.1f%s MiB  %.0f MiB/s",
                 p_.layers_done.load(), p_.layers_total.load(), read,
                 total > 0 ? fmt::format("/{:.1f}", total).c_str() : "",
                 secs > 0 ? read / secs : 0.0);
  }
  image::Progress& p_;
  std::chrono::steady_clock::time_point start_;
  std::jthread thread_;
};

report::Target describe_target(const std::string& input, const image::Image& img) {
  report::Target t;
  t.input = input;
  t.source = img.source;
  t.reference = img.reference;
  // An OCI ref name is often only a tag ("1.0"); name the image after its layout then.
  if (!t.reference.empty() && t.reference.find('/') == std::string::npos &&
      t.reference.find(':') == std::string::npos && img.source != "docker-archive") {
    std::string base = img.path;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    base = base.substr(base.rfind('/') + 1);
    t.reference = base + ":" + t.reference;
  }
  if (img.manifest_digest) t.manifest_digest = img.manifest_digest->str();
  if (img.config_digest) t.config_digest = img.config_digest->str();
  t.platform = img.platform.str();
  return t;
}

std::vector<report::LayerSummary> summarize_layers(const image::Image& img,
                                                   const std::vector<image::LayerResult>& layers) {
  std::vector<report::LayerSummary> out;
  for (size_t i = 0; i < img.layers.size(); ++i) {
    const auto& ref = img.layers[i];
    report::LayerSummary s;
    s.index = ref.index;
    const auto& r = layers[i];
    if (r.blob_digest) s.digest = r.blob_digest->str();
    if (ref.diff_id) s.diff_id = ref.diff_id->str();
    s.diff_id_verified = r.diff_id.has_value() && ref.diff_id && *r.diff_id == *ref.diff_id;
    s.media_type = ref.media_type;
    s.size = static_cast<int64_t>(r.stored_bytes);
    s.created_by = ref.created_by;
    out.push_back(std::move(s));
  }
  return out;
}

// Findings of the finding scanners: per-file records of every layer (dated to the layer that
// added the file and the one that removed it), then whole-image checks.
void add_findings(const ScanOptions& options, const image::Image& img,
                  const std::vector<image::LayerResult>& layers, report::Report& r) {
  if (options.finding_analyzers.empty()) return;
  bool any = std::any_of(layers.begin(), layers.end(),
                         [](const auto& l) { return !l.facts.findings_by_path.empty(); });
  if (any) {
    auto fs = image::MergedFs::build(layers);
    auto v = findings::collect_file_findings(layers, fs, r.warnings);
    r.findings.insert(r.findings.end(), std::make_move_iterator(v.begin()),
                      std::make_move_iterator(v.end()));
  }
  for (const auto& a : options.finding_analyzers) a->finalize(img, r.findings);
}

// Everything derived from the layers alone: read them (each layer's result cached), merge,
// catalog. What this returns is what the image-wide analysis cache holds.
core::Result<report::Report> analyze_layers(
    const ScanOptions& options, const image::Image& img,
    const std::vector<std::unique_ptr<catalog::Cataloger>>& catalogers,
    const std::vector<const image::Analyzer*>& analyzers, const image::ReadOptions& read_opts,
    image::Progress& progress) {
  std::optional<ProgressLine> line;
  if (options.progress && ::isatty(STDERR_FILENO) != 0) line.emplace(progress);
  auto layers = image::read_layers(img, analyzers, read_opts);
  line.reset();
  if (!layers.ok()) return std::move(layers).error();

  auto sbom = catalog::build_sbom(img, *layers, catalogers);
  report::Report r;
  r.target.layers = summarize_layers(img, *layers);
  r.os = sbom.os;
  r.packages = std::move(sbom.packages);
  r.removed_packages = std::move(sbom.removed_packages);
  for (const auto& f : sbom.removed_files)
    r.removed_files.push_back({f.path, f.added_in_layer, f.removed_in_layer});
  r.warnings = std::move(sbom.warnings);
  // ---- misconfiguration checks of the image itself (misconfig/image_config) ----
  if (options.misconfig) {
    for (const auto& issue : misconfig::image_config::check(img.config, *layers))
      r.findings.push_back(misconfig::to_finding(issue));
  }
  // ---- secret and malware findings of the layers (findings/) ----
  add_findings(options, img, *layers, r);
  // The report holds copies of all it needs; the layers' facts and file lists are the largest
  // structure of the scan (core/teardown.hpp).
  core::discard(std::move(layers).value());
  return r;
}

}  // namespace

std::string default_cache_dir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x == '/')
    return std::string(x) + "/bulwark";
  if (const char* h = std::getenv("HOME"); h != nullptr && *h == '/')
    return std::string(h) + "/.cache/bulwark";
  return "/tmp/bulwark-cache-" + std::to_string(::getuid());
}

std::string scanner_version() {
  return std::string(kVersion) + " (git " + kGitRevision + ")";
}

std::string report_timestamp() {
  std::time_t t = std::time(nullptr);
  if (const char* sde = std::getenv("SOURCE_DATE_EPOCH"); sde != nullptr && *sde != '\0') {
    char* end = nullptr;
    long long v = std::strtoll(sde, &end, 10);
    if (end != nullptr && *end == '\0' && v >= 0) t = static_cast<std::time_t>(v);
  }
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

core::Result<report::Report> run_scan(const ScanOptions& options) {
  BW_ASSIGN_OR_RETURN(auto catalogers, catalog::select_catalogers(options.catalogers));
  image::OpenOptions open_opts;
  open_opts.platform = options.platform;
  BW_ASSIGN_OR_RETURN(auto img, image::open_image(options.target, open_opts));
  core::log_info("{}: {} with {} layers, platform {}", options.target, img.source,
                 img.layers.size(), img.platform.str());

  std::vector<const image::Analyzer*> analyzers;
  for (const auto& c : catalogers) analyzers.push_back(c.get());
  for (const auto& a : options.finding_analyzers) analyzers.push_back(a.get());

  image::Progress progress;
  image::ReadOptions read_opts;
  read_opts.verify_diff_ids = options.verify_diff_ids;
  read_opts.threads = options.threads;
  if (options.use_cache)
    read_opts.cache_dir = options.cache_dir.empty() ? default_cache_dir() : options.cache_dir;
  read_opts.progress = &progress;
  read_opts.options_key = options.findings_options_key;
  // Limits decide which files analyzers can read, so results under other limits are not reused.
  for (const auto& f : core::limit_fields()) {
    read_opts.options_key +=
        std::string(f.name) + "=" +
        std::to_string(
            std::visit([](auto m) { return static_cast<uint64_t>(core::limits().*m); }, f.field)) +
        ",";
  }

  // A repeated scan of an unchanged image: the verified-file index proves every layer blob
  // unchanged, so the whole analysis comes from one cache file.
  std::optional<image::LayerCache> cache;
  std::string analysis_key;
  if (read_opts.cache_dir && image::LayerCache::prepare(*read_opts.cache_dir).ok()) {
    cache.emplace(*read_opts.cache_dir);
    if (auto digests = cache->verified_layer_digests(img)) {
      analysis_key = analysis_cache_key({img, *digests, analyzers, read_opts, scanner_build_id()});
    }
  }
  std::optional<report::Report> cached;
  if (!analysis_key.empty()) {
    if (auto data = cache->load_entry("images", analysis_key)) {
      if (auto decoded = decode_analysis(*data); decoded.ok()) cached = std::move(decoded).value();
    }
  }

  report::Report r;
  if (cached) {
    core::log_info("{}: analysis from cache", options.target);
    r = std::move(*cached);
  } else {
    auto analyzed = analyze_layers(options, img, catalogers, analyzers, read_opts, progress);
    if (!analyzed.ok()) return std::move(analyzed).error().with_context(options.target);
    r = std::move(analyzed).value();
    if (cache) {
      // Keyed by the digests just verified; computed now because a cold scan has only now
      // recorded them in the verified-file index.
      if (auto digests = cache->verified_layer_digests(img)) {
        auto key = analysis_cache_key({img, *digests, analyzers, read_opts, scanner_build_id()});
        if (auto stored = cache->store_entry("images", key, encode_analysis(r)); !stored.ok())
          core::log_warn("analysis cache: {}", stored.error().message());
      }
    }
  }
  auto layer_summaries = std::move(r.target.layers);
  r.target = describe_target(options.target, img);
  r.target.layers = std::move(layer_summaries);
  // ---- vulnerabilities: matched after the analysis cache, never cached themselves ----
  if (options.vuln_db) {
    BW_ASSIGN_OR_RETURN(auto vm, vulndb::match_image(*options.vuln_db, r.os, r.packages));
    r.findings.insert(r.findings.end(), std::make_move_iterator(vm.findings.begin()),
                      std::make_move_iterator(vm.findings.end()));
    r.warnings.insert(r.warnings.end(), vm.warnings.begin(), vm.warnings.end());
    r.database = report::DatabaseInfo{options.vuln_db->path(), options.vuln_db->built_at(),
                                      vulndb::kSchemaVersion};
  }
  // ---- licenses: from the packages, after the cache (the policy is not part of its key) ----
  if (options.license_policy) {
    auto lr = license::scan_packages(r.packages, *options.license_policy);
    if (lr.hidden > 0)
      core::log_info("licenses: {} finding(s) below medium severity not shown (--license-all)",
                     lr.hidden);
    r.findings.insert(r.findings.end(), std::make_move_iterator(lr.findings.begin()),
                      std::make_move_iterator(lr.findings.end()));
  }
  if (options.suppressions) {
    // Last, so every finding produced above is covered; marks, never removes.
    auto w = vex::apply(r.findings, *options.suppressions, vex::image_identity(r),
                        report_timestamp().substr(0, 10));
    r.warnings.insert(r.warnings.end(), w.begin(), w.end());
  }
  if (options.risk) r.risk = risk::compute(r.findings, risk::exposure_from_config(img.config));
  r.scanner_version = scanner_version();
  r.created = report_timestamp();
  for (const auto& w : r.warnings) core::log_warn("{}", w);
  return r;
}

}  // namespace bulwark::cli
