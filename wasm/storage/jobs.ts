// Flush (frozen memtable -> sorted run) and compaction (runs -> one run),
// both as step functions that produce file bytes in chunks for the host.
//
// Both apply the same garbage-collection rule per key. A version is needed
// when some reader can see it: a reader at point P sees the newest version
// with stamp <= P. Readers are: any point at or above `horizon` (new
// snapshots, and AS OF within the history retention), plus the snapshot
// stamp of every live transaction below it (collected from the TIP when the
// job starts). Walking a key's versions newest first, with `prev` the stamp
// of the next newer version (+infinity for the newest):
//   - a later write of the same transaction supersedes an earlier one: drop;
//   - needed iff prev > horizon, or a live snapshot P has stamp <= P < prev;
//   - a needed tombstone is held back: if an older version is kept it is
//     written first; if nothing older is kept and this output is the bottom
//     of the tree, it is dropped (no reader can tell "deleted" from "absent").
// So a long-running reader pins only the versions it can see, not every
// version written since it began (Firebird calls this intermediate GC).
// Keys under a dropped key space prefix are dropped whole.

import { alloc, free } from '../common/alloc';
import { bufAppend, bufFree, bufLen, bufPtr, bufSetLen } from '../common/buf';
import { compareBytes } from '../common/bytes';
import { tipSlotHigh, tipValid, tipSnapshot } from '../mvcc/tip';
import { ST_ERR_NOMEM, ST_ERR_STATE, ST_MORE, ST_OK } from '../common/status';
import { V_FLAGS, V_HEADER, V_KEYLEN, V_STAMP, V_VALLEN, VF_ABORTED, VF_COMMITTED, VF_MOVED, VF_TOMBSTONE } from '../mvcc/version';
import { leafCount, leafNext, mtFirstLeaf, nPtr } from './memtable';
import { EF_TOMBSTONE } from './run_format';
import { rwAdd, rwBegin, rwFinish, rwFree, rwOutLen } from './run_writer';
import {
  CURSOR_SIZE, curCompare, curCompareKey, curEntryFlags, curFirst, curInitRun, curKey, curKeyLen, curNext, curRelease,
  curStamp, curVal, curValLen, curValid, cursorError, resetCursorError,
} from './cursor';
import { frozenAt, frozenCount, lsmInstallCompaction, mtRef, mtUnref, runAt, runCount } from './lsm';
import { R_KEYS, runRef, runUnref } from './run_reader';
import { C_SRC } from './cursor';

// Job struct.
// @ts-ignore: decorator
@inline const J_KIND: usize = 0; // u8: 1 flush, 2 compaction
// @ts-ignore: decorator
@inline const J_BOTTOM: usize = 1; // u8
// @ts-ignore: decorator
@inline const J_DONE: usize = 2; // u8
// @ts-ignore: decorator
@inline const J_KEPTBELOW: usize = 3; // u8
// @ts-ignore: decorator
@inline const J_WRITER: usize = 4;
// @ts-ignore: decorator
@inline const J_HORIZON: usize = 8; // u64
// @ts-ignore: decorator
@inline const J_LASTSTAMP: usize = 16; // u64
// @ts-ignore: decorator
@inline const J_MT: usize = 24;
// @ts-ignore: decorator
@inline const J_LEAF: usize = 28;
// @ts-ignore: decorator
@inline const J_IDX: usize = 32;
// @ts-ignore: decorator
@inline const J_GROUPKEY: usize = 36; // flush: version whose key is the current group
// @ts-ignore: decorator
@inline const J_NSRC: usize = 40;
// @ts-ignore: decorator
@inline const J_SRCS: usize = 44;
// @ts-ignore: decorator
@inline const J_FIRST: usize = 48;
// @ts-ignore: decorator
@inline const J_KEY: usize = 52; // buf (compaction group key)
// @ts-ignore: decorator
@inline const J_DROPS: usize = 64; // buf: dropped prefixes, u32 len + bytes each
// @ts-ignore: decorator
@inline const J_IN: usize = 80; // u64 versions read
// @ts-ignore: decorator
@inline const J_OUT: usize = 88; // u64 versions written
// @ts-ignore: decorator
@inline const J_DROPPED: usize = 96; // u64 invisible versions dropped
// @ts-ignore: decorator
@inline const J_TOMBS: usize = 104; // u64 tombstones dropped
// @ts-ignore: decorator
@inline const J_SUPERSEDED: usize = 112; // u64 superseded writes / aborted versions dropped
// @ts-ignore: decorator
@inline const J_ERROR: usize = 120; // i32: the first failure, returned by every later step
// @ts-ignore: decorator
@inline const J_PREVSTAMP: usize = 128; // u64: stamp of the next newer version of the current key
// @ts-ignore: decorator
@inline const J_HELD: usize = 136; // u8: a needed tombstone waits to see whether anything older is kept
// @ts-ignore: decorator
@inline const J_HELDSTAMP: usize = 144; // u64
// @ts-ignore: decorator
@inline const J_POINTS: usize = 152; // u64 snapshot stamps of live transactions below the horizon, ascending
// @ts-ignore: decorator
@inline const J_NPOINTS: usize = 156;
// @ts-ignore: decorator
@inline const J_SCRATCH: usize = 184; // 8 bytes of scratch
// @ts-ignore: decorator
@inline const J_SIZE: usize = 192;

