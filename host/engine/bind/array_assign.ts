// Assignment to array elements and slices (PostgreSQL's subscripted
// assignment): UPDATE t SET a[2] = x, a[1:2] = ARRAY[...], and INSERT INTO t
// (a[1]) VALUES (...). The new column value is a call of an internal
// function over the old value (NULL for INSERT), so the planner, bytecode
// and executor need nothing new:
//   a[i][j] = v     -> sb_array_set(a, v, i, j)
//   a[lo:hi] = arr  -> sb_array_set_slice(a, arr, lo, hi)   (one dimension)
// Several assignments to subscripts of one column compose left to right.
// The semantics follow array_set_element / array_set_slice: a NULL or empty
// array becomes a new one at the given subscripts, a one-dimensional array
// grows in either direction with NULLs filling the gap, a multidimensional
// one only changes within its bounds.

import type * as A from '../../../sql-dialects/index.ts';
import type { ColumnObj } from '../catalog/objects.ts';
import { defFn } from '../functions/registry.ts';
import type { Expr } from '../plan/nodes.ts';
import { SbError, SqlState } from '../sb_error.ts';
import { SqlArray } from '../types/array.ts';
import { formatType } from '../types/type_names.ts';
import { T, type SqlType } from '../types/types.ts';
import { coerceTo } from './coerce.ts';
import { type Cx, errAt } from './context.ts';
import { bindExpr } from './expr.ts';
import { jsonbSubscriptSteps } from './subscript.ts';
import { jsonbAssign } from '../functions/json_funcs.ts';

const jsonbAssignFn = defFn('sb_jsonb_assign', [T.jsonb, T.jsonb, T.bool], T.jsonb, (args) => jsonbAssign(args), { variadic: T.text, strict: false });

const arrayBounds_max = 6;

function subscriptError(message: string, detail?: string): SbError {
  return new SbError('2202E', message, detail ? { detail } : {});
}

function toInt(v: unknown): number {
  if (v === null || v === undefined) throw new SbError(SqlState.null_value_not_allowed, 'array subscript in assignment must not be null');
  return Number(v);
}

/** array_set_element: the array with the element at `idx` replaced (a new array: values are immutable). */
export function arraySetElement(elemType: SqlType, a: SqlArray | null, value: unknown, idx: number[]): SqlArray {
  if (idx.length > arrayBounds_max) throw new SbError(SqlState.program_limit_exceeded, `number of array dimensions (${idx.length}) exceeds the maximum allowed (${arrayBounds_max})`);
  if (a === null || a.dims.length === 0) {
    return new SqlArray(elemType, idx.map(() => 1), idx.slice(), [value]);
  }
  if (a.dims.length !== idx.length) throw subscriptError('wrong number of array subscripts');
  if (a.dims.length === 1) {
    const lb = a.lbounds[0]!;
    const ub = lb + a.dims[0]! - 1;
    const i = idx[0]!;
    if (i >= lb && i <= ub) {
      const values = a.values.slice();
      values[i - lb] = value;
      return new SqlArray(elemType, a.dims.slice(), a.lbounds.slice(), values);
    }
    if (i < lb) {
      const values = [value, ...new Array<unknown>(lb - i - 1).fill(null), ...a.values];
      return new SqlArray(elemType, [ub - i + 1], [i], values);
    }
    const values = [...a.values, ...new Array<unknown>(i - ub - 1).fill(null), value];
    return new SqlArray(elemType, [i - lb + 1], [lb], values);
  }
  let off = 0;
  for (let d = 0; d < idx.length; d++) {
    const i = idx[d]! - a.lbounds[d]!;
    if (i < 0 || i >= a.dims[d]!) throw subscriptError('array subscript out of range');
    off = off * a.dims[d]! + i;
  }
  const values = a.values.slice();
  values[off] = value;
  return new SqlArray(elemType, a.dims.slice(), a.lbounds.slice(), values);
}

/** array_set_slice for one dimension: elements lo..hi (a missing bound: the array's own) from the source array. */
export function arraySetSlice(elemType: SqlType, a: SqlArray | null, src: SqlArray | null, lo: number | null, hi: number | null): SqlArray | null {
  if (src === null) return a;
  const empty = a === null || a.dims.length === 0;
  if (empty && (lo === null || hi === null)) {
    throw subscriptError('array slice subscript must provide both boundaries', 'When assigning to a slice of an empty array value, slice boundaries must be fully specified.');
  }
  if (!empty && a.dims.length !== 1) throw new SbError(SqlState.feature_not_supported, 'assigning to a slice of a multidimensional array is not supported yet');
  const lb = empty ? lo! : a.lbounds[0]!;
  const ub = empty ? hi! : lb + a.dims[0]! - 1;
  const from = lo ?? lb;
  const to = hi ?? ub;
  if (to < from) throw subscriptError('upper bound cannot be less than lower bound');
  const n = to - from + 1;
  if (src.values.length < n) throw subscriptError('source array too small');
  const part = src.values.slice(0, n);
  if (empty) return new SqlArray(elemType, [n], [from], part);
  const newLb = Math.min(lb, from);
  const newUb = Math.max(ub, to);
  const values = new Array<unknown>(newUb - newLb + 1).fill(null);
  for (let k = 0; k < a.values.length; k++) values[lb - newLb + k] = a.values[k];
  for (let k = 0; k < n; k++) values[from - newLb + k] = part[k];
  return new SqlArray(elemType, [values.length], [newLb], values);
}

