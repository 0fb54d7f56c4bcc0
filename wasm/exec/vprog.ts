// Vector programs: a small interpreter that runs a filter + group + aggregate
// program over cached column vectors (docs/design/columnar.md), 1,024 rows at
// a time, so that the dispatch of one instruction is paid once per chunk.
//
// State per program (vp_new): the program (i32 words, written by the host at
// vp_prog), up to MAX_REGS vector registers, the chunk's selection vector, a
// group table and the accumulators. A handle is independent of every other,
// so two queries may interleave their chunks.
//
// Registers are *compacted*: entry j of a register belongs to row sel[j] of
// the chunk. While every row of the chunk is selected (dense), a column load
// points the register at the column itself (no copy). Each register has a
// data pointer and a u8 null pointer (0: no NULL); a NULL's data slot holds 0
// (booleans: 0 = false or NULL). SELECT narrows the selection and so
// invalidates every register computed before it (the host compiles loads
// after the filters that precede them).
//
// Integer arithmetic is on i64 (numerics scaled by 10^scale) with exact
// overflow detection; float arithmetic flags what PostgreSQL raises as an
// error (an infinite result of finite inputs, a zero product of non-zero
// ones). A flagged overflow stops the program (vp_run returns ST_ERR_LIMIT)
// and the host takes the row path, which gives PostgreSQL's exact result or
// its error. Sums of i64 are i128 (two i64 words) and cannot overflow.
//
// Instruction words (operands are register numbers unless said otherwise;
// "c" operands are i64 / f64 bit patterns as two words, low first):
//   LOAD32 d col nul | LOAD64 d col nul | LOAD8 d col nul   (col, nul: addresses; nul 0 = none)
//   WIDEN d a (i32 -> i64) | I2F d a kind(0 i32, 1 i64)
//   ARITH d a b op | ARITHC d a op c     op: 0 a+b, 1 a-b, 2 a*b, 3 c-a (const form)
//   FARITH d a b op | FARITHC d a op c
//   RANGE a lo hi                         flags values of a outside [lo, hi]
//   CMP d a b op t | CMPC d a op t c c2  op: filter.ts OP_*; t: 0 i32, 1 i64, 2 f64
//   AND d a b | OR d a b | NOT d a | ISNULL d a negate
//   DICTMAP d a table nullAt              d = table[code], table[nullAt] for NULL (u8: 0, 1, 2 = NULL)
//   SELECT a                              keep the rows where a is true
//   FILTER col nul op t c c2              SELECT (col op c) straight off a column
//   GZERO d | GKEY d a stride             d += (a NULL ? 0 : u32(a) + 1) * stride (i64 d, i32 a)
//   GKEYCOL d col nul stride              GKEY straight off an i32 / code column (no load)
//   GROUP d a                             d (i32) = group number of key a (i64)
//   AGG acc kind g v                      g, v: -1 = none (one group / count(*))
//   SUMX acc g (r neg c c2) x3            AGG SUM128 of f1 * f2 * f3 (left to right), a factor
//                                         f = c + x (neg 0) or c - x (neg 1) of i64 register r;
//                                         r = -1: f = c; r = -2: no factor (f = 1)

import { alloc, free, realloc } from '../common/alloc';
import { ST_OK, ST_ERR_NOMEM, ST_ERR_LIMIT, ST_ERR_ARG } from '../common/status';
import { hashSlot, rehashI64, rehashedKeys, rehashedGids } from './keys';

export const VP_END: i32 = 0;
export const VP_LOAD32: i32 = 1;
export const VP_LOAD64: i32 = 2;
export const VP_LOAD8: i32 = 3;
export const VP_WIDEN: i32 = 4;
export const VP_I2F: i32 = 5;
export const VP_ARITH: i32 = 6;
export const VP_ARITHC: i32 = 7;
export const VP_FARITH: i32 = 8;
export const VP_FARITHC: i32 = 9;
export const VP_RANGE: i32 = 10;
export const VP_CMP: i32 = 11;
export const VP_CMPC: i32 = 12;
export const VP_AND: i32 = 13;
export const VP_OR: i32 = 14;
export const VP_NOT: i32 = 15;
export const VP_ISNULL: i32 = 16;
export const VP_DICTMAP: i32 = 17;
export const VP_SELECT: i32 = 18;
export const VP_FILTER: i32 = 19;
export const VP_GZERO: i32 = 20;
export const VP_GKEY: i32 = 21;
export const VP_GROUP: i32 = 22;
export const VP_AGG: i32 = 23;
export const VP_GKEYCOL: i32 = 24;
export const VP_SUMX: i32 = 25;

// Accumulator kinds: per group three 8-byte words [count, a, b].
export const AGG_COUNT: i32 = 0; // count of non-NULL v (or of rows)
export const AGG_SUM128: i32 = 1; // a = low u64, b = high i64 of the i128 sum
export const AGG_SUMF: i32 = 2; // a = f64 sum (row order)
export const AGG_MIN64: i32 = 3;
export const AGG_MAX64: i32 = 4;
export const AGG_MINF: i32 = 5; // PostgreSQL float order: NaN above all
export const AGG_MAXF: i32 = 6;

// @ts-ignore: decorator
@inline const CHUNK: i32 = 1024;
// @ts-ignore: decorator
@inline const MAX_REGS: i32 = 48;
// @ts-ignore: decorator
@inline const MAX_ACCS: i32 = 64;
// @ts-ignore: decorator
@inline const REG_BYTES: usize = 8 * 1024 + 1024; // data (8 B/row) then nulls (1 B/row)

// Handle fields (byte offsets).
// @ts-ignore: decorator
@inline const H_PROG: usize = 0;
// @ts-ignore: decorator
@inline const H_PLEN: usize = 4;
// @ts-ignore: decorator
@inline const H_REGS: usize = 8; // register buffers
// @ts-ignore: decorator
@inline const H_RPTR: usize = 12; // per register: u32 data ptr, u32 nulls ptr
// @ts-ignore: decorator
@inline const H_SEL: usize = 16;
// @ts-ignore: decorator
@inline const H_NS: usize = 20;
// @ts-ignore: decorator
@inline const H_DENSE: usize = 24;
// @ts-ignore: decorator
@inline const H_OVER: usize = 28;
// @ts-ignore: decorator
@inline const H_NACC: usize = 32;
// @ts-ignore: decorator
@inline const H_ACCS: usize = 36; // u32 per accumulator: its group array
// @ts-ignore: decorator
@inline const H_GCOUNT: usize = 40;
// @ts-ignore: decorator
@inline const H_GCAP: usize = 44;
// @ts-ignore: decorator
@inline const H_GKEYS: usize = 48; // i64 key per group
// @ts-ignore: decorator
@inline const H_DIRECT: usize = 52; // i32 group per key when the key range is small
// @ts-ignore: decorator
@inline const H_DRANGE: usize = 56;
// @ts-ignore: decorator
@inline const H_HBITS: usize = 60;
// @ts-ignore: decorator
@inline const H_HKEYS: usize = 64;
// @ts-ignore: decorator
@inline const H_HGIDS: usize = 68;
// @ts-ignore: decorator
@inline const H_AUX: usize = 72; // singly linked list of host-requested buffers
// @ts-ignore: decorator
@inline const H_PERM: usize = 76; // rows of the chunk ordered by group (small group counts), and group run starts
// @ts-ignore: decorator
@inline const H_PREG: usize = 80; // the group-number register the permutation is of, -1 none (reset per chunk)
// @ts-ignore: decorator
@inline const H_SHAPE: usize = 84; // 0 not analysed yet, 1 analysed (H_BODY, H_MASKOK valid)
// @ts-ignore: decorator
@inline const H_BODY: usize = 88; // pc of the first instruction after the last FILTER / SELECT
// @ts-ignore: decorator
@inline const H_MASKOK: usize = 92; // 1: the body may run masked (AGGs only after every other instruction)
// @ts-ignore: decorator
@inline const H_MASK: usize = 96; // u8 per chunk row: 1 = selected (masked mode)
// @ts-ignore: decorator
@inline const H_PART: usize = 100; // partial sums: PART_COPIES copies of (PART_GROUPS + 1) i64 slots
// @ts-ignore: decorator
@inline const H_HIST: usize = 104; // rows per group of the chunk (i64 per group), of register H_HREG
// @ts-ignore: decorator
@inline const H_HREG: usize = 108; // the group-number register H_HIST counts, -1 none (reset per chunk)
// @ts-ignore: decorator
@inline const H_NSEL: usize = 112; // selected rows of the chunk (masked mode)
// @ts-ignore: decorator
@inline const H_TOUCH: usize = 116; // touchChunk's result (kept so its loads are not dead)
// @ts-ignore: decorator
@inline const H_LASTMASK: usize = 120; // 1: the last chunk ran masked
// @ts-ignore: decorator
@inline const H_XBUF: usize = 124; // SUMX scratch: a zero vector, term descriptors, register bounds, partials
// @ts-ignore: decorator
@inline const H_SIZE: usize = 128;
/** Up to this many groups, grouped sums run group by group over the chunk's rows ordered by group. */
// @ts-ignore: decorator
@inline const PERM_GROUPS: i32 = 256;
/** Up to this many groups, grouped sums and counts add into per-chunk i64 partials (PART_COPIES
 *  interleaved copies, so consecutive rows do not wait on one another), flushed to i128 per chunk. */
// @ts-ignore: decorator
@inline const PART_GROUPS: i32 = 64;
// @ts-ignore: decorator
@inline const PART_COPIES: i32 = 4;
// @ts-ignore: decorator
@inline const PART_BYTES: usize = <usize>(PART_COPIES * (PART_GROUPS + 1)) << 3;
/** Grouped sums of up to this many registers share one pass (their partials side by side per slot). */
// @ts-ignore: decorator
@inline const PART_MULTI: i32 = 4;
/** Consecutive SUMX instructions of one group register, up to this many, share one pass. */
// @ts-ignore: decorator
@inline const X_MULTI: i32 = 6;
// @ts-ignore: decorator
@inline const X_ZERO: usize = 0; // CHUNK i64 zeros (the register of a constant factor)
// @ts-ignore: decorator
@inline const X_DESC: usize = <usize>CHUNK * 8; // X_MULTI term descriptors of X_DESC_BYTES
// @ts-ignore: decorator
@inline const X_DESC_BYTES: usize = 96;
// @ts-ignore: decorator
@inline const X_TMP: usize = X_DESC + <usize>X_MULTI * X_DESC_BYTES; // descriptors in program order
// @ts-ignore: decorator
@inline const X_BITS: usize = X_TMP + <usize>X_MULTI * X_DESC_BYTES; // i32 per register: magnitude bits this chunk, -1 unknown
// @ts-ignore: decorator
@inline const X_PART: usize = X_BITS + <usize>MAX_REGS * 4;
// @ts-ignore: decorator
@inline const X_BYTES: usize = X_PART + <usize>(PART_COPIES * (PART_GROUPS + 1) * (X_MULTI + 1)) * 8 + 64;
/** vp_run's internal status: a masked chunk raised a flag before its first AGG; rerun it compacted. */
// @ts-ignore: decorator
@inline const ST_RERUN: i32 = 1;


/** A program of `words` instruction words with `nacc` accumulators; directRange > 0:
 *  group keys lie in [0, directRange) and map through a plain array. 0 when out of memory. */
export function vp_new(words: i32, nacc: i32, directRange: i32): usize {
  if (words < 1 || nacc < 0 || nacc > MAX_ACCS || directRange < 0) return 0;
  const h = alloc(H_SIZE);
  if (h == 0) return 0;
  memory.fill(h, 0, H_SIZE);
  const prog = alloc(<usize>words << 2);
  const regs = alloc(<usize>MAX_REGS * REG_BYTES);
  const rptr = alloc(<usize>MAX_REGS * 8);
  const sel = alloc(<usize>CHUNK * 4 + 64);
  const accs = alloc(<usize>max(nacc, 1) * 4);
  const gkeys = alloc(8 * 64);
  const perm = alloc(<usize>(CHUNK + PERM_GROUPS + 2) * 4);
  const mask = alloc(<usize>CHUNK + 16);
  const part = alloc(PART_BYTES * <usize>PART_MULTI + 64);
  const hist = alloc(PART_BYTES);
  const xbuf = alloc(X_BYTES);
  store<u32>(h + H_XBUF, <u32>xbuf);
  if (xbuf != 0) memory.fill(xbuf, 0, X_BYTES);
  store<u32>(h + H_PERM, <u32>perm);
  store<u32>(h + H_MASK, <u32>mask);
  store<u32>(h + H_PART, <u32>part);
  store<u32>(h + H_HIST, <u32>hist);
  store<u32>(h + H_PROG, <u32>prog);
  store<i32>(h + H_PLEN, words);
  store<u32>(h + H_REGS, <u32>regs);
  store<u32>(h + H_RPTR, <u32>rptr);
  store<u32>(h + H_SEL, <u32>sel);
  store<i32>(h + H_NACC, nacc);
  store<u32>(h + H_ACCS, <u32>accs);
  store<u32>(h + H_GKEYS, <u32>gkeys);
  store<i32>(h + H_GCAP, 64);
  if (prog == 0 || regs == 0 || rptr == 0 || sel == 0 || accs == 0 || gkeys == 0 || perm == 0 || mask == 0 || part == 0 || hist == 0 || xbuf == 0) {
    vp_free(h);
    return 0;
  }
  memory.fill(prog, 0, <usize>words << 2);
  memory.fill(rptr, 0, <usize>MAX_REGS * 8);
  for (let a = 0; a < nacc; a++) {
    const p = alloc(64 * 24);
    if (p == 0) {
      vp_free(h);
      return 0;
    }
    memory.fill(p, 0, 64 * 24);
    store<u32>(accs + (<usize>a << 2), <u32>p);
  }
  if (directRange > 0) {
    const d = alloc(<usize>directRange << 2);
    if (d == 0) {
      vp_free(h);
      return 0;
    }
    memory.fill(d, 0xff, <usize>directRange << 2);
    store<u32>(h + H_DIRECT, <u32>d);
    store<i32>(h + H_DRANGE, directRange);
  } else {
    const bits = 8;
    const hk = alloc(<usize>8 << bits);
    const hg = alloc(<usize>4 << bits);
    store<u32>(h + H_HKEYS, <u32>hk);
    store<u32>(h + H_HGIDS, <u32>hg);
    store<i32>(h + H_HBITS, bits);
    if (hk == 0 || hg == 0) {
      vp_free(h);
      return 0;
    }
    memory.fill(hg, 0xff, <usize>4 << bits);
  }
  return h;
}

