// jsonb values and the primitives behind its operators (-> ->> #> #>> @> <@
// ? ?| ?& ||) and its btree order, as PostgreSQL defines them. A Jsonb wraps
// a JsonValue (json_parse.ts): numbers are Numeric (scale kept: 1.50 prints
// 1.50), objects are Maps in jsonb key order (shorter keys first, then
// bytewise) with the last duplicate kept.

import { Numeric } from './numeric.ts';
import {
  compareCodePoints, compareJsonbKeys, parseJsonValue, sortedObject, validateJson, type JsonObject, type JsonValue,
} from './json_parse.ts';

export type { JsonObject, JsonValue };
export { compareJsonbKeys, validateJson };

export class Jsonb {
  constructor(readonly value: JsonValue) {}

  /** jsonb_in */
  static parse(text: string): Jsonb {
    return new Jsonb(parseJsonValue(text));
  }

  /** jsonb_out */
  toString(): string {
    return jsonToText(this.value);
  }
}

export function isJsonObject(v: JsonValue): v is JsonObject {
  return v instanceof Map;
}

export function isJsonScalar(v: JsonValue): boolean {
  return !(v instanceof Map) && !Array.isArray(v);
}

/** escape_json: quotes and escapes as PostgreSQL prints JSON strings. */
export function quoteJsonString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c === 0x22) rep = '\\"';
    else if (c === 0x5c) rep = '\\\\';
    else if (c < 0x20) {
      switch (c) {
        case 0x08:
          rep = '\\b';
          break;
        case 0x0c:
          rep = '\\f';
          break;
        case 0x0a:
          rep = '\\n';
          break;
        case 0x0d:
          rep = '\\r';
          break;
        case 0x09:
          rep = '\\t';
          break;
        default:
          rep = '\\u' + c.toString(16).padStart(4, '0');
      }
    }
    if (rep !== undefined) {
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

/** jsonb text output: `{"a": 1, "b": [1, 2]}`. */
export function jsonToText(v: JsonValue): string {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'string') return quoteJsonString(v);
  if (v instanceof Numeric) return v.toString();
  if (Array.isArray(v)) return '[' + v.map(jsonToText).join(', ') + ']';
  const parts: string[] = [];
  for (const [k, x] of v) parts.push(quoteJsonString(k) + ': ' + jsonToText(x));
  return '{' + parts.join(', ') + '}';
}

