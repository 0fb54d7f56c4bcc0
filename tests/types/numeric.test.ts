import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Numeric } from '../../host/engine/types/numeric.ts';
import { numericExp, numericLn, numericLog, numericPower, numericSqrt } from '../../host/engine/types/numeric_math.ts';
import { numericTypmod } from '../../host/engine/types/type_names.ts';
import { codeOf } from './helpers.ts';

const N = (s: string): Numeric => Numeric.parse(s);
const S = (n: Numeric): string => n.toString();

describe('numeric input and output', () => {
  it('parses as numeric_in, keeping the display scale', () => {
    const cases: [string, string][] = [
      [' -1.50e+2 ', '-150'], ['+.5', '0.5'], ['5.', '5'], ['-0', '0'], ['-0.000', '0.000'], ['0e5', '0'], ['1.5e-3', '0.0015'],
      ['-inf', '-Infinity'], ['+Infinity', 'Infinity'], ['nan', 'NaN'], ['1e-3', '0.001'], ['1e 5', '100000'], ['1.500', '1.500'],
      ['15e-1', '1.5'], ['0.1e1', '1'], ['00012.3400', '12.3400'],
    ];
    for (const [inp, out] of cases) expect(S(N(inp)), inp).toBe(out);
  });

  it('rejects bad input with 22P02 and values past the format with 22003', () => {
    for (const bad of ['.', '1e', 'nanx', '1.2.3', '', ' ', 'abc', '1e5.5', '--1']) expect(codeOf(() => N(bad)), bad).toBe('22P02');
    for (const big of ['1e-16384', '1e131072', '0e-20000', '1e2147483647']) expect(codeOf(() => N(big)), big).toBe('22003');
    expect(S(N('1e131071')).length).toBe(131072);
  });

  it('converts from floats through %.15g / %.6g and to floats exactly', () => {
    expect(S(Numeric.fromFloat8(1e20))).toBe('100000000000000000000');
    expect(S(Numeric.fromFloat8(1 / 3))).toBe('0.333333333333333');
    expect(S(Numeric.fromFloat8(1e-20))).toBe('0.00000000000000000001');
    expect(S(Numeric.fromFloat4(Math.fround(0.1)))).toBe('0.1');
    expect(S(Numeric.fromFloat4(Math.fround(123456789.123)))).toBe('123457000');
    expect(N('0.1').toNumber()).toBe(0.1);
    expect(codeOf(() => N('1e400').toNumber())).toBe('22003');
    expect(S(Numeric.exactFromDouble(0.1))).toBe('0.1000000000000000055511151231257827021181583404541015625');
  });

  it('rounds half away from zero to integers and reports NaN/Infinity as 0A000', () => {
    expect(N('2.5').toBigInt()).toBe(3n);
    expect(N('-2.5').toBigInt()).toBe(-3n);
    expect(N('2.49').toBigInt()).toBe(2n);
    expect(codeOf(() => N('NaN').toBigInt('integer'))).toBe('0A000');
    expect(codeOf(() => N('Infinity').toBigInt())).toBe('0A000');
  });
});

