#!/usr/bin/env bash
# Installs every build and test dependency of evfeed on Debian 12. Idempotent:
# packages already present are skipped, so a second run costs only dpkg-query.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)

pkgs=(
  build-essential cmake ninja-build ccache pkg-config git tzdata ca-certificates curl
  libical-dev libtinyxml2-dev libyaml-cpp-dev libboost-dev libhowardhinnant-date-dev
  catch2 libtomlplusplus-dev libmd4c-dev libmd4c-html0-dev libcli11-dev libdeflate-dev zlib1g-dev
  libxxhash-dev nlohmann-json3-dev libqrencode-dev libgit2-dev liburiparser-dev
)
# Test-only tools: a browser for the index.html test, nginx and systemd for deploy checks.
if [ "${1:-}" = "--with-test-tools" ]; then
  pkgs+=(chromium fonts-wqy-zenhei nginx-light systemd yamllint curl python3 libxml2-utils)
  # The oracles of --site: the real generators (tests/sites/oracle.py).
  pkgs+=(hugo jekyll)
  # The fourth expander of series (tests/recurrence/compare.py).
  pkgs+=(python3-recurring-ical-events)
  # index.html test: QR codes decoded from the screenshots.
  pkgs+=(zbar-tools)
  # The format check of the sources (clang-format --dry-run -Werror in ctest).
  pkgs+=(clang-format)
  # Sanitizer stage (deploy/run-sanitizers.sh): clang's libFuzzer and its symbolizer.
  pkgs+=(clang clang-14 libclang-rt-14-dev llvm-14)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get "${apt_opts[@]}" update -q
  $SUDO apt-get "${apt_opts[@]}" install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all packages present"
fi
