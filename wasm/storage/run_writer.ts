// Streaming builder of sorted-run files (see run_format.ts).
//
// Entries arrive in (key asc, stamp desc) order; finished bytes accumulate in
// an output buffer that the host drains (copies out and writes asynchronously)
// between steps, so a flush or compaction never holds a whole file in memory.

import { alloc, free } from '../common/alloc';
import { bufAppend, bufFree, bufLen, bufPtr, bufReserve, bufSetLen } from '../common/buf';
import { compareBytes, hashBytes, keyPrefix, putVarint, varintSize } from '../common/bytes';
import { checksum } from '../common/checksum';
import { bloomAdd, bloomBlocksFor } from './bloom';
import { EF_TOMBSTONE, FOOTER_SIZE, RUN_FORMAT_VERSION, RUN_MAGIC } from './run_format';

// Writer struct offsets.
// @ts-ignore: decorator
@inline const W_OUT: usize = 0; // buf
// @ts-ignore: decorator
@inline const W_BLK: usize = 12; // buf: current block entries
// @ts-ignore: decorator
@inline const W_OFFS: usize = 24; // buf: u32 entry offsets of the current block
// @ts-ignore: decorator
@inline const W_IDX: usize = 36; // buf: index entries
// @ts-ignore: decorator
@inline const W_LASTKEY: usize = 48; // buf: last distinct key
// @ts-ignore: decorator
@inline const W_FIRSTKEY: usize = 60; // buf: first key
// @ts-ignore: decorator
@inline const W_BLOOM: usize = 72;
// @ts-ignore: decorator
@inline const W_BLOOMBLOCKS: usize = 76;
// @ts-ignore: decorator
@inline const W_TARGET: usize = 80;
// @ts-ignore: decorator
@inline const W_BLOCKS: usize = 84;
// @ts-ignore: decorator
@inline const W_FILEOFF: usize = 88; // u64 bytes drained so far
// @ts-ignore: decorator
@inline const W_ENTRIES: usize = 96;
// @ts-ignore: decorator
@inline const W_KEYS: usize = 104;
// @ts-ignore: decorator
@inline const W_TOMBS: usize = 112;
// @ts-ignore: decorator
@inline const W_MINSTAMP: usize = 120;
// @ts-ignore: decorator
@inline const W_MAXSTAMP: usize = 128;
// @ts-ignore: decorator
@inline const W_DATA: usize = 136;
// @ts-ignore: decorator
@inline const W_LASTSTAMP: usize = 144;
// @ts-ignore: decorator
@inline const W_BITS: usize = 152;
// @ts-ignore: decorator
@inline const W_PREFS: usize = 160; // buf: u64 key prefixes of the current block
// @ts-ignore: decorator
@inline const W_HASHES: usize = 176; // unused since format 2 (was: per-entry hashes for the in-block buckets)
// @ts-ignore: decorator
@inline const W_HDR: usize = 188; // buf: scratch for a block's header and index arrays
// @ts-ignore: decorator
@inline const W_SIZE: usize = 200;

const scratch: usize = memory.data(64, 16);

/** Starts a run; `expectedKeys` sizes the Bloom filter. 0 on out-of-memory. */
export function rwBegin(expectedKeys: u64, blockTarget: u32, bitsPerKey: u32): usize {
  const w = alloc(W_SIZE);
  if (w == 0) return 0;
  memory.fill(w, 0, W_SIZE);
  const blocks = bloomBlocksFor(expectedKeys, bitsPerKey);
  const bloom = alloc(<usize>blocks << 5);
  if (bloom == 0) {
    free(w);
    return 0;
  }
  memory.fill(bloom, 0, <usize>blocks << 5);
  store<u32>(w, <u32>bloom, W_BLOOM);
  store<u32>(w, blocks, W_BLOOMBLOCKS);
  store<u32>(w, blockTarget, W_TARGET);
  store<u32>(w, bitsPerKey, W_BITS);
  store<u64>(w, 0xffffffffffffffff, W_MINSTAMP);
  return w;
}

export function rwFree(w: usize): void {
  bufFree(w + W_OUT);
  bufFree(w + W_BLK);
  bufFree(w + W_OFFS);
  bufFree(w + W_PREFS);
  bufFree(w + W_HASHES);
  bufFree(w + W_HDR);
  bufFree(w + W_IDX);
  bufFree(w + W_LASTKEY);
  bufFree(w + W_FIRSTKEY);
  free(<usize>load<u32>(w, W_BLOOM));
  free(w);
}