describe('numeric arithmetic', () => {
  it('uses PostgreSQL result scales', () => {
    expect(S(N('1').div(N('3')))).toBe('0.33333333333333333333');
    expect(S(N('10').div(N('3')))).toBe('3.3333333333333333');
    expect(S(N('1').div(N('30000')))).toBe('0.000033333333333333333333');
    expect(S(N('123456789').div(N('7')))).toBe('17636684.142857142857');
    expect(S(N('-846205.9035').div(N('0.4')))).toBe('-2115514.758750000000');
    expect(S(N('1.50').add(N('2.250')))).toBe('3.750');
    expect(S(N('1.5').mul(N('2.25')))).toBe('3.375');
    expect(S(N('5').mod(N('3')))).toBe('2');
    expect(S(N('-5.5').mod(N('2')))).toBe('-1.5');
    expect(S(N('5').divTrunc(N('-3')))).toBe('-1');
  });

  it('follows PostgreSQL 14+ rules for NaN and infinities', () => {
    expect(S(N('Infinity').add(N('-Infinity')))).toBe('NaN');
    expect(S(N('Infinity').mul(N('0')))).toBe('NaN');
    expect(S(N('7').mod(N('Infinity')))).toBe('7');
    expect(S(N('Infinity').mod(N('2')))).toBe('NaN');
    expect(S(N('0.0').div(N('Infinity')))).toBe('0');
    expect(S(N('Infinity').div(N('-2')))).toBe('-Infinity');
    expect(S(N('NaN').div(N('0')))).toBe('NaN');
    expect(codeOf(() => N('1').div(N('0')))).toBe('22012');
    expect(codeOf(() => N('Infinity').div(N('0')))).toBe('22012');
    expect(codeOf(() => N('Infinity').mod(N('0')))).toBe('22012');
    expect(N('NaN').cmp(N('Infinity'))).toBe(1);
    expect(N('NaN').cmp(N('NaN'))).toBe(0);
    expect(N('-Infinity').cmp(N('-1e100'))).toBe(-1);
    expect(N('1').cmp(N('1.000'))).toBe(0);
  });

  it('rounds, truncates, ceils and floors', () => {
    expect(S(N('1.5').round(3))).toBe('1.500');
    expect(S(N('2.5').round())).toBe('3');
    expect(S(N('-2.5').round())).toBe('-3');
    expect(S(N('1234.5678').round(-2))).toBe('1200');
    expect(S(N('1234.5678').trunc(2))).toBe('1234.56');
    expect(S(N('-1234.5678').trunc(-2))).toBe('-1200');
    expect(S(N('-1.5').ceil())).toBe('-1');
    expect(S(N('-1.5').floor())).toBe('-2');
    expect(S(N('1.0').ceil())).toBe('1');
  });

  it('applies numeric(p,s) with PostgreSQL rounding and overflow errors', () => {
    expect(S(N('123.456').applyTypmod(numericTypmod(5, 2)))).toBe('123.46');
    expect(S(N('12345').applyTypmod(numericTypmod(5, -2)))).toBe('12300');
    expect(S(N('99950').applyTypmod(numericTypmod(5, -2)))).toBe('100000');
    expect(S(N('NaN').applyTypmod(numericTypmod(3, 1)))).toBe('NaN');
    expect(codeOf(() => N('1').applyTypmod(numericTypmod(3, 3)))).toBe('22003');
    expect(codeOf(() => N('999.995').applyTypmod(numericTypmod(5, 2)))).toBe('22003');
    expect(codeOf(() => N('Infinity').applyTypmod(numericTypmod(5, 2)))).toBe('22003');
    try {
      N('1').applyTypmod(numericTypmod(2, 3));
    } catch (e) {
      expect((e as { detail?: string }).detail).toBe('A field with precision 2, scale 3 must round to an absolute value less than 10^-1.');
    }
  });
});

describe('numeric functions at PostgreSQL scales', () => {
  it('matches PostgreSQL 15 outputs', () => {
    expect(S(numericSqrt(N('2')))).toBe('1.414213562373095');
    expect(S(numericSqrt(N('100')))).toBe('10.000000000000000');
    expect(S(numericSqrt(N('0.0001')))).toBe('0.01000000000000000');
    expect(S(numericExp(N('1')))).toBe('2.7182818284590452');
    expect(S(numericExp(N('100')))).toBe('26881171418161354484126255515800135873611119');
    expect(S(numericLn(N('2')))).toBe('0.6931471805599453');
    expect(S(numericLn(N('1.05')))).toBe('0.048790164169432003');
    expect(S(numericLog(N('10'), N('1000')))).toBe('3.0000000000000000');
    expect(S(numericLog(N('2'), N('1024')))).toBe('10.0000000000000000');
    expect(S(numericPower(N('2'), N('3')))).toBe('8.0000000000000000');
    expect(S(numericPower(N('2'), N('-3')))).toBe('0.1250000000000000');
    expect(S(numericPower(N('0.1'), N('10')))).toBe('0.0000000001000000');
    expect(S(numericPower(N('2'), N('0.5')))).toBe('1.4142135623730950');
    expect(S(numericPower(N('1.0001'), N('1000')))).toBe('1.1051653926032327');
    expect(S(numericPower(N('NaN'), N('0')))).toBe('1');
    expect(S(numericPower(N('1'), N('NaN')))).toBe('1');
  });

  it('raises the SQL-standard codes', () => {
    expect(codeOf(() => numericSqrt(N('-1')))).toBe('2201F');
    expect(codeOf(() => numericLn(N('0')))).toBe('2201E');
    expect(codeOf(() => numericLn(N('-1')))).toBe('2201E');
    expect(codeOf(() => numericPower(N('0'), N('-1')))).toBe('2201F');
    expect(codeOf(() => numericPower(N('-8'), N('0.5')))).toBe('2201F');
    expect(codeOf(() => numericExp(N('6000')))).toBe('22003');
    expect(codeOf(() => numericLog(N('1'), N('5')))).toBe('22012');
  });

  it('keeps exact add/sub/mul and consistent ordering (property)', () => {
    const dec = fc.tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 20 }));
    fc.assert(
      fc.property(dec, dec, ([a, sa], [b, sb]) => {
        const x = Numeric.raw(a, sa);
        const y = Numeric.raw(b, sb);
        expect(x.add(y).sub(y).cmp(x)).toBe(0);
        expect(x.mul(y).cmp(y.mul(x))).toBe(0);
        expect(Math.sign(x.cmp(y))).toBe(-Math.sign(y.cmp(x)));
        expect(Numeric.parse(x.toString()).cmp(x)).toBe(0);
        expect(x.canonicalKey() === y.canonicalKey()).toBe(x.cmp(y) === 0);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
