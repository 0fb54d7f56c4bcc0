// The table locks a DDL statement takes (store/table_locks.ts), in
// PostgreSQL's modes: ACCESS EXCLUSIVE for ALTER TABLE, TRUNCATE, DROP
// TABLE / INDEX; SHARE for CREATE INDEX and REINDEX (so they wait for the
// transactions modifying the table, and those for them, while readers go
// on). Without them an ALTER TABLE rewrite or a CREATE INDEX reading its
// snapshot's rows missed a concurrent transaction's uncommitted ones: after
// both committed, those rows were left in the old storage (unreadable,
// 22P03/XX001) or out of the new index. Each of these statements changes the
// table's definition or storage, so a statement that waited for one that
// committed runs again, planned anew (Session.lockPlanTables).

import type * as A from '../../../sql-dialects/index.ts';
import type { BindEnv } from '../bind/context.ts';
import { lookupRelation } from '../bind/names.ts';
import type { RelationObj } from '../catalog/objects.ts';
import { TableLockMode } from '../store/table_locks.ts';

/** A table lock a statement takes; `changes`: it changes the table's definition or storage. */
export interface DdlTableLock {
  oid: number;
  mode: TableLockMode;
  changes: boolean;
}

/** The table locks `stmt` takes (none for other statements, and for names that do not resolve); `env` is made only when needed. */
export function ddlTables(env: () => BindEnv, stmt: A.Statement): DdlTableLock[] {
  let bindEnv: BindEnv | undefined;
  const rel = (q: A.QName | undefined): RelationObj | undefined => {
    if (q === undefined) return undefined;
    try {
      return lookupRelation((bindEnv ??= env()), q);
    } catch {
      return undefined;
    }
  };
  const tableOf = (r: RelationObj | undefined): number[] => {
    if (r === undefined) return [];
    if (r.kind === 'table') return [r.oid];
    if (r.kind === 'index') return [r.tableOid];
    return [];
  };
  const exclusive = (oids: number[]): DdlTableLock[] => oids.map((oid) => ({ oid, mode: TableLockMode.AccessExclusive, changes: true }));
  // CREATE INDEX CONCURRENTLY takes SHARE too (PostgreSQL: SHARE UPDATE EXCLUSIVE): the index is built in one pass, which must not miss concurrent writes.
  const share = (oids: number[]): DdlTableLock[] => oids.map((oid) => ({ oid, mode: TableLockMode.Share, changes: true }));
  switch (stmt.kind) {
    case 'alter_table':
      return exclusive(tableOf(rel(stmt.name)));
    case 'create_index':
      return share(tableOf(rel(stmt.table)));
    case 'truncate':
      return exclusive(stmt.tables.flatMap((q) => tableOf(rel(q))));
    case 'drop':
      return ['TABLE', 'INDEX'].includes(stmt.objectType.toUpperCase()) ? exclusive(stmt.names.flatMap((q) => tableOf(rel(q)))) : [];
    case 'reindex':
      return stmt.target === 'TABLE' || stmt.target === 'INDEX' ? share(tableOf(rel(stmt.name))) : [];
    default:
      return [];
  }
}
