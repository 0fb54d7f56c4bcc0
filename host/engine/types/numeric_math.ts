// Transcendental numeric functions (sqrt, exp, ln, log, power) at the result
// scales PostgreSQL chooses (numeric.c: numeric_sqrt, numeric_exp,
// numeric_ln, log_var, power_var, power_var_int). Values are computed in
// bigint fixed point with guard digits and rounded half away from zero.

import { SbError } from '../sb_error.ts';
import {
  NUMERIC_MAX_DISPLAY_SCALE,
  NUMERIC_MAX_RESULT_SCALE,
  NUMERIC_MIN_DISPLAY_SCALE,
  NUMERIC_MIN_SIG_DIGITS,
  Numeric,
  absBig,
  divisionByZero,
  overflow,
  pow10,
  roundDiv,
} from './numeric.ts';

function clampScale(rscale: number): number {
  return Math.min(Math.max(rscale, NUMERIC_MIN_DISPLAY_SCALE), NUMERIC_MAX_DISPLAY_SCALE);
}

function powerError(msg: string): SbError {
  return new SbError('2201F', msg);
}

function logError(msg: string): SbError {
  return new SbError('2201E', msg);
}

/** floor(sqrt(n)) for n >= 0. */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new Error('isqrt of negative');
  if (n < 4503599627370496n) return BigInt(Math.floor(Math.sqrt(Number(n))));
  // Newton from an estimate above the root.
  const bits = n.toString(2).length;
  let x = 1n << BigInt((bits >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Fixed point: v × 10^-p as bigint, truncated toward zero. */
function toFixed(x: Numeric, p: number): bigint {
  const shift = p - x.scale;
  return shift >= 0 ? x.coef * pow10(shift) : x.coef / pow10(-shift);
}

/** Rounds a fixed-point value with `from` fractional digits to a Numeric with scale `to`. */
function fixedToNumeric(v: bigint, from: number, to: number): Numeric {
  if (to >= from) return Numeric.raw(v * pow10(to - from), to);
  return Numeric.raw(roundDiv(v, pow10(from - to)), to);
}

// ---- sqrt -------------------------------------------------------------------

export function numericSqrt(x: Numeric): Numeric {
  if (x.isNaN()) return x;
  if (x.isNegInfinity() || (x.isFinite() && x.sign() < 0)) {
    throw powerError('cannot take square root of a negative number');
  }
  if (x.isPosInfinity()) return x;
  // PostgreSQL: sweight = (weight + 1) * DEC_DIGITS / 2 - 1 (C division truncates toward zero).
  const weight = x.isZero() ? 0 : x.baseWeight().weight;
  const sweight = Math.trunc(((weight + 1) * 4) / 2) - 1;
  const rscale = clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS - sweight, x.scale));
  if (x.isZero()) return Numeric.raw(0n, rscale);
  // Truncated root with one extra digit, then round half up: equals exact rounding.
  const exp = 2 * (rscale + 1) - x.scale;
  const n = exp >= 0 ? x.coef * pow10(exp) : x.coef / pow10(-exp);
  const root = isqrt(n);
  return Numeric.raw(roundDiv(root, 10n), rscale);
}

// ---- ln / exp core (fixed point) ----------------------------------------------

/** ln(y) for fixed-point y (scale p) close to 1, via 2·atanh((y-1)/(y+1)). */
function lnNearOne(y: bigint, p: number): bigint {
  const one = pow10(p);
  const z = ((y - one) * one) / (y + one);
  const z2 = (z * z) / one;
  let term = z;
  let sum = 0n;
  for (let k = 1n; term !== 0n; k += 2n) {
    sum += term / k;
    term = (term * z2) / one;
  }
  return 2n * sum;
}

/** ln(v) for fixed-point v > 0 (scale p), by square-root reduction to near 1. */
function lnFixed(v: bigint, p: number): bigint {
  const one = pow10(p);
  let k = 0;
  // Bring v into [0.99, 1.01] by repeated square roots (ln v = 2^k ln v^(1/2^k)).
  const lo = (one * 99n) / 100n;
  const hi = (one * 101n) / 100n;
  while (v < lo || v > hi) {
    v = isqrt(v * one);
    k++;
  }
  return lnNearOne(v, p) << BigInt(k);
}

