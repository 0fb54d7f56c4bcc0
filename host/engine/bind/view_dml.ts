// INSERT / UPDATE / DELETE through an automatically updatable view
// (PostgreSQL's rules: one base table or view in FROM, no WITH, DISTINCT,
// GROUP BY, HAVING, set operation, LIMIT/OFFSET, aggregate, window or
// set-returning function). The statement is rewritten onto the view's base
// relation: view columns become the view's expressions, the view's WHERE is
// ANDed into UPDATE and DELETE. WITH [LOCAL | CASCADED] CHECK OPTION: the
// WHERE of each view whose option applies is carried down the rewrite (over
// the base relation in the end) and checked on the new row by the modify
// operator, innermost view first (44000, as PostgreSQL's ExecWithCheckOptions).

import type * as A from '../../../sql-dialects/index.ts';
import { parse, postgres } from '../../../sql-dialects/index.ts';
import type { ViewObj } from '../catalog/objects.ts';
import { routineKinds } from '../functions/resolve.ts';
import { SqlState } from '../sb_error.ts';
import type { BindEnv } from './context.ts';
import { errAt, fold } from './context.ts';
import { lookupRelation, requireTable } from './names.ts';
import type { BoundModify } from './dml_insert.ts';
import { bindExpr } from './expr.ts';
import { coerceBool } from './coerce.ts';
import { tableScope } from './dml_common.ts';

type Dml = A.Insert | A.Update | A.Delete;

const VERB = { insert: 'insert into', update: 'update', delete: 'delete from' } as const;
const TRIGGER = { insert: 'INSERT', update: 'UPDATE', delete: 'DELETE' } as const;

/** A view's WHERE to check on new rows (over the base relation once the rewrite is done). */
interface ViewCheck {
  view: string;
  expr: A.Expr;
}

/** The check options a rewritten statement carries (innermost view first). */
const viewChecks = new WeakMap<object, ViewCheck[]>();

/** The statement unchanged when its target is not a view, else the same statement on the view's base relation. */
export function rewriteViewDml<S extends Dml>(env: BindEnv, stmt: S): S {
  let checks: ViewCheck[] = [];
  let cascaded = false;
  for (let depth = 0; depth < 100; depth++) {
    const name = stmt.kind === 'insert' ? stmt.table : stmt.table.kind === 'table' ? stmt.table.name : undefined;
    let rel;
    try {
      rel = name ? lookupRelation(env, name) : undefined;
    } catch {
      rel = undefined;
    }
    if (rel?.kind === 'table' && rel.matview) {
      throw errAt(env, SqlState.wrong_object_type, `cannot change materialized view "${rel.name}"`);
    }
    if (rel?.kind !== 'view') {
      if (checks.length > 0) viewChecks.set(stmt, checks);
      return stmt;
    }
    const r = rewriteOnce(env, stmt, rel, checks);
    stmt = r.stmt;
    checks = r.checks;
    // LOCAL checks this view's condition; CASCADED also every view below it (PostgreSQL 15).
    if ((rel.checkOption || cascaded) && r.where && stmt.kind !== 'delete') checks.unshift({ view: rel.name, expr: r.where });
    if (rel.checkOption === 'cascaded') cascaded = true;
  }
  throw errAt(env, SqlState.internal_error, 'views nested too deeply', stmt.loc);
}

/** Adds the view check options of a rewritten INSERT / UPDATE to its bound modification. */
export function withViewChecks(env: BindEnv, stmt: Dml, bound: BoundModify): BoundModify {
  const checks = viewChecks.get(stmt);
  if (!checks || stmt.kind === 'delete') return bound;
  const t = requireTable(env, stmt.kind === 'insert' ? stmt.table : (stmt.table as A.TableName).name);
  const aliasId = stmt.kind === 'insert' ? stmt.alias : (stmt.table as A.TableName).alias?.name;
  const cx = tableScope(env, t, aliasId ? fold(env, aliasId) : undefined);
  const plan = bound.plan;
  plan.checks = [...(plan.checks ?? []), ...checks.map((c) => ({ name: c.view, expr: coerceBool(cx, bindExpr(cx, c.expr), 'CHECK OPTION'), view: true }))];
  return bound;
}

