// SQL interval: { months, days, micros } as PostgreSQL stores it (int32
// months, int32 days, int64 microseconds; micros is exact to 2^53 µs, about
// 285 years). Arithmetic, justify_*, typmod coercion and the comparison
// order of interval_cmp (30-day months, 24-hour days).

import { SbError, SqlState } from '../sb_error.ts';
import {
  INTERVAL_DAY,
  INTERVAL_FULL_PRECISION,
  INTERVAL_FULL_RANGE,
  INTERVAL_HOUR,
  INTERVAL_MINUTE,
  INTERVAL_MONTH,
  INTERVAL_SECOND,
  INTERVAL_YEAR,
  intervalTypmodPrecision,
  intervalTypmodRange,
} from './type_names.ts';

export const USECS_PER_SEC = 1_000_000;
export const USECS_PER_MINUTE = 60_000_000;
export const USECS_PER_HOUR = 3_600_000_000;
export const USECS_PER_DAY = 86_400_000_000;
export const DAYS_PER_MONTH = 30;
export const MONTHS_PER_YEAR = 12;
export const SECS_PER_DAY = 86400;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MAX_F = 9223372036854775807;

export function intervalOutOfRange(): SbError {
  return new SbError(SqlState.datetime_field_overflow, 'interval out of range');
}

function checkInt32(v: number): number {
  if (!(v >= INT32_MIN && v <= INT32_MAX)) throw intervalOutOfRange();
  return v;
}

function checkInt64(v: number): number {
  if (!(v >= -INT64_MAX_F && v < INT64_MAX_F)) throw intervalOutOfRange();
  return v;
}

/** C-style truncating division remainder helpers. */
function tdiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

/** rint(): round half to even, as C's default rounding mode. */
export function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  // Math.round rounds .5 up; fix ties to even.
  if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

function tsround(x: number): number {
  return rint(x * 1e6) / 1e6;
}

export class Interval {
  constructor(
    readonly months: number,
    readonly days: number,
    readonly micros: number,
  ) {}

  static readonly ZERO = new Interval(0, 0, 0);

  static of(months: number, days: number, micros: number): Interval {
    return new Interval(checkInt32(months), checkInt32(days), checkInt64(micros));
  }

  add(o: Interval): Interval {
    return Interval.of(this.months + o.months, this.days + o.days, this.micros + o.micros);
  }

  sub(o: Interval): Interval {
    return Interval.of(this.months - o.months, this.days - o.days, this.micros - o.micros);
  }

  neg(): Interval {
    if (this.months === INT32_MIN || this.days === INT32_MIN) throw intervalOutOfRange();
    return new Interval(-this.months || 0, -this.days || 0, -this.micros || 0);
  }

  /** interval * float8 (interval_mul): fractions of months and days cascade down. */
  mul(factor: number): Interval {
    const monthD = this.months * factor;
    if (Number.isNaN(monthD) || !(monthD >= INT32_MIN && monthD <= INT32_MAX)) throw intervalOutOfRange();
    const dayD = this.days * factor;
    if (Number.isNaN(dayD) || !(dayD >= INT32_MIN && dayD <= INT32_MAX)) throw intervalOutOfRange();
    const month = Math.trunc(monthD);
    let day = Math.trunc(dayD);
    const monthRemainderDays = tsround((this.months * factor - month) * DAYS_PER_MONTH);
    let secRemainder = tsround((this.days * factor - day + monthRemainderDays - Math.trunc(monthRemainderDays)) * SECS_PER_DAY);
    if (Math.abs(secRemainder) >= SECS_PER_DAY) {
      day = checkInt32(day + Math.trunc(secRemainder / SECS_PER_DAY));
      secRemainder -= Math.trunc(secRemainder / SECS_PER_DAY) * SECS_PER_DAY;
    }
    day = checkInt32(day + Math.trunc(monthRemainderDays));
    const time = rint(this.micros * factor + secRemainder * USECS_PER_SEC);
    if (Number.isNaN(time)) throw intervalOutOfRange();
    return new Interval(month || 0, day || 0, checkInt64(time) || 0);
  }

  /** interval / float8 (interval_div). */
  div(factor: number): Interval {
    if (factor === 0) throw new SbError(SqlState.division_by_zero, 'division by zero');
    const monthD = this.months / factor;
    const dayD = this.days / factor;
    if (Number.isNaN(monthD) || !(monthD >= INT32_MIN && monthD <= INT32_MAX)) throw intervalOutOfRange();
    if (Number.isNaN(dayD) || !(dayD >= INT32_MIN && dayD <= INT32_MAX)) throw intervalOutOfRange();
    const month = Math.trunc(monthD);
    let day = Math.trunc(dayD);
    const monthRemainderDays = tsround((this.months / factor - month) * DAYS_PER_MONTH);
    let secRemainder = tsround((this.days / factor - day + monthRemainderDays - Math.trunc(monthRemainderDays)) * SECS_PER_DAY);
    if (Math.abs(secRemainder) >= SECS_PER_DAY) {
      day += Math.trunc(secRemainder / SECS_PER_DAY);
      secRemainder -= Math.trunc(secRemainder / SECS_PER_DAY) * SECS_PER_DAY;
    }
    day = checkInt32(day + Math.trunc(monthRemainderDays));
    const time = rint(this.micros / factor + secRemainder * USECS_PER_SEC);
    if (Number.isNaN(time)) throw intervalOutOfRange();
    return new Interval(month || 0, day || 0, checkInt64(time) || 0);
  }

