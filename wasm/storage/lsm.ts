// The LSM tree's components and the two point operations on them.
//
// Components, newest first: the active memtable, frozen memtables waiting to
// be flushed, then sorted runs. A key's versions in a newer component are
// always newer than its versions in an older one (writes to a key are
// serialised by the conflict rules, and flushes and compactions take
// components in age order), which lets readers stop at the first component
// that has a visible version.

import { alloc, free } from '../common/alloc';
import { compareBytes, hashBytes, hashKey32 } from '../common/bytes';
import { setResultU32, setResultF64 } from '../common/result';
import {
  ST_CONFLICT_ACTIVE, ST_CONFLICT_COMMITTED, ST_ERR_NOMEM, ST_ERR_STATE, ST_EXISTS, ST_NOT_FOUND, ST_OK,
} from '../common/status';
import {
  isVisibleAt, vLive, V_FLAGS, V_OLDER, V_HEADER, V_KEYLEN, V_SLOT, V_STAMP, V_VALLEN, V_SEQ, VF_COMMITTED, VF_MOVED, VF_TOMBSTONE, VF_ABORTED,
} from '../mvcc/version';
import { tipRecordWrite, tipSlotHigh, tipValid, tipWriteCount, tipWrites, tipReserveWrite } from '../mvcc/tip';
import { mtAbsentByHint, mtAdd, mtAllBelow, mtAlloc, mtCreate, mtDestroy, mtFind, mtNewVersion, mtReserveKeys, MT_REFS, MT_USED } from './memtable';
import { bloomMayContain } from './bloom';
import { cacheError, blockSize } from './block_cache';
import {
  R_BLOCKS, R_BLOOMBLOCKS, runBloomBits, R_MINSTAMP, R_MAXSTAMP, R_RETIRED, runBlockPinned, runById, runFindBlock, runRef, runUnref,
  blockLowerBound, blockEntryCount, blockDecode, eKey, eKeyLen, eVal, eValLen, eStamp, eFlags,
  runMinKeyCompare, runMaxKeyCompare, runBlock,
} from './run_reader';
import { EF_TOMBSTONE } from './run_format';

// @ts-ignore: decorator
@inline const MAX_SEQ: u64 = 0xffffffffffffffff;
// @ts-ignore: decorator
@inline export const FROZEN_MAX: i32 = 4;
// @ts-ignore: decorator
@inline const RUNS_MAX: i32 = 4096;

export const OP_PUT: i32 = 0;
export const OP_DELETE: i32 = 1;
export const OP_INSERT: i32 = 2;

export let active: usize = 0;
export const frozen: usize = memory.data(FROZEN_MAX * 4, 16);
export let frozenCount: i32 = 0;
export const runList: usize = memory.data(RUNS_MAX * 4, 16);
export let runCount: i32 = 0;
/**
 * The memtables the host's point read probes (host/storage/kernel.ts
 * memGet): u32 count, then the memtables newest first (active, frozen...).
 * Republished whenever the list changes.
 */
export const memtableView: usize = memory.data((2 + FROZEN_MAX) * 4, 16);

export function publishMemtables(): void {
  store<u32>(memtableView, <u32>(1 + frozenCount));
  store<u32>(memtableView + 4, <u32>active);
  for (let i = 0; i < frozenCount; i++) store<u32>(memtableView + 8 + (<usize>i << 2), load<u32>(frozen + (<usize>i << 2)));
}

export let seq: u64 = 1; // 0 means "no limit" to readers passing a sequence limit
let memtableIds: u32 = 0;

export function lsmInit(): i32 {
  if (active != 0) return ST_OK;
  active = mtCreate(++memtableIds);
  publishMemtables();
  return active == 0 ? ST_ERR_NOMEM : ST_OK;
}

