#!/usr/bin/python3
"""compare.py FILE.ics [--from ISO] [--to ISO] [--libical PATH] [--json]

Expands every recurring series of FILE.ics with four independent iCalendar
implementations and requires that they list the same occurrences:

  libical   expand_libical (C, build it first; skipped without --libical)
  icaljs    ical.js   via expand.mjs (skipped when node or the module is missing)
  nodeical  node-ical via expand.mjs (idem)
  python    recurring-ical-events via expand.py (always runs)

Each prints "UID START END STATUS SUMMARY" lines (see README.md).  Window:
occurrences whose start is in [FROM, TO); FROM defaults to
2000-01-01T00:00:00Z, TO to 00:00Z of the day after the latest VEVENT DTSTART
plus two years.

Exit 0 when all expanders that ran agree, 1 when they differ (a diff per UID
and start instant is printed), 2 on usage errors or when an expander fails.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"  # Debian's icalendar / recurring-ical-events live there, not in pyenv
TIMEOUT = 300
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def default_to(text):
    """00:00Z of the day after (latest VEVENT DTSTART date + 2 years)."""
    text = re.sub(r"\r?\n[ \t]", "", text)  # unfold
    latest, in_event = None, False
    for line in text.splitlines():
        if line.startswith("BEGIN:VEVENT"):
            in_event = True
        elif line.startswith("END:VEVENT"):
            in_event = False
        m = re.match(r"DTSTART(?:;[^:]*)?:(\d{4})(\d\d)(\d\d)", line) if in_event else None
        if m:
            d = datetime.date(*map(int, m.groups()))
            latest = max(latest or d, d)
    if latest is None:
        return "2030-01-01T00:00:00Z"
    try:
        later = latest.replace(year=latest.year + 2)
    except ValueError:  # 29 February
        later = latest.replace(year=latest.year + 2, day=28)
    return (later + datetime.timedelta(days=1)).strftime("%Y-%m-%dT00:00:00Z")


def expanders(args):
    """-> list of (name, argv or None, reason when skipped)"""
    out = []
    if not args.libical:
        out.append(("libical", None, "no --libical PATH given (build: gcc -O1 expand_libical.c "
                                     "$(pkg-config --cflags --libs libical) -o expand_libical)"))
    elif not os.access(args.libical, os.X_OK):
        out.append(("libical", None, f"{args.libical} is not an executable file"))
    else:
        out.append(("libical", [os.path.abspath(args.libical)], None))
    node = shutil.which("node")
    for mode in ("icaljs", "nodeical"):
        if node:
            out.append((mode, [node, os.path.join(HERE, "expand.mjs"), mode], None))
        else:
            out.append((mode, None, "node is not installed"))
    out.append(("python", [PYTHON, os.path.join(HERE, "expand.py")], None))
    return out


def run(name, argv, args):
    """-> (lines, None) | (None, skip reason); exits 2 when the expander fails"""
    try:
        p = subprocess.run(argv + [args.file, args.start, args.stop], capture_output=True,
                           text=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        print(f"compare: {name} failed to run: {e}", file=sys.stderr)
        sys.exit(2)
    if p.returncode == 3:  # expand.mjs: the npm module is not installed
        return None, p.stderr.strip()
    if p.returncode != 0:
        print(f"compare: {name} exited with {p.returncode}:\n{p.stderr.strip()[-3000:]}", file=sys.stderr)
        sys.exit(2)
    if p.stderr.strip() and not args.json:
        for line in p.stderr.strip().splitlines():
            print(f"  ({name}) {line}")
    return [l for l in p.stdout.split("\n") if l], None


def by_key(lines):
    """{(uid, start): sorted list of (end, status, summary)} -- a multiset per instant"""
    d = defaultdict(list)
    for line in lines:
        uid, start, end, status, summary = (line.split("\t", 4) + ["", "", "", ""])[:5]
        d[(uid, start)].append((end, status, summary))
    return {k: sorted(v) for k, v in d.items()}


def main():
    ap = argparse.ArgumentParser(description="Check that four iCalendar recurrence expanders agree.")
    ap.add_argument("file")
    ap.add_argument("--from", dest="start", default="2000-01-01T00:00:00Z")
    ap.add_argument("--to", dest="stop")
    ap.add_argument("--libical", help="path of the built expand_libical binary")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    try:
        args = ap.parse_args()
    except SystemExit as e:
        sys.exit(0 if e.code == 0 else 2)
    try:
        with open(args.file, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        print(f"compare: {e}", file=sys.stderr)
        sys.exit(2)
    args.stop = args.stop or default_to(text)
    for t in (args.start, args.stop):
        if not ISO.match(t):
            print(f"compare: time must look like 2025-01-31T00:00:00Z: {t}", file=sys.stderr)
            sys.exit(2)

    if not args.json:
        print(f"compare: {args.file} window [{args.start}, {args.stop})")
    results, skipped = {}, {}
    for name, argv, reason in expanders(args):
        if argv:
            lines, reason = run(name, argv, args)
        if reason:
            skipped[name] = reason
            if not args.json:
                print(f"SKIP {name}: {reason}")
        else:
            results[name] = by_key(lines)

    names = list(results)
    differences = []
    for key in sorted(set().union(*results.values())):
        seen = {n: tuple(results[n].get(key, ())) for n in names}
        if len(set(seen.values())) > 1:
            variants = defaultdict(list)
            for n, v in seen.items():
                variants[v].append(n)
            differences.append((key, variants))

    counts = {n: sum(len(v) for v in results[n].values()) for n in names}
    if args.json:
        print(json.dumps({
            "file": args.file, "from": args.start, "to": args.stop, "ran": counts,
            "skipped": skipped, "agree": not differences,
            "differences": [{
                "uid": uid, "start": start,
                "variants": [{"expanders": ns, "occurrences": [
                    {"end": e, "status": s, "summary": m} for e, s, m in v]} for v, ns in variants.items()],
            } for (uid, start), variants in differences],
        }, indent=2, ensure_ascii=False))
    else:
        print("ran: " + ", ".join(f"{n} ({counts[n]} occurrences)" for n in names))
        for (uid, start), variants in differences:
            print(f"DIFF {uid} {start}")
            for v, ns in variants.items():
                if not v:
                    print(f"    {', '.join(ns)}: missing")
                for (end, status, summary), k in Counter(v).items():
                    times = f" (listed {k} times)" if k > 1 else ""
                    print(f"    {', '.join(ns)}: end {end} {status} {summary!r}{times}")
        if differences:
            uids = len({uid for (uid, _), _ in differences})
            print(f"FAIL: {len(differences)} start instants of {uids} UIDs differ between {', '.join(names)}")
        elif len(names) == 1:
            print(f"OK: only {names[0]} ran ({counts[names[0]]} occurrences); nothing was compared")
        else:
            print(f"OK: {', '.join(names)} agree on {max(counts.values(), default=0)} occurrences")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
