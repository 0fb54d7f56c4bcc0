// Window function calls: OVER w / OVER (w ...) / OVER (...) resolved
// against the WINDOW clause, PARTITION BY / ORDER BY bound in the query
// level's scope, frames checked as PostgreSQL does. Each becomes a WindowCall
// of the level's window node and a provisional reference to its result.

import type * as A from '../../../sql-dialects/index.ts';
import { SqlState } from '../sb_error.ts';
import type { Expr, SortKey, WindowCall } from '../plan/nodes.ts';
import { resolveAggregate, resolveWindow, routineKinds } from '../functions/resolve.ts';
import { T, type SqlType } from '../types/types.ts';
import { formatType } from '../types/type_names.ts';
import { type Cx, errAt, fold } from './context.ts';
import { coerceBool, coerceTo, exprKey, inputType, resolveUnknown } from './coerce.ts';
import { bindExpr } from './expr.ts';
import { aggDepthAt, GroupScope, groupingError, type Level, locOf, orderKey, placementError, st, usesRow, WIN_BASE, wrap } from './group_scope.ts';

// ---- window calls ----------------------------------------------------------------------------

type FrameBoundType = WindowCall['frame']['start']['type'];
const BOUND: Record<A.FrameBound['type'], FrameBoundType> = {
  'UNBOUNDED PRECEDING': 'unbounded_preceding', PRECEDING: 'preceding', 'CURRENT ROW': 'current',
  FOLLOWING: 'following', 'UNBOUNDED FOLLOWING': 'unbounded_following',
};

export function bindWindowCall(cx: Cx, f: A.FuncCall): Expr {
  if (aggDepthAt(cx) > 0) throw groupingError(cx, 'aggregate function calls cannot contain window function calls', f.loc);
  if (st(cx.scope).win > 0) throw errAt(cx, '42P20', 'window function calls cannot be nested', f.loc);
  const s = cx.scope;
  if (!(s instanceof GroupScope) || !s.level.windowed || st(s).clause) throw placementError(cx, 'window', f.loc);
  const level = s.level;
  const parts = f.name.map((id) => fold(cx, id));
  const name = parts[parts.length - 1]!;
  const spec = resolveSpec(cx, level, f.over!, f.loc);
  if (f.variadic) throw errAt(cx, SqlState.feature_not_supported, 'VARIADIC arguments are not supported yet', f.loc);
  st(s).win++;
  let call: WindowCall;
  try {
    const args = f.args.map((a) => bindExpr(cx, a));
    const partition = (spec.partitionBy ?? []).map((p) => resolveUnknown(cx, bindExpr(cx, p)));
    const order = (spec.orderBy ?? []).map((o) => orderKey(cx, o));
    const frame = bindFrame(cx, spec.frame, order, f.loc);
    const kinds = routineKinds(name);
    if (f.withinGroup) throw errAt(cx, SqlState.feature_not_supported, 'OVER is not supported for ordered-set aggregate ' + name, f.loc);
    if (kinds.window && !f.star) {
      if (f.quantifier === 'DISTINCT' || f.orderBy) throw errAt(cx, SqlState.wrong_object_type, `DISTINCT or ORDER BY specified, but ${name} is not an aggregate function`, f.loc);
      if (f.filter) throw errAt(cx, SqlState.feature_not_supported, 'FILTER is not implemented for non-aggregate window functions', f.loc);
      const r = wrap(cx, f.loc, () => resolveWindow(name, args.map((a) => inputType(cx, a))));
      const coerced = args.map((a, i) => resolveUnknown(cx, coerceTo(cx, a, r.argTypes[i]!, 'implicit', { loc: f.loc })));
      call = { fn: name, oid: r.impl.oid, args: coerced, kind: 'window', type: r.retType, partition, order, frame };
    } else if (kinds.aggregate) {
      if (f.quantifier === 'DISTINCT') throw errAt(cx, SqlState.feature_not_supported, 'DISTINCT is not implemented for window functions', f.loc);
      if (f.orderBy) throw errAt(cx, SqlState.feature_not_supported, 'aggregate ORDER BY is not implemented for window functions', f.loc);
      const r = wrap(cx, f.loc, () => resolveAggregate(name, args.map((a) => inputType(cx, a))));
      const coerced = args.map((a, i) => resolveUnknown(cx, coerceTo(cx, a, r.argTypes[i]!, 'implicit', { loc: f.loc })));
      let filter: Expr | undefined;
      if (f.filter) filter = coerceBool(cx, bindExpr(cx, f.filter), 'FILTER', locOf(f.filter));
      call = { fn: name, oid: r.impl.oid, args: coerced, kind: 'agg', type: r.retType, partition, order, frame, ...(filter ? { filter } : {}) };
    } else if (kinds.function || kinds.orderedSet) {
      throw errAt(cx, SqlState.wrong_object_type, `OVER specified, but ${name} is not a window function nor an aggregate function`, f.loc);
    } else {
      throw errAt(cx, SqlState.undefined_function, `function ${name}() does not exist`, f.loc);
    }
  } finally {
    st(s).win--;
  }
  const key = exprKey(call as unknown as Expr);
  let i = level.callKeys.indexOf(key);
  if (i < 0) {
    level.calls.push(call);
    level.callKeys.push(key);
    i = level.calls.length - 1;
  }
  return { k: 'col', type: call.type, index: WIN_BASE + i };
}

