// Google Benchmark: matching an SBOM (bulwark's JSON report) against the database, after the
// database is open. BM_MatchSbom: every Debian package through match_package (source package
// and release codename). BM_MatchImage: the whole SBOM (OS and language packages, ownership,
// merging into findings) through vulndb::match_image, as `bulwark scan` does.
// BULWARK_BENCH_SBOM names the report (e.g. of the corpus `big` image:
// `bulwark sbom big.docker.tar -f json`), BULWARK_BENCH_DB the database.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "vulndb/image_matcher.hpp"
#include "vulndb/matcher.hpp"

namespace {

nlohmann::json load_sbom() {
  const char* p = std::getenv("BULWARK_BENCH_SBOM");
  std::ifstream f(p != nullptr ? p : "/tmp/bulwark-bench-big.json");
  std::stringstream ss;
  ss << f.rdbuf();
  return nlohmann::json::parse(ss.str(), nullptr, false);
}

std::vector<bulwark::vulndb::PackageQuery> load_queries() {
  auto j = load_sbom();
  std::vector<bulwark::vulndb::PackageQuery> out;
  if (j.is_discarded()) return out;
  const std::string codename = j["os"].value("codename", "");
  for (const auto& pkg : j["packages"]) {
    if (pkg.value("ecosystem", "") != "deb") continue;
    std::string name = pkg.value("source_name", "");
    std::string version = pkg.value("source_version", "");
    if (name.empty()) name = pkg.value("name", "");
    if (version.empty()) version = pkg.value("version", "");
    out.push_back({"Debian", codename, name, version});
  }
  return out;
}

void BM_MatchSbom(benchmark::State& state) {
  const char* dbp = std::getenv("BULWARK_BENCH_DB");
  auto db = bulwark::vulndb::VulnDb::open(dbp != nullptr ? dbp : "/tmp/bulwark-bench-all.db");
  if (!db.ok()) {
    state.SkipWithError(db.error().message().c_str());
    return;
  }
  const auto queries = load_queries();
  if (queries.empty()) {
    state.SkipWithError("no packages in BULWARK_BENCH_SBOM");
    return;
  }
  size_t matches = 0, errors = 0, warnings = 0;
  for (auto _ : state) {
    matches = errors = warnings = 0;
    for (const auto& q : queries) {
      auto r = bulwark::vulndb::match_package(**db, q);
      if (!r.ok()) {
        ++errors;
        continue;
      }
      matches += r->matches.size();
      warnings += r->warnings.size();
    }
  }
  state.counters["errors"] = static_cast<double>(errors);
  state.counters["warnings"] = static_cast<double>(warnings);
  state.counters["packages"] = static_cast<double>(queries.size());
  state.counters["matches"] = static_cast<double>(matches);
  state.counters["packages/s"] = benchmark::Counter(
      static_cast<double>(queries.size() * state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MatchSbom)->Unit(benchmark::kMillisecond);

void BM_MatchImage(benchmark::State& state) {
  const char* dbp = std::getenv("BULWARK_BENCH_DB");
  auto db = bulwark::vulndb::VulnDb::open(dbp != nullptr ? dbp : "/tmp/bulwark-bench-all.db");
  if (!db.ok()) {
    state.SkipWithError(db.error().message().c_str());
    return;
  }
  auto j = load_sbom();
  if (j.is_discarded()) {
    state.SkipWithError("BULWARK_BENCH_SBOM is not a bulwark JSON report");
    return;
  }
  bulwark::core::OsInfo os;
  os.id = j["os"].value("id", "");
  os.version_id = j["os"].value("version_id", "");
  os.codename = j["os"].value("codename", "");
  std::vector<bulwark::core::Package> packages;
  for (const auto& pj : j["packages"]) {
    bulwark::core::Package p;
    p.name = pj.value("name", "");
    p.version = pj.value("version", "");
    p.ecosystem = pj.value("ecosystem", "");
    p.purl = pj.value("purl", "");
    p.source_name = pj.value("source_name", "");
    p.source_version = pj.value("source_version", "");
    for (const auto& f : pj.value("files", nlohmann::json::array())) p.files.push_back(f);
    for (const auto& l : pj.value("locations", nlohmann::json::array()))
      p.locations.push_back({l.value("path", ""), l.value("layer_index", -1), ""});
    packages.push_back(std::move(p));
  }
  size_t findings = 0, warnings = 0;
  for (auto _ : state) {
    auto r = bulwark::vulndb::match_image(**db, os, packages);
    if (!r.ok()) {
      state.SkipWithError(r.error().message().c_str());
      return;
    }
    findings = r->findings.size();
    warnings = r->warnings.size();
  }
  state.counters["packages"] = static_cast<double>(packages.size());
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["warnings"] = static_cast<double>(warnings);
  state.counters["packages/s"] = benchmark::Counter(
      static_cast<double>(packages.size() * state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MatchImage)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
