// Streaming gzip inflate: ISA-L igzip (what bulwark uses, through image::make_decompressor)
// against zlib's inflate, on a real layer blob (BULWARK_BENCH_GZ=path) or, without one, on a
// generated tar-like stream. Also the cost of SHA-256 (OpenSSL EVP) over the same bytes,
// which every scan pays for digest verification. And zstd without an output ring (the path
// of --threads 1, of frames with windows too large for the ring, of dictionary frames)
// against libzstd's own streaming loop over the same frame (BULWARK_BENCH_ZST=path or the
// generated stream compressed at level 3): the two should take about the same time (ours
// also copies the input into its MemoryStream each iteration, and reads it through a
// 128 KiB buffer). Before the fix in ZstdInput::some(), which fed zstd one byte per call,
// it took 8x as long on a layer of big.oci (bench/RESULTS.md).
//   build/release/bench/decompress_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <zlib.h>
#include <zstd.h>

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

std::string read_file(const char* path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string generated_tar_like() {
  std::string raw;
  for (int i = 0; raw.size() < (64 << 20); ++i) {
    raw += "usr/share/doc/package-" + std::to_string(i % 5000) + "/copyright\n";
    raw.append(400, static_cast<char>('a' + i % 26));
    raw += std::to_string(i * 2654435761U);
  }
  return raw;
}

const std::string& input() {
  static const std::string data = [] {
    if (const char* p = std::getenv("BULWARK_BENCH_GZ")) return read_file(p);
    return gzip_with_zlib(generated_tar_like());
  }();
  return data;
}

const std::string& zstd_input() {
  static const std::string data = [] {
    if (const char* p = std::getenv("BULWARK_BENCH_ZST")) return read_file(p);
    std::string raw = generated_tar_like();
    std::string out(ZSTD_compressBound(raw.size()), '\0');
    out.resize(ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 3));
    return out;
  }();
  return data;
}

// bulwark's decompressor (image::make_decompressor) over `data`, read in 1 MiB pieces.
void decompress_with_bulwark(benchmark::State& state, bulwark::image::Compression c,
                             const std::string& data) {
  std::vector<std::byte> buf(1 << 20);
  uint64_t out = 0;
  for (auto _ : state) {
    auto s = bulwark::image::make_decompressor(
        c, std::make_unique<bulwark::image::MemoryStream>(data), "bench");
    while (true) {
      auto n = s->read(buf);
      if (!n.ok() || *n == 0) break;
      out += *n;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(out));
}

void BM_InflateIsal(benchmark::State& state) {
  decompress_with_bulwark(state, bulwark::image::Compression::kGzip, input());
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

void BM_ZstdNoRing(benchmark::State& state) {
  decompress_with_bulwark(state, bulwark::image::Compression::kZstd, zstd_input());
}
BENCHMARK(BM_ZstdNoRing)->Unit(benchmark::kMillisecond);

void BM_ZstdLibStream(benchmark::State& state) {
  const auto& zst = zstd_input();
  std::vector<std::byte> buf(1 << 20);
  uint64_t out = 0;
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  for (auto _ : state) {
    ZSTD_DCtx_reset(ctx, ZSTD_reset_session_only);
    ZSTD_inBuffer in{zst.data(), zst.size(), 0};
    while (true) {  // to the end of the last frame, its output flushed
      ZSTD_outBuffer o{buf.data(), buf.size(), 0};
      size_t rc = ZSTD_decompressStream(ctx, &o, &in);
      out += o.pos;
      if (ZSTD_isError(rc) || (rc == 0 && in.pos == in.size) || (o.pos == 0 && in.pos == in.size))
        break;
    }
  }
  ZSTD_freeDCtx(ctx);
  state.SetBytesProcessed(static_cast<int64_t>(out));
}
BENCHMARK(BM_ZstdLibStream)->Unit(benchmark::kMillisecond);

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
