#!/usr/bin/env bash
# `bulwark db build` from ALL shared feeds (release build): wall time, CPU, peak RSS and the
# database size, then the open/lookup micro-benchmark on the result. Budget (issue 4): build
# under 60 s on the 2-core machine, DB under 300 MB, open under 10 ms.
#   bash bench/vulndb_build.sh [--append]   (--append adds the numbers to bench/RESULTS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${BULWARK_SHARED:-../shared}
out=${BULWARK_BENCH_DB:-/tmp/bulwark-bench-all.db}
cmake --preset release >/dev/null
cmake --build build/release -j2 --target bulwark vulndb_open_bench >/dev/null
args=()
for f in "$shared"/advisories/*.tar.zst; do args+=(--from "$f"); done
log=$(mktemp)
/usr/bin/time -v build/release/src/cli/bulwark db build "${args[@]}" --out "$out" 2>"$log"
wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
user=$(grep 'User time' "$log" | awk '{print $NF}')
sys=$(grep 'System time' "$log" | awk '{print $NF}')
rss=$(grep 'Maximum resident' "$log" | awk '{print $NF}')
size=$(stat -c %s "$out")
bench=$(BULWARK_BENCH_DB="$out" build/release/bench/vulndb_open_bench --benchmark_min_time=1 2>/dev/null | grep '^BM_')
rm -f "$log"
report="### vulndb: db build from all shared feeds + open — $(date -u +%F), $(nproc) cores, commit $(git rev-parse --short HEAD)
Command: \`bash bench/vulndb_build.sh\` (release build; \`/usr/bin/time -v bulwark db build --from <each ../shared/advisories/*.tar.zst> --out $out\`)

| measure | value | budget |
| --- | --- | --- |
| build wall time | $wall | < 60 s |
| build CPU (user + sys) | ${user} s + ${sys} s | |
| peak RSS | $((rss / 1024)) MB | |
| database size | $((size / 1048576)) MB | < 300 MB |

Open (read-only, header/size/schema checks, mmap) vs a bare sqlite3_open_v2 + one query:
\`\`\`
$bench
\`\`\`
"
echo "$report"
if [[ "${1:-}" == "--append" ]]; then printf '\n%s' "$report" >> bench/RESULTS.md; fi
