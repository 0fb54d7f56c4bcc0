// Exports shared by every kernel module: ABI version, result area, the I/O
// scratch buffer, memory statistics and CRC32C.

import { ABI_VERSION } from './host';
import { resultArea } from './result';
import { allocatedBytes, setMemoryLimitPages, realloc, blockCapacity } from './alloc';
import { crc32c } from './crc32c';
import { checksum } from './checksum';

let ioBuf: usize = 0;

export function abi_version(): i32 {
  return ABI_VERSION;
}

export function result_area(): usize {
  return resultArea;
}

/** A kernel-owned scratch buffer of at least `size` bytes for passing
 *  arguments (keys, values, records). 0 when out of memory. Valid until the
 *  next io_buffer call. */
export function io_buffer(size: u32): usize {
  if (ioBuf != 0 && blockCapacity(ioBuf) >= <usize>size) return ioBuf;
  const p = realloc(ioBuf, <usize>max<u32>(size, 4096));
  if (p == 0) return 0;
  ioBuf = p;
  return ioBuf;
}

export function mem_allocated(): f64 {
  return <f64>allocatedBytes();
}

export function mem_pages(): i32 {
  return memory.size();
}

export function mem_set_limit_pages(pages: i32): void {
  setMemoryLimitPages(pages);
}

export function crc32c_of(ptr: usize, len: u32): u32 {
  return crc32c(ptr, <usize>len);
}

/** The block/record checksum (XXH64, low 32 bits) of len bytes at ptr. */
export function checksum_of(ptr: usize, len: u32): u32 {
  return checksum(ptr, <usize>len);
}
