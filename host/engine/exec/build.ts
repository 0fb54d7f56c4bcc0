// Builds the operator tree of a plan, and runs subplans for expressions.

import type { Plan } from '../plan/nodes.ts';
import type { ExecContext } from './context.ts';
import { compileExpr, type CompileEnv, type VecFn } from './expr.ts';
import { AppendOp, DistinctOp, FilterOp, LimitOp, ProjectOp, ResultOp, SortOp, ValuesOp } from './ops_basic.ts';
import { ScanOp } from './ops_scan.ts';
import { ModifyOp } from './ops_modify.ts';
import { notSupported, type Operator } from './operator.ts';

export const compileEnv: CompileEnv = {
  runSubplan(plan: Plan, ctx: ExecContext, limit?: number): unknown[][] {
    return runSync(buildOperator(plan), ctx, limit);
  },
};

function ce(e: Parameters<typeof compileExpr>[0]): VecFn {
  return compileExpr(e, compileEnv);
}

/** Extra operator builders contributed by other modules (joins, aggregation...). */
const builders = new Map<string, (plan: Plan, build: (p: Plan) => Operator) => Operator>();

export function registerBuilder(kind: Plan['n'], fn: (plan: Plan, build: (p: Plan) => Operator) => Operator): void {
  builders.set(kind, fn);
}

/** Aggregates run as vector programs over the column cache (ops_colagg.ts registers it): null = the ordinary builder. */
let columnarAggregate: ((plan: Plan, build: (p: Plan) => Operator) => Operator | null) | undefined;

export function registerColumnarAggregate(fn: (plan: Plan, build: (p: Plan) => Operator) => Operator | null): void {
  columnarAggregate = fn;
}

/**
 * A scan's 0-based column positions, one array per plan node: a cached plan
 * rebuilt into operators on every execution hands the same array each time,
 * so TableAccess.decoder finds its decoder by identity.
 */
const positionsByPlan = new WeakMap<Plan, number[]>();
function scanPositions(plan: Extract<Plan, { n: 'scan' }>): number[] {
  let p = positionsByPlan.get(plan);
  if (!p) positionsByPlan.set(plan, (p = plan.attnums.map((a) => a - 1)));
  return p;
}

export function buildOperator(plan: Plan): Operator {
  if (plan.n === 'aggregate' && columnarAggregate) {
    const op = columnarAggregate(plan, buildOperator);
    if (op) return op;
  }
  switch (plan.n) {
    case 'result':
      return new ResultOp(plan.exprs.map(ce));
    case 'values':
      return new ValuesOp(plan.rows.map((r) => r.map(ce)), plan.cols.length);
    case 'scan':
      return new ScanOp({
        tableOid: plan.tableOid,
        positions: scanPositions(plan),
        access: plan.access,
        indexOid: plan.indexOid,
        bounds: plan.bound && {
          eq: plan.bound.eq.map(ce),
          lo: plan.bound.lo && { fn: ce(plan.bound.lo.expr), inclusive: plan.bound.lo.inclusive },
          hi: plan.bound.hi && { fn: ce(plan.bound.hi.expr), inclusive: plan.bound.hi.inclusive },
        },
        reverse: plan.reverse,
        filter: plan.filter && ce(plan.filter),
        withRowKey: plan.withRowKey,
        forUpdate: plan.forUpdate,
        lockWait: plan.lockWait,
        ...(plan.lockStrength ? { lockStrength: plan.lockStrength } : {}),
      });
    case 'filter':
      return new FilterOp(buildOperator(plan.input), ce(plan.pred));
    case 'project':
      return new ProjectOp(buildOperator(plan.input), plan.exprs.map(ce));
    case 'sort':
      return new SortOp(buildOperator(plan.input), plan.keys.map((k) => ({ fn: ce(k.expr), type: k.expr.type, desc: k.desc, nullsFirst: k.nullsFirst })));
    case 'limit':
      return new LimitOp(buildOperator(plan.input), plan.count && ce(plan.count), plan.offset && ce(plan.offset),
        plan.withTies?.map((k) => ({ fn: ce(k.expr), type: k.expr.type, desc: k.desc, nullsFirst: k.nullsFirst })));
    case 'distinct':
      return new DistinctOp(buildOperator(plan.input), plan.cols.map((c) => c.type),
        plan.on && { fns: plan.on.map(ce), types: plan.on.map((e) => e.type) });
    case 'append':
      return new AppendOp(plan.inputs.map(buildOperator), plan.cols.length);
    case 'subquery_scan':
      return buildOperator(plan.input);
    case 'modify':
      return new ModifyOp(buildOperator(plan.input), {
        op: plan.op,
        tableOid: plan.tableOid,
        checks: (plan.checks ?? []).map((c) => ({ name: c.name, fn: ce(c.expr), ...(c.view ? { view: true } : {}) })),
        returning: plan.returning?.map(ce),
        fkDefaults: plan.fkDefaults && new Map(plan.fkDefaults.map((d) => [`${d.tableOid}:${d.attnum}`, ce(d.expr)])),
        recheck: plan.recheck && { where: plan.recheck.where && ce(plan.recheck.where), newRow: plan.recheck.newRow?.map(ce) },
        onConflict: plan.onConflict && {
          action: plan.onConflict.action,
          indexOid: plan.onConflict.indexOid,
          newRow: plan.onConflict.newRow?.map(ce),
          where: plan.onConflict.where && ce(plan.onConflict.where),
        },
      }, plan.returning?.length ?? 0);
    default: {
      const b = builders.get(plan.n);
      if (b) return b(plan, buildOperator);
      throw notSupported(`the plan node "${plan.n}"`);
    }
  }
}

/** Runs an operator to completion synchronously (subqueries: reads, which never wait). */
export function runSync(op: Operator, ctx: ExecContext, limit = Infinity): unknown[][] {
  const rows: unknown[][] = [];
  op.open(ctx);
  try {
    while (rows.length < limit) {
      const gen = op.next();
      let r = gen.next();
      while (!r.done) {
        if (r.value.kind === 'wait') throw notSupported('waiting for a lock inside a subquery');
        // A subquery cannot pause (it runs inside an expression); it still stops at the deadline or a cancel seen earlier.
        ctx.checkInterrupts();
        r = gen.next();
      }
      const b = r.value;
      if (b === null) break;
      for (let i = 0; i < b.length && rows.length < limit; i++) rows.push(b.cols.map((c) => c[i]));
    }
  } finally {
    op.close();
  }
  return rows;
}
