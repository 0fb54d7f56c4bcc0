// PostgreSQL's date/time template patterns (formatting.c, "DCH"): the
// format string parser shared by to_char(timestamp|timestamptz|interval)
// and to_date/to_timestamp(text, text), and the to_char side. Keywords are
// matched longest first at each position; FM/TM prefixes and TH/th/SP
// suffixes modify them; "quoted text" and backslash-escaped quotes are
// literal; everything else is copied (or, when parsing, matched loosely).

import { SbError, SqlState } from '../sb_error.ts';
import type { Tm } from '../types/datetime.ts';

export const enum Sfx {
  FM = 1,
  TH = 2,
  th = 4,
  SP = 8,
  TM = 16,
}

export interface FmtNode {
  /** A keyword (upper-case canonical name with its case variant kept) or null for a literal character. */
  key: string | null;
  /** The literal (key === null). */
  ch: string;
  /** Literal kind: a separator (punctuation), a space, or another character (parsing treats them differently). */
  kind: 'sep' | 'space' | 'char' | 'action';
  suffix: number;
}

/** DCH keywords, any spelling that PostgreSQL accepts (upper, lower and the capitalised name forms). */
const DCH_KEYWORDS = [
  'A.D.', 'A.M.', 'AD', 'AM', 'B.C.', 'BC', 'CC', 'DAY', 'DDD', 'DD', 'DY', 'Day', 'Dy', 'D',
  'FF1', 'FF2', 'FF3', 'FF4', 'FF5', 'FF6', 'FX', 'HH24', 'HH12', 'HH', 'IDDD', 'ID', 'IW', 'IYYY', 'IYY', 'IY', 'I',
  'J', 'MI', 'MM', 'MONTH', 'MON', 'MS', 'Month', 'Mon', 'OF', 'P.M.', 'PM', 'Q', 'RM', 'SSSSS', 'SSSS', 'SS',
  'TZH', 'TZM', 'TZ', 'US', 'WW', 'W', 'Y,YYY', 'YYYY', 'YYY', 'YY', 'Y',
  'a.d.', 'a.m.', 'ad', 'am', 'b.c.', 'bc', 'cc', 'day', 'ddd', 'dd', 'dy', 'd', 'ff1', 'ff2', 'ff3', 'ff4', 'ff5', 'ff6',
  'fx', 'hh24', 'hh12', 'hh', 'iddd', 'id', 'iw', 'iyyy', 'iyy', 'iy', 'i', 'j', 'mi', 'mm', 'month', 'mon', 'ms', 'of',
  'p.m.', 'pm', 'q', 'rm', 'sssss', 'ssss', 'ss', 'tzh', 'tzm', 'tz', 'us', 'ww', 'w', 'y,yyy', 'yyyy', 'yyy', 'yy', 'y',
];

/** Keywords by first character, longest first (PostgreSQL's index_seq_search order). */
const BY_FIRST = new Map<string, string[]>();
for (const k of DCH_KEYWORDS) {
  const list = BY_FIRST.get(k[0]!) ?? [];
  list.push(k);
  BY_FIRST.set(k[0]!, list);
}
for (const list of BY_FIRST.values()) list.sort((a, b) => b.length - a.length);

const PREFIXES: Array<[string, Sfx]> = [['FM', Sfx.FM], ['fm', Sfx.FM], ['TM', Sfx.TM], ['tm', Sfx.TM]];
const POSTFIXES: Array<[string, Sfx]> = [['TH', Sfx.TH], ['th', Sfx.th], ['SP', Sfx.SP], ['sp', Sfx.SP]];

/** Punctuation a template treats as a separator (is_separator_char). */
export function isSeparator(c: string): boolean {
  return c.length === 1 && c > ' ' && c <= '~' && !/[A-Za-z0-9]/.test(c);
}

const PARSE_CACHE = new Map<string, FmtNode[]>();
const PARSE_CACHE_MAX = 256;

