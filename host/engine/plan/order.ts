// Sorts the scan order already satisfies are left out.
//
// A table is stored in primary-key order (its key space is keyed by the
// encoded primary key) and a secondary index in its key order, so a scan
// yields rows sorted by its key, and a reverse scan in the opposite order.
// A sort whose keys are a leading part of that key (columns pinned by an
// equality bound may be skipped, as in PostgreSQL's pathkeys), all in the
// scan's direction or all against it, over filters and projections of plain
// columns, is dropped: the scan runs forward or backward instead. A full
// sequential scan served this way becomes a primary-key scan without bounds,
// so EXPLAIN shows "Index Scan [Backward] using <table>_pkey" with no Sort,
// as PostgreSQL's plan for ORDER BY <primary key> does.
//
// Only for column types whose key encoding orders exactly as the sort
// compares them (integers, C-collation text, bool, uuid, bytea, dates and
// times); floats and numeric keep their sort (NaN and -0 need care).

import type { Catalog } from '../catalog/catalog.ts';
import type { IndexKey } from '../catalog/objects.ts';
import type { SqlType } from '../types/types.ts';
import type { Plan, SortKey } from './nodes.ts';
import { mapPlan } from './walk.ts';

type Scan = Extract<Plan, { n: 'scan' }>;

/** Bottom-up over a plan: each sort that the scan beneath it can serve is replaced by that scan in the right direction. */
export function elideSorts(catalog: Catalog, p: Plan): Plan {
  const q = mapPlan(p, (c) => elideSorts(catalog, c));
  if (q.n !== 'sort' || q.keys.length === 0) return q;
  return servedByScan(catalog, q) ?? q;
}

function orderedType(t: SqlType): boolean {
  switch (t.id) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'text':
    case 'varchar':
    case 'bool':
    case 'uuid':
    case 'bytea':
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      return true;
    default:
      return false;
  }
}

/** The sort's input with its scan made to produce the sort's order, or undefined. */
function servedByScan(catalog: Catalog, sort: Extract<Plan, { n: 'sort' }>): Plan | undefined {
  // Follow each key (a plain column) down to the scan's attribute number.
  const attnums: number[] = [];
  let scan: Scan | undefined;
  for (const k of sort.keys) {
    if (k.expr.k !== 'col') return undefined;
    const found = columnSource(sort.input, k.expr.index);
    if (found === undefined) return undefined;
    scan = found.scan;
    attnums.push(found.attnum);
  }
  if (scan === undefined || scan.reverse) return undefined;
  const table = catalog.table(scan.tableOid);
  if (!table) return undefined;
  let keyCols: Array<Pick<IndexKey, 'attnum' | 'desc' | 'nullsFirst' | 'expr'>>;
  if (scan.access === 'index') {
    const ix = catalog.get(scan.indexOid!);
    if (ix?.kind !== 'index') return undefined;
    keyCols = ix.keys;
  } else {
    if (!table.pk) return undefined;
    keyCols = table.pk.map((attnum) => ({ attnum, desc: false, nullsFirst: false }));
  }
  const eqCount = scan.bound?.eq.length ?? 0;
  const pinned = new Set<number>();
  for (let i = 0; i < eqCount && i < keyCols.length; i++) if (keyCols[i]!.expr === undefined) pinned.add(keyCols[i]!.attnum);
  const reverse = matchKeys(sort.keys, attnums, keyCols, pinned, eqCount, (attnum) => {
    const col = table.columns.find((c) => c.attnum === attnum);
    return col === undefined ? undefined : { type: col.type, notNull: col.notNull || (table.pk?.includes(attnum) ?? false) };
  });
  if (reverse === undefined) return undefined;
  // (A key scan always has a bound: an empty one reads the whole key space.)
  const ordered: Scan = { ...scan, ...(scan.access === 'seq' ? { access: 'pk' as const, bound: { eq: [] } } : {}) };
  if (reverse) ordered.reverse = true;
  else delete ordered.reverse;
  return replaceScan(sort.input, scan, ordered);
}

/**
 * Whether the sort keys (at `attnums`) follow the key columns from the start,
 * skipping columns an equality pins: false = forward, true = backward,
 * undefined = the scan order does not serve them.
 */
function matchKeys(
  keys: SortKey[], attnums: number[], keyCols: Array<Pick<IndexKey, 'attnum' | 'desc' | 'nullsFirst' | 'expr'>>, pinned: Set<number>, eqCount: number,
  column: (attnum: number) => { type: SqlType; notNull: boolean } | undefined,
): boolean | undefined {
  let dir: boolean | undefined;
  let i = 0;
  for (let j = 0; j < keys.length; j++) {
    const a = attnums[j]!;
    // A column pinned by an equality is constant: it orders nothing.
    if (pinned.has(a)) continue;
    while (i < keyCols.length && i < eqCount && keyCols[i]!.attnum !== a) i++;
    const kc = keyCols[i];
    if (kc === undefined || kc.expr !== undefined || kc.attnum !== a) return undefined;
    const col = column(a);
    if (col === undefined || !orderedType(col.type)) return undefined;
    const sk = keys[j]!;
    const rev = sk.desc !== kc.desc;
    if (dir !== undefined && dir !== rev) return undefined;
    // NULLs come where the scan puts them: last of an ascending NULLS LAST key, first when read backward.
    if (!col.notNull && sk.nullsFirst !== (rev ? !kc.nullsFirst : kc.nullsFirst)) return undefined;
    dir = rev;
    i++;
  }
  return dir ?? false;
}

/** The scan and attribute number a column of `p` comes from, through filters and plain-column projections. */
function columnSource(p: Plan, index: number): { scan: Scan; attnum: number } | undefined {
  switch (p.n) {
    case 'scan': {
      const a = p.attnums[index];
      return a === undefined ? undefined : { scan: p, attnum: a };
    }
    case 'filter':
    case 'subquery_scan':
      return columnSource(p.input, index);
    case 'project': {
      const e = p.exprs[index];
      return e !== undefined && e.k === 'col' ? columnSource(p.input, e.index) : undefined;
    }
    default:
      return undefined;
  }
}

function replaceScan(p: Plan, from: Scan, to: Scan): Plan {
  if (p === from) return to;
  return mapPlan(p, (c) => replaceScan(c, from, to));
}
