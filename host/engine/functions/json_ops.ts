// json/jsonb operators (-> ->> #> #>> @> <@ ? ?| ?& || - #-) and the
// path/extraction helpers they share with the json functions. json values
// are texts: they are parsed per call and sub-documents are returned as the
// exact source text, as PostgreSQL does.

import { SbError, SqlState } from '../sb_error.ts';
import { arrayOf, T } from '../types/types.ts';
import { invalidParameter } from './errors.ts';
import { defFn, defOp } from './registry.ts';
import { equalValues } from '../types/compare.ts';
import { isJsonObject, Jsonb, jsonToText as jsonbToText, type JsonValue } from '../types/jsonb.ts';
import { sortedObject } from '../types/json_parse.ts';
import { parseJsonNode as parseJson, type JsonNode } from '../types/json_node.ts';
import { SqlArray } from '../types/array.ts';

const J = T.json;
const JB = T.jsonb;
const TX = T.text;
const I4 = T.int4;
const TEXT_ARRAY = arrayOf(TX);

// ---- json (text) navigation --------------------------------------------------------

export function jsonField(node: JsonNode, key: string): JsonNode | null {
  if (node.t !== 'obj') return null;
  for (let i = node.keys.length - 1; i >= 0; i--) if (node.keys[i] === key) return node.vals[i]!;
  return null;
}

export function jsonIndex(node: JsonNode, idx: number): JsonNode | null {
  if (node.t !== 'arr') return null;
  const i = idx < 0 ? node.items.length + idx : idx;
  return i >= 0 && i < node.items.length ? node.items[i]! : null;
}

/** Array index text of a path element (PostgreSQL accepts optional sign and digits). */
function pathIndex(s: string): number | undefined {
  return /^\s*[+-]?\d+\s*$/.test(s) ? Number(s) : undefined;
}

export function jsonPath(node: JsonNode, path: SqlArray): JsonNode | null {
  let cur: JsonNode | null = node;
  for (const p of path.values) {
    if (cur === null || p === null) return null;
    if (cur.t === 'obj') cur = jsonField(cur, p as string);
    else if (cur.t === 'arr') {
      const i = pathIndex(p as string);
      cur = i === undefined ? null : jsonIndex(cur, i);
    } else return null;
  }
  return cur;
}

/** ->> semantics: strings unquoted, JSON null as SQL NULL, others as their text. */
export function jsonNodeText(n: JsonNode | null): string | null {
  if (n === null || n.t === 'null') return null;
  return n.t === 'str' ? n.v : n.raw;
}

defOp('->', J, TX, J, (j, k) => jsonField(parseJson(j as string), k as string)?.raw ?? null);
defOp('->', J, I4, J, (j, i) => jsonIndex(parseJson(j as string), i as number)?.raw ?? null);
defOp('->>', J, TX, TX, (j, k) => jsonNodeText(jsonField(parseJson(j as string), k as string)));
defOp('->>', J, I4, TX, (j, i) => jsonNodeText(jsonIndex(parseJson(j as string), i as number)));
defOp('#>', J, TEXT_ARRAY, J, (j, p) => jsonPath(parseJson(j as string), p as SqlArray)?.raw ?? null);
defOp('#>>', J, TEXT_ARRAY, TX, (j, p) => jsonNodeText(jsonPath(parseJson(j as string), p as SqlArray)));

// ---- jsonb navigation -----------------------------------------------------------------

export function jsonbField(v: JsonValue, key: string): JsonValue | undefined {
  return isJsonObject(v) ? v.get(key) : undefined;
}

/** An array element; a scalar document is PostgreSQL's one-element "raw scalar" array (index 0 or -1 finds it). */
export function jsonbIndex(v: JsonValue, idx: number): JsonValue | undefined {
  if (isJsonObject(v)) return undefined;
  if (!Array.isArray(v)) return idx === 0 || idx === -1 ? v : undefined;
  const i = idx < 0 ? v.length + idx : idx;
  return i >= 0 && i < v.length ? v[i] : undefined;
}

