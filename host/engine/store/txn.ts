// Transactions of the embedded store.
//
// Isolation (DESIGN.md decisions 1 and 5):
//  - SNAPSHOT: one snapshot stamp for the whole transaction; a write to a key
//    whose newest version committed after that stamp fails with 40001
//    (first updater wins), so there are no lost updates.
//  - READ COMMITTED: a new snapshot per statement; writes go on top of the
//    newest committed version.
//  - SERIALIZABLE: SNAPSHOT plus commit-time validation of everything read
//    (keys and scanned ranges) against transactions that committed after the
//    snapshot; a hit fails with 40001, which prevents write skew and phantoms.
// A write to a key whose newest version belongs to another live transaction
// either fails at once (put/insert/delete: 40001) or waits for that
// transaction to finish (putWait/...), with deadlock detection (40P01) and an
// optional lock timeout (55P03).

import { SbError, SqlState } from '../sb_error.ts';
import { MEM_DELETED, OP_DELETE, OP_INSERT, OP_PUT, ST } from '../../storage/kernel.ts';
import { binaryString } from '../../storage/wal_record.ts';
import type { Isolation } from './options.ts';
import type { KeyLocksMark, ShareMode } from './key_locks.ts';
import type { TableLockMode } from './table_locks.ts';
import { ScanCursor, type ScanOptions } from './scan_cursor.ts';
import type { Keyspace, StoreCore } from './store_core.ts';

export interface BeginOptions {
  isolation?: Isolation;
  readOnly?: boolean;
  /** Read as of a past stamp (read only); refused below the GC horizon. */
  asOf?: number;
  /** Lock wait bound for the *Wait writes (0 = forever). */
  lockTimeoutMs?: number;
  /**
   * READ COMMITTED only: 'auto' takes a new snapshot at every call; 'manual'
   * keeps it until refreshSnapshot() (the SQL layer calls it per statement).
   */
  statementSnapshots?: 'auto' | 'manual';
}

const NO_KEYSPACES: ReadonlySet<Keyspace> = new Set();

export type TxnState = 'active' | 'committing' | 'committed' | 'aborted';

/** A subtransaction's start (Txn.subMark): its write mark and the locks held then. */
export interface SubMark {
  writes: number;
  /** A copy of Txn.tableLocks. */
  tables: number[] | undefined;
  keys: KeyLocksMark;
}

export class Txn {
  /**
   * The transaction's UUIDv7 id, made on first use (the first write, or
   * txid_current()): a transaction that only reads never takes one.
   */
  get id(): Uint8Array {
    if (this.idBytes === undefined) this.core.assignId(this);
    return this.idBytes!;
  }
  /** Set by the store with the id (assignId). */
  idBytes: Uint8Array | undefined;
  /** The id's stamp (-1 until the id is made). */
  beginStamp = -1;
  readonly isolation: Isolation;
  readonly readOnly: boolean;
  readonly asOf: number | undefined;
  snapshot: number;
  /** Commit stamp once committed. */
  commitStamp = -1;
  state: TxnState = 'active';
  /** The transaction this one waits for (deadlock detection). */
  waitingFor: Txn | undefined;
  /** Settles when the transaction has committed or aborted (made on first use: most transactions are never waited for). */
  get finished(): Promise<void> {
    return (this.finishedPromise ??= this.ended ? Promise.resolve() : new Promise((r) => (this.wakeWaiters = r)));
  }
  /**
   * The kernel TIP slot, taken at the first write (0 until then: a reader
   * needs none; the store keeps its snapshot from garbage collection).
   */
  slot = 0;
  /** The store's index of this transaction among its slotless readers (-1: none). */
  readerIndex = -1;
  private finishedPromise: Promise<void> | undefined;
  private wakeWaiters: (() => void) | undefined;
  /** Settles at the next partial release of its locks (rollbackToSub) or when it ends; made on first use. */
  private releasedPromise: Promise<void> | undefined;
  private wakeReleased: (() => void) | undefined;
  private ended = false;
  private readonly autoSnapshot: boolean;
  private readonly lockTimeoutMs: number;
  /** Open cursors (made at the first scan). */
  private cursors: Set<ScanCursor> | undefined;
  readKeys: Set<string> | undefined;
  readRanges: Array<{ lo: string; hi: string; hiInclusive: boolean }> | undefined;
  private writes = 0;
  /** The backend pid of the session running it (pg_locks), 0 when none. */
  pid = 0;
  /** Its table locks as [table oid, modes held (bits)] pairs, a pair per table it holds or waits for (store/table_locks.ts). */
  tableLocks: number[] | undefined = undefined;
  /** Tables whose definition or storage it changes (table_locks.ts noteChange). */
  tableChanges: number[] | undefined = undefined;
  /** The key spaces this transaction wrote (their modStamp is raised at commit). */
  get wroteKeyspaces(): ReadonlySet<Keyspace> {
    return this.wroteSet ?? NO_KEYSPACES;
  }
  /** (Made at the first write: a reader allocates none.) */
  private wroteSet: Set<Keyspace> | undefined;
  private lastWritten: Keyspace | undefined;
  /** While a statement runs: the write sequence at its start (its own later writes are invisible to it). */
  private statementSeq = 0;

