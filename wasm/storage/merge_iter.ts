// The merge iterator: a range scan across every component of the LSM tree,
// forward or reverse, returning for each key the version visible to a
// (transaction slot, snapshot stamp) reader, and skipping deleted keys.
//
// Rows are written in batches into the iterator's output buffer as
//   u32 keyLen | u32 valLen | key | value
// or, in raw mode (every version, for diagnostics and GC tests), as
//   u32 keyLen | u32 valLen | u8 flags | u8 component rank | u16 0 | u32 slot | u64 stamp | key | value
// The iterator pins the components it started with, so a flush or compaction
// finishing mid-scan never changes what it reads.

import { alloc, free } from '../common/alloc';
import { bufAppend, bufFree, bufLen, bufPtr, bufReserve, bufSetLen } from '../common/buf';
import { compareBytes, copyBytes, keyPrefix } from '../common/bytes';
import { ST_ERR_NOMEM, ST_OK } from '../common/status';
import { isVisibleAt, V_FLAGS, V_HEADER, V_KEYLEN, V_SLOT, V_VALLEN, VF_TOMBSTONE } from '../mvcc/version';
import {
  CURSOR_SIZE, C_EFLAGS, C_KIND, CUR_MEM, curCompare, curCompareKey, curPrefix, curFirst, curInitMem, curInitRun, curKey, curKeyLen,
  curLast, curNext, curPrevGroup, curRelease, curSeekGE, curSeekLE, curSkipPast, curSkipPastMem, curStamp, curEntryFlags, curTombstone, curVal, curValLen,
  curValid, curVersion, curVisible, cursorError, curGroupStart, resetCursorError, curMemSet, curMemSync, C_POS, C_IDX,
} from './cursor';
import { leafCount, leafNext, nPrefix, nPtr } from './memtable';
import { active, frozenAt, frozenCount, mtRef, mtUnref, runAt, runCount } from './lsm';
import { runRef, runUnref } from './run_reader';

// Iterator struct.
// @ts-ignore: decorator
@inline const I_N: usize = 0;
// @ts-ignore: decorator
@inline const I_SRCS: usize = 4;
// @ts-ignore: decorator
@inline const I_SNAP: usize = 8; // u64
// @ts-ignore: decorator
@inline const I_SLOT: usize = 16;
// @ts-ignore: decorator
@inline const I_REVERSE: usize = 20; // u8
// @ts-ignore: decorator
@inline const I_RAW: usize = 21; // u8
// @ts-ignore: decorator
@inline const I_DONE: usize = 22; // u8
// @ts-ignore: decorator
@inline const I_HASLO: usize = 23; // u8
// @ts-ignore: decorator
@inline const I_LO: usize = 24; // buf
// @ts-ignore: decorator
@inline const I_LOINCL: usize = 36; // u8
// @ts-ignore: decorator
@inline const I_HASHI: usize = 37; // u8
// @ts-ignore: decorator
@inline const I_HIINCL: usize = 38; // u8
// @ts-ignore: decorator
@inline const I_HI: usize = 40; // buf
// @ts-ignore: decorator
@inline const I_OUT: usize = 52; // buf
// @ts-ignore: decorator
@inline const I_KEY: usize = 64; // buf: current group key
// @ts-ignore: decorator
@inline const I_MEMS: usize = 76; // u32 list of referenced memtables
// @ts-ignore: decorator
@inline const I_NMEM: usize = 80;
// @ts-ignore: decorator
@inline const I_ERROR: usize = 84; // i32
// @ts-ignore: decorator
@inline const I_SCRATCH: usize = 88; // buf: scratch for reverse steps (reserved only for reverse iterators)
// @ts-ignore: decorator
@inline const I_SEQLIMIT: usize = 104; // u64: own writes after this write sequence are not seen
// @ts-ignore: decorator
@inline const I_LOPREFIX: usize = 112; // u64: keyPrefix of lo
// @ts-ignore: decorator
@inline const I_HIPREFIX: usize = 120; // u64: keyPrefix of hi
// @ts-ignore: decorator
@inline const I_SIZE: usize = 128;

// @ts-ignore: decorator
@inline const KEY_SCRATCH: u32 = 65536 + 16;

const hdr: usize = memory.data(32, 16);

// @ts-ignore: decorator
@inline function src(it: usize, i: i32): usize {
  return <usize>load<u32>(it, I_SRCS) + <usize>i * CURSOR_SIZE;
}

