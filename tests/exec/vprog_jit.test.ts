// Vector programs compiled to WebAssembly (host/engine/exec/vprog_jit.ts)
// against a row-by-row reference written here (BigInt arithmetic, the
// instructions in program order per row) and against the interpreter kernel
// (wasm/exec/vprog.ts): random programs (filters, computed predicates, group
// keys, checked arithmetic, every aggregate kind) over random columns with
// NULLs, values near 2^53 and 2^62, NaN and infinities, empty input and
// several slices. Where the reference raises (an overflow on a row that
// reaches it), the compiled program must report it (run() false).

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExecKernels } from '../../host/engine/exec/kernels.ts';
import { AOP, f64Bits, i128, ProgramBuilder, Unsupported, VAGG, VCMP, VectorProgram, VP, VT, vpExports } from '../../host/engine/exec/vprog.ts';
import { columnBits, JIT_MAX_DIRECT, JitProgram, jitModuleBytes, vprogJit } from '../../host/engine/exec/vprog_jit.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { fillVector } from './vprog_vectors.ts';

let k: ExecKernels;
beforeAll(async () => {
  k = await ExecKernels.load(nodePlatform());
});

const owned: number[] = [];
afterEach(() => {
  const x = vpExports(k);
  for (const p of owned.splice(0)) x.exec_free(p);
});

type Kind = 'i32' | 'i64' | 'f64' | 'u8';
type Val = number | bigint | null;
interface Col { kind: Kind; ptr: number; nulls: number; vals: Val[] }
/** Reference lookup: column address -> values; null vector address -> column. */
const byAddr = new Map<number, Col>();
const byNulls = new Map<number, Col>();

function vec(kind: Kind, vals: Val[]): Col {
  const { ptr, nulls } = fillVector(k, owned, kind, vals);
  const c = { kind, ptr, nulls, vals };
  byAddr.set(ptr, c);
  if (nulls) byNulls.set(nulls, c);
  return c;
}

// ---- the row-by-row reference ----

const I64_MIN = -(1n << 63n), I64_MAX = (1n << 63n) - 1n;
const f64of = (bits: bigint): number => new Float64Array(new BigInt64Array([bits]).buffer)[0]!;
const isInf = (x: number): boolean => x === Infinity || x === -Infinity;
/** PostgreSQL's float order: NaN equal to NaN and above everything. */
function fcmp(x: number, y: number): number {
  const xn = Number.isNaN(x), yn = Number.isNaN(y);
  if (xn || yn) return xn && yn ? 0 : xn ? 1 : -1;
  return x < y ? -1 : x > y ? 1 : 0;
}
function holds(op: number, c: number, c2: number): boolean {
  switch (op) {
    case VCMP.EQ: return c === 0;
    case VCMP.NE: return c !== 0;
    case VCMP.LT: return c < 0;
    case VCMP.LE: return c <= 0;
    case VCMP.GT: return c > 0;
    case VCMP.GE: return c >= 0;
    default: return c >= 0 && c2 <= 0;
  }
}
const icmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

interface RefAcc { count: bigint; sum: bigint; v: bigint; f: number }
interface RefResult { ok: boolean; keys: bigint[]; accs: RefAcc[][] }

