// PostgreSQL's binary wire format (the send/recv functions): big-endian
// integers and IEEE floats, numeric as base-10000 digits with weight, sign
// and dscale, timestamps as int64 µs since 2000-01-01, interval as µs +
// days + months, arrays with their ndim/flags/element-OID header, jsonb with
// its version byte, uuid as 16 bytes. recv applies the typmod like the
// input functions do.

import { SbError, SqlState } from '../sb_error.ts';
import { SqlArray } from './array.ts';
import { Reader, Writer } from './binary_buffer.ts';
import { applyTypmod } from './casts.ts';
import { defaultTypeContext, type TypeContext } from './context.ts';
import { DATE_END, DATE_MIN, TIMESTAMP_END, TIMESTAMP_MIN, type TimetzValue } from './datetime.ts';
import { Interval } from './interval.ts';
import { Jsonb, jsonToText, validateJson } from './jsonb.ts';
import { NUMERIC_DSCALE_MAX, Numeric, absBig, pow10 } from './numeric.ts';
import { checkText, clipName, normalizeInt8, type TidValue } from './scalar_io.ts';
import { applyBitTypmod, bitsFromBytes, bitsToBytes } from './bit.ts';
import { typeByOid, typeOid, type SqlType } from './types.ts';

const INT64_MAX = 0x7fffffffffffffffn;
const INT64_MIN = -0x8000000000000000n;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(b: Uint8Array): string {
  try {
    return checkText(decoder.decode(b));
  } catch (e) {
    if (e instanceof SbError) throw e;
    throw new SbError(SqlState.character_not_in_repertoire, 'invalid byte sequence for encoding "UTF8"');
  }
}

// ---- numeric ------------------------------------------------------------------

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;

function sendNumeric(w: Writer, n: Numeric): void {
  if (n.isSpecial()) {
    w.i16(0);
    w.i16(0);
    w.u16(n.isNaN() ? NUMERIC_NAN : n.isPosInfinity() ? NUMERIC_PINF : NUMERIC_NINF);
    // PostgreSQL reads the dscale bits out of the special value's header: 32 for ±Infinity.
    w.i16(n.isNaN() ? 0 : 32);
    return;
  }
  if (n.coef === 0n) {
    w.i16(0);
    w.i16(0);
    w.u16(NUMERIC_POS);
    w.i16(n.scale);
    return;
  }
  // Align the digits to base-10000 groups around the decimal point.
  const fracGroups = Math.ceil(n.scale / 4);
  let v = absBig(n.coef) * pow10(fracGroups * 4 - n.scale);
  const groups: number[] = [];
  while (v > 0n) {
    groups.push(Number(v % 10000n));
    v /= 10000n;
  }
  groups.reverse();
  let weight = groups.length - fracGroups - 1;
  let start = 0;
  while (start < groups.length && groups[start] === 0) {
    start++;
    weight--;
  }
  let end = groups.length;
  while (end > start && groups[end - 1] === 0) end--;
  w.i16(end - start);
  w.i16(weight);
  w.u16(n.coef < 0n ? NUMERIC_NEG : NUMERIC_POS);
  w.i16(n.scale);
  for (let i = start; i < end; i++) w.i16(groups[i]!);
}

