import { describe, expect, it } from 'vitest';
import { date2j, j2date, date2isoweek, date2isoyear } from '../../host/engine/types/calendar.ts';
import { settingsOf } from '../../host/engine/types/context.ts';
import {
  age, dateMinusDate, datePlusDays, timePlusInterval, timeMinusTime, timestampMinusTimestamp, timestampPlusInterval,
  timestamptzPlusInterval,
} from '../../host/engine/types/datetime.ts';
import { datePart, extractField, truncInterval, truncTimestamp, truncTimestamptz } from '../../host/engine/types/datetime_fields.ts';
import type { Interval } from '../../host/engine/types/interval.ts';
import { formatText } from '../../host/engine/types/text_io.ts';
import { localToUtc, resolveTimeZone } from '../../host/engine/types/timezone.ts';
import { T } from '../../host/engine/types/types.ts';
import { codeOf, ctx, pg, val } from './helpers.ts';

const utc = ctx();
const ny = ctx({ timeZone: 'America/New_York' });
const ts = (s: string): number => val('timestamp', s) as number;
const iv = (s: string): Interval => val('interval', s) as Interval;
const fmtTs = (v: number): string => formatText(T.timestamp, v, utc);
const fmtIv = (v: Interval): string => formatText(T.interval, v, utc);

describe('calendar', () => {
  it('converts Julian days like date2j / j2date', () => {
    expect(date2j(2000, 1, 1)).toBe(2451545);
    expect(date2j(1970, 1, 1)).toBe(2440588);
    expect(date2j(-4713, 11, 24)).toBe(0);
    expect(j2date(0)).toEqual([-4713, 11, 24]);
    expect(j2date(2451545 + 59)).toEqual([2000, 2, 29]);
    for (let j = 0; j < 3_000_000; j += 997) expect(date2j(...j2date(j))).toBe(j);
    expect(date2isoweek(2021, 1, 1)).toBe(53);
    expect(date2isoyear(2021, 1, 1)).toBe(2020);
    expect(date2isoweek(2024, 12, 30)).toBe(1);
  });
});

describe('date/time input', () => {
  it('accepts PostgreSQL spellings', () => {
    const cases: [string, string, string][] = [
      ['date', 'January 8, 99 BC', '0099-01-08 BC'], ['date', '1/8/1999', '1999-01-08'], ['date', '08-Jan-1999', '1999-01-08'],
      ['date', '19990108', '1999-01-08'], ['date', '990108', '1999-01-08'], ['date', '1999.008', '1999-01-08'],
      ['date', 'J2451545', '2000-01-01'], ['date', 'epoch', '1970-01-01'], ['date', 'infinity', 'infinity'],
      ['date', 'today', '2025-01-01'], ['date', 'tomorrow', '2025-01-02'], ['date', 'yesterday', '2024-12-31'],
      ['time', 'allballs', '00:00:00'], ['time', '24:00:00', '24:00:00'], ['time', '23:59:60', '24:00:00'],
      ['time', '04:05 PM', '16:05:00'], ['time', '040506', '04:05:06'], ['time(2)', '12:34:56.789', '12:34:56.79'],
      ['timetz', '12:00:00+05:30', '12:00:00+05:30'], ['timetz', '12:00 PST', '12:00:00-08'],
      ['timestamp', '2024-01-01 24:00', '2024-01-02 00:00:00'], ['timestamp', '20240101T100000', '2024-01-01 10:00:00'],
      ['timestamp', '2024-01-01 12:00+05', '2024-01-01 12:00:00'], ['timestamp', 'now', '2025-01-01 00:00:00'],
      ['timestamptz', '1999-01-08 04:05:06 -8:00', '1999-01-08 12:05:06+00'], ['timestamptz', '2024-01-01T10:00:00Z', '2024-01-01 10:00:00+00'],
      ['timestamptz', '2024-01-01 12:00 EST', '2024-01-01 17:00:00+00'], ['timestamptz', '2024-07-01 12:00 America/New_York', '2024-07-01 16:00:00+00'],
      ['timestamptz', 'epoch', '1970-01-01 00:00:00+00'], ['timestamptz', '-infinity', '-infinity'],
    ];
    for (const [t, inp, out] of cases) expect(pg(t, inp), `${inp}::${t}`).toBe(out);
  });

  it('reports PostgreSQL SQLSTATEs', () => {
    expect(codeOf(() => val('date', 'x'))).toBe('22007');
    expect(codeOf(() => val('date', '2024-02-30'))).toBe('22008');
    expect(codeOf(() => val('date', '13/13/2024'))).toBe('22008');
    expect(codeOf(() => val('date', '99-01-08'))).toBe('22008');
    expect(codeOf(() => val('time', '25:00'))).toBe('22008');
    expect(codeOf(() => val('timestamptz', '2024-01-01 Foo/Bar'))).toBe('22023');
    expect(codeOf(() => val('timestamp', '12:00 2024-01-01'))).toBe('22007');
    expect(codeOf(() => val('timetz', '12:00+16'))).toBe('22009');
    expect(codeOf(() => val('date', '5874898-01-01'))).toBe('22008');
    expect(codeOf(() => val('timestamp', '294277-01-01'))).toBe('22008');
  });

  it('honours DateStyle field order', () => {
    expect(pg('date', '1/2/2024', ctx({ dateStyle: 'ISO, DMY' }))).toBe('2024-02-01');
    expect(pg('date', '1/2/2024', ctx({ dateStyle: 'ISO, MDY' }))).toBe('2024-01-02');
    expect(pg('date', '01/02/03', ctx({ dateStyle: 'ISO, YMD' }))).toBe('2001-02-03');
  });

  it('resolves DST gaps and overlaps as PostgreSQL', () => {
    expect(pg('timestamptz', '2024-03-10 02:30', ny)).toBe('2024-03-10 03:30:00-04');
    expect(pg('timestamptz', '2024-11-03 01:30', ny)).toBe('2024-11-03 01:30:00-05');
    expect(pg('timestamptz', '1800-01-01 00:00', ny)).toBe('1800-01-01 00:00:00-04:56:02');
    const zone = resolveTimeZone('Europe/Berlin')!;
    expect(localToUtc(zone, Date.UTC(2024, 2, 31, 2, 30) / 1000).offset).toBe(3600);
    expect(localToUtc(zone, Date.UTC(2024, 9, 27, 2, 30) / 1000).offset).toBe(3600);
    expect(resolveTimeZone('UTC+3')!.offsetAt(0)).toBe(-10800);
    expect(resolveTimeZone('<+05>-5')!.abbrevAt(0)).toBe('+05');
  });
});

