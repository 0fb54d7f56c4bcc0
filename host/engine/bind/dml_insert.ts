// INSERT: column lists, DEFAULT, DEFAULT VALUES, multi-row VALUES,
// INSERT ... SELECT, identity columns, ON CONFLICT DO NOTHING / DO UPDATE
// with EXCLUDED, RETURNING.
//
// The modify node's input row is the complete new row, one value per table
// column (position = attnum - 1; dropped columns NULL).

import type * as A from '../../../sql-dialects/index.ts';
import { SqlState } from '../sb_error.ts';
import type { ColInfo, Expr, Plan } from '../plan/nodes.ts';
import type { ColumnObj, TableObj } from '../catalog/objects.ts';
import { type BindEnv, childCx, type Cx, errAt, fold } from './context.ts';
import { coerceAssign, coerceBool } from './coerce.ts';
import { bindExpr } from './expr.ts';
import { requireTable } from './names.ts';
import { bindQuery, keepUnknownOutputs } from './select.ts';
import { bindChecks, bindDefault, bindReturning, fkDefaults, tableScope, targetColumn } from './dml_common.ts';
import { addSubscriptValues, bindSubscriptSetItem, insertTargets } from './array_assign.ts';
import { Scope } from './scope.ts';

export interface BoundModify {
  plan: Extract<Plan, { n: 'modify' }>;
  /** RETURNING columns (empty without RETURNING). */
  cols: ColInfo[];
  tag: 'INSERT' | 'UPDATE' | 'DELETE';
}

export function bindInsert(env: BindEnv, stmt: A.Insert): BoundModify {
  const cx: Cx = { env, scope: new Scope() };
  if (stmt.with) throw errAt(cx, SqlState.feature_not_supported, 'WITH is not supported yet', stmt.loc);
  if (stmt.verb !== 'INSERT' || stmt.onDuplicateKeyUpdate || stmt.modifiers?.length || stmt.source.kind === 'insert_set') {
    throw errAt(cx, SqlState.feature_not_supported, 'this INSERT form is not supported in this dialect', stmt.loc);
  }
  const t = requireTable(env, stmt.table);
  const alias = stmt.alias ? fold(cx, stmt.alias) : undefined;
  const targets = stmt.columnTargets
    ? insertTargets(cx, stmt.columns!, stmt.columnTargets, (id) => targetColumn(cx, t, id)).map((x) => x.col)
    : targetList(cx, t, stmt.columns);
  const overriding = stmt.overriding;
  const input = insertSource(cx, t, stmt, targets, overriding);

  const plan: Extract<Plan, { n: 'modify' }> = {
    n: 'modify', cols: [], op: 'insert', tableOid: t.oid, input, targetAttnums: t.columns.map((c) => c.attnum),
    checks: bindChecks(env, t),
  };
  if (stmt.onConflict) {
    plan.onConflict = bindOnConflict(env, t, alias, stmt.onConflict);
    if (plan.onConflict.action === 'update') {
      const d = fkDefaults(env, t.oid);
      if (d.length > 0) plan.fkDefaults = d;
    }
  }
  let cols: ColInfo[] = [];
  if (stmt.returning) {
    const r = bindReturning(tableScope(env, t, alias), stmt.returning.items);
    plan.returning = r.exprs;
    plan.cols = r.cols;
    cols = r.cols;
  }
  return { plan, cols, tag: 'INSERT' };
}

function targetList(cx: Cx, t: TableObj, columns: A.Ident[] | undefined): ColumnObj[] {
  if (!columns) return t.columns.filter((c) => !c.dropped);
  const seen = new Set<number>();
  return columns.map((id) => {
    const c = targetColumn(cx, t, id);
    if (seen.has(c.attnum)) throw errAt(cx, SqlState.duplicate_column, `column "${c.name}" specified more than once`, id.loc);
    seen.add(c.attnum);
    return c;
  });
}

