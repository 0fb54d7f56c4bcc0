// PostgreSQL's system catalogs as live views of the ScratchBird catalog:
// pg_catalog.pg_namespace, pg_class, pg_attribute, pg_type, pg_index,
// pg_constraint, pg_attrdef, pg_database, pg_roles, pg_am, pg_tables,
// pg_views, pg_indexes, pg_description (empty) and
// information_schema.schemata, tables, columns — enough for psql's \d
// commands, drivers' type fetches on connect and ORMs' introspection — plus
// the catalog functions clients call (pg_get_userbyid, pg_table_is_visible,
// format_type, pg_get_indexdef, pg_get_constraintdef, pg_get_expr,
// obj_description, col_description, has_*_privilege...).
//
// A reference to one of these relations binds to a VALUES list computed from
// the catalog the statement sees (its own uncommitted DDL included). The plan
// cache keys compiled statements by catalog version, so a cached plan never
// shows a stale catalog. As in PostgreSQL, pg_catalog is searched before the
// search_path for unqualified names.

import type * as A from '../../../sql-dialects/index.ts';
import type { Cx } from '../bind/context.ts';
import { fold } from '../bind/context.ts';
import { addDerived, registerFromBinder } from '../bind/from.ts';
import { defFn, registry } from '../functions/registry.ts';
import type { EvalContext } from '../functions/context.ts';
import type { ColInfo, Expr, Plan } from '../plan/nodes.ts';
import { SqlArray } from '../types/array.ts';
import { formatType } from '../types/type_names.ts';
import { allTypeIds, arrayOf, arrayTypeInfo, infoOf, sqlType, T, typeByOid, typeInfo, type SqlType, type TypeInfo } from '../types/types.ts';
import type { Catalog } from './catalog.ts';
import type { CatalogObj, ColumnObj, ConstraintObj, IndexObj, RoleObj, SchemaObj, TableObj, ViewObj } from './objects.ts';
import { keyExprName, OID } from './objects.ts';
import { hasPrivilege } from '../session/grants.ts';
import { columnAclText, columnGrantRows, hasColumnPrivilege, hasSchemaPrivilege, PRIVILEGE_NAME, relationAclText, relationGrantRows, schemaAclText } from './acl.ts';
import { SbError, SqlState } from '../sb_error.ts';

const aclArray = (items: string[] | null): SqlArray | null => (items ? SqlArray.of(text, items) : null);
import { Settings } from '../session/settings.ts';
import { advisoryLockTables } from '../session/advisory_locks.ts';
import { tableLockTables } from '../session/lock_table.ts';
import { TABLE_LOCK_NAMES } from '../store/table_locks.ts';

/** What the functions below need from the session: set by Session.evalContext(). */
export interface CatalogAccess {
  catalog?: () => Catalog;
  dbOid?: number;
  /** The session's open SQL cursors (pg_cursors; creationTime in µs since 2000-01-01). */
  cursorRows?: () => Array<{ name: string; statement: string; holdable: boolean; binary: boolean; scrollable: boolean; creationTime: number }>;
}

interface Env {
  catalog: Catalog;
  dbOid: number;
  dbName: string;
  /** The session's current value of a setting (read only by volatile relations). */
  setting?: (name: string) => string | undefined;
  cursorRows?: CatalogAccess['cursorRows'];
}

type ColDef = [string, SqlType];

interface SystemRelation {
  cols: ColDef[];
  rows(env: Env): unknown[][];
  /** Rows change without catalog changes: a statement reading it is never plan-cached. */
  volatile?: boolean;
}

const text = T.text;
const name = T.name;
const oid = T.oid;
const int2 = T.int2;
const int4 = T.int4;
const bool = T.bool;
const char = T.char;
const textArr = arrayOf(T.text);
const int2Arr = arrayOf(T.int2);
const oidArr = arrayOf(T.oid);

const HEAP_AM = 2;
const BTREE_AM = 403;
const DEFAULT_COLLATION = 100;
const UTF8_ENCODING = 6;

// ---------------------------------------------------------------- helpers

function objects(c: Catalog): CatalogObj[] {
  return [...c.objects.values()];
}

function inDb<T extends CatalogObj>(env: Env, kind: T['kind']): T[] {
  return objects(env.catalog).filter((o) => o.kind === kind && (!('dbOid' in o) || o.dbOid === env.dbOid)) as T[];
}

function schemaName(c: Catalog, schemaOid: number): string {
  if (schemaOid === OID.pgCatalog) return 'pg_catalog';
  if (schemaOid === OID.informationSchema) return 'information_schema';
  const s = c.get(schemaOid);
  return s?.kind === 'schema' ? s.name : String(schemaOid);
}

function roleName(c: Catalog, roleOid: number): string {
  const r = c.get(roleOid);
  return r?.kind === 'role' ? r.name : `unknown (OID=${roleOid})`;
}

function liveColumns(t: TableObj): ColumnObj[] {
  return t.columns.filter((c) => !c.dropped);
}

function typeOidOf(t: SqlType): number {
  return t.id === 'array' ? typeInfo(t.elem!.id).arrayOid : typeInfo(t.id).oid;
}

function collationOf(t: SqlType): number {
  const base = t.id === 'array' ? t.elem! : t;
  return base.id === 'text' || base.id === 'varchar' || base.id === 'bpchar' || base.id === 'name' ? DEFAULT_COLLATION : 0;
}

function ownerOf(c: Catalog, o: CatalogObj): number {
  if ('owner' in o) return o.owner;
  if (o.kind === 'index' || o.kind === 'constraint') {
    const t = c.get(o.tableOid);
    if (t && 'owner' in t) return t.owner;
  }
  return OID.bootstrapSuperuser;
}

function quoteIdent(s: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replaceAll('"', '""')}"`;
}

function qualified(c: Catalog, schemaOid: number, n: string): string {
  const s = schemaName(c, schemaOid);
  return s === 'public' || s === 'pg_catalog' ? quoteIdent(n) : `${quoteIdent(s)}.${quoteIdent(n)}`;
}

function columnName(c: Catalog, tableOid: number, attnum: number): string {
  const t = c.get(tableOid);
  const col = t?.kind === 'table' ? t.columns.find((x) => x.attnum === attnum) : undefined;
  return col ? quoteIdent(col.name) : String(attnum);
}

export function indexDef(c: Catalog, ix: IndexObj): string {
  const t = c.get(ix.tableOid);
  const keys = ix.keys.map((k) => `${k.expr !== undefined ? keyExprName(k.expr) : columnName(c, ix.tableOid, k.attnum)}${k.desc ? ' DESC' : ''}${k.desc !== k.nullsFirst ? (k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST') : ''}`);
  const table = t && 'schemaOid' in t ? `${schemaName(c, t.schemaOid)}.${quoteIdent(t.name)}` : String(ix.tableOid);
  return `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(ix.name)} ON ${table} USING btree (${keys.join(', ')})${ix.nullsNotDistinct ? ' NULLS NOT DISTINCT' : ''}${ix.where ? ` WHERE ${ix.where}` : ''}`;
}

const REF_ACTION: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

export function constraintDef(c: Catalog, k: ConstraintObj): string {
  const cols = (tableOid: number, attnums: number[]): string => attnums.map((a) => columnName(c, tableOid, a)).join(', ');
  let s: string;
  switch (k.type) {
    case 'p':
      s = `PRIMARY KEY (${cols(k.tableOid, k.attnums)})`;
      break;
    case 'u':
      s = `UNIQUE (${cols(k.tableOid, k.attnums)})`;
      break;
    case 'c':
      s = `CHECK (${k.check ?? 'true'})`;
      break;
    case 'f': {
      const r = k.ref!;
      const target = c.get(r.tableOid);
      s = `FOREIGN KEY (${cols(k.tableOid, k.attnums)}) REFERENCES ${target && 'schemaOid' in target ? qualified(c, target.schemaOid, target.name) : r.tableOid}(${cols(r.tableOid, r.attnums)})`;
      if (r.match === 'f') s += ' MATCH FULL';
      if (r.onUpdate !== 'a') s += ` ON UPDATE ${REF_ACTION[r.onUpdate]}`;
      if (r.onDelete !== 'a') s += ` ON DELETE ${REF_ACTION[r.onDelete]}`;
      break;
    }
  }
  if (k.deferrable) s += k.deferred ? ' DEFERRABLE INITIALLY DEFERRED' : ' DEFERRABLE';
  return s;
}

/**
 * A stored default as PostgreSQL deparses it: defaults keep relations by OID
 * (nextval('16397'::regclass)) so renames cannot break them; clients expect
 * the name (nextval('t_id_seq'::regclass)).
 */
export function deparseDefault(c: Catalog, text: string): string {
  return text.replace(/'(\d+)'::regclass/g, (all, digits: string) => {
    const o = c.get(Number(digits));
    if (!o || !('schemaOid' in o)) return all;
    return `'${qualified(c, o.schemaOid, o.name).replaceAll("'", "''")}'::regclass`;
  });
}

