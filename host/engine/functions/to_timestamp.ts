// to_timestamp(text, text) and to_date(text, text): the input side of
// PostgreSQL's date/time templates (DCH_from_char + do_to_timestamp). Fields
// are read loosely outside FX mode: spaces before fields are skipped, one
// template separator matches one input separator or nothing, fixed-width
// numbers take their width unless FM or a non-digit follows. The fields
// then become a date: CC with YY, Julian days, ISO weeks, day of year,
// 12-hour clocks, TZH:TZM.

import { SbError, SqlState } from '../sb_error.ts';
import { isLeap, j2date } from '../types/calendar.ts';
import { localToTimestamptz, tmToTimestamp, USECS_PER_DAY } from '../types/datetime.ts';
import { roundMicros } from '../types/interval.ts';
import { T } from '../types/types.ts';
import { sessionZone } from './context.ts';
import { DAYS, date2j, isSeparator, j2day, MONTHS, parseDchFormat, Sfx, type FmtNode } from './datetime_format_pattern.ts';
import { defFn } from './registry.ts';

/** What the template read (TmFromChar); 0 means "not given". */
interface FromChar {
  mode: 'none' | 'greg' | 'iso';
  hh: number;
  pm: number;
  mi: number;
  ss: number;
  ssss: number;
  d: number;
  dd: number;
  ddd: number;
  mm: number;
  ms: number;
  year: number;
  bc: number;
  ww: number;
  w: number;
  cc: number;
  j: number;
  us: number;
  yysz: number;
  clock12: boolean;
  tzsign: number;
  tzh: number;
  tzm: number;
  ff: number;
}

/** Numeric fields (is_digit in PostgreSQL's keyword table). */
const DIGIT_KEYS = new Set([
  'CC', 'DDD', 'DD', 'D', 'FF1', 'FF2', 'FF3', 'FF4', 'FF5', 'FF6', 'HH24', 'HH12', 'HH', 'IDDD', 'ID', 'IW', 'IYYY', 'IYY', 'IY', 'I', 'J',
  'MI', 'MM', 'MS', 'Q', 'SSSSS', 'SSSS', 'SS', 'TZH', 'TZM', 'US', 'WW', 'W', 'Y,YYY', 'YYYY', 'YYY', 'YY', 'Y',
]);
const ISO_KEYS = new Set(['IDDD', 'ID', 'IW', 'IYYY', 'IYY', 'IY', 'I']);
const GREGORIAN_KEYS = new Set([
  'A.D.', 'B.C.', 'AD', 'BC', 'CC', 'DAY', 'DDD', 'DD', 'DY', 'D', 'MM', 'MONTH', 'MON', 'Q', 'RM', 'W', 'WW', 'Y,YYY', 'YYYY', 'YYY', 'YY', 'Y',
]);

const AMPM = ['am', 'pm', 'AM', 'PM'];
const AMPM_LONG = ['a.m.', 'p.m.', 'A.M.', 'P.M.'];
const ADBC = ['ad', 'bc', 'AD', 'BC'];
const ADBC_LONG = ['a.d.', 'b.c.', 'A.D.', 'B.C.'];
const RM_LOWER = ['xii', 'xi', 'x', 'ix', 'viii', 'vii', 'vi', 'v', 'iv', 'iii', 'ii', 'i'];
const MONTHS_SHORT = MONTHS.map((m) => m.slice(0, 3));
const DAYS_SHORT = DAYS.map((d) => d.slice(0, 3));

function dtFormat(msg: string, detail?: string, hint?: string): SbError {
  const f: { detail?: string; hint?: string } = {};
  if (detail !== undefined) f.detail = detail;
  if (hint !== undefined) f.hint = hint;
  return new SbError(SqlState.invalid_datetime_format, msg, f);
}

