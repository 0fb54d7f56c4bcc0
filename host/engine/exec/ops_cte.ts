// WITH at run time. WithOp registers one CteStore per CTE for the statement
// (keyed by the CTE's id) when it opens, so every cte_scan below it, including
// those of subqueries built later, reads the same rows. A store pulls its
// producer lazily, one batch at a time, as its fastest reader needs rows:
// each CTE runs once, and a recursive CTE read under a LIMIT stops early
// (as in PostgreSQL). Data-modifying CTEs are run to completion first.
//
// RecursiveUnionOp evaluates `anchor UNION [ALL] step`: the step is re-opened
// once per iteration with its self-reference bound to the work table (the
// rows the previous iteration produced) until an iteration produces nothing;
// UNION drops rows already produced, so cyclic data terminates.

import { SbError, SqlState } from '../sb_error.ts';
import type { SqlType } from '../types/types.ts';
import type { Batch } from './batch.ts';
import { registerBuilder } from './build.ts';
import type { ExecContext } from './context.ts';
import { groupKey } from './ops_basic.ts';
import { type Operator, PAUSE, type Signal, type Step } from './operator.ts';

/** Rows of one CTE, produced on demand and shared by its readers. */
export class CteStore {
  readonly batches: Batch[] = [];
  private done = false;
  private opened = false;
  constructor(private readonly producer: Operator | null, private readonly ctx: ExecContext) {
    if (producer === null) this.done = true;
  }

  static of(batches: Batch[], ctx: ExecContext): CteStore {
    const s = new CteStore(null, ctx);
    s.batches.push(...batches);
    return s;
  }

  /** The i-th batch, producing it if needed; null past the end. */
  *read(i: number): Generator<Signal, Batch | null, void> {
    while (i >= this.batches.length) {
      if (this.done) return null;
      if (!this.opened) {
        this.opened = true;
        this.producer!.open(this.ctx);
      }
      const b = yield* this.producer!.next();
      if (b === null) {
        this.done = true;
        this.producer!.close();
      } else if (b.length > 0) this.batches.push(b);
    }
    return this.batches[i]!;
  }

  *fill(): Generator<Signal, void, void> {
    for (let i = 0; ; i++) if ((yield* this.read(i)) === null) return;
  }

  close(): void {
    if (this.opened && !this.done) this.producer!.close();
    this.done = true;
  }
}

const storesByCtx = new WeakMap<ExecContext, Map<number, CteStore>>();

function storesOf(ctx: ExecContext): Map<number, CteStore> {
  let m = storesByCtx.get(ctx);
  if (!m) {
    m = new Map();
    storesByCtx.set(ctx, m);
  }
  return m;
}

export class CteScanOp implements Operator {
  private store: CteStore | null = null;
  private i = 0;
  constructor(readonly width: number, private readonly cteId: number) {}
  open(ctx: ExecContext): void {
    const s = storesOf(ctx).get(this.cteId);
    if (!s) throw new SbError(SqlState.internal_error, `CTE ${this.cteId} read outside its WITH`);
    this.store = s;
    this.i = 0;
  }
  *next(): Step {
    const b = yield* this.store!.read(this.i);
    if (b !== null) this.i++;
    return b;
  }
  close(): void {
    this.store = null;
  }
}

interface CteSpec {
  id: number;
  op: Operator;
  dml: boolean;
}

export class WithOp implements Operator {
  readonly width: number;
  private ctx!: ExecContext;
  private stores: CteStore[] = [];
  private saved: Array<[number, CteStore | undefined]> = [];
  private started = false;
  constructor(private readonly ctes: CteSpec[], private readonly body: Operator) {
    this.width = body.width;
  }
  /** Rows affected when the body is INSERT / UPDATE / DELETE (the command tag's count). */
  get count(): number | undefined {
    return (this.body as { count?: number }).count;
  }
  open(ctx: ExecContext): void {
    this.ctx = ctx;
    this.started = false;
    const map = storesOf(ctx);
    this.saved = [];
    this.stores = [];
    for (const c of this.ctes) {
      const s = new CteStore(c.op, ctx);
      this.saved.push([c.id, map.get(c.id)]);
      map.set(c.id, s);
      this.stores.push(s);
    }
    this.body.open(ctx);
  }
  *next(): Step {
    if (!this.started) {
      this.started = true;
      for (let i = 0; i < this.ctes.length; i++) if (this.ctes[i]!.dml) yield* this.stores[i]!.fill();
    }
    return yield* this.body.next();
  }
  close(): void {
    this.body.close();
    for (const s of this.stores) s.close();
    const map = storesOf(this.ctx);
    for (const [id, prev] of this.saved) {
      if (prev) map.set(id, prev);
      else map.delete(id);
    }
    this.stores = [];
  }
}

