// EXTRACT (numeric results, PostgreSQL 14+) and date_part (float8) for
// date, time, timetz, timestamp, timestamptz and interval, with
// PostgreSQL's field names, BC-year conventions, infinite-value rules and
// "unit ... not supported/recognized" errors.

import { SbError, SqlState } from '../sb_error.ts';
import { Interval } from '../types/interval.ts';
import { Numeric } from '../types/numeric.ts';
import { T, type SqlType } from '../types/types.ts';
import type { EvalContext } from './context.ts';
import type { TimeTz } from './ops_datetime.ts';
import { defFn } from './registry.ts';
import { typeName } from './stopgap/coerce.ts';
import {
  dateToDays,
  dayOfWeek,
  POSTGRES_EPOCH_JDATE,
  timestampToFields,
  TS_DAYS_END,
  USECS_PER_DAY,
  zoneOffsetAt,
  type TsFields,
} from './stopgap/datetime.ts';
import { asciiLower } from './text_util.ts';

type Kind = 'date' | 'time' | 'timetz' | 'timestamp' | 'timestamptz' | 'interval';

const UNIT_ALIASES: Record<string, string> = {
  microsecond: 'microseconds', microseconds: 'microseconds', us: 'microseconds', usec: 'microseconds', usecs: 'microseconds', useconds: 'microseconds',
  millisecond: 'milliseconds', milliseconds: 'milliseconds', ms: 'milliseconds', msec: 'milliseconds', msecs: 'milliseconds', mseconds: 'milliseconds',
  second: 'second', seconds: 'second', s: 'second', sec: 'second', secs: 'second',
  minute: 'minute', minutes: 'minute', m: 'minute', min: 'minute', mins: 'minute',
  hour: 'hour', hours: 'hour', h: 'hour', hr: 'hour', hrs: 'hour',
  day: 'day', days: 'day', d: 'day',
  week: 'week', weeks: 'week', w: 'week',
  month: 'month', months: 'month', mon: 'month', mons: 'month',
  quarter: 'quarter', qtr: 'quarter',
  year: 'year', years: 'year', y: 'year', yr: 'year', yrs: 'year',
  decade: 'decade', decades: 'decade', dec: 'decade', decs: 'decade',
  century: 'century', centuries: 'century', c: 'century', cent: 'century',
  millennium: 'millennium', millennia: 'millennium', millenniums: 'millennium', mil: 'millennium', mils: 'millennium',
  dow: 'dow', isodow: 'isodow', doy: 'doy', isoyear: 'isoyear', julian: 'julian', j: 'julian', epoch: 'epoch',
  timezone: 'timezone', timezone_h: 'timezone_hour', timezone_hour: 'timezone_hour', timezone_m: 'timezone_minute', timezone_minute: 'timezone_minute',
};

export function normalizeUnit(field: string): string | undefined {
  return UNIT_ALIASES[asciiLower(field).trim()];
}

const KIND_TYPE: Record<Kind, SqlType> = {
  date: T.date,
  time: T.time,
  timetz: T.timetz,
  timestamp: T.timestamp,
  timestamptz: T.timestamptz,
  interval: T.interval,
};

export function unitNotRecognized(field: string, t: SqlType): SbError {
  return new SbError(SqlState.invalid_parameter_value, `unit "${field}" not recognized for type ${typeName(t)}`);
}

export function unitNotSupported(field: string, t: SqlType): SbError {
  return new SbError(SqlState.feature_not_supported, `unit "${field}" not supported for type ${typeName(t)}`);
}

const I = (n: number): Numeric => Numeric.fromInt(n);
/** v / 10^scale as a numeric with that display scale. */
const scaled = (v: number, scale: number): Numeric => Numeric.raw(BigInt(v), scale);
const tdiv = (a: number, b: number): number => Math.trunc(a / b);

/** ISO 8601 week number and ISO year of a date (astronomical year). */
export function isoWeek(y: number, m: number, d: number): { week: number; year: number } {
  const days = dateToDays(y, m, d);
  const isoDow = ((dayOfWeek(days) + 6) % 7) + 1; // Monday = 1
  const thursday = days + (4 - isoDow);
  const ty = yearOfDays(thursday);
  const jan1 = dateToDays(ty, 1, 1);
  return { week: Math.floor((thursday - jan1) / 7) + 1, year: ty };
}

function yearOfDays(days: number): number {
  return timestampToFields(days * USECS_PER_DAY).y;
}

/** Year as PostgreSQL reports it: no year 0 (1 BC is -1). */
const displayYear = (y: number): number => (y > 0 ? y : y - 1);

