// Date/time arithmetic operators: date ± integer, date - date, date/time
// combinations, timestamp(tz) ± interval (months and days applied on the
// calendar, in the session time zone for timestamptz), timestamp
// differences, time ± interval, interval arithmetic.

import { SbError, SqlState } from '../sb_error.ts';
import { Interval } from '../types/interval.ts';
import { T } from '../types/types.ts';
import type { EvalContext } from './context.ts';
import { dateToTimestamp, dateToTimestamptz } from './ops_compare.ts';
import { defOp } from './registry.ts';
import {
  checkTimestamp,
  DATE_DAYS_MAX,
  DATE_DAYS_MIN,
  dateOutOfRange,
  dateToDays,
  daysInMonth,
  daysToDate,
  localToUtc,
  splitMicros,
  USECS_PER_DAY,
  utcToLocal,
} from './stopgap/datetime.ts';

export interface TimeTz {
  micros: number;
  /** Offset east of UTC in seconds. */
  offsetSeconds: number;
}

export function checkDateDays(d: number): number {
  if (!(d >= DATE_DAYS_MIN && d <= DATE_DAYS_MAX)) throw dateOutOfRange();
  return d;
}

export function datePlusDays(d: number, n: number): number {
  if (!Number.isFinite(d)) return d;
  return checkDateDays(d + n);
}

/** Adds calendar months, clamping the day to the end of the resulting month. */
export function addMonthsToLocal(local: number, months: number): number {
  const { days, time } = splitMicros(local);
  const { y, m, d } = daysToDate(days);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  const nd = Math.min(d, daysInMonth(ny, nm));
  return checkTimestamp(dateToDays(ny, nm, nd) * USECS_PER_DAY + time);
}

/** timestamp + interval (timestamp_pl_interval). */
export function timestampPlusInterval(ts: number, iv: Interval): number {
  if (!Number.isFinite(ts)) return ts;
  let t = ts;
  if (iv.months !== 0) t = addMonthsToLocal(t, iv.months);
  if (iv.days !== 0) t = checkTimestamp(t + iv.days * USECS_PER_DAY);
  return checkTimestamp(t + iv.micros);
}

/** timestamptz + interval: months and days move the wall clock of the session zone. */
export function timestamptzPlusInterval(ts: number, iv: Interval, zone: string): number {
  if (!Number.isFinite(ts)) return ts;
  let t = ts;
  if (iv.months !== 0 || iv.days !== 0) {
    let local = utcToLocal(zone, t);
    if (iv.months !== 0) local = addMonthsToLocal(local, iv.months);
    if (iv.days !== 0) local = checkTimestamp(local + iv.days * USECS_PER_DAY);
    t = localToUtc(zone, local);
  }
  return checkTimestamp(t + iv.micros);
}

function infiniteDiff(what: string): SbError {
  return new SbError(SqlState.datetime_field_overflow, `cannot subtract infinite ${what}`);
}

/** timestamp - timestamp: micros, with whole days carried into the days field (justify_hours). */
export function timestampDiff(a: number, b: number): Interval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw infiniteDiff('timestamps');
  return new Interval(0, 0, a - b).justifyHours();
}

export function timeWrap(us: number): number {
  let r = us % USECS_PER_DAY;
  if (r < 0) r += USECS_PER_DAY;
  return r || 0;
}

const D = T.date;
const TS = T.timestamp;
const TZ = T.timestamptz;
const IV = T.interval;

defOp('+', D, T.int4, D, (a, b) => datePlusDays(a as number, b as number), { commutator: '+' });
defOp('+', T.int4, D, D, (a, b) => datePlusDays(b as number, a as number), { commutator: '+' });
defOp('-', D, T.int4, D, (a, b) => datePlusDays(a as number, -(b as number)));
defOp('-', D, D, T.int4, (a, b) => {
  if (!Number.isFinite(a as number) || !Number.isFinite(b as number)) throw infiniteDiff('dates');
  return (a as number) - (b as number);
});

function dateTime(d: number, time: number): number {
  if (!Number.isFinite(d)) return d;
  return checkTimestamp(d * USECS_PER_DAY + time);
}

