// Set operations. UNION is DISTINCT over APPEND; INTERSECT and EXCEPT [ALL]
// count each distinct row (NULLs compare equal, as PostgreSQL's set
// operations treat them) on both sides in a hash table keyed by the rows'
// canonical hashes, then emit: INTERSECT min(l, r) copies (ALL) or one,
// EXCEPT max(l - r, 0) copies (ALL) or one when r = 0; in the left side's
// first-appearance order.

import type { SqlType } from '../types/types.ts';
import { BATCH_ROWS, type Batch, emptyBatch } from './batch.ts';
import { registerBuilder } from './build.ts';
import type { ExecContext } from './context.ts';
import { AppendOp, DistinctOp, groupKey } from './ops_basic.ts';
import { type Operator, PAUSE, type Step } from './operator.ts';


interface Counted {
  row: unknown[];
  left: number;
  right: number;
}

export class SetOpOp implements Operator {
  readonly width: number;
  private ctx!: ExecContext;
  private result: Counted[] | null = null;
  private pos = 0;
  /** Copies of result[pos] still to emit. */
  private copies = -1;

  constructor(
    private readonly left: Operator,
    private readonly right: Operator,
    private readonly op: 'intersect' | 'except',
    private readonly all: boolean,
    private readonly types: SqlType[],
  ) {
    this.width = left.width;
  }

  open(ctx: ExecContext): void {
    this.ctx = ctx;
    this.result = null;
    this.pos = 0;
    this.copies = -1;
    this.left.open(ctx);
    this.right.open(ctx);
  }

  close(): void {
    this.left.close();
    this.right.close();
    this.result = null;
  }

  private *count(): Generator<import('./operator.ts').Signal, Counted[], void> {
    const map = new Map<string, Counted>();
    const order: Counted[] = [];
    for (;;) {
      const b = yield* this.left.next();
      if (b === null) break;
      for (let i = 0; i < b.length; i++) {
        const row = b.cols.map((c) => c[i]);
        const k = groupKey(this.types, row);
        const e = map.get(k);
        if (e) e.left++;
        else {
          const n: Counted = { row, left: 1, right: 0 };
          map.set(k, n);
          order.push(n);
        }
      }
      if (this.ctx.tick()) yield PAUSE;
    }
    for (;;) {
      const b = yield* this.right.next();
      if (b === null) break;
      if (map.size === 0) continue;
      for (let i = 0; i < b.length; i++) {
        const e = map.get(groupKey(this.types, b.cols.map((c) => c[i])));
        if (e) e.right++;
      }
      if (this.ctx.tick()) yield PAUSE;
    }
    return order;
  }

  private copiesOf(e: Counted): number {
    if (this.op === 'intersect') return this.all ? Math.min(e.left, e.right) : e.right > 0 ? 1 : 0;
    return this.all ? Math.max(e.left - e.right, 0) : e.right === 0 ? 1 : 0;
  }

  *next(): Step {
    if (this.result === null) this.result = yield* this.count();
    const out: Batch = emptyBatch(this.width);
    while (out.length < BATCH_ROWS && this.pos < this.result.length) {
      const e = this.result[this.pos]!;
      if (this.copies < 0) this.copies = this.copiesOf(e);
      if (this.copies === 0) {
        this.pos++;
        this.copies = -1;
        continue;
      }
      for (let c = 0; c < this.width; c++) out.cols[c]!.push(e.row[c]);
      out.length++;
      this.copies--;
    }
    return out.length > 0 ? out : null;
  }
}

registerBuilder('setop', (plan, build) => {
  if (plan.n !== 'setop') throw new Error('setop builder: wrong node');
  const types = plan.cols.map((c) => c.type);
  const left = build(plan.left);
  const right = build(plan.right);
  if (plan.op === 'union') {
    const append = new AppendOp([left, right], plan.cols.length);
    return plan.all ? append : new DistinctOp(append, types);
  }
  return new SetOpOp(left, right, plan.op, plan.all, types);
});
