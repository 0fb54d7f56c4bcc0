import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  compareKeys,
  decodeKey,
  encodeKey,
  KeyReader,
  KeyWriter,
  prefixSuccessor,
  type KeyColumn,
  type KeyType,
} from '../../host/engine/keys/key_encoding.ts';
import {
  canonicalValue,
  compareValues,
  DATE_DAYS_MAX,
  DATE_DAYS_MIN,
  INT64_MAX,
  INT64_MIN,
  TIME_US_MAX,
} from '../../host/engine/keys/key_values.ts';
import { SbError } from '../../host/engine/sb_error.ts';

const TYPES: KeyType[] = [
  'bool', 'int16', 'int32', 'int64', 'float32', 'float64', 'numeric',
  'text', 'bytea', 'uuid', 'date', 'time', 'timestamp', 'timestamptz',
];

const RUNS = 2500;

// ---- arbitraries ----

const digitString = (maxLength: number) =>
  fc.string({ unit: fc.constantFrom('0', '0', '1', '2', '5', '9', '3', '4', '6', '7', '8'), maxLength });

/** Decimal text in many spellings: signs, leading/trailing zeros, exponents small and huge. */
const numericText = fc
  .record({
    sign: fc.constantFrom('', '-', '+'),
    int: digitString(25),
    frac: digitString(25),
    trailingZeros: fc.nat(12),
    dot: fc.boolean(),
    exp: fc.oneof(
      { weight: 6, arbitrary: fc.constant(null) },
      { weight: 3, arbitrary: fc.integer({ min: -60, max: 60 }) },
      { weight: 1, arbitrary: fc.integer({ min: -16000, max: 20000 }) },
    ),
    expUpper: fc.boolean(),
  })
  .map(({ sign, int, frac, trailingZeros, dot, exp, expUpper }) => {
    if (int === '' && frac === '') int = '0';
    const f = frac + (frac !== '' || dot ? '0'.repeat(trailingZeros) : '');
    let s = sign + int + (f !== '' || (dot && int !== '') ? '.' + f : '');
    if (s.endsWith('.') && int === '') s += '0';
    if (exp !== null) s += (expUpper ? 'E' : 'e') + exp;
    return s;
  });

const numericArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: numericText },
  {
    weight: 1,
    arbitrary: fc.constantFrom('NaN', 'nan', 'Infinity', '-Infinity', '+inf', '-INF', '0', '-0', '0.000', '1', '1.0', '-1.00', '99', '100', '0.01', '0.099'),
  },
  { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }) },
  { weight: 1, arbitrary: fc.double() },
);

const textArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({
    unit: fc.constantFrom('\u0000', '\u0001', 'a', 'b', '\u007f', '\u0080', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '\u{10ffff}', '\u{1f600}'),
    maxLength: 8,
  }),
);

const edgyBytes = (minLength: number, maxLength: number) =>
  fc.array(fc.constantFrom(0, 0, 1, 0x7f, 0xfe, 0xff, 0xff), { minLength, maxLength }).map((a) => Uint8Array.from(a));

const int64Big = fc.oneof(
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
  fc.bigInt({ min: -70000n, max: 70000n }),
  fc.constantFrom(INT64_MIN, INT64_MAX, 0n, -1n, 255n, 256n, -256n, -257n, 2n ** 48n, -(2n ** 48n), 2n ** 48n - 1n, 2n ** 56n, -(2n ** 56n) - 1n),
);

