// WITH queries (common table expressions).
//
// Each CTE is bound once and gets a statement-unique id; every reference is a
// 'cte_scan' of that id, and the 'with' node above the query materialises
// each CTE once, on first read, for all its readers (exec/ops_cte.ts). CTE
// names are visible in the query, its subqueries and later CTEs (and, with
// RECURSIVE, in the CTE itself); they shadow tables for unqualified names.
//
// WITH RECURSIVE: a self-referencing CTE must be `anchor UNION [ALL] step`;
// its column types are the anchor's, the step may read the CTE once, at its
// own level, not under an outer join (42P19 otherwise, as PostgreSQL).
// Data-modifying CTEs (INSERT / UPDATE / DELETE ... RETURNING) run to
// completion before the main query, whether it reads them or not.

import type * as A from '../../../sql-dialects/index.ts';
import { SqlState } from '../sb_error.ts';
import type { ColInfo, Expr, Plan } from '../plan/nodes.ts';
import { selectCommonType } from '../types/resolve.ts';
import { routineKinds } from '../functions/resolve.ts';
import { formatType } from '../types/type_names.ts';
import { type BindEnv, type Cx, errAt, fold } from './context.ts';
import { coerceTo } from './coerce.ts';
import { registerFromBinder } from './from.ts';
import { type BoundQuery, bindQuery, registerQueryHook } from './select.ts';
import { Scope } from './scope.ts';
import { bindInsert } from './dml_insert.ts';
import { bindDelete, bindUpdate } from './dml_update.ts';
import { outerJoinDepth } from './join.ts';

type WithPlan = Extract<Plan, { n: 'with' }>;

interface CteDef {
  id: number;
  name: string;
  cols: ColInfo[];
  /** pending: declared by WITH RECURSIVE, not bound yet; anchor / step: its recursive term is being bound. */
  state: 'pending' | 'anchor' | 'step' | 'ready';
  stepScope?: Scope;
  selfRefs: number;
  refs: number;
  /** A data-modifying CTE without RETURNING cannot be read. */
  noReturning?: boolean;
}

interface Frame {
  env: BindEnv;
  defs: Map<string, CteDef>;
}

const frames: Frame[] = [];
let nextCteId = 1;
/** Environments whose outermost query has been seen (data-modifying WITH must be there). */
const seenEnvs = new WeakSet<BindEnv>();

function lookup(env: BindEnv, name: string): CteDef | undefined {
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i]!;
    if (f.env !== env) continue;
    const d = f.defs.get(name);
    if (d) return d;
  }
  return undefined;
}

function bindWith(cx: Cx, q: A.Query): BoundQuery | undefined {
  const topLevel = !seenEnvs.has(cx.env);
  seenEnvs.add(cx.env);
  if (!q.with) return undefined;
  return withCtes(cx, q.with, topLevel, () => bindQuery(cx, { ...q, with: undefined }));
}

/**
 * WITH on INSERT / UPDATE / DELETE: binds the statement (without its WITH)
 * with the CTEs in scope and puts the 'with' node above its plan.
 */
export function bindDmlWith<S extends { with?: A.WithClause }, R extends { plan: Plan; cols: ColInfo[] }>(env: BindEnv, stmt: S, bind: (env: BindEnv, stmt: S) => R): R {
  seenEnvs.add(env);
  if (!stmt.with) return bind(env, stmt);
  let r!: R;
  const q = withCtes({ env, scope: new Scope() }, stmt.with, true, () => {
    r = bind(env, { ...stmt, with: undefined });
    return { plan: r.plan, cols: r.cols };
  });
  return { ...r, plan: q.plan };
}

