// The state shared by the grouping binder (group.ts), aggregate calls
// (agg_call.ts) and window calls (window_call.ts): the query level being
// grouped or windowed, its scope, per-scope binding state, and the errors
// PostgreSQL raises for misplaced calls.

import type * as A from '../../../sql-dialects/index.ts';
import { SbError, SqlState } from '../sb_error.ts';
import type { AggCall, Expr, SortKey, WindowCall } from '../plan/nodes.ts';
import { type Cx, errAt } from './context.ts';
import { resolveUnknown } from './coerce.ts';
import { bindExpr } from './expr.ts';
import { Scope, type ScopeColumn } from './scope.ts';

/** Provisional positions of aggregate and window results until finish() fixes the layout. */
export const AGG_BASE = 1 << 26;
export const WIN_BASE = 2 << 26;

/** What one grouped / windowed query level is building. */
export interface Level {
  fromCx: Cx;
  grouped: boolean;
  groups: Expr[];
  groupKeys: string[];
  /** Group positions present in every grouping set (functional dependency needs these). */
  common: Set<number>;
  sets?: number[][];
  aggs: AggCall[];
  aggKeys: string[];
  windowed: boolean;
  calls: WindowCall[];
  callKeys: string[];
  named: Map<string, A.WindowSpec>;
  /** GroupScope column -> the FROM column it stands for. */
  fromCol: Map<ScopeColumn, ScopeColumn>;
}

/** The scope of a grouped or windowed SELECT core's select list, HAVING and ORDER BY. */
export class GroupScope extends Scope {
  constructor(parent: Scope | undefined, readonly level: Level) {
    super(parent);
  }
}

// Where binding currently is, for PostgreSQL's placement errors.
// Kept per scope, so that a subquery inside an aggregate's arguments starts afresh.
interface BindingState {
  /** Inside the arguments of an aggregate of this level. */
  agg: number;
  /** Inside the arguments or window of a window call of this level. */
  win: number;
  clause: 'GROUP BY' | 'HAVING' | null;
}
const binding = new WeakMap<Scope, BindingState>();

export function st(scope: Scope): BindingState {
  let b = binding.get(scope);
  if (!b) binding.set(scope, (b = { agg: 0, win: 0, clause: null }));
  return b;
}

/** Aggregate-argument depth of the level cx binds for (its FROM scope's, for a GroupScope). */
export function aggDepthAt(cx: Cx): number {
  const s = cx.scope;
  return st(s).agg + (s instanceof GroupScope ? st(s.level.fromCx.scope).agg : 0);
}
/** Set while finding an aggregate's level: column references bind as plain references. */
export const flags = { rawColumns: false };

export function groupingError(cx: Cx, what: string, loc: A.Loc | undefined): SbError {
  return errAt(cx, '42803', what, loc);
}

export function placementError(cx: Cx, kind: 'agg' | 'window' | 'grouping', loc: A.Loc | undefined): SbError {
  const where = st(cx.scope).clause ?? 'this context';
  if (kind === 'window') return errAt(cx, '42P20', `window functions are not allowed in ${where === 'this context' ? 'WHERE' : where}`, loc);
  if (kind === 'grouping') return groupingError(cx, `grouping operations are not allowed in ${where === 'this context' ? 'WHERE' : where}`, loc);
  return groupingError(cx, `aggregate functions are not allowed in ${where === 'this context' ? 'WHERE' : where}`, loc);
}

/** The grouped level whose select list / HAVING / ORDER BY is being bound, if cx is one. */
export function groupedLevel(cx: Cx): Level | undefined {
  const s = cx.scope;
  return s instanceof GroupScope && s.level.grouped ? s.level : undefined;
}

/** Does a bound expression depend on this level's row (columns or subqueries)? */
export function usesRow(e: unknown): boolean {
  if (e === null || typeof e !== 'object') return false;
  if (Array.isArray(e)) return e.some(usesRow);
  const x = e as { k?: string };
  if (x.k === 'col' || x.k === 'subquery' || x.k === 'sublink') return true;
  for (const [k, v] of Object.entries(x)) {
    if (k === 'type') continue;
    if (v !== null && typeof v === 'object' && usesRow(v)) return true;
  }
  return false;
}

export function wrap<R>(cx: Cx, loc: A.Loc | undefined, fn: () => R): R {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SbError && err.position === undefined) throw errAt(cx, err.code, err.message, loc, { hint: err.hint });
    throw err;
  }
}

export function orderKey(cx: Cx, o: A.OrderItem): SortKey {
  const expr = resolveUnknown(cx, bindExpr(cx, o.expr));
  let desc = o.dir === 'DESC';
  if (o.using) {
    if (o.using === '<' || o.using === '<=') desc = false;
    else if (o.using === '>' || o.using === '>=') desc = true;
    else throw errAt(cx, SqlState.feature_not_supported, `ORDER BY ... USING ${o.using} is not supported`, locOf(o.expr));
  }
  return { expr, desc, nullsFirst: o.nulls ? o.nulls === 'FIRST' : desc };
}

export function locOf(e: A.Expr | undefined): A.Loc | undefined {
  return e ? (e as { loc?: A.Loc }).loc : undefined;
}

