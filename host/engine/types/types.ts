// SQL type descriptors with PostgreSQL's identity: OIDs, pg_type attributes,
// categories and preferred types (overload resolution), array types.
//
// A SqlType is a value: { id, typmod, elem? }. Arrays have id 'array' and
// their element type in elem (PostgreSQL arrays of arrays do not exist: a
// multi-dimensional array is still one array type). typmod is encoded as
// PostgreSQL stores atttypmod (see type_names.ts), -1 when absent.

export type TypeId =
  | 'bool'
  | 'int2'
  | 'int4'
  | 'int8'
  | 'numeric'
  | 'float4'
  | 'float8'
  | 'text'
  | 'varchar'
  | 'bpchar'
  | 'name'
  | 'char'
  | 'bytea'
  | 'date'
  | 'time'
  | 'timetz'
  | 'timestamp'
  | 'timestamptz'
  | 'interval'
  | 'uuid'
  | 'bit'
  | 'varbit'
  | 'json'
  | 'jsonb'
  | 'oid'
  | 'regclass'
  | 'regtype'
  | 'regproc'
  | 'regprocedure'
  | 'regnamespace'
  | 'regrole'
  | 'xid'
  | 'cid'
  | 'tid'
  | 'unknown'
  | 'void'
  | 'record'
  | 'array'
  | 'any'
  | 'anyelement'
  | 'anyarray'
  | 'anynonarray'
  | 'anycompatible'
  | 'anycompatiblearray'
  | 'anycompatiblenonarray'
  | 'trigger';

export interface SqlType {
  readonly id: TypeId;
  /** PostgreSQL's atttypmod encoding; -1 when the type has no modifier. */
  readonly typmod: number;
  /** Element type of an array ('array' only). */
  readonly elem?: SqlType;
  /** Column types of a record, when known (used to format row values). */
  readonly fields?: readonly SqlType[];
  /** Column names of a record, when known (a FROM item's whole row: row_to_json(t)). */
  readonly names?: readonly string[];
}

/** pg_type.typcategory */
export type TypeCategory = 'A' | 'B' | 'C' | 'D' | 'E' | 'G' | 'I' | 'N' | 'P' | 'R' | 'S' | 'T' | 'U' | 'V' | 'X' | 'Z';

/** The pg_type attributes of a base or pseudo type. */
export interface TypeInfo {
  readonly id: TypeId;
  readonly oid: number;
  /** pg_type.typname */
  readonly typname: string;
  /** OID of the array type whose elements are this type (0 if none). */
  readonly arrayOid: number;
  readonly len: number;
  readonly byval: boolean;
  readonly category: TypeCategory;
  readonly preferred: boolean;
  readonly align: 'c' | 's' | 'i' | 'd';
  readonly storage: 'p' | 'x' | 'm' | 'e';
  readonly delim: string;
  readonly input: string;
  readonly output: string;
  readonly receive: string;
  readonly send: string;
  readonly typmodin: string;
  readonly typmodout: string;
  /** typtype: b base, p pseudo */
  readonly typtype: 'b' | 'p';
}

type Row = [
  TypeId,
  number,
  string,
  number,
  number,
  boolean,
  TypeCategory,
  boolean,
  'c' | 's' | 'i' | 'd',
  'p' | 'x' | 'm' | 'e',
  string,
  string,
  string,
  string,
  string,
  string,
];

