// Materialized views (PostgreSQL): CREATE MATERIALIZED VIEW [IF NOT EXISTS]
// ... AS query [WITH [NO] DATA] and REFRESH MATERIALIZED VIEW [CONCURRENTLY]
// name [WITH [NO] DATA].
//
// A materialized view is stored as a table (its rows in its own key space,
// indexes like a table's) whose TableObj carries `matview`: the defining
// query's text and whether it holds data (pg_class.relispopulated). Reading
// an unpopulated one is 55000; INSERT / UPDATE / DELETE on one is 42809.
// REFRESH deletes every row and index entry and inserts the query's rows in
// the statement's transaction. CONCURRENTLY has PostgreSQL's preconditions
// (a populated view, a unique index on columns only with no WHERE) and runs
// as PostgreSQL's refresh_by_match_merge: the new rows are computed first
// (21000 when two of them without NULLs are identical), compared with the
// stored ones by their exact image (1.0 and 1.00 differ), and only the
// difference is applied: stored rows with no identical new row are deleted,
// new rows with no identical stored row inserted (the unique index then
// reports a duplicate key as 23505). Unchanged rows keep their storage, so
// the view is never empty in between, even inside the refreshing transaction.

import type * as A from '../../../sql-dialects/index.ts';
import { parse, postgres, print } from '../../../sql-dialects/index.ts';
import type { TableObj } from '../catalog/objects.ts';
import { buildOperator } from '../exec/build.ts';
import { drain } from '../exec/operator.ts';
import type { Plan } from '../plan/nodes.ts';
import { SbError, SqlState } from '../sb_error.ts';
import { decodeRow } from '../exec/row_codec.ts';
import { formatText } from '../types/text_io.ts';
import { T, type SqlType } from '../types/types.ts';
import type { BindEnv } from './context.ts';
import { errAt, fold } from './context.ts';
import { creationSchema, foldQName, lookupRelation } from './names.ts';
import { bindQuery } from './select.ts';
import { Scope } from './scope.ts';
import type { DdlEnv } from './ddl_env.ts';
import { readAndClear, writeRows } from './ddl_rewrite.ts';

export function isMatview(o: unknown): o is TableObj & { matview: NonNullable<TableObj['matview']> } {
  return typeof o === 'object' && o !== null && (o as TableObj).kind === 'table' && (o as TableObj).matview !== undefined;
}

/** 55000 when a query reads a materialized view created or refreshed WITH NO DATA. */
export function requirePopulated(env: BindEnv, t: TableObj, loc?: A.Loc): void {
  if (t.matview && !t.matview.populated) {
    throw errAt(env, SqlState.object_not_in_prerequisite_state, `materialized view "${t.name}" has not been populated`, loc, {
      hint: 'Use the REFRESH MATERIALIZED VIEW command.',
    });
  }
}

export async function createMatview(env: DdlEnv, stmt: A.CreateView): Promise<string | void> {
  const bind = env.bindEnv();
  if (stmt.verb !== 'CREATE' || stmt.recursive || stmt.checkOption) {
    throw errAt(bind, SqlState.syntax_error, 'syntax error in CREATE MATERIALIZED VIEW', stmt.loc);
  }
  const { schema, name } = creationSchema(bind, stmt.name);
  if (bind.catalog.relation(schema.oid, name)) {
    if (stmt.ifNotExists) {
      env.notice(`relation "${name}" already exists, skipping`);
      return 'CREATE MATERIALIZED VIEW';
    }
    throw errAt(bind, SqlState.duplicate_table, `relation "${name}" already exists`, stmt.name[0]?.loc);
  }
  const q = bindQuery({ env: bind, scope: new Scope() }, stmt.query);
  const names = stmt.columns?.map((c) => fold(bind, c)) ?? [];
  if (names.length > q.cols.length) throw errAt(bind, SqlState.syntax_error, 'too many column names were specified', stmt.loc);
  const oid = await env.cat.allocOid();
  const table: TableObj = {
    kind: 'table', oid, dbOid: bind.dbOid, schemaOid: schema.oid, name, owner: bind.userOid, columns: [],
    keyspace: `t${oid}`, nextAttnum: 1,
    matview: { sql: print(stmt.query, postgres), populated: stmt.withData !== false },
  };
  q.cols.forEach((c, i) => {
    const type: SqlType = c.type.id === 'unknown' ? T.text : c.type;
    const col = names[i] ?? c.name;
    if (table.columns.some((x) => x.name === col)) throw errAt(bind, SqlState.duplicate_column, `column "${col}" specified more than once`, stmt.loc);
    table.columns.push({ attnum: table.nextAttnum++, name: col, type, notNull: false });
  });
  await env.createKeyspace(table.keyspace);
  env.cat.put(env.txn, table);
  if (stmt.withData === false) return 'CREATE MATERIALIZED VIEW';
  return `SELECT ${await fill(env, table, q.plan)}`;
}

