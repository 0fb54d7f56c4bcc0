// Cursors over one component of the LSM tree: a memtable or a sorted run.
// Both present the same view: entries in (key asc, newest first) order, with
// the current entry's key, value, stamp/version and flags decoded in place.
// A run cursor keeps its current block pinned in the block cache.

import { compareBytes, keyPrefix } from '../common/bytes';
import { isVisibleAt, V_FLAGS, V_HEADER, V_KEYLEN, V_VALLEN, V_SEQ, V_STAMP, VF_TOMBSTONE } from '../mvcc/version';
import { mtFirstLeaf, mtLastLeaf, mtSeek, seekIndex, seekLeaf, nPrefix, nPtr, leafCount, leafNext, leafPrev, MT_INSERTS } from './memtable';
import { blockSize, cachePin, cacheUnpin } from './block_cache';
import {
  R_BLOCKS, runBlockPinned, runFindBlock, blockEntryCount, blockDecode, blockLowerBound,
  eKey, eKeyLen, eVal, eValLen, eStamp, eFlags, blockPrefixAt,
} from './run_reader';
import { EF_TOMBSTONE } from './run_format';
import { cacheError } from './block_cache';

export const CUR_MEM: u8 = 1;
export const CUR_RUN: u8 = 2;

// Cursor struct (64 bytes).
export const C_KIND: usize = 0; // u8
export const C_VALID: usize = 1; // u8
export const C_EFLAGS: usize = 2; // u8 run entry flags (run cursors only)
export const C_SRC: usize = 4; // memtable or run
export const C_POS: usize = 8; // leaf, or pinned block data
export const C_IDX: usize = 12;
export const C_BLOCK: usize = 16;
/** Memtable cursors: the memtable's insert count when the cursor was placed. */
export const C_INSERTS: usize = 16;
export const C_BSIZE: usize = 20;
export const C_COUNT: usize = 24;
export const C_KEY: usize = 28;
export const C_KEYLEN: usize = 32;
export const C_VAL: usize = 36;
export const C_VALLEN: usize = 40;
export const C_VER: usize = 44; // memtable version pointer
export const C_STAMP: usize = 48; // u64 (run cursors only; a memtable version holds its own)
export const C_PREFIX: usize = 56; // u64
export const CURSOR_SIZE: usize = 64;

/** Set when a run cursor could not load a block (ST_ERR_IO / ST_ERR_CORRUPT / ST_ERR_NOMEM). */
export let cursorError: i32 = 0;

// @ts-ignore: decorator
@inline const MAX_SEQ: u64 = 0xffffffffffffffff;

export function curInitMem(c: usize, mt: usize): void {
  memory.fill(c, 0, CURSOR_SIZE);
  store<u8>(c, CUR_MEM, C_KIND);
  store<u32>(c, <u32>mt, C_SRC);
}

export function curInitRun(c: usize, r: usize): void {
  memory.fill(c, 0, CURSOR_SIZE);
  store<u8>(c, CUR_RUN, C_KIND);
  store<u32>(c, <u32>r, C_SRC);
}

/** Releases the pinned block of a run cursor. */
export function curRelease(c: usize): void {
  if (load<u8>(c, C_KIND) == CUR_RUN) {
    const data = <usize>load<u32>(c, C_POS);
    if (data != 0) cacheUnpin(data);
    store<u32>(c, 0, C_POS);
  }
  store<u8>(c, 0, C_VALID);
}

// @ts-ignore: decorator
@inline export function curValid(c: usize): bool {
  return load<u8>(c, C_VALID) != 0;
}
// @ts-ignore: decorator
@inline export function curKey(c: usize): usize {
  return <usize>load<u32>(c, C_KEY);
}
// @ts-ignore: decorator
@inline export function curKeyLen(c: usize): i32 {
  return load<i32>(c, C_KEYLEN);
}
// @ts-ignore: decorator
@inline export function curVal(c: usize): usize {
  return <usize>load<u32>(c, C_VAL);
}
// @ts-ignore: decorator
@inline export function curValLen(c: usize): i32 {
  return load<i32>(c, C_VALLEN);
}
// @ts-ignore: decorator
@inline export function curPrefix(c: usize): u64 {
  return load<u64>(c, C_PREFIX);
}

/** Compares the cursor's key with a key: <0 when the cursor's sorts first. */
// @ts-ignore: decorator
@inline export function curCompareKey(c: usize, key: usize, keyLen: i32): i32 {
  return compareBytes(<usize>load<u32>(c, C_KEY), load<i32>(c, C_KEYLEN), key, keyLen);
}

