// The write-ahead log: durable commits with group commit, and redo replay.
//
// A WAL is a sequence of segment files `wal-<n>.log`. Each starts with a
// 32-byte header (magic "SBWAL001", format version, segment number, CRC32C)
// followed by records framed as [u32 length][u32 CRC32C][payload] (built and
// checked by the storage kernel, wasm/storage/wal_codec.ts).
//
// Group commit: commits queue their records; the writer takes everything
// queued as one batch: a single durable write (or write + fdatasync). With
// `writesInFlight` above 1 it does not wait for that write before starting
// the next batch: up to that many batches are written at once, each at its
// own reserved place in the log (a device that completes concurrent durable
// writes together then spares a commit arriving during a write the wait for
// it). The default is 1: every commit that arrives during a write joins the
// next batch. On the virtual machine of docs/benchmarks.md §4 each durable
// write costs its CPUs far more than the device's time (a thread-pool
// wake-up, the virtio doorbell, the completion interrupt), and pgbench ran
// faster with 1 than with 4 in every alternated round (2 fell between, ahead
// of 1 in two rounds of four): TPC-B 8 clients 5.5-5.8k against 4.8-5.4k tps
// (1.9 commits per write against 1.1), -N 9.0-9.5k against 7.5-8.0k.
// Batches are acknowledged strictly in log order: once a batch and every
// batch before it are durable, each of its commits is marked durable
// (synchronously, before anything else can run) and resolved. Work that must
// happen between two batches (a memtable freeze, a segment switch) waits
// until no write is in flight.
//
// Segments are preallocated (filled with zeros to `segmentBytes` when
// created, ahead of need), so a commit overwrites blocks that already exist
// instead of growing the file, and files are opened with O_DSYNC where the
// platform offers it: one write system call per batch, no metadata journal
// commit. A zero record length therefore marks the end of a segment's data;
// replay checks that only zeros follow it.
//
// A failed write or sync poisons the WAL: whether the bytes reached the disk
// is unknown, so nothing more is acknowledged until the database is reopened
// and recovered from what is really on disk.

import type { Platform, PlatformFile } from '../platform/platform.ts';
import { SbError, SqlState } from '../engine/sb_error.ts';
import { crc32c } from './crc32c.ts';

export const WAL_FORMAT_VERSION = 1;
export const WAL_HEADER_BYTES = 32;
const MAGIC = [0x53, 0x42, 0x57, 0x41, 0x4c, 0x30, 0x30, 0x31]; // "SBWAL001"
/** Largest record accepted by replay; anything larger is a torn length field. */
export const WAL_RECORD_BYTES_MAX = 1 << 30;
const REPLAY_CHUNK_BYTES = 4 << 20;
/** Default size a segment is preallocated to. */
export const WAL_SEGMENT_BYTES_DEFAULT = 16 << 20;
const ZERO_CHUNK_BYTES = 1 << 20;
/** Microtask turns the group-commit writer waits for committers to join a batch. */
const GATHER_MICROTASKS = 32;
/** Largest lone commit written synchronously on a quiet WAL (larger ones go through the thread pool). */
export const WAL_SYNC_WRITE_BYTES_MAX = 256 << 10;
/** Batches written at once when not configured (see the top of this file). */
export const WAL_WRITES_IN_FLIGHT_DEFAULT = 1;
/** The most batches `writesInFlight` may allow at once (pipelined group commit). */
export const WAL_WRITES_IN_FLIGHT_MAX = 16;

export function segmentName(n: number): string {
  return `wal-${String(n).padStart(12, '0')}.log`;
}

