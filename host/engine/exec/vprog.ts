// Vector programs (docs/design/columnar.md): the host half of
// wasm/exec/vprog.ts. ProgramBuilder writes instruction words; VectorProgram
// owns one kernel program (registers, group table, accumulators) and reads
// its results back. The compiler from a bound Aggregate(Filter*(Scan)) plan
// is the second half of this file; the operator that runs it is ops_colagg.ts.

import { SbError, SqlState } from '../sb_error.ts';
import type { ExecKernels } from './kernels.ts';

/** Instruction codes (wasm/exec/vprog.ts VP_*). */
export const VP = {
  END: 0, LOAD32: 1, LOAD64: 2, LOAD8: 3, WIDEN: 4, I2F: 5, ARITH: 6, ARITHC: 7, FARITH: 8, FARITHC: 9,
  RANGE: 10, CMP: 11, CMPC: 12, AND: 13, OR: 14, NOT: 15, ISNULL: 16, DICTMAP: 17, SELECT: 18, FILTER: 19,
  GZERO: 20, GKEY: 21, GROUP: 22, AGG: 23, GKEYCOL: 24, SUMX: 25,
} as const;
/** Arithmetic operators: a+b, a-b, a*b, c-a (constant form only). */
export const AOP = { ADD: 0, SUB: 1, MUL: 2, RSUB: 3 } as const;
/** Comparison operators (same numbering as the filter kernels' CMP). */
export const VCMP = { EQ: 0, NE: 1, LT: 2, LE: 3, GT: 4, GE: 5, BETWEEN: 6 } as const;
/** Comparison operand types. */
export const VT = { I32: 0, I64: 1, F64: 2 } as const;
/** Accumulator kinds (wasm/exec/vprog.ts AGG_*). */
export const VAGG = { COUNT: 0, SUM128: 1, SUMF: 2, MIN64: 3, MAX64: 4, MINF: 5, MAXF: 6 } as const;

/** Registers per program (wasm/exec/vprog.ts MAX_REGS) and accumulators (MAX_ACCS). */
export const VP_MAX_REGS = 48;
export const VP_MAX_ACCS = 64;
/** Group keys below this range map through a plain array instead of a hash table. */
export const VP_DIRECT_MAX = 1 << 16;

const ST_OK = 0;
const ST_ERR_LIMIT = -6;

interface VpExports {
  memory: WebAssembly.Memory;
  exec_alloc(bytes: number): number;
  exec_free(p: number): void;
  vp_new(words: number, nacc: number, directRange: number): number;
  vp_free(h: number): void;
  vp_prog(h: number): number;
  vp_aux(h: number, bytes: number): number;
  vp_run(h: number, start: number, n: number): number;
  vp_group_count(h: number): number;
  vp_group_keys(h: number): number;
  vp_acc(h: number, a: number): number;
}

/** The vector-program exports of the exec kernel. */
export function vpExports(k: ExecKernels): VpExports {
  return k.x as unknown as VpExports;
}

const f64buf = new Float64Array(1);
const i64buf = new BigInt64Array(f64buf.buffer);

/** An i64 constant operand (a bigint, or the bits of a float). */
export type Word64 = bigint;
export function f64Bits(x: number): Word64 {
  f64buf[0] = x;
  return i64buf[0]!;
}

/**
 * Writes a program's instruction words. Constants are two words (low
 * first); column and table operands are exec-memory addresses.
 */
export class ProgramBuilder {
  readonly words: number[] = [];
  /** AGG instructions, emitted after every other one (program()): the kernel may then run a chunk's
   *  body over all its rows and, should arithmetic flag a row the WHERE dropped, rerun it compacted
   *  before any accumulator changed (wasm/exec/vprog.ts, masked chunks). */
  private readonly aggWords: number[] = [];
  private regs = 0;
  accs = 0;
  /** Host-side tables (DICTMAP) to copy into the program's own memory: [word index, bytes]. */
  readonly tables: Array<{ at: number; bytes: Uint8Array }> = [];

