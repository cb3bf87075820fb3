#!/usr/bin/env bash
# Runs ../shared/tools/client-check (curl, newsboat and the feed validators against a live
# HTTP server) in one of two set-ups, on a content folder:
#   serve: `evfeed serve` on a free loopback port
#   nginx: `evfeed build` output behind a real nginx using deploy/nginx/evfeed.conf
# Usage: client_check.sh serve|nginx CONTENT_DIR [CONFIG]; exit 77 = skipped.
set -uo pipefail
mode="$1"; content="$2"; config="${3:-}"
bin="${EVFEED_BIN:?EVFEED_BIN not set}"; src="${EVFEED_SOURCE:-$(pwd)}"
check="$src/../shared/tools/client-check"
[ -x "$check" ] || { echo "SKIP: $check not found"; exit 77; }
[ -d "$content" ] || { echo "SKIP: $content not found"; exit 77; }
work=$(mktemp -d /tmp/evfeed-cc.XXXXXX)
chmod 755 "$work"  # nginx workers run as another user
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port/"
cfg=(); [ -n "$config" ] && cfg=(--config "$config")

if [ "$mode" = serve ]; then
  "$bin" serve --content "$content" "${cfg[@]}" --listen "127.0.0.1:$port" --base-url "$base" --no-access-log \
    > "$work/serve.log" 2>&1 &
  pid=$!
else
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "SKIP: nginx not installed"; exit 77; }
  "$bin" build --content "$content" "${cfg[@]}" --base-url "$base" --out "$work/www" --quiet
  sed -e "s#@TMPDIR@#$work#g" -e "s#@PORT@#$port#g" "$src/deploy/nginx/nginx-test.conf" > "$work/nginx.conf"
  sed -E -e "s#^(\s*)listen .*#\1listen 127.0.0.1:$port;#" -e "s#root /var/www/evfeed;#root $work/www;#" \
    "$src/deploy/nginx/evfeed.conf" | awk '!seen[$0]++ || $0 !~ /listen 127/' > "$work/evfeed.conf"
  mkdir -p "$work/client_body"
  /usr/sbin/nginx -p "$work" -c "$work/nginx.conf" -e "$work/error.log" &
  pid=$!
fi
for _ in $(seq 1 100); do
  curl -s -o /dev/null "$base" && break
  sleep 0.1
done
"$check" -q "$base"
rc=$?
[ $rc = 0 ] || { tail -20 "$work"/*.log 2>/dev/null; }
exit $rc
