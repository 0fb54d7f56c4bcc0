// The times a session reports, from the clock readings the wire layer
// shares between them (host/wire/pg/connection.ts: a statement's start is
// pg_stat_activity's query_start and the start of its duration; its end is
// the duration's end and, when ReadyForQuery follows in the same read, the
// state change): the statement and transaction duration histograms behind
// /metrics, and pg_stat_activity's query_start and state_change, through a
// real pg client and a raw protocol client that sends Sync in a later read.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { type RawClient, rawClient, startTestServer, type TestServer, until } from './server_helper.ts';
import { fe } from './wire_client.ts';

let srv: TestServer;
let watcher: pg.Client;
beforeAll(async () => {
  srv = await startTestServer((c) => {
    c.pg.hba = [{ database: 'all', user: 'all', address: 'all', method: 'trust' }];
  });
  watcher = new pg.Client({ host: '127.0.0.1', port: srv.port, user: 'sysdba', database: 'scratchbird' });
  await watcher.connect();
});
afterAll(async () => {
  await watcher?.end();
  await srv?.stop();
});

const counters = () => srv.server.pg!.state.counters;

async function activity(pid: number): Promise<{ state: string; query: string; gap_ms: number }> {
  const r = await watcher.query(
    'SELECT state, query, extract(epoch FROM state_change - query_start) * 1000 AS gap_ms FROM pg_stat_activity WHERE pid = $1',
    [pid],
  );
  expect(r.rows).toHaveLength(1);
  return { state: r.rows[0].state, query: r.rows[0].query, gap_ms: Number(r.rows[0].gap_ms) };
}

describe('statement and transaction times', () => {
  it('time a statement from its start to its end, in the simple and the extended protocol', async () => {
    const c = new pg.Client({ host: '127.0.0.1', port: srv.port, user: 'sysdba', database: 'scratchbird' });
    await c.connect();
    try {
      const pid = (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      for (const run of [() => c.query('SELECT pg_sleep(0.06)'), () => c.query('SELECT pg_sleep($1)', [0.06])]) {
        const q = counters().queryDuration;
        const before = { count: q.count, sum: q.sum };
        await run();
        expect(q.count).toBe(before.count + 1);
        expect(q.sum - before.sum).toBeGreaterThanOrEqual(0.055);
        expect(q.sum - before.sum).toBeLessThan(5);
        // Idle since the statement ended: the state changed at its end, after the sleep.
        const a = await activity(pid);
        expect(a.state).toBe('idle');
        expect(a.gap_ms).toBeGreaterThanOrEqual(55);
      }
      const t = counters().transactionDuration;
      const before = { count: t.count, sum: t.sum };
      await c.query('BEGIN');
      await c.query('SELECT pg_sleep(0.05)');
      await c.query('COMMIT');
      expect(t.count).toBe(before.count + 1);
      expect(t.sum - before.sum).toBeGreaterThanOrEqual(0.045);
    } finally {
      await c.end();
    }
  });

  it("takes the state change at ReadyForQuery when Sync comes in a later read than the statement's end", async () => {
    const raw: RawClient = await rawClient(srv.port);
    try {
      raw.sock.write(fe.query('SELECT pg_backend_pid()'));
      await until(() => raw.readyCount() >= 2, 10_000, 'the pid');
      const pid = (await watcher.query("SELECT pid FROM pg_stat_activity WHERE query = 'SELECT pg_backend_pid()'")).rows[0].pid as number;
      raw.sock.write(Buffer.concat([fe.parse('', 'SELECT 1'), fe.bind('', '', []), fe.execute(''), fe.flush()]));
      // The statement has run (its answers came with the Flush) well before the Sync.
      await until(() => raw.bytes().includes(Buffer.from('SELECT 1\0')), 10_000, 'CommandComplete');
      await new Promise((r) => setTimeout(r, 80));
      raw.sock.write(fe.sync());
      await until(() => raw.readyCount() >= 3, 10_000, 'ReadyForQuery after Sync');
      const a = await activity(pid);
      expect(a.state).toBe('idle');
      expect(a.query).toBe('SELECT 1');
      expect(a.gap_ms).toBeGreaterThanOrEqual(70);
    } finally {
      raw.sock.destroy();
    }
  });
});
