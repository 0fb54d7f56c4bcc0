// A range scan over one key space, read in batches from the kernel's merge
// iterator. Each batch is copied out of linear memory once, into a buffer the
// cursor owns and reuses, so the key and value views a cursor hands out stay
// valid until the next batch (not after it), whatever the kernel does
// meanwhile (memory growth detaches old views). Reusing the buffer keeps a
// long scan from allocating a new off-heap buffer per batch, which made V8
// collect garbage over and over on large heaps.
//
// When the LSM tree is one memtable (no frozen memtable, no run), a reverse
// scan walks that memtable's leaves in TypeScript over the kernel's memory
// (StorageKernel.memWalkFill) straight into the cursor's batch, instead of
// iter_next filling a kernel batch that is then copied out: the same rows,
// bounds and visibility. The kernel iterator is still opened: it pins the
// memtable and seeks the first row. Forward scans stay on iter_next, whose
// lone-memtable walk (merge_iter.ts memRun) beat the same walk in TypeScript
// (1.65x with keys inserted in random order, 1.88x in key order); reverse
// scans have no such kernel walk and the TypeScript one beat the kernel's
// merge loop 2.8x in key order, tied in random order (docs/benchmarks.md
// section 3, kernel_micro --only memscan). Raw scans, and scans over several
// components, read through iter_next.

import { SbError, SqlState } from '../sb_error.ts';
import type { MemWalk, StorageKernel } from '../../storage/kernel.ts';
import { binaryString } from '../../storage/wal_record.ts';
import { SCAN_BATCH_BYTES_MAX, SCAN_BATCH_ROWS_MAX } from './options.ts';
import type { Keyspace } from './store_core.ts';

export interface ScanOptions {
  /** Lower bound (key without the key space prefix); default: start of the key space. */
  lo?: Uint8Array;
  loInclusive?: boolean;
  /** Upper bound; default: end of the key space. */
  hi?: Uint8Array;
  hiInclusive?: boolean;
  reverse?: boolean;
  /** Raw mode: every version with its stamp and flags (diagnostics, GC tests). */
  raw?: boolean;
}

export interface RawVersion {
  key: Uint8Array;
  value: Uint8Array;
  tombstone: boolean;
  committed: boolean;
  /** Aborted or moved (a dead copy): never visible. */
  aborted: boolean;
  stamp: number;
  /** Component rank: 0 = active memtable, then frozen memtables, then runs newest first. */
  rank: number;
}