/** Runs program words row by row (the semantics the compiled function must have). */
function reference(words: number[], tables: Map<number, Uint8Array>, nacc: number, rows: number, grouped: boolean): RefResult {
  const c64 = (at: number): bigint => BigInt.asIntN(64, (BigInt(words[at + 1]!) << 32n) | BigInt(words[at]! >>> 0));
  const keys: bigint[] = [];
  const gidOf = new Map<bigint, number>();
  const accs: RefAcc[][] = Array.from({ length: nacc }, () => []);
  const newGroup = (key: bigint): number => {
    keys.push(key);
    for (const a of accs) a.push({ count: 0n, sum: 0n, v: 0n, f: 0 });
    return keys.length - 1;
  };
  if (!grouped && rows > 0) newGroup(0n); // (every program here has an AGG)
  const load = (addr: number, row: number): { v: bigint; n: boolean; f: number } => {
    const c = byAddr.get(addr)!;
    const x = c.vals[row];
    if (x === null) return { v: 0n, n: true, f: 0 };
    if (c.kind === 'f64') return { v: f64Bits(Number(x)), n: false, f: Number(x) };
    return { v: BigInt(x), n: false, f: 0 };
  };
  for (let row = 0; row < rows; row++) {
    const r = new Map<number, { v: bigint; n: boolean }>();
    let g = 0;
    let pc = 0;
    rowLoop: for (;;) {
      const op = words[pc]!;
      const reg = (i: number): { v: bigint; n: boolean } => r.get(words[pc + i]!)!;
      const set = (v: bigint, n: boolean): void => void r.set(words[pc + 1]!, { v: n ? 0n : v, n });
      switch (op) {
        case VP.END: break rowLoop;
        case VP.LOAD32: case VP.LOAD64: case VP.LOAD8: {
          const x = load(words[pc + 2]!, row);
          set(x.v, x.n);
          pc += 4;
          break;
        }
        case VP.WIDEN: { const a = reg(2); set(a.v, a.n); pc += 3; break; }
        case VP.I2F: { const a = reg(2); set(f64Bits(Number(a.v)), a.n); pc += 4; break; }
        case VP.ARITH: case VP.ARITHC: {
          const a = reg(2);
          const isC = op === VP.ARITHC;
          const b = isC ? { v: c64(pc + 4), n: false } : reg(3);
          const aop = words[pc + (isC ? 3 : 4)]!;
          const v = aop === AOP.ADD ? a.v + b.v : aop === AOP.SUB ? a.v - b.v : aop === AOP.MUL ? a.v * b.v : b.v - a.v;
          const n = a.n || b.n;
          if (!n && (v < I64_MIN || v > I64_MAX)) return { ok: false, keys, accs };
          set(BigInt.asIntN(64, v), n);
          pc += isC ? 6 : 5;
          break;
        }
        case VP.FARITH: case VP.FARITHC: {
          const a = reg(2);
          const isC = op === VP.FARITHC;
          const b = isC ? { v: c64(pc + 4), n: false } : reg(3);
          const aop = words[pc + (isC ? 3 : 4)]!;
          let x = f64of(a.v), y = f64of(b.v);
          if (aop === AOP.RSUB) [x, y] = [y, x];
          const v = aop === AOP.ADD ? x + y : aop === AOP.MUL ? x * y : x - y;
          const n = a.n || b.n;
          if (!n && ((isInf(v) && !isInf(x) && !isInf(y)) || (aop === AOP.MUL && v === 0 && x !== 0 && y !== 0))) return { ok: false, keys, accs };
          set(f64Bits(v), n);
          pc += isC ? 6 : 5;
          break;
        }
        case VP.RANGE: {
          const a = r.get(words[pc + 1]!)!;
          if (!a.n && (a.v < c64(pc + 2) || a.v > c64(pc + 4))) return { ok: false, keys, accs };
          pc += 6;
          break;
        }
        case VP.CMP: case VP.CMPC: case VP.FILTER: {
          let a: { v: bigint; n: boolean }, b: { v: bigint; n: boolean }, cop: number, t: number, c2 = 0n;
          if (op === VP.FILTER) {
            const x = load(words[pc + 1]!, row);
            a = x;
            b = { v: c64(pc + 5), n: false };
            c2 = c64(pc + 7);
            cop = words[pc + 3]!;
            t = words[pc + 4]!;
          } else if (op === VP.CMPC) {
            a = reg(2);
            b = { v: c64(pc + 5), n: false };
            c2 = c64(pc + 7);
            cop = words[pc + 3]!;
            t = words[pc + 4]!;
          } else {
            a = reg(2);
            b = reg(3);
            cop = words[pc + 4]!;
            t = words[pc + 5]!;
          }
          const n = a.n || b.n;
          let res: boolean;
          if (t === 2) res = holds(cop, fcmp(f64of(a.v), f64of(b.v)), fcmp(f64of(a.v), f64of(c2)));
          else if (t === 0) res = holds(cop, icmp(BigInt.asIntN(32, a.v), BigInt.asIntN(32, b.v)), icmp(BigInt.asIntN(32, a.v), BigInt.asIntN(32, c2)));
          else res = holds(cop, icmp(a.v, b.v), icmp(a.v, c2));
          if (op === VP.FILTER) {
            if (n || !res) break rowLoop;
            pc += 9;
          } else {
            set(res ? 1n : 0n, n);
            pc += op === VP.CMPC ? 9 : 6;
          }
          break;
        }
        case VP.AND: case VP.OR: {
          const a = reg(2), b = reg(3);
          const fa = !a.n && a.v === 0n, fb = !b.n && b.v === 0n;
          const ta = !a.n && a.v === 1n, tb = !b.n && b.v === 1n;
          if (op === VP.AND) set(ta && tb ? 1n : 0n, !(fa || fb) && (a.n || b.n));
          else set(ta || tb ? 1n : 0n, !(ta || tb) && (a.n || b.n));
          pc += 4;
          break;
        }
        case VP.NOT: { const a = reg(2); set(a.v === 0n ? 1n : 0n, a.n); pc += 3; break; }
        case VP.ISNULL: { const a = reg(2); set((a.n ? 1n : 0n) ^ BigInt(words[pc + 3]!), false); pc += 4; break; }
        case VP.DICTMAP: {
          const a = reg(2);
          const table = tables.get(pc + 3)!;
          const t = a.n ? table[words[pc + 4]!]! : table[Number(a.v)]!;
          set(BigInt(t & 1), t >> 1 === 1);
          pc += 5;
          break;
        }
        case VP.SELECT: {
          const a = r.get(words[pc + 1]!)!;
          if (a.n || a.v !== 1n) break rowLoop;
          pc += 2;
          break;
        }
        case VP.GZERO: set(0n, false); pc += 2; break;
        case VP.GKEY: case VP.GKEYCOL: {
          const d = r.get(words[pc + 1]!)!;
          const x = op === VP.GKEY ? reg(2) : load(words[pc + 2]!, row);
          const stride = c64(pc + (op === VP.GKEY ? 3 : 4));
          d.v += x.n ? 0n : (BigInt.asUintN(32, x.v) + 1n) * stride;
          pc += op === VP.GKEY ? 5 : 6;
          break;
        }
        case VP.GROUP: {
          const key = reg(2).v;
          let gid = gidOf.get(key);
          if (gid === undefined) gidOf.set(key, (gid = newGroup(key)));
          g = gid;
          pc += 3;
          break;
        }
        case VP.AGG: {
          const acc = accs[words[pc + 1]!]![g]!;
          const kind = words[pc + 2]!;
          const vr = words[pc + 4]!;
          pc += 5;
          if (vr < 0) {
            acc.count++;
            break;
          }
          const v = r.get(vr)!;
          if (v.n) break;
          const first = acc.count === 0n;
          acc.count++;
          if (kind === VAGG.SUM128) acc.sum += v.v;
          else if (kind === VAGG.MIN64) acc.v = first || v.v < acc.v ? v.v : acc.v;
          else if (kind === VAGG.MAX64) acc.v = first || v.v > acc.v ? v.v : acc.v;
          else if (kind === VAGG.SUMF) {
            const x = f64of(v.v);
            const s = acc.f + x;
            if (isInf(s) && !isInf(acc.f) && !isInf(x)) return { ok: false, keys, accs };
            acc.f = s;
          } else if (kind === VAGG.MINF) acc.f = first || fcmp(f64of(v.v), acc.f) < 0 ? f64of(v.v) : acc.f;
          else if (kind === VAGG.MAXF) acc.f = first || fcmp(f64of(v.v), acc.f) > 0 ? f64of(v.v) : acc.f;
          break;
        }
        default: throw new Error(`reference: instruction ${op}`);
      }
    }
  }
  return { ok: true, keys, accs };
}

