#!/bin/sh
# meson test entry: build tinyIoT with pdp (or stock tinyIoT with --stock)
# into OUTDIR and run the end-to-end scenario against it.
# Usage: e2e-test.sh SOURCE_ROOT OUTDIR [--stock]
set -eu
src=$1
out=$2
shift 2
"$src/integrations/tinyiot/build.sh" "$out" "$@"
exec python3 "$src/integrations/tinyiot/e2e.py" "$out" "$@"