/** Compares two cursors' keys (prefix first). */
export function curCompare(a: usize, b: usize): i32 {
  const pa = load<u64>(a, C_PREFIX);
  const pb = load<u64>(b, C_PREFIX);
  if (pa != pb) return pa < pb ? -1 : 1;
  return compareBytes(<usize>load<u32>(a, C_KEY), load<i32>(a, C_KEYLEN), <usize>load<u32>(b, C_KEY), load<i32>(b, C_KEYLEN));
}

/** True when the current entry is visible to (slot, snapshot). */
export function curVisible(c: usize, slot: u32, snapshot: u64, seqLimit: u64, keepMoved: bool): bool {
  if (load<u8>(c, C_KIND) == CUR_MEM) return isVisibleAt(<usize>load<u32>(c, C_VER), slot, snapshot, seqLimit, keepMoved);
  return load<u64>(c, C_STAMP) <= snapshot;
}

export function curTombstone(c: usize): bool {
  if (load<u8>(c, C_KIND) == CUR_MEM) return (load<u8>(<usize>load<u32>(c, C_VER), V_FLAGS) & VF_TOMBSTONE) != 0;
  return (load<u8>(c, C_EFLAGS) & EF_TOMBSTONE) != 0;
}

/** Memtable version pointer (0 for run cursors). */
export function curVersion(c: usize): usize {
  return load<u8>(c, C_KIND) == CUR_MEM ? <usize>load<u32>(c, C_VER) : 0;
}

export function curStamp(c: usize): u64 {
  if (load<u8>(c, C_KIND) == CUR_MEM) return load<u64>(<usize>load<u32>(c, C_VER), V_STAMP);
  return load<u64>(c, C_STAMP);
}

/** Run entry flags, or a memtable version's flags. */
export function curEntryFlags(c: usize): u8 {
  if (load<u8>(c, C_KIND) == CUR_MEM) return load<u8>(<usize>load<u32>(c, C_VER), V_FLAGS);
  return load<u8>(c, C_EFLAGS);
}

// ---- loading the current entry ----

function loadMem(c: usize): void {
  const leaf = <usize>load<u32>(c, C_POS);
  const i = load<i32>(c, C_IDX);
  const v = nPtr(leaf, i);
  const kl = <i32>load<u32>(v, V_KEYLEN);
  store<u32>(c, <u32>v, C_VER);
  store<u32>(c, <u32>(v + V_HEADER), C_KEY);
  store<i32>(c, kl, C_KEYLEN);
  store<u32>(c, <u32>(v + V_HEADER + <usize>kl), C_VAL);
  store<i32>(c, <i32>load<u32>(v, V_VALLEN), C_VALLEN);
  // Stamp and flags stay in the version (curStamp, curEntryFlags); the prefix comes from the leaf.
  store<u64>(c, nPrefix(leaf, i), C_PREFIX);
  store<u32>(c, load<u32>(<usize>load<u32>(c, C_SRC), MT_INSERTS), C_INSERTS);
  store<u8>(c, 1, C_VALID);
}

/**
 * Re-finds a memtable cursor's version when the tree changed since the cursor
 * was placed. Writes into the active memtable between iter_next calls (an
 * UPDATE scanning its own table) shift entries within leaves and move them at
 * splits; a cursor that kept its (leaf, index) then skipped or repeated rows.
 * A version's (key, seq) is unique and versions never move, so a seek finds it.
 */
function memResync(c: usize): void {
  const mt = <usize>load<u32>(c, C_SRC);
  const inserts = load<u32>(mt, MT_INSERTS);
  if (load<u32>(c, C_INSERTS) == inserts) return;
  const v = <usize>load<u32>(c, C_VER);
  mtSeek(mt, v + V_HEADER, <i32>load<u32>(v, V_KEYLEN), load<u64>(v, V_SEQ));
  store<u32>(c, <u32>seekLeaf, C_POS);
  store<i32>(c, seekIndex, C_IDX);
  store<u32>(c, inserts, C_INSERTS);
}

/** Memtable cursors: re-finds the current version if the tree changed since it was placed. */
export function curMemSync(c: usize): void {
  memResync(c);
}

/** Memtable cursors: places the cursor at entry i of a leaf (leaf 0: past the end). */
export function curMemSet(c: usize, leaf: usize, i: i32): void {
  if (leaf == 0) {
    store<u8>(c, 0, C_VALID);
    return;
  }
  store<u32>(c, <u32>leaf, C_POS);
  store<i32>(c, i, C_IDX);
  loadMem(c);
}

function loadRun(c: usize): bool {
  const data = <usize>load<u32>(c, C_POS);
  if (!blockDecode(data, load<u32>(c, C_BSIZE), load<u32>(c, C_IDX))) {
    cursorError = -3;
    store<u8>(c, 0, C_VALID);
    return false;
  }
  store<u32>(c, <u32>eKey, C_KEY);
  store<i32>(c, eKeyLen, C_KEYLEN);
  store<u32>(c, <u32>eVal, C_VAL);
  store<i32>(c, eValLen, C_VALLEN);
  store<u64>(c, eStamp, C_STAMP);
  store<u8>(c, eFlags, C_EFLAGS);
  store<u64>(c, blockPrefixAt(data, load<u32>(c, C_IDX)), C_PREFIX);
  store<u8>(c, 1, C_VALID);
  return true;
}

