'use strict';
// workload.js - reads the directory pdp-bench-gen writes (bench/gen.c):
// policy.yaml, requests.yaml, expected.txt and meta.txt.
//
// Not a YAML parser: it reads exactly the line shapes the generator writes
// and throws on any other line, so a change of the generator's output fails
// loudly here instead of being half understood.

const fs = require('fs');
const path = require('path');

const OPS = ['create', 'retrieve', 'update', 'delete', 'notify', 'discover'];

function fail(file, lineNo, line, why) {
  throw new Error(`${file}:${lineNo}: ${why}: ${JSON.stringify(line)}`);
}

function readLines(dir, name) {
  const file = path.join(dir, name);
  return { file, lines: fs.readFileSync(file, 'utf8').split('\n') };
}

// "[a, b, \"c\"]" -> ['a', 'b', 'c']
function list(text) {
  const inner = text.trim().replace(/^\[/, '').replace(/\]$/, '').trim();
  if (inner === '') return [];
  return inner.split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1'));
}

// The meta.txt key/value pairs (scale, acps, requests, ...).
function readMeta(dir) {
  const meta = {};
  for (const line of readLines(dir, 'meta.txt').lines) {
    const m = /^(\w+) (\S+)$/.exec(line);
    if (m) meta[m[1]] = m[2];
  }
  if (!meta.scale || !meta.requests)
    throw new Error(`${dir}/meta.txt: not a complete pdp-bench-gen workload`);
  return meta;
}

// policy.yaml -> { inherits: [[senior, junior]], assignments: [[user, role]],
//                  acps: Map(id -> [rule]) }
// A rule: { originators: [..], ops: [..], contexts: [{window:[..], ip:[..]}],
//           minClearance: number or null, effect: 'permit' | 'deny' }
function readPolicy(dir) {
  const { file, lines } = readLines(dir, 'policy.yaml');
  const out = { inherits: [], assignments: [], acps: new Map() };
  let section = null;
  let acp = null;
  let rule = null;
  let ruleKey = null;
  lines.forEach((line, i) => {
    const n = i + 1;
    if (line.trim() === '' || line.startsWith('#')) return;
    let m;
    if ((m = /^(\w+):\s*(.*)$/.exec(line))) {
      section = m[1];
      if (!['pdp', 'attributes', 'groups', 'roles', 'assignments', 'acps'].includes(section))
        fail(file, n, line, 'unknown section');
      return;
    }
    switch (section) {
      case 'attributes':
      case 'groups':
        // the one attribute is the clearance; groups are named by no rule
        // of this workload (an originator "group:..." is rejected below)
        return;
      case 'roles':
        if ((m = /^ {2}(\S+): \{ inherits: (\[.*\]) \}$/.exec(line))) {
          for (const junior of list(m[2])) out.inherits.push([m[1], junior]);
        } else if (!/^ {2}\S+: \{\}$/.test(line)) fail(file, n, line, 'unexpected role line');
        return;
      case 'assignments':
        if (!(m = /^ {2}(\S+): (\[.*\])$/.exec(line))) fail(file, n, line, 'unexpected assignment');
        for (const role of list(m[2])) out.assignments.push([m[1], role]);
        return;
      case 'acps':
        break;
      default:
        fail(file, n, line, 'line outside a known section');
    }
    if ((m = /^ {2}- id: (\S+)$/.exec(line))) {
      acp = [];
      out.acps.set(m[1], acp);
      rule = null;
    } else if (/^ {4}privileges:$/.test(line)) {
      ruleKey = 'privileges';
    } else if ((m = /^ {6}- originators: (\[.*\])$/.exec(line))) {
      if (acp === null || ruleKey === null) fail(file, n, line, 'rule outside an ACP');
      rule = {
        originators: list(m[1]),
        ops: [],
        contexts: [],
        minClearance: null,
        effect: 'permit',
      };
      for (const o of rule.originators)
        if (o.includes(':') && !o.startsWith('role:'))
          fail(file, n, line, 'originator form not supported here');
      acp.push(rule);
    } else if ((m = /^ {8}operations: (\[.*\])$/.exec(line))) {
      rule.ops = list(m[1]);
      for (const op of rule.ops) if (!OPS.includes(op)) fail(file, n, line, 'unknown operation');
    } else if ((m = /^ {8}effect: (permit|deny)$/.exec(line))) {
      rule.effect = m[1];
    } else if (/^ {8}contexts:$/.test(line)) {
      // the entries follow
    } else if ((m = /^ {10}- (window|ip): (\[.*\])$/.exec(line))) {
      rule.contexts.push({ [m[1]]: list(m[2]) });
    } else if ((m = /^ {12}(window|ip): (\[.*\])$/.exec(line))) {
      rule.contexts[rule.contexts.length - 1][m[1]] = list(m[2]);
    } else if ((m = /^ {8}when: \{ attr: originator\.clearance, ge: (\d+) \}$/.exec(line))) {
      rule.minClearance = Number(m[1]);
    } else {
      fail(file, n, line, 'unexpected ACP line');
    }
  });
  return out;
}

// requests.yaml + expected.txt -> [{ originator, op, acp, time, ip,
// clearance, permit }], time and ip as text, as in the request.
function readRequests(dir) {
  const { file, lines } = readLines(dir, 'requests.yaml');
  const reqs = [];
  let q = null;
  lines.forEach((line, i) => {
    const n = i + 1;
    if (line.trim() === '' || line.startsWith('#')) return;
    let m;
    if ((m = /^- originator: (\S+)$/.exec(line))) {
      q = { originator: m[1] };
      reqs.push(q);
    } else if (q && (m = /^ {2}operation: (\S+)$/.exec(line))) {
      q.op = m[1];
    } else if (q && (m = /^ {2}target: \{ acps: \[(\S+)\] \}$/.exec(line))) {
      q.acp = m[1];
    } else if (q && (m = /^ {2}env: \{ time: "(\S+)", ip: (\S+) \}$/.exec(line))) {
      q.time = m[1];
      q.ip = m[2];
    } else if (q && (m = /^ {2}attrs: \{ originator\.clearance: (\d+) \}$/.exec(line))) {
      q.clearance = Number(m[1]);
    } else {
      fail(file, n, line, 'unexpected request line');
    }
  });
  const exp = readLines(dir, 'expected.txt');
  const effects = exp.lines.filter((l) => l !== '');
  if (effects.length !== reqs.length)
    throw new Error(`${exp.file}: ${effects.length} decisions for ${reqs.length} requests`);
  effects.forEach((e, i) => {
    if (e !== 'permit' && e !== 'deny') fail(exp.file, i + 1, e, 'not permit or deny');
    reqs[i].permit = e === 'permit';
  });
  return reqs;
}

module.exports = { readMeta, readPolicy, readRequests, OPS };
