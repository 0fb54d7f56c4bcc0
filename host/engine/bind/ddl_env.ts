// What DDL statements run against: the session's transaction, its catalog
// overlay, key space creation (durable, outside the transaction, before the
// catalog names the space) and removal (after the transaction commits), and
// an execution context for the statements that read or rewrite rows
// (CREATE INDEX, ALTER TABLE ... ADD COLUMN / ADD CONSTRAINT).
//
// Also PostgreSQL's object naming helpers (t_pkey, t_a_key, t_a_fkey,
// t_a_check, t_a_seq, t_a_idx) and sequence options.

import type * as A from '../../../sql-dialects/index.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { CatalogTxn } from '../catalog/catalog_store.ts';
import type { Oid, SequenceObj } from '../catalog/objects.ts';
import type { ExecContext } from '../exec/context.ts';
import type { SequenceRuntime } from '../exec/sequences.ts';
import { SbError, SqlState } from '../sb_error.ts';
import type { Keyspace, Store, Txn } from '../store/index.ts';
import { formatType } from '../types/type_names.ts';
import { T, type SqlType } from '../types/types.ts';
import type { BindEnv } from './context.ts';
import { resolveType } from './names.ts';

export interface DdlEnv {
  store: Store;
  txn: Txn;
  cat: CatalogTxn;
  sequences: SequenceRuntime;
  /** The catalog as this transaction sees it now. */
  catalog(): Catalog;
  /** A binding environment over the current catalog. */
  bindEnv(): BindEnv;
  /** Creates a key space now (it is dropped again if the transaction rolls back). */
  createKeyspace(name: string): Promise<Keyspace>;
  /** Drops a key space once the transaction has committed. */
  dropKeyspaceOnCommit(name: string): void;
  notice(message: string): void;
  /** The statement runs inside an explicit transaction block. */
  inBlock: boolean;
  /** The text the statement was parsed from. */
  sql: string;
  /** An execution context over the current catalog, inside the statement. */
  execContext(): ExecContext;
}

/** NAMEDATALEN - 1: PostgreSQL truncates identifiers to 63 bytes. */
export const IDENTIFIER_BYTES_MAX = 63;

const enc = new TextEncoder();

function truncateBytes(s: string, max: number): string {
  if (enc.encode(s).length <= max) return s;
  let out = '';
  for (const ch of s) {
    if (enc.encode(out + ch).length > max) break;
    out += ch;
  }
  return out;
}

/** makeObjectName: name1_name2_label, shortening the longer of name1/name2 to fit 63 bytes. */
export function makeObjectName(name1: string, name2: string | undefined, label: string): string {
  let a = name1;
  let b = name2 ?? '';
  const over = (): number => enc.encode(a).length + (b ? enc.encode(b).length + 1 : 0) + (label ? enc.encode(label).length + 1 : 0) - IDENTIFIER_BYTES_MAX;
  while (over() > 0) {
    if (enc.encode(a).length > enc.encode(b).length) a = truncateBytes(a, enc.encode(a).length - 1);
    else b = truncateBytes(b, enc.encode(b).length - 1);
  }
  return [a, b, label].filter((x) => x !== '').join('_');
}

/** ChooseRelationName / ChooseConstraintName: the first of name, name1, name2... that is free. */
export function chooseName(catalog: Catalog, schemaOid: Oid, tableOid: Oid | undefined, name1: string, name2: string | undefined, label: string, taken: Set<string> = new Set()): string {
  for (let pass = 0; ; pass++) {
    const mod = pass === 0 ? label : `${label}${pass}`;
    const name = makeObjectName(name1, name2, mod);
    if (taken.has(name)) continue;
    if (catalog.relation(schemaOid, name)) continue;
    if (tableOid !== undefined && catalog.constraint(tableOid, name)) continue;
    return name;
  }
}

export function refActionCode(a: A.RefAction | undefined): 'a' | 'r' | 'c' | 'n' | 'd' {
  switch (a) {
    case 'CASCADE':
      return 'c';
    case 'SET NULL':
      return 'n';
    case 'SET DEFAULT':
      return 'd';
    case 'RESTRICT':
      return 'r';
    default:
      return 'a';
  }
}

// ---- sequences ------------------------------------------------------------------------------

const TYPE_RANGE: Record<string, [number, number]> = {
  int2: [-32768, 32767],
  int4: [-2147483648, 2147483647],
  int8: [-9223372036854775808, 9223372036854775807],
};

function optNumber(bind: BindEnv, o: A.SqlOption): number {
  let e = o.value;
  let neg = false;
  while (e && e.kind === 'unary' && (e.op === '-' || e.op === '+')) {
    if (e.op === '-') neg = !neg;
    e = e.operand;
  }
  if (!e || e.kind !== 'number' || !/^\d+$/.test(e.value)) {
    throw new SbError(SqlState.syntax_error, `${o.name} requires an integer value`);
  }
  void bind;
  const v = Number(e.value);
  return neg ? -v : v;
}

