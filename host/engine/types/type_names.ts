// Type names as PostgreSQL spells and prints them: typeFromName accepts every
// spelling the PostgreSQL grammar accepts for these types, formatType prints
// what format_type() prints, and the typmod helpers encode modifiers exactly
// as pg_attribute.atttypmod stores them.

import { SbError, SqlState } from '../sb_error.ts';
import { allTypeIds, arrayOf, sqlType, typeInfo, type SqlType, type TypeId } from './types.ts';

/** Per PostgreSQL: VARHDRSZ, added to character lengths and numeric precision/scale. */
const VARHDRSZ = 4;
export const VARCHAR_LENGTH_MAX = 10485760;
/** MaxAttrSize * BITS_PER_BYTE: the longest bit(n) / varbit(n). */
export const BIT_LENGTH_MAX = 83886080;
export const NUMERIC_PRECISION_MAX = 1000;
export const NUMERIC_SCALE_MIN = -1000;
export const NUMERIC_SCALE_MAX = 1000;
export const DATETIME_PRECISION_MAX = 6;

// Interval field bits (datetime.h): the typmod's range mask is (bits << 16).
export const INTERVAL_MONTH = 1 << 1;
export const INTERVAL_YEAR = 1 << 2;
export const INTERVAL_DAY = 1 << 3;
export const INTERVAL_HOUR = 1 << 10;
export const INTERVAL_MINUTE = 1 << 11;
export const INTERVAL_SECOND = 1 << 12;
export const INTERVAL_FULL_RANGE = 0x7fff;
export const INTERVAL_FULL_PRECISION = 0xffff;

const INTERVAL_RANGES: ReadonlyArray<[string, number]> = [
  ['year', INTERVAL_YEAR],
  ['month', INTERVAL_MONTH],
  ['day', INTERVAL_DAY],
  ['hour', INTERVAL_HOUR],
  ['minute', INTERVAL_MINUTE],
  ['second', INTERVAL_SECOND],
  ['year to month', INTERVAL_YEAR | INTERVAL_MONTH],
  ['day to hour', INTERVAL_DAY | INTERVAL_HOUR],
  ['day to minute', INTERVAL_DAY | INTERVAL_HOUR | INTERVAL_MINUTE],
  ['day to second', INTERVAL_DAY | INTERVAL_HOUR | INTERVAL_MINUTE | INTERVAL_SECOND],
  ['hour to minute', INTERVAL_HOUR | INTERVAL_MINUTE],
  ['hour to second', INTERVAL_HOUR | INTERVAL_MINUTE | INTERVAL_SECOND],
  ['minute to second', INTERVAL_MINUTE | INTERVAL_SECOND],
];

function badParam(msg: string): SbError {
  return new SbError(SqlState.invalid_parameter_value, msg);
}

// ---- typmod encoding ------------------------------------------------------

/** varchar(n) / char(n): n + 4. */
export function charTypmod(n: number, typeName: 'varchar' | 'char' = 'varchar'): number {
  if (n < 1) throw badParam(`length for type ${typeName} must be at least 1`);
  if (n > VARCHAR_LENGTH_MAX) throw badParam(`length for type ${typeName} cannot exceed ${VARCHAR_LENGTH_MAX}`);
  return n + VARHDRSZ;
}

/** Declared length of varchar(n)/char(n), or -1. */
export function charLength(typmod: number): number {
  return typmod >= VARHDRSZ ? typmod - VARHDRSZ : -1;
}

/** numeric(p, s): ((p << 16) | (s & 0x7ff)) + 4, as PostgreSQL 15 (negative scales allowed). */
export function numericTypmod(precision: number, scale = 0): number {
  if (precision < 1 || precision > NUMERIC_PRECISION_MAX) {
    throw badParam(`NUMERIC precision ${precision} must be between 1 and ${NUMERIC_PRECISION_MAX}`);
  }
  if (scale < NUMERIC_SCALE_MIN || scale > NUMERIC_SCALE_MAX) {
    throw badParam(`NUMERIC scale ${scale} must be between ${NUMERIC_SCALE_MIN} and ${NUMERIC_SCALE_MAX}`);
  }
  return ((precision << 16) | (scale & 0x7ff)) + VARHDRSZ;
}

/** Whether a numeric typmod is a valid (p, s) encoding. */
export function isValidNumericTypmod(typmod: number): boolean {
  return typmod >= VARHDRSZ && ((typmod - VARHDRSZ) & ~0xffff07ff) === 0;
}

export function numericTypmodPrecision(typmod: number): number {
  return ((typmod - VARHDRSZ) >> 16) & 0xffff;
}