/** parse_format for the date/time flavour (cached: templates are usually constants). */
export function parseDchFormat(fmt: string): FmtNode[] {
  const hit = PARSE_CACHE.get(fmt);
  if (hit !== undefined) return hit;
  const nodes: FmtNode[] = [];
  const chars = Array.from(fmt);
  let i = 0;
  const at = (k: string): boolean => {
    for (let j = 0; j < k.length; j++) if (chars[i + j] !== k[j]) return false;
    return true;
  };
  while (i < chars.length) {
    let suffix = 0;
    for (const [p, f] of PREFIXES) {
      if (at(p)) {
        suffix |= f;
        i += p.length;
        break;
      }
    }
    if (i >= chars.length) break;
    const kw = BY_FIRST.get(chars[i]!)?.find(at);
    if (kw !== undefined) {
      i += kw.length;
      for (const [p, f] of POSTFIXES) {
        if (i < chars.length && at(p)) {
          suffix |= f;
          i += p.length;
          break;
        }
      }
      nodes.push({ key: kw, ch: '', kind: 'action', suffix });
      continue;
    }
    const c = chars[i]!;
    if (c === '"') {
      i++;
      while (i < chars.length) {
        if (chars[i] === '"') {
          i++;
          break;
        }
        if (chars[i] === '\\' && i + 1 < chars.length) i++;
        nodes.push({ key: null, ch: chars[i]!, kind: 'char', suffix: 0 });
        i++;
      }
      continue;
    }
    if (c === '\\' && chars[i + 1] === '"') i++;
    const ch = chars[i]!;
    nodes.push({ key: null, ch, kind: isSeparator(ch) ? 'sep' : /\s/.test(ch) ? 'space' : 'char', suffix: 0 });
    i++;
  }
  if (PARSE_CACHE.size >= PARSE_CACHE_MAX) PARSE_CACHE.clear();
  PARSE_CACHE.set(fmt, nodes);
  return nodes;
}

// ---- to_char ------------------------------------------------------------------------

export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export const ROMAN_MONTHS = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];

/** The ordinal suffix of a number's text (get_th). */
export function ordinalSuffix(num: string, upper: boolean): string {
  const digits = num.replace(/[^0-9]/g, '');
  const last = digits.charCodeAt(digits.length - 1) - 48;
  const tens = digits.length > 1 ? digits.charCodeAt(digits.length - 2) - 48 : 0;
  let s: string;
  if (tens === 1) s = 'th';
  else if (last === 1) s = 'st';
  else if (last === 2) s = 'nd';
  else if (last === 3) s = 'rd';
  else s = 'th';
  return upper ? s.toUpperCase() : s;
}

/** C's "%0*d": zero-padded to width (the sign counts towards it). */
function zpad(n: number, width: number): string {
  const neg = n < 0;
  let s = String(Math.abs(n));
  const w = neg ? width - 1 : width;
  if (s.length < w) s = '0'.repeat(w - s.length) + s;
  return neg ? '-' + s : s;
}

/** "%*s" with a negative width: left-justified, blank-padded. */
function rpadTo(s: string, width: number): string {
  return s.length >= width ? s : s + ' '.repeat(width - s.length);
}

/** What to_char formats: broken-down fields plus what the zone and interval cases add. */
export interface CharTm extends Tm {
  /** Day of the week (0 = Sunday); undefined for intervals. */
  wday?: number;
  /** Day of the year (1-based). */
  yday: number;
  /** Offset east of UTC in seconds (timestamptz), else 0. */
  gmtoff: number;
  /** Zone abbreviation (timestamptz) or undefined. */
  tzn?: string | undefined;
  isInterval: boolean;
}

function adjustYear(year: number, isInterval: boolean): number {
  return isInterval ? year : year <= 0 ? -(year - 1) : year;
}