export function vp_free(h: usize): void {
  if (h == 0) return;
  const nacc = load<i32>(h + H_NACC);
  const accs = <usize>load<u32>(h + H_ACCS);
  if (accs != 0) for (let a = 0; a < nacc; a++) free(<usize>load<u32>(accs + (<usize>a << 2)));
  free(accs);
  free(<usize>load<u32>(h + H_PROG));
  free(<usize>load<u32>(h + H_REGS));
  free(<usize>load<u32>(h + H_RPTR));
  free(<usize>load<u32>(h + H_SEL));
  free(<usize>load<u32>(h + H_GKEYS));
  free(<usize>load<u32>(h + H_PERM));
  free(<usize>load<u32>(h + H_MASK));
  free(<usize>load<u32>(h + H_PART));
  free(<usize>load<u32>(h + H_HIST));
  free(<usize>load<u32>(h + H_XBUF));
  free(<usize>load<u32>(h + H_DIRECT));
  free(<usize>load<u32>(h + H_HKEYS));
  free(<usize>load<u32>(h + H_HGIDS));
  let aux = <usize>load<u32>(h + H_AUX);
  while (aux != 0) {
    const next = <usize>load<u32>(aux);
    free(aux);
    aux = next;
  }
  free(h);
}

/** Where the host writes the program's words. */
export function vp_prog(h: usize): usize {
  return <usize>load<u32>(h + H_PROG);
}

/** A buffer of `bytes` bytes owned by the program (freed with it): dictionary maps. */
export function vp_aux(h: usize, bytes: u32): usize {
  const p = alloc(<usize>bytes + 16);
  if (p == 0) return 0;
  store<u32>(p, load<u32>(h + H_AUX));
  store<u32>(h + H_AUX, <u32>p);
  return p + 16;
}

export function vp_group_count(h: usize): i32 {
  return load<i32>(h + H_GCOUNT);
}
/** Group keys (i64 each) by group number. */
export function vp_group_keys(h: usize): usize {
  return <usize>load<u32>(h + H_GKEYS);
}
/** Accumulator `a`'s per-group words: [count, a, b] (8 bytes each) per group. */
export function vp_acc(h: usize, a: i32): usize {
  if (a < 0 || a >= load<i32>(h + H_NACC)) return 0;
  return <usize>load<u32>(<usize>load<u32>(h + H_ACCS) + (<usize>a << 2));
}

// ---- registers ----

// @ts-ignore: decorator
@inline function rdata(h: usize, r: i32): usize {
  return <usize>load<u32>(<usize>load<u32>(h + H_RPTR) + (<usize>r << 3));
}
// @ts-ignore: decorator
@inline function rnulls(h: usize, r: i32): usize {
  return <usize>load<u32>(<usize>load<u32>(h + H_RPTR) + (<usize>r << 3) + 4);
}
// @ts-ignore: decorator
@inline function rset(h: usize, r: i32, data: usize, nulls: usize): void {
  const p = <usize>load<u32>(h + H_RPTR) + (<usize>r << 3);
  store<u32>(p, <u32>data);
  store<u32>(p + 4, <u32>nulls);
}
/** The register's own buffers. */
// @ts-ignore: decorator
@inline function rown(h: usize, r: i32): usize {
  return <usize>load<u32>(h + H_REGS) + <usize>r * REG_BYTES;
}
// @ts-ignore: decorator
@inline function rownNulls(h: usize, r: i32): usize {
  return rown(h, r) + 8 * 1024;
}

/** The nulls of a result of two registers: 0 when neither has any, else their union in d's buffer. */
function unionNulls(h: usize, d: i32, na: usize, nb: usize, ns: i32): usize {
  if (na == 0 && nb == 0) return 0;
  const out = rownNulls(h, d);
  if (na == 0) memory.copy(out, nb, <usize>ns);
  else if (nb == 0) memory.copy(out, na, <usize>ns);
  else {
    let j = 0;
    for (; j + 16 <= ns; j += 16) v128.store(out + <usize>j, v128.or(v128.load(na + <usize>j), v128.load(nb + <usize>j)));
    for (; j < ns; j++) store<u8>(out + <usize>j, load<u8>(na + <usize>j) | load<u8>(nb + <usize>j));
  }
  return out;
}

// @ts-ignore: decorator
@inline function nullAt(nulls: usize, j: i32): i32 {
  return nulls == 0 ? 0 : <i32>load<u8>(nulls + <usize>j);
}

// ---- loads ----

// @ts-ignore: decorator
@inline function loadCol<T>(h: usize, d: i32, col: usize, nul: usize, base: i32, ns: i32, dense: bool, sel: usize): void {
  const sz = sizeof<T>();
  if (dense) {
    rset(h, d, col + <usize>base * sz, nul == 0 ? 0 : nul + <usize>base);
    return;
  }
  const out = rown(h, d);
  const src = col + <usize>base * sz;
  for (let j = 0; j < ns; j++) {
    const r = <usize>load<i32>(sel + (<usize>j << 2));
    store<T>(out + <usize>j * sz, load<T>(src + r * sz));
  }
  let on: usize = 0;
  if (nul != 0) {
    on = rownNulls(h, d);
    const ns0 = nul + <usize>base;
    for (let j = 0; j < ns; j++) store<u8>(on + <usize>j, load<u8>(ns0 + <usize>load<i32>(sel + (<usize>j << 2))));
  }
  rset(h, d, out, on);
}

// Each kernel loop lives in a function of its own (not inlined into the
// interpreter): the engine then optimises them one by one, early, instead of
// one huge function late.
function load32(h: usize, d: i32, col: usize, nul: usize, base: i32, ns: i32, dense: bool, sel: usize): void {
  loadCol<i32>(h, d, col, nul, base, ns, dense, sel);
}
function load64(h: usize, d: i32, col: usize, nul: usize, base: i32, ns: i32, dense: bool, sel: usize): void {
  loadCol<i64>(h, d, col, nul, base, ns, dense, sel);
}
function load8(h: usize, d: i32, col: usize, nul: usize, base: i32, ns: i32, dense: bool, sel: usize): void {
  loadCol<u8>(h, d, col, nul, base, ns, dense, sel);
}

// ---- arithmetic ----

// @ts-ignore: decorator
@inline function addOver(a: i64, b: i64, r: i64): i64 {
  return (a ^ r) & (b ^ r);
}
// @ts-ignore: decorator
@inline function subOver(a: i64, b: i64, r: i64): i64 {
  return (a ^ b) & (a ^ r);
}
/** a * b with an exact overflow test (negative flag = overflow). */
// @ts-ignore: decorator
@inline function mulChecked(a: i64, b: i64, over: usize): i64 {
  const r = a * b;
  // Both within 32 bits: the product fits. Otherwise check through division.
  if (<u64>(a + 0x80000000) > 0xffffffff || <u64>(b + 0x80000000) > 0xffffffff) {
    if (a != 0 && ((a == -1 && b == i64.MIN_VALUE) || (b == -1 && a == i64.MIN_VALUE) || r / a != b)) store<i32>(over, 1);
  }
  return r;
}

/** d = a op b (op 3: c - a) on i64, two rows per SIMD step, flagging overflow. A product is
 *  computed fast only while every operand fits in 32 bits: false when one does not (the caller
 *  then redoes the product exactly). */
// @ts-ignore: decorator
@inline function arithV(op: i32, pa: usize, pb: usize, c: i64, useConst: bool, out: usize, ns: i32, overAt: usize): bool {
  const vc = i64x2.splat(c);
  const k80 = i64x2.splat(0x80000000);
  let o = i64x2.splat(0); // add / sub: overflow in the sign bits; mul: operand bits above 32
  let j = 0;
  if (op == 2) {
    // Four rows a step: the low halves of the i64 operands as i32x4, their i64 products by
    // extmul (exact while every operand fits in 32 bits: its high half is its low half's sign).
    const cl = i32x4.splat(<i32>c);
    const ch = i32x4.splat(<i32>(c >> 32));
    for (; j + 4 <= ns; j += 4) {
      const at = <usize>j << 3;
      const x01 = v128.load(pa + at);
      const x23 = v128.load(pa + at, 16);
      const xl = v128.shuffle<i32>(x01, x23, 0, 2, 4, 6);
      const xh = v128.shuffle<i32>(x01, x23, 1, 3, 5, 7);
      o = v128.or(o, i32x4.ne(xh, i32x4.shr_s(xl, 31)));
      let yl: v128;
      if (useConst) {
        yl = cl;
        o = v128.or(o, i32x4.ne(ch, i32x4.shr_s(cl, 31)));
      } else {
        const y01 = v128.load(pb + at);
        const y23 = v128.load(pb + at, 16);
        yl = v128.shuffle<i32>(y01, y23, 0, 2, 4, 6);
        const yh = v128.shuffle<i32>(y01, y23, 1, 3, 5, 7);
        o = v128.or(o, i32x4.ne(yh, i32x4.shr_s(yl, 31)));
      }
      v128.store(out + at, i64x2.extmul_low_i32x4_s(xl, yl));
      v128.store(out + at, i64x2.extmul_high_i32x4_s(xl, yl), 16);
    }
  }
  for (; j + 2 <= ns; j += 2) {
    const at = <usize>j << 3;
    const x = v128.load(pa + at);
    const y = useConst ? vc : v128.load(pb + at);
    let r: v128;
    if (op == 0) {
      r = i64x2.add(x, y);
      o = v128.or(o, v128.and(v128.xor(x, r), v128.xor(y, r)));
    } else if (op == 1) {
      r = i64x2.sub(x, y);
      o = v128.or(o, v128.and(v128.xor(x, y), v128.xor(x, r)));
    } else if (op == 3) {
      r = i64x2.sub(y, x);
      o = v128.or(o, v128.and(v128.xor(y, x), v128.xor(y, r)));
    } else {
      r = i64x2.mul(x, y);
      o = v128.or(o, v128.or(i64x2.shr_u(i64x2.add(x, k80), 32), i64x2.shr_u(i64x2.add(y, k80), 32)));
    }
    v128.store(out + at, r);
  }
  let os: i64 = 0;
  for (; j < ns; j++) {
    const x = load<i64>(pa + (<usize>j << 3));
    const y = useConst ? c : load<i64>(pb + (<usize>j << 3));
    let r: i64;
    if (op == 0) {
      r = x + y;
      os |= addOver(x, y, r);
    } else if (op == 1) {
      r = x - y;
      os |= subOver(x, y, r);
    } else if (op == 3) {
      r = y - x;
      os |= subOver(y, x, r);
    } else r = mulChecked(x, y, overAt);
    store<i64>(out + (<usize>j << 3), r);
  }
  if (op == 2) return !v128.any_true(o);
  if (i64x2.bitmask(o) != 0 || os < 0) store<i32>(overAt, 1);
  return true;
}

function arith(h: usize, d: i32, a: i32, b: i32, op: i32, c: i64, useConst: bool, ns: i32): void {
  const pa = rdata(h, a);
  const na = rnulls(h, a);
  const pb: usize = useConst ? 0 : rdata(h, b);
  const nb: usize = useConst ? 0 : rnulls(h, b);
  const out = rown(h, d);
  const nout = unionNulls(h, d, na, nb, ns);
  const overAt = h + H_OVER;
  let ok: bool;
  if (useConst) {
    if (op == 0) ok = arithV(0, pa, 0, c, true, out, ns, overAt);
    else if (op == 1) ok = arithV(1, pa, 0, c, true, out, ns, overAt);
    else if (op == 3) ok = arithV(3, pa, 0, c, true, out, ns, overAt);
    else ok = arithV(2, pa, 0, c, true, out, ns, overAt);
  } else {
    if (op == 0) ok = arithV(0, pa, pb, 0, false, out, ns, overAt);
    else if (op == 1) ok = arithV(1, pa, pb, 0, false, out, ns, overAt);
    else ok = arithV(2, pa, pb, 0, false, out, ns, overAt);
  }
  if (!ok) {
    // Some operand exceeds 32 bits: the exact, row by row product test.
    for (let j = 0; j < ns; j++) {
      const x = load<i64>(pa + (<usize>j << 3));
      const y = useConst ? c : load<i64>(pb + (<usize>j << 3));
      store<i64>(out + (<usize>j << 3), mulChecked(x, y, overAt));
    }
  }
  // A NULL row's slot holds 0 (its operands were 0 and so is its result, except c - 0 and 0 + c).
  if (nout != 0 && useConst) for (let j = 0; j < ns; j++) if (load<u8>(nout + <usize>j) != 0) store<i64>(out + (<usize>j << 3), 0);
  rset(h, d, out, nout);
}

// @ts-ignore: decorator
@inline function isInf(x: f64): bool {
  return x - x != x - x && x == x;
}

function farith(h: usize, d: i32, a: i32, b: i32, op: i32, c: f64, useConst: bool, ns: i32): void {
  const pa = rdata(h, a);
  const na = rnulls(h, a);
  const pb: usize = useConst ? 0 : rdata(h, b);
  const nb: usize = useConst ? 0 : rnulls(h, b);
  const out = rown(h, d);
  const nout = unionNulls(h, d, na, nb, ns);
  let bad = false;
  for (let j = 0; j < ns; j++) {
    let x = load<f64>(pa + (<usize>j << 3));
    let y = useConst ? c : load<f64>(pb + (<usize>j << 3));
    if (op == 3) {
      const t = x;
      x = y;
      y = t;
    }
    let r: f64;
    if (op == 0) r = x + y;
    else if (op == 1 || op == 3) r = x - y;
    else r = x * y;
    // PostgreSQL's float8 checks: overflow (infinite from finite), underflow (zero product of non-zeros).
    if (isInf(r) && !isInf(x) && !isInf(y)) bad = true;
    if (op == 2 && r == 0 && x != 0 && y != 0) bad = true;
    store<f64>(out + (<usize>j << 3), r);
  }
  if (nout != 0) {
    for (let j = 0; j < ns; j++) if (load<u8>(nout + <usize>j) != 0) store<f64>(out + (<usize>j << 3), 0);
  } else if (bad) store<i32>(h + H_OVER, 1);
  if (bad && nout != 0) {
    // Only a non-NULL row's failure counts.
    for (let j = 0; j < ns; j++) {
      if (load<u8>(nout + <usize>j) != 0) continue;
      const x = load<f64>(pa + (<usize>j << 3));
      const y = useConst ? c : load<f64>(pb + (<usize>j << 3));
      const r = load<f64>(out + (<usize>j << 3));
      if ((isInf(r) && !isInf(x) && !isInf(y)) || (op == 2 && r == 0 && x != 0 && y != 0)) store<i32>(h + H_OVER, 1);
    }
  }
  rset(h, d, out, nout);
}

// ---- comparisons ----

// @ts-ignore: decorator
@inline function scmp<T>(op: i32, a: T, b: T): bool {
  if (isFloat<T>()) {
    const na = a != a;
    const nb = b != b;
    if (op == 0) return a == b || (na && nb);
    if (op == 1) return !(a == b || (na && nb));
    if (op == 2) return a < b || (!na && nb);
    if (op == 3) return a <= b || nb;
    if (op == 4) return a > b || (na && !nb);
    return a >= b || na;
  }
  if (op == 0) return a == b;
  if (op == 1) return a != b;
  if (op == 2) return a < b;
  if (op == 3) return a <= b;
  if (op == 4) return a > b;
  return a >= b;
}

// @ts-ignore: decorator
@inline function cmpTest<T>(op: i32, x: T, y: T, c2: T): bool {
  if (op == 6) return scmp<T>(5, x, y) && scmp<T>(3, x, c2);
  return scmp<T>(op, x, y);
}

