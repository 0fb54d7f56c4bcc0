// Text I/O of the simple scalar types, as PostgreSQL's input and output
// functions: bool, int2/int4/int8, oid/xid/cid, tid, uuid, bytea (hex and
// escape), "char", name, and the length rules of varchar(n)/char(n).

import { SbError, SqlState } from '../sb_error.ts';

export interface TidValue {
  block: number;
  offset: number;
}

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

function trim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isSpace(s[a])) a++;
  while (b > a && isSpace(s[b - 1])) b--;
  return s.slice(a, b);
}

function syntax(typeName: string, s: string): SbError {
  return new SbError(SqlState.invalid_text_representation, `invalid input syntax for type ${typeName}: "${s}"`);
}

// ---- strings: encoding checks and lengths ------------------------------------------

/** 22021 for text PostgreSQL could not hold in UTF-8: NUL bytes and unpaired surrogates. */
export function checkText(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) throw new SbError(SqlState.character_not_in_repertoire, 'invalid byte sequence for encoding "UTF8": 0x00');
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = s.charCodeAt(i + 1);
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
      const b = [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)];
      throw new SbError(
        SqlState.character_not_in_repertoire,
        `invalid byte sequence for encoding "UTF8": ${b.map((x) => '0x' + x.toString(16)).join(' ')}`,
      );
    }
  }
  return s;
}

/** Length in characters (code points), as PostgreSQL's char_length counts. */
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

/** The first n characters (code points) of s. */
export function clipChars(s: string, n: number): string {
  if (s.length <= n) return s;
  let count = 0;
  let i = 0;
  while (i < s.length && count < n) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
    count++;
  }
  return s.slice(0, i);
}

/**
 * varchar(n) / char(n) coercion. On input and assignment, characters past n
 * must all be spaces (else 22001); an explicit cast truncates silently.
 * char(n) is padded with spaces to n characters.
 */
export function coerceCharLength(s: string, n: number, padded: boolean, explicit: boolean): string {
  if (n < 0) return s;
  const len = charLength(s);
  if (len > n) {
    const head = clipChars(s, n);
    if (!explicit) {
      const rest = s.slice(head.length);
      if (!/^ *$/.test(rest)) {
        throw new SbError(
          SqlState.string_data_right_truncation,
          `value too long for type ${padded ? 'character' : 'character varying'}(${n})`,
        );
      }
    }
    return head;
  }
  if (padded && len < n) return s + ' '.repeat(n - len);
  return s;
}

/** bpchar without its trailing spaces (how bpchar compares, and what casting it to text gives). */
export function trimBpchar(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 32) e--;
  return e === s.length ? s : s.slice(0, e);
}

const encoder = new TextEncoder();

/** name: clipped to 63 bytes of UTF-8 at a character boundary (NAMEDATALEN - 1). */
export function clipName(s: string): string {
  if (s.length <= 21) return s;
  const bytes = encoder.encode(s);
  if (bytes.length <= 63) return s;
  let out = '';
  let used = 0;
  for (const ch of s) {
    const n = encoder.encode(ch).length;
    if (used + n > 63) break;
    out += ch;
    used += n;
  }
  return out;
}

// ---- bool -------------------------------------------------------------------------

/** boolin: t/true/y/yes/on/1 and f/false/n/no/off/0, any case, unique prefixes. */
export function parseBool(input: string): boolean {
  const s = trim(input).toLowerCase();
  const n = s.length;
  if (n > 0) {
    switch (s[0]) {
      case 't':
        if ('true'.startsWith(s)) return true;
        break;
      case 'f':
        if ('false'.startsWith(s)) return false;
        break;
      case 'y':
        if ('yes'.startsWith(s)) return true;
        break;
      case 'n':
        if ('no'.startsWith(s)) return false;
        break;
      case 'o':
        if (n >= 2 && 'on'.startsWith(s)) return true;
        if (n >= 2 && 'off'.startsWith(s)) return false;
        break;
      case '1':
        if (n === 1) return true;
        break;
      case '0':
        if (n === 1) return false;
        break;
    }
  }
  throw syntax('boolean', input);
}

// ---- integers ---------------------------------------------------------------------

