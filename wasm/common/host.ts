// The kernels' one import interface (the host ABI, version ABI_VERSION).
//
// Kernels reach the outside world only through these functions. They are
// provided by host/storage/kernel.ts from a Platform, so the same .wasm runs
// on Node, Deno and in the browser. Calls are per block or per record, never
// per value in a hot loop.

/**
 * Bumped whenever an import or export changes meaning or signature, or a
 * layout the host reads in linear memory changes. 2: the host probes the
 * memtables itself (lsm_memtables_ptr, the memtable hash index with
 * bytes.ts hashKey32, version headers; host/storage/kernel.ts memGet).
 */
export const ABI_VERSION: i32 = 2;

/** Positional read of `len` bytes of host file `file` at `offset` into linear
 *  memory at `ptr`. Returns the number of bytes read (short at end of file) or
 *  a negative value on an I/O error. */
// @ts-ignore: decorator
@external("host", "read")
export declare function host_read(file: i32, offset: f64, ptr: usize, len: i32): i32;

/** Writes a diagnostic line (UTF-8 at ptr/len) to the host's structured log. */
// @ts-ignore: decorator
@external("host", "log")
export declare function host_log(level: i32, ptr: usize, len: i32): void;
