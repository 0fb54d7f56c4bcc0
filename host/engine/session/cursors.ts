// SQL cursors (PostgreSQL): DECLARE, FETCH, MOVE, CLOSE and pg_cursors.
//
// A cursor is a portal over a query's operator tree, opened at DECLARE in the
// declaring transaction (so it reads that statement's snapshot) and pulled
// batch by batch as FETCH needs rows: a runtime error surfaces at the FETCH
// that reaches the row, as in PostgreSQL. Rows pulled are buffered, so a
// scrollable cursor moves backward over them; a NO SCROLL cursor keeps only
// the rows from its current one on.
//
// Positions follow PostgreSQL's portal (pquery.c): atStart / atEnd /
// portalPos, with the executor's own position `cur` (0 before the first row,
// n + 1 after the last). FETCH and MOVE directions reduce to forward and
// backward runs exactly as DoPortalRunFetch does, so the corner cases
// (FETCH 0 re-fetching the current row, MOVE BACKWARD ALL, ABSOLUTE past the
// end) give PostgreSQL's rows and counts.
//
// Lifetime: a cursor without HOLD ends with its transaction. A WITH HOLD
// cursor reads all its remaining rows just before COMMIT (an error there
// aborts the commit) and then lives until CLOSE or the session ends; a
// rollback drops the holdable cursors the transaction declared.

import type * as A from '../../../sql-dialects/index.ts';
import { SbError, SqlState } from '../sb_error.ts';
import type { ExecContext } from '../exec/context.ts';
import { buildOperator, compileEnv } from '../exec/build.ts';
import { type Batch, selectRows, sliceBatch } from '../exec/batch.ts';
import { compileExpr, type VecFn } from '../exec/expr.ts';
import { type Operator, type Step, step } from '../exec/operator.ts';
import { type SqlType, T } from '../types/types.ts';
import { paramValue } from './params.ts';
import type { Plan } from '../plan/nodes.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Txn } from '../store/index.ts';
import { unixMsToPgMicros } from '../functions/context.ts';
import { checkPlanPrivileges } from './grants.ts';
import { compileStatement } from './plan_cache.ts';
import { fieldsOf, type FieldInfo, type QueryResult } from './result.ts';
import type { Session } from './session.ts';

/** PostgreSQL's FETCH_ALL (LONG_MAX): "all remaining rows". */
const FETCH_ALL = Number.MAX_SAFE_INTEGER;

/** One row of pg_cursors. */
export interface CursorRow {
  name: string;
  statement: string;
  holdable: boolean;
  binary: boolean;
  scrollable: boolean;
  /** µs since 2000-01-01 UTC. */
  creationTime: number;
}

class Cursor implements CursorRow {
  /** Rows pulled so far; rows[i] is row number base + i + 1. */
  rows: unknown[][] = [];
  base = 0;
  /** The query has no more rows (rows.length + base is the row count). */
  exhausted = false;
  /** Executor position: 0 before the first row, k on row k, count + 1 after the last. */
  cur = 0;
  atStart = true;
  atEnd = false;
  portalPos = 0;
  op: Operator | null;
  ctx: ExecContext | null;
  /** The transaction the cursor was declared in (it ends with it unless held and committed). */
  txn: Txn | null;
  /** Holdable and its declaring transaction committed: all rows are in `rows`. */
  held = false;
  /** The rows of the source's last batch not yet run through the stages, from `pendingPos` on. */
  private pending: Batch | null = null;
  private pendingPos = 0;

  constructor(
    readonly name: string,
    readonly statement: string,
    readonly holdable: boolean,
    readonly binary: boolean,
    readonly scrollable: boolean,
    readonly creationTime: number,
    readonly fields: FieldInfo[],
    op: Operator,
    ctx: ExecContext,
    txn: Txn,
    /** Row-wise filters and projections over `op`'s rows, innermost first (see splitRowStages). */
    private readonly stages: RowStage[] = [],
  ) {
    this.op = op;
    this.ctx = ctx;
    this.txn = txn;
  }

