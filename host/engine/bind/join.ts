// Joins in FROM: [INNER | LEFT | RIGHT | FULL] JOIN ... ON / USING, NATURAL,
// CROSS JOIN, comma lists (from.ts turns them into CROSS joins), parenthesised
// joins with aliases, and LATERAL items on the right of a join.
//
// Row layout: the left item's columns sit at [b0, b1) of the query level's row
// and the right item's at [b1, b2) (from.ts's contract). The 'join' node's
// expressions are over its own rows, 0-based (so the planner can move joins):
// leftKeys over the left input's row, rightKeys over the right input's, cond
// over the concatenated row; a lateral right side sees the left input's row
// as outer level 1. `rebase` shifts references from level positions to those.
//
// USING / NATURAL follow PostgreSQL: each USING column pair becomes one merged
// column (the left value for INNER/LEFT, the right one for RIGHT, COALESCE for
// FULL, cast to the pair's common type), listed first by `*`; the sides' own
// columns stay reachable qualified only (ScopeColumn.hidden).

import type * as A from '../../../sql-dialects/index.ts';
import { SqlState } from '../sb_error.ts';
import type { ColInfo, Expr, JoinType, Plan } from '../plan/nodes.ts';
import { T } from '../types/types.ts';
import { type Cx, errAt, fold } from './context.ts';
import { coerceBool, coerceTo, commonType } from './coerce.ts';
import { bindExpr, makeOperator } from './expr.ts';
import { addDerived, bindFromItem, registerFromBinder } from './from.ts';
import { bindQuery } from './select.ts';
import { type RangeEntry, Scope, type ScopeColumn } from './scope.ts';

type JoinPlan = Extract<Plan, { n: 'join' }>;

/**
 * Set while the right item of a join is bound: the level position where the
 * join's left input starts. A LATERAL item (or a function in FROM) bound there
 * sees the earlier FROM items through a child scope (as outer level 1) and is
 * recorded in `lateralPlans`; elsewhere it is bound like a plain subquery.
 */
export const lateralState: { base: number | undefined } = { base: undefined };
export const lateralPlans = new WeakSet<Plan>();
/** How many outer joins' NULL-extended sides enclose the item being bound (a recursive CTE reference must not be there). */
export const outerJoinDepth = { value: 0 };

/** Binds an item that may refer to earlier FROM items: `body` receives the scope to bind in. */
export function bindLateralItem(cx: Cx, lateral: boolean, body: (inner: Cx) => Plan): Plan {
  const base = lateralState.base;
  if (lateral && base !== undefined) {
    const inner: Cx = { env: cx.env, scope: new Scope(cx.scope) };
    const plan = body(inner);
    if (inner.scope.correlated) lateralPlans.add(plan);
    return plan;
  }
  const inner: Cx = { env: cx.env, scope: new Scope(cx.scope.parent) };
  const plan = body(inner);
  if (inner.scope.correlated) cx.scope.correlated = true;
  return plan;
}

const JOIN_TYPES: Record<A.JoinType, JoinType> = {
  INNER: 'inner', LEFT: 'left', RIGHT: 'right', FULL: 'full', CROSS: 'cross',
  'CROSS APPLY': 'cross', 'OUTER APPLY': 'left', STRAIGHT_JOIN: 'inner',
};

function bindJoin(cx: Cx, j: A.TableRef): Plan {
  if (j.kind !== 'join') return undefined as never;
  const type = JOIN_TYPES[j.type];
  const scope = cx.scope;
  const b0 = scope.width;
  const e0 = scope.entries.length;
  const saved = lateralState.base;
  let left: Plan;
  let right: Plan;
  try {
    lateralState.base = undefined;
    const nullableLeft = type === 'right' || type === 'full';
    const nullableRight = type === 'left' || type === 'full';
    if (nullableLeft) outerJoinDepth.value++;
    try {
      left = bindFromItem(cx, j.left);
    } finally {
      if (nullableLeft) outerJoinDepth.value--;
    }
    const b1 = scope.width;
    const e1 = scope.entries.length;
    lateralState.base = b0;
    const apply = j.type === 'CROSS APPLY' || j.type === 'OUTER APPLY';
    if (nullableRight) outerJoinDepth.value++;
    try {
      right = apply && (j.right.kind === 'derived' || j.right.kind === 'table_func') ? bindFromItem(cx, { ...j.right, lateral: true }) : bindFromItem(cx, j.right);
    } finally {
      if (nullableRight) outerJoinDepth.value--;
    }
    lateralState.base = saved;
    return finishJoin(cx, j, type, left, right, b0, b1, e0, e1);
  } finally {
    lateralState.base = saved;
  }
}

