// Arithmetic operators for int2/int4/int8/float4/float8/numeric (+ - * / %
// ^, prefix - + @ |/ ||/ ~, bitwise & | # << >>), with PostgreSQL's overflow
// and division-by-zero errors and its cross-type integer operators (int24pl,
// int48mul...).

import { Numeric } from '../types/numeric.ts';
import { numericPower } from '../types/numeric_math.ts';
import { T, type SqlType } from '../types/types.ts';
import { divisionByZero, floatOverflow, floatUnderflow, invalidArgumentForPower } from './errors.ts';
import * as I from './int_math.ts';
import { cbrtGlibc } from './float_cbrt.ts';
import { defOp } from './registry.ts';

type IntId = 'int2' | 'int4' | 'int8';
const INTS: IntId[] = ['int2', 'int4', 'int8'];
const RANK: Record<IntId, number> = { int2: 0, int4: 1, int8: 2 };

function wider(a: IntId, b: IntId): IntId {
  return RANK[a] >= RANK[b] ? a : b;
}

function checker(t: IntId): (v: number) => number {
  return t === 'int2' ? I.checkInt2 : I.checkInt4;
}

// ---- integers -------------------------------------------------------------------

for (const l of INTS) {
  for (const r of INTS) {
    const res = wider(l, r);
    const rt = T[res];
    if (res === 'int8') {
      defOp('+', T[l], T[r], rt, (a, b) => I.int8Add(a as I.Int8, b as I.Int8), { commutator: '+' });
      defOp('-', T[l], T[r], rt, (a, b) => I.int8Sub(a as I.Int8, b as I.Int8));
      defOp('*', T[l], T[r], rt, (a, b) => I.int8Mul(a as I.Int8, b as I.Int8), { commutator: '*' });
      defOp('/', T[l], T[r], rt, (a, b) => I.int8Div(a as I.Int8, b as I.Int8));
    } else {
      const check = checker(res);
      defOp('+', T[l], T[r], rt, (a, b) => check((a as number) + (b as number)), { commutator: '+' });
      defOp('-', T[l], T[r], rt, (a, b) => check((a as number) - (b as number)));
      defOp('*', T[l], T[r], rt, (a, b) => check((a as number) * (b as number)), { commutator: '*' });
      defOp('/', T[l], T[r], rt, (a, b) => I.int4Div(a as number, b as number, check));
    }
  }
}

for (const t of INTS) {
  const st = T[t];
  if (t === 'int8') {
    defOp('%', st, st, st, (a, b) => I.int8Mod(a as I.Int8, b as I.Int8));
    defOp('&', st, st, st, (a, b) => I.int8And(a as I.Int8, b as I.Int8));
    defOp('|', st, st, st, (a, b) => I.int8Or(a as I.Int8, b as I.Int8));
    defOp('#', st, st, st, (a, b) => I.int8Xor(a as I.Int8, b as I.Int8));
    defOp('<<', st, T.int4, st, (a, b) => I.int8Shl(a as I.Int8, b as number));
    defOp('>>', st, T.int4, st, (a, b) => I.int8Shr(a as I.Int8, b as number));
    defOp('-', null, st, st, (_l, a) => I.int8Neg(a as I.Int8));
    defOp('+', null, st, st, (_l, a) => a);
    defOp('@', null, st, st, (_l, a) => I.int8Abs(a as I.Int8));
    defOp('~', null, st, st, (_l, a) => I.int8Not(a as I.Int8));
  } else {
    const check = checker(t);
    defOp('%', st, st, st, (a, b) => I.int4Mod(a as number, b as number));
    defOp('&', st, st, st, (a, b) => (a as number) & (b as number));
    defOp('|', st, st, st, (a, b) => (a as number) | (b as number));
    defOp('#', st, st, st, (a, b) => (a as number) ^ (b as number));
    const shl = t === 'int2' ? I.int2Shl : I.int4Shl;
    const shr = t === 'int2' ? I.int2Shr : I.int4Shr;
    defOp('<<', st, T.int4, st, (a, b) => shl(a as number, b as number));
    defOp('>>', st, T.int4, st, (a, b) => shr(a as number, b as number));
    defOp('-', null, st, st, (_l, a) => check(-(a as number)));
    defOp('+', null, st, st, (_l, a) => a);
    defOp('@', null, st, st, (_l, a) => check(Math.abs(a as number)));
    defOp('~', null, st, st, (_l, a) => (t === 'int2' ? ((~(a as number)) << 16) >> 16 : ~(a as number)));
  }
}

