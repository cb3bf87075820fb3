#!/usr/bin/env bash
# Renders the built index.html of feeds/ in headless Chromium at phone (390 px) and
# desktop (1280 px) widths, saves the screenshots in build/test-artifacts/, and checks in
# the DOM Chromium builds (after the page's script ran) that every subscribe link is
# there: webcal://, Google Calendar (calendar/r?cid=), Outlook (addfromweb?url=), the
# https .ics URL, rss.xml and atom.xml. Exit 77 (skipped) when Chromium is absent.
# Environment (set by CTest): EVFEED_BIN, EVFEED_SOURCE, EVFEED_ARTIFACTS.
set -uo pipefail

src="${EVFEED_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}"
bin="${EVFEED_BIN:-$src/build/evfeed}"
artifacts="${EVFEED_ARTIFACTS:-$src/build/test-artifacts}"
chromium=/usr/bin/chromium
[ -x "$chromium" ] || chromium="$(command -v chromium || true)"
[ -n "$chromium" ] && [ -x "$chromium" ] || { echo "SKIP: chromium not found (/usr/bin/chromium)"; exit 77; }
[ -x "$bin" ] || { echo "FAIL: evfeed binary not found at $bin"; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/evfeed-chromium.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"
out="$work/out"
"$bin" build --quiet --content "$src/feeds/content" --config "$src/feeds/config.yaml" --out "$out" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log"; echo "FAIL: evfeed build"; exit 1; }
[ -f "$out/index.html" ] || { echo "FAIL: no index.html"; exit 1; }
base=$(sed -n 's/^base_url: *"\{0,1\}\([^"]*\)"\{0,1\}.*/\1/p' "$src/feeds/config.yaml" | head -1)
base="${base%/}/"
host="${base#*://}"; host="${host%%/*}"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "PASS: $*"; }

chrome() {  # chrome ARGS... : one headless run with a throw-away profile
  local profile
  profile="$(mktemp -d "$work/profile.XXXXXX")"
  timeout 90 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --disable-dev-shm-usage --user-data-dir="$profile" "$@" \
    2>>"$work/chromium.log"
}

for width in 390 1280; do
  shot="$artifacts/index-$width.png"
  rm -f "$shot"
  chrome --window-size="$width,2000" --screenshot="$shot" "file://$out/index.html" >/dev/null
  if [ -s "$shot" ] && [ "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; then
    pass "screenshot at $width px: $shot ($(stat -c %s "$shot") bytes)"
  else
    fail "no PNG screenshot at $width px"; tail -20 "$work/chromium.log"
  fi
done

chrome --window-size=390,2000 --virtual-time-budget=2000 --dump-dom "file://$out/index.html" >"$work/dom.html"
cp "$work/dom.html" "$artifacts/index-dom.html"
[ -s "$work/dom.html" ] || { fail "empty DOM dump"; tail -20 "$work/chromium.log"; }

# href values of the DOM, with &amp; decoded.
grep -o 'href="[^"]*"' "$work/dom.html" | sed -e 's/^href="//' -e 's/"$//' -e 's/&amp;/\&/g' >"$work/hrefs"
want_prefix() {  # want_prefix WHAT PREFIX
  grep -qF -- "$2" <(grep -F -- "$2" "$work/hrefs" | cut -c1-${#2}) && pass "$1" || fail "$1: no href starting with $2"
}
want_prefix "webcal link" "webcal://$host/calendar.ics"
want_prefix "Google Calendar subscribe link" "https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2F$host%2Fcalendar.ics"
want_prefix "Outlook subscribe link" "https://outlook.live.com/calendar/0/addfromweb?url=https%3A%2F%2F$host%2Fcalendar.ics"
grep -qE '(rss\.xml)$' "$work/hrefs" && pass "rss.xml link" || fail "no rss.xml link"
grep -qE '(atom\.xml)$' "$work/hrefs" && pass "atom.xml link" || fail "no atom.xml link"
grep -qF "https://$host/calendar.ics" "$work/dom.html" && pass "https .ics URL" || fail "no https://$host/calendar.ics"
for topic in service-mesh cloud-native beijing; do
  grep -qF "webcal://$host/topics/$topic/calendar.ics" "$work/hrefs" || fail "no webcal link for topics/$topic"
done
# The page's script ran: past events were moved into the past list.
past=$(tr -d '\n' <"$work/dom.html" | sed -n 's/.*id="past-list"\(.*\)/\1/p' | sed 's|</ol>.*||' | grep -o '<li' | wc -l)
[ "$past" -gt 0 ] && pass "script moved $past past events into #past-list" || fail "#past-list is empty (script did not run?)"
grep -q '<script' "$work/dom.html" || fail "no script element in the DOM"

echo "$failures failure(s); artifacts in $artifacts"
[ "$failures" -eq 0 ]