  reg(): number {
    if (this.regs >= VP_MAX_REGS) throw new Unsupported('too many registers');
    return this.regs++;
  }
  acc(): number {
    if (this.accs >= VP_MAX_ACCS) throw new Unsupported('too many aggregates');
    return this.accs++;
  }
  private w64(v: Word64): void {
    const u = BigInt.asUintN(64, v);
    this.words.push(Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0);
  }
  load(kind: 'i32' | 'i64' | 'u8', col: number, nulls: number): number {
    const d = this.reg();
    this.words.push(kind === 'i32' ? VP.LOAD32 : kind === 'i64' ? VP.LOAD64 : VP.LOAD8, d, col, nulls);
    return d;
  }
  widen(a: number): number {
    const d = this.reg();
    this.words.push(VP.WIDEN, d, a);
    return d;
  }
  i2f(a: number, fromI64: boolean): number {
    const d = this.reg();
    this.words.push(VP.I2F, d, a, fromI64 ? 1 : 0);
    return d;
  }
  arith(a: number, b: number, op: number): number {
    const d = this.reg();
    this.words.push(VP.ARITH, d, a, b, op);
    return d;
  }
  arithC(a: number, op: number, c: bigint): number {
    const d = this.reg();
    this.words.push(VP.ARITHC, d, a, op);
    this.w64(c);
    return d;
  }
  farith(a: number, b: number, op: number): number {
    const d = this.reg();
    this.words.push(VP.FARITH, d, a, b, op);
    return d;
  }
  farithC(a: number, op: number, c: number): number {
    const d = this.reg();
    this.words.push(VP.FARITHC, d, a, op);
    this.w64(f64Bits(c));
    return d;
  }
  range(a: number, lo: bigint, hi: bigint): void {
    this.words.push(VP.RANGE, a);
    this.w64(lo);
    this.w64(hi);
  }
  cmp(a: number, b: number, op: number, t: number): number {
    const d = this.reg();
    this.words.push(VP.CMP, d, a, b, op, t);
    return d;
  }
  cmpC(a: number, op: number, t: number, c: Word64, c2: Word64 = 0n): number {
    const d = this.reg();
    this.words.push(VP.CMPC, d, a, op, t);
    this.w64(c);
    this.w64(c2);
    return d;
  }
  and(a: number, b: number): number {
    const d = this.reg();
    this.words.push(VP.AND, d, a, b);
    return d;
  }
  or(a: number, b: number): number {
    const d = this.reg();
    this.words.push(VP.OR, d, a, b);
    return d;
  }
  not(a: number): number {
    const d = this.reg();
    this.words.push(VP.NOT, d, a);
    return d;
  }
  isNull(a: number, negate: boolean): number {
    const d = this.reg();
    this.words.push(VP.ISNULL, d, a, negate ? 1 : 0);
    return d;
  }
  /** d = table[code of a], table[nullAt] where a is NULL: 0 false, 1 true, 2 NULL. */
  dictMap(a: number, table: Uint8Array, nullAt: number): number {
    const d = this.reg();
    this.words.push(VP.DICTMAP, d, a, 0, nullAt);
    this.tables.push({ at: this.words.length - 2, bytes: table });
    return d;
  }
  select(a: number): void {
    this.words.push(VP.SELECT, a);
  }
  filter(col: number, nulls: number, op: number, t: number, c: Word64, c2: Word64 = 0n): void {
    this.words.push(VP.FILTER, col, nulls, op, t);
    this.w64(c);
    this.w64(c2);
  }
  gzero(): number {
    const d = this.reg();
    this.words.push(VP.GZERO, d);
    return d;
  }
  gkey(d: number, a: number, stride: bigint): void {
    this.words.push(VP.GKEY, d, a);
    this.w64(stride);
  }
  /** gkey straight off an I32 / DICT column. */
  gkeyCol(d: number, col: number, nulls: number, stride: bigint): void {
    this.words.push(VP.GKEYCOL, d, col, nulls);
    this.w64(stride);
  }
  group(key: number): number {
    const d = this.reg();
    this.words.push(VP.GROUP, d, key);
    return d;
  }
  agg(acc: number, kind: number, g: number, v: number): void {
    this.aggWords.push(VP.AGG, acc, kind, g, v);
  }
  /** Grouped sums of products as SUMX (fuseSums). Off by default: on TPC-H Q1 in
   *  tools/bench/vprog_micro.ts (--fuse) the fused pass measured slower than ARITH + AGG
   *  (docs/design/columnar.md, "SUMX"). */
  fuseSums = false;
  /** The whole program: the instructions, the AGGs, END (SUMX-fused when fuse). */
  program(fuse = this.fuseSums): number[] {
    if (!fuse) return [...this.words, ...this.aggWords, VP.END];
    if (this.fused === undefined) {
      const r = fuseSums(this.words, this.aggWords);
      this.fused = r.words;
      // Dictionary tables sit at word indexes of the unfused words: map them.
      for (const t of this.tables) t.at = r.moved.get(t.at) ?? t.at;
    }
    return [...this.fused];
  }
  private fused: number[] | undefined;
}

/** Instruction lengths (wasm/exec/vprog.ts opLen). */
function opLen(op: number): number {
  switch (op) {
    case VP.LOAD32: case VP.LOAD64: case VP.LOAD8: return 4;
    case VP.WIDEN: case VP.NOT: case VP.GROUP: return 3;
    case VP.I2F: case VP.AND: case VP.OR: case VP.ISNULL: return 4;
    case VP.ARITH: case VP.FARITH: case VP.DICTMAP: case VP.GKEY: case VP.AGG: return 5;
    case VP.ARITHC: case VP.FARITHC: case VP.RANGE: case VP.CMP: case VP.GKEYCOL: return 6;
    case VP.CMPC: case VP.FILTER: return 9;
    case VP.SELECT: case VP.GZERO: return 2;
    case VP.SUMX: return 15;
    default: throw new Error(`vprog: instruction ${op}`);
  }
}
/** Registers an instruction reads (at word i). */
function readsOf(w: number[], i: number): number[] {
  const op = w[i]!;
  switch (op) {
    case VP.WIDEN: case VP.I2F: case VP.ARITHC: case VP.FARITHC: case VP.CMPC: case VP.NOT: case VP.ISNULL:
    case VP.DICTMAP: case VP.GROUP:
      return [w[i + 2]!];
    case VP.ARITH: case VP.FARITH: case VP.CMP: case VP.AND: case VP.OR:
      return [w[i + 2]!, w[i + 3]!];
    case VP.RANGE: case VP.SELECT: return [w[i + 1]!];
    case VP.GKEY: return [w[i + 1]!, w[i + 2]!];
    case VP.GKEYCOL: return [w[i + 1]!];
    case VP.AGG: return [w[i + 3]!, w[i + 4]!].filter((r) => r >= 0);
    case VP.SUMX: return [w[i + 2]!, w[i + 3]!, w[i + 7]!, w[i + 11]!].filter((r) => r >= 0);
    default: return [];
  }
}

interface Factor { reg: number; neg: boolean; c: bigint }

/**
 * Grouped `AGG SUM128` over a product of up to three affine factors (c + x, c - x, x of an i64
 * register, or a constant), evaluated left to right as the ARITH / ARITHC instructions would, becomes
 * `SUMX`: the kernel folds the arithmetic into the grouped partial sums (no vector per intermediate),
 * and consecutive SUMX of one group register share a pass. Plain grouped sums become SUMX too (to
 * share that pass). ARITH / ARITHC instructions no one reads any more are dropped. `moved`: old word
 * index -> new word index of every kept word.
 */
