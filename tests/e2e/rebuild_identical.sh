#!/usr/bin/env bash
# Rebuilds with the real binary must not rewrite anything, and an edit must rewrite only
# what carries the edited event:
#  1. build feeds/ (copied to a temp folder) twice into one output: no file is newer than
#     a marker touched between the builds, inodes/mtimes/bytes are unchanged;
#  2. a build into a fresh folder gives the same bytes;
#  3. edit one page's date: exactly the outputs that carry that event change (its own
#     .ics, the calendars and feeds it is in, index.html), its SEQUENCE becomes 1, every
#     other event keeps SEQUENCE:0 and every other file keeps its inode and mtime;
#  4. one more build without edits: nothing rewritten, SEQUENCE stays 1.
# Environment (set by CTest): EVFEED_BIN, EVFEED_SOURCE.
set -uo pipefail

src="${EVFEED_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}"
bin="${EVFEED_BIN:-$src/build/evfeed}"
[ -x "$bin" ] || { echo "FAIL: evfeed binary not found at $bin"; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/evfeed-rebuild.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp -r "$src/feeds/content" "$work/content"
cp "$src/feeds/config.yaml" "$work/config.yaml"
out="$work/out"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "PASS: $*"; }

build() {  # build OUT_DIR
  "$bin" build --quiet --content "$work/content" --config "$work/config.yaml" --out "$1" >"$work/build.log" 2>&1 \
    || { cat "$work/build.log"; fail "evfeed build into $1 exited non-zero"; }
}

# One line per file: path, inode, mtime (ns), sha256.
snapshot() {  # snapshot DIR > file
  (cd "$1" && find . -type f -printf '%P %i %T@ ' -exec sh -c 'sha256sum < "$1" | cut -c1-64' _ {} \; | sort)
}

# --- 1. the same input twice ------------------------------------------------------------
build "$out"
snapshot "$out" >"$work/snap1"
n_files=$(wc -l <"$work/snap1")
# The build state (parse cache with drafts, sequences, manifest, lock) stays out of the output.
hidden=$(find "$out" -name '.*')
[ -z "$hidden" ] && pass "no dotfile in the output" || fail "dotfiles in the output: $hidden"
[ "$n_files" -gt 20 ] || fail "first build wrote only $n_files files"
touch "$work/marker"
build "$out"
newer=$(find "$out" -type f -newer "$work/marker")
if [ -n "$newer" ]; then fail "second build rewrote files:"; echo "$newer"; else pass "second build rewrote none of $n_files files"; fi
snapshot "$out" >"$work/snap2"
if diff "$work/snap1" "$work/snap2" >"$work/diff12"; then
  pass "inodes, mtimes and bytes unchanged"
else
  fail "files changed between identical builds:"; cat "$work/diff12"
fi

# --- 2. a fresh folder gives the same bytes ----------------------------------------------
build "$work/out-fresh"
if diff -r "$out" "$work/out-fresh" >"$work/diff-fresh"; then
  pass "a fresh build is byte-identical"
else
  fail "a fresh build differs:"; head -50 "$work/diff-fresh"
fi

# --- 3. edit one page's date ---------------------------------------------------------------
page="$work/content/en/event/cloud-native-meetup-shanghai-operators.md"
slug="cloud-native-meetup-shanghai-operators"
grep -q '^date = 2026-09-19T14:00:00' "$page" || { fail "expected date line not found in $page"; exit 1; }
sed -i 's/^date = 2026-09-19T14:00:00/date = 2026-09-19T15:30:00/' "$page"
build "$out"
snapshot "$out" >"$work/snap3"
# Files whose bytes changed (sha differs), and files whose inode/mtime changed.
join -j1 <(awk '{print $1, $4}' "$work/snap2") <(awk '{print $1, $4}' "$work/snap3") | awk '$2 != $3 {print $1}' >"$work/changed"
join -j1 <(awk '{print $1, $2, $3}' "$work/snap2") <(awk '{print $1, $2, $3}' "$work/snap3") \
  | awk '$2 != $4 || $3 != $5 {print $1}' >"$work/touched"
