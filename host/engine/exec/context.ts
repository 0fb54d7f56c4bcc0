// The execution context of one statement: its transaction, catalog view,
// parameters, session settings, correlated-row stack, time slice, deadline and
// cancellation.

import { SbError, SqlState } from '../sb_error.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Store, Txn } from '../store/index.ts';
import type { TableAccessCache } from './table_access.ts';
import type { SequenceRuntime } from './sequences.ts';
import type { AdvisoryLocker, EvalContext } from '../functions/context.ts';

/** Milliseconds a statement runs before it lets the event loop serve others. */
export const TIME_SLICE_MS = 8;

/** The longest single timer a sleep sets (setTimeout's limit is 2^31 - 1 ms). */
const MAX_TIMER_MS = 3_600_000;

/** Session facts that SQL functions read (current_user, current_schema...). */
export interface SessionInfo {
  currentUser: string;
  sessionUser: string;
  currentDatabase: string;
  currentSchema(): string | null;
  searchPath(): string[];
  backendPid: number;
  /** The session's sequence values: currval by sequence, lastval (PostgreSQL keeps them per session). */
  sequenceValues?: { byOid: Map<number, number>; last?: number };
  /** The session's advisory locks (pg_advisory_lock). */
  advisory?: AdvisoryLocker;
}

const WAIT_SLEEP = ['Timeout', 'PgSleep'] as const;
const WAIT_ADVISORY = ['Lock', 'advisory'] as const;

export class ExecContext {
  /** Rows of enclosing queries for correlated references: outer[outer.length - level]. */
  readonly outer: unknown[][] = [];
  private sliceEnd: number;
  private ticks = 0;
  cancelRequested = false;
  /** Where checks of INITIALLY DEFERRED foreign keys wait for COMMIT (set by the session). */
  deferredChecks: import('./foreign_keys.ts').FkPending | undefined;
  private interruptWaiters: Array<() => void> = [];
  /**
   * Milliseconds of sleep that pg_sleep() calls evaluated in this statement
   * owe (expressions run synchronously and cannot wait): the statement
   * driver serves them with sleep() before it hands on the batch that
   * evaluated them, and at the operators' next PAUSE (tick() says so).
   */
  sleepMs = 0;
  /** What the statement waits for now (pg_stat_activity's wait_event_type, wait_event), null while it runs. */
  waitEvent: readonly [string, string] | null = null;
  /** Lock waits expressions owe (pg_advisory_lock): served with the sleep, first. */
  private waits: Array<{ granted: Promise<void>; withdraw: () => boolean }> | undefined;

  constructor(
    readonly store: Store,
    readonly txn: Txn,
    readonly catalog: Catalog,
    readonly params: readonly unknown[],
    readonly ev: EvalContext,
    readonly session: SessionInfo,
    readonly tables: TableAccessCache,
    readonly sequences: SequenceRuntime,
    private readonly now: () => number,
    private readonly yieldFn: () => Promise<void>,
    /** Absolute deadline (monotonic ms) from statement_timeout, or Infinity. */
    readonly deadline = Infinity,
    /** Timers, so that a wait for a lock ends at the deadline. */
    private readonly setTimer?: (fn: () => void, ms: number) => () => void,
  ) {
    // The time slice starts at the first tick() (a point lookup never ticks: no clock read).
    this.sliceEnd = -1;
    // pg_sleep() owes its sleep to the statement that evaluates it.
    ev.sleeper = this;
  }

  /**
   * A lock an expression asked for and must wait for: the statement's driver
   * waits for `granted` before it goes on (with the sleep owed, sleep()); a
   * cancel or the statement_timeout withdraws the request and ends the
   * statement with 57014.
   */
  oweWait(granted: Promise<void>, withdraw: () => boolean): void {
    (this.waits ??= []).push({ granted, withdraw });
    // The drivers serve what is owed when sleepMs is not 0: a wait owes no time of its own.
    if (this.sleepMs === 0) this.sleepMs = Number.MIN_VALUE;
  }

  /** Cancels the statement (a CancelRequest): it fails with 57014 at its next pause or wait. */
  cancel(): void {
    this.cancelRequested = true;
    for (const w of this.interruptWaiters.splice(0)) w();
  }

