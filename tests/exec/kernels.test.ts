// The executor's WebAssembly batch kernels (wasm/exec via host/engine/exec/kernels.ts)
// against plain TypeScript references on random data, NULLs, overflow and empty batches.

import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ACC, CMP, ExecKernels } from '../../host/engine/exec/kernels.ts';
import { nodePlatform } from '../../host/platform/node.ts';

let k: ExecKernels;
beforeAll(async () => {
  k = await ExecKernels.load(nodePlatform());
});

const RUNS = 150;

/** PostgreSQL float order: NaN equals NaN and sorts above everything; -0 = 0. */
function pgCmp(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number' && typeof b === 'number') {
    const na = Number.isNaN(a), nb = Number.isNaN(b);
    if (na || nb) return na && nb ? 0 : na ? 1 : -1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
function holds(op: number, c: number): boolean {
  switch (op) {
    case CMP.EQ: return c === 0;
    case CMP.NE: return c !== 0;
    case CMP.LT: return c < 0;
    case CMP.LE: return c <= 0;
    case CMP.GT: return c > 0;
    default: return c >= 0;
  }
}
function bitmap(flags: boolean[]): Uint8Array {
  const b = new Uint8Array((flags.length + 7) >> 3);
  flags.forEach((f, i) => { if (f) b[i >> 3]! |= 1 << (i & 7); });
  return b;
}

const f64Value = fc.oneof(
  fc.double({ noNaN: false }),
  fc.constantFrom(0, -0, 1, -1, NaN, Infinity, -Infinity, 2.5),
);
const i32Value = fc.oneof(fc.integer(), fc.integer({ min: -3, max: 3 }));
const i64Value = fc.oneof(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), fc.bigInt({ min: -3n, max: 3n }));

type Kind = 'i32' | 'i64' | 'f64';
const arb: Record<Kind, fc.Arbitrary<number | bigint>> = { i32: i32Value, i64: i64Value, f64: f64Value };
function column(kind: Kind, vals: Array<number | bigint>): Int32Array | BigInt64Array | Float64Array {
  if (kind === 'i32') return Int32Array.from(vals as number[]);
  if (kind === 'i64') return BigInt64Array.from(vals as bigint[]);
  return Float64Array.from(vals as number[]);
}

describe('filter kernel', () => {
  for (const kind of ['i32', 'i64', 'f64'] as Kind[]) {
    it(`${kind} column against constants, every operator, with NULLs`, () => {
      fc.assert(fc.property(
        fc.array(fc.tuple(arb[kind], fc.boolean()), { maxLength: 300 }),
        fc.integer({ min: 0, max: 6 }), arb[kind], arb[kind], fc.boolean(),
        (rows, op, c, c2, withNulls) => {
          const vals = rows.map((r) => r[0]);
          const col = column(kind, vals);
          const nulls = withNulls ? bitmap(rows.map((r) => r[1])) : null;
          const sel = new Int32Array(rows.length);
          const n = k.filter(op, col, nulls, rows.length, c, c2, sel);
          const want: number[] = [];
          // The kernel sees values as stored (f64/i32 column round trip).
          const stored = Array.from(col as ArrayLike<number | bigint>);
          const cs = kind === 'i32' ? (c as number) | 0 : c, c2s = kind === 'i32' ? (c2 as number) | 0 : c2;
          stored.forEach((v, i) => {
            if (withNulls && rows[i]![1]) return;
            const ok = op === CMP.BETWEEN ? pgCmp(v, cs) >= 0 && pgCmp(v, c2s) <= 0 : holds(op, pgCmp(v, cs));
            if (ok) want.push(i);
          });
          expect(Array.from(sel.subarray(0, n))).toEqual(want);
        }), { numRuns: RUNS });
    });
    it(`${kind} column against column`, () => {
      fc.assert(fc.property(
        fc.array(fc.tuple(arb[kind], arb[kind], fc.boolean()), { maxLength: 200 }), fc.integer({ min: 0, max: 5 }),
        (rows, op) => {
          const a = column(kind, rows.map((r) => r[0])), b = column(kind, rows.map((r) => r[1]));
          const nulls = bitmap(rows.map((r) => r[2]));
          const sel = new Int32Array(rows.length);
          const n = k.filterCols(op, a, b, nulls, rows.length, sel);
          const want = rows.map((_, i) => i).filter((i) => !rows[i]![2] && holds(op, pgCmp(a[i]!, b[i]!)));
          expect(Array.from(sel.subarray(0, n))).toEqual(want);
        }), { numRuns: RUNS });
    });
  }
  it('an empty batch selects nothing', () => {
    expect(k.filter(CMP.EQ, new Float64Array(0), null, 0, 1, 1, new Int32Array(0))).toBe(0);
  });
});

