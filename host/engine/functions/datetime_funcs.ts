// Date/time functions: now() and the other clocks, date_trunc, age,
// make_date/time/timestamp(tz)/interval, to_timestamp(double),
// justify_*, date_bin, isfinite, timezone() (AT TIME ZONE), overlaps.

import { SbError, SqlState } from '../sb_error.ts';
import { Interval, intervalOutOfRange, rint, roundMicros } from '../types/interval.ts';
import { T } from '../types/types.ts';
import type { EvalContext } from './context.ts';
import { isoWeek, normalizeUnit, unitNotRecognized, unitNotSupported } from './datetime_extract.ts';
import { checkDateDays, type TimeTz } from './ops_datetime.ts';
import { defFn } from './registry.ts';
import {
  checkTimestamp,
  dateToDays,
  daysInMonth,
  daysToDate,
  fieldsToTimestamp,
  localToUtc,
  splitMicros,
  timestampToFields,
  USECS_PER_DAY,
  utcToLocal,
  zoneForArgument,
  zoneOffsetAt,
  type TsFields,
} from './stopgap/datetime.ts';

const TS = T.timestamp;
const TZ = T.timestamptz;
const IV = T.interval;
const I4 = T.int4;
const F8 = T.float8;
const TX = T.text;

// ---- clocks -----------------------------------------------------------------------

const stable = { volatility: 's' as const };
const volatile = { volatility: 'v' as const };

defFn('now', [], TZ, (_a, ctx) => ctx.transactionTimestamp, stable);
defFn('transaction_timestamp', [], TZ, (_a, ctx) => ctx.transactionTimestamp, stable);
defFn('statement_timestamp', [], TZ, (_a, ctx) => ctx.statementTimestamp, stable);
defFn('clock_timestamp', [], TZ, (_a, ctx) => ctx.clockTimestamp(), volatile);
defFn('timeofday', [], TX, (_a, ctx) => timeofday(ctx.clockTimestamp(), ctx), volatile);

function timeofday(us: number, ctx: EvalContext): string {
  const off = zoneOffsetAt(ctx.timeZone, us);
  const f = timestampToFields(us + off * 1e6);
  const days = Math.floor((us + off * 1e6) / USECS_PER_DAY);
  const dow = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][(((days + 6) % 7) + 7) % 7];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][f.m - 1];
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const sign = off < 0 ? '-' : '+';
  return `${dow} ${mon} ${p2(f.d)} ${p2(f.h)}:${p2(f.mi)}:${p2(f.s)}.${String(f.us).padStart(6, '0')} ${f.y} ${sign}${p2(Math.abs(off) / 3600)}`;
}

/** SQL value functions (CURRENT_DATE, CURRENT_TIMESTAMP(p), LOCALTIME...). */
export function currentDate(ctx: EvalContext): number {
  return Math.floor(utcToLocal(ctx.timeZone, ctx.transactionTimestamp) / USECS_PER_DAY);
}
export function localTimestamp(ctx: EvalContext, precision?: number): number {
  return roundMicros(utcToLocal(ctx.timeZone, ctx.transactionTimestamp), precision ?? 6);
}
export function currentTimestamp(ctx: EvalContext, precision?: number): number {
  return roundMicros(ctx.transactionTimestamp, precision ?? 6);
}
export function localTime(ctx: EvalContext, precision?: number): number {
  return splitMicros(localTimestamp(ctx, precision)).time;
}
export function currentTime(ctx: EvalContext, precision?: number): TimeTz {
  return { micros: localTime(ctx, precision), offsetSeconds: zoneOffsetAt(ctx.timeZone, ctx.transactionTimestamp) };
}

// ---- date_trunc -----------------------------------------------------------------------