/** Why a view's query is not automatically updatable, or undefined when it is (PostgreSQL's DETAIL texts). */
export function notUpdatableReason(env: BindEnv, q: A.Query): string | undefined {
  const core = q.body.kind === 'select_core' ? q.body : undefined;
  if (core?.quantifier === 'DISTINCT' || core?.distinctOn) return 'Views containing DISTINCT are not automatically updatable.';
  if (core?.groupBy) return 'Views containing GROUP BY are not automatically updatable.';
  if (core?.having) return 'Views containing HAVING are not automatically updatable.';
  if (q.with) return 'Views containing WITH are not automatically updatable.';
  if (!core) return 'Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable.';
  if (q.limit || core.limit) return 'Views containing LIMIT or OFFSET are not automatically updatable.';
  const kinds = { agg: false, window: false };
  callKinds(core.columns, kinds);
  if (kinds.agg) return 'Views that return aggregate functions are not automatically updatable.';
  if (kinds.window) return 'Views that return window functions are not automatically updatable.';
  const from = core.from?.length === 1 ? core.from[0]! : undefined;
  const base = from?.kind === 'table' ? lookupRelation(env, from.name) : undefined;
  if (!base || (base.kind !== 'table' && base.kind !== 'view') || (base.kind === 'table' && base.matview)) {
    return 'Views that do not select from a single table or view are not automatically updatable.';
  }
  return undefined;
}

function notUpdatable(env: BindEnv, stmt: Dml, view: ViewObj, detail: string): never {
  throw errAt(env, SqlState.object_not_in_prerequisite_state, `cannot ${VERB[stmt.kind]} view "${view.name}"`, stmt.loc, {
    detail,
    hint: `To enable ${stmt.kind === 'insert' ? 'inserting into' : stmt.kind === 'update' ? 'updating' : 'deleting from'} the view, provide an INSTEAD OF ${TRIGGER[stmt.kind]} trigger or an unconditional ON ${TRIGGER[stmt.kind]} DO INSTEAD rule.`,
  });
}

/** Function calls in the select list by kind (not descending into subqueries). */
function callKinds(x: unknown, acc: { agg: boolean; window: boolean }): void {
  if (x === null || typeof x !== 'object') return;
  if (Array.isArray(x)) return x.forEach((e) => callKinds(e, acc));
  const node = x as { kind?: string };
  if (node.kind === 'select') return;
  if (node.kind === 'func') {
    const f = node as A.FuncCall;
    const fname = f.name[f.name.length - 1]!;
    const k = routineKinds(fname.quoted ? fname.value : fname.value.toLowerCase());
    if (f.over) acc.window = true;
    else if ((k.aggregate || k.orderedSet) && (!k.function || f.star)) acc.agg = true;
  }
  for (const v of Object.values(node)) callKinds(v, acc);
}

