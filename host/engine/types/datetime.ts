// Date/time values and arithmetic with PostgreSQL's semantics.
//
// Representations (docs/design/sql_engine.md, "Values"):
//   date         days since 2000-01-01 (number); ±Infinity for ±infinity
//   time         microseconds since midnight, 0 .. 86_400_000_000 (24:00:00)
//   timetz       { micros, offsetSeconds } with offsetSeconds EAST of UTC (ISO sign)
//   timestamp    microseconds since 2000-01-01 00:00 (number); ±Infinity
//   timestamptz  microseconds since 2000-01-01 00:00 UTC; ±Infinity
// Years in broken-down times are astronomical (0 = 1 BC). Time zone rules
// come from timezone.ts; timestamptz operations take the session zone.

import { SbError, SqlState } from '../sb_error.ts';
import { POSTGRES_EPOCH_JDATE, UNIX_EPOCH_JDATE, date2j, daysInMonth, j2date } from './calendar.ts';
import { Interval } from './interval.ts';
import { localToUtc, type TimeZone } from './timezone.ts';

export const USECS_PER_SEC = 1_000_000;
export const USECS_PER_MINUTE = 60_000_000;
export const USECS_PER_HOUR = 3_600_000_000;
export const USECS_PER_DAY = 86_400_000_000;
export const SECS_PER_DAY = 86400;

