// LOCK [TABLE] [ONLY] name [, ...] [IN mode MODE] [NOWAIT]: takes the table
// lock (store/table_locks.ts) on each table in turn, until the transaction
// ends. ACCESS EXCLUSIVE when no mode is given. A conflicting lock is waited
// for (a cancel, statement_timeout or lock_timeout ends the wait; a cycle is
// 40P01); with NOWAIT the statement fails with 55P03 instead. Privileges as
// in PostgreSQL 15: ACCESS SHARE needs SELECT, ROW EXCLUSIVE one of INSERT,
// UPDATE, DELETE or TRUNCATE, the other modes one of UPDATE, DELETE or
// TRUNCATE. LOCK on a view locks the tables its query uses, in the same mode.

import type * as A from '../../../sql-dialects/index.ts';
import { parse } from '../../../sql-dialects/index.ts';
import { bindStatement } from '../bind/index.ts';
import { quoteIdent } from '../functions/format.ts';
import { planTableLocks } from './table_lock_plan.ts';
import { lookupRelation, qnameText } from '../bind/names.ts';
import { hasRelationPrivilege } from '../catalog/acl.ts';
import type { TableObj } from '../catalog/objects.ts';
import { SbError, SqlState } from '../sb_error.ts';
import { TableLockMode, tableLockModeOf, type TableLocks } from '../store/table_locks.ts';
import type { DatabaseCore } from './result.ts';
import type { QueryResult } from './result.ts';
import type { Session } from './session.ts';

export async function runLockTable(s: Session, stmt: A.LockTable): Promise<QueryResult> {
  if (!s.tx.inBlock()) throw new SbError(SqlState.no_active_sql_transaction, 'LOCK TABLE can only be used in transaction blocks');
  const mode = stmt.mode === undefined ? TableLockMode.AccessExclusive : tableLockModeOf(stmt.mode);
  if (mode === undefined) throw new SbError(SqlState.syntax_error, `unrecognized lock mode "${stmt.mode}"`);
  const ev = s.evalContext();
  const env = s.bindEnv('', [], [], ev);
  const catalog = s.catalog();
  const tables: TableObj[] = [];
  for (const q of stmt.tables) {
    const rel = lookupRelation(env, q);
    if (!rel) throw new SbError(SqlState.undefined_table, `relation "${qnameText(env, q)}" does not exist`);
    if (rel.kind !== 'table' && rel.kind !== 'view') throw new SbError(SqlState.wrong_object_type, `"${rel.name}" is not a table or view`);
    const letters = mode === TableLockMode.AccessShare ? ['r'] : mode === TableLockMode.RowExclusive ? ['a', 'w', 'd', 'D'] : ['w', 'd', 'D'];
    if (!letters.some((l) => hasRelationPrivilege(catalog, s.user.oid, rel, l))) {
      throw new SbError(SqlState.insufficient_privilege, `permission denied for ${rel.kind === 'view' ? 'view' : 'table'} ${rel.name}`);
    }
    if (rel.kind === 'table') {
      tables.push(rel);
      continue;
    }
    // A view: the tables its query uses, through nested views too (PostgreSQL 11 and later), in the same mode.
    const schema = catalog.get(rel.schemaOid);
    const query = parse(`SELECT * FROM ${schema !== undefined && 'name' in schema ? quoteIdent(schema.name) + '.' : ''}${quoteIdent(rel.name)}`, s.dialect)[0]!;
    const bound = bindStatement(env, query);
    if (bound.kind !== 'plan') continue;
    for (const l of planTableLocks(bound.plan)) {
      const t = catalog.table(l.oid);
      if (t !== undefined && !tables.includes(t)) tables.push(t);
    }
  }
  const fresh = s.tx.txn === null;
  const txn = s.tx.ensureTxn();
  s.tx.started = true;
  await s.lockTables(tables.map((t) => ({ oid: t.oid, mode, changes: false })), txn, ev, { nowait: stmt.nowait === true, fresh, catalog });
  return { command: 'LOCK TABLE', rowCount: 0, fields: [], rows: [] };
}

/** Each open database's table locks, by its core (pg_locks reads them). */
const byCore = new Map<object, { dbOid: number; locks: TableLocks }>();

export function tableLockTables(): Iterable<{ dbOid: number; locks: TableLocks }> {
  return byCore.values();
}

export function registerTableLocks(core: DatabaseCore): void {
  if (!byCore.has(core)) byCore.set(core, { dbOid: core.dbOid ?? 0, locks: core.store.keyLocks.tables });
}

/** The database closed: pg_locks no longer lists it. */
export function forgetTableLocks(core: object): void {
  byCore.delete(core);
}
