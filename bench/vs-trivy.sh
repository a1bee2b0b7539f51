#!/usr/bin/env bash
# bulwark side by side with Trivy on every corpus image, in both forms (docker-archive file
# and OCI layout directory), measured in one run (issue 8):
#   cold SBOM   bulwark sbom --no-cache          vs  trivy image --input X --format cyclonedx
#               (the Trivy wrapper gives every call a fresh, empty cache)
#   warm SBOM   bulwark with a warmed cache dir  vs  trivy with a warmed TRIVY_CACHE_DIR
#   secrets     bulwark scan --scanners secret   vs  trivy image --input X --scanners secret
#               (only when this bulwark build has secret scanning)
#   peak RSS    /usr/bin/time of each process alone (the cold SBOM runs)
# Runs are interleaved (bulwark, trivy, bulwark, trivy ...) so machine noise hits both alike;
# the table shows medians. It also diffs what both find (bench/trivy_diff.py): packages by
# purl, secrets by (path, layer); and Dockerfile findings on the rule tests' Dockerfiles by
# rule meaning (bench/dockerfile_vs_trivy.py); every item only Trivy finds is listed.
#
#   bash bench/vs-trivy.sh [--runs N] [--images "big debian-app"] [--append]
#
# Trivy's absence, a failed install or a Trivy crash on an input is reported as such and never
# counted as a bulwark result.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=3
images=""
append=false
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --images) images=$2; shift 2 ;;
    --append) append=true; shift ;;
    *) echo "usage: $0 [--runs N] [--images \"a b\"] [--append]" >&2; exit 2 ;;
  esac
done

shared=$root/../shared
[[ -d $shared ]] || { echo "vs-trivy: ../shared not found (needs the corpus builder and trivy.sh)" >&2; exit 2; }
corpus=${BULWARK_BENCH_CORPUS:-/var/tmp/bulwark-corpus-all}
[[ -f $corpus/MANIFEST.txt ]] || bash "$shared/corpus/build.sh" "$corpus" all
[[ -n $images ]] || images=$(sed -n 's/^\[\(.*\)\]$/\1/p' "$corpus/MANIFEST.txt" | tr '\n' ' ')

bin=$root/build/release/src/cli/bulwark
[[ -x $bin ]] || { cmake --preset release >/dev/null && cmake --build --preset release --target bulwark; }
if ! trivy=$(bash "$shared/peers/trivy.sh" 2>/tmp/vs-trivy-install.log); then
  echo "vs-trivy: Trivy could not be installed (see /tmp/vs-trivy-install.log); no comparison made" >&2
  exit 3
fi
py=/usr/bin/python3
have_secrets=false
# The help is read whole first: `| grep -q` would stop reading at the match, and with pipefail
# bulwark's SIGPIPE on the rest of its help turned the check false in some runs.
scan_help=$("$bin" scan --help 2>/dev/null || true)
[[ $scan_help == *--scanners* ]] && have_secrets=true

work=$(mktemp -d /var/tmp/vs-trivy.XXXXXX)
trap 'rm -rf "$work"' EXIT

# measure NAME CMD... : runs CMD under /usr/bin/time, appends "wall rss_kib" to $work/NAME.
# A non-zero exit is recorded as a failure of that tool on that input, not as a time.
measure() {
  local name=$1; shift
  if /usr/bin/time -f '%e %M' -o "$work/t" "$@" >"$work/out.$name" 2>"$work/err.$name"; then
    cat "$work/t" >>"$work/$name"
  else
    echo "FAILED" >>"$work/$name"
    echo "vs-trivy: $name failed: $(tail -n 2 "$work/err.$name" | tr '\n' ' ')" >&2
  fi
}
median() { grep -v FAILED "$1" 2>/dev/null | awk -v c="$2" '{print $c}' | sort -n | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a=="n/a" || b=="n/a" || b==0) print "n/a"; else printf "%.3f", a/b }'; }