  /**
   * Pulls rows until row `n` is buffered or the query ends; true when row n
   * exists. The source's batches go through the row-wise stages only as far
   * as needed: a slice of at most (n - rows buffered) source rows at a time.
   * Each source row yields at most one row, so every row a slice evaluates is
   * one PostgreSQL's executor evaluates to reach row n, and a runtime error
   * in a later row (division by zero in the select list or WHERE) is raised
   * by the FETCH that reaches it, not by an earlier one.
   */
  async ensure(n: number): Promise<boolean> {
    while (this.base + this.rows.length < n && !this.exhausted) {
      if (this.stages.some((st) => st.kind === 'limit' && st.emitted >= st.count)) {
        // LIMIT reached: no further row is computed.
        this.exhausted = true;
        this.shut();
        break;
      }
      if (this.pending === null || this.pendingPos >= this.pending.length) {
        this.pending = null;
        const op = this.op!;
        const ctx = this.ctx!;
        const gen: Step = op.next();
        const b = await step(ctx, gen);
        if (b === null) {
          this.exhausted = true;
          this.shut();
          break;
        }
        this.pending = b;
        this.pendingPos = 0;
      }
      // Rows an OFFSET skips are computed too (as PostgreSQL's Limit pulls them from below).
      let want = n - this.base - this.rows.length;
      for (const st of this.stages) if (st.kind === 'limit') want += Math.max(0, st.offset - st.skipped);
      const from = this.pendingPos;
      const to = Math.min(this.pending.length, from + Math.max(1, want));
      this.pendingPos = to;
      let b = sliceBatch(this.pending, from, to);
      for (const st of this.stages) {
        if (b.length === 0) break;
        if (st.kind === 'filter') {
          const v = st.pred(b, this.ctx!);
          const sel: number[] = [];
          for (let i = 0; i < b.length; i++) if (v[i] === true) sel.push(i);
          b = selectRows(b, sel, sel.length);
        } else if (st.kind === 'limit') {
          let from = 0;
          if (st.skipped < st.offset) {
            from = Math.min(b.length, st.offset - st.skipped);
            st.skipped += from;
          }
          const to = Math.min(b.length, from + Math.max(0, st.count - st.emitted));
          st.emitted += Math.max(0, to - from);
          b = to > from ? sliceBatch(b, from, to) : { length: 0, cols: b.cols.map(() => []) };
        } else b = { length: b.length, cols: st.exprs.map((f) => f(b, this.ctx!)) };
      }
      for (let i = 0; i < b.length; i++) {
        const r = new Array<unknown>(b.cols.length);
        for (let c = 0; c < b.cols.length; c++) r[c] = b.cols[c]![i];
        this.rows.push(r);
      }
      // The sleep pg_sleep() calls in these stages owe (exec/operator.ts).
      if (this.ctx !== null && this.ctx.sleepMs !== 0) await this.ctx.sleep();
    }
    return n <= this.base + this.rows.length;
  }

  row(n: number): unknown[] {
    return this.rows[n - this.base - 1]!;
  }

  /** Closes the operator tree (idempotent). */
  shut(): void {
    const op = this.op;
    this.op = null;
    this.ctx = null;
    this.pending = null;
    if (op) {
      try {
        op.close();
      } catch {
        // closing after the transaction ended: nothing left to release
      }
    }
  }

  /** A NO SCROLL cursor forgets the rows before its current one. */
  trim(): void {
    if (this.scrollable) return;
    const keep = Math.max(0, this.cur - 1 - this.base);
    if (keep > 1024) {
      this.rows.splice(0, keep);
      this.base += keep;
    }
  }

  /** The executor run of PortalRunSelect: up to `count` rows (FETCH_ALL: all) in one direction. */
  async run(forward: boolean, count: number, out: unknown[][] | null): Promise<number> {
    let n = 0;
    if (forward) {
      while (n < count) {
        const next = this.cur + 1;
        if (!(await this.ensure(next))) {
          this.cur = this.base + this.rows.length + 1;
          break;
        }
        if (out) out.push(this.row(next));
        this.cur = next;
        n++;
      }
      this.trim();
    } else {
      while (n < count) {
        const prev = this.cur - 1;
        if (prev < 1) {
          this.cur = 0;
          break;
        }
        if (out) out.push(this.row(prev));
        this.cur = prev;
        n++;
      }
    }
    return n;
  }

  noScroll(): SbError {
    return new SbError(SqlState.object_not_in_prerequisite_state, 'cursor can only scan forward', {
      hint: 'Declare it with SCROLL option to enable backward scan.',
    });
  }