export function numericTypmodScale(typmod: number): number {
  return (((typmod - VARHDRSZ) & 0x7ff) ^ 1024) - 1024;
}

/** time(p)/timestamp(p): p itself, reduced to 6 with a warning as PostgreSQL does. */
export function datetimeTypmod(p: number, label: string, warn?: (w: SbError) => void): number {
  if (p < 0) throw badParam(`${label}(${p}) precision must not be negative`);
  if (p > DATETIME_PRECISION_MAX) {
    warn?.(
      new SbError(SqlState.invalid_parameter_value, `${label}(${p}) precision reduced to maximum allowed, ${DATETIME_PRECISION_MAX}`, {
        severity: 'WARNING',
      }),
    );
    return DATETIME_PRECISION_MAX;
  }
  return p;
}

/** interval [fields] [(p)]: ((range & 0x7fff) << 16) | (p & 0xffff). */
export function intervalTypmod(range: number = INTERVAL_FULL_RANGE, precision: number = INTERVAL_FULL_PRECISION): number {
  return ((range & 0x7fff) << 16) | (precision & 0xffff);
}

export function intervalTypmodRange(typmod: number): number {
  return typmod < 0 ? INTERVAL_FULL_RANGE : (typmod >> 16) & 0x7fff;
}

export function intervalTypmodPrecision(typmod: number): number {
  return typmod < 0 ? INTERVAL_FULL_PRECISION : typmod & 0xffff;
}

/** Fractional-second precision of a time/timestamp/interval typmod, or -1 for full precision. */
export function secondsPrecision(t: SqlType): number {
  if (t.typmod < 0) return -1;
  if (t.id === 'interval') {
    const p = intervalTypmodPrecision(t.typmod);
    return p === INTERVAL_FULL_PRECISION ? -1 : p;
  }
  return t.typmod;
}

// ---- format_type ----------------------------------------------------------

function typmodSuffix(t: SqlType): string {
  const m = t.typmod;
  switch (t.id) {
    case 'varchar':
    case 'bpchar':
      return m >= VARHDRSZ ? `(${m - VARHDRSZ})` : '';
    case 'numeric':
      return isValidNumericTypmod(m) ? `(${numericTypmodPrecision(m)},${numericTypmodScale(m)})` : '';
    case 'time':
    case 'timetz':
    case 'timestamp':
    case 'timestamptz':
    case 'bit':
    case 'varbit':
      return m >= 0 ? `(${m})` : '';
    default:
      return '';
  }
}

function intervalName(typmod: number): string {
  if (typmod < 0) return 'interval';
  const range = intervalTypmodRange(typmod);
  const precision = intervalTypmodPrecision(typmod);
  let s = 'interval';
  if (range !== INTERVAL_FULL_RANGE) {
    const named = INTERVAL_RANGES.find(([, bits]) => bits === range);
    if (named !== undefined) s += ' ' + named[0];
  }
  if (precision !== INTERVAL_FULL_PRECISION) s += `(${precision})`;
  return s;
}

/**
 * The name format_type(oid, typmod) prints, e.g. `character varying(10)`,
 * `integer[]`. With typmodGiven false it is format_type(oid, NULL), as
 * pg_typeof and error messages print (bpchar then reads `character`).
 */
export function formatType(t: SqlType, typmodGiven = true): string {
  if (t.id === 'array') return formatType({ ...t.elem!, typmod: t.typmod >= 0 ? t.typmod : t.elem!.typmod }, typmodGiven) + '[]';
  const m = t.typmod;
  switch (t.id) {
    case 'bool':
      return 'boolean';
    case 'int2':
      return 'smallint';
    case 'int4':
      return 'integer';
    case 'int8':
      return 'bigint';
    case 'float4':
      return 'real';
    case 'float8':
      return 'double precision';
    case 'numeric':
      return 'numeric' + typmodSuffix(t);
    case 'varchar':
      return 'character varying' + typmodSuffix(t);
    // bpchar with no typmod is not CHARACTER (which means CHARACTER(1)), so it keeps its own name.
    case 'bpchar':
      return m >= VARHDRSZ ? 'character' + typmodSuffix(t) : typmodGiven ? 'bpchar' : 'character';
    case 'char':
      return '"char"';
    case 'any':
      return '"any"';
    case 'time':
      return 'time' + typmodSuffix(t) + ' without time zone';
    case 'timetz':
      return 'time' + typmodSuffix(t) + ' with time zone';
    case 'timestamp':
      return 'timestamp' + typmodSuffix(t) + ' without time zone';
    case 'timestamptz':
      return 'timestamp' + typmodSuffix(t) + ' with time zone';
    case 'interval':
      return intervalName(m);
    case 'bit':
      return 'bit' + typmodSuffix(t);
    case 'varbit':
      return 'bit varying' + typmodSuffix(t);
    default:
      return typeInfo(t.id).typname;
  }
}

