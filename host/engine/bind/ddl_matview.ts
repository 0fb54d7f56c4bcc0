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
// (a populated view, a unique index on columns only with no WHERE) and the
// same outcome; it does not let readers of the old contents run alongside
// (see docs/compat/postgresql.md).

import type * as A from '../../../sql-dialects/index.ts';
import { parse, postgres, print } from '../../../sql-dialects/index.ts';
import type { TableObj } from '../catalog/objects.ts';
import { buildOperator } from '../exec/build.ts';
import { drain } from '../exec/operator.ts';
import type { Plan } from '../plan/nodes.ts';
import { SqlState } from '../sb_error.ts';
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
    if (!withData) throw errAt(bind, SqlState.feature_not_supported, 'REFRESH options CONCURRENTLY and WITH NO DATA cannot be used together', stmt.loc);
    if (!rel.matview.populated) throw errAt(bind, SqlState.feature_not_supported, 'CONCURRENTLY cannot be used when the materialized view is not populated', stmt.loc);
    const usable = bind.catalog.indexesOf(rel.oid).some((ix) => ix.unique && !ix.where && ix.keys.every((k) => k.attnum > 0 && !k.expr));
    if (!usable) {
      const schema = bind.catalog.get(rel.schemaOid);
      throw errAt(bind, SqlState.object_not_in_prerequisite_state, `cannot refresh materialized view "${schema && 'name' in schema ? schema.name : ''}.${rel.name}" concurrently`, stmt.loc, {
        hint: 'Create a unique index with no WHERE clause on one or more columns of the materialized view.',
      });
    }
  }
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
