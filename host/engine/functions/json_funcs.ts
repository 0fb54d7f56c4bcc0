// json/jsonb functions: to_json(b), array_to_json, row_to_json, the
// json(b)_build_* and json(b)_object constructors, typeof, array length,
// strip_nulls, jsonb_pretty, jsonb_set/jsonb_insert, and the set-returning
// json(b)_array_elements(_text), json(b)_each(_text), json(b)_object_keys.

import { SbError, SqlState } from '../sb_error.ts';
import { arrayOf, recordOf, T, type SqlType } from '../types/types.ts';
import type { EvalContext } from './context.ts';
import { arraySubscriptError, invalidParameter } from './errors.ts';
import { arrayToJsonText, recordToJsonText, toJsonbValue, toJsonText } from './json_convert.ts';
import { jsonNodeText } from './json_ops.ts';
import { defFn, defSrf } from './registry.ts';
import { isJsonObject, Jsonb, jsonToText as jsonbToText, jsonTypeName, quoteJsonString, type JsonValue } from '../types/jsonb.ts';
import { sortedObject } from '../types/json_parse.ts';
import { parseJsonNode as parseJson, type JsonNode } from '../types/json_node.ts';
import { SqlArray } from '../types/array.ts';
import { valueText } from './strings.ts';

const J = T.json;
const JB = T.jsonb;
const TX = T.text;
const TEXT_ARRAY = arrayOf(TX);
const jv = (x: unknown): JsonValue => (x as Jsonb).value;

// ---- conversions ---------------------------------------------------------------------

const stable = { volatility: 's' as const };
defFn('to_json', [T.anyelement], J, ([v], ctx, call) => toJsonText(v, call.argTypes[0]!, ctx), stable);
defFn('to_jsonb', [T.anyelement], JB, ([v], ctx, call) => new Jsonb(toJsonbValue(v, call.argTypes[0]!, ctx)), stable);
defFn('array_to_json', [T.anyarray], J, ([a], ctx, call) => arrayToJsonText(a as SqlArray, call.argTypes[0]!.elem!, ctx), stable);
defFn('array_to_json', [T.anyarray, T.bool], J, ([a, p], ctx, call) => arrayToJsonText(a as SqlArray, call.argTypes[0]!.elem!, ctx, p === true), stable);
defFn('row_to_json', [T.record], J, ([r], ctx, call) => recordToJsonText(r as unknown[], call.argTypes[0]!, ctx), stable);
defFn('row_to_json', [T.record, T.bool], J, ([r, p], ctx, call) => recordToJsonText(r as unknown[], call.argTypes[0]!, ctx, p === true), stable);

// ---- builders ------------------------------------------------------------------------------

function isStructured(t: SqlType): boolean {
  return t.id === 'array' || t.id === 'record' || t.id === 'json' || t.id === 'jsonb';
}

function objectKey(v: unknown, t: SqlType, pos: number, ctx: EvalContext): string {
  if (v === null) throw invalidParameter(`argument ${pos} cannot be null`, { hint: 'Object keys should be text.' });
  if (isStructured(t)) throw invalidParameter('key value must be scalar, not array, composite, or json');
  return valueText(v, t, ctx);
}

function checkEven(args: unknown[], fn: string): void {
  if (args.length % 2 !== 0) {
    throw invalidParameter('argument list must have even number of elements', {
      hint: `The arguments of ${fn}() must consist of alternating keys and values.`,
    });
  }
}

defFn('json_build_object', [], J, (args, ctx, call) => {
  checkEven(args, 'json_build_object');
  const parts: string[] = [];
  for (let i = 0; i < args.length; i += 2) {
    const key = objectKey(args[i], call.argTypes[i]!, i + 1, ctx);
    parts.push(`${quoteJsonString(key)} : ${toJsonText(args[i + 1], call.argTypes[i + 1]!, ctx)}`);
  }
  return '{' + parts.join(', ') + '}';
}, { variadic: T.any, strict: false, volatility: 's' });
defFn('json_build_object', [], J, () => '{}', { volatility: 's' });

