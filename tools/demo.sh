#!/bin/sh
# The README's first command: compile the bundled example policies, decide
# the example requests (checking them against policies/expected.txt), show
# one explanation and audit a subject. Run from the repository root after
# `meson setup build && ninja -C build`.
set -eu
PDP=${PDP:-build/src/cli/pdp}
OUT=${TMPDIR:-/tmp}/pdp-demo.$$
mkdir -p "$OUT"
trap 'rm -rf "$OUT"' EXIT

echo "== pdp lint"
"$PDP" lint --werror policies/metering.yaml policies/native-acp.json || exit 1
echo "== pdp compile -> $OUT/metering.pdpi"
"$PDP" compile -o "$OUT/metering.pdpi" policies/metering.yaml policies/native-acp.json
ls -l "$OUT/metering.pdpi" | awk '{print "image bytes:", $5}'

echo "== pdp decide (one line per request in policies/requests.yaml)"
set +e
"$PDP" decide -i "$OUT/metering.pdpi" policies/requests.yaml > "$OUT/decisions.txt"
rc=$?
set -e
cat "$OUT/decisions.txt"
# exit 2 is expected: the example includes one malformed request
if [ "$rc" -ne 2 ]; then echo "unexpected exit status $rc"; exit 1; fi
if diff -u policies/expected.txt "$OUT/decisions.txt"; then
  echo "== all $(wc -l < policies/expected.txt) decisions match policies/expected.txt"
else
  echo "== decisions differ from policies/expected.txt"; exit 1
fi

echo "== pdp explain (request 13: why a delete is denied)"
"$PDP" explain -i "$OUT/metering.pdpi" policies/explain-example.yaml

if "$PDP" audit --help >/dev/null 2>&1; then
  echo "== pdp audit --subject CAE-ops-app"
  "$PDP" audit -i "$OUT/metering.pdpi" --subject CAE-ops-app
fi