const setElement = defFn('sb_array_set', [T.anyarray, T.anyelement], T.anyarray, (args) => {
  const a = args[0] instanceof SqlArray ? args[0] : null;
  const idx: number[] = [];
  for (let k = 2; k < args.length; k++) idx.push(toInt(args[k]));
  return arraySetElement(a?.elemType ?? T.text, a, args[1] ?? null, idx);
}, { variadic: T.int4, strict: false });

const setSlice = defFn('sb_array_set_slice', [T.anyarray, T.anyarray, T.int4, T.int4], T.anyarray, (args) => {
  const a = args[0] instanceof SqlArray ? args[0] : null;
  const src = args[1] instanceof SqlArray ? args[1] : null;
  return arraySetSlice(src?.elemType ?? a?.elemType ?? T.text, a, src, args[2] === null ? null : Number(args[2]), args[3] === null ? null : Number(args[3]));
}, { strict: false });

/**
 * The new value of `col` for `target = value` where target is a chain of
 * subscripts over the column; `base` is the value assigned so far (the old
 * column, NULL for INSERT, or an earlier subscripted assignment).
 */
export function bindSubscriptAssignment(cx: Cx, col: ColumnObj, target: A.SubscriptExpr, value: A.Expr | { bound: Expr }, base: Expr): Expr {
  const type = col.type;
  if (type.id === 'jsonb') return bindJsonbAssignment(cx, col, target, value, base);
  if (!type.elem) {
    throw errAt(cx, SqlState.datatype_mismatch, `cannot subscript type ${formatType(type)} because it does not support subscripting`, target.loc);
  }
  const subs: A.SubscriptExpr[] = [];
  let t: A.Expr = target;
  while (t.kind === 'subscript') {
    subs.unshift(t);
    t = t.expr;
  }
  const isSlice = subs.some((s) => s.slice);
  const wanted: SqlType = isSlice ? type : type.elem;
  if ('kind' in value && value.kind === 'default') throw errAt(cx, SqlState.feature_not_supported, 'cannot set an array element to DEFAULT', target.loc);
  const v = coerceTo(cx, 'bound' in value ? value.bound : bindExpr(cx, value), wanted, 'assignment', {
    loc: target.loc,
    error: (from, to) =>
      errAt(cx, SqlState.datatype_mismatch, `subscripted assignment to "${col.name}" requires type ${formatType(to)} but expression is of type ${formatType(from)}`, target.loc, {
        hint: 'You will need to rewrite or cast the expression.',
      }),
  });
  // A NULL array becomes an empty one of the column's element type, which the functions then fill.
  base = { k: 'coalesce', type, args: [base, { k: 'const', type, value: SqlArray.empty(type.elem) }] };
  const int = (e: A.Expr | undefined): Expr => (e ? coerceTo(cx, bindExpr(cx, e), T.int4, 'assignment', { loc: e.loc }) : { k: 'const', type: T.int4, value: null });
  if (isSlice) {
    if (subs.length !== 1) throw errAt(cx, SqlState.feature_not_supported, 'assigning to a slice of a multidimensional array is not supported yet', target.loc);
    const s = subs[0]!;
    return { k: 'call', type, fn: 'sb_array_set_slice', oid: setSlice.oid, args: [base, v, int(s.index), int(s.upper)], strict: false, volatile: false };
  }
  return { k: 'call', type, fn: 'sb_array_set', oid: setElement.oid, args: [base, v, ...subs.map((s) => int(s.index))], strict: false, volatile: false };
}

/**
 * j['a'][0] = v on a jsonb column: sb_jsonb_assign(base, v, first subscript
 * is an integer, VARIADIC subscripts as text); subscripts are typed as in a
 * jsonb subscript read (bind/subscript.ts), the value is assigned as jsonb.
 */
