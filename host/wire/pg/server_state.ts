// What the connections of one PostgreSQL listener share: the database, the
// configuration, the registry of live connections (for CancelRequest and
// connections_max) and the counters /metrics reports. No I/O here.

import type { Database } from '../../engine/db.ts';
import { type ActivityRow, activitySources, backendControls } from '../../engine/catalog/pg_catalog.ts';
import { notificationSinks } from '../../engine/functions/notify.ts';
import { DEFAULT_HBA, type HbaRule } from './hba.ts';
import { message_bytes_max_default } from './protocol.ts';

export interface PgLog {
  debug(component: string, event: string, fields?: Record<string, unknown>): void;
  info(component: string, event: string, fields?: Record<string, unknown>): void;
  warn(component: string, event: string, fields?: Record<string, unknown>): void;
  error(component: string, event: string, fields?: Record<string, unknown>): void;
}

export interface PgServerConfig {
  /** server_version reported to clients (drivers branch on it). */
  serverVersion: string;
  hba: readonly HbaRule[];
  /** Connections beyond this get FATAL 53300. */
  connectionsMax: number;
  /** Bound of one frontend message. */
  messageBytesMax: number;
  /** Ends a session idle inside a transaction block this long (0: never), unless the session sets its own. */
  idleInTransactionTimeoutMs: number;
  /** Bound of the startup and authentication phase. */
  authenticationTimeoutMs: number;
}

export const PG_CONFIG_DEFAULTS: PgServerConfig = {
  serverVersion: '16.0',
  hba: DEFAULT_HBA,
  connectionsMax: 100,
  messageBytesMax: message_bytes_max_default,
  idleInTransactionTimeoutMs: 0,
  authenticationTimeoutMs: 60_000,
};

/** A connection as the registry sees it. */
export interface CancelTarget {
  readonly processId: number;
  readonly secretKey: Uint8Array;
  /** True while the connection is handling messages (a statement is running or output is being written). */
  readonly busy: boolean;
  cancel(): void;
  /** pg_terminate_backend: FATAL 57P01 and close, once the running statement (if any) is cancelled. */
  terminateBackend(): void;
  /** The session as pg_stat_activity shows it. */
  activity(): ActivityRow;
  /** Its session's transaction (pg_notify() queues a delivery at its commit). */
  readonly session?: { readonly tx: { atCommit(fn: () => Promise<void>): void } };
}

/** A connection that LISTENs. */
export interface NotifyTarget {
  deliver(processId: number, channel: string, payload: string): void;
}

/** NOTIFY payloads are capped as in PostgreSQL. */
export const notify_payload_bytes_max = 8000;

/** Fixed-bucket histogram in seconds (Prometheus style). */
export class Histogram {
  static readonly BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  readonly counts = new Array<number>(Histogram.BUCKETS_S.length).fill(0);
  count = 0;
  sum = 0;

  observe(seconds: number): void {
    this.count++;
    this.sum += seconds;
    for (let i = 0; i < Histogram.BUCKETS_S.length; i++) if (seconds <= Histogram.BUCKETS_S[i]!) this.counts[i]!++;
  }
}

export class PgCounters {
  connectionsTotal = 0;
  connectionsRejected = 0;
  authFailures = 0;
  /** Times a connection stopped reading its socket: it sent more than the input bound ahead of what was processed. */
  inputPauses = 0;
  /** ErrorResponses sent, by SQLSTATE class (first two characters). */
  readonly errorsByClass = new Map<string, number>();
  queriesTotal = 0;
  readonly queryDuration = new Histogram();
  /** Transactions that ended, seen at the wire (ReadyForQuery going back to 'I' after a block, or autocommit statements). */
  transactionsCommitted = 0;
  transactionsRolledBack = 0;
  readonly transactionDuration = new Histogram();

  error(code: string): void {
    const cls = code.slice(0, 2);
    this.errorsByClass.set(cls, (this.errorsByClass.get(cls) ?? 0) + 1);
  }
}

export class PgServerState {
  readonly config: PgServerConfig;
  readonly counters = new PgCounters();
  private readonly live = new Map<number, CancelTarget>();
  /** Connections accepted and not yet closed (authenticated or not). */
  open = 0;
  /** Set when the server is stopping: new connections get 57P03. */
  stopping = false;
  private readonly channels = new Map<string, Set<NotifyTarget>>();