/** DCH_to_char: the text of one template over broken-down fields. */
export function dchToChar(nodes: readonly FmtNode[], tm: CharTm): string {
  let out = '';
  for (const n of nodes) {
    if (n.key === null) {
      out += n.ch;
      continue;
    }
    const fm = (n.suffix & Sfx.FM) !== 0;
    // TM (translation mode) prints the localized names unpadded.
    const tmMode = (n.suffix & Sfx.TM) !== 0;
    const th = (n.suffix & (Sfx.TH | Sfx.th)) !== 0;
    const thUpper = (n.suffix & Sfx.TH) !== 0;
    let s: string;
    if (tm.isInterval && NOT_FOR_INTERVAL.has(n.key)) throw invalidForInterval();
    switch (n.key) {
      case 'A.M.': case 'P.M.':
        s = tm.hour % 24 >= 12 ? 'P.M.' : 'A.M.';
        break;
      case 'AM': case 'PM':
        s = tm.hour % 24 >= 12 ? 'PM' : 'AM';
        break;
      case 'a.m.': case 'p.m.':
        s = tm.hour % 24 >= 12 ? 'p.m.' : 'a.m.';
        break;
      case 'am': case 'pm':
        s = tm.hour % 24 >= 12 ? 'pm' : 'am';
        break;
      case 'HH': case 'HH12': case 'hh': case 'hh12': {
        const h = tm.hour % 12 === 0 ? 12 : tm.hour % 12;
        s = zpad(h, fm ? 0 : h >= 0 ? 2 : 3);
        break;
      }
      case 'HH24': case 'hh24':
        s = zpad(tm.hour, fm ? 0 : tm.hour >= 0 ? 2 : 3);
        break;
      case 'MI': case 'mi':
        s = zpad(tm.minute, fm ? 0 : tm.minute >= 0 ? 2 : 3);
        break;
      case 'SS': case 'ss':
        s = zpad(tm.second, fm ? 0 : tm.second >= 0 ? 2 : 3);
        break;
      case 'FF1': case 'FF2': case 'FF3': case 'FF4': case 'FF5': case 'FF6':
      case 'ff1': case 'ff2': case 'ff3': case 'ff4': case 'ff5': case 'ff6': {
        const digits = Number(n.key[2]);
        s = zpad(Math.trunc(tm.usec / 10 ** (6 - digits)), digits);
        break;
      }
      case 'MS': case 'ms':
        s = zpad(Math.trunc(tm.usec / 1000), 3);
        break;
      case 'US': case 'us':
        s = zpad(tm.usec, 6);
        break;
      case 'SSSS': case 'SSSSS': case 'ssss': case 'sssss':
        s = String(tm.hour * 3600 + tm.minute * 60 + tm.second);
        break;
      case 'tz':
      case 'TZ':
        if (tm.isInterval) throw invalidForInterval();
        s = tm.tzn === undefined ? '' : n.key === 'tz' ? tm.tzn.toLowerCase() : tm.tzn;
        break;
      case 'TZH': case 'tzh':
        if (tm.isInterval) throw invalidForInterval();
        s = (tm.gmtoff >= 0 ? '+' : '-') + zpad(Math.trunc(Math.abs(tm.gmtoff) / 3600), 2);
        break;
      case 'TZM': case 'tzm':
        if (tm.isInterval) throw invalidForInterval();
        s = zpad(Math.trunc((Math.abs(tm.gmtoff) % 3600) / 60), 2);
        break;
      case 'OF': case 'of': {
        if (tm.isInterval) throw invalidForInterval();
        s = (tm.gmtoff >= 0 ? '+' : '-') + zpad(Math.trunc(Math.abs(tm.gmtoff) / 3600), fm ? 0 : 2);
        const m = Math.trunc((Math.abs(tm.gmtoff) % 3600) / 60);
        if (m !== 0) s += ':' + zpad(m, 2);
        break;
      }
      case 'A.D.': case 'B.C.':
        s = tm.year <= 0 && !tm.isInterval ? 'B.C.' : 'A.D.';
        break;
      case 'AD': case 'BC':
        s = tm.year <= 0 && !tm.isInterval ? 'BC' : 'AD';
        break;
      case 'a.d.': case 'b.c.':
        s = tm.year <= 0 && !tm.isInterval ? 'b.c.' : 'a.d.';
        break;
      case 'ad': case 'bc':
        s = tm.year <= 0 && !tm.isInterval ? 'bc' : 'ad';
        break;
      case 'MONTH': case 'Month': case 'month': {
        if (tm.month === 0) continue;
        const name = MONTHS[tm.month - 1]!;
        const cased = n.key === 'MONTH' ? name.toUpperCase() : n.key === 'month' ? name.toLowerCase() : name;
        s = fm || tmMode ? cased : rpadTo(cased, 9);
        break;
      }
      case 'MON': case 'Mon': case 'mon': {
        if (tm.month === 0) continue;
        const name = MONTHS[tm.month - 1]!.slice(0, 3);
        s = n.key === 'MON' ? name.toUpperCase() : n.key === 'mon' ? name.toLowerCase() : name;
        break;
      }
      case 'MM': case 'mm':
        s = zpad(tm.month, fm ? 0 : tm.month >= 0 ? 2 : 3);
        break;
      case 'DAY': case 'Day': case 'day': {
        const name = DAYS[tm.wday ?? 0]!;
        const cased = n.key === 'DAY' ? name.toUpperCase() : n.key === 'day' ? name.toLowerCase() : name;
        s = fm || tmMode ? cased : rpadTo(cased, 9);
        break;
      }
      case 'DY': case 'Dy': case 'dy': {
        const name = DAYS[tm.wday ?? 0]!.slice(0, 3);
        s = n.key === 'DY' ? name.toUpperCase() : n.key === 'dy' ? name.toLowerCase() : name;
        break;
      }
      case 'DDD': case 'ddd':
        s = zpad(tm.yday, fm ? 0 : 3);
        break;
      case 'IDDD': case 'iddd': {
        const isoDay = date2j(tm.year, tm.month, tm.day) - isoYearStartJ(tm) + 1;
        s = zpad(isoDay, fm ? 0 : 3);
        break;
      }
      case 'DD': case 'dd':
        s = zpad(tm.day, fm ? 0 : 2);
        break;
      case 'D': case 'd':
        s = String((tm.wday ?? 0) + 1);
        break;
      case 'ID': case 'id':
        s = String((tm.wday ?? 0) === 0 ? 7 : tm.wday!);
        break;
      case 'WW': case 'ww':
        s = zpad(Math.trunc((tm.yday - 1) / 7) + 1, fm ? 0 : 2);
        break;
      case 'IW': case 'iw':
        s = zpad(date2isoweek(tm.year, tm.month, tm.day), fm ? 0 : 2);
        break;
      case 'Q': case 'q':
        if (tm.month === 0) continue;
        s = String(Math.trunc((tm.month - 1) / 3) + 1);
        break;
      case 'CC': case 'cc': {
        let c: number;
        if (tm.isInterval) c = Math.trunc(tm.year / 100);
        else if (tm.year > 0) c = Math.trunc((tm.year - 1) / 100) + 1;
        else c = Math.trunc(tm.year / 100) - 1;
        s = c <= 99 && c >= -99 ? zpad(c, fm ? 0 : c >= 0 ? 2 : 3) : String(c);
        break;
      }
      case 'Y,YYY': case 'y,yyy': {
        const y = adjustYear(tm.year, tm.isInterval);
        const k = Math.trunc(y / 1000);
        s = `${k},${zpad(y - k * 1000, 3)}`;
        break;
      }
      case 'YYYY': case 'yyyy': case 'IYYY': case 'iyyy': {
        const raw = n.key.toUpperCase() === 'IYYY' ? date2isoyear(tm.year, tm.month, tm.day) : tm.year;
        // The width follows the calendar year even for the ISO year (as PostgreSQL does).
        const wide = adjustYear(tm.year, tm.isInterval) >= 0;
        s = zpad(adjustYear(raw, tm.isInterval), fm ? 0 : wide ? 4 : 5);
        break;
      }
      case 'YYY': case 'yyy': case 'IYY': case 'iyy': {
        const raw = n.key.toUpperCase() === 'IYY' ? date2isoyear(tm.year, tm.month, tm.day) : tm.year;
        const wide = adjustYear(tm.year, tm.isInterval) >= 0;
        s = zpad(adjustYear(raw, tm.isInterval) % 1000, fm ? 0 : wide ? 3 : 4);
        break;
      }
      case 'YY': case 'yy': case 'IY': case 'iy': {
        const raw = n.key.toUpperCase() === 'IY' ? date2isoyear(tm.year, tm.month, tm.day) : tm.year;
        const wide = adjustYear(tm.year, tm.isInterval) >= 0;
        s = zpad(adjustYear(raw, tm.isInterval) % 100, fm ? 0 : wide ? 2 : 3);
        break;
      }
      case 'Y': case 'y': case 'I': case 'i': {
        const raw = n.key.toUpperCase() === 'I' ? date2isoyear(tm.year, tm.month, tm.day) : tm.year;
        s = String(adjustYear(raw, tm.isInterval) % 10);
        break;
      }
      case 'RM': case 'rm': {
        if (tm.month === 0 && tm.year === 0) continue;
        // Intervals: whole years print as I (XII when negative), negative months count back from December.
        const idx = tm.month === 0 ? (tm.year >= 0 ? 0 : 11) : tm.month < 0 ? 12 + tm.month : tm.month - 1;
        const r = ROMAN_MONTHS[idx]!;
        const cased = n.key === 'rm' ? r.toLowerCase() : r;
        s = fm ? cased : rpadTo(cased, 4);
        break;
      }
      case 'W': case 'w':
        s = String(Math.trunc((tm.day - 1) / 7) + 1);
        break;
      case 'J': case 'j':
        s = String(date2j(tm.year, tm.month, tm.day));
        break;
      case 'FX': case 'fx':
        continue;
      default:
        s = '';
    }
    if (th && TH_KEYS.has(n.key.toUpperCase()) && /[0-9]$/.test(s)) s += ordinalSuffix(s, thUpper);
    out += s;
  }
  return out;
}

