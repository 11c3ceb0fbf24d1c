#!/bin/sh
# Run the CSE that build.sh built: run.sh OUTDIR PORT DATADIR [POLICY...]
#
# Foreground, on 127.0.0.1:PORT and [::1]:PORT, its database (data.db) in
# DATADIR (created if missing; kept across runs), the POLICY files (pdp: 1
# documents or native m2m:acp files) as the store's base policy. The log
# goes to stderr. SIGTERM or SIGINT stops it cleanly (exit status 0).
#
# A stock build (build.sh --stock) takes no policies and listens on
# 0.0.0.0:PORT, as upstream tinyIoT does.
set -eu

[ $# -ge 3 ] || { echo "usage: run.sh OUTDIR PORT DATADIR [POLICY...]" >&2; exit 2; }
out=$(cd "$1" && pwd)
port=$2
data=$3
shift 3
server=$out/tinyIoT/source/server/server
[ -x "$server" ] || { echo "run.sh: no server in $out (run build.sh first)" >&2; exit 1; }
case $port in ''|*[!0-9]*) echo "run.sh: bad port $port" >&2; exit 2;; esac

if [ -f "$out/STOCK" ]; then
  [ $# -eq 0 ] || { echo "run.sh: a stock build takes no policies" >&2; exit 2; }
  mkdir -p "$data"
  cd "$data"
  exec "$server" -p "$port"
fi

# Policies become --pdp-policy options with absolute paths (the server runs
# in DATADIR).
n=$#
for p in "$@"; do
  [ -f "$p" ] || { echo "run.sh: no policy file $p" >&2; exit 1; }
  set -- "$@" --pdp-policy "$(cd "$(dirname "$p")" && pwd)/$(basename "$p")"
done
shift "$n"
mkdir -p "$data"
cd "$data"
exec "$server" -p "$port" --listen 127.0.0.1 --listen ::1 "$@"
