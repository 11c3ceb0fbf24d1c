#!/bin/sh
# pdp and node-casbin side by side on pdp's benchmark workload
# (docs/performance.md, "pdp and node-casbin side by side"):
#   bench/peers/run-casbin.sh SCALES BUILD_DIR [ROUNDS]
# SCALES: any of S, M, L, e.g. "S M L" or SML. BUILD_DIR: a pdp build
# (release for figures: meson setup build-rel --buildtype=release
# -Dtests=false). ROUNDS: default 3.
#
# Generates each scale's workload once with the build's pdp-bench-gen, then
# alternates, round by round and scale by scale, pdp-bench (--runs 1: pdp from
# the request's strings and pdp_decide on prepared requests, alternated
# inside the program) and node-casbin (bench/peers/casbin/bench.js, --runs 1),
# so that both see the same machine. Each program checks every decision
# against the generator's expected.txt and exits nonzero on a mismatch; this
# script then stops. Prints a Markdown table of the medians over the rounds,
# the ratios casbin / pdp, the host and the load average.
#
# Needs node and npm; node-casbin is fetched by `npm ci` (network) the first
# time, pinned by bench/peers/casbin/package-lock.json. Not run in CI.
set -eu

usage() {
	echo "usage: $0 SCALES BUILD_DIR [ROUNDS]   (SCALES: any of S M L)" >&2
	exit 2
}
if [ $# -lt 2 ] || [ $# -gt 3 ]; then usage; fi
scales=$(printf '%s' "$1" | tr -c 'SMLsml' ' ' | tr 'sml' 'SML' | sed 's/\(.\)/\1 /g' | tr -s ' ')
build=$2
rounds=${3:-3}
[ -n "$(printf '%s' "$scales" | tr -d ' ')" ] || usage
case $rounds in '' | *[!0-9]* | 0) usage ;; esac

here=$(cd "$(dirname "$0")" && pwd)
peer=$here/casbin
gen=$build/bench/pdp-bench-gen
bench=$build/bench/pdp-bench
for p in "$gen" "$bench"; do
	[ -x "$p" ] || { echo "$0: $p missing: build pdp first (ninja -C $build)" >&2; exit 2; }
