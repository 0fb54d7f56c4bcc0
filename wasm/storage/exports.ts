// Storage kernel exports: key-value operations, commit records, LSM
// maintenance (freeze, flush, compaction), runs, iterators and the cache.

import { setResultF64, setResultU32 } from '../common/result';
import { ST_ERR_NOMEM, ST_OK, ST_ERR_STATE } from '../common/status';
import { tipMarkPending, tipValid } from '../mvcc/tip';
import {
  activeArenaBytes, frozenArenaBytes, frozenCount, kvGet, kvGetRuns, kvPut, memtableView, lsmAppendRun, lsmFreeze, lsmInit, lsmLiveBytes, lsmInstallFlush,
  lsmRunIdAt, runCount, seq, setSeq,
} from './lsm';
import {
  R_BLOCKS, R_DATA, R_ENTRIES, R_FILE, R_KEYS, R_MAXSTAMP, R_MINSTAMP, R_TOMBS, R_FILESIZE, runById, runOpen,
  runBlocksWithin, runOpenError, runTakeDeadFile, runUnref, runWarm,
} from './run_reader';
import { compactBegin, flushBegin, jobAddDropPrefix, jobFree, jobInstallCompaction, jobStat, jobStep, jobWriter } from './jobs';
import { rwOutConsume, rwOutLen, rwOutPtr, rwEntries } from './run_writer';
import { iterClose, iterNext, iterOpen, iterOutLen, iterOutPtr } from './merge_iter';
import { walApply, walBuildCommit } from './wal_codec';
import {
  cacheBlockCount, cacheEvictions, cacheHits, cacheLimitBytes, cacheMisses, cacheReadBytes, cacheSetLimit, cacheUsedBytes, cacheWarmed,
} from './block_cache';
import { RUN_FORMAT_VERSION } from './run_format';

export function run_format_version(): i32 {
  return <i32>RUN_FORMAT_VERSION;
}

export function storage_init(): i32 {
  return lsmInit();
}

// ---- key-value ----

/** seqLimit: the reader's own writes count up to this write sequence (<= 0 or absent: all of them). */
export function kv_get(key: usize, keyLen: i32, snapshot: f64, slot: u32, seqLimit: f64): i32 {
  return kvGet(key, keyLen, <u64>snapshot, slot, seqLimit > 0 ? <u64>seqLimit : 0xffffffffffffffff);
}

/** kv_get without the memtables: the host probed them itself (host/storage/kernel.ts memGet) and missed. */
export function kv_get_runs(key: usize, keyLen: i32, snapshot: f64): i32 {
  return kvGetRuns(key, keyLen, <u64>snapshot);
}

/** Where the host reads the memtable list for its own memtable probe: u32 count, then memtables newest first. */
export function lsm_memtables_ptr(): usize {
  return memtableView;
}

export function kv_put(key: usize, keyLen: i32, val: usize, valLen: i32, op: i32, slot: u32, snapshot: f64, snapshotCheck: i32): i32 {
  if (!tipValid(slot)) return ST_ERR_STATE;
  return kvPut(key, keyLen, val, valLen, op, slot, <u64>snapshot, snapshotCheck != 0);
}

// ---- commit ----

/**
 * Stamps the transaction as committing at `stamp` and builds its WAL record.
 * Result: u32 0 = record pointer, u32 1 = length, u32 2 = op count (0: nothing
 * to log). The record bytes are valid until the next call.
 */
export function tx_commit_prepare(slot: u32, txnId: usize, stamp: f64): i32 {
  if (!tipValid(slot)) return ST_ERR_STATE;
  const st = walBuildCommit(slot, txnId, <u64>stamp);
  if (st != ST_OK) return st;
  tipMarkPending(slot, <u64>stamp);
  return ST_OK;
}

export function wal_apply(rec: usize, len: u32): i32 {
  return walApply(rec, len);
}

// ---- LSM ----

export function lsm_freeze(): i32 {
  return lsmFreeze();
}
export function lsm_live_bytes(): f64 {
  return <f64>lsmLiveBytes();
}
export function lsm_active_bytes(): f64 {
  return <f64>activeArenaBytes();
}
export function lsm_frozen_bytes(): f64 {
  return <f64>frozenArenaBytes();
}
export function lsm_frozen_count(): i32 {
  return frozenCount;
}
export function lsm_run_count(): i32 {
  return runCount;
}
export function lsm_run_id_at(i: i32): u32 {
  return lsmRunIdAt(i);
}
export function lsm_append_run(runId: u32): i32 {
  return lsmAppendRun(runId);
}
export function lsm_install_flush(runId: u32): i32 {
  return lsmInstallFlush(runId);
}
export function lsm_seq(): f64 {
  return <f64>seq;
}
export function lsm_set_seq(s: f64): void {
  setSeq(<u64>s);
}

// ---- runs ----

/** Opens a run file held by the host as `file`; returns the run id or a negative status. */
export function run_open(file: i32, size: f64): i32 {
  const id = runOpen(file, size);
  return id == 0 ? runOpenError : <i32>id;
}

