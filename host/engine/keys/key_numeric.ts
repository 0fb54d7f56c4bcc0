// Arbitrary-precision decimals (SQL numeric) in the key encoding, plus their
// parsing, canonical text and SQL order.
//
// A finite non-zero value is normalised to  ±0.M × 100^E  where M is a run of
// base-100 digits ("pairs") with no leading or trailing zero pair, so every
// spelling of a value (1, 1.0, 1.00, 0.1e1) has one encoding. After its tag:
//
//   exponent  E + 0x80 in one byte when -127 <= E <= 126, else
//             0x00 then (E + 2^31) as 4 bytes big-endian (E < -127), or
//             0xFF then (E + 2^31) as 4 bytes big-endian (E > 126)
//   mantissa  each pair d (0..99) as 2d+1, the last pair as 2d (so the
//             encoding ends itself: a terminal byte is even, others odd)
//
// Positive values store this as is (tag 0x43). Negative values (tag 0x41)
// store it with every byte after the tag inverted, which reverses the order
// of the (prefix-free) exponent+mantissa. Larger exponents sort higher for
// positives; within one exponent, the mantissa sorts as a digit string, a
// shorter one (the prefix, terminal byte even) before a longer.
//
// Limits are PostgreSQL's for unconstrained numeric: at most 131072 digits
// before the decimal point and 16383 after it (else 22003).

import { SbError, SqlState } from '../sb_error.ts';
import {
  corruptKey,
  wrongValueType,
  TAG_NUMERIC_NAN,
  TAG_NUMERIC_NEG,
  TAG_NUMERIC_NEG_INF,
  TAG_NUMERIC_POS,
  TAG_NUMERIC_POS_INF,
  TAG_NUMERIC_ZERO,
  type ReadCursor,
  type WriteSink,
} from './key_tags.ts';

export const NUMERIC_INT_DIGITS_MAX = 131072;
export const NUMERIC_FRAC_DIGITS_MAX = 16383;

export type NumericKind = 'finite' | 'zero' | 'nan' | 'inf' | '-inf';

/** A parsed numeric: for 'finite', value = (neg ? -1 : 1) × 0.digits × 10^exp10. */
export interface NumericParts {
  kind: NumericKind;
  neg: boolean;
  /** Significant digits, no leading or trailing zeros ('' unless finite). */
  digits: string;
  exp10: number;
}

const ZERO: NumericParts = { kind: 'zero', neg: false, digits: '', exp10: 0 };
const NAN: NumericParts = { kind: 'nan', neg: false, digits: '', exp10: 0 };
const INF: NumericParts = { kind: 'inf', neg: false, digits: '', exp10: 0 };
const NEG_INF: NumericParts = { kind: '-inf', neg: true, digits: '', exp10: 0 };

function badNumeric(s: string): SbError {
  return new SbError(SqlState.invalid_text_representation, `invalid input syntax for type numeric: "${s}"`, {
    dataType: 'numeric',
  });
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

const SPECIALS: Record<string, NumericParts> = {
  nan: NAN,
  infinity: INF,
  '+infinity': INF,
  '-infinity': NEG_INF,
  inf: INF,
  '+inf': INF,
  '-inf': NEG_INF,
};

/**
 * Parses numeric input as PostgreSQL does: optional surrounding whitespace,
 * optional sign, digits with an optional decimal point, an optional exponent
 * (e/E), or NaN / [+-]Infinity / [+-]inf in any case. Accepts JS numbers and
 * bigints too. Throws 22P02 for malformed text and 22003 beyond the limits.
 */
export function parseNumeric(v: unknown): NumericParts {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return NAN;
    if (v === Infinity) return INF;
    if (v === -Infinity) return NEG_INF;
    return parseNumericText(String(v));
  }
  if (typeof v === 'bigint') return parseNumericText(v.toString());
  if (typeof v !== 'string') throw wrongValueType('numeric', v);
  return parseNumericText(v);
}