done
command -v node >/dev/null || { echo "$0: node is not installed" >&2; exit 2; }
buildtype=$(python3 -c 'import json,sys
print(next((o["value"] for o in json.load(open(sys.argv[1])) if o["name"] == "buildtype"), "?"))' \
	"$build/meson-info/intro-buildoptions.json" 2>/dev/null || echo "?")
[ "$buildtype" = release ] || echo "$0: warning: $build is a '$buildtype' build; figures are for release builds" >&2

# node-casbin at the version package-lock.json pins
if ! (cd "$peer" && node -e 'require("casbin")' 2>/dev/null); then
	echo "$0: installing node-casbin (npm ci in $peer)" >&2
	if ! (cd "$peer" && npm ci --no-audit --no-fund >&2); then
		echo "$0: npm ci failed: node-casbin comes from the npm registry, which needs" >&2
		echo "  the network once. Run 'npm ci' in $peer where there is network (or copy" >&2
		echo "  its node_modules/ here), then run this script again." >&2
		exit 2
	fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pdp-vs-casbin.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
for s in $scales; do
	"$gen" "$s" "$work/$s" || { echo "$0: pdp-bench-gen $s failed" >&2; exit 2; }
done

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
results=$work/results.txt
: > "$results"
r=1
while [ "$r" -le "$rounds" ]; do
	for s in $scales; do
		echo "round $r/$rounds, scale $s: pdp-bench" >&2
		if ! "$bench" "$s" --runs 1 --no-live --workdir "$work/$s" > "$work/pdp.out" 2> "$work/pdp.err"; then
			cat "$work/pdp.err" >&2
			echo "$0: pdp-bench $s failed (a wrong decision exits 1)" >&2
			exit 1
		fi
		# rows like "| pdp_decide only, prepared requests | 250 ns | 560 ns |"
		sed -n \
			-e 's/^| pdp_decide only, prepared requests | \([0-9]*\) ns | \([0-9]*\) ns |$/pdp_decide \1 \2/p' \
			-e 's/^| from strings: .* | \([0-9]*\) ns | \([0-9]*\) ns |$/pdp_strings \1 \2/p' \
			-e 's/^| decisions\/s, 1 thread (wall; per CPU-second) | \([0-9.]*\) M; .*/pdp_dps \1/p' \
			"$work/pdp.out" | sed "s/^/$s /" >> "$results"
		echo "round $r/$rounds, scale $s: node-casbin" >&2
		if ! node "$peer/bench.js" "$work/$s" --runs 1 > "$work/casbin.out"; then
			echo "$0: node-casbin $s failed (a wrong decision exits 1)" >&2
			exit 1
		fi
		# casbin-result scale=S checked=N p50_ns=.. p99_ns=.. dps=.. timer_ns=..
		sed -n 's/^casbin-result .* checked=\([0-9]*\) p50_ns=\([0-9.]*\) p99_ns=\([0-9.]*\) dps=\([0-9]*\) .*/casbin \2 \3 \4 \1/p' \
			"$work/casbin.out" | sed "s/^/$s /" >> "$results"
	done
	r=$((r + 1))
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
caches=$(lscpu 2>/dev/null | sed -n 's/^\(L[123][di]* cache\): *\(.*\)/\1 \2/p' | paste -sd ';' - | sed 's/;/; /g')
versions="node $(node --version), casbin $(cd "$peer" && node -p 'require("casbin/package.json").version')"

python3 - "$results" "$scales" "$rounds" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
scales = sys.argv[2].split()
rounds = int(sys.argv[3])
def med(scale, kind, col):
    v = [float(r[col]) for r in rows if r[0] == scale and r[1] == kind]
    if len(v) != rounds:
        sys.exit("run-casbin: %d %s figures for scale %s, expected %d" % (len(v), kind, scale, rounds))
    return statistics.median(v)
us = lambda ns: ("%.2f" % (ns / 1000)) if ns < 10000 else ("%.1f" % (ns / 1000))
line = lambda name, cells: print("| %s | %s |" % (name, " | ".join(cells)))
print("\n### pdp and node-casbin side by side\n")
print("Every decision checked against expected.txt by both programs; median of %d rounds, "
      "pdp and casbin alternated in each; p50 / p99 in microseconds (raw, timer included).\n" % rounds)
print("| | " + " | ".join(scales) + " |")
print("|---|" + "---|" * len(scales))
line("pdp, from the request's strings (op name, time and IP text, ids)",
     ["%s / %s" % (us(med(s, "pdp_strings", 2)), us(med(s, "pdp_strings", 3))) for s in scales])
line("pdp_decide only, prepared requests",
     ["%s / %s" % (us(med(s, "pdp_decide", 2)), us(med(s, "pdp_decide", 3))) for s in scales])
line("node-casbin, one enforcer per ACP, prepared requests",
     ["%s / %s" % (us(med(s, "casbin", 2)), us(med(s, "casbin", 3))) for s in scales])
line("ratio casbin / pdp_decide, p50 / p99",
     ["%.0fx / %.0fx" % (med(s, "casbin", 2) / med(s, "pdp_decide", 2),
                         med(s, "casbin", 3) / med(s, "pdp_decide", 3)) for s in scales])
line("ratio casbin / pdp from strings, p50 / p99",
     ["%.0fx / %.0fx" % (med(s, "casbin", 2) / med(s, "pdp_strings", 2),
                         med(s, "casbin", 3) / med(s, "pdp_strings", 3)) for s in scales])
line("decisions/s, 1 thread: pdp_decide / casbin",
     ["%.2f M / %.3f M (%.0fx)" % (med(s, "pdp_dps", 2), med(s, "casbin", 4) / 1e6,
                                   med(s, "pdp_dps", 2) * 1e6 / med(s, "casbin", 4)) for s in scales])
line("decisions checked by casbin (all rounds)",
     ["%d" % sum(int(r[5]) for r in rows if r[0] == s and r[1] == "casbin") for s in scales])
PY
echo
echo "Host: ${cpu:-unknown CPU}, $(nproc) CPUs; ${caches:-caches not shown by lscpu}."
echo "Load average (1, 5, 15 min): $load_before before, $load_after after. $versions; pdp build $build ($buildtype)."