/** Run statistics. f64: entries, keys, tombstones, min stamp, max stamp, data bytes, file size; u32 0: blocks, 1: file. */
export function run_info(runId: u32): i32 {
  const r = runById(runId);
  if (r == 0) return ST_ERR_STATE;
  setResultF64(0, <f64>load<u64>(r, R_ENTRIES));
  setResultF64(1, <f64>load<u64>(r, R_KEYS));
  setResultF64(2, <f64>load<u64>(r, R_TOMBS));
  setResultF64(3, <f64>load<u64>(r, R_MINSTAMP));
  setResultF64(4, <f64>load<u64>(r, R_MAXSTAMP));
  setResultF64(5, <f64>load<u64>(r, R_DATA));
  setResultF64(6, load<f64>(r, R_FILESIZE));
  setResultU32(0, load<u32>(r, R_BLOCKS));
  setResultU32(1, load<u32>(r, R_FILE));
  return ST_OK;
}

/** Warms blocks [first, first + count) of a live run into the block cache while it has room, leaving out blocks wholly in a prefix of `skip` (run_reader.ts runWarm; 0: none); the next block, or -1 (done, no room, or no such run), -2 (a read failed). */
export function run_warm(runId: u32, first: u32, count: u32, skip: usize): i32 {
  const r = runById(runId);
  if (r == 0) return -1;
  return runWarm(r, first, count, skip);
}

/** Blocks of a live run wholly inside a prefix of `skip` (as run_warm's); -1 when no such run. */
export function run_blocks_within(runId: u32, skip: usize): i32 {
  const r = runById(runId);
  if (r == 0) return -1;
  return <i32>runBlocksWithin(r, skip);
}

/** Drops the host's reference to a run it opened but did not install. */
export function run_release(runId: u32): void {
  const r = runById(runId);
  if (r != 0) runUnref(r);
}

export function run_take_dead_file(): i32 {
  return runTakeDeadFile();
}

// ---- jobs ----

export function flush_begin(horizon: f64, bottom: i32, blockTarget: u32, bitsPerKey: u32): usize {
  return flushBegin(<u64>horizon, bottom != 0, blockTarget, bitsPerKey);
}
export function compact_begin(first: i32, count: i32, horizon: f64, bottom: i32, blockTarget: u32, bitsPerKey: u32): usize {
  return compactBegin(first, count, <u64>horizon, bottom != 0, blockTarget, bitsPerKey);
}
export function job_add_drop_prefix(job: usize, p: usize, len: u32): i32 {
  return jobAddDropPrefix(job, p, len) ? ST_OK : ST_ERR_NOMEM;
}
export function job_step(job: usize, chunkBytes: u32): i32 {
  return jobStep(job, chunkBytes);
}
export function job_out_ptr(job: usize): usize {
  return rwOutPtr(jobWriter(job));
}
export function job_out_len(job: usize): u32 {
  return rwOutLen(jobWriter(job));
}
export function job_out_consume(job: usize): void {
  rwOutConsume(jobWriter(job));
}
export function job_entries(job: usize): f64 {
  return <f64>rwEntries(jobWriter(job));
}
/** 0 versions read, 1 written, 2 invisible dropped, 3 tombstones dropped, 4 superseded/aborted dropped. */
export function job_stat(job: usize, which: i32): f64 {
  return <f64>jobStat(job, which);
}
export function job_install_compaction(job: usize, runId: u32): i32 {
  return jobInstallCompaction(job, runId);
}
export function job_free(job: usize): void {
  jobFree(job);
}

// ---- iterators ----

/** Bound flags: bit 0 = bound present, bit 1 = inclusive. */
export function iter_open(
  lo: usize, loLen: i32, loFlags: i32, hi: usize, hiLen: i32, hiFlags: i32,
  snapshot: f64, slot: u32, reverse: i32, raw: i32, seqLimit: f64,
): usize {
  return iterOpen(lo, loLen, (loFlags & 1) != 0, (loFlags & 2) != 0, hi, hiLen, (hiFlags & 1) != 0, (hiFlags & 2) != 0,
    <u64>snapshot, slot, reverse != 0, raw != 0, seqLimit > 0 ? <u64>seqLimit : 0xffffffffffffffff);
}
export function iter_next(it: usize, maxRows: i32, maxBytes: u32): i32 {
  return iterNext(it, maxRows, maxBytes);
}
export function iter_out_ptr(it: usize): usize {
  return iterOutPtr(it);
}
export function iter_out_len(it: usize): u32 {
  return iterOutLen(it);
}
export function iter_close(it: usize): void {
  iterClose(it);
}

// ---- block cache ----

export function cache_set_limit(bytes: f64): void {
  cacheSetLimit(<u64>bytes);
}
/** f64: hits, misses, evictions, bytes read, bytes used, limit, blocks warmed; u32 0: cached blocks. */
export function cache_stats(): void {
  setResultF64(6, <f64>cacheWarmed);
  setResultF64(0, <f64>cacheHits);
  setResultF64(1, <f64>cacheMisses);
  setResultF64(2, <f64>cacheEvictions);
  setResultF64(3, <f64>cacheReadBytes);
  setResultF64(4, <f64>cacheUsedBytes());
  setResultF64(5, <f64>cacheLimitBytes());
  setResultU32(0, cacheBlockCount());
}
