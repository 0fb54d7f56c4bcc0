// SQL values to json text and jsonb values (PostgreSQL's datum_to_json /
// datum_to_jsonb): numbers stay numbers (NaN and infinities become
// strings), booleans, dates and timestamps in ISO 8601 with 'T', arrays
// become JSON arrays, records objects, json/jsonb embed as they are, and
// everything else is its text output as a JSON string.

import { Numeric } from '../types/numeric.ts';
import type { SqlType } from '../types/types.ts';
import type { EvalContext } from './context.ts';
import { timestampToTm, timestamptzToTm } from '../types/datetime.ts';
import { encodeTimezone, formatDate, formatTime } from '../types/datetime_format.ts';
import { formatFloat4, formatFloat8 } from '../types/float_io.ts';
import { formatText } from '../types/text_io.ts';
import { sessionZone } from './context.ts';
import { Jsonb, jsonToText as jsonbToText, quoteJsonString, type JsonValue } from '../types/jsonb.ts';
import { sortedObject } from '../types/json_parse.ts';
import { nodeToJsonb, parseJsonNode as parseJson } from '../types/json_node.ts';
import { SqlArray } from '../types/array.ts';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** ISO 8601 (XSD) text of a timestamp: 'T' separator, "+hh:mm" offset for timestamptz. */
export function jsonTimestamp(us: number, withZone: boolean, ctx: EvalContext): string {
  if (!Number.isFinite(us)) return us > 0 ? 'infinity' : '-infinity';
  const { tm: f, offset: off } = withZone ? timestamptzToTm(us, sessionZone(ctx)) : { tm: timestampToTm(us), offset: 0 };
  const bc = f.year <= 0;
  const y = bc ? 1 - f.year : f.year;
  const frac = f.usec === 0 ? '' : '.' + pad(f.usec, 6).replace(/0+$/, '');
  let s = `${pad(y, 4)}-${pad(f.month)}-${pad(f.day)}T${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}${frac}`;
  if (withZone) {
    const o = encodeTimezone(off);
    s += o.length === 3 ? o + ':00' : o;
  }
  return bc ? s + ' BC' : s;
}

/** Field names of a record type, when the binder attached them. TODO(types): names on record SqlTypes. */
export function recordFieldNames(t: SqlType, n: number): string[] {
  const names = t.names;
  return Array.from({ length: n }, (_, i) => names?.[i] ?? `f${i + 1}`);
}

function isNumericText(s: string): boolean {
  return /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(s);
}

/** A value's json text (datum_to_json); `pretty` puts top-level array/record elements on new lines. */
export function toJsonText(v: unknown, t: SqlType, ctx: EvalContext, pretty = false): string {
  if (v === null || v === undefined) return 'null';
  switch (t.id) {
    case 'bool':
      return v ? 'true' : 'false';
    case 'int2':
    case 'int4':
    case 'int8':
      return String(v);
    case 'float4':
    case 'float8': {
      const s = (t.id === 'float4' ? formatFloat4 : formatFloat8)(v as number, ctx.extraFloatDigits);
      return Number.isFinite(v as number) ? s : quoteJsonString(s);
    }
    case 'numeric': {
      const s = (v as Numeric).toString();
      return isNumericText(s) ? s : quoteJsonString(s);
    }
    case 'date':
      return quoteJsonString(formatDate(v as number, 'ISO', 'MDY'));
    case 'timestamp':
      return quoteJsonString(jsonTimestamp(v as number, false, ctx));
    case 'timestamptz':
      return quoteJsonString(jsonTimestamp(v as number, true, ctx));
    case 'time':
      return quoteJsonString(formatTime(v as number));
    case 'json':
      return v as string;
    case 'jsonb':
      return jsonbToText((v as Jsonb).value);
    case 'array':
      return arrayToJsonText(v as SqlArray, t.elem ?? (v as SqlArray).elemType, ctx, pretty);
    case 'record':
      return recordToJsonText(v as unknown[], t, ctx, pretty);
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'char':
    case 'unknown':
      return quoteJsonString(v as string);
    default:
      return quoteJsonString(formatText(t, v, ctx));
  }
}

