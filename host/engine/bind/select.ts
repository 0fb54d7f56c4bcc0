// Queries: SELECT cores, VALUES, nested queries, then ORDER BY and LIMIT.
//
// A SELECT core becomes a pipeline of plan nodes:
//   FROM (scan / subquery_scan / result) -> WHERE (filter, or a key range
//   chosen by plan/access.ts) -> [grouping: coming] -> project (select list
//   plus hidden ORDER BY / DISTINCT ON columns) -> distinct -> sort ->
//   distinct on -> limit -> project (drops the hidden columns).
// Every expression of the select list is evaluated over the FROM row layout,
// which is also what correlated subqueries in it see as their outer row.
//
// Set operations and WITH are bound by hooks (registerQueryHook) that other
// modules add; without one they are refused with 0A000.

import type * as A from '../../../sql-dialects/index.ts';
import { type SbError, SqlState } from '../sb_error.ts';
import type { ColInfo, Expr, Plan, SortKey } from '../plan/nodes.ts';
import { chooseAccess } from '../plan/access.ts';
import { T, typeInfo, type SqlType } from '../types/types.ts';
import { type Cx, errAt, fold } from './context.ts';
import { coerceBool, coerceTo, commonType, exprKey, resolveUnknown } from './coerce.ts';
import { bindExpr } from './expr.ts';
import { finalizeRow } from './expr_special.ts';
import { bindFromList } from './from.ts';
import { resolveType } from './names.ts';
import { Scope } from './scope.ts';
import { noteColumnUse } from './privileges.ts';

export interface BoundQuery {
  plan: Plan;
  cols: ColInfo[];
}

/** A hook that binds a query shape this module does not handle (WITH, UNION...), or returns undefined. */
export type QueryHook = (cx: Cx, q: A.Query) => BoundQuery | undefined;
const queryHooks: QueryHook[] = [];

export function registerQueryHook(h: QueryHook): void {
  queryHooks.push(h);
}

/**
 * Hook for a SELECT core with GROUP BY, HAVING, aggregates or window functions (bind/group.ts):
 * called for every core, it returns undefined when the core needs none. The select list, ORDER BY
 * and DISTINCT ON are then bound in `scope`; `finish` receives their expressions once all are bound
 * and returns the final input plan of the projection.
 */
export type GroupingHook = (cx: Cx, core: A.SelectCore, from: Plan, orderBy?: A.OrderItem[]) =>
  { plan: Plan; scope: Scope; finish?: (exprs: Expr[]) => Plan } | undefined;
let groupingHook: GroupingHook | undefined;

export function registerGroupingHook(h: GroupingHook): void {
  groupingHook = h;
}

/**
 * Set-returning functions in the select list (bind/srf_select.ts): `begin` before the list is
 * bound, `finish` puts them under the projection (and may rewrite the expressions' references).
 */
export type SelectSrfHook = { begin(cx: Cx): { args(): Expr[]; finish(plan: Plan, exprs: Expr[]): Plan } };
let selectSrfHook: SelectSrfHook | undefined;

export function registerSelectSrfHook(h: SelectSrfHook): void {
  selectSrfHook = h;
}

/** Rewrites a SELECT core's FROM plan and WHERE predicate (bind/semijoin.ts: IN / EXISTS as semi joins). */
export type WhereHook = (cx: Cx, from: Plan, pred: Expr) => { plan: Plan; pred?: Expr } | undefined;
let whereHook: WhereHook | undefined;

export function registerWhereHook(h: WhereHook): void {
  whereHook = h;
}

