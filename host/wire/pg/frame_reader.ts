// Streaming frame reader: cuts the client's byte stream into messages.
//
// Before the StartupMessage the stream carries untyped packets (Int32 length
// including itself, then the body whose first Int32 is a protocol version or
// request code); after it, typed messages (Byte1 type, Int32 length including
// itself, body). Lengths are validated as soon as the header is in: a
// negative or too-small length is 08P01, a length above the bound is 54000,
// and an unknown message type is 08P01, all before any body byte is awaited.
// The reader holds at most one incomplete frame plus the chunk that was
// pushed last: callers push a chunk only after next() returned null.

import { SbError, SqlState } from '../../engine/sb_error.ts';
import { protocolViolation } from './bytes.ts';
import { FE, message_bytes_max_default, small_message_bytes_max, startup_packet_bytes_max, typeName } from './protocol.ts';

export interface Frame {
  /** Message type byte; 0 for an untyped startup-phase packet. */
  readonly type: number;
  /** The bytes after the length word. */
  readonly body: Uint8Array;
}

export interface FrameReaderOptions {
  /** Bound of one typed message (header included). */
  messageBytesMax?: number;
}

/** Frontend message types that carry nothing or only short names. */
const SMALL_TYPES = new Set<number>([FE.Sync, FE.Flush, FE.Terminate, FE.CopyDone, FE.Describe, FE.Close, FE.Execute, FE.CopyFail]);
const KNOWN_TYPES = new Set<number>(Object.values(FE));
/** By type byte: 0 unknown, 1 known, 2 known and small. */
const TYPE_CLASS = new Uint8Array(256);
for (const t of KNOWN_TYPES) TYPE_CLASS[t] = SMALL_TYPES.has(t) ? 2 : 1;
/** Auth tokens (password, SASL messages) are capped like PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH. */
const auth_message_bytes_max = 65_535 + 4;
/** The body of every empty message (Sync, Flush...). */
const EMPTY = new Uint8Array(0);

export function tooLarge(what: string, length: number, max: number, setting: string): SbError {
  return new SbError(
    SqlState.program_limit_exceeded,
    `${what} of ${length} bytes exceeds the limit of ${max} bytes`,
    setting === '' ? {} : { hint: `The limit is set by ${setting}.` },
  );
}

export class FrameReader {
  private chunks: Uint8Array[] = [];
  /** Offset of the first unread byte in chunks[0]. */
  private head = 0;
  private total = 0;
  /** True until the StartupMessage has been read: frames are untyped. */
  startupPhase = true;
  readonly messageBytesMax: number;

  constructor(opts: FrameReaderOptions = {}) {
    this.messageBytesMax = opts.messageBytesMax ?? message_bytes_max_default;
  }

  /** Bytes received and not yet returned as frames. */
  get buffered(): number {
    return this.total;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** The next complete frame, or null when more bytes are needed. Throws SbError on a bad header. */
  next(): Frame | null {
    if (this.startupPhase) {
      if (this.total < 4) return null;
      const len = this.peekInt32(0);
      if (len < 8) throw protocolViolation('invalid length of startup packet', `length ${len}`);
      if (len > startup_packet_bytes_max) throw tooLarge('startup packet', len, startup_packet_bytes_max, '');
      if (this.total < len) return null;
      this.skip(4);
      return { type: 0, body: this.take(len - 4) };
    }
    if (this.total < 5) {
      // Reject an unknown type from its first byte: no need to wait for a length.
      if (this.total >= 1) this.checkType(this.peekByte(0));
      return null;
    }
    let type: number;
    let len: number;
    const first = this.chunks[0]!;
    const h = this.head;
    if (first.length - h >= 5) {
      // The whole header in the first chunk (the usual case).
      type = first[h]!;
      len = (first[h + 1]! << 24) | (first[h + 2]! << 16) | (first[h + 3]! << 8) | first[h + 4]!;
    } else {
      type = this.peekByte(0);
      len = this.peekInt32(1);
    }
    const cls = TYPE_CLASS[type]!;
    if (cls === 0) this.checkType(type);
    if (len < 4) throw protocolViolation(`invalid message length ${len} for message type ${typeName(type)}`);
    const max = cls === 2 ? small_message_bytes_max : type === FE.Password ? Math.min(auth_message_bytes_max, this.messageBytesMax) : this.messageBytesMax;
    if (len + 1 > max) {
      throw tooLarge(`message ${typeName(type)}`, len + 1, max, cls === 2 || type === FE.Password ? '' : 'message_bytes_max');
    }
    if (this.total < len + 1) return null;
    this.skip(5);
    return { type, body: this.take(len - 4) };
  }

  private checkType(type: number): void {
    if (TYPE_CLASS[type] === 0) throw protocolViolation(`invalid frontend message type ${type} (${typeName(type)})`);
  }

  private peekByte(at: number): number {
    let i = 0;
    let off = this.head + at;
    while (off >= this.chunks[i]!.length) {
      off -= this.chunks[i]!.length;
      i++;
    }
    return this.chunks[i]![off]!;
  }

  private peekInt32(at: number): number {
    return ((this.peekByte(at) << 24) | (this.peekByte(at + 1) << 16) | (this.peekByte(at + 2) << 8) | this.peekByte(at + 3)) | 0;
  }

  /** Drops the next n bytes (all buffered). */
  private skip(n: number): void {
    this.total -= n;
    while (n > 0) {
      const c = this.chunks[0]!;
      const avail = c.length - this.head;
      if (avail > n) {
        this.head += n;
        return;
      }
      n -= avail;
      this.chunks.shift();
      this.head = 0;
    }
  }

  /** Removes and returns the next n bytes (zero-copy when they lie in one chunk). */
  private take(n: number): Uint8Array {
    this.total -= n;
    const first = this.chunks[0];
    if (n === 0) return EMPTY; // (nothing can be written into it)
    if (first !== undefined && first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.head += n;
      if (this.head === first.length) {
        this.chunks.shift();
        this.head = 0;
      }
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const avail = c.length - this.head;
      const k = Math.min(avail, n - filled);
      out.set(c.subarray(this.head, this.head + k), filled);
      filled += k;
      this.head += k;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    return out;
  }
}
