// Vector-program kernel micro-benchmark (DESIGN.md ground rule 2): the TPC-H
// Q6 and Q1 loops run by wasm/exec/vprog.ts over column vectors in exec
// memory, against the same loops in plain TypeScript over typed arrays.
//
//   npx tsx tools/bench/vprog_micro.ts [--rows N] [--reps R]
//
// Data: sql_bench.ts's lineitem generator (shipdate as days, quantity,
// extendedprice, discount, tax as numeric(15,2) scaled by 100, returnflag /
// linestatus as dictionary codes). Kernel side: the program the compiler
// (host/engine/exec/vprog.ts) makes for the query, built here by hand, run in
// slices of 65,536 rows as ops_colagg.ts does. TypeScript side: as fast as we
// could write it and still exact: Int32Array / Float64Array columns of the
// scaled integers, Number partial sums flushed into BigInt totals every 1,024
// rows (a chunk's partial sum stays below 2^53; a 6M-row total does not).
// Results are checked equal. Figures: best of R rounds, contenders
// interleaved; times are CPU time of the process (process.cpuUsage), since on a
// shared machine wall time mostly measures other processes.

import { ExecKernels } from '../../host/engine/exec/kernels.ts';
import { AOP, i128, ProgramBuilder, VAGG, VCMP, VectorProgram, VT, vpExports } from '../../host/engine/exec/vprog.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { argInt, machine, Rng, table } from './common.ts';

const ROWS = argInt('--rows', 1_048_576);
const REPS = argInt('--reps', 5);
const k = await ExecKernels.load(nodePlatform());
const x = vpExports(k);

// ---- data (sql_bench.ts lineitems(), scaled) ----
const DAY0 = Date.UTC(1992, 0, 1);
const EPOCH = Date.UTC(2000, 0, 1);
const dayOf = (y: number, m: number, d: number): number => (Date.UTC(y, m - 1, d) - EPOCH) / 86_400_000;
const CUT = (Date.UTC(1995, 5, 17) - DAY0) / 86_400_000;
const ship = new Int32Array(ROWS);
const qty = new Float64Array(ROWS);
const price = new Float64Array(ROWS);
const disc = new Float64Array(ROWS);
const tax = new Float64Array(ROWS);
const rf = new Uint32Array(ROWS);
const ls = new Uint32Array(ROWS);
{
  const r = new Rng(42);
  for (let i = 0; i < ROWS; i++) {
    const q = 1 + r.below(50);
    const p = 90_000 + r.below(110_001);
    const s = r.below(2526);
    const late = s > CUT;
    qty[i] = q * 100;
    price[i] = q * p; // (qty * price/100) at scale 2
    disc[i] = r.below(11);
    tax[i] = r.below(9);
    rf[i] = late ? 2 : r.below(2); // 0 R, 1 A, 2 N
    ls[i] = late ? 1 : 0; // 0 F, 1 O
    ship[i] = (DAY0 - EPOCH) / 86_400_000 + s;
  }
}
// The same columns in exec memory, as the column cache holds them.
function put(arr: Int32Array | Uint32Array | Float64Array, asI64: boolean): number {
  const bytes = arr.length * (asI64 ? 8 : 4);
  const p = x.exec_alloc(bytes + 16);
  if (asI64) {
    const v = new BigInt64Array(x.memory.buffer, p, arr.length);
    for (let i = 0; i < arr.length; i++) v[i] = BigInt(arr[i]!);
  } else new Int32Array(x.memory.buffer, p, arr.length).set(arr);
  return p;
}
const cShip = put(ship, false), cQty = put(qty, true), cPrice = put(price, true), cDisc = put(disc, true), cTax = put(tax, true);
const cRf = put(rf, false), cLs = put(ls, false);

function runProgram(b: ProgramBuilder, direct: number): VectorProgram {
  const p = new VectorProgram(k, b, direct);
  for (let s = 0; s < ROWS; s += 65_536) if (!p.run(s, Math.min(65_536, ROWS - s))) throw new Error('overflow');
  return p;
}

// ---- Q6 ----
const d94 = dayOf(1994, 1, 1), d95 = dayOf(1995, 1, 1);
function q6Kernel(): bigint {
  const b = new ProgramBuilder();
  b.filter(cShip, 0, VCMP.GE, VT.I32, BigInt(d94));
  b.filter(cShip, 0, VCMP.LT, VT.I32, BigInt(d95));
  b.filter(cDisc, 0, VCMP.BETWEEN, VT.I64, 5n, 7n);
  b.filter(cQty, 0, VCMP.LT, VT.I64, 2400n);
  const v = b.arith(b.load('i64', cPrice, 0), b.load('i64', cDisc, 0), AOP.MUL);
  const a = b.acc();
  b.agg(a, VAGG.SUM128, -1, v);
  const p = runProgram(b, 0);
  const r = p.acc(a, 1);
  p.free();
  return i128(r.a[0]!, r.b[0]!);
}
function q6Ts(): bigint {
  let total = 0n;
  for (let o = 0; o < ROWS; o += 1024) {
    const end = Math.min(ROWS, o + 1024);
    let s = 0;
    for (let i = o; i < end; i++) {
      const sd = ship[i]!;
      const d = disc[i]!;
      if (sd >= d94 && sd < d95 && d >= 5 && d <= 7 && qty[i]! < 2400) s += price[i]! * d;
    }
    total += BigInt(s);
  }
  return total;
}

