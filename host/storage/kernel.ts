// Loads storage.wasm and wraps its exports for the host.
//
// One kernel instance per open database: the kernel's state (memtables, TIP,
// runs, cache) is module-global, so instances never share it. The compiled
// module is cached per process. The host ABI (wasm/common/host.ts) is served
// from here: the kernel reads run files through `host.read`, which maps file
// ids to PlatformFiles.

import type { Platform, PlatformFile } from '../platform/platform.ts';
import { SbError, SqlState } from '../engine/sb_error.ts';

export const KERNEL_ABI_VERSION = 2;
export const RUN_FORMAT_VERSION = 2;

/** memGet: the visible version is a tombstone. */
export const MEM_DELETED = -1;
/** memGet: no memtable holds a visible version (ask the runs). */
export const MEM_MISS = -2;

// Kernel status codes (wasm/common/status.ts).
export const ST = {
  OK: 0,
  NOT_FOUND: 1,
  CONFLICT_ACTIVE: 2,
  CONFLICT_COMMITTED: 3,
  EXISTS: 4,
  MORE: 5,
  END: 6,
  ERR_NOMEM: -1,
  ERR_IO: -2,
  ERR_CORRUPT: -3,
  ERR_ARG: -4,
  ERR_FORMAT: -5,
  ERR_LIMIT: -6,
  ERR_STATE: -7,
} as const;

/** Kernel put operations (wasm/storage/lsm.ts). */
export const OP_PUT = 0;
export const OP_DELETE = 1;
export const OP_INSERT = 2;

/** TIP states (wasm/mvcc/tip.ts). */
export const TX_ACTIVE = 0;
export const TX_COMMITTED = 1;
export const TX_ABORTED = 2;
export const TX_LIMBO = 3;
export const TX_FREE = 255;

export interface StorageExports {
  memory: WebAssembly.Memory;
  _start(): void;
  abi_version(): number;
  run_format_version(): number;
  result_area(): number;
  io_buffer(size: number): number;
  mem_allocated(): number;
  mem_pages(): number;
  mem_set_limit_pages(pages: number): void;
  crc32c_of(ptr: number, len: number): number;
  checksum_of(ptr: number, len: number): number;
  storage_init(): number;
  tx_begin(begin: number, snapshot: number): number;
  tx_set_snapshot(slot: number, snapshot: number): void;
  tx_state(slot: number): number;
  tx_flags(slot: number): number;
  tx_write_count(slot: number): number;
  tx_rollback_to(slot: number, mark: number): void;
  tx_commit_prepare(slot: number, txnIdPtr: number, stamp: number): number;
  tx_commit_finish(slot: number): void;
  tx_abort(slot: number): void;
  tx_live_count(): number;
  tx_oldest_snapshot(): number;
  tx_oldest_begin(): number;
  kv_get(key: number, keyLen: number, snapshot: number, slot: number, seqLimit?: number): number;
  kv_get_runs(key: number, keyLen: number, snapshot: number): number;
  lsm_memtables_ptr(): number;
  kv_put(key: number, keyLen: number, val: number, valLen: number, op: number, slot: number, snapshot: number, snapshotCheck: number): number;
  wal_apply(rec: number, len: number): number;
  lsm_freeze(): number;
  lsm_active_bytes(): number;
  /** Estimated memtable bytes of live transactions' versions (what a freeze would carry). */
  lsm_live_bytes(): number;
  lsm_frozen_bytes(): number;
  lsm_frozen_count(): number;
  lsm_run_count(): number;
  lsm_run_id_at(i: number): number;
  lsm_append_run(runId: number): number;
  lsm_install_flush(runId: number): number;
  lsm_seq(): number;
  lsm_set_seq(s: number): void;
  run_open(file: number, size: number): number;
  run_info(runId: number): number;
  run_release(runId: number): void;
  run_warm(runId: number, first: number, count: number, skip: number): number;
  run_blocks_within(runId: number, skip: number): number;
  run_take_dead_file(): number;
  flush_begin(horizon: number, bottom: number, blockTarget: number, bitsPerKey: number): number;
  compact_begin(first: number, count: number, horizon: number, bottom: number, blockTarget: number, bitsPerKey: number): number;
  job_add_drop_prefix(job: number, p: number, len: number): number;
  job_step(job: number, chunkBytes: number): number;
  job_out_ptr(job: number): number;
  job_out_len(job: number): number;
  job_out_consume(job: number): void;
  job_entries(job: number): number;
  job_stat(job: number, which: number): number;
  job_install_compaction(job: number, runId: number): number;
  job_free(job: number): void;
  iter_open(lo: number, loLen: number, loFlags: number, hi: number, hiLen: number, hiFlags: number, snapshot: number, slot: number, reverse: number, raw: number, seqLimit?: number): number;
  iter_next(it: number, maxRows: number, maxBytes: number): number;
  iter_out_ptr(it: number): number;
  iter_out_len(it: number): number;
  iter_close(it: number): void;
  cache_set_limit(bytes: number): void;
  cache_stats(): void;
}

