// The memtable: an in-memory B+tree of row versions, ordered by
// (key ascending, write sequence descending) so a key's chain reads newest first.
//
// Versions and tree nodes live in an arena of 1 MiB chunks owned by the
// memtable; the whole arena is freed at once when a flushed memtable is
// retired, so there is no per-version free. Each node slot keeps the first
// eight key bytes as a big-endian u64 beside the version pointer, which settles
// most comparisons without touching the version (a cache miss).

import { alloc, free } from '../common/alloc';
import { compareBytes, hashKey32, keyPrefix } from '../common/bytes';
import { V_HEADER, V_SEQ, V_KEYLEN, V_VALLEN, V_STAMP, V_SLOT, V_FLAGS, V_OLDER, V_HASH } from '../mvcc/version';

// @ts-ignore: decorator
@inline const CAP: i32 = 64;
// @ts-ignore: decorator
@inline const N_PREFIX: usize = 16;
// @ts-ignore: decorator
@inline const N_PTR: usize = 16 + 8 * <usize>CAP;
// @ts-ignore: decorator
@inline const N_CHILD: usize = 16 + 12 * <usize>CAP;
// @ts-ignore: decorator
@inline const LEAF_SIZE: usize = 16 + 12 * <usize>CAP;
// @ts-ignore: decorator
@inline const INNER_SIZE: usize = 16 + 12 * <usize>CAP + 4 * (<usize>CAP + 1);
// @ts-ignore: decorator
@inline const CHUNK: usize = 1 << 20;
// @ts-ignore: decorator
@inline const MAX_DEPTH: i32 = 32;

// Memtable header (64 bytes):
//   0 root | 4 height | 8 firstLeaf | 12 lastLeaf | 16 chunkHead | 20 cur |
//   24 end | 28 versions | 32 u64 arenaBytes | 40 refs | 44 id | 48 u64 dataBytes |
//   56 inserts (bumped by every insert: cursors use it to notice moved entries)
export const MT_ROOT: usize = 0;
export const MT_FIRST: usize = 8;
export const MT_LAST: usize = 12;
export const MT_VERSIONS: usize = 28;
export const MT_ARENA: usize = 32;
export const MT_REFS: usize = 40;
export const MT_ID: usize = 44;
export const MT_DATA: usize = 48;
export const MT_INSERTS: usize = 56;
// Point-lookup hash index: key -> newest version (older ones chain through V_OLDER).
export const MT_HTAB: usize = 64;
export const MT_HCAP: usize = 68;
export const MT_HCOUNT: usize = 72;
/** Bytes in use (versions, nodes, hash index): what the flush trigger counts.
 *  MT_ARENA counts what was reserved, which is more (whole chunks). */
export const MT_USED: usize = 80;
// @ts-ignore: decorator
@inline const MT_SIZE: usize = 88;

const pathNode: usize = memory.data(MAX_DEPTH * 4, 16);
const pathIdx: usize = memory.data(MAX_DEPTH * 4, 16);
const tmpPrefix: usize = memory.data((CAP + 1) * 8, 16);
const tmpPtr: usize = memory.data((CAP + 1) * 4, 16);
const tmpChild: usize = memory.data((CAP + 2) * 4, 16);

export function mtCreate(id: u32): usize {
  const mt = alloc(MT_SIZE);
  if (mt == 0) return 0;
  memory.fill(mt, 0, MT_SIZE);
  store<u32>(mt, id, MT_ID);
  store<u32>(mt, 1, MT_REFS);
  return mt;
}

/** Frees the arena and the header. The caller guarantees no cursor remains. */
export function mtDestroy(mt: usize): void {
  if (hintMt == mt) hintMt = 0; // a new memtable may get this address
  free(<usize>load<u32>(mt, MT_HTAB));
  let c = <usize>load<u32>(mt, 16);
  while (c != 0) {
    const next = <usize>load<u32>(c);
    free(c);
    c = next;
  }
  free(mt);
}