function truncFields(unit: string, f: TsFields): TsFields | undefined {
  const r = { ...f };
  const y = f.y;
  const tdiv = (a: number, b: number): number => Math.trunc(a / b);
  switch (unit) {
    case 'week': {
      const { week, year } = isoWeek(f.y, f.m, f.d);
      const jan4 = dateToDays(year, 1, 4);
      const isoDow = ((((jan4 + 6) % 7) + 7) % 7 + 6) % 7; // Monday = 0
      const monday = jan4 - isoDow + (week - 1) * 7;
      const d = daysToDate(monday);
      return { ...d, h: 0, mi: 0, s: 0, us: 0 };
    }
    case 'millennium':
      r.y = y > 0 ? tdiv(y + 999, 1000) * 1000 - 999 : -tdiv(999 - (y - 1), 1000) * 1000 + 1;
      r.m = 1;
      r.d = 1;
      break;
    case 'century':
      r.y = y > 0 ? tdiv(y + 99, 100) * 100 - 99 : -tdiv(99 - (y - 1), 100) * 100 + 1;
      r.m = 1;
      r.d = 1;
      break;
    case 'decade':
      r.y = y > 0 ? tdiv(y, 10) * 10 : -tdiv(8 - (y - 1), 10) * 10;
      r.m = 1;
      r.d = 1;
      break;
    case 'year':
      r.m = 1;
      r.d = 1;
      break;
    case 'quarter':
      r.m = 3 * tdiv(f.m - 1, 3) + 1;
      r.d = 1;
      break;
    case 'month':
      r.d = 1;
      break;
    case 'day':
    case 'hour':
    case 'minute':
    case 'second':
    case 'milliseconds':
    case 'microseconds':
      break;
    default:
      return undefined;
  }
  const level = ['millennium', 'century', 'decade', 'year', 'quarter', 'month', 'day', 'hour', 'minute', 'second', 'milliseconds', 'microseconds'].indexOf(unit);
  if (level <= 6) r.h = 0;
  if (level <= 7) r.mi = 0;
  if (level <= 8) r.s = 0;
  if (level <= 9) r.us = 0;
  else if (level === 10) r.us = tdiv(f.us, 1000) * 1000;
  return r;
}

/** Units date_trunc does not know at all (they exist only for EXTRACT). */
const EXTRACT_ONLY = new Set(['dow', 'isodow', 'doy', 'julian', 'epoch', 'isoyear']);

function truncUnit(field: string, t: typeof TS): string {
  const unit = normalizeUnit(field);
  if (unit === undefined || EXTRACT_ONLY.has(unit)) throw unitNotRecognized(field, t);
  return unit;
}

function dateTruncLocal(field: string, local: number, typeForErrors: typeof TS): number {
  const unit = truncUnit(field, typeForErrors);
  const r = truncFields(unit, timestampToFields(local));
  if (r === undefined) throw unitNotSupported(field, typeForErrors);
  return checkTimestamp(fieldsToTimestamp(r));
}

defFn('date_trunc', [TX, TS], TS, ([f, ts]) => {
  const t = ts as number;
  return Number.isFinite(t) ? dateTruncLocal(f as string, t, TS) : t;
});

function dateTruncTz(field: string, ts: number, zone: string): number {
  if (!Number.isFinite(ts)) return ts;
  const unit = normalizeUnit(field);
  const local = dateTruncLocal(field, utcToLocal(zone, ts), TZ);
  // Units below a day keep the original offset (no re-resolution of the zone).
  if (unit === 'hour' || unit === 'minute' || unit === 'second' || unit === 'milliseconds' || unit === 'microseconds') {
    return local - zoneOffsetAt(zone, ts) * 1e6;
  }
  return localToUtc(zone, local);
}

defFn('date_trunc', [TX, TZ], TZ, ([f, ts], ctx) => dateTruncTz(f as string, ts as number, ctx.timeZone), stable);
defFn('date_trunc', [TX, TZ, TX], TZ, ([f, ts, z]) =>
  Number.isFinite(ts as number) ? dateTruncTz(f as string, ts as number, zoneForArgument(z as string)) : ts,
);

