// bit(n) and bit varying(n) (PostgreSQL's varbit.c). A value is a JS string
// of '0' and '1' characters, one per bit: ordering by code points is
// PostgreSQL's bit_cmp (bitwise, then a shorter string first), storage and
// keys take it as text, and the text output is the value itself. The typmod
// is the declared length (bit without one means bit(1) in a type name, but a
// B'...' literal or a cast result keeps any length).

import { SbError, SqlState } from '../sb_error.ts';

const BINARY = /^[01]*$/;

function invalidDigit(ch: string, hex: boolean): SbError {
  return new SbError(SqlState.invalid_text_representation, `"${ch}" is not a valid ${hex ? 'hexadecimal' : 'binary'} digit`);
}

/** Bits from hexadecimal digits, four per digit. */
export function bitsFromHex(hex: string): string {
  let out = '';
  for (const ch of hex) {
    const d = parseInt(ch, 16);
    if (!/[0-9a-fA-F]/.test(ch) || Number.isNaN(d)) throw invalidDigit(ch, true);
    out += d.toString(2).padStart(4, '0');
  }
  return out;
}

/** bit_in / varbit_in: '0101', 'B0101' or 'X5' (a leading b or x chooses the radix). */
export function parseBits(s: string, typmod: number, varying: boolean): string {
  let bits: string;
  if (s[0] === 'x' || s[0] === 'X') bits = bitsFromHex(s.slice(1));
  else {
    const body = s[0] === 'b' || s[0] === 'B' ? s.slice(1) : s;
    if (!BINARY.test(body)) {
      const bad = [...body].find((c) => c !== '0' && c !== '1')!;
      throw invalidDigit(bad, false);
    }
    bits = body;
  }
  return applyBitTypmod(bits, typmod, varying, false);
}

/**
 * bit(n) / varbit(n) length coercion: bit(n) pads or cuts on the right when
 * explicit and is 22026 otherwise; varbit(n) cuts when explicit and is 22001
 * otherwise.
 */
export function applyBitTypmod(bits: string, typmod: number, varying: boolean, explicit: boolean): string {
  if (typmod <= 0) return bits;
  if (varying) {
    if (bits.length <= typmod) return bits;
    if (explicit) return bits.slice(0, typmod);
    throw new SbError(SqlState.string_data_right_truncation, `bit string too long for type bit varying(${typmod})`);
  }
  if (bits.length === typmod) return bits;
  if (explicit) return bits.length > typmod ? bits.slice(0, typmod) : bits.padEnd(typmod, '0');
  throw new SbError('22026', `bit string length ${bits.length} does not match type bit(${typmod})`);
}

/** int4 / int8 to bit(n): the low n bits of the two's complement, sign-extended past 32 / 64. */
export function bitsFromInt(v: number | bigint, width: 32 | 64, typmod: number): string {
  const n = typmod <= 0 ? 1 : typmod;
  const big = BigInt.asUintN(width, BigInt(v));
  const full = big.toString(2).padStart(width, '0');
  if (n <= width) return full.slice(width - n);
  return full[0]!.repeat(n - width) + full;
}

/** bit to int4 / int8: at most 32 / 64 bits (22003), read as two's complement of that width. */
export function intFromBits(bits: string, width: 32 | 64): number | bigint {
  if (bits.length > width) throw new SbError(SqlState.numeric_value_out_of_range, width === 32 ? 'integer out of range' : 'bigint out of range');
  if (bits.length === 0) return width === 32 ? 0 : 0;
  const u = BigInt('0b' + bits);
  const s = BigInt.asIntN(width, u);
  return width === 32 ? Number(s) : Number.isSafeInteger(Number(s)) ? Number(s) : s;
}

/** &, |, # on bit strings of one length (22026 otherwise, as PostgreSQL). */
export function bitwise(op: '&' | '|' | '#', a: string, b: string): string {
  if (a.length !== b.length) {
    const verb = op === '&' ? 'AND' : op === '|' ? 'OR' : 'XOR';
    throw new SbError('22026', `cannot ${verb} bit strings of different sizes`);
  }
  let out = '';
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i) === 49;
    const y = b.charCodeAt(i) === 49;
    out += (op === '&' ? x && y : op === '|' ? x || y : x !== y) ? '1' : '0';
  }
  return out;
}

