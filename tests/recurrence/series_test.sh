#!/usr/bin/env bash
# e2e.recurrence: builds tests/fixtures/series with the real binary, then
#  1. every calendar it wrote (calendar.ics, calendar-alarms.ics, events/*.ics) is expanded by
#     four clients (libical, ical.js, node-ical, recurring-ical-events: compare.py) that must
#     list the same occurrences; all four must run unless REQUIRE_ALL_EXPANDERS=0;
#  2. evfeed's own expansion (`check --occurrences`, used for the page, the feeds and ?from=&to=)
#     must list exactly what recurring-ical-events lists for calendar.ics;
#  3. pages the rules forbid (tests/fixtures/series-bad, each names its error in "# expect:")
#     are reported as errors at their file:line:col.
# Usage: series_test.sh EVFEED_BIN EXPAND_LIBICAL_BIN
set -uo pipefail
bin="$1"; libical="$2"
here="$(cd "$(dirname "$0")" && pwd)"; src="$(cd "$here/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/evfeed-series.XXXXXX")"
trap 'rm -rf "$work"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }

"$bin" build --quiet --content "$src/tests/fixtures/series" --base-url https://series.example/ \
  --out "$work/out" >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "evfeed build"; exit 1; }
grep -q warning "$work/build.log" && { cat "$work/build.log"; fail "the series fixture builds with warnings"; }

from=2000-01-01T00:00:00Z
to=$(/usr/bin/python3 -c "import sys; sys.path.insert(0, '$here'); import compare; print(compare.default_to(open('$work/out/calendar.ics').read()))")
for ics in "$work/out/calendar.ics" "$work/out/calendar-alarms.ics" "$work/out"/events/*.ics; do
  out=$(/usr/bin/python3 "$here/compare.py" "$ics" --libical "$libical" --from "$from" --to "$to" 2>&1)
  rc=$?
  name=${ics#"$work/out/"}
  if [ $rc -ne 0 ]; then echo "$out"; fail "$name: the clients disagree (compare.py exit $rc)"; continue; fi
  ran=$(echo "$out" | grep '^ran:')
  echo "ok $name: $ran"
  if [ "${REQUIRE_ALL_EXPANDERS:-1}" = 1 ]; then
    for x in libical icaljs nodeical python; do
      echo "$ran" | grep -q "$x (" || fail "$name: expander $x did not run ($(echo "$out" | grep SKIP))"
    done
  fi
done

# The model's expansion against recurring-ical-events (UIDs compared without the host: check
# has no base URL here).
"$bin" check --content "$src/tests/fixtures/series" --occurrences "$from/$to" | grep $'\t' |
  sed 's/@[^\t]*\t/\t/' | sort >"$work/model.txt"
/usr/bin/python3 "$here/expand.py" "$work/out/calendar.ics" "$from" "$to" | sed 's/@[^\t]*\t/\t/' | sort >"$work/python.txt"
if ! diff -u "$work/python.txt" "$work/model.txt" >"$work/model.diff"; then
  cat "$work/model.diff"; fail "evfeed's own occurrences differ from recurring-ical-events'"
else
  echo "ok model: $(wc -l <"$work/model.txt") occurrences as recurring-ical-events lists them"
fi
[ "$(wc -l <"$work/model.txt")" -gt 100 ] || fail "too few occurrences listed: $(wc -l <"$work/model.txt")"

# Pages that break a rule: each must be reported as an error at its file:line:col with the
# expected words, and the good pages beside them still build.
bad="$src/tests/fixtures/series-bad"
"$bin" check --content "$bad" >"$work/bad.txt" 2>&1
for page in "$bad"/event/*.md; do
  expect=$(sed -n 's/^# expect: //p' "$page")
  name=$(basename "$page")
  if line=$(grep -E "/$name:[0-9]+:[0-9]+: error: .*$expect" "$work/bad.txt"); then
    echo "ok series-bad/$name: ${line#"$bad/"}"
  else
    grep "$name" "$work/bad.txt"; fail "series-bad/$name: no error matching '$expect'"
  fi
done
[ $status -eq 0 ] && echo "PASS" || echo "FAILED"
exit $status