/** Numeric keywords that take a TH/th ordinal suffix (upper-case spellings). */
const TH_KEYS = new Set([
  'HH', 'HH12', 'HH24', 'MI', 'SS', 'MS', 'US', 'FF1', 'FF2', 'FF3', 'FF4', 'FF5', 'FF6', 'SSSS', 'SSSSS', 'MM', 'DDD', 'IDDD', 'DD', 'D',
  'ID', 'WW', 'IW', 'Q', 'CC', 'Y,YYY', 'YYYY', 'YYY', 'YY', 'Y', 'IYYY', 'IYY', 'IY', 'I', 'W', 'J',
]);

/** Keywords that make no sense for an interval (PostgreSQL's INVALID_FOR_INTERVAL). */
const NOT_FOR_INTERVAL = new Set([
  'tz', 'TZ', 'TZH', 'tzh', 'TZM', 'tzm', 'OF', 'of', 'A.D.', 'B.C.', 'AD', 'BC', 'a.d.', 'b.c.', 'ad', 'bc',
  'MONTH', 'Month', 'month', 'MON', 'Mon', 'mon', 'DAY', 'Day', 'day', 'DY', 'Dy', 'dy', 'D', 'd', 'ID', 'id',
]);

function invalidForInterval(): SbError {
  return new SbError(SqlState.invalid_datetime_format, 'invalid format specification for an interval value', {
    hint: 'Intervals are not tied to specific calendar dates.',
  });
}