function upperKey(k: string): string {
  return k.toUpperCase();
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

class Reader {
  pos = 0;
  constructor(readonly s: string) {}
  get ch(): string | undefined {
    return this.s[this.pos];
  }
  get done(): boolean {
    return this.pos >= this.s.length;
  }
}

function setInt(out: FromChar, field: keyof FromChar, value: number, key: string): void {
  const cur = out[field] as number;
  if (cur !== 0 && cur !== value) {
    throw dtFormat(`conflicting values for "${key}" field in formatting string`, 'This value contradicts a previous setting for the same field type.');
  }
  (out as unknown as Record<string, number>)[field] = value;
}

/** is_next_separator: whether the field after node i cannot start with a digit (so this one reads greedily). */
function nextIsSeparator(nodes: readonly FmtNode[], i: number): boolean {
  const n = nodes[i]!;
  if (n.key !== null && (n.suffix & (Sfx.TH | Sfx.th)) !== 0) return true;
  const next = nodes[i + 1];
  if (next === undefined) return true;
  if (next.key !== null) return !DIGIT_KEYS.has(upperKey(next.key));
  return !(next.ch >= '0' && next.ch <= '9');
}

/** strtol: optional spaces, sign, digits; returns the value and the end position (start when nothing was read). */
function strtol(s: string, start: number): { value: number; end: number } {
  let i = start;
  while (isSpace(s[i])) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  const d0 = i;
  while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
  if (i === d0) return { value: 0, end: start };
  const v = Number(s.slice(d0, i));
  return { value: neg ? -v : v, end: i };
}

/** from_char_parse_int_len: a fixed-width (or, in FM mode / before a separator, greedy) integer. Returns chars consumed. */
function parseInt(r: Reader, len: number, nodes: readonly FmtNode[], i: number, out: FromChar | null, field: keyof FromChar | null): number {
  const init = r.pos;
  while (isSpace(r.ch)) r.pos++;
  const key = nodes[i]!.key!;
  const copy = r.s.slice(r.pos, r.pos + len);
  let value: number;
  if ((nodes[i]!.suffix & Sfx.FM) !== 0 || nextIsSeparator(nodes, i)) {
    const t = strtol(r.s, init);
    value = t.value;
    r.pos = t.end;
  } else {
    if (copy.length < len) {
      throw dtFormat(`source string too short for "${key}" formatting field`, `Field requires ${len} characters, but only ${copy.length} remain.`, 'If your source string is not fixed-width, try using the "FM" modifier.');
    }
    const t = strtol(copy, 0);
    const used = t.end;
    if (used > 0 && used < len) {
      throw dtFormat(`invalid value "${copy}" for "${key}"`, `Field requires ${len} characters, but only ${used} could be parsed.`, 'If your source string is not fixed-width, try using the "FM" modifier.');
    }
    value = t.value;
    r.pos += used;
  }
  if (r.pos === init) throw dtFormat(`invalid value "${copy}" for "${key}"`, 'Value must be an integer.');
  if (value < -2147483648 || value > 2147483647) {
    throw new SbError(SqlState.datetime_field_overflow, `value for "${key}" in source string is out of range`, { detail: 'Value must be in the range -2147483648 to 2147483647.' });
  }
  if (out !== null && field !== null) setInt(out, field, value, key);
  return r.pos - init;
}

/** from_char_seq_search: the first listed word that the input starts with (ASCII case-insensitive). */
function seqSearch(r: Reader, words: readonly string[], key: string): number {
  const rest = r.s.slice(r.pos);
  for (let k = 0; k < words.length; k++) {
    const w = words[k]!;
    if (rest.length >= w.length && rest.slice(0, w.length).toLowerCase() === w.toLowerCase()) {
      r.pos += w.length;
      return k;
    }
  }
  const maxLen = Math.max(...words.map((w) => w.length));
  throw dtFormat(`invalid value "${rest.slice(0, maxLen)}" for "${key}"`, 'The given value did not match any of the allowed values for this field.');
}

function skipTh(r: Reader, suffix: number): void {
  if ((suffix & (Sfx.TH | Sfx.th)) !== 0) {
    if (!r.done) r.pos++;
    if (!r.done) r.pos++;
  }
}

/** adjust_partial_year_to_2020 */
function adjustYear(y: number): number {
  if (y < 70) return y + 2000;
  if (y < 100) return y + 1900;
  if (y < 520) return y + 2000;
  if (y < 1000) return y + 1000;
  return y;
}

function fromChar(nodes: readonly FmtNode[], input: string): FromChar {
  const out: FromChar = {
    mode: 'none', hh: 0, pm: 0, mi: 0, ss: 0, ssss: 0, d: 0, dd: 0, ddd: 0, mm: 0, ms: 0, year: 0, bc: 0, ww: 0, w: 0, cc: 0, j: 0, us: 0,
    yysz: 0, clock12: false, tzsign: 0, tzh: 0, tzm: 0, ff: 0,
  };
  const r = new Reader(input);
  let fx = false;
  let extraSkip = 0;
  for (let i = 0; i < nodes.length && !r.done; i++) {
    const n = nodes[i]!;
    if (!fx && (n.key === null ? i === 0 : upperKey(n.key) !== 'FX')) {
      while (isSpace(r.ch)) {
        r.pos++;
        extraSkip++;
      }
    }
    if (n.key === null) {
      if (n.kind === 'space' || n.kind === 'sep') {
        if (!fx) {
          extraSkip--;
          if (isSpace(r.ch) || (r.ch !== undefined && isSeparator(r.ch))) {
            r.pos++;
            extraSkip++;
          }
        } else r.pos += r.s.codePointAt(r.pos)! > 0xffff ? 2 : 1;
      } else if (!fx) {
        if (extraSkip > 0) extraSkip--;
        else r.pos += r.s.codePointAt(r.pos)! > 0xffff ? 2 : 1;
      } else r.pos += r.s.codePointAt(r.pos)! > 0xffff ? 2 : 1;
      continue;
    }
    const key = upperKey(n.key);
    const mode = ISO_KEYS.has(key) ? 'iso' : GREGORIAN_KEYS.has(key) ? 'greg' : 'none';
    if (mode !== 'none') {
      if (out.mode === 'none') out.mode = mode;
      else if (out.mode !== mode) {
        throw dtFormat('invalid combination of date conventions', undefined, 'Do not mix Gregorian and ISO week date conventions in a formatting template.');
      }
    }
    switch (key) {
      case 'FX':
        fx = true;
        break;
      case 'A.M.':
      case 'P.M.':
        setInt(out, 'pm', seqSearch(r, AMPM_LONG, n.key) % 2, n.key);
        out.clock12 = true;
        break;
      case 'AM':
      case 'PM':
        setInt(out, 'pm', seqSearch(r, AMPM, n.key) % 2, n.key);
        out.clock12 = true;
        break;
      case 'HH':
      case 'HH12':
        parseInt(r, 2, nodes, i, out, 'hh');
        out.clock12 = true;
        skipTh(r, n.suffix);
        break;
      case 'HH24':
        parseInt(r, 2, nodes, i, out, 'hh');
        skipTh(r, n.suffix);
        break;
      case 'MI':
        parseInt(r, 2, nodes, i, out, 'mi');
        skipTh(r, n.suffix);
        break;
      case 'SS':
        parseInt(r, 2, nodes, i, out, 'ss');
        skipTh(r, n.suffix);
        break;
      case 'MS': {
        const len = parseInt(r, 3, nodes, i, out, 'ms');
        out.ms *= len === 1 ? 100 : len === 2 ? 10 : 1;
        skipTh(r, n.suffix);
        break;
      }
      case 'FF1': case 'FF2': case 'FF3': case 'FF4': case 'FF5': case 'FF6':
      case 'US': {
        if (key !== 'US') out.ff = Number(key[2]);
        const len = parseInt(r, key === 'US' ? 6 : out.ff, nodes, i, out, 'us');
        out.us *= len === 1 ? 100000 : len === 2 ? 10000 : len === 3 ? 1000 : len === 4 ? 100 : len === 5 ? 10 : 1;
        skipTh(r, n.suffix);
        break;
      }
      case 'SSSS':
      case 'SSSSS':
        parseInt(r, key.length, nodes, i, out, 'ssss');
        skipTh(r, n.suffix);
        break;
      case 'TZ':
      case 'OF':
        throw new SbError(SqlState.feature_not_supported, `formatting field "${n.key}" is only supported in to_char`);
      case 'TZH':
        // A minus swallowed as a separator before the field is its sign.
        if (r.ch === '+' || r.ch === '-' || r.ch === ' ') {
          out.tzsign = r.ch === '-' ? -1 : 1;
          r.pos++;
        } else out.tzsign = extraSkip > 0 && r.s[r.pos - 1] === '-' ? -1 : 1;
        parseInt(r, 2, nodes, i, out, 'tzh');
        break;
      case 'TZM':
        if (!out.tzsign) out.tzsign = 1;
        parseInt(r, 2, nodes, i, out, 'tzm');
        break;
      case 'A.D.':
      case 'B.C.':
        setInt(out, 'bc', seqSearch(r, ADBC_LONG, n.key) % 2, n.key);
        break;
      case 'AD':
      case 'BC':
        setInt(out, 'bc', seqSearch(r, ADBC, n.key) % 2, n.key);
        break;
      case 'MONTH':
        setInt(out, 'mm', seqSearch(r, MONTHS, n.key) + 1, n.key);
        break;
      case 'MON':
        setInt(out, 'mm', seqSearch(r, MONTHS_SHORT, n.key) + 1, n.key);
        break;
      case 'MM':
        parseInt(r, 2, nodes, i, out, 'mm');
        skipTh(r, n.suffix);
        break;
      case 'DAY':
        setInt(out, 'd', seqSearch(r, DAYS, n.key), n.key);
        out.d++;
        break;
      case 'DY':
        setInt(out, 'd', seqSearch(r, DAYS_SHORT, n.key), n.key);
        out.d++;
        break;
      case 'DDD':
        parseInt(r, 3, nodes, i, out, 'ddd');
        skipTh(r, n.suffix);
        break;
      case 'IDDD':
        parseInt(r, 3, nodes, i, out, 'ddd');
        skipTh(r, n.suffix);
        break;
      case 'DD':
        parseInt(r, 2, nodes, i, out, 'dd');
        skipTh(r, n.suffix);
        break;
      case 'D':
        parseInt(r, 1, nodes, i, out, 'd');
        skipTh(r, n.suffix);
        break;
      case 'ID':
        parseInt(r, 1, nodes, i, out, 'd');
        // ISO Monday=1..Sunday=7 shifted to Sunday=1.
        if (++out.d > 7) out.d = 1;
        skipTh(r, n.suffix);
        break;
      case 'WW':
      case 'IW':
        parseInt(r, 2, nodes, i, out, 'ww');
        skipTh(r, n.suffix);
        break;
      case 'Q':
        // Parsed and ignored (which day of the quarter would it be?).
        parseInt(r, 1, nodes, i, null, null);
        skipTh(r, n.suffix);
        break;
      case 'CC':
        parseInt(r, 2, nodes, i, out, 'cc');
        skipTh(r, n.suffix);
        break;
      case 'Y,YYY': {
        const m = /^\s*([+-]?\d+),(\d{1,3})/.exec(r.s.slice(r.pos));
        if (m === null) throw dtFormat('invalid input string for "Y,YYY"');
        const years = Number(m[1]) * 1000 + Number(m[2]);
        if (!(years >= -2147483648 && years <= 2147483647)) {
          throw new SbError(SqlState.datetime_field_overflow, 'value for "Y,YYY" in source string is out of range');
        }
        setInt(out, 'year', years, n.key);
        out.yysz = 4;
        r.pos += m[0].length;
        skipTh(r, n.suffix);
        break;
      }
      case 'YYYY':
      case 'IYYY':
        parseInt(r, 4, nodes, i, out, 'year');
        out.yysz = 4;
        skipTh(r, n.suffix);
        break;
      case 'YYY':
      case 'IYY':
      case 'YY':
      case 'IY':
      case 'Y':
      case 'I': {
        const width = key.length;
        const len = parseInt(r, width, nodes, i, out, 'year');
        if (len < 4) out.year = adjustYear(out.year);
        out.yysz = width;
        skipTh(r, n.suffix);
        break;
      }
      case 'RM':
        setInt(out, 'mm', 12 - seqSearch(r, RM_LOWER, n.key), n.key);
        break;
      case 'W':
        parseInt(r, 1, nodes, i, out, 'w');
        skipTh(r, n.suffix);
        break;
      case 'J':
        parseInt(r, 1, nodes, i, out, 'j');
        skipTh(r, n.suffix);
        break;
    }
    if (!fx) {
      extraSkip = 0;
      while (isSpace(r.ch)) {
        r.pos++;
        extraSkip++;
      }
    }
  }
  return out;
}

interface ParsedTm {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  usec: number;
  /** Offset east of UTC in seconds from TZH/TZM, if given. */
  offset?: number;
  fprec: number;
}

const YSUM = [
  [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365],
  [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366],
];

function fieldOverflow(input: string, kind: 'timestamp' | 'date'): SbError {
  void kind;
  return new SbError(SqlState.datetime_field_overflow, `date/time field value out of range: "${input}"`);
}

function isoweek2j(year: number, week: number): number {
  const day4 = date2j(year, 1, 4);
  const day0 = j2day(day4 - 1);
  return (week - 1) * 7 + (day4 - day0);
}

/** do_to_timestamp: the fields a template read, as a broken-down time. */
function doToTimestamp(input: string, fmt: string, kind: 'timestamp' | 'date'): ParsedTm {
  const f = fmt === '' ? undefined : fromChar(parseDchFormat(fmt), input);
  const tmfc = f ?? fromChar([], '');
  const tm: ParsedTm = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0, usec: 0, fprec: 0 };
  let fmaskYear = false;
  let fmaskMonth = false;
  let fmaskDay = false;
  if (tmfc.ssss) {
    let x = tmfc.ssss;
    tm.hour = Math.trunc(x / 3600);
    x %= 3600;
    tm.minute = Math.trunc(x / 60);
    tm.second = x % 60;
  }
  if (tmfc.ss) tm.second = tmfc.ss;
  if (tmfc.mi) tm.minute = tmfc.mi;
  if (tmfc.hh) tm.hour = tmfc.hh;
  if (tmfc.clock12) {
    if (tm.hour < 1 || tm.hour > 12) {
      throw new SbError(SqlState.invalid_datetime_format, `hour "${tm.hour}" is invalid for the 12-hour clock`, { hint: 'Use the 24-hour clock, or give an hour between 1 and 12.' });
    }
    if (tmfc.pm && tm.hour < 12) tm.hour += 12;
    else if (!tmfc.pm && tm.hour === 12) tm.hour = 0;
  }
  if (tmfc.year) {
    if (tmfc.cc && tmfc.yysz <= 2) {
      if (tmfc.bc) tmfc.cc = -tmfc.cc;
      tm.year = tmfc.year % 100;
      if (tm.year) {
        if (tmfc.cc >= 0) tm.year += (tmfc.cc - 1) * 100;
        else tm.year = (tmfc.cc + 1) * 100 - tm.year + 1;
      } else {
        tm.year = tmfc.cc * 100 + (tmfc.cc >= 0 ? 0 : 1);
      }
    } else {
      tm.year = tmfc.year;
      if (tmfc.bc) tm.year = -tm.year;
      if (tm.year < 0) tm.year++;
    }
    fmaskYear = true;
  } else if (tmfc.cc) {
    if (tmfc.bc) tmfc.cc = -tmfc.cc;
    tm.year = tmfc.cc >= 0 ? (tmfc.cc - 1) * 100 + 1 : tmfc.cc * 100 + 1;
    fmaskYear = true;
  }
  if (tmfc.j) {
    [tm.year, tm.month, tm.day] = j2date(tmfc.j);
    fmaskYear = fmaskMonth = fmaskDay = true;
  }
  if (tmfc.ww) {
    if (tmfc.mode === 'iso') {
      let jd = isoweek2j(tm.year, tmfc.ww);
      if (tmfc.d) jd += tmfc.d > 1 ? tmfc.d - 2 : 6;
      [tm.year, tm.month, tm.day] = j2date(jd);
      fmaskYear = fmaskMonth = fmaskDay = true;
    } else tmfc.ddd = (tmfc.ww - 1) * 7 + 1;
  }
  if (tmfc.w) tmfc.dd = (tmfc.w - 1) * 7 + 1;
  if (tmfc.dd) {
    tm.day = tmfc.dd;
    fmaskDay = true;
  }
  if (tmfc.mm) {
    tm.month = tmfc.mm;
    fmaskMonth = true;
  }
  if (tmfc.ddd && (tm.month <= 1 || tm.day <= 1)) {
    if (!tm.year && !tmfc.bc) {
      throw new SbError(SqlState.invalid_datetime_format, 'cannot calculate day of year without year information');
    }
    if (tmfc.mode === 'iso') {
      const j0 = isoweek2j(tm.year, 1) - 1;
      [tm.year, tm.month, tm.day] = j2date(j0 + tmfc.ddd);
      fmaskYear = fmaskMonth = fmaskDay = true;
    } else {
      const y = YSUM[isLeap(tm.year) ? 1 : 0]!;
      let i = 1;
      for (; i <= 12; i++) if (tmfc.ddd <= y[i]!) break;
      if (tm.month <= 1) tm.month = i;
      if (tm.day <= 1) tm.day = tmfc.ddd - y[i - 1]!;
      fmaskMonth = fmaskDay = true;
    }
  }
  let fsec = 0;
  if (tmfc.ms) fsec += tmfc.ms * 1000;
  if (tmfc.us) fsec += tmfc.us;
  tm.usec = fsec;
  tm.fprec = tmfc.ff;
  // ValidateDate
  if (fmaskYear || fmaskMonth || fmaskDay) {
    if (fmaskMonth && (tm.month < 1 || tm.month > 12)) throw fieldOverflow(input, kind);
    if (fmaskDay && (tm.day < 1 || tm.day > 31)) throw fieldOverflow(input, kind);
    if (fmaskYear && fmaskMonth && fmaskDay) {
      const dim = [31, isLeap(tm.year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][tm.month - 1]!;
      if (tm.day > dim) throw fieldOverflow(input, kind);
    }
  }
  if (tm.hour < 0 || tm.hour >= 24 || tm.minute < 0 || tm.minute >= 60 || tm.second < 0 || tm.second >= 60 || fsec < 0 || fsec >= 1_000_000) {
    throw fieldOverflow(input, kind);
  }
  if (tmfc.tzsign) {
    if (tmfc.tzh < 0 || tmfc.tzh > 15 || tmfc.tzm < 0 || tmfc.tzm >= 60) {
      throw new SbError('22009', `time zone displacement out of range: "${input}"`);
    }
    tm.offset = tmfc.tzsign * (tmfc.tzh * 3600 + tmfc.tzm * 60);
  }
  return tm;
}

/** IS_VALID_JULIAN: the dates the Julian-day routines handle (4714-11-24 BC onwards). */
function validJulian(y: number, m: number, d: number): boolean {
  return (y > -4713 || (y === -4713 && m >= 11)) && y < 5874898;
}

function tmLocal(tm: ParsedTm): number {
  if (!validJulian(tm.year, tm.month, tm.day)) throw new SbError(SqlState.datetime_field_overflow, 'timestamp out of range');
  return tmToTimestamp({ year: tm.year, month: tm.month, day: tm.day, hour: tm.hour, minute: tm.minute, second: tm.second, usec: tm.usec });
}

defFn('to_timestamp', [T.text, T.text], T.timestamptz, ([s, f], ctx) => {
  const input = s as string;
  const tm = doToTimestamp(input, f as string, 'timestamp');
  const local = tmLocal(tm);
  let ts = tm.offset !== undefined ? local - tm.offset * 1_000_000 : localToTimestamptz(local, sessionZone(ctx));
  if (tm.fprec) ts = roundMicros(ts, tm.fprec);
  return ts;
}, { volatility: 's' });

defFn('to_date', [T.text, T.text], T.date, ([s, f]) => {
  const input = s as string;
  const tm = doToTimestamp(input, f as string, 'date');
  if (!validJulian(tm.year, tm.month, tm.day)) throw new SbError(SqlState.datetime_field_overflow, `date out of range: "${input}"`);
  const days = date2j(tm.year, tm.month, tm.day) - 2451545;
  if (!(days >= -2451545 && days < 2147483494 - 2451545)) throw new SbError(SqlState.datetime_field_overflow, `date out of range: "${input}"`);
  void USECS_PER_DAY;
  return days;
}, { volatility: 's' });
