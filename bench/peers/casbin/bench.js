'use strict';
// bench.js - node-casbin on pdp's benchmark workload, every decision checked.
//
//   node bench.js WORKLOAD_DIR [--runs N]
//
// WORKLOAD_DIR is what `pdp-bench-gen SCALE DIR` wrote. One casbin enforcer
// per ACP (model.js), one role manager shared by all. Requests are prepared
// before timing (time and address as numbers, as pdp_decide's prepared
// requests); the timed part of a decision is the enforcer lookup by ACP id
// and enforceSync. Per run: one pass timed as a whole (decisions/s) and one
// pass with process.hrtime.bigint() around each decision (p50, p99). Figures
// are the medians over the runs. Every decision of every pass is compared
// with expected.txt: exit 1 on any mismatch, 2 on a usage or setup error.
//
// The last line is for bench/peers/run-casbin.sh:
//   casbin-result scale=S checked=N p50_ns=.. p99_ns=.. dps=.. timer_ns=..

const { readMeta, readPolicy, readRequests } = require('./workload');
const { buildEnforcers, prepare } = require('./model');

function usage() {
  process.stderr.write('usage: node bench.js WORKLOAD_DIR [--runs N]\n');
  process.exit(2);
}

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

// Back-to-back hrtime.bigint() pairs: the timer's own cost in a sample.
function timerOverhead() {
  const v = new Float64Array(100000);
  for (let i = 0; i < v.length; i++) {
    const a = process.hrtime.bigint();
    const b = process.hrtime.bigint();
    v[i] = Number(b - a);
  }
  return v.sort()[v.length >> 1];
}

function report(reqs, i, got) {
  const q = reqs[i];
  process.stderr.write(`casbin-bench: WRONG decision for request ${i} (${q.originator} ${q.op} ` +
    `${q.acp} ${q.time} ${q.ip} clearance ${q.clearance}): ${got ? 'permit' : 'deny'}, ` +
    `expected ${q.permit ? 'permit' : 'deny'}\n`);
}

// One pass; lat (Float64Array) gets per-decision ns when given.
function pass(enforcers, reqs, lat) {
  let wrong = 0;
  for (let i = 0; i < reqs.length; i++) {
    const q = reqs[i];
    const v = q.values;
    let got;
    if (lat) {
      const a = process.hrtime.bigint();
      got = enforcers.get(q.acp).enforceSync(v[0], v[1], v[2], v[3], v[4]);
      const b = process.hrtime.bigint();
      lat[i] = Number(b - a);
    } else {
      got = enforcers.get(q.acp).enforceSync(v[0], v[1], v[2], v[3], v[4]);
    }
    if (got !== q.permit && wrong++ < 5) report(reqs, i, got);
  }
  return wrong;
}

async function main() {
  const args = process.argv.slice(2);
  let dir = null;
  let runs = 3;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--runs' && i + 1 < args.length) runs = Number(args[++i]);
    else if (!args[i].startsWith('-') && dir === null) dir = args[i];
    else usage();
  }
  if (dir === null || !Number.isInteger(runs) || runs < 1 || runs > 100) usage();

  let meta;
  let policy;
  let reqs;
  let enforcers;
  const t0 = process.hrtime.bigint();
  try {
    meta = readMeta(dir);
    policy = readPolicy(dir);
    reqs = readRequests(dir);
    for (const q of reqs) q.values = prepare(q);
    enforcers = await buildEnforcers(policy);
  } catch (err) {
    process.stderr.write(`casbin-bench: ${err.message}\n`);
    process.exit(2);
  }
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  for (const q of reqs) {
    if (!enforcers.has(q.acp)) {
      process.stderr.write(`casbin-bench: request for unknown ACP ${q.acp}\n`);
      process.exit(2);
    }
  }

  // correctness pass, also the warm-up (the JIT compiles the hot paths)
  let wrong = pass(enforcers, reqs, null);
  let checked = reqs.length;
  const dps = [];
  const p50 = [];
  const p99 = [];
  const lat = new Float64Array(reqs.length);
  for (let r = 0; r < runs && wrong === 0; r++) {
    const a = process.hrtime.bigint();
    wrong += pass(enforcers, reqs, null);
    dps.push(reqs.length / (Number(process.hrtime.bigint() - a) / 1e9));
    wrong += pass(enforcers, reqs, lat);
    checked += 2 * reqs.length;
    const sorted = Float64Array.from(lat).sort();
    p50.push(percentile(sorted, 0.5));
    p99.push(percentile(sorted, 0.99));
  }
  if (wrong) {
    process.stderr.write(`casbin-bench: ${wrong} of ${checked} decisions are WRONG\n`);
    process.exit(1);
  }
  const timer = timerOverhead();
  const rows = [...enforcers.values()].reduce((n, e) => n + e.getModel().getPolicy('p', 'p').length, 0);
  const permits = reqs.filter((q) => q.permit).length;
  const mem = process.memoryUsage();
  const out = {
    scale: meta.scale, checked, p50_ns: median(p50), p99_ns: median(p99),
    dps: Math.round(median(dps)), timer_ns: timer,
  };
  process.stdout.write(`
### node-casbin ${require('casbin/package.json').version}, scale ${meta.scale}

${enforcers.size} enforcers (one per ACP), ${rows} policy rows, one shared role manager;
${reqs.length} requests, ${(100 * permits / reqs.length).toFixed(1)}% permit; median of ${runs} run${runs === 1 ? '' : 's'};
every decision checked against expected.txt (${checked} checked, 0 wrong). Node ${process.version}.

| figure | value |
|---|---|
| build (read workload, enforcers, role links) | ${loadMs.toFixed(0)} ms |
| decisions/s, 1 thread | ${(out.dps / 1e6).toFixed(3)} M |
| timer overhead (hrtime.bigint pair) | ${timer.toFixed(0)} ns |
| latency p50 / p99 (raw, incl. timer) | ${out.p50_ns.toFixed(0)} / ${out.p99_ns.toFixed(0)} ns |
| heap used / RSS | ${(mem.heapUsed / 2 ** 20).toFixed(0)} / ${(mem.rss / 2 ** 20).toFixed(0)} MiB |

casbin-result ${Object.entries(out).map(([k, v]) => `${k}=${v}`).join(' ')}
`);
}

main().catch((err) => {
  process.stderr.write(`casbin-bench: ${err.stack || err}\n`);
  process.exit(2);
});