export function fuseSums(words: number[], aggWords: number[]): { words: number[]; moved: Map<number, number> } {
  const def = new Map<number, number>(); // register -> word index of its ARITH / ARITHC
  for (let i = 0; i < words.length; i += opLen(words[i]!)) {
    const op = words[i]!;
    if (op === VP.ARITH || op === VP.ARITHC) def.set(words[i + 1]!, i);
  }
  const c64 = (i: number): bigint => BigInt.asIntN(64, (BigInt(words[i + 1]!) << 32n) | BigInt(words[i]! >>> 0));
  const chain = (r: number): Factor[] | null => {
    const i = def.get(r);
    if (i === undefined) return [{ reg: r, neg: false, c: 0n }];
    const op = words[i]!;
    const a = words[i + 2]!;
    if (op === VP.ARITH) {
      if (words[i + 4] !== AOP.MUL) return null;
      const b = words[i + 3]!;
      // One side a factor (a register, or an ARITHC +/- of one), the other a chain: chain then factor.
      const fb = factor(b);
      if (fb !== null) {
        const l = chain(a);
        return l === null ? null : [...l, fb];
      }
      const fa = factor(a);
      const l = chain(b);
      return fa === null || l === null ? null : [...l, fa];
    }
    const aop = words[i + 3]!;
    const c = c64(i + 4);
    if (aop === AOP.MUL) {
      const l = chain(a);
      return l === null ? null : [...l, { reg: -1, neg: false, c }];
    }
    const f = factor(r);
    return f === null ? null : [f];
  };
  const factor = (r: number): Factor | null => {
    const i = def.get(r);
    if (i === undefined) return { reg: r, neg: false, c: 0n };
    if (words[i] !== VP.ARITHC || def.has(words[i + 2]!)) return null;
    const x = words[i + 2]!;
    const aop = words[i + 3]!;
    const c = c64(i + 4);
    if (aop === AOP.ADD) return { reg: x, neg: false, c };
    if (aop === AOP.RSUB) return { reg: x, neg: true, c };
    if (aop === AOP.SUB && c !== I64_MIN) return { reg: x, neg: false, c: -c };
    return null;
  };
  // ARITH / ARITHC instructions a SUMX now evaluates (only those may be dropped: another one's
  // overflow flag must still be raised).
  const folded = new Set<number>();
  const mark = (r: number): void => {
    const i = def.get(r);
    if (i === undefined || folded.has(i)) return;
    folded.add(i);
    mark(words[i + 2]!);
    if (words[i] === VP.ARITH) mark(words[i + 3]!);
  };
  const aggs: number[] = [];
  for (let i = 0; i < aggWords.length; i += 5) {
    const [op, acc, kind, g, v] = aggWords.slice(i, i + 5) as [number, number, number, number, number];
    const fs = kind === VAGG.SUM128 && g >= 0 && v >= 0 ? chain(v) : null;
    if (fs === null || fs.length > 3) {
      aggs.push(op, acc, kind, g, v);
      continue;
    }
    aggs.push(VP.SUMX, acc, g);
    mark(v);
    for (let f = 0; f < 3; f++) {
      const x = fs[f];
      const u = BigInt.asUintN(64, x?.c ?? 0n);
      aggs.push(x === undefined ? -2 : x.reg, x?.neg ? 1 : 0, Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0);
    }
  }
  // Drop ARITH / ARITHC no one reads (to a fixpoint: a dropped one may have been the only reader).
  const dropped = new Set<number>();
  for (;;) {
    const used = new Set<number>();
    for (let i = 0; i < words.length; i += opLen(words[i]!)) if (!dropped.has(i)) for (const r of readsOf(words, i)) used.add(r);
    for (let i = 0; i < aggs.length; i += opLen(aggs[i]!)) for (const r of readsOf(aggs, i)) used.add(r);
    let more = false;
    for (const [r, i] of def) if (folded.has(i) && !dropped.has(i) && !used.has(r)) {
      dropped.add(i);
      more = true;
    }
    if (!more) break;
  }
  const out: number[] = [];
  const moved = new Map<number, number>();
  for (let i = 0; i < words.length; i += opLen(words[i]!)) {
    const len = opLen(words[i]!);
    if (dropped.has(i)) continue;
    for (let k = 0; k < len; k++) {
      moved.set(i + k, out.length);
      out.push(words[i + k]!);
    }
  }
  return { words: [...out, ...aggs, VP.END], moved };
}

/** The plan or a value is outside what vector programs do (the row path runs it). */
export class Unsupported extends Error {}

/** Per group: [count, a, b] of one accumulator. */
export interface AccResult {
  count: BigInt64Array;
  /** a as i64 (sums: the low word, as unsigned bits), or as f64 (float kinds). */
  a: BigInt64Array;
  af: Float64Array;
  b: BigInt64Array;
}

/** Copies the accumulator block at `p` (per group three i64 words: count, a, b) out of kernel memory. */
export function readAcc(buf: ArrayBufferLike, p: number, groups: number): AccResult {
  const raw = new BigInt64Array(buf, p, groups * 3).slice();
  const f = new Float64Array(raw.buffer);
  const count = new BigInt64Array(groups);
  const av = new BigInt64Array(groups);
  const af = new Float64Array(groups);
  const bv = new BigInt64Array(groups);
  for (let g = 0; g < groups; g++) {
    count[g] = raw[g * 3]!;
    av[g] = raw[g * 3 + 1]!;
    af[g] = f[g * 3 + 1]!;
    bv[g] = raw[g * 3 + 2]!;
  }
  return { count, a: av, af, b: bv };
}

/** What a finished program answers: the interpreter's VectorProgram and the compiled JitProgram (vprog_jit.ts). */
export interface ProgramResults {
  groupCount(): number;
  groupKeys(): BigInt64Array;
  acc(a: number, groups: number): AccResult;
}

/** A program that runs: rows [start, start + n) at a time, false on an overflow. */
export interface ProgramRunner extends ProgramResults {
  run(start: number, n: number): boolean;
  free(): void;
}

/** One compiled program loaded into the kernel. Free it with free(). */
export class VectorProgram {
  private h: number;
  private readonly x: VpExports;

  constructor(k: ExecKernels, b: ProgramBuilder, directRange: number) {
    this.x = vpExports(k);
    const words = b.program();
    this.h = this.x.vp_new(words.length, b.accs, directRange);
    if (this.h === 0) throw new SbError(SqlState.out_of_memory, 'exec kernel out of memory');
    for (const t of b.tables) {
      const p = this.x.vp_aux(this.h, t.bytes.length);
      if (p === 0) {
        this.free();
        throw new SbError(SqlState.out_of_memory, 'exec kernel out of memory');
      }
      new Uint8Array(this.x.memory.buffer, p, t.bytes.length).set(t.bytes);
      words[t.at] = p;
    }
    new Int32Array(this.x.memory.buffer, this.x.vp_prog(this.h), words.length).set(words);
  }

