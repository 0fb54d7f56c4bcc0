// LOCK [TABLE] [ONLY] name [, ...] [IN mode MODE] [NOWAIT]: takes the table
// lock (store/table_locks.ts) on each table in turn, until the transaction
// ends. ACCESS EXCLUSIVE when no mode is given. A conflicting lock is waited
// for (a cancel, statement_timeout or lock_timeout ends the wait; a cycle is
// 40P01); with NOWAIT the statement fails with 55P03 instead. Privileges as
// in PostgreSQL 15: ACCESS SHARE needs SELECT, ROW EXCLUSIVE one of INSERT,
// UPDATE, DELETE or TRUNCATE, the other modes one of UPDATE, DELETE or
// TRUNCATE.

import type * as A from '../../../sql-dialects/index.ts';
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
    if (rel.kind === 'view') throw new SbError(SqlState.feature_not_supported, `LOCK TABLE on a view ("${rel.name}") is not supported yet`);
    if (rel.kind !== 'table') throw new SbError(SqlState.wrong_object_type, `"${rel.name}" is not a table or view`);
    const letters = mode === TableLockMode.AccessShare ? ['r'] : mode === TableLockMode.RowExclusive ? ['a', 'w', 'd', 'D'] : ['w', 'd', 'D'];
    if (!letters.some((l) => hasRelationPrivilege(catalog, s.user.oid, rel, l))) {
      throw new SbError(SqlState.insufficient_privilege, `permission denied for table ${rel.name}`);
    }
    tables.push(rel);
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
