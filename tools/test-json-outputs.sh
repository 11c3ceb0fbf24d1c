#!/bin/sh
# Every JSON output of pdp is valid JSON and valid against its schema, also
# for file names with spaces, non-ASCII and invalid UTF-8 (which the JSON
# writer replaces by U+FFFD and SARIF percent-encodes): lint --format json
# and sarif, compile --format json, decide --json, explain --json and
# audit --json.
# usage: tools/test-json-outputs.sh PDP SOURCE_ROOT
set -eu
pdp=$1 root=$2
case $pdp in /*) ;; *) pdp=$PWD/$pdp ;; esac
exec python3 - "$pdp" "$root" <<'PYEOF'
import json, os, subprocess, sys, tempfile
import jsonschema

pdp, root = sys.argv[1], os.path.abspath(sys.argv[2])
schemas = os.path.join(root, "schemas")
def schema(name):
    with open(os.path.join(schemas, name)) as f:
        return inline(json.load(f))
# references to a sibling schema file are inlined (no network, and the same
# on every jsonschema version)
def inline(v):
    if isinstance(v, dict):
        ref = v.get("$ref", "")
        if ref.endswith(".schema.json"):
            return schema(os.path.basename(ref))
        return {k: inline(x) for k, x in v.items()}
    if isinstance(v, list):
        return [inline(x) for x in v]
    return v
failures = []
def check(what, text, sch, lines=False):
    docs = [l for l in text.splitlines() if l.strip()] if lines else [text]
    if not docs:
        failures.append("%s: no output" % what)
    for d in docs:
        try:
            v = json.loads(d)
        except ValueError as e:
            failures.append("%s: not JSON: %s: %r" % (what, e, d[:200]))
            continue
        try:
            jsonschema.validate(v, sch, format_checker=jsonschema.FormatChecker())
        except jsonschema.ValidationError as e:
            failures.append("%s: %s" % (what, e.message))

work = tempfile.mkdtemp()
os.chdir(work)
names = [b"plain.yaml", b"with space.yaml", "caf\u00e9 \u00e9t\u00e9.yaml".encode(),
         b"bad\xffutf8.yaml"]
os.mkdir("sub dir")
bad = b"pdp: 1\nacps:\n  - id: a\n    privileges:\n      - { originators: [all], operations: [retrieve, fly] }\n"
good = b"pdp: 1\nroles:\n  reader: {}\nassignments:\n  CAE-r: [reader]\nacps:\n  - id: a\n    privileges:\n      - { originators: [reader], operations: [retrieve] }\n"
req = b"originator: CAE-r\noperation: retrieve\nacps: [a]\n---\noriginator: \"CAE-\\xff\"\noperation: retrieve\nacps: [a]\n"
for n in names:
    with open(n, "wb") as f: f.write(bad)
    with open(b"sub dir/" + n, "wb") as f: f.write(good)
    with open(b"sub dir/req " + n, "wb") as f: f.write(req)
absbad = os.path.join(work.encode(), names[3])
def run(*args, err=False):
    r = subprocess.run([pdp.encode()] + list(args), capture_output=True)
    return (r.stderr if err else r.stdout).decode("utf-8", "strict")
for n in names:
    try:
        check("lint sarif %r" % n, run(b"lint", b"--format", b"sarif", n, absbad),
              schema("sarif-subset.schema.json"))
        check("lint json %r" % n, run(b"lint", b"--format", b"json", n), {"type": "object",
              "required": ["file", "line", "column", "code", "severity", "message"]}, lines=True)
        check("compile json %r" % n, run(b"compile", b"--format", b"json", b"-o", b"x.pdpi", n, err=True),
              {"type": "object", "required": ["code", "message"]}, lines=True)
        p, r = b"sub dir/" + n, b"sub dir/req " + n
        check("decide json %r" % n, run(b"decide", b"-p", p, b"--json", r),
              schema("decision.schema.json"), lines=True)
        check("explain json %r" % n, run(b"explain", b"-p", p, b"--json", r),
              schema("explain.schema.json"), lines=True)
        check("audit json %r" % n, run(b"audit", b"-p", p, b"--subject", b"CAE-r", b"--json"),
              schema("audit.schema.json"))
    except UnicodeDecodeError as e:
        failures.append("%r: output is not UTF-8: %s" % (n, e))
# every audit query shape, on the policies of docs/audit.md
ex = os.path.join(root, "docs", "examples").encode()
audit_queries = [
    [b"-p", ex + b"/audit-example.yaml", b"--subject", b"CAE-alice"],
    [b"-p", ex + b"/audit-example.yaml", b"--subject", b"CAE-alice", b"--unconditional-only"],
    [b"-p", ex + b"/audit-example.yaml", b"--subject", b"CAE-alice", b"--roles", b"viewer"],
    [b"-p", ex + b"/audit-example.yaml", b"--acp", b"acp-meter"],
    [b"-p", ex + b"/audit-example.yaml", b"--acp", b"acp-meter", b"--unconditional-only"],
    [b"-p", ex + b"/audit-example.yaml", b"--role", b"viewer"],
    [b"-p", ex + b"/audit-example.yaml", b"--constraints"],
    [b"-p", ex + b"/audit-abac.yaml", b"--subject", b"CAE-bob", b"--type", b"container"],
    [b"-p", ex + b"/audit-abac.yaml", b"--subject", b"CAE-bob", b"--attrs", ex + b"/audit-attrs.yaml"],
    [b"-p", ex + b"/audit-abac.yaml", b"--who", b"--acp", b"acp-lab", b"--operation", b"update", b"--attrs", ex + b"/audit-attrs.yaml"],
    [b"-p", ex + b"/audit-union.yaml", b"--subject", b"CAE-bob", b"--acps", b"acp-a,acp-b"],
    [b"-p", ex + b"/audit-dsd.yaml", b"--subject", b"CAE-carol", b"--role-sets"],
]
# explain --json with what would grant denied requests (every change kind)
wg_req = os.path.join(work, "wg.yaml")
with open(wg_req, "w") as f:
    f.write("originator: CAE-bob\noperation: update\ntarget: {acps: [acp-meter]}\n"
            "env: {time: '2026-11-28T19:15:00Z', ip: 192.168.1.1}\n---\n"
            "originator: CAE-alice\noperation: update\nauthenticated: true\n"
            "target: {acps: [acp-meter]}\n---\n"
            "originator: CAE-alice\nroles: [viewer]\noperation: create\n"
            "target: {acps: [acp-meter], self: true}\n---\n"
            "originator: CAE-zed\noperation: delete\ntarget: {acps: [acp-meter]}\n")
out = run(b"explain", b"--json", b"--no-clock", b"-p", ex + b"/audit-example.yaml", wg_req.encode())
check("explain would_grant", out, schema("explain.schema.json"), lines=True)
if out.count('"would_grant"') != 4:
    failures.append("explain --json: %d would_grant members, 4 expected" % out.count('"would_grant"'))
for q in audit_queries:
    check("audit json %r" % q[2:], run(b"audit", *q, b"--json"), schema("audit.schema.json"))
# SARIF rules describe the code, not one finding
for n in names[:1]:
    log = json.loads(run(b"lint", b"--format", b"sarif", n))
    msgs = {r["message"]["text"] for r in log["runs"][0]["results"]}
    for rule in log["runs"][0]["tool"]["driver"]["rules"]:
        if rule["shortDescription"]["text"] in msgs:
            failures.append("SARIF rule %s describes itself by a finding" % rule["id"])
for f in failures:
    print("FAIL", f)
print("json outputs: %d files x 6 outputs, %d failures" % (len(names), len(failures)))
sys.exit(1 if failures else 0)
PYEOF