  /** Runs rows [start, start + n); false on an overflow (the caller takes the row path). */
  run(start: number, n: number): boolean {
    const st = this.x.vp_run(this.h, start, n);
    if (st === ST_ERR_LIMIT) return false;
    if (st !== ST_OK) throw new SbError(st === -1 ? SqlState.out_of_memory : SqlState.internal_error, `exec kernel: vector program failed (${st})`);
    return true;
  }

  groupCount(): number {
    return this.x.vp_group_count(this.h);
  }
  groupKeys(): BigInt64Array {
    const n = this.groupCount();
    return new BigInt64Array(this.x.memory.buffer, this.x.vp_group_keys(this.h), n).slice();
  }
  /** Accumulator a over `groups` groups. */
  acc(a: number, groups: number): AccResult {
    return readAcc(this.x.memory.buffer, this.x.vp_acc(this.h, a), groups);
  }

  free(): void {
    if (this.h !== 0) this.x.vp_free(this.h);
    this.h = 0;
  }
}

/** The exact i128 sum held as (low word bits, high word). */
export function i128(lo: bigint, hi: bigint): bigint {
  return (hi << 64n) + BigInt.asUintN(64, lo);
}

// ---------------------------------------------------------------------------
// The compiler: a bound Aggregate(Filter*(Scan t)) plan -> a vector program.
//
// Which plans: no grouping sets; GROUP BY plain columns cached as DICT or I32;
// aggregates count(*), count(x), sum/avg of integers and numerics, sum of
// float8, min/max of integers, numerics, dates, timestamps and float8 (no
// DISTINCT, FILTER or ORDER BY); the scan a full one ('seq'). Expressions:
// column references, constants (any column-free, non-volatile expression,
// evaluated once), + - * on integers (int2/int4 results checked against
// their range), numerics (scales as PostgreSQL's numeric: max for + and -,
// the sum for *) and float8, the comparisons, AND/OR/NOT, IS [NOT] NULL,
// and casts between integer types, integer -> numeric and integer -> float8.
// A boolean expression over one text column (comparisons, LIKE, IN, any
// function) is evaluated once per dictionary string by the ordinary
// expression evaluator and becomes a DICTMAP table. Anything else throws
// Unsupported and the row path runs.

import type { AggCall, Expr, Plan } from '../plan/nodes.ts';
import type { SqlType } from '../types/types.ts';
import { Numeric } from '../types/numeric.ts';
import { int8 } from '../functions/int_math.ts';
import type { ExecContext } from './context.ts';
import { compileExpr, type CompileEnv } from './expr.ts';

/** Column vector kinds (colcache.ts COLKIND). */
export const CK = { I32: 0, I64: 1, F64: 2, DICT: 3, BOOL: 4 } as const;

/** A column as the cache gives it (colcache.ts ColumnVector). */
export interface VecColumn {
  kind: number;
  ptr: number;
  nulls: number;
  scale: number;
  dict?: string[];
  sqlType: SqlType;
}
export interface VecSource {
  rows: number;
  column(attno: number): VecColumn | null;
}

/** The plan pieces a program is compiled from. */
export interface AggShape {
  tableOid: number;
  /** Scan output position -> attribute number. */
  attnums: number[];
  /** Conjuncts of the WHERE (scan filter and Filter nodes). */
  preds: Expr[];
  groups: Expr[];
  aggs: AggCall[];
  /** Attribute numbers the program reads. */
  needed: number[];
}

const AGG_FNS = new Set(['count', 'sum', 'avg', 'min', 'max']);

function conjuncts(e: Expr, out: Expr[]): void {
  if (e.k === 'and') for (const a of e.args) conjuncts(a, out);
  else out.push(e);
}

/** Column positions an expression reads; null when it holds something never evaluated here. */
function columnsOf(e: Expr, out: Set<number>): boolean {
  switch (e.k) {
    case 'col':
      out.add(e.index);
      return true;
    case 'const':
    case 'param':
      return true;
    case 'outer':
    case 'subquery':
    case 'sublink':
    case 'agg_ref':
    case 'nextval':
    case 'seq_call':
    case 'default':
      return false;
    case 'call':
      if (e.volatile) return false;
      return e.args.every((a) => columnsOf(a, out));
    case 'cast':
    case 'not':
    case 'is_null':
    case 'is_bool':
      return columnsOf(e.arg, out);
    case 'in_list':
      return columnsOf(e.arg, out) && e.list.every((a) => columnsOf(a, out));
    case 'case':
      return e.whens.every((w) => columnsOf(w.cond, out) && columnsOf(w.then, out)) && columnsOf(e.else, out);
    case 'array_op':
      return columnsOf(e.left, out) && columnsOf(e.right, out);
    case 'array':
      return e.elems.every((a) => columnsOf(a, out));
    case 'row':
      return e.fields.every((a) => columnsOf(a, out));
    default:
      return 'args' in e ? (e.args as Expr[]).every((a) => columnsOf(a, out)) : false;
  }
}

/** The Aggregate(Filter*(Scan)) shape of a plan, or null. Static: says nothing of values or column kinds. */
export function aggShape(plan: Plan): AggShape | null {
  if (plan.n !== 'aggregate' || plan.groupingSets) return null;
  const preds: Expr[] = [];
  let p: Plan = plan.input;
  while (p.n === 'filter') {
    conjuncts(p.pred, preds);
    p = p.input;
  }
  if (p.n !== 'scan' || p.access !== 'seq' || p.withRowKey || p.forUpdate || p.bound) return null;
  if (p.filter) conjuncts(p.filter, preds);
  const used = new Set<number>();
  for (const e of preds) if (!columnsOf(e, used)) return null;
  for (const g of plan.groups) if (g.k !== 'col') return null; else used.add(g.index);
  for (const a of plan.aggs) {
    if (!AGG_FNS.has(a.fn) || a.distinct || a.filter || (a.order && a.order.length > 0)) return null;
    if (a.star ? a.args.length !== 0 : a.args.length !== 1) return null;
    for (const x of a.args) if (!columnsOf(x, used)) return null;
  }
  const scan = p;
  return {
    tableOid: scan.tableOid, attnums: scan.attnums, preds, groups: plan.groups, aggs: plan.aggs,
    needed: [...used].sort((a, b) => a - b).map((i) => scan.attnums[i]!),
  };
}

