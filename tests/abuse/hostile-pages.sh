#!/usr/bin/env bash
# Hostile pages: every known trap in its own content folder beside one normal page, run
# through `evfeed check` and `evfeed build` (and `serve` for the live cases).
#
#   tests/abuse/hostile-pages.sh build/evfeed [CASE...]
#
# For each trap it asserts: no crash (exit status not 134/139/>128, no timeout, no
# sanitizer report), exit status 1 (0 or 1 for invalid UTF-8 and 1 MB lines, where a
# warning is the documented answer), a diagnostic naming the file (with line:column where
# that means something), the normal page still published exactly once, and outputs that
# are valid UTF-8. The serve cases: a content folder that vanishes (last snapshot kept,
# /healthz answers and names it) and pages that turn hostile while it runs (it survives). Prints PASS/FAIL/SKIP per check and a summary; exit status 1 if any
# check failed. Run it with an ASan build (build-asan/evfeed, deploy/run-sanitizers.sh) to see memory errors too.
# Needs python3 and curl. Scratch files live under ${TMPDIR:-/tmp} (the 100 MB page too).
set -uo pipefail
BIN="${1:?usage: hostile-pages.sh path/to/evfeed [case...]}"
shift
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
[ -x "$BIN" ] || { echo "hostile-pages: $BIN is not executable" >&2; exit 2; }
ONLY=("$@")
PY="${PYTHON:-python3}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/evfeed-hostile.XXXXXX")"
chmod 755 "$WORK"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  chmod -R u+rwX "$WORK" 2>/dev/null
  [ -n "${KEEP:-}" ] && { echo "hostile-pages: kept $WORK" >&2; return; }
  rm -rf "$WORK"
}
trap cleanup EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"

pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); printf '  PASS %s\n' "$*"; }
bad() { fail=$((fail + 1)); printf '  FAIL %s\n' "$*"; }
skp() { skip=$((skip + 1)); printf '  SKIP %s\n' "$*"; }
wanted() {
  [ ${#ONLY[@]} -eq 0 ] && return 0
  local c
  for c in "${ONLY[@]}"; do [ "$c" = "$1" ] && return 0; done
  return 1
}

GOOD_TITLE="Good Event evfeed-abuse"
new_case() {  # new_case NAME: a content folder holding the normal page
  CASE="$1"
  DIR="$WORK/$CASE"
  mkdir -p "$DIR/content/event"
  chmod -R 755 "$DIR"
  printf -- '---\ntitle: "%s"\ndate: 2024-05-01T10:00:00+08:00\nlocation: Shanghai\n---\nA normal page.\n' \
    "$GOOD_TITLE" >"$DIR/content/event/good.md"
  echo "== $CASE"
}

# run_cli MODE: runs check or build on $DIR/content as ${AS_USER:-} and sets RC, OUT (stdout+stderr), MAXRSS.
run_cli() {
  local mode="$1" prefix=()
  [ -n "${AS_USER:-}" ] && prefix=(setpriv --reuid="$AS_USER" --regid="$AS_USER" --clear-groups)
  local args=(check --content "$DIR/content")
  [ "$mode" = build ] && args=(build --content "$DIR/content" --out "$DIR/out" --base-url https://hostile.example.org/ --quiet)
  /usr/bin/time -f '%M' -o "$DIR/$mode.rss" timeout "${TIME_LIMIT:-300}" "${prefix[@]}" "$BIN" "${args[@]}" >"$DIR/$mode.log" 2>&1
  RC=$?
  OUT="$(cat "$DIR/$mode.log")"
  MAXRSS=$(tail -1 "$DIR/$mode.rss" 2>/dev/null | tr -dc 0-9)
}

# expect NAME_REGEX RC_WANTED: checks the run that just happened.
expect() {
  local diag="$1" want="$2" mode="$3"
  if [ "$RC" -eq 124 ]; then bad "$CASE/$mode: timed out after ${TIME_LIMIT:-300} s"
  elif [ "$RC" -ge 128 ] || [ "$RC" -eq 134 ]; then bad "$CASE/$mode: crashed (exit $RC)"
  elif grep -qE 'ERROR: (Address|Leak|Thread)Sanitizer|runtime error:|terminate called' "$DIR/$mode.log"; then
    bad "$CASE/$mode: sanitizer report or uncaught exception: $(grep -m1 -E 'ERROR: |runtime error:|terminate called' "$DIR/$mode.log" | cut -c1-160)"
  elif ! [[ "$RC" =~ ^($want)$ ]]; then bad "$CASE/$mode: exit status $RC, want $want"
  else ok "$CASE/$mode: exit status $RC (peak RSS ${MAXRSS:-?} KB)"
  fi
  if grep -qE -- "$diag" "$DIR/$mode.log"; then
    ok "$CASE/$mode: diagnostic: $(grep -m1 -E -- "$diag" "$DIR/$mode.log" | sed "s|$WORK/||" | cut -c1-170)"
  else
    bad "$CASE/$mode: no diagnostic matching /$diag/; got: $(grep -m2 -E 'error|warning' "$DIR/$mode.log" | sed "s|$WORK/||" | cut -c1-170 | tr '\n' '|')"
  fi
}

# The normal page is published exactly once and every output is valid UTF-8.
check_outputs() {
  local cal="$DIR/out/calendar.ics"
  if [ ! -f "$cal" ]; then bad "$CASE/build: no calendar.ics"; return; fi
  local n
  n=$(grep -c "^SUMMARY:$GOOD_TITLE" "$cal")
  if [ "$n" -eq 1 ]; then ok "$CASE/build: normal page published once"
  else bad "$CASE/build: normal page published $n times in calendar.ics"; fi
  local badfiles
  badfiles=$("$PY" - "$DIR/out" <<'PY'
import os, sys
bad = []
for d, _, files in os.walk(sys.argv[1]):
    for f in files:
        if f.endswith(".gz") or f.startswith("."):
            continue
        data = open(os.path.join(d, f), "rb").read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            bad.append(f"{f}: invalid UTF-8 at {e.start}")
            continue
        if any(ord(c) < 32 and c not in "\t\r\n" for c in text):
            bad.append(f"{f}: control character")
print("; ".join(bad))
PY
)
  if [ -z "$badfiles" ]; then ok "$CASE/build: outputs are valid UTF-8"; else bad "$CASE/build: $badfiles"; fi
}

# A whole trap: check, then build, then the outputs.
trap_case() {  # trap_case DIAG_REGEX RC_REGEX
  run_cli check
  expect "$1" "$2" check
  run_cli build
  expect "$1" "$2" build
  check_outputs
}

fm() { printf -- '---\ntitle: "%s"\ndate: 2024-06-01T10:00:00+08:00\n' "$1"; }

# ---------------------------------------------------------------------------------------
if wanted alias-bomb; then
  new_case alias-bomb
  {
    fm "Billion laughs"
    echo 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
    prev=a
    for n in b c d e f g h i; do
      printf '%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' $n $n $prev $prev $prev $prev $prev $prev $prev $prev $prev
      prev=$n
    done
    echo "tags: *i"
    echo '---'
  } >"$DIR/content/event/alias-bomb.md"
  trap_case 'alias-bomb\.md:[0-9]+:[0-9]+: error: .*(alias|expands|values)' 1
fi

if wanted deep-brackets; then
  new_case deep-brackets
  { fm "Deep brackets"; printf 'x: '; head -c 10000 /dev/zero | tr '\0' '['; head -c 10000 /dev/zero | tr '\0' ']'; printf '\n---\n'; } \
    >"$DIR/content/event/deep-brackets.md"
  trap_case 'deep-brackets\.md:[0-9]+:[0-9]+: error: .*(nest|deep)' 1
fi

if wanted deep-braces; then
  new_case deep-braces
  "$PY" -c 'import sys; sys.stdout.write("---\ntitle: Deep braces\ndate: 2024-06-01\nx: " + "{a: "*10000 + "1" + "}"*10000 + "\n---\n")' \
    >"$DIR/content/event/deep-braces.md"
  trap_case 'deep-braces\.md:[0-9]+:[0-9]+: error: .*(nest|deep)' 1
fi

if wanted deep-json; then
  new_case deep-json
  "$PY" -c 'import sys; sys.stdout.write("{\"title\": \"Deep JSON\", \"date\": \"2024-06-01\", \"x\": " + "{\"a\": ["*5000 + "1" + "]}"*5000 + "}\nbody\n")' \
    >"$DIR/content/event/deep-json.md"
  trap_case 'deep-json\.md:[0-9]+:[0-9]+: error: .*(nest|deep)' 1
fi

if wanted deep-dashes; then
  # Block sequences nest without brackets or indentation: "- - - - a".
  new_case deep-dashes
  "$PY" -c 'import sys; sys.stdout.write("---\ntitle: Deep dashes\ndate: 2024-06-01\nx:\n  " + "- "*10000 + "a\n---\n")' \
    >"$DIR/content/event/deep-dashes.md"
  trap_case 'deep-dashes\.md:[0-9]+:[0-9]+: error: .*(nest|deep)' 1
fi

if wanted deep-toml; then
  new_case deep-toml
  "$PY" -c 'import sys; sys.stdout.write("+++\ntitle = \"Deep TOML\"\ndate = 2024-06-01\nx = " + "["*10000 + "]"*10000 + "\n" + ".".join(["k"]*10000) + " = 1\n+++\n")' \
    >"$DIR/content/event/deep-toml.md"
  trap_case 'deep-toml\.md:[0-9]+:[0-9]+: error: .*(nest|deep)' 1
fi

if wanted huge-page; then
  new_case huge-page
  { fm "Huge page"; echo '---'; yes 'Filler line of a page that is far too big for anyone to mean it.' | head -c 104857600; } \
    >"$DIR/content/event/huge.md"
  trap_case 'huge\.md(:[0-9]+:[0-9]+)?: error: .*(MiB|limit|too (big|large))' 1
  rm -f "$DIR/content/event/huge.md"
fi

if wanted invalid-utf8; then
  # README: invalid UTF-8 is an error, or U+FFFD with a warning; never passed to outputs.
  new_case invalid-utf8
  { printf -- '---\ntitle: "Bad \xc3\x28 bytes \xff\xfe overlong \xc0\xaf surrogate \xed\xa0\x80"\n'
    printf 'date: 2024-06-01T10:00:00+08:00\nlocation: "Caf\xe9"\n---\nBody \x80\x81 text\n'; } >"$DIR/content/event/invalid-utf8.md"
  trap_case 'invalid-utf8\.md:[1-9][0-9]*:[0-9]+: (warning|error): .*UTF-8' '0|1'
  if grep -q $'\xef\xbf\xbd' "$DIR/out/calendar.ics" 2>/dev/null; then ok "$CASE/build: U+FFFD in the calendar"
  else bad "$CASE/build: no U+FFFD in the calendar (was the page dropped?)"; fi
fi

if wanted nul-bytes; then
  new_case nul-bytes
  { fm "NUL"; printf 'location: "a\0b"\n---\nbody\0\n'; } >"$DIR/content/event/nul.md"
  trap_case 'nul\.md:[0-9]+(:[0-9]+)?: error: .*NUL' 1
fi

if wanted long-lines; then
  # 1 MB lines in every field a regex or a parser reads.
  new_case long-lines
  "$PY" - "$DIR/content/event" <<'PY'
import sys
d = sys.argv[1]
M = 1 << 20
pages = {
    "long-title.md": '---\ntitle: "' + "T" * M + '"\ndate: 2024-06-01T10:00:00+08:00\n---\n',
    "long-date.md": '---\ntitle: t\ndate: "' + "A" * M + '"\n---\n',
    "long-timezone.md": '---\ntitle: t\ndate: 2024-06-01T10:00:00\ntimezone: "UTC+' + " " * M + '1"\n---\n',
    "long-duration.md": '---\ntitle: t\ndate: 2024-06-01T10:00:00\nduration: "1' + " " * M + 'h"\n---\n',
    "long-time.md": '---\ntitle: t\nevent:\n  date: "November 10, 2014"\n  time: "6' + " " * M + 'PM"\n---\n',
    "long-comment.md": '---\ntitle: t\ndate: 2024-06-01T10:00:00 # UTC' + " " * M + '+8\n---\n',
    "long-body.md": '---\ntitle: t\ndate: 2024-06-01T10:00:00+08:00\n---\nTime: ' + "1" * M + '\n',
    "long-key.md": '---\ntitle: t\ndate: 2024-06-01T10:00:00+08:00\n' + "k" * M + ': 1\n---\n',
}
for name, text in pages.items():
    open(f"{d}/{name}", "w").write(text)
PY
  # One folder per page, so one crash does not hide the others.
  for p in "$DIR"/content/event/long-*.md; do
    name=$(basename "$p" .md)
    mkdir -p "$WORK/$name/content/event"
    cp "$DIR/content/event/good.md" "$p" "$WORK/$name/content/event/"
  done
  rm -rf "$DIR"
  for p in "$WORK"/long-*; do
    CASE=$(basename "$p")
    DIR="$p"
    echo "== $CASE"
    # A warning is enough here (exit 0): the page may still be an event, but a 1 MB line
    # must be named, never taken silently, never a crash.
    trap_case "$CASE\\.md:[0-9]+:[0-9]+: (error|warning): " '0|1'
  done
fi

if wanted wide-map; then
  # Wide maps and long sequences: rejected by the front-matter caps before any parser
  # runs (yaml-cpp alone needs ~1 s for 200,000 keys), within a few seconds even under ASan.
  for shape in keys40k keys200k flow-list; do
    new_case "wide-$shape"
    "$PY" - "$shape" >"$DIR/content/event/wide.md" <<'PY'
import sys
shape = sys.argv[1]
out = ["---", "title: Wide", "date: 2024-06-01T10:00:00+08:00"]
if shape == "flow-list":
    out.append("tags: [" + ",".join("t%d" % i for i in range(200000)) + "]")
else:
    n = 40000 if shape == "keys40k" else 200000
    out += ["k%d: %d" % (i, i) for i in range(n)]
out += ["---", "body", ""]
sys.stdout.write("\n".join(out))
PY
    TIME_LIMIT=20
    trap_case 'wide\.md:[0-9]+:[0-9]+: error: front matter (is over|has more than)' 1
    TIME_LIMIT=""
  done
fi

if wanted hostile-name; then
  # A file name with control characters, markup and URL metacharacters: the slug, the
  # per-event .ics name, the UID and the URL are cleaned like any other text.
  new_case hostile-name
  name=$'a\rb\nc\x01 d\x7f<e>&"f?#%.md'
  printf -- '---\ntitle: "Hostile name"\ndate: 2024-06-02T10:00:00+08:00\n---\nbody\n' >"$DIR/content/event/$name"
  run_cli check
  expect '2 events \(2 published' 0 check
  run_cli build
  if [ "$RC" -eq 0 ]; then ok "$CASE/build: exit status 0"; else bad "$CASE/build: exit status $RC: $(head -c 300 "$DIR/build.log")"; fi
  check_outputs
  if [ -f "$DIR/out/calendar.ics" ]; then
    if grep -a '^\(UID\|URL\)' "$DIR/out/calendar.ics" | tr -d '\r' | grep -qE '^URL:https://hostile\.example\.org/event/[A-Za-z0-9%._~/-]+$'; then
      ok "$CASE/build: event URL percent-encoded"
    else bad "$CASE/build: event URL not clean: $(grep -a '^URL:.*event' "$DIR/out/calendar.ics" | cat -v)"; fi
    if find "$DIR/out" -name '*[[:cntrl:]]*' | grep -q .; then bad "$CASE/build: an output file name holds a control character"
    else ok "$CASE/build: no control character in output file names"; fi
  fi
fi

if wanted slow-body; then
  # Lines that make a regex backtrack: 20 lines of 399 characters must not take minutes.
  new_case slow-body
  "$PY" -c 'import sys; l = ("Time:" + " "*100 + "1:00" + " "*290)[:399]; sys.stdout.write("---\ntitle: Slow body\ndate: 2024-06-01T10:00:00+08:00\n---\n" + "\n".join([l]*20) + "\n")' \
    >"$DIR/content/event/slow-body.md"
  TIME_LIMIT=30
  run_cli check
  expect '.' '0|1' check
  TIME_LIMIT=""
fi

if wanted symlink-loop; then
  new_case symlink-loop
  ln -s .. "$DIR/content/event/loop"             # a folder that contains itself
  ln -s self.md "$DIR/content/event/self.md"     # ELOOP
  trap_case 'symlink-loop/content/event/(loop|self\.md).*: (error|warning): .*(loop|symbolic)' 1
fi

if wanted unreadable; then
  new_case unreadable
  printf -- '---\ntitle: Secret\ndate: 2024-06-01\n---\n' >"$DIR/content/event/unreadable.md"
  mkdir -p "$DIR/content/locked" && printf -- '---\ntitle: Locked\ndate: 2024-06-02\n---\n' >"$DIR/content/locked/x.md"
  chmod 000 "$DIR/content/event/unreadable.md" "$DIR/content/locked"
  AS_USER=""
  if [ "$(id -u)" -eq 0 ]; then
    if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
      AS_USER=$(id -u nobody)
      mkdir -p "$DIR/out" "$DIR/out.evfeed-state" && chown "$AS_USER" "$DIR/out" "$DIR/out.evfeed-state"
      echo "  (running as root: evfeed runs as nobody through setpriv, root would read the file anyway)"
    else
      skp "unreadable: running as root without setpriv; root reads chmod 000 files"
      AS_USER=SKIP
    fi
  fi
  if [ "$AS_USER" != SKIP ]; then
    trap_case 'unreadable\.md(:[0-9]+:[0-9]+)?: error: .*(read|permission)' 1
    if grep -qE 'locked.*(error|warning): ' "$DIR/check.log"; then ok "$CASE/check: the unreadable folder is reported"
    else bad "$CASE/check: the unreadable folder content/locked is skipped without a diagnostic"; fi
  fi
  AS_USER=""
fi

# ---------------------------------------------------------------------------------------
# serve: the content folder vanishes, and a hostile page arrives, while it runs.
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http() { curl -s -m 5 -o "$2" -w '%{http_code}' "http://127.0.0.1:$PORT$1"; }
start_server() {
  PORT=$(free_port)
  "$BIN" serve --content "$DIR/content" --listen "127.0.0.1:$PORT" --poll 200 --no-access-log --threads 2 \
    >"$DIR/serve.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    [ "$(http /healthz "$DIR/h.json")" = 200 ] && return 0
    sleep 0.1
  done
  return 1
}
stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
  SERVER_RC=$?
  SERVER_PID=""
}

if wanted serve-vanish; then
  new_case serve-vanish
  printf -- '---\ntitle: Second\ndate: 2024-06-02T10:00:00+08:00\n---\n' >"$DIR/content/event/second.md"
  if ! start_server; then bad "$CASE: serve did not come up: $(tail -3 "$DIR/serve.log")"; else
    http /calendar.ics "$DIR/before.ics" >/dev/null
    before=$(grep -c '^BEGIN:VEVENT' "$DIR/before.ics")
    mv "$DIR/content" "$DIR/content.gone"         # the folder vanishes
    sleep 3
    code=$(http /healthz "$DIR/h.json")
    if [ "$code" = 200 ] && kill -0 "$SERVER_PID" 2>/dev/null; then ok "$CASE: /healthz answers 200 after the folder vanished"
    else bad "$CASE: /healthz answered '$code' after the folder vanished (server alive: $(kill -0 $SERVER_PID 2>/dev/null && echo yes || echo no))"; fi
    if grep -q 'content' "$DIR/h.json" && grep -qE '"page_errors":\[".+' "$DIR/h.json"; then ok "$CASE: /healthz names the missing folder"
    else bad "$CASE: /healthz does not report the missing folder: $(head -c 300 "$DIR/h.json")"; fi
    http /calendar.ics "$DIR/after.ics" >/dev/null
    after=$(grep -c '^BEGIN:VEVENT' "$DIR/after.ics")
    if [ "$after" -eq "$before" ]; then ok "$CASE: the last snapshot is still served ($after events)"
    else bad "$CASE: calendar.ics went from $before to $after events when the folder vanished (last snapshot not kept)"; fi
    mv "$DIR/content.gone" "$DIR/content"         # and comes back
    sleep 3
    http /calendar.ics "$DIR/back.ics" >/dev/null
    back=$(grep -c '^BEGIN:VEVENT' "$DIR/back.ics")
    if [ "$back" -eq "$before" ]; then ok "$CASE: recovers when the folder returns ($back events)"
    else bad "$CASE: $back events after the folder returned, want $before"; fi
    stop_server
    if [ "$SERVER_RC" -eq 0 ]; then ok "$CASE: SIGTERM exit status 0"; else bad "$CASE: exit status $SERVER_RC after SIGTERM"; fi
  fi
fi

# A page turns hostile while serve runs: the server must survive its reload and keep
# serving the normal page. One server per hostile page.
serve_edit_case() {  # serve_edit_case NAME FILE PYTHON-EXPRESSION-FOR-THE-TEXT IS-AN-ERROR(yes|no)
  new_case "$1"
  if ! start_server; then bad "$CASE: serve did not come up"; return; fi
  "$PY" -c "import sys; open(sys.argv[1], 'w').write($3)" "$DIR/content/event/$2"
  sleep 4
  code=$(http /healthz "$DIR/h.json")
  if [ "$code" = 200 ] && kill -0 "$SERVER_PID" 2>/dev/null; then ok "$CASE: server alive after $2 arrived"
  else bad "$CASE: server gone after $2 arrived (healthz '$code'); log: $(grep -m1 -iE 'terminate|what|segment|ERROR' "$DIR/serve.log" | cut -c1-150)"; fi
  if [ "$4" = yes ] && [ "$code" = 200 ]; then  # /healthz lists page errors (not warnings)
    if grep -q "$2" "$DIR/h.json"; then ok "$CASE: /healthz names $2"; else bad "$CASE: /healthz does not name $2"; fi
  fi
  http /calendar.ics "$DIR/cal.ics" >/dev/null
  if grep -q "^SUMMARY:$GOOD_TITLE" "$DIR/cal.ics" 2>/dev/null; then ok "$CASE: normal page still served"
  else bad "$CASE: normal page not served"; fi
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then stop_server; else SERVER_PID=""; fi
}
if wanted serve-edit-long-date; then
  serve_edit_case serve-edit-long-date long-date.md '"---\ntitle: t\ndate: \"" + "A" * (1 << 20) + "\"\n---\n"' yes
fi
if wanted serve-edit-huge-duration; then
  serve_edit_case serve-edit-huge-duration huge-duration.md \
    '"---\ntitle: t\ndate: 2024-01-01T10:00:00Z\nduration: P99999999999999999999D\n---\n"' no
fi

echo
echo "hostile-pages: $pass passed, $fail failed, $skip skipped ($BIN)"
[ "$fail" -eq 0 ]
