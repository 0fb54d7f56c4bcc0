// interval input (interval_in): PostgreSQL's unit syntax ('1 year 2 mons
// -3 days 04:05:06', '@ 1 hour ago'), SQL-standard forms ('1-2', '3 4:05:06')
// and ISO 8601 durations ('P1Y2M3DT4H5M6S', 'P0001-02-03T04:05:06'), with
// the typmod's field range deciding what a bare number means.

import { SbError, SqlState } from '../sb_error.ts';
import {
  DATE_TOKENS, Dtk, DtErr, DtError, Ft, TIME_M, T_AGO, T_IGNORE, T_RESERV, T_UNITS, dateTimeParseError,
  lookupToken, parseDateTimeFields, parseFraction, type Field,
} from './datetime_parse.ts';
import type { IntervalStyle } from './datetime_format.ts';
import { Interval, rint } from './interval.ts';
import {
  INTERVAL_DAY, INTERVAL_FULL_RANGE, INTERVAL_HOUR, INTERVAL_MINUTE, INTERVAL_MONTH, INTERVAL_SECOND, INTERVAL_YEAR,
  intervalTypmodRange,
} from './type_names.ts';

type Tok = [number, number];

/** deltatktbl: interval unit names. */
const DELTA_TOKENS = new Map<string, Tok>([
  ['@', [T_IGNORE, 0]], ['ago', [T_AGO, 0]], ['c', [T_UNITS, Dtk.Century]], ['cent', [T_UNITS, Dtk.Century]],
  ['centuries', [T_UNITS, Dtk.Century]], ['century', [T_UNITS, Dtk.Century]], ['d', [T_UNITS, Dtk.Day]], ['day', [T_UNITS, Dtk.Day]],
  ['days', [T_UNITS, Dtk.Day]], ['dec', [T_UNITS, Dtk.Decade]], ['decade', [T_UNITS, Dtk.Decade]], ['decades', [T_UNITS, Dtk.Decade]],
  ['decs', [T_UNITS, Dtk.Decade]], ['h', [T_UNITS, Dtk.Hour]], ['hour', [T_UNITS, Dtk.Hour]], ['hours', [T_UNITS, Dtk.Hour]],
  ['hr', [T_UNITS, Dtk.Hour]], ['hrs', [T_UNITS, Dtk.Hour]], ['m', [T_UNITS, Dtk.Minute]], ['microsecon', [T_UNITS, Dtk.Microsec]],
  ['mil', [T_UNITS, Dtk.Millennium]], ['millennia', [T_UNITS, Dtk.Millennium]], ['millennium', [T_UNITS, Dtk.Millennium]],
  ['millisecon', [T_UNITS, Dtk.Millisec]], ['mils', [T_UNITS, Dtk.Millennium]], ['min', [T_UNITS, Dtk.Minute]],
  ['mins', [T_UNITS, Dtk.Minute]], ['minute', [T_UNITS, Dtk.Minute]], ['minutes', [T_UNITS, Dtk.Minute]], ['mon', [T_UNITS, Dtk.Month]],
  ['mons', [T_UNITS, Dtk.Month]], ['month', [T_UNITS, Dtk.Month]], ['months', [T_UNITS, Dtk.Month]], ['ms', [T_UNITS, Dtk.Millisec]],
  ['msec', [T_UNITS, Dtk.Millisec]], ['millisecond', [T_UNITS, Dtk.Millisec]], ['mseconds', [T_UNITS, Dtk.Millisec]],
  ['msecs', [T_UNITS, Dtk.Millisec]], ['qtr', [T_UNITS, Dtk.Quarter]], ['quarter', [T_UNITS, Dtk.Quarter]], ['s', [T_UNITS, Dtk.Second]],
  ['sec', [T_UNITS, Dtk.Second]], ['second', [T_UNITS, Dtk.Second]], ['seconds', [T_UNITS, Dtk.Second]], ['secs', [T_UNITS, Dtk.Second]],
  ['timezone', [T_UNITS, Dtk.Tz]], ['timezone_h', [T_UNITS, Dtk.TzHour]], ['timezone_m', [T_UNITS, Dtk.TzMinute]],
  ['us', [T_UNITS, Dtk.Microsec]], ['usec', [T_UNITS, Dtk.Microsec]], ['microsecond', [T_UNITS, Dtk.Microsec]],
  ['useconds', [T_UNITS, Dtk.Microsec]], ['usecs', [T_UNITS, Dtk.Microsec]], ['w', [T_UNITS, Dtk.Week]], ['week', [T_UNITS, Dtk.Week]],
  ['weeks', [T_UNITS, Dtk.Week]], ['y', [T_UNITS, Dtk.Year]], ['year', [T_UNITS, Dtk.Year]], ['years', [T_UNITS, Dtk.Year]],
  ['yr', [T_UNITS, Dtk.Year]], ['yrs', [T_UNITS, Dtk.Year]],
]);

