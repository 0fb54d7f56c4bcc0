// The bulk path of COPY FROM: typed rows go straight into the table's insert
// operator, batch by batch, with no SQL text per batch.
//
// The plan is the one `INSERT INTO t (cols) VALUES ($1, ..., $n)` binds to
// (so defaults, identity and serial columns, typmod coercions, CHECK, NOT
// NULL, unique and foreign keys and every index are what INSERT does), bound,
// planned and compiled through the bytecode once per COPY. Its one VALUES row
// becomes a projection over a source operator that hands out the rows of the
// current batch: parameter $k reads column k of the batch. Each batch runs as
// one statement of the COPY's transaction.

import { parse } from '../../../sql-dialects/index.ts';
import { bindStatement } from '../../engine/bind/index.ts';
import type { ColumnObj, TableObj } from '../../engine/catalog/objects.ts';
import { BATCH_ROWS, type Batch, sliceBatch } from '../../engine/exec/batch.ts';
import { buildOperator, registerBuilder } from '../../engine/exec/build.ts';
import type { ModifyOp } from '../../engine/exec/ops_modify.ts';
import { BaseOp } from '../../engine/exec/ops_basic.ts';
import { drain, type Step } from '../../engine/exec/operator.ts';
import type { ColInfo, Expr, Plan } from '../../engine/plan/nodes.ts';
import { mapExpr } from '../../engine/plan/walk.ts';
import { SbError, SqlState } from '../../engine/sb_error.ts';
import { checkPlanPrivileges } from '../../engine/session/grants.ts';
import { compilePlan, noteModified } from '../../engine/session/plan_cache.ts';
import type { Session } from '../../engine/session/session.ts';
import { arrayOf, sqlType, type SqlType } from '../../engine/types/types.ts';

/** Where the rows of the running batch come from. */
interface RowFeed {
  batch: Batch | null;
  at: number;
}

/** The leaf under the insert projection: the feed's batch, BATCH_ROWS rows at a time. */
class CopyRowsOp extends BaseOp {
  constructor(private readonly feed: RowFeed, width: number) {
    super(width);
  }
  *next(): Step {
    const b = this.feed.batch;
    if (b === null || this.feed.at >= b.length) return null;
    const from = this.feed.at;
    const to = Math.min(b.length, from + BATCH_ROWS);
    this.feed.at = to;
    return from === 0 && to === b.length ? b : sliceBatch(b, from, to);
  }
}

const COPY_ROWS = 'copy_rows' as Plan['n'];
registerBuilder(COPY_ROWS, (plan) => {
  const p = plan as unknown as { cols: ColInfo[]; feed: RowFeed };
  return new CopyRowsOp(p.feed, p.cols.length);
});

/** The type without its modifier: the projection's assignment cast applies the column's (length, precision). */
function withoutTypmod(t: SqlType): SqlType {
  if (t.typmod === -1 && (t.elem === undefined || t.elem.typmod === -1)) return t;
  if (t.id === 'array' && t.elem) return arrayOf(withoutTypmod(t.elem));
  return sqlType(t.id);
}

function quoteIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/** A failed row: its index in the batch (undefined when the error came after the last row, e.g. a deferred check). */
export class BatchRowError extends Error {
  constructor(readonly error: unknown, readonly row: number | undefined) {
    super('copy batch failed');
  }
}

export class BulkInserter {
  /** The types the rows' values must have, by target column. */
  readonly types: SqlType[];
  private readonly feed: RowFeed = { batch: null, at: 0 };
  private readonly plan: Plan;

  constructor(private readonly session: Session, table: TableObj, schemaName: string | undefined, readonly columns: ColumnObj[]) {
    this.types = columns.map((c) => withoutTypmod(c.type));
    const qname = `${schemaName !== undefined ? quoteIdent(schemaName) + '.' : ''}${quoteIdent(table.name)}`;
    // COPY writes GENERATED ALWAYS identity columns as given, as PostgreSQL does.
    const overriding = columns.some((c) => c.identity === 'a') ? ' OVERRIDING SYSTEM VALUE' : '';
    const sql = `INSERT INTO ${qname} (${columns.map((c) => quoteIdent(c.name)).join(', ')})${overriding} VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`;
    const stmt = parse(sql, session.dialect)[0]!;
    const ev = session.evalContext();
    const env = session.bindEnv(sql, [...this.types], [], ev);
    const bound = bindStatement(env, stmt);
    if (bound.kind !== 'plan' || bound.plan.n !== 'modify') throw new SbError(SqlState.internal_error, 'COPY: the insert did not bind to a modification');
    checkPlanPrivileges(session.catalog(), session.user.oid, bound);
    const compiled = compilePlan(session, bound, env.paramTypes, session.tx.ensureTxn(), ev).bound.plan;
    if (compiled.n !== 'modify') throw new SbError(SqlState.internal_error, 'COPY: the compiled insert is not a modification');
    const input = compiled.input;
    let row: Expr[];
    if (input.n === 'values' && input.rows.length === 1) row = input.rows[0]!;
    else if (input.n === 'result') row = input.exprs;
    else throw new SbError(SqlState.internal_error, `COPY: unexpected insert input "${input.n}"`);
    const exprs = row.map((e) => mapExpr(e, (x) => (x.k === 'param' ? { k: 'col', type: x.type, index: x.index } : x)));
    const source = { n: COPY_ROWS, cols: this.types.map((type, i) => ({ name: `$${i + 1}`, type })), feed: this.feed } as unknown as Plan;
    this.plan = { ...compiled, input: { n: 'project', cols: input.cols, input: source, exprs } };
  }

  /**
   * Inserts one batch (columns of values of `this.types`) as one statement of
   * the session's transaction; returns the number of rows written.
   */
  async insert(cols: unknown[][], length: number): Promise<number> {
    if (length === 0) return 0;
    const tx = this.session.tx;
    const txn = tx.ensureTxn();
    tx.started = true;
    txn.beginStatement();
    if (txn.isolation === 'read committed') txn.refreshSnapshot();
    const ctx = this.session.execContext(txn, this.session.catalog(), [], this.session.evalContext());
    // A fresh operator per batch: ModifyOp keeps per-statement state (the keys it wrote) that must not grow over the whole COPY.
    const op = buildOperator(this.plan) as ModifyOp;
    this.feed.batch = { length, cols };
    this.feed.at = 0;
    try {
      await drain(ctx, op, () => {});
    } catch (e) {
      // ModifyOp counts the rows it wrote: the failing one is the next, unless every row was written.
      const at = op.count < length ? op.count : undefined;
      throw new BatchRowError(e, at);
    } finally {
      this.feed.batch = null;
      txn.endStatement();
    }
    noteModified(this.session, this.plan, op.count);
    return op.count;
  }
}