// ---- random programs ----

interface Data {
  rows: number;
  c32: Val[]; // int4 with NULLs
  c64: Val[]; // i64 with NULLs, small and huge
  s64: Val[]; // i64 without NULLs, small
  d1: Val[]; // dictionary codes 0..3 with NULLs
  d2: Val[]; // dictionary codes 0..2 without NULLs
  wide: Val[]; // dictionary codes 0..199 (up to 200 groups)
  fl: Val[]; // float8 with NULLs, NaN, infinities
  bo: Val[]; // boolean with NULLs
}

const i64s = fc.oneof(
  fc.bigInt({ min: -1000n, max: 1000n }),
  fc.bigInt({ min: -(1n << 62n), max: 1n << 62n }),
  fc.constantFrom(I64_MIN, I64_MAX, (1n << 53n) - 1n, 1n << 53n, -(1n << 53n), -(1n << 53n) - 1n, 1n << 31n, -(1n << 31n), 0n),
);
const i32s = fc.oneof(fc.integer({ min: -20, max: 20 }), fc.constantFrom(2147483647, -2147483648, 65536, -65536));
const floats = fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constantFrom(NaN, Infinity, -Infinity, 1e308, -1e308, 0, -0, 5e-324));
const opt = <T>(a: fc.Arbitrary<T>, freq = 6): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq });

const dataArb: fc.Arbitrary<Data> = fc.integer({ min: 0, max: 2600 }).chain((rows) => {
  const col = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T[]> => fc.array(a, { minLength: rows, maxLength: rows });
  return fc.record({
    rows: fc.constant(rows),
    c32: col(opt(i32s)),
    c64: col(opt(i64s)),
    s64: col(fc.integer({ min: -100000, max: 100000 }).map(BigInt)),
    d1: col(opt(fc.integer({ min: 0, max: 3 }))),
    d2: col(fc.integer({ min: 0, max: 2 })),
    wide: col(fc.integer({ min: 0, max: 199 })),
    fl: col(opt(floats)),
    bo: col(opt(fc.integer({ min: 0, max: 1 }))),
  }).chain((d) => fc.record({ c32: fc.boolean(), c64: fc.boolean(), fl: fc.boolean(), bo: fc.boolean(), d1: fc.boolean() }).map((keep) => {
    // Some columns without any NULL (their loads and filters then take the paths for NULL-free vectors).
    const strip = (v: Val[]): Val[] => v.map((x) => x ?? 0);
    return { ...d, c32: keep.c32 ? d.c32 : strip(d.c32), c64: keep.c64 ? d.c64 : strip(d.c64), fl: keep.fl ? d.fl : strip(d.fl),
      bo: keep.bo ? d.bo : strip(d.bo), d1: keep.d1 ? d.d1 : strip(d.d1) };
  }));
});

/** A program as a recipe of random choices (built against the data's columns by build()). */
interface Recipe {
  filters: Array<{ col: number; op: number; c: number; c2: number }>;
  select: number; // 0 none, 1 cmp of an expression, 2 three-valued logic, 3 dictionary map
  pred: { atoms: number[]; ops: number[]; cops: number[] }; // a boolean tree (select 2, and counted by aggregate kind 10)
  group: number; // 0 none, 1 d1, 2 d1 x d2, 3 wide, 4 d2 through GKEY of a register
  exprs: Array<{ leaves: number[]; ops: number[]; consts: bigint[] }>;
  aggs: Array<{ kind: number; arg: number }>;
  slice: number;
  /** Give the JIT the i64 columns' magnitude bits (as ops_colagg.ts does): rows then run without overflow tests where the bounds allow. */
  bits: boolean;
}

const recipeArb: fc.Arbitrary<Recipe> = fc.record({
  filters: fc.array(fc.record({ col: fc.integer({ min: 0, max: 5 }), op: fc.integer({ min: 0, max: 6 }), c: fc.integer({ min: -30, max: 30 }), c2: fc.integer({ min: -30, max: 30 }) }), { maxLength: 3 }),
  select: fc.integer({ min: 0, max: 3 }),
  pred: fc.record({
    atoms: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 3 }),
    ops: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
    cops: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 4, maxLength: 4 }),
  }),
  group: fc.integer({ min: 0, max: 4 }),
  exprs: fc.array(fc.record({
    leaves: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
    ops: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 2, maxLength: 2 }),
    consts: fc.array(fc.oneof(fc.bigInt({ min: -100n, max: 100n }), i64s), { minLength: 3, maxLength: 3 }),
  }), { minLength: 1, maxLength: 2 }),
  aggs: fc.array(fc.record({ kind: fc.integer({ min: 0, max: 10 }), arg: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 6 }),
  slice: fc.constantFrom(65536, 1000, 777),
  bits: fc.boolean(),
});