/** Bump allocation from the arena; 0 when out of memory. */
export function mtAlloc(mt: usize, size: usize): usize {
  size = (size + 7) & ~7;
  store<u64>(mt, load<u64>(mt, MT_USED) + <u64>size, MT_USED);
  let cur = <usize>load<u32>(mt, 20);
  const end = <usize>load<u32>(mt, 24);
  if (cur != 0 && cur + size <= end) {
    store<u32>(mt, <u32>(cur + size), 20);
    return cur;
  }
  if (size > CHUNK / 4) {
    // Big versions get a chunk of their own, so the current chunk is not wasted.
    const own = alloc(size + 16);
    if (own == 0) return 0;
    store<u32>(own, load<u32>(mt, 16));
    store<u32>(mt, <u32>own, 16);
    store<u64>(mt, load<u64>(mt, MT_ARENA) + <u64>(size + 16), MT_ARENA);
    return own + 16;
  }
  const chunk = alloc(CHUNK);
  if (chunk == 0) return 0;
  store<u32>(chunk, load<u32>(mt, 16));
  store<u32>(mt, <u32>chunk, 16);
  store<u64>(mt, load<u64>(mt, MT_ARENA) + <u64>CHUNK, MT_ARENA);
  cur = chunk + 16;
  store<u32>(mt, <u32>(cur + size), 20);
  store<u32>(mt, <u32>(chunk + CHUNK), 24);
  return cur;
}

/** Allocates a version in the arena and fills its header, key and value. */
export function mtNewVersion(mt: usize, key: usize, keyLen: i32, val: usize, valLen: i32, seq: u64, slot: u32, flags: u8): usize {
  const v = mtAlloc(mt, V_HEADER + <usize>keyLen + <usize>valLen);
  if (v == 0) return 0;
  store<u32>(v, <u32>keyLen, V_KEYLEN);
  store<u32>(v, <u32>valLen, V_VALLEN);
  store<u64>(v, seq, V_SEQ);
  store<u64>(v, 0, V_STAMP);
  store<u32>(v, slot, V_SLOT);
  store<u32>(v, <u32>flags, V_FLAGS); // flags byte plus the three reserved bytes
  store<u32>(v, 0, V_OLDER);
  store<u32>(v, hashKey32(key, keyLen), V_HASH);
  memory.copy(v + V_HEADER, key, <usize>keyLen);
  if (valLen > 0) memory.copy(v + V_HEADER + <usize>keyLen, val, <usize>valLen);
  store<u64>(mt, load<u64>(mt, MT_DATA) + <u64>(keyLen + valLen), MT_DATA);
  return v;
}

// ---- node access ----

