// Table access operators: full scan, primary-key range or point lookup, and
// secondary-index scan (index entries, then the rows they point to).

import { SbError, SqlState } from '../sb_error.ts';
import { KeyReader, KeyWriter, prefixSuccessor } from '../keys/key_encoding.ts';
import type { ScanCursor, Txn } from '../store/index.ts';
import { BATCH_ROWS, type Batch, emptyBatch, selectRows } from './batch.ts';
import type { ExecContext } from './context.ts';
import type { VecFn } from './expr.ts';
import type { LockStrength } from '../plan/nodes.ts';
import type { RowDecoder } from './row_codec.ts';
import { type IndexAccess, keyValue, type TableAccess, type TableAccessCache } from './table_access.ts';
import { BaseOp } from './ops_basic.ts';
import { checkSnapshotStorage } from './snapshot_storage.ts';
import { PAUSE, type Signal, type Step } from './operator.ts';

export interface ScanBounds {
  /** Equality values for the leading key columns. */
  eq: VecFn[];
  lo?: { fn: VecFn; inclusive: boolean };
  hi?: { fn: VecFn; inclusive: boolean };
}

export interface ScanSpec {
  tableOid: number;
  /** 0-based column positions to produce. */
  positions: number[];
  access: 'seq' | 'pk' | 'index';
  indexOid?: number;
  bounds?: ScanBounds;
  reverse?: boolean;
  filter?: VecFn;
  withRowKey?: boolean;
  /** SELECT ... FOR UPDATE / SHARE: lock each row returned (lockRows). */
  forUpdate?: boolean;
  /** NOWAIT: 55P03 instead of waiting; SKIP LOCKED: a row another transaction holds is left out. */
  lockWait?: 'nowait' | 'skip';
  /** The row lock (absent: FOR UPDATE). */
  lockStrength?: LockStrength;
}

const ONE: Batch = { length: 1, cols: [] };

export class ScanOp extends BaseOp {
  private ta!: TableAccess;
  private dec!: RowDecoder;
  private ix: IndexAccess | undefined;
  private cursor: ScanCursor | undefined;
  private done = false;
  /** A primary-key point lookup: the single key, or undefined. */
  private pointKey: Uint8Array | null | undefined;
  /** This open() made a point lookup (the key may have been NULL: no row). */
  private point = false;
  /** The table cache `ta` and `dec` were taken from (a reused operator keeps them while the catalog is the same). */
  private tables: TableAccessCache | undefined;
  private readonly kw = new KeyWriter();
  /** The point key's bytes, rewritten in place by the next open() when no batch hands the key out (withRowKey). */
  private keyBuf: Uint8Array | undefined;
  /** FOR UPDATE in READ COMMITTED: a wait refreshed the snapshot, so rows read before it are read again. */
  private refreshed = false;
  /**
   * FOR UPDATE: rows per batch, 1 at first and doubling up to BATCH_ROWS, so
   * that a LIMIT above the scan (SELECT ... ORDER BY id LIMIT 1 FOR UPDATE,
   * served in key order) locks about the rows it takes, not a whole batch.
   */
  private lockBatch = 1;
  /** FOR UPDATE: foreign keys reference the table (asked once per open). */
  private referenced: boolean | undefined;

  /**
   * ANALYZE's sampler: asked once per row of a key-order scan before the row
   * is decoded; false leaves the row out undecoded (rows seen, not rows
   * kept, are what it counts).
   */
  sampler: (() => boolean) | undefined;

  constructor(private readonly spec: ScanSpec) {
    super(spec.positions.length + (spec.withRowKey ? 1 : 0));
  }

  override open(ctx: ExecContext): void {
    super.open(ctx);
    this.done = false;
    this.refreshed = false;
    this.lockBatch = 1;
    this.referenced = undefined;
    const s = this.spec;
    checkSnapshotStorage(ctx, s.tableOid, s.access === 'index' ? s.indexOid : undefined);
    if (ctx.tables !== this.tables) {
      this.ta = ctx.tables.get(s.tableOid);
      this.dec = this.ta.decoder(s.positions);
      this.tables = ctx.tables;
    }
    this.ix = undefined;
    this.pointKey = undefined;
    this.point = false;
    let keyCols = this.ta.pkCols;
    if (s.access === 'index') {
      this.ix = this.ta.indexes.find((i) => i.obj.oid === s.indexOid);
      if (!this.ix) throw new SbError(SqlState.undefined_object, `index with OID ${s.indexOid} does not exist`);
      keyCols = this.ix.cols;
    }
    // A primary-key lookup with every key column equal: one get, no cursor.
    if (s.access === 'pk' && s.bounds && s.bounds.eq.length === this.ta.pkCols.length && !s.bounds.lo && !s.bounds.hi && this.ta.pkPositions) {
      this.point = true;
      const key = this.pointKeyOf(ctx, s.bounds.eq, keyCols);
      if (key === null) this.done = true; // col = NULL is never true
      else this.pointKey = key;
      return;
    }
    const range = s.access === 'seq' ? { lo: undefined, hi: undefined, empty: false } : this.keyRange(ctx, keyCols);
    if (range.empty) {
      this.done = true;
      return;
    }
    const ks = this.ix ? this.ix.ks : this.ta.ks;
    this.cursor = ctx.txn.scan(ks, {
      lo: range.lo, loInclusive: range.loInclusive ?? true,
      hi: range.hi, hiInclusive: false,
      reverse: s.reverse,
    });
  }