/** First valid date (4714-11-24 BC) and first date past the end (5874898-01-01), days since 2000-01-01. */
export const DATE_MIN = -POSTGRES_EPOCH_JDATE;
export const DATE_END = 2147483494 - POSTGRES_EPOCH_JDATE;
/** Timestamp range: 4714-11-24 00:00 BC .. before 294277-01-01 00:00. */
export const TIMESTAMP_MIN = -211813488000000000;
export const TIMESTAMP_END = 9223371331200000000;
/** Seconds between 1970-01-01 and 2000-01-01. */
export const EPOCH_OFFSET_SECS = (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;

export interface TimetzValue {
  micros: number;
  /** Seconds EAST of UTC (ISO sign): '+05:30' is 19800. */
  offsetSeconds: number;
}

/** Broken-down date and time (pg_tm + fsec). */
export interface Tm {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  usec: number;
}

export function timestampOutOfRange(): SbError {
  return new SbError(SqlState.datetime_field_overflow, 'timestamp out of range');
}

export function dateOutOfRange(): SbError {
  return new SbError(SqlState.datetime_field_overflow, 'date out of range');
}

export function isValidDate(days: number): boolean {
  return days >= DATE_MIN && days < DATE_END;
}

export function isValidTimestamp(ts: number): boolean {
  return ts >= TIMESTAMP_MIN && ts < TIMESTAMP_END;
}

/** Checks a finite timestamp's range (22008 "timestamp out of range"); infinities pass. */
export function checkTimestamp(ts: number): number {
  if (Number.isFinite(ts) && !isValidTimestamp(ts)) throw timestampOutOfRange();
  return ts;
}

export function checkDate(days: number): number {
  if (Number.isFinite(days) && !isValidDate(days)) throw dateOutOfRange();
  return days;
}

/** floor division that stays exact for timestamps beyond 2^53 µs. */
function splitDays(ts: number): [number, number] {
  let days = Math.floor(ts / USECS_PER_DAY);
  let time = ts - days * USECS_PER_DAY;
  if (time < 0) {
    days -= 1;
    time += USECS_PER_DAY;
  } else if (time >= USECS_PER_DAY) {
    days += 1;
    time -= USECS_PER_DAY;
  }
  return [days, time];
}

export function timeToFields(time: number): { hour: number; minute: number; second: number; usec: number } {
  const hour = Math.floor(time / USECS_PER_HOUR);
  let rest = time - hour * USECS_PER_HOUR;
  const minute = Math.floor(rest / USECS_PER_MINUTE);
  rest -= minute * USECS_PER_MINUTE;
  const second = Math.floor(rest / USECS_PER_SEC);
  const usec = rest - second * USECS_PER_SEC;
  return { hour, minute, second, usec };
}

export function fieldsToTime(hour: number, minute: number, second: number, usec: number): number {
  return ((hour * 60 + minute) * 60 + second) * USECS_PER_SEC + usec;
}

/** Broken-down fields of a finite timestamp (as UTC / as written for timestamp without time zone). */
export function timestampToTm(ts: number): Tm {
  const [days, time] = splitDays(ts);
  const [year, month, day] = j2date(days + POSTGRES_EPOCH_JDATE);
  return { year, month, day, ...timeToFields(time) };
}

/** A timestamp from broken-down fields; throws 22008 when out of range. */
export function tmToTimestamp(tm: Tm): number {
  const days = date2j(tm.year, tm.month, tm.day) - POSTGRES_EPOCH_JDATE;
  const ts = days * USECS_PER_DAY + fieldsToTime(tm.hour, tm.minute, tm.second, tm.usec);
  if (!isValidTimestamp(ts)) throw timestampOutOfRange();
  return ts;
}

export function dateToYmd(days: number): [number, number, number] {
  return j2date(days + POSTGRES_EPOCH_JDATE);
}

export function ymdToDate(year: number, month: number, day: number): number {
  return date2j(year, month, day) - POSTGRES_EPOCH_JDATE;
}

/** UTC offset (seconds east) of the zone at a finite timestamptz. */
export function zoneOffsetAt(zone: TimeZone, ts: number): number {
  if (zone.fixedOffset !== undefined) return zone.fixedOffset;
  return zone.offsetAt(Math.floor(ts / USECS_PER_SEC) + EPOCH_OFFSET_SECS);
}

/** Local broken-down time of a timestamptz in a zone, with the offset (seconds east). */
export function timestamptzToTm(ts: number, zone: TimeZone): { tm: Tm; offset: number } {
  const offset = zoneOffsetAt(zone, ts);
  return { tm: timestampToTm(ts + offset * USECS_PER_SEC), offset };
}

/** The zone abbreviation at a timestamptz (for SQL/Postgres/German DateStyles). */
export function zoneAbbrevAt(zone: TimeZone, ts: number): string {
  return zone.abbrevAt(Math.floor(ts / USECS_PER_SEC) + EPOCH_OFFSET_SECS);
}

/** The UTC offset (seconds east) the zone gives a local wall-clock time, per PostgreSQL's DST rules. */
export function localOffset(zone: TimeZone, local: number): number {
  if (zone.fixedOffset !== undefined) return zone.fixedOffset;
  const [days, time] = splitDays(local);
  const secs = (days * SECS_PER_DAY + Math.floor(time / USECS_PER_SEC)) + EPOCH_OFFSET_SECS;
  return localToUtc(zone, secs).offset;
}

/** timestamptz of a local wall-clock time (a timestamp without time zone) in a zone. */
export function localToTimestamptz(local: number, zone: TimeZone): number {
  if (!Number.isFinite(local)) return local;
  const ts = local - localOffset(zone, local) * USECS_PER_SEC;
  if (!isValidTimestamp(ts)) throw timestampOutOfRange();
  return ts;
}

/** The local wall-clock time (timestamp without time zone) of a timestamptz in a zone. */
export function timestamptzToLocal(ts: number, zone: TimeZone): number {
  if (!Number.isFinite(ts)) return ts;
  const local = ts + zoneOffsetAt(zone, ts) * USECS_PER_SEC;
  if (!isValidTimestamp(local)) throw timestampOutOfRange();
  return local;
}

// ---- conversions --------------------------------------------------------------

export function dateToTimestamp(days: number): number {
  if (!Number.isFinite(days)) return days;
  const ts = days * USECS_PER_DAY;
  if (!isValidTimestamp(ts)) throw new SbError(SqlState.datetime_field_overflow, 'date out of range for timestamp');
  return ts;
}

export function dateToTimestamptz(days: number, zone: TimeZone): number {
  if (!Number.isFinite(days)) return days;
  const local = dateToTimestamp(days);
  const ts = local - localOffset(zone, local) * USECS_PER_SEC;
  if (!isValidTimestamp(ts)) throw new SbError(SqlState.datetime_field_overflow, 'date out of range for timestamp');
  return ts;
}

export function timestampToDate(ts: number): number {
  if (!Number.isFinite(ts)) return ts;
  return splitDays(ts)[0];
}

export function timestamptzToDate(ts: number, zone: TimeZone): number {
  if (!Number.isFinite(ts)) return ts;
  return splitDays(ts + zoneOffsetAt(zone, ts) * USECS_PER_SEC)[0];
}

export function timestampToTime(ts: number): number {
  if (!Number.isFinite(ts)) throw timestampOutOfRange();
  return splitDays(ts)[1];
}

export function timestamptzToTime(ts: number, zone: TimeZone): number {
  if (!Number.isFinite(ts)) throw timestampOutOfRange();
  return splitDays(ts + zoneOffsetAt(zone, ts) * USECS_PER_SEC)[1];
}

export function timestamptzToTimetz(ts: number, zone: TimeZone): TimetzValue {
  if (!Number.isFinite(ts)) throw timestampOutOfRange();
  const offset = zoneOffsetAt(zone, ts);
  return { micros: splitDays(ts + offset * USECS_PER_SEC)[1], offsetSeconds: offset };
}

/** time -> timetz: the session zone's offset for that time of day on the current date. */
export function timeToTimetz(time: number, zone: TimeZone, nowTs: number): TimetzValue {
  const today = timestamptzToDate(nowTs, zone);
  const local = today * USECS_PER_DAY + time;
  return { micros: time, offsetSeconds: localOffset(zone, local) };
}

/** date + time -> timestamp */
export function dateAddTime(days: number, time: number): number {
  if (!Number.isFinite(days)) return days;
  return checkTimestamp(days * USECS_PER_DAY + time);
}

/** interval -> time (the time part modulo one day). */
export function intervalToTime(iv: Interval): number {
  let t = iv.micros % USECS_PER_DAY;
  if (t < 0) t += USECS_PER_DAY;
  return t || 0;
}

export function timeToInterval(time: number): Interval {
  return new Interval(0, 0, time);
}

/** UTC time of a timetz, for comparisons (timetz_cmp orders by UTC time, then by zone). */
export function timetzUtcMicros(v: TimetzValue): number {
  return v.micros - v.offsetSeconds * USECS_PER_SEC;
}

// ---- arithmetic ---------------------------------------------------------------

function addMonths(tm: Tm, months: number): void {
  let mon = tm.month + months;
  if (mon > 12) {
    tm.year += Math.trunc((mon - 1) / 12);
    mon = ((mon - 1) % 12) + 1;
  } else if (mon < 1) {
    tm.year += Math.trunc(mon / 12) - 1;
    mon = (mon % 12) + 12;
  }
  tm.month = mon;
  const dim = daysInMonth(tm.year, tm.month);
  if (tm.day > dim) tm.day = dim;
}

function addDays(tm: Tm, days: number): void {
  const [y, m, d] = j2date(date2j(tm.year, tm.month, tm.day) + days);
  tm.year = y;
  tm.month = m;
  tm.day = d;
}

/** timestamp + interval (timestamp_pl_interval): months then days on the calendar, then time. */
export function timestampPlusInterval(ts: number, iv: Interval): number {
  if (!Number.isFinite(ts)) return ts;
  if (iv.months !== 0) {
    const tm = timestampToTm(ts);
    addMonths(tm, iv.months);
    ts = tmToTimestamp(tm);
  }
  if (iv.days !== 0) {
    const tm = timestampToTm(ts);
    addDays(tm, iv.days);
    ts = tmToTimestamp(tm);
  }
  ts += iv.micros;
  if (!isValidTimestamp(ts)) throw timestampOutOfRange();
  return ts;
}

export function timestampMinusInterval(ts: number, iv: Interval): number {
  return timestampPlusInterval(ts, iv.neg());
}

/** timestamptz + interval: months and days move the local wall-clock time in the zone. */
export function timestamptzPlusInterval(ts: number, iv: Interval, zone: TimeZone): number {
  if (!Number.isFinite(ts)) return ts;
  if (iv.months !== 0 || iv.days !== 0) {
    const { tm } = timestamptzToTm(ts, zone);
    if (iv.months !== 0) addMonths(tm, iv.months);
    if (iv.days !== 0) addDays(tm, iv.days);
    const local = tmToTimestamp(tm);
    ts = local - localOffset(zone, local) * USECS_PER_SEC;
    if (!isValidTimestamp(ts)) throw timestampOutOfRange();
  }
  ts += iv.micros;
  if (!isValidTimestamp(ts)) throw timestampOutOfRange();
  return ts;
}

export function timestamptzMinusInterval(ts: number, iv: Interval, zone: TimeZone): number {
  return timestamptzPlusInterval(ts, iv.neg(), zone);
}

/** timestamp - timestamp (timestamp_mi): the difference in micros, justified into days. */
export function timestampMinusTimestamp(a: number, b: number): Interval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new SbError(SqlState.datetime_field_overflow, 'cannot subtract infinite timestamps');
  }
  return new Interval(0, 0, a - b).justifyHours();
}

