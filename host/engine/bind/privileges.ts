// What a statement needs, found while binding it; checked before it runs
// (session/grants.ts checkPrivilegeNeeds), as PostgreSQL checks its range
// table:
//
// - the columns each query level reads from each base table (column
//   references, `*`, whole-row references) are noted by the scope while
//   binding, so a role holding only SELECT (a, b) can read a and b;
// - a view's own query is bound "via" the view: what it reads is checked
//   for the view's owner, the view itself for the user;
// - INSERT / UPDATE need the privilege on the target (or on every target
//   column), DELETE on the table, and the target columns a statement reads
//   (WHERE, SET expressions, RETURNING) need SELECT on them.
//
// Binding is synchronous, so the collector is a stack held here.
//
// DDL needs (checkDdlPrivileges): CREATE on the schema an object is created
// in, ownership of what ALTER / DROP / CREATE INDEX / REFRESH touch, TRUNCATE
// on truncated tables, REFERENCES on the columns a new foreign key refers to,
// superuser or database ownership for CREATE SCHEMA.

import type * as A from '../../../sql-dialects/index.ts';
import { hasColumnPrivilege, hasRelationPrivilege, hasSchemaPrivilege, isSuperuser, ownsObject } from '../catalog/acl.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { CatalogObj } from '../catalog/objects.ts';
import type { Plan } from '../plan/nodes.ts';
import { SbError, SqlState } from '../sb_error.ts';
import type { BindEnv } from './context.ts';
import { creationSchema, foldQName, lookupRelation } from './names.ts';

export interface PrivilegeNeed {
  /** 0: checked for the user running the statement; else the OID of the view whose owner's rights apply. */
  via: number;
  relOid: number;
  /** PostgreSQL's ACL letter (r SELECT, a INSERT, w UPDATE, d DELETE). */
  letter: string;
  /** The columns used: a column grant on all of them is enough ([] with 'r': any one column). */
  attnums?: number[];
  /** Only the columns are checked (SELECT on the target columns an UPDATE/DELETE reads). */
  columnsOnly?: boolean;
}

interface Collector {
  views: number[];
  /** `${via}:${tableOid}` -> attnums read. */
  used: Map<string, Set<number>>;
}

const stack: Collector[] = [];
const viewScans = new WeakMap<object, number>();

/** The scope found a column (or `*` / a whole row expanded to it). */
export function noteColumnUse(entry: { tableOid?: number }, col: { tableOid?: number; attnum?: number }): void {
  const c = stack[stack.length - 1];
  if (!c || entry.tableOid === undefined || col.tableOid !== entry.tableOid || col.attnum === undefined) return;
  const key = `${c.views[c.views.length - 1] ?? 0}:${col.tableOid}`;
  let set = c.used.get(key);
  if (!set) c.used.set(key, (set = new Set()));
  set.add(col.attnum);
}

/** Binds a view's query (`fn`) with the view owner's rights, and marks the plan node that stands for the view. */
export function bindingView<T extends object>(viewOid: number, fn: () => T): T {
  const c = stack[stack.length - 1];
  c?.views.push(viewOid);
  let node: T;
  try {
    node = fn();
  } finally {
    c?.views.pop();
  }
  viewScans.set(node, viewOid);
  return node;
}

/**
 * Binds a statement (`fn`) with a collector; returns its result and, for a
 * plan, what it needs. A DML statement on a view runs its base table with the
 * view owner's rights; INSERT needs the privilege on the columns it names.
 */
export function collectPrivilegeNeeds<T>(env: BindEnv, stmt: A.Statement, fn: () => T, planOf: (r: T) => Plan | undefined): { result: T; needs?: PrivilegeNeed[] } {
  const viaTarget = dmlTargetView(env, stmt);
  const c: Collector = { views: viaTarget ? [viaTarget] : [], used: new Map() };
  stack.push(c);
  let result: T;
  try {
    result = fn();
  } finally {
    stack.pop();
  }
  const outer = stack[stack.length - 1];
  if (outer) for (const [k, v] of c.used) for (const a of v) (outer.used.get(k) ?? outer.used.set(k, new Set()).get(k)!).add(a);
  const plan = planOf(result);
  if (!plan) return { result };
  const needs = needsOf(plan, c.used, viaTarget);
  if (stmt.kind === 'insert' && stmt.columns && stmt.columns.length > 0 && plan.n === 'modify') {
    const t = env.catalog.get(plan.tableOid);
    if (t?.kind === 'table') {
      const names = new Set(stmt.columns.map((id) => env.dialect.foldIdentifier(id)));
      const named = t.columns.filter((col) => !col.dropped && names.has(col.name)).map((col) => col.attnum);
      for (const n of needs) if (n.relOid === plan.tableOid && n.letter === 'a' && !n.columnsOnly) n.attnums = named;
    }
  }
  return { result, needs };
}

/**
 * The needs of a bound plan, walking it. `used`: the columns the collector
 * saw; without it (a plan seen only after planning) table-level privileges
 * are required.
 */