  /** PortalRunSelect. */
  async select(forward: boolean, count: number, out: unknown[][] | null): Promise<number> {
    if (forward) {
      if (this.atEnd || count <= 0) return 0;
      const n = await this.run(true, count, out);
      if (n > 0) this.atStart = false;
      if (n < count) this.atEnd = true;
      this.portalPos += n;
      return n;
    }
    if (!this.scrollable) throw this.noScroll();
    if (this.atStart || count <= 0) return 0;
    const n = await this.run(false, count, out);
    if (n > 0 && this.atEnd) {
      this.atEnd = false;
      this.portalPos++;
    }
    if (n < count) {
      this.atStart = true;
      this.portalPos = 0;
    } else this.portalPos -= n;
    return n;
  }

  /** DoPortalRewind. */
  rewind(): void {
    if (this.atStart && !this.atEnd) return;
    if (!this.scrollable) throw this.noScroll();
    this.cur = 0;
    this.atStart = true;
    this.atEnd = false;
    this.portalPos = 0;
  }

  /** DoPortalRunFetch: the rows moved over (into `out` unless MOVE). */
  async fetch(direction: string, count: number, out: unknown[][] | null): Promise<number> {
    let forward: boolean;
    switch (direction) {
      case 'ABSOLUTE':
        if (count > 0) {
          if (count - 1 <= this.portalPos / 2) {
            this.rewind();
            if (count > 1) await this.select(true, count - 1, null);
          } else {
            let pos = this.portalPos;
            if (this.atEnd) pos++;
            if (count <= pos) await this.select(false, pos - count + 1, null);
            else if (count > pos + 1) await this.select(true, count - pos - 1, null);
          }
          return this.select(true, 1, out);
        }
        if (count < 0) {
          await this.select(true, FETCH_ALL, null);
          if (count < -1) await this.select(false, -count - 1, null);
          return this.select(false, 1, out);
        }
        this.rewind();
        return 0;
      case 'RELATIVE':
        if (count > 0) {
          if (count > 1) await this.select(true, count - 1, null);
          return this.select(true, 1, out);
        }
        if (count < 0) {
          if (count < -1) await this.select(false, -count - 1, null);
          return this.select(false, 1, out);
        }
        forward = true;
        break;
      case 'FORWARD':
        forward = count >= 0;
        count = Math.abs(count);
        break;
      default: // BACKWARD
        forward = count < 0;
        count = Math.abs(count);
        break;
    }
    if (count === 0) {
      const onRow = !this.atStart && !this.atEnd;
      if (out === null) return onRow ? 1 : 0;
      if (!onRow) return 0;
      await this.select(false, 1, null);
      count = 1;
      forward = true;
    }
    if (!forward && count === FETCH_ALL && out === null) {
      let result = this.portalPos;
      if (result > 0 && !this.atEnd) result--;
      this.rewind();
      return result;
    }
    return this.select(forward, count, out);
  }
}

/** The cursors of each session. */
const bySession = new WeakMap<Session, Map<string, Cursor>>();

function cursorsOf(s: Session): Map<string, Cursor> {
  let m = bySession.get(s);
  if (m === undefined) {
    const cursors = (m = new Map());
    bySession.set(s, m);
    s.tx.cursorHooks = {
      beforeCommit: async () => {
        for (const c of cursors.values()) {
          if (c.held) continue;
          if (!c.holdable) {
            c.shut();
            continue;
          }
          // PersistHoldablePortal: every row, the position kept.
          if (!c.exhausted) await c.ensure(FETCH_ALL);
          c.shut();
        }
      },
      ended: (committed) => {
        for (const [name, c] of cursors) {
          if (c.held) continue;
          if (committed && c.holdable) {
            c.held = true;
            c.txn = null;
            continue;
          }
          c.shut();
          cursors.delete(name);
        }
      },
    };
  }
  return m;
}

/** pg_cursors: the session's open cursors. */
export function cursorRows(s: Session): CursorRow[] {
  return [...(bySession.get(s)?.values() ?? [])];
}

/** Closes every cursor (the session ends). */
export function closeAllCursors(s: Session): void {
  const m = bySession.get(s);
  if (!m) return;
  for (const c of m.values()) c.shut();
  m.clear();
}

export function isCursorStatement(stmt: A.Statement): boolean {
  return stmt.kind === 'declare_cursor' || stmt.kind === 'fetch' || stmt.kind === 'close';
}

function done(command: string): QueryResult {
  return { command, rowCount: 0, fields: [], rows: [] };
}

