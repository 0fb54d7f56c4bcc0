// TODO(types): text output of every value (PostgreSQL's typoutput functions),
// here until host/engine/types/text_io.ts exists. Functions need it for
// anynonarray || text, concat, format, array_to_string and to_json.

import { Interval } from '../../types/interval.ts';
import { Numeric } from '../../types/numeric.ts';
import { typeByOid, type SqlType } from '../../types/types.ts';
import { formatType } from '../../types/type_names.ts';
import { formatDate, formatTime, formatTimestamp, formatTimestamptz, formatTimetz } from './datetime.ts';
import { Jsonb, jsonbToText } from './jsonb.ts';
import { SqlArray } from './sql_array.ts';

export interface OutputSettings {
  timeZone: string;
  intervalStyle: string;
  extraFloatDigits: number;
}

const DEFAULT_SETTINGS: OutputSettings = { timeZone: 'UTC', intervalStyle: 'postgres', extraFloatDigits: 1 };

function expText(e: number): string {
  return (e < 0 ? '-' : '+') + String(Math.abs(e)).padStart(2, '0');
}

/** Digits and decimal exponent of a %e representation ("1.2345e+5" -> "12345", 5). */
function splitExp(s: string): { digits: string; exp: number } {
  const [mant, e] = s.split('e') as [string, string];
  return { digits: mant.replace('.', '').replace('-', ''), exp: Number(e) };
}

/** Shortest round-trip formatting (extra_float_digits > 0), switching to exponent form as PostgreSQL. */
function shortest(v: number, isFloat4: boolean): string {
  let digits: string;
  let exp: number;
  if (isFloat4) {
    let found: { digits: string; exp: number } | undefined;
    for (let p = 1; p <= 9 && found === undefined; p++) {
      const cand = v.toExponential(p - 1);
      if (Math.fround(Number(cand)) === v) found = splitExp(cand);
    }
    ({ digits, exp } = found ?? splitExp(v.toExponential(8)));
  } else {
    ({ digits, exp } = splitExp(v.toExponential()));
  }
  digits = digits.replace(/0+$/, '') || '0';
  const neg = v < 0 || Object.is(v, -0);
  const limit = isFloat4 ? 6 : 15;
  let out: string;
  if (exp < -4 || exp >= limit) {
    out = digits[0]! + (digits.length > 1 ? '.' + digits.slice(1) : '') + 'e' + expText(exp);
  } else if (exp < 0) {
    out = '0.' + '0'.repeat(-exp - 1) + digits;
  } else if (digits.length <= exp + 1) {
    out = digits + '0'.repeat(exp + 1 - digits.length);
  } else {
    out = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  }
  return neg ? '-' + out : out;
}

/** C's %.{p}g. */
function formatG(v: number, p: number): string {
  const s = v.toExponential(Math.max(p, 1) - 1);
  const { digits, exp } = splitExp(s);
  const neg = v < 0 || Object.is(v, -0);
  let d = digits;
  let out: string;
  if (exp < -4 || exp >= p) {
    d = d.replace(/0+$/, '');
    out = d[0]! + (d.length > 1 ? '.' + d.slice(1) : '') + 'e' + expText(exp);
  } else if (exp < 0) {
    out = ('0.' + '0'.repeat(-exp - 1) + d).replace(/\.?0+$/, '');
  } else {
    out = d.length <= exp + 1 ? d + '0'.repeat(exp + 1 - d.length) : (d.slice(0, exp + 1) + '.' + d.slice(exp + 1)).replace(/\.?0+$/, '');
  }
  return neg ? '-' + out : out;
}

export function formatFloat(v: number, isFloat4: boolean, extraFloatDigits = 1): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (extraFloatDigits > 0) return shortest(v, isFloat4);
  return formatG(v, (isFloat4 ? 6 : 15) + extraFloatDigits);
}

export function formatFloat8(v: number): string {
  return formatFloat(v, false);
}

function pluralPart(value: number, unit: string, state: { isBefore: boolean; isZero: boolean }): string {
  if (value === 0) return '';
  const sign = !state.isZero && state.isBefore && value > 0 ? '+' : '';
  const text = `${state.isZero ? '' : ' '}${sign}${value} ${unit}${value !== 1 ? 's' : ''}`;
  state.isBefore = value < 0;
  state.isZero = false;
  return text;
}

function secondsText(absMicros: number): { hms: string; h: number } {
  const h = Math.floor(absMicros / 3_600_000_000);
  let rest = absMicros - h * 3_600_000_000;
  const m = Math.floor(rest / 60_000_000);
  rest -= m * 60_000_000;
  const s = Math.floor(rest / 1_000_000);
  const us = rest - s * 1_000_000;
  const frac = us === 0 ? '' : '.' + String(us).padStart(6, '0').replace(/0+$/, '');
  return { hms: `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}${frac}`, h };
}

