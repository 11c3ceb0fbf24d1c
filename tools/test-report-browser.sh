#!/bin/sh
# pdp report in a real browser: write the report of the bundled policies,
# open it in headless Chromium (Debian's `chromium`), dump the DOM the
# page's script built, and check the matrix against `pdp audit --json`:
# every cell of a role row equals the role's permissions (status too); an id
# row (the rules naming that id) shows only permissions the id has. Then
# take a screenshot. Exit 77 (skipped) only when chromium cannot run.
#   tools/test-report-browser.sh PDP SOURCE_ROOT OUTDIR
set -eu
pdp=$1; root=$2; out=$3
mkdir -p "$out"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "chromium not installed (tools/setup-debian.sh installs it): skipped"
  exit 77
fi
pols="-p $root/policies/metering.yaml -p $root/policies/native-acp.json"
# shellcheck disable=SC2086
"$pdp" report $pols --html "$out/report.html"
flags="--headless --no-sandbox --disable-gpu --no-first-run --user-data-dir=$out/chromium-profile"
# shellcheck disable=SC2086
if ! timeout 60 "$browser" $flags --dump-dom "file://$out/report.html" \
     > "$out/report.dom.html" 2> "$out/chromium.log" ||
   ! grep -q 'id="matrix"' "$out/report.dom.html"; then
  if grep -q "data-row" "$out/report.dom.html" 2>/dev/null; then :; else
    echo "chromium could not run here (see $out/chromium.log): skipped"
    exit 77
  fi
fi
# shellcheck disable=SC2086
timeout 60 "$browser" $flags --window-size=1400,900 \
  --screenshot="$out/report.png" "file://$out/report.html" \
  >> "$out/chromium.log" 2>&1 || true
test -s "$out/report.png" || { echo "FAIL: no screenshot"; exit 1; }
# shellcheck disable=SC2086
python3 - "$pdp" "$out/report.dom.html" $pols <<'PY'
import json, subprocess, sys
from html.parser import HTMLParser

pdp, dom, pols = sys.argv[1], sys.argv[2], sys.argv[3:]
STATUS = {"g": "unconditional", "c": "conditional", "d": "overridden"}

class Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells = {}     # row -> set of (acp, section, op, status)
        self.kinds = {}
        self.cols = []
        self.td = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "th" and "data-acp" in a:
            self.cols.append(a["data-acp"])
        if tag == "td" and "data-row" in a:
            self.td = (a["data-row"], a["data-acp"])
            self.cells.setdefault(a["data-row"], set())
            self.kinds[a["data-row"]] = a["data-kind"]
        if tag == "span" and self.td and "data-op" in a:
            st = [c for c in a.get("class", "").split() if c in STATUS]
            self.cells[self.td[0]].add((self.td[1], a["data-sec"], a["data-op"],
                                        STATUS[st[0]]))
    def handle_endtag(self, tag):
        if tag == "td":
            self.td = None

p = Cells()
p.feed(open(dom, encoding="utf-8").read())
fails = []
if not p.cells:
    fails.append("the matrix has no rows")
checked = 0
for row, kind in sorted(p.kinds.items()):
    if kind == "role":
        q = ["--role", row[len("role:"):]]
    elif kind == "id":
        q = ["--subject", row]
    else:
        continue
    r = subprocess.run([pdp, "audit"] + pols + q + ["--json"],
                       stdout=subprocess.PIPE, check=True)
    want = {(x["acp"], x["section"], x["operation"], x["status"])
            for x in json.loads(r.stdout)["permissions"]
            if x["acp"] in p.cols}
    got = p.cells[row]
    if kind == "role" and got != want:
        fails.append("%s: page %s, audit %s" % (row, sorted(got - want),
                                                 sorted(want - got)))
    if kind == "id" and not ({g[:3] for g in got} <= {w[:3] for w in want}):
        fails.append("%s: page %s not in audit" % (row, sorted(got)))
    checked += 1
if checked == 0:
    fails.append("no role or id rows to check")
for f in fails:
    print("FAIL:", f)
print("report-browser: %d rows, %d ACP columns, %d rows checked against "
      "pdp audit" % (len(p.cells), len(p.cols), checked))
sys.exit(1 if fails else 0)
PY
