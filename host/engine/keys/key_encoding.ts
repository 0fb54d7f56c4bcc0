// Order-preserving key encoding: SQL values -> byte strings whose unsigned
// memcmp order (a proper prefix first) is the SQL order, column by column.
//
// Each column value is a tag byte and a body. Every value encoding is
// prefix-free within its column type, so a composite key compares column by
// column: the first column that differs decides, and equal columns end at the
// same offset in both keys.
//
//   tag        body                                   value
//   ---------  -------------------------------------  ---------------------------------
//   0x00       -                                      NULL in a NULLS FIRST column
//   0x10       -                                      false
//   0x11       -                                      true
//   0x20-0x27  8..1 bytes, (v + 256^n) big-endian     negative integer, n = 0x28 - tag
//   0x28       -                                      integer 0
//   0x29-0x30  1..8 bytes, v big-endian               positive integer, n = tag - 0x28
//   0x38       8 bytes, IEEE-754 double, big-endian,  float (float32 widened exactly;
//              sign bit flipped if >= 0, all bits     -0 as 0, one NaN above +Infinity)
//              flipped if < 0
//   0x40       -                                      numeric -Infinity
//   0x41       inverted exponent+mantissa             numeric < 0   (see key_numeric.ts)
//   0x42       -                                      numeric 0
//   0x43       exponent+mantissa                      numeric > 0
//   0x44       -                                      numeric +Infinity
//   0x45       -                                      numeric NaN
//   0x50       UTF-8, 00 -> 00 FF, then 00 01         text (binary collation)
//   0x58       bytes, 00 -> 00 FF, then 00 01         bytea
//   0x60       16 bytes                               uuid
//   0xFF       -                                      NULL in a NULLS LAST column
//
// Integers use the minimal n, so int16, int32 and int64 keys of equal value
// are byte-identical (0 is 1 byte, -256..255 are 2 bytes, ±65536 3 bytes).
// date (days since 2000-01-01; -Infinity/Infinity as INT32_MIN/INT32_MAX),
// time (µs since midnight) and timestamp/timestamptz (µs since 2000-01-01,
// ±infinity the int64 extremes) are integers too.
//
// A DESCENDING column writes its ascending encoding with every byte inverted
// (x ^ 0xFF); inversion reverses the order of a prefix-free set. Value tags
// lie in 0x10..0x60 (inverted 0x9F..0xEF), so the NULL bytes 0x00 and 0xFF,
// which are never inverted, sort before or after every value in either
// direction. Defaults follow PostgreSQL: NULLS LAST for ASC, NULLS FIRST for
// DESC.

import { SbError, SqlState } from '../sb_error.ts';
import { uuidFromString } from '../ids/uuidv7.ts';
import {
  wrongValueType,
  TAG_BYTEA,
  TAG_FALSE,
  TAG_FLOAT,
  TAG_INT_ZERO,
  TAG_NULL_FIRST,
  TAG_NULL_LAST,
  TAG_TEXT,
  TAG_TRUE,
  TAG_UUID,
  type WriteSink,
} from './key_tags.ts';
import { writeNumeric } from './key_numeric.ts';
import { writeEscapedBytes, writeEscapedText } from './key_text.ts';
import { checkKeyValue } from './key_values.ts';
import { KeyReader } from './key_reader.ts';

export { KeyReader } from './key_reader.ts';

export type KeyType =
  | 'bool'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'numeric'
  | 'text'
  | 'bytea'
  | 'uuid'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamptz';

/** One key column. Defaults: ascending; NULLS LAST when ascending, NULLS FIRST when descending. */
export interface KeyColumn {
  type: KeyType;
  descending?: boolean;
  nullsFirst?: boolean;
}

export function nullsFirstOf(col: KeyColumn): boolean {
  return col.nullsFirst ?? col.descending === true;
}

const POW256 = [1, 0x100, 0x10000, 0x1000000, 2 ** 32, 2 ** 40, 2 ** 48];
/** Integers below this magnitude take the number path (payloads stay exact). */
const SMALL_INT_LIMIT = 2 ** 48;
const BIG_SMALL_INT_LIMIT = BigInt(SMALL_INT_LIMIT);
const UUID_BYTES = 16;
const INITIAL_CAPACITY = 64;

const floatView = new DataView(new ArrayBuffer(8));

