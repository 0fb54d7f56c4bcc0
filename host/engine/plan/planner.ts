// The planning pass between the binder and the compiler:
//
//   1. constant folding of every expression (fold.ts), subplans included;
//   2. predicate pushdown (pushdown.ts): filters into scans and join inputs;
//   3. join ordering and join methods (join_order.ts);
//   4. access paths: each scan's filter priced as key ranges on the primary
//      key and the indexes against a full scan (access.ts, estimate.ts);
//   5. a filter or scan whose predicate folded to FALSE/NULL reads nothing;
//   6. a sort the scan order already gives (ORDER BY a leading part of the
//      primary key or of the scanned index, either direction) is dropped and
//      the scan runs forward or backward (order.ts).
//
// The input is the binder's plan; the output is the same node vocabulary,
// which the compiler encodes to bytecode.

import type { EvalContext } from '../functions/context.ts';
import type { Expr, Plan } from './nodes.ts';
import { foldExpr } from './fold.ts';
import { pushDown } from './pushdown.ts';
import { orderJoins } from './join_order.ts';
import { pickAccess } from './access.ts';
import { elideSorts } from './order.ts';
import type { PlanEnv } from './estimate.ts';
import { mapNodeExprs, mapPlan } from './walk.ts';

export interface PlannerEnv extends PlanEnv {
  /** Evaluation context for constant folding (settings such as TimeZone). */
  ev: EvalContext;
}

export function planQuery(env: PlannerEnv, plan: Plan): Plan {
  let p = foldAll(env, plan);
  p = pushDown(p);
  p = orderJoins(env, p);
  p = finish(env, p);
  p = elideSorts(env.catalog, p);
  return p;
}

function foldAll(env: PlannerEnv, p: Plan): Plan {
  const sub = (q: Plan): Plan => planQuery(env, q);
  const folded = mapNodeExprs(p, (e) => foldExpr(e, env.ev, sub));
  return mapPlan(folded, (c) => foldAll(env, c));
}

function isFalse(e: Expr | undefined): boolean {
  return e !== undefined && e.k === 'const' && (e.value === false || e.value === null);
}

/** Bottom-up: access paths; constant-false filters become an empty relation. */
function finish(env: PlannerEnv, p: Plan): Plan {
  const q = mapPlan(p, (c) => finish(env, c));
  if (q.n === 'scan') {
    if (isFalse(q.filter)) return { n: 'values', cols: q.cols.concat(q.withRowKey ? [{ name: 'rowkey', type: q.cols[0]?.type ?? { id: 'bytea', typmod: -1 } }] : []), rows: [] };
    return pickAccess(env, q).plan;
  }
  if (q.n === 'filter') {
    if (isFalse(q.pred)) return { n: 'values', cols: q.cols, rows: [] };
    if (q.pred.k === 'const' && q.pred.value === true) return q.input;
  }
  return q;
}