export function bindQuery(cx: Cx, q: A.Query): BoundQuery {
  for (const h of queryHooks) {
    const r = h(cx, q);
    if (r) return r;
  }
  if (q.with) throw errAt(cx, SqlState.feature_not_supported, 'WITH queries are not supported yet', q.loc);
  if (q.into ?? (q.body.kind === 'select_core' ? q.body.into : undefined)) {
    throw errAt(cx, SqlState.feature_not_supported, 'SELECT INTO is not supported yet', q.loc);
  }
  const body = q.body;
  switch (body.kind) {
    case 'select_core':
      return bindSelectCore(cx, body, q.orderBy, q.limit);
    case 'values':
      return orderAndLimit(cx, bindValues(cx, body.rows, body), q.orderBy, q.limit);
    case 'nested_query':
      if (!q.orderBy && !q.limit) return bindQuery(cx, body.query);
      return orderAndLimit(cx, bindQuery({ env: cx.env, scope: new Scope(cx.scope.parent) }, body.query), q.orderBy, q.limit);
    case 'table_body':
      return bindSelectCore(cx, {
        kind: 'select_core', columns: [{ expr: { kind: 'star' } }], from: [{ kind: 'table', name: body.name }],
      }, q.orderBy, q.limit);
    case 'set_op':
      throw errAt(cx, SqlState.feature_not_supported, `${body.op} is not supported yet`, q.loc);
  }
}

// ---- VALUES -------------------------------------------------------------------------

/** VALUES rows: one common type per column (unknowns become text). */
export function bindValues(cx: Cx, rows: A.Expr[][], body?: A.ValuesBody): BoundQuery {
  const bound = rows.map((r) => r.map((x) => bindExpr(cx, x)));
  const width = bound[0]?.length ?? 0;
  for (const r of bound) {
    if (r.length !== width) throw errAt(cx, SqlState.syntax_error, 'VALUES lists must all be the same length', valuesLoc(rows, r === bound[0] ? 0 : bound.indexOf(r)));
  }
  const types: SqlType[] = [];
  for (let c = 0; c < width; c++) {
    let t = commonType(cx, bound.map((r) => r[c]!), 'VALUES', rows[0]?.[c] ? locOf(rows[0][c]!) : undefined);
    if (t.id === 'unknown') t = T.text;
    types.push(t);
  }
  void body;
  const out = bound.map((r) => r.map((x, c) => finalizeRow(cx, coerceTo(cx, x, types[c]!, 'implicit'))));
  const cols = types.map((t, c) => ({ name: `column${c + 1}`, type: out[0]?.[c]?.type ?? t }));
  return { plan: { n: 'values', cols, rows: out }, cols };
}

function valuesLoc(rows: A.Expr[][], i: number): A.Loc | undefined {
  const first = rows[i]?.[0];
  return first ? locOf(first) : undefined;
}

function locOf(e: A.Expr): A.Loc | undefined {
  return (e as { loc?: A.Loc }).loc;
}

// ---- SELECT core ---------------------------------------------------------------------

interface OutputItem {
  expr: Expr;
  name: string;
  info: ColInfo;
  /** The AST, for matching ORDER BY expressions. */
  ast?: A.Expr;
}

/**
 * SELECT cores whose unknown-typed outputs (a NULL, a quoted literal) stay
 * unknown instead of becoming text: INSERT ... SELECT's, whose outputs take
 * the target columns' types (PostgreSQL's transformInsertStmt parses its
 * SELECT with p_resolve_unknowns off). DISTINCT, GROUP BY and ORDER BY still
 * resolve them, as there.
 */
export const keepUnknownOutputs = new WeakSet<A.SelectCore>();