export function jsonbPath(v: JsonValue, path: SqlArray): JsonValue | undefined {
  let cur: JsonValue | undefined = v;
  for (const p of path.values) {
    if (cur === undefined || p === null) return undefined;
    if (isJsonObject(cur)) cur = cur.get(p as string);
    else {
      // Arrays index by position; a scalar (even a top-level raw scalar) has no path steps (PostgreSQL's jsonb_get_element).
      if (!Array.isArray(cur)) return undefined;
      const i = pathIndex(p as string);
      cur = i === undefined ? undefined : jsonbIndex(cur, i);
    }
  }
  return cur;
}

export function jsonbText(v: JsonValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : jsonbToText(v);
}

const wrap = (v: JsonValue | undefined): Jsonb | null => (v === undefined ? null : new Jsonb(v));
const jv = (x: unknown): JsonValue => (x as Jsonb).value;

defOp('->', JB, TX, JB, (j, k) => wrap(jsonbField(jv(j), k as string)));
defOp('->', JB, I4, JB, (j, i) => wrap(jsonbIndex(jv(j), i as number)));
defOp('->>', JB, TX, TX, (j, k) => jsonbText(jsonbField(jv(j), k as string)));
defOp('->>', JB, I4, TX, (j, i) => jsonbText(jsonbIndex(jv(j), i as number)));
defOp('#>', JB, TEXT_ARRAY, JB, (j, p) => wrap(jsonbPath(jv(j), p as SqlArray)));
defOp('#>>', JB, TEXT_ARRAY, TX, (j, p) => jsonbText(jsonbPath(jv(j), p as SqlArray)));

for (const [fn, textResult] of [['json_extract_path', false], ['json_extract_path_text', true]] as const) {
  defFn(fn, [J], textResult ? TX : J, (args) => {
    if (args[0] === null) return null;
    const n = jsonPath(parseJson(args[0] as string), SqlArray.of(TX, args.slice(1)));
    return textResult ? jsonNodeText(n) : (n?.raw ?? null);
  }, { variadic: TX });
}
for (const [fn, textResult] of [['jsonb_extract_path', false], ['jsonb_extract_path_text', true]] as const) {
  defFn(fn, [JB], textResult ? TX : JB, (args) => {
    if (args[0] === null) return null;
    const v = jsonbPath(jv(args[0]), SqlArray.of(TX, args.slice(1)));
    return textResult ? jsonbText(v) : wrap(v);
  }, { variadic: TX });
}

// ---- containment and existence --------------------------------------------------------

function scalarEqual(a: JsonValue, b: JsonValue): boolean {
  return equalValues(JB, new Jsonb(a), new Jsonb(b));
}

/** a @> b, with PostgreSQL's rules (an array contains a scalar it holds at top level). */
export function jsonbContains(a: JsonValue, b: JsonValue, top = true): boolean {
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    for (const [k, bv] of b) {
      const av = a.get(k);
      if (av === undefined) return false;
      if (isJsonObject(bv) || Array.isArray(bv)) {
        if (!jsonbContains(av, bv, false)) return false;
      } else if (isJsonObject(av) || Array.isArray(av) || !scalarEqual(av, bv)) return false;
    }
    return true;
  }
  if (Array.isArray(a)) {
    if (isJsonObject(b)) return false;
    const items = Array.isArray(b) ? b : top ? [b] : null;
    if (items === null) return false;
    return items.every((bv) => {
      if (isJsonObject(bv)) return a.some((av) => isJsonObject(av) && jsonbContains(av, bv, false));
      if (Array.isArray(bv)) return a.some((av) => Array.isArray(av) && jsonbContains(av, bv, false));
      return a.some((av) => !isJsonObject(av) && !Array.isArray(av) && scalarEqual(av, bv));
    });
  }
  if (isJsonObject(b) || Array.isArray(b)) return false;
  return scalarEqual(a, b);
}

defOp('@>', JB, JB, T.bool, (a, b) => jsonbContains(jv(a), jv(b)), { commutator: '<@' });
defOp('<@', JB, JB, T.bool, (a, b) => jsonbContains(jv(b), jv(a)), { commutator: '@>' });