/** information_schema's data_type: the SQL-standard name without modifiers. */
function standardTypeName(t: SqlType): string {
  if (t.id === 'array') return 'ARRAY';
  return formatType(sqlType(t.id), false);
}

// ---------------------------------------------------------------- pg_type rows

function typeRows(): unknown[][] {
  const rows: unknown[][] = [];
  const push = (i: TypeInfo, elemOid: number): void => {
    rows.push([
      i.oid, i.typname, OID.pgCatalog, OID.bootstrapSuperuser, i.len, i.byval, i.typtype, i.category, i.preferred, true, i.delim, 0,
      elemOid !== 0 ? 'array_subscript_handler' : '-', elemOid, i.arrayOid, i.input, i.output, i.receive, i.send, i.typmodin, i.typmodout, '-',
      i.align, i.storage, false, 0, -1, 0, i.id === 'text' || i.id === 'varchar' || i.id === 'bpchar' || i.id === 'name' ? DEFAULT_COLLATION : 0, null, null, null,
    ]);
  };
  for (const id of allTypeIds()) {
    let i: TypeInfo;
    try {
      i = typeInfo(id);
    } catch {
      continue;
    }
    if (i.oid === 0) continue;
    push(i, 0);
    if (i.arrayOid !== 0) push(arrayTypeInfo(sqlType(id)), i.oid);
  }
  return rows;
}

let typeRowsCache: unknown[][] | undefined;

// ---------------------------------------------------------------- the relations

const REL = new Map<string, SystemRelation>();

function rel(schema: 'pg_catalog' | 'information_schema', relName: string, cols: ColDef[], rows: (env: Env) => unknown[][], volatile = false): void {
  REL.set(`${schema}.${relName}`, { cols, rows, volatile });
}

rel('pg_catalog', 'pg_namespace', [['oid', oid], ['nspname', name], ['nspowner', oid], ['nspacl', textArr]], (env) => [
  [OID.pgCatalog, 'pg_catalog', OID.bootstrapSuperuser, null],
  [OID.informationSchema, 'information_schema', OID.bootstrapSuperuser, null],
  ...inDb<SchemaObj>(env, 'schema').map((s) => [s.oid, s.name, s.owner, aclArray(schemaAclText(env.catalog, s))]),
]);

rel('pg_catalog', 'pg_class', [
  ['oid', oid], ['relname', name], ['relnamespace', oid], ['reltype', oid], ['reloftype', oid], ['relowner', oid], ['relam', oid], ['relfilenode', oid],
  ['reltablespace', oid], ['relpages', int4], ['reltuples', T.float4], ['relallvisible', int4], ['reltoastrelid', oid], ['relhasindex', bool], ['relisshared', bool],
  ['relpersistence', char], ['relkind', char], ['relnatts', int2], ['relchecks', int2], ['relhasrules', bool], ['relhastriggers', bool], ['relhassubclass', bool],
  ['relrowsecurity', bool], ['relforcerowsecurity', bool], ['relispopulated', bool], ['relreplident', char], ['relispartition', bool], ['relrewrite', oid],
  ['relfrozenxid', T.xid], ['relminmxid', T.xid], ['relacl', textArr], ['reloptions', textArr], ['relpartbound', text],
], (env) => {
  const c = env.catalog;
  const out: unknown[][] = [];
  for (const o of objects(c)) {
    if (!(o.kind === 'table' || o.kind === 'view' || o.kind === 'sequence' || o.kind === 'index') || o.dbOid !== env.dbOid) continue;
    const relkind = o.kind === 'table' ? (o.matview ? 'm' : 'r') : o.kind === 'view' ? 'v' : o.kind === 'sequence' ? 'S' : 'i';
    const natts = o.kind === 'table' ? liveColumns(o).length : o.kind === 'view' ? o.columns.length : o.kind === 'index' ? o.keys.length : 3;
    const hasIndex = o.kind === 'table' && c.indexesOf(o.oid).length > 0;
    const checks = o.kind === 'table' ? c.constraintsOf(o.oid).filter((k) => k.type === 'c').length : 0;
    const triggers = o.kind === 'table' && objects(c).some((k) => k.kind === 'constraint' && k.type === 'f' && (k.tableOid === o.oid || k.ref?.tableOid === o.oid));
    out.push([
      o.oid, o.name, o.schemaOid, 0, 0, ownerOf(c, o), o.kind === 'table' ? HEAP_AM : o.kind === 'index' ? BTREE_AM : 0, o.oid,
      0, 0, -1, 0, 0, hasIndex, false,
      o.kind === 'table' && o.temp ? 't' : 'p', relkind, natts, checks, o.kind === 'view', triggers, false,
      false, false, !(o.kind === 'table' && o.matview && !o.matview.populated), o.kind === 'table' || o.kind === 'index' ? 'd' : 'n', false, 0,
      0, 0, o.kind === 'table' || o.kind === 'view' ? aclArray(relationAclText(c, o)) : null, o.kind === 'view' && o.checkOption ? SqlArray.of(text, [`check_option=${o.checkOption}`]) : null, null,
    ]);
  }
  return out;
});

rel('pg_catalog', 'pg_attribute', [
  ['attrelid', oid], ['attname', name], ['atttypid', oid], ['attstattarget', int4], ['attlen', int2], ['attnum', int2], ['attndims', int4], ['attcacheoff', int4],
  ['atttypmod', int4], ['attbyval', bool], ['attalign', char], ['attstorage', char], ['attcompression', char], ['attnotnull', bool], ['atthasdef', bool],
  ['atthasmissing', bool], ['attidentity', char], ['attgenerated', char], ['attisdropped', bool], ['attislocal', bool], ['attinhcount', int4],
  ['attcollation', oid], ['attacl', textArr], ['attoptions', textArr], ['attfdwoptions', textArr], ['attmissingval', textArr],
], (env) => {
  const c = env.catalog;
  const out: unknown[][] = [];
  let acl: SqlArray | null = null; // the column's attacl, set before each row of a table or view
  const row = (relOid: number, attname: string, t: SqlType, attnum: number, notNull: boolean, hasDef: boolean, identity: string, generated: string, dropped: boolean): unknown[] => {
    const i = infoOf(t);
    return [
      relOid, attname, dropped ? 0 : typeOidOf(t), -1, i.len, attnum, t.id === 'array' ? 1 : 0, -1,
      t.typmod, i.byval, i.align, i.storage, '', notNull, hasDef,
      false, identity, generated, dropped, true, 0,
      collationOf(t), acl, null, null, null,
    ];
  };
  for (const o of objects(c)) {
    if (o.kind === 'table' && o.dbOid === env.dbOid) {
      for (const col of o.columns) {
        acl = aclArray(columnAclText(c, o, col.attnum));
        out.push(row(o.oid, col.dropped ? `........pg.dropped.${col.attnum}........` : col.name, col.type, col.attnum, col.notNull, col.default !== undefined, col.identity ?? '', col.generated ? 's' : '', col.dropped === true));
      }
    } else if (o.kind === 'view' && o.dbOid === env.dbOid) {
      o.columns.forEach((col, i) => {
        acl = aclArray(columnAclText(c, o, i + 1));
        out.push(row(o.oid, col.name, col.type, i + 1, false, false, '', '', false));
      });
      acl = null;
    } else if (o.kind === 'index' && o.dbOid === env.dbOid) {
      const t = c.get(o.tableOid);
      o.keys.forEach((k, i) => {
        const col = t?.kind === 'table' ? t.columns.find((x) => x.attnum === k.attnum) : undefined;
        if (col) out.push(row(o.oid, col.name, col.type, i + 1, false, false, '', '', false));
      });
    }
  }
  return out;
});

rel('pg_catalog', 'pg_type', [
  ['oid', oid], ['typname', name], ['typnamespace', oid], ['typowner', oid], ['typlen', int2], ['typbyval', bool], ['typtype', char], ['typcategory', char],
  ['typispreferred', bool], ['typisdefined', bool], ['typdelim', char], ['typrelid', oid], ['typsubscript', text], ['typelem', oid], ['typarray', oid],
  ['typinput', text], ['typoutput', text], ['typreceive', text], ['typsend', text], ['typmodin', text], ['typmodout', text], ['typanalyze', text],
  ['typalign', char], ['typstorage', char], ['typnotnull', bool], ['typbasetype', oid], ['typtypmod', int4], ['typndims', int4], ['typcollation', oid],
  ['typdefaultbin', text], ['typdefault', text], ['typacl', textArr],
], () => (typeRowsCache ??= typeRows()));