/** Writes the rows of a bound query into the materialized view's storage (rows and index entries); returns the count. */
async function fill(env: DdlEnv, table: TableObj, queryPlan: Plan): Promise<number> {
  const rows: unknown[][] = [];
  const op = buildOperator(queryPlan);
  await drain(env.execContext(), op, (b) => {
    for (let i = 0; i < b.length; i++) rows.push(b.cols.map((c) => c[i]));
  });
  writeRows(env, table, rows);
  return rows.length;
}

export async function refreshMatview(env: DdlEnv, stmt: A.RefreshMatview): Promise<void> {
  const bind = env.bindEnv();
  const rel = lookupRelation(bind, stmt.name);
  if (!rel) throw errAt(bind, SqlState.undefined_table, `relation "${foldQName(bind, stmt.name).join('.')}" does not exist`, stmt.name[0]?.loc);
  if (!isMatview(rel)) throw errAt(bind, SqlState.feature_not_supported, `"${rel.name}" is not a materialized view`, stmt.loc);
  const withData = stmt.withData !== false;
  if (stmt.concurrently) {
    // PostgreSQL's order: the populated check, then the option conflict (a syntax error there).
    if (!rel.matview.populated) throw errAt(bind, SqlState.feature_not_supported, 'CONCURRENTLY cannot be used when the materialized view is not populated', stmt.loc);
    if (!withData) throw errAt(bind, SqlState.syntax_error, 'CONCURRENTLY and WITH NO DATA options cannot be used together', stmt.loc);
    const usable = bind.catalog.indexesOf(rel.oid).some((ix) => ix.unique && !ix.where && ix.keys.every((k) => k.attnum > 0 && !k.expr));
    if (!usable) {
      const schema = bind.catalog.get(rel.schemaOid);
      throw errAt(bind, SqlState.object_not_in_prerequisite_state, `cannot refresh materialized view "${schema && 'name' in schema ? schema.name : ''}.${rel.name}" concurrently`, stmt.loc, {
        hint: 'Create a unique index with no WHERE clause on one or more columns of the materialized view.',
      });
    }
  }
  if (stmt.concurrently) return refreshByDiff(env, rel, stmt);
  readAndClear(env, rel);
  const next: TableObj = { ...rel, matview: { ...rel.matview, populated: withData } };
  env.cat.put(env.txn, next);
  if (!withData) return;
  const query = parse(rel.matview.sql, postgres)[0] as A.Query;
  const q = bindQuery({ env: env.bindEnv(), scope: new Scope() }, query);
  if (q.cols.length !== rel.columns.length) {
    throw errAt(bind, SqlState.feature_not_supported, `the query of materialized view "${rel.name}" no longer returns its columns`, stmt.loc);
  }
  await fill(env, next, q.plan);
}

/** The value images of a row (formatText per column: what PostgreSQL's record image comparison tells apart). */
function rowImage(types: readonly SqlType[], row: readonly unknown[]): string {
  let k = '';
  for (let i = 0; i < types.length; i++) {
    const v = row[i];
    k += v === null || v === undefined ? '\u0000N' : '\u0000V' + formatText(types[i]!, v).replace(/\\/g, '\\\\').replace(/\u0000/g, '\\0');
  }
  return k;
}

