// Durability over the wire: pgbench runs TPC-B against the server process,
// which is killed with SIGKILL in the middle; after a restart, psql checks
// that every transaction pgbench saw acknowledged is there and that the
// balances agree (no half-applied transaction). The script is pgbench's
// TPC-B plus one statement, `UPDATE sb_ack SET n = n + 1 WHERE client =
// :client_id`, in the same transaction: a client runs its transactions one
// after another, so its acknowledged ones (pgbench's per-transaction log, -l)
// are exactly its first N, and the restarted database must count at least N
// for it (and at most N + 1: the one in flight at the kill may have
// committed without its acknowledgement reaching pgbench).

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PSQL } from '../wire/pg/server_helper.ts';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const TSX = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href;
const PGBENCH = ['/usr/lib/postgresql/15/bin/pgbench', '/usr/bin/pgbench'].find((p) => existsSync(p));
if (!PGBENCH && process.env.CI === 'true') throw new Error('pgbench is required in CI');
if (!PGBENCH) console.warn('pgbench not found: skipping the kill -9 test');

const dir = mkdtempSync(join(tmpdir(), 'sb-kill9-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function startServer(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'host/server/main.ts'), '--data', join(dir, 'data'), '--pg-port', String(port), '--http-port', '0'], {
    env: { ...process.env, SCRATCHBIRD_PASSWORD: 'pw' },
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const t0 = Date.now();
  while (!out.includes('"started"')) {
    if (child.exitCode !== null || Date.now() - t0 > 30_000) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return child;
}

function psql(port: number, sql: string): Promise<string> {
  return new Promise((res, rej) => {
    const p = spawn(PSQL!, ['-h', '127.0.0.1', '-p', String(port), '-U', 'sysdba', '-d', 'scratchbird', '-X', '-A', '-t', '-F', ' ', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
      env: { ...process.env, PGPASSWORD: 'pw' },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (status) => (status === 0 ? res(out) : rej(new Error(`psql exited ${status}: ${err}`))));
  });
}

const CLIENTS = 4;
// pgbench's built-in tpcb-like script, plus the per-client acknowledgement counter.
const SCRIPT = `\\set aid random(1, 100000 * :scale)
\\set bid random(1, 1 * :scale)
\\set tid random(1, 10 * :scale)
\\set delta random(-5000, 5000)
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid;
UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = :bid;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP);
UPDATE sb_ack SET n = n + 1 WHERE client = :client_id;
END;
`;

function pgbench(port: number, args: string[], cwd: string): Promise<string> {
  return new Promise((res) => {
    const p = spawn(PGBENCH!, ['-h', '127.0.0.1', '-p', String(port), '-U', 'sysdba', ...args, 'scratchbird'], { cwd, env: { ...process.env, PGPASSWORD: 'pw' } });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', () => res(out));
  });
}

describe.skipIf(!PGBENCH || !PSQL)('kill -9 under pgbench load', () => {
  it('keeps every acknowledged transaction and consistent balances', async () => {
    const port = await freePort();
    let server = await startServer(port);
    expect(await pgbench(port, ['-i', '-s', '1', '-q'], dir)).toMatch(/done in/);
    await psql(port, `CREATE TABLE sb_ack (client int PRIMARY KEY, n int NOT NULL); INSERT INTO sb_ack SELECT g, 0 FROM generate_series(0, ${CLIENTS - 1}) g`);
    const script = join(dir, 'tpcb_ack.sql');
    writeFileSync(script, SCRIPT);
    const logs = join(dir, 'logs');
    rmSync(logs, { recursive: true, force: true });
    mkdirSync(logs);
    const run = pgbench(port, ['-n', '-f', script, '-c', String(CLIENTS), '-j', '2', '-T', '20', '-l'], logs);
    await new Promise((r) => setTimeout(r, 2500));
    server.kill('SIGKILL');
    await new Promise((r) => server.once('exit', r));
    const out = await run;
    // Each line of pgbench's log is one transaction it completed (acknowledged COMMIT): client_id transaction_no time ...;
    // failed ones carry a word instead of the time.
    const acked = new Array<number>(CLIENTS).fill(0);
    for (const f of readdirSync(logs)) {
      for (const line of readFileSync(join(logs, f), 'utf8').split('\n')) {
        const cols = line.trim().split(/\s+/);
        if (cols.length >= 6 && /^\d+$/.test(cols[2]!)) acked[Number(cols[0])]!++;
      }
    }
    expect(acked.reduce((a, b) => a + b, 0), out).toBeGreaterThan(0);
    server = await startServer(port);
    try {
      const counts = (await psql(port, 'SELECT client, n FROM sb_ack ORDER BY client')).trim().split('\n').map((l) => l.split(' ').map(Number));
      expect(counts.map((c) => c[0])).toEqual([...Array(CLIENTS).keys()]);
      for (const [client, n] of counts) {
        expect(n, `client ${client}: ${acked[client!]} acknowledged`).toBeGreaterThanOrEqual(acked[client!]!);
        expect(n, `client ${client}: ${acked[client!]} acknowledged`).toBeLessThanOrEqual(acked[client!]! + 1);
      }
      const [n, h, a, b, t] = (
        await psql(port, `SELECT (SELECT count(*) FROM pgbench_history), (SELECT sum(delta) FROM pgbench_history),
          (SELECT sum(abalance) FROM pgbench_accounts), (SELECT sum(bbalance) FROM pgbench_branches), (SELECT sum(tbalance) FROM pgbench_tellers)`)
      )
        .trim()
        .split(' ');
      // Every committed transaction wrote one history row and one counter increment.
      expect(Number(n)).toBe(counts.reduce((s, c) => s + c[1]!, 0));
      expect(a).toBe(h);
      expect(b).toBe(h);
      expect(t).toBe(h);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
  }, 120_000);
});
