// Byte-level writer and bounds-checked reader for SBLR: LEB128, zigzag,
// strings, float64, types and constant values.

import { Interval } from '../types/interval.ts';
import { Jsonb } from '../types/jsonb.ts';
import { Numeric } from '../types/numeric.ts';
import { SqlArray } from '../types/array.ts';
import { arrayOf, sqlType, typeInfo, type SqlType } from '../types/types.ts';
import { SbError, SqlState } from '../sb_error.ts';
import { bytecodeError, LIMITS, TYPE_IDS, VT } from './sblr.ts';

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });
const TYPE_INDEX = new Map(TYPE_IDS.map((t, i) => [t, i]));

export class Writer {
  private buf = new Uint8Array(256);
  len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  byte(v: number): void {
    this.room(1);
    this.buf[this.len++] = v & 0xff;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  op(code: number): void {
    if (code > 0xff) {
      this.byte(0xff);
      this.byte(code & 0xff);
      this.byte(code >> 8);
    } else this.byte(code);
  }

  uint(v: number | bigint): void {
    let x = BigInt(v);
    if (x < 0n) throw new SbError(SqlState.internal_error, `SBLR: negative unsigned ${v}`);
    if (x < 128n) {
      this.byte(Number(x));
      return;
    }
    while (x >= 128n) {
      this.byte(Number(x & 127n) | 128);
      x >>= 7n;
    }
    this.byte(Number(x));
  }

  int(v: number | bigint): void {
    const x = BigInt(v);
    this.uint(x >= 0n ? x << 1n : ((-x) << 1n) - 1n);
  }

  bool(b: boolean | undefined): void {
    this.byte(b ? 1 : 0);
  }

  str(s: string): void {
    const b = enc.encode(s);
    this.uint(b.length);
    this.bytes(b);
  }

  f64(v: number): void {
    this.room(8);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 8).setFloat64(0, v, true);
    this.len += 8;
  }

  type(t: SqlType): void {
    const i = TYPE_INDEX.get(t.id);
    if (i === undefined) throw new SbError(SqlState.internal_error, `SBLR: no code for type ${t.id}`);
    this.uint(i);
    this.int(t.typmod);
    if (t.id === 'array') this.type(t.elem!);
    if (t.id === 'record') {
      // 0: no field types known; n + 1: n field types follow.
      this.uint(t.fields ? t.fields.length + 1 : 0);
      for (const f of t.fields ?? []) this.type(f);
      // With field types: 0, or 1 and their names (a FROM item's whole row).
      if (t.fields) {
        this.uint(t.names ? 1 : 0);
        for (const name of t.names ?? []) this.str(name);
      }
    }
  }