/** interval_out. */
export function formatInterval(iv: Interval, style = 'postgres'): string {
  const years = Math.trunc(iv.months / 12);
  const mons = iv.months % 12;
  if (style === 'iso_8601') {
    if (iv.months === 0 && iv.days === 0 && iv.micros === 0) return 'PT0S';
    let out = 'P';
    if (years) out += `${years}Y`;
    if (mons) out += `${mons}M`;
    if (iv.days) out += `${iv.days}D`;
    if (iv.micros) {
      out += 'T';
      const neg = iv.micros < 0;
      const a = Math.abs(iv.micros);
      const h = Math.floor(a / 3_600_000_000);
      const m = Math.floor((a % 3_600_000_000) / 60_000_000);
      const sus = a % 60_000_000;
      if (h) out += `${neg ? '-' : ''}${h}H`;
      if (m) out += `${neg ? '-' : ''}${m}M`;
      if (sus) {
        const sec = Math.floor(sus / 1e6);
        const frac = sus % 1e6 === 0 ? '' : '.' + String(sus % 1e6).padStart(6, '0').replace(/0+$/, '');
        out += `${neg ? '-' : ''}${sec}${frac}S`;
      }
    }
    return out;
  }
  const state = { isBefore: false, isZero: true };
  let out = pluralPart(years, 'year', state) + pluralPart(mons, 'mon', state) + pluralPart(iv.days, 'day', state);
  if (state.isZero || iv.micros !== 0) {
    const minus = iv.micros < 0;
    const { hms } = secondsText(Math.abs(iv.micros));
    out += `${state.isZero ? '' : ' '}${minus ? '-' : state.isBefore ? '+' : ''}${hms}`;
  }
  return out;
}

function bytesToHex(b: Uint8Array): string {
  let s = '\\x';
  for (let i = 0; i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
}

function needsArrayQuote(s: string): boolean {
  if (s === '') return true;
  if (s.length === 4 && s.toUpperCase() === 'NULL') return true;
  return /[{}",\\\s]/.test(s);
}

function quoteArrayElem(s: string): string {
  if (!needsArrayQuote(s)) return s;
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

function formatArray(a: SqlArray, st: OutputSettings): string {
  if (a.values.length === 0) return '{}';
  const elem = a.elemType;
  let pos = 0;
  const level = (d: number): string => {
    const parts: string[] = [];
    for (let k = 0; k < a.dims[d]!; k++) {
      if (d === a.dims.length - 1) {
        const v = a.values[pos++];
        parts.push(v === null || v === undefined ? 'NULL' : quoteArrayElem(formatValue(elem, v, st)));
      } else parts.push(level(d + 1));
    }
    return '{' + parts.join(',') + '}';
  };
  let prefix = '';
  if (a.lbounds.some((lb) => lb !== 1)) {
    prefix = a.dims.map((n, d) => `[${a.lbounds[d]}:${a.lbounds[d]! + n - 1}]`).join('') + '=';
  }
  return prefix + level(0);
}

function formatRecord(fields: readonly unknown[], types: readonly SqlType[] | undefined, st: OutputSettings): string {
  const parts = fields.map((v, i) => {
    if (v === null || v === undefined) return '';
    const s = formatValue(types?.[i] ?? guessType(v), v, st);
    if (s === '' || /[(),"\\\s]/.test(s)) return '"' + s.replace(/["\\]/g, (c) => c + c) + '"';
    return s;
  });
  return '(' + parts.join(',') + ')';
}

/** A type for a value of unknown type (record fields without declared types). */
function guessType(v: unknown): SqlType {
  if (typeof v === 'boolean') return { id: 'bool', typmod: -1 };
  if (typeof v === 'number') return Number.isInteger(v) ? { id: 'int8', typmod: -1 } : { id: 'float8', typmod: -1 };
  if (typeof v === 'bigint') return { id: 'int8', typmod: -1 };
  if (v instanceof Numeric) return { id: 'numeric', typmod: -1 };
  if (v instanceof Interval) return { id: 'interval', typmod: -1 };
  if (v instanceof Jsonb) return { id: 'jsonb', typmod: -1 };
  if (v instanceof Uint8Array) return { id: 'bytea', typmod: -1 };
  return { id: 'text', typmod: -1 };
}

function formatValue(t: SqlType, v: unknown, st: OutputSettings): string {
  switch (t.id) {
    case 'bool':
      return v ? 't' : 'f';
    case 'regtype': {
      const rt = typeof v === 'number' ? typeByOid(v) : undefined;
      return rt !== undefined ? formatType(rt) : String(v);
    }
    case 'int2':
    case 'int4':
    case 'int8':
    case 'oid':
    case 'xid':
    case 'cid':
    case 'regclass':
    case 'regproc':
    case 'regprocedure':
    case 'regnamespace':
    case 'regrole':
      return String(v);
    case 'float4':
      return formatFloat(v as number, true, st.extraFloatDigits);
    case 'float8':
      return formatFloat(v as number, false, st.extraFloatDigits);
    case 'numeric':
      return (v as Numeric).toString();
    case 'bytea':
      return bytesToHex(v as Uint8Array);
    case 'date':
      return formatDate(v as number);
    case 'time':
      return formatTime(v as number);
    case 'timetz':
      return formatTimetz(v as { micros: number; offsetSeconds: number });
    case 'timestamp':
      return formatTimestamp(v as number);
    case 'timestamptz':
      return formatTimestamptz(v as number, st.timeZone);
    case 'interval':
      return formatInterval(v as Interval, st.intervalStyle);
    case 'jsonb':
      return jsonbToText((v as Jsonb).value);
    case 'array':
      return formatArray(v as SqlArray, st);
    case 'record':
      return formatRecord(v as unknown[], t.fields, st);
    case 'anyelement':
    case 'anynonarray':
    case 'anycompatible':
    case 'any':
      return formatValue(guessType(v), v, st);
    default:
      if (v instanceof SqlArray) return formatArray(v, st);
      return String(v);
  }
}

/** The text form of a non-null value of type t. */
export function formatText(t: SqlType, v: unknown, st: Partial<OutputSettings> = DEFAULT_SETTINGS): string {
  const full: OutputSettings = {
    timeZone: st.timeZone ?? 'UTC',
    intervalStyle: st.intervalStyle ?? 'postgres',
    extraFloatDigits: st.extraFloatDigits ?? 1,
  };
  return formatValue(t, v, full);
}