rel('pg_catalog', 'pg_index', [
  ['indexrelid', oid], ['indrelid', oid], ['indnatts', int2], ['indnkeyatts', int2], ['indisunique', bool], ['indnullsnotdistinct', bool], ['indisprimary', bool],
  ['indisexclusion', bool], ['indimmediate', bool], ['indisclustered', bool], ['indisvalid', bool], ['indcheckxmin', bool], ['indisready', bool], ['indislive', bool],
  ['indisreplident', bool], ['indkey', int2Arr], ['indcollation', oidArr], ['indclass', oidArr], ['indoption', int2Arr], ['indexprs', text], ['indpred', text],
], (env) => inDb<IndexObj>(env, 'index').map((ix) => [
  ix.oid, ix.tableOid, ix.keys.length, ix.keys.length, ix.unique, ix.nullsNotDistinct === true, ix.primary,
  false, true, false, true, false, true, true,
  false, SqlArray.of(int2, ix.keys.map((k) => k.attnum)), SqlArray.of(oid, ix.keys.map(() => 0)), SqlArray.of(oid, ix.keys.map(() => 0)),
  SqlArray.of(int2, ix.keys.map((k) => (k.desc ? 1 : 0) | (k.nullsFirst ? 2 : 0))),
  ix.keys.some((k) => k.expr !== undefined) ? ix.keys.filter((k) => k.expr !== undefined).map((k) => k.expr).join(', ') : null, ix.where ?? null,
]));

rel('pg_catalog', 'pg_constraint', [
  ['oid', oid], ['conname', name], ['connamespace', oid], ['contype', char], ['condeferrable', bool], ['condeferred', bool], ['convalidated', bool],
  ['conrelid', oid], ['contypid', oid], ['conindid', oid], ['conparentid', oid], ['confrelid', oid], ['confupdtype', char], ['confdeltype', char],
  ['confmatchtype', char], ['conislocal', bool], ['coninhcount', int4], ['connoinherit', bool], ['conkey', int2Arr], ['confkey', int2Arr], ['conbin', text],
], (env) => inDb<ConstraintObj>(env, 'constraint').map((k) => [
  k.oid, k.name, k.schemaOid, k.type, k.deferrable === true, k.deferred === true, true,
  k.tableOid, 0, k.indexOid ?? 0, 0, k.ref?.tableOid ?? 0, k.ref?.onUpdate ?? ' ', k.ref?.onDelete ?? ' ',
  k.ref?.match ?? ' ', true, 0, false, SqlArray.of(int2, k.attnums), k.ref ? SqlArray.of(int2, k.ref.attnums) : null, k.check ?? null,
]));

rel('pg_catalog', 'pg_attrdef', [['oid', oid], ['adrelid', oid], ['adnum', int2], ['adbin', text]], (env) => {
  const out: unknown[][] = [];
  for (const t of inDb<TableObj>(env, 'table')) {
    for (const col of liveColumns(t)) if (col.default !== undefined) out.push([t.oid * 1000 + col.attnum, t.oid, col.attnum, deparseDefault(env.catalog, col.default)]);
  }
  return out;
});

/** The system catalog a commented object lives in (pg_description.classoid), shared ones (pg_shdescription) flagged. */
function descriptionClass(o: CatalogObj): { classoid: number; shared: boolean } {
  switch (o.kind) {
    case 'database':
      return { classoid: 1262, shared: true };
    case 'role':
      return { classoid: 1260, shared: true };
    case 'schema':
      return { classoid: 2615, shared: false };
    case 'constraint':
      return { classoid: 2606, shared: false };
    default:
      return { classoid: 1259, shared: false };
  }
}

const DESCRIPTION_CLASSES: Record<string, number> = { pg_proc: 1255, pg_class: 1259, pg_namespace: 2615, pg_constraint: 2606, pg_database: 1262, pg_authid: 1260 };

rel('pg_catalog', 'pg_description', [['objoid', oid], ['classoid', oid], ['objsubid', int4], ['description', text]], (env) => {
  const out: unknown[][] = [];
  for (const o of objects(env.catalog)) {
    const cls = descriptionClass(o);
    if (cls.shared) continue;
    if ('comment' in o && o.comment !== undefined) out.push([o.oid, cls.classoid, 0, o.comment]);
    if (o.kind === 'table') for (const col of liveColumns(o)) if (col.comment !== undefined) out.push([o.oid, 1259, col.attnum, col.comment]);
    if (o.kind === 'view') o.columns.forEach((col, i) => col.comment !== undefined && out.push([o.oid, 1259, i + 1, col.comment]));
  }
  const db = env.catalog.get(env.dbOid);
  if (db?.kind === 'database') for (const [fn, text] of Object.entries(db.functionComments ?? {})) out.push([Number(fn), 1255, 0, text]);
  return out;
});

rel('pg_catalog', 'pg_shdescription', [['objoid', oid], ['classoid', oid], ['description', text]], (env) => {
  const out: unknown[][] = [];
  for (const o of objects(env.catalog)) {
    if (!descriptionClass(o).shared) continue;
    if ('comment' in o && o.comment !== undefined) out.push([o.oid, descriptionClass(o).classoid, o.comment]);
  }
  return out;
});

rel('pg_catalog', 'pg_database', [
  ['oid', oid], ['datname', name], ['datdba', oid], ['encoding', int4], ['datlocprovider', char], ['datistemplate', bool], ['datallowconn', bool],
  ['datconnlimit', int4], ['datfrozenxid', T.xid], ['datminmxid', T.xid], ['dattablespace', oid], ['datcollate', text], ['datctype', text],
  ['daticulocale', text], ['datcollversion', text], ['datacl', textArr],
], (env) => objects(env.catalog).filter((o) => o.kind === 'database').map((d) => [
  d.oid, (d as { name: string }).name, (d as { owner: number }).owner, UTF8_ENCODING, 'c', false, true, -1, 0, 1, 1663, 'C', 'C', null, null, null,
]));

const ROLE_COLS: ColDef[] = [
  ['rolname', name], ['rolsuper', bool], ['rolinherit', bool], ['rolcreaterole', bool], ['rolcreatedb', bool], ['rolcanlogin', bool], ['rolreplication', bool],
  ['rolconnlimit', int4], ['rolpassword', text], ['rolvaliduntil', T.timestamptz], ['rolbypassrls', bool], ['rolconfig', textArr], ['oid', oid],
];
rel('pg_catalog', 'pg_roles', ROLE_COLS, (env) => inDb<RoleObj>(env, 'role').map((r) => [
  r.name, r.superuser, r.inherit, r.createrole, r.createdb, r.login, false, -1, '********', null, r.superuser, null, r.oid,
]));

rel('pg_catalog', 'pg_user', [['usename', name], ['usesysid', oid], ['usecreatedb', bool], ['usesuper', bool], ['userepl', bool], ['usebypassrls', bool], ['passwd', text], ['valuntil', T.timestamptz], ['useconfig', textArr]],
  (env) => inDb<RoleObj>(env, 'role').filter((r) => r.login).map((r) => [r.name, r.oid, r.createdb, r.superuser, false, r.superuser, '********', null, null]));

rel('pg_catalog', 'pg_auth_members', [['oid', oid], ['roleid', oid], ['member', oid], ['grantor', oid], ['admin_option', bool]], (env) => {
  const out: unknown[][] = [];
  for (const r of inDb<RoleObj>(env, 'role')) for (const m of r.memberOf) out.push([r.oid * 1000 + m, m, r.oid, OID.bootstrapSuperuser, false]);
  return out;
});

rel('pg_catalog', 'pg_am', [['oid', oid], ['amname', name], ['amhandler', text], ['amtype', char]], () => [
  [HEAP_AM, 'heap', 'heap_tableam_handler', 't'], [BTREE_AM, 'btree', 'bthandler', 'i'],
]);

