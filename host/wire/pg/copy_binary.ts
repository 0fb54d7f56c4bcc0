// PostgreSQL's binary COPY format (the "COPY BINARY" file layout):
//
//   header   11-byte signature "PGCOPY\n\377\r\n\0", int32 flags (bit 16:
//            OIDs included; bits 17-31 critical, must be zero), int32 length
//            of a header extension area, then that many bytes (skipped)
//   tuple    int16 field count, then per field an int32 length (-1: NULL)
//            and that many bytes in the type's binary send format
//   trailer  int16 -1
//
// The per-type encodings are the codecs of host/engine/types/binary_io.ts.
// The parser is fed CopyData chunks as they come (a tuple may span chunks).

import { SbError, SqlState } from '../../engine/sb_error.ts';

export const COPY_BINARY_SIGNATURE = new Uint8Array([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);
/** A header extension area larger than this is refused. */
const header_extension_bytes_max = 1024 * 1024;

/** bad_copy_file_format */
export const BAD_COPY_FILE_FORMAT = '22P04';

function badFormat(message: string): SbError {
  return new SbError(BAD_COPY_FILE_FORMAT, message);
}

/**
 * Cuts binary COPY input into tuples. `onRow` gets each tuple's fields (null
 * for NULL) and its 1-based number (PostgreSQL's "line" in a binary COPY).
 */
export class CopyBinaryParser {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private headerDone = false;
  private ended = false;
  private withOids = false;
  lineNo = 0;

  constructor(
    private readonly columns: number,
    private readonly onRow: (fields: Array<Uint8Array | null>, line: number) => void,
    private readonly rowBytesMax: number,
  ) {}

  push(bytes: Uint8Array): void {
    if (this.ended) return; // data after the trailer is ignored, as PostgreSQL does
    if (this.pos >= this.buf.length) {
      this.buf = bytes;
      this.pos = 0;
    } else {
      const rest = this.buf.subarray(this.pos);
      const joined = new Uint8Array(rest.length + bytes.length);
      joined.set(rest);
      joined.set(bytes, rest.length);
      this.buf = joined;
      this.pos = 0;
    }
    this.cut();
  }

  /** CopyDone: the input must have ended exactly after the trailer (or after a whole tuple, as PostgreSQL allows). */
  end(): void {
    if (!this.headerDone) throw badFormat('COPY file signature not recognized');
    if (this.pos < this.buf.length && !this.ended) throw badFormat('unexpected EOF in COPY data');
  }

  private view(): DataView {
    return new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  private cut(): void {
    const b = this.buf;
    const dv = this.view();
    if (!this.headerDone) {
      if (b.length - this.pos < 19) {
        this.checkSignaturePrefix();
        return;
      }
      this.checkSignaturePrefix();
      const flags = dv.getInt32(this.pos + 11);
      if ((flags & 0xfffe0000) !== 0) throw badFormat('unrecognized critical flags in COPY file header');
      this.withOids = (flags & 0x00010000) !== 0;
      if (this.withOids) throw new SbError(SqlState.feature_not_supported, 'COPY BINARY with OIDs is not supported');
      const ext = dv.getInt32(this.pos + 15);
      if (ext < 0 || ext > header_extension_bytes_max) throw badFormat('invalid COPY file header (wrong length)');
      if (b.length - this.pos < 19 + ext) return;
      this.pos += 19 + ext;
      this.headerDone = true;
    }
    while (!this.ended) {
      const start = this.pos;
      if (b.length - start < 2) return;
      const count = dv.getInt16(start);
      if (count === -1) {
        this.ended = true;
        this.pos = start + 2;
        return;
      }
      const line = this.lineNo + 1;
      if (count !== this.columns) {
        throw Object.assign(badFormat(`row field count is ${count}, expected ${this.columns}`), { copyLine: line });
      }
      let p = start + 2;
      const fields: Array<Uint8Array | null> = new Array(count);
      for (let i = 0; i < count; i++) {
        if (b.length - p < 4) return this.incomplete(start);
        const len = dv.getInt32(p);
        p += 4;
        if (len === -1) {
          fields[i] = null;
          continue;
        }
        if (len < -1) throw Object.assign(badFormat('invalid field size'), { copyLine: line });
        if (len > this.rowBytesMax) throw new SbError(SqlState.program_limit_exceeded, `COPY field longer than ${this.rowBytesMax} bytes`);
        if (b.length - p < len) return this.incomplete(start);
        fields[i] = b.subarray(p, p + len);
        p += len;
      }
      this.pos = p;
      this.lineNo = line;
      this.onRow(fields, line);
    }
  }

  /** A tuple not yet whole: keep its bytes for the next chunk (bounded). */
  private incomplete(start: number): void {
    this.pos = start;
    if (this.buf.length - start > this.rowBytesMax) throw new SbError(SqlState.program_limit_exceeded, `COPY row longer than ${this.rowBytesMax} bytes`);
  }

  private checkSignaturePrefix(): void {
    const n = Math.min(COPY_BINARY_SIGNATURE.length, this.buf.length - this.pos);
    for (let i = 0; i < n; i++) {
      if (this.buf[this.pos + i] !== COPY_BINARY_SIGNATURE[i]) throw badFormat('COPY file signature not recognized');
    }
  }
}

/** The binary COPY header (no flags, no extension). */
export function copyBinaryHeader(): Uint8Array {
  const out = new Uint8Array(19);
  out.set(COPY_BINARY_SIGNATURE);
  return out; // flags and extension length are zero
}

/** The binary COPY trailer. */
export function copyBinaryTrailer(): Uint8Array {
  return new Uint8Array([0xff, 0xff]);
}

/** One tuple in binary COPY layout; `prefix` (the header) goes before it when given. */
export function copyBinaryTuple(fields: ReadonlyArray<Uint8Array | null>, prefix?: Uint8Array): Uint8Array {
  let size = (prefix?.length ?? 0) + 2;
  for (const f of fields) size += 4 + (f?.length ?? 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let p = 0;
  if (prefix) {
    out.set(prefix);
    p = prefix.length;
  }
  dv.setInt16(p, fields.length);
  p += 2;
  for (const f of fields) {
    if (f === null) {
      dv.setInt32(p, -1);
      p += 4;
      continue;
    }
    dv.setInt32(p, f.length);
    p += 4;
    out.set(f, p);
    p += f.length;
  }
  return out;
}
