// TIP: the transaction inventory (after Firebird's MGA).
//
// Each running transaction holds a slot: its state (ACTIVE, COMMITTED,
// ABORTED, LIMBO), its begin and snapshot stamps, its commit stamp, and the
// list of versions it wrote (which makes commit-time stamping, abort and
// rollback-to-savepoint O(writes) with no search). A slot is released once
// every version it wrote carries its outcome in its own flags, so the TIP
// holds only live transactions and memory stays bounded.
//
// Markers in the MGA sense: the oldest active transaction (OAT) and the oldest
// snapshot (OST) are computed from the live slots; the host combines OST with
// the history retention to get the garbage-collection horizon.

import { alloc, free, realloc } from '../common/alloc';
import { V_FLAGS, V_STAMP, VF_ABORTED, VF_COMMITTED, VF_MOVED } from './version';

export const TX_ACTIVE: u8 = 0;
export const TX_COMMITTED: u8 = 1;
export const TX_ABORTED: u8 = 2;
export const TX_LIMBO: u8 = 3;
/** Slot not in use (never a transaction state). */
export const TX_FREE: u8 = 255;

/** Commit requested and stamped, waiting for the WAL fsync. */
export const TF_PENDING: u8 = 1;

// Slot layout (48 bytes):
//   0 u8 state | 1 u8 flags | 4 u32 writes ptr | 8 u32 writeCount |
//   12 u32 writeCap | 16 u64 snapshot | 24 u64 commitStamp | 32 u64 begin |
//   40 u32 nextFree | 44 u32 generation
// @ts-ignore: decorator
@inline const SLOT_SIZE: usize = 48;
// @ts-ignore: decorator
@inline const NONE: u64 = 0xffffffffffffffff;

let slots: usize = 0;
let slotCap: u32 = 0;
let freeHead: u32 = 0; // 0 = no free slot (slot 0 is reserved: "no transaction")
let liveCount: u32 = 0;
let slotHigh: u32 = 1; // slots below this index have been handed out at least once

// @ts-ignore: decorator
@inline function slotAt(s: u32): usize {
  return slots + <usize>s * SLOT_SIZE;
}

function grow(): bool {
  const cap: u32 = slotCap == 0 ? 64 : slotCap * 2;
  const p = realloc(slots, <usize>cap * SLOT_SIZE);
  if (p == 0) return false;
  slots = p;
  for (let i = slotCap; i < cap; i++) store<u8>(slotAt(i), TX_FREE);
  slotCap = cap;
  return true;
}

/** Starts a transaction; returns its slot (>= 1), or 0 when out of memory. */
export function tipBegin(begin: u64, snapshot: u64): u32 {
  let s = freeHead;
  if (s != 0) {
    freeHead = load<u32>(slotAt(s), 40);
  } else {
    if (slotHigh >= slotCap && !grow()) return 0;
    s = slotHigh++;
  }
  const p = slotAt(s);
  store<u8>(p, TX_ACTIVE);
  store<u8>(p, 0, 1);
  store<u32>(p, 0, 4);
  store<u32>(p, 0, 8);
  store<u32>(p, 0, 12);
  store<u64>(p, snapshot, 16);
  store<u64>(p, 0, 24);
  store<u64>(p, begin, 32);
  store<u32>(p, load<u32>(p, 44) + 1, 44);
  liveCount++;
  return s;
}

export function tipValid(s: u32): bool {
  return s != 0 && s < slotHigh && load<u8>(slotAt(s)) != TX_FREE;
}

export function tipState(s: u32): u8 {
  if (s == 0 || s >= slotHigh) return TX_FREE;
  return load<u8>(slotAt(s));
}

export function tipFlags(s: u32): u8 {
  return load<u8>(slotAt(s), 1);
}

export function tipGeneration(s: u32): u32 {
  return load<u32>(slotAt(s), 44);
}

export function tipSnapshot(s: u32): u64 {
  return load<u64>(slotAt(s), 16);
}

/** READ COMMITTED takes a new snapshot per statement. */
export function tipSetSnapshot(s: u32, snapshot: u64): void {
  store<u64>(slotAt(s), snapshot, 16);
}

export function tipCommitStamp(s: u32): u64 {
  return load<u64>(slotAt(s), 24);
}

export function tipWriteCount(s: u32): u32 {
  return load<u32>(slotAt(s), 8);
}

export function tipWrites(s: u32): usize {
  return <usize>load<u32>(slotAt(s), 4);
}