function recvNumeric(r: Reader, typmod: number): Numeric {
  const ndigits = r.i16();
  if (ndigits < 0 || ndigits > 32767) throw new SbError(SqlState.invalid_binary_representation, 'invalid length in external "numeric" value');
  const weight = r.i16();
  const sign = r.u16();
  const dscale = r.i16();
  if (sign === NUMERIC_NAN) return Numeric.NaN;
  if (sign === NUMERIC_PINF) return Numeric.Infinity.applyTypmod(typmod);
  if (sign === NUMERIC_NINF) return Numeric.NegativeInfinity.applyTypmod(typmod);
  if (sign !== NUMERIC_POS && sign !== NUMERIC_NEG) {
    throw new SbError(SqlState.invalid_binary_representation, 'invalid sign in external "numeric" value');
  }
  if (dscale < 0 || dscale > NUMERIC_DSCALE_MAX) {
    throw new SbError(SqlState.invalid_binary_representation, 'invalid scale in external "numeric" value');
  }
  let v = 0n;
  for (let i = 0; i < ndigits; i++) {
    const d = r.i16();
    if (d < 0 || d >= 10000) throw new SbError(SqlState.invalid_binary_representation, 'invalid digit in external "numeric" value');
    v = v * 10000n + BigInt(d);
  }
  // value = v × 10000^(weight - ndigits + 1)
  const exp10 = (weight - ndigits + 1) * 4;
  let n = exp10 >= 0 ? Numeric.raw(v * pow10(exp10), 0) : Numeric.raw(v, -exp10);
  if (sign === NUMERIC_NEG) n = n.neg();
  n = n.scale > dscale ? n.truncScale(dscale) : n.withScale(dscale);
  return n.checked().applyTypmod(typmod);
}

// ---- timestamps -----------------------------------------------------------------

function sendTimestamp(w: Writer, ts: number): void {
  if (ts === Infinity) w.i64(INT64_MAX);
  else if (ts === -Infinity) w.i64(INT64_MIN);
  else w.i64(BigInt(ts));
}

function recvTimestamp(r: Reader): number {
  const v = r.i64();
  if (v === INT64_MAX) return Infinity;
  if (v === INT64_MIN) return -Infinity;
  const n = Number(v);
  if (n < TIMESTAMP_MIN || n >= TIMESTAMP_END) throw new SbError(SqlState.datetime_field_overflow, 'timestamp out of range');
  return n;
}

function recvTime(r: Reader): number {
  const v = Number(r.i64());
  if (v < 0 || v > 86_400_000_000) throw new SbError(SqlState.datetime_field_overflow, 'time out of range');
  return v;
}

// ---- dispatch -----------------------------------------------------------------

function send(w: Writer, t: SqlType, v: unknown, ctx: TypeContext): void {
  switch (t.id) {
    case 'bool':
      return w.u8(v ? 1 : 0);
    case 'int2':
      return w.i16(v as number);
    case 'int4':
      return w.i32(v as number);
    case 'int8':
      return w.i64(BigInt(v as number | bigint));
    case 'float4':
      return w.f32(v as number);
    case 'float8':
      return w.f64(v as number);
    case 'numeric':
      return sendNumeric(w, v as Numeric);
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'unknown':
    case 'json':
      return w.bytes(encoder.encode(v as string));
    case 'char': {
      const s = v as string;
      return w.u8(s === '' ? 0 : s.charCodeAt(0) & 0xff);
    }
    case 'bytea':
      return w.bytes(v as Uint8Array);
    case 'bit':
    case 'varbit':
      return w.bytes(bitsToBytes(v as string));
    case 'jsonb':
      w.u8(1);
      return w.bytes(encoder.encode(jsonToText((v as Jsonb).value)));
    case 'date': {
      const d = v as number;
      return w.i32(d === Infinity ? 0x7fffffff : d === -Infinity ? -0x80000000 : d);
    }
    case 'time':
      return w.i64(BigInt(v as number));
    case 'timetz': {
      const x = v as TimetzValue;
      w.i64(BigInt(x.micros));
      return w.i32(-x.offsetSeconds || 0);
    }
    case 'timestamp':
    case 'timestamptz':
      return sendTimestamp(w, v as number);
    case 'interval': {
      const iv = v as Interval;
      w.i64(BigInt(iv.micros));
      w.i32(iv.days);
      return w.i32(iv.months);
    }
    case 'uuid': {
      const hex = (v as string).replace(/-/g, '');
      for (let i = 0; i < 32; i += 2) w.u8(parseInt(hex.slice(i, i + 2), 16));
      return;
    }
    case 'oid':
    case 'xid':
    case 'cid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
    case 'regprocedure':
    case 'regnamespace':
    case 'regrole':
      return w.u32(v as number);
    case 'tid': {
      const x = v as TidValue;
      w.u32(x.block);
      return w.u16(x.offset);
    }
    case 'void':
      return;
    case 'array':
      return sendArray(w, t, v as SqlArray, ctx);
    case 'record':
      return sendRecord(w, t, v as unknown[], ctx);
    default:
      throw new SbError(SqlState.feature_not_supported, `no binary output function available for type ${t.id}`);
  }
}