// id, oid, typname, array oid, len, byval, category, preferred, align, storage,
// input, output, receive, send, typmodin, typmodout — as pg_type in PostgreSQL 15.
const ROWS: Row[] = [
  ['bool', 16, 'bool', 1000, 1, true, 'B', true, 'c', 'p', 'boolin', 'boolout', 'boolrecv', 'boolsend', '-', '-'],
  ['bytea', 17, 'bytea', 1001, -1, false, 'U', false, 'i', 'x', 'byteain', 'byteaout', 'bytearecv', 'byteasend', '-', '-'],
  ['char', 18, 'char', 1002, 1, true, 'Z', false, 'c', 'p', 'charin', 'charout', 'charrecv', 'charsend', '-', '-'],
  ['name', 19, 'name', 1003, 64, false, 'S', false, 'c', 'p', 'namein', 'nameout', 'namerecv', 'namesend', '-', '-'],
  ['int8', 20, 'int8', 1016, 8, true, 'N', false, 'd', 'p', 'int8in', 'int8out', 'int8recv', 'int8send', '-', '-'],
  ['int2', 21, 'int2', 1005, 2, true, 'N', false, 's', 'p', 'int2in', 'int2out', 'int2recv', 'int2send', '-', '-'],
  ['int4', 23, 'int4', 1007, 4, true, 'N', false, 'i', 'p', 'int4in', 'int4out', 'int4recv', 'int4send', '-', '-'],
  ['regproc', 24, 'regproc', 1008, 4, true, 'N', false, 'i', 'p', 'regprocin', 'regprocout', 'regprocrecv', 'regprocsend', '-', '-'],
  ['text', 25, 'text', 1009, -1, false, 'S', true, 'i', 'x', 'textin', 'textout', 'textrecv', 'textsend', '-', '-'],
  ['oid', 26, 'oid', 1028, 4, true, 'N', true, 'i', 'p', 'oidin', 'oidout', 'oidrecv', 'oidsend', '-', '-'],
  ['tid', 27, 'tid', 1010, 6, false, 'U', false, 's', 'p', 'tidin', 'tidout', 'tidrecv', 'tidsend', '-', '-'],
  ['xid', 28, 'xid', 1011, 4, true, 'U', false, 'i', 'p', 'xidin', 'xidout', 'xidrecv', 'xidsend', '-', '-'],
  ['cid', 29, 'cid', 1012, 4, true, 'U', false, 'i', 'p', 'cidin', 'cidout', 'cidrecv', 'cidsend', '-', '-'],
  ['json', 114, 'json', 199, -1, false, 'U', false, 'i', 'x', 'json_in', 'json_out', 'json_recv', 'json_send', '-', '-'],
  ['float4', 700, 'float4', 1021, 4, true, 'N', false, 'i', 'p', 'float4in', 'float4out', 'float4recv', 'float4send', '-', '-'],
  ['float8', 701, 'float8', 1022, 8, true, 'N', true, 'd', 'p', 'float8in', 'float8out', 'float8recv', 'float8send', '-', '-'],
  ['unknown', 705, 'unknown', 0, -2, false, 'X', false, 'c', 'p', 'unknownin', 'unknownout', 'unknownrecv', 'unknownsend', '-', '-'],
  ['bpchar', 1042, 'bpchar', 1014, -1, false, 'S', false, 'i', 'x', 'bpcharin', 'bpcharout', 'bpcharrecv', 'bpcharsend', 'bpchartypmodin', 'bpchartypmodout'],
  ['varchar', 1043, 'varchar', 1015, -1, false, 'S', false, 'i', 'x', 'varcharin', 'varcharout', 'varcharrecv', 'varcharsend', 'varchartypmodin', 'varchartypmodout'],
  ['date', 1082, 'date', 1182, 4, true, 'D', false, 'i', 'p', 'date_in', 'date_out', 'date_recv', 'date_send', '-', '-'],
  ['time', 1083, 'time', 1183, 8, true, 'D', false, 'd', 'p', 'time_in', 'time_out', 'time_recv', 'time_send', 'timetypmodin', 'timetypmodout'],
  ['timestamp', 1114, 'timestamp', 1115, 8, true, 'D', false, 'd', 'p', 'timestamp_in', 'timestamp_out', 'timestamp_recv', 'timestamp_send', 'timestamptypmodin', 'timestamptypmodout'],
  ['timestamptz', 1184, 'timestamptz', 1185, 8, true, 'D', true, 'd', 'p', 'timestamptz_in', 'timestamptz_out', 'timestamptz_recv', 'timestamptz_send', 'timestamptztypmodin', 'timestamptztypmodout'],
  ['interval', 1186, 'interval', 1187, 16, false, 'T', true, 'd', 'p', 'interval_in', 'interval_out', 'interval_recv', 'interval_send', 'intervaltypmodin', 'intervaltypmodout'],
  ['timetz', 1266, 'timetz', 1270, 12, false, 'D', false, 'd', 'p', 'timetz_in', 'timetz_out', 'timetz_recv', 'timetz_send', 'timetztypmodin', 'timetztypmodout'],
  ['numeric', 1700, 'numeric', 1231, -1, false, 'N', false, 'i', 'm', 'numeric_in', 'numeric_out', 'numeric_recv', 'numeric_send', 'numerictypmodin', 'numerictypmodout'],
  ['regprocedure', 2202, 'regprocedure', 2207, 4, true, 'N', false, 'i', 'p', 'regprocedurein', 'regprocedureout', 'regprocedurerecv', 'regproceduresend', '-', '-'],
  ['regclass', 2205, 'regclass', 2210, 4, true, 'N', false, 'i', 'p', 'regclassin', 'regclassout', 'regclassrecv', 'regclasssend', '-', '-'],
  ['regtype', 2206, 'regtype', 2211, 4, true, 'N', false, 'i', 'p', 'regtypein', 'regtypeout', 'regtyperecv', 'regtypesend', '-', '-'],
  ['record', 2249, 'record', 2287, -1, false, 'P', false, 'd', 'x', 'record_in', 'record_out', 'record_recv', 'record_send', '-', '-'],
  ['any', 2276, 'any', 0, 4, true, 'P', false, 'i', 'p', 'any_in', 'any_out', '-', '-', '-', '-'],
  ['anyarray', 2277, 'anyarray', 0, -1, false, 'P', false, 'd', 'x', 'anyarray_in', 'anyarray_out', 'anyarray_recv', 'anyarray_send', '-', '-'],
  ['void', 2278, 'void', 0, 4, true, 'P', false, 'i', 'p', 'void_in', 'void_out', 'void_recv', 'void_send', '-', '-'],
  ['trigger', 2279, 'trigger', 0, 4, true, 'P', false, 'i', 'p', 'trigger_in', 'trigger_out', '-', '-', '-', '-'],
  ['anyelement', 2283, 'anyelement', 0, 4, true, 'P', false, 'i', 'p', 'anyelement_in', 'anyelement_out', '-', '-', '-', '-'],
  ['anynonarray', 2776, 'anynonarray', 0, 4, true, 'P', false, 'i', 'p', 'anynonarray_in', 'anynonarray_out', '-', '-', '-', '-'],
  ['uuid', 2950, 'uuid', 2951, 16, false, 'U', false, 'c', 'p', 'uuid_in', 'uuid_out', 'uuid_recv', 'uuid_send', '-', '-'],
  ['bit', 1560, 'bit', 1561, -1, false, 'V', false, 'i', 'x', 'bit_in', 'bit_out', 'bit_recv', 'bit_send', 'bittypmodin', 'bittypmodout'],
  ['varbit', 1562, 'varbit', 1563, -1, false, 'V', true, 'i', 'x', 'varbit_in', 'varbit_out', 'varbit_recv', 'varbit_send', 'varbittypmodin', 'varbittypmodout'],
  ['jsonb', 3802, 'jsonb', 3807, -1, false, 'U', false, 'i', 'x', 'jsonb_in', 'jsonb_out', 'jsonb_recv', 'jsonb_send', '-', '-'],
  ['regnamespace', 4089, 'regnamespace', 4090, 4, true, 'N', false, 'i', 'p', 'regnamespacein', 'regnamespaceout', 'regnamespacerecv', 'regnamespacesend', '-', '-'],
  ['regrole', 4096, 'regrole', 4097, 4, true, 'N', false, 'i', 'p', 'regrolein', 'regroleout', 'regrolerecv', 'regrolesend', '-', '-'],
  ['anycompatible', 5077, 'anycompatible', 0, 4, true, 'P', false, 'i', 'p', 'anycompatible_in', 'anycompatible_out', '-', '-', '-', '-'],
  ['anycompatiblearray', 5078, 'anycompatiblearray', 0, -1, false, 'P', false, 'd', 'x', 'anycompatiblearray_in', 'anycompatiblearray_out', 'anycompatiblearray_recv', 'anycompatiblearray_send', '-', '-'],
  ['anycompatiblenonarray', 5079, 'anycompatiblenonarray', 0, 4, true, 'P', false, 'i', 'p', 'anycompatiblenonarray_in', 'anycompatiblenonarray_out', '-', '-', '-', '-'],
];

