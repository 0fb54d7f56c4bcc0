// Array subscripts: a[i], a[i][j] and slices a[lo:hi] (PostgreSQL's array
// subscripting). The binder rewrites them into calls of two internal
// functions, so the planner, bytecode and executor need nothing new:
//   a[i][j]   -> sb_array_element(a, VARIADIC i, j)   (anyelement; NULL out of range)
//   a[lo:hi]  -> sb_array_slice(a, lo, hi)            (anyarray; bounds clamped; 1-D)

import type * as A from '../../../sql-dialects/index.ts';
import { SbError, SqlState } from '../sb_error.ts';
import { defFn } from '../functions/registry.ts';
import { SqlArray } from '../types/array.ts';
import { T } from '../types/types.ts';
import { bindExpr, registerExprHook } from './expr.ts';
import { makeCall } from './expr_func.ts';
import { coerceTo } from './coerce.ts';
import { type Cx, errAt } from './context.ts';
import type { Expr } from '../plan/nodes.ts';
import { canCoerce } from '../types/resolve.ts';
import { formatType } from '../types/type_names.ts';

function element(a: SqlArray, idx: number[]): unknown {
  if (idx.length !== a.dims.length) return null;
  let off = 0;
  for (let d = 0; d < idx.length; d++) {
    const i = idx[d]! - a.lbounds[d]!;
    if (i < 0 || i >= a.dims[d]!) return null;
    off = off * a.dims[d]! + i;
  }
  return a.values[off] ?? null;
}

defFn('sb_array_element', [T.anyarray], T.anyelement, (args) => {
  const a = args[0];
  if (!(a instanceof SqlArray)) return null;
  const idx: number[] = [];
  for (let k = 1; k < args.length; k++) {
    if (args[k] === null || args[k] === undefined) return null;
    idx.push(Number(args[k]));
  }
  return element(a, idx);
}, { variadic: T.int4, strict: false });

defFn('sb_array_slice', [T.anyarray, T.int4, T.int4], T.anyarray, (args) => {
  const a = args[0];
  if (!(a instanceof SqlArray)) return null;
  if (a.dims.length === 0) return a;
  if (a.dims.length !== 1) throw new SbError(SqlState.feature_not_supported, 'slices of multidimensional arrays are not supported yet');
  const lb = a.lbounds[0]!;
  const ub = lb + a.dims[0]! - 1;
  const lo = Math.max(lb, args[1] === null ? lb : Number(args[1]));
  const hi = Math.min(ub, args[2] === null ? ub : Number(args[2]));
  if (lo > hi) return SqlArray.empty(a.elemType);
  return SqlArray.of(a.elemType, a.values.slice(lo - lb, hi - lb + 1));
}, { strict: false });

const fn = (name: string): A.Ident[] => [{ value: name, quoted: false }];
const NULL: A.Expr = { kind: 'null' } as A.Expr;

registerExprHook((cx, e) => {
  if (e.kind !== 'subscript') return undefined;
  // jsonb subscripts (PostgreSQL 14+): j['a'][0] is jsonb_extract_path(j, 'a', '0').
  let root: A.Expr = e;
  while (root.kind === 'subscript') root = root.expr;
  const rootBound = bindExpr(cx, root);
  if (rootBound.type.id === 'jsonb') return bindJsonbSubscripts(cx, e, rootBound);
  // a[i][j]: collect the chain of plain subscripts down to the array expression.
  const indexes: A.Expr[] = [];
  let base: A.Expr = e;
  while (base.kind === 'subscript' && !base.slice) {
    indexes.unshift(base.index ?? NULL);
    base = base.expr;
  }
  if (base === e && e.kind === 'subscript' && e.slice) {
    const lo = bindExpr(cx, e.index ?? NULL);
    const hi = bindExpr(cx, e.upper ?? NULL);
    return makeCall(cx, 'sb_array_slice', [e.expr === root ? rootBound : bindExpr(cx, e.expr), lo, hi], e.loc);
  }
  if (base.kind === 'subscript') {
    throw new SbError(SqlState.feature_not_supported, 'mixing array slices and subscripts is not supported yet');
  }
  return makeCall(cx, 'sb_array_element', [rootBound, ...indexes.map((i) => bindExpr(cx, i))], e.loc);
});

/** Each jsonb subscript is an integer or text (PostgreSQL's jsonb_subscript_transform), passed as text. */
function bindJsonbSubscripts(cx: Cx, e: A.SubscriptExpr, root: Expr): Expr {
  return makeCall(cx, 'jsonb_extract_path', [root, ...jsonbSubscriptSteps(cx, e).steps], e.loc);
}

/** The subscripts of a jsonb subscript chain as text steps, outermost first, and whether the first is an integer. */
export function jsonbSubscriptSteps(cx: Cx, e: A.SubscriptExpr): { steps: Expr[]; firstIsInt: boolean } {
  const steps: Expr[] = [];
  let firstIsInt = false;
  let cur: A.Expr = e;
  while (cur.kind === 'subscript') {
    if (cur.slice) throw errAt(cx, SqlState.datatype_mismatch, 'jsonb subscript does not support slices', cur.upper?.loc ?? cur.index?.loc ?? cur.loc);
    const idx = bindExpr(cx, cur.index ?? NULL);
    let step: Expr;
    if (idx.type.id === 'unknown' || idx.type.id === 'text') step = coerceTo(cx, idx, T.text, 'implicit');
    else if (canCoerce(idx.type, T.int4, 'implicit')) step = coerceTo(cx, coerceTo(cx, idx, T.int4, 'implicit'), T.text, 'explicit');
    else if (canCoerce(idx.type, T.text, 'implicit')) step = coerceTo(cx, idx, T.text, 'implicit');
    else {
      throw errAt(cx, SqlState.datatype_mismatch, `subscript type ${formatType(idx.type)} is not supported`, cur.index?.loc ?? cur.loc, {
        hint: 'jsonb subscript must be coercible to either integer or text.',
      });
    }
    steps.unshift(step);
    firstIsInt = idx.type.id !== 'unknown' && idx.type.id !== 'text' && canCoerce(idx.type, T.int4, 'implicit');
    cur = cur.expr;
  }
  return { steps, firstIsInt };
}
