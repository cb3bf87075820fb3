#!/usr/bin/python3
"""End-to-end test: two `evfeed serve` replicas over the same content answer the same status,
bytes and ETag for every output (identity and gzip), also after one of them restarts and after
an edit of an event's start time. SEQUENCE in serve comes from the content alone (front matter
`sequence:`, else 0), so nothing a process remembers may leak into what it serves.
The list of outputs is what `evfeed build` writes for the same site (without the .gz copies).
Usage: replicas_test.py EVFEED_BINARY SOURCE_DIR"""
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from e2e_http import check, failures, free_port, request

if len(sys.argv) != 3:
    print(__doc__)
    sys.exit(2)
BIN, SRC = sys.argv[1], sys.argv[2]
if not (os.path.isfile(BIN) and os.access(BIN, os.X_OK)):
    print(f"SKIP evfeed binary not found: {BIN}")
    sys.exit(77)

BASE_URL = "https://events.example.org/"
EVENT_PATH = "/events/service-mesh-meetup-08.ics"
OLD_DATE, NEW_DATE = "date: 2019-11-24T13:00:00+08:00", "date: 2019-11-24T14:00:00+08:00"


class Server:
    """One `evfeed serve` in its own process group, logging to a file."""

    def __init__(self, name, site, work):
        self.name, self.site, self.work = name, site, work
        self.proc, self.port, self.log, self.starts = None, None, None, 0

    def start(self):
        self.starts += 1
        self.port = free_port()
        self.log = open(os.path.join(self.work, f"serve-{self.name}-{self.starts}.log"), "w")
        self.proc = subprocess.Popen([BIN, "serve", "--site", self.site, "--listen", f"127.0.0.1:{self.port}",
                                      "--base-url", BASE_URL, "--no-access-log", "--poll", "100"],
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        return self.wait_ready()

    def wait_ready(self):
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if request(self.port, "GET", "/healthz")[0] == 200:
                    return True
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.05)
        return False

    def stop(self, sig=signal.SIGTERM, timeout=5):
        """Signals the whole process group; returns the exit status (None if it had to be killed)."""
        rc = None
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
                rc = self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
            except ProcessLookupError:
                pass
        elif self.proc is not None:
            rc = self.proc.returncode
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        if self.log:
            self.log.close()
            self.log = None
        return rc


def describe_diff(a, b):
    """Where two bodies first differ, with some context, as text."""
    if len(a) != len(b):
        head = f"lengths {len(a)} vs {len(b)}; "
    else:
        head = f"same length {len(a)}; "
    i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
    lo = max(0, i - 60)
    return head + f"first difference at byte {i}: A={a[lo:i + 60]!r} B={b[lo:i + 60]!r}"


def event_dtstart_and_sequence(body):
    """DTSTART and SEQUENCE of the VEVENT (not the VTIMEZONE) in an .ics body."""
    text = body.decode("utf-8", "replace").replace("\r\n ", "")
    m = re.search(r"BEGIN:VEVENT\r?\n(.*?)END:VEVENT", text, re.S)
    if not m:
        return None, None
    ev = m.group(1)
    dt = re.search(r"(?m)^DTSTART[^:\r\n]*:([^\r\n]*)", ev)
    seq = re.search(r"(?m)^SEQUENCE:([^\r\n]*)", ev)
    return (dt.group(1) if dt else None), (seq.group(1) if seq else None)


def compare_all(a, b, paths, stage, settle=0.0):
    """GETs every path from both replicas, identity and gzip; one check per stage, a line per
    difference. `settle`: seconds the replicas may take to agree (after a reload, a changed
    output goes out uncompressed at once and gets its gzip right after: README, Live server)."""
    deadline = time.time() + settle
    while True:
        diffs = differences(a, b, paths, stage)
        if not diffs or time.time() >= deadline:
            break
        time.sleep(0.2)
    for d in diffs:
        print(f"  DIFF {stage}: {d}")
    check(not diffs, f"{stage}: {len(paths)} outputs x 2 encodings identical on both replicas "
                     f"(status, bytes, ETag){'' if not diffs else f' - {len(diffs)} differ'}")


