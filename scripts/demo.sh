#!/usr/bin/env bash
# The README's first command: install, build, make a small real Debian image, and scan it.
#   sudo bash scripts/demo.sh            (Debian 12, as root)
# The image is built with mmdebstrap from Debian's archive (minbase + curl and openssl) and
# assembled as a docker-archive (docker save layout) in /var/tmp/bulwark-demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target bulwark
bin=$PWD/build/release/src/cli/bulwark

out=${BULWARK_DEMO_DIR:-/var/tmp/bulwark-demo}
image=$out/debian-demo.tar
if [[ ! -s $image ]]; then
  mkdir -p "$out"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1704067200}
  echo "building the demo image (mmdebstrap minbase bookworm + curl openssl)..." >&2
  # The Debian archive this machine's apt already uses (one-line .list and deb822 .sources
  # files), so the demo reaches exactly what `apt-get install` reaches here.
  uris=$(for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    case $f in
      *.sources) sed -n 's/^URIs:[[:space:]]*//p' "$f" | tr ' ' '\n' ;;
      *) awk '/^deb[[:space:]]/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; break } }' "$f" ;;
    esac
  done | sed 's#/*$##')
  archive=${DEMO_MIRROR:-$(grep -m1 '/debian$' <<<"$uris" || true)}
  security=${DEMO_SECURITY_MIRROR:-$(grep -m1 '/debian-security$' <<<"$uris" || true)}
  [[ -n $archive && -n $security ]] || {
    echo "demo: no Debian archive in /etc/apt/sources*; set DEMO_MIRROR and DEMO_SECURITY_MIRROR" >&2
    exit 2
  }
  mmdebstrap --quiet --mode=root --variant=minbase --include=curl,openssl --format=tar \
    bookworm "$work/layer.tar" \
    "deb $archive bookworm main" "deb $archive bookworm-updates main" \
    "deb $security bookworm-security main"
  diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  jq -cn --arg d "sha256:$diff_id" '{architecture: "amd64", os: "linux", created: "2024-01-01T00:00:00Z",
      config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["bash"]},
      rootfs: {type: "layers", diff_ids: [$d]},
      history: [{created_by: "mmdebstrap --variant=minbase --include=curl,openssl bookworm"}]}' >"$work/config.json"
  config_id=$(sha256sum "$work/config.json" | cut -d' ' -f1)
  mkdir -p "$work/img/$diff_id"
  mv "$work/layer.tar" "$work/img/$diff_id/layer.tar"
  mv "$work/config.json" "$work/img/$config_id.json"
  jq -cn --arg c "$config_id.json" --arg l "$diff_id/layer.tar" \
    '[{Config: $c, RepoTags: ["bulwark-demo/debian:12"], Layers: [$l]}]' >"$work/img/manifest.json"
  tar -C "$work/img" -cf "$image.tmp" manifest.json "$config_id.json" "$diff_id/layer.tar"
  mv "$image.tmp" "$image"
fi
echo "\$ bulwark scan $image" >&2
"$bin" scan "$image"
"$bin" sbom "$image" --format cyclonedx -o "$out/debian-demo.cdx.json"
echo "CycloneDX SBOM written to $out/debian-demo.cdx.json" >&2