/** How a value is held: a register of a kind, or a constant. */
type Val =
  | { t: 'i32'; reg: number; type: SqlType }
  | { t: 'i64'; reg: number; scale: number; type: SqlType }
  | { t: 'f64'; reg: number }
  | { t: 'bool'; reg: number }
  | { t: 'dict'; reg: number; col: VecColumn }
  | { t: 'const'; value: unknown; type: SqlType };

/** Output of one aggregate: how to read its accumulator. */
interface AggOut {
  acc: number;
  fn: string;
  /** The argument's SQL type (count: unused). */
  argType?: SqlType;
  /** Numerics: the scale of the i64 values. */
  scale: number;
  /** Float accumulators. */
  float: boolean;
}

export interface CompiledProgram {
  builder: ProgramBuilder;
  directRange: number;
  /** Per group key: its stride and range in the composite key, and how to turn a code back into a value. */
  keys: Array<{ stride: bigint; range: bigint; decode: (code: number) => unknown }>;
  aggs: AggOut[];
  rows: number;
}

/** Integer families: value ranges of int2/int4 results (int8 results are checked as i64). */
const INT_RANGE: Partial<Record<string, [bigint, bigint]>> = { int2: [-32768n, 32767n], int4: [-2147483648n, 2147483647n] };
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function isInt(t: SqlType): boolean {
  return t.id === 'int2' || t.id === 'int4' || t.id === 'int8';
}
/** The family of values held as i64 / i32 with one scale. */
function family(t: SqlType): 'int' | 'numeric' | 'date' | 'ts' | 'float' | 'text' | 'bool' | null {
  if (isInt(t)) return 'int';
  switch (t.id) {
    case 'numeric': return 'numeric';
    case 'date': return 'date';
    case 'timestamp':
    case 'timestamptz': return 'ts';
    case 'float8': return 'float';
    case 'text': case 'varchar': case 'bpchar': case 'name': return 'text';
    case 'bool': return 'bool';
    default: return null;
  }
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

const CMP_OPS: Record<string, number> = { '=': VCMP.EQ, '<>': VCMP.NE, '!=': VCMP.NE, '<': VCMP.LT, '<=': VCMP.LE, '>': VCMP.GT, '>=': VCMP.GE };
const FLIP: Record<number, number> = { [VCMP.EQ]: VCMP.EQ, [VCMP.NE]: VCMP.NE, [VCMP.LT]: VCMP.GT, [VCMP.LE]: VCMP.GE, [VCMP.GT]: VCMP.LT, [VCMP.GE]: VCMP.LE };

/** A constant as an exact scaled integer (and its scale), or null when it is not one. */
function exactOf(v: unknown): { coef: bigint; scale: number } | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? { coef: BigInt(v), scale: 0 } : null;
  if (typeof v === 'bigint') return { coef: v, scale: 0 };
  if (v instanceof Numeric) return v.isFinite() ? { coef: v.coef, scale: v.scale } : null;
  return null;
}

export interface CompileOptions {
  /** Evaluates a column-free expression (runtime), or null for a placeholder (EXPLAIN's static check). */
  ctx: ExecContext | null;
  env: CompileEnv;
}

/**
 * Compiles a shape over the columns of a source (throws Unsupported). With
 * opts.ctx null the source is a stand-in (kinds from the column types, no
 * dictionary) and constants are placeholders: EXPLAIN's static check.
 */