function finishJoin(cx: Cx, j: A.Join, type: JoinType, left: Plan, right: Plan, b0: number, b1: number, e0: number, e1: number): Plan {
  const scope = cx.scope;
  const b2 = scope.width;
  const leftEntries = scope.entries.slice(e0, e1);
  const rightEntries = scope.entries.slice(e1);
  // Two FROM items of one join tree may not share a name (42712), as PostgreSQL's checkNameSpaceConflicts.
  for (const l of leftEntries) {
    if (l.name === null) continue;
    for (const r of rightEntries) {
      if (r.name === l.name && (l.schema === undefined || r.schema === undefined || l.schema === r.schema)) {
        throw errAt(cx, '42712', `table name "${l.name}" specified more than once`, j.loc);
      }
    }
  }
  const lateral = lateralPlans.has(right);
  if (lateral && (type === 'right' || type === 'full')) {
    throw errAt(cx, SqlState.invalid_column_reference, 'invalid reference to FROM-clause entry', j.loc, {
      detail: 'The combining JOIN type must be INNER or LEFT for a LATERAL reference.',
    });
  }
  if (lateral) right = rebasePlan(cx, right, -b0, 1, j.loc);

  // The join condition: ON, USING / NATURAL, or none.
  let cond: Expr | undefined;
  const merged: Array<{ name: string; expr: Expr; l: ScopeColumn; r: ScopeColumn }> = [];
  if (j.on) {
    const onScope = new Scope(scope.parent);
    for (const e of [...leftEntries, ...rightEntries]) onScope.addPlaced(e.name, e.cols, b2, entryExtra(e));
    onScope.width = b2;
    cond = coerceBool(cx, bindExpr({ env: cx.env, scope: onScope }, j.on), 'JOIN/ON', locOf(j.on));
    if (onScope.correlated) scope.correlated = true;
  } else if (j.using || j.natural) {
    let names: string[];
    if (j.using) {
      names = j.using.map((id) => fold(cx, id));
      const seen = new Set<string>();
      for (const n of names) {
        if (seen.has(n)) throw errAt(cx, SqlState.duplicate_column, `column name "${n}" appears more than once in USING clause`, j.loc);
        seen.add(n);
      }
    } else {
      const rightNames = new Set(visibleCols(rightEntries).map((c) => c.name));
      names = [];
      for (const c of visibleCols(leftEntries)) if (rightNames.has(c.name) && !names.includes(c.name)) names.push(c.name);
    }
    const conds: Expr[] = [];
    for (const name of names) {
      const l = usingColumn(cx, leftEntries, name, 'left', j.loc);
      const r = usingColumn(cx, rightEntries, name, 'right', j.loc);
      const lx: Expr = { k: 'col', type: l.type, index: l.index };
      const rx: Expr = { k: 'col', type: r.type, index: r.index };
      const t = commonType(cx, [lx, rx], 'JOIN/USING', j.loc);
      const lc = coerceTo(cx, lx, t, 'implicit', { loc: j.loc });
      const rc = coerceTo(cx, rx, t, 'implicit', { loc: j.loc });
      conds.push(coerceBool(cx, makeOperator(cx, '=', lc, rc, j.loc), 'JOIN/USING', j.loc));
      const expr: Expr = type === 'full' ? { k: 'coalesce', type: t, args: [lc, rc] } : type === 'right' ? rc : lc;
      merged.push({ name, expr, l, r });
    }
    if (conds.length > 0) cond = conds.length === 1 ? conds[0] : { k: 'and', type: T.bool, args: conds };
  } else if (type !== 'cross') {
    throw errAt(cx, SqlState.syntax_error, 'syntax error: JOIN requires ON or USING', j.loc);
  }

  const plan = makeJoin(cx, type === 'cross' && cond ? 'inner' : type, left, right, cond, b0, b1, b2, lateral, j.loc);
  if (merged.length === 0) return plan;

  // Merged USING columns: plain references where possible, else computed columns appended to the row.
  const computed: Expr[] = [];
  const mergedCols: ScopeColumn[] = [];
  for (const m of merged) {
    m.l.hidden = true;
    m.r.hidden = true;
    const src = m.expr.k === 'col' ? (m.expr.index === m.l.index ? m.l : m.r) : undefined;
    if (src) {
      mergedCols.push({ name: m.name, type: m.expr.type, index: src.index, ...(src.tableOid !== undefined ? { tableOid: src.tableOid, attnum: src.attnum } : {}) });
    } else {
      mergedCols.push({ name: m.name, type: m.expr.type, index: b2 + computed.length });
      computed.push(m.expr);
    }
  }
  scope.entries.splice(e0, 0, { name: null, cols: mergedCols });
  if (computed.length === 0) return plan;
  scope.width = b2 + computed.length;
  const exprs: Expr[] = plan.cols.map((c, i) => ({ k: 'col', type: c.type, index: i }) as Expr);
  for (const e of computed) exprs.push(rebaseExpr(cx, e, -b0, 0, j.loc));
  const cols: ColInfo[] = [...plan.cols, ...merged.filter((_, i) => mergedCols[i]!.index >= b2).map((m) => ({ name: m.name, type: m.expr.type }))];
  return { n: 'project', cols, input: plan, exprs };
}

