// pg_sleep through the real server and node-postgres (`pg`), as drivers'
// own test suites use it: a sleeping connection does not hold up others,
// the driver's cancel and statement_timeout end it with 57014,
// pg_terminate_backend ends the backend, a streamed portal (Execute with a
// row limit) sleeps for the rows it sends; and the result (void, OID 2278,
// '' in the driver, an empty field in psql) matches PostgreSQL 15's. Lower
// bounds on durations only: the machine is shared.

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPgBin } from '../../functions/pg_server.ts';
import { memoryDb } from '../../sql/helpers.ts';
import { pgClients, PSQL, psqlAt, realPostgres, runPsql, startTestServer, type TestServer } from './server_helper.ts';
import { fe, trustSession } from './wire_client.ts';

const HAVE_PG = findPgBin() !== undefined;
if (!HAVE_PG && process.env.CI === 'true') throw new Error('PostgreSQL 15 is required in CI (install postgresql-15)');
if (!HAVE_PG) console.warn('pg_sleep differential check skipped: PostgreSQL 15 binaries (initdb, pg_ctl, psql) not found');

/** Timers may fire a hair early by the clock the test reads. */
const SLACK = 5;

let srv: TestServer;
const { config, client, endAll } = pgClients(() => srv.port);

async function errorOf(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error('expected an error, the statement succeeded');
}

/** The driver's CancelRequest for c's running query (as tests/wire/pg/pg_driver.test.ts sends it). */
async function cancel(c: pg.Client): Promise<void> {
  const canceller = new pg.Client(config());
  await (canceller as unknown as { cancel(target: pg.Client, q: unknown): Promise<void> }).cancel(c, (c as unknown as { activeQuery: unknown }).activeQuery);
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await endAll();
  await srv?.stop();
});

describe('pg_sleep over the wire (pg driver)', () => {
  it('sleeps at least the time asked, simple and extended protocol; the value is void', async () => {
    const c = await client();
    let t0 = performance.now();
    const r = await c.query('SELECT pg_sleep(0.2) AS s');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200 - SLACK);
    expect(r.rows).toEqual([{ s: '' }]);
    expect(r.fields[0]!.dataTypeID).toBe(2278);
    t0 = performance.now();
    expect((await c.query('SELECT pg_sleep($1) AS s, pg_sleep(NULL) AS n', [0.15])).rows).toEqual([{ s: '', n: null }]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(150 - SLACK);
    t0 = performance.now();
    expect((await c.query('SELECT pg_sleep(0.05) FROM generate_series(1, 4)')).rowCount).toBe(4);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200 - SLACK);
  });

  it("other connections are served while one sleeps a second", async () => {
    const a = await client();
    const b = await client();
    let slept = false;
    const t0 = performance.now();
    const sleeping = a.query('SELECT pg_sleep(1)').then(() => (slept = true));
    await wait(50);
    for (let i = 0; i < 2; i++) expect((await b.query('SELECT $1::int + 1 AS x', [i])).rows).toEqual([{ x: i + 1 }]);
    expect(slept).toBe(false);
    await sleeping;
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1000 - SLACK);
  });

  it("the driver's cancel ends a sleep with 57014 and the connection goes on", async () => {
    const c = await client();
    const sleeping = c.query('SELECT pg_sleep(600)');
    await wait(150);
    await cancel(c);
    const e = await errorOf(sleeping);
    expect([e.code, e.message]).toEqual(['57014', 'canceling statement due to user request']);
    expect((await c.query('SELECT 3 AS x')).rows).toEqual([{ x: 3 }]);
  });

  it('statement_timeout ends a sleep with 57014 and the connection goes on', async () => {
    const c = await client();
    await c.query("SET statement_timeout = '200ms'");
    const t0 = performance.now();
    const e = await errorOf(c.query('SELECT pg_sleep(600)'));
    expect([e.code, e.message]).toEqual(['57014', 'canceling statement due to statement timeout']);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200 - SLACK);
    expect((await errorOf(c.query('SELECT pg_sleep($1)', [600]))).code).toBe('57014');
    await c.query("SET statement_timeout = '30s'");
    expect((await c.query('SELECT pg_sleep(0.01) AS s')).rows).toEqual([{ s: '' }]);
    await c.query('RESET statement_timeout');
  });

  it('inside a transaction block the cancelled sleep aborts the block: 25P02 until ROLLBACK', async () => {
    const c = await client();
    await c.query('BEGIN');
    const sleeping = c.query('SELECT pg_sleep(600)');
    await wait(100);
    await cancel(c);
    expect((await errorOf(sleeping)).code).toBe('57014');
    const e = await errorOf(c.query('SELECT 1'));
    expect(e.code).toBe('25P02');
    await c.query('ROLLBACK');
    expect((await c.query('SELECT 4 AS x')).rows).toEqual([{ x: 4 }]);
  });

  it('pg_terminate_backend ends a sleeping backend (57P01)', async () => {
    const a = await client();
    const b = await client();
    const pidB = (b as unknown as { processID: number }).processID;
    const sleeping = errorOf(b.query('SELECT pg_sleep(600)'));
    const ended = new Promise<string | undefined>((r) => b.on('error', (e) => r((e as { code?: string }).code)));
    await wait(100);
    expect((await a.query('SELECT pg_terminate_backend($1) AS ok', [pidB])).rows).toEqual([{ ok: true }]);
    expect((await sleeping).code).toBe('57014');
    expect(await ended).toBe('57P01');
  });
});

