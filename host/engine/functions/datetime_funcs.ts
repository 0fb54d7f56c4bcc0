// Date/time functions: now() and the other clocks, date_trunc, age,
// make_date/time/timestamp(tz)/interval, to_timestamp(double),
// justify_*, date_bin, isfinite, timezone() (AT TIME ZONE), overlaps.

import { SbError, SqlState } from '../sb_error.ts';
import { Interval, intervalOutOfRange, rint, roundMicros } from '../types/interval.ts';
import { T } from '../types/types.ts';
import type { EvalContext } from './context.ts';
import { sessionZone } from './context.ts';
import { type TimeTz } from './ops_datetime.ts';
import { defFn } from './registry.ts';
import { clockAfterSleep } from './sleep.ts';
import { daysInMonth } from '../types/calendar.ts';
import {
  age as ageTimestamps,
  ageTz,
  checkTimestamp,
  localToTimestamptz,
  timestampAtZone,
  timestamptzAtZone,
  timestamptzToLocal,
  timestamptzToTm,
  USECS_PER_DAY,
  ymdToDate,
  zoneOffsetAt,
} from '../types/datetime.ts';
import { truncInterval, truncTimestamp, truncTimestamptz } from '../types/datetime_fields.ts';
import { zoneForAtTimeZone } from '../types/timezone.ts';

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
// (After a pg_sleep() in the statement: the time once its sleep is served, see sleep.ts.)
defFn('clock_timestamp', [], TZ, (_a, ctx) => clockAfterSleep(ctx), volatile);
defFn('timeofday', [], TX, (_a, ctx) => timeofday(clockAfterSleep(ctx), ctx), volatile);

function timeofday(us: number, ctx: EvalContext): string {
  const { tm: f, offset: off } = timestamptzToTm(us, sessionZone(ctx));
  const days = Math.floor((us + off * 1e6) / USECS_PER_DAY);
  const dow = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][(((days + 6) % 7) + 7) % 7];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][f.month - 1];
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const sign = off < 0 ? '-' : '+';
  return `${dow} ${mon} ${p2(f.day)} ${p2(f.hour)}:${p2(f.minute)}:${p2(f.second)}.${String(f.usec).padStart(6, '0')} ${f.year} ${sign}${p2(Math.abs(off) / 3600)}`;
}

/** SQL value functions (CURRENT_DATE, CURRENT_TIMESTAMP(p), LOCALTIME...). */
export function currentDate(ctx: EvalContext): number {
  return Math.floor(timestamptzToLocal(ctx.transactionTimestamp, sessionZone(ctx)) / USECS_PER_DAY);
}
export function localTimestamp(ctx: EvalContext, precision?: number): number {
  return roundMicros(timestamptzToLocal(ctx.transactionTimestamp, sessionZone(ctx)), precision ?? 6);
}
export function currentTimestamp(ctx: EvalContext, precision?: number): number {
  return roundMicros(ctx.transactionTimestamp, precision ?? 6);
}
export function localTime(ctx: EvalContext, precision?: number): number {
  const local = localTimestamp(ctx, precision);
  return local - Math.floor(local / USECS_PER_DAY) * USECS_PER_DAY;
}
export function currentTime(ctx: EvalContext, precision?: number): TimeTz {
  return { micros: localTime(ctx, precision), offsetSeconds: zoneOffsetAt(sessionZone(ctx), ctx.transactionTimestamp) };
}

// ---- date_trunc -----------------------------------------------------------------------

defFn('date_trunc', [TX, TS], TS, ([f, ts]) => truncTimestamp(f as string, ts as number));
defFn('date_trunc', [TX, TZ], TZ, ([f, ts], ctx) => truncTimestamptz(f as string, ts as number, sessionZone(ctx)), stable);
defFn('date_trunc', [TX, TZ, TX], TZ, ([f, ts, z]) =>
  Number.isFinite(ts as number) ? truncTimestamptz(f as string, ts as number, zoneForAtTimeZone(z as string)) : ts,
);
defFn('date_trunc', [TX, IV], IV, ([f, v]) => truncInterval(f as string, v as Interval));

// ---- age --------------------------------------------------------------------------------

defFn('age', [TS, TS], IV, ([a, b]) => ageTimestamps(a as number, b as number));
defFn('age', [TZ, TZ], IV, ([a, b], ctx) => ageTz(a as number, b as number, sessionZone(ctx)), stable);
defFn('age', [TS], IV, ([a], ctx) => ageTimestamps(currentDate(ctx) * USECS_PER_DAY, a as number), stable);
defFn('age', [TZ], IV, ([a], ctx) => {
  const zone = sessionZone(ctx);
  return ageTz(localToTimestamptz(currentDate(ctx) * USECS_PER_DAY, zone), a as number, zone);
}, stable);

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
  const days = ymdToDate(y, month, day);
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

/** make_timestamp's time part: the same checks as make_time (float_time_overflows). */
function timestampTimeMicros(h: number, m: number, s: number): number {
  return makeTimeMicros(h, m, s);
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
defFn('make_timestamptz', [I4, I4, I4, I4, I4, F8], TZ, (a, ctx) => timestampAtZone(makeTimestamp(a), sessionZone(ctx)), stable);
defFn('make_timestamptz', [I4, I4, I4, I4, I4, F8, TX], TZ, (a) => {
  const local = makeTimestamp(a);
  return timestampAtZone(local, zoneForAtTimeZone(a[6] as string));
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

// Infinities pass through before the zone is looked up (timestamp_zone / timestamptz_zone).
defFn('timezone', [TX, TS], TZ, ([z, ts]) => (Number.isFinite(ts as number) ? timestampAtZone(ts as number, zoneForAtTimeZone(z as string)) : ts));
defFn('timezone', [TX, TZ], TS, ([z, ts]) => (Number.isFinite(ts as number) ? timestamptzAtZone(ts as number, zoneForAtTimeZone(z as string)) : ts));
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
  const zone = zoneForAtTimeZone(z as string);
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