defOp('+', D, T.time, TS, (a, b) => dateTime(a as number, b as number), { commutator: '+' });
defOp('+', T.time, D, TS, (a, b) => dateTime(b as number, a as number), { commutator: '+' });

function dateTimeTz(d: number, t: TimeTz): number {
  if (!Number.isFinite(d)) return d;
  return checkTimestamp(d * USECS_PER_DAY + t.micros - t.offsetSeconds * 1_000_000);
}

defOp('+', D, T.timetz, TZ, (a, b) => dateTimeTz(a as number, b as TimeTz), { commutator: '+' });
defOp('+', T.timetz, D, TZ, (a, b) => dateTimeTz(b as number, a as TimeTz), { commutator: '+' });

defOp('+', D, IV, TS, (a, b) => timestampPlusInterval(dateToTimestamp(a as number), b as Interval), { commutator: '+' });
defOp('+', IV, D, TS, (a, b) => timestampPlusInterval(dateToTimestamp(b as number), a as Interval), { commutator: '+' });
defOp('-', D, IV, TS, (a, b) => timestampPlusInterval(dateToTimestamp(a as number), (b as Interval).neg()));

defOp('+', T.time, IV, T.time, (a, b) => timeWrap((a as number) + (b as Interval).micros), { commutator: '+' });
defOp('+', IV, T.time, T.time, (a, b) => timeWrap((b as number) + (a as Interval).micros), { commutator: '+' });
defOp('-', T.time, IV, T.time, (a, b) => timeWrap((a as number) - (b as Interval).micros));
defOp('-', T.time, T.time, IV, (a, b) => new Interval(0, 0, (a as number) - (b as number)));

const tzPlus = (t: TimeTz, us: number): TimeTz => ({ micros: timeWrap(t.micros + us), offsetSeconds: t.offsetSeconds });
defOp('+', T.timetz, IV, T.timetz, (a, b) => tzPlus(a as TimeTz, (b as Interval).micros), { commutator: '+' });
defOp('+', IV, T.timetz, T.timetz, (a, b) => tzPlus(b as TimeTz, (a as Interval).micros), { commutator: '+' });
defOp('-', T.timetz, IV, T.timetz, (a, b) => tzPlus(a as TimeTz, -(b as Interval).micros));

defOp('+', TS, IV, TS, (a, b) => timestampPlusInterval(a as number, b as Interval), { commutator: '+' });
defOp('+', IV, TS, TS, (a, b) => timestampPlusInterval(b as number, a as Interval), { commutator: '+' });
defOp('-', TS, IV, TS, (a, b) => timestampPlusInterval(a as number, (b as Interval).neg()));
defOp('-', TS, TS, IV, (a, b) => timestampDiff(a as number, b as number));

const tzOf = (ctx: EvalContext): string => ctx.timeZone;
defOp('+', TZ, IV, TZ, (a, b, ctx) => timestamptzPlusInterval(a as number, b as Interval, tzOf(ctx)), { commutator: '+' });
defOp('+', IV, TZ, TZ, (a, b, ctx) => timestamptzPlusInterval(b as number, a as Interval, tzOf(ctx)), { commutator: '+' });
defOp('-', TZ, IV, TZ, (a, b, ctx) => timestamptzPlusInterval(a as number, (b as Interval).neg(), tzOf(ctx)));
defOp('-', TZ, TZ, IV, (a, b) => timestampDiff(a as number, b as number));

defOp('+', IV, IV, IV, (a, b) => (a as Interval).add(b as Interval), { commutator: '+' });
defOp('-', IV, IV, IV, (a, b) => (a as Interval).sub(b as Interval));
defOp('-', null, IV, IV, (_l, a) => (a as Interval).neg());
defOp('*', IV, T.float8, IV, (a, b) => (a as Interval).mul(b as number), { commutator: '*' });
defOp('*', T.float8, IV, IV, (a, b) => (b as Interval).mul(a as number), { commutator: '*' });
defOp('/', IV, T.float8, IV, (a, b) => (a as Interval).div(b as number));

export { dateToTimestamp, dateToTimestamptz };
