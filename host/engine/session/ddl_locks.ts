// The tables a DDL statement changes the definition or storage of, so that it
// waits for the transactions modifying them first, and they wait for it
// (store/key_locks.ts tableDdl / tableDml; PostgreSQL takes ACCESS EXCLUSIVE
// or SHARE locks for these against the ROW EXCLUSIVE lock of DML). Without
// it, an ALTER TABLE rewrite or CREATE INDEX reading its snapshot's rows
// missed a concurrent transaction's uncommitted ones: after both committed,
// those rows were left in the old storage (unreadable, 22P03/XX001) or out of
// the new index.

import type * as A from '../../../sql-dialects/index.ts';
import type { BindEnv } from '../bind/context.ts';
import { lookupRelation } from '../bind/names.ts';
import type { RelationObj } from '../catalog/objects.ts';

/** OIDs of the tables `stmt` changes (empty for other statements, and for names that do not resolve); `env` is made only when needed. */
export function ddlTables(env: () => BindEnv, stmt: A.Statement): number[] {
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
  switch (stmt.kind) {
    case 'alter_table':
      return tableOf(rel(stmt.name));
    case 'create_index':
      return tableOf(rel(stmt.table));
    case 'truncate':
      return stmt.tables.flatMap((q) => tableOf(rel(q)));
    case 'drop':
      return ['TABLE', 'INDEX'].includes(stmt.objectType.toUpperCase()) ? stmt.names.flatMap((q) => tableOf(rel(q))) : [];
    case 'reindex':
      return stmt.target === 'TABLE' || stmt.target === 'INDEX' ? tableOf(rel(stmt.name)) : [];
    default:
      return [];
  }
}
