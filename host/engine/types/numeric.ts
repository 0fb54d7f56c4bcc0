// SQL numeric: arbitrary-precision decimal with PostgreSQL's semantics.
//
// A finite value is coef × 10^-scale with a signed bigint coefficient and
// scale = PostgreSQL's display scale (dscale, >= 0), so '1.500' keeps its
// three decimals. NaN and ±Infinity are PostgreSQL 14+'s special values.
// Result scales follow numeric.c: add/sub keep the larger dscale, mul adds
// them, division chooses at least 16 significant digits (select_div_scale).
// Rounding is half away from zero everywhere, as round_var does.
// Transcendental functions live in numeric_math.ts.

import { SbError, SqlState } from '../sb_error.ts';
import {
  NUMERIC_DSCALE_MAX, NUMERIC_WEIGHT_MAX, absBig, digitCount, divisionByZero, overflow, parseNumericText, pow10, roundDiv,
} from './numeric_util.ts';

export { NUMERIC_DSCALE_MAX, NUMERIC_WEIGHT_MAX, absBig, digitCount, divisionByZero, overflow, pow10, roundDiv } from './numeric_util.ts';

export const NUMERIC_MAX_PRECISION = 1000;
export const NUMERIC_MAX_DISPLAY_SCALE = 1000;
export const NUMERIC_MIN_DISPLAY_SCALE = 0;
export const NUMERIC_MAX_RESULT_SCALE = NUMERIC_MAX_PRECISION * 2;
export const NUMERIC_MIN_SIG_DIGITS = 16;

const enum Kind {
  Finite = 0,
  NaN = 1,
  PosInf = 2,
  NegInf = 3,
}

export class Numeric {
  private constructor(
    private readonly kind: Kind,
    /** Signed coefficient (finite values). */
    readonly coef: bigint,
    /** Display scale: digits after the decimal point. */
    readonly scale: number,
  ) {}

  static readonly NaN = new Numeric(Kind.NaN, 0n, 0);
  static readonly Infinity = new Numeric(Kind.PosInf, 0n, 0);
  static readonly NegativeInfinity = new Numeric(Kind.NegInf, 0n, 0);
  static readonly ZERO = new Numeric(Kind.Finite, 0n, 0);
  static readonly ONE = new Numeric(Kind.Finite, 1n, 0);

  /** coef × 10^-scale, checked against the storage limits (22003). */
  static of(coef: bigint, scale = 0): Numeric {
    if (scale < 0) {
      coef *= pow10(-scale);
      scale = 0;
    }
    const n = new Numeric(Kind.Finite, coef, scale);
    n.checkLimits();
    return n;
  }

  /** Unchecked constructor for internal intermediate values. */
  static raw(coef: bigint, scale: number): Numeric {
    return new Numeric(Kind.Finite, coef, scale);
  }

