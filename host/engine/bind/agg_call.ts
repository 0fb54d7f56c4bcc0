// Aggregate calls in a grouped query level: the level they belong to
// (PostgreSQL's agglevelsup), DISTINCT / ORDER BY / FILTER, ordered-set
// aggregates (WITHIN GROUP) and GROUPING(). Each becomes an AggCall of its
// level's aggregate node and a provisional reference to its result.

import type * as A from '../../../sql-dialects/index.ts';
import { SqlState } from '../sb_error.ts';
import type { AggCall, Expr, SortKey } from '../plan/nodes.ts';
import { resolveAggregate, resolveOrderedSetAggregate } from '../functions/resolve.ts';
import { T } from '../types/types.ts';
import { type Cx, errAt, fold } from './context.ts';
import { coerceBool, coerceTo, exprKey, inputType, resolveUnknown } from './coerce.ts';
import { bindExpr } from './expr.ts';
import { positionalCall } from './expr_func.ts';
import type { Scope } from './scope.ts';
import {
  AGG_BASE, aggDepthAt, flags, GroupScope, groupedLevel, groupingError, locOf, orderKey, placementError, st, wrap,
} from './group_scope.ts';

// ---- aggregate calls -------------------------------------------------------------------------

/**
 * The query level an aggregate belongs to, as PostgreSQL decides it: the
 * innermost level whose columns its arguments use (0 = this one).
 */
export function aggLevel(cx: Cx, f: A.FuncCall): number {
  if (f.star || f.args.length === 0) return 0;
  const s = cx.scope;
  const bcx = s instanceof GroupScope && s.level.grouped ? s.level.fromCx : cx;
  let bound: Expr[];
  st(bcx.scope).agg++;
  const savedRaw = flags.rawColumns;
  flags.rawColumns = true;
  try {
    bound = f.args.map((a) => bindExpr(bcx, a.kind === 'star' && a.qualifier ? { kind: 'column', name: a.qualifier, loc: a.loc } as A.Expr : a));
  } catch {
    return 0;
  } finally {
    st(bcx.scope).agg--;
    flags.rawColumns = savedRaw;
  }
  let min = Infinity;
  const walk = (e: unknown): void => {
    if (e === null || typeof e !== 'object') return;
    if (Array.isArray(e)) return e.forEach(walk);
    const x = e as { k?: string; level?: number };
    if (x.k === 'col') min = 0;
    else if (x.k === 'outer') min = Math.min(min, x.level!);
    for (const [k, v] of Object.entries(x)) if (k !== 'plan' && k !== 'type' && v !== null && typeof v === 'object') walk(v);
  };
  walk(bound);
  return min === Infinity ? 0 : min;
}

