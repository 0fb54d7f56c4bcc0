// Server settings: defaults < YAML file (scratchbird.yaml) < environment <
// flags. The YAML follows the seed's "Minimal Development Setup":
//
//   data: ./data
//   listen: 127.0.0.1
//   log_level: info
//   http: { port: 8080 }
//   protocols:
//     postgresql:
//       enabled: true
//       port: 5432
//       server_version: "16.0"
//       connections_max: 100
//       message_bytes_max: 67108864
//       idle_in_transaction_timeout_ms: 0
//       hba:
//         - { database: all, user: all, address: all, method: scram-sha-256 }
//   storage:
//     block_cache_mb: 256      # sorted-run blocks kept in memory
//     memtable_mb: 64          # the memtable is flushed to a run at this size
//
// Flags: --data DIR, --pg-port N (0 disables), --http-port N (0 disables),
// --listen ADDR, --config FILE, --log-level LEVEL, --server-version V,
// --block-cache-mb N, --memtable-mb N,
// --wire-writer-thread on|off (YAML protocols.postgresql.writer_thread,
// SCRATCHBIRD_WIRE_WRITER_THREAD): socket writes of plain-TCP PostgreSQL
// connections on a worker thread (Node on Linux; see wire_writer.ts; on by default),
// --busy-poll-us N (YAML busy_poll_us, SCRATCHBIRD_BUSY_POLL_US): how long
// the server thread keeps polling its sockets after a message before it
// sleeps (busy_poll.ts; 0 turns it off),
// --wal-writes-in-flight N (YAML storage.wal_writes_in_flight,
// SCRATCHBIRD_WAL_WRITES_IN_FLIGHT): group-commit batches written at once
// (host/storage/wal.ts; 1 by default),
// --cpu-affinity off|auto|LIST (YAML cpu_affinity, SCRATCHBIRD_CPU_AFFINITY):
// the CPUs the server thread runs on (cpu_affinity.ts; off by default),
// --tls-cert FILE --tls-key FILE (PEM; YAML tls: { cert, key }), or
// --tls auto (YAML tls: auto, SCRATCHBIRD_TLS=auto): a self-signed EC P-256
// certificate made on first start in the data folder (server.crt, server.key
// mode 0600) and reused after; --tls off (the default without cert/key) declines SSLRequest.
// Environment: SCRATCHBIRD_DATA, SCRATCHBIRD_PG_PORT, SCRATCHBIRD_HTTP_PORT,
// SCRATCHBIRD_LISTEN, SCRATCHBIRD_CONFIG, SCRATCHBIRD_LOG_LEVEL,
// SCRATCHBIRD_TLS_CERT, SCRATCHBIRD_TLS_KEY, SCRATCHBIRD_TLS,
// SCRATCHBIRD_BLOCK_CACHE_MB, SCRATCHBIRD_MEMTABLE_MB, SCRATCHBIRD_WIRE_WRITER_THREAD,
// SCRATCHBIRD_BUSY_POLL_US, SCRATCHBIRD_CPU_AFFINITY, SCRATCHBIRD_WAL_WRITES_IN_FLIGHT,
// SCRATCHBIRD_PASSWORD (the admin password on first start).

import { parse as parseYaml } from 'yaml';
import { checkHbaRule, DEFAULT_HBA, type HbaRule } from '../wire/pg/hba.ts';
import { PG_CONFIG_DEFAULTS } from '../wire/pg/server_state.ts';
import type { LogLevel } from './log.ts';
import { BUSY_POLL_US_DEFAULT } from './busy_poll.ts';
import { type CpuAffinity, parseCpuAffinity } from './cpu_affinity.ts';
import { WAL_WRITES_IN_FLIGHT_DEFAULT, WAL_WRITES_IN_FLIGHT_MAX } from '../storage/wal.ts';

export interface ServerConfig {
  data: string;
  listen: string;
  logLevel: LogLevel;
  httpPort: number;
  /** Microseconds the server thread stays awake polling after a client message (0: sleep at once). */
  busyPollUs: number;
  /** The CPUs the server's main thread is pinned to once it listens (cpu_affinity.ts). */
  cpuAffinity: CpuAffinity;
  pg: {
    port: number;
    serverVersion: string;
    connectionsMax: number;
    messageBytesMax: number;
    idleInTransactionTimeoutMs: number;
    hba: HbaRule[];
    /** Socket writes on a worker thread (plain TCP, Node on Linux; TLS listeners never). */
    writerThread: boolean;
  };
  /** PEM certificate and key files: TLS after SSLRequest (both or neither). */
  tlsCert?: string;
  tlsKey?: string;
  /** `tls: auto`: a self-signed certificate kept in the data folder (made on first start). */
  tlsAuto?: boolean;
  /** Storage memory budgets (bytes): the block cache and the memtable. */
  storage: { blockCacheBytes: number; memtableBytes: number; walWritesInFlight: number };
  /** Admin password for a first start (sysdba). */
  password: string;
  /** True when the password is the well-known default. */
  defaultPassword: boolean;
  /** Where the YAML came from, if anywhere. */
  configFile?: string;
  /** Embedding and tests: listen on a port the OS picks (the port settings then say nothing). */
  pgPortEphemeral?: boolean;
  httpPortEphemeral?: boolean;
}

