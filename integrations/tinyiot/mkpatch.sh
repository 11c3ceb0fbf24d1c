#!/bin/sh
# Regenerate patches/0002-decide-with-pdp.patch from a tree that build.sh
# made and that you then edited: mkpatch.sh OUTDIR
#
# The patch is the difference between the vendored tinyIoT with 0001
# applied and OUTDIR/tinyIoT, without build products and without our own
# files (pdp_adapter.*, tinyiot_pdp.*: edit those here, in
# integrations/tinyiot/). Then run build.sh again to check it applies.
set -eu

[ $# -eq 1 ] || { echo "usage: mkpatch.sh OUTDIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
edited=$(cd "$1" && pwd)/tinyIoT
[ -d "$edited/source/server" ] || { echo "mkpatch.sh: no tree in $1" >&2; exit 1; }
vendor=$(TINYIOT_PRINT_VENDOR=1 "$here/build.sh" /dev/null 2>/dev/null || true)
[ -n "$vendor" ] || { echo "mkpatch.sh: vendored tinyIoT not found; set TINYIOT_SRC" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -R "$vendor" "$tmp/a"
chmod -R u+w "$tmp/a"
patch -s -p1 -d "$tmp/a" --no-backup-if-mismatch \
  < "$here/patches/0001-build-on-debian-with-sqlite.patch"
cp -R "$edited" "$tmp/b"
(cd "$tmp/b/source/server" && rm -f server pdp_adapter.c pdp_adapter.h \
  tinyiot_pdp.c tinyiot_pdp.h && find . -name '*.o' -exec rm -f {} +)
(cd "$tmp" && git diff --no-index --no-color --src-prefix=a/ --dst-prefix=b/ \
  a b | sed -e 's#^\(diff --git a/\)a/#\1#' -e 's# b/b/# b/#' \
  -e 's#^--- a/a/#--- a/#' -e 's#^+++ b/b/#+++ b/#') \
  > "$here/patches/0002-decide-with-pdp.patch"
echo "wrote patches/0002-decide-with-pdp.patch"
