// The most that engine threads could give on this machine, measured before
// building them (docs/design/parallel_engine.md): N worker threads, each
// with its OWN database folder (nothing shared: no kernel lock, no shared
// clock, no cross-thread lock waits), all accepting PostgreSQL connections
// on one listening socket, the kernel handing each new connection to one of
// them. Every thread runs the ordinary server path (PgServerState, sessions,
// the durable WAL) over its own copy of the data, so pgbench sees one server
// whose clients are spread over N independent engines. Real engine threads
// can only be slower than this (they share), so if this bound does not beat
// PostgreSQL, threads alone will not.
//
// Not a server anyone should run: each thread's data diverges.
//
//   tools/bench/parallel_bound.sh [threads]   # prepares the copies, runs pgbench, prints the figures
//   npx tsx tools/bench/parallel_bound.ts --port P --dirs /a,/b [--password pw]   # the server part alone
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

interface Job {
  index: number;
  dir: string;
  port: number;
  fd?: number;
  password: string;
}

if (isMainThread) {
  const { argInt, argValue } = await import('./common.ts');
  const dirs = argValue('--dirs')?.split(',');
  if (dirs === undefined) throw new Error('--dirs is required');
  const port = argInt('--port', 0);
  if (port === 0) throw new Error('--port is required');
  const password = argValue('--password') ?? 'bench-password';
  const file = fileURLToPath(new URL('./parallel_bound_worker.mjs', import.meta.url));
  const workers: Worker[] = [];
  const start = (job: Job): Promise<{ fd: number }> =>
    new Promise((resolve, reject) => {
      const w = new Worker(file, { workerData: job });
      workers.push(w);
      w.once('message', (m: { fd: number }) => resolve(m));
      w.once('error', reject);
    });
  const first = await start({ index: 0, dir: dirs[0]!, port, password });
  if (first.fd < 0) throw new Error('the listening socket has no file descriptor on this platform');
  await Promise.all(dirs.slice(1).map((dir, i) => start({ index: i + 1, dir, port, fd: first.fd, password })));
  console.log(JSON.stringify({ event: 'ready', port, threads: dirs.length }));
  const stopOne = (w: Worker): Promise<void> =>
    new Promise<void>((r) => {
      w.once('exit', () => r());
      w.postMessage('stop');
    });
  const stop = async (): Promise<void> => {
    // The thread that opened the socket closes first (listenPg's fd option).
    await stopOne(workers[0]!);
    await Promise.all(workers.slice(1).map(stopOne));
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
} else {
  const job = workerData as Job;
  const { open } = await import('../../host/engine/db.ts');
  const { nodePlatform } = await import('../../host/platform/node.ts');
  const { PgServerState } = await import('../../host/wire/pg/server_state.ts');
  const { listenPg } = await import('../../host/server/pg_listener.ts');
  const { ensureAdminPassword } = await import('../../host/server/roles.ts');
  const { Logger } = await import('../../host/server/log.ts');
  const log = new Logger('warn').child({ thread: job.index });
  const db = await open(job.dir, { platform: nodePlatform() });
  await ensureAdminPassword(db, job.password);
  const state = new PgServerState(db, log, {});
  const pg = await listenPg(state, '127.0.0.1', job.port, undefined, job.fd === undefined ? {} : { fd: job.fd });
  let served = 0;
  const counter = setInterval(() => {
    if (state.active > served) served = state.active;
  }, 100);
  parentPort!.on('message', async () => {
    clearInterval(counter);
    console.log(JSON.stringify({ event: 'stopped', thread: job.index, connections_max_seen: served }));
    await pg.close(1000);
    await db.close();
    process.exit(0);
  });
  parentPort!.postMessage({ fd: pg.fd });
}
