// Opening sorted runs and searching them.
//
// At open the footer, index, Bloom and meta blocks are read (through the host
// ABI), checked, and kept in kernel memory; data blocks come and go through
// the block cache. Run ids are never reused, so a cache key cannot alias.

import { alloc, free, realloc } from '../common/alloc';
import { compareBytes, getVarint, keyPrefix, varintLen } from '../common/bytes';
import { checksum } from '../common/checksum';
import { host_read } from '../common/host';
import { ST_ERR_CORRUPT, ST_ERR_FORMAT, ST_ERR_IO, ST_ERR_NOMEM } from '../common/status';
import { cacheDropRun, cacheGet, cacheLookup, cachePin, cacheWarm } from './block_cache';
import { FOOTER_SIZE, RUN_FORMAT_VERSION, RUN_MAGIC } from './run_format';

// Run struct (128 bytes).
export const R_FILE: usize = 0;
export const R_BLOCKS: usize = 4;
export const R_INDEX: usize = 8; // parsed index records (IX_SIZE each)
export const R_INDEXRAW: usize = 12;
export const R_BLOOM: usize = 16;
export const R_BLOOMBLOCKS: usize = 20;
export const R_META: usize = 24;
export const R_REFS: usize = 28;
export const R_FILESIZE: usize = 32; // f64
export const R_ENTRIES: usize = 40;
export const R_KEYS: usize = 48;
export const R_TOMBS: usize = 56;
export const R_MINSTAMP: usize = 64;
export const R_MAXSTAMP: usize = 72;
export const R_DATA: usize = 80;
export const R_FIRSTKEY: usize = 88;
export const R_FIRSTLEN: usize = 92;
export const R_LASTKEY: usize = 96;
export const R_LASTLEN: usize = 100;
export const R_ID: usize = 104;
export const R_RETIRED: usize = 108;
export const R_IXPREFIX: usize = 112; // u64 key prefix of each block's last key, contiguous for the search
export const R_BLOCKPTRS: usize = 116; // u32 per block: its data in the block cache, or 0
export const R_IXSAMPLE: usize = 120; // u64 prefix of every SAMPLE-th block: an L1-sized first search level
export const R_NSAMPLE: usize = 124;
export const R_SIZE: usize = 128;

// @ts-ignore: decorator
@inline const SAMPLE_SHIFT: u32 = 6; // one sample per 64 blocks

// Parsed index record (40 bytes): u64 prefix | u64 last stamp | u64 offset |
// u32 key ptr | u32 key len | u32 size | u32 pad
// @ts-ignore: decorator
@inline const IX_SIZE: usize = 40;

let runs: usize = 0; // u32 pointers indexed by run id
let runCap: u32 = 0;
let nextRunId: u32 = 1;
export let runOpenError: i32 = 0;

// Dead runs whose files the host may close and delete: a small queue of file ids.
let deadFiles: usize = 0;
let deadCount: u32 = 0;
let deadCap: u32 = 0;

export function runById(id: u32): usize {
  if (id == 0 || id >= runCap) return 0;
  return <usize>load<u32>(runs + (<usize>id << 2));
}

const footer: usize = memory.data(FOOTER_SIZE, 16);

function readExact(file: i32, offset: u64, ptr: usize, len: u32): i32 {
  const got = host_read(file, <f64>offset, ptr, <i32>len);
  if (got < 0) return ST_ERR_IO;
  if (got != <i32>len) return ST_ERR_CORRUPT;
  return 0;
}

