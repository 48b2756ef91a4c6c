#!/usr/bin/env bash
# Authenticated-proxy benchmark, not part of CI. In one run, on loopback,
# wrk measures requests that carry a valid session cookie through
#   apache2+oidc   Apache (mpm_event, Debian's defaults) + mod_auth_openidc,
#                  AuthType openid-connect, Require valid-user, OIDCCacheType shm
#   oidcgate+oidc  oidcgate on the same configuration
#   oidcgate-plain oidcgate on the same configuration without AuthType/Require
#   apache2-plain  Apache on that plain configuration (for context)
# all proxying (ProxyPass) to the same backend. compat-tests/bench/login runs
# the development provider and logs in once per authenticating target; the
# session cookie it prints goes to wrk as a Cookie header (the plain targets
# get the same header). Before timing, the cookie alone must get the
# backend's 200; after timing, wrk's Non-2xx line must be absent and the
# backend must have answered at least as many requests as wrk completed
# (wrk does not count 3xx as errors, the backend count catches redirects).
# Bounded: a fixed duration per target; everything started is stopped.
# Needs apache2, libapache2-mod-auth-openidc and wrk.
#   compat-tests/bench/oidc.sh [seconds] [connections] [rounds]
# With rounds > 1 the four targets are measured in turn, round after round
# (so that a burst of load from elsewhere on the machine hits all of them),
# and the summary gives each target's median req/s and the ratios of the
# medians.
# PROFILE=dir also records oidcgate+oidc's run with perf (-g, 999 Hz) and
# writes dir/perf.data, dir/perf-top.txt (hottest symbols, self time) and
# dir/perf-cum.txt (oidcgate's, encoding/json's and the GC's functions,
# cumulative); the profiler's own cost lowers that target's figures. For
# file:line, see oidc/session_bench_test.go (go test -cpuprofile).
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}
conns=${2:-50}
rounds=${3:-1}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for port in 18421 18424; do
    if [ -f "$work/httpd-$port.pid" ]; then
      kill "$(cat "$work/httpd-$port.pid")" 2>/dev/null || true
      for _ in $(seq 20); do [ -f "$work/httpd-$port.pid" ] || break; sleep 0.3; done
    fi
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/oidcgate" ./cmd/oidcgate
go build -o "$work/backend" ./compat-tests/bench/backend
go build -o "$work/login" ./compat-tests/bench/login
chmod 755 "$work"
backend=127.0.0.1:18420
op=127.0.0.1:18430
"$work/backend" $backend & pids+=($!)

# conf PORT oidc|plain
conf() { cat <<CONF
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so
LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
LoadModule auth_openidc_module /usr/lib/apache2/modules/mod_auth_openidc.so
Include /etc/apache2/mods-available/mpm_event.conf
ServerName 127.0.0.1
Listen 127.0.0.1:$1
User nobody
Group nogroup
ErrorLog $work/error-$1.log
PidFile $work/httpd-$1.pid
OIDCProviderMetadataURL http://$op/.well-known/openid-configuration
OIDCClientID bench
OIDCClientSecret bench-secret
OIDCRedirectURI http://127.0.0.1:$1/redirect_uri
OIDCCryptoPassphrase bench-passphrase-not-for-production
OIDCCacheType shm
LogLevel ${LOGLEVEL:-warn}
CONF
if [ "$2" = oidc ]; then cat <<CONF
<Location />
    AuthType openid-connect
    Require valid-user
</Location>
CONF
fi
echo "ProxyPass / http://$backend/"
}
conf 18421 oidc > "$work/apache.conf"
conf 18422 oidc > "$work/oidcgate.conf"
conf 18423 plain > "$work/oidcgate-plain.conf"
conf 18424 plain > "$work/apache-plain.conf"
/usr/sbin/apache2 -d "$work" -f "$work/apache.conf" -k start
/usr/sbin/apache2 -d "$work" -f "$work/apache-plain.conf" -k start
"$work/oidcgate" serve -d "$work" -f "$work/oidcgate.conf" 2>"$work/oidcgate.log" & ogpid=$!; pids+=($!)
"$work/oidcgate" serve -d "$work" -f "$work/oidcgate-plain.conf" 2>"$work/oidcgate-plain.log" & plainpid=$!; pids+=($!)
sleep 1
"$work/login" -op $op -out "$work/cookies" http://127.0.0.1:18421/ http://127.0.0.1:18422/ & pids+=($!)
for _ in $(seq 100); do [ -f "$work/cookies" ] && break; sleep 0.1; done
[ -f "$work/cookies" ] || { echo "login failed; Apache error log:" >&2; grep -v " AH0\|SHOULD be" "$work/error-18421.log" | tail -60 >&2; exit 1; }
cookie() { awk -v t="http://127.0.0.1:$1/" '$1==t {print $2}' "$work/cookies"; }
apache_cookie=$(cookie 18421)
gate_cookie=$(cookie 18422)

