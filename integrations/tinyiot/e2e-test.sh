#!/bin/sh
# meson test entry: build tinyIoT with pdp (or stock tinyIoT with --stock)
# into OUTDIR and run the end-to-end scenario against it.
# Usage: e2e-test.sh SOURCE_ROOT OUTDIR [--stock]
set -eu
src=$1
out=$2
shift 2
# The vendored tinyIoT lives outside this repository (../shared/vendor):
# where it is absent the scenario cannot run; say so and skip (77).
if ! TINYIOT_PRINT_VENDOR=1 "$src/integrations/tinyiot/build.sh" "$out" \
     >/dev/null 2>&1; then
  echo "SKIP: vendored tinyIoT not found (set TINYIOT_SRC)"
  exit 77
fi
"$src/integrations/tinyiot/build.sh" "$out" "$@"
exec python3 "$src/integrations/tinyiot/e2e.py" "$out" "$@"
