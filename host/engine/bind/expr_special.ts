// The special expression forms: CASE, IN, BETWEEN, LIKE / ILIKE / SIMILAR
// TO, IS tests, subqueries (scalar, EXISTS, IN, ANY/ALL), ARRAY and row
// constructors, each with PostgreSQL's typing rules.

import type * as A from '../../../sql-dialects/index.ts';
import { SqlState } from '../sb_error.ts';
import type { Expr, Plan } from '../plan/nodes.ts';
import { arrayOf, recordOf, sameType, T, type SqlType } from '../types/types.ts';
import { selectCommonType } from '../types/resolve.ts';
import { childCx, type Cx, errAt } from './context.ts';
import { coerceAll, coerceBool, coerceTo, commonType, refresh, resolveUnknown } from './coerce.ts';
import { bindExpr, makeOperator, rowComparison } from './expr.ts';
import { makeCall } from './expr_func.ts';
import { bindQuery } from './select.ts';

// ---- CASE ------------------------------------------------------------------------

export function bindCase(cx: Cx, e: A.CaseExpr): Expr {
  const operand = e.operand ? bindExpr(cx, e.operand) : undefined;
  const whens = e.whens.map((w) => {
    const cond = operand
      ? makeOperator(cx, '=', operand, bindExpr(cx, w.when), e.loc)
      : coerceBool(cx, bindExpr(cx, w.when), 'CASE/WHEN', e.loc);
    return { cond, then: bindExpr(cx, w.then) };
  });
  const els: Expr = e.else ? bindExpr(cx, e.else) : { k: 'const', type: T.unknown, value: null };
  const results = [...whens.map((w) => w.then), els];
  const t = commonType(cx, results, 'CASE', e.loc);
  return {
    k: 'case',
    type: t,
    whens: whens.map((w) => ({ cond: w.cond, then: coerceTo(cx, w.then, t, 'implicit', { loc: e.loc }) })),
    else: coerceTo(cx, els, t, 'implicit', { loc: e.loc }),
  };
}

// ---- IN, BETWEEN ----------------------------------------------------------------------

export function bindIn(cx: Cx, e: A.InExpr): Expr {
  if (e.query) {
    const link = sublink(cx, 'any', '=', e.expr, e.query, e.loc);
    return e.negated ? { k: 'not', type: T.bool, arg: link } : link;
  }
  const arg = bindExpr(cx, e.expr);
  const list = (e.list ?? []).map((x) => bindExpr(cx, x));
  if (arg.k === 'row' || list.some((x) => x.k === 'row')) {
    // (a, b) IN ((1, 2), (3, 4)): an OR of row equalities.
    const parts = list.map((x) => rowComparison(cx, '=', arg, x, e.loc));
    const any: Expr = parts.length === 1 ? parts[0]! : { k: 'or', type: T.bool, args: parts };
    return e.negated ? { k: 'not', type: T.bool, arg: any } : any;
  }
  const all = [arg, ...list];
  const common = selectCommonType(all.map((x) => refresh(cx, x).type));
  if (common) {
    const [a, ...l] = coerceAll(cx, all, common, e.loc);
    const eq = makeOperator(cx, '=', a!, l[0] ?? a!, e.loc);
    if (eq.k === 'op' && sameType(eq.args[0]!.type, common) && sameType(eq.args[1]!.type, common)) {
      return { k: 'in_list', type: T.bool, arg: a!, list: l, negate: e.negated, eqOid: eq.oid };
    }
  }
  // No common type: x = a OR x = b ..., each with its own operator.
  const ors = list.map((x) => makeOperator(cx, '=', arg, x, e.loc));
  const any: Expr = ors.length === 1 ? ors[0]! : { k: 'or', type: T.bool, args: ors };
  return e.negated ? { k: 'not', type: T.bool, arg: any } : any;
}

