// Type coercion of bound expressions with PostgreSQL's rules: unknown-typed
// literals take the type their context wants (converted here, once, like
// PostgreSQL's parse-time constants), `$n` parameters learn their type from
// the first context that needs one, binary-compatible string types are
// relabelled without a conversion, and everything else goes through a cast
// that must exist in the context (implicit < assignment < explicit).

import type { Loc } from '../../../sql-dialects/index.ts';
import { SbError, SqlState } from '../sb_error.ts';
import { arrayOf, sameType, sameTypeAndTypmod, sqlType, T, type SqlType } from '../types/types.ts';
import { formatType } from '../types/type_names.ts';
import type { Expr } from '../plan/nodes.ts';
import { canCast, castValue } from '../types/casts.ts';
import { selectCommonType } from '../types/resolve.ts';
import { type Cx, errAt } from './context.ts';

export type CoercionContext = 'implicit' | 'assignment' | 'explicit';

/** Types whose literals depend on the session (TimeZone, 'now'): converted when the statement runs. */
const RUNTIME_INPUT = new Set(['date', 'time', 'timetz', 'timestamp', 'timestamptz']);

/** A string equal for structurally equal expressions (ORDER BY / DISTINCT ON matching). */
export function exprKey(e: Expr): string {
  return JSON.stringify(e, (_k, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return `bytes:${Array.from(v).join(',')}`;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype) {
      return `${(v as object).constructor.name}:${String(v)}`;
    }
    return v;
  });
}

/** A parameter's current type: a $n bound before its type was known picks it up here. */
export function refresh(cx: Cx, e: Expr): Expr {
  if (e.k === 'param' && e.type.id === 'unknown') {
    const t = cx.env.paramTypes[e.index];
    if (t) return { k: 'param', type: t, index: e.index };
  }
  return e;
}

export function isUnknown(e: Expr): boolean {
  return e.type.id === 'unknown';
}

/** The type of an expression for overload resolution ('unknown' for literals and untyped params). */
export function inputType(cx: Cx, e: Expr): SqlType | 'unknown' {
  const r = refresh(cx, e);
  return r.type.id === 'unknown' ? 'unknown' : r.type;
}

function stripTypmod(t: SqlType): SqlType {
  if (t.typmod < 0) return t;
  return t.id === 'array' ? arrayOf(sqlType(t.elem!.id)) : sqlType(t.id);
}

/** Same representation, different type name: no conversion needed. */
function binaryCompatible(from: SqlType, to: SqlType): boolean {
  if (to.typmod >= 0 && to.id !== 'text') return false;
  const s = (id: string): boolean => id === 'text' || id === 'varchar' || id === 'name';
  // text and varchar to name is a function (it truncates to NAMEDATALEN - 1 bytes).
  if (s(from.id) && s(to.id)) return to.id !== 'name' || from.id === 'name';
  if (from.id === 'bpchar' && to.id === 'bpchar') return true;
  return false;
}

/** e seen as a binary-compatible type; a cast keeps its own target (n::varchar(3) read as text is still cut). */
function relabel(e: Expr, target: SqlType): Expr {
  if (e.k === 'cast' && !sameTypeAndTypmod(e.type, e.arg.type)) return { k: 'cast', type: target, arg: e, explicit: false };
  return { ...e, type: target } as Expr;
}

export interface CoerceError {
  loc?: Loc;
  /** Builds the error for a missing cast (default: 42846 cannot cast type X to Y). */
  error?: (from: SqlType, to: SqlType) => SbError;
}

/** Converts e to `target` in the given context, or fails. */
export function coerceTo(cx: Cx, e: Expr, target: SqlType, context: CoercionContext, how: CoerceError = {}): Expr {
  e = refresh(cx, e);
  if (target.id === 'unknown' || target.id === 'any' || target.id === 'anyelement') return e;
  if (e.type.id === 'unknown') return coerceUnknown(cx, e, target, context, how);
  if (sameType(e.type, target)) {
    if (target.typmod >= 0 && e.type.typmod !== target.typmod && context !== 'implicit') {
      return castNode(cx, e, target, context === 'explicit', how);
    }
    return target.typmod === e.type.typmod || target.typmod < 0 ? e : relabel(e, target);
  }
  if (binaryCompatible(e.type, target)) return relabel(e, target);
  if (!canCast(e.type, target, context)) {
    throw how.error ? how.error(e.type, target) : errAt(cx, '42846', `cannot cast type ${formatType(e.type)} to ${formatType(target)}`, how.loc);
  }
  return castNode(cx, e, target, context === 'explicit', how);
}

