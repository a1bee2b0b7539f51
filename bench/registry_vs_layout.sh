#!/usr/bin/env bash
# Benchmark for the registry issue: `bulwark sbom` of the corpus `big` image pulled from a
# loopback docker-registry against the same image's OCI layout on disk, in the same run; then
# a warm re-scan, counting the layer-blob GETs in the registry's access log.
#
# Two registry set-ups, measured in the same hyperfine run:
#  - "registry": docker-registry serves the blobs itself (Go's io.Copy through 32 KiB buffers,
#    no sendfile): its CPU competes with the scan for this machine's 2 cores;
#  - "registry+storage": the same docker-registry with its redirect middleware answers blob
#    GETs with 307 to nginx (sendfile) over the same storage directory, which is how Docker Hub,
#    GHCR, ECR and GCR serve blobs (redirect to object storage or a CDN).
# The servers' CPU per pull is read from /proc before and after the timed runs.
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
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
[[ -z ${BENCH_KEEP:-} ]] || trap - EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port) rport=$(free_port) sport=$(free_port)
registry_config() {  # PORT [REDIRECT_BASEURL]
  printf 'version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\n'
  printf 'storage:\n  filesystem:\n    rootdirectory: %s/data\nhttp:\n  addr: 127.0.0.1:%s\n' "$work" "$1"
  [[ -z ${2:-} ]] || printf 'middleware:\n  storage:\n    - name: redirect\n      options:\n        baseurl: %s\n' "$2"
}
registry_config "$port" >"$work/config.yml"
registry_config "$rport" "http://127.0.0.1:$sport/" >"$work/config-redirect.yml"
mkdir -p "$work/data" "$work/nginx"
chmod 755 "$work"  # nginx workers run as www-data
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 64; }
http {
  access_log $work/nginx/access.log;
  sendfile on;
  tcp_nopush on;
  server { listen 127.0.0.1:$sport; root $work/data; location / { } }
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
}
NGINX
docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
pids+=($!)
pid=$!
docker-registry serve "$work/config-redirect.yml" >"$work/registry-redirect.log" 2>&1 &
pids+=($!)
rpid=$!
nginx -c "$work/nginx.conf" -p "$work/nginx"
for p in "$port" "$rport"; do
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$p/v2/" >/dev/null && break; sleep 0.1; done
done
ref=127.0.0.1:$port/corpus/big:1
rref=127.0.0.1:$rport/corpus/big:1
skopeo copy --quiet --dest-tls-verify=false "oci:$corpus/big.oci" "docker://$ref"
layout=oci:$corpus/big.oci

# CPU seconds (user+sys) a server process has used so far.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f", ($14+$15)/hz}' "/proc/$1/stat"; }
nginx_pids() { local m; m=$(cat "$work/nginx.pid"); echo "$m" $(pgrep -P "$m"); }
nginx_cpu() { local t=0 p; for p in $(nginx_pids); do t=$(awk -v a="$t" -v b="$(cpu_s "$p")" 'BEGIN{print a+b}'); done; echo "$t"; }
server_before=$(cpu_s "$pid") redirect_before=$(awk -v a="$(cpu_s "$rpid")" -v b="$(nginx_cpu)" 'BEGIN{print a+b}')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
hyperfine --runs "$runs" --warmup 1 --export-json "$work/h.json" \
  -n layout "$bin sbom --no-cache -q $layout -o /dev/null" \
  -n registry "$bin sbom --no-cache -q --insecure-registry 127.0.0.1:$port $ref -o /dev/null" \
  -n registry+storage "$bin sbom --no-cache -q --insecure-registry 127.0.0.1:$rport $rref -o /dev/null" >&2
pulls=$((runs + 1))
server_cpu=$(awk -v a="$(cpu_s "$pid")" -v b="$server_before" -v n="$pulls" 'BEGIN{printf "%.3f", (a-b)/n}')
redirect_cpu=$(awk -v a="$(cpu_s "$rpid")" -v c="$(nginx_cpu)" -v b="$redirect_before" -v n="$pulls" 'BEGIN{printf "%.3f", (a+c-b)/n}')

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cache=$work/cache
blob_gets() { grep -c "\"GET /v2/corpus/big/blobs/sha256:" "$work/registry.log" || true; }
"$bin" sbom -q --cache-dir "$cache" --insecure-registry "127.0.0.1:$port" "$ref" -o /dev/null
before=$(blob_gets)
"$bin" sbom -q --cache-dir "$cache" --insecure-registry "127.0.0.1:$port" "$ref" -o /dev/null
warm_gets=$(( $(blob_gets) - before ))
layers=$(jq -r '.manifests[0].digest' "$corpus/big.oci/index.json" | sed 's/sha256://' |
  xargs -I{} jq '.layers|length' "$corpus/big.oci/blobs/sha256/{}")

table=$(jq -r --arg wg "$warm_gets" --arg nl "$layers" --arg sc "$server_cpu" --arg rc "$redirect_cpu" '
  (.results | map({(.command): .}) | add) as $r
  | def r3: . * 1000 | round / 1000; def x2: . * 100 | round / 100;
  ($r.layout.median) as $l | ($r.layout.user) as $lu | ($r.layout.user + $r.layout.system) as $lc
  | def row($name; $k; $server):
      ($r[$k].median) as $g | ($r[$k].user) as $gu | ($r[$k].user + $r[$k].system) as $gc
      | "| \($name) | \($g|r3) | \($g/$l|x2)x | \($gu|r3) | \($gu/$lu|x2)x | \($gc|r3) | \($gc/$lc|x2)x | \($server) | <= 1.15x |";
  "| measure | median wall s | wall ratio | mean user CPU s | user ratio | mean user+sys CPU s | CPU ratio | server CPU s per pull | target |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  "| bulwark sbom --no-cache, OCI layout on disk | \($l|r3) | 1.00 | \($lu|r3) | 1.00 | \($lc|r3) | 1.00 | | |",
  row("bulwark sbom --no-cache, loopback docker-registry serving blobs"; "registry"; $sc),
  row("bulwark sbom --no-cache, loopback docker-registry redirecting blobs to nginx (sendfile)"; "registry+storage"; $rc),
  "| warm re-scan: blob GETs (config + layers; \($nl) layers) | \($wg) | | | | | | | 1 (config only), 0 layer blobs |"
' "$work/h.json")
header="$(date -u +%Y-%m-%d) $(nproc) cores, $(uname -m), bulwark $(git rev-parse --short HEAD), image big.oci ($(du -sh "$corpus/big.oci" | cut -f1), $layers layers), docker-registry $(dpkg-query -W -f '${Version}' docker-registry) on 127.0.0.1, plain HTTP, load average before/after $load_before / $load_after"
printf '%s\n%s\n' "$header" "$table"
if [[ ${1:-} == --append ]]; then
  {
    printf '\n### Registry pull vs OCI layout — %s\n' "$header"
    printf 'Command: `bash bench/registry_vs_layout.sh --append` (hyperfine, %s runs, medians)\n\n%s\n' "$runs" "$table"
  } >>bench/RESULTS.md
fi