// ---- Q1 ----
const cut = dayOf(1998, 9, 2);
function q1Kernel(): bigint[] {
  const b = new ProgramBuilder();
  b.filter(cShip, 0, VCMP.LE, VT.I32, BigInt(cut));
  const key = b.gzero();
  b.gkeyCol(key, cRf, 0, 1n);
  b.gkeyCol(key, cLs, 0, 4n);
  const g = b.group(key);
  const q = b.load('i64', cQty, 0), pr = b.load('i64', cPrice, 0), di = b.load('i64', cDisc, 0), tx = b.load('i64', cTax, 0);
  const dp = b.arith(pr, b.arithC(di, AOP.RSUB, 100n), AOP.MUL);
  const ch = b.arith(dp, b.arithC(tx, AOP.ADD, 100n), AOP.MUL);
  const accs = [b.acc(), b.acc(), b.acc(), b.acc(), b.acc(), b.acc()];
  b.agg(accs[0]!, VAGG.SUM128, g, q);
  b.agg(accs[1]!, VAGG.SUM128, g, pr);
  b.agg(accs[2]!, VAGG.SUM128, g, dp);
  b.agg(accs[3]!, VAGG.SUM128, g, ch);
  b.agg(accs[4]!, VAGG.SUM128, g, di); // avg(l_discount)
  b.agg(accs[5]!, VAGG.COUNT, g, -1);
  const p = runProgram(b, 12);
  const n = p.groupCount();
  const keys = p.groupKeys();
  const out: bigint[] = new Array(12 * 6).fill(0n);
  for (let a = 0; a < 6; a++) {
    const r = p.acc(accs[a]!, n);
    for (let gi = 0; gi < n; gi++) out[Number(keys[gi]!) * 6 + a] = a === 5 ? r.count[gi]! : i128(r.a[gi]!, r.b[gi]!);
  }
  p.free();
  return out;
}
function q1Ts(): bigint[] {
  const totals: bigint[] = new Array(12 * 6).fill(0n);
  const part = new Float64Array(12 * 6);
  for (let o = 0; o < ROWS; o += 1024) {
    const end = Math.min(ROWS, o + 1024);
    part.fill(0);
    for (let i = o; i < end; i++) {
      if (ship[i]! > cut) continue;
      const g = ((rf[i]! + 1) + (ls[i]! + 1) * 4) * 6;
      const pr = price[i]!, di = disc[i]!;
      const dp = pr * (100 - di);
      part[g] += qty[i]!;
      part[g + 1] += pr;
      part[g + 2] += dp;
      part[g + 3] += dp * (100 + tax[i]!);
      part[g + 4] += di;
      part[g + 5]++;
    }
    for (let j = 0; j < part.length; j++) if (part[j] !== 0) totals[j] = totals[j]! + BigInt(part[j]!);
  }
  return totals;
}

/** One run: its CPU time (user + system of this process: a shared machine's preemption does not count) and result. */
function best(fn: () => unknown): { ms: number; result: unknown } {
  const c0 = process.cpuUsage();
  const result = fn();
  const c = process.cpuUsage(c0);
  return { ms: (c.user + c.system) / 1000, result };
}

const rows: string[][] = [];
for (const [name, kern, ts] of [['TPC-H Q6 (4 filters, sum of a product)', q6Kernel, q6Ts], ['TPC-H Q1 (filter, 2-key group, 5 sums, count)', q1Kernel, q1Ts]] as const) {
  let kb = Infinity, tb = Infinity;
  let kr: unknown, tr: unknown;
  for (let r = 0; r < REPS; r++) {
    const a = best(kern);
    const c = best(ts);
    kb = Math.min(kb, a.ms);
    tb = Math.min(tb, c.ms);
    kr = a.result;
    tr = c.result;
  }
  if (JSON.stringify(kr, (_, v) => (typeof v === 'bigint' ? v.toString() : v)) !== JSON.stringify(tr, (_, v) => (typeof v === 'bigint' ? v.toString() : v))) {
    throw new Error(`${name}: kernel and TypeScript disagree`);
  }
  rows.push([name, `${kb.toFixed(1)} ms`, `${((kb * 1e6) / ROWS).toFixed(2)}`, `${tb.toFixed(1)} ms`, `${((tb * 1e6) / ROWS).toFixed(2)}`,
    `${(tb / kb).toFixed(2)}x`, tb / kb >= 1.2 ? 'kernel wins' : 'NOT USED (< 1.2x)']);
}
const m = machine();
console.log(`vprog micro-benchmark: ${ROWS.toLocaleString('en-US')} rows, best of ${REPS}; ${m.cpuModel} x${m.cpus}, node ${m.node}`);
table(['loop', 'kernel', 'ns/row', 'TypeScript', 'ns/row', 'speedup', 'verdict'], rows);
