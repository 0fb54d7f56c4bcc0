// Hash aggregation kernels.
//
// A group table (agg_table_new) maps i64 keys to dense group numbers in
// first-seen order with open addressing (linear probing, load <= 1/2); NULL
// keys form one group of their own. Accumulators (acc_new) hold one 8-byte
// value and one i64 count per group and fold a batch given its group numbers:
// sum/min/max of i64 (inputs i32, i64 or exact-integer f64) or f64, count.
// An i64 sum that overflows sets the accumulator's overflow flag (status
// ST_ERR_LIMIT) and the host takes another path. f64 sums add in row order,
// as the TypeScript loop does, so results are bit-identical; the ungrouped
// i64 sum, count and min/max use v128 lanes.

import { alloc, free, realloc } from '../common/alloc';
import { ST_OK, ST_ERR_NOMEM, ST_ERR_LIMIT, ST_ERR_ARG } from '../common/status';
import { KIND_I32, KIND_I64, KIND_F64, loadKey, isNull, hashSlot, rehashI64, rehashedKeys, rehashedGids } from './keys';

// Group table header fields (byte offsets).
// @ts-ignore: decorator
@inline const T_BITS: usize = 0;
// @ts-ignore: decorator
@inline const T_COUNT: usize = 4;
// @ts-ignore: decorator
@inline const T_NULLG: usize = 8;
// @ts-ignore: decorator
@inline const T_SKEYS: usize = 12;
// @ts-ignore: decorator
@inline const T_SGIDS: usize = 16;
// @ts-ignore: decorator
@inline const T_GKEYS: usize = 20;
// @ts-ignore: decorator
@inline const T_GCAP: usize = 24;

export function agg_table_new(): usize {
  const h = alloc(32);
  if (h == 0) return 0;
  const bits = 10;
  const sk = alloc(<usize>8 << bits);
  const sg = alloc(<usize>4 << bits);
  const gk = alloc(8 * 512);
  if (sk == 0 || sg == 0 || gk == 0) return 0;
  memory.fill(sg, 0xff, <usize>4 << bits);
  store<i32>(h + T_BITS, bits);
  store<i32>(h + T_COUNT, 0);
  store<i32>(h + T_NULLG, -1);
  store<u32>(h + T_SKEYS, <u32>sk);
  store<u32>(h + T_SGIDS, <u32>sg);
  store<u32>(h + T_GKEYS, <u32>gk);
  store<i32>(h + T_GCAP, 512);
  return h;
}

export function agg_table_free(h: usize): void {
  if (h == 0) return;
  free(<usize>load<u32>(h + T_SKEYS));
  free(<usize>load<u32>(h + T_SGIDS));
  free(<usize>load<u32>(h + T_GKEYS));
  free(h);
}

export function agg_group_count(h: usize): i32 {
  return load<i32>(h + T_COUNT);
}
/** The group that NULL keys fall into, -1 while none came. */
export function agg_null_group(h: usize): i32 {
  return load<i32>(h + T_NULLG);
}
/** Group keys by group number (i64 each; the NULL group's slot is 0). */
export function agg_group_keys(h: usize): usize {
  return <usize>load<u32>(h + T_GKEYS);
}

function grow(h: usize): bool {
  const bits = load<i32>(h + T_BITS);
  if (!rehashI64(<usize>load<u32>(h + T_SKEYS), <usize>load<u32>(h + T_SGIDS), bits)) return false;
  store<i32>(h + T_BITS, bits + 1);
  store<u32>(h + T_SKEYS, <u32>rehashedKeys);
  store<u32>(h + T_SGIDS, <u32>rehashedGids);
  return true;
}