/**
 * Opens an iterator over [lo, hi] (bounds optional, each inclusive or not).
 * Returns the iterator, or 0 when out of memory.
 */
export function iterOpen(
  lo: usize, loLen: i32, hasLo: bool, loIncl: bool,
  hi: usize, hiLen: i32, hasHi: bool, hiIncl: bool,
  snapshot: u64, slot: u32, reverse: bool, raw: bool, seqLimit: u64,
): usize {
  resetCursorError();
  const it = alloc(I_SIZE);
  if (it == 0) return 0;
  memory.fill(it, 0, I_SIZE);
  const n = 1 + frozenCount + runCount;
  const srcs = alloc(<usize>n * CURSOR_SIZE);
  const mems = alloc(<usize>(1 + frozenCount) << 2);
  // The key scratch serves reverse steps only; a forward scan never touches it.
  if (srcs == 0 || mems == 0 || (reverse && !bufReserve(it + I_SCRATCH, KEY_SCRATCH))) {
    free(srcs);
    free(mems);
    bufFree(it + I_SCRATCH);
    free(it);
    return 0;
  }
  store<u32>(it, <u32>n, I_N);
  store<u32>(it, <u32>srcs, I_SRCS);
  store<u32>(it, <u32>mems, I_MEMS);
  store<u32>(it, <u32>(1 + frozenCount), I_NMEM);
  store<u64>(it, snapshot, I_SNAP);
  store<u64>(it, seqLimit, I_SEQLIMIT);
  store<u32>(it, slot, I_SLOT);
  store<u8>(it, reverse ? 1 : 0, I_REVERSE);
  store<u8>(it, raw ? 1 : 0, I_RAW);
  store<u8>(it, hasLo ? 1 : 0, I_HASLO);
  store<u8>(it, loIncl ? 1 : 0, I_LOINCL);
  store<u8>(it, hasHi ? 1 : 0, I_HASHI);
  store<u8>(it, hiIncl ? 1 : 0, I_HIINCL);
  if (hasLo) store<u64>(it, keyPrefix(lo, loLen), I_LOPREFIX);
  if (hasHi) store<u64>(it, keyPrefix(hi, hiLen), I_HIPREFIX);
  if ((hasLo && !bufAppend(it + I_LO, lo, <u32>loLen)) || (hasHi && !bufAppend(it + I_HI, hi, <u32>hiLen))) {
    // No component is referenced yet: iterClose must not release any. (It
    // used to unref the uninitialised memtable list: a wild decrement.)
    store<u32>(it, 0, I_N);
    store<u32>(it, 0, I_NMEM);
    iterClose(it);
    return 0;
  }
  // Components in rank order, each referenced for the iterator's lifetime.
  let k = 0;
  for (let m = -1; m < frozenCount; m++) {
    const mt = m < 0 ? active : frozenAt(m);
    mtRef(mt);
    store<u32>(mems + (<usize>(m + 1) << 2), <u32>mt);
    curInitMem(src(it, k++), mt);
  }
  for (let r = 0; r < runCount; r++) {
    const run = runAt(r);
    runRef(run);
    curInitRun(src(it, k++), run);
  }
  position(it);
  return it;
}

function position(it: usize): void {
  const n = <i32>load<u32>(it, I_N);
  const reverse = load<u8>(it, I_REVERSE) != 0;
  const scratch = bufPtr(it + I_SCRATCH);
  for (let i = 0; i < n; i++) {
    const c = src(it, i);
    if (!reverse) {
      if (load<u8>(it, I_HASLO) != 0) {
        const lo = bufPtr(it + I_LO);
        const loLen = <i32>bufLen(it + I_LO);
        curSeekGE(c, lo, loLen);
        if (load<u8>(it, I_LOINCL) == 0 && curValid(c) && curCompareKey(c, lo, loLen) == 0) curSkipPast(c, lo, loLen);
      } else {
        curFirst(c);
      }
    } else {
      if (load<u8>(it, I_HASHI) != 0) {
        curSeekLE(c, bufPtr(it + I_HI), <i32>bufLen(it + I_HI), load<u8>(it, I_HIINCL) != 0, scratch, <i32>KEY_SCRATCH);
      } else {
        curLast(c);
        if (curValid(c)) curGroupStart(c, scratch, <i32>KEY_SCRATCH);
      }
    }
    if (cursorError != 0) {
      store<i32>(it, cursorError, I_ERROR);
      return;
    }
  }
}