export function bitNot(a: string): string {
  let out = '';
  for (let i = 0; i < a.length; i++) out += a.charCodeAt(i) === 49 ? '0' : '1';
  return out;
}

/** << and >>: the length stays, vacated bits are 0; a negative count shifts the other way. */
export function bitShift(a: string, n: number, left: boolean): string {
  if (n < 0) return bitShift(a, n === -2147483648 ? 2147483647 : -n, !left);
  const len = a.length;
  if (n >= len) return '0'.repeat(len);
  return left ? a.slice(n) + '0'.repeat(n) : '0'.repeat(n) + a.slice(0, len - n);
}

/** substring(bits FROM s [FOR l]) with SQL's rules (1-based, clipped; a negative length is 22011). */
export function bitSubstring(a: string, start: number, length?: number): string {
  let e: number;
  if (length === undefined) e = a.length + 1;
  else {
    if (length < 0) throw new SbError('22011', 'negative substring length not allowed');
    e = start + length;
  }
  const s1 = Math.max(start, 1);
  const e1 = Math.min(e, a.length + 1);
  if (s1 > a.length || e1 <= s1) return '';
  return a.slice(s1 - 1, e1 - 1);
}

/** overlay(bits PLACING sub FROM s [FOR l]). */
export function bitOverlay(a: string, sub: string, start: number, length = sub.length): string {
  if (start <= 0) throw new SbError('22011', 'negative substring length not allowed');
  const sp = start + length;
  if (sp > 2147483647 || sp < -2147483648) throw new SbError(SqlState.numeric_value_out_of_range, 'integer out of range');
  return bitSubstring(a, 1, start - 1) + sub + bitSubstring(a, sp);
}

/** position(sub IN bits): 1-based, 0 when absent; an empty pattern is found at 1 unless the string is empty. */
export function bitPosition(a: string, sub: string): number {
  if (a.length === 0 || sub.length > a.length) return 0;
  if (sub.length === 0) return 1;
  return a.indexOf(sub) + 1;
}

function bitIndexError(n: number, len: number): SbError {
  return new SbError('2202E', `bit index ${n} out of valid range (0..${len - 1})`);
}

export function getBit(a: string, n: number): number {
  if (n < 0 || n >= a.length) throw bitIndexError(n, a.length);
  return a.charCodeAt(n) === 49 ? 1 : 0;
}

export function setBit(a: string, n: number, v: number): string {
  if (n < 0 || n >= a.length) throw bitIndexError(n, a.length);
  if (v !== 0 && v !== 1) throw new SbError(SqlState.invalid_parameter_value, 'new bit must be 0 or 1');
  return a.slice(0, n) + String(v) + a.slice(n + 1);
}

export function bitCount(a: string): number {
  let c = 0;
  for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) === 49) c++;
  return c;
}

/** bit_send / varbit_send: int4 bit count, then the bits packed MSB first, the last byte padded with 0. */
export function bitsToBytes(a: string): Uint8Array {
  const out = new Uint8Array(4 + Math.ceil(a.length / 8));
  new DataView(out.buffer).setInt32(0, a.length, false);
  for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) === 49) out[4 + (i >> 3)]! |= 0x80 >> (i & 7);
  return out;
}

export function bitsFromBytes(b: Uint8Array): string {
  if (b.length < 4) throw new SbError(SqlState.invalid_binary_representation, 'insufficient data left in message');
  const n = new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(0, false);
  if (n < 0 || 4 + Math.ceil(n / 8) !== b.length) {
    throw new SbError(SqlState.invalid_binary_representation, 'invalid length in external bit string');
  }
  let out = '';
  for (let i = 0; i < n; i++) out += b[4 + (i >> 3)]! & (0x80 >> (i & 7)) ? '1' : '0';
  return out;
}
