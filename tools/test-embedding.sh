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

# Symbol hygiene (docs/abi.md): the installed libraries define no global
# symbol outside the pdp_/pdpc_ namespaces.
for lib in libpdp.a libpdpc.a libpdp.so libpdpc.so; do
  f=$(find "$dest" -name "$lib" | head -1)
  [ -n "$f" ] || { echo "$lib not installed"; exit 1; }
  case $lib in *.so) flags=-D ;; *) flags= ;; esac
  leaked=$(nm -g $flags --defined-only "$f" | awk 'NF == 3 { print $3 }' |
           grep -v -E '^(pdp_|pdpc_)' || true)
  if [ -n "$leaked" ]; then
    echo "$lib exports names outside pdp_/pdpc_:"; echo "$leaked" | head; exit 1
  fi
done
# ... so a program with its own crc32_ieee (a common name) links statically
# with libpdp.a and still loads a valid image.
cat > "$dest/clash.c" <<'CEOF'
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <pdp/pdp.h>
uint32_t crc32_ieee(const uint8_t *data, size_t len);
uint32_t crc32_ieee(const uint8_t *data, size_t len)
{
	(void)data;
	(void)len;
	return 0; /* the program's own, unrelated function */
}
int main(int argc, char **argv)
{
	FILE *f = fopen(argv[1], "rb");
	static uint8_t buf[1 << 20];
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
	pdp_image *img = NULL;
	pdp_error err;
	if (argc < 2 || pdp_image_load(buf, n, &img, &err) != PDP_OK) {
		printf("not loaded: %s\n", img ? "" : err.message);
		return 1;
	}
	printf("loaded, pdp %s\n", pdp_version());
	pdp_image_free(img);
	return crc32_ieee(NULL, 0) == 0 ? 0 : 1;
}
CEOF
incdir=$(dirname "$(dirname "$(find "$dest" -name pdp.h | head -1)")")
cc -std=c11 -Wall -Wextra -Werror -I"$incdir" "$dest/clash.c" \
  "$(find "$dest" -name libpdp.a | head -1)" \
  $(pkg-config --libs libcbor libpcre2-8 libsodium) -lm -o "$dest/clash"
"$dest/clash" "$dest/metering.pdpi"

# Man pages, completion and schemas are installed; `man pdp` renders.
mandir=$(dirname "$(find "$dest" -name pdp.1 | head -1)")
for verb in compile lint decide explain audit replay; do
  [ -f "$mandir/pdp-$verb.1" ] || { echo "no man page for pdp $verb"; exit 1; }
done
[ -f "$(find "$dest" -path '*bash-completion/completions/pdp' | head -1)" ]
[ -f "$(find "$dest" -path '*share/pdp/schemas/policy.schema.json' | head -1)" ]
if command -v man >/dev/null 2>&1; then
  MANPATH=$(dirname "$mandir") man -P cat pdp 2>/dev/null | grep -q "pdp - compile"
fi
echo "embedding: symbols, static link, man pages, completion, schemas OK"
