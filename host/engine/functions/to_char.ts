// to_char for timestamp, timestamptz and interval (template patterns in
// datetime_format_pattern.ts), and to_char/to_number for numbers
// (number_format_pattern.ts); to_date/to_timestamp(text, text) are in
// to_timestamp.ts.

import { SbError, SqlState } from '../sb_error.ts';
import { Numeric } from '../types/numeric.ts';
import { numericPower } from '../types/numeric_math.ts';
import { parseText } from '../types/text_io.ts';
import { timestampToTm, timestamptzToTm, zoneAbbrevAt, type Tm } from '../types/datetime.ts';
import { rint, type Interval } from '../types/interval.ts';
import { T } from '../types/types.ts';
import { sessionZone } from './context.ts';
import { date2j, dchToChar, j2day, parseDchFormat, type CharTm } from './datetime_format_pattern.ts';
import { defFn } from './registry.ts';
import {
  expText, fixedText, intToRoman, isEeee, isMulti, isRoman, numFromChar, numToChar, overflowDigits, parseNumFormat, sciText,
} from './number_format_pattern.ts';

/** Broken-down fields for to_char (built field by field: an object spread here costs more than the formatting). */
function charTm(tm: Tm, gmtoff: number, tzn: string | undefined): CharTm {
  const j = date2j(tm.year, tm.month, tm.day);
  return {
    year: tm.year, month: tm.month, day: tm.day, hour: tm.hour, minute: tm.minute, second: tm.second, usec: tm.usec,
    wday: j2day(j), yday: j - date2j(tm.year, 1, 1) + 1, gmtoff, tzn, isInterval: false,
  };
}

function charTmOfLocal(ts: number): CharTm {
  return charTm(timestampToTm(ts), 0, undefined);
}

/** to_char(timestamp, text); NULL for infinities and an empty template, as in PostgreSQL. */
export function timestampToChar(ts: number, fmt: string): string | null {
  if (!Number.isFinite(ts) || fmt === '') return null;
  return dchToChar(parseDchFormat(fmt), charTmOfLocal(ts));
}

const DAYS_PER_MONTH = 30;

defFn('to_char', [T.timestamp, T.text], T.text, ([ts, f]) => timestampToChar(ts as number, f as string));

defFn('to_char', [T.timestamptz, T.text], T.text, ([ts, f], ctx) => {
  const t = ts as number;
  const fmt = f as string;
  if (!Number.isFinite(t) || fmt === '') return null;
  const zone = sessionZone(ctx);
  const { tm, offset } = timestamptzToTm(t, zone);
  return dchToChar(parseDchFormat(fmt), charTm(tm, offset, zoneAbbrevAt(zone, t)));
}, { volatility: 's' });

defFn('to_char', [T.interval, T.text], T.text, ([v, f]) => {
  const iv = v as Interval;
  const fmt = f as string;
  if (fmt === '') return null;
  // interval2itm: C truncating divisions; the fields keep the interval's signs.
  const year = Math.trunc(iv.months / 12);
  const month = iv.months % 12 || 0;
  const hour = Math.trunc(iv.micros / 3_600_000_000);
  let rest = iv.micros - hour * 3_600_000_000;
  const minute = Math.trunc(rest / 60_000_000);
  rest -= minute * 60_000_000;
  const second = Math.trunc(rest / 1_000_000);
  const usec = rest - second * 1_000_000;
  const ctm: CharTm = {
    year, month, day: iv.days, hour: hour || 0, minute: minute || 0, second: second || 0, usec: usec || 0,
    // wday is meaningless; yday approximates the span in days.
    yday: (year * 12 + month) * DAYS_PER_MONTH + iv.days, gmtoff: 0, isInterval: true,
  };
  return dchToChar(parseDchFormat(fmt), ctm);
});

// ---- numbers ------------------------------------------------------------------------

function invalidRoman(): SbError {
  return new SbError(SqlState.numeric_value_out_of_range, 'integer out of range');
}

/** Digits of |value| (with the template's fraction), sign, and the unused integer positions: the caller's part of to_char. */
function numberToChar(fmt: string, digitsOf: (post: number, multiplied: number) => { text: string; neg: boolean; post?: number }, roman: () => number, eeee: (post: number) => string): string {
  if (fmt === '') return '';
  const { nodes, desc: d0 } = parseNumFormat(fmt);
  const desc = { ...d0 };
  let numstr: string;
  let sign: '+' | '-' = '+';
  let preSpaces = 0;
  if (isRoman(desc)) {
    numstr = intToRoman(roman());
  } else if (isEeee(desc)) {
    numstr = eeee(desc.post);
  } else {
    const multi = isMulti(desc) ? desc.multi : 0;
    if (multi > 0) desc.pre += multi;
    const r = digitsOf(desc.post, multi);
    // float4/float8 cut the fraction to their precision: the template then has that many fraction digits.
    if (r.post !== undefined) desc.post = r.post;
    if (r.neg) sign = '-';
    numstr = r.text;
    const dot = numstr.indexOf('.');
    const preLen = dot >= 0 ? dot : numstr.length;
    if (preLen < desc.pre) preSpaces = desc.pre - preLen;
    else if (preLen > desc.pre) numstr = overflowDigits(desc.pre, desc.post);
  }
  return numToChar(nodes, desc, numstr, preSpaces, sign);
}