function withCtes(cx: Cx, w: A.WithClause, topLevel: boolean, bindBody: () => BoundQuery): BoundQuery {
  const frame: Frame = { env: cx.env, defs: new Map() };
  const names = new Set<string>();
  for (const c of w.ctes) {
    const name = fold(cx, c.name);
    if (names.has(name)) throw errAt(cx, '42712', `WITH query name "${name}" specified more than once`, c.name.loc);
    names.add(name);
  }
  frames.push(frame);
  try {
    const ctes: WithPlan['ctes'] = [];
    const dmlIds = new Set<number>();
    const defs = new Map(w.ctes.map((c) => {
      const name = fold(cx, c.name);
      return [c, { id: nextCteId++, name, cols: [], state: 'pending', selfRefs: 0, refs: 0 } as CteDef];
    }));
    // WITH RECURSIVE items see each other: bind each after the items it reads (PostgreSQL orders them too).
    if (w.recursive) for (const d of defs.values()) frame.defs.set(d.name, d);
    for (const c of w.recursive ? dependencyOrder(cx, w.ctes) : w.ctes) {
      const name = fold(cx, c.name);
      const def = defs.get(c)!;
      const q2 = c.query;
      let entry: WithPlan['ctes'][number];
      if (q2.kind === 'insert' || q2.kind === 'update' || q2.kind === 'delete') {
        if (!topLevel) {
          throw errAt(cx, SqlState.feature_not_supported, 'WITH clause containing a data-modifying statement must be at the top level', c.name.loc);
        }
        const b = q2.kind === 'insert' ? bindInsert(cx.env, q2) : q2.kind === 'update' ? bindUpdate(cx.env, q2) : bindDelete(cx.env, q2);
        def.cols = b.cols;
        if (!(q2 as { returning?: unknown[] }).returning) def.noReturning = true;
        entry = { id: def.id, plan: b.plan };
        dmlIds.add(def.id);
      } else if (q2.kind !== 'select') {
        throw errAt(cx, SqlState.syntax_error, 'a WITH query must be SELECT, INSERT, UPDATE or DELETE', c.name.loc);
      } else if (w.recursive && refersTo(cx, q2, name)) {
        const sc = c.search || c.cycle ? rewriteSearchCycle(cx, c, q2, name) : { query: q2, cte: c };
        entry = bindRecursive(cx, def, sc.query, sc.cte);
      } else {
        const inner: Cx = { env: cx.env, scope: new Scope(cx.scope.parent) };
        const b = bindQuery(inner, q2);
        if (inner.scope.correlated) cx.scope.correlated = true;
        def.cols = b.cols;
        entry = { id: def.id, plan: b.plan };
      }
      def.cols = renameColumns(cx, def, c);
      def.state = 'ready';
      frame.defs.set(name, def);
      ctes.push(entry);
    }
    const body = bindBody();
    // Unread SELECT CTEs are never evaluated (PostgreSQL does not run them either).
    const used = ctes.filter((e) => dmlIds.has(e.id) || [...frame.defs.values()].some((d) => d.id === e.id && d.refs > 0));
    if (used.length === 0) return body;
    const plan: WithPlan = { n: 'with', cols: body.cols, ctes: used, body: body.plan };
    return { plan, cols: body.cols };
  } finally {
    frames.pop();
  }
}

/** The items of a WITH RECURSIVE list, each after those it refers to (a cycle keeps the written order). */
function dependencyOrder(cx: Cx, ctes: A.Cte[]): A.Cte[] {
  const names = ctes.map((c) => fold(cx, c.name));
  const out: A.Cte[] = [];
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (i: number): void => {
    if (state.get(i)) return;
    state.set(i, 'visiting');
    names.forEach((n, j) => {
      if (j !== i && state.get(j) !== 'visiting' && refersTo(cx, ctes[i]!.query, n)) visit(j);
    });
    state.set(i, 'done');
    out.push(ctes[i]!);
  };
  ctes.forEach((_, i) => visit(i));
  return out;
}

function renameColumns(cx: Cx, def: CteDef, c: A.Cte): ColInfo[] {
  const aliases = c.columns ?? [];
  if (aliases.length > def.cols.length) {
    throw errAt(cx, SqlState.invalid_column_reference, `WITH query "${def.name}" has ${def.cols.length} columns available but ${aliases.length} columns specified`, c.name.loc);
  }
  return def.cols.map((col, i) => ({ name: aliases[i] ? fold(cx, aliases[i]!) : col.name, type: col.type }));
}