  constructor(
    private readonly core: StoreCore,
    opts: BeginOptions,
    snapshot: number,
  ) {
    this.snapshot = snapshot;
    this.isolation = opts.isolation ?? 'snapshot';
    this.asOf = opts.asOf;
    this.readOnly = opts.readOnly === true || opts.asOf !== undefined;
    this.autoSnapshot = this.isolation === 'read committed' && opts.statementSnapshots !== 'manual';
    this.lockTimeoutMs = opts.lockTimeoutMs ?? core.options.lockTimeoutMs;
    if (this.isolation === 'serializable' && !this.readOnly) {
      this.readKeys = new Set();
      this.readRanges = [];
    }
  }

  private assertActive(): void {
    if (this.state !== 'active') {
      throw new SbError(SqlState.invalid_transaction_state, `transaction is ${this.state}`);
    }
  }

  /**
   * Starts a statement: until endStatement(), reads do not see the writes this
   * statement makes (so an UPDATE never meets the rows it has just written).
   */
  beginStatement(): void {
    this.assertActive();
    this.statementSeq = this.core.kernel.x.lsm_seq();
  }

  endStatement(): void {
    this.statementSeq = 0;
  }

  /** READ COMMITTED: take a new statement snapshot. */
  refreshSnapshot(): void {
    this.assertActive();
    if (this.isolation !== 'read committed') return;
    this.snapshot = this.core.snapshotStamp();
    if (this.slot !== 0) this.core.kernel.x.tx_set_snapshot(this.slot, this.snapshot);
  }

  /** Takes the snapshot again, at any isolation: for a transaction that has read and written nothing yet (LOCK TABLE as its first statement waited). */
  retakeSnapshot(): void {
    this.assertActive();
    this.snapshot = this.core.snapshotStamp();
    if (this.slot !== 0) this.core.kernel.x.tx_set_snapshot(this.slot, this.snapshot);
  }

  /**
   * Runs `fn` reading at `stamp` instead of the transaction's snapshot (a
   * foreign-key check reads the newest committed state), then goes back.
   */
  readingAt<T>(stamp: number, fn: () => T): T {
    this.assertActive();
    const saved = this.snapshot;
    if (stamp === saved) return fn();
    const x = this.core.kernel.x;
    this.snapshot = stamp;
    if (this.slot !== 0) x.tx_set_snapshot(this.slot, stamp);
    try {
      return fn();
    } finally {
      this.snapshot = saved;
      if (this.slot !== 0) x.tx_set_snapshot(this.slot, saved);
    }
  }

  /**
   * A KEY SHARE lock on a row (a foreign-key check's parent row), held until
   * the transaction ends; or the live transaction that is deleting the row or
   * changing its key (wait for it, then look for the row again).
   */
  lockKeyShare(ks: Keyspace, key: Uint8Array, mode: ShareMode = 'keyshare'): Txn | undefined {
    this.assertActive();
    return this.core.keyLocks.share(this, ks, key, mode);
  }