/** Ensures the write list can take one more entry without allocating. */
export function tipReserveWrite(s: u32): bool {
  const p = slotAt(s);
  const n = load<u32>(p, 8);
  let cap = load<u32>(p, 12);
  if (n < cap) return true;
  cap = cap == 0 ? 16 : cap * 2;
  const grown = realloc(<usize>load<u32>(p, 4), <usize>cap << 2);
  if (grown == 0) return false;
  store<u32>(p, <u32>grown, 4);
  store<u32>(p, cap, 12);
  return true;
}

/** Appends a version to the transaction's write list. False on OOM. */
export function tipRecordWrite(s: u32, version: usize): bool {
  const p = slotAt(s);
  const n = load<u32>(p, 8);
  let cap = load<u32>(p, 12);
  let list = <usize>load<u32>(p, 4);
  if (n == cap) {
    cap = cap == 0 ? 16 : cap * 2;
    const grown = realloc(list, <usize>cap << 2);
    if (grown == 0) return false;
    list = grown;
    store<u32>(p, <u32>list, 4);
    store<u32>(p, cap, 12);
  }
  store<u32>(list + (<usize>n << 2), <u32>version);
  store<u32>(p, n + 1, 8);
  return true;
}

/** The commit is stamped and its WAL record is on its way to disk. */
export function tipMarkPending(s: u32, stamp: u64): void {
  const p = slotAt(s);
  store<u8>(p, load<u8>(p, 1) | TF_PENDING, 1);
  store<u64>(p, stamp, 24);
}

/** 2PC prepared (in doubt) state; kept for the Firebird/PG surfaces. */
export function tipMarkLimbo(s: u32): void {
  store<u8>(slotAt(s), TX_LIMBO);
}

/** The commit is durable: stamp every version the transaction wrote, release the slot. */
export function tipCommit(s: u32): void {
  const p = slotAt(s);
  const stamp = load<u64>(p, 24);
  const list = <usize>load<u32>(p, 4);
  const n = load<u32>(p, 8);
  for (let i: u32 = 0; i < n; i++) {
    const v = <usize>load<u32>(list + (<usize>i << 2));
    const f = load<u8>(v, V_FLAGS);
    if ((f & (VF_ABORTED | VF_MOVED)) != 0) continue;
    store<u64>(v, stamp, V_STAMP);
    store<u8>(v, f | VF_COMMITTED, V_FLAGS);
  }
  store<u8>(p, TX_COMMITTED);
  release(s);
}

/** Rolls back the whole transaction: its versions become garbage. */
export function tipAbort(s: u32): void {
  rollbackTo(s, 0);
  store<u8>(slotAt(s), TX_ABORTED);
  release(s);
}

/** Rolls back to a savepoint (a write count taken earlier). */
export function rollbackTo(s: u32, mark: u32): void {
  const p = slotAt(s);
  const list = <usize>load<u32>(p, 4);
  const n = load<u32>(p, 8);
  for (let i = mark; i < n; i++) {
    const v = <usize>load<u32>(list + (<usize>i << 2));
    store<u8>(v, load<u8>(v, V_FLAGS) | VF_ABORTED, V_FLAGS);
  }
  if (mark < n) store<u32>(p, mark, 8);
}

function release(s: u32): void {
  const p = slotAt(s);
  free(<usize>load<u32>(p, 4));
  store<u32>(p, 0, 4);
  store<u32>(p, 0, 8);
  store<u32>(p, 0, 12);
  store<u8>(p, 0, 1);
  store<u8>(p, TX_FREE);
  store<u32>(p, freeHead, 40);
  freeHead = s;
  liveCount--;
}

export function tipLiveCount(): u32 {
  return liveCount;
}

/** OST: the oldest snapshot any live transaction can still read at (NONE if none). */
export function tipOldestSnapshot(): u64 {
  let m: u64 = NONE;
  for (let s: u32 = 1; s < slotHigh; s++) {
    const p = slotAt(s);
    if (load<u8>(p) == TX_FREE) continue;
    const snap = load<u64>(p, 16);
    if (snap < m) m = snap;
  }
  return m;
}

/** OAT: the begin stamp of the oldest live transaction (NONE if none). */
export function tipOldestActiveBegin(): u64 {
  let m: u64 = NONE;
  for (let s: u32 = 1; s < slotHigh; s++) {
    const p = slotAt(s);
    if (load<u8>(p) == TX_FREE) continue;
    const b = load<u64>(p, 32);
    if (b < m) m = b;
  }
  return m;
}

/** Walks the live slots (for carry-over at a memtable freeze). */
export function tipSlotHigh(): u32 {
  return slotHigh;
}
