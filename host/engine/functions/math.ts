// Mathematical functions: abs, sign, ceil/floor/round/trunc, mod/div,
// power/sqrt/cbrt/exp/ln/log, trigonometry (radians and degrees variants,
// with PostgreSQL's exact results at special angles), hyperbolic functions,
// random/setseed, gcd/lcm, factorial, width_bucket, numeric scale helpers.

import { SbError, SqlState } from '../sb_error.ts';
import { rint } from '../types/interval.ts';
import { Numeric, pow10 } from '../types/numeric.ts';
import { numericExp, numericLn, numericLog, numericPower, numericSqrt } from '../types/numeric_math.ts';
import { T } from '../types/types.ts';
import { divisionByZero, floatOverflow, floatUnderflow, invalidArgumentForLog, outOfRange } from './errors.ts';
import { big, checkInt2, checkInt4, gcdBig, int8, int8Abs, int8Mod, type Int8 } from './int_math.ts';
import { checkFloat8, float8Pow, float8Sqrt } from './ops_arith.ts';
import { cbrtGlibc } from './float_cbrt.ts';
import { defFn, type FnOpts } from './registry.ts';
import { SqlArray } from '../types/array.ts';
import { compareValues } from '../types/compare.ts';

const F8 = T.float8;
const N = T.numeric;
const I4 = T.int4;

type F = (x: number) => number;
const f8 = (name: string, fn: F, opts?: FnOpts): void => void defFn(name, [F8], F8, ([x]) => fn(x as number), opts);

// ---- abs / sign / rounding -----------------------------------------------------

defFn('abs', [T.int2], T.int2, ([x]) => checkInt2(Math.abs(x as number)));
defFn('abs', [I4], I4, ([x]) => checkInt4(Math.abs(x as number)));
defFn('abs', [T.int8], T.int8, ([x]) => int8Abs(x as Int8));
defFn('abs', [T.float4], T.float4, ([x]) => Math.abs(x as number));
defFn('abs', [F8], F8, ([x]) => Math.abs(x as number));
defFn('abs', [N], N, ([x]) => (x as Numeric).abs());

f8('sign', (x) => (x > 0 ? 1 : x < 0 ? -1 : 0));
defFn('sign', [N], N, ([x]) => {
  const v = x as Numeric;
  if (v.isNaN()) return v;
  return Numeric.fromInt(v.sign());
});

for (const name of ['ceil', 'ceiling']) {
  f8(name, (x) => Math.ceil(x));
  defFn(name, [N], N, ([x]) => (x as Numeric).ceil());
}
f8('floor', Math.floor);
defFn('floor', [N], N, ([x]) => (x as Numeric).floor());
/** round/trunc scales are clamped to what a numeric can hold (16383 fraction digits, 131072 integer digits). */
function clampRoundScale(s: number): number {
  return Math.max(-(32767 + 1) * 4 - 1, Math.min(0x3fff, s));
}
f8('round', rint);
defFn('round', [N], N, ([x]) => (x as Numeric).round(0));
defFn('round', [N, I4], N, ([x, s]) => {
  const v = x as Numeric;
  return v.isFinite() ? v.withScale(clampRoundScale(s as number)).checked() : v;
});
f8('trunc', Math.trunc);
defFn('trunc', [N], N, ([x]) => (x as Numeric).trunc(0));
defFn('trunc', [N, I4], N, ([x, s]) => {
  const v = x as Numeric;
  const sc = clampRoundScale(s as number);
  return v.isFinite() ? (sc >= v.scale ? v.withScale(sc) : v.truncScale(sc)) : v;
});

defFn('scale', [N], I4, ([x]) => ((x as Numeric).isFinite() ? (x as Numeric).scale : null));
defFn('min_scale', [N], I4, ([x]) => ((x as Numeric).isFinite() ? (x as Numeric).stripTrailingZeros().scale : null));
defFn('trim_scale', [N], N, ([x]) => (x as Numeric).stripTrailingZeros());

// ---- mod / div -----------------------------------------------------------------

defFn('mod', [T.int2, T.int2], T.int2, ([a, b]) => {
  if (b === 0) throw divisionByZero();
  return (a as number) % (b as number) || 0;
});
defFn('mod', [I4, I4], I4, ([a, b]) => {
  if (b === 0) throw divisionByZero();
  return (a as number) % (b as number) || 0;
});
defFn('mod', [T.int8, T.int8], T.int8, ([a, b]) => int8Mod(a as Int8, b as Int8));
defFn('mod', [N, N], N, ([a, b]) => (a as Numeric).mod(b as Numeric));
defFn('div', [N, N], N, ([a, b]) => (a as Numeric).divTrunc(b as Numeric));

