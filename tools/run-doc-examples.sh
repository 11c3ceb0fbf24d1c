#!/bin/sh
# Run the command examples of documentation pages as CLI transcripts: in a
# fenced block, each line `$ pdp ...` is run from the source root with the
# built pdp, and the lines after it (up to the next `$ ` line or the end of
# the block) must be its output exactly. Usage:
#   run-doc-examples.sh PDP_BINARY SOURCE_ROOT DOC.md...
set -u
PDP=$1
SRC=$2
shift 2
export PDP SRC
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for doc in "$@"; do
  t="$tmp/$(basename "$doc" .md).t"
  awk '
    /^```/ { inblock = !inblock; next }
    inblock && /^\$ pdp / { sub(/^\$ pdp /, "$ cd \"$SRC\" \\&\\& \"$PDP\" "); print; cmd = 1; next }
    inblock && cmd { print; next }
    !inblock { cmd = 0 }
  ' "$SRC/$doc" > "$t"
  if ! grep -q '^\$ ' "$t"; then
    echo "FAIL: $doc has no examples to run"
    status=1
    continue
  fi
  echo "== $doc"
  sh "$SRC/tools/run-transcripts.sh" "$PDP" "$t" || status=1
done
exit $status
