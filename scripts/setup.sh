#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh Debian 12 machine, and
# fetches the sources of the three libraries scheduler.so links in statically, from Debian's
# source packages: yaml-cpp (Debian's libyaml-cpp.a is not position-independent, so it
# cannot go into a shared object), simdjson (Debian ships it as a shared library only) and
# hiredis (the Redis client of `state: {store: redis}`; libhiredis-dev's libhiredis.a is
# not built for a shared object either). redis-server is for the state-store tests, which
# start their own on a free loopback port.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ gcc pkg-config dpkg-dev rapidjson-dev libcli11-dev
          libgtest-dev libgmock-dev libbenchmark-dev clang-format xz-utils
          clang libfuzzer-14-dev redis-server
          chromium)  # chromium: the status page is tested in a real (headless) browser
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
[ -f .deps/simdjson/singleheader/simdjson.cpp ] || need_src=1
[ -f .deps/hiredis/hiredis.c ] || need_src=1

if [ ${#missing[@]} -gt 0 ] || [ $need_src = 1 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if [ $need_src = 1 ] && ! grep -rqsE "^(Types:.*deb-src|deb-src )" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    # Source packages come from the same archives the machine already installs from: its
    # own entries, with the type changed to deb-src (no host is named here).
    echo "setup: enabling Debian source packages (from the machine's apt sources)"
    {
      for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        grep -q '^URIs:.*debian' "$f" || continue
        sed -e 's/^Types:.*/Types: deb-src/' "$f"
        echo
      done
    } | $sudo tee /etc/apt/sources.list.d/cliproxy-scheduler-src.sources >/dev/null
    if [ -f /etc/apt/sources.list ]; then
      sed -n 's/^deb \(.*debian.*\)/deb-src \1/p' /etc/apt/sources.list |
        $sudo tee /etc/apt/sources.list.d/cliproxy-scheduler-src.list >/dev/null
    fi
  fi
  echo "setup: apt-get update"
  $sudo apt-get update -qq
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

fetch_source() {  # fetch_source PACKAGE DIR: Debian's source package, unpacked into .deps/DIR
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get source --download-only -qq "$1" 2>/dev/null &&
     dpkg-source -x --no-check ./"$1"_*.dsc "$2" >/dev/null)
  mkdir -p .deps
  rm -rf ".deps/$2"
  mv "$tmp/$2" ".deps/$2"
  rm -rf "$tmp"
}
if [ ! -f .deps/yaml-cpp/CMakeLists.txt ]; then
  echo "setup: fetching the yaml-cpp source package into .deps/"
  fetch_source yaml-cpp yaml-cpp
fi
if [ ! -f .deps/simdjson/singleheader/simdjson.cpp ]; then
  echo "setup: fetching the simdjson source package into .deps/"
  fetch_source simdjson simdjson
fi
if [ ! -f .deps/hiredis/hiredis.c ]; then
  echo "setup: fetching the hiredis source package into .deps/"
  fetch_source hiredis hiredis
fi
echo "setup: ok"
