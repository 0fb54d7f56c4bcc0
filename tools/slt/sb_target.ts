// The sqllogictest target for ScratchBird's embedded engine: a fresh
// ':memory:' database per file, statements through the default session
// (db.query); `connection <name>` records run on sessions of their own
// (db.session()). Values are printed by the engine's own text output
// (formatRow) with the session's settings (DateStyle, TimeZone,
// IntervalStyle, extra_float_digits, bytea_output), as a PostgreSQL client
// would see them. Errors are SbError with .code = SQLSTATE. The database
// reports server_version = corpus_pg_version (the PostgreSQL 15 release the
// corpus was validated against), not the engine default.

import { formatRow, open, type Database, type QueryResult, type Session } from '../../host/engine/db.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { corpus_pg_version } from './corpus.ts';
import type { SltExecResult, SltTarget } from './target.ts';

export class SbTarget implements SltTarget {
  readonly name = 'ScratchBird (embedded, :memory:)';
  readonly dialect = 'postgres';
  private db: Database | null = null;
  private named = new Map<string, Session>();

  async startFile(): Promise<void> {
    await this.close();
    this.db = await open(':memory:', { platform: nodePlatform(), settings: { server_version: corpus_pg_version } });
  }

  async exec(sql: string, connection?: string): Promise<SltExecResult> {
    if (!this.db) await this.startFile();
    const db = this.db!;
    let r: QueryResult;
    let ctx;
    if (connection === undefined) {
      r = await db.query(sql);
      ctx = db.typeContext();
    } else {
      let s = this.named.get(connection);
      if (s === undefined) {
        s = db.session();
        this.named.set(connection, s);
      }
      r = await s.query(sql);
      ctx = s.typeContext();
    }
    if (r.fields.length === 0 && !/^SELECT\b/i.test(r.command)) return 'ok';
    return { fields: r.fields.map((f) => f.name), rows: formatRow(r, ctx) };
  }

  async close(): Promise<void> {
    for (const s of this.named.values()) await s.close().catch(() => {});
    this.named.clear();
    await this.db?.close();
    this.db = null;
  }
}
