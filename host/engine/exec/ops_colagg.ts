// Columnar Aggregate: an Aggregate(Filter*(Scan t)) plan run as a vector
// program (vprog.ts, wasm/exec/vprog.ts) over the column cache
// (colcache.ts), with the ordinary hash aggregation over rows as its
// fallback. docs/design/columnar.md is the contract.
//
// The first next() asks the cache for the columns (a promise: the operator
// yields PAUSE until it settles, so the driver serves the event loop while a
// build scans), compiles the program against the vectors it got, runs it in
// slices (PAUSE between them when the time slice is used up), and reads the
// groups back. Any "no": the cache declines (setting off, table too small,
// written by this transaction, stale), a column it cannot hold, an
// expression the compiler does not take, a kernel overflow -- and the
// HashAggOp over the row scan runs instead, as if this operator were not
// there. A driver that does not serve pauses (runSync: subqueries) gets the
// row path at once.

import type { Plan } from '../plan/nodes.ts';
import { SbError, SqlState } from '../sb_error.ts';
import { BATCH_ROWS } from './batch.ts';
import { compileEnv, registerColumnarAggregate } from './build.ts';
import { explainHooks } from '../plan/explain.ts';
import { COLKIND, colCacheDeclinesNow, colKindOf, type ColumnSnapshot, getColumns } from './colcache.ts';
import { compileExpr } from './expr.ts';
import { execKernels } from './kernels.ts';
import { BaseOp } from './ops_basic.ts';
import { compileAggs, HashAggOp } from './ops_agg.ts';
import { type Operator, PAUSE, type Step } from './operator.ts';
import { type AggShape, aggShape, compileProgram, type ProgramRunner, programOutput, typeSource, Unsupported, VectorProgram } from './vprog.ts';
import { columnBits, JitProgram } from './vprog_jit.ts';

/** Per cached i64 column vector: b with |x| <= 2^b over its rows (columnBits, one pass; a vector's
 *  values never change while it exists), so later programs over it skip their overflow tests when
 *  the bounds allow (vprog_jit.ts). */
const colBitsCache = new WeakMap<object, { ptr: number; rows: number; bits: number }>();

/** Rows per kernel call between time-slice checks. */
const SLICE_ROWS = 1 << 16;

/** Counters for tests and the bench: how many aggregates ran columnar, and why others did not. */
export const colAggStats = { columnar: 0, fallback: 0, lastFallback: '' };

type AggPlan = Extract<Plan, { n: 'aggregate' }>;

export class ColumnarAggOp extends BaseOp {
  /** The row path, opened with this operator (its scan's cursor must open when the plain one would: a data-modifying CTE runs in between). */
  private rows: Operator | null = null;
  private fallback: Operator | null = null;
  private out: unknown[][] | null = null;
  private outLength = 0;
  private pos = 0;
  private snap: ColumnSnapshot | null = null;
  private prog: ProgramRunner | null = null;
  /** Bumped at open and close: a getColumns answer for an earlier run releases its snapshot at once. */
  private run = 0;
  /** The path the last run took (EXPLAIN ANALYZE): null = columnar, else why the row path ran; undefined before a first next(). */
  ranRowPathBecause: string | null | undefined = undefined;

  constructor(
    private readonly plan: AggPlan,
    private readonly shape: AggShape,
    private readonly build: (p: Plan) => Operator,
  ) {
    super(plan.cols.length);
  }

  override open(ctx: import('./context.ts').ExecContext): void {
    super.open(ctx);
    this.run++;
    this.fallback = null;
    this.rows = this.rowPath();
    this.rows.open(ctx);
    this.out = null;
    this.pos = 0;
  }

  override close(): void {
    this.run++;
    this.rows?.close();
    this.rows = null;
    this.fallback = null;
    this.out = null;
    this.cleanup();
  }

  private cleanup(): void {
    this.prog?.free();
    this.prog = null;
    this.snap?.release();
    this.snap = null;
  }

  private rowPath(): Operator {
    const p = this.plan;
    return new HashAggOp(
      this.build(p.input),
      p.groups.map((g) => compileExpr(g, compileEnv)),
      p.groups.map((g) => g.type),
      compileAggs(p.aggs),
      p.groupingSets,
    );
  }

