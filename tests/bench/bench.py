#!/usr/bin/python3
"""evfeed benchmark driver, started by tests/bench/run.sh (which installs the peers and copies the
evfeed binary to /tmp/evfeed-bench-bin first). Three parts, each comparing tools alternately in
one run and reporting medians and ratios:

  build   evfeed (cold and warm) vs Hugo vs Python icalendar at 1k, 10k, 100k generated pages
  serve   `evfeed serve` vs nginx (gzip_static) serving the bytes of `evfeed build`, with wrk
  reload  time from a page edit to its new bytes being served on a 10k-page site, under load

Usage: bench.py [--quick] [--only build,serve,reload] [--sizes 1000,10000] [--profile]
                [--results FILE]
Nothing here asserts a time: the tables report the issue-7 targets as met or not.
"""
import argparse
import datetime
import gzip
import hashlib
import http.client
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WORK = os.environ.get("EVFEED_BENCH_WORK", "/tmp/evfeed-bench")
BIN = os.environ.get("EVFEED_BENCH_BIN", "/tmp/evfeed-bench-bin")
TRASH = os.path.join(WORK, "trash")  # outputs of finished runs, deleted at the end (see discard)
PY = "/usr/bin/python3"  # Debian's python: python3-icalendar and python3-yaml live there
CONFIG = os.path.join(HERE, "evfeed.yaml")
BASE_URL = "https://events.example.org/"
SEED = 42
CLK_TCK = os.sysconf("SC_CLK_TCK")
PEER_SINGLE_RUN_LIMIT = 120.0  # s: a 100k peer run longer than this is not repeated
PEER_ESTIMATE_LIMIT = 300.0    # s: a 100k peer whose 10k median x10 exceeds this is skipped


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw).stdout


def median(xs):
    return statistics.median(xs) if xs else None


def fmt(x, nd=2):
    if x is None:
        return "–"
    if isinstance(x, float) and x >= 100:
        return f"{x:.0f}"
    return f"{x:.{nd}f}"


def verdict(ok):
    return "met" if ok else "**not met**"


# ----------------------------------------------------------------------------------- sites

def gen_key():
    with open(os.path.join(HERE, "gen_site.py"), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16] + f"-seed{SEED}"


def ensure_site(n):
    """WORK/site-N, generated once per version of gen_site.py (keyed by N and its hash)."""
    site, keyfile = os.path.join(WORK, f"site-{n}"), os.path.join(WORK, f"site-{n}.key")
    key = gen_key()
    if os.path.isdir(site) and os.path.exists(keyfile) and open(keyfile).read() == key:
        return site
    log(f"generating {n} pages -> {site}")
    for p in (site, site + ".tmp", os.path.join(WORK, f"hugo-{n}")):
        shutil.rmtree(p, ignore_errors=True)
    sh([PY, os.path.join(HERE, "gen_site.py"), site + ".tmp", str(n), str(SEED)])
    os.rename(site + ".tmp", site)
    with open(keyfile, "w") as f:
        f.write(key)
    return site


def ensure_hugo(n, site):
    """WORK/hugo-N: tests/bench/hugo/ (config and calendar layout) plus the pages of site-N,
    hard-linked as content/event/{en,zh}/NNN/*.md (so the event section holds every page)."""
    proj = os.path.join(WORK, f"hugo-{n}")
    content = os.path.join(proj, "content", "event")
    if not os.path.isdir(content):
        shutil.rmtree(proj, ignore_errors=True)
        os.makedirs(content + ".tmp")
        for lang in sorted(os.listdir(site)):
            sh(["cp", "-al", os.path.join(site, lang, "event"), os.path.join(content + ".tmp", lang)])
        os.rename(content + ".tmp", content)
    hugo_version = sh(["hugo", "version"])
    m = re.search(r"v0\.(\d+)", hugo_version)
    conf = "hugo.toml" if (m and int(m.group(1)) >= 110) else "config.toml"  # hugo.toml since 0.110
    for old in ("hugo.toml", "config.toml"):
        if os.path.exists(os.path.join(proj, old)):
            os.remove(os.path.join(proj, old))
    shutil.copy(os.path.join(HERE, "hugo", "hugo.toml"), os.path.join(proj, conf))
    shutil.rmtree(os.path.join(proj, "layouts"), ignore_errors=True)
    shutil.copytree(os.path.join(HERE, "hugo", "layouts"), os.path.join(proj, "layouts"))
    return proj


def warm_page_cache(path):
    for root, _, files in os.walk(path):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                while f.read(1 << 20):
                    pass


def tree_volume(path):
    files = size = gz = 0
    for root, _, names in os.walk(path):
        for name in names:
            files += 1
            size += os.path.getsize(os.path.join(root, name))
            gz += name.endswith(".gz")
    return files, size, gz


