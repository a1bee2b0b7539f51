#!/usr/bin/env bash
# Installs everything bulwark needs to build, test and fuzz on Debian 12 (run as root).
# One list for the README's commands and CI, so a fresh machine never lacks a package.
set -euo pipefail
packages=(
  # toolchain
  g++-12 cmake ninja-build pkg-config git clang-14 libfuzzer-14-dev libclang-rt-14-dev clang-format
  # libraries (DESIGN.md)
  libarchive-dev zlib1g-dev libisal-dev libzstd-dev libssl-dev nlohmann-json3-dev libsqlite3-dev libfmt-dev
  libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev libdb-dev
  libvectorscan-dev libpcre2-dev libtomlplusplus-dev libyara-dev libclamav-dev
  # reference tools and data builders used by tests and the demo
  dpkg rpm python3-rpm python3-jsonschema mmdebstrap skopeo debian-archive-keyring jq zstd pigz isal
  hyperfine time clamav-testfiles
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