// @ts-ignore: decorator
@inline function cmpLoop<T>(op: i32, pa: usize, pb: usize, c: T, c2: T, useConst: bool, nout: usize, out: usize, ns: i32): void {
  const sz = sizeof<T>();
  for (let j = 0; j < ns; j++) {
    const x = load<T>(pa + <usize>j * sz);
    const y = useConst ? c : load<T>(pb + <usize>j * sz);
    let r = <u8>cmpTest<T>(op, x, y, c2);
    if (nout != 0) r &= <u8>(load<u8>(nout + <usize>j) ^ 1);
    store<u8>(out + <usize>j, r);
  }
}

// @ts-ignore: decorator
@inline function cmpOps<T>(op: i32, pa: usize, pb: usize, c: T, c2: T, useConst: bool, nout: usize, out: usize, ns: i32): void {
  switch (op) {
    case 0: cmpLoop<T>(0, pa, pb, c, c2, useConst, nout, out, ns); break;
    case 1: cmpLoop<T>(1, pa, pb, c, c2, useConst, nout, out, ns); break;
    case 2: cmpLoop<T>(2, pa, pb, c, c2, useConst, nout, out, ns); break;
    case 3: cmpLoop<T>(3, pa, pb, c, c2, useConst, nout, out, ns); break;
    case 4: cmpLoop<T>(4, pa, pb, c, c2, useConst, nout, out, ns); break;
    case 5: cmpLoop<T>(5, pa, pb, c, c2, useConst, nout, out, ns); break;
    default: cmpLoop<T>(6, pa, pb, c, c2, useConst, nout, out, ns); break;
  }
}

function compare(h: usize, d: i32, a: i32, b: i32, op: i32, t: i32, c: i64, c2: i64, useConst: bool, ns: i32): void {
  const pa = rdata(h, a);
  const pb: usize = useConst ? 0 : rdata(h, b);
  const nout = unionNulls(h, d, rnulls(h, a), useConst ? 0 : rnulls(h, b), ns);
  const out = rown(h, d);
  if (t == 0) cmpOps<i32>(op, pa, pb, <i32>c, <i32>c2, useConst, nout, out, ns);
  else if (t == 1) cmpOps<i64>(op, pa, pb, c, c2, useConst, nout, out, ns);
  else cmpOps<f64>(op, pa, pb, reinterpret<f64>(c), reinterpret<f64>(c2), useConst, nout, out, ns);
  rset(h, d, out, nout);
}

// ---- filters straight off a column (SIMD while the chunk is dense) ----

// @ts-ignore: decorator
@inline function vcmp<T>(op: i32, a: v128, b: v128): v128 {
  if (isFloat<T>()) {
    const na = v128.ne<T>(a, a);
    const nb = v128.ne<T>(b, b);
    if (op == 0) return v128.or(v128.eq<T>(a, b), v128.and(na, nb));
    if (op == 1) return v128.not(v128.or(v128.eq<T>(a, b), v128.and(na, nb)));
    if (op == 2) return v128.or(v128.lt<T>(a, b), v128.andnot(nb, na));
    if (op == 3) return v128.or(v128.le<T>(a, b), nb);
    if (op == 4) return v128.or(v128.gt<T>(a, b), v128.andnot(na, nb));
    return v128.or(v128.ge<T>(a, b), na);
  }
  if (op == 0) return v128.eq<T>(a, b);
  if (op == 1) return v128.ne<T>(a, b);
  if (op == 2) return v128.lt<T>(a, b);
  if (op == 3) return v128.le<T>(a, b);
  if (op == 4) return v128.gt<T>(a, b);
  return v128.ge<T>(a, b);
}

/** Dense filter of rows [0, n) of col (already offset to the chunk) into sel; returns the count. */
// @ts-ignore: decorator
@inline function denseFilter<T>(op: i32, col: usize, nul: usize, n: i32, c: T, c2: T, sel: usize): i32 {
  const lanes = <i32>(16 / sizeof<T>());
  const vc = v128.splat<T>(c);
  const vc2 = v128.splat<T>(c2);
  let k = 0;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    let m: u32 = 0;
    for (let v = 0; v < 8 / lanes; v++) {
      const a = v128.load(col + <usize>(i + v * lanes) * sizeof<T>());
      let r: v128;
      if (op == 6) r = v128.and(vcmp<T>(5, a, vc), vcmp<T>(3, a, vc2));
      else r = vcmp<T>(op, a, vc);
      const bm = sizeof<T>() == 8 ? i64x2.bitmask(r) : i32x4.bitmask(r);
      m |= <u32>bm << <u32>(v * lanes);
    }
    if (nul != 0) {
      const nv = v128.load64_zero(nul + <usize>i);
      m &= ~(<u32>i8x16.bitmask(i8x16.ne(nv, i8x16.splat(0)))) & 0xff;
    }
    if (m == 0xff) {
      const b = i32x4.splat(i);
      v128.store(sel + (<usize>k << 2), i32x4.add(b, i32x4(0, 1, 2, 3)));
      v128.store(sel + (<usize>k << 2), i32x4.add(b, i32x4(4, 5, 6, 7)), 16);
      k += 8;
    } else if (m != 0) {
      for (let j = 0; j < 8; j++) {
        store<i32>(sel + (<usize>k << 2), i + j);
        k += <i32>((m >> <u32>j) & 1);
      }
    }
  }
  for (; i < n; i++) {
    const a = load<T>(col + <usize>i * sizeof<T>());
    let ok = cmpTest<T>(op, a, c, c2);
    if (nul != 0 && load<u8>(nul + <usize>i) != 0) ok = false;
    store<i32>(sel + (<usize>k << 2), i);
    k += <i32>ok;
  }
  return k;
}

/** Sparse filter: keeps the selected rows (sel[j]) that pass, in place. */
// @ts-ignore: decorator
@inline function sparseFilter<T>(op: i32, col: usize, nul: usize, ns: i32, c: T, c2: T, sel: usize): i32 {
  let k = 0;
  for (let j = 0; j < ns; j++) {
    const r = load<i32>(sel + (<usize>j << 2));
    const a = load<T>(col + <usize>r * sizeof<T>());
    let ok = cmpTest<T>(op, a, c, c2);
    if (nul != 0) ok = ok && load<u8>(nul + <usize>r) == 0;
    store<i32>(sel + (<usize>k << 2), r);
    k += <i32>ok;
  }
  return k;
}

// @ts-ignore: decorator
@inline function filterDenseT<T>(op: i32, col: usize, nul: usize, ns: i32, c: T, c2: T, sel: usize): i32 {
  {
    switch (op) {
      case 0: return denseFilter<T>(0, col, nul, ns, c, c2, sel);
      case 1: return denseFilter<T>(1, col, nul, ns, c, c2, sel);
      case 2: return denseFilter<T>(2, col, nul, ns, c, c2, sel);
      case 3: return denseFilter<T>(3, col, nul, ns, c, c2, sel);
      case 4: return denseFilter<T>(4, col, nul, ns, c, c2, sel);
      case 5: return denseFilter<T>(5, col, nul, ns, c, c2, sel);
      default: return denseFilter<T>(6, col, nul, ns, c, c2, sel);
    }
  }
}

// @ts-ignore: decorator
@inline function filterSparseT<T>(op: i32, col: usize, nul: usize, ns: i32, c: T, c2: T, sel: usize): i32 {
  switch (op) {
    case 0: return sparseFilter<T>(0, col, nul, ns, c, c2, sel);
    case 1: return sparseFilter<T>(1, col, nul, ns, c, c2, sel);
    case 2: return sparseFilter<T>(2, col, nul, ns, c, c2, sel);
    case 3: return sparseFilter<T>(3, col, nul, ns, c, c2, sel);
    case 4: return sparseFilter<T>(4, col, nul, ns, c, c2, sel);
    case 5: return sparseFilter<T>(5, col, nul, ns, c, c2, sel);
    default: return sparseFilter<T>(6, col, nul, ns, c, c2, sel);
  }
}

function filterDense32(op: i32, col: usize, nul: usize, ns: i32, c: i32, c2: i32, sel: usize): i32 {
  return filterDenseT<i32>(op, col, nul, ns, c, c2, sel);
}
function filterDense64(op: i32, col: usize, nul: usize, ns: i32, c: i64, c2: i64, sel: usize): i32 {
  return filterDenseT<i64>(op, col, nul, ns, c, c2, sel);
}
function filterDenseF(op: i32, col: usize, nul: usize, ns: i32, c: f64, c2: f64, sel: usize): i32 {
  return filterDenseT<f64>(op, col, nul, ns, c, c2, sel);
}
function filterSparse32(op: i32, col: usize, nul: usize, ns: i32, c: i32, c2: i32, sel: usize): i32 {
  return filterSparseT<i32>(op, col, nul, ns, c, c2, sel);
}
function filterSparse64(op: i32, col: usize, nul: usize, ns: i32, c: i64, c2: i64, sel: usize): i32 {
  return filterSparseT<i64>(op, col, nul, ns, c, c2, sel);
}
function filterSparseF(op: i32, col: usize, nul: usize, ns: i32, c: f64, c2: f64, sel: usize): i32 {
  return filterSparseT<f64>(op, col, nul, ns, c, c2, sel);
}

// ---- groups ----

function newGroup(h: usize, key: i64): i32 {
  const g = load<i32>(h + H_GCOUNT);
  let cap = load<i32>(h + H_GCAP);
  if (g >= cap) {
    const ncap = cap << 1;
    const gk = realloc(<usize>load<u32>(h + H_GKEYS), <usize>ncap << 3);
    if (gk == 0) return -1;
    store<u32>(h + H_GKEYS, <u32>gk);
    const nacc = load<i32>(h + H_NACC);
    const accs = <usize>load<u32>(h + H_ACCS);
    for (let a = 0; a < nacc; a++) {
      const at = accs + (<usize>a << 2);
      const p = realloc(<usize>load<u32>(at), <usize>ncap * 24);
      if (p == 0) return -1;
      memory.fill(p + <usize>cap * 24, 0, <usize>(ncap - cap) * 24);
      store<u32>(at, <u32>p);
    }
    store<i32>(h + H_GCAP, ncap);
    cap = ncap;
  }
  store<i64>(<usize>load<u32>(h + H_GKEYS) + (<usize>g << 3), key);
  store<i32>(h + H_GCOUNT, g + 1);
  return g;
}

function growHash(h: usize): bool {
  const bits = load<i32>(h + H_HBITS);
  if (!rehashI64(<usize>load<u32>(h + H_HKEYS), <usize>load<u32>(h + H_HGIDS), bits)) return false;
  store<u32>(h + H_HKEYS, <u32>rehashedKeys);
  store<u32>(h + H_HGIDS, <u32>rehashedGids);
  store<i32>(h + H_HBITS, bits + 1);
  return true;
}

function groupIds(h: usize, d: i32, a: i32, ns: i32, mask: usize): i32 {
  const keys = rdata(h, a);
  const out = rown(h, d);
  const direct = <usize>load<u32>(h + H_DIRECT);
  if (direct != 0) {
    const range = <u64>load<i32>(h + H_DRANGE);
    let last: i64 = -1;
    let lastG = -1;
    for (let j = 0; j < ns; j++) {
      if (skipRow(mask, j)) {
        store<i32>(out + (<usize>j << 2), -1);
        continue;
      }
      const k = load<i64>(keys + (<usize>j << 3));
      if (k != last) {
        if (<u64>k >= range) return ST_ERR_ARG;
        const at = direct + (<usize>k << 2);
        lastG = load<i32>(at);
        if (lastG < 0) {
          lastG = newGroup(h, k);
          if (lastG < 0) return ST_ERR_NOMEM;
          store<i32>(at, lastG);
        }
        last = k;
      }
      store<i32>(out + (<usize>j << 2), lastG);
    }
  } else {
    for (let j = 0; j < ns; j++) {
      if (skipRow(mask, j)) {
        store<i32>(out + (<usize>j << 2), -1);
        continue;
      }
      const k = load<i64>(keys + (<usize>j << 3));
      const bits = load<i32>(h + H_HBITS);
      const hk = <usize>load<u32>(h + H_HKEYS);
      const hg = <usize>load<u32>(h + H_HGIDS);
      const hmask = (1 << bits) - 1;
      let s = hashSlot(k, bits);
      let g: i32;
      for (;;) {
        g = load<i32>(hg + (<usize>s << 2));
        if (g < 0 || load<i64>(hk + (<usize>s << 3)) == k) break;
        s = (s + 1) & hmask;
      }
      if (g < 0) {
        g = newGroup(h, k);
        if (g < 0) return ST_ERR_NOMEM;
        store<i64>(hk + (<usize>s << 3), k);
        store<i32>(hg + (<usize>s << 2), g);
        if ((load<i32>(h + H_GCOUNT) << 1) > (1 << bits) && !growHash(h)) return ST_ERR_NOMEM;
      }
      store<i32>(out + (<usize>j << 2), g);
    }
  }
  rset(h, d, out, 0);
  return ST_OK;
}

/** GZERO k; GKEYCOL k c1 ...; [GKEYCOL k c2 ...;] GROUP g k in one pass, for a direct group table:
 *  the composite key of each row (written to k as the separate instructions would) and its group
 *  number (-1 for a row a masked chunk did not select). */
// @ts-ignore: decorator
@inline function groupFusedT(h: usize, kd: i32, d: i32, s1: usize, n1: usize, st1: i64, s2: usize, n2: usize, st2: i64, two: bool,
                            ns: i32, dense: bool, sel: usize, mask: usize): i32 {
  const keys = rown(h, kd);
  const out = rown(h, d);
  const direct = <usize>load<u32>(h + H_DIRECT);
  const range = <u64>load<i32>(h + H_DRANGE);
  // Keys first (i32: a direct table's range is below 2^16; four rows a SIMD step while dense and
  // without NULLs), then group numbers (a branch only for a new group).
  const kk = keys; // the key register's buffer holds i32 keys here (the fused GROUP is their only reader)
  const t1 = <i32>st1;
  const t2 = <i32>st2;
  let j = 0;
  if (dense && n1 == 0 && n2 == 0) {
    const one = i32x4.splat(1);
    const v1 = i32x4.splat(t1);
    const v2 = i32x4.splat(t2);
    for (; j + 4 <= ns; j += 4) {
      let k4 = i32x4.mul(i32x4.add(v128.load(s1 + (<usize>j << 2)), one), v1);
      if (two) k4 = i32x4.add(k4, i32x4.mul(i32x4.add(v128.load(s2 + (<usize>j << 2)), one), v2));
      v128.store(kk + (<usize>j << 2), k4);
    }
  }
  for (; j < ns; j++) {
    const r = dense ? <usize>j : <usize>load<i32>(sel + (<usize>j << 2));
    let c1 = load<i32>(s1 + (r << 2)) + 1;
    if (n1 != 0) c1 &= <i32>load<u8>(n1 + r) - 1;
    let k = c1 * t1;
    if (two) {
      let c2 = load<i32>(s2 + (r << 2)) + 1;
      if (n2 != 0) c2 &= <i32>load<u8>(n2 + r) - 1;
      k += c2 * t2;
    }
    store<i32>(kk + (<usize>j << 2), k);
  }
  for (let j = 0; j < ns; j++) {
    const k = load<u32>(kk + (<usize>j << 2));
    if (<u64>k >= range) return ST_ERR_ARG;
    const at = direct + (<usize>k << 2);
    let gid = load<i32>(at);
    if (gid < 0 && !skipRow(mask, j)) {
      gid = newGroup(h, <i64>k);
      if (gid < 0) return ST_ERR_NOMEM;
      store<i32>(at, gid);
    }
    if (mask != 0) gid = select<i32>(gid, -1, load<u8>(mask + <usize>j) != 0);
    store<i32>(out + (<usize>j << 2), gid);
  }
  rset(h, kd, keys, 0);
  rset(h, d, out, 0);
  return ST_OK;
}

