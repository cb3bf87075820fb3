#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: dependencies, validators (the
# third-party parsers in ../shared/tools), build, every test through ctest, then the
# sanitizer stage. Usage: deploy/run-tests.sh [--no-sanitizers]
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
./deploy/install-deps.sh --with-test-tools
if [ -x ../shared/tools/install-validators ]; then
  ../shared/tools/install-validators
else
  echo "run-tests: ../shared/tools not found; validator tests will be skipped" >&2
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build
(cd build && ctest --output-on-failure -j2 --timeout 900)
# Then the same suite under ASan+UBSan, the server under TSan, and every fuzz target for
# 30 s (deploy/run-sanitizers.sh). `--no-sanitizers` stops here (a quicker local loop).
[ "${1:-}" = "--no-sanitizers" ] || ./deploy/run-sanitizers.sh
