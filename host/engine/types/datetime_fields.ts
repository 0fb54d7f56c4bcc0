// EXTRACT (numeric results, PostgreSQL 14+), date_part (float8) and
// date_trunc for date, time, timetz, timestamp, timestamptz and interval.

import { SbError, SqlState } from '../sb_error.ts';
import { POSTGRES_EPOCH_JDATE, UNIX_EPOCH_JDATE, date2isoweek, date2isoyear, date2j, isoweek2date, j2day } from './calendar.ts';
import {
  EPOCH_OFFSET_SECS, dateToYmd, localOffset, timeToFields, timestampToTm, timestamptzToTm, tmToTimestamp, type Tm, type TimetzValue,
} from './datetime.ts';
import { intervalToItm } from './datetime_format.ts';
import { Dtk, T_RESERV, T_UNITS } from './datetime_parse.ts';
import { Interval } from './interval.ts';
import { lookupDeltaUnit, lookupUnit } from './interval_io.ts';
import { Numeric } from './numeric.ts';
import type { TimeZone } from './timezone.ts';

export type FieldSource = 'date' | 'time' | 'timetz' | 'timestamp' | 'timestamptz' | 'interval';

const TYPE_NAMES: Record<FieldSource, string> = {
  date: 'date',
  time: 'time without time zone',
  timetz: 'time with time zone',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  interval: 'interval',
};

function notRecognized(unit: string, src: FieldSource): SbError {
  return new SbError(SqlState.invalid_parameter_value, `unit "${unit}" not recognized for type ${TYPE_NAMES[src]}`);
}

function notSupported(unit: string, src: FieldSource): SbError {
  return new SbError(SqlState.feature_not_supported, `unit "${unit}" not supported for type ${TYPE_NAMES[src]}`);
}

function resolveUnit(unit: string, src: FieldSource, truncation = false): { type: number; value: Dtk } {
  const lower = unit.toLowerCase();
  const u = truncation ? lookupDeltaUnit(lower) : lookupUnit(lower);
  if (u === undefined || (u.type !== T_UNITS && u.type !== T_RESERV)) throw notRecognized(unit, src);
  return u;
}

/** val / 10^scale with exactly `scale` decimals (int64_div_fast_to_numeric). */
function scaled(val: number | bigint, scale: number): Numeric {
  return Numeric.raw(BigInt(val), scale);
}

function ymdFields(year: number, value: Dtk): number | undefined {
  switch (value) {
    case Dtk.Year:
      return year > 0 ? year : year - 1;
    case Dtk.Decade:
      return year >= 0 ? Math.trunc(year / 10) : -Math.trunc((8 - (year - 1)) / 10);
    case Dtk.Century:
      return year > 0 ? Math.trunc((year + 99) / 100) : -Math.trunc((99 - (year - 1)) / 100);
    case Dtk.Millennium:
      return year > 0 ? Math.trunc((year + 999) / 1000) : -Math.trunc((999 - (year - 1)) / 1000);
    default:
      return undefined;
  }
}

function dateUnit(tm: { year: number; month: number; day: number }, value: Dtk): number | undefined {
  const y = ymdFields(tm.year, value);
  if (y !== undefined) return y;
  switch (value) {
    case Dtk.Day:
      return tm.day;
    case Dtk.Month:
      return tm.month;
    case Dtk.Quarter:
      return Math.trunc((tm.month - 1) / 3) + 1;
    case Dtk.Week:
      return date2isoweek(tm.year, tm.month, tm.day);
    case Dtk.IsoYear: {
      const r = date2isoyear(tm.year, tm.month, tm.day);
      return r <= 0 ? r - 1 : r;
    }
    case Dtk.Dow:
    case Dtk.IsoDow: {
      const d = j2day(date2j(tm.year, tm.month, tm.day));
      return value === Dtk.IsoDow && d === 0 ? 7 : d;
    }
    case Dtk.Doy:
      return date2j(tm.year, tm.month, tm.day) - date2j(tm.year, 1, 1) + 1;
    default:
      return undefined;
  }
}

const MONOTONIC = new Set<Dtk>([Dtk.Year, Dtk.Decade, Dtk.Century, Dtk.Millennium, Dtk.Julian, Dtk.IsoYear, Dtk.Epoch]);
const OSCILLATING_TS = new Set<Dtk>([
  Dtk.Microsec, Dtk.Millisec, Dtk.Second, Dtk.Minute, Dtk.Hour, Dtk.Day, Dtk.Month, Dtk.Quarter, Dtk.Week, Dtk.Dow,
  Dtk.IsoDow, Dtk.Doy, Dtk.Tz, Dtk.TzMinute, Dtk.TzHour,
]);

