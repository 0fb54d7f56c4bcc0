// Background maintenance of the LSM tree: memtable freeze and flush,
// size-tiered compaction, the garbage-collection sweep, and deletion of run
// files nobody reads any more. Flushes and compactions run in two lanes (a
// compaction never holds up a flush); manifest updates are serialised.
//
// Crash safety: a run file is fsynced (and its folder) before the manifest
// names it; the manifest is replaced atomically; WAL segments and old runs are
// deleted only after a manifest that no longer needs them is durable.

import type { Platform, PlatformFile } from '../../platform/platform.ts';
import { SbError, SqlState } from '../sb_error.ts';
import { ST, type StorageKernel } from '../../storage/kernel.ts';
import { type Manifest, type RunRecord, runFileName, writeManifest } from '../../storage/manifest.ts';
import { segmentName, type Wal } from '../../storage/wal.ts';
import { stampFromDate, type HybridClock } from '../ids/hlc.ts';
import { FROZEN_MEMTABLES_MAX, JOB_CHUNK_BYTES, type ResolvedOptions } from './options.ts';
import type { StoreStats } from './store_core.ts';

/** Output per job step while transactions are live (JOB_CHUNK_BYTES otherwise). */
const JOB_CHUNK_BYTES_BUSY = 128 << 10;

export interface MaintenanceHost {
  readonly platform: Platform;
  readonly dir: string;
  readonly kernel: StorageKernel;
  readonly options: ResolvedOptions;
  readonly stats: StoreStats;
  readonly clock: HybridClock;
  readonly manifest: Manifest;
  wal: Wal;
  snapshotStamp(): number;
}

/** A place in the WAL: segment number and byte offset of a record boundary. */
export interface WalPos {
  segment: number;
  offset: number;
}

interface Frozen {
  /** Where this memtable's commits begin in the WAL. */
  since: WalPos;
  /** The WAL end when it was frozen: once it is flushed, replay starts there. */
  until: WalPos;
}

export class Maintenance {
  /** Where the active memtable's commits begin in the WAL. */
  activeSince: WalPos;
  /** Bytes the active memtable held right after its freeze (live transactions' writes carried over). */
  private carriedBytes = 0;
  readonly frozen: Frozen[] = [];
  /** Highest GC horizon ever used: AS OF below it is refused. */
  gcHorizon: number;
  private flushing: Promise<void> | undefined;
  private freezing: Promise<void> | undefined;
  /** Compactions run one at a time, in this chain. */
  private compactionChain: Promise<void> = Promise.resolve();
  private compactionQueued: Promise<void> | undefined;
  private manifestChain: Promise<void> = Promise.resolve();
  private readonly runs = new Map<number, { fileId: number; record: RunRecord }>();
  private stopTimer: (() => void) | undefined;
  private stopped = false;
  /** First background failure; later operations report it. */
  failure: unknown;

  constructor(private readonly h: MaintenanceHost, walStart: WalPos) {
    this.activeSince = walStart;
    this.gcHorizon = h.manifest.gcHorizon;
  }

