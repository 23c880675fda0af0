#!/usr/bin/env bash
# Installs the SDK from a build tree into a fresh prefix, builds examples/sdk-plugin against
# it with find_package(cliproxy_sdk), and checks the plugin with the installed cpa-sched.
# Usage: installed_sdk_test.sh BUILD_DIR EXAMPLE_DIR CXX_COMPILER
set -euo pipefail
build=$1 example=$2 cxx=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/cliproxy/plugin.hpp"
test ! -e "$work/prefix/include/cliproxy/host"  # the host's headers are not the SDK's
cmake -S "$example" -B "$work/build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" >/dev/null
plugin="$work/build/first_active.so"
printf 'prefix: team-\n' > "$work/config.yaml"
"$work/prefix/bin/cpa-sched" check "$plugin" --config "$work/config.yaml"
# And it decides: the first active candidate with the prefix.
out=$("$work/prefix/bin/cpa-sched" pick "$plugin" --config "$work/config.yaml" \
  --candidate other.json --candidate team-1.json --candidate team-2.json)
echo "$out"
grep -q '^auth: team-1.json$' <<<"$out"
