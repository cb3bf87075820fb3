#!/usr/bin/env bash
# Checks the deployment files in deploy/ without deploying anything:
#   systemd-verify    systemd-analyze verify of the three units (ExecStart pointed at a real binary)
#   systemd-security  systemd-analyze security --offline, exposure must stay <= 2.5 ("OK")
#   systemd-timer     OnCalendar parses, Persistent=true, RandomizedDelaySec below the period
#   sysusers-tmpfiles the sysusers/tmpfiles snippets applied to a scratch root
#   cron              crontab syntax, MAILTO, --quiet, no flock
#   nginx-syntax      nginx -t on deploy/nginx/nginx-test.conf rendered around evfeed.conf
#   nginx-loopback    that nginx on 127.0.0.1 serving a fake output tree: types, charset,
#                     gzip_static, ETag/304, CORS, Cache-Control, no listing, hidden files
#   yamllint          yamllint (strict config below) on deploy/k8s/*.yaml and the embedded site config
#   k8s-schema        Kubernetes schemas: kubernetes-models (ajv) + a TypeScript check of
#                     every object literal against the API types (catches misspelt fields)
#   k8s-kustomize     kubectl kustomize deploy/k8s renders (only if kubectl is installed)
#   dockerfile        dockerfile-utils lint, COPY sources, runtime packages resolvable in apt
#   runtime-libs      every shared library of a real evfeed binary comes from the Dockerfile's
#                     runtime packages
#   real-output       `evfeed build` of feeds/content with the ConfigMap's config; every file
#                     served through evfeed.conf (type, charset, CORS, .gz sibling)
#   serve-healthz     `evfeed serve`: the HEALTHCHECK request gets 200, SIGTERM exits 0
#   (the last three run only when EVFEED_BINARY is a real evfeed build)
#
# Usage: tests/deploy/check-deploy.sh [EVFEED_BINARY]
#   EVFEED_BINARY defaults to build/evfeed; any existing executable works for the unit
#   checks (e.g. /bin/true). Without an argument and without build/evfeed, /bin/true is used.
# Installs what it needs, idempotently: Debian packages systemd, nginx-light, yamllint,
# curl (and nodejs/npm if node is missing) with apt-get (apt-get update only when something
# is missing), and pinned npm packages into $EVFEED_CHECK_CACHE (default
# ~/.cache/evfeed-check-deploy). If the npm registry cannot be reached the npm-based checks
# are skipped, not failed.
# Exit status: 0 when no check failed, 1 otherwise, 2 on a usage error.
# KEEP_TMP=1 keeps the scratch folder for inspection.

set -uo pipefail
export LC_ALL=C.UTF-8
export DEBIAN_FRONTEND=noninteractive

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DEPLOY=$ROOT/deploy

# ---------------------------------------------------------------- arguments --
if [ $# -gt 1 ]; then
  echo "usage: $0 [EVFEED_BINARY]" >&2
  exit 2
fi
BIN_NOTE=""
if [ $# -eq 1 ]; then
  BIN=$1
elif [ -x "$ROOT/build/evfeed" ]; then
  BIN=$ROOT/build/evfeed
else
  BIN=/bin/true
  BIN_NOTE=" (no build/evfeed: using /bin/true)"
fi
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
if [ ! -f "$BIN" ] || [ ! -x "$BIN" ]; then
  echo "check-deploy: $BIN is not an executable file" >&2
  exit 2
fi

# ---------------------------------------------------------------- reporting --
PASS=0 FAIL=0 SKIP=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/check-deploy.XXXXXX")
NGINX_PID=""
cleanup() {
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill "$NGINX_PID" 2>/dev/null
    wait "$NGINX_PID" 2>/dev/null
  fi
  if [ "${KEEP_TMP:-0}" = 1 ]; then echo "check-deploy: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# result STATUS NAME DETAIL... ; with FAIL, the log $WORK/NAME.log is shown below it.
result() {
  local st=$1 name=$2
  shift 2
  case $st in
    PASS) PASS=$((PASS + 1)) ;;
    FAIL) FAIL=$((FAIL + 1)) ;;
    SKIP) SKIP=$((SKIP + 1)) ;;
  esac
  printf '%-4s %-17s %s\n' "$st" "$name" "$*"
  if [ "$st" = FAIL ] && [ -s "$WORK/$name.log" ]; then
    head -n 60 "$WORK/$name.log" | sed 's/^/       | /'
  fi
}

