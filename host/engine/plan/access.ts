// Access path choice for a single table scan: given the WHERE conjuncts over
// the table's row (positions = attnum - 1), use the primary key or a
// secondary index whose leading columns the conjuncts pin.
//
//   - equality on every primary key column: a point lookup;
//   - equality on a leading prefix of the primary key or an index, then
//     optionally a range (<, <=, >, >=) on the next column: a range scan;
//   - otherwise a full scan with the predicate as its filter.
// Conjuncts the key range guarantees are dropped; the rest filter the rows.
// This is deliberately small: the planner that follows grows it (IN lists,
// OR, costs, index-only scans, join inputs).

import type { Catalog } from '../catalog/catalog.ts';
import type { SqlType } from '../types/types.ts';
import type { Expr, KeyBound, Plan } from './nodes.ts';

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

/** Picks the key range for each key column list, then the best candidate. */
export function chooseAccess(catalog: Catalog, scan: Scan, pred: Expr): Plan {
  const parts = conjuncts(pred);
  const preds = parts.map((p, i) => keyPred(scan, p, i)).filter((p): p is KeyPred => p !== undefined);
  const table = catalog.table(scan.tableOid);
  const candidates: Candidate[] = [];
  if (table && preds.length > 0) {
    if (table.pk) {
      const c = rangeOver(preds, table.pk.map((a) => ({ attnum: a, desc: false, nullsFirst: false })), 'pk');
      if (c) {
        c.point = c.eqCount === table.pk.length;
        candidates.push(c);
      }
    }
    for (const ix of catalog.indexesOf(table.oid)) {
      if (ix.primary || ix.where) continue;
      const c = rangeOver(preds, ix.keys, 'index', ix.oid);
      if (c) candidates.push(c);
    }
  }
  const best = candidates.sort((a, b) => score(b) - score(a))[0];
  if (!best) return { ...scan, filter: scan.filter ? andOf([scan.filter, ...parts]) : pred };
  const rest = parts.filter((_, i) => !best.used.has(i));
  const filter = andOf(scan.filter ? [scan.filter, ...rest] : rest);
  return {
    ...scan,
    access: best.access,
    ...(best.indexOid !== undefined ? { indexOid: best.indexOid } : {}),
    bound: best.bound,
    ...(filter ? { filter } : {}),
  };
}

function score(c: Candidate): number {
  return (c.point ? 1000 : 0) + c.eqCount * 10 + (c.bound.lo || c.bound.hi ? 5 : 0) + (c.access === 'pk' ? 1 : 0);
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