// @ts-ignore: decorator
@inline const NONE: u64 = 0xffffffffffffffff;

function newJob(kind: u8, horizon: u64, bottom: bool, expectedKeys: u64, blockTarget: u32, bitsPerKey: u32): usize {
  const j = alloc(J_SIZE);
  if (j == 0) return 0;
  memory.fill(j, 0, J_SIZE);
  const w = rwBegin(expectedKeys, blockTarget, bitsPerKey);
  if (w == 0) {
    free(j);
    return 0;
  }
  if (!collectPoints(j, horizon)) {
    rwFree(w);
    free(j);
    return 0;
  }
  store<u8>(j, kind, J_KIND);
  store<u8>(j, bottom ? 1 : 0, J_BOTTOM);
  store<u32>(j, <u32>w, J_WRITER);
  store<u64>(j, horizon, J_HORIZON);
  store<u64>(j, NONE, J_LASTSTAMP);
  return j;
}

/** Records the snapshot stamps of live transactions below the horizon, sorted. */
function collectPoints(j: usize, horizon: u64): bool {
  const high = tipSlotHigh();
  let n: u32 = 0;
  for (let s: u32 = 1; s < high; s++) if (tipValid(s) && tipSnapshot(s) < horizon) n++;
  if (n == 0) return true;
  const pts = alloc(<usize>n << 3);
  if (pts == 0) return false;
  let k: u32 = 0;
  for (let s: u32 = 1; s < high && k < n; s++) {
    if (!tipValid(s)) continue;
    const snap = tipSnapshot(s);
    if (snap >= horizon) continue;
    // Insertion sort: the list is short (live transactions only).
    let i = k;
    while (i > 0 && load<u64>(pts + (<usize>(i - 1) << 3)) > snap) {
      store<u64>(pts + (<usize>i << 3), load<u64>(pts + (<usize>(i - 1) << 3)));
      i--;
    }
    store<u64>(pts + (<usize>i << 3), snap);
    k++;
  }
  store<u32>(j, <u32>pts, J_POINTS);
  store<u32>(j, k, J_NPOINTS);
  return true;
}

/** True when a live snapshot P satisfies lo <= P < hi. */
function pointIn(j: usize, lo: u64, hi: u64): bool {
  const pts = <usize>load<u32>(j, J_POINTS);
  let a: u32 = 0;
  let b = load<u32>(j, J_NPOINTS);
  while (a < b) {
    const m = (a + b) >>> 1;
    if (load<u64>(pts + (<usize>m << 3)) < lo) a = m + 1;
    else b = m;
  }
  return a < load<u32>(j, J_NPOINTS) && load<u64>(pts + (<usize>a << 3)) < hi;
}

/** Starts flushing the oldest frozen memtable. 0 on OOM or when none is frozen. */
export function flushBegin(horizon: u64, bottom: bool, blockTarget: u32, bitsPerKey: u32): usize {
  if (frozenCount == 0) return 0;
  const mt = frozenAt(frozenCount - 1);
  const j = newJob(1, horizon, bottom, <u64>load<u32>(mt, 28), blockTarget, bitsPerKey);
  if (j == 0) return 0;
  mtRef(mt);
  store<u32>(j, <u32>mt, J_MT);
  store<u32>(j, <u32>mtFirstLeaf(mt), J_LEAF);
  return j;
}

