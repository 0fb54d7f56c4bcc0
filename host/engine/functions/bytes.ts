// Binary-string functions: md5, sha224/256/384/512, encode/decode (hex,
// base64, escape), get_byte/set_byte, and the session/miscellaneous
// functions that need no catalog: pg_typeof, gen_random_uuid,
// current_setting/set_config, txid_current, num_nulls/num_nonnulls.

import { SbError, SqlState } from '../sb_error.ts';
import { T, typeOid } from '../types/types.ts';
import { md5, sha224, sha256, sha384, sha512 } from './digest.ts';
import { arraySubscriptError, invalidParameter } from './errors.ts';
import { defFn } from './registry.ts';
import { hexDigit, utf8Bytes, utf8Decode } from './text_util.ts';

const TX = T.text;
const BA = T.bytea;

defFn('md5', [TX], TX, ([s]) => md5(s as string));
defFn('md5', [BA], TX, ([b]) => md5(b as Uint8Array));
defFn('sha224', [BA], BA, ([b]) => sha224(b as Uint8Array));
defFn('sha256', [BA], BA, ([b]) => sha256(b as Uint8Array));
defFn('sha384', [BA], BA, ([b]) => sha384(b as Uint8Array));
defFn('sha512', [BA], BA, ([b]) => sha512(b as Uint8Array));

// ---- encode / decode -----------------------------------------------------------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function base64Encode(b: Uint8Array): string {
  let out = '';
  let line = 0;
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    const chunk =
      B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + (i + 1 < b.length ? B64[(n >> 6) & 63]! : '=') + (i + 2 < b.length ? B64[n & 63]! : '=');
    if (line === 76) {
      out += '\n';
      line = 0;
    }
    out += chunk;
    line += 4;
  }
  return out;
}

function base64Decode(s: string): Uint8Array {
  const out: number[] = [];
  let buf = 0;
  let bits = 0;
  let pad = 0;
  let n = 0;
  for (const c of s) {
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (c === '=') {
      pad++;
      n++;
      continue;
    }
    const v = B64.indexOf(c);
    if (v < 0) throw invalidParameter(`invalid symbol "${c}" found while decoding base64 sequence`);
    if (pad > 0) throw invalidParameter('invalid base64 end sequence', { hint: 'Input data is missing padding, is truncated, or is otherwise corrupted.' });
    buf = (buf << 6) | v;
    bits += 6;
    n++;
    if (bits >= 8) {
      bits -= 8;
      out.push((buf >> bits) & 0xff);
    }
  }
  if (n % 4 !== 0 || pad > 2) {
    throw invalidParameter('invalid base64 end sequence', { hint: 'Input data is missing padding, is truncated, or is otherwise corrupted.' });
  }
  return Uint8Array.from(out);
}

function hexEncode(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += (x < 16 ? '0' : '') + x.toString(16);
  return s;
}

function hexDecode(s: string): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    const hi = hexDigit(s.charCodeAt(i));
    if (hi < 0) throw invalidParameter(`invalid hexadecimal digit: "${c}"`);
    if (i + 1 >= s.length) throw invalidParameter('invalid hexadecimal data: odd number of digits');
    const lo = hexDigit(s.charCodeAt(i + 1));
    if (lo < 0) throw invalidParameter(`invalid hexadecimal digit: "${s[i + 1]}"`);
    out.push(hi * 16 + lo);
    i += 2;
  }
  return Uint8Array.from(out);
}

function escapeEncode(b: Uint8Array): string {
  let s = '';
  for (const x of b) {
    if (x === 92) s += '\\\\';
    else if (x === 0 || x >= 0x80) s += '\\' + x.toString(8).padStart(3, '0');
    else s += String.fromCharCode(x);
  }
  return s;
}

