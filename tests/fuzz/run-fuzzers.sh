#!/usr/bin/env bash
# Builds the libFuzzer targets, runs each for TIME_SECONDS (one after another, one core),
# then replays every reproducer in tests/fuzz/regressions/<target>/.
#
#   tests/fuzz/run-fuzzers.sh 30                 # CI
#   tests/fuzz/run-fuzzers.sh 600 fuzz_page      # one target
#
# Environment: BUILD_DIR (default <repo>/build-fuzz), FUZZ_FORK=1 to keep fuzzing
# after a crash (libFuzzer -fork=1: still one process at a time), FUZZ_EXTRA_ARGS.
# Corpora grow in $BUILD_DIR/corpus/<target>; crashes land in $BUILD_DIR/artifacts/<target>/;
# one line per run is appended to $BUILD_DIR/fuzz-stats.tsv.
# Exit status: 0 when no target crashed and every regression passes, 1 otherwise.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "$here/../.." && pwd)"
build="${BUILD_DIR:-$src/build-fuzz}"
lock=/tmp/evfeed-build.lock
secs="${1:-30}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_page fuzz_time fuzz_markdown fuzz_ics fuzz_http)

if ! command -v clang++ >/dev/null; then
  echo "run-fuzzers: clang++ is missing (apt-get install clang-14 libclang-rt-14-dev llvm-14)" >&2
  exit 2
fi
if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S "$src" -B "$build" -G Ninja -DEVFEED_FUZZ=ON -DEVFEED_BUILD_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 2
fi
flock "$lock" cmake --build "$build" --target fuzz_all -j2 || exit 2
[ -d "$build/seeds/fuzz_page" ] || "$here/make-seeds.sh" "$build" || exit 2

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:symbolize=1}"
command -v llvm-symbolizer >/dev/null || export ASAN_SYMBOLIZER_PATH=/usr/bin/llvm-symbolizer-14

max_len() {
  case "$1" in
    fuzz_page|fuzz_ics|fuzz_markdown) echo 16384 ;;
    fuzz_time) echo 8192 ;;
    fuzz_http) echo 4096 ;;
  esac
}

status=0
stats="$build/fuzz-stats.tsv"
[ -f "$stats" ] || printf 'date\ttarget\tseconds\texecs\texec_per_s\tcov\tcorpus\tresult\n' >"$stats"
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/$t"
  work="$build/work/$t"
  mkdir -p "$build/corpus/$t" "$build/artifacts/$t" "$work"
  dict=()
  [ -f "$here/$t.dict" ] && dict=(-dict="$here/$t.dict")
  fork=()
  [ "${FUZZ_FORK:-0}" = 1 ] && fork=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  echo "=== $t: ${secs}s" >&2
  start=$(date +%s)
  touch "$work/.start"
  # -jobs=1 -workers=1: one fuzzing process at a time (its output goes to fuzz-0.log).
  (cd "$work" && rm -f fuzz-0.log &&
    "$bin" -jobs=1 -workers=1 -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$t")" \
      -print_final_stats=1 -artifact_prefix="$build/artifacts/$t/" "${dict[@]}" "${fork[@]}" ${FUZZ_EXTRA_ARGS:-} \
      "$build/corpus/$t" "$build/seeds/$t" >/dev/null 2>&1)
  rc=$?
  log="$work/fuzz-0.log"
  cp "$log" "$build/artifacts/$t/last-run.log" 2>/dev/null
  if [ ${#fork[@]} -gt 0 ]; then  # fork mode: "#<total execs>: cov: ... exec/s: ..." status lines
    execs=$(grep -oE '^#[0-9]+: cov' "$log" | tail -1 | tr -dc '0-9')
    eps=$(grep -oE 'exec/s:? [0-9]+' "$log" | tail -1 | awk '{print $2+0}')
  else
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{s+=$2} END {print s+0}')
    eps=$(grep -o 'stat::average_exec_per_sec: [0-9]*' "$log" | tail -1 | awk '{print $2+0}')
  fi
  execs=${execs:-0}
  [ "${eps:-0}" -gt 0 ] 2>/dev/null || eps=$((execs / (secs > 0 ? secs : 1)))
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2+0}')
  corp=$(ls "$build/corpus/$t" | wc -l)
  result=ok
  new_artifacts=$(find "$build/artifacts/$t" -newer "$work/.start" -name '*-*' ! -name '*.log' 2>/dev/null | wc -l)
  if [ "$new_artifacts" -gt 0 ] || grep -qE '^==[0-9]+==ERROR|FUZZ_CHECK failed|SUMMARY: (Address|Undefined|Leak)Sanitizer|libFuzzer: (deadly signal|timeout|out-of-memory)' "$log" || [ $rc -ne 0 ]; then
    result=FOUND
    status=1
    echo "run-fuzzers: $t found a problem (rc=$rc); artifacts:" >&2
    ls "$build/artifacts/$t" | grep -v last-run.log >&2
    grep -m1 -A25 -E '^==[0-9]+==ERROR|FUZZ_CHECK failed|runtime error' "$log" >&2
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -Is)" "$t" "$(( $(date +%s) - start ))" "$execs" "$eps" "$cov" \
    "$corp" "$result" >>"$stats"
  echo "run-fuzzers: $t: $execs executions, $eps/s, cov $cov, corpus $corp, $result" >&2
done

# Replays: every reproducer must now pass (the bug it shows is fixed).
fail=0
pass=0
for t in "${targets[@]}"; do
  dir="$here/regressions/$t"
  [ -d "$dir" ] || continue
  for f in "$dir"/*; do
    [ -f "$f" ] || continue
    case "$f" in *.txt|*.md.txt|*README*) continue ;; esac
    if (cd "$build" && timeout 120 "$build/tests/fuzz/$t" -timeout=25 -rss_limit_mb=2048 \
          "$f" >"$build/artifacts/$t/replay.log" 2>&1); then
      pass=$((pass + 1))
    else
      fail=$((fail + 1))
      echo "run-fuzzers: regression FAILS: $t ${f#$src/}" >&2
      grep -m1 -A3 -E '^==[0-9]+==ERROR|FUZZ_CHECK failed|runtime error|ALARM|deadly' "$build/artifacts/$t/replay.log" | sed 's/^/    /' >&2
    fi
  done
done
echo "run-fuzzers: regressions: $pass pass, $fail fail" >&2
[ $fail -eq 0 ] || status=1
exit $status
