// The embedded API (platform-neutral: host/node.ts and host/deno.ts default
// the platform):
//
//   const db = await open(':memory:' | folder, { platform });
//   const r = await db.query('SELECT $1::int + 1', [41]);  // { command, rowCount, fields, rows }
//   await db.exec('CREATE TABLE t (a int); INSERT INTO t VALUES (1)');
//   const s = db.session();             // a connection-like session of its own
//   await db.transaction(async (s) => { await s.query(...); });
//   await db.close();
//
// Values are in the JS representation of docs/design/sql_engine.md;
// formatRow() renders a result's rows as PostgreSQL's text output.

import type { Platform } from '../platform/platform.ts';
import { CatalogStore } from './catalog/catalog_store.ts';
import { OID } from './catalog/objects.ts';
import { SequenceRuntime } from './exec/sequences.ts';
import { loadExecKernels } from './exec/kernels.ts';
import { SbError, SqlState } from './sb_error.ts';
import { Store, type StoreOptions } from './store/index.ts';
import { defaultTypeContext, type TypeContext } from './types/context.ts';
import { formatText } from './types/text_io.ts';
import { formatType } from './types/type_names.ts';
import { typeByOid } from './types/types.ts';
import type { DatabaseCore, QueryResult } from './session/result.ts';
import { Session, type SessionOptions } from './session/session.ts';
import { forgetTableLocks } from './session/lock_table.ts';
import { forgetAdvisoryLocks } from './session/advisory_locks.ts';

export type { QueryResult, FieldInfo } from './session/result.ts';
export { Session, type SessionOptions } from './session/session.ts';

export interface OpenOptions {
  /** Files, clocks, timers, randomness (for ':memory:', the source of the kernel's .wasm). */
  platform?: Platform;
  /** Storage tuning (memtable size, block cache...). */
  store?: Omit<StoreOptions, 'platform'>;
  /** Settings every session starts with, e.g. { server_version: '16.4', TimeZone: 'Europe/Paris' }. */
  settings?: Record<string, string>;
}

export class Database implements DatabaseCore {
  private pids = 0;
  private readonly sessions = new Set<Session>();
  private defaultSession: Session | undefined;
  private closed = false;

  private constructor(
    readonly store: Store,
    readonly platform: Platform,
    readonly catalog: CatalogStore,
    readonly sequences: SequenceRuntime,
    readonly dbName: string,
    readonly dbOid: number,
    readonly settingDefaults: Record<string, string>,
  ) {}

  static async open(path: string, opts: OpenOptions = {}): Promise<Database> {
    const store = await Store.open(path, { ...(opts.store ?? {}), ...(opts.platform ? { platform: opts.platform } : {}) });
    try {
      await loadExecKernels(store.platform); // the executor's batch kernels (TypeScript loops if they cannot load)
      const catalog = await CatalogStore.open(store);
      const sequences = new SequenceRuntime(store);
      await sequences.init();
      const db = catalog.current().get(OID.firstUser);
      const name = db?.kind === 'database' ? db.name : 'scratchbird';
      return new Database(store, opts.platform ?? store.platform, catalog, sequences, name, OID.firstUser, { ...(opts.settings ?? {}) });
    } catch (e) {
      await store.close().catch(() => {});
      throw e;
    }
  }

  nextPid(): number {
    return ++this.pids;
  }

  /** A new session (its own transaction state, settings and prepared statements). */
  session(opts: SessionOptions = {}): Session {
    this.assertOpen();
    const s = new Session(this, opts);
    this.sessions.add(s);
    const close = s.close.bind(s);
    s.close = async () => {
      this.sessions.delete(s);
      await close();
    };
    return s;
  }

  private main(): Session {
    this.assertOpen();
    return (this.defaultSession ??= this.session());
  }

  /** The default session's settings for value text I/O (formatRow(result, db.typeContext())). */
  typeContext(): TypeContext {
    return this.main().typeContext();
  }

  /** Runs `sql` on the database's default session; returns the last statement's result. */
  query(sql: string, params: readonly unknown[] = []): Promise<QueryResult> {
    return this.main().query(sql, params);
  }

  /** Runs every statement of `sql` on the default session; returns all results. */
  exec(sql: string, params: readonly unknown[] = []): Promise<QueryResult[]> {
    return this.main().exec(sql, params);
  }

  /** Runs fn in a transaction of a new session: COMMIT when it returns, ROLLBACK when it throws. */
  async transaction<R>(fn: (s: Session) => Promise<R>, opts: { isolation?: 'read committed' | 'repeatable read' | 'serializable' } = {}): Promise<R> {
    const s = this.session();
    try {
      await s.query(opts.isolation ? `BEGIN ISOLATION LEVEL ${opts.isolation.toUpperCase()}` : 'BEGIN');
      let result: R;
      try {
        result = await fn(s);
      } catch (e) {
        await s.query('ROLLBACK').catch(() => {});
        throw e;
      }
      const c = await s.query('COMMIT');
      if (c.command === 'ROLLBACK') {
        throw new SbError(SqlState.transaction_rollback, 'the transaction was rolled back because a statement in it failed');
      }
      return result;
    } finally {
      await s.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.sessions]) await s.close().catch(() => {});
    forgetTableLocks(this);
    forgetAdvisoryLocks(this);
    await this.store.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new SbError(SqlState.connection_exception, 'the database is closed');
  }
}

/** Opens (creating if needed) a database folder, or an in-memory database. */
export function open(path: string, opts: OpenOptions = {}): Promise<Database> {
  return Database.open(path, opts);
}

/** Default settings, with type names for regtype values (other reg* types need a session: db.typeContext()). */
function defaultContext(): TypeContext {
  return defaultTypeContext({
    regLookup: {
      regIn: () => undefined,
      regOut: (type, oid) => {
        if (type !== 'regtype') return undefined;
        const t = typeByOid(oid);
        return t ? formatType(t, false) : undefined;
      },
    },
  });
}

/** PostgreSQL's text output of one value (null for NULL). */
export function formatValue(value: unknown, field: { type: QueryResult['fields'][number]['type'] }, ctx: TypeContext = defaultContext()): string | null {
  if (value === null || value === undefined) return null;
  return formatText(field.type, value, ctx);
}

/** A result's rows as PostgreSQL prints them (psql, text-format wire results); NULL stays null. */
export function formatRow(result: QueryResult, ctx: TypeContext = defaultContext()): Array<Array<string | null>> {
  return result.rows.map((row) => row.map((v, i) => formatValue(v, result.fields[i]!, ctx)));
}
