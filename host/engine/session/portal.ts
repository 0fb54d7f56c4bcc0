// Row streams: a query's operator tree kept open and pulled one batch at a
// time, for a wire protocol that sends rows as they are produced instead of
// materialising the whole result (extended-query portals with a row limit,
// COPY ... TO STDOUT). Only plain reads (bound tag SELECT) stream; anything
// else returns null and runs as a whole statement.
//
// The stream runs in the session's current transaction block, which the
// caller opens (an implicit block when none is open, as the extended query
// protocol does): like a SQL cursor (cursors.ts), the tree is opened inside
// one statement of that transaction and pulled after it. A runtime error
// while pulling marks the block failed, as an error in a statement would.

import type * as A from '../../../sql-dialects/index.ts';
import { isBindable } from '../bind/index.ts';
import { buildOperator } from '../exec/build.ts';
import type { Batch } from '../exec/batch.ts';
import { type Operator, type Signal, type Step, step } from '../exec/operator.ts';
import type { ExecContext } from '../exec/context.ts';
import { SbError, SqlState } from '../sb_error.ts';
import { T, type SqlType } from '../types/types.ts';
import { checkPlanPrivileges } from './grants.ts';
import { paramValue } from './params.ts';
import { compileStatement } from './plan_cache.ts';
import type { FieldInfo } from './result.ts';
import { type OperatorPool, operatorPool, planFields, releaseOperator, type Session } from './session.ts';
import { planTableLocks } from './table_lock_plan.ts';

/** A started step: its first signal again, then the rest of it. */
function* resumeStep(first: Signal, gen: Step): Step {
  yield first;
  return yield* gen;
}

export class RowStream {
  /** Rows handed out so far. */
  rowCount = 0;
  private op: Operator | null;
  private ctx: ExecContext | null;
  /** nextSync (a point lookup's batches without generator steps) is still in use. */
  private sync: boolean;

  constructor(private readonly session: Session, readonly fields: FieldInfo[], op: Operator, ctx: ExecContext, private readonly pool: OperatorPool | undefined) {
    this.op = op;
    this.ctx = ctx;
    this.sync = op.nextSync !== undefined;
  }

  /** The query ran to its end (or the stream was closed). */
  get done(): boolean {
    return this.op === null;
  }

  /**
   * The next batch's rows (never empty), or null at the end (the tree is
   * closed then). Synchronous when the executor produced the batch without
   * waiting (a point lookup, a scan of cached pages); a promise otherwise.
   */
  next(): unknown[][] | null | Promise<unknown[][] | null> {
    for (;;) {
      const op = this.op;
      if (op === null) return null;
      let b: Batch | null | undefined;
      try {
        if (this.sync) {
          b = op.nextSync!();
          if (b === undefined) this.sync = false;
        }
        if (b === undefined) {
          const gen = op.next();
          const r = gen.next();
          if (!r.done) {
            // A batch that pauses or waits can be cancelled meanwhile.
            this.session.setRunning(this.ctx);
            return this.finish(step(this.ctx!, resumeStep(r.value, gen)));
          }
          b = r.value;
        }
      } catch (e) {
        throw this.failed(e);
      }
      if (this.ctx!.sleepMs !== 0) {
        // pg_sleep in this batch: its sleep first (cancellable, under statement_timeout).
        this.session.setRunning(this.ctx);
        const batch = b;
        return this.finish(this.ctx!.sleep().then(() => batch));
      }
      const rows = this.rowsOf(b);
      if (rows !== undefined) return rows;
    }
  }

  private async finish(pending: Promise<Batch | null>): Promise<unknown[][] | null> {
    let b: Batch | null;
    try {
      b = await pending;
    } catch (e) {
      throw this.failed(e);
    } finally {
      this.session.setRunning(null);
    }
    const rows = this.rowsOf(b);
    return rows !== undefined ? rows : this.next();
  }

