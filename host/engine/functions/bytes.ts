// Binary-string functions: md5, sha224/256/384/512, encode/decode (hex,
// base64, escape), get_byte/set_byte, and the session/miscellaneous
// functions that need no catalog: pg_typeof, gen_random_uuid,
// current_setting/set_config, txid_current, num_nulls/num_nonnulls.

import { SbError, SqlState } from '../sb_error.ts';
import { T, typeOid } from '../types/types.ts';
import { md5, sha224, sha256, sha384, sha512 } from './digest.ts';
import { arraySubscriptError, invalidParameter } from './errors.ts';
import { defFn } from './registry.ts';
import { hexDigit, utf8Bytes } from './text_util.ts';

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
