#!/usr/bin/env bash
# Builds the demo image as a docker-archive (docker save layout) at OUT_TAR, from real packages:
#   layer 1: mmdebstrap --variant=minbase bookworm + curl, openssl, gosu (a Go program Debian
#            builds with its Go 1.19 toolchain, so its embedded Go standard library version is
#            one Go vulndb advisories name) and python3-venv, plus a virtual environment
#            /opt/venv made by `python3 -m venv` inside the root: pip and setuptools installed
#            from Debian's bundled wheels as ordinary pip-installed dist-info that no dpkg
#            package owns, so they match PyPI advisories.
#   layer 2: /app, a Node.js app with old package versions installed by `npm install` from
#            the npm registry npm is configured for.
#   bash scripts/demo-image.sh OUT_TAR     (Debian 12, as root: mmdebstrap --mode=root)
# The Debian archive is the one this machine's apt uses (DEMO_MIRROR / DEMO_SECURITY_MIRROR
# override it). Deterministic for a given archive state: SOURCE_DATE_EPOCH fixes every time.
set -euo pipefail
out=${1:?usage: demo-image.sh OUT_TAR}
for tool in mmdebstrap jq npm tar sha256sum; do
  command -v "$tool" >/dev/null || { echo "demo-image: $tool is not installed (bash scripts/install-deps.sh)" >&2; exit 2; }
done
if [[ $(id -u) != 0 ]]; then
  echo "demo-image: mmdebstrap --mode=root needs root" >&2
  exit 2
fi

# The npm packages of the app layer: versions with published advisories (lodash: prototype
# pollution fixed in 4.17.19; marked: regular expression denial of service fixed in 0.3.6).
npm_packages=(lodash@4.17.15 marked@0.3.5)
debs=curl,openssl,gosu,python3-venv

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1704067200}

# The Debian archive this machine's apt already uses (one-line .list and deb822 .sources
# files), so the image holds exactly what `apt-get install` reaches here.
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
  echo "demo-image: no Debian archive in /etc/apt/sources*; set DEMO_MIRROR and DEMO_SECURITY_MIRROR" >&2
  exit 2
}

echo "demo-image: layer 1: mmdebstrap minbase bookworm + $debs + /opt/venv" >&2
# The venv is made inside the root by its own python3; ensurepip installs the wheels Debian
# ships in /usr/share/python-wheels. Byte-code caches are dropped (they differ run to run).
# Downloaded .deb files are kept in $DEMO_APT_CACHE between runs (mmdebstrap's documented
# sync-in / sync-out recipe); the image itself ends with an empty apt cache. dpkg skips fsync
# (force-unsafe-io): the root is a throwaway until it is a tarball.
cache=${DEMO_APT_CACHE:-/var/tmp/bulwark-demo/apt-cache}
mkdir -p "$cache"
mmdebstrap --quiet --mode=root --variant=minbase --include="$debs" --format=tar \
  --skip=essential/unlink --dpkgopt=force-unsafe-io \
  --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
  --setup-hook="sync-in $cache /var/cache/apt/archives/" \
  --customize-hook="sync-out /var/cache/apt/archives $cache" \
  --customize-hook='chroot "$1" python3 -m venv /opt/venv' \
  --customize-hook='find "$1/opt/venv" -name __pycache__ -type d -prune -exec rm -rf {} +' \
  --customize-hook='rm -f "$1/etc/dpkg/dpkg.cfg.d/99mmdebstrap"' \
  bookworm "$work/layer1.tar" \
  "deb $archive bookworm main" "deb $archive bookworm-updates main" \
  "deb $security bookworm-security main"

echo "demo-image: layer 2: /app with npm ${npm_packages[*]}" >&2
mkdir -p "$work/root2/app"
jq -n '{name: "demo-app", version: "1.0.0", private: true, description: "bulwark demo app"}' \
  >"$work/root2/app/package.json"
(cd "$work/root2/app" && npm install --ignore-scripts --no-audit --no-fund --no-update-notifier \
  --loglevel=error --cache "$work/npm-cache" "${npm_packages[@]}" >&2)
tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
  -C "$work/root2" -cf "$work/layer2.tar" app

layers=()
diff_ids=()
for l in layer1 layer2; do
  d=$(sha256sum "$work/$l.tar" | cut -d' ' -f1)
  mkdir -p "$work/img/$d"
  mv "$work/$l.tar" "$work/img/$d/layer.tar"
  layers+=("$d/layer.tar")
  diff_ids+=("sha256:$d")
done
created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
jq -cn --arg created "$created" --arg d1 "${diff_ids[0]}" --arg d2 "${diff_ids[1]}" \
  --arg debs "$debs" --arg npm "${npm_packages[*]}" \
  '{architecture: "amd64", os: "linux", created: $created,
    config: {Env: ["PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
             WorkingDir: "/app", Cmd: ["bash"]},
    rootfs: {type: "layers", diff_ids: [$d1, $d2]},
    history: [{created: $created, created_by: ("mmdebstrap --variant=minbase --include=" + $debs + " bookworm && python3 -m venv /opt/venv")},
              {created: $created, created_by: ("COPY app/ /app/  # npm install " + $npm)}]}' \
  >"$work/config.json"
config_id=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/img/$config_id.json"
jq -cn --arg c "$config_id.json" --arg l1 "${layers[0]}" --arg l2 "${layers[1]}" \
  '[{Config: $c, RepoTags: ["bulwark-demo/debian:12"], Layers: [$l1, $l2]}]' >"$work/img/manifest.json"
mkdir -p "$(dirname "$out")"
tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
  -C "$work/img" -cf "$out.tmp" manifest.json "$config_id.json" "${layers[@]}"
mv "$out.tmp" "$out"
echo "demo-image: wrote $out ($(($(stat -c %s "$out") / 1048576)) MiB)" >&2