describe('pg_sleep in a streamed portal (Execute with a row limit)', () => {
  it('each Execute sleeps for the rows it sends; statement_timeout stops a later one', async () => {
    const db = await memoryDb();
    try {
      const w = await trustSession(db);
      w.send(fe.query('BEGIN'));
      await w.until();
      let t0 = performance.now();
      w.send(fe.parse('s', 'SELECT g, pg_sleep(0.1) FROM generate_series(1, 3) g'), fe.bind('p', 's', []), fe.execute('p', 1), fe.sync());
      let ms = await w.until();
      expect(ms.filter((m) => m.type === 'D').length).toBe(1);
      expect(ms.some((m) => m.type === 'E')).toBe(false);
      // The first batch computed all three rows: their sleeps come before it is handed on.
      expect(performance.now() - t0).toBeGreaterThanOrEqual(100 - SLACK);
      w.send(fe.execute('p', 0), fe.sync());
      ms = await w.until();
      expect(ms.filter((m) => m.type === 'D').length).toBe(2);
      w.send(fe.query('COMMIT'));
      await w.until();
      // A streamed sleep under statement_timeout.
      w.send(fe.query("SET statement_timeout = '150ms'"));
      await w.until();
      w.send(fe.query('BEGIN'));
      await w.until();
      t0 = performance.now();
      w.send(fe.parse('s2', 'SELECT g, pg_sleep(600) FROM generate_series(1, 3) g'), fe.bind('p2', 's2', []), fe.execute('p2', 1), fe.sync());
      ms = await w.until(undefined, 20_000);
      expect(ms.find((m) => m.type === 'E')?.fields?.C).toBe('57014');
      expect(performance.now() - t0).toBeGreaterThanOrEqual(150 - SLACK);
      w.send(fe.query('ROLLBACK'));
      await w.until();
      w.send(fe.terminate());
    } finally {
      await db.close();
    }
  });
});

describe.skipIf(!HAVE_PG)('pg_sleep against PostgreSQL 15', () => {
  let pgsrv: Awaited<ReturnType<typeof realPostgres>>;
  let real: pg.Client;
  beforeAll(async () => {
    pgsrv = await realPostgres();
    if (!pgsrv) throw new Error('PostgreSQL 15 did not start');
    real = pgsrv.client;
  }, 60_000);
  afterAll(async () => {
    await pgsrv?.stop();
  });

  const SHAPES: Array<[string, unknown[]]> = [
    ['SELECT pg_sleep(0) AS a, pg_sleep(NULL) AS b, pg_sleep(-1) AS c, pg_sleep(0.01) AS d', []],
    ["SELECT pg_sleep(0) IS NULL AS z, pg_sleep(NULL) IS NULL AS n, pg_typeof(pg_sleep(0))::text AS t, pg_sleep('0.01') AS txt", []],
    ["SELECT pg_sleep_for('10 ms') AS f, pg_sleep_for(NULL) AS fn, pg_sleep_until('-infinity') AS u, pg_sleep_until(NULL) AS un", []],
    ['SELECT pg_sleep(1::int - 1) AS i, pg_sleep(0.01::numeric) AS num', []],
    ['SELECT pg_sleep($1) AS p', [0.01]],
    ['SELECT pg_sleep($1) AS p', [null]],
    ['SELECT g, pg_sleep(0.01) AS s FROM generate_series(1, 3) g', []],
    ["SELECT oid::int, proname::text, pg_get_function_arguments(oid) AS args, prorettype::regtype::text AS ret, provolatile, proisstrict FROM pg_proc WHERE proname LIKE 'pg_sleep%' ORDER BY oid", []],
  ];

  it('the driver sees the same rows and column types', async () => {
    const c = await client();
    for (const [sql, params] of SHAPES) {
      const ours = await c.query(sql, params);
      const theirs = await real.query(sql, params);
      expect({ sql, rows: ours.rows, types: ours.fields.map((f) => [f.name, f.dataTypeID]) }).toEqual({
        sql, rows: theirs.rows, types: theirs.fields.map((f) => [f.name, f.dataTypeID]),
      });
    }
  });

  it.skipIf(PSQL === undefined)('psql prints the same', async () => {
    for (const sql of ['SELECT pg_sleep(0.01)', 'SELECT pg_sleep(NULL), pg_sleep_for(\'1 ms\') AS f', 'SELECT pg_sleep(0.01) FROM generate_series(1, 2)', '\\df pg_sleep*']) {
      const ours = await psqlAt(srv.port, ['-c', sql]);
      const theirs = await runPsql(['-h', '127.0.0.1', '-p', String(pgsrv!.server.port), '-U', 'postgres', '-d', 'postgres', '-X', '-c', sql]);
      expect(theirs.status).toBe(0);
      expect({ sql, out: ours.stdout, status: ours.status }).toEqual({ sql, out: theirs.stdout, status: 0 });
    }
  });
});
