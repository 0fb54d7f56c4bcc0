// TODO(types): compareValues / equalValues, here until
// host/engine/types/compare.ts exists. Orders match PostgreSQL's btree
// opclasses: text in the "C" collation (code point order), floats with NaN
// above everything, numeric NaN above +Infinity, jsonb's type order, arrays
// element by element then by dimensions.

import { SbError, SqlState } from '../../sb_error.ts';
import { Interval } from '../../types/interval.ts';
import { Numeric } from '../../types/numeric.ts';
import type { SqlType } from '../../types/types.ts';
import { compareCodePoints, Jsonb, type JsonValue } from './jsonb.ts';
import { SqlArray } from './sql_array.ts';

export { compareCodePoints };

function cmpNum(a: number | bigint, b: number | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareFloat(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
}

/** bpchar compares without its trailing spaces. */
export function trimBpchar(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 32) e--;
  return e === s.length ? s : s.slice(0, e);
}

function jsonRank(v: JsonValue): number {
  if (v === null) return 0;
  if (typeof v === 'string') return 1;
  if (v instanceof Numeric) return 2;
  if (typeof v === 'boolean') return 3;
  if (Array.isArray(v)) return 4;
  return 5;
}

/** jsonb btree order: Object > Array > Boolean > Number > String > Null; then by size, then contents. */
export function compareJsonb(a: JsonValue, b: JsonValue): number {
  const ra = jsonRank(a);
  const rb = jsonRank(b);
  if (ra !== rb) {
    return ra < rb ? -1 : 1;
  }
  switch (ra) {
    case 0:
      return 0;
    case 1: {
      const x = a as string;
      const y = b as string;
      return compareCodePoints(x, y) < 0 ? -1 : x === y ? 0 : 1;
    }
    case 2:
      return (a as Numeric).cmp(b as Numeric);
    case 3:
      return a === b ? 0 : a ? 1 : -1;
    case 4: {
      const x = a as JsonValue[];
      const y = b as JsonValue[];
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      for (let i = 0; i < x.length; i++) {
        const c = compareJsonb(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return 0;
    }
    default: {
      const x = a as Map<string, JsonValue>;
      const y = b as Map<string, JsonValue>;
      if (x.size !== y.size) return x.size < y.size ? -1 : 1;
      const kx = [...x.keys()];
      const ky = [...y.keys()];
      // Pairs compare key, value, key, value... in storage order.
      for (let i = 0; i < kx.length; i++) {
        // Keys of two objects compare as strings (the collation order), not in storage order.
        const ck = compareCodePoints(kx[i]!, ky[i]!);
        if (ck !== 0) return ck < 0 ? -1 : 1;
        const cv = compareJsonb(x.get(kx[i]!)!, y.get(ky[i]!)!);
        if (cv !== 0) return cv;
      }
      return 0;
    }
  }
}

export function compareArrays(a: SqlArray, b: SqlArray, elemType: SqlType): number {
  const n = Math.min(a.values.length, b.values.length);
  for (let i = 0; i < n; i++) {
    const x = a.values[i];
    const y = b.values[i];
    // NULL elements sort after non-null ones and equal each other.
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return x === null ? 1 : -1;
    }
    const c = compareValues(elemType, x, y);
    if (c !== 0) return c;
  }
  if (a.values.length !== b.values.length) return a.values.length < b.values.length ? -1 : 1;
  if (a.dims.length !== b.dims.length) return a.dims.length < b.dims.length ? -1 : 1;
  for (let d = 0; d < a.dims.length; d++) {
    if (a.dims[d] !== b.dims[d]) return a.dims[d]! < b.dims[d]! ? -1 : 1;
    if (a.lbounds[d] !== b.lbounds[d]) return a.lbounds[d]! < b.lbounds[d]! ? -1 : 1;
  }
  return 0;
}

function compareRecords(a: unknown[], b: unknown[], t: SqlType): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return x === null ? 1 : -1;
    }
    const ft = t.fields?.[i] ?? typeOfValue(x);
    const c = compareValues(ft, x, y);
    if (c !== 0) return c;
  }
  return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
}

function typeOfValue(v: unknown): SqlType {
  if (typeof v === 'number' || typeof v === 'bigint') return { id: 'float8', typmod: -1 };
  if (typeof v === 'boolean') return { id: 'bool', typmod: -1 };
  if (v instanceof Numeric) return { id: 'numeric', typmod: -1 };
  if (v instanceof Interval) return { id: 'interval', typmod: -1 };
  if (v instanceof Uint8Array) return { id: 'bytea', typmod: -1 };
  if (v instanceof Jsonb) return { id: 'jsonb', typmod: -1 };
  return { id: 'text', typmod: -1 };
}

/** Three-way comparison of two non-null values of type t. */
export function compareValues(t: SqlType, a: unknown, b: unknown): number {
  switch (t.id) {
    case 'bool':
      return a === b ? 0 : a ? 1 : -1;
    case 'int2':
    case 'int4':
    case 'int8':
    case 'oid':
    case 'xid':
    case 'cid':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'regclass':
    case 'regtype':
    case 'regproc':
    case 'regprocedure':
    case 'regnamespace':
    case 'regrole':
      return cmpNum(a as number | bigint, b as number | bigint);
    case 'float4':
    case 'float8':
      return compareFloat(a as number, b as number);
    case 'numeric':
      return (a as Numeric).cmp(b as Numeric);
    case 'text':
    case 'varchar':
    case 'name':
    case 'char':
    case 'unknown': {
      const c = compareCodePoints(a as string, b as string);
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case 'bpchar': {
      const c = compareCodePoints(trimBpchar(a as string), trimBpchar(b as string));
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case 'uuid':
      return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
    case 'bytea':
      return compareBytes(a as Uint8Array, b as Uint8Array);
    case 'interval':
      return (a as Interval).cmp(b as Interval);
    case 'timetz': {
      // PostgreSQL orders by the UTC instant, then by zone (east-of-UTC offsets last).
      const x = a as { micros: number; offsetSeconds: number };
      const y = b as { micros: number; offsetSeconds: number };
      const ux = x.micros - x.offsetSeconds * 1e6;
      const uy = y.micros - y.offsetSeconds * 1e6;
      if (ux !== uy) return ux < uy ? -1 : 1;
      return cmpNum(-x.offsetSeconds, -y.offsetSeconds);
    }
    case 'jsonb': {
      const x = (a as Jsonb).value;
      const y = (b as Jsonb).value;
      // A top-level scalar is stored as a one-element "raw scalar" array: an empty array sorts below it.
      const emptyX = Array.isArray(x) && x.length === 0;
      const emptyY = Array.isArray(y) && y.length === 0;
      if (emptyX && jsonRank(y) < 4) return -1;
      if (emptyY && jsonRank(x) < 4) return 1;
      return compareJsonb(x, y);
    }
    case 'array':
      return compareArrays(a as SqlArray, b as SqlArray, t.elem ?? (a as SqlArray).elemType);
    case 'anyarray':
    case 'anycompatiblearray':
      return compareArrays(a as SqlArray, b as SqlArray, (a as SqlArray).elemType);
    case 'record':
      return compareRecords(a as unknown[], b as unknown[], t);
    case 'anyelement':
    case 'anynonarray':
    case 'anycompatible':
    case 'anycompatiblenonarray':
      return compareValues(typeOfValue(a), a, b);
    default:
      throw new SbError(SqlState.undefined_function, `could not identify a comparison function for type ${t.id}`);
  }
}

export function equalValues(t: SqlType, a: unknown, b: unknown): boolean {
  return compareValues(t, a, b) === 0;
}