defFn('jsonb_build_object', [], JB, (args, ctx, call) => {
  checkEven(args, 'jsonb_build_object');
  const m = new Map<string, JsonValue>();
  for (let i = 0; i < args.length; i += 2) {
    m.set(objectKey(args[i], call.argTypes[i]!, i + 1, ctx), toJsonbValue(args[i + 1], call.argTypes[i + 1]!, ctx));
  }
  return new Jsonb(sortedObject(m));
}, { variadic: T.any, strict: false, volatility: 's' });
defFn('jsonb_build_object', [], JB, () => new Jsonb(new Map()), { volatility: 's' });

defFn('json_build_array', [], J, (args, ctx, call) => '[' + args.map((v, i) => toJsonText(v, call.argTypes[i]!, ctx)).join(', ') + ']', {
  variadic: T.any,
  strict: false,
  volatility: 's',
});
defFn('json_build_array', [], J, () => '[]', { volatility: 's' });
defFn('jsonb_build_array', [], JB, (args, ctx, call) => new Jsonb(args.map((v, i) => toJsonbValue(v, call.argTypes[i]!, ctx))), {
  variadic: T.any,
  strict: false,
  volatility: 's',
});
defFn('jsonb_build_array', [], JB, () => new Jsonb([]), { volatility: 's' });

/** json_object(text[]) pairs: a flat even array or a two-column array. */
function objectPairs(a: SqlArray): Array<[string, string | null]> {
  if (a.ndims === 0) return [];
  if (a.ndims === 1) {
    if (a.values.length % 2 !== 0) throw arraySubscriptError('array must have even number of elements');
  } else if (a.ndims !== 2 || a.dims[1] !== 2) {
    throw arraySubscriptError('array must have two columns');
  }
  const out: Array<[string, string | null]> = [];
  for (let i = 0; i < a.values.length; i += 2) {
    if (a.values[i] === null) throw new SbError(SqlState.null_value_not_allowed, 'null value not allowed for object key');
    out.push([a.values[i] as string, a.values[i + 1] as string | null]);
  }
  return out;
}

function keyValuePairs(k: SqlArray, v: SqlArray): Array<[string, string | null]> {
  if (k.ndims > 1 || v.ndims > 1) throw arraySubscriptError('wrong number of array subscripts');
  if (k.values.length !== v.values.length) throw arraySubscriptError('mismatched array dimensions');
  return k.values.map((key, i) => {
    if (key === null) throw new SbError(SqlState.null_value_not_allowed, 'null value not allowed for object key');
    return [key as string, v.values[i] as string | null];
  });
}

const jsonObjectText = (pairs: Array<[string, string | null]>): string =>
  '{' + pairs.map(([k, v]) => `${quoteJsonString(k)} : ${v === null ? 'null' : quoteJsonString(v)}`).join(', ') + '}';
const jsonbObject = (pairs: Array<[string, string | null]>): Jsonb => new Jsonb(sortedObject(new Map(pairs.map(([k, v]) => [k, v]))));

defFn('json_object', [TEXT_ARRAY], J, ([a]) => jsonObjectText(objectPairs(a as SqlArray)));
defFn('json_object', [TEXT_ARRAY, TEXT_ARRAY], J, ([k, v]) => jsonObjectText(keyValuePairs(k as SqlArray, v as SqlArray)));
defFn('jsonb_object', [TEXT_ARRAY], JB, ([a]) => jsonbObject(objectPairs(a as SqlArray)));
defFn('jsonb_object', [TEXT_ARRAY, TEXT_ARRAY], JB, ([k, v]) => jsonbObject(keyValuePairs(k as SqlArray, v as SqlArray)));

// ---- inspection -------------------------------------------------------------------------------

function nodeTypeName(n: JsonNode): string {
  return { null: 'null', bool: 'boolean', num: 'number', str: 'string', arr: 'array', obj: 'object' }[n.t];
}

defFn('json_typeof', [J], TX, ([j]) => nodeTypeName(parseJson(j as string)));
defFn('jsonb_typeof', [JB], TX, ([j]) => jsonTypeName(jv(j)));