function castNode(cx: Cx, e: Expr, target: SqlType, explicit: boolean, how: CoerceError): Expr {
  if (e.k === 'const' && !RUNTIME_INPUT.has(target.id) && !RUNTIME_INPUT.has(e.type.id)) {
    return { k: 'const', type: target, value: convertAt(cx, e.value, e.type, target, explicit ? 'explicit' : 'assignment', how.loc) };
  }
  return { k: 'cast', type: target, arg: e, explicit };
}

function convertAt(cx: Cx, v: unknown, from: SqlType, to: SqlType, context: CoercionContext, loc?: Loc): unknown {
  if (v === null) return null;
  try {
    return castValue(v, from, to, cx.env.values, context);
  } catch (err) {
    if (err instanceof SbError && err.position === undefined && loc) {
      throw errAt(cx, err.code, err.message, loc, { detail: err.detail, hint: err.hint });
    }
    throw err;
  }
}

function coerceUnknown(cx: Cx, e: Expr, target: SqlType, context: CoercionContext, how: CoerceError): Expr {
  if (e.k === 'const') {
    if (e.value === null) return { k: 'const', type: target, value: null };
    if (RUNTIME_INPUT.has(target.id) || (target.id === 'array' && RUNTIME_INPUT.has(target.elem!.id))) {
      return { k: 'cast', type: target, arg: e, explicit: context === 'explicit' };
    }
    return { k: 'const', type: target, value: convertAt(cx, e.value, T.unknown, target, context === 'implicit' ? 'assignment' : context, how.loc) };
  }
  if (e.k === 'param') {
    const base = stripTypmod(target);
    cx.env.paramTypes[e.index] = base;
    const p: Expr = { k: 'param', type: base, index: e.index };
    return target.typmod >= 0 ? { k: 'cast', type: target, arg: p, explicit: context === 'explicit' } : p;
  }
  return { k: 'cast', type: target, arg: e, explicit: context === 'explicit' };
}

/** An unknown-typed expression becomes text (select lists, UNION outputs, ...). */
export function resolveUnknown(cx: Cx, e: Expr): Expr {
  e = refresh(cx, e);
  return e.type.id === 'unknown' ? coerceTo(cx, e, T.text, 'implicit') : e;
}

/** Boolean context (WHERE, AND, CHECK...): 42804 `argument of X must be type boolean`. */
export function coerceBool(cx: Cx, e: Expr, what: string, loc?: Loc): Expr {
  return coerceTo(cx, e, T.bool, 'assignment', {
    loc,
    error: (from) => errAt(cx, SqlState.datatype_mismatch, `argument of ${what} must be type boolean, not type ${formatType(from)}`, loc),
  });
}

/** select_common_type then coercion of every input to it (CASE, COALESCE, VALUES, UNION...). */
export function commonType(cx: Cx, exprs: Expr[], context: string, loc?: Loc): SqlType {
  const types = exprs.map((e) => refresh(cx, e).type);
  try {
    return selectCommonType(types, context) ?? T.text;
  } catch (err) {
    if (err instanceof SbError && loc) throw errAt(cx, err.code, err.message, loc);
    throw err;
  }
}

export function coerceAll(cx: Cx, exprs: Expr[], t: SqlType, loc?: Loc): Expr[] {
  return exprs.map((e) => coerceTo(cx, e, t, 'implicit', { loc }));
}

/** Assignment to a column: 42804 `column "x" is of type T but expression is of type U`. */
export function coerceAssign(cx: Cx, e: Expr, target: SqlType, column: string, loc?: Loc): Expr {
  return coerceTo(cx, e, target, 'assignment', {
    loc,
    error: (from, to) =>
      errAt(cx, SqlState.datatype_mismatch, `column "${column}" is of type ${formatType(to)} but expression is of type ${formatType(from)}`, loc, {
        hint: 'You will need to rewrite or cast the expression.',
      }),
  });
}
