// exec.wasm: the executor's batch kernels (filter, hash aggregation, sort,
// hash join) over typed column vectors in this module's own linear memory.
//
// ABI (EXEC_ABI_VERSION, checked by host/engine/exec/kernels.ts):
// - The host asks for scratch column buffers with col_buffer(slot, bytes)
//   and copies a batch's columns in once per batch; kernels read them by
//   pointer and write their results (selection vectors, group ids,
//   permutations, join pairs) into other slots or into kernel-owned state.
// - Null bitmaps: bit i of byte i>>3 set means row i is NULL; pointer 0 means
//   no NULLs.
// - Value kinds: 0 = i32, 1 = i64, 2 = f64, 3 = f64 holding an exact integer
//   (the host's int8 values are JS numbers; the kernel converts).
// - Every export returns a status (common/status.ts) or a count; a kernel
//   never throws. Any call may grow memory: the host refreshes its views.
export * from '../common/exports';
export * from './exports';
export * from './filter';
export * from './agg';
export * from './sort';
export * from './join';
export * from './vprog';
