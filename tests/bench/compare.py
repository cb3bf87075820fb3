#!/usr/bin/python3
"""Compares two evfeed binaries, alternately in one run, and reports medians and new/old ratios
(the rule: no change may slow build or serve beyond noise).

Usage: compare.py OLD_BIN NEW_BIN [--sizes 1000,10000] [--reps 5] [--serve-seconds 5]
                  [--serve-pages 300] [--results FILE] [--settle 15] [--max-wait 1800]

Both binaries are copied to a temporary folder first (a rebuild cannot change them mid-run).
Sites come from gen_site.py and are cached in /tmp/evfeed-bench/site-N, shared with bench.py
(same key: N and the hash of gen_site.py). Needs /usr/bin/time and wrk (`apt-get install -y wrk
time`: tests/bench/run.sh installs them).

Build, per size and repetition, old then new in even repetitions and new then old in odd ones;
for each binary a cold build (an output folder never used before, and no `<out>.evfeed-state`
beside it: the new layout keeps the build state there, the old one in `.evfeed-*` files inside
the output) then a warm rebuild into the same folder with nothing changed. Wall time from a
monotonic clock around the process (time's %e has 10 ms resolution, too coarse for warm
rebuilds), peak RSS from `/usr/bin/time -f '%e %M'`. Nothing is deleted until the end of the run
(see discard() in bench.py: creating files right after deleting as many is slow on this
journal-less ext4).

Before each round of measurements (every binary once) the machine must have been free of
ninja, cc1plus and ctest for --settle s (other engineers build and test here); a round during
which one ran is discarded and run again.

Serve: one build of a serve-pages site gives the paths; both binaries serve the site at once on
their own ports (`--threads 2 --no-access-log`) and wrk (-t2 -c64 --latency, Accept-Encoding:
gzip) runs against each in turn, alternating the order, 3 runs per case and binary after a 1 s
warm-up each (which also fills the filtered-request cache).

Nothing asserts a time; the exit status is 0 when every run completed without an error.
"""
import argparse
import datetime
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

# The helpers and the site cache key of bench.py (same folder), so both scripts share sites.
from bench import SEED, free_port, gen_key, http_get, log, median, parse_dur, sh, warm_page_cache

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WORK = os.environ.get("EVFEED_BENCH_WORK", "/tmp/evfeed-bench")
PY = "/usr/bin/python3"
CONFIG = os.path.join(HERE, "evfeed.yaml")
BASE_URL = "https://bench.example.org/"
NAMES = ("old", "new")
FILTER_TOPIC = "Kubernetes"  # a topic of a feed in evfeed.yaml
FILTER_QUERY = f"/calendar.ics?topic={FILTER_TOPIC}&from=2024-01-01"


# ----------------------------------------------------------------------------------- setup

def ensure_tools():
    missing = [p for p, exe in (("time", "/usr/bin/time"), ("wrk", shutil.which("wrk") or "/nonexistent"))
               if not os.access(exe, os.X_OK)]
    if missing:
        log(f"installing {' '.join(missing)}")
        pre = [] if os.geteuid() == 0 else ["sudo"]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(pre + ["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "-q",
                              "--no-install-recommends"] + missing, check=True, env=env)


def copy_binary(src, dst):
    """A copy of src that is at least 5 s old, identical to src after the copy, and that runs
    (the binary may be relinked at any moment, as run.sh guards against too)."""
    for _ in range(60):
        if time.time() - os.stat(src).st_mtime >= 5:
            shutil.copy2(src, dst + ".tmp")
            with open(src, "rb") as a, open(dst + ".tmp", "rb") as b:
                same = a.read() == b.read()
            if same and subprocess.run([dst + ".tmp", "--version"], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL).returncode == 0:
                os.rename(dst + ".tmp", dst)
                return dst
        time.sleep(2)
    sys.exit(f"compare: {src} keeps changing or does not run")


