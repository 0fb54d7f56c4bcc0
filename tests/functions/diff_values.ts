// fast-check arbitraries of SQL values for the differential test: each
// sample is the JS value and a SQL literal PostgreSQL parses to the same
// value (typed string literals built with the engine's text output).

import fc from 'fast-check';
import { Interval } from '../../host/engine/types/interval.ts';
import { Numeric } from '../../host/engine/types/numeric.ts';
import { arrayOf, T, type SqlType } from '../../host/engine/types/types.ts';
import { formatType } from '../../host/engine/types/type_names.ts';
import { Jsonb } from '../../host/engine/types/jsonb.ts';
import { SqlArray } from '../../host/engine/types/array.ts';
import { formatText } from '../../host/engine/types/text_io.ts';

export interface Val {
  v: unknown;
  lit: string;
}

export function sqlString(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

export function literal(t: SqlType, v: unknown): string {
  if (v === null) return `NULL::${formatType(t)}`;
  return `${sqlString(formatText(t, v))}::${formatType(t)}`;
}

const mk =
  (t: SqlType) =>
  (v: unknown): Val => ({ v, lit: literal(t, v) });

const INT2 = fc.oneof(fc.constantFrom(0, 1, -1, 32767, -32768, 2, 10), fc.integer({ min: -32768, max: 32767 }));
const INT4 = fc.oneof(
  fc.constantFrom(0, 1, -1, 2147483647, -2147483648, 2, 3, 7, 100),
  fc.integer({ min: -1000, max: 1000 }),
  fc.integer({ min: -2147483648, max: 2147483647 }),
);
const INT8 = fc.oneof(
  fc.constantFrom<number | bigint>(0, 1, -1, 2, 9007199254740991, -9007199254740991, 9223372036854775807n, -9223372036854775808n),
  fc.integer({ min: -100000, max: 100000 }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => (b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b)),
);
const FLOAT8 = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 0.5, 2.5, -2.5, 0.1, 1e300, -1e300, 1e-300, NaN, Infinity, -Infinity, 123456.789, 1e15, 1e-5),
  fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
  fc.double(),
);
const FLOAT4 = FLOAT8.map((x) => Math.fround(x));

const NUMERIC = fc.oneof(
  fc.constantFrom('0', '1', '-1', '0.5', '2.5', '-2.5', '1.005', 'NaN', 'Infinity', '-Infinity', '123456789012345678901234567890', '0.000001'),
  fc
    .tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 12 }))
    .map(([c, s]) => Numeric.raw(c, s).toString()),
).map((s) => Numeric.parse(s));

const TEXT_CHARS = ['a', 'b', 'c', 'A', 'B', ' ', '%', '_', '\\', '.', ',', '*', '(', ')', '[', ']', "'", '"', 'é', 'ß', '€', '😀', '1', '2', '-', '\n', '{', '}', 'x', 'Z'];
const TEXT = fc.oneof(
  fc.constantFrom('', 'abc', 'Hello World', 'a,b,c', '  pad  ', 'NULL', 'ABC def_ghi'),
  fc.array(fc.constantFrom(...TEXT_CHARS), { maxLength: 12 }).map((a) => a.join('')),
);

const BYTEA = fc.uint8Array({ maxLength: 12 });