export function parseSegmentName(name: string): number | undefined {
  const m = /^wal-(\d{12})\.log$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

function encodeHeader(segment: number): Uint8Array {
  const h = new Uint8Array(WAL_HEADER_BYTES);
  const dv = new DataView(h.buffer);
  h.set(MAGIC, 0);
  dv.setUint32(8, WAL_FORMAT_VERSION, true);
  dv.setFloat64(16, segment, true);
  dv.setUint32(28, crc32c(h.subarray(0, 28)), true);
  return h;
}

function headerLooksValid(h: Uint8Array): boolean {
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  return MAGIC.every((b, i) => h[i] === b) && dv.getUint32(28, true) === crc32c(h.subarray(0, 28));
}

function checkHeader(h: Uint8Array, segment: number, path: string): void {
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const magicOk = MAGIC.every((b, i) => h[i] === b);
  if (!magicOk || dv.getUint32(28, true) !== crc32c(h.subarray(0, 28))) {
    throw new SbError(SqlState.data_corrupted, `WAL segment ${path} has a damaged header`, { kind: 'corrupt' });
  }
  const version = dv.getUint32(8, true);
  if (version !== WAL_FORMAT_VERSION) {
    throw new SbError(SqlState.object_not_in_prerequisite_state,
      `WAL segment ${path} has format version ${version}; this build reads version ${WAL_FORMAT_VERSION}`,
      { kind: 'format_version', hint: 'Open the data folder with the ScratchBird version that wrote it.' });
  }
  if (dv.getFloat64(16, true) !== segment) {
    throw new SbError(SqlState.data_corrupted, `WAL segment ${path} is numbered ${dv.getFloat64(16, true)}`, { kind: 'corrupt' });
  }
}

interface Pending {
  bytes: Uint8Array;
  onDurable: () => void;
  resolve: () => void;
  reject: (e: unknown) => void;
}

interface Batch {
  items: Pending[];
  bytes: number;
  done: boolean;
  error: unknown;
}

export interface WalStats {
  records: number;
  bytes: number;
  batches: number;
  syncs: number;
  maxBatchRecords: number;
  /** Batches whose write started while an earlier one was still in flight (pipelined group commit). */
  overlapped: number;
}

interface Prepared {
  segment: number;
  file: PlatformFile;
}

export class Wal {
  private file: PlatformFile;
  private position: number;
  /** The next segment, being preallocated in the background. */
  private spare: Promise<Prepared> | undefined;
  private queue: Pending[] = [];
  private boundary: Array<{ task: () => Promise<void> | void; resolve: () => void; reject: (e: unknown) => void }> = [];
  private pumping = false;
  private idleWaiters: Array<() => void> = [];
  /** Batches being written, in log order (acknowledged from the head). */
  private inflight: Batch[] = [];
  private completionWaiters: Array<() => void> = [];
  failed: SbError | undefined;
  private lastBatch = 0;
  /** True when no transaction other than the committing ones is running (set by the store). */
  isQuiet: () => boolean = () => false;
  readonly stats: WalStats = { records: 0, bytes: 0, batches: 0, syncs: 0, maxBatchRecords: 0, overlapped: 0 };

  private constructor(
    private readonly platform: Platform,
    private readonly dir: string,
    public segment: number,
    file: PlatformFile,
    private readonly segmentBytes: number,
    private readonly writesInFlight: number,
  ) {
    this.file = file;
    this.position = WAL_HEADER_BYTES;
  }

  /**
   * Creates segment `segment` (header written, preallocated, synced) and
   * opens it for appending; up to `writesInFlight` (1..WAL_WRITES_IN_FLIGHT_MAX)
   * batches are then written at once.
   */
  static async create(platform: Platform, dir: string, segment: number, segmentBytes = WAL_SEGMENT_BYTES_DEFAULT, writesInFlight = WAL_WRITES_IN_FLIGHT_DEFAULT): Promise<Wal> {
    if (!Number.isInteger(writesInFlight) || writesInFlight < 1 || writesInFlight > WAL_WRITES_IN_FLIGHT_MAX) {
      throw new RangeError(`WAL writes in flight: ${writesInFlight} is not an integer from 1 to ${WAL_WRITES_IN_FLIGHT_MAX}`);
    }
    const file = await createSegment(platform, dir, segment, segmentBytes);
    return new Wal(platform, dir, segment, file, segmentBytes, writesInFlight);
  }

  /**
   * Queues a record; resolves once it is durable. `onDurable` runs
   * synchronously right after the fsync that covered it, before any other
   * task (so a freeze can never observe a durable but unstamped commit).
   */
  append(bytes: Uint8Array, onDurable: () => void): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ bytes, onDurable, resolve, reject });
      this.kick();
    });
  }

  /** Runs `task` between two batches (no write in flight). */
  runAtBoundary(task: () => Promise<void> | void): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<void>((resolve, reject) => {
      this.boundary.push({ task, resolve, reject });
      this.kick();
    });
  }

  /**
   * Creates the next segment without switching to it, so that a failure
   * changes nothing; switchTo() then switches synchronously. Call both from
   * one boundary task.
   */
  async prepareNext(): Promise<Prepared> {
    const spare = this.spare;
    this.spare = undefined;
    if (spare) {
      const ready = await spare.catch(() => undefined);
      if (ready && ready.segment === this.segment + 1) return ready;
    }
    const segment = this.segment + 1;
    return { segment, file: await createSegment(this.platform, this.dir, segment, this.segmentBytes) };
  }

  /** Where the next record will go. At a batch boundary this is a record boundary. */
  get end(): { segment: number; offset: number } {
    return { segment: this.segment, offset: this.position };
  }

  switchTo(next: Prepared): void {
    const old = this.file;
    this.file = next.file;
    this.segment = next.segment;
    this.position = WAL_HEADER_BYTES;
    void old.close().catch(() => {});
  }

  /** Starts preallocating the next segment once this one is half used. */
  private maybePrepareSpare(): void {
    if (this.spare || this.position < this.segmentBytes / 2) return;
    const segment = this.segment + 1;
    this.spare = createSegment(this.platform, this.dir, segment, this.segmentBytes).then((file) => ({ segment, file }));
    this.spare.catch(() => (this.spare = undefined));
  }

  /** Resolves when nothing is queued or being written. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  async close(): Promise<void> {
    await this.idle();
    await this.file.close();
    const spare = this.spare;
    this.spare = undefined;
    if (spare) await spare.then((p) => p.file.close(), () => {});
  }

  private kick(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.pump();
  }

  /** True when nothing is queued, being written or waiting to be acknowledged. */
  private isIdle(): boolean {
    return !this.pumping && this.queue.length === 0 && this.boundary.length === 0 && this.inflight.length === 0;
  }

  private wakeIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters.splice(0);
    for (const w of waiters) w();
  }

  /** Resolves at the next write completion (or at once when none is in flight). */
  private nextCompletion(): Promise<void> {
    if (this.inflight.length === 0) return Promise.resolve();
    return new Promise((r) => this.completionWaiters.push(r));
  }

  /** Resolves once every write issued so far has completed and been acknowledged or rejected. */
  private async drainInflight(): Promise<void> {
    while (this.inflight.length > 0) await this.nextCompletion();
  }

  private async pump(): Promise<void> {
    try {
      while (!this.failed && (this.queue.length > 0 || this.boundary.length > 0)) {
        if (this.boundary.length > 0) {
          // A boundary task sees every record written so far durable and acknowledged.
          await this.drainInflight();
          if (this.failed) break;
          while (this.boundary.length > 0) {
            const b = this.boundary.shift()!;
            try {
              await b.task();
              b.resolve();
            } catch (e) {
              b.reject(e);
            }
          }
          continue;
        }
        if (this.inflight.length >= this.writesInFlight) {
          await this.nextCompletion();
          continue;
        }
        // After a batch of several commits, their committers resume in a
        // burst of microtasks and commit again: let them queue before taking
        // the next batch, or the first one goes alone (batches of 1, 7, 1, 7...).
        if (this.lastBatch > 1) for (let i = 0; i < GATHER_MICROTASKS; i++) await Promise.resolve();
        else if (this.queue.length === 1 && this.inflight.length === 0 && !this.isQuiet() && this.platform.yieldToEventLoop) {
          // Other transactions are running and the device is idle: let I/O
          // callbacks run first, so commits arriving on other connections
          // join this batch. (With a write in flight, a lone commit starts
          // its own write at once: waiting a loop turn would hold its row
          // locks longer, and the device completes the two together.)
          await this.platform.yieldToEventLoop();
        }
        if (this.boundary.length > 0 || this.queue.length === 0 || this.failed) continue;
        let total = 0;
        for (const p of this.queue) total += p.bytes.length;
        if (this.position + total > this.segmentBytes && this.position > WAL_HEADER_BYTES) {
          // The segment is full: continue in the next one (its header is
          // synced) once the writes to this one have completed.
          await this.drainInflight();
          if (this.failed) break;
          try {
            this.switchTo(await this.prepareNext());
          } catch (e) {
            this.poison(e);
            break;
          }
          continue; // the queue may have grown meanwhile
        }
        const batch = this.queue.splice(0);
        this.lastBatch = batch.length;
        this.issue(batch, total);
      }
    } finally {
      this.pumping = false;
      if (this.failed) this.drainFailed();
      this.wakeIdle();
    }
  }

  /**
   * Starts the write of one batch at the current end of the log. Up to
   * `writesInFlight` batches are written at once (a durable write
   * waits mostly for the device, and devices complete concurrent ones
   * together); they are acknowledged strictly in log order, each only once
   * it and every batch before it are durable, so an acknowledged commit never
   * follows a hole that replay would stop at.
   */
  private issue(items: Pending[], total: number): void {
    let buf: Uint8Array;
    if (items.length === 1) {
      buf = items[0]!.bytes;
    } else {
      buf = new Uint8Array(total);
      let at = 0;
      for (const p of items) {
        buf.set(p.bytes, at);
        at += p.bytes.length;
      }
    }
    const at = this.position;
    this.position += total;
    const batch: Batch = { items, bytes: total, done: false, error: undefined };
    this.inflight.push(batch);
    if (this.inflight.length > 1) this.stats.overlapped++;
    const file = this.file;
    if (this.inflight.length === 1 && items.length === 1 && total <= WAL_SYNC_WRITE_BYTES_MAX && this.isQuiet() && file.syncsOnWrite && file.writeSync) {
      // One small commit, no other transaction running and no write in
      // flight: a synchronous O_DSYNC write is durable on return and skips the
      // thread-pool round trip; blocking the event loop costs no one anything.
      // (A bulk load's commit of 100+ MB goes through the thread pool: the
      // background flush and the other connections keep the thread meanwhile.)
      try {
        file.writeSync(buf, at);
      } catch (e) {
        batch.error = e;
      }
      batch.done = true;
      this.completed();
    } else {
      const write = file.syncsOnWrite ? file.write(buf, at) : file.write(buf, at).then(() => file.sync());
      write.then(
        () => {
          batch.done = true;
          this.completed();
        },
        (e: unknown) => {
          batch.error = e;
          batch.done = true;
          this.completed();
        },
      );
    }
    this.maybePrepareSpare();
  }

  private poison(cause: unknown): void {
    this.failed ??= new SbError(SqlState.io_error,
      'writing the WAL failed; no further commit is acknowledged until the database is reopened',
      { cause, kind: 'wal_failed' });
  }

  /** A write completed: acknowledges (or rejects) every finished batch at the head of the log, in order. */
  private completed(): void {
    while (this.inflight.length > 0 && this.inflight[0]!.done) {
      const b = this.inflight.shift()!;
      if (b.error !== undefined) this.poison(b.error);
      if (this.failed) {
        // This batch failed, or one before it did: whether its bytes are
        // readable after a restart is unknown (replay stops at a hole).
        for (const p of b.items) p.reject(this.failed);
        continue;
      }
      this.stats.records += b.items.length;
      this.stats.bytes += b.bytes;
      this.stats.batches++;
      this.stats.syncs++;
      if (b.items.length > this.stats.maxBatchRecords) this.stats.maxBatchRecords = b.items.length;
      // Mark every commit of the batch durable before anything else runs...
      for (const p of b.items) p.onDurable();
      // ...then let the committers continue.
      for (const p of b.items) p.resolve();
    }
    const waiters = this.completionWaiters.splice(0);
    for (const w of waiters) w();
    if (this.failed && !this.pumping) this.drainFailed();
    this.wakeIdle();
  }

  private drainFailed(): void {
    for (const p of this.queue.splice(0)) p.reject(this.failed);
    for (const b of this.boundary.splice(0)) b.reject(this.failed);
  }
}

