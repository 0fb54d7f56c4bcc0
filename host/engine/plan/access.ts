// Access path choice for a single table scan: given the WHERE conjuncts over
// the table's row (positions = attnum - 1), candidate key ranges on the
// primary key and on every secondary index whose leading columns the
// conjuncts pin:
//
//   - equality on a leading prefix of the key (several columns of a
//     multi-column key), then optionally a range (<, <=, >, >=, or both
//     ends) on the next column;
//   - equality on every primary key column is a point lookup.
//
// The planner (planner.ts) prices each candidate against a full scan with the
// estimated selectivity of its range (estimate.ts): a range reading most of
// the table through a secondary index (one row fetch per entry) loses to the
// sequential scan. Conjuncts the key range guarantees are dropped; the rest
// filter the rows.
//
// The binder calls chooseAccess only to attach the WHERE clause to the scan;
// the choice is made once statistics are at hand, by the planner.

import type { Catalog } from '../catalog/catalog.ts';
import type { SqlType } from '../types/types.ts';
import type { Expr, KeyBound, Plan } from './nodes.ts';
import { boundSel, type PlanEnv } from './estimate.ts';

type Scan = Extract<Plan, { n: 'scan' }>;

interface KeyPred {
  conj: number;
  attnum: number;
  op: '=' | '<' | '<=' | '>' | '>=';
  value: Expr;
}

const FLIP: Record<string, KeyPred['op']> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** Splits a predicate into its AND-ed parts. */
export function conjuncts(e: Expr): Expr[] {
  return e.k === 'and' ? e.args.flatMap(conjuncts) : [e];
}

function andOf(parts: Expr[]): Expr | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  return { k: 'and', type: parts[0]!.type, args: parts };
}

/** Types whose values order the same way as their key encoding, grouped by encoding family. */
function keyFamily(t: SqlType): string | undefined {
  switch (t.id) {
    case 'int2':
    case 'int4':
    case 'int8':
      return 'int';
    case 'float4':
    case 'float8':
      return 'float';
    case 'text':
    case 'varchar':
    case 'name':
      return 'text';
    case 'numeric':
    case 'bool':
    case 'bytea':
    case 'uuid':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return t.id;
    default:
      return undefined;
  }
}

/** True when an expression has the same value for every row of the scan (bounds are computed once). */
export function rowIndependent(e: Expr): boolean {
  switch (e.k) {
    case 'col':
    case 'agg_ref':
    case 'nextval':
    case 'seq_call':
    case 'default':
      return false;
    case 'const':
    case 'param':
    case 'outer':
      return true;
    case 'call':
      return !e.volatile && e.args.every(rowIndependent);
    case 'op':
    case 'and':
    case 'or':
    case 'coalesce':
    case 'greatest':
    case 'least':
      return e.args.every(rowIndependent);
    case 'cast':
    case 'not':
    case 'is_null':
    case 'is_bool':
      return rowIndependent(e.arg);
    case 'distinct_from':
    case 'nullif':
      return e.args.every(rowIndependent);
    case 'case':
      return e.whens.every((w) => rowIndependent(w.cond) && rowIndependent(w.then)) && rowIndependent(e.else);
    case 'in_list':
      return rowIndependent(e.arg) && e.list.every(rowIndependent);
    case 'array':
      return e.elems.every(rowIndependent);
    case 'row':
      return e.fields.every(rowIndependent);
    case 'array_op':
      return rowIndependent(e.left) && rowIndependent(e.right);
    case 'subquery':
      return !e.correlated;
    case 'sublink':
      return !e.correlated && e.left.every(rowIndependent);
  }
}

/** A conjunct `col op value` usable as a key bound on the scan's column, or undefined. */
function keyPred(scan: Scan, e: Expr, conj: number): KeyPred | undefined {
  if (e.k !== 'op' || e.args.length !== 2 || FLIP[e.op] === undefined) return undefined;
  const [l, r] = e.args as [Expr, Expr];
  let col: Extract<Expr, { k: 'col' }>;
  let value: Expr;
  let op = e.op as KeyPred['op'];
  if (l.k === 'col' && rowIndependent(r)) {
    col = l;
    value = r;
  } else if (r.k === 'col' && rowIndependent(l)) {
    col = r;
    value = l;
    op = FLIP[op]!;
  } else return undefined;
  const attnum = scan.attnums[col.index];
  if (attnum === undefined) return undefined;
  const colType = scan.cols[col.index]!.type;
  const fam = keyFamily(colType);
  if (fam === undefined || fam !== keyFamily(col.type) || fam !== keyFamily(value.type)) return undefined;
  return { conj, attnum, op, value };
}

interface Candidate {
  access: 'pk' | 'index';
  indexOid?: number;
  bound: KeyBound;
  used: Set<number>;
  eqCount: number;
  point: boolean;
}

