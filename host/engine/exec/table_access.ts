// Reading and writing a table's rows and index entries in the store.
//
// Layout (docs/design/sql_engine.md, "Table storage"): rows under key space
// t<oid> keyed by the primary key (or a hidden row id), index entries under
// i<oid> keyed by the indexed columns then the row key; a unique index whose
// indexed columns are all non-null is keyed by the indexed columns alone, so
// a duplicate is refused by the storage kernel (23505).

import { SbError, SqlState } from '../sb_error.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { IndexObj, TableObj } from '../catalog/objects.ts';
import { KeyWriter, type KeyColumn, type KeyType } from '../keys/key_encoding.ts';
import type { Keyspace, Store } from '../store/index.ts';
import type { SqlType } from '../types/types.ts';
import { Numeric } from '../types/numeric.ts';
import { encodeRow, RowDecoder } from './row_codec.ts';

export function keyTypeOf(t: SqlType): KeyType {
  switch (t.id) {
    case 'bool':
      return 'bool';
    case 'int2':
      return 'int16';
    case 'int4':
    case 'oid':
      return 'int32';
    case 'int8':
      return 'int64';
    case 'float4':
      return 'float32';
    case 'float8':
      return 'float64';
    case 'numeric':
      return 'numeric';
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'char':
      return 'text';
    case 'bytea':
      return 'bytea';
    case 'uuid':
      return 'uuid';
    case 'date':
      return 'date';
    case 'time':
      return 'time';
    case 'timestamp':
      return 'timestamp';
    case 'timestamptz':
      return 'timestamptz';
    default:
      throw new SbError(SqlState.feature_not_supported, `type ${t.id} cannot be used in a key or index yet`);
  }
}

/** The key-encoding form of a value (Numeric goes as its exact text). */
export function keyValue(v: unknown): unknown {
  return v instanceof Numeric ? v.toString() : v;
}

export interface IndexAccess {
  obj: IndexObj;
  ks: Keyspace;
  cols: KeyColumn[];
  /** 0-based column positions of the indexed columns. */
  positions: number[];
}

export class TableAccess {
  readonly ks: Keyspace;
  /** Column types by position (attnum - 1), dropped columns included: rows written before a drop still hold them. */
  readonly types: Array<SqlType | null>;
  /** The same with null for dropped columns: what new rows store (NULL there). */
  private readonly encodeTypes: Array<SqlType | null>;
  /** Values of columns added after rows were written (attmissingval), by position. */
  readonly missing: unknown[];
  readonly pkPositions: number[] | undefined;
  readonly pkCols: KeyColumn[];
  readonly indexes: IndexAccess[];
  private readonly kw = new KeyWriter();

  constructor(
    readonly table: TableObj,
    store: Store,
    catalog: Catalog,
    missing: unknown[],
  ) {
    const ks = store.getKeyspace(table.keyspace);
    if (!ks) throw new SbError(SqlState.internal_error, `storage of table "${table.name}" is missing`);
    this.ks = ks;
    this.types = table.columns.map((c) => c.type);
    this.encodeTypes = table.columns.map((c) => (c.dropped ? null : c.type));
    this.missing = missing;
    this.pkPositions = table.pk?.map((a) => a - 1);
    this.pkCols = this.pkPositions ? this.pkPositions.map((p) => ({ type: keyTypeOf(this.types[p]!) })) : [{ type: 'int64' }];
    this.indexes = [];
    for (const ix of catalog.indexesOf(table.oid)) {
      if (ix.primary) continue;
      const iks = store.getKeyspace(ix.keyspace);
      if (!iks) throw new SbError(SqlState.internal_error, `storage of index "${ix.name}" is missing`);
      this.indexes.push({
        obj: ix,
        ks: iks,
        positions: ix.keys.map((k) => k.attnum - 1),
        cols: ix.keys.map((k) => ({ type: keyTypeOf(this.types[k.attnum - 1]!), descending: k.desc, nullsFirst: k.nullsFirst })),
      });
    }
  }

  /** The row key of a row: its primary key, or `rowId` for tables without one. */
  rowKey(values: readonly unknown[], rowId?: number): Uint8Array {
    const kw = this.kw.reset();
    if (this.pkPositions) {
      for (let i = 0; i < this.pkPositions.length; i++) {
        const v = values[this.pkPositions[i]!];
        if (v === null || v === undefined) {
          throw new SbError(SqlState.not_null_violation, `null value in primary key of relation "${this.table.name}"`, { table: this.table.name });
        }
        kw.value(this.pkCols[i]!, keyValue(v));
      }
    } else {
      kw.int(rowId!);
    }
    return kw.bytes();
  }

  private readonly decoders = new Map<string, RowDecoder>();

  /** A decoder of the columns at `positions` (0-based), built once per set of positions. */
  decoder(positions: readonly number[]): RowDecoder {
    const k = positions.join(',');
    let d = this.decoders.get(k);
    if (!d) {
      d = new RowDecoder(this.types, positions, this.missing);
      this.decoders.set(k, d);
    }
    return d;
  }

  encode(values: readonly unknown[]): Uint8Array {
    return encodeRow(this.encodeTypes, values);
  }

  /**
   * The key of a row's entry in an index, and whether it is the unique form
   * (indexed columns only) whose insert detects duplicates.
   */
  indexKey(ix: IndexAccess, values: readonly unknown[], rowKey: Uint8Array): { key: Uint8Array; unique: boolean } {
    const kw = this.kw.reset();
    let hasNull = false;
    for (let i = 0; i < ix.positions.length; i++) {
      const v = values[ix.positions[i]!];
      if (v === null || v === undefined) hasNull = true;
      kw.value(ix.cols[i]!, v === undefined ? null : keyValue(v));
    }
    const unique = ix.obj.unique && (!hasNull || ix.obj.nullsNotDistinct === true);
    if (!unique) kw.raw(rowKey);
    return { key: kw.bytes(), unique };
  }

  /** True when an UPDATE changing `before` into `after` must touch this index. */
  indexChanged(ix: IndexAccess, before: readonly unknown[], after: readonly unknown[]): boolean {
    for (const p of ix.positions) if (!sameValue(before[p], after[p])) return true;
    return false;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (a instanceof Numeric && b instanceof Numeric) return a.toString() === b.toString();
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (typeof a === 'bigint' || typeof b === 'bigint') return BigInt(a as number) === BigInt(b as number);
  return false;
}

/** One TableAccess per table per catalog version. */
export class TableAccessCache {
  private readonly cache = new Map<number, TableAccess>();
  constructor(
    private readonly store: Store,
    private readonly catalog: Catalog,
    private readonly missingOf: (t: TableObj) => unknown[],
  ) {}

  get(oid: number): TableAccess {
    let a = this.cache.get(oid);
    if (a) return a;
    const t = this.catalog.table(oid);
    if (!t) throw new SbError(SqlState.undefined_table, `relation with OID ${oid} does not exist`);
    a = new TableAccess(t, this.store, this.catalog, this.missingOf(t));
    this.cache.set(oid, a);
    return a;
  }
}
