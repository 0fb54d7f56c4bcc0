// Flush (frozen memtable -> sorted run) and compaction (runs -> one run),
// both as step functions that produce file bytes in chunks for the host.
//
// Both apply the same garbage-collection rule per key, newest version first,
// with `horizon` = the oldest stamp any snapshot (or the history retention)
// can still read at:
//   - a later write of the same transaction supersedes an earlier one: drop;
//   - versions newer than the horizon: keep (some snapshot may need them);
//   - the newest version at or below the horizon: keep (it is what the oldest
//     reader sees), unless it is a tombstone and nothing older exists below
//     this output ("bottommost"): then the key is gone for every reader;
//   - anything older: drop.
// Keys under a dropped key space prefix are dropped whole.

import { alloc, free } from '../common/alloc';
import { bufAppend, bufFree, bufLen, bufPtr, bufSetLen } from '../common/buf';
import { compareBytes } from '../common/bytes';
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
@inline const J_SIZE: usize = 128;

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
  store<u8>(j, kind, J_KIND);
  store<u8>(j, bottom ? 1 : 0, J_BOTTOM);
  store<u32>(j, <u32>w, J_WRITER);
  store<u64>(j, horizon, J_HORIZON);
  store<u64>(j, NONE, J_LASTSTAMP);
  return j;
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
  return j;
}

/** Adds a dropped key space prefix (the job drops every key under it). */
export function jobAddDropPrefix(j: usize, p: usize, len: u32): bool {
  const d = j + J_DROPS;
  store<u32>(j + J_SIZE - 4, len); // scratch word inside the struct padding
  return bufAppend(d, j + J_SIZE - 4, 4) && bufAppend(d, p, len);
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

/** The GC rule for the next version of the current key group (see the top). */
function keep(j: usize, stamp: u64, tomb: bool): bool {
  if (stamp == load<u64>(j, J_LASTSTAMP)) {
    store<u64>(j, load<u64>(j, J_SUPERSEDED) + 1, J_SUPERSEDED);
    return false;
  }
  store<u64>(j, stamp, J_LASTSTAMP);
  if (stamp > load<u64>(j, J_HORIZON)) return true;
  if (load<u8>(j, J_KEPTBELOW) == 0) {
    store<u8>(j, 1, J_KEPTBELOW);
    if (tomb && load<u8>(j, J_BOTTOM) != 0) {
      store<u64>(j, load<u64>(j, J_TOMBS) + 1, J_TOMBS);
      return false;
    }
    return true;
  }
  store<u64>(j, load<u64>(j, J_DROPPED) + 1, J_DROPPED);
  return false;
}

// @ts-ignore: decorator
@inline function newGroup(j: usize): void {
  store<u8>(j, 0, J_KEPTBELOW);
  store<u64>(j, NONE, J_LASTSTAMP);
}

/**
 * Runs the job until about `chunkBytes` of output are ready. Returns ST_MORE
 * (drain the output and call again), ST_OK (finished: drain the final bytes)
 * or an error status.
 */
export function jobStep(j: usize, chunkBytes: u32): i32 {
  if (load<u8>(j, J_DONE) != 0) return ST_OK;
  const w = <usize>load<u32>(j, J_WRITER);
  const st = load<u8>(j, J_KIND) == 1 ? flushStep(j, w, chunkBytes) : compactStep(j, w, chunkBytes);
  if (st != ST_OK) return st;
  if (!rwFinish(w)) return ST_ERR_NOMEM;
  store<u8>(j, 1, J_DONE);
  return ST_OK;
}

function flushStep(j: usize, w: usize, chunkBytes: u32): i32 {
  let leaf = <usize>load<u32>(j, J_LEAF);
  let idx = <i32>load<u32>(j, J_IDX);
  let group = <usize>load<u32>(j, J_GROUPKEY);
  let status = ST_OK;
  while (leaf != 0) {
    if (rwOutLen(w) >= chunkBytes) {
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
    store<u64>(j, load<u64>(j, J_IN) + 1, J_IN);
    const f = load<u8>(v, V_FLAGS);
    if ((f & (VF_ABORTED | VF_MOVED)) != 0) {
      store<u64>(j, load<u64>(j, J_SUPERSEDED) + 1, J_SUPERSEDED);
      continue;
    }
    if ((f & VF_COMMITTED) == 0) return ST_ERR_STATE; // a live transaction's version was not carried over: a bug
    const kl = <i32>load<u32>(v, V_KEYLEN);
    if (group == 0 || compareBytes(group + V_HEADER, <i32>load<u32>(group, V_KEYLEN), v + V_HEADER, kl) != 0) {
      group = v;
      newGroup(j);
    }
    if (dropped(j, v + V_HEADER, kl)) continue;
    const tomb = (f & VF_TOMBSTONE) != 0;
    if (!keep(j, load<u64>(v, V_STAMP), tomb)) continue;
    if (!rwAdd(w, v + V_HEADER, kl, v + V_HEADER + <usize>kl, <i32>load<u32>(v, V_VALLEN), load<u64>(v, V_STAMP), tomb ? EF_TOMBSTONE : 0)) return ST_ERR_NOMEM;
    store<u64>(j, load<u64>(j, J_OUT) + 1, J_OUT);
  }
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
  while (true) {
    if (rwOutLen(w) >= chunkBytes) return ST_MORE;
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
        store<u64>(j, load<u64>(j, J_IN) + 1, J_IN);
        const tomb = (curEntryFlags(c) & EF_TOMBSTONE) != 0;
        if (!drop && keep(j, curStamp(c), tomb)) {
          if (!rwAdd(w, key, keyLen, curVal(c), curValLen(c), curStamp(c), tomb ? EF_TOMBSTONE : 0)) return ST_ERR_NOMEM;
          store<u64>(j, load<u64>(j, J_OUT) + 1, J_OUT);
        }
        curNext(c);
      }
      if (cursorError != 0) return cursorError;
    }
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
  rwFree(<usize>load<u32>(j, J_WRITER));
  free(j);
}
