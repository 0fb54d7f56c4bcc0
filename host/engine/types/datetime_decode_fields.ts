// The field decoders behind DecodeDateTime / DecodeTimeOnly (datetime.c):
// DecodeDate, DecodeNumber, DecodeNumberField, DecodeTime, DecodeTimezone,
// ValidateDate, and DetermineTimeZoneOffset for a local date and time.

import { date2j, daysInMonth, j2date, UNIX_EPOCH_JDATE, SECS_PER_DAY, POSTGRES_EPOCH_JDATE } from './calendar.ts';
import {
  DATE_M, DATE_TOKENS, DtErr, DtError, Ft, TIME_M, T_DAY, T_DOY, T_IGNORE, T_MONTH, T_TZ, T_YEAR, lookupToken, parseFraction,
  type DateTimeParseEnv, type ParsedTm,
} from './datetime_parse.ts';
import { rint } from './interval.ts';
import { localToUtc, resolveTimeZone, type TimeZone } from './timezone.ts';

export const M = (t: number): number => 1 << t;
const MAX_TZDISP_HOUR = 15;
const USECS_PER_DAY = 86_400_000_000;

export function fail(code: DtErr = DtErr.BadFormat): never {
  throw new DtError(code);
}

export function badZone(name: string): never {
  throw new DtError(DtErr.BadFormat, name);
}

/** strtol: optional whitespace and sign, digits; [0, s] when there are no digits. */
export function strtol(s: string, int32 = true): [number, string, boolean] {
  const m = /^[\t\n\v\f\r ]*([+-]?\d+)/.exec(s);
  if (m === null) return [0, s, false];
  const v = Number(m[1]);
  if (int32 && (v > 2147483647 || v < -2147483648)) fail(DtErr.FieldOverflow);
  return [v, s.slice(m[0].length), true];
}

export function newTm(): ParsedTm {
  return { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, usec: 0, yday: 0 };
}

export interface State {
  is2digits: boolean;
}

export function timeOverflows(h: number, m: number, s: number, fsec: number): boolean {
  if (h < 0 || h > 24 || m < 0 || m >= 60 || s < 0 || s > 60 || fsec < 0 || fsec > 1_000_000) return true;
  return ((h * 60 + m) * 60 + s) * 1_000_000 + fsec > USECS_PER_DAY;
}

/** DecodeTimezone: "+hh", "-hh:mm", "+hhmm", "-hh:mm:ss" -> seconds EAST of UTC. */
export function decodeTimezone(str: string): number {
  if (str[0] !== '+' && str[0] !== '-') fail();
  let [hr, cp] = strtol(str.slice(1));
  let min = 0;
  let sec = 0;
  if (cp[0] === ':') {
    [min, cp] = strtol(cp.slice(1));
    if (cp[0] === ':') [sec, cp] = strtol(cp.slice(1));
  } else if (cp === '' && str.length > 3) {
    min = hr % 100;
    hr = Math.trunc(hr / 100);
  }
  if (hr < 0 || hr > MAX_TZDISP_HOUR || min < 0 || min >= 60 || sec < 0 || sec >= 60) fail(DtErr.TzdispOverflow);
  let tz = (hr * 60 + min) * 60 + sec;
  if (str[0] === '-') tz = -tz;
  if (cp !== '') fail();
  return tz;
}

/** DecodeTime: "hh:mm[:ss[.fff]]" or "mm:ss.fff". */
export function decodeTime(str: string, tm: ParsedTm): number {
  const [hour, cp0, ok] = strtol(str, false);
  if (!ok || cp0[0] !== ':') fail();
  let [min, cp] = strtol(cp0.slice(1));
  let h = hour;
  let sec = 0;
  let fsec = 0;
  if (cp === '') {
    sec = 0;
  } else if (cp[0] === '.') {
    fsec = rint(parseFraction(cp) * 1e6);
    sec = min;
    min = h;
    h = 0;
  } else if (cp[0] === ':') {
    [sec, cp] = strtol(cp.slice(1));
    if (cp[0] === '.') fsec = rint(parseFraction(cp) * 1e6);
    else if (cp !== '') fail();
  } else fail();
  if (h < 0 || min < 0 || min > 59 || sec < 0 || sec > 60 || fsec < 0 || fsec > 1_000_000) fail(DtErr.FieldOverflow);
  if (h > 2147483647) fail(DtErr.FieldOverflow);
  tm.hour = h;
  tm.minute = min;
  tm.second = sec;
  tm.usec = fsec;
  return TIME_M;
}