function groupFused1(h: usize, kd: i32, d: i32, s1: usize, n1: usize, st1: i64, ns: i32, dense: bool, sel: usize, mask: usize): i32 {
  if (dense) return groupFusedT(h, kd, d, s1, n1, st1, 0, 0, 0, false, ns, true, sel, mask);
  return groupFusedT(h, kd, d, s1, n1, st1, 0, 0, 0, false, ns, false, sel, mask);
}
function groupFused2(h: usize, kd: i32, d: i32, s1: usize, n1: usize, st1: i64, s2: usize, n2: usize, st2: i64,
                     ns: i32, dense: bool, sel: usize, mask: usize): i32 {
  if (dense) return groupFusedT(h, kd, d, s1, n1, st1, s2, n2, st2, true, ns, true, sel, mask);
  return groupFusedT(h, kd, d, s1, n1, st1, s2, n2, st2, true, ns, false, sel, mask);
}

// ---- accumulators ----

function accumulate(h: usize, acc: i32, kind: i32, g: i32, v: i32, ns: i32, mask: usize): i32 {
  if (acc < 0 || acc >= load<i32>(h + H_NACC)) return ST_ERR_ARG;
  if (g < 0 && load<i32>(h + H_GCOUNT) == 0) {
    // No GROUP BY: the one group.
    if (newGroup(h, 0) < 0) return ST_ERR_NOMEM;
  }
  const base = <usize>load<u32>(<usize>load<u32>(h + H_ACCS) + (<usize>acc << 2));
  const gids: usize = g < 0 ? 0 : rdata(h, g);
  const groups = load<i32>(h + H_GCOUNT);
  // Masked chunk: register entry j is chunk row j; mask[j] = 0 rows are not selected (their group number is -1).
  const part = gids != 0 && groups <= PART_GROUPS;
  if (v < 0) {
    // count(*)
    if (gids == 0) store<i64>(base, load<i64>(base) + <i64>(mask == 0 ? ns : load<i32>(h + H_NSEL)));
    else if (part) addCounts(base, groupHist(h, g, gids, ns, groups), groups);
    else if (mask == 0 && groups <= PERM_GROUPS) countByGroup(h, g, base, gids, ns);
    else for (let j = 0; j < ns; j++) {
      if (mask != 0 && load<u8>(mask + <usize>j) == 0) continue;
      const p = base + <usize>load<i32>(gids + (<usize>j << 2)) * 24;
      store<i64>(p, load<i64>(p) + 1);
    }
    return ST_OK;
  }
  const vals = rdata(h, v);
  const nulls = rnulls(h, v);
  if (kind == AGG_SUM128 && gids == 0) {
    let lo: u64 = load<u64>(base + 8);
    let hi: i64 = load<i64>(base + 16);
    let cnt: i64 = 0;
    if (mask == 0) {
      for (let j = 0; j < ns; j++) {
        let x = load<i64>(vals + (<usize>j << 3));
        if (nulls != 0) x &= <i64>load<u8>(nulls + <usize>j) - 1;
        const nlo = lo + <u64>x;
        hi += (x >> 63) + <i64>(nlo < lo);
        lo = nlo;
      }
      if (nulls == 0) cnt = ns;
      else for (let j = 0; j < ns; j++) cnt += <i64>(load<u8>(nulls + <usize>j) ^ 1);
    } else {
      for (let j = 0; j < ns; j++) {
        let live = <i64>load<u8>(mask + <usize>j);
        if (nulls != 0) live &= <i64>(load<u8>(nulls + <usize>j) ^ 1);
        const x = load<i64>(vals + (<usize>j << 3)) & -live;
        const nlo = lo + <u64>x;
        hi += (x >> 63) + <i64>(nlo < lo);
        lo = nlo;
        cnt += live;
      }
    }
    store<i64>(base, load<i64>(base) + cnt);
    store<u64>(base + 8, lo);
    store<i64>(base + 16, hi);
    return ST_OK;
  }
  if (part && (kind == AGG_COUNT || kind == AGG_SUM128)) {
    if (kind == AGG_COUNT || sumPart(h, base, gids, vals, nulls, ns, groups)) {
      if (nulls == 0) addCounts(base, groupHist(h, g, gids, ns, groups), groups);
      else addCounts(base, liveHist(h, gids, nulls, ns, groups), groups);
      return ST_OK;
    }
    // A value of 2^53 or more: the exact row-by-row sum below.
  }
  switch (kind) {
    case AGG_COUNT: accCount(base, gids, nulls, ns, mask); break;
    case AGG_SUM128:
      if (gids != 0 && mask == 0 && groups <= PERM_GROUPS) accSum128ByGroup(h, g, base, gids, vals, nulls, ns);
      else accSum128(base, gids, vals, nulls, ns, mask);
      break;
    case AGG_SUMF: accFold(h, AGG_SUMF, base, gids, vals, nulls, ns, mask); break;
    case AGG_MIN64: accFold(h, AGG_MIN64, base, gids, vals, nulls, ns, mask); break;
    case AGG_MAX64: accFold(h, AGG_MAX64, base, gids, vals, nulls, ns, mask); break;
    case AGG_MINF: accFold(h, AGG_MINF, base, gids, vals, nulls, ns, mask); break;
    case AGG_MAXF: accFold(h, AGG_MAXF, base, gids, vals, nulls, ns, mask); break;
    default: return ST_ERR_ARG;
  }
  return ST_OK;
}

// @ts-ignore: decorator
@inline function skipRow(mask: usize, j: i32): bool {
  return mask != 0 && load<u8>(mask + <usize>j) == 0;
}

function accCount(base: usize, gids: usize, nulls: usize, ns: i32, mask: usize): void {
  for (let j = 0; j < ns; j++) {
    if (skipRow(mask, j)) continue;
    const p = base + (gids == 0 ? 0 : <usize>load<i32>(gids + (<usize>j << 2)) * 24);
    store<i64>(p, load<i64>(p) + <i64>(nullAt(nulls, j) ^ 1));
  }
}

function accSum128(base: usize, gids: usize, vals: usize, nulls: usize, ns: i32, mask: usize): void {
  for (let j = 0; j < ns; j++) {
    if (skipRow(mask, j)) continue;
    const p = base + (gids == 0 ? 0 : <usize>load<i32>(gids + (<usize>j << 2)) * 24);
    const live = <i64>(nullAt(nulls, j) ^ 1);
    const x = load<i64>(vals + (<usize>j << 3)) & -live;
    const lo = load<u64>(p + 8);
    const nlo = lo + <u64>x;
    store<i64>(p, load<i64>(p) + live);
    store<u64>(p + 8, nlo);
    store<i64>(p + 16, load<i64>(p + 16) + (x >> 63) + <i64>(nlo < lo));
  }
}

// ---- per-chunk partials (at most PART_GROUPS groups) ----
//
// PART_COPIES interleaved copies of (groups + 1) i64 slots: row j adds into copy j % 4, so
// consecutive rows of one group do not wait on each other's store. Slot 0 of each copy takes
// group -1 (a row a masked chunk did not select) and is never read.

// A 1,024-row i64 partial of values in [-2^53, 2^53) cannot overflow. v + 2^53 maps that range to
// [0, 2^54): the OR of the biased values is below 2^54 exactly when every value is in range.
// @ts-ignore: decorator
@inline const BIAS53: i64 = <i64>1 << 53;

/** Scatters v (or 1 when ones) by group into the partials, zeroing them first; returns the OR of v + 2^53. */
// @ts-ignore: decorator
@inline function scatter(part: usize, slots: i32, gids: usize, vals: usize, nulls: usize, ns: i32, ones: bool): i64 {
  const stride = <usize>slots << 3;
  memory.fill(part, 0, stride * <usize>PART_COPIES);
  const c0 = part + 8;
  const c1 = c0 + stride;
  const c2 = c1 + stride;
  const c3 = c2 + stride;
  let m: i64 = 0;
  let j = 0;
  for (; j + 4 <= ns; j += 4) {
    const gp = gids + (<usize>j << 2);
    const a0 = c0 + (<usize>load<i32>(gp) << 3);
    const a1 = c1 + (<usize>load<i32>(gp, 4) << 3);
    const a2 = c2 + (<usize>load<i32>(gp, 8) << 3);
    const a3 = c3 + (<usize>load<i32>(gp, 12) << 3);
    let v0: i64, v1: i64, v2: i64, v3: i64;
    if (ones) {
      v0 = 1; v1 = 1; v2 = 1; v3 = 1;
      if (nulls != 0) {
        const np = nulls + <usize>j;
        v0 = <i64>(load<u8>(np) ^ 1);
        v1 = <i64>(load<u8>(np, 1) ^ 1);
        v2 = <i64>(load<u8>(np, 2) ^ 1);
        v3 = <i64>(load<u8>(np, 3) ^ 1);
      }
    } else {
      const vp = vals + (<usize>j << 3);
      v0 = load<i64>(vp);
      v1 = load<i64>(vp, 8);
      v2 = load<i64>(vp, 16);
      v3 = load<i64>(vp, 24);
      if (nulls != 0) {
        const np = nulls + <usize>j;
        v0 &= <i64>load<u8>(np) - 1;
        v1 &= <i64>load<u8>(np, 1) - 1;
        v2 &= <i64>load<u8>(np, 2) - 1;
        v3 &= <i64>load<u8>(np, 3) - 1;
      }
      m |= (v0 + BIAS53) | (v1 + BIAS53) | (v2 + BIAS53) | (v3 + BIAS53);
    }
    store<i64>(a0, load<i64>(a0) + v0);
    store<i64>(a1, load<i64>(a1) + v1);
    store<i64>(a2, load<i64>(a2) + v2);
    store<i64>(a3, load<i64>(a3) + v3);
  }
  for (; j < ns; j++) {
    const a0 = c0 + (<usize>load<i32>(gids + (<usize>j << 2)) << 3);
    let v0: i64;
    if (ones) v0 = nulls == 0 ? 1 : <i64>(load<u8>(nulls + <usize>j) ^ 1);
    else {
      v0 = load<i64>(vals + (<usize>j << 3));
      if (nulls != 0) v0 &= <i64>load<u8>(nulls + <usize>j) - 1;
      m |= v0 + BIAS53;
    }
    store<i64>(a0, load<i64>(a0) + v0);
  }
  return m;
}

/** The partials' per-group totals, into copy 0's slots 0..groups-1 (slot x + 1 read before slot x is written). */
// @ts-ignore: decorator
@inline function reduceCopies(part: usize, slots: i32, groups: i32): void {
  const stride = <usize>slots << 3;
  for (let x = 0; x < groups; x++) {
    const p = part + (<usize>(x + 1) << 3);
    store<i64>(part + (<usize>x << 3), load<i64>(p) + load<i64>(p + stride) + load<i64>(p + 2 * stride) + load<i64>(p + 3 * stride));
  }
}

/** Four consecutive values at vp into four partial slots (a0..a3 + o); the OR of their biased values. */
// @ts-ignore: decorator
@inline function add4(vp: usize, a0: usize, a1: usize, a2: usize, a3: usize, o: usize): i64 {
  const x0 = load<i64>(vp);
  const x1 = load<i64>(vp, 8);
  const x2 = load<i64>(vp, 16);
  const x3 = load<i64>(vp, 24);
  store<i64>(a0 + o, load<i64>(a0 + o) + x0);
  store<i64>(a1 + o, load<i64>(a1 + o) + x1);
  store<i64>(a2 + o, load<i64>(a2 + o) + x2);
  store<i64>(a3 + o, load<i64>(a3 + o) + x3);
  return (x0 + BIAS53) | (x1 + BIAS53) | (x2 + BIAS53) | (x3 + BIAS53);
}

/** Grouped sums of K registers (no NULLs) in one pass: per slot K partials side by side.
 *  Returns the OR of v + 2^53 over all of them. */
// @ts-ignore: decorator
@inline function scatterK(part: usize, slots: i32, gids: usize, v0p: usize, v1p: usize, v2p: usize, v3p: usize, K: i32, ns: i32): i64 {
  const stride = <usize>(slots * K) << 3;
  memory.fill(part, 0, stride * <usize>PART_COPIES);
  const c0 = part + (<usize>K << 3);
  let m: i64 = 0;
  let j = 0;
  // Four rows a step into four copies (consecutive rows of one group do not wait on each other).
  for (; j + 4 <= ns; j += 4) {
    const gp = gids + (<usize>j << 2);
    const a0 = c0 + <usize>(load<i32>(gp) * K << 3);
    const a1 = c0 + stride + <usize>(load<i32>(gp, 4) * K << 3);
    const a2 = c0 + 2 * stride + <usize>(load<i32>(gp, 8) * K << 3);
    const a3 = c0 + 3 * stride + <usize>(load<i32>(gp, 12) * K << 3);
    const at = <usize>j << 3;
    m |= add4(v0p + at, a0, a1, a2, a3, 0);
    if (K > 1) m |= add4(v1p + at, a0, a1, a2, a3, 8);
    if (K > 2) m |= add4(v2p + at, a0, a1, a2, a3, 16);
    if (K > 3) m |= add4(v3p + at, a0, a1, a2, a3, 24);
  }
  for (; j < ns; j++) {
    const a0 = c0 + <usize>(load<i32>(gids + (<usize>j << 2)) * K << 3);
    const at = <usize>j << 3;
    let x = load<i64>(v0p + at);
    m |= x + BIAS53;
    store<i64>(a0, load<i64>(a0) + x);
    if (K > 1) {
      x = load<i64>(v1p + at);
      m |= x + BIAS53;
      store<i64>(a0, load<i64>(a0, 8) + x, 8);
    }
    if (K > 2) {
      x = load<i64>(v2p + at);
      m |= x + BIAS53;
      store<i64>(a0, load<i64>(a0, 16) + x, 16);
    }
    if (K > 3) {
      x = load<i64>(v3p + at);
      m |= x + BIAS53;
      store<i64>(a0, load<i64>(a0, 24) + x, 24);
    }
  }
  return m;
}

/** The AGG run at pc: consecutive AGG SUM128 instructions of group register g over registers without
 *  NULLs, at most PART_MULTI of them: their sums in one pass. Returns how many it took (0: none, the
 *  caller runs the first one alone). Values of 2^53 or more: 0 (nothing added). */