export function bindBetween(cx: Cx, e: A.BetweenExpr): Expr {
  const x = bindExpr(cx, e.expr);
  const lo = bindExpr(cx, e.low);
  const hi = bindExpr(cx, e.high);
  const range = (a: Expr, b: Expr): Expr =>
    e.negated
      ? { k: 'or', type: T.bool, args: [makeOperator(cx, '<', x, a, e.loc), makeOperator(cx, '>', x, b, e.loc)] }
      : { k: 'and', type: T.bool, args: [makeOperator(cx, '>=', x, a, e.loc), makeOperator(cx, '<=', x, b, e.loc)] };
  if (e.symmetric !== 'SYMMETRIC') return range(lo, hi);
  const both = [range(lo, hi), range(hi, lo)];
  return e.negated ? { k: 'and', type: T.bool, args: both } : { k: 'or', type: T.bool, args: both };
}

// ---- LIKE ---------------------------------------------------------------------------------

export function bindLike(cx: Cx, e: A.LikeExpr): Expr {
  let op: string;
  let pattern = bindExpr(cx, e.pattern);
  switch (e.op) {
    case 'LIKE':
      op = e.negated ? '!~~' : '~~';
      break;
    case 'ILIKE':
      op = e.negated ? '!~~*' : '~~*';
      break;
    case 'SIMILAR TO': {
      op = e.negated ? '!~' : '~';
      const args = e.escape ? [pattern, bindExpr(cx, e.escape)] : [pattern];
      pattern = makeCall(cx, 'similar_to_escape', args, e.loc);
      break;
    }
    default:
      throw errAt(cx, SqlState.feature_not_supported, `${e.op} is not supported in this dialect`, e.loc);
  }
  if (e.escape && e.op !== 'SIMILAR TO') pattern = makeCall(cx, 'like_escape', [pattern, bindExpr(cx, e.escape)], e.loc);
  const subject = bindExpr(cx, e.expr);
  if (e.quantifier) return arrayOp(cx, op, e.quantifier === 'ALL' ? 'all' : 'any', subject, pattern, e.loc);
  return makeOperator(cx, op, subject, pattern, e.loc);
}

// ---- IS ---------------------------------------------------------------------------------

export function bindIs(cx: Cx, e: A.IsExpr): Expr {
  switch (e.test) {
    case 'NULL':
      return { k: 'is_null', type: T.bool, arg: bindExpr(cx, e.expr), negate: e.negated };
    case 'TRUE':
    case 'FALSE':
    case 'UNKNOWN': {
      const arg = coerceBool(cx, bindExpr(cx, e.expr), `IS ${e.test}`, e.loc);
      const value = e.test === 'TRUE' ? true : e.test === 'FALSE' ? false : null;
      return { k: 'is_bool', type: T.bool, arg, value, negate: e.negated };
    }
    case 'DISTINCT FROM': {
      const l = bindExpr(cx, e.expr);
      const r = bindExpr(cx, e.right!);
      if (l.k === 'row' && r.k === 'row') {
        if (l.fields.length !== r.fields.length) throw errAt(cx, SqlState.syntax_error, 'unequal number of entries in row expressions', e.loc);
        const parts: Expr[] = l.fields.map((f, i) => distinctFrom(cx, f, r.fields[i]!, false, e.loc));
        const any: Expr = parts.length === 1 ? parts[0]! : { k: 'or', type: T.bool, args: parts };
        return e.negated ? { k: 'not', type: T.bool, arg: any } : any;
      }
      return distinctFrom(cx, l, r, e.negated, e.loc);
    }
    default:
      throw errAt(cx, SqlState.feature_not_supported, `IS ${e.test} is not supported yet`, e.loc);
  }
}

function distinctFrom(cx: Cx, l: Expr, r: Expr, negate: boolean, loc?: A.Loc): Expr {
  // The comparison runs in the '=' operator's input type, as PostgreSQL's DistinctExpr does.
  const eq = makeOperator(cx, '=', l, r, loc);
  if (eq.k !== 'op') throw errAt(cx, SqlState.internal_error, 'IS DISTINCT FROM: no equality operator', loc);
  let [a, b] = eq.args as [Expr, Expr];
  if (!sameType(a.type, b.type)) {
    const t = commonType(cx, [a, b], 'IS DISTINCT FROM', loc);
    a = coerceTo(cx, a, t, 'implicit', { loc });
    b = coerceTo(cx, b, t, 'implicit', { loc });
  }
  return { k: 'distinct_from', type: T.bool, args: [a, b], negate };
}

// ---- subqueries --------------------------------------------------------------------------

