// Secret scanning throughput over the text files of the corpus `big` image (every regular
// file of every layer whose first block is not binary), and the malware prefilter over every
// file. Reported as bytes/s of scanned content.
//
//   BULWARK_BENCH_IMAGE=/var/tmp/bulwark-corpus-all/big.docker.tar \
//     build/release/bench/secrets_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "image/image.hpp"
#include "image/layer_reader.hpp"
#include "malware/scanner.hpp"
#include "secret/engine.hpp"

namespace {

using namespace bulwark;

struct Corpus {
  std::vector<std::string> text;  // text files
  std::vector<std::string> all;   // every file (capped)
  uint64_t text_bytes = 0, all_bytes = 0;
};

constexpr uint64_t kCap = 1ULL << 30;

// Collects file contents while the layer reader streams them.
class Collector final : public image::Analyzer {
 public:
  explicit Collector(Corpus& c) : c_(c) {}
  std::string_view name() const override { return "bench-collector"; }
  int version() const override { return 1; }
  std::vector<image::PathPattern> patterns() const override { return {image::PathPattern::all()}; }
  bool streams() const override { return true; }
  core::Result<void> analyze(const image::Entry&, image::EntryContent&,
                             image::LayerFacts&) const override {
    return core::ok();
  }
  std::unique_ptr<image::ChunkSink> open_sink(const image::Entry&) const override {
    return std::make_unique<Sink>(*this);
  }

 private:
  class Sink final : public image::ChunkSink {
   public:
    explicit Sink(const Collector& c) : c_(c) {}
    void write(std::string_view chunk) override { data_.append(chunk); }
    void finish(image::LayerFacts&) override {
      std::lock_guard lock(c_.mu_);
      bool text = !secret::looks_binary(data_);
      if (c_.c_.all_bytes + data_.size() <= kCap) {
        c_.c_.all_bytes += data_.size();
        if (text) {
          c_.c_.text_bytes += data_.size();
          c_.c_.text.push_back(data_);
        }
        c_.c_.all.push_back(std::move(data_));
      }
    }

   private:
    const Collector& c_;
    std::string data_;
  };
  Corpus& c_;
  mutable std::mutex mu_;
};

const Corpus& corpus() {
  static Corpus c = [] {
    Corpus out;
    const char* env = std::getenv("BULWARK_BENCH_IMAGE");
    std::string target = env != nullptr ? env : "/var/tmp/bulwark-corpus-all/big.docker.tar";
    auto img = image::open_image(target, {});
    if (!img.ok()) {
      std::fprintf(stderr, "%s\n", img.error().message().c_str());
      std::exit(2);
    }
    Collector col(out);
    image::ReadOptions opts;
    auto r = image::read_layers(*img, {&col}, opts);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.error().message().c_str());
      std::exit(2);
    }
    std::fprintf(stderr, "corpus: %zu text files (%.1f MB), %zu files (%.1f MB)\n", out.text.size(),
                 out.text_bytes / 1e6, out.all.size(), out.all_bytes / 1e6);
    return out;
  }();
  return c;
}

const std::shared_ptr<const secret::Engine>& engine() {
  static auto e = std::move(secret::Engine::compile(secret::builtin_rules())).value();
  return e;
}

void BM_SecretScanTextFiles(benchmark::State& state) {
  const auto& c = corpus();
  engine();  // compiled before timing: the database compile is not the scan
  size_t found = 0;
  for (auto _ : state) {
    for (const auto& f : c.text) found += engine()->scan("/f", f).size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.text_bytes));
  state.counters["files"] = static_cast<double>(c.text.size());
  state.counters["findings"] = static_cast<double>(found / state.iterations());
}
BENCHMARK(BM_SecretScanTextFiles)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SecretScanTextFilesIn64KChunks(benchmark::State& state) {
  const auto& c = corpus();
  engine();
  for (auto _ : state) {
    for (const auto& f : c.text) {
      auto s = engine()->open("/f");
      for (size_t i = 0; i < f.size(); i += 65536) s->write(std::string_view(f).substr(i, 65536));
      benchmark::DoNotOptimize(s->finish());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.text_bytes));
}
BENCHMARK(BM_SecretScanTextFilesIn64KChunks)->Unit(benchmark::kMillisecond)->UseRealTime();

// Every file, binaries included: the binary sniff costs only the first block.
void BM_SecretScanAllFiles(benchmark::State& state) {
  const auto& c = corpus();
  engine();
  for (auto _ : state) {
    for (const auto& f : c.all) benchmark::DoNotOptimize(engine()->scan("/f", f));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.all_bytes));
}
BENCHMARK(BM_SecretScanAllFiles)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_MalwareBuiltinAllFiles(benchmark::State& state) {
  const auto& c = corpus();
  static auto s = std::move(malware::Scanner::create({})).value();
  for (auto _ : state) {
    for (const auto& f : c.all) benchmark::DoNotOptimize(s->scan("/f", f));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.all_bytes));
}
BENCHMARK(BM_MalwareBuiltinAllFiles)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
