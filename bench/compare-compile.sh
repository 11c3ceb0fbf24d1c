#!/bin/sh
# compare-compile.sh - whether two pdp builds compile and lint alike: for
# every policy-like file of the repository (policies/, tests/, docs/,
# integrations/: *.yaml, *.yml, *.json) and any extra files given, `pdp
# compile` and `pdp lint` of each build must print the same diagnostics,
# exit alike and write byte-identical images.
#
#   bench/compare-compile.sh OLD_PDP NEW_PDP [EXTRA_POLICY...]
#
# OLD_PDP and NEW_PDP are built `pdp` programs (for example
# build-main/src/cli/pdp and build/src/cli/pdp). The S/M/L workloads are
# extra files: pdp-bench-gen SCALE DIR writes DIR/policy.yaml.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 OLD_PDP NEW_PDP [EXTRA_POLICY...]" >&2; exit 2; }
old=$1 new=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/pdp-cmpc-XXXXXX)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1700000000 # the same revision for both builds
list=$work/files
find "$root/policies" "$root/tests" "$root/docs" "$root/integrations" \
	-type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) \
	2>/dev/null | sort >"$list"
for f in "$@"; do echo "$f" >>"$list"; done
files=0 differ=0
while IFS= read -r f; do
	files=$((files + 1))
	for b in old new; do
		eval "p=\$$b"
		rc=0
		"$p" compile -o "$work/$b.img" "$f" >"$work/$b.cout" 2>&1 || rc=$?
		echo "exit $rc" >>"$work/$b.cout"
		rc=0
		"$p" lint "$f" >"$work/$b.lout" 2>&1 || rc=$?
		echo "exit $rc" >>"$work/$b.lout"
		[ -f "$work/$b.img" ] || : >"$work/$b.img"
	done
	if ! cmp -s "$work/old.cout" "$work/new.cout" ||
		! cmp -s "$work/old.lout" "$work/new.lout" ||
		! cmp -s "$work/old.img" "$work/new.img"; then
		echo "differs: $f"
		differ=$((differ + 1))
	fi
	rm -f "$work/old.img" "$work/new.img"
done <"$list"
echo "$files files compiled and linted by both builds, $differ differ"
[ "$differ" -eq 0 ]
