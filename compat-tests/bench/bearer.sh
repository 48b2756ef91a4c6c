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
# BASELINE=path/to/oidcgate adds another oidcgate binary (say, main's) on
# the authenticating configuration as oidcgate-base+oauth, to compare a
# change in the same run.
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
backend=127.0.0.1:18440
. compat-tests/bench/lib.sh
bench_init
go build -o "$work/oidcgate" ./cmd/oidcgate
go build -o "$work/backend" ./compat-tests/bench/backend
go build -o "$work/bearer" ./compat-tests/bench/bearer
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
start_apache 18441 "$work/apache.conf"
[ -n "${APACHE_PLAIN:-}" ] && start_apache 18444 "$work/apache-plain.conf"
"$work/oidcgate" serve -d "$work" -f "$work/oidcgate.conf" 2>"$work/oidcgate.log" & ogpid=$!; pids+=($!)
"$work/oidcgate" serve -d "$work" -f "$work/oidcgate-plain.conf" 2>"$work/oidcgate-plain.log" & plainpid=$!; pids+=($!)
if [ -n "${BASELINE:-}" ]; then
  conf 18446 oauth > "$work/oidcgate-base.conf"
  "$BASELINE" serve -d "$work" -f "$work/oidcgate-base.conf" 2>"$work/oidcgate-base.log" & basepid=$!; pids+=($!)
fi
sleep 1

targets=("apache2+oauth 18441 $work/apache.conf" "oidcgate+oauth 18442 $ogpid" "oidcgate-plain 18443 $plainpid")
[ -n "${APACHE_PLAIN:-}" ] && targets+=("apache2-plain 18444 $work/apache-plain.conf")
[ -n "${BASELINE:-}" ] && targets+=("oidcgate-base+oauth 18446 $basepid")
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
    for wrong in "" "Authorization: Bearer $forged"; do
      code=$(curl -s -o /dev/null -w '%{http_code}' ${wrong:+-H "$wrong"} "http://127.0.0.1:$2/")
      [ "$code" = 401 ] || { echo "$1: ${wrong:+a forged token}${wrong:-no token} gets $code, not 401" >&2; exit 1; }
    done ;;
  esac
done

PROFILE_TARGET=oidcgate+oauth
for round in $(seq "$rounds"); do
  round_header "$round" "$rounds" "$alg"
  mapfile -t order < <(in_turn "$round" "${targets[@]}")
  for t in "${order[@]}"; do
    set -- $t
    measure "$1" "$2" "$3" -H "$hdr"
  done
done
[ "$alg" = RS256 ] && echo "JWKS fetches during the run: $(curl -sfk "https://$jwks/__count")"
names=()
for t in "${targets[@]}"; do set -- $t; names+=("$1"); done
summary "$rounds" "${names[@]}"
echo "oidcgate+oauth / apache2+oauth  = $(ratio oidcgate+oauth apache2+oauth)x  (aim >= 2x)"
echo "oidcgate+oauth / oidcgate-plain = $(ratio oidcgate+oauth oidcgate-plain)"
[ -n "${APACHE_PLAIN:-}" ] && echo "oidcgate-plain / apache2-plain  = $(ratio oidcgate-plain apache2-plain)x"
[ -n "${BASELINE:-}" ] && echo "oidcgate+oauth / oidcgate-base+oauth = $(ratio oidcgate+oauth oidcgate-base+oauth)x"
exit $bad
