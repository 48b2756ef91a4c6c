# Shared by run.sh, oidc.sh and bearer.sh (sourced, not run): the work
# directory and the cleanup of what a script starts, starting Apache, and one
# timed wrk run per target and round with its validity checks, the
# per-target medians.
#
# The sourcing script sets secs, conns and backend (host:port of
# compat-tests/bench/backend), and calls bench_init first.

# bench_init makes $work and arranges for everything started to be stopped.
bench_init() {
  work=$(mktemp -d)
  chmod 755 "$work"
  pids=()
  apache_ports=()
  declare -gA RPS P99 CPU
  bad=0
  trap bench_cleanup EXIT
}

bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for port in "${apache_ports[@]}"; do
    if [ -f "$work/httpd-$port.pid" ]; then
      kill "$(cat "$work/httpd-$port.pid")" 2>/dev/null || true
      for _ in $(seq 20); do [ -f "$work/httpd-$port.pid" ] || break; sleep 0.3; done
    fi
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}

# start_apache PORT CONF: the configuration must write $work/httpd-PORT.pid.
start_apache() {
  /usr/sbin/apache2 -d "$work" -f "$2" -k start
  apache_ports+=("$1")
}

rss() { ps -o rss= -p "$@" | awk '{s+=$1} END {print s}'; }
# anon PID...: the anonymous part of the processes' RSS (heap, stacks), in
# KiB; the rest of RSS is mapped files (the executable, shared libraries),
# which a bigger binary makes bigger whatever it allocates.
anon() { for p in "$@"; do cat "/proc/$p/smaps_rollup" 2>/dev/null; done | awk '/^Anonymous:/ {s+=$2} END {print s+0}'; }
count() { curl -sf "http://$backend/__count"; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

# round_header ROUND ROUNDS [EXTRA]: when, the load, the versions.
round_header() {
  echo "# round $1/$2  $(date -u +%FT%TZ)  loadavg $(cut -d' ' -f1-3 /proc/loadavg)  $(nproc) cores  wrk -t2 -c$conns -d${secs}s ${3:-} $(/usr/sbin/apache2 -v | awk -F': ' '/version/ {print $2}')  mod_auth_openidc $(dpkg-query -W -f='${Version}' libapache2-mod-auth-openidc 2>/dev/null)  $(go version | awk '{print $3}')"
}

# measure NAME PORT MEM [wrk options...]: one timed wrk run against
# 127.0.0.1:PORT. MEM is a process ID, or a file name whose processes
# (pgrep -f) are summed (Apache's parent and children). After timing,
# wrk's Non-2xx line must be absent and the backend must have answered at
# least as many requests as wrk completed; otherwise the line says INVALID
# and the script's exit status ($bad) becomes 1. PROFILE=dir with
# PROFILE_TARGET=NAME records that target's runs with perf (-g, 999 Hz):
# dir/perf.data (the last run's), dir/perf-top.txt (hottest symbols, self
# time) and dir/perf-cum.txt (oidcgate's, encoding/json's and the GC's
# functions, cumulative); the profiler's cost lowers that target's figures.
# When MEM is a process ID (oidcgate), the line also gives the process's
# CPU time (user + system) per request: unlike req/s it hardly depends on
# what else runs on the machine, so two binaries compare even under load.
measure() {
  local name=$1 port=$2 memspec=$3
  shift 3
  local before after out perfpid= reqs rps p99 non2xx sockerr mem memanon pids check=ok cpu0= cpu= quiet
  quiet=$(wait_quiet)
  before=$(count)
  case $memspec in *[!0-9]*) ;; *) cpu0=$(cputicks "$memspec") ;; esac
  if [ -n "${PROFILE:-}" ] && [ "$name" = "${PROFILE_TARGET:-}" ]; then
    mkdir -p "$PROFILE"
    perf record -q -F 999 -g -p "$memspec" -o "$PROFILE/perf.data" -- sleep "$secs" 2>/dev/null & perfpid=$!
  fi
  out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" "http://127.0.0.1:$port/")
  after=$(count)
  if [ -n "$cpu0" ]; then
    cpu=$(awk -v a="$cpu0" -v b="$(cputicks "$memspec")" -v hz="$(getconf CLK_TCK)" -v n="$(echo "$out" | awk '/requests in/ {print $1}')" \
      'BEGIN {if (n > 0) printf "%.1f", (b - a) * 1e6 / hz / n}')
    CPU[$name]+="$cpu "
  fi
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
  case $memspec in
    *[!0-9]*) pids=$(pgrep -d' ' -f "$memspec") ;;
    *) pids=$memspec ;;
  esac
  mem=$(rss $pids)
  memanon=$(anon $pids)
  if [ -n "$non2xx" ] || [ $((after - before)) -lt "$reqs" ]; then check="INVALID"; bad=1; fi
  RPS[$name]+="$rps "
  # p99 in ms, for the median
  P99[$name]+="$(echo "$p99" | awk '/us$/ {print $1/1000; next} /ms$/ {print $1+0; next} /s$/ {print $1*1000}') "
  printf '%-15s %10s req/s   p99 %8s   RSS %7d KiB (anon %6d)%s   wrk %8d req, backend %8d, non-2xx %s%s  %s  (%s)\n' \
    "$name" "$rps" "$p99" "$mem" "$memanon" "${cpu:+   CPU $cpu µs/req}" "$reqs" $((after - before)) "${non2xx:-0}" "${sockerr:+, socket errors$sockerr}" "$check" "$quiet"
}

