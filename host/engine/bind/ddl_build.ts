// Bulk builds on a populated table: the rows re-keyed by a new primary key
// (ALTER TABLE ... ADD PRIMARY KEY) and the entries of a new index (CREATE
// INDEX, ADD UNIQUE). One scan collects (key, value) pairs into a packed run
// (two byte arenas and offset arrays: no object per entry), the run is
// sorted by key, duplicates are found on the sorted stream (23505 with
// PostgreSQL's "is duplicated" detail) and the entries go to the store in key
// order. Memory is bounded: a run holds at most sortLimits.runBytes of keys
// and values; a larger table is written run by run, and unique keys go in
// with insert writes, so the store refuses a key an earlier run already wrote.

import { SbError, SqlState } from '../sb_error.ts';
import type { TableObj } from '../catalog/objects.ts';
import type { Keyspace, Txn } from '../store/index.ts';
import { decodeRow } from '../exec/row_codec.ts';
import { KeyWriter } from '../keys/key_encoding.ts';
import { type IndexAccess, keyValue, type TableAccess } from '../exec/table_access.ts';
import type { ExecContext } from '../exec/context.ts';
import { formatKeyDetail } from '../exec/foreign_keys.ts';

/** How much one in-memory run may hold (tests lower it to exercise several runs). */
export const sortLimits = { runBytes: 128 << 20, runEntries: 4 << 20 };

/** (key, value) pairs packed into growable arenas, sortable by key. */
export class EntryRun {
  private keys: Uint8Array = new Uint8Array(1 << 16);
  private vals: Uint8Array = new Uint8Array(1 << 16);
  /** Start offsets (entry i spans [off[i], off[i + 1])). */
  private koff: Uint32Array = new Uint32Array(1025);
  private voff: Uint32Array = new Uint32Array(1025);
  /** The first 6 key bytes as a number (a comparison that usually decides without a byte loop). */
  private pre = new Float64Array(1024);
  length = 0;

  get bytes(): number {
    return this.koff[this.length]! + this.voff[this.length]! + this.length * 16;
  }

  add(key: Uint8Array, value: Uint8Array): void {
    const n = this.length;
    if (n + 1 >= this.koff.length) {
      const size = this.koff.length * 2;
      this.koff = grow32(this.koff, size);
      this.voff = grow32(this.voff, size);
      const p = new Float64Array(size);
      p.set(this.pre);
      this.pre = p;
    }
    const ks = this.koff[n]!;
    const vs = this.voff[n]!;
    if (ks + key.length > this.keys.length) this.keys = grow8(this.keys, ks + key.length);
    if (vs + value.length > this.vals.length) this.vals = grow8(this.vals, vs + value.length);
    const kb = this.keys;
    for (let i = 0; i < key.length; i++) kb[ks + i] = key[i]!;
    if (value.length > 0) this.vals.set(value, vs);
    this.koff[n + 1] = ks + key.length;
    this.voff[n + 1] = vs + value.length;
    let p = 0;
    for (let i = 0; i < 6; i++) p = p * 256 + (i < key.length ? key[i]! : 0);
    this.pre[n] = p;
    this.length = n + 1;
  }

  key(i: number): Uint8Array {
    return this.keys.subarray(this.koff[i]!, this.koff[i + 1]!);
  }

  value(i: number): Uint8Array {
    return this.vals.subarray(this.voff[i]!, this.voff[i + 1]!);
  }

  /** Byte order of the keys of entries a and b. */
  compare(a: number, b: number): number {
    const d = this.pre[a]! - this.pre[b]!;
    if (d !== 0) return d;
    const kb = this.keys;
    let i = this.koff[a]!;
    let j = this.koff[b]!;
    const ea = this.koff[a + 1]!;
    const eb = this.koff[b + 1]!;
    for (; i < ea && j < eb; i++, j++) {
      const x = kb[i]! - kb[j]!;
      if (x !== 0) return x;
    }
    return ea - i - (eb - j);
  }

