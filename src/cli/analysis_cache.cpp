#include "cli/analysis_cache.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>

#include "build_info.hpp"
#include "core/digest.hpp"
#include "core/serial.hpp"

namespace bulwark::cli {

using core::BinaryReader;
using core::BinaryWriter;
using core::Error;
using core::Result;

namespace {

// 3: packages carry changelog_cves (image::put_package).
constexpr std::string_view kMagic = "bulwark-analysis-cache/3\n";

// Guards the decoder against counts a corrupt file could claim: no count can exceed the bytes
// that would have to follow it.
Result<uint64_t> count(BinaryReader& r, std::string_view data) {
  BW_ASSIGN_OR_RETURN(uint64_t n, r.u64());
  if (n > data.size()) return Error::invalid("count larger than the file");
  return n;
}

void put_os(BinaryWriter& w, const core::OsInfo& os) {
  w.str(os.id);
  w.str(os.version_id);
  w.str(os.codename);
  w.str(os.pretty_name);
  w.str(os.id_like);
  w.str(os.evidence_path);
}

Result<core::OsInfo> get_os(BinaryReader& r) {
  core::OsInfo os;
  BW_ASSIGN_OR_RETURN(os.id, r.str());
  BW_ASSIGN_OR_RETURN(os.version_id, r.str());
  BW_ASSIGN_OR_RETURN(os.codename, r.str());
  BW_ASSIGN_OR_RETURN(os.pretty_name, r.str());
  BW_ASSIGN_OR_RETURN(os.id_like, r.str());
  BW_ASSIGN_OR_RETURN(os.evidence_path, r.str());
  return os;
}

void put_packages(BinaryWriter& w, const std::vector<core::Package>& v) {
  w.u64(v.size());
  for (const auto& p : v) image::put_package(w, p);
}

Result<std::vector<core::Package>> get_packages(BinaryReader& r, std::string_view data) {
  BW_ASSIGN_OR_RETURN(uint64_t n, count(r, data));
  std::vector<core::Package> v;
  v.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    BW_ASSIGN_OR_RETURN(auto p, image::get_package(r));
    v.push_back(std::move(p));
  }
  return v;
}

void put_finding(BinaryWriter& w, const report::Finding& f) {
  w.str(f.kind);
  w.str(f.id);
  w.str(f.title);
  w.u64(static_cast<uint64_t>(f.severity));
  w.str(f.target);
  w.i64(f.layer.value_or(-1));
  w.str(f.evidence);
  w.str(f.fix);
  w.strings(f.references);
  w.boolean(f.known_exploited);
  w.boolean(f.epss.has_value());
  w.str(f.epss ? std::to_string(*f.epss) : std::string());
  w.i64(f.removed_in_layer.value_or(-1));
}

Result<report::Finding> get_finding(BinaryReader& r) {
  report::Finding f;
  BW_ASSIGN_OR_RETURN(f.kind, r.str());
  BW_ASSIGN_OR_RETURN(f.id, r.str());
  BW_ASSIGN_OR_RETURN(f.title, r.str());
  BW_ASSIGN_OR_RETURN(uint64_t sev, r.u64());
  if (sev > static_cast<uint64_t>(report::Severity::kCritical))
    return Error::invalid("bad severity");
  f.severity = static_cast<report::Severity>(sev);
  BW_ASSIGN_OR_RETURN(f.target, r.str());
  BW_ASSIGN_OR_RETURN(int64_t layer, r.i64());
  if (layer >= 0) f.layer = static_cast<int>(layer);
  BW_ASSIGN_OR_RETURN(f.evidence, r.str());
  BW_ASSIGN_OR_RETURN(f.fix, r.str());
  BW_ASSIGN_OR_RETURN(f.references, r.strings());
  BW_ASSIGN_OR_RETURN(f.known_exploited, r.boolean());
  BW_ASSIGN_OR_RETURN(bool has_epss, r.boolean());
  BW_ASSIGN_OR_RETURN(auto epss_text, r.str());
  if (has_epss) {
    char* end = nullptr;
    double v = std::strtod(epss_text.c_str(), &end);
    if (end == epss_text.c_str() || *end != '\0') return Error::invalid("bad EPSS value");
    f.epss = v;
  }
  BW_ASSIGN_OR_RETURN(int64_t removed, r.i64());
  if (removed >= 0) f.removed_in_layer = static_cast<int>(removed);
  return f;
}

}  // namespace

