// Function scans: a set-returning function in FROM. The arguments are
// evaluated when the scan opens (a LATERAL scan is re-opened per outer row),
// the function's rows are pulled lazily, BATCH_ROWS at a time, so an endless
// generate_series under a LIMIT stops. unnest with several arrays zips them,
// padding the shorter ones with NULLs; WITH ORDINALITY appends a bigint
// row number.

import { SbError, SqlState } from '../sb_error.ts';
import { registry, type CallInfo, type SetFunctionImpl } from '../functions/registry.ts';
import type { SqlArray } from '../types/array.ts';
import { recordOf, type SqlType } from '../types/types.ts';
import { BATCH_ROWS, type Batch, emptyBatch } from './batch.ts';
import { compileEnv, registerBuilder } from './build.ts';
import type { ExecContext } from './context.ts';
import { compileExpr, type VecFn } from './expr.ts';
import { type Operator, PAUSE, type Step } from './operator.ts';

export class FunctionScanOp implements Operator {
  private ctx!: ExecContext;
  private iters: Array<Iterator<unknown> | null> = [];
  private ord = 0;
  private done = false;

  constructor(
    readonly width: number,
    private readonly impl: SetFunctionImpl,
    private readonly args: VecFn[],
    private readonly call: CallInfo,
    /** Output columns of the function (1 = scalar values, more = arrays per row). */
    private readonly fnWidth: number,
    private readonly ordinality: boolean,
    /** unnest(a, b, ...): each argument is its own array. */
    private readonly zipped: boolean,
  ) {}

  open(ctx: ExecContext): void {
    this.ctx = ctx;
    this.ord = 0;
    this.done = false;
    const one: Batch = { length: 1, cols: [] };
    const values = this.args.map((f) => f(one, ctx)[0]);
    if (this.zipped) {
      this.iters = values.map((v) => (v === null ? null : (v as SqlArray).values[Symbol.iterator]()));
      return;
    }
    if (this.impl.strict && values.some((v) => v === null)) {
      this.iters = [null];
      return;
    }
    this.iters = [this.impl.fn(values, ctx.ev, this.call)[Symbol.iterator]()];
  }

  close(): void {
    this.iters = [];
  }

  *next(): Step {
    if (this.done) return null;
    const out = emptyBatch(this.width);
    while (out.length < BATCH_ROWS) {
      if (this.zipped) {
        let any = false;
        const row: unknown[] = [];
        for (let k = 0; k < this.iters.length; k++) {
          const it = this.iters[k];
          const r = it ? it.next() : { done: true, value: undefined };
          if (r.done) {
            this.iters[k] = null;
            row.push(null);
          } else {
            any = true;
            row.push(r.value ?? null);
          }
        }
        if (!any) {
          this.done = true;
          break;
        }
        for (let c = 0; c < row.length; c++) out.cols[c]!.push(row[c]);
      } else {
        const it = this.iters[0];
        const r = it ? it.next() : { done: true, value: undefined };
        if (r.done) {
          this.done = true;
          break;
        }
        if (this.fnWidth === 1) out.cols[0]!.push(r.value ?? null);
        else {
          const vals = r.value as unknown[];
          for (let c = 0; c < this.fnWidth; c++) out.cols[c]!.push(vals[c] ?? null);
        }
      }
      if (this.ordinality) out.cols[this.width - 1]!.push(++this.ord);
      out.length++;
    }
    if (out.length === 0) return null;
    if (this.ctx.tick()) yield PAUSE;
    return out;
  }
}

registerBuilder('function_scan', (plan) => {
  if (plan.n !== 'function_scan') throw new Error('function_scan builder: wrong node');
  const impl = registry.byOid.get(plan.oid);
  if (!impl || !('retSet' in impl)) throw new SbError(SqlState.internal_error, `function ${plan.fn} (oid ${plan.oid}) is not a set-returning function`);
  const fnCols = plan.cols.slice(0, plan.ordinality ? -1 : undefined);
  const zipped = plan.fn === 'unnest' && plan.args.length > 1;
  const retType: SqlType = fnCols.length === 1 ? fnCols[0]!.type : recordOf(fnCols.map((c) => c.type));
  return new FunctionScanOp(plan.cols.length, impl as SetFunctionImpl, plan.args.map((e) => compileExpr(e, compileEnv)),
    { argTypes: plan.args.map((a) => a.type), retType }, fnCols.length, plan.ordinality, zipped);
});