def tree_digest(path, skip_prefix=".evfeed"):
    h = hashlib.sha256()
    for root, dirs, names in os.walk(path):
        dirs.sort()
        for name in sorted(names):
            if name.startswith(skip_prefix):
                continue
            p = os.path.join(root, name)
            h.update(os.path.relpath(p, path).encode() + b"\0")
            with open(p, "rb") as f:
                h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


# ----------------------------------------------------------------------------------- build

def timed(cmd, cwd=None):
    """(wall s, peak RSS MB, CPU s): wall from a monotonic clock around the process (the 10 ms
    resolution of time's %e would hide warm rebuilds), peak RSS and user+sys from /usr/bin/time."""
    out = os.path.join(WORK, "time.out")
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%e %M %U %S", "-o", out] + cmd, cwd=cwd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    _, rss, user, sys_ = open(out).read().split()[-4:]
    if p.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited {p.returncode}: {p.stderr[-2000:]}")
    return wall, int(rss) / 1024.0, float(user) + float(sys_)


def discard(path):
    """Moves a folder into WORK/trash, which is deleted only when the whole run is over.

    This file system has no journal, and ext4 without one skips inodes freed in the last
    60-360 s one by one when it allocates new ones (find_inode_bit -> recently_deleted):
    creating the 9,600 files of a 10k build right after deleting the previous run's 9,600
    made each create cost ~175 us and doubled the build's wall time. Each cold run therefore
    writes into a folder of its own, as a first build on a real site does."""
    if os.path.exists(path):
        os.makedirs(TRASH, exist_ok=True)
        os.rename(path, os.path.join(TRASH, f"{os.path.basename(path)}-{time.time_ns()}"))


def build_bench(sizes, reps, results):
    rows = {}
    notes = []
    for n in sizes:
        site = ensure_site(n)
        hugo = ensure_hugo(n, site)
        warm_page_cache(site)
        evout = os.path.join(WORK, f"out-evfeed-{n}")
        pyout = os.path.join(WORK, f"out-python-{n}.ics")
        data = {k: {"wall": [], "rss": [], "cpu": []} for k in ("evfeed", "evfeed-warm", "hugo", "python")}
        skip = {}
        if n >= 100000:
            for peer in ("hugo", "python"):
                prev = rows.get(10000, {}).get(peer)
                if prev and prev["wall"] and median(prev["wall"]) * n / 10000 > PEER_ESTIMATE_LIMIT:
                    skip[peer] = f"skipped: 10k median x{n // 10000} > {PEER_ESTIMATE_LIMIT:.0f} s"
                mem_avail = int(re.search(r"MemAvailable:\s+(\d+)", open("/proc/meminfo").read()).group(1)) / 1024
                if prev and prev["rss"] and median(prev["rss"]) * n / 10000 * 1.2 > mem_avail * 0.9:
                    skip[peer] = f"skipped: projected peak memory over the {mem_avail:.0f} MB available"

        def run_evfeed(r):
            discard(evout)  # the previous repetition's output: see discard()
            discard(evout + ".evfeed-state")  # and its build state (parse cache, index): a cold build
            cmd = [BIN, "build", "--quiet", "--config", CONFIG, "--base-url", BASE_URL, "--content", site, "--out", evout]
            w, m, c = timed(cmd)
            data["evfeed"]["wall"].append(w)
            data["evfeed"]["rss"].append(m)
            data["evfeed"]["cpu"].append(c)
            cold_digest = tree_digest(evout) if (r == 0 and n <= 10000) else None
            w2, m2, c2 = timed(cmd)  # warm: same out dir, nothing changed
            data["evfeed-warm"]["wall"].append(w2)
            data["evfeed-warm"]["rss"].append(m2)
            data["evfeed-warm"]["cpu"].append(c2)
            if cold_digest:
                same = tree_digest(evout) == cold_digest
                notes.append(f"{n} pages: warm rebuild output byte-identical to the cold one: {'yes' if same else '**NO**'}")
            log(f"  build {n:>6} evfeed      cold {w:7.2f} s {m:8.0f} MB | warm {w2:7.3f} s {m2:8.0f} MB")

        def run_hugo(r):
            shutil.rmtree(os.path.join(hugo, "public"), ignore_errors=True)
            w, m, c = timed(["hugo", "--quiet"], cwd=hugo)
            data["hugo"]["wall"].append(w)
            data["hugo"]["rss"].append(m)
            data["hugo"]["cpu"].append(c)
            log(f"  build {n:>6} hugo             {w:7.2f} s {m:8.0f} MB")

        def run_python(r):
            if os.path.exists(pyout):
                os.remove(pyout)
            w, m, c = timed([PY, os.path.join(HERE, "ics_python.py"), site, pyout])
            data["python"]["wall"].append(w)
            data["python"]["rss"].append(m)
            data["python"]["cpu"].append(c)
            log(f"  build {n:>6} python           {w:7.2f} s {m:8.0f} MB")

        tools = [("evfeed", run_evfeed), ("hugo", run_hugo), ("python", run_python)]
        for r in range(reps[n]):
            order = tools[r % 3:] + tools[:r % 3]  # rotate the order every repetition
            for name, fn in order:
                if name in skip:
                    continue
                fn(r)
                if n >= 100000 and name != "evfeed" and data[name]["wall"][-1] > PEER_SINGLE_RUN_LIMIT:
                    skip[name] = f"one run only: it took {data[name]['wall'][-1]:.0f} s (> {PEER_SINGLE_RUN_LIMIT:.0f} s)"
        vol = {"evfeed": tree_volume(evout), "evfeed-warm": tree_volume(evout),
               "hugo": tree_volume(os.path.join(hugo, "public")),
               "python": (1, os.path.getsize(pyout), 0) if os.path.exists(pyout) else None}
        for k in data:
            data[k]["volume"] = vol[k]
            data[k]["skip"] = skip.get(k if k != "evfeed-warm" else "evfeed")
        rows[n] = data
    results["build"] = rows
    results["build_notes"] = notes
    return rows