export function runCursorStatement(
  s: Session, stmt: A.Statement, sql: string, params: readonly unknown[] = [], paramTypes: SqlType[] = [],
): Promise<QueryResult> {
  switch (stmt.kind) {
    case 'declare_cursor':
      return declare(s, stmt, sql, params, paramTypes);
    case 'fetch':
      return fetch(s, stmt);
    case 'close': {
      const m = cursorsOf(s);
      if (!stmt.cursor) {
        for (const c of m.values()) c.shut();
        m.clear();
        return Promise.resolve(done('CLOSE CURSOR ALL'));
      }
      const name = s.dialect.foldIdentifier(stmt.cursor);
      const c = m.get(name);
      if (!c) return Promise.reject(missing(name));
      c.shut();
      m.delete(name);
      return Promise.resolve(done('CLOSE CURSOR'));
    }
    default:
      return Promise.reject(new SbError(SqlState.internal_error, `not a cursor statement: ${stmt.kind}`));
  }
}

function missing(name: string): SbError {
  return new SbError('34000', `cursor "${name}" does not exist`);
}

/** A row-wise step the cursor runs itself over its source's rows (Cursor.ensure). */
type RowStage =
  | { kind: 'filter'; pred: VecFn }
  | { kind: 'project'; exprs: VecFn[] }
  | LimitStage;

/** LIMIT / OFFSET (not WITH TIES): count and offset evaluated at DECLARE, as LimitOp.open does. */
interface LimitStage {
  kind: 'limit';
  countFn: VecFn | undefined;
  offsetFn: VecFn | undefined;
  count: number;
  offset: number;
  skipped: number;
  emitted: number;
}

function openLimits(stages: RowStage[], ctx: ExecContext): void {
  const one: Batch = { length: 1, cols: [] };
  for (const st of stages) {
    if (st.kind !== 'limit') continue;
    const c = st.countFn ? st.countFn(one, ctx)[0] : null;
    const o = st.offsetFn ? st.offsetFn(one, ctx)[0] : null;
    st.count = c === null || c === undefined ? Infinity : Number(c);
    st.offset = o === null || o === undefined ? 0 : Number(o);
    if (st.count < 0) throw new SbError('2201W', 'LIMIT must not be negative');
    if (st.offset < 0) throw new SbError('2201X', 'OFFSET must not be negative');
  }
}

/**
 * Splits the filters and projections at the top of a plan (and a scan's
 * residual filter) from the rest: the cursor evaluates them over as many
 * rows as a FETCH needs, the rest runs as an operator tree in batches.
 */
function splitRowStages(plan: Plan, catalog: Catalog): { source: Plan; stages: RowStage[] } {
  const outer: RowStage[] = [];
  let p = plan;
  for (;;) {
    p = withoutPkSort(p, catalog);
    if (p.n === 'project') {
      outer.push({ kind: 'project', exprs: p.exprs.map((e) => compileExpr(e, compileEnv)) });
      p = p.input;
    } else if (p.n === 'filter') {
      outer.push({ kind: 'filter', pred: compileExpr(p.pred, compileEnv) });
      p = p.input;
    } else if (p.n === 'limit' && !p.withTies) {
      outer.push({
        kind: 'limit', countFn: p.count && compileExpr(p.count, compileEnv), offsetFn: p.offset && compileExpr(p.offset, compileEnv),
        count: Infinity, offset: 0, skipped: 0, emitted: 0,
      });
      p = p.input;
    } else break;
  }
  if (p.n === 'scan' && p.filter && !p.withRowKey && !p.forUpdate) {
    outer.push({ kind: 'filter', pred: compileExpr(p.filter, compileEnv) });
    const { filter: _residual, ...rest } = p;
    p = rest;
  }
  return { source: p, stages: outer.reverse() };
}

/**
 * A sort on a leading part of the primary key (integer columns, ascending)
 * over a scan of the table that already yields rows in key order: the sort
 * is left out, so the cursor computes rows as FETCH needs them, as
 * PostgreSQL's cursor plan (tuned for the first rows) walks the primary key
 * index instead of sorting. Other sorts are kept.
 */
