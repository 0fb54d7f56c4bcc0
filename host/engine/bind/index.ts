// The binder's entry point: one statement to a plan (queries and DML) or to
// a DDL action run against the session's transaction. Transaction control
// and session statements (SET, SHOW, PREPARE...) are the session's own.
//
// Files by statement family: select.ts / from.ts (queries), expr*.ts and
// coerce.ts (expressions), dml_*.ts (INSERT, UPDATE, DELETE), ddl_*.ts
// (schema changes); scope.ts and names.ts resolve names.

import type * as A from '../../../sql-dialects/index.ts';
import '../functions/index.ts';
// Joins, functions in FROM, set operations and WITH register their binders and operators.
import './join.ts';
import './table_func.ts';
import { bindDmlWith } from './cte.ts';
import './setop.ts';
import './srf_select.ts';
import './subscript.ts';
import './semijoin.ts';
import '../exec/ops_join.ts';
import '../exec/ops_funcscan.ts';
import '../exec/ops_setop.ts';
import '../exec/ops_cte.ts';
import { SbError, SqlState } from '../sb_error.ts';
import type { ColInfo, Plan } from '../plan/nodes.ts';
import { type BindEnv, errAt } from './context.ts';
import { bindQuery } from './select.ts';
import { lockingConflict } from './group.ts';
import { markLockedScans } from './locking.ts';
import { Scope } from './scope.ts';
import { bindInsert } from './dml_insert.ts';
import { bindDelete, bindUpdate } from './dml_update.ts';
import type { DdlEnv } from './ddl_env.ts';
import { createTable } from './ddl_table.ts';
import { dropStatement } from './ddl_drop.ts';
import { rewriteViewDml, withViewChecks } from './view_dml.ts';
import { alterSchemaOrDatabase, alterSequence, createIndexStatement, createSchema, createSequence, createView, reindex, truncate } from './ddl_misc.ts';
import { alterTable } from './ddl_alter.ts';
import { refreshMatview } from './ddl_matview.ts';

import { commentOn } from './ddl_comment.ts';

import { checkDdlPrivileges, collectPrivilegeNeeds, type PrivilegeNeed } from './privileges.ts';

export type { BindEnv } from './context.ts';
export type { DdlEnv } from './ddl_env.ts';

export type BoundStatement =
  | {
      kind: 'plan';
      plan: Plan;
      /** Result columns (SELECT list or RETURNING). */
      cols: ColInfo[];
      tag: 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';
      /** The privileges it needs, found while binding (bind/privileges.ts). */
      privileges?: PrivilegeNeed[];
    }
  | {
      kind: 'ddl';
      /** The command tag, unless run() returns another (CREATE TABLE AS gives SELECT n). */
      tag: string;
      run: (env: DdlEnv) => Promise<string | void>;
    };

/** Statement kinds handled here; everything else is the session's business. */
export function isBindable(stmt: A.Statement): boolean {
  return BINDABLE.has(stmt.kind);
}

const BINDABLE = new Set([
  'comment_on',
  'select', 'insert', 'update', 'delete', 'create_table', 'drop', 'create_index', 'create_schema', 'create_sequence',
  'alter_sequence', 'alter_table', 'truncate', 'create_view', 'alter_database', 'refresh_matview', 'reindex',
]);

/** Binds a statement; DDL privileges are checked now, a plan carries what it needs (checked before each run). */
export function bindStatement(env: BindEnv, stmt: A.Statement): BoundStatement {
  checkDdlPrivileges(env, stmt);
  const { result, needs } = collectPrivilegeNeeds(env, stmt, () => bindStatementOnly(env, stmt), (b) => (b.kind === 'plan' ? b.plan : undefined));
  if (needs && result.kind === 'plan') result.privileges = needs;
  return result;
}