  /**
   * After this transaction wrote the row: a live transaction holding a
   * shared lock on it that the change conflicts with (any for a delete or a
   * key change, a FOR SHARE holder for any other update); wait for it, then
   * ask again. Undefined: none.
   */
  sharerBlocking(ks: Keyspace, key: Uint8Array, keyChange: boolean): Txn | undefined {
    return this.core.keyLocks.sharerBlocking(this, ks, key, keyChange);
  }

  /**
   * Takes table lock `mode` on table `oid` (store/table_locks.ts), or returns
   * a live transaction to wait for (then ask again; unwaitTable() withdraws
   * the queued request when the wait ends otherwise).
   */
  lockTable(oid: number, mode: TableLockMode): Txn | undefined {
    this.assertActive();
    return this.core.keyLocks.tables.lock(this, oid, mode);
  }

  unwaitTable(oid: number): void {
    this.core.keyLocks.tables.unwait(this, oid);
  }

  /** This transaction changes table `oid`'s definition or storage (its version goes up when it commits). */
  noteTableChange(oid: number): void {
    this.core.keyLocks.tables.noteChange(this, oid);
  }

  /** Goes up each time a transaction that changed table `oid`'s definition or storage commits. */
  tableVersion(oid: number): number {
    return this.core.keyLocks.tables.version(oid);
  }

  /** True when `holder` has taken the key lock of the row (it deletes it, changes its key or locks it FOR UPDATE). */
  keyLockedBy(holder: Txn, ks: Keyspace, key: Uint8Array): boolean {
    return this.core.keyLocks.keyLockedBy(holder, ks, key);
  }

  /**
   * The key lock of a row this transaction deletes, re-keys or locks FOR
   * UPDATE (after writing it): taken at once; returns a live holder of a
   * shared lock on the row to wait for (call again after it ends), or
   * undefined when none is left. `referenced`: foreign keys reference the
   * key space (their checks look the lock up by row).
   */
  lockKey(ks: Keyspace, key: Uint8Array, referenced = true): Txn | undefined {
    this.assertActive();
    return this.core.keyLocks.lockKey(this, ks, key, referenced);
  }

  private beforeCall(): void {
    this.assertActive();
    if (this.autoSnapshot) {
      this.snapshot = this.core.snapshotStamp();
      if (this.slot !== 0) this.core.kernel.x.tx_set_snapshot(this.slot, this.snapshot);
    }
  }

  /** Copies prefix + key (+ value) into the kernel I/O buffer; returns its pointer. */
  private place(ks: Keyspace, key: Uint8Array, value?: Uint8Array): number {
    const k = this.core.kernel;
    const keyLen = 4 + key.length;
    if (keyLen > this.core.options.keyBytesMax) {
      throw new SbError(SqlState.program_limit_exceeded, `key of ${key.length} bytes exceeds the maximum of ${this.core.options.keyBytesMax - 4}`);
    }
    const valLen = value ? value.length : 0;
    if (valLen > this.core.options.valueBytesMax) {
      throw new SbError(SqlState.program_limit_exceeded, `value of ${valLen} bytes exceeds the maximum of ${this.core.options.valueBytesMax}`);
    }
    const p = k.ioBuffer(keyLen + valLen);
    const u8 = k.u8();
    const prefix = ks.prefix;
    u8[p] = prefix[0]!;
    u8[p + 1] = prefix[1]!;
    u8[p + 2] = prefix[2]!;
    u8[p + 3] = prefix[3]!;
    // Short keys: a loop beats TypedArray.set's call overhead.
    if (key.length <= 32) for (let i = 0; i < key.length; i++) u8[p + 4 + i] = key[i]!;
    else u8.set(key, p + 4);
    if (value) u8.set(value, p + keyLen);
    return p;
  }

  /** The visible value of a key, or undefined. */
  get(ks: Keyspace, key: Uint8Array): Uint8Array | undefined {
    const at = this.getInPlace(ks, key);
    return at < 0 ? undefined : this.core.kernel.copyOut(at, this.valueLength);
  }

