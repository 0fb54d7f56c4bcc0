// Cardinality and selectivity estimates, with PostgreSQL's defaults where no
// statistics exist (equality 0.005, inequality 1/3, default 200 groups).
// Estimates are made over a node's output row: a column reference resolves
// to its base table column through ColInfo (tableOid, attnum).

import type { Catalog } from '../catalog/catalog.ts';
import type { ColInfo, Expr, Plan } from './nodes.ts';
import { axisValue, type ColumnStats, tableStats } from './stats.ts';
import { conjuncts } from './access.ts';

export const DEFAULT_EQ_SEL = 0.005;
export const DEFAULT_INEQ_SEL = 1 / 3;
export const DEFAULT_RANGE_SEL = 0.005;
export const DEFAULT_UNKNOWN_SEL = 0.25;
export const DEFAULT_GROUPS = 200;
export const DEFAULT_FUNCTION_ROWS = 1000;

export interface PlanEnv {
  catalog: Catalog;
  /** Live row count of a table (maintained or analyzed). */
  tableRows(oid: number): number;
}

export interface ColRef {
  tableOid: number;
  attnum: number;
}

function colRef(cols: ColInfo[], e: Expr): ColRef | undefined {
  let x = e;
  while (x.k === 'cast' && !x.explicit) x = x.arg;
  if (x.k !== 'col') return undefined;
  const c = cols[x.index];
  return c?.tableOid !== undefined && c.attnum !== undefined ? { tableOid: c.tableOid, attnum: c.attnum } : undefined;
}

function colStats(env: PlanEnv, r: ColRef): ColumnStats | undefined {
  return tableStats(env.catalog, r.tableOid)?.cols[String(r.attnum)];
}

/** A column alone is unique: a one-column primary key or unique index. */
function isUnique(env: PlanEnv, r: ColRef): boolean {
  const t = env.catalog.table(r.tableOid);
  if (!t) return false;
  if (t.pk?.length === 1 && t.pk[0] === r.attnum) return true;
  return env.catalog.indexesOf(t.oid).some((i) => i.unique && !i.where && i.keys.length === 1 && i.keys[0]!.attnum === r.attnum);
}

/** Distinct values of a column in the table, or undefined. */
export function distinctOf(env: PlanEnv, r: ColRef): number | undefined {
  if (isUnique(env, r)) return Math.max(1, env.tableRows(r.tableOid));
  const s = colStats(env, r);
  return s ? Math.max(1, s.distinct) : undefined;
}

function eqSel(env: PlanEnv, r: ColRef | undefined): number {
  if (!r) return DEFAULT_EQ_SEL;
  const rows = env.tableRows(r.tableOid);
  if (isUnique(env, r)) return 1 / Math.max(1, rows);
  const s = colStats(env, r);
  if (!s) return DEFAULT_EQ_SEL;
  return (1 - s.nullFrac) / Math.max(1, s.distinct);
}

function constAxis(e: Expr): number | string | undefined {
  let x = e;
  while (x.k === 'cast') x = x.arg;
  return x.k === 'const' ? axisValue(x.type, x.value) : undefined;
}

/** Fraction of non-null values below `v` by the histogram. */
function fractionBelow(bounds: Array<number | string>, v: number | string): number {
  const n = bounds.length - 1;
  if (n <= 0) return v > bounds[0]! ? 1 : 0;
  if (v <= bounds[0]!) return 0;
  if (v >= bounds[n]!) return 1;
  for (let b = 0; b < n; b++) {
    const lo = bounds[b]!;
    const hi = bounds[b + 1]!;
    if (v < hi || (v === hi && b === n - 1)) {
      let within = 0.5;
      if (typeof v === 'number' && typeof lo === 'number' && typeof hi === 'number' && hi > lo) within = (v - lo) / (hi - lo);
      return (b + within) / n;
    }
  }
  return 1;
}

function rangeSel(env: PlanEnv, r: ColRef | undefined, op: string, value: Expr): number {
  const s = r ? colStats(env, r) : undefined;
  const v = constAxis(value);
  if (!s?.bounds || v === undefined || typeof v !== typeof s.bounds[0]) return DEFAULT_INEQ_SEL;
  const below = fractionBelow(s.bounds, v);
  const frac = op === '<' || op === '<=' ? below : 1 - below;
  return Math.max(0.0001, Math.min(1, frac)) * (1 - s.nullFrac);
}

const FLIP: Record<string, string> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=', '<>': '<>' };

