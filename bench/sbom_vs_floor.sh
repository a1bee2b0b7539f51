#!/usr/bin/env bash
# Benchmark for the SBOM issue: `bulwark sbom` of the corpus `big` image against the
# decompression floor measured in the same run.
#
#   bash bench/sbom_vs_floor.sh [--append]      (root; builds the corpus `all` set if needed)
#
# Floor: ISA-L `igzip -dc` of every layer blob of big.docker.tar, one after the other, on one
# core (what any scanner must at least spend to read the layers once).
# Targets (issue 2): cold `bulwark sbom --no-cache` <= 0.8x floor wall time with peak RSS
# <= 256 MiB; warm (layer cache filled) <= 5% of cold.
# --append adds the table and the command to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
corpus=${BULWARK_BENCH_CORPUS:-/var/tmp/bulwark-corpus-all}
runs=${BENCH_RUNS:-5}
bin=$root/build/release/src/cli/bulwark
[[ -x $bin ]] || { cmake --preset release >/dev/null && cmake --build --preset release --target bulwark; }
if [[ ! -f $corpus/big.docker.tar ]]; then
  bash "$root/../shared/corpus/build.sh" "$corpus" all
fi
command -v igzip >/dev/null && command -v hyperfine >/dev/null || bash scripts/install-deps.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
image=$corpus/big.docker.tar
# The layer blobs as separate files for the floor (extraction is not timed).
mapfile -t layers < <(tar -xOf "$image" manifest.json | jq -r '.[0].Layers[]')
tar -xf "$image" -C "$work" "${layers[@]}"
floor_cmd="for f in ${layers[*]/#/$work/}; do taskset -c 0 igzip -dc \$f >/dev/null; done"

cache=$work/cache
hyperfine --runs "$runs" --warmup 1 --export-json "$work/h.json" \
  -n floor "bash -c '$floor_cmd'" \
  -n cold "$bin sbom --no-cache -q $image -o /dev/null" \
  -n warm --prepare "test -d $cache || $bin sbom -q --cache-dir $cache $image -o /dev/null" \
  "$bin sbom -q --cache-dir $cache $image -o /dev/null" >&2

rss_kib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; }
rss_cold=$(rss_kib "$bin" sbom --no-cache -q "$image" -o /dev/null)
rss_warm=$(rss_kib "$bin" sbom -q --cache-dir "$cache" "$image" -o /dev/null)

table=$(jq -r --arg rc "$rss_cold" --arg rw "$rss_warm" '
  (.results | map({(.command): .}) | add) as $r
  | ($r.floor.median) as $f | ($r.cold.median) as $c | ($r.warm.median) as $w
  | "| measure | median s | ratio | target | peak RSS MiB |",
    "| --- | --- | --- | --- | --- |",
    "| igzip floor (1 core) | \($f*1000|round/1000) | 1.00 | | |",
    "| bulwark sbom, cold (--no-cache) | \($c*1000|round/1000) | \($c/$f*100|round/100)x floor | <= 0.8x floor | \($rc|tonumber/1024|round) |",
    "| bulwark sbom, warm cache | \($w*1000|round/1000) | \($w/$c*1000|round/10)% of cold | <= 5% of cold | \($rw|tonumber/1024|round) |"
' "$work/h.json")
header="$(date -u +%Y-%m-%d) $(nproc) cores, $(uname -m), bulwark $("$bin" version | head -1 | cut -d' ' -f2) $(git rev-parse --short HEAD), image big.docker.tar ($(du -h "$image" | cut -f1), $(( $(jq -r '.[0].Layers|length' <(tar -xOf "$image" manifest.json)) )) gzip layers)"
printf '%s\n%s\n' "$header" "$table"
if [[ ${1:-} == --append ]]; then
  {
    printf '\n### SBOM of big vs the igzip floor — %s\n' "$header"
    printf 'Command: `bash bench/sbom_vs_floor.sh --append` (hyperfine, %s runs, medians)\n\n%s\n' "$runs" "$table"
  } >>bench/RESULTS.md
fi
