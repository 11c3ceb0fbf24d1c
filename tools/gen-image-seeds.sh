#!/bin/sh
# Regenerate the fuzz_image seed corpus from the decision tables' policies
# (run after any change of the image format). Usage: gen-image-seeds.sh PDP
set -eu
PDP=$1
out=fuzz/corpus/fuzz_image
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in tests/decide/*.yaml; do
  name=$(basename "$t" .yaml)
  python3 - "$t" "$tmp" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
for i, p in enumerate(doc.get('policies', [])):
    open(f"{sys.argv[2]}/p{i}.yaml", "w").write(p)
PY
  "$PDP" compile --revision 1 -o "$out/$name.img" "$tmp"/p*.yaml >/dev/null 2>&1 || true
  rm -f "$tmp"/p*.yaml
done
"$PDP" compile --revision 1 -o "$out/bare.img" policies/metering.yaml policies/native-acp.json
# format 2 (an identity envelope), unsigned and signed with a throwaway key
"$PDP" compile --revision 1 -o "$out/v2-bare.img" policies/metering.yaml policies/native-acp.json
"$PDP" keygen "$tmp/seed" >/dev/null
"$PDP" compile --revision 2 --sign "$tmp/seed.key" -o "$out/v2-signed.img" policies/metering.yaml
cp "$out/bare.img" "$out/badcrc.img"
# flip one body byte so the seed exercises the checksum path
printf '\377' | dd of="$out/badcrc.img" bs=1 seek=40 conv=notrunc 2>/dev/null