rel('pg_catalog', 'pg_inherits', [['inhrelid', oid], ['inhparent', oid], ['inhseqno', int4], ['inhdetachpending', bool]], () => []);
rel('pg_catalog', 'pg_partitioned_table', [['partrelid', oid], ['partstrat', char], ['partnatts', int2], ['partdefid', oid]], () => []);
rel('pg_catalog', 'pg_trigger', [
  ['oid', oid], ['tgrelid', oid], ['tgparentid', oid], ['tgname', name], ['tgfoid', oid], ['tgtype', int2], ['tgenabled', char], ['tgisinternal', bool],
  ['tgconstrrelid', oid], ['tgconstrindid', oid], ['tgconstraint', oid], ['tgdeferrable', bool], ['tginitdeferred', bool], ['tgnargs', int2],
  ['tgattr', int2Arr], ['tgargs', T.bytea], ['tgqual', text], ['tgoldtable', name], ['tgnewtable', name],
], () => []);
rel('pg_catalog', 'pg_statistic_ext', [
  ['oid', oid], ['stxrelid', oid], ['stxname', name], ['stxnamespace', oid], ['stxowner', oid], ['stxstattarget', int4], ['stxkeys', int2Arr],
  ['stxkind', arrayOf(T.char)], ['stxexprs', text],
], () => []);
rel('pg_catalog', 'pg_publication', [
  ['oid', oid], ['pubname', name], ['pubowner', oid], ['puballtables', bool], ['pubinsert', bool], ['pubupdate', bool], ['pubdelete', bool],
  ['pubtruncate', bool], ['pubviaroot', bool],
], () => []);
rel('pg_catalog', 'pg_publication_rel', [['oid', oid], ['prpubid', oid], ['prrelid', oid], ['prqual', text], ['prattrs', int2Arr]], () => []);
rel('pg_catalog', 'pg_publication_namespace', [['oid', oid], ['pnpubid', oid], ['pnnspid', oid]], () => []);
rel('pg_catalog', 'pg_foreign_table', [['ftrelid', oid], ['ftserver', oid], ['ftoptions', textArr]], () => []);
rel('pg_catalog', 'pg_event_trigger', [['oid', oid], ['evtname', name], ['evtevent', name], ['evtowner', oid], ['evtfoid', oid], ['evtenabled', char], ['evttags', textArr]], () => []);
rel('pg_catalog', 'pg_policy', [['oid', oid], ['polname', name], ['polrelid', oid], ['polcmd', char], ['polpermissive', bool], ['polroles', oidArr], ['polqual', text], ['polwithcheck', text]], () => []);
rel('pg_catalog', 'pg_rewrite', [['oid', oid], ['rulename', name], ['ev_class', oid], ['ev_type', char], ['is_instead', bool]], () => []);
rel('pg_catalog', 'pg_extension', [['oid', oid], ['extname', name], ['extowner', oid], ['extnamespace', oid], ['extrelocatable', bool], ['extversion', text]], () => []);
rel('pg_catalog', 'pg_collation', [['oid', oid], ['collname', name], ['collnamespace', oid], ['collprovider', char], ['collencoding', int4], ['collcollate', text], ['collctype', text]], () => [
  [DEFAULT_COLLATION, 'default', OID.pgCatalog, 'd', -1, null, null], [950, 'C', OID.pgCatalog, 'c', -1, 'C', 'C'],
]);
rel('pg_catalog', 'pg_tablespace', [['oid', oid], ['spcname', name], ['spcowner', oid]], () => [[1663, 'pg_default', OID.bootstrapSuperuser], [1664, 'pg_global', OID.bootstrapSuperuser]]);

rel('pg_catalog', 'pg_tables', [['schemaname', name], ['tablename', name], ['tableowner', name], ['tablespace', name], ['hasindexes', bool], ['hasrules', bool], ['hastriggers', bool], ['rowsecurity', bool]],
  (env) => inDb<TableObj>(env, 'table').filter((t) => !t.matview).map((t) => [schemaName(env.catalog, t.schemaOid), t.name, roleName(env.catalog, t.owner), null, env.catalog.indexesOf(t.oid).length > 0, false, false, false]));

rel('pg_catalog', 'pg_matviews', [['schemaname', name], ['matviewname', name], ['matviewowner', name], ['tablespace', name], ['hasindexes', bool], ['ispopulated', bool], ['definition', text]],
  (env) => inDb<TableObj>(env, 'table').filter((t) => t.matview).map((t) => [
    schemaName(env.catalog, t.schemaOid), t.name, roleName(env.catalog, t.owner), null, env.catalog.indexesOf(t.oid).length > 0, t.matview!.populated,
    ` ${t.matview!.sql.trim().replace(/;?$/, ';')}`,
  ]));

rel('pg_catalog', 'pg_views', [['schemaname', name], ['viewname', name], ['viewowner', name], ['definition', text]],
  (env) => inDb<ViewObj>(env, 'view').map((v) => [schemaName(env.catalog, v.schemaOid), v.name, roleName(env.catalog, v.owner), ` ${v.sql.trim().replace(/;?$/, ';')}`]));

rel('pg_catalog', 'pg_indexes', [['schemaname', name], ['tablename', name], ['indexname', name], ['tablespace', name], ['indexdef', text]], (env) => inDb<IndexObj>(env, 'index').map((ix) => {
  const t = env.catalog.get(ix.tableOid);
  return [schemaName(env.catalog, ix.schemaOid), t && 'name' in t ? t.name : '', ix.name, null, indexDef(env.catalog, ix)];
}));

rel('pg_catalog', 'pg_sequences', [['schemaname', name], ['sequencename', name], ['sequenceowner', name], ['data_type', T.regtype], ['start_value', T.int8], ['min_value', T.int8], ['max_value', T.int8], ['increment_by', T.int8], ['cycle', bool], ['cache_size', T.int8]],
  (env) => objects(env.catalog).filter((o) => o.kind === 'sequence' && o.dbOid === env.dbOid).map((o) => {
    const s = o as Extract<CatalogObj, { kind: 'sequence' }>;
    return [schemaName(env.catalog, s.schemaOid), s.name, roleName(env.catalog, s.owner), typeOidOf(s.type), s.start, s.min, s.max, s.increment, s.cycle, s.cache];
  }));

function typeOidOrZero(t: SqlType): number {
  try {
    return typeOidOf(t);
  } catch {
    return 0;
  }
}

function procRows(): unknown[][] {
  const out: unknown[][] = [];
  const seen = new Set<number>();
  const add = (impl: { oid: number; name: string; args: SqlType[]; ret: unknown; strict: boolean }, kind: string, retSet: boolean, volatility: string): void => {
    if (seen.has(impl.oid)) return;
    seen.add(impl.oid);
    const ret = typeof impl.ret === 'function' ? 0 : typeOidOrZero(impl.ret as SqlType);
    out.push([
      impl.oid, impl.name, OID.pgCatalog, OID.bootstrapSuperuser, 12, 1, retSet ? 1000 : 0, 0, '-', kind, false, false, impl.strict, retSet, volatility, 's',
      impl.args.length, 0, ret, SqlArray.of(oid, impl.args.map(typeOidOrZero)), null, null, null, null, impl.name, null, null, null,
    ]);
  };
  for (const list of registry.functions.values()) {
    for (const f of list) add(f, 'f', 'retSet' in f, f.volatility);
  }
  for (const list of registry.aggregates.values()) for (const a of list) add(a, 'a', false, 'i');
  for (const list of registry.windows.values()) for (const w of list) add(w as unknown as { oid: number; name: string; args: SqlType[]; ret: unknown; strict: boolean }, 'w', false, 'i');
  return out;
}
let procRowsCache: unknown[][] | undefined;

rel('pg_catalog', 'pg_proc', [
  ['oid', oid], ['proname', name], ['pronamespace', oid], ['proowner', oid], ['prolang', oid], ['procost', T.float4], ['prorows', T.float4], ['provariadic', oid],
  ['prosupport', text], ['prokind', char], ['prosecdef', bool], ['proleakproof', bool], ['proisstrict', bool], ['proretset', bool], ['provolatile', char],
  ['proparallel', char], ['pronargs', int2], ['pronargdefaults', int2], ['prorettype', oid], ['proargtypes', oidArr], ['proallargtypes', oidArr],
  ['proargmodes', textArr], ['proargnames', textArr], ['proargdefaults', text], ['prosrc', text], ['probin', text], ['proconfig', textArr], ['proacl', textArr],
], () => (procRowsCache ??= procRows()));

rel('pg_catalog', 'pg_language', [['oid', oid], ['lanname', name], ['lanowner', oid], ['lanispl', bool], ['lanpltrusted', bool]], () => [
  [12, 'internal', OID.bootstrapSuperuser, false, false], [13, 'c', OID.bootstrapSuperuser, false, false], [14, 'sql', OID.bootstrapSuperuser, false, true],
]);

// ---- information_schema

const yesNo = (b: boolean): string => (b ? 'YES' : 'NO');

rel('information_schema', 'schemata', [['catalog_name', name], ['schema_name', name], ['schema_owner', name], ['default_character_set_catalog', name], ['default_character_set_schema', name], ['default_character_set_name', name], ['sql_path', text]],
  (env) => [
    [env.dbName, 'pg_catalog', roleName(env.catalog, OID.bootstrapSuperuser), null, null, null, null],
    [env.dbName, 'information_schema', roleName(env.catalog, OID.bootstrapSuperuser), null, null, null, null],
    ...inDb<SchemaObj>(env, 'schema').map((s) => [env.dbName, s.name, roleName(env.catalog, s.owner), null, null, null, null]),
  ]);

rel('information_schema', 'tables', [
  ['table_catalog', name], ['table_schema', name], ['table_name', name], ['table_type', text], ['self_referencing_column_name', name], ['reference_generation', text],
  ['user_defined_type_catalog', name], ['user_defined_type_schema', name], ['user_defined_type_name', name], ['is_insertable_into', text], ['is_typed', text], ['commit_action', text],
], (env) => objects(env.catalog).filter((o) => ((o.kind === 'table' && !o.matview) || o.kind === 'view') && o.dbOid === env.dbOid).map((o) => {
  const t = o as TableObj | ViewObj;
  const type = t.kind === 'view' ? 'VIEW' : t.temp ? 'LOCAL TEMPORARY' : 'BASE TABLE';
  return [env.dbName, schemaName(env.catalog, t.schemaOid), t.name, type, null, null, null, null, null, yesNo(t.kind === 'table'), 'NO', null];
}));

