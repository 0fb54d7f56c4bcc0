// float4/float8 text I/O as PostgreSQL 12+: input through strtod/strtof
// semantics (NaN, Infinity, inf, whitespace; range errors), output as the
// shortest string that reads back exactly when extra_float_digits > 0, else
// "%.*g" with DBL_DIG/FLT_DIG + extra_float_digits digits.

import { SbError, SqlState } from '../sb_error.ts';
import { Numeric, pow10 } from './numeric.ts';

const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIALS: Record<string, number> = {
  nan: NaN, '+nan': NaN, '-nan': NaN,
  infinity: Infinity, '+infinity': Infinity, '-infinity': -Infinity,
  inf: Infinity, '+inf': Infinity, '-inf': -Infinity,
};

function trimSpace(s: string): string {
  return s.replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, '');
}

function syntax(typeName: string, s: string): SbError {
  return new SbError(SqlState.invalid_text_representation, `invalid input syntax for type ${typeName}: "${s}"`);
}

function range(typeName: string, s: string): SbError {
  return new SbError(SqlState.numeric_value_out_of_range, `"${s}" is out of range for type ${typeName}`);
}

/** Whether the decimal mantissa of a float literal has a non-zero digit. */
function hasNonZeroDigit(s: string): boolean {
  const mant = s.split(/[eE]/)[0]!;
  return /[1-9]/.test(mant);
}

/** float8in */
export function parseFloat8(input: string): number {
  const s = trimSpace(input);
  const special = SPECIALS[s.toLowerCase()];
  if (special !== undefined) return special;
  if (!FLOAT_RE.test(s)) throw syntax('double precision', input);
  const v = Number(s);
  if (!Number.isFinite(v) || (v === 0 && hasNonZeroDigit(s))) throw range('double precision', input);
  return v;
}

const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);

/** The next float32 after f toward +Infinity (dir 1) or -Infinity (dir -1). */
function nextFloat32(f: number, dir: 1 | -1): number {
  if (f === 0) return dir * 1.401298464324817e-45;
  F32[0] = f;
  I32[0]! += f > 0 === (dir > 0) ? 1 : -1;
  return F32[0]!;
}

/** Decimal string to the nearest float32 (ties to even), avoiding double rounding through float64. */
export function decimalToFloat32(s: string): number {
  const d = Number(s);
  const f = Math.fround(d);
  if (!Number.isFinite(f) || f === d) return f;
  for (const dir of [1, -1] as const) {
    const g = nextFloat32(f, dir);
    if (!Number.isFinite(g)) continue;
    if ((f + g) / 2 === d) {
      // d sits exactly on a float32 midpoint: decide with the exact decimal.
      const exact = Numeric.parse(s).cmp(Numeric.exactFromDouble(d));
      if (exact === 0) return f;
      const toward = exact > 0 === g > f ? g : f;
      return toward;
    }
  }
  return f;
}

/** float4in */
export function parseFloat4(input: string): number {
  const s = trimSpace(input);
  const special = SPECIALS[s.toLowerCase()];
  if (special !== undefined) return special;
  if (!FLOAT_RE.test(s)) throw syntax('real', input);
  const v = decimalToFloat32(s);
  if (!Number.isFinite(v) || (v === 0 && hasNonZeroDigit(s))) throw range('real', input);
  return v;
}

/** Shortest round-trip digits and decimal exponent of a finite non-zero double: d.ddd × 10^exp. */
function shortestDigits(v: number, float4: boolean): { digits: string; exp: number } {
  let text: string;
  if (float4) {
    text = '';
    for (let p = 1; p <= 9; p++) {
      const t = v.toPrecision(p);
      if (Math.fround(Number(t)) === v) {
        text = Number(t).toExponential();
        break;
      }
    }
    if (text === '') text = v.toExponential(8);
  } else text = v.toExponential();
  const m = /^-?(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text)!;
  return { digits: (m[1]! + (m[2] ?? '')).replace(/0+$/, '') || '0', exp: Number(m[3]) };
}

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

function nextDoubleUp(v: number): number {
  F64[0] = v;
  U64[0]! += 1n;
  return F64[0]!;
}

function nextDoubleDown(v: number): number {
  F64[0] = v;
  U64[0]! -= 1n;
  return F64[0]!;
}

/**
 * PostgreSQL prints floats with Ryu built without STRICTLY_SHORTEST, so the
 * interval of acceptable digit strings is open at both ends; JS's shortest
 * form may land exactly on a rounding boundary (it accepts boundaries for
 * even mantissas). Only values with an ulp >= 1 have such short boundaries:
 * for them, check and lengthen the digits when needed.
 */
