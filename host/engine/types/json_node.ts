// json (not jsonb) documents as parse trees that keep each node's source
// text, key order and duplicate keys: json's operators (-> ->> #> json_each
// ...) return sub-documents verbatim, as PostgreSQL's json functions do with
// the text they scan. nodeToJsonb turns a tree into a jsonb value.

import { SbError, SqlState } from '../sb_error.ts';
import { sortedObject, type JsonValue } from './json_parse.ts';
import { Numeric } from './numeric.ts';

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

/** Parses json text (PostgreSQL's grammar; 22P02 on errors). */
export function parseJsonNode(text: string, typeName: 'json' | 'jsonb' = 'json'): JsonNode {
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

