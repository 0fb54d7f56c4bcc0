// Generic traversal of plans and expressions: children of a node, rebuilding
// a node with new children, mapping the expressions a node evaluates, and
// rewriting column references. The planner passes are written on top of these.

import type { Expr, Plan } from './nodes.ts';

/** The input plans of a node (not the subplans inside its expressions). */
export function planChildren(p: Plan): Plan[] {
  switch (p.n) {
    case 'filter':
    case 'project':
    case 'sort':
    case 'limit':
    case 'distinct':
    case 'aggregate':
    case 'window':
    case 'subquery_scan':
    case 'modify':
      return [p.input];
    case 'join':
    case 'setop':
      return [p.left, p.right];
    case 'append':
      return p.inputs;
    case 'with':
      return [...p.ctes.flatMap((c) => (c.recursive ? [c.recursive.anchor, c.recursive.step] : [c.plan])), p.body];
    default:
      return [];
  }
}

/** The node with its input plans replaced (same order as planChildren). */
export function withChildren(p: Plan, kids: Plan[]): Plan {
  switch (p.n) {
    case 'filter':
    case 'project':
    case 'sort':
    case 'limit':
    case 'distinct':
    case 'aggregate':
    case 'window':
    case 'subquery_scan':
    case 'modify':
      return { ...p, input: kids[0]! } as Plan;
    case 'join':
    case 'setop':
      return { ...p, left: kids[0]!, right: kids[1]! } as Plan;
    case 'append':
      return { ...p, inputs: kids };
    case 'with': {
      let i = 0;
      const ctes = p.ctes.map((c) => {
        if (c.recursive) {
          const anchor = kids[i++]!;
          const step = kids[i++]!;
          return { ...c, recursive: { ...c.recursive, anchor, step } };
        }
        return { ...c, plan: kids[i++]! };
      });
      return { ...p, ctes, body: kids[i]! };
    }
    default:
      return p;
  }
}

export function mapPlan(p: Plan, f: (child: Plan) => Plan): Plan {
  const kids = planChildren(p);
  if (kids.length === 0) return p;
  return withChildren(p, kids.map(f));
}

/** The direct sub-expressions of an expression. */
export function exprChildren(e: Expr): Expr[] {
  switch (e.k) {
    case 'call':
    case 'op':
    case 'and':
    case 'or':
    case 'coalesce':
    case 'greatest':
    case 'least':
    case 'seq_call':
      return e.args;
    case 'distinct_from':
    case 'nullif':
      return e.args;
    case 'cast':
    case 'not':
    case 'is_null':
    case 'is_bool':
      return [e.arg];
    case 'case':
      return [...e.whens.flatMap((w) => [w.cond, w.then]), e.else];
    case 'in_list':
      return [e.arg, ...e.list];
    case 'array':
      return e.elems;
    case 'row':
      return e.fields;
    case 'sublink':
      return e.left;
    case 'array_op':
      return [e.left, e.right];
    default:
      return [];
  }
}

/** Rebuilds an expression bottom-up with `f` applied to every node (children first); subplans through `fp`. */
export function mapExpr(e: Expr, f: (e: Expr) => Expr, fp?: (p: Plan) => Plan): Expr {
  const m = (x: Expr): Expr => mapExpr(x, f, fp);
  let out: Expr;
  switch (e.k) {
    case 'call':
    case 'op':
    case 'and':
    case 'or':
    case 'coalesce':
    case 'greatest':
    case 'least':
    case 'seq_call':
      out = { ...e, args: e.args.map(m) } as Expr;
      break;
    case 'distinct_from':
    case 'nullif':
      out = { ...e, args: [m(e.args[0]), m(e.args[1])] } as Expr;
      break;
    case 'cast':
    case 'not':
    case 'is_null':
    case 'is_bool':
      out = { ...e, arg: m(e.arg) } as Expr;
      break;
    case 'case':
      out = { ...e, whens: e.whens.map((w) => ({ cond: m(w.cond), then: m(w.then) })), else: m(e.else) };
      break;
    case 'in_list':
      out = { ...e, arg: m(e.arg), list: e.list.map(m) };
      break;
    case 'array':
      out = { ...e, elems: e.elems.map(m) };
      break;
    case 'row':
      out = { ...e, fields: e.fields.map(m) };
      break;
    case 'sublink':
      out = { ...e, left: e.left.map(m), ...(fp ? { plan: fp(e.plan) } : {}) };
      break;
    case 'subquery':
      out = fp ? { ...e, plan: fp(e.plan) } : e;
      break;
    case 'array_op':
      out = { ...e, left: m(e.left), right: m(e.right) };
      break;
    default:
      out = e;
  }
  return f(out);
}

/** Visits every node of an expression (not inside subplans). */
export function someExpr(e: Expr, pred: (e: Expr) => boolean): boolean {
  if (pred(e)) return true;
  return exprChildren(e).some((c) => someExpr(c, pred));
}

