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

import type * as A from '../../../sql-dialects/index.ts';
import { SbError, SqlState } from '../sb_error.ts';
import type { AggCall, ColInfo, Expr, Plan, SortKey, WindowCall } from '../plan/nodes.ts';
import { resolveAggregate, resolveOrderedSetAggregate, resolveWindow, routineKinds } from '../functions/resolve.ts';
import { T, type SqlType } from '../types/types.ts';
import { formatType } from '../types/type_names.ts';
import { type Cx, errAt, fold } from './context.ts';
import { coerceBool, coerceTo, exprKey, inputType, resolveUnknown } from './coerce.ts';
import { bindExpr, registerExprHook } from './expr.ts';
import { figureColname, registerGroupingHook } from './select.ts';
import { Scope, type ScopeColumn } from './scope.ts';
import '../exec/ops_agg.ts';
import '../exec/ops_window.ts';

const AGG_BASE = 1 << 26;
const WIN_BASE = 2 << 26;

/** What one grouped / windowed query level is building. */
interface Level {
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

function st(scope: Scope): BindingState {
  let b = binding.get(scope);
  if (!b) binding.set(scope, (b = { agg: 0, win: 0, clause: null }));
  return b;
}

/** Aggregate-argument depth of the level cx binds for (its FROM scope's, for a GroupScope). */
function aggDepthAt(cx: Cx): number {
  const s = cx.scope;
  return st(s).agg + (s instanceof GroupScope ? st(s.level.fromCx.scope).agg : 0);
}
/** Set while finding an aggregate's level: column references bind as plain references. */
let rawColumns = false;

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

function locOf(e: A.Expr | undefined): A.Loc | undefined {
  return e ? (e as { loc?: A.Loc }).loc : undefined;
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
  if (x.kind === 'number') {
    if (!/^\d+$/.test(x.value)) throw errAt(cx, SqlState.syntax_error, 'non-integer constant in GROUP BY', locOf(e));
    const pos = Number(x.value);
    if (pos < 1 || pos > items.length) throw errAt(cx, SqlState.invalid_column_reference, `GROUP BY position ${pos} is not in select list`, locOf(e));
    return items[pos - 1]!.expr;
  }
  if (x.kind === 'string' || x.kind === 'boolean' || x.kind === 'null') {
    throw errAt(cx, SqlState.syntax_error, 'non-integer constant in GROUP BY', locOf(e));
  }
  return undefined;
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
  if (e.kind === 'column' && !rawColumns) return outerGroupedColumn(cx, e);
  return undefined;
}, true);

function groupingError(cx: Cx, what: string, loc: A.Loc | undefined): SbError {
  return errAt(cx, '42803', what, loc);
}

function placementError(cx: Cx, kind: 'agg' | 'window' | 'grouping', loc: A.Loc | undefined): SbError {
  const where = st(cx.scope).clause ?? 'this context';
  if (kind === 'window') return errAt(cx, '42P20', `window functions are not allowed in ${where === 'this context' ? 'WHERE' : where}`, loc);
  if (kind === 'grouping') return groupingError(cx, `grouping operations are not allowed in ${where === 'this context' ? 'WHERE' : where}`, loc);
  return groupingError(cx, `aggregate functions are not allowed in ${where === 'this context' ? 'WHERE' : where}`, loc);
}

/** The grouped level whose select list / HAVING / ORDER BY is being bound, if cx is one. */
function groupedLevel(cx: Cx): Level | undefined {
  const s = cx.scope;
  return s instanceof GroupScope && s.level.grouped ? s.level : undefined;
}

/** Does a bound expression depend on this level's row (columns or subqueries)? */
function usesRow(e: unknown): boolean {
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
  if (found.agg || found.win || mentionsQuery(e)) return undefined;
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

// ---- aggregate calls -------------------------------------------------------------------------

/**
 * The query level an aggregate belongs to, as PostgreSQL decides it: the
 * innermost level whose columns its arguments use (0 = this one).
 */
function aggLevel(cx: Cx, f: A.FuncCall): number {
  if (f.star || f.args.length === 0) return 0;
  const s = cx.scope;
  const bcx = s instanceof GroupScope && s.level.grouped ? s.level.fromCx : cx;
  let bound: Expr[];
  st(bcx.scope).agg++;
  const savedRaw = rawColumns;
  rawColumns = true;
  try {
    bound = f.args.map((a) => bindExpr(bcx, a.kind === 'star' && a.qualifier ? { kind: 'column', name: a.qualifier, loc: a.loc } as A.Expr : a));
  } catch {
    return 0;
  } finally {
    st(bcx.scope).agg--;
    rawColumns = savedRaw;
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

function bindAggCall(cx: Cx, f: A.FuncCall, kind: 'agg' | 'ordered'): Expr {
  if (aggDepthAt(cx) > 0) throw groupingError(cx, 'aggregate function calls cannot be nested', f.loc);
  const up = aggLevel(cx, f);
  if (up > 0) {
    // An aggregate over an enclosing query's columns belongs to that query.
    let s: Scope | undefined = cx.scope instanceof GroupScope ? cx.scope.level.fromCx.scope : cx.scope;
    for (let i = 0; i < up && s; i++) s = s.parent;
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
  if (f.args.some((a) => a.kind === 'named_arg')) throw errAt(cx, SqlState.feature_not_supported, 'named arguments are not supported yet', f.loc);
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

function wrap<R>(cx: Cx, loc: A.Loc | undefined, fn: () => R): R {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SbError && err.position === undefined) throw errAt(cx, err.code, err.message, loc, { hint: err.hint });
    throw err;
  }
}

function orderKey(cx: Cx, o: A.OrderItem): SortKey {
  const expr = resolveUnknown(cx, bindExpr(cx, o.expr));
  let desc = o.dir === 'DESC';
  if (o.using) {
    if (o.using === '<' || o.using === '<=') desc = false;
    else if (o.using === '>' || o.using === '>=') desc = true;
    else throw errAt(cx, SqlState.feature_not_supported, `ORDER BY ... USING ${o.using} is not supported`, locOf(o.expr));
  }
  return { expr, desc, nullsFirst: o.nulls ? o.nulls === 'FIRST' : desc };
}

function bindGrouping(cx: Cx, f: A.FuncCall): Expr {
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

// ---- window calls ----------------------------------------------------------------------------

type FrameBoundType = WindowCall['frame']['start']['type'];
const BOUND: Record<A.FrameBound['type'], FrameBoundType> = {
  'UNBOUNDED PRECEDING': 'unbounded_preceding', PRECEDING: 'preceding', 'CURRENT ROW': 'current',
  FOLLOWING: 'following', 'UNBOUNDED FOLLOWING': 'unbounded_following',
};

function bindWindowCall(cx: Cx, f: A.FuncCall): Expr {
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

/** FOR UPDATE / SHARE over a grouped or windowed query is 0A000, as PostgreSQL: the clause it conflicts with. */
export function lockingConflict(plan: Plan): string | undefined {
  for (let p: Plan | undefined = plan; p; ) {
    if (p.n === 'aggregate') return p.groups.length > 0 ? 'GROUP BY clause' : 'aggregate functions';
    if (p.n === 'window') return 'window functions';
    p = 'input' in p && p.n !== 'subquery_scan' && p.n !== 'modify' ? p.input : undefined;
  }
  return undefined;
}