// ---- typeFromName -----------------------------------------------------------

const SIMPLE_NAMES: Record<string, TypeId> = {
  bool: 'bool', boolean: 'bool',
  int2: 'int2', smallint: 'int2',
  int4: 'int4', int: 'int4', integer: 'int4',
  int8: 'int8', bigint: 'int8',
  float4: 'float4', real: 'float4',
  float8: 'float8', 'double precision': 'float8',
  numeric: 'numeric', decimal: 'numeric', dec: 'numeric',
  text: 'text',
  varchar: 'varchar', 'character varying': 'varchar', 'char varying': 'varchar',
  'national character varying': 'varchar', 'national char varying': 'varchar', 'nchar varying': 'varchar',
  bpchar: 'bpchar', character: 'bpchar', char: 'bpchar', nchar: 'bpchar',
  'national character': 'bpchar', 'national char': 'bpchar',
  name: 'name', '"char"': 'char',
  bytea: 'bytea',
  date: 'date',
  time: 'time', 'time without time zone': 'time',
  timetz: 'timetz', 'time with time zone': 'timetz',
  timestamp: 'timestamp', 'timestamp without time zone': 'timestamp',
  timestamptz: 'timestamptz', 'timestamp with time zone': 'timestamptz',
  interval: 'interval',
  uuid: 'uuid', json: 'json', jsonb: 'jsonb',
  bit: 'bit', varbit: 'varbit', 'bit varying': 'varbit',
  // No jsonpath type yet: a path is text (functions/jsonpath.ts parses it where it is used).
  jsonpath: 'text',
  oid: 'oid', regclass: 'regclass', regtype: 'regtype', regproc: 'regproc', regprocedure: 'regprocedure',
  regnamespace: 'regnamespace', regrole: 'regrole',
  xid: 'xid', cid: 'cid', tid: 'tid',
  unknown: 'unknown', void: 'void', record: 'record', trigger: 'trigger', '"any"': 'any',
  anyelement: 'anyelement', anyarray: 'anyarray', anynonarray: 'anynonarray', anycompatible: 'anycompatible',
  anycompatiblearray: 'anycompatiblearray', anycompatiblenonarray: 'anycompatiblenonarray',
};

// Names that take no "(...)" modifier in the grammar keep typmod -1; these accept one.
const CHAR_KEYWORDS = new Set(['character', 'char', 'nchar', 'national character', 'national char']);
const VARCHAR_KEYWORDS = new Set(['varchar', 'character varying', 'char varying', 'national character varying', 'national char varying', 'nchar varying']);

function normalizeName(name: string): string {
  let s = name.trim().replace(/\s+/g, ' ');
  if (!s.startsWith('"')) s = s.toLowerCase();
  if (s.startsWith('pg_catalog.')) s = s.slice('pg_catalog.'.length);
  // "timestamp(3) with time zone" is also accepted with the modifier inline.
  return s;
}

export interface TypeNameOptions {
  /** Receives PostgreSQL's WARNINGs (e.g. precision reduced to 6). */
  warn?: (w: SbError) => void;
}

function noSuchType(name: string): SbError {
  return new SbError(SqlState.undefined_object, `type "${name}" does not exist`);
}

function noTypmod(name: string): SbError {
  return new SbError(SqlState.syntax_error, `type modifier is not allowed for type "${name}"`);
}

/**
 * Resolves a type name as written in SQL (any PostgreSQL spelling: `int`,
 * `double precision`, `character varying`, `timestamp with time zone`,
 * `interval day to second`, `_int4`, `"char"`, `pg_catalog.int4`) with its
 * modifiers and array dimensions. `serial` types are the binder's business.
 * Throws 42704 for unknown names, 22023/42601 for bad modifiers.
 */