export function bindSubquery(cx: Cx, e: A.SubqueryExpr, mode: 'scalar' | 'array' = 'scalar'): Expr {
  const inner = childCx(cx);
  const q = bindQuery(inner, e.query);
  if (q.cols.length !== 1) {
    throw errAt(cx, SqlState.syntax_error, q.cols.length > 1 ? 'subquery must return only one column' : 'subquery must return a column', e.loc);
  }
  const t = q.cols[0]!.type;
  if (mode === 'array' && t.id === 'array') {
    throw errAt(cx, SqlState.feature_not_supported, 'ARRAY() of arrays is not supported yet', e.loc);
  }
  return { k: 'subquery', type: mode === 'array' ? arrayOf(t) : t, mode, plan: q.plan, correlated: inner.scope.correlated };
}

export function bindExists(cx: Cx, e: A.ExistsExpr): Expr {
  const inner = childCx(cx);
  const q = bindQuery(inner, e.query);
  return { k: 'subquery', type: T.bool, mode: 'exists', plan: q.plan, correlated: inner.scope.correlated };
}

export function bindQuantified(cx: Cx, e: A.QuantifiedExpr): Expr {
  const mode = e.quantifier === 'ALL' ? 'all' : 'any';
  let right = e.right;
  while (right.kind === 'nested') right = right.expr;
  if (right.kind === 'subquery') return sublink(cx, mode, e.op, e.left, right.query, e.loc);
  return arrayOp(cx, e.op, mode, bindExpr(cx, e.left), bindExpr(cx, right), e.loc);
}

/** `left op ANY|ALL (array)`. */
function arrayOp(cx: Cx, op: string, mode: 'any' | 'all', left: Expr, right: Expr, loc?: A.Loc): Expr {
  right = refresh(cx, right);
  left = refresh(cx, left);
  if (right.type.id === 'unknown') {
    const elem = left.type.id === 'unknown' ? T.text : left.type;
    right = coerceTo(cx, right, arrayOf(elem), 'implicit', { loc });
  }
  if (right.type.id !== 'array') {
    throw errAt(cx, SqlState.wrong_object_type, `op ANY/ALL (array) requires array on right side`, loc);
  }
  const elemProbe: Expr = { k: 'const', type: right.type.elem!, value: null };
  const probe = makeOperator(cx, op, left, elemProbe, loc);
  if (probe.k !== 'op') throw errAt(cx, SqlState.internal_error, 'ANY/ALL: operator expected', loc);
  if (probe.type.id !== 'bool') throw errAt(cx, SqlState.wrong_object_type, `op ANY/ALL (array) requires operator to yield boolean`, loc);
  const elemType = probe.args[1]!.type;
  const arr = sameType(elemType, right.type.elem!) ? right : coerceTo(cx, right, arrayOf(elemType), 'implicit', { loc });
  return { k: 'array_op', type: T.bool, mode, op: probe.op, oid: probe.oid, left: probe.args[0]!, right: arr };
}

/** `left op ANY|ALL (SELECT ...)` and IN (SELECT ...). */
function sublink(cx: Cx, mode: 'any' | 'all', op: string, leftAst: A.Expr, query: A.Query, loc?: A.Loc): Expr {
  let l = leftAst;
  while (l.kind === 'nested') l = l.expr;
  const left = l.kind === 'row' ? l.items.map((x) => bindExpr(cx, x)) : [bindExpr(cx, l)];
  const inner = childCx(cx);
  const q = bindQuery(inner, query);
  if (q.cols.length !== left.length) {
    throw errAt(cx, SqlState.syntax_error, q.cols.length > left.length ? 'subquery has too many columns' : 'subquery has too few columns', loc);
  }
  const oids: number[] = [];
  const lefts: Expr[] = [];
  const casts: Array<SqlType | undefined> = [];
  let opName = op;
  q.cols.forEach((c, k) => {
    const probe = makeOperator(cx, op, left[k]!, { k: 'const', type: c.type, value: null }, loc);
    if (probe.k !== 'op' || probe.type.id !== 'bool') throw errAt(cx, SqlState.datatype_mismatch, 'subquery comparison operator must yield boolean', loc);
    opName = probe.op;
    oids.push(probe.oid);
    lefts.push(probe.args[0]!);
    const want = probe.args[1]!.type;
    casts.push(sameType(want, c.type) ? undefined : want);
  });
  let plan: Plan = q.plan;
  if (casts.some((t) => t !== undefined)) {
    // Cast the subquery's columns to the operator's right-hand input types.
    const ccx = { env: cx.env, scope: inner.scope };
    const exprs = q.cols.map((c, k): Expr => {
      const col: Expr = { k: 'col', type: c.type, index: k };
      return casts[k] ? coerceTo(ccx, col, casts[k]!, 'implicit', { loc }) : col;
    });
    plan = { n: 'project', cols: q.cols.map((c, k) => ({ name: c.name, type: exprs[k]!.type })), input: plan, exprs };
  }
  const distinctOps = new Set(oids).size > 1;
  return {
    k: 'sublink', type: T.bool, mode, op: opName, oid: oids[0]!, left: lefts, plan, correlated: inner.scope.correlated,
    ...(distinctOps ? { oids } : {}),
  };
}

