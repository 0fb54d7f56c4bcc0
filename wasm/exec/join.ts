// Hash join kernels: build a chained hash table over i64 keys (inputs i32,
// i64 or exact-integer f64), then probe it a batch at a time, writing
// (probe row, build row) pairs. Chains keep build order, so the pairs of one
// probe row come out in the order the build rows went in. NULL keys never
// match (they are not inserted, and NULL probe rows are skipped).

import { alloc, free, realloc } from '../common/alloc';
import { ST_OK, ST_ERR_NOMEM, ST_ERR_ARG, ST_ERR_STATE } from '../common/status';
import { loadKey, isNull, hashSlot } from './keys';

// @ts-ignore: decorator
@inline const J_N: usize = 0;
// @ts-ignore: decorator
@inline const J_CAP: usize = 4;
// @ts-ignore: decorator
@inline const J_BITS: usize = 8;
// @ts-ignore: decorator
@inline const J_KEYS: usize = 12;
// @ts-ignore: decorator
@inline const J_ROWS: usize = 16;
// @ts-ignore: decorator
@inline const J_NEXT: usize = 20;
// @ts-ignore: decorator
@inline const J_HEADS: usize = 24;
// @ts-ignore: decorator
@inline const J_POS: usize = 28;
// @ts-ignore: decorator
@inline const J_CUR: usize = 32;

export function join_new(): usize {
  const h = alloc(48);
  if (h == 0) return 0;
  memory.fill(h, 0, 48);
  store<i32>(h + J_BITS, -1);
  return h;
}

export function join_free(h: usize): void {
  if (h == 0) return;
  free(<usize>load<u32>(h + J_KEYS));
  free(<usize>load<u32>(h + J_ROWS));
  free(<usize>load<u32>(h + J_NEXT));
  free(<usize>load<u32>(h + J_HEADS));
  free(h);
}

/** Number of build entries (rows with a non-NULL key). */
export function join_size(h: usize): i32 {
  return load<i32>(h + J_N);
}

/** Adds n build rows numbered rowBase + i (NULL keys skipped). */
export function join_add(h: usize, kind: i32, keys: usize, nulls: usize, n: i32, rowBase: i32): i32 {
  if (kind < 0 || kind > 3) return ST_ERR_ARG;
  if (load<i32>(h + J_BITS) >= 0) return ST_ERR_STATE;
  let cnt = load<i32>(h + J_N);
  let cap = load<i32>(h + J_CAP);
  if (cnt + n > cap) {
    let ncap = max(cap << 1, 1024);
    while (ncap < cnt + n) ncap <<= 1;
    const k = realloc(<usize>load<u32>(h + J_KEYS), <usize>ncap << 3);
    if (k == 0) return ST_ERR_NOMEM;
    store<u32>(h + J_KEYS, <u32>k);
    const r = realloc(<usize>load<u32>(h + J_ROWS), <usize>ncap << 2);
    if (r == 0) return ST_ERR_NOMEM;
    store<u32>(h + J_ROWS, <u32>r);
    store<i32>(h + J_CAP, ncap);
    cap = ncap;
  }
  const kp = <usize>load<u32>(h + J_KEYS);
  const rp = <usize>load<u32>(h + J_ROWS);
  for (let i = 0; i < n; i++) {
    store<i64>(kp + (<usize>cnt << 3), loadKey(kind, keys, i));
    store<i32>(rp + (<usize>cnt << 2), rowBase + i);
    cnt += <i32>!isNull(nulls, i);
  }
  store<i32>(h + J_N, cnt);
  return ST_OK;
}

/** Links the chains; no join_add after this. */
export function join_finish(h: usize): i32 {
  const n = load<i32>(h + J_N);
  let bits = 4;
  while ((1 << bits) < n * 2 && bits < 30) bits++;
  const heads = realloc(<usize>load<u32>(h + J_HEADS), <usize>4 << bits);
  if (heads == 0) return ST_ERR_NOMEM;
  const next = realloc(<usize>load<u32>(h + J_NEXT), <usize>max(n, 1) << 2);
  if (next == 0) return ST_ERR_NOMEM;
  memory.fill(heads, 0xff, <usize>4 << bits);
  const kp = <usize>load<u32>(h + J_KEYS);
  // Inserting at the heads in reverse keeps each chain in build order.
  for (let e = n - 1; e >= 0; e--) {
    const s = <usize>hashSlot(load<i64>(kp + (<usize>e << 3)), bits) << 2;
    store<i32>(next + (<usize>e << 2), load<i32>(heads + s));
    store<i32>(heads + s, e);
  }
  store<u32>(h + J_HEADS, <u32>heads);
  store<u32>(h + J_NEXT, <u32>next);
  store<i32>(h + J_BITS, bits);
  store<i32>(h + J_POS, 0);
  store<i32>(h + J_CUR, -1);
  return ST_OK;
}

/** Starts probing a new batch. */
export function join_probe_begin(h: usize): void {
  store<i32>(h + J_POS, 0);
  store<i32>(h + J_CUR, -1);
}

/** 1 when the current batch's pairs have all been written. */
export function join_probe_done(h: usize, n: i32): i32 {
  return <i32>(load<i32>(h + J_POS) >= n && load<i32>(h + J_CUR) < 0);
}

/** Writes up to maxOut matching pairs of the batch (probe row i into
 *  outProbe, build row number into outBuild) and returns their count;
 *  call again with the same batch until join_probe_done. -1 before
 *  join_finish. */
export function join_probe(h: usize, kind: i32, keys: usize, nulls: usize, n: i32, outProbe: usize, outBuild: usize, maxOut: i32): i32 {
  const bits = load<i32>(h + J_BITS);
  if (bits < 0 || kind < 0 || kind > 3) return -1;
  const kp = <usize>load<u32>(h + J_KEYS);
  const rp = <usize>load<u32>(h + J_ROWS);
  const next = <usize>load<u32>(h + J_NEXT);
  const heads = <usize>load<u32>(h + J_HEADS);
  let i = load<i32>(h + J_POS);
  let e = load<i32>(h + J_CUR);
  let k = 0;
  while (k < maxOut) {
    if (e < 0) {
      if (i >= n) break;
      // Next probe row: start its chain.
      if (isNull(nulls, i)) { i++; continue; }
      e = load<i32>(heads + (<usize>hashSlot(loadKey(kind, keys, i), bits) << 2));
      if (e < 0) { i++; continue; }
    }
    const key = loadKey(kind, keys, i);
    while (e >= 0 && k < maxOut) {
      if (load<i64>(kp + (<usize>e << 3)) == key) {
        store<i32>(outProbe + (<usize>k << 2), i);
        store<i32>(outBuild + (<usize>k << 2), load<i32>(rp + (<usize>e << 2)));
        k++;
      }
      e = load<i32>(next + (<usize>e << 2));
    }
    if (e < 0) i++;
  }
  store<i32>(h + J_POS, i);
  store<i32>(h + J_CUR, e);
  return k;
}