  /** Length of the value getInPlace found. */
  valueLength = 0;

  /**
   * get() without copying the value out: its offset in the kernel's memory
   * (StorageKernel.u8(); length in `valueLength`), valid until the next
   * store call; -1 when the key has no visible value.
   */
  getInPlace(ks: Keyspace, key: Uint8Array): number {
    this.beforeCall();
    const k = this.core.kernel;
    if (this.readKeys) {
      const p = this.place(ks, key);
      this.readKeys.add(binaryString(k.u8().subarray(p, p + 4 + key.length)));
    } else if (4 + key.length > this.core.options.keyBytesMax) {
      this.place(ks, key); // throws the limit error
    }
    // The memtables are probed in TypeScript over the kernel's memory (faster
    // than a kernel call: docs/benchmarks.md section 3); the runs in the kernel.
    const m = k.memGet(ks.prefix, key, this.snapshot, this.slot, this.statementSeq || Infinity);
    if (m >= 0) {
      this.valueLength = k.memValueLen;
      return m;
    }
    if (m === MEM_DELETED) return -1;
    const p = this.place(ks, key);
    const st = k.x.kv_get_runs(p, 4 + key.length, this.snapshot);
    if (st === ST.NOT_FOUND) return -1;
    k.check(st, 'reading a key');
    this.valueLength = k.resultU32(1);
    return k.resultU32(0);
  }

  /** Range scan over a key space (see ScanOptions); close it or read it to the end. */
  scan(ks: Keyspace, opts: ScanOptions = {}): ScanCursor {
    this.beforeCall();
    // A cursor never sees the transaction's writes made after it opened.
    const seqLimit = this.statementSeq || this.core.kernel.x.lsm_seq();
    const cursors = (this.cursors ??= new Set());
    const cursor = new ScanCursor(this.core.kernel, ks, opts, this.snapshot, this.slot, () => cursors.delete(cursor), seqLimit);
    cursors.add(cursor);
    if (this.readRanges) this.readRanges.push(cursor.boundsAsStrings());
    return cursor;
  }

  put(ks: Keyspace, key: Uint8Array, value: Uint8Array): void {
    this.writeNoWait(ks, key, value, OP_PUT);
  }

  /** Inserts a key that must not exist (23505 unique_violation otherwise). */
  insert(ks: Keyspace, key: Uint8Array, value: Uint8Array): void {
    this.writeNoWait(ks, key, value, OP_INSERT);
  }

  delete(ks: Keyspace, key: Uint8Array): void {
    this.writeNoWait(ks, key, undefined, OP_DELETE);
  }

  putWait(ks: Keyspace, key: Uint8Array, value: Uint8Array): Promise<void> {
    return this.writeWait(ks, key, value, OP_PUT);
  }

  insertWait(ks: Keyspace, key: Uint8Array, value: Uint8Array): Promise<void> {
    return this.writeWait(ks, key, value, OP_INSERT);
  }

  deleteWait(ks: Keyspace, key: Uint8Array): Promise<void> {
    return this.writeWait(ks, key, undefined, OP_DELETE);
  }

  private writeOnce(ks: Keyspace, key: Uint8Array, value: Uint8Array | undefined, op: number): number {
    if (this.readOnly) {
      throw new SbError(SqlState.read_only_sql_transaction, 'cannot write in a read-only transaction');
    }
    // The first write takes the id and the kernel slot.
    if (this.slot === 0) this.core.startWriting(this);
    const k = this.core.kernel;
    const p = this.place(ks, key, value);
    const keyLen = 4 + key.length;
    // Recorded before the write (a failed write leaves a harmless mark).
    if (ks !== this.lastWritten) {
      this.lastWritten = ks;
      (this.wroteSet ??= new Set()).add(ks);
    }
    const st = k.x.kv_put(p, keyLen, p + keyLen, value ? value.length : 0, op, this.slot, this.snapshot,
      this.isolation === 'read committed' ? 0 : 1);
    if (st === ST.OK) {
      this.writes++;
      this.core.afterWrite();
    }
    return st;
  }

