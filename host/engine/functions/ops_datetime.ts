// Date/time arithmetic operators: date ± integer, date - date, date/time
// combinations, timestamp(tz) ± interval (months and days applied on the
// calendar, in the session time zone for timestamptz), timestamp
// differences, time ± interval, interval arithmetic.

import { Interval } from '../types/interval.ts';
import { T } from '../types/types.ts';
import { defOp } from './registry.ts';
import {
  checkDate,
  checkTimestamp,
  dateAddTime,
  dateMinusDate,
  datePlusDays,
  dateToTimestamp,
  timePlusInterval,
  timestampMinusTimestamp,
  timestampPlusInterval,
  timestamptzPlusInterval,
  USECS_PER_DAY,
  type TimetzValue,
} from '../types/datetime.ts';
import { sessionZone } from './context.ts';

export type TimeTz = TimetzValue;

export function checkDateDays(d: number): number {
  return checkDate(d);
}

export { datePlusDays, timestampPlusInterval, timestamptzPlusInterval };

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
defOp('-', D, D, T.int4, (a, b) => dateMinusDate(a as number, b as number));

defOp('+', D, T.time, TS, (a, b) => dateAddTime(a as number, b as number), { commutator: '+' });
defOp('+', T.time, D, TS, (a, b) => dateAddTime(b as number, a as number), { commutator: '+' });

function dateTimeTz(d: number, t: TimeTz): number {
  if (!Number.isFinite(d)) return d;
  return checkTimestamp(d * USECS_PER_DAY + t.micros - t.offsetSeconds * 1_000_000);
}

defOp('+', D, T.timetz, TZ, (a, b) => dateTimeTz(a as number, b as TimeTz), { commutator: '+' });
defOp('+', T.timetz, D, TZ, (a, b) => dateTimeTz(b as number, a as TimeTz), { commutator: '+' });

defOp('+', D, IV, TS, (a, b) => timestampPlusInterval(dateToTimestamp(a as number), b as Interval), { commutator: '+' });
defOp('+', IV, D, TS, (a, b) => timestampPlusInterval(dateToTimestamp(b as number), a as Interval), { commutator: '+' });
defOp('-', D, IV, TS, (a, b) => timestampPlusInterval(dateToTimestamp(a as number), (b as Interval).neg()));

defOp('+', T.time, IV, T.time, (a, b) => timePlusInterval(a as number, b as Interval), { commutator: '+' });
defOp('+', IV, T.time, T.time, (a, b) => timePlusInterval(b as number, a as Interval), { commutator: '+' });
defOp('-', T.time, IV, T.time, (a, b) => timePlusInterval(a as number, (b as Interval).neg()));
defOp('-', T.time, T.time, IV, (a, b) => new Interval(0, 0, (a as number) - (b as number)));

const tzPlus = (t: TimeTz, us: number): TimeTz => ({ micros: timeWrap(t.micros + us), offsetSeconds: t.offsetSeconds });
defOp('+', T.timetz, IV, T.timetz, (a, b) => tzPlus(a as TimeTz, (b as Interval).micros), { commutator: '+' });
defOp('+', IV, T.timetz, T.timetz, (a, b) => tzPlus(b as TimeTz, (a as Interval).micros), { commutator: '+' });
defOp('-', T.timetz, IV, T.timetz, (a, b) => tzPlus(a as TimeTz, -(b as Interval).micros));

defOp('+', TS, IV, TS, (a, b) => timestampPlusInterval(a as number, b as Interval), { commutator: '+' });
defOp('+', IV, TS, TS, (a, b) => timestampPlusInterval(b as number, a as Interval), { commutator: '+' });
defOp('-', TS, IV, TS, (a, b) => timestampPlusInterval(a as number, (b as Interval).neg()));
defOp('-', TS, TS, IV, (a, b) => timestampMinusTimestamp(a as number, b as number));

defOp('+', TZ, IV, TZ, (a, b, ctx) => timestamptzPlusInterval(a as number, b as Interval, sessionZone(ctx)), { commutator: '+' });
defOp('+', IV, TZ, TZ, (a, b, ctx) => timestamptzPlusInterval(b as number, a as Interval, sessionZone(ctx)), { commutator: '+' });
defOp('-', TZ, IV, TZ, (a, b, ctx) => timestamptzPlusInterval(a as number, (b as Interval).neg(), sessionZone(ctx)));
defOp('-', TZ, TZ, IV, (a, b) => timestampMinusTimestamp(a as number, b as number));

defOp('+', IV, IV, IV, (a, b) => (a as Interval).add(b as Interval), { commutator: '+' });
defOp('-', IV, IV, IV, (a, b) => (a as Interval).sub(b as Interval));
defOp('-', null, IV, IV, (_l, a) => (a as Interval).neg());
defOp('*', IV, T.float8, IV, (a, b) => (a as Interval).mul(b as number), { commutator: '*' });
defOp('*', T.float8, IV, IV, (a, b) => (b as Interval).mul(a as number), { commutator: '*' });
defOp('/', IV, T.float8, IV, (a, b) => (a as Interval).div(b as number));

