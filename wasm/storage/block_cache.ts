// The block cache: data blocks of sorted runs, read through the host ABI,
// checked (checksum) once when loaded, kept within a byte budget.
//
// Each cached block carries a 16-byte header [u32 pins][u32 size][u64 key]
// before its bytes, so cursors pin a block through its pointer and a table
// rehash never moves a block. Eviction is CLOCK over the hash table, skipping
// pinned blocks; when every block is pinned the cache may exceed its budget
// until cursors move on (bounded by the number of open cursors).

import { alloc, free } from '../common/alloc';
import { checksum } from '../common/checksum';
import { hashU64 } from '../common/bytes';
import { host_read } from '../common/host';

// @ts-ignore: decorator
@inline const EMPTY: u64 = 0;
// @ts-ignore: decorator
@inline const GONE: u64 = 0xffffffffffffffff;
// @ts-ignore: decorator
@inline const SLOT: usize = 16;
// @ts-ignore: decorator
@inline export const BLOCK_HDR: usize = 16;

let table: usize = 0;
let cap: u32 = 0; // power of two
let count: u32 = 0;
let tombs: u32 = 0;
let hand: u32 = 0;
let usedBytes: u64 = 0;
let limitBytes: u64 = 64 << 20;

export let cacheHits: u64 = 0;
export let cacheMisses: u64 = 0;
export let cacheEvictions: u64 = 0;
export let cacheReadBytes: u64 = 0;
/** Status of the last failed cacheLoad: ST_ERR_IO, ST_ERR_CORRUPT or ST_ERR_NOMEM. */
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
  return count;
}

// @ts-ignore: decorator
@inline function slotAt(i: u32): usize {
  return table + <usize>i * SLOT;
}

function rehash(newCap: u32): bool {
  const t = alloc(<usize>newCap * SLOT);
  if (t == 0) return false;
  memory.fill(t, 0, <usize>newCap * SLOT);
  const old = table;
  const oldCap = cap;
  table = t;
  cap = newCap;
  tombs = 0;
  hand = 0;
  for (let i: u32 = 0; i < oldCap; i++) {
    const s = old + <usize>i * SLOT;
    const k = load<u64>(s);
    if (k == EMPTY || k == GONE) continue;
    const d = slotAt(findFree(k));
    store<u64>(d, k);
    store<u32>(d, load<u32>(s, 8), 8);
    store<u32>(d, load<u32>(s, 12), 12);
  }
  free(old);
  return true;
}

function findFree(key: u64): u32 {
  const mask = cap - 1;
  let i = <u32>hashU64(key) & mask;
  while (true) {
    const k = load<u64>(slotAt(i));
    if (k == EMPTY || k == GONE) return i;
    i = (i + 1) & mask;
  }
}

function find(key: u64): i32 {
  if (cap == 0) return -1;
  const mask = cap - 1;
  let i = <u32>hashU64(key) & mask;
  while (true) {
    const k = load<u64>(slotAt(i));
    if (k == key) return <i32>i;
    if (k == EMPTY) return -1;
    i = (i + 1) & mask;
  }
}

// @ts-ignore: decorator
@inline export function cacheKey(runId: u32, block: u32): u64 {
  return (<u64>runId << 32) | <u64>block;
}

/**
 * Returns the data pointer of a block (pinned once: the caller unpins), loading
 * it from the file on a miss. 0 on failure, with cacheError set.
 */
export function cacheGetPinned(runId: u32, block: u32, fileId: i32, offset: u64, size: u32): usize {
  const key = cacheKey(runId, block);
  const i = find(key);
  if (i >= 0) {
    const s = slotAt(<u32>i);
    store<u32>(s, 1, 12);
    cacheHits++;
    const h = <usize>load<u32>(s, 8);
    store<u32>(h, load<u32>(h) + 1);
    return h + BLOCK_HDR;
  }
  cacheMisses++;
  evictUntil(<u64>size);
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
  store<u32>(h, 1);
  store<u32>(h, size, 4);
  store<u64>(h, key, 8);
  if ((count + tombs + 1) * 2 > cap) {
    if (!rehash(cap == 0 ? 1024 : (count + 1) * 4 > cap ? cap * 2 : cap)) {
      free(h);
      cacheError = -1;
      return 0;
    }
  }
  const j = findFree(key);
  const s = slotAt(j);
  if (load<u64>(s) == GONE) tombs--;
  store<u64>(s, key);
  store<u32>(s, <u32>h, 8);
  store<u32>(s, 1, 12);
  count++;
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

function evictUntil(incoming: u64): void {
  if (cap == 0) return;
  let budget = cap * 2; // two sweeps at most
  while (usedBytes + incoming > limitBytes && count > 0 && budget > 0) {
    const s = slotAt(hand);
    hand = (hand + 1) & (cap - 1);
    budget--;
    const k = load<u64>(s);
    if (k == EMPTY || k == GONE) continue;
    const h = <usize>load<u32>(s, 8);
    if (load<u32>(h) != 0) continue; // pinned
    if (load<u32>(s, 12) != 0) {
      store<u32>(s, 0, 12);
      continue;
    }
    removeSlot(s, h);
    cacheEvictions++;
  }
}

function removeSlot(s: usize, h: usize): void {
  usedBytes -= <u64>load<u32>(h, 4);
  free(h);
  store<u64>(s, GONE);
  count--;
  tombs++;
}

/** Drops every unpinned cached block of a run (when the run is retired). */
export function cacheDropRun(runId: u32): void {
  for (let i: u32 = 0; i < cap; i++) {
    const s = slotAt(i);
    const k = load<u64>(s);
    if (k == EMPTY || k == GONE || <u32>(k >> 32) != runId) continue;
    const h = <usize>load<u32>(s, 8);
    if (load<u32>(h) != 0) continue; // a cursor still uses it; it leaves by eviction later
    removeSlot(s, h);
  }
}
