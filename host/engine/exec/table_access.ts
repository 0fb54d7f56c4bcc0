// Reading and writing a table's rows and index entries in the store.
//
// Layout (docs/design/sql_engine.md, "Table storage"): rows under key space
// t<oid> keyed by the primary key (or a hidden row id), index entries under
// i<oid> keyed by the indexed columns then the row key; a unique index whose
// indexed columns are all non-null is keyed by the indexed columns alone, so
// a duplicate is refused by the storage kernel (23505).

import { SbError, SqlState } from '../sb_error.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { type IndexObj, keyExprName, type TableObj } from '../catalog/objects.ts';
import { KeyWriter, type KeyColumn, type KeyType } from '../keys/key_encoding.ts';
import type { Keyspace, Store } from '../store/index.ts';
import type { SqlType } from '../types/types.ts';
import { Numeric } from '../types/numeric.ts';
import { encodeRow, encodeRowView, RowDecoder } from './row_codec.ts';
import type { Expr } from '../plan/nodes.ts';
import { compileExpr, type VecFn } from './expr.ts';
import type { ExecContext } from './context.ts';

/** Binds an index's stored key expressions and predicate over its table's row (registered by the binder). */
export type IndexExprBinder = (catalog: Catalog, table: TableObj, ix: IndexObj) => { keys: Array<Expr | undefined>; pred?: Expr };
let indexExprBinder: IndexExprBinder | undefined;
export function setIndexExprBinder(b: IndexExprBinder): void {
  indexExprBinder = b;
}