// ---- powers and logarithms ------------------------------------------------------

for (const name of ['power', 'pow']) {
  defFn(name, [F8, F8], F8, ([x, y]) => float8Pow(x as number, y as number));
  defFn(name, [N, N], N, ([x, y]) => numericPower(x as Numeric, y as Numeric));
}
f8('sqrt', float8Sqrt);
defFn('sqrt', [N], N, ([x]) => numericSqrt(x as Numeric));
f8('cbrt', cbrtGlibc);

f8('exp', (x) => {
  const r = Math.exp(x);
  if (r === Infinity && x !== Infinity) throw floatOverflow();
  if (r === 0 && x !== -Infinity) throw floatUnderflow();
  return r;
});
defFn('exp', [N], N, ([x]) => numericExp(x as Numeric));

function checkLogArg(x: number): void {
  if (x === 0) throw invalidArgumentForLog('cannot take logarithm of zero');
  if (x < 0) throw invalidArgumentForLog('cannot take logarithm of a negative number');
}
f8('ln', (x) => {
  checkLogArg(x);
  return Math.log(x);
});
defFn('ln', [N], N, ([x]) => numericLn(x as Numeric));
for (const name of ['log', 'log10']) {
  f8(name, (x) => {
    checkLogArg(x);
    return Math.log10(x);
  });
  defFn(name, [N], N, ([x]) => numericLog(Numeric.fromInt(10), x as Numeric));
}
defFn('log', [N, N], N, ([b, x]) => numericLog(b as Numeric, x as Numeric));

// ---- trigonometry -------------------------------------------------------------------

function outOfRangeInput(): SbError {
  return new SbError(SqlState.numeric_value_out_of_range, 'input is out of range');
}

/** Functions undefined at ±Infinity raise 22003; results that overflow to ±Infinity likewise unless allowed. */
function trig(fn: F, domain?: (x: number) => boolean, infResultOk = false): F {
  return (x) => {
    if (Number.isNaN(x)) return NaN;
    if (x === Infinity || x === -Infinity || (domain !== undefined && !domain(x))) throw outOfRangeInput();
    const r = fn(x);
    if (!infResultOk && (r === Infinity || r === -Infinity)) throw floatOverflow();
    return r;
  };
}

const unit = (x: number): boolean => x >= -1 && x <= 1;
f8('sin', trig(Math.sin));
f8('cos', trig(Math.cos));
f8('tan', trig(Math.tan, undefined, true));
f8('cot', trig((x) => 1 / Math.tan(x), undefined, true));
f8('asin', trig(Math.asin, unit));
f8('acos', trig(Math.acos, unit));
f8('atan', (x) => Math.atan(x));
defFn('atan2', [F8, F8], F8, ([y, x]) => Math.atan2(y as number, x as number));
f8('sinh', Math.sinh);
f8('cosh', Math.cosh);
f8('tanh', Math.tanh);
f8('asinh', Math.asinh);
f8('acosh', (x) => {
  if (x < 1) throw outOfRangeInput();
  return Math.acosh(x);
});
f8('atanh', (x) => {
  if (x < -1 || x > 1) throw outOfRangeInput();
  return Math.atanh(x);
});

const RADIANS_PER_DEGREE = 0.0174532925199432957692;
f8('degrees', (x) => checkFloat8(x / RADIANS_PER_DEGREE, !Number.isFinite(x), x === 0));
f8('radians', (x) => checkFloat8(x * RADIANS_PER_DEGREE, !Number.isFinite(x), x === 0));
defFn('pi', [], F8, () => Math.PI);

// Degree variants: computed so that 30, 45, 60, 90... give exact results, as PostgreSQL does.
const SIN_30 = Math.sin(30 * RADIANS_PER_DEGREE);
const ONE_MINUS_COS_60 = 1 - Math.cos(60 * RADIANS_PER_DEGREE);
const ASIN_0_5 = Math.asin(0.5);
const ACOS_0_5 = Math.acos(0.5);
const ATAN_1_0 = Math.atan(1);
const sind0to30 = (x: number): number => Math.sin(x * RADIANS_PER_DEGREE) / SIN_30 / 2;
const cosd0to60 = (x: number): number => 1 - (1 - Math.cos(x * RADIANS_PER_DEGREE)) / ONE_MINUS_COS_60 / 2;
const sindQ1 = (x: number): number => (x <= 30 ? sind0to30(x) : cosd0to60(90 - x));
const cosdQ1 = (x: number): number => (x <= 60 ? cosd0to60(x) : sind0to30(90 - x));
const TAN_45 = sindQ1(45) / cosdQ1(45);
const COT_45 = cosdQ1(45) / sindQ1(45);