function fieldOfTimestamp(unit: string, f: TsFields, us: number, kind: Kind, tzOffset: number, numeric: boolean): number | Numeric {
  const micros = f.s * 1_000_000 + f.us;
  const y = f.y;
  switch (unit) {
    case 'microseconds':
      return numeric ? I(micros) : micros;
    case 'milliseconds':
      return numeric ? scaled(micros, 3) : micros / 1000;
    case 'second':
      return numeric ? scaled(micros, 6) : micros / 1_000_000;
    case 'minute':
      return nf(f.mi, numeric);
    case 'hour':
      return nf(f.h, numeric);
    case 'day':
      return nf(f.d, numeric);
    case 'month':
      return nf(f.m, numeric);
    case 'quarter':
      return nf(tdiv(f.m - 1, 3) + 1, numeric);
    case 'week':
      return nf(isoWeek(y, f.m, f.d).week, numeric);
    case 'year':
      return nf(displayYear(y), numeric);
    case 'decade':
      return nf(y >= 0 ? tdiv(y, 10) : -tdiv(8 - (y - 1), 10), numeric);
    case 'century':
      return nf(y > 0 ? tdiv(y + 99, 100) : -tdiv(99 - (y - 1), 100), numeric);
    case 'millennium':
      return nf(y > 0 ? tdiv(y + 999, 1000) : -tdiv(999 - (y - 1), 1000), numeric);
    case 'dow':
      return nf(dayOfWeek(dateToDays(y, f.m, f.d)), numeric);
    case 'isodow':
      return nf(dayOfWeek(dateToDays(y, f.m, f.d)) || 7, numeric);
    case 'doy':
      return nf(dateToDays(y, f.m, f.d) - dateToDays(y, 1, 1) + 1, numeric);
    case 'isoyear': {
      let iy = isoWeek(y, f.m, f.d).year;
      if (iy <= 0) iy -= 1;
      return nf(iy, numeric);
    }
    case 'julian': {
      const jd = dateToDays(y, f.m, f.d) + POSTGRES_EPOCH_JDATE;
      const dayMicros = ((f.h * 60 + f.mi) * 60 + f.s) * 1_000_000 + f.us;
      if (kind === 'date') return nf(jd, numeric);
      if (numeric) return I(jd).add(I(dayMicros).div(I(USECS_PER_DAY)));
      return jd + (((f.h * 60 + f.mi) * 60 + f.s + f.us / 1_000_000) / 86400);
    }
    case 'epoch': {
      const epochUs = us + 946_684_800_000_000;
      if (kind === 'date') return nf(epochUs / 1_000_000, numeric);
      return numeric ? scaled(epochUs, 6) : epochUs / 1_000_000;
    }
    case 'timezone':
      return nf(tzOffset, numeric);
    case 'timezone_hour':
      return nf(tdiv(tzOffset, 3600), numeric);
    case 'timezone_minute':
      return nf(tdiv(tzOffset, 60) % 60, numeric);
  }
  throw new Error('unreachable');
}

const nf = (v: number, numeric: boolean): number | Numeric => (numeric ? I(v) : v);