# ------------------------------------------------------------- dependencies --
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
install_debian_deps() {
  local pkgs=()
  command -v systemd-analyze >/dev/null && command -v systemd-sysusers >/dev/null \
    && command -v systemd-tmpfiles >/dev/null || pkgs+=(systemd)
  [ -x "$NGINX" ] || pkgs+=(nginx-light)
  command -v yamllint >/dev/null || pkgs+=(yamllint)
  command -v curl >/dev/null || pkgs+=(curl)
  command -v gzip >/dev/null || pkgs+=(gzip)
  if ! command -v node >/dev/null; then
    pkgs+=(nodejs)
    command -v npm >/dev/null || pkgs+=(npm)
  fi
  [ ${#pkgs[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "check-deploy: installing ${pkgs[*]}"
  local apt_opts=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
  if ! { $sudo apt-get "${apt_opts[@]}" update -q \
    && $sudo apt-get "${apt_opts[@]}" install -y -q --no-install-recommends "${pkgs[@]}"; } \
    >"$WORK/apt.log" 2>&1; then
    tail -n 20 "$WORK/apt.log" >&2
    return 1
  fi
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
}

# Pinned npm tools, installed once into a cache folder.
NPM_SPEC="kubernetes-models@4.5.1 yaml@2.9.1 typescript@5.9.3 dockerfile-utils@0.16.3"
TOOLS=${EVFEED_CHECK_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/evfeed-check-deploy}
NPM_OK=0
NPM_WHY=""
install_npm_tools() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    NPM_WHY="node/npm not installed"
    return 1
  fi
  if [ "$(cat "$TOOLS/.stamp" 2>/dev/null)" = "$NPM_SPEC" ] \
    && [ -x "$TOOLS/node_modules/.bin/tsc" ] && [ -x "$TOOLS/node_modules/.bin/dockerfile-utils" ]; then
    NPM_OK=1
    return 0
  fi
  mkdir -p "$TOOLS"
  [ -f "$TOOLS/package.json" ] || echo '{"name":"evfeed-check-deploy-tools","private":true}' >"$TOOLS/package.json"
  echo "check-deploy: npm install $NPM_SPEC"
  # shellcheck disable=SC2086  # NPM_SPEC is a list of words
  if timeout 300 npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error \
    $NPM_SPEC >"$WORK/npm.log" 2>&1; then
    echo "$NPM_SPEC" >"$TOOLS/.stamp"
    NPM_OK=1
  else
    NPM_WHY="npm install failed (registry unreachable?): $(grep -m1 -i 'err' "$WORK/npm.log")"
    return 1
  fi
}

# ----------------------------------------------------------------- systemd --
UNITS=(evfeed.service evfeed-build.service evfeed-build.timer)

check_systemd_verify() {
  local name=systemd-verify log=$WORK/systemd-verify.log dir=$WORK/units u
  mkdir -p "$dir"
  for u in "${UNITS[@]}"; do
    if [ ! -f "$DEPLOY/systemd/$u" ]; then
      echo "missing deploy/systemd/$u" >>"$log"
      continue
    fi
    # The units name /usr/local/bin/evfeed, which verify insists on finding.
    sed "s#/usr/local/bin/evfeed#$BIN#g" "$DEPLOY/systemd/$u" >"$dir/$u"
  done
  if ! grep -q "^ExecStart=$BIN serve " "$dir/evfeed.service" 2>/dev/null \
    || ! grep -q "^ExecStart=$BIN build " "$dir/evfeed-build.service" 2>/dev/null; then
    echo "ExecStart= of the units does not start with /usr/local/bin/evfeed serve|build" >>"$log"
  fi
  # verify exits 0 on unknown keys and bad values; it only prints them. Any output fails.
  (cd "$dir" && systemd-analyze verify --man=no "${UNITS[@]}") >>"$log" 2>&1
  local rc=$?
  if [ $rc -eq 0 ] && [ ! -s "$log" ]; then
    result PASS $name "${UNITS[*]} (ExecStart -> $BIN$BIN_NOTE)"
  else
    result FAIL $name "systemd-analyze verify rc=$rc, $(wc -l <"$log") line(s) of complaints"
  fi
}

check_systemd_security() {
  local name=systemd-security log=$WORK/systemd-security.log u out levels="" bad=0
  for u in evfeed.service evfeed-build.service; do
    out=$(cd "$WORK/units" && systemd-analyze security --offline=yes --threshold=25 --no-pager "$u" 2>&1)
    local rc=$?
    local level
    level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]* [A-Z]*\).*/\1/p')
    levels+="$u ${level:-?}; "
    if [ $rc -ne 0 ] || [ -z "$level" ]; then
      bad=1
      { echo "== $u (rc=$rc)"; printf '%s\n' "$out" | grep -E '✗|Overall|rror'; } >>"$log"
    fi
  done
  if [ $bad -eq 0 ]; then
    result PASS $name "exposure ${levels%; } (limit 2.5)"
  else
    result FAIL $name "exposure ${levels%; } (limit 2.5)"
  fi
}

check_systemd_timer() {
  local name=systemd-timer log=$WORK/systemd-timer.log t=$DEPLOY/systemd/evfeed-build.timer
  local cal delay period_us delay_us
  cal=$(sed -n 's/^OnCalendar=//p' "$t" | head -n1)
  delay=$(sed -n 's/^RandomizedDelaySec=//p' "$t" | head -n1)
  systemd-analyze calendar --iterations=2 "$cal" >>"$log" 2>&1 || echo "OnCalendar=$cal does not parse" >>"$log"
  grep -q '^Persistent=true$' "$t" || echo "Persistent=true missing" >>"$log"
  grep -q '^Unit=evfeed-build.service$' "$t" || echo "Unit=evfeed-build.service missing" >>"$log"
  grep -q '^WantedBy=timers.target$' "$t" || echo "WantedBy=timers.target missing" >>"$log"
  if [ -z "$delay" ]; then
    echo "RandomizedDelaySec missing" >>"$log"
  else
    delay_us=$(systemd-analyze timespan "$delay" 2>/dev/null | sed -n 's/^ *μs: //p')
    period_us=$((15 * 60 * 1000000))
    if [ -z "$delay_us" ] || [ "$delay_us" -ge "$period_us" ]; then
      echo "RandomizedDelaySec=$delay is not below the 15 min period" >>"$log"
    fi
  fi
  if grep -qvE '^ |^(Original form|Normalized form|Next elapse|From now|Iter)' "$log"; then
    result FAIL $name "OnCalendar=$cal RandomizedDelaySec=$delay"
  else
    local norm
    norm=$(sed -n 's/^Normalized form: //p' "$log" | head -n1)
    result PASS $name "OnCalendar=$cal ($norm), Persistent=true, RandomizedDelaySec=$delay"
  fi
}