export interface SequenceSpec {
  type: SqlType;
  start: number;
  increment: number;
  min: number;
  max: number;
  cache: number;
  cycle: boolean;
  /** OWNED BY: the column as written, or null for NONE. */
  ownedBy?: A.QName | null;
  restart?: number | true;
}

/** Applies CREATE/ALTER SEQUENCE options (or identity options) over a current spec. */
export function sequenceSpec(bind: BindEnv, options: A.SqlOption[], base?: SequenceObj, defaultType: SqlType = T.int8): SequenceSpec {
  let type = base?.type ?? defaultType;
  let increment = base?.increment;
  let min: number | null | undefined = base?.min;
  let max: number | null | undefined = base?.max;
  let start = base?.start;
  let cache = base?.cache ?? 1;
  let cycle = base?.cycle ?? false;
  let ownedBy: A.QName | null | undefined;
  let restart: number | true | undefined;
  let typeChanged = false;
  for (const o of options) {
    switch (o.name) {
      case 'AS': {
        const v = o.value;
        const name = v?.kind === 'column' ? v.name : undefined;
        if (!name) throw new SbError(SqlState.syntax_error, 'AS requires a type name');
        type = resolveType(bind, { kind: 'type', name }).type;
        if (!['int2', 'int4', 'int8'].includes(type.id)) {
          throw new SbError(SqlState.invalid_parameter_value, 'sequence type must be smallint, integer, or bigint');
        }
        typeChanged = true;
        break;
      }
      case 'INCREMENT':
      case 'INCREMENT BY':
        increment = optNumber(bind, o);
        if (increment === 0) throw new SbError(SqlState.invalid_parameter_value, 'INCREMENT must not be zero');
        break;
      case 'MINVALUE':
        min = optNumber(bind, o);
        break;
      case 'NO MINVALUE':
        min = null;
        break;
      case 'MAXVALUE':
        max = optNumber(bind, o);
        break;
      case 'NO MAXVALUE':
        max = null;
        break;
      case 'START':
      case 'START WITH':
        start = optNumber(bind, o);
        break;
      case 'RESTART':
      case 'RESTART WITH':
        restart = o.value ? optNumber(bind, o) : true;
        break;
      case 'CACHE':
        cache = optNumber(bind, o);
        if (cache <= 0) throw new SbError(SqlState.invalid_parameter_value, `CACHE (${cache}) must be greater than zero`);
        break;
      case 'CYCLE':
        cycle = true;
        break;
      case 'NO CYCLE':
        cycle = false;
        break;
      case 'OWNED BY': {
        const v = o.value;
        if (v?.kind === 'column' && v.name.length === 1 && v.name[0]!.value.toUpperCase() === 'NONE' && !v.name[0]!.quoted) ownedBy = null;
        else if (v?.kind === 'column') ownedBy = v.name;
        else throw new SbError(SqlState.syntax_error, 'OWNED BY requires a column');
        break;
      }
      case 'SEQUENCE NAME':
        break;
      default:
        throw new SbError(SqlState.feature_not_supported, `sequence option ${o.name} is not supported`);
    }
  }
  increment ??= 1;
  const [tmin, tmax] = TYPE_RANGE[type.id]!;
  if (min === null || min === undefined || (typeChanged && base && min === base.min)) min = increment > 0 ? 1 : tmin;
  if (max === null || max === undefined || (typeChanged && base && max === base.max)) max = increment > 0 ? tmax : -1;
  if (min < tmin || min > tmax) throw new SbError(SqlState.invalid_parameter_value, `MINVALUE (${min}) is out of range for sequence data type ${formatType(type)}`);
  if (max < tmin || max > tmax) throw new SbError(SqlState.invalid_parameter_value, `MAXVALUE (${max}) is out of range for sequence data type ${formatType(type)}`);
  if (min >= max) throw new SbError(SqlState.invalid_parameter_value, `MINVALUE (${min}) must be less than MAXVALUE (${max})`);
  start ??= increment > 0 ? min : max;
  if (start < min) throw new SbError(SqlState.invalid_parameter_value, `START value (${start}) cannot be less than MINVALUE (${min})`);
  if (start > max) throw new SbError(SqlState.invalid_parameter_value, `START value (${start}) cannot be greater than MAXVALUE (${max})`);
  const spec: SequenceSpec = { type, start, increment, min, max, cache, cycle };
  if (ownedBy !== undefined) spec.ownedBy = ownedBy;
  if (restart !== undefined) spec.restart = restart;
  return spec;
}
