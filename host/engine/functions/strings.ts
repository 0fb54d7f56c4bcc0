// String functions and the text concatenation operators: lengths, case,
// substr/substring/overlay/position, trimming and padding, left/right,
// repeat/replace/reverse/translate, split_part, chr/ascii, to_hex,
// starts_with, and their bytea forms where PostgreSQL has them.

import { SbError, SqlState } from '../sb_error.ts';
import { T } from '../types/types.ts';
import type { EvalContext } from './context.ts';
import { invalidParameter } from './errors.ts';
import { big, type Int8 } from './int_math.ts';
import { defFn, defOp, type CallInfo } from './registry.ts';
import { trimBpchar } from '../types/scalar_io.ts';
import { formatText } from '../types/text_io.ts';
import {
  asciiLower,
  asciiUpper,
  charLength,
  charSlice,
  checkNoNul,
  checkResultLength,
  codePoints,
  hasSurrogates,
  initcap,
  octetLength,
} from './text_util.ts';

const TX = T.text;
const I4 = T.int4;

/** Text output of a value for string building (anynonarray || text, concat, format). */
export function valueText(v: unknown, t: import('../types/types.ts').SqlType, ctx: EvalContext): string {
  if (t.id === 'unknown' || typeof v === 'string') return v as string;
  return formatText(t, v, ctx);
}

// ---- concatenation --------------------------------------------------------------

defOp('||', TX, TX, TX, (a, b) => (a as string) + (b as string));
// anytextcat / textanycat are `$1::text || $2` in PostgreSQL: the cast to text, so a boolean is 'true'/'false' (its output is t/f).
const castText = (v: unknown, t: import('../types/types.ts').SqlType, ctx: EvalContext): string =>
  t.id === 'bool' ? (v === true ? 'true' : 'false') : valueText(v, t, ctx);
defOp('||', T.anynonarray, TX, TX, (a, b, ctx, call: CallInfo) => castText(a, call.argTypes[0]!, ctx) + (b as string));
defOp('||', TX, T.anynonarray, TX, (a, b, ctx, call: CallInfo) => (a as string) + castText(b, call.argTypes[1]!, ctx));
defFn('textcat', [TX, TX], TX, ([a, b]) => (a as string) + (b as string));

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
defOp('||', T.bytea, T.bytea, T.bytea, (a, b) => concatBytes(a as Uint8Array, b as Uint8Array));

// ---- lengths --------------------------------------------------------------------

for (const name of ['length', 'char_length', 'character_length']) {
  defFn(name, [TX], I4, ([s]) => charLength(s as string));
  defFn(name, [T.bpchar], I4, ([s]) => charLength(trimBpchar(s as string)));
}
defFn('textlen', [TX], I4, ([s]) => charLength(s as string));
defFn('length', [T.bytea], I4, ([b]) => (b as Uint8Array).length);
defFn('octet_length', [TX], I4, ([s]) => octetLength(s as string));
defFn('octet_length', [T.bpchar], I4, ([s]) => octetLength(s as string));
defFn('octet_length', [T.bytea], I4, ([b]) => (b as Uint8Array).length);
defFn('bit_length', [TX], I4, ([s]) => octetLength(s as string) * 8);
defFn('bit_length', [T.bytea], I4, ([b]) => (b as Uint8Array).length * 8);

// ---- case -----------------------------------------------------------------------

defFn('lower', [TX], TX, ([s]) => asciiLower(s as string));
defFn('upper', [TX], TX, ([s]) => asciiUpper(s as string));
defFn('initcap', [TX], TX, ([s]) => initcap(s as string));

// ---- substrings -----------------------------------------------------------------

function negativeLength(): SbError {
  return new SbError('22011', 'negative substring length not allowed');
}

/** SQL substring(s FROM start [FOR count]) window in 0-based [from, to). */
function substrWindow(start: number, count: number | undefined): [number, number] {
  if (count !== undefined && count < 0) throw negativeLength();
  const from = Math.max(start, 1) - 1;
  const to = count === undefined ? Infinity : Math.max(start + count - 1, 0);
  return [from, Math.max(from, to)];
}

export function textSubstr(s: string, start: number, count?: number): string {
  const [from, to] = substrWindow(start, count);
  return charSlice(s, from, to);
}