function exists(v: JsonValue, key: string): boolean {
  if (isJsonObject(v)) return v.has(key);
  if (Array.isArray(v)) return v.some((x) => x === key);
  return v === key;
}

defOp('?', JB, TX, T.bool, (j, k) => exists(jv(j), k as string));
defOp('?|', JB, TEXT_ARRAY, T.bool, (j, ks) => (ks as SqlArray).values.some((k) => k !== null && exists(jv(j), k as string)));
defOp('?&', JB, TEXT_ARRAY, T.bool, (j, ks) => (ks as SqlArray).values.every((k) => k === null || exists(jv(j), k as string)));

// ---- modification ----------------------------------------------------------------------

export function jsonbConcat(a: JsonValue, b: JsonValue): JsonValue {
  if (isJsonObject(a) && isJsonObject(b)) {
    const m = new Map(a);
    for (const [k, v] of b) m.set(k, v);
    return sortedObject(m);
  }
  const la = Array.isArray(a) ? a : [a];
  const lb = Array.isArray(b) ? b : [b];
  return [...la, ...lb];
}

defOp('||', JB, JB, JB, (a, b) => new Jsonb(jsonbConcat(jv(a), jv(b))));

function cannotDelete(what: string): Error {
  return invalidParameter(what);
}

function deleteKeys(v: JsonValue, keys: Array<string | null>): JsonValue {
  if (isJsonObject(v)) {
    const m = new Map(v);
    for (const k of keys) if (k !== null) m.delete(k);
    return m;
  }
  if (Array.isArray(v)) return v.filter((x) => !(typeof x === 'string' && keys.includes(x)));
  throw cannotDelete('cannot delete from scalar');
}

defOp('-', JB, TX, JB, (j, k) => new Jsonb(deleteKeys(jv(j), [k as string])));
defOp('-', JB, TEXT_ARRAY, JB, (j, ks) => new Jsonb(deleteKeys(jv(j), (ks as SqlArray).values as Array<string | null>)));
defOp('-', JB, I4, JB, (j, i) => {
  const v = jv(j);
  if (isJsonObject(v)) throw cannotDelete('cannot delete from object using integer index');
  if (!Array.isArray(v)) throw cannotDelete('cannot delete from scalar');
  const idx = (i as number) < 0 ? v.length + (i as number) : (i as number);
  return new Jsonb(v.filter((_, k) => k !== idx));
});

/** Deletes the element at a path (#-). */
export function jsonbDeletePath(v: JsonValue, path: Array<string | null>, level = 0): JsonValue {
  if (level === 0 && !isJsonObject(v) && !Array.isArray(v)) throw cannotDelete('cannot delete path in scalar');
  // An empty document is returned before the path is looked at (jsonb_delete_path).
  if (level === 0 && (isJsonObject(v) ? v.size === 0 : (v as JsonValue[]).length === 0)) return v;
  if (path.length === 0) return v;
  const key = path[level];
  if (key === null) throw new SbError(SqlState.null_value_not_allowed, `path element at position ${level + 1} is null`);
  const last = level === path.length - 1;
  if (isJsonObject(v)) {
    if (!v.has(key!)) return v;
    const m = new Map(v);
    if (last) m.delete(key!);
    else m.set(key!, jsonbDeletePath(v.get(key!)!, path, level + 1));
    return m;
  }
  if (Array.isArray(v)) {
    const i = pathIndex(key!);
    if (i === undefined) throw new SbError(SqlState.invalid_text_representation, `path element at position ${level + 1} is not an integer: "${key}"`);
    const idx = i < 0 ? v.length + i : i;
    if (idx < 0 || idx >= v.length) return v;
    const out = v.slice();
    if (last) out.splice(idx, 1);
    else out[idx] = jsonbDeletePath(v[idx]!, path, level + 1);
    return out;
  }
  return v;
}

defOp('#-', JB, TEXT_ARRAY, JB, (j, p) => new Jsonb(jsonbDeletePath(jv(j), (p as SqlArray).values as Array<string | null>)));