/**
 * `(a, b) op (SELECT x, y ...)`: the subquery gives at most one row (21000
 * otherwise; none is a row of NULLs) compared as rows are. Each column is read
 * by a scalar subquery of its own over the same bound query.
 */
export function rowSubqueryComparison(cx: Cx, op: string, left: Expr & { k: 'row' }, sub: A.SubqueryExpr, loc?: A.Loc): Expr {
  const inner = childCx(cx);
  const q = bindQuery(inner, sub.query);
  if (q.cols.length !== left.fields.length) {
    throw errAt(cx, SqlState.syntax_error, q.cols.length > left.fields.length ? 'subquery has too many columns' : 'subquery has too few columns', loc);
  }
  const fields = q.cols.map((c, k): Expr => ({
    k: 'subquery', type: c.type, mode: 'scalar', correlated: inner.scope.correlated,
    plan: { n: 'project', cols: [{ name: c.name, type: c.type }], input: q.plan, exprs: [{ k: 'col', type: c.type, index: k }] },
  }));
  return rowComparison(cx, op, left, { k: 'row', type: recordOf(fields.map((f) => f.type)), fields }, loc);
}

// ---- ARRAY and ROW constructors ---------------------------------------------------------------

/** ARRAY[...] (nested brackets are sub-arrays); `elemHint` types the elements (ARRAY[...]::t[]). */
export function bindArray(cx: Cx, e: A.ArrayExpr, elemHint?: SqlType): Expr {
  const elems = e.elements.map((x) => (x.kind === 'array' && !x.keyword ? bindArray(cx, x, elemHint) : bindExpr(cx, x)));
  if (elems.length === 0) {
    if (elemHint) return { k: 'array', type: arrayOf(elemHint), elems: [] };
    throw errAt(cx, '42P18', 'cannot determine type of empty array', e.loc, {
      hint: 'Explicitly cast to the desired type, for example ARRAY[]::integer[].',
    });
  }
  const nested = elems.some((x) => refresh(cx, x).type.id === 'array');
  let t: SqlType;
  if (elemHint && !nested) {
    t = elemHint;
  } else {
    t = commonType(cx, elems, 'ARRAY', e.loc);
    if (t.id === 'unknown') t = T.text;
  }
  // Under a cast (ARRAY[1, 2]::text[]) each element is cast explicitly.
  const coerced = elemHint && !nested
    ? elems.map((x) => coerceTo(cx, x, t, 'explicit', { loc: e.loc }))
    : coerceAll(cx, elems, t, e.loc);
  return { k: 'array', type: t.id === 'array' ? t : arrayOf(t), elems: coerced };
}

export function bindRow(cx: Cx, e: A.RowExpr): Expr {
  const fields = e.items.map((x) => bindExpr(cx, x));
  return { k: 'row', type: recordOf(fields.map((f) => f.type)), fields };
}

/** A row constructor as a value: unknown fields become text. */
export function finalizeRow(cx: Cx, e: Expr): Expr {
  if (e.k !== 'row') return resolveUnknown(cx, e);
  const fields = e.fields.map((f) => finalizeRow(cx, f));
  return { k: 'row', type: recordOf(fields.map((f) => f.type)), fields };
}
