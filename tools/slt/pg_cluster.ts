// A throwaway PostgreSQL cluster for tests: initdb into a temporary folder,
// start `postgres` on a free 127.0.0.1 port with its unix socket in that
// folder and fsync off, stop it and remove the folder at the end.
//
// PostgreSQL refuses to run as root; when this process is root the server
// runs as the `postgres` OS user (or SLT_PG_USER).

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { PgServerError, PgWireClient } from './pg_wire_client.ts';

export interface PgInstall {
  binDir: string;
  /** e.g. 'postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)' */
  version: string;
  major: number;
}

const startup_timeout_ms = 30_000;
const stop_timeout_ms = 10_000;
const stderr_bytes_max = 64 * 1024;
export const pg_superuser = 'slt';

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds PostgreSQL server binaries (initdb and postgres). SLT_PG_BIN names
 * the folder explicitly (and is then the only place looked at); otherwise
 * version 15 is preferred among the usual places and PATH.
 */
export function findPostgres(): PgInstall | null {
  const explicit = process.env.SLT_PG_BIN;
  const candidates: string[] = [];
  if (explicit) return probe(explicit);
  candidates.push('/usr/lib/postgresql/15/bin', '/usr/local/pgsql/bin', '/usr/local/bin', '/opt/homebrew/opt/postgresql@15/bin', '/usr/pgsql-15/bin');
  try {
    const versions = fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  } catch {
    // not a Debian-style install
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(dir);
  let fallback: PgInstall | null = null;
  for (const dir of candidates) {
    const install = probe(dir);
    if (install?.major === 15) return install;
    fallback ??= install;
  }
  return fallback;
}

function probe(dir: string): PgInstall | null {
  if (!isExecutable(path.join(dir, 'initdb')) || !isExecutable(path.join(dir, 'postgres'))) return null;
  try {
    const version = execFileSync(path.join(dir, 'postgres'), ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
    const major = Number(/\(PostgreSQL\)\s+(\d+)/.exec(version)?.[1] ?? NaN);
    return { binDir: dir, version, major };
  } catch {
    return null;
  }
}

interface RunAs {
  uid: number;
  gid: number;
}

function serverUser(): RunAs | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const wanted = process.env.SLT_PG_USER ?? 'postgres';
  const passwd = fs.readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const name of [wanted, 'nobody']) {
    const entry = passwd.find((l) => l.split(':')[0] === name);
    if (entry) {
      const parts = entry.split(':');
      return { uid: Number(parts[2]), gid: Number(parts[3]) };
    }
  }
  throw new Error('running as root and no postgres or nobody user to run the PostgreSQL server as');
}

async function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function run(file: string, args: string[], runAs: RunAs | null, cwd: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(file, args, { cwd, env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'], ...(runAs ?? {}) });
    let output = '';
    const collect = (b: Buffer) => {
      if (output.length < stderr_bytes_max) output += b.toString();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(file)} failed (${signal ?? code}):\n${output}`));
    });
  });
}

function serverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C', TZ: 'UTC' };
  return env;
}

export class PgCluster {
  private exited = false;
  private stderr = '';
  private readonly onExit = () => {
    if (!this.exited) this.child.kill('SIGQUIT');
  };

  private constructor(
    readonly install: PgInstall,
    readonly dir: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    child.once('exit', () => {
      this.exited = true;
    });
    child.stderr?.on('data', (b: Buffer) => {
      if (this.stderr.length < stderr_bytes_max) this.stderr += b.toString();
    });
    process.once('exit', this.onExit);
  }

  /** Creates and starts a cluster; resolves when it accepts connections. */
  static async start(install: PgInstall): Promise<PgCluster> {
    const runAs = serverUser();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-slt-pg-'));
    try {
      if (runAs) fs.chownSync(dir, runAs.uid, runAs.gid);
      const data = path.join(dir, 'data');
      await run(path.join(install.binDir, 'initdb'), ['-D', data, '-U', pg_superuser, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], runAs, dir);
      let lastError: unknown;
      for (let attempt = 0; attempt < 3; attempt++) {
        const port = await freePort();
        const child = spawn(
          path.join(install.binDir, 'postgres'),
          [
            '-D', data,
            '-p', String(port),
            '-k', dir,
            '-c', 'listen_addresses=127.0.0.1',
            '-c', 'fsync=off',
            '-c', 'synchronous_commit=off',
            '-c', 'full_page_writes=off',
            '-c', 'TimeZone=UTC',
            '-c', 'log_timezone=UTC',
            '-c', 'max_connections=20',
            '-c', 'logging_collector=off',
          ],
          { cwd: dir, env: serverEnv(), stdio: ['ignore', 'ignore', 'pipe'], ...(runAs ?? {}) },
        );
        const cluster = new PgCluster(install, dir, port, child);
        try {
          await cluster.waitReady();
          return cluster;
        } catch (e) {
          lastError = e;
          await cluster.stopServer();
        }
      }
      throw lastError;
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + startup_timeout_ms;
    for (;;) {
      if (this.exited) throw new Error(`postgres exited during startup:\n${this.stderr}`);
      try {
        const c = await this.connect('postgres');
        await c.close();
        return;
      } catch (e) {
        const starting = e instanceof PgServerError ? e.code === '57P03' : true;
        if (!starting || Date.now() > deadline) throw new Error(`postgres did not start: ${(e as Error).message}\n${this.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  connect(database: string): Promise<PgWireClient> {
    return PgWireClient.connect({ host: '127.0.0.1', port: this.port, user: pg_superuser, database, parameters: { DateStyle: 'ISO, MDY', IntervalStyle: 'postgres' } });
  }

  private async stopServer(): Promise<void> {
    process.removeListener('exit', this.onExit);
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGINT'); // fast shutdown
    const timer = setTimeout(() => this.child.kill('SIGKILL'), stop_timeout_ms);
    await exited;
    clearTimeout(timer);
  }

  /** Stops the server and removes its folder. */
  async stop(): Promise<void> {
    await this.stopServer();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
