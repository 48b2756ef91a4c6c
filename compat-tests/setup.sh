#!/usr/bin/env bash
# Prepares this machine for the compat tests (idempotent; run as root):
# Debian's apache2 + mod_auth_openidc, the modules a reverse-proxy user
# enables, and an OIDC site, so that /etc/apache2 is the tree the tests
# read. Apache itself is never left running.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

missing=()
for p in apache2 libapache2-mod-auth-openidc; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

a2enmod -q proxy proxy_http headers auth_openidc >/dev/null
install -m 0644 "$here/testdata/oidc-site.conf" /etc/apache2/sites-available/oidc-site.conf
a2ensite -q oidc-site >/dev/null

# apache2ctl creates the run directory before it starts Apache; apache2 -t
# checks that it exists.
set +u; . /etc/apache2/envvars; set -u
mkdir -p "$APACHE_RUN_DIR" "$APACHE_LOCK_DIR" "$APACHE_LOG_DIR"

# The package's postinst may have started the service (invoke-rc.d); the
# tests need it stopped. Stop it through its pid file, then make sure.
pid=""
[ -s "$APACHE_PID_FILE" ] && pid=$(cat "$APACHE_PID_FILE")
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
  apache2ctl -k stop >/dev/null 2>&1 || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    sleep 1
  fi
  if kill -0 "$pid" 2>/dev/null; then
    echo "setup.sh: apache2 (pid $pid) is still running" >&2
    exit 1
  fi
fi
rm -f "$APACHE_PID_FILE"

# apache2ctl sources envvars itself; it must accept the tree.
apache2ctl -t
