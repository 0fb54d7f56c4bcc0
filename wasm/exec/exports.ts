// Scratch column buffers and the exec ABI version.

import { realloc, blockCapacity } from '../common/alloc';

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