/** Reduces to [0, 90] with the sign flips of the quadrant. */
function sinQuadrant(x: number): { a: number; sign: number } {
  let a = x % 360;
  let sign = 1;
  if (a < 0) {
    a = -a;
    sign = -sign;
  }
  if (a > 180) {
    a = 360 - a;
    sign = -sign;
  }
  if (a > 90) a = 180 - a;
  return { a, sign };
}

function cosQuadrant(x: number): { a: number; sign: number } {
  let a = Math.abs(x % 360);
  let sign = 1;
  if (a > 180) a = 360 - a;
  if (a > 90) {
    a = 180 - a;
    sign = -sign;
  }
  return { a, sign };
}

f8('sind', trig((x) => {
  const { a, sign } = sinQuadrant(x);
  return sign * sindQ1(a) || 0;
}));
f8('cosd', trig((x) => {
  const { a, sign } = cosQuadrant(x);
  return sign * cosdQ1(a) || 0;
}));
function tanQuadrant(x: number): { a: number; sign: number } {
  let a = x % 360;
  let sign = 1;
  if (a < 0) {
    a = -a;
    sign = -sign;
  }
  if (a > 180) {
    a = 360 - a;
    sign = -sign;
  }
  if (a > 90) {
    a = 180 - a;
    sign = -sign;
  }
  return { a, sign };
}
f8('tand', trig((x) => {
  const { a, sign } = tanQuadrant(x);
  const r = sign * (sindQ1(a) / cosdQ1(a) / TAN_45);
  return r || 0;
}, undefined, true));
f8('cotd', trig((x) => {
  const { a, sign } = tanQuadrant(x);
  const r = sign * (cosdQ1(a) / sindQ1(a) / COT_45);
  return r || 0;
}, undefined, true));
const asindQ1 = (x: number): number => (x <= 0.5 ? (Math.asin(x) / ASIN_0_5) * 30 : 90 - (Math.acos(x) / ACOS_0_5) * 60);
const acosdQ1 = (x: number): number => (x <= 0.5 ? 90 - (Math.asin(x) / ASIN_0_5) * 30 : (Math.acos(x) / ACOS_0_5) * 60);
f8('asind', trig((x) => (x >= 0 ? asindQ1(x) : -asindQ1(-x)), unit));
f8('acosd', trig((x) => (x >= 0 ? acosdQ1(x) : 90 + asindQ1(-x)), unit));
f8('atand', (x) => (Number.isNaN(x) ? NaN : (Math.atan(x) / ATAN_1_0) * 45));
defFn('atan2d', [F8, F8], F8, ([y, x]) => (Math.atan2(y as number, x as number) / ATAN_1_0) * 45);

// ---- random ---------------------------------------------------------------------------

defFn('random', [], F8, (_a, ctx) => ctx.random(), { volatility: 'v' });
defFn('setseed', [F8], T.void, ([x], ctx) => {
  ctx.setSeed(x as number);
  return null;
}, { volatility: 'v' });

// ---- integer number theory ---------------------------------------------------------------

function gcdInt(a: bigint, b: bigint, check: (v: bigint) => unknown): unknown {
  return check(gcdBig(a, b));
}
const check4 = (v: bigint): number => checkInt4(Number(v));
defFn('gcd', [I4, I4], I4, ([a, b]) => gcdInt(BigInt(a as number), BigInt(b as number), check4));
defFn('gcd', [T.int8, T.int8], T.int8, ([a, b]) => gcdInt(big(a as Int8), big(b as Int8), int8));
function lcmBig(a: bigint, b: bigint): bigint {
  if (a === 0n || b === 0n) return 0n;
  const r = (a / gcdBig(a, b)) * b;
  return r < 0n ? -r : r;
}
defFn('lcm', [I4, I4], I4, ([a, b]) => check4(lcmBig(BigInt(a as number), BigInt(b as number))));
defFn('lcm', [T.int8, T.int8], T.int8, ([a, b]) => int8(lcmBig(big(a as Int8), big(b as Int8))));

