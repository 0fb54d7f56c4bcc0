// The ScratchBird server entry: `npm start` (Node, through tsx) or
// `deno task server`. With no configuration it opens the data folder ./data
// (created on first start), serves PostgreSQL on 127.0.0.1:5432 and
// /metrics + /health on 127.0.0.1:8080, and on SIGTERM/SIGINT stops
// accepting, lets running statements finish (bounded), checkpoints and
// exits 0. Settings: see config.ts (flags, SCRATCHBIRD_* environment,
// scratchbird.yaml).

import { ConfigError, loadConfig, type ServerConfig } from './config.ts';
import { Logger } from './log.ts';
import { startServer, StartupError } from './server.ts';
import type { Platform } from '../platform/platform.ts';

// deno-lint-ignore no-explicit-any
const Deno = (globalThis as any).Deno;

function exit(code: number): never {
  if (Deno) Deno.exit(code);
  process.exit(code);
}

function env(name: string): string | undefined {
  return Deno ? Deno.env.get(name) : process.env[name];
}

async function readText(path: string): Promise<string | undefined> {
  try {
    const fs = await import('node:fs');
    return fs.readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function platformForRuntime(): Promise<Platform> {
  if (Deno) return (await import('../platform/deno.ts')).denoPlatform();
  return (await import('../platform/node.ts')).nodePlatform();
}

async function main(): Promise<void> {
  const argv: string[] = Deno ? Deno.args : process.argv.slice(2);
  let cfg: ServerConfig;
  try {
    // The YAML is read synchronously inside loadConfig; prefetch the candidates.
    const files = new Map<string, string | undefined>();
    const flagIdx = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
    const named = flagIdx < 0 ? env('SCRATCHBIRD_CONFIG') : argv[flagIdx]!.includes('=') ? argv[flagIdx]!.slice(9) : argv[flagIdx + 1];
    for (const f of [named, 'scratchbird.yaml']) if (f !== undefined) files.set(f, await readText(f));
    cfg = loadConfig(argv, env, (p) => files.get(p));
  } catch (e) {
    const log = new Logger('info');
    log.error('server', 'bad_configuration', { message: (e as Error).message });
    exit(e instanceof ConfigError ? 2 : 1);
  }
  const log = new Logger(cfg.logLevel);
  const platform = await platformForRuntime();
  let server;
  try {
    server = await startServer(cfg, platform, log);
  } catch (e) {
    log.error('server', 'start_failed', { data: cfg.data, code: (e as StartupError).code, message: (e as Error).message });
    exit(1);
  }
  log.info('server', 'started', {
    data: cfg.data, runtime: Deno ? 'deno' : 'node', config: cfg.configFile ?? null,
    postgresql: server.pg?.port ?? null, http: server.http?.port ?? null, replayed: server.db.store.stats.walRecordsReplayed,
  });
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info('server', 'stopping', { signal });
    try {
      await server.stop(10_000);
    } catch (e) {
      log.error('server', 'stop_failed', { message: (e as Error).message });
      exit(1);
    }
    log.info('server', 'stopped', {});
    exit(0);
  };
  if (Deno) {
    Deno.addSignalListener('SIGTERM', () => void stop('SIGTERM'));
    Deno.addSignalListener('SIGINT', () => void stop('SIGINT'));
  } else {
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  }
}

await main();