function identityError(cx: Cx, c: ColumnObj, loc?: A.Loc): Error {
  return errAt(cx, '428C9', `cannot insert a non-DEFAULT value into column "${c.name}"`, loc, {
    detail: `Column "${c.name}" is an identity column defined as GENERATED ALWAYS.`,
    hint: 'Use OVERRIDING SYSTEM VALUE to override.',
  });
}

/** One full-width row from the given (column, value) pairs; the other columns get their defaults. */
function fullRow(env: BindEnv, t: TableObj, given: Map<number, Expr>): Expr[] {
  return t.columns.map((c): Expr => {
    if (c.dropped) return { k: 'const', type: c.type, value: null };
    return given.get(c.attnum) ?? bindDefault(env, t, c);
  });
}

function insertSource(cx: Cx, t: TableObj, stmt: A.Insert, targets: ColumnObj[], overriding: 'SYSTEM' | 'USER' | undefined): Plan {
  const env = cx.env;
  const tableCols: ColInfo[] = t.columns.map((c) => ({ name: c.name, type: c.type }));
  const src = stmt.source;
  if (src.kind === 'default_values') return { n: 'values', cols: tableCols, rows: [fullRow(env, t, new Map())] };
  if (src.kind !== 'select') throw errAt(cx, SqlState.feature_not_supported, 'this INSERT source is not supported', stmt.loc);
  const explicitList = stmt.columns !== undefined;
  if (src.body.kind === 'values' && !src.orderBy && !src.limit && !src.with) {
    const width = src.body.rows[0]?.length ?? 0;
    const uneven = src.body.rows.find((row) => row.length !== width);
    if (uneven) throw errAt(cx, SqlState.syntax_error, 'VALUES lists must all be the same length', uneven[0] ? locOf(uneven[0]) : src.loc);
    const rows = src.body.rows.map((row) => {
      if (row.length > targets.length) throw errAt(cx, SqlState.syntax_error, 'INSERT has more expressions than target columns', locOf(row[targets.length]));
      if (row.length < targets.length && explicitList) {
        throw errAt(cx, SqlState.syntax_error, 'INSERT has more target columns than expressions', stmt.columns?.[row.length]?.loc);
      }
      const given = new Map<number, Expr>();
      row.forEach((v, k) => {
        const c = targets[k]!;
        if (stmt.columnTargets?.[k]) return;
        if (v.kind === 'default') return;
        if (c.identity && overriding === 'USER') return; // OVERRIDING USER VALUE: the identity's own value
        if (c.identity === 'a' && overriding !== 'SYSTEM') throw identityError(cx, c, locOf(v));
        given.set(c.attnum, coerceAssign(cx, bindExpr(cx, v), c.type, c.name, locOf(v)));
      });
      if (stmt.columnTargets) addSubscriptValues(cx, stmt.columnTargets, targets, row, given);
      return fullRow(env, t, given);
    });
    return { n: 'values', cols: tableCols, rows };
  }
  // INSERT ... SELECT: the query's columns go to the target columns in order.
  const core = outputCore(src);
  if (core) keepUnknownOutputs.add(core);
  const q = bindQuery({ env, scope: new Scope() }, src);
  if (q.cols.length > targets.length) {
    const extra = src.body.kind === 'select_core' ? src.body.columns[targets.length]?.expr : undefined;
    throw errAt(cx, SqlState.syntax_error, 'INSERT has more expressions than target columns', extra ? locOf(extra) : src.loc);
  }
  if (q.cols.length < targets.length && explicitList) throw errAt(cx, SqlState.syntax_error, 'INSERT has more target columns than expressions', src.loc);
  const given = new Map<number, Expr>();
  q.cols.forEach((qc, k) => {
    const c = targets[k]!;
    if (stmt.columnTargets?.[k]) return;
    if (c.identity && overriding === 'USER') return;
    if (c.identity === 'a' && overriding !== 'SYSTEM') throw identityError(cx, c, src.loc);
    if (qc.type.id === 'unknown') assignUnknown(cx, q.plan, k, c, src.loc);
    given.set(c.attnum, coerceAssign(cx, { k: 'col', type: q.plan.cols[k]!.type, index: k }, c.type, c.name, src.loc));
  });
  if (stmt.columnTargets) addSubscriptValues(cx, stmt.columnTargets, targets, q.cols.map((qc, k) => ({ bound: { k: 'col', type: q.plan.cols[k]!.type, index: k } })), given);
  return { n: 'project', cols: tableCols, input: q.plan, exprs: fullRow(env, t, given) };
}