function bindJsonbAssignment(cx: Cx, col: ColumnObj, target: A.SubscriptExpr, value: A.Expr | { bound: Expr }, base: Expr): Expr {
  if ('kind' in value && value.kind === 'default') throw errAt(cx, SqlState.feature_not_supported, 'cannot set a jsonb element to DEFAULT', target.loc);
  const v = coerceTo(cx, 'bound' in value ? value.bound : bindExpr(cx, value), T.jsonb, 'assignment', {
    loc: target.loc,
    error: (from, to) =>
      errAt(cx, SqlState.datatype_mismatch, `subscripted assignment to "${col.name}" requires type ${formatType(to)} but expression is of type ${formatType(from)}`, target.loc, {
        hint: 'You will need to rewrite or cast the expression.',
      }),
  });
  const steps = jsonbSubscriptSteps(cx, target);
  const firstInt: Expr = { k: 'const', type: T.bool, value: steps.firstIsInt };
  return { k: 'call', type: T.jsonb, fn: 'sb_jsonb_assign', oid: jsonbAssignFn.oid, args: [base, v, firstInt, ...steps.steps], strict: false, volatile: false };
}

/** The column a subscripted target assigns to (its base column reference), or undefined when the target is not one. */
export function subscriptTargetColumn(target: A.Expr): A.Ident | undefined {
  let t = target;
  while (t.kind === 'subscript') t = t.expr;
  return t !== target && t.kind === 'column' && t.name.length === 1 ? t.name[0] : undefined;
}

/** Columns of one SET list assigned through subscripts (they may be assigned again, composing). */
const subscriptedIn = new WeakMap<Map<number, Expr>, Set<number>>();

/**
 * One `SET col[...] = value` item of an UPDATE / ON CONFLICT SET list over a
 * scope whose row is the target's (column attnum - 1): true when it was one
 * and its value is now in `out`.
 */
export function bindSubscriptSetItem(
  cx: Cx, t: { name: string; columns: ColumnObj[] }, a: A.Assignment, out: Map<number, Expr>,
  targetColumn: (name: A.Ident, loc?: A.Loc) => ColumnObj,
): boolean {
  const target = a.targets[0];
  if (a.targets.length !== 1 || !target || target.kind !== 'subscript') return false;
  const name = subscriptTargetColumn(target);
  if (!name) return false;
  const c = targetColumn(name, target.loc);
  let subscripted = subscriptedIn.get(out);
  if (!subscripted) subscriptedIn.set(out, (subscripted = new Set()));
  const prev = out.get(c.attnum);
  if (prev !== undefined && !subscripted.has(c.attnum)) {
    throw errAt(cx, SqlState.syntax_error, `multiple assignments to same column "${c.name}"`, target.loc);
  }
  const base: Expr = prev ?? { k: 'col', type: c.type, index: c.attnum - 1 };
  out.set(c.attnum, bindSubscriptAssignment(cx, c, target, a.value, base));
  subscripted.add(c.attnum);
  return true;
}

/**
 * INSERT INTO t (a[i], a[j], b): the columns of the list, one per column
 * (subscripted targets of one column compose, 42701 for a column named
 * twice otherwise), and for each list position the subscripts it assigns.
 */
export function insertTargets(
  cx: Cx, columns: A.Ident[], targets: Array<A.Expr | undefined>, resolve: (id: A.Ident) => ColumnObj,
): Array<{ col: ColumnObj; target?: A.SubscriptExpr }> {
  const plain = new Set<number>();
  const subscripted = new Set<number>();
  return columns.map((id, k) => {
    const c = resolve(id);
    const target = targets[k]?.kind === 'subscript' ? (targets[k] as A.SubscriptExpr) : undefined;
    if (plain.has(c.attnum) || (target ? false : subscripted.has(c.attnum))) {
      throw errAt(cx, SqlState.duplicate_column, `column "${c.name}" specified more than once`, id.loc ?? target?.loc);
    }
    (target ? subscripted : plain).add(c.attnum);
    return target ? { col: c, target } : { col: c };
  });
}

/** The value an INSERT row gives `col` through its subscripted targets (in list order), over NULL. */
export function insertSubscriptValue(cx: Cx, col: ColumnObj, parts: Array<{ target: A.SubscriptExpr; value: A.Expr | { bound: Expr } }>): Expr {
  let e: Expr = { k: 'const', type: col.type, value: null };
  for (const p of parts) e = bindSubscriptAssignment(cx, col, p.target, p.value, e);
  return e;
}

/** Sets in `given` the columns an INSERT row assigns through subscripts (`values[k]` for list position k). */
export function addSubscriptValues(
  cx: Cx, targets: Array<A.Expr | undefined>, cols: ColumnObj[], values: Array<A.Expr | { bound: Expr }>, given: Map<number, Expr>,
): void {
  const parts = new Map<number, Array<{ target: A.SubscriptExpr; value: A.Expr | { bound: Expr } }>>();
  targets.forEach((target, k) => {
    if (target?.kind !== 'subscript' || k >= values.length) return;
    const c = cols[k]!;
    let list = parts.get(c.attnum);
    if (!list) parts.set(c.attnum, (list = []));
    list.push({ target, value: values[k]! });
  });
  for (const [attnum, list] of parts) given.set(attnum, insertSubscriptValue(cx, cols.find((c) => c.attnum === attnum)!, list));
}
