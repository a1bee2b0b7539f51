// Parsing a pnpm-lock.yaml: yaml-cpp's node graph (what the lock-file catalogers used) against
// core::YamlDoc (libyaml events into a flat tree, what they use now), on a real lock file
// (BULWARK_BENCH_YAML=path) or, without one, on a generated lockfileVersion 9 file of 2,000
// packages shaped like pnpm's output.
//   build/release/bench/yaml_lock_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/yaml_doc.hpp"

namespace {

const std::string& input() {
  static const std::string text = [] {
    if (const char* p = std::getenv("BULWARK_BENCH_YAML")) {
      std::ifstream f(p, std::ios::binary);
      std::stringstream ss;
      ss << f.rdbuf();
      return ss.str();
    }
    std::string t = "lockfileVersion: '9.0'\n\nimporters:\n  .:\n    dependencies:\n";
    for (int i = 0; i < 200; ++i) {
      t += "      dep-" + std::to_string(i) +
           ":\n        specifier: ^1.0.0\n        version: 1.0." + std::to_string(i) + "\n";
    }
    t += "\npackages:\n\n";
    for (int i = 0; i < 2000; ++i) {
      t += "  dep-" + std::to_string(i) + "@1.0." + std::to_string(i) +
           ":\n    resolution: {integrity: sha512-" + std::string(86, 'A' + i % 26) +
           "==}\n    engines: {node: '>=14.0.0'}\n\n";
    }
    return t;
  }();
  return text;
}

// Both walk what the pnpm cataloger reads: every package key and its resolution.integrity.
void BM_YamlCpp(benchmark::State& state) {
  const auto& text = input();
  for (auto _ : state) {
    auto doc = YAML::Load(text);
    size_t n = 0;
    for (const auto& kv : doc["packages"]) {
      n += kv.first.Scalar().size() + kv.second["resolution"]["integrity"].Scalar().size();
    }
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_YamlCpp)->Unit(benchmark::kMillisecond);

void BM_YamlDoc(benchmark::State& state) {
  const auto& text = input();
  for (auto _ : state) {
    auto doc = bulwark::core::YamlDoc::parse(text, "pnpm-lock.yaml");
    size_t n = 0;
    for (auto [key, value] : doc->root()["packages"]) {
      n += key.scalar().size() + value["resolution"].string_at("integrity").size();
    }
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_YamlDoc)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