export const DEFAULT_PASSWORD = 'masterkey';

/**
 * The server's storage budgets. The block cache is larger than the embedded
 * default (64 MiB): a server is the only user of its data folder, and at
 * pgbench scale 10 (about 140 MB of runs) a 64 MiB cache missed about once
 * every two -S transactions, each miss a synchronous read on the one thread.
 */
export const SERVER_STORAGE_DEFAULTS = { blockCacheMb: 256, memtableMb: 64 };
/** Beyond this the kernel's 4 GiB linear memory has no room left for the rest. */
const STORAGE_MB_MAX = 2048;

/** `--wire-writer-thread` when not given (docs/benchmarks.md §4 has the measurements behind it). */
export const WIRE_WRITER_THREAD_DEFAULT = true;

export class ConfigError extends Error {}

/** Longer windows buy nothing measurable and keep a lightly loaded server's core busy. */
const BUSY_POLL_US_MAX = 10_000;

function cpuAffinity(v: unknown): CpuAffinity {
  const a = parseCpuAffinity(v);
  if (a === undefined) throw new ConfigError(`cpu_affinity: "${String(v)}" is not off, auto or a CPU list such as 0 or 0-3`);
  return a;
}

function walWritesInFlight(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isInteger(n) || n < 1 || n > WAL_WRITES_IN_FLIGHT_MAX) throw new ConfigError(`wal_writes_in_flight: "${String(v)}" is not a whole number from 1 to ${WAL_WRITES_IN_FLIGHT_MAX}`);
  return n;
}

function busyPollUs(v: unknown): number {
  const n = positive(v, 'busy_poll_us');
  if (n > BUSY_POLL_US_MAX) throw new ConfigError(`busy_poll_us: ${n} is more than ${BUSY_POLL_US_MAX} µs`);
  return n;
}

const FLAGS = new Set(['data', 'pg-port', 'http-port', 'listen', 'config', 'log-level', 'server-version', 'tls-cert', 'tls-key', 'tls', 'block-cache-mb', 'memtable-mb', 'wire-writer-thread', 'busy-poll-us', 'cpu-affinity', 'wal-writes-in-flight']);
const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function parseFlags(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new ConfigError(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (!FLAGS.has(name)) throw new ConfigError(`unknown flag --${name} (known: ${[...FLAGS].map((f) => '--' + f).join(', ')})`);
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new ConfigError(`flag --${name} needs a value`);
    out.set(name, value);
  }
  return out;
}

function port(v: unknown, what: string): number {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${what}: "${String(v)}" is not a port number (0-65535)`);
  return n;
}

function positive(v: unknown, what: string, min = 0): number {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isFinite(n) || n < min) throw new ConfigError(`${what}: "${String(v)}" must be a number ≥ ${min}`);
  return Math.floor(n);
}

function megabytes(v: unknown, what: string, min: number): number {
  const n = positive(v, what, min);
  if (n > STORAGE_MB_MAX) throw new ConfigError(`${what}: ${n} MiB is more than the ${STORAGE_MB_MAX} MiB the storage kernel's memory can hold`);
  return n * 1024 * 1024;
}

function onOff(v: unknown, what: string): boolean {
  if (typeof v === 'boolean') return v;
  const t = String(v).trim().toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new ConfigError(`${what}: "${String(v)}" is not on or off`);
}

type Obj = Record<string, unknown>;
function obj(v: unknown, what: string): Obj {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`${what} must be a mapping`);
  return v as Obj;
}

/**
 * Builds the configuration. `readFile` reads the YAML (undefined: missing);
 * the default file ./scratchbird.yaml is read when it exists, a named one must exist.
 */