function valueArb(type: KeyType): fc.Arbitrary<unknown> {
  switch (type) {
    case 'bool':
      return fc.boolean();
    case 'int16':
      return fc.oneof(fc.integer({ min: -32768, max: 32767 }), fc.constantFrom(-32768, 32767, 0, -1, 255, -256, -257), fc.integer({ min: -32768, max: 32767 }).map(BigInt));
    case 'int32':
      return fc.oneof(fc.integer(), fc.integer({ min: -300, max: 300 }), fc.constantFrom(-(2 ** 31), 2 ** 31 - 1, 0, 65535, 65536, -65536, -65537), fc.integer().map(BigInt));
    case 'int64':
      return fc.oneof(int64Big, fc.maxSafeInteger(), fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(-(2 ** 63), 2 ** 60, -(2 ** 53), 2 ** 48, -(2 ** 48)));
    case 'float32':
      return fc.oneof(fc.float(), fc.constantFrom(-0, 0, NaN, Infinity, -Infinity, 1.401298464324817e-45, 3.4028234663852886e38, -1, 1));
    case 'float64':
      return fc.oneof(fc.double(), fc.constantFrom(-0, 0, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE), fc.integer({ min: -5, max: 5 }));
    case 'numeric':
      return numericArb;
    case 'text':
      return textArb;
    case 'bytea':
      return fc.oneof(fc.uint8Array({ maxLength: 12 }), edgyBytes(0, 6));
    case 'uuid':
      return fc.oneof(fc.uuid(), fc.uuid().map((s) => s.toUpperCase()), edgyBytes(16, 16), fc.uint8Array({ minLength: 16, maxLength: 16 }));
    case 'date':
      return fc.oneof(fc.integer({ min: DATE_DAYS_MIN, max: DATE_DAYS_MAX }), fc.integer({ min: -400, max: 400 }), fc.constantFrom(-Infinity, Infinity, DATE_DAYS_MIN, DATE_DAYS_MAX, 0));
    case 'time':
      return fc.oneof(fc.integer({ min: 0, max: TIME_US_MAX }), fc.constantFrom(0, 1, TIME_US_MAX));
    case 'timestamp':
    case 'timestamptz':
      return fc.oneof(int64Big, fc.maxSafeInteger(), fc.constantFrom(-Infinity, Infinity));
  }
}

/** Two values, equal ones now and then. */
function pairArb(type: KeyType): fc.Arbitrary<[unknown, unknown]> {
  const v = valueArb(type);
  return fc.oneof({ weight: 4, arbitrary: fc.tuple(v, v) }, { weight: 1, arbitrary: v.map((x): [unknown, unknown] => [x, x]) });
}

// ---- helpers ----

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareKeys(a, b) === 0;
  return Object.is(a, b);
}

function isProperPrefix(p: Uint8Array, k: Uint8Array): boolean {
  return p.length < k.length && compareKeys(p, k.subarray(0, p.length)) === 0;
}

function hasPrefix(k: Uint8Array, p: Uint8Array): boolean {
  return p.length <= k.length && compareKeys(p, k.subarray(0, p.length)) === 0;
}

function compareNullable(col: KeyColumn, a: unknown, b: unknown): number {
  const nullsFirst = col.nullsFirst ?? col.descending === true;
  if (a === null && b === null) return 0;
  if (a === null) return nullsFirst ? -1 : 1;
  if (b === null) return nullsFirst ? 1 : -1;
  const c = compareValues(col.type, a, b);
  return col.descending ? sign(-c) : c;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof SbError) return e.code;
    throw e;
  }
  return undefined;
}

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

// ---- properties per type ----

