// Date/time input as PostgreSQL parses it (datetime.c): the string is split
// into typed fields (ParseDateTime), which are then interpreted in context
// (DecodeDateTime for date/timestamp, DecodeTimeOnly for time/timetz), with
// DateStyle's field order deciding ambiguous numeric dates. Errors carry
// PostgreSQL's SQLSTATEs and messages (DateTimeParseError).

import { SbError, SqlState } from '../sb_error.ts';
import type { TimeZone } from './timezone.ts';

// ---- field and token kinds ------------------------------------------------------

export const enum Ft { Number, String, Date, Time, Tz, Special }

// Token types (datetime.h); masks are 1 << type.
export const T_RESERV = 0, T_MONTH = 1, T_YEAR = 2, T_DAY = 3, T_TZ = 5, T_DTZ = 6, T_IGNORE = 8, T_AMPM = 9;
export const T_HOUR = 10, T_MINUTE = 11, T_SECOND = 12, T_MILLISECOND = 13, T_MICROSECOND = 14, T_DOY = 15, T_DOW = 16;
export const T_UNITS = 17, T_ADBC = 18, T_AGO = 19, T_ISOTIME = 23, T_WEEK = 24, T_DECADE = 25, T_CENTURY = 26;
export const T_MILLENNIUM = 27, T_DTZMOD = 28, T_UNKNOWN = 31;

const M = (t: number): number => 1 << t;
export const DATE_M = M(T_YEAR) | M(T_MONTH) | M(T_DAY);
export const TIME_M = M(T_HOUR) | M(T_MINUTE) | M(T_SECOND);

// Values of RESERV / UNITS tokens (DTK_*).
export const enum Dtk {
  Date = 2, Epoch = 11, Late = 10, Early = 9, Now = 12, Yesterday = 13, Today = 14, Tomorrow = 15, Zulu = 16,
  Delta = 17, Second = 18, Minute = 19, Hour = 20, Day = 21, Week = 22, Month = 23, Quarter = 24, Year = 25,
  Decade = 26, Century = 27, Millennium = 28, Millisec = 29, Microsec = 30, Julian = 31, Dow = 32, Doy = 33,
  TzHour = 34, TzMinute = 35, IsoYear = 36, IsoDow = 37, Tz = 4, Time = 3,
}

const AM = 0, PM = 1, AD = 0, BC = 1;

type Tok = [type: number, value: number];