/** A unit name as EXTRACT accepts it ('years', 'ms', 'doy', 'epoch'...): DecodeUnits, then DecodeSpecial. */
export function lookupUnit(lower: string): { type: number; value: Dtk } | undefined {
  const t = lookupToken(DELTA_TOKENS, lower) ?? lookupToken(DATE_TOKENS, lower);
  return t === undefined ? undefined : { type: t[0], value: t[1] as Dtk };
}

/** A unit name as date_trunc accepts it (DecodeUnits only). */
export function lookupDeltaUnit(lower: string): { type: number; value: Dtk } | undefined {
  const t = lookupToken(DELTA_TOKENS, lower);
  return t === undefined ? undefined : { type: t[0], value: t[1] as Dtk };
}

function fail(code: DtErr = DtErr.BadFormat): never {
  throw new DtError(code);
}

const INT64_MAX = 9223372036854775807;

/** Accumulated interval fields (pg_itm_in). */
class Itm {
  usec = 0;
  mday = 0;
  mon = 0;
  year = 0;

  addUsec(v: number): void {
    this.usec += v;
    if (!(Math.abs(this.usec) < INT64_MAX)) fail(DtErr.FieldOverflow);
  }
  fractUsec(frac: number, scale: number): void {
    if (frac === 0) return;
    frac *= scale;
    let usec = Math.trunc(frac);
    frac -= usec;
    if (frac > 0.5) usec++;
    else if (frac < -0.5) usec--;
    this.addUsec(usec);
  }
  fractDays(frac: number, scale: number): void {
    if (frac === 0) return;
    frac *= scale;
    const extra = Math.trunc(frac);
    this.addDays(extra, 1);
    this.fractUsec(frac - extra, 86_400_000_000);
  }
  fractYears(frac: number, scale: number): void {
    this.addMonths(rint(frac * scale * 12));
  }
  micros(val: number, fval: number, scale: number): void {
    this.addUsec(val * scale);
    this.fractUsec(fval, scale);
  }
  addDays(val: number, scale: number): void {
    this.mday += val * scale;
    if (this.mday > 2147483647 || this.mday < -2147483648) fail(DtErr.FieldOverflow);
  }
  addMonths(val: number): void {
    this.mon += val;
    if (this.mon > 2147483647 || this.mon < -2147483648) fail(DtErr.FieldOverflow);
  }
  addYears(val: number, scale: number): void {
    this.year += val * scale;
    if (this.year > 2147483647 || this.year < -2147483648) fail(DtErr.FieldOverflow);
  }
}

/** hh:mm[:ss[.fff]] (or mm:ss.fff, or mm:ss for MINUTE TO SECOND) as microseconds. */
function decodeTimeForInterval(str: string, range: number): number {
  const m = /^(\d+):(\d*)(?::(\d*))?(\.\d*)?$/.exec(str);
  if (m === null) fail();
  let hour = Number(m[1]);
  let min = m[2] === '' ? 0 : Number(m[2]);
  let sec = 0;
  let fsec = 0;
  if (m[3] === undefined) {
    if (m[4] !== undefined) {
      fsec = rint(parseFraction(m[4]) * 1e6);
      sec = min;
      min = hour;
      hour = 0;
    } else if (range === (INTERVAL_MINUTE | INTERVAL_SECOND)) {
      sec = min;
      min = hour;
      hour = 0;
    }
  } else {
    sec = m[3] === '' ? 0 : Number(m[3]);
    if (m[4] !== undefined) fsec = rint(parseFraction(m[4]) * 1e6);
  }
  if (min > 59 || sec > 60 || fsec > 1_000_000) fail(DtErr.FieldOverflow);
  return ((hour * 60 + min) * 60 + sec) * 1e6 + fsec;
}