function rewriteOnce<S extends Dml>(env: BindEnv, stmt: S, view: ViewObj, checks: ViewCheck[]): { stmt: S; checks: ViewCheck[]; where?: A.Expr } {
  const q = parse(view.sql, postgres)[0] as A.Query;
  const reason = notUpdatableReason(env, q);
  if (reason) notUpdatable(env, stmt, view, reason);
  const core = q.body as A.SelectCore;
  const from = core.from![0] as A.TableName;
  const base = lookupRelation(env, from.name)!;
  if (base.kind !== 'table' && base.kind !== 'view') throw errAt(env, SqlState.internal_error, 'not a table or view', stmt.loc);

  // View column name -> its defining expression (over the base relation as the view's FROM names it).
  const exprs = new Map<string, A.Expr>();
  let i = 0;
  for (const item of core.columns) {
    if (item.expr.kind === 'star') {
      const names = base.kind === 'table' ? base.columns.filter((c) => !c.dropped).map((c) => c.name) : base.columns.map((c) => c.name);
      for (const n of names) {
        const vname = view.columns[i++]?.name;
        if (vname !== undefined) exprs.set(vname, { kind: 'column', name: [{ value: n, quoted: true }] });
      }
      continue;
    }
    const vname = view.columns[i++]?.name;
    if (vname !== undefined) exprs.set(vname, item.expr);
  }
  /** The base column a view column is, or undefined when it is an expression. */
  const baseColumn = (vname: string): string | undefined => {
    const e = exprs.get(vname);
    if (e?.kind !== 'column') return undefined;
    const last = e.name[e.name.length - 1]!;
    return fold(env, last);
  };
  const requireBaseColumn = (id: A.Ident, verb: string): A.Ident => {
    const vname = fold(env, id);
    if (!exprs.has(vname)) {
      throw errAt(env, SqlState.undefined_column, `column "${vname}" of relation "${view.name}" does not exist`, id.loc);
    }
    const b = baseColumn(vname);
    if (b === undefined) {
      throw errAt(env, SqlState.feature_not_supported, `cannot ${verb} column "${vname}" of view "${view.name}"`, id.loc, {
        detail: 'View columns that are not columns of their base relation are not updatable.',
      });
    }
    return { value: b, quoted: true, loc: id.loc };
  };

  const userAlias = stmt.kind === 'insert' ? stmt.alias : (stmt.table as A.TableName).alias?.name;
  const qualifier = userAlias ? fold(env, userAlias) : view.name;
  const subst = <T>(x: T): T => {
    if (x === null || typeof x !== 'object') return x;
    if (Array.isArray(x)) return x.map(subst) as T;
    const node = x as { kind?: string; name?: A.QName };
    if (node.kind === 'column' && node.name) {
      const parts = node.name.map((p) => fold(env, p));
      const col = parts[parts.length - 1]!;
      const qualified = parts.length === 2 && parts[0] === qualifier;
      if ((parts.length === 1 || qualified) && exprs.has(col)) return structuredClone(exprs.get(col)!) as T;
      return x;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = k === 'loc' ? v : subst(v);
    return out as T;
  };
  const and = (a: A.Expr | undefined, b: A.Expr | undefined): A.Expr | undefined =>
    a && b ? { kind: 'binary', op: 'AND', left: { kind: 'nested', expr: a }, right: { kind: 'nested', expr: b } } as A.Expr : a ?? b;
  const returning = stmt.returning ? { ...stmt.returning, items: stmt.returning.items.map((it) => {
    const alias = it.alias ?? (it.expr.kind === 'column' ? it.expr.name[it.expr.name.length - 1] : undefined);
    return it.expr.kind === 'star' ? it : { ...it, expr: subst(it.expr), ...(alias ? { alias } : {}) };
  }) } : undefined;
  if (returning?.items.some((it) => it.expr.kind === 'star')) {
    throw errAt(env, SqlState.feature_not_supported, 'RETURNING * through a view is not supported yet', stmt.loc);
  }

  const done = (out: Dml): { stmt: S; checks: ViewCheck[]; where?: A.Expr } => ({
    stmt: out as S, checks: checks.map((c) => ({ view: c.view, expr: subst(c.expr) })), ...(core.where ? { where: core.where } : {}),
  });
  const target: A.TableName = { kind: 'table', name: from.name, ...(from.alias ? { alias: from.alias } : {}), loc: (stmt as { loc?: A.Loc }).loc };
  if (stmt.kind === 'insert') {
    if (stmt.onConflict || stmt.onDuplicateKeyUpdate) {
      throw errAt(env, SqlState.feature_not_supported, 'ON CONFLICT through a view is not supported yet', stmt.loc);
    }
    const cols = stmt.columns ?? view.columns.map((c) => ({ value: c.name, quoted: true }));
    const columns = stmt.source.kind === 'default_values' && !stmt.columns ? undefined : cols.map((c) => requireBaseColumn(c, 'insert into'));
    const out: A.Insert = { ...stmt, table: from.name, columns, returning };
    delete out.alias;
    if (from.alias) out.alias = from.alias.name;
    if (!columns) delete out.columns;
    if (!returning) delete out.returning;
    return done(out);
  }
  if (stmt.kind === 'update') {
    const set = stmt.set.map((a) => ({
      ...a,
      targets: a.targets.map((t) => {
        if (t.kind !== 'column' || t.name.length !== 1) return t;
        return { ...t, name: [requireBaseColumn(t.name[0]!, 'update')] };
      }),
      value: subst(a.value),
    }));
    const out: A.Update = { ...stmt, table: target, set, where: and(subst(stmt.where), core.where), returning, from: subst(stmt.from) };
    if (!out.where) delete out.where;
    if (!out.from) delete out.from;
    if (!returning) delete out.returning;
    return done(out);
  }
  const out: A.Delete = { ...stmt, table: target, where: and(subst(stmt.where), core.where), returning, using: subst(stmt.using) };
  if (!out.where) delete out.where;
  if (!out.using) delete out.using;
  if (!returning) delete out.returning;
  return done(out);
}