check_sysusers_tmpfiles() {
  local name=sysusers-tmpfiles log=$WORK/sysusers-tmpfiles.log r=$WORK/sysroot
  install -D -m 0644 "$DEPLOY/systemd/evfeed.sysusers.conf" "$r/etc/sysusers.d/evfeed.conf"
  install -D -m 0644 "$DEPLOY/systemd/evfeed.tmpfiles.conf" "$r/etc/tmpfiles.d/evfeed.conf"
  # With --root, a bare file name is looked up in <root>/etc/{sysusers,tmpfiles}.d.
  systemd-sysusers --root="$r" evfeed.conf >>"$log" 2>&1 || echo "systemd-sysusers failed" >>"$log"
  systemd-tmpfiles --root="$r" --create evfeed.conf >>"$log" 2>&1 || echo "systemd-tmpfiles failed" >>"$log"
  local gid mode dgid
  gid=$(awk -F: '$1 == "evfeed-www" { print $3 }' "$r/etc/group" 2>/dev/null)
  mode=$(stat -c '%a' "$r/var/www/evfeed" 2>/dev/null)
  dgid=$(stat -c '%g' "$r/var/www/evfeed" 2>/dev/null)
  if [ -n "$gid" ] && [ "$mode" = 2775 ] && [ "$dgid" = "$gid" ] \
    && ! grep -qiE 'fail|error|warn|ignor' "$log"; then
    result PASS $name "group evfeed-www created, /var/www/evfeed 2775 root:evfeed-www"
  else
    echo "group gid=${gid:-none}, /var/www/evfeed mode=${mode:-none} gid=${dgid:-none}" >>"$log"
    result FAIL $name "snippets did not produce group evfeed-www + /var/www/evfeed 2775"
  fi
}

