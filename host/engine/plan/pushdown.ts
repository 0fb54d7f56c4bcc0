// Predicate pushdown: WHERE conjuncts move as close to the rows they test as
// their meaning allows.
//
//   - into a table scan's filter (where access.ts can turn them into a key range);
//   - through projections (column references replaced by the projected
//     expressions, when those are movable), subquery scans, sorts and plain
//     DISTINCT;
//   - inner / cross joins: a conjunct over one side goes into that side, one
//     over both becomes part of the join condition; conjuncts of the ON
//     condition over one side go into that side;
//   - outer joins (PostgreSQL's rules): WHERE conjuncts over the preserved
//     side go into it; ON conjuncts over the nullable side go into it; the
//     rest stay where they are (they decide which rows are null-extended).
// Only movable conjuncts travel (no volatile function, no correlated subquery,
// no aggregate reference): evaluating them elsewhere gives the same rows.

import type { Expr, Plan } from './nodes.ts';
import { conjuncts } from './access.ts';
import { colsUsed, mapPlan, movable, remapCols, shiftCols } from './walk.ts';
import { T } from '../types/types.ts';

export function andOf(parts: Expr[]): Expr | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  return { k: 'and', type: T.bool, args: parts };
}

/** Pushes filters down through the whole tree. */
export function pushDown(p: Plan): Plan {
  if (p.n === 'filter') return pushInto(pushDown(p.input), conjuncts(p.pred));
  if (p.n === 'join') return pushJoin(p, []);
  return mapPlan(p, pushDown);
}

/** Places `preds` (over p's output row) on p or below it; p's own subtree is already pushed. */
function pushInto(p: Plan, preds: Expr[]): Plan {
  if (preds.length === 0) return p;
  const keep: Expr[] = [];
  const move: Expr[] = [];
  for (const c of preds) (movable(c) ? move : keep).push(c);
  const wrap = (inner: Plan, rest: Expr[]): Plan => {
    const pred = andOf(rest);
    return pred ? { n: 'filter', cols: inner.cols, input: inner, pred } : inner;
  };
  if (move.length === 0) return wrap(p, keep);
  switch (p.n) {
    case 'scan':
      return wrap({ ...p, filter: andOf([...(p.filter ? conjuncts(p.filter) : []), ...move]) }, keep);
    case 'filter':
      return wrap(pushInto(p.input, [...conjuncts(p.pred), ...move]), keep);
    case 'subquery_scan':
      return wrap({ ...p, input: pushInto(p.input, move) }, keep);
    case 'sort':
      if (p.limit) break;
      return wrap({ ...p, input: pushInto(p.input, move) }, keep);
    case 'distinct':
      if (p.on) break;
      return wrap({ ...p, input: pushInto(p.input, move) }, keep);
    case 'project': {
      const through: Expr[] = [];
      const stay: Expr[] = [];
      for (const c of move) {
        const used = [...colsUsed(c)];
        if (used.every((i) => p.exprs[i] !== undefined && movable(p.exprs[i]!))) {
          through.push(remapCols(c, (i) => p.exprs[i]!));
        } else stay.push(c);
      }
      const inner = through.length > 0 ? { ...p, input: pushInto(p.input, through) } : p;
      return wrap(inner, [...stay, ...keep]);
    }
    case 'join':
      return wrap(pushJoin(p, move), keep);
    default:
      break;
  }
  return wrap(p, [...move, ...keep]);
}

type Join = Extract<Plan, { n: 'join' }>;

/** Joins: `where` are conjuncts from above (over the join's output row). */
function pushJoin(j: Join, where: Expr[]): Plan {
  const lw = j.left.cols.length;
  const rw = j.right.cols.length;
  // Semi/anti joins output the left row only; a join with another layout is left alone.
  const concat = j.cols.length === lw + rw;
  const leftPreds: Expr[] = [];
  const rightPreds: Expr[] = [];
  const above: Expr[] = [];
  let cond = j.cond ? conjuncts(j.cond) : [];
  const side = (c: Expr): 'left' | 'right' | 'both' | 'none' => {
    const used = [...colsUsed(c)];
    if (used.length === 0) return 'none';
    if (used.every((i) => i < lw)) return 'left';
    if (used.every((i) => i >= lw && i < lw + rw)) return 'right';
    return 'both';
  };
  const inner = j.type === 'inner' || j.type === 'cross';
  for (const c of where) {
    const s = side(c);
    if (!concat && (j.type === 'semi' || j.type === 'anti') && (s === 'left' || s === 'none')) leftPreds.push(c);
    else if (!concat || !movable(c)) above.push(c);
    else if (s === 'left' && (inner || j.type === 'left')) leftPreds.push(c);
    else if (s === 'right' && (inner || j.type === 'right')) rightPreds.push(shiftCols(c, -lw));
    else if (inner && !j.lateral && (s === 'both' || s === 'none')) cond.push(c);
    else above.push(c);
  }
  if (concat || j.type === 'semi' || j.type === 'anti') {
    const stay: Expr[] = [];
    for (const c of cond) {
      const s = side(c);
      if (!movable(c) || j.lateral) stay.push(c);
      else if (s === 'left' && (inner || j.type === 'right' || j.type === 'semi')) leftPreds.push(c);
      else if (s === 'right' && (inner || j.type === 'left' || j.type === 'semi' || j.type === 'anti')) rightPreds.push(shiftCols(c, -lw));
      else stay.push(c);
    }
    cond = stay;
  }
  const left = pushInto(pushDown(j.left), leftPreds);
  const right = j.lateral ? pushDown(j.right) : pushInto(pushDown(j.right), rightPreds);
  if (j.lateral && rightPreds.length > 0) cond.push(...rightPreds.map((c) => shiftCols(c, lw)));
  const c = andOf(cond);
  const out: Join = { ...j, left, right };
  delete out.cond;
  if (c) out.cond = c;
  // An inner join whose condition is now empty is a cross join; with one it is an inner join.
  if (j.type === 'cross' && c) out.type = 'inner';
  const pred = andOf(above);
  return pred ? { n: 'filter', cols: out.cols, input: out, pred } : out;
}