/** '#' text for NaN/Infinity in EEEE form: leading blank, the point after pre digits. */
function eeeeHashes(pre: number, post: number): string {
  const a = Array<string>(pre + post + 6).fill('#');
  a[0] = ' ';
  a[pre + 1] = '.';
  return a.join('');
}

const splitSign = (s: string): { text: string; neg: boolean } => (s.startsWith('-') ? { text: s.slice(1), neg: true } : { text: s, neg: false });

defFn('to_char', [T.numeric, T.text], T.text, ([v, f]) => {
  const x = v as Numeric;
  const fmt = f as string;
  return numberToChar(
    fmt,
    (post, multi) => {
      const val = multi > 0 ? x.mul(Numeric.parse('1' + '0'.repeat(multi))) : x;
      return splitSign(val.round(post).toString());
    },
    () => int4OfNumeric(x.round(0)),
    (post) => {
      if (!x.isFinite()) return eeeeHashes(parseNumFormat(fmt).desc.pre, post);
      const t = (x.sign() < 0 ? '-' : ' ') + sciText(x.abs(), post, true);
      return t;
    },
  );
});

function int4OfNumeric(n: Numeric): number {
  if (!n.isFinite()) throw new SbError(SqlState.feature_not_supported, `cannot convert ${n.toString()} to integer`);
  const b = n.toBigInt('integer');
  if (b > 2147483647n || b < -2147483648n) throw invalidRoman();
  return Number(b);
}

function intToChar(v: number | bigint, fmt: string, bits: 32 | 64): string {
  return numberToChar(
    fmt,
    (post, multi) => {
      let x = BigInt(v);
      if (multi > 0) {
        if (bits === 32) {
          // int4: C int arithmetic, (int32) pow(10, multi) and a wrapping product, as PostgreSQL computes it.
          const m = multi >= 10 ? -2147483648n : 10n ** BigInt(multi);
          x = BigInt.asIntN(32, x * m);
        } else {
          x *= 10n ** BigInt(multi);
          if (x >= 9223372036854775808n || x < -9223372036854775808n) throw new SbError(SqlState.numeric_value_out_of_range, 'bigint out of range');
        }
      }
      const r = splitSign(x.toString());
      return post > 0 ? { text: r.text + '.' + '0'.repeat(post), neg: r.neg } : r;
    },
    () => {
      if (bits === 64 && (BigInt(v) > 2147483647n || BigInt(v) < -2147483648n)) throw invalidRoman();
      return Number(v);
    },
    (post) => {
      if (bits === 32) {
        const t = expText(Number(v), post);
        return t.startsWith('+') ? ' ' + t.slice(1) : t;
      }
      const n = Numeric.fromInt(v);
      return (n.sign() < 0 ? '-' : ' ') + sciText(n.abs(), post, true);
    },
  );
}

defFn('to_char', [T.int4, T.text], T.text, ([v, f]) => intToChar(v as number, f as string, 32));
defFn('to_char', [T.int8, T.text], T.text, ([v, f]) => intToChar(v as number | bigint, f as string, 64));

/** float4/float8: at most FLT_DIG/DBL_DIG significant digits, C's printf rounding. */
function floatToChar(value: number, fmt: string, maxDigits: number): string {
  return numberToChar(
    fmt,
    (post0, multi) => {
      const val = multi > 0 ? value * 10 ** multi : value;
      const neg = val < 0 || Object.is(val, -0);
      // NaN and infinities print as words (then overflow the template as any long number does).
      const special = Number.isNaN(val) ? 'NaN' : !Number.isFinite(val) ? 'Infinity' : undefined;
      let post = post0;
      // At most FLT_DIG/DBL_DIG significant digits; C's printf rounding (a negative zero keeps its sign).
      const intLen = (special ?? fixedText(Math.abs(val), 0)).length;
      if (intLen >= maxDigits) post = 0;
      else if (intLen + post > maxDigits) post = maxDigits - intLen;
      return { text: special ?? fixedText(Math.abs(val), post), neg: neg && !Number.isNaN(val), post };
    },
    () => rint(value),
    (post) => {
      if (!Number.isFinite(value)) return eeeeHashes(parseNumFormat(fmt).desc.pre, post);
      const t = expText(value, post);
      return t.startsWith('+') ? ' ' + t.slice(1) : t;
    },
  );
}

defFn('to_char', [T.float8, T.text], T.text, ([v, f]) => floatToChar(v as number, f as string, 15));
defFn('to_char', [T.float4, T.text], T.text, ([v, f]) => floatToChar(v as number, f as string, 6));

defFn('to_number', [T.text, T.text], T.numeric, ([v, f]) => {
  const fmt = f as string;
  if (fmt === '') return null;
  const { nodes, desc } = parseNumFormat(fmt);
  const { text, post } = numFromChar(nodes, { ...desc }, v as string);
  const precision = desc.pre + desc.multi + post;
  let n = parseText(T.numeric, text) as Numeric;
  // numeric_in with typmod (precision, scale) built as PostgreSQL does, unvalidated: precision 0 only holds zero.
  n = n.applyTypmod(((precision << 16) | post) + 4);
  if (isMulti(desc)) n = n.mul(numericPower(Numeric.fromInt(10), Numeric.fromInt(-desc.multi)));
  return n;
});
