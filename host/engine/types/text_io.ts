// Text I/O of every type: parseText is PostgreSQL's input function (with the
// column's typmod applied, as the input function does), formatText its
// output function, both under the session's DateStyle, IntervalStyle,
// TimeZone, extra_float_digits and bytea_output.

import { SbError, SqlState } from '../sb_error.ts';
import { SqlArray } from './array.ts';
import { formatArrayText, parseArrayText } from './array_io.ts';
import { defaultTypeContext, settingsOf, type TypeContext } from './context.ts';
import type { TimetzValue } from './datetime.ts';
import { formatDate, formatInterval, formatTime, formatTimestamp, formatTimestamptz, formatTimetz } from './datetime_format.ts';
import { parseDate, parseTime, parseTimestamp, parseTimestamptz, parseTimetz } from './datetime_input.ts';
import type { DateTimeParseEnv } from './datetime_parse.ts';
import { formatFloat4, formatFloat8, parseFloat4, parseFloat8 } from './float_io.ts';
import type { Interval } from './interval.ts';
import { parseInterval } from './interval_io.ts';
import { Jsonb, validateJson } from './jsonb.ts';
import { Numeric } from './numeric.ts';
import {
  checkText, clipName, coerceCharLength, formatBytea, formatChar, formatTid, parseBool, parseBytea, parseChar, parseInt2,
  parseInt4, parseInt8, parseOid, parseTid, parseUuid, parseXid, type TidValue,
} from './scalar_io.ts';
import { charLength as typmodCharLength, formatType } from './type_names.ts';
import { parseBits } from './bit.ts';
import { isRegType, type SqlType } from './types.ts';

let defaultCtx: TypeContext | undefined;

function ctxOr(ctx: TypeContext | undefined): TypeContext {
  return ctx ?? (defaultCtx ??= defaultTypeContext());
}

function datetimeEnv(ctx: TypeContext): DateTimeParseEnv {
  const st = settingsOf(ctx);
  return { dateOrder: st.dateOrder, zone: st.zone, now: () => ctx.now() };
}

const REG_MISSING: Record<string, [string, string]> = {
  regclass: [SqlState.undefined_table, 'relation'],
  regtype: [SqlState.undefined_object, 'type'],
  regproc: [SqlState.undefined_function, 'function'],
  regprocedure: [SqlState.undefined_function, 'function'],
  regnamespace: [SqlState.invalid_schema_name, 'schema'],
  regrole: [SqlState.undefined_object, 'role'],
};

function parseReg(type: SqlType, s: string, ctx: TypeContext): number {
  if (s === '-') return 0;
  if (/^\s*\d+\s*$/.test(s)) return parseOid(s, type.id);
  const found = ctx.regLookup?.regIn(type.id, s);
  if (found !== undefined) return found;
  const [code, what] = REG_MISSING[type.id]!;
  throw new SbError(code, `${what} "${s}" does not exist`);
}

function formatReg(type: SqlType, oid: number, ctx: TypeContext): string {
  if (oid === 0) return '-';
  return ctx.regLookup?.regOut(type.id, oid) ?? String(oid);
}

function cannotAccept(type: SqlType): SbError {
  return new SbError(SqlState.feature_not_supported, `cannot accept a value of type ${formatType(type)}`);
}

/**
 * The input function of `type` applied to `s` (with the type's typmod, so
 * varchar(3) rejects 'abcd' with 22001 and numeric(5,2) rounds). Throws
 * PostgreSQL's SQLSTATEs: 22P02, 22003, 22007, 22008, 22001, 22021...
 */
export function parseText(type: SqlType, s: string, ctx?: TypeContext): unknown {
  const c = ctxOr(ctx);
  switch (type.id) {
    case 'bool':
      return parseBool(s);
    case 'int2':
      return parseInt2(s);
    case 'int4':
      return parseInt4(s);
    case 'int8':
      return parseInt8(s);
    case 'numeric':
      return Numeric.parse(s).applyTypmod(type.typmod);
    case 'float4':
      return parseFloat4(s);
    case 'float8':
      return parseFloat8(s);
    case 'text':
    case 'unknown':
      return checkText(s);
    case 'varchar':
      return coerceCharLength(checkText(s), typmodCharLength(type.typmod), false, false);
    case 'bpchar':
      return coerceCharLength(checkText(s), typmodCharLength(type.typmod), true, false);
    case 'name':
      return clipName(checkText(s));
    case 'char':
      return parseChar(s);
    case 'bytea':
      return parseBytea(s);
    case 'bit':
    case 'varbit':
      return parseBits(s, type.typmod, type.id === 'varbit');
    case 'date':
      return parseDate(s, datetimeEnv(c));
    case 'time':
      return parseTime(s, datetimeEnv(c), type.typmod);
    case 'timetz':
      return parseTimetz(s, datetimeEnv(c), type.typmod);
    case 'timestamp':
      return parseTimestamp(s, datetimeEnv(c), type.typmod);
    case 'timestamptz':
      return parseTimestamptz(s, datetimeEnv(c), type.typmod);
    case 'interval':
      return parseInterval(s, type.typmod, settingsOf(c).intervalStyle);
    case 'uuid':
      return parseUuid(s);
    case 'json':
      checkText(s);
      validateJson(s);
      return s;
    case 'jsonb':
      return Jsonb.parse(checkText(s));
    case 'oid':
      return parseOid(s);
    case 'xid':
    case 'cid':
      return parseXid(s);
    case 'tid':
      return parseTid(s);
    case 'regclass':
    case 'regtype':
    case 'regproc':
    case 'regprocedure':
    case 'regnamespace':
    case 'regrole':
      return parseReg(type, s, c);
    case 'void':
      return null;
    case 'array': {
      const elem: SqlType = { ...type.elem!, typmod: type.typmod };
      return parseArrayText(s, type.elem!, (t) => parseText(elem, t, c));
    }
    case 'record':
      if (type.fields === undefined) {
        throw new SbError(SqlState.feature_not_supported, 'input of anonymous composite types is not implemented');
      }
      return parseRecord(s, type.fields, c);
    default:
      throw cannotAccept(type);
  }
}