  /** Wall clock minus monotonic clock as of activityClockAt (see activityMs). */
  private activityClockBase = 0;
  private activityClockAt = -Infinity;

  /**
   * The wall clock for pg_stat_activity's timestamps (backend, transaction,
   * query and state-change starts), which move at every statement: the
   * monotonic clock plus an offset read from the wall clock at most once a
   * second. Date.now() is a runtime call from optimized code, 1.4 % of the
   * server thread under pgbench -S; the monotonic clock is a fast API call.
   * Never ahead of the wall clock it follows (the offset is taken with the
   * wall clock's milliseconds floored), and off by at most the two clocks'
   * drift in a second.
   */
  activityMs(): number {
    return this.activityAt(this.db.platform.monotonicMs());
  }

  /** activityMs for a monotonic time read just now (monotonicMs), saving a second clock read. */
  activityAt(mono: number): number {
    const platform = this.db.platform;
    if (mono - this.activityClockAt >= 1000) {
      this.activityClockAt = mono;
      this.activityClockBase = platform.wallClockMs() - mono;
    }
    return Math.floor(this.activityClockBase + mono);
  }

  constructor(
    readonly db: Database,
    readonly log: PgLog,
    config: Partial<PgServerConfig> = {},
  ) {
    this.config = { ...PG_CONFIG_DEFAULTS, ...config };
    activitySources.add(this.activitySource);
    backendControls.add(this.backendControl);
    notificationSinks.add(this.notificationSink);
  }

  /** pg_notify() in one of this listener's sessions: delivered when its transaction commits, like NOTIFY. */
  private readonly notificationSink = (pid: number, channel: string, payload: string): boolean => {
    const session = this.live.get(pid)?.session;
    if (!session) return false;
    session.tx.atCommit(async () => {
      this.notify(pid, channel, payload);
    });
    return true;
  };

  private readonly backendControl = (pid: number, how: 'cancel' | 'terminate'): boolean => {
    const t = this.live.get(pid);
    if (!t) return false;
    if (how === 'cancel') t.cancel();
    else t.terminateBackend();
    return true;
  };

  private readonly activitySource = (): ActivityRow[] => [...this.live.values()].map((t) => t.activity());

  /** The listener is closed: its sessions leave pg_stat_activity. */
  dispose(): void {
    activitySources.delete(this.activitySource);
    backendControls.delete(this.backendControl);
    notificationSinks.delete(this.notificationSink);
  }

  get active(): number {
    return this.live.size;
  }

  /** Authenticated sessions waiting for a message right now. */
  get idle(): number {
    let n = 0;
    for (const t of this.live.values()) if (!t.busy) n++;
    return n;
  }

  register(t: CancelTarget): void {
    this.live.set(t.processId, t);
  }

  unregister(t: CancelTarget): void {
    if (this.live.get(t.processId) === t) this.live.delete(t.processId);
  }

  listen(t: NotifyTarget, channel: string): void {
    let set = this.channels.get(channel);
    if (!set) this.channels.set(channel, (set = new Set()));
    set.add(t);
  }

  /** UNLISTEN channel, or UNLISTEN * (channel undefined). */
  unlisten(t: NotifyTarget, channel?: string): void {
    for (const [name, set] of this.channels) {
      if (channel !== undefined && name !== channel) continue;
      set.delete(t);
      if (set.size === 0) this.channels.delete(name);
    }
  }

  /** Delivers a committed NOTIFY to every listener of the channel (the sender included, as in PostgreSQL). */
  notify(senderPid: number, channel: string, payload: string): number {
    const set = this.channels.get(channel);
    if (!set) return 0;
    for (const t of set) t.deliver(senderPid, channel, payload);
    return set.size;
  }

  /** A CancelRequest: cancels the target's running statement when pid and key match; silent otherwise (as PostgreSQL). */
  cancel(processId: number, secretKey: Uint8Array): boolean {
    const t = this.live.get(processId);
    if (!t || t.secretKey.length !== secretKey.length) return false;
    let d = 0;
    for (let i = 0; i < secretKey.length; i++) d |= t.secretKey[i]! ^ secretKey[i]!;
    if (d !== 0) return false;
    t.cancel();
    return true;
  }
}
