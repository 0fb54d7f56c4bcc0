// The row codec: how a table row is stored as the value of its key.
//
//   u8 format (2; 1 is still read) | varint n (columns written) | null bitmap (ceil(n/8) bytes,
//   bit set = NULL) | the non-null fields in attribute order
//
// Fixed-width fields are little-endian: bool 1, int2 2, int4/date/oid 4,
// int8 8 (two's complement), float4 4, float8/time/timestamp(tz) 8 (float64),
// interval 16 (i32 months, i32 days, f64 µs), uuid 16. Everything else is a
// varint length and bytes: text types and json as UTF-8, numeric in binary
// (format 2, writeNumeric below; format 1 stored its exact text, which is
// still read), bytea raw, arrays as element count, dimensions and the
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

/** The format new rows are written in; format 1 differs only in numeric fields (exact text). */
export const FORMAT = 2;
export const FORMAT_V1 = 1;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** A reusable output buffer. */
class Out {
  buf = new Uint8Array(256);
  dv = new DataView(this.buf.buffer);
  pos = 0;
  /** The row format being written (numeric fields differ). */
  fmt = FORMAT;
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
  /** A string as UTF-8 with its varint length, written in place (ASCII without an encoder call or a temporary array). */
  text(s: string): void {
    const n = s.length;
    if (n >= 24 && n < 0x80) {
      // Longer strings: the encoder writes in place faster than a char loop
      // (an 84-character pgbench filler: about 80 ns against 165-210).
      this.ensure(1 + 3 * n);
      const at = this.pos + 1;
      const written = enc.encodeInto(s, this.buf.subarray(at, at + 3 * n)).written;
      if (written < 0x80) {
        this.buf[this.pos] = written; // a one-byte varint length
        this.pos = at + written;
        return;
      }
    } else if (n < 0x80) {
      this.ensure(1 + n);
      const at = this.pos + 1;
      const buf = this.buf;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at + i] = c;
      }
      if (i === n) {
        buf[this.pos] = n;
        this.pos = at + n;
        return;
      }
    }
    this.bytes(enc.encode(s));
  }
}

const out = new Out();

/** Bytes a field of this type takes in a row (0: a varint length and that many bytes; -1: an array, parsed to skip). */
export function fieldWidth(t: SqlType): number {
  return widthOf(codeOf(t));
}