const PSEUDO: ReadonlySet<TypeId> = new Set<TypeId>([
  'unknown', 'void', 'record', 'any', 'anyelement', 'anyarray', 'anynonarray', 'anycompatible',
  'anycompatiblearray', 'anycompatiblenonarray', 'trigger',
]);

const INFO = new Map<TypeId, TypeInfo>();
const BY_OID = new Map<number, TypeInfo>();
const BY_ARRAY_OID = new Map<number, TypeInfo>();

for (const r of ROWS) {
  const info: TypeInfo = {
    id: r[0], oid: r[1], typname: r[2], arrayOid: r[3], len: r[4], byval: r[5], category: r[6], preferred: r[7],
    align: r[8], storage: r[9], delim: ',', input: r[10], output: r[11], receive: r[12], send: r[13],
    typmodin: r[14], typmodout: r[15], typtype: PSEUDO.has(r[0]) || r[0] === 'unknown' ? 'p' : 'b',
  };
  INFO.set(info.id, info);
  BY_OID.set(info.oid, info);
  if (info.arrayOid !== 0) BY_ARRAY_OID.set(info.arrayOid, info);
}

/** pg_type attributes of a base or pseudo type ('array' has no row of its own: see arrayTypeInfo). */
export function typeInfo(id: TypeId): TypeInfo {
  const info = INFO.get(id);
  if (info === undefined) throw new Error(`typeInfo: no pg_type row for ${id}`);
  return info;
}

