#!/usr/bin/env python3
"""Soak: wrk at about 80% of the server's peak for SECONDS while a page is edited every
second. Passes when every response was 200 or 304, wrk saw no socket errors, every edit
reached the served calendar, and the server's RSS grew less than 10% from the end of the
first minute (warm: caches filled, first reloads done) to the end.

    tests/abuse/soak.py build/evfeed [--seconds 600] [--repo DIR] [--json FILE]

Starts `evfeed serve` on a free 127.0.0.1 port over a copy of feeds/content with
feeds/config.yaml. Needs wrk (apt-get install wrk). Nothing leaves loopback.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

PATHS = ["/calendar.ics", "/rss.xml", "/atom.xml", "/feed.json", "/index.html",
         "/topics/service-mesh/calendar.ics", "/events/service-mesh-meetup-08.ics", "/healthz"]

# wrk script: rotates over PATHS, half the requests conditional (If-None-Match with the
# ETag last seen for that path, so the 304 path is exercised), tallies status codes.
LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  paths = {%s}
  etags = {}
  counts = {}
  n = 0
end
function request()
  n = n + 1
  local p = paths[(n %% #paths) + 1]
  last = p
  local h = {["Accept-Encoding"] = (n %% 3 == 0) and "identity" or "gzip"}
  if n %% 2 == 0 and etags[p] then h["If-None-Match"] = etags[p] end
  return wrk.format("GET", p, h)
end
function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if headers["ETag"] then etags[last] = headers["ETag"] end
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("counts")) do total[k] = (total[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format('"%%d": %%d', k, v)) end
  io.write("STATUS {" .. table.concat(parts, ", ") .. "}\n")
  io.write(string.format("ERRORS %%d %%d %%d %%d %%d\n", summary.errors.connect, summary.errors.read,
                         summary.errors.write, summary.errors.status, summary.errors.timeout))
  io.write(string.format("REQUESTS %%d\n", summary.requests))
end
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wrk(url, script, seconds, threads, conns):
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{conns}", f"-d{seconds}s", "-s", script, url],
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    status = json.loads(re.search(r"^STATUS (.*)$", out, re.M).group(1))
    errors = [int(x) for x in re.search(r"^ERRORS (.*)$", out, re.M).group(1).split()]
    requests = int(re.search(r"^REQUESTS (\d+)", out, re.M).group(1))
    return {"requests": requests, "rps": requests / seconds, "status": status,
            "socket_errors": dict(zip(["connect", "read", "write", "status", "timeout"], errors))}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("evfeed")
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--repo", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    ap.add_argument("--json")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        print("soak: wrk is missing (apt-get install wrk)", file=sys.stderr)
        return 77
    repo = os.path.abspath(args.repo)
    work = tempfile.mkdtemp(prefix="evfeed-soak-")
    content = os.path.join(work, "content")
    shutil.copytree(os.path.join(repo, "feeds", "content"), content)
    # The site's language is zh: the zh page is the one events/service-mesh-meetup-08.ics carries.
    page = os.path.join(content, "zh", "event", "service-mesh-meetup-08.md")
    original = open(page, encoding="utf-8").read()
    script = os.path.join(work, "soak.lua")
    with open(script, "w") as f:
        f.write(LUA % ", ".join(f'"{p}"' for p in PATHS))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(os.path.join(work, "serve.log"), "w")
    server = subprocess.Popen([os.path.abspath(args.evfeed), "serve", "--content", content, "--config",
                               os.path.join(repo, "feeds", "config.yaml"), "--listen", f"127.0.0.1:{port}",
                               "--no-access-log"], stdout=log, stderr=subprocess.STDOUT)
    result = {"seconds": args.seconds}
    ok = True
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        # Peak, then the connection count whose rate is closest to 80% of it.
        peak = wrk(url, script, 5, 2, 64)
        result["peak_rps"] = round(peak["rps"])
        best = None
        for conns in (2, 4, 8, 16, 32):
            r = wrk(url, script, 3, 2, conns)
            if best is None or abs(r["rps"] - 0.8 * peak["rps"]) < abs(best[1] - 0.8 * peak["rps"]):
                best = (conns, r["rps"])
        result["soak_connections"] = best[0]

        # Edit the page every second; sample RSS every second.
        stop = threading.Event()
        samples = []
        edits = [0]

        def editor():
            while not stop.wait(1.0):
                edits[0] += 1
                with open(page + ".tmp", "w", encoding="utf-8") as f:
                    f.write(original.replace("title:", f"title: Soak {edits[0]} ·", 1))
                os.replace(page + ".tmp", page)

        def sampler():
            t0 = time.monotonic()
            while not stop.wait(1.0):
                samples.append((time.monotonic() - t0, rss_kb(server.pid)))

        threads = [threading.Thread(target=editor), threading.Thread(target=sampler)]
        for t in threads:
            t.start()
        soak = wrk(url, script, args.seconds, 2, best[0])
        stop.set()
        for t in threads:
            t.join()
        result.update(soak)
        result["edits"] = edits[0]
        time.sleep(2)  # the last edit's reload
        served = urllib.request.urlopen(url + "/events/service-mesh-meetup-08.ics", timeout=5).read().decode()
        last_title_served = f"Soak {edits[0]} ·" in served
        warm = [kb for t, kb in samples if t >= 60] or [kb for _, kb in samples]
        result["rss_kb"] = {"start": samples[0][1] if samples else 0, "after_first_minute": warm[0],
                            "peak": max(kb for _, kb in samples), "end": samples[-1][1]}
        growth = (samples[-1][1] - warm[0]) / warm[0] if warm[0] else 0
        result["rss_growth_after_warmup"] = round(growth, 4)
        health = json.loads(urllib.request.urlopen(url + "/healthz", timeout=5).read())
        result["reloads"] = health.get("reloads", health.get("reload_count"))

        bad = {k: v for k, v in soak["status"].items() if k not in ("200", "304")}
        checks = [
            (not bad, f"only 200 and 304 responses ({soak['status']})"),
            (not any(soak["socket_errors"].values()), f"no socket errors ({soak['socket_errors']})"),
            (last_title_served, f"the last of {edits[0]} edits is served"),
            (growth < 0.10, f"RSS growth {growth:.1%} after the first minute (limit 10%)"),
            (server.poll() is None, "server still running"),
        ]
        for passed, what in checks:
            print(("PASS " if passed else "FAIL ") + what)
            ok &= passed
        print(f"soak: {soak['requests']} requests in {args.seconds} s ({soak['rps']:.0f}/s, "
              f"{soak['rps'] / peak['rps']:.0%} of the {peak['rps']:.0f}/s peak) on {best[0]} connections, "
              f"{edits[0]} edits, RSS {result['rss_kb']}")
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        with open(page, "w", encoding="utf-8") as f:
            f.write(original)
    result["ok"] = ok
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
