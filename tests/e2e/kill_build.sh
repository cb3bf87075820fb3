#!/usr/bin/env bash
# SIGKILL `evfeed build` at random moments, 100 times, on a generated 1,500-page site whose
# content flips between two versions (so every build rewrites files), and check after each
# kill that the previous feeds are still complete: every manifest file present, every .ics
# ending in END:VCALENDAR, every XML well-formed, every JSON parseable, no temporary files
# outside dotfiles. validate-feeds (all third-party parsers) runs on the output after the
# first, the middle and the last kill. Usage: kill_build.sh EVFEED_BIN SOURCE_DIR
# EVFEED_KILL_ROUNDS overrides the 100 kills (the sanitizer stage runs fewer: each build
# takes several times longer there, and memory errors show in the first few).
set -uo pipefail
bin="$1"; src="$2"
validate="$src/../shared/tools/validate-feeds"
work=$(mktemp -d /tmp/evfeed-kill.XXXXXX)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$src/tests/bench/gen_site.py" "$work/a" 1500 7 || exit 1
cp -r "$work/a" "$work/b"
# Version b: every title changed, so most outputs differ between a and b.
find "$work/b" -name '*.md' -exec sed -i -E 's/^title: "/title: "B /' {} +
out="$work/out"
"$bin" build --content "$work/a" --out "$out" --base-url https://kill.example.org/ --quiet || { echo "initial build failed"; exit 1; }
full_ms=$( { /usr/bin/time -f %e "$bin" build --content "$work/b" --out "$out" --base-url https://kill.example.org/ --quiet; } 2>&1 | tail -1 )
echo "one build takes ${full_ms}s"
limit_ms=$(awk -v s="$full_ms" 'BEGIN { printf "%d", s * 1000 }')
[ "$limit_ms" -lt 50 ] && limit_ms=50

# One python process checks every file the manifest lists (thousands of files: no
# process per file).
check_output() {
  /usr/bin/python3 - "$out" <<'PY'
import gzip, json, os, sys
import xml.dom.minidom
out = sys.argv[1]
bad = []
for rel in open(out.rstrip("/") + ".evfeed-state/manifest", encoding="utf-8").read().splitlines():
    if not rel or rel.startswith("#"):
        continue
    path = os.path.join(out, rel)
    try:
        data = open(path, "rb").read()
        if rel.endswith(".gz"):
            data = gzip.decompress(data)
            rel = rel[:-3]
        if rel.endswith(".ics"):
            assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n"), "truncated calendar"
        elif rel.endswith(".xml"):
            xml.dom.minidom.parseString(data)
        elif rel.endswith(".json"):
            json.loads(data)
        elif rel.endswith(".html"):
            assert data.rstrip().endswith(b"</html>"), "truncated html"
    except Exception as e:
        bad.append(f"{rel}: {e}")
for b in bad[:10]:
    print("BAD", b)
sys.exit(1 if bad else 0)
PY
}

failures=0
rounds="${EVFEED_KILL_ROUNDS:-100}"
for i in $(seq 1 "$rounds"); do
  if [ $((i % 2)) = 0 ]; then content="$work/a"; else content="$work/b"; fi
  "$bin" build --content "$content" --out "$out" --base-url https://kill.example.org/ --quiet 2>/dev/null &
  pid=$!
  sleep "$(awk -v r=$RANDOM -v l="$limit_ms" 'BEGIN { printf "%.3f", (r % l) / 1000 }')"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if ! check_output; then echo "FAIL after kill $i"; failures=$((failures + 1)); fi
  if [ "$i" = 1 ] || [ "$i" = $((rounds / 2)) ] || [ "$i" = "$rounds" ]; then
    if [ -x "$validate" ]; then
      "$validate" -q --no-clients "$out" > "$work/validate.log" 2>&1 || { echo "FAIL validate-feeds after kill $i"; tail -5 "$work/validate.log"; failures=$((failures + 1)); }
      tail -1 "$work/validate.log"
    fi
  fi
done
# A normal build afterwards must clean up every temporary file a kill left behind.
"$bin" build --content "$work/a" --out "$out" --base-url https://kill.example.org/ --quiet || failures=$((failures + 1))
leftover=$(find "$out" -name '.*.tmp.*' | wc -l)
[ "$leftover" = 0 ] || { echo "FAIL $leftover temporary files left"; failures=$((failures + 1)); }
echo "kill_build: $rounds kills, $failures failures"
[ "$failures" = 0 ]