function withoutPkSort(p: Plan, catalog: Catalog): Plan {
  if (p.n !== 'sort' || p.limit || p.keys.length === 0) return p;
  let scan: Extract<Plan, { n: 'scan' }> | null = null;
  const attnumOf = (q: Plan, j: number): number | null => {
    switch (q.n) {
      case 'project': {
        const e = q.exprs[j];
        return e && e.k === 'col' ? attnumOf(q.input, e.index) : null;
      }
      case 'filter':
        return attnumOf(q.input, j);
      case 'scan':
        if (q.access === 'index' || q.reverse || (scan !== null && scan !== q)) return null;
        scan = q;
        return q.attnums[j] ?? null;
      default:
        return null;
    }
  };
  const attnums: number[] = [];
  for (const k of p.keys) {
    if (k.desc || k.expr.k !== 'col') return p;
    const a = attnumOf(p.input, k.expr.index);
    if (a === null) return p;
    attnums.push(a);
  }
  const found = scan as Extract<Plan, { n: 'scan' }> | null;
  if (found === null) return p;
  const pk = catalog.indexesOf(found.tableOid).find((i) => i.primary);
  const table = catalog.table(found.tableOid);
  if (!pk || !table || attnums.length > pk.keys.length) return p;
  for (let i = 0; i < attnums.length; i++) {
    const key = pk.keys[i]!;
    const col = table.columns.find((c) => c.attnum === key.attnum);
    if (key.desc || key.expr || key.attnum !== attnums[i] || !col || !['int2', 'int4', 'int8'].includes(col.type.id)) return p;
  }
  return p.input;
}

/** Whether the plan can run backward without materializing (ExecSupportsBackwardScan), for cursors declared neither SCROLL nor NO SCROLL. */
function supportsBackward(p: Plan): boolean {
  switch (p.n) {
    case 'scan':
    case 'values':
    case 'sort':
    case 'function_scan':
    case 'cte_scan':
      return true;
    case 'filter':
    case 'project':
    case 'limit':
    case 'subquery_scan':
      return supportsBackward(p.input);
    case 'append':
      return p.inputs.every(supportsBackward);
    case 'with':
      return supportsBackward(p.body);
    default:
      return false;
  }
}

function hasLocking(q: A.Statement): boolean {
  if (q.kind !== 'select') return false;
  return (q.locking?.length ?? 0) > 0 || (q.body.kind === 'select_core' && ((q.body as { locking?: unknown[] }).locking?.length ?? 0) > 0);
}

async function declare(s: Session, stmt: A.DeclareCursor, sql: string, params: readonly unknown[], paramTypes: SqlType[]): Promise<QueryResult> {
  const opts = new Set(stmt.options);
  const holdable = stmt.cursorOptions.includes('WITH HOLD');
  if (!holdable && !s.tx.inBlock()) {
    throw new SbError(SqlState.no_active_sql_transaction, 'DECLARE CURSOR can only be used in transaction blocks');
  }
  const name = s.dialect.foldIdentifier(stmt.name);
  const cursors = cursorsOf(s);
  if (cursors.has(name)) throw new SbError('42P03', `cursor "${name}" already exists`);
  if (hasLocking(stmt.query)) {
    if (opts.has('SCROLL')) {
      throw new SbError(SqlState.feature_not_supported, 'DECLARE SCROLL CURSOR ... FOR UPDATE is not supported', { detail: 'Scrollable cursors must be READ ONLY.' });
    }
    if (holdable) {
      throw new SbError(SqlState.feature_not_supported, 'DECLARE CURSOR WITH HOLD ... FOR UPDATE is not supported', { detail: 'Holdable cursors must be READ ONLY.' });
    }
    if (opts.has('INSENSITIVE')) {
      throw new SbError('42P11', 'DECLARE INSENSITIVE CURSOR ... FOR UPDATE is not valid', { detail: 'Insensitive cursors must be READ ONLY.' });
    }
  }
  const autocommit = !s.tx.inBlock();
  const txn = s.tx.ensureTxn();
  s.tx.started = true;
  txn.beginStatement();
  if (txn.isolation === 'read committed') txn.refreshSnapshot();
  let cursor: Cursor;
  try {
    const ev = s.evalContext();
    // $n parameters (extended protocol): bound with the statement's parameter types, their values fixed at DECLARE as in PostgreSQL.
    const { bound, paramTypes: types } = compileStatement(s, stmt.query, sql, paramTypes, [], ev, txn);
    if (types.length > params.length) {
      if (params.length === 0) throw new SbError(SqlState.undefined_parameter, `there is no parameter $${params.length + 1}`);
      throw new SbError(SqlState.protocol_violation, `bind message supplies ${params.length} parameters, but prepared statement "" requires ${types.length}`);
    }
    const values = params.map((v, i) => paramValue(v, types[i] ?? T.text, i, ev));
    if (bound.kind !== 'plan' || bound.tag !== 'SELECT') {
      throw new SbError(SqlState.syntax_error, 'DECLARE CURSOR must be a SELECT or VALUES query');
    }
    checkPlanPrivileges(s.catalog(), s.user.oid, bound);
    await s.lockPlanTables(bound.plan, txn, ev);
    const scrollable = opts.has('SCROLL') || (!opts.has('NO SCROLL') && !hasLocking(stmt.query) && supportsBackward(bound.plan));
    const ctx = s.execContext(txn, s.catalog(), values, ev);
    // The tree is the cursor's own: a cached plan's idle trees are never shared with it.
    const { source, stages } = splitRowStages(bound.plan, s.catalog());
    const op = buildOperator(source);
    openLimits(stages, ctx);
    op.open(ctx);
    cursor = new Cursor(
      name, sql, holdable, opts.has('BINARY'), scrollable, unixMsToPgMicros(s.core.platform.wallClockMs()), fieldsOf(bound.cols), op, ctx, txn, stages,
    );
    cursors.set(name, cursor);
    // ROLLBACK TO a savepoint taken before the DECLARE closes the cursor (so does a rollback of the transaction).
    if (!autocommit) {
      const c = cursor;
      s.tx.atRollback(() => {
        if (cursors.get(name) === c) {
          c.shut();
          cursors.delete(name);
        }
        return Promise.resolve();
      });
    }
    txn.endStatement();
  } catch (e) {
    txn.endStatement();
    if (autocommit) await s.tx.rollback();
    else s.tx.failed = true;
    throw e;
  }
  // WITH HOLD outside a block: the statement's own transaction commits, which reads the rows.
  if (autocommit) await s.tx.commit();
  return done('DECLARE CURSOR');
}

