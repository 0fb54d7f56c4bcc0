// TODO(types): the json/jsonb value model, parser and text output, here until
// host/engine/types has its jsonb module.
//
// jsonb: a Jsonb wraps a JsonValue where numbers are Numeric (PostgreSQL
// keeps their scale: '1.50'::jsonb prints 1.50), objects are Maps whose
// insertion order is jsonb's key order (shorter keys first, then bytewise)
// with duplicates resolved to the last value. json: the text as given; the
// parser below keeps each node's source text so -> can return it verbatim.

import { SbError, SqlState } from '../../sb_error.ts';
import { Numeric } from '../../types/numeric.ts';

export type JsonValue = null | boolean | Numeric | string | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

export class Jsonb {
  constructor(readonly value: JsonValue) {}
  toString(): string {
    return jsonbToText(this.value);
  }
}

export function isJsonObject(v: JsonValue): v is JsonObject {
  return v instanceof Map;
}

/** A parsed json document node with its source text. */
export type JsonNode =
  | { t: 'null'; raw: string }
  | { t: 'bool'; v: boolean; raw: string }
  | { t: 'num'; v: Numeric; raw: string }
  | { t: 'str'; v: string; raw: string }
  | { t: 'arr'; items: JsonNode[]; raw: string }
  | { t: 'obj'; keys: string[]; vals: JsonNode[]; raw: string };

function syntaxError(text: string, detail: string, typeName: string): SbError {
  return new SbError(SqlState.invalid_text_representation, `invalid input syntax for type ${typeName}`, {
    detail,
    hint: undefined,
  });
  void text;
}

/** Key order of jsonb objects: length first, then bytes (UTF-8) — code points agree with bytes. */
export function compareJsonbKeys(a: string, b: string): number {
  const la = utf8Length(a);
  const lb = utf8Length(b);
  if (la !== lb) return la - lb;
  return compareCodePoints(a, b);
}

export function utf8Length(s: string): number {
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

export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort after the BMP in code point order.
    if (x >= 0xd800 && x <= 0xdfff) x += 0x2000;
    else if (x >= 0xe000) x -= 0x800;
    if (y >= 0xd800 && y <= 0xdfff) y += 0x2000;
    else if (y >= 0xe000) y -= 0x800;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Parses json text (PostgreSQL's grammar; 22P02 on errors). */
export function parseJson(text: string, typeName: 'json' | 'jsonb' = 'json'): JsonNode {
  let i = 0;
  const n = text.length;
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const fail = (what: string): never => {
    const tok = i >= n ? 'end of input' : `Token "${text.slice(i, i + 1)}"`;
    throw syntaxError(text, `${tok} is invalid.${what ? ' ' + what : ''}`, typeName);
  };
  const parseString = (): string => {
    i++; // opening quote
    let out = '';
    let start = i;
    for (;;) {
      if (i >= n) fail('');
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c < 32) {
        throw syntaxError(text, `Character with value 0x${c.toString(16).padStart(2, '0')} must be escaped.`, typeName);
      }
      if (c === 92) {
        out += text.slice(start, i);
        const e = text[i + 1];
        i += 2;
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = text.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw syntaxError(text, '"\\u" must be followed by four hexadecimal digits.', typeName);
            const code = parseInt(hex, 16);
            i += 4;
            if (code === 0 && typeName === 'jsonb') {
              throw new SbError('22P05', 'unsupported Unicode escape sequence', { detail: '\\u0000 cannot be converted to text.' });
            }
            out += String.fromCharCode(code);
            break;
          }
          default:
            throw syntaxError(text, `Escape sequence "\\${e ?? ''}" is invalid.`, typeName);
        }
        start = i;
        continue;
      }
      i++;
    }
  };
  const parseValue = (depth: number): JsonNode => {
    if (depth > 6400) throw new SbError(SqlState.statement_too_complex, 'stack depth limit exceeded');
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      const keys: string[] = [];
      const vals: JsonNode[] = [];
      ws();
      if (text[i] === '}') i++;
      else
        for (;;) {
          ws();
          if (text[i] !== '"') fail('Expected string or "}", but found ' + (i >= n ? 'end of input' : `"${text[i]}"`) + '.');
          keys.push(parseString());
          ws();
          if (text[i] !== ':') fail('Expected ":".');
          i++;
          vals.push(parseValue(depth + 1));
          ws();
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] === '}') {
            i++;
            break;
          }
          fail('Expected "," or "}".');
        }
      return { t: 'obj', keys, vals, raw: text.slice(start, i) };
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      ws();
      if (text[i] === ']') i++;
      else
        for (;;) {
          items.push(parseValue(depth + 1));
          ws();
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] === ']') {
            i++;
            break;
          }
          fail('Expected "," or "]".');
        }
      return { t: 'arr', items, raw: text.slice(start, i) };
    }
    if (c === '"') {
      const v = parseString();
      return { t: 'str', v, raw: text.slice(start, i) };
    }
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 1100));
    if (m !== null && m[0].length > 0 && m[0] !== '-') {
      i += m[0].length;
      if (i < n && /[A-Za-z0-9_.]/.test(text[i]!)) fail('');
      return { t: 'num', v: Numeric.parse(m[0]), raw: m[0] };
    }
    for (const [word, node] of [
      ['true', { t: 'bool', v: true, raw: 'true' }],
      ['false', { t: 'bool', v: false, raw: 'false' }],
      ['null', { t: 'null', raw: 'null' }],
    ] as const) {
      if (text.startsWith(word, i) && !/[A-Za-z0-9_]/.test(text[i + word.length] ?? '')) {
        i += word.length;
        return node as JsonNode;
      }
    }
    return fail('');
  };
  const v = parseValue(0);
  ws();
  if (i < n) fail('Expected end of input, but found "' + text[i] + '".');
  return v;
}