  /** The key of equality values on every key column, or null when one is NULL. */
  private pointKeyOf(ctx: ExecContext, eq: VecFn[], keyCols: Array<{ type: import('../keys/key_encoding.ts').KeyType }>): Uint8Array | null {
    const kw = this.kw.reset();
    for (let i = 0; i < eq.length; i++) {
      const v = eq[i]!(ONE, ctx)[0];
      if (v === null) return null;
      kw.value(keyCols[i]!, keyValue(v));
    }
    if (this.spec.withRowKey) return kw.bytes();
    // The store copies the key it is given: the same array serves the next lookup of a key of this length.
    let k = this.keyBuf;
    const n = kw.length;
    if (k === undefined || k.length !== n) this.keyBuf = k = kw.bytes();
    else {
      const b = kw.buf;
      for (let i = 0; i < n; i++) k[i] = b[i]!;
    }
    return k;
  }

  /** Encodes the key range of the bounds (or marks it empty when a bound is NULL). */
  private keyRange(ctx: ExecContext, keyCols: Array<{ type: import('../keys/key_encoding.ts').KeyType; descending?: boolean; nullsFirst?: boolean }>): {
    lo?: Uint8Array; hi?: Uint8Array; loInclusive?: boolean; empty: boolean;
  } {
    const b = this.spec.bounds;
    if (!b) return { empty: false };
    const kw = new KeyWriter();
    for (let i = 0; i < b.eq.length; i++) {
      const v = b.eq[i]!(ONE, ctx)[0];
      if (v === null) return { empty: true }; // col = NULL is never true
      kw.value(keyCols[i]!, keyValue(v));
    }
    const prefix = kw.bytes();
    let lo: Uint8Array | undefined = prefix.length > 0 ? prefix : undefined;
    let loInclusive = true;
    let hi: Uint8Array | undefined = prefix.length > 0 ? prefixSuccessor(prefix) ?? undefined : undefined;
    const next = keyCols[b.eq.length];
    if (b.lo && next) {
      const v = b.lo.fn(ONE, ctx)[0];
      if (v === null) return { empty: true };
      const k = new KeyWriter().raw(prefix).value(next, keyValue(v)).bytes();
      if (b.lo.inclusive) lo = k;
      else {
        lo = prefixSuccessor(k) ?? undefined;
        if (lo === undefined) return { empty: true };
      }
      loInclusive = true;
    } else if (next && b.hi) {
      // Non-null values only: a range bound never matches NULL (NULLs sort last ascending).
      lo = new KeyWriter().raw(prefix).bytes();
    }
    if (b.hi && next) {
      const v = b.hi.fn(ONE, ctx)[0];
      if (v === null) return { empty: true };
      const k = new KeyWriter().raw(prefix).value(next, keyValue(v)).bytes();
      hi = b.hi.inclusive ? prefixSuccessor(k) ?? undefined : k;
    } else if (b.lo && next) {
      // Stop before NULLs of the range column (they sort after every value).
      const nullKey = new KeyWriter().raw(prefix).null(next).bytes();
      hi = nullKey;
    }
    return { lo, hi, loInclusive, empty: false };
  }

  override close(): void {
    this.cursor?.close();
    this.cursor = undefined;
  }