/** date - date = integer days */
export function dateMinusDate(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new SbError(SqlState.datetime_field_overflow, 'cannot subtract infinite dates');
  }
  return a - b;
}

/** date + integer */
export function datePlusDays(d: number, n: number): number {
  if (!Number.isFinite(d)) return d;
  const r = d + n;
  if (!isValidDate(r)) throw dateOutOfRange();
  return r;
}

/** time + interval wraps around midnight (time_pl_interval). */
export function timePlusInterval(t: number, iv: Interval): number {
  let r = (t + iv.micros) % USECS_PER_DAY;
  if (r < 0) r += USECS_PER_DAY;
  return r || 0;
}

export function timetzPlusInterval(t: TimetzValue, iv: Interval): TimetzValue {
  return { micros: timePlusInterval(t.micros, iv), offsetSeconds: t.offsetSeconds };
}

export function timeMinusTime(a: number, b: number): Interval {
  return new Interval(0, 0, a - b);
}

function ageOf(tm1: Tm, tm2: Tm, dt1: number, dt2: number): Interval {
  let usec = tm1.usec - tm2.usec;
  let sec = tm1.second - tm2.second;
  let min = tm1.minute - tm2.minute;
  let hour = tm1.hour - tm2.hour;
  let mday = tm1.day - tm2.day;
  let mon = tm1.month - tm2.month;
  let year = tm1.year - tm2.year;
  const flip = dt1 < dt2;
  if (flip) {
    usec = -usec;
    sec = -sec;
    min = -min;
    hour = -hour;
    mday = -mday;
    mon = -mon;
    year = -year;
  }
  while (usec < 0) {
    usec += USECS_PER_SEC;
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
    const ref = flip ? tm1 : tm2;
    mday += daysInMonth(ref.year, ref.month);
    mon--;
  }
  while (mon < 0) {
    mon += 12;
    year--;
  }
  if (flip) {
    usec = -usec;
    sec = -sec;
    min = -min;
    hour = -hour;
    mday = -mday;
    mon = -mon;
    year = -year;
  }
  return Interval.of(year * 12 + mon, mday, ((hour * 60 + min) * 60 + sec) * USECS_PER_SEC + usec);
}

/** age(timestamp, timestamp): the symbolic difference in years, months, days and time. */
export function age(a: number, b: number): Interval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw timestampOutOfRange();
  return ageOf(timestampToTm(a), timestampToTm(b), a, b);
}

/** age(timestamptz, timestamptz): as age() on the local times in the session zone. */
export function ageTz(a: number, b: number, zone: TimeZone): Interval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw timestampOutOfRange();
  return ageOf(timestamptzToTm(a, zone).tm, timestamptzToTm(b, zone).tm, a, b);
}

/** timestamptz AT TIME ZONE zone -> timestamp (the local time there). */
export function timestamptzAtZone(ts: number, zone: TimeZone): number {
  return timestamptzToLocal(ts, zone);
}

/** timestamp AT TIME ZONE zone -> timestamptz (the timestamp read as local time there). */
export function timestampAtZone(local: number, zone: TimeZone): number {
  return localToTimestamptz(local, zone);
}
