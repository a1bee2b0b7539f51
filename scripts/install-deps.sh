#!/usr/bin/env bash
# Installs everything bulwark needs to build, test and fuzz on Debian 12 (run as root).
# One list for the README's commands and CI, so a fresh machine never lacks a package.
set -euo pipefail
packages=(
  # toolchain
  g++-12 cmake ninja-build pkg-config git clang-14 libfuzzer-14-dev libclang-rt-14-dev clang-format ccache
  # libraries (DESIGN.md)
  libarchive-dev zlib1g-dev libisal-dev libzstd-dev libssl-dev nlohmann-json3-dev libsqlite3-dev libfmt-dev
  libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev libdb-dev
  libyaml-cpp-dev libyaml-dev libsimdjson-dev libtomlplusplus-dev libxml2-dev libcurl4-openssl-dev
  libvectorscan-dev libpcre2-dev libyara-dev libclamav-dev
  # reference tools and data builders used by tests and the demo
  dpkg dpkg-dev rpm python3-rpm python3-jsonschema python3-cryptography mmdebstrap skopeo debian-archive-keyring jq zstd pigz isal
  python3-venv
  hyperfine time clamav-testfiles
  # Ruby/PHP/binary catalogers: Vectorscan, and real gems, Composer and runtimes the tests compare with
  ruby ruby-rack ruby-json bundler composer busybox redis-server nginx-light openjdk-17-jre-headless
  # language cataloger references: Go toolchain (go version -m), Debian jars and crates, binutils
  golang-go libcommons-compress-java libjackson2-core-java librust-itoa-dev librust-cfg-if-dev binutils python3
  # version-semantics references (tests/version) and the deb comparator benchmark. Node.js and npm
  # come preinstalled from NodeSource on these machines: Debian's nodejs/npm would conflict.
  python3-apt python3-packaging default-jdk-headless libmaven3-core-java libcommons-lang3-java
  libapt-pkg-dev php-cli php-composer-semver
  # registry tests: a real registry, htpasswd for its Basic auth
  docker-registry apache2-utils
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