def differences(a, b, paths, stage):
    diffs = []
    for path in paths:
        for enc in ("identity", "gzip"):
            hdrs = {"Accept-Encoding": "gzip"} if enc == "gzip" else {}
            try:
                ra = request(a.port, "GET", path, hdrs)
                rb = request(b.port, "GET", path, hdrs)
            except (OSError, http.client.HTTPException) as e:
                diffs.append(f"{path} [{enc}]: request failed: {e!r}")
                continue
            (sa, ha, ba), (sb, hb, bb) = ra, rb
            what = []
            if sa != sb:
                what.append(f"status {sa} vs {sb}")
            if sa != 200:
                what.append(f"status {sa} (want 200)")
            if ha.get("etag") != hb.get("etag"):
                what.append(f"ETag {ha.get('etag')} vs {hb.get('etag')}")
            if not ha.get("etag"):
                what.append("no ETag")
            if ha.get("content-encoding") != hb.get("content-encoding"):
                what.append(f"Content-Encoding {ha.get('content-encoding')} vs {hb.get('content-encoding')}")
            if ba != bb:
                what.append("body: " + describe_diff(ba, bb))
            if what:
                diffs.append(f"{path} [{enc}]: " + "; ".join(what))
            elif ha.get("last-modified") != hb.get("last-modified"):
                # Not part of the requirement (bytes and ETags); shown so that it is known.
                print(f"INFO {stage}: {path} [{enc}]: Last-Modified {ha.get('last-modified')} vs {hb.get('last-modified')}")
            # A cache that got the ETag from one replica revalidates against the other.
            if not what and enc == "identity" and ha.get("etag"):
                s304, _, _ = request(b.port, "GET", path, {"If-None-Match": ha["etag"]})
                if s304 != 304:
                    diffs.append(f"{path}: If-None-Match with A's ETag -> {s304} from B (want 304)")
    return diffs


t_start = time.time()
work = tempfile.mkdtemp(prefix="evfeed-replicas-")
site = os.path.join(work, "site")
shutil.copytree(os.path.join(SRC, "feeds"), site)
a, b = Server("A", site, work), Server("B", site, work)
try:
    out = os.path.join(work, "out")
    r = subprocess.run([BIN, "build", "--site", site, "--out", out, "--base-url", BASE_URL, "-q"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"evfeed build lists the outputs (rc={r.returncode}) {r.stderr.strip()[:500]}")
    paths = sorted("/" + os.path.relpath(os.path.join(d, f), out).replace(os.sep, "/")
                   for d, _, files in os.walk(out) for f in files if not f.endswith(".gz"))
    paths.append("/")  # index.html under its usual name as well
    check(len(paths) > 20 and EVENT_PATH in paths, f"{len(paths)} outputs to compare, {EVENT_PATH} among them")

    check(a.start(), f"replica A starts and answers /healthz (port {a.port})")
    check(b.start(), f"replica B starts and answers /healthz (port {b.port})")
    if a.proc.poll() is not None or b.proc.poll() is not None:
        raise SystemExit(1)
    compare_all(a, b, paths, "both fresh")

    # (a) B restarts: the new process must answer what the old one and A answer.
    rc = b.stop()
    check(rc == 0, f"replica B: SIGTERM -> exit 0 (rc={rc})")
    check(b.start(), f"replica B starts again (port {b.port})")
    if b.proc.poll() is not None:
        raise SystemExit(1)
    compare_all(a, b, paths, "after B restarted")

    # (b) An event moves by an hour: both replicas pick it up and still agree.
    _, _, before = request(a.port, "GET", EVENT_PATH)
    old_dt, old_seq = event_dtstart_and_sequence(before)
    page = os.path.join(site, "content", "zh", "event", "service-mesh-meetup-08.md")
    text = open(page, encoding="utf-8").read()
    check(OLD_DATE in text, f"page has `{OLD_DATE}` to edit (DTSTART served now: {old_dt})")
    with open(page, "w", encoding="utf-8") as f:
        f.write(text.replace(OLD_DATE, NEW_DATE))
    t0 = time.time()
    seen = {}
    while time.time() - t0 < 5.0:
        for s in (a, b):
            if s.name not in seen:
                dt, seq = event_dtstart_and_sequence(request(s.port, "GET", EVENT_PATH)[2])
                if dt and dt.endswith("20191124T140000"):
                    seen[s.name] = (dt, seq, time.time() - t0)
        if len(seen) == 2:
            break
        time.sleep(0.05)
    for s in (a, b):
        got = seen.get(s.name)
        check(got is not None, f"replica {s.name} serves the new DTSTART within 5 s "
                               f"({got[0] + f' after {got[2]:.2f} s' if got else 'still ' + str(event_dtstart_and_sequence(request(s.port, 'GET', EVENT_PATH)[2])[0])})")
    _, _, body_a = request(a.port, "GET", EVENT_PATH)
    _, _, body_b = request(b.port, "GET", EVENT_PATH)
    (dt_a, seq_a), (dt_b, seq_b) = event_dtstart_and_sequence(body_a), event_dtstart_and_sequence(body_b)
    check(seq_a is not None and seq_a == seq_b,
          f"SEQUENCE after the edit is the same on both replicas (A={seq_a}, B={seq_b}; before the edit {old_seq})")
    compare_all(a, b, paths, "after the edit", settle=5.0)
finally:
    for s in (a, b):
        s.stop(signal.SIGKILL if failures else signal.SIGTERM)
    if failures:
        for name in sorted(os.listdir(work)):
            if name.endswith(".log"):
                tail = open(os.path.join(work, name), errors="replace").read()[-1500:]
                print(f"--- {name} (tail) ---\n{tail}")
    shutil.rmtree(work, ignore_errors=True)

print(f"{len(failures)} failed ({time.time() - t_start:.1f} s)")
sys.exit(1 if failures else 0)