function entryExtra(e: RangeEntry): Partial<RangeEntry> {
  const x: Partial<RangeEntry> = {};
  if (e.schema !== undefined) x.schema = e.schema;
  if (e.tableOid !== undefined) x.tableOid = e.tableOid;
  return x;
}

function visibleCols(entries: RangeEntry[]): ScopeColumn[] {
  const out: ScopeColumn[] = [];
  for (const e of entries) for (const c of e.cols) if (!c.hidden) out.push(c);
  return out;
}

function usingColumn(cx: Cx, entries: RangeEntry[], name: string, side: 'left' | 'right', loc?: A.Loc): ScopeColumn {
  const hits = visibleCols(entries).filter((c) => c.name === name);
  if (hits.length === 0) {
    throw errAt(cx, SqlState.undefined_column, `column "${name}" specified in USING clause does not exist in ${side} table`, loc);
  }
  if (hits.length > 1) throw errAt(cx, SqlState.ambiguous_column, `common column name "${name}" appears more than once in ${side} table`, loc);
  return hits[0]!;
}

/** The join node: equality conjuncts between the sides become hash keys. */
function makeJoin(cx: Cx, type: JoinType, left: Plan, right: Plan, cond: Expr | undefined, b0: number, b1: number, b2: number, lateral: boolean, loc?: A.Loc): JoinPlan {
  const cols = [...left.cols, ...right.cols];
  const leftKeys: Expr[] = [];
  const rightKeys: Expr[] = [];
  const rest: Expr[] = [];
  for (const c of cond ? conjuncts(cond) : []) {
    const pair = lateral ? undefined : equiPair(c, b0, b1, b2);
    if (pair) {
      leftKeys.push(rebaseExpr(cx, pair[0], -b0, 0, loc));
      rightKeys.push(rebaseExpr(cx, pair[1], -b1, 0, loc));
    } else rest.push(c);
  }
  const residual = rest.length === 0 ? undefined : rest.length === 1 ? rest[0]! : ({ k: 'and', type: T.bool, args: rest } as Expr);
  const plan: JoinPlan = {
    n: 'join', cols, type, method: leftKeys.length > 0 ? 'hash' : 'nested', left, right, leftKeys, rightKeys,
  };
  if (residual) plan.cond = rebaseExpr(cx, residual, -b0, 0, loc);
  if (lateral) plan.lateral = true;
  void b2;
  return plan;
}

