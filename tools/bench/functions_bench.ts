// Per-row cost of the built-ins the executor calls in hot loops: comparison
// and arithmetic operators, LIKE/ILIKE, lower/upper, substring, to_char.
// Each case resolves its operator/function once (as the executor does) and
// calls the implementation over a batch of varied rows; the figure is the
// best of several passes (the machine is shared: take best-of, not mean).
//   npx tsx tools/bench/functions_bench.ts [passes]

import { defaultEvalContext, resolveFunction, resolveOperator } from '../../host/engine/functions/index.ts';
import { Numeric } from '../../host/engine/types/numeric.ts';
import { T, type SqlType } from '../../host/engine/types/types.ts';

const PASSES = Number(process.argv[2] ?? 5);
const ROWS = 1 << 16;
const ROUNDS = 16;
const ctx = defaultEvalContext({ nowMicros: 0 });

function words(n: number, seed: number): string[] {
  let x = seed;
  const rnd = (): number => ((x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-';
  return Array.from({ length: n }, () => {
    const len = 4 + Math.floor(rnd() * 28);
    let s = '';
    for (let i = 0; i < len; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    return s;
  });
}

const ints = Array.from({ length: ROWS }, (_, i) => (i * 7919) % 1000003);
const floats = ints.map((v) => v / 7);
const nums = ints.map((v) => Numeric.parse(`${v}.${v % 100}`));
const texts = words(ROWS, 42);
const accented = texts.map((s, i) => (i % 4 === 0 ? s + 'é😀' : s));

interface Case {
  name: string;
  run: () => number;
}

function opCase(name: string, op: string, l: SqlType, r: SqlType, left: unknown[], right: (i: number) => unknown): Case {
  const res = resolveOperator(op, l, r);
  const fn = res.impl.fn;
  const call = res.call;
  const rights = Array.from({ length: ROWS }, (_, i) => right(i));
  return {
    name,
    run: () => {
      let acc = 0;
      for (let k = 0; k < ROUNDS; k++) for (let i = 0; i < ROWS; i++) if (fn(left[i], rights[i], ctx, call)) acc++;
      return acc;
    },
  };
}

function fnCase(name: string, fname: string, types: SqlType[], args: (i: number) => unknown[]): Case {
  const res = resolveFunction(fname, types);
  const impl = res.impl as { fn: (a: unknown[], c: typeof ctx, call: unknown) => unknown };
  const rows = Array.from({ length: ROWS }, (_, i) => args(i));
  return {
    name,
    run: () => {
      let acc = 0;
      for (let k = 0; k < ROUNDS; k++) for (let i = 0; i < ROWS; i++) if (impl.fn(rows[i]!, ctx, res.call) !== null) acc++;
      return acc;
    },
  };
}

const cases: Case[] = [
  opCase('int4 = int4', '=', T.int4, T.int4, ints, (i) => ints[(i * 13) % ROWS]),
  opCase('int4 < int4', '<', T.int4, T.int4, ints, (i) => ints[(i * 13) % ROWS]),
  opCase('int8 < int4', '<', T.int8, T.int4, ints, (i) => ints[(i * 13) % ROWS]),
  opCase('int4 + int4', '+', T.int4, T.int4, ints, (i) => ints[(i * 13) % ROWS]),
  opCase('int8 * int8', '*', T.int8, T.int8, ints, (i) => ints[(i * 13) % ROWS]),
  opCase('float8 * float8', '*', T.float8, T.float8, floats, (i) => floats[(i * 13) % ROWS]),
  opCase('float8 < float8', '<', T.float8, T.float8, floats, (i) => floats[(i * 13) % ROWS]),
  opCase('numeric + numeric', '+', T.numeric, T.numeric, nums, (i) => nums[(i * 13) % ROWS]),
  opCase('numeric < numeric', '<', T.numeric, T.numeric, nums, (i) => nums[(i * 13) % ROWS]),
  opCase('text = text', '=', T.text, T.text, texts, (i) => texts[(i * 13) % ROWS]),
  opCase('text < text', '<', T.text, T.text, texts, (i) => texts[(i * 13) % ROWS]),
  opCase("text LIKE 'ab%'", '~~', T.text, T.text, texts, () => 'ab%'),
  opCase("text LIKE '%ab%'", '~~', T.text, T.text, texts, () => '%ab%'),
  opCase("text LIKE '%a_c%d'", '~~', T.text, T.text, texts, () => '%a_c%d'),
  opCase("text LIKE '%ab%' (non-ASCII rows)", '~~', T.text, T.text, accented, () => '%ab%'),
  opCase("text ILIKE '%ab%'", '~~*', T.text, T.text, texts, () => '%ab%'),
  fnCase('lower(text)', 'lower', [T.text], (i) => [texts[i]]),
  fnCase('upper(text)', 'upper', [T.text], (i) => [texts[i]]),
  fnCase('lower(text) non-ASCII rows', 'lower', [T.text], (i) => [accented[i]]),
  fnCase('substring(text, 2, 5)', 'substring', [T.text, T.int4, T.int4], (i) => [texts[i], 2, 5]),
  fnCase('substring(text, 2, 5) non-ASCII rows', 'substring', [T.text, T.int4, T.int4], (i) => [accented[i], 2, 5]),
  fnCase('length(text)', 'length', [T.text], (i) => [accented[i]]),
  fnCase("to_char(timestamp, 'YYYY-MM-DD HH24:MI')", 'to_char', [T.timestamp, T.text], (i) => [ints[i]! * 1e6 * 97, 'YYYY-MM-DD HH24:MI']),
];

const best = new Map<string, number>();
for (let p = 0; p < PASSES; p++) {
  for (const c of cases) {
    const t0 = performance.now();
    c.run();
    const ns = ((performance.now() - t0) * 1e6) / (ROWS * ROUNDS);
    best.set(c.name, Math.min(best.get(c.name) ?? Infinity, ns));
  }
}
console.log(`functions: ns per call, best of ${PASSES} passes (${ROWS * ROUNDS} calls each)`);
for (const c of cases) console.log(`${c.name.padEnd(44)} ${best.get(c.name)!.toFixed(1).padStart(8)}`);
