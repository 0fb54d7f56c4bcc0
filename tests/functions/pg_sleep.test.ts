// pg_sleep(float8), pg_sleep_for(interval), pg_sleep_until(timestamptz)
// through the embedded API: they sleep at least the time asked (lower bounds
// only: the machine is shared), the sleeps of several rows add up, other
// sessions are served meanwhile, cancel and statement_timeout end a sleep
// with 57014, and the result is void ('' , not NULL) as in PostgreSQL 15.
// The wire behaviour and the differential check against PostgreSQL are in
// tests/wire/pg/pg_sleep.test.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { errorOf, memoryDb, rows } from '../sql/helpers.ts';

const TIMEOUT_MSG = 'canceling statement due to statement timeout';
const CANCEL_MSG = 'canceling statement due to user request';
/** Timers may fire a hair early by the clock the test reads: allow 5 ms of slack on lower bounds. */
const SLACK = 5;

let db: Database;
beforeAll(async () => {
  db = await memoryDb();
  await db.query('CREATE TABLE kv (id int PRIMARY KEY, v text)');
  await db.query("INSERT INTO kv VALUES (1, 'one'), (2, 'two'), (3, 'three')");
  await db.query('CREATE TABLE log (n int)');
});
afterAll(() => db.close());

/** Runs `sql` and returns its text rows and the milliseconds it took. */
async function timed(sql: string, params: unknown[] = []): Promise<{ rows: Array<Array<string | null>>; ms: number }> {
  const t0 = performance.now();
  const r = await rows(db, sql, params);
  return { rows: r, ms: performance.now() - t0 };
}