async function createSegment(platform: Platform, dir: string, segment: number, segmentBytes: number): Promise<PlatformFile> {
  const path = platform.joinPath(dir, segmentName(segment));
  const file = await platform.openFile(path, 'create', { dataSync: true });
  try {
    await file.truncate(0);
    await file.write(encodeHeader(segment), 0);
    // Preallocate with zeros (a zero length marks the end of the data).
    const zeros = new Uint8Array(Math.min(ZERO_CHUNK_BYTES, Math.max(segmentBytes - WAL_HEADER_BYTES, 0)));
    for (let at = WAL_HEADER_BYTES; at < segmentBytes; at += zeros.length) {
      await file.write(at + zeros.length <= segmentBytes ? zeros : zeros.subarray(0, segmentBytes - at), at);
    }
    if (!file.syncsOnWrite) await file.sync();
    await platform.syncDir(dir);
    return file;
  } catch (e) {
    await file.close().catch(() => {});
    throw e;
  }
}

export interface ReplayResult {
  /** Highest segment number seen (0 when there was none). */
  lastSegment: number;
  records: number;
  /** Bytes cut from the end of the last segment (a torn tail). */
  tornBytes: number;
}

/**
 * Replays the WAL from segment `from` on: every complete, checksummed record
 * is passed to `apply`, which returns false for a record whose checksum or
 * contents are bad. Replay stops at the first bad or incomplete record of the
 * last segment and truncates the tail there (a torn write: its commit was
 * never acknowledged); likewise in an earlier segment when no later segment
 * holds a record (they were created ahead of need). Any other bad record is
 * corruption.
 */