  /**
   * The next batch without a generator step, when that is known not to pause
   * or wait: a point lookup's row (or none), then null. Undefined otherwise
   * (use next()).
   */
  nextSync(): Batch | null | undefined {
    if (!this.point || this.spec.forUpdate) return undefined;
    if (this.done) return null;
    this.done = true;
    if (this.pointKey === undefined || this.pointKey === null) return null;
    const s = this.spec;
    const out = emptyBatch(s.positions.length);
    const keys: Uint8Array[] | undefined = s.withRowKey ? [] : undefined;
    // The row is decoded where the store found it (no copy out of the kernel's memory).
    const txn = this.ctx.txn;
    const at = txn.getInPlace(this.ta.ks, this.pointKey);
    if (at >= 0) {
      this.dec.decode(this.ctx.store.kernel.u8(), at, at + txn.valueLength, out.cols);
      out.length = 1;
      keys?.push(this.pointKey);
    }
    return this.finish(out, keys);
  }

  *next(): Step {
    if (this.point) {
      if (!this.spec.forUpdate) return this.nextSync()!;
      return yield* this.nextPointLocked();
    }
    if (this.done) return null;
    const s = this.spec;
    const out = emptyBatch(s.positions.length);
    const keys: Uint8Array[] | undefined = s.withRowKey || s.forUpdate ? [] : undefined;
    const c = this.cursor!;
    const cap = s.forUpdate ? this.lockBatch : BATCH_ROWS;
    let skipped = 0;
    if (s.forUpdate) this.lockBatch = Math.min(this.lockBatch * 2, BATCH_ROWS);
    while (out.length < cap) {
      if (!c.next()) {
        this.done = true;
        break;
      }
      if (this.ix) {
        const rowKey = this.rowKeyOfIndexEntry(c);
        const v = this.ctx.txn.get(this.ta.ks, rowKey);
        if (!v) continue; // the row's newer version no longer matches (the entry was superseded in this snapshot)
        this.dec.decode(v, 0, v.length, out.cols);
        keys?.push(rowKey);
      } else {
        if (this.sampler !== undefined && !this.sampler()) {
          // (A short batch after many rows left out, so the time slice is checked.)
          if (++skipped >= BATCH_ROWS * 4) break;
          continue;
        }
        this.dec.decode(c.buffer, c.valueStart, c.valueEnd, out.cols);
        keys?.push(c.key.slice());
      }
      out.length++;
    }
    let b = this.finish(out, keys);
    if (s.forUpdate && keys) b = yield* this.lockRows(b);
    if (b.length === 0 && !this.done) {
      if (this.ctx.tick()) yield PAUSE;
      return yield* this.next();
    }
    if (this.ctx.tick()) yield PAUSE;
    return b.length === 0 && this.done ? (out.length === 0 ? null : b) : b;
  }

  /** A primary-key point lookup of FOR UPDATE: the row (locked), then null. */
  private *nextPointLocked(): Step {
    if (this.done) return null;
    this.done = true;
    if (this.pointKey === undefined || this.pointKey === null) return null;
    const out = emptyBatch(this.spec.positions.length);
    const v = this.ctx.txn.get(this.ta.ks, this.pointKey);
    if (v === undefined) return null;
    this.dec.decode(v, 0, v.length, out.cols);
    out.length = 1;
    const b = yield* this.lockRows(this.finish(out, [this.pointKey.slice()]));
    return b.length === 0 ? null : b;
  }

  /**
   * FOR UPDATE / SHARE: each row of the batch is locked by writing its own
   * version again (a write lock until the transaction ends, as an UPDATE
   * takes). A row another transaction is writing is waited for; one changed
   * or deleted since a REPEATABLE READ / SERIALIZABLE snapshot is 40001 (the
   * store's write check), as in PostgreSQL. After a wait, READ COMMITTED
   * reads the row's newest version and checks it against the scan's filter
   * again (it is left out when deleted or no longer matching), and so is
   * every row after it, read before the snapshot moved on. The batch
   * carries the row keys as its last column; it goes when not asked for.
   */
  private *lockRows(b: Batch): Generator<Signal, Batch, void> {
    const txn = this.ctx.txn;
    if (txn.readOnly) throw new SbError(SqlState.read_only_sql_transaction, 'cannot execute SELECT FOR UPDATE in a read-only transaction');
    const keyCol = b.cols.length - 1;
    const keys = b.cols[keyCol] as Uint8Array[];
    const keep: number[] = [];
    for (let i = 0; i < b.length; i++) {
      const key = keys[i]!;
      for (;;) {
        // READ COMMITTED locks the newest version, as PostgreSQL does: after something committed since the
        // statement's snapshot, the snapshot moves on and the rows are read again (never a stale version
        // written back over a newer one).
        if (txn.isolation === 'read committed' && this.ctx.store.snapshotStamp() > txn.snapshot) {
          txn.refreshSnapshot();
          this.refreshed = true;
        }
        const v = txn.get(this.ta.ks, key);
        if (v === undefined) break; // deleted by a transaction that committed meanwhile
        if (this.refreshed && !this.refreshRow(b, i, v, key)) break;
        const r = this.lockRow(key, v);
        if (r === undefined) {
          keep.push(i);
          break;
        }
        if (this.spec.lockWait === 'skip') break;
        if (this.spec.lockWait === 'nowait') {
          throw new SbError(SqlState.lock_not_available, `could not obtain lock on row in relation "${this.ta.table.name}"`);
        }
        yield { kind: 'wait', blocker: r };
        if (txn.isolation === 'read committed') {
          txn.refreshSnapshot();
          this.refreshed = true;
        }
      }
    }
    let out = keep.length === b.length ? b : selectRows(b, keep, keep.length);
    if (!this.spec.withRowKey) out = { length: out.length, cols: out.cols.slice(0, keyCol) };
    return out;
  }

