#!/usr/bin/env bash
# Benchmark for the secrets/malware part of issue 5:
#  1. secret scanning throughput over the text files of the corpus `big` image (MB/s per core,
#     target >= 1 GB/s), with Google Benchmark (bench/secrets_bench.cpp);
#  2. `bulwark scan` (SBOM + secrets + malware) against `bulwark sbom` of the same image in the
#     same hyperfine run, both cold (--no-cache): target <= 1.3x.
#
#   bash bench/secrets_scan.sh [--append]     (--append adds the tables to bench/RESULTS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
corpus=${BULWARK_BENCH_CORPUS:-/var/tmp/bulwark-corpus-all}
runs=${BENCH_RUNS:-5}
image=$corpus/big.docker.tar
bin=$root/build/release/src/cli/bulwark
bench=$root/build/release/bench/secrets_bench
if [[ ! -x $bin || ! -x $bench ]]; then
  cmake --preset release >/dev/null && cmake --build --preset release --target bulwark secrets_bench
fi
[[ -f $image ]] || bash "$root/../shared/corpus/build.sh" "$corpus" all
command -v hyperfine >/dev/null || bash scripts/install-deps.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

BULWARK_BENCH_IMAGE=$image taskset -c 0 "$bench" --benchmark_min_time=2 \
  --benchmark_format=json --benchmark_out="$work/gb.json" --benchmark_out_format=json >&2

hyperfine --runs "$runs" --warmup 1 --export-json "$work/h.json" \
  -n sbom "$bin sbom --no-cache -q $image -o /dev/null" \
  -n scan "$bin scan --no-cache -q --scanners secret,malware,misconfig $image -o /dev/null" >&2

table=$(python3 - "$work/gb.json" "$work/h.json" <<'PY'
import json, sys
gb = json.load(open(sys.argv[1]))
h = json.load(open(sys.argv[2]))
print("| benchmark (1 core, taskset -c 0) | wall per pass | MB/s (wall) | CPU per pass | MB/s (CPU) |")
print("| --- | --- | --- | --- | --- |")
for b in gb["benchmarks"]:
    cpu = b['bytes_per_second'] * b['real_time'] / b['cpu_time']
    print(f"| {b['name']} | {b['real_time']:.0f} ms | {b['bytes_per_second']/1e6:.0f} | {b['cpu_time']:.0f} ms | {cpu/1e6:.0f} |")
print()
med = {r["command"]: r["median"] for r in h["results"]}
usr = {r["command"]: r["user"] + r["system"] for r in h["results"]}
print("| command (cold, --no-cache) | median wall s | wall ratio | mean CPU s (user+sys) | CPU ratio | target |")
print("| --- | --- | --- | --- | --- | --- |")
print(f"| bulwark sbom big | {med['sbom']:.3f} | 1.00 | {usr['sbom']:.2f} | 1.00 | |")
print(f"| bulwark scan big (sbom + secrets + malware) | {med['scan']:.3f} | {med['scan']/med['sbom']:.2f}x | {usr['scan']:.2f} | {usr['scan']/usr['sbom']:.2f}x | <= 1.3x |")
PY
)
echo "$table"
if [[ ${1:-} == --append ]]; then
  {
    echo
    echo "### Secrets and malware on big — $(date -u +%F) $(nproc) cores, $(uname -m), bulwark $("$bin" version 2>/dev/null | head -1 | awk '{print $2, $4}' | tr -d '()')"
    echo "Command: \`bash bench/secrets_scan.sh --append\` (Google Benchmark min_time 2 s; hyperfine $runs runs, medians)"
    echo
    echo "$table"
  } >> bench/RESULTS.md
fi
