// Loading a value of a given kind as i64, and the key hash.

import { alloc, free } from '../common/alloc';

export const KIND_I32: i32 = 0;
export const KIND_I64: i32 = 1;
export const KIND_F64: i32 = 2;
/** f64 holding an exact integer (a JS number the host copied as it is). */
export const KIND_F64_INT: i32 = 3;

// @ts-ignore: decorator
@inline export function loadKey(kind: i32, p: usize, i: i32): i64 {
  if (kind == KIND_I32) return <i64>load<i32>(p + (<usize>i << 2));
  if (kind == KIND_I64) return load<i64>(p + (<usize>i << 3));
  return <i64>load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline export function isNull(nulls: usize, i: i32): bool {
  return nulls != 0 && ((load<u8>(nulls + (<usize>i >> 3)) >> <u8>(i & 7)) & 1) != 0;
}

/** Fibonacci hashing: the top `bits` bits of key * 2^64/phi. */
// @ts-ignore: decorator
@inline export function hashSlot(key: i64, bits: i32): i32 {
  const h = <u64>key * 0x9e3779b97f4a7c15;
  return <i32>((h ^ (h >> 29)) >> <u64>(64 - bits));
}

// Set by rehashI64: the new key and group-id arrays.
export let rehashedKeys: usize = 0;
export let rehashedGids: usize = 0;

/**
 * Doubles an open-addressing table of i64 keys and i32 group ids (-1: empty)
 * of 2^bits slots into 2^(bits+1) slots, freeing the old arrays; the new ones
 * are in rehashedKeys / rehashedGids. False when out of memory (old arrays kept).
 */
export function rehashI64(keys: usize, gids: usize, bits: i32): bool {
  const cap = 1 << bits;
  const nbits = bits + 1;
  const ncap = 1 << nbits;
  const nk = alloc(<usize>ncap << 3);
  const ng = alloc(<usize>ncap << 2);
  if (nk == 0 || ng == 0) {
    free(nk);
    free(ng);
    return false;
  }
  memory.fill(ng, 0xff, <usize>ncap << 2);
  const mask = ncap - 1;
  for (let s = 0; s < cap; s++) {
    const g = load<i32>(gids + (<usize>s << 2));
    if (g < 0) continue;
    const k = load<i64>(keys + (<usize>s << 3));
    let j = hashSlot(k, nbits);
    while (load<i32>(ng + (<usize>j << 2)) >= 0) j = (j + 1) & mask;
    store<i64>(nk + (<usize>j << 3), k);
    store<i32>(ng + (<usize>j << 2), g);
  }
  free(keys);
  free(gids);
  rehashedKeys = nk;
  rehashedGids = ng;
  return true;
}