describe('pg_sleep: how long', () => {
  it('sleeps at least the seconds asked, with integer, numeric and text arguments', async () => {
    expect(await timed('SELECT pg_sleep(0.2)')).toMatchObject({ rows: [['']] });
    expect((await timed('SELECT pg_sleep(0.2)')).ms).toBeGreaterThanOrEqual(200 - SLACK);
    expect((await timed('SELECT pg_sleep(0.15::numeric)')).ms).toBeGreaterThanOrEqual(150 - SLACK);
    expect((await timed("SELECT pg_sleep('0.15')")).ms).toBeGreaterThanOrEqual(150 - SLACK);
    // An integer literal is coerced to double precision (a whole second here).
    expect((await timed('SELECT pg_sleep(1)')).ms).toBeGreaterThanOrEqual(1000 - SLACK);
    expect((await timed('SELECT pg_sleep($1)', [0.15])).ms).toBeGreaterThanOrEqual(150 - SLACK);
  });

  it('pg_sleep_for(interval) and pg_sleep_until(timestamptz)', async () => {
    expect((await timed("SELECT pg_sleep_for('200 milliseconds')")).ms).toBeGreaterThanOrEqual(200 - SLACK);
    expect((await timed("SELECT pg_sleep_for(interval '0.15 s')")).ms).toBeGreaterThanOrEqual(150 - SLACK);
    expect((await timed("SELECT pg_sleep_until(clock_timestamp() + interval '200 ms')")).ms).toBeGreaterThanOrEqual(200 - SLACK);
  });

  it('NULL, zero, negative, NaN and past times do not sleep (a sleep of these sizes would hang the test)', async () => {
    expect((await timed('SELECT pg_sleep(NULL) IS NULL, pg_sleep(0) IS NULL, pg_sleep(-1e9), pg_sleep(\'NaN\')')).rows).toEqual([['t', 'f', '', '']]);
    expect((await timed("SELECT pg_sleep_for('-10000 days'), pg_sleep_for(NULL) IS NULL, pg_sleep_until('-infinity'), pg_sleep_until('2000-01-01'), pg_sleep_until(NULL) IS NULL")).rows)
      .toEqual([['', 't', '', '', 't']]);
  });

  it('each row sleeps: the sleeps add up, under sorts, aggregates, subqueries and DML', async () => {
    const four = await timed('SELECT pg_sleep(0.05) FROM generate_series(1, 4)');
    expect(four.rows).toEqual([[''], [''], [''], ['']]);
    expect(four.ms).toBeGreaterThanOrEqual(200 - SLACK);
    const sorted = await timed('SELECT g FROM (SELECT g, pg_sleep(0.03) FROM generate_series(1, 5) g) s ORDER BY g DESC');
    expect(sorted.rows).toEqual([['5'], ['4'], ['3'], ['2'], ['1']]);
    expect(sorted.ms).toBeGreaterThanOrEqual(150 - SLACK);
    const agg = await timed('SELECT count(pg_sleep(0.03)) FROM generate_series(1, 5)');
    expect(agg.rows).toEqual([['5']]);
    expect(agg.ms).toBeGreaterThanOrEqual(150 - SLACK);
    expect((await timed('SELECT (SELECT pg_sleep(0.15)) IS NULL')).ms).toBeGreaterThanOrEqual(150 - SLACK);
    const ins = await timed('INSERT INTO log SELECT g FROM generate_series(1, 3) g WHERE pg_sleep(0.05) IS NOT NULL');
    expect(ins.ms).toBeGreaterThanOrEqual(150 - SLACK);
    expect(await rows(db, 'SELECT count(*) FROM log')).toEqual([['3']]);
  });

  it('clock_timestamp() after a sleep in the statement reads the time after it; pg_sleep_until over rows sleeps once', async () => {
    expect((await timed("SELECT pg_sleep(0.2), clock_timestamp() - statement_timestamp() >= interval '0.2 s'")).rows).toEqual([['', 't']]);
    // One target time for 1000 rows: the first row sleeps until it, the others not at all (summed, the sleeps would
    // take 200 s: the statement_timeout turns that into an error instead of a hang).
    const s = db.session({ settings: { statement_timeout: '60s' } });
    const t0 = performance.now();
    const r = await s.query("SELECT count(pg_sleep_until(x.t)) AS n FROM (SELECT clock_timestamp() + interval '0.2 s' AS t) x, generate_series(1, 1000)");
    expect(r.rows).toEqual([[1000]]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200 - SLACK);
    await s.close();
  });

  it('a point lookup (the synchronous nextSync path) sleeps too, every time it runs', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await timed('SELECT v, pg_sleep(0.1) FROM kv WHERE id = $1', [2]);
      expect(r.rows).toEqual([['two', '']]);
      expect(r.ms).toBeGreaterThanOrEqual(100 - SLACK);
    }
    expect((await timed('SELECT v, pg_sleep(0.1) FROM kv WHERE id = 3')).ms).toBeGreaterThanOrEqual(100 - SLACK);
  });

  it('a cursor FETCH sleeps for the rows it computes', async () => {
    const s = db.session();
    await s.query('BEGIN');
    await s.query('DECLARE c CURSOR FOR SELECT g, pg_sleep(0.1) FROM generate_series(1, 5) g');
    let t0 = performance.now();
    expect((await s.query('FETCH 2 FROM c')).rows).toEqual([[1, ''], [2, '']]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200 - SLACK);
    t0 = performance.now();
    expect((await s.query('FETCH ALL FROM c')).rows.length).toBe(3);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(300 - SLACK);
    await s.query('COMMIT');
    await s.close();
  });
});