function bindSelectCore(cx: Cx, core: A.SelectCore, orderBy?: A.OrderItem[], limit?: A.Limit): BoundQuery {
  if (core.limit) throw errAt(cx, SqlState.feature_not_supported, 'this row-limiting syntax is not supported in this dialect', core.loc);
  let plan = bindFromList(cx, core.from ?? []);
  if (core.where) {
    let pred: Expr | undefined = coerceBool(cx, bindExpr(cx, core.where), 'WHERE', locOf(core.where));
    const w = whereHook?.(cx, plan, pred);
    if (w) ({ plan, pred } = w);
    if (pred) plan = plan.n === 'scan' ? chooseAccess(cx.env.catalog, plan, pred) : { n: 'filter', cols: plan.cols, input: plan, pred };
  }
  const g = groupingHook?.(cx, core, plan, orderBy);
  if (g) {
    plan = g.plan;
    cx = { env: cx.env, scope: g.scope };
  } else if (core.groupBy || core.having || core.windows) {
    throw errAt(cx, SqlState.feature_not_supported, core.windows ? 'WINDOW clauses are not supported yet' : 'GROUP BY and HAVING are not supported yet', core.loc);
  }
  const srf = selectSrfHook?.begin(cx);
  const keepUnknown = keepUnknownOutputs.has(core) && core.quantifier !== 'DISTINCT' && !core.distinctOn && !core.groupBy && !orderBy?.length;
  const items = bindSelectList(cx, core.columns, (core.from ?? []).length > 0, keepUnknown);
  const visible = items.length;
  const exprs = items.map((i) => i.expr);
  const hidden = (e: Expr): number => {
    const key = exprKey(e);
    const found = exprs.findIndex((x) => exprKey(x) === key);
    if (found >= 0) return found;
    exprs.push(e);
    return exprs.length - 1;
  };
  const distinct = core.quantifier === 'DISTINCT' && !core.distinctOn;
  // ORDER BY: output positions and names first, then expressions over the FROM row.
  const sortKeys: Array<{ index: number; desc: boolean; nullsFirst: boolean }> = [];
  for (const o of orderBy ?? []) {
    const usingDesc = usingDirection(cx, o);
    const index = outputIndex(cx, items, o.expr, 'ORDER BY') ?? (() => {
      const e = resolveUnknown(cx, bindExpr(cx, o.expr));
      const before = exprs.length;
      const i = hidden(e);
      if (distinct && i >= before) {
        throw errAt(cx, SqlState.invalid_column_reference, 'for SELECT DISTINCT, ORDER BY expressions must appear in select list', locOf(o.expr));
      }
      return i;
    })();
    const desc = usingDesc ?? o.dir === 'DESC';
    sortKeys.push({ index, desc, nullsFirst: o.nulls ? o.nulls === 'FIRST' : desc });
  }
  let onKeys: number[] | undefined;
  if (core.distinctOn) {
    onKeys = core.distinctOn.map((d) => outputIndex(cx, items, d, 'DISTINCT ON') ?? hidden(resolveUnknown(cx, bindExpr(cx, d))));
    for (let i = 0; i < Math.min(onKeys.length, sortKeys.length); i++) {
      if (!onKeys.includes(sortKeys[i]!.index)) {
        throw errAt(cx, SqlState.invalid_column_reference, 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions', locOf(core.distinctOn[0]!));
      }
    }
  }
  const cols: ColInfo[] = exprs.map((e, i) => (i < visible ? items[i]!.info : { name: `?hidden${i}?`, type: e.type }));
  // The SRFs' arguments are renumbered by the grouping layout like the select list.
  if (g?.finish) plan = g.finish(srf ? [...exprs, ...srf.args()] : exprs);
  if (srf) plan = srf.finish(plan, exprs);
  plan = { n: 'project', cols, input: plan, exprs };
  if (distinct) plan = { n: 'distinct', cols, input: plan };
  const keys: SortKey[] = [];
  if (onKeys) {
    // Rows of a DISTINCT ON group must be adjacent: ORDER BY's leading keys (which are DISTINCT ON
    // keys), then the DISTINCT ON keys it does not name, then the rest of ORDER BY.
    let lead = 0;
    while (lead < sortKeys.length && onKeys.includes(sortKeys[lead]!.index)) lead++;
    for (let i = 0; i < lead; i++) keys.push(sortKey(exprs, sortKeys[i]!.index, sortKeys[i]!.desc, sortKeys[i]!.nullsFirst));
    const named = new Set(sortKeys.slice(0, lead).map((k) => k.index));
    for (const i of onKeys) if (!named.has(i)) keys.push(sortKey(exprs, i, false, false));
    for (const k of sortKeys.slice(lead)) keys.push(sortKey(exprs, k.index, k.desc, k.nullsFirst));
  } else {
    for (const k of sortKeys) keys.push(sortKey(exprs, k.index, k.desc, k.nullsFirst));
  }
  if (keys.length > 0) plan = { n: 'sort', cols, input: plan, keys };
  if (onKeys) plan = { n: 'distinct', cols, input: plan, on: onKeys.map((i) => ({ k: 'col', type: exprs[i]!.type, index: i }) as Expr) };
  plan = applyLimit(cx, plan, limit, keys);
  if (exprs.length > visible) {
    const out = cols.slice(0, visible);
    plan = { n: 'project', cols: out, input: plan, exprs: out.map((c, i) => ({ k: 'col', type: c.type, index: i }) as Expr) };
  }
  return { plan, cols: cols.slice(0, visible) };
}

/** ORDER BY x USING < / >: the btree operator's direction. */
function usingDirection(cx: Cx, o: A.OrderItem): boolean | undefined {
  if (!o.using) return undefined;
  if (o.using === '<' || o.using === '<=') return false;
  if (o.using === '>' || o.using === '>=') return true;
  throw errAt(cx, SqlState.feature_not_supported, `ORDER BY ... USING ${o.using} is not supported`, locOf(o.expr), {
    hint: 'Ordering operators must be "<" or ">" members of btree operator families.',
  });
}

function sortKey(exprs: Expr[], index: number, desc: boolean, nullsFirst: boolean): SortKey {
  return { expr: { k: 'col', type: exprs[index]!.type, index }, desc, nullsFirst };
}

/**
 * A constant ORDER BY / GROUP BY / DISTINCT ON item, as PostgreSQL's grammar
 * and findTargetlistEntrySQL92 see it: an integer constant (a minus sign folds
 * into it, as in `ORDER BY -1`) is a position; any other constant (a string,
 * NULL, a boolean, a bit string, a non-integer or out-of-int4 number) is 42601.
 * Other dialects: unsigned digits only.
 */
export function constantPosition(cx: Cx, e: A.Expr, clause: string): number | undefined {
  let x = e;
  if (cx.env.dialect.name !== 'postgres') {
    while (x.kind === 'nested') x = x.expr;
    return x.kind === 'number' && /^\d+$/.test(x.value) ? Number(x.value) : undefined;
  }
  let negate = false;
  for (;;) {
    if (x.kind === 'nested') x = x.expr;
    else if (x.kind === 'unary' && x.op === '-') {
      negate = !negate;
      x = x.operand;
    } else break;
  }
  const nonInteger = (): SbError => errAt(cx, SqlState.syntax_error, `non-integer constant in ${clause}`, locOf(e));
  if (x.kind === 'number') {
    // The lexer makes an integer of digits that fit int4; anything else is a float constant.
    if (!/^\d+$/.test(x.value) || Number(x.value) > 2147483647) throw nonInteger();
    const n = Number(x.value);
    return negate ? -n : n;
  }
  if (negate) return undefined;
  if (x.kind === 'null' || x.kind === 'boolean' || x.kind === 'binary_string' || (x.kind === 'string' && x.style !== 'N')) throw nonInteger();
  return undefined;
}

/** ORDER BY 2 / ORDER BY alias: the output column it names, if any. */
function outputIndex(cx: Cx, items: OutputItem[], e: A.Expr, clause: string): number | undefined {
  let x = e;
  while (x.kind === 'nested') x = x.expr;
  const pos = constantPosition(cx, e, clause);
  if (pos !== undefined) {
    if (pos < 1 || pos > items.length) {
      throw errAt(cx, SqlState.invalid_column_reference, `${clause} position ${pos} is not in select list`, locOf(e));
    }
    return pos - 1;
  }
  if (x.kind === 'column' && x.name.length === 1) {
    const name = fold(cx, x.name[0]!);
    const hits = items.map((it, i) => (it.name === name ? i : -1)).filter((i) => i >= 0);
    if (hits.length === 0) return undefined;
    const first = exprKey(items[hits[0]!]!.expr);
    if (hits.some((h) => exprKey(items[h]!.expr) !== first)) {
      throw errAt(cx, SqlState.ambiguous_column, `${clause} "${name}" is ambiguous`, locOf(e));
    }
    return hits[0];
  }
  return undefined;
}

/** The select list with `*` and `t.*` expanded. */
function bindSelectList(cx: Cx, list: A.SelectItem[], hasFrom: boolean, keepUnknown = false): OutputItem[] {
  const out: OutputItem[] = [];
  for (const item of list) {
    const e = item.expr;
    if (e.kind === 'star') {
      const entries = e.qualifier ? cx.scope.entriesNamed(e.qualifier.map((id) => fold(cx, id))) : cx.scope.entries;
      if (e.qualifier && entries.length === 0) {
        throw errAt(cx, SqlState.undefined_table, `missing FROM-clause entry for table "${fold(cx, e.qualifier[e.qualifier.length - 1]!)}"`, e.loc);
      }
      if (!e.qualifier && !hasFrom) throw errAt(cx, SqlState.syntax_error, 'SELECT * with no tables specified is not valid', e.loc);
      for (const entry of entries) {
        for (const c of entry.cols) {
          if (c.hidden && !e.qualifier) continue;
          noteColumnUse(entry, c);
          out.push({
            expr: { k: 'col', type: c.type, index: c.index },
            name: c.name,
            info: { name: c.name, type: c.type, ...(c.tableOid !== undefined ? { tableOid: c.tableOid, attnum: c.attnum } : {}) },
          });
        }
      }
      continue;
    }
    const raw = bindExpr(cx, e);
    const bound = keepUnknown && raw.k !== 'row' && raw.type.id === 'unknown' ? raw : finalizeRow(cx, raw);
    const name = item.alias ? fold(cx, item.alias) : figureColname(cx, e) ?? '?column?';
    const info: ColInfo = { name, type: bound.type };
    if (bound.k === 'col') {
      const c = findScopeCol(cx, bound.index);
      if (c?.tableOid !== undefined) {
        info.tableOid = c.tableOid;
        info.attnum = c.attnum;
      }
    }
    out.push({ expr: bound, name, info, ast: e });
  }
  return out;
}

function findScopeCol(cx: Cx, index: number): { tableOid?: number; attnum?: number } | undefined {
  for (const entry of cx.scope.entries) for (const c of entry.cols) if (c.index === index) return c;
  return undefined;
}

/** PostgreSQL's FigureColname: the output name of an unaliased select item. */
export function figureColname(cx: Cx, e: A.Expr): string | undefined {
  switch (e.kind) {
    case 'column':
      return fold(cx, e.name[e.name.length - 1]!);
    case 'func':
      return fold(cx, e.name[e.name.length - 1]!);
    case 'cast': {
      // PostgreSQL's FigureColname: a cast names the column after its type unless the operand has a
      // stronger name (a column, a function...): 1::int::text is "text", a::text is "a".
      const [name, strength] = colnameStrength(cx, e.expr);
      return strength > 1 ? name : typeNameOf(cx, e.type) ?? name;
    }
    case 'subscript':
      // a[1], j['k']: the subscripted expression's name (A_Indirection without a field).
      return figureColname(cx, e.expr);
    case 'typed_literal':
      return typeNameOf(cx, e.type);
    case 'nested':
      return figureColname(cx, e.expr);
    case 'case':
      return 'case';
    case 'sql_value':
      return e.name.toLowerCase() === 'user' ? 'current_user' : e.name.toLowerCase();
    case 'array':
    case 'array_subquery':
      return 'array';
    case 'exists':
      return 'exists';
    case 'row':
      return 'row';
    case 'interval':
      return 'interval';
    case 'extract':
      return 'extract';
    case 'substring':
      return 'substring';
    case 'position':
      return 'position';
    case 'overlay':
      return 'overlay';
    case 'trim':
      return e.spec === 'LEADING' ? 'ltrim' : e.spec === 'TRAILING' ? 'rtrim' : 'btrim';
    case 'at_time_zone':
      return 'timezone';
    case 'next_value':
      return 'nextval';
    case 'collate':
      return figureColname(cx, e.expr);
    case 'subquery': {
      const b = e.query.body;
      if (b.kind === 'select_core' && b.columns.length === 1) {
        const it = b.columns[0]!;
        return it.alias ? fold(cx, it.alias) : it.expr.kind === 'star' ? undefined : figureColname(cx, it.expr);
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** A figured column name with FigureColnameInternal's strength: 0 none (constants), 1 a type name, 2 anything else. */
function colnameStrength(cx: Cx, e: A.Expr): [string | undefined, number] {
  switch (e.kind) {
    case 'nested':
    case 'collate':
    case 'subscript':
      return colnameStrength(cx, e.expr);
    case 'cast':
    case 'typed_literal':
    case 'interval': {
      const n = figureColname(cx, e);
      return [n, e.kind === 'cast' && colnameStrength(cx, e.expr)[1] > 1 ? 2 : 1];
    }
    default: {
      const n = figureColname(cx, e);
      return [n, n === undefined ? 0 : 2];
    }
  }
}

function typeNameOf(cx: Cx, t: A.TypeName): string | undefined {
  try {
    const { type } = resolveType(cx.env, t);
    return typeInfo(type.id === 'array' ? type.elem!.id : type.id).typname;
  } catch {
    return undefined;
  }
}

// ---- ORDER BY and LIMIT over a finished query ------------------------------------------

/** ORDER BY over the output columns of a query (VALUES, nested queries, set operations). */
export function orderAndLimit(cx: Cx, q: BoundQuery, orderBy: A.OrderItem[] | undefined, limit: A.Limit | undefined): BoundQuery {
  let plan = q.plan;
  let keys: SortKey[] | undefined;
  if (orderBy && orderBy.length > 0) {
    const scope = new Scope(cx.scope.parent);
    scope.addEntry(null, q.cols.map((c) => ({ name: c.name, type: c.type })));
    const ocx: Cx = { env: cx.env, scope };
    const items: OutputItem[] = q.cols.map((c, i) => ({ expr: { k: 'col', type: c.type, index: i }, name: c.name, info: c }));
    const exprs: Expr[] = items.map((i) => i.expr);
    keys = orderBy.map((o) => {
      const desc = usingDirection(ocx, o) ?? o.dir === 'DESC';
      let index = outputIndex(ocx, items, o.expr, 'ORDER BY');
      if (index === undefined) {
        exprs.push(resolveUnknown(ocx, bindExpr(ocx, o.expr)));
        index = exprs.length - 1;
      }
      return sortKey(exprs, index, desc, o.nulls ? o.nulls === 'FIRST' : desc);
    });
    if (exprs.length > q.cols.length) {
      const cols = exprs.map((e, i) => q.cols[i] ?? { name: `?hidden${i}?`, type: e.type });
      plan = { n: 'project', cols, input: plan, exprs };
      plan = { n: 'sort', cols, input: plan, keys };
    } else plan = { n: 'sort', cols: q.cols, input: plan, keys };
  }
  plan = applyLimit(cx, plan, limit, keys);
  if (plan.cols.length > q.cols.length) {
    plan = { n: 'project', cols: q.cols, input: plan, exprs: q.cols.map((c, i) => ({ k: 'col', type: c.type, index: i }) as Expr) };
  }
  return { plan, cols: q.cols };
}

function applyLimit(cx: Cx, plan: Plan, limit: A.Limit | undefined, keys?: SortKey[]): Plan {
  if (!limit) return plan;
  if (limit.withTies && (!keys || keys.length === 0)) {
    throw errAt(cx, SqlState.syntax_error, 'WITH TIES cannot be specified without ORDER BY clause');
  }
  if (limit.percent || limit.rowsTo) throw errAt(cx, SqlState.feature_not_supported, 'this row-limiting syntax is not supported in this dialect');
  const bound = (e: A.Expr | undefined, what: string): Expr | undefined => {
    if (!e) return undefined;
    const x = bindExpr(cx, e);
    // LIMIT and OFFSET are evaluated once: no column of the query itself.
    if (exprKey(x).includes('"k":"col"')) {
      throw errAt(cx, SqlState.invalid_column_reference, `argument of ${what} must not contain variables`, locOf(e));
    }
    return coerceTo(cx, x, T.int8, 'assignment', {
      loc: locOf(e),
      error: (from) => errAt(cx, SqlState.datatype_mismatch, `argument of ${what} must be type bigint, not type ${from.id}`, locOf(e)),
    });
  };
  let count = limit.all ? undefined : bound(limit.count, 'LIMIT');
  if (!count && limit.syntax === 'offset_fetch' && !limit.all && !limit.count && !limit.offset) count = { k: 'const', type: T.int8, value: 1 };
  const offset = bound(limit.offset, 'OFFSET');
  if (!count && !offset) return plan;
  return {
    n: 'limit', cols: plan.cols, input: plan, ...(count ? { count } : {}), ...(offset ? { offset } : {}),
    ...(limit.withTies ? { withTies: keys } : {}),
  };
}