/** datetktbl: keywords of date/time input (also day and month names). */
export const DATE_TOKENS = new Map<string, Tok>([
  ['-infinity', [T_RESERV, Dtk.Early]], ['ad', [T_ADBC, AD]], ['allballs', [T_RESERV, Dtk.Zulu]], ['am', [T_AMPM, AM]],
  ['apr', [T_MONTH, 4]], ['april', [T_MONTH, 4]], ['at', [T_IGNORE, 0]], ['aug', [T_MONTH, 8]], ['august', [T_MONTH, 8]],
  ['bc', [T_ADBC, BC]], ['d', [T_UNITS, Dtk.Day]], ['dec', [T_MONTH, 12]], ['december', [T_MONTH, 12]],
  ['dow', [T_UNITS, Dtk.Dow]], ['doy', [T_UNITS, Dtk.Doy]], ['dst', [T_DTZMOD, 3600]], ['epoch', [T_RESERV, Dtk.Epoch]],
  ['feb', [T_MONTH, 2]], ['february', [T_MONTH, 2]], ['fri', [T_DOW, 5]], ['friday', [T_DOW, 5]], ['h', [T_UNITS, Dtk.Hour]],
  ['infinity', [T_RESERV, Dtk.Late]], ['isodow', [T_UNITS, Dtk.IsoDow]], ['isoyear', [T_UNITS, Dtk.IsoYear]],
  ['j', [T_UNITS, Dtk.Julian]], ['jan', [T_MONTH, 1]], ['january', [T_MONTH, 1]], ['jd', [T_UNITS, Dtk.Julian]],
  ['jul', [T_MONTH, 7]], ['julian', [T_UNITS, Dtk.Julian]], ['july', [T_MONTH, 7]], ['jun', [T_MONTH, 6]], ['june', [T_MONTH, 6]],
  ['m', [T_UNITS, Dtk.Month]], ['mar', [T_MONTH, 3]], ['march', [T_MONTH, 3]], ['may', [T_MONTH, 5]], ['mm', [T_UNITS, Dtk.Minute]],
  ['mon', [T_DOW, 1]], ['monday', [T_DOW, 1]], ['nov', [T_MONTH, 11]], ['november', [T_MONTH, 11]], ['now', [T_RESERV, Dtk.Now]],
  ['oct', [T_MONTH, 10]], ['october', [T_MONTH, 10]], ['on', [T_IGNORE, 0]], ['pm', [T_AMPM, PM]], ['s', [T_UNITS, Dtk.Second]],
  ['sat', [T_DOW, 6]], ['saturday', [T_DOW, 6]], ['sep', [T_MONTH, 9]], ['sept', [T_MONTH, 9]], ['september', [T_MONTH, 9]],
  ['sun', [T_DOW, 0]], ['sunday', [T_DOW, 0]], ['t', [T_ISOTIME, Dtk.Time]], ['thu', [T_DOW, 4]], ['thur', [T_DOW, 4]],
  ['thurs', [T_DOW, 4]], ['thursday', [T_DOW, 4]], ['today', [T_RESERV, Dtk.Today]], ['tomorrow', [T_RESERV, Dtk.Tomorrow]],
  ['tue', [T_DOW, 2]], ['tues', [T_DOW, 2]], ['tuesday', [T_DOW, 2]], ['wed', [T_DOW, 3]], ['wednesday', [T_DOW, 3]],
  ['weds', [T_DOW, 3]], ['y', [T_UNITS, Dtk.Year]], ['yesterday', [T_RESERV, Dtk.Yesterday]],
]);

/** Tokens are compared on their first 10 characters (TOKMAXLEN), as strncmp does in PostgreSQL. */
export function lookupToken(table: Map<string, Tok>, key: string): Tok | undefined {
  return table.get(key.length > 10 ? key.slice(0, 10) : key);
}

// ---- errors ---------------------------------------------------------------------

export const enum DtErr { BadFormat = -1, FieldOverflow = -2, MdFieldOverflow = -3, IntervalOverflow = -4, TzdispOverflow = -5 }

export class DtError {
  constructor(readonly code: DtErr, readonly zone?: string) {}
}

/** DateTimeParseError: the SbError for a parse failure of `input` as `typeName`. */
export function dateTimeParseError(e: DtError, input: string, typeName: string): SbError {
  if (e.zone !== undefined) return new SbError(SqlState.invalid_parameter_value, `time zone "${e.zone}" not recognized`);
  switch (e.code) {
    case DtErr.FieldOverflow:
      return new SbError(SqlState.datetime_field_overflow, `date/time field value out of range: "${input}"`);
    case DtErr.MdFieldOverflow:
      return new SbError(SqlState.datetime_field_overflow, `date/time field value out of range: "${input}"`, {
        hint: 'Perhaps you need a different "datestyle" setting.',
      });
    case DtErr.IntervalOverflow:
      return new SbError('22015', `interval field value out of range: "${input}"`);
    case DtErr.TzdispOverflow:
      return new SbError('22009', `time zone displacement out of range: "${input}"`);
    default:
      return new SbError(SqlState.invalid_datetime_format, `invalid input syntax for type ${typeName}: "${input}"`);
  }
}

function fail(code: DtErr = DtErr.BadFormat): never {
  throw new DtError(code);
}

