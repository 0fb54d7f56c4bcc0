// JS representations of key column values: validation, canonical form and
// SQL order. The encoding (key_encoding.ts) must agree with compareValues;
// the property tests hold it to that.

import { SbError, SqlState } from '../sb_error.ts';
import { uuidFromString, uuidToString } from '../ids/uuidv7.ts';
import type { KeyType } from './key_encoding.ts';
import { canonicalNumeric, compareNumeric } from './key_numeric.ts';
import { compareBytes, compareText } from './key_text.ts';
import { outOfRange, wrongValueType } from './key_tags.ts';

export const INT16_MIN = -32768;
export const INT16_MAX = 32767;
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** PostgreSQL's date range in days since 2000-01-01: 4714-11-24 BC .. 5874897-12-31. */
export const DATE_DAYS_MIN = -2451545;
export const DATE_DAYS_MAX = 2145031948;
/** time runs to 24:00:00 inclusive, as in PostgreSQL. */
export const TIME_US_MAX = 86_400_000_000;

function notInteger(type: string, v: number): SbError {
  return new SbError(SqlState.invalid_text_representation, `invalid input syntax for type ${type}: "${v}"`, {
    dataType: type,
  });
}

function datetimeOverflow(type: string, v: unknown): SbError {
  return new SbError(SqlState.datetime_field_overflow, `${type} out of range: ${String(v)}`, { dataType: type });
}

function checkInteger(type: string, v: unknown, min: number | bigint, max: number | bigint): number | bigint {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) {
      if (Number.isNaN(v)) throw notInteger(type, v);
      if (!Number.isFinite(v)) throw outOfRange(type, v);
      throw notInteger(type, v);
    }
  } else if (typeof v !== 'bigint') {
    throw wrongValueType(type, v);
  }
  // Relational operators compare number and bigint exactly.
  if (v < min || v > max) throw outOfRange(type, v);
  return v;
}

/**
 * Validates a non-null value for a key column and returns it in the form the
 * encoder writes: integers (date with ±Infinity mapped to the int32
 * extremes, timestamp ±Infinity to the int64 extremes), float32 rounded.
 * Throws 22003 (out of range), 22008 (date/time out of range), 22P02 (not an
 * integer) or 42804 (wrong JS type).
 */
export function checkKeyValue(type: KeyType, v: unknown): unknown {
  switch (type) {
    case 'int16':
      return checkInteger(type, v, INT16_MIN, INT16_MAX);
    case 'int32':
      return checkInteger(type, v, INT32_MIN, INT32_MAX);
    case 'int64':
      return checkInteger(type, v, INT64_MIN, INT64_MAX);
    case 'date': {
      if (typeof v !== 'number') throw wrongValueType(type, v);
      if (v === -Infinity) return INT32_MIN;
      if (v === Infinity) return INT32_MAX;
      if (!Number.isInteger(v)) throw notInteger(type, v);
      if (v < DATE_DAYS_MIN || v > DATE_DAYS_MAX) throw datetimeOverflow(type, v);
      return v;
    }
    case 'time': {
      if (typeof v !== 'number' && typeof v !== 'bigint') throw wrongValueType(type, v);
      if (typeof v === 'number' && !Number.isInteger(v)) throw notInteger(type, v);
      if (v < 0 || v > TIME_US_MAX) throw datetimeOverflow(type, v);
      return Number(v);
    }
    case 'timestamp':
    case 'timestamptz': {
      if (v === -Infinity) return INT64_MIN;
      if (v === Infinity) return INT64_MAX;
      if (typeof v !== 'number' && typeof v !== 'bigint') throw wrongValueType(type, v);
      if (typeof v === 'number' && !Number.isInteger(v)) throw notInteger(type, v);
      if (v < INT64_MIN || v > INT64_MAX) throw datetimeOverflow(type, v);
      return v;
    }
    case 'float32': {
      if (typeof v !== 'number') throw wrongValueType(type, v);
      const f = Math.fround(v);
      // Overflow to infinity and underflow to zero are errors, as in PostgreSQL.
      if ((!Number.isFinite(f) && Number.isFinite(v)) || (f === 0 && v !== 0)) throw outOfRange(type, v);
      return f;
    }
    case 'float64':
      if (typeof v !== 'number') throw wrongValueType(type, v);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw wrongValueType(type, v);
      return v;
    case 'text':
      if (typeof v !== 'string') throw wrongValueType(type, v);
      return v;
    case 'bytea':
      if (!(v instanceof Uint8Array)) throw wrongValueType(type, v);
      return v;
    case 'numeric':
    case 'uuid':
      return v; // parsed by their writers
  }
  throw new SbError(SqlState.feature_not_supported, `key columns of type ${String(type)} are not supported`);
}

function uuidBytes(v: unknown): Uint8Array {
  if (typeof v === 'string') return uuidFromString(v);
  if (v instanceof Uint8Array && v.length === 16) return v;
  throw wrongValueType('uuid', v);
}

/** The value decodeKey returns for `v` (after validation). */
export function canonicalValue(type: KeyType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  const c = checkKeyValue(type, v);
  switch (type) {
    case 'int16':
    case 'int32':
    case 'time':
      return Number(c);
    case 'int64':
    case 'timestamp':
    case 'timestamptz':
      return BigInt(c as number | bigint);
    case 'date':
      return c === INT32_MIN ? -Infinity : c === INT32_MAX ? Infinity : c;
    case 'float32':
    case 'float64':
      return c === 0 ? 0 : c; // -0 -> 0
    case 'numeric':
      return canonicalNumeric(v);
    case 'uuid':
      return uuidToString(uuidBytes(v));
    default:
      return c;
  }
}

function sign(a: number | bigint, b: number | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * SQL order of two non-null values of one type (-1, 0, 1), as PostgreSQL
 * orders them: floats and numerics put NaN above everything (NaN = NaN) and
 * -0 = 0; text compares by code point (binary collation); bytea and uuid by
 * bytes; integers of any width, number or bigint, by value.
 */
export function compareValues(type: KeyType, a: unknown, b: unknown): number {
  switch (type) {
    case 'bool':
      return a === b ? 0 : a ? 1 : -1;
    case 'int16':
    case 'int32':
    case 'int64':
    case 'time':
    case 'date':
      return sign(a as number | bigint, b as number | bigint);
    case 'timestamp':
    case 'timestamptz':
      return sign(checkKeyValue(type, a) as number | bigint, checkKeyValue(type, b) as number | bigint);
    case 'float32':
    case 'float64': {
      const x = a as number;
      const y = b as number;
      if (x !== x) return y !== y ? 0 : 1;
      if (y !== y) return -1;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'numeric':
      return compareNumeric(a, b);
    case 'text':
      return compareText(a as string, b as string);
    case 'bytea':
      return compareBytes(a as Uint8Array, b as Uint8Array);
    case 'uuid':
      return compareBytes(uuidBytes(a), uuidBytes(b));
  }
  throw new SbError(SqlState.feature_not_supported, `values of type ${String(type)} cannot be compared`);
}