/** A reusable, growable key buffer. Each call appends one column value. */
export class KeyWriter implements WriteSink {
  buf: Uint8Array;
  length = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.buf = new Uint8Array(Math.max(capacity, 16));
  }

  ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(need, this.buf.length * 2));
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }

  reset(): this {
    this.length = 0;
    return this;
  }

  /** Appends a value (or NULL) of a column, honouring direction and NULL placement. */
  value(col: KeyColumn, v: unknown): this {
    if (v === null || v === undefined) return this.null(col);
    const start = this.length;
    writeValue(this, col.type, v);
    if (col.descending === true) {
      const buf = this.buf;
      for (let i = start, end = this.length; i < end; i++) buf[i] ^= 0xff;
    }
    return this;
  }

  null(col: KeyColumn): this {
    this.ensure(1);
    this.buf[this.length++] = nullsFirstOf(col) ? TAG_NULL_FIRST : TAG_NULL_LAST;
    return this;
  }

  // ---- fast paths: ascending, non-null ----

  bool(v: boolean): this {
    this.ensure(1);
    this.buf[this.length++] = v ? TAG_TRUE : TAG_FALSE;
    return this;
  }

  /** Any integer type (and date/time/timestamp as integers); range-checked against int64 only. */
  int(v: number | bigint): this {
    if (typeof v === 'number') {
      if (v > -SMALL_INT_LIMIT && v < SMALL_INT_LIMIT && Number.isInteger(v)) {
        writeSmallInt(this, v);
        return this;
      }
      if (v >= SMALL_INT_LIMIT && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v)) {
        writeSafeInt7(this, v); // hidden row ids (clock stamps) land here: no BigInt
        return this;
      }
      checkKeyValue('int64', v);
      writeBigInt(this, BigInt(v));
      return this;
    }
    checkKeyValue('int64', v);
    writeInt(this, v);
    return this;
  }

  float(v: number): this {
    if (typeof v !== 'number') throw wrongValueType('float64', v);
    writeFloat(this, v);
    return this;
  }

  numeric(v: string | number | bigint): this {
    writeNumeric(this, v);
    return this;
  }

  text(s: string): this {
    if (typeof s !== 'string') throw wrongValueType('text', s);
    this.ensure(1);
    this.buf[this.length++] = TAG_TEXT;
    writeEscapedText(this, s);
    return this;
  }

  bytea(b: Uint8Array): this {
    if (!(b instanceof Uint8Array)) throw wrongValueType('bytea', b);
    this.ensure(1);
    this.buf[this.length++] = TAG_BYTEA;
    writeEscapedBytes(this, b);
    return this;
  }

  uuid(u: string | Uint8Array): this {
    writeUuid(this, u);
    return this;
  }

  /** Appends bytes verbatim (e.g. a fixed-width suffix); the caller keeps the key prefix-free. */
  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  /** The key so far; a view valid until the next reset or append. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** A copy of the key so far. */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function writeSmallInt(w: WriteSink, v: number): void {
  w.ensure(7);
  const buf = w.buf;
  let p = w.length;
  if (v === 0) {
    buf[p] = TAG_INT_ZERO;
    w.length = p + 1;
    return;
  }
  let x: number;
  let n: number;
  if (v > 0) {
    x = v;
    n = byteLength(v);
    buf[p++] = TAG_INT_ZERO + n;
  } else {
    n = byteLength(-v - 1);
    x = v + POW256[n];
    buf[p++] = TAG_INT_ZERO - n;
  }
  for (let i = p + n - 1; i >= p; i--) {
    buf[i] = x & 0xff; // ToInt32 keeps the low 32 bits of an exact integer
    x = Math.floor(x / 256);
  }
  w.length = p + n;
}

/** 2^48 <= v <= 2^53 - 1 as writeBigInt writes it: tag + 7, then 7 bytes big-endian. */
function writeSafeInt7(w: WriteSink, v: number): void {
  w.ensure(8);
  const buf = w.buf;
  const p = w.length;
  buf[p] = TAG_INT_ZERO + 7;
  let x = v;
  for (let i = p + 7; i > p; i--) {
    buf[i] = x % 256;
    x = Math.floor(x / 256);
  }
  w.length = p + 8;
}

/** Minimal big-endian byte count of 0 <= x < 2^48 (0 takes one byte). */
function byteLength(x: number): number {
  if (x < 0x100) return 1;
  if (x < 0x10000) return 2;
  if (x < 0x1000000) return 3;
  if (x < 2 ** 32) return 4;
  if (x < 2 ** 40) return 5;
  return 6;
}