export function needsOf(plan: Plan, used?: Map<string, Set<number>>, viaTarget = 0): PrivilegeNeed[] {
  const out: PrivilegeNeed[] = [];
  const cols = (via: number, oid: number): number[] | undefined => (used ? [...(used.get(`${via}:${oid}`) ?? [])].sort((a, b) => a - b) : undefined);
  // Each node once per (via, exempt) context: plans may share subtrees; typed arrays and class instances (values) are not plan nodes.
  const seen = new Map<object, Set<string>>();
  const walk = (x: unknown, via: number, exempt: number | undefined): void => {
    if (x === null || typeof x !== 'object' || ArrayBuffer.isView(x)) return;
    const proto = Object.getPrototypeOf(x);
    if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return;
    const ctx = `${via}:${exempt ?? ''}`;
    let contexts = seen.get(x);
    if (!contexts) seen.set(x, (contexts = new Set()));
    if (contexts.has(ctx)) return;
    contexts.add(ctx);
    if (Array.isArray(x)) {
      for (const y of x) walk(y, via, exempt);
      return;
    }
    const o = x as Record<string, unknown>;
    const view = viewScans.get(o);
    if (view !== undefined) {
      out.push({ via, relOid: view, letter: 'r' });
      walk(o['input'], view, undefined);
      return;
    }
    if (o['n'] === 'modify' && typeof o['tableOid'] === 'number') {
      const oid = o['tableOid'];
      const op = o['op'] as string;
      // The target of a DML rewritten from a view: the view for the user, the table for the view's owner.
      const targetVia = viaTarget || via;
      if (viaTarget) out.push({ via, relOid: viaTarget, letter: op === 'insert' ? 'a' : op === 'update' ? 'w' : 'd' });
      const targets = Array.isArray(o['targetAttnums']) ? [...new Set(o['targetAttnums'] as number[])] : [];
      out.push({ via: targetVia, relOid: oid, letter: op === 'insert' ? 'a' : op === 'update' ? 'w' : 'd', ...(op === 'delete' || !used ? {} : { attnums: targets }) });
      const read = cols(targetVia, oid);
      if (read && read.length > 0) out.push({ via: targetVia, relOid: oid, letter: 'r', attnums: read, columnsOnly: true });
      for (const [k, v] of Object.entries(o)) {
        if (k !== 'fkDefaults') walk(v, k === 'input' && viaTarget ? viaTarget : via, k === 'input' && op !== 'insert' ? oid : undefined);
      }
      return;
    }
    if (o['n'] === 'scan' && typeof o['tableOid'] === 'number' && o['tableOid'] !== exempt) {
      const read = cols(via, o['tableOid']);
      out.push({ via, relOid: o['tableOid'], letter: 'r', ...(read ? { attnums: read } : {}) });
    }
    for (const v of Object.values(o)) walk(v, via, exempt);
  };
  walk(plan, 0, undefined);
  // One need per (via, relation, letter, columnsOnly), columns merged.
  const merged = new Map<string, PrivilegeNeed>();
  for (const n of out) {
    const k = `${n.via}:${n.relOid}:${n.letter}:${n.columnsOnly ? 1 : 0}`;
    const had = merged.get(k);
    if (!had) merged.set(k, { ...n, ...(n.attnums ? { attnums: [...n.attnums] } : {}) });
    else if (had.attnums && n.attnums) had.attnums = [...new Set([...had.attnums, ...n.attnums])].sort((a, b) => a - b);
    else delete had.attnums;
  }
  return [...merged.values()];
}

/** The view a DML statement names as its target, if any (its rewrite runs the base table with the view owner's rights). */
export function dmlTargetView(env: BindEnv, stmt: A.Statement): number {
  let name: A.QName | undefined;
  if (stmt.kind === 'insert') name = stmt.table;
  else if ((stmt.kind === 'update' || stmt.kind === 'delete') && stmt.table.kind === 'table') name = stmt.table.name;
  if (!name) return 0;
  try {
    const rel = lookupRelation(env, name);
    return rel?.kind === 'view' ? rel.oid : 0;
  } catch {
    return 0;
  }
}

// ------------------------------------------------------------------ DDL

function kindName(o: CatalogObj): string {
  switch (o.kind) {
    case 'table':
      return (o as { matview?: unknown }).matview ? 'materialized view' : 'table';
    case 'view':
      return 'view';
    case 'sequence':
      return 'sequence';
    case 'index':
      return 'index';
    case 'schema':
      return 'schema';
    case 'database':
      return 'database';
    default:
      return 'relation';
  }
}

function mustOwn(cat: Catalog, env: BindEnv, o: CatalogObj | undefined): void {
  if (!o) return;
  const owner = o.kind === 'index' ? (cat.get(o.tableOid) as { owner?: number } | undefined)?.owner : (o as { owner?: number }).owner;
  if (owner === undefined || ownsObject(cat, env.userOid, owner)) return;
  throw new SbError(SqlState.insufficient_privilege, `must be owner of ${kindName(o)} ${o.name}`);
}