function byteaSubstr(b: Uint8Array, start: number, count?: number): Uint8Array {
  const [from, to] = substrWindow(start, count);
  return b.slice(from, to === Infinity ? undefined : to);
}

for (const name of ['substr', 'substring']) {
  defFn(name, [TX, I4], TX, ([s, a]) => textSubstr(s as string, a as number));
  defFn(name, [TX, I4, I4], TX, ([s, a, n]) => textSubstr(s as string, a as number, n as number));
  defFn(name, [T.bytea, I4], T.bytea, ([s, a]) => byteaSubstr(s as Uint8Array, a as number));
  defFn(name, [T.bytea, I4, I4], T.bytea, ([s, a, n]) => byteaSubstr(s as Uint8Array, a as number, n as number));
}

/** 1-based character position of needle in s, 0 when absent (position/strpos). */
export function textPosition(s: string, needle: string): number {
  const i = s.indexOf(needle);
  if (i < 0) return 0;
  return (hasSurrogates(s) ? charLength(s.slice(0, i)) : i) + 1;
}

function bytesIndexOf(h: Uint8Array, n: Uint8Array): number {
  outer: for (let i = 0; i + n.length <= h.length; i++) {
    for (let j = 0; j < n.length; j++) if (h[i + j] !== n[j]) continue outer;
    return i;
  }
  return -1;
}

defFn('position', [TX, TX], I4, ([s, n]) => textPosition(s as string, n as string));
defFn('strpos', [TX, TX], I4, ([s, n]) => textPosition(s as string, n as string));
defFn('position', [T.bytea, T.bytea], I4, ([s, n]) => bytesIndexOf(s as Uint8Array, n as Uint8Array) + 1);

function overlay(s: string, repl: string, start: number, count?: number): string {
  const n = count ?? charLength(repl);
  const sp = start + n;
  if (sp > 2147483647 || sp < -2147483648) throw new SbError(SqlState.numeric_value_out_of_range, 'integer out of range');
  // A start before 1 makes the leading substring's length negative: an error, as in PostgreSQL.
  return textSubstr(s, 1, start - 1) + repl + textSubstr(s, sp);
}

defFn('overlay', [TX, TX, I4, I4], TX, ([s, r, a, n]) => overlay(s as string, r as string, a as number, n as number));
defFn('overlay', [TX, TX, I4], TX, ([s, r, a]) => overlay(s as string, r as string, a as number));
function overlayBytes(s: Uint8Array, r: Uint8Array, start: number, count?: number): Uint8Array {
  const n = count ?? r.length;
  return concatBytes(concatBytes(byteaSubstr(s, 1, start - 1), r), byteaSubstr(s, start + n));
}
defFn('overlay', [T.bytea, T.bytea, I4, I4], T.bytea, ([s, r, a, n]) =>
  overlayBytes(s as Uint8Array, r as Uint8Array, a as number, n as number),
);
defFn('overlay', [T.bytea, T.bytea, I4], T.bytea, ([s, r, a]) => overlayBytes(s as Uint8Array, r as Uint8Array, a as number));

// ---- trimming and padding --------------------------------------------------------

function trim(s: string, chars: string, left: boolean, right: boolean): string {
  const set = new Set(codePoints(chars));
  const cps = codePoints(s);
  let a = 0;
  let b = cps.length;
  if (left) while (a < b && set.has(cps[a]!)) a++;
  if (right) while (b > a && set.has(cps[b - 1]!)) b--;
  return cps.slice(a, b).join('');
}

defFn('btrim', [TX], TX, ([s]) => trim(s as string, ' ', true, true));
defFn('btrim', [TX, TX], TX, ([s, c]) => trim(s as string, c as string, true, true));
defFn('ltrim', [TX], TX, ([s]) => trim(s as string, ' ', true, false));
defFn('ltrim', [TX, TX], TX, ([s, c]) => trim(s as string, c as string, true, false));
defFn('rtrim', [TX], TX, ([s]) => trim(s as string, ' ', false, true));
defFn('rtrim', [TX, TX], TX, ([s, c]) => trim(s as string, c as string, false, true));

