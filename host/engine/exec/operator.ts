// Operators and the statement driver.
//
// Every operator's next() is a generator step: it returns the next batch (or
// null at the end) and may first yield Signals that travel up to the driver
// through `yield*`: PAUSE (the time slice is used up: let the event loop serve
// other sessions, and notice cancellation) and WAIT (a write met another
// transaction's uncommitted row: wait for it to finish, then the operator
// retries). So a long query can be suspended at any depth without making every
// operator asynchronous.
//
// pg_sleep() cannot wait inside an expression either: it adds its time to
// the statement's ExecContext.sleepMs, and whoever pulls a batch from the
// root operator serves that sleep (ctx.sleep(), interruptible) before
// handing the batch on: step(), drain() and serve() here, and the session's
// drainFast and RowStream; ctx.tick() makes a busy operator PAUSE meanwhile.

import { SbError, SqlState } from '../sb_error.ts';
import type { Txn } from '../store/index.ts';
import { type TableLockMode, tableChanged } from '../store/table_locks.ts';
import type { Batch } from './batch.ts';
import type { ExecContext } from './context.ts';

/** A wait for `blocker`: on a row it changed (PostgreSQL's wait event `transactionid`) or on a table lock it holds (`relation`). */
export type Signal = { kind: 'pause' } | { kind: 'wait'; blocker: Txn; event?: 'transactionid' | 'relation' };

/**
 * Takes table lock `mode` on `ta`'s table in the middle of a statement (a
 * modification, a foreign-key check or cascade), waiting for a conflicting
 * holder. If the table's definition or storage changed meanwhile the plan is
 * stale: 40001 of kind 'table_changed_running' (only a statement that is its
 * own transaction, rolled back first, runs again).
 */
export function* lockTableWaiting(txn: Txn, ta: { table: { oid: number; name: string } }, mode: TableLockMode): Generator<Signal, void, void> {
  const oid = ta.table.oid;
  const version = txn.tableVersion(oid);
  for (;;) {
    const blocker = txn.lockTable(oid, mode);
    if (blocker === undefined) break;
    yield { kind: 'wait', blocker, event: 'relation' };
  }
  if (txn.tableVersion(oid) !== version) throw tableChanged(ta.table.name, true);
}

/**
 * lockTableWaiting() without a generator when the lock is granted at once
 * (the usual case, and always when the session's statement holds it
 * already): true when held; false when the caller must wait through
 * lockTableWaiting().
 */
export function lockTableNow(txn: Txn, ta: { table: { oid: number; name: string } }, mode: TableLockMode): boolean {
  const oid = ta.table.oid;
  const version = txn.tableVersion(oid);
  if (txn.lockTable(oid, mode) !== undefined) return false;
  if (txn.tableVersion(oid) !== version) throw tableChanged(ta.table.name, true);
  return true;
}

export const PAUSE: Signal = { kind: 'pause' };

export type Step = Generator<Signal, Batch | null, void>;

export interface Operator {
  /** Number of output columns. */
  readonly width: number;
  open(ctx: ExecContext): void;
  next(): Step;
  /** Optional: the next batch without a generator step when it cannot pause or wait (a point lookup); undefined: use next(). */
  nextSync?(): Batch | null | undefined;
  close(): void;
  /** EXPLAIN ANALYZE counters. */
  stats?: { rows: number; batches: number; ms: number };
}

const WAIT_TRANSACTION = ['Lock', 'transactionid'] as const;
const WAIT_RELATION = ['Lock', 'relation'] as const;

/** Runs one generator step to completion, serving its signals. */
export async function step(ctx: ExecContext, gen: Step): Promise<Batch | null> {
  let r = gen.next();
  while (!r.done) {
    await serve(ctx, r.value);
    r = gen.next();
  }
  if (ctx.sleepMs !== 0) await ctx.sleep();
  return r.value;
}

/** Same, without awaiting when no signal comes (the common case); the caller serves ctx.sleepMs (pg_sleep) before using the batch. */
export function stepSync(gen: Step): { batch: Batch | null } | { signal: Signal; gen: Step } {
  const r = gen.next();
  if (r.done) return { batch: r.value };
  return { signal: r.value, gen };
}

async function serve(ctx: ExecContext, s: Signal): Promise<void> {
  if (ctx.sleepMs !== 0) await ctx.sleep();
  if (s.kind === 'pause') {
    await ctx.yieldNow();
    ctx.checkInterrupts();
    return;
  }
  // A lock wait ends early when the statement is cancelled or times out.
  ctx.checkInterrupts();
  const stop = ctx.interruption();
  ctx.waitEvent = s.event === 'relation' ? WAIT_RELATION : WAIT_TRANSACTION;
  try {
    const wait = ctx.txn.waitFor(s.blocker);
    wait.catch(() => {}); // abandoned after an interruption: its later outcome is nobody's
    await Promise.race([wait, stop.promise]);
  } finally {
    ctx.waitEvent = null;
    stop.done();
  }
  ctx.checkInterrupts();
}

/** Pulls every batch of an operator. */
export async function drain(ctx: ExecContext, op: Operator, onBatch: (b: Batch) => void): Promise<void> {
  op.open(ctx);
  try {
    for (;;) {
      const gen = op.next();
      const first = gen.next();
      let batch: Batch | null;
      if (first.done) batch = first.value;
      else {
        await serve(ctx, first.value);
        let r = gen.next();
        while (!r.done) {
          await serve(ctx, r.value);
          r = gen.next();
        }
        batch = r.value;
      }
      if (ctx.sleepMs !== 0) await ctx.sleep();
      if (batch === null) return;
      if (batch.length > 0) onBatch(batch);
    }
  } finally {
    op.close();
  }
}

export function notSupported(what: string, hint?: string): SbError {
  return new SbError(SqlState.feature_not_supported, `${what} is not supported`, hint ? { hint } : {});
}