defFn('date_trunc', [TX, IV], IV, ([f, v]) => {
  const field = f as string;
  const iv = v as Interval;
  const unit = truncUnit(field, IV);
  if (unit === 'week') {
    throw new SbError(SqlState.feature_not_supported, `unit "${field}" not supported for type interval`, {
      detail: 'Months usually have fractional weeks.',
    });
  }
  const years = Math.trunc(iv.months / 12);
  let months = iv.months;
  let days = iv.days;
  let t = iv.micros;
  const tr = (a: number, b: number): number => Math.trunc(a / b) * b;
  switch (unit) {
    case 'millennium':
      months = tr(years, 1000) * 12;
      break;
    case 'century':
      months = tr(years, 100) * 12;
      break;
    case 'decade':
      months = tr(years, 10) * 12;
      break;
    case 'year':
      months = years * 12;
      break;
    case 'quarter':
      months = years * 12 + tr(iv.months % 12, 3);
      break;
    case 'month':
      break;
    case 'day':
      t = 0;
      break;
    case 'hour':
      t = tr(t, 3_600_000_000);
      break;
    case 'minute':
      t = tr(t, 60_000_000);
      break;
    case 'second':
      t = tr(t, 1_000_000);
      break;
    case 'milliseconds':
      t = tr(t, 1000);
      break;
    case 'microseconds':
      break;
    default:
      throw unitNotSupported(field, IV);
  }
  if (['millennium', 'century', 'decade', 'year', 'quarter', 'month'].includes(unit)) {
    days = 0;
    t = 0;
  }
  return new Interval(months, days || 0, t || 0);
});

// ---- age --------------------------------------------------------------------------------

function age(f1: TsFields, f2: TsFields, t1: number, t2: number): Interval {
  const neg = t1 < t2;
  const s = neg ? -1 : 1;
  let us = s * (f1.us - f2.us);
  let sec = s * (f1.s - f2.s);
  let min = s * (f1.mi - f2.mi);
  let hour = s * (f1.h - f2.h);
  let mday = s * (f1.d - f2.d);
  let mon = s * (f1.m - f2.m);
  let year = s * (f1.y - f2.y);
  while (us < 0) {
    us += 1_000_000;
    sec--;
  }
  while (sec < 0) {
    sec += 60;
    min--;
  }
  while (min < 0) {
    min += 60;
    hour--;
  }
  while (hour < 0) {
    hour += 24;
    mday--;
  }
  while (mday < 0) {
    const ref = neg ? f1 : f2;
    mday += daysInMonth(ref.y, ref.m);
    mon--;
  }
  while (mon < 0) {
    mon += 12;
    year--;
  }
  const months = s * (year * 12 + mon);
  const days = s * mday;
  const time = s * (((hour * 60 + min) * 60 + sec) * 1_000_000 + us);
  return Interval.of(months || 0, days || 0, time || 0);
}

function ageTimestamps(a: number, b: number): Interval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new SbError(SqlState.datetime_field_overflow, 'cannot subtract infinite timestamps');
  return age(timestampToFields(a), timestampToFields(b), a, b);
}
function ageTimestamptz(a: number, b: number, zone: string): Interval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new SbError(SqlState.datetime_field_overflow, 'cannot subtract infinite timestamps');
  return age(timestampToFields(utcToLocal(zone, a)), timestampToFields(utcToLocal(zone, b)), a, b);
}

defFn('age', [TS, TS], IV, ([a, b]) => ageTimestamps(a as number, b as number));
defFn('age', [TZ, TZ], IV, ([a, b], ctx) => ageTimestamptz(a as number, b as number, ctx.timeZone), stable);
defFn('age', [TS], IV, ([a], ctx) => ageTimestamps(currentDate(ctx) * USECS_PER_DAY, a as number), stable);
defFn('age', [TZ], IV, ([a], ctx) => ageTimestamptz(localToUtc(ctx.timeZone, currentDate(ctx) * USECS_PER_DAY), a as number, ctx.timeZone), stable);

// ---- make_* ----------------------------------------------------------------------------------

function fieldOverflow(msg: string): SbError {
  return new SbError(SqlState.datetime_field_overflow, msg);
}

/** C's %g for the seconds in error messages. */
function g(v: number): string {
  return String(Number(v.toPrecision(6)));
}

function makeDateDays(year: number, month: number, day: number): number {
  const valid = year !== 0 && month >= 1 && month <= 12 && day >= 1;
  const y = year < 0 ? year + 1 : year;
  if (!valid || day > daysInMonth(y, month)) throw fieldOverflow(`date field value out of range: ${year}-${pad2(month)}-${pad2(day)}`);
  const days = dateToDays(y, month, day);
  if (days < -2451545 || days > 2145031948) throw fieldOverflow(`date out of range: ${year}-${pad2(month)}-${pad2(day)}`);
  return days;
}

