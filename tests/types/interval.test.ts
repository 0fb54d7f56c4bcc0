import { describe, expect, it } from 'vitest';
import { Interval } from '../../host/engine/types/interval.ts';
import { codeOf, ctx, pg, val } from './helpers.ts';
import { formatText } from '../../host/engine/types/text_io.ts';
import { T } from '../../host/engine/types/types.ts';

const I = (s: string): Interval => val('interval', s) as Interval;
const S = (iv: Interval): string => formatText(T.interval, iv, ctx());

describe('interval', () => {
  it('multiplies and divides with fractions cascading down', () => {
    expect(S(I('1 mon').mul(1.5))).toBe('1 mon 15 days');
    expect(S(I('1 day').div(3))).toBe('08:00:00');
    expect(S(I('1 year 2 mons 3 days 04:05:06').mul(0.3))).toBe('4 mons 6 days 22:49:31.8');
    expect(S(I('-1 mon').mul(2.25))).toBe('-2 mons -7 days -12:00:00');
    expect(codeOf(() => I('1 day').div(0))).toBe('22012');
    expect(codeOf(() => I('2000000000 days').mul(2))).toBe('22008');
  });

  it('justifies as justify_hours / justify_days / justify_interval', () => {
    expect(S(I('27 hours').justifyHours())).toBe('1 day 03:00:00');
    expect(S(I('35 days').justifyDays())).toBe('1 mon 5 days');
    expect(S(I('1 mon -1 hour').justifyInterval())).toBe('29 days 23:00:00');
    expect(S(I('-1 mon 35 days 25 hours').justifyInterval())).toBe('6 days 01:00:00');
  });

  it('compares with 30-day months and 24-hour days', () => {
    expect(I('1 mon').cmp(I('30 days'))).toBe(0);
    expect(I('1 day').cmp(I('24 hours'))).toBe(0);
    expect(I('1 year').cmp(I('360 days'))).toBe(0);
    expect(I('-1 mon').cmp(I('-29 days'))).toBe(-1);
    expect(I('1 day').same(I('24 hours'))).toBe(false);
  });

  it('applies interval typmods', () => {
    expect(pg('interval(1)', '1 day 01:30:45.678')).toBe('1 day 01:30:45.7');
    expect(pg('interval year', '1 year 2 mons 3 days 04:05:06')).toBe('1 year');
    expect(pg('interval day to hour', '1 year 2 mons 3 days 04:05:06')).toBe('1 year 2 mons 3 days 04:00:00');
    expect(pg('interval minute', '3 days 04:05:06.7')).toBe('3 days 04:05:00');
    expect(pg('interval minute to second', '1:30')).toBe('00:01:30');
  });

  it('reads and prints every IntervalStyle', () => {
    expect(pg('interval', '1 year 2 mons -3 days 04:05:06.7')).toBe('1 year 2 mons -3 days +04:05:06.7');
    expect(pg('interval', '@ 1 hour ago')).toBe('-01:00:00');
    expect(pg('interval', 'P1Y2M3DT4H5M6.5S')).toBe('1 year 2 mons 3 days 04:05:06.5');
    expect(pg('interval', 'P0001-02-03T04:05:06')).toBe('1 year 2 mons 3 days 04:05:06');
    expect(pg('interval', '1.5 years')).toBe('1 year 6 mons');
    expect(pg('interval', '1 week 2.5 days')).toBe('9 days 12:00:00');
    const sql = ctx({ intervalStyle: 'sql_standard' });
    expect(pg('interval', '1 year 2 mons', sql)).toBe('1-2');
    expect(pg('interval', '-3 days -04:05:06', sql)).toBe('-3 4:05:06');
    expect(pg('interval', '1 day -1 hour', sql)).toBe('+0-0 +1 -1:00:00');
    expect(pg('interval', '00:00:00.5', sql)).toBe('0:00:00.5');
    const iso = ctx({ intervalStyle: 'iso_8601' });
    expect(pg('interval', '1 year 2 mons -3 days 04:05:06.5', iso)).toBe('P1Y2M-3DT4H5M6.5S');
    expect(pg('interval', '0', iso)).toBe('PT0S');
    expect(pg('interval', '-00:00:00.5', iso)).toBe('PT-0.5S');
    const verbose = ctx({ intervalStyle: 'postgres_verbose' });
    expect(pg('interval', '1 year 2 mons -3 days 04:05:06.5', verbose)).toBe('@ 1 year 2 mons -3 days 4 hours 5 mins 6.5 secs');
    expect(pg('interval', '-1 days', verbose)).toBe('@ 1 day ago');
    expect(pg('interval', '0', verbose)).toBe('@ 0');
    expect(codeOf(() => I('x'))).toBe('22007');
    expect(codeOf(() => I('2147483648 days'))).toBe('22015');
  });
});