  static fromInt(v: number | bigint): Numeric {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new Error(`Numeric.fromInt: ${v} is not a safe integer`);
      return new Numeric(Kind.Finite, BigInt(v), 0);
    }
    return new Numeric(Kind.Finite, v, 0);
  }

  /** numeric_in: PostgreSQL's text input (whitespace, sign, exponent, NaN/Infinity). */
  static parse(input: string): Numeric {
    const r = parseNumericText(input);
    if (r.special === 'nan') return Numeric.NaN;
    if (r.special === 'inf') return Numeric.Infinity;
    if (r.special === '-inf') return Numeric.NegativeInfinity;
    return new Numeric(Kind.Finite, r.coef, r.scale);
  }

  /** Exact value of a double (every finite double is a finite decimal). */
  static exactFromDouble(d: number): Numeric {
    if (Number.isNaN(d)) return Numeric.NaN;
    if (d === Infinity) return Numeric.Infinity;
    if (d === -Infinity) return Numeric.NegativeInfinity;
    if (d === 0) return Numeric.ZERO;
    const buf = new DataView(new ArrayBuffer(8));
    buf.setFloat64(0, d);
    const hi = buf.getUint32(0);
    const lo = buf.getUint32(4);
    const neg = hi >>> 31 === 1;
    const biased = (hi >>> 20) & 0x7ff;
    let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    let e2: number;
    if (biased === 0) e2 = -1074;
    else {
      mant |= 1n << 52n;
      e2 = biased - 1075;
    }
    let coef: bigint;
    let scale = 0;
    if (e2 >= 0) coef = mant << BigInt(e2);
    else {
      // mant / 2^k = mant * 5^k / 10^k
      const k = -e2;
      coef = mant * 5n ** BigInt(k);
      scale = k;
    }
    return Numeric.raw(neg ? -coef : coef, scale).stripTrailingZeros();
  }

  /** float8 -> numeric as PostgreSQL casts it: through "%.15g" (DBL_DIG significant digits). */
  static fromFloat8(d: number): Numeric {
    return Numeric.fromFloat(d, 15);
  }

  /** float4 -> numeric: through "%.6g" (FLT_DIG significant digits). */
  static fromFloat4(d: number): Numeric {
    return Numeric.fromFloat(d, 6);
  }

  private static fromFloat(d: number, digits: number): Numeric {
    if (!Number.isFinite(d)) return Numeric.exactFromDouble(d);
    if (d === 0) return Numeric.ZERO;
    return Numeric.exactFromDouble(d).roundSignificantHalfEven(digits).stripTrailingZeros();
  }

  isNaN(): boolean {
    return this.kind === Kind.NaN;
  }
  isFinite(): boolean {
    return this.kind === Kind.Finite;
  }
  isInfinite(): boolean {
    return this.kind === Kind.PosInf || this.kind === Kind.NegInf;
  }
  isPosInfinity(): boolean {
    return this.kind === Kind.PosInf;
  }
  isNegInfinity(): boolean {
    return this.kind === Kind.NegInf;
  }
  isSpecial(): boolean {
    return this.kind !== Kind.Finite;
  }
  isZero(): boolean {
    return this.kind === Kind.Finite && this.coef === 0n;
  }

  /** -1, 0, 1 (NaN: NaN as PostgreSQL's sign() returns NaN; here 0 is never returned for NaN). */
  sign(): number {
    switch (this.kind) {
      case Kind.NaN:
        return NaN;
      case Kind.PosInf:
        return 1;
      case Kind.NegInf:
        return -1;
      default:
        return this.coef > 0n ? 1 : this.coef < 0n ? -1 : 0;
    }
  }

  private checkLimits(): void {
    if (this.kind !== Kind.Finite) return;
    if (this.scale > NUMERIC_DSCALE_MAX) throw overflow();
    if (this.coef !== 0n && this.decimalExponent() >= (NUMERIC_WEIGHT_MAX + 1) * 4) throw overflow();
  }

  /** Checked: throws 22003 if the value does not fit PostgreSQL's numeric format. */
  checked(): Numeric {
    this.checkLimits();
    return this;
  }

  /** floor(log10(|v|)) for a non-zero finite value. */
  decimalExponent(): number {
    return digitCount(this.coef) - 1 - this.scale;
  }

  /** PostgreSQL's base-10000 weight and first digit of a non-zero finite value. */
  baseWeight(): { weight: number; first: number; second: number; ndigits: number } {
    const e = this.decimalExponent();
    const weight = Math.floor(e / 4);
    const raw = absBig(this.coef).toString();
    const stripped = raw.replace(/0+$/, '');
    // The digits from 10^(4*weight+3) downward: the first group holds 1..4 of them.
    const lead = e - 4 * weight + 1;
    const s = stripped.padEnd(lead + 4, '0');
    const first = Number(s.slice(0, lead));
    const second = Number(s.slice(lead, lead + 4));
    const ndigits = 1 + Math.ceil(Math.max(0, stripped.length - lead) / 4);
    return { weight, first, second, ndigits };
  }

  /** PostgreSQL's base-10000 digits (stripped) and weight of a finite value; [] and 0 for zero. */
  baseDigits(max = Infinity): { weight: number; digits: number[] } {
    if (this.coef === 0n) return { weight: 0, digits: [] };
    const e = this.decimalExponent();
    const weight = Math.floor(e / 4);
    const lead = e - 4 * weight + 1;
    const stripped = absBig(this.coef).toString().replace(/0+$/, '');
    const digits: number[] = [Number(stripped.slice(0, lead).padEnd(lead, '0'))];
    for (let i = lead; i < stripped.length && digits.length < max; i += 4) {
      digits.push(Number(stripped.slice(i, i + 4).padEnd(4, '0')));
    }
    return { weight, digits };
  }

  /** The same value with a different display scale (rounding half away from zero when reducing). */
  withScale(scale: number): Numeric {
    if (this.kind !== Kind.Finite || scale === this.scale) return this;
    if (scale > this.scale) return Numeric.raw(this.coef * pow10(scale - this.scale), scale);
    if (scale >= 0) return Numeric.raw(roundDiv(this.coef, pow10(this.scale - scale)), scale);
    const q = roundDiv(this.coef, pow10(this.scale - scale));
    return Numeric.raw(q * pow10(-scale), 0);
  }

  /** Truncating variant of withScale. */
  truncScale(scale: number): Numeric {
    if (this.kind !== Kind.Finite || scale >= this.scale) return this.withScale(scale);
    const q = this.coef / pow10(this.scale - scale);
    if (scale >= 0) return Numeric.raw(q, scale);
    return Numeric.raw(q * pow10(-scale), 0);
  }

  /** Removes trailing fractional zeros (the minimal display scale). */
  stripTrailingZeros(): Numeric {
    if (this.kind !== Kind.Finite || this.scale === 0) return this;
    if (this.coef === 0n) return Numeric.ZERO;
    let c = this.coef;
    let s = this.scale;
    while (s > 0 && c % 10n === 0n) {
      c /= 10n;
      s--;
    }
    return s === this.scale ? this : Numeric.raw(c, s);
  }

  private roundSignificantHalfEven(digits: number): Numeric {
    const nd = digitCount(this.coef);
    if (nd <= digits) return this;
    const drop = nd - digits;
    const p = pow10(drop);
    let q = this.coef / p;
    const r = absBig(this.coef % p);
    const half = p / 2n;
    if (r > half || (r === half && absBig(q) % 2n === 1n)) q += this.coef < 0n ? -1n : 1n;
    return Numeric.raw(q * p, this.scale);
  }

  // ---- arithmetic -----------------------------------------------------------

  neg(): Numeric {
    switch (this.kind) {
      case Kind.NaN:
        return this;
      case Kind.PosInf:
        return Numeric.NegativeInfinity;
      case Kind.NegInf:
        return Numeric.Infinity;
      default:
        return Numeric.raw(-this.coef, this.scale);
    }
  }

  abs(): Numeric {
    if (this.kind === Kind.NegInf) return Numeric.Infinity;
    if (this.kind !== Kind.Finite || this.coef >= 0n) return this;
    return Numeric.raw(-this.coef, this.scale);
  }

  add(o: Numeric): Numeric {
    if (this.kind !== Kind.Finite || o.kind !== Kind.Finite) {
      if (this.kind === Kind.NaN || o.kind === Kind.NaN) return Numeric.NaN;
      if (this.kind === Kind.Finite) return o;
      if (o.kind === Kind.Finite) return this;
      return this.kind === o.kind ? this : Numeric.NaN;
    }
    const s = Math.max(this.scale, o.scale);
    const a = this.coef * pow10(s - this.scale);
    const b = o.coef * pow10(s - o.scale);
    return Numeric.raw(a + b, s).checked();
  }

  sub(o: Numeric): Numeric {
    return this.add(o.neg());
  }

  mul(o: Numeric): Numeric {
    if (this.kind !== Kind.Finite || o.kind !== Kind.Finite) {
      if (this.kind === Kind.NaN || o.kind === Kind.NaN) return Numeric.NaN;
      const s = this.sign() * o.sign();
      if (s === 0) return Numeric.NaN;
      return s > 0 ? Numeric.Infinity : Numeric.NegativeInfinity;
    }
    let r = Numeric.raw(this.coef * o.coef, this.scale + o.scale);
    if (r.scale > NUMERIC_DSCALE_MAX) r = r.withScale(NUMERIC_DSCALE_MAX);
    return r.checked();
  }

  /** The result scale PostgreSQL's select_div_scale picks for this / o (both finite, o non-zero). */
  divScale(o: Numeric): number {
    let w1 = 0;
    let f1 = 0;
    if (this.coef !== 0n) {
      const bw = this.baseWeight();
      w1 = bw.weight;
      f1 = bw.first;
    }
    const bw2 = o.baseWeight();
    let qweight = w1 - bw2.weight;
    if (f1 <= bw2.first) qweight--;
    let rscale = NUMERIC_MIN_SIG_DIGITS - qweight * 4;
    rscale = Math.max(rscale, this.scale, o.scale, NUMERIC_MIN_DISPLAY_SCALE);
    return Math.min(rscale, NUMERIC_MAX_DISPLAY_SCALE);
  }

  div(o: Numeric): Numeric {
    if (this.kind !== Kind.Finite || o.kind !== Kind.Finite) {
      if (this.kind === Kind.NaN || o.kind === Kind.NaN) return Numeric.NaN;
      if (this.kind !== Kind.Finite) {
        if (o.kind !== Kind.Finite) return Numeric.NaN;
        const s = o.sign();
        if (s === 0) throw divisionByZero();
        return s * this.sign() > 0 ? Numeric.Infinity : Numeric.NegativeInfinity;
      }
      return Numeric.ZERO; // finite / ±Infinity
    }
    if (o.coef === 0n) throw divisionByZero();
    return this.divRound(o, this.divScale(o));
  }

  /** this / o rounded half away from zero to `rscale` digits (both finite, o non-zero). */
  divRound(o: Numeric, rscale: number): Numeric {
    // (a/10^sa) / (b/10^sb) = a * 10^(sb - sa) / b
    const shift = o.scale - this.scale + rscale;
    let num = this.coef;
    let den = o.coef;
    if (shift >= 0) num *= pow10(shift);
    else den *= pow10(-shift);
    return Numeric.raw(roundDiv(num, den), rscale).checked();
  }

  /** Truncated quotient at scale 0 (div(numeric, numeric)). */
  divTrunc(o: Numeric): Numeric {
    if (this.kind !== Kind.Finite || o.kind !== Kind.Finite) {
      if (this.kind === Kind.NaN || o.kind === Kind.NaN) return Numeric.NaN;
      if (this.kind !== Kind.Finite) {
        if (o.kind !== Kind.Finite) return Numeric.NaN;
        const s = o.sign();
        if (s === 0) throw divisionByZero();
        return s * this.sign() > 0 ? Numeric.Infinity : Numeric.NegativeInfinity;
      }
      return Numeric.ZERO;
    }
    if (o.coef === 0n) throw divisionByZero();
    const shift = o.scale - this.scale;
    let num = this.coef;
    let den = o.coef;
    if (shift >= 0) num *= pow10(shift);
    else den *= pow10(-shift);
    return Numeric.raw(num / den, 0);
  }

  mod(o: Numeric): Numeric {
    if (this.kind !== Kind.Finite || o.kind !== Kind.Finite) {
      if (this.kind === Kind.NaN || o.kind === Kind.NaN) return Numeric.NaN;
      if (this.kind !== Kind.Finite) {
        if (o.kind === Kind.Finite && o.coef === 0n) throw divisionByZero();
        return Numeric.NaN;
      }
      return this; // finite % ±Infinity
    }
    if (o.coef === 0n) throw divisionByZero();
    const s = Math.max(this.scale, o.scale);
    const a = this.coef * pow10(s - this.scale);
    const b = o.coef * pow10(s - o.scale);
    return Numeric.raw(a % b, s);
  }

  // ---- rounding -------------------------------------------------------------

  /** round(x, s): half away from zero; the result's display scale is max(s, 0). */
  round(s = 0): Numeric {
    if (this.kind !== Kind.Finite) return this;
    s = Math.max(-NUMERIC_MAX_RESULT_SCALE, Math.min(NUMERIC_MAX_RESULT_SCALE, s));
    return this.withScale(s).checked();
  }

  trunc(s = 0): Numeric {
    if (this.kind !== Kind.Finite) return this;
    s = Math.max(-NUMERIC_MAX_RESULT_SCALE, Math.min(NUMERIC_MAX_RESULT_SCALE, s));
    if (s >= this.scale) return this.withScale(s);
    return this.truncScale(s);
  }

  ceil(): Numeric {
    if (this.kind !== Kind.Finite) return this;
    const t = this.truncScale(0);
    if (this.coef > 0n && t.coef * pow10(this.scale) !== this.coef) return Numeric.raw(t.coef + 1n, 0);
    return t;
  }

  floor(): Numeric {
    if (this.kind !== Kind.Finite) return this;
    const t = this.truncScale(0);
    if (this.coef < 0n && t.coef * pow10(this.scale) !== this.coef) return Numeric.raw(t.coef - 1n, 0);
    return t;
  }

  /** Whether the value is an integer (finite, no non-zero fractional digit). */
  isInteger(): boolean {
    if (this.kind !== Kind.Finite) return false;
    return this.scale === 0 || this.coef % pow10(this.scale) === 0n;
  }

  // ---- typmod ---------------------------------------------------------------

  /** numeric(p, s) coercion: round to s, then 22003 unless |v| < 10^(p-s). */
  applyTypmod(typmod: number): Numeric {
    if (typmod < 4) return this;
    const precision = ((typmod - 4) >> 16) & 0xffff;
    const scale = (((typmod - 4) & 0x7ff) ^ 1024) - 1024;
    const maxdigits = precision - scale;
    if (this.kind !== Kind.Finite) {
      if (this.kind === Kind.NaN) return this;
      throw new SbError(SqlState.numeric_value_out_of_range, 'numeric field overflow', {
        detail: `A field with precision ${precision}, scale ${scale} cannot hold an infinite value.`,
      });
    }
    const r = this.withScale(scale);
    if (r.coef !== 0n && r.decimalExponent() + 1 > maxdigits) {
      throw new SbError(SqlState.numeric_value_out_of_range, 'numeric field overflow', {
        detail: `A field with precision ${precision}, scale ${scale} must round to an absolute value less than ${maxdigits !== 0 ? '10^' + maxdigits : '1'}.`,
      });
    }
    return r;
  }

  // ---- comparison -----------------------------------------------------------

  /** Total order: -Infinity < finite < +Infinity < NaN (NaN equals NaN). */
  cmp(o: Numeric): number {
    if (this.kind !== Kind.Finite || o.kind !== Kind.Finite) {
      const rank = (k: Kind): number => (k === Kind.NegInf ? 0 : k === Kind.Finite ? 1 : k === Kind.PosInf ? 2 : 3);
      const ra = rank(this.kind);
      const rb = rank(o.kind);
      return ra < rb ? -1 : ra > rb ? 1 : 0;
    }
    if (this.scale === o.scale) return this.coef < o.coef ? -1 : this.coef > o.coef ? 1 : 0;
    const s = Math.max(this.scale, o.scale);
    const a = this.coef * pow10(s - this.scale);
    const b = o.coef * pow10(s - o.scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  eq(o: Numeric): boolean {
    return this.cmp(o) === 0;
  }

  // ---- conversion -----------------------------------------------------------

  /** numeric_out */
  toString(): string {
    switch (this.kind) {
      case Kind.NaN:
        return 'NaN';
      case Kind.PosInf:
        return 'Infinity';
      case Kind.NegInf:
        return '-Infinity';
    }
    const neg = this.coef < 0n;
    let s = absBig(this.coef).toString();
    if (this.scale > 0) {
      if (s.length <= this.scale) s = '0'.repeat(this.scale - s.length + 1) + s;
      s = s.slice(0, s.length - this.scale) + '.' + s.slice(s.length - this.scale);
    }
    return neg ? '-' + s : s;
  }

  /** Canonical text with trailing fractional zeros removed (1.50 -> 1.5): equal values, equal keys. */
  canonicalKey(): string {
    return this.stripTrailingZeros().toString();
  }

  /** numeric -> float8 (correctly rounded; ±Infinity/NaN map to themselves; out of range: 22003). */
  toNumber(): number {
    if (this.kind === Kind.NaN) return NaN;
    if (this.kind === Kind.PosInf) return Infinity;
    if (this.kind === Kind.NegInf) return -Infinity;
    const v = Number(this.toString());
    if (!Number.isFinite(v) || (v === 0 && this.coef !== 0n)) {
      throw new SbError(SqlState.numeric_value_out_of_range, `"${this.toString()}" is out of range for type double precision`);
    }
    return v;
  }

  /** Double approximation without range errors (PostgreSQL's numericvar_to_double_no_overflow). */
  toNumberApprox(): number {
    if (this.kind === Kind.NaN) return NaN;
    if (this.kind === Kind.PosInf) return Infinity;
    if (this.kind === Kind.NegInf) return -Infinity;
    return Number(this.toString());
  }

  /** Rounds half away from zero to an integer; throws 0A000 for NaN/Infinity (typeName in the message). */
  toBigInt(typeName = 'bigint'): bigint {
    if (this.kind === Kind.NaN) throw new SbError(SqlState.feature_not_supported, `cannot convert NaN to ${typeName}`);
    if (this.kind !== Kind.Finite) throw new SbError(SqlState.feature_not_supported, `cannot convert infinity to ${typeName}`);
    if (this.scale === 0) return this.coef;
    return roundDiv(this.coef, pow10(this.scale));
  }
}
