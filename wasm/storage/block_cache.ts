// The block cache: data blocks of sorted runs, read through the host ABI,
// checked (checksum) once when loaded, kept within a byte budget.
//
// No hash table: each run keeps an array with one slot per data block (its
// "home" slot) holding the cached block's data pointer or 0, so a lookup is
// one load; bit 0 of the slot is CLOCK's reference bit, so a hit touches no
// other memory. Cached blocks are also listed in a dense directory that CLOCK
// eviction walks. Each block carries a 16-byte header
//   [u32 pins][u32 size][u32 home slot address][u32 run id]
// so cursors pin through the data pointer, and eviction clears the home slot.
// Point lookups do not pin: nothing can evict between their read and the
// host copying the value out.
// When every block is pinned the cache may exceed its budget until cursors
// move on (bounded by the number of open cursors).

import { alloc, free, realloc } from '../common/alloc';
import { checksum } from '../common/checksum';
import { host_read } from '../common/host';

// @ts-ignore: decorator
@inline export const BLOCK_HDR: usize = 16;
// @ts-ignore: decorator
@inline const REF: u32 = 1;

let dir: usize = 0; // u32 header pointers
let dirCount: u32 = 0;
let dirCap: u32 = 0;
let hand: u32 = 0;
let usedBytes: u64 = 0;
let limitBytes: u64 = 64 << 20;

export let cacheHits: u64 = 0;
export let cacheMisses: u64 = 0;
export let cacheEvictions: u64 = 0;
export let cacheReadBytes: u64 = 0;
/** Blocks loaded by warming (cacheWarm), not by a reader's miss. */
export let cacheWarmed: u64 = 0;
/** Status of the last failed load: ST_ERR_IO, ST_ERR_CORRUPT or ST_ERR_NOMEM. */
export let cacheError: i32 = 0;

export function cacheSetLimit(bytes: u64): void {
  limitBytes = bytes;
  evictUntil(0);
}

export function cacheUsedBytes(): u64 {
  return usedBytes;
}

export function cacheLimitBytes(): u64 {
  return limitBytes;
}

export function cacheBlockCount(): u32 {
  return dirCount;
}

/** Like cacheGet, pinned once (the caller unpins). */
export function cacheGetPinned(runId: u32, home: usize, fileId: i32, offset: u64, size: u32): usize {
  const data = cacheGet(runId, home, fileId, offset, size);
  if (data != 0) cachePin(data);
  return data;
}

/** The cached data of a block, if cached (no load, no pin; the reference bit is set). */
// @ts-ignore: decorator
@inline export function cacheLookup(home: usize): usize {
  const v = load<u32>(home);
  if (v == 0) return 0;
  if ((v & REF) == 0) store<u32>(home, v | REF);
  cacheHits++;
  return <usize>(v & ~15);
}

/**
 * Returns the data pointer of a block, loading it from the file on a miss
 * (not pinned: valid until the next load may evict it). `home` is the block's
 * slot in its run. 0 on failure, with cacheError set.
 */
export function cacheGet(runId: u32, home: usize, fileId: i32, offset: u64, size: u32): usize {
  const cached = cacheLookup(home);
  if (cached != 0) return cached;
  cacheMisses++;
  evictUntil(<u64>size);
  return loadBlock(runId, home, fileId, offset, size, REF);
}

/**
 * Warming: loads a block that is not cached while the cache is under 3/4 of
 * its budget, evicting nothing, without the reference bit (CLOCK takes it
 * first unless a reader uses it). 1 loaded or already cached, 0 no room, -1
 * failed (cacheError set).
 */
export function cacheWarm(runId: u32, home: usize, fileId: i32, offset: u64, size: u32): i32 {
  if (load<u32>(home) != 0) return 1;
  if (usedBytes + <u64>size > limitBytes - (limitBytes >> 2)) return 0;
  if (loadBlock(runId, home, fileId, offset, size, 0) == 0) return -1;
  cacheWarmed++;
  return 1;
}