interface Built { b: ProgramBuilder; direct: number; kinds: number[] }

function build(d: Data, r: Recipe): Built {
  const cols = {
    c32: vec('i32', d.c32), c64: vec('i64', d.c64), s64: vec('i64', d.s64), d1: vec('i32', d.d1), d2: vec('i32', d.d2),
    wide: vec('i32', d.wide), fl: vec('f64', d.fl), bo: vec('u8', d.bo),
  };
  const b = new ProgramBuilder();
  for (const f of r.filters) {
    const [lo, hi] = f.c <= f.c2 ? [f.c, f.c2] : [f.c2, f.c];
    if (f.col === 0) b.filter(cols.c32.ptr, cols.c32.nulls, f.op, VT.I32, BigInt(lo), BigInt(hi));
    else if (f.col === 1) b.filter(cols.c64.ptr, cols.c64.nulls, f.op, VT.I64, BigInt(lo * 40), BigInt(hi * 40));
    else if (f.col === 2) b.filter(cols.s64.ptr, 0, f.op, VT.I64, BigInt(lo * 3000), BigInt(hi * 3000));
    else if (f.col === 3) b.filter(cols.fl.ptr, cols.fl.nulls, f.op, VT.F64, f64Bits(lo % 5 === 0 ? NaN : lo * 1000), f64Bits(hi % 7 === 0 ? NaN : hi * 1000));
    else if (f.col === 4) b.filter(cols.d2.ptr, 0, f.op, VT.I32, BigInt(lo % 3), BigInt(hi % 3));
    else b.filter(cols.s64.ptr, 0, f.op, VT.I64, BigInt(lo * 5000), BigInt(hi * 5000 + 20000));
  }
  // A boolean tree: atoms of every boolean kind, combined by AND / OR, NOT now and then.
  const tree = (): number => {
    const atom = (a: number, i: number): number => {
      const cop = r.pred.cops[i % r.pred.cops.length]!;
      switch (a) {
        case 0: return b.load('u8', cols.bo.ptr, cols.bo.nulls);
        case 1: return b.cmpC(b.load('i32', cols.c32.ptr, cols.c32.nulls), cop, VT.I32, BigInt(r.pred.cops[0]! - 2));
        case 2: return b.isNull(b.load('i64', cols.c64.ptr, cols.c64.nulls), cop % 2 === 0);
        case 3: return b.dictMap(b.load('i32', cols.d1.ptr, cols.d1.nulls), new Uint8Array([1, 0, 2, 1, 2]), 4);
        case 4: {
          // Float registers on both sides, a NaN on one side only (or on both).
          const x = b.load('i64', cols.fl.ptr, cols.fl.nulls);
          const y = r.pred.cops[(i + 1) % 4]! % 2 === 0 ? b.i2f(b.load('i32', cols.c32.ptr, cols.c32.nulls), false) : b.farithC(x, AOP.MUL, -1);
          return r.pred.cops[(i + 2) % 4]! % 2 === 0 ? b.cmp(x, y, cop, VT.F64) : b.cmp(y, x, cop, VT.F64);
        }
        case 5: return b.cmp(b.load('i64', cols.c64.ptr, cols.c64.nulls), b.load('i64', cols.s64.ptr, 0), cop, VT.I64);
        default: return b.cmpC(b.load('i64', cols.fl.ptr, cols.fl.nulls), cop, VT.F64, f64Bits(r.pred.cops[(i + 1) % 4]! === 0 ? NaN : (cop - 2) * 100));
      }
    };
    let t = atom(r.pred.atoms[0]!, 0);
    for (let i = 1; i < r.pred.atoms.length; i++) {
      const x = atom(r.pred.atoms[i]!, i);
      const op = r.pred.ops[i]!;
      t = op === 0 ? b.and(t, x) : op === 1 ? b.or(t, x) : op === 2 ? b.and(b.not(t), x) : b.not(b.or(x, t));
    }
    return r.pred.ops[0] === 3 ? b.not(t) : t;
  };
  // Loads shared within a stretch between selections (as the compiler's), which keeps registers under 48.
  let known = new Map<number, number>();
  const leaf = (i: number): number => {
    const had = known.get(i);
    if (had !== undefined) return had;
    const reg = loadLeaf(i);
    known.set(i, reg);
    return reg;
  };
  const loadLeaf = (i: number): number => {
    if (i === 0) return b.widen(b.load('i32', cols.c32.ptr, cols.c32.nulls));
    if (i === 1) return b.load('i64', cols.c64.ptr, cols.c64.nulls);
    if (i === 2) return b.load('i64', cols.s64.ptr, 0);
    return b.widen(b.load('i32', cols.d2.ptr, 0));
  };
  // Expressions: left-deep chains of ARITH / ARITHC (op 0-3 with a register, 4-6 ARITHC with a constant), a RANGE now and then.
  const expr = (e: (typeof r.exprs)[number]): number => {
    let v = leaf(e.leaves[0]!);
    for (let i = 0; i < e.ops.length; i++) {
      const op = e.ops[i]!;
      if (op <= 2) v = b.arith(v, leaf(e.leaves[(i + 1) % e.leaves.length]!), op);
      else if (op <= 5) v = b.arithC(v, [AOP.ADD, AOP.RSUB, AOP.MUL][op - 3]!, e.consts[i]!);
      else b.range(v, -2147483648n, 2147483647n);
    }
    return v;
  };
  const exprs = r.exprs.map(expr);
  if (r.select === 1) b.select(b.cmpC(exprs[0]!, VCMP.GT, VT.I64, r.exprs[0]!.consts[2]!));
  else if (r.select === 2) b.select(tree());
  else if (r.select === 3) {
    const code = b.load('i32', cols.d1.ptr, cols.d1.nulls);
    b.select(b.dictMap(code, new Uint8Array([1, 0, 2, 1, 2]), 4));
  }
  // Registers loaded before a SELECT are not read after it (the compiler's rule): reload after.
  known = new Map();
  const after: number[] = r.select === 0 ? exprs : r.exprs.map(expr);
  let g = -1;
  let direct = 0;
  if (r.group > 0) {
    const key = b.gzero();
    if (r.group === 1) {
      b.gkeyCol(key, cols.d1.ptr, cols.d1.nulls, 1n);
      direct = 5;
    } else if (r.group === 2) {
      b.gkeyCol(key, cols.d1.ptr, cols.d1.nulls, 1n);
      b.gkeyCol(key, cols.d2.ptr, 0, 5n);
      direct = 20;
    } else if (r.group === 3) {
      b.gkeyCol(key, cols.wide.ptr, 0, 1n);
      direct = 201;
    } else {
      b.gkey(key, b.load('i32', cols.d1.ptr, cols.d1.nulls), 1n);
      direct = 5;
    }
    g = b.group(key);
  }
  const fl = b.load('i64', cols.fl.ptr, cols.fl.nulls);
  const pred = r.aggs.some((a) => a.kind === 10) ? tree() : -1;
  const kinds: number[] = [];
  for (const a of r.aggs) {
    const acc = b.acc();
    const v = after[a.arg % after.length]!;
    switch (a.kind) {
      case 0: b.agg(acc, VAGG.COUNT, g, -1); kinds.push(VAGG.COUNT); break;
      case 1: b.agg(acc, VAGG.COUNT, g, v); kinds.push(VAGG.COUNT); break;
      case 2: case 3: b.agg(acc, VAGG.SUM128, g, v); kinds.push(VAGG.SUM128); break;
      case 4: b.agg(acc, VAGG.MIN64, g, v); kinds.push(VAGG.MIN64); break;
      case 5: b.agg(acc, VAGG.MAX64, g, v); kinds.push(VAGG.MAX64); break;
      case 6: b.agg(acc, VAGG.SUMF, g, fl); kinds.push(VAGG.SUMF); break;
      case 7: b.agg(acc, VAGG.SUMF, g, b.farithC(fl, AOP.MUL, 1.5)); kinds.push(VAGG.SUMF); break;
      case 8: b.agg(acc, VAGG.MINF, g, b.farith(fl, b.i2f(v, true), AOP.ADD)); kinds.push(VAGG.MINF); break;
      case 9: b.agg(acc, VAGG.MAXF, g, fl); kinds.push(VAGG.MAXF); break;
      default: b.agg(acc, VAGG.COUNT, g, pred); kinds.push(VAGG.COUNT); break;
    }
  }
  return { b, direct, kinds };
}

