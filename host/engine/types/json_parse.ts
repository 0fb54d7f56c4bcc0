// The JSON parser behind json_in and jsonb_in: PostgreSQL's grammar and
// lexer rules (numbers as JSON numbers, escapes, control characters must be
// escaped) and its error reports (22P02 "invalid input syntax for type json"
// with a DETAIL; 22P05 for \u0000 in jsonb). json only validates; jsonb
// de-escapes strings (checking surrogate pairs) and keeps numbers as Numeric.

import { SbError, SqlState } from '../sb_error.ts';
import { Numeric } from './numeric.ts';

export type JsonValue = null | boolean | Numeric | string | JsonValue[] | JsonObject;
/** A jsonb object: a Map whose insertion order is jsonb's key order. */
export type JsonObject = Map<string, JsonValue>;

/** Nesting bound (PostgreSQL's check_stack_depth stops deep documents too). */
export const JSON_DEPTH_MAX = 6400;

function syntaxError(detail: string): SbError {
  return new SbError(SqlState.invalid_text_representation, 'invalid input syntax for type json', { detail });
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const TOKEN_RE = /[A-Za-z0-9_+\-.]*/y;

/** Keeps jsonb key order: shorter UTF-8 byte length first, then bytewise (code point order). */
export function compareJsonbKeys(a: string, b: string): number {
  const la = utf8Length(a);
  const lb = utf8Length(b);
  if (la !== lb) return la < lb ? -1 : 1;
  return compareCodePoints(a, b);
}

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Code point order (equals UTF-8 byte order), unlike JS's UTF-16 unit order. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1;
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Sorts an object's pairs into jsonb order (duplicates already resolved). */
export function sortedObject(pairs: Map<string, JsonValue>): JsonObject {
  const keys = [...pairs.keys()].sort(compareJsonbKeys);
  const out: JsonObject = new Map();
  for (const k of keys) out.set(k, pairs.get(k)!);
  return out;
}

class Parser {
  pos = 0;
  depth = 0;
  constructor(
    readonly s: string,
    readonly build: boolean,
  ) {}

  fail(detail: string): never {
    throw syntaxError(detail);
  }

  ws(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else break;
    }
  }

  /** The current token's text for error details. */
  tokenText(): string {
    const c = this.s[this.pos]!;
    if (/[A-Za-z0-9_+\-.]/.test(c)) {
      TOKEN_RE.lastIndex = this.pos;
      const m = TOKEN_RE.exec(this.s)!;
      return m[0];
    }
    return c;
  }

  eof(): never {
    this.fail('The input string ended unexpectedly.');
  }

  value(): JsonValue {
    this.ws();
    const s = this.s;
    if (this.pos >= s.length) this.eof();
    const c = s[this.pos]!;
    switch (c) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return this.string();
      default:
        return this.scalar();
    }
  }

  scalar(): JsonValue {
    const s = this.s;
    const c = s[this.pos]!;
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER_RE.lastIndex = this.pos;
      const m = NUMBER_RE.exec(s);
      TOKEN_RE.lastIndex = this.pos;
      const tok = TOKEN_RE.exec(s)![0];
      if (m === null || m[0].length !== tok.length) this.fail(`Token "${tok}" is invalid.`);
      this.pos += tok.length;
      return this.build ? Numeric.parse(tok) : null;
    }
    if (/[A-Za-z0-9_+\-.]/.test(c)) {
      TOKEN_RE.lastIndex = this.pos;
      const tok = TOKEN_RE.exec(s)![0];
      if (tok === 'true' || tok === 'false' || tok === 'null') {
        this.pos += tok.length;
        return tok === 'null' ? null : tok === 'true';
      }
      this.fail(`Token "${tok}" is invalid.`);
    }
    this.fail(`Expected JSON value, but found "${c}".`);
  }

  enter(): void {
    if (++this.depth > JSON_DEPTH_MAX) {
      throw new SbError(SqlState.statement_too_complex, 'stack depth limit exceeded');
    }
  }

  array(): JsonValue {
    this.enter();
    this.pos++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.pos >= this.s.length) this.eof();
    if (this.s[this.pos] === ']') {
      this.pos++;
      this.depth--;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.ws();
      if (this.pos >= this.s.length) this.eof();
      const c = this.s[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        break;
      }
      this.fail(`Expected "," or "]", but found "${this.tokenText()}".`);
    }
    this.depth--;
    return out;
  }

  object(): JsonValue {
    this.enter();
    this.pos++;
    const pairs = new Map<string, JsonValue>();
    this.ws();
    if (this.pos >= this.s.length) this.eof();
    if (this.s[this.pos] === '}') {
      this.pos++;
      this.depth--;
      return pairs;
    }
    for (;;) {
      this.ws();
      if (this.pos >= this.s.length) this.eof();
      if (this.s[this.pos] !== '"') this.fail(`Expected string, but found "${this.tokenText()}".`);
      const key = this.string() as string;
      this.ws();
      if (this.pos >= this.s.length) this.eof();
      if (this.s[this.pos] !== ':') this.fail(`Expected ":", but found "${this.tokenText()}".`);
      this.pos++;
      const v = this.value();
      if (this.build) {
        pairs.delete(key);
        pairs.set(key, v);
      }
      this.ws();
      if (this.pos >= this.s.length) this.eof();
      const c = this.s[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        break;
      }
      this.fail(`Expected "," or "}", but found "${this.tokenText()}".`);
    }
    this.depth--;
    return this.build ? sortedObject(pairs) : null;
  }

  string(): JsonValue {
    const s = this.s;
    this.pos++;
    let out = '';
    let chunk = this.pos;
    let pendingHigh = -1;
    for (;;) {
      if (this.pos >= s.length) this.eof();
      const code = s.charCodeAt(this.pos);
      if (code === 0x22) {
        if (this.build && pendingHigh >= 0) this.fail('Unicode low surrogate must follow a high surrogate.');
        out += s.slice(chunk, this.pos);
        this.pos++;
        return this.build ? out : '';
      }
      if (code < 0x20) this.fail(`Character with value 0x${code.toString(16).padStart(2, '0')} must be escaped.`);
      if (code !== 0x5c) {
        if (this.build && pendingHigh >= 0) this.fail('Unicode low surrogate must follow a high surrogate.');
        this.pos++;
        continue;
      }
      out += s.slice(chunk, this.pos);
      const e = s[this.pos + 1];
      if (e === undefined) this.eof();
      if (e === 'u') {
        const hex = s.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          if (this.pos + 2 + hex.length >= s.length && /^[0-9a-fA-F]*$/.test(hex)) this.eof();
          this.fail('"\\u" must be followed by four hexadecimal digits.');
        }
        const u = parseInt(hex, 16);
        if (this.build) {
          if (u >= 0xd800 && u <= 0xdbff) {
            if (pendingHigh >= 0) this.fail('Unicode high surrogate must not follow a high surrogate.');
            pendingHigh = u;
          } else if (u >= 0xdc00 && u <= 0xdfff) {
            if (pendingHigh < 0) this.fail('Unicode low surrogate must follow a high surrogate.');
            out += String.fromCharCode(pendingHigh, u);
            pendingHigh = -1;
          } else {
            if (pendingHigh >= 0) this.fail('Unicode low surrogate must follow a high surrogate.');
            if (u === 0) {
              throw new SbError('22P05', 'unsupported Unicode escape sequence', {
                detail: '\\u0000 cannot be converted to text.',
              });
            }
            out += String.fromCharCode(u);
          }
        }
        this.pos += 6;
      } else {
        if (this.build && pendingHigh >= 0) this.fail('Unicode low surrogate must follow a high surrogate.');
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        const r = map[e];
        if (r === undefined) {
          this.pos += 1;
          this.fail(`Escape sequence "\\${e}" is invalid.`);
        }
        out += r;
        this.pos += 2;
      }
      chunk = this.pos;
    }
  }
}

/** Parses a jsonb document (numbers as Numeric, objects key-sorted, last duplicate wins). */
export function parseJsonValue(text: string): JsonValue {
  const p = new Parser(text, true);
  const v = p.value();
  p.ws();
  if (p.pos < text.length) p.fail(`Expected end of input, but found "${p.tokenText()}".`);
  return v;
}

/** Validates json text (json_in): throws 22P02 with PostgreSQL's detail when malformed. */
export function validateJson(text: string): void {
  const p = new Parser(text, false);
  p.value();
  p.ws();
  if (p.pos < text.length) p.fail(`Expected end of input, but found "${p.tokenText()}".`);
}
