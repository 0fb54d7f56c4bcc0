// The in-memory platform: the browser's store and the deterministic simulation
// host (CONVENTIONS.md, "Tests as data"). One seeded PRNG makes every random
// choice (crash outcomes, randomFill), so a failing run replays from its seed.
// Faults: crash() models power loss (see memory_fs.ts), failNext() and
// diskFullAfterBytes() inject I/O errors, and a manual clock drives time.

import type { FolderLock, OpenMode, OpenOptions, Platform, PlatformFile } from './platform.ts';
import { acquireFolderLock, encodeLockRecord, joinPathParts, lock_file_name, randomToken } from './lock_file.ts';
import { Inode, MemoryDisk, normalizePath, parentOf, type CrashOptions } from './memory_fs.ts';
import { SeededRandom } from './seeded_random.ts';

export type { CrashOptions } from './memory_fs.ts';

export interface MemoryPlatformOptions {
  /** PRNG seed; random when omitted (read it back from `seed` to replay). */
  seed?: number;
  /** Source of build artefacts (e.g. fetch() in a browser). */
  assets?: (relPath: string) => Promise<Uint8Array>;
  /** Initial wall clock of the manual clock, Unix ms. */
  startWallMs?: number;
  /** Time moves only through advanceClock()/setWallClock(); timers fire there. */
  manualClock?: boolean;
}

export type FaultOp = 'write' | 'sync' | 'syncDir' | 'read' | 'open' | 'rename' | 'remove' | 'truncate';

export interface MemoryStats {
  reads: number;
  bytesRead: number;
  writes: number;
  bytesWritten: number;
  syncs: number;
  dirSyncs: number;
}

/** 2024-01-01T00:00:00Z: a fixed default so manual-clock runs replay. */
const default_start_wall_ms = 1_704_067_200_000;
const first_pid = 1000;