/**
 * Fills the output buffer with up to maxRows rows (stopping early past
 * maxBytes). Returns the row count (0 at the end) or a negative status.
 */
export function iterNext(it: usize, maxRows: i32, maxBytes: u32): i32 {
  const err = load<i32>(it, I_ERROR);
  if (err != 0) return err;
  resetCursorError();
  const out = it + I_OUT;
  bufSetLen(out, 0);
  if (load<u8>(it, I_DONE) != 0) return 0;
  const n = <i32>load<u32>(it, I_N);
  const reverse = load<u8>(it, I_REVERSE) != 0;
  const raw = load<u8>(it, I_RAW) != 0;
  const snap = load<u64>(it, I_SNAP);
  const slot = load<u32>(it, I_SLOT);
  const seqLimit = load<u64>(it, I_SEQLIMIT);
  const keyBuf = it + I_KEY;
  const scratch = bufPtr(it + I_SCRATCH);
  let rows = 0;
  while (rows < maxRows && bufLen(out) < maxBytes) {
    // The next key: smallest (forward) or largest (reverse) among the cursors.
    if (!reverse && !raw) {
      // One component left (a memtable-only store, or every other cursor
      // exhausted): walk its entries without the merge's bookkeeping.
      let only = -1;
      for (let i = 0; i < n; i++) {
        if (!curValid(src(it, i))) continue;
        if (only >= 0) {
          only = -2;
          break;
        }
        only = i;
      }
      if (only >= 0 && load<u8>(src(it, only), C_KIND) == CUR_MEM) {
        const r = memRun(it, src(it, only), only == 0, rows, maxRows, maxBytes, snap, slot, seqLimit);
        if (r < 0) return r;
        rows = r;
        if (load<u8>(it, I_DONE) != 0) break;
        continue;
      }
    }
    let best = -1;
    let bp: u64 = 0;
    for (let i = 0; i < n; i++) {
      const c = src(it, i);
      if (!curValid(c)) continue;
      const cp = curPrefix(c);
      if (best < 0) {
        best = i;
        bp = cp;
        continue;
      }
      // Prefixes settle most comparisons without a call.
      const d = cp != bp ? (cp < bp ? -1 : 1) : curCompare(c, src(it, best));
      if (reverse ? d > 0 : d < 0) {
        best = i;
        bp = cp;
      }
    }
    if (best < 0) {
      store<u8>(it, 1, I_DONE);
      break;
    }
    const bc = src(it, best);
    // The group key: copied, since the cursor holding it moves (and may unpin its block) before the others compare.
    const keyLen = curKeyLen(bc);
    const gp = curPrefix(bc);
    bufSetLen(keyBuf, 0);
    if (!bufReserve(keyBuf, <u32>keyLen)) return ST_ERR_NOMEM;
    const key = bufPtr(keyBuf);
    copyBytes(key, curKey(bc), keyLen);
    bufSetLen(keyBuf, <u32>keyLen);
    if (outOfRange(it, key, keyLen, gp, reverse)) {
      store<u8>(it, 1, I_DONE);
      break;
    }
    let resolved = false;
    if (!reverse) {
      for (let i = 0; i < n; i++) {
        const c = src(it, i);
        if (i != best && (!curValid(c) || !atKey(c, gp, key, keyLen))) continue;
        // At the key's newest version in this component: take the first
        // visible version (raw: every version), then step past the key
        // (a memtable's long chain of older versions: one seek past it).
        let passed = 0;
        do {
          if (!raw && resolved && ++passed == SEEK_PAST_VERSIONS && load<u8>(c, C_KIND) == CUR_MEM) {
            curSkipPastMem(c, key, keyLen);
            break;
          }
          if (raw) {
            if (!emitRaw(out, c, i)) return ST_ERR_NOMEM;
            rows++;
          // Source 0 is the memtable that was active when the iterator opened:
          // versions carried out of it by a later freeze still count here.
          } else if (!resolved && curVisible(c, slot, snap, seqLimit, i == 0)) {
            resolved = true;
            if (!curTombstone(c)) {
              if (!emit(out, c)) return ST_ERR_NOMEM;
              rows++;
            }
          }
          curNext(c);
        } while (curValid(c) && atKey(c, gp, key, keyLen));
        if (cursorError != 0) {
          store<i32>(it, cursorError, I_ERROR);
          return cursorError;
        }
      }
      continue;
    }
    for (let i = 0; i < n; i++) {
      const c = src(it, i);
      if (!curValid(c) || !atKey(c, gp, key, keyLen)) continue;
      // Walk this component's versions of the key, newest first.
      while (curValid(c) && atKey(c, gp, key, keyLen)) {
        if (raw) {
          if (!emitRaw(out, c, i)) return ST_ERR_NOMEM;
          rows++;
        } else if (!resolved && curVisible(c, slot, snap, seqLimit, i == 0)) {
          resolved = true;
          if (!curTombstone(c)) {
            if (!emit(out, c)) return ST_ERR_NOMEM;
            rows++;
          }
        }
        if (resolved && !raw) break;
        curNext(c);
      }
      curPrevGroup(c, key, keyLen, scratch, <i32>KEY_SCRATCH);
      if (cursorError != 0) {
        store<i32>(it, cursorError, I_ERROR);
        return cursorError;
      }
    }
  }
  return rows;
}

