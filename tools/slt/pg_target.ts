// The sqllogictest target for a real PostgreSQL: a throwaway cluster, a fresh
// database per file, statements over the simple-query protocol. Values come
// back in the text format, exactly as psql prints them.

import { findPostgres, PgCluster, type PgInstall } from './pg_cluster.ts';
import type { PgWireClient } from './pg_wire_client.ts';
import type { SltExecResult, SltTarget } from './target.ts';

export class PgTarget implements SltTarget {
  readonly name: string;
  readonly dialect = 'postgres';
  private session: PgWireClient | null = null;
  private admin: PgWireClient | null = null;
  private databases = 0;
  private dbName = '';
  /** Sessions opened by `connection <name>` records, closed at the next file. */
  private named = new Map<string, PgWireClient>();

  private constructor(readonly cluster: PgCluster) {
    this.name = `PostgreSQL ${cluster.install.version.replace(/^postgres \(PostgreSQL\) /, '')}`;
  }

  /** Starts a cluster from the given (or found) binaries. */
  static async start(install: PgInstall | null = findPostgres()): Promise<PgTarget> {
    if (!install) throw new Error('PostgreSQL server binaries (initdb, postgres) not found; set SLT_PG_BIN');
    return new PgTarget(await PgCluster.start(install));
  }

  private async closeNamed(): Promise<void> {
    for (const c of this.named.values()) await c.close();
    this.named.clear();
  }

  async startFile(file: string): Promise<void> {
    await this.closeNamed();
    if (this.session) {
      await this.session.close();
      this.session = null;
    }
    this.admin ??= await this.cluster.connect('postgres');
    const db = `slt_${++this.databases}`;
    // The file name goes into a comment only, never into the SQL itself.
    await this.admin.query(`CREATE DATABASE ${db} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' /* ${file.replace(/\*\//g, '')} */`);
    this.session = await this.cluster.connect(db);
    this.dbName = db;
  }

  async exec(sql: string, connection?: string): Promise<SltExecResult> {
    if (!this.session) await this.startFile('(no file)');
    let client = this.session!;
    if (connection !== undefined) {
      let c = this.named.get(connection);
      if (c === undefined) {
        c = await this.cluster.connect(this.dbName);
        this.named.set(connection, c);
      }
      client = c;
    }
    const r = await client.query(sql);
    if (r.fields === undefined) return 'ok';
    return { fields: r.fields.map((f) => f.name), rows: r.rows };
  }

  async close(): Promise<void> {
    await this.closeNamed();
    await this.session?.close();
    await this.admin?.close();
    this.session = this.admin = null;
    await this.cluster.stop();
  }
}
