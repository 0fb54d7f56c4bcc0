// btree order, equality and hashing of values as PostgreSQL's default
// operator classes define them: NaN greatest for float and numeric (and
// equal to itself), bpchar ignoring trailing spaces, text by code point (the
// "C" collation), interval by its 30-day-month linear value, timetz by UTC
// time then zone, jsonb and arrays by their container rules. NULLs are the
// caller's business, except inside arrays and records (NULL sorts last).
// hashValue is consistent with equalValues: 1 and 1.00, -0 and 0, '1 day'
// and '24 hours' hash alike.

import { SbError, SqlState } from '../sb_error.ts';
import type { SqlArray } from './array.ts';
import type { TimetzValue } from './datetime.ts';
import { compareCodePoints } from './json_parse.ts';
import type { Interval } from './interval.ts';
import { compareJsonb, type Jsonb, type JsonValue } from './jsonb.ts';
import { Numeric } from './numeric.ts';
import { trimBpchar, type TidValue } from './scalar_io.ts';
import { formatType } from './type_names.ts';
import type { SqlType } from './types.ts';

export { compareCodePoints };

export function compareFloat(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function cmpPrimitive(a: number | bigint | string, b: number | bigint | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareTimetz(a: TimetzValue, b: TimetzValue): number {
  const ta = a.micros - a.offsetSeconds * 1e6;
  const tb = b.micros - b.offsetSeconds * 1e6;
  if (ta !== tb) return ta < tb ? -1 : 1;
  // Same UTC time: PostgreSQL orders by zone (seconds west), so larger east offsets first.
  return a.offsetSeconds > b.offsetSeconds ? -1 : a.offsetSeconds < b.offsetSeconds ? 1 : 0;
}

/** array_cmp: elements in storage order (NULL greatest), then count, dimensionality, dims, bounds. */
export function compareArrays(a: SqlArray, b: SqlArray, elemType: SqlType): number {
  const n = Math.min(a.values.length, b.values.length);
  for (let i = 0; i < n; i++) {
    const x = a.values[i] ?? null;
    const y = b.values[i] ?? null;
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return x === null ? 1 : -1;
    }
    const c = compareValues(elemType, x, y);
    if (c !== 0) return c;
  }
  if (a.values.length !== b.values.length) return a.values.length < b.values.length ? -1 : 1;
  if (a.dims.length !== b.dims.length) return a.dims.length < b.dims.length ? -1 : 1;
  for (let d = 0; d < a.dims.length; d++) if (a.dims[d] !== b.dims[d]) return a.dims[d]! < b.dims[d]! ? -1 : 1;
  for (let d = 0; d < a.lbounds.length; d++) {
    if (a.lbounds[d] !== b.lbounds[d]) return a.lbounds[d]! < b.lbounds[d]! ? -1 : 1;
  }
  return 0;
}

function compareRecords(a: unknown[], b: unknown[], fields: readonly SqlType[] | undefined): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return x === null ? 1 : -1;
    }
    const t = fields?.[i];
    const c = t !== undefined ? compareValues(t, x, y) : compareUntyped(x, y);
    if (c !== 0) return c;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Fallback order for record fields of unknown type: by the JS representation. */
function compareUntyped(x: unknown, y: unknown): number {
  if (x instanceof Numeric && y instanceof Numeric) return x.cmp(y);
  if (typeof x === 'number' && typeof y === 'number') return compareFloat(x, y);
  if ((typeof x === 'number' || typeof x === 'bigint') && (typeof y === 'number' || typeof y === 'bigint')) {
    return cmpPrimitive(x, y);
  }
  if (typeof x === 'string' && typeof y === 'string') return compareCodePoints(x, y);
  if (typeof x === 'boolean' && typeof y === 'boolean') return x === y ? 0 : x ? 1 : -1;
  return compareCodePoints(String(x), String(y));
}

function noOrdering(t: SqlType, what: 'ordering' | 'equality'): SbError {
  return new SbError(SqlState.undefined_function, `could not identify an ${what} operator for type ${formatType(t)}`);
}