/** Opens a run file; returns its run id (>0) or 0 with runOpenError set. */
export function runOpen(file: i32, fileSize: f64): u32 {
  runOpenError = 0;
  if (fileSize < <f64>FOOTER_SIZE) return fail(ST_ERR_CORRUPT);
  let st = readExact(file, <u64>fileSize - <u64>FOOTER_SIZE, footer, <u32>FOOTER_SIZE);
  if (st != 0) return fail(st);
  if (load<u64>(footer) != RUN_MAGIC) return fail(ST_ERR_CORRUPT);
  if (checksum(footer, <usize>(FOOTER_SIZE - 4)) != load<u32>(footer, 60)) return fail(ST_ERR_CORRUPT);
  if (load<u32>(footer, 8) != RUN_FORMAT_VERSION) return fail(ST_ERR_FORMAT);
  const indexOff = load<u64>(footer, 16);
  const indexLen = load<u32>(footer, 24);
  const bloomLen = load<u32>(footer, 28);
  const bloomOff = load<u64>(footer, 32);
  const metaOff = load<u64>(footer, 40);
  const metaLen = load<u32>(footer, 48);
  const blocks = load<u32>(footer, 52);
  if (indexLen < 8 || bloomLen < 12 || metaLen < 60) return fail(ST_ERR_CORRUPT);
  const r = alloc(R_SIZE);
  if (r == 0) return fail(ST_ERR_NOMEM);
  memory.fill(r, 0, R_SIZE);
  const raw = alloc(<usize>indexLen);
  const bloom = alloc(<usize>bloomLen);
  const meta = alloc(<usize>metaLen);
  const ix = alloc(<usize>max<u32>(blocks, 1) * IX_SIZE);
  const ixp = alloc(<usize>max<u32>(blocks, 1) << 3);
  store<u32>(r, <u32>ixp, R_IXPREFIX);
  const nsample = (blocks + (<u32>1 << SAMPLE_SHIFT) - 1) >> SAMPLE_SHIFT;
  const samples = alloc(<usize>max<u32>(nsample, 1) << 3);
  const ptrs = alloc(<usize>max<u32>(blocks, 1) << 2);
  store<u32>(r, <u32>samples, R_IXSAMPLE);
  store<u32>(r, nsample, R_NSAMPLE);
  store<u32>(r, <u32>ptrs, R_BLOCKPTRS);
  if (ptrs != 0) memory.fill(ptrs, 0, <usize>max<u32>(blocks, 1) << 2);
  store<u32>(r, <u32>raw, R_INDEXRAW);
  store<u32>(r, <u32>bloom, R_BLOOM);
  store<u32>(r, <u32>meta, R_META);
  store<u32>(r, <u32>ix, R_INDEX);
  if (raw == 0 || bloom == 0 || meta == 0 || ix == 0 || ixp == 0 || samples == 0 || ptrs == 0) return discard(r, ST_ERR_NOMEM);
  st = readExact(file, indexOff, raw, indexLen);
  if (st == 0) st = readExact(file, bloomOff, bloom, bloomLen);
  if (st == 0) st = readExact(file, metaOff, meta, metaLen);
  if (st != 0) return discard(r, st);
  if (checksum(raw, <usize>indexLen - 4) != load<u32>(raw + <usize>indexLen - 4)) return discard(r, ST_ERR_CORRUPT);
  if (checksum(bloom, <usize>bloomLen - 4) != load<u32>(bloom + <usize>bloomLen - 4)) return discard(r, ST_ERR_CORRUPT);
  if (checksum(meta, <usize>metaLen - 4) != load<u32>(meta + <usize>metaLen - 4)) return discard(r, ST_ERR_CORRUPT);
  if (load<u32>(raw + <usize>indexLen - 8) != blocks) return discard(r, ST_ERR_CORRUPT);
  // Parse the index into fixed records for binary search.
  let p = raw;
  const end = raw + <usize>indexLen - 8;
  for (let b: u32 = 0; b < blocks; b++) {
    const kl = getVarint(p, end);
    if (varintLen == 0) return discard(r, ST_ERR_CORRUPT);
    p += <usize>varintLen;
    if (p + <usize>kl + 20 > end) return discard(r, ST_ERR_CORRUPT);
    const rec = ix + <usize>b * IX_SIZE;
    store<u64>(rec, keyPrefix(p, <i32>kl));
    store<u64>(ixp + (<usize>b << 3), keyPrefix(p, <i32>kl));
    if ((b & ((<u32>1 << SAMPLE_SHIFT) - 1)) == 0) store<u64>(samples + (<usize>(b >> SAMPLE_SHIFT) << 3), keyPrefix(p, <i32>kl));
    store<u32>(rec, <u32>p, 24);
    store<u32>(rec, kl, 28);
    p += <usize>kl;
    store<u64>(rec, load<u64>(p), 8);
    const off = load<u64>(p, 8);
    const size = load<u32>(p, 16);
    if (off + <u64>size > <u64>fileSize) return discard(r, ST_ERR_CORRUPT);
    store<u64>(rec, off, 16);
    store<u32>(rec, size, 32);
    p += 20;
  }
  const bloomBlocks = load<u32>(bloom);
  if (<u64>bloomBlocks * 32 + 12 != <u64>bloomLen) return discard(r, ST_ERR_CORRUPT);
  store<u32>(r, <u32>file, R_FILE);
  store<u32>(r, blocks, R_BLOCKS);
  store<u32>(r, bloomBlocks, R_BLOOMBLOCKS);
  store<f64>(r, fileSize, R_FILESIZE);
  store<u64>(r, load<u64>(meta), R_ENTRIES);
  store<u64>(r, load<u64>(meta, 8), R_KEYS);
  store<u64>(r, load<u64>(meta, 16), R_TOMBS);
  store<u64>(r, load<u64>(meta, 24), R_MINSTAMP);
  store<u64>(r, load<u64>(meta, 32), R_MAXSTAMP);
  store<u64>(r, load<u64>(meta, 40), R_DATA);
  const firstLen = load<u32>(meta, 48);
  const lastLen = load<u32>(meta, 52);
  if (<u64>firstLen + <u64>lastLen + 60 != <u64>metaLen) return discard(r, ST_ERR_CORRUPT);
  store<u32>(r, <u32>(meta + 56), R_FIRSTKEY);
  store<u32>(r, firstLen, R_FIRSTLEN);
  store<u32>(r, <u32>(meta + 56 + <usize>firstLen), R_LASTKEY);
  store<u32>(r, lastLen, R_LASTLEN);
  store<u32>(r, 1, R_REFS);
  // Register.
  const id = nextRunId;
  if (id >= runCap) {
    const nc: u32 = runCap == 0 ? 64 : runCap * 2;
    const t = realloc(runs, <usize>nc << 2);
    if (t == 0) return discard(r, ST_ERR_NOMEM);
    memory.fill(t + (<usize>runCap << 2), 0, <usize>(nc - runCap) << 2);
    runs = t;
    runCap = nc;
  }
  nextRunId++;
  store<u32>(r, id, R_ID);
  store<u32>(runs + (<usize>id << 2), <u32>r);
  return id;
}

