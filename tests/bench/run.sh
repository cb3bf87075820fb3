#!/usr/bin/env bash
# evfeed benchmark (issue 7): build vs Hugo and Python icalendar, serve vs nginx, live reload.
#   tests/bench/run.sh            full run: builds at 1k, 10k, 100k pages, 10 s wrk runs (~30-40 min)
#   tests/bench/run.sh --quick    1k and 10k only, fewer repetitions, 3 s wrk runs
# Other options go to bench.py: --only build,serve,reload  --sizes 1000,10000  --profile
# Prints markdown tables and writes them to tests/bench/RESULTS.md. Uses the binary build/evfeed
# (override with EVFEED=path), copied to /tmp/evfeed-bench-bin so a rebuild cannot change it mid-run.
# Generated sites and outputs are cached in /tmp/evfeed-bench/ (EVFEED_BENCH_WORK).
# Nothing here is a test: no timed assertion, the exit status only says whether the run completed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export DEBIAN_FRONTEND=noninteractive

pkgs=(hugo nginx-light wrk python3-icalendar python3-yaml time)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "bench: installing ${missing[*]}" >&2
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -q
  $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
fi
command -v perf >/dev/null || case " $* " in *" --profile "*) echo "bench: --profile needs perf (apt-get install linux-perf)" >&2; exit 2;; esac

src="${EVFEED:-$repo/build/evfeed}"
[ -x "$src" ] || { echo "bench: no evfeed binary at $src (build it first: cmake --build build)" >&2; exit 2; }
# The binary may be relinked at any time: take a copy that is at least 5 s old, identical to the
# source after the copy, and that runs.
for try in $(seq 1 60); do
  if [ $(( $(date +%s) - $(stat -c %Y "$src") )) -ge 5 ]; then
    cp "$src" /tmp/evfeed-bench-bin.tmp
    if cmp -s "$src" /tmp/evfeed-bench-bin.tmp && /tmp/evfeed-bench-bin.tmp --version >/dev/null 2>&1; then
      mv /tmp/evfeed-bench-bin.tmp /tmp/evfeed-bench-bin
      break
    fi
  fi
  [ "$try" -eq 60 ] && { echo "bench: $src keeps changing or does not run" >&2; exit 2; }
  sleep 2
done

cd "$repo"
exec /usr/bin/python3 "$here/bench.py" --command "tests/bench/run.sh${*:+ $*}" "$@"
