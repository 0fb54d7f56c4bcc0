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
