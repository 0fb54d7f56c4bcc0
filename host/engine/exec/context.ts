// The execution context of one statement: its transaction, catalog view,
// parameters, session settings, correlated-row stack, time slice, deadline and
// cancellation.

import { SbError, SqlState } from '../sb_error.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Store, Txn } from '../store/index.ts';
import type { TableAccessCache } from './table_access.ts';
import type { SequenceRuntime } from './sequences.ts';
import type { EvalContext } from '../functions/context.ts';

/** Milliseconds a statement runs before it lets the event loop serve others. */
export const TIME_SLICE_MS = 8;

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
}

export class ExecContext {
  /** Rows of enclosing queries for correlated references: outer[outer.length - level]. */
  readonly outer: unknown[][] = [];
  private sliceEnd: number;
  private ticks = 0;
  cancelRequested = false;
  /** Where checks of INITIALLY DEFERRED foreign keys wait for COMMIT (set by the session). */
  deferredChecks: import('./foreign_keys.ts').FkPending | undefined;
  private interruptWaiters: Array<() => void> = [];

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
    this.ticks++;
    const t = this.now();
    if (this.sliceEnd < 0) this.sliceEnd = t + TIME_SLICE_MS;
    return t >= this.sliceEnd;
  }

  async yieldNow(): Promise<void> {
    await this.yieldFn();
    this.sliceEnd = this.now() + TIME_SLICE_MS;
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