const INT_RE = /^[ \t\n\r\v\f]*([+-]?)0*(\d+)[ \t\n\r\v\f]*$/;

function parseIntText(input: string, typeName: string, bits: 16 | 32 | 64): number | bigint {
  // Fast path (a bound parameter's text, e.g. pgbench's ids): an optional
  // minus and 1-9 digits, nothing else; the regular expression below took a
  // visible share of a point query's parse-bind-execute.
  const n = input.length;
  if (n > 0 && n <= 10) {
    let i = input.charCodeAt(0) === 45 ? 1 : 0;
    if (i < n && n - i <= 9) {
      let v = 0;
      for (; i < n; i++) {
        const d = input.charCodeAt(i) - 48;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
      }
      if (i === n) {
        if (input.charCodeAt(0) === 45) v = -v;
        const lim = bits === 16 ? 32768 : 2147483648;
        if (bits === 64 || (v < lim && v >= -lim)) return v || 0;
      }
    }
  }
  const m = INT_RE.exec(input);
  if (m === null) throw syntax(typeName, input);
  const digits = m[2]!;
  const neg = m[1] === '-';
  if (digits.length <= 15) {
    const v = neg ? -Number(digits) : Number(digits);
    const lim = bits === 16 ? 32768 : bits === 32 ? 2147483648 : Infinity;
    if (v >= lim || v < -lim) {
      throw new SbError(SqlState.numeric_value_out_of_range, `value "${input}" is out of range for type ${typeName}`);
    }
    return v || 0;
  }
  if (bits !== 64 || digits.length > 19) {
    throw new SbError(SqlState.numeric_value_out_of_range, `value "${input}" is out of range for type ${typeName}`);
  }
  const b = neg ? -BigInt(digits) : BigInt(digits);
  if (b > 9223372036854775807n || b < -9223372036854775808n) {
    throw new SbError(SqlState.numeric_value_out_of_range, `value "${input}" is out of range for type ${typeName}`);
  }
  return normalizeInt8(b);
}

/** int8 values: number when safe, bigint otherwise. */
export function normalizeInt8(v: bigint | number): number | bigint {
  if (typeof v === 'number') return v;
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

export function parseInt2(s: string): number {
  return parseIntText(s, 'smallint', 16) as number;
}

export function parseInt4(s: string): number {
  return parseIntText(s, 'integer', 32) as number;
}

export function parseInt8(s: string): number | bigint {
  return parseIntText(s, 'bigint', 64);
}

/** oidin: strtoul semantics, accepting -2^31..-1 as their unsigned wrap. */
export function parseOid(input: string, typeName = 'oid'): number {
  const m = /^[ \t\n\r\v\f]*([+-]?)(\d+)[ \t\n\r\v\f]*$/.exec(input);
  if (m === null) throw syntax(typeName, input);
  const v = Number(m[2]);
  const outOfRange = (): SbError =>
    new SbError(SqlState.numeric_value_out_of_range, `value "${input}" is out of range for type ${typeName}`);
  if (m[1] === '-') {
    if (v > 2147483648) throw outOfRange();
    return v === 0 ? 0 : 4294967296 - v;
  }
  if (v > 4294967295) throw outOfRange();
  return v;
}

/** xidin/cidin (PostgreSQL 15): strtoul with base detection, no error checking, truncated to 32 bits. */
export function parseXid(input: string): number {
  const m = /^[ \t\n\r\v\f]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)/.exec(input);
  if (m === null) return 0;
  const t = m[2]!;
  let v = t.startsWith('0x') || t.startsWith('0X') ? BigInt(t) : t.startsWith('0') && t.length > 1 ? BigInt('0o' + t.slice(1)) : BigInt(t);
  if (m[1] === '-') v = -v;
  return Number(BigInt.asUintN(32, v));
}

export function parseTid(input: string): TidValue {
  const m = /^\([ \t\n\r\v\f]*([+-]?)(\d+),[ \t\n\r\v\f]*([+-]?\d+)\)/.exec(input);
  if (m === null) throw syntax('tid', input);
  let block = Number(m[2]);
  const offset = Number(m[3]);
  if (block > 4294967295 || offset < 0 || offset > 65535) throw syntax('tid', input);
  if (m[1] === '-' && block !== 0) {
    if (block > 4294967295) throw syntax('tid', input);
    block = 4294967296 - block;
  }
  return { block, offset };
}

