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
import { type Operator, step } from '../exec/operator.ts';
import type { ExecContext } from '../exec/context.ts';
import { SbError, SqlState } from '../sb_error.ts';
import { T, type SqlType } from '../types/types.ts';
import { checkPlanPrivileges } from './grants.ts';
import { paramValue } from './params.ts';
import { compileStatement } from './plan_cache.ts';
import { fieldsOf, type FieldInfo } from './result.ts';
import type { Session } from './session.ts';

export class RowStream {
  /** Rows handed out so far. */
  rowCount = 0;
  private op: Operator | null;
  private ctx: ExecContext | null;

  constructor(private readonly session: Session, readonly fields: FieldInfo[], op: Operator, ctx: ExecContext) {
    this.op = op;
    this.ctx = ctx;
  }

  /** The query ran to its end (or the stream was closed). */
  get done(): boolean {
    return this.op === null;
  }

  /** The next batch's rows (never empty), or null at the end; the tree is closed then. */
  async next(): Promise<unknown[][] | null> {
    for (;;) {
      const op = this.op;
      if (op === null) return null;
      let b;
      try {
        b = await step(this.ctx!, op.next());
      } catch (e) {
        this.close();
        if (this.session.tx.inBlock()) this.session.tx.failed = true;
        throw e;
      }
      if (b === null) {
        this.close();
        return null;
      }
      if (b.length === 0) continue;
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
  }

  /** Closes the operator tree (idempotent; harmless after the transaction ended). */
  close(): void {
    const op = this.op;
    this.op = null;
    this.ctx = null;
    if (op) {
      try {
        op.close();
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
  const txn = s.tx.ensureTxn();
  s.tx.started = true;
  txn.beginStatement();
  if (txn.isolation === 'read committed') txn.refreshSnapshot();
  try {
    const ev = s.evalContext();
    const { bound, paramTypes: types } = compileStatement(s, stmt, sql, paramTypes, [], ev, txn);
    if (bound.kind !== 'plan' || bound.tag !== 'SELECT') {
      txn.endStatement();
      return null;
    }
    checkPlanPrivileges(s.catalog(), s.user.oid, bound);
    if (types.length > params.length && params.length === 0) throw new SbError(SqlState.undefined_parameter, `there is no parameter $1`);
    if (types.length > params.length) {
      throw new SbError(SqlState.protocol_violation, `bind message supplies ${params.length} parameters, but prepared statement "" requires ${types.length}`);
    }
    const values = new Array<unknown>(params.length);
    for (let i = 0; i < params.length; i++) values[i] = paramValue(params[i], types[i] ?? T.text, i, ev);
    const ctx = s.execContext(txn, s.catalog(), values, ev);
    // The tree is the stream's own: a cached plan's idle trees are never shared with it.
    const op = buildOperator(bound.plan);
    op.open(ctx);
    txn.endStatement();
    return new RowStream(s, fieldsOf(bound.cols), op, ctx);
  } catch (e) {
    txn.endStatement();
    s.tx.failed = true;
    throw e;
  }
}