export async function replayWal(
  platform: Platform,
  dir: string,
  from: number,
  apply: (record: Uint8Array) => boolean,
  fromOffset = 0,
): Promise<ReplayResult> {
  const segments = (await platform.listDir(dir))
    .map(parseSegmentName)
    .filter((n): n is number => n !== undefined && n >= from)
    .sort((a, b) => a - b);
  const result: ReplayResult = { lastSegment: 0, records: 0, tornBytes: 0 };
  for (let i = 0; i < segments.length; i++) {
    const n = segments[i]!;
    if (i > 0 && n !== segments[i - 1]! + 1) {
      throw new SbError(SqlState.data_corrupted, `WAL segment ${segmentName(segments[i - 1]! + 1)} is missing`, { kind: 'corrupt' });
    }
    if (i === 0 && n !== from && from > 0) {
      throw new SbError(SqlState.data_corrupted, `WAL segment ${segmentName(from)} is missing`, { kind: 'corrupt' });
    }
    const last = i === segments.length - 1;
    const path = platform.joinPath(dir, segmentName(n));
    const file = await platform.openFile(path, 'readwrite');
    try {
      const size = file.size();
      const header = new Uint8Array(WAL_HEADER_BYTES);
      if (size >= WAL_HEADER_BYTES) file.readSync(header, 0);
      // Records are written only after a segment's header and preallocation
      // are durable, so the last segment with no valid header is one whose
      // creation (possibly ahead of need) was interrupted: it holds no record.
      const interrupted = size < WAL_HEADER_BYTES || !headerLooksValid(header);
      if (interrupted && last) {
        // A segment whose creation was interrupted: it holds no record.
        await file.truncate(0);
        await file.write(encodeHeader(n), 0);
        await file.sync();
        result.lastSegment = n;
        continue;
      }
      if (size < WAL_HEADER_BYTES) throw new SbError(SqlState.data_corrupted, `WAL segment ${path} is truncated`, { kind: 'corrupt' });
      checkHeader(header, n, path);
      const start = n === from ? Math.max(WAL_HEADER_BYTES, fromOffset) : WAL_HEADER_BYTES;
      const end = await replaySegment(file, size, apply, result, start);
      if (end < size && !onlyZerosFrom(file, end, size)) {
        // A damaged record is a torn tail when no later segment holds a
        // record: the next segment may already exist (preallocated ahead of
        // need), but the writer switches to it only after every write to
        // this one has completed, so a record there would prove this damage
        // real.
        if (!last && !(await holdNoRecord(platform, dir, segments.slice(i + 1)))) {
          throw new SbError(SqlState.data_corrupted, `WAL segment ${path} has a damaged record at offset ${end}`, { kind: 'corrupt' });
        }
        result.tornBytes = size - end;
        await file.truncate(end);
        await file.sync();
      }
      result.lastSegment = n;
    } finally {
      await file.close();
    }
  }
  return result;
}