function sumRun(h: usize, prog: usize, pc: i32, plen: i32, ns: i32, mask: usize): i32 {
  const g = word(prog, pc + 3);
  if (g < 0) return 0;
  const groups = load<i32>(h + H_GCOUNT);
  if (groups > PART_GROUPS) return 0;
  const nacc = load<i32>(h + H_NACC);
  const vp = <usize>load<u32>(h + H_PART) + PART_BYTES * <usize>PART_MULTI; // K register pointers (scratch)
  let k = 0;
  let at = pc;
  while (k < PART_MULTI && at + 5 <= plen && word(prog, at) == VP_AGG && word(prog, at + 2) == AGG_SUM128 && word(prog, at + 3) == g) {
    const acc = word(prog, at + 1);
    const v = word(prog, at + 4);
    if (acc < 0 || acc >= nacc || v < 0 || rnulls(h, v) != 0) break;
    store<u32>(vp + (<usize>k << 2), <u32>rdata(h, v));
    k++;
    at += 5;
  }
  if (k < 2) return 0;
  const gids = rdata(h, g);
  const part = <usize>load<u32>(h + H_PART);
  const slots = groups + 1;
  const p0 = <usize>load<u32>(vp), p1 = <usize>load<u32>(vp + 4);
  const p2: usize = k > 2 ? <usize>load<u32>(vp + 8) : 0;
  const p3: usize = k > 3 ? <usize>load<u32>(vp + 12) : 0;
  let m: i64;
  if (k == 2) m = scatterK(part, slots, gids, p0, p1, 0, 0, 2, ns);
  else if (k == 3) m = scatterK(part, slots, gids, p0, p1, p2, 0, 3, ns);
  else m = scatterK(part, slots, gids, p0, p1, p2, p3, 4, ns);
  if (<u64>m >= (<u64>1 << 54)) return 0;
  const counts = groupHist(h, g, gids, ns, groups);
  const stride = <usize>(slots * k) << 3;
  const accs = <usize>load<u32>(h + H_ACCS);
  for (let i = 0; i < k; i++) {
    const base = <usize>load<u32>(accs + (<usize>word(prog, pc + i * 5 + 1) << 2));
    for (let x = 0; x < groups; x++) {
      const q = part + (<usize>((x + 1) * k + i) << 3);
      const s = load<i64>(q) + load<i64>(q + stride) + load<i64>(q + 2 * stride) + load<i64>(q + 3 * stride);
      const p = base + <usize>x * 24;
      const lo = load<u64>(p + 8);
      const nlo = lo + <u64>s;
      store<i64>(p, load<i64>(p) + load<i64>(counts + (<usize>x << 3)));
      store<u64>(p + 8, nlo);
      store<i64>(p + 16, load<i64>(p + 16) + (s >> 63) + <i64>(nlo < lo));
    }
  }
  return k;
}

/** Rows per group of the chunk (i64 per group), counted once per chunk per group register. */
function groupHist(h: usize, g: i32, gids: usize, ns: i32, groups: i32): usize {
  const hist = <usize>load<u32>(h + H_HIST);
  if (load<i32>(h + H_HREG) == g) return hist;
  scatter(hist, groups + 1, gids, 0, 0, ns, true);
  reduceCopies(hist, groups + 1, groups);
  store<i32>(h + H_HREG, g);
  return hist;
}

/** Non-NULL rows per group (in the partials buffer). */
function liveHist(h: usize, gids: usize, nulls: usize, ns: i32, groups: i32): usize {
  const part = <usize>load<u32>(h + H_PART);
  scatter(part, groups + 1, gids, 0, nulls, ns, true);
  reduceCopies(part, groups + 1, groups);
  return part;
}

function addCounts(base: usize, counts: usize, groups: i32): void {
  for (let x = 0; x < groups; x++) {
    const p = base + <usize>x * 24;
    store<i64>(p, load<i64>(p) + load<i64>(counts + (<usize>x << 3)));
  }
}

/** Grouped i128 sums through i64 partials: false (nothing added) when some |v| >= 2^53, whose
 *  1,024-row partial could overflow. Counts are the caller's. */
function sumPart(h: usize, base: usize, gids: usize, vals: usize, nulls: usize, ns: i32, groups: i32): bool {
  const part = <usize>load<u32>(h + H_PART);
  const m = scatter(part, groups + 1, gids, vals, nulls, ns, false);
  if (<u64>m >= (<u64>1 << 54)) return false;
  reduceCopies(part, groups + 1, groups);
  for (let x = 0; x < groups; x++) {
    const s = load<i64>(part + (<usize>x << 3));
    const p = base + <usize>x * 24;
    const lo = load<u64>(p + 8);
    const nlo = lo + <u64>s;
    store<u64>(p + 8, nlo);
    store<i64>(p + 16, load<i64>(p + 16) + (s >> 63) + <i64>(nlo < lo));
  }
  return true;
}

/** The chunk's rows (register positions) ordered by group, stably (a counting sort), once per chunk. */
function groupPerm(h: usize, g: i32, gids: usize, ns: i32): usize {
  const perm = <usize>load<u32>(h + H_PERM);
  const starts = perm + (<usize>CHUNK << 2);
  if (load<i32>(h + H_PREG) == g) return perm;
  const groups = load<i32>(h + H_GCOUNT);
  memory.fill(starts, 0, <usize>(groups + 1) << 2);
  for (let j = 0; j < ns; j++) {
    const at = starts + (<usize>(load<i32>(gids + (<usize>j << 2)) + 1) << 2);
    store<i32>(at, load<i32>(at) + 1);
  }
  for (let x = 1; x <= groups; x++) {
    const at = starts + (<usize>x << 2);
    store<i32>(at, load<i32>(at) + load<i32>(at - 4));
  }
  // starts[x] is now the end of group x-1 = the start of group x; fill, advancing starts[gid].
  for (let j = 0; j < ns; j++) {
    const at = starts + (<usize>load<i32>(gids + (<usize>j << 2)) << 2);
    const k = load<i32>(at);
    store<i32>(perm + (<usize>k << 2), j);
    store<i32>(at, k + 1);
  }
  // Now starts[x] is the end of group x (the start of x+1); group x runs from starts[x-1] (0 for x = 0).
  store<i32>(h + H_PREG, g);
  return perm;
}

/** Grouped count(*) from the chunk's group runs. */
function countByGroup(h: usize, g: i32, base: usize, gids: usize, ns: i32): void {
  const perm = groupPerm(h, g, gids, ns);
  const ends = perm + (<usize>CHUNK << 2);
  const groups = load<i32>(h + H_GCOUNT);
  let from = 0;
  for (let x = 0; x < groups; x++) {
    const to = load<i32>(ends + (<usize>x << 2));
    if (to != from) {
      const p = base + <usize>x * 24;
      store<i64>(p, load<i64>(p) + <i64>(to - from));
    }
    from = to;
  }
}

function gkeyCol(h: usize, d: i32, col: usize, nul: usize, stride: i64, base: i32, ns: i32, dense: bool, sel: usize): void {
  const out = rown(h, d);
  const src = col + (<usize>base << 2);
  const ns0: usize = nul == 0 ? 0 : nul + <usize>base;
  for (let j = 0; j < ns; j++) {
    const r = dense ? <usize>j : <usize>load<i32>(sel + (<usize>j << 2));
    let code = <i64>load<u32>(src + (r << 2)) + 1;
    if (ns0 != 0 && load<u8>(ns0 + r) != 0) code = 0;
    store<i64>(out + (<usize>j << 3), load<i64>(out + (<usize>j << 3)) + code * stride);
  }
}

/** Grouped i128 sums, group by group: the running sum stays in locals. */
function accSum128ByGroup(h: usize, g: i32, base: usize, gids: usize, vals: usize, nulls: usize, ns: i32): void {
  const perm = groupPerm(h, g, gids, ns);
  const ends = perm + (<usize>CHUNK << 2);
  const groups = load<i32>(h + H_GCOUNT);
  let from = 0;
  for (let x = 0; x < groups; x++) {
    const to = load<i32>(ends + (<usize>x << 2));
    if (to == from) continue;
    let lo: u64 = 0;
    let hi: i64 = 0;
    let cnt: i64 = 0;
    for (let k = from; k < to; k++) {
      const j = <usize>load<i32>(perm + (<usize>k << 2));
      const live = <i64>(nullAt(nulls, <i32>j) ^ 1);
      const v = load<i64>(vals + (j << 3)) & -live;
      const nlo = lo + <u64>v;
      hi += (v >> 63) + <i64>(nlo < lo);
      lo = nlo;
      cnt += live;
    }
    const p = base + <usize>x * 24;
    const plo = load<u64>(p + 8);
    const nlo = plo + lo;
    store<i64>(p, load<i64>(p) + cnt);
    store<u64>(p + 8, nlo);
    store<i64>(p + 16, load<i64>(p + 16) + hi + <i64>(nlo < plo));
    from = to;
  }
}

// @ts-ignore: decorator
@inline function accFold(h: usize, kind: i32, base: usize, gids: usize, vals: usize, nulls: usize, ns: i32, mask: usize): void {
  for (let j = 0; j < ns; j++) {
    if (nullAt(nulls, j) != 0 || skipRow(mask, j)) continue;
    const p = base + (gids == 0 ? 0 : <usize>load<i32>(gids + (<usize>j << 2)) * 24);
    const c = load<i64>(p);
    store<i64>(p, c + 1);
    if (kind == AGG_SUMF) {
      const x = load<f64>(vals + (<usize>j << 3));
      const s = load<f64>(p + 8);
      const r = s + x;
      if (isInf(r) && !isInf(s) && !isInf(x)) store<i32>(h + H_OVER, 1);
      store<f64>(p + 8, r);
    } else if (kind == AGG_MIN64 || kind == AGG_MAX64) {
      const x = load<i64>(vals + (<usize>j << 3));
      const cur = load<i64>(p + 8);
      if (c == 0 || (kind == AGG_MIN64 ? x < cur : x > cur)) store<i64>(p + 8, x);
    } else {
      const x = load<f64>(vals + (<usize>j << 3));
      const cur = load<f64>(p + 8);
      const xn = x != x;
      const cn = cur != cur;
      if (kind == AGG_MINF) {
        if (c == 0 || x < cur || (cn && !xn)) store<f64>(p + 8, x);
      } else if (c == 0 || x > cur || (xn && !cn)) store<f64>(p + 8, x);
    }
  }
}

// ---- SUMX: sums of products of affine factors, folded into the grouped partials ----
//
// A SUMX term is f1 * f2 * f3 with f = c + x or c - x of an i64 register (or a constant), i.e. what
// the host compiled as ARITH / ARITHC instructions feeding an AGG SUM128 (Q1's price * (1 - disc) *
// (1 + tax) at scale). Its value never goes to a register: up to X_MULTI consecutive SUMX of one group
// register (at most PART_GROUPS groups, operands without NULLs) run as one pass over the chunk's rows
// that evaluates every term per row and adds it into per-group i64 partials (PART_COPIES interleaved
// copies, a row count alongside). Exactness without a per-row test: per chunk, the magnitude bound of
// each operand register (|x| <= 2^b, b from the OR of x ^ (x >> 63)) bounds every factor (|c +- x| <=
// 2^(max(b, bits |c|) + 1)), every partial product and the term (the sum of its factors' bits); a term
// whose bound is at most 2^52 can neither overflow i64 on the way nor push a 1,024-row partial past 2^63.
// A term whose bound is larger, or with a NULL operand, runs row by row with exact overflow tests in
// the instructions' order (a flag stops the program, as the ARITH it replaces would have).

/** b with |x| <= 2^b for every x of the register's ns entries (cached per chunk). */
function magBits(h: usize, xb: usize, r: i32, ns: i32): i32 {
  const at = xb + X_BITS + (<usize>r << 2);
  const known = load<i32>(at);
  if (known >= 0) return known;
  const p = rdata(h, r);
  let m = i64x2.splat(0);
  let j = 0;
  for (; j + 2 <= ns; j += 2) {
    const x = v128.load(p + (<usize>j << 3));
    m = v128.or(m, v128.xor(x, i64x2.shr_s(x, 63)));
  }
  let ms = i64x2.extract_lane(m, 0) | i64x2.extract_lane(m, 1);
  for (; j < ns; j++) {
    const x = load<i64>(p + (<usize>j << 3));
    ms |= x ^ (x >> 63);
  }
  const b = 64 - <i32>clz<i64>(ms);
  store<i32>(at, b);
  return b;
}

/** Bits of |c| (|c| < 2^bits). */
// @ts-ignore: decorator
@inline function constBits(c: i64): i32 {
  const u: u64 = c < 0 ? <u64>0 - <u64>c : <u64>c;
  return 64 - <i32>clz<u64>(u);
}

// Descriptor of a term (X_DESC_BYTES): i32 nf at 0, i32 acc base at 4, then per factor (24 bytes from
// 8): u32 data pointer, i32 neg (0 / -1), i64 c. A factor without register reads the zero vector.