/** Estimated fraction of rows of a node (output columns `cols`) that satisfy `e`. */
export function selectivity(env: PlanEnv, cols: ColInfo[], e: Expr): number {
  switch (e.k) {
    case 'const':
      return e.value === true ? 1 : 0;
    case 'and':
      return combineAnd(env, cols, e.args);
    case 'or': {
      let s = 0;
      for (const a of e.args) s = s + selectivity(env, cols, a) - s * selectivity(env, cols, a);
      return clamp(s);
    }
    case 'not':
      return clamp(1 - selectivity(env, cols, e.arg));
    case 'is_null': {
      const r = colRef(cols, e.arg);
      const s = r ? colStats(env, r) : undefined;
      const f = s ? s.nullFrac : DEFAULT_EQ_SEL;
      return e.negate ? 1 - f : f;
    }
    case 'in_list': {
      const r = colRef(cols, e.arg);
      const s = clamp(e.list.length * eqSel(env, r));
      return e.negate ? 1 - s : s;
    }
    case 'op': {
      if (e.args.length !== 2) return DEFAULT_UNKNOWN_SEL;
      const [l, rr] = e.args as [Expr, Expr];
      let ref = colRef(cols, l);
      let other = rr;
      let op = e.op;
      if (!ref && colRef(cols, rr)) {
        ref = colRef(cols, rr);
        other = l;
        op = FLIP[op] ?? op;
      }
      if (op === '=') {
        const r2 = colRef(cols, other);
        if (ref && r2) return 1 / Math.max(distinctOf(env, ref) ?? 200, distinctOf(env, r2) ?? 200);
        return eqSel(env, ref);
      }
      if (op === '<>') return clamp(1 - eqSel(env, ref));
      if (op === '<' || op === '<=' || op === '>' || op === '>=') return rangeSel(env, ref, op, other);
      if (op === '~~' || op === '~~*' || op === '~') return DEFAULT_EQ_SEL * 2;
      return DEFAULT_UNKNOWN_SEL;
    }
    default:
      return DEFAULT_UNKNOWN_SEL;
  }
}

/** AND: ranges on the same column combine into one interval (not a product of two halves). */
function combineAnd(env: PlanEnv, cols: ColInfo[], args: Expr[]): number {
  const parts = args.flatMap(conjuncts);
  let s = 1;
  const lows = new Map<string, number>();
  const highs = new Map<string, number>();
  for (const p of parts) {
    if (p.k === 'op' && p.args.length === 2 && ['<', '<=', '>', '>='].includes(p.op)) {
      const [l, r] = p.args as [Expr, Expr];
      const ref = colRef(cols, l) ?? colRef(cols, r);
      const flipped = !colRef(cols, l);
      const op = flipped ? FLIP[p.op]! : p.op;
      if (ref) {
        const key = `${ref.tableOid}:${ref.attnum}`;
        const sel = selectivity(env, cols, p);
        if (op === '>' || op === '>=') lows.set(key, Math.min(lows.get(key) ?? 1, sel));
        else highs.set(key, Math.min(highs.get(key) ?? 1, sel));
        continue;
      }
    }
    s *= selectivity(env, cols, p);
  }
  for (const key of new Set([...lows.keys(), ...highs.keys()])) {
    const lo = lows.get(key);
    const hi = highs.get(key);
    if (lo !== undefined && hi !== undefined) {
      // P(a < x < b) = P(x > a) + P(x < b) - 1; PostgreSQL's clauselist_selectivity does the same.
      const both = lo + hi - 1;
      s *= both > 0 ? both : DEFAULT_RANGE_SEL;
    } else s *= lo ?? hi!;
  }
  return clamp(s);
}

function clamp(s: number): number {
  return Number.isFinite(s) ? Math.max(0, Math.min(1, s)) : DEFAULT_UNKNOWN_SEL;
}