const DAY_US = 86_400_000_000;
/** Dates mostly in 1..9999 AD, some BC and far future, plus infinities. */
const DATE = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -730000, max: 2900000 }) },
  { weight: 1, arbitrary: fc.integer({ min: -2451545, max: 2145031948 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 59, 60, 365, 366, Infinity, -Infinity, -730120, 2932896) },
);
/** Days within the range where µs timestamps are exact doubles, differences included (1858..2142). */
const EXACT_DAYS = 52_000;
const TIMESTAMP = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: -EXACT_DAYS, max: EXACT_DAYS }).chain((d) => fc.integer({ min: 0, max: DAY_US - 1 }).map((t) => d * DAY_US + t)) },
  { weight: 2, arbitrary: fc.integer({ min: -730000, max: 2900000 }).chain((d) => fc.integer({ min: 0, max: DAY_US - 1 }).map((t) => d * DAY_US + t)) },
  { weight: 1, arbitrary: fc.integer({ min: -730000, max: 2900000 }).map((d) => d * DAY_US) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 1, Infinity, -Infinity, 5000 * DAY_US + 1500000) },
);
const TIME = fc.oneof(fc.integer({ min: 0, max: DAY_US }), fc.constantFrom(0, DAY_US, 1, 43_200_000_000));
const INTERVAL = fc.oneof(
  fc
    .tuple(fc.integer({ min: -2000, max: 2000 }), fc.integer({ min: -2000, max: 2000 }), fc.integer({ min: -1e12, max: 1e12 }))
    .map(([m, d, t]) => new Interval(m, d, t)),
  fc.constantFrom(new Interval(0, 0, 0), new Interval(1, 0, 0), new Interval(0, 1, 0), new Interval(0, 0, 3_600_000_000), new Interval(-1, 2, -3)),
);
const UUID = fc.uuid();
const JSONB_TEXT = fc.oneof(
  fc.constantFrom('null', 'true', '1', '"a"', '[]', '{}', '[1, 2, 3]', '{"a": 1, "b": [1, {"c": null}]}', '{"a": {"b": {"c": 5}}}', '[{"a": 1}, "x", 2.50]'),
  fc.jsonValue({ maxDepth: 2 }).map((j) => JSON.stringify(j)),
);

const BITS = fc.oneof(
  fc.constantFrom('', '0', '1', '1010', '0000', '1111', '10000000', '0'.repeat(33), '1'.repeat(64)),
  fc.array(fc.constantFrom('0', '1'), { maxLength: 12 }).map((a) => a.join('')),
);

export function valueArb(t: SqlType): fc.Arbitrary<Val> | undefined {
  switch (t.id) {
    case 'bool':
      return fc.boolean().map(mk(t));
    case 'int2':
      return INT2.map(mk(t));
    case 'int4':
      return INT4.map(mk(t));
    case 'int8':
      return INT8.map(mk(t));
    case 'float4':
      return FLOAT4.map(mk(t));
    case 'float8':
      return FLOAT8.map(mk(t));
    case 'numeric':
      return NUMERIC.map(mk(t));
    case 'text':
      return TEXT.map(mk(t));
    case 'bytea':
      return BYTEA.map(mk(t));
    case 'date':
      return DATE.map(mk(t));
    case 'timestamp':
    case 'timestamptz':
      return TIMESTAMP.map(mk(t));
    case 'time':
      return TIME.map(mk(t));
    case 'interval':
      return INTERVAL.map(mk(t));
    case 'uuid':
      return UUID.map(mk(t));
    case 'jsonb':
      return JSONB_TEXT.map((s) => mk(t)(Jsonb.parse(s)));
    case 'bit':
    case 'varbit':
      // 'bit' alone means bit(1) in a cast: a bit string of any length is written as a B'...' literal.
      return BITS.map((s) => ({ v: s, lit: `B'${s}'${t.id === 'varbit' ? '::varbit' : ''}` }));
    case 'json':
      return JSONB_TEXT.map((s) => ({ v: s, lit: `${sqlString(s)}::json` }));
    case 'array': {
      const e = valueArb(t.elem!);
      if (e === undefined || t.elem!.id === 'array') return undefined;
      return fc
        .array(fc.option(e, { freq: 6, nil: null }), { maxLength: 5 })
        .map((items) => mk(arrayOf(t.elem!))(SqlArray.of(t.elem!, items.map((x) => (x === null ? null : x.v)))));
    }
    default:
      return undefined;
  }
}

/** A value arbitrary that sometimes yields NULL. */
export function withNull(a: fc.Arbitrary<Val>, t: SqlType): fc.Arbitrary<Val> {
  // A domain may name its own NULL literal (`nullLit`: jsonpath arguments are untyped on PostgreSQL's side).
  const nullLit = (a as { nullLit?: string }).nullLit ?? `NULL::${formatType(t)}`;
  return fc.option(a, { freq: 15, nil: null }).map((x) => x ?? { v: null, lit: nullLit });
}

export { T };
