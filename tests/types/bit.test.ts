// bit / bit varying values (host/engine/types/bit.ts): a value is a string of
// '0'/'1'. The SQL behaviour is checked against PostgreSQL by
// tests/slt/sb/bits.slt and the function differential test; these are the
// properties the string representation relies on.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyBitTypmod, bitShift, bitsFromBytes, bitsFromInt, bitsToBytes, bitwise, intFromBits, parseBits,
} from '../../host/engine/types/bit.ts';
import { compareValues } from '../../host/engine/types/compare.ts';
import { decodeBinary, encodeBinary } from '../../host/engine/types/binary_io.ts';
import { T } from '../../host/engine/types/types.ts';

const bits = fc.array(fc.constantFrom('0', '1'), { maxLength: 80 }).map((a) => a.join(''));

/** PostgreSQL's bit_cmp: memcmp over the packed bytes both have, then the shorter first. */
function pgBitCmp(a: string, b: string): number {
  const pa = bitsToBytes(a).subarray(4);
  const pb = bitsToBytes(b).subarray(4);
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  return Math.sign(a.length - b.length);
}

describe('bit strings', () => {
  it('order by code points as PostgreSQL orders bit strings', () => {
    fc.assert(
      fc.property(bits, bits, (a, b) => {
        expect(Math.sign(compareValues(T.varbit, a, b))).toBe(pgBitCmp(a, b));
      }),
    );
    expect(compareValues(T.bit, '10', '100')).toBeLessThan(0);
    expect(compareValues(T.bit, '1', '01')).toBeGreaterThan(0);
  });

  it('round-trip the binary format (bit count, then bits packed MSB first)', () => {
    fc.assert(
      fc.property(bits, (a) => {
        expect(bitsFromBytes(bitsToBytes(a))).toBe(a);
        expect(decodeBinary(T.varbit, encodeBinary(T.varbit, a))).toBe(a);
      }),
    );
    expect([...bitsToBytes('101000001')]).toEqual([0, 0, 0, 9, 0xa0, 0x80]);
    expect(() => bitsFromBytes(new Uint8Array([0, 0, 0, 9, 1]))).toThrow(expect.objectContaining({ code: '22P03' }));
  });

  it('convert integers through bit(32) / bit(64) and back', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), (n) => {
        expect(intFromBits(bitsFromInt(n, 32, 32), 32)).toBe(n);
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        expect(BigInt(intFromBits(bitsFromInt(n, 64, 64), 64))).toBe(n);
      }),
    );
    expect(bitsFromInt(10, 32, 4)).toBe('1010');
    expect(bitsFromInt(-1, 32, 34)).toBe('1'.repeat(34));
    expect(() => intFromBits('1'.repeat(33), 32)).toThrow(expect.objectContaining({ code: '22003' }));
  });

  it('parse binary and hexadecimal input and apply typmods', () => {
    expect(parseBits('B0101', -1, false)).toBe('0101');
    expect(parseBits('xA1', -1, true)).toBe('10100001');
    expect(() => parseBits('012', -1, false)).toThrow(expect.objectContaining({ code: '22P02' }));
    expect(() => parseBits('101', 4, false)).toThrow(expect.objectContaining({ code: '22026' }));
    expect(() => parseBits('101', 2, true)).toThrow(expect.objectContaining({ code: '22001' }));
    expect(applyBitTypmod('101', 5, false, true)).toBe('10100');
    expect(applyBitTypmod('101', 2, true, true)).toBe('10');
  });

  it('keep the length through bitwise operators and shifts', () => {
    fc.assert(
      fc.property(bits, fc.integer({ min: -100, max: 100 }), (a, n) => {
        expect(bitShift(a, n, true)).toHaveLength(a.length);
        expect(bitShift(bitShift(a, n, true), -n, true)).toHaveLength(a.length);
        expect(bitwise('#', bitwise('#', a, a), a)).toBe(a);
      }),
    );
    expect(() => bitwise('&', '1', '01')).toThrow(expect.objectContaining({ code: '22026' }));
  });
});
