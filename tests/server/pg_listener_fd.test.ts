// listenPg's `fd` option (host/server/pg_listener.ts): accepting PostgreSQL
// connections on a listening socket another thread opened, the way engine
// threads would share one port (tools/bench/parallel_bound.ts uses it). A
// worker thread opens the socket and then blocks, so every connection is
// accepted by this thread's listener on the worker's file descriptor.

import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, type Database } from '../../host/engine/db.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { Logger } from '../../host/server/log.ts';
import { listenPg, type PgListener } from '../../host/server/pg_listener.ts';
import { PgServerState } from '../../host/wire/pg/server_state.ts';

const OWNER = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const server = net.createServer(() => { throw new Error('the owner thread accepted a connection'); });
server.listen(0, '127.0.0.1', () => {
  parentPort.postMessage({ port: server.address().port, fd: server._handle.fd });
  // Block this thread's event loop: it never accepts, the test's listener does.
  Atomics.wait(workerData.gate, 0, 0);
  server.close();
});
`;

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';
let db: Database;
let listener: PgListener;
let owner: Worker;
let port = 0;
let ownerFd = -1;
const gate = new Int32Array(new SharedArrayBuffer(4));

beforeAll(async () => {
  owner = new Worker(OWNER, { eval: true, workerData: { gate } });
  ({ port, fd: ownerFd } = await new Promise<{ port: number; fd: number }>((resolve, reject) => {
    owner.once('message', resolve);
    owner.once('error', reject);
  }));
  db = await open(':memory:', { platform: nodePlatform() });
  const state = new PgServerState(db, new Logger('error'), {
    hba: [{ database: 'all', user: 'all', address: 'all', method: 'trust' }],
  });
  listener = await listenPg(state, '127.0.0.1', 0, undefined, { fd: ownerFd });
});

afterAll(async () => {
  // The thread that opened the socket closes it first, then the listener
  // that borrowed it (the other order aborts in libuv: the owner's close
  // finds the descriptor already gone).
  const exited = new Promise<void>((r) => owner.once('exit', () => r()));
  Atomics.store(gate, 0, 1);
  Atomics.notify(gate, 0);
  await exited;
  await listener?.close(1000);
  await db?.close();
});

describe.skipIf(isDeno)('listenPg on another thread\'s listening socket', () => {
  it('reports the descriptor it accepts on', () => {
    expect(ownerFd).toBeGreaterThan(2);
    expect(listener.fd).toBe(ownerFd);
  });

  it('serves every connection made to that socket\'s port', async () => {
    const clients = Array.from({ length: 6 }, () => new pg.Client({ host: '127.0.0.1', port, user: 'sysdba', database: 'scratchbird' }));
    await Promise.all(clients.map((c) => c.connect()));
    const rows = await Promise.all(clients.map((c, i) => c.query('SELECT $1::int * 7 AS v', [i])));
    expect(rows.map((r) => r.rows[0].v)).toEqual([0, 7, 14, 21, 28, 35]);
    expect(listener.state.active).toBe(6);
    await Promise.all(clients.map((c) => c.end()));
  });
});
