// Scanners used by the lexer: numbers, PostgreSQL generic operators, and the
// prefixed string literals (E'…' escape strings, U&'…' Unicode strings,
// $tag$…$tag$ dollar quoting, Firebird Q'x…x', bit/hex strings). Each returns
// the end offset and the decoded value, or reports an unterminated or
// malformed literal through `fail` (SbError 42601).

import { SbError, SqlState } from '../host/engine/sb_error.ts';
import { isDigit } from './base_dialect.ts';
import { charPosition } from './errors.ts';
import type { ZeroXLiteral } from './dialect.ts';

export type Fail = (start: number, what: string) => never;

export interface Scanned {
  end: number;
  value: string;
}

function isHighSurrogate(cp: number): boolean {
  return cp >= 0xd800 && cp <= 0xdbff;
}

function isLowSurrogate(cp: number): boolean {
  return cp >= 0xdc00 && cp <= 0xdfff;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** PG E'…' (start at the E): C-style escapes; \x and octal escapes give the code point of their value. */
export function scanEscapeString(sql: string, start: number, fail: Fail): Scanned {
  const n = sql.length;
  let j = start + 2;
  let value = '';
  let segment = j;
  for (;;) {
    if (j >= n) fail(start, 'unterminated quoted string');
    const c = sql.charCodeAt(j);
    if (c === 39) {
      value += sql.slice(segment, j);
      if (sql.charCodeAt(j + 1) === 39) {
        value += "'";
        j += 2;
        segment = j;
        continue;
      }
      return { end: j + 1, value };
    }
    if (c !== 92) {
      j++;
      continue;
    }
    value += sql.slice(segment, j);
    if (j + 1 >= n) fail(start, 'unterminated quoted string');
    const e = sql[j + 1];
    j += 2;
    switch (e) {
      case 'b': value += '\b'; break;
      case 'f': value += '\f'; break;
      case 'n': value += '\n'; break;
      case 'r': value += '\r'; break;
      case 't': value += '\t'; break;
      case 'x': {
        let k = j;
        while (k < j + 2 && k < n && isHexDigit(sql.charCodeAt(k))) k++;
        value += k > j ? String.fromCharCode(parseInt(sql.slice(j, k), 16)) : 'x';
        j = k;
        break;
      }
      case 'u':
      case 'U': {
        const escStart = j - 2;
        const len = e === 'u' ? 4 : 8;
        const hex = sql.slice(j, j + len);
        if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) {
          // PG: a malformed \u / \U escape in an E'' string is 22025, not a syntax error.
          throw new SbError(SqlState.invalid_escape_sequence, 'invalid Unicode escape', {
            position: charPosition(sql, escStart),
            hint: 'Unicode escapes must be \\uXXXX or \\UXXXXXXXX.',
          });
        }
        let cp = parseInt(hex, 16);
        j += len;
        if (isLowSurrogate(cp)) fail(escStart, 'invalid Unicode surrogate pair');
        if (isHighSurrogate(cp)) {
          // PG: a high surrogate must be followed at once by a \u or \U escape of a low one.
          const next = sql[j + 1];
          const nlen = next === 'u' ? 4 : next === 'U' ? 8 : 0;
          const nhex = nlen > 0 && sql.charCodeAt(j) === 92 ? sql.slice(j + 2, j + 2 + nlen) : '';
          const low = nhex.length === nlen && /^[0-9a-fA-F]+$/.test(nhex) ? parseInt(nhex, 16) : -1;
          if (!isLowSurrogate(low)) fail(j, 'invalid Unicode surrogate pair');
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          j += 2 + nlen;
        }
        // NUL and code points past U+10FFFF are refused (PG's is_valid_unicode_codepoint).
        if (cp === 0 || cp > 0x10ffff) fail(escStart, 'invalid Unicode escape value');
        value += String.fromCodePoint(cp);
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          let k = j - 1;
          while (k < j + 2 && k < n && sql[k] >= '0' && sql[k] <= '7') k++;
          value += String.fromCharCode(parseInt(sql.slice(j - 1, k), 8) & 0xff);
          j = k;
        } else value += e;
    }
    segment = j;
  }
}