/**
 * Starts compacting `count` adjacent runs beginning at position `first` of the
 * run list (0 = newest). `bottom`: the inputs include the oldest run.
 */
export function compactBegin(first: i32, count: i32, horizon: u64, bottom: bool, blockTarget: u32, bitsPerKey: u32): usize {
  if (first < 0 || count <= 0 || first + count > runCount) return 0;
  let keys: u64 = 0;
  for (let i = first; i < first + count; i++) keys += load<u64>(runAt(i), R_KEYS);
  const j = newJob(2, horizon, bottom, keys, blockTarget, bitsPerKey);
  if (j == 0) return 0;
  const srcs = alloc(<usize>count * CURSOR_SIZE);
  if (srcs == 0) {
    jobFree(j);
    return 0;
  }
  store<u32>(j, <u32>count, J_NSRC);
  store<u32>(j, <u32>srcs, J_SRCS);
  store<u32>(j, <u32>first, J_FIRST);
  resetCursorError();
  for (let i = 0; i < count; i++) {
    const c = srcs + <usize>i * CURSOR_SIZE;
    runRef(runAt(first + i));
    curInitRun(c, runAt(first + i));
    curFirst(c);
  }
  // A source that cannot load its first block must fail the job: compactStep
  // resets cursorError, so the run used to be skipped as if empty and its
  // rows were lost when the result was installed.
  store<i32>(j, cursorError, J_ERROR);
  return j;
}

/** Adds a dropped key space prefix (the job drops every key under it). */
export function jobAddDropPrefix(j: usize, p: usize, len: u32): bool {
  const d = j + J_DROPS;
  store<u32>(j + J_SCRATCH, len);
  return bufAppend(d, j + J_SCRATCH, 4) && bufAppend(d, p, len);
}

function dropped(j: usize, key: usize, keyLen: i32): bool {
  const d = j + J_DROPS;
  const n = bufLen(d);
  if (n == 0) return false;
  let p = bufPtr(d);
  const end = p + <usize>n;
  while (p < end) {
    const len = <i32>load<u32>(p);
    p += 4;
    if (len <= keyLen && compareBytes(key, len, p, len) == 0) return true;
    p += <usize>len;
  }
  return false;
}

// Decisions of the GC rule (see the top).
// @ts-ignore: decorator
@inline const DROP: i32 = 0;
// @ts-ignore: decorator
@inline const KEEP: i32 = 1;
// @ts-ignore: decorator
@inline const HOLD: i32 = 2;

/** The GC rule for the next (older) version of the current key. */
function decide(j: usize, stamp: u64, tomb: bool): i32 {
  if (stamp == load<u64>(j, J_LASTSTAMP)) {
    store<u64>(j, load<u64>(j, J_SUPERSEDED) + 1, J_SUPERSEDED);
    return DROP;
  }
  store<u64>(j, stamp, J_LASTSTAMP);
  const prev = load<u64>(j, J_PREVSTAMP);
  store<u64>(j, stamp, J_PREVSTAMP);
  if (prev > load<u64>(j, J_HORIZON) || pointIn(j, stamp, prev)) return tomb ? HOLD : KEEP;
  store<u64>(j, load<u64>(j, J_DROPPED) + 1, J_DROPPED);
  return DROP;
}

/** Writes the held tombstone, if any. */
function releaseHeld(j: usize, w: usize, key: usize, keyLen: i32): bool {
  if (load<u8>(j, J_HELD) == 0) return true;
  store<u8>(j, 0, J_HELD);
  store<u64>(j, load<u64>(j, J_OUT) + 1, J_OUT);
  return rwAdd(w, key, keyLen, key, 0, load<u64>(j, J_HELDSTAMP), EF_TOMBSTONE);
}

/** Applies a decision to a version; false on out-of-memory. */
function apply(j: usize, w: usize, decision: i32, key: usize, keyLen: i32, val: usize, valLen: i32, stamp: u64): bool {
  if (decision == DROP) return true;
  if (!releaseHeld(j, w, key, keyLen)) return false;
  if (decision == HOLD) {
    store<u8>(j, 1, J_HELD);
    store<u64>(j, stamp, J_HELDSTAMP);
    return true;
  }
  store<u64>(j, load<u64>(j, J_OUT) + 1, J_OUT);
  return rwAdd(w, key, keyLen, val, valLen, stamp, 0);
}

