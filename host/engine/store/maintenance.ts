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

/** Output of a job's first step; later steps are sized to take about JOB_SLICE_MS. */
const JOB_CHUNK_BYTES_FIRST = 128 << 10;
/** Smallest step output (the largest is JOB_CHUNK_BYTES). */
const JOB_CHUNK_BYTES_MIN = 16 << 10;
/** Kernel time a job step aims at: the longest the job holds the thread at once. */
const JOB_SLICE_MS = 1;
/** Job output gathered into one file write. */
const JOB_WRITE_BYTES = 1 << 20;
/** File writes of one job in flight at once. */
const JOB_WRITES_IN_FLIGHT = 2;
/** Times a flush starts again to leave out a key space dropped while it ran. */
const FLUSH_RESTARTS_MAX = 2;
/** A run file is synced in the background every this many bytes. */
const JOB_SYNC_BYTES = 8 << 20;
/** Blocks a background warm reads into the block cache per timer turn (about half a millisecond of reads from the page cache). */
const WARM_SLICE_BLOCKS = 128;

/** The step output size that takes about JOB_SLICE_MS at the rate just seen. */
export function nextChunk(chunk: number, len: number, ms: number): number {
  // A step that took no measurable time (coarse or manual clocks) may grow.
  const want = ms > 0 ? (len / ms) * JOB_SLICE_MS : chunk * 2;
  // Move halfway towards it: one slow step (GC, a page fault) is not a trend.
  const next = Math.round((chunk + want) / 2);
  return Math.min(JOB_CHUNK_BYTES, Math.max(JOB_CHUNK_BYTES_MIN, next));
}

/**
 * The output side of a flush or compaction: gathers kernel output into
 * buffers, writes them asynchronously (a bounded number at once) and syncs
 * the file in steps. Any write or sync failure is reported by a later call.
 */
export class JobOutput {
  /** Bytes handed to add() so far (the file size once finished). */
  size = 0;
  private buf: Uint8Array;
  private fill = 0;
  private writes: Array<Promise<void>> = [];
  /** Full buffers waiting for a write slot, with their file offsets. */
  private ready: Array<{ buf: Uint8Array; at: number }> = [];
  private spare: Uint8Array[] = [];
  private syncing: Promise<void> | undefined;
  private unsynced = 0;

  constructor(
    private readonly file: PlatformFile,
    private readonly writeBytes = JOB_WRITE_BYTES,
    private readonly syncBytes = JOB_SYNC_BYTES,
  ) {
    this.buf = new Uint8Array(writeBytes);
  }

  /** Copies `bytes` (a view of kernel memory, used only during the call) into the output; then call backpressure(). */
  add(bytes: Uint8Array): void {
    let from = 0;
    while (from < bytes.length) {
      const n = Math.min(bytes.length - from, this.buf.length - this.fill);
      this.buf.set(bytes.subarray(from, from + n), this.fill);
      this.fill += n;
      from += n;
      this.size += n;
      if (this.fill === this.buf.length) this.seal();
    }
  }

  /** Writes what is gathered and syncs the whole file; resolves once it is durable. */
  async finish(): Promise<void> {
    if (this.fill > 0) this.seal();
    await this.issueReady();
    await Promise.all(this.writes.splice(0));
    if (this.syncing) await this.syncing;
    this.syncing = undefined;
    await this.file.sync();
  }

  /** Waits for every write and sync started (after a failure, before the file is closed). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.writes.splice(0), this.syncing]);
  }

  /** Queues the gathered bytes for writing and starts a new buffer. */
  private seal(): void {
    this.ready.push({ buf: this.fill === this.buf.length ? this.buf : this.buf.subarray(0, this.fill), at: this.size - this.fill });
    this.buf = this.spare.pop() ?? new Uint8Array(this.writeBytes);
    this.fill = 0;
  }

  /** Starts the queued writes, at most JOB_WRITES_IN_FLIGHT at once; returns with fewer than that in flight. */
  private async issueReady(): Promise<void> {
    for (;;) {
      while (this.writes.length >= JOB_WRITES_IN_FLIGHT) await this.writes.shift();
      const next = this.ready.shift();
      if (!next) return;
      const w = this.file.write(next.buf, next.at).then(() => {
        if (next.buf.length === this.writeBytes) this.spare.push(next.buf);
      });
      w.catch(() => {}); // reported when it is awaited
      this.writes.push(w);
      this.unsynced += next.buf.length;
    }
  }

