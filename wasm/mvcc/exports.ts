// TIP and visibility exports (shared by mvcc.wasm and storage.wasm).

import { alloc } from '../common/alloc';
import { setResultU32 } from '../common/result';
import {
  tipAbort, tipBegin, tipCommit, tipLiveCount, tipMarkPending, tipOldestActiveBegin, tipOldestSnapshot, tipRecordWrite,
  tipSetSnapshot, tipState, tipFlags, tipWriteCount, rollbackTo, tipMarkLimbo, tipValid,
} from './tip';
import { isVisible, V_HEADER, V_FLAGS, V_STAMP, V_SLOT } from './version';

// @ts-ignore: decorator
@inline const NONE: u64 = 0xffffffffffffffff;

export function tx_begin(begin: f64, snapshot: f64): u32 {
  return tipBegin(<u64>begin, <u64>snapshot);
}
// The slot-taking exports ignore a slot that is not live (0, out of range or
// already released): a repeated finish/abort used to release the slot twice,
// which linked it into the free list twice (two transactions then shared a
// slot) and underflowed the live count; an out-of-range slot wrote past the
// slot table.
export function tx_set_snapshot(slot: u32, snapshot: f64): void {
  if (!tipValid(slot)) return;
  tipSetSnapshot(slot, <u64>snapshot);
}
export function tx_state(slot: u32): i32 {
  return <i32>tipState(slot);
}
export function tx_flags(slot: u32): i32 {
  return tipValid(slot) ? <i32>tipFlags(slot) : 0;
}
export function tx_write_count(slot: u32): u32 {
  return tipValid(slot) ? tipWriteCount(slot) : 0;
}
export function tx_rollback_to(slot: u32, mark: u32): void {
  if (!tipValid(slot)) return;
  rollbackTo(slot, mark);
}
export function tx_mark_pending(slot: u32, stamp: f64): void {
  if (!tipValid(slot)) return;
  tipMarkPending(slot, <u64>stamp);
}
export function tx_mark_limbo(slot: u32): void {
  if (!tipValid(slot)) return;
  tipMarkLimbo(slot);
}
/** The commit is durable: stamp the versions and release the slot. */
export function tx_commit_finish(slot: u32): void {
  if (!tipValid(slot)) return;
  tipCommit(slot);
}
export function tx_abort(slot: u32): void {
  if (!tipValid(slot)) return;
  tipAbort(slot);
}
export function tx_live_count(): u32 {
  return tipLiveCount();
}
/** OST: oldest snapshot of a live transaction, -1 when none. */
export function tx_oldest_snapshot(): f64 {
  const s = tipOldestSnapshot();
  return s == NONE ? -1 : <f64>s;
}
/** OAT: begin stamp of the oldest live transaction, -1 when none. */
export function tx_oldest_begin(): f64 {
  const s = tipOldestActiveBegin();
  return s == NONE ? -1 : <f64>s;
}

// ---- for kernel unit tests: standalone version headers ----

/** Allocates a bare version header (no key/value) with the given fields. */
export function test_make_version(flags: u8, stamp: f64, slot: u32): usize {
  const v = alloc(V_HEADER);
  if (v == 0) return 0;
  memory.fill(v, 0, V_HEADER);
  store<u8>(v, flags, V_FLAGS);
  store<u64>(v, <u64>stamp, V_STAMP);
  store<u32>(v, slot, V_SLOT);
  return v;
}
export function test_version_flags(v: usize): i32 {
  return <i32>load<u8>(v, V_FLAGS);
}
export function test_version_stamp(v: usize): f64 {
  return <f64>load<u64>(v, V_STAMP);
}
export function test_record_write(slot: u32, v: usize): i32 {
  if (!tipValid(slot)) return -7;
  return tipRecordWrite(slot, v) ? 0 : -1;
}
export function is_visible(v: usize, slot: u32, snapshot: f64): i32 {
  return isVisible(v, slot, <u64>snapshot) ? 1 : 0;
}
export function unused_result(): void {
  setResultU32(0, 0);
}