// ---- ParseDateTime ---------------------------------------------------------------

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isAlnum = (c: string | undefined): boolean => isDigit(c) || isAlpha(c);
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
const isPunct = (c: string | undefined): boolean => c !== undefined && c.charCodeAt(0) > 32 && c.charCodeAt(0) < 127 && !isAlnum(c);

export interface Field {
  text: string;
  type: Ft;
}

/** MAXDATEFIELDS */
const FIELDS_MAX = 25;

/** Splits input into typed fields; text is lower-cased. */
export function parseDateTimeFields(s: string): Field[] {
  const out: Field[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s[i];
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (out.length >= FIELDS_MAX) fail();
    let buf = '';
    let type: Ft;
    if (isDigit(c)) {
      while (isDigit(s[i])) buf += s[i++];
      if (s[i] === ':') {
        type = Ft.Time;
        buf += s[i++];
        while (isDigit(s[i]) || s[i] === ':' || s[i] === '.') buf += s[i++];
      } else if (s[i] === '-' || s[i] === '/' || s[i] === '.') {
        const delim = s[i]!;
        buf += s[i++];
        if (isDigit(s[i])) {
          type = delim === '.' ? Ft.Number : Ft.Date;
          while (isDigit(s[i])) buf += s[i++];
          if (s[i] === delim) {
            type = Ft.Date;
            buf += s[i++];
            while (isDigit(s[i]) || s[i] === delim) buf += s[i++];
          }
        } else {
          type = Ft.Date;
          while (isAlnum(s[i]) || s[i] === delim) buf += s[i++]!.toLowerCase();
        }
      } else type = Ft.Number;
    } else if (c === '.') {
      buf += s[i++];
      while (isDigit(s[i])) buf += s[i++];
      type = Ft.Number;
    } else if (isAlpha(c)) {
      type = Ft.String;
      while (isAlpha(s[i])) buf += s[i++]!.toLowerCase();
      let isDate = false;
      if (s[i] === '-' || s[i] === '/' || s[i] === '.') isDate = true;
      else if (s[i] === '+' || isDigit(s[i])) isDate = lookupToken(DATE_TOKENS, buf) === undefined;
      if (isDate) {
        type = Ft.Date;
        do buf += s[i++]!.toLowerCase();
        while (s[i] === '+' || s[i] === '-' || s[i] === '/' || s[i] === '_' || s[i] === '.' || s[i] === ':' || isAlnum(s[i]));
      }
    } else if (c === '+' || c === '-') {
      buf += s[i++];
      while (isSpace(s[i])) i++;
      if (isDigit(s[i])) {
        type = Ft.Tz;
        buf += s[i++];
        while (isDigit(s[i]) || s[i] === ':' || s[i] === '.' || s[i] === '-') buf += s[i++];
      } else if (isAlpha(s[i])) {
        type = Ft.Special;
        while (isAlpha(s[i])) buf += s[i++]!.toLowerCase();
      } else fail();
    } else if (isPunct(c)) {
      i++;
      continue;
    } else fail();
    out.push({ text: buf, type });
  }
  return out;
}

// ---- numeric helpers (strtol-like) ----------------------------------------------------

/** ParseFraction: "." followed by digits to end of string. */
export function parseFraction(s: string): number {
  if (s === '.') return 0;
  if (!/^\.\d*(?:[eE][+-]?\d+)?$/.test(s)) fail();
  const v = Number('0' + s);
  if (!Number.isFinite(v)) fail();
  return v;
}

// ---- the broken-down result ------------------------------------------------------------

export interface ParsedTm {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  usec: number;
  yday: number;
  /** Offset EAST of UTC in seconds when the input named a zone (or resolved through one). */
  tz?: number;
}

export interface DateTimeParseEnv {
  dateOrder: 'MDY' | 'DMY' | 'YMD';
  zone: TimeZone;
  /** Current transaction timestamp (µs since 2000-01-01 UTC) for 'now', 'today'... */
  now: () => number;
}