/** DecodeNumberField: run-together dates (yyyymmdd, yymmdd) and times (hhmmss, hhmm[.fff]). */
export function decodeNumberField(str: string, fmask: number, tm: ParsedTm, st: State): { tmask: number; kind: Ft } {
  const dot = str.indexOf('.');
  if (dot >= 0) {
    const fracText = /^\.\d*(?:[eE][+-]?\d+)?/.exec(str.slice(dot))![0];
    tm.usec = fracText === '.' ? 0 : rint(Number('0' + fracText) * 1e6);
    str = str.slice(0, dot);
  } else if ((fmask & DATE_M) !== DATE_M) {
    if (str.length >= 6) {
      const len = str.length;
      tm.day = parseInt(str.slice(len - 2), 10);
      tm.month = parseInt(str.slice(len - 4, len - 2), 10);
      tm.year = parseInt(str.slice(0, len - 4), 10);
      if (len - 4 === 2) st.is2digits = true;
      return { tmask: DATE_M, kind: Ft.Date };
    }
  }
  if ((fmask & TIME_M) !== TIME_M) {
    if (str.length === 6) {
      tm.second = parseInt(str.slice(4), 10);
      tm.minute = parseInt(str.slice(2, 4), 10);
      tm.hour = parseInt(str.slice(0, 2), 10);
      return { tmask: TIME_M, kind: Ft.Time };
    }
    if (str.length === 4) {
      tm.second = 0;
      tm.minute = parseInt(str.slice(2), 10);
      tm.hour = parseInt(str.slice(0, 2), 10);
      return { tmask: TIME_M, kind: Ft.Time };
    }
  }
  fail();
}

/** DecodeNumber: a plain number in the context of the fields seen so far. */
export function decodeNumber(
  flen: number, str: string, haveTextMonth: boolean, fmask: number, tm: ParsedTm, st: State, env: DateTimeParseEnv,
): number {
  const [val, cp, ok] = strtol(str);
  if (!ok) fail();
  if (cp[0] === '.') {
    if (str.length - cp.length > 2) return decodeNumberField(str, fmask | DATE_M, tm, st).tmask;
    tm.usec = rint(parseFraction(cp) * 1e6);
  } else if (cp !== '') fail();
  if (flen === 3 && (fmask & DATE_M) === M(T_YEAR) && val >= 1 && val <= 366) {
    tm.yday = val;
    return M(T_DOY) | M(T_MONTH) | M(T_DAY);
  }
  let tmask: number;
  switch (fmask & DATE_M) {
    case 0:
      if (flen >= 3 || env.dateOrder === 'YMD') {
        tmask = M(T_YEAR);
        tm.year = val;
      } else if (env.dateOrder === 'DMY') {
        tmask = M(T_DAY);
        tm.day = val;
      } else {
        tmask = M(T_MONTH);
        tm.month = val;
      }
      break;
    case M(T_YEAR):
      tmask = M(T_MONTH);
      tm.month = val;
      break;
    case M(T_MONTH):
      if (haveTextMonth && (flen >= 3 || env.dateOrder === 'YMD')) {
        tmask = M(T_YEAR);
        tm.year = val;
      } else {
        tmask = M(T_DAY);
        tm.day = val;
      }
      break;
    case M(T_YEAR) | M(T_MONTH):
      if (haveTextMonth && flen >= 3 && st.is2digits) {
        tmask = M(T_DAY);
        tm.day = tm.year;
        tm.year = val;
        st.is2digits = false;
      } else {
        tmask = M(T_DAY);
        tm.day = val;
      }
      break;
    case M(T_DAY):
      tmask = M(T_MONTH);
      tm.month = val;
      break;
    case M(T_MONTH) | M(T_DAY):
      tmask = M(T_YEAR);
      tm.year = val;
      break;
    case DATE_M:
      return decodeNumberField(str, fmask, tm, st).tmask;
    default:
      fail();
  }
  if (tmask === M(T_YEAR)) st.is2digits = flen <= 2;
  return tmask;
}