defFn('json_array_length', [J], T.int4, ([j]) => {
  const n = parseJson(j as string);
  if (n.t === 'arr') return n.items.length;
  throw invalidParameter(n.t === 'obj' ? 'cannot get array length of a non-array' : 'cannot get array length of a scalar');
});
defFn('jsonb_array_length', [JB], T.int4, ([j]) => {
  const v = jv(j);
  if (Array.isArray(v)) return v.length;
  throw invalidParameter(isJsonObject(v) ? 'cannot get array length of a non-array' : 'cannot get array length of a scalar');
});

function stripNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (isJsonObject(v)) {
    const m = new Map<string, JsonValue>();
    for (const [k, x] of v) if (x !== null) m.set(k, stripNulls(x));
    return m;
  }
  return v;
}
defFn('jsonb_strip_nulls', [JB], JB, ([j]) => new Jsonb(stripNulls(jv(j))));

/** Compact json text of a parsed node with object members that are null removed. */
function stripNullsText(n: JsonNode): string {
  if (n.t === 'arr') return '[' + n.items.map(stripNullsText).join(',') + ']';
  if (n.t === 'obj') {
    const parts: string[] = [];
    n.keys.forEach((k, i) => {
      if (n.vals[i]!.t !== 'null') parts.push(quoteJsonString(k) + ':' + stripNullsText(n.vals[i]!));
    });
    return '{' + parts.join(',') + '}';
  }
  return n.raw;
}
defFn('json_strip_nulls', [J], J, ([j]) => stripNullsText(parseJson(j as string)));

function pretty(v: JsonValue, indent: string): string {
  const inner = indent + '    ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[\n' + indent + ']';
    return '[\n' + v.map((x) => inner + pretty(x, inner)).join(',\n') + '\n' + indent + ']';
  }
  if (isJsonObject(v)) {
    if (v.size === 0) return '{\n' + indent + '}';
    const parts = [...v].map(([k, x]) => inner + quoteJsonString(k) + ': ' + pretty(x, inner));
    return '{\n' + parts.join(',\n') + '\n' + indent + '}';
  }
  return jsonbToText(v);
}
defFn('jsonb_pretty', [JB], TX, ([j]) => pretty(jv(j), ''));

// ---- jsonb_set / jsonb_insert ----------------------------------------------------------------

function pathElem(p: unknown, level: number): string {
  if (p === null) throw new SbError(SqlState.null_value_not_allowed, `path element at position ${level + 1} is null`);
  return p as string;
}

function arrayPos(key: string, level: number): number {
  if (!/^\s*[+-]?\d+\s*$/.test(key)) {
    throw new SbError(SqlState.invalid_text_representation, `path element at position ${level + 1} is not an integer: "${key}"`);
  }
  return Number(key);
}

/** Sets (or inserts before/after) the value at a path: jsonb_set / jsonb_insert semantics. */
function setPath(v: JsonValue, path: unknown[], level: number, newVal: JsonValue, mode: 'set' | 'before' | 'after', create: boolean): JsonValue {
  const key = pathElem(path[level], level);
  const last = level === path.length - 1;
  if (isJsonObject(v)) {
    const m = new Map(v);
    if (last) {
      if (v.has(key)) {
        if (mode !== 'set') {
          throw invalidParameter('cannot replace existing key', { hint: 'Try using the function jsonb_set to replace key value.' });
        }
        m.set(key, newVal);
      } else if (create) m.set(key, newVal);
      return sortedObject(m);
    }
    const child = v.get(key);
    if (child === undefined) return v;
    m.set(key, setPath(child, path, level + 1, newVal, mode, create));
    return m;
  }
  if (Array.isArray(v)) {
    let idx = arrayPos(key, level);
    if (idx < 0) idx = v.length + idx < 0 ? -1 : v.length + idx;
    const out = v.slice();
    if (last) {
      if (idx < 0) {
        if (create || mode !== 'set') out.unshift(newVal);
      } else if (idx >= v.length) {
        if (create || mode !== 'set') out.push(newVal);
      } else if (mode === 'set') out[idx] = newVal;
      else out.splice(mode === 'after' ? idx + 1 : idx, 0, newVal);
      return out;
    }
    if (idx < 0 || idx >= v.length) return v;
    out[idx] = setPath(v[idx]!, path, level + 1, newVal, mode, create);
    return out;
  }
  return v;
}