function loadBlock(runId: u32, home: usize, fileId: i32, offset: u64, size: u32, ref: u32): usize {
  if (dirCount == dirCap) {
    const nc: u32 = dirCap == 0 ? 1024 : dirCap * 2;
    const d = realloc(dir, <usize>nc << 2);
    if (d == 0) {
      cacheError = -1;
      return 0;
    }
    dir = d;
    dirCap = nc;
  }
  const h = alloc(BLOCK_HDR + <usize>size);
  if (h == 0) {
    cacheError = -1;
    return 0;
  }
  const data = h + BLOCK_HDR;
  const got = host_read(fileId, <f64>offset, data, <i32>size);
  cacheReadBytes += <u64>(got > 0 ? got : 0);
  if (got != <i32>size) {
    free(h);
    cacheError = got < 0 ? -2 : -3; // short read: the file is shorter than its index says
    return 0;
  }
  if (size < 12 || checksum(data, <usize>size - 4) != load<u32>(data + <usize>size - 4)) {
    free(h);
    cacheError = -3;
    return 0;
  }
  store<u32>(h, 0);
  store<u32>(h, size, 4);
  store<u32>(h, <u32>home, 8);
  store<u32>(h, runId, 12);
  store<u32>(dir + (<usize>dirCount << 2), <u32>h);
  dirCount++;
  store<u32>(home, <u32>data | ref);
  usedBytes += <u64>size;
  return data;
}

// @ts-ignore: decorator
@inline export function cacheUnpin(data: usize): void {
  const h = data - BLOCK_HDR;
  store<u32>(h, load<u32>(h) - 1);
}

// @ts-ignore: decorator
@inline export function cachePin(data: usize): void {
  const h = data - BLOCK_HDR;
  store<u32>(h, load<u32>(h) + 1);
}

/** Size in bytes of a cached block's data. */
// @ts-ignore: decorator
@inline export function blockSize(data: usize): u32 {
  return load<u32>(data - BLOCK_HDR, 4);
}

/** Removes directory entry i (its last entry moves into the hole). */
function removeAt(i: u32): void {
  const h = <usize>load<u32>(dir + (<usize>i << 2));
  const home = <usize>load<u32>(h, 8);
  if (home != 0) store<u32>(home, 0);
  usedBytes -= <u64>load<u32>(h, 4);
  free(h);
  dirCount--;
  store<u32>(dir + (<usize>i << 2), load<u32>(dir + (<usize>dirCount << 2)));
}

function evictUntil(incoming: u64): void {
  let budget = dirCount * 2; // two sweeps at most
  while (usedBytes + incoming > limitBytes && dirCount > 0 && budget > 0) {
    if (hand >= dirCount) hand = 0;
    budget--;
    const h = <usize>load<u32>(dir + (<usize>hand << 2));
    if (load<u32>(h) != 0) {
      hand++; // pinned
      continue;
    }
    const home = <usize>load<u32>(h, 8);
    if (home != 0) {
      const v = load<u32>(home);
      if ((v & REF) != 0) {
        store<u32>(home, v & ~REF);
        hand++;
        continue;
      }
    }
    removeAt(hand); // the moved-in entry is examined next, at the same position
    cacheEvictions++;
  }
}

/**
 * Drops every cached block of a run whose slots are about to be freed.
 * Blocks still pinned by a cursor lose their home slot and leave by eviction.
 */
export function cacheDropRun(runId: u32): void {
  let i: u32 = 0;
  while (i < dirCount) {
    const h = <usize>load<u32>(dir + (<usize>i << 2));
    if (load<u32>(h, 12) != runId) {
      i++;
      continue;
    }
    if (load<u32>(h) != 0) {
      store<u32>(h, 0, 8); // pinned: it leaves by eviction, with no home to clear
      i++;
      continue;
    }
    removeAt(i);
  }
}
