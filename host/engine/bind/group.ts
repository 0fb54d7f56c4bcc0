// Grouping and window functions in a SELECT core, with PostgreSQL's rules.
//
// select.ts calls the grouping hook for every SELECT core; it returns
// undefined unless the core has GROUP BY, HAVING, a WINDOW clause, or an
// aggregate / GROUPING() / window call in its select list, HAVING or ORDER BY.
// Then the core's pipeline becomes
//   FROM/WHERE -> aggregate (groups..., aggregates...) -> filter (HAVING)
//   -> window (input columns..., window calls...) -> select.ts's project
// and the select list, ORDER BY and DISTINCT ON are bound in a GroupScope.
// In that scope an expression equal to a GROUP BY expression becomes a
// reference to the group column; an aggregate call is bound over the FROM row
// and becomes a reference to its result; a plain column that is neither
// grouped nor functionally dependent on a grouped primary key is 42803.
//
// Aggregates and window calls are discovered while select.ts binds the
// select list, so their references carry provisional indexes (AGG_BASE + i,
// WIN_BASE + i) until finish() fixes the layout and renumbers them.
//
// GROUPING(a, b) is an AggCall with fn 'grouping', oid 0 and constant
// arguments naming group positions: the aggregate operator computes its
// bitmask from the grouping set each output row belongs to.
//
// Files: group.ts (this: the hooks, GROUP BY, grouped expressions),
// agg_call.ts (aggregate calls), window_call.ts (window calls),
// group_scope.ts (the state they share).

import type * as A from '../../../sql-dialects/index.ts';
import { SbError, SqlState } from '../sb_error.ts';
import type { ColInfo, Expr, Plan } from '../plan/nodes.ts';
import { routineKinds } from '../functions/resolve.ts';
import { type Cx, errAt, fold } from './context.ts';
import { coerceBool, exprKey, resolveUnknown } from './coerce.ts';
import { bindExpr, registerExprHook } from './expr.ts';
import { constantPosition, figureColname, registerGroupingHook } from './select.ts';
import type { Scope, ScopeColumn } from './scope.ts';
import { aggLevel, bindAggCall, bindGrouping } from './agg_call.ts';
import { bindWindowCall } from './window_call.ts';
import { AGG_BASE, flags, GroupScope, type Level, locOf, st, usesRow, WIN_BASE } from './group_scope.ts';
import '../exec/ops_agg.ts';
import '../exec/ops_colagg.ts';
import '../exec/ops_window.ts';

export { GroupScope } from './group_scope.ts';

// ---- syntactic scan ---------------------------------------------------------------

type CallClass = 'agg' | 'window' | 'grouping' | 'ordered' | 'needs_over' | null;

function classify(cx: Cx, f: A.FuncCall): CallClass {
  const parts = f.name.map((id) => fold(cx, id));
  if (parts.length > 2 || (parts.length === 2 && parts[0] !== 'pg_catalog')) return null;
  const name = parts[parts.length - 1]!;
  if (f.over) return 'window';
  if (name === 'grouping' && parts.length === 1) return 'grouping';
  const kinds = routineKinds(name);
  if (f.withinGroup && kinds.orderedSet) return 'ordered';
  const aggSyntax = f.star || f.quantifier || f.orderBy || f.filter;
  if (kinds.aggregate && (!kinds.function || aggSyntax)) return 'agg';
  if (kinds.window && !kinds.function && !kinds.aggregate) return 'needs_over';
  return null;
}

/** Which of aggregates / window calls an expression contains at this query level (not in subqueries). */
function scan(cx: Cx, e: unknown, found: { agg: boolean; win: boolean }): void {
  if (e === null || typeof e !== 'object') return;
  if (Array.isArray(e)) {
    for (const x of e) scan(cx, x, found);
    return;
  }
  const node = e as { kind?: string };
  if (node.kind === 'subquery' || node.kind === 'exists' || node.kind === 'array_subquery' || 'body' in node) return;
  if (node.kind === 'func') {
    const c = classify(cx, node as A.FuncCall);
    if (c === 'window') found.win = true;
    else if (c && c !== 'needs_over' && !(c === 'agg' && !found.agg && aggLevel(cx, node as A.FuncCall) > 0)) found.agg = true;
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === 'loc' || k === 'query') continue;
    if (v !== null && typeof v === 'object') scan(cx, v, found);
  }
}