function numericFacts(t: SqlType): [number | null, number | null, number | null, number | null] {
  switch (t.id) {
    case 'int2':
      return [16, 2, 0, null];
    case 'int4':
      return [32, 2, 0, null];
    case 'int8':
      return [64, 2, 0, null];
    case 'float4':
      return [24, 2, null, null];
    case 'float8':
      return [53, 2, null, null];
    case 'numeric':
      return t.typmod >= 4 ? [((t.typmod - 4) >> 16) & 0xffff, 10, (t.typmod - 4) & 0xffff, null] : [null, 10, null, null];
    case 'timestamp':
    case 'timestamptz':
    case 'time':
    case 'timetz':
      return [null, null, null, t.typmod >= 0 ? t.typmod : 6];
    case 'date':
      return [null, null, null, 0];
    default:
      return [null, null, null, null];
  }
}

rel('information_schema', 'columns', [
  ['table_catalog', name], ['table_schema', name], ['table_name', name], ['column_name', name], ['ordinal_position', int4], ['column_default', text],
  ['is_nullable', text], ['data_type', text], ['character_maximum_length', int4], ['character_octet_length', int4], ['numeric_precision', int4],
  ['numeric_precision_radix', int4], ['numeric_scale', int4], ['datetime_precision', int4], ['udt_catalog', name], ['udt_schema', name], ['udt_name', name],
  ['is_identity', text], ['identity_generation', text], ['is_generated', text], ['generation_expression', text], ['is_updatable', text],
], (env) => {
  const out: unknown[][] = [];
  for (const o of objects(env.catalog)) {
    if ((o.kind !== 'table' && o.kind !== 'view') || (o.kind === 'table' && o.matview) || o.dbOid !== env.dbOid) continue;
    const schema = schemaName(env.catalog, o.schemaOid);
    const cols: Array<{ name: string; type: SqlType; notNull: boolean; default?: string; identity?: string; generated?: string }> = o.kind === 'table' ? liveColumns(o) : o.columns.map((c) => ({ ...c, notNull: false }));
    cols.forEach((col, i) => {
      const t = col.type;
      const len = (t.id === 'varchar' || t.id === 'bpchar') && t.typmod >= 4 ? t.typmod - 4 : null;
      const [prec, radix, scale, dtp] = numericFacts(t);
      out.push([
        env.dbName, schema, o.name, col.name, i + 1, col.default === undefined ? null : deparseDefault(env.catalog, col.default),
        yesNo(!col.notNull), standardTypeName(t), len, len !== null ? len * 4 : t.id === 'text' || t.id === 'varchar' || t.id === 'bpchar' ? 1073741824 : null, prec,
        radix, scale, dtp, env.dbName, 'pg_catalog', infoOf(t).typname,
        yesNo(col.identity !== undefined), col.identity === 'a' ? 'ALWAYS' : col.identity === 'd' ? 'BY DEFAULT' : null,
        col.generated ? 'ALWAYS' : 'NEVER', col.generated ?? null, yesNo(o.kind === 'table'),
      ]);
    });
  }
  return out;
});

const CONSTRAINT_TYPE: Record<string, string> = { p: 'PRIMARY KEY', u: 'UNIQUE', c: 'CHECK', f: 'FOREIGN KEY' };
const RULE: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

function tableName(c: Catalog, tableOid: number): { schema: string; name: string } {
  const t = c.get(tableOid);
  return t && 'schemaOid' in t ? { schema: schemaName(c, t.schemaOid), name: t.name } : { schema: '', name: String(tableOid) };
}

rel('information_schema', 'table_constraints', [
  ['constraint_catalog', name], ['constraint_schema', name], ['constraint_name', name], ['table_catalog', name], ['table_schema', name], ['table_name', name],
  ['constraint_type', text], ['is_deferrable', text], ['initially_deferred', text], ['enforced', text], ['nulls_distinct', text],
], (env) => inDb<ConstraintObj>(env, 'constraint').map((k) => {
  const t = tableName(env.catalog, k.tableOid);
  return [env.dbName, schemaName(env.catalog, k.schemaOid), k.name, env.dbName, t.schema, t.name, CONSTRAINT_TYPE[k.type], yesNo(k.deferrable === true), yesNo(k.deferred === true), 'YES', k.type === 'u' || k.type === 'p' ? 'YES' : null];
}));

rel('information_schema', 'key_column_usage', [
  ['constraint_catalog', name], ['constraint_schema', name], ['constraint_name', name], ['table_catalog', name], ['table_schema', name], ['table_name', name],
  ['column_name', name], ['ordinal_position', int4], ['position_in_unique_constraint', int4],
], (env) => {
  const out: unknown[][] = [];
  for (const k of inDb<ConstraintObj>(env, 'constraint')) {
    if (k.type === 'c') continue;
    const t = tableName(env.catalog, k.tableOid);
    const tab = env.catalog.get(k.tableOid);
    k.attnums.forEach((a, i) => {
      const col = tab?.kind === 'table' ? tab.columns.find((x) => x.attnum === a)?.name : undefined;
      out.push([env.dbName, schemaName(env.catalog, k.schemaOid), k.name, env.dbName, t.schema, t.name, col ?? String(a), i + 1, k.type === 'f' ? i + 1 : null]);
    });
  }
  return out;
});

rel('information_schema', 'referential_constraints', [
  ['constraint_catalog', name], ['constraint_schema', name], ['constraint_name', name], ['unique_constraint_catalog', name], ['unique_constraint_schema', name],
  ['unique_constraint_name', name], ['match_option', text], ['update_rule', text], ['delete_rule', text],
], (env) => inDb<ConstraintObj>(env, 'constraint').filter((k) => k.type === 'f' && k.ref).map((k) => {
  const r = k.ref!;
  const unique = env.catalog.constraintsOf(r.tableOid).find((u) => (u.type === 'p' || u.type === 'u') && u.attnums.length === r.attnums.length && u.attnums.every((a, i) => a === r.attnums[i]));
  return [env.dbName, schemaName(env.catalog, k.schemaOid), k.name, env.dbName, unique ? schemaName(env.catalog, unique.schemaOid) : null, unique?.name ?? null,
    r.match === 'f' ? 'FULL' : r.match === 'p' ? 'PARTIAL' : 'NONE', RULE[r.onUpdate], RULE[r.onDelete]];
}));

rel('information_schema', 'constraint_column_usage', [
  ['table_catalog', name], ['table_schema', name], ['table_name', name], ['column_name', name], ['constraint_catalog', name], ['constraint_schema', name], ['constraint_name', name],
], (env) => {
  const out: unknown[][] = [];
  for (const k of inDb<ConstraintObj>(env, 'constraint')) {
    const tableOid = k.type === 'f' && k.ref ? k.ref.tableOid : k.tableOid;
    const attnums = k.type === 'f' && k.ref ? k.ref.attnums : k.attnums;
    const t = tableName(env.catalog, tableOid);
    const tab = env.catalog.get(tableOid);
    for (const a of attnums) {
      const col = tab?.kind === 'table' ? tab.columns.find((x) => x.attnum === a)?.name : undefined;
      out.push([env.dbName, t.schema, t.name, col ?? String(a), env.dbName, schemaName(env.catalog, k.schemaOid), k.name]);
    }
  }
  return out;
});

// Grants as the SQL standard views show them: the owner's implicit privileges (grantable) and each GRANT,
// for every role (PostgreSQL shows only rows whose grantor or grantee is one of the current user's roles, or PUBLIC).
const TABLE_GRANT_COLS: ColDef[] = [
  ['grantor', name], ['grantee', name], ['table_catalog', name], ['table_schema', name], ['table_name', name], ['privilege_type', text],
  ['is_grantable', text], ['with_hierarchy', text],
];
function tableGrantRows(env: Env, rolesOnly: boolean): unknown[][] {
  const out: unknown[][] = [];
  for (const o of objects(env.catalog)) {
    if ((o.kind !== 'table' && o.kind !== 'view') || o.dbOid !== env.dbOid) continue;
    for (const g of relationGrantRows(env.catalog, o)) {
      if (rolesOnly && g.grantee === 'PUBLIC') continue;
      out.push([g.grantor, g.grantee, env.dbName, schemaName(env.catalog, o.schemaOid), o.name, PRIVILEGE_NAME[g.letter], yesNo(g.grantable), yesNo(g.letter === 'r')]);
    }
  }
  return out;
}
rel('information_schema', 'table_privileges', TABLE_GRANT_COLS, (env) => tableGrantRows(env, false));
rel('information_schema', 'role_table_grants', TABLE_GRANT_COLS, (env) => tableGrantRows(env, true));
rel('information_schema', 'column_privileges', [
  ['grantor', name], ['grantee', name], ['table_catalog', name], ['table_schema', name], ['table_name', name], ['column_name', name],
  ['privilege_type', text], ['is_grantable', text],
], (env) => {
  const out: unknown[][] = [];
  for (const o of objects(env.catalog)) {
    if ((o.kind !== 'table' && o.kind !== 'view') || o.dbOid !== env.dbOid) continue;
    const cols = o.kind === 'table' ? o.columns.filter((c) => !c.dropped).map((c) => [c.attnum, c.name] as const) : o.columns.map((c, i) => [i + 1, c.name] as const);
    for (const [attnum, colName] of cols) {
      for (const g of columnGrantRows(env.catalog, o, attnum)) {
        out.push([g.grantor, g.grantee, env.dbName, schemaName(env.catalog, o.schemaOid), o.name, colName, PRIVILEGE_NAME[g.letter], yesNo(g.grantable)]);
      }
    }
  }
  return out;
});