let ln10Cache: { p: number; v: bigint } | undefined;

function ln10Fixed(p: number): bigint {
  if (ln10Cache !== undefined && ln10Cache.p >= p) return ln10Cache.v / pow10(ln10Cache.p - p);
  const w = p + 12;
  const v = lnFixed(10n * pow10(w), w) / pow10(12);
  ln10Cache = { p, v };
  return v;
}

/** ln(x) for finite x > 0 at `p` fractional digits (absolute error below 10^-p). */
function lnAt(x: Numeric, p: number): bigint {
  const e = x.decimalExponent();
  const guard = 12 + String(Math.abs(e)).length;
  const w = p + guard;
  // m = x / 10^e in [1, 10)
  const m = Numeric.raw(x.coef, x.scale + e);
  const mFixed = toFixed(m, w + 8);
  const lnm = lnFixed(mFixed, w + 8) / pow10(8);
  const total = lnm + BigInt(e) * ln10Fixed(w);
  return total / pow10(guard);
}

/** exp(x) as fixed point with `p` fractional digits. */
function expAt(x: Numeric, p: number): bigint {
  const approx = x.toNumberApprox();
  const k = Math.max(0, Math.ceil(Math.log2(Math.abs(approx) / 0.01 + 1)));
  const w = p + Math.max(0, Math.ceil(approx * 0.4343)) + Math.ceil(k * 0.302) + 12;
  const one = pow10(w);
  const r = toFixed(x, w) >> BigInt(k);
  let sum = one;
  let term = one;
  for (let i = 1n; term !== 0n; i++) {
    term = (term * r) / (one * i);
    sum += term;
  }
  for (let i = 0; i < k; i++) sum = (sum * sum) / one;
  return sum / pow10(w - p);
}

// ---- exp --------------------------------------------------------------------

export function numericExp(x: Numeric): Numeric {
  if (x.isNaN() || x.isPosInfinity()) return x;
  if (x.isNegInfinity()) return Numeric.ZERO;
  let val = x.toNumberApprox() * 0.434294481903252;
  val = Math.max(-NUMERIC_MAX_RESULT_SCALE, Math.min(NUMERIC_MAX_RESULT_SCALE, val));
  const rscale = clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS - Math.trunc(val), x.scale));
  return expScaled(x, rscale);
}

/** exp(x) rounded to rscale, with PostgreSQL's overflow/underflow limits (exp_var). */
function expScaled(x: Numeric, rscale: number): Numeric {
  const v = x.toNumberApprox();
  if (Math.abs(v) >= NUMERIC_MAX_RESULT_SCALE * 3) {
    if (v > 0) throw overflow();
    return Numeric.raw(0n, rscale);
  }
  const fixed = expAt(x, rscale + 2);
  return fixedToNumeric(fixed, rscale + 2, rscale).checked();
}

// ---- ln / log ---------------------------------------------------------------

/** PostgreSQL's estimate_ln_dweight: approximate decimal weight of ln(x). */
export function estimateLnDweight(x: Numeric): number {
  if (x.sign() <= 0) return 0;
  const lo = Numeric.raw(9n, 1);
  const hi = Numeric.raw(11n, 1);
  if (x.cmp(lo) >= 0 && x.cmp(hi) <= 0) {
    const d = x.sub(Numeric.ONE);
    if (d.isZero()) return 0;
    return d.decimalExponent();
  }
  const bw = x.baseWeight();
  let digits = bw.first;
  let dweight = bw.weight * 4;
  if (bw.ndigits > 1) {
    digits = digits * 10000 + bw.second;
    dweight -= 4;
  }
  const ln = Math.log(digits) + dweight * 2.302585092994046;
  return Math.trunc(Math.log10(Math.abs(ln)));
}

function checkLogArg(x: Numeric): void {
  if (x.isNegInfinity() || (x.isFinite() && x.sign() < 0)) throw logError('cannot take logarithm of a negative number');
  if (x.isZero()) throw logError('cannot take logarithm of zero');
}

/** ln(x) rounded to rscale. */
function lnScaled(x: Numeric, rscale: number): Numeric {
  return fixedToNumeric(lnAt(x, rscale + 2), rscale + 2, rscale);
}