function parseNumericText(s: string): NumericParts {
  let start = 0;
  let end = s.length;
  while (start < end && isSpace(s.charCodeAt(start))) start++;
  while (end > start && isSpace(s.charCodeAt(end - 1))) end--;
  let i = start;
  let neg = false;
  const first = s.charCodeAt(i);
  if (first === 0x2d /* - */ || first === 0x2b /* + */) {
    neg = first === 0x2d;
    i++;
  }
  const intStart = i;
  while (i < end && isDigit(s.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  if (i < end && s.charCodeAt(i) === 0x2e /* . */) {
    i++;
    fracStart = i;
    while (i < end && isDigit(s.charCodeAt(i))) i++;
    fracEnd = i;
  }
  if (intEnd === intStart && fracEnd === fracStart) {
    const special = SPECIALS[s.slice(start, end).toLowerCase()];
    if (special !== undefined) return special;
    throw badNumeric(s);
  }
  let exponent = 0;
  if (i < end && (s.charCodeAt(i) | 0x20) === 0x65 /* e */) {
    i++;
    let expNeg = false;
    const c = s.charCodeAt(i);
    if (c === 0x2d || c === 0x2b) {
      expNeg = c === 0x2d;
      i++;
    }
    const expStart = i;
    while (i < end && isDigit(s.charCodeAt(i))) i++;
    if (i === expStart) throw badNumeric(s);
    // Beyond 15 digits the value is out of range anyway (unless it is zero).
    exponent = i - expStart > 15 ? Infinity : Number(s.slice(expStart, i));
    if (expNeg) exponent = -exponent;
  }
  if (i !== end) throw badNumeric(s);

  const all = s.slice(intStart, intEnd) + s.slice(fracStart, fracEnd);
  let f = 0;
  while (f < all.length && all.charCodeAt(f) === 0x30) f++;
  if (f === all.length) return ZERO;
  let l = all.length - 1;
  while (all.charCodeAt(l) === 0x30) l--;
  const digits = all.slice(f, l + 1);
  const exp10 = intEnd - intStart - f + exponent;
  if (exp10 > NUMERIC_INT_DIGITS_MAX || digits.length - exp10 > NUMERIC_FRAC_DIGITS_MAX) {
    throw new SbError(SqlState.numeric_value_out_of_range, 'value overflows numeric format', { dataType: 'numeric' });
  }
  return { kind: 'finite', neg, digits, exp10 };
}

/** Canonical text: plain notation, no trailing fractional zeros ("1", "-12.34", "0.001", "NaN", "-Infinity"). */
export function numericPartsToString(p: NumericParts): string {
  switch (p.kind) {
    case 'zero':
      return '0';
    case 'nan':
      return 'NaN';
    case 'inf':
      return 'Infinity';
    case '-inf':
      return '-Infinity';
  }
  const { digits, exp10 } = p;
  let body: string;
  if (exp10 <= 0) body = '0.' + '0'.repeat(-exp10) + digits;
  else if (exp10 >= digits.length) body = digits + '0'.repeat(exp10 - digits.length);
  else body = digits.slice(0, exp10) + '.' + digits.slice(exp10);
  return p.neg ? '-' + body : body;
}

export function canonicalNumeric(v: unknown): string {
  return numericPartsToString(parseNumeric(v));
}

/** Rank of the non-finite-aware classes: -inf < negative < zero < positive < inf < NaN. */
function classRank(p: NumericParts): number {
  switch (p.kind) {
    case '-inf':
      return 0;
    case 'zero':
      return 2;
    case 'inf':
      return 4;
    case 'nan':
      return 5;
    default:
      return p.neg ? 1 : 3;
  }
}

/** SQL order of two parsed numerics (NaN equals NaN and sorts last). */
export function compareNumericParts(a: NumericParts, b: NumericParts): number {
  const ra = classRank(a);
  const rb = classRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (ra !== 1 && ra !== 3) return 0;
  // Same sign, both finite: compare magnitudes, then flip for negatives.
  let c: number;
  if (a.exp10 !== b.exp10) c = a.exp10 < b.exp10 ? -1 : 1;
  else c = a.digits < b.digits ? -1 : a.digits > b.digits ? 1 : 0; // ASCII digits: string order = digit order
  return ra === 1 ? -c : c;
}

export function compareNumeric(a: unknown, b: unknown): number {
  return compareNumericParts(parseNumeric(a), parseNumeric(b));
}

// ---- encoding ----

const EXP_SHORT_MIN = -127;
const EXP_SHORT_MAX = 126;
const EXP_BIAS = 0x80;
const EXP_LONG_LOW = 0x00;
const EXP_LONG_HIGH = 0xff;
const EXP_LONG_OFFSET = 2 ** 31;

/** Appends the tag and body of a numeric (ascending form). */
export function writeNumeric(w: WriteSink, v: unknown): void {
  const p = parseNumeric(v);
  if (p.kind !== 'finite') {
    w.ensure(1);
    w.buf[w.length++] =
      p.kind === 'zero' ? TAG_NUMERIC_ZERO
      : p.kind === 'nan' ? TAG_NUMERIC_NAN
      : p.kind === 'inf' ? TAG_NUMERIC_POS_INF
      : TAG_NUMERIC_NEG_INF;
    return;
  }
  const odd = (p.exp10 & 1) !== 0;
  const e100 = odd ? (p.exp10 + 1) / 2 : p.exp10 / 2;
  // With an odd decimal exponent the first pair gets a leading zero digit.
  const d = odd ? '0' + p.digits : p.digits;
  const pairs = (d.length + 1) >>> 1;
  w.ensure(1 + 5 + pairs);
  const buf = w.buf;
  let pos = w.length;
  buf[pos++] = p.neg ? TAG_NUMERIC_NEG : TAG_NUMERIC_POS;
  const bodyStart = pos;
  if (e100 >= EXP_SHORT_MIN && e100 <= EXP_SHORT_MAX) {
    buf[pos++] = e100 + EXP_BIAS;
  } else {
    buf[pos++] = e100 < 0 ? EXP_LONG_LOW : EXP_LONG_HIGH;
    const u = e100 + EXP_LONG_OFFSET;
    buf[pos++] = u >>> 24;
    buf[pos++] = (u >>> 16) & 0xff;
    buf[pos++] = (u >>> 8) & 0xff;
    buf[pos++] = u & 0xff;
  }
  for (let k = 0; k < pairs; k++) {
    const hi = d.charCodeAt(2 * k) - 0x30;
    const lo = 2 * k + 1 < d.length ? d.charCodeAt(2 * k + 1) - 0x30 : 0;
    const pair = hi * 10 + lo;
    buf[pos++] = k === pairs - 1 ? 2 * pair : 2 * pair + 1;
  }
  if (p.neg) for (let k = bodyStart; k < pos; k++) buf[k] ^= 0xff;
  w.length = pos;
}

/** Reads the body of a numeric whose (un-masked) tag was already consumed. */
export function readNumericBody(r: ReadCursor, tag: number, mask: number): string {
  switch (tag) {
    case TAG_NUMERIC_ZERO:
      return '0';
    case TAG_NUMERIC_NAN:
      return 'NaN';
    case TAG_NUMERIC_POS_INF:
      return 'Infinity';
    case TAG_NUMERIC_NEG_INF:
      return '-Infinity';
  }
  const key = r.key;
  const m = tag === TAG_NUMERIC_NEG ? mask ^ 0xff : mask;
  let pos = r.pos;
  if (pos >= key.length) throw corruptKey('truncated numeric', pos);
  const eb = key[pos++] ^ m;
  let e100: number;
  if (eb === EXP_LONG_LOW || eb === EXP_LONG_HIGH) {
    if (pos + 4 > key.length) throw corruptKey('truncated numeric exponent', pos);
    e100 = ((key[pos] ^ m) * 0x1000000 + (((key[pos + 1] ^ m) << 16) | ((key[pos + 2] ^ m) << 8) | (key[pos + 3] ^ m))) - EXP_LONG_OFFSET;
    pos += 4;
  } else {
    e100 = eb - EXP_BIAS;
  }
  let digits = '';
  for (;;) {
    if (pos >= key.length) throw corruptKey('unterminated numeric', pos);
    const b = key[pos++] ^ m;
    if (b >= 200) throw corruptKey('bad numeric digit pair', pos - 1);
    const pair = b >>> 1;
    digits += pair < 10 ? '0' + pair : String(pair);
    if ((b & 1) === 0) break;
  }
  r.pos = pos;
  let exp10 = 2 * e100;
  let f = 0;
  if (digits.charCodeAt(0) === 0x30) {
    f = 1;
    exp10--;
  }
  let l = digits.length;
  while (l > f && digits.charCodeAt(l - 1) === 0x30) l--;
  if (l === f) throw corruptKey('zero numeric mantissa', pos - 1);
  return numericPartsToString({ kind: 'finite', neg: tag === TAG_NUMERIC_NEG, digits: digits.slice(f, l), exp10 });
}

/** Skips the body of a numeric whose (un-masked) tag was already consumed. */
export function skipNumericBody(r: ReadCursor, tag: number, mask: number): void {
  if (tag !== TAG_NUMERIC_NEG && tag !== TAG_NUMERIC_POS) return;
  const key = r.key;
  const m = tag === TAG_NUMERIC_NEG ? mask ^ 0xff : mask;
  let pos = r.pos;
  if (pos >= key.length) throw corruptKey('truncated numeric', pos);
  const eb = key[pos++] ^ m;
  if (eb === EXP_LONG_LOW || eb === EXP_LONG_HIGH) pos += 4;
  for (;;) {
    if (pos >= key.length) throw corruptKey('unterminated numeric', pos);
    if (((key[pos++] ^ m) & 1) === 0) break;
  }
  r.pos = pos;
}