/** PG U&'…' [UESCAPE 'c'] (start at the U). */
export function scanUnicodeString(sql: string, start: number, fail: Fail): Scanned {
  const n = sql.length;
  let j = start + 3;
  let raw = '';
  let segment = j;
  for (;;) {
    if (j >= n) fail(start, 'unterminated quoted string');
    if (sql.charCodeAt(j) === 39) {
      raw += sql.slice(segment, j);
      if (sql.charCodeAt(j + 1) === 39) {
        raw += "'";
        j += 2;
        segment = j;
        continue;
      }
      j++;
      break;
    }
    j++;
  }
  let escape = '\\';
  const m = /^\s+UESCAPE\s*'([^'])'/i.exec(sql.slice(j, j + 64));
  if (m) {
    escape = m[1];
    j += m[0].length;
  }
  let value = '';
  // An escape at raw offset k starts at sql offset start + 3 + k (exact unless '' doubling came before it).
  const at = (k: number) => start + 3 + k;
  const escapeAt = (k: number): { cp: number; len: number } | null => {
    if (raw[k] !== escape || raw[k + 1] === escape) return null;
    const plus = raw[k + 1] === '+';
    const len = plus ? 6 : 4;
    const hex = raw.slice(k + (plus ? 2 : 1), k + (plus ? 2 : 1) + len);
    if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) fail(at(k), 'invalid Unicode escape');
    return { cp: parseInt(hex, 16), len: len + (plus ? 2 : 1) };
  };
  for (let k = 0; k < raw.length; k++) {
    const ch = raw[k];
    if (ch !== escape) {
      value += ch;
      continue;
    }
    if (raw[k + 1] === escape) {
      value += escape;
      k++;
      continue;
    }
    const esc = escapeAt(k)!;
    let cp = esc.cp;
    let used = esc.len;
    if (isLowSurrogate(cp)) fail(at(k), 'invalid Unicode surrogate pair');
    if (isHighSurrogate(cp)) {
      const low = escapeAt(k + used);
      if (low === null || !isLowSurrogate(low.cp)) fail(at(k + used), 'invalid Unicode surrogate pair');
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low.cp - 0xdc00);
      used += low.len;
    }
    if (cp === 0 || cp > 0x10ffff) fail(at(k), 'invalid Unicode escape value');
    value += String.fromCodePoint(cp);
    k += used - 1;
  }
  return { end: j, value };
}

/** PG $tag$…$tag$ (start at the first $); null when the `$` opens no dollar quote. */
export function scanDollarString(
  sql: string,
  start: number,
  isIdentStart: (c: number) => boolean,
  isIdentPart: (c: number) => boolean,
  fail: Fail,
): (Scanned & { tag: string }) | null {
  const n = sql.length;
  let j = start + 1;
  if (j < n && sql.charCodeAt(j) !== 36) {
    const c = sql.charCodeAt(j);
    if (!(isIdentStart(c) && c !== 36) || isDigit(c)) return null;
    while (j < n && sql.charCodeAt(j) !== 36 && isIdentPart(sql.charCodeAt(j))) j++;
    if (sql.charCodeAt(j) !== 36) return null;
  }
  if (j >= n) return null;
  const tag = sql.slice(start + 1, j);
  const delim = '$' + tag + '$';
  const close = sql.indexOf(delim, j + 1);
  if (close < 0) fail(start, 'unterminated dollar-quoted string');
  return { end: close + delim.length, value: sql.slice(j + 1, close), tag };
}

const q_pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>' };

/** FB Q'x…x' with bracket pairs for ( [ { < (start at the Q). */
export function scanQString(sql: string, start: number, fail: Fail): Scanned & { tag: string } {
  const open = sql[start + 2];
  if (open === undefined) fail(start, 'unterminated quoted string');
  const close = q_pairs[open] ?? open;
  const end = sql.indexOf(close + "'", start + 3);
  if (end < 0) fail(start, 'unterminated quoted string');
  return { end: end + 2, value: sql.slice(start + 3, end), tag: open };
}

/**
 * X'…' / B'…' (start at the letter); the value is the digits as written.
 * With `checkDigits` false (PG, whose bit_in reports a bad digit as 22P02)
 * the digits are left to the binder.
 */
