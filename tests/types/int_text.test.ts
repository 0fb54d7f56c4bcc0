// Integer text input (int2in/int4in/int8in): the short-digits fast path in
// host/engine/types/scalar_io.ts must agree with the general parser on every
// input, including the ones it hands over (signs, blanks, leading zeros,
// out of range, garbage).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseInt2, parseInt4, parseInt8 } from '../../host/engine/types/scalar_io.ts';
import { SbError } from '../../host/engine/sb_error.ts';

/** PostgreSQL's rules, written out plainly (blanks around, one sign, digits; range by width). */
function reference(s: string, bits: 16 | 32 | 64): number | string {
  const m = /^[ \t\n\r\v\f]*([+-]?)(\d+)[ \t\n\r\v\f]*$/.exec(s);
  if (!m) return '22P02';
  const v = BigInt(m[1] === '-' ? '-' + m[2] : m[2]!);
  const lim = 1n << BigInt(bits - 1);
  if (v >= lim || v < -lim) return '22003';
  return Number(v);
}

function outcome(f: (s: string) => number | bigint, s: string): number | string {
  try {
    const v = f(s);
    return typeof v === 'bigint' ? Number(v) : v;
  } catch (e) {
    if (e instanceof SbError) return e.code;
    throw e;
  }
}

const cases: Array<[string, number | string, number | string, number | string]> = [
  // input, int2, int4, int8
  ['5', 5, 5, 5],
  ['-0', 0, 0, 0],
  ['0007', 7, 7, 7],
  ['32767', 32767, 32767, 32767],
  ['32768', '22003', 32768, 32768],
  ['-32768', -32768, -32768, -32768],
  ['-32769', '22003', -32769, -32769],
  ['999999999', '22003', 999999999, 999999999],
  ['2147483647', '22003', 2147483647, 2147483647],
  ['2147483648', '22003', '22003', 2147483648],
  ['-2147483648', '22003', -2147483648, -2147483648],
  [' 12', 12, 12, 12],
  ['12 ', 12, 12, 12],
  ['+5', 5, 5, 5],
  ['', '22P02', '22P02', '22P02'],
  ['-', '22P02', '22P02', '22P02'],
  ['1-', '22P02', '22P02', '22P02'],
  ['1.0', '22P02', '22P02', '22P02'],
  ['12a', '22P02', '22P02', '22P02'],
];

describe('integer text input', () => {
  it.each(cases)('%j', (s, i2, i4, i8) => {
    expect(outcome(parseInt2, s)).toEqual(i2);
    expect(outcome(parseInt4, s)).toEqual(i4);
    expect(outcome(parseInt8, s)).toEqual(i8);
  });

  it('agrees with the plain rules on random short inputs', () => {
    const ch = fc.constantFrom('0', '1', '2', '5', '9', '-', '+', ' ', '\t', 'x', '.');
    fc.assert(fc.property(fc.array(ch, { maxLength: 12 }).map((a) => a.join('')), (s) => {
      expect(outcome(parseInt2, s)).toEqual(reference(s, 16));
      expect(outcome(parseInt4, s)).toEqual(reference(s, 32));
      expect(outcome(parseInt8, s)).toEqual(reference(s, 64));
    }), { numRuns: 3000 });
  });
});