function defaultUnit(range: number): Dtk {
  const Y = INTERVAL_YEAR, MO = INTERVAL_MONTH, D = INTERVAL_DAY, H = INTERVAL_HOUR, MI = INTERVAL_MINUTE;
  switch (range) {
    case Y:
      return Dtk.Year;
    case MO:
    case Y | MO:
      return Dtk.Month;
    case D:
      return Dtk.Day;
    case H:
    case D | H:
      return Dtk.Hour;
    case MI:
    case H | MI:
    case D | H | MI:
      return Dtk.Minute;
    default:
      return Dtk.Second;
  }
}

/** DecodeInterval */
function decodeInterval(fields: Field[], range: number, style: IntervalStyle): Itm {
  const itm = new Itm();
  let forceNegative = false;
  let isBefore = false;
  let parsingUnit = false;
  let fmask = 0;
  let type: number = -1;
  const nf = fields.length;
  if (style === 'sql_standard' && nf > 0 && fields[0]!.text[0] === '-') {
    forceNegative = !fields.slice(1).some((f) => f.text[0] === '-' || f.text[0] === '+');
  }
  for (let i = nf - 1; i >= 0; i--) {
    const f = fields[i]!;
    let tmask = 0;
    const timeField = (text: string, sign: number): void => {
      let us = decodeTimeForInterval(text, range) * sign;
      if (forceNegative && us > 0) us = -us;
      itm.addUsec(us);
      tmask = TIME_M;
      type = Dtk.Day;
      parsingUnit = false;
    };
    let handled = false;
    if (f.type === Ft.Time) {
      timeField(f.text, 1);
      handled = true;
    } else if (f.type === Ft.Tz && f.text.slice(1).includes(':')) {
      try {
        timeField(f.text.slice(1), f.text[0] === '-' ? -1 : 1);
        handled = true;
      } catch (e) {
        if (!(e instanceof DtError)) throw e;
      }
    }
    if (!handled && (f.type === Ft.Tz || f.type === Ft.Date || f.type === Ft.Number)) {
      if (type === -1) type = defaultUnit(range);
      const m = /^([+-]?\d*)(.*)$/.exec(f.text)!;
      if (m[1] === '' || m[1] === '+' || m[1] === '-') {
        if (!(m[2]!.startsWith('.') && (m[1] === '' || m[1] === '-' || m[1] === '+'))) fail();
      }
      let val = m[1] === '' || m[1] === '+' || m[1] === '-' ? 0 : Number(m[1]);
      if (!(Math.abs(val) < INT64_MAX)) fail(DtErr.FieldOverflow);
      let cp = m[2]!;
      let fval = 0;
      if (cp.startsWith('-')) {
        const ym = /^-(\d+)$/.exec(cp);
        if (ym === null) {
          if (/^-\d+/.test(cp)) fail();
          fail();
        }
        let val2 = Number(ym[1]);
        if (val2 >= 12) fail(DtErr.FieldOverflow);
        type = Dtk.Month;
        if (f.text[0] === '-') val2 = -val2;
        val = val * 12 + val2;
        cp = '';
      } else if (cp.startsWith('.')) {
        fval = parseFraction(cp);
        if (f.text[0] === '-') fval = -fval;
      } else if (cp !== '') fail();
      if (forceNegative) {
        if (val > 0) val = -val;
        if (fval > 0) fval = -fval;
      }
      switch (type) {
        case Dtk.Microsec:
          itm.micros(val, fval, 1);
          tmask = 1 << 14;
          break;
        case Dtk.Millisec:
          itm.micros(val, fval, 1000);
          tmask = 1 << 13;
          break;
        case Dtk.Second:
          itm.micros(val, fval, 1e6);
          tmask = fval === 0 ? 1 << 12 : (1 << 12) | (1 << 13) | (1 << 14);
          break;
        case Dtk.Minute:
          itm.micros(val, fval, 60e6);
          tmask = 1 << 11;
          break;
        case Dtk.Hour:
          itm.micros(val, fval, 3600e6);
          tmask = 1 << 10;
          type = Dtk.Day;
          break;
        case Dtk.Day:
          itm.addDays(val, 1);
          itm.fractUsec(fval, 86_400_000_000);
          tmask = 1 << 3;
          break;
        case Dtk.Week:
          itm.addDays(val, 7);
          itm.fractDays(fval, 7);
          tmask = 1 << 24;
          break;
        case Dtk.Month:
          itm.addMonths(val);
          itm.fractDays(fval, 30);
          tmask = 1 << 1;
          break;
        case Dtk.Year:
          itm.addYears(val, 1);
          itm.fractYears(fval, 1);
          tmask = 1 << 2;
          break;
        case Dtk.Decade:
          itm.addYears(val, 10);
          itm.fractYears(fval, 10);
          tmask = 1 << 25;
          break;
        case Dtk.Century:
          itm.addYears(val, 100);
          itm.fractYears(fval, 100);
          tmask = 1 << 26;
          break;
        case Dtk.Millennium:
          itm.addYears(val, 1000);
          itm.fractYears(fval, 1000);
          tmask = 1 << 27;
          break;
        default:
          fail();
      }
      parsingUnit = false;
    } else if (!handled && (f.type === Ft.String || f.type === Ft.Special)) {
      if (parsingUnit) fail();
      const tok = lookupToken(DELTA_TOKENS, f.text) ?? lookupToken(DATE_TOKENS, f.text);
      if (tok === undefined) fail();
      if (tok[0] === T_IGNORE) continue;
      switch (tok[0]) {
        case T_UNITS:
          type = tok[1];
          parsingUnit = true;
          break;
        case T_AGO:
          if (i !== nf - 1) fail();
          isBefore = true;
          type = tok[1];
          break;
        case T_RESERV:
        default:
          fail();
      }
    } else if (!handled) fail();
    if (tmask & fmask) fail();
    fmask |= tmask;
  }
  if (fmask === 0) fail();
  if (parsingUnit) fail();
  if (isBefore) {
    itm.usec = -itm.usec || 0;
    itm.mday = -itm.mday || 0;
    itm.mon = -itm.mon || 0;
    itm.year = -itm.year || 0;
  }
  return itm;
}

