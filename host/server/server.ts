// The server process's parts, started and stopped together: the database
// (its folder locked by the store), the first-start admin password, the
// PostgreSQL listener and the HTTP endpoint. main.ts is the command line
// around it; tests start it in-process.

import { type Database, open } from '../engine/db.ts';
import type { Platform } from '../platform/platform.ts';
import { PgServerState } from '../wire/pg/server_state.ts';
import { isLoopback } from '../wire/pg/hba.ts';
import type { ServerConfig } from './config.ts';
import { DEFAULT_PASSWORD } from './config.ts';
import { type HttpEndpoint, listenHttp } from './http.ts';
import type { Logger } from './log.ts';
import { renderMetrics } from './metrics.ts';
import { BusyPoll } from './busy_poll.ts';
import { type AffinityResult, applyCpuAffinity } from './cpu_affinity.ts';
import { listenPg, type PgListener, type TlsFiles } from './pg_listener.ts';
import { ADMIN_ROLE, ensureAdminPassword, passwordIs } from './roles.ts';
import { loadOrCreateSelfSigned } from './x509.ts';

export interface RunningServer {
  readonly db: Database;
  readonly pg?: PgListener;
  readonly http?: HttpEndpoint;
  /** The event loop's busy polling after client messages (busy_poll.ts). */
  readonly busyPoll: BusyPoll;
  /** What cpu_affinity did to the main thread (cpu_affinity.ts). */
  readonly cpuAffinity: AffinityResult;
  /** Stops accepting, lets running statements finish (bounded), checkpoints, closes the database. */
  stop(graceMs?: number): Promise<void>;
}

export class StartupError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

function loopbackOnly(listen: string): boolean {
  return listen.split(',').every((a) => a.trim() === 'localhost' || isLoopback(a.trim()));
}

export async function startServer(cfg: ServerConfig, platform: Platform, log: Logger): Promise<RunningServer> {
  const startedMs = Date.now();
  let db: Database;
  try {
    await platform.mkdirp(cfg.data);
    db = await open(cfg.data, {
      platform,
      store: { blockCacheBytesMax: cfg.storage.blockCacheBytes, memtableBytesMax: cfg.storage.memtableBytes, walWritesInFlight: cfg.storage.walWritesInFlight },
      settings: { server_version: cfg.pg.serverVersion },
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const msg = code === '55006'
      ? `the data folder ${cfg.data} is in use by another ScratchBird process (${(e as Error).message})`
      : `cannot open the data folder ${cfg.data}: ${(e as Error).message}`;
    throw new StartupError(msg, code);
  }
  let pg: PgListener | undefined;
  let http: HttpEndpoint | undefined;
  try {
    if (await ensureAdminPassword(db, cfg.password)) log.info('server', 'admin_created', { user: ADMIN_ROLE, default_password: cfg.password === DEFAULT_PASSWORD });
    if (!loopbackOnly(cfg.listen) && passwordIs(db, ADMIN_ROLE, DEFAULT_PASSWORD)) {
      throw new StartupError(
        `refusing to listen on ${cfg.listen}: the ${ADMIN_ROLE} password is still the default "${DEFAULT_PASSWORD}". ` +
          'Set SCRATCHBIRD_PASSWORD on first start (or change the password), or listen on 127.0.0.1 only.',
      );
    }
    const host = cfg.listen.split(',')[0]!.trim();
    const busyPoll = new BusyPoll(cfg.busyPollUs);
    const state = new PgServerState(db, log, {
      serverVersion: cfg.pg.serverVersion,
      hba: cfg.pg.hba,
      connectionsMax: cfg.pg.connectionsMax,
      messageBytesMax: cfg.pg.messageBytesMax,
      idleInTransactionTimeoutMs: cfg.pg.idleInTransactionTimeoutMs,
    });
    if (cfg.pg.port !== 0 || cfg.pgPortEphemeral) {
      let tls: TlsFiles | undefined;
      if (cfg.tlsCert !== undefined && cfg.tlsKey !== undefined) {
        try {
          tls = { cert: await platform.readFile(cfg.tlsCert), key: await platform.readFile(cfg.tlsKey) };
        } catch (e) {
          throw new StartupError(`cannot read the TLS certificate or key: ${(e as Error).message}`);
        }
      } else if (cfg.tlsAuto) {
        try {
          const auto = loadOrCreateSelfSigned(cfg.data);
          tls = { cert: auto.cert, key: auto.key };
          log.info('server', auto.created ? 'tls_certificate_created' : 'tls_certificate_loaded', { data: cfg.data, self_signed: true });
        } catch (e) {
          throw new StartupError(`tls auto: ${(e as Error).message}`);
        }
      }
      try {
        pg = await listenPg(state, host, cfg.pgPortEphemeral ? 0 : cfg.pg.port, tls, { writerThread: cfg.pg.writerThread, busyPoll });
      } catch (e) {
        throw new StartupError(`cannot listen for PostgreSQL on ${host}:${cfg.pg.port}: ${(e as Error).message}`, (e as { code?: string }).code);
      }
      log.info('server', 'listening', { protocol: 'postgresql', host, port: pg.port, tls: tls !== undefined, writer_thread: pg.writer !== undefined, busy_poll_us: cfg.busyPollUs });
    }
    let stopping = false;
    if (cfg.httpPort !== 0 || cfg.httpPortEphemeral) {
      http = await listenHttp(host, cfg.httpPortEphemeral ? 0 : cfg.httpPort, {
        metrics: () => renderMetrics(db, pg?.state, startedMs, pg?.writer?.stats),
        health: () => ({ status: stopping ? 'stopping' : 'ok', uptime_s: Math.round((Date.now() - startedMs) / 1000), postgresql: pg ? { port: pg.port, connections: pg.state.active } : null }),
      });
      log.info('server', 'listening', { protocol: 'http', host, port: http.port });
    }
    // Last: the threads started so far (libuv's pool, the wire writer, V8's helpers) exist, to move off the engine's CPU.
    const cpuAffinity = applyCpuAffinity(cfg.cpuAffinity);
    if (cpuAffinity.failed && typeof cfg.cpuAffinity === 'object') throw new StartupError(`cpu_affinity ${cfg.cpuAffinity.cpus.join(',')}: ${cpuAffinity.note}`);
    if (cpuAffinity.failed) log.warn('server', 'cpu_affinity_failed', { setting: 'auto', message: cpuAffinity.note });
    else if (cfg.cpuAffinity !== 'off') log.info('server', 'cpu_affinity', { setting: typeof cfg.cpuAffinity === 'object' ? cfg.cpuAffinity.cpus.join(',') : cfg.cpuAffinity, cpus: cpuAffinity.cpus?.join(',') ?? null, ...(cpuAffinity.others ? { others: cpuAffinity.others.join(',') } : {}), ...(cpuAffinity.note ? { note: cpuAffinity.note } : {}) });
    return {
      db,
      busyPoll,
      cpuAffinity,
      ...(pg ? { pg } : {}),
      ...(http ? { http } : {}),
      async stop(graceMs = 5_000): Promise<void> {
        if (stopping) return;
        stopping = true;
        await pg?.close(graceMs);
        await http?.close();
        await db.store.flush().catch((e) => log.warn('server', 'checkpoint_failed', { message: String((e as Error).message) }));
        await db.close();
      },
    };
  } catch (e) {
    await pg?.close(0).catch(() => {});
    await http?.close().catch(() => {});
    await db.close().catch(() => {});
    throw e;
  }
}