# -------------------------------------------------------------------- cron --
check_cron() {
  local name=cron log=$WORK/cron.log f=$DEPLOY/cron/evfeed.crontab n=0 line
  local fld='(\*|[0-9]+(-[0-9]+)?)(/[0-9]+)?(,(\*|[0-9]+(-[0-9]+)?)(/[0-9]+)?)*'
  local mon='('"$fld"'|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)'
  local dow='('"$fld"'|sun|mon|tue|wed|thu|fri|sat)'
  local re_time="^${fld}[[:space:]]+${fld}[[:space:]]+${fld}[[:space:]]+${mon}[[:space:]]+${dow}[[:space:]]+"
  local re_special='^@(reboot|yearly|annually|monthly|weekly|daily|midnight|hourly)[[:space:]]+'
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in '' | '#'*) continue ;; esac
    if [[ $line =~ ^[A-Z_]+= ]]; then continue; fi
    n=$((n + 1))
    local rest
    if [[ $line =~ $re_time ]] || [[ $line =~ $re_special ]]; then
      rest=${line#"${BASH_REMATCH[0]}"}
    else
      echo "bad schedule: $line" >>"$log"
      continue
    fi
    if [[ $line != @* ]]; then # numbers within minute/hour/day/month/weekday ranges
      local -a fields
      read -r -a fields <<<"$line"
      local i num lo=(0 0 1 1 0) hi=(59 23 31 12 7)
      for i in 0 1 2 3 4; do
        while read -r num; do
          [ -n "$num" ] || continue
          if [ $((10#$num)) -lt "${lo[$i]}" ] || [ $((10#$num)) -gt "${hi[$i]}" ]; then
            echo "field $((i + 1)) out of range (${lo[$i]}-${hi[$i]}): $line" >>"$log"
          fi
        done < <(grep -oE '[0-9]+' <<<"${fields[$i]}")
      done
    fi
    # /etc/cron.d format: a user name, then the command.
    [[ $rest =~ ^[a-z_][a-z0-9_-]*[[:space:]]+[^[:space:]] ]] || echo "no user column: $line" >>"$log"
    if [[ $rest == *"evfeed build"* ]] && [[ $rest != *"--quiet"* ]]; then
      echo "evfeed build without --quiet: $line" >>"$log"
    fi
    [[ $rest == *flock* ]] && echo "flock is not needed (evfeed locks itself): $line" >>"$log"
  done <"$f"
  grep -qE '^MAILTO=' "$f" || echo "MAILTO missing" >>"$log"
  [ "$(tail -c1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || echo "no newline at end of file (cron ignores the last line)" >>"$log"
  [ $n -gt 0 ] || echo "no job lines" >>"$log"
  if [ -s "$log" ]; then
    result FAIL $name "deploy/cron/evfeed.crontab"
  else
    result PASS $name "$n job line(s), MAILTO set, every build --quiet, no flock"
  fi
}

# ------------------------------------------------------------------- nginx --
PORT=""
render_nginx() { # render_nginx DIR PORT -> DIR/{nginx.conf,evfeed.conf}, root DIR/www
  local n=$1 port=$2
  mkdir -p "$n"
  sed -e "s#listen 80;#listen 127.0.0.1:$port;#" \
    -e '/listen \[::\]:80;/d' \
    -e "s#root /var/www/evfeed;#root $n/www;#" \
    "$DEPLOY/nginx/evfeed.conf" >"$n/evfeed.conf"
  sed -e "s#@TMPDIR@#$n#g" -e "s#@PORT@#$port#g" "$DEPLOY/nginx/nginx-test.conf" >"$n/nginx.conf"
}

# start_nginx DIR LOG: renders DIR for a free port and starts nginx in the
# foreground (daemon off) in the background; sets PORT and NGINX_PID.
start_nginx() {
  local n=$1 log=$2 i
  chmod 0755 "$WORK" "$n" # workers run as nobody when nginx starts as root
  for _ in 1 2 3; do
    PORT=$(pick_port)
    render_nginx "$n" "$PORT"
    "$NGINX" -p "$n" -c "$n/nginx.conf" -e "$n/error.log" >>"$log" 2>&1 &
    NGINX_PID=$!
    for i in $(seq 1 50); do
      (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
      kill -0 "$NGINX_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$NGINX_PID" 2>/dev/null && return 0
    NGINX_PID=""
  done
  cat "$n/error.log" >>"$log" 2>/dev/null
  return 1
}

stop_nginx() { # stop_nginx DIR LOG: stops it; emerg/alert/crit lines of its error log go to LOG
  local n=$1 log=$2
  if [ -n "$NGINX_PID" ]; then
    kill "$NGINX_PID" 2>/dev/null
    wait "$NGINX_PID" 2>/dev/null
    NGINX_PID=""
  fi
  grep '\[emerg\]\|\[alert\]\|\[crit\]' "$n/error.log" >>"$log" 2>/dev/null
}

check_nginx_syntax() {
  local name=nginx-syntax log=$WORK/nginx-syntax.log n=$WORK/nginx
  PORT=$(pick_port)
  render_nginx "$n" "$PORT"
  local bad=""
  grep -q "listen 127.0.0.1:$PORT;" "$n/evfeed.conf" || bad+="'listen 80;' not found in evfeed.conf; "
  grep -q "root $n/www;" "$n/evfeed.conf" || bad+="'root /var/www/evfeed;' not found in evfeed.conf; "
  grep -q '@' "$n/nginx.conf" && grep -n '@[A-Z]*@' "$n/nginx.conf" >>"$log" && bad+="unrendered placeholder; "
  "$NGINX" -t -q -p "$n" -c "$n/nginx.conf" -e "$n/error.log" >>"$log" 2>&1
  local rc=$?
  [ -n "$bad" ] && echo "$bad" >>"$log"
  if [ $rc -eq 0 ] && [ -z "$bad" ] && ! grep -q '\[warn\]\|\[emerg\]' "$log"; then
    result PASS $name "nginx -t ok: nginx-test.conf + evfeed.conf ($("$NGINX" -v 2>&1 | sed 's/.*: //'))"
  else
    result FAIL $name "nginx -t rc=$rc ${bad:+($bad)}"
  fi
}

pick_port() {
  local p i
  for i in $(seq 1 50); do
    p=$((20000 + (RANDOM % 30000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  echo 28080
}

make_fake_output() { # a miniature `evfeed build` output with .gz siblings
  local w=$1 f
  mkdir -p "$w/events" "$w/topics/meetups"
  local ics=$'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//evfeed//check//EN\r\nBEGIN:VEVENT\r\nUID:x@example.org\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250102T180000Z\r\nSUMMARY:Caf\u00e9 meetup \u2013 \u00fcber\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'
  local rss='<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Café</title></channel></rss>'
  local atom='<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Café</title></feed>'
  local json='{"version":"https://jsonfeed.org/version/1.1","title":"Café","items":[]}'
  for f in calendar.ics calendar-alarms.ics events/cafe-meetup.ics topics/meetups/calendar.ics; do
    printf '%s' "$ics" >"$w/$f"
  done
  for f in rss.xml topics/meetups/rss.xml; do printf '%s' "$rss" >"$w/$f"; done
  for f in atom.xml topics/meetups/atom.xml; do printf '%s' "$atom" >"$w/$f"; done
  for f in feed.json topics/meetups/feed.json; do printf '%s' "$json" >"$w/$f"; done
  printf '<!doctype html><meta charset="utf-8"><title>Café</title><h1>Événements</h1>\n' >"$w/index.html"
  # Padding so gzip really is smaller, as with real feeds.
  printf '<!-- %0500d -->\n' 0 >>"$w/index.html"
  find "$w" -type f -exec gzip -k -n -9 {} \;
  : >"$w/.evfeed.lock"
  chmod -R a+rX "$w"
}

# http_check NAME PATH EXPECT_STATUS EXPECT_TYPE CORS(yes|no|-) [curl args...]
http_check() {
  local label=$1 path=$2 want_status=$3 want_type=$4 cors=$5
  shift 5
  local h=$HTTP_DIR/h.txt b=$HTTP_DIR/b.bin status ctype
  status=$(curl -sS --max-time 5 -o "$b" -D "$h" -w '%{http_code}' "$@" "http://127.0.0.1:$PORT$path" 2>>"$LOG_NGX")
  ctype=$(tr -d '\r' <"$h" | sed -n 's/^[Cc]ontent-[Tt]ype: //p' | head -n1)
  local ok=1
  [ "$status" = "$want_status" ] || { ok=0; echo "$label $path: status $status, want $want_status" >>"$LOG_NGX"; }
  if [ "$want_type" != - ] && [ "$ctype" != "$want_type" ]; then
    ok=0
    echo "$label $path: Content-Type '$ctype', want '$want_type'" >>"$LOG_NGX"
  fi
  if [ "$cors" = yes ] && ! grep -qi '^Access-Control-Allow-Origin: \*' "$h"; then
    ok=0
    echo "$label $path: no 'Access-Control-Allow-Origin: *'" >>"$LOG_NGX"
  fi
  if [ "$cors" = yes ] && ! grep -qi '^Cache-Control: public, max-age=' "$h"; then
    ok=0
    echo "$label $path: no 'Cache-Control: public, max-age=...'" >>"$LOG_NGX"
  fi
  CHECKS=$((CHECKS + 1))
  return $((1 - ok))
}

check_nginx_loopback() {
  local name=nginx-loopback n=$WORK/nginx
  LOG_NGX=$WORK/nginx-loopback.log
  HTTP_DIR=$n
  CHECKS=0
  make_fake_output "$n/www"
  if ! start_nginx "$n" "$LOG_NGX"; then
    result FAIL $name "nginx did not start"
    return
  fi

  local t_ics='text/calendar; charset=utf-8' t_rss='application/rss+xml; charset=utf-8'
  local t_atom='application/atom+xml; charset=utf-8' t_json='application/feed+json; charset=utf-8'
  local t_html='text/html; charset=utf-8' p
  for p in /calendar.ics /calendar-alarms.ics /events/cafe-meetup.ics /topics/meetups/calendar.ics; do
    http_check ics "$p" 200 "$t_ics" yes
  done
  for p in /rss.xml /topics/meetups/rss.xml; do http_check rss "$p" 200 "$t_rss" yes; done
  for p in /atom.xml /topics/meetups/atom.xml; do http_check atom "$p" 200 "$t_atom" yes; done
  for p in /feed.json /topics/meetups/feed.json; do http_check json "$p" 200 "$t_json" yes; done
  http_check html / 200 "$t_html" -
  http_check html /index.html 200 "$t_html" -
  http_check head /rss.xml 200 "$t_rss" yes -I
  http_check listing /topics/ 403 - -
  http_check listing /events/ 403 - -
  http_check hidden /.evfeed.lock 404 - -
  http_check missing /nope.ics 404 - -

  # Plain body when gzip is not accepted, the .gz sibling (same type) when it is.
  local h=$n/h.txt b=$n/b.bin
  if http_check gzip-off /rss.xml 200 "$t_rss" yes; then
    cmp -s "$b" "$n/www/rss.xml" || echo "gzip-off: body differs from rss.xml" >>"$LOG_NGX"
    grep -qi '^Content-Encoding:' "$h" && echo "gzip-off: Content-Encoding without Accept-Encoding" >>"$LOG_NGX"
  fi
  for p in /rss.xml /topics/meetups/feed.json /calendar.ics /index.html; do
    local want=$t_rss
    case $p in *.json) want=$t_json ;; *.ics) want=$t_ics ;; *.html) want=$t_html ;; esac
    if http_check gzip-on "$p" 200 "$want" - -H 'Accept-Encoding: gzip'; then
      grep -qi '^Content-Encoding: gzip' "$h" || echo "gzip-on $p: no Content-Encoding: gzip" >>"$LOG_NGX"
      grep -qi '^Vary: Accept-Encoding' "$h" || echo "gzip-on $p: no Vary: Accept-Encoding" >>"$LOG_NGX"
      cmp -s "$b" "$n/www$p.gz" || echo "gzip-on $p: body is not the .gz sibling" >>"$LOG_NGX"
    fi
  done

  # ETag + conditional GET.
  local etag
  http_check etag /feed.json 200 "$t_json" yes
  etag=$(tr -d '\r' <"$h" | sed -n 's/^[Ee][Tt]ag: //p')
  if [ -z "$etag" ]; then
    echo "etag: no ETag on /feed.json" >>"$LOG_NGX"
  else
    http_check etag-304 /feed.json 304 - yes -H "If-None-Match: $etag"
  fi
  tr -d '\r' <"$h" | grep -qi '^X-Content-Type-Options: nosniff' \
    || echo "headers: no X-Content-Type-Options: nosniff on a 304/200 feed" >>"$LOG_NGX"

  stop_nginx "$n" "$LOG_NGX"
  if [ -s "$LOG_NGX" ]; then
    result FAIL $name "$CHECKS requests on 127.0.0.1:$PORT"
  else
    result PASS $name "$CHECKS requests on 127.0.0.1:$PORT: types+charset, gzip_static, ETag/304, CORS, no listing"
  fi
}

# ---------------------------------------------------------------- yamllint --
# extract_configmap_config DEST: the site config embedded in deploy/k8s/configmap.yaml.
extract_configmap_config() {
  /usr/bin/python3 - "$DEPLOY/k8s/configmap.yaml" "$1" <<'PY'
import sys, yaml
try:
    text = yaml.safe_load(open(sys.argv[1]))["data"]["config.yaml"]
    cfg = yaml.safe_load(text)
except Exception as e:
    sys.exit("ConfigMap data config.yaml: %s" % str(e).replace("\n", " "))
if not (isinstance(cfg, dict) and "title" in cfg and "base_url" in cfg):
    sys.exit("ConfigMap data config.yaml lacks title/base_url")
open(sys.argv[2], "w").write(text)
PY
}

check_yamllint() {
  local name=yamllint log=$WORK/yamllint.log cfg=$WORK/yamllint.yaml
  cat >"$cfg" <<'EOF'
extends: default
rules:
  document-start: disable
  line-length:
    max: 100
  comments:
    min-spaces-from-content: 1
  truthy:
    check-keys: false
EOF
  local files=("$DEPLOY"/k8s/*.yaml)
  yamllint -s -f parsable -c "$cfg" "${files[@]}" >>"$log" 2>&1
  local rc=$?
  # The site config embedded in the ConfigMap is YAML too: lint it on its own.
  local emb=$WORK/configmap-config.yaml
  extract_configmap_config "$emb" >>"$log" 2>&1
  local rc2=$?
  if [ $rc2 -eq 0 ]; then
    yamllint -s -f parsable -c "$cfg" "$emb" >>"$log" 2>&1 || rc2=1
  fi
  if [ $rc -eq 0 ] && [ $rc2 -eq 0 ]; then
    result PASS $name "${#files[@]} files in deploy/k8s + the ConfigMap's config.yaml (strict, max 100 cols)"
  else
    result FAIL $name "yamllint rc=$rc, embedded config rc=$rc2"
  fi
}

# --------------------------------------------------------------- k8s schema --
write_k8s_validator() {
  cat >"$WORK/k8s-validate.cjs" <<'EOF'
// node k8s-validate.cjs TOOLS OUTDIR FILE.yaml...
// 1. parses every document (duplicate keys are errors), 2. validates it with
// kubernetes-models' JSON schemas (types, required fields, enums, formats),
// 3. writes manifests.ts that assigns each object to its API interface, so
//    that tsc reports unknown fields (the schemas allow extra properties).
const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");
const [tools, outDir, ...files] = process.argv.slice(2);
const req = createRequire(path.join(tools, "package.json"));
const YAML = req("yaml");
let failures = 0, checked = 0, skipped = 0;
const objs = [];
const fail = (where, msg) => { failures++; console.log(`${where}: ${msg}`); };
for (const file of files) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"), { uniqueKeys: true });
  docs.forEach((d, i) => {
    const where = `${path.basename(file)}#${i}`;
    for (const e of [...d.errors, ...d.warnings]) fail(where, `YAML: ${e.message.split("\n")[0]}`);
    if (d.errors.length) return;
    const obj = d.toJS();
    if (obj == null) return;
    if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") {
      fail(where, "no apiVersion/kind");
      return;
    }
    if (obj.apiVersion.startsWith("kustomize.config.k8s.io/")) { skipped++; return; }
    const mod = `kubernetes-models/${obj.apiVersion}/${obj.kind}`;
    let Model;
    try { Model = req(mod)[obj.kind]; } catch (e) { Model = undefined; }
    if (typeof Model !== "function") { fail(where, `unknown apiVersion/kind ${obj.apiVersion} ${obj.kind}`); return; }
    try { new Model(obj).validate(); checked++; }
    catch (e) { fail(where, `schema: ${String(e.message).replace(/\s+/g, " ")}`); }
    objs.push({ where, mod, kind: obj.kind, obj });
  });
}
const lines = [];
objs.forEach((t, i) => lines.push(`import type { I${t.kind} as T${i} } from "${t.mod}";`));
objs.forEach((t, i) => {
  lines.push(`// @where ${t.where}`);
  lines.push(`export const doc${i}: T${i} = ${JSON.stringify(t.obj, null, 2)};`);
});
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, "manifests.ts"), lines.join("\n") + "\n");
fs.writeFileSync(path.join(outDir, "tsconfig.json"), JSON.stringify({
  compilerOptions: {
    strict: true, noEmit: true, target: "es2022", module: "node16", moduleResolution: "node16",
    types: [], skipLibCheck: true, baseUrl: ".",
    paths: { "*": [path.join(tools, "node_modules", "*")] },
  },
  files: ["manifests.ts"],
}, null, 2));
console.log(`${checked} objects schema-checked, ${skipped} kustomize file(s) skipped`);
process.exit(failures ? 1 : 0);
EOF
}

check_k8s_schema() {
  local name=k8s-schema log=$WORK/k8s-schema.log out=$WORK/k8s-ts
  if [ $NPM_OK -ne 1 ]; then
    result SKIP $name "no offline schema validator: $NPM_WHY"
    return
  fi
  write_k8s_validator
  node "$WORK/k8s-validate.cjs" "$TOOLS" "$out" "$DEPLOY"/k8s/*.yaml >"$WORK/k8s-ajv.txt" 2>&1
  local rc=$?
  local summary
  summary=$(tail -n1 "$WORK/k8s-ajv.txt")
  [ $rc -ne 0 ] && cat "$WORK/k8s-ajv.txt" >>"$log"
  (cd "$out" && "$TOOLS/node_modules/.bin/tsc" -p .) >"$WORK/k8s-tsc.txt" 2>&1
  local rc2=$?
  if [ $rc2 -ne 0 ]; then
    # Point each tsc error at its manifest (the nearest "// @where" line above it).
    awk -v ts="$out/manifests.ts" '
      BEGIN { n = 0; while ((getline l < ts) > 0) { n++; if (l ~ /^\/\/ @where /) w = substr(l, 11); where[n] = w } }
      match($0, /^manifests\.ts\(([0-9]+),/) { split(substr($0, 14), a, ","); print where[a[1] + 0] ": " $0; next }
      { print }' "$WORK/k8s-tsc.txt" >>"$log"
  fi
  local mver
  mver=$(node -p "require('$TOOLS/node_modules/kubernetes-models/package.json').version" 2>/dev/null)
  if [ $rc -eq 0 ] && [ $rc2 -eq 0 ]; then
    result PASS $name "$summary; no unknown fields (kubernetes-models $mver + tsc)"
  else
    result FAIL $name "schema rc=$rc, type check rc=$rc2 (kubernetes-models $mver)"
  fi
}

check_k8s_kustomize() {
  local name=k8s-kustomize log=$WORK/k8s-kustomize.log
  if ! command -v kubectl >/dev/null; then
    result SKIP $name "kubectl not installed"
    return
  fi
  if kubectl kustomize "$DEPLOY/k8s" >"$WORK/kustomized.yaml" 2>>"$log"; then
    local kinds
    kinds=$(grep -E '^kind: ' "$WORK/kustomized.yaml" | sed 's/kind: //' | sort | tr '\n' ' ')
    result PASS $name "renders: ${kinds% }"
  else
    result FAIL $name "kubectl kustomize deploy/k8s failed"
  fi
}

# ------------------------------------------------------ real evfeed binary --
is_real_evfeed() { [ "$(basename "$BIN")" = evfeed ] && "$BIN" --help >/dev/null 2>&1; }

# The real `evfeed build` output (sample site feeds/content + the ConfigMap's
# config) served through evfeed.conf: every file's type, charset, CORS and .gz.
check_real_output() {
  local name=real-output log=$WORK/real-output.log n=$WORK/real content=$ROOT/feeds/content
  if ! is_real_evfeed; then
    result SKIP $name "$BIN is not an evfeed build"
    return
  fi
  if [ ! -d "$content" ]; then
    result SKIP $name "no sample site in feeds/content"
    return
  fi
  mkdir -p "$n"
  if ! extract_configmap_config "$n/config.yaml" >>"$log" 2>&1; then
    result FAIL $name "cannot read the ConfigMap's config.yaml"
    return
  fi
  "$BIN" build --content "$content" --config "$n/config.yaml" --out "$n/www" --quiet >>"$n/build.log" 2>&1
  local rc=$?
  if [ $rc -ge 2 ]; then
    { echo "evfeed build with the ConfigMap's config.yaml: exit $rc"; cat "$n/build.log"; } >>"$log"
    result FAIL $name "evfeed build rejects the ConfigMap's config.yaml (exit $rc)"
    return
  fi
  local f
  for f in calendar.ics calendar-alarms.ics rss.xml atom.xml feed.json index.html; do
    [ -f "$n/www/$f" ] || echo "build output lacks $f" >>"$log"
  done
  chmod -R a+rX "$n/www"
  if ! start_nginx "$n" "$log"; then
    result FAIL $name "nginx did not start"
    return
  fi
  LOG_NGX=$log
  HTTP_DIR=$n
  CHECKS=0
  local nfiles=0 rel want cors h=$n/h.txt b=$n/b.bin
  while IFS= read -r rel; do
    nfiles=$((nfiles + 1))
    case $rel in
      events/*.ics) [ -f "$n/www/$rel.gz" ] && echo "/$rel has a .gz sibling (evfeed writes none there)" >>"$log" ;;
      *) [ -f "$n/www/$rel.gz" ] || echo "/$rel has no .gz sibling" >>"$log" ;;
    esac
    cors=yes
    case $rel in
      *.ics) want='text/calendar; charset=utf-8' ;;
      rss.xml | */rss.xml) want='application/rss+xml; charset=utf-8' ;;
      atom.xml | */atom.xml) want='application/atom+xml; charset=utf-8' ;;
      feed.json | */feed.json) want='application/feed+json; charset=utf-8' ;;
      *.html) want='text/html; charset=utf-8' cors=- ;;
      *) want=- cors=- ;;
    esac
    http_check real "/$rel" 200 "$want" "$cors"
    cmp -s "$b" "$n/www/$rel" || echo "/$rel: body differs from the file" >>"$log"
    if [ -f "$n/www/$rel.gz" ] && http_check real-gzip "/$rel" 200 "$want" - -H 'Accept-Encoding: gzip'; then
      grep -qi '^Content-Encoding: gzip' "$h" || echo "/$rel: no Content-Encoding: gzip" >>"$log"
      cmp -s "$b" "$n/www/$rel.gz" || echo "/$rel: gzip body is not $rel.gz" >>"$log"
    elif [ ! -f "$n/www/$rel.gz" ] && [ "$(stat -c %s "$n/www/$rel")" -ge 1024 ] &&
         http_check real-gzip-fly "/$rel" 200 "$want" - -H 'Accept-Encoding: gzip'; then
      # No .gz sibling (events/*.ics): nginx compresses on the fly.
      grep -qi '^Content-Encoding: gzip' "$h" || echo "/$rel: not compressed on the fly" >>"$log"
      gzip -dc <"$b" | cmp -s - "$n/www/$rel" || echo "/$rel: on-the-fly gzip does not inflate to the file" >>"$log"
    fi
  done < <(cd "$n/www" && find . -type f ! -name '*.gz' ! -path '*/.*' | sed 's#^\./##' | sort | head -n 300)
  local hidden
  hidden=$(cd "$n/www" && find . -maxdepth 1 -type f -name '.*' | sed 's#^\./##' | head -n1)
  [ -n "$hidden" ] && http_check real-hidden "/$hidden" 404 - -
  stop_nginx "$n" "$log"
  if [ -s "$log" ]; then
    result FAIL $name "$nfiles files of a real build, $CHECKS requests"
  else
    result PASS $name "evfeed build (ConfigMap config, exit $rc): $nfiles files + .gz, $CHECKS requests via evfeed.conf ok"
  fi
}

# evfeed serve answers the HEALTHCHECK/probe request and stops with 0 on SIGTERM
# (what evfeed.service, the Dockerfile and deployment.yaml rely on).
check_serve_healthz() {
  local name=serve-healthz log=$WORK/serve-healthz.log content=$ROOT/feeds/content
  if ! is_real_evfeed; then
    result SKIP $name "$BIN is not an evfeed build"
    return
  fi
  if [ ! -d "$content" ]; then
    result SKIP $name "no sample site in feeds/content"
    return
  fi
  local cfg=$WORK/serve-config.yaml port i ok=0 pid rc
  extract_configmap_config "$cfg" >>"$log" 2>&1
  port=$(pick_port)
  "$BIN" serve --content "$content" --config "$cfg" --listen "127.0.0.1:$port" >>"$log" 2>&1 &
  pid=$!
  for i in $(seq 1 100); do
    # The Dockerfile's HEALTHCHECK command.
    if curl -fsS -o "$WORK/healthz.json" --max-time 2 "http://127.0.0.1:$port/healthz" 2>/dev/null; then
      ok=1
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null
    echo "still running 10 s after SIGTERM" >>"$log"
  fi
  wait "$pid" 2>/dev/null
  rc=$?
  if [ $ok -eq 1 ] && [ $rc -eq 0 ]; then
    result PASS $name "GET /healthz 200 $(head -c 40 "$WORK/healthz.json")...; SIGTERM -> exit 0"
  else
    echo "healthz ok=$ok, exit after SIGTERM $rc" >>"$log"
    result FAIL $name "healthz ok=$ok, exit after SIGTERM $rc"
  fi
}

# --------------------------------------------------------------- dockerfile --
# The runtime stage's apt-get install list (between "install" and "&& rm").
runtime_packages() {
  # shellcheck disable=SC1003  # the backslash in tr's set is literal
  awk '/^FROM .* AS runtime/ { rt = 1 } rt' "$DEPLOY/docker/Dockerfile" \
    | sed -n '/apt-get install/,/&& rm/p' | tr -s '[:space:]\\' '\n' \
    | grep -E '^[a-z0-9][a-z0-9.+-]+$' | grep -vE '^(apt-get|install|rm|DEBIAN_FRONTEND.*)$' | sort -u
}

check_dockerfile() {
  local name=dockerfile log=$WORK/dockerfile.log df=$DEPLOY/docker/Dockerfile
  local linted="not linted ($NPM_WHY)"
  if [ $NPM_OK -eq 1 ]; then
    "$TOOLS/node_modules/.bin/dockerfile-utils" lint "$df" >>"$log" 2>&1 || true
    linted="dockerfile-utils lint clean"
  fi
  # Static facts the brief fixes.
  grep -q '^FROM debian:12 AS build' "$df" || echo "build stage is not FROM debian:12 AS build" >>"$log"
  grep -q '^FROM debian:12-slim AS runtime' "$df" || echo "runtime stage is not FROM debian:12-slim" >>"$log"
  grep -q 'bash deploy/install-deps.sh' "$df" || echo "build stage does not run deploy/install-deps.sh" >>"$log"
  grep -q -- '-S . -B build .*-DCMAKE_BUILD_TYPE=Release -DEVFEED_BUILD_TESTS=OFF' "$df" \
    || echo "cmake configure line differs from the contract" >>"$log"
  grep -qE '^USER [1-9][0-9]*' "$df" || echo "no non-root numeric USER" >>"$log"
  grep -q '^EXPOSE 8080$' "$df" || echo "EXPOSE 8080 missing" >>"$log"
  grep -q 'HEALTHCHECK.*' "$df" && grep -q '/healthz' "$df" || echo "HEALTHCHECK on /healthz missing" >>"$log"
  grep -q '^CMD \["evfeed", "serve", "--content", "/site/content", "--config", "/site/config.yaml", "--listen", "0.0.0.0:8080"\]$' "$df" \
    || echo "CMD differs from the contract" >>"$log"
  # COPY sources (not --from) must exist in the context (the repository root).
  local src
  while read -r src; do
    [ -e "$ROOT/$src" ] || echo "COPY source missing in the repo: $src" >>"$log"
  done < <(grep -E '^COPY ' "$df" | grep -v -- '--from' | awk '{ for (i = 2; i < NF; i++) print $i }')
  # Runtime packages: every name exists in Debian 12 and the set installs together.
  local pkgs
  mapfile -t pkgs < <(runtime_packages)
  # apt-cache knows nothing before the first apt-get update (e.g. a fresh image).
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 update -q >>"$WORK/apt.log" 2>&1
  fi
  if [ ${#pkgs[@]} -lt 10 ]; then
    echo "could not read the runtime package list (${pkgs[*]})" >>"$log"
  else
    local p
    for p in "${pkgs[@]}"; do
      apt-cache show "$p" >/dev/null 2>&1 || echo "no Debian package $p (apt-get update?)" >>"$log"
    done
    apt-get install -s -q --no-install-recommends "${pkgs[@]}" >"$WORK/apt-sim.txt" 2>&1 \
      || { echo "apt-get install -s of the runtime packages fails:"; tail -n 5 "$WORK/apt-sim.txt"; } >>"$log"
  fi
  if [ -s "$log" ]; then
    result FAIL $name "deploy/docker/Dockerfile"
  else
    result PASS $name "$linted; contract lines ok; ${#pkgs[@]} runtime packages resolve in apt (image not built: no Docker daemon/registry here)"
  fi
}

check_runtime_libs() {
  local name=runtime-libs log=$WORK/runtime-libs.log
  if ! file -L "$BIN" 2>/dev/null | grep -q 'dynamically linked' && ! ldd "$BIN" >/dev/null 2>&1; then
    result SKIP $name "$BIN is not a dynamic executable"
    return
  fi
  if [ "$(basename "$BIN")" != evfeed ]; then
    result SKIP $name "$BIN is not an evfeed build (pass build/evfeed to check its libraries)"
    return
  fi
  local closure=$WORK/closure.txt pkgs
  mapfile -t pkgs < <(runtime_packages)
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances "${pkgs[@]}" 2>/dev/null | grep -v '^ ' | sort -u >"$closure"
  printf '%s\n' libc6 libstdc++6 libgcc-s1 >>"$closure" # in every debian:12-slim
  local lib path pkg n=0
  while read -r lib path; do
    n=$((n + 1))
    pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n1 | cut -d: -f1)
    [ -n "$pkg" ] || pkg=$(dpkg -S "$path" 2>/dev/null | head -n1 | cut -d: -f1)
    if [ -z "$pkg" ]; then
      echo "$lib ($path) belongs to no Debian package" >>"$log"
    elif ! grep -qx "$pkg" "$closure"; then
      echo "$lib comes from $pkg, which the runtime stage does not install" >>"$log"
    fi
  done < <(ldd "$BIN" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }')
  if ldd "$BIN" | grep -q 'not found'; then ldd "$BIN" | grep 'not found' >>"$log"; fi
  if [ -s "$log" ]; then
    result FAIL $name "$n shared libraries of $BIN"
  else
    result PASS $name "all $n shared libraries of $BIN come from the runtime packages"
  fi
}

# -------------------------------------------------------------------- main --
echo "check-deploy: $DEPLOY"
if ! install_debian_deps; then
  echo "check-deploy: could not install the Debian packages it needs" >&2
  exit 1
fi
install_npm_tools || echo "check-deploy: $NPM_WHY (npm-based checks will be skipped)"

check_systemd_verify
check_systemd_security
check_systemd_timer
check_sysusers_tmpfiles
check_cron
check_nginx_syntax
check_nginx_loopback
check_yamllint
check_k8s_schema
check_k8s_kustomize
check_dockerfile
check_runtime_libs
check_real_output
check_serve_healthz

echo "check-deploy: $PASS passed, $FAIL failed, $SKIP skipped"
[ $FAIL -eq 0 ]
