#!/bin/sh
# The live store's crash test: a process commits store changes to a
# directory and is killed with SIGKILL at a random moment, ROUNDS times
# (default 25). After each kill, a restart must hold every change whose
# commit had returned (printed "ack N"), possibly the one in flight, and
# nothing half-applied: tests/unit/store_crash.c checks every decision of
# the version it finds. Usage: test-store-crash.sh STORE_CRASH_BIN [ROUNDS]
set -eu
bin=$1
rounds=${2:-25}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
acked=0
round=0
while [ "$round" -lt "$rounds" ]; do
	"$bin" run "$dir/store" >"$dir/out" 2>"$dir/err" &
	pid=$!
	# 30 to 530 ms: sometimes during open (replay, snapshot), mostly
	# during commits (log appends, the occasional checkpoint)
	ms=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 500 + 30 ))
	sleep "$(printf '0.%03d' "$ms")"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	if [ -s "$dir/err" ]; then
		echo "round $round: the writer failed:" >&2
		cat "$dir/err" >&2
		exit 1
	fi
	last=$(grep '^ack ' "$dir/out" | tail -n 1 | cut -d' ' -f2)
	[ -n "$last" ] && acked=$last
	if ! out=$("$bin" check "$dir/store" "$acked"); then
		echo "round $round: after the kill, $acked acknowledged:" >&2
		exit 1
	fi
	acked=${out#ok }
	round=$((round + 1))
done
echo "store crash test: $rounds kills, $acked changes acknowledged and kept"
