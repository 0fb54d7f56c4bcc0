// Character-level helpers: PostgreSQL counts characters (code points) where
// JS strings count UTF-16 units; case mapping follows the "C" locale (ASCII
// letters only), as the engine's default collation does.

import { SbError, SqlState } from '../sb_error.ts';

const SURROGATE = /[\uD800-\uDFFF]/;

export function hasSurrogates(s: string): boolean {
  return SURROGATE.test(s);
}

/** Code points of s. */
export function codePoints(s: string): string[] {
  return Array.from(s);
}

/** Characters (code points): UTF-16 length less one per surrogate pair. */
export function charLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** Characters [start, end) by code point index (0-based, clamped); no allocation beyond the result. */
export function charSlice(s: string, start: number, end = Infinity): string {
  const from = Math.max(0, start);
  const to = end === Infinity ? Infinity : Math.max(0, end);
  if (to <= from) return '';
  // Walk code points to the UTF-16 offsets of `from` and `to`.
  let cp = 0;
  let a = -1;
  let i = 0;
  for (; i < s.length; i++) {
    if (cp === from) a = i;
    if (cp === to) break;
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    cp++;
  }
  if (a < 0) return '';
  return s.slice(a, i);
}

export function utf8Bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

export function utf8Decode(b: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(b);
}

export function octetLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

// Hoisted: a closure created per call costs more than the call itself.
const toLower = (m: string): string => m.toLowerCase();
const toUpper = (m: string): string => m.toUpperCase();

/** lower() in the C locale: ASCII letters only (per-row hot path: no allocation when nothing changes). */
export function asciiLower(s: string): string {
  let upper = false;
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) upper = true;
    else if (c >= 128) ascii = false;
  }
  if (!upper) return s;
  if (ascii) return s.toLowerCase();
  return s.replace(/[A-Z]+/g, toLower);
}

export function asciiUpper(s: string): string {
  let lower = false;
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = true;
    else if (c >= 128) ascii = false;
  }
  if (!lower) return s;
  if (ascii) return s.toUpperCase();
  return s.replace(/[a-z]+/g, toUpper);
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** initcap: first letter of each alphanumeric run upper-cased, the rest lower-cased (C locale). */
export function initcap(s: string): string {
  let out = '';
  let prevAlnum = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const c = s.charCodeAt(i);
    if (prevAlnum) out += c >= 65 && c <= 90 ? ch.toLowerCase() : ch;
    else out += c >= 97 && c <= 122 ? ch.toUpperCase() : ch;
    // Non-ASCII characters count as non-alphanumeric in the C locale.
    prevAlnum = isAsciiAlnum(c);
  }
  return out;
}

export function checkNoNul(s: string): string {
  if (s.includes('\0')) throw new SbError(SqlState.program_limit_exceeded, 'null character not permitted');
  return s;
}

/** PostgreSQL's MaxAllocSize (1 GB - 1): strings beyond it cannot be built. */
export const TEXT_BYTES_MAX = 0x3fffffff;

/**
 * The longest string a function builds, in characters. PostgreSQL's bound is
 * 1 GB of UTF-8; a JS string holds at most ~2^29 UTF-16 units, and a single
 * value near that would starve the executor's memory, so results stop at
 * 2^28 characters with the same error (docs/compat/postgresql.md, Functions).
 */
export const STRING_CHARS_MAX = 0x0fffffff;

/** 54000 "requested length too large" before building a string of `chars` characters. */
export function checkResultLength(chars: number): void {
  if (!(chars <= STRING_CHARS_MAX)) throw new SbError(SqlState.program_limit_exceeded, 'requested length too large');
}

export function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