/** The SUMX run at pc (its own pass; see above): how many instructions it took (0: none). */
function sumxRun(h: usize, prog: usize, pc: i32, plen: i32, ns: i32): i32 {
  const g = word(prog, pc + 2);
  if (g < 0) return 0;
  const groups = load<i32>(h + H_GCOUNT);
  if (groups > PART_GROUPS) return 0;
  const xb = <usize>load<u32>(h + H_XBUF);
  const nacc = load<i32>(h + H_NACC);
  const accs = <usize>load<u32>(h + H_ACCS);
  memory.fill(xb + X_BITS, 0xff, <usize>MAX_REGS << 2);
  let k = 0;
  let at = pc;
  while (k < X_MULTI && at + 15 <= plen && word(prog, at) == VP_SUMX && word(prog, at + 2) == g) {
    const acc = word(prog, at + 1);
    if (acc < 0 || acc >= nacc) break;
    const d = xb + X_TMP + <usize>k * X_DESC_BYTES;
    let nf = 0;
    let bits = 0;
    let ok = true;
    for (let f = 0; f < 3; f++) {
      const r = word(prog, at + 3 + f * 4);
      if (r == -2) break;
      const neg = word(prog, at + 4 + f * 4);
      const c = word64(prog, at + 5 + f * 4);
      const e = d + 8 + <usize>nf * 24;
      if (r >= 0) {
        if (r >= MAX_REGS || rnulls(h, r) != 0) {
          ok = false;
          break;
        }
        const b = magBits(h, xb, r, ns);
        const bc = constBits(c);
        bits += c == 0 ? b : max(b, bc) + 1;
        store<u32>(e, <u32>rdata(h, r));
      } else {
        bits += constBits(c);
        store<u32>(e, <u32>(xb + X_ZERO));
      }
      store<i32>(e, neg != 0 ? -1 : 0, 4);
      store<i64>(e, c, 8);
      nf++;
    }
    if (!ok || nf == 0 || bits > 52) break;
    store<i32>(d, nf);
    store<i32>(d, bits, 80);
    store<u32>(d, <u32>load<u32>(accs + (<usize>acc << 2)), 4);
    k++;
    at += 15;
  }
  if (k == 0) return 0;
  // Packing: a term whose values satisfy |v| <= 2^b has a chunk sum below 2^(b+10) in magnitude, so
  // it needs b + 12 bits (sign and slack) of a slot; slot 0 starts with the row count (12 bits).
  // First fit, in program order; descriptors go to X_DESC grouped by slot, with their shift, slot
  // offset and whether they close the slot (its sum is then stored for the row).
  const used = xb + X_BITS; // reuse: i32 per slot, bits used (the bounds cache is done with)
  const slotOf = used + 64;
  let nslots = 1;
  store<i32>(used, 12);
  for (let i = 0; i < k; i++) {
    const b = load<i32>(xb + X_TMP + <usize>i * X_DESC_BYTES, 80);
    let s = 0;
    for (; s < nslots; s++) if (load<i32>(used + (<usize>s << 2)) + b + 12 <= 63) break;
    if (s == nslots) {
      store<i32>(used + (<usize>s << 2), 0);
      nslots++;
    }
    const u = load<i32>(used + (<usize>s << 2));
    const t = xb + X_TMP + <usize>i * X_DESC_BYTES;
    store<i32>(t, u, 84); // shift
    store<i32>(t, s, 92); // slot
    store<i32>(slotOf + (<usize>i << 2), s);
    store<i32>(used + (<usize>s << 2), u + b + 12);
  }
  let m = 0;
  let countAlone = 1;
  for (let s = 0; s < nslots; s++) {
    let last = -1;
    for (let i = 0; i < k; i++) {
      if (load<i32>(slotOf + (<usize>i << 2)) != s) continue;
      const dst = xb + X_DESC + <usize>m * X_DESC_BYTES;
      memory.copy(dst, xb + X_TMP + <usize>i * X_DESC_BYTES, X_DESC_BYTES);
      store<i32>(dst, 0, 88);
      last = m;
      m++;
      if (s == 0) countAlone = 0;
    }
    if (last >= 0) store<i32>(xb + X_DESC + <usize>last * X_DESC_BYTES, 1, 88);
  }
  const gids = rdata(h, g);
  const slots = groups + 1;
  const part = xb + X_PART;
  xScatter(xb, part, slots, gids, k, nslots, countAlone, ns);
  // Per group, per slot: the copies' total, then its members low to high (sign-extended fields).
  const S = nslots;
  const stride = <usize>(slots * S) << 3;
  const hist = <usize>load<u32>(h + H_HIST);
  for (let x = 0; x < groups; x++) {
    let mi = 0;
    for (let s = 0; s < nslots; s++) {
      const q = part + (<usize>((x + 1) * S + s) << 3);
      let tot = load<i64>(q) + load<i64>(q + stride) + load<i64>(q + 2 * stride) + load<i64>(q + 3 * stride);
      // Members: the count first in slot 0, then the descriptors of this slot in order.
      if (s == 0) {
        const c = countAlone ? tot : (tot << 52) >> 52;
        store<i64>(hist + (<usize>x << 3), c);
        tot = (tot - c) >> 12;
      }
      while (mi < k) {
        const d = xb + X_DESC + <usize>mi * X_DESC_BYTES;
        if (load<i32>(d, 92) != s) break;
        let v: i64;
        if (load<i32>(d, 88) != 0) v = tot;
        else {
          const w = <i64>(load<i32>(d, 80) + 12);
          v = (tot << (64 - w)) >> (64 - w);
          tot = (tot - v) >> w;
        }
        // The term's total for group x: into its accumulator (the count after the loop).
        store<i64>(d + 72, v); // scratch
        const base = <usize>load<u32>(d, 4);
        const p = base + <usize>x * 24;
        const lo = load<u64>(p + 8);
        const nlo = lo + <u64>v;
        store<u64>(p + 8, nlo);
        store<i64>(p + 16, load<i64>(p + 16) + (v >> 63) + <i64>(nlo < lo));
        mi++;
      }
    }
    for (let i = 0; i < k; i++) {
      const base = <usize>load<u32>(xb + X_DESC + <usize>i * X_DESC_BYTES, 4);
      const p = base + <usize>x * 24;
      store<i64>(p, load<i64>(p) + load<i64>(hist + (<usize>x << 3)));
    }
  }
  store<i32>(h + H_HREG, g);
  return k;
}

/** Factor i of descriptor d at row offset at (bytes). */
// @ts-ignore: decorator
@inline function xFactor(d: usize, i: i32, at: usize): i64 {
  const e = d + 8 + <usize>i * 24;
  const x = load<i64>(<usize>load<u32>(e) + at);
  const n = <i64>load<i32>(e, 4);
  return load<i64>(e, 8) + ((x ^ n) - n);
}

// @ts-ignore: decorator
@inline function xTerm(d: usize, nf: i32, at: usize): i64 {
  let v = xFactor(d, 0, at);
  if (nf > 1) v *= xFactor(d, 1, at);
  if (nf > 2) v *= xFactor(d, 2, at);
  return v;
}

/** Every term of the K descriptors (in slot order) for every row, shifted into its slot's partial
 *  (slot 0 also counts rows at shift 0). The descriptors are read into locals once (the generated
 *  code below has one set per term), so the row loop touches memory only for the operands and one
 *  store per slot. */
// @ts-ignore: decorator
@inline function xScatterT(xb: usize, part: usize, slots: i32, gids: usize, K: i32, S: i32, countAlone: i32, ns: i32): void {
  const stride = <usize>(slots * S) << 3;
  memory.fill(part, 0, stride * <usize>PART_COPIES);
  const c0 = part + (<usize>S << 3);
  const desc = xb + X_DESC;
  const ca = countAlone != 0;
  const d0 = desc + 0;
  const nf0 = K > 0 ? load<i32>(d0) : 0;
  const pl0 = nf0 == 1 && load<i64>(d0, 16) == 0 && load<i32>(d0, 12) == 0;
  const sh0 = <i64>(K > 0 ? load<i32>(d0, 84) : 0);
  const e0 = K > 0 && load<i32>(d0, 88) != 0;
  const o0 = K > 0 ? <usize>load<i32>(d0, 92) << 3 : 0;
  const p00 = <usize>load<u32>(d0, 8); const n00 = <i64>load<i32>(d0, 12); const c00 = load<i64>(d0, 16);
  const p01 = <usize>load<u32>(d0, 32); const n01 = <i64>load<i32>(d0, 36); const c01 = load<i64>(d0, 40);
  const p02 = <usize>load<u32>(d0, 56); const n02 = <i64>load<i32>(d0, 60); const c02 = load<i64>(d0, 64);
  const d1 = desc + 96;
  const nf1 = K > 1 ? load<i32>(d1) : 0;
  const pl1 = nf1 == 1 && load<i64>(d1, 16) == 0 && load<i32>(d1, 12) == 0;
  const sh1 = <i64>(K > 1 ? load<i32>(d1, 84) : 0);
  const e1 = K > 1 && load<i32>(d1, 88) != 0;
  const o1 = K > 1 ? <usize>load<i32>(d1, 92) << 3 : 0;
  const p10 = <usize>load<u32>(d1, 8); const n10 = <i64>load<i32>(d1, 12); const c10 = load<i64>(d1, 16);
  const p11 = <usize>load<u32>(d1, 32); const n11 = <i64>load<i32>(d1, 36); const c11 = load<i64>(d1, 40);
  const p12 = <usize>load<u32>(d1, 56); const n12 = <i64>load<i32>(d1, 60); const c12 = load<i64>(d1, 64);
  const d2 = desc + 192;
  const nf2 = K > 2 ? load<i32>(d2) : 0;
  const pl2 = nf2 == 1 && load<i64>(d2, 16) == 0 && load<i32>(d2, 12) == 0;
  const sh2 = <i64>(K > 2 ? load<i32>(d2, 84) : 0);
  const e2 = K > 2 && load<i32>(d2, 88) != 0;
  const o2 = K > 2 ? <usize>load<i32>(d2, 92) << 3 : 0;
  const p20 = <usize>load<u32>(d2, 8); const n20 = <i64>load<i32>(d2, 12); const c20 = load<i64>(d2, 16);
  const p21 = <usize>load<u32>(d2, 32); const n21 = <i64>load<i32>(d2, 36); const c21 = load<i64>(d2, 40);
  const p22 = <usize>load<u32>(d2, 56); const n22 = <i64>load<i32>(d2, 60); const c22 = load<i64>(d2, 64);
  const d3 = desc + 288;
  const nf3 = K > 3 ? load<i32>(d3) : 0;
  const pl3 = nf3 == 1 && load<i64>(d3, 16) == 0 && load<i32>(d3, 12) == 0;
  const sh3 = <i64>(K > 3 ? load<i32>(d3, 84) : 0);
  const e3 = K > 3 && load<i32>(d3, 88) != 0;
  const o3 = K > 3 ? <usize>load<i32>(d3, 92) << 3 : 0;
  const p30 = <usize>load<u32>(d3, 8); const n30 = <i64>load<i32>(d3, 12); const c30 = load<i64>(d3, 16);
  const p31 = <usize>load<u32>(d3, 32); const n31 = <i64>load<i32>(d3, 36); const c31 = load<i64>(d3, 40);
  const p32 = <usize>load<u32>(d3, 56); const n32 = <i64>load<i32>(d3, 60); const c32 = load<i64>(d3, 64);
  const d4 = desc + 384;
  const nf4 = K > 4 ? load<i32>(d4) : 0;
  const pl4 = nf4 == 1 && load<i64>(d4, 16) == 0 && load<i32>(d4, 12) == 0;
  const sh4 = <i64>(K > 4 ? load<i32>(d4, 84) : 0);
  const e4 = K > 4 && load<i32>(d4, 88) != 0;
  const o4 = K > 4 ? <usize>load<i32>(d4, 92) << 3 : 0;
  const p40 = <usize>load<u32>(d4, 8); const n40 = <i64>load<i32>(d4, 12); const c40 = load<i64>(d4, 16);
  const p41 = <usize>load<u32>(d4, 32); const n41 = <i64>load<i32>(d4, 36); const c41 = load<i64>(d4, 40);
  const p42 = <usize>load<u32>(d4, 56); const n42 = <i64>load<i32>(d4, 60); const c42 = load<i64>(d4, 64);
  const d5 = desc + 480;
  const nf5 = K > 5 ? load<i32>(d5) : 0;
  const pl5 = nf5 == 1 && load<i64>(d5, 16) == 0 && load<i32>(d5, 12) == 0;
  const sh5 = <i64>(K > 5 ? load<i32>(d5, 84) : 0);
  const e5 = K > 5 && load<i32>(d5, 88) != 0;
  const o5 = K > 5 ? <usize>load<i32>(d5, 92) << 3 : 0;
  const p50 = <usize>load<u32>(d5, 8); const n50 = <i64>load<i32>(d5, 12); const c50 = load<i64>(d5, 16);
  const p51 = <usize>load<u32>(d5, 32); const n51 = <i64>load<i32>(d5, 36); const c51 = load<i64>(d5, 40);
  const p52 = <usize>load<u32>(d5, 56); const n52 = <i64>load<i32>(d5, 60); const c52 = load<i64>(d5, 64);
  let j = 0;
  for (; j + 4 <= ns; j += 4) {
    const gp = gids + (<usize>j << 2);
    const a0 = c0 + <usize>(load<i32>(gp) * S << 3);
    const a1 = c0 + stride + <usize>(load<i32>(gp, 4) * S << 3);
    const a2 = c0 + 2 * stride + <usize>(load<i32>(gp, 8) * S << 3);
    const a3 = c0 + 3 * stride + <usize>(load<i32>(gp, 12) * S << 3);
    let w0: i64 = 1, w1: i64 = 1, w2: i64 = 1, w3: i64 = 1;
    if (ca) {
      store<i64>(a0, load<i64>(a0) + 1);
      store<i64>(a1, load<i64>(a1) + 1);
      store<i64>(a2, load<i64>(a2) + 1);
      store<i64>(a3, load<i64>(a3) + 1);
      w0 = 0; w1 = 0; w2 = 0; w3 = 0;
    }
    const at = <usize>j << 3;
    if (K > 0) {
      let v0: i64, v1: i64, v2: i64, v3: i64;
      if (pl0) {
        v0 = load<i64>(p00 + at); v1 = load<i64>(p00 + at, 8); v2 = load<i64>(p00 + at, 16); v3 = load<i64>(p00 + at, 24);
      } else {
        v0 = xf(p00, n00, c00, at); v1 = xf(p00, n00, c00, at + 8); v2 = xf(p00, n00, c00, at + 16); v3 = xf(p00, n00, c00, at + 24);
        if (nf0 > 1) {
          v0 *= xf(p01, n01, c01, at); v1 *= xf(p01, n01, c01, at + 8); v2 *= xf(p01, n01, c01, at + 16); v3 *= xf(p01, n01, c01, at + 24);
          if (nf0 > 2) {
            v0 *= xf(p02, n02, c02, at); v1 *= xf(p02, n02, c02, at + 8); v2 *= xf(p02, n02, c02, at + 16); v3 *= xf(p02, n02, c02, at + 24);
          }
        }
      }
      w0 += v0 << sh0; w1 += v1 << sh0; w2 += v2 << sh0; w3 += v3 << sh0;
      if (e0) {
        store<i64>(a0 + o0, load<i64>(a0 + o0) + w0);
        store<i64>(a1 + o0, load<i64>(a1 + o0) + w1);
        store<i64>(a2 + o0, load<i64>(a2 + o0) + w2);
        store<i64>(a3 + o0, load<i64>(a3 + o0) + w3);
        w0 = 0; w1 = 0; w2 = 0; w3 = 0;
      }
    }
    if (K > 1) {
      let v0: i64, v1: i64, v2: i64, v3: i64;
      if (pl1) {
        v0 = load<i64>(p10 + at); v1 = load<i64>(p10 + at, 8); v2 = load<i64>(p10 + at, 16); v3 = load<i64>(p10 + at, 24);
      } else {
        v0 = xf(p10, n10, c10, at); v1 = xf(p10, n10, c10, at + 8); v2 = xf(p10, n10, c10, at + 16); v3 = xf(p10, n10, c10, at + 24);
        if (nf1 > 1) {
          v0 *= xf(p11, n11, c11, at); v1 *= xf(p11, n11, c11, at + 8); v2 *= xf(p11, n11, c11, at + 16); v3 *= xf(p11, n11, c11, at + 24);
          if (nf1 > 2) {
            v0 *= xf(p12, n12, c12, at); v1 *= xf(p12, n12, c12, at + 8); v2 *= xf(p12, n12, c12, at + 16); v3 *= xf(p12, n12, c12, at + 24);
          }
        }
      }
      w0 += v0 << sh1; w1 += v1 << sh1; w2 += v2 << sh1; w3 += v3 << sh1;
      if (e1) {
        store<i64>(a0 + o1, load<i64>(a0 + o1) + w0);
        store<i64>(a1 + o1, load<i64>(a1 + o1) + w1);
        store<i64>(a2 + o1, load<i64>(a2 + o1) + w2);
        store<i64>(a3 + o1, load<i64>(a3 + o1) + w3);
        w0 = 0; w1 = 0; w2 = 0; w3 = 0;
      }
    }
    if (K > 2) {
      let v0: i64, v1: i64, v2: i64, v3: i64;
      if (pl2) {
        v0 = load<i64>(p20 + at); v1 = load<i64>(p20 + at, 8); v2 = load<i64>(p20 + at, 16); v3 = load<i64>(p20 + at, 24);
      } else {
        v0 = xf(p20, n20, c20, at); v1 = xf(p20, n20, c20, at + 8); v2 = xf(p20, n20, c20, at + 16); v3 = xf(p20, n20, c20, at + 24);
        if (nf2 > 1) {
          v0 *= xf(p21, n21, c21, at); v1 *= xf(p21, n21, c21, at + 8); v2 *= xf(p21, n21, c21, at + 16); v3 *= xf(p21, n21, c21, at + 24);
          if (nf2 > 2) {
            v0 *= xf(p22, n22, c22, at); v1 *= xf(p22, n22, c22, at + 8); v2 *= xf(p22, n22, c22, at + 16); v3 *= xf(p22, n22, c22, at + 24);
          }
        }
      }
      w0 += v0 << sh2; w1 += v1 << sh2; w2 += v2 << sh2; w3 += v3 << sh2;
      if (e2) {
        store<i64>(a0 + o2, load<i64>(a0 + o2) + w0);
        store<i64>(a1 + o2, load<i64>(a1 + o2) + w1);
        store<i64>(a2 + o2, load<i64>(a2 + o2) + w2);
        store<i64>(a3 + o2, load<i64>(a3 + o2) + w3);
        w0 = 0; w1 = 0; w2 = 0; w3 = 0;
      }
    }
    if (K > 3) {
      let v0: i64, v1: i64, v2: i64, v3: i64;
      if (pl3) {
        v0 = load<i64>(p30 + at); v1 = load<i64>(p30 + at, 8); v2 = load<i64>(p30 + at, 16); v3 = load<i64>(p30 + at, 24);
      } else {
        v0 = xf(p30, n30, c30, at); v1 = xf(p30, n30, c30, at + 8); v2 = xf(p30, n30, c30, at + 16); v3 = xf(p30, n30, c30, at + 24);
        if (nf3 > 1) {
          v0 *= xf(p31, n31, c31, at); v1 *= xf(p31, n31, c31, at + 8); v2 *= xf(p31, n31, c31, at + 16); v3 *= xf(p31, n31, c31, at + 24);
          if (nf3 > 2) {
            v0 *= xf(p32, n32, c32, at); v1 *= xf(p32, n32, c32, at + 8); v2 *= xf(p32, n32, c32, at + 16); v3 *= xf(p32, n32, c32, at + 24);
          }
        }
      }
      w0 += v0 << sh3; w1 += v1 << sh3; w2 += v2 << sh3; w3 += v3 << sh3;
      if (e3) {
        store<i64>(a0 + o3, load<i64>(a0 + o3) + w0);
        store<i64>(a1 + o3, load<i64>(a1 + o3) + w1);
        store<i64>(a2 + o3, load<i64>(a2 + o3) + w2);
        store<i64>(a3 + o3, load<i64>(a3 + o3) + w3);
        w0 = 0; w1 = 0; w2 = 0; w3 = 0;
      }
    }
    if (K > 4) {
      let v0: i64, v1: i64, v2: i64, v3: i64;
      if (pl4) {
        v0 = load<i64>(p40 + at); v1 = load<i64>(p40 + at, 8); v2 = load<i64>(p40 + at, 16); v3 = load<i64>(p40 + at, 24);
      } else {
        v0 = xf(p40, n40, c40, at); v1 = xf(p40, n40, c40, at + 8); v2 = xf(p40, n40, c40, at + 16); v3 = xf(p40, n40, c40, at + 24);
        if (nf4 > 1) {
          v0 *= xf(p41, n41, c41, at); v1 *= xf(p41, n41, c41, at + 8); v2 *= xf(p41, n41, c41, at + 16); v3 *= xf(p41, n41, c41, at + 24);
          if (nf4 > 2) {
            v0 *= xf(p42, n42, c42, at); v1 *= xf(p42, n42, c42, at + 8); v2 *= xf(p42, n42, c42, at + 16); v3 *= xf(p42, n42, c42, at + 24);
          }
        }
      }
      w0 += v0 << sh4; w1 += v1 << sh4; w2 += v2 << sh4; w3 += v3 << sh4;
      if (e4) {
        store<i64>(a0 + o4, load<i64>(a0 + o4) + w0);
        store<i64>(a1 + o4, load<i64>(a1 + o4) + w1);
        store<i64>(a2 + o4, load<i64>(a2 + o4) + w2);
        store<i64>(a3 + o4, load<i64>(a3 + o4) + w3);
        w0 = 0; w1 = 0; w2 = 0; w3 = 0;
      }
    }
    if (K > 5) {
      let v0: i64, v1: i64, v2: i64, v3: i64;
      if (pl5) {
        v0 = load<i64>(p50 + at); v1 = load<i64>(p50 + at, 8); v2 = load<i64>(p50 + at, 16); v3 = load<i64>(p50 + at, 24);
      } else {
        v0 = xf(p50, n50, c50, at); v1 = xf(p50, n50, c50, at + 8); v2 = xf(p50, n50, c50, at + 16); v3 = xf(p50, n50, c50, at + 24);
        if (nf5 > 1) {
          v0 *= xf(p51, n51, c51, at); v1 *= xf(p51, n51, c51, at + 8); v2 *= xf(p51, n51, c51, at + 16); v3 *= xf(p51, n51, c51, at + 24);
          if (nf5 > 2) {
            v0 *= xf(p52, n52, c52, at); v1 *= xf(p52, n52, c52, at + 8); v2 *= xf(p52, n52, c52, at + 16); v3 *= xf(p52, n52, c52, at + 24);
          }
        }
      }
      w0 += v0 << sh5; w1 += v1 << sh5; w2 += v2 << sh5; w3 += v3 << sh5;
      if (e5) {
        store<i64>(a0 + o5, load<i64>(a0 + o5) + w0);
        store<i64>(a1 + o5, load<i64>(a1 + o5) + w1);
        store<i64>(a2 + o5, load<i64>(a2 + o5) + w2);
        store<i64>(a3 + o5, load<i64>(a3 + o5) + w3);
        w0 = 0; w1 = 0; w2 = 0; w3 = 0;
      }
    }
  }
  for (; j < ns; j++) {
    const a0 = c0 + <usize>(load<i32>(gids + (<usize>j << 2)) * S << 3);
    store<i64>(a0, load<i64>(a0) + 1);
    const at = <usize>j << 3;
    for (let t = 0; t < K; t++) {
      const d = desc + <usize>t * X_DESC_BYTES;
      const o = <usize>load<i32>(d, 92) << 3;
      store<i64>(a0 + o, load<i64>(a0 + o) + (xTerm(d, load<i32>(d), at) << <i64>load<i32>(d, 84)));
    }
  }
}