  *next(): Step {
    if (this.fallback) return yield* this.fallback.next();
    if (this.out === null) {
      const why = yield* this.columnar();
      this.cleanup();
      this.ranRowPathBecause = why;
      if (why !== null) {
        colAggStats.fallback++;
        colAggStats.lastFallback = why;
        this.fallback = this.rows;
        return yield* this.fallback!.next();
      }
    }
    if (this.pos >= this.outLength) return null;
    const end = Math.min(this.outLength, this.pos + BATCH_ROWS);
    const from = this.pos;
    this.pos = end;
    return { length: end - from, cols: this.out!.map((c) => c.slice(from, end)) };
  }

  /** Runs the program; null when it did (this.out set), else why not. */
  private *columnar(): Generator<import('./operator.ts').Signal, string | null, void> {
    const ctx = this.ctx;
    const k = execKernels();
    if (k === null) return 'exec kernels not loaded';
    // The columns, through the cache (a promise served by pausing), unless it surely declines.
    if (colCacheDeclinesNow(ctx, this.shape.tableOid)) return 'column cache declined';
    let settled = false;
    let snap: ColumnSnapshot | null = null;
    let failure: unknown = null;
    const run = this.run;
    getColumns(ctx, this.shape.tableOid, this.shape.needed).then(
      (s) => {
        settled = true;
        snap = s;
        if (run !== this.run) s?.release(); // closed (cancelled, failed) while waiting
      },
      (e: unknown) => { settled = true; failure = e; },
    );
    while (!settled) {
      let served = false;
      queueMicrotask(() => (served = true));
      yield PAUSE;
      if (!settled && !served) {
        // Resumed without the event loop turning: a synchronous driver. The snapshot is given back when it comes.
        this.run++;
        return 'synchronous driver';
      }
    }
    if (failure !== null) {
      if (failure instanceof SbError && failure.code === SqlState.query_canceled) throw failure;
      return `column cache failed: ${String(failure)}`;
    }
    const got = snap as ColumnSnapshot | null;
    if (got === null) return 'column cache declined';
    this.snap = got;
    const s: ColumnSnapshot = got;
    let compiled;
    try {
      compiled = compileProgram(this.shape, s, { ctx, env: compileEnv });
      // Compiled to its own WebAssembly function when the JIT takes it (vprog_jit.ts), else the interpreter kernel.
      const bits = new Map<number, number>();
      for (const attno of this.shape.needed) {
        const c = s.column(attno);
        if (!c || c.kind !== COLKIND.I64 || c.ptr === 0) continue;
        let known = colBitsCache.get(c);
        if (!known || known.ptr !== c.ptr || known.rows !== s.rows) {
          known = { ptr: c.ptr, rows: s.rows, bits: columnBits(k, c.ptr, s.rows) };
          colBitsCache.set(c, known);
        }
        bits.set(c.ptr, known.bits);
      }
      this.prog = JitProgram.create(k, compiled.builder, compiled.directRange, (addr) => bits.get(addr))
        ?? new VectorProgram(k, compiled.builder, compiled.directRange);
    } catch (e) {
      if (e instanceof Unsupported) return `unsupported: ${e.message}`;
      throw e;
    }
    const prog = this.prog;
    for (let start = 0; start < s.rows; start += SLICE_ROWS) {
      if (!prog.run(start, Math.min(SLICE_ROWS, s.rows - start))) return 'overflow';
      if (ctx.tick()) yield PAUSE;
    }
    this.out = programOutput(compiled, prog, this.plan.groups.length > 0);
    this.outLength = this.out[0]?.length ?? 0;
    colAggStats.columnar++;
    return null;
  }
}

/** Whether a plan would be tried as a vector program (static: column kinds from the types). */
export function columnarShape(plan: Plan): AggShape | null {
  const shape = aggShape(plan);
  if (!shape) return null;
  let scan: Plan = (plan as AggPlan).input;
  while (scan.n === 'filter') scan = scan.input;
  if (scan.n !== 'scan') return null;
  const types = new Map<number, import('../types/types.ts').SqlType>();
  scan.cols.forEach((c, i) => types.set(scan.attnums[i]!, c.type));
  try {
    compileProgram(shape, typeSource(types, colKindOf), { ctx: null, env: compileEnv });
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
  return shape;
}

/** The builder hook (build.ts): a ColumnarAggOp when the plan has the shape, else null. */
export function buildColumnarAggregate(plan: Plan, build: (p: Plan) => Operator): Operator | null {
  if (plan.n !== 'aggregate') return null;
  const shape = columnarShape(plan);
  return shape ? new ColumnarAggOp(plan, shape, build) : null;
}

registerColumnarAggregate(buildColumnarAggregate);
explainHooks.aggregateLabel = (p) => (columnarShape(p) ? 'Columnar Aggregate' : null);
