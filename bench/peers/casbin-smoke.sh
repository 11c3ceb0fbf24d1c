#!/bin/sh
# Correctness only (meson test, suite bench): node-casbin decides scale S of
# the benchmark workload and every decision is checked (bench.js exits 1 on
# a mismatch). Skipped (77) where node or the npm-installed casbin is
# missing, as in CI, which has no registry access: bench/peers/run-casbin.sh
# installs it. Timing figures are printed but never asserted.
#   bench/peers/casbin-smoke.sh PDP_BENCH_GEN
set -eu
gen=$1
peer=$(cd "$(dirname "$0")/casbin" && pwd)
command -v node >/dev/null || { echo "node not installed: skipped"; exit 77; }
(cd "$peer" && node -e 'require("casbin")' 2>/dev/null) ||
	{ echo "casbin not installed (npm ci in $peer): skipped"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pdp-casbin-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
"$gen" S "$work/S"
node "$peer/bench.js" "$work/S" --runs 1
