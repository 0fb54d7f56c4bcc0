// Growable byte buffers stored in kernel memory as a 12-byte struct
// { u32 ptr, u32 len, u32 cap } at any address (inside a larger struct).

import { realloc, free } from './alloc';

// @ts-ignore: decorator
@inline export function bufPtr(b: usize): usize {
  return <usize>load<u32>(b);
}
// @ts-ignore: decorator
@inline export function bufLen(b: usize): u32 {
  return load<u32>(b, 4);
}
// @ts-ignore: decorator
@inline export function bufSetLen(b: usize, len: u32): void {
  store<u32>(b, len, 4);
}

/** Makes room for `extra` more bytes; false on out-of-memory (buffer intact). */
export function bufReserve(b: usize, extra: u32): bool {
  const len = load<u32>(b, 4);
  const cap = load<u32>(b, 8);
  const need = <u64>len + <u64>extra;
  if (need <= <u64>cap) return true;
  if (need > 0xfff00000) return false;
  let next: u64 = cap == 0 ? 256 : <u64>cap * 2;
  while (next < need) next *= 2;
  if (next > 0xfff00000) next = need;
  const p = realloc(<usize>load<u32>(b), <usize>next);
  if (p == 0) return false;
  store<u32>(b, <u32>p);
  store<u32>(b, <u32>next, 8);
  return true;
}

/** Appends n bytes from src; false on out-of-memory. */
export function bufAppend(b: usize, src: usize, n: u32): bool {
  if (!bufReserve(b, n)) return false;
  const len = load<u32>(b, 4);
  memory.copy(<usize>load<u32>(b) + <usize>len, src, <usize>n);
  store<u32>(b, len + n, 4);
  return true;
}

export function bufFree(b: usize): void {
  free(<usize>load<u32>(b));
  store<u32>(b, 0);
  store<u32>(b, 0, 4);
  store<u32>(b, 0, 8);
}