// Older versions of a key stepped over one by one after its visible one,
// before the merge loops seek past the rest instead (curSkipPastMem).
// @ts-ignore: decorator
@inline const SEEK_PAST_VERSIONS: i32 = 16;

// Versions touched this many entries ahead of the one being read: their
// header loads are independent of the current row's work, so the CPU overlaps
// the cache misses of a memtable filled in random key order.
// @ts-ignore: decorator
@inline const AHEAD: i32 = 24;
let prefetchSink: u32 = 0;

/**
 * The merge loop for a lone memtable cursor (forward, not raw): per key the
 * first visible version, tombstones skipped, rows emitted until the batch is
 * full; the cursor is left at the first version of the next key. Returns the
 * new row count or a negative status.
 */
function memRun(it: usize, c: usize, keepMoved: bool, rows: i32, maxRows: i32, maxBytes: u32, snap: u64, slot: u32, seqLimit: u64): i32 {
  curMemSync(c);
  const out = it + I_OUT;
  const hasHi = load<u8>(it, I_HASHI) != 0;
  let leaf = <usize>load<u32>(c, C_POS);
  let i = load<i32>(c, C_IDX);
  let cnt = leafCount(leaf);
  let sink: u32 = 0;
  while (rows < maxRows && bufLen(out) < maxBytes) {
    if (i + AHEAD < cnt) sink += load<u32>(nPtr(leaf, i + AHEAD), V_KEYLEN);
    const v = nPtr(leaf, i);
    const gp = nPrefix(leaf, i);
    const key = v + V_HEADER;
    const kl = <i32>load<u32>(v, V_KEYLEN);
    if (hasHi && outOfRange(it, key, kl, gp, false)) {
      store<u8>(it, 1, I_DONE);
      break;
    }
    let resolved = false;
    let w = v;
    let passed = 0;
    while (true) {
      if (resolved && ++passed == SEEK_PAST_VERSIONS) {
        // A long chain of older versions of this key (a hot row updated many
        // times since the last flush): one seek past the rest of them
        // (curSkipPastMem) instead of a step per version.
        curMemSet(c, leaf, i);
        curSkipPastMem(c, key, kl);
        if (!curValid(c)) {
          prefetchSink += sink;
          return rows;
        }
        leaf = <usize>load<u32>(c, C_POS);
        i = load<i32>(c, C_IDX);
        cnt = leafCount(leaf);
        break;
      }
      if (!resolved && isVisibleAt(w, slot, snap, seqLimit, keepMoved)) {
        resolved = true;
        if ((load<u8>(w, V_FLAGS) & VF_TOMBSTONE) == 0) {
          const vl = load<u32>(w, V_VALLEN);
          if (!bufReserve(out, 8 + <u32>kl + vl)) return ST_ERR_NOMEM;
          const p = bufPtr(out) + <usize>bufLen(out);
          store<u32>(p, <u32>kl);
          store<u32>(p, vl, 4);
          copyBytes(p + 8, key, kl);
          copyBytes(p + 8 + <usize>kl, w + V_HEADER + <usize>kl, <i32>vl);
          bufSetLen(out, bufLen(out) + 8 + <u32>kl + vl);
          rows++;
        }
      }
      i++;
      while (i >= cnt) {
        leaf = leafNext(leaf);
        if (leaf == 0) {
          prefetchSink += sink;
          curMemSet(c, 0, 0);
          return rows;
        }
        i = 0;
        cnt = leafCount(leaf);
      }
      const nv = nPtr(leaf, i);
      if (nPrefix(leaf, i) != gp || <i32>load<u32>(nv, V_KEYLEN) != kl) break;
      if (kl > 8 && compareBytes(nv + V_HEADER + 8, kl - 8, key + 8, kl - 8) != 0) break;
      w = nv;
    }
  }
  prefetchSink += sink;
  curMemSet(c, leaf, i);
  return rows;
}

