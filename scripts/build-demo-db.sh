#!/usr/bin/env bash
# Builds the demo advisory bundle data/demo-vulndb.sqlite from the real feeds in
# ../shared/advisories, restricted to the packages listed in data/demo-packages.txt: the source
# packages of a Debian bookworm minbase image with curl, openssl and python3 libraries (the
# corpus `debian-app` image), the Go standard library, a few PyPI packages and the npm app's
# packages. Facts only (ids, ranges, fixed versions, severity, CVSS vectors, aliases, reference
# URLs): the database holds no advisory prose.
#
#   scripts/build-demo-db.sh                 # rebuild the bundle from the committed list
#   scripts/build-demo-db.sh --refresh-list  # also regenerate the list from the corpus image
#
# Sources and licenses of the data: see ../shared/advisories/SOURCES.md (Debian OVAL and
# DSA/DLA lists: Debian Security Team; Go vulndb: CC-BY-4.0; PyPA advisory database:
# CC-BY-4.0; Node.js security-wg: MIT). Keep attribution when redistributing.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${BULWARK_SHARED:-../shared}
bin=${BULWARK_BIN:-build/dev/src/cli/bulwark}
image=${BULWARK_DEMO_IMAGE:-/var/tmp/bulwark-corpus-all/debian-app.docker.tar}
list=data/demo-packages.txt
out=data/demo-vulndb.sqlite
# Fixed build time so the bundle only changes when its inputs do.
built_at=${BULWARK_DEMO_BUILT_AT:-2026-11-26T00:00:00Z}

if [[ ! -x "$bin" ]]; then
  echo "build bulwark first: cmake --build build/dev -j2 --target bulwark (or set BULWARK_BIN)" >&2
  exit 2
fi

if [[ "${1:-}" == "--refresh-list" ]]; then
  [[ -f "$image" ]] || { echo "no corpus image at $image (run ../shared/corpus/build.sh)" >&2; exit 2; }
  tmp=$(mktemp)
  "$bin" sbom -q --no-cache "$image" -f json > "$tmp"
  {
    echo "# Packages kept in data/demo-vulndb.sqlite (scripts/build-demo-db.sh --refresh-list)."
    echo "# Debian source packages of the corpus debian-app image (bookworm minbase + curl, openssl,"
    echo "# python3 libraries, gosu), its npm app, the Go standard library and a few PyPI projects."
    jq -r '.packages[] | select(.ecosystem == "deb") | "Debian:bookworm " + (.source_name // .name)' "$tmp" | sort -u
    # The corpus app's npm packages (corpus/build.sh: lodash@4.17.15 minimist@1.2.0
    # express@4.17.1 jsonwebtoken@8.5.1), listed by hand until an npm cataloger exists.
    printf '%s\n' "npm express" "npm jsonwebtoken" "npm lodash" "npm minimist"
    printf '%s\n' "Go stdlib" "Go toolchain" "PyPI requests" "PyPI urllib3" "PyPI jinja2" \
      "PyPI pyyaml" "PyPI idna" "PyPI certifi" "PyPI charset-normalizer" "PyPI pip" \
      "PyPI setuptools" "PyPI markupsafe"
  } > "$list"
  rm -f "$tmp"
fi

"$bin" db build --only-packages "$list" --built-at "$built_at" --out "$out" \
  --from "$shared/advisories/debian-oval.tar.zst" \
  --from "$shared/advisories/debian-security-tracker-lists.tar.zst" \
  --from "$shared/advisories/go-vulndb-osv.tar.zst" \
  --from "$shared/advisories/pypa-advisory-database.tar.zst" \
  --from "$shared/advisories/nodejs-security-wg-vulns.tar.zst"
size=$(stat -c %s "$out")
echo "wrote $out ($((size / 1024)) KiB)"
if ((size > 5 * 1024 * 1024)); then
  echo "error: the demo bundle must stay under 5 MB" >&2
  exit 1
fi
