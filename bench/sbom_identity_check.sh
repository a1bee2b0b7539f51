#!/usr/bin/env bash
# Checks that two bulwark builds list exactly the same packages for the same images: the sets
# of (purl, location path, layer) of packages and removed packages, and the warnings, from
# `bulwark sbom --format json --no-cache`. Used to prove a performance change kept results.
# Usage: bench/sbom_identity_check.sh BEFORE_BIN AFTER_BIN IMAGE...
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 BEFORE_BIN AFTER_BIN IMAGE..." >&2; exit 2; }
before=$1 after=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for img in "$@"; do
  name=$(basename "$img")
  for side in before after; do
    SOURCE_DATE_EPOCH=0 "${!side}" sbom --no-cache --format json -o "$work/$side.json" "$img" \
      2>"$work/$side.err"
    python3 - "$work/$side.json" >"$work/$side.set" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = set()
for kind in ("packages", "removed_packages"):
    for p in d.get(kind) or []:
        for l in p.get("locations") or [{}]:
            rows.add("%s\t%s\t%s\t%s" % (kind, p.get("purl"), l.get("path"), l.get("layer_index")))
for w in d.get("warnings") or []:
    rows.add("warning\t%s" % w)
print("\n".join(sorted(rows)))
PY
  done
  n=$(grep -c '^packages' "$work/after.set" || true)
  if diff "$work/before.set" "$work/after.set" >"$work/diff"; then
    echo "$name: identical ($n package locations)"
  else
    echo "$name: DIFFERENT"
    head -40 "$work/diff"
    status=1
  fi
done
exit $status
