#!/bin/sh
# pdp as a meson subproject of a tiny parent project (docs/embedding.md),
# once through a wrap file's [provide] and once through
# dependency('pdp', fallback : ...). Checks that the parent builds with its
# own warning policy (no -Werror from pdp), that none of pdp's tests join
# the parent's, and that pdp installs nothing into the parent's install.
# Arguments: SOURCE_ROOT
set -eu
src=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for mode in wrap fallback; do
  p=$work/$mode
  mkdir -p "$p/subprojects"
  cp "$src/tests/subproject/main.c" "$p/"
  ln -s "$src" "$p/subprojects/pdp"
  if [ $mode = wrap ]; then
    fallback=''
    # the directory exists, so meson reads the wrap only for [provide]
    cat > "$p/subprojects/pdp.wrap" <<'WRAP'
[wrap-file]
directory = pdp
source_url = https://example.invalid/pdp.tar.gz
source_filename = pdp.tar.gz
source_hash = 0000000000000000000000000000000000000000000000000000000000000000

[provide]
dependency_names = pdp, pdpc
WRAP
  else
    fallback=", fallback : ['pdp', 'pdp_dep']"
  fi
  sed "s/@FALLBACK@/$fallback/" "$src/tests/subproject/meson.build.in" \
    > "$p/meson.build"
  meson setup "$p/build" "$p" --prefix=/usr >"$work/setup.log" 2>&1 ||
    { cat "$work/setup.log"; exit 1; }
  ninja -C "$p/build" parent >"$work/build.log" 2>&1 ||
    { cat "$work/build.log"; exit 1; }
  # main.c has an unused variable: with -Werror leaked from pdp, the
  # build above fails
  "$p/build/parent"
  tests=$(meson test -C "$p/build" --no-rebuild --list 2>/dev/null)
  if [ "$tests" != "parent-own-test" ]; then
    echo "$mode: the parent's tests are: $tests"; exit 1
  fi
  meson install -C "$p/build" --no-rebuild --destdir "$p/dest" \
    >"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
  extra=$( [ ! -d "$p/dest" ] || find "$p/dest" -type f)
  if [ -n "$extra" ]; then
    echo "$mode: pdp installed into the parent's install:"; echo "$extra"
    exit 1
  fi
  echo "$mode: OK"
done
