// Google Benchmark: opening the advisory database (read-only, mmap'ed, header + schema checks)
// and one (ecosystem, release, package) lookup, against the floor of a bare sqlite3_open_v2 +
// one metadata query on the same file. BULWARK_BENCH_DB names a database built by
// bench/vulndb_build.sh.
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <cstdlib>
#include <string>

#include "vulndb/store.hpp"

namespace {

std::string db_path() {
  const char* p = std::getenv("BULWARK_BENCH_DB");
  return p != nullptr ? p : "/tmp/bulwark-bench-all.db";
}

void BM_SqliteOpenFloor(benchmark::State& state) {
  const std::string path = db_path();
  for (auto _ : state) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT value FROM metadata WHERE key='schema_version'", -1, &s,
                       nullptr);
    benchmark::DoNotOptimize(sqlite3_step(s));
    sqlite3_finalize(s);
    sqlite3_close(db);
  }
}
BENCHMARK(BM_SqliteOpenFloor)->Unit(benchmark::kMicrosecond);

void BM_VulnDbOpen(benchmark::State& state) {
  const std::string path = db_path();
  for (auto _ : state) {
    auto db = bulwark::vulndb::VulnDb::open(path);
    if (!db.ok()) {
      state.SkipWithError(db.error().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(db);
  }
}
BENCHMARK(BM_VulnDbOpen)->Unit(benchmark::kMicrosecond);

void BM_VulnDbOpenAndLookup(benchmark::State& state) {
  const std::string path = db_path();
  for (auto _ : state) {
    auto db = bulwark::vulndb::VulnDb::open(path);
    if (!db.ok()) {
      state.SkipWithError(db.error().message().c_str());
      return;
    }
    auto rows = (*db)->lookup("Debian", "bookworm", "openssl");
    benchmark::DoNotOptimize(rows);
  }
}
BENCHMARK(BM_VulnDbOpenAndLookup)->Unit(benchmark::kMicrosecond);

// Lookups on an open database (the matcher's steady state): a worst case (openssl in
// bookworm, 210 affected entries) and a typical small package.
void BM_Lookup(benchmark::State& state, const char* eco, const char* rel, const char* pkg) {
  auto db = bulwark::vulndb::VulnDb::open(db_path());
  if (!db.ok()) {
    state.SkipWithError(db.error().message().c_str());
    return;
  }
  size_t rows = 0;
  for (auto _ : state) {
    auto r = (*db)->lookup(eco, rel, pkg);
    rows = r.ok() ? r->size() : 0;
    benchmark::DoNotOptimize(r);
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK_CAPTURE(BM_Lookup, debian_openssl, "Debian", "bookworm", "openssl")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Lookup, debian_zlib, "Debian", "bookworm", "zlib")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Lookup, pypi_jinja2, "PyPI", "", "Jinja2")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Lookup, absent, "npm", "", "no-such-package")->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
