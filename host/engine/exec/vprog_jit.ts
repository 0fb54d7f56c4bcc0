// Vector programs compiled to WebAssembly (docs/design/columnar.md, "JIT"):
// a validated vector program (host/engine/exec/vprog.ts ProgramBuilder words)
// becomes ONE WebAssembly function with one loop over the rows that keeps every
// register in a local, instead of the interpreter kernel (wasm/exec/vprog.ts)
// writing each instruction's result vector to memory and reading it back.
//
// The module is written here byte by byte (no dependency): a type, the import
// of the exec kernel's memory, one function `run(ctx, start, n) -> status`, its
// export and its code. It is compiled with `new WebAssembly.Module` (a few KB;
// where synchronous compilation is refused -- a browser's main thread -- it
// compiles asynchronously and the interpreter runs until it is ready), cached
// by the program's words with addresses replaced by slot numbers (so the same
// query over the same cached columns compiles once), and instantiated against
// the kernel's Memory. The interpreter kernel stays the fallback and the
// reference: programs this compiler does not take (SUMX, a hashed group table,
// more than JIT_MAX_DIRECT group keys) run there.
//
// Semantics, row at a time: the instructions run in program order for one row;
// FILTER / SELECT leave the row when it fails, so every later instruction only
// sees rows that passed every earlier conjunct -- exactly the rows the
// interpreter's compacted registers hold. Registers are (value, null) local
// pairs; a NULL's value is 0 (results of NULL operands are zeroed, so a NULL
// row never raises an overflow flag). i64 + - * are exact (an overflow leaves
// the function with ST_ERR_LIMIT: the host takes the row path); RANGE, float
// overflow and float sum overflow as the interpreter. Grouped counts and sums
// add into per-chunk i64 partials (4 interleaved copies by row, flushed into
// the i128 accumulators every 1,024 rows: 1,024 values in [-2^53, 2^53) cannot
// overflow); a value outside that range is added straight into the i128
// accumulator (exact either way). The state block (group count, keys, direct
// group table, accumulators [count, a, b] per group as the interpreter's) is
// exec-kernel memory owned by the program.

import { SbError, SqlState } from '../sb_error.ts';
import type { ExecKernels } from './kernels.ts';
import { AOP, type AccResult, type ProgramBuilder, readAcc, VAGG, VCMP, VP, vpExports } from './vprog.ts';

/** Switches and counters (tests and benchmarks turn the JIT off to compare). */
export const vprogJit = {
  enabled: true,
  /** Programs that ran compiled. */
  programs: 0,
  /** Modules compiled, programs that found theirs in the cache, programs the JIT did not take. */
  compiled: 0,
  cacheHits: 0,
  declined: 0,
  /** Generated modules that did not validate (a bug; the interpreter ran instead). */
  errors: 0,
  lastDecline: '',
};

/** Group keys of a direct table up to this range (more: the interpreter). */
export const JIT_MAX_DIRECT = 256;
const CHUNK = 1024;
const COPIES = 4;
const ST_ERR_LIMIT = -6;
const ST_ERR_ARG = -4;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

// ---------------------------------------------------------------------------
// Binary writer.

const T_I32 = 0x7f, T_I64 = 0x7e, T_F64 = 0x7c, T_V128 = 0x7b;
type ValType = typeof T_I32 | typeof T_I64 | typeof T_F64 | typeof T_V128;