const noSubplans = {
  runSubplan: (): never => {
    throw new SbError(SqlState.feature_not_supported, 'cannot use subquery in index expression');
  },
};

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
    case 'bit':
    case 'varbit':
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
  /** 0-based column positions of the indexed columns (-1 for an expression key). */
  positions: number[];
  /** Expression keys, by key position (undefined for column keys). */
  exprs?: Array<VecFn | undefined>;
  /** A partial index's predicate: only rows for which it is true have an entry. */
  pred?: VecFn;
  /** Every column position the entry depends on (key columns, expression and predicate columns). */
  deps: number[];
  /** How the keys are named in a 23505 detail (column names, expressions as PostgreSQL prints them). */
  keyNames: string[];
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
    // Dropped or moved by a transaction that committed after this catalog was read (ADD PRIMARY KEY, DROP TABLE):
    // the reader's snapshot is too old for the table (exec/snapshot_storage.ts), never an internal error.
    if (!ks) throw new SbError(SqlState.serialization_failure, `could not serialize access due to concurrent ALTER TABLE of "${table.name}"`, { hint: 'Retry the transaction.' });
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
      if (!iks) throw new SbError(SqlState.serialization_failure, `could not serialize access due to concurrent ALTER TABLE of "${table.name}"`, { hint: 'Retry the transaction.' });
      const bound = ix.where !== undefined || ix.keys.some((k) => k.expr !== undefined) ? indexExprBinder?.(catalog, table, ix) : undefined;
      if ((ix.where !== undefined || ix.keys.some((k) => k.expr !== undefined)) && !bound) {
        throw new SbError(SqlState.internal_error, `index "${ix.name}" has expressions but no binder is registered`);
      }
      const deps = new Set<number>();
      ix.keys.forEach((k) => k.attnum > 0 && deps.add(k.attnum - 1));
      for (const e of [...(bound?.keys ?? []), bound?.pred]) if (e) collectCols(e, deps);
      const access: IndexAccess = {
        obj: ix,
        ks: iks,
        positions: ix.keys.map((k) => (k.expr !== undefined ? -1 : k.attnum - 1)),
        cols: ix.keys.map((k, i) => ({
          type: keyTypeOf(k.expr !== undefined ? bound!.keys[i]!.type : this.types[k.attnum - 1]!), descending: k.desc, nullsFirst: k.nullsFirst,
        })),
        deps: [...deps],
        keyNames: ix.keys.map((k) => (k.expr !== undefined ? keyExprName(k.expr) : table.columns[k.attnum - 1]!.name)),
      };
      if (bound?.keys.some((e) => e)) access.exprs = bound.keys.map((e) => e && compileExpr(e, noSubplans));
      if (bound?.pred) access.pred = compileExpr(bound.pred, noSubplans);
      this.indexes.push(access);
    }
  }

  /** The row key of a row: its primary key, or `rowId` for tables without one. */
  rowKey(values: readonly unknown[], rowId?: number): Uint8Array {
    return this.writeRowKey(values, rowId).bytes();
  }

  /** rowKey as a view of the key writer: valid until its next use (rowKey, rowKeyView, indexKey). */
  rowKeyView(values: readonly unknown[], rowId?: number): Uint8Array {
    return this.writeRowKey(values, rowId).view();
  }

  private writeRowKey(values: readonly unknown[], rowId?: number): KeyWriter {
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
    return kw;
  }

  private readonly decoders = new Map<string, RowDecoder>();
  /** The same decoders by the positions array itself: a cached plan passes the same array on every execution (no key string to build and hash). */
  private readonly decodersByArray = new WeakMap<readonly number[], RowDecoder>();

  /** A decoder of the columns at `positions` (0-based), built once per set of positions. */
  decoder(positions: readonly number[]): RowDecoder {
    let d = this.decodersByArray.get(positions);
    if (d) return d;
    const k = positions.join(',');
    d = this.decoders.get(k);
    if (!d) {
      d = new RowDecoder(this.types, positions, this.missing);
      this.decoders.set(k, d);
    }
    this.decodersByArray.set(positions, d);
    return d;
  }

  encode(values: readonly unknown[]): Uint8Array {
    return encodeRow(this.encodeTypes, values);
  }

  /** encode as a view of the row codec's buffer: valid until the next row is encoded. */
  encodeView(values: readonly unknown[]): Uint8Array {
    return encodeRowView(this.encodeTypes, values);
  }

  /**
   * The values of a row's index keys: its columns, or the key expressions
   * evaluated on it (those need `ctx`).
   */
  indexValues(ix: IndexAccess, values: readonly unknown[], ctx?: ExecContext): unknown[] {
    const out = new Array<unknown>(ix.positions.length);
    let batch: { length: number; cols: unknown[][] } | undefined;
    for (let i = 0; i < ix.positions.length; i++) {
      const fn = ix.exprs?.[i];
      if (fn) {
        if (!ctx) throw new SbError(SqlState.internal_error, `index "${ix.obj.name}" needs an execution context`);
        batch ??= { length: 1, cols: values.map((v) => [v]) };
        out[i] = fn(batch, ctx)[0];
      } else out[i] = values[ix.positions[i]!];
    }
    return out;
  }

  /** False when a partial index holds no entry for the row (its predicate is not true). */
  inIndex(ix: IndexAccess, values: readonly unknown[], ctx?: ExecContext): boolean {
    if (!ix.pred) return true;
    if (!ctx) throw new SbError(SqlState.internal_error, `index "${ix.obj.name}" needs an execution context`);
    return ix.pred({ length: 1, cols: values.map((v) => [v]) }, ctx)[0] === true;
  }

  /**
   * The key of a row's entry in an index, and whether it is the unique form
   * (indexed columns only) whose insert detects duplicates; null when a
   * partial index has no entry for the row. Expression and partial indexes
   * need `ctx` to evaluate.
   */
  indexKey(ix: IndexAccess, values: readonly unknown[], rowKey: Uint8Array, ctx?: ExecContext, view = false): { key: Uint8Array; unique: boolean } | null {
    if (ix.pred && !this.inIndex(ix, values, ctx)) return null;
    const vals = ix.exprs ? this.indexValues(ix, values, ctx) : undefined;
    const kw = this.kw.reset();
    let hasNull = false;
    for (let i = 0; i < ix.positions.length; i++) {
      const v = vals ? vals[i] : values[ix.positions[i]!];
      if (v === null || v === undefined) hasNull = true;
      kw.value(ix.cols[i]!, v === undefined ? null : keyValue(v));
    }
    const unique = ix.obj.unique && (!hasNull || ix.obj.nullsNotDistinct === true);
    if (!unique) kw.raw(rowKey);
    // `view`: the key writer's buffer, valid until its next use (a caller that copies it at once).
    return { key: view ? kw.view() : kw.bytes(), unique };
  }

  /** True when an UPDATE changing `before` into `after` must touch this index. */
  indexChanged(ix: IndexAccess, before: readonly unknown[], after: readonly unknown[]): boolean {
    for (const p of ix.deps) if (!sameValue(before[p], after[p])) return true;
    return false;
  }
}

/** Column positions an expression reads (its row is the table's, positions attnum - 1). */
function collectCols(e: unknown, out: Set<number>): void {
  if (e === null || typeof e !== 'object') return;
  if (Array.isArray(e)) {
    for (const x of e) collectCols(x, out);
    return;
  }
  const node = e as { k?: string; index?: number };
  if (node.k === 'col' && typeof node.index === 'number') out.add(node.index);
  for (const v of Object.values(node)) if (v !== null && typeof v === 'object') collectCols(v, out);
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