describe('hash aggregation kernels', () => {
  it('group ids: equal keys share a group, numbered in first-seen order, NULLs in one group, across batches', () => {
    fc.assert(fc.property(
      fc.array(fc.array(fc.option(fc.integer({ min: -50, max: 50 }), { freq: 8 }), { maxLength: 200 }), { maxLength: 6 }),
      fc.constantFrom('i32', 'f64int', 'i64'),
      (batches, kind) => {
        const h = k.newGroupTable();
        const seen = new Map<number | null, number>();
        try {
          for (const b of batches) {
            const vals = b.map((v) => v ?? 0);
            const col = kind === 'i32' ? Int32Array.from(vals) : kind === 'i64' ? BigInt64Array.from(vals.map(BigInt)) : Float64Array.from(vals.map((v) => v * 1e9));
            const gids = new Int32Array(b.length);
            k.groups(h, col, kind === 'f64int', bitmap(b.map((v) => v === null)), b.length, gids);
            b.forEach((v, i) => {
              if (!seen.has(v)) seen.set(v, seen.size);
              expect(gids[i]).toBe(seen.get(v));
            });
          }
          expect(k.groupCount(h)).toBe(seen.size);
          expect(k.nullGroup(h)).toBe(seen.get(null) ?? -1);
          const keys = k.groupKeys(h, 0, seen.size);
          for (const [v, g] of seen) if (v !== null) expect(keys[g]).toBe(BigInt(kind === 'f64int' ? v * 1e9 : v));
        } finally {
          k.freeGroupTable(h);
        }
      }), { numRuns: RUNS });
  });

  it('many groups (the table grows) keep their numbers', () => {
    const h = k.newGroupTable();
    const n = 50_000;
    const keys = Int32Array.from({ length: n }, (_, i) => (i * 7919) % 100_003);
    const gids = new Int32Array(n);
    k.groups(h, keys, false, null, n, gids);
    k.groups(h, keys, false, null, n, gids);
    expect(k.groupCount(h)).toBe(n);
    expect(Array.from(gids.subarray(0, 5))).toEqual([0, 1, 2, 3, 4]);
    k.freeGroupTable(h);
  });

  it('f64 sum, min, max and count per group equal the row-order TypeScript fold (bit for bit, NaN highest)', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), f64Value, fc.boolean()), { maxLength: 300 }), fc.boolean(),
      (rows, grouped) => {
        const G = grouped ? 4 : 1;
        const gids = Int32Array.from(rows.map((r) => (grouped ? r[0] : 0)));
        const vals = Float64Array.from(rows.map((r) => r[1]));
        const nulls = bitmap(rows.map((r) => r[2]));
        for (const kind of [ACC.SUM_F64, ACC.MIN_F64, ACC.MAX_F64, ACC.COUNT]) {
          const a = k.newAcc(kind);
          // Two batches, to check state carries over.
          const half = rows.length >> 1;
          k.accUpdate(a, grouped ? gids.subarray(0, half) : null, vals.subarray(0, half), false, nulls, half, G);
          const nb2 = bitmap(rows.slice(half).map((r) => r[2]));
          k.accUpdate(a, grouped ? gids.subarray(half) : null, vals.subarray(half), false, nb2, rows.length - half, G);
          const got = k.accRead(a, kind, G);
          k.freeAcc(a);
          const ref = new Array<number>(G).fill(0), cnt = new Array<number>(G).fill(0);
          rows.forEach((r, i) => {
            if (r[2]) return;
            const g = gids[i]!, v = vals[i]!;
            if (kind === ACC.SUM_F64) ref[g] += v;
            else if (kind === ACC.MIN_F64) { if (cnt[g] === 0 || pgCmp(v, ref[g]!) < 0) ref[g] = v; }
            else if (kind === ACC.MAX_F64) { if (cnt[g] === 0 || pgCmp(v, ref[g]!) > 0) ref[g] = v; }
            cnt[g]++;
          });
          expect(Array.from(got.counts, Number)).toEqual(cnt);
          if (kind !== ACC.COUNT) for (let g = 0; g < G; g++) if (cnt[g]! > 0) expect(Object.is(got.values[g], ref[g]) || got.values[g] === ref[g]).toBe(true);
        }
      }), { numRuns: RUNS });
  });

  it('i64 sum/min/max from i32, i64 and exact-integer f64 inputs; overflow is reported', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), i64Value, fc.boolean()), { maxLength: 300 }),
      fc.constantFrom('i32', 'i64', 'f64int'), fc.boolean(), fc.boolean(),
      (rows, vk, grouped, withNulls) => {
        const G = grouped ? 3 : 1;
        const raw = rows.map((r) => (vk === 'i32' ? BigInt.asIntN(32, r[1]) : vk === 'f64int' ? BigInt(Number(BigInt.asIntN(53, r[1]))) : r[1]));
        const col = vk === 'i32' ? Int32Array.from(raw.map(Number)) : vk === 'i64' ? BigInt64Array.from(raw) : Float64Array.from(raw.map(Number));
        const gids = Int32Array.from(rows.map((r) => (grouped ? r[0] : 0)));
        const nulls = withNulls ? bitmap(rows.map((r) => r[2])) : null;
        for (const kind of [ACC.SUM_I64, ACC.MIN_I64, ACC.MAX_I64]) {
          const a = k.newAcc(kind);
          const ok = k.accUpdate(a, grouped ? gids : null, col, vk === 'f64int', nulls, rows.length, G);
          const got = k.accRead(a, kind, G);
          k.freeAcc(a);
          const ref = new Array<bigint>(G).fill(0n), cnt = new Array<number>(G).fill(0);
          let overflow = false;
          raw.forEach((v, i) => {
            if (withNulls && rows[i]![2]) return;
            const g = gids[i]!;
            if (kind === ACC.SUM_I64) ref[g]! += v; // exact
            else if (kind === ACC.MIN_I64) { if (cnt[g] === 0 || v < ref[g]!) ref[g] = v; }
            else if (cnt[g] === 0 || v > ref[g]!) ref[g] = v;
            cnt[g]++;
          });
          // An exact sum out of range must be reported; a partial sum that overflows on the
          // way may be reported too (the host then takes its exact path), but a sum
          // reported fine must be exact.
          if (kind === ACC.SUM_I64) overflow = ref.some((v) => v !== BigInt.asIntN(64, v));
          if (overflow) expect(ok).toBe(false);
          if (!ok) { expect(kind).toBe(ACC.SUM_I64); continue; }
          expect(Array.from(got.counts, Number)).toEqual(cnt);
          for (let g = 0; g < G; g++) if (cnt[g]! > 0) expect(got.values[g]).toBe(ref[g]);
        }
      }), { numRuns: RUNS });
  });

  it('sum overflow regression: 2^62 + 2^62 is reported, not wrapped silently', () => {
    const a = k.newAcc(ACC.SUM_I64);
    expect(k.accUpdate(a, null, BigInt64Array.from([1n << 62n, 1n << 62n]), false, null, 2, 1)).toBe(false);
    k.freeAcc(a);
  });
});

