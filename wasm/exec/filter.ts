// Filter kernels: compare a column with a constant or with another column and
// write the indexes of the rows that pass (a selection vector of i32).
//
// op: 0 =, 1 <>, 2 <, 3 <=, 4 >, 5 >=, 6 BETWEEN lo AND hi (constant form
// only). NULL rows (bitmap bit set) never pass. f64 follows PostgreSQL's
// float order: NaN equals NaN and is greater than every other value.
// Eight rows per step: their compare masks (v128) are gathered into one byte,
// the NULL byte is masked off, and the indexes are written branch-free.

export const OP_EQ: i32 = 0;
export const OP_NE: i32 = 1;
export const OP_LT: i32 = 2;
export const OP_LE: i32 = 3;
export const OP_GT: i32 = 4;
export const OP_GE: i32 = 5;
export const OP_BETWEEN: i32 = 6;

// @ts-ignore: decorator
@inline function vcmp<T>(op: i32, a: v128, b: v128): v128 {
  if (isFloat<T>()) {
    // PostgreSQL float order: NaN = NaN, NaN > everything else.
    const na = v128.ne<T>(a, a);
    const nb = v128.ne<T>(b, b);
    if (op == OP_EQ) return v128.or(v128.eq<T>(a, b), v128.and(na, nb));
    if (op == OP_NE) return v128.not(v128.or(v128.eq<T>(a, b), v128.and(na, nb)));
    if (op == OP_LT) return v128.or(v128.lt<T>(a, b), v128.andnot(nb, na));
    if (op == OP_LE) return v128.or(v128.le<T>(a, b), nb);
    if (op == OP_GT) return v128.or(v128.gt<T>(a, b), v128.andnot(na, nb));
    return v128.or(v128.ge<T>(a, b), na);
  }
  if (op == OP_EQ) return v128.eq<T>(a, b);
  if (op == OP_NE) return v128.ne<T>(a, b);
  if (op == OP_LT) return v128.lt<T>(a, b);
  if (op == OP_LE) return v128.le<T>(a, b);
  if (op == OP_GT) return v128.gt<T>(a, b);
  return v128.ge<T>(a, b);
}

// @ts-ignore: decorator
@inline function scmp<T>(op: i32, a: T, b: T): bool {
  if (isFloat<T>()) {
    const na = a != a;
    const nb = b != b;
    if (op == OP_EQ) return a == b || (na && nb);
    if (op == OP_NE) return !(a == b || (na && nb));
    if (op == OP_LT) return a < b || (!na && nb);
    if (op == OP_LE) return a <= b || nb;
    if (op == OP_GT) return a > b || (na && !nb);
    return a >= b || na;
  }
  if (op == OP_EQ) return a == b;
  if (op == OP_NE) return a != b;
  if (op == OP_LT) return a < b;
  if (op == OP_LE) return a <= b;
  if (op == OP_GT) return a > b;
  return a >= b;
}

/** Mask of 8 rows at `p` (and `q` for column-vs-column) as one byte. */
// @ts-ignore: decorator
@inline function mask8<T>(op: i32, p: usize, q: usize, c: v128, c2: v128, useCol: bool): u32 {
  const lanes = <i32>(16 / sizeof<T>());
  let m: u32 = 0;
  for (let v = 0; v < 8 / lanes; v++) {
    const a = v128.load(p + (<usize>v << 4));
    let r: v128;
    if (useCol) r = vcmp<T>(op, a, v128.load(q + (<usize>v << 4)));
    else if (op == OP_BETWEEN) r = v128.and(vcmp<T>(OP_GE, a, c), vcmp<T>(OP_LE, a, c2));
    else r = vcmp<T>(op, a, c);
    const bm = sizeof<T>() == 8 ? i64x2.bitmask(r) : i32x4.bitmask(r);
    m |= <u32>bm << (<u32>(v * lanes));
  }
  return m;
}

// @ts-ignore: decorator
@inline function emit8(sel: usize, k: i32, base: i32, m: u32): i32 {
  if (m == 0) return k;
  if (m == 0xff) {
    const b = i32x4.splat(base);
    v128.store(sel + (<usize>k << 2), i32x4.add(b, i32x4(0, 1, 2, 3)));
    v128.store(sel + (<usize>k << 2), i32x4.add(b, i32x4(4, 5, 6, 7)), 16);
    return k + 8;
  }
  for (let j = 0; j < 8; j++) {
    store<i32>(sel + (<usize>k << 2), base + j);
    k += <i32>((m >> <u32>j) & 1);
  }
  return k;
}