function writeBigInt(w: WriteSink, v: bigint): void {
  let n = 1;
  let x: bigint;
  if (v > 0n) {
    while (v >= 1n << BigInt(8 * n)) n++;
    x = v;
  } else {
    const m = -v - 1n;
    while (m >= 1n << BigInt(8 * n)) n++;
    x = v + (1n << BigInt(8 * n));
  }
  w.ensure(1 + n);
  const buf = w.buf;
  const p = w.length;
  buf[p] = v > 0n ? TAG_INT_ZERO + n : TAG_INT_ZERO - n;
  for (let i = p + n; i > p; i--) {
    buf[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  w.length = p + 1 + n;
}

/** An integer already range-checked to int64. */
function writeInt(w: WriteSink, v: number | bigint): void {
  if (typeof v === 'number') {
    if (v > -SMALL_INT_LIMIT && v < SMALL_INT_LIMIT) writeSmallInt(w, v);
    else writeBigInt(w, BigInt(v));
  } else if (v > -BIG_SMALL_INT_LIMIT && v < BIG_SMALL_INT_LIMIT) {
    writeSmallInt(w, Number(v));
  } else {
    writeBigInt(w, v);
  }
}

function writeFloat(w: WriteSink, v: number): void {
  w.ensure(9);
  const buf = w.buf;
  const p = w.length;
  buf[p] = TAG_FLOAT;
  if (v !== v) {
    // One NaN, whatever its payload: 0x7FF8... with the sign bit flipped.
    buf[p + 1] = 0xff;
    buf[p + 2] = 0xf8;
    for (let i = 3; i <= 8; i++) buf[p + i] = 0;
  } else {
    floatView.setFloat64(0, v === 0 ? 0 : v); // big-endian; -0 becomes 0
    const flip = (floatView.getUint8(0) & 0x80) !== 0 ? 0xff : 0;
    for (let i = 0; i < 8; i++) buf[p + 1 + i] = floatView.getUint8(i) ^ flip;
    if (flip === 0) buf[p + 1] ^= 0x80;
  }
  w.length = p + 9;
}

function writeUuid(w: WriteSink, u: unknown): void {
  let bytes: Uint8Array;
  if (typeof u === 'string') bytes = uuidFromString(u);
  else if (u instanceof Uint8Array && u.length === UUID_BYTES) bytes = u;
  else throw wrongValueType('uuid', u);
  w.ensure(1 + UUID_BYTES);
  w.buf[w.length] = TAG_UUID;
  w.buf.set(bytes, w.length + 1);
  w.length += 1 + UUID_BYTES;
}

/** Appends the ascending encoding of a non-null value of `type`. */
function writeValue(w: KeyWriter, type: KeyType, v: unknown): void {
  switch (type) {
    case 'bool':
      if (typeof v !== 'boolean') throw wrongValueType(type, v);
      w.bool(v);
      return;
    case 'int16':
    case 'int32':
    case 'int64':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'date':
      writeInt(w, checkKeyValue(type, v) as number | bigint);
      return;
    case 'float32':
    case 'float64':
      writeFloat(w, checkKeyValue(type, v) as number);
      return;
    case 'numeric':
      writeNumeric(w, v);
      return;
    case 'text':
      w.text(v as string);
      return;
    case 'bytea':
      w.bytea(v as Uint8Array);
      return;
    case 'uuid':
      writeUuid(w, v);
      return;
    default:
      throw new SbError(SqlState.feature_not_supported, `key columns of type ${String(type)} are not supported`);
  }
}

const EMPTY = new Uint8Array(0);
const sharedWriter = new KeyWriter(256);
const sharedReader = new KeyReader(EMPTY);

/**
 * Encodes a key (a copy). `values` may be shorter than `columns`: that
 * encodes a prefix of the key, the lower bound of a range over the rest.
 */
export function encodeKey(columns: readonly KeyColumn[], values: readonly unknown[]): Uint8Array {
  if (values.length > columns.length) {
    throw new SbError(SqlState.internal_error, `key has ${columns.length} columns but ${values.length} values`);
  }
  const w = sharedWriter.reset();
  for (let i = 0; i < values.length; i++) w.value(columns[i], values[i]);
  const out = w.bytes();
  if (w.buf.length > 1 << 16) sharedWriter.buf = new Uint8Array(256); // do not pin a huge buffer
  return out;
}

/** Decodes one value per column starting at `offset`; bytes after the last column are ignored. */
export function decodeKey(columns: readonly KeyColumn[], key: Uint8Array, offset = 0): unknown[] {
  const r = sharedReader.reset(key, offset);
  const out = new Array<unknown>(columns.length);
  for (let i = 0; i < columns.length; i++) out[i] = r.value(columns[i]);
  sharedReader.key = EMPTY;
  return out;
}

/** Unsigned memcmp order of two keys, a proper prefix first: -1, 0 or 1. */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * The smallest key greater than every key that starts with `prefix` (the
 * exclusive upper bound of a prefix scan), or null when there is none
 * (the prefix is empty or all 0xFF).
 */
export function prefixSuccessor(prefix: Uint8Array): Uint8Array | null {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return null;
  const out = prefix.slice(0, end);
  out[end - 1]++;
  return out;
}

export {
  canonicalValue,
  checkKeyValue,
  compareValues,
  DATE_DAYS_MAX,
  DATE_DAYS_MIN,
  INT64_MAX,
  INT64_MIN,
  TIME_US_MAX,
} from './key_values.ts';