table="| image | form | cold bulwark s | cold trivy s | cold ratio | warm bulwark s | warm trivy s | warm ratio | RSS bulwark MiB | RSS trivy MiB | RSS ratio | secrets bulwark s | secrets trivy s | secrets ratio |
|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
diffs=""
for img in $images; do
  for form in docker.tar oci; do
    input=$corpus/$img.$form
    [[ -e $input ]] || continue
    tag=${img}_${form%%.*}
    bcache=$work/bcache.$tag
    tcache=$work/tcache.$tag
    mkdir -m 700 "$bcache"
    mkdir -p "$tcache"
    # Warm both caches once (not measured).
    "$bin" -q sbom --cache-dir "$bcache" "$input" >/dev/null
    TRIVY_CACHE_DIR=$tcache "$trivy" image --quiet --input "$input" --format cyclonedx >/dev/null 2>&1 ||
      echo "vs-trivy: trivy failed to warm its cache on $input" >&2
    for ((i = 0; i < runs; i++)); do
      measure "b_cold.$tag" "$bin" -q sbom --no-cache "$input"
      cp "$work/out.b_cold.$tag" "$work/b.$tag.cdx.json"
      measure "t_cold.$tag" "$trivy" image --quiet --input "$input" --format cyclonedx
      cp "$work/out.t_cold.$tag" "$work/t.$tag.cdx.json"
      measure "b_warm.$tag" "$bin" -q sbom --cache-dir "$bcache" "$input"
      measure "t_warm.$tag" env TRIVY_CACHE_DIR="$tcache" "$trivy" image --quiet --input "$input" --format cyclonedx
      if $have_secrets; then
        measure "b_sec.$tag" "$bin" -q scan --no-cache --scanners secret -f json "$input"
        cp "$work/out.b_sec.$tag" "$work/b.$tag.secrets.json"
        measure "t_sec.$tag" "$trivy" image --quiet --input "$input" --scanners secret --format json
        cp "$work/out.t_sec.$tag" "$work/t.$tag.secrets.json"
      fi
    done
    bc=$(median "$work/b_cold.$tag" 1); tc=$(median "$work/t_cold.$tag" 1)
    bw=$(median "$work/b_warm.$tag" 1); tw=$(median "$work/t_warm.$tag" 1)
    br=$(median "$work/b_cold.$tag" 2); tr=$(median "$work/t_cold.$tag" 2)
    brm=$(awk -v k="$br" 'BEGIN { if (k=="n/a") print k; else printf "%.0f", k/1024 }')
    trm=$(awk -v k="$tr" 'BEGIN { if (k=="n/a") print k; else printf "%.0f", k/1024 }')
    bs=n/a; ts=n/a
    if $have_secrets; then bs=$(median "$work/b_sec.$tag" 1); ts=$(median "$work/t_sec.$tag" 1); fi
    table+="
| $img | ${form%%.*} | $bc | $tc | $(ratio "$bc" "$tc") | $bw | $tw | $(ratio "$bw" "$tw") | $brm | $trm | $(ratio "$br" "$tr") | $bs | $ts | $(ratio "$bs" "$ts") |"
    if [[ -s $work/t.$tag.cdx.json && -s $work/b.$tag.cdx.json ]]; then
      diffs+="
### $img ($form) packages
$($py bench/trivy_diff.py packages "$work/t.$tag.cdx.json" "$work/b.$tag.cdx.json" | sed 's/^/    /')"
    fi
    if $have_secrets && [[ -s $work/t.$tag.secrets.json && -s $work/b.$tag.secrets.json ]]; then
      diffs+="
### $img ($form) secrets
$($py bench/trivy_diff.py secrets "$work/t.$tag.secrets.json" "$work/b.$tag.secrets.json" | sed 's/^/    /')"
    fi
  done
done

# Dockerfile findings on the Dockerfiles the rule tests use, compared by rule meaning.
if df_diff=$($py bench/dockerfile_vs_trivy.py "$bin" "$trivy" "$work" 2>&1); then :; else
  df_diff="    Dockerfile comparison not counted: $(printf '%s\n' "$df_diff" | tail -n 1)"
fi
diffs+="
### Dockerfiles of tests/misconfig/dockerfile_rules_test.cpp (bulwark config / trivy config)
$df_diff"

header="$(date -u +%Y-%m-%d) $(nproc) cores, $(uname -m), bulwark $("$bin" version | head -1 | cut -d' ' -f2) $(git rev-parse --short HEAD), Trivy $("$trivy" --version 2>/dev/null | head -1), $runs interleaved runs, medians"
printf '%s\n\n%s\n%s\n' "$header" "$table" "$diffs"
if $append; then
  {
    printf '\n## bulwark vs Trivy (%s)\n\n' "$(date -u +%Y-%m-%d)"
    printf 'Command: `bash bench/vs-trivy.sh --runs %s --append`; %s\n\n%s\n' "$runs" "$header" "$table"
    printf '\nSet differences (bench/trivy_diff.py; summary lines):\n\n'
    printf '%s\n' "$diffs" | grep -E '^###|summary' | sed 's/^    /- /'
  } >>bench/RESULTS.md
fi