function ryuAdjust(v: number, float4: boolean, digits: string, exp: number): { digits: string; exp: number } {
  const up = float4 ? nextFloat32(v, 1) : nextDoubleUp(v);
  const down = float4 ? nextFloat32(v, -1) : nextDoubleDown(v);
  const exactV = Numeric.exactFromDouble(v);
  const half = Numeric.raw(5n, 1);
  const hi = Number.isFinite(up) ? exactV.add(Numeric.exactFromDouble(up)).mul(half) : undefined;
  const lo = exactV.add(Numeric.exactFromDouble(down)).mul(half);
  const cand = Numeric.raw(BigInt(digits), Math.max(0, digits.length - 1 - exp)).mul(
    Numeric.raw(pow10(Math.max(0, exp - digits.length + 1)), 0),
  );
  if (cand.cmp(lo) !== 0 && (hi === undefined || cand.cmp(hi) !== 0)) return { digits, exp };
  const e10 = exactV.decimalExponent();
  for (let k = digits.length + 1; k <= (float4 ? 9 : 17); k++) {
    // the nearest k-significant-digit decimal to v (ties to even)
    const p = e10 - k + 1;
    const shift = -p - exactV.scale;
    let q: bigint;
    if (shift >= 0) q = exactV.coef * pow10(shift);
    else {
      const d = pow10(-shift);
      q = exactV.coef / d;
      const r = exactV.coef % d;
      if (2n * r > d || (2n * r === d && q % 2n === 1n)) q += 1n;
    }
    const c = p >= 0 ? Numeric.raw(q * pow10(p), 0) : Numeric.raw(q, -p);
    if (c.cmp(lo) > 0 && (hi === undefined || c.cmp(hi) < 0)) {
      const ds = q.toString();
      return { digits: ds.replace(/0+$/, '') || '0', exp: e10 + (ds.length - k) };
    }
  }
  return { digits, exp };
}

function expText(exp: number): string {
  const a = Math.abs(exp);
  return (exp < 0 ? 'e-' : 'e+') + (a < 10 ? '0' + a : String(a));
}

/** Positions digits d.ddd×10^exp as fixed or exponential text ("%g"-like, trailing zeros trimmed). */
function place(neg: boolean, digits: string, exp: number, fixed: boolean): string {
  let s: string;
  if (!fixed) {
    s = digits[0]! + (digits.length > 1 ? '.' + digits.slice(1) : '') + expText(exp);
  } else if (exp >= 0) {
    s = digits.length <= exp + 1 ? digits + '0'.repeat(exp + 1 - digits.length) : digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  } else {
    s = '0.' + '0'.repeat(-exp - 1) + digits;
  }
  return neg ? '-' + s : s;
}

/** "%.*g" with round-half-even on the exact binary value, as C's printf. */
function formatG(v: number, precision: number): string {
  const p = Math.max(1, precision);
  const neg = v < 0 || Object.is(v, -0);
  if (v === 0) return neg ? '-0' : '0';
  const exact = Numeric.exactFromDouble(Math.abs(v));
  const nd = exact.coef.toString().length;
  let e = nd - 1 - exact.scale;
  let coef = exact.coef;
  if (nd > p) {
    const drop = nd - p;
    const div = pow10(drop);
    let q = coef / div;
    const r = coef % div;
    const half = div / 2n;
    if (r > half || (r === half && q % 2n === 1n)) q += 1n;
    if (q.toString().length > p) {
      q /= 10n;
      e += 1;
    }
    coef = q;
  }
  const digits = coef.toString().padEnd(p, '0').slice(0, p).replace(/0+$/, '') || '0';
  return place(neg, digits, e, e >= -4 && e < p);
}

function formatFloat(v: number, float4: boolean, extraFloatDigits: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (extraFloatDigits > 0) {
    if (v === 0) return Object.is(v, -0) ? '-0' : '0';
    let { digits, exp } = shortestDigits(Math.abs(v), float4);
    if (Math.abs(v) >= (float4 ? 16777216 : 9007199254740992)) ({ digits, exp } = ryuAdjust(Math.abs(v), float4, digits, exp));
    const limit = float4 ? 6 : 15;
    return place(v < 0, digits, exp, exp >= -4 && exp < limit);
  }
  return formatG(v, (float4 ? 6 : 15) + extraFloatDigits);
}

/** float8out */
export function formatFloat8(v: number, extraFloatDigits = 1): string {
  return formatFloat(v, false, extraFloatDigits);
}

/** float4out */
export function formatFloat4(v: number, extraFloatDigits = 1): string {
  return formatFloat(v, true, extraFloatDigits);
}