rel('information_schema', 'views', [
  ['table_catalog', name], ['table_schema', name], ['table_name', name], ['view_definition', text], ['check_option', text], ['is_updatable', text],
  ['is_insertable_into', text], ['is_trigger_updatable', text], ['is_trigger_deletable', text], ['is_trigger_insertable_into', text],
], (env) => inDb<ViewObj>(env, 'view').map((v) => [env.dbName, schemaName(env.catalog, v.schemaOid), v.name, v.sql, v.checkOption?.toUpperCase() ?? 'NONE', 'NO', 'NO', 'NO', 'NO', 'NO']));

rel('information_schema', 'sequences', [
  ['sequence_catalog', name], ['sequence_schema', name], ['sequence_name', name], ['data_type', text], ['numeric_precision', int4], ['numeric_precision_radix', int4],
  ['numeric_scale', int4], ['start_value', text], ['minimum_value', text], ['maximum_value', text], ['increment', text], ['cycle_option', text],
], (env) => objects(env.catalog).filter((o) => o.kind === 'sequence' && o.dbOid === env.dbOid).map((o) => {
  const q = o as Extract<CatalogObj, { kind: 'sequence' }>;
  const [prec] = numericFacts(q.type);
  return [env.dbName, schemaName(env.catalog, q.schemaOid), q.name, standardTypeName(q.type), prec, 2, 0, String(q.start), String(q.min), String(q.max), String(q.increment), yesNo(q.cycle)];
}));

// ---- pg_stat_activity: sessions of the wire listeners in this process

/** One server session as pg_stat_activity shows it (times: Unix ms). */
export interface ActivityRow {
  pid: number;
  user: string;
  application: string;
  clientAddress: string;
  backendStartMs: number;
  xactStartMs: number | null;
  queryStartMs: number | null;
  stateChangeMs: number;
  state: 'idle' | 'active' | 'idle in transaction' | 'idle in transaction (aborted)';
  query: string;
  /** wait_event_type and wait_event: a lock or a sleep the statement waits on, ClientRead between statements; null while it runs. */
  waitEvent?: readonly [string, string] | null;
}

/** Listeners register a source of their sessions; pg_stat_activity reads them all. */
export const activitySources = new Set<() => ActivityRow[]>();

/** Listeners register how to cancel or end one of their sessions (pg_cancel_backend, pg_terminate_backend): true when they had it. */
export const backendControls = new Set<(pid: number, how: 'cancel' | 'terminate') => boolean>();

function controlBackend(pid: number, how: 'cancel' | 'terminate'): boolean {
  for (const c of backendControls) if (c(pid, how)) return true;
  return false;
}

const PG_EPOCH_MS = 946_684_800_000;
const toTimestamptz = (ms: number | null): number | null => (ms === null ? null : Math.round((ms - PG_EPOCH_MS) * 1000));

rel('pg_catalog', 'pg_stat_activity', [
  ['datid', oid], ['datname', name], ['pid', int4], ['leader_pid', int4], ['usesysid', oid], ['usename', name], ['application_name', text],
  ['client_addr', text], ['client_hostname', text], ['client_port', int4], ['backend_start', T.timestamptz], ['xact_start', T.timestamptz],
  ['query_start', T.timestamptz], ['state_change', T.timestamptz], ['wait_event_type', text], ['wait_event', text], ['state', text],
  ['backend_xid', T.xid], ['backend_xmin', T.xid], ['query_id', T.int8], ['query', text], ['backend_type', text],
], (env) => {
  const out: unknown[][] = [];
  for (const src of activitySources) {
    for (const a of src()) {
      out.push([
        env.dbOid, env.dbName, a.pid, null, env.catalog.role(a.user)?.oid ?? 0, a.user, a.application,
        a.clientAddress || null, null, null, toTimestamptz(a.backendStartMs), toTimestamptz(a.xactStartMs),
        toTimestamptz(a.queryStartMs), toTimestamptz(a.stateChangeMs), a.waitEvent?.[0] ?? null, a.waitEvent?.[1] ?? null, a.state,
        null, null, null, a.query, 'client backend',
      ]);
    }
  }
  return out;
}, true);

// ---- pg_locks: the advisory and table locks (row locks are versions in the store, not listed)

rel('pg_catalog', 'pg_locks', [
  ['locktype', text], ['database', oid], ['relation', oid], ['page', int4], ['tuple', T.int2], ['virtualxid', text], ['transactionid', T.xid],
  ['classid', oid], ['objid', oid], ['objsubid', T.int2], ['virtualtransaction', text], ['pid', int4], ['mode', text], ['granted', bool],
  ['fastpath', bool], ['waitstart', T.timestamptz],
], () => {
  const out: unknown[][] = [];
  for (const { dbOid, locks } of advisoryLockTables) {
    for (const r of locks.lockRows()) {
      out.push(['advisory', dbOid, null, null, null, null, null, r.classid, r.objid, r.objsubid, null, r.pid, r.mode, r.granted, false, null]);
    }
  }
  for (const { dbOid, locks } of tableLockTables()) {
    for (const r of locks.rows()) {
      out.push(['relation', dbOid, r.oid, null, null, null, null, null, null, null, null, r.txn.pid, TABLE_LOCK_NAMES[r.mode], r.granted, false, null]);
    }
  }
  return out;
}, true);

// ---- pg_settings: the session's settings (SHOW ALL with PostgreSQL's columns)

const BOOT_SETTINGS = new Settings().all();

rel('pg_catalog', 'pg_settings', [
  ['name', text], ['setting', text], ['unit', text], ['category', text], ['short_desc', text], ['extra_desc', text], ['context', text],
  ['vartype', text], ['source', text], ['min_val', text], ['max_val', text], ['enumvals', textArr], ['boot_val', text], ['reset_val', text],
  ['sourcefile', text], ['sourceline', int4], ['pending_restart', bool],
], (env) => BOOT_SETTINGS.map(([n, boot, desc]) => {
  const v = env.setting?.(n) ?? boot;
  return [n, v, null, null, desc, null, 'user', 'string', v === boot ? 'default' : 'session', null, null, null, boot, boot, null, null, false];
}), true);

// ---- pg_cursors: the session's open SQL cursors (session/cursors.ts)

rel('pg_catalog', 'pg_cursors', [
  ['name', text], ['statement', text], ['is_holdable', bool], ['is_binary', bool], ['is_scrollable', bool], ['creation_time', T.timestamptz],
], (env) => (env.cursorRows?.() ?? []).map((c) => [c.name, c.statement, c.holdable, c.binary, c.scrollable, c.creationTime]), true);

// ---------------------------------------------------------------- binding

/** The system relation a FROM item names, or undefined. */
export function systemRelation(schema: string | undefined, relName: string): SystemRelation | undefined {
  return REL.get(`${schema ?? 'pg_catalog'}.${relName}`);
}

export function systemRelationNames(): string[] {
  return [...REL.keys()];
}

/** PostgreSQL's OIDs of its catalogs (regclass values clients compare with), others numbered from 12000. */
const KNOWN_OIDS: Record<string, number> = {
  pg_type: 1247, pg_attribute: 1249, pg_proc: 1255, pg_class: 1259, pg_authid: 1260, pg_database: 1262, pg_am: 2601, pg_attrdef: 2604,
  pg_constraint: 2606, pg_description: 2609, pg_index: 2610, pg_namespace: 2615, pg_trigger: 2620, pg_extension: 3079, pg_collation: 3456,
  pg_tablespace: 1213, pg_inherits: 2611, pg_rewrite: 2618, pg_language: 2612, pg_policy: 3256, pg_statistic_ext: 3381, pg_publication: 6104,
  pg_event_trigger: 3466, pg_roles: 12001, pg_user: 12005, pg_tables: 12008, pg_views: 12012, pg_indexes: 12024, pg_sequences: 12020,
};
const OID_OF = new Map<string, number>();
const NAME_OF = new Map<number, string>();
function relOids(): void {
  if (OID_OF.size > 0) return;
  let next = 12100;
  for (const key of REL.keys()) {
    const [schema, n] = key.split('.') as [string, string];
    const o = schema === 'pg_catalog' && KNOWN_OIDS[n] !== undefined ? KNOWN_OIDS[n]! : next++;
    OID_OF.set(key, o);
    NAME_OF.set(o, schema === 'pg_catalog' ? n : key);
  }
}