interface Runner { run(s: number, n: number): boolean; groupCount(): number; groupKeys(): BigInt64Array; acc(a: number, g: number): import('../../host/engine/exec/vprog.ts').AccResult; free(): void }

function runAll(p: Runner, rows: number, slice: number): boolean {
  for (let s = 0; s < rows; s += slice) if (!p.run(s, Math.min(slice, rows - s))) return false;
  return true;
}

/** The program's results in the reference's shape. */
function results(p: Runner, kinds: number[]): { keys: bigint[]; accs: RefAcc[][] } {
  const n = p.groupCount();
  const keys = [...p.groupKeys()];
  const accs = kinds.map((kind, a) => {
    const r = p.acc(a, n);
    return Array.from({ length: n }, (_, g): RefAcc => {
      const count = r.count[g]!;
      const sum = kind === VAGG.SUM128 ? i128(r.a[g]!, r.b[g]!) : 0n;
      const v = (kind === VAGG.MIN64 || kind === VAGG.MAX64) && count > 0n ? r.a[g]! : 0n;
      const f = (kind === VAGG.SUMF || kind === VAGG.MINF || kind === VAGG.MAXF) && count > 0n ? r.af[g]! : 0;
      return { count, sum, v, f };
    });
  });
  return { keys, accs };
}

function normalize(kinds: number[], r: { keys: bigint[]; accs: RefAcc[][] }): unknown {
  return {
    keys: r.keys.map(String),
    accs: r.accs.map((groups, a) => groups.map((x) => {
      const kind = kinds[a]!;
      const out: unknown[] = [String(x.count)];
      if (kind === VAGG.SUM128) out.push(String(x.sum));
      if ((kind === VAGG.MIN64 || kind === VAGG.MAX64) && x.count > 0n) out.push(String(x.v));
      if ((kind === VAGG.SUMF || kind === VAGG.MINF || kind === VAGG.MAXF) && x.count > 0n) out.push(Object.is(x.f, -0) ? '-0' : String(x.f));
      return out;
    })),
  };
}