function writeValue(o: Out, t: SqlType, v: unknown): void {
  const w = fieldWidth(t);
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
      if (o.fmt === FORMAT_V1) o.bytes(enc.encode((v as Numeric).toString()));
      else writeNumeric(o, v as Numeric);
      return;
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'json':
    case 'unknown':
    case 'bit':
    case 'varbit':
      o.text(v as string);
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

/**
 * Numeric, format 2: varint length, then a tag byte, and for finite values
 * varint scale and the coefficient's magnitude: tag 0/1 (non-negative /
 * negative) a varint (magnitude below 2^53), tag 2/3 the magnitude's hex
 * digits in ASCII; tags 4, 5, 6 are NaN, Infinity, -Infinity (nothing more).
 * The length prefix lets a reader skip the field without looking inside.
 */
function writeNumeric(o: Out, v: Numeric): void {
  o.ensure(32);
  const lenAt = o.pos++;
  const start = o.pos;
  if (v.isNaN()) o.buf[o.pos++] = 4;
  else if (v.isPosInfinity()) o.buf[o.pos++] = 5;
  else if (v.isNegInfinity()) o.buf[o.pos++] = 6;
  else {
    let coef = v.coef;
    let scale = v.scale;
    if (scale < 0) {
      coef *= 10n ** BigInt(-scale);
      scale = 0;
    }
    const neg = coef < 0n;
    const mag = neg ? -coef : coef;
    if (mag <= 9007199254740991n) {
      o.buf[o.pos++] = neg ? 1 : 0;
      o.varint(scale);
      o.varint(Number(mag));
    } else {
      o.buf[o.pos++] = neg ? 3 : 2;
      o.varint(scale);
      const hex = enc.encode(mag.toString(16));
      o.ensure(hex.length);
      o.buf.set(hex, o.pos);
      o.pos += hex.length;
    }
  }
  const len = o.pos - start;
  if (len < 0x80) {
    o.buf[lenAt] = len;
    return;
  }
  // A long (big) coefficient: the one-byte length slot is too small; move the payload up.
  const payload = o.buf.slice(start, o.pos);
  o.pos = lenAt;
  o.bytes(payload);
}

/**
 * Encodes a row (values by attribute position; `types[i]` null for dropped
 * columns). `format` is for tests that need rows in the old format 1.
 */
export function encodeRow(types: ReadonlyArray<SqlType | null>, values: readonly unknown[], format = FORMAT): Uint8Array {
  return encodeRowView(types, values, format).slice();
}

/**
 * encodeRow into the codec's shared buffer: a view valid only until the next
 * encode (for a caller that copies it at once, as a store write does; a fresh
 * ArrayBuffer per row cost about 2 µs, most of a COPY row's encoding).
 */
export function encodeRowView(types: ReadonlyArray<SqlType | null>, values: readonly unknown[], format = FORMAT): Uint8Array {
  const o = out;
  o.pos = 0;
  o.fmt = format;
  const n = types.length;
  o.ensure(1);
  o.buf[o.pos++] = format;
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
  return o.buf.subarray(0, o.pos);
}


// ---------------------------------------------------------------- reading

/** How a field is read (one per column type, chosen once per decoder). */
const enum Code {
  Bool, Char, Int2, Int4, Date, Uint4, Float4, Int8, Float8, Interval, Uuid, Timetz,
  Bytea, Numeric, Jsonb, Array, Text,
}

function codeOf(t: SqlType): Code {
  switch (t.id) {
    case 'bool': return Code.Bool;
    case 'char': return Code.Char;
    case 'int2': return Code.Int2;
    case 'int4': return Code.Int4;
    case 'date': return Code.Date;
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
    case 'regprocedure':
    case 'regnamespace':
    case 'regrole':
    case 'xid':
    case 'cid':
      return Code.Uint4;
    case 'float4': return Code.Float4;
    case 'int8': return Code.Int8;
    case 'float8':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return Code.Float8;
    case 'interval': return Code.Interval;
    case 'uuid': return Code.Uuid;
    case 'timetz': return Code.Timetz;
    case 'bytea': return Code.Bytea;
    case 'numeric': return Code.Numeric;
    case 'jsonb': return Code.Jsonb;
    case 'array': return Code.Array;
    default: return Code.Text;
  }
}

/** Bytes a field of this code takes (0: a varint length and that many bytes; -1: an array, parsed to skip). */
function widthOf(c: Code): number {
  switch (c) {
    case Code.Bool:
    case Code.Char:
      return 1;
    case Code.Int2:
      return 2;
    case Code.Int4:
    case Code.Date:
    case Code.Uint4:
    case Code.Float4:
      return 4;
    case Code.Int8:
    case Code.Float8:
      return 8;
    case Code.Interval:
    case Code.Uuid:
      return 16;
    case Code.Timetz:
      return 12;
    case Code.Array:
      return -1;
    default:
      return 0;
  }
}

/**
 * Reader state over a buffer holding a row at [pos, end). One is reused for
 * every row (no per-row allocation); its DataView is made when a field first
 * needs it after the buffer changed (a scan cursor hands out one buffer per
 * batch of rows; a point read gets a new view per row, and rows of text and
 * int4 fields need none).
 */
class In {
  b: Uint8Array = new Uint8Array(0);
  private view: DataView | undefined;
  pos = 0;
  end = 0;
  fmt = FORMAT;
  get dv(): DataView {
    return (this.view ??= new DataView(this.b.buffer, this.b.byteOffset, this.b.byteLength));
  }
  setBuffer(b: Uint8Array): void {
    if (b === this.b) return;
    this.b = b;
    this.view = undefined;
  }
  varint(): number {
    const b = this.b;
    let x = this.pos < this.end ? b[this.pos++]! : -1;
    if (x < 0x80) {
      if (x < 0) throw corrupt();
      return x;
    }
    let v = x & 0x7f;
    let mul = 128;
    for (;;) {
      if (this.pos >= this.end) throw corrupt();
      x = b[this.pos++]!;
      v += (x & 0x7f) * mul;
      if ((x & 0x80) === 0) return v;
      mul *= 128;
    }
  }
  /** Reads a varint length and returns the start of that many bytes (pos moves past them). */
  span(): number {
    const n = this.varint();
    const p = this.pos;
    if (p + n > this.end) throw corrupt();
    this.pos = p + n;
    return p;
  }
}

const rd = new In();

function corrupt(): SbError {
  return new SbError(SqlState.data_corrupted, 'a stored row is damaged', { kind: 'corrupt' });
}

/** One-character strings by code unit (ASCII), so a char(1) field builds no string. */
const ASCII1: string[] = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i));