export function bindAggCall(cx: Cx, f: A.FuncCall, kind: 'agg' | 'ordered'): Expr {
  if (aggDepthAt(cx) > 0) throw groupingError(cx, 'aggregate function calls cannot be nested', f.loc);
  const up = aggLevel(cx, f);
  if (up > 0) {
    // An aggregate over an enclosing query's columns belongs to that query.
    let s: Scope | undefined = cx.scope instanceof GroupScope ? cx.scope.level.fromCx.scope : cx.scope;
    for (let i = 0; i < up && s; i++) s = s.parent;
    // Inside an aggregate's arguments of that level (max((SELECT min(t.x) FROM u))): nested, as PostgreSQL says.
    if (s && st(s).agg > 0) throw groupingError(cx, 'aggregate function calls cannot be nested', f.loc);
    if (s && st(s).clause === 'GROUP BY') throw placementError({ env: cx.env, scope: s }, 'agg', f.loc);
    if (!(s instanceof GroupScope) || !s.level.grouped) {
      throw errAt(cx, SqlState.feature_not_supported, 'an aggregate over columns of an enclosing query that has no other aggregate or GROUP BY is not supported yet', f.loc);
    }
    const ref = bindAggCall({ env: cx.env, scope: s }, f, kind);
    return { k: 'outer', type: ref.type, level: up, index: (ref as { index: number }).index };
  }
  const level = groupedLevel(cx);
  if (!level) throw placementError(cx, 'agg', f.loc);
  const name = fold(cx, f.name[f.name.length - 1]!);
  if (f.variadic) throw errAt(cx, SqlState.feature_not_supported, 'VARIADIC arguments are not supported yet', f.loc);
  // No built-in aggregate has parameter names: a named argument matches none (42883).
  f = positionalCall(cx, name, f);
  const acx = level.fromCx;
  st(acx.scope).agg++;
  let call: AggCall;
  try {
    const args = f.args.map((a) => bindExpr(acx, a.kind === 'star' && a.qualifier ? { kind: 'column', name: a.qualifier, loc: a.loc } as A.Expr : a));
    let filter: Expr | undefined;
    if (f.filter) filter = coerceBool(acx, bindExpr(acx, f.filter), 'FILTER', locOf(f.filter));
    if (kind === 'ordered') {
      const order = f.withinGroup!.map((o) => orderKey(acx, o));
      if (f.quantifier === 'DISTINCT' || f.orderBy) throw errAt(cx, SqlState.syntax_error, `cannot use DISTINCT or ORDER BY with WITHIN GROUP`, f.loc);
      const r = wrap(cx, f.loc, () => resolveOrderedSetAggregate(name, args.map((a) => inputType(acx, a)), order.map((k) => inputType(acx, k.expr))));
      const direct = args.map((a, i) => coerceTo(acx, a, r.argTypes[i]!, 'implicit', { loc: f.loc }));
      const keyed = order.map((k, i) => ({ ...k, expr: coerceTo(acx, k.expr, r.argTypes[args.length + i]!, 'implicit', { loc: f.loc }) }));
      call = { fn: name, oid: r.impl.oid, args: direct, distinct: false, star: false, order: keyed, type: r.retType, ...(filter ? { filter } : {}) };
    } else {
      if (f.withinGroup) {
        // PostgreSQL looks the aggregate up with the WITHIN GROUP arguments appended (42883 when none takes them).
        const keys = f.withinGroup.map((o) => resolveUnknown(acx, bindExpr(acx, o.expr)));
        wrap(cx, f.loc, () => resolveAggregate(name, [...args, ...keys].map((a) => inputType(acx, a))));
        throw errAt(cx, SqlState.wrong_object_type, `${name} is not an ordered-set aggregate, so it cannot have WITHIN GROUP`, f.loc);
      }
      const r = wrap(cx, f.loc, () => resolveAggregate(name, args.map((a) => inputType(acx, a))));
      const coerced = args.map((a, i) => resolveUnknown(acx, coerceTo(acx, a, r.argTypes[i]!, 'implicit', { loc: f.loc })));
      const distinct = f.quantifier === 'DISTINCT';
      let order: SortKey[] | undefined;
      if (f.orderBy) {
        order = f.orderBy.map((o) => orderKey(acx, o));
        if (distinct) {
          const keys = coerced.map(exprKey);
          for (const k of order) {
            if (!keys.includes(exprKey(k.expr))) {
              throw errAt(cx, SqlState.invalid_column_reference, 'in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list', f.loc);
            }
          }
        }
      }
      call = {
        fn: name, oid: r.impl.oid, args: coerced, distinct, star: !!f.star, type: r.retType,
        ...(filter ? { filter } : {}), ...(order ? { order } : {}),
      };
    }
  } finally {
    st(acx.scope).agg--;
  }
  const key = exprKey(call as unknown as Expr);
  let i = level.aggKeys.indexOf(key);
  if (i < 0) {
    level.aggs.push(call);
    level.aggKeys.push(key);
    i = level.aggs.length - 1;
  }
  return { k: 'col', type: call.type, index: AGG_BASE + i };
}

export function bindGrouping(cx: Cx, f: A.FuncCall): Expr {
  if (aggDepthAt(cx) > 0) throw groupingError(cx, 'aggregate function calls cannot be nested', f.loc);
  const level = groupedLevel(cx);
  if (!level) throw placementError(cx, 'grouping', f.loc);
  if (f.args.length > 31) throw errAt(cx, '54023', 'GROUPING must have fewer than 32 arguments', f.loc);
  const positions = f.args.map((a) => {
    const x = bindExpr(level.fromCx, a);
    const i = level.groupKeys.indexOf(exprKey(x));
    if (i < 0) throw groupingError(cx, 'arguments to GROUPING must be grouping expressions of the associated query level', locOf(a));
    return i;
  });
  const call: AggCall = {
    fn: 'grouping', oid: 0, args: positions.map((p) => ({ k: 'const', type: T.int4, value: p }) as Expr),
    distinct: false, star: false, type: T.int4,
  };
  const key = exprKey(call as unknown as Expr);
  let i = level.aggKeys.indexOf(key);
  if (i < 0) {
    level.aggs.push(call);
    level.aggKeys.push(key);
    i = level.aggs.length - 1;
  }
  return { k: 'col', type: T.int4, index: AGG_BASE + i };
}