export function numericLn(x: Numeric): Numeric {
  if (x.isNaN()) return x;
  checkLogArg(x);
  if (x.isPosInfinity()) return x;
  const rscale = clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS - estimateLnDweight(x), x.scale));
  return lnScaled(x, rscale);
}

/** log(base, x) (log_var); log(x) is log(10, x). */
export function numericLog(base: Numeric, x: Numeric): Numeric {
  if (base.isNaN() || x.isNaN()) return Numeric.NaN;
  checkLogArg(base);
  checkLogArg(x);
  if (base.isPosInfinity() || x.isPosInfinity()) {
    // PostgreSQL: log(Inf, Inf) = NaN; log(Inf, x) = 0; log(b, Inf) = Inf (b > 1) or -Inf (b < 1).
    if (base.isPosInfinity() && x.isPosInfinity()) return Numeric.NaN;
    if (base.isPosInfinity()) return Numeric.ZERO;
    const c = base.cmp(Numeric.ONE);
    if (c === 0) throw divisionByZero();
    return c > 0 ? Numeric.Infinity : Numeric.NegativeInfinity;
  }
  const baseDw = estimateLnDweight(base);
  const numDw = estimateLnDweight(x);
  const resultDw = numDw - baseDw;
  const rscale = clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS - resultDw, base.scale, x.scale));
  const p = rscale + Math.max(0, resultDw) + 12;
  const lb = lnAt(base, p + Math.max(0, -baseDw));
  if (lb === 0n) throw divisionByZero();
  const lx = lnAt(x, p + Math.max(0, -baseDw));
  // Both at the same fixed scale: quotient = lx / lb.
  return Numeric.raw(roundDiv(lx * pow10(rscale), lb), rscale);
}

/** log10(|x|) in double precision for any non-zero finite x (no overflow for huge exponents). */
function log10Approx(x: Numeric): number {
  const e = x.decimalExponent();
  const lead = absBig(x.coef).toString().slice(0, 17);
  return e + Math.log10(Number(lead[0] + '.' + lead.slice(1)));
}

// ---- power ------------------------------------------------------------------

export function numericPower(base: Numeric, exp: Numeric): Numeric {
  if (base.isNaN()) return exp.isFinite() && exp.isZero() ? Numeric.ONE : Numeric.NaN;
  if (exp.isNaN()) return base.isFinite() && base.eq(Numeric.ONE) ? Numeric.ONE : Numeric.NaN;
  if (base.isSpecial() || exp.isSpecial()) return powerSpecial(base, exp);
  if (base.isZero() && exp.sign() < 0) throw powerError('zero raised to a negative power is undefined');
  const intExp = exp.isInteger();
  if (base.sign() < 0 && !intExp) {
    throw powerError('a negative number raised to a non-integer power yields a complex result');
  }
  if (intExp) {
    const e = exp.toBigInt();
    if (e >= -2147483648n && e <= 2147483647n) {
      const rscale = clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS, base.scale));
      return powerInt(base, Number(e), rscale);
    }
  }
  if (base.isZero()) return Numeric.raw(0n, NUMERIC_MIN_SIG_DIGITS);
  return powerGeneral(base, exp, intExp && exp.toBigInt() % 2n !== 0n && base.sign() < 0);
}

function powerSpecial(base: Numeric, exp: Numeric): Numeric {
  if (exp.isInfinite()) {
    if (base.isInfinite()) return exp.isPosInfinity() ? Numeric.Infinity : Numeric.ZERO;
    const c = base.abs().cmp(Numeric.ONE);
    if (c === 0) return Numeric.ONE;
    if (exp.isPosInfinity()) return c < 0 ? Numeric.ZERO : Numeric.Infinity;
    if (base.isZero()) throw powerError('zero raised to a negative power is undefined');
    return c < 0 ? Numeric.Infinity : Numeric.ZERO;
  }
  // base is ±Infinity, exp finite
  const s = exp.sign();
  if (s === 0) return Numeric.ONE;
  if (s < 0) return Numeric.ZERO;
  if (base.isPosInfinity()) return Numeric.Infinity;
  const odd = exp.isInteger() && exp.toBigInt() % 2n !== 0n;
  return odd ? Numeric.NegativeInfinity : Numeric.Infinity;
}

