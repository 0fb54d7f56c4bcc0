// to_char for timestamp, timestamptz and interval (template patterns in
// datetime_format_pattern.ts), and to_char/to_number for numbers
// (number_format_pattern.ts); to_date/to_timestamp(text, text) are in
// to_timestamp.ts.

import { date2j, j2day } from '../types/calendar.ts';
import { timestampToTm, timestamptzToTm, zoneAbbrevAt } from '../types/datetime.ts';
import type { Interval } from '../types/interval.ts';
import { T } from '../types/types.ts';
import { sessionZone } from './context.ts';
import { dchToChar, parseDchFormat, type CharTm } from './datetime_format_pattern.ts';
import { defFn } from './registry.ts';

function charTmOfLocal(ts: number): CharTm {
  const tm = timestampToTm(ts);
  const j = date2j(tm.year, tm.month, tm.day);
  return { ...tm, wday: j2day(j), yday: j - date2j(tm.year, 1, 1) + 1, gmtoff: 0, isInterval: false };
}

/** to_char(timestamp, text); NULL for infinities and an empty template, as in PostgreSQL. */
export function timestampToChar(ts: number, fmt: string): string | null {
  if (!Number.isFinite(ts) || fmt === '') return null;
  return dchToChar(parseDchFormat(fmt), charTmOfLocal(ts));
}

const DAYS_PER_MONTH = 30;

defFn('to_char', [T.timestamp, T.text], T.text, ([ts, f]) => timestampToChar(ts as number, f as string));

defFn('to_char', [T.timestamptz, T.text], T.text, ([ts, f], ctx) => {
  const t = ts as number;
  const fmt = f as string;
  if (!Number.isFinite(t) || fmt === '') return null;
  const zone = sessionZone(ctx);
  const { tm, offset } = timestamptzToTm(t, zone);
  const j = date2j(tm.year, tm.month, tm.day);
  const ctm: CharTm = {
    ...tm, wday: j2day(j), yday: j - date2j(tm.year, 1, 1) + 1, gmtoff: offset, tzn: zoneAbbrevAt(zone, t), isInterval: false,
  };
  return dchToChar(parseDchFormat(fmt), ctm);
}, { volatility: 's' });

defFn('to_char', [T.interval, T.text], T.text, ([v, f]) => {
  const iv = v as Interval;
  const fmt = f as string;
  if (fmt === '') return null;
  // interval2itm: C truncating divisions; the fields keep the interval's signs.
  const year = Math.trunc(iv.months / 12);
  const month = iv.months % 12 || 0;
  const hour = Math.trunc(iv.micros / 3_600_000_000);
  let rest = iv.micros - hour * 3_600_000_000;
  const minute = Math.trunc(rest / 60_000_000);
  rest -= minute * 60_000_000;
  const second = Math.trunc(rest / 1_000_000);
  const usec = rest - second * 1_000_000;
  const ctm: CharTm = {
    year, month, day: iv.days, hour: hour || 0, minute: minute || 0, second: second || 0, usec: usec || 0,
    // wday is meaningless; yday approximates the span in days.
    yday: (year * 12 + month) * DAYS_PER_MONTH + iv.days, gmtoff: 0, isInterval: true,
  };
  return dchToChar(parseDchFormat(fmt), ctm);
});
