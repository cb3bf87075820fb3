#!/usr/bin/env python3
"""Server abuse on loopback: idle floods, slowloris, oversized headers, request smuggling,
pipelined garbage, clients that reset mid-response, SIGTERM under load, fd exhaustion.

    tests/abuse/server-abuse.py build/evfeed [--repo DIR] [--quick] [--phase NAME ...]

Starts `evfeed serve` itself on a free 127.0.0.1 port over a copy of feeds/content with
feeds/config.yaml. Throughout, a watcher asks /healthz every 200 ms (it must answer 200
within 2 s) and samples the server's RSS from /proc. Prints one line per check and the
numbers; exit status 1 when a check failed. Nothing leaves loopback.
"""
import argparse
import json
import os
import random
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HOST = "127.0.0.1"
RESULTS = {"checks": [], "phases": {}}
WATCHER = None
FAILED = []


def check(ok, what, detail=""):
    RESULTS["checks"].append({"ok": bool(ok), "what": what, "detail": detail})
    print(("  PASS " if ok else "  FAIL ") + what + (f" ({detail})" if detail else ""), flush=True)
    if not ok:
        FAILED.append(what)
    return ok


def raise_nofile(n=65536):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = n if hard == resource.RLIM_INFINITY else min(n, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port():
    s = socket.socket()
    s.bind((HOST, 0))
    p = s.getsockname()[1]
    s.close()
    return p


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        return (int(parts[11]) + int(parts[12])) / tick
    except OSError:
        return None


def open_fds(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def http_get(port, path="/healthz", timeout=2.0, headers=None):
    """One request on a fresh connection; returns (status, headers dict, body) or raises."""
    s = socket.create_connection((HOST, port), timeout=timeout)
    try:
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{extra}\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    return status, hdrs, body


def read_response(sock, timeout=5.0):
    """Reads one HTTP response (Content-Length framed) from a keep-alive socket."""
    sock.settimeout(timeout)
    buf = getattr(sock, "_buf", b"")
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            sock._buf = buf
            return None
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for l in lines[1:]:
        k, _, v = l.partition(":")
        if k.strip().lower() == "content-length":
            length = int(v.strip())
    no_body = getattr(sock, "_head", False) or status == 304
    if no_body:
        length = 0
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    sock._buf = rest[length:]
    return status, rest[:length]


class RawSock(socket.socket):
    pass


def raw_connect(port, timeout=5.0):
    s = RawSock(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((HOST, port))
    s._buf = b""
    return s


def closed_by_peer(sock, timeout=3.0):
    """True when the server closed the connection (EOF or reset) within timeout."""
    sock.settimeout(timeout)
    try:
        while True:
            d = sock.recv(65536)
            if not d:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


class Server:
    def __init__(self, binary, content, config, nofile=65536, threads=2, extra=()):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="evfeed-serve-", suffix=".log", delete=False)

        def limits():
            hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            soft = nofile if hard == resource.RLIM_INFINITY else min(nofile, hard)
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
        self.proc = subprocess.Popen(
            [binary, "serve", "--content", content, *(["--config", config] if config else []), "--listen", f"{HOST}:{self.port}",
             "--threads", str(threads), "--no-access-log", "--poll", "500", *extra],
            stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=limits, env=env)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if http_get(self.port)[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("evfeed serve did not come up: " + self.tail())

    def tail(self, n=2000):
        with open(self.log.name, "rb") as f:
            return f.read()[-n:].decode("utf-8", "replace")

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


class Watcher(threading.Thread):
    """Polls /healthz and RSS until stopped; keeps per-phase numbers."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.server = server
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with getattr(self, "lock", threading.Lock()):
            self.ok = 0
            self.failures = []
            self.max_latency = 0.0
            self.max_rss = 0
            self.rss_samples = []

    def run(self):
        while not self.stop_flag.is_set():
            t0 = time.time()
            try:
                status = http_get(self.server.port, "/healthz", timeout=2.0)[0]
                lat = time.time() - t0
                with self.lock:
                    if status == 200:
                        self.ok += 1
                    else:
                        self.failures.append(f"status {status}")
                    self.max_latency = max(self.max_latency, lat)
            except OSError as e:
                with self.lock:
                    self.failures.append(f"{type(e).__name__}: {e}")
                    self.max_latency = max(self.max_latency, time.time() - t0)
            r = rss_kb(self.server.proc.pid)
            if r:
                with self.lock:
                    self.max_rss = max(self.max_rss, r)
                    self.rss_samples.append(r)
            self.stop_flag.wait(0.2)

    def snapshot(self):
        with self.lock:
            return {"healthz_ok": self.ok, "healthz_failures": len(self.failures),
                    "first_failures": self.failures[:3], "healthz_max_latency_ms": round(self.max_latency * 1000, 1),
                    "max_rss_kb": self.max_rss}


def phase(name, watcher, server, fn, quick, ends_server=False):
    print(f"== {name}", flush=True)
    watcher.reset()
    t0 = time.time()
    numbers = fn(server, quick) or {}
    numbers["seconds"] = round(time.time() - t0, 1)
    if not ends_server:
        time.sleep(max(0.0, 1.0 - (time.time() - t0)))  # at least a few watcher rounds
        try:
            final = http_get(server.port, "/healthz", timeout=2.0)[0]
        except OSError as e:
            final = type(e).__name__
    snap = watcher.snapshot()
    numbers.update(snap)
    numbers["rss_after_kb"] = rss_kb(server.proc.pid)
    numbers["fds_after"] = open_fds(server.proc.pid)
    RESULTS["phases"][name] = numbers
    detail = (f"{snap['healthz_ok']} ok, {snap['healthz_failures']} failed {snap['first_failures']}, "
              f"max {snap['healthz_max_latency_ms']} ms")
    if ends_server:
        # Until the signal the watcher must have had answers; refusals after it are expected.
        check(snap["healthz_ok"] > 0, f"{name}: /healthz answered until SIGTERM", detail)
    else:
        check(server.alive(), f"{name}: server still running")
        check(snap["healthz_failures"] == 0 and snap["healthz_ok"] > 0 and final == 200,
              f"{name}: /healthz answered throughout", detail + f", after the phase: {final}")
    print(f"  numbers: {json.dumps(numbers)}", flush=True)


# --- phases ------------------------------------------------------------------------------

def idle_flood(server, quick):
    n = 1000
    socks = []
    for _ in range(n):
        s = socket.create_connection((HOST, server.port), timeout=5)
        socks.append(s)
    time.sleep(1.0)
    held_rss = rss_kb(server.proc.pid)
    fds = open_fds(server.proc.pid)
    check(fds is not None and fds >= n, f"idle: {n} idle connections accepted", f"server has {fds} fds open")
    status, _, body = http_get(server.port, "/metrics")
    open_metric = next((l for l in body.decode().splitlines() if l.startswith("evfeed_connections_open ")), "")
    # The server closes idle connections after 30 s.
    wait = 10 if quick else 40
    deadline = time.time() + wait
    closed = 0
    for s in socks:
        left = max(0.05, deadline - time.time())
        if closed_by_peer(s, timeout=left):
            closed += 1
    close_time = round(time.time() - (deadline - wait), 1)
    for s in socks:
        s.close()
    if not quick:
        check(closed == n, "idle: every idle connection closed by the server within 40 s", f"{closed}/{n} closed")
    return {"connections": n, "rss_with_idle_kb": held_rss, "fds_with_idle": fds, "metric": open_metric,
            "closed_by_server": closed, "waited_s": close_time}


def slowloris(server, quick):
    n = 200
    duration = 12 if quick else 45
    socks = []
    for _ in range(n):
        s = socket.create_connection((HOST, server.port), timeout=5)
        s.setblocking(False)
        socks.append(s)
    request = b"GET /calendar.ics HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200 + b"\r\n\r\n"
    t0 = time.time()
    sent = [0] * n
    closed_at = [None] * n
    while time.time() - t0 < duration and any(c is None for c in closed_at):
        for i, s in enumerate(socks):
            if closed_at[i] is not None:
                continue
            try:
                if sent[i] < len(request) - 4:  # never finish the headers
                    s.send(request[sent[i]:sent[i] + 1])
                    sent[i] += 1
                d = s.recv(4096)
                if d == b"" or d:
                    closed_at[i] = time.time() - t0
            except BlockingIOError:
                pass
            except (ConnectionResetError, BrokenPipeError):
                closed_at[i] = time.time() - t0
        time.sleep(1.0)
    for s in socks:
        s.close()
    done = [c for c in closed_at if c is not None]
    if not quick:
        check(len(done) == n and max(done) <= 40, "slowloris: one-byte-per-second clients cut off (header deadline)",
              f"{len(done)}/{n} closed, last after {max(done) if done else None:.1f} s")
    return {"connections": n, "bytes_sent_each_max": max(sent), "closed": len(done),
            "first_close_s": round(min(done), 1) if done else None, "last_close_s": round(max(done), 1) if done else None}


def oversized_headers(server, quick):
    out = {}
    cases = {
        "one_16k_header": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 16384 + b"\r\n\r\n",
        "many_headers_12k": b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 100) for i in range(120)) + b"\r\n",
        "long_target_100k": b"GET /" + b"c" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        "huge_1mb_header": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"d" * (1 << 20) + b"\r\n\r\n",
    }
    for name, req in cases.items():
        s = raw_connect(server.port)
        try:
            s.sendall(req)
        except (ConnectionResetError, BrokenPipeError):
            pass
        try:
            r = read_response(s)
            status = r[0] if r else None
        except (ConnectionResetError, socket.timeout):
            status = "reset"
        closed = closed_by_peer(s)
        s.close()
        out[name] = {"status": status, "closed": closed}
        check(status == 431 or (name == "long_target_100k" and status in (414, 431, 400)),
              f"headers: {name} refused with 431", f"got {status}, connection closed: {closed}")
        check(closed, f"headers: {name}: connection closed after the refusal")
    return out


def smuggling(server, quick):
    out = {}
    smuggled = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
    cases = {
        "cl_and_te": (b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                      % (5 + len(smuggled))) + smuggled,
        "te_and_cl": b"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n" + smuggled,
        "te_chunked_body": b"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + smuggled,
        "te_obfuscated": b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n" + smuggled,
        "two_cl": b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 40\r\n\r\n" + smuggled,
        "cl_body": b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(smuggled) + smuggled,
        "te_identity_cl": b"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\nContent-Length: 5\r\n\r\nhello" + smuggled,
    }
    for name, req in cases.items():
        s = raw_connect(server.port)
        s.sendall(req)
        statuses = []
        try:
            while True:
                r = read_response(s, timeout=3)
                if r is None:
                    break
                statuses.append(r[0])
                if r[1].startswith(b"# HELP"):
                    statuses.append("SMUGGLED /metrics answered")
        except (ConnectionResetError, socket.timeout):
            pass
        s.close()
        out[name] = statuses
        first = statuses[0] if statuses else None
        check(first in (400, 413) and "SMUGGLED /metrics answered" not in statuses and len(statuses) == 1,
              f"smuggling: {name} refused, nothing behind it answered", f"responses {statuses}")
    return out


def pipelined_garbage(server, quick):
    out = {}
    # 100 valid pipelined requests in one write: 100 answers in order.
    s = raw_connect(server.port)
    paths = ["/calendar.ics", "/rss.xml", "/healthz", "/nothing", "/atom.xml"]
    s.sendall(b"".join(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % paths[i % 5].encode() for i in range(100)))
    got = []
    for _ in range(100):
        r = read_response(s)
        if r is None:
            break
        got.append(r[0])
    s.close()
    want = [200, 200, 200, 404, 200] * 20
    check(got == want, "pipelining: 100 pipelined requests answered in order", f"{len(got)} answers")
    out["pipelined_ok"] = len(got)
    # A valid request, then garbage, then a valid request.
    s = raw_connect(server.port)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n\x00\xff\x13garbage \r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    statuses = []
    try:
        while True:
            r = read_response(s, timeout=3)
            if r is None:
                break
            statuses.append(r[0])
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    check(statuses[:1] == [200] and (statuses[1:2] == [400] or len(statuses) == 1) and len(statuses) <= 2,
          "pipelining: garbage after a request gets 400 and a close", f"responses {statuses}")
    out["garbage_responses"] = statuses
    # Random binary garbage on 200 connections.
    rnd = random.Random(8)
    answered = {}
    for _ in range(200 if not quick else 50):
        s = raw_connect(server.port)
        try:
            s.sendall(bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 20000))) + b"\r\n\r\n")
            r = read_response(s, timeout=3)
            k = r[0] if r else "closed"
        except (ConnectionResetError, BrokenPipeError, socket.timeout) as e:
            k = type(e).__name__
        answered[k] = answered.get(k, 0) + 1
        s.close()
    check(set(answered) <= {400, 431, 413, "closed", "ConnectionResetError", "BrokenPipeError"},
          "pipelining: random binary garbage refused", f"{answered}")
    out["random_garbage"] = {str(k): v for k, v in answered.items()}
    return out


def resets(server, quick):
    """Clients that ask for a lot, read a little, then reset (SO_LINGER 0)."""
    n = 1000 if not quick else 200
    errors = 0
    lock = threading.Lock()

    def one(i):
        nonlocal errors
        try:
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.settimeout(5)
            s.connect((HOST, server.port))
            path = [b"/calendar.ics", b"/calendar-alarms.ics", b"/index.html", b"/feed.json"][i % 4]
            s.sendall(b"".join(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path for _ in range(50)))
            s.recv(100 + i % 3000)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()  # RST while the server is writing
        except OSError:
            with lock:
                errors += 1

    threads = []
    for i in range(n):
        t = threading.Thread(target=one, args=(i,))
        t.start()
        threads.append(t)
        if len(threads) >= 50:
            for t in threads:
                t.join()
            threads = []
    for t in threads:
        t.join()
    time.sleep(2)
    body = http_get(server.port, "/metrics")[2].decode()
    open_metric = next((l for l in body.splitlines() if l.startswith("evfeed_connections_open ")), "")
    left = int(open_metric.split()[1]) if open_metric else -1
    check(0 <= left <= 5, "resets: connections released after client resets", open_metric)
    return {"clients": n, "client_errors": errors, "connections_open_after": left}


def filter_cache_flood(server, quick):
    """Distinct filtered queries: each is rendered once and cached (at most 512 per snapshot)."""
    n = 1500 if not quick else 600
    rss0 = rss_kb(server.proc.pid)
    sizes = 0
    statuses = {}
    s = raw_connect(server.port)
    for i in range(n):
        path = ["/calendar.ics", "/rss.xml", "/atom.xml", "/feed.json"][i % 4]
        # Distinct instants, all before every event: each query is a full calendar or feed.
        q = f"?from=1990-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z&to=2999-01-0{1 + i // 3600 % 9}"
        try:
            s.sendall(f"GET {path}{q} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            r = read_response(s)
        except OSError:
            r = None
        if r is None:
            s.close()
            s = raw_connect(server.port)
            continue
        statuses[r[0]] = statuses.get(r[0], 0) + 1
        sizes += len(r[1])
    s.close()
    rss1 = rss_kb(server.proc.pid)
    full = http_get(server.port, "/calendar.ics")[2]
    return {"queries": n, "statuses": {str(k): v for k, v in statuses.items()}, "bytes_received": sizes,
            "calendar_ics_bytes": len(full), "rss_before_kb": rss0, "rss_after_kb_flood": rss1,
            "rss_growth_kb": (rss1 or 0) - (rss0 or 0)}


def sigterm_under_load(server, quick):
    stop = threading.Event()
    stats = {"complete": 0, "truncated": 0, "refused": 0, "other": 0}
    lock = threading.Lock()

    def worker():
        while not stop.is_set():
            try:
                s = raw_connect(server.port, timeout=5)
            except OSError:
                with lock:
                    stats["refused"] += 1
                time.sleep(0.05)
                continue
            try:
                for _ in range(20):
                    s.sendall(b"GET /calendar.ics HTTP/1.1\r\nHost: x\r\n\r\n")
                    r = read_response(s)
                    if r is None:
                        break
                    with lock:
                        if r[0] == 200 and r[1].endswith(b"END:VCALENDAR\r\n"):
                            stats["complete"] += 1
                        elif r[0] == 200:
                            stats["truncated"] += 1
                        else:
                            stats["other"] += 1
            except OSError:
                pass
            finally:
                s.close()

    idle = [socket.create_connection((HOST, server.port)) for _ in range(100)]
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(16)]
    for t in threads:
        t.start()
    time.sleep(3)
    t0 = time.time()
    WATCHER.stop_flag.set()
    server.proc.send_signal(signal.SIGTERM)
    try:
        rc = server.proc.wait(10)
    except subprocess.TimeoutExpired:
        rc = "still running after 10 s"
        if shutil.which("gdb"):  # where is it stuck?
            dump = server.log.name + ".stacks"
            with open(dump, "w") as f:
                subprocess.run(["gdb", "-q", "-batch", "-p", str(server.proc.pid), "-ex", "thread apply all bt 20"],
                               stdout=f, stderr=subprocess.STDOUT, timeout=120)
            rc += f" (thread stacks in {dump})"
        server.proc.kill()
        server.proc.wait()
    exit_s = round(time.time() - t0, 2)
    stop.set()
    for t in threads:
        t.join(5)
    for s in idle:
        s.close()
    check(rc == 0, "sigterm: exit status 0 under load", f"rc {rc}")
    check(rc == 0 and exit_s <= 5.0, "sigterm: exited within 5 s", f"{exit_s} s")
    check(stats["truncated"] == 0, "sigterm: no response cut short", f"{stats}")
    return {"exit_status": rc, "exit_seconds": exit_s, **stats}


def fd_exhaustion(binary, content, config, quick):
    """A server with RLIMIT_NOFILE 256 gets 400 connections: it must not spin on EMFILE."""
    print("== fd-exhaustion (RLIMIT_NOFILE 256 on the server)", flush=True)
    srv = Server(binary, content, config, nofile=256)
    try:
        srv_events_before = http_get(srv.port, "/calendar.ics")[2].count(b"BEGIN:VEVENT")
        socks = []
        for _ in range(400):
            try:
                socks.append(socket.create_connection((HOST, srv.port), timeout=2))
            except OSError:
                break
        time.sleep(1)
        c0 = cpu_seconds(srv.proc.pid)
        time.sleep(10)
        c1 = cpu_seconds(srv.proc.pid)
        cpu = round((c1 - c0) / 10 * 100, 1) if c0 is not None and c1 is not None else None
        before = srv_events_before
        for s in socks[:200]:
            s.close()
        # The first answers after the flood: is the snapshot still the full site?
        events_after = None
        try:
            events_after = http_get(srv.port, "/calendar.ics", timeout=5)[2].count(b"BEGIN:VEVENT")
        except OSError:
            pass
        time.sleep(1)
        try:
            status = http_get(srv.port, "/healthz", timeout=5)[0]
        except OSError as e:
            status = type(e).__name__
        for s in socks[200:]:
            s.close()
        numbers = {"client_connections": len(socks), "server_cpu_percent_while_over_limit": cpu,
                   "healthz_after_release": status, "events_before": before,
                   "events_in_first_answer_after_release": events_after, "rss_kb": rss_kb(srv.proc.pid)}
        RESULTS["phases"]["fd-exhaustion"] = numbers
        check(cpu is not None and cpu < 50, "fd-exhaustion: no busy accept loop at the fd limit", f"{cpu}% CPU")
        check(status == 200, "fd-exhaustion: answers again once connections are released", f"{status}")
        check(events_after == before, "fd-exhaustion: the snapshot survives (no reload from an unreadable folder)",
              f"{before} events before, {events_after} in the first calendar.ics after; log: "
              + "; ".join(l for l in srv.tail(3000).splitlines() if "Too many open files" in l or "reloaded" in l)[:300])
        print(f"  numbers: {json.dumps(numbers)}", flush=True)
    finally:
        srv.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--repo", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    ap.add_argument("--quick", action="store_true", help="shorter waits (the 30 s idle timeout is not awaited)")
    ap.add_argument("--phase", action="append", help="run only these phases")
    ap.add_argument("--json", help="write the numbers here")
    ap.add_argument("--content", help="content folder to copy and serve (default: feeds/content)")
    ap.add_argument("--config", help="site config (default: feeds/config.yaml; '' for none)")
    args = ap.parse_args()
    nofile = raise_nofile()
    repo = os.path.abspath(args.repo)
    work = tempfile.mkdtemp(prefix="evfeed-abuse-")
    content = os.path.join(work, "content")
    shutil.copytree(args.content or os.path.join(repo, "feeds", "content"), content, symlinks=True)
    config = os.path.join(repo, "feeds", "config.yaml") if args.config is None else args.config
    binary = os.path.abspath(args.binary)
    print(f"server-abuse: {binary}, client RLIMIT_NOFILE {nofile}", flush=True)
    phases = [("idle-1000", idle_flood), ("slowloris", slowloris), ("oversized-headers", oversized_headers),
              ("smuggling", smuggling), ("pipelined-garbage", pipelined_garbage), ("resets", resets),
              ("filter-cache-flood", filter_cache_flood),
              ("sigterm-under-load", sigterm_under_load)]
    wanted = set(args.phase or [n for n, _ in phases] + ["fd-exhaustion"])
    global WATCHER
    server = Server(binary, content, config)
    watcher = WATCHER = Watcher(server)
    watcher.start()
    RESULTS["rss_start_kb"] = rss_kb(server.proc.pid)
    print(f"server pid {server.proc.pid} on port {server.port}, RSS {RESULTS['rss_start_kb']} KB", flush=True)
    try:
        for name, fn in phases:
            if name not in wanted:
                continue
            if not server.alive():
                check(False, f"{name}: server died earlier", server.tail(500))
                break
            phase(name, watcher, server, fn, args.quick, ends_server=(name == "sigterm-under-load"))
        if server.alive() and "sigterm-under-load" not in wanted:
            RESULTS["rss_end_kb"] = rss_kb(server.proc.pid)
    finally:
        watcher.stop_flag.set()
        server.stop()
    if "fd-exhaustion" in wanted:
        fd_exhaustion(binary, content, config, args.quick)
    peaks = [p.get("max_rss_kb", 0) for p in RESULTS["phases"].values() if p.get("max_rss_kb")]
    RESULTS["rss_peak_kb"] = max(peaks) if peaks else None
    start = RESULTS["rss_start_kb"] or 1
    check(RESULTS["rss_peak_kb"] is not None and RESULTS["rss_peak_kb"] < max(4 * start, 256 * 1024),
          "memory: RSS stays bounded", f"start {start} KB, peak {RESULTS['rss_peak_kb']} KB")
    sanitizer = [l for l in server.tail(20000).splitlines() if "Sanitizer" in l or "runtime error" in l]
    check(not sanitizer, "no sanitizer report in the server log", "; ".join(sanitizer[:2]))
    print(f"server log: {server.log.name}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(RESULTS, f, indent=1)
    shutil.rmtree(work, ignore_errors=True)
    print(f"\nserver-abuse: {len(RESULTS['checks']) - len(FAILED)} passed, {len(FAILED)} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
