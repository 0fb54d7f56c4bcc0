// node-postgres (`pg`) against the server, unchanged: SCRAM login, simple and
// parameterised queries, named prepared statements, text and binary types,
// transactions, SQLSTATEs, cancel, a pool of 10.

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgClients, startTestServer, type TestServer } from './server_helper.ts';

let srv: TestServer;
const { config, client, endAll } = pgClients(() => srv.port);

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await endAll();
  await srv?.stop();
});

describe('pg driver', () => {
  it('logs in with SCRAM-SHA-256 and refuses a wrong password with 28P01', async () => {
    const c = await client();
    const r = await c.query('SELECT 1 AS one');
    expect(r.rows).toEqual([{ one: 1 }]);
    expect(r.fields[0]!.dataTypeID).toBe(23);
    const bad = new pg.Client(config({ password: 'wrong' }));
    expect(await codeOf(bad.connect())).toBe('28P01');
  });

  it('simple queries, DDL and DML with their row counts', async () => {
    const c = await client();
    await c.query('CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric(12,2), opened date, active boolean)');
    const ins = await c.query("INSERT INTO accounts VALUES (1, 'ann', 100.50, '2024-01-02', true), (2, 'bob', 0, '2024-03-04', false)");
    expect(ins.command).toBe('INSERT');
    expect(ins.rowCount).toBe(2);
    const upd = await c.query('UPDATE accounts SET balance = balance + 1');
    expect([upd.command, upd.rowCount]).toEqual(['UPDATE', 2]);
    const sel = await c.query('SELECT id, owner, balance, opened, active FROM accounts ORDER BY id');
    expect(sel.rows).toEqual([
      { id: 1, owner: 'ann', balance: '101.50', opened: new Date('2024-01-02T00:00:00'), active: true },
      { id: 2, owner: 'bob', balance: '1.00', opened: new Date('2024-03-04T00:00:00'), active: false },
    ]);
    expect(sel.fields.map((f) => f.dataTypeID)).toEqual([23, 25, 1700, 1082, 16]);
  });

  it('parameterised queries and named prepared statements', async () => {
    const c = await client();
    const r = await c.query('SELECT owner FROM accounts WHERE id = $1 AND active = $2', [1, true]);
    expect(r.rows).toEqual([{ owner: 'ann' }]);
    for (const id of [1, 2, 3]) {
      const n = await c.query({ name: 'by_id', text: 'SELECT owner, balance FROM accounts WHERE id = $1', values: [id] });
      expect(n.rowCount).toBe(id === 3 ? 0 : 1);
    }
    const ins = await c.query({ name: 'ins', text: 'INSERT INTO accounts (id, owner, balance) VALUES ($1, $2, $3) RETURNING id, owner', values: [3, 'cy', '7.25'] });
    expect(ins.rows).toEqual([{ id: 3, owner: 'cy' }]);
    const nul = await c.query('SELECT $1::text IS NULL AS isnull, $2::int + 1 AS n', [null, 41]);
    expect(nul.rows).toEqual([{ isnull: true, n: 42 }]);
  });

  it('text types round-trip', async () => {
    const c = await client();
    const r = await c.query(
      "SELECT 9007199254740993::int8 AS big, 1.5::float8 AS f, 'x''y'::varchar(5) AS v, '\\x00ff'::bytea AS b, '{1,2,NULL}'::int[] AS arr, " +
        "'{\"k\": [1, 2]}'::jsonb AS j, '2024-05-06 07:08:09.5+02'::timestamptz AS ts, '11111111-2222-3333-4444-555555555555'::uuid AS u, '1 day 02:00'::interval AS iv",
    );
    const row = r.rows[0];
    expect(row.big).toBe('9007199254740993');
    expect(row.f).toBe(1.5);
    expect(row.v).toBe("x'y");
    expect([...row.b]).toEqual([0, 255]);
    expect(row.arr).toEqual([1, 2, null]);
    expect(row.j).toEqual({ k: [1, 2] });
    expect((row.ts as Date).toISOString()).toBe('2024-05-06T05:08:09.500Z');
    expect(row.u).toBe('11111111-2222-3333-4444-555555555555');
    expect(row.iv).toMatchObject({ days: 1, hours: 2 });
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([20, 701, 1043, 17, 1007, 3802, 1184, 2950, 1186]);
    const back = await c.query('SELECT $1::bytea AS b, $2::jsonb AS j, $3::timestamptz AS t', [Buffer.from([1, 2, 3]), JSON.stringify({ a: 1 }), new Date('2020-01-01T00:00:00Z')]);
    expect([...back.rows[0].b]).toEqual([1, 2, 3]);
    expect(back.rows[0].j).toEqual({ a: 1 });
    expect((back.rows[0].t as Date).toISOString()).toBe('2020-01-01T00:00:00.000Z');
  });

  // pg reads every DataRow field as a UTF-8 string, so its binary mode only survives values whose bytes are ASCII.
  it('binary results', async () => {
    const c = await client({ binary: true } as Partial<pg.ClientConfig>);
    const r = await c.query('SELECT id, owner, active, 2.5::float8 AS f, 4294967297::int8 AS big FROM accounts WHERE id = $1', [2]);
    expect(r.rows).toEqual([{ id: 2, owner: 'bob', active: false, f: 2.5, big: '4294967297' }]);
  });

  it('transactions: commit, rollback, failed block 25P02', async () => {
    const c = await client();
    await c.query('BEGIN');
    await c.query("INSERT INTO accounts (id, owner) VALUES (10, 'tx')");
    await c.query('ROLLBACK');
    expect((await c.query('SELECT id FROM accounts WHERE id = 10')).rowCount).toBe(0);
    await c.query('BEGIN');
    await c.query("INSERT INTO accounts (id, owner) VALUES (11, 'tx')");
    await c.query('COMMIT');
    expect((await c.query('SELECT id FROM accounts WHERE id = 11')).rowCount).toBe(1);
    await c.query('BEGIN');
    expect(await codeOf(c.query('SELECT 1/0'))).toBe('22012');
    expect(await codeOf(c.query('SELECT 1'))).toBe('25P02');
    await c.query('ROLLBACK');
    expect((await c.query('SELECT 2 AS x')).rows).toEqual([{ x: 2 }]);
  });

  it('errors carry their SQLSTATE, position and constraint', async () => {
    const c = await client();
    expect(await codeOf(c.query('SELECT * FROM missing_table'))).toBe('42P01');
    expect(await codeOf(c.query('SELEKT 1'))).toBe('42601');
    try {
      await c.query("INSERT INTO accounts (id, owner) VALUES (1, 'dup')");
      expect.unreachable();
    } catch (e) {
      expect((e as pg.DatabaseError).code).toBe('23505');
      expect((e as pg.DatabaseError).severity).toBe('ERROR');
    }
    expect(await codeOf(c.query('SELECT $1::int', ['abc']))).toBe('22P02');
    const e = await c.query('SELECT nope FROM accounts').catch((x) => x as pg.DatabaseError);
    expect((e as pg.DatabaseError).position).toBe('8');
  });

  it('cancel: a long statement fails with 57014 and the connection goes on', async () => {
    const c = await client();
    const slow = c.query('SELECT count(*) FROM generate_series(1, 10000) a, generate_series(1, 10000) b WHERE a.a + b.b < 0');
    await new Promise((r) => setTimeout(r, 300));
    const canceller = new pg.Client(config());
    await (canceller as unknown as { cancel(target: pg.Client, q: unknown): void; connectionParameters: unknown }).cancel(c, (c as unknown as { activeQuery: unknown }).activeQuery);
    const t0 = Date.now();
    expect(await codeOf(slow)).toBe('57014');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((await c.query('SELECT 3 AS x')).rows).toEqual([{ x: 3 }]);
  });

  it('a pool of 10 runs concurrent work', async () => {
    const pool = new pg.Pool({ ...config(), max: 10 });
    try {
      await pool.query('CREATE TABLE hits (id int PRIMARY KEY, who int)');
      await Promise.all(Array.from({ length: 40 }, (_, i) => pool.query('INSERT INTO hits VALUES ($1, $2)', [i, i % 10])));
      const r = await pool.query('SELECT id FROM hits');
      expect(r.rowCount).toBe(40);
      expect(srv.server.pg!.state.active).toBeGreaterThanOrEqual(2);
    } finally {
      await pool.end();
    }
  });

  it('LISTEN/NOTIFY between sessions: delivered at once outside a transaction, at COMMIT inside one, never after ROLLBACK', async () => {
    const listener = await client();
    const sender = await client();
    const got: Array<{ channel: string; payload?: string; processId: number }> = [];
    listener.on('notification', (n) => got.push(n));
    await listener.query('LISTEN jobs');
    await sender.query("NOTIFY jobs, 'first'");
    const waitFor = async (n: number): Promise<void> => {
      const t0 = Date.now();
      while (got.length < n && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 10));
    };
    await waitFor(1);
    expect(got.map((n) => n.payload)).toEqual(['first']);
    const senderPid = (sender as unknown as { processID: number }).processID;
    expect(got[0]!.processId).toBe(senderPid);
    await sender.query('BEGIN');
    await sender.query("NOTIFY jobs, 'second'");
    await new Promise((r) => setTimeout(r, 100));
    expect(got.length).toBe(1);
    await sender.query('COMMIT');
    await waitFor(2);
    expect(got.map((n) => n.payload)).toEqual(['first', 'second']);
    await sender.query('BEGIN');
    await sender.query("NOTIFY jobs, 'never'");
    await sender.query('ROLLBACK');
    await sender.query("NOTIFY other, 'not listened'");
    await listener.query('UNLISTEN jobs');
    await sender.query("NOTIFY jobs, 'after unlisten'");
    await new Promise((r) => setTimeout(r, 100));
    expect(got.map((n) => n.payload)).toEqual(['first', 'second']);
  });

  it('pg_stat_activity lists the sessions with their state and query; pg_backend_pid matches BackendKeyData', async () => {
    const a = await client({ application_name: 'watcher' } as Partial<pg.ClientConfig>);
    const b = await client({ application_name: 'sleeper' } as Partial<pg.ClientConfig>);
    await b.query('BEGIN');
    await b.query('SELECT 1');
    const pidA = (a as unknown as { processID: number }).processID;
    const pidB = (b as unknown as { processID: number }).processID;
    expect((await a.query('SELECT pg_backend_pid() AS pid')).rows[0].pid).toBe(pidA);
    for (let i = 0; i < 2; i++) {
      const r = await a.query('SELECT pid, usename, application_name, state, query, backend_start IS NOT NULL AS started FROM pg_stat_activity WHERE pid IN ($1, $2) ORDER BY pid', [pidA, pidB]);
      const byPid = Object.fromEntries(r.rows.map((x) => [x.pid, x]));
      expect(byPid[pidA]).toMatchObject({ usename: 'sysdba', application_name: 'watcher', state: 'active', started: true });
      expect(byPid[pidA].query).toContain('pg_stat_activity');
      expect(byPid[pidB]).toMatchObject({ application_name: 'sleeper', state: 'idle in transaction', query: 'SELECT 1' });
    }
    const stateOfB = async (): Promise<unknown> => (await a.query({ name: 'state_of', text: 'SELECT state FROM pg_stat_activity WHERE pid = $1', values: [pidB] })).rows;
    expect(await stateOfB()).toEqual([{ state: 'idle in transaction' }]);
    await b.query('COMMIT');
    // The same prepared statement again: the view is read afresh, never from a cached plan.
    expect(await stateOfB()).toEqual([{ state: 'idle' }]);
  });

  it("pg_stat_activity's wait_event_type / wait_event name what a session waits on, as PostgreSQL does", async () => {
    const a = await client();
    const b = await client();
    const w = await client();
    const pidB = (b as unknown as { processID: number }).processID;
    const waitOf = async (): Promise<unknown> =>
      (await w.query('SELECT state, wait_event_type, wait_event FROM pg_stat_activity WHERE pid = $1', [pidB])).rows[0];
    const waitingFor = async (type: string, event: string): Promise<void> => {
      for (let i = 0; i < 400; i++) {
        const r = (await waitOf()) as { wait_event_type: string | null; wait_event: string | null };
        if (r.wait_event_type === type && r.wait_event === event) return;
        await new Promise((res) => setTimeout(res, 5));
      }
      throw new Error(`session never showed ${type}/${event}: ${JSON.stringify(await waitOf())}`);
    };
    await a.query('CREATE TABLE wait_ev (id int PRIMARY KEY, v int)');
    await a.query('INSERT INTO wait_ev VALUES (1, 0)');
    // Between statements: the client's next message.
    expect(await waitOf()).toEqual({ state: 'idle', wait_event_type: 'Client', wait_event: 'ClientRead' });
    // A row another transaction changed: its transaction id.
    await a.query('BEGIN');
    await a.query('UPDATE wait_ev SET v = 1 WHERE id = 1');
    const upd = b.query('UPDATE wait_ev SET v = 2 WHERE id = 1');
    await waitingFor('Lock', 'transactionid');
    expect(((await waitOf()) as { state: string }).state).toBe('active');
    await a.query('COMMIT');
    expect((await upd).rowCount).toBe(1);
    // A table lock.
    await a.query('BEGIN');
    await a.query('LOCK TABLE wait_ev IN ACCESS EXCLUSIVE MODE');
    const sel = b.query('SELECT v FROM wait_ev');
    await waitingFor('Lock', 'relation');
    await a.query('COMMIT');
    expect((await sel).rows).toEqual([{ v: 2 }]);
    // An advisory lock, then pg_sleep.
    await a.query('SELECT pg_advisory_lock(42)');
    const adv = b.query('SELECT pg_advisory_lock(42)');
    await waitingFor('Lock', 'advisory');
    await a.query('SELECT pg_advisory_unlock(42)');
    await adv;
    await b.query('SELECT pg_advisory_unlock(42)');
    const nap = b.query('SELECT pg_sleep(0.5)');
    await waitingFor('Timeout', 'PgSleep');
    await nap;
    expect(await waitOf()).toEqual({ state: 'idle', wait_event_type: 'Client', wait_event: 'ClientRead' });
    // The session asking is running, not waiting.
    expect((await w.query('SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE pid = pg_backend_pid()')).rows).toEqual([{ wait_event_type: null, wait_event: null }]);
  });

  it('pg_cancel_backend and pg_terminate_backend act on another session', async () => {
    const a = await client();
    const b = await client();
    const pidB = (b as unknown as { processID: number }).processID;
    const slow = b.query('SELECT count(*) FROM generate_series(1, 10000) x, generate_series(1, 10000) y WHERE x.x + y.y < 0');
    await new Promise((r) => setTimeout(r, 300));
    expect((await a.query('SELECT pg_cancel_backend($1) AS ok', [pidB])).rows).toEqual([{ ok: true }]);
    expect(await codeOf(slow)).toBe('57014');
    // pg reports the FATAL, then the closed socket: keep listening so neither goes unhandled.
    const ended = new Promise<string | undefined>((r) => b.on('error', (e) => r((e as { code?: string }).code)));
    expect((await a.query('SELECT pg_terminate_backend($1) AS ok', [pidB])).rows).toEqual([{ ok: true }]);
    expect(await ended).toBe('57P01');
    expect((await a.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [pidB])).rows).toEqual([{ n: 0 }]);
    expect((await a.query('SELECT pg_terminate_backend(999999) AS ok')).rows).toEqual([{ ok: false }]);
  });
});
