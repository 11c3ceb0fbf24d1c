#!/usr/bin/env bash
# Fuzzing smoke run: build the libFuzzer targets (build-fuzz/, clang with
# ASan+UBSan) and run each for SECONDS (default 30) on a scratch copy of its
# seed corpus (the repository corpus is never grown). Any crash, leak,
# timeout or out-of-memory fails the run (exit 1), and the offending input is
# copied to fuzz/regressions/<target>/ so it can be committed; from then on
# `meson test` replays it on every build. See docs/fuzzing.md.
#
#   tools/fuzz-smoke.sh [SECONDS]        all targets, one after another
#   FUZZ_TARGETS="fuzz_prims" tools/fuzz-smoke.sh 60
#   FUZZ_BUILD=build-fuzz (default) selects the build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
secs=${1:-30}
build=${FUZZ_BUILD:-build-fuzz}
targets=${FUZZ_TARGETS:-"fuzz_compile fuzz_image fuzz_request fuzz_prims fuzz_regex_cond fuzz_glob fuzz_store"}

case "$secs" in ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 64;; esac

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" -Dfuzzing=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dtests=false -Dbench=false >/dev/null
fi
# a target that does not build fails the run, with the compiler's errors
if ! ninja -C "$build" $(for t in $targets; do echo "fuzz/$t"; done) \
    >"${TMPDIR:-/tmp}/pdp-fuzz-build.log" 2>&1; then
  grep -E "error|FAILED|undefined" "${TMPDIR:-/tmp}/pdp-fuzz-build.log" >&2
  echo "fuzz-smoke: the fuzz targets did not build" >&2
  exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

work=$(mktemp -d "${TMPDIR:-/tmp}/pdp-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=""
for t in $targets; do
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts" "fuzz/regressions/$t"
  cp -r "fuzz/corpus/$t/." "$work/$t/corpus/" 2>/dev/null || true
  echo "== $t: ${secs} s"
  set +e
  "$root/$build/fuzz/$t" "$work/$t/corpus" \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -dict="$root/fuzz/pdp.dict" -print_final_stats=1 \
    -artifact_prefix="$work/$t/artifacts/" >"$work/$t/log" 2>&1
  rc=$?
  set -e
  grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::average_exec_per_sec)' \
    "$work/$t/log" | tr '\n' ' ' || true
  echo
  found=0
  for a in "$work/$t/artifacts"/*; do
    [ -f "$a" ] || continue
    found=1
    sum=$(sha1sum "$a" | cut -c1-16)
    kind=$(basename "$a" | cut -d- -f1)       # crash, leak, timeout, oom, slow-unit
    dest="fuzz/regressions/$t/${kind}_$sum"  # not crash-*: .gitignore drops those
    cp "$a" "$dest"
    echo "   saved $dest"
  done
  if [ "$rc" != 0 ] || [ "$found" = 1 ]; then
    echo "!! $t failed (exit $rc); the log follows" >&2
    tail -n 60 "$work/$t/log" >&2
    failed="$failed $t"
  fi
done
if [ -n "$failed" ]; then
  echo "fuzz-smoke: FAILED:$failed (inputs saved under fuzz/regressions/)" >&2
  exit 1
fi
echo "fuzz-smoke: all targets ran ${secs} s without a finding"