/** Whether a query mentions `name` as an unqualified FROM table anywhere inside it. */
function refersTo(cx: Cx, q: unknown, name: string): boolean {
  let found = false;
  const walk = (x: unknown): void => {
    if (found || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      for (const y of x) walk(y);
      return;
    }
    const o = x as { kind?: string; name?: A.Ident[] };
    if (o.kind === 'table' && Array.isArray(o.name) && o.name.length === 1 && fold(cx, o.name[0]!) === name) {
      found = true;
      return;
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk(q);
  return found;
}

function bindRecursive(cx: Cx, def: CteDef, q: A.Query, c: A.Cte): WithPlan['ctes'][number] {
  const body = q.body;
  if (body.kind !== 'set_op' || body.op !== 'UNION') {
    throw errAt(cx, '42P19', `recursive query "${def.name}" does not have the form non-recursive-term UNION [ALL] recursive-term`, c.name.loc);
  }
  if (q.orderBy) throw errAt(cx, SqlState.feature_not_supported, 'ORDER BY in a recursive query is not implemented', c.name.loc);
  if (q.limit) throw errAt(cx, SqlState.feature_not_supported, 'LIMIT in a recursive query is not implemented', c.name.loc);
  if (q.with) throw errAt(cx, SqlState.feature_not_supported, 'a WITH clause inside a recursive query is not supported yet', c.name.loc);
  def.state = 'anchor';
  const anchorCx: Cx = { env: cx.env, scope: new Scope(cx.scope.parent) };
  const anchor = bindQuery(anchorCx, { kind: 'select', body: body.left });
  def.cols = anchor.cols;
  def.cols = renameColumns(cx, def, c);
  if (hasAggregate(body.right)) {
    throw errAt(cx, '42P19', `aggregate functions are not allowed in a recursive query's recursive term`, c.name.loc);
  }
  def.state = 'step';
  def.stepScope = new Scope(cx.scope.parent);
  const stepCx: Cx = { env: cx.env, scope: def.stepScope };
  const step = bindQuery(stepCx, { kind: 'select', body: body.right });
  if (anchorCx.scope.correlated || stepCx.scope.correlated) cx.scope.correlated = true;
  if (step.cols.length !== anchor.cols.length) {
    throw errAt(cx, SqlState.syntax_error, 'each UNION query must have the same number of columns', c.name.loc);
  }
  let stepPlan = step.plan;
  const exprs: Expr[] = [];
  let cast = false;
  for (let i = 0; i < anchor.cols.length; i++) {
    const at = anchor.cols[i]!.type;
    const st = step.cols[i]!.type;
    const ref: Expr = { k: 'col', type: st, index: i };
    if (at.id === st.id) {
      exprs.push(ref);
      continue;
    }
    let common;
    try {
      common = selectCommonType([at, st], 'UNION');
    } catch {
      common = undefined;
    }
    if (!common || common.id !== at.id) {
      throw errAt(cx, SqlState.datatype_mismatch,
        `recursive query "${def.name}" column ${i + 1} has type ${formatType(at)} in non-recursive term but type ${formatType(common ?? st)} overall`, c.name.loc,
        { hint: 'Cast the output of the non-recursive term to the correct type.' });
    }
    exprs.push(coerceTo(cx, ref, at, 'implicit'));
    cast = true;
  }
  if (cast) stepPlan = { n: 'project', cols: anchor.cols, input: stepPlan, exprs };
  return { id: def.id, plan: anchor.plan, recursive: { anchor: anchor.plan, step: stepPlan, all: body.quantifier === 'ALL' } };
}

// ---- SEARCH / CYCLE ------------------------------------------------------------------------
//
// As PostgreSQL does, the clauses rewrite the recursive query: SEARCH DEPTH FIRST BY c SET seq
// adds seq = ARRAY[ROW(c)] in the anchor and seq || ROW(c) in the step; CYCLE c SET mark USING
// path adds mark = DEFAULT / (ROW(c) = ANY(path) ? TO : DEFAULT), path as seq, and keeps the step
// from extending rows whose mark is TO.

function ident(value: string): A.Ident {
  return { value, quoted: true };
}

function colOf(q: string, name: string): A.Expr {
  return { kind: 'column', name: [ident(q), ident(name)] };
}

function rowOf(items: A.Expr[]): A.Expr {
  return { kind: 'row', items, keyword: true };
}

function rewriteSearchCycle(cx: Cx, c: A.Cte, q: A.Query, name: string): { query: A.Query; cte: A.Cte } {
  const body = q.body;
  const bad = (what: string): never => {
    throw errAt(cx, SqlState.feature_not_supported, `${what} is not supported yet`, c.name.loc);
  };
  if (body.kind !== 'set_op' || body.op !== 'UNION') {
    throw errAt(cx, '42P19', `recursive query "${name}" does not have the form non-recursive-term UNION [ALL] recursive-term`, c.name.loc);
  }
  const anchor = body.left;
  const step = body.right;
  if (anchor.kind !== 'select_core' || step.kind !== 'select_core') return bad('SEARCH / CYCLE with a non-SELECT term');
  if ([...anchor.columns, ...step.columns].some((i) => i.expr.kind === 'star')) return bad('SEARCH / CYCLE with * in a term');
  const names = anchor.columns.map((item, i) => {
    const alias = c.columns?.[i];
    if (alias) return fold(cx, alias);
    if (item.alias) return fold(cx, item.alias);
    if (item.expr.kind === 'column') return fold(cx, item.expr.name[item.expr.name.length - 1]!);
    return bad('SEARCH / CYCLE over an unnamed column');
  });
  const position = (id: A.Ident, clause: string): number => {
    const n = fold(cx, id);
    const i = names.indexOf(n);
    if (i < 0) throw errAt(cx, SqlState.syntax_error, `${clause} column "${n}" not in WITH query column list`, c.name.loc);
    return i;
  };
  const ref = stepReference(cx, step.from ?? [], name);
  if (!ref) return bad('SEARCH / CYCLE without a recursive reference in FROM');
  const anchorItems = [...anchor.columns];
  const stepItems = [...step.columns];
  const extraNames: string[] = [];
  let where = step.where;
  if (c.search) {
    const by = c.search.by.map((id) => position(id, 'search'));
    const seq = fold(cx, c.search.set);
    if (c.search.breadth) {
      // ROW(depth, by...): depth 0 in the anchor, the parent's + 1 in the step. The parent's depth is
      // read back from the record's text (its first field, a bigint, is never quoted) as long as
      // field selection is not supported.
      const bigint: A.TypeName = { kind: 'type', name: [{ value: 'int8', quoted: false }] };
      const asText: A.Expr = { kind: 'cast', expr: colOf(ref, seq), type: { kind: 'type', name: [{ value: 'text', quoted: false }] }, syntax: '::' };
      const field1: A.Expr = {
        kind: 'func', name: [ident('split_part')],
        args: [{ kind: 'func', name: [ident('substr')], args: [asText, { kind: 'number', value: '2' }] }, { kind: 'string', value: ',' }, { kind: 'number', value: '1' }],
      };
      const depth: A.Expr = { kind: 'binary', op: '+', left: { kind: 'cast', expr: field1, type: bigint, syntax: '::' }, right: { kind: 'number', value: '1' } };
      anchorItems.push({ expr: rowOf([{ kind: 'cast', expr: { kind: 'number', value: '0' }, type: bigint, syntax: '::' }, ...by.map((i) => anchor.columns[i]!.expr)]), alias: ident(seq) });
      stepItems.push({ expr: rowOf([depth, ...by.map((i) => step.columns[i]!.expr)]), alias: ident(seq) });
    } else {
      anchorItems.push({ expr: { kind: 'array', keyword: true, elements: [rowOf(by.map((i) => anchor.columns[i]!.expr))] }, alias: ident(seq) });
      stepItems.push({ expr: { kind: 'func', name: [ident('array_append')], args: [colOf(ref, seq), rowOf(by.map((i) => step.columns[i]!.expr))] }, alias: ident(seq) });
    }
    extraNames.push(seq);
  }
  if (c.cycle) {
    const cols = c.cycle.columns.map((id) => position(id, 'cycle'));
    const mark = fold(cx, c.cycle.set);
    const path = fold(cx, c.cycle.using);
    const to: A.Expr = c.cycle.to ?? { kind: 'boolean', value: true };
    const dflt: A.Expr = c.cycle.default ?? { kind: 'boolean', value: false };
    const stepRow = rowOf(cols.map((i) => step.columns[i]!.expr));
    anchorItems.push({ expr: dflt, alias: ident(mark) });
    anchorItems.push({ expr: { kind: 'array', keyword: true, elements: [rowOf(cols.map((i) => anchor.columns[i]!.expr))] }, alias: ident(path) });
    stepItems.push({
      expr: { kind: 'case', whens: [{ when: { kind: 'quantified', op: '=', quantifier: 'ANY', left: stepRow, right: colOf(ref, path) }, then: to }], else: dflt },
      alias: ident(mark),
    });
    stepItems.push({ expr: { kind: 'func', name: [ident('array_append')], args: [colOf(ref, path), stepRow] }, alias: ident(path) });
    const notCycle: A.Expr = { kind: 'binary', op: '<>', left: colOf(ref, mark), right: to };
    where = where ? { kind: 'binary', op: 'AND', left: { kind: 'nested', expr: where }, right: notCycle } : notCycle;
    extraNames.push(mark, path);
  }
  const newBody: A.SetOperation = {
    ...body,
    left: { ...anchor, columns: anchorItems },
    right: { ...step, columns: stepItems, ...(where ? { where } : {}) },
  };
  const cte: A.Cte = { ...c, columns: [...names, ...extraNames].map(ident) };
  delete cte.search;
  delete cte.cycle;
  return { query: { ...q, body: newBody }, cte };
}

/** The name the step's FROM gives the recursive reference (its alias, or the CTE name). */
function stepReference(cx: Cx, from: A.TableRef[], name: string): string | undefined {
  for (const t of from) {
    if (t.kind === 'table' && t.name.length === 1 && fold(cx, t.name[0]!) === name) return t.alias ? fold(cx, t.alias.name) : name;
    if (t.kind === 'join') {
      const r = stepReference(cx, [t.left, t.right], name);
      if (r) return r;
    }
    if (t.kind === 'nested_join') {
      const r = stepReference(cx, [t.table], name);
      if (r) return r;
    }
  }
  return undefined;
}

/** Whether a query body calls an aggregate at its own level (not in subqueries). */
function hasAggregate(body: A.QueryBody): boolean {
  let found = false;
  const walk = (x: unknown): void => {
    if (found || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      for (const y of x) walk(y);
      return;
    }
    const o = x as { kind?: string; name?: A.Ident[]; over?: unknown };
    if (o.kind === 'subquery' || o.kind === 'exists' || o.kind === 'array_subquery' || o.kind === 'derived') return;
    if (o.kind === 'func' && !o.over && Array.isArray(o.name)) {
      const k = routineKinds(o.name[o.name.length - 1]!.value.toLowerCase());
      if ((k.aggregate || k.orderedSet) && !k.function) {
        found = true;
        return;
      }
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk(body);
  return found;
}

/** A FROM name that is a CTE in scope: its scan. */
function bindCteRef(cx: Cx, item: A.TableRef): Plan | undefined {
  if (item.kind !== 'table' || item.name.length !== 1) return undefined;
  const name = fold(cx, item.name[0]!);
  const def = lookup(cx.env, name);
  if (!def) return undefined;
  if (def.state === 'pending') {
    throw errAt(cx, SqlState.feature_not_supported, `mutual recursion between WITH items is not implemented`, item.loc);
  }
  if (def.state === 'anchor') {
    throw errAt(cx, '42P19', `recursive reference to query "${name}" must not appear within its non-recursive term`, item.loc);
  }
  if (def.state === 'step') {
    if (cx.scope !== def.stepScope) {
      throw errAt(cx, '42P19', `recursive reference to query "${name}" must not appear within a subquery`, item.loc);
    }
    if (outerJoinDepth.value > 0) {
      throw errAt(cx, '42P19', `recursive reference to query "${name}" must not appear within an outer join`, item.loc);
    }
    if (++def.selfRefs > 1) {
      throw errAt(cx, '42P19', `recursive reference to query "${name}" must not appear more than once`, item.loc);
    }
  }
  if (def.noReturning) {
    throw errAt(cx, SqlState.feature_not_supported, `WITH query "${name}" does not have a RETURNING clause`, item.loc);
  }
  def.refs++;
  const alias = item.alias ? fold(cx, item.alias.name) : name;
  const aliases = item.alias?.columns ?? [];
  if (aliases.length > def.cols.length) {
    throw errAt(cx, SqlState.invalid_column_reference, `table "${alias}" has ${def.cols.length} columns available but ${aliases.length} columns specified`, item.loc);
  }
  const cols = def.cols.map((c, i) => ({ name: aliases[i] ? fold(cx, aliases[i]!) : c.name, type: c.type }));
  cx.scope.addEntry(alias, cols);
  return { n: 'cte_scan', cols, cteId: def.id };
}

registerQueryHook(bindWith);
registerFromBinder('table', bindCteRef);