describe('sort kernel', () => {
  for (const kind of ['i32', 'i64', 'f64'] as Kind[]) {
    it(`${kind}: the permutation equals a stable sort (asc and desc)`, () => {
      fc.assert(fc.property(fc.array(arb[kind], { maxLength: 400 }), fc.boolean(), (vals, desc) => {
        const col = column(kind, vals);
        const n = vals.length;
        const perm = new Int32Array(n);
        k.sortPerm(col, false, n, desc, perm);
        const idx = Array.from({ length: n }, (_, i) => i);
        idx.sort((a, b) => (desc ? -1 : 1) * pgCmp(col[a]!, col[b]!) || a - b);
        expect(Array.from(perm)).toEqual(idx);
      }), { numRuns: RUNS });
    });
  }
});

describe('hash join kernel', () => {
  it('pairs equal a nested loop, in probe order then build order, NULLs never match, small chunks resume', () => {
    fc.assert(fc.property(
      fc.array(fc.option(fc.integer({ min: 0, max: 20 }), { freq: 6 }), { maxLength: 150 }),
      fc.array(fc.option(fc.integer({ min: 0, max: 20 }), { freq: 6 }), { maxLength: 150 }),
      fc.integer({ min: 1, max: 7 }), fc.constantFrom('i32', 'i64', 'f64int'),
      (build, probe, chunk, kind) => {
        const col = (v: Array<number | null>): Int32Array | BigInt64Array | Float64Array => {
          const xs = v.map((x) => x ?? 0);
          return kind === 'i32' ? Int32Array.from(xs) : kind === 'i64' ? BigInt64Array.from(xs.map(BigInt)) : Float64Array.from(xs);
        };
        const h = k.newJoin();
        // Build in two pieces with row bases.
        const half = build.length >> 1;
        k.joinAdd(h, col(build.slice(0, half)), kind === 'f64int', bitmap(build.slice(0, half).map((x) => x === null)), half, 0);
        k.joinAdd(h, col(build.slice(half)), kind === 'f64int', bitmap(build.slice(half).map((x) => x === null)), build.length - half, half);
        k.joinFinish(h);
        const got: Array<[number, number]> = [];
        k.joinProbe(h, col(probe), kind === 'f64int', bitmap(probe.map((x) => x === null)), probe.length, (p, b, c) => {
          for (let i = 0; i < c; i++) got.push([p[i]!, b[i]!]);
        }, chunk);
        k.freeJoin(h);
        const want: Array<[number, number]> = [];
        probe.forEach((pv, i) => build.forEach((bv, j) => { if (pv !== null && bv !== null && pv === bv) want.push([i, j]); }));
        expect(got).toEqual(want);
      }), { numRuns: RUNS });
  });
});