describe('date/time output styles', () => {
  it('prints ISO, SQL, Postgres and German styles', () => {
    const pgs = ctx({ dateStyle: 'Postgres, MDY' });
    expect(pg('timestamp', '2024-01-02 03:04:05.5', pgs)).toBe('Tue Jan 02 03:04:05.5 2024');
    expect(pg('date', '2024-01-02', pgs)).toBe('01-02-2024');
    expect(pg('date', '0044-03-15 BC', pgs)).toBe('03-15-0044 BC');
    const sql = ctx({ dateStyle: 'SQL, DMY' });
    expect(pg('timestamp', '2024-01-02 03:04:05.5', sql)).toBe('02/01/2024 03:04:05.5');
    expect(pg('timestamptz', '2024-01-02 03:04:05+02', sql)).toBe('02/01/2024 01:04:05 UTC');
    const ger = ctx({ dateStyle: 'German' });
    expect(pg('timestamp', '2024-01-02 03:04:05.5', ger)).toBe('02.01.2024 03:04:05.5');
    expect(pg('timestamptz', '2024-07-01 12:00+00', ctx({ dateStyle: 'SQL', timeZone: 'America/New_York' }))).toBe('07/01/2024 08:00:00 EDT');
    expect(pg('timestamptz', '2024-01-01 00:00+00', ctx({ dateStyle: 'SQL', timeZone: 'Asia/Kathmandu' }))).toBe('01/01/2024 05:45:00 +0545');
  });
});

