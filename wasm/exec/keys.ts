// Loading a value of a given kind as i64, and the key hash.

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