const moduleCache = new Map<string, Promise<WebAssembly.Module>>();

async function compiledModule(platform: Platform, asset: string): Promise<WebAssembly.Module> {
  let m = moduleCache.get(asset);
  if (!m) {
    m = platform.readAsset(asset).then((bytes) => WebAssembly.compile(bytes as BufferSource));
    moduleCache.set(asset, m);
    m.catch(() => moduleCache.delete(asset));
  }
  return m;
}

export class StorageKernel {
  readonly x: StorageExports;
  private readonly files = new Map<number, PlatformFile>();
  private nextFileId = 1;
  private buffer: ArrayBuffer;
  private u8view: Uint8Array;
  private f64view: Float64Array;
  private u32view: Uint32Array;
  private readonly resultPtr: number;
  /** The result area's sixteen u32 slots, as a view (refreshed with the others). */
  private res32: Uint32Array;
  private memtablesWord = 0;
  /** Error from the last host.read import call (kept for diagnostics). */
  lastReadError: unknown = undefined;

  private constructor(instance: WebAssembly.Instance) {
    this.x = instance.exports as unknown as StorageExports;
    this.buffer = this.x.memory.buffer;
    this.u8view = new Uint8Array(this.buffer);
    this.f64view = new Float64Array(this.buffer);
    this.u32view = new Uint32Array(this.buffer);
    this.resultPtr = 0;
    this.x._start();
    this.resultPtr = this.x.result_area();
    this.res32 = new Uint32Array(this.buffer, this.resultPtr + 64, 16);
    this.memtablesWord = this.x.lsm_memtables_ptr() >>> 2;
  }

  static async load(platform: Platform): Promise<StorageKernel> {
    const module = await compiledModule(platform, 'build/wasm/storage.wasm');
    let kernel: StorageKernel | undefined;
    const imports = {
      host: {
        read: (file: number, offset: number, ptr: number, len: number): number => kernel!.hostRead(file, offset, ptr, len),
        log: (_level: number, _ptr: number, _len: number): void => {},
      },
      env: {
        abort: (): never => {
          throw new SbError(SqlState.internal_error, 'storage kernel aborted');
        },
      },
    };
    const instance = await WebAssembly.instantiate(module, imports);
    kernel = new StorageKernel(instance);
    const abi = kernel.x.abi_version();
    if (abi !== KERNEL_ABI_VERSION) {
      throw new SbError(SqlState.object_not_in_prerequisite_state,
        `storage kernel ABI ${abi} does not match the host's ABI ${KERNEL_ABI_VERSION}`,
        { kind: 'abi_version', hint: 'Rebuild the kernels with `npm run build:wasm`.' });
    }
    const runFormat = kernel.x.run_format_version();
    if (runFormat !== RUN_FORMAT_VERSION) {
      throw new SbError(SqlState.object_not_in_prerequisite_state,
        `storage kernel writes run format ${runFormat}, the host expects ${RUN_FORMAT_VERSION}`,
        { kind: 'format_version', hint: 'Rebuild the kernels with `npm run build:wasm`.' });
    }
    kernel.check(kernel.x.storage_init(), 'initialising the storage kernel');
    return kernel;
  }

  private hostRead(file: number, offset: number, ptr: number, len: number): number {
    const f = this.files.get(file);
    if (!f) return -1;
    try {
      const view = new Uint8Array(this.x.memory.buffer, ptr, len);
      let done = 0;
      while (done < len) {
        const n = f.readSync(view.subarray(done), offset + done);
        if (n <= 0) break;
        done += n;
      }
      return done;
    } catch (e) {
      this.lastReadError = e;
      return -1;
    }
  }

  registerFile(f: PlatformFile): number {
    const id = this.nextFileId++;
    this.files.set(id, f);
    return id;
  }

  file(id: number): PlatformFile | undefined {
    return this.files.get(id);
  }

  fileIds(): number[] {
    return [...this.files.keys()];
  }

  unregisterFile(id: number): PlatformFile | undefined {
    const f = this.files.get(id);
    this.files.delete(id);
    return f;
  }