/** Moves a run cursor to block b (pinning it, unpinning the previous one). */
function enterBlock(c: usize, b: u32): bool {
  const r = <usize>load<u32>(c, C_SRC);
  const data = runBlockPinned(r, b);
  const old = <usize>load<u32>(c, C_POS);
  if (old != 0) cacheUnpin(old);
  if (data == 0) {
    cursorError = cacheError;
    store<u32>(c, 0, C_POS);
    store<u8>(c, 0, C_VALID);
    return false;
  }
  const size = blockSize(data);
  store<u32>(c, <u32>data, C_POS);
  store<u32>(c, b, C_BLOCK);
  store<u32>(c, size, C_BSIZE);
  store<u32>(c, blockEntryCount(data, size), C_COUNT);
  return true;
}

// ---- positioning ----

/** Positions at the first entry whose key is >= key (its newest version). */
export function curSeekGE(c: usize, key: usize, keyLen: i32): void {
  if (load<u8>(c, C_KIND) == CUR_MEM) {
    mtSeek(<usize>load<u32>(c, C_SRC), key, keyLen, MAX_SEQ);
    if (seekLeaf == 0 || seekIndex >= leafCount(seekLeaf)) {
      store<u8>(c, 0, C_VALID);
      return;
    }
    store<u32>(c, <u32>seekLeaf, C_POS);
    store<i32>(c, seekIndex, C_IDX);
    loadMem(c);
    return;
  }
  const r = <usize>load<u32>(c, C_SRC);
  const b = runFindBlock(r, key, keyLen, MAX_SEQ);
  if (b >= load<u32>(r, R_BLOCKS)) {
    curRelease(c);
    return;
  }
  if (!enterBlock(c, b)) return;
  const i = blockLowerBound(<usize>load<u32>(c, C_POS), load<u32>(c, C_BSIZE), key, keyLen, MAX_SEQ);
  store<u32>(c, i, C_IDX);
  if (i >= load<u32>(c, C_COUNT)) {
    curNext(c); // the index says a later block; step there
    return;
  }
  loadRun(c);
}

export function curFirst(c: usize): void {
  if (load<u8>(c, C_KIND) == CUR_MEM) {
    const leaf = mtFirstLeaf(<usize>load<u32>(c, C_SRC));
    if (leaf == 0 || leafCount(leaf) == 0) {
      store<u8>(c, 0, C_VALID);
      return;
    }
    store<u32>(c, <u32>leaf, C_POS);
    store<i32>(c, 0, C_IDX);
    loadMem(c);
    return;
  }
  const r = <usize>load<u32>(c, C_SRC);
  if (load<u32>(r, R_BLOCKS) == 0 || !enterBlock(c, 0)) {
    curRelease(c);
    return;
  }
  store<u32>(c, 0, C_IDX);
  loadRun(c);
}

/** Positions at the last entry (the oldest version of the largest key). */
export function curLast(c: usize): void {
  if (load<u8>(c, C_KIND) == CUR_MEM) {
    const leaf = mtLastLeaf(<usize>load<u32>(c, C_SRC));
    if (leaf == 0 || leafCount(leaf) == 0) {
      store<u8>(c, 0, C_VALID);
      return;
    }
    store<u32>(c, <u32>leaf, C_POS);
    store<i32>(c, leafCount(leaf) - 1, C_IDX);
    loadMem(c);
    return;
  }
  const r = <usize>load<u32>(c, C_SRC);
  const blocks = load<u32>(r, R_BLOCKS);
  if (blocks == 0 || !enterBlock(c, blocks - 1)) {
    curRelease(c);
    return;
  }
  store<u32>(c, load<u32>(c, C_COUNT) - 1, C_IDX);
  loadRun(c);
}

/** Next entry; the cursor becomes invalid at the end. */
export function curNext(c: usize): void {
  if (load<u8>(c, C_KIND) == CUR_MEM) {
    memResync(c);
    let leaf = <usize>load<u32>(c, C_POS);
    let i = load<i32>(c, C_IDX) + 1;
    while (i >= leafCount(leaf)) {
      leaf = leafNext(leaf);
      if (leaf == 0) {
        store<u8>(c, 0, C_VALID);
        return;
      }
      i = 0;
    }
    store<u32>(c, <u32>leaf, C_POS);
    store<i32>(c, i, C_IDX);
    loadMem(c);
    return;
  }
  let i = load<u32>(c, C_IDX) + 1;
  while (i >= load<u32>(c, C_COUNT)) {
    const r = <usize>load<u32>(c, C_SRC);
    const b = load<u32>(c, C_BLOCK) + 1;
    if (b >= load<u32>(r, R_BLOCKS)) {
      curRelease(c);
      return;
    }
    if (!enterBlock(c, b)) return;
    i = 0;
  }
  store<u32>(c, i, C_IDX);
  loadRun(c);
}

