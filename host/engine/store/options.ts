// Options of the embedded store, with their named bounds and defaults.

import type { Platform } from '../../platform/platform.ts';
import { WAL_WRITES_IN_FLIGHT_DEFAULT } from '../../storage/wal.ts';

export type Isolation = 'read committed' | 'snapshot' | 'serializable';

export interface StoreOptions {
  /** Files, clock, randomness. Required for a folder; ':memory:' defaults to a MemoryPlatform. */
  platform?: Platform;
  /** This node's id in UUIDv7 ids (1..65535). */
  nodeId?: number;
  /** The active memtable is frozen and flushed when its arena reaches this size. */
  memtableBytesMax?: number;
  /** Budget of the block cache of sorted-run data blocks. */
  blockCacheBytesMax?: number;
  /** Target size of a sorted-run data block. */
  blockBytes?: number;
  bloomBitsPerKey?: number;
  /** How long old versions stay readable with AS OF, beyond what live snapshots need. */
  historyRetentionMs?: number;
  /** Cap on the kernel's linear memory (the wasm32 hard limit is 4 GiB). */
  kernelMemoryBytesMax?: number;
  /** Run flushes, compactions and the GC sweep automatically. */
  background?: boolean;
  /** Period of the background GC sweep. */
  sweepIntervalMs?: number;
  /** Size-tiered compaction merges at least this many runs of similar size. */
  compactionMinRuns?: number;
  /** Above this many runs, the newest ones are merged regardless of size. */
  compactionMaxRuns?: number;
  /** Default lock wait for writers blocked by another transaction (0 = wait forever). */
  lockTimeoutMs?: number;
  /** Largest key (bytes, key space prefix included). */
  keyBytesMax?: number;
  /** Largest value (bytes). */
  valueBytesMax?: number;
  /** WAL segments are preallocated to this size (in-memory databases use 256 KiB). */
  walSegmentBytes?: number;
  /** Group-commit batches written at once (1..16; host/storage/wal.ts says why 1 is the default). */
  walWritesInFlight?: number;
}

export interface ResolvedOptions {
  nodeId: number;
  memtableBytesMax: number;
  blockCacheBytesMax: number;
  blockBytes: number;
  bloomBitsPerKey: number;
  historyRetentionMs: number;
  kernelMemoryBytesMax: number;
  background: boolean;
  sweepIntervalMs: number;
  compactionMinRuns: number;
  compactionMaxRuns: number;
  lockTimeoutMs: number;
  keyBytesMax: number;
  valueBytesMax: number;
  walSegmentBytes: number;
  walWritesInFlight: number;
}

export const DEFAULTS: ResolvedOptions = {
  nodeId: 1,
  memtableBytesMax: 64 << 20,
  blockCacheBytesMax: 64 << 20,
  blockBytes: 4 << 10,
  bloomBitsPerKey: 10,
  historyRetentionMs: 0,
  kernelMemoryBytesMax: 3 * 1024 * 1024 * 1024,
  background: true,
  sweepIntervalMs: 10_000,
  compactionMinRuns: 4,
  compactionMaxRuns: 12,
  lockTimeoutMs: 0,
  keyBytesMax: 4096,
  valueBytesMax: 256 << 20,
  walSegmentBytes: 16 << 20,
  walWritesInFlight: WAL_WRITES_IN_FLIGHT_DEFAULT,
};

export function resolveOptions(o: StoreOptions): ResolvedOptions {
  const r = { ...DEFAULTS };
  for (const k of Object.keys(DEFAULTS) as Array<keyof ResolvedOptions>) {
    const v = o[k];
    if (v !== undefined) (r as Record<string, unknown>)[k] = v;
  }
  return r;
}

/** Largest output of one flush or compaction step (steps are sized to about 1 ms of kernel work). */
export const JOB_CHUNK_BYTES = 1 << 20;
/** Rows per scan batch start small (LIMIT 1 is cheap) and grow to this. */
export const SCAN_BATCH_ROWS_MAX = 4096;
export const SCAN_BATCH_BYTES_MAX = 1 << 20;
/** Memtables allowed to wait for their flush before writers stall (kernel FROZEN_MAX is 4). */
export const FROZEN_MEMTABLES_MAX = 3;
