// CREATE INDEX, CREATE SCHEMA, CREATE / ALTER SEQUENCE, CREATE VIEW, TRUNCATE.

import type * as A from '../../../sql-dialects/index.ts';
import { postgres, print } from '../../../sql-dialects/index.ts';
import type { IndexObj, SchemaObj, SequenceObj, TableObj, ViewObj } from '../catalog/objects.ts';
import { SqlState } from '../sb_error.ts';
import { T } from '../types/types.ts';
import { typeName } from '../functions/errors.ts';
import { errAt, fold } from './context.ts';
import { creationSchema, foldQName, lookupRelation, requireSequence, requireTable } from './names.ts';
import { bindQuery, figureColname } from './select.ts';
import { bindIndexPredicate } from './index_exprs.ts';
import { notUpdatableReason } from './view_dml.ts';
import { createMatview } from './ddl_matview.ts';
import { Scope } from './scope.ts';
import { type DdlEnv, chooseName, sequenceSpec } from './ddl_env.ts';
import { buildIndex, createIndex, indexKeys } from './ddl_constraints.ts';
import { createTable } from './ddl_table.ts';
import { buildIndexEntries } from './ddl_build.ts';
import { requireOwnership } from './privileges.ts';

export async function createIndexStatement(env: DdlEnv, stmt: A.CreateIndex): Promise<void> {
  const bind = env.bindEnv();
  if (stmt.concurrently && env.txn && env.inBlock) {
    throw errAt(bind, SqlState.active_sql_transaction, 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block', stmt.loc);
  }
  // INCLUDE columns only make index-only scans possible; the index works the same without them.
  if (stmt.using && !['btree', 'hash'].includes(fold(bind, stmt.using))) {
    throw errAt(bind, SqlState.feature_not_supported, `access method "${fold(bind, stmt.using)}" is not supported yet`, stmt.loc);
  }
  if (stmt.verb !== 'CREATE' || stmt.indexType || stmt.computedBy) {
    throw errAt(bind, SqlState.feature_not_supported, 'this CREATE INDEX form is not supported in this dialect', stmt.loc);
  }
  const t = requireTable(bind, stmt.table);
  const keys = indexKeys(env, t, stmt.columns, 'index');
  const where = stmt.where ? bindIndexPredicate(bind, t, stmt.where) : undefined;
  let name: string;
  if (stmt.name) {
    const parts = foldQName(bind, stmt.name);
    name = parts[parts.length - 1]!;
    if (parts.length > 1) throw errAt(bind, SqlState.syntax_error, 'index name cannot be schema-qualified (it lives in its table\'s schema)', stmt.loc);
    if (bind.catalog.relation(t.schemaOid, name)) {
      if (stmt.ifNotExists) {
        env.notice(`relation "${name}" already exists, skipping`);
        return;
      }
      throw errAt(bind, SqlState.duplicate_table, `relation "${name}" already exists`, stmt.name[0]?.loc);
    }
  } else {
    // PostgreSQL's ChooseIndexColumnNames: a column's name, an expression's FigureColname or "expr".
    const colNames = keys.map((k, i) => {
      if (k.expr === undefined) return t.columns[k.attnum - 1]!.name;
      let e = stmt.columns[i]!.expr;
      while (e.kind === 'nested') e = e.expr;
      return figureColname({ env: bind, scope: new Scope() }, e) ?? 'expr';
    });
    name = chooseName(bind.catalog, t.schemaOid, undefined, t.name, colNames.join('_'), 'idx');
  }
  const ix = await createIndex(env, t, {
    name, keys, unique: stmt.unique === true, primary: false, ...(stmt.nullsDistinct === false ? { nullsNotDistinct: true } : {}), ...(where !== undefined ? { where } : {}),
  });
  buildIndex(env, t, ix);
}

export async function createSchema(env: DdlEnv, stmt: A.CreateSchema): Promise<void> {
  const bind = env.bindEnv();
  const name = stmt.name ? fold(bind, stmt.name) : stmt.authorization ? fold(bind, stmt.authorization) : undefined;
  if (!name) throw errAt(bind, SqlState.syntax_error, 'CREATE SCHEMA needs a name', stmt.loc);
  if (name.startsWith('pg_')) {
    throw errAt(bind, '42939', `unacceptable schema name "${name}"`, stmt.loc, { detail: 'The prefix "pg_" is reserved for system schemas.' });
  }
  if (bind.catalog.schema(bind.dbOid, name)) {
    if (stmt.ifNotExists) {
      env.notice(`schema "${name}" already exists, skipping`);
      return;
    }
    throw errAt(bind, SqlState.duplicate_schema, `schema "${name}" already exists`, stmt.loc);
  }
  let owner = bind.userOid;
  if (stmt.authorization) {
    const role = bind.catalog.role(fold(bind, stmt.authorization));
    if (!role) throw errAt(bind, SqlState.undefined_object, `role "${fold(bind, stmt.authorization)}" does not exist`, stmt.loc);
    owner = role.oid;
  }
  const s: SchemaObj = { kind: 'schema', oid: await env.cat.allocOid(), dbOid: bind.dbOid, name, owner };
  env.cat.put(env.txn, s);
  if (stmt.elements?.length) await createSchemaElements(env, name, stmt.elements);
}

/**
 * CREATE SCHEMA's elements (CREATE TABLE / VIEW / INDEX / SEQUENCE), run in
 * order with the new schema first in search_path, as PostgreSQL does. A
 * qualified name must name the new schema (42P15). A view's unqualified
 * relation names that resolve into the new schema are stored qualified, so
 * the view works from any search_path.
 */
async function createSchemaElements(env: DdlEnv, schema: string, elements: A.Statement[]): Promise<void> {
  const inner: DdlEnv = Object.create(env) as DdlEnv;
  inner.bindEnv = () => {
    const b = env.bindEnv();
    return { ...b, searchPath: [schema, ...b.searchPath.filter((n) => n !== schema)] };
  };
  for (const el of elements) {
    const bind = inner.bindEnv();
    const named = (el as { name?: A.QName }).name;
    if (named !== undefined && named.length > 1) {
      const given = fold(bind, named[named.length - 2]!);
      if (given !== schema) {
        throw errAt(bind, '42P15', `CREATE specifies a schema (${given}) different from the one being created (${schema})`, (el as { loc?: A.Loc }).loc);
      }
    }
    switch (el.kind) {
      case 'create_table':
        await createTable(inner, el);
        break;
      case 'create_view':
        qualifyRelations(bind, schema, el.query);
        await createView(inner, el);
        break;
      case 'create_index':
        await createIndexStatement(inner, el);
        break;
      case 'create_sequence':
        await createSequence(inner, el);
        break;
      default:
        throw errAt(bind, SqlState.feature_not_supported, `${el.kind.replace(/_/g, ' ').toUpperCase()} in CREATE SCHEMA is not supported yet`, (el as { loc?: A.Loc }).loc);
    }
  }
}

/** Prefixes the schema to unqualified FROM relations that exist in it (not CTE names). */
function qualifyRelations(bind: ReturnType<DdlEnv['bindEnv']>, schema: string, query: A.Query): void {
  const s = bind.catalog.schema(bind.dbOid, schema);
  if (!s) return;
  const ctes = new Set<string>();
  const visit = (n: unknown): void => {
    if (n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      for (const x of n) visit(x);
      return;
    }
    const o = n as Record<string, unknown>;
    const w = o.with as { ctes?: { name: A.Ident }[] } | undefined;
    if (w?.ctes) for (const c of w.ctes) ctes.add(fold(bind, c.name));
    if (o.kind === 'table' && Array.isArray(o.name) && o.name.length === 1) {
      const id = o.name[0] as A.Ident;
      const nm = fold(bind, id);
      if (!ctes.has(nm) && bind.catalog.relation(s.oid, nm)) o.name = [{ value: schema, quoted: true }, id];
    }
    for (const k of Object.keys(o)) if (k !== 'loc') visit(o[k]);
  };
  visit(query);
}

/**
 * ALTER SCHEMA name RENAME TO / OWNER TO. (The parser gives ALTER SCHEMA and
 * ALTER DATABASE one node; the statement text tells them apart.)
 */
export async function alterSchemaOrDatabase(env: DdlEnv, stmt: A.AlterDatabase, sql: string): Promise<string> {
  const bind = env.bindEnv();
  const text = stmt.loc ? sql.slice(stmt.loc.start, stmt.loc.end) : sql;
  if (!/^\s*ALTER\s+SCHEMA\b/i.test(text) || !stmt.name) {
    throw errAt(bind, SqlState.feature_not_supported, 'ALTER DATABASE is not supported yet', stmt.loc);
  }
  const name = fold(bind, stmt.name);
  const s = bind.catalog.schema(bind.dbOid, name);
  if (!s) throw errAt(bind, SqlState.invalid_schema_name, `schema "${name}" does not exist`, stmt.name.loc);
  for (const o of stmt.options) {
    const v = o.value?.kind === 'column' ? fold(bind, o.value.name[o.value.name.length - 1]!) : undefined;
    if (o.name === 'RENAME TO' && v) {
      if (bind.catalog.schema(bind.dbOid, v)) throw errAt(bind, SqlState.duplicate_schema, `schema "${v}" already exists`, stmt.loc);
      if (v.startsWith('pg_')) throw errAt(bind, '42939', `unacceptable schema name "${v}"`, stmt.loc, { detail: 'The prefix "pg_" is reserved for system schemas.' });
      env.cat.put(env.txn, { ...s, name: v });
    } else if (o.name === 'OWNER TO' && v) {
      const role = bind.catalog.role(v);
      if (!role) throw errAt(bind, SqlState.undefined_object, `role "${v}" does not exist`, stmt.loc);
      env.cat.put(env.txn, { ...s, owner: role.oid });
    } else throw errAt(bind, SqlState.feature_not_supported, `ALTER SCHEMA ... ${o.name} is not supported yet`, stmt.loc);
  }
  return 'ALTER SCHEMA';
}

export async function createSequence(env: DdlEnv, stmt: A.CreateSequence): Promise<void> {
  const bind = env.bindEnv();
  const { schema, name } = creationSchema(bind, stmt.name);
  if (bind.catalog.relation(schema.oid, name)) {
    if (stmt.ifNotExists) {
      env.notice(`relation "${name}" already exists, skipping`);
      return;
    }
    throw errAt(bind, SqlState.duplicate_table, `relation "${name}" already exists`, stmt.name[0]?.loc);
  }
  const spec = sequenceSpec(bind, stmt.options);
  const seq: SequenceObj = {
    kind: 'sequence', oid: await env.cat.allocOid(), dbOid: bind.dbOid, schemaOid: schema.oid, name, owner: bind.userOid,
    type: spec.type, start: spec.start, increment: spec.increment, min: spec.min, max: spec.max, cache: spec.cache, cycle: spec.cycle,
  };
  if (spec.ownedBy) seq.ownedBy = ownedByColumn(env, spec.ownedBy);
  env.cat.put(env.txn, seq);
}

function ownedByColumn(env: DdlEnv, q: A.QName): { tableOid: number; attnum: number } {
  const bind = env.bindEnv();
  if (q.length < 2) throw errAt(bind, SqlState.syntax_error, 'invalid OWNED BY option', undefined, { hint: 'Specify OWNED BY table.column or OWNED BY NONE.' });
  const t = requireTable(bind, q.slice(0, -1));
  const col = fold(bind, q[q.length - 1]!);
  const c = t.columns.find((x) => !x.dropped && x.name === col);
  if (!c) throw errAt(bind, SqlState.undefined_column, `column "${col}" of relation "${t.name}" does not exist`, q[q.length - 1]!.loc);
  return { tableOid: t.oid, attnum: c.attnum };
}

export async function alterSequence(env: DdlEnv, stmt: A.AlterSequence): Promise<void> {
  const bind = env.bindEnv();
  const rel = lookupRelation(bind, stmt.name);
  if (!rel && stmt.ifExists) {
    env.notice(`relation "${foldQName(bind, stmt.name).join('.')}" does not exist, skipping`);
    return;
  }
  const seq = requireSequence(bind, stmt.name);
  const spec = sequenceSpec(bind, stmt.options, seq);
  const next: SequenceObj = {
    ...seq, type: spec.type, start: spec.start, increment: spec.increment, min: spec.min, max: spec.max, cache: spec.cache, cycle: spec.cycle,
  };
  if (spec.ownedBy === null) delete next.ownedBy;
  else if (spec.ownedBy) next.ownedBy = ownedByColumn(env, spec.ownedBy);
  env.cat.put(env.txn, next);
  if (spec.restart !== undefined) {
    env.sequences.setval(env.txn, next, spec.restart === true ? next.start : spec.restart, false, env.store.clock.now());
  } else env.sequences.realign(env.txn, seq, next, env.store.clock.now());
}

const INVALID_TABLE_DEFINITION = '42P16';

export async function createView(env: DdlEnv, stmt: A.CreateView): Promise<string | void> {
  const bind = env.bindEnv();
  if (stmt.materialized) return createMatview(env, stmt);
  if (stmt.recursive) {
    throw errAt(bind, SqlState.feature_not_supported, 'this kind of view is not supported yet', stmt.loc);
  }
  const checkOption = viewCheckOption(bind, stmt);
  if (checkOption) {
    const reason = notUpdatableReason(bind, stmt.query);
    if (reason) throw errAt(bind, SqlState.feature_not_supported, 'WITH CHECK OPTION is supported only on automatically updatable views', stmt.loc, { hint: reason });
  }
  const { schema, name } = creationSchema(bind, stmt.name);
  const existing = bind.catalog.relation(schema.oid, name);
  const q = bindQuery({ env: bind, scope: new Scope() }, stmt.query);
  const names = stmt.columns?.map((c) => fold(bind, c)) ?? [];
  if (names.length > q.cols.length) throw errAt(bind, SqlState.syntax_error, 'CREATE VIEW specifies more column names than columns', stmt.loc);
  const columns = q.cols.map((c, i) => ({ name: names[i] ?? c.name, type: c.type.id === 'unknown' ? T.text : c.type }));
  if (existing) {
    if (stmt.ifNotExists) {
      env.notice(`relation "${name}" already exists, skipping`);
      return;
    }
    if (stmt.verb !== 'CREATE OR REPLACE' || existing.kind !== 'view') {
      throw errAt(bind, SqlState.duplicate_table, `relation "${name}" already exists`, stmt.name[0]?.loc);
    }
    // PostgreSQL: the new query may add columns at the end, never drop, rename or retype existing ones.
    if (columns.length < existing.columns.length) {
      throw errAt(bind, INVALID_TABLE_DEFINITION, 'cannot drop columns from view', stmt.loc);
    }
    existing.columns.forEach((old, i) => {
      const nu = columns[i]!;
      if (nu.name !== old.name) {
        throw errAt(bind, INVALID_TABLE_DEFINITION, `cannot change name of view column "${old.name}" to "${nu.name}"`, stmt.loc, {
          hint: 'Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.',
        });
      }
      if (typeName(nu.type) !== typeName(old.type)) {
        throw errAt(bind, INVALID_TABLE_DEFINITION, `cannot change data type of view column "${old.name}" from ${typeName(old.type)} to ${typeName(nu.type)}`, stmt.loc);
      }
    });
  }
  const view: ViewObj = {
    kind: 'view', oid: existing?.oid ?? (await env.cat.allocOid()), dbOid: bind.dbOid, schemaOid: schema.oid, name, owner: bind.userOid,
    sql: print(stmt.query, postgres), columns, ...(checkOption ? { checkOption } : {}),
  };
  env.cat.put(env.txn, view);
}

/** WITH [LOCAL | CASCADED] CHECK OPTION, or WITH (check_option = local | cascaded). */
function viewCheckOption(bind: ReturnType<DdlEnv['bindEnv']>, stmt: A.CreateView): 'local' | 'cascaded' | undefined {
  let opt: 'local' | 'cascaded' | undefined = stmt.checkOption === 'LOCAL' ? 'local' : stmt.checkOption ? 'cascaded' : undefined;
  for (const o of stmt.with ?? []) {
    const key = o.name.toLowerCase();
    if (key !== 'check_option') {
      if (key === 'security_barrier' || key === 'security_invoker') continue;
      throw errAt(bind, '22023', `unrecognized parameter "${key}"`, stmt.loc);
    }
    const v = o.value?.kind === 'column' ? o.value.name[o.value.name.length - 1]!.value.toLowerCase()
      : o.value?.kind === 'string' ? o.value.value.toLowerCase() : undefined;
    if (v !== 'local' && v !== 'cascaded') {
      throw errAt(bind, '22023', 'invalid value for enum option "check_option": ' + (v ?? ''), stmt.loc, { detail: 'Valid values are "local" and "cascaded".' });
    }
    opt = v;
  }
  return opt;
}

/** TRUNCATE: deletes every row and index entry in the transaction (so ROLLBACK brings them back). */
export async function truncate(env: DdlEnv, stmt: A.Truncate): Promise<void> {
  const bind = env.bindEnv();
  const tables = stmt.tables.map((q) => {
    const t = requireTable(bind, q);
    if (t.matview) throw errAt(bind, SqlState.wrong_object_type, `"${t.name}" is not a table`);
    return t;
  });
  const targets = new Set(tables.map((t) => t.oid));
  const catalog = env.catalog();
  for (const t of [...tables]) {
    for (const fk of catalog.referencing(t.oid)) {
      if (targets.has(fk.tableOid)) continue;
      const child = catalog.table(fk.tableOid)!;
      if (stmt.behavior !== 'CASCADE') {
        throw errAt(bind, SqlState.feature_not_supported, 'cannot truncate a table referenced in a foreign key constraint', stmt.loc, {
          detail: `Table "${child.name}" references "${t.name}".`,
          hint: `Truncate table "${child.name}" at the same time, or use TRUNCATE ... CASCADE.`,
        });
      }
      env.notice(`truncate cascades to table "${child.name}"`);
      targets.add(child.oid);
      tables.push(child);
    }
  }
  for (const t of tables) {
    const ctx = env.execContext();
    const ta = ctx.tables.get(t.oid);
    for (const ks of [ta.ks, ...ta.indexes.map((i) => i.ks)]) {
      const keys: Uint8Array[] = [];
      const c = env.txn.scan(ks);
      try {
        while (c.next()) keys.push(c.key.slice());
      } finally {
        c.close();
      }
      for (const k of keys) {
        const r = env.txn.tryWrite(ks, k, undefined, 'delete');
        if (r !== 'ok') throw errAt(bind, SqlState.lock_not_available, `could not truncate "${t.name}": rows are locked by a concurrent transaction`);
      }
    }
    if (stmt.identity === 'RESTART') {
      for (const s of catalog.ofKind('sequence')) {
        if (s.ownedBy?.tableOid === t.oid) env.sequences.setval(env.txn, s, s.start, false, env.store.clock.now());
      }
    }
  }
}

/**
 * REINDEX {INDEX | TABLE | SCHEMA | DATABASE | SYSTEM} [CONCURRENTLY] name:
 * each index's entries are deleted and written again from the table's rows
 * (a primary key has no separate entries: the rows are keyed by it).
 */
export async function reindex(env: DdlEnv, stmt: A.Reindex): Promise<void> {
  const bind = env.bindEnv();
  if (stmt.concurrently && env.inBlock) {
    throw errAt(bind, '25001', `REINDEX CONCURRENTLY cannot run inside a transaction block`, stmt.loc);
  }
  const cat = bind.catalog;
  const targets: Array<{ t: TableObj; ix: IndexObj }> = [];
  const ofTable = (t: TableObj): void => {
    for (const ix of cat.indexesOf(t.oid)) targets.push({ t, ix });
  };
  switch (stmt.target) {
    case 'INDEX': {
      const rel = lookupRelation(bind, stmt.name!);
      if (!rel) throw errAt(bind, SqlState.undefined_table, `relation "${foldQName(bind, stmt.name!).join('.')}" does not exist`, stmt.loc);
      if (rel.kind !== 'index') throw errAt(bind, SqlState.wrong_object_type, `"${rel.name}" is not an index`, stmt.loc);
      requireOwnership(bind, rel);
      const t = cat.table(rel.tableOid);
      if (t) targets.push({ t, ix: rel });
      break;
    }
    case 'TABLE': {
      const rel = lookupRelation(bind, stmt.name!);
      if (!rel) throw errAt(bind, SqlState.undefined_table, `relation "${foldQName(bind, stmt.name!).join('.')}" does not exist`, stmt.loc);
      if (rel.kind !== 'table' && !(rel.kind === 'view' && (rel as { matview?: unknown }).matview !== undefined)) {
        throw errAt(bind, SqlState.wrong_object_type, `"${rel.name}" is not a table or materialized view`, stmt.loc);
      }
      requireOwnership(bind, rel);
      const t = cat.table(rel.oid);
      if (t) ofTable(t);
      break;
    }
    case 'SCHEMA': {
      const name = fold(bind, stmt.name![stmt.name!.length - 1]!);
      const sch = cat.schema(bind.dbOid, name);
      if (!sch) throw errAt(bind, SqlState.invalid_schema_name, `schema "${name}" does not exist`, stmt.loc);
      requireOwnership(bind, sch); // the schema's owner reindexes every table in it, as in PostgreSQL
      for (const r of cat.relationsIn(sch.oid)) if (r.kind === 'table') ofTable(r);
      break;
    }
    default: {
      if (env.inBlock) throw errAt(bind, '25001', `REINDEX ${stmt.target} cannot run inside a transaction block`, stmt.loc);
      if (stmt.name) {
        const name = fold(bind, stmt.name[stmt.name.length - 1]!);
        if (name !== bind.dbName) throw errAt(bind, SqlState.feature_not_supported, 'can only reindex the currently open database', stmt.loc);
      }
      requireOwnership(bind, cat.get(bind.dbOid));
      if (stmt.target === 'SYSTEM') return; // system catalogs have no stored indexes here
      for (const sch of searchAllSchemas(bind)) for (const r of cat.relationsIn(sch.oid)) if (r.kind === 'table') ofTable(r);
    }
  }
  const ctx = env.execContext();
  for (const { t, ix } of targets) {
    if (ix.primary) continue;
    const ta = ctx.tables.get(t.oid);
    const access = ta.indexes.find((i) => i.obj.oid === ix.oid);
    if (!access) continue;
    const keys: Uint8Array[] = [];
    const c = env.txn.scan(access.ks);
    try {
      while (c.next()) keys.push(c.key.slice());
    } finally {
      c.close();
    }
    for (const k of keys) env.txn.delete(access.ks, k);
    buildIndexEntries(env.txn, ta, access, ctx);
  }
}

function searchAllSchemas(bind: ReturnType<DdlEnv['bindEnv']>): SchemaObj[] {
  return bind.catalog.ofKind('schema').filter((s) => s.dbOid === bind.dbOid);
}