/** Adds one entry; false on out-of-memory. */
export function rwAdd(w: usize, key: usize, keyLen: i32, val: usize, valLen: i32, stamp: u64, flags: u8): bool {
  const entrySize = <u32>(1 + varintSize(<u32>keyLen) + varintSize(<u32>valLen) + 8 + keyLen + valLen);
  const blkLen = bufLen(w + W_BLK);
  const count = bufLen(w + W_OFFS) >> 2;
  // Per entry the block also holds 8 (prefix) + 4 (offset) bytes.
  if (blkLen > 0 && blkLen + entrySize + (count + 1) * 12 + 12 > load<u32>(w, W_TARGET)) {
    if (!finishBlock(w)) return false;
  }
  const lastKey = w + W_LASTKEY;
  const entries = load<u64>(w, W_ENTRIES);
  const distinct = entries == 0 || compareBytes(key, keyLen, bufPtr(lastKey), <i32>bufLen(lastKey)) != 0;
  if (distinct) {
    bufSetLen(lastKey, 0);
    if (!bufAppend(lastKey, key, <u32>keyLen)) return false;
    if (entries == 0 && !bufAppend(w + W_FIRSTKEY, key, <u32>keyLen)) return false;
    store<u64>(w, load<u64>(w, W_KEYS) + 1, W_KEYS);
    bloomAdd(<usize>load<u32>(w, W_BLOOM), load<u32>(w, W_BLOOMBLOCKS), hashBytes(key, keyLen));
  }
  // Record the entry's offset and key prefix, then the entry itself.
  store<u32>(scratch, bufLen(w + W_BLK));
  if (!bufAppend(w + W_OFFS, scratch, 4)) return false;
  store<u64>(scratch, keyPrefix(key, keyLen));
  if (!bufAppend(w + W_PREFS, scratch, 8)) return false;
  if (!bufReserve(w + W_BLK, entrySize)) return false;
  let p = bufPtr(w + W_BLK) + <usize>bufLen(w + W_BLK);
  store<u8>(p, flags);
  p += 1;
  p += <usize>putVarint(p, <u32>keyLen);
  p += <usize>putVarint(p, <u32>valLen);
  store<u64>(p, stamp);
  p += 8;
  memory.copy(p, key, <usize>keyLen);
  memory.copy(p + <usize>keyLen, val, <usize>valLen);
  bufSetLen(w + W_BLK, bufLen(w + W_BLK) + entrySize);
  store<u64>(w, entries + 1, W_ENTRIES);
  if ((flags & EF_TOMBSTONE) != 0) store<u64>(w, load<u64>(w, W_TOMBS) + 1, W_TOMBS);
  if (stamp < load<u64>(w, W_MINSTAMP)) store<u64>(w, stamp, W_MINSTAMP);
  if (stamp > load<u64>(w, W_MAXSTAMP)) store<u64>(w, stamp, W_MAXSTAMP);
  store<u64>(w, load<u64>(w, W_DATA) + <u64>(keyLen + valLen), W_DATA);
  store<u64>(w, stamp, W_LASTSTAMP);
  return true;
}

function finishBlock(w: usize): bool {
  const blk = w + W_BLK;
  const offs = w + W_OFFS;
  const count = bufLen(offs) >> 2;
  // Header and index arrays first, so that a lookup reads one contiguous
  // stretch before the entry it wants (see run_format.ts).
  const hdr = w + W_HDR;
  const hdrLen = 8 + count * 12;
  bufSetLen(hdr, 0);
  if (!bufReserve(hdr, hdrLen)) return false;
  const p = bufPtr(hdr);
  store<u32>(p, count);
  store<u32>(p, 0, 4); // reserved (version 1: the hash bucket count)
  memory.copy(p + 8, bufPtr(w + W_PREFS), <usize>count << 3);
  memory.copy(p + 8 + (<usize>count << 3), bufPtr(offs), <usize>count << 2);
  bufSetLen(hdr, hdrLen);
  const out = w + W_OUT;
  const offset = load<u64>(w, W_FILEOFF) + <u64>bufLen(out);
  const start = bufLen(out);
  if (!bufAppend(out, p, hdrLen)) return false;
  if (!bufAppend(out, bufPtr(blk), bufLen(blk))) return false;
  store<u32>(scratch, checksum(bufPtr(out) + <usize>start, <usize>(bufLen(out) - start)));
  if (!bufAppend(out, scratch, 4)) return false;
  const size = bufLen(out) - start;
  // Index entry: the block's last key and stamp, its offset and size.
  const lastKey = w + W_LASTKEY;
  const keyLen = bufLen(lastKey);
  const n = putVarint(scratch, keyLen);
  if (!bufAppend(w + W_IDX, scratch, <u32>n)) return false;
  if (!bufAppend(w + W_IDX, bufPtr(lastKey), keyLen)) return false;
  store<u64>(scratch, load<u64>(w, W_LASTSTAMP));
  store<u64>(scratch, offset, 8);
  store<u32>(scratch, size, 16);
  if (!bufAppend(w + W_IDX, scratch, 20)) return false;
  store<u32>(w, load<u32>(w, W_BLOCKS) + 1, W_BLOCKS);
  bufSetLen(blk, 0);
  bufSetLen(offs, 0);
  bufSetLen(w + W_PREFS, 0);
  bufSetLen(w + W_HASHES, 0);
  return true;
}

