// The pgbench -i shape through the wire: COPY into a table with no key and
// no index (the insert path's shared-buffer case), several batches, then
// ALTER TABLE ... ADD PRIMARY KEY (the sorted bulk re-key). Errors must name
// the failing line of a later batch and undo the whole COPY; a duplicate on
// ADD PRIMARY KEY must be PostgreSQL's 23505 with its detail.

import { createRequire } from 'node:module';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { serverWithClient } from './server_helper.ts';

type CopyStreams = { from(sql: string): pg.Submittable & Writable };
const copyStreams = createRequire(import.meta.url)('pg-copy-streams') as CopyStreams;

let client: pg.Client;
serverWithClient((c) => (client = c));

async function copyIn(sql: string, data: string): Promise<number> {
  const stream = client.query(copyStreams.from(sql));
  const all = Buffer.from(data);
  const chunks: Buffer[] = [];
  for (let p = 0; p < all.length; p += 65536) chunks.push(all.subarray(p, p + 65536));
  await pipeline(Readable.from(chunks), stream);
  return (stream as unknown as { rowCount: number }).rowCount;
}

function accounts(n: number, bad?: { line: number; text: string }): string {
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) lines.push(bad?.line === i ? bad.text : `${i}\t${1 + Math.floor((i - 1) / 1000)}\t0\t`);
  return lines.join('\n') + '\n';
}

describe('pgbench -i shape: COPY into a keyless table, then ADD PRIMARY KEY', () => {
  beforeAll(async () => {
    await client.query('CREATE TABLE acc (aid int NOT NULL, bid int, abalance int, filler char(84))');
  });

  it('a NOT NULL violation in a later batch fails the COPY at its line and leaves no row', async () => {
    let err: pg.DatabaseError | undefined;
    try {
      await copyIn('COPY acc FROM STDIN', accounts(7000, { line: 6543, text: '\\N\t7\t0\t' }));
    } catch (e) {
      err = e as pg.DatabaseError;
    }
    expect(err?.code).toBe('23502');
    expect(err?.where).toBe('COPY acc, line 6543');
    expect((await client.query('SELECT count(*)::int AS n FROM acc')).rows[0].n).toBe(0);
  });

  it('loads, keeps every row and the padding, then ADD PRIMARY KEY gives key lookups and 23505 on a duplicate', async () => {
    expect(await copyIn('COPY acc FROM STDIN', accounts(7000))).toBe(7000);
    const r = await client.query('SELECT count(*)::int AS n, sum(aid)::int AS s, count(DISTINCT bid)::int AS b, min(octet_length(filler))::int AS w FROM acc');
    expect(r.rows[0]).toEqual({ n: 7000, s: (7000 * 7001) / 2, b: 7, w: 84 });
    await client.query('ALTER TABLE acc ADD PRIMARY KEY (aid)');
    expect((await client.query('SELECT bid FROM acc WHERE aid = 6543')).rows[0].bid).toBe(7);
    const dup = await client.query('INSERT INTO acc VALUES (5, 1, 0, null)').catch((e: pg.DatabaseError) => e);
    expect((dup as pg.DatabaseError).code).toBe('23505');

    await client.query('CREATE TABLE acc2 (aid int, bid int)');
    await copyIn('COPY acc2 FROM STDIN', '1\t1\n2\t1\n3\t1\n2\t9\n');
    const e = await client.query('ALTER TABLE acc2 ADD PRIMARY KEY (aid)').catch((x: pg.DatabaseError) => x);
    expect((e as pg.DatabaseError).code).toBe('23505');
    expect((e as pg.DatabaseError).message).toBe('could not create unique index "acc2_pkey"');
    expect((e as pg.DatabaseError).detail).toBe('Key (aid)=(2) is duplicated.');
  });
});