/** Ends a key: a tombstone still held hides nothing older; at the bottom it goes. */
function endGroup(j: usize, w: usize, key: usize, keyLen: i32): bool {
  if (load<u8>(j, J_HELD) == 0) return true;
  if (load<u8>(j, J_BOTTOM) != 0) {
    store<u8>(j, 0, J_HELD);
    store<u64>(j, load<u64>(j, J_TOMBS) + 1, J_TOMBS);
    return true;
  }
  return releaseHeld(j, w, key, keyLen);
}

// @ts-ignore: decorator
@inline function newGroup(j: usize): void {
  store<u64>(j, NONE, J_LASTSTAMP);
  store<u64>(j, NONE, J_PREVSTAMP);
  store<u8>(j, 0, J_HELD);
}

/**
 * Work a step counts for each version it reads, on top of the bytes it
 * writes: a step that reads many versions and keeps few (a frozen memtable
 * full of versions carried into the next one, a dropped key space) ends
 * after about chunkBytes / STEP_READ_BYTES versions instead of running
 * through the whole input in one call.
 */
// @ts-ignore: decorator
@inline const STEP_READ_BYTES: u32 = 32;

/**
 * Runs the job until about `chunkBytes` of work are done: bytes of output
 * plus STEP_READ_BYTES per version read. Returns ST_MORE
 * (drain the output and call again), ST_OK (finished: drain the final bytes)
 * or an error status.
 */
export function jobStep(j: usize, chunkBytes: u32): i32 {
  // Failures are final: a retried step would resume with a failed cursor
  // treated as exhausted (or a half-applied GC decision) and finish "OK"
  // with rows missing.
  const err = load<i32>(j, J_ERROR);
  if (err != 0) return err;
  if (load<u8>(j, J_DONE) != 0) return ST_OK;
  const w = <usize>load<u32>(j, J_WRITER);
  const st = load<u8>(j, J_KIND) == 1 ? flushStep(j, w, chunkBytes) : compactStep(j, w, chunkBytes);
  if (st < 0) store<i32>(j, st, J_ERROR);
  if (st != ST_OK) return st;
  if (!rwFinish(w)) {
    store<i32>(j, ST_ERR_NOMEM, J_ERROR);
    return ST_ERR_NOMEM;
  }
  store<u8>(j, 1, J_DONE);
  return ST_OK;
}

function flushStep(j: usize, w: usize, chunkBytes: u32): i32 {
  let leaf = <usize>load<u32>(j, J_LEAF);
  let idx = <i32>load<u32>(j, J_IDX);
  let group = <usize>load<u32>(j, J_GROUPKEY);
  let status = ST_OK;
  let readWork: u32 = 0;
  while (leaf != 0) {
    if (rwOutLen(w) + readWork >= chunkBytes) {
      status = ST_MORE;
      break;
    }
    if (idx >= leafCount(leaf)) {
      leaf = leafNext(leaf);
      idx = 0;
      continue;
    }
    const v = nPtr(leaf, idx);
    idx++;
    readWork += STEP_READ_BYTES;
    store<u64>(j, load<u64>(j, J_IN) + 1, J_IN);
    const f = load<u8>(v, V_FLAGS);
    if ((f & (VF_ABORTED | VF_MOVED)) != 0) {
      store<u64>(j, load<u64>(j, J_SUPERSEDED) + 1, J_SUPERSEDED);
      continue;
    }
    if ((f & VF_COMMITTED) == 0) return ST_ERR_STATE; // a live transaction's version was not carried over: a bug
    const kl = <i32>load<u32>(v, V_KEYLEN);
    if (group == 0 || compareBytes(group + V_HEADER, <i32>load<u32>(group, V_KEYLEN), v + V_HEADER, kl) != 0) {
      if (group != 0 && !endGroup(j, w, group + V_HEADER, <i32>load<u32>(group, V_KEYLEN))) return ST_ERR_NOMEM;
      group = v;
      newGroup(j);
    }
    if (dropped(j, v + V_HEADER, kl)) continue;
    const stamp = load<u64>(v, V_STAMP);
    const decision = decide(j, stamp, (f & VF_TOMBSTONE) != 0);
    if (!apply(j, w, decision, v + V_HEADER, kl, v + V_HEADER + <usize>kl, <i32>load<u32>(v, V_VALLEN), stamp)) return ST_ERR_NOMEM;
  }
  if (leaf == 0 && group != 0 && !endGroup(j, w, group + V_HEADER, <i32>load<u32>(group, V_KEYLEN))) return ST_ERR_NOMEM;
  store<u32>(j, <u32>leaf, J_LEAF);
  store<u32>(j, <u32>idx, J_IDX);
  store<u32>(j, <u32>group, J_GROUPKEY);
  return status;
}