/**
 * Whether a subquery of this core holds an aggregate over this level's
 * columns only (qualified by a FROM name of this level that the subquery does
 * not define): PostgreSQL evaluates it here, which makes this core grouped.
 */
function outerAggInSubquery(cx: Cx, e: unknown, shadow: Set<string> | null): boolean {
  if (e === null || typeof e !== 'object') return false;
  if (Array.isArray(e)) return e.some((x) => outerAggInSubquery(cx, x, shadow));
  const node = e as { kind?: string; query?: A.Query; body?: A.QueryBody };
  if (node.kind === 'func' && shadow !== null && classify(cx, node as A.FuncCall) === 'agg') {
    const refs: A.ColumnRef[] = [];
    collectColumns((node as A.FuncCall).args, refs);
    const names = new Set(cx.scope.entries.map((en) => en.name));
    if (refs.length > 0 && refs.every((r) => {
      if (r.name.length < 2) return false;
      const q = fold(cx, r.name[r.name.length - 2]!);
      return names.has(q) && !shadow.has(q);
    })) return true;
  }
  if (node.body && node.body.kind === 'select_core') {
    const core = node.body;
    const inner = new Set(shadow ?? []);
    collectFromNames(cx, core.from ?? [], inner);
    return outerAggInSubquery(cx, [core.columns, core.where ?? null, core.having ?? null], inner);
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === 'loc' || k === 'body') continue;
    if (v !== null && typeof v === 'object' && outerAggInSubquery(cx, v, shadow)) return true;
  }
  return false;
}

function collectColumns(e: unknown, out: A.ColumnRef[]): void {
  if (e === null || typeof e !== 'object') return;
  if (Array.isArray(e)) return e.forEach((x) => collectColumns(x, out));
  const node = e as { kind?: string };
  if (node.kind === 'column') out.push(node as A.ColumnRef);
  for (const [k, v] of Object.entries(node)) if (k !== 'loc' && k !== 'query' && v !== null && typeof v === 'object') collectColumns(v, out);
}

function collectFromNames(cx: Cx, from: unknown, out: Set<string>): void {
  if (from === null || typeof from !== 'object') return;
  if (Array.isArray(from)) return from.forEach((x) => collectFromNames(cx, x, out));
  const t = from as { kind?: string; alias?: { name: A.Ident }; name?: A.Ident[] };
  if (t.alias) out.add(fold(cx, t.alias.name));
  else if (t.kind === 'table' && t.name) out.add(fold(cx, t.name[t.name.length - 1]!));
  for (const [k, v] of Object.entries(t)) if (k !== 'loc' && k !== 'query' && k !== 'alias' && v !== null && typeof v === 'object') collectFromNames(cx, v, out);
}

function has(cx: Cx, e: unknown): { agg: boolean; win: boolean } {
  const found = { agg: false, win: false };
  scan(cx, e, found);
  return found;
}

// ---- the grouping hook ------------------------------------------------------------------

