#!/usr/bin/env bash
# Bearer-token (resource server) benchmark, not part of CI. In one run, on
# loopback, wrk sends "Authorization: Bearer <JWT>" on every request to
#   apache2+oauth   Apache (mpm_event, Debian's defaults) + mod_auth_openidc,
#                   <Location /> AuthType oauth20 + Require valid-user
#   oidcgate+oauth  oidcgate on the same configuration
#   oidcgate-plain  oidcgate on the same configuration without AuthType/Require
# all proxying (ProxyPass) to the same backend (compat-tests/bench/backend).
# The token comes from compat-tests/bench/bearer (a Go helper): with ALG=RS256
# (the default) it is signed with a fresh RSA key whose JWK set the helper
# serves on https://127.0.0.1:18445/jwks (OIDCOAuthVerifyJwksUri;
# mod_auth_openidc takes only https there, so OIDCOAuthSSLValidateServer
# Off); with ALG=HS256 it is signed with OIDCOAuthVerifySharedKeys' key.
# Before timing, the token must get the backend's 200 from each target and
# no token must get 401 from the authenticating ones; after timing, wrk's
# Non-2xx line must be absent and the backend must have answered at least as
# many requests as wrk completed. Bounded: a fixed duration per target;
# everything started is stopped. Needs apache2, libapache2-mod-auth-openidc,
# wrk and go.
#   compat-tests/bench/bearer.sh [seconds] [connections] [rounds]
# With rounds > 1 the targets are measured in turn, round after round, and
# the summary gives each target's median req/s and p99 and the ratios of the
# medians. APACHE_PLAIN=1 adds Apache without AuthType (context).
# PROFILE=dir also records oidcgate+oauth's runs with perf (-g, 999 Hz) as
# oidc.sh does: dir/perf.data (the last round's), dir/perf-top.txt (hottest
# symbols, self time), dir/perf-cum.txt (oidcgate's, encoding/json's and the
# GC's functions, cumulative); the profiler's cost lowers that target's
# figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}
conns=${2:-50}
rounds=${3:-1}
alg=${ALG:-RS256}
secret=bench-shared-key-of-at-least-32-bytes
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for port in 18441 18444; do
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
go build -o "$work/bearer" ./compat-tests/bench/bearer
chmod 755 "$work"
backend=127.0.0.1:18440
jwks=127.0.0.1:18445
"$work/backend" $backend & pids+=($!)
case $alg in
  RS256) "$work/bearer" -alg RS256 -jwks $jwks -out "$work/token" & pids+=($!)
         for _ in $(seq 100); do [ -f "$work/token" ] && break; sleep 0.1; done ;;
  HS256) "$work/bearer" -alg HS256 -secret "$secret" -out "$work/token" ;;
  *) echo "ALG=$alg: RS256 or HS256" >&2; exit 2 ;;
esac
[ -f "$work/token" ] || { echo "no token" >&2; exit 1; }
token=$(cat "$work/token")

# conf PORT oauth|plain
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
LogLevel ${LOGLEVEL:-warn}
OIDCOAuthRemoteUserClaim sub
CONF
if [ "$alg" = RS256 ]; then
  echo "OIDCOAuthVerifyJwksUri https://$jwks/jwks"
  echo "OIDCOAuthSSLValidateServer Off"
else
  echo "OIDCOAuthVerifySharedKeys $secret"
fi
if [ "$2" = oauth ]; then cat <<CONF
<Location />
    AuthType oauth20
    Require valid-user
</Location>
CONF
fi
echo "ProxyPass / http://$backend/"
}
conf 18441 oauth > "$work/apache.conf"
conf 18442 oauth > "$work/oidcgate.conf"
conf 18443 plain > "$work/oidcgate-plain.conf"
conf 18444 plain > "$work/apache-plain.conf"
/usr/sbin/apache2 -d "$work" -f "$work/apache.conf" -k start
[ -n "${APACHE_PLAIN:-}" ] && /usr/sbin/apache2 -d "$work" -f "$work/apache-plain.conf" -k start
"$work/oidcgate" serve -d "$work" -f "$work/oidcgate.conf" 2>"$work/oidcgate.log" & ogpid=$!; pids+=($!)
"$work/oidcgate" serve -d "$work" -f "$work/oidcgate-plain.conf" 2>"$work/oidcgate-plain.log" & plainpid=$!; pids+=($!)
sleep 1