/** Binder entry: the WHERE clause becomes the scan's filter; the planner picks the access path. */
export function chooseAccess(_catalog: Catalog, scan: Scan, pred: Expr): Plan {
  return { ...scan, filter: scan.filter ? andOf([scan.filter, ...conjuncts(pred)]) : pred };
}

/** Per-row costs of the model (a sequential row read is 1). */
export const COST = {
  seqRow: 1,
  /** A row read through the primary key: same as sequential, after a seek. */
  pkRow: 1,
  /** An index entry plus the random fetch of its row. */
  indexRow: 4,
  seek: 2,
  /** Evaluating a filter conjunct on a row. */
  filterRow: 0.05,
} as const;

export interface AccessChoice {
  plan: Scan;
  cost: number;
  rows: number;
}

/** Prices a full scan and every key range the scan's filter allows; returns the cheapest. */
export function pickAccess(env: PlanEnv, scan: Scan): AccessChoice {
  const n = Math.max(1, env.tableRows(scan.tableOid));
  const base: Scan = { ...scan, access: 'seq' };
  delete base.indexOid;
  delete base.bound;
  const parts = scan.filter ? conjuncts(scan.filter) : [];
  // A scan already on a key range (DML that chose it, or a re-plan) keeps its conjuncts.
  const seqCost = n * (COST.seqRow + parts.length * COST.filterRow);
  let best: AccessChoice = { plan: base, cost: seqCost, rows: n };
  if (scan.access !== 'seq' || parts.length === 0) {
    return scan.access !== 'seq' ? { plan: scan, cost: n * boundSel(env, scan) * COST.pkRow + COST.seek, rows: n * boundSel(env, scan) } : best;
  }
  const preds = parts.map((p, i) => keyPred(scan, p, i)).filter((p): p is KeyPred => p !== undefined);
  const table = env.catalog.table(scan.tableOid);
  if (!table || preds.length === 0) return best;
  const candidates: Candidate[] = [];
  if (table.pk) {
    const c = rangeOver(preds, table.pk.map((a) => ({ attnum: a, desc: false, nullsFirst: false })), 'pk');
    if (c) {
      c.point = c.eqCount === table.pk.length;
      candidates.push(c);
    }
  }
  for (const ix of env.catalog.indexesOf(table.oid)) {
    if (ix.primary || ix.where) continue;
    const c = rangeOver(preds, ix.keys, 'index', ix.oid);
    if (c) candidates.push(c);
  }
  for (const c of candidates) {
    const rest = parts.filter((_, i) => !c.used.has(i));
    const filter = andOf(rest);
    const plan: Scan = { ...base, access: c.access, bound: c.bound, ...(c.indexOid !== undefined ? { indexOid: c.indexOid } : {}) };
    delete plan.filter;
    if (filter) plan.filter = filter;
    const matched = n * boundSel(env, plan);
    const perRow = c.access === 'pk' ? COST.pkRow : COST.indexRow;
    const cost = c.point ? COST.seek : COST.seek + matched * (perRow + rest.length * COST.filterRow);
    // Ties go to the candidate pinning more columns (score), then the primary key.
    if (cost < best.cost || (cost === best.cost && best.plan.access !== 'seq' && scoreOf(plan) > scoreOf(best.plan))) {
      best = { plan, cost, rows: matched };
    }
  }
  return best;
}

function scoreOf(p: Scan): number {
  const b = p.bound;
  if (!b) return 0;
  return b.eq.length * 10 + (b.lo || b.hi ? 5 : 0) + (p.access === 'pk' ? 1 : 0);
}

function rangeOver(
  preds: KeyPred[], keys: Array<{ attnum: number; desc: boolean; nullsFirst: boolean }>, access: 'pk' | 'index', indexOid?: number,
): Candidate | undefined {
  const bound: KeyBound = { eq: [] };
  const used = new Set<number>();
  for (const key of keys) {
    const eq = preds.find((p) => p.attnum === key.attnum && p.op === '=');
    if (eq) {
      bound.eq.push(eq.value);
      used.add(eq.conj);
      continue;
    }
    // A range only on an ascending NULLS LAST column (the scan's bound encoding assumes that order).
    if (!key.desc && !key.nullsFirst) {
      const lo = preds.find((p) => p.attnum === key.attnum && (p.op === '>' || p.op === '>='));
      const hi = preds.find((p) => p.attnum === key.attnum && (p.op === '<' || p.op === '<='));
      if (lo) {
        bound.lo = { expr: lo.value, inclusive: lo.op === '>=' };
        used.add(lo.conj);
      }
      if (hi) {
        bound.hi = { expr: hi.value, inclusive: hi.op === '<=' };
        used.add(hi.conj);
      }
    }
    break;
  }
  if (bound.eq.length === 0 && !bound.lo && !bound.hi) return undefined;
  return { access, ...(indexOid !== undefined ? { indexOid } : {}), bound, used, eqCount: bound.eq.length, point: false };
}
