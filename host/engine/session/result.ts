// What a statement returns, and what a session shares with the others of its
// database.

import type { CatalogStore } from '../catalog/catalog_store.ts';
import type { SequenceRuntime } from '../exec/sequences.ts';
import type { ColInfo } from '../plan/nodes.ts';
import type { SbError } from '../sb_error.ts';
import type { Store } from '../store/index.ts';
import type { Platform } from '../../platform/platform.ts';
import { typeOid, type SqlType } from '../types/types.ts';

export interface FieldInfo {
  name: string;
  typeOid: number;
  type: SqlType;
  /** atttypmod (-1 when none), for RowDescription. */
  typmod: number;
  tableOid?: number;
  attnum?: number;
}

export interface QueryResult {
  /** PostgreSQL's command tag: 'SELECT 3', 'INSERT 0 1', 'UPDATE 2', 'CREATE TABLE', 'BEGIN'... */
  command: string;
  /** Rows returned (SELECT, RETURNING) or affected (INSERT, UPDATE, DELETE); 0 for other commands. */
  rowCount: number;
  fields: FieldInfo[];
  rows: unknown[][];
  /** NOTICEs and WARNINGs the statement raised. */
  notices?: SbError[];
  /** Rows of a BINARY cursor: the simple query protocol sends them in binary format. */
  binary?: boolean;
}

export function fieldsOf(cols: readonly ColInfo[]): FieldInfo[] {
  return cols.map((c) => {
    const f: FieldInfo = { name: c.name, typeOid: typeOid(c.type), type: c.type, typmod: c.type.typmod };
    if (c.tableOid !== undefined) {
      f.tableOid = c.tableOid;
      f.attnum = c.attnum!;
    }
    return f;
  });
}

/** The state a session shares with the other sessions of its database. */
export interface DatabaseCore {
  readonly store: Store;
  /** Clocks, timers and yielding for statements (the caller's platform, also for ':memory:'). */
  readonly platform: Platform;
  readonly catalog: CatalogStore;
  readonly sequences: SequenceRuntime;
  readonly dbName: string;
  readonly dbOid: number;
  /** Settings every new session starts with (server_version, TimeZone...). */
  readonly settingDefaults: Record<string, string>;
  nextPid(): number;
}