describe.each(TYPES)('%s keys', (type) => {
  it('preserve SQL order ascending and descending', () => {
    fc.assert(
      fc.property(pairArb(type), fc.boolean(), ([a, b], descending) => {
        const col: KeyColumn[] = [{ type, descending }];
        const c = compareKeys(encodeKey(col, [a]), encodeKey(col, [b]));
        const expected = compareValues(type, a, b);
        expect(c).toBe(descending ? sign(-expected) : sign(expected));
      }),
      { numRuns: RUNS },
    );
  });

  it('round-trip to the canonical value', () => {
    fc.assert(
      fc.property(valueArb(type), fc.boolean(), (v, descending) => {
        const col: KeyColumn[] = [{ type, descending }];
        const key = encodeKey(col, [v]);
        const [back] = decodeKey(col, key);
        const canon = canonicalValue(type, v);
        if (!sameValue(back, canon)) throw new Error(`${String(v)} decoded as ${String(back)}, expected ${String(canon)}`);
        // The canonical value encodes identically, and decoding ignores trailing bytes.
        expect(compareKeys(encodeKey(col, [back]), key)).toBe(0);
        const padded = new Uint8Array(key.length + 3).fill(0xab);
        padded.set(key, 2);
        expect(sameValue(decodeKey(col, padded, 2)[0], canon)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('are prefix-free', () => {
    fc.assert(
      fc.property(pairArb(type), fc.boolean(), ([a, b], descending) => {
        const col: KeyColumn[] = [{ type, descending }];
        const ka = encodeKey(col, [a]);
        const kb = encodeKey(col, [b]);
        expect(isProperPrefix(ka, kb) || isProperPrefix(kb, ka)).toBe(false);
        // Equal values, and only they, encode identically.
        expect(compareKeys(ka, kb) === 0).toBe(compareValues(type, a, b) === 0);
      }),
      { numRuns: RUNS },
    );
  });

  it('put NULLs first or last as asked', () => {
    fc.assert(
      fc.property(valueArb(type), fc.boolean(), fc.option(fc.boolean(), { nil: undefined }), (v, descending, nullsFirst) => {
        const col: KeyColumn = nullsFirst === undefined ? { type, descending } : { type, descending, nullsFirst };
        const first = nullsFirst ?? descending; // PostgreSQL defaults
        const kn = encodeKey([col], [null]);
        const kv = encodeKey([col], [v]);
        expect(compareKeys(kn, kv)).toBe(first ? -1 : 1);
        expect(compareKeys(encodeKey([col], [undefined]), kn)).toBe(0);
        expect(decodeKey([col], kn)).toEqual([null]);
      }),
      { numRuns: 300 },
    );
  });
});

// ---- composite keys ----

const columnArb: fc.Arbitrary<KeyColumn> = fc
  .record({ type: fc.constantFrom(...TYPES), descending: fc.boolean(), nullsFirst: fc.option(fc.boolean(), { nil: undefined }) })
  .map(({ type, descending, nullsFirst }) => (nullsFirst === undefined ? { type, descending } : { type, descending, nullsFirst }));

const compositeArb = fc
  .array(columnArb, { minLength: 1, maxLength: 4 })
  .chain((cols) => {
    const tuple = fc.tuple(...cols.map((c) => fc.option(valueArb(c.type), { nil: null, freq: 6 })));
    return fc.tuple(fc.constant(cols), tuple, tuple, fc.nat(cols.length));
  })
  .map(([cols, a, b, shared]): [KeyColumn[], unknown[], unknown[]] => [cols, a, [...a.slice(0, shared), ...b.slice(shared)]]);

describe('composite keys', () => {
  it('compare lexicographically by column', () => {
    fc.assert(
      fc.property(compositeArb, ([cols, a, b]) => {
        let expected = 0;
        for (let i = 0; i < cols.length && expected === 0; i++) expected = sign(compareNullable(cols[i], a[i], b[i]));
        expect(compareKeys(encodeKey(cols, a), encodeKey(cols, b))).toBe(expected);
      }),
      { numRuns: 4000 },
    );
  });

  it('round-trip, skip column by column, and prefix-scan', () => {
    fc.assert(
      fc.property(compositeArb, ([cols, a]) => {
        const key = encodeKey(cols, a);
        const back = decodeKey(cols, key);
        cols.forEach((c, i) => expect(sameValue(back[i], canonicalValue(c.type, a[i]))).toBe(true));
        for (let i = 0; i < cols.length; i++) {
          const r = new KeyReader(key);
          for (let j = 0; j < i; j++) r.skip(cols[j]);
          expect(sameValue(r.value(cols[i]), back[i])).toBe(true);
        }
        const r = new KeyReader(key);
        cols.forEach((c) => r.skip(c));
        expect(r.done).toBe(true);
        // A key lies in [prefix, prefixSuccessor(prefix)) of each of its column prefixes.
        for (let n = 1; n <= cols.length; n++) {
          const prefix = encodeKey(cols, a.slice(0, n));
          expect(hasPrefix(key, prefix)).toBe(true);
          const succ = prefixSuccessor(prefix);
          if (succ !== null) expect(compareKeys(key, succ)).toBe(-1);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

// ---- prefixSuccessor ----

describe('prefixSuccessor', () => {
  it('is the least key above every key with the prefix', () => {
    fc.assert(
      fc.property(edgyBytes(0, 5), edgyBytes(0, 5), fc.boolean(), (prefix, tail, extend) => {
        const key = extend ? Uint8Array.from([...prefix, ...tail]) : tail;
        const succ = prefixSuccessor(prefix);
        if (succ === null) {
          expect(prefix.every((b) => b === 0xff)).toBe(true);
          return;
        }
        expect(compareKeys(prefix, succ)).toBe(-1);
        expect(hasPrefix(succ, prefix)).toBe(false);
        if (hasPrefix(key, prefix)) expect(compareKeys(key, succ)).toBe(-1);
        else if (compareKeys(key, prefix) > 0) expect(compareKeys(key, succ)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 5000 },
    );
  });

  it('handles the edges', () => {
    expect(prefixSuccessor(new Uint8Array([]))).toBeNull();
    expect(prefixSuccessor(new Uint8Array([0xff, 0xff]))).toBeNull();
    expect(prefixSuccessor(new Uint8Array([1, 0xff]))).toEqual(new Uint8Array([2]));
    expect(prefixSuccessor(new Uint8Array([1, 2]))).toEqual(new Uint8Array([1, 3]));
    const p = new Uint8Array([5, 0xfe]);
    prefixSuccessor(p);
    expect(p).toEqual(new Uint8Array([5, 0xfe])); // not modified
  });
});

// ---- numeric against an independent BigInt oracle ----

function oracleParts(s: string): { n: bigint; scale: number } | 'nan' | 'inf' | '-inf' {
  const t = s.trim().toLowerCase();
  if (t === 'nan') return 'nan';
  if (/^\+?inf(inity)?$/.test(t)) return 'inf';
  if (/^-inf(inity)?$/.test(t)) return '-inf';
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/.exec(t)!;
  const frac = m[3] ?? '';
  const n = BigInt((m[1] === '-' ? '-' : '') + ((m[2] ?? '') + frac || '0'));
  return { n, scale: frac.length - Number(m[4] ?? 0) }; // value = n / 10^scale
}

function oracleCompare(a: string, b: string): number {
  const rank = (p: ReturnType<typeof oracleParts>) => (p === '-inf' ? 0 : p === 'inf' ? 2 : p === 'nan' ? 3 : 1);
  const pa = oracleParts(a);
  const pb = oracleParts(b);
  if (rank(pa) !== rank(pb) || typeof pa === 'string' || typeof pb === 'string') return sign(rank(pa) - rank(pb));
  const s = Math.max(pa.scale, pb.scale);
  const x = pa.n * 10n ** BigInt(s - pa.scale);
  const y = pb.n * 10n ** BigInt(s - pb.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

describe('numeric', () => {
  const smallNumeric = numericText.filter((s) => !/e-?\d{3,}/i.test(s));

  it('orders keys as a BigInt oracle orders the values', () => {
    fc.assert(
      fc.property(smallNumeric, smallNumeric, fc.boolean(), (a, b, descending) => {
        const col: KeyColumn[] = [{ type: 'numeric', descending }];
        const expected = oracleCompare(a, b);
        expect(compareValues('numeric', a, b)).toBe(expected);
        expect(compareKeys(encodeKey(col, [a]), encodeKey(col, [b]))).toBe(sign(descending ? -expected : expected));
      }),
      { numRuns: 4000 },
    );
  });

  it('encodes every spelling of a value identically', () => {
    const same = (xs: unknown[]) => {
      const keys = xs.map((x) => encodeKey([{ type: 'numeric' }], [x]));
      for (const k of keys) expect(compareKeys(k, keys[0])).toBe(0);
    };
    same(['1', '1.0', '1.00', '+1', '0.1e1', '10e-1', ' 1 ', '001.000', 1, 1n]);
    same(['0', '-0', '0.000', '0e10', '.0', '0.', 0, -0]);
    same(['-12.34', '-12.340', '-1234e-2', '-0.01234E3']);
    same(['NaN', 'nan', ' NAN ', NaN]);
    same(['Infinity', 'inf', '+Infinity', Infinity]);
    same(['-Infinity', '-inf', -Infinity]);
  });

  it('decodes to the canonical form', () => {
    const cases: [unknown, string][] = [
      ['-12.340', '-12.34'], ['1.0', '1'], ['0.001', '0.001'], ['1e3', '1000'], ['1.5e-3', '0.0015'],
      ['100', '100'], ['-0.5', '-0.5'], ['12345678901234567890.123456789', '12345678901234567890.123456789'],
      ['.5', '0.5'], ['5.', '5'], ['-inf', '-Infinity'], ['NAN', 'NaN'], [1e21, '1000000000000000000000'], [5e-7, '0.0000005'],
    ];
    for (const [input, canon] of cases) {
      expect(decodeKey([{ type: 'numeric' }], encodeKey([{ type: 'numeric' }], [input]))).toEqual([canon]);
      expect(canonicalValue('numeric', input)).toBe(canon);
    }
    const huge = '9'.repeat(300) + 'e1000';
    expect(decodeKey([{ type: 'numeric' }], encodeKey([{ type: 'numeric' }], [huge]))[0]).toBe('9'.repeat(300) + '0'.repeat(1000));
  });

  it('rejects malformed input and values beyond the limits', () => {
    for (const bad of ['', ' ', 'abc', '1e', '--1', '1.2.3', '+', '-', '.', 'e5', '1 2', '0x10', '-nan', 'Infinityy', '1e+']) {
      expect(codeOf(() => encodeKey([{ type: 'numeric' }], [bad])), bad).toBe('22P02');
    }
    expect(codeOf(() => encodeKey([{ type: 'numeric' }], ['1e131072']))).toBe('22003');
    expect(codeOf(() => encodeKey([{ type: 'numeric' }], ['1e-16384']))).toBe('22003');
    expect(codeOf(() => encodeKey([{ type: 'numeric' }], ['1e99999999999999999999']))).toBe('22003');
    expect(encodeKey([{ type: 'numeric' }], ['0e99999999999999999999'])).toEqual(encodeKey([{ type: 'numeric' }], ['0']));
    expect(codeOf(() => encodeKey([{ type: 'numeric' }], [{}]))).toBe('42804');
  });
});

// ---- edges: compactness, fast paths, errors, damaged keys ----

describe('key edges', () => {
  const one = (type: KeyType, v: unknown, descending = false) => encodeKey([{ type, descending }], [v]);

  it('encodes integers compactly and identically across widths', () => {
    expect(one('int32', 0).length).toBe(1);
    expect(one('int32', 255).length).toBe(2);
    expect(one('int32', -256).length).toBe(2);
    expect(one('int32', 65535).length).toBe(3);
    expect(one('int64', INT64_MAX).length).toBe(9);
    for (const v of [0, 1, -1, 300, -32768, 32767]) {
      expect(one('int16', v)).toEqual(one('int64', BigInt(v)));
      expect(one('int32', BigInt(v))).toEqual(one('int64', v));
    }
    expect(one('int64', 2 ** 53)).toEqual(one('int64', 2n ** 53n));
  });

  it('has fast paths equal to value()', () => {
    const w = new KeyWriter(1);
    const check = (type: KeyType, v: unknown, fast: (w: KeyWriter) => KeyWriter) => {
      expect(fast(w.reset()).bytes()).toEqual(one(type, v));
    };
    check('bool', true, (w) => w.bool(true));
    check('int64', -70000n, (w) => w.int(-70000n));
    check('int32', 123456, (w) => w.int(123456));
    check('int64', 2 ** 52, (w) => w.int(2 ** 52));
    check('float64', -1.5, (w) => w.float(-1.5));
    check('numeric', '-12.5', (w) => w.numeric('-12.5'));
    check('text', 'héllo\u0000', (w) => w.text('héllo\u0000'));
    check('bytea', new Uint8Array([0, 9]), (w) => w.bytea(new Uint8Array([0, 9])));
    check('uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', (w) => w.uuid('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'));
    const long = 'x\u{1f600}'.repeat(5000);
    w.reset().int(7).text(long).raw(new Uint8Array([1, 2]));
    expect(w.length).toBe(w.view().length);
    expect(decodeKey([{ type: 'int32' }, { type: 'text' }], w.view())).toEqual([7, long]);
    expect(codeOf(() => w.int(1.5))).toBe('22P02');
    expect(codeOf(() => w.int(2n ** 63n))).toBe('22003');
  });

  it('rejects values a column cannot hold', () => {
    const cases: [KeyType, unknown, string][] = [
      ['int16', 32768, '22003'], ['int16', -32769n, '22003'], ['int32', 2 ** 31, '22003'],
      ['int64', 2n ** 63n, '22003'], ['int64', 2 ** 63, '22003'], ['int64', -(2n ** 63n) - 1n, '22003'],
      ['int32', 1.5, '22P02'], ['int32', NaN, '22P02'], ['int32', Infinity, '22003'], ['int32', '1', '42804'],
      ['float32', 1e39, '22003'], ['float32', 1e-50, '22003'], ['float64', '1', '42804'],
      ['text', '\ud800', '22021'], ['text', 'a\udc00b', '22021'], ['text', '\ud800\ud800', '22021'], ['text', 5, '42804'],
      ['bytea', [1, 2], '42804'], ['bool', 1, '42804'],
      ['uuid', 'not-a-uuid', '22P02'], ['uuid', new Uint8Array(15), '42804'],
      ['date', 1.5, '22P02'], ['date', DATE_DAYS_MAX + 1, '22008'], ['date', 5n, '42804'],
      ['time', -1, '22008'], ['time', TIME_US_MAX + 1, '22008'],
      ['timestamp', 2n ** 63n, '22008'], ['timestamptz', 0.5, '22P02'], ['timestamp', 'now', '42804'],
    ];
    for (const [type, v, code] of cases) expect(codeOf(() => one(type, v)), `${type} ${String(v)}`).toBe(code);
    expect(codeOf(() => encodeKey([{ type: 'int32' }], [1, 2]))).toBe('XX000');
  });

  it('maps infinities of date and timestamp to the extremes', () => {
    expect(decodeKey([{ type: 'date' }], one('date', -Infinity))).toEqual([-Infinity]);
    expect(decodeKey([{ type: 'timestamp' }], one('timestamp', Infinity))).toEqual([INT64_MAX]);
    expect(one('timestamptz', -Infinity)).toEqual(one('timestamptz', INT64_MIN));
    expect(compareKeys(one('date', DATE_DAYS_MAX), one('date', Infinity))).toBe(-1);
  });

  it('reports damaged keys as XX001', () => {
    const damaged: [KeyType, number[]][] = [
      ['int32', []], ['int32', [0x50]], ['int32', [0x2a, 1]], ['float64', [0x38, 1, 2]], ['bool', [0x12]],
      ['text', [0x50, 0x61]], ['text', [0x50, 0x00, 0x05]], ['text', [0x50, 0xff, 0xfe, 0x00, 0x01]],
      ['bytea', [0x58, 0x00]], ['uuid', [0x60, 1, 2]], ['numeric', [0x43]], ['numeric', [0x43, 0x80, 0x03]],
      ['numeric', [0x43, 0x80, 0xfa]], ['numeric', [0x43, 0x80, 0x00]], ['numeric', [0x43, 0xff, 1]],
    ];
    for (const [type, bytes] of damaged) {
      expect(codeOf(() => decodeKey([{ type }], Uint8Array.from(bytes))), `${type} ${bytes}`).toBe('XX001');
    }
    expect(codeOf(() => new KeyReader(Uint8Array.from([0x2a, 1])).skip({ type: 'int32' }))).toBe('XX001');
    expect(codeOf(() => new KeyReader(Uint8Array.from([0x77])).skip({ type: 'int32' }))).toBe('XX001');
  });
});