registerGroupingHook((cx, core, from, orderBy) => {
  const inList = has(cx, core.columns);
  const inOrder = has(cx, orderBy ?? []);
  const inHaving = has(cx, core.having ?? null);
  const grouped = !!core.groupBy || !!core.having || inList.agg || inOrder.agg || inHaving.agg ||
    outerAggInSubquery(cx, [core.columns, orderBy ?? null], null);
  const windowed = inList.win || inOrder.win || !!core.windows;
  if (!grouped && !windowed) return undefined;
  if (inHaving.win) throw errAt(cx, '42P20', 'window functions are not allowed in HAVING', core.having && locOf(core.having));

  const fromScope = cx.scope;
  const level: Level = {
    fromCx: cx, grouped, groups: [], groupKeys: [], common: new Set(), aggs: [], aggKeys: [],
    windowed, calls: [], callKeys: [], named: new Map(), fromCol: new Map(),
  };
  const scope = new GroupScope(fromScope.parent, level);
  scope.width = fromScope.width;
  const gcx: Cx = { env: cx.env, scope };
  {
    for (const w of core.windows ?? []) {
      const name = fold(cx, w.name);
      if (level.named.has(name)) throw errAt(cx, '42P20', `window "${name}" is already defined`, core.loc);
      level.named.set(name, w.spec);
    }
    let plan: Plan = from;
    let agg: Extract<Plan, { n: 'aggregate' }> | undefined;
    let having: Extract<Plan, { n: 'filter' }> | undefined;
    if (grouped) {
      bindGroupBy(cx, core, level);
      // The scope's columns: FROM columns, positioned at their group column when grouped.
      for (const entry of fromScope.entries) {
        const cols = entry.cols.map((c) => {
          const g: ScopeColumn = { ...c, index: groupIndexOfCol(level, c) };
          level.fromCol.set(g, c);
          return g;
        });
        scope.addPlaced(entry.name, cols, 0, { ...(entry.schema ? { schema: entry.schema } : {}), ...(entry.tableOid !== undefined ? { tableOid: entry.tableOid } : {}) });
      }
      checkStars(gcx, core, level);
      agg = { n: 'aggregate', cols: [], input: from, groups: level.groups, aggs: level.aggs, ...(level.sets ? { groupingSets: level.sets } : {}) };
      plan = agg;
      if (core.having) {
        st(scope).clause = 'HAVING';
        let pred: Expr;
        try {
          pred = coerceBool(gcx, bindExpr(gcx, core.having), 'HAVING', locOf(core.having));
        } finally {
          st(scope).clause = null;
        }
        having = { n: 'filter', cols: [], input: agg, pred };
        plan = having;
      }
    } else {
      for (const entry of fromScope.entries) scope.entries.push(entry);
    }
    let win: Extract<Plan, { n: 'window' }> | undefined;
    if (windowed) {
      // Every WINDOW clause definition is checked, used or not, as PostgreSQL does.
      st(scope).win++;
      try {
        for (const w of core.windows ?? []) {
          for (const p of w.spec.partitionBy ?? []) bindExpr(gcx, p);
          for (const o of w.spec.orderBy ?? []) bindExpr(gcx, o.expr);
        }
      } finally {
        st(scope).win--;
      }
      win = { n: 'window', cols: [], input: plan, calls: level.calls };
      plan = win;
    }
    const finish = (exprs: Expr[]): Plan => {
      const nGroups = level.groups.length;
      const aggCols: ColInfo[] = [
        ...level.groups.map((g, i) => ({ name: `?group${i}?`, type: g.type })),
        ...level.aggs.map((a) => ({ name: a.fn, type: a.type })),
      ];
      const base = grouped ? aggCols.length : from.cols.length;
      const remap = (e: unknown): void => renumber(e, nGroups, base);
      if (agg) agg.cols = aggCols;
      if (having) {
        remap(having.pred);
        having.cols = aggCols;
      }
      if (win) {
        for (const c of level.calls) remap(c);
        win.cols = [...(grouped ? aggCols : from.cols), ...level.calls.map((c) => ({ name: c.fn, type: c.type }))];
      }
      for (const e of exprs) remap(e);
      // References to enclosing queries were marked on this scope: the subquery's own scope must know.
      if (scope.correlated) fromScope.correlated = true;
      // A WINDOW clause no call uses needs no window operator.
      return win && level.calls.length === 0 ? win.input : plan;
    };
    return { plan, scope, finish };
  }
});