export class RecursiveUnionOp implements Operator {
  readonly width: number;
  private ctx!: ExecContext;
  private phase: 'anchor' | 'step' | 'done' = 'anchor';
  private seen = new Set<string>();
  /** Rows of the previous iteration (the work table) and of the current one. */
  private work: Batch[] = [];
  private next_: Batch[] = [];
  private stepOpen = false;

  constructor(
    private readonly anchor: Operator,
    private readonly step: Operator,
    private readonly all: boolean,
    private readonly cteId: number,
    private readonly types: SqlType[],
  ) {
    this.width = anchor.width;
  }

  open(ctx: ExecContext): void {
    this.ctx = ctx;
    this.phase = 'anchor';
    this.seen = new Set();
    this.work = [];
    this.next_ = [];
    this.stepOpen = false;
    this.anchor.open(ctx);
  }

  close(): void {
    if (this.phase === 'anchor') this.anchor.close();
    if (this.stepOpen) this.step.close();
    this.stepOpen = false;
    this.phase = 'done';
  }

  /** Keeps the rows not produced before (UNION); every row for UNION ALL. */
  private dedupe(b: Batch): Batch | null {
    if (b.length === 0) return null;
    if (this.all) return b;
    const sel: number[] = [];
    for (let i = 0; i < b.length; i++) {
      const k = groupKey(this.types, b.cols.map((c) => c[i]));
      if (this.seen.has(k)) continue;
      this.seen.add(k);
      sel.push(i);
    }
    if (sel.length === 0) return null;
    if (sel.length === b.length) return b;
    return { length: sel.length, cols: b.cols.map((c) => sel.map((i) => c[i])) };
  }

  /** Starts the next iteration over the rows of the last one; false when there are none. */
  private startIteration(): boolean {
    if (this.stepOpen) this.step.close();
    this.stepOpen = false;
    this.work = this.next_;
    this.next_ = [];
    if (this.work.length === 0) return false;
    const map = storesOf(this.ctx);
    const prev = map.get(this.cteId);
    map.set(this.cteId, CteStore.of(this.work, this.ctx));
    try {
      this.step.open(this.ctx);
      this.stepOpen = true;
    } finally {
      if (prev) map.set(this.cteId, prev);
      else map.delete(this.cteId);
    }
    return true;
  }

  *next(): Step {
    for (;;) {
      if (this.phase === 'done') return null;
      if (this.phase === 'anchor') {
        const b = yield* this.anchor.next();
        if (b === null) {
          this.anchor.close();
          this.phase = 'step';
          if (!this.startIteration()) this.phase = 'done';
          continue;
        }
        const kept = this.dedupe(b);
        if (kept) {
          this.next_.push(kept);
          return kept;
        }
        continue;
      }
      const b = yield* this.step.next();
      if (b === null) {
        if (!this.startIteration()) this.phase = 'done';
        if (this.ctx.tick()) yield PAUSE;
        continue;
      }
      const kept = this.dedupe(b);
      if (kept) {
        this.next_.push(kept);
        return kept;
      }
    }
  }
}

registerBuilder('cte_scan', (plan) => {
  if (plan.n !== 'cte_scan') throw new Error('cte_scan builder: wrong node');
  return new CteScanOp(plan.cols.length, plan.cteId);
});

registerBuilder('with', (plan, build) => {
  if (plan.n !== 'with') throw new Error('with builder: wrong node');
  const specs: CteSpec[] = plan.ctes.map((c) => {
    const op = c.recursive
      ? new RecursiveUnionOp(build(c.recursive.anchor), build(c.recursive.step), c.recursive.all, c.id, c.recursive.anchor.cols.map((x) => x.type))
      : build(c.plan);
    return { id: c.id, op, dml: !c.recursive && c.plan.n === 'modify' };
  });
  return new WithOp(specs, build(plan.body));
});