const pad2 = (n: number): string => (n < 0 ? '-' + String(-n).padStart(2, '0') : String(n).padStart(2, '0'));

function timeFieldError(h: number, m: number, s: number): SbError {
  return fieldOverflow(`time field value out of range: ${h}:${pad2(m)}:${s < 10 && s >= 0 ? '0' + g(s) : g(s)}`);
}

/** make_time: seconds are rounded to µs before the range check (float_time_overflows). */
function makeTimeMicros(h: number, m: number, s: number): number {
  const us = rint(s * 1_000_000);
  if (h < 0 || h > 24 || m < 0 || m >= 60 || Number.isNaN(s) || us < 0 || us > 60_000_000 || (h * 60 + m) * 60_000_000 + us > USECS_PER_DAY) {
    throw timeFieldError(h, m, s);
  }
  return (h * 60 + m) * 60_000_000 + us;
}

/** make_timestamp's time part: the seconds are checked as given. */
function timestampTimeMicros(h: number, m: number, s: number): number {
  if (h < 0 || m < 0 || m > 59 || Number.isNaN(s) || s < 0 || s > 60 || h > 24 || (h === 24 && (m > 0 || s > 0))) {
    throw timeFieldError(h, m, s);
  }
  return (h * 60 + m) * 60_000_000 + rint(s * 1_000_000);
}

defFn('make_date', [I4, I4, I4], T.date, ([y, m, d]) => makeDateDays(y as number, m as number, d as number));
defFn('make_time', [I4, I4, F8], T.time, ([h, m, s]) => makeTimeMicros(h as number, m as number, s as number));

function makeTimestamp(a: unknown[]): number {
  const [y, mo, d, h, mi, s] = a as number[];
  const days = makeDateDays(y!, mo!, d!);
  const us = days * USECS_PER_DAY + timestampTimeMicros(h!, mi!, s!);
  if (!(us >= -211813488000000000 && us < 9223371331200000000)) {
    throw fieldOverflow(`timestamp out of range: ${y}-${pad2(mo!)}-${pad2(d!)} ${h}:${pad2(mi!)}:${g(s!)}`);
  }
  return us;
}
defFn('make_timestamp', [I4, I4, I4, I4, I4, F8], TS, (a) => makeTimestamp(a));
defFn('make_timestamptz', [I4, I4, I4, I4, I4, F8], TZ, (a, ctx) => checkTimestamp(localToUtc(ctx.timeZone, makeTimestamp(a))), stable);
defFn('make_timestamptz', [I4, I4, I4, I4, I4, F8, TX], TZ, (a) => {
  const local = makeTimestamp(a);
  return checkTimestamp(localToUtc(zoneForArgument(a[6] as string), local));
});

defFn(
  'make_interval',
  [I4, I4, I4, I4, I4, I4, F8],
  IV,
  (a) => {
    const [years = 0, months = 0, weeks = 0, days = 0, hours = 0, mins = 0, secs = 0] = a as number[];
    if (!Number.isFinite(secs)) throw intervalOutOfRange();
    const m = years * 12 + months;
    const dd = weeks * 7 + days;
    const t = hours * 3_600_000_000 + mins * 60_000_000 + rint(secs * 1_000_000);
    if (!Number.isFinite(t)) throw intervalOutOfRange();
    return Interval.of(m, dd, t);
  },
  { defaults: 7, argNames: ['years', 'months', 'weeks', 'days', 'hours', 'mins', 'secs'] },
);

defFn('to_timestamp', [F8], TZ, ([x]) => {
  let s = x as number;
  if (Number.isNaN(s)) throw fieldOverflow('timestamp cannot be NaN');
  if (!Number.isFinite(s)) return s;
  s -= 946_684_800;
  const us = rint(s * 1_000_000);
  if (!(us >= -211813488000000000 && us < 9223371331200000000)) throw fieldOverflow(`timestamp out of range: "${g(x as number)}"`);
  return us;
});

// ---- justify, date_bin, isfinite --------------------------------------------------------------

defFn('justify_days', [IV], IV, ([v]) => (v as Interval).justifyDays());
defFn('justify_hours', [IV], IV, ([v]) => (v as Interval).justifyHours());
defFn('justify_interval', [IV], IV, ([v]) => (v as Interval).justifyInterval());

