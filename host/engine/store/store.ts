// The embedded store: a database folder (or memory) holding key spaces, with
// MVCC transactions, a WAL with group commit, and an LSM tree in the storage
// kernel. This is the API the SQL layer builds on.
//
//   const store = await Store.open('/data/db', { platform: nodePlatform() });
//   const ks = await store.keyspace('accounts');
//   const tx = store.begin({ isolation: 'snapshot' });
//   tx.put(ks, key, value);
//   await tx.commit();          // resolves once the commit is on disk
//   await store.close();
//
// Commit protocol: the commit is stamped (HLC), its WAL record built by the
// kernel and queued; readers' snapshots stay below every stamp still in
// flight, so a commit becomes visible only once durable and never
// disappears. After the fsync the kernel stamps the versions in place.

import type { FolderLock, Platform } from '../../platform/platform.ts';
import { MemoryPlatform } from '../../platform/memory.ts';
import { SbError, SqlState } from '../sb_error.ts';
import { HybridClock } from '../ids/hlc.ts';
import { IdGenerator } from '../ids/uuidv7.ts';
import { StorageKernel, ST, kernelError } from '../../storage/kernel.ts';
import { isRunFileName, type Manifest, newManifest, readManifest, writeManifest, MANIFEST_NAME } from '../../storage/manifest.ts';
import { parseSegmentName, replayWal, Wal } from '../../storage/wal.ts';
import { binaryString, forEachOp } from '../../storage/wal_record.ts';
import { Maintenance, type WalPos } from './maintenance.ts';
import { resolveOptions, type ResolvedOptions, type StoreOptions } from './options.ts';
import { KeyLocks } from './key_locks.ts';
import { emptyStats, type Keyspace, makeKeyspace, type StoreCore, type StoreStats } from './store_core.ts';
import { type BeginOptions, Txn } from './txn.ts';

const SYSTEM_KEYSPACE = makeKeyspace(0, '$system');
const FIRST_USER_KEYSPACE = 16;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface RecentCommit {
  stamp: number;
  keys: string[];
}

/**
 * Live transactions by kernel slot (the kernel reuses freed slots, so they
 * stay dense). A Map here cost a rehash every few begin/finish pairs: about
 * a twentieth of a prepared point SELECT's time (tools/bench/point_bench.ts).
 */
class TxnSlots {
  private readonly bySlot: Array<Txn | undefined> = [];
  size = 0;
  get(slot: number): Txn | undefined {
    return this.bySlot[slot];
  }
  set(slot: number, txn: Txn): void {
    while (this.bySlot.length <= slot) this.bySlot.push(undefined);
    if (this.bySlot[slot] === undefined) this.size++;
    this.bySlot[slot] = txn;
  }
  delete(slot: number): void {
    if (this.bySlot[slot] === undefined) return;
    this.bySlot[slot] = undefined;
    this.size--;
  }
  *values(): IterableIterator<Txn> {
    for (const t of this.bySlot) if (t !== undefined) yield t;
  }
}

export class Store implements StoreCore {
  readonly stats: StoreStats = emptyStats();
  readonly keyLocks = new KeyLocks(() => this.liveTxns());
  private readonly txns = new TxnSlots();
  /** Live transactions without a kernel slot (they have only read), each at its readerIndex. */
  private readonly readers: Txn[] = [];
  private readonly pending: number[] = [];
  private pendingHead = 0;
  private serializableLive = 0;
  private recent: RecentCommit[] = [];
  private readonly keyspaces = new Map<string, Keyspace>();
  private readonly ids: IdGenerator;
  private closed = false;
  readonly maintenance: Maintenance;

  private constructor(
    readonly platform: Platform,
    readonly dir: string,
    readonly options: ResolvedOptions,
    readonly kernel: StorageKernel,
    readonly manifest: Manifest,
    public wal: Wal,
    readonly clock: HybridClock,
    private readonly lock: FolderLock,
    walStart: WalPos,
  ) {
    this.ids = new IdGenerator(clock, (b) => platform.randomFill(b));
    this.maintenance = new Maintenance(this, walStart);
    // A lone commit may block the event loop for its write only when nothing else is running.
    wal.isQuiet = () => this.txns.size + this.readers.length <= 1;
  }

