// The vector-program kernel (wasm/exec/vprog.ts through host/engine/exec/vprog.ts)
// against plain TypeScript references: column vectors allocated and filled
// here in exec-kernel memory, several 1,024-row chunks, NULLs, overflow.

import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExecKernels } from '../../host/engine/exec/kernels.ts';
import { AOP, i128, ProgramBuilder, VAGG, VCMP, VectorProgram, VT, vpExports, f64Bits } from '../../host/engine/exec/vprog.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { fillVector } from './vprog_vectors.ts';

let k: ExecKernels;
beforeAll(async () => {
  k = await ExecKernels.load(nodePlatform());
});

type Kind = 'i32' | 'i64' | 'f64' | 'u8';
interface Vec { ptr: number; nulls: number }
const owned: number[] = [];

/** A column vector in exec memory (NULL slots hold 0, as the column cache writes them). */
function vec(kind: Kind, vals: Array<number | bigint | null>): Vec {
  return fillVector(k, owned, kind, vals);
}

function run(b: ProgramBuilder, n: number, directRange = 0, slice = n): VectorProgram & { ok: boolean } {
  const p = new VectorProgram(k, b, directRange) as VectorProgram & { ok: boolean };
  p.ok = true;
  for (let s = 0; s < n && p.ok; s += slice) p.ok = p.run(s, Math.min(slice, n - s));
  return p;
}

const cmpHolds = (op: number, c: number): boolean =>
  op === VCMP.EQ ? c === 0 : op === VCMP.NE ? c !== 0 : op === VCMP.LT ? c < 0 : op === VCMP.LE ? c <= 0 : op === VCMP.GT ? c > 0 : c >= 0;
const cmpOf = (a: number | bigint, b: number | bigint): number => (a < b ? -1 : a > b ? 1 : 0);