// ---- floats -----------------------------------------------------------------------

/** float8 result checks (float_overflow_error / float_underflow_error). */
export function checkFloat8(r: number, infOk: boolean, zeroOk: boolean): number {
  if (r === Infinity || r === -Infinity) {
    if (!infOk) throw floatOverflow();
  } else if (r === 0 && !zeroOk) throw floatUnderflow();
  return r;
}

export function checkFloat4(r8: number, infOk: boolean, zeroOk: boolean): number {
  const r = Math.fround(r8);
  if (r === Infinity || r === -Infinity) {
    if (!infOk) throw floatOverflow();
  } else if (r === 0 && !zeroOk) throw floatUnderflow();
  return r;
}

const isInf = (x: number): boolean => x === Infinity || x === -Infinity;

function floatOps(l: SqlType, r: SqlType, res: SqlType): void {
  const chk = res.id === 'float4' ? checkFloat4 : checkFloat8;
  defOp('+', l, r, res, (a, b) => chk((a as number) + (b as number), isInf(a as number) || isInf(b as number), true), {
    commutator: '+',
  });
  defOp('-', l, r, res, (a, b) => chk((a as number) - (b as number), isInf(a as number) || isInf(b as number), true));
  defOp('*', l, r, res, (a, b) => {
    const x = a as number;
    const y = b as number;
    return chk(x * y, isInf(x) || isInf(y), x === 0 || y === 0);
  }, { commutator: '*' });
  defOp('/', l, r, res, (a, b) => {
    const x = a as number;
    const y = b as number;
    if (y === 0 && !Number.isNaN(x)) throw divisionByZero();
    return chk(x / y, isInf(x), x === 0 || isInf(y));
  });
}

floatOps(T.float4, T.float4, T.float4);
floatOps(T.float4, T.float8, T.float8);
floatOps(T.float8, T.float4, T.float8);
floatOps(T.float8, T.float8, T.float8);

for (const t of [T.float4, T.float8]) {
  defOp('-', null, t, t, (_l, a) => -(a as number));
  defOp('+', null, t, t, (_l, a) => a);
  defOp('@', null, t, t, (_l, a) => Math.abs(a as number));
}

/** float8 power with PostgreSQL's (POSIX pow) edge cases and errors. */
export function float8Pow(x: number, y: number): number {
  if (Number.isNaN(x)) return y === 0 ? 1 : NaN;
  if (Number.isNaN(y)) return x === 1 ? 1 : NaN;
  if (x === 0 && y < 0) throw invalidArgumentForPower('zero raised to a negative power is undefined');
  if (x < 0 && !Number.isInteger(y) && Number.isFinite(y)) {
    throw invalidArgumentForPower('a negative number raised to a non-integer power yields a complex result');
  }
  if (x === -1 && isInf(y)) return 1;
  const r = Math.pow(x, y);
  if (isInf(r) && !isInf(x) && !isInf(y)) throw floatOverflow();
  if (r === 0 && x !== 0 && !isInf(x) && !isInf(y)) throw floatUnderflow();
  return r;
}

defOp('^', T.float8, T.float8, T.float8, (a, b) => float8Pow(a as number, b as number));

export function float8Sqrt(x: number): number {
  if (x < 0) throw invalidArgumentForPower('cannot take square root of a negative number');
  return Math.sqrt(x);
}

defOp('|/', null, T.float8, T.float8, (_l, a) => float8Sqrt(a as number));
defOp('||/', null, T.float8, T.float8, (_l, a) => cbrtGlibc(a as number));

// ---- numeric ----------------------------------------------------------------------

const N = T.numeric;
defOp('+', N, N, N, (a, b) => (a as Numeric).add(b as Numeric), { commutator: '+' });
defOp('-', N, N, N, (a, b) => (a as Numeric).sub(b as Numeric));
defOp('*', N, N, N, (a, b) => (a as Numeric).mul(b as Numeric), { commutator: '*' });
defOp('/', N, N, N, (a, b) => (a as Numeric).div(b as Numeric));
defOp('%', N, N, N, (a, b) => (a as Numeric).mod(b as Numeric));
defOp('^', N, N, N, (a, b) => numericPower(a as Numeric, b as Numeric));
defOp('-', null, N, N, (_l, a) => (a as Numeric).neg());
defOp('+', null, N, N, (_l, a) => a);
defOp('@', null, N, N, (_l, a) => (a as Numeric).abs());