  /**
   * One write attempt that neither throws for a duplicate nor waits: 'ok',
   * 'exists' (an insert met a live row), or the transaction whose uncommitted
   * version blocks the key (wait for it with waitFor(), then try again).
   * A SNAPSHOT writer meeting a newer committed version still gets 40001.
   */
  tryWrite(ks: Keyspace, key: Uint8Array, value: Uint8Array | undefined, op: 'put' | 'insert' | 'delete'): 'ok' | 'exists' | Txn {
    this.assertActive();
    const st = this.writeOnce(ks, key, value, op === 'put' ? OP_PUT : op === 'insert' ? OP_INSERT : OP_DELETE);
    if (st === ST.OK) return 'ok';
    if (st === ST.EXISTS) return 'exists';
    if (st === ST.CONFLICT_ACTIVE) {
      const blocker = this.core.txnBySlot(this.core.kernel.resultU32(0));
      if (!blocker || blocker === this) throw new SbError(SqlState.internal_error, 'a write conflict names no live transaction');
      this.core.stats.conflicts++;
      return blocker;
    }
    this.settle(st, ks);
    return 'ok';
  }

  private writeNoWait(ks: Keyspace, key: Uint8Array, value: Uint8Array | undefined, op: number): void {
    this.beforeCall();
    const st = this.writeOnce(ks, key, value, op);
    if (st === ST.CONFLICT_ACTIVE) {
      this.core.stats.conflicts++;
      throw new SbError(SqlState.serialization_failure, 'could not write: the row is being updated by a concurrent transaction', {
        kind: 'update_conflict',
        hint: 'Retry the transaction, or use a waiting write.',
      });
    }
    this.settle(st, ks);
  }

  private async writeWait(ks: Keyspace, key: Uint8Array, value: Uint8Array | undefined, op: number): Promise<void> {
    this.beforeCall();
    for (;;) {
      const st = this.writeOnce(ks, key, value, op);
      if (st !== ST.CONFLICT_ACTIVE) {
        this.settle(st, ks);
        return;
      }
      const blocker = this.core.txnBySlot(this.core.kernel.resultU32(0));
      if (!blocker || blocker === this) {
        throw new SbError(SqlState.internal_error, 'a write conflict names no live transaction');
      }
      await this.waitFor(blocker);
      this.assertActive();
      if (this.isolation === 'read committed') {
        // Statement-level: go on top of what the blocker committed.
        this.snapshot = this.core.snapshotStamp();
        this.core.kernel.x.tx_set_snapshot(this.slot, this.snapshot);
      }
    }
  }

  private settle(st: number, ks: Keyspace): void {
    switch (st) {
      case ST.OK:
        return;
      case ST.EXISTS:
        throw new SbError(SqlState.unique_violation, `duplicate key in ${ks.name}`, { kind: 'duplicate_key', table: ks.name });
      case ST.CONFLICT_COMMITTED:
        this.core.stats.conflicts++;
        throw new SbError(SqlState.serialization_failure, 'could not serialize access due to concurrent update', {
          kind: 'update_conflict',
        });
      default:
        this.core.kernel.check(st, 'writing a key');
        throw new SbError(SqlState.internal_error, `unexpected kernel status ${st}`);
    }
  }

  /** Waits for `blocker` to finish (deadlock detection 40P01, lock timeout 55P03). */
  async waitFor(blocker: Txn): Promise<void> {
    {
      if (this.core.closesWaitCycle(this, blocker)) {
        this.core.stats.deadlocks++;
        throw new SbError(SqlState.deadlock_detected, 'deadlock detected', {
          detail: 'Two transactions wait for each other to finish.',
          hint: 'See the application log for the transactions; retry one of them.',
        });
      }
    }
    this.waitingFor = blocker;
    this.core.stats.lockWaits++;
    try {
      if (this.lockTimeoutMs > 0) {
        let cancel: (() => void) | undefined;
        const timeout = new Promise<'timeout'>((r) => (cancel = this.core.platform.setTimer(() => r('timeout'), this.lockTimeoutMs)));
        const outcome = await Promise.race([blocker.released.then(() => 'done' as const), timeout]);
        cancel?.();
        if (outcome === 'timeout') {
          throw new SbError(SqlState.lock_not_available, 'canceling statement due to lock timeout');
        }
      } else {
        // Its end, or a ROLLBACK TO SAVEPOINT that gave locks back: the caller looks again.
        await blocker.released;
      }
    } finally {
      this.waitingFor = undefined;
    }
  }

