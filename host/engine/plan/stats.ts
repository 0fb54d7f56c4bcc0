// Table statistics: what ANALYZE records (row count, per column: null
// fraction, distinct count, min/max and an equi-depth histogram) and the row
// counts maintained for every table between ANALYZEs.
//
// ANALYZE stores its result on the table's catalog record (field `stats`,
// written with CatalogTxn.put in the statement's transaction: transactional
// like any DDL, and the catalog version bump re-plans cached statements).
// Between ANALYZEs each database keeps live row counts: counted once when a
// never-analyzed table is first planned (bounded), then moved by the
// INSERT/DELETE counts of committed transactions (approximate, like
// pg_stat's n_live_tup).

import type { Catalog } from '../catalog/catalog.ts';
import type { TableObj } from '../catalog/objects.ts';
import { compareValues } from '../types/compare.ts';
import { Numeric } from '../types/numeric.ts';
import type { SqlType } from '../types/types.ts';

export interface ColumnStats {
  /** Fraction of rows where the column is NULL. */
  nullFrac: number;
  /** Estimated number of distinct non-null values. */
  distinct: number;
  /** Equi-depth histogram bounds (numbers or strings), min first and max last; absent for other types. */
  bounds?: Array<number | string>;
}

export interface TableStats {
  rows: number;
  /** attnum -> column statistics. */
  cols: Record<string, ColumnStats>;
}

export type TableWithStats = TableObj & { stats?: TableStats };

/** Rows read per ANALYZE sample (PostgreSQL: 300 × statistics target). */
export const ANALYZE_SAMPLE_ROWS = 30_000;
/** Histogram buckets. */
export const HISTOGRAM_BUCKETS = 20;
/** Rows counted when a never-analyzed table is first planned. */
export const INITIAL_COUNT_MAX = 100_000;

export function tableStats(catalog: Catalog, oid: number): TableStats | undefined {
  return (catalog.table(oid) as TableWithStats | undefined)?.stats;
}

/** A value as it sits on the histogram's axis: numbers for ordered numeric-like types, strings for text. */
export function axisValue(type: SqlType, v: unknown): number | string | undefined {
  if (v === null || v === undefined) return undefined;
  switch (type.id) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'float4':
    case 'float8':
    case 'oid':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
    case 'numeric':
      return v instanceof Numeric ? Number(v.toString()) : undefined;
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'uuid':
      return typeof v === 'string' ? v : undefined;
    default:
      return undefined;
  }
}

/** Column statistics from a sample of values. */
export function columnStats(type: SqlType, values: unknown[]): ColumnStats {
  const nonNull = values.filter((v) => v !== null && v !== undefined);
  const nullFrac = values.length === 0 ? 0 : (values.length - nonNull.length) / values.length;
  const sorted = [...nonNull].sort((a, b) => compareValues(type, a, b));
  let d = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || compareValues(type, sorted[i - 1], sorted[i]) !== 0) d++;
  const out: ColumnStats = { nullFrac, distinct: d };
  const axis = sorted.map((v) => axisValue(type, v));
  if (axis.length > 0 && axis.every((a) => a !== undefined && (typeof a !== 'number' || Number.isFinite(a)))) {
    const bounds: Array<number | string> = [];
    const n = Math.min(HISTOGRAM_BUCKETS, axis.length - 1);
    for (let b = 0; b <= n; b++) bounds.push(axis[n === 0 ? 0 : Math.round((b * (axis.length - 1)) / n)]!);
    out.bounds = bounds;
  }
  return out;
}

/** Scales a sample's distinct count to the whole table (Haas-Stokes-like: values seen once suggest more). */
export function scaleDistinct(sampleDistinct: number, sampleRows: number, totalRows: number): number {
  if (sampleRows >= totalRows || sampleRows === 0) return sampleDistinct;
  // Mostly unique in the sample: assume unique in the table.
  if (sampleDistinct > sampleRows * 0.9) return Math.round((sampleDistinct / sampleRows) * totalRows);
  return sampleDistinct;
}

/** Per-database live row counts for the planner (keyed by the database's shared core object). */
export class RowCounts {
  private readonly counts = new Map<number, number>();

  get(oid: number): number | undefined {
    return this.counts.get(oid);
  }

  set(oid: number, n: number): void {
    this.counts.set(oid, Math.max(0, n));
  }

  /** Applies a committed transaction's net inserts/deletes. */
  add(oid: number, delta: number): void {
    const c = this.counts.get(oid);
    if (c !== undefined) this.counts.set(oid, Math.max(0, c + delta));
  }

  forget(oid: number): void {
    this.counts.delete(oid);
  }
}