  value(v: unknown): void {
    if (v === null || v === undefined) return this.byte(VT.NULL);
    if (v === false) return this.byte(VT.FALSE);
    if (v === true) return this.byte(VT.TRUE);
    if (typeof v === 'number') {
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
        this.byte(VT.INT);
        return this.int(v);
      }
      this.byte(VT.FLOAT);
      return this.f64(v);
    }
    if (typeof v === 'string') {
      this.byte(VT.STRING);
      return this.str(v);
    }
    if (typeof v === 'bigint') {
      this.byte(VT.BIGINT);
      return this.int(v);
    }
    if (v instanceof Uint8Array) {
      this.byte(VT.BYTES);
      this.uint(v.length);
      return this.bytes(v);
    }
    if (v instanceof Numeric) {
      this.byte(VT.NUMERIC);
      return this.str(v.toString());
    }
    if (v instanceof Interval) {
      this.byte(VT.INTERVAL);
      this.int(v.months);
      this.int(v.days);
      return this.int(v.micros);
    }
    if (v instanceof Jsonb) {
      this.byte(VT.JSONB);
      return this.str(v.toString());
    }
    if (v instanceof SqlArray) {
      this.byte(VT.ARRAY);
      this.type(v.elemType);
      this.uint(v.dims.length);
      for (const d of v.dims) this.uint(d);
      for (const l of v.lbounds) this.int(l);
      this.uint(v.values.length);
      for (const x of v.values) this.value(x);
      return;
    }
    if (Array.isArray(v)) {
      this.byte(VT.RECORD);
      this.uint(v.length);
      for (const x of v) this.value(x);
      return;
    }
    if (typeof v === 'object' && v !== null && 'micros' in v && 'offsetSeconds' in v) {
      const t = v as { micros: number; offsetSeconds: number };
      this.byte(VT.TIMETZ);
      this.int(t.micros);
      this.int(t.offsetSeconds);
      return;
    }
    throw new SbError(SqlState.feature_not_supported, `SBLR: a constant of this kind cannot be encoded (${Object.prototype.toString.call(v)})`);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw bytecodeError('truncated stream', this.pos);
    return this.buf[this.pos++]!;
  }

  peek(): number {
    if (this.pos >= this.buf.length) throw bytecodeError('truncated stream', this.pos);
    return this.buf[this.pos]!;
  }

  /** An opcode: one byte, or 0xFF + u16. */
  op(): number {
    const b = this.byte();
    if (b !== 0xff) return b;
    const lo = this.byte();
    return lo | (this.byte() << 8);
  }

  bigUint(): bigint {
    let x = 0n;
    let shift = 0n;
    for (let i = 0; ; i++) {
      if (i >= 20) throw bytecodeError('LEB128 integer too long', this.pos);
      const b = this.byte();
      x |= BigInt(b & 127) << shift;
      if ((b & 128) === 0) return x;
      shift += 7n;
    }
  }

  /** An unsigned integer that must be a safe JS number. */
  uint(): number {
    const start = this.pos;
    // Fast path for one byte.
    const b = this.peek();
    if (b < 128) {
      this.pos++;
      return b;
    }
    const x = this.bigUint();
    if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw bytecodeError('integer out of range', start);
    return Number(x);
  }

  bigInt(): bigint {
    const z = this.bigUint();
    return (z & 1n) === 0n ? z >> 1n : -((z + 1n) >> 1n);
  }

  int(): number {
    const start = this.pos;
    const x = this.bigInt();
    if (x > BigInt(Number.MAX_SAFE_INTEGER) || x < -BigInt(Number.MAX_SAFE_INTEGER)) throw bytecodeError('integer out of range', start);
    return Number(x);
  }

  /** A list length, bounded by the remaining bytes (each element takes at least one). */
  count(): number {
    const start = this.pos;
    const n = this.uint();
    if (n > LIMITS.list_max || n > this.buf.length - this.pos + 1) throw bytecodeError(`list length ${n} exceeds the stream`, start);
    return n;
  }

  bool(): boolean {
    const start = this.pos;
    const b = this.byte();
    if (b > 1) throw bytecodeError(`bad boolean ${b}`, start);
    return b === 1;
  }

  raw(n: number): Uint8Array {
    if (n > this.buf.length - this.pos) throw bytecodeError('truncated stream', this.pos);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  str(): string {
    const start = this.pos;
    const n = this.count();
    try {
      return dec.decode(this.raw(n));
    } catch (e) {
      if (e instanceof SbError) throw e;
      throw bytecodeError('invalid UTF-8 in a string', start);
    }
  }

  f64(): number {
    const b = this.raw(8);
    return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
  }

  type(depth = 0): SqlType {
    const start = this.pos;
    const i = this.uint();
    const id = TYPE_IDS[i];
    if (id === undefined) throw bytecodeError(`unknown type code ${i}`, start);
    const typmod = this.int();
    if (typmod < -1 || typmod > 0x7fffffff) throw bytecodeError(`bad type modifier ${typmod}`, start);
    if (id === 'array') {
      if (depth > 4) throw bytecodeError('array type nested too deeply', start);
      const elem = this.type(depth + 1);
      if (elem.id === 'array') throw bytecodeError('array of array type', start);
      if (typeInfo(elem.id).arrayOid === 0) throw bytecodeError(`type ${elem.id} has no array type`, start);
      return arrayOf(elem);
    }
    if (id === 'record') {
      const n = this.count();
      if (n === 0) return sqlType(id, typmod);
      if (depth > 16) throw bytecodeError('record type nested too deeply', start);
      const fields: SqlType[] = [];
      for (let i = 0; i < n - 1; i++) fields.push(this.type(depth + 1));
      const named = this.uint();
      if (named > 1) throw bytecodeError(`bad record names flag ${named}`, start);
      if (named === 0) return Object.freeze({ id, typmod, fields: Object.freeze(fields) });
      const names: string[] = [];
      for (let i = 0; i < n - 1; i++) names.push(this.str());
      return Object.freeze({ id, typmod, fields: Object.freeze(fields), names: Object.freeze(names) });
    }
    try {
      return sqlType(id, typmod);
    } catch {
      throw bytecodeError(`bad type ${id}(${typmod})`, start);
    }
  }

  value(depth = 0): unknown {
    const start = this.pos;
    if (depth > LIMITS.depth_max) throw bytecodeError('constant nested too deeply', start);
    const tag = this.byte();
    switch (tag) {
      case VT.NULL:
        return null;
      case VT.FALSE:
        return false;
      case VT.TRUE:
        return true;
      case VT.INT:
        return this.int();
      case VT.FLOAT:
        return this.f64();
      case VT.STRING:
        return this.str();
      case VT.BIGINT:
        return this.bigInt();
      case VT.BYTES:
        return this.raw(this.count());
      case VT.NUMERIC: {
        const s = this.str();
        try {
          return Numeric.parse(s);
        } catch {
          throw bytecodeError('bad numeric constant', start);
        }
      }
      case VT.INTERVAL:
        return new Interval(this.int(), this.int(), this.int());
      case VT.JSONB: {
        const s = this.str();
        try {
          return Jsonb.parse(s);
        } catch {
          throw bytecodeError('bad jsonb constant', start);
        }
      }
      case VT.ARRAY: {
        const elem = this.type();
        const nd = this.count();
        if (nd > 6) throw bytecodeError('too many array dimensions', start);
        const dims: number[] = [];
        for (let i = 0; i < nd; i++) dims.push(this.count());
        const lbounds: number[] = [];
        for (let i = 0; i < nd; i++) lbounds.push(this.int());
        const n = this.count();
        if (n !== (nd === 0 ? 0 : dims.reduce((a, b) => a * b, 1))) throw bytecodeError('array element count does not match its dimensions', start);
        const values: unknown[] = [];
        for (let i = 0; i < n; i++) values.push(this.value(depth + 1));
        return new SqlArray(elem, dims, lbounds, values);
      }
      case VT.RECORD: {
        const n = this.count();
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) out.push(this.value(depth + 1));
        return out;
      }
      case VT.TIMETZ:
        return { micros: this.int(), offsetSeconds: this.int() };
      default:
        throw bytecodeError(`unknown value tag ${tag}`, start);
    }
  }
}
