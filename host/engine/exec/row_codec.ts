// The row codec: how a table row is stored as the value of its key.
//
//   u8 format (1) | varint n (columns written) | null bitmap (ceil(n/8) bytes,
//   bit set = NULL) | the non-null fields in attribute order
//
// Fixed-width fields are little-endian: bool 1, int2 2, int4/date/oid 4,
// int8 8 (two's complement), float4 4, float8/time/timestamp(tz) 8 (float64),
// interval 16 (i32 months, i32 days, f64 µs), uuid 16. Everything else is a
// varint length and bytes: text types and json as UTF-8, numeric as its exact
// text (scale kept), bytea raw, arrays as element count, dimensions and the
// elements in this same encoding. Columns are positional by attribute number
// (dropped ones stay as NULL), so a row written before ADD COLUMN is shorter:
// its missing trailing columns read as the column's recorded default.

import { SbError, SqlState } from '../sb_error.ts';
import type { SqlType } from '../types/types.ts';
import { Numeric } from '../types/numeric.ts';
import { Interval } from '../types/interval.ts';
import { SqlArray } from '../types/array.ts';
import { Jsonb } from '../types/jsonb.ts';
import { parseText } from '../types/text_io.ts';
import { T } from '../types/types.ts';

const FORMAT = 1;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** A reusable output buffer. */
class Out {
  buf = new Uint8Array(256);
  dv = new DataView(this.buf.buffer);
  pos = 0;
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
    this.dv = new DataView(b.buffer);
  }
  varint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

const out = new Out();

function fixedWidth(t: SqlType): number {
  switch (t.id) {
    case 'bool':
    case 'char':
      return 1;
    case 'int2':
      return 2;
    case 'int4':
    case 'date':
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
    case 'regprocedure':
    case 'regnamespace':
    case 'regrole':
    case 'xid':
    case 'cid':
    case 'float4':
      return 4;
    case 'int8':
    case 'float8':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return 8;
    case 'interval':
    case 'uuid':
      return 16;
    case 'timetz':
      return 12;
    default:
      return 0;
  }
}

function writeValue(o: Out, t: SqlType, v: unknown): void {
  const w = fixedWidth(t);
  if (w > 0) o.ensure(w);
  switch (t.id) {
    case 'bool':
      o.buf[o.pos++] = v ? 1 : 0;
      return;
    case 'char':
      o.buf[o.pos++] = typeof v === 'string' && v.length > 0 ? v.charCodeAt(0) & 0xff : 0;
      return;
    case 'int2':
      o.dv.setInt16(o.pos, v as number, true);
      o.pos += 2;
      return;
    case 'int4':
    case 'date':
      o.dv.setInt32(o.pos, clampDate(v as number), true);
      o.pos += 4;
      return;
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
    case 'regprocedure':
    case 'regnamespace':
    case 'regrole':
    case 'xid':
    case 'cid':
      o.dv.setUint32(o.pos, v as number, true);
      o.pos += 4;
      return;
    case 'float4':
      o.dv.setFloat32(o.pos, v as number, true);
      o.pos += 4;
      return;
    case 'int8':
      o.dv.setBigInt64(o.pos, BigInt(v as number | bigint), true);
      o.pos += 8;
      return;
    case 'float8':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      o.dv.setFloat64(o.pos, v as number, true);
      o.pos += 8;
      return;
    case 'interval': {
      const iv = v as Interval;
      o.dv.setInt32(o.pos, iv.months, true);
      o.dv.setInt32(o.pos + 4, iv.days, true);
      o.dv.setFloat64(o.pos + 8, iv.micros, true);
      o.pos += 16;
      return;
    }
    case 'uuid':
      writeUuid(o, v as string);
      return;
    case 'timetz': {
      const tz = v as { micros: number; offsetSeconds: number };
      o.dv.setFloat64(o.pos, tz.micros, true);
      o.dv.setInt32(o.pos + 8, tz.offsetSeconds, true);
      o.pos += 12;
      return;
    }
    case 'jsonb':
      o.bytes(enc.encode((v as Jsonb).toString()));
      return;
    case 'array':
      writeArray(o, t.elem!, v as SqlArray);
      return;
    case 'bytea':
      o.bytes(v as Uint8Array);
      return;
    case 'numeric':
      o.bytes(enc.encode((v as Numeric).toString()));
      return;
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'json':
    case 'unknown':
      o.bytes(enc.encode(v as string));
      return;
    default:
      throw new SbError(SqlState.feature_not_supported, `storing values of type ${t.id} is not supported yet`);
  }
}

