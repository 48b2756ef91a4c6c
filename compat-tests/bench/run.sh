#!/usr/bin/env bash
# Plain-proxy benchmark, not part of CI: the real Apache (mpm_event with
# Debian's defaults), oidcgate and a bare Go httputil.ReverseProxy proxy the
# same loopback backend; wrk measures each in the same run (bounded: a fixed
# duration per target). Needs apache2 and wrk (apt-get install wrk).
#   compat-tests/bench/run.sh [seconds] [connections] [rounds]
# With rounds > 1 the three targets are measured in turn, round after round
# (so that a burst of load from elsewhere on the machine hits all of them),
# and the summary gives each target's median req/s and p99 and the ratios
# of the medians. Validity checks as in lib.sh's measure. PROFILE=dir
# records oidcgate's runs with perf. BASELINE=path/to/oidcgate adds another
# oidcgate binary (say, main's) as the target oidcgate-base, to compare a
# change in the same run.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}
conns=${2:-50}
rounds=${3:-1}
backend=127.0.0.1:18400
. compat-tests/bench/lib.sh
bench_init
go build -o "$work/oidcgate" ./cmd/oidcgate
go build -o "$work/bareproxy" ./compat-tests/bench/bareproxy
go build -o "$work/backend" ./compat-tests/bench/backend
"$work/backend" $backend & pids+=($!)
sleep 0.3
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
ProxyPass / http://$backend/
CONF
}
conf 18401 > "$work/apache.conf"
conf 18402 > "$work/oidcgate.conf"
conf 18404 > "$work/oidcgate-base.conf"
start_apache 18401 "$work/apache.conf"
"$work/oidcgate" serve -d "$work" -f "$work/oidcgate.conf" 2>"$work/oidcgate.log" & ogpid=$!; pids+=($!)
"$work/bareproxy" 127.0.0.1:18403 "http://$backend" & barepid=$!; pids+=($!)
targets=("apache2 18401 $work/apache.conf" "oidcgate 18402 $ogpid" "bare-go-proxy 18403 $barepid")
if [ -n "${BASELINE:-}" ]; then
  "$BASELINE" serve -d "$work" -f "$work/oidcgate-base.conf" 2>"$work/oidcgate-base.log" & basepid=$!; pids+=($!)
  targets+=("oidcgate-base 18404 $basepid")
fi
sleep 1
PROFILE_TARGET=oidcgate
for round in $(seq "$rounds"); do
  round_header "$round" "$rounds"
  mapfile -t order < <(in_turn "$round" "${targets[@]}")
  for target in "${order[@]}"; do
    set -- $target
    curl -sf "http://127.0.0.1:$2/" | grep -q 'hello from the backend' || { echo "$1: no backend body before timing" >&2; exit 1; }
    measure "$1" "$2" "$3"
  done
done
names=()
for t in "${targets[@]}"; do set -- $t; names+=("$1"); done
summary "$rounds" "${names[@]}"
echo "oidcgate / apache2      = $(ratio oidcgate apache2)x  (aim >= 1x at equal or lower p99)"
echo "oidcgate / bare-go-proxy = $(ratio oidcgate bare-go-proxy)x"
[ -n "${BASELINE:-}" ] && echo "oidcgate / oidcgate-base  = $(ratio oidcgate oidcgate-base)x"
exit $bad