  /** Entry numbers in key order (stable; no sort when the entries came in order, as a table loaded in key order does). */
  order(): Uint32Array {
    const n = this.length;
    const idx = new Uint32Array(n);
    let sorted = true;
    for (let i = 0; i < n; i++) {
      idx[i] = i;
      if (sorted && i > 0 && this.compare(i - 1, i) > 0) sorted = false;
    }
    if (!sorted) {
      const order = Array.from(idx);
      order.sort((a, b) => this.compare(a, b) || a - b);
      idx.set(order);
    }
    return idx;
  }

  reset(): void {
    this.length = 0;
  }
}

function grow32(a: Uint32Array, size: number): Uint32Array {
  const b = new Uint32Array(size + 1);
  b.set(a);
  return b;
}

function grow8(a: Uint8Array, need: number): Uint8Array {
  let size = a.length * 2;
  while (size < need) size *= 2;
  const b = new Uint8Array(size);
  b.set(a);
  return b;
}

function runFull(run: EntryRun): boolean {
  return run.bytes >= sortLimits.runBytes || run.length >= sortLimits.runEntries;
}

function lockedError(t: TableObj): SbError {
  return new SbError(SqlState.lock_not_available, `could not rewrite "${t.name}": a row is locked by a concurrent transaction`);
}

export function duplicatedError(t: TableObj, index: string, names: string[], values: unknown[]): SbError {
  return new SbError(SqlState.unique_violation, `could not create unique index "${index}"`, {
    table: t.name, constraint: index,
    detail: `Key (${names.join(', ')})=(${formatKeyDetail(values)}) is duplicated.`,
  });
}

/**
 * Writes a run in key order. `unique`: equal neighbours are duplicates and
 * keys go in with insert writes (a key of an earlier run is refused too);
 * `dup(i)` builds the error for entry i.
 */
function writeRun(txn: Txn, ks: Keyspace, run: EntryRun, unique: (i: number) => boolean, dup: (i: number) => SbError, locked: () => SbError): void {
  const order = run.order();
  let prev = -1;
  for (let o = 0; o < order.length; o++) {
    const i = order[o]!;
    const u = unique(i);
    if (u && prev >= 0 && run.compare(prev, i) === 0) throw dup(i);
    const r = txn.tryWrite(ks, run.key(i), run.value(i), u ? 'insert' : 'put');
    if (r === 'exists') throw dup(i);
    if (r !== 'ok') throw locked();
    prev = i;
  }
  run.reset();
}