function fail(st: i32): u32 {
  runOpenError = st;
  return 0;
}

function discard(r: usize, st: i32): u32 {
  free(<usize>load<u32>(r, R_IXSAMPLE));
  free(<usize>load<u32>(r, R_BLOCKPTRS));
  free(<usize>load<u32>(r, R_IXPREFIX));
  free(<usize>load<u32>(r, R_INDEXRAW));
  free(<usize>load<u32>(r, R_BLOOM));
  free(<usize>load<u32>(r, R_META));
  free(<usize>load<u32>(r, R_INDEX));
  free(r);
  return fail(st);
}

/** The filter bits of a run's Bloom block. R_BLOOM holds the raw block (for
 *  free), whose bits follow an 8-byte header (u32 blocks, u32 bits per key);
 *  lookups used to start at the header, so the filter gave false negatives
 *  and point reads and insert/conflict checks missed keys held in runs. */
export function runBloomBits(r: usize): usize {
  return <usize>load<u32>(r, R_BLOOM) + 8;
}

export function runRef(r: usize): void {
  store<u32>(r, load<u32>(r, R_REFS) + 1, R_REFS);
}

/** Drops a reference; a retired run with no references is freed and its file
 *  id queued for the host to close and delete. */
export function runUnref(r: usize): void {
  const refs = load<u32>(r, R_REFS) - 1;
  store<u32>(r, refs, R_REFS);
  if (refs != 0) return;
  const id = load<u32>(r, R_ID);
  cacheDropRun(id);
  if (load<u32>(r, R_RETIRED) != 0) queueDead(load<u32>(r, R_FILE));
  store<u32>(runs + (<usize>id << 2), 0);
  free(<usize>load<u32>(r, R_IXSAMPLE));
  free(<usize>load<u32>(r, R_BLOCKPTRS));
  free(<usize>load<u32>(r, R_IXPREFIX));
  free(<usize>load<u32>(r, R_INDEXRAW));
  free(<usize>load<u32>(r, R_BLOOM));
  free(<usize>load<u32>(r, R_META));
  free(<usize>load<u32>(r, R_INDEX));
  free(r);
}

function queueDead(file: u32): void {
  if (deadCount == deadCap) {
    const nc: u32 = deadCap == 0 ? 16 : deadCap * 2;
    const t = realloc(deadFiles, <usize>nc << 2);
    if (t == 0) return; // the file is leaked until restart cleans orphans; not fatal
    deadFiles = t;
    deadCap = nc;
  }
  store<u32>(deadFiles + (<usize>deadCount << 2), file);
  deadCount++;
}

/** Pops a file id of a dead run (-1 when none). */
export function runTakeDeadFile(): i32 {
  if (deadCount == 0) return -1;
  deadCount--;
  return <i32>load<u32>(deadFiles + (<usize>deadCount << 2));
}

// ---- searching ----

// @ts-ignore: decorator
@inline function ixRec(r: usize, b: u32): usize {
  return <usize>load<u32>(r, R_INDEX) + <usize>b * IX_SIZE;
}

