#!/bin/sh
# Run CLI transcripts (tests/cli/*.t): each `$ command` line is run from the
# transcript's directory with $PDP set; its combined stdout and stderr must
# equal the lines that follow, and its exit status the `[exit N]` line
# (0 when absent). Usage: run-transcripts.sh PDP_BINARY TRANSCRIPT...
set -u
PDP=$1
shift
export PDP
fail=0
total=0
for t in "$@"; do
  dir=$(dirname "$t")
  tmp=$(mktemp -d)
  # split into cases: case N has cmd N, expected output N, expected status N
  awk -v d="$tmp" '
    /^# / && n == 0 { next }
    /^\$ / { n++; sub(/^\$ /, ""); print > (d "/cmd" n); printf "" > (d "/exp" n); st[n] = 0; next }
    /^\[exit [0-9]+\]$/ { s = $2; sub(/\]/, "", s); st[n] = s; next }
    n > 0 { print >> (d "/exp" n) }
    END { for (i = 1; i <= n; i++) print st[i] > (d "/st" i); print n > (d "/count") }
  ' "$t"
  n=$(cat "$tmp/count")
  i=1
  while [ "$i" -le "$n" ]; do
    total=$((total + 1))
    cmd=$(cat "$tmp/cmd$i")
    (cd "$dir" && eval "$cmd") > "$tmp/out$i" 2>&1
    st=$?
    want=$(cat "$tmp/st$i")
    if ! diff -u "$tmp/exp$i" "$tmp/out$i" > "$tmp/diff$i" || [ "$st" != "$want" ]; then
      fail=$((fail + 1))
      echo "FAIL: $t: \$ $cmd (exit $st, expected $want)"
      cat "$tmp/diff$i"
    fi
    i=$((i + 1))
  done
  rm -rf "$tmp"
done
echo "$((total - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
