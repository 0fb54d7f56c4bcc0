// IN / EXISTS / NOT EXISTS in WHERE as semi and anti joins.
//
// A top-level WHERE conjunct
//   x IN (uncorrelated subquery)                 -> SEMI join on x = the subquery's column
//   EXISTS (SELECT ... FROM f WHERE f.k = x ...) -> SEMI join of f on f.k = x
//   NOT EXISTS (same shape)                      -> ANTI join
// is the same filter (a NULL IN result drops the row like false; a NULL key
// never matches), run once as a hash join instead of once per row. Only
// shapes that are plainly equivalent are rewritten: the EXISTS subquery must
// be a plain SELECT over FROM/WHERE (no aggregate, DISTINCT, LIMIT...), its
// only references to the outer row equality conjuncts `inner = outer` of one
// type. NOT IN is left alone (its NULL semantics differ from an anti join).

import type { Expr, Plan } from '../plan/nodes.ts';
import { T } from '../types/types.ts';
import type { Cx } from './context.ts';
import { registerWhereHook } from './select.ts';

type Join = Extract<Plan, { n: 'join' }>;

/** Types whose hash equality is their '=' operator's (as join.ts). */
const HASHABLE = new Set([
  'int2', 'int4', 'int8', 'oid', 'float4', 'float8', 'numeric', 'bool', 'text', 'varchar', 'name', 'bpchar', 'char',
  'date', 'time', 'timestamp', 'timestamptz', 'interval', 'uuid', 'bytea', 'timetz',
]);