export function compileProgram(shape: AggShape, src: VecSource, opts: CompileOptions): CompiledProgram {
  const b = new ProgramBuilder();
  const ctx = opts.ctx;
  let loads = new Map<number, Val>();
  const colOf = (index: number): VecColumn => {
    const attno = shape.attnums[index];
    const c = attno === undefined ? null : src.column(attno);
    if (!c) throw new Unsupported(`column ${index} is not cached`);
    return c;
  };
  const evalConst = (e: Expr): unknown => {
    if (e.k === 'const') return e.value;
    if (ctx === null) return placeholder(e.type);
    try {
      return compileExpr(e, opts.env)({ length: 1, cols: [] }, ctx)[0];
    } catch {
      throw new Unsupported('a constant expression failed');
    }
  };
  const load = (index: number): Val => {
    const known = loads.get(index);
    if (known) return known;
    const c = colOf(index);
    let v: Val;
    switch (c.kind) {
      case CK.I32: v = { t: 'i32', reg: b.load('i32', c.ptr, c.nulls), type: c.sqlType }; break;
      case CK.I64:
        if (family(c.sqlType) === null) throw new Unsupported('column type');
        v = { t: 'i64', reg: b.load('i64', c.ptr, c.nulls), scale: c.scale, type: c.sqlType };
        break;
      case CK.F64:
        if (c.sqlType.id !== 'float8') throw new Unsupported('float4');
        v = { t: 'f64', reg: b.load('i64', c.ptr, c.nulls) };
        break;
      case CK.DICT: v = { t: 'dict', reg: b.load('i32', c.ptr, c.nulls), col: c }; break;
      case CK.BOOL: v = { t: 'bool', reg: b.load('u8', c.ptr, c.nulls) }; break;
      default: throw new Unsupported('column kind');
    }
    loads.set(index, v);
    return v;
  };

  /** An integer / numeric / timestamp value as an i64 register at `scale` (or above when it has more). */
  const asI64 = (v: Val): Extract<Val, { t: 'i64' }> => {
    if (v.t === 'i64') return v;
    if (v.t === 'i32') return { t: 'i64', reg: b.widen(v.reg), scale: 0, type: v.type };
    throw new Unsupported('not an integer');
  };
  const rescale = (v: Extract<Val, { t: 'i64' }>, scale: number): number => {
    if (scale === v.scale) return v.reg;
    if (scale - v.scale > 18) throw new Unsupported('scale');
    return b.arithC(v.reg, AOP.MUL, pow10(scale - v.scale));
  };
  const constScaled = (value: unknown, scale: number): bigint => {
    const x = exactOf(value);
    if (!x || x.scale > scale) throw new Unsupported('constant');
    const c = x.coef * pow10(scale - x.scale);
    if (c < I64_MIN || c > I64_MAX) throw new Unsupported('constant range');
    return c;
  };

  /** A boolean expression over one text column: a table over its dictionary (+ the NULL entry). */
  const dictPredicate = (e: Expr, index: number): Val => {
    const c = colOf(index);
    if (c.kind !== CK.DICT) throw new Unsupported('not a dictionary');
    const reg = (load(index) as { reg: number }).reg;
    const dict = c.dict ?? [];
    if (ctx === null) return { t: 'bool', reg: b.dictMap(reg, new Uint8Array(1), 0) };
    const cols: unknown[][] = [];
    cols[index] = [...dict, null];
    let out: unknown[];
    try {
      out = compileExpr(e, opts.env)({ length: dict.length + 1, cols }, ctx);
    } catch {
      throw new Unsupported('the predicate failed on a dictionary value');
    }
    const table = new Uint8Array(dict.length + 1);
    for (let i = 0; i <= dict.length; i++) table[i] = out[i] === true ? 1 : out[i] === false ? 0 : 2;
    return { t: 'bool', reg: b.dictMap(reg, table, dict.length) };
  };

  const val = (e: Expr): Val => {
    const cols = new Set<number>();
    if (!columnsOf(e, cols)) throw new Unsupported(`expression ${e.k}`);
    if (cols.size === 0) return { t: 'const', value: evalConst(e), type: e.type };
    if (e.k === 'col') return load(e.index);
    if (cols.size === 1 && e.type.id === 'bool') {
      const index = [...cols][0]!;
      if (colOf(index).kind === CK.DICT) return dictPredicate(e, index);
    }
    switch (e.k) {
      case 'cast': return cast(e.arg, e.type);
      case 'op': {
        const cop = CMP_OPS[e.op];
        if (cop !== undefined && e.args.length === 2) return compare(e.args[0]!, e.args[1]!, cop);
        if ((e.op === '+' || e.op === '-' || e.op === '*') && e.args.length === 2) return arith(e.op, e.args[0]!, e.args[1]!, e.type);
        if (e.op === '-' && e.args.length === 1 && family(e.type) !== 'float') {
          return arith('-', { k: 'const', type: e.type, value: 0 }, e.args[0]!, e.type);
        }
        throw new Unsupported(`operator ${e.op}`);
      }
      case 'and':
      case 'or': {
        let acc = asBool(val(e.args[0]!));
        for (let i = 1; i < e.args.length; i++) {
          const r = asBool(val(e.args[i]!));
          acc = e.k === 'and' ? b.and(acc, r) : b.or(acc, r);
        }
        return { t: 'bool', reg: acc };
      }
      case 'not': return { t: 'bool', reg: b.not(asBool(val(e.arg))) };
      case 'is_null': {
        const v = val(e.arg);
        if (v.t === 'const') throw new Unsupported('constant');
        return { t: 'bool', reg: b.isNull(v.reg, e.negate) };
      }
      default:
        throw new Unsupported(`expression ${e.k}`);
    }
  };
  const asBool = (v: Val): number => {
    if (v.t !== 'bool') throw new Unsupported('not a boolean');
    return v.reg;
  };

  const cast = (arg: Expr, to: SqlType): Val => {
    const v = val(arg);
    if (v.t === 'const') throw new Unsupported('constant cast');
    const from = v.t === 'i32' ? v.type : v.t === 'i64' ? v.type : null;
    if (from === null || !isInt(from)) {
      if (from && from.id === to.id && (to.id !== 'numeric' || to.typmod === -1)) return v;
      throw new Unsupported('cast');
    }
    if (isInt(to)) {
      const r = INT_RANGE[to.id];
      if (v.t === 'i32' && (to.id !== 'int2' || from.id === 'int2')) return { ...v, type: to };
      const w = asI64(v);
      if (r) b.range(w.reg, r[0], r[1]);
      return { ...w, type: to };
    }
    if (to.id === 'numeric' && to.typmod === -1) return { ...asI64(v), type: to };
    if (to.id === 'float8') return { t: 'f64', reg: v.t === 'i32' ? b.i2f(v.reg, false) : b.i2f(v.reg, true) };
    throw new Unsupported('cast');
  };

  const arith = (op: '+' | '-' | '*', l: Expr, r: Expr, type: SqlType): Val => {
    const fam = family(type);
    const a = val(l);
    const c = val(r);
    const aop = op === '+' ? AOP.ADD : op === '-' ? AOP.SUB : AOP.MUL;
    if (fam === 'float') {
      if (a.t === 'const' && c.t === 'f64') {
        if (typeof a.value !== 'number') throw new Unsupported('constant');
        return { t: 'f64', reg: b.farithC(c.reg, op === '-' ? AOP.RSUB : aop, a.value) };
      }
      if (a.t === 'f64' && c.t === 'const') {
        if (typeof c.value !== 'number') throw new Unsupported('constant');
        return { t: 'f64', reg: b.farithC(a.reg, aop, c.value) };
      }
      if (a.t === 'f64' && c.t === 'f64') return { t: 'f64', reg: b.farith(a.reg, c.reg, aop) };
      throw new Unsupported('float operands');
    }
    if (fam !== 'int' && fam !== 'numeric') throw new Unsupported(`arithmetic on ${type.id}`);
    const opFam = (v: Val): void => {
      const f = v.t === 'const' ? (exactOf(v.value) ? 'ok' : null) : v.t === 'i32' || v.t === 'i64' ? family(v.type) : null;
      if (f !== 'ok' && f !== 'int' && f !== 'numeric') throw new Unsupported('operand');
    };
    opFam(a);
    opFam(c);
    let out: Extract<Val, { t: 'i64' }>;
    if (op === '*') {
      if (a.t === 'const' || c.t === 'const') {
        const [k, v] = a.t === 'const' ? [a, c] : [c, a];
        const x = exactOf((k as { value: unknown }).value)!;
        const w = asI64(v);
        out = { t: 'i64', reg: b.arithC(w.reg, AOP.MUL, constScaled(x.coef, 0)), scale: w.scale + x.scale, type };
      } else {
        const wa = asI64(a), wc = asI64(c);
        out = { t: 'i64', reg: b.arith(wa.reg, wc.reg, AOP.MUL), scale: wa.scale + wc.scale, type };
      }
    } else if (a.t === 'const' || c.t === 'const') {
      const [k, v, constFirst] = a.t === 'const' ? [a, c, true] : [c, a, false];
      const x = exactOf((k as { value: unknown }).value)!;
      const w = asI64(v);
      const s = Math.max(w.scale, x.scale);
      const cv = constScaled((k as { value: unknown }).value, s);
      const reg = rescale(w, s);
      const o = op === '+' ? AOP.ADD : constFirst ? AOP.RSUB : AOP.SUB;
      out = { t: 'i64', reg: b.arithC(reg, o, cv), scale: s, type };
    } else {
      const wa = asI64(a), wc = asI64(c);
      const s = Math.max(wa.scale, wc.scale);
      out = { t: 'i64', reg: b.arith(rescale(wa, s), rescale(wc, s), aop), scale: s, type };
    }
    if (fam === 'int' && out.scale !== 0) throw new Unsupported('integer result with a scale');
    const range = INT_RANGE[type.id];
    if (range) b.range(out.reg, range[0], range[1]);
    return out;
  };

  const compare = (l: Expr, r: Expr, op: number): Val => {
    let a = val(l);
    let c = val(r);
    if (a.t === 'const') {
      [a, c] = [c, a];
      op = FLIP[op]!;
    }
    if (a.t === 'const') throw new Unsupported('constant comparison');
    if (c.t === 'const' && c.value === null) throw new Unsupported('NULL constant');
    if (a.t === 'f64') {
      if (c.t === 'f64') return { t: 'bool', reg: b.cmp(a.reg, c.reg, op, VT.F64) };
      if (c.t === 'const' && typeof c.value === 'number' && family(c.type) === 'float') return { t: 'bool', reg: b.cmpC(a.reg, op, VT.F64, f64Bits(c.value)) };
      throw new Unsupported('float comparison');
    }
    if (a.t !== 'i32' && a.t !== 'i64') throw new Unsupported('comparison operands');
    const fa = family(a.type);
    if (c.t === 'const') {
      const fc = family(c.type);
      const same = fa === fc || ((fa === 'int' || fa === 'numeric') && (fc === 'int' || fc === 'numeric'));
      if (!same || (fa !== 'int' && fa !== 'numeric' && fa !== 'date' && fa !== 'ts')) throw new Unsupported('comparison types');
      const x = exactOf(c.value);
      if (!x) throw new Unsupported('constant');
      if (a.t === 'i32' && x.scale === 0 && x.coef >= -2147483648n && x.coef <= 2147483647n) {
        return { t: 'bool', reg: b.cmpC(a.reg, op, VT.I32, x.coef) };
      }
      const w = asI64(a);
      const s = Math.max(w.scale, x.scale);
      return { t: 'bool', reg: b.cmpC(rescale(w, s), op, VT.I64, constScaled(c.value, s)) };
    }
    if (c.t !== 'i32' && c.t !== 'i64') throw new Unsupported('comparison operands');
    const fc = family(c.type);
    const same = fa === fc || ((fa === 'int' || fa === 'numeric') && (fc === 'int' || fc === 'numeric'));
    if (!same || (fa !== 'int' && fa !== 'numeric' && fa !== 'date' && fa !== 'ts')) throw new Unsupported('comparison types');
    if (a.t === 'i32' && c.t === 'i32') return { t: 'bool', reg: b.cmp(a.reg, c.reg, op, VT.I32) };
    const wa = asI64(a), wc = asI64(c);
    const s = Math.max(wa.scale, wc.scale);
    return { t: 'bool', reg: b.cmp(rescale(wa, s), rescale(wc, s), op, VT.I64) };
  };

  // 1. The WHERE, conjunct by conjunct: a comparison of a column with a constant filters the
  //    column directly (SIMD while the chunk is whole); anything else is computed and selected on.
  for (const e of shape.preds) {
    if (!directFilter(e)) {
      const v = val(e);
      if (v.t === 'const') {
        if (v.value === true) continue;
        throw new Unsupported('constant WHERE');
      }
      b.select(asBool(v));
    }
    loads = new Map(); // registers do not survive a selection
  }

  function directFilter(e: Expr): boolean {
    if (e.k !== 'op' || e.args.length !== 2 || CMP_OPS[e.op] === undefined) return false;
    let [l, r] = e.args as [Expr, Expr];
    let op = CMP_OPS[e.op]!;
    if (l.k !== 'col') {
      [l, r] = [r, l];
      op = FLIP[op]!;
    }
    if (l.k !== 'col') return false;
    const rc = new Set<number>();
    if (!columnsOf(r, rc) || rc.size > 0) return false;
    const c = colOf(l.index);
    const fa = family(c.sqlType);
    const value = evalConst(r);
    if (value === null) return false;
    const fr = family(r.type);
    if (c.kind === CK.F64) {
      if (c.sqlType.id !== 'float8' || fr !== 'float' || typeof value !== 'number') return false;
      b.filter(c.ptr, c.nulls, op, VT.F64, f64Bits(value));
      return true;
    }
    if (c.kind !== CK.I32 && c.kind !== CK.I64) return false;
    const same = fa === fr || ((fa === 'int' || fa === 'numeric') && (fr === 'int' || fr === 'numeric'));
    if (!same || (fa !== 'int' && fa !== 'numeric' && fa !== 'date' && fa !== 'ts')) return false;
    const x = exactOf(value);
    if (!x || x.scale > c.scale) return false;
    const k = x.coef * pow10(c.scale - x.scale);
    if (c.kind === CK.I32) {
      if (k < -2147483648n || k > 2147483647n) return false;
      b.filter(c.ptr, c.nulls, op, VT.I32, k);
    } else {
      if (k < I64_MIN || k > I64_MAX) return false;
      b.filter(c.ptr, c.nulls, op, VT.I64, k);
    }
    return true;
  }

  // 2. Group numbers from the key columns (a composite key, mixed radix).
  const keys: CompiledProgram['keys'] = [];
  let gid = -1;
  let directRange = 0;
  if (shape.groups.length > 0) {
    const key = b.gzero();
    let stride = 1n;
    for (const g of shape.groups) {
      const index = (g as { index: number }).index;
      const c = colOf(index);
      let range: bigint;
      let decode: (code: number) => unknown;
      if (c.kind === CK.DICT) {
        const dict = c.dict ?? [];
        range = BigInt(dict.length + 1);
        decode = (code) => dict[code]!;
      } else if (c.kind === CK.I32) {
        range = (1n << 32n) + 1n;
        decode = (code) => code | 0;
      } else throw new Unsupported('group key kind');
      b.gkeyCol(key, c.ptr, c.nulls, stride);
      keys.push({ stride, range, decode });
      stride *= range;
      if (stride > 1n << 62n) throw new Unsupported('group key too wide');
    }
    directRange = stride <= BigInt(VP_DIRECT_MAX) ? Number(stride) : 0;
    gid = b.group(key);
  }

  // 3. The aggregates. Two that accumulate the same register the same way (sum(x) and avg(x),
  //    count(*) twice) share one accumulator.
  const aggs: AggOut[] = [];
  const shared = new Map<string, number>();
  const accFor = (kind: number, v: number): { acc: number; fresh: boolean } => {
    const key = `${kind}:${v}`;
    const known = shared.get(key);
    if (known !== undefined) return { acc: known, fresh: false };
    const acc = b.acc();
    shared.set(key, acc);
    return { acc, fresh: true };
  };
  const aggOf = (kind: number, v: number): number => {
    const { acc, fresh } = accFor(kind, v);
    if (fresh) b.agg(acc, kind, gid, v);
    return acc;
  };
  for (const a of shape.aggs) {
    if (a.star) {
      aggs.push({ acc: aggOf(VAGG.COUNT, -1), fn: 'count', scale: 0, float: false });
      continue;
    }
    const arg = a.args[0]!;
    const v = val(arg);
    if (a.fn === 'count') {
      if (v.t === 'const' && v.value === null) throw new Unsupported('count(NULL)');
      aggs.push({ acc: aggOf(VAGG.COUNT, v.t === 'const' ? -1 : v.reg), fn: 'count', scale: 0, float: false });
      continue;
    }
    if (v.t === 'const' || v.t === 'bool' || v.t === 'dict') throw new Unsupported('aggregate argument');
    const fam = family(arg.type);
    if (v.t === 'f64') {
      if (a.fn === 'avg' || fam !== 'float') throw new Unsupported('avg(float8)');
      const kind = a.fn === 'sum' ? VAGG.SUMF : a.fn === 'min' ? VAGG.MINF : VAGG.MAXF;
      aggs.push({ acc: aggOf(kind, v.reg), fn: a.fn, argType: arg.type, scale: 0, float: true });
      continue;
    }
    if ((a.fn === 'sum' || a.fn === 'avg') && fam !== 'int' && fam !== 'numeric') throw new Unsupported(`${a.fn}(${arg.type.id})`);
    if (fam !== 'int' && fam !== 'numeric' && fam !== 'date' && fam !== 'ts') throw new Unsupported(`${a.fn}(${arg.type.id})`);
    const w = asI64(v);
    const kind = a.fn === 'sum' || a.fn === 'avg' ? VAGG.SUM128 : a.fn === 'min' ? VAGG.MIN64 : VAGG.MAX64;
    aggs.push({ acc: aggOf(kind, w.reg), fn: a.fn, argType: arg.type, scale: w.scale, float: false });
  }
  return { builder: b, directRange, keys, aggs, rows: src.rows };
}