def binary_info(path):
    ver = subprocess.run([path, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout.strip()
    with open(path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()[:12]
    return ver, sha


def ensure_site(n):
    """WORK/site-N, as bench.py's ensure_site (same key file, so either script reuses the other's)."""
    site, keyfile = os.path.join(WORK, f"site-{n}"), os.path.join(WORK, f"site-{n}.key")
    key = gen_key()
    if os.path.isdir(site) and os.path.exists(keyfile) and open(keyfile).read() == key:
        return site
    log(f"generating {n} pages -> {site}")
    for p in (site, site + ".tmp", os.path.join(WORK, f"hugo-{n}")):  # hugo-N links the old pages
        shutil.rmtree(p, ignore_errors=True)
    sh([PY, os.path.join(HERE, "gen_site.py"), site + ".tmp", str(n), str(SEED)])
    os.rename(site + ".tmp", site)
    with open(keyfile, "w") as f:
        f.write(key)
    return site


def tree_digest(path, skip_prefix=".evfeed"):
    """sha256 over the relative paths and contents of the files, without the old layout's
    .evfeed-* state files; also the file count."""
    h = hashlib.sha256()
    count = 0
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith(skip_prefix))
        for name in sorted(names):
            if name.startswith(skip_prefix):
                continue
            p = os.path.join(root, name)
            count += 1
            h.update(os.path.relpath(p, path).encode() + b"\0")
            with open(p, "rb") as f:
                h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest(), count


def tree_diff(a, b, limit=8):
    """First differing relative paths between two output trees (state files left out)."""
    def files(root):
        out = {}
        for r, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith(".evfeed")]
            for name in names:
                if not name.startswith(".evfeed"):
                    p = os.path.join(r, name)
                    out[os.path.relpath(p, root)] = p
        return out
    fa, fb = files(a), files(b)
    only_a = sorted(set(fa) - set(fb))
    only_b = sorted(set(fb) - set(fa))
    differ = []
    for rel in sorted(set(fa) & set(fb)):
        with open(fa[rel], "rb") as x, open(fb[rel], "rb") as y:
            if x.read() != y.read():
                differ.append(rel)
    first = ""
    if differ:
        with open(fa[differ[0]], "rb") as x, open(fb[differ[0]], "rb") as y:
            la, lb = x.read().splitlines(), y.read().splitlines()
        for i, (u, v) in enumerate(zip(la + [b""] * (len(lb) - len(la)), lb + [b""] * (len(la) - len(lb)))):
            if u != v:
                first = (f"first difference in {differ[0]} line {i + 1}: old `{u[:100].decode(errors='replace').strip()}` "
                         f"new `{v[:100].decode(errors='replace').strip()}`")
                break
    return only_a, only_b, differ, first


# ----------------------------------------------------------------------------------- build

class RunFailed(Exception):
    pass


class Quiet:
    """Other work on the machine that would skew a measurement: compilers and test runs (any
    process named ninja, cc1plus or ctest). A thread samples /proc twice a second; wait() blocks
    until none has been seen for `settle` s, and a round of measurements during which one was
    seen is run again (see rounds())."""
    BUSY = {"ninja", "cc1plus", "ctest"}

    def __init__(self, settle=15, max_wait=1800):
        self.settle, self.budget = settle, max_wait
        self.seen = 0          # samples with a busy process, ever
        self.last_busy = 0.0   # monotonic time of the last one
        self.waited = 0.0
        self.names = set()
        threading.Thread(target=self._sample, daemon=True).start()

    def busy_now(self):
        found = set()
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    comm = open(f"/proc/{d}/comm").read().strip()
                except OSError:
                    continue
                if comm in self.BUSY:
                    found.add(comm)
        return found

    def _sample(self):
        while True:
            found = self.busy_now()
            if found:
                self.seen += 1
                self.last_busy = time.monotonic()
                self.names |= found
            time.sleep(0.5)

    def wait(self):
        t0 = time.monotonic()
        said = False
        while self.budget - self.waited - (time.monotonic() - t0) > 0:
            if self.busy_now():
                self.last_busy = time.monotonic()
            elif time.monotonic() - self.last_busy >= self.settle:
                break
            if not said:
                log(f"  waiting: {', '.join(sorted(self.busy_now() or {'(settling)'}))} running on the machine")
                said = True
            time.sleep(1)
        self.waited += time.monotonic() - t0


def rounds(quiet, what, fn, notes, tries=4):
    """Runs fn() (one round: every binary once, in the round's order) until no compiler or test
    run was seen during it; returns its result. After `tries` disturbed rounds the last one is
    kept and said so."""
    for attempt in range(tries):
        quiet.wait()
        before = quiet.seen
        res = fn()
        if quiet.seen == before:
            return res
        if quiet.waited >= quiet.budget:  # no more waiting allowed: no point in running it again
            tries = attempt + 1
            break
        log(f"  {what}: {', '.join(sorted(quiet.names))} ran meanwhile: round discarded, run again")
    notes.append(f"**{what}: kept although other builds or tests ran during it ({tries} tr{'ies' if tries > 1 else 'y'})**")
    return res


def timed(cmd, tag):
    """(wall s from a monotonic clock, time's %e s, peak RSS MB, stderr text)."""
    out = os.path.join(WORK, f"compare-time-{os.getpid()}.out")
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", out] + cmd,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RunFailed(f"{tag}: exit {p.returncode}: {(p.stderr or p.stdout)[-1500:].strip()}")
    e, rss = open(out).read().split()[-2:]
    return wall, float(e), int(rss) / 1024.0, (p.stderr + p.stdout).strip()


def fresh_out(n, name, r):
    """An output path never used before, with no <out>.evfeed-state beside it."""
    base = os.path.join(RUNDIR, f"out-{n}-{name}-r{r}")
    path = base
    k = 0
    while os.path.exists(path) or os.path.exists(path + ".evfeed-state"):
        k += 1
        path = f"{base}-{k}"
    return path


def build_cmd(binary, site, out):
    return [binary, "build", "--quiet", "--config", CONFIG, "--base-url", BASE_URL, "--content", site, "--out", out]


def build_bench(bins, sizes, reps, data, notes, problems, messages, quiet):
    def said(msg):  # what a --quiet build printed (problems only), once per distinct text
        if msg not in messages:
            messages.append(msg)

    for n in sizes:
        site = ensure_site(n)
        warm_page_cache(site)
        for name in NAMES:  # one untimed cold build each first: binary, site and allocator warm
            try:
                timed(build_cmd(bins[name], site, fresh_out(n, name, "warmup")), f"{name} warm-up build {n}")
            except RunFailed as ex:
                problems.append(str(ex))
        first_out = {}

        def one_round(r):
            got = {}
            order = NAMES if r % 2 == 0 else NAMES[::-1]
            for name in order:
                out = fresh_out(n, name, r)
                cmd = build_cmd(bins[name], site, out)
                try:
                    w, e, m, msg = timed(cmd, f"{name} cold build {n} r{r}")
                    if msg:
                        said(f"{name} build {n:,} (cold) printed: {msg[:500]}")
                    w2, e2, m2, msg2 = timed(cmd, f"{name} warm build {n} r{r}")
                    if msg2:
                        said(f"{name} build {n:,} (warm) printed: {msg2[:500]}")
                except RunFailed as ex:
                    problems.append(str(ex))
                    log(f"  FAILED: {ex}")
                    continue
                got[(f"build {n:,} cold wall s", name)] = w
                got[(f"build {n:,} cold peak RSS MB", name)] = m
                got[(f"build {n:,} cold %e s", name)] = e
                got[(f"build {n:,} warm wall s", name)] = w2
                got[(f"build {n:,} warm peak RSS MB", name)] = m2
                got[("out", name)] = out
                log(f"  build {n:>6} r{r} {name}: cold {w:7.3f} s {m:7.0f} MB | warm {w2:7.3f} s {m2:6.0f} MB")
            return got

        for r in range(reps):
            got = rounds(quiet, f"build {n:,} repetition {r}", lambda: one_round(r), notes)
            for (metric, name), v in got.items():
                if metric != "out":
                    data.setdefault((metric, name), []).append(v)
            if r == 0:
                first_out = {name: v for (metric, name), v in got.items() if metric == "out"}
        # Checks on the first repetition's outputs, outside the timed runs.
        for name, out in first_out.items():
            cold = tree_digest(out)  # after the warm rebuild: compared with a third, fresh build
            ref = fresh_out(n, name, "check")
            try:
                timed(build_cmd(bins[name], site, ref), f"{name} check build {n}")
                same = tree_digest(ref) == cold
            except RunFailed as ex:
                problems.append(str(ex))
                same = None
            if same is False:
                problems.append(f"{name} {n:,}: output after the warm rebuild differs from a cold build's")
            notes.append(f"{name} {n:,} pages: {cold[1]:,} output files; after the warm rebuild byte-identical to a "
                         f"cold build: {'yes' if same else ('**NO**' if same is False else '?')}"
                         + ("" if name == "old" or os.path.exists(out + ".evfeed-state") else
                            f"; **no {os.path.basename(out)}.evfeed-state beside the output**"))
        if len(first_out) == 2:
            da, db = tree_digest(first_out["old"]), tree_digest(first_out["new"])
            if da == db:
                notes.append(f"{n:,} pages: old and new outputs byte-identical ({da[1]:,} files, state files aside)")
            else:
                only_old, only_new, differ, first = tree_diff(first_out["old"], first_out["new"])
                notes.append(f"{n:,} pages: old and new outputs differ: {da[1]:,} vs {db[1]:,} files; "
                             f"{len(only_old)} only in old, {len(only_new)} only in new, {len(differ)} with other bytes"
                             + (f" (e.g. {', '.join((only_old + only_new + differ)[:6])})" if (only_old or only_new or differ) else "")
                             + (f"; {first}" if first else ""))


# ----------------------------------------------------------------------------------- serve

def wait_http(port, path, proc, timeout=120):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RunFailed(f"server exited with {proc.returncode} before {path} answered")
        try:
            if http_get(port, path, timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RunFailed(f"no 200 on {path} within {timeout} s")


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def run_wrk(port, path, duration):
    cmd = ["wrk", "-t2", "-c64", f"-d{duration}s", "--latency", "-H", "Accept-Encoding: gzip",
           f"http://127.0.0.1:{port}{path}"]
    out = sh(cmd)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = parse_dur(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(x) for x in sock.groups()) if sock else 0)
    return {"rps": rps, "p99": p99, "errors": errors}


def serve_bench(bins, pages, seconds, data, notes, problems, messages, quiet):
    site = ensure_site(pages)
    warm_page_cache(site)
    out = fresh_out(pages, "serve-paths", 0)
    sh(build_cmd(bins["new"], site, out))  # only to pick the paths
    events = sorted(f for f in os.listdir(os.path.join(out, "events")) if f.endswith(".ics"))
    small = "/events/" + min(events, key=lambda f: abs(os.path.getsize(os.path.join(out, "events", f)) - 5000))
    full = os.path.getsize(out + "/calendar.ics")
    cases = [("large /calendar.ics", "/calendar.ics"), (f"small {small}", small), ("filtered", FILTER_QUERY)]
    notes.append(f"serve: {pages}-page site; large `/calendar.ics` ({full:,} B built), small `{small}` "
                 f"({os.path.getsize(out + small):,} B built), filtered `{FILTER_QUERY}`")

    procs, ports, logs = {}, {}, {}
    try:
        quiet.wait()
        for name in NAMES:
            port = free_port()
            logs[name] = os.path.join(RUNDIR, f"serve-{name}.log")
            procs[name] = subprocess.Popen(
                [bins[name], "serve", "--content", site, "--config", CONFIG, "--base-url", f"http://127.0.0.1:{port}/",
                 "--threads", "2", "--no-access-log", "--listen", f"127.0.0.1:{port}"],
                stdout=open(logs[name], "w"), stderr=subprocess.STDOUT)
            ports[name] = port
            t0 = time.perf_counter()
            wait_http(port, "/healthz", procs[name])
            log(f"  {name} serve ready {time.perf_counter() - t0:.2f} s after start")
        # Checks: every path answers 200 on both; the filter really filters.
        for label, path in cases:
            got = {}
            for name in NAMES:
                st, h, body = http_get(ports[name], path)
                got[name] = (st, len(body), hashlib.sha256(body).hexdigest()[:12])
                if st != 200:
                    problems.append(f"{name} serve {path}: status {st}: {body[:200]!r}")
                if path == FILTER_QUERY and st == 200 and len(body) >= full * 0.95:
                    problems.append(f"{name} serve {path}: {len(body):,} B, about the whole calendar: the filter seems ignored")
            notes.append(f"check {label} (identity): " + "; ".join(f"{n} {g[0]} {g[1]:,} B (sha256 {g[2]}…)" for n, g in got.items())
                         + " (the bytes include each server's own base URL, with its port)")

        def one_round(path, r):
            res = {}
            order = NAMES if r % 2 == 0 else NAMES[::-1]
            for name in order:
                if procs[name].poll() is not None:
                    raise RunFailed(f"{name} serve exited with {procs[name].returncode}")
                res[name] = run_wrk(ports[name], path, seconds)
            return res

        for label, path in cases:
            for name in NAMES:  # warm-up, not measured (fills the filtered-output cache too)
                run_wrk(ports[name], path, 1)
            for r in range(3):
                res = rounds(quiet, f"serve {label} run {r}", lambda: one_round(path, r), notes)
                for name, x in res.items():
                    data.setdefault((f"serve {label} req/s", name), []).append(x["rps"])
                    data.setdefault((f"serve {label} p99 ms", name), []).append(x["p99"])
                    if x["errors"]:
                        problems.append(f"{name} serve {path} run {r}: {x['errors']} wrk errors/non-2xx")
                    log(f"  serve {label:28} {name}: {x['rps']:9.0f} req/s p99 {x['p99']:7.2f} ms errors {x['errors']}")
        for name in NAMES:
            st, _, body = http_get(ports[name], "/healthz")
            notes.append(f"{name} /healthz at the end: {st} `{body[:200].decode(errors='replace').strip()}`")
    except (RunFailed, OSError, subprocess.CalledProcessError) as ex:
        problems.append(f"serve: {type(ex).__name__}: {ex}")
        log(f"  FAILED: {ex}")
    finally:
        for name, p in procs.items():
            rc = stop(p)
            if rc != 0:
                problems.append(f"{name} serve exit status on SIGTERM: {rc}")
            lines = open(logs[name], errors="replace").read().strip().splitlines()
            for l in lines:
                if re.search(r"error|fatal|abort|assert|sanitizer", l, re.I):
                    problems.append(f"{name} serve log: {l[:300]}")
                elif re.search(r"warn|fail", l, re.I):
                    msg = f"{name} serve log: {l[:300]}"
                    if msg not in messages:
                        messages.append(msg)


# ----------------------------------------------------------------------------------- report

HIGHER_BETTER = ("req/s",)


def table(data):
    metrics = []
    for (metric, _) in data:
        if metric not in metrics and "%e" not in metric:
            metrics.append(metric)
    out = ["| metric | old median | new median | new/old | old min–max | new min–max | runs | noise |",
           "|---|---:|---:|---:|---:|---:|---:|---|"]

    def f(x):
        return f"{x:,.0f}" if x >= 1000 else (f"{x:.1f}" if x >= 100 else (f"{x:.3f}" if x < 1 else f"{x:.2f}"))

    for m in metrics:
        a, b = data.get((m, "old"), []), data.get((m, "new"), [])
        if not a or not b:
            out.append(f"| {m} | {f(median(a)) if a else '–'} | {f(median(b)) if b else '–'} | – | | | {len(a)}/{len(b)} | incomplete |")
            continue
        ratio = median(b) / median(a) if median(a) else float("nan")
        higher = any(m.endswith(s) for s in HIGHER_BETTER)
        small = " by < 3%" if abs(ratio - 1) < 0.03 else ""
        if max(b) < min(a):
            verdict = f"**new worse**{small} (ranges apart)" if higher else f"new better{small} (ranges apart)"
        elif min(b) > max(a):
            verdict = f"new better{small} (ranges apart)" if higher else f"**new worse**{small} (ranges apart)"
        else:
            verdict = "within noise (ranges overlap)"
        out.append(f"| {m} | {f(median(a))} | {f(median(b))} | {ratio:.3f} | {f(min(a))}–{f(max(a))} | "
                   f"{f(min(b))}–{f(max(b))} | {len(a)}/{len(b)} | {verdict} |")
    return out


def machine():
    cpu = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read())
    return (f"nproc {sh(['nproc']).strip()}, {cpu.group(1).strip() if cpu else '?'}; "
            f"load average at start {open('/proc/loadavg').read().split()[0]}")