export function scanBitString(sql: string, start: number, format: 'X' | 'B', fail: Fail, checkDigits = true): Scanned {
  const end = sql.indexOf("'", start + 2);
  if (end < 0) fail(start, 'unterminated quoted string');
  const digits = sql.slice(start + 2, end);
  const ok = !checkDigits || (format === 'X' ? /^[0-9a-fA-F\s]*$/.test(digits) : /^[01\s]*$/.test(digits));
  if (!ok) fail(start, `invalid ${format === 'X' ? 'hexadecimal' : 'binary'} string literal`);
  return { end: end + 1, value: digits };
}

/** MySQL backslash escapes (https://dev.mysql.com/doc/refman/8.0/en/string-literals.html). */
export function mysqlEscape(e: string): string {
  switch (e) {
    case '0': return '\0';
    case 'b': return '\b';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'Z': return '\x1a';
    case '%': return '\\%';
    case '_': return '\\_';
    default: return e;
  }
}

/** End of a run of digits (with `_` separators between digits) starting at j. */
function digits(sql: string, j: number, start: number): number {
  while (j < sql.length) {
    const c = sql.charCodeAt(j);
    if (isDigit(c) || (c === 95 && j > start && isDigit(sql.charCodeAt(j + 1)) && isDigit(sql.charCodeAt(j - 1)))) j++;
    else break;
  }
  return j;
}

/** A numeric literal; `0x…`/`0b…` become binary strings where the dialect says so. */
export function scanNumber(sql: string, start: number, zeroX: ZeroXLiteral): Scanned & { binary?: '0x' | '0b' } {
  const c1 = sql.charCodeAt(start + 1) | 32;
  if (sql.charCodeAt(start) === 48 && (c1 === 120 /* x */ || c1 === 98 /* b */ || c1 === 111 /* o */)) {
    const radix = c1 === 120 ? 16 : c1 === 98 ? 2 : 8;
    let j = start + 2;
    while (j < sql.length) {
      const c = sql.charCodeAt(j);
      const ok = radix === 16 ? isHexDigit(c) : radix === 2 ? c === 48 || c === 49 : c >= 48 && c <= 55;
      if (!ok && !(c === 95 && j > start + 2)) break;
      j++;
    }
    if (j > start + 2) {
      if (radix !== 8 && zeroX === 'binary') return { end: j, value: sql.slice(start + 2, j), binary: radix === 16 ? '0x' : '0b' };
      if (zeroX === 'number') return { end: j, value: sql.slice(start, j) };
    }
  }
  let j = digits(sql, start, start);
  if (sql.charCodeAt(j) === 46 /* . */ && sql.charCodeAt(j + 1) !== 46) j = digits(sql, j + 1, start);
  if ((sql.charCodeAt(j) | 32) === 101 /* e */) {
    let k = j + 1;
    const s = sql.charCodeAt(k);
    if (s === 43 || s === 45) k++;
    if (isDigit(sql.charCodeAt(k))) j = digits(sql, k, start);
  }
  return { end: j, value: sql.slice(start, j) };
}

const op_chars_special = '~!@#^&|`?%';

/** 1 for PG operator characters `~!@#^&|\`?+-*\/%<>=`, indexed by char code. */
const is_op_char = new Uint8Array(128);
for (const ch of '~!@#^&|`?+-*/%<>=') is_op_char[ch.charCodeAt(0)] = 1;

export function isOpChar(c: number): boolean {
  return c < 128 && is_op_char[c] === 1;
}

/**
 * PG operator at `start` (an operator character): the longest run of operator
 * characters, stopping at a comment start; a multi-character operator cannot
 * end in + or - unless it contains one of ~ ! @ # % ^ & | ` ?.
 * https://www.postgresql.org/docs/16/sql-syntax-lexical.html#SQL-SYNTAX-OPERATORS
 */
export function scanGenericOperator(sql: string, start: number): string {
  let j = start + 1;
  while (j < sql.length) {
    const x = sql.charCodeAt(j);
    if (!isOpChar(x)) break;
    const y = sql.charCodeAt(j + 1);
    if ((x === 45 && y === 45) || (x === 47 && y === 42)) break;
    j++;
  }
  let op = sql.slice(start, j);
  if (op.length > 1 && (op.endsWith('+') || op.endsWith('-'))) {
    let special = false;
    for (const x of op) if (op_chars_special.includes(x)) special = true;
    if (!special) while (op.length > 1 && (op.endsWith('+') || op.endsWith('-'))) op = op.slice(0, -1);
  }
  return op;
}