/** c + x or c - x (n = -1) of the i64 at p + at. */
// @ts-ignore: decorator
@inline function xf(p: usize, n: i64, c: i64, at: usize): i64 {
  const x = load<i64>(p + at);
  return c + ((x ^ n) - n);
}

function xScatter(xb: usize, part: usize, slots: i32, gids: usize, k: i32, S: i32, countAlone: i32, ns: i32): void {
  switch (k) {
    case 1: xScatterT(xb, part, slots, gids, 1, S, countAlone, ns); break;
    case 2: xScatterT(xb, part, slots, gids, 2, S, countAlone, ns); break;
    case 3: xScatterT(xb, part, slots, gids, 3, S, countAlone, ns); break;
    case 4: xScatterT(xb, part, slots, gids, 4, S, countAlone, ns); break;
    case 5: xScatterT(xb, part, slots, gids, 5, S, countAlone, ns); break;
    default: xScatterT(xb, part, slots, gids, 6, S, countAlone, ns); break;
  }
}

/** One SUMX row by row with exact overflow tests in the instructions' order (NULL operand: the row's
 *  value is NULL, not counted); any group register, masked or not, one group without. */
function sumxRows(h: usize, prog: usize, pc: i32, ns: i32, mask: usize): i32 {
  const acc = word(prog, pc + 1);
  const g = word(prog, pc + 2);
  if (acc < 0 || acc >= load<i32>(h + H_NACC)) return ST_ERR_ARG;
  if (g < 0 && load<i32>(h + H_GCOUNT) == 0) {
    if (newGroup(h, 0) < 0) return ST_ERR_NOMEM;
  }
  const base = <usize>load<u32>(<usize>load<u32>(h + H_ACCS) + (<usize>acc << 2));
  const gids: usize = g < 0 ? 0 : rdata(h, g);
  const xb = <usize>load<u32>(h + H_XBUF);
  // Factors: data, nulls, neg, c (into the descriptor scratch of term 0: the pass above is done).
  const d = xb + X_DESC;
  let nf = 0;
  for (let f = 0; f < 3; f++) {
    const r = word(prog, pc + 3 + f * 4);
    if (r == -2) break;
    if (r >= MAX_REGS) return ST_ERR_ARG;
    const e = d + <usize>nf * 24;
    store<u32>(e, <u32>(r >= 0 ? rdata(h, r) : xb + X_ZERO));
    store<u32>(e + 16, <u32>(r >= 0 ? rnulls(h, r) : 0));
    store<i32>(e, word(prog, pc + 4 + f * 4), 4);
    store<i64>(e, word64(prog, pc + 5 + f * 4), 8);
    nf++;
  }
  if (nf == 0) return ST_ERR_ARG;
  let over: i64 = 0;
  for (let j = 0; j < ns; j++) {
    if (g < 0 ? skipRow(mask, j) : load<i32>(gids + (<usize>j << 2)) < 0) continue;
    const at = <usize>j << 3;
    let v: i64 = 1;
    let isNull = false;
    for (let f = 0; f < nf; f++) {
      const e = d + <usize>f * 24;
      const nul = <usize>load<u32>(e + 16);
      if (nul != 0 && load<u8>(nul + <usize>j) != 0) {
        isNull = true;
        break;
      }
      const x = load<i64>(<usize>load<u32>(e) + at);
      const c = load<i64>(e, 8);
      let fv: i64;
      if (load<i32>(e, 4) != 0) {
        fv = c - x;
        over |= subOver(c, x, fv);
      } else {
        fv = c + x;
        over |= addOver(c, x, fv);
      }
      v = f == 0 ? fv : mulChecked(v, fv, h + H_OVER);
    }
    if (isNull) continue;
    const p = base + (gids == 0 ? 0 : <usize>load<i32>(gids + (<usize>j << 2)) * 24);
    const lo = load<u64>(p + 8);
    const nlo = lo + <u64>v;
    store<i64>(p, load<i64>(p) + 1);
    store<u64>(p + 8, nlo);
    store<i64>(p + 16, load<i64>(p + 16) + (v >> 63) + <i64>(nlo < lo));
  }
  if (over < 0) store<i32>(h + H_OVER, 1);
  return ST_OK;
}

// ---- the interpreter ----

// @ts-ignore: decorator
@inline function word(prog: usize, pc: i32): i32 {
  return load<i32>(prog + (<usize>pc << 2));
}
// @ts-ignore: decorator
@inline function word64(prog: usize, pc: i32): i64 {
  return load<i64>(prog + (<usize>pc << 2));
}

/** Words of the instruction at pc (0: unknown opcode). */
function opLen(op: i32): i32 {
  switch (op) {
    case VP_END: return 1;
    case VP_LOAD32: case VP_LOAD64: case VP_LOAD8: return 4;
    case VP_WIDEN: return 3;
    case VP_I2F: return 4;
    case VP_ARITH: case VP_FARITH: return 5;
    case VP_ARITHC: case VP_FARITHC: return 6;
    case VP_RANGE: case VP_CMP: return 6;
    case VP_CMPC: case VP_FILTER: return 9;
    case VP_AND: case VP_OR: case VP_ISNULL: return 4;
    case VP_NOT: return 3;
    case VP_DICTMAP: return 5;
    case VP_SELECT: case VP_GZERO: return 2;
    case VP_GKEY: return 5;
    case VP_GROUP: return 3;
    case VP_AGG: return 5;
    case VP_GKEYCOL: return 6;
    case VP_SUMX: return 15;
    default: return 0;
  }
}

/** Once per program: where the body (everything after the last FILTER / SELECT) starts, and whether
 *  every AGG comes after every other instruction (then a flag raised by a masked chunk's body comes
 *  before any accumulator changed, and the chunk can be rerun compacted). */
function analyse(h: usize): void {
  const prog = <usize>load<u32>(h + H_PROG);
  const plen = load<i32>(h + H_PLEN);
  let pc = 0;
  let body = 0;
  let aggs = false;
  let ok = true;
  while (pc < plen) {
    const op = word(prog, pc);
    if (op == VP_END) break;
    const len = opLen(op);
    if (len == 0) {
      ok = false;
      break;
    }
    if (op == VP_FILTER || op == VP_SELECT) {
      body = pc + len;
      if (aggs) ok = false;
    } else if (op == VP_AGG || op == VP_SUMX) aggs = true;
    else if (aggs) ok = false;
    pc += len;
  }
  store<i32>(h + H_BODY, body);
  store<i32>(h + H_MASKOK, ok && body > 0 ? 1 : 0);
  store<i32>(h + H_SHAPE, 1);
}

/** Reads one word per 64-byte line of the chunk's rows of every column the instructions from pc
 *  `from` on read, the columns interleaved (wasm has no prefetch): their cache misses then overlap,
 *  instead of each later instruction waiting on its column's misses one stream at a time. Done when
 *  every row of those columns will likely be read (no WHERE, or the previous chunk ran masked: all
 *  columns at the chunk's start; else the body's columns when the chunk turns masked); a compacted
 *  chunk does not (it would fetch lines its gathers skip). */
function touchChunk(h: usize, base: i32, n: i32, from: i32): void {
  const prog = <usize>load<u32>(h + H_PROG);
  const plen = load<i32>(h + H_PLEN);
  const list = <usize>load<u32>(h + H_PART) + PART_BYTES * <usize>PART_MULTI; // scratch: up to 8 (address, shift) pairs
  let cols = 0;
  let acc: u32 = 0;
  let pc = from;
  while (pc < plen) {
    const op = word(prog, pc);
    if (op == VP_END) break;
    const len = opLen(op);
    if (len == 0) break;
    let col: usize = 0;
    let sh: i32 = 0;
    if (op == VP_LOAD32 || op == VP_GKEYCOL) {
      col = <usize>word(prog, pc + 2);
      sh = 2;
    } else if (op == VP_LOAD64) {
      col = <usize>word(prog, pc + 2);
      sh = 3;
    } else if (op == VP_FILTER) {
      col = <usize>word(prog, pc + 1);
      sh = word(prog, pc + 4) == 0 ? 2 : 3;
    }
    pc += len;
    if (col == 0) continue;
    store<u32>(list + (<usize>cols << 3), <u32>(col + (<usize>base << sh)));
    store<u32>(list + (<usize>cols << 3) + 4, <u32>sh);
    cols++;
    if (cols == 8) {
      acc |= touchCols(list, cols, n);
      cols = 0;
    }
  }
  if (cols > 0) acc |= touchCols(list, cols, n);
  store<u32>(h + H_TOUCH, acc);
}

