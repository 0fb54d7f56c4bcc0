// A throwaway PostgreSQL 15 server for differential tests: initdb into a
// temp dir, start on a free 127.0.0.1 port, run SQL through psql, stop and
// remove. When running as root, the server runs as the `postgres` user
// (initdb refuses root). PG_DIFF_PORT=<port> reuses a running server instead.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/local/pgsql/bin', '/usr/local/bin', '/usr/bin'];

export function findPgBin(): string | undefined {
  for (const d of BIN_DIRS) if (existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl'))) return d;
  try {
    const d = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(join(d, 'initdb'))) return d;
  } catch {
    /* not installed */
  }
  return undefined;
}

export function findPsql(bin?: string): string | undefined {
  if (bin !== undefined && existsSync(join(bin, 'psql'))) return join(bin, 'psql');
  const r = spawnSync('which', ['psql'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface PgServer {
  port: number;
  /** Runs SQL through psql (-At, no psqlrc) and returns stdout; stops at the first error. */
  query(sql: string): string;
  /**
   * Runs a script through psql continuing past errors (a statement that fails, e.g. on
   * statement_timeout, just prints nothing); the whole run is bounded by timeoutMs.
   */
  queryLoose(sql: string, timeoutMs: number): string;
  stop(): void;
}

export async function startPg(): Promise<PgServer | undefined> {
  const psql = findPsql(findPgBin());
  if (psql === undefined) return undefined;
  const runPsql = (port: number, sql: string, stopOnError: boolean, timeoutMs: number): string =>
    execFileSync(psql, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-X', '-At', '-q', '-v', `ON_ERROR_STOP=${stopOnError ? 1 : 0}`], {
      input: sql,
      encoding: 'utf8',
      maxBuffer: 1024 * 1024 * 1024,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      stdio: ['pipe', 'pipe', stopOnError ? 'pipe' : 'ignore'],
      env: { ...process.env, PGTZ: 'UTC', PGOPTIONS: '' },
    });
  const query = (port: number) => (sql: string): string => runPsql(port, sql, true, 300_000);
  const queryLoose = (port: number) => (sql: string, timeoutMs: number): string => runPsql(port, sql, false, timeoutMs);
  const reuse = process.env.PG_DIFF_PORT;
  if (reuse !== undefined && reuse !== '') {
    const port = Number(reuse);
    return { port, query: query(port), queryLoose: queryLoose(port), stop: () => {} };
  }
  const bin = findPgBin();
  if (bin === undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sb-pgdiff-'));
  const data = join(dir, 'data');
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const run = (cmd: string, args: string[]): void => {
    const full = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    const r = spawnSync(full[0] as string, full[1] as string[], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  run(join(bin, 'pg_ctl'), [
    '-D', data, '-w', '-l', join(dir, 'log'), '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c timezone=UTC`, 'start',
  ]);
  return {
    port,
    query: query(port),
    queryLoose: queryLoose(port),
    stop(): void {
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