targets=("apache2+oauth 18441" "oidcgate+oauth 18442" "oidcgate-plain 18443")
[ -n "${APACHE_PLAIN:-}" ] && targets+=("apache2-plain 18444")
hdr="Authorization: Bearer $token"
# The same token with the signature's first character changed.
sig=${token##*.}
case ${sig:0:1} in A) c=B ;; *) c=A ;; esac
forged=${token%.*}.$c${sig:1}
# Before any timing: the token opens the door, no token (or a broken one)
# does not.
for t in "${targets[@]}"; do
  set -- $t
  code=$(curl -s -o "$work/body" -w '%{http_code}' -H "$hdr" "http://127.0.0.1:$2/")
  if [ "$code" != 200 ] || ! grep -q 'hello from the backend' "$work/body"; then
    echo "$1: the token gets $code, not the backend's 200" >&2
    grep -hv " AH0\|SHOULD be" "$work"/error-*.log "$work"/oidcgate*.log 2>/dev/null | tail -30 >&2; exit 1
  fi
  case $1 in *+oauth)
    for bad in "" "Authorization: Bearer $forged"; do
      code=$(curl -s -o /dev/null -w '%{http_code}' ${bad:+-H "$bad"} "http://127.0.0.1:$2/")
      [ "$code" = 401 ] || { echo "$1: ${bad:+a forged token}${bad:-no token} gets $code, not 401" >&2; exit 1; }
    done ;;
  esac
done

rss() { ps -o rss= -p "$@" | awk '{s+=$1} END {print s}'; }
count() { curl -sf "http://$backend/__count"; }
declare -A RPS P99
bad=0
for round in $(seq "$rounds"); do
echo "# round $round/$rounds  $(date -u +%FT%TZ)  loadavg $(cut -d' ' -f1-3 /proc/loadavg)  $(nproc) cores  wrk -t2 -c$conns -d${secs}s  $alg  $(/usr/sbin/apache2 -v | awk -F': ' '/version/ {print $2}')  mod_auth_openidc $(dpkg-query -W -f='${Version}' libapache2-mod-auth-openidc 2>/dev/null)  $(go version | awk '{print $3}')"
for t in "${targets[@]}"; do
  set -- $t
  name=$1 port=$2
  before=$(count)
  perfpid=
  if [ -n "${PROFILE:-}" ] && [ "$name" = oidcgate+oauth ]; then
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
    apache2+oauth) mem=$(rss $(pgrep -d' ' -f "$work/apache.conf")) ;;
    apache2-plain) mem=$(rss $(pgrep -d' ' -f "$work/apache-plain.conf")) ;;
    oidcgate+oauth) mem=$(rss "$ogpid") ;;
    *) mem=$(rss "$plainpid") ;;
  esac
  check=ok
  if [ -n "$non2xx" ] || [ $((after - before)) -lt "$reqs" ]; then check="INVALID"; bad=1; fi
  RPS[$name]+="$rps "
  # p99 in ms for the median
  P99[$name]+="$(echo "$p99" | awk '/us$/ {print $1/1000; next} /ms$/ {print $1+0; next} /s$/ {print $1*1000}') "
  printf '%-15s %10s req/s   p99 %8s   RSS %7d KiB   wrk %8d req, backend %8d, non-2xx %s%s  %s\n' \
    "$name" "$rps" "$p99" "$mem" "$reqs" $((after - before)) "${non2xx:-0}" "${sockerr:+, socket errors$sockerr}" "$check"
done
done
[ "$alg" = RS256 ] && echo "JWKS fetches during the run: $(curl -sfk "https://$jwks/__count")"
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
for t in "${targets[@]}"; do
  set -- $t
  printf '%-15s median %10s req/s, median p99 %6s ms over %d round(s): %s\n' "$1" "$(echo "${RPS[$1]}" | median)" "$(echo "${P99[$1]}" | median)" "$rounds" "${RPS[$1]}"
done
awk -v g="$(echo "${RPS[oidcgate+oauth]}" | median)" -v a="$(echo "${RPS[apache2+oauth]}" | median)" \
    -v p="$(echo "${RPS[oidcgate-plain]}" | median)" 'BEGIN {
  printf "oidcgate+oauth / apache2+oauth  = %.2fx  (aim >= 2x)\n", g / a
  printf "oidcgate+oauth / oidcgate-plain = %.1f%%\n", 100 * g / p }'
exit $bad