function trimBytes(s: Uint8Array, set: Uint8Array, left: boolean, right: boolean): Uint8Array {
  let a = 0;
  let b = s.length;
  if (left) while (a < b && set.includes(s[a]!)) a++;
  if (right) while (b > a && set.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}
defFn('btrim', [T.bytea, T.bytea], T.bytea, ([s, c]) => trimBytes(s as Uint8Array, c as Uint8Array, true, true));
defFn('ltrim', [T.bytea, T.bytea], T.bytea, ([s, c]) => trimBytes(s as Uint8Array, c as Uint8Array, true, false));
defFn('rtrim', [T.bytea, T.bytea], T.bytea, ([s, c]) => trimBytes(s as Uint8Array, c as Uint8Array, false, true));

function pad(s: string, len: number, fill: string, left: boolean): string {
  if (len <= 0) return '';
  // Nothing to pad with: the result is at most the string itself (checked before the size, as lpad does).
  if (fill === '') return charLength(s) > len ? charSlice(s, 0, len) : s;
  checkResultLength(len);
  const slen = charLength(s);
  if (slen >= len) return slen === s.length ? s.slice(0, len) : charSlice(s, 0, len);
  if (fill === '') return s;
  const need = len - slen;
  const flen = charLength(fill);
  checkResultLength(s.length + need * (fill.length / flen));
  // Whole repetitions of the fill, then a prefix of it (by characters).
  const whole = Math.floor(need / flen);
  const rest = need - whole * flen;
  const padding = fill.repeat(whole) + (rest === 0 ? '' : flen === fill.length ? fill.slice(0, rest) : charSlice(fill, 0, rest));
  return left ? padding + s : s + padding;
}

defFn('lpad', [TX, I4], TX, ([s, n]) => pad(s as string, n as number, ' ', true));
defFn('lpad', [TX, I4, TX], TX, ([s, n, f]) => pad(s as string, n as number, f as string, true));
defFn('rpad', [TX, I4], TX, ([s, n]) => pad(s as string, n as number, ' ', false));
defFn('rpad', [TX, I4, TX], TX, ([s, n, f]) => pad(s as string, n as number, f as string, false));

defFn('left', [TX, I4], TX, ([s, n]) => {
  const len = charLength(s as string);
  const k = n as number;
  return charSlice(s as string, 0, k >= 0 ? k : Math.max(len + k, 0));
});
defFn('right', [TX, I4], TX, ([s, n]) => {
  const len = charLength(s as string);
  const k = n as number;
  return charSlice(s as string, k >= 0 ? Math.max(len - k, 0) : Math.min(-k, len));
});

defFn('repeat', [TX, I4], TX, ([s, n]) => {
  const k = n as number;
  if (k <= 0 || (s as string) === '') return '';
  checkResultLength((s as string).length * k);
  return (s as string).repeat(k);
});

defFn('replace', [TX, TX, TX], TX, ([s, from, to]) => {
  if ((from as string) === '') return s;
  return (s as string).split(from as string).join(to as string);
});

defFn('reverse', [TX], TX, ([s]) => codePoints(s as string).reverse().join(''));

defFn('translate', [TX, TX, TX], TX, ([s, from, to]) => {
  const f = codePoints(from as string);
  const t = codePoints(to as string);
  const map = new Map<string, string | null>();
  f.forEach((c, i) => {
    if (!map.has(c)) map.set(c, i < t.length ? t[i]! : null);
  });
  let out = '';
  for (const c of codePoints(s as string)) {
    const m = map.get(c);
    if (m === undefined) out += c;
    else if (m !== null) out += m;
  }
  return out;
});

defFn('split_part', [TX, TX, I4], TX, ([s, delim, n]) => {
  const k = n as number;
  if (k === 0) throw invalidParameter('field position must not be zero');
  const str = s as string;
  const d = delim as string;
  if (str === '') return '';
  if (d === '') return k === 1 || k === -1 ? str : '';
  const parts = str.split(d);
  const idx = k > 0 ? k - 1 : parts.length + k;
  return idx >= 0 && idx < parts.length ? parts[idx]! : '';
});

defFn('starts_with', [TX, TX], T.bool, ([s, p]) => (s as string).startsWith(p as string));
defOp('^@', TX, TX, T.bool, (s, p) => (s as string).startsWith(p as string));

// ---- characters -----------------------------------------------------------------

defFn('chr', [I4], TX, ([n]) => {
  const c = n as number;
  if (c === 0) throw new SbError(SqlState.program_limit_exceeded, 'null character not permitted');
  if (c < 0) throw invalidParameter('character number must be positive');
  if (c > 0x10ffff) throw new SbError(SqlState.program_limit_exceeded, `requested character too large for encoding: ${c}`);
  if (c >= 0xd800 && c <= 0xdfff) throw new SbError(SqlState.program_limit_exceeded, `requested character not valid for encoding: ${c}`);
  return String.fromCodePoint(c);
});

defFn('ascii', [TX], I4, ([s]) => {
  const str = s as string;
  return str === '' ? 0 : str.codePointAt(0)!;
});

defFn('to_hex', [I4], TX, ([n]) => ((n as number) >>> 0).toString(16));
defFn('to_hex', [T.int8], TX, ([n]) => BigInt.asUintN(64, big(n as Int8)).toString(16));

export { checkNoNul };

// ---- unistr / normalize / is_normalized -----------------------------------------

function invalidUnicodeEscape(): SbError {
  return new SbError('22025', 'invalid Unicode escape', {
    hint: 'Unicode escapes must be \\XXXX, \\+XXXXXX, \\uXXXX, or \\UXXXXXXXX.',
  });
}

function hexRun(s: string, at: number, n: number): number {
  if (at + n > s.length) return -1;
  const h = s.slice(at, at + n);
  return /^[0-9A-Fa-f]+$/.test(h) ? parseInt(h, 16) : -1;
}

/** unistr: \XXXX, \+XXXXXX, \uXXXX, \UXXXXXXXX escapes and \\ (PostgreSQL 14+). */
function unistr(s: string): string {
  let out = '';
  let pendingHigh = -1;
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c !== '\\') {
      if (pendingHigh >= 0) throw new SbError('22025', 'invalid Unicode surrogate pair');
      out += c;
      i++;
      continue;
    }
    if (s[i + 1] === '\\') {
      if (pendingHigh >= 0) throw new SbError('22025', 'invalid Unicode surrogate pair');
      out += '\\';
      i += 2;
      continue;
    }
    let cp: number;
    let len: number;
    if (s[i + 1] === 'u') { cp = hexRun(s, i + 2, 4); len = 6; }
    else if (s[i + 1] === 'U') { cp = hexRun(s, i + 2, 8); len = 10; }
    else if (s[i + 1] === '+') { cp = hexRun(s, i + 2, 6); len = 8; }
    else { cp = hexRun(s, i + 1, 4); len = 5; }
    if (cp < 0) throw invalidUnicodeEscape();
    if (cp > 0x10ffff) throw new SbError('22025', 'invalid Unicode code point: ' + cp.toString(16).toUpperCase().padStart(4, '0'));
    i += len;
    if (pendingHigh >= 0) {
      if (cp < 0xdc00 || cp > 0xdfff) throw new SbError('22025', 'invalid Unicode surrogate pair');
      out += String.fromCodePoint(0x10000 + ((pendingHigh - 0xd800) << 10) + (cp - 0xdc00));
      pendingHigh = -1;
    } else if (cp >= 0xd800 && cp <= 0xdbff) {
      pendingHigh = cp;
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
      throw new SbError('22025', 'invalid Unicode surrogate pair');
    } else {
      if (cp === 0) throw new SbError(SqlState.character_not_in_repertoire, 'invalid byte sequence for encoding "UTF8": 0x00');
      out += String.fromCodePoint(cp);
    }
  }
  if (pendingHigh >= 0) throw new SbError('22025', 'invalid Unicode surrogate pair');
  return out;
}
defFn('unistr', [TX], TX, ([s]) => unistr(s as string));

type NormForm = 'NFC' | 'NFD' | 'NFKC' | 'NFKD';
function normForm(f: string): NormForm {
  const k = f.toUpperCase();
  if (k === 'NFC' || k === 'NFD' || k === 'NFKC' || k === 'NFKD') return k;
  throw invalidParameter(`invalid normalization form: ${f}`);
}
defFn('normalize', [TX, TX], TX, ([s, f]) => (s as string).normalize(normForm((f as string | undefined) ?? 'NFC')), { defaults: 1 });
defFn('is_normalized', [TX, TX], T.bool, ([s, f]) => (s as string).normalize(normForm((f as string | undefined) ?? 'NFC')) === s, {
  defaults: 1,
});