function placeholder(t: SqlType): unknown {
  switch (family(t)) {
    case 'int': case 'date': case 'ts': return 0;
    case 'numeric': return Numeric.ZERO;
    case 'float': return 0.5;
    case 'text': return '';
    case 'bool': return true;
    default: return 0;
  }
}

/** A stand-in source for the static check: each column as the cache would hold it, by type. */
export function typeSource(types: Map<number, SqlType>, kindOf: (t: SqlType) => number | null): VecSource {
  return {
    rows: 0,
    column(attno) {
      const t = types.get(attno);
      const kind = t ? kindOf(t) : null;
      if (!t || kind === null) return null;
      const scale = t.id === 'numeric' && t.typmod >= 4 ? (t.typmod - 4) & 0xffff : 0;
      return { kind, ptr: 0, nulls: 0, scale, dict: [], sqlType: t };
    },
  };
}

/** Runs nothing: reads a finished program's groups and accumulators into the Aggregate's output columns. */
export function programOutput(c: CompiledProgram, p: ProgramResults, grouped: boolean): unknown[][] {
  let groups = p.groupCount();
  const cols: unknown[][] = [];
  const keys = p.groupKeys();
  for (const k of c.keys) {
    const col: unknown[] = new Array(groups);
    for (let g = 0; g < groups; g++) {
      const code = Number((keys[g]! / k.stride) % k.range);
      col[g] = code === 0 ? null : k.decode(code - 1);
    }
    cols.push(col);
  }
  // No GROUP BY and no row: the one group, empty.
  const empty = !grouped && groups === 0;
  if (empty) groups = 1;
  for (const a of c.aggs) {
    const col: unknown[] = new Array(groups);
    const r = empty ? null : p.acc(a.acc, groups);
    for (let g = 0; g < groups; g++) {
      const n = r === null ? 0n : r.count[g]!;
      if (a.fn === 'count') {
        col[g] = Number(n);
        continue;
      }
      if (n === 0n) {
        col[g] = null;
        continue;
      }
      if (a.float) {
        col[g] = r!.af[g]!;
        continue;
      }
      const t = a.argType!;
      if (a.fn === 'sum' || a.fn === 'avg') {
        const total = i128(r!.a[g]!, r!.b[g]!);
        if (a.fn === 'sum' && (t.id === 'int2' || t.id === 'int4')) col[g] = int8(total);
        else {
          const sum = Numeric.raw(total, a.scale).add(Numeric.ZERO);
          col[g] = a.fn === 'sum' ? sum : sum.div(Numeric.fromInt(Number(n)));
        }
        continue;
      }
      const v = r!.a[g]!;
      if (t.id === 'numeric') col[g] = Numeric.raw(v, a.scale);
      else if (t.id === 'int8') col[g] = int8(v);
      else col[g] = Number(v);
    }
    cols.push(col);
  }
  return cols;
}
