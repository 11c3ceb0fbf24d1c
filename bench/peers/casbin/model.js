'use strict';
// model.js - pdp's benchmark policy as casbin enforcers, one per ACP.
//
// The casbin model (the same for every ACP):
//   r = sub, act, time, ip, clr        originator id, operation name, request
//                                      time (epoch seconds), IPv4 (uint32),
//                                      originator.clearance
//   p = sub, act, win, cidr, clr, eft  one row per originator and context of
//                                      a pdp rule
//   g = _, _                           user -> role and senior -> junior role
//                                      links, one role manager shared by all
//                                      enforcers
// The matcher:
//   opIn(r.act, p.act)                 the rule's operations (custom function)
//   g(r.sub, p.sub) || keyMatch(..)    a role (with its hierarchy), the user
//                                      id itself, or a glob "CAE-u12*"
//   p.clr == "" || r.clr >= p.clr      `when: originator.clearance ge k`
//   inWindow / inCidr                  the rule's context (custom functions,
//                                      ANY of the listed entries)
// Effect: permit when a permit row matches; with deny rules, deny wins.
//
// Custom functions keep their parsed arguments in caches filled while the
// enforcers are built, so a decision parses nothing.

const casbin = require('casbin');
const { compileWindow } = require('./window');

const SEP = ' ';

function modelText(hasDeny) {
  const effect = hasDeny
    ? 'some(where (p.eft == allow)) && !some(where (p.eft == deny))'
    : 'some(where (p.eft == allow))';
  return `
[request_definition]
r = sub, act, time, ip, clr

[policy_definition]
p = sub, act, win, cidr, clr, eft

[role_definition]
g = _, _

[policy_effect]
e = ${effect}

[matchers]
m = opIn(r.act, p.act) && (g(r.sub, p.sub) || keyMatch(r.sub, p.sub)) && (p.clr == "" || r.clr >= p.clr) && inWindow(r.time, p.win) && inCidr(r.ip, p.cidr)
`;
}

// "10.1.2.3" -> 167838211; NaN when not an IPv4 address.
function ipv4(text) {
  const parts = text.split('.');
  if (parts.length !== 4) return NaN;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return NaN;
    v = v * 256 + Number(p);
  }
  return v;
}

// "10.1.0.0/16" -> { net, mask } (host bits dropped, as pdp does).
function compileCidr(text) {
  const [addr, len] = text.split('/');
  const ip = ipv4(addr);
  const plen = len === undefined ? 32 : Number(len);
  if (Number.isNaN(ip) || !Number.isInteger(plen) || plen < 0 || plen > 32)
    throw new Error(`not an IPv4 CIDR: ${text}`);
  const mask = plen === 0 ? 0 : (0xffffffff << (32 - plen)) >>> 0;
  return { net: (ip & mask) >>> 0, mask };
}

// The custom functions and the caches they read.
function makeFunctions() {
  const opSets = new Map();   // "create update" -> Set
  const windows = new Map();  // "entry|entry" -> [predicate]
  const cidrs = new Map();    // "cidr|cidr" -> [{net, mask}]
  const fns = {
    opIn: (op, list) => opSets.get(list).has(op),
    inWindow: (t, list) => {
      if (list === '') return true;
      for (const w of windows.get(list)) if (w(t)) return true;
      return false;
    },
    inCidr: (ip, list) => {
      if (list === '') return true;
      for (const c of cidrs.get(list)) if (((ip & c.mask) >>> 0) === c.net) return true;
      return false;
    },
  };
  const register = {
    ops(list) {
      const key = list.join(SEP);
      if (!opSets.has(key)) opSets.set(key, new Set(list));
      return key;
    },
    windows(list) {
      const key = list.join('|');
      if (list.length && !windows.has(key)) windows.set(key, list.map(compileWindow));
      return key;
    },
    cidrs(list) {
      const key = list.join('|');
      if (list.length && !cidrs.has(key)) cidrs.set(key, list.map(compileCidr));
      return key;
    },
  };
  return { fns, register };
}

// The casbin policy rows of one pdp rule.
function ruleRows(rule, register) {
  const act = register.ops(rule.ops);
  const clr = rule.minClearance === null ? '' : String(rule.minClearance);
  const eft = rule.effect === 'deny' ? 'deny' : 'allow';
  // no contexts: always holds; else ANY context, each ALL of its fields
  const contexts = rule.contexts.length ? rule.contexts : [{}];
  const rows = [];
  for (const sub of rule.originators)
    for (const c of contexts)
      rows.push([sub, act, register.windows(c.window || []), register.cidrs(c.ip || []), clr, eft]);
  return rows;
}

// policy (workload.readPolicy) -> Map(acp id -> casbin Enforcer)
async function buildEnforcers(policy) {
  const { fns, register } = makeFunctions();
  const hasDeny = [...policy.acps.values()].some((rules) => rules.some((r) => r.effect === 'deny'));
  const text = modelText(hasDeny);
  // one role manager for all enforcers: the role graph is the same for
  // every ACP (a copy per enforcer would hold it 10,000 times at L)
  const rm = new casbin.DefaultRoleManager(10);
  const enforcers = new Map();
  for (const [id, rules] of policy.acps) {
    const m = casbin.newModelFromString(text);
    const e = await casbin.newEnforcer(m);
    for (const [name, fn] of Object.entries(fns)) await e.addFunction(name, fn);
    // casbin refuses a batch holding a row it already has: two rules of an
    // ACP may give the same row, which decides the same once or twice
    const rows = [...new Map(rules.flatMap((r) => ruleRows(r, register))
      .map((row) => [JSON.stringify(row), row])).values()];
    if (rows.length && !m.addPolicies('p', 'p', rows)[0])
      throw new Error(`casbin did not take the rows of ${id}`);
    e.setRoleManager(rm);
    // point the model's g at the shared manager (buildRoleLinks would
    // clear it): no g rows in this model, so no links are added here
    await m.buildRoleLinks(new Map([['g', rm]]));
    enforcers.set(id, e);
  }
  for (const [user, role] of policy.assignments) await rm.addLink(user, `role:${role}`);
  for (const [senior, junior] of policy.inherits) await rm.addLink(`role:${senior}`, `role:${junior}`);
  return enforcers;
}

// A request of workload.readRequests as casbin's request values, prepared
// before timing (as pdp_decide's requests are): time in epoch seconds, the
// address as uint32.
function prepare(q) {
  const t = Date.parse(q.time);
  const ip = ipv4(q.ip);
  if (Number.isNaN(t) || Number.isNaN(ip)) throw new Error(`bad request time or ip: ${q.time} ${q.ip}`);
  return [q.originator, q.op, Math.floor(t / 1000), ip, q.clearance];
}

module.exports = { buildEnforcers, prepare };