describe('date/time arithmetic', () => {
  it('adds intervals on the calendar', () => {
    expect(fmtTs(timestampPlusInterval(ts('2020-02-29 12:34:56.789'), iv('1 year 1 mon 1 day 1 hour')))).toBe('2021-03-30 13:34:56.789');
    expect(fmtTs(timestampPlusInterval(ts('2024-01-31'), iv('1 mon')))).toBe('2024-02-29 00:00:00');
    expect(fmtTs(timestampPlusInterval(ts('2023-01-31'), iv('1 mon 1 day')))).toBe('2023-03-01 00:00:00');
    const zone = settingsOf(ny).zone;
    const t0 = val('timestamptz', '2024-03-09 02:30', ny) as number;
    expect(formatText(T.timestamptz, timestamptzPlusInterval(t0, iv('1 day'), zone), ny)).toBe('2024-03-10 03:30:00-04');
    expect(formatText(T.timestamptz, timestamptzPlusInterval(t0, iv('24 hours'), zone), ny)).toBe('2024-03-10 03:30:00-04');
    expect(codeOf(() => timestampPlusInterval(ts('294276-12-01'), iv('1 mon')))).toBe('22008');
  });

  it('subtracts and ages as PostgreSQL', () => {
    expect(fmtIv(timestampMinusTimestamp(ts('2024-03-31'), ts('2023-02-28 10:00')))).toBe('396 days 14:00:00');
    expect(fmtIv(age(ts('2024-03-31'), ts('2023-02-28 10:00')))).toBe('1 year 1 mon 2 days 14:00:00');
    expect(fmtIv(age(ts('2023-02-28 10:00'), ts('2024-03-31')))).toBe('-1 years -1 mons -2 days -14:00:00');
    expect(dateMinusDate(val('date', '2024-03-01') as number, val('date', '2024-02-01') as number)).toBe(29);
    expect(formatText(T.date, datePlusDays(val('date', '2024-01-31') as number, 1), utc)).toBe('2024-02-01');
    expect(formatText(T.time, timePlusInterval(val('time', '12:00') as number, iv('13 hours')), utc)).toBe('01:00:00');
    expect(fmtIv(timeMinusTime(val('time', '12:00') as number, val('time', '10:30') as number))).toBe('01:30:00');
    expect(codeOf(() => timestampMinusTimestamp(Infinity, 0))).toBe('22008');
  });

  it('extracts fields as numeric and truncates', () => {
    const z = settingsOf(utc).zone;
    const ex = (f: string, src: 'timestamp' | 'date' | 'interval' | 'time', v: unknown): string | null =>
      extractField(f, src, v, z)?.toString() ?? null;
    expect(ex('second', 'timestamp', ts('2020-01-01 00:00:05'))).toBe('5.000000');
    expect(ex('epoch', 'timestamp', ts('2020-01-01 00:00:05.5'))).toBe('1577836805.500000');
    expect(ex('milliseconds', 'timestamp', ts('2020-01-01 00:00:05'))).toBe('5000.000');
    expect(ex('julian', 'timestamp', ts('2020-01-01 01:00:05'))).toBe('2458850.04172453703703703704');
    expect(ex('year', 'timestamp', ts('0001-01-01 BC'))).toBe('-1');
    expect(ex('century', 'timestamp', ts('0001-01-01 BC'))).toBe('-1');
    expect(ex('week', 'timestamp', ts('2021-01-01'))).toBe('53');
    expect(ex('isodow', 'timestamp', ts('2021-01-03'))).toBe('7');
    expect(ex('hour', 'timestamp', Infinity)).toBeNull();
    expect(ex('epoch', 'timestamp', Infinity)).toBe('Infinity');
    expect(ex('epoch', 'interval', iv('1 year 2 mons 3 days 04:05:06.7'))).toBe('37015506.700000');
    expect(ex('epoch', 'time', val('time', '12:34:56.5'))).toBe('45296.500000');
    expect(ex('decade', 'date', val('date', '0011-01-01 BC'))).toBe('-1');
    expect(codeOf(() => ex('hour', 'date', 0))).toBe('0A000');
    expect(codeOf(() => ex('foo', 'timestamp', 0))).toBe('22023');
    expect(datePart('second', 'timestamp', ts('2020-01-01 00:00:05.123'), z)).toBe(5.123);
    expect(fmtTs(truncTimestamp('week', ts('2021-01-01')))).toBe('2020-12-28 00:00:00');
    expect(fmtTs(truncTimestamp('decade', ts('0001-06-01 BC')))).toBe('0001-01-01 00:00:00 BC');
    expect(fmtTs(truncTimestamp('millennium', ts('2001-06-01')))).toBe('2001-01-01 00:00:00');
    expect(fmtTs(truncTimestamp('milliseconds', ts('2021-08-15 12:00:01.234567')))).toBe('2021-08-15 12:00:01.234');
    expect(codeOf(() => truncTimestamp('dow', ts('2021-01-01')))).toBe('22023');
    const nyz = settingsOf(ny).zone;
    expect(formatText(T.timestamptz, truncTimestamptz('day', val('timestamptz', '2024-03-10 12:00', ny) as number, nyz), ny)).toBe('2024-03-10 00:00:00-05');
    expect(fmtIv(truncInterval('hour', iv('3 days 04:05:06')))).toBe('3 days 04:00:00');
    expect(codeOf(() => truncInterval('week', iv('1 day')))).toBe('0A000');
  });
});
