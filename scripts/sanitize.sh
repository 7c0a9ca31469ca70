#!/usr/bin/env bash
# Memory and undefined-behaviour checks (issue 7), wired as `npm run sanitize`:
#
#  1. the native C++ tests (test/native, plain CMake) built with AddressSanitizer +
#     UndefinedBehaviorSanitizer in build-native-asan/ and run (leak detection on);
#  2. the same tests built without sanitizers in build-native-valgrind/ and run under valgrind
#     memcheck (--leak-check=full, any error fails);
#  3. an instrumented addon (cmake-js, the same sanitizer flags) in build-asan/build/Release, loaded
#     instead of build/Release through node-gyp-build's SPIKEGRAD_PREBUILD override (build/ is not
#     touched), with libasan preloaded into node; then the jest fuzz suite and the core jest tests
#     run against it (worker threads and child processes inherit the instrumented addon).
#
# Every sanitizer report goes to a log file under build-asan/logs/; the script fails (exit 1) when
# a step fails or any report was written, and prints the reports. Options (environment):
#   SANITIZE_SKIP_VALGRIND=1     skip step 2            SANITIZE_SKIP_NATIVE=1   skip steps 1 and 2
#   SANITIZE_JEST="paths..."     the jest test paths of step 3 (default below)
#   FUZZ_RUNS=N                  more fuzz cases in step 3 (default: the reduced npm test form)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

san_flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
logs="$root/build-asan/logs"
failed=0
step() { printf '\n=== sanitize: %s\n' "$1"; }
fail() {
  echo "sanitize: FAILED: $1"
  failed=1
}

rm -rf "$logs"
mkdir -p "$logs"
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi

libasan=$(gcc -print-file-name=libasan.so)
if [ ! -e "$libasan" ]; then
  echo "sanitize: libasan.so not found (gcc -print-file-name=libasan.so gave '$libasan'); install gcc's sanitizer runtimes"
  exit 1
fi

if [ "${SANITIZE_SKIP_NATIVE:-0}" != 1 ]; then
  step "native tests with AddressSanitizer + UndefinedBehaviorSanitizer (build-native-asan/)"
  if cmake -S "$root" -B "$root/build-native-asan" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS="$san_flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null &&
    cmake --build "$root/build-native-asan" --parallel; then
    ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=1:log_path=$logs/native-asan" \
      UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/native-ubsan" \
      ctest --test-dir "$root/build-native-asan" --output-on-failure || fail "native tests under ASan/UBSan"
  else
    fail "building the native tests with sanitizers"
  fi

  if [ "${SANITIZE_SKIP_VALGRIND:-0}" != 1 ]; then
    step "native tests under valgrind memcheck (build-native-valgrind/)"
    if ! command -v valgrind >/dev/null 2>&1; then
      fail "valgrind is not installed (apt-get install valgrind), or set SANITIZE_SKIP_VALGRIND=1"
    elif cmake -S "$root" -B "$root/build-native-valgrind" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
      cmake --build "$root/build-native-valgrind" --parallel; then
      for t in "$root"/build-native-valgrind/*_test; do
        echo "valgrind $(basename "$t")"
        valgrind --quiet --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect \
          --errors-for-leak-kinds=definite,indirect --track-origins=yes "$t" >"$logs/valgrind-$(basename "$t").out" 2>&1 ||
          {
            cat "$logs/valgrind-$(basename "$t").out"
            fail "valgrind $(basename "$t")"
          }
        tail -n 1 "$logs/valgrind-$(basename "$t").out"
      done
    else
      fail "building the native tests for valgrind"
    fi
  fi
fi

step "instrumented addon (cmake-js --out build-asan/build)"
if npx cmake-js compile --out build-asan/build \
  --CDCMAKE_CXX_FLAGS="$san_flags" --CDCMAKE_CXX_FLAGS_RELEASE="-O1 -g" \
  --CDCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" >"$logs/../cmake-js.log" 2>&1; then
  echo "built build-asan/build/Release/spikegrad.node"
else
  cat "$logs/../cmake-js.log"
  fail "building the instrumented addon"
fi

if [ -f build-asan/build/Release/spikegrad.node ]; then
  export SPIKEGRAD_PREBUILD="$root/build-asan" SPIKEGRAD_SANITIZE=1
  export LD_PRELOAD="$libasan"
  # Node itself leaks by design (detect_leaks=0); any other report aborts the process that hit it.
  export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:log_path=$logs/asan"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"

  step "jest against the instrumented addon"
  loaded=$(node -r ./test/helpers/register-ts.js -e "process.stdout.write(require('./lib/base/native.ts').bindingPath)")
  echo "addon loaded from: $loaded"
  case "$loaded" in
  "$root/build-asan/"*) ;;
  *) fail "the instrumented addon was not the one loaded ($loaded)" ;;
  esac
  # The regression tests are left out: K7 limits the address space (ulimit -v), under which the
  # ASan runtime cannot start.
  default_tests="test/fuzz test/robustness/numerics.test.ts test/robustness/concurrency.test.ts \
test/robustness/determinism.test.ts test/robustness/files.test.ts test/base/native.test.ts \
test/trial/simulate.semantics.test.ts test/trial/simulate.gradient.test.ts test/network/network.test.ts \
test/binding test/training/trainer.test.ts test/training/checkpoint.test.ts test/cli/eval.test.ts"
  # shellcheck disable=SC2086
  node node_modules/jest/bin/jest.js --runInBand --testTimeout=600000 ${SANITIZE_JEST:-$default_tests} ||
    fail "jest under the sanitizers"
  unset LD_PRELOAD
fi

step "sanitizer reports"
reports=$(find "$logs" -type f \( -name 'asan*' -o -name 'ubsan*' -o -name 'native-*' \) 2>/dev/null)
if [ -n "$reports" ]; then
  for r in $reports; do
    echo "---- $r"
    head -n 60 "$r"
  done
  fail "sanitizer reports were written (above)"
else
  echo "no sanitizer reports"
fi

if [ "$failed" != 0 ]; then
  echo "sanitize: FAILED"
  exit 1
fi
echo "sanitize: all clean"