/** regclass input of a system relation name (["pg_class"] or ["pg_catalog", "pg_class"]). */
export function systemRelationOid(parts: readonly string[]): number | undefined {
  relOids();
  const key = parts.length === 1 ? `pg_catalog.${parts[0]}` : parts.slice(-2).join('.');
  return OID_OF.get(key);
}

export function systemRelationName(relOid: number): string | undefined {
  relOids();
  return NAME_OF.get(relOid);
}

function bindSystemRelation(cx: Cx, item: A.TableRef): Plan | undefined {
  if (item.kind !== 'table' || item.name.length > 3) return undefined;
  const parts = item.name.map((id) => fold(cx, id));
  const relName = parts[parts.length - 1]!;
  const schema = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  if (parts.length === 3 && parts[0] !== cx.env.dbName) return undefined;
  const r = systemRelation(schema, relName);
  if (!r) return undefined;
  // The plan cache does not keep a statement whose binding read the transaction timestamp.
  if (r.volatile) void cx.env.txnTimestamp;
  const values = cx.env.values as Partial<EvalContext>;
  const env: Env = {
    catalog: cx.env.catalog, dbOid: cx.env.dbOid, dbName: cx.env.dbName,
    ...(r.volatile && values.setting ? { setting: (n: string) => values.setting!(n) } : {}),
    ...(r.volatile && (values as CatalogAccess).cursorRows ? { cursorRows: (values as CatalogAccess).cursorRows } : {}),
  };
  const cols: ColInfo[] = r.cols.map(([n, t]) => ({ name: n, type: t }));
  const rows: Expr[][] = r.rows(env).map((row) => row.map((v, i): Expr => ({ k: 'const', type: cols[i]!.type, value: v })));
  return addDerived(cx, { n: 'values', cols, rows }, cols, item.alias ?? { name: { value: relName, quoted: true } }, item.loc);
}

registerFromBinder('table', bindSystemRelation);

// ---------------------------------------------------------------- functions

function catalogOf(ctx: EvalContext): { c: Catalog; dbOid: number } | undefined {
  const a = ctx as EvalContext & CatalogAccess;
  const c = a.catalog?.();
  return c ? { c, dbOid: a.dbOid ?? OID.firstUser } : undefined;
}

const stable = { volatility: 's' as const };

defFn('pg_get_userbyid', [oid], name, (a, ctx) => {
  const r = ctx.regLookup?.regOut('regrole', a[0] as number);
  return r ?? `unknown (OID=${a[0]})`;
}, stable);

defFn('pg_table_is_visible', [oid], bool, (a, ctx) => {
  const r = ctx.regLookup?.regOut('regclass', a[0] as number);
  return r === undefined ? null : !r.includes('.');
}, stable);

defFn('pg_type_is_visible', [oid], bool, (a) => typeByOid(a[0] as number) !== undefined, stable);
defFn('pg_function_is_visible', [oid], bool, () => true, stable);

defFn('format_type', [oid, int4], text, (a) => {
  const t = typeByOid(a[0] as number, a[1] === null ? -1 : (a[1] as number));
  // format_type(oid, NULL) names bpchar `character`; with a typmod of -1 it is `bpchar`.
  return t ? formatType(t, a[1] !== null) : '???';
}, { strict: false, volatility: 's' });

defFn('pg_encoding_to_char', [int4], name, (a) => (a[0] === UTF8_ENCODING ? 'UTF8' : ''));
defFn('pg_char_to_encoding', [name], int4, (a) => (/^utf-?8$/i.test(a[0] as string) ? UTF8_ENCODING : -1));

function indexDefFn(a: unknown[], ctx: EvalContext): string | null {
  const k = catalogOf(ctx);
  const o = k?.c.get(a[0] as number);
  if (o?.kind !== 'index') return null;
  const col = a.length > 1 ? (a[1] as number) : 0;
  const key = o.keys[col - 1];
  if (col > 0) return key ? (key.expr !== undefined ? keyExprName(key.expr) : columnName(k!.c, o.tableOid, key.attnum)) : '';
  return indexDef(k!.c, o);
}
defFn('pg_get_indexdef', [oid], text, indexDefFn, stable);
defFn('pg_get_indexdef', [oid, int4, bool], text, indexDefFn, stable);

function constraintDefFn(a: unknown[], ctx: EvalContext): string | null {
  const k = catalogOf(ctx);
  const o = k?.c.get(a[0] as number);
  return o?.kind === 'constraint' ? constraintDef(k!.c, o) : null;
}
defFn('pg_get_constraintdef', [oid], text, constraintDefFn, stable);
defFn('pg_get_constraintdef', [oid, bool], text, constraintDefFn, stable);

// Expressions are kept as SQL text, so pg_get_expr returns them as they are.
defFn('pg_get_expr', [text, oid], text, (a) => a[0] as string);
defFn('pg_get_expr', [text, oid, bool], text, (a) => a[0] as string);

function viewDefFn(a: unknown[], ctx: EvalContext): string | null {
  const o = catalogOf(ctx)?.c.get(a[0] as number);
  return o?.kind === 'view' ? ` ${o.sql.trim().replace(/;?$/, ';')}` : null;
}
defFn('pg_get_viewdef', [oid], text, viewDefFn, stable);
defFn('pg_get_viewdef', [oid, bool], text, viewDefFn, stable);

/** A comment as pg_description / pg_shdescription hold it: by object, catalog (undefined: any) and column (0: the object). */
function commentOf(ctx: EvalContext, objOid: number, catalogName: string | undefined, sub: number, shared: boolean): string | null {
  const cat = catalogOf(ctx);
  const o = cat?.c.get(objOid);
  if (!o) {
    // A built-in function's comment (COMMENT ON FUNCTION), kept on the database object.
    const db = cat?.c.get(cat.dbOid);
    if (shared || sub !== 0 || (catalogName !== undefined && catalogName !== 'pg_proc') || db?.kind !== 'database') return null;
    return db.functionComments?.[String(objOid)] ?? null;
  }
  const cls = descriptionClass(o);
  if (cls.shared !== shared) return null;
  if (catalogName !== undefined && DESCRIPTION_CLASSES[catalogName] !== cls.classoid) return null;
  if (sub > 0) {
    if (o.kind === 'table') return o.columns.find((c) => c.attnum === sub && !c.dropped)?.comment ?? null;
    if (o.kind === 'view') return o.columns[sub - 1]?.comment ?? null;
    return null;
  }
  return 'comment' in o ? (o.comment ?? null) : null;
}
defFn('obj_description', [oid, name], text, (a, ctx) => commentOf(ctx, a[0] as number, a[1] as string, 0, false), stable);
defFn('obj_description', [oid], text, (a, ctx) => commentOf(ctx, a[0] as number, undefined, 0, false), stable);
defFn('col_description', [oid, int4], text, (a, ctx) => commentOf(ctx, a[0] as number, 'pg_class', a[1] as number, false), stable);
defFn('shobj_description', [oid, name], text, (a, ctx) => commentOf(ctx, a[0] as number, a[1] as string, 0, true), stable);

// No partitioning: a relation is its own only ancestor. (A set-returning function in PostgreSQL;
// scalar here, which gives the same one row where psql calls it.)
defFn('pg_partition_ancestors', [T.regclass], T.regclass, (a) => a[0], stable);

defFn('pg_get_function_result', [oid], text, (a) => {
  const f = registry.byOid.get(a[0] as number) as { ret?: unknown; retSet?: boolean } | undefined;
  if (!f || typeof f.ret !== 'object') return null;
  return `${f.retSet ? 'SETOF ' : ''}${formatType(f.ret as SqlType)}`;
}, stable);
defFn('pg_get_function_arguments', [oid], text, (a) => {
  const f = registry.byOid.get(a[0] as number) as { args?: SqlType[] } | undefined;
  return f?.args ? f.args.map((t) => formatType(t)).join(', ') : null;
}, stable);
defFn('pg_get_function_identity_arguments', [oid], text, (a) => {
  const f = registry.byOid.get(a[0] as number) as { args?: SqlType[] } | undefined;
  return f?.args ? f.args.map((t) => formatType(t)).join(', ') : null;
}, stable);

