// Text and bytea in the key encoding: the bytes (UTF-8 for text) with every
// 0x00 escaped as 0x00 0xFF, then the terminator 0x00 0x01. The escape sorts
// above the terminator, so "a" < "a\0" < "a\x01", and since the terminator
// appears nowhere else the encoding is prefix-free.
//
// Text uses binary collation: UTF-8 byte order, which is Unicode code-point
// order (not JS's UTF-16 code-unit order; compareText gives the former).

import { SbError, SqlState } from '../sb_error.ts';
import { corruptKey, ESCAPE_BYTE, ESCAPED_ZERO, TERMINATOR, type ReadCursor, type WriteSink } from './key_tags.ts';

function loneSurrogate(at: number): SbError {
  return new SbError(SqlState.character_not_in_repertoire, `invalid Unicode string: lone surrogate at character ${at}`, {
    dataType: 'text',
  });
}

/** Appends the escaped UTF-8 of `s` and the terminator. Throws 22021 on a lone surrogate. */
export function writeEscapedText(w: WriteSink, s: string): void {
  const n = s.length;
  // Worst case 3 bytes per UTF-16 unit (an escaped NUL is 2, a surrogate pair 4 for 2 units).
  w.ensure(3 * n + 2);
  const buf = w.buf;
  let p = w.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0) {
        buf[p++] = ESCAPE_BYTE;
        buf[p++] = ESCAPED_ZERO;
      } else {
        buf[p++] = c;
      }
    } else if (c < 0x800) {
      buf[p++] = 0xc0 | (c >>> 6);
      buf[p++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      buf[p++] = 0xe0 | (c >>> 12);
      buf[p++] = 0x80 | ((c >>> 6) & 0x3f);
      buf[p++] = 0x80 | (c & 0x3f);
    } else {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || d < 0xdc00 || d > 0xdfff) throw loneSurrogate(i);
      const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      buf[p++] = 0xf0 | (cp >>> 18);
      buf[p++] = 0x80 | ((cp >>> 12) & 0x3f);
      buf[p++] = 0x80 | ((cp >>> 6) & 0x3f);
      buf[p++] = 0x80 | (cp & 0x3f);
      i++;
    }
  }
  buf[p++] = ESCAPE_BYTE;
  buf[p++] = TERMINATOR;
  w.length = p;
}

/** Appends escaped bytes and the terminator. */
export function writeEscapedBytes(w: WriteSink, b: Uint8Array): void {
  const n = b.length;
  w.ensure(2 * n + 2);
  const buf = w.buf;
  let p = w.length;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    buf[p++] = c;
    if (c === 0) buf[p++] = ESCAPED_ZERO;
  }
  buf[p++] = ESCAPE_BYTE;
  buf[p++] = TERMINATOR;
  w.length = p;
}

let scratch = new Uint8Array(256);

/**
 * Reads escaped bytes up to and past the terminator, un-masking with `mask`.
 * Returns the raw bytes: a view of the key when nothing needed changing,
 * otherwise a view of a scratch buffer valid until the next call.
 */
function readEscaped(r: ReadCursor, mask: number): Uint8Array {
  const key = r.key;
  const start = r.pos;
  const escapeByte = ESCAPE_BYTE ^ mask;
  let i = start;
  let escapes = 0;
  for (;;) {
    if (i + 1 >= key.length) throw corruptKey('unterminated text/bytea', start);
    if (key[i] === escapeByte) {
      const next = key[i + 1] ^ mask;
      if (next === TERMINATOR) break;
      if (next !== ESCAPED_ZERO) throw corruptKey('bad escape in text/bytea', i);
      escapes++;
      i += 2;
    } else {
      i++;
    }
  }
  r.pos = i + 2;
  if (escapes === 0 && mask === 0) return key.subarray(start, i);
  const n = i - start - escapes;
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, 2 * scratch.length));
  let o = 0;
  for (let k = start; k < i; k++) {
    const b = key[k] ^ mask;
    scratch[o++] = b;
    if (b === ESCAPE_BYTE) k++; // skip the ESCAPED_ZERO
  }
  return scratch.subarray(0, n);
}

/** Skips escaped bytes and the terminator. */
export function skipEscaped(r: ReadCursor, mask: number): void {
  const key = r.key;
  const escapeByte = ESCAPE_BYTE ^ mask;
  let i = r.pos;
  for (;;) {
    if (i + 1 >= key.length) throw corruptKey('unterminated text/bytea', r.pos);
    if (key[i] === escapeByte) {
      if ((key[i + 1] ^ mask) === TERMINATOR) break;
      i += 2;
    } else {
      i++;
    }
  }
  r.pos = i + 2;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const SHORT_ASCII_MAX = 24;

export function readEscapedText(r: ReadCursor, mask: number): string {
  const at = r.pos;
  const bytes = readEscaped(r, mask);
  const n = bytes.length;
  if (n <= SHORT_ASCII_MAX) {
    // Short ASCII keys are common; skip the decoder's call overhead.
    let s = '';
    let i = 0;
    for (; i < n; i++) {
      const b = bytes[i];
      if (b >= 0x80) break;
      s += String.fromCharCode(b);
    }
    if (i === n) return s;
  }
  try {
    return utf8.decode(bytes);
  } catch {
    throw corruptKey('invalid UTF-8 in text', at);
  }
}

export function readEscapedBytes(r: ReadCursor, mask: number): Uint8Array {
  return readEscaped(r, mask).slice();
}

/** Code-point order of two strings (= UTF-8 byte order), not JS's UTF-16 order. */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 misorders surrogates (D800-DFFF, i.e. code points >= 0x10000)
    // below E000-FFFF; lift surrogates above the rest of the BMP.
    if (x >= 0xd800) x += x >= 0xe000 ? -0x800 : 0x2000;
    if (y >= 0xd800) y += y >= 0xe000 ? -0x800 : 0x2000;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Unsigned byte order (memcmp, shorter prefix first). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
