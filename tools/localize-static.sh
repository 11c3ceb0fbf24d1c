#!/bin/sh
# Turn a static library into one whose only global symbols are its API.
# Usage: localize-static.sh IN.a OUT.a LD OBJCOPY AR
# The objects of IN.a are linked into one relocatable object (ld -r), whose
# hidden-visibility symbols (everything not marked PDP_API) objcopy then
# makes local; OUT.a holds that one object. Internal names such as
# crc32_ieee can then no longer clash with, or be replaced by, a program's
# own functions of the same name.
set -eu
in=$1 out=$2 ld=$3 objcopy=$4 ar=$5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case $in in /*) ;; *) in=$PWD/$in ;; esac
# meson makes thin archives (member paths, no copies) of libraries it does
# not install: link the members where they are
if [ "$(head -c 7 "$in")" = '!<thin>' ]; then
  i=0
  "$ar" t "$in" | while IFS= read -r member; do
    i=$((i + 1))
    cp "$member" "$tmp/$i.o"
  done
else
  (cd "$tmp" && "$ar" x "$in")
fi
name=$(basename "$out" .a)
"$ld" -r -o "$tmp/$name.o" "$tmp"/*.o
"$objcopy" --localize-hidden "$tmp/$name.o"
rm -f "$out"
"$ar" rcs "$out" "$tmp/$name.o"