function numericGcd(a: Numeric, b: Numeric): Numeric {
  if (a.isSpecial() || b.isSpecial()) return Numeric.NaN;
  const s = Math.max(a.scale, b.scale);
  const x = a.coef * pow10(s - a.scale);
  const y = b.coef * pow10(s - b.scale);
  return Numeric.raw(gcdBig(x, y), s);
}
defFn('gcd', [N, N], N, ([a, b]) => numericGcd(a as Numeric, b as Numeric));
defFn('lcm', [N, N], N, ([a, b]) => {
  const x = a as Numeric;
  const y = b as Numeric;
  if (x.isSpecial() || y.isSpecial()) return Numeric.NaN;
  if (x.isZero() || y.isZero()) return Numeric.raw(0n, Math.max(x.scale, y.scale));
  const g = numericGcd(x, y);
  const r = x.divTrunc(g).mul(y).abs();
  return r.withScale(Math.max(x.scale, y.scale));
});

defFn('factorial', [T.int8], N, ([n]) => {
  const k = big(n as Int8);
  if (k < 0n) throw new SbError(SqlState.numeric_value_out_of_range, 'factorial of a negative number is undefined');
  if (k > 32177n) throw new SbError(SqlState.numeric_value_out_of_range, 'value overflows numeric format');
  let r = 1n;
  for (let i = 2n; i <= k; i++) r *= i;
  return Numeric.of(r, 0);
});

// ---- width_bucket ------------------------------------------------------------------------

function widthError(msg: string): SbError {
  return new SbError('2201G', msg);
}

function widthBucketFloat(x: number, lo: number, hi: number, count: number): number {
  if (count <= 0) throw widthError('count must be greater than zero');
  if (Number.isNaN(x) || Number.isNaN(lo) || Number.isNaN(hi)) {
    throw widthError('operand, lower bound, and upper bound cannot be NaN');
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw widthError('lower and upper bounds must be finite');
  if (lo === hi) throw widthError('lower bound cannot equal upper bound');
  const asc = lo < hi;
  if (asc ? x < lo : x > lo) return 0;
  if (asc ? x >= hi : x <= hi) return checkInt4(count + 1);
  // PostgreSQL 15 computes count * offset / span + 1 without clamping.
  const r = asc ? (count * (x - lo)) / (hi - lo) + 1 : (count * (lo - x)) / (lo - hi) + 1;
  // C's double -> int32 conversion of an out-of-range value yields INT_MIN on the platforms PostgreSQL runs on.
  return r >= -2147483648 && r < 2147483648 ? Math.trunc(r) : -2147483648;
}
defFn('width_bucket', [F8, F8, F8, I4], I4, ([x, lo, hi, n]) => widthBucketFloat(x as number, lo as number, hi as number, n as number));
defFn('width_bucket', [N, N, N, I4], I4, ([x, lo, hi, n]) => {
  const c = n as number;
  const v = x as Numeric;
  const l = lo as Numeric;
  const h = hi as Numeric;
  if (c <= 0) throw widthError('count must be greater than zero');
  if (v.isNaN() || l.isNaN() || h.isNaN()) throw widthError('operand, lower bound, and upper bound cannot be NaN');
  if (l.isInfinite() || h.isInfinite()) throw widthError('lower and upper bounds must be finite');
  const cmp = l.cmp(h);
  if (cmp === 0) throw widthError('lower bound cannot equal upper bound');
  if (cmp < 0 ? v.cmp(l) < 0 : v.cmp(l) > 0) return 0;
  if (cmp < 0 ? v.cmp(h) >= 0 : v.cmp(h) <= 0) return checkInt4(c + 1);
  // bucket = floor((v - lo) * count / (hi - lo)) + 1, exactly.
  const num = (cmp < 0 ? v.sub(l) : l.sub(v)).mul(Numeric.fromInt(c));
  const den = cmp < 0 ? h.sub(l) : l.sub(h);
  // The quotient is rounded at division scale before the floor, as PostgreSQL does.
  return checkInt4(Number(num.div(den).add(Numeric.ONE).floor().toBigInt()));
});
defFn('width_bucket', [T.anycompatible, T.anycompatiblearray], I4, ([x, th], _ctx, call) => {
  const arr = th as SqlArray;
  if (arr.ndims > 1) throw new SbError('2202E', 'thresholds must be one-dimensional array');
  if (arr.values.some((v) => v === null)) throw new SbError(SqlState.null_value_not_allowed, 'thresholds array must not contain NULLs');
  const t = call.argTypes[0]!;
  // Binary search for the first threshold greater than x.
  let lo = 0;
  let hi = arr.values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareValues(t, x, arr.values[mid]) >= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
});

export { checkFloat8 };