function sendArray(w: Writer, t: SqlType, a: SqlArray, ctx: TypeContext): void {
  const elem = t.elem!;
  w.i32(a.dims.length);
  w.i32(a.values.some((x) => x === null) ? 1 : 0);
  w.u32(typeOid(elem));
  for (let d = 0; d < a.dims.length; d++) {
    w.i32(a.dims[d]!);
    w.i32(a.lbounds[d]!);
  }
  for (const x of a.values) {
    if (x === null || x === undefined) {
      w.i32(-1);
      continue;
    }
    const b = encodeBinary(elem, x, ctx);
    w.i32(b.length);
    w.bytes(b);
  }
}

function sendRecord(w: Writer, t: SqlType, row: unknown[], ctx: TypeContext): void {
  w.i32(row.length);
  row.forEach((x, i) => {
    const ft = t.fields?.[i] ?? { id: 'text', typmod: -1 };
    w.u32(typeOid(ft));
    if (x === null || x === undefined) {
      w.i32(-1);
      return;
    }
    const b = encodeBinary(ft, x, ctx);
    w.i32(b.length);
    w.bytes(b);
  });
}

/** The binary send form of a non-NULL value. */
export function encodeBinary(t: SqlType, v: unknown, ctx: TypeContext = defaultTypeContext()): Uint8Array {
  const w = new Writer();
  send(w, t, v, ctx);
  return w.done();
}