function escapeDecode(s: string): Uint8Array {
  const bytes = utf8Bytes(s);
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c !== 92) {
      out.push(c);
      continue;
    }
    if (bytes[i + 1] === 92) {
      out.push(92);
      i++;
    } else if (
      i + 3 < bytes.length + 0 &&
      bytes[i + 1]! >= 48 && bytes[i + 1]! <= 51 &&
      bytes[i + 2]! >= 48 && bytes[i + 2]! <= 55 &&
      bytes[i + 3]! >= 48 && bytes[i + 3]! <= 55
    ) {
      out.push((bytes[i + 1]! - 48) * 64 + (bytes[i + 2]! - 48) * 8 + (bytes[i + 3]! - 48));
      i += 3;
    } else {
      throw new SbError(SqlState.invalid_text_representation, 'invalid input syntax for type bytea');
    }
  }
  return Uint8Array.from(out);
}

function unknownEncoding(name: string): SbError {
  return invalidParameter(`unrecognized encoding: "${name}"`);
}

defFn('encode', [BA, TX], TX, ([b, f]) => {
  const bytes = b as Uint8Array;
  switch ((f as string).toLowerCase()) {
    case 'hex':
      return hexEncode(bytes);
    case 'base64':
      return base64Encode(bytes);
    case 'escape':
      return escapeEncode(bytes);
    default:
      throw unknownEncoding(f as string);
  }
});

defFn('decode', [TX, TX], BA, ([s, f]) => {
  switch ((f as string).toLowerCase()) {
    case 'hex':
      return hexDecode(s as string);
    case 'base64':
      return base64Decode(s as string);
    case 'escape':
      return escapeDecode(s as string);
    default:
      throw unknownEncoding(f as string);
  }
});

defFn('get_byte', [BA, T.int4], T.int4, ([b, n]) => {
  const bytes = b as Uint8Array;
  const i = n as number;
  if (i < 0 || i >= bytes.length) throw arraySubscriptError(`index ${i} out of valid range, 0..${bytes.length - 1}`);
  return bytes[i]!;
});
defFn('set_byte', [BA, T.int4, T.int4], BA, ([b, n, v]) => {
  const bytes = (b as Uint8Array).slice();
  const i = n as number;
  if (i < 0 || i >= bytes.length) throw arraySubscriptError(`index ${i} out of valid range, 0..${bytes.length - 1}`);
  bytes[i] = (v as number) & 0xff;
  return bytes;
});

// get_bit / set_bit: bit n is bit (n % 8), least significant first, of byte n / 8.
function bitIndex(bytes: Uint8Array, n: number | bigint): number {
  const i = Number(n);
  const bits = bytes.length * 8;
  if (i < 0 || i >= bits) throw arraySubscriptError(`index ${String(n)} out of valid range, 0..${bits - 1}`);
  return i;
}
defFn('get_bit', [BA, T.int8], T.int4, ([b, n]) => {
  const bytes = b as Uint8Array;
  const i = bitIndex(bytes, n as number | bigint);
  return (bytes[i >> 3]! >> (i & 7)) & 1;
});
defFn('set_bit', [BA, T.int8, T.int4], BA, ([b, n, v]) => {
  const bytes = (b as Uint8Array).slice();
  const i = bitIndex(bytes, n as number | bigint);
  if (v !== 0 && v !== 1) throw invalidParameter('new bit must be 0 or 1');
  if (v === 1) bytes[i >> 3] = bytes[i >> 3]! | (1 << (i & 7));
  else bytes[i >> 3] = bytes[i >> 3]! & ~(1 << (i & 7));
  return bytes;
});

// ---- convert_from / convert_to / convert ------------------------------------------
// The database encoding is UTF8. Encoding names are matched as PostgreSQL's
// pg_char_to_encoding does (lower-cased, non-alphanumerics dropped, its alias
// table). Conversions are real for UTF8, SQL_ASCII and LATIN1; any other known
// encoding converts ASCII-only data (identical bytes) and raises 0A000 otherwise.

