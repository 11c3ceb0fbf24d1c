'use strict';
// window.js - pdp's schedule entries (docs/language.md, `window`): 7 fields
// "sec min hour day-of-month month day-of-week year", each `*`, a number, a
// range a-b, a list a,b, a step */n or a-b/n; evaluated in UTC; all seven
// fields must match. Month and day names are not supported here (the
// benchmark workload does not use them): they throw.

const FIELDS = [
  { name: 'sec', lo: 0, hi: 59 },
  { name: 'min', lo: 0, hi: 59 },
  { name: 'hour', lo: 0, hi: 23 },
  { name: 'day-of-month', lo: 1, hi: 31 },
  { name: 'month', lo: 1, hi: 12 },
  { name: 'day-of-week', lo: 0, hi: 7 },
  { name: 'year', lo: 1970, hi: 2199 },
];

function number(text, f, entry) {
  if (!/^\d+$/.test(text)) throw new Error(`window "${entry}": bad ${f.name} "${text}"`);
  const v = Number(text);
  if (v < f.lo || v > f.hi) throw new Error(`window "${entry}": ${f.name} ${v} out of range`);
  return v;
}

// One field -> Set of the values it accepts, or null for a bare `*`.
function field(text, f, entry) {
  if (text === '*') return null;
  const set = new Set();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : number(stepText, { ...f, lo: 1, hi: Infinity }, entry);
    let a;
    let b;
    if (range === '*') [a, b] = [f.lo, f.hi];
    else if (range.includes('-')) [a, b] = range.split('-').map((x) => number(x, f, entry));
    else if (stepText === undefined) a = b = number(range, f, entry);
    else throw new Error(`window "${entry}": a step needs * or a range, not "${part}"`);
    if (a > b) throw new Error(`window "${entry}": ${f.name} range ${a}-${b} is reversed`);
    for (let v = a; v <= b; v += step) set.add(v);
  }
  if (f.name === 'day-of-week' && set.has(7)) set.add(0); // 7 = Sunday too
  return set;
}

// "* * 8-17 * * 1-5 *" -> predicate on epoch seconds.
function compileWindow(entry) {
  const parts = entry.trim().split(/\s+/);
  if (parts.length !== 7) throw new Error(`window "${entry}": needs 7 fields`);
  const sets = parts.map((p, i) => field(p, FIELDS[i], entry));
  const ok = (i, v) => sets[i] === null || sets[i].has(v);
  return (t) => {
    const d = new Date(t * 1000);
    return ok(0, d.getUTCSeconds()) && ok(1, d.getUTCMinutes()) && ok(2, d.getUTCHours()) &&
      ok(3, d.getUTCDate()) && ok(4, d.getUTCMonth() + 1) && ok(5, d.getUTCDay()) &&
      ok(6, d.getUTCFullYear());
  };
}

module.exports = { compileWindow };