function compactStep(j: usize, w: usize, chunkBytes: u32): i32 {
  const n = <i32>load<u32>(j, J_NSRC);
  const srcs = <usize>load<u32>(j, J_SRCS);
  const keyBuf = j + J_KEY;
  resetCursorError();
  let readWork: u32 = 0;
  while (true) {
    if (rwOutLen(w) + readWork >= chunkBytes) return ST_MORE;
    let best = -1;
    for (let i = 0; i < n; i++) {
      const c = srcs + <usize>i * CURSOR_SIZE;
      if (!curValid(c)) continue;
      if (best < 0 || curCompare(c, srcs + <usize>best * CURSOR_SIZE) < 0) best = i;
    }
    if (best < 0) return cursorError != 0 ? cursorError : ST_OK;
    const bc = srcs + <usize>best * CURSOR_SIZE;
    bufSetLen(keyBuf, 0);
    if (!bufAppend(keyBuf, curKey(bc), <u32>curKeyLen(bc))) return ST_ERR_NOMEM;
    const key = bufPtr(keyBuf);
    const keyLen = <i32>bufLen(keyBuf);
    newGroup(j);
    const drop = dropped(j, key, keyLen);
    for (let i = 0; i < n; i++) {
      const c = srcs + <usize>i * CURSOR_SIZE;
      while (curValid(c) && curCompareKey(c, key, keyLen) == 0) {
        readWork += STEP_READ_BYTES;
        store<u64>(j, load<u64>(j, J_IN) + 1, J_IN);
        if (!drop) {
          const stamp = curStamp(c);
          const decision = decide(j, stamp, (curEntryFlags(c) & EF_TOMBSTONE) != 0);
          if (!apply(j, w, decision, key, keyLen, curVal(c), curValLen(c), stamp)) return ST_ERR_NOMEM;
        }
        curNext(c);
      }
      if (cursorError != 0) return cursorError;
    }
    if (!endGroup(j, w, key, keyLen)) return ST_ERR_NOMEM;
  }
  return ST_OK;
}

export function jobWriter(j: usize): usize {
  return <usize>load<u32>(j, J_WRITER);
}

export function jobStat(j: usize, which: i32): u64 {
  return load<u64>(j + J_IN + (<usize>which << 3));
}

/**
 * Installs a finished compaction: its input runs (found by identity, since a
 * flush may have added newer runs meanwhile) are replaced by run `runId`
 * (0 when everything was dropped).
 */
export function jobInstallCompaction(j: usize, runId: u32): i32 {
  // Only a finished compaction may replace its inputs: installing a failed or
  // unfinished one would retire runs whose rows never reached the output.
  if (load<u8>(j, J_KIND) != 2 || load<u8>(j, J_DONE) == 0) return ST_ERR_STATE;
  const n = <i32>load<u32>(j, J_NSRC);
  const srcs = <usize>load<u32>(j, J_SRCS);
  const firstRun = <usize>load<u32>(srcs, C_SRC);
  for (let i = 0; i + n <= runCount; i++) {
    if (runAt(i) != firstRun) continue;
    for (let k = 1; k < n; k++) {
      if (runAt(i + k) != <usize>load<u32>(srcs + <usize>k * CURSOR_SIZE, C_SRC)) return ST_ERR_STATE;
    }
    return lsmInstallCompaction(i, n, runId);
  }
  return ST_ERR_STATE;
}

export function jobFree(j: usize): void {
  const n = <i32>load<u32>(j, J_NSRC);
  const srcs = <usize>load<u32>(j, J_SRCS);
  for (let i = 0; i < n; i++) {
    const c = srcs + <usize>i * CURSOR_SIZE;
    curRelease(c);
    runUnref(<usize>load<u32>(c, C_SRC));
  }
  const mt = <usize>load<u32>(j, J_MT);
  if (mt != 0) mtUnref(mt);
  free(srcs);
  bufFree(j + J_KEY);
  bufFree(j + J_DROPS);
  free(<usize>load<u32>(j, J_POINTS));
  rwFree(<usize>load<u32>(j, J_WRITER));
  free(j);
}
