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
# medians. BASELINE=path/to/oidcgate adds another oidcgate binary (say,
# main's) on the authenticated configuration as oidcgate-base+oidc, to
# compare a change in the same run.
# CLAIMS_AS=none|headers|environment|both sets OIDCPassClaimsAs on every
# target (the default, both, forwards zoe's ~40 claim headers), to tell the
# cost of authenticating from that of forwarding the claims.
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
backend=127.0.0.1:18420
. compat-tests/bench/lib.sh
bench_init
go build -o "$work/oidcgate" ./cmd/oidcgate
go build -o "$work/backend" ./compat-tests/bench/backend
go build -o "$work/login" ./compat-tests/bench/login
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
${CLAIMS_AS:+OIDCPassClaimsAs $CLAIMS_AS}
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
start_apache 18421 "$work/apache.conf"
start_apache 18424 "$work/apache-plain.conf"
"$work/oidcgate" serve -d "$work" -f "$work/oidcgate.conf" 2>"$work/oidcgate.log" & ogpid=$!; pids+=($!)
"$work/oidcgate" serve -d "$work" -f "$work/oidcgate-plain.conf" 2>"$work/oidcgate-plain.log" & plainpid=$!; pids+=($!)
logins=(http://127.0.0.1:18421/ http://127.0.0.1:18422/)
if [ -n "${BASELINE:-}" ]; then
  conf 18425 oidc > "$work/oidcgate-base.conf"
  "$BASELINE" serve -d "$work" -f "$work/oidcgate-base.conf" 2>"$work/oidcgate-base.log" & basepid=$!; pids+=($!)
  logins+=(http://127.0.0.1:18425/)
fi
sleep 1
"$work/login" -op $op -out "$work/cookies" "${logins[@]}" & pids+=($!)
for _ in $(seq 100); do [ -f "$work/cookies" ] && break; sleep 0.1; done
[ -f "$work/cookies" ] || { echo "login failed; Apache error log:" >&2; grep -v " AH0\|SHOULD be" "$work/error-18421.log" | tail -60 >&2; exit 1; }
cookie() { awk -v t="http://127.0.0.1:$1/" '$1==t {print $2}' "$work/cookies"; }
apache_cookie=$(cookie 18421)
gate_cookie=$(cookie 18422)
targets=("apache2+oidc 18421 $apache_cookie $work/apache.conf" "oidcgate+oidc 18422 $gate_cookie $ogpid"
         "oidcgate-plain 18423 $gate_cookie $plainpid" "apache2-plain 18424 $gate_cookie $work/apache-plain.conf")
[ -n "${BASELINE:-}" ] && targets+=("oidcgate-base+oidc 18425 $(cookie 18425) $basepid")

PROFILE_TARGET=${PROFILE_TARGET:-oidcgate+oidc}
for round in $(seq "$rounds"); do
round_header "$round" "$rounds"
mapfile -t order < <(in_turn "$round" "${targets[@]}")
for target in "${order[@]}"; do
  set -- $target
  name=$1 port=$2 c=$3 mem=$4
  hdr="Cookie: mod_auth_openidc_session=$c"
  code=$(curl -s -o "$work/body" -w '%{http_code}' -H "$hdr" "http://127.0.0.1:$port/")
  if [ "$code" != 200 ] || ! grep -q 'hello from the backend' "$work/body"; then
    echo "$name: the session cookie gets $code before timing, not the backend's 200" >&2; exit 1
  fi
  measure "$name" "$port" "$mem" -H "$hdr"
done
done
names=()
for t in "${targets[@]}"; do set -- $t; names+=("$1"); done
summary "$rounds" "${names[@]}"
echo "oidcgate+oidc / apache2+oidc   = $(ratio oidcgate+oidc apache2+oidc)x  (aim >= 2x)"
echo "oidcgate+oidc / oidcgate-plain = $(ratio oidcgate+oidc oidcgate-plain)  (aim >= 0.90)"
echo "oidcgate-plain / apache2-plain = $(ratio oidcgate-plain apache2-plain)x"
[ -n "${BASELINE:-}" ] && echo "oidcgate+oidc / oidcgate-base+oidc = $(ratio oidcgate+oidc oidcgate-base+oidc)x"
exit $bad