/** jsonb value of a parsed node: keys sorted, duplicates resolved to the last. */
export function nodeToJsonb(node: JsonNode): JsonValue {
  switch (node.t) {
    case 'null':
      return null;
    case 'bool':
    case 'num':
    case 'str':
      return node.v;
    case 'arr':
      return node.items.map(nodeToJsonb);
    case 'obj': {
      const pairs = new Map<string, JsonValue>();
      for (let k = 0; k < node.keys.length; k++) pairs.set(node.keys[k]!, nodeToJsonb(node.vals[k]!));
      return sortedObject(pairs);
    }
  }
}

/** An object with keys in jsonb order. */
export function sortedObject(pairs: Map<string, JsonValue>): JsonObject {
  const keys = [...pairs.keys()].sort(compareJsonbKeys);
  const out: JsonObject = new Map();
  for (const k of keys) out.set(k, pairs.get(k)!);
  return out;
}

export function parseJsonb(text: string): Jsonb {
  return new Jsonb(nodeToJsonb(parseJson(text, 'jsonb')));
}

/** Quotes a string as a JSON string literal (escape_json). */
export function quoteJsonString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c !== 34 && c !== 92) continue;
    out += s.slice(start, i);
    start = i + 1;
    switch (c) {
      case 34:
        out += '\\"';
        break;
      case 92:
        out += '\\\\';
        break;
      case 8:
        out += '\\b';
        break;
      case 12:
        out += '\\f';
        break;
      case 10:
        out += '\\n';
        break;
      case 13:
        out += '\\r';
        break;
      case 9:
        out += '\\t';
        break;
      default:
        out += '\\u' + c.toString(16).padStart(4, '0');
    }
  }
  return out + s.slice(start) + '"';
}

/** jsonb_out: ", " between elements and ": " after keys. */
export function jsonbToText(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return quoteJsonString(v);
  if (v instanceof Numeric) return v.toString();
  if (Array.isArray(v)) return '[' + v.map(jsonbToText).join(', ') + ']';
  const parts: string[] = [];
  for (const [k, x] of v) parts.push(quoteJsonString(k) + ': ' + jsonbToText(x));
  return '{' + parts.join(', ') + '}';
}

/** jsonb_typeof names. */
export function jsonTypeName(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (v instanceof Numeric) return 'number';
  if (Array.isArray(v)) return 'array';
  return 'object';
}