function recvUuid(r: Reader): string {
  const b = r.bytes(16);
  let hex = '';
  for (const x of b) hex += (x < 16 ? '0' : '') + x.toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function recv(r: Reader, t: SqlType, ctx: TypeContext): unknown {
  switch (t.id) {
    case 'bool':
      return r.u8() !== 0;
    case 'int2':
      return r.i16();
    case 'int4':
      return r.i32();
    case 'int8':
      return normalizeInt8(r.i64());
    case 'float4':
      return r.f32();
    case 'float8':
      return r.f64();
    case 'numeric':
      return recvNumeric(r, t.typmod);
    case 'text':
    case 'unknown':
      return decodeUtf8(r.rest());
    case 'varchar':
    case 'bpchar':
      return applyTypmod(t, decodeUtf8(r.rest()), false);
    case 'name':
      return clipName(decodeUtf8(r.rest()));
    case 'json': {
      const s = decodeUtf8(r.rest());
      validateJson(s);
      return s;
    }
    case 'jsonb': {
      const version = r.u8();
      if (version !== 1) throw new SbError(SqlState.invalid_binary_representation, `unsupported jsonb version number ${version}`);
      return Jsonb.parse(decodeUtf8(r.rest()));
    }
    case 'char': {
      const b = r.u8();
      return b === 0 ? '' : String.fromCharCode(b);
    }
    case 'bytea':
      return r.rest().slice();
    case 'bit':
    case 'varbit':
      return applyBitTypmod(bitsFromBytes(r.rest()), t.typmod, t.id === 'varbit', false);
    case 'date': {
      const d = r.i32();
      if (d === 0x7fffffff) return Infinity;
      if (d === -0x80000000) return -Infinity;
      if (d < DATE_MIN || d >= DATE_END) throw new SbError(SqlState.datetime_field_overflow, 'date out of range');
      return d;
    }
    case 'time':
      return applyTypmod(t, recvTime(r), false);
    case 'timetz': {
      const micros = recvTime(r);
      const zone = r.i32();
      if (zone < -15 * 3600 - 59 * 60 || zone > 15 * 3600 + 59 * 60) {
        throw new SbError('22009', 'time zone displacement out of range');
      }
      return applyTypmod(t, { micros, offsetSeconds: -zone || 0 }, false);
    }
    case 'timestamp':
    case 'timestamptz':
      return applyTypmod(t, recvTimestamp(r), false);
    case 'interval': {
      const micros = Number(r.i64());
      const days = r.i32();
      const months = r.i32();
      return new Interval(months, days, micros).applyTypmod(t.typmod);
    }
    case 'uuid':
      return recvUuid(r);
    case 'oid':
    case 'xid':
    case 'cid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
    case 'regprocedure':
    case 'regnamespace':
    case 'regrole':
      return r.u32();
    case 'tid': {
      const block = r.u32();
      return { block, offset: r.u16() };
    }
    case 'void':
      return null;
    case 'array':
      return recvArray(r, t, ctx);
    case 'record':
      return recvRecord(r, t, ctx);
    default:
      throw new SbError(SqlState.feature_not_supported, `no binary input function available for type ${t.id}`);
  }
}

function recvArray(r: Reader, t: SqlType, ctx: TypeContext): SqlArray {
  const ndim = r.i32();
  const flags = r.i32();
  const elemOid = r.u32();
  if (ndim < 0) throw new SbError(SqlState.invalid_binary_representation, `invalid number of dimensions: ${ndim}`);
  if (ndim > 6) throw new SbError(SqlState.program_limit_exceeded, `number of array dimensions (${ndim}) exceeds the maximum allowed (6)`);
  if (flags !== 0 && flags !== 1) throw new SbError(SqlState.invalid_binary_representation, 'invalid array flags');
  const elem: SqlType = { ...t.elem!, typmod: t.typmod };
  if (elemOid !== typeOid(t.elem!)) {
    const got = typeByOid(elemOid);
    throw new SbError(SqlState.datatype_mismatch, `binary data has array element type ${elemOid}${got ? ` (${got.id})` : ''} instead of expected ${typeOid(t.elem!)}`);
  }
  const dims: number[] = [];
  const lbounds: number[] = [];
  let count = ndim > 0 ? 1 : 0;
  for (let d = 0; d < ndim; d++) {
    const n = r.i32();
    const lb = r.i32();
    if (n < 0) throw new SbError(SqlState.invalid_binary_representation, 'invalid array dimensions');
    dims.push(n);
    lbounds.push(lb);
    count *= n;
  }
  if (count > 134217727) throw new SbError(SqlState.program_limit_exceeded, 'array size exceeds the maximum allowed (134217727)');
  const values: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const len = r.i32();
    if (len === -1) {
      values.push(null);
      continue;
    }
    if (len < 0) throw new SbError(SqlState.invalid_binary_representation, 'insufficient data left in message');
    values.push(decodeBinary(elem, r.bytes(len), ctx));
  }
  if (count === 0) return SqlArray.empty(t.elem!);
  return new SqlArray(t.elem!, dims, lbounds, values);
}

function recvRecord(r: Reader, t: SqlType, ctx: TypeContext): unknown[] {
  const n = r.i32();
  if (t.fields !== undefined && n !== t.fields.length) {
    throw new SbError(SqlState.datatype_mismatch, `wrong number of columns: ${n}, expected ${t.fields.length}`);
  }
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const oid = r.u32();
    const ft = t.fields?.[i] ?? typeByOid(oid) ?? { id: 'text', typmod: -1 };
    const len = r.i32();
    out.push(len === -1 ? null : decodeBinary(ft, r.bytes(len), ctx));
  }
  return out;
}

/** The value of a binary recv form (22P03 for malformed data, 08P01 when it is short). */
export function decodeBinary(t: SqlType, bytes: Uint8Array, ctx: TypeContext = defaultTypeContext()): unknown {
  const r = new Reader(bytes);
  const v = recv(r, t, ctx);
  r.end();
  return v;
}
