#!/bin/sh
# compare-ir.sh - instructions executed inside pdp_decide per decision, for
# one or more pdp build directories, counted by callgrind (valgrind; Debian:
# tools/setup-debian.sh installs it).
#
#   bench/compare-ir.sh COMPARE_PROGRAM SCALE BUILD...
#
# COMPARE_PROGRAM is a built pdp-bench-compare; each BUILD decides every
# request of the SCALE workload once (pdp-bench-compare --ir, every decision
# checked) with collection switched on only inside pdp_decide.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 COMPARE_PROGRAM SCALE BUILD..." >&2; exit 2; }
prog=$1 scale=$2
shift 2
work=$(mktemp -d /tmp/pdp-ir-XXXXXX)
trap 'rm -rf "$work"' EXIT
for b in "$@"; do
	out=$work/cg.out
	n=$(valgrind --tool=callgrind --toggle-collect=pdp_decide \
		--callgrind-out-file="$out" "$prog" --ir "$b" --scale "$scale" \
		--passes 1 --workdir "$work" 2>/dev/null | sed -n 's/^decisions //p')
	ir=$(sed -n 's/^totals: //p' "$out")
	[ -n "$n" ] && [ -n "$ir" ] || { echo "$0: no count for $b" >&2; exit 1; }
	echo "$b: $(( ir / n )) instructions inside pdp_decide per decision ($ir over $n decisions, scale $scale)"
done
