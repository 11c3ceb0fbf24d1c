#!/bin/sh
# Build tinyIoT deciding with pdp: build.sh OUTDIR [--stock]
#
# Copies the vendored tinyIoT (unmodified, never edited in place) to
# OUTDIR/tinyIoT, applies patches/0001 (build on Debian 12 with SQLite),
# then, unless --stock, patches/0002 (decide with pdp) and our two files,
# builds libpdpc from this repository in OUTDIR/pdp-build (meson, its own
# build folder) and links the CSE against it statically.
#
# The server is OUTDIR/tinyIoT/source/server/server; run it with run.sh.
# --stock builds tinyIoT with its own access control (for comparisons).
#
# Environment: TINYIOT_SRC (the vendored tree; default: ../shared/vendor/
# tinyIoT next to this checkout or next to its main worktree),
# TINYIOT_LOG_LEVEL (DEBUG, INFO, WARN or ERROR; default INFO),
# JOBS (parallel make and ninja jobs, default 2).
set -eu

usage() { echo "usage: build.sh OUTDIR [--stock]" >&2; exit 2; }
[ $# -ge 1 ] || usage
out=$1
stock=no
[ $# -ge 2 ] && { [ "$2" = --stock ] || usage; stock=yes; }

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
jobs=${JOBS:-2}
level=${TINYIOT_LOG_LEVEL:-INFO}
case $level in DEBUG|INFO|WARN|ERROR) ;; *) echo "bad TINYIOT_LOG_LEVEL $level" >&2; exit 2;; esac

# The vendored tree: explicit, next to this checkout, or next to the main
# checkout when this is a git worktree.
find_vendor() {
  if [ -n "${TINYIOT_SRC:-}" ]; then echo "$TINYIOT_SRC"; return; fi
  for d in "$repo/../shared/vendor/tinyIoT" \
           "$(git -C "$repo" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)/../../shared/vendor/tinyIoT"; do
    if [ -f "$d/source/server/main.c" ]; then (cd "$d" && pwd); return; fi
  done
}
vendor=$(find_vendor)
if [ -z "$vendor" ] || [ ! -f "$vendor/source/server/main.c" ]; then
  echo "build.sh: vendored tinyIoT not found; set TINYIOT_SRC" >&2
  exit 1
fi
# mkpatch.sh asks where the vendored tree is.
if [ -n "${TINYIOT_PRINT_VENDOR:-}" ]; then echo "$vendor"; exit 0; fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
tree=$out/tinyIoT
server=$tree/source/server

# A fresh copy every time: the patches apply to the vendored state only.
rm -rf "$tree"
cp -R "$vendor" "$tree"
chmod -R u+w "$tree"
apply() { patch -s -p1 -d "$tree" --no-backup-if-mismatch < "$here/patches/$1"; }
apply 0001-build-on-debian-with-sqlite.patch

libs="-lpthread -lm -ldl -lssl -lcrypto -lsqlite3"
# tinyIoT's own warnings are many and not ours; a call to an undeclared
# function (a patch gone stale) must still stop the build.
cflags="-DLOG_LEVEL=LOG_LEVEL_$level -w -Werror=implicit-function-declaration $(pkg-config --cflags libwebsockets)"
if [ "$stock" = yes ]; then
  touch "$out/STOCK"
  make -s -C "$server" -j"$jobs" server DB_LIB_SRC= LIBS="$libs" \
    CFLAGS="$cflags" >/dev/null
  echo "built stock tinyIoT: $server/server"
  exit 0
fi
rm -f "$out/STOCK"
apply 0002-decide-with-pdp.patch
cp "$here/pdp_adapter.c" "$here/pdp_adapter.h" "$here/tinyiot_pdp.c" \
   "$here/tinyiot_pdp.h" "$server/"

# libpdpc (the store and the evaluator) from this checkout, static.
pdpb=$out/pdp-build
if [ ! -f "$pdpb/build.ninja" ]; then
  meson setup "$pdpb" "$repo" --buildtype=release -Dtests=false -Dbench=false \
    >/dev/null
fi
ninja -C "$pdpb" -j"$jobs" src/libpdpc.a >/dev/null

pdp_cflags="-I$repo/include"
pdp_libs="$pdpb/src/libpdpc.a $(pkg-config --libs yaml-0.1 libpcre2-8 libcbor libsodium) -lm -lpthread"
make -s -C "$server" -j"$jobs" server DB_LIB_SRC= LIBS="$libs" \
  CFLAGS="$cflags" \
  PDP_CFLAGS="$pdp_cflags" PDP_LIBS="$pdp_libs" >/dev/null
echo "built tinyIoT with pdp: $server/server"