  /** Opens (creating if needed) a database folder, or ':memory:'. */
  static async open(path: string, opts: StoreOptions = {}): Promise<Store> {
    const options = resolveOptions(opts);
    let platform = opts.platform;
    if (opts.walSegmentBytes === undefined && (path === ':memory:' || platform?.name === 'memory')) {
      options.walSegmentBytes = 256 << 10; // preallocation buys nothing in memory
    }
    let dir = path;
    if (path === ':memory:') {
      // Files live in memory; the kernel's bytes come from the given platform.
      const source = opts.platform;
      platform = new MemoryPlatform(source ? { assets: (p) => source.readAsset(p) } : {});
      dir = '/scratchbird-memory';
    }
    if (!platform) throw new SbError(SqlState.invalid_parameter_value, 'a platform is needed to open a folder');
    await platform.mkdirp(dir);
    const lock = await platform.lockFolder(dir);
    try {
      return await Store.openLocked(platform, dir, options, lock);
    } catch (e) {
      await lock.release().catch(() => {});
      throw e;
    }
  }

  private static async openLocked(platform: Platform, dir: string, options: ResolvedOptions, lock: FolderLock): Promise<Store> {
    let manifest = await readManifest(platform, dir);
    if (!manifest) {
      const names = await platform.listDir(dir);
      if (names.some((n) => isRunFileName(n) || parseSegmentName(n) !== undefined)) {
        throw new SbError(SqlState.data_corrupted, `${dir} holds database files but no manifest`, { kind: 'corrupt' });
      }
      manifest = newManifest(options.nodeId);
      await writeManifest(platform, dir, manifest);
    }
    const kernel = await StorageKernel.load(platform);
    kernel.x.mem_set_limit_pages(Math.ceil(options.kernelMemoryBytesMax / 65536));
    kernel.x.cache_set_limit(options.blockCacheBytesMax);
    // Runs, newest first, as the manifest lists them.
    const opened: Array<{ runId: number; fileId: number }> = [];
    let maxStamp = manifest.maxStamp;
    for (const rec of manifest.runs) {
      const file = await platform.openFile(platform.joinPath(dir, rec.file), 'read');
      const fileId = kernel.registerFile(file);
      const runId = kernel.x.run_open(fileId, file.size());
      if (runId < 0) throw kernelError(runId, `opening run ${rec.file}`);
      kernel.check(kernel.x.lsm_append_run(runId), 'opening runs');
      opened.push({ runId, fileId });
      maxStamp = Math.max(maxStamp, rec.maxStamp);
    }
    // Files no manifest names are leftovers of an interrupted flush or compaction.
    const live = new Set(manifest.runs.map((r) => r.file));
    for (const name of await platform.listDir(dir)) {
      const seg = parseSegmentName(name);
      if ((isRunFileName(name) && !live.has(name)) || (seg !== undefined && seg < manifest.walStart) || name === `${MANIFEST_NAME}.tmp`) {
        await platform.remove(platform.joinPath(dir, name));
      }
    }
    // Redo: every acknowledged commit since the last flush.
    const stats = emptyStats();
    manifest.walStartOffset ??= 0; // manifests written before the field existed
    const replay = await replayWal(platform, dir, manifest.walStart, (rec) => {
      const p = kernel.ioBuffer(rec.length);
      kernel.u8().set(rec, p);
      const st = kernel.x.wal_apply(p, rec.length);
      if (st === ST.ERR_CORRUPT) return false;
      kernel.check(st, 'replaying the WAL');
      maxStamp = Math.max(maxStamp, kernel.resultF64(0));
      return true;
    }, manifest.walStartOffset);
    stats.walRecordsReplayed = replay.records;
    stats.walTornBytes = replay.tornBytes;
    const clock = new HybridClock({ nodeId: options.nodeId, wallClockMs: () => platform.wallClockMs(), floorStamp: maxStamp });
    const wal = await Wal.create(platform, dir, replay.lastSegment > 0 ? replay.lastSegment + 1 : manifest.walStart, options.walSegmentBytes, options.walWritesInFlight);
    const store = new Store(platform, dir, options, kernel, manifest, wal, clock, lock, { segment: manifest.walStart, offset: manifest.walStartOffset });
    Object.assign(store.stats, stats);
    for (let i = 0; i < opened.length; i++) {
      store.maintenance.addRun(opened[i]!.runId, opened[i]!.fileId, manifest.runs[i]!);
    }
    store.loadKeyspaces();
    store.maintenance.start();
    if (replay.records > 0 && options.background) void store.maintenance.requestFlush(true).catch(() => {});
    return store;
  }

