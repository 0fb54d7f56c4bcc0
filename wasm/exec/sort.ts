// Sort kernel: a stable LSD radix sort of i32/i64/f64 keys producing a
// permutation (row numbers in sorted order).
//
// Keys become order-preserving unsigned 64-bit integers (sign flipped; for
// f64 negative values have every bit flipped, -0 becomes +0 and every NaN the
// canonical one, above +Infinity as in PostgreSQL); descending order flips all
// bits, which keeps ties in input order like a stable descending sort. One
// pass counts all eight byte histograms; a pass whose byte is the same for
// every key is skipped.

import { realloc } from '../common/alloc';
import { ST_OK, ST_ERR_NOMEM, ST_ERR_ARG } from '../common/status';
import { KIND_I32, KIND_I64, KIND_F64, KIND_F64_INT } from './keys';

const hist: usize = memory.data(8 * 256 * 4, 16);
let bufA: usize = 0;
let bufB: usize = 0;
let idxB: usize = 0;

// @ts-ignore: decorator
@inline function sortable(kind: i32, keys: usize, i: i32): u64 {
  if (kind == KIND_I32) return <u64>(<u32>load<i32>(keys + (<usize>i << 2)) ^ 0x80000000);
  if (kind == KIND_I64) return <u64>load<i64>(keys + (<usize>i << 3)) ^ 0x8000000000000000;
  let f = load<f64>(keys + (<usize>i << 3));
  if (f != f) return 0xfff8000000000000; // canonical NaN, above +Infinity
  if (f == 0) f = 0; // -0 sorts with +0
  const b = reinterpret<u64>(f);
  return (b >> 63) != 0 ? ~b : b | 0x8000000000000000;
}

/** Writes the permutation that sorts n keys (kind: keys.ts) into perm (i32
 *  each). desc != 0: descending. Stable. */
export function sort_perm(kind: i32, keys: usize, n: i32, desc: i32, perm: usize): i32 {
  if (kind < KIND_I32 || kind > KIND_F64_INT) return ST_ERR_ARG;
  if (n <= 0) return ST_OK;
  const bytes = <usize>n << 3;
  const a = realloc(bufA, bytes);
  if (a == 0) return ST_ERR_NOMEM;
  bufA = a;
  const b = realloc(bufB, bytes);
  if (b == 0) return ST_ERR_NOMEM;
  bufB = b;
  const ib = realloc(idxB, <usize>n << 2);
  if (ib == 0) return ST_ERR_NOMEM;
  idxB = ib;
  memory.fill(hist, 0, 8 * 256 * 4);
  const flip: u64 = desc != 0 ? 0xffffffffffffffff : 0;
  const passes = kind == KIND_I32 ? 4 : 8;
  for (let i = 0; i < n; i++) {
    const u = sortable(kind, keys, i) ^ (kind == KIND_I32 ? flip & 0xffffffff : flip);
    store<u64>(a + (<usize>i << 3), u);
    store<i32>(perm + (<usize>i << 2), i);
    for (let p = 0; p < passes; p++) {
      const h = hist + ((<usize>p << 10) | (<usize>((u >> (<u64>p << 3)) & 0xff) << 2));
      store<u32>(h, load<u32>(h) + 1);
    }
  }
  let src = a;
  let dst = b;
  let isrc = perm;
  let idst = ib;
  for (let p = 0; p < passes; p++) {
    const hp = hist + (<usize>p << 10);
    const first = <usize>((load<u64>(src) >> (<u64>p << 3)) & 0xff);
    if (load<u32>(hp + (first << 2)) == <u32>n) continue;
    let sum: u32 = 0;
    for (let d = 0; d < 256; d++) {
      const c = load<u32>(hp + (<usize>d << 2));
      store<u32>(hp + (<usize>d << 2), sum);
      sum += c;
    }
    const shift = <u64>p << 3;
    for (let i = 0; i < n; i++) {
      const u = load<u64>(src + (<usize>i << 3));
      const slot = hp + (<usize>((u >> shift) & 0xff) << 2);
      const at = load<u32>(slot);
      store<u32>(slot, at + 1);
      store<u64>(dst + (<usize>at << 3), u);
      store<i32>(idst + (<usize>at << 2), load<i32>(isrc + (<usize>i << 2)));
    }
    let t = src; src = dst; dst = t;
    t = isrc; isrc = idst; idst = t;
  }
  if (isrc != perm) memory.copy(perm, isrc, <usize>n << 2);
  return ST_OK;
}
