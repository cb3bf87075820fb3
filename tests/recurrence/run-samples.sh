#!/usr/bin/env bash
# run-samples.sh: self-test of the recurrence harness.  Builds expand_libical
# into a temporary folder (skipped when gcc or libical-dev is missing), then
# runs compare.py on every sample:
#   samples/*.ics           all expanders must agree      (compare exit 0)
#   samples/disagree/*.ics  known client disagreements    (compare exit 1),
#                           checked only when all four expanders ran
# Ends with "N passed, N failed"; exit 1 when anything failed.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

lib=()
if command -v gcc >/dev/null && pkg-config --exists libical 2>/dev/null &&
   nice gcc -O1 "$here/expand_libical.c" $(pkg-config --cflags --libs libical) -o "$tmp/expand_libical"; then
  lib=(--libical "$tmp/expand_libical")
else
  echo "note: expand_libical not built (needs gcc and libical-dev); libical is skipped"
fi

passed=0 failed=0
for f in "$here"/samples/*.ics "$here"/samples/disagree/*.ics; do
  want=0
  [[ $f == */disagree/* ]] && want=1
  out="$(/usr/bin/python3 "$here/compare.py" "$f" "${lib[@]}" 2>&1)"
  rc=$?
  name="${f#"$here"/}"
  if [[ $want == 1 && $rc == 0 && $out == *"SKIP "* ]]; then
    echo "SKIP $name: not all expanders ran, so the known disagreement cannot show"
  elif [[ $rc == "$want" ]]; then
    passed=$((passed + 1))
    echo "PASS $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name: compare.py exited $rc, expected $want"
    sed 's/^/    /' <<<"$out"
  fi
done
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