function conjuncts(e: Expr): Expr[] {
  return e.k === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/** Visits every expression node (not into subquery plans unless `deep`), with the subquery depth. */
function walk(x: unknown, fn: (o: Record<string, unknown>, depth: number) => boolean, depth = 0): boolean {
  if (Array.isArray(x)) return x.every((y) => walk(y, fn, depth));
  if (x === null || typeof x !== 'object' || Object.getPrototypeOf(x) !== Object.prototype) return true;
  const o = x as Record<string, unknown>;
  if (!fn(o, depth)) return false;
  for (const [key, v] of Object.entries(o)) {
    let d = depth;
    if ((o.k === 'subquery' || o.k === 'sublink') && key === 'plan') d = depth + 1;
    else if (o.n === 'join' && o.lateral === true && key === 'right') d = depth + 1;
    if (!walk(v, fn, d)) return false;
  }
  return true;
}

/** No reference escapes the plan or expression (to its enclosing query or further). */
function selfContained(x: unknown): boolean {
  return walk(x, (o, d) => !(o.k === 'outer' && (o.level as number) > d));
}

/** Only columns of this row, no subqueries, no volatile calls (a hash key). */
function plainOverRow(e: Expr): boolean {
  let cols = 0;
  const ok = walk(e, (o) => {
    if (o.k === 'col') cols++;
    if (o.k === 'outer' || o.k === 'subquery' || o.k === 'sublink' || o.k === 'nextval' || o.k === 'seq_call' || o.k === 'param') return false;
    if (o.k === 'call' && o.volatile === true) return false;
    return true;
  });
  return ok && cols > 0;
}

/** An expression reading only the outer row (outer level 1), rewritten over that row's columns. */
function outerAsCols(e: Expr): Expr | undefined {
  let ok = true;
  let refs = 0;
  const map = (x: unknown): unknown => {
    if (!ok) return x;
    if (Array.isArray(x)) return x.map(map);
    if (x === null || typeof x !== 'object' || Object.getPrototypeOf(x) !== Object.prototype) return x;
    const o = x as Record<string, unknown>;
    if (o.k === 'const') return o;
    if (o.k === 'outer') {
      if (o.level !== 1) ok = false;
      refs++;
      return { k: 'col', type: o.type, index: o.index };
    }
    if (o.k === 'col' || o.k === 'subquery' || o.k === 'sublink' || o.k === 'nextval' || o.k === 'seq_call' || o.k === 'param') ok = false;
    if (o.k === 'call' && o.volatile === true) ok = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = map(v);
    return out;
  };
  const r = map(e) as Expr;
  return ok && refs > 0 ? r : undefined;
}

function semi(type: 'semi' | 'anti', left: Plan, right: Plan, leftKeys: Expr[], rightKeys: Expr[]): Join {
  return { n: 'join', cols: left.cols, type, method: 'hash', left, right, leftKeys, rightKeys };
}

/** x IN (uncorrelated subquery): a SEMI join on the subquery's output columns. */
function inAsSemi(plan: Plan, c: Expr): Join | undefined {
  if (c.k !== 'sublink' || c.mode !== 'any' || c.op !== '=' || c.correlated) return undefined;
  const sub = c.plan;
  if (c.left.length !== sub.cols.length || !selfContained(sub)) return undefined;
  for (let i = 0; i < c.left.length; i++) {
    const l = c.left[i]!;
    const t = sub.cols[i]!.type;
    if (l.type.id !== t.id || !HASHABLE.has(t.id) || !plainOverRow(l)) return undefined;
  }
  return semi('semi', plan, sub, c.left, sub.cols.map((col, i) => ({ k: 'col', type: col.type, index: i }) as Expr));
}

/** [NOT] EXISTS (SELECT ... FROM f WHERE f.k = outer.x AND ...): a SEMI / ANTI join of f. */
function existsAsJoin(plan: Plan, c: Expr): Join | undefined {
  let type: 'semi' | 'anti' = 'semi';
  let e = c;
  if (e.k === 'not') {
    type = 'anti';
    e = e.arg;
  }
  if (e.k !== 'subquery' || e.mode !== 'exists' || !e.correlated) return undefined;
  // SELECT <anything> FROM <from> WHERE <pred>: project over a filter or a filtered scan.
  const top = e.plan;
  if (top.n !== 'project') return undefined;
  const input = top.input;
  let base: Plan;
  let pred: Expr | undefined;
  if (input.n === 'filter') {
    base = input.input;
    pred = input.pred;
  } else if (input.n === 'scan' && input.filter && input.access === 'seq' && !input.bound) {
    const { filter, ...rest } = input;
    base = rest;
    pred = filter;
  } else return undefined;
  if (!pred || !selfContained(base)) return undefined;
  const leftKeys: Expr[] = [];
  const rightKeys: Expr[] = [];
  const keep: Expr[] = [];
  for (const p of conjuncts(pred)) {
    if (selfContained(p)) {
      keep.push(p);
      continue;
    }
    if (p.k !== 'op' || p.op !== '=' || p.args.length !== 2) return undefined;
    const [a, b] = p.args as [Expr, Expr];
    if (a.type.id !== b.type.id || !HASHABLE.has(a.type.id)) return undefined;
    let inner: Expr | undefined;
    let outer: Expr | undefined;
    if (plainOverRow(a) && (outer = outerAsCols(b))) inner = a;
    else if (plainOverRow(b) && (outer = outerAsCols(a))) inner = b;
    if (!inner || !outer) return undefined;
    leftKeys.push(outer);
    rightKeys.push(inner);
  }
  if (leftKeys.length === 0 || !leftKeys.every(plainOverRow)) return undefined;
  const rest = keep.length === 0 ? undefined : keep.length === 1 ? keep[0]! : ({ k: 'and', type: T.bool, args: keep } as Expr);
  const right: Plan = rest ? { n: 'filter', cols: base.cols, input: base, pred: rest } : base;
  return semi(type, plan, right, leftKeys, rightKeys);
}

registerWhereHook((_cx: Cx, plan: Plan, pred: Expr) => {
  const rest: Expr[] = [];
  let out = plan;
  for (const c of conjuncts(pred)) {
    const j = inAsSemi(out, c) ?? existsAsJoin(out, c);
    if (j) out = j;
    else rest.push(c);
  }
  if (out === plan) return undefined;
  if (rest.length === 0) return { plan: out };
  return { plan: out, pred: rest.length === 1 ? rest[0]! : ({ k: 'and', type: T.bool, args: rest } as Expr) };
});