function touchCols(list: usize, cols: i32, n: i32): u32 {
  let acc: u32 = 0;
  // Line by line across the columns: i64 columns advance 64 bytes per 8 rows, i32 columns 32.
  for (let r = 0; r < n; r += 8) {
    for (let c = 0; c < cols; c++) {
      const e = list + (<usize>c << 3);
      const sh = load<u32>(e, 4);
      if (sh == 3 || (r & 15) == 0) acc |= load<u32>(<usize>load<u32>(e) + (<usize>r << sh));
    }
  }
  return acc;
}

/** The chunk's selection as a row mask (1 = selected). */
function selToMask(mask: usize, sel: usize, ns: i32, n: i32): void {
  memory.fill(mask, 0, <usize>n);
  for (let j = 0; j < ns; j++) store<u8>(mask + <usize>load<i32>(sel + (<usize>j << 2)), 1);
}

// Masked chunks: when the WHERE keeps at least half of a chunk's rows, the body runs over every
// row of the chunk (loads alias the columns, no gather) and rows the WHERE dropped get group
// number -1, which the accumulators skip. Arithmetic then also runs on dropped rows; a flag it
// raises may be theirs, so the chunk is rerun compacted (only its selected rows), which decides.

function runChunk(h: usize, base: i32, n: i32, allowMask: bool): i32 {
  const prog = <usize>load<u32>(h + H_PROG);
  const plen = load<i32>(h + H_PLEN);
  const sel = <usize>load<u32>(h + H_SEL);
  const body = allowMask && load<i32>(h + H_MASKOK) != 0 ? load<i32>(h + H_BODY) : -1;
  let ns = n;
  let dense = true;
  let pc = 0;
  let mask: usize = 0;
  let aggs = false;
  store<i32>(h + H_PREG, -1);
  store<i32>(h + H_HREG, -1);
  // No WHERE, or the last chunk ran masked: every column will likely be read whole.
  const touched = load<i32>(h + H_BODY) == 0 || (allowMask && load<i32>(h + H_LASTMASK) != 0);
  if (touched) touchChunk(h, base, n, 0);
  store<i32>(h + H_LASTMASK, 0);
  while (pc < plen) {
    if (pc == body && !dense && ns * 2 >= n) {
      mask = <usize>load<u32>(h + H_MASK);
      selToMask(mask, sel, ns, n);
      store<i32>(h + H_NSEL, ns);
      ns = n;
      dense = true;
      store<i32>(h + H_LASTMASK, 1);
      if (!touched) touchChunk(h, base, n, body);
    }
    const op = word(prog, pc);
    switch (op) {
      case VP_END:
        return ST_OK;
      case VP_LOAD32:
      case VP_LOAD64:
      case VP_LOAD8: {
        const d = word(prog, pc + 1);
        const col = <usize>word(prog, pc + 2);
        const nul = <usize>word(prog, pc + 3);
        if (op == VP_LOAD32) load32(h, d, col, nul, base, ns, dense, sel);
        else if (op == VP_LOAD64) load64(h, d, col, nul, base, ns, dense, sel);
        else load8(h, d, col, nul, base, ns, dense, sel);
        pc += 4;
        break;
      }
      case VP_WIDEN:
      case VP_I2F: {
        const d = word(prog, pc + 1);
        const a = word(prog, pc + 2);
        const pa = rdata(h, a);
        const out = rown(h, d);
        if (op == VP_WIDEN) {
          for (let j = 0; j < ns; j++) store<i64>(out + (<usize>j << 3), <i64>load<i32>(pa + (<usize>j << 2)));
          pc += 3;
        } else {
          if (word(prog, pc + 3) == 0) for (let j = 0; j < ns; j++) store<f64>(out + (<usize>j << 3), <f64>load<i32>(pa + (<usize>j << 2)));
          else for (let j = 0; j < ns; j++) store<f64>(out + (<usize>j << 3), <f64>load<i64>(pa + (<usize>j << 3)));
          pc += 4;
        }
        rset(h, d, out, rnulls(h, a));
        break;
      }
      case VP_ARITH:
        arith(h, word(prog, pc + 1), word(prog, pc + 2), word(prog, pc + 3), word(prog, pc + 4), 0, false, ns);
        pc += 5;
        break;
      case VP_ARITHC:
        arith(h, word(prog, pc + 1), word(prog, pc + 2), -1, word(prog, pc + 3), word64(prog, pc + 4), true, ns);
        pc += 6;
        break;
      case VP_FARITH:
        farith(h, word(prog, pc + 1), word(prog, pc + 2), word(prog, pc + 3), word(prog, pc + 4), 0, false, ns);
        pc += 5;
        break;
      case VP_FARITHC:
        farith(h, word(prog, pc + 1), word(prog, pc + 2), -1, word(prog, pc + 3), reinterpret<f64>(word64(prog, pc + 4)), true, ns);
        pc += 6;
        break;
      case VP_RANGE: {
        const a = word(prog, pc + 1);
        const lo = word64(prog, pc + 2);
        const hi = word64(prog, pc + 4);
        const pa = rdata(h, a);
        let bad = false;
        for (let j = 0; j < ns; j++) {
          const x = load<i64>(pa + (<usize>j << 3));
          bad = bad || x < lo || x > hi;
        }
        if (bad) store<i32>(h + H_OVER, 1);
        pc += 6;
        break;
      }
      case VP_CMP:
        compare(h, word(prog, pc + 1), word(prog, pc + 2), word(prog, pc + 3), word(prog, pc + 4), word(prog, pc + 5), 0, 0, false, ns);
        pc += 6;
        break;
      case VP_CMPC:
        compare(h, word(prog, pc + 1), word(prog, pc + 2), -1, word(prog, pc + 3), word(prog, pc + 4), word64(prog, pc + 5), word64(prog, pc + 7), true, ns);
        pc += 9;
        break;
      case VP_AND:
      case VP_OR: {
        const d = word(prog, pc + 1);
        const a = word(prog, pc + 2);
        const b = word(prog, pc + 3);
        const pa = rdata(h, a);
        const pb = rdata(h, b);
        const na = rnulls(h, a);
        const nb = rnulls(h, b);
        const out = rown(h, d);
        let nout: usize = 0;
        if (na != 0 || nb != 0) nout = rownNulls(h, d);
        for (let j = 0; j < ns; j++) {
          const x = load<u8>(pa + <usize>j);
          const y = load<u8>(pb + <usize>j);
          const xn = <u8>nullAt(na, j);
          const yn = <u8>nullAt(nb, j);
          if (op == VP_AND) {
            const v = x & y;
            store<u8>(out + <usize>j, v);
            // NULL unless a non-NULL operand is false.
            if (nout != 0) store<u8>(nout + <usize>j, (xn | yn) & (xn | x) & (yn | y));
          } else {
            const v = x | y;
            store<u8>(out + <usize>j, v);
            if (nout != 0) store<u8>(nout + <usize>j, (xn | yn) & (v ^ 1));
          }
        }
        rset(h, d, out, nout);
        pc += 4;
        break;
      }
      case VP_NOT: {
        const d = word(prog, pc + 1);
        const a = word(prog, pc + 2);
        const pa = rdata(h, a);
        const na = rnulls(h, a);
        const out = rown(h, d);
        for (let j = 0; j < ns; j++) store<u8>(out + <usize>j, (load<u8>(pa + <usize>j) | <u8>nullAt(na, j)) ^ 1);
        rset(h, d, out, na);
        pc += 3;
        break;
      }
      case VP_ISNULL: {
        const d = word(prog, pc + 1);
        const a = word(prog, pc + 2);
        const neg = <u8>word(prog, pc + 3);
        const na = rnulls(h, a);
        const out = rown(h, d);
        for (let j = 0; j < ns; j++) store<u8>(out + <usize>j, <u8>nullAt(na, j) ^ neg);
        rset(h, d, out, 0);
        pc += 4;
        break;
      }
      case VP_DICTMAP: {
        const d = word(prog, pc + 1);
        const a = word(prog, pc + 2);
        const table = <usize>word(prog, pc + 3);
        const tnull = load<u8>(table + <usize>word(prog, pc + 4));
        const pa = rdata(h, a);
        const na = rnulls(h, a);
        const out = rown(h, d);
        const nout = rownNulls(h, d);
        for (let j = 0; j < ns; j++) {
          let t = load<u8>(table + <usize>load<u32>(pa + (<usize>j << 2)));
          if (nullAt(na, j) != 0) t = tnull;
          store<u8>(out + <usize>j, t & 1);
          store<u8>(nout + <usize>j, t >> 1);
        }
        rset(h, d, out, nout);
        pc += 5;
        break;
      }
      case VP_SELECT: {
        const a = word(prog, pc + 1);
        const pa = rdata(h, a);
        let k = 0;
        if (dense) {
          for (let j = 0; j < ns; j++) {
            store<i32>(sel + (<usize>k << 2), j);
            k += <i32>load<u8>(pa + <usize>j);
          }
        } else {
          for (let j = 0; j < ns; j++) {
            store<i32>(sel + (<usize>k << 2), load<i32>(sel + (<usize>j << 2)));
            k += <i32>load<u8>(pa + <usize>j);
          }
        }
        if (k != ns) dense = false;
        ns = k;
        pc += 2;
        break;
      }
      case VP_FILTER: {
        const col = <usize>word(prog, pc + 1);
        const nul = <usize>word(prog, pc + 2);
        const cop = word(prog, pc + 3);
        const t = word(prog, pc + 4);
        const c = word64(prog, pc + 5);
        const c2 = word64(prog, pc + 7);
        let k: i32;
        const cn: usize = nul == 0 ? 0 : nul + <usize>base;
        if (t == 0) {
          const cp = col + (<usize>base << 2);
          k = dense ? filterDense32(cop, cp, cn, ns, <i32>c, <i32>c2, sel) : filterSparse32(cop, cp, cn, ns, <i32>c, <i32>c2, sel);
        } else if (t == 1) {
          const cp = col + (<usize>base << 3);
          k = dense ? filterDense64(cop, cp, cn, ns, c, c2, sel) : filterSparse64(cop, cp, cn, ns, c, c2, sel);
        } else {
          const cp = col + (<usize>base << 3);
          const f1 = reinterpret<f64>(c), f2 = reinterpret<f64>(c2);
          k = dense ? filterDenseF(cop, cp, cn, ns, f1, f2, sel) : filterSparseF(cop, cp, cn, ns, f1, f2, sel);
        }
        if (k != ns) dense = false;
        ns = k;
        pc += 9;
        break;
      }
      case VP_GZERO: {
        const d = word(prog, pc + 1);
        // GZERO k; GKEYCOL k ...; [GKEYCOL k ...;] GROUP g k over a direct table: one pass.
        if (load<u32>(h + H_DIRECT) != 0 && pc + 10 < plen && word(prog, pc + 2) == VP_GKEYCOL && word(prog, pc + 3) == d) {
          const c1 = <usize>word(prog, pc + 4);
          const u1 = <usize>word(prog, pc + 5);
          const s1 = c1 + (<usize>base << 2);
          const n1: usize = u1 == 0 ? 0 : u1 + <usize>base;
          const st1 = word64(prog, pc + 6);
          if (word(prog, pc + 8) == VP_GROUP && word(prog, pc + 10) == d) {
            const st = groupFused1(h, d, word(prog, pc + 9), s1, n1, st1, ns, dense, sel, mask);
            if (st != ST_OK) return st;
            pc += 11;
            break;
          }
          if (pc + 16 < plen && word(prog, pc + 8) == VP_GKEYCOL && word(prog, pc + 9) == d && word(prog, pc + 14) == VP_GROUP && word(prog, pc + 16) == d) {
            const c2 = <usize>word(prog, pc + 10);
            const u2 = <usize>word(prog, pc + 11);
            const st = groupFused2(h, d, word(prog, pc + 15), s1, n1, st1, c2 + (<usize>base << 2), u2 == 0 ? 0 : u2 + <usize>base,
              word64(prog, pc + 12), ns, dense, sel, mask);
            if (st != ST_OK) return st;
            pc += 17;
            break;
          }
        }
        memory.fill(rown(h, d), 0, <usize>ns << 3);
        rset(h, d, rown(h, d), 0);
        pc += 2;
        break;
      }
      case VP_GKEY: {
        const d = word(prog, pc + 1);
        const a = word(prog, pc + 2);
        const stride = word64(prog, pc + 3);
        const pa = rdata(h, a);
        const na = rnulls(h, a);
        const out = rown(h, d);
        for (let j = 0; j < ns; j++) {
          const code = nullAt(na, j) != 0 ? <i64>0 : <i64>load<u32>(pa + (<usize>j << 2)) + 1;
          store<i64>(out + (<usize>j << 3), load<i64>(out + (<usize>j << 3)) + code * stride);
        }
        pc += 5;
        break;
      }
      case VP_GKEYCOL:
        gkeyCol(h, word(prog, pc + 1), <usize>word(prog, pc + 2), <usize>word(prog, pc + 3), word64(prog, pc + 4), base, ns, dense, sel);
        pc += 6;
        break;
      case VP_GROUP: {
        const st = groupIds(h, word(prog, pc + 1), word(prog, pc + 2), ns, mask);
        if (st != ST_OK) return st;
        pc += 3;
        break;
      }
      case VP_AGG: {
        aggs = true;
        const took = sumRun(h, prog, pc, plen, ns, mask);
        if (took > 0) {
          pc += took * 5;
          break;
        }
        const st = accumulate(h, word(prog, pc + 1), word(prog, pc + 2), word(prog, pc + 3), word(prog, pc + 4), ns, mask);
        if (st != ST_OK) return st;
        pc += 5;
        break;
      }
      case VP_SUMX: {
        aggs = true;
        const took = sumxRun(h, prog, pc, plen, ns);
        if (took > 0) {
          pc += took * 15;
          break;
        }
        const st = sumxRows(h, prog, pc, ns, mask);
        if (st != ST_OK) return st;
        pc += 15;
        break;
      }
      default:
        return ST_ERR_ARG;
    }
    if (load<i32>(h + H_OVER) != 0) return mask != 0 && !aggs ? ST_RERUN : ST_ERR_LIMIT;
  }
  return ST_OK;
}

/** Runs the program over rows [start, start + n) of its columns, CHUNK rows at a
 *  time. ST_ERR_LIMIT: an overflow (the host takes the row path); ST_ERR_ARG: a bad program. */
export function vp_run(h: usize, start: i32, n: i32): i32 {
  if (load<i32>(h + H_OVER) != 0) return ST_ERR_LIMIT;
  if (load<i32>(h + H_SHAPE) == 0) analyse(h);
  for (let b = 0; b < n; b += CHUNK) {
    let st = runChunk(h, start + b, min(CHUNK, n - b), true);
    if (st == ST_RERUN) {
      store<i32>(h + H_OVER, 0);
      st = runChunk(h, start + b, min(CHUNK, n - b), false);
    }
    if (st != ST_OK) return st;
  }
  return ST_OK;
}