/**
 * Arrays: varint ndims, then per dimension varint length and zigzag varint
 * lower bound, a null bitmap of the elements, and the non-null elements in
 * the element type's own field encoding.
 */
function writeArray(o: Out, elem: SqlType, a: SqlArray): void {
  o.varint(a.dims.length);
  for (let d = 0; d < a.dims.length; d++) {
    o.varint(a.dims[d]!);
    const lb = a.lbounds[d] ?? 1;
    o.varint(lb >= 0 ? lb * 2 : -lb * 2 - 1);
  }
  const n = a.values.length;
  const bitmapLen = (n + 7) >> 3;
  o.ensure(bitmapLen);
  const at = o.pos;
  o.buf.fill(0, at, at + bitmapLen);
  o.pos += bitmapLen;
  for (let i = 0; i < n; i++) {
    const x = a.values[i];
    if (x === null || x === undefined) {
      o.buf[at + (i >> 3)]! |= 1 << (i & 7);
      continue;
    }
    writeValue(o, elem, x);
  }
}

function readArray(r: In, elem: SqlType): SqlArray {
  const ndims = r.varint();
  const dims: number[] = [];
  const lbounds: number[] = [];
  let n = ndims > 0 ? 1 : 0;
  for (let d = 0; d < ndims; d++) {
    const len = r.varint();
    const z = r.varint();
    dims.push(len);
    lbounds.push(z % 2 === 0 ? z / 2 : -(z + 1) / 2);
    n *= len;
  }
  const bitmapAt = r.pos;
  r.pos += (n + 7) >> 3;
  if (r.pos > r.b.length) throw corrupt();
  const values = new Array<unknown>(n);
  for (let i = 0; i < n; i++) values[i] = (r.b[bitmapAt + (i >> 3)]! >> (i & 7)) & 1 ? null : readValue(r, elem);
  return new SqlArray(elem, dims, lbounds, values);
}

/** Dates use ±Infinity for ±infinity; stored as the int32 extremes. */
function clampDate(v: number): number {
  if (v === Infinity) return 0x7fffffff;
  if (v === -Infinity) return -0x80000000;
  return v;
}

function writeUuid(o: Out, s: string): void {
  const hex = s.replace(/-/g, '');
  for (let i = 0; i < 16; i++) o.buf[o.pos + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  o.pos += 16;
}

/** Encodes a row (values by attribute position; `types[i]` null for dropped columns). */
export function encodeRow(types: ReadonlyArray<SqlType | null>, values: readonly unknown[]): Uint8Array {
  const o = out;
  o.pos = 0;
  const n = types.length;
  o.ensure(1);
  o.buf[o.pos++] = FORMAT;
  o.varint(n);
  const bitmapAt = o.pos;
  const bitmapLen = (n + 7) >> 3;
  o.ensure(bitmapLen);
  o.buf.fill(0, bitmapAt, bitmapAt + bitmapLen);
  o.pos += bitmapLen;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const t = types[i];
    if (v === null || v === undefined || t === null || t === undefined) {
      o.buf[bitmapAt + (i >> 3)]! |= 1 << (i & 7);
      continue;
    }
    writeValue(o, t, v);
  }
  return o.buf.slice(0, o.pos);
}

/** Reader over one encoded row. */
class In {
  pos = 0;
  dv: DataView;
  constructor(readonly b: Uint8Array) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  varint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.b.length) throw corrupt();
      const x = this.b[this.pos++]!;
      v += (x & 0x7f) * mul;
      if ((x & 0x80) === 0) return v;
      mul *= 128;
    }
  }
  bytes(): Uint8Array {
    const n = this.varint();
    if (this.pos + n > this.b.length) throw corrupt();
    const s = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}

