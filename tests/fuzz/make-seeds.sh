#!/usr/bin/env bash
# Builds the seed corpora of the fuzz targets into BUILD_DIR/seeds/<target> (default
# build-fuzz) from ../shared/corpus, feeds/ and the hand-written seeds in tests/fuzz/seeds/.
# Seeds are generated, not committed. Usage: tests/fuzz/make-seeds.sh [BUILD_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "$here/../.." && pwd)"
build="${1:-$src/build-fuzz}"
corpus="${EVFEED_CORPUS:-$src/../shared/corpus}"
out="$build/seeds"
rm -rf "$out"
mkdir -p "$out"/{fuzz_page,fuzz_time,fuzz_markdown,fuzz_ics,fuzz_http}

if [ ! -d "$corpus" ]; then
  echo "make-seeds: $corpus is missing; only feeds/ and the hand-written seeds are used" >&2
  corpus=""
fi

python3 - "$src" "$corpus" "$out" "$build" <<'PY'
import hashlib, os, re, subprocess, sys, tempfile

src, corpus, out, build = sys.argv[1:5]

def put(target, data, name=None):
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data:
        return
    name = name or hashlib.sha1(data).hexdigest()
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data)

pages = []
for root in [corpus, os.path.join(src, "feeds", "content")]:
    if not root:
        continue
    for d, _, files in os.walk(root):
        for fn in sorted(files):
            if fn.endswith((".md", ".markdown")) and not fn.startswith(("_index", "README")):
                with open(os.path.join(d, fn), "rb") as f:
                    pages.append((os.path.relpath(os.path.join(d, fn), root), f.read()))
pages.sort()

# fuzz_page and fuzz_ics: every page as it is.
for rel, data in pages:
    put("fuzz_page", data)
    put("fuzz_ics", data)

# fuzz_ics: translations (same file name under en/ and zh/) joined, and some neighbours.
by_name = {}
for rel, data in pages:
    by_name.setdefault(os.path.basename(rel), []).append(data)
for name, group in sorted(by_name.items()):
    if len(group) > 1:
        put("fuzz_ics", b"\n%%%%\n".join(group[:4]))
for i in range(0, len(pages) - 2, 7):
    put("fuzz_ics", b"\n%%%%\n".join(p[1] for p in pages[i:i + 3]))

# fuzz_markdown: the bodies (text after the front matter).
def body_of(data):
    text = data.decode("utf-8", "replace")
    m = re.match(r"\A(?:\ufeff)?(---|\+\+\+)[ \t]*\r?\n.*?^\1[ \t]*\r?$\n?", text, re.S | re.M)
    return text[m.end():] if m else text
for rel, data in pages:
    put("fuzz_markdown", body_of(data))

# fuzz_time: values of the date, time, zone and duration keys, Jekyll (date|time) pairs,
# and body lines that state a time.
key = re.compile(r"^\s*(?:date|datestart|startdate|start_date|eventdate|dateend|enddate|end_date|date_end|"
                 r"publishdate|expirydate|lastmod|duration|timezone|tz|time)\s*[:=]\s*(.+?)\s*$", re.I)
values = set()
for rel, data in pages:
    text = data.decode("utf-8", "replace")
    date = time = None
    for line in text.splitlines():
        m = key.match(line)
        if m:
            values.add(m.group(1))
            k = line.strip().split(":")[0].strip().lower()
            if k == "date" and line.startswith((" ", "\t")):
                date = m.group(1)
            if k == "time" and line.startswith((" ", "\t")):
                time = m.group(1)
        if re.search(r"(时间|日期|[Tt]ime|[Ww]hen)\s*(:|：)", line) and len(line) < 400:
            values.add(line)
    if date:
        values.add(date + "|" + (time or ""))
for v in sorted(values):
    put("fuzz_time", v)

# fuzz_http: real output paths of feeds/ (from an `evfeed build`), with methods,
# queries and validators.
paths = ["/", "/index.html", "/calendar.ics", "/calendar-alarms.ics", "/rss.xml", "/atom.xml", "/feed.json",
         "/healthz", "/metrics", "/nothing-here", "/events/", "/%2e%2e/%2e%2e/etc/passwd", "/../config.yaml"]
evfeed = os.path.join(build, "evfeed")
if os.access(evfeed, os.X_OK):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([evfeed, "build", "--quiet", "--content", os.path.join(src, "feeds", "content"),
                        "--config", os.path.join(src, "feeds", "config.yaml"), "--out", tmp],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for d, _, files in os.walk(tmp):
            for fn in files:
                if not fn.startswith(".") and not fn.endswith(".gz"):
                    paths.append("/" + os.path.relpath(os.path.join(d, fn), tmp))
queries = ["", "?topic=Service%20Mesh", "?tag=cloud+native", "?location=%E5%8C%97%E4%BA%AC", "?from=2019-01-01",
           "?to=2020-12-31T10:00:00%2B08:00", "?from=2019-01-01&to=2019-12-31&topic=Service%20Mesh", "?from=bad",
           "?topic=a%26tag%3Db", "?x=1&&=&topic"]
requests = []
for p in sorted(set(paths)):
    requests.append(("GET", p, "", "", "gzip"))
for p in ["/calendar.ics", "/rss.xml", "/atom.xml", "/feed.json"]:
    for q in queries:
        requests.append(("GET", p + q, "", "", "gzip, deflate"))
for m in ["HEAD", "POST", "OPTIONS", "DELETE", "get", "BREW"]:
    requests.append((m, "/calendar.ics", "", "", ""))
requests += [
    ("GET", "/calendar.ics", "*", "", "gzip;q=0"),
    ("GET", "/rss.xml", 'W/"abc", "def"', "", "x-gzip"),
    ("GET", "/atom.xml", "", "Sun, 24 Nov 2019 05:00:00 GMT", "*"),
    ("GET", "/feed.json", "", "Tue, 31 Dec 2999 23:59:59 GMT", "gzip;q=0.5, br"),
    ("HEAD", "/index.html", "", "Sunday, 06-Nov-94 08:49:37 GMT", "identity"),
    ("GET", "/%00", "", "", ""), ("GET", "*", "", "", ""), ("GET", "http://example.org/calendar.ics", "", "", ""),
    ("GET", "/%zz", "", "", ""), ("GET", "/events/%E4%B8%AD.ics", "", "", ""),
]
for i, (m, t, inm, ims, ae) in enumerate(requests):
    second = requests[(i * 7 + 3) % len(requests)][1]
    put("fuzz_http", "\n".join([m, t, inm, ims, ae, second]))
PY

# Hand-written seeds kept in the repository.
for t in fuzz_page fuzz_time fuzz_markdown fuzz_ics fuzz_http; do
  if [ -d "$here/seeds/$t" ]; then cp "$here/seeds/$t"/* "$out/$t"/ 2>/dev/null || true; fi
done
for t in fuzz_page fuzz_time fuzz_markdown fuzz_ics fuzz_http; do
  printf 'make-seeds: %-14s %5d seeds\n' "$t" "$(ls "$out/$t" | wc -l)"
done
