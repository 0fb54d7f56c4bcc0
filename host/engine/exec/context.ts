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
}

export class ExecContext {
  /** Rows of enclosing queries for correlated references: outer[outer.length - level]. */
  readonly outer: unknown[][] = [];
  private sliceEnd: number;
  private ticks = 0;
  cancelRequested = false;

  constructor(
    readonly store: Store,
    readonly txn: Txn,
    readonly catalog: Catalog,
    readonly params: readonly unknown[],
    readonly eval: EvalContext,
    readonly session: SessionInfo,
    readonly tables: TableAccessCache,
    readonly sequences: SequenceRuntime,
    private readonly now: () => number,
    private readonly yieldFn: () => Promise<void>,
    /** Absolute deadline (monotonic ms) from statement_timeout, or Infinity. */
    readonly deadline = Infinity,
  ) {
    this.sliceEnd = now() + TIME_SLICE_MS;
  }

  /** Called once per batch by busy loops: true when the operator should yield PAUSE. */
  tick(): boolean {
    if (++this.ticks & 3) return false;
    return this.now() >= this.sliceEnd;
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