/** Column positions an expression reads from its input row. */
export function colsUsed(e: Expr, out = new Set<number>()): Set<number> {
  someExpr(e, (x) => {
    if (x.k === 'col') out.add(x.index);
    return false;
  });
  return out;
}

/** True when an expression can move to another node: no volatile call, no correlated subquery, no aggregate reference. */
export function movable(e: Expr): boolean {
  return !someExpr(e, (x) =>
    (x.k === 'call' && x.volatile) || x.k === 'nextval' || x.k === 'seq_call' || x.k === 'agg_ref' || x.k === 'default' ||
    ((x.k === 'subquery' || x.k === 'sublink') && x.correlated));
}

/** Rewrites the column references of an expression (not inside subplans: callers only move uncorrelated ones). */
export function remapCols(e: Expr, f: (index: number, col: Extract<Expr, { k: 'col' }>) => Expr): Expr {
  return mapExpr(e, (x) => (x.k === 'col' ? f(x.index, x) : x));
}

export function shiftCols(e: Expr, delta: number): Expr {
  if (delta === 0) return e;
  return remapCols(e, (i, c) => ({ ...c, index: i + delta }));
}

/** The expressions a plan node evaluates, mapped by `f` (for folding). */
export function mapNodeExprs(p: Plan, f: (e: Expr) => Expr): Plan {
  const sk = (keys: Array<{ expr: Expr; desc: boolean; nullsFirst: boolean }>) => keys.map((k) => ({ ...k, expr: f(k.expr) }));
  switch (p.n) {
    case 'result':
      return { ...p, exprs: p.exprs.map(f) };
    case 'values':
      return { ...p, rows: p.rows.map((r) => r.map(f)) };
    case 'scan':
      return {
        ...p,
        ...(p.filter ? { filter: f(p.filter) } : {}),
        ...(p.bound
          ? {
              bound: {
                eq: p.bound.eq.map(f),
                ...(p.bound.lo ? { lo: { ...p.bound.lo, expr: f(p.bound.lo.expr) } } : {}),
                ...(p.bound.hi ? { hi: { ...p.bound.hi, expr: f(p.bound.hi.expr) } } : {}),
              },
            }
          : {}),
      };
    case 'filter':
      return { ...p, pred: f(p.pred) };
    case 'project':
      return { ...p, exprs: p.exprs.map(f) };
    case 'sort':
      return { ...p, keys: sk(p.keys), ...(p.limit ? { limit: f(p.limit) } : {}) };
    case 'limit':
      return { ...p, ...(p.count ? { count: f(p.count) } : {}), ...(p.offset ? { offset: f(p.offset) } : {}), ...(p.withTies ? { withTies: sk(p.withTies) } : {}) };
    case 'distinct':
      return p.on ? { ...p, on: p.on.map(f) } : p;
    case 'aggregate':
      return {
        ...p, groups: p.groups.map(f),
        aggs: p.aggs.map((a) => ({ ...a, args: a.args.map(f), ...(a.filter ? { filter: f(a.filter) } : {}), ...(a.order ? { order: sk(a.order) } : {}) })),
      };
    case 'window':
      return {
        ...p,
        calls: p.calls.map((c) => ({
          ...c, args: c.args.map(f), partition: c.partition.map(f), order: sk(c.order), ...(c.filter ? { filter: f(c.filter) } : {}),
          frame: {
            ...c.frame,
            start: { ...c.frame.start, ...(c.frame.start.offset ? { offset: f(c.frame.start.offset) } : {}) },
            end: { ...c.frame.end, ...(c.frame.end.offset ? { offset: f(c.frame.end.offset) } : {}) },
          },
        })),
      };
    case 'join':
      return { ...p, leftKeys: p.leftKeys.map(f), rightKeys: p.rightKeys.map(f), ...(p.cond ? { cond: f(p.cond) } : {}) };
    case 'function_scan':
      return { ...p, args: p.args.map(f) };
    case 'modify':
      return {
        ...p,
        ...(p.returning ? { returning: p.returning.map(f) } : {}),
        ...(p.checks ? { checks: p.checks.map((c) => ({ ...c, expr: f(c.expr) })) } : {}),
        ...(p.recheck ? { recheck: { ...(p.recheck.where ? { where: f(p.recheck.where) } : {}), ...(p.recheck.newRow ? { newRow: p.recheck.newRow.map(f) } : {}) } } : {}),
        ...(p.fkDefaults ? { fkDefaults: p.fkDefaults.map((d) => ({ ...d, expr: f(d.expr) })) } : {}),
        ...(p.onConflict
          ? {
              onConflict: {
                ...p.onConflict,
                ...(p.onConflict.set ? { set: p.onConflict.set.map((s) => ({ ...s, expr: f(s.expr) })) } : {}),
                ...(p.onConflict.newRow ? { newRow: p.onConflict.newRow.map(f) } : {}),
                ...(p.onConflict.where ? { where: f(p.onConflict.where) } : {}),
              },
            }
          : {}),
      };
    default:
      return p;
  }
}
