// pgbench (PostgreSQL 15's) against the server, with the issue's own
// parameters: `pgbench -i -s 10` (COPY FROM STDIN of 1,000,000 accounts,
// ALTER TABLE ADD PRIMARY KEY...), then `-c 8 -j 2 -T 20` runs of TPC-B and
// of -S, each in simple and prepared modes (-n: no vacuum, so
// pgbench_history keeps every run's rows): no failed transaction, and the
// balances agree afterwards (every acknowledged TPC-B transaction applied
// once). PGBENCH_SECONDS shortens the runs for a local try. Speed is
// measured by tools/bench, not here.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestServer, type TestServer } from './server_helper.ts';

const PGBENCH = ['/usr/lib/postgresql/15/bin/pgbench', '/usr/bin/pgbench'].find((p) => existsSync(p));
if (!PGBENCH && process.env.CI === 'true') throw new Error('pgbench is required in CI (install postgresql-15)');
if (!PGBENCH) console.warn('pgbench not found: skipping the pgbench tests');

let srv: TestServer;

function pgbench(args: string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(PGBENCH!, ['-h', '127.0.0.1', '-p', String(srv.port), '-U', 'sysdba', ...args, 'scratchbird'], { env: { ...process.env, PGPASSWORD: PASSWORD } });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 240_000);
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, out });
    });
  });
}

describe.skipIf(!PGBENCH)('pgbench', () => {
  beforeAll(async () => {
    srv = await startTestServer();
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('pgbench -i -s 10, then -c 8 -j 2 -T 20 TPC-B and -S in simple and prepared modes: no failures, balances consistent', async () => {
    const init = await pgbench(['-i', '-s', '10', '-q']);
    expect(init.out).toMatch(/done in/);
    expect(init.status).toBe(0);
    const seconds = process.env.PGBENCH_SECONDS ?? '20';
    let processed = 0;
    for (const select of [false, true]) {
      for (const mode of ['simple', 'prepared']) {
        const r = await pgbench(['-n', ...(select ? ['-S'] : []), '-c', '8', '-j', '2', '-T', seconds, '-M', mode]);
        expect(r.status, r.out).toBe(0);
        expect(r.out).toMatch(/number of failed transactions: 0 \(0\.000%\)/);
        const n = Number(/number of transactions actually processed: (\d+)/.exec(r.out)![1]);
        expect(n, r.out).toBeGreaterThan(0);
        if (!select) processed += n;
      }
    }
    const c = new pg.Client({ host: '127.0.0.1', port: srv.port, user: 'sysdba', password: PASSWORD, database: 'scratchbird' });
    await c.connect();
    try {
      const r = await c.query(`SELECT (SELECT sum(abalance) FROM pgbench_accounts) AS a, (SELECT sum(bbalance) FROM pgbench_branches) AS b,
        (SELECT sum(tbalance) FROM pgbench_tellers) AS t, (SELECT sum(delta) FROM pgbench_history) AS h, (SELECT count(*) FROM pgbench_history) AS n,
        (SELECT count(*) FROM pgbench_accounts) AS accounts`);
      const row = r.rows[0];
      expect(Number(row.n)).toBe(processed);
      expect(row.a).toBe(row.h);
      expect(row.b).toBe(row.h);
      expect(row.t).toBe(row.h);
      expect(Number(row.accounts)).toBe(1_000_000);
    } finally {
      await c.end();
    }
  }, 600_000);
});
