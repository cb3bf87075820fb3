#!/usr/bin/env bash
# The main job on the embedded default site: install, build, write the static feeds of
# feeds/ into public/, then serve them live on http://127.0.0.1:8080/ (Ctrl-C stops).
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/install-deps.sh
cmake -S . -B build -G Ninja
cmake --build build --target evfeed
listen="${EVFEED_LISTEN:-127.0.0.1:8080}"
# feeds/ is a Hugo site (feeds/hugo.toml): evfeed reads its config, nothing else is needed.
./build/evfeed build --site feeds --out public
exec ./build/evfeed serve --site feeds --listen "$listen" --base-url "http://$listen/"
