#!/usr/bin/env bash
# The serial tail of `bulwark sbom`: what runs after the last layer is read (build_sbom, the
# writer, the file write, teardown and exit), timed with uprobes on the binary's functions
# (perf probe; needs root and a binary with its symbol table). Interleaved rounds of each
# binary, medians in ms:
#   sbom = catalog::build_sbom, mfs = MergedFs::build, dpkg = DpkgCataloger::finalize,
#   node = NodeModulesCataloger::finalize, cdx = report::write_cyclonedx,
#   write = cli::write_output, exit = write_output's return to the process's exit,
#   tail = image::read_layers' return to the process's exit.
#
#   bash bench/sbom_tail.sh [-n ROUNDS] IMAGE BIN...
# e.g. bash bench/sbom_tail.sh -n 7 /var/tmp/bulwark-corpus-all/big.oci base/bulwark new/bulwark
set -euo pipefail
rounds=7
if [[ ${1:-} == -n ]]; then rounds=$2; shift 2; fi
img=$1
shift
work=$(mktemp -d)
trap 'perf probe -q -d "probe_bwtail:*" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

declare -A kFunctions=(
  [rl]=_ZN7bulwark5image11read_layers [sb]=_ZN7bulwark7catalog10build_sbom
  [mf]=_ZN7bulwark5image8MergedFs5build [dp]=_ZNK7bulwark7catalog13DpkgCataloger8finalize
  [nm]=_ZNK7bulwark7catalog20NodeModulesCataloger8finalize
  [cd]=_ZN7bulwark6report15write_cyclonedx [wo]=_ZN7bulwark3cli12write_output)

run_once() {  # BIN: one run with the probes set; prints "name value" pairs
  local bin=$1
  perf probe -q -d 'probe_bwtail:*' >/dev/null 2>&1 || true
  for name in "${!kFunctions[@]}"; do
    local addr
    addr=$(nm "$bin" | awk -v p="${kFunctions[$name]}" '!f && $2 == "T" && index($3, p) == 1 {print $1; f = 1}')
    [[ -n $addr ]] || { echo "no symbol ${kFunctions[$name]} in $bin" >&2; exit 2; }
    perf probe -q -x "$bin" --add "probe_bwtail:${name}=0x$addr" >/dev/null
    perf probe -q -x "$bin" --add "probe_bwtail:${name}_ret=0x$addr%return" >/dev/null
  done
  perf record -q -e 'probe_bwtail:*' -e sched:sched_process_exit -o "$work/p.data" \
    "$bin" sbom --no-cache -q "$img" -o "$work/out.json" >/dev/null 2>&1
  perf script -i "$work/p.data" -F time,event 2>/dev/null | awk '
    { t = $1; sub(":", "", t); t *= 1000; ev = $2; sub(":$", "", ev); sub(/^.*:/, "", ev)
      sub("__return$", "", ev)
      if (ev == "sched_process_exit") { exit_t = t; next }
      if (ev ~ /_ret$/) { b = ev; sub("_ret$", "", b); dur[b] += t - start[b]; end_t[b] = t }
      else start[ev] = t }
    END { printf "sbom %.2f\nmfs %.2f\ndpkg %.2f\nnode %.2f\ncdx %.2f\nwrite %.2f\nexit %.2f\ntail %.2f\n",
            dur["sb"], dur["mf"], dur["dp"], dur["nm"], dur["cd"], dur["wo"],
            exit_t - end_t["wo"], exit_t - end_t["rl"] }'
}

for ((r = 0; r < rounds; ++r)); do
  for bin in "$@"; do run_once "$bin" | sed "s|^|$bin |" >>"$work/all.txt"; done
done
for bin in "$@"; do
  printf '%s:' "$bin"
  for key in sbom mfs dpkg node cdx write exit tail; do
    awk -v b="$bin" -v k="$key" '$1 == b && $2 == k {print $3}' "$work/all.txt" | sort -g |
      awk -v k="$key" '{v[NR] = $1} END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "  %s %.1f", k, m}'
  done
  echo "  (median of $rounds, ms)"
done