const ENC_ALIASES: Record<string, string> = {
  abc: 'WIN1258', alt: 'WIN866', big5: 'BIG5', euccn: 'EUC_CN', eucjis2004: 'EUC_JIS_2004', eucjp: 'EUC_JP',
  euckr: 'EUC_KR', euctw: 'EUC_TW', gb18030: 'GB18030', gbk: 'GBK', iso88591: 'LATIN1', iso885910: 'LATIN6',
  iso885913: 'LATIN7', iso885914: 'LATIN8', iso885915: 'LATIN9', iso885916: 'LATIN10', iso88592: 'LATIN2',
  iso88593: 'LATIN3', iso88594: 'LATIN4', iso88595: 'ISO_8859_5', iso88596: 'ISO_8859_6', iso88597: 'ISO_8859_7',
  iso88598: 'ISO_8859_8', iso88599: 'LATIN5', johab: 'JOHAB', koi8: 'KOI8R', koi8r: 'KOI8R', koi8u: 'KOI8U',
  latin1: 'LATIN1', latin2: 'LATIN2', latin3: 'LATIN3', latin4: 'LATIN4', latin5: 'LATIN5', latin6: 'LATIN6',
  latin7: 'LATIN7', latin8: 'LATIN8', latin9: 'LATIN9', latin10: 'LATIN10', mskanji: 'SJIS', muleinternal: 'MULE_INTERNAL',
  shiftjis: 'SJIS', shiftjis2004: 'SHIFT_JIS_2004', sjis: 'SJIS', sqlascii: 'SQL_ASCII', tcvn: 'WIN1258',
  tcvn5712: 'WIN1258', uhc: 'UHC', unicode: 'UTF8', utf8: 'UTF8', vscii: 'WIN1258', win: 'WIN1251',
  win1250: 'WIN1250', win1251: 'WIN1251', win1252: 'WIN1252', win1253: 'WIN1253', win1254: 'WIN1254',
  win1255: 'WIN1255', win1256: 'WIN1256', win1257: 'WIN1257', win1258: 'WIN1258', win866: 'WIN866', win874: 'WIN874',
  win932: 'SJIS', win936: 'GBK', win949: 'UHC', win950: 'BIG5', windows1250: 'WIN1250', windows1251: 'WIN1251',
  windows1252: 'WIN1252', windows1253: 'WIN1253', windows1254: 'WIN1254', windows1255: 'WIN1255',
  windows1256: 'WIN1256', windows1257: 'WIN1257', windows1258: 'WIN1258', windows866: 'WIN866', windows874: 'WIN874',
  windows932: 'SJIS', windows936: 'GBK', windows949: 'UHC', windows950: 'BIG5',
};

function encodingOf(name: string, role: 'source' | 'destination'): string {
  const enc = ENC_ALIASES[name.toLowerCase().replace(/[^a-z0-9]/g, '')];
  if (enc === undefined) throw invalidParameter(`invalid ${role} encoding name "${name}"`);
  return enc;
}

function badSequence(enc: string, bytes: Uint8Array, at: number, n: number): SbError {
  const hex: string[] = [];
  for (let i = at; i < bytes.length && i < at + Math.max(n, 1); i++) hex.push('0x' + bytes[i]!.toString(16).padStart(2, '0'));
  return new SbError(SqlState.character_not_in_repertoire, `invalid byte sequence for encoding "${enc}": ${hex.join(' ')}`);
}