/** Internal order (key asc, stamp desc): <0 when the probe sorts first. */
// @ts-ignore: decorator
@inline export function cmpKeyStamp(pk: usize, pl: i32, ps: u64, ek: usize, el: i32, es: u64): i32 {
  const c = compareBytes(pk, pl, ek, el);
  if (c != 0) return c;
  if (ps == es) return 0;
  return ps > es ? -1 : 1;
}

/** First block whose last entry is >= (key, stamp); R_BLOCKS when none. */
export function runFindBlock(r: usize, key: usize, keyLen: i32, stamp: u64): u32 {
  const blocks = load<u32>(r, R_BLOCKS);
  const pp = keyPrefix(key, keyLen);
  // First level: the samples (one per 64 blocks) bound the answer without
  // touching the large arrays. Blocks up to a sample below pp end before the
  // probe; a sample above pp ends at or after it.
  const samples = <usize>load<u32>(r, R_IXSAMPLE);
  const nsample = load<u32>(r, R_NSAMPLE);
  let a: u32 = 0;
  let z = nsample;
  while (a < z) {
    const m = (a + z) >>> 1;
    if (load<u64>(samples + (<usize>m << 3)) < pp) a = m + 1;
    else z = m;
  }
  let lo: u32 = a > 0 ? ((a - 1) << SAMPLE_SHIFT) + 1 : 0;
  let b2 = a;
  while (b2 < nsample && load<u64>(samples + (<usize>b2 << 3)) == pp) b2++;
  let hi: u32 = b2 < nsample ? b2 << SAMPLE_SHIFT : blocks;
  if (lo > hi) lo = hi;
  const prefixes = <usize>load<u32>(r, R_IXPREFIX);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const ep = load<u64>(prefixes + (<usize>mid << 3));
    let c: i32;
    if (pp != ep) c = pp < ep ? -1 : 1;
    else {
      const rec = ixRec(r, mid);
      c = cmpKeyStamp(key, keyLen, stamp, <usize>load<u32>(rec, 24), <i32>load<u32>(rec, 28), load<u64>(rec, 8));
    }
    if (c > 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Loads block b of run r, pinned; 0 on failure (cacheError says why). */
export function runBlockPinned(r: usize, b: u32): usize {
  const data = runBlock(r, b);
  if (data != 0) cachePin(data);
  return data;
}

/** Loads block b of run r, unpinned (valid until the next block load); 0 on failure. */
export function runBlock(r: usize, b: u32): usize {
  const home = <usize>load<u32>(r, R_BLOCKPTRS) + (<usize>b << 2);
  const cached = cacheLookup(home);
  if (cached != 0) return cached; // no index record needed
  const rec = ixRec(r, b);
  return cacheGet(load<u32>(r, R_ID), home, <i32>load<u32>(r, R_FILE), load<u64>(rec, 16), load<u32>(rec, 32));
}

/** True when key (p, len) starts with the n-byte prefix at q. */
// @ts-ignore: decorator
@inline function hasPrefix(p: usize, len: i32, q: usize, n: i32): bool {
  return len >= n && memory.compare(p, q, <usize>n) == 0;
}

/**
 * True when every key of block b of run r starts with one of the prefixes
 * in `skip` ([u32 count] then per prefix [u32 length][bytes]): the keys of a
 * block lie after the previous block's last key and up to its own, so both
 * having the prefix is enough (prefixes are key space prefixes, of fixed length).
 */
function blockWithin(r: usize, b: u32, skip: usize): bool {
  const rec = ixRec(r, b);
  const lk = <usize>load<u32>(rec, 24);
  const ll = <i32>load<u32>(rec, 28);
  let fk = <usize>load<u32>(r, R_FIRSTKEY);
  let fl = <i32>load<u32>(r, R_FIRSTLEN);
  if (b > 0) {
    const prev = ixRec(r, b - 1);
    fk = <usize>load<u32>(prev, 24);
    fl = <i32>load<u32>(prev, 28);
  }
  const n = load<u32>(skip);
  let q = skip + 4;
  for (let i: u32 = 0; i < n; i++) {
    const len = <i32>load<u32>(q);
    if (hasPrefix(lk, ll, q + 4, len) && hasPrefix(fk, fl, q + 4, len)) return true;
    q += 4 + <usize>len;
  }
  return false;
}

/** How many blocks of run r lie wholly inside a prefix of `skip` (blockWithin): from the index, no block is read. */
export function runBlocksWithin(r: usize, skip: usize): u32 {
  const blocks = load<u32>(r, R_BLOCKS);
  let n: u32 = 0;
  for (let b: u32 = 0; b < blocks; b++) if (blockWithin(r, b, skip)) n++;
  return n;
}

/**
 * Warms blocks [first, first + count) of run r into the cache while it has
 * room (block_cache.ts cacheWarm: nothing is evicted for it), leaving out
 * blocks wholly inside a prefix of `skip` (blockWithin; 0: none). Returns
 * the next block to warm, -1 when the run is done or the cache has no room
 * left, -2 when a read failed.
 */
export function runWarm(r: usize, first: u32, count: u32, skip: usize): i32 {
  const blocks = load<u32>(r, R_BLOCKS);
  const end = first + count < blocks ? first + count : blocks;
  const id = load<u32>(r, R_ID);
  const file = <i32>load<u32>(r, R_FILE);
  for (let b = first; b < end; b++) {
    if (skip != 0 && blockWithin(r, b, skip)) continue;
    const rec = ixRec(r, b);
    const st = cacheWarm(id, <usize>load<u32>(r, R_BLOCKPTRS) + (<usize>b << 2), file, load<u64>(rec, 16), load<u32>(rec, 32));
    if (st == 0) return -1;
    if (st < 0) return -2;
  }
  return end < blocks ? <i32>end : -1;
}

// ---- block entries ----

// The decoded current entry (globals keep decoding allocation-free).
export let eKey: usize = 0;
export let eKeyLen: i32 = 0;
export let eVal: usize = 0;
export let eValLen: i32 = 0;
export let eStamp: u64 = 0;
export let eFlags: u8 = 0;

// @ts-ignore: decorator
@inline export function blockEntryCount(data: usize, size: u32): u32 {
  return load<u32>(data);
}

// Block layout (run_format.ts): where the prefix array, offsets and entries start.
// @ts-ignore: decorator
@inline function blockPrefixes(data: usize): usize {
  return data + 8;
}

/** Entry i's key prefix from the block's prefix array (the block must be sane and i < n). */
// @ts-ignore: decorator
@inline export function blockPrefixAt(data: usize, i: u32): u64 {
  return load<u64>(blockPrefixes(data) + (<usize>i << 3));
}

/** False when a block's header and arrays do not fit in its size. */
export function blockSane(data: usize, size: u32): bool {
  return size >= 12 && 8 + <u64>load<u32>(data) * 12 + 4 <= <u64>size;
}

/** Decodes entry i of a block into the e* globals; false if malformed. */
export function blockDecode(data: usize, size: u32, i: u32): bool {
  const n = load<u32>(data);
  if (i >= n || !blockSane(data, size)) return false;
  const prefs = blockPrefixes(data);
  const offs = prefs + (<usize>n << 3);
  const ents = offs + (<usize>n << 2);
  const end = data + <usize>size - 4;
  let p = ents + <usize>load<u32>(offs + (<usize>i << 2));
  if (p >= end) return false;
  eFlags = load<u8>(p);
  p++;
  const kl = getVarint(p, end);
  if (varintLen == 0) return false;
  p += <usize>varintLen;
  const vl = getVarint(p, end);
  if (varintLen == 0) return false;
  p += <usize>varintLen;
  if (p + 8 + <usize>kl + <usize>vl > end) return false;
  eStamp = load<u64>(p);
  p += 8;
  eKey = p;
  eKeyLen = <i32>kl;
  eVal = p + <usize>kl;
  eValLen = <i32>vl;
  return true;
}

/**
 * First entry index >= (key, stamp) in a block (entry count when none). The
 * search runs over the block's array of 8-byte key prefixes and decodes an
 * entry only when the prefix cannot decide.
 */
export function blockLowerBound(data: usize, size: u32, key: usize, keyLen: i32, stamp: u64): u32 {
  if (!blockSane(data, size)) return 0;
  const n = load<u32>(data);
  const prefs = blockPrefixes(data);
  const pp = keyPrefix(key, keyLen);
  let lo: u32 = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const ep = load<u64>(prefs + (<usize>mid << 3));
    let c: i32;
    if (pp != ep) c = pp < ep ? -1 : 1;
    else {
      if (!blockDecode(data, size, mid)) return hi; // corrupt entries were excluded by the checksum; be safe
      c = cmpKeyStamp(key, keyLen, stamp, eKey, eKeyLen, eStamp);
    }
    if (c > 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function runMinKeyCompare(r: usize, key: usize, keyLen: i32): i32 {
  return compareBytes(key, keyLen, <usize>load<u32>(r, R_FIRSTKEY), <i32>load<u32>(r, R_FIRSTLEN));
}

export function runMaxKeyCompare(r: usize, key: usize, keyLen: i32): i32 {
  return compareBytes(key, keyLen, <usize>load<u32>(r, R_LASTKEY), <i32>load<u32>(r, R_LASTLEN));
}
