#!/usr/bin/env bash
# Benchmark for the registry issue: `bulwark sbom` of the corpus `big` image pulled from a
# loopback docker-registry against the same image's OCI layout on disk, in the same run; then
# a warm re-scan, counting the layer-blob GETs in the registry's access log.
#
#   bash bench/registry_vs_layout.sh [--append]
#
# Targets (issue 6): registry cold scan <= 1.15x the layout cold scan; a warm re-scan (layer
# cache filled) downloads no layer blob. --append adds the table to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
corpus=${BULWARK_BENCH_CORPUS:-/var/tmp/bulwark-corpus-all}
runs=${BENCH_RUNS:-5}
bin=$root/build/release/src/cli/bulwark
[[ -x $bin ]] || { cmake --preset release >/dev/null && cmake --build --preset release -j2 --target bulwark; }
if [[ ! -d $corpus/big.oci ]]; then
  bash "$root/../shared/corpus/build.sh" "$corpus" all
fi
for c in docker-registry skopeo hyperfine jq; do command -v $c >/dev/null || bash scripts/install-deps.sh; done

work=$(mktemp -d)
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/config.yml" <<YML
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $work/data
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
ref=127.0.0.1:$port/corpus/big:1
skopeo copy --quiet --dest-tls-verify=false "oci:$corpus/big.oci" "docker://$ref"
layout=oci:$corpus/big.oci

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
hyperfine --runs "$runs" --warmup 1 --export-json "$work/h.json" \
  -n layout "$bin sbom --no-cache -q $layout -o /dev/null" \
  -n registry "$bin sbom --no-cache -q --insecure-registry 127.0.0.1:$port $ref -o /dev/null" >&2

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cache=$work/cache
blob_gets() { grep -c "\"GET /v2/corpus/big/blobs/sha256:" "$work/registry.log" || true; }
"$bin" sbom -q --cache-dir "$cache" --insecure-registry "127.0.0.1:$port" "$ref" -o /dev/null
before=$(blob_gets)
"$bin" sbom -q --cache-dir "$cache" --insecure-registry "127.0.0.1:$port" "$ref" -o /dev/null
warm_gets=$(( $(blob_gets) - before ))
layers=$(jq -r '.manifests[0].digest' "$corpus/big.oci/index.json" | sed 's/sha256://' |
  xargs -I{} jq '.layers|length' "$corpus/big.oci/blobs/sha256/{}")

table=$(jq -r --arg wg "$warm_gets" --arg nl "$layers" '
  (.results | map({(.command): .}) | add) as $r
  | ($r.layout.median) as $l | ($r.registry.median) as $g
  | ($r.layout.user) as $lu | ($r.registry.user) as $gu
  | ($r.layout.user + $r.layout.system) as $lc | ($r.registry.user + $r.registry.system) as $gc
  | "| measure | median wall s | wall ratio | mean user CPU s | user ratio | mean user+sys CPU s | CPU ratio | target |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    "| bulwark sbom --no-cache, OCI layout on disk | \($l*1000|round/1000) | 1.00 | \($lu*1000|round/1000) | 1.00 | \($lc*1000|round/1000) | 1.00 | |",
    "| bulwark sbom --no-cache, loopback registry | \($g*1000|round/1000) | \($g/$l*100|round/100)x | \($gu*1000|round/1000) | \($gu/$lu*100|round/100)x | \($gc*1000|round/1000) | \($gc/$lc*100|round/100)x | <= 1.15x |",
    "| warm re-scan: blob GETs (config + layers; \($nl) layers) | \($wg) | | | | | | 1 (config only), 0 layer blobs |"
' "$work/h.json")
header="$(date -u +%Y-%m-%d) $(nproc) cores, $(uname -m), bulwark $(git rev-parse --short HEAD), image big.oci ($(du -sh "$corpus/big.oci" | cut -f1), $layers layers), docker-registry $(dpkg-query -W -f '${Version}' docker-registry) on 127.0.0.1, plain HTTP, load average before/after $load_before / $load_after"
printf '%s\n%s\n' "$header" "$table"
if [[ ${1:-} == --append ]]; then
  {
    printf '\n### Registry pull vs OCI layout — %s\n' "$header"
    printf 'Command: `bash bench/registry_vs_layout.sh --append` (hyperfine, %s runs, medians)\n\n%s\n' "$runs" "$table"
  } >>bench/RESULTS.md
fi
