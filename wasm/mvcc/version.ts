// Row versions in the memtable, and the visibility rule (DESIGN.md decision 1).
//
// A version is created by a transaction (identified by its TIP slot while it
// is uncommitted). When the transaction's commit is durable, every version it
// wrote is stamped in place with the commit stamp and flagged COMMITTED; from
// then on visibility needs no TIP lookup. An aborted transaction's versions are
// flagged ABORTED and vanish at the next flush. Versions of one key form a
// chain ordered newest first (by write sequence), MGA style.
//
// Header layout (40 bytes, then key bytes, then value bytes):
//   0 u32 keyLen | 4 u32 valLen | 8 u64 seq | 16 u64 stamp | 24 u32 slot |
//   28 u8 flags | 29..31 reserved | 32 u32 next older version of the key in
//   the same memtable (the back-version chain) | 36 u32 key hash

// @ts-ignore: decorator
@inline export const V_KEYLEN: usize = 0;
// @ts-ignore: decorator
@inline export const V_VALLEN: usize = 4;
// @ts-ignore: decorator
@inline export const V_SEQ: usize = 8;
// @ts-ignore: decorator
@inline export const V_STAMP: usize = 16;
// @ts-ignore: decorator
@inline export const V_SLOT: usize = 24;
// @ts-ignore: decorator
@inline export const V_FLAGS: usize = 28;
// @ts-ignore: decorator
@inline export const V_OLDER: usize = 32;
// @ts-ignore: decorator
@inline export const V_HASH: usize = 36;
// @ts-ignore: decorator
@inline export const V_HEADER: usize = 40;

/** The version deletes the row (a tombstone). */
export const VF_TOMBSTONE: u8 = 1;
/** Stamped: the creator committed durably at `stamp`. */
export const VF_COMMITTED: u8 = 2;
/** The creator (or a rolled-back savepoint of it) aborted. */
export const VF_ABORTED: u8 = 4;
/** Carried over into a newer memtable at a freeze; this copy is dead. */
export const VF_MOVED: u8 = 8;
/** Written by an insert that must not replace a live row (bookkeeping only). */
export const VF_INSERT: u8 = 16;

// @ts-ignore: decorator
@inline export function vKeyLen(v: usize): i32 {
  return <i32>load<u32>(v, V_KEYLEN);
}
// @ts-ignore: decorator
@inline export function vValLen(v: usize): i32 {
  return <i32>load<u32>(v, V_VALLEN);
}
// @ts-ignore: decorator
@inline export function vKey(v: usize): usize {
  return v + V_HEADER;
}
// @ts-ignore: decorator
@inline export function vVal(v: usize): usize {
  return v + V_HEADER + <usize>load<u32>(v, V_KEYLEN);
}
// @ts-ignore: decorator
@inline export function vFlags(v: usize): u8 {
  return load<u8>(v, V_FLAGS);
}
// @ts-ignore: decorator
@inline export function vSeq(v: usize): u64 {
  return load<u64>(v, V_SEQ);
}
// @ts-ignore: decorator
@inline export function vStamp(v: usize): u64 {
  return load<u64>(v, V_STAMP);
}
// @ts-ignore: decorator
@inline export function vSlot(v: usize): u32 {
  return load<u32>(v, V_SLOT);
}

/** True when the version takes part in the chain (not aborted, not moved). */
// @ts-ignore: decorator
@inline export function vLive(v: usize): bool {
  return (load<u8>(v, V_FLAGS) & (VF_ABORTED | VF_MOVED)) == 0;
}

/**
 * Decision 1: a reader sees a version when its creator committed at or before
 * the reader's snapshot stamp, or when the reader created it itself.
 */
// @ts-ignore: decorator
@inline export function isVisible(v: usize, readerSlot: u32, snapshot: u64): bool {
  const f = load<u8>(v, V_FLAGS);
  if ((f & VF_COMMITTED) != 0) return load<u64>(v, V_STAMP) <= snapshot;
  if ((f & (VF_ABORTED | VF_MOVED)) != 0) return false;
  return readerSlot != 0 && load<u32>(v, V_SLOT) == readerSlot;
}

/**
 * The same rule at statement granularity: a reader's own writes count only up
 * to write sequence `seqLimit` (the statement does not see the rows it is
 * writing), and `keepMoved` makes a version carried into a newer memtable
 * still count in this one (for an iterator that began before the freeze and
 * does not hold the newer memtable).
 */
// @ts-ignore: decorator
@inline export function isVisibleAt(v: usize, readerSlot: u32, snapshot: u64, seqLimit: u64, keepMoved: bool): bool {
  const f = load<u8>(v, V_FLAGS);
  if ((f & VF_COMMITTED) != 0) return load<u64>(v, V_STAMP) <= snapshot;
  if ((f & VF_ABORTED) != 0) return false;
  if ((f & VF_MOVED) != 0 && !keepMoved) return false;
  return readerSlot != 0 && load<u32>(v, V_SLOT) == readerSlot && load<u64>(v, V_SEQ) <= seqLimit;
}