  /**
   * Locks one row: undefined when locked, else the transaction to wait for.
   * FOR UPDATE / NO KEY UPDATE write the row's version back (an exclusive
   * lock in the store) and wait for the shared locks that conflict
   * (store/key_locks.ts); FOR UPDATE also takes the row's key lock. FOR
   * SHARE / KEY SHARE write nothing: the same write, rolled back at once,
   * finds an uncommitted writer (and, under REPEATABLE READ, a change since
   * the snapshot: 40001); FOR SHARE waits for any, FOR KEY SHARE only for
   * one holding the key lock (a delete, a key change, FOR UPDATE); then the
   * shared lock is taken.
   */
  private lockRow(key: Uint8Array, v: Uint8Array): Txn | undefined {
    const txn = this.ctx.txn;
    const ks = this.ta.ks;
    const strength = this.spec.lockStrength ?? 'update';
    if (strength === 'share' || strength === 'keyshare') {
      const mark = txn.savepoint();
      const r = txn.tryWrite(ks, key, v, 'put');
      if (r === 'ok' || r === 'exists') txn.rollbackTo(mark);
      else if (strength === 'share' || txn.keyLockedBy(r, ks, key)) return r;
      return txn.lockKeyShare(ks, key, strength);
    }
    const mark = this.spec.lockWait === 'skip' ? txn.savepoint() : -1;
    const r = txn.tryWrite(ks, key, v, 'put');
    if (r !== 'ok' && r !== 'exists') return r;
    // Held now; the shared locks it conflicts with: every one for FOR UPDATE, FOR SHARE for NO KEY UPDATE.
    const sharer = txn.sharerBlocking(ks, key, strength === 'update');
    if (sharer !== undefined) {
      if (mark >= 0) txn.rollbackTo(mark); // SKIP LOCKED leaves the row unlocked
      return sharer;
    }
    // No sharer left: this only records the key lock.
    if (strength === 'update') txn.lockKey(ks, key, (this.referenced ??= this.ctx.catalog.referencing(this.ta.table.oid).length > 0));
    return undefined;
  }

  /** READ COMMITTED after a wait: row i becomes the newest version `v` when it still passes the filter. */
  private refreshRow(b: Batch, i: number, v: Uint8Array, key: Uint8Array): boolean {
    const one = emptyBatch(this.spec.positions.length);
    this.dec.decode(v, 0, v.length, one.cols);
    one.length = 1;
    const row: Batch = { length: 1, cols: [...one.cols, [key]] };
    if (this.spec.filter && this.spec.filter(row, this.ctx)[0] !== true) return false;
    for (let c = 0; c < one.cols.length; c++) (b.cols[c] as unknown[])[i] = (one.cols[c] as unknown[])[0];
    return true;
  }

  private finish(out: Batch, keys: Uint8Array[] | undefined): Batch {
    let b: Batch = out;
    if (keys) b = { length: out.length, cols: [...out.cols, keys] };
    if (this.spec.filter && b.length > 0) {
      const v = this.spec.filter(b, this.ctx);
      const sel: number[] = [];
      for (let i = 0; i < b.length; i++) if (v[i] === true) sel.push(i);
      b = selectRows(b, sel, sel.length);
    }
    return b;
  }

  /** The row key an index entry points to. */
  private rowKeyOfIndexEntry(c: ScanCursor): Uint8Array {
    const key = c.key;
    if (c.valueEnd > c.valueStart) return c.value.slice(); // unique form: the row key is the value
    const r = new KeyReader(key);
    for (const col of this.ix!.cols) r.skip(col);
    return key.slice(r.pos);
  }
}
