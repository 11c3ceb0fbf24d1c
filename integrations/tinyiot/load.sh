#!/bin/sh
# Load test: tinyIoT with pdp against stock tinyIoT (docs/performance.md).
#
#   load.sh WORKDIR [SECONDS [CLIENTS]]
#
# Builds both (build.sh, logging at WARN) in WORKDIR, creates 100 AEs,
# 1,000 ACPs and 10,000 containers once (loadgen setup, on stock tinyIoT),
# and then ROUNDS times (default 3), stock then patched: starts the CSE on
# a copy of that database (the patched one puts the 1,000 ACPs into its
# store at start) and runs CLIENTS closed-loop loopback clients for SECONDS
# (default 30 s, 8 clients) while perf samples the server. The databases
# live in /dev/shm when it exists, so that SQLite's fsync on every write
# does not dominate. Prints per run loadgen's line (requests/s, latency
# percentiles, wrong answers) and the server's CPU time per request, then
# the share of the patched server's samples in pdp (libpdpc, PCRE2) and in
# the adapter. Exit status 1 when any answer was wrong. Needs perf.
set -eu

[ $# -ge 1 ] || { echo "usage: load.sh WORKDIR [SECONDS [CLIENTS]]" >&2; exit 2; }
work=$1
secs=${2:-30}
clients=${3:-8}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
work=$(cd "$work" && pwd)

cc -O2 -std=c11 -Wall -Wextra -pthread "$here/loadgen.c" -o "$work/loadgen"
TINYIOT_LOG_LEVEL=WARN "$here/build.sh" "$work/pdp" >/dev/null
TINYIOT_LOG_LEVEL=WARN "$here/build.sh" "$work/stock" --stock >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
shm=$work
[ -d /dev/shm ] && [ -w /dev/shm ] && shm=$(mktemp -d /dev/shm/tinyiot-load.XXXXXX)

# Start OUTDIR's CSE on DATADIR (stderr to LOG); sets pid once it listens.
start() {
  "$here/run.sh" "$1" "$port" "$2" 2>"$3" &
  pid=$!
  i=0
  until python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 300 ] || { echo "$1 did not start (log: $3)" >&2; exit 1; }
    sleep 0.1
  done
}

start "$work/stock" "$shm/seed" "$work/setup.log"
"$work/loadgen" setup "$port"
kill -TERM "$pid"; wait "$pid" || true

# CPU seconds (user, system) of a process, from /proc.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f %.2f", $14/hz, $15/hz }' "/proc/$1/stat"; }

# One measured run of VARIANT (stock or pdp) in round $2: a fresh copy of the
# database, perf sampling the server while loadgen runs.
measure() {
  variant=$1
  data=$shm/data-$variant
  rm -rf "$data"
  cp -R "$shm/seed" "$data"
  start "$work/$variant" "$data" "$work/$variant.log"
  before=$(cpu "$pid")
  perf record -q -F 999 -p "$pid" -o "$work/$variant.perf" 2>/dev/null &
  perf_pid=$!
  line=$("$work/loadgen" run "$port" "$clients" "$secs") || status=1
  kill -INT "$perf_pid"; wait "$perf_pid" || true
  after=$(cpu "$pid")
  kill -TERM "$pid"; wait "$pid" || true
  echo "$variant $2: $line"
  echo "$before $after $line" | awk '{
    for (i = 5; i <= NF; i++) if ($i == "requests,") n = $(i-1)
    cpu = ($3 - $1) + ($4 - $2)
    printf "        server CPU %.1f s (user %.1f, system %.1f): %.2f ms per request\n",
      cpu, $3 - $1, $4 - $2, 1000 * cpu / n }'
}

# Alternate the two CSEs: the host is shared, so runs far apart in time
# are not comparable.
status=0
rounds=${ROUNDS:-3}
r=1
while [ "$r" -le "$rounds" ]; do
  measure stock "$r"
  measure pdp "$r"
  r=$((r + 1))
done

# pdp's share of the patched server's samples (its last run): symbols of
# libpdpc and of the adapter.
nm --defined-only "$work/pdp/pdp-build/src/libpdpc.a" 2>/dev/null |
  awk 'NF == 3 { print $3 }' | sort -u >"$work/pdp.syms"
nm --defined-only "$work/pdp/tinyIoT/source/server/pdp_adapter.o" \
  "$work/pdp/tinyIoT/source/server/tinyiot_pdp.o" |
  awk 'NF == 3 { print $3 }' | sort -u >"$work/adapter.syms"
perf report -i "$work/pdp.perf" --stdio --no-children --sort dso,sym \
  -q 2>/dev/null >"$work/pdp.report"
awk -v pdp="$work/pdp.syms" -v ad="$work/adapter.syms" '
  BEGIN { while ((getline s < pdp) > 0) P[s] = 1;
          while ((getline s < ad) > 0) A[s] = 1 }
  /%/ { pct = $1; sub("%", "", pct); sym = $NF; dso = $2
        if (sym in P || dso ~ /pcre2/) p += pct
        else if (sym in A) a += pct }
  END { printf "pdp %.2f %%, adapter %.2f %% of the patched server'"'"'s samples (user and kernel)\n", p, a }
' "$work/pdp.report"
echo "top symbols of the patched server:"
head -12 "$work/pdp.report"
[ "$shm" = "$work" ] || rm -rf "$shm"
exit $status