function jsonbSetOrInsert(target: unknown, path: unknown, val: unknown, mode: 'set' | 'before' | 'after', create: boolean, fn: string): Jsonb {
  const v = jv(target);
  const p = (path as SqlArray).values;
  if (!isJsonObject(v) && !Array.isArray(v)) throw invalidParameter(fn === 'jsonb_set' ? 'cannot set path in scalar' : 'cannot set path in scalar');
  if (p.length === 0) return target as Jsonb;
  // jsonb_set on an empty document without create_if_missing returns it before reading the path.
  if (mode === 'set' && !create && (isJsonObject(v) ? v.size === 0 : (v as JsonValue[]).length === 0)) return target as Jsonb;
  return new Jsonb(setPath(v, p, 0, jv(val), mode, create));
}

// ---- subscripted assignment: UPDATE t SET j['a'][0] = v ------------------------------------

const INTEGER_STEP = /^\s*[+-]?\d+\s*$/;

/**
 * PostgreSQL's jsonb_set_element (JB_PATH_CREATE_OR_INSERT | FILL_GAPS |
 * CONSISTENT_POSITION): missing keys and levels are created (an integer step
 * makes an array), arrays are padded with nulls up to the index, a negative
 * index before the start is 22023, and a scalar on the way is 22023.
 */
function assignPath(cur: JsonValue, path: string[], level: number, value: JsonValue): JsonValue {
  if (level === path.length) return value;
  const step = path[level]!;
  if (isJsonObject(cur)) {
    const m = new Map(cur);
    const child = cur.get(step);
    m.set(step, child === undefined ? createPath(path, level + 1, value) : descend(child, path, level + 1, value));
    return sortedObject(m);
  }
  if (Array.isArray(cur)) {
    const out = cur.slice();
    const idx = arrayIndexForAssign(step, level, out.length);
    if (idx >= out.length) {
      while (out.length < idx) out.push(null);
      out.push(createPath(path, level + 1, value));
    } else out[idx] = descend(out[idx]!, path, level + 1, value);
    return out;
  }
  throw scalarOnPath();
}

function descend(child: JsonValue, path: string[], level: number, value: JsonValue): JsonValue {
  if (level < path.length && !isJsonObject(child) && !Array.isArray(child)) throw scalarOnPath();
  return assignPath(child, path, level, value);
}

function createPath(path: string[], level: number, value: JsonValue): JsonValue {
  if (level === path.length) return value;
  return assignPath(INTEGER_STEP.test(path[level]!) ? [] : new Map(), path, level, value);
}

function arrayIndexForAssign(step: string, level: number, length: number): number {
  const idx = arrayPos(step, level);
  if (idx >= 0) return idx;
  if (-idx > length) throw invalidParameter(`path element at position ${level + 1} is out of range: ${idx}`);
  return length + idx;
}

function scalarOnPath(): SbError {
  return invalidParameter('cannot replace existing key', { detail: 'The path assumes key is a composite object, but it is a scalar value.' });
}

/**
 * The body of sb_jsonb_assign(doc, value, first_is_integer, VARIADIC path),
 * the binder's rewrite of j[...] = v (registered by bind/array_assign.ts).
 */
export function jsonbAssign(args: unknown[]): Jsonb {
  const path = args.slice(3) as Array<string | null>;
  if (path.some((p) => p === null)) throw new SbError(SqlState.null_value_not_allowed, 'jsonb subscript in assignment must not be null');
  const value: JsonValue = args[1] === null ? null : jv(args[1]);
  // A NULL document starts as an empty array or object, after the first subscript's type.
  const doc: JsonValue = args[0] === null ? (args[2] === true ? [] : new Map()) : jv(args[0]);
  if (!isJsonObject(doc) && !Array.isArray(doc)) throw scalarOnPath();
  return new Jsonb(assignPath(doc, path as string[], 0, value));
}