/**
 * True when the cursor is at `key` (whose keyPrefix is gp): equal prefixes
 * and lengths settle keys of up to eight bytes without reading them.
 */
// @ts-ignore: decorator
@inline function atKey(c: usize, gp: u64, key: usize, keyLen: i32): bool {
  if (curPrefix(c) != gp) return false;
  const kl = curKeyLen(c);
  if (kl != keyLen) return false;
  return kl <= 8 || compareBytes(curKey(c) + 8, kl - 8, key + 8, kl - 8) == 0;
}

function outOfRange(it: usize, key: usize, keyLen: i32, gp: u64, reverse: bool): bool {
  if (!reverse) {
    if (load<u8>(it, I_HASHI) == 0) return false;
    const hp = load<u64>(it, I_HIPREFIX);
    if (gp != hp) return gp > hp;
    const c = compareBytes(key, keyLen, bufPtr(it + I_HI), <i32>bufLen(it + I_HI));
    return c > 0 || (c == 0 && load<u8>(it, I_HIINCL) == 0);
  }
  if (load<u8>(it, I_HASLO) == 0) return false;
  const lp = load<u64>(it, I_LOPREFIX);
  if (gp != lp) return gp < lp;
  const c = compareBytes(key, keyLen, bufPtr(it + I_LO), <i32>bufLen(it + I_LO));
  return c < 0 || (c == 0 && load<u8>(it, I_LOINCL) == 0);
}

function emit(out: usize, c: usize): bool {
  const kl = <u32>curKeyLen(c);
  const vl = <u32>curValLen(c);
  if (!bufReserve(out, 8 + kl + vl)) return false;
  const p = bufPtr(out) + <usize>bufLen(out);
  store<u32>(p, kl);
  store<u32>(p, vl, 4);
  copyBytes(p + 8, curKey(c), <i32>kl);
  copyBytes(p + 8 + <usize>kl, curVal(c), <i32>vl);
  bufSetLen(out, bufLen(out) + 8 + kl + vl);
  return true;
}

function emitRaw(out: usize, c: usize, rank: i32): bool {
  const kl = <u32>curKeyLen(c);
  const vl = <u32>curValLen(c);
  if (!bufReserve(out, 24 + kl + vl)) return false;
  const p = bufPtr(out) + <usize>bufLen(out);
  store<u32>(p, kl);
  store<u32>(p, vl, 4);
  // Memtable versions carry their own flags; run entries are all committed.
  store<u8>(p, load<u8>(c, C_KIND) == CUR_MEM ? curEntryFlags(c) : curEntryFlags(c) | 2, 8);
  store<u8>(p, <u8>rank, 9);
  store<u16>(p, 0, 10);
  const v = curVersion(c);
  store<u32>(p, load<u8>(c, C_KIND) == CUR_MEM ? load<u32>(v, V_SLOT) : 0, 12);
  store<u64>(p, curStamp(c), 16);
  memory.copy(p + 24, curKey(c), <usize>kl);
  memory.copy(p + 24 + <usize>kl, curVal(c), <usize>vl);
  bufSetLen(out, bufLen(out) + 24 + kl + vl);
  return true;
}

export function iterOutPtr(it: usize): usize {
  return bufPtr(it + I_OUT);
}

export function iterOutLen(it: usize): u32 {
  return bufLen(it + I_OUT);
}

export function iterClose(it: usize): void {
  const n = <i32>load<u32>(it, I_N);
  const nm = <i32>load<u32>(it, I_NMEM);
  for (let i = 0; i < n; i++) {
    const c = src(it, i);
    curRelease(c);
    if (i >= nm) runUnref(<usize>load<u32>(c, 4));
  }
  const mems = <usize>load<u32>(it, I_MEMS);
  for (let i = 0; i < nm; i++) mtUnref(<usize>load<u32>(mems + (<usize>i << 2)));
  free(mems);
  free(<usize>load<u32>(it, I_SRCS));
  bufFree(it + I_LO);
  bufFree(it + I_HI);
  bufFree(it + I_OUT);
  bufFree(it + I_KEY);
  bufFree(it + I_SCRATCH);
  free(it);
}

export { ST_OK };
