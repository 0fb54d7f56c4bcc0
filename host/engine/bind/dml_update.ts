// UPDATE and DELETE of one table (UPDATE ... FROM and DELETE ... USING come
// with joins).
//
// Modify input rows (exec/ops_modify.ts): update = [old row, new row, row
// key], delete = [old row, row key]; rows are laid out by attribute number.
// The WHERE clause is also kept for READ COMMITTED's recheck of a row that
// a concurrent transaction changed while we waited for it.

import type * as A from '../../../sql-dialects/index.ts';
import { SqlState } from '../sb_error.ts';
import type { ColInfo, Expr, Plan } from '../plan/nodes.ts';
import { chooseAccess } from '../plan/access.ts';
import { T } from '../types/types.ts';
import { type BindEnv, type Cx, errAt, fold } from './context.ts';
import { coerceBool } from './coerce.ts';
import { bindExpr } from './expr.ts';
import { addTable } from './from.ts';
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
  if (stmt.kind === 'update' && stmt.from) throw errAt(cx, SqlState.feature_not_supported, 'UPDATE ... FROM is not supported yet', stmt.loc);
  if (stmt.kind === 'delete' && (stmt.using || stmt.targets)) throw errAt(cx, SqlState.feature_not_supported, 'DELETE ... USING is not supported yet', stmt.loc);
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

export function bindUpdate(env: BindEnv, stmt: A.Update): BoundModify {
  const { cx, t, alias, scan } = target(env, stmt);
  const n = t.columns.length;
  const pred = whereOf(cx, stmt.where);
  const source: Plan = pred ? chooseAccess(env.catalog, scan, pred) : scan;
  const assigned = bindAssignments(cx, t, stmt.set);
  const newRow = t.columns.map((c): Expr => {
    if (c.dropped) return { k: 'const', type: c.type, value: null };
    return assigned.get(c.attnum) ?? { k: 'col', type: c.type, index: c.attnum - 1 };
  });
  const tableCols: ColInfo[] = t.columns.map((c) => ({ name: c.name, type: c.type }));
  const oldRow = t.columns.map((c, i): Expr => ({ k: 'col', type: c.type, index: i }));
  const input: Plan = {
    n: 'project',
    cols: [...tableCols, ...tableCols, ROW_KEY],
    input: source,
    exprs: [...oldRow, ...newRow, { k: 'col', type: T.bytea, index: n }],
  };
  const plan: Extract<Plan, { n: 'modify' }> = {
    n: 'modify', cols: [], op: 'update', tableOid: t.oid, input, rowKeyIndex: 2 * n,
    targetAttnums: [...assigned.keys()], checks: bindChecks(env, t),
    ...withDefaults(env, t.oid),
    recheck: { ...(pred ? { where: pred } : {}), newRow },
  };
  let cols: ColInfo[] = [];
  if (stmt.returning) {
    const r = bindReturning(tableScope(env, t, alias), stmt.returning.items);
    plan.returning = r.exprs;
    plan.cols = r.cols;
    cols = r.cols;
  }
  return { plan, cols, tag: 'UPDATE' };
}

export function bindDelete(env: BindEnv, stmt: A.Delete): BoundModify {
  const { cx, t, alias, scan } = target(env, stmt);
  const pred = whereOf(cx, stmt.where);
  const source: Plan = pred ? chooseAccess(env.catalog, scan, pred) : scan;
  const plan: Extract<Plan, { n: 'modify' }> = {
    n: 'modify', cols: [], op: 'delete', tableOid: t.oid, input: source, rowKeyIndex: t.columns.length,
    targetAttnums: [], ...(pred ? { recheck: { where: pred } } : {}),
    ...withDefaults(env, t.oid),
  };
  let cols: ColInfo[] = [];
  if (stmt.returning) {
    const r = bindReturning(tableScope(env, t, alias), stmt.returning.items);
    plan.returning = r.exprs;
    plan.cols = r.cols;
    cols = r.cols;
  }
  return { plan, cols, tag: 'DELETE' };
}