// @ts-ignore: decorator
@inline export function frozenAt(i: i32): usize {
  return <usize>load<u32>(frozen + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline export function runAt(i: i32): usize {
  return <usize>load<u32>(runList + (<usize>i << 2));
}

export function mtUnref(mt: usize): void {
  const refs = load<u32>(mt, MT_REFS) - 1;
  store<u32>(mt, refs, MT_REFS);
  if (refs == 0) mtDestroy(mt);
}

export function mtRef(mt: usize): void {
  store<u32>(mt, load<u32>(mt, MT_REFS) + 1, MT_REFS);
}

// ---- point read ----

/**
 * Reads the version of `key` visible to (slot, snapshot). On ST_OK the result
 * area holds value pointer (u32 0) and length (u32 1); the pointer is valid
 * until the next kernel call.
 */
export function kvGet(key: usize, keyLen: i32, snapshot: u64, slot: u32, seqLimit: u64): i32 {
  const h32 = hashKey32(key, keyLen);
  // Memtables, newest first: the hash index gives the key's newest version,
  // the back-version chain the older ones.
  for (let m = -1; m < frozenCount; m++) {
    let v = mtFind(m < 0 ? active : frozenAt(m), key, keyLen, h32);
    while (v != 0) {
      if (isVisibleAt(v, slot, snapshot, seqLimit, false)) {
        if ((load<u8>(v, V_FLAGS) & VF_TOMBSTONE) != 0) return ST_NOT_FOUND;
        setResultU32(0, <u32>(v + V_HEADER + <usize>keyLen));
        setResultU32(1, load<u32>(v, V_VALLEN));
        return ST_OK;
      }
      v = <usize>load<u32>(v, V_OLDER);
    }
  }
  return kvGetRuns(key, keyLen, snapshot);
}

/**
 * The runs part of kvGet: for a key with no visible version in any memtable
 * (the host probes the memtables itself and calls this on a miss).
 */
export function kvGetRuns(key: usize, keyLen: i32, snapshot: u64): i32 {
  if (runCount == 0) return ST_NOT_FOUND;
  const h = hashBytes(key, keyLen);
  // Runs, newest first.
  for (let k = 0; k < runCount; k++) {
    const r = runAt(k);
    if (load<u64>(r, R_MINSTAMP) > snapshot) continue; // every version is too new
    if (runMinKeyCompare(r, key, keyLen) < 0 || runMaxKeyCompare(r, key, keyLen) > 0) continue;
    if (!bloomMayContain(runBloomBits(r), load<u32>(r, R_BLOOMBLOCKS), h)) continue;
    const st = runPointLookup(r, key, keyLen, snapshot, h);
    if (st == ST_NOT_FOUND) continue;
    return st == LOOKUP_TOMBSTONE ? ST_NOT_FOUND : st;
  }
  return ST_NOT_FOUND;
}

// runPointLookup found a tombstone: the key is deleted as of the bound.
// @ts-ignore: decorator
@inline const LOOKUP_TOMBSTONE: i32 = 100;
// Stamp of the version runPointLookup found.
let lookupStamp: u64 = 0;

/**
 * Finds the newest version of key with stamp <= bound in one run: ST_OK (a
 * live version; value in the result area), LOOKUP_TOMBSTONE, ST_NOT_FOUND (no
 * such version in this run) or an error status. The block is not pinned:
 * nothing can evict it before the host has copied the value.
 */
function runPointLookup(r: usize, key: usize, keyLen: i32, bound: u64, hash: u64): i32 {
  const b = runFindBlock(r, key, keyLen, bound);
  if (b >= load<u32>(r, R_BLOCKS)) return ST_NOT_FOUND;
  const data = runBlock(r, b);
  if (data == 0) return cacheError;
  const size = blockSize(data);
  const n = blockEntryCount(data, size);
  const i = blockLowerBound(data, size, key, keyLen, bound);
  if (<u32>i >= n || !blockDecode(data, size, <u32>i) || compareBytes(eKey, eKeyLen, key, keyLen) != 0) return ST_NOT_FOUND;
  lookupStamp = eStamp;
  if ((eFlags & EF_TOMBSTONE) != 0) return LOOKUP_TOMBSTONE;
  setResultU32(0, <u32>eVal);
  setResultU32(1, <u32>eValLen);
  return ST_OK;
}

// ---- write ----

/**
 * Writes a new version of key for transaction `slot`.
 * op: OP_PUT, OP_DELETE (tombstone) or OP_INSERT (fails with ST_EXISTS when a
 * live version exists). `snapshotCheck`: SNAPSHOT/SERIALIZABLE writers fail
 * with ST_CONFLICT_COMMITTED when the newest version committed after their
 * snapshot; READ COMMITTED writers do not.
 * ST_CONFLICT_ACTIVE: the newest version is another live transaction's (its
 * slot in result u32 0).
 */
export function kvPut(key: usize, keyLen: i32, val: usize, valLen: i32, op: i32, slot: u32, snapshot: u64, snapshotCheck: bool): i32 {
  // Find the newest live version, memtables first.
  let found = false;
  let committed = false;
  let tomb = false;
  let stamp: u64 = 0;
  let owner: u32 = 0;
  const h32 = hashKey32(key, keyLen);
  for (let m = -1; m < frozenCount && !found; m++) {
    const mt = m < 0 ? active : frozenAt(m);
    // An in-order load's key is often provably absent without the hash probe.
    let v: usize = mtAbsentByHint(mt, key, keyLen) || mtAllBelow(mt, key, keyLen) ? 0 : mtFind(mt, key, keyLen, h32);
    while (v != 0) {
      if (vLive(v)) {
        found = true;
        const f = load<u8>(v, V_FLAGS);
        committed = (f & VF_COMMITTED) != 0;
        tomb = (f & VF_TOMBSTONE) != 0;
        stamp = load<u64>(v, V_STAMP);
        owner = load<u32>(v, V_SLOT);
        break;
      }
      v = <usize>load<u32>(v, V_OLDER);
    }
  }
  if (!found && (snapshotCheck || op == OP_INSERT) && runCount > 0) {
    const h = hashBytes(key, keyLen);
    for (let k = 0; k < runCount; k++) {
      const r = runAt(k);
      // A run whose newest stamp is within the snapshot cannot conflict,
      // but an insert still needs to know whether the key is live.
      if (op != OP_INSERT && load<u64>(r, R_MAXSTAMP) <= snapshot) continue;
      if (!bloomMayContain(runBloomBits(r), load<u32>(r, R_BLOOMBLOCKS), h)) continue;
      const st = runPointLookup(r, key, keyLen, MAX_SEQ, h);
      if (st < 0) return st;
      if (st != ST_NOT_FOUND) {
        found = true;
        committed = true;
        tomb = st == LOOKUP_TOMBSTONE;
        stamp = lookupStamp;
        break;
      }
    }
  }
  if (found) {
    if (!committed) {
      if (owner != slot) {
        setResultU32(0, owner);
        return ST_CONFLICT_ACTIVE;
      }
      if (op == OP_INSERT && !tomb) return ST_EXISTS;
    } else {
      if (op == OP_INSERT && !tomb) return ST_EXISTS;
      if (snapshotCheck && stamp > snapshot) {
        setResultF64(0, <f64>stamp);
        return ST_CONFLICT_COMMITTED;
      }
    }
  }
  // Reserve the write-list entry first so a failure cannot leave an
  // unlisted (never stamped, never aborted) version behind.
  if (!tipReserveWrite(slot)) return ST_ERR_NOMEM;
  const flags: u8 = op == OP_DELETE ? VF_TOMBSTONE : 0;
  const v = mtNewVersion(active, key, keyLen, val, op == OP_DELETE ? 0 : valLen, ++seq, slot, flags);
  if (v == 0) return ST_ERR_NOMEM;
  if (!mtAdd(active, v)) {
    store<u8>(v, VF_ABORTED, V_FLAGS);
    return ST_ERR_NOMEM;
  }
  tipRecordWrite(slot, v);
  return ST_OK;
}

// ---- freeze (memtable rotation) ----

/**
 * Estimated bytes of the live (uncommitted) transactions' versions in the
 * memtables: what a freeze would carry into the new memtable. Each version
 * counts its arena bytes plus 28 for its leaf slot and hash-index slots.
 * The host skips a freeze that would carry most of the memtable (it frees
 * little and copies a lot: a big COPY used to be carried at every freeze).
 */
export function lsmLiveBytes(): u64 {
  const arena = liveVersionBytes();
  return <u64>arena + <u64>liveVersionCount * 28;
}

/** liveVersionBytes' count of versions. */
let liveVersionCount: usize = 0;

/** The arena bytes of every live transaction's live versions (their number in liveVersionCount). */
function liveVersionBytes(): usize {
  let bytes: usize = 0;
  let versions: usize = 0;
  const high = tipSlotHigh();
  for (let s: u32 = 1; s < high; s++) {
    if (!tipValid(s)) continue;
    const list = tipWrites(s);
    const n = tipWriteCount(s);
    for (let i: u32 = 0; i < n; i++) {
      const v = <usize>load<u32>(list + (<usize>i << 2));
      if (!vLive(v)) continue;
      bytes += (V_HEADER + <usize>load<u32>(v, V_KEYLEN) + <usize>load<u32>(v, V_VALLEN) + 7) & ~7;
      versions++;
    }
  }
  liveVersionCount = versions;
  return bytes;
}

/**
 * Freezes the active memtable and starts a new one. The versions of live
 * (uncommitted) transactions move to the new memtable, so a frozen memtable
 * holds only settled versions and can be flushed. ST_ERR_STATE when too many
 * memtables are already waiting for their flush.
 */
export function lsmFreeze(): i32 {
  if (frozenCount >= FROZEN_MAX) return ST_ERR_STATE;
  const next = mtCreate(++memtableIds);
  if (next == 0) return ST_ERR_NOMEM;
  // Reserve the whole carry-over in one arena block so it cannot fail halfway.
  const bytes = liveVersionBytes();
  const versions = liveVersionCount;
  const high = tipSlotHigh();
  if (versions > 0) {
    const nodes = (versions / 16 + 8) * 1100;
    const block = mtAlloc(next, bytes + nodes);
    if (block == 0 || !mtReserveKeys(next, <u32>versions)) {
      mtDestroy(next);
      return ST_ERR_NOMEM;
    }
    // Hand the reserved block back as the arena's current chunk.
    store<u32>(next, <u32>block, 20);
    store<u32>(next, <u32>(block + bytes + nodes), 24);
    for (let s: u32 = 1; s < high; s++) {
      if (!tipValid(s)) continue;
      const list = tipWrites(s);
      const n = tipWriteCount(s);
      for (let i: u32 = 0; i < n; i++) {
        const slotPtr = list + (<usize>i << 2);
        const v = <usize>load<u32>(slotPtr);
        if (!vLive(v)) continue;
        const kl = <i32>load<u32>(v, V_KEYLEN);
        const copy = mtNewVersion(next, v + V_HEADER, kl, v + V_HEADER + <usize>kl, <i32>load<u32>(v, V_VALLEN),
          load<u64>(v, V_SEQ), load<u32>(v, V_SLOT), load<u8>(v, V_FLAGS));
        mtAdd(next, copy);
        store<u8>(v, load<u8>(v, V_FLAGS) | VF_MOVED, V_FLAGS);
        store<u32>(slotPtr, <u32>copy);
      }
    }
  }
  // Shift frozen list and install.
  for (let i = frozenCount; i > 0; i--) store<u32>(frozen + (<usize>i << 2), load<u32>(frozen + (<usize>(i - 1) << 2)));
  store<u32>(frozen, <u32>active);
  frozenCount++;
  active = next;
  publishMemtables();
  return ST_OK;
}

/** The oldest frozen memtable has been flushed into run `runId`: swap them. */
export function lsmInstallFlush(runId: u32): i32 {
  if (frozenCount == 0) return ST_ERR_STATE;
  // Validate before changing anything: a bad run id used to drop the frozen
  // memtable from the read path (and leak it) while reporting an error.
  const r = runId != 0 ? runById(runId) : 0;
  if (runId != 0 && (r == 0 || runCount >= RUNS_MAX)) return ST_ERR_STATE;
  const mt = frozenAt(frozenCount - 1);
  frozenCount--;
  publishMemtables();
  if (runId != 0) {
    for (let i = runCount; i > 0; i--) store<u32>(runList + (<usize>i << 2), load<u32>(runList + (<usize>(i - 1) << 2)));
    store<u32>(runList, <u32>r);
    runCount++;
  }
  mtUnref(mt);
  return ST_OK;
}

/** Appends an existing run as the oldest (used when opening a database). */
export function lsmAppendRun(runId: u32): i32 {
  const r = runById(runId);
  if (r == 0 || runCount >= RUNS_MAX) return ST_ERR_STATE;
  store<u32>(runList + (<usize>runCount << 2), <u32>r);
  runCount++;
  return ST_OK;
}

/**
 * Replaces the contiguous runs at positions [first, first+count) with run
 * `runId` (0: the compaction dropped everything). The old runs are retired:
 * their files are released to the host when the last reader lets go.
 */
export function lsmInstallCompaction(first: i32, count: i32, runId: u32): i32 {
  if (first < 0 || count <= 0 || first + count > runCount) return ST_ERR_STATE;
  const replacement = runId != 0 ? runById(runId) : 0;
  if (runId != 0 && replacement == 0) return ST_ERR_STATE;
  for (let i = first; i < first + count; i++) {
    const r = runAt(i);
    store<u32>(r, 1, R_RETIRED);
    runUnref(r);
  }
  const shift = replacement != 0 ? count - 1 : count;
  if (replacement != 0) store<u32>(runList + (<usize>first << 2), <u32>replacement);
  const from = first + count;
  const to = replacement != 0 ? first + 1 : first;
  for (let i = from; i < runCount; i++) store<u32>(runList + (<usize>(to + i - from) << 2), load<u32>(runList + (<usize>i << 2)));
  runCount -= shift;
  return ST_OK;
}

export function lsmRunIdAt(i: i32): u32 {
  if (i < 0 || i >= runCount) return 0;
  return load<u32>(runAt(i), 104);
}

export function activeArenaBytes(): u64 {
  return load<u64>(active, MT_USED);
}

export function frozenArenaBytes(): u64 {
  let t: u64 = 0;
  for (let i = 0; i < frozenCount; i++) t += load<u64>(frozenAt(i), MT_USED);
  return t;
}

export function bumpSeq(): u64 {
  return ++seq;
}

export function setSeq(s: u64): void {
  if (s > seq) seq = s;
}

/** Releases a reference to a component taken by an iterator. */
export function componentRelease(mt: usize, r: usize): void {
  if (mt != 0) mtUnref(mt);
  if (r != 0) runUnref(r);
}

export function componentRefRun(r: usize): void {
  runRef(r);
}

export { free as kfree, alloc as kalloc };
