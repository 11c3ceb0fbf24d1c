#!/usr/bin/env python3
"""One ACP with N privileges rules, for timing `pdp lint` and `pdp compile`
on a large ACP (docs/performance.md, "Lint (fixed)").

usage: bench/one-acp.py N [mixed|ids] > policy.yaml

mixed: originators 50% exact ids, 15% globs, 15% groups (of 50), 17% roles
(of 20, each inheriting the two below it), 3% all; 1-3 operations; 30% with
an IP context; 20% deny. ids: exact ids only, permit rules. Deterministic
(seed 7).
"""
import random
import sys

n = int(sys.argv[1])
mode = sys.argv[2] if len(sys.argv) > 2 else "mixed"
random.seed(7)
ops = ["create", "retrieve", "update", "delete", "notify", "discover"]
out = ["pdp: 1", "groups:"]
for g in range(50):
    out.append('  g%d: [CAE-u%d, "CAE-v%d*"]' % (g, g, g))
out.append("roles:")
out.append("  r0: {}")
for r in range(1, 20):
    out.append("  r%d: {inherits: [%s]}" %
               (r, ", ".join("r%d" % j for j in range(max(0, r - 2), r))))
out += ["acps:", "  - id: big", "    privileges:"]
for i in range(n):
    k = random.randrange(100)
    if mode == "ids" or k < 50:
        o = "CAE-u%d" % random.randrange(n)
    elif k < 65:
        o = '"CAE-u%d*"' % random.randrange(n)
    elif k < 80:
        o = "group:g%d" % random.randrange(50)
    elif k < 97:
        o = "role:r%d" % random.randrange(20)
    else:
        o = "all"
    op = random.sample(ops, random.randrange(1, 4))
    rule = "      - {originators: [%s], operations: [%s]" % (o, ", ".join(op))
    if random.randrange(10) < 3:
        rule += ", contexts: [{ip: [10.0.0.0/8]}]"
    if random.randrange(10) < 2 and mode != "ids":
        rule += ", effect: deny"
    out.append(rule + "}")
out += ["    self:", "      - {originators: [CAE-admin], operations: all}"]
print("\n".join(out))
