#!/bin/sh
# Lists every directive name written (uncommented) in Debian's stock tree,
# joining backslash continuations as Apache does. Usage:
#   sh gen-debian-directives.sh [/etc/apache2] > debian-directives.txt
d=${1:-/etc/apache2}
cat <<'HDR'
# Every directive name written (uncommented) in Debian 12's /etc/apache2
# apache2.conf, ports.conf, mods-available/*, conf-available/*, sites-available/*;
# sections keep their "<". Regenerate with testdata/core/gen-debian-directives.sh.
HDR
for f in "$d/apache2.conf" "$d/ports.conf" "$d"/mods-available/* "$d"/conf-available/* "$d"/sites-available/*; do
	[ -f "$f" ] && cat "$f" && echo
done | awk '
	/\\$/ { sub(/\\$/, " "); buf = buf $0; next }
	{ line = buf $0; buf = "" ; sub(/^[ \t]+/, "", line)
	  if (line == "" || line ~ /^#/ || line ~ /^<\//) next
	  if (match(line, /^<?[A-Za-z0-9_]+/)) print substr(line, RSTART, RLENGTH) }' |
	sort -u -f
