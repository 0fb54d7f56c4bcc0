import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareValues, equalValues, hashValue } from '../../host/engine/types/compare.ts';
import { Interval } from '../../host/engine/types/interval.ts';
import { Numeric } from '../../host/engine/types/numeric.ts';
import { typeFromName } from '../../host/engine/types/type_names.ts';
import { T } from '../../host/engine/types/types.ts';
import { codeOf, val } from './helpers.ts';

const cmp = (t: string, a: string, b: string): number => compareValues(typeFromName(t), val(t, a), val(t, b));

describe('comparison', () => {
  it('orders as PostgreSQL btree opclasses', () => {
    expect(cmp('float8', 'NaN', 'Infinity')).toBe(1);
    expect(cmp('float8', 'NaN', 'NaN')).toBe(0);
    expect(cmp('float8', '-0', '0')).toBe(0);
    expect(cmp('numeric', 'NaN', 'Infinity')).toBe(1);
    expect(cmp('numeric', '1', '1.000')).toBe(0);
    expect(cmp('text', 'a', 'B')).toBe(1);
    expect(cmp('text', '\uffff', '😀')).toBe(-1);
    expect(cmp('char(5)', 'a', 'a  ')).toBe(0);
    expect(cmp('interval', '1 mon', '30 days')).toBe(0);
    expect(cmp('timetz', '12:00+01', '11:00+00')).toBe(-1);
    expect(cmp('timetz', '12:00-05', '12:00+05')).toBe(1);
    expect(cmp('int[]', '{1,2}', '{1,2,3}')).toBe(-1);
    expect(cmp('int[]', '{NULL}', '{5}')).toBe(1);
    expect(cmp('int[]', '{{1,2},{3,4}}', '{1,2,3,4}')).toBe(1);
    expect(cmp('int[]', '[0:1]={1,2}', '{1,2}')).toBe(-1);
    expect(cmp('bytea', '\\xff', '\\x0100')).toBe(1);
    expect(cmp('jsonb', '{"a":1,"b":2}', '{"a":1,"c":0}')).toBe(-1);
    expect(equalValues(T.int8, 5, 5n)).toBe(true);
    expect(codeOf(() => equalValues(T.json, '1', '1'))).toBe('42883');
  });

  it('hashes equal values alike', () => {
    expect(hashValue(T.numeric, Numeric.parse('1.000'))).toBe(hashValue(T.numeric, Numeric.parse('1')));
    expect(hashValue(T.int2, 7)).toBe(hashValue(T.int8, 7));
    expect(String(hashValue(T.int4, 1))).toBe(String(hashValue(T.numeric, Numeric.parse('1.0'))));
    expect(hashValue(T.float8, -0)).toBe(hashValue(T.float8, 0));
    expect(hashValue(T.interval, new Interval(1, 0, 0))).toBe(hashValue(T.interval, new Interval(0, 30, 0)));
    expect(hashValue(T.bpchar, 'a  ')).toBe(hashValue(T.bpchar, 'a'));
    expect(hashValue(T.jsonb, val('jsonb', '{"a":[1.50]}'))).toBe(hashValue(T.jsonb, val('jsonb', '{"a":[1.5]}')));
  });

  it('keeps hashes consistent with equality (property)', () => {
    const dec = fc.tuple(fc.bigInt({ min: -1000n, max: 1000n }), fc.integer({ min: 0, max: 3 })).map(([c, s]) => Numeric.raw(c, s));
    fc.assert(
      fc.property(dec, dec, (a, b) => {
        const eq = equalValues(T.numeric, a, b);
        expect(hashValue(T.numeric, a) === hashValue(T.numeric, b)).toBe(eq);
      }),
      { numRuns: 500, seed: 3 },
    );
    const iv = fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -200, max: 200 }), fc.integer({ min: -3, max: 3 })).map(
      ([m, d, h]) => new Interval(m, d, h * 86_400_000_000),
    );
    fc.assert(
      fc.property(iv, iv, (a, b) => {
        expect(hashValue(T.interval, a) === hashValue(T.interval, b)).toBe(equalValues(T.interval, a, b));
        expect(compareValues(T.interval, a, b) + compareValues(T.interval, b, a)).toBe(0);
      }),
      { numRuns: 500, seed: 4 },
    );
  });
});
