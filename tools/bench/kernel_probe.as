// AssemblyScript entry of a bench-only probe module (compiled in memory by
// kernel_micro.ts as tools/bench/kernel_probe.ts, never part of build/wasm).
// It links the storage kernel's own Bloom filter, key hash and in-block
// search code and exposes them in batch loops, so kernel_micro.ts can time
// exactly those loops against the same loops in TypeScript.

import { alloc } from '../../wasm/common/alloc';
import { compareBytes, hashBytes } from '../../wasm/common/bytes';
import { bloomAdd, bloomMayContain } from '../../wasm/storage/bloom';
import { blockDecode, blockEntryCount, blockLowerBound, eKey, eKeyLen, eValLen } from '../../wasm/storage/run_reader';

export function probe_alloc(n: u32): usize {
  return alloc(<usize>n);
}

/** The kernel's 64-bit key hash (bytes.ts hashBytes) of len bytes at p, stored at out (u64). */
export function probe_hash(p: usize, len: i32, out: usize): void {
  store<u64>(out, hashBytes(p, len));
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
 * The in-block part of a point lookup (lsm.ts runPointLookup) for n packed
 * keys whose blocks are known: the prefix binary search (blockLowerBound),
 * then the entry decode and key check. Block i of the batch is at
 * blocks + offsets[i], sizes[i] bytes. Returns the total value bytes found.
 */
export function block_search_batch(blocks: usize, offsets: usize, sizes: usize, keys: usize, keyLen: i32, n: u32): f64 {
  let total: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const b = blocks + <usize>load<u32>(offsets + (<usize>i << 2));
    const size = load<u32>(sizes + (<usize>i << 2));
    const key = keys + <usize>i * <usize>keyLen;
    const j = blockLowerBound(b, size, key, keyLen, 0xffffffffffffffff);
    if (j < blockEntryCount(b, size) && blockDecode(b, size, j) && compareBytes(eKey, eKeyLen, key, keyLen) == 0) total += <u64>eValLen;
  }
  return <f64>total;
}

/** The kernel's key hash over n packed keys (the XOR of the low words, so the loop cannot be dropped). */
export function hash_batch(keys: usize, keyLen: i32, n: u32): u32 {
  let x: u32 = 0;
  for (let i: u32 = 0; i < n; i++) x ^= <u32>hashBytes(keys + <usize>i * <usize>keyLen, keyLen);
  return x;
}
