// Starts the real server in-process (the same startServer as `npm start`)
// on OS-chosen 127.0.0.1 ports with a temporary data folder.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ServerConfig } from '../../../host/server/config.ts';
import { Logger } from '../../../host/server/log.ts';
import { type RunningServer, startServer } from '../../../host/server/server.ts';
import { nodePlatform } from '../../../host/platform/node.ts';
import { connect as netConnect, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { type PgServer, startPg } from '../../functions/pg_server.ts';
import { fe } from './wire_client.ts';

export const PASSWORD = 'test-password';

/** The psql binary (PostgreSQL 15's, or the system one), undefined when none is installed. */
export const PSQL = ['/usr/lib/postgresql/15/bin/psql', '/usr/bin/psql'].find((p) => existsSync(p));

export interface PsqlResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs psql with these arguments, asynchronously (the server runs in this
 * process: a blocking spawn would starve it), killed after 30 s. `env` adds
 * to the environment (PGPASSWORD defaults to the test password).
 */
export function runPsql(args: string[], env: Record<string, string> = {}): Promise<PsqlResult> {
  return new Promise((resolve) => {
    const p = spawn(PSQL!, args, { env: { ...process.env, PGPASSWORD: PASSWORD, PGCONNECT_TIMEOUT: '10', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** psql connected to a test server as sysdba, database scratchbird. */
export function psqlAt(port: number, args: string[], env: Record<string, string> = {}): Promise<PsqlResult> {
  return runPsql(['-h', '127.0.0.1', '-p', String(port), '-U', 'sysdba', '-d', 'scratchbird', '-X', ...args], env);
}

export interface TestServer {
  server: RunningServer;
  port: number;
  httpPort: number;
  dir: string;
  logs: string[];
  stop(): Promise<void>;
}

export async function startTestServer(adjust: (c: ServerConfig) => void = () => {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-pg-'));
  const cfg = loadConfig(['--data', join(dir, 'data')], (n) => (n === 'SCRATCHBIRD_PASSWORD' ? PASSWORD : undefined), () => undefined);
  cfg.pgPortEphemeral = true;
  cfg.httpPortEphemeral = true;
  adjust(cfg);
  const logs: string[] = [];
  const server = await startServer(cfg, nodePlatform(), new Logger('debug', (l) => logs.push(l)));
  return {
    server, port: server.pg!.port, httpPort: server.http!.port, dir, logs,
    async stop() {
      await server.stop(2000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A test server and one node-postgres client of it (sysdba), started before
 * the file's tests and stopped after them; `ready` hands the client over.
 */
export function serverWithClient(ready: (client: pg.Client, srv: TestServer) => void): void {
  let srv: TestServer | undefined;
  let client: pg.Client | undefined;
  beforeAll(async () => {
    srv = await startTestServer();
    client = new pg.Client({ host: '127.0.0.1', port: srv.port, user: 'sysdba', password: PASSWORD, database: 'scratchbird' });
    await client.connect();
    ready(client, srv);
  });
  afterAll(async () => {
    await client?.end();
    await srv?.stop();
  });
}

/** Resolves when `cond` holds (polled every 5 ms), rejects after `ms`. */
export async function until(cond: () => boolean, ms = 20_000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface RawClient {
  sock: Socket;
  /** Every byte received so far, the startup's messages included. */
  bytes(): Buffer;
  /** ReadyForQuery messages received so far (1 after startup). */
  readyCount(): number;
}

/** A raw protocol client of a server with trust auth: pipelined writes, reading when told, counting ReadyForQuery. */
export async function rawClient(port: number): Promise<RawClient> {
  const sock = netConnect(port, '127.0.0.1');
  sock.on('error', () => {});
  const got: Buffer[] = [];
  let buf: Buffer = Buffer.alloc(0);
  let ready = 0;
  sock.on('data', (d: Buffer) => {
    got.push(d);
    buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
    let p = 0;
    while (buf.length - p >= 5) {
      const len = buf.readInt32BE(p + 1);
      if (buf.length - p < 1 + len) break;
      if (buf[p] === 0x5a) ready++;
      p += 1 + len;
    }
    buf = buf.subarray(p);
  });
  await new Promise<void>((r) => sock.once('connect', () => r()));
  sock.write(fe.startup({ user: 'sysdba', database: 'scratchbird' }));
  await until(() => ready >= 1, 10_000, 'ReadyForQuery after startup');
  return { sock, bytes: () => Buffer.concat(got), readyCount: () => ready };
}

/** node-postgres clients of a test server (sysdba, password auth), ended together by endAll(). */
export function pgClients(port: () => number): {
  config(extra?: Partial<pg.ClientConfig>): pg.ClientConfig;
  client(extra?: Partial<pg.ClientConfig>): Promise<pg.Client>;
  endAll(): Promise<void>;
} {
  const clients: pg.Client[] = [];
  const config = (extra: Partial<pg.ClientConfig> = {}): pg.ClientConfig =>
    ({ host: '127.0.0.1', port: port(), user: 'sysdba', password: PASSWORD, database: 'scratchbird', ...extra });
  return {
    config,
    async client(extra = {}) {
      const c = new pg.Client(config(extra));
      await c.connect();
      clients.push(c);
      return c;
    },
    async endAll() {
      for (const c of clients.splice(0)) await c.end().catch(() => {});
    },
  };
}

/** A throwaway PostgreSQL 15 cluster and a node-postgres client of it (superuser, trust); undefined without PostgreSQL. */
export async function realPostgres(): Promise<{ server: PgServer; client: pg.Client; stop(): Promise<void> } | undefined> {
  const server = await startPg();
  if (!server) return undefined;
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' });
  await client.connect();
  return {
    server, client,
    async stop() {
      await client.end().catch(() => {});
      server.stop();
    },
  };
}
