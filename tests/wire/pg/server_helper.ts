// Starts the real server in-process (the same startServer as `npm start`)
// on OS-chosen 127.0.0.1 ports with a temporary data folder.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ServerConfig } from '../../../host/server/config.ts';
import { Logger } from '../../../host/server/log.ts';
import { type RunningServer, startServer } from '../../../host/server/server.ts';
import { nodePlatform } from '../../../host/platform/node.ts';

export const PASSWORD = 'test-password';

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
