#!/usr/bin/env bash
# The README's first command: install, build, make a small real Debian image, and scan it for
# known vulnerabilities with the advisory bundle in data/ (no download).
#   sudo bash scripts/demo.sh            (Debian 12, as root)
# The image (scripts/demo-image.sh) is built with mmdebstrap from Debian's archive: bookworm
# minbase + curl, openssl, gosu (Go-built) and a Python venv (pip, setuptools), plus an npm
# app with old lodash and marked. It is assembled as a docker-archive in /var/tmp/bulwark-demo
# and rebuilt only when scripts/demo-image.sh changes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target bulwark
bin=$PWD/build/release/src/cli/bulwark

out=${BULWARK_DEMO_DIR:-/var/tmp/bulwark-demo}
recipe=$(sha256sum scripts/demo-image.sh | cut -c1-12)
image=$out/debian-demo-$recipe.tar
if [[ ! -s $image ]]; then
  bash scripts/demo-image.sh "$image"
fi
ln -sf "$(basename "$image")" "$out/debian-demo.tar"
echo "\$ bulwark scan $out/debian-demo.tar --db data/demo-vulndb.sqlite" >&2
# Exit code 0 whatever is found: the demo shows findings, it does not gate.
"$bin" scan "$out/debian-demo.tar" --db data/demo-vulndb.sqlite
"$bin" sbom "$out/debian-demo.tar" --format cyclonedx -o "$out/debian-demo.cdx.json"
echo "CycloneDX SBOM written to $out/debian-demo.cdx.json" >&2