  /** A savepoint mark: roll back to it with rollbackTo(mark). */
  savepoint(): number {
    this.assertActive();
    return this.core.kernel.x.tx_write_count(this.slot);
  }

  /** How many times rollbackTo() ran: a write made before a change of this count may be gone. */
  rollbacks = 0;

  rollbackTo(mark: number): void {
    this.assertActive();
    this.core.kernel.x.tx_rollback_to(this.slot, mark);
    this.rollbacks++;
  }

  /**
   * A subtransaction's start (SQL SAVEPOINT): the write mark and the locks
   * held then. rollbackToSub() undoes the writes made since and gives back
   * the locks taken since, as PostgreSQL's subtransaction abort does.
   */
  subMark(): SubMark {
    return { writes: this.savepoint(), tables: this.tableLocks?.slice(), keys: this.core.keyLocks.mark(this) };
  }

  /**
   * Rolls back to a subMark(): the writes made since go (so do the row locks
   * they were), and so do the table and shared row locks taken since; every
   * transaction waiting for this one looks again at once.
   */
  rollbackToSub(m: SubMark): void {
    this.rollbackTo(m.writes);
    this.core.keyLocks.releaseSince(this, m.keys);
    this.core.keyLocks.tables.releaseSince(this, m.tables);
    this.signalReleased();
  }

  /** Settles when some of its locks are given back before it ends (rollbackToSub), or when it ends. */
  get released(): Promise<void> {
    if (this.ended) return Promise.resolve();
    return (this.releasedPromise ??= new Promise((r) => (this.wakeReleased = r)));
  }

  private signalReleased(): void {
    const wake = this.wakeReleased;
    this.releasedPromise = this.wakeReleased = undefined;
    wake?.();
  }

  /** True when this transaction has written (or tried to write) the key space. */
  wrote(ks: Keyspace): boolean {
    return this.wroteSet !== undefined && this.wroteSet.has(ks);
  }

  /** True when the transaction wrote something that is still live. */
  hasWrites(): boolean {
    return this.writes > 0 && this.core.kernel.x.tx_write_count(this.slot) > 0;
  }

  async commit(): Promise<void> {
    this.assertActive();
    this.closeCursors();
    this.state = 'committing';
    try {
      await this.core.commit(this);
      this.state = 'committed';
    } catch (e) {
      if (this.state === 'committing') this.state = 'aborted';
      throw e;
    } finally {
      this.resolveFinished();
    }
  }

  /**
   * commit() without a promise for a transaction that wrote nothing (a read):
   * true once committed; false, with nothing done, when it has writes (then
   * call commit()).
   */
  commitIfNoWrites(): boolean {
    this.assertActive();
    if (this.hasWrites()) return false;
    this.closeCursors();
    this.core.commitNoWrites(this);
    this.state = 'committed';
    this.resolveFinished();
    return true;
  }

  rollback(): void {
    if (this.state === 'committed' || this.state === 'aborted') return;
    if (this.state === 'committing') throw new SbError(SqlState.invalid_transaction_state, 'transaction is committing');
    this.closeCursors();
    this.core.abort(this);
    this.state = 'aborted';
    this.resolveFinished();
  }

  private closeCursors(): void {
    if (this.cursors !== undefined && this.cursors.size > 0) for (const c of [...this.cursors]) c.close();
  }

  private resolveFinished(): void {
    this.ended = true;
    this.core.keyLocks.release(this);
    this.wakeWaiters?.();
    this.signalReleased();
  }
}