const DATE_UNITS = new Set(['day', 'week', 'month', 'quarter', 'year', 'decade', 'century', 'millennium', 'dow', 'isodow', 'doy', 'isoyear', 'julian', 'epoch']);
const TIME_UNITS = new Set(['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'epoch']);
const TZ_UNITS = new Set(['timezone', 'timezone_hour', 'timezone_minute']);
/** Fields that stay meaningful (±Infinity) for infinite inputs. */
const MONOTONIC = new Set(['year', 'decade', 'century', 'millennium', 'isoyear', 'julian', 'epoch']);

function supported(kind: Kind, unit: string): boolean {
  switch (kind) {
    case 'date':
      return DATE_UNITS.has(unit);
    case 'time':
      return TIME_UNITS.has(unit);
    case 'timetz':
      return TIME_UNITS.has(unit) || TZ_UNITS.has(unit);
    case 'timestamp':
      return !TZ_UNITS.has(unit);
    case 'timestamptz':
      return true;
    case 'interval':
      return !['week', 'dow', 'isodow', 'doy', 'isoyear', 'julian', ...TZ_UNITS].includes(unit);
  }
}

function intervalField(unit: string, iv: Interval, numeric: boolean): number | Numeric {
  const t = iv.micros;
  const years = tdiv(iv.months, 12);
  switch (unit) {
    case 'microseconds':
      return nf(t % 60_000_000, numeric);
    case 'milliseconds':
      return numeric ? scaled(t % 60_000_000, 3) : (t % 60_000_000) / 1000;
    case 'second':
      return numeric ? scaled(t % 60_000_000, 6) : (t % 60_000_000) / 1_000_000;
    case 'minute':
      return nf(tdiv(t, 60_000_000) % 60, numeric);
    case 'hour':
      return nf(tdiv(t, 3_600_000_000), numeric);
    case 'day':
      return nf(iv.days, numeric);
    case 'month':
      return nf(iv.months % 12, numeric);
    case 'quarter':
      return nf(tdiv(iv.months % 12, 3) + 1, numeric);
    case 'year':
      return nf(years, numeric);
    case 'decade':
      return nf(tdiv(years, 10), numeric);
    case 'century':
      return nf(tdiv(years, 100), numeric);
    case 'millennium':
      return nf(tdiv(years, 1000), numeric);
    case 'epoch': {
      const secsFromDayMonth = (1461 * years + 120 * (iv.months % 12) + 4 * iv.days) * 21600;
      if (numeric) return Numeric.raw(BigInt(secsFromDayMonth) * 1_000_000n + BigInt(t), 6);
      // float8 accumulates in this order in PostgreSQL (the rounding shows in the last digits).
      return t / 1_000_000 + 365.25 * 86400 * years + 30 * 86400 * (iv.months % 12) + 86400 * iv.days;
    }
  }
  throw new Error('unreachable');
}

/** extract / date_part of a non-null value. */
export function extractField(fieldText: string, kind: Kind, v: unknown, ctx: EvalContext, numeric: boolean): number | Numeric | null {
  const r = extractInner(fieldText, kind, v, ctx, numeric);
  return r === 0 ? 0 : r; // no negative zero
}

function extractInner(fieldText: string, kind: Kind, v: unknown, ctx: EvalContext, numeric: boolean): number | Numeric | null {
  const unit = normalizeUnit(fieldText);
  const t = KIND_TYPE[kind];
  if (unit === undefined) throw unitNotRecognized(fieldText, t);
  if ((kind === 'timestamp' || kind === 'timestamptz' || kind === 'date') && !Number.isFinite(v as number)) {
    // Infinite values: monotonic fields are ±Infinity, the rest NULL (even where unsupported).
    if (!MONOTONIC.has(unit)) {
      if (kind === 'date' && !supported(kind, unit)) throw unitNotSupported(fieldText, t);
      return null;
    }
    const inf = (v as number) > 0 ? Infinity : -Infinity;
    return numeric ? (inf > 0 ? Numeric.Infinity : Numeric.NegativeInfinity) : inf;
  }
  if (!supported(kind, unit)) throw unitNotSupported(fieldText, t);
  if (kind === 'interval') return intervalField(unit, v as Interval, numeric);
  if (kind === 'time' || kind === 'timetz') {
    const tt = kind === 'timetz' ? (v as TimeTz) : { micros: v as number, offsetSeconds: 0 };
    // time runs to 24:00:00 inclusive: split without carrying into a day.
    const h = Math.floor(tt.micros / 3_600_000_000);
    const rest = tt.micros - h * 3_600_000_000;
    const f: TsFields = { y: 2000, m: 1, d: 1, h, mi: Math.floor(rest / 60_000_000), s: Math.floor((rest % 60_000_000) / 1e6), us: rest % 1e6 };
    if (unit === 'epoch') {
      const us = tt.micros - tt.offsetSeconds * 1_000_000;
      return numeric ? scaled(us, 6) : us / 1_000_000;
    }
    return fieldOfTimestamp(unit, f, tt.micros, kind, tt.offsetSeconds, numeric);
  }
  let us = kind === 'date' ? (v as number) * USECS_PER_DAY : (v as number);
  if (!Number.isFinite(v as number)) {
    if (!MONOTONIC.has(unit)) return null;
    const inf = (v as number) > 0 ? Infinity : -Infinity;
    return numeric ? (inf > 0 ? Numeric.Infinity : Numeric.NegativeInfinity) : inf;
  }
  let offset = 0;
  if (kind === 'timestamptz') {
    offset = zoneOffsetAt(ctx.timeZone, us);
    if (unit === 'epoch') return fieldOfTimestamp(unit, timestampToFields(us), us, kind, offset, numeric);
    us += offset * 1_000_000;
  }
  return fieldOfTimestamp(unit, timestampToFields(us), us, kind, offset, numeric);
}

for (const kind of ['date', 'time', 'timetz', 'timestamp', 'timestamptz', 'interval'] as Kind[]) {
  const vol = kind === 'timestamptz' ? 's' : 'i';
  defFn('extract', [T.text, KIND_TYPE[kind]], T.numeric, ([f, v], ctx) => extractField(f as string, kind, v, ctx, true), {
    volatility: vol,
  });
  if (kind === 'date') {
    // date_part(text, date) is date_part(text, date::timestamp) in PostgreSQL.
    defFn('date_part', [T.text, T.date], T.float8, ([f, v], ctx) => {
      const d = v as number;
      if (Number.isFinite(d) && d >= TS_DAYS_END) {
        throw new SbError(SqlState.datetime_field_overflow, 'date out of range for timestamp');
      }
      return extractField(f as string, 'timestamp', Number.isFinite(d) ? d * USECS_PER_DAY : d, ctx, false);
    });
  } else {
    defFn('date_part', [T.text, KIND_TYPE[kind]], T.float8, ([f, v], ctx) => extractField(f as string, kind, v, ctx, false), {
      volatility: vol,
    });
  }
}
