#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang, ASan and UBSan, and runs each one from
# its seed corpus for a while. scripts/test.sh runs it briefly; run it longer by hand:
#   ./scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 20 s, every target)
# New inputs found go to build-fuzz/corpus/<target>/ (the seeds in fuzz/corpus/ are not
# changed); a crash leaves its input in build-fuzz/ (crash-*, as libFuzzer names it):
# make it a regression test, and add it to fuzz/corpus/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(pick usage lifecycle explain management json_paths)

./scripts/setup.sh >/dev/null
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCLIPROXY_FUZZ=ON -DCLIPROXY_WERROR=ON >/dev/null
ninja -C build-fuzz "${targets[@]/%/_fuzzer}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
total=0
for t in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpus/$t"
  log="build-fuzz/$t.log"
  echo "== fuzz $t (${seconds}s)"
  if ! (cd build-fuzz && "./fuzz/${t}_fuzzer" -max_total_time="$seconds" -timeout=10 \
          -rss_limit_mb=2048 -print_final_stats=1 "corpus/$t" "../fuzz/corpus/$t") >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz: $t FAILED (input and log in build-fuzz/)"
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  echo "fuzz: $t: ${runs:-0} executions, no finding"
  total=$((total + ${runs:-0}))
done
echo "fuzz: ${#targets[@]} targets, $total executions, no finding"
