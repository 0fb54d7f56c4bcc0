// Bounds-checked reading and growable writing of protocol bytes. Every read
// past the end, negative count or bad string is an SbError (08P01 or 22021),
// never a RangeError.

import { SbError, SqlState } from '../../engine/sb_error.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

export function protocolViolation(message: string, detail?: string): SbError {
  return new SbError(SqlState.protocol_violation, message, detail !== undefined ? { detail } : {});
}

/** Decodes UTF-8 strictly; invalid sequences are 22021 like PostgreSQL's "invalid byte sequence". */
export function decodeUtf8(bytes: Uint8Array): string {
  // Short ASCII (names, parameters, tags): no TextDecoder call.
  const n = bytes.length;
  if (n === 0) return '';
  if (n <= 32) {
    let s = '';
    let i = 0;
    for (; i < n; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) break;
      s += String.fromCharCode(c);
    }
    if (i === n) return s;
  }
  try {
    return utf8.decode(bytes);
  } catch {
    return invalidUtf8(bytes);
  }
}

function invalidUtf8(bytes: Uint8Array): never {
  let shown = '';
  for (let i = 0; i < Math.min(bytes.length, 8); i++) shown += `0x${bytes[i]!.toString(16).padStart(2, '0')} `;
  throw new SbError(SqlState.character_not_in_repertoire, 'invalid byte sequence for encoding "UTF8"', {
    detail: `bytes: ${shown.trim()}`,
  });
}

export function encodeUtf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** Reads one message body. `what` names the message in errors. */
export class ByteReader {
  private pos = 0;

