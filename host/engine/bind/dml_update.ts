// UPDATE and DELETE of one table, optionally joined with other FROM items
// (UPDATE ... FROM, DELETE ... USING).
//
// Modify input rows (exec/ops_modify.ts): update = [old row, new row, row
// key], delete = [old row, row key]; rows are laid out by attribute number.
// With FROM/USING items the FROM columns follow (the executor sees a wider input), and
// WHERE, SET, RETURNING and the recheck see [target row, row key, FROM columns].
// The WHERE clause is also kept for READ COMMITTED's recheck of a row that
// a concurrent transaction changed while we waited for it.

import type * as A from '../../../sql-dialects/index.ts';
import { SqlState } from '../sb_error.ts';
import type { ColInfo, Expr, Plan } from '../plan/nodes.ts';
import { chooseAccess } from '../plan/access.ts';
import { T } from '../types/types.ts';
import type { TableObj } from '../catalog/objects.ts';
import { type BindEnv, type Cx, errAt, fold } from './context.ts';
import { coerceBool } from './coerce.ts';
import { bindExpr } from './expr.ts';
import { addTable, bindFromList } from './from.ts';
import { requireTable } from './names.ts';
import { bindChecks, bindReturning, fkDefaults, tableScope } from './dml_common.ts';
import { bindAssignments, type BoundModify } from './dml_insert.ts';
import { Scope } from './scope.ts';

function target(env: BindEnv, stmt: A.Update | A.Delete): { cx: Cx; t: ReturnType<typeof requireTable>; alias?: string; scan: Extract<Plan, { n: 'scan' }> } {
  const cx: Cx = { env, scope: new Scope() };
  const what = stmt.kind === 'update' ? 'UPDATE' : 'DELETE';
  if (stmt.with) throw errAt(cx, SqlState.feature_not_supported, 'WITH is not supported yet', stmt.loc);
  if (stmt.currentOf) throw errAt(cx, SqlState.feature_not_supported, 'WHERE CURRENT OF is not supported yet', stmt.loc);
  if (stmt.top || stmt.orderBy || stmt.limit || stmt.output || stmt.modifiers?.length) {
    throw errAt(cx, SqlState.feature_not_supported, `this ${what} form is not supported in this dialect`, stmt.loc);
  }
  if (stmt.kind === 'delete' && stmt.targets) throw errAt(cx, SqlState.feature_not_supported, 'DELETE of several tables is not supported', stmt.loc);
  if (stmt.table.kind !== 'table') throw errAt(cx, SqlState.feature_not_supported, `${what} of a join is not supported`, stmt.loc);
  const t = requireTable(env, stmt.table.name);
  const alias = stmt.table.alias ? fold(cx, stmt.table.alias.name) : undefined;
  const schema = env.catalog.get(t.schemaOid);
  const { plan: scan } = addTable(cx, t, alias ?? t.name, undefined, !alias && schema?.kind === 'schema' ? schema.name : undefined, stmt.table.loc);
  scan.withRowKey = true;
  return { cx, t, ...(alias !== undefined ? { alias } : {}), scan };
}

function whereOf(cx: Cx, where: A.Expr | undefined): Expr | undefined {
  return where ? coerceBool(cx, bindExpr(cx, where), 'WHERE', (where as { loc?: A.Loc }).loc) : undefined;
}

function withDefaults(env: BindEnv, oid: number): { fkDefaults?: Array<{ tableOid: number; attnum: number; expr: Expr }> } {
  const d = fkDefaults(env, oid);
  return d.length > 0 ? { fkDefaults: d } : {};
}

const ROW_KEY: ColInfo = { name: '?rowkey?', type: T.bytea };

/**
 * UPDATE ... FROM / DELETE ... USING: the target (its row, then its row key)
 * inner-joined with the FROM items, whose columns follow at n + 1. The WHERE
 * clause filters the join; a target row matching several FROM rows is kept
 * once (its first match), so no row is modified twice. Returns the joined
 * rows: [target row (n), row key, FROM columns...].
 */
