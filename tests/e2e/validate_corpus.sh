#!/usr/bin/env bash
# Builds ../shared/corpus and feeds/ (with feeds/config.yaml) with the real binary into
# temporary folders and runs ../shared/tools/validate-feeds -q on each output: every
# .ics, RSS and Atom file goes through the third-party parsers. Exit 0 only with 0
# failures; 77 (skipped) when the corpus or validate-feeds is missing.
# Environment (set by CTest): EVFEED_BIN, EVFEED_SOURCE, EVFEED_CORPUS.
set -uo pipefail

src="${EVFEED_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}"
bin="${EVFEED_BIN:-$src/build/evfeed}"
corpus="${EVFEED_CORPUS:-$src/../shared/corpus}"
validate="$src/../shared/tools/validate-feeds"

[ -x "$bin" ] || { echo "FAIL: evfeed binary not found at $bin"; exit 1; }
[ -d "$corpus" ] || { echo "SKIP: corpus not found at $corpus"; exit 77; }
[ -x "$validate" ] || { echo "SKIP: validate-feeds not found at $validate"; exit 77; }

work="$(mktemp -d "${TMPDIR:-/tmp}/evfeed-validate.XXXXXX")"
trap 'rm -rf "$work"' EXIT
status=0

# run_one NAME BUILD-ARGS...: build, then validate; failures go to stdout for ctest.
run_one() {
  local name="$1"; shift
  local out="$work/$name"
  echo "== $name: evfeed build $*"
  "$bin" build --quiet --out "$out" "$@" >"$work/$name.build.log" 2>&1
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "FAIL $name: evfeed build exited $rc"
    cat "$work/$name.build.log"
    status=1
    return
  fi
  local n_ics n_xml
  n_ics=$(find "$out" -name '*.ics' | wc -l)
  n_xml=$(find "$out" -name '*.xml' | wc -l)
  if [ "$n_ics" -eq 0 ] || [ "$n_xml" -eq 0 ]; then
    echo "FAIL $name: no calendars or feeds written ($n_ics .ics, $n_xml .xml)"
    status=1
    return
  fi
  echo "   $n_ics calendars, $n_xml feeds"
  "$validate" -q "$out" >"$work/$name.validate.log" 2>&1
  local vrc=$?
  cat "$work/$name.validate.log"
  local summary failed
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$work/$name.validate.log" | tail -1)
  failed=$(echo "$summary" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
  if [ "$vrc" -ne 0 ] || [ -z "$summary" ] || [ "$failed" != "0" ]; then
    echo "FAIL $name: validate-feeds exit $vrc, '${summary:-no summary line}'"
    status=1
  else
    echo "PASS $name: $summary"
  fi
}

run_one corpus --content "$corpus" --base-url https://corpus.example.org/
run_one feeds --content "$src/feeds/content" --config "$src/feeds/config.yaml"
run_one series --content "$src/tests/fixtures/series" --base-url https://series.example/

exit $status