/** DecodeDate: a date with delimiters, possibly with a textual month. */
export function decodeDate(str: string, fmask: number, tm: ParsedTm, st: State, env: DateTimeParseEnv): number {
  const fields: (string | null)[] = [];
  let i = 0;
  while (i < str.length && fields.length < 25) {
    while (i < str.length && !/[0-9a-zA-Z]/.test(str[i]!)) i++;
    if (i >= str.length) fail();
    const m = /^(\d+|[a-zA-Z]+)/.exec(str.slice(i));
    const f = m === null ? '' : m[1]!;
    fields.push(f);
    i += f.length;
    if (i < str.length) i++; // the separator (or any other non-alnum) is consumed
  }
  let tmask = 0;
  let haveTextMonth = false;
  for (let k = 0; k < fields.length; k++) {
    const f = fields[k]!;
    if (/^[a-z]/i.test(f)) {
      const tok = lookupToken(DATE_TOKENS, f.toLowerCase());
      if (tok !== undefined && tok[0] === T_IGNORE) continue;
      if (tok === undefined || tok[0] !== T_MONTH) fail();
      const dmask = M(T_MONTH);
      tm.month = tok[1];
      haveTextMonth = true;
      if (fmask & dmask) fail();
      fmask |= dmask;
      tmask |= dmask;
      fields[k] = null;
    }
  }
  for (const f of fields) {
    if (f === null) continue;
    if (f.length === 0) fail();
    const dmask = decodeNumber(f.length, f, haveTextMonth, fmask, tm, st, env);
    if (fmask & dmask) fail();
    fmask |= dmask;
    tmask |= dmask;
  }
  if ((fmask & ~(M(T_DOY) | M(T_TZ))) !== DATE_M) fail();
  return tmask;
}

/** ValidateDate: year fix-ups (BC, 2-digit years), day-of-year, month/day ranges. */
export function validateDate(fmask: number, isjulian: boolean, bc: boolean, tm: ParsedTm, st: State): void {
  if (fmask & M(T_YEAR)) {
    if (isjulian) {
      // year is already right
    } else if (bc) {
      if (tm.year <= 0) fail(DtErr.FieldOverflow);
      tm.year = -(tm.year - 1);
    } else if (st.is2digits) {
      if (tm.year < 0) fail(DtErr.FieldOverflow);
      if (tm.year < 70) tm.year += 2000;
      else if (tm.year < 100) tm.year += 1900;
    } else if (tm.year <= 0) fail(DtErr.FieldOverflow);
  }
  if (fmask & M(T_DOY)) {
    [tm.year, tm.month, tm.day] = j2date(date2j(tm.year, 1, 1) + tm.yday - 1);
  }
  if (fmask & M(T_MONTH)) {
    if (tm.month < 1 || tm.month > 12) fail(DtErr.MdFieldOverflow);
  }
  if (fmask & M(T_DAY)) {
    if (tm.day < 1 || tm.day > 31) fail(DtErr.MdFieldOverflow);
  }
  if ((fmask & DATE_M) === DATE_M) {
    if (tm.day > daysInMonth(tm.year, tm.month)) fail(DtErr.FieldOverflow);
  }
}

/** IS_VALID_JULIAN */
export function isValidJulian(y: number, m: number): boolean {
  return (y > -4713 || (y === -4713 && m >= 11)) && (y < 5874898 || (y === 5874898 && m < 6));
}

/** DetermineTimeZoneOffset: the zone's offset (seconds east) for a local date and time. */
export function determineOffset(tm: ParsedTm, zone: TimeZone): number {
  if (zone.fixedOffset !== undefined) return zone.fixedOffset;
  if (!isValidJulian(tm.year, tm.month)) return 0;
  const days = date2j(tm.year, tm.month, tm.day) - UNIX_EPOCH_JDATE;
  const secs = days * SECS_PER_DAY + tm.hour * 3600 + tm.minute * 60 + tm.second;
  return localToUtc(zone, secs).offset;
}

/** The current local time in the session zone (GetCurrentTimeUsec). */
export function currentLocal(env: DateTimeParseEnv): { tm: ParsedTm; offset: number } {
  const now = env.now();
  const offset = env.zone.fixedOffset ?? env.zone.offsetAt(Math.floor(now / 1e6) + (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY);
  const local = now + offset * 1e6;
  let days = Math.floor(local / USECS_PER_DAY);
  let time = local - days * USECS_PER_DAY;
  if (time < 0) {
    days--;
    time += USECS_PER_DAY;
  }
  const tm = newTm();
  [tm.year, tm.month, tm.day] = j2date(days + POSTGRES_EPOCH_JDATE);
  tm.hour = Math.floor(time / 3_600_000_000);
  tm.minute = Math.floor((time % 3_600_000_000) / 60_000_000);
  tm.second = Math.floor((time % 60_000_000) / 1_000_000);
  tm.usec = time % 1_000_000;
  return { tm, offset };
}

export function zoneByName(name: string): TimeZone {
  const z = resolveTimeZone(name);
  if (z === undefined) badZone(name);
  return z;
}