/** True when none of these segments holds a record (each is empty, preallocated zeros, or an interrupted creation). */
async function holdNoRecord(platform: Platform, dir: string, segments: number[]): Promise<boolean> {
  for (const n of segments) {
    const file = await platform.openFile(platform.joinPath(dir, segmentName(n)), 'read');
    try {
      const size = file.size();
      if (size < WAL_HEADER_BYTES + 4) continue;
      const header = new Uint8Array(WAL_HEADER_BYTES);
      file.readSync(header, 0);
      if (!headerLooksValid(header)) continue;
      const len = new Uint8Array(4);
      file.readSync(len, WAL_HEADER_BYTES);
      if (len[0] !== 0 || len[1] !== 0 || len[2] !== 0 || len[3] !== 0) return false;
    } finally {
      await file.close();
    }
  }
  return true;
}

/** True when the file holds only zero bytes in [from, size): unused preallocation. */
function onlyZerosFrom(file: PlatformFile, from: number, size: number): boolean {
  const buf = new Uint8Array(Math.min(ZERO_CHUNK_BYTES, size - from));
  for (let at = from; at < size; at += buf.length) {
    const want = buf.subarray(0, Math.min(buf.length, size - at));
    const got = file.readSync(want, at);
    for (let i = 0; i < got; i++) if (want[i] !== 0) return false;
  }
  return true;
}

async function replaySegment(
  file: PlatformFile,
  size: number,
  apply: (record: Uint8Array) => boolean,
  result: ReplayResult,
  start: number,
): Promise<number> {
  let pos = start;
  let chunk = new Uint8Array(0);
  let chunkStart = pos;
  const read = (at: number, len: number): Uint8Array | undefined => {
    if (at + len > size) return undefined;
    if (at < chunkStart || at + len > chunkStart + chunk.length) {
      const want = Math.min(Math.max(len, REPLAY_CHUNK_BYTES), size - at);
      chunk = new Uint8Array(want);
      const got = file.readSync(chunk, at);
      if (got < len) return undefined;
      chunk = chunk.subarray(0, got);
      chunkStart = at;
    }
    return chunk.subarray(at - chunkStart, at - chunkStart + len);
  };
  while (pos + 8 <= size) {
    const head = read(pos, 8);
    if (!head) break;
    const len = new DataView(head.buffer, head.byteOffset, 8).getUint32(0, true);
    if (len === 0 || len > WAL_RECORD_BYTES_MAX) break;
    const rec = read(pos, 8 + len);
    if (!rec) break;
    if (!apply(rec)) break;
    result.records++;
    pos += 8 + len;
  }
  return pos;
}
