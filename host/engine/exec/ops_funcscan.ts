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
import type { ColInfo, Expr } from '../plan/nodes.ts';
import { BATCH_ROWS, type Batch, emptyBatch } from './batch.ts';
import { compileEnv, registerBuilder } from './build.ts';
import type { ExecContext } from './context.ts';
import { compileExpr, type VecFn } from './expr.ts';
import { type Operator, PAUSE, type Step } from './operator.ts';

/** One function of a scan: its rows as arrays of `width` values. */
export interface FuncSource {
  impl: SetFunctionImpl;
  args: VecFn[];
  call: CallInfo;
  width: number;
  /** unnest(a, b, ...): each argument is an array of its own (one column each). */
  zipArgs: boolean;
}

export class FunctionScanOp implements Operator {
  private ctx!: ExecContext;
  /** One iterator per output group (a function, or an array of a multi-argument unnest); null once exhausted. */
  private iters: Array<{ it: Iterator<unknown> | null; width: number; scalar: boolean }> = [];
  private ord = 0;
  private done = false;

  constructor(
    readonly width: number,
    private readonly sources: FuncSource[],
    private readonly ordinality: boolean,
  ) {}

  open(ctx: ExecContext): void {
    this.ctx = ctx;
    this.ord = 0;
    this.done = false;
    this.iters = [];
    const one: Batch = { length: 1, cols: [] };
    for (const src of this.sources) {
      const values = src.args.map((f) => f(one, ctx)[0]);
      if (src.zipArgs) {
        for (const v of values) this.iters.push({ it: v === null ? null : (v as SqlArray).values[Symbol.iterator](), width: 1, scalar: true });
        continue;
      }
      const it = src.impl.strict && values.some((v) => v === null) ? null : src.impl.fn(values, ctx.ev, src.call)[Symbol.iterator]();
      this.iters.push({ it, width: src.width, scalar: src.width === 1 });
    }
  }

  close(): void {
    this.iters = [];
  }

  *next(): Step {
    if (this.done) return null;
    const out = emptyBatch(this.width);
    while (out.length < BATCH_ROWS) {
      let any = false;
      let c = 0;
      for (const g of this.iters) {
        const r = g.it ? g.it.next() : undefined;
        if (!r || r.done) {
          g.it = null;
          for (let k = 0; k < g.width; k++) out.cols[c++]!.push(null);
          continue;
        }
        any = true;
        if (g.scalar) out.cols[c++]!.push(r.value ?? null);
        else {
          const vals = r.value as unknown[];
          for (let k = 0; k < g.width; k++) out.cols[c++]!.push(vals[k] ?? null);
        }
      }
      if (!any) {
        // Undo the padding pushed for this (non-existent) row.
        for (let k = 0; k < c; k++) out.cols[k]!.length = out.length;
        this.done = true;
        break;
      }
      if (this.ordinality) out.cols[this.width - 1]!.push(++this.ord);
      out.length++;
    }
    if (out.length === 0) return null;
    if (this.ctx.tick()) yield PAUSE;
    return out;
  }
}

function sourceOf(fn: string, oid: number, args: Expr[], cols: ColInfo[]): FuncSource {
  const impl = registry.byOid.get(oid);
  if (!impl || !('retSet' in impl)) throw new SbError(SqlState.internal_error, `function ${fn} (oid ${oid}) is not a set-returning function`);
  const zipArgs = fn === 'unnest' && args.length > 1;
  const retType: SqlType = cols.length === 1 ? cols[0]!.type : recordOf(cols.map((c) => c.type));
  return {
    impl: impl as SetFunctionImpl, args: args.map((e) => compileExpr(e, compileEnv)),
    call: { argTypes: args.map((a) => a.type), retType }, width: cols.length, zipArgs,
  };
}

registerBuilder('function_scan', (plan) => {
  if (plan.n !== 'function_scan') throw new Error('function_scan builder: wrong node');
  const fnCols = plan.cols.slice(0, plan.ordinality ? -1 : undefined);
  const more = plan.more ?? [];
  // The first function's columns are what the others (one column each) leave.
  const firstWidth = fnCols.length - more.length;
  const sources = [sourceOf(plan.fn, plan.oid, plan.args, fnCols.slice(0, firstWidth))];
  more.forEach((m, i) => sources.push(sourceOf(m.fn, m.oid, m.args, [fnCols[firstWidth + i]!])));
  return new FunctionScanOp(plan.cols.length, sources, plan.ordinality);
});
