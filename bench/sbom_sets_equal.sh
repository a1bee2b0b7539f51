#!/usr/bin/env bash
# Checks that two bulwark binaries produce the same SBOM content for the corpus images: the
# sorted sets of (package identity, version, purl, location path, layer, layer digest), of
# removed packages and removed files, and the OS. Used to show that a performance change left
# the results IDENTICAL.
#
#   bash bench/sbom_sets_equal.sh BASE_BIN NEW_BIN [IMAGE...]
# Default images: big.docker.tar big.oci debian-app.docker.tar from /var/tmp/bulwark-corpus-all.
set -euo pipefail
base=$1 new=$2
shift 2
corpus=${BULWARK_BENCH_CORPUS:-/var/tmp/bulwark-corpus-all}
images=("$@")
[[ ${#images[@]} -gt 0 ]] || images=(big.docker.tar big.oci debian-app.docker.tar)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sets() {
  jq -r '
    ( .packages[]? | . as $p | ($p.locations // [{}])[] |
      ["pkg", $p.ecosystem, $p.name, $p.version, $p.purl, .path, (.layer_index|tostring), .layer_digest] | join("\t") ),
    ( .removed_packages[]? | . as $p | ($p.locations // [{}])[] |
      ["removed", $p.ecosystem, $p.name, $p.version, $p.purl, ($p.removed_in_layer|tostring), .path, (.layer_index|tostring), .layer_digest] | join("\t") ),
    ( .removed_files[]? | ["rmfile", .path, (.added_in_layer|tostring), (.removed_in_layer|tostring)] | join("\t") ),
    ( ["os", (.os|tojson)] | join("\t") )' "$1" | LC_ALL=C sort
}
status=0
for img in "${images[@]}"; do
  for which in base new; do
    bin=$base; [[ $which == new ]] && bin=$new
    SOURCE_DATE_EPOCH=1704067200 "$bin" sbom --no-cache -q --format json "$corpus/$img" \
      -o "$work/$which.json"
    sets "$work/$which.json" >"$work/$which.txt"
    # The whole document too, less the scanner's version line.
    jq -S 'del(.scanner)' "$work/$which.json" >"$work/$which.full.json"
  done
  n=$(wc -l <"$work/base.txt")
  if cmp -s "$work/base.txt" "$work/new.txt" && cmp -s "$work/base.full.json" "$work/new.full.json"; then
    echo "$img: identical ($n rows: packages x locations, removed packages, removed files, os; whole JSON byte-identical apart from the scanner line)"
  else
    echo "$img: DIFFERENT"; diff "$work/base.txt" "$work/new.txt" | head -20
    diff "$work/base.full.json" "$work/new.full.json" | head -20; status=1
  fi
done
exit $status