function newGroup(h: usize, key: i64): i32 {
  const g = load<i32>(h + T_COUNT);
  let gcap = load<i32>(h + T_GCAP);
  if (g >= gcap) {
    gcap <<= 1;
    const gk = realloc(<usize>load<u32>(h + T_GKEYS), <usize>gcap << 3);
    if (gk == 0) return -1;
    store<u32>(h + T_GKEYS, <u32>gk);
    store<i32>(h + T_GCAP, gcap);
  }
  store<i64>(<usize>load<u32>(h + T_GKEYS) + (<usize>g << 3), key);
  store<i32>(h + T_COUNT, g + 1);
  return g;
}

/** Group number of each of n keys (kind: keys.ts) into gids (i32 each); new
 *  keys get new groups. */
export function agg_groups(h: usize, kind: i32, keys: usize, nulls: usize, n: i32, gids: usize): i32 {
  if (kind < KIND_I32 || kind > 3) return ST_ERR_ARG;
  for (let i = 0; i < n; i++) {
    let g: i32;
    if (isNull(nulls, i)) {
      g = load<i32>(h + T_NULLG);
      if (g < 0) {
        g = newGroup(h, 0);
        if (g < 0) return ST_ERR_NOMEM;
        store<i32>(h + T_NULLG, g);
      }
    } else {
      const key = loadKey(kind, keys, i);
      let bits = load<i32>(h + T_BITS);
      let sk = <usize>load<u32>(h + T_SKEYS);
      let sg = <usize>load<u32>(h + T_SGIDS);
      let mask = (1 << bits) - 1;
      let s = hashSlot(key, bits);
      for (;;) {
        g = load<i32>(sg + (<usize>s << 2));
        if (g < 0) break;
        if (load<i64>(sk + (<usize>s << 3)) == key) break;
        s = (s + 1) & mask;
      }
      if (g < 0) {
        g = newGroup(h, key);
        if (g < 0) return ST_ERR_NOMEM;
        store<i64>(sk + (<usize>s << 3), key);
        store<i32>(sg + (<usize>s << 2), g);
        if ((load<i32>(h + T_COUNT) << 1) > (1 << bits)) {
          if (!grow(h)) return ST_ERR_NOMEM;
        }
      }
    }
    store<i32>(gids + (<usize>i << 2), g);
  }
  return ST_OK;
}

// Accumulators.
export const ACC_SUM_I64: i32 = 1;
export const ACC_SUM_F64: i32 = 2;
export const ACC_MIN_I64: i32 = 3;
export const ACC_MAX_I64: i32 = 4;
export const ACC_MIN_F64: i32 = 5;
export const ACC_MAX_F64: i32 = 6;
export const ACC_COUNT: i32 = 7;

// @ts-ignore: decorator
@inline const A_KIND: usize = 0;
// @ts-ignore: decorator
@inline const A_CAP: usize = 4;
// @ts-ignore: decorator
@inline const A_FLAGS: usize = 8;
// @ts-ignore: decorator
@inline const A_DATA: usize = 12;
// @ts-ignore: decorator
@inline const A_CNT: usize = 16;

export function acc_new(kind: i32): usize {
  if (kind < ACC_SUM_I64 || kind > ACC_COUNT) return 0;
  const a = alloc(32);
  if (a == 0) return 0;
  store<i32>(a + A_KIND, kind);
  store<i32>(a + A_CAP, 0);
  store<i32>(a + A_FLAGS, 0);
  store<u32>(a + A_DATA, 0);
  store<u32>(a + A_CNT, 0);
  return a;
}

export function acc_free(a: usize): void {
  if (a == 0) return;
  free(<usize>load<u32>(a + A_DATA));
  free(<usize>load<u32>(a + A_CNT));
  free(a);
}

/** Per-group values (i64 or f64 by kind). */
export function acc_data(a: usize): usize {
  return <usize>load<u32>(a + A_DATA);
}
/** Per-group counts of the non-NULL inputs (i64). */
export function acc_counts(a: usize): usize {
  return <usize>load<u32>(a + A_CNT);
}
/** 1 once an i64 sum overflowed. */
export function acc_overflow(a: usize): i32 {
  return load<i32>(a + A_FLAGS) & 1;
}