/** x × y rounded to rscale (mul_var with a result scale). */
function mulRound(x: Numeric, y: Numeric, rscale: number): Numeric {
  return Numeric.raw(x.coef * y.coef, x.scale + y.scale).withScale(rscale);
}

function weightOf(x: Numeric): number {
  return x.coef === 0n ? 0 : x.baseWeight().weight;
}

/** power_var_int (PostgreSQL 15): squaring with PostgreSQL's intermediate scales, so results match digit for digit. */
function powerInt(base: Numeric, e: number, rscale: number): Numeric {
  switch (e) {
    case 0:
      return Numeric.raw(pow10(rscale), rscale);
    case 1:
      return base.withScale(rscale).checked();
    case -1:
      if (base.isZero()) throw divisionByZero();
      return Numeric.ONE.divRound(base, rscale);
    case 2:
      return mulRound(base, base, rscale).checked();
  }
  if (base.isZero()) {
    if (e < 0) throw divisionByZero();
    return Numeric.raw(0n, rscale);
  }
  const { weight, digits } = base.baseDigits(4);
  let f = digits[0]!;
  let p = weight * 4;
  for (let i = 1; i < digits.length && i * 4 < 16; i++) {
    f = f * 10000 + digits[i]!;
    p -= 4;
  }
  f = e * (Math.log10(f) + p);
  if (f > 3 * 32767 * 4) throw overflow();
  if (f + 1 < -rscale || f + 1 < -NUMERIC_MAX_DISPLAY_SCALE) return Numeric.raw(0n, rscale);
  let sigDigits = 1 + rscale + Math.trunc(f);
  sigDigits += Math.trunc(Math.log(Math.abs(e))) + 8;
  let neg = e < 0;
  let mask = Math.abs(e);
  let baseProd = base;
  let result = mask & 1 ? base : Numeric.ONE;
  while ((mask = Math.floor(mask / 2)) > 0) {
    let local = sigDigits - 2 * weightOf(baseProd) * 4;
    local = Math.max(Math.min(local, 2 * baseProd.scale), NUMERIC_MIN_DISPLAY_SCALE);
    baseProd = mulRound(baseProd, baseProd, local);
    if (mask & 1) {
      local = sigDigits - (weightOf(baseProd) + weightOf(result)) * 4;
      local = Math.max(Math.min(local, baseProd.scale + result.scale), NUMERIC_MIN_DISPLAY_SCALE);
      result = mulRound(baseProd, result, local);
    }
    if (weightOf(baseProd) > 32767 || weightOf(result) > 32767) {
      if (!neg) throw overflow();
      result = Numeric.ZERO;
      neg = false;
      break;
    }
  }
  if (neg) {
    if (result.isZero()) throw divisionByZero();
    return Numeric.ONE.divRound(result, rscale).checked();
  }
  return result.withScale(rscale).checked();
}

function powerGeneral(base: Numeric, exp: Numeric, negResult: boolean, fixedScale?: number): Numeric {
  const absBase = base.abs();
  const lnApprox = log10Approx(absBase) * Math.LN10;
  let val = lnApprox * exp.toNumberApprox();
  if (Math.abs(val) > NUMERIC_MAX_RESULT_SCALE * 3.01) {
    if (val > 0) throw overflow();
    return Numeric.raw(0n, NUMERIC_MAX_DISPLAY_SCALE);
  }
  val *= 0.434294481903252;
  const rscale = fixedScale ?? clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS - Math.trunc(val), base.scale, exp.scale));
  const sig = Math.max(rscale + Math.trunc(val), 0);
  const p = sig + Math.max(0, Math.ceil(Math.log10(Math.abs(val) + 1))) + 20;
  const lnb = lnAt(absBase, p);
  const product = Numeric.raw(lnb, p).mul(exp);
  const r = expScaled(product.withScale(p), rscale);
  return negResult ? r.neg() : r;
}

/** Exact integer test helper for callers (e.g. factorial, gcd). */
export function isExactInteger(x: Numeric): boolean {
  return x.isInteger();
}