/** Previous entry; the cursor becomes invalid before the start. */
export function curPrev(c: usize): void {
  if (load<u8>(c, C_KIND) == CUR_MEM) {
    memResync(c);
    let leaf = <usize>load<u32>(c, C_POS);
    let i = load<i32>(c, C_IDX) - 1;
    while (i < 0) {
      leaf = leafPrev(leaf);
      if (leaf == 0) {
        store<u8>(c, 0, C_VALID);
        return;
      }
      i = leafCount(leaf) - 1;
    }
    store<u32>(c, <u32>leaf, C_POS);
    store<i32>(c, i, C_IDX);
    loadMem(c);
    return;
  }
  let i = <i32>load<u32>(c, C_IDX) - 1;
  while (i < 0) {
    const b = load<u32>(c, C_BLOCK);
    if (b == 0) {
      curRelease(c);
      return;
    }
    if (!enterBlock(c, b - 1)) return;
    i = <i32>load<u32>(c, C_COUNT) - 1;
  }
  store<u32>(c, <u32>i, C_IDX);
  loadRun(c);
}

/**
 * A memtable cursor at a version of `key`: moves past every version of it
 * with one seek (versions sort by key, then sequence descending, and every
 * sequence is > 0) rather than a step per version.
 */
export function curSkipPastMem(c: usize, key: usize, keyLen: i32): void {
  mtSeek(<usize>load<u32>(c, C_SRC), key, keyLen, 0);
  if (seekLeaf == 0 || seekIndex >= leafCount(seekLeaf)) {
    store<u8>(c, 0, C_VALID);
    return;
  }
  curMemSet(c, seekLeaf, seekIndex);
  curSkipPast(c, key, keyLen);
}

/** Advances past every version of `key` (the cursor must be at or before them). */
export function curSkipPast(c: usize, key: usize, keyLen: i32): void {
  while (load<u8>(c, C_VALID) != 0 && curCompareKey(c, key, keyLen) <= 0) curNext(c);
}

/**
 * Moves to the newest version of the largest key < `key` (invalid when none).
 * (`scratch` is no longer needed: curGroupStart pins instead of copying.)
 */
export function curPrevGroup(c: usize, key: usize, keyLen: i32, scratch: usize, scratchCap: i32): void {
  if (load<u8>(c, C_VALID) == 0) curLast(c);
  while (load<u8>(c, C_VALID) != 0 && curCompareKey(c, key, keyLen) >= 0) curPrev(c);
  if (load<u8>(c, C_VALID) == 0) return;
  // Now at the oldest version of the previous key; walk back to its newest.
  curGroupStart(c, scratch, scratchCap);
}

/** From any version of a key, moves to that key's newest version. */
export function curGroupStart(c: usize, scratch: usize, scratchCap: i32): void {
  // Compare against the key in place, kept readable for the walk: memtable
  // versions never move, and a run cursor's starting block gets an extra pin
  // so loading earlier blocks cannot evict it. (Copying the key into the
  // fixed-size scratch truncated keys longer than it; reverse scans then
  // stopped one version back and returned the oldest version of such keys.)
  const key = curKey(c);
  const kl = curKeyLen(c);
  const pinned = load<u8>(c, C_KIND) == CUR_RUN ? <usize>load<u32>(c, C_POS) : 0;
  if (pinned != 0) cachePin(pinned);
  while (true) {
    curPrev(c);
    if (load<u8>(c, C_VALID) == 0 || curCompareKey(c, key, kl) != 0) break;
  }
  if (pinned != 0) cacheUnpin(pinned);
  if (load<u8>(c, C_VALID) == 0) {
    if (cursorError == 0) curFirst(c);
    return;
  }
  curNext(c);
}

export function resetCursorError(): void {
  cursorError = 0;
}

/** Positions at the newest version of the largest key <= key (or < key). */
export function curSeekLE(c: usize, key: usize, keyLen: i32, inclusive: bool, scratch: usize, scratchCap: i32): void {
  curSeekGE(c, key, keyLen);
  if (inclusive && load<u8>(c, C_VALID) != 0 && curCompareKey(c, key, keyLen) == 0) return;
  // Either past the key or at a larger key: step to the previous group.
  if (load<u8>(c, C_VALID) == 0 && cursorError != 0) return;
  curPrevGroup(c, key, keyLen, scratch, scratchCap);
}