  // ---- snapshots and transactions ----

  /** True once close() has begun (the column cache frees what it holds for a closed store). */
  get isClosed(): boolean {
    return this.closed;
  }

  snapshotStamp(): number {
    const last = Math.max(this.clock.lastStamp(), 0);
    if (this.pendingHead < this.pending.length) return Math.min(last, this.pending[this.pendingHead]! - 1);
    return last;
  }

  txnBySlot(slot: number): Txn | undefined {
    return this.txns.get(slot);
  }

  private assertOpen(): void {
    if (this.closed) throw new SbError(SqlState.object_not_in_prerequisite_state, 'the store is closed');
    if (this.wal.failed) throw this.wal.failed;
  }

  /**
   * Starts a transaction. It takes no id and no kernel slot until its first
   * write (startWriting): a reader costs a snapshot stamp and a Txn object
   * (about 8% of a prepared point SELECT went to the id and the slot). Its
   * snapshot is kept from garbage collection by pinReadersBelow. A
   * SERIALIZABLE writer takes its slot at once (its reads are validated).
   */
  begin(opts: BeginOptions = {}): Txn {
    this.assertOpen();
    let snapshot = this.snapshotStamp();
    if (opts.asOf !== undefined) {
      if (opts.asOf < this.maintenance.gcHorizon) {
        throw new SbError('72000', 'snapshot too old: the versions of that time have been collected', {
          hint: 'Raise history retention (historyRetentionMs) to read further back.',
        });
      }
      if (opts.asOf > snapshot) throw new SbError(SqlState.invalid_parameter_value, 'cannot read as of a time in the future');
      snapshot = opts.asOf;
    }
    const txn = new Txn(this, opts, snapshot);
    if (txn.readKeys) {
      this.startWriting(txn);
      this.serializableLive++;
    } else {
      txn.readerIndex = this.readers.length;
      this.readers.push(txn);
    }
    return txn;
  }

  assignId(txn: Txn): void {
    if (txn.idBytes !== undefined) return;
    // (A small typed array made directly: slice() of a scratch buffer cost more.)
    const id = new Uint8Array(16);
    txn.beginStamp = this.ids.nextInto(id, 0);
    txn.idBytes = id;
  }

  startWriting(txn: Txn): void {
    if (txn.slot !== 0) return;
    if (txn.idBytes === undefined) this.assignId(txn);
    const slot = this.kernel.x.tx_begin(txn.beginStamp, txn.snapshot);
    if (slot === 0) throw new SbError(SqlState.out_of_memory, 'out of memory starting a transaction');
    this.dropReader(txn);
    txn.slot = slot;
    this.txns.set(slot, txn);
  }

  pinReadersBelow(horizon: number): void {
    // Backwards: startWriting() moves the last reader into the place it empties.
    for (let i = this.readers.length - 1; i >= 0; i--) {
      const t = this.readers[i]!;
      if (t.snapshot < horizon && t.state === 'active') this.startWriting(t);
    }
  }