/** -1, 0 or 1: the order of two non-NULL values of type t. */
export function compareValues(t: SqlType, a: unknown, b: unknown): number {
  switch (t.id) {
    case 'bool':
      return a === b ? 0 : a ? 1 : -1;
    case 'int2':
    case 'int4':
    case 'int8':
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
    case 'regprocedure':
    case 'regnamespace':
    case 'regrole':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'xid':
    case 'cid':
      return cmpPrimitive(a as number, b as number);
    case 'float4':
    case 'float8':
      return compareFloat(a as number, b as number);
    case 'numeric':
      return (a as Numeric).cmp(b as Numeric);
    case 'text':
    case 'varchar':
    case 'name':
    case 'unknown':
    case 'uuid':
    case 'bit':
    case 'varbit':
      return compareCodePoints(a as string, b as string);
    case 'bpchar':
      return compareCodePoints(trimBpchar(a as string), trimBpchar(b as string));
    case 'char':
      return cmpPrimitive((a as string).charCodeAt(0) || 0, (b as string).charCodeAt(0) || 0);
    case 'bytea':
      return compareBytes(a as Uint8Array, b as Uint8Array);
    case 'timetz':
      return compareTimetz(a as TimetzValue, b as TimetzValue);
    case 'interval':
      return (a as Interval).cmp(b as Interval);
    case 'jsonb':
      return compareJsonb((a as Jsonb).value, (b as Jsonb).value);
    case 'tid': {
      const x = a as TidValue;
      const y = b as TidValue;
      return x.block !== y.block ? cmpPrimitive(x.block, y.block) : cmpPrimitive(x.offset, y.offset);
    }
    case 'array':
      return compareArrays(a as SqlArray, b as SqlArray, t.elem!);
    case 'record':
      return compareRecords(a as unknown[], b as unknown[], t.fields);
    default:
      throw noOrdering(t, 'ordering');
  }
}

/** Equality of two non-NULL values of type t (the type's = operator). */
export function equalValues(t: SqlType, a: unknown, b: unknown): boolean {
  switch (t.id) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'oid':
      return a == b; // number and bigint compare exactly with ==
    case 'text':
    case 'varchar':
    case 'name':
    case 'uuid':
    case 'unknown':
    case 'bit':
    case 'varbit':
      return a === b;
    case 'json':
      throw noOrdering(t, 'equality');
    default:
      return compareValues(t, a, b) === 0;
  }
}

/** Canonical jsonb text for hashing: numbers without trailing fractional zeros. */
function jsonbKey(v: JsonValue): string {
  if (v === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Numeric) return v.canonicalKey();
  if (Array.isArray(v)) return '[' + v.map(jsonbKey).join(',') + ']';
  return '{' + [...v].map(([k, x]) => JSON.stringify(k) + ':' + jsonbKey(x)).join(',') + '}';
}

function bytesKey(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += (x < 16 ? '0' : '') + x.toString(16);
  return s;
}

/**
 * A hash key for a non-NULL value: values equal under equalValues get the
 * same key (strings compare exactly as keys). Integer types and numeric
 * share the decimal spelling, so 1::int2, 1::int8 and 1.0::numeric agree.
 */
export function hashValue(t: SqlType, v: unknown): string | number {
  switch (t.id) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'oid':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return typeof v === 'bigint' ? v.toString() : (v as number) + 0;
    case 'float4':
    case 'float8':
      return Number.isNaN(v) ? 'NaN' : (v as number) + 0;
    case 'numeric':
      return (v as Numeric).canonicalKey();
    case 'bool':
      return v ? 1 : 0;
    case 'bpchar':
      return trimBpchar(v as string);
    case 'bytea':
      return bytesKey(v as Uint8Array);
    case 'interval':
      return (v as Interval).cmpKey().toString();
    case 'timetz': {
      const x = v as TimetzValue;
      return `${x.micros}/${x.offsetSeconds}`;
    }
    case 'jsonb':
      return jsonbKey((v as Jsonb).value);
    case 'tid': {
      const x = v as TidValue;
      return `${x.block},${x.offset}`;
    }
    case 'array': {
      const a = v as SqlArray;
      const parts = a.values.map((x) => (x === null || x === undefined ? '\u0000N' : String(hashValue(t.elem!, x))));
      return `${a.dims.join('x')}@${a.lbounds.join(',')}[${parts.join('\u0001')}]`;
    }
    case 'record': {
      const r = v as unknown[];
      return (
        '(' +
        r
          .map((x, i) => (x === null || x === undefined ? '\u0000N' : String(hashValue(t.fields?.[i] ?? guessFieldType(x), x))))
          .join('\u0001') +
        ')'
      );
    }
    case 'json':
      throw noOrdering(t, 'equality');
    default:
      return typeof v === 'string' || typeof v === 'number' ? v : String(v);
  }
}

function guessFieldType(x: unknown): SqlType {
  if (x instanceof Numeric) return { id: 'numeric', typmod: -1 };
  if (typeof x === 'number' || typeof x === 'bigint') return { id: 'int8', typmod: -1 };
  return { id: 'text', typmod: -1 };
}