/** Estimated output rows of a plan. */
export function estimateRows(env: PlanEnv, p: Plan): number {
  switch (p.n) {
    case 'result':
      return 1;
    case 'values':
      return p.rows.length;
    case 'scan': {
      const n = env.tableRows(p.tableOid);
      let sel = 1;
      if (p.bound) sel *= boundSel(env, p);
      if (p.filter) sel *= selectivity(env, p.cols, p.filter);
      return n * sel;
    }
    case 'filter':
      return estimateRows(env, p.input) * selectivity(env, p.input.cols, p.pred);
    case 'project':
    case 'sort':
    case 'subquery_scan':
    case 'window':
      return estimateRows(env, p.input);
    case 'limit': {
      const n = estimateRows(env, p.input);
      const c = p.count?.k === 'const' && typeof p.count.value === 'number' ? p.count.value : undefined;
      const o = p.offset?.k === 'const' && typeof p.offset.value === 'number' ? p.offset.value : 0;
      return c === undefined ? Math.max(0, n - o) : Math.max(0, Math.min(n - o, c));
    }
    case 'distinct':
      return Math.min(estimateRows(env, p.input), DEFAULT_GROUPS);
    case 'aggregate': {
      const n = estimateRows(env, p.input);
      if (p.groups.length === 0 && !p.groupingSets) return 1;
      let g = 1;
      for (const e of p.groups) {
        const r = colRef(p.input.cols, e);
        g *= (r && distinctOf(env, r)) ?? DEFAULT_GROUPS;
      }
      return Math.max(1, Math.min(n, g));
    }
    case 'join': {
      const l = estimateRows(env, p.left);
      const r = estimateRows(env, p.right);
      const both = [...p.left.cols, ...p.right.cols];
      let sel = 1;
      for (let i = 0; i < p.leftKeys.length; i++) {
        const a = colRef(p.left.cols, p.leftKeys[i]!);
        const b = colRef(p.right.cols, p.rightKeys[i]!);
        sel *= 1 / Math.max((a && distinctOf(env, a)) ?? 200, (b && distinctOf(env, b)) ?? 200);
      }
      if (p.cond) sel *= selectivity(env, both, p.cond);
      const inner = l * r * sel;
      switch (p.type) {
        case 'left':
          return Math.max(inner, l);
        case 'right':
          return Math.max(inner, r);
        case 'full':
          return Math.max(inner, l + r);
        case 'semi':
          return Math.min(l, inner);
        case 'anti':
          return Math.max(l * 0.5, l - inner);
        default:
          return inner;
      }
    }
    case 'setop': {
      const l = estimateRows(env, p.left);
      const r = estimateRows(env, p.right);
      return p.op === 'union' ? l + r : l;
    }
    case 'append':
      return p.inputs.reduce((s, i) => s + estimateRows(env, i), 0);
    case 'with':
      return estimateRows(env, p.body);
    case 'function_scan':
    case 'cte_scan':
      return DEFAULT_FUNCTION_ROWS;
    case 'modify':
      return p.returning ? estimateRows(env, p.input) : 0;
  }
}

/** Selectivity of a scan's key range. */
export function boundSel(env: PlanEnv, p: Extract<Plan, { n: 'scan' }>): number {
  const b = p.bound;
  if (!b) return 1;
  const keys = keyAttnums(env, p);
  let sel = 1;
  const refAt = (i: number): ColRef | undefined => (keys[i] === undefined ? undefined : { tableOid: p.tableOid, attnum: keys[i]! });
  // All key columns of a unique key pinned: at most one row.
  const unique = p.access === 'pk' ? true : env.catalog.indexesOf(p.tableOid).find((i) => i.oid === p.indexOid)?.unique ?? false;
  if (unique && b.eq.length === keys.length && !b.lo && !b.hi) return 1 / Math.max(1, env.tableRows(p.tableOid));
  for (let i = 0; i < b.eq.length; i++) sel *= eqSel(env, refAt(i));
  const r = refAt(b.eq.length);
  if (b.lo && b.hi) {
    const lo = rangeSel(env, r, '>', b.lo.expr);
    const hi = rangeSel(env, r, '<', b.hi.expr);
    const both = lo + hi - 1;
    sel *= lo === DEFAULT_INEQ_SEL && hi === DEFAULT_INEQ_SEL ? DEFAULT_RANGE_SEL : both > 0 ? both : DEFAULT_RANGE_SEL;
  } else if (b.lo) sel *= rangeSel(env, r, '>', b.lo.expr);
  else if (b.hi) sel *= rangeSel(env, r, '<', b.hi.expr);
  return sel;
}

function keyAttnums(env: PlanEnv, p: Extract<Plan, { n: 'scan' }>): number[] {
  if (p.access === 'pk') return env.catalog.table(p.tableOid)?.pk ?? [];
  const ix = env.catalog.indexesOf(p.tableOid).find((i) => i.oid === p.indexOid);
  return ix ? ix.keys.map((k) => k.attnum) : [];
}

/** Typical width in bytes of a column type (EXPLAIN's width=). */
export function typeWidth(id: string): number {
  switch (id) {
    case 'bool':
    case 'char':
      return 1;
    case 'int2':
      return 2;
    case 'int4':
    case 'float4':
    case 'date':
    case 'oid':
      return 4;
    case 'int8':
    case 'float8':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return 8;
    case 'timetz':
      return 12;
    case 'interval':
    case 'uuid':
      return 16;
    case 'name':
      return 64;
    default:
      return 32;
  }
}
