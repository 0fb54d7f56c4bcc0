// Set operations: UNION / INTERSECT / EXCEPT [ALL | DISTINCT].
//
// The parser already nests them with PostgreSQL's precedence (INTERSECT binds
// tighter, the rest left to right). Each pair of operands is resolved as
// PostgreSQL's transformSetOperationTree does: per column, an unknown literal
// operand takes the other side's type, else select_common_type with the
// operator's name in the error; names come from the leftmost operand. ORDER
// BY / LIMIT apply to the whole result and may name output columns only.

import type * as A from '../../../sql-dialects/index.ts';
import { SqlState } from '../sb_error.ts';
import type { ColInfo, Expr, Plan } from '../plan/nodes.ts';
import { T, type SqlType } from '../types/types.ts';
import { type Cx, errAt } from './context.ts';
import { coerceTo, commonType } from './coerce.ts';
import { type BoundQuery, bindQuery, constantPosition, orderAndLimit, registerQueryHook } from './select.ts';
import { Scope } from './scope.ts';

interface Operand {
  plan: Plan;
  cols: ColInfo[];
  /** Columns that are bare string / NULL literals (still "unknown" for type resolution). */
  unknown: boolean[];
}

function opName(op: A.SetOperation['op']): 'UNION' | 'INTERSECT' | 'EXCEPT' {
  return op === 'MINUS' ? 'EXCEPT' : op;
}

export function bindSetOperation(cx: Cx, body: A.SetOperation, loc?: A.Loc): BoundQuery {
  const r = bindOperand(cx, body, loc);
  return { plan: r.plan, cols: r.cols };
}

function bindOperand(cx: Cx, body: A.QueryBody, loc?: A.Loc): Operand {
  if (body.kind !== 'set_op') {
    const inner: Cx = { env: cx.env, scope: new Scope(cx.scope.parent) };
    const q = bindQuery(inner, { kind: 'select', body });
    if (inner.scope.correlated) cx.scope.correlated = true;
    return { plan: q.plan, cols: q.cols, unknown: unknownColumns(body, q.cols.length) };
  }
  const name = opName(body.op);
  const left = bindOperand(cx, body.left, loc);
  const right = bindOperand(cx, body.right, loc);
  if (left.cols.length !== right.cols.length) {
    throw errAt(cx, SqlState.syntax_error, `each ${name} query must have the same number of columns`, loc);
  }
  const types: SqlType[] = left.cols.map((lc, i) => {
    const rc = right.cols[i]!;
    const lu = left.unknown[i]!;
    const ru = right.unknown[i]!;
    if (lu && ru) return T.text;
    if (lu) return rc.type;
    if (ru) return lc.type;
    if (lc.type.id === rc.type.id && lc.type.typmod === rc.type.typmod) return lc.type;
    const t = commonType(cx, [colRef(lc.type, i), colRef(rc.type, i)], name, loc);
    return lc.type.id === t.id && rc.type.id === t.id && lc.type.typmod !== rc.type.typmod ? { ...t, typmod: -1 } : t;
  });
  const lp = convert(cx, left, types, loc);
  const rp = convert(cx, right, types, loc);
  const cols: ColInfo[] = left.cols.map((c, i) => ({ name: c.name, type: types[i]! }));
  const all = body.quantifier === 'ALL';
  let plan: Plan;
  if (name === 'UNION' && all) {
    const inputs = [lp, rp].flatMap((p) => (p.n === 'append' ? p.inputs : [p]));
    plan = { n: 'append', cols, inputs };
  } else {
    plan = { n: 'setop', cols, op: name.toLowerCase() as 'union' | 'intersect' | 'except', all, left: lp, right: rp };
  }
  return { plan, cols, unknown: cols.map(() => false) };
}

function colRef(type: SqlType, index: number): Expr {
  return { k: 'col', type, index };
}

/** Projects an operand's columns to the result types (unknown literals convert as their text input). */
function convert(cx: Cx, o: Operand, types: SqlType[], loc?: A.Loc): Plan {
  let changed = false;
  const exprs = o.cols.map((c, i) => {
    const t = types[i]!;
    const ref = colRef(c.type, i);
    if (c.type.id === t.id && (t.typmod < 0 || c.type.typmod === t.typmod)) return ref;
    changed = true;
    if (o.unknown[i]) return { k: 'cast', type: t, arg: ref, explicit: true } as Expr;
    return coerceTo(cx, ref, t, 'implicit', { loc });
  });
  if (!changed) return o.plan;
  return { n: 'project', cols: o.cols.map((c, i) => ({ ...c, type: types[i]! })), input: o.plan, exprs };
}

/** Which output columns of a plain SELECT are bare 'string' / NULL literals. */
function unknownColumns(body: A.QueryBody, width: number): boolean[] {
  const out = new Array<boolean>(width).fill(false);
  if (body.kind !== 'select_core' || body.columns.some((c) => c.expr.kind === 'star')) return out;
  body.columns.forEach((c, i) => {
    if (c.expr.kind === 'string' || c.expr.kind === 'null') out[i] = true;
  });
  return out;
}

/** ORDER BY of a set operation: output column names or positions only. */
function checkOrderBy(cx: Cx, orderBy: A.OrderItem[] | undefined): void {
  for (const o of orderBy ?? []) {
    let e = o.expr;
    while (e.kind === 'nested') e = e.expr;
    if (constantPosition(cx, o.expr, 'ORDER BY') !== undefined || (e.kind === 'column' && e.name.length === 1)) continue;
    throw errAt(cx, SqlState.feature_not_supported, 'invalid UNION/INTERSECT/EXCEPT ORDER BY clause', (o.expr as { loc?: A.Loc }).loc, {
      detail: 'Only result column names can be used, not expressions or functions.',
      hint: 'Add the expression/function to every SELECT, or move the UNION into a FROM clause.',
    });
  }
}

registerQueryHook((cx, q) => {
  if (q.with || q.body.kind !== 'set_op' || q.into) return undefined;
  checkOrderBy(cx, q.orderBy);
  const bound = bindSetOperation(cx, q.body, q.loc);
  return orderAndLimit(cx, bound, q.orderBy, q.limit);
});