describe('vector programs compiled to WebAssembly', () => {
  it('equal a row-by-row reference and the interpreter kernel on random programs and data (NULLs, overflow, empty input, 1-200 groups)', () => {
    let compiledRuns = 0, failures = 0;
    fc.assert(fc.property(dataArb, recipeArb, (d, r) => {
      let built: Built;
      try {
        built = build(d, r);
      } catch (e) {
        // A recipe that needs more than the 48 registers of a program: not a case.
        if (e instanceof Unsupported) return fc.pre(false);
        throw e;
      }
      const { b, direct, kinds } = built;
      const words = b.program(false);
      const tables = new Map(b.tables.map((t) => [t.at, t.bytes] as [number, Uint8Array]));
      const ref = reference(words, tables, b.accs, d.rows, r.group > 0);
      const errs = vprogJit.errors;
      const bitsOf = new Map<number, number>();
      if (r.bits) for (const [addr, c] of byAddr) if (c.kind === 'i64') bitsOf.set(addr, columnBits(k, addr, d.rows));
      const jit = JitProgram.create(k, b, direct, (a) => bitsOf.get(a));
      expect(vprogJit.errors, vprogJit.lastDecline).toBe(errs);
      expect(jit, vprogJit.lastDecline).not.toBeNull();
      compiledRuns++;
      try {
        const ok = runAll(jit!, d.rows, r.slice);
        expect(ok).toBe(ref.ok);
        if (!ok) {
          failures++;
          // Sticky: a later call reports it again.
          expect(jit!.run(0, d.rows)).toBe(false);
          return;
        }
        const got = normalize(kinds, results(jit!, kinds));
        expect(got).toEqual(normalize(kinds, ref));
        const interp = new VectorProgram(k, b, direct);
        try {
          // The interpreter may flag a NULL row's overflow (its NULL slots keep 0 op x); when it runs, it agrees.
          if (runAll(interp, d.rows, r.slice)) expect(normalize(kinds, results(interp, kinds))).toEqual(got);
        } finally {
          interp.free();
        }
      } finally {
        jit!.free();
        for (const c of [...byAddr.keys()]) byAddr.delete(c);
        byNulls.clear();
        const x = vpExports(k);
        for (const p of owned.splice(0)) x.exec_free(p);
      }
    }), { numRuns: 100 });
    expect(compiledRuns).toBeGreaterThan(0);
    expect(failures).toBeLessThan(compiledRuns);
  });

  it('TPC-H Q1: exact sums of products per group, equal to the interpreter; the module is cached per program shape', () => {
    const n = 5000;
    const rows = Array.from({ length: n }, (_, i) => ({
      ship: (i * 7883) % 2526, q: 100 * (1 + (i * 31) % 50), p: (1 + (i * 31) % 50) * (90000 + (i * 7907) % 110001),
      disc: (i * 13) % 11, tax: (i * 17) % 9, rf: (i * 7883) % 2526 > 1263 ? 2 : i % 2, ls: (i * 7883) % 2526 > 1263 ? 1 : 0,
    }));
    const ship = vec('i32', rows.map((r) => r.ship)), q = vec('i64', rows.map((r) => r.q)), p = vec('i64', rows.map((r) => r.p));
    const disc = vec('i64', rows.map((r) => r.disc)), tax = vec('i64', rows.map((r) => r.tax));
    const rf = vec('i32', rows.map((r) => r.rf)), ls = vec('i32', rows.map((r) => r.ls));
    const q1 = (): ProgramBuilder => {
      const b = new ProgramBuilder();
      b.filter(ship.ptr, 0, VCMP.LE, VT.I32, 2400n);
      const key = b.gzero();
      b.gkeyCol(key, rf.ptr, 0, 1n);
      b.gkeyCol(key, ls.ptr, 0, 4n);
      const g = b.group(key);
      const qq = b.load('i64', q.ptr, 0), pr = b.load('i64', p.ptr, 0), di = b.load('i64', disc.ptr, 0), tx = b.load('i64', tax.ptr, 0);
      const dp = b.arith(pr, b.arithC(di, AOP.RSUB, 100n), AOP.MUL);
      const ch = b.arith(dp, b.arithC(tx, AOP.ADD, 100n), AOP.MUL);
      for (const v of [qq, pr, dp, ch, di]) b.agg(b.acc(), VAGG.SUM128, g, v);
      b.agg(b.acc(), VAGG.COUNT, g, -1);
      return b;
    };
    const compiled = vprogJit.compiled, hits = vprogJit.cacheHits;
    const a = JitProgram.create(k, q1(), 12)!;
    const c = JitProgram.create(k, q1(), 12)!;
    expect(vprogJit.compiled - compiled).toBeLessThanOrEqual(1);
    expect(vprogJit.cacheHits - hits).toBeGreaterThanOrEqual(1);
    const kinds = [1, 1, 1, 1, 1, 0];
    const interp = new VectorProgram(k, q1(), 12);
    expect(runAll(a, n, 65536)).toBe(true);
    expect(runAll(c, n, 999)).toBe(true);
    expect(runAll(interp, n, 65536)).toBe(true);
    const want = normalize(kinds, results(interp, kinds));
    expect(normalize(kinds, results(a, kinds))).toEqual(want);
    expect(normalize(kinds, results(c, kinds))).toEqual(want);
    // Against plain arithmetic.
    const sums = new Map<number, bigint>();
    for (const r of rows) if (r.ship <= 2400) {
      const key = (r.rf + 1) + (r.ls + 1) * 4;
      sums.set(key, (sums.get(key) ?? 0n) + BigInt(r.p) * BigInt(100 - r.disc) * BigInt(100 + r.tax));
    }
    const got = results(a, kinds);
    got.keys.forEach((key, g) => expect(got.accs[3]![g]!.sum).toBe(sums.get(Number(key))));
    a.free();
    c.free();
    interp.free();
  });

  it('columnBits: the smallest b with |x| <= 2^b for every value', () => {
    fc.assert(fc.property(fc.array(i64s, { maxLength: 300 }), (xs) => {
      const c = vec('i64', xs);
      let want = 0;
      for (const x of xs) {
        const m = x < 0n ? -x - 1n : x; // x ^ (x >> 63)
        want = Math.max(want, m === 0n ? 0 : m.toString(2).length);
      }
      const got = columnBits(k, c.ptr, xs.length);
      expect(got).toBe(want);
      for (const x of xs) expect(x < 0n ? -x : x).toBeLessThanOrEqual(1n << BigInt(got));
    }), { numRuns: 60 });
  });

  it('with the columns\' bits given: sums of values near 2^52..2^62 stay exact, products at the edge of i64 are reported', () => {
    // Sums: 2,000 equal values per column (partials of one chunk would overflow i64 above 2^52).
    for (const v of [(1n << 52n) - 1n, 1n << 52n, (1n << 52n) + 1n, 1n << 53n, 1n << 61n, -(1n << 62n)]) {
      const col = vec('i64', new Array<Val>(2000).fill(v));
      const bits = columnBits(k, col.ptr, 2000);
      for (const grouped of [false, true]) {
        const b = new ProgramBuilder();
        let g = -1;
        if (grouped) {
          const key = b.gzero();
          b.gkeyCol(key, vec('i32', new Array<Val>(2000).fill(0)).ptr, 0, 1n);
          g = b.group(key);
        }
        b.agg(b.acc(), VAGG.SUM128, g, b.load('i64', col.ptr, 0));
        const p = JitProgram.create(k, b, grouped ? 2 : 0, (a) => (a === col.ptr ? bits : undefined))!;
        expect(p.run(0, 2000)).toBe(true);
        expect(i128(p.acc(0, 1).a[0]!, p.acc(0, 1).b[0]!), `${v}`).toBe(v * 2000n);
        p.free();
      }
    }
    // Products of two columns: every pair of magnitudes around 2^31 and 2^32, each row alone.
    const mags = [(1n << 31n) - 1n, 1n << 31n, (1n << 32n) - 1n, 1n << 32n, (1n << 32n) + 1n, 3037000499n, 3037000500n, 1n << 30n];
    const xs: bigint[] = [], ys: bigint[] = [];
    for (const x of mags) for (const y of mags) for (const sx of [1n, -1n]) for (const sy of [1n, -1n]) {
      xs.push(x * sx);
      ys.push(y * sy);
    }
    const cx = vec('i64', xs), cy = vec('i64', ys);
    for (let i = 0; i < xs.length; i++) {
      const b = new ProgramBuilder();
      // max(): the product is not summed, so only its own bound decides whether it is tested.
      b.agg(b.acc(), VAGG.MAX64, -1, b.arith(b.load('i64', cx.ptr, 0), b.load('i64', cy.ptr, 0), AOP.MUL));
      const bx = columnBits(k, cx.ptr + i * 8, 1), by = columnBits(k, cy.ptr + i * 8, 1);
      const p = JitProgram.create(k, b, 0, (a) => (a === cx.ptr ? bx : a === cy.ptr ? by : undefined))!;
      const prod = xs[i]! * ys[i]!;
      const fits = prod >= I64_MIN && prod <= I64_MAX;
      expect(p.run(i, 1), `${xs[i]} * ${ys[i]}`).toBe(fits);
      if (fits) expect(p.acc(0, 1).a[0]).toBe(prod);
      p.free();
    }
    // Chains of + and -: (x + y) - z at the edges, three columns of one row (each bound grows a bit per step).
    const big = (1n << 62n) - 1n;
    for (const [x, y, z] of [[big, big, -big], [big, big, big], [-big - 1n, -big - 1n, 1n], [big, -big, big], [1n << 61n, 1n << 61n, -(1n << 62n)]] as Array<[bigint, bigint, bigint]>) {
      const cs = [vec('i64', [x]), vec('i64', [y]), vec('i64', [z])];
      const b = new ProgramBuilder();
      const [lx, ly, lz] = cs.map((c) => b.load('i64', c.ptr, 0)) as [number, number, number];
      b.agg(b.acc(), VAGG.MAX64, -1, b.arith(b.arith(lx, ly, AOP.ADD), lz, AOP.SUB));
      const bits = new Map(cs.map((c) => [c.ptr, columnBits(k, c.ptr, 1)] as [number, number]));
      const p = JitProgram.create(k, b, 0, (a) => bits.get(a))!;
      const want = x + y - z;
      const fits = x + y >= I64_MIN && x + y <= I64_MAX && want >= I64_MIN && want <= I64_MAX;
      expect(p.run(0, 1), `${x} + ${y} - ${z}`).toBe(fits);
      if (fits) expect(p.acc(0, 1).a[0]).toBe(want);
      p.free();
    }
  });

  it('checked arithmetic with a constant is exact at the edges of i64 (one row per candidate, each run alone)', () => {
    const consts = [0n, 1n, -1n, 2n, -2n, 3n, 100n, -100n, 1n << 32n, -(1n << 32n), I64_MAX, I64_MIN, I64_MIN + 1n];
    let checked = 0;
    for (const op of [AOP.ADD, AOP.SUB, AOP.RSUB, AOP.MUL]) {
      for (const c of consts) {
        const f = (x: bigint): bigint => (op === AOP.ADD ? x + c : op === AOP.SUB ? x - c : op === AOP.RSUB ? c - x : x * c);
        const fits = (x: bigint): boolean => f(x) >= I64_MIN && f(x) <= I64_MAX;
        // Candidates: the ends of i64, and around every point where fits() changes.
        const cand = new Set<bigint>([I64_MIN, I64_MIN + 1n, -1n, 0n, 1n, I64_MAX - 1n, I64_MAX]);
        for (const e of [I64_MIN - c, I64_MAX - c, I64_MIN + c, I64_MAX + c, c - I64_MAX, c - I64_MIN,
          ...(c === 0n ? [] : [I64_MIN / c, I64_MAX / c])]) {
          for (const d of [-2n, -1n, 0n, 1n, 2n]) if (e + d >= I64_MIN && e + d <= I64_MAX) cand.add(e + d);
        }
        const xs = [...cand];
        const col = vec('i64', xs);
        for (let i = 0; i < xs.length; i++) {
          const b = new ProgramBuilder();
          const v = b.arithC(b.load('i64', col.ptr, 0), op, c);
          b.agg(b.acc(), VAGG.SUM128, -1, v);
          const p = JitProgram.create(k, b, 0)!;
          expect(p.run(i, 1), `${xs[i]} op ${op} ${c}`).toBe(fits(xs[i]!));
          if (fits(xs[i]!)) expect(i128(p.acc(0, 1).a[0]!, p.acc(0, 1).b[0]!)).toBe(f(xs[i]!));
          p.free();
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('empty input: no group with GROUP BY, none created without; an overflow on a kept row is reported, on a dropped one not', () => {
    const x = vec('i64', [I64_MAX, 5n, I64_MAX]);
    const sel = vec('i32', [0, 1, 0]);
    const mk = (keepAll: boolean): ProgramBuilder => {
      const b = new ProgramBuilder();
      if (!keepAll) b.filter(sel.ptr, 0, VCMP.EQ, VT.I32, 1n);
      const v = b.arithC(b.load('i64', x.ptr, 0), AOP.ADD, 1n);
      b.agg(b.acc(), VAGG.SUM128, -1, v);
      return b;
    };
    const e = JitProgram.create(k, mk(true), 0)!;
    expect(e.run(0, 0)).toBe(true);
    expect(e.groupCount()).toBe(0);
    expect(e.run(0, 3)).toBe(false);
    e.free();
    const f = JitProgram.create(k, mk(false), 0)!;
    expect(f.run(0, 3)).toBe(true);
    expect(f.groupCount()).toBe(1);
    expect(i128(f.acc(0, 1).a[0]!, f.acc(0, 1).b[0]!)).toBe(6n);
    f.free();
  });

  it('where synchronous compilation is refused (a browser main thread), compiles in the background while the interpreter runs', async () => {
    const c = vec('i64', [1n, 2n, 3n, 4n]);
    const mk = (): ProgramBuilder => {
      const b = new ProgramBuilder();
      b.filter(c.ptr, 0, VCMP.NE, VT.I64, 987654321n); // a constant no other test uses: a program not in the cache
      b.agg(b.acc(), VAGG.SUM128, -1, b.load('i64', c.ptr, 0));
      return b;
    };
    const Sync = WebAssembly.Module;
    (WebAssembly as { Module: unknown }).Module = function refuse(): never {
      throw new RangeError('WebAssembly.Module is disallowed on the main thread');
    };
    try {
      expect(JitProgram.create(k, mk(), 0)).toBeNull();
    } finally {
      (WebAssembly as { Module: unknown }).Module = Sync;
    }
    let p: JitProgram | null = null;
    for (let i = 0; i < 200 && p === null; i++) {
      await new Promise((r) => setTimeout(r, 5));
      p = JitProgram.create(k, mk(), 0);
    }
    expect(p).not.toBeNull();
    expect(p!.run(0, 4)).toBe(true);
    expect(i128(p!.acc(0, 1).a[0]!, p!.acc(0, 1).b[0]!)).toBe(10n);
    p!.free();
  });

  it('declines what it does not compile (hashed groups, a key range above JIT_MAX_DIRECT); the module validates', () => {
    const c = vec('i32', [1, 2, 3]);
    const b = new ProgramBuilder();
    const key = b.gzero();
    b.gkeyCol(key, c.ptr, 0, 1n);
    const g = b.group(key);
    b.agg(b.acc(), VAGG.COUNT, g, -1);
    const declined = vprogJit.declined;
    expect(JitProgram.create(k, b, 0)).toBeNull();
    expect(JitProgram.create(k, b, JIT_MAX_DIRECT + 1)).toBeNull();
    expect(vprogJit.declined - declined).toBe(2);
    const bytes = jitModuleBytes(b, 4);
    expect(WebAssembly.validate(bytes as BufferSource)).toBe(true);
    vprogJit.enabled = false;
    try {
      expect(JitProgram.create(k, b, 4)).toBeNull();
    } finally {
      vprogJit.enabled = true;
    }
  });
});
