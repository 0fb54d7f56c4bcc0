// The result area: a fixed block of linear memory through which exports
// return pointers, lengths and numbers beside their status code. The host
// reads it through typed-array views; slot meanings are per export.

// @ts-ignore: decorator
@lazy const RESULT_WORDS: i32 = 16;
// Eight f64 slots (numbers, stamps) followed by sixteen u32 slots.
export const resultArea: usize = memory.data(8 * 8 + RESULT_WORDS * 4, 16);

// @ts-ignore: decorator
@inline export function setResultU32(i: i32, v: u32): void {
  store<u32>(resultArea + 64 + (<usize>i << 2), v);
}
// @ts-ignore: decorator
@inline export function setResultF64(i: i32, v: f64): void {
  store<f64>(resultArea + (<usize>i << 3), v);
}
