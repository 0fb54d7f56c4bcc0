// Helpers of the numeric type: powers of ten, digit counts, rounding
// division, PostgreSQL's numeric errors, and numeric_in's text parser.

import { SbError, SqlState } from '../sb_error.ts';

/** Storage limits of the on-disk format: int16 weight in base-10000 digits, 14-bit dscale. */
export const NUMERIC_WEIGHT_MAX = 32767;
export const NUMERIC_DSCALE_MAX = 0x3fff;

const POW10: bigint[] = [1n];
export function pow10(n: number): bigint {
  if (n < 0) throw new Error('pow10: negative exponent');
  if (n < 512) {
    while (POW10.length <= n) POW10.push(POW10[POW10.length - 1]! * 10n);
    return POW10[n]!;
  }
  return 10n ** BigInt(n);
}

export function absBig(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** Number of decimal digits of |v| (0 for 0). */
export function digitCount(v: bigint): number {
  if (v === 0n) return 0;
  const a = absBig(v);
  if (a < 9007199254740992n) return String(a).length;
  return a.toString().length;
}

/** n / d rounded half away from zero. */
export function roundDiv(n: bigint, d: bigint): bigint {
  let q = n / d;
  const r = n % d;
  if (r !== 0n && 2n * absBig(r) >= absBig(d)) q += (n < 0n) !== (d < 0n) ? -1n : 1n;
  return q;
}

export function overflow(): SbError {
  return new SbError(SqlState.numeric_value_out_of_range, 'value overflows numeric format');
}

export function divisionByZero(): SbError {
  return new SbError(SqlState.division_by_zero, 'division by zero');
}

export function badSyntax(s: string): SbError {
  return new SbError(SqlState.invalid_text_representation, `invalid input syntax for type numeric: "${s}"`);
}

export function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
}

const SPECIALS: ReadonlyArray<[string, 'nan' | 'inf' | '-inf']> = [
  ['nan', 'nan'],
  ['infinity', 'inf'],
  ['+infinity', 'inf'],
  ['-infinity', '-inf'],
  ['inf', 'inf'],
  ['+inf', 'inf'],
  ['-inf', '-inf'],
];

/** numeric_in's parser: a special value, or coef × 10^-scale with the input's display scale. */
export function parseNumericText(input: string): { special?: 'nan' | 'inf' | '-inf'; coef: bigint; scale: number } {
  let i = 0;
  const n = input.length;
  while (i < n && isSpace(input[i])) i++;
  const rest = input.slice(i).toLowerCase();
  for (const [word, kind] of SPECIALS) {
    if (rest.startsWith(word)) {
      let j = i + word.length;
      while (j < n && isSpace(input[j])) j++;
      if (j !== n) throw badSyntax(input);
      return { special: kind, coef: 0n, scale: 0 };
    }
  }
  let neg = false;
  if (input[i] === '+') i++;
  else if (input[i] === '-') {
    neg = true;
    i++;
  }
  let digits = '';
  let frac = 0;
  let haveDp = false;
  if (input[i] === '.') {
    haveDp = true;
    i++;
  }
  const c0 = input.charCodeAt(i);
  if (!(c0 >= 48 && c0 <= 57)) throw badSyntax(input);
  while (i < n) {
    const c = input.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits += input[i];
      if (haveDp) frac++;
      i++;
    } else if (c === 46) {
      if (haveDp) throw badSyntax(input);
      haveDp = true;
      i++;
    } else break;
  }
  let exponent = 0;
  if (input[i] === 'e' || input[i] === 'E') {
    i++;
    // strtol semantics: optional leading whitespace, sign, digits.
    let j = i;
    while (j < n && isSpace(input[j])) j++;
    let eneg = false;
    if (input[j] === '+' || input[j] === '-') {
      eneg = input[j] === '-';
      j++;
    }
    const start = j;
    while (j < n && input.charCodeAt(j) >= 48 && input.charCodeAt(j) <= 57) j++;
    if (j === start) throw badSyntax(input);
    const text = input.slice(start, j).replace(/^0+/, '');
    if (text.length > 10 || Number(text) >= 1073741823) throw overflow();
    exponent = eneg ? -Number(text) : Number(text);
    i = j;
  }
  while (i < n) {
    if (!isSpace(input[i])) throw badSyntax(input);
    i++;
  }
  const dscale = Math.max(0, frac - exponent);
  let coef = BigInt(digits);
  const shift = dscale - (frac - exponent);
  if (shift > 0) coef *= pow10(shift);
  if (neg) coef = -coef;
  // The storage check happens on the value as written (PostgreSQL checks before stripping).
  const intDigits = digits.replace(/^0+/, '').length - frac + exponent;
  if (coef !== 0n && intDigits > (NUMERIC_WEIGHT_MAX + 1) * 4) throw overflow();
  if (dscale > NUMERIC_DSCALE_MAX) throw overflow();
  return { coef, scale: dscale };
}