/** OVER w / OVER (w ORDER BY ...) / OVER (...): the effective specification. */
function resolveSpec(cx: Cx, level: Level, over: A.WindowSpec | { kind: 'window_ref'; name: A.Ident }, loc: A.Loc | undefined): A.WindowSpec {
  const lookup = (id: A.Ident): A.WindowSpec => {
    const name = fold(cx, id);
    const w = level.named.get(name);
    if (!w) throw errAt(cx, '42704', `window "${name}" does not exist`, loc);
    return w.base ? resolveSpec(cx, level, w, loc) : w;
  };
  if (over.kind === 'window_ref') return lookup(over.name);
  if (!over.base) return over;
  const baseName = fold(cx, over.base);
  const base = lookup(over.base);
  if (over.partitionBy) throw errAt(cx, '42P20', `cannot override PARTITION BY clause of window "${baseName}"`, loc);
  if (over.orderBy && base.orderBy) throw errAt(cx, '42P20', `cannot override ORDER BY clause of window "${baseName}"`, loc);
  if (base.frame) throw errAt(cx, '42P20', `cannot copy window "${baseName}" because it has a frame clause`, loc);
  return {
    kind: 'window_spec',
    ...(base.partitionBy ? { partitionBy: base.partitionBy } : {}),
    ...(over.orderBy ?? base.orderBy ? { orderBy: over.orderBy ?? base.orderBy } : {}),
    ...(over.frame ? { frame: over.frame } : {}),
  };
}

function bindFrame(cx: Cx, frame: A.WindowFrame | undefined, order: SortKey[], loc: A.Loc | undefined): WindowCall['frame'] {
  if (!frame) return { units: 'range', start: { type: 'unbounded_preceding' }, end: { type: 'current' }, exclude: 'no_others' };
  const units = frame.units.toLowerCase() as 'rows' | 'range' | 'groups';
  const start = BOUND[frame.start.type];
  const end = frame.end ? BOUND[frame.end.type] : 'current';
  if (start === 'unbounded_following') throw errAt(cx, '42P20', 'frame start cannot be UNBOUNDED FOLLOWING', loc);
  if (end === 'unbounded_preceding') throw errAt(cx, '42P20', 'frame end cannot be UNBOUNDED PRECEDING', loc);
  if (start === 'current' && end === 'preceding') throw errAt(cx, '42P20', 'frame starting from current row cannot have preceding rows', loc);
  if (start === 'following' && (end === 'preceding' || end === 'current')) {
    throw errAt(cx, '42P20', end === 'current' ? 'frame starting from following row cannot end with current row' : 'frame starting from following row cannot have preceding rows', loc);
  }
  if (units === 'groups' && order.length === 0 && (frame.start.offset || frame.end?.offset)) {
    throw errAt(cx, '42P20', 'GROUPS mode requires an ORDER BY clause', loc);
  }
  const offset = (b: A.FrameBound | undefined): Expr | undefined => {
    if (!b?.offset) return undefined;
    const x = bindExpr(cx, b.offset);
    if (usesRow(x)) throw errAt(cx, '42P10', `argument of ${frame.units} must not contain variables`, locOf(b.offset));
    if (units !== 'range') {
      return coerceTo(cx, x, T.int8, 'implicit', {
        loc: locOf(b.offset),
        error: (from) => errAt(cx, SqlState.datatype_mismatch, `argument of ${frame.units} must be type bigint, not type ${formatType(from)}`, locOf(b.offset)),
      });
    }
    if (order.length !== 1) throw errAt(cx, '42P20', 'RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column', loc);
    const keyType = order[0]!.expr.type;
    const want = rangeOffsetType(keyType);
    if (!want) throw errAt(cx, SqlState.feature_not_supported, `RANGE with offset PRECEDING/FOLLOWING is not supported for column type ${formatType(keyType)}`, loc);
    return coerceTo(cx, x, want, 'implicit', {
      loc: locOf(b.offset),
      error: (from) => errAt(cx, SqlState.feature_not_supported, `RANGE with offset PRECEDING/FOLLOWING is not supported for column type ${formatType(keyType)} and offset type ${formatType(from)}`, loc),
    });
  };
  const so = offset(frame.start);
  const eo = offset(frame.end);
  const exclude = frame.exclude === 'CURRENT ROW' ? 'current' : frame.exclude === 'GROUP' ? 'group' : frame.exclude === 'TIES' ? 'ties' : 'no_others';
  return { units, start: { type: start, ...(so ? { offset: so } : {}) }, end: { type: end, ...(eo ? { offset: eo } : {}) }, exclude };
}

/** The offset type of RANGE ... PRECEDING/FOLLOWING for an ORDER BY key type (PostgreSQL's in_range support). */
function rangeOffsetType(t: SqlType): SqlType | undefined {
  switch (t.id) {
    case 'int2':
    case 'int4':
    case 'int8':
      return T.int8;
    case 'float4':
    case 'float8':
      return T.float8;
    case 'numeric':
      return T.numeric;
    case 'date':
    case 'timestamp':
    case 'timestamptz':
    case 'time':
    case 'interval':
      return T.interval;
    default:
      return undefined;
  }
}