defFn('jsonb_set', [JB, TEXT_ARRAY, JB, T.bool], JB, ([t, p, v, c]) => jsonbSetOrInsert(t, p, v, 'set', c !== false, 'jsonb_set'), { defaults: 1 });
defFn('jsonb_insert', [JB, TEXT_ARRAY, JB, T.bool], JB, ([t, p, v, after]) =>
  jsonbSetOrInsert(t, p, v, after === true ? 'after' : 'before', true, 'jsonb_insert'),
{ defaults: 1 });

// ---- set-returning ----------------------------------------------------------------------------

function nodeArray(j: string, fn: string): JsonNode[] {
  const n = parseJson(j);
  if (n.t !== 'arr') throw invalidParameter(n.t === 'obj' ? `cannot extract elements from an object` : 'cannot extract elements from a scalar');
  void fn;
  return n.items;
}
function nodeObject(j: string, fn: string): JsonNode & { t: 'obj' } {
  const n = parseJson(j);
  if (n.t !== 'obj') throw invalidParameter(`cannot call ${fn} on ${n.t === 'arr' ? 'an array' : 'a non-object'}`);
  return n;
}
function jbArray(v: JsonValue): JsonValue[] {
  if (!Array.isArray(v)) throw invalidParameter(isJsonObject(v) ? 'cannot extract elements from an object' : 'cannot extract elements from a scalar');
  return v;
}
function jbObject(v: JsonValue, fn: string): Map<string, JsonValue> {
  if (!isJsonObject(v)) throw invalidParameter(`cannot call ${fn} on ${Array.isArray(v) ? 'an array' : 'a scalar'}`);
  return v;
}

defSrf('json_array_elements', [J], J, ([j]) => nodeArray(j as string, 'json_array_elements').map((n) => n.raw), { columns: [{ name: 'value', type: J }] });
defSrf('json_array_elements_text', [J], TX, ([j]) => nodeArray(j as string, 'json_array_elements_text').map(jsonNodeText), {
  columns: [{ name: 'value', type: TX }],
});
defSrf('jsonb_array_elements', [JB], JB, ([j]) => jbArray(jv(j)).map((x) => new Jsonb(x)), { columns: [{ name: 'value', type: JB }] });
defSrf('jsonb_array_elements_text', [JB], TX, ([j]) => jbArray(jv(j)).map((x) => (x === null ? null : typeof x === 'string' ? x : jsonbToText(x))), {
  columns: [{ name: 'value', type: TX }],
});

const EACH = [{ name: 'key', type: TX }];
defSrf('json_each', [J], recordOf([TX, J]), ([j]) => {
  const o = nodeObject(j as string, 'json_each');
  return o.keys.map((k, i) => [k, o.vals[i]!.raw]);
}, { columns: [...EACH, { name: 'value', type: J }] });
defSrf('json_each_text', [J], recordOf([TX, TX]), ([j]) => {
  const o = nodeObject(j as string, 'json_each_text');
  return o.keys.map((k, i) => [k, jsonNodeText(o.vals[i]!)]);
}, { columns: [...EACH, { name: 'value', type: TX }] });
defSrf('jsonb_each', [JB], recordOf([TX, JB]), ([j]) => [...jbObject(jv(j), 'jsonb_each')].map(([k, v]) => [k, new Jsonb(v)]), {
  columns: [...EACH, { name: 'value', type: JB }],
});
defSrf('jsonb_each_text', [JB], recordOf([TX, TX]), ([j]) =>
  [...jbObject(jv(j), 'jsonb_each_text')].map(([k, v]) => [k, v === null ? null : typeof v === 'string' ? v : jsonbToText(v)]),
{ columns: [...EACH, { name: 'value', type: TX }] });
defSrf('json_object_keys', [J], TX, ([j]) => nodeObject(j as string, 'json_object_keys').keys);
defSrf('jsonb_object_keys', [JB], TX, ([j]) => [...jbObject(jv(j), 'jsonb_object_keys').keys()]);
