// Vector programs (docs/design/columnar.md): the host half of
// wasm/exec/vprog.ts. ProgramBuilder writes instruction words; VectorProgram
// owns one kernel program (registers, group table, accumulators) and reads
// its results back. The compiler from a bound Aggregate(Filter*(Scan)) plan
// is in vprog_compile.ts; the operator that runs it is ops_colagg.ts.

import { SbError, SqlState } from '../sb_error.ts';
import type { ExecKernels } from './kernels.ts';

/** Instruction codes (wasm/exec/vprog.ts VP_*). */
export const VP = {
  END: 0, LOAD32: 1, LOAD64: 2, LOAD8: 3, WIDEN: 4, I2F: 5, ARITH: 6, ARITHC: 7, FARITH: 8, FARITHC: 9,
  RANGE: 10, CMP: 11, CMPC: 12, AND: 13, OR: 14, NOT: 15, ISNULL: 16, DICTMAP: 17, SELECT: 18, FILTER: 19,
  GZERO: 20, GKEY: 21, GROUP: 22, AGG: 23,
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
  vp_alloc(bytes: number): number;
  vp_dealloc(p: number): void;
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
  /** d = table[code of a]: 0 false, 1 true, 2 NULL. */
  dictMap(a: number, table: Uint8Array): number {
    const d = this.reg();
    this.words.push(VP.DICTMAP, d, a, 0);
    this.tables.push({ at: this.words.length - 1, bytes: table });
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
  group(key: number): number {
    const d = this.reg();
    this.words.push(VP.GROUP, d, key);
    return d;
  }
  agg(acc: number, kind: number, g: number, v: number): void {
    this.words.push(VP.AGG, acc, kind, g, v);
  }
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

/** One compiled program loaded into the kernel. Free it with free(). */
export class VectorProgram {
  private h: number;
  private readonly x: VpExports;

  constructor(k: ExecKernels, b: ProgramBuilder, directRange: number) {
    this.x = vpExports(k);
    const words = [...b.words, VP.END];
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
    const p = this.x.vp_acc(this.h, a);
    const raw = new BigInt64Array(this.x.memory.buffer, p, groups * 3).slice();
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

  free(): void {
    if (this.h !== 0) this.x.vp_free(this.h);
    this.h = 0;
  }
}

/** The exact i128 sum held as (low word bits, high word). */
export function i128(lo: bigint, hi: bigint): bigint {
  return (hi << 64n) + BigInt.asUintN(64, lo);
}