/** Renumbers provisional aggregate / window references (in place; idempotent). */
function renumber(e: unknown, nGroups: number, winBase: number, depth = 0): void {
  if (e === null || typeof e !== 'object') return;
  if (Array.isArray(e)) {
    for (const x of e) renumber(x, nGroups, winBase, depth);
    return;
  }
  const x = e as { k?: string; index?: number; level?: number };
  if ((depth === 0 && x.k === 'col') || (depth > 0 && x.k === 'outer' && x.level === depth)) {
    if (typeof x.index === 'number') {
      if (x.index >= WIN_BASE) x.index = winBase + (x.index - WIN_BASE);
      else if (x.index >= AGG_BASE) x.index = nGroups + (x.index - AGG_BASE);
    }
    return;
  }
  const sub = x.k === 'subquery' || x.k === 'sublink';
  for (const [k, v] of Object.entries(x)) {
    if (k === 'type') continue;
    // An aggregate of this level used inside a subquery is an outer reference there.
    if (k === 'plan' && !sub) continue;
    if (v !== null && typeof v === 'object') renumber(v, nGroups, winBase, k === 'plan' ? depth + 1 : depth);
  }
}

// ---- GROUP BY ----------------------------------------------------------------------------

function bindGroupBy(cx: Cx, core: A.SelectCore, level: Level): void {
  const gb = core.groupBy;
  if (!gb || gb.items.length === 0) return;
  st(cx.scope).clause = 'GROUP BY';
  try {
    let anySets = false;
    // Each item is a list of alternative sets; the GROUP BY is their cartesian product.
    const perItem: number[][][] = gb.items.map((item) => {
      if (item.kind === 'grouping_set') anySets = true;
      return expandItem(cx, core, level, item, true);
    });
    if (gb.withRollup) throw errAt(cx, SqlState.feature_not_supported, 'WITH ROLLUP is not supported in this dialect', core.loc);
    if (!anySets) {
      for (let i = 0; i < level.groups.length; i++) level.common.add(i);
      return;
    }
    let sets: number[][] = [[]];
    for (const alts of perItem) {
      const next: number[][] = [];
      for (const s of sets) for (const a of alts) next.push([...s, ...a]);
      sets = next;
    }
    sets = sets.map((s) => [...new Set(s)].sort((a, b) => a - b));
    if (gb.quantifier === 'DISTINCT') {
      const seen = new Set<string>();
      sets = sets.filter((s) => {
        const k = s.join(',');
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    }
    if (sets.length > 4096) throw errAt(cx, SqlState.program_limit_exceeded, 'too many grouping sets present (maximum 4096)', core.loc);
    for (let i = 0; i < level.groups.length; i++) if (sets.every((s) => s.includes(i))) level.common.add(i);
    // A single set holding every group column is plain grouping.
    if (sets.length === 1 && sets[0]!.length === level.groups.length) return;
    level.sets = sets;
  } finally {
    st(cx.scope).clause = null;
  }
}

/** The grouping sets one GROUP BY item stands for, as lists of group positions. */
function expandItem(cx: Cx, core: A.SelectCore, level: Level, item: A.Expr, top: boolean): number[][] {
  if (item.kind === 'grouping_set') {
    switch (item.type) {
      case 'EMPTY':
        return [[]];
      case 'ROLLUP': {
        const parts = item.items.map((x) => flatGroup(cx, core, level, x));
        const out: number[][] = [];
        for (let n = parts.length; n >= 0; n--) out.push(parts.slice(0, n).flat());
        return out;
      }
      case 'CUBE': {
        const parts = item.items.map((x) => flatGroup(cx, core, level, x));
        if (parts.length > 12) throw errAt(cx, SqlState.program_limit_exceeded, 'CUBE is limited to 12 elements', item.loc);
        const out: number[][] = [];
        for (let mask = (1 << parts.length) - 1; mask >= 0; mask--) {
          const s: number[] = [];
          for (let i = 0; i < parts.length; i++) if (mask & (1 << (parts.length - 1 - i))) s.push(...parts[i]!);
          out.push(s);
        }
        return out;
      }
      case 'GROUPING SETS': {
        const out: number[][] = [];
        for (const x of item.items) {
          if (x.kind === 'row' && !x.keyword) out.push(x.items.flatMap((y) => expandItem(cx, core, level, y, false).flat()));
          else out.push(...expandItem(cx, core, level, x, false));
        }
        return out;
      }
    }
  }
  if (!top && item.kind === 'row' && !item.keyword) return [item.items.map((y) => groupExpr(cx, core, level, y))];
  return [[groupExpr(cx, core, level, item)]];
}

/** A ROLLUP / CUBE element: an expression or a parenthesised list of them. */
function flatGroup(cx: Cx, core: A.SelectCore, level: Level, x: A.Expr): number[] {
  if (x.kind === 'row' && !x.keyword) return x.items.map((y) => groupExpr(cx, core, level, y));
  if (x.kind === 'grouping_set') throw errAt(cx, SqlState.syntax_error, 'syntax error in ROLLUP or CUBE', x.loc);
  return [groupExpr(cx, core, level, x)];
}

/** One GROUP BY expression (input column name, output column name or position, or expression): its group position. */
function groupExpr(cx: Cx, core: A.SelectCore, level: Level, e: A.Expr): number {
  const target = targetFor(cx, core, e);
  const bound = resolveUnknown(cx, bindExpr(cx, target ?? e));
  const key = exprKey(bound);
  const i = level.groupKeys.indexOf(key);
  if (i >= 0) return i;
  level.groups.push(bound);
  level.groupKeys.push(key);
  return level.groups.length - 1;
}

/** The select-list expression a GROUP BY item names, as PostgreSQL's findTargetlistEntrySQL92 decides. */
function targetFor(cx: Cx, core: A.SelectCore, e: A.Expr): A.Expr | undefined {
  let x = e;
  while (x.kind === 'nested') x = x.expr;
  const items = expandedTargets(cx, core);
  if (x.kind === 'column' && x.name.length === 1) {
    const name = fold(cx, x.name[0]!);
    // An input column of this level wins over an output name.
    if (cx.scope.entries.some((en) => en.cols.some((c) => c.name === name))) return undefined;
    const hits = items.filter((t) => t.name === name);
    if (hits.length === 0) return undefined;
    if (hits.length > 1) {
      const first = JSON.stringify(stripLoc(hits[0]!.expr));
      if (hits.some((h) => JSON.stringify(stripLoc(h.expr)) !== first)) {
        throw errAt(cx, SqlState.ambiguous_column, `GROUP BY "${name}" is ambiguous`, e.loc);
      }
    }
    return hits[0]!.expr;
  }
  const pos = constantPosition(cx, e, 'GROUP BY');
  if (pos === undefined) return undefined;
  if (pos < 1 || pos > items.length) throw errAt(cx, SqlState.invalid_column_reference, `GROUP BY position ${pos} is not in select list`, locOf(e));
  return items[pos - 1]!.expr;
}

function stripLoc(e: unknown): unknown {
  return JSON.parse(JSON.stringify(e, (k, v: unknown) => (k === 'loc' ? undefined : v)));
}

/** Select items with `*` expanded into column references. */
function expandedTargets(cx: Cx, core: A.SelectCore): Array<{ name: string | undefined; expr: A.Expr }> {
  const out: Array<{ name: string | undefined; expr: A.Expr }> = [];
  for (const item of core.columns) {
    const e = item.expr;
    if (e.kind === 'star') {
      const entries = e.qualifier ? cx.scope.entriesNamed(e.qualifier.map((id) => fold(cx, id))) : cx.scope.entries;
      for (const en of entries) {
        for (const c of en.cols) {
          const name = en.name !== null ? [{ value: en.name, quoted: true }, { value: c.name, quoted: true }] : [{ value: c.name, quoted: true }];
          out.push({ name: c.name, expr: { kind: 'column', name } as A.Expr });
        }
      }
      continue;
    }
    out.push({ name: item.alias ? fold(cx, item.alias) : figureColname(cx, e), expr: e });
  }
  return out;
}

function groupIndexOfCol(level: Level, c: ScopeColumn): number {
  return level.groupKeys.indexOf(exprKey({ k: 'col', type: c.type, index: c.index }));
}

/** `SELECT *` / `t.*` in a grouped query: every column must be grouped or functionally dependent. */
function checkStars(gcx: Cx, core: A.SelectCore, level: Level): void {
  const scope = gcx.scope;
  for (const item of core.columns) {
    const e = item.expr;
    if (e.kind !== 'star') continue;
    const entries = e.qualifier ? scope.entriesNamed(e.qualifier.map((id) => fold(gcx, id))) : scope.entries;
    for (const en of entries) for (const c of en.cols) if (c.index < 0) groupedColumn(gcx, level, c, en.name, e.loc);
  }
}

/** The group position of a FROM column (a GroupScope column), adding it when its table's primary key is grouped. */
function groupedColumn(cx: Cx, level: Level, gcol: ScopeColumn, entryName: string | null, loc: A.Loc | undefined, sub = false): number {
  if (gcol.index >= 0) return gcol.index;
  const fc = level.fromCol.get(gcol)!;
  if (functionallyDependent(cx, level, fc)) {
    // Grouping additionally by a column the grouped key determines does not change the groups.
    const e: Expr = { k: 'col', type: fc.type, index: fc.index };
    level.groups.push(e);
    level.groupKeys.push(exprKey(e));
    const i = level.groups.length - 1;
    level.common.add(i);
    for (const s of level.sets ?? []) s.push(i);
    gcol.index = i;
    return i;
  }
  const name = entryName !== null ? `${entryName}.${fc.name}` : fc.name;
  if (sub) throw errAt(cx, SqlState.grouping_error, `subquery uses ungrouped column "${name}" from outer query`, loc);
  throw errAt(cx, SqlState.grouping_error, `column "${name}" must appear in the GROUP BY clause or be used in an aggregate function`, loc);
}

function functionallyDependent(cx: Cx, level: Level, fc: ScopeColumn): boolean {
  if (fc.tableOid === undefined) return false;
  const entry = level.fromCx.scope.entries.find((en) => en.cols.includes(fc));
  const table = cx.env.catalog.get(fc.tableOid);
  if (!entry || !table || table.kind !== 'table' || !table.pk || table.pk.length === 0) return false;
  return table.pk.every((attnum) => {
    const pc = entry.cols.find((c) => c.attnum === attnum);
    if (!pc) return false;
    const i = level.groupKeys.indexOf(exprKey({ k: 'col', type: pc.type, index: pc.index }));
    return i >= 0 && level.common.has(i);
  });
}

// ---- the expression hook ------------------------------------------------------------------

registerExprHook((cx, e) => {
  if (e.kind === 'func') {
    const c = classify(cx, e);
    if (c === 'window') return bindWindowCall(cx, e);
    if (c === 'agg' || c === 'ordered') return bindAggCall(cx, e, c);
    if (c === 'grouping') return bindGrouping(cx, e);
    if (c === 'needs_over') {
      throw errAt(cx, SqlState.wrong_object_type, `window function ${fold(cx, e.name[e.name.length - 1]!)} requires an OVER clause`, e.loc);
    }
  }
  const s = cx.scope;
  if (s instanceof GroupScope && s.level.grouped) return groupedExpr(cx, s.level, e);
  if (e.kind === 'column' && !flags.rawColumns) return outerGroupedColumn(cx, e);
  return undefined;
}, true);

const SUBQUERY_KINDS = new Set(['subquery', 'exists', 'array_subquery', 'quantified', 'in']);

function mentionsQuery(e: unknown): boolean {
  if (e === null || typeof e !== 'object') return false;
  if (Array.isArray(e)) return e.some(mentionsQuery);
  const x = e as { kind?: string };
  if (x.kind && SUBQUERY_KINDS.has(x.kind) && ('query' in x || x.kind === 'exists')) return true;
  if ('body' in x) return true;
  for (const [k, v] of Object.entries(x)) if (k !== 'loc' && v !== null && typeof v === 'object' && mentionsQuery(v)) return true;
  return false;
}

/** An expression of a grouped level's select list / HAVING / ORDER BY, over the aggregate's output row. */
function groupedExpr(cx: Cx, level: Level, e: A.Expr): Expr | undefined {
  if (e.kind === 'star' || e.kind === 'row' || e.kind === 'array') return undefined;
  const found = has(cx, e);
  if (found.agg || found.win) return undefined;
  if (mentionsQuery(e)) return groupedQueryExpr(level, e);
  if (e.kind === 'column') {
    const parts = e.name.map((id) => fold(cx, id));
    const hit = cx.scope.findColumn(parts);
    if (!hit) return undefined; // the standard error
    if (hit.level > 0) return outerGroupedColumn(cx, e); // an outer reference: a constant here
    const gi = groupedColumn(cx, level, hit.col, hit.entry.name, e.loc);
    return { k: 'col', type: hit.col.type, index: gi };
  }
  let x: Expr;
  try {
    x = bindExpr(level.fromCx, e);
  } catch (err) {
    // Not bindable as a whole over the FROM row (a set-returning call...): bind its parts.
    if (err instanceof SbError) return undefined;
    throw err;
  }
  const i = level.groupKeys.indexOf(exprKey(x));
  if (i >= 0) return { k: 'col', type: x.type, index: i };
  if (!usesRow(x)) return x;
  return undefined;
}

/**
 * An expression holding a subquery: the group column when it equals a GROUP BY
 * expression (PostgreSQL matches the whole expression first); otherwise its
 * parts are bound one by one.
 */
function groupedQueryExpr(level: Level, e: A.Expr): Expr | undefined {
  if (!level.groups.some(holdsQuery)) return undefined;
  let x: Expr;
  try {
    x = bindExpr(level.fromCx, e);
  } catch (err) {
    if (err instanceof SbError) return undefined;
    throw err;
  }
  const i = level.groupKeys.indexOf(exprKey(x));
  return i >= 0 ? { k: 'col', type: x.type, index: i } : undefined;
}

/** Does a bound expression hold a subquery of its own level? */
function holdsQuery(e: unknown): boolean {
  if (e === null || typeof e !== 'object') return false;
  if (Array.isArray(e)) return e.some(holdsQuery);
  const x = e as { k?: string };
  if (x.k === 'subquery' || x.k === 'sublink') return true;
  for (const [k, v] of Object.entries(x)) if (k !== 'type' && k !== 'plan' && v !== null && typeof v === 'object' && holdsQuery(v)) return true;
  return false;
}

/** A column of an enclosing grouped query referenced from a subquery: its group column. */
function outerGroupedColumn(cx: Cx, e: A.ColumnRef): Expr | undefined {
  let any = false;
  for (let s: Scope | undefined = cx.scope.parent; s; s = s.parent) if (s instanceof GroupScope && s.level.grouped) any = true;
  if (!any) return undefined;
  const parts = e.name.map((id) => fold(cx, id));
  const hit = cx.scope.findColumn(parts);
  if (!hit || hit.level === 0) return undefined;
  let s: Scope | undefined = cx.scope;
  for (let i = 0; i < hit.level; i++) s = s!.parent;
  if (!(s instanceof GroupScope) || !s.level.grouped) return undefined;
  const gi = groupedColumn(cx, s.level, hit.col, hit.entry.name, e.loc, true);
  return { k: 'outer', type: hit.col.type, level: hit.level, index: gi };
}

/** FOR UPDATE / SHARE over a grouped or windowed query is 0A000, as PostgreSQL: the clause it conflicts with. */
export function lockingConflict(plan: Plan): string | undefined {
  for (let p: Plan | undefined = plan; p; ) {
    if (p.n === 'aggregate') return p.groups.length > 0 ? 'GROUP BY clause' : 'aggregate functions';
    if (p.n === 'window') return 'window functions';
    p = 'input' in p && p.n !== 'subquery_scan' && p.n !== 'modify' ? p.input : undefined;
  }
  return undefined;
}
