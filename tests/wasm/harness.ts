// Test harness for the storage kernels: instantiates build/wasm/*.wasm
// directly (a fresh instance per test: kernel state is module-global), serves
// the `host.read` import from in-memory "files", and wraps the exports the
// tests use so they read like the operations they check.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ST, OP_PUT, OP_DELETE, OP_INSERT, type StorageExports } from '../../host/storage/kernel.ts';

export { ST, OP_PUT, OP_DELETE, OP_INSERT };

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** SB_WASM_DIR points the tests at other builds (e.g. a mutated copy, to check that they fail). */
const wasmDir = process.env.SB_WASM_DIR ?? join(root, 'build/wasm');
const modules = new Map<string, WebAssembly.Module>();

function compiled(name: 'storage' | 'mvcc'): WebAssembly.Module {
  let m = modules.get(name);
  if (!m) {
    m = new WebAssembly.Module(readFileSync(join(wasmDir, `${name}.wasm`)));
    modules.set(name, m);
  }
  return m;
}

/** Memtable version flags (wasm/mvcc/version.ts). */
export const VF = { TOMBSTONE: 1, COMMITTED: 2, ABORTED: 4, MOVED: 8 } as const;
/** A stamp above every stamp the tests use ("read the latest"). */
export const LATEST = 2 ** 52;

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Plain bitwise CRC32C (reflected Castagnoli polynomial): the reference the kernel is checked against. */
export function crc32cRef(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

export interface Row {
  key: Uint8Array;
  val: Uint8Array;
}
export interface RawRow extends Row {
  flags: number;
  rank: number;
  slot: number;
  stamp: number;
}
export interface ScanOptions {
  lo?: Uint8Array;
  loIncl?: boolean;
  hi?: Uint8Array;
  hiIncl?: boolean;
  snapshot?: number;
  slot?: number;
  reverse?: boolean;
  batchRows?: number;
}
export interface JobOptions {
  horizon?: number;
  bottom?: boolean;
  blockTarget?: number;
  bitsPerKey?: number;
  chunkBytes?: number;
  dropPrefixes?: Uint8Array[];
}
export interface JobResult {
  status: number;
  file: Uint8Array;
  stats: number[];
}

export class Kernel {
  readonly x: StorageExports & Record<string, (...a: number[]) => number>;
  /** In-memory files served through host.read, by file id. */
  readonly files = new Map<number, Uint8Array>();
  /** Every host.read call: [file, offset, len]. */
  readonly reads: Array<[number, number, number]> = [];
  private nextFile = 1;

  private constructor(name: 'storage' | 'mvcc') {
    const inst = new WebAssembly.Instance(compiled(name), {
      host: {
        read: (file: number, offset: number, ptr: number, len: number): number => this.hostRead(file, offset, ptr, len),
        log: () => {},
      },
      env: { abort: () => { throw new Error('kernel abort'); } },
    });
    this.x = inst.exports as unknown as Kernel['x'];
    this.x._start();
  }

  static storage(): Kernel {
    const k = new Kernel('storage');
    expect0(k.x.storage_init(), 'storage_init');
    return k;
  }

  static mvcc(): Kernel {
    return new Kernel('mvcc');
  }

  private hostRead(file: number, offset: number, ptr: number, len: number): number {
    this.reads.push([file, offset, len]);
    const f = this.files.get(file);
    if (!f) return -1;
    const n = Math.max(0, Math.min(len, f.length - offset));
    this.u8().set(f.subarray(offset, offset + n), ptr);
    return n;
  }

  addFile(bytes: Uint8Array): number {
    const id = this.nextFile++;
    this.files.set(id, bytes);
    return id;
  }

  u8(): Uint8Array {
    return new Uint8Array(this.x.memory.buffer);
  }
  dv(): DataView {
    return new DataView(this.x.memory.buffer);
  }
  copyOut(ptr: number, len: number): Uint8Array {
    return this.u8().slice(ptr, ptr + len);
  }
  r32(i: number): number {
    return this.dv().getUint32(this.x.result_area() + 64 + 4 * i, true);
  }
  rf64(i: number): number {
    return this.dv().getFloat64(this.x.result_area() + 8 * i, true);
  }

  /** Copies byte strings into the kernel's I/O buffer; returns their pointers. */
  place(...parts: Uint8Array[]): number[] {
    const total = parts.reduce((n, p) => n + p.length, 0);
    const base = this.x.io_buffer(total);
    if (base === 0) throw new Error('io_buffer out of memory');
    const mem = this.u8();
    const ptrs: number[] = [];
    let p = base;
    for (const part of parts) {
      mem.set(part, p);
      ptrs.push(p);
      p += part.length;
    }
    return ptrs;
  }

  // ---- transactions ----

  begin(begin: number, snapshot = begin): number {
    const s = this.x.tx_begin(begin, snapshot);
    if (s === 0) throw new Error('tx_begin failed');
    return s;
  }

  /** tx_commit_prepare + tx_commit_finish; returns the WAL record. */
  commit(slot: number, stamp: number, txnId = new Uint8Array(16).fill(slot)): Uint8Array {
    const rec = this.prepare(slot, stamp, txnId);
    this.x.tx_commit_finish(slot);
    return rec;
  }

  prepare(slot: number, stamp: number, txnId = new Uint8Array(16).fill(slot)): Uint8Array {
    const [id] = this.place(txnId);
    expect0(this.x.tx_commit_prepare(slot, id!, stamp), 'tx_commit_prepare');
    return this.copyOut(this.r32(0), this.r32(1));
  }

  // ---- point operations ----

  put(slot: number, key: Uint8Array | string, val: Uint8Array | string, op = OP_PUT, snapshot = LATEST, check = 0): number {
    const k = typeof key === 'string' ? enc(key) : key;
    const v = typeof val === 'string' ? enc(val) : val;
    const [kp, vp] = this.place(k, v);
    return this.x.kv_put(kp!, k.length, vp!, v.length, op, slot, snapshot, check);
  }

  del(slot: number, key: Uint8Array | string, snapshot = LATEST, check = 0): number {
    return this.put(slot, key, new Uint8Array(0), OP_DELETE, snapshot, check);
  }

  /** The visible value, or the status when there is none. */
  getRaw(key: Uint8Array | string, snapshot = LATEST, slot = 0): Uint8Array | number {
    const k = typeof key === 'string' ? enc(key) : key;
    const [kp] = this.place(k);
    const st = this.x.kv_get(kp!, k.length, snapshot, slot);
    if (st !== ST.OK) return st;
    return this.copyOut(this.r32(0), this.r32(1));
  }

  /** The visible value as a string, or null when not found (throws on errors). */
  get(key: Uint8Array | string, snapshot = LATEST, slot = 0): string | null {
    const r = this.getRaw(key, snapshot, slot);
    if (typeof r === 'number') {
      if (r === ST.NOT_FOUND) return null;
      throw new Error(`kv_get status ${r}`);
    }
    return dec(r);
  }

  // ---- iterators ----

  open(o: ScanOptions, raw = false): number {
    const lo = o.lo ?? new Uint8Array(0);
    const hi = o.hi ?? new Uint8Array(0);
    const [lp, hp] = this.place(lo, hi);
    const loFlags = o.lo ? 1 | (o.loIncl ?? true ? 2 : 0) : 0;
    const hiFlags = o.hi ? 1 | (o.hiIncl ?? true ? 2 : 0) : 0;
    return this.x.iter_open(lp!, lo.length, loFlags, hp!, hi.length, hiFlags, o.snapshot ?? LATEST, o.slot ?? 0,
      o.reverse ? 1 : 0, raw ? 1 : 0);
  }

  /** One iter_next batch, decoded; a negative number on failure. */
  nextBatch(it: number, rows = 1000, bytes = 1 << 20): Row[] | number {
    const n = this.x.iter_next(it, rows, bytes);
    if (n < 0) return n;
    const out = this.copyOut(this.x.iter_out_ptr(it), this.x.iter_out_len(it));
    const dv = new DataView(out.buffer);
    const res: Row[] = [];
    let p = 0;
    while (p < out.length) {
      const kl = dv.getUint32(p, true);
      const vl = dv.getUint32(p + 4, true);
      res.push({ key: out.slice(p + 8, p + 8 + kl), val: out.slice(p + 8 + kl, p + 8 + kl + vl) });
      p += 8 + kl + vl;
    }
    if (res.length !== n) throw new Error(`iter_next said ${n} rows, buffer holds ${res.length}`);
    return res;
  }

  /** A whole scan; throws on a failure status. */
  scan(o: ScanOptions = {}): Row[] {
    const it = this.open(o);
    if (it === 0) throw new Error('iter_open failed');
    const rows: Row[] = [];
    try {
      for (;;) {
        const b = this.nextBatch(it, o.batchRows ?? 1000);
        if (typeof b === 'number') throw new Error(`iter_next status ${b}`);
        if (b.length === 0) break;
        rows.push(...b);
      }
    } finally {
      this.x.iter_close(it);
    }
    return rows;
  }

  scanStrings(o: ScanOptions = {}): Array<[string, string]> {
    return this.scan(o).map((r) => [dec(r.key), dec(r.val)]);
  }

  /** Raw scan: every version (wasm/storage/merge_iter.ts raw format). */
  scanRaw(o: ScanOptions = {}): RawRow[] {
    const it = this.open(o, true);
    const rows: RawRow[] = [];
    for (;;) {
      const n = this.x.iter_next(it, 1000, 1 << 20);
      if (n < 0) throw new Error(`iter_next status ${n}`);
      if (n === 0) break;
      const out = this.copyOut(this.x.iter_out_ptr(it), this.x.iter_out_len(it));
      const dv = new DataView(out.buffer);
      let p = 0;
      while (p < out.length) {
        const kl = dv.getUint32(p, true);
        const vl = dv.getUint32(p + 4, true);
        rows.push({
          flags: out[p + 8]!, rank: out[p + 9]!, slot: dv.getUint32(p + 12, true), stamp: Number(dv.getBigUint64(p + 16, true)),
          key: out.slice(p + 24, p + 24 + kl), val: out.slice(p + 24 + kl, p + 24 + kl + vl),
        });
        p += 24 + kl + vl;
      }
    }
    this.x.iter_close(it);
    return rows;
  }

  // ---- flush and compaction ----

  /** Drives a job to the end, collecting its output file. */
  runJob(job: number, o: JobOptions): JobResult {
    for (const p of o.dropPrefixes ?? []) {
      const [pp] = this.place(p);
      expect0(this.x.job_add_drop_prefix(job, pp!, p.length), 'job_add_drop_prefix');
    }
    const chunks: Uint8Array[] = [];
    let status: number;
    for (;;) {
      status = this.x.job_step(job, o.chunkBytes ?? 64 * 1024);
      chunks.push(this.copyOut(this.x.job_out_ptr(job), this.x.job_out_len(job)));
      this.x.job_out_consume(job);
      if (status !== ST.MORE) break;
    }
    const file = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let off = 0;
    for (const c of chunks) {
      file.set(c, off);
      off += c.length;
    }
    const stats = [0, 1, 2, 3, 4].map((i) => this.x.job_stat(job, i));
    return { status, file, stats };
  }

  /** Flushes the oldest frozen memtable (freezing first when asked) into a run file; returns the job's file. */
  flushFile(o: JobOptions = {}): JobResult & { job: number } {
    const job = this.x.flush_begin(o.horizon ?? 0, o.bottom ? 1 : 0, o.blockTarget ?? 4096, o.bitsPerKey ?? 10);
    if (job === 0) throw new Error('flush_begin failed');
    return { ...this.runJob(job, o), job };
  }

  /** Opens a run file; returns the run id (> 0) or a negative status. */
  openRun(file: Uint8Array): number {
    const id = this.addFile(file);
    return this.x.run_open(id, file.length);
  }

  /** freeze + flush + run_open + install: the whole path. Returns the run id (0 when nothing was frozen). */
  freezeAndFlush(o: JobOptions = {}): number {
    expect0(this.x.lsm_freeze(), 'lsm_freeze');
    return this.flushOldest(o);
  }

  flushOldest(o: JobOptions = {}): number {
    const r = this.flushFile(o);
    expect0(r.status, 'flush job');
    const runId = this.openRun(r.file);
    if (runId <= 0) throw new Error(`run_open ${runId}`);
    expect0(this.x.lsm_install_flush(runId), 'lsm_install_flush');
    this.x.job_free(r.job);
    return runId;
  }

  /** Compacts runs [first, first+count) and installs the result; returns job stats and the new run id. */
  compact(first: number, count: number, o: JobOptions = {}): { runId: number; stats: number[]; file: Uint8Array } {
    const job = this.x.compact_begin(first, count, o.horizon ?? 0, o.bottom ? 1 : 0, o.blockTarget ?? 4096, o.bitsPerKey ?? 10);
    if (job === 0) throw new Error('compact_begin failed');
    const r = this.runJob(job, o);
    expect0(r.status, 'compaction job');
    const runId = this.openRun(r.file);
    if (runId <= 0) throw new Error(`run_open ${runId}`);
    expect0(this.x.job_install_compaction(job, runId), 'job_install_compaction');
    this.x.job_free(job);
    return { runId, stats: r.stats, file: r.file };
  }

  runInfo(runId: number): { entries: number; keys: number; tombs: number; minStamp: number; maxStamp: number; blocks: number; file: number } {
    expect0(this.x.run_info(runId), 'run_info');
    return {
      entries: this.rf64(0), keys: this.rf64(1), tombs: this.rf64(2), minStamp: this.rf64(3), maxStamp: this.rf64(4),
      blocks: this.r32(0), file: this.r32(1),
    };
  }

  cacheStats(): { hits: number; misses: number; evictions: number; readBytes: number; used: number; limit: number; blocks: number } {
    this.x.cache_stats();
    return {
      hits: this.rf64(0), misses: this.rf64(1), evictions: this.rf64(2), readBytes: this.rf64(3), used: this.rf64(4),
      limit: this.rf64(5), blocks: this.r32(0),
    };
  }
}

function expect0(st: number, what: string): void {
  if (st !== 0) throw new Error(`${what}: status ${st}`);
}

// ---- run file layout (wasm/storage/run_format.ts), for corruption tests ----

export interface RunLayout {
  blocks: Array<{ offset: number; size: number }>;
  indexOff: number;
  indexLen: number;
  bloomOff: number;
  bloomLen: number;
  metaOff: number;
  metaLen: number;
  footerOff: number;
}

/** Parses a run file's footer and index (trusting it: the file is the kernel's own output). */
export function runLayout(file: Uint8Array): RunLayout {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const f = file.length - 64;
  const indexOff = Number(dv.getBigUint64(f + 16, true));
  const indexLen = dv.getUint32(f + 24, true);
  const bloomLen = dv.getUint32(f + 28, true);
  const bloomOff = Number(dv.getBigUint64(f + 32, true));
  const metaOff = Number(dv.getBigUint64(f + 40, true));
  const metaLen = dv.getUint32(f + 48, true);
  const count = dv.getUint32(f + 52, true);
  const blocks: Array<{ offset: number; size: number }> = [];
  let p = indexOff;
  for (let b = 0; b < count; b++) {
    let kl = 0;
    let shift = 0;
    for (;;) {
      const byte = file[p++]!;
      kl |= (byte & 0x7f) << shift;
      shift += 7;
      if ((byte & 0x80) === 0) break;
    }
    p += kl + 8;
    blocks.push({ offset: Number(dv.getBigUint64(p, true)), size: dv.getUint32(p + 8, true) });
    p += 12;
  }
  return { blocks, indexOff, indexLen, bloomOff, bloomLen, metaOff, metaLen, footerOff: f };
}

/** Deterministic pseudo-random numbers (xorshift32) for tests that need many values fast. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

export function shuffle<T>(a: T[], rand: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Fixed-width decimal key: byte order equals numeric order. */
export const numKey = (i: number, width = 8): string => String(i).padStart(width, '0');

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