function isoYearStartJ(tm: Tm): number {
  // isoweek2j(isoyear, 1): the Monday of ISO week 1 of the date's ISO year.
  const day4 = date2j(date2isoyear(tm.year, tm.month, tm.day), 1, 4);
  return day4 - j2day(day4 - 1);
}

// Calendar arithmetic with C's truncating division, as PostgreSQL computes it:
// to_char(interval) feeds these month and day fields outside their calendar
// ranges, and the results must match there too.

const cdiv = (a: number, b: number): number => Math.trunc(a / b);

export function date2j(year: number, month: number, day: number): number {
  let y = year;
  let m = month;
  if (m > 2) {
    m += 1;
    y += 4800;
  } else {
    m += 13;
    y += 4799;
  }
  const century = cdiv(y, 100);
  let julian = y * 365 - 32167;
  julian += cdiv(y, 4) - century + cdiv(century, 4);
  julian += cdiv(7834 * m, 256) + day;
  return julian;
}

export function j2day(date: number): number {
  let d = (date + 1) % 7;
  if (d < 0) d += 7;
  return d;
}

function date2isoweek(year: number, mon: number, mday: number): number {
  const dayn = date2j(year, mon, mday);
  let day4 = date2j(year, 1, 4);
  let day0 = j2day(day4 - 1);
  if (dayn < day4 - day0) {
    day4 = date2j(year - 1, 1, 4);
    day0 = j2day(day4 - 1);
  }
  let result = cdiv(dayn - (day4 - day0), 7) + 1;
  if (result >= 52) {
    day4 = date2j(year + 1, 1, 4);
    day0 = j2day(day4 - 1);
    if (dayn >= day4 - day0) result = cdiv(dayn - (day4 - day0), 7) + 1;
  }
  return result;
}

function date2isoyear(year0: number, mon: number, mday: number): number {
  let year = year0;
  const dayn = date2j(year, mon, mday);
  let day4 = date2j(year, 1, 4);
  let day0 = j2day(day4 - 1);
  if (dayn < day4 - day0) {
    day4 = date2j(year - 1, 1, 4);
    day0 = j2day(day4 - 1);
    year--;
  }
  const result = cdiv(dayn - (day4 - day0), 7) + 1;
  if (result >= 52) {
    day4 = date2j(year + 1, 1, 4);
    day0 = j2day(day4 - 1);
    if (dayn >= day4 - day0) year++;
  }
  return year;
}
