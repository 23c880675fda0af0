#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh Debian 12 machine, and
# fetches the yaml-cpp source (Debian's source package) that scheduler.so links in
# statically: Debian's libyaml-cpp.a is not position-independent, so it cannot go into a
# shared object. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ gcc pkg-config dpkg-dev rapidjson-dev libcli11-dev
          libgtest-dev libgmock-dev libbenchmark-dev clang-format xz-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# Toolchains for the Go and Rust fixture plugins (tests of cpa-sched against foreign
# plugins): an existing go/cargo on PATH is used as it is; otherwise Debian's.
command -v go >/dev/null 2>&1 || missing+=(golang-go)
command -v cargo >/dev/null 2>&1 || missing+=(cargo)

need_src=0
[ -f .deps/yaml-cpp/CMakeLists.txt ] || need_src=1

if [ ${#missing[@]} -gt 0 ] || [ $need_src = 1 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if [ $need_src = 1 ] && ! grep -rqs "deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "setup: enabling Debian source packages (for yaml-cpp)"
    $sudo tee /etc/apt/sources.list.d/cliproxy-scheduler-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  echo "setup: apt-get update"
  $sudo apt-get update -qq
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

if [ $need_src = 1 ]; then
  echo "setup: fetching the yaml-cpp source package into .deps/"
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get source --download-only -qq yaml-cpp 2>/dev/null && \
     dpkg-source -x --no-check ./yaml-cpp_*.dsc yaml-cpp >/dev/null)
  mkdir -p .deps
  rm -rf .deps/yaml-cpp
  mv "$tmp/yaml-cpp" .deps/yaml-cpp
  rm -rf "$tmp"
fi
echo "setup: ok"