function reserve(a: usize, groups: i32): bool {
  const cap = load<i32>(a + A_CAP);
  if (groups <= cap) return true;
  let ncap = max(cap << 1, 64);
  while (ncap < groups) ncap <<= 1;
  const d = realloc(<usize>load<u32>(a + A_DATA), <usize>ncap << 3);
  if (d == 0) return false;
  store<u32>(a + A_DATA, <u32>d);
  const c = realloc(<usize>load<u32>(a + A_CNT), <usize>ncap << 3);
  if (c == 0) return false;
  store<u32>(a + A_CNT, <u32>c);
  memory.fill(d + (<usize>cap << 3), 0, <usize>(ncap - cap) << 3);
  memory.fill(c + (<usize>cap << 3), 0, <usize>(ncap - cap) << 3);
  store<i32>(a + A_CAP, ncap);
  return true;
}

// @ts-ignore: decorator
@inline function gidAt(gids: usize, i: i32): i32 {
  return gids == 0 ? 0 : load<i32>(gids + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function foldI64(op: i32, a: usize, gids: usize, kind: i32, vals: usize, nulls: usize, n: i32): void {
  const data = <usize>load<u32>(a + A_DATA);
  const cnt = <usize>load<u32>(a + A_CNT);
  let over: i64 = 0;
  for (let i = 0; i < n; i++) {
    if (isNull(nulls, i)) continue;
    const g = <usize>gidAt(gids, i);
    const v = loadKey(kind, vals, i);
    const dp = data + (g << 3);
    const cp = cnt + (g << 3);
    const c = load<i64>(cp);
    const cur = load<i64>(dp);
    if (op == ACC_SUM_I64) {
      const r = cur + v;
      over |= (cur ^ r) & (v ^ r);
      store<i64>(dp, r);
    } else if (op == ACC_MIN_I64) {
      if (c == 0 || v < cur) store<i64>(dp, v);
    } else {
      if (c == 0 || v > cur) store<i64>(dp, v);
    }
    store<i64>(cp, c + 1);
  }
  if (over < 0) store<i32>(a + A_FLAGS, 1);
}

// @ts-ignore: decorator
@inline function foldF64(op: i32, a: usize, gids: usize, vals: usize, nulls: usize, n: i32): void {
  const data = <usize>load<u32>(a + A_DATA);
  const cnt = <usize>load<u32>(a + A_CNT);
  for (let i = 0; i < n; i++) {
    if (isNull(nulls, i)) continue;
    const g = <usize>gidAt(gids, i);
    const v = load<f64>(vals + (<usize>i << 3));
    const dp = data + (g << 3);
    const cp = cnt + (g << 3);
    const c = load<i64>(cp);
    if (op == ACC_SUM_F64) {
      store<f64>(dp, load<f64>(dp) + v);
    } else {
      const cur = load<f64>(dp);
      // PostgreSQL float order: NaN above everything.
      const vn = v != v;
      const cn = cur != cur;
      if (op == ACC_MIN_F64) {
        if (c == 0 || v < cur || (cn && !vn)) store<f64>(dp, v);
      } else {
        if (c == 0 || v > cur || (vn && !cn)) store<f64>(dp, v);
      }
    }
    store<i64>(cp, c + 1);
  }
}

/** Ungrouped i64 sum without NULLs, two lanes at a time. */
function sumI64Simd(a: usize, kind: i32, vals: usize, n: i32): void {
  let acc = i64x2.splat(0);
  let over = i64x2.splat(0);
  let i = 0;
  if (kind == KIND_I64) {
    for (; i + 2 <= n; i += 2) {
      const v = v128.load(vals + (<usize>i << 3));
      const r = i64x2.add(acc, v);
      over = v128.or(over, v128.and(v128.xor(acc, r), v128.xor(v, r)));
      acc = r;
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const w = v128.load(vals + (<usize>i << 2));
      const lo = i64x2.extend_low_i32x4_s(w);
      const hi = i64x2.extend_high_i32x4_s(w);
      // Four i32 values cannot overflow an i64 lane pair, but the running sum can.
      let r = i64x2.add(acc, lo);
      over = v128.or(over, v128.and(v128.xor(acc, r), v128.xor(lo, r)));
      const r2 = i64x2.add(r, hi);
      over = v128.or(over, v128.and(v128.xor(r, r2), v128.xor(hi, r2)));
      acc = r2;
    }
  }
  const data = <usize>load<u32>(a + A_DATA);
  let s = load<i64>(data);
  let o: i64 = i64x2.extract_lane(over, 0) | i64x2.extract_lane(over, 1);
  for (let p = 0; p < 2; p++) {
    const v = p == 0 ? i64x2.extract_lane(acc, 0) : i64x2.extract_lane(acc, 1);
    const r = s + v;
    o |= (s ^ r) & (v ^ r);
    s = r;
  }
  for (; i < n; i++) {
    const v = loadKey(kind, vals, i);
    const r = s + v;
    o |= (s ^ r) & (v ^ r);
    s = r;
  }
  store<i64>(data, s);
  store<i64>(<usize>load<u32>(a + A_CNT), load<i64>(<usize>load<u32>(a + A_CNT)) + <i64>n);
  if (o < 0) store<i32>(a + A_FLAGS, 1);
}

/** Folds n rows into the accumulator: row i goes to group gids[i] (gids 0:
 *  every row to group 0); ngroups is the table's group count. vkind: the
 *  values' kind (keys.ts). ST_ERR_LIMIT once an i64 sum overflowed. */
export function acc_update(a: usize, gids: usize, vkind: i32, vals: usize, nulls: usize, n: i32, ngroups: i32): i32 {
  if (!reserve(a, max(ngroups, 1))) return ST_ERR_NOMEM;
  const op = load<i32>(a + A_KIND);
  const cnt = <usize>load<u32>(a + A_CNT);
  if (op == ACC_COUNT) {
    if (gids == 0) {
      let c: i64 = 0;
      for (let i = 0; i < n; i++) c += <i64>!isNull(nulls, i);
      store<i64>(cnt, load<i64>(cnt) + c);
    } else {
      for (let i = 0; i < n; i++) {
        if (isNull(nulls, i)) continue;
        const p = cnt + (<usize>load<i32>(gids + (<usize>i << 2)) << 3);
        store<i64>(p, load<i64>(p) + 1);
      }
    }
    return ST_OK;
  }
  const isF = op == ACC_SUM_F64 || op == ACC_MIN_F64 || op == ACC_MAX_F64;
  if (isF != (vkind == KIND_F64)) return ST_ERR_ARG;
  if (op == ACC_SUM_I64 && gids == 0 && nulls == 0 && (vkind == KIND_I64 || vkind == KIND_I32)) sumI64Simd(a, vkind, vals, n);
  else if (op == ACC_SUM_I64) foldI64(ACC_SUM_I64, a, gids, vkind, vals, nulls, n);
  else if (op == ACC_MIN_I64) foldI64(ACC_MIN_I64, a, gids, vkind, vals, nulls, n);
  else if (op == ACC_MAX_I64) foldI64(ACC_MAX_I64, a, gids, vkind, vals, nulls, n);
  else if (op == ACC_SUM_F64) foldF64(ACC_SUM_F64, a, gids, vals, nulls, n);
  else if (op == ACC_MIN_F64) foldF64(ACC_MIN_F64, a, gids, vals, nulls, n);
  else foldF64(ACC_MAX_F64, a, gids, vals, nulls, n);
  return (load<i32>(a + A_FLAGS) & 1) != 0 ? ST_ERR_LIMIT : ST_OK;
}