  /**
   * Set by the session layer: the backend pids that session `pid` waits for
   * outside the store (an advisory lock's holders), so that a cycle through
   * them is found too.
   */
  externalWaits: ((pid: number) => readonly number[]) | undefined;

  /** The live transaction of the session with backend pid `pid`. */
  txnOfPid(pid: number): Txn | undefined {
    if (pid === 0) return undefined;
    for (const t of this.liveTxns()) if (t.pid === pid && (t.state === 'active' || t.state === 'committing')) return t;
    return undefined;
  }

  closesWaitCycle(txn: Txn, blocker: Txn): boolean {
    const seen = new Set<Txn>();
    const todo: Txn[] = [blocker];
    while (todo.length > 0) {
      const t = todo.pop()!;
      if (t === txn) return true;
      if (seen.has(t)) continue;
      seen.add(t);
      if (t.waitingFor !== undefined) todo.push(t.waitingFor);
      if (this.externalWaits !== undefined && t.pid !== 0) {
        for (const p of this.externalWaits(t.pid)) {
          if (p === txn.pid) return true;
          const u = this.txnOfPid(p);
          if (u !== undefined) todo.push(u);
        }
      }
    }
    return false;
  }

  /** Every live transaction (with a kernel slot, or a slotless reader). */
  *liveTxns(): IterableIterator<Txn> {
    yield* this.txns.values();
    yield* this.readers;
  }

  /** Takes a transaction out of the slotless readers (swap with the last). */
  private dropReader(txn: Txn): void {
    const i = txn.readerIndex;
    if (i < 0) return;
    const last = this.readers.pop()!;
    if (last !== txn) {
      this.readers[i] = last;
      last.readerIndex = i;
    }
    txn.readerIndex = -1;
  }

  afterWrite(): void {
    this.maintenance.afterWrite();
  }