defFn('pg_cancel_backend', [int4], bool, (a) => controlBackend(a[0] as number, 'cancel'), { volatility: 'v' });
defFn('pg_terminate_backend', [int4], bool, (a) => controlBackend(a[0] as number, 'terminate'), { volatility: 'v' });
defFn('pg_terminate_backend', [int4, T.int8], bool, (a) => controlBackend(a[0] as number, 'terminate'), { volatility: 'v' });
defFn('pg_get_triggerdef', [oid], text, () => null, stable);
defFn('pg_get_triggerdef', [oid, bool], text, () => null, stable);
defFn('pg_get_statisticsobjdef', [oid], text, () => null, stable);
defFn('pg_get_ruledef', [oid], text, () => null, stable);
defFn('pg_get_ruledef', [oid, bool], text, () => null, stable);
defFn('pg_relation_is_publishable', [T.regclass], bool, () => false, stable);
defFn('pg_get_function_sqlbody', [oid], text, () => null, stable);
// The sequence owned by a column (serial or identity), schema-qualified and quoted as needed.
defFn('pg_get_serial_sequence', [text, text], text, (a, ctx) => {
  const k = catalogOf(ctx);
  const relOid = ctx.regLookup?.regIn('regclass', a[0] as string);
  if (relOid === undefined) throw new SbError(SqlState.undefined_table, `relation "${a[0] as string}" does not exist`);
  const t = k?.c.table(relOid);
  if (!k || !t) return null;
  const col = t.columns.find((c) => !c.dropped && c.name === (a[1] as string));
  if (!col) throw new SbError(SqlState.undefined_column, `column "${a[1] as string}" of relation "${t.name}" does not exist`);
  const seq = k.c.ofKind('sequence').find((s) => s.ownedBy?.tableOid === t.oid && s.ownedBy.attnum === col.attnum);
  if (!seq) return null;
  const sch = k.c.get(seq.schemaOid) as { name: string } | undefined;
  const q = (n: string): string => (/^[a-z_][a-z0-9_$]*$/.test(n) ? n : `"${n.replace(/"/g, '""')}"`);
  return `${q(sch?.name ?? 'public')}.${q(seq.name)}`;
}, stable);
defFn('pg_get_partkeydef', [oid], text, () => null, stable);
defFn('pg_get_statisticsobjdef_columns', [oid], text, () => null, stable);
defFn('pg_tablespace_location', [oid], text, () => '', stable);
defFn('pg_relation_size', [T.regclass], T.int8, () => 0, { volatility: 'v' });
defFn('pg_total_relation_size', [T.regclass], T.int8, () => 0, { volatility: 'v' });
defFn('pg_table_size', [T.regclass], T.int8, () => 0, { volatility: 'v' });
defFn('pg_size_pretty', [T.int8], text, (a) => {
  let v = Number(a[0]);
  for (const unit of ['bytes', 'kB', 'MB', 'GB', 'TB']) {
    if (Math.abs(v) < 10 * 1024 || unit === 'TB') return `${Math.round(v)} ${unit}`;
    v /= 1024;
  }
  return '';
});

// has_table_privilege answers from the ACLs GRANT keeps (session/grants.ts); the
// privileges not enforced yet (schemas, databases, sequences, functions) answer true.
const PRIV_LETTER: Record<string, string> = { SELECT: 'r', INSERT: 'a', UPDATE: 'w', DELETE: 'd', TRUNCATE: 'D', REFERENCES: 'x', TRIGGER: 't' };
function tablePrivilege(ctx: EvalContext, userName: string | null, table: unknown, privs: string): boolean | null {
  const k = catalogOf(ctx);
  if (!k) return true;
  const relOid = typeof table === 'number' ? table : ctx.regLookup?.regIn('regclass', String(table));
  const rel = relOid === undefined ? undefined : k.c.get(relOid);
  if (!rel || (rel.kind !== 'table' && rel.kind !== 'view')) return null;
  const user = k.c.role(userName ?? ctx.session?.currentUser ?? '');
  if (!user) return false;
  return privs.split(',').some((p) => {
    const l = PRIV_LETTER[p.trim().replace(/ WITH GRANT OPTION$/i, '').toUpperCase()];
    return l !== undefined && hasPrivilege(k.c, user.oid, rel, l);
  });
}
defFn('has_table_privilege', [text, text], bool, (a, ctx) => tablePrivilege(ctx, null, a[0], a[1] as string), stable);
defFn('has_table_privilege', [oid, text], bool, (a, ctx) => tablePrivilege(ctx, null, a[0], a[1] as string), stable);
defFn('has_table_privilege', [name, text, text], bool, (a, ctx) => tablePrivilege(ctx, a[0] as string, a[1], a[2] as string), stable);
defFn('has_table_privilege', [name, oid, text], bool, (a, ctx) => tablePrivilege(ctx, a[0] as string, a[1], a[2] as string), stable);
// has_schema_privilege / has_column_privilege answer from the schema and column ACLs (catalog/acl.ts).
function privilegeLetters(privs: string, allowed: string): string[] {
  return privs.split(',').map((p) => {
    const n = p.trim().replace(/ WITH GRANT OPTION$/i, '').toUpperCase();
    const l = n === 'USAGE' ? 'U' : n === 'CREATE' ? 'C' : PRIV_LETTER[n];
    if (l === undefined || !allowed.includes(l)) throw new SbError(SqlState.invalid_parameter_value, `unrecognized privilege type: "${p.trim()}"`);
    return l;
  });
}
function schemaPrivilege(ctx: EvalContext, userName: string | null, schema: unknown, privs: string): boolean | null {
  const k = catalogOf(ctx);
  if (!k) return true;
  let oidOf: number | undefined;
  if (typeof schema === 'number') oidOf = schema;
  else if (schema === 'pg_catalog') oidOf = OID.pgCatalog;
  else if (schema === 'information_schema') oidOf = OID.informationSchema;
  else {
    oidOf = k.c.schema(k.dbOid, String(schema))?.oid;
    if (oidOf === undefined) throw new SbError(SqlState.invalid_schema_name, `schema "${String(schema)}" does not exist`);
  }
  const user = k.c.role(userName ?? ctx.session?.currentUser ?? '');
  if (!user) throw new SbError(SqlState.undefined_object, `role "${userName}" does not exist`);
  return privilegeLetters(privs, 'UC').some((l) => hasSchemaPrivilege(k.c, user.oid, oidOf!, l));
}
function columnPrivilege(ctx: EvalContext, userName: string | null, table: unknown, column: unknown, privs: string): boolean | null {
  const k = catalogOf(ctx);
  if (!k) return true;
  const relOid = typeof table === 'number' ? table : ctx.regLookup?.regIn('regclass', String(table));
  const rel = relOid === undefined ? undefined : k.c.get(relOid);
  if (!rel || (rel.kind !== 'table' && rel.kind !== 'view')) return null;
  let attnum: number | undefined;
  if (typeof column === 'number') attnum = column;
  else if (rel.kind === 'table') attnum = rel.columns.find((x) => !x.dropped && x.name === String(column))?.attnum;
  else {
    const i = rel.columns.findIndex((x) => x.name === String(column));
    attnum = i < 0 ? undefined : i + 1;
  }
  if (attnum === undefined) throw new SbError(SqlState.undefined_column, `column "${String(column)}" of relation "${rel.name}" does not exist`);
  const user = k.c.role(userName ?? ctx.session?.currentUser ?? '');
  if (!user) throw new SbError(SqlState.undefined_object, `role "${userName}" does not exist`);
  return privilegeLetters(privs, 'arwx').some((l) => hasColumnPrivilege(k.c, user.oid, rel, attnum!, l));
}
defFn('has_schema_privilege', [text, text], bool, (a, ctx) => schemaPrivilege(ctx, null, a[0], a[1] as string), stable);
defFn('has_schema_privilege', [oid, text], bool, (a, ctx) => schemaPrivilege(ctx, null, a[0], a[1] as string), stable);
defFn('has_schema_privilege', [name, text, text], bool, (a, ctx) => schemaPrivilege(ctx, a[0] as string, a[1], a[2] as string), stable);
defFn('has_schema_privilege', [name, oid, text], bool, (a, ctx) => schemaPrivilege(ctx, a[0] as string, a[1], a[2] as string), stable);
defFn('has_column_privilege', [text, text, text], bool, (a, ctx) => columnPrivilege(ctx, null, a[0], a[1], a[2] as string), stable);
defFn('has_column_privilege', [oid, text, text], bool, (a, ctx) => columnPrivilege(ctx, null, a[0], a[1], a[2] as string), stable);
defFn('has_column_privilege', [text, int2, text], bool, (a, ctx) => columnPrivilege(ctx, null, a[0], a[1], a[2] as string), stable);
defFn('has_column_privilege', [oid, int2, text], bool, (a, ctx) => columnPrivilege(ctx, null, a[0], a[1], a[2] as string), stable);
defFn('has_column_privilege', [name, text, text, text], bool, (a, ctx) => columnPrivilege(ctx, a[0] as string, a[1], a[2], a[3] as string), stable);
defFn('has_column_privilege', [name, oid, text, text], bool, (a, ctx) => columnPrivilege(ctx, a[0] as string, a[1], a[2], a[3] as string), stable);
for (const fname of ['has_database_privilege', 'has_sequence_privilege', 'has_function_privilege', 'pg_has_role']) {
  defFn(fname, [text, text], bool, () => true, stable);
  defFn(fname, [name, text, text], bool, () => true, stable);
  defFn(fname, [oid, text], bool, () => true, stable);
}