// @ts-ignore: decorator
@inline function nCount(n: usize): i32 {
  return <i32>load<u16>(n);
}
// @ts-ignore: decorator
@inline export function nPrefix(n: usize, i: i32): u64 {
  return load<u64>(n + N_PREFIX + (<usize>i << 3));
}
// @ts-ignore: decorator
@inline export function nPtr(n: usize, i: i32): usize {
  return <usize>load<u32>(n + N_PTR + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function nChild(n: usize, i: i32): usize {
  return <usize>load<u32>(n + N_CHILD + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline export function leafCount(n: usize): i32 {
  return <i32>load<u16>(n);
}
// @ts-ignore: decorator
@inline export function leafNext(n: usize): usize {
  return <usize>load<u32>(n, 4);
}
// @ts-ignore: decorator
@inline export function leafPrev(n: usize): usize {
  return <usize>load<u32>(n, 8);
}

function newNode(mt: usize, leaf: bool): usize {
  const n = mtAlloc(mt, leaf ? LEAF_SIZE : INNER_SIZE);
  if (n == 0) return 0;
  store<u64>(n, 0);
  store<u64>(n, 0, 8);
  store<u8>(n, leaf ? 1 : 0, 2);
  return n;
}

/** Compares probe (key, prefix, seq) with version e (prefix ep): <0 probe first. */
// @ts-ignore: decorator
@inline function cmpProbe(pk: usize, pl: i32, pp: u64, pseq: u64, e: usize, ep: u64): i32 {
  if (pp != ep) return pp < ep ? -1 : 1;
  const c = compareBytes(pk, pl, e + V_HEADER, <i32>load<u32>(e, V_KEYLEN));
  if (c != 0) return c;
  const es = load<u64>(e, V_SEQ);
  if (pseq == es) return 0;
  return pseq > es ? -1 : 1;
}

// Node search: one SIMD pass over the node's prefix array counts the slots
// whose 8-byte prefix is below the probe's and those at or below it; only the
// slots whose prefix equals the probe's (usually none) need a full compare,
// binary-searched between the two counts. The pass reads the prefixes in
// order, which the hardware prefetches, where a binary search over them takes
// a cache miss per step on a cold leaf (tools/bench/kernel_micro.ts, memtable).

// Set by prefixRange: slots [0, rangeLo) have a smaller prefix, [rangeLo, rangeHi) an equal one.
let rangeLo: i32 = 0;
let rangeHi: i32 = 0;

// @ts-ignore: decorator
@inline function prefixRange(base: usize, count: i32, pp: u64): void {
  const sign = i64x2.splat(<i64>0x8000000000000000);
  const probe = v128.xor(i64x2.splat(<i64>pp), sign);
  let lt = i64x2.splat(0);
  let le = i64x2.splat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const a = v128.xor(v128.load(base + (<usize>i << 3)), sign);
    const b = v128.xor(v128.load(base + (<usize>i << 3), 16), sign);
    lt = i64x2.sub(lt, i64x2.add(i64x2.lt_s(a, probe), i64x2.lt_s(b, probe)));
    le = i64x2.sub(le, i64x2.add(i64x2.le_s(a, probe), i64x2.le_s(b, probe)));
  }
  let nlt = <i32>(i64x2.extract_lane(lt, 0) + i64x2.extract_lane(lt, 1));
  let nle = <i32>(i64x2.extract_lane(le, 0) + i64x2.extract_lane(le, 1));
  for (; i < count; i++) {
    const p = load<u64>(base + (<usize>i << 3));
    if (p < pp) nlt++;
    if (p <= pp) nle++;
  }
  rangeLo = nlt;
  rangeHi = nle;
}

/** First index in a leaf whose version is >= probe (count when none). */
function leafLowerBound(n: usize, pk: usize, pl: i32, pp: u64, pseq: u64): i32 {
  prefixRange(n + N_PREFIX, nCount(n), pp);
  let lo = rangeLo;
  let hi = rangeHi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmpProbe(pk, pl, pp, pseq, nPtr(n, mid), pp) > 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Child index for a probe: the number of separators <= probe. */
function innerChildIndex(n: usize, pk: usize, pl: i32, pp: u64, pseq: u64): i32 {
  prefixRange(n + N_PREFIX, nCount(n), pp);
  let lo = rangeLo;
  let hi = rangeHi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmpProbe(pk, pl, pp, pseq, nPtr(n, mid), pp) >= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Result of a seek: leaf and index (a cursor position).
export let seekLeaf: usize = 0;
export let seekIndex: i32 = 0;

/** Positions at the first version >= (key, seq); seq = u64.MAX_VALUE finds the newest version of key. */
export function mtSeek(mt: usize, key: usize, keyLen: i32, seq: u64): void {
  let n = <usize>load<u32>(mt, MT_ROOT);
  if (n == 0) {
    seekLeaf = 0;
    seekIndex = 0;
    return;
  }
  const pp = keyPrefix(key, keyLen);
  while (load<u8>(n, 2) == 0) n = nChild(n, innerChildIndex(n, key, keyLen, pp, seq));
  let i = leafLowerBound(n, key, keyLen, pp, seq);
  if (i == nCount(n)) {
    const next = leafNext(n);
    if (next != 0) {
      n = next;
      i = 0;
    }
  }
  seekLeaf = n;
  seekIndex = i;
}

// ---- the point-lookup hash index ----


// Slots are 8 bytes: [u32 key hash][u32 version]. Comparing the stored hash
// first means a probe touches no version unless the hashes match.

/** Makes room in the hash index for n more keys; false on out-of-memory. */
export function mtReserveKeys(mt: usize, n: u32): bool {
  const cap = load<u32>(mt, MT_HCAP);
  const count = load<u32>(mt, MT_HCOUNT);
  if ((<u64>count + <u64>n) * 2 <= <u64>cap) return true;
  let ncap: u32 = cap == 0 ? 1024 : cap * 2;
  while ((<u64>count + <u64>n) * 2 > <u64>ncap) ncap *= 2;
  const t = alloc(<usize>ncap << 3);
  if (t == 0) return false;
  memory.fill(t, 0, <usize>ncap << 3);
  const old = <usize>load<u32>(mt, MT_HTAB);
  const mask = ncap - 1;
  for (let i: u32 = 0; i < cap; i++) {
    const e = old + (<usize>i << 3);
    const v = load<u32>(e, 4);
    if (v == 0) continue;
    const h = load<u32>(e);
    let j = h & mask;
    while (load<u32>(t + (<usize>j << 3), 4) != 0) j = (j + 1) & mask;
    store<u64>(t + (<usize>j << 3), load<u64>(e));
  }
  free(old);
  store<u32>(mt, <u32>t, MT_HTAB);
  store<u32>(mt, ncap, MT_HCAP);
  store<u64>(mt, load<u64>(mt, MT_ARENA) + (<u64>(ncap - cap) << 3), MT_ARENA);
  store<u64>(mt, load<u64>(mt, MT_USED) + (<u64>(ncap - cap) << 3), MT_USED);
  return true;
}

/** Links v (the newest version of its key) into the hash index. Room must be reserved. */
function hashLink(mt: usize, v: usize): void {
  const t = <usize>load<u32>(mt, MT_HTAB);
  const mask = load<u32>(mt, MT_HCAP) - 1;
  const h = load<u32>(v, V_HASH);
  const kl = <i32>load<u32>(v, V_KEYLEN);
  let j = h & mask;
  while (true) {
    const slot = t + (<usize>j << 3);
    const e = <usize>load<u32>(slot, 4);
    if (e == 0) {
      store<u32>(slot, h);
      store<u32>(slot, <u32>v, 4);
      store<u32>(mt, load<u32>(mt, MT_HCOUNT) + 1, MT_HCOUNT);
      return;
    }
    if (load<u32>(slot) == h && compareBytes(e + V_HEADER, <i32>load<u32>(e, V_KEYLEN), v + V_HEADER, kl) == 0) {
      store<u32>(v, <u32>e, V_OLDER);
      store<u32>(slot, <u32>v, 4);
      return;
    }
    j = (j + 1) & mask;
  }
}

/** The newest version of a key in this memtable (0 when absent); older ones follow V_OLDER. */
export function mtFind(mt: usize, key: usize, keyLen: i32, h: u32): usize {
  const t = <usize>load<u32>(mt, MT_HTAB);
  if (t == 0) return 0;
  const mask = load<u32>(mt, MT_HCAP) - 1;
  let j = h & mask;
  while (true) {
    const slot = t + (<usize>j << 3);
    const e = <usize>load<u32>(slot, 4);
    if (e == 0) return 0;
    if (load<u32>(slot) == h && compareBytes(e + V_HEADER, <i32>load<u32>(e, V_KEYLEN), key, keyLen) == 0) return e;
    j = (j + 1) & mask;
  }
  return 0;
}

// The insert hint: where the last insert into memtable hintMt put its
// version (leaf hintLeaf, index hintPos), with the descent to that leaf still
// in pathNode/pathIdx (hintDepth levels). Valid while nothing else changed the
// tree's inner nodes: any insert sets or clears it (an insert that split a
// node clears it), and so does destroying hintMt.
let hintMt: usize = 0;
let hintLeaf: usize = 0;
let hintPos: i32 = 0;
let hintDepth: i32 = 0;

/** The entry after (hintLeaf, hintPos) in key order, 0 when it is the last. */
// @ts-ignore: decorator
@inline function hintSuccessor(): usize {
  if (hintPos + 1 < nCount(hintLeaf)) return nPtr(hintLeaf, hintPos + 1);
  const next = leafNext(hintLeaf);
  return next != 0 ? nPtr(next, 0) : 0;
}

/**
 * True when the hint proves the memtable holds no version of `key`: the key
 * sorts strictly between the last inserted version's key and the key of the
 * entry after it. In-order loads (COPY, a table rewrite) write such keys, and
 * skip the hash probe (a cache miss on a big memtable) this way.
 */
export function mtAbsentByHint(mt: usize, key: usize, keyLen: i32): bool {
  if (hintMt != mt) return false;
  const e = nPtr(hintLeaf, hintPos);
  if (compareBytes(e + V_HEADER, <i32>load<u32>(e, V_KEYLEN), key, keyLen) >= 0) return false;
  const succ = hintSuccessor();
  return succ == 0 || compareBytes(key, keyLen, succ + V_HEADER, <i32>load<u32>(succ, V_KEYLEN)) < 0;
}

/**
 * True when every key in the memtable sorts before `key`, so it holds no
 * version of it: one compare with the last entry of the last leaf. In-order
 * bulk loads (COPY, a table rewrite) write such keys, and skip the hash probe
 * (a cache miss on a big memtable) this way.
 */
export function mtAllBelow(mt: usize, key: usize, keyLen: i32): bool {
  const last = <usize>load<u32>(mt, MT_LAST);
  if (last == 0) return true;
  const c = nCount(last);
  if (c == 0) return true;
  const e = nPtr(last, c - 1);
  return compareBytes(e + V_HEADER, <i32>load<u32>(e, V_KEYLEN), key, keyLen) < 0;
}

/**
 * Adds a version (the newest of its key in this memtable) to the tree and the
 * hash index. False when out of memory, with neither changed.
 */
export function mtAdd(mt: usize, v: usize): bool {
  if (!mtReserveKeys(mt, 1)) return false;
  if (!mtInsert(mt, v)) return false;
  hashLink(mt, v);
  return true;
}

/** Inserts a version into the tree. False when out of memory (the tree is unchanged). */
function mtInsert(mt: usize, v: usize): bool {
  // Entries shift inside leaves and move at splits: open cursors re-find their place.
  store<u32>(mt, load<u32>(mt, MT_INSERTS) + 1, MT_INSERTS);
  const key = v + V_HEADER;
  const keyLen = <i32>load<u32>(v, V_KEYLEN);
  const seq = load<u64>(v, V_SEQ);
  const pp = keyPrefix(key, keyLen);
  let n = <usize>load<u32>(mt, MT_ROOT);
  if (n == 0) {
    n = newNode(mt, true);
    if (n == 0) return false;
    store<u32>(mt, <u32>n, MT_ROOT);
    store<u32>(mt, 1, 4);
    store<u32>(mt, <u32>n, MT_FIRST);
    store<u32>(mt, <u32>n, MT_LAST);
  }
  let depth = 0;
  let pos: i32;
  // Sequential-insert hints. A version right after the last inserted one
  // (before that one's successor) goes next to it: the full descent would
  // reach the same leaf and index, and its path is still recorded.
  const hinted = hintMt == mt;
  hintMt = 0; // set again below when this insert leaves the inner nodes as they are
  let succ: usize = 0;
  let sequential = false;
  const last = <usize>load<u32>(mt, MT_LAST);
  const lastCount = nCount(last);
  if (hinted && cmpProbe(key, keyLen, pp, seq, nPtr(hintLeaf, hintPos), nPrefix(hintLeaf, hintPos)) > 0 &&
      ((succ = hintSuccessor()) == 0 || cmpProbe(key, keyLen, pp, seq, succ, keyPrefix(succ + V_HEADER, <i32>load<u32>(succ, V_KEYLEN))) < 0)) {
    n = hintLeaf;
    depth = hintDepth;
    pos = hintPos + 1;
    sequential = true;
  } else if (lastCount > 0 && cmpProbe(key, keyLen, pp, seq, nPtr(last, lastCount - 1), nPrefix(last, lastCount - 1)) > 0) {
    // After the last version: the end of the last leaf, down the rightmost
    // path, where every child index is the node's separator count.
    while (load<u8>(n, 2) == 0) {
      const ci = nCount(n);
      store<u32>(pathNode + (<usize>depth << 2), <u32>n);
      store<u32>(pathIdx + (<usize>depth << 2), <u32>ci);
      depth++;
      n = nChild(n, ci);
    }
    pos = lastCount;
  } else {
    while (load<u8>(n, 2) == 0) {
      const ci = innerChildIndex(n, key, keyLen, pp, seq);
      store<u32>(pathNode + (<usize>depth << 2), <u32>n);
      store<u32>(pathIdx + (<usize>depth << 2), <u32>ci);
      depth++;
      n = nChild(n, ci);
    }
    pos = leafLowerBound(n, key, keyLen, pp, seq);
  }
  const count = nCount(n);
  if (count < CAP) {
    leafInsertAt(n, pos, v, pp);
    hintMt = mt;
    hintLeaf = n;
    hintPos = pos;
    hintDepth = depth;
  } else {
    // Reserve every node the split can need before changing anything: running
    // out of memory halfway (leaf split and linked, separator not pushed up)
    // left a leaf reachable by the leaf chain but not from the root, which
    // broke ordering and reverse scans after the next insert.
    if (!reserveNodes(mt, splitNodesBytes(depth))) return false;
    // Split. Appending at the right edge, or right after the last insert
    // (bulk loads in key order), starts a new leaf holding just the new
    // version, so sequential loads fill leaves.
    const right = newNode(mt, true);
    if (right == 0) return false;
    if (pos == CAP && (leafNext(n) == 0 || sequential)) {
      leafInsertAt(right, 0, v, pp);
    } else {
      const half = CAP / 2;
      memory.copy(right + N_PREFIX, n + N_PREFIX + (<usize>half << 3), <usize>(CAP - half) << 3);
      memory.copy(right + N_PTR, n + N_PTR + (<usize>half << 2), <usize>(CAP - half) << 2);
      store<u16>(right, <u16>(CAP - half));
      store<u16>(n, <u16>half);
      if (pos <= half) leafInsertAt(n, pos, v, pp);
      else leafInsertAt(right, pos - half, v, pp);
    }
    // Link the new leaf after n.
    const next = leafNext(n);
    store<u32>(right, <u32>next, 4);
    store<u32>(right, <u32>n, 8);
    store<u32>(n, <u32>right, 4);
    if (next != 0) store<u32>(next, <u32>right, 8);
    else store<u32>(mt, <u32>right, MT_LAST);
    if (!pushUp(mt, depth, nPtr(right, 0), nPrefix(right, 0), right)) return false;
  }
  store<u32>(mt, load<u32>(mt, MT_VERSIONS) + 1, MT_VERSIONS);
  return true;
}

/** Arena bytes of the nodes a leaf split at `depth` creates: the new leaf, one
 *  inner node per full ancestor, and a new root when every ancestor is full. */
function splitNodesBytes(depth: i32): usize {
  const inner: usize = (INNER_SIZE + 7) & ~7;
  let bytes: usize = (LEAF_SIZE + 7) & ~7;
  for (let d = depth - 1; d >= 0; d--) {
    if (nCount(<usize>load<u32>(pathNode + (<usize>d << 2))) < CAP) return bytes;
    bytes += inner;
  }
  return bytes + inner; // every ancestor splits: a new root

}

/** Makes the current arena chunk able to take `bytes` more (starting a new
 *  chunk when needed), so the allocations that follow cannot fail. */
function reserveNodes(mt: usize, bytes: usize): bool {
  const cur = <usize>load<u32>(mt, 20);
  if (cur != 0 && cur + bytes <= <usize>load<u32>(mt, 24)) return true;
  const chunk = alloc(CHUNK);
  if (chunk == 0) return false;
  store<u32>(chunk, load<u32>(mt, 16));
  store<u32>(mt, <u32>chunk, 16);
  store<u64>(mt, load<u64>(mt, MT_ARENA) + <u64>CHUNK, MT_ARENA);
  store<u32>(mt, <u32>(chunk + 16), 20);
  store<u32>(mt, <u32>(chunk + CHUNK), 24);
  return true;
}

function leafInsertAt(n: usize, pos: i32, v: usize, pp: u64): void {
  const count = nCount(n);
  const move = <usize>(count - pos);
  if (move > 0) {
    memory.copy(n + N_PREFIX + (<usize>(pos + 1) << 3), n + N_PREFIX + (<usize>pos << 3), move << 3);
    memory.copy(n + N_PTR + (<usize>(pos + 1) << 2), n + N_PTR + (<usize>pos << 2), move << 2);
  }
  store<u64>(n + N_PREFIX + (<usize>pos << 3), pp);
  store<u32>(n + N_PTR + (<usize>pos << 2), <u32>v);
  store<u16>(n, <u16>(count + 1));
}

/** Inserts separator (sep, sepPrefix) with right child `child` into the parent
 *  chain recorded in the path, splitting inner nodes as needed. */
function pushUp(mt: usize, depth: i32, sep: usize, sepPrefix: u64, child: usize): bool {
  let d = depth - 1;
  while (d >= 0) {
    const n = <usize>load<u32>(pathNode + (<usize>d << 2));
    const ci = <i32>load<u32>(pathIdx + (<usize>d << 2));
    const count = nCount(n);
    if (count < CAP) {
      innerInsertAt(n, ci, sep, sepPrefix, child);
      return true;
    }
    const right = newNode(mt, false);
    if (right == 0) return false;
    if (ci == CAP) {
      // Append split: the new right node starts with no separator and one child.
      store<u32>(right + N_CHILD, <u32>child);
      store<u16>(right, 0);
    } else {
      // Gather CAP+1 separators and CAP+2 children, then split around the middle.
      memory.copy(tmpPrefix, n + N_PREFIX, <usize>ci << 3);
      memory.copy(tmpPtr, n + N_PTR, <usize>ci << 2);
      store<u64>(tmpPrefix + (<usize>ci << 3), sepPrefix);
      store<u32>(tmpPtr + (<usize>ci << 2), <u32>sep);
      memory.copy(tmpPrefix + (<usize>(ci + 1) << 3), n + N_PREFIX + (<usize>ci << 3), <usize>(CAP - ci) << 3);
      memory.copy(tmpPtr + (<usize>(ci + 1) << 2), n + N_PTR + (<usize>ci << 2), <usize>(CAP - ci) << 2);
      memory.copy(tmpChild, n + N_CHILD, <usize>(ci + 1) << 2);
      store<u32>(tmpChild + (<usize>(ci + 1) << 2), <u32>child);
      memory.copy(tmpChild + (<usize>(ci + 2) << 2), n + N_CHILD + (<usize>(ci + 1) << 2), <usize>(CAP - ci) << 2);
      const mid = (CAP + 1) / 2;
      memory.copy(n + N_PREFIX, tmpPrefix, <usize>mid << 3);
      memory.copy(n + N_PTR, tmpPtr, <usize>mid << 2);
      memory.copy(n + N_CHILD, tmpChild, <usize>(mid + 1) << 2);
      store<u16>(n, <u16>mid);
      const rc = CAP - mid;
      memory.copy(right + N_PREFIX, tmpPrefix + (<usize>(mid + 1) << 3), <usize>rc << 3);
      memory.copy(right + N_PTR, tmpPtr + (<usize>(mid + 1) << 2), <usize>rc << 2);
      memory.copy(right + N_CHILD, tmpChild + (<usize>(mid + 1) << 2), <usize>(rc + 1) << 2);
      store<u16>(right, <u16>rc);
      sep = <usize>load<u32>(tmpPtr + (<usize>mid << 2));
      sepPrefix = load<u64>(tmpPrefix + (<usize>mid << 3));
    }
    child = right;
    d--;
  }
  // The root split: grow the tree by one level.
  const root = newNode(mt, false);
  if (root == 0) return false;
  store<u32>(root + N_CHILD, load<u32>(mt, MT_ROOT));
  store<u32>(root + N_CHILD + 4, <u32>child);
  store<u64>(root + N_PREFIX, sepPrefix);
  store<u32>(root + N_PTR, <u32>sep);
  store<u16>(root, 1);
  store<u32>(mt, <u32>root, MT_ROOT);
  store<u32>(mt, load<u32>(mt, 4) + 1, 4);
  return true;
}

function innerInsertAt(n: usize, ci: i32, sep: usize, sepPrefix: u64, child: usize): void {
  const count = nCount(n);
  const move = <usize>(count - ci);
  if (move > 0) {
    memory.copy(n + N_PREFIX + (<usize>(ci + 1) << 3), n + N_PREFIX + (<usize>ci << 3), move << 3);
    memory.copy(n + N_PTR + (<usize>(ci + 1) << 2), n + N_PTR + (<usize>ci << 2), move << 2);
    memory.copy(n + N_CHILD + (<usize>(ci + 2) << 2), n + N_CHILD + (<usize>(ci + 1) << 2), move << 2);
  }
  store<u64>(n + N_PREFIX + (<usize>ci << 3), sepPrefix);
  store<u32>(n + N_PTR + (<usize>ci << 2), <u32>sep);
  store<u32>(n + N_CHILD + (<usize>(ci + 1) << 2), <u32>child);
  store<u16>(n, <u16>(count + 1));
}

export function mtFirstLeaf(mt: usize): usize {
  return <usize>load<u32>(mt, MT_FIRST);
}

export function mtLastLeaf(mt: usize): usize {
  return <usize>load<u32>(mt, MT_LAST);
}

export function mtVersions(mt: usize): u32 {
  return load<u32>(mt, MT_VERSIONS);
}

export function mtArenaBytes(mt: usize): u64 {
  return load<u64>(mt, MT_ARENA);
}