function uleb(out: number[], x: number): void {
  do {
    let b = x & 0x7f;
    x = Math.floor(x / 128);
    if (x !== 0) b |= 0x80;
    out.push(b);
  } while (x !== 0);
}
function sleb(out: number[], v: bigint): void {
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}
function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  uleb(out, body.length);
  for (const b of body) out.push(b);
}
function name(out: number[], s: string): void {
  uleb(out, s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

/** Opcodes used here. */
const O = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, br_if: 0x0d, return: 0x0f, select: 0x1b,
  get: 0x20, set: 0x21, tee: 0x22,
  i32_load: 0x28, i64_load: 0x29, f64_load: 0x2b, i32_load8_u: 0x2d, i32_store: 0x36, i64_store: 0x37, f64_store: 0x39,
  i32_const: 0x41, i64_const: 0x42, f64_const: 0x44,
  i32_eqz: 0x45, i32_eq: 0x46, i32_ne: 0x47, i32_lt_s: 0x48, i32_lt_u: 0x49, i32_gt_s: 0x4a, i32_gt_u: 0x4b, i32_le_s: 0x4c,
  i32_le_u: 0x4d, i32_ge_s: 0x4e, i32_ge_u: 0x4f,
  i64_clz: 0x79, i64_eqz: 0x50, i64_eq: 0x51, i64_ne: 0x52, i64_lt_s: 0x53, i64_lt_u: 0x54, i64_gt_s: 0x55, i64_gt_u: 0x56, i64_le_s: 0x57,
  i64_le_u: 0x58, i64_ge_s: 0x59, i64_ge_u: 0x5a,
  f64_eq: 0x61, f64_ne: 0x62, f64_lt: 0x63, f64_gt: 0x64, f64_le: 0x65, f64_ge: 0x66,
  i32_ctz: 0x68, i32_popcnt: 0x69, i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i32_and: 0x71, i32_or: 0x72, i32_xor: 0x73, i32_shl: 0x74, i32_shr_u: 0x76,
  i64_add: 0x7c, i64_sub: 0x7d, i64_mul: 0x7e, i64_div_s: 0x7f, i64_and: 0x83, i64_or: 0x84, i64_xor: 0x85, i64_shr_s: 0x87,
  f64_abs: 0x99, f64_add: 0xa0, f64_sub: 0xa1, f64_mul: 0xa2,
  i32_wrap_i64: 0xa7, i64_extend_i32_s: 0xac, i64_extend_i32_u: 0xad, f64_convert_i32_s: 0xb7, f64_convert_i64_s: 0xb9,
  i64_reinterpret_f64: 0xbd, f64_reinterpret_i64: 0xbf,
} as const;

interface Label { readonly id: number }

/** One function body: locals and code, with structured-control labels by object. */
class Fn {
  readonly code: number[] = [];
  private readonly locals: ValType[] = [];
  private readonly stack: Array<Label | null> = [];
  private nextLabel = 0;
  constructor(private readonly params: number) {}

  local(t: ValType): number {
    this.locals.push(t);
    return this.params + this.locals.length - 1;
  }
  op(...b: number[]): this {
    for (const x of b) this.code.push(x);
    return this;
  }
  get(l: number): this {
    this.code.push(O.get);
    uleb(this.code, l);
    return this;
  }
  set(l: number): this {
    this.code.push(O.set);
    uleb(this.code, l);
    return this;
  }
  tee(l: number): this {
    this.code.push(O.tee);
    uleb(this.code, l);
    return this;
  }
  i32(v: number): this {
    this.code.push(O.i32_const);
    sleb(this.code, BigInt(v | 0));
    return this;
  }
  i64(v: bigint): this {
    this.code.push(O.i64_const);
    sleb(this.code, BigInt.asIntN(64, v));
    return this;
  }
  f64(v: number): this {
    this.code.push(O.f64_const);
    const b = new Uint8Array(new Float64Array([v]).buffer);
    for (const x of b) this.code.push(x);
    return this;
  }
  /** A SIMD instruction (0xfd prefix). */
  simd(code: number): this {
    this.code.push(0xfd);
    uleb(this.code, code);
    return this;
  }
  /** v128.const of four equal i32 lanes / two equal i64 lanes. */
  v128i32(v: number): this {
    this.simd(0x0c);
    const b = new Uint8Array(new Int32Array([v, v, v, v]).buffer);
    for (const x of b) this.code.push(x);
    return this;
  }
  v128i64(v: bigint): this {
    this.simd(0x0c);
    const b = new Uint8Array(new BigInt64Array([v, v]).buffer);
    for (const x of b) this.code.push(x);
    return this;
  }
  /** A load or store with its memarg (alignment log2, constant offset). */
  mem(opcode: number, align: number, offset: number): this {
    this.code.push(opcode, align);
    uleb(this.code, offset);
    return this;
  }
  /** Opens a block / loop / if (result: a value type or none); returns its label. */
  open(kind: number, result?: ValType): Label {
    this.code.push(kind, result ?? 0x40);
    const l = { id: this.nextLabel++ };
    this.stack.push(l);
    return l;
  }
  else(): this {
    this.code.push(O.else);
    return this;
  }
  end(): this {
    this.code.push(O.end);
    this.stack.pop();
    return this;
  }
  private depth(l: Label): number {
    const i = this.stack.lastIndexOf(l);
    if (i < 0) throw new Error('vprog jit: branch to a closed label');
    return this.stack.length - 1 - i;
  }
  br(l: Label): this {
    this.code.push(O.br);
    uleb(this.code, this.depth(l));
    return this;
  }
  brIf(l: Label): this {
    this.code.push(O.br_if);
    uleb(this.code, this.depth(l));
    return this;
  }
  /** The body as the code section holds it (locals, code, end). */
  body(): number[] {
    const out: number[] = [];
    // Locals in runs of one type.
    const runs: Array<[number, ValType]> = [];
    for (const t of this.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb(out, runs.length);
    for (const [n, t] of runs) {
      uleb(out, n);
      out.push(t);
    }
    for (const b of this.code) out.push(b);
    out.push(O.end);
    return out;
  }
}

/** A module importing memory m.mem and exporting `run` (i32, i32, i32) -> i32 with this body. */
function moduleBytes(fn: Fn): Uint8Array {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  section(out, 1, [1, 0x60, 3, T_I32, T_I32, T_I32, 1, T_I32]);
  const imp: number[] = [1];
  name(imp, 'm');
  name(imp, 'mem');
  imp.push(0x02, 0x00, 0x00); // memory, no maximum, minimum 0 pages
  section(out, 2, imp);
  section(out, 3, [1, 0]);
  const exp: number[] = [1];
  name(exp, 'run');
  exp.push(0x00, 0);
  section(out, 7, exp);
  const body = fn.body();
  const code: number[] = [1];
  uleb(code, body.length);
  for (const b of body) code.push(b);
  section(out, 10, code);
  return new Uint8Array(out);
}

// ---------------------------------------------------------------------------
// Program analysis: instruction list with addresses as slots.

/** Instruction lengths (the kernel's opLen). */
function opLen(op: number): number {
  switch (op) {
    case VP.END: return 1;
    case VP.LOAD32: case VP.LOAD64: case VP.LOAD8: case VP.I2F: case VP.AND: case VP.OR: case VP.ISNULL: return 4;
    case VP.WIDEN: case VP.NOT: case VP.GROUP: return 3;
    case VP.ARITH: case VP.FARITH: case VP.DICTMAP: case VP.GKEY: case VP.AGG: return 5;
    case VP.ARITHC: case VP.FARITHC: case VP.RANGE: case VP.CMP: case VP.GKEYCOL: return 6;
    case VP.CMPC: case VP.FILTER: return 9;
    case VP.SELECT: case VP.GZERO: return 2;
    default: return 0;
  }
}
/** Word positions of address operands (relative to the instruction). */
function addrOperands(op: number): number[] {
  switch (op) {
    case VP.LOAD32: case VP.LOAD64: case VP.LOAD8: return [2, 3];
    case VP.FILTER: return [1, 2];
    case VP.GKEYCOL: return [2, 3];
    case VP.DICTMAP: return [3];
    default: return [];
  }
}

class Decline extends Error {}

interface Plan {
  /** Words with every non-zero address replaced by its slot + 1. */
  words: number[];
  /** Slot -> address (or -(table index + 1) for a DICTMAP table not in memory yet). */
  slots: number[];
  nacc: number;
  directRange: number;
  key: string;
}

function plan(b: ProgramBuilder, directRange: number): Plan {
  const words = b.program(false);
  if (directRange > JIT_MAX_DIRECT) throw new Decline(`group key range ${directRange}`);
  const tableAt = new Map<number, number>();
  b.tables.forEach((t, i) => tableAt.set(t.at, i));
  const slots: number[] = [];
  const slotOf = new Map<number, number>();
  const out = [...words];
  for (let pc = 0; pc < words.length;) {
    const op = words[pc]!;
    if (op === VP.END) break;
    const len = opLen(op);
    if (len === 0) throw new Decline(`instruction ${op}`);
    for (const k of addrOperands(op)) {
      const at = pc + k;
      let addr = words[at]!;
      if (op === VP.DICTMAP) {
        const t = tableAt.get(at);
        if (t === undefined) throw new Decline('dictionary table');
        addr = -(t + 1);
      }
      if (addr === 0) continue;
      let s = slotOf.get(addr);
      if (s === undefined) {
        s = slots.length;
        slots.push(addr);
        slotOf.set(addr, s);
      }
      out[at] = s + 1;
    }
    pc += len;
  }
  return { words: out, slots, nacc: b.accs, directRange, key: `${directRange}/${b.accs}/${out.join(',')}` };
}

// ---------------------------------------------------------------------------
// Code generation.

/** State block layout of one program (byte offsets from ctx). */
interface Layout {
  gcount: number; bad: number; ptrs: number; bits: number; keys: number; direct: number; acc: number; part: number; size: number;
  maxG: number; K: number;
}

interface Reg { wide: boolean; v: number; n: number | null }

interface Generated { fn: Fn; layout: Layout }

function generate(p: Plan): Generated {
  const w = p.words;
  const instrs: number[] = [];
  for (let pc = 0; w[pc] !== VP.END; pc += opLen(w[pc]!)) instrs.push(pc);
  const grouped = instrs.some((pc) => w[pc] === VP.GROUP);
  if (grouped && p.directRange === 0) throw new Decline('hashed group table');
  const maxG = grouped ? p.directRange : 1;
  const c64 = (at: number): bigint => BigInt.asIntN(64, (BigInt(w[at + 1]!) << 32n) | BigInt(w[at]! >>> 0));
  const fbits = (at: number): number => new Float64Array(new BigInt64Array([c64(at)]).buffer)[0]!;

  // Which registers may be NULL (statically), to size the partial slots first.
  const nullable = new Set<number>();
  for (const pc of instrs) {
    const op = w[pc]!;
    const d = w[pc + 1]!;
    const a = w[pc + 2]!;
    const bb = w[pc + 3]!;
    switch (op) {
      case VP.LOAD32: case VP.LOAD64: case VP.LOAD8: if (w[pc + 3] !== 0) nullable.add(d); break;
      case VP.WIDEN: case VP.I2F: case VP.ARITHC: case VP.FARITHC: case VP.CMPC: case VP.NOT:
        if (nullable.has(a)) nullable.add(d);
        break;
      case VP.ARITH: case VP.FARITH: case VP.CMP: case VP.AND: case VP.OR:
        if (nullable.has(a) || nullable.has(bb)) nullable.add(d);
        break;
      case VP.DICTMAP: nullable.add(d); break;
      default: break;
    }
  }
  // Partial slots: a row count per group (shared by count(*) and the counts of sums of
  // registers without NULLs), then per COUNT / SUM128 its own slots.
  interface AggInfo { pc: number; acc: number; kind: number; v: number; sumSlot: number; countSlot: number }
  const aggs: AggInfo[] = [];
  let K = 1; // slot 0: rows
  let gReg = -2;
  for (const pc of instrs) {
    if (w[pc] !== VP.AGG) continue;
    const acc = w[pc + 1]!, kind = w[pc + 2]!, g = w[pc + 3]!, v = w[pc + 4]!;
    if (acc < 0 || acc >= p.nacc) throw new Decline('accumulator');
    if (gReg !== -2 && g !== gReg) throw new Decline('two group registers');
    gReg = g;
    if (grouped !== (g >= 0)) throw new Decline('AGG without the group register');
    let sumSlot = -1, countSlot = -1;
    if (kind === VAGG.COUNT || kind === VAGG.SUM128) {
      countSlot = v >= 0 && nullable.has(v) ? K++ : 0;
      if (kind === VAGG.SUM128) sumSlot = K++;
    } else if (kind < VAGG.COUNT || kind > VAGG.MAXF) throw new Decline(`aggregate kind ${kind}`);
    aggs.push({ pc, acc, kind, v, sumSlot, countSlot });
  }
  const nslots = p.slots.length;
  const L: Layout = { gcount: 0, bad: 4, ptrs: 16, bits: 0, keys: 0, direct: 0, acc: 0, part: 0, size: 0, maxG, K };
  L.bits = L.ptrs + nslots * 4;
  L.keys = (L.bits + nslots * 4 + 15) & ~15;
  L.direct = L.keys + maxG * 8;
  L.acc = (L.direct + (grouped ? p.directRange * 4 : 0) + 15) & ~15;
  L.part = L.acc + p.nacc * maxG * 24;
  L.size = L.part + maxG * COPIES * K * 8;
  const accOff = (a: number): number => L.acc + a * maxG * 24;

  const f = new Fn(3);
  const CTX = 0, START = 1, N = 2;
  const ptr: number[] = [];
  for (let s = 0; s < nslots; s++) ptr.push(f.local(T_I32));
  const I = f.local(T_I32), END = f.local(T_I32), CEND = f.local(T_I32), I4 = f.local(T_I32), I8 = f.local(T_I32);
  const G = f.local(T_I32), PB = f.local(T_I32), AX = f.local(T_I32), ADDR = f.local(T_I32), GID = f.local(T_I32), T32 = f.local(T_I32);
  const R = f.local(T_I32), KEPT = f.local(T_I32), SIMD = f.local(T_I32), M = f.local(T_I32), CSTART = f.local(T_I32);
  // Leading FILTERs the SIMD pass takes: integer columns without NULLs.
  let nLead = 0;
  while (nLead < instrs.length && w[instrs[nLead]!] === VP.FILTER && w[instrs[nLead]! + 2] === 0 && w[instrs[nLead]! + 4] !== 2) nLead++;
  const T64 = f.local(T_I64), LO = f.local(T_I64), NLO = f.local(T_I64);
  const FX = f.local(T_F64), FY = f.local(T_F64), FR = f.local(T_F64);
  const regs = new Map<number, Reg>();
  const reg = (r: number): Reg => {
    const x = regs.get(r);
    if (!x) throw new Decline(`register ${r} read before it is written`);
    return x;
  };
  const fresh = (d: number, wide: boolean, n: number | null): Reg => {
    const known = regs.get(d);
    const x: Reg = { wide, v: known && known.wide === wide ? known.v : f.local(wide ? T_I64 : T_I32), n };
    regs.set(d, x);
    return x;
  };
  const slotPtr = (word: number): number => ptr[word - 1]!;
  /** The union of two null locals (null: never NULL). */
  const unionN = (a: number | null, b: number | null): number | null => {
    if (a === null) return b;
    if (b === null || a === b) return a;
    const l = f.local(T_I32);
    f.get(a).get(b).op(O.i32_or).set(l);
    return l;
  };

  // Entry: sticky failure, pointers into locals, group 0 without GROUP BY.
  const FAIL = f.open(O.block);
  f.get(CTX).mem(O.i32_load, 2, L.bad).open(O.if);
  f.get(CTX).mem(O.i32_load, 2, L.bad).op(O.return).end();
  for (let s = 0; s < nslots; s++) f.get(CTX).mem(O.i32_load, 2, L.ptrs + s * 4).set(ptr[s]!);
  if (!grouped && aggs.length > 0) {
    f.get(N).i32(0).op(O.i32_gt_s).get(CTX).mem(O.i32_load, 2, L.gcount).op(O.i32_eqz).op(O.i32_and).open(O.if);
    f.get(CTX).i32(1).mem(O.i32_store, 2, L.gcount).end();
  }
  if (!grouped) f.i32(0).set(G);
  f.get(START).tee(I).get(N).op(O.i32_add).set(END);
  /** Pops an i32 condition; leaves the function with ST_ERR_LIMIT when it holds on a non-NULL row. */
  const failIf = (n: number | null): void => {
    if (n !== null) f.get(n).op(O.i32_eqz, O.i32_and);
    f.brIf(FAIL);
  };
  /** Pops an i64; fails when it is outside [lo, hi]. */
  const checkRange = (x: number, lo: bigint, hi: bigint, n: number | null): void => {
    if (lo < I64_MIN) lo = I64_MIN;
    if (hi > I64_MAX) hi = I64_MAX;
    if (lo === I64_MIN && hi === I64_MAX) return;
    if (lo > hi) {
      f.i32(1);
      failIf(n);
      return;
    }
    // One-sided intervals (x + c, x - c) take one compare; two-sided ones one unsigned compare.
    if (lo === I64_MIN) f.get(x).i64(hi).op(O.i64_gt_s);
    else if (hi === I64_MAX) f.get(x).i64(lo).op(O.i64_lt_s);
    else f.get(x).i64(lo).op(O.i64_sub).i64(hi - lo).op(O.i64_gt_u);
    failIf(n);
  };
  /** The i32 test `x op c` (c, c2 already on nothing: emitted here) for an integer value pushed by push(). */
  const intCmp = (wide: boolean, op: number, push: () => void, pushC: () => void, pushC2: () => void): void => {
    const t = wide ? [O.i64_eq, O.i64_ne, O.i64_lt_s, O.i64_le_s, O.i64_gt_s, O.i64_ge_s] : [O.i32_eq, O.i32_ne, O.i32_lt_s, O.i32_le_s, O.i32_gt_s, O.i32_ge_s];
    if (op === VCMP.BETWEEN) {
      push(); pushC(); f.op(t[5]!);
      push(); pushC2(); f.op(t[3]!);
      f.op(O.i32_and);
      return;
    }
    push(); pushC(); f.op(t[op]!);
  };
  /** The float test in PostgreSQL's order (NaN equal to NaN and above everything) of FX op FY. */
  const fltCmp1 = (op: number): void => {
    const nanX = (): void => { f.get(FX).get(FX).op(O.f64_ne); };
    const nanY = (): void => { f.get(FY).get(FY).op(O.f64_ne); };
    switch (op) {
      case VCMP.EQ: f.get(FX).get(FY).op(O.f64_eq); nanX(); nanY(); f.op(O.i32_and, O.i32_or); break;
      case VCMP.NE: f.get(FX).get(FY).op(O.f64_eq); nanX(); nanY(); f.op(O.i32_and, O.i32_or, O.i32_eqz); break;
      case VCMP.LT: f.get(FX).get(FY).op(O.f64_lt); nanY(); nanX(); f.op(O.i32_eqz, O.i32_and, O.i32_or); break;
      case VCMP.LE: f.get(FX).get(FY).op(O.f64_le); nanY(); f.op(O.i32_or); break;
      case VCMP.GT: f.get(FX).get(FY).op(O.f64_gt); nanX(); nanY(); f.op(O.i32_eqz, O.i32_and, O.i32_or); break;
      default: f.get(FX).get(FY).op(O.f64_ge); nanX(); f.op(O.i32_or); break;
    }
  };
  const fltCmp = (op: number, c2?: number): void => {
    if (op !== VCMP.BETWEEN) return fltCmp1(op);
    fltCmp1(VCMP.GE);
    f.f64(c2!).set(FY);
    fltCmp1(VCMP.LE);
    f.op(O.i32_and);
  };
  const isInf = (l: number): void => { f.get(l).op(O.f64_abs).f64(Infinity).op(O.f64_eq); };


  // The row body from instruction `from` on (rows in local R), in a block NEXT a failed FILTER / SELECT leaves.
  let NEXT: Label = FAIL;
  /** False while emitting the body for a chunk whose magnitude bounds rule out every i64 overflow and
   *  every summed value of 2^53 or more (see "bounds" below): no overflow or range tests in it. */
  let checkedMode = true;
  const emitBody = (from: number, countKept: boolean, checked = true): void => {
    checkedMode = checked;
    NEXT = f.open(O.block);
    f.get(R).i32(2).op(O.i32_shl).set(I4);
    f.get(R).i32(3).op(O.i32_shl).set(I8);
    let aggBase = false;
    let filterPending = false;
    const lastLead = nLead > 0 ? instrs[nLead - 1]! : -1;
  for (const pc of instrs.slice(from)) {
    const op = w[pc]!;
    const next = pc + opLen(op);
    switch (op) {
      case VP.LOAD32: case VP.LOAD64: case VP.LOAD8: {
        const col = slotPtr(w[pc + 2]!);
        const nul = w[pc + 3]!;
        let n: number | null = null;
        if (nul !== 0) {
          n = f.local(T_I32);
          f.get(slotPtr(nul)).get(R).op(O.i32_add).mem(O.i32_load8_u, 0, 0).set(n);
        }
        const r = fresh(w[pc + 1]!, op === VP.LOAD64, n);
        if (op === VP.LOAD32) f.get(col).get(I4).op(O.i32_add).mem(O.i32_load, 2, 0);
        else if (op === VP.LOAD64) f.get(col).get(I8).op(O.i32_add).mem(O.i64_load, 3, 0);
        else f.get(col).get(R).op(O.i32_add).mem(O.i32_load8_u, 0, 0);
        f.set(r.v);
        break;
      }
      case VP.WIDEN: {
        const a = reg(w[pc + 2]!);
        const r = fresh(w[pc + 1]!, true, a.n);
        f.get(a.v).op(O.i64_extend_i32_s).set(r.v);
        break;
      }
      case VP.I2F: {
        const a = reg(w[pc + 2]!);
        const r = fresh(w[pc + 1]!, true, a.n);
        f.get(a.v).op(w[pc + 3] === 0 ? O.f64_convert_i32_s : O.f64_convert_i64_s, O.i64_reinterpret_f64).set(r.v);
        break;
      }
      case VP.ARITH: case VP.ARITHC: {
        const isC = op === VP.ARITHC;
        const a = reg(w[pc + 2]!);
        const bReg = isC ? null : reg(w[pc + 3]!);
        const aop = isC ? w[pc + 3]! : w[pc + 4]!;
        const c = isC ? c64(pc + 4) : 0n;
        const n = unionN(a.n, bReg ? bReg.n : null);
        const r = fresh(w[pc + 1]!, true, n);
        if (!a.wide || (bReg && !bReg.wide)) throw new Decline('ARITH on i32');
        const pushB = (): void => { if (bReg) f.get(bReg.v); else f.i64(c); };
        if (aop === AOP.ADD) { f.get(a.v); pushB(); f.op(O.i64_add); }
        else if (aop === AOP.SUB) { f.get(a.v); pushB(); f.op(O.i64_sub); }
        else if (aop === AOP.RSUB) { if (!isC) throw new Decline('RSUB'); f.i64(c).get(a.v).op(O.i64_sub); }
        else if (aop === AOP.MUL) { f.get(a.v); pushB(); f.op(O.i64_mul); }
        else throw new Decline(`arithmetic ${aop}`);
        f.set(r.v);
        if (!checkedMode) {
          // The chunk's bounds: no overflow possible.
        } else if (isC) {
          // Exact: the operand's interval for which the result fits in i64.
          if (aop === AOP.ADD) checkRange(a.v, I64_MIN - c, I64_MAX - c, n);
          else if (aop === AOP.SUB) checkRange(a.v, I64_MIN + c, I64_MAX + c, n);
          else if (aop === AOP.RSUB) checkRange(a.v, c - I64_MAX, c - I64_MIN, n);
          else if (c !== 0n) {
            const fl = (x: bigint, y: bigint): bigint => { const q = x / y; return q * y !== x && (x < 0n) !== (y < 0n) ? q - 1n : q; };
            const ce = (x: bigint, y: bigint): bigint => { const q = x / y; return q * y !== x && (x < 0n) === (y < 0n) ? q + 1n : q; };
            if (c > 0n) checkRange(a.v, ce(I64_MIN, c), fl(I64_MAX, c), n);
            else checkRange(a.v, ce(I64_MAX, c), fl(I64_MIN, c), n);
          }
        } else if (aop === AOP.ADD) {
          f.get(a.v).get(r.v).op(O.i64_xor).get(bReg!.v).get(r.v).op(O.i64_xor).op(O.i64_and).i64(0n).op(O.i64_lt_s);
          failIf(n);
        } else if (aop === AOP.SUB) {
          f.get(a.v).get(bReg!.v).op(O.i64_xor).get(a.v).get(r.v).op(O.i64_xor).op(O.i64_and).i64(0n).op(O.i64_lt_s);
          failIf(n);
        } else {
          // Both operands within 32 bits: the product fits. Else the exact test through division.
          f.get(a.v).i64(0x80000000n).op(O.i64_add).get(bReg!.v).i64(0x80000000n).op(O.i64_add).op(O.i64_or)
            .i64(0xffffffffn).op(O.i64_gt_u).open(O.if);
          f.get(a.v).op(O.i64_eqz, O.i32_eqz).open(O.if, T_I32);
          f.get(a.v).i64(-1n).op(O.i64_eq).open(O.if, T_I32);
          f.get(bReg!.v).i64(I64_MIN).op(O.i64_eq);
          f.else().get(r.v).get(a.v).op(O.i64_div_s).get(bReg!.v).op(O.i64_ne);
          f.end();
          f.else().i32(0).end();
          failIf(n);
          f.end();
        }
        if (n !== null && aop !== AOP.MUL) f.get(r.v).i64(0n).get(n).op(O.i32_eqz, O.select).set(r.v);
        break;
      }
      case VP.FARITH: case VP.FARITHC: {
        const isC = op === VP.FARITHC;
        const a = reg(w[pc + 2]!);
        const bReg = isC ? null : reg(w[pc + 3]!);
        const aop = isC ? w[pc + 3]! : w[pc + 4]!;
        const n = unionN(a.n, bReg ? bReg.n : null);
        const r = fresh(w[pc + 1]!, true, n);
        f.get(a.v).op(O.f64_reinterpret_i64).set(FX);
        if (bReg) f.get(bReg.v).op(O.f64_reinterpret_i64).set(FY);
        else f.f64(fbits(pc + 4)).set(FY);
        if (aop === AOP.RSUB) f.get(FY).get(FX).set(FY).set(FX);
        f.get(FX).get(FY).op(aop === AOP.ADD ? O.f64_add : aop === AOP.MUL ? O.f64_mul : O.f64_sub).set(FR);
        isInf(FR); isInf(FX); f.op(O.i32_eqz, O.i32_and); isInf(FY); f.op(O.i32_eqz, O.i32_and);
        if (aop === AOP.MUL) {
          f.get(FR).f64(0).op(O.f64_eq).get(FX).f64(0).op(O.f64_ne, O.i32_and).get(FY).f64(0).op(O.f64_ne, O.i32_and, O.i32_or);
        }
        failIf(n);
        f.get(FR).op(O.i64_reinterpret_f64);
        if (n !== null) f.i64(0n).get(n).op(O.i32_eqz, O.select);
        f.set(r.v);
        break;
      }
      case VP.RANGE: {
        const a = reg(w[pc + 1]!);
        if (!a.wide) throw new Decline('RANGE of i32');
        checkRange(a.v, c64(pc + 2), c64(pc + 4), a.n);
        break;
      }
      case VP.CMP: case VP.CMPC: {
        const isC = op === VP.CMPC;
        const a = reg(w[pc + 2]!);
        const bReg = isC ? null : reg(w[pc + 3]!);
        const cop = isC ? w[pc + 3]! : w[pc + 4]!;
        const t = isC ? w[pc + 4]! : w[pc + 5]!;
        if (cop === VCMP.BETWEEN && !isC) throw new Decline('BETWEEN of registers');
        const n = unionN(a.n, bReg ? bReg.n : null);
        const r = fresh(w[pc + 1]!, false, n);
        if (t === 2) {
          f.get(a.v).op(O.f64_reinterpret_i64).set(FX);
          if (bReg) f.get(bReg.v).op(O.f64_reinterpret_i64).set(FY);
          else f.f64(fbits(pc + 5)).set(FY);
          fltCmp(cop, isC ? fbits(pc + 7) : undefined);
        } else {
          const wide = t === 1;
          if (a.wide !== wide || (bReg && bReg.wide !== wide)) throw new Decline('comparison width');
          const k = (at: number): void => { if (wide) f.i64(c64(at)); else f.i32(Number(BigInt.asIntN(32, c64(at)))); };
          intCmp(wide, cop, () => f.get(a.v), () => (bReg ? f.get(bReg.v) : k(pc + 5)), () => k(pc + 7));
        }
        if (n !== null) f.get(n).op(O.i32_eqz, O.i32_and);
        f.set(r.v);
        break;
      }
      case VP.AND: case VP.OR: {
        const a = reg(w[pc + 2]!), b = reg(w[pc + 3]!);
        const d = w[pc + 1]!;
        let n: number | null = null;
        if (a.n !== null || b.n !== null) n = f.local(T_I32);
        const r = fresh(d, false, n);
        const v = f.local(T_I32);
        f.get(a.v).get(b.v).op(op === VP.AND ? O.i32_and : O.i32_or).set(v);
        if (n !== null) {
          const pushN = (x: Reg): void => { if (x.n === null) f.i32(0); else f.get(x.n); };
          if (op === VP.AND) {
            // NULL unless one side is a non-NULL false: (xn|yn) & (xn|x) & (yn|y).
            pushN(a); pushN(b); f.op(O.i32_or);
            pushN(a); f.get(a.v).op(O.i32_or, O.i32_and);
            pushN(b); f.get(b.v).op(O.i32_or, O.i32_and);
          } else {
            pushN(a); pushN(b); f.op(O.i32_or).get(v).op(O.i32_eqz, O.i32_and);
          }
          f.set(n);
        }
        f.get(v).set(r.v);
        break;
      }
      case VP.NOT: {
        const a = reg(w[pc + 2]!);
        const r = fresh(w[pc + 1]!, false, a.n);
        f.get(a.v);
        if (a.n !== null) f.get(a.n).op(O.i32_or);
        f.op(O.i32_eqz).set(r.v);
        break;
      }
      case VP.ISNULL: {
        const a = reg(w[pc + 2]!);
        const r = fresh(w[pc + 1]!, false, null);
        if (a.n === null) f.i32(w[pc + 3]! ? 1 : 0);
        else {
          f.get(a.n);
          if (w[pc + 3]) f.op(O.i32_eqz);
        }
        f.set(r.v);
        break;
      }
      case VP.DICTMAP: {
        const a = reg(w[pc + 2]!);
        const table = slotPtr(w[pc + 3]!);
        const n = f.local(T_I32);
        const r = fresh(w[pc + 1]!, false, n);
        // table[code], or table[nullAt] where the code is NULL: 0 false, 1 true, 2 NULL.
        f.get(table).get(a.v).op(O.i32_add).mem(O.i32_load8_u, 0, 0);
        if (a.n !== null) f.get(table).mem(O.i32_load8_u, 0, w[pc + 4]!).get(a.n).op(O.i32_eqz, O.select);
        f.set(ADDR);
        f.get(ADDR).i32(1).op(O.i32_and).set(r.v);
        f.get(ADDR).i32(1).op(O.i32_shr_u).set(n);
        break;
      }
      case VP.SELECT: {
        const a = reg(w[pc + 1]!);
        if (a.wide) throw new Decline('SELECT of i64');
        f.get(a.v).op(O.i32_eqz).brIf(NEXT);
        break;
      }
      case VP.FILTER: {
        const col = slotPtr(w[pc + 1]!);
        const nul = w[pc + 2]!;
        const cop = w[pc + 3]!, t = w[pc + 4]!;
        if (t === 2) {
          f.get(col).get(I8).op(O.i32_add).mem(O.f64_load, 3, 0).set(FX);
          f.f64(fbits(pc + 5)).set(FY);
          fltCmp(cop, fbits(pc + 7));
        } else {
          const wide = t === 1;
          const k = (at: number): void => { if (wide) f.i64(c64(at)); else f.i32(Number(BigInt.asIntN(32, c64(at)))); };
          const push = (): void => {
            if (wide) f.get(col).get(I8).op(O.i32_add).mem(O.i64_load, 3, 0).set(T64);
            else f.get(col).get(I4).op(O.i32_add).mem(O.i32_load, 2, 0).set(T32);
          };
          push();
          intCmp(wide, cop, () => f.get(wide ? T64 : T32), () => k(pc + 5), () => k(pc + 7));
        }
        if (nul !== 0) f.get(slotPtr(nul)).get(R).op(O.i32_add).mem(O.i32_load8_u, 0, 0).op(O.i32_eqz, O.i32_and);
        // Consecutive FILTERs: one branch on the AND of their tests (no side effects, so a later test
        // may run on a row an earlier one drops; a selective WHERE then costs one unpredictable branch, not several).
        if (filterPending) f.op(O.i32_and);
        filterPending = w[next] === VP.FILTER;
        if (!filterPending) f.op(O.i32_eqz).brIf(NEXT);
        break;
      }
      case VP.GZERO: {
        const r = fresh(w[pc + 1]!, true, null);
        f.i64(0n).set(r.v);
        break;
      }
      case VP.GKEY: case VP.GKEYCOL: {
        const r = reg(w[pc + 1]!);
        const stride = c64(pc + (op === VP.GKEY ? 3 : 4));
        let n: number | null = null;
        if (op === VP.GKEY) {
          const a = reg(w[pc + 2]!);
          if (a.wide) throw new Decline('GKEY of i64');
          f.get(a.v);
          n = a.n;
        } else {
          f.get(slotPtr(w[pc + 2]!)).get(I4).op(O.i32_add).mem(O.i32_load, 2, 0);
          if (w[pc + 3] !== 0) {
            n = ADDR;
            f.get(slotPtr(w[pc + 3]!)).get(R).op(O.i32_add).mem(O.i32_load8_u, 0, 0).set(ADDR);
          }
        }
        f.op(O.i64_extend_i32_u).i64(1n).op(O.i64_add);
        if (n !== null) f.i64(0n).get(n).op(O.i32_eqz, O.select);
        if (stride !== 1n) f.i64(stride).op(O.i64_mul);
        f.get(r.v).op(O.i64_add).set(r.v);
        break;
      }
      case VP.GROUP: {
        const k = reg(w[pc + 2]!);
        if (!k.wide) throw new Decline('group key register');
        regs.set(w[pc + 1]!, { wide: false, v: G, n: null });
        f.get(k.v).i64(BigInt(p.directRange)).op(O.i64_ge_u).open(O.if);
        f.i32(ST_ERR_ARG).op(O.return).end();
        f.get(CTX).get(k.v).op(O.i32_wrap_i64).i32(2).op(O.i32_shl, O.i32_add).tee(ADDR).mem(O.i32_load, 2, L.direct).tee(GID);
        f.op(O.i32_eqz).open(O.if);
        f.get(CTX).get(CTX).mem(O.i32_load, 2, L.gcount).i32(1).op(O.i32_add).tee(GID).mem(O.i32_store, 2, L.gcount);
        f.get(CTX).get(GID).i32(3).op(O.i32_shl, O.i32_add).get(k.v).mem(O.i64_store, 3, L.keys - 8);
        f.get(ADDR).get(GID).mem(O.i32_store, 2, L.direct);
        f.end();
        f.get(GID).i32(1).op(O.i32_sub).set(G);
        break;
      }
      case VP.AGG: {
        const info = aggs.find((x) => x.pc === pc)!;
        if (!aggBase) {
          aggBase = true;
          // This row's partial slots (copy by row) and accumulator entries.
          f.get(CTX).get(G).i32(2).op(O.i32_shl).get(R).i32(COPIES - 1).op(O.i32_and, O.i32_add).i32(K * 8).op(O.i32_mul, O.i32_add).set(PB);
          f.get(CTX).get(G).i32(24).op(O.i32_mul, O.i32_add).set(AX);
          if (aggs.some((x) => x.countSlot === 0)) f.get(PB).get(PB).mem(O.i64_load, 3, L.part).i64(1n).op(O.i64_add).mem(O.i64_store, 3, L.part);
        }
        const v = info.v >= 0 ? reg(info.v) : null;
        const slotAdd = (slot: number, push: () => void): void => {
          const off = L.part + slot * 8;
          f.get(PB).get(PB).mem(O.i64_load, 3, off);
          push();
          f.op(O.i64_add).mem(O.i64_store, 3, off);
        };
        if (info.countSlot > 0) slotAdd(info.countSlot, () => { f.get(v!.n!).op(O.i32_eqz, O.i64_extend_i32_u); });
        const ao = accOff(info.acc);
        if (info.kind === VAGG.SUM128) {
          if (!v!.wide) throw new Decline('sum of i32');
          if (!checkedMode) {
            slotAdd(info.sumSlot, () => f.get(v!.v));
            break;
          }
          f.get(v!.v).i64(1n << 53n).op(O.i64_add).i64((1n << 54n) - 1n).op(O.i64_gt_u).open(O.if);
          f.get(AX).mem(O.i64_load, 3, ao + 8).set(LO);
          f.get(AX).get(LO).get(v!.v).op(O.i64_add).tee(NLO).mem(O.i64_store, 3, ao + 8);
          f.get(AX).get(AX).mem(O.i64_load, 3, ao + 16).get(v!.v).i64(63n).op(O.i64_shr_s, O.i64_add)
            .get(NLO).get(LO).op(O.i64_lt_u, O.i64_extend_i32_u, O.i64_add).mem(O.i64_store, 3, ao + 16);
          f.else();
          slotAdd(info.sumSlot, () => f.get(v!.v));
          f.end();
        } else if (info.kind !== VAGG.COUNT) {
          if (!v!.wide) throw new Decline('min/max of i32');
          if (v!.n !== null) f.get(v!.n).op(O.i32_eqz).open(O.if);
          f.get(AX).mem(O.i64_load, 3, ao).set(T64);
          f.get(AX).get(T64).i64(1n).op(O.i64_add).mem(O.i64_store, 3, ao);
          if (info.kind === VAGG.MIN64 || info.kind === VAGG.MAX64) {
            f.get(AX).get(v!.v).get(AX).mem(O.i64_load, 3, ao + 8).set(LO).get(LO);
            f.get(T64).op(O.i64_eqz).get(v!.v).get(LO).op(info.kind === VAGG.MIN64 ? O.i64_lt_s : O.i64_gt_s, O.i32_or);
            f.op(O.select).mem(O.i64_store, 3, ao + 8);
          } else {
            f.get(v!.v).op(O.f64_reinterpret_i64).set(FX);
            f.get(AX).mem(O.f64_load, 3, ao + 8).set(FY);
            if (info.kind === VAGG.SUMF) {
              f.get(FY).get(FX).op(O.f64_add).set(FR);
              isInf(FR); isInf(FY); f.op(O.i32_eqz, O.i32_and); isInf(FX); f.op(O.i32_eqz, O.i32_and);
              f.brIf(FAIL);
              f.get(AX).get(FR).mem(O.f64_store, 3, ao + 8);
            } else {
              // MINF: first, x < cur, or cur NaN and x not; MAXF: first, x > cur, or x NaN and cur not.
              f.get(AX).get(FX).get(FY);
              f.get(T64).op(O.i64_eqz);
              if (info.kind === VAGG.MINF) {
                f.get(FX).get(FY).op(O.f64_lt, O.i32_or).get(FY).get(FY).op(O.f64_ne).get(FX).get(FX).op(O.f64_eq, O.i32_and, O.i32_or);
              } else {
                f.get(FX).get(FY).op(O.f64_gt, O.i32_or).get(FX).get(FX).op(O.f64_ne).get(FY).get(FY).op(O.f64_eq, O.i32_and, O.i32_or);
              }
              f.op(O.select).mem(O.f64_store, 3, ao + 8);
            }
          }
          if (v!.n !== null) f.end();
        }
        break;
      }
      default:
        throw new Decline(`instruction ${op}`);
    }
    if (countKept && pc === lastLead) f.get(KEPT).i32(1).op(O.i32_add).set(KEPT);
  }
    f.end(); // NEXT
  };

  // Bounds: the host gives, per i64 column, b with |x| <= 2^b for all its rows (columnBits(), cached per
  // column vector by ops_colagg.ts; 64 when unknown), written per slot into the state block. Propagated
  // through the arithmetic (b + 1 for + and -, the sum of the bits for *): when every result stays
  // within 2^62 and every summed value within 2^52 (so 1,024 of them fit a partial), the rows run a
  // body without overflow tests and without the per-value partial test (SIMD passes keep the tested
  // body). RANGE keeps its test. (A bounds pass per chunk was measured: it costs what the tests cost.)
  type Src = { k: 'col'; slot: number } | { k: 'w' } | { k: 'a'; a: number; b: number; c: bigint; op: number; isC: boolean };
  const computeBounds = (): { src: Map<number, Src>; results: number[]; sums: number[]; cols: number[] } | null => {
    const src = new Map<number, Src>();
    const results: number[] = [];
    const sums: number[] = [];
    for (const pc of instrs) {
      const op = w[pc]!;
      if (op === VP.LOAD64) src.set(w[pc + 1]!, { k: 'col', slot: w[pc + 2]! });
      else if (op === VP.WIDEN) src.set(w[pc + 1]!, { k: 'w' });
      else if (op === VP.ARITH || op === VP.ARITHC) {
        const isC = op === VP.ARITHC;
        const a = w[pc + 2]!, b = isC ? -1 : w[pc + 3]!;
        if (!src.has(a) || (!isC && !src.has(b))) return null;
        src.set(w[pc + 1]!, { k: 'a', a, b, c: isC ? c64(pc + 4) : 0n, op: isC ? w[pc + 3]! : w[pc + 4]!, isC });
        results.push(w[pc + 1]!);
      } else if (op === VP.AGG && w[pc + 2] === VAGG.SUM128) {
        if (!src.has(w[pc + 4]!)) return null;
        sums.push(w[pc + 4]!);
      }
    }
    if (results.length === 0 && sums.length === 0) return null;
    // Only the registers the results and sums depend on.
    const need = new Set<number>();
    const mark = (r: number): void => {
      if (need.has(r)) return;
      need.add(r);
      const x = src.get(r)!;
      if (x.k === 'a') {
        mark(x.a);
        if (!x.isC) mark(x.b);
      }
    };
    for (const r of [...results, ...sums]) mark(r);
    for (const r of [...src.keys()]) if (!need.has(r)) src.delete(r);
    const cols = [...new Set([...src.values()].flatMap((x) => (x.k === 'col' ? [x.slot] : [])))];
    return { src, results, sums, cols };
  };
  const bounds = computeBounds();
  const bitLen = (c: bigint): number => (c < 0n ? -c : c).toString(2).length - (c === 0n ? 1 : 0);
  /** Pushes 1 when the columns' magnitude bits (written by the host per slot into the state block,
   *  64 = unknown) rule out every overflow and every summed value above 2^52. */
  const emitBounds = (bd: NonNullable<typeof bounds>): void => {
    const bits = new Map<number, number>();
    const bitsOf = (r: number): number => bits.get(r)!;
    for (const [r, x] of bd.src) {
      const b = f.local(T_I32);
      if (x.k === 'col') f.get(CTX).mem(O.i32_load, 2, L.bits + (x.slot - 1) * 4);
      else if (x.k === 'w') f.i32(31);
      else {
        const pa = (): void => { f.get(bitsOf(x.a)); };
        const pb = (): void => { if (x.isC) f.i32(bitLen(x.c)); else f.get(bitsOf(x.b)); };
        if (x.op === AOP.MUL) { pa(); pb(); f.op(O.i32_add); }
        else { pa(); pb(); pa(); pb(); f.op(O.i32_gt_s, O.select).i32(1).op(O.i32_add); }
      }
      f.set(b);
      bits.set(r, b);
    }
    f.i32(1);
    for (const r of bd.results) f.get(bitsOf(r)).i32(62).op(O.i32_le_s, O.i32_and);
    for (const r of bd.sums) f.get(bitsOf(r)).i32(52).op(O.i32_le_s, O.i32_and);
  };

  // Rows: chunks of CHUNK rows. A program that starts with FILTERs of integer columns without NULLs
  // can run a chunk four rows a step: the FILTERs as SIMD compares into a 4-bit mask, the rest of the
  // body once per set bit. Which way a chunk runs follows the previous chunk: SIMD when fewer than half
  // of its rows passed those FILTERs (a selective WHERE), else row by row (one predictable branch).
  f.get(START).tee(I).get(N).op(O.i32_add).set(END);
  const DONE = f.open(O.block);
  const CHUNKS = f.open(O.loop);
  f.get(I).get(END).op(O.i32_ge_s).brIf(DONE);
  f.get(I).tee(CSTART).i32(CHUNK).op(O.i32_add).tee(CEND).get(END).get(CEND).get(END).op(O.i32_lt_s).op(O.select).set(CEND);
  if (nLead > 0) {
    f.i32(0).set(KEPT);
    f.get(SIMD).open(O.if);
    const B4 = f.open(O.block);
    const L4 = f.open(O.loop);
    f.get(I).i32(4).op(O.i32_add).get(CEND).op(O.i32_gt_s).brIf(B4);
    for (let li = 0; li < nLead; li++) {
      const pc = instrs[li]!;
      const col = ptr[w[pc + 1]! - 1]!;
      const cop = w[pc + 3]!, t = w[pc + 4]!;
      if (t === 0) {
        const k = (at: number): void => { f.v128i32(Number(BigInt.asIntN(32, c64(at)))); };
        const load = (): void => { f.get(col).get(I).i32(2).op(O.i32_shl, O.i32_add).simd(0x00).op(0, 0); };
        if (cop === VCMP.BETWEEN) {
          load(); k(pc + 5); f.simd(0x3f); load(); k(pc + 7); f.simd(0x3d); f.simd(0x4e);
        } else {
          load(); k(pc + 5); f.simd([0x37, 0x38, 0x39, 0x3d, 0x3b, 0x3f][cop]!);
        }
        f.simd(0xa4);
      } else {
        const k = (at: number): void => { f.v128i64(c64(at)); };
        const half = (off: number): void => {
          const load = (): void => { f.get(col).get(I).i32(3).op(O.i32_shl, O.i32_add).simd(0x00).op(0); uleb(f.code, off); };
          if (cop === VCMP.BETWEEN) {
            load(); k(pc + 5); f.simd(0xdb); load(); k(pc + 7); f.simd(0xda); f.simd(0x4e);
          } else {
            load(); k(pc + 5); f.simd([0xd6, 0xd7, 0xd8, 0xda, 0xd9, 0xdb][cop]!);
          }
          f.simd(0xc4);
        };
        half(0);
        half(16);
        f.i32(2).op(O.i32_shl, O.i32_or);
      }
      if (li > 0) f.op(O.i32_and);
    }
    f.tee(M).op(O.i32_popcnt).get(KEPT).op(O.i32_add).set(KEPT);
    const BD = f.open(O.block);
    const LB = f.open(O.loop);
    f.get(M).op(O.i32_eqz).brIf(BD);
    f.get(I).get(M).op(O.i32_ctz, O.i32_add).set(R);
    f.get(M).get(M).i32(1).op(O.i32_sub, O.i32_and).set(M);
    emitBody(nLead, false);
    f.br(LB);
    f.end().end();
    f.get(I).i32(4).op(O.i32_add).set(I).br(L4);
    f.end().end();
    f.end(); // if SIMD
  }
  // Row by row: the chunk, or the rows a SIMD pass left; without overflow tests when the bounds allow.
  const rowLoop = (checked: boolean): void => {
    const BS = f.open(O.block);
    const LS = f.open(O.loop);
    f.get(I).get(CEND).op(O.i32_ge_s).brIf(BS);
    f.get(I).set(R);
    emitBody(0, nLead > 0, checked);
    f.get(I).i32(1).op(O.i32_add).set(I).br(LS);
    f.end().end();
  };
  if (bounds === null) rowLoop(true);
  else {
    emitBounds(bounds);
    f.open(O.if);
    rowLoop(false);
    f.else();
    rowLoop(true);
    f.end();
  }
  if (nLead > 0) f.get(KEPT).i32(1).op(O.i32_shl).get(CEND).get(CSTART).op(O.i32_sub, O.i32_lt_s).set(SIMD);

  // Flush the chunk's partials into the accumulators (groups seen so far).
  if (aggs.some((a) => a.kind === VAGG.COUNT || a.kind === VAGG.SUM128)) {
    f.i32(0).set(GID);
    const FD = f.open(O.block);
    const FL = f.open(O.loop);
    f.get(GID).get(CTX).mem(O.i32_load, 2, L.gcount).op(O.i32_ge_s).brIf(FD);
    f.get(CTX).get(GID).i32(COPIES * K * 8).op(O.i32_mul, O.i32_add).set(PB);
    f.get(CTX).get(GID).i32(24).op(O.i32_mul, O.i32_add).set(AX);
    for (let s = 0; s < K; s++) {
      const users = aggs.filter((a) => a.countSlot === s || a.sumSlot === s);
      if (users.length === 0) {
        for (let c = 0; c < COPIES; c++) f.get(PB).i64(0n).mem(O.i64_store, 3, L.part + (c * K + s) * 8);
        continue;
      }
      for (let c = 0; c < COPIES; c++) {
        f.get(PB).mem(O.i64_load, 3, L.part + (c * K + s) * 8);
        if (c > 0) f.op(O.i64_add);
      }
      f.set(T64);
      for (let c = 0; c < COPIES; c++) f.get(PB).i64(0n).mem(O.i64_store, 3, L.part + (c * K + s) * 8);
      for (const u of users) {
        const ao = accOff(u.acc);
        if (u.countSlot === s) f.get(AX).get(AX).mem(O.i64_load, 3, ao).get(T64).op(O.i64_add).mem(O.i64_store, 3, ao);
        if (u.sumSlot === s) {
          f.get(AX).mem(O.i64_load, 3, ao + 8).set(LO);
          f.get(AX).get(LO).get(T64).op(O.i64_add).tee(NLO).mem(O.i64_store, 3, ao + 8);
          f.get(AX).get(AX).mem(O.i64_load, 3, ao + 16).get(T64).i64(63n).op(O.i64_shr_s, O.i64_add)
            .get(NLO).get(LO).op(O.i64_lt_u, O.i64_extend_i32_u, O.i64_add).mem(O.i64_store, 3, ao + 16);
        }
      }
    }
    f.get(GID).i32(1).op(O.i32_add).set(GID).br(FL);
    f.end().end();
  }
  f.br(CHUNKS);
  f.end(); // CHUNKS
  f.end(); // DONE
  f.i32(0).op(O.return);
  f.end(); // FAIL
  f.get(CTX).i32(ST_ERR_LIMIT).mem(O.i32_store, 2, L.bad);
  f.i32(ST_ERR_LIMIT);
  return { fn: f, layout: L };
}

// ---------------------------------------------------------------------------
// Compilation cache and the program object.

interface Entry { module: WebAssembly.Module | null; layout: Layout; pending: boolean }
const cache = new Map<string, Entry>();
const CACHE_MAX = 256;
const instances = new WeakMap<WebAssembly.Module, WeakMap<WebAssembly.Memory, WebAssembly.Instance>>();

/** The module of a plan: from the cache, else compiled (synchronously where allowed, else in the background: null for now). */
function moduleFor(p: Plan): Entry | null {
  const known = cache.get(p.key);
  if (known) {
    if (known.module === null) return null;
    vprogJit.cacheHits++;
    cache.delete(p.key);
    cache.set(p.key, known);
    return known;
  }
  const g = generate(p);
  const bytes = moduleBytes(g.fn);
  const e: Entry = { module: null, layout: g.layout, pending: false };
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(p.key, e);
  try {
    e.module = new WebAssembly.Module(bytes as BufferSource);
    vprogJit.compiled++;
    return e;
  } catch (err) {
    if (err instanceof WebAssembly.CompileError) {
      cache.delete(p.key);
      throw new Error(`vprog jit: generated module does not validate: ${err.message}`);
    }
    // Synchronous compilation refused (a browser's main thread): compile in the background.
    e.pending = true;
    WebAssembly.compile(bytes as BufferSource).then(
      (m) => { e.module = m; e.pending = false; vprogJit.compiled++; },
      () => { cache.delete(p.key); },
    );
    return null;
  }
}

/** Bytes of the generated module of a program (tests, inspection). Throws when the JIT does not take it. */
export function jitModuleBytes(b: ProgramBuilder, directRange: number): Uint8Array {
  return moduleBytes(generate(plan(b, directRange)).fn);
}

interface JitExports { run(ctx: number, start: number, n: number): number }

let bitsModule: WebAssembly.Module | null = null;
const bitsInstances = new WeakMap<WebAssembly.Memory, JitExports>();
/** b with |x| <= 2^b for every x of the n i64 values at ptr (the OR of x ^ (x >> 63), SIMD); a pass
 *  over the column, meant to be cached per column vector (ops_colagg.ts). */
export function columnBits(k: ExecKernels, ptr: number, n: number): number {
  const mem = vpExports(k).memory;
  let x = bitsInstances.get(mem);
  if (!x) {
    if (!bitsModule) {
      const f = new Fn(3);
      const J = f.local(T_I32), A = f.local(T_V128), X = f.local(T_V128), M = f.local(T_I64), T = f.local(T_I64);
      const PTR = 0, N = 1;
      const B = f.open(O.block);
      const LP = f.open(O.loop);
      f.get(J).i32(2).op(O.i32_add).get(N).op(O.i32_gt_s).brIf(B);
      f.get(PTR).get(J).i32(3).op(O.i32_shl, O.i32_add).simd(0x00).op(0, 0).set(X);
      f.get(A).get(X).get(X).i32(63).simd(0xcc).simd(0x51).simd(0x50).set(A);
      f.get(J).i32(2).op(O.i32_add).set(J).br(LP);
      f.end().end();
      f.get(A).simd(0x1d).op(0).get(A).simd(0x1d).op(1).op(O.i64_or).set(M);
      f.get(J).get(N).op(O.i32_lt_s).open(O.if);
      f.get(PTR).get(J).i32(3).op(O.i32_shl, O.i32_add).mem(O.i64_load, 3, 0).tee(T).get(T).i64(63n).op(O.i64_shr_s, O.i64_xor)
        .get(M).op(O.i64_or).set(M);
      f.end();
      f.i64(64n).get(M).op(O.i64_clz, O.i64_sub, O.i32_wrap_i64);
      bitsModule = new WebAssembly.Module(moduleBytes(f) as BufferSource);
    }
    x = new WebAssembly.Instance(bitsModule, { m: { mem } }).exports as unknown as JitExports;
    bitsInstances.set(mem, x);
  }
  return x.run(ptr, n, 0);
}

/** One program compiled to its own function, with the interface of VectorProgram. Free it with free(). */
export class JitProgram {
  private ctx: number;
  private readonly tables: number[] = [];
  private readonly x: ReturnType<typeof vpExports>;
  private readonly fn: JitExports;

  private constructor(k: ExecKernels, p: Plan, e: Entry, b: ProgramBuilder, colBits?: (addr: number) => number | undefined) {
    this.x = vpExports(k);
    const mem = this.x.memory;
    let byMem = instances.get(e.module!);
    if (!byMem) instances.set(e.module!, (byMem = new WeakMap()));
    let inst = byMem.get(mem);
    if (!inst) byMem.set(mem, (inst = new WebAssembly.Instance(e.module!, { m: { mem } })));
    this.fn = inst.exports as unknown as JitExports;
    const L = e.layout;
    this.ctx = this.x.exec_alloc(L.size);
    if (this.ctx === 0) throw new SbError(SqlState.out_of_memory, 'exec kernel out of memory');
    const addrs: number[] = [];
    for (const s of p.slots) {
      if (s >= 0) {
        addrs.push(s);
        continue;
      }
      const t = b.tables[-s - 1]!;
      const at = this.x.exec_alloc(t.bytes.length + 16);
      if (at === 0) {
        this.free();
        throw new SbError(SqlState.out_of_memory, 'exec kernel out of memory');
      }
      this.tables.push(at);
      new Uint8Array(this.x.memory.buffer, at, t.bytes.length).set(t.bytes);
      addrs.push(at);
    }
    const buf = this.x.memory.buffer;
    new Uint8Array(buf, this.ctx, L.size).fill(0);
    new Int32Array(buf, this.ctx + L.ptrs, addrs.length).set(addrs);
    new Int32Array(buf, this.ctx + L.bits, addrs.length).set(p.slots.map((s) => {
      const bits = s > 0 && colBits ? colBits(s) : undefined;
      return bits === undefined || !(bits >= 0 && bits <= 64) ? 64 : bits;
    }));
    this.layout = L;
  }
  private readonly layout: Layout;

  /** The program compiled, or null when the JIT is off, does not take it, or its module is still compiling.
   *  colBits: for an i64 column's address, b with |x| <= 2^b for every row the program reads (columnBits);
   *  undefined when unknown. Lets rows run without overflow tests when the bounds rule overflow out. */
  static create(k: ExecKernels, b: ProgramBuilder, directRange: number, colBits?: (addr: number) => number | undefined): JitProgram | null {
    if (!vprogJit.enabled) return null;
    let p: Plan;
    let e: Entry | null;
    try {
      p = plan(b, directRange);
      e = moduleFor(p);
    } catch (err) {
      // Not taken (Decline), or a generated module that does not validate (a bug: counted in errors,
      // which the tests check stays 0); either way the interpreter runs the program.
      if (err instanceof Decline) vprogJit.declined++;
      else vprogJit.errors++;
      vprogJit.lastDecline = err instanceof Error ? err.message : String(err);
      return null;
    }
    if (e === null) return null;
    vprogJit.programs++;
    return new JitProgram(k, p, e, b, colBits);
  }

  /** Runs rows [start, start + n); false on an overflow (the caller takes the row path). */
  run(start: number, n: number): boolean {
    const st = this.fn.run(this.ctx, start, n);
    if (st === ST_ERR_LIMIT) return false;
    if (st !== 0) throw new SbError(SqlState.internal_error, `vector program (compiled) failed (${st})`);
    return true;
  }
  groupCount(): number {
    return new Int32Array(this.x.memory.buffer, this.ctx + this.layout.gcount, 1)[0]!;
  }
  groupKeys(): BigInt64Array {
    return new BigInt64Array(this.x.memory.buffer, this.ctx + this.layout.keys, this.groupCount()).slice();
  }
  acc(a: number, groups: number): AccResult {
    const L = this.layout;
    return readAcc(this.x.memory.buffer, this.ctx + L.acc + a * L.maxG * 24, groups);
  }
  free(): void {
    for (const t of this.tables) this.x.exec_free(t);
    this.tables.length = 0;
    if (this.ctx !== 0) this.x.exec_free(this.ctx);
    this.ctx = 0;
  }
}