export class ScanCursor implements Iterable<[Uint8Array, Uint8Array]> {
  /**
   * Which lone-memtable scans walk the memtable in TypeScript: 'reverse' ones
   * (the default, see above), 'all', or 'none' (every scan through the kernel
   * iterator). Tests and benchmarks set it to compare the two paths.
   */
  static memWalk: 'none' | 'reverse' | 'all' = 'reverse';
  private it: number;
  /** The TypeScript walk of a lone memtable, when this scan uses one. */
  private walk: MemWalk | undefined;
  private batch: Uint8Array = new Uint8Array(0);
  /** The reused copy buffer (batch is a view of its start) and a DataView of it. */
  private own: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.own.buffer);
  private pos = 0;
  private left = 0;
  private batchRows = 16;
  /** Row alignment mask of the batch: 7 for the TS walk's 8-byte-aligned rows, 0 for the kernel's packed ones. */
  private align = 0;
  private ended = false;
  private readonly lo: Uint8Array;
  private readonly hi: Uint8Array;
  private readonly hiInclusive: boolean;
  private readonly raw: boolean;
  /**
   * The current row lives in `batch` at [keyStart, keyEnd) and
   * [valueStart, valueEnd) (the key without its key space prefix); `key` and
   * `value` make views on demand, so a scan that decodes in place allocates
   * nothing per row.
   */
  keyStart = 0;
  keyEnd = 0;
  valueStart = 0;
  valueEnd = 0;
  /** Raw mode only: the current version's flags and stamp. */
  flags = 0;
  stamp = 0;
  rank = 0;

  constructor(
    private readonly kernel: StorageKernel,
    ks: Keyspace,
    opts: ScanOptions,
    snapshot: number,
    slot: number,
    private readonly onClose: () => void,
    /** The reader's own writes count up to this write sequence (cursor/statement semantics). */
    seqLimit = 0,
  ) {
    this.raw = opts.raw === true;
    const lo = opts.lo ? concat(ks.prefix, opts.lo) : ks.prefix;
    const loIncl = opts.lo ? opts.loInclusive !== false : true;
    const hi = opts.hi ? concat(ks.prefix, opts.hi) : ks.endPrefix;
    const hiIncl = opts.hi ? opts.hiInclusive === true : false;
    this.lo = lo;
    this.hi = hi;
    this.hiInclusive = hiIncl;
    const p = kernel.ioBuffer(lo.length + hi.length);
    const u8 = kernel.u8();
    u8.set(lo, p);
    u8.set(hi, p + lo.length);
    this.it = kernel.x.iter_open(p, lo.length, 1 | (loIncl ? 2 : 0), p + lo.length, hi.length, 1 | (hiIncl ? 2 : 0),
      snapshot, slot, opts.reverse ? 1 : 0, this.raw ? 1 : 0, seqLimit);
    if (this.it === 0) throw new SbError(SqlState.out_of_memory, 'out of memory opening a scan');
    const mode = ScanCursor.memWalk;
    if (!this.raw && (mode === 'all' || (mode === 'reverse' && opts.reverse === true))) {
      this.walk = kernel.memWalkOpen(this.it, lo, loIncl, hi, hiIncl, opts.reverse === true, snapshot, slot, seqLimit > 0 ? seqLimit : Infinity);
    }
    this.memWalked = this.walk !== undefined;
    if (this.memWalked) this.align = 7;
  }

  /** True when this scan walks a lone memtable in TypeScript (see ScanCursor.memWalk). */
  readonly memWalked: boolean;

  /** The scanned range as binary strings (serializable read tracking). */
  boundsAsStrings(): { lo: string; hi: string; hiInclusive: boolean } {
    return { lo: binaryString(this.lo), hi: binaryString(this.hi), hiInclusive: this.hiInclusive };
  }

  private fill(): boolean {
    if (this.ended) return false;
    const k = this.kernel;
    const w = this.walk;
    if (w !== undefined) {
      const rows = k.memWalkFill(w, this.batchRows, SCAN_BATCH_BYTES_MAX);
      if (rows === 0) {
        this.close();
        return false;
      }
      this.own = w.out;
      this.view = w.view;
      this.batch = w.out.subarray(0, w.len);
      this.pos = 0;
      this.left = rows;
      if (this.batchRows < SCAN_BATCH_ROWS_MAX) this.batchRows *= 4;
      return true;
    }
    const n = k.x.iter_next(this.it, this.batchRows, SCAN_BATCH_BYTES_MAX);
    if (n < 0) {
      this.close();
      k.check(n, 'scanning');
    }
    if (n === 0) {
      this.close();
      return false;
    }
    const ptr = k.x.iter_out_ptr(this.it) >>> 0;
    const len = k.x.iter_out_len(this.it);
    if (len > this.own.length) {
      this.own = new Uint8Array(Math.max(len, 2 * this.own.length, 1024));
      this.view = new DataView(this.own.buffer);
    }
    this.own.set(k.u8().subarray(ptr, ptr + len));
    this.batch = this.own.subarray(0, len);
    this.pos = 0;
    this.left = n;
    if (this.batchRows < SCAN_BATCH_ROWS_MAX) this.batchRows *= 4;
    return true;
  }

  /** Advances to the next row; false at the end (the cursor then closes itself). */
  next(): boolean {
    if (this.left === 0 && !this.fill()) return false;
    const dv = this.view;
    const kl = dv.getUint32(this.pos, true);
    const vl = dv.getUint32(this.pos + 4, true);
    let p = this.pos + 8;
    if (this.raw) {
      this.flags = this.batch[p]!;
      this.rank = this.batch[p + 1]!;
      this.stamp = Number(dv.getBigUint64(p + 8, true));
      p += 16;
    }
    // Keys come back with the key space prefix; callers see keys without it.
    this.keyStart = p + 4;
    this.keyEnd = p + kl;
    this.valueStart = p + kl;
    this.valueEnd = p + kl + vl;
    this.pos = (p + kl + vl + this.align) & ~this.align;
    this.left--;
    return true;
  }

  /** The current key (a view valid until the next batch). */
  get key(): Uint8Array {
    return this.batch.subarray(this.keyStart, this.keyEnd);
  }

  /** The current value (a view valid until the next batch). */
  get value(): Uint8Array {
    return this.batch.subarray(this.valueStart, this.valueEnd);
  }

  /** The bytes of the current batch (for decoding rows in place). */
  get buffer(): Uint8Array {
    return this.batch;
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.left = 0;
    this.own = new Uint8Array(0); // the rows are gone with the cursor; let the buffer go too
    this.batch = this.own;
    this.walk = undefined;
    this.kernel.x.iter_close(this.it);
    this.it = 0;
    this.onClose();
  }

  *[Symbol.iterator](): Iterator<[Uint8Array, Uint8Array]> {
    try {
      while (this.next()) yield [this.key, this.value];
    } finally {
      this.close();
    }
  }

  /** Reads the rest into an array of copies. */
  toArray(limit = Infinity): Array<[Uint8Array, Uint8Array]> {
    const out: Array<[Uint8Array, Uint8Array]> = [];
    while (out.length < limit && this.next()) out.push([this.key.slice(), this.value.slice()]);
    this.close();
    return out;
  }

  /** Raw mode: the rest as version records. */
  versions(): RawVersion[] {
    const out: RawVersion[] = [];
    while (this.next()) {
      out.push({
        key: this.key.slice(),
        value: this.value.slice(),
        tombstone: (this.flags & 1) !== 0,
        committed: (this.flags & 2) !== 0,
        aborted: (this.flags & 12) !== 0,
        stamp: this.stamp,
        rank: this.rank,
      });
    }
    this.close();
    return out;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
