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
//      the scan runs forward or backward (order.ts);
//   7. a projection straight over a table scan has the scan read only the
//      columns it and the scan's own filter use (the rest are never decoded).
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
import { colsUsed, mapNodeExprs, mapPlan, remapCols, someExpr } from './walk.ts';

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
  p = pruneScanColumns(p);
  return p;
}

const hasSubplan = (e: Expr): boolean => someExpr(e, (x) => x.k === 'subquery' || x.k === 'sublink');

/**
 * Step 7. Only the shape project → scan, and not for scans that hand out
 * row keys or lock rows (UPDATE, DELETE, FOR UPDATE) or whose expressions
 * hold subqueries (their outer references index the scan's row).
 */
function pruneScanColumns(p: Plan): Plan {
  const q = mapPlan(p, pruneScanColumns);
  if (q.n !== 'project' || q.input.n !== 'scan') return q;
  const s = q.input;
  if (s.withRowKey || s.forUpdate) return q;
  const bounds = s.bound ? [...s.bound.eq, ...(s.bound.lo ? [s.bound.lo.expr] : []), ...(s.bound.hi ? [s.bound.hi.expr] : [])] : [];
  if (bounds.some((e) => colsUsed(e).size > 0 || hasSubplan(e))) return q;
  const exprs = s.filter ? [...q.exprs, s.filter] : q.exprs;
  if (exprs.some(hasSubplan)) return q;
  const used = new Set<number>();
  for (const e of exprs) colsUsed(e, used);
  // A scan produces at least one column (SELECT 1 FROM t still counts its rows).
  if (used.size === 0) used.add(0);
  if (used.size >= s.attnums.length) return q;
  const keep = [...used].sort((a, b) => a - b);
  const to = new Map(keep.map((old, i) => [old, i]));
  const re = (e: Expr): Expr => remapCols(e, (i, c) => ({ ...c, index: to.get(i)! }));
  const scan: Plan = {
    ...s,
    attnums: keep.map((i) => s.attnums[i]!),
    cols: keep.map((i) => s.cols[i]!),
    ...(s.filter ? { filter: re(s.filter) } : {}),
  };
  return { ...q, input: scan, exprs: q.exprs.map(re) };
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
