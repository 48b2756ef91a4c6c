#!/bin/sh
# Builds the differential oracle against Debian 12's shared libraries
# (libapr-1 1.7.2, libjansson 2.14, libpcre2-8 10.42; headers not needed).
# Regenerate the golden files with:
#   sh testdata/oracle/build.sh && ORACLE=/tmp/claims-oracle go test ./oidc/claims -run Oracle -update-oracle
set -e
L=/usr/lib/x86_64-linux-gnu
gcc -O1 -o /tmp/claims-oracle "$(dirname "$0")/oracle.c" $L/libjansson.so.4 $L/libapr-1.so.0 $L/libpcre2-8.so.0
