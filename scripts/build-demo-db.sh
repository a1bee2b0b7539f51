#!/usr/bin/env bash
# Builds the demo advisory bundle data/demo-vulndb.sqlite from the real feeds in
# ../shared/advisories, restricted to the packages listed in data/demo-packages.txt: the source
# packages, Go modules (the standard library of Go-built binaries), PyPI projects and npm packages
# of the demo image (scripts/demo-image.sh) and of the corpus `debian-app` image. Facts only (ids, ranges, fixed versions, severity, CVSS vectors, aliases, reference
# URLs): the database holds no advisory prose.
#
#   scripts/build-demo-db.sh                 # rebuild the bundle from the committed list
#   scripts/build-demo-db.sh --refresh-list  # also regenerate the list from both images
#
# Sources and licenses of the data: see ../shared/advisories/SOURCES.md (Debian OVAL and
# DSA/DLA lists: Debian Security Team; Go vulndb: CC-BY-4.0; PyPA advisory database:
# CC-BY-4.0; Node.js security-wg: MIT). Keep attribution when redistributing.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${BULWARK_SHARED:-../shared}
bin=${BULWARK_BIN:-build/dev/src/cli/bulwark}
# The images whose packages the bundle covers: the demo image (scripts/demo.sh builds it) and
# the corpus debian-app image.
images=("${BULWARK_DEMO_IMAGE:-/var/tmp/bulwark-demo/debian-demo.tar}"
  "${BULWARK_CORPUS_IMAGE:-${BULWARK_CORPUS_DIR:-/var/tmp/bulwark-corpus-all}/debian-app.docker.tar}")
list=data/demo-packages.txt
out=data/demo-vulndb.sqlite
# Fixed build time so the bundle only changes when its inputs do.
built_at=${BULWARK_DEMO_BUILT_AT:-2026-11-26T00:00:00Z}

if [[ ! -x "$bin" ]]; then
  echo "build bulwark first: cmake --build build/dev -j2 --target bulwark (or set BULWARK_BIN)" >&2
  exit 2
fi

if [[ "${1:-}" == "--refresh-list" ]]; then
  for img in "${images[@]}"; do
    [[ -f "$img" ]] || { echo "no image at $img (corpus: ../shared/corpus/build.sh; demo: scripts/demo-image.sh)" >&2; exit 2; }
  done
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  for img in "${images[@]}"; do
    "$bin" sbom -q --no-cache "$img" -f json >"$tmp/$(basename "$img").json"
  done
  {
    echo "# Packages kept in data/demo-vulndb.sqlite (scripts/build-demo-db.sh --refresh-list)."
    echo "# Every package of the demo image (scripts/demo-image.sh: bookworm minbase + curl, openssl,"
    echo "# gosu, python3-venv, a venv, an npm app) and of the corpus debian-app image: Debian source"
    echo "# packages, the Go standard library and modules, PyPI projects and npm packages."
    # Debian by source package and release; language packages by their OSV ecosystem name;
    # the Go toolchain module too (Go vulndb files some compiler advisories under it).
    {
      jq -r '.packages[]
        | if .ecosystem == "deb" then "Debian:bookworm " + (.source_name // .name)
          elif .ecosystem == "golang" then "Go " + .name
          elif .ecosystem == "pypi" then "PyPI " + (.name | ascii_downcase | gsub("[-_.]+"; "-"))
          elif .ecosystem == "npm" then "npm " + .name
          else empty end' "$tmp"/*.json
      echo "Go toolchain"
    } | sort -u
  } >"$list"
fi

"$bin" db build --only-packages "$list" --built-at "$built_at" --out "$out" \
  --from "$shared/advisories/debian-oval.tar.zst" \
  --from "$shared/advisories/debian-security-tracker-lists.tar.zst" \
  --from "$shared/advisories/go-vulndb-osv.tar.zst" \
  --from "$shared/advisories/pypa-advisory-database.tar.zst" \
  --from "$shared/advisories/nodejs-security-wg-vulns.tar.zst"
size=$(stat -c %s "$out")
echo "wrote $out ($((size / 1024)) KiB)"
if ((size > 2 * 1024 * 1024)); then
  echo "error: the demo bundle must stay under 2 MB" >&2
  exit 1
fi
