// Split-block Bloom filter over user keys (one per sorted run).
//
// Each key maps to one 256-bit block (eight u32 words) and sets one bit per
// word, so a lookup touches a single cache line. About 10 bits per key give a
// false-positive rate near 1%, which lets a point get skip almost every run
// that does not hold the key.

// Odd multipliers, one per word; any odd constants with well-spread bits work.
const SALTS: usize = memory.data<u32>([
  0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d,
  0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31,
]);

// @ts-ignore: decorator
@inline export const BLOOM_BLOCK: usize = 32;

export function bloomBlocksFor(keys: u64, bitsPerKey: u32): u32 {
  const bits = keys * <u64>bitsPerKey;
  let blocks = <u32>((bits + 255) >> 8);
  if (blocks == 0) blocks = 1;
  return blocks;
}

// @ts-ignore: decorator
@inline function blockOf(hash: u64, blocks: u32): usize {
  return <usize>(((hash >> 32) * <u64>blocks) >> 32);
}

export function bloomAdd(bits: usize, blocks: u32, hash: u64): void {
  const b = bits + (blockOf(hash, blocks) << 5);
  const lo = <u32>hash;
  for (let i: usize = 0; i < 8; i++) {
    const bit = (lo * load<u32>(SALTS + (i << 2))) >>> 27;
    const w = b + (i << 2);
    store<u32>(w, load<u32>(w) | (<u32>1 << bit));
  }
}

export function bloomMayContain(bits: usize, blocks: u32, hash: u64): bool {
  const b = bits + (blockOf(hash, blocks) << 5);
  const lo = <u32>hash;
  for (let i: usize = 0; i < 8; i++) {
    const bit = (lo * load<u32>(SALTS + (i << 2))) >>> 27;
    if ((load<u32>(b + (i << 2)) & (<u32>1 << bit)) == 0) return false;
  }
  return true;
}
