// Byte-string helpers shared by the kernels: comparison, key prefixes,
// LEB128 varints and a 64-bit hash.

/** Unsigned lexicographic comparison (shorter prefix first): <0, 0, >0. */
export function compareBytes(a: usize, aLen: i32, b: usize, bLen: i32): i32 {
  const n = min(aLen, bLen);
  let i = 0;
  // Eight bytes at a time: find the first differing word, then its first byte.
  while (i + 8 <= n) {
    const x = load<u64>(a + <usize>i);
    const y = load<u64>(b + <usize>i);
    if (x != y) {
      const bx = bswap<u64>(x);
      const by = bswap<u64>(y);
      return bx < by ? -1 : 1;
    }
    i += 8;
  }
  while (i < n) {
    const x = <i32>load<u8>(a + <usize>i);
    const y = <i32>load<u8>(b + <usize>i);
    if (x != y) return x - y;
    i++;
  }
  return aLen - bLen;
}

/** The first eight bytes of a key as a big-endian u64 (zero padded): an
 *  order-preserving prefix that settles most comparisons without a deref. */
export function keyPrefix(p: usize, len: i32): u64 {
  if (len >= 8) return bswap<u64>(load<u64>(p));
  let v: u64 = 0;
  for (let i = 0; i < len; i++) v |= <u64>load<u8>(p + <usize>i) << (<u64>(56 - 8 * i));
  return v;
}

/**
 * Copies n bytes (non-overlapping). Short copies run inline, eight bytes at a
 * time: memory.copy is a call out of the compiled code, which costs more than
 * copying a key.
 */
// @ts-ignore: decorator
@inline export function copyBytes(dst: usize, src: usize, n: i32): void {
  if (n > 128) {
    memory.copy(dst, src, <usize>n);
  } else {
    let i = 0;
    while (i + 8 <= n) {
      store<u64>(dst + <usize>i, load<u64>(src + <usize>i));
      i += 8;
    }
    while (i < n) {
      store<u8>(dst + <usize>i, load<u8>(src + <usize>i));
      i++;
    }
  }
}

export function bytesEqual(a: usize, aLen: i32, b: usize, bLen: i32): bool {
  if (aLen != bLen) return false;
  return compareBytes(a, aLen, b, bLen) == 0;
}

// ---- LEB128 varints (unsigned) ----

/** Writes v at p; returns the number of bytes written (1..5). */
export function putVarint(p: usize, v: u32): i32 {
  let n = 0;
  while (v >= 0x80) {
    store<u8>(p + <usize>n, <u8>(v | 0x80));
    v >>= 7;
    n++;
  }
  store<u8>(p + <usize>n, <u8>v);
  return n + 1;
}

export function varintSize(v: u32): i32 {
  let n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

// Decoding returns the value and reports the length through a global, which
// keeps the hot path free of allocation.
export let varintLen: i32 = 0;

/** Reads a varint at p, not past `end`. Sets varintLen (0 on a malformed or truncated varint). */
export function getVarint(p: usize, end: usize): u32 {
  let v: u32 = 0;
  let shift: u32 = 0;
  let i: usize = 0;
  while (p + i < end && i < 5) {
    const b = <u32>load<u8>(p + i);
    v |= (b & 0x7f) << shift;
    i++;
    if ((b & 0x80) == 0) {
      varintLen = <i32>i;
      return v;
    }
    shift += 7;
  }
  varintLen = 0;
  return 0;
}

// ---- hashing ----

// @ts-ignore: decorator
@inline const M1: u64 = 0x9e3779b97f4a7c15;
// @ts-ignore: decorator
@inline const M2: u64 = 0xbf58476d1ce4e5b9;
// @ts-ignore: decorator
@inline const M3: u64 = 0x94d049bb133111eb;

// @ts-ignore: decorator
@inline function mix(x: u64): u64 {
  x ^= x >> 30;
  x *= M2;
  x ^= x >> 27;
  x *= M3;
  x ^= x >> 31;
  return x;
}

/** A 64-bit hash of a byte string (for Bloom filters and hash tables). */
export function hashBytes(p: usize, len: i32): u64 {
  let h: u64 = <u64>len * M1 ^ 0x2545f4914f6cdd1d;
  let i = 0;
  while (i + 8 <= len) {
    h = mix(h ^ load<u64>(p + <usize>i)) + M1;
    i += 8;
  }
  if (i < len) {
    let tail: u64 = 0;
    let shift: u64 = 0;
    while (i < len) {
      tail |= <u64>load<u8>(p + <usize>i) << shift;
      shift += 8;
      i++;
    }
    h = mix(h ^ tail ^ (shift << 56));
  }
  return mix(h);
}

/**
 * A 32-bit hash of a byte string for the memtables' hash index (murmur3-style
 * over little-endian 32-bit words). Cheap in TypeScript as well (Math.imul):
 * the host probes the memtables itself (host/storage/kernel.ts memGet), so it
 * must compute this bit for bit. In memory only: no file holds it.
 */
export function hashKey32(p: usize, len: i32): u32 {
  let h: u32 = <u32>len * 0x9e3779b1;
  let i = 0;
  while (i + 4 <= len) {
    let k = load<u32>(p + <usize>i) * 0xcc9e2d51;
    k = rotl<u32>(k, 15) * 0x1b873593;
    h = rotl<u32>(h ^ k, 13) * 5 + 0xe6546b64;
    i += 4;
  }
  if (i < len) {
    let k: u32 = 0;
    let shift: u32 = 0;
    while (i < len) {
      k |= <u32>load<u8>(p + <usize>i) << shift;
      shift += 8;
      i++;
    }
    k = rotl<u32>(k * 0xcc9e2d51, 15) * 0x1b873593;
    h ^= k;
  }
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

export function hashU64(x: u64): u64 {
  return mix(x + M1);
}
