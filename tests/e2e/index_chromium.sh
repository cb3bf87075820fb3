#!/usr/bin/env bash
# Renders the built index.html of feeds/ in headless Chromium at phone (390 px) and
# desktop (1280 px) widths, saves the screenshots in build/test-artifacts/ (also zh/ and en/
# pages, light and dark), checks the localized words, the visitor's-zone line (TZ=Los Angeles
# vs Shanghai), the QR codes (zbarimg), the add-to-calendar links (index_links.py) and
# axe-core's WCAG 2.1 AA verdict, and checks in
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

# --- The page in its languages, the visitor's zone, QR codes, add-to-calendar links, axe-core.
for lang in zh en; do
  [ -f "$out/$lang/index.html" ] || fail "no $lang/index.html"
done
grep -q '<html lang="zh">' "$out/zh/index.html" && grep -qF '订阅' "$out/zh/index.html" &&
  grep -qF '即将举行的活动' "$out/zh/index.html" && grep -qF '年' "$out/zh/index.html" &&
  pass "zh/index.html speaks Chinese (订阅, 即将举行的活动, dates as 2026年12月12日 周六)" || fail "zh/index.html is not in Chinese"
grep -q '<html lang="en">' "$out/en/index.html" && grep -qF '>Subscribe<' "$out/en/index.html" &&
  grep -qF 'Upcoming events' "$out/en/index.html" && pass "en/index.html speaks English" || fail "en/index.html is not in English"
grep -qF 'hreflang="en"' "$out/zh/index.html" && grep -qF 'hreflang="zh"' "$out/en/index.html" &&
  pass "hreflang alternates and the language switcher" || fail "no hreflang alternates"
for lang in zh en; do
  for width in 390 1280; do
    for scheme in light dark; do
      shot="$artifacts/index-$lang-$width-$scheme.png"
      rm -f "$shot"
      flags=()
      [ "$scheme" = dark ] && flags=(--force-dark-mode --blink-settings=preferredColorScheme=0)
      chrome "${flags[@]}" --window-size="$width,2400" --screenshot="$shot" "file://$out/$lang/index.html" >/dev/null
      [ -s "$shot" ] || fail "no screenshot $shot"
    done
  done
done
pass "screenshots: $(ls "$artifacts"/index-*-*-*.png 2>/dev/null | wc -l) of zh/en at 390/1280 px, light/dark"

# The visitor's zone: a line for a visitor in Los Angeles, none for one in Shanghai (every
# event of feeds/ is in Asia/Shanghai).
TZ=America/Los_Angeles chrome --window-size=1280,2000 --virtual-time-budget=2000 --dump-dom "file://$out/en/index.html" >"$work/la.html"
TZ=Asia/Shanghai chrome --window-size=1280,2000 --virtual-time-budget=2000 --dump-dom "file://$out/en/index.html" >"$work/sh.html"
la=$(grep -o 'class="local"' "$work/la.html" | wc -l); sh=$(grep -o 'class="local"' "$work/sh.html" | wc -l)
[ "$la" -gt 0 ] && grep -q 'Your time: .*America/Los_Angeles' "$work/la.html" &&
  pass "visitor in Los Angeles: $la times also in America/Los_Angeles" || fail "no visitor-zone line for America/Los_Angeles"
[ "$sh" -eq 0 ] && pass "visitor in Shanghai: no extra line" || fail "$sh visitor-zone lines for a visitor in the events' own zone"

# QR codes: decoded from the screenshot, they give the calendars' webcal URLs.
if command -v zbarimg >/dev/null; then
  zbarimg -q --raw "$artifacts/index-en-1280-light.png" >"$work/qr.txt" 2>/dev/null
  grep -qxF "webcal://$host/en/calendar.ics" "$work/qr.txt" && grep -qxF "webcal://$host/calendar.ics" "$work/qr.txt" &&
    pass "QR codes decode to the webcal URLs ($(wc -l <"$work/qr.txt") codes)" ||
    { cat "$work/qr.txt"; fail "QR codes do not decode to webcal://$host/en/calendar.ics"; }
else
  fail "zbarimg missing (Debian zbar-tools; deploy/install-deps.sh --with-test-tools installs it)"
fi

# Add-to-calendar links: decoded and compared with feed.json.
/usr/bin/python3 "$src/tests/e2e/index_links.py" "$out" && pass "add-to-calendar links" || fail "add-to-calendar links"
# ... and on the series fixture: changed occurrences, sessions, all-day series.
"$bin" build --quiet --content "$src/tests/fixtures/series" --base-url https://series.example/ --out "$work/series" \
  >"$work/series.log" 2>&1 || { cat "$work/series.log"; fail "evfeed build of tests/fixtures/series"; }
/usr/bin/python3 "$src/tests/e2e/index_links.py" "$work/series" && pass "add-to-calendar links of series and sessions" ||
  fail "add-to-calendar links of series and sessions"

# axe-core (npm) in Chromium over each page, 390 and 1280 px, light and dark: WCAG 2.1 AA.
axe_dir="${XDG_CACHE_HOME:-$HOME/.cache}/evfeed-axe"
if [ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ] && command -v npm >/dev/null; then
  mkdir -p "$axe_dir" && (cd "$axe_dir" && npm install --no-audit --no-fund --loglevel=error axe-core@4.10.2 >/dev/null 2>&1)
fi
if [ -f "$axe_dir/node_modules/axe-core/axe.min.js" ]; then
  for lang in zh en; do
    page="$out/$lang/axe.html"
    sed 's|</body>|<script src="axe.min.js"></script><script>axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}).then(function(r){ var p = document.createElement("pre"); p.id = "axe-result"; p.textContent = JSON.stringify(r.violations.map(function(v){ return {id: v.id, impact: v.impact, nodes: v.nodes.map(function(n){ return n.target.join(" "); })}; })); document.body.appendChild(p); });</script></body>|' \
      "$out/$lang/index.html" >"$page"
    cp "$axe_dir/node_modules/axe-core/axe.min.js" "$out/$lang/axe.min.js"
    for width in 390 1280; do
      for scheme in light dark; do
        flags=()
        [ "$scheme" = dark ] && flags=(--force-dark-mode --blink-settings=preferredColorScheme=0)
        chrome "${flags[@]}" --window-size="$width,2000" --virtual-time-budget=10000 --dump-dom "file://$page" >"$work/axe.html"
        result=$(sed -n 's|.*<pre id="axe-result">\(.*\)</pre>.*|\1|p' "$work/axe.html" | sed 's/&quot;/"/g; s/&amp;/\&/g; s/&gt;/>/g; s/&lt;/</g')
        if [ "$result" = "[]" ]; then
          pass "axe-core: $lang at $width px, $scheme: 0 violations"
        else
          fail "axe-core: $lang at $width px, $scheme: ${result:-no result (axe did not run)}"
        fi
      done
    done
    rm -f "$page" "$out/$lang/axe.min.js"
  done
else
  fail "axe-core not installed in $axe_dir (npm install axe-core)"
fi

echo "$failures failure(s); artifacts in $artifacts"
[ "$failures" -eq 0 ]