function bindStatementOnly(env: BindEnv, stmt: A.Statement): BoundStatement {
  switch (stmt.kind) {
    case 'comment_on':
      return { kind: 'ddl', tag: 'COMMENT', run: async (d) => commentOn(d, stmt) };
    case 'select': {
      const into = stmt.into ?? (stmt.body.kind === 'select_core' ? stmt.body.into : undefined);
      if (into?.table) {
        // SELECT ... INTO t: CREATE TABLE t AS SELECT ...
        const query: A.Query = stmt.body.kind === 'select_core' ? { ...stmt, into: undefined, body: { ...stmt.body, into: undefined } } : { ...stmt, into: undefined };
        const create: A.CreateTable = {
          kind: 'create_table', verb: 'CREATE', name: into.table, elements: [], asQuery: query,
          ...(into.temporary ? { temporary: into.temporary === 'UNLOGGED' ? 'TEMP' : into.temporary } : {}),
        };
        return { kind: 'ddl', tag: 'SELECT', run: (d) => createTable(d, create) };
      }
      const lockSetOp = stmt.locking?.length && stmt.body.kind === 'set_op';
      if (lockSetOp) throw new SbError(SqlState.feature_not_supported, `FOR ${stmt.locking![0]!.strength} is not allowed with UNION/INTERSECT/EXCEPT`);
      if (stmt.locking?.length && stmt.body.kind === 'values') throw new SbError(SqlState.feature_not_supported, `FOR ${stmt.locking[0]!.strength} cannot be applied to VALUES`);
      const q = bindQuery({ env, scope: new Scope() }, stmt);
      // PostgreSQL's CheckSelectLocking: DISTINCT first, then GROUP BY, aggregates, window functions.
      const distinct = stmt.body.kind === 'select_core' && (stmt.body.quantifier === 'DISTINCT' || stmt.body.distinctOn !== undefined);
      const conflict = stmt.locking?.length ? (distinct ? 'DISTINCT clause' : lockingConflict(q.plan)) : undefined;
      if (conflict) throw errAt(env, SqlState.feature_not_supported, `FOR ${stmt.locking![0]!.strength} is not allowed with ${conflict}`, stmt.loc);
      markLockedScans(env, stmt, q.plan);
      return { kind: 'plan', plan: q.plan, cols: q.cols, tag: 'SELECT' };
    }
    case 'insert': {
      const b = bindDmlWith(env, rewriteViewDml(env, stmt), (e, s) => withViewChecks(e, s, bindInsert(e, s)));
      return { kind: 'plan', plan: b.plan, cols: b.cols, tag: b.tag };
    }
    case 'update': {
      const b = bindDmlWith(env, rewriteViewDml(env, stmt), (e, s) => withViewChecks(e, s, bindUpdate(e, s)));
      return { kind: 'plan', plan: b.plan, cols: b.cols, tag: b.tag };
    }
    case 'delete': {
      const b = bindDmlWith(env, rewriteViewDml(env, stmt), bindDelete);
      return { kind: 'plan', plan: b.plan, cols: b.cols, tag: b.tag };
    }
    case 'create_table':
      return { kind: 'ddl', tag: stmt.asQuery ? 'SELECT' : 'CREATE TABLE', run: (d) => createTable(d, stmt) };
    case 'drop':
      return { kind: 'ddl', tag: `DROP ${stmt.objectType.toUpperCase()}`, run: (d) => dropStatement(d, stmt) };
    case 'create_index':
      return { kind: 'ddl', tag: 'CREATE INDEX', run: (d) => createIndexStatement(d, stmt) };
    case 'create_schema':
      return { kind: 'ddl', tag: 'CREATE SCHEMA', run: (d) => createSchema(d, stmt) };
    case 'create_sequence':
      return { kind: 'ddl', tag: 'CREATE SEQUENCE', run: (d) => createSequence(d, stmt) };
    case 'alter_sequence':
      return { kind: 'ddl', tag: 'ALTER SEQUENCE', run: (d) => alterSequence(d, stmt) };
    case 'alter_table':
      return { kind: 'ddl', tag: 'ALTER TABLE', run: (d) => alterTable(d, stmt) };
    case 'truncate':
      return { kind: 'ddl', tag: 'TRUNCATE TABLE', run: (d) => truncate(d, stmt) };
    case 'create_view':
      return { kind: 'ddl', tag: stmt.materialized ? 'CREATE MATERIALIZED VIEW' : 'CREATE VIEW', run: (d) => createView(d, stmt) };
    case 'refresh_matview':
      return { kind: 'ddl', tag: 'REFRESH MATERIALIZED VIEW', run: (d) => refreshMatview(d, stmt) };
    case 'alter_database':
      return { kind: 'ddl', tag: 'ALTER SCHEMA', run: (d) => alterSchemaOrDatabase(d, stmt, d.sql) };
    case 'reindex':
      return { kind: 'ddl', tag: 'REINDEX', run: (d) => reindex(d, stmt) };
    default:
      throw errAt(env, SqlState.feature_not_supported, `${stmt.kind.replace(/_/g, ' ').toUpperCase()} is not supported yet`, (stmt as { loc?: A.Loc }).loc);
  }
}