/** The pg_type row of an array type, derived from its element's row as PostgreSQL's catalog has it. */
export function arrayTypeInfo(elem: SqlType): TypeInfo {
  const e = typeInfo(elem.id);
  return {
    id: 'array', oid: e.arrayOid, typname: '_' + e.typname, arrayOid: 0, len: -1, byval: false,
    category: elem.id === 'record' ? 'P' : 'A', preferred: false, align: e.align === 'd' ? 'd' : 'i', storage: 'x',
    delim: ',', input: 'array_in', output: 'array_out', receive: 'array_recv', send: 'array_send',
    typmodin: e.typmodin, typmodout: e.typmodout, typtype: elem.id === 'record' ? 'p' : 'b',
  };
}

/** pg_type attributes of any SqlType, arrays included. */
export function infoOf(t: SqlType): TypeInfo {
  return t.id === 'array' ? arrayTypeInfo(t.elem!) : typeInfo(t.id);
}

const SIMPLE = new Map<TypeId, SqlType>();

/** The type with no modifier (interned). */
export function sqlType(id: TypeId, typmod = -1): SqlType {
  if (id === 'array') throw new Error('sqlType: use arrayOf for arrays');
  if (typmod === -1) {
    let t = SIMPLE.get(id);
    if (t === undefined) {
      t = Object.freeze({ id, typmod: -1 });
      SIMPLE.set(id, t);
    }
    return t;
  }
  return Object.freeze({ id, typmod });
}

/** The array type of elem (the typmod of an array column is its element's typmod). */
export function arrayOf(elem: SqlType): SqlType {
  if (elem.id === 'array') return elem;
  if (typeInfo(elem.id).arrayOid === 0) throw new Error(`arrayOf: ${elem.id} has no array type`);
  return Object.freeze({ id: 'array', typmod: elem.typmod, elem });
}

/** A record type with known column types. */
export function recordOf(fields: readonly SqlType[], names?: readonly string[]): SqlType {
  if (names !== undefined) return Object.freeze({ id: 'record', typmod: -1, fields: Object.freeze([...fields]), names: Object.freeze([...names]) });
  return Object.freeze({ id: 'record', typmod: -1, fields: Object.freeze([...fields]) });
}

/** The OID PostgreSQL reports for the type (array types have their own OIDs, e.g. int4[] = 1007). */
export function typeOid(t: SqlType): number {
  if (t.id === 'array') return typeInfo(t.elem!.id).arrayOid;
  return typeInfo(t.id).oid;
}

