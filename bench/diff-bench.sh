#!/bin/sh
# Time `pdp diff` at a bench scale: the generator's policy (bench/gen.c)
# against a copy with 10 ACPs changed (a rule's operations widened to all),
# as compiled images and as policy files; median of 5 runs each.
#   bench/diff-bench.sh BUILD_DIR [S|M|L] [WORKDIR]
set -eu
build=$1; scale=${2:-L}; work=${3:-/tmp/pdp-diff-bench-$scale}
pdp=$build/src/cli/pdp
mkdir -p "$work"
[ -f "$work/policy.yaml" ] || "$build/bench/pdp-bench-gen" "$scale" "$work" >/dev/null
python3 - "$work/policy.yaml" "$work/changed.yaml" <<'PY'
import re, sys
text = open(sys.argv[1]).read().split("\n")
ids = re.findall(r"^  - id: (acp-\d+)$", "\n".join(text), re.M)
step = max(1, len(ids) // 10)
targets = set(ids[::step][:10])
out, cur, done = [], None, False
for line in text:
    m = re.match(r"^  - id: (acp-\d+)$", line)
    if m:
        cur, done = m.group(1), False
    if cur in targets and not done and line.strip().startswith("operations:"):
        line = line[:line.index("operations:")] + "operations: all"
        done = True
    out.append(line)
open(sys.argv[2], "w").write("\n".join(out))
PY
"$pdp" compile -o "$work/old.pdpi" "$work/policy.yaml"
"$pdp" compile -o "$work/new.pdpi" "$work/changed.yaml"
# median of 5 runs: wall seconds, and CPU seconds (user + sys), which is
# what the machine's load does not inflate
run() {
  for i in 1 2 3 4 5; do
    /usr/bin/time -f "%e %U %S" -o "$work/time.txt" "$pdp" diff "$@" > "$work/diff.txt"
    cat "$work/time.txt"
  done | python3 -c '
import sys, statistics
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
print("wall %.2f s, cpu %.2f s" % (statistics.median(r[0] for r in rows),
                                    statistics.median(r[1] + r[2] for r in rows)))'
}
echo "scale $scale, 10 ACPs changed"
echo "images:   $(run "$work/old.pdpi" "$work/new.pdpi")"
echo "policies: $(run "$work/policy.yaml" "$work/changed.yaml")"
tail -1 "$work/diff.txt"