  /**
   * Up-to-date byte view of linear memory. Memory growth detaches the old
   * buffer, which leaves the old views with length 0: a cheaper test than
   * comparing memory.buffer on every call.
   */
  u8(): Uint8Array {
    if (this.u8view.length === 0) this.refresh();
    return this.u8view;
  }

  private refresh(): void {
    this.buffer = this.x.memory.buffer;
    this.u8view = new Uint8Array(this.buffer);
    this.f64view = new Float64Array(this.buffer);
    this.u32view = new Uint32Array(this.buffer);
    this.res32 = new Uint32Array(this.buffer, this.resultPtr + 64, 16);
  }

  resultU32(i: number): number {
    if (this.u8view.length === 0) this.refresh();
    return this.res32[i]!;
  }

  /**
   * The memtable part of a point read, in TypeScript over the kernel's memory
   * (the kernel's kvGet loop lost to TypeScript once the call, the key copy in
   * and the result reads were counted: docs/benchmarks.md section 3). Finds
   * the version of (prefix ‖ key) visible to (slot, snapshot, seqLimit) in the
   * memtables, newest first, exactly as wasm/storage/lsm.ts kvGet does.
   * Returns the value's address in linear memory (read it at once: valid
   * until the next kernel call) with its length in `memValueLen`; MEM_DELETED
   * when the visible version is a tombstone; MEM_MISS when no memtable has a
   * visible version (then ask the runs: kv_get_runs).
   * Layouts read here (ABI version 2): lsm.ts memtableView, memtable.ts
   * MT_HTAB/MT_HCAP and its [u32 hash | u32 version] slots, mvcc/version.ts
   * version headers; the hash is bytes.ts hashKey32.
   */
  memGet(prefix: Uint8Array, key: Uint8Array, snapshot: number, slot: number, seqLimit: number): number {
    if (this.u8view.length === 0) this.refresh();
    const u32 = this.u32view;
    const u8 = this.u8view;
    const kl = key.length;
    const total = kl + 4;
    // hashKey32 over prefix ‖ key: the prefix is the first 32-bit word.
    let h = Math.imul(total, 0x9e3779b1);
    let k = prefix[0]! | (prefix[1]! << 8) | (prefix[2]! << 16) | (prefix[3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
    let i = 0;
    for (; i + 4 <= kl; i += 4) {
      k = key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24);
      k = Math.imul(k, 0xcc9e2d51);
      k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
      h ^= k;
      h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
    }
    if (i < kl) {
      k = 0;
      for (let s = 0; i < kl; i++, s += 8) k |= key[i]! << s;
      k = Math.imul(k, 0xcc9e2d51);
      k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
      h ^= k;
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    h >>>= 0;
    const mw = this.memtablesWord;
    const nm = u32[mw]!;
    for (let m = 0; m < nm; m++) {
      const mt = u32[mw + 1 + m]!;
      const t = u32[(mt + 64) >>> 2]!; // MT_HTAB
      if (t === 0) continue;
      const mask = u32[(mt + 68) >>> 2]! - 1; // MT_HCAP
      let j = h & mask;
      let v = 0;
      for (;;) {
        const sw = (t >>> 2) + 2 * j;
        const e = u32[sw + 1]!;
        if (e === 0) break;
        if (u32[sw] === h && u32[e >>> 2] === total) {
          const p = e + 40; // V_HEADER
          let same = u8[p] === prefix[0] && u8[p + 1] === prefix[1] && u8[p + 2] === prefix[2] && u8[p + 3] === prefix[3];
          for (let b = 0; same && b < kl; b++) same = u8[p + 4 + b] === key[b];
          if (same) {
            v = e;
            break;
          }
        }
        j = (j + 1) & mask;
      }
      // The back-version chain, newest first (isVisibleAt with keepMoved = false).
      while (v !== 0) {
        const w = v >>> 2;
        const f = u8[v + 28]!; // V_FLAGS
        let visible: boolean;
        if ((f & 2) !== 0) visible = u32[w + 4]! + u32[w + 5]! * 4294967296 <= snapshot; // committed: V_STAMP
        else if ((f & 12) !== 0) visible = false; // aborted or moved
        else visible = slot !== 0 && u32[w + 6] === slot && u32[w + 2]! + u32[w + 3]! * 4294967296 <= seqLimit; // V_SLOT, V_SEQ
        if (visible) {
          if ((f & 1) !== 0) return MEM_DELETED;
          this.memValueLen = u32[w + 1]!;
          return v + 40 + total;
        }
        v = u32[w + 8]!; // V_OLDER
      }
    }
    return MEM_MISS;
  }

  /** Length of the value memGet found. */
  memValueLen = 0;

  /**
   * Starts a lone-memtable walk in TypeScript over the kernel's memory
   * (ScanCursor's path for reverse scans when the LSM is one memtable: the
   * kernel has no lone-memtable walk for them and this one beat its merge
   * loop; forward scans stay on the kernel's walk, merge_iter.ts memRun,
   * which beat this one: docs/benchmarks.md section 3). `it` is a non-raw
   * kernel iterator just opened in the same direction: it pins the memtable
   * (a flush or a freeze cannot free it while the walk runs) and its seek
   * gives the first position. Undefined when the iterator holds more than one
   * component (a frozen memtable or a run): read that one through iter_next.
   * `lo` and `hi` (with the key space prefix) bound the walk as the
   * iterator's bounds do. Layouts read here (ABI version 2): merge_iter.ts
   * I_N/I_SRCS/I_REVERSE/I_RAW/I_DONE/I_ERROR, cursor.ts C_KIND/C_VALID/
   * C_SRC/C_POS/C_IDX/C_INSERTS/C_VER, memtable.ts nodes and
   * MT_ROOT/MT_INSERTS, mvcc/version.ts headers.
   */
  memWalkOpen(it: number, lo: Uint8Array, loInclusive: boolean, hi: Uint8Array, hiInclusive: boolean, reverse: boolean,
    snapshot: number, slot: number, seqLimit: number): MemWalk | undefined {
    if (this.u8view.length === 0) this.refresh();
    const u8 = this.u8view;
    const u32 = this.u32view;
    it >>>= 0;
    if (u32[it >>> 2] !== 1) return undefined; // I_N: components
    if (u8[it + 22] !== 0 || u32[(it + 84) >>> 2] !== 0) return undefined; // I_DONE, I_ERROR: let iter_next say
    if (u8[it + 21] !== 0 || (u8[it + 20] !== 0) !== reverse) return undefined; // I_RAW, I_REVERSE
    const c = u32[(it + 4) >>> 2]!; // I_SRCS: cursor 0
    if (u8[c] !== 1) return undefined; // C_KIND: CUR_MEM
    const w = new MemWalk(u32[(c + 4) >>> 2]!, lo, loInclusive, hi, hiInclusive, reverse, snapshot, slot, seqLimit);
    if (u8[c + 1] !== 0) { // C_VALID
      w.leaf = u32[(c + 8) >>> 2]!; // C_POS
      w.idx = u32[(c + 12) >>> 2]!; // C_IDX
      w.inserts = u32[(c + 16) >>> 2]!; // C_INSERTS
      w.ver = u32[(c + 44) >>> 2]!; // C_VER
    }
    return w;
  }

  /**
   * The next batch of a lone-memtable walk into `w.out` (rows as iter_next
   * writes them, u32 keyLen | u32 valLen | key | value, but each padded to a
   * multiple of 8 bytes; `w.len` bytes), up to
   * maxRows rows, stopping once maxBytes are written. Returns the row count,
   * 0 at the end. Per key the first version visible to the reader (own writes
   * up to seqLimit, commits up to the snapshot; a version carried into a newer
   * memtable by a freeze still counts here, as for the iterator's rank-0
   * memtable), tombstones skipped: merge_iter.ts memRun, row for row. When the
   * memtable took inserts since the last batch (entries shift inside leaves
   * and move at splits), the walk re-finds its next version by (key, seq):
   * versions never move, so the rows already returned are not seen again.
   */
  memWalkFill(w: MemWalk, maxRows: number, maxBytes: number): number {
    w.len = 0;
    if (w.ver === 0) return 0;
    if (w.reverse) return this.memWalkFillReverse(w, maxRows, maxBytes);
    if (this.u8view.length === 0) this.refresh();
    const u8 = this.u8view;
    const u32 = this.u32view;
    this.memWalkResync(w, u32);
    let leaf = w.leaf;
    let i = w.idx;
    let cnt = u8[leaf]! | (u8[leaf + 1]! << 8);
    let pos = 0;
    let rows = 0;
    let sink = 0;
    const hi = w.hi, hiH = w.hiH, hiL = w.hiL, hiIncl = w.hiInclusive;
    const snap = w.snapshot, slot = w.slot, seqLimit = w.seqLimit;
    while (rows < maxRows && pos < maxBytes) {
      // Touch the version MEM_AHEAD entries on: its cache miss overlaps this row's work.
      if (i + MEM_AHEAD < cnt) sink += u32[u32[((leaf + 528) >>> 2) + i + MEM_AHEAD]! >>> 2]!;
      const pw = ((leaf + 16) >>> 2) + 2 * i; // N_PREFIX: u64 (big-endian key bytes) as two LE words
      const ph = u32[pw + 1]!;
      const pl = u32[pw]!;
      const v = u32[((leaf + 528) >>> 2) + i]!; // N_PTR
      const kl = u32[v >>> 2]!;
      if (ph > hiH || (ph === hiH && (pl > hiL || (pl === hiL && pastHi(u8, v + 40, kl, hi, hiIncl))))) {
        w.ver = 0;
        break;
      }
      let resolved = false;
      let x = v;
      for (;;) {
        if (!resolved) {
          const xw = x >>> 2;
          const f = u8[x + 28]!; // V_FLAGS
          let visible: boolean;
          if ((f & 2) !== 0) visible = u32[xw + 4]! + u32[xw + 5]! * 4294967296 <= snap; // committed: V_STAMP
          else if ((f & 4) !== 0) visible = false; // aborted (moved counts: keepMoved)
          else visible = slot !== 0 && u32[xw + 6] === slot && u32[xw + 2]! + u32[xw + 3]! * 4294967296 <= seqLimit; // V_SLOT, V_SEQ
          if (visible) {
            resolved = true;
            if ((f & 1) === 0) {
              pos = emitRow(w, u8, u32, pos, x, kl);
              rows++;
            }
          }
        }
        i++;
        while (i >= cnt) {
          leaf = u32[(leaf + 4) >>> 2]!; // next leaf
          if (leaf === 0) {
            w.ver = 0;
            w.len = pos;
            this.walkSink += sink;
            return rows;
          }
          i = 0;
          cnt = u8[leaf]! | (u8[leaf + 1]! << 8);
        }
        const qw = ((leaf + 16) >>> 2) + 2 * i;
        if (u32[qw + 1] !== ph || u32[qw] !== pl) break;
        const nv = u32[((leaf + 528) >>> 2) + i]!;
        if (u32[nv >>> 2] !== kl) break;
        if (kl > 8 && !sameBytes(u8, nv + 48, v + 48, kl - 8)) break;
        x = nv;
      }
    }
    if (w.ver !== 0) {
      w.leaf = leaf;
      w.idx = i;
      w.ver = u32[((leaf + 528) >>> 2) + i]!;
    }
    w.len = pos;
    this.walkSink += sink;
    return rows;
  }

  /** After inserts into the memtable since the last batch (MT_INSERTS moved), re-finds the walk's next version. */
  private memWalkResync(w: MemWalk, u32: Uint32Array): void {
    const inserts = u32[(w.mt + 56) >>> 2]!; // MT_INSERTS
    if (inserts === w.inserts) return;
    this.memSeekVersion(w.mt, w.ver);
    w.leaf = this.seekLeaf;
    w.idx = this.seekIdx;
    w.inserts = inserts;
  }

  /**
   * memWalkFill for a reverse walk: keys from the largest down, per key the
   * first visible version (a key's versions lie newest first, so each group
   * is read forward from its newest version), stopping below `lo`: the
   * reverse path of merge_iter.ts iterNext for one memtable cursor.
   */
  private memWalkFillReverse(w: MemWalk, maxRows: number, maxBytes: number): number {
    if (this.u8view.length === 0) this.refresh();
    const u8 = this.u8view;
    const u32 = this.u32view;
    this.memWalkResync(w, u32);
    let leaf = w.leaf;
    let i = w.idx;
    let pos = 0;
    let rows = 0;
    const lo = w.lo, loH = w.loH, loL = w.loL, loIncl = w.loInclusive;
    const snap = w.snapshot, slot = w.slot, seqLimit = w.seqLimit;
    while (rows < maxRows && pos < maxBytes) {
      // (leaf, i): the newest version of the key.
      const pw = ((leaf + 16) >>> 2) + 2 * i;
      const ph = u32[pw + 1]!;
      const pl = u32[pw]!;
      const v = u32[((leaf + 528) >>> 2) + i]!;
      const kl = u32[v >>> 2]!;
      if (ph < loH || (ph === loH && (pl < loL || (pl === loL && beforeLo(u8, v + 40, kl, lo, loIncl))))) {
        w.ver = 0;
        break;
      }
      let gl = leaf, gi = i, gc = u8[leaf]! | (u8[leaf + 1]! << 8);
      let x = v;
      for (;;) {
        const xw = x >>> 2;
        const f = u8[x + 28]!;
        let visible: boolean;
        if ((f & 2) !== 0) visible = u32[xw + 4]! + u32[xw + 5]! * 4294967296 <= snap;
        else if ((f & 4) !== 0) visible = false;
        else visible = slot !== 0 && u32[xw + 6] === slot && u32[xw + 2]! + u32[xw + 3]! * 4294967296 <= seqLimit;
        if (visible) {
          if ((f & 1) === 0) {
            pos = emitRow(w, u8, u32, pos, x, kl);
            rows++;
          }
          break;
        }
        gi++;
        while (gi >= gc) {
          gl = u32[(gl + 4) >>> 2]!;
          if (gl === 0) break;
          gi = 0;
          gc = u8[gl]! | (u8[gl + 1]! << 8);
        }
        if (gl === 0) break;
        const qw = ((gl + 16) >>> 2) + 2 * gi;
        if (u32[qw + 1] !== ph || u32[qw] !== pl) break;
        const nv = u32[((gl + 528) >>> 2) + gi]!;
        if (u32[nv >>> 2] !== kl || (kl > 8 && !sameBytes(u8, nv + 48, v + 48, kl - 8))) break;
        x = nv;
      }
      // The previous key: step back past every version of this one (a newer
      // version written since the position was taken lies just before it) ...
      let e = v;
      for (;;) {
        i--;
        while (i < 0) {
          leaf = u32[(leaf + 8) >>> 2]!; // previous leaf
          if (leaf === 0) break;
          i = (u8[leaf]! | (u8[leaf + 1]! << 8)) - 1;
        }
        if (leaf === 0) break;
        e = u32[((leaf + 528) >>> 2) + i]!;
        const qw = ((leaf + 16) >>> 2) + 2 * i;
        if (u32[qw + 1] !== ph || u32[qw] !== pl || u32[e >>> 2] !== kl || (kl > 8 && !sameBytes(u8, e + 48, v + 48, kl - 8))) break;
      }
      if (leaf === 0) {
        w.ver = 0;
        break;
      }
      // ... then back to that key's newest version.
      const eh = u32[((leaf + 16) >>> 2) + 2 * i + 1]!, el = u32[((leaf + 16) >>> 2) + 2 * i]!;
      const ekl = u32[e >>> 2]!;
      for (;;) {
        let pi = i - 1, pleaf = leaf;
        while (pi < 0) {
          pleaf = u32[(pleaf + 8) >>> 2]!;
          if (pleaf === 0) break;
          pi = (u8[pleaf]! | (u8[pleaf + 1]! << 8)) - 1;
        }
        if (pleaf === 0) break;
        const qw = ((pleaf + 16) >>> 2) + 2 * pi;
        const pv = u32[((pleaf + 528) >>> 2) + pi]!;
        if (u32[qw + 1] !== eh || u32[qw] !== el || u32[pv >>> 2] !== ekl || (ekl > 8 && !sameBytes(u8, pv + 48, e + 48, ekl - 8))) break;
        leaf = pleaf;
        i = pi;
      }
    }
    if (w.ver !== 0) {
      w.leaf = leaf;
      w.idx = i;
      w.ver = u32[((leaf + 528) >>> 2) + i]!;
    }
    w.len = pos;
    return rows;
  }

  /** Keeps the touch-ahead loads of memWalkFill from being optimized away. */
  walkSink = 0;
  private seekLeaf = 0;
  private seekIdx = 0;

  /**
   * Positions at version `p` of memtable `mt` (its key and write sequence are
   * unique in the tree): memtable.ts mtSeek with (key, seq) taken from p.
   */
  private memSeekVersion(mt: number, p: number): void {
    const u8 = this.u8view;
    const u32 = this.u32view;
    let n = u32[mt >>> 2]!; // MT_ROOT
    const kl = u32[p >>> 2]!;
    let ph = 0, pl = 0;
    for (let b = 0; b < 8; b++) {
      const byte = b < kl ? u8[p + 40 + b]! : 0;
      if (b < 4) ph = ph * 256 + byte;
      else pl = pl * 256 + byte;
    }
    const seq = u32[(p + 8) >>> 2]! + u32[(p + 12) >>> 2]! * 4294967296;
    // Probe against entry j of node n: < 0 probe first (key ascending, then write sequence descending).
    const cmp = (node: number, j: number): number => {
      const pw = ((node + 16) >>> 2) + 2 * j;
      const eh = u32[pw + 1]!, el = u32[pw]!;
      if (eh !== ph) return ph < eh ? -1 : 1;
      if (el !== pl) return pl < el ? -1 : 1;
      const e = u32[((node + 528) >>> 2) + j]!;
      const c = compareMem(u8, p + 40, kl, e + 40, u32[e >>> 2]!);
      if (c !== 0) return c;
      const es = u32[(e + 8) >>> 2]! + u32[(e + 12) >>> 2]! * 4294967296;
      return seq === es ? 0 : seq > es ? -1 : 1;
    };
    while (n !== 0 && u8[n + 2] === 0) {
      const count = u8[n]! | (u8[n + 1]! << 8);
      let j = 0;
      while (j < count && cmp(n, j) >= 0) j++; // children left of the separators <= the probe
      n = u32[((n + 784) >>> 2) + j]!; // N_CHILD
    }
    let i = 0;
    if (n !== 0) {
      const count = u8[n]! | (u8[n + 1]! << 8);
      while (i < count && cmp(n, i) > 0) i++;
      if (i === count) {
        const next = u32[(n + 4) >>> 2]!;
        if (next !== 0) {
          n = next;
          i = 0;
        }
      }
    }
    this.seekLeaf = n;
    this.seekIdx = i;
  }

  resultF64(i: number): number {
    if (this.u8view.length === 0) this.refresh();
    return this.f64view[this.resultPtr / 8 + i]!;
  }

  private ioPtr = 0;
  private ioCap = 0;

  /** The kernel's I/O buffer for passing arguments, at least `size` bytes. */
  ioBuffer(size: number): number {
    if (size <= this.ioCap) return this.ioPtr;
    const p = this.x.io_buffer(size) >>> 0; // pointers above 2 GiB come back negative
    if (p === 0) throw new SbError(SqlState.out_of_memory, 'storage kernel out of memory', { kind: 'kernel_memory' });
    this.ioPtr = p;
    this.ioCap = Math.max(size, 4096);
    return p;
  }

  private slab = new Uint8Array(0);
  private slabPos = 0;

  /**
   * Copies bytes out of linear memory into JS memory. Small copies are carved
   * from a shared 64 KiB slab: V8 gives every typed array over 64 bytes its
   * own off-heap buffer, which made slice() cost more than the kernel call.
   */
  copyOut(ptr: number, len: number): Uint8Array {
    ptr >>>= 0;
    const u8 = this.u8();
    if (len > 8192) return u8.slice(ptr, ptr + len);
    if (this.slabPos + len > this.slab.length) {
      this.slab = new Uint8Array(65536);
      this.slabPos = 0;
    }
    const at = this.slabPos;
    const slab = this.slab;
    if (len <= 24) for (let i = 0; i < len; i++) slab[at + i] = u8[ptr + i]!;
    else slab.set(u8.subarray(ptr, ptr + len), at);
    this.slabPos = (at + len + 7) & ~7;
    return slab.subarray(at, at + len);
  }

  /** Throws the SbError for a failure status; returns the status otherwise. */
  check(status: number, what: string): number {
    if (status >= 0) return status;
    throw kernelError(status, what, this.lastReadError);
  }
}

export function kernelError(status: number, what: string, cause?: unknown): SbError {
  switch (status) {
    case ST.ERR_NOMEM:
      return new SbError(SqlState.out_of_memory, `out of memory while ${what}`, {
        hint: 'Raise the memory limit or lower memtable_bytes_max / block_cache_bytes_max.',
        kind: 'kernel_memory',
      });
    case ST.ERR_IO:
      return new SbError(SqlState.io_error, `I/O error while ${what}`, { cause, kind: 'io' });
    case ST.ERR_CORRUPT:
      return new SbError(SqlState.data_corrupted, `corrupted data found while ${what}`, { kind: 'corrupt' });
    case ST.ERR_FORMAT:
      return new SbError(SqlState.object_not_in_prerequisite_state, `unsupported on-disk format while ${what}`, {
        kind: 'format_version',
        hint: `This build reads run format ${RUN_FORMAT_VERSION}; open the folder with the version that wrote it.`,
      });
    default:
      return new SbError(SqlState.internal_error, `storage kernel failure ${status} while ${what}`, { kind: 'kernel' });
  }
}

/** How far ahead memWalkFill touches versions (merge_iter.ts AHEAD). */
const MEM_AHEAD = 24;

/** A lone-memtable walk's position, bounds, reader and output batch (StorageKernel.memWalkOpen). */
export class MemWalk {
  leaf = 0;
  idx = 0;
  /** The version at the position (the newest of its key); 0 when the walk has ended. */
  ver = 0;
  /** The memtable's insert count when the position was taken (MT_INSERTS). */
  inserts = 0;
  /**
   * The batch memWalkFill wrote (grown as needed, reused) and its length.
   * Rows start at multiples of 8 (padding after each), so they are copied
   * a word at a time (a byte loop cost more than the rest of the walk).
   */
  out = new Uint8Array(0);
  out32 = new Uint32Array(0);
  view = new DataView(this.out.buffer);
  len = 0;
  /** The bounds' first eight bytes (zero-padded, big-endian) as two words each, as memtable.ts keyPrefix makes them. */
  readonly hiH: number;
  readonly hiL: number;
  readonly loH: number;
  readonly loL: number;

  constructor(
    readonly mt: number,
    readonly lo: Uint8Array,
    readonly loInclusive: boolean,
    readonly hi: Uint8Array,
    readonly hiInclusive: boolean,
    readonly reverse: boolean,
    readonly snapshot: number,
    readonly slot: number,
    readonly seqLimit: number,
  ) {
    this.hiH = prefixWord(hi, 0);
    this.hiL = prefixWord(hi, 4);
    this.loH = prefixWord(lo, 0);
    this.loL = prefixWord(lo, 4);
  }
}

/**
 * Writes version x's row (u32 keyLen | u32 valLen | key | value, padded to 8
 * bytes) at `pos` of the walk's batch, growing it when needed; returns the
 * next row's position. Versions are 8-byte aligned with key and value
 * together after the 40-byte header, so whole words copy them (the last word
 * may carry up to 3 bytes past the value into the row's padding).
 */
function emitRow(w: MemWalk, u8: Uint8Array, u32: Uint32Array, pos: number, x: number, kl: number): number {
  const n = kl + u32[(x + 4) >>> 2]!; // V_VALLEN
  const end = pos + 8 + ((n + 7) & ~7);
  if (end > w.out.length) {
    const bigger = new Uint8Array(Math.max(2 * w.out.length, end, 1024) + 7 & ~7);
    bigger.set(w.out.subarray(0, pos));
    w.out = bigger;
    w.out32 = new Uint32Array(bigger.buffer);
    w.view = new DataView(bigger.buffer);
  }
  const out32 = w.out32;
  const o = pos >>> 2;
  out32[o] = kl;
  out32[o + 1] = n - kl;
  if (n <= 512) {
    const s = (x + 40) >>> 2;
    const words = (n + 3) >>> 2;
    for (let b = 0; b < words; b++) out32[o + 2 + b] = u32[s + b]!;
  } else {
    w.out.set(u8.subarray(x + 40, x + 40 + n), pos + 8);
  }
  return end;
}

/** Bytes [at, at + 4) of a key as a big-endian u32, zero past its end. */
function prefixWord(key: Uint8Array, at: number): number {
  let w = 0;
  for (let b = at; b < at + 4; b++) w = w * 256 + (b < key.length ? key[b]! : 0);
  return w;
}

/** True when the key at u8[p, p + kl) is below the lower bound. */
function beforeLo(u8: Uint8Array, p: number, kl: number, lo: Uint8Array, loInclusive: boolean): boolean {
  const n = Math.min(kl, lo.length);
  for (let b = 0; b < n; b++) {
    const d = u8[p + b]! - lo[b]!;
    if (d !== 0) return d < 0;
  }
  return kl < lo.length || (kl === lo.length && !loInclusive);
}

/** True when the key at u8[p, p + kl) is past the upper bound. */
function pastHi(u8: Uint8Array, p: number, kl: number, hi: Uint8Array, hiInclusive: boolean): boolean {
  const n = Math.min(kl, hi.length);
  for (let b = 0; b < n; b++) {
    const d = u8[p + b]! - hi[b]!;
    if (d !== 0) return d > 0;
  }
  return kl > hi.length || (kl === hi.length && !hiInclusive);
}

function sameBytes(u8: Uint8Array, a: number, b: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (u8[a + i] !== u8[b + i]) return false;
  return true;
}

/** Byte order of two keys in linear memory: < 0 when the first sorts first. */
function compareMem(u8: Uint8Array, a: number, al: number, b: number, bl: number): number {
  const n = Math.min(al, bl);
  for (let i = 0; i < n; i++) {
    const d = u8[a + i]! - u8[b + i]!;
    if (d !== 0) return d;
  }
  return al - bl;
}
