// Debian version comparison: bulwark's comparator (version::compare with the scheme looked up
// once, as the matcher does) against libapt-pkg's debVS.CmpVersion, in the same process, on the
// real versions of this machine's dpkg database compared pairwise. apt does not validate the
// strings; ours parses and validates each one on every call.
//   build/release/bench/version_deb_bench --benchmark_min_time=2
#include <apt-pkg/debversion.h>
#include <benchmark/benchmark.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "version/version.hpp"

namespace {

struct Pair {
  std::string a, b;
};

const std::vector<Pair>& pairs() {
  static const std::vector<Pair> p = [] {
    std::vector<std::string> versions;
    std::ifstream f("/var/lib/dpkg/status");
    std::string line;
    while (std::getline(f, line)) {
      if (line.rfind("Version: ", 0) == 0) versions.push_back(line.substr(9));
    }
    if (versions.empty()) versions = {"1:2.3.4-5+deb12u1", "2.36-9+deb12u4", "1.0~rc1-2"};
    std::vector<Pair> out;
    std::mt19937 rng(1);
    for (size_t i = 0; i < 4096; ++i) {
      out.push_back({versions[rng() % versions.size()], versions[rng() % versions.size()]});
    }
    return out;
  }();
  return p;
}

void BM_BulwarkDebCompare(benchmark::State& state) {
  const auto* scheme = bulwark::version::find_scheme("Debian");
  const auto& ps = pairs();
  int64_t sum = 0;
  for (auto _ : state) {
    for (const auto& p : ps) {
      auto r = bulwark::version::compare(*scheme, p.a, p.b);
      sum += r.ok() ? *r : 100;
    }
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(ps.size()));
}
BENCHMARK(BM_BulwarkDebCompare);

void BM_LibaptCmpVersion(benchmark::State& state) {
  const auto& ps = pairs();
  int64_t sum = 0;
  for (auto _ : state) {
    for (const auto& p : ps) {
      int r = debVS.CmpVersion(p.a, p.b);
      sum += (r > 0) - (r < 0);
    }
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(ps.size()));
}
BENCHMARK(BM_LibaptCmpVersion);

// The same answers, checked once: a benchmark of a wrong comparator would be meaningless.
void BM_AgreementCheck(benchmark::State& state) {
  const auto* scheme = bulwark::version::find_scheme("Debian");
  int64_t mismatches = 0;
  for (auto _ : state) {
    mismatches = 0;
    for (const auto& p : pairs()) {
      auto r = bulwark::version::compare(*scheme, p.a, p.b);
      int apt = debVS.CmpVersion(p.a, p.b);
      if (!r.ok() || *r != (apt > 0) - (apt < 0)) ++mismatches;
    }
  }
  state.counters["mismatches"] = static_cast<double>(mismatches);
}
BENCHMARK(BM_AgreementCheck)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
