// Streaming results over the PostgreSQL wire: COPY TO STDOUT and Execute
// send rows batch by batch as the executor produces them, and stop producing
// while the client does not read (the socket's buffer is full), so a slow
// or stalled client costs bounded server memory and never blocks other
// connections. Portals stay open between Execute messages (row limit ->
// PortalSuspended, the next Execute resumes where it stopped).
//
// Memory is judged by this process's heap + ArrayBuffer growth while a
// client stalls mid-result (the server runs in this process): the whole
// result of the big table, materialised, is far above the bound asserted.

import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestServer, type TestServer } from './server_helper.ts';

type CopyStreams = { to(sql: string): pg.Submittable & Readable };
const copyStreams = createRequire(import.meta.url)('pg-copy-streams') as CopyStreams;

/** Rows of the big table: materialised they take well over 100 MB of heap. */
const N = 400_000;
/** Growth of heap + ArrayBuffers allowed while a client stalls mid-result. */
const BOUND_MB = 40;

let srv: TestServer;
const clients: pg.Client[] = [];

async function connect(): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: srv.port, user: 'sysdba', password: PASSWORD, database: 'scratchbird' });
  await c.connect();
  clients.push(c);
  return c;
}

function pad(id: number): string {
  return `row-${id}-${'x'.repeat(40)}`;
}

function memoryMb(): number {
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 1048576;
}

/** Samples memory every 20 ms until stopped; the peak above the level at start. */
function memoryWatch(): { stop(): number } {
  const base = memoryMb();
  let peak = base;
  const t = setInterval(() => {
    peak = Math.max(peak, memoryMb());
  }, 20);
  return {
    stop() {
      clearInterval(t);
      peak = Math.max(peak, memoryMb());
      return peak - base;
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  srv = await startTestServer();
  const c = await connect();
  await c.query('CREATE TABLE big (id int PRIMARY KEY, pad text)');
  for (let lo = 1; lo <= N; lo += 100_000) {
    await c.query(`INSERT INTO big SELECT g, 'row-' || g || '-' || repeat('x', 40) FROM generate_series(${lo}, ${Math.min(N, lo + 99_999)}) g`);
  }
}, 120_000);
afterAll(async () => {
  for (const c of clients) await c.end().catch(() => {});
  await srv?.stop();
});

describe('COPY TO STDOUT streaming', () => {
  it('a stalled reader holds the server to bounded memory; the output is complete and identical; other connections run meanwhile', async () => {
    const c = await connect();
    const other = await connect();
    const expected = createHash('sha256');
    for (let i = 1; i <= N; i++) expected.update(`${i}\t${pad(i)}\n`);
    const got = createHash('sha256');
    let bytes = 0;
    let stalled = true;
    let otherDone = -1;
    const watch = memoryWatch();
    const copy = pipeline(c.query(copyStreams.to('COPY big TO STDOUT')), new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, cb) {
        got.update(chunk);
        bytes += chunk.length;
        // Stall after the first chunk: the server must stop producing, not buffer the rest.
        if (stalled && bytes > 0) setTimeout(cb, 1500);
        else cb();
        stalled = false;
      },
    }));
    await sleep(300);
    const t0 = Date.now();
    const r = await other.query('SELECT count(*)::int AS n FROM big WHERE id % 1000 = 0');
    otherDone = Date.now() - t0;
    expect(r.rows[0].n).toBe(N / 1000);
    await copy;
    const grown = watch.stop();
    expect(got.digest('hex')).toBe(expected.digest('hex'));
    expect(otherDone).toBeGreaterThanOrEqual(0);
    expect(otherDone).toBeLessThan(1500); // answered while the COPY's reader was stalled
    expect(grown).toBeLessThan(BOUND_MB);
  }, 120_000);
});