// @ts-ignore: decorator
@inline function filterLoop<T>(op: i32, col: usize, col2: usize, nulls: usize, n: i32, c: T, c2: T, sel: usize, useCol: bool): i32 {
  const vc = v128.splat<T>(c);
  const vc2 = v128.splat<T>(c2);
  let k = 0;
  const n8 = n & ~7;
  let i = 0;
  for (; i < n8; i += 8) {
    const off = <usize>i * sizeof<T>();
    let m = mask8<T>(op, col + off, col2 + off, vc, vc2, useCol);
    if (nulls != 0) m &= ~<u32>load<u8>(nulls + (<usize>i >> 3)) & 0xff;
    k = emit8(sel, k, i, m);
  }
  for (; i < n; i++) {
    const a = load<T>(col + <usize>i * sizeof<T>());
    let ok: bool;
    if (useCol) ok = scmp<T>(op, a, load<T>(col2 + <usize>i * sizeof<T>()));
    else if (op == OP_BETWEEN) ok = scmp<T>(OP_GE, a, c) && scmp<T>(OP_LE, a, c2);
    else ok = scmp<T>(op, a, c);
    if (nulls != 0 && ((load<u8>(nulls + (<usize>i >> 3)) >> <u8>(i & 7)) & 1) != 0) ok = false;
    store<i32>(sel + (<usize>k << 2), i);
    k += <i32>ok;
  }
  return k;
}

// @ts-ignore: decorator
@inline function filterConst<T>(op: i32, col: usize, nulls: usize, n: i32, c: T, c2: T, sel: usize): i32 {
  switch (op) {
    case OP_EQ: return filterLoop<T>(OP_EQ, col, 0, nulls, n, c, c2, sel, false);
    case OP_NE: return filterLoop<T>(OP_NE, col, 0, nulls, n, c, c2, sel, false);
    case OP_LT: return filterLoop<T>(OP_LT, col, 0, nulls, n, c, c2, sel, false);
    case OP_LE: return filterLoop<T>(OP_LE, col, 0, nulls, n, c, c2, sel, false);
    case OP_GT: return filterLoop<T>(OP_GT, col, 0, nulls, n, c, c2, sel, false);
    case OP_GE: return filterLoop<T>(OP_GE, col, 0, nulls, n, c, c2, sel, false);
    case OP_BETWEEN: return filterLoop<T>(OP_BETWEEN, col, 0, nulls, n, c, c2, sel, false);
  }
  return -1;
}

// @ts-ignore: decorator
@inline function filterCols<T>(op: i32, a: usize, b: usize, nulls: usize, n: i32, sel: usize): i32 {
  const z = <T>0;
  switch (op) {
    case OP_EQ: return filterLoop<T>(OP_EQ, a, b, nulls, n, z, z, sel, true);
    case OP_NE: return filterLoop<T>(OP_NE, a, b, nulls, n, z, z, sel, true);
    case OP_LT: return filterLoop<T>(OP_LT, a, b, nulls, n, z, z, sel, true);
    case OP_LE: return filterLoop<T>(OP_LE, a, b, nulls, n, z, z, sel, true);
    case OP_GT: return filterLoop<T>(OP_GT, a, b, nulls, n, z, z, sel, true);
    case OP_GE: return filterLoop<T>(OP_GE, a, b, nulls, n, z, z, sel, true);
  }
  return -1;
}

/** Rows of an i32 column passing `col op c` (BETWEEN: c <= col <= c2) into
 *  sel; returns their count, -1 for a bad op. */
export function filter_i32(op: i32, col: usize, nulls: usize, n: i32, c: i32, c2: i32, sel: usize): i32 {
  return filterConst<i32>(op, col, nulls, n, c, c2, sel);
}
export function filter_i64(op: i32, col: usize, nulls: usize, n: i32, c: i64, c2: i64, sel: usize): i32 {
  return filterConst<i64>(op, col, nulls, n, c, c2, sel);
}
export function filter_f64(op: i32, col: usize, nulls: usize, n: i32, c: f64, c2: f64, sel: usize): i32 {
  return filterConst<f64>(op, col, nulls, n, c, c2, sel);
}
/** Column against column: `nulls` is the union of both columns' NULLs. */
export function filter_cols_i32(op: i32, a: usize, b: usize, nulls: usize, n: i32, sel: usize): i32 {
  return filterCols<i32>(op, a, b, nulls, n, sel);
}
export function filter_cols_i64(op: i32, a: usize, b: usize, nulls: usize, n: i32, sel: usize): i32 {
  return filterCols<i64>(op, a, b, nulls, n, sel);
}
export function filter_cols_f64(op: i32, a: usize, b: usize, nulls: usize, n: i32, sel: usize): i32 {
  return filterCols<f64>(op, a, b, nulls, n, sel);
}
