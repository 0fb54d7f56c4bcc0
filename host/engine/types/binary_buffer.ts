// Big-endian writer and reader over byte buffers for the binary wire
// formats (binary_io.ts). A read past the end is the protocol violation
// PostgreSQL reports ("insufficient data left in message").

import { SbError, SqlState } from '../sb_error.ts';

export class Writer {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.ensure(1);
    this.view.setUint8(this.len, v);
    this.len += 1;
  }
  i16(v: number): void {
    this.ensure(2);
    this.view.setInt16(this.len, v);
    this.len += 2;
  }
  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.len, v);
    this.len += 2;
  }
  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.len, v);
    this.len += 4;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.len, v);
    this.len += 4;
  }
  i64(v: bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.len, v);
    this.len += 8;
  }
  f32(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.len, v);
    this.len += 4;
  }
  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.len, v);
    this.len += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export class Reader {
  private readonly view: DataView;
  pos = 0;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new SbError(SqlState.protocol_violation, 'insufficient data left in message');
    }
  }
  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }
  i16(): number {
    this.need(2);
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  i64(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }
  f32(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos);
    this.pos += 4;
    return v;
  }
  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  rest(): Uint8Array {
    return this.bytes(this.buf.length - this.pos);
  }
  end(): void {
    if (this.pos !== this.buf.length) {
      throw new SbError(SqlState.invalid_binary_representation, 'incorrect binary data format');
    }
  }
}