/** UTF-8 bytes [p, e) as a string; short ASCII without TextDecoder (its call costs more than the copy). */
function utf8(b: Uint8Array, p: number, e: number): string {
  const n = e - p;
  if (n === 0) return '';
  if (n === 1 && b[p]! < 0x80) return ASCII1[b[p]!]!;
  if (n <= 32) {
    let s = '';
    for (let i = p; i < e; i++) {
      const x = b[i]!;
      if (x >= 0x80) return dec.decode(b.subarray(p, e));
      s += ASCII1[x]!;
    }
    return s;
  }
  return dec.decode(b.subarray(p, e));
}

/**
 * Small non-negative numerics (quantities, rates: coefficient below 4096,
 * scale below 8) are shared instances, made once: Numeric is immutable, and a
 * scan then allocates no BigInt or Numeric for them.
 */
const SMALL_MAG = 4096;
const SMALL_SCALE = 8;
const smallNumerics: Array<Array<Numeric | undefined> | undefined> = [];

/** A numeric field (after its length): format 2 binary or format 1 text. */
function readNumeric(r: In): Numeric {
  const p = r.span();
  const e = r.pos;
  if (r.fmt === FORMAT_V1) return Numeric.parse(utf8(r.b, p, e));
  if (p >= e) throw corrupt();
  const tag = r.b[p]!;
  if (tag >= 4) {
    if (tag === 4) return Numeric.NaN;
    if (tag === 5) return Numeric.Infinity;
    if (tag === 6) return Numeric.NegativeInfinity;
    throw corrupt();
  }
  // Read scale and magnitude inside the field, then restore the position after it.
  const save = r.end;
  r.pos = p + 1;
  r.end = e;
  const scale = r.varint();
  let coef: bigint;
  if (tag < 2) {
    const mag = r.varint();
    if (tag === 0 && mag < SMALL_MAG && scale < SMALL_SCALE) {
      r.pos = e;
      r.end = save;
      const byScale = (smallNumerics[scale] ??= []);
      return (byScale[mag] ??= Numeric.raw(BigInt(mag), scale));
    }
    coef = BigInt(tag === 1 ? -mag : mag);
  } else {
    const mag = BigInt('0x' + utf8(r.b, r.pos, e));
    coef = tag === 3 ? -mag : mag;
  }
  r.pos = e;
  r.end = save;
  return Numeric.raw(coef, scale);
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
  if (r.pos > r.end) throw corrupt();
  const code = codeOf(elem);
  const values = new Array<unknown>(n);
  for (let i = 0; i < n; i++) values[i] = (r.b[bitmapAt + (i >> 3)]! >> (i & 7)) & 1 ? null : readField(r, code, elem);
  return new SqlArray(elem, dims, lbounds, values);
}

/** Reads one non-null field of the given code at r.pos and moves past it. */
function readField(r: In, c: Code, t: SqlType): unknown {
  const w = widthOf(c);
  const p = r.pos;
  if (w > 0) {
    if (p + w > r.end) throw corrupt();
    r.pos = p + w;
  }
  const b = r.b;
  switch (c) {
    case Code.Bool:
      return b[p] !== 0;
    case Code.Char:
      return String.fromCharCode(b[p]!);
    case Code.Int2:
      return r.dv.getInt16(p, true);
    case Code.Int4:
      return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
    case Code.Date: {
      const d = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
      return d === 0x7fffffff ? Infinity : d === -0x80000000 ? -Infinity : d;
    }
    case Code.Uint4:
      return r.dv.getUint32(p, true);
    case Code.Float4:
      return r.dv.getFloat32(p, true);
    case Code.Int8: {
      const v = r.dv.getBigInt64(p, true);
      return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
    }
    case Code.Float8:
      return r.dv.getFloat64(p, true);
    case Code.Interval:
      return new Interval(r.dv.getInt32(p, true), r.dv.getInt32(p + 4, true), r.dv.getFloat64(p + 8, true));
    case Code.Uuid: {
      let s = '';
      for (let i = 0; i < 16; i++) {
        s += b[p + i]!.toString(16).padStart(2, '0');
        if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
      }
      return s;
    }
    case Code.Timetz:
      return { micros: r.dv.getFloat64(p, true), offsetSeconds: r.dv.getInt32(p + 8, true) };
    case Code.Bytea: {
      const q = r.span();
      return b.slice(q, r.pos);
    }
    case Code.Numeric:
      return readNumeric(r);
    case Code.Jsonb: {
      const q = r.span();
      return parseText(T.jsonb, utf8(b, q, r.pos));
    }
    case Code.Array:
      return readArray(r, t.elem!);
    default: {
      const q = r.span();
      return utf8(b, q, r.pos);
    }
  }
}

