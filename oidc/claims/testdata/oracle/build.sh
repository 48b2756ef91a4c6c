#!/bin/sh
# Builds the two differential oracles used by the *Oracle* tests.
#
# /tmp/claims-oracle: Debian 12's shared libraries (libapr-1 1.7.2,
# libjansson 2.14, libpcre2-8 10.42, glibc); no headers needed.
#
# /tmp/claims-module-oracle: calls the exported functions of Debian 12's
# real /usr/lib/apache2/modules/mod_auth_openidc.so (2.4.12.3-2+deb12u5)
# with a minimal request_rec; needs libapache2-mod-auth-openidc and
# apache2-dev (headers). Apache's own symbols are stubbed (they abort if
# ever called); logging is off because the fake request's log level is 0.
#
# Regenerate the golden files with:
#   sh testdata/oracle/build.sh
#   ORACLE=/tmp/claims-oracle MODULE_ORACLE=/tmp/claims-module-oracle \
#     go test ./oidc/claims -run Oracle -update-oracle
set -e
D=$(dirname "$0")
L=/usr/lib/x86_64-linux-gnu
gcc -O1 -o /tmp/claims-oracle "$D/oracle.c" $L/libjansson.so.4 $L/libapr-1.so.0 $L/libpcre2-8.so.0
if [ -f /usr/lib/apache2/modules/mod_auth_openidc.so ] && [ -f /usr/include/apache2/httpd.h ]; then
	S=$(mktemp -d)
	nm -D -u /usr/lib/apache2/modules/mod_auth_openidc.so | awk '{print $2}' | sed 's/@.*//' |
		grep -E '^(ap_|unixd)' | grep -v -E '^ap_log_(r)?error_$' | sort -u |
		awk 'BEGIN{print "#include <stdlib.h>"} {print "void " $1 "(void) { abort(); }"}' >"$S/stubs.c"
	gcc -O1 -rdynamic -I/usr/include/apache2 -I/usr/include/apr-1.0 -o /tmp/claims-module-oracle \
		"$D/module.c" "$S/stubs.c" -ldl -lapr-1 -laprutil-1 $L/libjansson.so.4
	rm -r "$S"
fi
