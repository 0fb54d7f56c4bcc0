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
import { boundSel, type PlanEnv, selectivity } from './estimate.ts';
import { deparse } from './deparse.ts';

type Scan = Extract<Plan, { n: 'scan' }>;

interface KeyPred {
  conj: number;
  /** The key it bounds: `a<attnum>` for a column, `e<PostgreSQL text>` for an expression key. */
  key: string;
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
    // bit and bit varying are binary compatible and keyed as their '0'/'1' text (bit_cmp order).
    case 'bit':
    case 'varbit':
      return 'bit';
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
  return { conj, key: `a${attnum}`, op, value };
}

/**
 * A conjunct `expr op value` usable as a bound on an expression index key:
 * the expression is named by its PostgreSQL text, as the index stores it.
 */
function exprKeyPred(scan: Scan, catalog: Catalog, e: Expr, conj: number): KeyPred | undefined {
  if (e.k !== 'op' || e.args.length !== 2 || FLIP[e.op] === undefined) return undefined;
  const [l, r] = e.args as [Expr, Expr];
  let side: Expr;
  let value: Expr;
  let op = e.op as KeyPred['op'];
  if (l.k !== 'col' && !rowIndependent(l) && rowIndependent(r)) {
    side = l;
    value = r;
  } else if (r.k !== 'col' && !rowIndependent(r) && rowIndependent(l)) {
    side = r;
    value = l;
    op = FLIP[op]!;
  } else return undefined;
  const fam = keyFamily(side.type);
  if (fam === undefined || fam !== keyFamily(value.type)) return undefined;
  return { conj, key: `e${deparse({ cols: scan.cols, catalog, qualify: false }, side)}`, op, value };
}

function keyId(k: { attnum: number; expr?: string }): string {
  return k.expr !== undefined ? `e${k.expr}` : `a${k.attnum}`;
}

/** Splits PostgreSQL text `((a) AND (b))` into its top-level AND-ed parts. */
function textConjuncts(text: string): string[] {
  if (!text.startsWith('(') || !text.endsWith(')')) return [text];
  const inner = text.slice(1, -1);
  const parts: string[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (quote) {
      if (c === "'") quote = false;
      continue;
    }
    if (c === "'") quote = true;
    else if (c === '(') depth++;
    else if (c === ')') {
      if (--depth < 0) return [text]; // the outer parentheses do not enclose everything
    } else if (depth === 0 && inner.startsWith(' AND ', i)) {
      parts.push(inner.slice(start, i));
      start = i + 5;
      i += 4;
    }
  }
  if (parts.length === 0) return [text];
  parts.push(inner.slice(start));
  return parts;
}

const RANGE_TEXT = /^\((\S+) (<|<=|>|>=|=) (-?\d+(?:\.\d+)?|'-?\d+(?:\.\d+)?'::[a-z ]+)\)$/;

/** A numeric constant's value, or undefined. */
function constNumber(e: Expr): number | undefined {
  if (e.k !== 'const' || e.value === null || e.value === undefined) return undefined;
  const v = e.value;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const n = Number(String(v));
  return /^-?\d+(\.\d+)?$/.test(String(v)) && Number.isFinite(n) ? n : undefined;
}

/** `x op2 c2` implies `x op1 c1` (numbers). */
function rangeImplies(op2: string, c2: number, op1: string, c1: number): boolean {
  switch (op1) {
    case '>':
      return (op2 === '>' && c2 >= c1) || ((op2 === '>=' || op2 === '=') && c2 > c1);
    case '>=':
      return (op2 === '>' || op2 === '>=' || op2 === '=') && c2 >= c1;
    case '<':
      return (op2 === '<' && c2 <= c1) || ((op2 === '<=' || op2 === '=') && c2 < c1);
    case '<=':
      return (op2 === '<' || op2 === '<=' || op2 === '=') && c2 <= c1;
    case '=':
      return op2 === '=' && c2 === c1;
  }
  return false;
}

/**
 * Whether the query's conjuncts imply a partial index's predicate (PostgreSQL's
 * predicate_implied_by, in part): each predicate conjunct is one of the
 * query's conjuncts, or a range the query's range on the same column lies in
 * (`n > 20` implies `n > 10`), or `x IS NOT NULL` with a strict comparison
 * of x in the query. Returns the query conjuncts equal to a predicate conjunct
 * (the index guarantees them), or undefined.
 */