/** ParseISO8601Number: a strtod-style number split into integer and fraction. */
function isoNumber(s: string): { val: number; fval: number; rest: string; width: number } {
  if (!/^[\d.-]/.test(s)) fail();
  const m = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(s);
  if (m === null) fail();
  const v = Number(m[0]);
  if (Number.isNaN(v) || v < -1e15 || v > 1e15) fail(DtErr.FieldOverflow);
  const val = v >= 0 ? Math.floor(v) : -Math.floor(-v);
  const width = /^-?(\d*)/.exec(m[0])![1]!.length;
  return { val, fval: v - val, rest: s.slice(m[0].length), width };
}

/** DecodeISO8601Interval */
function decodeIso8601(str: string): Itm {
  const itm = new Itm();
  if (str.length < 2 || str[0] !== 'P') fail();
  let s = str.slice(1);
  let datepart = true;
  let havefield = false;
  while (s !== '') {
    if (s[0] === 'T') {
      datepart = false;
      havefield = false;
      s = s.slice(1);
      continue;
    }
    let { val, fval, rest, width } = isoNumber(s);
    const unit = rest[0] ?? '';
    s = rest.slice(1);
    if (datepart) {
      switch (unit) {
        case 'Y':
          itm.addYears(val, 1);
          itm.fractYears(fval, 1);
          break;
        case 'M':
          itm.addMonths(val);
          itm.fractDays(fval, 30);
          break;
        case 'W':
          itm.addDays(val, 7);
          itm.fractDays(fval, 7);
          break;
        case 'D':
          itm.addDays(val, 1);
          itm.fractUsec(fval, 86_400_000_000);
          break;
        case 'T':
        case '':
        case '-': {
          if ((unit === 'T' || unit === '') && width === 8 && !havefield) {
            itm.addYears(Math.trunc(val / 10000), 1);
            itm.addMonths(Math.trunc(val / 100) % 100);
            itm.addDays(val % 100, 1);
            itm.fractUsec(fval, 86_400_000_000);
            if (unit === '') return itm;
            datepart = false;
            havefield = false;
            continue;
          }
          if (havefield) fail();
          itm.addYears(val, 1);
          itm.fractYears(fval, 1);
          if (unit === '') return itm;
          if (unit === 'T') {
            datepart = false;
            havefield = false;
            continue;
          }
          ({ val, fval, rest } = isoNumber(s));
          itm.addMonths(val);
          itm.fractDays(fval, 30);
          s = rest;
          if (s === '') return itm;
          if (s[0] === 'T') {
            datepart = false;
            havefield = false;
            continue;
          }
          if (s[0] !== '-') fail();
          ({ val, fval, rest } = isoNumber(s.slice(1)));
          itm.addDays(val, 1);
          itm.fractUsec(fval, 86_400_000_000);
          s = rest;
          if (s === '') return itm;
          if (s[0] === 'T') {
            datepart = false;
            havefield = false;
            continue;
          }
          fail();
          break;
        }
        default:
          fail();
      }
    } else {
      switch (unit) {
        case 'H':
          itm.micros(val, fval, 3600e6);
          break;
        case 'M':
          itm.micros(val, fval, 60e6);
          break;
        case 'S':
          itm.micros(val, fval, 1e6);
          break;
        case '':
        case ':': {
          if (unit === '' && width === 6 && !havefield) {
            itm.micros(Math.trunc(val / 10000), 0, 3600e6);
            itm.micros(Math.trunc(val / 100) % 100, 0, 60e6);
            itm.micros(val % 100, 0, 1e6);
            itm.fractUsec(fval, 1);
            return itm;
          }
          if (havefield) fail();
          itm.micros(val, fval, 3600e6);
          if (unit === '') return itm;
          ({ val, fval, rest } = isoNumber(s));
          itm.micros(val, fval, 60e6);
          s = rest;
          if (s === '') return itm;
          if (s[0] !== ':') fail();
          ({ val, fval, rest } = isoNumber(s.slice(1)));
          itm.micros(val, fval, 1e6);
          if (rest === '') return itm;
          fail();
          break;
        }
        default:
          fail();
      }
    }
    havefield = true;
  }
  return itm;
}

/** interval_in: text to Interval, then coerced to the typmod's fields and precision. */
export function parseInterval(input: string, typmod = -1, style: IntervalStyle = 'postgres'): Interval {
  const range = typmod < 0 ? INTERVAL_FULL_RANGE : intervalTypmodRange(typmod);
  let itm: Itm;
  try {
    try {
      itm = decodeInterval(parseDateTimeFields(input), range, style);
    } catch (e) {
      if (!(e instanceof DtError) || e.code !== DtErr.BadFormat) throw e;
      itm = decodeIso8601(input);
    }
  } catch (e) {
    if (e instanceof DtError) {
      const code = e.code === DtErr.FieldOverflow ? DtErr.IntervalOverflow : e.code;
      throw dateTimeParseError(new DtError(code), input, 'interval');
    }
    throw e;
  }
  const months = itm.year * 12 + itm.mon;
  if (months > 2147483647 || months < -2147483648) throw new SbError(SqlState.datetime_field_overflow, 'interval out of range');
  return new Interval(months || 0, itm.mday || 0, itm.usec || 0).applyTypmod(typmod);
}