/** The jsonb type name jsonb_typeof reports. */
export function jsonTypeName(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (v instanceof Numeric) return 'number';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

// ---- comparison (compareJsonbContainers) ----------------------------------------

/** Type rank: null < string < number < boolean < array < object. */
function rank(v: JsonValue): number {
  if (v === null) return 0;
  if (typeof v === 'string') return 1;
  if (v instanceof Numeric) return 2;
  if (typeof v === 'boolean') return 3;
  if (Array.isArray(v)) return 4;
  return 5;
}

function compareScalars(a: JsonValue, b: JsonValue): number {
  if (a === null) return 0;
  if (typeof a === 'string') return compareCodePoints(a, b as string);
  if (a instanceof Numeric) return a.cmp(b as Numeric);
  return a === b ? 0 : a ? 1 : -1;
}

function compareInner(a: JsonValue, b: JsonValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (Array.isArray(a)) {
    const bb = b as JsonValue[];
    if (a.length !== bb.length) return a.length > bb.length ? 1 : -1;
    for (let i = 0; i < a.length; i++) {
      const c = compareInner(a[i]!, bb[i]!);
      if (c !== 0) return c;
    }
    return 0;
  }
  if (a instanceof Map) {
    const bm = b as JsonObject;
    if (a.size !== bm.size) return a.size > bm.size ? 1 : -1;
    const ea = [...a];
    const eb = [...bm];
    for (let i = 0; i < ea.length; i++) {
      const kc = compareCodePoints(ea[i]![0], eb[i]![0]);
      if (kc !== 0) return kc;
      const vc = compareInner(ea[i]![1], eb[i]![1]);
      if (vc !== 0) return vc;
    }
    return 0;
  }
  return compareScalars(a, b);
}

/**
 * jsonb btree order. A top-level scalar is a one-element "raw scalar" array
 * in PostgreSQL: it sorts before a real array of the same length, and
 * element count decides between arrays first ('1' > '[]').
 */
export function compareJsonb(a: JsonValue, b: JsonValue): number {
  const sa = isJsonScalar(a);
  const sb = isJsonScalar(b);
  if (sa && sb) return compareInner(a, b);
  // Same element count: the raw scalar pseudo-array sorts first; else the longer one is greater.
  if (sa && Array.isArray(b)) return b.length === 1 ? -1 : 1 > b.length ? 1 : -1;
  if (sb && Array.isArray(a)) return a.length === 1 ? 1 : a.length > 1 ? 1 : -1;
  if (sa) return -1; // raw scalar (array) vs object
  if (sb) return 1;
  return compareInner(a, b);
}

export function equalJsonb(a: JsonValue, b: JsonValue): boolean {
  return compareJsonb(a, b) === 0;
}

// ---- access operators ----------------------------------------------------------------

/** jsonb -> text (object field) / jsonb -> int (array element, negative from the end). */
export function jsonbGet(v: JsonValue, key: string | number): JsonValue | undefined {
  if (typeof key === 'string') {
    if (!(v instanceof Map)) return undefined;
    return v.get(key);
  }
  if (v instanceof Map) return undefined;
  // A top-level scalar is a one-element "raw scalar" array to integer subscripts.
  const arr = Array.isArray(v) ? v : [v];
  const i = key < 0 ? arr.length + key : key;
  if (i < 0 || i >= arr.length) return undefined;
  return arr[i];
}

/** jsonb #> text[]: path extraction (array steps must parse as integers). */
export function jsonbGetPath(v: JsonValue, path: readonly (string | null)[]): JsonValue | undefined {
  let cur: JsonValue | undefined = v;
  let depth = 0;
  for (const step of path) {
    if (cur === undefined || step === null) return undefined;
    if (cur instanceof Map) cur = cur.get(step);
    else if (Array.isArray(cur) || depth === 0) {
      if (!/^[ \t\n\r\v\f]*[+-]?\d+$/.test(step)) return undefined;
      const n = parseInt(step, 10);
      if (n > 2147483647 || n < -2147483648) return undefined;
      cur = jsonbGet(cur, n);
    } else return undefined;
    depth++;
  }
  return cur;
}

/** The text ->> and #>> return: strings unquoted, null as SQL NULL, others as jsonb text. */
export function jsonbAsText(v: JsonValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  return jsonToText(v);
}

/** jsonb ? text: top-level key, array string element, or equal string scalar. */
export function jsonbExists(v: JsonValue, key: string): boolean {
  if (v instanceof Map) return v.has(key);
  if (Array.isArray(v)) return v.some((e) => e === key);
  return v === key;
}

export function jsonbExistsAny(v: JsonValue, keys: readonly (string | null)[]): boolean {
  return keys.some((k) => k !== null && jsonbExists(v, k));
}

export function jsonbExistsAll(v: JsonValue, keys: readonly (string | null)[]): boolean {
  return keys.every((k) => k === null || jsonbExists(v, k));
}

// ---- containment (JsonbDeepContains) ---------------------------------------------------

function scalarEquals(a: JsonValue, b: JsonValue): boolean {
  if (rank(a) !== rank(b)) return false;
  if (a instanceof Numeric) return a.eq(b as Numeric);
  return a === b;
}

function deepContains(val: JsonValue, tmpl: JsonValue): boolean {
  if (tmpl instanceof Map) {
    if (!(val instanceof Map) || val.size < tmpl.size) return false;
    for (const [k, tv] of tmpl) {
      if (!val.has(k)) return false;
      const lv = val.get(k)!;
      if (isJsonScalar(tv)) {
        if (!isJsonScalar(lv) || !scalarEquals(lv, tv)) return false;
      } else {
        if (isJsonScalar(lv) || Array.isArray(lv) !== Array.isArray(tv)) return false;
        if (!deepContains(lv, tv)) return false;
      }
    }
    return true;
  }
  if (Array.isArray(tmpl)) {
    if (!Array.isArray(val)) return false;
    for (const te of tmpl) {
      if (isJsonScalar(te)) {
        if (!val.some((le) => isJsonScalar(le) && scalarEquals(le, te))) return false;
      } else if (!val.some((le) => !isJsonScalar(le) && Array.isArray(le) === Array.isArray(te) && deepContains(le, te))) {
        return false;
      }
    }
    return true;
  }
  return false;
}

/** jsonb @> jsonb */
export function jsonbContains(val: JsonValue, tmpl: JsonValue): boolean {
  const vObj = val instanceof Map;
  const tObj = tmpl instanceof Map;
  if (vObj !== tObj) return false;
  if (vObj) return deepContains(val, tmpl);
  // Arrays and raw scalars: a raw scalar may not contain an array.
  const vRaw = isJsonScalar(val);
  const tRaw = isJsonScalar(tmpl);
  if (vRaw && !tRaw) return false;
  const va = vRaw ? [val] : (val as JsonValue[]);
  const ta = tRaw ? [tmpl] : (tmpl as JsonValue[]);
  return deepContains(va, ta);
}

// ---- concatenation -----------------------------------------------------------------

/** jsonb || jsonb */
export function jsonbConcat(a: JsonValue, b: JsonValue): JsonValue {
  if (a instanceof Map && b instanceof Map) {
    const merged = new Map(a);
    for (const [k, v] of b) merged.set(k, v);
    return sortedObject(merged);
  }
  const la = Array.isArray(a) ? a : [a];
  const lb = Array.isArray(b) ? b : [b];
  return [...la, ...lb];
}
