import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBinary, encodeBinary } from '../../host/engine/types/binary_io.ts';
import { formatText, parseText } from '../../host/engine/types/text_io.ts';
import { typeFromName } from '../../host/engine/types/type_names.ts';
import { codeOf, ctx } from './helpers.ts';
import { dateText, floatText, intervalText, jsonText, numericText, timeText, timestampText, sample, intText } from './pg_diff_cases.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** text -> value -> binary -> value -> text must give back the first text output. */
function roundTrips(typeName: string, inputs: readonly string[], zone = 'UTC'): number {
  const c = ctx({ timeZone: zone });
  const t = typeFromName(typeName);
  let n = 0;
  for (const s of inputs) {
    let v: unknown;
    try {
      v = parseText(t, s, c);
    } catch {
      continue;
    }
    const text = formatText(t, v, c);
    const back = decodeBinary(t, encodeBinary(t, v, c), c);
    expect(formatText(t, back, c), `${s}::${typeName}`).toBe(text);
    n++;
  }
  return n;
}

describe('binary I/O', () => {
  it('lays out values as PostgreSQL send functions', () => {
    const c = ctx();
    const enc = (t: string, s: string): string => hex(encodeBinary(typeFromName(t), parseText(typeFromName(t), s, c), c));
    expect(enc('int8', '-2')).toBe('fffffffffffffffe');
    expect(enc('numeric', '-1234.5678')).toBe('000200004000000404d2162e');
    expect(enc('numeric', '0.000')).toBe('0000000000000003');
    expect(enc('numeric', 'NaN')).toBe('00000000c0000000');
    expect(enc('numeric', 'Infinity')).toBe('00000000d0000020');
    expect(enc('timestamp', '2000-01-01 00:00:01')).toBe('00000000000f4240');
    expect(enc('timestamp', 'infinity')).toBe('7fffffffffffffff');
    expect(enc('date', '1999-12-31')).toBe('ffffffff');
    expect(enc('interval', '1 mon 2 days 00:00:03')).toBe('00000000002dc6c00000000200000001');
    expect(enc('timetz', '00:00:01+01')).toBe('00000000000f4240fffff1f0');
    expect(enc('jsonb', '{"a":1}')).toBe('017b2261223a20317d');
    expect(enc('int4[]', '[0:1]={1,NULL}')).toBe('00000001000000010000001700000002000000000000000400000001ffffffff');
    expect(enc('uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')).toBe('a0eebc999c0b4ef8bb6d6bb9bd380a11');
  });

  it('round-trips text -> value -> binary -> value -> text', () => {
    let n = 0;
    n += roundTrips('int2', sample(intText(16), 50, 1));
    n += roundTrips('int8', sample(intText(64), 80, 2));
    n += roundTrips('numeric', sample(numericText, 300, 3));
    n += roundTrips('float8', sample(floatText, 150, 4));
    n += roundTrips('float4', sample(floatText, 100, 5));
    n += roundTrips('date', sample(dateText, 150, 6));
    n += roundTrips('time', sample(timeText, 80, 7));
    n += roundTrips('timestamp', sample(timestampText, 150, 8));
    n += roundTrips('timestamptz', sample(timestampText, 150, 9), 'Europe/Berlin');
    n += roundTrips('interval', sample(intervalText, 150, 10));
    n += roundTrips('jsonb', sample(jsonText, 100, 11));
    n += roundTrips('json', sample(jsonText, 30, 12));
    n += roundTrips('text[]', sample(fc.array(fc.option(fc.string({ maxLength: 5 }).filter((s) => !s.includes('\u0000')), { nil: null })), 80, 13).map((a) =>
      '{' + a.map((x) => (x === null ? 'NULL' : '"' + x.replace(/["\\]/g, (m) => '\\' + m) + '"')).join(',') + '}'));
    n += roundTrips('numeric[]', ['{{1.5,NULL},{NaN,-Infinity}}', '[3:3]={0.000}']);
    n += roundTrips('bytea', ['\\x', '\\x00ff7f', 'abc']);
    n += roundTrips('uuid', ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']);
    n += roundTrips('bool', ['t', 'f']);
    n += roundTrips('timetz', ['12:34:56.789+05:30', '00:00-08', '24:00+00']);
    n += roundTrips('char(3)', ['a']);
    n += roundTrips('"char"', ['a', '\\303', '']);
    n += roundTrips('oid', ['4294967295']);
    n += roundTrips('tid', ['(7,3)']);
    expect(n).toBeGreaterThan(1000);
  });

  it('rejects malformed data', () => {
    const i4 = typeFromName('int4');
    expect(codeOf(() => decodeBinary(i4, new Uint8Array([0, 0, 1])))).toBe('08P01');
    expect(codeOf(() => decodeBinary(i4, new Uint8Array([0, 0, 0, 1, 2])))).toBe('22P03');
    expect(codeOf(() => decodeBinary(typeFromName('numeric'), Uint8Array.from([0, 1, 0, 0, 0, 0, 0, 0, 0x27, 0x10])))).toBe('22P03');
    expect(codeOf(() => decodeBinary(typeFromName('text'), Uint8Array.from([0xc3, 0x28])))).toBe('22021');
    expect(codeOf(() => decodeBinary(typeFromName('jsonb'), Uint8Array.from([2, 0x31])))).toBe('22P03');
    expect(codeOf(() => decodeBinary(typeFromName('varchar(2)'), new TextEncoder().encode('abc')))).toBe('22001');
    expect(codeOf(() => decodeBinary(typeFromName('int4[]'), Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 1])))).toBe('42804');
  });
});
