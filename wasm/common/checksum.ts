// The block and record checksum: the XXH64 algorithm (four independent
// multiply-rotate lanes over 8-byte words, then an avalanche), returned as its
// low 32 bits. CRC32C needs a carry-less multiply that WebAssembly lacks;
// table-driven CRC32C ran at 1.4 GiB/s here and dominated cache misses and
// bulk loads, while this runs several times faster with the same power to
// detect torn or damaged blocks.

// @ts-ignore: decorator
@inline const P1: u64 = 0x9e3779b185ebca87;
// @ts-ignore: decorator
@inline const P2: u64 = 0xc2b2ae3d27d4eb4f;
// @ts-ignore: decorator
@inline const P3: u64 = 0x165667b19e3779f9;
// @ts-ignore: decorator
@inline const P4: u64 = 0x85ebca77c2b2ae63;
// @ts-ignore: decorator
@inline const P5: u64 = 0x27d4eb2f165667c5;

// @ts-ignore: decorator
@inline function round(acc: u64, input: u64): u64 {
  return rotl<u64>(acc + input * P2, 31) * P1;
}

// @ts-ignore: decorator
@inline function mergeRound(acc: u64, val: u64): u64 {
  return (acc ^ round(0, val)) * P1 + P4;
}

export function hash64(p: usize, len: usize, seed: u64): u64 {
  const end = p + len;
  let h: u64;
  if (len >= 32) {
    let v1 = seed + P1 + P2;
    let v2 = seed + P2;
    let v3 = seed;
    let v4 = seed - P1;
    const limit = end - 32;
    do {
      v1 = round(v1, load<u64>(p));
      v2 = round(v2, load<u64>(p, 8));
      v3 = round(v3, load<u64>(p, 16));
      v4 = round(v4, load<u64>(p, 24));
      p += 32;
    } while (p <= limit);
    h = rotl<u64>(v1, 1) + rotl<u64>(v2, 7) + rotl<u64>(v3, 12) + rotl<u64>(v4, 18);
    h = mergeRound(h, v1);
    h = mergeRound(h, v2);
    h = mergeRound(h, v3);
    h = mergeRound(h, v4);
  } else {
    h = seed + P5;
  }
  h += <u64>len;
  while (p + 8 <= end) {
    h ^= round(0, load<u64>(p));
    h = rotl<u64>(h, 27) * P1 + P4;
    p += 8;
  }
  if (p + 4 <= end) {
    h ^= <u64>load<u32>(p) * P1;
    h = rotl<u64>(h, 23) * P2 + P3;
    p += 4;
  }
  while (p < end) {
    h ^= <u64>load<u8>(p) * P5;
    h = rotl<u64>(h, 11) * P1;
    p++;
  }
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  h ^= h >> 32;
  return h;
}

/** The 32-bit checksum stored with every block and WAL record. */
export function checksum(p: usize, len: usize): u32 {
  return <u32>hash64(p, len, 0);
}