def build_tables(rows):
    out = ["## Build", "",
           "Wall time (monotonic clock around the process), CPU time (user+sys) and peak RSS "
           "(`/usr/bin/time -f '%e %M %U %S'`), medians over the repetitions; the tools "
           "run one after the other in each repetition, in a rotating order. evfeed *cold*: a new output "
           "folder (earlier ones are moved aside and deleted when the whole run is over: on this journal-less "
           "ext4, creating files within minutes of deleting as many costs ~175 µs per file, see `discard` in "
           "bench.py); *warm*: a second run into the same folder with nothing changed.", "",
           "| pages | tool | runs | wall s (median) | min–max s | CPU s (median) | peak RSS MB (median) | output |",
           "|---:|---|---:|---:|---:|---:|---:|---|"]
    label = {"evfeed": "evfeed build (cold)", "evfeed-warm": "evfeed build (warm)", "hugo": "Hugo",
             "python": "Python icalendar"}
    for n, data in rows.items():
        for k in ("evfeed", "evfeed-warm", "hugo", "python"):
            d = data[k]
            if not d["wall"]:
                out.append(f"| {n:,} | {label[k]} | 0 | {d['skip'] or 'not run'} | | | | |")
                continue
            v = d["volume"]
            vol = f"{v[0]:,} file{'s' if v[0] != 1 else ''}, {v[1] / 1e6:,.1f} MB" + (f" ({v[2]:,} .gz)" if v and v[2] else "") if v else ""
            note = f" ({d['skip']})" if d["skip"] else ""
            nd = 3 if median(d["wall"]) < 1 else 2
            out.append(f"| {n:,} | {label[k]} | {len(d['wall'])}{note} | {fmt(median(d['wall']), nd)} | "
                       f"{fmt(min(d['wall']), nd)}–{fmt(max(d['wall']), nd)} | {fmt(median(d['cpu']), nd)} | "
                       f"{fmt(median(d['rss']), 0)} | {vol} |")
    out += ["", "Ratios (ratio of medians; in brackets the median of the per-repetition ratios):", "",
            "| pages | Hugo time / evfeed | Python time / evfeed | evfeed peak / Hugo peak | Hugo time / evfeed warm |",
            "|---:|---:|---:|---:|---:|"]

    def ratio(a, b):
        return (median(a) / median(b)) if a and b and median(b) else None

    def paired(a, b):
        k = min(len(a), len(b))
        return median([a[i] / b[i] for i in range(k) if b[i]]) if k else None

    def cell(a, b, suffix="x"):
        r = ratio(a, b)
        return "–" if r is None else f"{r:.2f}{suffix} [{paired(a, b):.2f}]"

    for n, d in rows.items():
        out.append(f"| {n:,} | {cell(d['hugo']['wall'], d['evfeed']['wall'])} | {cell(d['python']['wall'], d['evfeed']['wall'])} | "
                   f"{cell(d['evfeed']['rss'], d['hugo']['rss'])} | {cell(d['hugo']['wall'], d['evfeed-warm']['wall'])} |")
    if 10000 in rows and 100000 in rows:
        e10, e100 = rows[10000]["evfeed"]["wall"], rows[100000]["evfeed"]["wall"]
        w10, w100 = rows[10000]["evfeed-warm"]["wall"], rows[100000]["evfeed-warm"]["wall"]
        out += ["", f"Scaling of evfeed 100k / 10k: cold {ratio(e100, e10):.2f}x, warm {ratio(w100, w10):.2f}x "
                f"(10x the pages)."]
        for peer in ("hugo", "python"):
            a, b = rows[100000][peer]["wall"], rows[10000][peer]["wall"]
            if a and b:
                out[-1] += f" {peer}: {ratio(a, b):.2f}x."
    return out