/** The output function of `type` for a non-NULL value. */
export function formatText(type: SqlType, v: unknown, ctx?: TypeContext): string {
  if (v === null || v === undefined) throw new SbError(SqlState.internal_error, 'formatText: NULL has no text form');
  const c = ctxOr(ctx);
  switch (type.id) {
    case 'bool':
      return v ? 't' : 'f';
    case 'int2':
    case 'int4':
    case 'int8':
    case 'oid':
    case 'xid':
    case 'cid':
      return String(v);
    case 'numeric':
      return (v as Numeric).toString();
    case 'float4':
      return formatFloat4(v as number, c.extraFloatDigits);
    case 'float8':
      return formatFloat8(v as number, c.extraFloatDigits);
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'unknown':
    case 'json':
      return v as string;
    case 'char':
      return formatChar(v as string);
    case 'bytea':
      return formatBytea(v as Uint8Array, settingsOf(c).byteaHex);
    case 'date': {
      const st = settingsOf(c);
      return formatDate(v as number, st.dateStyle, st.dateOrder);
    }
    case 'time':
      return formatTime(v as number);
    case 'timetz':
      return formatTimetz(v as TimetzValue);
    case 'timestamp': {
      const st = settingsOf(c);
      return formatTimestamp(v as number, st.dateStyle, st.dateOrder);
    }
    case 'timestamptz': {
      const st = settingsOf(c);
      return formatTimestamptz(v as number, st.zone, st.dateStyle, st.dateOrder);
    }
    case 'interval':
      return formatInterval(v as Interval, settingsOf(c).intervalStyle);
    case 'uuid':
    case 'bit':
    case 'varbit':
      return v as string;
    case 'jsonb':
      return (v as Jsonb).toString();
    case 'tid':
      return formatTid(v as TidValue);
    case 'void':
      return '';
    case 'array': {
      const elem = type.elem!;
      return formatArrayText(v as SqlArray, (x) => formatText(elem, x, c));
    }
    case 'record':
      return formatRecord(v as unknown[], type.fields, c);
    default:
      if (isRegType(type)) return formatReg(type, v as number, c);
      throw new SbError(SqlState.feature_not_supported, `cannot display a value of type ${formatType(type)}`);
  }
}

// ---- records -------------------------------------------------------------------

function formatRecord(values: unknown[], fields: readonly SqlType[] | undefined, ctx: TypeContext): string {
  const parts = values.map((v, i) => {
    if (v === null || v === undefined) return '';
    const t = fields?.[i] ?? guessType(v);
    const s = formatText(t, v, ctx);
    if (s === '' || /["\\(),\s]/.test(s)) return '"' + s.replace(/["\\]/g, (m) => m + m) + '"';
    return s;
  });
  return '(' + parts.join(',') + ')';
}

/** A type able to print a JS value of a record whose column types are unknown. */
function guessType(v: unknown): SqlType {
  if (typeof v === 'boolean') return { id: 'bool', typmod: -1 };
  if (typeof v === 'number') return Number.isInteger(v) ? { id: 'int8', typmod: -1 } : { id: 'float8', typmod: -1 };
  if (typeof v === 'bigint') return { id: 'int8', typmod: -1 };
  if (v instanceof Numeric) return { id: 'numeric', typmod: -1 };
  if (v instanceof Uint8Array) return { id: 'bytea', typmod: -1 };
  if (v instanceof Jsonb) return { id: 'jsonb', typmod: -1 };
  if (Array.isArray(v)) return { id: 'record', typmod: -1 };
  return { id: 'text', typmod: -1 };
}

function parseRecord(s: string, fields: readonly SqlType[], ctx: TypeContext): unknown[] {
  const bad = (detail: string): SbError =>
    new SbError(SqlState.invalid_text_representation, `malformed record literal: "${s}"`, { detail });
  let i = 0;
  while (/\s/.test(s[i] ?? '')) i++;
  if (s[i] !== '(') throw bad('Missing left parenthesis.');
  i++;
  const out: unknown[] = [];
  for (let f = 0; f < fields.length; f++) {
    if (f > 0) {
      if (s[i] !== ',') throw bad(s[i] === ')' ? 'Too few columns.' : 'Unexpected end of input.');
      i++;
    }
    if (s[i] === ',' || s[i] === ')') {
      out.push(null);
      continue;
    }
    let text = '';
    let inQuote = false;
    for (;;) {
      const ch = s[i];
      if (ch === undefined) throw bad('Unexpected end of input.');
      if (!inQuote && (ch === ',' || ch === ')')) break;
      if (ch === '\\') {
        if (s[i + 1] === undefined) throw bad('Unexpected end of input.');
        text += s[i + 1];
        i += 2;
      } else if (ch === '"') {
        if (inQuote && s[i + 1] === '"') {
          text += '"';
          i += 2;
        } else {
          inQuote = !inQuote;
          i++;
        }
      } else {
        text += ch;
        i++;
      }
    }
    out.push(parseText(fields[f]!, text, ctx));
  }
  if (s[i] !== ')') throw bad('Too many columns.');
  i++;
  while (/\s/.test(s[i] ?? '')) i++;
  if (i < s.length) throw bad('Junk after right parenthesis.');
  return out;
}

export { charLength } from './scalar_io.ts';
export function typmodLength(type: SqlType): number {
  return typmodCharLength(type.typmod);
}
