// Date/time output as PostgreSQL's EncodeDateOnly / EncodeTimeOnly /
// EncodeDateTime print it, for the ISO, SQL, Postgres and German DateStyles
// (with MDY/DMY field order), and interval output (EncodeInterval) for the
// postgres, postgres_verbose, sql_standard and iso_8601 IntervalStyles.

import { date2j, j2day } from './calendar.ts';
import {
  dateToYmd, timeToFields, timestampToTm, timestamptzToTm, zoneAbbrevAt, type Tm, type TimetzValue,
} from './datetime.ts';
import type { Interval } from './interval.ts';
import type { TimeZone } from './timezone.ts';

export type DateStyle = 'ISO' | 'SQL' | 'Postgres' | 'German';
export type DateOrder = 'MDY' | 'DMY' | 'YMD';
export type IntervalStyle = 'postgres' | 'postgres_verbose' | 'sql_standard' | 'iso_8601';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function pad(n: number, width: number): string {
  const s = String(Math.abs(n));
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/** The year as printed: 1 BC is year 0 internally. */
function yearText(year: number): string {
  return pad(year > 0 ? year : -(year - 1), 4);
}

/** AppendSeconds: seconds (optionally 2 digits) and up to 6 fractional digits without trailing zeros. */
export function appendSeconds(sec: number, fsec: number, fillzeros: boolean): string {
  let s = fillzeros ? pad(sec, 2) : String(Math.abs(sec));
  if (fsec !== 0) s += '.' + pad(fsec, 6).replace(/0+$/, '');
  return s;
}

/** EncodeTimezone: offset EAST in seconds as "+05", "+05:30", "-03:30:15". */
export function encodeTimezone(offsetEast: number): string {
  const a = Math.abs(offsetEast);
  const hour = Math.floor(a / 3600);
  const min = Math.floor((a % 3600) / 60);
  const sec = a % 60;
  let s = (offsetEast >= 0 ? '+' : '-') + pad(hour, 2);
  if (sec !== 0) s += ':' + pad(min, 2) + ':' + pad(sec, 2);
  else if (min !== 0) s += ':' + pad(min, 2);
  return s;
}

/** EncodeDateOnly */
export function formatDateYmd(year: number, month: number, day: number, style: DateStyle, order: DateOrder): string {
  let s: string;
  const dmy = order === 'DMY';
  switch (style) {
    case 'ISO':
      s = `${yearText(year)}-${pad(month, 2)}-${pad(day, 2)}`;
      break;
    case 'SQL':
      s = (dmy ? `${pad(day, 2)}/${pad(month, 2)}` : `${pad(month, 2)}/${pad(day, 2)}`) + '/' + yearText(year);
      break;
    case 'German':
      s = `${pad(day, 2)}.${pad(month, 2)}.${yearText(year)}`;
      break;
    default:
      s = (dmy ? `${pad(day, 2)}-${pad(month, 2)}` : `${pad(month, 2)}-${pad(day, 2)}`) + '-' + yearText(year);
  }
  return year <= 0 ? s + ' BC' : s;
}

/** date_out */
export function formatDate(days: number, style: DateStyle, order: DateOrder): string {
  if (days === Infinity) return 'infinity';
  if (days === -Infinity) return '-infinity';
  const [y, m, d] = dateToYmd(days);
  return formatDateYmd(y, m, d, style, order);
}

/** time_out */
export function formatTime(micros: number): string {
  const f = timeToFields(micros);
  return `${pad(f.hour, 2)}:${pad(f.minute, 2)}:${appendSeconds(f.second, f.usec, true)}`;
}

/** timetz_out */
export function formatTimetz(v: TimetzValue): string {
  return formatTime(v.micros) + encodeTimezone(v.offsetSeconds);
}

/** EncodeDateTime */
export function encodeDateTime(tm: Tm, style: DateStyle, order: DateOrder, tz?: { offset: number; abbrev: string }): string {
  const dmy = order === 'DMY';
  const time = `${pad(tm.hour, 2)}:${pad(tm.minute, 2)}:${appendSeconds(tm.second, tm.usec, true)}`;
  let s: string;
  switch (style) {
    case 'ISO':
      s = `${yearText(tm.year)}-${pad(tm.month, 2)}-${pad(tm.day, 2)} ${time}`;
      if (tz !== undefined) s += encodeTimezone(tz.offset);
      break;
    case 'SQL':
      s = (dmy ? `${pad(tm.day, 2)}/${pad(tm.month, 2)}` : `${pad(tm.month, 2)}/${pad(tm.day, 2)}`) + `/${yearText(tm.year)} ${time}`;
      if (tz !== undefined) s += ' ' + tz.abbrev;
      break;
    case 'German':
      s = `${pad(tm.day, 2)}.${pad(tm.month, 2)}.${yearText(tm.year)} ${time}`;
      if (tz !== undefined) s += ' ' + tz.abbrev;
      break;
    default: {
      const wday = j2day(date2j(tm.year, tm.month, tm.day));
      s = DAYS[wday]! + ' ';
      s += dmy ? `${pad(tm.day, 2)} ${MONTHS[tm.month - 1]}` : `${MONTHS[tm.month - 1]} ${pad(tm.day, 2)}`;
      s += ` ${time} ${yearText(tm.year)}`;
      if (tz !== undefined) s += ' ' + tz.abbrev;
    }
  }
  return tm.year <= 0 ? s + ' BC' : s;
}

/** timestamp_out */
export function formatTimestamp(ts: number, style: DateStyle, order: DateOrder): string {
  if (ts === Infinity) return 'infinity';
  if (ts === -Infinity) return '-infinity';
  return encodeDateTime(timestampToTm(ts), style, order);
}

/** timestamptz_out: the local time in the session zone, with its offset or abbreviation. */
export function formatTimestamptz(ts: number, zone: TimeZone, style: DateStyle, order: DateOrder): string {
  if (ts === Infinity) return 'infinity';
  if (ts === -Infinity) return '-infinity';
  const { tm, offset } = timestamptzToTm(ts, zone);
  const abbrev = style === 'ISO' ? '' : zoneAbbrevAt(zone, ts);
  return encodeDateTime(tm, style, order, { offset, abbrev });
}

// ---- interval output ----------------------------------------------------------

interface Itm {
  year: number;
  mon: number;
  mday: number;
  hour: number;
  min: number;
  sec: number;
  usec: number;
}

/** interval2itm (C truncating division). */
export function intervalToItm(iv: Interval): Itm {
  const year = Math.trunc(iv.months / 12);
  const mon = iv.months % 12;
  let t = iv.micros;
  const hour = Math.trunc(t / 3_600_000_000);
  t -= hour * 3_600_000_000;
  const min = Math.trunc(t / 60_000_000);
  t -= min * 60_000_000;
  const sec = Math.trunc(t / 1_000_000);
  const usec = t - sec * 1_000_000;
  return { year: year || 0, mon: mon || 0, mday: iv.days, hour: hour || 0, min: min || 0, sec: sec || 0, usec: usec || 0 };
}

/** interval_out (EncodeInterval) */
export function formatInterval(iv: Interval, style: IntervalStyle): string {
  let { year, mon, mday, hour, min, sec, usec } = intervalToItm(iv);
  switch (style) {
    case 'sql_standard': {
      const hasNeg = year < 0 || mon < 0 || mday < 0 || hour < 0 || min < 0 || sec < 0 || usec < 0;
      const hasPos = year > 0 || mon > 0 || mday > 0 || hour > 0 || min > 0 || sec > 0 || usec > 0;
      const hasYm = year !== 0 || mon !== 0;
      const hasDt = mday !== 0 || hour !== 0 || min !== 0 || sec !== 0 || usec !== 0;
      const sqlValue = !(hasNeg && hasPos) && !(hasYm && hasDt);
      let s = '';
      if (hasNeg && sqlValue) {
        s = '-';
        year = -year;
        mon = -mon;
        mday = -mday;
        hour = -hour;
        min = -min;
        sec = -sec;
        usec = -usec;
      }
      if (!hasNeg && !hasPos) return '0';
      if (!sqlValue) {
        const ys = year < 0 || mon < 0 ? '-' : '+';
        const ds = mday < 0 ? '-' : '+';
        const ss = hour < 0 || min < 0 || sec < 0 || usec < 0 ? '-' : '+';
        return `${ys}${Math.abs(year)}-${Math.abs(mon)} ${ds}${Math.abs(mday)} ${ss}${Math.abs(hour)}:${pad(min, 2)}:${appendSeconds(sec, usec, true)}`;
      }
      if (hasYm) return `${s}${year}-${mon}`;
      if (mday !== 0) return `${s}${mday} ${hour}:${pad(min, 2)}:${appendSeconds(sec, usec, true)}`;
      return `${s}${hour}:${pad(min, 2)}:${appendSeconds(sec, usec, true)}`;
    }
    case 'iso_8601': {
      if (year === 0 && mon === 0 && mday === 0 && hour === 0 && min === 0 && sec === 0 && usec === 0) return 'PT0S';
      let s = 'P';
      if (year !== 0) s += `${year}Y`;
      if (mon !== 0) s += `${mon}M`;
      if (mday !== 0) s += `${mday}D`;
      if (hour !== 0 || min !== 0 || sec !== 0 || usec !== 0) s += 'T';
      if (hour !== 0) s += `${hour}H`;
      if (min !== 0) s += `${min}M`;
      if (sec !== 0 || usec !== 0) {
        if (sec < 0 || usec < 0) s += '-';
        s += appendSeconds(sec, usec, false) + 'S';
      }
      return s;
    }
    case 'postgres': {
      let s = '';
      let isZero = true;
      let isBefore = false;
      const part = (value: number, units: string): void => {
        if (value === 0) return;
        s += `${!isZero ? ' ' : ''}${isBefore && value > 0 ? '+' : ''}${value} ${units}${value !== 1 ? 's' : ''}`;
        isBefore = value < 0;
        isZero = false;
      };
      part(year, 'year');
      part(mon, 'mon');
      part(mday, 'day');
      if (isZero || hour !== 0 || min !== 0 || sec !== 0 || usec !== 0) {
        const minus = hour < 0 || min < 0 || sec < 0 || usec < 0;
        s += `${isZero ? '' : ' '}${minus ? '-' : isBefore ? '+' : ''}${pad(hour, 2)}:${pad(min, 2)}:${appendSeconds(sec, usec, true)}`;
      }
      return s;
    }
    default: {
      let s = '@';
      let isZero = true;
      let isBefore = false;
      const part = (value: number, units: string): void => {
        if (value === 0) return;
        if (isZero) {
          isBefore = value < 0;
          value = Math.abs(value);
        } else if (isBefore) value = -value;
        s += ` ${value} ${units}${value === 1 ? '' : 's'}`;
        isZero = false;
      };
      part(year, 'year');
      part(mon, 'mon');
      part(mday, 'day');
      part(hour, 'hour');
      part(min, 'min');
      if (sec !== 0 || usec !== 0) {
        s += ' ';
        if (sec < 0 || (sec === 0 && usec < 0)) {
          if (isZero) isBefore = true;
          else if (!isBefore) s += '-';
        } else if (isBefore) s += '-';
        s += appendSeconds(sec, usec, false) + ` sec${Math.abs(sec) !== 1 || usec !== 0 ? 's' : ''}`;
        isZero = false;
      }
      if (isZero) s += ' 0';
      if (isBefore) s += ' ago';
      return s;
    }
  }
}