function conjuncts(e: Expr): Expr[] {
  return e.k === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/** Types whose hashValue equality is their '=' operator's. */
const HASHABLE = new Set([
  'int2', 'int4', 'int8', 'oid', 'float4', 'float8', 'numeric', 'bool', 'text', 'varchar', 'name', 'bpchar', 'char',
  'date', 'time', 'timestamp', 'timestamptz', 'interval', 'uuid', 'bytea', 'timetz',
]);

/** `l = r` with l over the left side only and r over the right side only (or the reverse). */
function equiPair(c: Expr, b0: number, b1: number, b2: number): [Expr, Expr] | undefined {
  if (c.k !== 'op' || c.op !== '=' || c.args.length !== 2) return undefined;
  const [a, b] = c.args as [Expr, Expr];
  if (a.type.id !== b.type.id || !HASHABLE.has(a.type.id)) return undefined;
  const ra = refRange(a);
  const rb = refRange(b);
  if (!ra || !rb) return undefined;
  const inside = (r: { min: number; max: number }, lo: number, hi: number): boolean => r.min >= lo && r.max < hi;
  if (inside(ra, b0, b1) && inside(rb, b1, b2)) return [a, b];
  if (inside(rb, b0, b1) && inside(ra, b1, b2)) return [b, a];
  return undefined;
}

/** The range of level columns an expression reads; undefined when it has none, subqueries or volatile calls. */
function refRange(e: Expr): { min: number; max: number } | undefined {
  let min = Infinity;
  let max = -Infinity;
  let ok = true;
  const walk = (x: Expr): void => {
    if (!ok) return;
    switch (x.k) {
      case 'col':
        min = Math.min(min, x.index);
        max = Math.max(max, x.index);
        return;
      case 'subquery':
      case 'sublink':
      case 'nextval':
      case 'seq_call':
      case 'agg_ref':
        ok = false;
        return;
      case 'call':
        if (x.volatile) ok = false;
        break;
    }
    for (const v of Object.values(x)) {
      if (Array.isArray(v)) for (const y of v) if (y && typeof y === 'object' && 'k' in y) walk(y as Expr);
      if (v && typeof v === 'object' && !Array.isArray(v) && 'k' in v && 'type' in v) walk(v as Expr);
      if (Array.isArray(v)) for (const y of v) if (y && typeof y === 'object' && 'cond' in y) { walk((y as { cond: Expr }).cond); walk((y as { then: Expr }).then); }
    }
  };
  walk(e);
  return ok && min !== Infinity ? { min, max } : undefined;
}

// ---- rebasing references ---------------------------------------------------------

/**
 * Shifts the references an expression makes to its query level's row by
 * `delta`: `col` at depth 0, `outer` of level = depth inside subqueries (and
 * lateral right sides) below it. A reference that falls before the row is one
 * to a FROM item outside the join (a LATERAL reference we cannot serve).
 */
export function rebaseExpr(cx: Cx, e: Expr, delta: number, depth: number, loc?: A.Loc): Expr {
  if (delta === 0) return e;
  return rebase(cx, e, delta, depth, loc) as Expr;
}

export function rebasePlan(cx: Cx, p: Plan, delta: number, depth: number, loc?: A.Loc): Plan {
  if (delta === 0) return p;
  return rebase(cx, p, delta, depth, loc) as Plan;
}

function rebase(cx: Cx, x: unknown, delta: number, depth: number, loc?: A.Loc): unknown {
  if (Array.isArray(x)) return x.map((y) => rebase(cx, y, delta, depth, loc));
  if (x === null || typeof x !== 'object' || Object.getPrototypeOf(x) !== Object.prototype) return x;
  const o = x as Record<string, unknown>;
  if (o.k === 'const') return o;
  const shift = (index: number): number => {
    const i = index + delta;
    if (i < 0) {
      throw errAt(cx, SqlState.feature_not_supported, 'a LATERAL reference to a FROM item outside the enclosing join is not supported', loc);
    }
    return i;
  };
  if (o.k === 'col' && depth === 0) return { ...o, index: shift(o.index as number) };
  if (o.k === 'outer' && depth > 0 && o.level === depth) return { ...o, index: shift(o.index as number) };
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(o)) {
    let d = depth;
    if ((o.k === 'subquery' || o.k === 'sublink') && key === 'plan') d = depth + 1;
    else if (o.n === 'join' && o.lateral === true && key === 'right') d = depth + 1;
    out[key] = rebase(cx, v, delta, d, loc);
  }
  return out;
}

// ---- parenthesised joins and derived tables --------------------------------------

function bindNestedJoin(cx: Cx, item: A.TableRef): Plan {
  if (item.kind !== 'nested_join') return undefined as never;
  const scope = cx.scope;
  const e0 = scope.entries.length;
  const plan = bindFromItem(cx, item.table);
  if (!item.alias) return plan;
  // An alias hides the joined items: only alias.column (or the bare column) reaches them.
  const inner = scope.entries.splice(e0);
  const cols = visibleCols(inner);
  const aliases = item.alias.columns ?? [];
  const name = fold(cx, item.alias.name);
  if (aliases.length > cols.length) {
    throw errAt(cx, SqlState.invalid_column_reference, `table "${name}" has ${cols.length} columns available but ${aliases.length} columns specified`, item.loc);
  }
  scope.addPlaced(name, cols.map((c, i) => ({ name: aliases[i] ? fold(cx, aliases[i]!) : c.name, type: c.type, index: c.index })), scope.width);
  return plan;
}

function bindDerivedItem(cx: Cx, item: A.TableRef): Plan | undefined {
  if (item.kind !== 'derived') return undefined;
  // PostgreSQL 15 requires the alias.
  if (!item.alias) {
    const values = item.query.body.kind === 'values' && !item.query.with;
    throw errAt(cx, SqlState.syntax_error, `${values ? 'VALUES' : 'subquery'} in FROM must have an alias`, item.loc);
  }
  let cols: ColInfo[] = [];
  const plan = bindLateralItem(cx, item.lateral === true, (inner) => {
    const q = bindQuery(inner, item.query);
    cols = q.cols;
    return q.plan;
  });
  const lateral = lateralPlans.has(plan);
  const out = addDerived(cx, plan, cols, item.alias, item.loc);
  if (lateral) lateralPlans.add(out);
  return out;
}

function locOf(e: A.Expr): A.Loc | undefined {
  return (e as { loc?: A.Loc }).loc;
}

registerFromBinder('join', bindJoin);
registerFromBinder('nested_join', bindNestedJoin);
registerFromBinder('derived', bindDerivedItem);
