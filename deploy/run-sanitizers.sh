#!/usr/bin/env bash
# The sanitizer stage of the test suite (issue #8), run by deploy/run-tests.sh after the
# normal suite; dependencies must already be installed (deploy/install-deps.sh
# --with-test-tools). Three build trees beside build/:
#   build-asan  gcc, ASan+UBSan: the whole ctest suite (deploy.check excepted: it checks
#               the deployment files against a release binary's shared libraries)
#   build-tsan  gcc, TSan: the server under real sockets (e2e.server, client-check on feeds/,
#               abuse.server)
#   build-fuzz  clang, libFuzzer: every fuzz target for FUZZ_SECONDS (default 30) from
#               seeds made of ../shared/corpus and feeds/, then every saved reproducer
# Usage: deploy/run-sanitizers.sh [asan] [tsan] [fuzz]     (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(asan tsan fuzz)
failed=()
# Every report is fatal, with a stack; leaks are reported at exit.
# A 64 MB quarantine (not 256) keeps use-after-free detection for recent frees and the
# server's memory within the bounds the abuse test checks.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:quarantine_size_mb=64"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"

stage() { echo "=== run-sanitizers: $* ($(date +%T))" >&2; }
# -O1 -g1: half the compile time of -O2 -g, and sanitizer reports still have file:line.
san_cmake=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1")

for s in "${stages[@]}"; do
  case "$s" in
    asan)
      stage "ASan+UBSan build and whole suite"
      cmake -S . -B build-asan "${san_cmake[@]}" -DEVFEED_SANITIZE=address,undefined >/dev/null
      cmake --build build-asan
      # 20 SIGKILLs instead of 100: a build takes several times longer under ASan.
      (cd build-asan && EVFEED_KILL_ROUNDS=20 ctest --output-on-failure -j2 --timeout 1800 -E '^deploy\.check$') ||
        failed+=(asan)
      ;;
    tsan)
      stage "TSan build and server tests"
      cmake -S . -B build-tsan "${san_cmake[@]}" -DEVFEED_SANITIZE=thread >/dev/null
      cmake --build build-tsan --target evfeed
      # Only the server's socket tests run here: they need the evfeed binary, not the unit tests.
      (cd build-tsan && ctest --output-on-failure --timeout 900 -R '^(e2e\.server|e2e\.client_check\.serve_feeds|abuse\.server)$') ||
        failed+=(tsan)
      ;;
    fuzz)
      stage "libFuzzer targets, ${FUZZ_SECONDS:-30} s each, then the reproducers"
      # run-fuzzers.sh configures and builds build-fuzz (clang) and makes the seeds.
      BUILD_DIR="$PWD/build-fuzz" tests/fuzz/run-fuzzers.sh "${FUZZ_SECONDS:-30}" || failed+=(fuzz)
      ;;
    *) echo "run-sanitizers: unknown stage '$s' (asan, tsan, fuzz)" >&2; exit 2 ;;
  esac
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "run-sanitizers: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "run-sanitizers: all stages passed (${stages[*]})" >&2