  /** A batch's rows; null at the end (closing the tree), undefined for an empty batch. */
  private rowsOf(b: Batch | null): unknown[][] | null | undefined {
    if (b === null) {
      this.close();
      return null;
    }
    if (b.length === 0) return undefined;
    const rows = new Array<unknown[]>(b.length);
    const width = b.cols.length;
    for (let i = 0; i < b.length; i++) {
      const r = new Array<unknown>(width);
      for (let c = 0; c < width; c++) r[c] = b.cols[c]![i];
      rows[i] = r;
    }
    this.rowCount += rows.length;
    return rows;
  }

  /** A runtime error while pulling: the tree closes and the transaction block fails. */
  private failed(e: unknown): unknown {
    this.close(false);
    if (this.session.tx.inBlock()) this.session.tx.failed = true;
    return e;
  }

  /**
   * statement_timeout starts again from now. PostgreSQL arms the timeout at
   * the first message after a Sync (start_xact_command) and keeps it running
   * while a portal is suspended until the Sync or a completed Execute
   * disarms it: a suspended portal's Execute after a Sync gets the whole
   * timeout, one in the same message sequence counts on from its start.
   */
  restartTimeout(): void {
    const ctx = this.ctx;
    if (ctx === null) return;
    const ms = this.session.statementTimeoutMs();
    (ctx as { deadline: number }).deadline = ms > 0 ? this.session.core.platform.monotonicMs() + ms : Infinity;
  }

  /** Closes the operator tree (idempotent; harmless after the transaction ended); a reusable tree goes back to its plan unless it failed. */
  close(reuse = true): void {
    const op = this.op;
    this.op = null;
    this.ctx = null;
    if (op) {
      try {
        op.close();
        if (reuse && this.pool !== undefined) releaseOperator(this.pool, op);
      } catch {
        // the transaction already ended: nothing left to release
      }
    }
  }
}

/**
 * Opens a row stream over a plain read, or returns null when the statement
 * is not one (the caller runs it as a statement). Binding, privilege and
 * parameter errors are thrown here, and fail the transaction block.
 */
export function openRowStream(s: Session, stmt: A.Statement, sql: string, params: readonly unknown[], paramTypes: SqlType[] = []): RowStream | null {
  if (s.tx.failed || stmt.kind !== 'select' || !isBindable(stmt) || !s.tx.inBlock()) return null;
  const begins = s.tx.txn === null;
  const txn = s.tx.ensureTxn();
  s.tx.started = true;
  s.startStatementClock(begins);
  txn.beginStatement();
  // (A transaction begun just now has a snapshot of this moment already.)
  if (!begins && txn.isolation === 'read committed') txn.refreshSnapshot();
  try {
    const ev = s.evalContext();
    const { bound, paramTypes: types } = compileStatement(s, stmt, sql, paramTypes, [], ev, txn);
    if (bound.kind !== 'plan' || bound.tag !== 'SELECT') {
      txn.endStatement();
      return null;
    }
    checkPlanPrivileges(s.catalog(), s.user.oid, bound);
    // A table lock that must be waited for: the caller runs it as a statement, which waits.
    for (const l of planTableLocks(bound.plan)) {
      if (txn.lockTable(l.oid, l.mode) !== undefined) {
        txn.unwaitTable(l.oid);
        txn.endStatement();
        return null;
      }
    }
    if (types.length > params.length && params.length === 0) throw new SbError(SqlState.undefined_parameter, `there is no parameter $1`);
    if (types.length > params.length) {
      throw new SbError(SqlState.protocol_violation, `bind message supplies ${params.length} parameters, but prepared statement "" requires ${types.length}`);
    }
    const values = new Array<unknown>(params.length);
    for (let i = 0; i < params.length; i++) values[i] = paramValue(params[i], types[i] ?? T.text, i, ev);
    const ctx = s.execContext(txn, s.catalog(), values, ev);
    // A plain read takes an idle tree of its plan from the session's pool (given back at close); others build their own.
    const pool = operatorPool(bound.plan);
    const op = pool?.idle.pop() ?? buildOperator(bound.plan);
    op.open(ctx);
    txn.endStatement();
    // (The fields are shared by every stream of the plan: its readers never modify them.)
    return new RowStream(s, planFields(bound.cols), op, ctx, pool);
  } catch (e) {
    txn.endStatement();
    s.tx.failed = true;
    throw e;
  }
}