  /** The linear value interval_cmp orders by: micros + (days + 30·months) · 86400e6. */
  cmpKey(): bigint {
    return (BigInt(this.months) * 30n + BigInt(this.days)) * 86400000000n + BigInt(this.micros);
  }

  cmp(o: Interval): number {
    if (this.months === o.months && this.days === o.days) {
      return this.micros < o.micros ? -1 : this.micros > o.micros ? 1 : 0;
    }
    const a = this.cmpKey();
    const b = o.cmpKey();
    return a < b ? -1 : a > b ? 1 : 0;
  }

  eq(o: Interval): boolean {
    return this.cmp(o) === 0;
  }

  /** Identical fields (not just equal under interval_cmp). */
  same(o: Interval): boolean {
    return this.months === o.months && this.days === o.days && this.micros === o.micros;
  }

  justifyHours(): Interval {
    let time = this.micros % USECS_PER_DAY;
    let day = checkInt32(this.days + tdiv(this.micros, USECS_PER_DAY));
    if (day > 0 && time < 0) {
      time += USECS_PER_DAY;
      day--;
    } else if (day < 0 && time > 0) {
      time -= USECS_PER_DAY;
      day++;
    }
    return new Interval(this.months, day, time || 0);
  }

  justifyDays(): Interval {
    const wholeMonth = tdiv(this.days, DAYS_PER_MONTH);
    let day = this.days - wholeMonth * DAYS_PER_MONTH;
    let month = checkInt32(this.months + wholeMonth);
    if (month > 0 && day < 0) {
      day += DAYS_PER_MONTH;
      month--;
    } else if (month < 0 && day > 0) {
      day -= DAYS_PER_MONTH;
      month++;
    }
    return new Interval(month, day || 0, this.micros);
  }

  justifyInterval(): Interval {
    let month = this.months;
    let day = this.days;
    let time = this.micros;
    if ((day > 0 && time > 0) || (day < 0 && time < 0)) {
      const wm = tdiv(day, DAYS_PER_MONTH);
      day -= wm * DAYS_PER_MONTH;
      month = checkInt32(month + wm);
    }
    const wholeDay = tdiv(time, USECS_PER_DAY);
    time = time % USECS_PER_DAY;
    day = checkInt32(day + wholeDay);
    const wm = tdiv(day, DAYS_PER_MONTH);
    day -= wm * DAYS_PER_MONTH;
    month = checkInt32(month + wm);
    if (month > 0 && (day < 0 || (day === 0 && time < 0))) {
      day += DAYS_PER_MONTH;
      month--;
    } else if (month < 0 && (day > 0 || (day === 0 && time > 0))) {
      day -= DAYS_PER_MONTH;
      month++;
    }
    if (day > 0 && time < 0) {
      time += USECS_PER_DAY;
      day--;
    } else if (day < 0 && time > 0) {
      time -= USECS_PER_DAY;
      day++;
    }
    return new Interval(month || 0, day || 0, time || 0);
  }

  /** Coerces to interval [fields] [(p)] as AdjustIntervalForTypmod does. */
  applyTypmod(typmod: number): Interval {
    if (typmod < 0) return this;
    const range = intervalTypmodRange(typmod);
    const precision = intervalTypmodPrecision(typmod);
    let { months, days, micros } = this;
    const Y = INTERVAL_YEAR;
    const M = INTERVAL_MONTH;
    const D = INTERVAL_DAY;
    const H = INTERVAL_HOUR;
    const MI = INTERVAL_MINUTE;
    const S = INTERVAL_SECOND;
    switch (range) {
      case INTERVAL_FULL_RANGE:
        break;
      case Y:
        months = tdiv(months, MONTHS_PER_YEAR) * MONTHS_PER_YEAR;
        days = 0;
        micros = 0;
        break;
      case M:
      case Y | M:
        days = 0;
        micros = 0;
        break;
      case D:
        micros = 0;
        break;
      case H:
      case D | H:
        micros = tdiv(micros, USECS_PER_HOUR) * USECS_PER_HOUR;
        break;
      case MI:
      case D | H | MI:
      case H | MI:
        micros = tdiv(micros, USECS_PER_MINUTE) * USECS_PER_MINUTE;
        break;
      case S:
      case D | H | MI | S:
      case H | MI | S:
      case MI | S:
        break;
      default:
        throw new SbError(SqlState.internal_error, `unrecognized interval typmod: ${typmod}`);
    }
    if (precision !== INTERVAL_FULL_PRECISION) micros = roundMicros(micros, precision);
    if (months === this.months && days === this.days && micros === this.micros) return this;
    return new Interval(months || 0, days || 0, micros || 0);
  }

  /** Approximate total seconds (epoch of an interval: 365.25-day years, 30-day months). */
  epochSeconds(): number {
    const years = Math.trunc(this.months / MONTHS_PER_YEAR);
    const months = this.months % MONTHS_PER_YEAR;
    return (
      years * 365.25 * SECS_PER_DAY + months * DAYS_PER_MONTH * SECS_PER_DAY + this.days * SECS_PER_DAY + this.micros / USECS_PER_SEC
    );
  }
}

/** Rounds microseconds to p fractional digits, half away from zero (as the typmod code does). */
export function roundMicros(micros: number, precision: number): number {
  if (precision >= 6 || precision < 0) return micros;
  const scale = 10 ** (6 - precision);
  const offset = scale / 2;
  if (micros >= 0) return Math.trunc((micros + offset) / scale) * scale;
  return -(Math.trunc((-micros + offset) / scale) * scale) || 0;
}