/** REFRESH MATERIALIZED VIEW CONCURRENTLY: applies the difference between the stored rows and the query's (refresh_by_match_merge). */
async function refreshByDiff(env: DdlEnv, rel: TableObj & { matview: NonNullable<TableObj['matview']> }, stmt: A.RefreshMatview): Promise<void> {
  const bind = env.bindEnv();
  const query = parse(rel.matview.sql, postgres)[0] as A.Query;
  const q = bindQuery({ env: bind, scope: new Scope() }, query);
  if (q.cols.length !== rel.columns.length) {
    throw errAt(bind, SqlState.feature_not_supported, `the query of materialized view "${rel.name}" no longer returns its columns`, stmt.loc);
  }
  const types = rel.columns.map((c) => c.type);
  const fresh: unknown[][] = [];
  await drain(env.execContext(), buildOperator(q.plan), (b) => {
    for (let i = 0; i < b.length; i++) fresh.push(b.cols.map((c) => c[i]));
  });
  // Identical new rows without NULLs: the diff could not tell them apart.
  const seen = new Set<string>();
  for (const row of fresh) {
    if (row.some((v) => v === null || v === undefined)) continue;
    const k = rowImage(types, row);
    if (seen.has(k)) {
      const schema = bind.catalog.get(rel.schemaOid);
      throw new SbError(SqlState.cardinality_violation,
        `new data for materialized view "${rel.name}" contains duplicate rows without any null columns`, {
          detail: `Row: (${row.map((v, i) => formatText(types[i]!, v)).join(',')})`,
          ...(schema && 'name' in schema ? { schema: schema.name } : {}), table: rel.name,
        });
    }
    seen.add(k);
  }
  // The stored rows by image (a multiset: rows with NULLs may repeat).
  const ctx = env.execContext();
  const ta = ctx.tables.get(rel.oid);
  const stored = new Map<string, Array<{ key: Uint8Array; row: unknown[] }>>();
  const c = env.txn.scan(ta.ks);
  try {
    while (c.next()) {
      const row = decodeRow(c.value, ta.types, ta.missing);
      const k = rowImage(types, row);
      let list = stored.get(k);
      if (!list) stored.set(k, (list = []));
      list.push({ key: c.key.slice(), row });
    }
  } finally {
    c.close();
  }
  const inserts: unknown[][] = [];
  for (const row of fresh) {
    const list = stored.get(rowImage(types, row));
    if (list && list.length > 0) list.pop();
    else inserts.push(row);
  }
  // Deletes first (a changed row's key may come back with its new values), with their index entries.
  for (const list of stored.values()) {
    for (const { key, row } of list) {
      if (env.txn.tryWrite(ta.ks, key, undefined, 'delete') !== 'ok') {
        throw new SbError(SqlState.lock_not_available, `could not refresh "${rel.name}": rows are locked by a concurrent transaction`);
      }
      for (const ix of ta.indexes) {
        const entry = ta.indexKey(ix, row, key, ctx);
        if (!entry) continue;
        if (env.txn.tryWrite(ix.ks, entry.key, undefined, 'delete') !== 'ok') {
          throw new SbError(SqlState.lock_not_available, `could not refresh "${rel.name}": rows are locked by a concurrent transaction`);
        }
      }
    }
  }
  writeInserts(env, rel, inserts);
}

/** Inserts rows through the unique indexes with INSERT's 23505 (PostgreSQL's diff runs an INSERT). */
function writeInserts(env: DdlEnv, rel: TableObj, rows: unknown[][]): void {
  try {
    writeRows(env, rel, rows);
  } catch (e) {
    if (e instanceof SbError && e.code === SqlState.unique_violation && e.constraint !== undefined) {
      throw new SbError(SqlState.unique_violation, `duplicate key value violates unique constraint "${e.constraint}"`, {
        ...(e.detail !== undefined ? { detail: e.detail } : {}), table: rel.name, constraint: e.constraint,
      });
    }
    throw e;
  }
}