def build_targets(rows):
    t = []
    d = rows.get(10000)
    if d and d["evfeed"]["wall"]:
        e = median(d["evfeed"]["wall"])
        if d["hugo"]["wall"]:
            r = median(d["hugo"]["wall"]) / e
            t.append(f"| build 10k ≥ 10x faster than Hugo | {r:.2f}x | {verdict(r >= 10)} |")
            m = median(d["evfeed"]["rss"]) / median(d["hugo"]["rss"])
            t.append(f"| build 10k peak memory ≤ 1/5 of Hugo's | {m:.2f} of Hugo's | {verdict(m <= 0.2)} |")
            w = median(d["hugo"]["wall"]) / median(d["evfeed-warm"]["wall"])
            t.append(f"| warm rebuild 10k ≥ 50x faster than Hugo | {w:.1f}x | {verdict(w >= 50)} |")
        if d["python"]["wall"]:
            r = median(d["python"]["wall"]) / e
            t.append(f"| build 10k ≥ 4x faster than Python icalendar | {r:.2f}x | {verdict(r >= 4)} |")
        if 100000 in rows and rows[100000]["evfeed"]["wall"]:
            s = median(rows[100000]["evfeed"]["wall"]) / e
            t.append(f"| build 100k ≤ 12x the 10k time | {s:.2f}x | {verdict(s <= 12)} |")
    return t


# ----------------------------------------------------------------------------------- servers

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_get(port, path, headers=None, timeout=30):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def wait_http(port, path, timeout=300, proc=None):
    end = time.time() + timeout
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if http_get(port, path, timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"no 200 on {path} within {timeout} s")