  start(): void {
    if (!this.h.options.background) return;
    const tick = (): void => {
      if (this.stopped) return;
      void this.gcSweep().catch((e) => this.noteFailure(e)).finally(() => {
        if (!this.stopped) this.stopTimer = this.h.platform.setTimer(tick, this.h.options.sweepIntervalMs);
      });
    };
    this.stopTimer = this.h.platform.setTimer(tick, this.h.options.sweepIntervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopTimer?.();
    await Promise.allSettled([this.freezing, this.flushing, this.compactionChain, this.manifestChain]);
  }

  private noteFailure(e: unknown): void {
    if (this.failure === undefined) this.failure = e;
  }

  /** Registers a run that is part of the tree (at open, or after a flush/compaction). */
  addRun(runId: number, fileId: number, record: RunRecord): void {
    this.runs.set(runId, { fileId, record });
  }

  // ---- triggers ----

  afterWrite(): void {
    if (!this.h.options.background || this.stopped) return;
    // Bytes carried over at the last freeze belong to transactions still
    // running; freezing again would only carry them once more.
    if (this.h.kernel.x.lsm_active_bytes() - this.carriedBytes >= this.h.options.memtableBytesMax) this.requestFreeze();
  }

  afterCommit(): void {
    this.afterWrite();
  }

  /**
   * Freezing is decoupled from flushing: a full memtable is frozen at the
   * next WAL batch boundary even while an older one is still being written
   * out, so the active memtable stays near its limit; up to
   * FROZEN_MEMTABLES_MAX memtables wait for the flush loop.
   */
  private requestFreeze(): void {
    if (this.freezing || this.frozen.length >= FROZEN_MEMTABLES_MAX) {
      this.ensureFlushLoop();
      return;
    }
    this.freezing = this.freeze()
      .catch((e) => this.noteFailure(e))
      .finally(() => {
        this.freezing = undefined;
        this.ensureFlushLoop();
      });
  }

  /**
   * Runs the flush loop if memtables wait for it. A loop that fails is not
   * restarted here (its error goes to whoever waits on it); the next write,
   * commit or flush request tries again.
   */
  private ensureFlushLoop(): Promise<void> {
    if (!this.flushing && this.frozen.length > 0 && !this.stopped) {
      this.flushing = this.flushLoop().then(
        () => {
          this.flushing = undefined;
          // Memtables frozen while the loop was finishing, or a full active one.
          if (this.frozen.length > 0) void this.ensureFlushLoop().catch(() => {});
          else this.afterWrite();
        },
        (e) => {
          this.flushing = undefined;
          this.noteFailure(e);
          throw e;
        },
      );
    }
    return this.flushing ?? Promise.resolve();
  }

  private async flushLoop(): Promise<void> {
    while (this.frozen.length > 0 && !this.stopped) await this.flushOldest();
    if (this.h.options.background) void this.requestCompaction().catch((e) => this.noteFailure(e));
  }

  /**
   * Committers wait here while the flush lags: every frozen slot is taken
   * and the active memtable is full again. (Only flushes can free a slot; the
   * active memtable itself may stay over its limit while one transaction's
   * uncommitted writes fill it, since those move with every freeze.)
   */
  async writeStallGate(): Promise<void> {
    const limit = this.h.options.memtableBytesMax;
    while (!this.stopped && this.frozen.length >= FROZEN_MEMTABLES_MAX && this.h.kernel.x.lsm_active_bytes() >= limit) {
      this.h.stats.writeStalls++;
      await this.ensureFlushLoop(); // a flush that fails fails this commit too
    }
  }

  /** Freezes the active memtable (if it holds anything) and flushes every frozen one. */
  async requestFlush(force = false): Promise<void> {
    if (this.freezing) await this.freezing;
    if (force || this.h.kernel.x.lsm_active_bytes() >= this.h.options.memtableBytesMax) {
      // Wait for a free frozen slot, then freeze what was written before the call.
      while (this.frozen.length >= FROZEN_MEMTABLES_MAX) {
        if (this.stopped) throw new SbError(SqlState.object_not_in_prerequisite_state, 'the store is closing');
        await this.ensureFlushLoop();
      }
      await this.freeze();
    }
    // Flush until every memtable frozen so far is written out (a failure rejects).
    while (this.frozen.length > 0) {
      if (this.stopped) throw new SbError(SqlState.object_not_in_prerequisite_state, 'the store is closing');
      await this.ensureFlushLoop();
    }
  }

  /**
   * Freezes at a WAL batch boundary: every record written so far is durable
   * and its versions stamped, every record still queued belongs to a
   * transaction whose versions the freeze carries into the new memtable, so
   * the WAL end at this moment splits the log exactly between the two.
   */
  private freeze(): Promise<void> {
    return this.h.wal.runAtBoundary(() => {
      const k = this.h.kernel;
      if (k.x.lsm_active_bytes() === 0) return; // nothing was ever written to it
      const st = k.x.lsm_freeze();
      if (st === ST.ERR_STATE) return; // too many frozen already; the flush loop drains them first
      k.check(st, 'freezing the memtable');
      const until = this.h.wal.end;
      this.frozen.push({ since: this.activeSince, until });
      this.activeSince = until;
      this.carriedBytes = k.x.lsm_active_bytes();
    });
  }

  /**
   * The GC horizon: every point at or above it stays readable (new snapshots,
   * AS OF within the retention). Live snapshots below it are protected by the
   * kernel individually. Raises gcHorizon, below which AS OF is refused.
   */
  horizon(): number {
    let h = this.h.snapshotStamp();
    const retention = this.h.options.historyRetentionMs;
    if (retention > 0) h = Math.min(h, stampFromDate(this.h.platform.wallClockMs() - retention));
    h = Math.max(h, this.gcHorizon, 0);
    if (h > this.gcHorizon) this.gcHorizon = h;
    return h;
  }

  private async flushOldest(): Promise<void> {
    const k = this.h.kernel;
    const f = this.frozen[0]!;
    const horizon = this.horizon();
    const job = k.x.flush_begin(horizon, k.x.lsm_run_count() === 0 ? 1 : 0, this.h.options.blockBytes, this.h.options.bloomBitsPerKey);
    if (job === 0) throw new SbError(SqlState.out_of_memory, 'out of memory starting a flush');
    let out: Awaited<ReturnType<Maintenance['writeJob']>>;
    try {
      out = await this.writeJob(job);
      this.collectJobStats(job);
      this.h.stats.bytesFlushed += out.size;
    } finally {
      k.x.job_free(job);
    }
    try {
      await this.updateManifest((m) => {
        if (out.runId) m.runs.unshift(out.record!);
        m.walStart = f.until.segment;
        m.walStartOffset = f.until.offset;
      });
    } catch (e) {
      this.abandonRun(out);
      throw e;
    }
    k.check(k.x.lsm_install_flush(out.runId), 'installing a flushed run');
    if (out.runId) this.addRun(out.runId, out.fileId, out.record!);
    this.frozen.shift();
    this.h.stats.flushes++;
    // Segments wholly before f.until are covered by runs now.
    for (let s = f.since.segment; s < f.until.segment; s++) {
      await this.removeQuietly(segmentName(s));
    }
  }

  /** Runs a flush or compaction job, writing its output to a new run file. */
  private async writeJob(job: number): Promise<{ runId: number; fileId: number; size: number; record?: RunRecord }> {
    const { platform, dir, kernel: k } = this.h;
    const name = runFileName(this.h.manifest.nextFile++);
    const path = platform.joinPath(dir, name);
    const file = await platform.openFile(path, 'create');
    let pos = 0;
    let fileId = 0;
    try {
      await file.truncate(0);
      for (;;) {
        // A step runs synchronously in the kernel: while transactions are
        // live, take small ones so they wait less for the event loop.
        const st = k.x.job_step(job, k.x.tx_live_count() > 0 ? JOB_CHUNK_BYTES_BUSY : JOB_CHUNK_BYTES);
        if (st < 0) k.check(st, 'writing a sorted run');
        const len = k.x.job_out_len(job);
        if (len > 0) {
          const bytes = k.u8().slice(k.x.job_out_ptr(job) >>> 0, (k.x.job_out_ptr(job) >>> 0) + len);
          k.x.job_out_consume(job);
          await file.write(bytes, pos);
          pos += len;
        }
        if (st === ST.OK) break;
      }
      if (k.x.job_entries(job) === 0) {
        await file.close();
        await platform.remove(path);
        return { runId: 0, fileId: 0, size: 0 };
      }
      await file.sync();
      await platform.syncDir(dir);
      fileId = k.registerFile(file);
      const runId = k.x.run_open(fileId, pos);
      if (runId < 0) throw new SbError(SqlState.data_corrupted, `a run just written cannot be opened (${runId})`);
      k.check(k.x.run_info(runId), 'reading run statistics');
      const record: RunRecord = {
        file: name,
        size: pos,
        entries: k.resultF64(0),
        minStamp: k.resultF64(3),
        maxStamp: k.resultF64(4),
      };
      return { runId, fileId, size: pos, record };
    } catch (e) {
      if (fileId !== 0) k.unregisterFile(fileId);
      await file.close().catch(() => {});
      await platform.remove(path).catch(() => {});
      throw e;
    }
  }

  /**
   * A run whose manifest update failed: the new manifest may or may not be on
   * disk, so the file stays (a restart deletes it if the old manifest won);
   * the kernel lets go of it and the work is retried.
   */
  private abandonRun(out: { runId: number; fileId: number }): void {
    if (!out.runId) return;
    this.h.kernel.x.run_release(out.runId);
    void this.h.kernel.unregisterFile(out.fileId)?.close().catch(() => {});
  }

  private collectJobStats(job: number): void {
    const x = this.h.kernel.x;
    this.h.stats.gcVersionsDropped += x.job_stat(job, 2);
    this.h.stats.gcTombstonesDropped += x.job_stat(job, 3);
    this.h.stats.gcSupersededDropped += x.job_stat(job, 4);
  }

  /** Applies a change to a copy, writes it, and adopts it only once durable. */
  updateManifest(change: (m: Manifest) => void): Promise<void> {
    const next = this.manifestChain.then(async () => {
      const m: Manifest = JSON.parse(JSON.stringify(this.h.manifest));
      change(m);
      m.maxStamp = Math.max(m.maxStamp, this.h.clock.lastStamp());
      m.gcHorizon = Math.max(m.gcHorizon, this.gcHorizon);
      m.nextFile = Math.max(m.nextFile, this.h.manifest.nextFile);
      await writeManifest(this.h.platform, this.h.dir, m);
      // File numbers taken while the write was in flight must not be handed out again.
      m.nextFile = Math.max(m.nextFile, this.h.manifest.nextFile);
      Object.assign(this.h.manifest, m);
    });
    this.manifestChain = next.catch(() => {});
    return next;
  }

  // ---- compaction ----

  /** Queues `work` behind every compaction already queued. */
  private inCompactionLane(work: () => Promise<void>): Promise<void> {
    const next = this.compactionChain.catch(() => {}).then(work);
    this.compactionChain = next.catch(() => {});
    return next;
  }

  /** Size-tiered compactions until the tree is in shape (one queued request at a time). */
  requestCompaction(): Promise<void> {
    if (!this.compactionQueued) {
      this.compactionQueued = this.inCompactionLane(async () => {
        this.compactionQueued = undefined;
        await this.runCompactions();
      });
    }
    return this.compactionQueued;
  }

  private async runCompactions(): Promise<void> {
    for (let guard = 0; guard < 64 && !this.stopped; guard++) {
      const pick = this.pickCompaction();
      if (!pick) return;
      await this.compact(pick.first, pick.count);
    }
  }

  /** Size-tiered: merge the newest runs while each next one is not much bigger than those before it. */
  private pickCompaction(): { first: number; count: number } | undefined {
    const sizes = this.kernelRuns().map((r) => r.record.size);
    const n = sizes.length;
    if (n < 2) return undefined;
    let total = sizes[0]!;
    let count = 1;
    while (count < n && sizes[count]! <= total * 1.2) total += sizes[count++]!;
    if (count >= this.h.options.compactionMinRuns) return { first: 0, count };
    if (n > this.h.options.compactionMaxRuns) return { first: 0, count: Math.min(n, Math.max(this.h.options.compactionMinRuns, n - this.h.options.compactionMaxRuns + 2)) };
    return undefined;
  }

  private kernelRuns(): Array<{ runId: number; fileId: number; record: RunRecord }> {
    const x = this.h.kernel.x;
    const out = [];
    const n = x.lsm_run_count();
    for (let i = 0; i < n; i++) {
      const runId = x.lsm_run_id_at(i);
      const r = this.runs.get(runId);
      if (!r) throw new SbError(SqlState.internal_error, `run ${runId} is not registered`);
      out.push({ runId, ...r });
    }
    return out;
  }

  /** Merges `count` adjacent runs starting at position `first` (0 = newest). Call in the compaction lane. */
  private async compact(first: number, count: number): Promise<void> {
    const k = this.h.kernel;
    const all = this.kernelRuns();
    const inputs = all.slice(first, first + count);
    if (inputs.length === 0) return;
    const bottom = first + count === all.length;
    const horizon = this.horizon();
    const job = k.x.compact_begin(first, count, horizon, bottom ? 1 : 0, this.h.options.blockBytes, this.h.options.bloomBitsPerKey);
    if (job === 0) throw new SbError(SqlState.out_of_memory, 'out of memory starting a compaction');
    const purged: string[] = [];
    let out: Awaited<ReturnType<Maintenance['writeJob']>>;
    try {
      for (const d of this.h.manifest.droppedPrefixes) {
        if (d.stamp > horizon) continue;
        const bytes = hexBytes(d.prefix);
        const p = k.ioBuffer(bytes.length);
        k.u8().set(bytes, p);
        k.check(k.x.job_add_drop_prefix(job, p, bytes.length), 'compaction setup');
        purged.push(d.prefix);
      }
      out = await this.writeJob(job);
      this.collectJobStats(job);
      this.h.stats.bytesCompacted += out.size;
      const names = new Set(inputs.map((r) => r.record.file));
      try {
        await this.updateManifest((m) => {
          const at = m.runs.findIndex((r) => names.has(r.file));
          m.runs = m.runs.filter((r) => !names.has(r.file));
          if (out.runId) m.runs.splice(at < 0 ? m.runs.length : at, 0, out.record!);
          if (bottom) m.droppedPrefixes = m.droppedPrefixes.filter((d) => !purged.includes(d.prefix));
        });
      } catch (e) {
        this.abandonRun(out);
        throw e;
      }
      k.check(k.x.job_install_compaction(job, out.runId), 'installing a compacted run');
      if (out.runId) this.addRun(out.runId, out.fileId, out.record!);
    } finally {
      k.x.job_free(job);
    }
    for (const r of inputs) this.runs.delete(r.runId);
    this.h.stats.compactions++;
    await this.collectDeadFiles();
  }

  /** Merges every run into one (bottommost: drops collectable tombstones). */
  compactAll(): Promise<void> {
    return this.inCompactionLane(async () => {
      const n = this.h.kernel.x.lsm_run_count();
      if (n > 0) await this.compact(0, n);
    });
  }

  /** Closes and deletes the files of retired runs no reader holds any more. */
  async collectDeadFiles(): Promise<void> {
    const k = this.h.kernel;
    for (;;) {
      const fileId = k.x.run_take_dead_file();
      if (fileId < 0) break;
      const file = k.unregisterFile(fileId);
      if (!file) continue;
      const size = file.size();
      await file.close().catch(() => {});
      await this.removeQuietly(baseName(file));
      this.h.stats.gcBytesReclaimed += size;
    }
  }

  private async removeQuietly(name: string): Promise<void> {
    const path = this.h.platform.joinPath(this.h.dir, name);
    try {
      if (await this.h.platform.exists(path)) await this.h.platform.remove(path);
    } catch {
      // A leftover file is deleted at the next open; never fail maintenance for it.
    }
  }

  /**
   * The GC sweep: releases dead run files and rewrites runs that carry many
   * versions no snapshot can see (old versions and tombstones below the
   * horizon), so garbage does not wait for size-tiered compaction.
   */
  async gcSweep(): Promise<void> {
    this.h.stats.gcSweeps++;
    await this.collectDeadFiles();
    if (this.stopped) return;
    await this.inCompactionLane(() => this.sweepRuns());
  }

  private async sweepRuns(): Promise<void> {
    const horizon = this.horizon();
    const k = this.h.kernel;
    const runs = this.kernelRuns();
    for (let i = 0; i < runs.length; i++) {
      k.check(k.x.run_info(runs[i]!.runId), 'reading run statistics');
      const entries = k.resultF64(0);
      const keys = k.resultF64(1);
      const tombstones = k.resultF64(2);
      const minStamp = k.resultF64(3);
      if (entries === 0 || minStamp > horizon) continue;
      const garbage = entries - keys + (i === runs.length - 1 ? tombstones : 0);
      if (garbage / entries >= 0.25) {
        await this.compact(i, 1);
        return;
      }
    }
  }
}

function baseName(f: PlatformFile): string {
  const i = f.path.lastIndexOf('/');
  return i >= 0 ? f.path.slice(i + 1) : f.path;
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