describe('vector program kernel', () => {
  it('filters (dense then sparse) and sums exactly over several chunks, with NULLs', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.option(fc.integer({ min: -50, max: 50 }), { nil: null }), fc.option(fc.bigInt({ min: -(1n << 62n), max: 1n << 62n }), { nil: null })), { minLength: 0, maxLength: 3000 }),
      fc.integer({ min: 0, max: 6 }), fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 }),
      fc.integer({ min: 0, max: 5 }), fc.bigInt({ min: -(1n << 61n), max: 1n << 61n }),
      (rows, op1, c1, c2, op2, c3) => {
        const a = vec('i32', rows.map((r) => r[0]));
        const bcol = vec('i64', rows.map((r) => r[1]));
        const b = new ProgramBuilder();
        b.filter(a.ptr, a.nulls, op1, VT.I32, BigInt(c1), BigInt(c2));
        b.filter(bcol.ptr, bcol.nulls, op2, VT.I64, c3);
        const v = b.load('i64', bcol.ptr, bcol.nulls);
        const cnt = b.acc();
        const sum = b.acc();
        const cntV = b.acc();
        b.agg(cnt, VAGG.COUNT, -1, -1);
        b.agg(sum, VAGG.SUM128, -1, v);
        b.agg(cntV, VAGG.COUNT, -1, v);
        const p = run(b, rows.length, 0, 1500);
        expect(p.ok).toBe(true);
        let n = 0, s = 0n;
        for (const [x, y] of rows) {
          if (x === null || y === null) continue;
          const pass1 = op1 === VCMP.BETWEEN ? x >= c1 && x <= c2 : cmpHolds(op1, cmpOf(x, c1));
          if (!pass1 || !cmpHolds(op2, cmpOf(y, c3))) continue;
          n++;
          s += y;
        }
        const groups = p.groupCount();
        if (groups === 0) expect(n).toBe(0);
        else {
          expect(Number(p.acc(cnt, 1).count[0])).toBe(n);
          const r = p.acc(sum, 1);
          expect(i128(r.a[0]!, r.b[0]!)).toBe(s);
          expect(Number(r.count[0])).toBe(n);
          expect(Number(p.acc(cntV, 1).count[0])).toBe(n);
        }
        p.free();
      }), { numRuns: 60 });
  });

  it('i128 sums of values near 2^62 do not overflow; min and max', () => {
    const n = 5000;
    const vals = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -1n : 1n) * ((1n << 62n) - BigInt(i)));
    const col = vec('i64', vals);
    const b = new ProgramBuilder();
    const v = b.load('i64', col.ptr, 0);
    const [s, mn, mx] = [b.acc(), b.acc(), b.acc()];
    b.agg(s, VAGG.SUM128, -1, v);
    b.agg(mn, VAGG.MIN64, -1, v);
    b.agg(mx, VAGG.MAX64, -1, v);
    const p = run(b, n);
    const r = p.acc(s, 1);
    expect(i128(r.a[0]!, r.b[0]!)).toBe(vals.reduce((x, y) => x + y, 0n));
    expect(p.acc(mn, 1).a[0]).toBe(vals.reduce((x, y) => (y < x ? y : x)));
    expect(p.acc(mx, 1).a[0]).toBe(vals.reduce((x, y) => (y > x ? y : x)));
    p.free();
  });

  it('checked i64 arithmetic: exact results, and overflow reported instead of wrapping', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), fc.bigInt({ min: -(1n << 40n), max: 1n << 40n })), { minLength: 1, maxLength: 1200 }),
      fc.integer({ min: 0, max: 2 }),
      (rows, op) => {
        const a = vec('i64', rows.map((r) => r[0]));
        const c = vec('i64', rows.map((r) => r[1]));
        const b = new ProgramBuilder();
        const r = b.arith(b.load('i64', a.ptr, 0), b.load('i64', c.ptr, 0), op);
        const s = b.acc();
        b.agg(s, VAGG.SUM128, -1, r);
        const p = run(b, rows.length);
        const exact = rows.map(([x, y]) => (op === AOP.ADD ? x + y : op === AOP.SUB ? x - y : x * y));
        const over = exact.some((e) => e < -(1n << 63n) || e >= 1n << 63n);
        expect(p.ok).toBe(!over);
        if (!over) {
          const res = p.acc(s, 1);
          expect(i128(res.a[0]!, res.b[0]!)).toBe(exact.reduce((x, y) => x + y, 0n));
        }
        p.free();
      }), { numRuns: 80 });
    // 2^32 * 2^31 fits; 2^32 * 2^31 * 2 does not.
    const a = vec('i64', [1n << 32n, -(1n << 32n)]);
    const b = new ProgramBuilder();
    const m = b.arithC(b.load('i64', a.ptr, 0), AOP.MUL, 1n << 31n);
    b.arithC(m, AOP.MUL, 2n);
    expect(run(b, 2).ok).toBe(false);
    const b2 = new ProgramBuilder();
    const m2 = b2.arithC(b2.load('i64', a.ptr, 0), AOP.MUL, 1n << 30n);
    const r2 = b2.arithC(m2, AOP.RSUB, 5n);
    const s2 = b2.acc();
    b2.agg(s2, VAGG.MIN64, -1, r2);
    const p2 = run(b2, 2);
    expect(p2.ok).toBe(true);
    expect(p2.acc(s2, 1).a[0]).toBe(5n - (1n << 62n));
    p2.free();
  });

  it('RANGE flags int4 results outside int4', () => {
    const a = vec('i32', [2147483647, 1]);
    const b = new ProgramBuilder();
    const r = b.arithC(b.widen(b.load('i32', a.ptr, 0)), AOP.ADD, 1n);
    b.range(r, -(1n << 31n), (1n << 31n) - 1n);
    expect(run(b, 2).ok).toBe(false);
  });

  it('three-valued AND / OR / NOT / IS NULL, and SELECT on the result', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.option(fc.integer({ min: 0, max: 9 }), { nil: null }), fc.option(fc.integer({ min: 0, max: 9 }), { nil: null })), { maxLength: 2500 }),
      fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 3 }),
      (rows, c1, c2, shape) => {
        const a = vec('i32', rows.map((r) => r[0]));
        const c = vec('i32', rows.map((r) => r[1]));
        const b = new ProgramBuilder();
        const x = b.cmpC(b.load('i32', a.ptr, a.nulls), VCMP.LT, VT.I32, BigInt(c1));
        const y = b.cmpC(b.load('i32', c.ptr, c.nulls), VCMP.GE, VT.I32, BigInt(c2));
        let e: number;
        if (shape === 0) e = b.and(x, y);
        else if (shape === 1) e = b.or(x, y);
        else if (shape === 2) e = b.not(b.or(x, b.not(y)));
        else e = b.or(b.isNull(b.load('i32', a.ptr, a.nulls), false), y);
        b.select(e);
        const cnt = b.acc();
        b.agg(cnt, VAGG.COUNT, -1, -1);
        const p = run(b, rows.length);
        type B = boolean | null;
        const and = (u: B, v: B): B => (u === false || v === false ? false : u === null || v === null ? null : true);
        const or = (u: B, v: B): B => (u === true || v === true ? true : u === null || v === null ? null : false);
        const not = (u: B): B => (u === null ? null : !u);
        let n = 0;
        for (const [u, v] of rows) {
          const px: B = u === null ? null : u < c1;
          const py: B = v === null ? null : v >= c2;
          const r = shape === 0 ? and(px, py) : shape === 1 ? or(px, py) : shape === 2 ? not(or(px, not(py))) : or(u === null, py);
          if (r === true) n++;
        }
        expect(p.groupCount() === 0 ? 0 : Number(p.acc(cnt, 1).count[0])).toBe(n);
        p.free();
      }), { numRuns: 60 });
  });

  it('groups by two dictionary columns (direct and hashed) with NULL keys, sums and counts per group', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }), fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }), fc.option(fc.bigInt({ min: -(1n << 50n), max: 1n << 50n }), { nil: null })), { maxLength: 3000 }),
      fc.boolean(),
      (rows, direct) => {
        const g1 = vec('i32', rows.map((r) => r[0]));
        const g2 = vec('i32', rows.map((r) => r[1]));
        const v = vec('i64', rows.map((r) => r[2]));
        const b = new ProgramBuilder();
        const key = b.gzero();
        if (direct) {
          b.gkey(key, b.load('i32', g1.ptr, g1.nulls), 1n);
          b.gkey(key, b.load('i32', g2.ptr, g2.nulls), 5n);
        } else {
          // Straight off the columns (GKEYCOL).
          b.gkeyCol(key, g1.ptr, g1.nulls, 1n);
          b.gkeyCol(key, g2.ptr, g2.nulls, 5n);
        }
        const gid = b.group(key);
        const val = b.load('i64', v.ptr, v.nulls);
        const [cs, s, cv] = [b.acc(), b.acc(), b.acc()];
        b.agg(cs, VAGG.COUNT, gid, -1);
        b.agg(s, VAGG.SUM128, gid, val);
        b.agg(cv, VAGG.COUNT, gid, val);
        const p = run(b, rows.length, direct ? 20 : 0);
        const expected = new Map<bigint, { n: number; s: bigint; c: number }>();
        for (const [x, y, z] of rows) {
          const kk = BigInt(x === null ? 0 : x + 1) + 5n * BigInt(y === null ? 0 : y + 1);
          const e = expected.get(kk) ?? { n: 0, s: 0n, c: 0 };
          e.n++;
          if (z !== null) { e.s += z; e.c++; }
          expected.set(kk, e);
        }
        const groups = p.groupCount();
        expect(groups).toBe(expected.size);
        const keys = p.groupKeys();
        const rc = p.acc(cs, groups), rs = p.acc(s, groups), rv = p.acc(cv, groups);
        for (let g = 0; g < groups; g++) {
          const e = expected.get(keys[g]!)!;
          expect(Number(rc.count[g])).toBe(e.n);
          expect(i128(rs.a[g]!, rs.b[g]!)).toBe(e.s);
          expect(Number(rv.count[g])).toBe(e.c);
        }
        p.free();
      }), { numRuns: 50 });
  });

  it('dictionary maps, float arithmetic, float sums in row order, float overflow, NaN order in min/max', () => {
    const n = 2100;
    const codes = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i % 4));
    const fl = Array.from({ length: n }, (_, i) => (i === 5 ? NaN : i % 11 === 0 ? null : (i * 0.37) - 300));
    const cc = vec('i32', codes);
    const ff = vec('f64', fl);
    const b = new ProgramBuilder();
    const m = b.dictMap(b.load('i32', cc.ptr, cc.nulls), Uint8Array.from([1, 0, 2, 1, 2]), 4);
    b.select(m);
    const x = b.farithC(b.load('i64', ff.ptr, ff.nulls), AOP.MUL, 1.5);
    const [s, mn, mx] = [b.acc(), b.acc(), b.acc()];
    b.agg(s, VAGG.SUMF, -1, x);
    b.agg(mn, VAGG.MINF, -1, x);
    b.agg(mx, VAGG.MAXF, -1, x);
    const p = run(b, n);
    let sum = 0, c = 0, lo = Infinity, hasNaN = false;
    for (let i = 0; i < n; i++) {
      const code = codes[i];
      if (code === null || !(code === 0 || code === 3)) continue;
      const v = fl[i];
      if (v === null || v === undefined) continue;
      const y = v * 1.5;
      sum += y;
      c++;
      if (Number.isNaN(y)) hasNaN = true;
      else lo = Math.min(lo, y);
    }
    const r = p.acc(s, 1);
    expect(Number(r.count[0])).toBe(c);
    expect(Object.is(r.af[0], sum)).toBe(true);
    expect(p.acc(mn, 1).af[0]).toBe(lo);
    expect(Number.isNaN(p.acc(mx, 1).af[0]!)).toBe(hasNaN);
    p.free();
    const big = vec('f64', [1e308, 1e308]);
    const b2 = new ProgramBuilder();
    b2.farith(b2.load('i64', big.ptr, 0), b2.load('i64', big.ptr, 0), AOP.ADD);
    expect(run(b2, 2).ok).toBe(false);
    const b3 = new ProgramBuilder();
    const s3 = b3.acc();
    b3.agg(s3, VAGG.SUMF, -1, b3.load('i64', big.ptr, 0));
    expect(run(b3, 2).ok).toBe(false);
    // A float compared as a constant (CMPC with f64 bits): NaN equals NaN.
    const b4 = new ProgramBuilder();
    b4.select(b4.cmpC(b4.load('i64', ff.ptr, ff.nulls), VCMP.EQ, VT.F64, f64Bits(NaN)));
    const c4 = b4.acc();
    b4.agg(c4, VAGG.COUNT, -1, -1);
    const p4 = run(b4, n);
    expect(Number(p4.acc(c4, 1).count[0])).toBe(1);
    p4.free();
  });
  it('masked chunks (the WHERE keeps most rows): grouped sums, counts, min/max and float sums equal a row-by-row reference', () => {
    type Row = [number, number | null, number | null, bigint | null, bigint, number | null];
    fc.assert(fc.property(
      fc.array(fc.tuple(
        fc.integer({ min: 0, max: 99 }), fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }), fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
        fc.option(fc.bigInt({ min: -(1n << 50n), max: 1n << 50n }), { nil: null }), fc.bigInt({ min: -(1n << 30n), max: 1n << 30n }),
        fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null })), { maxLength: 3500 }) as fc.Arbitrary<Row[]>,
      fc.integer({ min: 30, max: 100 }), fc.boolean(), fc.integer({ min: 1, max: 3000 }),
      (rows, cut, direct, slice) => {
        const f = vec('i32', rows.map((r) => r[0]));
        const g1 = vec('i32', rows.map((r) => r[1]));
        const g2 = vec('i32', rows.map((r) => r[2]));
        const a = vec('i64', rows.map((r) => r[3]));
        const bv = vec('i64', rows.map((r) => r[4]));
        const cv = vec('f64', rows.map((r) => (r[5] === null ? null : r[5] / 8)));
        const b = new ProgramBuilder();
        b.filter(f.ptr, 0, VCMP.LT, VT.I32, BigInt(cut));
        const key = b.gzero();
        b.gkeyCol(key, g1.ptr, g1.nulls, 1n);
        b.gkeyCol(key, g2.ptr, g2.nulls, 5n);
        const gid = b.group(key);
        const la = b.load('i64', a.ptr, a.nulls), lb = b.load('i64', bv.ptr, 0), lc = b.load('i64', cv.ptr, cv.nulls);
        const t = b.arith(la, lb, AOP.ADD);
        const u = b.arithC(lb, AOP.MUL, 3n);
        const w = b.arith(b.arithC(lb, AOP.RSUB, 7n), u, AOP.MUL);
        const accs = Array.from({ length: 10 }, () => b.acc());
        b.agg(accs[0]!, VAGG.COUNT, gid, -1);
        b.agg(accs[1]!, VAGG.SUM128, gid, lb);
        b.agg(accs[2]!, VAGG.SUM128, gid, u);
        b.agg(accs[3]!, VAGG.SUM128, gid, w);
        b.agg(accs[4]!, VAGG.SUM128, gid, la);
        b.agg(accs[5]!, VAGG.SUM128, gid, t);
        b.agg(accs[6]!, VAGG.COUNT, gid, la);
        b.agg(accs[7]!, VAGG.MIN64, gid, la);
        b.agg(accs[8]!, VAGG.MAX64, gid, lb);
        b.agg(accs[9]!, VAGG.SUMF, gid, lc);
        const p = run(b, rows.length, direct ? 20 : 0, slice);
        expect(p.ok).toBe(true);
        interface E { n: number; sb: bigint; su: bigint; sw: bigint; sa: bigint; st: bigint; ca: number; mn: bigint | null; mx: bigint | null; sf: number; cf: number }
        const exp = new Map<bigint, E>();
        for (const [fv, x, y, av, b0, c0] of rows) {
          if (fv >= cut) continue;
          const kk = BigInt(x === null ? 0 : x + 1) + 5n * BigInt(y === null ? 0 : y + 1);
          let e = exp.get(kk);
          if (!e) exp.set(kk, (e = { n: 0, sb: 0n, su: 0n, sw: 0n, sa: 0n, st: 0n, ca: 0, mn: null, mx: null, sf: 0, cf: 0 }));
          e.n++;
          e.sb += b0;
          e.su += b0 * 3n;
          e.sw += (7n - b0) * (b0 * 3n);
          e.mx = e.mx === null || b0 > e.mx ? b0 : e.mx;
          if (av !== null) {
            e.sa += av;
            e.st += av + b0;
            e.ca++;
            e.mn = e.mn === null || av < e.mn ? av : e.mn;
          }
          if (c0 !== null) {
            e.sf += c0 / 8;
            e.cf++;
          }
        }
        const groups = p.groupCount();
        expect(groups).toBe(exp.size);
        const keys = p.groupKeys();
        const r = accs.map((x) => p.acc(x, groups));
        for (let gi = 0; gi < groups; gi++) {
          const e = exp.get(keys[gi]!)!;
          const sum = (i: number): bigint => i128(r[i]!.a[gi]!, r[i]!.b[gi]!);
          expect(Number(r[0]!.count[gi])).toBe(e.n);
          expect([sum(1), sum(2), sum(3), sum(4), sum(5)]).toEqual([e.sb, e.su, e.sw, e.sa, e.st]);
          expect([1, 2, 3].map((i) => Number(r[i]!.count[gi]))).toEqual([e.n, e.n, e.n]);
          expect([4, 5, 6, 7].map((i) => Number(r[i]!.count[gi]))).toEqual([e.ca, e.ca, e.ca, e.ca]);
          if (e.ca > 0) expect(r[7]!.a[gi]).toBe(e.mn);
          expect(r[8]!.a[gi]).toBe(e.mx);
          expect(Number(r[9]!.count[gi])).toBe(e.cf);
          expect(r[9]!.af[gi]).toBe(e.sf);
        }
        p.free();
      }), { numRuns: 60 });
  });

  it('arithmetic that overflows only on rows the WHERE drops does not fail; on a kept row it does', () => {
    const n = 3000;
    // Every 50th row holds 2^62 and is dropped by the filter (keep = 0); x * 4 overflows there only.
    const keep = Array.from({ length: n }, (_, i) => (i % 50 === 7 ? 0 : 1));
    const xs = Array.from({ length: n }, (_, i) => (i % 50 === 7 ? 1n << 62n : BigInt(i)));
    const grp = Array.from({ length: n }, (_, i) => i % 3);
    const k = vec('i32', keep), x = vec('i64', xs), g = vec('i32', grp);
    const build = (cut: bigint): ProgramBuilder => {
      const b = new ProgramBuilder();
      b.filter(k.ptr, 0, VCMP.GE, VT.I32, cut);
      const key = b.gzero();
      b.gkeyCol(key, g.ptr, 0, 1n);
      const gid = b.group(key);
      const y = b.arithC(b.load('i64', x.ptr, 0), AOP.MUL, 4n);
      const s = b.acc(), c = b.acc();
      b.agg(s, VAGG.SUM128, gid, y);
      b.agg(c, VAGG.COUNT, gid, -1);
      return b;
    };
    const p = run(build(1n), n, 4, 1024);
    expect(p.ok).toBe(true);
    const groups = p.groupCount();
    const keys = p.groupKeys();
    const r = p.acc(0, groups), c = p.acc(1, groups);
    for (let gi = 0; gi < groups; gi++) {
      let s = 0n, m = 0;
      for (let i = 0; i < n; i++) if (keep[i] === 1 && BigInt(grp[i]! + 1) === keys[gi]) { s += xs[i]! * 4n; m++; }
      expect(i128(r.a[gi]!, r.b[gi]!)).toBe(s);
      expect(Number(c.count[gi])).toBe(m);
    }
    p.free();
    // Keep every row: the overflow is real.
    const q = run(build(0n), n, 4, 1024);
    expect(q.ok).toBe(false);
    q.free();
  });

  it('grouped sums of values of 2^53 and more (partials could overflow) stay exact', () => {
    const n = 4100;
    const vals = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? -1n : 1n) * ((1n << 62n) - BigInt(i * 977)));
    const small = Array.from({ length: n }, (_, i) => BigInt(i));
    const grp = Array.from({ length: n }, (_, i) => (i * 7) % 4);
    const v = vec('i64', vals), sm = vec('i64', small), g = vec('i32', grp);
    const b = new ProgramBuilder();
    const key = b.gzero();
    b.gkeyCol(key, g.ptr, 0, 1n);
    const gid = b.group(key);
    const lv = b.load('i64', v.ptr, 0), ls = b.load('i64', sm.ptr, 0);
    const [a0, a1, a2] = [b.acc(), b.acc(), b.acc()];
    b.agg(a0, VAGG.SUM128, gid, ls);
    b.agg(a1, VAGG.SUM128, gid, lv);
    b.agg(a2, VAGG.SUM128, gid, ls);
    const p = run(b, n, 5);
    const groups = p.groupCount();
    const keys = p.groupKeys();
    const r = [a0, a1, a2].map((x) => p.acc(x, groups));
    for (let gi = 0; gi < groups; gi++) {
      const gk = Number(keys[gi]!) - 1;
      let sv = 0n, ss = 0n, m = 0;
      for (let i = 0; i < n; i++) if (grp[i] === gk) { sv += vals[i]!; ss += small[i]!; m++; }
      expect([0, 1, 2].map((i) => i128(r[i]!.a[gi]!, r[i]!.b[gi]!))).toEqual([ss, sv, ss]);
      expect([0, 1, 2].map((i) => Number(r[i]!.count[gi]))).toEqual([m, m, m]);
    }
    p.free();
  });
  it('masked chunks with more groups than the partials take (hashed, 65-256 and above)', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.option(fc.integer({ min: 0, max: 400 }), { nil: null }), fc.option(fc.bigInt({ min: -(1n << 60n), max: 1n << 60n }), { nil: null })), { minLength: 1, maxLength: 3000 }),
      fc.integer({ min: 4, max: 10 }), fc.integer({ min: 20, max: 400 }),
      (rows, cut, span) => {
        const f = vec('i32', rows.map((r) => r[0]));
        const g = vec('i32', rows.map((r) => (r[1] === null ? null : r[1] % span)));
        const v = vec('i64', rows.map((r) => r[2]));
        const b = new ProgramBuilder();
        b.filter(f.ptr, 0, VCMP.LT, VT.I32, BigInt(cut));
        const key = b.gzero();
        b.gkeyCol(key, g.ptr, g.nulls, 1n);
        const gid = b.group(key);
        const lv = b.load('i64', v.ptr, v.nulls);
        const [c, s, mn] = [b.acc(), b.acc(), b.acc()];
        b.agg(c, VAGG.COUNT, gid, -1);
        b.agg(s, VAGG.SUM128, gid, lv);
        b.agg(mn, VAGG.MIN64, gid, lv);
        const p = run(b, rows.length, 0, 1700);
        expect(p.ok).toBe(true);
        const exp = new Map<bigint, { n: number; s: bigint; c: number; mn: bigint | null }>();
        const order: bigint[] = [];
        for (const [fv, gv, x] of rows) {
          if (fv >= cut) continue;
          const kk = gv === null ? 0n : BigInt((gv % span) + 1);
          let e = exp.get(kk);
          if (!e) {
            exp.set(kk, (e = { n: 0, s: 0n, c: 0, mn: null }));
            order.push(kk);
          }
          e.n++;
          if (x !== null) {
            e.s += x;
            e.c++;
            e.mn = e.mn === null || x < e.mn ? x : e.mn;
          }
        }
        const groups = p.groupCount();
        expect([...p.groupKeys()]).toEqual(order); // first-seen order of the kept rows
        const rc = p.acc(c, groups), rs = p.acc(s, groups), rm = p.acc(mn, groups);
        for (let gi = 0; gi < groups; gi++) {
          const e = exp.get(order[gi]!)!;
          expect(Number(rc.count[gi])).toBe(e.n);
          expect(i128(rs.a[gi]!, rs.b[gi]!)).toBe(e.s);
          expect(Number(rs.count[gi])).toBe(e.c);
          if (e.c > 0) expect(rm.a[gi]).toBe(e.mn);
        }
        p.free();
      }), { numRuns: 40 });
  });
  it('masked chunks without GROUP BY: count(*), count(x), sum, min, max and float sums over the kept rows', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 19 }), fc.option(fc.bigInt({ min: -(1n << 62n), max: 1n << 62n }), { nil: null }), fc.option(fc.integer({ min: -500, max: 500 }), { nil: null })), { maxLength: 3000 }),
      fc.integer({ min: 8, max: 20 }),
      (rows, cut) => {
        const f = vec('i32', rows.map((r) => r[0]));
        const v = vec('i64', rows.map((r) => r[1]));
        const x = vec('f64', rows.map((r) => (r[2] === null ? null : r[2] / 4)));
        const b = new ProgramBuilder();
        b.filter(f.ptr, 0, VCMP.LT, VT.I32, BigInt(cut));
        const lv = b.load('i64', v.ptr, v.nulls), lx = b.load('i64', x.ptr, x.nulls);
        const accs = Array.from({ length: 6 }, () => b.acc());
        b.agg(accs[0]!, VAGG.COUNT, -1, -1);
        b.agg(accs[1]!, VAGG.COUNT, -1, lv);
        b.agg(accs[2]!, VAGG.SUM128, -1, lv);
        b.agg(accs[3]!, VAGG.MIN64, -1, lv);
        b.agg(accs[4]!, VAGG.MAX64, -1, lv);
        b.agg(accs[5]!, VAGG.SUMF, -1, lx);
        const p = run(b, rows.length, 0, 2048);
        expect(p.ok).toBe(true);
        let n = 0, c = 0, s = 0n, mn: bigint | null = null, mx: bigint | null = null, sf = 0, cf = 0;
        for (const [fv, y, z] of rows) {
          if (fv >= cut) continue;
          n++;
          if (y !== null) {
            c++;
            s += y;
            mn = mn === null || y < mn ? y : mn;
            mx = mx === null || y > mx ? y : mx;
          }
          if (z !== null) {
            sf += z / 4;
            cf++;
          }
        }
        if (p.groupCount() === 0) expect(n).toBe(0);
        else {
          const r = accs.map((a) => p.acc(a, 1));
          expect([0, 1, 2].map((i) => Number(r[i]!.count[0]))).toEqual([n, c, c]);
          expect(i128(r[2]!.a[0]!, r[2]!.b[0]!)).toBe(s);
          if (c > 0) expect([r[3]!.a[0], r[4]!.a[0]]).toEqual([mn, mx]);
          expect(Number(r[5]!.count[0])).toBe(cf);
          expect(r[5]!.af[0]).toBe(sf);
        }
        p.free();
      }), { numRuns: 50 });
  });

  it('SUMX (fused grouped sums of products) equals the unfused program and a row-by-row reference', () => {
    // Q1's shape: sum(a), sum(a * (100 - b)), sum(a * (100 - b) * (c + 100)), sum(b), count(*), grouped by
    // a small key, under a WHERE; values small (the one-pass kernel), large (row by row, exact), NULLs.
    const big = fc.bigInt({ min: -(1n << 40n), max: 1n << 40n });
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 9 }),
        fc.option(fc.oneof(fc.bigInt({ min: -20000n, max: 20000n }), big), { nil: null, freq: 20 }),
        fc.bigInt({ min: -10n, max: 110n }), fc.bigInt({ min: 0n, max: 9n })), { minLength: 0, maxLength: 3000 }),
      fc.integer({ min: 0, max: 10 }), fc.boolean(),
      (rows, cut, smallOnly) => {
        const rs = smallOnly ? rows.map((r) => [r[0], r[1], r[2] === null ? null : r[2] % 20000n, r[3], r[4]] as const) : rows;
        const key = vec('i32', rs.map((r) => r[0]));
        const f = vec('i32', rs.map((r) => r[1]));
        const a = vec('i64', rs.map((r) => r[2]));
        const bb = vec('i64', rs.map((r) => r[3]));
        const c = vec('i64', rs.map((r) => r[4]));
        const build = (fuse: boolean): { p: VectorProgram & { ok: boolean }; accs: number[] } => {
          const b = new ProgramBuilder();
          b.fuseSums = fuse;
          b.filter(f.ptr, 0, VCMP.LT, VT.I32, BigInt(cut));
          const kr = b.gzero();
          b.gkeyCol(kr, key.ptr, 0, 1n);
          const g = b.group(kr);
          const la = b.load('i64', a.ptr, a.nulls), lb = b.load('i64', bb.ptr, 0), lc = b.load('i64', c.ptr, 0);
          const dp = b.arith(la, b.arithC(lb, AOP.RSUB, 100n), AOP.MUL);
          const ch = b.arith(dp, b.arithC(lc, AOP.ADD, 100n), AOP.MUL);
          const accs = Array.from({ length: 5 }, () => b.acc());
          b.agg(accs[0]!, VAGG.SUM128, g, la);
          b.agg(accs[1]!, VAGG.SUM128, g, dp);
          b.agg(accs[2]!, VAGG.SUM128, g, ch);
          b.agg(accs[3]!, VAGG.SUM128, g, lb);
          b.agg(accs[4]!, VAGG.COUNT, g, -1);
          // Fused: four AGG (5 words) become SUMX (15 words); the four ARITH / ARITHC (22 words) are dropped.
          if (fuse) expect(b.program().length).toBe(b.program(false).length + 4 * 10 - 22);
          return { p: run(b, rs.length, 7, 1500), accs };
        };
        const read = (x: { p: VectorProgram & { ok: boolean }; accs: number[] }): Map<bigint, bigint[]> => {
          const out = new Map<bigint, bigint[]>();
          const n = x.p.groupCount();
          const keys = x.p.groupKeys();
          for (let gi = 0; gi < n; gi++) {
            const v: bigint[] = [];
            for (const a of x.accs) {
              const r = x.p.acc(a, n);
              v.push(r.count[gi]!, i128(r.a[gi]!, r.b[gi]!));
            }
            out.set(keys[gi]!, v);
          }
          x.p.free();
          return out;
        };
        const fused = build(true);
        expect(fused.p.ok).toBe(true);
        const plain = build(false);
        expect(plain.p.ok).toBe(true);
        // Row-by-row reference (key code + 1 as the kernel's key).
        const ref = new Map<bigint, bigint[]>();
        for (const [kk, ff, av, bv, cv] of rs) {
          if (ff >= cut) continue;
          const k1 = BigInt(kk) + 1n;
          if (!ref.has(k1)) ref.set(k1, new Array(10).fill(0n));
          const r = ref.get(k1)!;
          const add = (i: number, v: bigint | null): void => {
            if (v === null) return;
            r[2 * i] = r[2 * i]! + 1n;
            r[2 * i + 1] = r[2 * i + 1]! + v;
          };
          add(0, av);
          add(1, av === null ? null : av * (100n - bv));
          add(2, av === null ? null : av * (100n - bv) * (cv + 100n));
          add(3, bv);
          r[8] = r[8]! + 1n;
        }
        const got = read(fused);
        const want = read(plain);
        expect(got).toEqual(want);
        for (const [kk, v] of ref) expect(got.get(kk)!.filter((_, i) => i !== 9)).toEqual(v.filter((_, i) => i !== 9));
        expect(got.size).toBe(ref.size);
      },
    ), { numRuns: 40 });
  });

  it('SUMX flags an overflowing product (the row path then runs), as the unfused program does', () => {
    const a = vec('i64', [1n << 40n, 3n]);
    const key = vec('i32', [0, 0]);
    for (const fuse of [false, true]) {
      const b = new ProgramBuilder();
      b.fuseSums = fuse;
      const kr = b.gzero();
      b.gkeyCol(kr, key.ptr, 0, 1n);
      const g = b.group(kr);
      const la = b.load('i64', a.ptr, 0);
      const sq = b.arith(b.arith(la, la, AOP.MUL), b.arithC(la, AOP.SUB, 1n), AOP.MUL);
      const acc = b.acc();
      b.agg(acc, VAGG.SUM128, g, sq);
      expect(b.program().includes(25)).toBe(fuse);
      expect(run(b, 2, 2).ok).toBe(false);
    }
  });
});