function joinSource(cx: Cx, t: TableObj, name: string, scan: Extract<Plan, { n: 'scan' }>, items: A.TableRef[], pred: () => Expr | undefined): Plan {
  const n = t.columns.length;
  cx.scope.width = n + 1; // position n: the row key
  const first = cx.scope.entries.length;
  const right = bindFromList(cx, items);
  for (const e of cx.scope.entries.slice(first)) {
    if (e.name === name) throw errAt(cx, '42712', `table name "${name}" specified more than once`, items[0]?.loc);
  }
  const left: Plan = {
    n: 'project', cols: [...scan.cols, ROW_KEY], input: scan,
    exprs: [...t.columns.map((c, i): Expr => ({ k: 'col', type: c.type, index: i })), { k: 'col', type: T.bytea, index: n }],
  };
  const cols = [...left.cols, ...right.cols];
  const join: Plan = { n: 'join', cols, type: 'cross', method: 'nested', left, right, leftKeys: [], rightKeys: [] };
  const where = pred();
  const filtered: Plan = where ? { n: 'filter', cols, input: join, pred: where } : join;
  return { n: 'distinct', cols, input: filtered, on: [{ k: 'col', type: T.bytea, index: n }] };
}

function fromItems(stmt: A.Update | A.Delete): A.TableRef[] | undefined {
  const items = stmt.kind === 'update' ? stmt.from : stmt.using;
  return items && items.length > 0 ? items : undefined;
}

export function bindUpdate(env: BindEnv, stmt: A.Update): BoundModify {
  const { cx, t, alias, scan } = target(env, stmt);
  const n = t.columns.length;
  const items = fromItems(stmt);
  let pred: Expr | undefined;
  let source: Plan;
  if (items) source = joinSource(cx, t, alias ?? t.name, scan, items, () => (pred = whereOf(cx, stmt.where)));
  else {
    pred = whereOf(cx, stmt.where);
    source = pred ? chooseAccess(env.catalog, scan, pred) : scan;
  }
  const width = source.cols.length;
  const extra: Expr[] = [];
  for (let i = n + 1; i < width; i++) extra.push({ k: 'col', type: source.cols[i]!.type, index: i });
  const assigned = bindAssignments(cx, t, stmt.set);
  const newRow = t.columns.map((c): Expr => {
    if (c.dropped) return { k: 'const', type: c.type, value: null };
    return assigned.get(c.attnum) ?? { k: 'col', type: c.type, index: c.attnum - 1 };
  });
  const tableCols: ColInfo[] = t.columns.map((c) => ({ name: c.name, type: c.type }));
  const oldRow = t.columns.map((c, i): Expr => ({ k: 'col', type: c.type, index: i }));
  const input: Plan = {
    n: 'project',
    cols: [...tableCols, ...tableCols, ROW_KEY, ...source.cols.slice(n + 1)],
    input: source,
    exprs: [...oldRow, ...newRow, { k: 'col', type: T.bytea, index: n }, ...extra],
  };
  const plan: Extract<Plan, { n: 'modify' }> = {
    n: 'modify', cols: [], op: 'update', tableOid: t.oid, input, rowKeyIndex: 2 * n,
    targetAttnums: [...assigned.keys()], checks: bindChecks(env, t),
    ...withDefaults(env, t.oid),
    recheck: { ...(pred ? { where: pred } : {}), newRow },
  };
  let cols: ColInfo[] = [];
  if (stmt.returning) {
    // With FROM items, RETURNING sees the joined row (the new target row in front).
    const r = bindReturning(items ? cx : tableScope(env, t, alias), stmt.returning.items);
    plan.returning = r.exprs;
    plan.cols = r.cols;
    cols = r.cols;
  }
  return { plan, cols, tag: 'UPDATE' };
}

export function bindDelete(env: BindEnv, stmt: A.Delete): BoundModify {
  const { cx, t, alias, scan } = target(env, stmt);
  const items = fromItems(stmt);
  let pred: Expr | undefined;
  let source: Plan;
  if (items) source = joinSource(cx, t, alias ?? t.name, scan, items, () => (pred = whereOf(cx, stmt.where)));
  else {
    pred = whereOf(cx, stmt.where);
    source = pred ? chooseAccess(env.catalog, scan, pred) : scan;
  }
  const plan: Extract<Plan, { n: 'modify' }> = {
    n: 'modify', cols: [], op: 'delete', tableOid: t.oid, input: source, rowKeyIndex: t.columns.length,
    targetAttnums: [], ...(pred ? { recheck: { where: pred } } : {}),
    ...withDefaults(env, t.oid),
  };
  let cols: ColInfo[] = [];
  if (stmt.returning) {
    const r = bindReturning(items ? cx : tableScope(env, t, alias), stmt.returning.items);
    plan.returning = r.exprs;
    plan.cols = r.cols;
    cols = r.cols;
  }
  return { plan, cols, tag: 'DELETE' };
}
