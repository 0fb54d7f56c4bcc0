// The ScratchBird server entry: `npm start` (Node, through tsx) or
// `deno task server`. With no configuration it opens the data folder ./data
// (created on first start) and serves until SIGTERM/SIGINT, then checkpoints
// and exits 0. The wire-protocol listeners join here as they are built.
//
// Settings: --data DIR (SCRATCHBIRD_DATA), --log-level LEVEL (SCRATCHBIRD_LOG_LEVEL).

import { Store } from '../engine/store/index.ts';
import type { Platform } from '../platform/platform.ts';
import { Logger, type LogLevel } from './log.ts';

// deno-lint-ignore no-explicit-any
const Deno = (globalThis as any).Deno;

function arg(name: string): string | undefined {
  const argv: string[] = Deno ? Deno.args : process.argv.slice(2);
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

function env(name: string): string | undefined {
  return Deno ? Deno.env.get(name) : process.env[name];
}

async function platformForRuntime(): Promise<Platform> {
  if (Deno) return (await import('../platform/deno.ts')).denoPlatform();
  return (await import('../platform/node.ts')).nodePlatform();
}

async function main(): Promise<void> {
  const log = new Logger((arg('log-level') ?? env('SCRATCHBIRD_LOG_LEVEL') ?? 'info') as LogLevel);
  const dataDir = arg('data') ?? env('SCRATCHBIRD_DATA') ?? './data';
  const platform = await platformForRuntime();
  let store: Store;
  try {
    store = await Store.open(dataDir, { platform });
  } catch (e) {
    log.error('server', 'open_failed', { data: dataDir, code: (e as { code?: string }).code, message: String((e as Error).message) });
    if (Deno) Deno.exit(1);
    process.exit(1);
  }
  log.info('server', 'started', { data: dataDir, runtime: Deno ? 'deno' : 'node', replayed: store.stats.walRecordsReplayed });
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info('server', 'stopping', { signal });
    await store.close({ checkpoint: true });
    log.info('server', 'stopped', {});
    if (Deno) Deno.exit(0);
    process.exit(0);
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
