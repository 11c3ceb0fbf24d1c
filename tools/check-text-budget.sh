#!/bin/sh
# check-text-budget.sh LIB [BUDGET_BYTES]: fail when the `size` text of LIB
# (code + read-only data + ELF tables, Berkeley format) exceeds the budget
# (default 65536: libpdp's 64 KiB, docs/architecture.md). Run by meson test
# on gcc builds without sanitizers, where libpdp is always built -O2.
set -eu
lib=$1 budget=${2:-65536}
text=$(size "$lib" | awk 'NR == 2 { print $1 }')
[ -n "$text" ] || { echo "$0: cannot read the size of $lib" >&2; exit 1; }
if [ "$text" -gt "$budget" ]; then
	echo "$lib: text $text bytes, over the budget of $budget by $((text - budget));" >&2
	echo "see docs/performance.md (libpdp text) for what to mark cold or shrink" >&2
	exit 1
fi
echo "$lib: text $text bytes, budget $budget ($((budget - text)) to spare)"