export function arrayToJsonText(a: SqlArray, elem: SqlType, ctx: EvalContext, pretty = false): string {
  if (a.values.length === 0) return '[]';
  let pos = 0;
  const level = (d: number): string => {
    const parts: string[] = [];
    for (let k = 0; k < a.dims[d]!; k++) {
      if (d === a.dims.length - 1) parts.push(toJsonText(a.values[pos++], elem, ctx));
      else parts.push(level(d + 1));
    }
    return '[' + parts.join(pretty && d === 0 ? ',\n ' : ',') + ']';
  };
  return level(0);
}

export function recordToJsonText(fields: unknown[], t: SqlType, ctx: EvalContext, pretty = false): string {
  const names = recordFieldNames(t, fields.length);
  const parts = fields.map((v, i) => `${quoteJsonString(names[i]!)}:${toJsonText(v, t.fields?.[i] ?? guessJsonType(v), ctx)}`);
  return '{' + parts.join(pretty ? ',\n ' : ',') + '}';
}

function guessJsonType(v: unknown): SqlType {
  if (typeof v === 'boolean') return { id: 'bool', typmod: -1 };
  if (typeof v === 'number' || typeof v === 'bigint') return { id: Number.isInteger(v) || typeof v === 'bigint' ? 'int8' : 'float8', typmod: -1 };
  if (v instanceof Numeric) return { id: 'numeric', typmod: -1 };
  if (v instanceof Jsonb) return { id: 'jsonb', typmod: -1 };
  if (v instanceof SqlArray) return { id: 'array', typmod: -1, elem: v.elemType };
  if (Array.isArray(v)) return { id: 'record', typmod: -1 };
  return { id: 'text', typmod: -1 };
}

/** A value as jsonb (datum_to_jsonb). */
export function toJsonbValue(v: unknown, t: SqlType, ctx: EvalContext): JsonValue {
  if (v === null || v === undefined) return null;
  switch (t.id) {
    case 'bool':
      return v as boolean;
    case 'int2':
    case 'int4':
    case 'int8':
      return Numeric.fromInt(v as number | bigint);
    case 'float4':
    case 'float8': {
      const s = (t.id === 'float4' ? formatFloat4 : formatFloat8)(v as number, ctx.extraFloatDigits);
      return Number.isFinite(v as number) ? Numeric.parse(s) : s;
    }
    case 'numeric':
      return (v as Numeric).isFinite() ? (v as Numeric) : (v as Numeric).toString();
    case 'json':
      return nodeToJsonb(parseJson(v as string, 'jsonb'));
    case 'jsonb':
      return (v as Jsonb).value;
    case 'array': {
      const a = v as SqlArray;
      const elem = t.elem ?? a.elemType;
      if (a.values.length === 0) return [];
      let pos = 0;
      const level = (d: number): JsonValue[] => {
        const out: JsonValue[] = [];
        for (let k = 0; k < a.dims[d]!; k++) out.push(d === a.dims.length - 1 ? toJsonbValue(a.values[pos++], elem, ctx) : level(d + 1));
        return out;
      };
      return level(0);
    }
    case 'record': {
      const fields = v as unknown[];
      const names = recordFieldNames(t, fields.length);
      const m = new Map<string, JsonValue>();
      fields.forEach((x, i) => m.set(names[i]!, toJsonbValue(x, t.fields?.[i] ?? guessJsonType(x), ctx)));
      return sortedObject(m);
    }
    default: {
      const text = toJsonText(v, t, ctx);
      // Strings come back out of their JSON quoting.
      return text.startsWith('"') ? (JSON.parse(text) as string) : nodeToJsonb(parseJson(text, 'jsonb'));
    }
  }
}
