#!/usr/bin/env bash
# Benchmark for the registry issue: `bulwark sbom` of the corpus `big` image pulled from a
# loopback docker-registry against the same image's OCI layout on disk, in the same run; then
# a warm re-scan, counting the layer-blob GETs in the registry's access log.
#
# Two registry set-ups, each measured against the layout in the same hyperfine run:
#  - "registry": docker-registry serves the blobs itself (Go's io.Copy through 32 KiB buffers,
#    no sendfile): its CPU competes with the scan for this machine's 2 cores;
#  - "registry+storage": the same docker-registry with its redirect middleware answers blob
#    GETs with 307 to nginx (sendfile) over the same storage directory, which is how Docker Hub,
#    GHCR, ECR and GCR serve blobs (redirect to object storage or a CDN).
# The servers' CPU per pull is read from /proc before and after the timed runs.
#
# Two rounds: "shared", the servers and the scanner on all CPUs (on a 2-CPU machine the
# scan keeps both busy, so every cycle a server spends adds to the scan's wall time), and
# "isolated", the servers pinned to the last CPU and both scans to the others (a registry on
# hardware of its own, as registries are deployed), which shows what the pull costs the
# scanner itself.
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
# One timed round: hyperfine over the three scans (each prefixed with $1, a taskset or
# nothing), then the servers' CPU per pull. Sets round_json, server_cpu, redirect_cpu.
timed_round() {  # PREFIX NAME
  local prefix=$1 sb rb pulls=$((runs + 1))
  sb=$(cpu_s "$pid") rb=$(awk -v a="$(cpu_s "$rpid")" -v b="$(nginx_cpu)" 'BEGIN{print a+b}')
  round_json=$work/$2.json
  hyperfine --runs "$runs" --warmup 1 --export-json "$round_json" \
    -n layout "$prefix $bin sbom --no-cache -q $layout -o /dev/null" \
    -n registry "$prefix $bin sbom --no-cache -q --insecure-registry 127.0.0.1:$port $ref -o /dev/null" \
    -n registry+storage "$prefix $bin sbom --no-cache -q --insecure-registry 127.0.0.1:$rport $rref -o /dev/null" >&2
  server_cpu=$(awk -v a="$(cpu_s "$pid")" -v b="$sb" -v n="$pulls" 'BEGIN{printf "%.3f", (a-b)/n}')
  redirect_cpu=$(awk -v a="$(cpu_s "$rpid")" -v c="$(nginx_cpu)" -v b="$rb" -v n="$pulls" 'BEGIN{printf "%.3f", (a+c-b)/n}')
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# Shared: scanner and servers on all CPUs, as when both run on one host.
timed_round "" shared
shared_json=$round_json shared_server=$server_cpu shared_redirect=$redirect_cpu
# Isolated: the servers on the last CPU, the scanner (both scans alike) on the others, which
# is how a registry on hardware of its own is seen; on a 2-CPU machine the scanner gets one
# CPU, so it reads layers on one thread (core::available_cpus follows the affinity mask).
ncpu=$(nproc) last=$(( $(nproc) - 1 ))
scanner_cpus=0-$(( last > 0 ? last - 1 : 0 ))
for p in "$pid" "$rpid" $(nginx_pids); do taskset -a -p -c "$last" "$p" >/dev/null; done
timed_round "taskset -c $scanner_cpus" isolated
isolated_json=$round_json isolated_server=$server_cpu isolated_redirect=$redirect_cpu
for p in "$pid" "$rpid" $(nginx_pids); do taskset -a -p -c "0-$last" "$p" >/dev/null; done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cache=$work/cache
blob_gets() { grep -c "\"GET /v2/corpus/big/blobs/sha256:" "$work/registry.log" || true; }
"$bin" sbom -q --cache-dir "$cache" --insecure-registry "127.0.0.1:$port" "$ref" -o /dev/null
before=$(blob_gets)
"$bin" sbom -q --cache-dir "$cache" --insecure-registry "127.0.0.1:$port" "$ref" -o /dev/null
warm_gets=$(( $(blob_gets) - before ))
layers=$(jq -r '.manifests[0].digest' "$corpus/big.oci/index.json" | sed 's/sha256://' |
  xargs -I{} jq '.layers|length' "$corpus/big.oci/blobs/sha256/{}")

table_of() {  # JSON SERVER_CPU REDIRECT_CPU LABEL
  jq -r --arg sc "$2" --arg rc "$3" --arg lb "$4" '
  (.results | map({(.command): .}) | add) as $r
  | def r3: . * 1000 | round / 1000; def x2: . * 100 | round / 100;
  ($r.layout.median) as $l | ($r.layout.user) as $lu | ($r.layout.user + $r.layout.system) as $lc
  | def row($name; $k; $server):
      ($r[$k].median) as $g | ($r[$k].user) as $gu | ($r[$k].user + $r[$k].system) as $gc
      | "| \($lb): \($name) | \($g|r3) | \($g/$l|x2)x | \($gu|r3) | \($gu/$lu|x2)x | \($gc|r3) | \($gc/$lc|x2)x | \($server) | <= 1.15x |";
  "| \($lb): bulwark sbom --no-cache, OCI layout on disk | \($l|r3) | 1.00 | \($lu|r3) | 1.00 | \($lc|r3) | 1.00 | | |",
  row("loopback docker-registry serving blobs"; "registry"; $sc),
  row("loopback docker-registry redirecting blobs to nginx (sendfile)"; "registry+storage"; $rc)
  ' "$1"
}
table=$(
  echo "| measure | median wall s | wall ratio | mean user CPU s | user ratio | mean user+sys CPU s | CPU ratio | server CPU s per pull | target |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  table_of "$shared_json" "$shared_server" "$shared_redirect" "shared (scanner and servers on CPUs 0-$last)"
  table_of "$isolated_json" "$isolated_server" "$isolated_redirect" "isolated (scanner on CPUs $scanner_cpus, servers on CPU $last)"
  echo "| warm re-scan: blob GETs (config + layers; $layers layers) | $warm_gets | | | | | | | 1 (config only), 0 layer blobs |"
)
header="$(date -u +%Y-%m-%d) $(nproc) cores, $(uname -m), bulwark $(git rev-parse --short HEAD), image big.oci ($(du -sh "$corpus/big.oci" | cut -f1), $layers layers), docker-registry $(dpkg-query -W -f '${Version}' docker-registry) on 127.0.0.1, plain HTTP, load average before/after $load_before / $load_after"
printf '%s\n%s\n' "$header" "$table"
if [[ ${1:-} == --append ]]; then
  {
    printf '\n### Registry pull vs OCI layout — %s\n' "$header"
    printf 'Command: `bash bench/registry_vs_layout.sh --append` (hyperfine, %s runs per round, medians)\n\n%s\n' "$runs" "$table"
  } >>bench/RESULTS.md
fi
