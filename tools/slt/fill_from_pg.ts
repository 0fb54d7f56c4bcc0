// Fills the blanks of a draft .slt file from a real PostgreSQL 15, for
// writing corpus records: the author writes the SQL and what to check, and
// PostgreSQL supplies the answers, which the author then reads over.
//
//   npx tsx tools/slt/fill_from_pg.ts draft.slt [more.slt...]   (rewrites the files in place)
//
// Blanks:
//   query ? [sort]            the column type letters (from the result's types)
//   ----  followed by a line `?`   the results (one row per line; removed when there are none)
//   ... error <code> at ?     the error position
// Everything else is kept as written; the file is then run against
// PostgreSQL as usual (tools/slt/run.ts --target pg) to prove it.

import * as fs from 'node:fs';
import { findPostgres, PgCluster } from './pg_cluster.ts';
import type { PgWireClient } from './pg_wire_client.ts';
import { printValue } from './slt_compare.ts';
import { parseSlt } from './slt_parser.ts';
import { errorCodeOf, errorPositionOf } from './target.ts';

const int_oids = new Set([20, 21, 23, 26]);
const real_oids = new Set([700, 701, 1700]);

function typeLetter(oid: number): string {
  if (int_oids.has(oid)) return 'I';
  if (real_oids.has(oid)) return 'R';
  if (oid === 16) return 'B';
  return 'T';
}

async function fill(cluster: PgCluster, admin: PgWireClient, file: string, n: number): Promise<void> {
  const original = fs.readFileSync(file, 'utf8');
  const lines = original.split('\n');
  // Placeholders the parser accepts: `query T…` for `query ?`, `at 1` for `at ?`.
  const typeBlank = new Set<number>();
  const posBlank = new Set<number>();
  const parsable = lines.map((l, i) => {
    let x = l;
    if (/^query \?(\s|$)/.test(x)) {
      typeBlank.add(i);
      x = x.replace(/^query \?/, 'query T');
    }
    if (/ error [0-9A-Z]{5} at \?$/.test(x)) {
      posBlank.add(i);
      x = x.replace(/ at \?$/, ' at 1');
    }
    return x;
  });
  const records = parseSlt(parsable.join('\n'), file);
  const db = `fill_${n}`;
  await admin.query(`CREATE DATABASE ${db} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  const sessions = new Map<string, PgWireClient>();
  const session = async (name = '') => {
    let s = sessions.get(name);
    if (!s) sessions.set(name, (s = await cluster.connect(db)));
    return s;
  };
  const replace = new Map<number, string[]>(); // line index -> replacement lines
  try {
    for (const r of records) {
      if (r.kind !== 'statement' && r.kind !== 'query') continue;
      if (r.conditions.some((c) => (c.kind === 'onlyif' && c.dialect !== 'postgres') || (c.kind === 'skipif' && c.dialect === 'postgres'))) continue;
      const h = r.line - 1;
      const client = await session(r.connection);
      let result: Awaited<ReturnType<PgWireClient['query']>> | undefined;
      let error: unknown;
      try {
        result = await client.query(r.sql);
      } catch (e) {
        error = e;
      }
      if (posBlank.has(h)) {
        const pos = errorPositionOf(error);
        if (error === undefined) throw new Error(`${file}:${r.line}: the statement succeeded on PostgreSQL`);
        if (pos === undefined) console.warn(`${file}:${r.line}: PostgreSQL gives ${errorCodeOf(error)} without a position; the position is left out`);
        replace.set(h, [lines[h]!.replace(/ at \?$/, pos === undefined ? '' : ` at ${pos}`)]);
      }
      if (r.kind !== 'query' || r.expectError !== null) continue;
      if (error !== undefined) throw new Error(`${file}:${r.line}: query failed on PostgreSQL: ${(error as Error).message}`);
      if (typeBlank.has(h)) replace.set(h, [lines[h]!.replace(/^query \?/, `query ${(result!.fields ?? []).map((f) => typeLetter(f.typeOid)).join('')}`)]);
      if (r.expected.kind === 'values' && r.expected.lines.length === 1 && r.expected.lines[0] === '?') {
        let sep = h + 1;
        while (lines[sep] !== '----') sep++;
        const rows = result!.rows.map((row) => row.map(printValue).join(' '));
        if (rows.length === 0) {
          replace.set(sep, []);
          replace.set(sep + 1, []);
        } else replace.set(sep + 1, rows);
      }
    }
  } finally {
    for (const s of sessions.values()) await s.close();
  }
  const out: string[] = [];
  lines.forEach((l, i) => out.push(...(replace.get(i) ?? [l])));
  fs.writeFileSync(file, out.join('\n'));
  console.log(`${file}: ${replace.size} blanks filled`);
}

async function main(): Promise<void> {
  const files = process.argv.slice(2);
  if (files.length === 0) throw new Error('usage: npx tsx tools/slt/fill_from_pg.ts draft.slt [...]');
  const install = findPostgres();
  if (!install) throw new Error('PostgreSQL server binaries not found; set SLT_PG_BIN');
  const cluster = await PgCluster.start(install);
  const admin = await cluster.connect('postgres');
  try {
    let n = 0;
    for (const f of files) await fill(cluster, admin, f, ++n);
  } finally {
    await admin.close();
    await cluster.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
