// AssemblyScript entry of a bench-only probe module (compiled in memory by
// kernel_micro.ts as tools/bench/kernel_probe.ts, never part of build/wasm).
// It links the storage kernel's own Bloom filter and block-search code and
// exposes them in batch loops, so kernel_micro.ts can time exactly those
// loops against the same loops in TypeScript.

import { alloc } from '../../wasm/common/alloc';
import { compareBytes, hashBytes } from '../../wasm/common/bytes';
import { bloomAdd, bloomMayContain } from '../../wasm/storage/bloom';
import { blockDecode, blockEntryCount, blockLowerBound, eKey, eKeyLen, eValLen } from '../../wasm/storage/run_reader';

export function probe_alloc(n: u32): usize {
  return alloc(<usize>n);
}

/** Adds n keys of keyLen bytes (packed at keys) to the filter. */
export function bloom_add_batch(bits: usize, blocks: u32, keys: usize, keyLen: i32, n: u32): void {
  for (let i: u32 = 0; i < n; i++) bloomAdd(bits, blocks, hashBytes(keys + <usize>i * <usize>keyLen, keyLen));
}

/** Probes n packed keys; returns how many may be present. */
export function bloom_probe_batch(bits: usize, blocks: u32, keys: usize, keyLen: i32, n: u32): u32 {
  let hits: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    if (bloomMayContain(bits, blocks, hashBytes(keys + <usize>i * <usize>keyLen, keyLen))) hits++;
  }
  return hits;
}

export function bloom_add_one(bits: usize, blocks: u32, key: usize, keyLen: i32): void {
  bloomAdd(bits, blocks, hashBytes(key, keyLen));
}

export function bloom_probe_one(bits: usize, blocks: u32, key: usize, keyLen: i32): i32 {
  return bloomMayContain(bits, blocks, hashBytes(key, keyLen)) ? 1 : 0;
}

/**
 * For each of n packed keys, searches its block (data + offsets[i], sizes[i])
 * with the kernel's blockLowerBound; returns the total value bytes of the
 * keys found (every key should be found).
 */
export function block_search_batch(data: usize, offsets: usize, sizes: usize, keys: usize, keyLen: i32, n: u32): f64 {
  let total: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const b = data + <usize>load<u32>(offsets + (<usize>i << 2));
    const size = load<u32>(sizes + (<usize>i << 2));
    const key = keys + <usize>i * <usize>keyLen;
    const j = blockLowerBound(b, size, key, keyLen, 0xffffffffffffffff);
    if (j < blockEntryCount(b, size) && blockDecode(b, size, j) && compareBytes(eKey, eKeyLen, key, keyLen) == 0) total += <u64>eValLen;
  }
  return <f64>total;
}

/** One search (the per-call pattern): value length, or -1. */
export function block_search_one(b: usize, size: u32, key: usize, keyLen: i32): i32 {
  const j = blockLowerBound(b, size, key, keyLen, 0xffffffffffffffff);
  if (j < blockEntryCount(b, size) && blockDecode(b, size, j) && compareBytes(eKey, eKeyLen, key, keyLen) == 0) return eValLen;
  return -1;
}