/** 42501 "must be owner of ..." unless the user owns the object (or is a superuser); an index is its table's. */
export function requireOwnership(env: BindEnv, o: CatalogObj | undefined): void {
  mustOwn(env.catalog, env, o);
}

function mustCreateIn(env: BindEnv, name: A.QName): void {
  let schema;
  try {
    schema = creationSchema(env, name).schema;
  } catch {
    return; // the statement reports the missing schema itself
  }
  if (!hasSchemaPrivilege(env.catalog, env.userOid, schema.oid, 'C')) {
    throw new SbError(SqlState.insufficient_privilege, `permission denied for schema ${schema.name}`);
  }
}

function relation(env: BindEnv, name: A.QName): CatalogObj | undefined {
  try {
    return lookupRelation(env, name);
  } catch {
    return undefined;
  }
}

/** REFERENCES on the referenced columns (the primary key when none are named) for each foreign key a statement adds. */
function mustReference(env: BindEnv, refs: A.ForeignKeyRef[]): void {
  const cat = env.catalog;
  for (const ref of refs) {
    const t = relation(env, ref.table);
    if (t?.kind !== 'table' || hasRelationPrivilege(cat, env.userOid, t, 'x')) continue;
    let attnums: number[];
    if (ref.columns && ref.columns.length > 0) {
      const names = ref.columns.map((id) => env.dialect.foldIdentifier(id));
      attnums = names.map((n) => t.columns.find((c) => !c.dropped && c.name === n)?.attnum).filter((a): a is number => a !== undefined);
      if (attnums.length < names.length) continue; // the statement reports the missing column
    } else attnums = t.pk ?? [];
    if (attnums.length === 0 || !attnums.every((a) => hasColumnPrivilege(cat, env.userOid, t, a, 'x'))) {
      throw new SbError(SqlState.insufficient_privilege, `permission denied for table ${t.name}`);
    }
  }
}

function foreignKeys(elements: readonly A.TableElement[]): A.ForeignKeyRef[] {
  const out: A.ForeignKeyRef[] = [];
  for (const e of elements) {
    if (e.kind === 'column_def') for (const c of e.constraints) if (c.type === 'references') out.push(c.ref);
    if (e.kind === 'table_constraint' && e.type === 'foreign_key' && e.ref) out.push(e.ref);
  }
  return out;
}

/** Throws 42501 when the user may not run this DDL statement (objects that do not exist are left to the statement). */
export function checkDdlPrivileges(env: BindEnv, stmt: A.Statement): void {
  const cat = env.catalog;
  if (isSuperuser(cat, env.userOid)) return;
  switch (stmt.kind) {
    case 'create_table':
    case 'create_view':
    case 'create_sequence':
      if (!stmt.temporary) mustCreateIn(env, stmt.name);
      if (stmt.kind === 'create_view' && stmt.verb !== 'CREATE') mustOwn(cat, env, relation(env, stmt.name));
      if (stmt.kind === 'create_table') mustReference(env, foreignKeys(stmt.elements));
      return;
    case 'select': {
      const into = stmt.into ?? (stmt.body.kind === 'select_core' ? stmt.body.into : undefined);
      if (into?.table && !into.temporary) mustCreateIn(env, into.table);
      return;
    }
    case 'create_index': {
      const t = relation(env, stmt.table);
      mustOwn(cat, env, t);
      return;
    }
    case 'alter_table':
      mustOwn(cat, env, relation(env, stmt.name));
      mustReference(env, foreignKeys(stmt.actions.flatMap((a): A.TableElement[] => (a.action === 'add_column' ? [a.column] : a.action === 'add_constraint' ? [a.constraint] : []))));
      return;
    case 'alter_sequence':
    case 'refresh_matview':
      mustOwn(cat, env, relation(env, stmt.name));
      return;
    case 'truncate':
      for (const n of stmt.tables) {
        const t = relation(env, n);
        if (t?.kind === 'table' && !hasRelationPrivilege(cat, env.userOid, t, 'D')) {
          throw new SbError(SqlState.insufficient_privilege, `permission denied for table ${t.name}`);
        }
      }
      return;
    case 'drop': {
      const type = stmt.objectType.toUpperCase();
      if (type === 'SCHEMA') {
        for (const n of stmt.names) mustOwn(cat, env, cat.schema(env.dbOid, foldQName(env, n).at(-1)!));
      } else if (['TABLE', 'VIEW', 'SEQUENCE', 'INDEX', 'MATERIALIZED VIEW'].includes(type)) {
        for (const n of stmt.names) mustOwn(cat, env, relation(env, n));
      }
      return;
    }
    case 'create_schema': {
      const db = cat.get(env.dbOid);
      if (db?.kind === 'database' && !ownsObject(cat, env.userOid, db.owner)) {
        throw new SbError(SqlState.insufficient_privilege, `permission denied for database ${db.name}`);
      }
      return;
    }
    default:
      return;
  }
}
