// Scratch column buffers and the exec ABI version.

import { alloc, free, realloc, blockCapacity } from '../common/alloc';

/** Bumped whenever an export of exec.wasm changes meaning or signature. */
export const EXEC_ABI_VERSION: i32 = 1;

// @ts-ignore: decorator
@inline const SLOTS: i32 = 16;
const slotPtrs: usize = memory.data(SLOTS * 4, 16);

export function exec_abi_version(): i32 {
  return EXEC_ABI_VERSION;
}

/** A kernel-owned buffer of at least `bytes` bytes for column slot `slot`
 *  (0..15), 16-byte aligned. Contents are kept when it grows. 0 when out of
 *  memory or the slot is out of range. */
export function col_buffer(slot: i32, bytes: u32): usize {
  if (slot < 0 || slot >= SLOTS) return 0;
  const at = slotPtrs + (<usize>slot << 2);
  const cur = <usize>load<u32>(at);
  if (cur != 0 && blockCapacity(cur) >= <usize>bytes) return cur;
  const p = realloc(cur, <usize>max<u32>(bytes, 8192));
  if (p == 0) return 0;
  store<u32>(at, <u32>p);
  return p;
}

/** A kernel-owned block of `bytes` bytes, 16-byte aligned, kept until
 *  exec_free (the column cache's vectors, host/engine/exec/colcache.ts).
 *  0 when out of memory. */
export function exec_alloc(bytes: u32): usize {
  return alloc(<usize>max<u32>(bytes, 16));
}

/** Frees a block from exec_alloc (0 is ignored). */
export function exec_free(ptr: usize): void {
  if (ptr != 0) free(ptr);
}
