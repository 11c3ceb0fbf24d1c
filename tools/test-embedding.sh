#!/bin/sh
# Install pdp into a scratch directory, build docs/examples/embed.c and
# docs/examples/live_cse.c against
# the installed pkg-config files, and run them on the example policies.
# Arguments: SOURCE_ROOT BUILD_ROOT
set -eu
src=$1
build=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --no-rebuild >/dev/null
pcdir=$(dirname "$(find "$dest" -name pdp.pc | head -1)")
export PKG_CONFIG_PATH="$pcdir"
export PKG_CONFIG_SYSROOT_DIR="$dest"
libdir=$(dirname "$(find "$dest" -name 'libpdp.so' | head -1)")
cc -std=c11 -Wall -Wextra -Werror "$src/docs/examples/embed.c" \
  $(pkg-config --cflags --libs pdp) -lpthread -o "$dest/embed"
if ldd "$libdir/libpdp.so" | grep -q yaml; then
  echo "libpdp must not link libyaml"; exit 1
fi
"$build/src/cli/pdp" compile -o "$dest/metering.pdpi" \
  "$src/policies/metering.yaml" "$src/policies/native-acp.json"
out=$(LD_LIBRARY_PATH="$libdir" "$dest/embed" "$dest/metering.pdpi")
echo "$out"
echo "$out" | grep -q "^4000 of 4000 decisions permitted$"
echo "$out" | grep -q "^deny "
# Live ACPs in a CSE (docs/embedding.md): the store example, built against
# the installed compiler library.
cc -std=c11 -Wall -Wextra -Werror "$src/docs/examples/live_cse.c" \
  $(pkg-config --cflags --libs pdpc) -lpthread -o "$dest/live_cse"
LD_LIBRARY_PATH="$libdir" "$dest/live_cse" "$src/policies/metering.yaml"
