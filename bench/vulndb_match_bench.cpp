// Google Benchmark: matching every OS package of an SBOM (bulwark's JSON report) against the
// database, after the database is open. Debian packages match through their source package
// and the release codename. BULWARK_BENCH_SBOM names the report (e.g. of the corpus `big`
// image: `bulwark sbom big.docker.tar -f json`), BULWARK_BENCH_DB the database.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "vulndb/matcher.hpp"

namespace {

std::vector<bulwark::vulndb::PackageQuery> load_queries() {
  const char* p = std::getenv("BULWARK_BENCH_SBOM");
  std::ifstream f(p != nullptr ? p : "/tmp/bulwark-bench-big.json");
  std::stringstream ss;
  ss << f.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
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

}  // namespace

BENCHMARK_MAIN();
