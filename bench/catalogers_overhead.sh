#!/usr/bin/env bash
# Benchmark for the language-ecosystems issue: what the language catalogers add to
# `bulwark sbom` of the corpus `big` image (Debian standard + build-essential, JRE, python3-full,
# nodejs/npm, and the npm app layer), against the same command with only the OS catalogers
# (`--catalogers os`), both cold (--no-cache) and measured in the same hyperfine run.
#
#   bash bench/catalogers_overhead.sh [--append]      (root; builds the corpus `all` set if needed)
#
# Target (issue 3): all catalogers <= 1.10x the --catalogers os wall time.
# --append adds the table and the command to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
corpus=${BULWARK_BENCH_CORPUS:-/var/tmp/bulwark-corpus-all}
runs=${BENCH_RUNS:-7}
bin=$root/build/release/src/cli/bulwark
[[ -x $bin ]] || { cmake --preset release >/dev/null && cmake --build --preset release --target bulwark; }
if [[ ! -f $corpus/big.docker.tar ]]; then
  bash "$root/../shared/corpus/build.sh" "$corpus" all
fi
command -v hyperfine >/dev/null || bash scripts/install-deps.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
image=$corpus/big.docker.tar
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
hyperfine --runs "$runs" --warmup 1 --export-json "$work/h.json" \
  -n os "$bin sbom --no-cache -q --catalogers os $image -o /dev/null" \
  -n all "$bin sbom --no-cache -q $image -o /dev/null" >&2

# CPU time (user+sys, hyperfine's means) is less sensitive than wall time to other load on the
# machine; instruction counts are not sensitive to it at all. perf's hardware counter when the
# machine has one, else callgrind's instruction count (Ir; valgrind) on a smaller image
# ($BENCH_IR_IMAGE, default debian-app), which takes minutes on `big`.
cpu_ratio=$(jq -r '(.results | map({(.command): .}) | add) as $r
  | (($r.all.user + $r.all.system) / ($r.os.user + $r.os.system) * 1000 | round / 1000)' "$work/h.json")
instructions() {  # prints one integer: instructions retired by `bulwark sbom ... $@`
  local out
  out=$(perf stat -x, -e instructions:u "$bin" sbom --no-cache -q "$@" -o /dev/null 2>&1 >/dev/null | grep instructions || true)
  if [[ $out =~ ^[0-9]+, ]]; then
    echo "${out%%,*}"
    return
  fi
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" sbom --no-cache -q "$@" -o /dev/null 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
ir_image=${BENCH_IR_IMAGE:-$corpus/debian-app.docker.tar}
if perf stat -x, -e instructions:u true 2>&1 | grep -q '^[0-9]'; then
  ir_how="perf stat -e instructions:u"
  ir_image=$image
else
  ir_how="valgrind --tool=callgrind (no hardware counters on this machine)"
fi
ir_os=$(instructions --catalogers os "$ir_image")
ir_all=$(instructions "$ir_image")
ir_ratio=$(awk -v a="$ir_all" -v o="$ir_os" 'BEGIN { printf "%.3f", a / o }')

# What the language catalogers found (so the numbers are known to measure real work).
"$bin" sbom --no-cache -q -f json "$image" -o "$work/all.json"
counts=$(jq -r '[.packages[] | .ecosystem] | group_by(.) | map("\(.[0]) \(length)") | join(", ")' "$work/all.json")
warnings=$(jq -r '.warnings | length' "$work/all.json")

table=$(jq -r '
  (.results | map({(.command): .}) | add) as $r
  | ($r.os.median) as $o | ($r.all.median) as $a
  | "| measure | median s | ratio | target |",
    "| --- | --- | --- | --- |",
    "| bulwark sbom --catalogers os, cold | \($o*1000|round/1000) | 1.00 | |",
    "| bulwark sbom (all catalogers), cold | \($a*1000|round/1000) | \($a/$o*1000|round/1000)x | <= 1.10x |"
' "$work/h.json")
header="$(date -u +%Y-%m-%d) $(nproc) cores, $(uname -m), bulwark $("$bin" version | head -1 | cut -d' ' -f2) $(git rev-parse --short HEAD), image big.docker.tar ($(du -h "$image" | cut -f1))"
extra="CPU (user+sys) ratio all/os on big: ${cpu_ratio}x. Instructions all/os on $(basename "$ir_image"): ${ir_ratio}x ($ir_all / $ir_os, $ir_how)."
printf '%s\n%s\n%s\npackages: %s; warnings: %s\n' "$header" "$table" "$extra" "$counts" "$warnings"
if [[ ${1:-} == --append ]]; then
  {
    printf '\n### Language catalogers overhead on big — %s\n' "$header"
    printf 'Command: `bash bench/catalogers_overhead.sh --append` (hyperfine, %s runs, medians; load average before: %s)\n\n%s\n\n%s\n\nPackages found by all catalogers: %s; warnings: %s.\n' \
      "$runs" "$load_before" "$table" "$extra" "$counts" "$warnings"
  } >>bench/RESULTS.md
fi