export function loadConfig(
  argv: readonly string[],
  env: (name: string) => string | undefined,
  readFile: (path: string) => string | undefined,
): ServerConfig {
  const flags = parseFlags(argv);
  const named = flags.get('config') ?? env('SCRATCHBIRD_CONFIG');
  const file = named ?? 'scratchbird.yaml';
  const text = readFile(file);
  if (text === undefined && named !== undefined) throw new ConfigError(`config file "${named}" not found`);
  let y: Obj = {};
  if (text !== undefined) {
    try {
      y = obj(parseYaml(text), file);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(`${file}: ${(e as Error).message}`);
    }
  }
  const protocols = obj(y['protocols'], 'protocols');
  const pgY = obj(protocols['postgresql'], 'protocols.postgresql');
  const httpY = obj(y['http'], 'http');
  const storageY = obj(y['storage'], 'storage');
  const pick = (flag: string, envName: string, yaml: unknown): unknown => flags.get(flag) ?? env(envName) ?? yaml;

  const logLevel = String(pick('log-level', 'SCRATCHBIRD_LOG_LEVEL', y['log_level']) ?? 'info') as LogLevel;
  if (!LEVELS.includes(logLevel)) throw new ConfigError(`log level "${logLevel}" is not one of ${LEVELS.join(', ')}`);
  let pgPort = port(pick('pg-port', 'SCRATCHBIRD_PG_PORT', pgY['port']) ?? 5432, 'PostgreSQL port');
  if (pgY['enabled'] === false && !flags.has('pg-port') && env('SCRATCHBIRD_PG_PORT') === undefined) pgPort = 0;
  const hbaY = pgY['hba'];
  let hba: HbaRule[] = [...DEFAULT_HBA];
  if (hbaY !== undefined) {
    if (!Array.isArray(hbaY)) throw new ConfigError('protocols.postgresql.hba must be a list of rules');
    try {
      hba = hbaY.map((r, i) => checkHbaRule(r, `protocols.postgresql.hba[${i}]`));
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
  }
  const password = env('SCRATCHBIRD_PASSWORD');
  const cfg: ServerConfig = {
    data: String(pick('data', 'SCRATCHBIRD_DATA', y['data']) ?? './data'),
    listen: String(pick('listen', 'SCRATCHBIRD_LISTEN', y['listen']) ?? '127.0.0.1'),
    logLevel,
    httpPort: port(pick('http-port', 'SCRATCHBIRD_HTTP_PORT', httpY['port']) ?? 8080, 'HTTP port'),
    busyPollUs: busyPollUs(pick('busy-poll-us', 'SCRATCHBIRD_BUSY_POLL_US', y['busy_poll_us']) ?? BUSY_POLL_US_DEFAULT),
    cpuAffinity: cpuAffinity(pick('cpu-affinity', 'SCRATCHBIRD_CPU_AFFINITY', y['cpu_affinity']) ?? 'off'),
    pg: {
      port: pgPort,
      serverVersion: String(pick('server-version', 'SCRATCHBIRD_PG_SERVER_VERSION', pgY['server_version']) ?? PG_CONFIG_DEFAULTS.serverVersion),
      connectionsMax: positive(pgY['connections_max'] ?? PG_CONFIG_DEFAULTS.connectionsMax, 'connections_max', 1),
      messageBytesMax: positive(pgY['message_bytes_max'] ?? PG_CONFIG_DEFAULTS.messageBytesMax, 'message_bytes_max', 1024),
      idleInTransactionTimeoutMs: positive(pgY['idle_in_transaction_timeout_ms'] ?? 0, 'idle_in_transaction_timeout_ms'),
      hba,
      writerThread: onOff(pick('wire-writer-thread', 'SCRATCHBIRD_WIRE_WRITER_THREAD', pgY['writer_thread']) ?? WIRE_WRITER_THREAD_DEFAULT, 'wire_writer_thread'),
    },
    storage: {
      blockCacheBytes: megabytes(pick('block-cache-mb', 'SCRATCHBIRD_BLOCK_CACHE_MB', storageY['block_cache_mb']) ?? SERVER_STORAGE_DEFAULTS.blockCacheMb, 'block_cache_mb', 1),
      memtableBytes: megabytes(pick('memtable-mb', 'SCRATCHBIRD_MEMTABLE_MB', storageY['memtable_mb']) ?? SERVER_STORAGE_DEFAULTS.memtableMb, 'memtable_mb', 1),
      walWritesInFlight: walWritesInFlight(pick('wal-writes-in-flight', 'SCRATCHBIRD_WAL_WRITES_IN_FLIGHT', storageY['wal_writes_in_flight']) ?? WAL_WRITES_IN_FLIGHT_DEFAULT),
    },
    password: password !== undefined && password !== '' ? password : DEFAULT_PASSWORD,
    defaultPassword: password === undefined || password === '' || password === DEFAULT_PASSWORD,
  };
  if (text !== undefined) cfg.configFile = file;
  const tlsMode = pick('tls', 'SCRATCHBIRD_TLS', typeof y['tls'] === 'string' ? y['tls'] : obj(y['tls'], 'tls')['mode']);
  const tlsY = typeof y['tls'] === 'string' ? {} : obj(y['tls'], 'tls');
  if (tlsMode !== undefined && !['auto', 'off'].includes(String(tlsMode))) throw new ConfigError(`tls: "${String(tlsMode)}" is not one of auto, off (or give a certificate and key)`);
  const cert = pick('tls-cert', 'SCRATCHBIRD_TLS_CERT', tlsY['cert']);
  const key = pick('tls-key', 'SCRATCHBIRD_TLS_KEY', tlsY['key']);
  if ((cert === undefined) !== (key === undefined)) throw new ConfigError('TLS needs both a certificate (--tls-cert) and a key (--tls-key)');
  if (cert !== undefined) {
    cfg.tlsCert = String(cert);
    cfg.tlsKey = String(key);
    if (tlsMode === 'auto') throw new ConfigError('tls: auto makes its own certificate: give either tls auto or a certificate and key, not both');
  } else if (tlsMode === 'auto') {
    cfg.tlsAuto = true;
  }
  return cfg;
}
