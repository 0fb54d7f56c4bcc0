// The two sides of the differential test: a PostgreSQL 15 cluster, driven in
// batches (one round trip runs hundreds of queries through a PL/pgSQL
// wrapper that catches each query's error), and ScratchBird's embedded
// engine. Both give each query's rows as PostgreSQL's text output, or its
// SQLSTATE.

import pg from 'pg';
import { formatRow, open, type Database } from '../../host/engine/db.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { PgCluster, pg_superuser, type PgInstall } from '../../tools/slt/pg_cluster.ts';

export type Outcome =
  | { ok: true; rows: (string | null)[][]; /** Column type OIDs (engine side only). */ types?: number[] }
  | { ok: false; code: string; message: string };

// Each query runs inside `SELECT t::text FROM (<query>) t`; a row's composite
// text output is parsed back into its columns' text (record_out's quoting).
const batch_function = `
CREATE OR REPLACE FUNCTION pg_temp.sb_diff_batch(qs text[]) RETURNS TABLE (code text, msg text, rows text[])
LANGUAGE plpgsql AS $fn$
BEGIN
  FOR i IN 1 .. coalesce(array_length(qs, 1), 0) LOOP
    BEGIN
      EXECUTE format('SELECT coalesce(array_agg(t::text), ''{}'') FROM (%s) t', qs[i]) INTO rows;
      code := NULL;
      msg := NULL;
    EXCEPTION WHEN OTHERS THEN
      code := SQLSTATE;
      msg := SQLERRM;
      rows := NULL;
    END;
    RETURN NEXT;
  END LOOP;
END
$fn$`;

/** Splits a record's text output `(a,"b c",)` into its fields (NULL for an empty unquoted field). */
export function parseRecord(text: string): (string | null)[] {
  if (text[0] !== '(' || text[text.length - 1] !== ')') throw new Error(`not a record: ${text}`);
  const out: (string | null)[] = [];
  let i = 1;
  const end = text.length - 1;
  for (;;) {
    if (text[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const c = text[i];
        if (c === undefined) throw new Error(`unterminated quoted field: ${text}`);
        if (c === '\\') {
          v += text[i + 1];
          i += 2;
        } else if (c === '"') {
          if (text[i + 1] === '"') {
            v += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          v += c;
          i++;
        }
      }
      out.push(v);
    } else {
      let j = i;
      while (j < end && text[j] !== ',') j++;
      out.push(j === i ? null : text.slice(i, j));
      i = j;
    }
    if (i >= end) break;
    if (text[i] !== ',') throw new Error(`bad record text at ${i}: ${text}`);
    i++;
    if (i === end) {
      out.push(null);
      break;
    }
  }
  return out;
}

export class PgSide {
  private constructor(
    private readonly cluster: PgCluster,
    private readonly client: pg.Client,
  ) {}

  static async start(install: PgInstall): Promise<PgSide> {
    const cluster = await PgCluster.start(install);
    const client = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: pg_superuser, database: 'postgres' });
    try {
      await client.connect();
      await client.query("SET DateStyle = 'ISO, MDY'; SET IntervalStyle = postgres; SET TimeZone = 'UTC'; SET extra_float_digits = 1; SET statement_timeout = '60s'");
      await client.query(batch_function);
    } catch (e) {
      await client.end().catch(() => {});
      await cluster.stop();
      throw e;
    }
    return new PgSide(cluster, client);
  }

  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }

  async batch(queries: string[]): Promise<Outcome[]> {
    const r = await this.client.query<{ code: string | null; msg: string | null; rows: string[] | null }>('SELECT code, msg, rows FROM pg_temp.sb_diff_batch($1::text[])', [queries]);
    if (r.rows.length !== queries.length) throw new Error(`batch returned ${r.rows.length} results for ${queries.length} queries`);
    return r.rows.map((row) => (row.code !== null ? { ok: false, code: row.code, message: row.msg ?? '' } : { ok: true, rows: (row.rows ?? []).map(parseRecord) }));
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
    await this.cluster.stop();
  }
}

export class SbSide {
  private constructor(private db: Database) {}

  static async open(): Promise<SbSide> {
    return new SbSide(await open(':memory:', { platform: nodePlatform() }));
  }

  async exec(sql: string): Promise<void> {
    await this.db.query(sql);
  }

  async run(sql: string): Promise<Outcome> {
    try {
      const r = await this.db.query(sql);
      return { ok: true, rows: formatRow(r, this.db.typeContext()), types: r.fields.map((f) => f.typeOid) };
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      return { ok: false, code: typeof code === 'string' ? code : 'XX000', message: e instanceof Error ? e.message : String(e) };
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
