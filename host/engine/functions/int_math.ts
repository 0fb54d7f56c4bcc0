// Checked integer arithmetic for int2/int4/int8 with PostgreSQL's overflow
// errors. int2/int4 are JS numbers; int8 is a number when safe, else a
// bigint, and results are normalised back to number when safe.

import { divisionByZero, outOfRange } from './errors.ts';

export const INT2_MIN = -32768;
export const INT2_MAX = 32767;
export const INT4_MIN = -2147483648;
export const INT4_MAX = 2147483647;
export const INT8_MIN = -(2n ** 63n);
export const INT8_MAX = 2n ** 63n - 1n;

export type Int8 = number | bigint;

export function checkInt2(v: number): number {
  if (!(v >= INT2_MIN && v <= INT2_MAX)) throw outOfRange('smallint');
  return v || 0;
}

export function checkInt4(v: number): number {
  if (!(v >= INT4_MIN && v <= INT4_MAX)) throw outOfRange('integer');
  return v || 0;
}

/** Normalises an int8 result: range-checked, a number when safe. */
export function int8(v: bigint): Int8 {
  if (v < INT8_MIN || v > INT8_MAX) throw outOfRange('bigint');
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

export function big(v: Int8): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

export function int8Add(a: Int8, b: Int8): Int8 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r || 0;
  }
  return int8(big(a) + big(b));
}

export function int8Sub(a: Int8, b: Int8): Int8 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (Number.isSafeInteger(r)) return r || 0;
  }
  return int8(big(a) - big(b));
}

export function int8Mul(a: Int8, b: Int8): Int8 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (Number.isSafeInteger(r)) return r || 0;
  }
  return int8(big(a) * big(b));
}

/** Truncating division; INT8_MIN / -1 overflows as in PostgreSQL. */
export function int8Div(a: Int8, b: Int8): Int8 {
  if (b === 0 || b === 0n) throw divisionByZero();
  if (typeof a === 'number' && typeof b === 'number') return (a - (a % b)) / b || 0;
  return int8(big(a) / big(b));
}

export function int8Mod(a: Int8, b: Int8): Int8 {
  if (b === 0 || b === 0n) throw divisionByZero();
  if (typeof a === 'number' && typeof b === 'number') return a % b || 0;
  return int8(big(a) % big(b));
}

export function int8Neg(a: Int8): Int8 {
  if (typeof a === 'number') return -a || 0;
  return int8(-a);
}

export function int8Abs(a: Int8): Int8 {
  if (typeof a === 'number') return Math.abs(a);
  return int8(a < 0n ? -a : a);
}

export function int8Cmp(a: Int8, b: Int8): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function int4Div(a: number, b: number, check: (v: number) => number): number {
  if (b === 0) throw divisionByZero();
  return check(Math.trunc(a / b));
}

export function int4Mod(a: number, b: number): number {
  if (b === 0) throw divisionByZero();
  return a % b || 0;
}

// ---- bitwise ----------------------------------------------------------------

export function int8And(a: Int8, b: Int8): Int8 {
  return int8(BigInt.asIntN(64, big(a) & big(b)));
}

export function int8Or(a: Int8, b: Int8): Int8 {
  return int8(BigInt.asIntN(64, big(a) | big(b)));
}

export function int8Xor(a: Int8, b: Int8): Int8 {
  return int8(BigInt.asIntN(64, big(a) ^ big(b)));
}

export function int8Not(a: Int8): Int8 {
  return int8(BigInt.asIntN(64, ~big(a)));
}

/** C shifts: the count is taken modulo the width (x86 semantics PostgreSQL inherits). */
export function int8Shl(a: Int8, n: number): Int8 {
  return int8(BigInt.asIntN(64, big(a) << BigInt(n & 63)));
}

export function int8Shr(a: Int8, n: number): Int8 {
  return int8(BigInt.asIntN(64, big(a) >> BigInt(n & 63)));
}

export function int4Shl(a: number, n: number): number {
  return a << (n & 31);
}

export function int4Shr(a: number, n: number): number {
  return a >> (n & 31);
}

/** int2 shifts are computed in int32 and then truncated to 16 bits (C's implicit conversion). */
export function int2Shl(a: number, n: number): number {
  return ((a << (n & 31)) << 16) >> 16;
}

export function int2Shr(a: number, n: number): number {
  return ((a >> (n & 31)) << 16) >> 16;
}

export function gcdBig(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