def main():
    global RUNDIR
    ap = argparse.ArgumentParser(description="old vs new evfeed, alternately in one run")
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--serve-seconds", type=int, default=5, help="per wrk run; 0 skips the serve part")
    ap.add_argument("--serve-pages", type=int, default=300)
    ap.add_argument("--results", default=os.path.join(HERE, "COMPARE.md"))
    ap.add_argument("--settle", type=float, default=15,
                    help="s without ninja/cc1plus/ctest running before a round of measurements")
    ap.add_argument("--max-wait", type=float, default=1800, help="s of such waiting in the whole run, at most")
    args = ap.parse_args()
    started = datetime.datetime.now(datetime.timezone.utc)
    t_start = time.perf_counter()
    ensure_tools()
    os.makedirs(WORK, exist_ok=True)
    quiet = Quiet(settle=args.settle, max_wait=args.max_wait)
    quiet.wait()  # a build in progress would also relink the binary being copied
    tmp = tempfile.mkdtemp(prefix="evfeed-compare-bin-")
    RUNDIR = tempfile.mkdtemp(prefix="compare-run-", dir=WORK)  # outputs; deleted at the very end
    bins = {}
    for name, src in (("old", args.old), ("new", args.new)):
        os.makedirs(os.path.join(tmp, name))
        bins[name] = copy_binary(os.path.abspath(src), os.path.join(tmp, name, "evfeed"))
    info = {name: binary_info(bins[name]) for name in NAMES}
    mach = machine()
    for name in NAMES:
        log(f"{name}: {os.path.abspath(getattr(args, name))}: {info[name][0]} sha256 {info[name][1]}")
    data, notes, problems, messages = {}, [], [], []
    sizes = [int(x) for x in args.sizes.split(",") if x]
    try:
        log("build")
        build_bench(bins, sizes, args.reps, data, notes, problems, messages, quiet)
        if args.serve_seconds > 0:  # 0: builds only
            log("serve")
            serve_bench(bins, args.serve_pages, args.serve_seconds, data, notes, problems, messages, quiet)
    finally:
        shutil.rmtree(RUNDIR, ignore_errors=True)  # every measurement is done
        if os.path.exists(os.path.join(WORK, f"compare-time-{os.getpid()}.out")):
            os.remove(os.path.join(WORK, f"compare-time-{os.getpid()}.out"))
        shutil.rmtree(tmp, ignore_errors=True)
    elapsed = time.perf_counter() - t_start
    cmdline = "python3 tests/bench/compare.py " + " ".join(sys.argv[1:])
    text = ["# evfeed: old vs new binary", "",
            f"- date: {started.strftime('%Y-%m-%d %H:%M UTC')}; duration {elapsed / 60:.1f} min; load average at the end "
            f"{open('/proc/loadavg').read().split()[0]}",
            f"- command: `{cmdline}`",
            f"- machine: {mach}",
            f"- old: `{os.path.abspath(args.old)}`: {info['old'][0]}, sha256 {info['old'][1]}…",
            f"- new: `{os.path.abspath(args.new)}`: {info['new'][0]}, sha256 {info['new'][1]}…",
            "",
            f"Build: sizes {args.sizes}, one untimed cold build per binary first, then {args.reps} repetitions, order "
            "old,new then new,old alternately; cold = a new "
            "output folder with no `<out>.evfeed-state`, warm = a second build into it with nothing changed. Wall time "
            "from a monotonic clock around the process, peak RSS from `/usr/bin/time -f '%e %M'`. Serve: both binaries "
            f"running at once (`--threads 2 --no-access-log`), `wrk -t2 -c64 -d{args.serve_seconds}s --latency` with "
            "`Accept-Encoding: gzip`, 1 s warm-up each, then 3 runs per binary alternating. new/old < 1 is better for "
            "times and memory, > 1 for req/s; *noise* compares the min–max ranges of the runs.",
            ""] + table(data)
    text += ["", f"Other work: a round of measurements (every binary once) starts after {args.settle:.0f} s without "
             "ninja, cc1plus or ctest running and is run again if one ran meanwhile; "
             f"waited {quiet.waited:.0f} s in all" + (f" (seen: {', '.join(sorted(quiet.names))})" if quiet.names else "") + "."]
    if notes:
        text += ["", "Notes:", ""] + [f"- {x}" for x in notes]
    if messages:
        text += ["", "Printed by the binaries (builds run with --quiet: problems only):", ""] + [f"- {x}" for x in messages]
    text += ["", "Problems:" if problems else "Problems: none (every run exited 0, no wrk errors, no error in the serve logs).", ""]
    text += [f"- {x}" for x in problems]
    out = "\n".join(text).rstrip() + "\n"
    print(out)
    with open(args.results, "w") as f:
        f.write(out)
    log(f"written {args.results}")
    return 1 if problems else 0


RUNDIR = None

if __name__ == "__main__":
    sys.exit(main())