/** Appends index, Bloom, meta blocks and the footer. False on out-of-memory. */
export function rwFinish(w: usize): bool {
  if (bufLen(w + W_BLK) > 0 && !finishBlock(w)) return false;
  const out = w + W_OUT;
  // Index block.
  const indexOff = load<u64>(w, W_FILEOFF) + <u64>bufLen(out);
  const idx = w + W_IDX;
  store<u32>(scratch, load<u32>(w, W_BLOCKS));
  if (!bufAppend(idx, scratch, 4)) return false;
  store<u32>(scratch, checksum(bufPtr(idx), <usize>bufLen(idx)));
  if (!bufAppend(idx, scratch, 4)) return false;
  const indexLen = bufLen(idx);
  if (!bufAppend(out, bufPtr(idx), indexLen)) return false;
  // Bloom block.
  const bloomOff = load<u64>(w, W_FILEOFF) + <u64>bufLen(out);
  const blocks = load<u32>(w, W_BLOOMBLOCKS);
  const bloomStart = bufLen(out);
  store<u32>(scratch, blocks);
  store<u32>(scratch, load<u32>(w, W_BITS), 4);
  if (!bufAppend(out, scratch, 8)) return false;
  if (!bufAppend(out, <usize>load<u32>(w, W_BLOOM), blocks << 5)) return false;
  store<u32>(scratch, checksum(bufPtr(out) + <usize>bloomStart, <usize>(bufLen(out) - bloomStart)));
  if (!bufAppend(out, scratch, 4)) return false;
  const bloomLen = bufLen(out) - bloomStart;
  // Meta block.
  const metaOff = load<u64>(w, W_FILEOFF) + <u64>bufLen(out);
  const metaStart = bufLen(out);
  const entries = load<u64>(w, W_ENTRIES);
  store<u64>(scratch, entries);
  store<u64>(scratch, load<u64>(w, W_KEYS), 8);
  store<u64>(scratch, load<u64>(w, W_TOMBS), 16);
  store<u64>(scratch, entries == 0 ? 0 : load<u64>(w, W_MINSTAMP), 24);
  store<u64>(scratch, load<u64>(w, W_MAXSTAMP), 32);
  store<u64>(scratch, load<u64>(w, W_DATA), 40);
  store<u32>(scratch, bufLen(w + W_FIRSTKEY), 48);
  store<u32>(scratch, bufLen(w + W_LASTKEY), 52);
  if (!bufAppend(out, scratch, 56)) return false;
  if (!bufAppend(out, bufPtr(w + W_FIRSTKEY), bufLen(w + W_FIRSTKEY))) return false;
  if (!bufAppend(out, bufPtr(w + W_LASTKEY), bufLen(w + W_LASTKEY))) return false;
  store<u32>(scratch, checksum(bufPtr(out) + <usize>metaStart, <usize>(bufLen(out) - metaStart)));
  if (!bufAppend(out, scratch, 4)) return false;
  const metaLen = bufLen(out) - metaStart;
  // Footer.
  memory.fill(scratch, 0, 64);
  store<u64>(scratch, RUN_MAGIC);
  store<u32>(scratch, RUN_FORMAT_VERSION, 8);
  store<u64>(scratch, indexOff, 16);
  store<u32>(scratch, indexLen, 24);
  store<u32>(scratch, bloomLen, 28);
  store<u64>(scratch, bloomOff, 32);
  store<u64>(scratch, metaOff, 40);
  store<u32>(scratch, metaLen, 48);
  store<u32>(scratch, load<u32>(w, W_BLOCKS), 52);
  store<u32>(scratch, checksum(scratch, <usize>(FOOTER_SIZE - 4)), 60);
  return bufAppend(out, scratch, <u32>FOOTER_SIZE);
}

export function rwOutPtr(w: usize): usize {
  return bufPtr(w + W_OUT);
}

export function rwOutLen(w: usize): u32 {
  return bufLen(w + W_OUT);
}

/** The host has taken the output bytes. */
export function rwOutConsume(w: usize): void {
  store<u64>(w, load<u64>(w, W_FILEOFF) + <u64>bufLen(w + W_OUT), W_FILEOFF);
  bufSetLen(w + W_OUT, 0);
}

export function rwEntries(w: usize): u64 {
  return load<u64>(w, W_ENTRIES);
}

export function rwFileBytes(w: usize): u64 {
  return load<u64>(w, W_FILEOFF) + <u64>bufLen(w + W_OUT);
}