export function typeFromName(name: string, typmods: readonly number[] = [], arrayDims = 0, opts: TypeNameOptions = {}): SqlType {
  let s = normalizeName(name);
  // Inline modifiers: "numeric(10,2)", "timestamp(3) with time zone", "int[]".
  const arr = /^(.*?)((?:\s*\[\s*\d*\s*\])+)$/.exec(s);
  if (arr !== null) {
    arrayDims += (arr[2]!.match(/\[/g) ?? []).length;
    s = arr[1]!.trim();
  }
  const inline = /^([a-z_" ]+?)\s*\(\s*(-?\d+)\s*(?:,\s*(-?\d+)\s*)?\)\s*(.*)$/.exec(s);
  if (inline !== null && typmods.length === 0) {
    typmods = inline[3] !== undefined ? [Number(inline[2]), Number(inline[3])] : [Number(inline[2])];
    s = (inline[1]!.trim() + ' ' + inline[4]!).trim();
  }
  const base = baseType(s, name, typmods, opts);
  if (arrayDims > 0) return arrayOf(base);
  return base;
}

function baseType(s: string, original: string, typmods: readonly number[], opts: TypeNameOptions): SqlType {
  if (s === 'float') {
    if (typmods.length === 0) return sqlType('float8');
    const p = typmods[0]!;
    if (p < 1) throw badParam('precision for type float must be at least 1 bit');
    if (p > 53) throw badParam('precision for type float must be less than 54 bits');
    return sqlType(p <= 24 ? 'float4' : 'float8');
  }
  if (s.startsWith('interval')) {
    const rest = s.slice('interval'.length).trim();
    let range = INTERVAL_FULL_RANGE;
    if (rest !== '') {
      const named = INTERVAL_RANGES.find(([n]) => n === rest);
      if (named === undefined) throw noSuchType(original);
      range = named[1];
    }
    if (typmods.length > 1) throw new SbError(SqlState.syntax_error, 'invalid INTERVAL type modifier');
    let precision = INTERVAL_FULL_PRECISION;
    if (typmods.length === 1) precision = datetimeTypmod(typmods[0]!, 'INTERVAL', opts.warn);
    if (range === INTERVAL_FULL_RANGE && precision === INTERVAL_FULL_PRECISION) return sqlType('interval');
    return sqlType('interval', intervalTypmod(range, precision));
  }
  if (s.startsWith('_')) {
    const elem = elementByTypname(s.slice(1));
    if (elem !== undefined) return arrayOf(elem === 'char' ? sqlType('char') : baseType(elem, original, typmods, opts));
  }
  const id = SIMPLE_NAMES[s];
  if (id === undefined) throw noSuchType(original);
  if (CHAR_KEYWORDS.has(s)) {
    const n = typmods.length === 0 ? 1 : typmods[0]!;
    if (typmods.length > 1) throw new SbError(SqlState.syntax_error, 'invalid type modifier');
    return sqlType('bpchar', charTypmod(n, 'char'));
  }
  if (VARCHAR_KEYWORDS.has(s) || s === 'bpchar') {
    if (typmods.length === 0) return sqlType(id);
    if (typmods.length > 1) throw new SbError(SqlState.syntax_error, 'invalid type modifier');
    return sqlType(id, charTypmod(typmods[0]!, id === 'bpchar' ? 'char' : 'varchar'));
  }
  switch (id) {
    case 'numeric': {
      if (typmods.length === 0) return sqlType('numeric');
      if (typmods.length > 2) throw new SbError(SqlState.invalid_parameter_value, 'invalid NUMERIC type modifier');
      return sqlType('numeric', numericTypmod(typmods[0]!, typmods[1] ?? 0));
    }
    case 'time':
    case 'timetz':
    case 'timestamp':
    case 'timestamptz': {
      if (typmods.length === 0) return sqlType(id);
      if (typmods.length > 1) throw new SbError(SqlState.syntax_error, 'invalid type modifier');
      const label = (id.startsWith('timestamp') ? 'TIMESTAMP' : 'TIME') + (id.endsWith('tz') ? ' WITH TIME ZONE' : '');
      return sqlType(id, datetimeTypmod(typmods[0]!, label, opts.warn));
    }
    case 'bit':
    case 'varbit': {
      // A type name's bit without a length is bit(1); bit varying has no limit.
      if (typmods.length > 1) throw new SbError(SqlState.syntax_error, 'invalid type modifier');
      if (typmods.length === 0) return id === 'bit' ? sqlType('bit', 1) : sqlType('varbit');
      const n = typmods[0]!;
      const label = id === 'bit' ? 'bit' : 'bit varying';
      if (n < 1) throw badParam(`length for type ${label} must be at least 1`);
      if (n > BIT_LENGTH_MAX) throw badParam(`length for type ${label} cannot exceed ${BIT_LENGTH_MAX}`);
      return sqlType(id, n);
    }
    default:
      if (typmods.length > 0) throw noTypmod(s.replace(/"/g, ''));
      return sqlType(id);
  }
}

/** The element type named by an array typname's tail ("_int4" -> int4, "_char" -> "char"). */
function elementByTypname(typname: string): TypeId | undefined {
  for (const id of allTypeIds()) {
    const info = typeInfo(id);
    if (info.typname === typname && info.arrayOid !== 0) return id;
  }
  return undefined;
}