# in_turn ROUND TARGET...: the targets in the order round ROUND measures
# them: rotated one place further each round and reversed every other
# round, so that no target always has the same place or follows the same
# other target (measured: one oidcgate binary ran 7 % slower as the second
# target of oidc.sh's rounds, right after Apache + mod_auth_openidc, than
# as the last).
in_turn() {
  local r=$1 i j k
  shift
  for ((i = 0; i < $#; i++)); do
    k=$i
    if ((r % 2 == 0)); then k=$(($# - 1 - i)); fi
    j=$(( (k + r - 1) % $# + 1 ))
    printf '%s\n' "${!j}"
  done
}

# wait_quiet: waits (at most 30 s) until the machine's CPUs are at least
# 95% idle over half a second, so that what the previous target left
# running (Apache closing its connections, a garbage collection) does not
# count against the next one; prints how long it waited and how busy the
# machine was at the end.
wait_quiet() {
  local t0 busy i
  t0=$(date +%s.%N)
  for i in $(seq 60); do
    busy=$(busy_percent)
    [ "$busy" -lt 5 ] && break
  done
  awk -v t0="$t0" -v t1="$(date +%s.%N)" -v b="$busy" 'BEGIN {printf "waited %.1f s for quiet, %d%% busy", t1 - t0, b}'
}

# busy_percent: the CPUs' busy share over half a second, in percent.
busy_percent() {
  local a b
  a=$(head -1 /proc/stat)
  sleep 0.5
  b=$(head -1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN {
    n = split(a, x, " "); split(b, y, " ")
    for (i = 2; i <= n; i++) { d = y[i] - x[i]; tot += d; if (i == 5 || i == 6) idle += d }
    printf "%d", (tot > 0 ? 100 * (tot - idle) / tot : 0) }'
}

# cputicks PID: the process's user + system time in clock ticks.
cputicks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# summary ROUNDS NAME...: each target's median req/s and median p99.
summary() {
  local rounds=$1 name
  shift
  for name in "$@"; do
    printf '%-15s median %10s req/s, median p99 %6s ms%s over %d round(s): %s\n' "$name" \
      "$(echo "${RPS[$name]}" | median)" "$(echo "${P99[$name]}" | median)" \
      "${CPU[$name]:+, median CPU $(echo "${CPU[$name]}" | median) µs/req}" "$rounds" "${RPS[$name]}"
  done
}

# ratio A B: the ratio of the medians of targets A and B, and (with more
# than one round) the median of the rounds' own ratios — each round
# measures A and B within a minute of each other, so when the machine's
# speed drifts from round to round (a shared VM's does, by 30 % and more)
# the paired figure is the steadier one.
ratio() {
  awk -v a="$(echo "${RPS[$1]}" | median)" -v b="$(echo "${RPS[$2]}" | median)" 'BEGIN {printf "%.2f", a / b}'
  local paired
  paired=$(awk -v a="${RPS[$1]}" -v b="${RPS[$2]}" 'BEGIN {n = split(a, x, " "); split(b, y, " "); for (i = 1; i <= n; i++) printf "%.4f ", x[i] / y[i]}')
  if [ "$(echo "$paired" | wc -w)" -gt 1 ]; then
    printf ' (median of the rounds'"'"' ratios %.2f: %s)' "$(echo "$paired" | median)" "$(echo "$paired" | awk '{for (i = 1; i <= NF; i++) printf "%.2f ", $i}')"
  fi
}