/**
 * Decodes chosen attributes of rows straight into batch columns. Built once
 * per scan: fields before the last wanted one that are not wanted are skipped
 * by their length (fixed width, or the varint length of a variable one)
 * without building a value; fields after it are not looked at.
 */
export class RowDecoder {
  /** Per position up to the last wanted one: read code, skip width, output column (-1: skip). */
  private readonly codes: Code[];
  private readonly widths: number[];
  private readonly outs: number[];
  /** Output columns of each position (a position may be wanted twice), for positions wanted more than once. */
  private readonly extra: Array<number[] | undefined>;
  private readonly last: number;

  constructor(
    private readonly types: ReadonlyArray<SqlType | null>,
    private readonly want: readonly number[],
    private readonly missing: readonly unknown[],
  ) {
    let last = -1;
    for (const w of want) if (w > last) last = w;
    this.last = last;
    this.codes = [];
    this.widths = [];
    this.outs = [];
    this.extra = [];
    for (let i = 0; i <= last; i++) {
      const t = types[i];
      const c = t ? codeOf(t) : Code.Text;
      this.codes.push(c);
      this.widths.push(t ? widthOf(c) : -2);
      this.outs.push(-1);
      this.extra.push(undefined);
    }
    for (let k = 0; k < want.length; k++) {
      const p = want[k]!;
      if (this.outs[p] === -1) this.outs[p] = k;
      else (this.extra[p] ??= []).push(k);
    }
  }

  /** Decodes the row at bytes [start, end) of `buf`, appending one value to each of `cols` (one per wanted position). */
  decode(buf: Uint8Array, start: number, end: number, cols: unknown[][]): void {
    const r = rd;
    r.setBuffer(buf);
    r.end = end;
    const fmt = buf[start];
    if ((fmt !== FORMAT && fmt !== FORMAT_V1) || start >= end) throw corrupt();
    r.fmt = fmt;
    r.pos = start + 1;
    const n = r.varint();
    const bitmapAt = r.pos;
    r.pos += (n + 7) >> 3;
    if (r.pos > end) throw corrupt();
    const last = this.last;
    const outs = this.outs;
    for (let i = 0; i <= last; i++) {
      const k = outs[i]!;
      let v: unknown;
      if (i >= n) {
        if (k < 0) continue;
        v = this.missing[i] ?? null;
      } else if ((buf[bitmapAt + (i >> 3)]! >> (i & 7)) & 1) {
        if (k < 0) continue;
        v = null;
      } else if (k < 0) {
        // Skip the field by its length.
        const w = this.widths[i]!;
        if (w > 0) r.pos += w;
        else if (w === 0) {
          const len = r.varint(); // (not `r.pos += r.varint()`: that adds to the position before the length)
          r.pos += len;
        }
        else if (w === -1) readArray(r, this.types[i]!.elem!);
        else throw corrupt(); // a dropped column's type is unknown: it should have been NULL
        if (r.pos > end) throw corrupt();
        continue;
      } else {
        const t = this.types[i];
        if (!t) throw corrupt();
        v = readField(r, this.codes[i]!, t);
      }
      cols[k]!.push(v);
      const more = this.extra[i];
      if (more) for (const k2 of more) cols[k2]!.push(v);
    }
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
  new RowDecoder(types, want, missing).decode(bytes, 0, bytes.length, cols);
}

/** Decodes a whole row into an array (positions 0..types.length-1). */
export function decodeRow(bytes: Uint8Array, types: ReadonlyArray<SqlType | null>, missing: readonly unknown[]): unknown[] {
  const r = rd;
  r.setBuffer(bytes);
  r.end = bytes.length;
  const fmt = bytes[0];
  if ((fmt !== FORMAT && fmt !== FORMAT_V1) || bytes.length === 0) throw corrupt();
  r.fmt = fmt;
  r.pos = 1;
  const n = r.varint();
  const bitmapAt = r.pos;
  r.pos += (n + 7) >> 3;
  if (r.pos > r.end) throw corrupt();
  const row = new Array<unknown>(types.length);
  for (let i = 0; i < types.length; i++) {
    const t = types[i];
    if (i >= n) row[i] = missing[i] ?? null;
    else if ((bytes[bitmapAt + (i >> 3)]! >> (i & 7)) & 1) row[i] = null;
    else if (!t) throw corrupt();
    else row[i] = readField(r, codeOf(t), t);
  }
  return row;
}
