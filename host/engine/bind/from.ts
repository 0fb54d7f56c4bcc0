// FROM items. Each binder adds its columns to the current scope at the next
// positions of the row (scope.width when it starts) and returns the plan that
// produces exactly that row layout. Join binders (coming) compose them: bind
// the left item, then the right one (whose columns follow), then combine the
// plans; register them with registerFromBinder('join', ...).

import type * as A from '../../../sql-dialects/index.ts';
import { parse, postgres } from '../../../sql-dialects/index.ts';
import { SqlState } from '../sb_error.ts';
import { T } from '../types/types.ts';
import type { ColInfo, Expr, Plan } from '../plan/nodes.ts';
import type { SequenceObj, TableObj, ViewObj } from '../catalog/objects.ts';
import { liveColumns } from '../catalog/objects.ts';
import { type Cx, errAt, fold } from './context.ts';
import { Scope, type ScopeColumn } from './scope.ts';
import { bindingView } from './privileges.ts';
import { lookupRelation, qnameText } from './names.ts';
import { requirePopulated } from './ddl_matview.ts';
import { bindQuery } from './select.ts';

/** Binds a FROM item, or returns undefined to leave it to the built-in binding (CTE names shadow tables this way). */
export type FromBinder = (cx: Cx, item: A.TableRef) => Plan | undefined;
const fromBinders = new Map<string, FromBinder>();

/**
 * Lets other modules bind more FROM item kinds ('join', 'table_func', 'nested_join'),
 * or claim some items of a kind ('table': CTE references, system catalogs). Binders of
 * one kind are tried in registration order; one returning undefined passes the item on.
 */
export function registerFromBinder(kind: A.TableRef['kind'], fn: FromBinder): void {
  const prev = fromBinders.get(kind);
  fromBinders.set(kind, prev ? (cx, item) => prev(cx, item) ?? fn(cx, item) : fn);
}

/** Binds a FROM list; several items are a cross join, left to right. */
export function bindFromList(cx: Cx, items: A.TableRef[]): Plan {
  if (items.length === 0) return { n: 'result', cols: [], exprs: [] };
  if (items.length === 1) return bindFromItem(cx, items[0]!);
  const join = fromBinders.get('join');
  if (!join) throw errAt(cx, SqlState.feature_not_supported, 'several FROM items (joins) are not supported yet', items[1]!.loc);
  // a, b, c is ((a CROSS JOIN b) CROSS JOIN c).
  let tree: A.TableRef = items[0]!;
  for (let i = 1; i < items.length; i++) tree = { kind: 'join', type: 'CROSS', left: tree, right: items[i]! };
  return join(cx, tree)!;
}

export function bindFromItem(cx: Cx, item: A.TableRef): Plan {
  const custom = fromBinders.get(item.kind);
  const bound = custom?.(cx, item);
  if (bound) return bound;
  switch (item.kind) {
    case 'table':
      return bindTableRef(cx, item);
    case 'derived':
      return bindDerived(cx, item);
    case 'join':
    case 'nested_join':
      throw errAt(cx, SqlState.feature_not_supported, 'joins are not supported yet', item.loc);
    case 'table_func':
      throw errAt(cx, SqlState.feature_not_supported, 'functions in FROM are not supported yet', item.loc);
  }
}

function bindTableRef(cx: Cx, item: A.TableName): Plan {
  if (item.sample) throw errAt(cx, SqlState.feature_not_supported, 'TABLESAMPLE is not supported yet', item.loc);
  let rel;
  try {
    rel = lookupRelation(cx.env, item.name);
  } catch (e) {
    // A FROM item in a missing schema is a missing relation, as PostgreSQL reports it.
    if ((e as { code?: string }).code !== SqlState.invalid_schema_name) throw e;
  }
  if (!rel) throw errAt(cx, SqlState.undefined_table, `relation "${qnameText(cx.env, item.name)}" does not exist`, item.loc);
  if (rel.kind === 'view') return bindView(cx, rel, item);
  if (rel.kind === 'sequence') return bindSequenceRef(cx, rel, item);
  if (rel.kind !== 'table') {
    throw errAt(cx, SqlState.wrong_object_type, `"${rel.name}" is not a table`, item.loc);
  }
  if (rel.matview) requirePopulated(cx.env, rel);
  const alias = item.alias ? fold(cx, item.alias.name) : rel.name;
  const schema = item.alias ? undefined : cx.env.catalog.get(rel.schemaOid);
  const { plan } = addTable(cx, rel, alias, item.alias?.columns, schema?.kind === 'schema' ? schema.name : undefined, item.loc);
  return plan;
}

/**
 * Adds a base table to the scope (columns at base + attnum - 1, so a table's
 * row layout is its attribute order, dropped columns included) and returns
 * its full scan.
 */
