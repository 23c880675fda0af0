#!/usr/bin/env bash
# The whole test suite, as CI runs it:
#   1. formatting check (clang-format) of every C/C++ source;
#   2. release build with warnings as errors, every test (ctest);
#   3. AddressSanitizer + UndefinedBehaviorSanitizer build, every test;
#   4. ThreadSanitizer build, the concurrency tests (label `concurrency`);
#   5. a short run of every libFuzzer target (scripts/fuzz.sh: clang, ASan + UBSan over our
#      code and the third-party code, from the seed corpora in fuzz/corpus/).
# Usage: ./scripts/test.sh [--quick]   (--quick: step 1 and 2 only)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = "--quick" ] && quick=1

./scripts/setup.sh
jobs=$(nproc)

echo "== clang-format"
files=$(git ls-files '*.c' '*.h' '*.cpp' '*.hpp' 2>/dev/null || find include src tools tests bench fuzz -name '*.[ch]pp' -o -name '*.[ch]')
clang-format --dry-run -Werror $files
echo "clang-format: ok"

build() {  # build DIR [cmake args...] [-- ninja targets...]
  local dir=$1; shift
  local args=() targets=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do args+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift && targets=("$@")
  cmake -S . -B "$dir" -G Ninja -DCLIPROXY_WERROR=ON "${args[@]}" >/dev/null
  ninja -C "$dir" "${targets[@]}"
}

echo "== release build + tests"
build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
ctest --test-dir build --output-on-failure -j"$jobs"

if [ $quick = 0 ]; then
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer"
  build build-asan -DCMAKE_BUILD_TYPE=Debug -DCLIPROXY_SANITIZE=address,undefined -DCLIPROXY_BUILD_BENCH=OFF
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"

  echo "== ThreadSanitizer (concurrency tests)"
  # Only the executables whose tests carry the label: the rest would be built for nothing.
  build build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLIPROXY_SANITIZE=thread -DCLIPROXY_BUILD_BENCH=OFF \
    -- abi_concurrency_test abi_status_concurrency_test host_concurrency_test \
       policy_concurrency_test sdk_concurrency_test store_test store_instance
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --test-dir build-tsan --output-on-failure -j"$jobs" -L concurrency

  echo "== fuzzing (every target, ${CLIPROXY_FUZZ_SECONDS:-20} s each)"
  ./scripts/fuzz.sh "${CLIPROXY_FUZZ_SECONDS:-20}"
fi
