// COPY FROM STDIN sent as many small CopyData messages (pgbench and libpq's
// PQputline send one per row): the server gathers them before parsing, which
// must not change anything the client sees. Rows and multi-byte characters
// split across messages load intact; a bad row is reported at its line and
// undoes the COPY whether it is in the first gathered chunk, a later one, or
// the unparsed tail at CopyDone; big messages mixed with small ones keep their
// order.

import { createRequire } from 'node:module';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { serverWithClient } from './server_helper.ts';

type CopyStreams = { from(sql: string): pg.Submittable & Writable };
const copyStreams = createRequire(import.meta.url)('pg-copy-streams') as CopyStreams;

let client: pg.Client;
serverWithClient((c) => (client = c));

/** Sends `data` cut at the given sizes (cycled): each piece is one CopyData message. */
async function copyIn(sql: string, data: string, sizes: number[]): Promise<number> {
  const stream = client.query(copyStreams.from(sql));
  const all = Buffer.from(data);
  const chunks: Buffer[] = [];
  for (let p = 0, k = 0; p < all.length; k++) {
    const n = sizes[k % sizes.length]!;
    chunks.push(all.subarray(p, p + n));
    p += n;
  }
  await pipeline(Readable.from(chunks), stream);
  return (stream as unknown as { rowCount: number }).rowCount;
}

function rows(n: number, bad?: { line: number; text: string }): string {
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) lines.push(bad?.line === i ? bad.text : `${i}\tnamé ${i} — ☃ 😀\t${i % 7}`);
  return lines.join('\n') + '\n';
}

async function check(table: string, n: number): Promise<void> {
  const r = await client.query(`SELECT count(*)::int AS n, sum(id)::int AS s, sum(k)::int AS k FROM ${table}`);
  let k = 0;
  for (let i = 1; i <= n; i++) k += i % 7;
  expect(r.rows[0]).toEqual({ n, s: (n * (n + 1)) / 2, k });
  const one = await client.query(`SELECT name FROM ${table} WHERE id = ${n - 1}`);
  expect(one.rows[0].name).toBe(`namé ${n - 1} — ☃ 😀`);
  const bad = await client.query(`SELECT count(*)::int AS n FROM ${table} WHERE name <> 'namé ' || id || ' — ☃ 😀'`);
  expect(bad.rows[0].n).toBe(0);
}

describe('COPY FROM STDIN in small CopyData messages', () => {
  it.each([
    ['one message per row', 'row'],
    ['odd sizes that split rows and characters', [1, 2, 3, 5, 7, 11, 13, 64, 250]],
    ['small messages mixed with ones over the gathering size', [40, 70_000, 3, 100_000, 17]],
  ])('%s: every row and character arrives', async (_name, how) => {
    const table = `t${Math.random().toString(36).slice(2, 8)}`;
    await client.query(`CREATE TABLE ${table} (id int, name text, k int)`);
    const n = 5000;
    const data = rows(n);
    const sizes = how === 'row' ? rows(1).length : how;
    const count = how === 'row'
      ? await copyIn(`COPY ${table} FROM STDIN`, data, data.split('\n').slice(0, -1).map((l) => Buffer.byteLength(l) + 1))
      : await copyIn(`COPY ${table} FROM STDIN`, data, sizes as number[]);
    expect(count).toBe(n);
    await check(table, n);
  });

  it.each([
    ['in the first gathered chunk', 10],
    ['in a later chunk', 4321],
    ['in the tail still gathered at CopyDone', 4999],
  ])('a bad row %s fails the COPY at its line and leaves nothing', async (_name, line) => {
    const table = `t${Math.random().toString(36).slice(2, 8)}`;
    await client.query(`CREATE TABLE ${table} (id int, name text, k int)`);
    const data = rows(5000, { line, text: `${line}\tx\tnot-a-number` });
    let err: pg.DatabaseError | undefined;
    try {
      await copyIn(`COPY ${table} FROM STDIN`, data, data.split('\n').slice(0, -1).map((l) => Buffer.byteLength(l) + 1));
    } catch (e) {
      err = e as pg.DatabaseError;
    }
    expect(err?.code).toBe('22P02');
    expect(err?.where).toBe(`COPY ${table}, line ${line}, column k: "not-a-number"`);
    expect((await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n).toBe(0);
    // The connection is usable after the failed COPY.
    expect(await copyIn(`COPY ${table} FROM STDIN`, rows(3), [4])).toBe(3);
  });
});