function predicateImplied(scan: Scan, catalog: Catalog, where: string, parts: Expr[]): Set<number> | undefined {
  const cx = { cols: scan.cols, catalog, qualify: false };
  const texts = parts.map((p) => deparse(cx, p));
  const exact = new Set<number>();
  for (const pc of textConjuncts(where)) {
    const same = texts.findIndex((t) => t === pc || (t === `(${pc} = true)`));
    if (same >= 0) {
      exact.add(same);
      continue;
    }
    const notNull = /^\((\S+) IS NOT NULL\)$/.exec(pc);
    const range = RANGE_TEXT.exec(pc);
    const ok = parts.some((q) => {
      if (q.k !== 'op' || q.args.length !== 2 || !q.strict) return false;
      const [l, r] = q.args as [Expr, Expr];
      const colSide = l.k === 'col' && rowIndependent(r) ? l : r.k === 'col' && rowIndependent(l) ? r : undefined;
      if (!colSide || colSide.k !== 'col') return false;
      const name = deparse(cx, colSide);
      if (notNull) return notNull[1] === name;
      if (!range || range[1] !== name || FLIP[q.op] === undefined) return false;
      const value = colSide === l ? r : l;
      const op2 = colSide === l ? q.op : FLIP[q.op]!;
      const c2 = constNumber(value);
      const c1 = Number(range[3]!.replace(/^'|'::.*$/g, ''));
      return c2 !== undefined && rangeImplies(op2, c2, range[2]!, c1);
    });
    if (!ok) return undefined;
  }
  return exact;
}

interface Candidate {
  access: 'pk' | 'index';
  indexOid?: number;
  bound: KeyBound;
  used: Set<number>;
  eqCount: number;
  point: boolean;
  /** A partial index: the fraction of the rows it holds (estimated from the query conjuncts it guarantees). */
  fraction?: number;
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
  if (!table) return best;
  const indexes = env.catalog.indexesOf(table.oid).filter((ix) => !ix.primary);
  if (indexes.some((ix) => ix.keys.some((k) => k.expr !== undefined))) {
    parts.forEach((p, i) => {
      const kp = exprKeyPred(scan, env.catalog, p, i);
      if (kp) preds.push(kp);
    });
  }
  if (preds.length === 0 && !indexes.some((ix) => ix.where !== undefined)) return best;
  const candidates: Candidate[] = [];
  if (table.pk) {
    const c = rangeOver(preds, table.pk.map((a) => ({ attnum: a, desc: false, nullsFirst: false })), 'pk');
    if (c) {
      c.point = c.eqCount === table.pk.length;
      candidates.push(c);
    }
  }
  for (const ix of indexes) {
    // A partial index only when the query implies its predicate.
    const implied = ix.where !== undefined ? predicateImplied(scan, env.catalog, ix.where, parts) : new Set<number>();
    if (!implied) continue;
    const c = rangeOver(preds, ix.keys, 'index', ix.oid)
      ?? (ix.where !== undefined ? { access: 'index' as const, indexOid: ix.oid, bound: { eq: [] }, used: new Set<number>(), eqCount: 0, point: false } : undefined);
    if (!c) continue;
    for (const i of implied) c.used.add(i);
    if (ix.where !== undefined) c.fraction = [...implied].reduce((f, i) => f * selectivity(env, scan.cols, parts[i]!), 1);
    candidates.push(c);
  }
  for (const c of candidates) {
    const rest = parts.filter((_, i) => !c.used.has(i));
    const filter = andOf(rest);
    const plan: Scan = { ...base, access: c.access, bound: c.bound, ...(c.indexOid !== undefined ? { indexOid: c.indexOid } : {}) };
    delete plan.filter;
    if (filter) plan.filter = filter;
    const matched = n * boundSel(env, plan) * (c.fraction ?? 1);
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
  preds: KeyPred[], keys: Array<{ attnum: number; expr?: string; desc: boolean; nullsFirst: boolean }>, access: 'pk' | 'index', indexOid?: number,
): Candidate | undefined {
  const bound: KeyBound = { eq: [] };
  const used = new Set<number>();
  for (const key of keys) {
    const id = keyId(key);
    const eq = preds.find((p) => p.key === id && p.op === '=');
    if (eq) {
      bound.eq.push(eq.value);
      used.add(eq.conj);
      continue;
    }
    // A range only on an ascending NULLS LAST column (the scan's bound encoding assumes that order).
    if (!key.desc && !key.nullsFirst) {
      const lo = preds.find((p) => p.key === id && (p.op === '>' || p.op === '>='));
      const hi = preds.find((p) => p.key === id && (p.op === '<' || p.op === '<='));
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
