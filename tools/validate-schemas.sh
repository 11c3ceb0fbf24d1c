#!/bin/sh
# Validate the repository's policies and requests against schemas/ with a
# real JSON Schema validator (python3-jsonschema, draft-07), and check that
# the schemas agree with the compiler:
#   - good files pass both: policies/*.yaml|json, the `policies:` blocks of
#     tests/decide/*.yaml and tests/lint/*.yaml pass the policy schema and
#     compile; requests (policies/requests.yaml, policies/explain-example.yaml,
#     the `request:` items of tests/decide/*.yaml) pass the request schema,
#     except those that pdp answers `deny bad-request`;
#   - the schema is never stricter than the compiler: every tests/errors file
#     the policy schema rejects must be rejected by `pdp compile` too (files
#     the schema accepts are fine: the compiler checks more).
#
# usage: tools/validate-schemas.sh [PDP [SOURCE_ROOT]]
#   PDP          the pdp binary (default: build/src/cli/pdp)
#   SOURCE_ROOT  the repository (default: this script's parent directory)
# Needs python3 with PyYAML and jsonschema (Debian: python3-yaml,
# python3-jsonschema; tools/setup-debian.sh installs them).
set -eu
ROOT=${2:-$(cd "$(dirname "$0")/.." && pwd)}
PDP=${1:-$ROOT/build/src/cli/pdp}
case $PDP in /*) ;; *) PDP=$(pwd)/$PDP ;; esac
if [ ! -x "$PDP" ]; then
  echo "validate-schemas: pdp binary '$PDP' not found (build first)" >&2
  exit 1
fi
exec python3 - "$ROOT" "$PDP" <<'PYEOF'
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

try:
    import yaml
    import jsonschema
except ImportError as e:
    print("validate-schemas: %s (apt-get install python3-yaml "
          "python3-jsonschema)" % e, file=sys.stderr)
    sys.exit(1)

root, pdp = sys.argv[1], sys.argv[2]
os.chdir(root)


# YAML as the compiler and yaml-language-server read it: only true/false are
# booleans, no sexagesimal numbers, no timestamps (times stay strings).
class Loader(yaml.SafeLoader):
    pass


DROP = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"}
Loader.yaml_implicit_resolvers = {
    k: [(t, r) for (t, r) in v if t not in DROP]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+)"
               r"(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|"
               r"\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


def load_all(text):
    return [d for d in yaml.load_all(text, Loader=Loader)]


def validator(name):
    with open(os.path.join("schemas", name)) as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


policy_v = validator("policy.schema.json")
request_v = validator("request.schema.json")
failures = []
counts = {"policy": 0, "request": 0, "agree": 0}


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def schema_errors(v, doc):
    errs = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
    out = []
    for e in errs[:3]:
        best = jsonschema.exceptions.best_match([e])
        path = "/".join(str(p) for p in best.absolute_path) or "(top)"
        out.append("%s: %s" % (path, best.message[:200]))
    return out


def policy_ok(where, text):
    """Policy text must load and pass the policy schema."""
    counts["policy"] += 1
    try:
        docs = load_all(text)
    except yaml.YAMLError as e:
        fail("%s: not YAML: %s" % (where, e))
        return
    for d in docs:
        errs = schema_errors(policy_v, d)
        if errs:
            fail("%s: rejected by policy.schema.json: %s" %
                 (where, "; ".join(errs)))


def compile_ok(where, paths):
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run([pdp, "compile", "-o",
                            os.path.join(tmp, "out.pdpi")] + paths,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True)
    if r.returncode != 0:
        fail("%s: does not compile:\n%s" % (where, r.stderr[:2000]))


def request_check(where, req, bad_request):
    """A request must pass the schema unless pdp answers bad-request; a
    bad-request the schema accepts is only noted (some are semantic, e.g. an
    unknown resource type name)."""
    counts["request"] += 1
    errs = schema_errors(request_v, req)
    if bad_request:
        if not errs:
            print("note: %s: pdp answers bad-request but the schema "
                  "accepts it" % where)
        return
    if errs:
        fail("%s: rejected by request.schema.json: %s" %
             (where, "; ".join(errs)))


# 1. policies/: every policy file passes the schema; together they compile.
REQUEST_FILES = {"policies/requests.yaml", "policies/explain-example.yaml"}
TEST_FILES = sorted(glob.glob("policies/*.test.yaml"))
policy_files = sorted(p for p in glob.glob("policies/*.yaml") +
                      glob.glob("policies/*.json")
                      if p not in REQUEST_FILES and p not in TEST_FILES)
for p in policy_files:
    with open(p) as f:
        policy_ok(p, f.read())
if policy_files:
    compile_ok("policies/ (" + " ".join(policy_files) + ")", policy_files)

# 2. policies/ requests; expected.txt gives the answer of each request.
expected = []
if os.path.exists("policies/expected.txt"):
    with open("policies/expected.txt") as f:
        expected = [l.rstrip("\n") for l in f]
for p in sorted(REQUEST_FILES):
    if not os.path.exists(p):
        continue
    with open(p) as f:
        docs = load_all(f.read())
    items = []
    for d in docs:
        items.extend(d if isinstance(d, list) else [d])
    for i, req in enumerate(items):
        bad = (p == "policies/requests.yaml" and i < len(expected) and
               expected[i].startswith("deny bad-request"))
        request_check("%s: request %d" % (p, i + 1), req, bad)

# 2b. pdp test files: the test-file schema, and each case's request.
pdptest_v = validator("pdptest.schema.json")
for p in TEST_FILES:
    with open(p) as f:
        doc = load_all(f.read())[0]
    errs = schema_errors(pdptest_v, doc)
    if errs:
        fail("%s: rejected by pdptest.schema.json: %s" % (p, "; ".join(errs)))
    for i, c in enumerate(doc.get("cases", [])):
        request_check("%s: case %d" % (p, i + 1), c.get("request"),
                      c.get("reason") == "bad-request")

# 3. tests/decide: policy blocks (a set per table) and request items.
for p in sorted(glob.glob("tests/decide/*.yaml")):
    with open(p) as f:
        table = yaml.load(f, Loader=Loader)
    blocks = table.get("policies") or []
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, text in enumerate(blocks):
            policy_ok("%s: policies[%d]" % (p, i), text)
            # JSON text keeps its extension so that messages read well
            q = os.path.join(tmp, "policy%d.yaml" % i)
            with open(q, "w") as f:
                f.write(text)
            paths.append(q)
        if paths:
            compile_ok(p + ": policies", paths)
    for i, case in enumerate(table.get("cases") or []):
        if "request" not in case:
            continue
        bad = str(case.get("expect", "")).startswith("deny bad-request")
        request_check("%s: cases[%d] (%s)" % (p, i, case.get("name", "")),
                      case["request"], bad)

# 4. tests/lint fixtures are valid policies: schema and compiler accept them.
for p in sorted(glob.glob("tests/lint/*.yaml")):
    with open(p) as f:
        policy_ok(p, f.read())
    compile_ok(p, [p])

# 5. tests/errors: a file the schema rejects must fail to compile alone.
for p in sorted(glob.glob("tests/errors/*.yaml")):
    with open(p, "rb") as f:
        raw = f.read()
    try:
        docs = load_all(raw.decode("utf-8"))
        rejected = any(list(policy_v.iter_errors(d)) for d in docs) or \
            not docs
    except (yaml.YAMLError, UnicodeDecodeError):
        rejected = True  # not YAML for PyYAML either
    if not rejected:
        continue
    counts["agree"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run([pdp, "compile", "-o",
                            os.path.join(tmp, "out.pdpi"), p],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode == 0:
        fail("%s: the schema rejects it but pdp compile accepts it: the "
             "schema is stricter than the compiler" % p)

print("validate-schemas: %d policies, %d requests checked; %d error "
      "fixtures rejected by the schema, each checked against the compiler; "
      "%d failure(s)" %
      (counts["policy"], counts["request"], counts["agree"], len(failures)))
sys.exit(1 if failures else 0)
PYEOF