export function ioError(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

interface ManualTimer {
  due: number;
  seq: number;
  fn: () => void;
}

class MemoryFile implements PlatformFile {
  private closed = false;

  constructor(
    private readonly owner: MemoryPlatform,
    readonly path: string,
    private readonly inode: Inode,
    private readonly writable: boolean,
    /** Opened with dataSync: each completed write is already durable. */
    readonly syncsOnWrite = false,
  ) {}

  private check(forWrite: boolean): void {
    this.owner.assertAlive();
    if (this.closed) throw ioError('EBADF', `file "${this.path}" is closed`);
    if (forWrite && !this.writable) throw ioError('EBADF', `file "${this.path}" is open read-only`);
  }

  readSync(buf: Uint8Array, position: number): number {
    this.check(false);
    this.owner.takeFault('read');
    const n = this.inode.current.read(buf, position);
    this.owner.stats.reads++;
    this.owner.stats.bytesRead += n;
    return n;
  }

  async write(buf: Uint8Array, position: number): Promise<void> {
    this.check(true);
    this.owner.takeFault('write');
    const allowed = this.owner.takeDiskBudget(buf.length);
    // A full disk takes what fits, like a short pwrite followed by ENOSPC.
    if (allowed > 0) this.inode.apply({ kind: 'write', pos: position, bytes: buf.slice(0, allowed) });
    this.owner.stats.writes++;
    this.owner.stats.bytesWritten += allowed;
    if (allowed < buf.length) throw ioError('ENOSPC', `no space left writing "${this.path}"`);
    if (this.syncsOnWrite) await this.sync();
  }

  writeSync(buf: Uint8Array, position: number): void {
    this.check(true);
    this.owner.takeFault('write');
    const allowed = this.owner.takeDiskBudget(buf.length);
    if (allowed > 0) this.inode.apply({ kind: 'write', pos: position, bytes: buf.slice(0, allowed) });
    this.owner.stats.writes++;
    this.owner.stats.bytesWritten += allowed;
    if (allowed < buf.length) throw ioError('ENOSPC', `no space left writing "${this.path}"`);
    if (this.syncsOnWrite) {
      try {
        this.owner.takeFault('sync');
      } catch (e) {
        this.inode.dropPending();
        throw e;
      }
      this.inode.sync();
      this.owner.stats.syncs++;
    }
  }

  async sync(): Promise<void> {
    this.check(false);
    try {
      this.owner.takeFault('sync');
    } catch (e) {
      this.inode.dropPending();
      throw e;
    }
    this.inode.sync();
    this.owner.stats.syncs++;
  }

  async truncate(length: number): Promise<void> {
    this.check(true);
    this.owner.takeFault('truncate');
    this.inode.apply({ kind: 'truncate', length });
  }

  size(): number {
    this.check(false);
    return this.inode.current.length;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export class MemoryPlatform implements Platform {
  readonly name = 'memory' as const;
  readonly seed: number;
  stats: MemoryStats = { reads: 0, bytesRead: 0, writes: 0, bytesWritten: 0, syncs: 0, dirSyncs: 0 };
  /** The simulated process id; a crash "reboots" into the next one. */
  readonly pid: number;

  private readonly opts: MemoryPlatformOptions;
  private rng: SeededRandom;
  private disk = new MemoryDisk();
  private dead = false;
  private readonly locks = new Map<string, string>();
  private readonly faults = new Map<FaultOp, Error[]>();
  private diskBudget: number | null = null;
  private wallMs: number;
  private monoMs = 0;
  private timers: ManualTimer[] = [];
  private timerSeq = 0;
  private readonly realTimers = new Set<ReturnType<typeof setTimeout>>();

  constructor(opts: MemoryPlatformOptions = {}) {
    this.opts = opts;
    this.seed = (opts.seed ?? Math.floor(Math.random() * 4294967296)) >>> 0;
    this.rng = new SeededRandom(this.seed);
    this.wallMs = opts.startWallMs ?? default_start_wall_ms;
    this.pid = first_pid;
  }

  // ---- simulation controls ----

  /**
   * Power loss. Returns the machine after reboot: durable data and names, plus
   * (unless loseUnsynced) a random prefix of what was not synced, the last piece
   * possibly torn. This instance dies: its handles, timers and locks go with it.
   */
  crash(opts: CrashOptions = {}): MemoryPlatform {
    this.assertAlive();
    this.dead = true;
    for (const t of this.realTimers) clearTimeout(t);
    this.realTimers.clear();
    this.timers = [];
    const next = new MemoryPlatform({ ...this.opts, seed: this.seed });
    next.rng = this.rng; // the stream continues, so a whole scenario replays from one seed
    next.disk = this.disk.crash(this.rng, opts);
    next.wallMs = this.wallMs;
    next.monoMs = this.monoMs;
    (next as { pid: number }).pid = this.pid + 1;
    return next;
  }

  /** The next `op` fails with `error` (default: an Error with code EIO). Calls queue up. */
  failNext(op: FaultOp, error?: Error): void {
    const queue = this.faults.get(op) ?? [];
    queue.push(error ?? ioError('EIO', `injected ${op} failure`));
    this.faults.set(op, queue);
  }

  /** Writes fail with ENOSPC once `n` more bytes have been written; null lifts the limit. */
  diskFullAfterBytes(n: number | null): void {
    this.diskBudget = n;
  }

  /** Moves both clocks forward, firing due timers in due order at their due time. */
  advanceClock(ms: number): void {
    this.assertManualClock();
    const target = this.monoMs + Math.max(0, ms);
    for (;;) {
      const t = this.timers[0];
      if (t === undefined || t.due > target || this.dead) break;
      this.timers.shift();
      this.wallMs += t.due - this.monoMs;
      this.monoMs = t.due;
      t.fn();
    }
    this.wallMs += target - this.monoMs;
    this.monoMs = target;
  }

  /** Sets the wall clock only, backwards too (NTP steps); monotonic time is unaffected. */
  setWallClock(ms: number): void {
    this.assertManualClock();
    this.wallMs = ms;
  }

  /** Paths of all files as processes see them now, sorted. */
  fileNames(): string[] {
    return [...this.disk.current.files.keys()].sort();
  }

  /** Paths of files whose names are guaranteed to survive a crash, sorted. */
  durableFileNames(): string[] {
    return [...this.disk.durableNames().files.keys()].sort();
  }

  /** Current contents, including unsynced writes. */
  fileBytes(path: string): Uint8Array {
    return this.fileAt(path).current.snapshot();
  }

  /** Contents that survive a crash (if the name does). */
  durableBytes(path: string): Uint8Array {
    return this.fileAt(path).durable.snapshot();
  }

  /** Throws if this instance has crashed: a dead process does nothing. */
  assertAlive(): void {
    if (this.dead) throw ioError('EIO', 'this MemoryPlatform has crashed; use the instance crash() returned');
  }

  /** @internal Throws the next injected fault for `op`, if any. */
  takeFault(op: FaultOp): void {
    const queue = this.faults.get(op);
    const err = queue?.shift();
    if (err !== undefined) throw err;
  }

  /** @internal How many of `n` bytes fit before the disk is full. */
  takeDiskBudget(n: number): number {
    if (this.diskBudget === null) return n;
    const allowed = Math.min(n, this.diskBudget);
    this.diskBudget -= allowed;
    return allowed;
  }

  // ---- Platform: files and folders ----

  async openFile(path: string, mode: OpenMode, options?: OpenOptions): Promise<PlatformFile> {
    this.assertAlive();
    this.takeFault('open');
    const p = normalizePath(path);
    if (this.disk.current.dirs.has(p)) throw ioError('EISDIR', `"${path}" is a folder`);
    let inode = this.disk.current.files.get(p);
    if (inode !== undefined && mode === 'create_new') throw ioError('EEXIST', `"${path}" already exists`);
    if (inode === undefined) {
      if (mode === 'read' || mode === 'readwrite') throw ioError('ENOENT', `no such file "${path}"`);
      inode = this.createFile(p, path);
    }
    return new MemoryFile(this, path, inode, mode !== 'read', options?.dataSync === true && mode !== 'read');
  }

  async mkdirp(path: string): Promise<void> {
    this.assertAlive();
    const p = normalizePath(path);
    const missing: string[] = [];
    for (let d = p; !this.disk.current.dirs.has(d); d = parentOf(d)) {
      if (this.disk.current.files.has(d)) throw ioError('ENOTDIR', `"${d}" is a file`);
      missing.unshift(d);
    }
    for (const d of missing) this.disk.record({ kind: 'mkdir', path: d });
  }

  async exists(path: string): Promise<boolean> {
    this.assertAlive();
    const p = normalizePath(path);
    return this.disk.current.dirs.has(p) || this.disk.current.files.has(p);
  }

  async listDir(path: string): Promise<string[]> {
    this.assertAlive();
    return this.disk.current.children(this.dirAt(path));
  }

  async remove(path: string): Promise<void> {
    this.assertAlive();
    this.takeFault('remove');
    const p = normalizePath(path);
    if (this.disk.current.files.has(p)) {
      this.disk.record({ kind: 'unlink', path: p });
    } else if (this.disk.current.dirs.has(p)) {
      if (p === '/') throw ioError('EBUSY', 'cannot remove the root folder');
      if (this.disk.current.children(p).length > 0) throw ioError('ENOTEMPTY', `folder "${path}" is not empty`);
      this.disk.record({ kind: 'rmdir', path: p });
    } else {
      throw ioError('ENOENT', `no such file or folder "${path}"`);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    this.assertAlive();
    this.takeFault('rename');
    const f = normalizePath(from);
    const t = normalizePath(to);
    const ns = this.disk.current;
    const isFile = ns.files.has(f);
    if (!isFile && !ns.dirs.has(f)) throw ioError('ENOENT', `no such file or folder "${from}"`);
    if (!ns.dirs.has(parentOf(t))) throw ioError('ENOENT', `no such folder "${parentOf(t)}"`);
    if (f === t) return;
    if (isFile && ns.dirs.has(t)) throw ioError('EISDIR', `"${to}" is a folder`);
    if (!isFile) {
      if (f === '/' || t.startsWith(f + '/')) throw ioError('EINVAL', `cannot move "${from}" into itself`);
      if (ns.files.has(t)) throw ioError('ENOTDIR', `"${to}" is a file`);
      if (ns.dirs.has(t) && ns.children(t).length > 0) throw ioError('ENOTEMPTY', `folder "${to}" is not empty`);
    }
    this.disk.record({ kind: 'rename', from: f, to: t });
  }

  async syncDir(path: string): Promise<void> {
    this.assertAlive();
    const p = this.dirAt(path);
    this.takeFault('syncDir');
    this.disk.syncDir(p);
    this.stats.dirSyncs++;
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.assertAlive();
    this.takeFault('read');
    const bytes = this.fileAt(path).current.snapshot();
    this.stats.reads++;
    this.stats.bytesRead += bytes.length;
    return bytes;
  }

  async lockFolder(path: string): Promise<FolderLock> {
    this.assertAlive();
    const dir = this.dirAt(path);
    const lockPath = joinPathParts([dir, lock_file_name]);
    return acquireFolderLock({
      folder: path,
      lockPath,
      registryKey: dir,
      registry: this.locks,
      self: { pid: this.pid, startTime: null, hostname: 'memory' },
      newToken: () => randomToken((b) => this.rng.fill(b)),
      // The lock file is plain unsynced I/O, as on a real disk, but bypasses fault
      // injection and stats so that tests count only the engine's own I/O.
      createExclusive: async (target, record) => {
        const bytes = encodeLockRecord(record);
        this.assertAlive();
        if (this.disk.current.files.has(normalizePath(target))) throw ioError('EEXIST', `"${target}" exists`);
        this.createFile(normalizePath(target), target).apply({ kind: 'write', pos: 0, bytes });
      },
      replace: async (target, record) => {
        const bytes = encodeLockRecord(record);
        this.assertAlive();
        const tmp = normalizePath(`${target}.${randomToken((b) => this.rng.fill(b))}.tmp`);
        this.createFile(tmp, tmp).apply({ kind: 'write', pos: 0, bytes });
        this.disk.record({ kind: 'rename', from: tmp, to: normalizePath(target) });
      },
      read: async (target) => {
        this.assertAlive();
        return this.disk.current.files.get(normalizePath(target))?.current.snapshot() ?? null;
      },
      remove: async (target) => {
        this.assertAlive();
        const p = normalizePath(target);
        if (this.disk.current.files.has(p)) this.disk.record({ kind: 'unlink', path: p });
      },
      // Only this simulated process lives on this machine; earlier pids died in crashes.
      processAlive: (pid) => pid === this.pid && !this.dead,
      processStartTime: () => null,
    });
  }

  joinPath(...parts: string[]): string {
    return joinPathParts(parts);
  }

  // ---- clocks, randomness, timers, assets ----

  wallClockMs(): number {
    return this.opts.manualClock === true ? this.wallMs : Date.now();
  }

  monotonicMs(): number {
    return this.opts.manualClock === true ? this.monoMs : performance.now();
  }

  randomFill(buf: Uint8Array): void {
    this.rng.fill(buf);
  }

  /** Deterministic: a few microtask turns (simulations must not depend on real time). */
  async yieldToEventLoop(): Promise<void> {
    for (let i = 0; i < 8; i++) await Promise.resolve();
  }

  setTimer(fn: () => void, ms: number): () => void {
    this.assertAlive();
    if (this.opts.manualClock === true) {
      const timer: ManualTimer = { due: this.monoMs + Math.max(0, ms), seq: this.timerSeq++, fn };
      // Keep the queue sorted by due time, ties in scheduling order.
      let i = this.timers.length;
      while (i > 0 && this.timers[i - 1]!.due > timer.due) i--;
      this.timers.splice(i, 0, timer);
      return () => {
        const at = this.timers.indexOf(timer);
        if (at >= 0) this.timers.splice(at, 1);
      };
    }
    const handle = setTimeout(() => {
      this.realTimers.delete(handle);
      fn();
    }, ms);
    this.realTimers.add(handle);
    return () => {
      clearTimeout(handle);
      this.realTimers.delete(handle);
    };
  }

  /** Timers waiting on the manual clock. */
  pendingTimers(): number {
    return this.timers.length;
  }

  async readAsset(relPath: string): Promise<Uint8Array> {
    if (this.opts.assets === undefined) {
      throw ioError('ENOENT', `no asset source configured for "${relPath}" (MemoryPlatform option 'assets')`);
    }
    return this.opts.assets(relPath);
  }

  // ---- helpers ----

  private createFile(p: string, shown: string): Inode {
    if (!this.disk.current.dirs.has(parentOf(p))) throw ioError('ENOENT', `no such folder for "${shown}"`);
    const inode = new Inode();
    this.disk.record({ kind: 'create', path: p, inode });
    return inode;
  }

  private fileAt(path: string): Inode {
    const p = normalizePath(path);
    const inode = this.disk.current.files.get(p);
    if (inode !== undefined) return inode;
    if (this.disk.current.dirs.has(p)) throw ioError('EISDIR', `"${path}" is a folder`);
    throw ioError('ENOENT', `no such file "${path}"`);
  }

  private dirAt(path: string): string {
    const p = normalizePath(path);
    if (this.disk.current.dirs.has(p)) return p;
    if (this.disk.current.files.has(p)) throw ioError('ENOTDIR', `"${path}" is not a folder`);
    throw ioError('ENOENT', `no such folder "${path}"`);
  }

  private assertManualClock(): void {
    if (this.opts.manualClock !== true) throw new Error('MemoryPlatform: clock control needs { manualClock: true }');
  }
}