function corrupt(): SbError {
  return new SbError(SqlState.data_corrupted, 'a stored row is damaged', { kind: 'corrupt' });
}

function readValue(r: In, t: SqlType): unknown {
  const w = fixedWidth(t);
  if (w > 0 && r.pos + w > r.b.length) throw corrupt();
  const p = r.pos;
  r.pos += w;
  switch (t.id) {
    case 'bool':
      return r.b[p] !== 0;
    case 'char':
      return String.fromCharCode(r.b[p]!);
    case 'int2':
      return r.dv.getInt16(p, true);
    case 'int4':
      return r.dv.getInt32(p, true);
    case 'date': {
      const d = r.dv.getInt32(p, true);
      return d === 0x7fffffff ? Infinity : d === -0x80000000 ? -Infinity : d;
    }
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
    case 'regprocedure':
    case 'regnamespace':
    case 'regrole':
    case 'xid':
    case 'cid':
      return r.dv.getUint32(p, true);
    case 'float4':
      return r.dv.getFloat32(p, true);
    case 'int8': {
      const v = r.dv.getBigInt64(p, true);
      return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
    }
    case 'float8':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return r.dv.getFloat64(p, true);
    case 'interval':
      return new Interval(r.dv.getInt32(p, true), r.dv.getInt32(p + 4, true), r.dv.getFloat64(p + 8, true));
    case 'uuid': {
      let s = '';
      for (let i = 0; i < 16; i++) {
        s += r.b[p + i]!.toString(16).padStart(2, '0');
        if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
      }
      return s;
    }
    case 'bytea':
      return r.bytes().slice();
    case 'numeric':
      return Numeric.parse(dec.decode(r.bytes()));
    case 'timetz':
      return { micros: r.dv.getFloat64(p, true), offsetSeconds: r.dv.getInt32(p + 8, true) };
    case 'jsonb':
      return parseText(T.jsonb, dec.decode(r.bytes()));
    case 'array':
      return readArray(r, t.elem!);
    default:
      return dec.decode(r.bytes());
  }
}

/**
 * Decodes the attributes `want` (0-based positions) of a row into `into`
 * starting at `at` (column-major batch columns); `missing` gives the value of
 * a position beyond the row's length (columns added later).
 */
export function decodeRowInto(
  bytes: Uint8Array,
  types: ReadonlyArray<SqlType | null>,
  want: readonly number[],
  cols: unknown[][],
  missing: readonly unknown[],
): void {
  const r = new In(bytes);
  if (bytes[0] !== FORMAT) throw corrupt();
  r.pos = 1;
  const n = r.varint();
  const bitmapAt = r.pos;
  r.pos += (n + 7) >> 3;
  // Decode fields in order up to the highest wanted position.
  let maxWant = -1;
  for (const w of want) if (w > maxWant) maxWant = w;
  const values = scratch.length > maxWant ? scratch : (scratch = new Array(maxWant + 1));
  for (let i = 0; i <= maxWant; i++) {
    if (i >= n) {
      values[i] = missing[i] ?? null;
      continue;
    }
    if ((bytes[bitmapAt + (i >> 3)]! >> (i & 7)) & 1) {
      values[i] = null;
      continue;
    }
    values[i] = readValue(r, types[i]!);
  }
  for (let k = 0; k < want.length; k++) cols[k]!.push(values[want[k]!]);
}

let scratch: unknown[] = [];

/** Decodes a whole row into an array (positions 0..types.length-1). */
export function decodeRow(bytes: Uint8Array, types: ReadonlyArray<SqlType | null>, missing: readonly unknown[]): unknown[] {
  const cols = types.map(() => [] as unknown[]);
  decodeRowInto(bytes, types, types.map((_, i) => i), cols, missing);
  return cols.map((c) => c[0]);
}