function fetchCount(e: A.Expr | undefined): number {
  if (!e) return 1;
  if (e.kind === 'number') return Number(e.value);
  if (e.kind === 'unary' && e.op === '-' && e.operand.kind === 'number') return -Number(e.operand.value);
  throw new SbError(SqlState.syntax_error, 'syntax error in FETCH count');
}

async function fetch(s: Session, stmt: A.Fetch): Promise<QueryResult> {
  const name = s.dialect.foldIdentifier(stmt.cursor);
  const c = cursorsOf(s).get(name);
  if (!c) throw missing(name);
  let direction: string;
  let count: number;
  switch (stmt.direction) {
    case undefined:
      direction = 'FORWARD';
      count = stmt.count ? fetchCount(stmt.count) : 1;
      break;
    case 'NEXT':
      direction = 'FORWARD';
      count = 1;
      break;
    case 'PRIOR':
      direction = 'BACKWARD';
      count = 1;
      break;
    case 'FIRST':
      direction = 'ABSOLUTE';
      count = 1;
      break;
    case 'LAST':
      direction = 'ABSOLUTE';
      count = -1;
      break;
    case 'ALL':
    case 'FORWARD ALL':
      direction = 'FORWARD';
      count = FETCH_ALL;
      break;
    case 'BACKWARD ALL':
      direction = 'BACKWARD';
      count = FETCH_ALL;
      break;
    default:
      direction = stmt.direction;
      count = fetchCount(stmt.count);
  }
  const out: unknown[][] | null = stmt.move ? null : [];
  let n: number;
  if (c.held || c.exhausted || !c.ctx) n = await c.fetch(direction, count, out);
  else {
    // Rows are pulled under this statement's interrupts (cancel, statement_timeout).
    const running = s.execContext(c.txn!, s.catalog(), [], s.evalContext());
    (c.ctx as { deadline: number }).deadline = running.deadline;
    c.ctx.cancelRequested = false;
    // (A CancelRequest reaches the cursor's context while it pulls: a scan's PAUSE, a lock wait, pg_sleep.)
    s.setRunning(c.ctx);
    try {
      n = await c.fetch(direction, count, out);
    } finally {
      s.setRunning(null);
    }
  }
  if (out === null) return done(`MOVE ${n}`);
  const r: QueryResult = { command: `FETCH ${out.length}`, rowCount: out.length, fields: c.fields.slice(), rows: out };
  if (c.binary) r.binary = true;
  return r;
}

/** The result fields a FETCH of this cursor returns (Describe). */
export function cursorFields(s: Session, stmt: A.Fetch): FieldInfo[] {
  if (stmt.move) return [];
  return cursorsOf(s).get(s.dialect.foldIdentifier(stmt.cursor))?.fields ?? [];
}