[ "$(wc -l <"$work/snap2")" -eq "$(wc -l <"$work/snap3")" ] || fail "the set of files changed after a date edit"
if diff "$work/changed" "$work/touched" >/dev/null; then
  pass "only changed files were rewritten ($(wc -l <"$work/changed") files)"
else
  fail "rewritten files differ from changed files:"; diff "$work/changed" "$work/touched"
fi
# Every changed output carries the event; every output carrying it changed.
while read -r rel; do
  case "$rel" in
    *.gz) grep -qx "${rel%.gz}" "$work/changed" || fail "$rel changed but ${rel%.gz} did not" ;;
    *) grep -q "$slug" "$out/$rel" || fail "$rel changed but does not carry the edited event" ;;
  esac
done <"$work/changed"
(cd "$out" && grep -rl --exclude='*.gz' "$slug" .) | sed 's|^\./||' | sort >"$work/carrying"
while read -r rel; do
  grep -qx "$rel" "$work/changed" || fail "$rel carries the edited event but did not change"
done <"$work/carrying"
for rel in "events/$slug.ics" calendar.ics calendar-alarms.ics en/calendar.ics topics/cloud-native/calendar.ics rss.xml \
           atom.xml feed.json index.html; do
  grep -qx "$rel" "$work/changed" || fail "$rel should have changed"
done
for rel in events/service-mesh-meetup-08.ics zh/calendar.ics topics/service-mesh/calendar.ics; do
  grep -qx "$rel" "$work/changed" && fail "$rel should not have changed"
done
grep -q $'^SEQUENCE:1\r$' "$out/events/$slug.ics" && pass "SEQUENCE:1 in events/$slug.ics" \
  || fail "no SEQUENCE:1 in events/$slug.ics"
grep -q $'^DTSTART;TZID=Asia/Shanghai:20260919T153000\r$' "$out/events/$slug.ics" || fail "new DTSTART not in events/$slug.ics"
n_seq1=$(grep -c $'^SEQUENCE:1\r$' "$out/calendar.ics")
[ "$n_seq1" -eq 1 ] && pass "exactly one SEQUENCE:1 in calendar.ics" || fail "$n_seq1 SEQUENCE:1 lines in calendar.ics"
for f in "$out"/events/*.ics; do
  case "$f" in */"$slug".ics) continue ;; esac
  grep -q $'^SEQUENCE:0\r$' "$f" || fail "$(basename "$f") lost SEQUENCE:0"
done
grep -q "^event/$slug	1	" "$out.evfeed-state/sequences" || fail "the state does not record sequence 1 for event/$slug"

# --- 4. nothing changes on the next build ------------------------------------------------
touch "$work/marker2"
build "$out"
newer=$(find "$out" -type f -newer "$work/marker2")
[ -z "$newer" ] && pass "rebuild after the edit rewrote nothing" || { fail "rebuild after the edit rewrote:"; echo "$newer"; }
grep -q $'^SEQUENCE:1\r$' "$out/events/$slug.ics" || fail "SEQUENCE went back from 1"

# --- 5. removing a page removes exactly its outputs, never a file evfeed did not write ----
echo "mine" >"$out/events/not-evfeeds.txt"
(cd "$out" && find . -type f | sort) >"$work/files-before"
rm "$work/content/zh/event/cloud-native-meetup-hangzhou-2025.md"
build "$out"
(cd "$out" && find . -type f | sort) >"$work/files-after"
removed=$(comm -23 "$work/files-before" "$work/files-after" | tr '\n' ' ')
added=$(comm -13 "$work/files-before" "$work/files-after" | tr '\n' ' ')
expected="./events/cloud-native-meetup-hangzhou-2025.ics "
[ "$removed" = "$expected" ] && [ -z "$added" ] && pass "removing a page removed exactly its outputs" \
  || fail "removing a page removed [$removed] added [$added]"
[ -f "$out/events/not-evfeeds.txt" ] && pass "a file evfeed did not write survives" || fail "a foreign file was removed"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