def start_evfeed_serve(site, port):
    log_path = os.path.join(WORK, f"serve-{port}.log")
    proc = subprocess.Popen([BIN, "serve", "--config", CONFIG, "--content", site, "--listen", f"127.0.0.1:{port}",
                             "--base-url", BASE_URL, "--no-access-log", "--threads", "2"],
                            stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    return proc


NGINX_CONF = """# written by tests/bench/bench.py
worker_processes 2;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;  # wrk keeps its 64 connections: no reconnects every 1000 requests
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    types {{
        text/html html; text/calendar ics; application/xml xml; application/json json;
    }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/calendar application/xml application/json;
    gzip off;
    gzip_static on;
    gzip_vary on;
    etag on;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        # the headers deploy/nginx/evfeed.conf adds to calendars, as evfeed serve sends them too
        location ~ \\.ics$ {{
            add_header Access-Control-Allow-Origin "*" always;
            add_header Cache-Control "public, max-age=300";
        }}
    }}
}}
"""


def start_nginx(root, port):
    prefix = os.path.join(WORK, "nginx")
    shutil.rmtree(prefix, ignore_errors=True)
    os.makedirs(os.path.join(prefix, "logs"))
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(prefix=prefix, port=port, root=root))
    sh(["nginx", "-t", "-q", "-p", prefix, "-c", conf])
    proc = subprocess.Popen(["nginx", "-p", prefix, "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    return proc


def stop(proc, sig=signal.SIGTERM):
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def proc_tree(pid):
    """pid and its children (nginx master and workers)."""
    pids = [pid]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                st = open(f"/proc/{d}/stat").read()
            except OSError:
                continue
            if int(st.rsplit(")", 1)[1].split()[1]) == pid:
                pids.append(int(d))
    return pids


def cpu_ticks(pids):
    total = 0
    for p in pids:
        try:
            f = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(f[11]) + int(f[12])  # utime, stime (fields 14, 15)
    return total


def parse_dur(s):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", s)
    v, u = float(m.group(1)), m.group(2)
    return v * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[u]


def run_wrk(port, path, headers, duration, pids):
    cmd = ["wrk", "-t2", "-c64", f"-d{duration}s", "--latency"]
    for h in headers:
        cmd += ["-H", h]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    before = cpu_ticks(pids)
    out = sh(cmd)
    after = cpu_ticks(pids)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    reqs = int(re.search(r"(\d+) requests in", out).group(1))
    p50 = parse_dur(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = parse_dur(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(x) for x in sock.groups()) if sock else 0)
    cpu_us = (after - before) / CLK_TCK * 1e6 / reqs if reqs else None
    return {"rps": rps, "p50": p50, "p99": p99, "errors": errors, "cpu_us": cpu_us, "reqs": reqs}


def serve_bench(quick, results):
    n = int(os.environ.get("EVFEED_BENCH_SERVE_PAGES", "300"))
    site = ensure_site(n)
    out = os.path.join(WORK, f"serve-out-{n}")
    shutil.rmtree(out, ignore_errors=True)
    sh([BIN, "build", "--quiet", "--config", CONFIG, "--base-url", BASE_URL, "--content", site, "--out", out])
    large = "/calendar.ics"
    events = [f for f in os.listdir(os.path.join(out, "events")) if f.endswith(".ics")]
    small = "/events/" + min(events, key=lambda f: abs(os.path.getsize(os.path.join(out, "events", f)) - 5000))
    sizes = {p: os.path.getsize(out + p) for p in (small, large)}
    for p in (small, large):
        # evfeed build writes no .gz beside events/*.ics; nginx serves both cases precompressed
        # here (gzip_static), as in the reference figures.
        if not os.path.exists(out + p + ".gz"):
            with open(out + p, "rb") as src, open(out + p + ".gz", "wb") as dst:
                dst.write(gzip.compress(src.read(), compresslevel=6, mtime=0))
    gz_sizes = {p: os.path.getsize(out + p + ".gz") for p in (small, large)}

    ev_port, ng_port = free_port(), free_port()
    ev = start_evfeed_serve(site, ev_port)
    ng = start_nginx(out, ng_port)
    checks = []
    try:
        wait_http(ev_port, "/healthz", proc=ev)
        wait_http(ng_port, small, proc=ng)
        servers = {"evfeed": (ev_port, proc_tree(ev.pid)), "nginx": (ng_port, proc_tree(ng.pid))}
        etags = {}
        for path in (small, large):
            want = open(out + path, "rb").read()
            want_gz = open(out + path + ".gz", "rb").read()
            for name, (port, _) in servers.items():
                st, h, body = http_get(port, path)
                stg, hg, bodyg = http_get(port, path, {"Accept-Encoding": "gzip"})
                etags[(name, path)] = h.get("etag")
                st304, _, _ = http_get(port, path, {"If-None-Match": h.get("etag", '"none"')})
                same = st == 200 and body == want
                gz_ok = stg == 200 and hg.get("content-encoding") == "gzip" and gzip.decompress(bodyg) == want
                checks.append(f"{name} {path}: identity {st} {'same bytes as the build' if same else '**DIFFERENT BYTES**'}"
                              f" ({len(body):,} B); gzip {stg} {hg.get('content-encoding')} {len(bodyg):,} B"
                              f"{' = the .gz file' if bodyg == want_gz else ''}{' (decompresses to the same bytes)' if gz_ok else ' **WRONG**'};"
                              f" If-None-Match: {st304}")
        cases = []
        for path, what in ((small, "small"), (large, "large")):
            cases.append((f"{what} identity", path, lambda name, p=path: []))
            cases.append((f"{what} gzip", path, lambda name, p=path: ["Accept-Encoding: gzip"]))
            cases.append((f"{what} 304", path, lambda name, p=path: [f"If-None-Match: {etags[(name, p)]}"]))
        reps = 2 if quick else 3
        duration = 3 if quick else 10
        data = {}
        for label, path, hdrs in cases:
            for name, (port, pids) in servers.items():  # warm-up, not measured
                run_wrk(port, path, hdrs(name), 1, pids)
            for r in range(reps):
                order = ["evfeed", "nginx"] if r % 2 == 0 else ["nginx", "evfeed"]
                for name in order:
                    port, pids = servers[name]
                    res = run_wrk(port, path, hdrs(name), duration, pids)
                    data.setdefault((label, name), []).append(res)
                    log(f"  serve {label:15} {name:6} {res['rps']:10.0f} req/s p50 {res['p50']:7.2f} ms "
                        f"p99 {res['p99']:7.2f} ms cpu {res['cpu_us'] or 0:7.1f} us/req errors {res['errors']}")
        ev_rc = stop(ev)
        results["serve_exit"] = ev_rc
    finally:
        stop(ev)
        stop(ng, signal.SIGQUIT)
    results["serve"] = {"data": data, "cases": [c[0] for c in cases], "small": small, "large": large,
                        "sizes": sizes, "gz_sizes": gz_sizes, "pages": n, "checks": checks,
                        "reps": reps, "duration": duration}


def serve_tables(s):
    out = ["## Serve", "",
           f"`evfeed serve` (--threads 2, --no-access-log) and nginx (2 workers, sendfile, gzip_static, etag, "
           f"access_log off) serving the `evfeed build` output of a {s['pages']}-page site on loopback; "
           f"`wrk -t2 -c64 -d{s['duration']}s --latency`, {s['reps']} runs each, evfeed and nginx alternating. "
           f"Small: `{s['small']}` ({s['sizes'][s['small']]:,} B, {s['gz_sizes'][s['small']]:,} B gzip); "
           f"large: `{s['large']}` ({s['sizes'][s['large']]:,} B, {s['gz_sizes'][s['large']]:,} B gzip). "
           "304: `If-None-Match` with the server's own ETag of the identity response. Server CPU per request: "
           "utime+stime of the server's processes (/proc/PID/stat) over the run, divided by the requests. "
           "wrk runs on the same 2 cores.", "",
           "| case | server | req/s (median) | p50 ms | p99 ms | server CPU µs/req | errors |",
           "|---|---|---:|---:|---:|---:|---:|"]
    d = s["data"]
    for case in s["cases"]:
        for name in ("evfeed", "nginx"):
            rs = d.get((case, name), [])
            if not rs:
                continue
            out.append(f"| {case} | {name} | {median([r['rps'] for r in rs]):,.0f} | {fmt(median([r['p50'] for r in rs]), 3)} | "
                       f"{fmt(median([r['p99'] for r in rs]), 3)} | {fmt(median([r['cpu_us'] for r in rs if r['cpu_us'] is not None]), 1)} | "
                       f"{sum(r['errors'] for r in rs)} |")
    out += ["", "| case | evfeed / nginx req/s | evfeed / nginx p99 | evfeed / nginx CPU per request |", "|---|---:|---:|---:|"]
    for case in s["cases"]:
        e, g = d.get((case, "evfeed")), d.get((case, "nginx"))
        if not e or not g:
            continue
        rr = median([r["rps"] for r in e]) / median([r["rps"] for r in g])
        pr = median([r["p99"] for r in e]) / median([r["p99"] for r in g])
        gc = median([r["cpu_us"] for r in g])
        cr = median([r["cpu_us"] for r in e]) / gc if gc else None
        out.append(f"| {case} | {rr:.2f}x | {pr:.2f}x | {fmt(cr)}x |")
    out += ["", "Checks before the runs:", ""] + [f"- {c}" for c in s["checks"]]
    return out


def serve_targets(s):
    d = s["data"]
    worst_r, worst_p = None, None
    for case in s["cases"]:
        e, g = d.get((case, "evfeed")), d.get((case, "nginx"))
        if not e or not g:
            continue
        rr = (median([r["rps"] for r in e]) / median([r["rps"] for r in g]), case)
        pr = (median([r["p99"] for r in e]) / median([r["p99"] for r in g]), case)
        worst_r = rr if worst_r is None or rr[0] < worst_r[0] else worst_r
        worst_p = pr if worst_p is None or pr[0] > worst_p[0] else worst_p
    t = []
    if worst_r:
        t.append(f"| serve ≥ 0.9x nginx req/s in every case | worst {worst_r[0]:.2f}x ({worst_r[1]}) | {verdict(worst_r[0] >= 0.9)} |")
        t.append(f"| serve p99 ≤ 1.5x nginx's in every case | worst {worst_p[0]:.2f}x ({worst_p[1]}) | {verdict(worst_p[0] <= 1.5)} |")
    return t


# ----------------------------------------------------------------------------------- reload

def reload_bench(quick, results):
    n = 10000
    src = ensure_site(n)
    site = os.path.join(WORK, "reload-site")
    shutil.rmtree(site, ignore_errors=True)
    sh(["cp", "-a", src, site])
    idx = 5002  # a published page (gen_site.py: drafts are i % 20 == 7; zh when i % 3)
    page = os.path.join(site, "zh" if idx % 3 else "en", "event", f"{idx // 1000:03d}", f"meetup-{idx:06d}.md")
    ev_path = f"/events/meetup-{idx:06d}.ics"
    port = free_port()
    t0 = time.perf_counter()
    proc = start_evfeed_serve(site, port)
    stats = {"load_ok": 0, "load_bad": 0, "poll_ok": 0, "poll_bad": 0, "errors": []}
    lock = threading.Lock()
    stop_flag = threading.Event()
    try:
        wait_http(port, "/healthz", timeout=600, proc=proc)
        startup = time.perf_counter() - t0

        def loader():
            conn = None
            while not stop_flag.is_set():
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    conn.request("GET", "/calendar.ics", headers={"Accept-Encoding": "gzip"})
                    r = conn.getresponse()
                    body = r.read()
                    ok = r.status == 200 and len(body) == int(r.getheader("Content-Length", len(body)))
                    with lock:
                        stats["load_ok" if ok else "load_bad"] += 1
                        if not ok:
                            stats["errors"].append(f"calendar.ics: {r.status}")
                except Exception as e:  # any failure under reload counts
                    with lock:
                        stats["load_bad"] += 1
                        stats["errors"].append(f"calendar.ics: {type(e).__name__}: {e}")
                    conn = None
                time.sleep(0.02)

        def fetch(conn):
            conn.request("GET", ev_path)
            r = conn.getresponse()
            body = r.read()
            return r.status, body

        loaders = [threading.Thread(target=loader, daemon=True) for _ in range(2)]
        for t in loaders:
            t.start()
        time.sleep(1.0)
        times = []
        reps = 3 if quick else 5
        original = open(page, encoding="utf-8").read()
        pconn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for r in range(reps):
            title = f"Reload bench {r} {os.getpid()}"
            text = re.sub(r'^title: .*$', f'title: "{title}"', original, count=1, flags=re.M)
            want = f"SUMMARY:{title}".encode()
            t_edit = time.perf_counter()
            with open(page, "w", encoding="utf-8") as f:  # an editor saving in place
                f.write(text)
            seen = None
            while time.perf_counter() - t_edit < 60:
                try:
                    st, body = fetch(pconn)
                    ok = st == 200
                except Exception as e:
                    ok, body = False, b""
                    with lock:
                        stats["errors"].append(f"{ev_path}: {type(e).__name__}: {e}")
                    pconn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                with lock:
                    stats["poll_ok" if ok else "poll_bad"] += 1
                if ok and want in body.replace(b"\r\n ", b""):
                    seen = time.perf_counter() - t_edit
                    break
                time.sleep(0.01)
            times.append(seen)
            log(f"  reload {r}: {'%.3f s' % seen if seen is not None else 'not seen within 60 s'}")
            time.sleep(1.5)
        stop_flag.set()
        for t in loaders:
            t.join(60)
        st, h, body = http_get(port, "/healthz")
        health = f"{st} {body[:300].decode(errors='replace').strip()}"
        rc = stop(proc)
    finally:
        stop_flag.set()
        stop(proc)
    results["reload"] = {"times": times, "startup": startup, "stats": stats, "health": health, "exit": rc, "pages": n}


def reload_tables(rl):
    t = [x for x in rl["times"] if x is not None]
    s = rl["stats"]
    out = ["## Reload", "",
           f"`evfeed serve` over a copy of the {rl['pages']:,}-page site (ready {rl['startup']:.2f} s after start). "
           "Two clients fetch `/calendar.ics` (gzip) in a loop, 20 ms apart; a page's title is rewritten in "
           "place and `/events/<slug>.ics` is polled every 10 ms until its SUMMARY shows the new title.", "",
           "| edits | edit → new bytes, median s | min s | max s | requests during the run | failed or non-200 |",
           "|---:|---:|---:|---:|---:|---:|",
           f"| {len(rl['times'])} ({len(t)} seen) | {fmt(median(t), 3)} | {fmt(min(t) if t else None, 3)} | "
           f"{fmt(max(t) if t else None, 3)} | {s['load_ok'] + s['load_bad'] + s['poll_ok'] + s['poll_bad']:,} "
           f"({s['load_ok'] + s['load_bad']:,} calendar, {s['poll_ok'] + s['poll_bad']:,} polls) | {s['load_bad'] + s['poll_bad']} |",
           "", f"/healthz after the edits: `{rl['health']}`; exit status on SIGTERM: {rl['exit']}."]
    if s["errors"]:
        out += ["", "Failures: " + "; ".join(sorted(set(s["errors"]))[:10])]
    return out


def reload_targets(rl):
    t = [x for x in rl["times"] if x is not None]
    worst = max(t) if len(t) == len(rl["times"]) and t else None
    fails = rl["stats"]["load_bad"] + rl["stats"]["poll_bad"]
    return [f"| reload 10k < 1 s | median {fmt(median(t), 3)} s, max {fmt(worst, 3)} s | {verdict(worst is not None and worst < 1)} |",
            f"| zero failed requests while reloading | {fails} | {verdict(fails == 0)} |"]


# ----------------------------------------------------------------------------------- profile

def profile(results):
    site = ensure_site(10000)
    out = os.path.join(WORK, "out-profile")
    shutil.rmtree(out, ignore_errors=True)
    data = os.path.join(WORK, "perf.data")
    sh(["perf", "record", "-F", "499", "-g", "-o", data, "--", BIN, "build", "--quiet", "--config", CONFIG,
        "--base-url", BASE_URL, "--content", site, "--out", out])
    dsos = sh(["perf", "report", "-i", data, "--no-children", "--sort", "dso", "--stdio", "-g", "none", "--percent-limit", "1"])
    syms = sh(["perf", "report", "-i", data, "--no-children", "--sort", "dso,sym", "--stdio", "-g", "none",
               "--percent-limit", "1"])
    keep = lambda s: [l for l in s.splitlines() if l.strip() and not l.startswith("#")][:40]
    results["profile"] = ["## Profile (perf record, 10k cold build)", "", "```"] + keep(dsos) + ["```", "", "```"] + keep(syms) + ["```"]


# ----------------------------------------------------------------------------------- main

def machine_info():
    cpu = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read())
    mem = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1)) / 1024 / 1024
    import icalendar
    import yaml
    ev_ver = sh([BIN, "--version"]).strip()
    with open(BIN, "rb") as f:
        ev_sha = hashlib.sha256(f.read()).hexdigest()[:12]
    return [f"- machine: {os.cpu_count()} cores (`nproc` {sh(['nproc']).strip()}), {cpu.group(1) if cpu else '?'}, "
            f"{mem:.1f} GiB RAM, {platform.system()} {platform.release()}; load average at start "
            f"{open('/proc/loadavg').read().split()[0]} (shared machine: other jobs run too)",
            f"- evfeed: {ev_ver} (binary sha256 {ev_sha}…, built {time.strftime('%Y-%m-%d %H:%M', time.localtime(os.path.getmtime(BIN)))})",
            f"- hugo: {sh(['hugo', 'version']).strip()}",
            f"- nginx: {sh(['nginx', '-v']).strip()}",
            f"- python: {platform.python_version()}, icalendar {icalendar.__version__}, PyYAML {yaml.__version__} "
            f"(libyaml CLoader: {yaml.__with_libyaml__})",
            f"- wrk: {subprocess.run(['wrk', '--version'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout.splitlines()[0].strip()}"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="1k and 10k builds, 3 repetitions, 3 s wrk runs")
    ap.add_argument("--only", default="build,serve,reload")
    ap.add_argument("--sizes", default=None, help="page counts of the build benchmark, comma-separated")
    ap.add_argument("--profile", action="store_true", help="also perf-record a 10k cold build")
    ap.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--command", default=None, help="the command line to record in the results")
    args = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    parts = args.only.split(",")
    started = datetime.datetime.now(datetime.timezone.utc)
    head = ["# evfeed benchmark results", "",
            f"- date: {started.strftime('%Y-%m-%d %H:%M UTC')}",
            f"- command: `{args.command or ' '.join(sys.argv)}` (from the repository root)"] + machine_info()
    results = {}
    targets = []
    body = []
    if "build" in parts:
        sizes = [int(x) for x in args.sizes.split(",")] if args.sizes else ([1000, 10000] if args.quick else [1000, 10000, 100000])
        reps = {n: (3 if args.quick else (5 if n <= 10000 else 3)) for n in sizes}
        log("build benchmark")
        rows = build_bench(sizes, reps, results)
        body += [""] + build_tables(rows)
        if results["build_notes"]:
            body += [""] + [f"- {x}" for x in results["build_notes"]]
        body += ["", "Outputs differ in volume: evfeed writes calendar.ics, calendar-alarms.ics, one .ics per event, "
                 "RSS/Atom/JSON Feed (100 items), one set per topic/location feed (8 in tests/bench/evfeed.yaml) and per "
                 "language (en, zh), index.html and a .gz copy of every file but the per-event .ics, each through a temporary file and a rename, "
                 "then one syncfs; its DESCRIPTIONs are the Markdown bodies as plain text, folded at 75 octets, with one VTIMEZONE "
                 "per zone. Hugo writes 3 files: the event section's calendar (hand-written template: DTSTART from .Date "
                 "with the page's timezone param, DESCRIPTION from .Plain, so every page's Markdown is rendered; no "
                 "folding, no VTIMEZONE) and two RSS feeds of 100 items. Python icalendar writes one .ics (DESCRIPTION = "
                 "the Markdown source, folded, no VTIMEZONE)."]
        targets += build_targets(rows)
    if args.profile:
        log("profile")
        profile(results)
        body += [""] + results["profile"]
    if "serve" in parts:
        log("serve benchmark")
        serve_bench(args.quick, results)
        body += [""] + serve_tables(results["serve"])
        targets += serve_targets(results["serve"])
    if "reload" in parts:
        log("reload benchmark")
        reload_bench(args.quick, results)
        body += [""] + reload_tables(results["reload"])
        targets += reload_targets(results["reload"])
    shutil.rmtree(TRASH, ignore_errors=True)  # every measurement is done
    elapsed = (datetime.datetime.now(datetime.timezone.utc) - started).total_seconds()
    summary = ["", "## Issue 7 targets (medians of this run)", "", "| target | measured | |", "|---|---|---|"] + targets
    text = "\n".join(head + [f"- duration of the run: {elapsed / 60:.1f} min; load average at the end "
                             f"{open('/proc/loadavg').read().split()[0]}"] + summary + body) + "\n"
    print(text)
    with open(args.results, "w") as f:
        f.write(text)
    log(f"written {args.results}")


if __name__ == "__main__":
    main()