/** The type named by an OID, base and array types alike; undefined for OIDs not modelled. */
export function typeByOid(oid: number, typmod = -1): SqlType | undefined {
  const base = BY_OID.get(oid);
  if (base !== undefined) return sqlType(base.id, typmod);
  const elem = BY_ARRAY_OID.get(oid);
  if (elem !== undefined) return arrayOf(sqlType(elem.id, typmod));
  return undefined;
}

/** Same type identity (typmods ignored). */
export function sameType(a: SqlType, b: SqlType): boolean {
  if (a.id !== b.id) return false;
  if (a.id === 'array') return sameType(a.elem!, b.elem!);
  return true;
}

/** Same type and the same modifier. */
export function sameTypeAndTypmod(a: SqlType, b: SqlType): boolean {
  return sameType(a, b) && a.typmod === b.typmod;
}

export function typeCategory(t: SqlType): TypeCategory {
  return infoOf(t).category;
}

export function isPreferredType(t: SqlType): boolean {
  return infoOf(t).preferred;
}

export function isPseudoType(t: SqlType): boolean {
  return t.id !== 'array' && PSEUDO.has(t.id);
}

/** Polymorphic pseudo types (matched against actual argument types by the binder). */
export function isPolymorphic(t: SqlType): boolean {
  switch (t.id) {
    case 'anyelement':
    case 'anyarray':
    case 'anynonarray':
    case 'anycompatible':
    case 'anycompatiblearray':
    case 'anycompatiblenonarray':
      return true;
    default:
      return false;
  }
}

export function isArrayType(t: SqlType): boolean {
  return t.id === 'array';
}

/** The string types whose values are JS strings and share text's operators. */
export function isStringType(t: SqlType): boolean {
  return t.id === 'text' || t.id === 'varchar' || t.id === 'bpchar' || t.id === 'name' || t.id === 'unknown';
}

export function isIntegerType(t: SqlType): boolean {
  return t.id === 'int2' || t.id === 'int4' || t.id === 'int8';
}

/** The reg* OID alias types. */
export function isRegType(t: SqlType): boolean {
  switch (t.id) {
    case 'regclass':
    case 'regtype':
    case 'regproc':
    case 'regprocedure':
    case 'regnamespace':
    case 'regrole':
      return true;
    default:
      return false;
  }
}

/** Every modelled base/pseudo type id (not 'array'). */
export function allTypeIds(): TypeId[] {
  return ROWS.map((r) => r[0]);
}

/** Frequently used types. */
export const T = {
  bool: sqlType('bool'),
  int2: sqlType('int2'),
  int4: sqlType('int4'),
  int8: sqlType('int8'),
  numeric: sqlType('numeric'),
  float4: sqlType('float4'),
  float8: sqlType('float8'),
  text: sqlType('text'),
  varchar: sqlType('varchar'),
  bpchar: sqlType('bpchar'),
  name: sqlType('name'),
  char: sqlType('char'),
  bytea: sqlType('bytea'),
  date: sqlType('date'),
  time: sqlType('time'),
  timetz: sqlType('timetz'),
  timestamp: sqlType('timestamp'),
  timestamptz: sqlType('timestamptz'),
  interval: sqlType('interval'),
  uuid: sqlType('uuid'),
  bit: sqlType('bit'),
  varbit: sqlType('varbit'),
  json: sqlType('json'),
  jsonb: sqlType('jsonb'),
  oid: sqlType('oid'),
  regclass: sqlType('regclass'),
  regtype: sqlType('regtype'),
  regproc: sqlType('regproc'),
  regprocedure: sqlType('regprocedure'),
  regnamespace: sqlType('regnamespace'),
  regrole: sqlType('regrole'),
  xid: sqlType('xid'),
  cid: sqlType('cid'),
  tid: sqlType('tid'),
  unknown: sqlType('unknown'),
  void: sqlType('void'),
  record: sqlType('record'),
  any: sqlType('any'),
  anyelement: sqlType('anyelement'),
  anyarray: sqlType('anyarray'),
  anynonarray: sqlType('anynonarray'),
  anycompatible: sqlType('anycompatible'),
  anycompatiblearray: sqlType('anycompatiblearray'),
  anycompatiblenonarray: sqlType('anycompatiblenonarray'),
  trigger: sqlType('trigger'),
} as const;