/** Byte order of a[0, aLen) and b. */
function compareKeys(a: Uint8Array, aLen: number, b: Uint8Array): number {
  const n = Math.min(aLen, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return aLen - b.length;
}

/**
 * ADD PRIMARY KEY: the rows of `from` (the table's old layout) written into
 * `to`'s (empty) key space keyed by `to`'s primary key, row bytes unchanged.
 * 23502 for a NULL key column, 23505 for a duplicate key.
 */
export function rekeyRows(txn: Txn, from: TableAccess, to: TableAccess, pkName: string): void {
  const t = to.table;
  const pk = to.pkPositions;
  if (!pk) throw new SbError(SqlState.internal_error, `table "${t.name}" has no primary key to re-key by`);
  const dec = from.decoder(pk);
  const cols: unknown[][] = pk.map(() => []);
  const kw = new KeyWriter();
  const run = new EntryRun();
  const names = pk.map((p) => t.columns[p]!.name);
  const dup = (i: number): SbError => {
    const row = decodeRow(run.value(i), from.types, from.missing);
    return duplicatedError(t, pkName, names, pk.map((p) => row[p]));
  };
  // While the keys come in strictly ascending (a table loaded in key order,
  // as pgbench's is), each row goes straight to the store: no run, no sort,
  // no copy. The first key out of order ends that, and the rest goes through
  // sorted runs; their insert writes refuse a key written before (23505).
  let streaming = true;
  let prev = new Uint8Array(64);
  let prevLen = -1;
  const c = txn.scan(from.ks);
  try {
    while (c.next()) {
      const v = c.value;
      for (const col of cols) col.length = 0;
      dec.decode(v, 0, v.length, cols);
      kw.reset();
      for (let j = 0; j < pk.length; j++) {
        const x = cols[j]![0];
        if (x === null || x === undefined) {
          const name = names[j]!;
          throw new SbError(SqlState.not_null_violation, `column "${name}" of relation "${t.name}" contains null values`, { table: t.name, column: name });
        }
        kw.value(to.pkCols[j]!, keyValue(x));
      }
      const key = kw.view();
      if (streaming && (prevLen < 0 || compareKeys(prev, prevLen, key) < 0)) {
        const r = txn.tryWrite(to.ks, key, v, 'insert');
        if (r === 'exists') {
          const row = decodeRow(v, from.types, from.missing);
          throw duplicatedError(t, pkName, names, pk.map((p) => row[p]));
        }
        if (r !== 'ok') throw lockedError(t);
        if (key.length > prev.length) prev = new Uint8Array(key.length * 2);
        prev.set(key);
        prevLen = key.length;
        continue;
      }
      streaming = false;
      run.add(key, v);
      if (runFull(run)) writeRun(txn, to.ks, run, () => true, dup, () => lockedError(t));
    }
  } finally {
    c.close();
  }
  writeRun(txn, to.ks, run, () => true, dup, () => lockedError(t));
}

/**
 * The entries of index `ix` for every row of the table (its key space is
 * new and empty): one scan, sorted runs, 23505 for a duplicate of a unique
 * index. `from`: read the rows from this (old) layout of the table and key
 * them by `ta`'s primary key (ADD PRIMARY KEY: the statement does not see
 * the rows it has just written under the new keys).
 */
export function buildIndexEntries(txn: Txn, ta: TableAccess, ix: IndexAccess, ctx: ExecContext, from?: TableAccess): void {
  const t = ta.table;
  const run = new EntryRun();
  /** Per entry: whether it is the unique form (indexed columns only). */
  let uniq = new Uint8Array(1024);
  const empty = new Uint8Array(0);
  // Plain column keys decode only their columns; expression and partial indexes see the whole row.
  const simple = ix.exprs === undefined && ix.pred === undefined && from === undefined;
  const dec = simple ? ta.decoder(ix.positions) : undefined;
  const cols: unknown[][] = ix.positions.map(() => []);
  const row: unknown[] = new Array<unknown>(ta.types.length).fill(null);
  const dup = (i: number): SbError => {
    // The value of a unique entry is its row key: the row gives the detail.
    const bytes = txn.get(ta.ks, run.value(i));
    const r = bytes ? decodeRow(bytes, ta.types, ta.missing) : [];
    return duplicatedError(t, ix.obj.name, ix.keyNames, ta.indexValues(ix, r, ctx));
  };
  const flush = (): void => writeRun(txn, ix.ks, run, (i) => uniq[i] === 1, dup, () =>
    new SbError(SqlState.serialization_failure, 'could not build the index: a row is being changed by a concurrent transaction'));
  const c = txn.scan((from ?? ta).ks);
  try {
    while (c.next()) {
      let values: readonly unknown[];
      if (dec) {
        const v = c.value;
        for (const col of cols) col.length = 0;
        dec.decode(v, 0, v.length, cols);
        for (let j = 0; j < ix.positions.length; j++) row[ix.positions[j]!] = cols[j]![0];
        values = row;
      } else {
        values = decodeRow(c.value, ta.types, ta.missing);
      }
      const rowKey = from ? ta.rowKey(values) : c.key;
      const entry = ta.indexKey(ix, values, rowKey, ctx, true);
      if (!entry) continue; // a partial index without this row
      const n = run.length;
      if (n >= uniq.length) {
        const u = new Uint8Array(uniq.length * 2);
        u.set(uniq);
        uniq = u;
      }
      uniq[n] = entry.unique ? 1 : 0;
      run.add(entry.key, entry.unique ? rowKey : empty);
      if (runFull(run)) flush();
    }
  } finally {
    c.close();
  }
  flush();
}