  async commit(txn: Txn): Promise<void> {
    if (!txn.hasWrites()) return this.commitNoWrites(txn);
    this.assertOpen();
    const x = this.kernel.x;
    await this.maintenance.writeStallGate();
    this.assertOpen();
    if (txn.readKeys) this.validateSerializable(txn);
    const stamp = this.clock.now();
    const idPtr = this.kernel.ioBuffer(16);
    this.kernel.u8().set(txn.id, idPtr);
    this.kernel.check(x.tx_commit_prepare(txn.slot, idPtr, stamp), 'preparing a commit');
    if (this.kernel.resultU32(2) === 0) {
      // Every write was rolled back to a savepoint: nothing to log.
      this.finishLocal(txn);
      x.tx_commit_finish(txn.slot);
      this.stats.readOnlyCommits++;
      return;
    }
    const record = this.kernel.copyOut(this.kernel.resultU32(0), this.kernel.resultU32(1));
    txn.commitStamp = stamp;
    // Before the stamp is pending (so before it can be visible): a reader
    // whose snapshot excludes this commit sees modStamp > its snapshot.
    for (const ks of txn.wroteKeyspaces) if (ks.modStamp < stamp) ks.modStamp = stamp;
    this.pending.push(stamp);
    if (this.serializableLive > (txn.readKeys ? 1 : 0)) this.rememberCommit(stamp, record);
    const slot = txn.slot;
    await this.wal.append(record, () => {
      x.tx_commit_finish(slot);
      this.pendingHead++;
      if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
        this.pending.splice(0, this.pendingHead);
        this.pendingHead = 0;
      }
      this.finishLocal(txn);
    });
    this.stats.commits++;
    this.maintenance.afterCommit(record.length);
  }

  /** The commit of a transaction that wrote nothing: no WAL record, no promise (Txn.commitIfNoWrites). */
  commitNoWrites(txn: Txn): void {
    this.assertOpen();
    this.finishLocal(txn);
    if (txn.slot !== 0) this.kernel.x.tx_commit_finish(txn.slot);
    this.stats.readOnlyCommits++;
  }

  abort(txn: Txn): void {
    if (txn.slot !== 0) this.kernel.x.tx_abort(txn.slot);
    this.finishLocal(txn);
    this.stats.rollbacks++;
  }

  private finishLocal(txn: Txn): void {
    if (txn.slot !== 0 && this.txns.get(txn.slot) === txn) this.txns.delete(txn.slot);
    else this.dropReader(txn);
    if (txn.readKeys) {
      txn.readKeys = undefined;
      this.serializableLive--;
    }
  }

  private rememberCommit(stamp: number, record: Uint8Array): void {
    const keys: string[] = [];
    forEachOp(record, (_kind, key) => keys.push(binaryString(key)));
    this.recent.push({ stamp, keys });
    if (this.recent.length > 256) {
      let oldest = Infinity;
      for (const t of this.txns.values()) if (t.readKeys && t.snapshot < oldest) oldest = t.snapshot;
      this.recent = this.recent.filter((r) => r.stamp > oldest);
    }
  }

  /** Fails a serializable transaction that read anything a later commit wrote. */
  private validateSerializable(txn: Txn): void {
    const reads = txn.readKeys!;
    const ranges = txn.readRanges!;
    for (const c of this.recent) {
      if (c.stamp <= txn.snapshot) continue;
      for (const k of c.keys) {
        let hit = reads.has(k);
        for (let i = 0; !hit && i < ranges.length; i++) {
          const r = ranges[i]!;
          hit = k >= r.lo && (k < r.hi || (r.hiInclusive && k === r.hi));
        }
        if (hit) {
          this.stats.serializationFailures++;
          this.abort(txn);
          throw new SbError(SqlState.serialization_failure,
            'could not serialize access due to read/write dependencies among transactions',
            { detail: 'A concurrent transaction committed a change to data this transaction read.', hint: 'The transaction might succeed if retried.' });
        }
      }
    }
  }

  // ---- key spaces ----

  private loadKeyspaces(): void {
    const tx = this.begin({ readOnly: true });
    try {
      const c = tx.scan(SYSTEM_KEYSPACE, { lo: encoder.encode('n:'), hi: encoder.encode('n;') });
      while (c.next()) {
        const name = decoder.decode(c.key.subarray(2));
        const id = new DataView(c.value.buffer, c.value.byteOffset, 4).getUint32(0, false);
        this.keyspaces.set(name, makeKeyspace(id, name, this.clock.lastStamp()));
      }
    } finally {
      tx.rollback();
    }
  }

  getKeyspace(name: string): Keyspace | undefined {
    return this.keyspaces.get(name);
  }

  listKeyspaces(): Keyspace[] {
    return [...this.keyspaces.values()].sort((a, b) => a.id - b.id);
  }

  /** The key space of that name, created (durably) if it does not exist. */
  async keyspace(name: string): Promise<Keyspace> {
    for (let attempt = 0; ; attempt++) {
      const known = this.keyspaces.get(name);
      if (known) return known;
      const tx = this.begin({ isolation: 'snapshot' });
      try {
        const nameKey = encoder.encode(`n:${name}`);
        const existing = tx.get(SYSTEM_KEYSPACE, nameKey);
        if (existing) {
          tx.rollback();
          const ks = makeKeyspace(new DataView(existing.buffer, existing.byteOffset, 4).getUint32(0, false), name, this.clock.lastStamp());
          this.keyspaces.set(name, ks);
          return ks;
        }
        const seqKey = encoder.encode('seq');
        const seq = tx.get(SYSTEM_KEYSPACE, seqKey);
        const id = seq ? new DataView(seq.buffer, seq.byteOffset, 4).getUint32(0, false) : FIRST_USER_KEYSPACE;
        tx.put(SYSTEM_KEYSPACE, seqKey, u32(id + 1));
        tx.insert(SYSTEM_KEYSPACE, nameKey, u32(id));
        await tx.commit();
        const ks = makeKeyspace(id, name, this.clock.lastStamp());
        this.keyspaces.set(name, ks);
        return ks;
      } catch (e) {
        tx.rollback();
        if (e instanceof SbError && (e.code === SqlState.serialization_failure || e.code === SqlState.unique_violation) && attempt < 100) continue;
        throw e;
      }
    }
  }

  /** Drops a key space; its data is purged by compaction once no snapshot can read it. */
  async dropKeyspace(name: string): Promise<void> {
    const ks = this.keyspaces.get(name);
    if (!ks) throw new SbError(SqlState.undefined_object, `key space "${name}" does not exist`);
    const tx = this.begin({ isolation: 'snapshot' });
    try {
      tx.delete(SYSTEM_KEYSPACE, encoder.encode(`n:${name}`));
      await tx.commit();
    } catch (e) {
      tx.rollback();
      throw e;
    }
    this.keyspaces.delete(name);
    const prefix = [...ks.prefix].map((b) => b.toString(16).padStart(2, '0')).join('');
    await this.maintenance.updateManifest((m) => m.droppedPrefixes.push({ prefix, stamp: tx.commitStamp }));
  }

  // ---- maintenance and life cycle ----

  /** Freezes the memtable and writes it to a run (a checkpoint: the WAL before it is dropped). */
  async flush(): Promise<void> {
    this.assertOpen();
    await this.maintenance.requestFlush(true);
  }

  async compactAll(): Promise<void> {
    this.assertOpen();
    await this.maintenance.compactAll();
  }

  async gcSweep(): Promise<void> {
    this.assertOpen();
    await this.maintenance.gcSweep();
  }

  /** Kernel memory and cache figures, for metrics and the bounded-memory tests. */
  memoryStats(): { kernelBytes: number; kernelAllocated: number; activeMemtableBytes: number; frozenMemtableBytes: number; cacheUsed: number; cacheLimit: number; cacheHits: number; cacheMisses: number; cacheWarmed: number; runs: number } {
    const x = this.kernel.x;
    x.cache_stats();
    return {
      kernelBytes: x.mem_pages() * 65536,
      kernelAllocated: x.mem_allocated(),
      activeMemtableBytes: x.lsm_active_bytes(),
      frozenMemtableBytes: x.lsm_frozen_bytes(),
      cacheUsed: this.kernel.resultF64(4),
      cacheLimit: this.kernel.resultF64(5),
      cacheHits: this.kernel.resultF64(0),
      cacheMisses: this.kernel.resultF64(1),
      cacheWarmed: this.kernel.resultF64(6),
      runs: x.lsm_run_count(),
    };
  }

  /** MGA markers: live transactions, oldest active (OAT) and oldest snapshot (OST). */
  transactionStats(): { live: number; oldestActive: number; oldestSnapshot: number; gcHorizon: number } {
    const x = this.kernel.x;
    // Slotless readers count too; a reader's begin is its (first) snapshot.
    let oldestActive = x.tx_oldest_begin();
    let oldestSnapshot = x.tx_oldest_snapshot();
    for (const t of this.readers) {
      const b = t.beginStamp >= 0 ? t.beginStamp : t.snapshot;
      if (oldestActive < 0 || b < oldestActive) oldestActive = b;
      if (oldestSnapshot < 0 || t.snapshot < oldestSnapshot) oldestSnapshot = t.snapshot;
    }
    return { live: x.tx_live_count() + this.readers.length, oldestActive, oldestSnapshot, gcHorizon: this.maintenance.gcHorizon };
  }

  async close(opts: { checkpoint?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    if (opts.checkpoint && !this.wal.failed) await this.maintenance.requestFlush(true).catch(() => {});
    this.closed = true;
    for (const t of [...this.txns.values(), ...this.readers]) if (t.state === 'active') t.rollback();
    await this.maintenance.stop();
    await this.wal.close().catch(() => {});
    for (const id of this.kernel.fileIds()) await this.kernel.unregisterFile(id)?.close().catch(() => {});
    await this.lock.release();
  }
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
}
