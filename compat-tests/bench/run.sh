#!/usr/bin/env bash
# Plain-proxy benchmark, not part of CI: the real Apache (mpm_event with
# Debian's defaults), oidcgate and a bare Go httputil.ReverseProxy proxy the
# same loopback backend; wrk measures each in the same run (bounded: a fixed
# duration per target). Needs apache2 and wrk (apt-get install wrk).
#   compat-tests/bench/run.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}
conns=${2:-50}
work=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  if [ -f "$work/httpd-18401.pid" ]; then
    kill "$(cat "$work/httpd-18401.pid")" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do [ -f "$work/httpd-18401.pid" ] || break; sleep 0.3; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/oidcgate" ./cmd/oidcgate
go build -o "$work/bareproxy" ./compat-tests/bench/bareproxy
go build -o "$work/backend" ./compat-tests/bench/backend
chmod 755 "$work"
"$work/backend" 127.0.0.1:18400 & sleep 0.3
conf() { cat <<CONF
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
Include /etc/apache2/mods-available/mpm_event.conf
ServerName bench.example
Listen 127.0.0.1:$1
User nobody
Group nogroup
ErrorLog $work/error-$1.log
PidFile $work/httpd-$1.pid
ProxyPass / http://127.0.0.1:18400/
CONF
}
conf 18401 > "$work/apache.conf"
conf 18402 > "$work/oidcgate.conf"
/usr/sbin/apache2 -d "$work" -f "$work/apache.conf" -k start
"$work/oidcgate" serve -d "$work" -f "$work/oidcgate.conf" 2>/dev/null & ogpid=$!
"$work/bareproxy" 127.0.0.1:18403 http://127.0.0.1:18400 & barepid=$!
sleep 1
rss() { ps -o rss= -p "$@" | awk '{s+=$1} END {print s}'; }
for target in "apache2 18401" "oidcgate 18402" "bare-go-proxy 18403"; do
  set -- $target
  curl -sf "http://127.0.0.1:$2/" >/dev/null
  out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$2/")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  case $1 in
    apache2) mem=$(rss $(pgrep -d' ' -f "$work/apache.conf")) ;;
    oidcgate) mem=$(rss "$ogpid") ;;
    *) mem=$(rss "$barepid") ;;
  esac
  printf '%-14s %10s req/s   p99 %8s   RSS %6d KiB\n' "$1" "$rps" "$p99" "$mem"
done