/** Length of the valid UTF-8 sequence at i, or 0 when it is invalid (or NUL). */
function utf8SeqLen(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c === 0) return 0;
  if (c < 0x80) return 1;
  let n: number;
  let min: number;
  if ((c & 0xe0) === 0xc0) { n = 2; min = 0x80; }
  else if ((c & 0xf0) === 0xe0) { n = 3; min = 0x800; }
  else if ((c & 0xf8) === 0xf0) { n = 4; min = 0x10000; }
  else return 0;
  if (i + n > b.length) return 0;
  let cp = c & (0xff >> (n + 1));
  for (let k = 1; k < n; k++) {
    const d = b[i + k]!;
    if ((d & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (d & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

/** pg_verify_mbstr: 22021 when the bytes are not valid in `enc` (NUL is never valid). */
function verifyEncoding(bytes: Uint8Array, enc: string): void {
  for (let i = 0; i < bytes.length; ) {
    if (enc === 'UTF8') {
      const n = utf8SeqLen(bytes, i);
      if (n === 0) {
        const c = bytes[i]!;
        const want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        throw badSequence(enc, bytes, i, want);
      }
      i += n;
    } else {
      if (bytes[i] === 0) throw badSequence(enc, bytes, i, 1);
      i++;
    }
  }
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

/** pg_convert: verifies the source bytes, then converts them (SQL_ASCII on either side passes them through). */
function convertBytes(bytes: Uint8Array, src: string, dest: string): Uint8Array {
  verifyEncoding(bytes, src);
  if (src === dest || dest === 'SQL_ASCII') return bytes;
  if (src === 'SQL_ASCII') {
    verifyEncoding(bytes, dest);
    return bytes;
  }
  if (isAscii(bytes)) return bytes;
  if (src === 'LATIN1' && dest === 'UTF8') {
    let s = '';
    for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
    return utf8Bytes(s);
  }
  if (src === 'UTF8' && dest === 'LATIN1') {
    const out = new Uint8Array(bytes.length);
    let n = 0;
    for (let i = 0; i < bytes.length; ) {
      const len = utf8SeqLen(bytes, i);
      const ch = utf8Decode(bytes.subarray(i, i + len));
      const cp = ch.codePointAt(0)!;
      if (cp > 0xff) {
        const hex = Array.from(bytes.subarray(i, i + len), (x) => '0x' + x.toString(16).padStart(2, '0')).join(' ');
        throw new SbError('22P05', `character with byte sequence ${hex} in encoding "UTF8" has no equivalent in encoding "LATIN1"`);
      }
      out[n++] = cp;
      i += len;
    }
    return out.slice(0, n);
  }
  throw new SbError(SqlState.feature_not_supported, `conversion between ${src} and ${dest} is not supported yet`);
}

defFn('convert_from', [BA, TX], TX, ([b, e]) => utf8Decode(convertBytes(b as Uint8Array, encodingOf(e as string, 'source'), 'UTF8')), {
  oidArgs: ['bytea', 'name'],
});
defFn('convert_to', [TX, TX], BA, ([s, e]) => convertBytes(utf8Bytes(s as string), 'UTF8', encodingOf(e as string, 'destination')), {
  oidArgs: ['text', 'name'],
});
defFn('convert', [BA, TX, TX], BA, ([b, f, t]) => {
  const from = encodingOf(f as string, 'source');
  const to = encodingOf(t as string, 'destination');
  return convertBytes(b as Uint8Array, from, to);
}, { oidArgs: ['bytea', 'name', 'name'] });

// ---- miscellaneous -----------------------------------------------------------------

/** pg_typeof returns regtype: the type's OID (regtype output prints its name). */
defFn('pg_typeof', [T.any], T.regtype, (_a, _ctx, call) => typeOid(call.argTypes[0]!), {
  strict: false,
  volatility: 's',
});

defFn('gen_random_uuid', [], T.uuid, (_a, ctx) => {
  const b = ctx.randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = hexEncode(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}, { volatility: 'v' });

function unknownSetting(name: string): SbError {
  return new SbError(SqlState.undefined_object, `unrecognized configuration parameter "${name}"`);
}

defFn('current_setting', [TX], TX, ([n], ctx) => {
  const v = ctx.setting(n as string);
  if (v === undefined) throw unknownSetting(n as string);
  return v;
}, { volatility: 's' });
defFn('current_setting', [TX, T.bool], TX, ([n, missingOk], ctx) => {
  const v = ctx.setting(n as string);
  if (v === undefined) {
    if (missingOk === true) return null;
    throw unknownSetting(n as string);
  }
  return v;
}, { volatility: 's' });
defFn('set_config', [TX, TX, T.bool], TX, ([n, v, local], ctx) => {
  if (n === null) throw new SbError(SqlState.null_value_not_allowed, 'SET requires parameter name');
  return ctx.setSetting(n as string, (v as string | null) ?? '', local === true);
}, { strict: false, volatility: 'v' });

defFn('txid_current', [], T.int8, (_a, ctx) => ctx.currentXactId(), { volatility: 's' });
defFn('txid_current_if_assigned', [], T.int8, (_a, ctx) => ctx.currentXactIdIfAssigned?.() ?? null, { volatility: 's' });

defFn('num_nulls', [], T.int4, (args) => args.filter((a) => a === null).length, { variadic: T.any, strict: false });
defFn('num_nonnulls', [], T.int4, (args) => args.filter((a) => a !== null).length, { variadic: T.any, strict: false });