describe('pg_sleep: the server goes on', () => {
  it('other sessions are served while one sleeps a second', async () => {
    const sleeper = db.session();
    const other = db.session();
    let slept = false;
    const t0 = performance.now();
    const sleeping = sleeper.query('SELECT pg_sleep(1)').then(() => (slept = true));
    expect((await other.query('SELECT v FROM kv WHERE id = 1')).rows).toEqual([['one']]);
    expect((await other.query('SELECT count(*) FROM kv')).rows).toEqual([[3]]);
    // The other session's queries were answered before the sleep ended.
    expect(slept).toBe(false);
    await sleeping;
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1000 - SLACK);
    await sleeper.close();
    await other.close();
  });

  it('cancel ends a sleep with 57014 and the session goes on', async () => {
    const s = db.session();
    const t0 = performance.now();
    setTimeout(() => s.cancel(), 100);
    const e = await errorOf(s.query('SELECT pg_sleep(600)'));
    expect([e.code, e.message]).toEqual(['57014', CANCEL_MSG]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100 - SLACK);
    expect((await s.query('SELECT 1 AS x')).rows).toEqual([[1]]);
    // Sleep owed by a cancelled statement is not carried into the next one.
    const t1 = performance.now();
    await s.query('SELECT pg_sleep(0)');
    expect((await s.query('SELECT pg_sleep(0.05)')).rows).toEqual([['']]);
    expect(performance.now() - t1).toBeGreaterThanOrEqual(50 - SLACK);
    await s.close();
  });

  it('statement_timeout ends a sleep with 57014 (also a sleep spread over rows); the session goes on', async () => {
    const s = db.session();
    await s.query("SET statement_timeout = '150ms'");
    const t0 = performance.now();
    const e = await errorOf(s.query('SELECT pg_sleep(600)'));
    expect([e.code, e.message]).toEqual(['57014', TIMEOUT_MSG]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(150 - SLACK);
    const e2 = await errorOf(s.query("SELECT pg_sleep(0.1) FROM generate_series(1, 100)"));
    expect([e2.code, e2.message]).toEqual(['57014', TIMEOUT_MSG]);
    const e3 = await errorOf(s.query("SELECT pg_sleep_until('infinity')"));
    expect([e3.code, e3.message]).toEqual(['57014', TIMEOUT_MSG]);
    // A sleep shorter than the timeout completes.
    await s.query("SET statement_timeout = '30s'");
    expect((await s.query('SELECT pg_sleep(0.01)')).rows).toEqual([['']]);
    await s.query('SET statement_timeout = 0');
    expect((await s.query('SELECT 2 AS x')).rows).toEqual([[2]]);
    await s.close();
  });

  it('in a transaction block the interrupted sleep aborts the block (25P02) until ROLLBACK', async () => {
    const s = db.session();
    await s.query('BEGIN');
    await s.query('INSERT INTO log VALUES (100)');
    await s.query("SET LOCAL statement_timeout = '50ms'");
    expect((await errorOf(s.query('SELECT pg_sleep(600)'))).code).toBe('57014');
    expect((await errorOf(s.query('SELECT 1'))).code).toBe('25P02');
    await s.query('ROLLBACK');
    expect((await s.query('SELECT count(*) FROM log WHERE n = 100')).rows).toEqual([[0]]);
    // And a cancel inside a block.
    await s.query('BEGIN');
    setTimeout(() => s.cancel(), 50);
    expect((await errorOf(s.query('SELECT pg_sleep(600)'))).message).toBe(CANCEL_MSG);
    expect((await errorOf(s.query('SELECT 1'))).code).toBe('25P02');
    await s.query('ROLLBACK');
    await s.close();
  });
});

describe('pg_sleep: catalog', () => {
  it('void result (OID 2278), pg_proc rows with PostgreSQL 15 OIDs', async () => {
    const r = await db.query('SELECT pg_sleep(0) AS s, pg_typeof(pg_sleep(0))::text AS t');
    expect(r.fields.map((f) => f.typeOid)).toEqual([2278, 25]);
    expect(r.rows).toEqual([['', 'void']]);
    expect(await rows(db, "SELECT oid, proname, pg_get_function_arguments(oid), prorettype::regtype, provolatile, proisstrict FROM pg_proc WHERE proname LIKE 'pg_sleep%' ORDER BY oid")).toEqual([
      ['2626', 'pg_sleep', 'double precision', 'void', 'v', 't'],
      ['3935', 'pg_sleep_for', 'interval', 'void', 'v', 't'],
      ['3936', 'pg_sleep_until', 'timestamp with time zone', 'void', 'v', 't'],
    ]);
  });
});