export function formatTid(v: TidValue): string {
  return `(${v.block},${v.offset})`;
}

// ---- uuid -------------------------------------------------------------------------

/** uuid_in: optional braces, hyphens allowed after any group of four hex digits. */
export function parseUuid(input: string): string {
  let i = 0;
  const s = input;
  let braces = false;
  if (s[0] === '{') {
    braces = true;
    i++;
  }
  let hex = '';
  for (let k = 0; k < 16; k++) {
    const pair = s.slice(i, i + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) throw syntax('uuid', input);
    hex += pair.toLowerCase();
    i += 2;
    if (s[i] === '-' && k % 2 === 1 && k < 15) i++;
  }
  if (braces) {
    if (s[i] !== '}') throw syntax('uuid', input);
    i++;
  }
  if (i !== s.length) throw syntax('uuid', input);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---- bytea ------------------------------------------------------------------------

const HEX = '0123456789abcdef';

/** byteain: '\x' hex format (whitespace between digit pairs) or the escape format. */
export function parseBytea(input: string): Uint8Array {
  if (input[0] === '\\' && input[1] === 'x') {
    const out: number[] = [];
    let i = 2;
    while (i < input.length) {
      const c = input[i]!;
      if (c === ' ' || c === '\n' || c === '\t' || c === '\r') {
        i++;
        continue;
      }
      const hi = HEX.indexOf(c.toLowerCase());
      if (hi < 0) throw new SbError(SqlState.invalid_parameter_value, `invalid hexadecimal digit: "${c}"`);
      const d = input[i + 1];
      if (d === undefined) throw new SbError(SqlState.invalid_parameter_value, 'invalid hexadecimal data: odd number of digits');
      const lo = HEX.indexOf(d.toLowerCase());
      if (lo < 0) throw new SbError(SqlState.invalid_parameter_value, `invalid hexadecimal digit: "${d}"`);
      out.push((hi << 4) | lo);
      i += 2;
    }
    return Uint8Array.from(out);
  }
  const out: number[] = [];
  for (let i = 0; i < input.length; ) {
    const c = input[i]!;
    if (c === '\\') {
      if (input[i + 1] === '\\') {
        out.push(0x5c);
        i += 2;
        continue;
      }
      const oct = input.slice(i + 1, i + 4);
      if (/^[0-3][0-7][0-7]$/.test(oct)) {
        out.push(parseInt(oct, 8));
        i += 4;
        continue;
      }
      throw syntax('bytea', input);
    }
    const cp = input.codePointAt(i)!;
    for (const b of encoder.encode(String.fromCodePoint(cp))) out.push(b);
    i += cp > 0xffff ? 2 : 1;
  }
  return Uint8Array.from(out);
}

/** byteaout: '\x...' (hex) or the escape format. */
export function formatBytea(v: Uint8Array, hex = true): string {
  if (hex) {
    let s = '\\x';
    for (const b of v) s += HEX[b >> 4]! + HEX[b & 15]!;
    return s;
  }
  let s = '';
  for (const b of v) {
    if (b === 0x5c) s += '\\\\';
    else if (b < 0x20 || b > 0x7e) s += '\\' + b.toString(8).padStart(3, '0');
    else s += String.fromCharCode(b);
  }
  return s;
}

// ---- "char" -------------------------------------------------------------------------

/** charin: the first byte of the UTF-8 text, or '\ooo' octal; the value is a 0/1-character string of that byte. */
export function parseChar(input: string): string {
  if (input.length === 4 && /^\\[0-7]{3}$/.test(input)) {
    return String.fromCharCode(parseInt(input.slice(1), 8) & 0xff);
  }
  if (input === '') return '';
  const b = encoder.encode(input.slice(0, 2))[0]!;
  return b === 0 ? '' : String.fromCharCode(b);
}

/** charout: high-bit bytes print as '\ooo'. */
export function formatChar(v: string): string {
  if (v === '') return '';
  const b = v.charCodeAt(0) & 0xff;
  if (b === 0) return '';
  if (b >= 0x80) return '\\' + b.toString(8).padStart(3, '0');
  return String.fromCharCode(b);
}