/**
 * EXTRACT(unit FROM value) as numeric (null where PostgreSQL returns NULL,
 * e.g. hour of infinity). `zone` is the session zone (timestamptz).
 */
export function extractField(unit: string, src: FieldSource, v: unknown, zone: TimeZone): Numeric | null {
  const { type, value } = resolveUnit(unit, src);
  switch (src) {
    case 'date': {
      const d = v as number;
      if (!Number.isFinite(d)) {
        if (value === Dtk.Day || value === Dtk.Month || value === Dtk.Quarter || value === Dtk.Week || value === Dtk.Dow || value === Dtk.IsoDow || value === Dtk.Doy) return null;
        if (MONOTONIC.has(value)) return d > 0 ? Numeric.Infinity : Numeric.NegativeInfinity;
        throw notSupported(unit, src);
      }
      if (type === T_RESERV) {
        if (value !== Dtk.Epoch) throw notSupported(unit, src);
        return Numeric.fromInt((d + POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * 86400);
      }
      const [year, month, day] = dateToYmd(d);
      if (value === Dtk.Julian) return Numeric.fromInt(d + POSTGRES_EPOCH_JDATE);
      const r = dateUnit({ year, month, day }, value);
      if (r === undefined) throw notSupported(unit, src);
      return Numeric.fromInt(r);
    }
    case 'timestamp':
    case 'timestamptz': {
      const ts = v as number;
      if (!Number.isFinite(ts)) {
        if (OSCILLATING_TS.has(value)) return null;
        if (MONOTONIC.has(value)) return ts > 0 ? Numeric.Infinity : Numeric.NegativeInfinity;
        throw notSupported(unit, src);
      }
      if (type === T_RESERV) {
        if (value !== Dtk.Epoch) throw notSupported(unit, src);
        return scaled(BigInt(ts) + BigInt(EPOCH_OFFSET_SECS) * 1000000n, 6);
      }
      let tm: Tm;
      let offset = 0;
      if (src === 'timestamptz') ({ tm, offset } = timestamptzToTm(ts, zone));
      else tm = timestampToTm(ts);
      return tmUnit(tm, value, src === 'timestamptz' ? offset : undefined, unit, src);
    }
    case 'time':
    case 'timetz': {
      const micros = src === 'time' ? (v as number) : (v as TimetzValue).micros;
      const offset = src === 'timetz' ? (v as TimetzValue).offsetSeconds : undefined;
      if (type === T_RESERV) {
        if (value !== Dtk.Epoch) throw notSupported(unit, src);
        return scaled(micros - (offset ?? 0) * 1e6, 6);
      }
      const f = timeToFields(micros);
      switch (value) {
        case Dtk.Microsec:
        case Dtk.Millisec:
        case Dtk.Second:
        case Dtk.Minute:
        case Dtk.Hour:
          return tmUnit({ year: 2000, month: 1, day: 1, ...f }, value, undefined, unit, src);
        case Dtk.Tz:
        case Dtk.TzHour:
        case Dtk.TzMinute:
          if (offset === undefined) throw notSupported(unit, src);
          return tzUnit(offset, value);
        default:
          throw notSupported(unit, src);
      }
    }
    case 'interval': {
      const iv = v as Interval;
      if (type === T_RESERV) {
        if (value !== Dtk.Epoch) throw notSupported(unit, src);
        const secs = (BigInt(Math.trunc(iv.months / 12)) * 1461n + BigInt(iv.months % 12) * 120n + BigInt(iv.days) * 4n) * 21600n;
        return scaled(secs * 1000000n + BigInt(iv.micros), 6);
      }
      const tm = intervalToItm(iv);
      switch (value) {
        case Dtk.Microsec:
          return Numeric.fromInt(tm.sec * 1e6 + tm.usec);
        case Dtk.Millisec:
          return scaled(tm.sec * 1e6 + tm.usec, 3);
        case Dtk.Second:
          return scaled(tm.sec * 1e6 + tm.usec, 6);
        case Dtk.Minute:
          return Numeric.fromInt(tm.min);
        case Dtk.Hour:
          return Numeric.fromInt(tm.hour);
        case Dtk.Day:
          return Numeric.fromInt(tm.mday);
        case Dtk.Month:
          return Numeric.fromInt(tm.mon);
        case Dtk.Quarter:
          return Numeric.fromInt(Math.trunc(tm.mon / 3) + 1);
        case Dtk.Year:
          return Numeric.fromInt(tm.year);
        case Dtk.Decade:
          return Numeric.fromInt(Math.trunc(tm.year / 10));
        case Dtk.Century:
          return Numeric.fromInt(Math.trunc(tm.year / 100));
        case Dtk.Millennium:
          return Numeric.fromInt(Math.trunc(tm.year / 1000));
        default:
          throw notSupported(unit, src);
      }
    }
  }
}

function tzUnit(offset: number, value: Dtk): Numeric {
  if (value === Dtk.Tz) return Numeric.fromInt(offset);
  if (value === Dtk.TzHour) return Numeric.fromInt(Math.trunc(offset / 3600));
  return Numeric.fromInt(Math.trunc(offset / 60) % 60);
}

function tmUnit(tm: Tm, value: Dtk, offset: number | undefined, unit: string, src: FieldSource): Numeric {
  switch (value) {
    case Dtk.Microsec:
      return Numeric.fromInt(tm.second * 1e6 + tm.usec);
    case Dtk.Millisec:
      return scaled(tm.second * 1e6 + tm.usec, 3);
    case Dtk.Second:
      return scaled(tm.second * 1e6 + tm.usec, 6);
    case Dtk.Minute:
      return Numeric.fromInt(tm.minute);
    case Dtk.Hour:
      return Numeric.fromInt(tm.hour);
    case Dtk.Julian: {
      const frac = Numeric.fromInt(((tm.hour * 60 + tm.minute) * 60 + tm.second) * 1e6 + tm.usec).div(Numeric.fromInt(86400e6));
      return Numeric.fromInt(date2j(tm.year, tm.month, tm.day)).add(frac);
    }
    case Dtk.Tz:
    case Dtk.TzHour:
    case Dtk.TzMinute:
      if (offset === undefined) throw notSupported(unit, src);
      return tzUnit(offset, value);
  }
  const r = dateUnit(tm, value);
  if (r === undefined) throw notSupported(unit, src);
  return Numeric.fromInt(r);
}

/** date_part(text, value) as float8 (NULL cases as EXTRACT). date_part on a date goes through timestamp. */
export function datePart(unit: string, src: FieldSource, v: unknown, zone: TimeZone): number | null {
  if (src === 'date') {
    const d = v as number;
    return datePart(unit, 'timestamp', Number.isFinite(d) ? d * 86400e6 : d, zone);
  }
  const { type, value } = resolveUnit(unit, src);
  if (type === T_RESERV && value === Dtk.Epoch) {
    if (src === 'timestamp' || src === 'timestamptz') {
      const ts = v as number;
      return Number.isFinite(ts) ? (ts + EPOCH_OFFSET_SECS * 1e6) / 1e6 : ts;
    }
    if (src === 'interval') {
      const iv = v as Interval;
      return (
        iv.micros / 1e6 + 365.25 * 86400 * Math.trunc(iv.months / 12) + 30 * 86400 * (iv.months % 12) + 86400 * iv.days
      );
    }
  }
  if (value === Dtk.Second || value === Dtk.Millisec) {
    let sec: number;
    let usec: number;
    if (src === 'interval') {
      const tm = intervalToItm(v as Interval);
      sec = tm.sec;
      usec = tm.usec;
    } else if (src === 'time' || src === 'timetz') {
      const f = timeToFields(src === 'time' ? (v as number) : (v as TimetzValue).micros);
      sec = f.second;
      usec = f.usec;
    } else {
      const ts = v as number;
      if (!Number.isFinite(ts)) return null;
      const tm = src === 'timestamptz' ? timestamptzToTm(ts, zone).tm : timestampToTm(ts);
      sec = tm.second;
      usec = tm.usec;
    }
    return value === Dtk.Second ? sec + usec / 1e6 : sec * 1000 + usec / 1000;
  }
  const n = extractField(unit, src, v, zone);
  return n === null ? null : n.toNumberApprox();
}

// ---- date_trunc -----------------------------------------------------------------

function truncTm(tm: Tm, value: Dtk, unit: string, src: FieldSource): boolean {
  let redoTz = false;
  switch (value) {
    case Dtk.Week: {
      const woy = date2isoweek(tm.year, tm.month, tm.day);
      let y = tm.year;
      if (woy >= 52 && tm.month === 1) y--;
      if (woy <= 1 && tm.month === 12) y++;
      [tm.year, tm.month, tm.day] = isoweek2date(woy, y);
      tm.hour = tm.minute = tm.second = tm.usec = 0;
      return true;
    }
    case Dtk.Millennium:
      tm.year = tm.year > 0 ? Math.trunc((tm.year + 999) / 1000) * 1000 - 999 : -Math.trunc((999 - (tm.year - 1)) / 1000) * 1000 + 1;
    // falls through
    case Dtk.Century:
      tm.year = tm.year > 0 ? Math.trunc((tm.year + 99) / 100) * 100 - 99 : -Math.trunc((99 - (tm.year - 1)) / 100) * 100 + 1;
    // falls through
    case Dtk.Decade:
      if (value !== Dtk.Millennium && value !== Dtk.Century) {
        tm.year = tm.year > 0 ? Math.trunc(tm.year / 10) * 10 : -Math.trunc((8 - (tm.year - 1)) / 10) * 10;
      }
    // falls through
    case Dtk.Year:
      tm.month = 1;
    // falls through
    case Dtk.Quarter:
      tm.month = 3 * Math.trunc((tm.month - 1) / 3) + 1;
    // falls through
    case Dtk.Month:
      tm.day = 1;
    // falls through
    case Dtk.Day:
      tm.hour = 0;
      redoTz = true;
    // falls through
    case Dtk.Hour:
      tm.minute = 0;
    // falls through
    case Dtk.Minute:
      tm.second = 0;
    // falls through
    case Dtk.Second:
      tm.usec = 0;
      break;
    case Dtk.Millisec:
      tm.usec = Math.trunc(tm.usec / 1000) * 1000;
      break;
    case Dtk.Microsec:
      break;
    default:
      throw notSupported(unit, src);
  }
  return redoTz;
}

/** date_trunc(unit, timestamp) */
export function truncTimestamp(unit: string, ts: number): number {
  if (!Number.isFinite(ts)) return ts;
  const { type, value } = resolveUnit(unit, 'timestamp', true);
  if (type !== T_UNITS) throw notRecognized(unit, 'timestamp');
  const tm = timestampToTm(ts);
  truncTm(tm, value, unit, 'timestamp');
  return tmToTimestamp(tm);
}

/** date_trunc(unit, timestamptz [, zone]): truncation in local time of the zone. */
export function truncTimestamptz(unit: string, ts: number, zone: TimeZone): number {
  if (!Number.isFinite(ts)) return ts;
  const { type, value } = resolveUnit(unit, 'timestamptz', true);
  if (type !== T_UNITS) throw notRecognized(unit, 'timestamptz');
  const { tm, offset } = timestamptzToTm(ts, zone);
  const redo = truncTm(tm, value, unit, 'timestamptz');
  const local = tmToTimestamp(tm);
  const off = redo ? localOffset(zone, local) : offset;
  return local - off * 1e6;
}

/** date_trunc(unit, interval) */
export function truncInterval(unit: string, iv: Interval): Interval {
  const { type, value } = resolveUnit(unit, 'interval', true);
  if (type !== T_UNITS) throw notRecognized(unit, 'interval');
  const tm = intervalToItm(iv);
  switch (value) {
    case Dtk.Millennium:
      tm.year = Math.trunc(tm.year / 1000) * 1000;
    // falls through
    case Dtk.Century:
      tm.year = Math.trunc(tm.year / 100) * 100;
    // falls through
    case Dtk.Decade:
      tm.year = Math.trunc(tm.year / 10) * 10;
    // falls through
    case Dtk.Year:
      tm.mon = 0;
    // falls through
    case Dtk.Quarter:
      tm.mon = 3 * Math.trunc(tm.mon / 3);
    // falls through
    case Dtk.Month:
      tm.mday = 0;
    // falls through
    case Dtk.Day:
      tm.hour = 0;
    // falls through
    case Dtk.Hour:
      tm.min = 0;
    // falls through
    case Dtk.Minute:
      tm.sec = 0;
    // falls through
    case Dtk.Second:
      tm.usec = 0;
      break;
    case Dtk.Millisec:
      tm.usec = Math.trunc(tm.usec / 1000) * 1000;
      break;
    case Dtk.Microsec:
      break;
    default:
      if (value === Dtk.Week) {
        throw new SbError(SqlState.feature_not_supported, `interval units "${unit}" not supported because months usually have fractional weeks`);
      }
      throw notSupported(unit, 'interval');
  }
  return Interval.of(tm.year * 12 + tm.mon, tm.mday, ((tm.hour * 60 + tm.min) * 60 + tm.sec) * 1e6 + tm.usec);
}