export function addTable(
  cx: Cx, t: TableObj, name: string, columnAliases?: A.Ident[], schema?: string, loc?: A.Loc,
): { plan: Extract<Plan, { n: 'scan' }>; cols: ScopeColumn[]; base: number } {
  const base = cx.scope.width;
  const live = liveColumns(t);
  if (columnAliases && columnAliases.length > live.length) {
    throw errAt(cx, SqlState.invalid_column_reference, `table "${name}" has ${live.length} columns available but ${columnAliases.length} columns specified`, loc);
  }
  const cols: ScopeColumn[] = live.map((c, i) => ({
    name: columnAliases?.[i] ? fold(cx, columnAliases[i]!) : c.name,
    type: c.type,
    index: base + c.attnum - 1,
    tableOid: t.oid,
    attnum: c.attnum,
  }));
  cx.scope.addPlaced(name, cols, base + t.columns.length, { tableOid: t.oid, ...(schema ? { schema } : {}) });
  const scanCols: ColInfo[] = t.columns.map((c) => ({ name: c.name, type: c.type, tableOid: t.oid, attnum: c.attnum }));
  const plan: Extract<Plan, { n: 'scan' }> = {
    n: 'scan', cols: scanCols, tableOid: t.oid, attnums: t.columns.map((c) => c.attnum), access: 'seq',
  };
  return { plan, cols, base };
}

function bindDerived(cx: Cx, item: A.DerivedTable): Plan {
  // PostgreSQL 15 (and MySQL, SQL Server) require the alias.
  if (!item.alias) {
    const values = item.query.body.kind === 'values' && !item.query.with;
    throw errAt(cx, SqlState.syntax_error, `${values ? 'VALUES' : 'subquery'} in FROM must have an alias`, item.loc);
  }
  if (item.lateral) throw errAt(cx, SqlState.feature_not_supported, 'LATERAL is not supported yet', item.loc);
  // A FROM subquery sees the enclosing queries, not its sibling FROM items.
  const inner: Cx = { env: cx.env, scope: new Scope(cx.scope.parent) };
  const q = bindQuery(inner, item.query);
  if (inner.scope.correlated) cx.scope.correlated = true;
  return addDerived(cx, q.plan, q.cols, item.alias, item.loc);
}

/** A sequence read as a one-row table: last_value, log_cnt, is_called, read when the statement runs. */
function bindSequenceRef(cx: Cx, seq: SequenceObj, item: A.TableName): Plan {
  const fns = [['last_value', 'seq_last_value', T.int8], ['log_cnt', 'seq_log_cnt', T.int8], ['is_called', 'seq_is_called', T.bool]] as const;
  const cols: ColInfo[] = fns.map(([name, , type]) => ({ name, type }));
  const exprs: Expr[] = fns.map(([, fn, type]) => ({ k: 'seq_call', type, fn, seqOid: seq.oid, args: [] }));
  return addDerived(cx, { n: 'result', cols, exprs }, cols, item.alias ?? { name: { value: seq.name, quoted: true } }, item.loc);
}

/** Adds the output of a subquery plan as a FROM item named by `alias`. */
export function addDerived(cx: Cx, plan: Plan, cols: ColInfo[], alias: A.Alias | undefined, loc?: A.Loc, defaultName: string | null = null): Plan {
  const aliases = alias?.columns ?? [];
  if (aliases.length > cols.length) {
    throw errAt(cx, SqlState.invalid_column_reference, `table "${alias ? fold(cx, alias.name) : ''}" has ${cols.length} columns available but ${aliases.length} columns specified`, loc);
  }
  const named = cols.map((c, i) => ({ ...c, name: aliases[i] ? fold(cx, aliases[i]!) : c.name }));
  cx.scope.addEntry(alias ? fold(cx, alias.name) : defaultName, named.map((c) => ({
    name: c.name, type: c.type, ...(c.tableOid !== undefined ? { tableOid: c.tableOid, attnum: c.attnum } : {}),
  })));
  return { n: 'subquery_scan', cols: named, input: plan };
}

function bindView(cx: Cx, view: ViewObj, item: A.TableName): Plan {
  const stmts = parse(view.sql, postgres);
  const q = stmts[0];
  if (!q || q.kind !== 'select') throw errAt(cx, SqlState.internal_error, `view "${view.name}" has no query`, item.loc);
  const inner: Cx = { env: { ...cx.env, sql: view.sql }, scope: new Scope(cx.scope.parent) };
  // The view's query runs with its owner's rights (bind/privileges.ts).
  return bindingView(view.oid, () => {
    const bound = bindQuery(inner, q);
    const cols = bound.cols.map((c, i) => ({ ...c, name: view.columns[i]?.name ?? c.name }));
    return addDerived(cx, bound.plan, cols, item.alias ?? { name: { value: view.name, quoted: true } }, item.loc);
  });
}