  constructor(
    readonly buf: Uint8Array,
    readonly what: string,
  ) {}

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw protocolViolation(`invalid ${this.what} message format`, `needed ${n} more bytes at offset ${this.pos} of ${this.buf.length}`);
    }
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  int16(): number {
    this.need(2);
    const b = this.buf;
    const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    return v & 0x8000 ? v - 0x10000 : v;
  }

  uint16(): number {
    this.need(2);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  uint32(): number {
    return this.int32() >>> 0;
  }

  /** A count (Int16) that must be ≥ 0 and fit in what is left at `bytesEach` bytes each. */
  count16(bytesEach: number, of: string): number {
    const n = this.int16();
    if (n < 0) throw protocolViolation(`invalid ${this.what} message format`, `negative ${of} count ${n}`);
    if (n * bytesEach > this.remaining) {
      throw protocolViolation(`invalid ${this.what} message format`, `${of} count ${n} exceeds the message length`);
    }
    return n;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  rest(): Uint8Array {
    const out = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return out;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    // A short scan in JavaScript first: indexOf is a call into the runtime (names and tags are short).
    const buf = this.buf;
    const stop = Math.min(buf.length, this.pos + 64);
    let end = this.pos;
    while (end < stop && buf[end] !== 0) end++;
    if (end === stop) end = stop < buf.length ? buf.indexOf(0, stop) : -1;
    if (end < 0) throw protocolViolation(`invalid ${this.what} message format`, 'missing string terminator');
    if (end === this.pos) {
      this.pos++;
      return '';
    }
    const s = decodeUtf8(this.buf.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  /** Fails unless every byte was consumed (PostgreSQL's pq_getmsgend). */
  end(): void {
    if (this.pos !== this.buf.length) {
      throw protocolViolation(`invalid ${this.what} message format`, `${this.buf.length - this.pos} unexpected trailing bytes`);
    }
  }
}

/**
 * Small outputs are copied into slices of a shared slab rather than each
 * into a new ArrayBuffer (an allocation with a backing store is several
 * times dearer than a view). A slice is never written again once handed
 * out; the slab is freed when its last slice is.
 */
const slab_bytes = 64 * 1024;
export const slab_piece_bytes_max = 4096;
let slab = new Uint8Array(slab_bytes);
let slabAt = 0;

/** The first `n` bytes of `src` in a slice of the shared slab (n ≤ slab_piece_bytes_max). */
export function slabCopy(src: Uint8Array, n: number): Uint8Array {
  if (slabAt + n > slab_bytes) {
    slab = new Uint8Array(slab_bytes);
    slabAt = 0;
  }
  const at = slabAt;
  const out = slab.subarray(at, at + n);
  if (n <= 128) for (let i = 0; i < n; i++) slab[at + i] = src[i]!;
  else out.set(src.subarray(0, n));
  slabAt = (at + n + 7) & ~7;
  return out;
}

const writer_bytes_initial = 4096;
/** A writer's buffer above this size is given back after each flush. */
const writer_bytes_retained_max = 1024 * 1024;

/** A growable output buffer of backend messages. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;
  /** Start of the message being written (its type byte), or -1. */
  private msgStart = -1;

  constructor(initial = writer_bytes_initial) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Starts a message: type byte and a length placeholder (patched by endMessage). */
  begin(type: number): this {
    this.ensure(5);
    this.msgStart = this.pos;
    this.buf[this.pos] = type;
    this.pos += 5;
    return this;
  }

  /** Patches the length of the message begun last. */
  finish(): this {
    if (this.msgStart < 0) throw new Error('ByteWriter.finish without begin');
    const len = this.pos - this.msgStart - 1;
    this.view.setInt32(this.msgStart + 1, len);
    this.msgStart = -1;
    return this;
  }

  byte(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.view.setInt16(this.pos, v);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.pos, v | 0);
    this.pos += 4;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** A NUL-terminated UTF-8 string. Embedded NULs are not representable and are dropped. */
  cstring(s: string): this {
    // ASCII fast path: most names and tags.
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80 || c === 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      this.ensure(s.length + 1);
      for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
    } else {
      const b = utf8Encoder.encode(s.includes('\0') ? s.replaceAll('\0', '') : s);
      this.bytes(b);
    }
    this.ensure(1);
    this.buf[this.pos++] = 0;
    return this;
  }

  /**
   * A string, length-prefixed (Int32) as a DataRow value: ASCII is written
   * byte by byte, anything else through the UTF-8 encoder.
   */
  textValue(s: string): this {
    const n = s.length;
    this.ensure(4 + n);
    const at = this.pos + 4;
    const buf = this.buf;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return this.utf8Value(s);
      buf[at + i] = c;
    }
    this.view.setInt32(this.pos, n);
    this.pos = at + n;
    return this;
  }

  private utf8Value(s: string): this {
    const b = utf8Encoder.encode(s);
    return this.int32(b.length).bytes(b);
  }

  /** An integer's decimal text, length-prefixed (Int32) as a DataRow value. */
  intTextValue(v: number | bigint): this {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) return this.textValue(String(v));
    this.ensure(4 + 21);
    const buf = this.buf;
    let at = this.pos + 4;
    let x = v;
    if (x < 0) {
      buf[at++] = 0x2d;
      x = -x;
    }
    let digits = 1;
    for (let t = x; t >= 10; t = Math.floor(t / 10)) digits++;
    for (let i = digits - 1; i >= 0; i--) {
      buf[at + i] = 0x30 + (x % 10);
      x = Math.floor(x / 10);
    }
    at += digits;
    this.view.setInt32(this.pos, at - this.pos - 4);
    this.pos = at;
    return this;
  }

  /** Already-encoded bytes (a whole message or several) as they are. */
  raw(b: Uint8Array): this {
    return this.bytes(b);
  }

  /** A copy of the bytes written from `start` on. */
  copyFrom(start: number): Uint8Array {
    return this.buf.slice(start, this.pos);
  }

  /** Everything written so far (a copy), and resets the writer. */
  take(): Uint8Array {
    const n = this.pos;
    const out = n <= slab_piece_bytes_max ? slabCopy(this.buf, n) : this.buf.slice(0, n);
    this.pos = 0;
    this.msgStart = -1;
    // One large result must not pin its buffer for the rest of a long-lived connection.
    if (this.buf.length > writer_bytes_retained_max) {
      this.buf = new Uint8Array(writer_bytes_initial);
      this.view = new DataView(this.buf.buffer);
    }
    return out;
  }

  /** Discards everything after `length` bytes (rolls back a partly written message). */
  truncate(length: number): void {
    if (length < this.pos) this.pos = length;
    this.msgStart = -1;
  }
}