rss() { ps -o rss= -p "$@" | awk '{s+=$1} END {print s}'; }
count() { curl -sf "http://$backend/__count"; }
declare -A RPS
bad=0
for round in $(seq "$rounds"); do
echo "# round $round/$rounds  $(date -u +%FT%TZ)  loadavg $(cut -d' ' -f1-3 /proc/loadavg)  $(nproc) cores  wrk -t2 -c$conns -d${secs}s  $(/usr/sbin/apache2 -v | awk -F': ' '/version/ {print $2}')  mod_auth_openidc $(dpkg-query -W -f='${Version}' libapache2-mod-auth-openidc 2>/dev/null)  $(go version | awk '{print $3}')"
for target in "apache2+oidc 18421 $apache_cookie" "oidcgate+oidc 18422 $gate_cookie" \
              "oidcgate-plain 18423 $gate_cookie" "apache2-plain 18424 $gate_cookie"; do
  set -- $target
  name=$1 port=$2 c=$3
  hdr="Cookie: mod_auth_openidc_session=$c"
  code=$(curl -s -o "$work/body" -w '%{http_code}' -H "$hdr" "http://127.0.0.1:$port/")
  if [ "$code" != 200 ] || ! grep -q 'hello from the backend' "$work/body"; then
    echo "$name: the session cookie gets $code before timing, not the backend's 200" >&2; exit 1
  fi
  before=$(count)
  perfpid=
  if [ -n "${PROFILE:-}" ] && [ "$name" = oidcgate+oidc ]; then
    mkdir -p "$PROFILE"
    perf record -q -F 999 -g -p "$ogpid" -o "$PROFILE/perf.data" -- sleep "$secs" 2>/dev/null & perfpid=$!
  fi
  out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency -H "$hdr" "http://127.0.0.1:$port/")
  after=$(count)
  if [ -n "$perfpid" ]; then
    wait "$perfpid" || true
    perf report -i "$PROFILE/perf.data" --no-children --sort sym --stdio -g none 2>/dev/null \
      | grep -v '^#' | grep -v '^$' | head -40 > "$PROFILE/perf-top.txt" || true
    perf report -i "$PROFILE/perf.data" --children --sort sym --stdio -g none 2>/dev/null \
      | grep 'oidcgate\|encoding/json\|gcBgMarkWorker\|mallocgc$' | head -40 > "$PROFILE/perf-cum.txt" || true
  fi
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk -F': *' '/Non-2xx/ {print $2}')
  sockerr=$(echo "$out" | awk '/Socket errors/ {$1=$2=""; print}')
  case $name in
    apache2+oidc) mem=$(rss $(pgrep -d' ' -f "$work/apache.conf")) ;;
    apache2-plain) mem=$(rss $(pgrep -d' ' -f "$work/apache-plain.conf")) ;;
    oidcgate+oidc) mem=$(rss "$ogpid") ;;
    *) mem=$(rss "$plainpid") ;;
  esac
  check=ok
  if [ -n "$non2xx" ] || [ $((after - before)) -lt "$reqs" ]; then check="INVALID"; bad=1; fi
  RPS[$name]+="$rps "
  printf '%-15s %10s req/s   p99 %8s   RSS %7d KiB   wrk %8d req, backend %8d, non-2xx %s%s  %s\n' \
    "$name" "$rps" "$p99" "$mem" "$reqs" $((after - before)) "${non2xx:-0}" "${sockerr:+, socket errors$sockerr}" "$check"
done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
for name in apache2+oidc oidcgate+oidc oidcgate-plain apache2-plain; do
  printf '%-15s median %10s req/s over %d round(s): %s\n' "$name" "$(echo "${RPS[$name]}" | median)" "$rounds" "${RPS[$name]}"
done
awk -v g="$(echo "${RPS[oidcgate+oidc]}" | median)" -v a="$(echo "${RPS[apache2+oidc]}" | median)" \
    -v p="$(echo "${RPS[oidcgate-plain]}" | median)" 'BEGIN {
  printf "oidcgate+oidc / apache2+oidc   = %.2fx  (aim >= 2x)\n", g / a
  printf "oidcgate+oidc / oidcgate-plain = %.1f%%  (aim >= 90%%)\n", 100 * g / p }'
exit $bad
