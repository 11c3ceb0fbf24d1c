#!/usr/bin/env bash
# Long fuzzing run of one target, e.g. overnight:
#
#   tools/fuzz-long.sh TARGET [SECONDS] [extra libFuzzer flags...]
#   tools/fuzz-long.sh fuzz_compile 28800 -jobs=2 -workers=2
#
# SECONDS defaults to 3600; 0 means until stopped (Ctrl-C). The corpus grows
# in fuzz/corpus-TARGET/ (git-ignored), seeded from fuzz/corpus/TARGET; it is
# kept between runs so that a run resumes where the last one stopped. To
# refresh the committed seeds from it, minimise first:
#
#   build-fuzz/fuzz/TARGET -merge=1 /tmp/min fuzz/corpus-TARGET
#
# and copy back only a few small, distinct inputs (keep fuzz/corpus small).
# Findings are written to fuzz/corpus-TARGET.artifacts/ and copied to
# fuzz/regressions/TARGET/ (as <kind>_<sha1>), which `meson test` replays.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
t=${1:?usage: tools/fuzz-long.sh TARGET [SECONDS] [libFuzzer flags...]}
secs=${2:-3600}
shift $(( $# >= 2 ? 2 : 1 ))
build=${FUZZ_BUILD:-build-fuzz}
case "$secs" in ''|*[!0-9]*) echo "SECONDS must be a number" >&2; exit 64;; esac
[ -d "fuzz/corpus/$t" ] || { echo "no such target: $t" >&2; exit 64; }

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" -Dfuzzing=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dtests=false -Dbench=false >/dev/null
fi
ninja -C "$build" "fuzz/$t" >/dev/null

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
corpus="fuzz/corpus-$t"
arts="$corpus.artifacts"
mkdir -p "$corpus" "$arts" "fuzz/regressions/$t"
set +e
"$root/$build/fuzz/$t" "$corpus" "fuzz/corpus/$t" \
  -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
  -dict="$root/fuzz/pdp.dict" -print_final_stats=1 \
  -artifact_prefix="$root/$arts/" "$@"
rc=$?
set -e
for a in "$arts"/*; do
  [ -f "$a" ] || continue
  kind=$(basename "$a" | cut -d- -f1)
  dest="fuzz/regressions/$t/${kind}_$(sha1sum "$a" | cut -c1-16)"
  [ -f "$dest" ] || { cp "$a" "$dest"; echo "saved $dest"; }
done
exit "$rc"