  /**
   * Resolves when the statement is cancelled or reaches its deadline (never
   * otherwise); `done` releases the timer once the caller stops waiting.
   */
  interruption(): { promise: Promise<void>; done: () => void } {
    let cancelTimer: (() => void) | undefined;
    let wake!: () => void;
    const promise = new Promise<void>((resolve) => (wake = resolve));
    this.interruptWaiters.push(wake);
    if (this.deadline !== Infinity && this.setTimer) {
      cancelTimer = this.setTimer(wake, Math.max(0, this.deadline - this.now()));
    }
    return {
      promise,
      done: () => {
        cancelTimer?.();
        const i = this.interruptWaiters.indexOf(wake);
        if (i >= 0) this.interruptWaiters.splice(i, 1);
      },
    };
  }

  /**
   * Called once per batch by busy loops: true when the operator should yield PAUSE.
   * Reads the clock every time: a batch under a slow predicate can take 200 ms, so
   * skipping checks would delay statement_timeout and cancel by several batches.
   */
  tick(): boolean {
    if (this.sleepMs !== 0) return true;
    this.ticks++;
    const t = this.now();
    if (this.sliceEnd < 0) this.sliceEnd = t + TIME_SLICE_MS;
    return t >= this.sliceEnd;
  }

  async yieldNow(): Promise<void> {
    await this.yieldFn();
    this.sliceEnd = this.now() + TIME_SLICE_MS;
  }

  /**
   * Serves the sleep owed (sleepMs) without blocking other sessions: a timer,
   * ended early with 57014 by a cancel (or a terminated backend) or at the
   * statement_timeout deadline. Never ends before the time asked.
   */
  async sleep(): Promise<void> {
    if (this.waits !== undefined) await this.serveWaits();
    const end = this.now() + this.sleepMs;
    this.sleepMs = 0;
    let wake: (() => void) | undefined;
    const onInterrupt = (): void => wake?.();
    this.interruptWaiters.push(onInterrupt);
    try {
      for (;;) {
        this.checkInterrupts();
        const t = this.now();
        if (!(t < end)) break;
        this.waitEvent = WAIT_SLEEP;
        // One timer to the end or the deadline, whichever comes first (at most ~2^31 ms at a time).
        const ms = Math.min(end, this.deadline) - t;
        const setTimer = this.setTimer;
        if (setTimer === undefined) {
          await this.yieldFn();
          continue;
        }
        await new Promise<void>((resolve) => {
          const cancelTimer = setTimer(() => {
            wake = undefined;
            resolve();
          }, Math.min(Math.max(ms, 1), MAX_TIMER_MS));
          wake = () => {
            wake = undefined;
            cancelTimer();
            resolve();
          };
        });
      }
    } finally {
      this.waitEvent = null;
      const i = this.interruptWaiters.indexOf(onInterrupt);
      if (i >= 0) this.interruptWaiters.splice(i, 1);
    }
    this.sliceEnd = this.now() + TIME_SLICE_MS;
  }

  private async serveWaits(): Promise<void> {
    const waits = this.waits!;
    this.waits = undefined;
    let i = 0;
    try {
      for (; i < waits.length; i++) {
        let granted = false;
        const done = waits[i]!.granted.then(() => void (granted = true));
        while (!granted) {
          this.checkInterrupts();
          const stop = this.interruption();
          this.waitEvent = WAIT_ADVISORY;
          try {
            await Promise.race([done, stop.promise]);
          } finally {
            this.waitEvent = null;
            stop.done();
          }
        }
      }
    } catch (e) {
      // Withdraw this request and every later one (one granted meanwhile stays held, as in PostgreSQL).
      for (const w of waits.slice(i)) w.withdraw();
      throw e;
    }
  }

  /** Raises 57014 when the statement was cancelled or ran out of time. */
  checkInterrupts(): void {
    if (this.cancelRequested) {
      throw new SbError(SqlState.query_canceled, 'canceling statement due to user request');
    }
    if (this.now() >= this.deadline) {
      throw new SbError(SqlState.query_canceled, 'canceling statement due to statement timeout');
    }
  }

  param(i: number): unknown {
    if (i < 0 || i >= this.params.length) {
      throw new SbError(SqlState.undefined_parameter, `there is no parameter $${i + 1}`);
    }
    return this.params[i];
  }
}