  /** Starts queued writes (waiting while too many are in flight), and a background sync every syncBytes. */
  async backpressure(): Promise<void> {
    await this.issueReady();
    if (this.unsynced < this.syncBytes) return;
    // Every write issued so far must be complete before the sync that covers it starts.
    await Promise.all(this.writes.splice(0));
    if (this.syncing) await this.syncing;
    this.unsynced = 0;
    const s = this.file.sync();
    s.catch(() => {}); // reported by the next backpressure() or finish()
    this.syncing = s;
  }
}

/** A job's run: runId 0 when the job kept nothing (no file then). */
interface JobResult {
  runId: number;
  fileId: number;
  size: number;
  record?: RunRecord;
}

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
  /** Gives a kernel slot to every slotless reader whose snapshot is below `horizon` (the kernel then keeps what it reads). */
  pinReadersBelow(horizon: number): void;
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
  /** Flushes started again to leave out a key space dropped while they ran. */
  flushRestarts = 0;
  /** Freezes left out because the memtable held mostly live transactions' writes. */
  freezesSkipped = 0;

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

  /** `recordBytes`: the size of the commit's WAL record, about what its versions hold in the memtable. */
  afterCommit(recordBytes = 0): void {
    // A big transaction counted as carried (or skipped over) is settled now:
    // its bytes count toward the next freeze again. (Small commits are left
    // out: they are mostly transactions that began after the count, whose
    // bytes were never in it, and would make freezes twice as frequent.)
    if (this.carriedBytes > 0 && recordBytes >= this.h.options.memtableBytesMax / 8) {
      this.carriedBytes = Math.max(0, this.carriedBytes - recordBytes);
    }
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
    this.freezing = this.freeze(false)
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
  private freeze(force = true): Promise<void> {
    return this.h.wal.runAtBoundary(() => {
      const k = this.h.kernel;
      const active = k.x.lsm_active_bytes();
      if (active === 0) return; // nothing was ever written to it
      if (!force && active - k.x.lsm_live_bytes() < this.h.options.memtableBytesMax / 2) {
        // Mostly live transactions' writes (a big COPY or table rewrite): a
        // freeze would copy them into the new memtable and free little.
        // Count them as carried, so the next try waits for as much more.
        this.carriedBytes = active;
        this.freezesSkipped++;
        return;
      }
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
    // Readers without a kernel slot (Txn.slot) below the horizon get one now, before the job collects the live snapshots.
    this.h.pinReadersBelow(h);
    return h;
  }

  private async flushOldest(): Promise<void> {
    const k = this.h.kernel;
    const f = this.frozen[0]!;
    let out: JobResult | undefined;
    for (let attempt = 0; !out; attempt++) {
      const horizon = this.horizon();
      const job = k.x.flush_begin(horizon, k.x.lsm_run_count() === 0 ? 1 : 0, this.h.options.blockBytes, this.h.options.bloomBitsPerKey);
      if (job === 0) throw new SbError(SqlState.out_of_memory, 'out of memory starting a flush');
      try {
        // Key spaces dropped before the horizon are left out, as compaction
        // does: after ALTER TABLE ... ADD PRIMARY KEY (which moves the table
        // to new key spaces) the memtable holds the whole old copy.
        const applied = this.addDropPrefixes(job, horizon);
        // A key space dropped while the flush runs (the ALTER commits during
        // it) would be written out whole: start again without it, at most
        // FLUSH_RESTARTS_MAX times.
        const dropsAtStart = this.h.manifest.droppedPrefixes;
        const restart = attempt >= FLUSH_RESTARTS_MAX ? undefined : (): boolean => {
          const now = this.h.manifest.droppedPrefixes;
          if (now === dropsAtStart) return false;
          const limit = this.dropLimit(this.horizon());
          return now.some((d) => d.stamp <= limit && !applied.includes(d.prefix));
        };
        out = await this.writeJob(job, restart);
        if (out) {
          this.collectJobStats(job);
          this.h.stats.bytesFlushed += out.size;
        } else {
          this.flushRestarts++;
        }
      } finally {
        k.x.job_free(job);
      }
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
    if (out.runId) {
      this.addRun(out.runId, out.fileId, out.record!);
      this.warm(out.runId);
    }
    this.frozen.shift();
    this.h.stats.flushes++;
    // Segments wholly before f.until are covered by runs now.
    for (let s = f.since.segment; s < f.until.segment; s++) {
      await this.removeQuietly(segmentName(s));
    }
  }

  /**
   * Runs a flush or compaction job, writing its output to a new run file.
   *
   * The job shares the one thread with every session, so it never holds it
   * for long: each kernel step is sized to take about JOB_SLICE_MS while
   * transactions run (JOB_CHUNK_BYTES otherwise), and the job yields to the
   * event loop after every step. Output is gathered into JOB_WRITE_BYTES
   * buffers written asynchronously, up to JOB_WRITES_IN_FLIGHT at once (few
   * thread-pool round trips). The file is made durable in steps: every
   * JOB_SYNC_BYTES an fdatasync starts in the background (one at a time), so
   * the device never holds more than a few MiB of the run's dirty pages in
   * front of the WAL's durable writes, and the final sync is short. The crash
   * protocol is unchanged: the manifest names the run only after the final
   * sync of the file and its folder.
   */
  private async writeJob(job: number, restart?: () => boolean): Promise<JobResult | undefined> {
    const { platform, dir, kernel: k } = this.h;
    const name = runFileName(this.h.manifest.nextFile++);
    const path = platform.joinPath(dir, name);
    const file = await platform.openFile(path, 'create');
    const out = new JobOutput(file);
    let fileId = 0;
    try {
      await file.truncate(0);
      let chunk = JOB_CHUNK_BYTES_FIRST;
      for (;;) {
        const t0 = platform.monotonicMs();
        const st = k.x.job_step(job, chunk);
        const ms = platform.monotonicMs() - t0;
        if (st < 0) k.check(st, 'writing a sorted run');
        const len = k.x.job_out_len(job);
        if (len > 0) {
          chunk = nextChunk(chunk, len, ms);
          const at = k.x.job_out_ptr(job) >>> 0;
          out.add(k.u8().subarray(at, at + len));
          k.x.job_out_consume(job);
          await out.backpressure();
        }
        if (st === ST.OK) break;
        // Let sessions run between slices (socket reads, WAL completions).
        if (platform.yieldToEventLoop) await platform.yieldToEventLoop();
        if (restart?.()) {
          await out.settle();
          await file.close().catch(() => {});
          await platform.remove(path).catch(() => {});
          return undefined;
        }
      }
      if (k.x.job_entries(job) === 0) {
        // Nothing kept: no run (and no sync of a file about to be deleted).
        await out.settle();
        await file.close();
        await platform.remove(path);
        return { runId: 0, fileId: 0, size: 0 };
      }
      await out.finish();
      const pos = out.size;
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
      await out.settle();
      if (fileId !== 0) k.unregisterFile(fileId);
      await file.close().catch(() => {});
      await platform.remove(path).catch(() => {});
      throw e;
    }
  }

  /**
   * A key space dropped at a stamp at or below this is read by no one: the
   * horizon, or the oldest live snapshot if older (a snapshot taken before
   * the drop still reads the key space; call after horizon(), which gives
   * every reader below the horizon a kernel slot).
   */
  private dropLimit(horizon: number): number {
    const oldest = this.h.kernel.x.tx_oldest_snapshot();
    return oldest < 0 ? horizon : Math.min(horizon, oldest);
  }

  /** Tells a job to leave out the key spaces no one can read any more (see dropLimit); returns their prefixes. */
  private addDropPrefixes(job: number, horizon: number): string[] {
    const k = this.h.kernel;
    const applied: string[] = [];
    const limit = this.dropLimit(horizon);
    for (const d of this.h.manifest.droppedPrefixes) {
      if (d.stamp > limit) continue;
      const bytes = hexBytes(d.prefix);
      const p = k.ioBuffer(bytes.length);
      k.u8().set(bytes, p);
      k.check(k.x.job_add_drop_prefix(job, p, bytes.length), 'flush or compaction setup');
      applied.push(d.prefix);
    }
    return applied;
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
    let out: JobResult;
    try {
      purged.push(...this.addDropPrefixes(job, horizon));
      out = (await this.writeJob(job))!;
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
      if (out.runId) {
        this.addRun(out.runId, out.fileId, out.record!);
        this.warm(out.runId);
      }
    } finally {
      k.x.job_free(job);
    }
    for (const r of inputs) this.runs.delete(r.runId);
    this.h.stats.compactions++;
    await this.collectDeadFiles();
  }

  /**
   * Reads a new run's blocks into the block cache in the background, while
   * the cache has room (the kernel evicts nothing for it and stops at 3/4
   * of its budget), WARM_SLICE_BLOCKS at a time with a timer turn between
   * slices: the run was just written, so its file is in the OS page cache
   * and its rows are the newest (a load, a rebuilt table, a compaction of
   * blocks readers had cached). Without it the first reads after a load
   * each missed the cache, a block at a time. Blocks wholly in a dropped key
   * space (a table's old copy after ALTER TABLE moved it) are left out.
   */
  private warm(runId: number): void {
    if (!this.h.options.background || this.stopped) return;
    let next = 0;
    const slice = (): void => {
      if (this.stopped) return;
      next = this.h.kernel.x.run_warm(runId, next, WARM_SLICE_BLOCKS, this.droppedPrefixesBuffer());
      if (next >= 0) this.h.platform.setTimer(slice, 0);
    };
    this.h.platform.setTimer(slice, 0);
  }

  /**
   * The dropped key spaces' prefixes in kernel memory for run_warm ([u32
   * count] then [u32 length][bytes] each; 0 when none): their blocks are
   * the old copies of tables, which no new statement reads.
   */
  private droppedPrefixesBuffer(): number {
    return this.prefixesBuffer(this.h.manifest.droppedPrefixes);
  }

  /** Prefixes in kernel memory as run_warm and run_blocks_within take them (0 when none; valid until the next ioBuffer use). */
  private prefixesBuffer(drops: ReadonlyArray<{ prefix: string }>): number {
    if (drops.length === 0) return 0;
    const parts = drops.map((d) => hexBytes(d.prefix));
    const buf = new Uint8Array(4 + parts.reduce((n, b) => n + 4 + b.length, 0));
    const dv = new DataView(buf.buffer);
    dv.setUint32(0, parts.length, true);
    let at = 4;
    for (const b of parts) {
      dv.setUint32(at, b.length, true);
      buf.set(b, at + 4);
      at += 4 + b.length;
    }
    const k = this.h.kernel;
    const p = k.ioBuffer(buf.length);
    k.u8().set(buf, p);
    return p;
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
   * horizon, or key spaces dropped below it: a table's old copy after ALTER
   * TABLE ... ADD PRIMARY KEY, a dropped or truncated table), so garbage does
   * not wait for size-tiered compaction, which may never pick a large run.
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
    const limit = this.dropLimit(horizon);
    const purgeable = this.h.manifest.droppedPrefixes.filter((d) => d.stamp <= limit);
    // Kernel memory for the prefixes, filled once (run_info and run_blocks_within leave the I/O buffer alone).
    const skip = purgeable.length > 0 ? this.prefixesBuffer(purgeable) : 0;
    for (let i = 0; i < runs.length; i++) {
      k.check(k.x.run_info(runs[i]!.runId), 'reading run statistics');
      const entries = k.resultF64(0);
      const keys = k.resultF64(1);
      const tombstones = k.resultF64(2);
      const minStamp = k.resultF64(3);
      const blocks = k.resultU32(0);
      // The share of the run's blocks that hold only dropped key spaces no one reads any more (from its index).
      const dropped = skip !== 0 && blocks > 0 && minStamp <= limit ? k.x.run_blocks_within(runs[i]!.runId, skip) / blocks : 0;
      if (dropped >= 0.25) {
        await this.compact(i, 1);
        return;
      }
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