function dateBin(stride: Interval, ts: number, origin: number): number {
  if (!Number.isFinite(ts)) return ts;
  if (!Number.isFinite(origin)) throw new SbError(SqlState.datetime_field_overflow, 'origin out of range');
  if (stride.months !== 0) {
    throw new SbError(SqlState.feature_not_supported, 'timestamps cannot be binned into intervals containing months or years');
  }
  const strideUs = stride.days * USECS_PER_DAY + stride.micros;
  if (strideUs <= 0) throw new SbError(SqlState.datetime_field_overflow, 'stride must be greater than zero');
  const diff = ts - origin;
  let delta = diff - (diff % strideUs);
  if (origin > ts && strideUs > 1) delta -= strideUs;
  return checkTimestamp(origin + delta);
}
defFn('date_bin', [IV, TS, TS], TS, ([s, t, o]) => dateBin(s as Interval, t as number, o as number));
defFn('date_bin', [IV, TZ, TZ], TZ, ([s, t, o]) => dateBin(s as Interval, t as number, o as number));

defFn('isfinite', [T.date], T.bool, ([d]) => Number.isFinite(d as number));
defFn('isfinite', [TS], T.bool, ([d]) => Number.isFinite(d as number));
defFn('isfinite', [TZ], T.bool, ([d]) => Number.isFinite(d as number));
defFn('isfinite', [IV], T.bool, () => true);

// ---- time zones -------------------------------------------------------------------------------

defFn('timezone', [TX, TS], TZ, ([z, ts]) => checkTimestamp(localToUtc(zoneForArgument(z as string), ts as number)));
defFn('timezone', [TX, TZ], TS, ([z, ts]) => checkTimestamp(utcToLocal(zoneForArgument(z as string), ts as number)));
function intervalZone(iv: Interval): number {
  if (iv.months !== 0 || iv.days !== 0) {
    throw new SbError(SqlState.invalid_parameter_value, `interval time zone "${iv.months} mons ${iv.days} days" must not include months or days`);
  }
  return iv.micros;
}
defFn('timezone', [IV, TS], TZ, ([z, ts]) => {
  const t = ts as number;
  return Number.isFinite(t) ? checkTimestamp(t - intervalZone(z as Interval)) : t;
});
defFn('timezone', [IV, TZ], TS, ([z, ts]) => {
  const t = ts as number;
  return Number.isFinite(t) ? checkTimestamp(t + intervalZone(z as Interval)) : t;
});
defFn('timezone', [TX, T.timetz], T.timetz, ([z, v], ctx) => {
  const tt = v as TimeTz;
  const zone = zoneForArgument(z as string);
  const off = zoneOffsetAt(zone, ctx.transactionTimestamp);
  const utc = tt.micros - tt.offsetSeconds * 1_000_000;
  const m = (((utc + off * 1_000_000) % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY;
  return { micros: m, offsetSeconds: off };
}, { volatility: 'v' });

// ---- overlaps ---------------------------------------------------------------------------------

/** (s1, e1) OVERLAPS (s2, e2) with the SQL standard's NULL rules. */
function overlaps(a: unknown[]): boolean | null {
  let [s1, e1, s2, e2] = a as Array<number | null>;
  if (s1 === null) {
    if (e1 === null) return null;
    s1 = e1;
    e1 = null;
  } else if (e1 !== null && s1 > e1) [s1, e1] = [e1, s1];
  if (s2 === null) {
    if (e2 === null) return null;
    s2 = e2;
    e2 = null;
  } else if (e2 !== null && s2 > e2) [s2, e2] = [e2, s2];
  if (s1 > s2) {
    if (e2 === null) return null;
    if (s1 < e2) return true;
    return e1 === null ? null : false;
  }
  if (s1 < s2) {
    if (e1 === null) return null;
    if (s2 < e1) return true;
    return e2 === null ? null : false;
  }
  return e1 === null || e2 === null ? null : true;
}
for (const t of [TS, TZ, T.time]) defFn('overlaps', [t, t, t, t], T.bool, (a) => overlaps(a), { strict: false });
export { checkDateDays, dateToDays, daysToDate };