std::string analysis_cache_key(const AnalysisKeyInputs& in) {
  const auto& img = in.image;
  std::string material = "analysis-cache/1|";
  material += in.scanner_build;
  material += "|config=";
  material += img.config_digest ? img.config_digest->str() : "";
  material += "|platform=" + img.platform.str();
  for (size_t i = 0; i < img.layers.size(); ++i) {
    const auto& l = img.layers[i];
    material += "|layer=" + in.layer_digests[i].str();
    material += "," + l.media_type;
    material += "," + (l.diff_id ? l.diff_id->str() : std::string());
  }
  std::vector<std::string> names;
  for (const auto* a : in.analyzers)
    names.push_back(std::string(a->name()) + "@" + std::to_string(a->version()));
  std::sort(names.begin(), names.end());
  material += "|analyzers=";
  for (const auto& n : names) material += n + ",";
  material += "|verify_diff_ids=";
  material += in.read_options.verify_diff_ids ? "1" : "0";
  material += "|options=" + in.read_options.options_key;
  return core::Sha256::hex_of(material);
}

std::string encode_analysis(const report::Report& r) {
  BinaryWriter w;
  w.str(kMagic);
  w.u64(r.target.layers.size());
  for (const auto& l : r.target.layers) {
    w.i64(l.index);
    w.str(l.digest);
    w.str(l.diff_id);
    w.boolean(l.diff_id_verified);
    w.str(l.media_type);
    w.i64(l.size);
    w.str(l.created_by);
  }
  put_os(w, r.os);
  put_packages(w, r.packages);
  put_packages(w, r.removed_packages);
  w.u64(r.removed_files.size());
  for (const auto& f : r.removed_files) {
    w.str(f.path);
    w.i64(f.added_in_layer);
    w.i64(f.removed_in_layer);
  }
  w.u64(r.findings.size());
  for (const auto& f : r.findings) put_finding(w, f);
  w.strings(r.warnings);
  return w.take();
}

Result<report::Report> decode_analysis(std::string_view data) {
  BinaryReader r(data);
  BW_ASSIGN_OR_RETURN(auto magic, r.str());
  if (magic != kMagic) return Error::invalid("not a bulwark analysis cache file");
  report::Report out;
  BW_ASSIGN_OR_RETURN(uint64_t nlayers, count(r, data));
  for (uint64_t i = 0; i < nlayers; ++i) {
    report::LayerSummary l;
    BW_ASSIGN_OR_RETURN(int64_t index, r.i64());
    l.index = static_cast<int>(index);
    BW_ASSIGN_OR_RETURN(l.digest, r.str());
    BW_ASSIGN_OR_RETURN(l.diff_id, r.str());
    BW_ASSIGN_OR_RETURN(l.diff_id_verified, r.boolean());
    BW_ASSIGN_OR_RETURN(l.media_type, r.str());
    BW_ASSIGN_OR_RETURN(l.size, r.i64());
    BW_ASSIGN_OR_RETURN(l.created_by, r.str());
    out.target.layers.push_back(std::move(l));
  }
  BW_ASSIGN_OR_RETURN(out.os, get_os(r));
  BW_ASSIGN_OR_RETURN(out.packages, get_packages(r, data));
  BW_ASSIGN_OR_RETURN(out.removed_packages, get_packages(r, data));
  BW_ASSIGN_OR_RETURN(uint64_t nremoved, count(r, data));
  for (uint64_t i = 0; i < nremoved; ++i) {
    report::RemovedFile f;
    BW_ASSIGN_OR_RETURN(f.path, r.str());
    BW_ASSIGN_OR_RETURN(int64_t added, r.i64());
    BW_ASSIGN_OR_RETURN(int64_t removed, r.i64());
    f.added_in_layer = static_cast<int>(added);
    f.removed_in_layer = static_cast<int>(removed);
    out.removed_files.push_back(std::move(f));
  }
  BW_ASSIGN_OR_RETURN(uint64_t nfindings, count(r, data));
  for (uint64_t i = 0; i < nfindings; ++i) {
    BW_ASSIGN_OR_RETURN(auto f, get_finding(r));
    out.findings.push_back(std::move(f));
  }
  BW_ASSIGN_OR_RETURN(out.warnings, r.strings());
  if (!r.at_end()) return Error::invalid("trailing bytes in analysis cache file");
  return out;
}

std::string scanner_build_id() {
  std::string id = std::string(kVersion) + "+" + kGitRevision;
  struct stat st {};
  if (::stat("/proc/self/exe", &st) == 0) {
    id += "+" + std::to_string(st.st_size) + "." + std::to_string(st.st_mtim.tv_sec) + "." +
          std::to_string(st.st_mtim.tv_nsec);
  }
  return id;
}

}  // namespace bulwark::cli