/** The SELECT core whose select list is an INSERT's source row (not under ORDER BY), if any. */
function outputCore(q: A.Query): A.SelectCore | undefined {
  if (q.orderBy?.length) return undefined;
  if (q.body.kind === 'select_core') return q.body;
  if (q.body.kind === 'nested_query') return outputCore(q.body.query);
  return undefined;
}

/**
 * An unknown-typed output (a NULL or quoted literal the SELECT left
 * unresolved) takes its target column's type, in the projection that makes it.
 */
function assignUnknown(cx: Cx, plan: Plan, k: number, c: ColumnObj, loc: A.Loc | undefined): void {
  const chain: Plan[] = [];
  let p: Plan = plan;
  while (p.n === 'limit' || p.n === 'subquery_scan') {
    chain.push(p);
    p = p.input;
  }
  if (p.n !== 'project' && p.n !== 'result') return;
  const e = coerceAssign(cx, p.exprs[k]!, c.type, c.name, loc);
  p.exprs[k] = e;
  for (const x of [...chain, p]) x.cols[k] = { ...x.cols[k]!, type: e.type };
}

function locOf(e: A.Expr | undefined): A.Loc | undefined {
  return (e as { loc?: A.Loc } | undefined)?.loc;
}

function bindOnConflict(env: BindEnv, t: TableObj, alias: string | undefined, oc: A.OnConflict): NonNullable<Extract<Plan, { n: 'modify' }>['onConflict']> {
  const cx: Cx = { env, scope: new Scope() };
  let indexOid: number | undefined;
  if (oc.constraint) {
    const name = fold(cx, oc.constraint);
    const con = env.catalog.constraint(t.oid, name);
    if (!con) throw errAt(cx, SqlState.undefined_object, `constraint "${name}" for table "${t.name}" does not exist`, oc.constraint.loc);
    if (con.indexOid === undefined) {
      throw errAt(cx, SqlState.wrong_object_type, 'constraint in ON CONFLICT clause has no associated index', oc.constraint.loc);
    }
    indexOid = con.indexOid;
  } else if (oc.columns) {
    if (oc.targetWhere) throw errAt(cx, SqlState.feature_not_supported, 'ON CONFLICT with a partial index predicate is not supported yet');
    const attnums = oc.columns.map((el) => {
      if (el.expr.kind !== 'column' || el.expr.name.length !== 1) {
        throw errAt(cx, SqlState.feature_not_supported, 'ON CONFLICT on expressions is not supported yet', locOf(el.expr));
      }
      return targetColumn(cx, t, el.expr.name[0]!).attnum;
    });
    const same = (a: number[]): boolean => a.length === attnums.length && a.every((x) => attnums.includes(x));
    const ix = env.catalog.indexesOf(t.oid).find((i) => i.unique && !i.where && same(i.keys.map((k) => k.attnum)));
    if (!ix) {
      throw errAt(cx, SqlState.invalid_column_reference, 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
    }
    indexOid = ix.oid;
  }
  if (oc.action === 'NOTHING') return { action: 'nothing', ...(indexOid !== undefined ? { indexOid } : {}) };
  if (indexOid === undefined) {
    throw errAt(cx, SqlState.syntax_error, 'ON CONFLICT DO UPDATE requires inference specification or constraint name', undefined, {
      hint: 'For example, ON CONFLICT (column_name).',
    });
  }
  // Over [existing row, EXCLUDED row]: the target (by its alias) at 0..n-1, EXCLUDED at n..2n-1.
  const n = t.columns.length;
  const ucx = tableScope(env, t, alias);
  ucx.scope.addPlaced('excluded', t.columns.filter((c) => !c.dropped).map((c) => ({
    name: c.name, type: c.type, index: n + c.attnum - 1, tableOid: t.oid, attnum: c.attnum,
  })), 2 * n);
  const assigned = bindAssignments(ucx, t, oc.set ?? []);
  const newRow = t.columns.map((c): Expr => {
    if (c.dropped) return { k: 'const', type: c.type, value: null };
    return assigned.get(c.attnum) ?? { k: 'col', type: c.type, index: c.attnum - 1 };
  });
  const out: NonNullable<Extract<Plan, { n: 'modify' }>['onConflict']> = {
    action: 'update', indexOid, newRow,
    set: [...assigned].map(([attnum, expr]) => ({ attnum, expr })),
  };
  if (oc.where) out.where = coerceBool(ucx, bindExpr(ucx, oc.where), 'WHERE');
  return out;
}

/** SET lists of UPDATE and ON CONFLICT DO UPDATE: column attnum -> new value over the scope's row. */
export function bindAssignments(cx: Cx, t: TableObj, set: A.Assignment[]): Map<number, Expr> {
  const out = new Map<number, Expr>();
  for (const a of set) {
    if (a.op && a.op !== '=') throw errAt(cx, SqlState.feature_not_supported, `assignment operator ${a.op} is not supported in this dialect`);
    if (bindSubscriptSetItem(cx, t, a, out, (id, loc) => targetColumn(cx, t, id, loc))) continue;
    const cols = a.targets.map((target) => {
      if (target.kind !== 'column' || target.name.length !== 1) {
        throw errAt(cx, SqlState.feature_not_supported, 'assigning to a field or subscript is not supported yet', locOf(target));
      }
      return targetColumn(cx, t, target.name[0]!, locOf(target));
    });
    let values: A.Expr[];
    let v = a.value;
    while (v.kind === 'nested' && a.parenthesized) v = v.expr;
    if (cols.length === 1 && !a.parenthesized) values = [a.value];
    else if (v.kind === 'row') values = v.items;
    else if (cols.length === 1) values = [v];
    else if (v.kind === 'subquery') {
      // (a, b) = (SELECT x, y ...): one scalar subquery per column over the same query.
      const inner = childCx(cx);
      const q = bindQuery(inner, v.query);
      if (q.cols.length !== cols.length) throw errAt(cx, SqlState.syntax_error, 'number of columns does not match number of values', locOf(v));
      cols.forEach((c, i) => {
        if (out.has(c.attnum)) throw errAt(cx, SqlState.syntax_error, `multiple assignments to same column "${c.name}"`, locOf(a.targets[i]));
        const plan: Plan = { n: 'project', cols: [q.cols[i]!], input: q.plan, exprs: [{ k: 'col', type: q.cols[i]!.type, index: i }] };
        const e: Expr = { k: 'subquery', type: q.cols[i]!.type, mode: 'scalar', plan, correlated: inner.scope.correlated };
        out.set(c.attnum, coerceAssign(cx, e, c.type, c.name, locOf(v)));
      });
      continue;
    } else throw errAt(cx, SqlState.syntax_error, 'source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression', locOf(v));
    if (values.length !== cols.length) {
      throw errAt(cx, SqlState.syntax_error, `number of columns does not match number of values`, locOf(a.value));
    }
    cols.forEach((c, i) => {
      if (out.has(c.attnum)) throw errAt(cx, SqlState.syntax_error, `multiple assignments to same column "${c.name}"`, locOf(a.targets[i]));
      const value = values[i]!;
      if (value.kind === 'default') {
        out.set(c.attnum, bindDefault(cx.env, t, c));
        return;
      }
      if (c.identity === 'a') {
        throw errAt(cx, '428C9', `column "${c.name}" can only be updated to DEFAULT`, locOf(a.targets[i]), {
          detail: `Column "${c.name}" is an identity column defined as GENERATED ALWAYS.`,
        });
      }
      out.set(c.attnum, coerceAssign(cx, bindExpr(cx, value), c.type, c.name, locOf(value)));
    });
  }
  return out;
}
