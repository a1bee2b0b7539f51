// Streaming gzip inflate: ISA-L igzip (what bulwark uses, through image::make_decompressor)
// against zlib's inflate, on a real layer blob (BULWARK_BENCH_GZ=path) or, without one, on a
// generated tar-like stream. Also the cost of SHA-256 (OpenSSL EVP) over the same bytes,
// which every scan pays for digest verification.
//   build/release/bench/decompress_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/digest.hpp"
#include "image/stream.hpp"

namespace {

std::string gzip_with_zlib(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

const std::string& input() {
  static const std::string data = [] {
    if (const char* p = std::getenv("BULWARK_BENCH_GZ")) {
      std::ifstream f(p, std::ios::binary);
      std::stringstream ss;
      ss << f.rdbuf();
      return ss.str();
    }
    std::string raw;
    for (int i = 0; raw.size() < (64 << 20); ++i) {
      raw += "usr/share/doc/package-" + std::to_string(i % 5000) + "/copyright\n";
      raw.append(400, static_cast<char>('a' + i % 26));
      raw += std::to_string(i * 2654435761U);
    }
    return gzip_with_zlib(raw);
  }();
  return data;
}

void BM_InflateIsal(benchmark::State& state) {
  const auto& gz = input();
  std::vector<std::byte> buf(1 << 20);
  uint64_t out = 0;
  for (auto _ : state) {
    auto s = bulwark::image::make_decompressor(bulwark::image::Compression::kGzip,
                                               std::make_unique<bulwark::image::MemoryStream>(gz),
                                               "bench");
    while (true) {
      auto n = s->read(buf);
      if (!n.ok() || *n == 0) break;
      out += *n;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(out));
}
BENCHMARK(BM_InflateIsal)->Unit(benchmark::kMillisecond);

void BM_InflateZlib(benchmark::State& state) {
  const auto& gz = input();
  std::vector<unsigned char> buf(1 << 20);
  uint64_t out = 0;
  for (auto _ : state) {
    z_stream z{};
    inflateInit2(&z, 31);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
    z.avail_in = static_cast<uInt>(gz.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
      z.next_out = buf.data();
      z.avail_out = static_cast<uInt>(buf.size());
      rc = inflate(&z, Z_NO_FLUSH);
      out += buf.size() - z.avail_out;
    }
    inflateEnd(&z);
  }
  state.SetBytesProcessed(static_cast<int64_t>(out));
}
BENCHMARK(BM_InflateZlib)->Unit(benchmark::kMillisecond);

void BM_Sha256Evp(benchmark::State& state) {
  const auto& gz = input();
  for (auto _ : state) {
    bulwark::core::Sha256 h;
    h.update(gz);
    benchmark::DoNotOptimize(h.hex_final());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(gz.size()));
}
BENCHMARK(BM_Sha256Evp)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
