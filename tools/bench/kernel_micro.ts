// Kernel micro-benchmarks: each storage-kernel loop against the same loop
// written in plain TypeScript (DESIGN.md ground rule 2).
//
//   npx tsx tools/bench/kernel_micro.ts [--keys N] [--quick] [--reps R] [--only memtable,memscan,merge,...] [--json out.json]
//
// Kernel side: the real build/wasm/storage.wasm (through StorageKernel, the
// way the store calls it), plus a bench-only probe module that links the
// kernel's own Bloom filter, key hash and in-block lookup code
// (tools/bench/kernel_probe.as) to time those loops without the rest of a
// point get around them. TypeScript side: written here, as fast as we could
// make it, working on the same bytes where a format is involved, and checked
// against the kernel's results. Every figure is the best of R rounds (ns per
// operation); within a round the contenders take turns, so load from other
// work on the machine falls on all of them. Verdict: "kernel wins" when the
// kernel is at least 1.2× faster, or (rows that record rounds) when it is
// faster in the best figure and in every one of at least 5 interleaved rounds
// (a sign test: 1 chance in 32 or less that equal loops do that);
// "NOT SHOWN (< 1.2×)" below that, "KERNEL
// LOSES" when TypeScript is more than 10% faster; "moved to TypeScript" for a
// kernel loop the store no longer runs (it runs the TypeScript loop instead).

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { randomFillSync } from 'node:crypto';
import asc from 'assemblyscript/asc';
import { StorageKernel, OP_PUT } from '../../host/storage/kernel.ts';
import { hash64 as hash64BigInt } from '../../host/storage/checksum.ts';
import type { PlatformFile } from '../../host/platform/platform.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { Store } from '../../host/engine/store/index.ts';
import { argInt, argValue, hasFlag, machine, table } from './common.ts';

const quick = hasFlag('--quick');
const NKEYS = argInt('--keys', quick ? 200_000 : 1_000_000);
const REPS = argInt('--reps', quick ? 2 : 5);
const KEY = 12;
const VAL = 8;
const SUM_BYTES = quick ? 16 << 20 : 64 << 20;
/** Data block target of the runs built here: the store's default (options.ts blockBytes). */
const BLOCK_BYTES = 4 << 10;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const platform = nodePlatform();

interface Result {
  loop: string;
  kernel: string;
  kernelNs: number;
  ts: string;
  tsNs: number;
  note?: string;
  /** 'moved': the store no longer runs this kernel loop; it uses a TypeScript loop instead (named in the note). */
  moved?: boolean;
  /** Interleaved rounds in which the kernel was faster than the TypeScript loop, of how many. */
  rounds?: { won: number; of: number };
}

/** Rounds (same index = same round, contenders taking turns) in which the kernel was faster. */
function roundsWon(kernel: number[], ts: number[]): { won: number; of: number } {
  let won = 0;
  for (let i = 0; i < kernel.length; i++) if (kernel[i]! < ts[i]!) won++;
  return { won, of: kernel.length };
}
const results: Result[] = [];
const extra: string[] = [];

function log(s: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
}

/** Best time in seconds over `reps` runs of fn. */
function best(fn: () => unknown, reps = REPS): number {
  let t = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    t = Math.min(t, (performance.now() - t0) / 1000);
  }
  return t;
}
/**
 * Best time in seconds of each fn over `reps` rounds, the fns taking turns
 * within a round (kernel, TS, kernel, TS, ...), so that a busy neighbour on a
 * shared machine slows every contender alike.
 */
function bestEach(fns: Array<() => unknown>, reps = REPS): number[] {
  const t = fns.map(() => Infinity);
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < fns.length; i++) {
      const t0 = performance.now();
      fns[i]!();
      t[i] = Math.min(t[i]!, (performance.now() - t0) / 1000);
    }
  }
  return t;
}
const ns = (seconds: number, ops: number): number => (seconds * 1e9) / ops;
const f0 = (x: number): string => x.toFixed(x < 10 ? 2 : 0);

// ---- data ----

const keysPacked = new Uint8Array(NKEYS * KEY);
randomFillSync(keysPacked);
const keys = Array.from({ length: NKEYS }, (_, i) => keysPacked.subarray(i * KEY, i * KEY + KEY));
const absentPacked = new Uint8Array(NKEYS * KEY);
randomFillSync(absentPacked);
const absent = Array.from({ length: NKEYS }, (_, i) => absentPacked.subarray(i * KEY, i * KEY + KEY));
const value = new Uint8Array(VAL).fill(0x5a);

/** Unsigned byte order, shorter first on a common prefix. */
function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** cmpBytes over (buffer, offset, length) triples. */
function cmpAt(a: Uint8Array, ap: number, al: number, b: Uint8Array, bp: number, bl: number): number {
  const n = al < bl ? al : bl;
  for (let i = 0; i < n; i++) {
    const d = a[ap + i]! - b[bp + i]!;
    if (d !== 0) return d;
  }
  return al - bl;
}

// =====================================================================
// 64-bit arithmetic on 32-bit halves (no BigInt): XXH64 and the kernel's
// key hash (bytes.ts hashBytes) in TypeScript. A 64-bit product keeps its
// low 64 bits: lo×lo is split into 16-bit pieces (exact in doubles), the
// cross terms need only their low 32 bits (Math.imul).
// =====================================================================

/** Scratch pair for the helpers below: R[0] = low 32 bits, R[1] = high 32 bits. */
const R = new Uint32Array(2);

/** R *= (bh:bl) mod 2^64. */
function mulR(bh: number, bl: number): void {
  const al = R[0]!, ah = R[1]!;
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const q = a0 * b0;
  const m = a1 * b0 + a0 * b1 + (q >>> 16);
  R[0] = (m << 16) | (q & 0xffff);
  R[1] = a1 * b1 + ((m / 65536) >>> 0) + Math.imul(al, bh) + Math.imul(ah, bl);
}
/** R += (bh:bl) mod 2^64. */
function addR(bh: number, bl: number): void {
  const s = R[0]! + (bl >>> 0);
  R[0] = s;
  R[1] = R[1]! + bh + (s > 0xffffffff ? 1 : 0);
}
/** R = rotl(R, r), 0 < r < 32. */
function rotlR(r: number): void {
  const l = R[0]!, h = R[1]!;
  R[1] = (h << r) | (l >>> (32 - r));
  R[0] = (l << r) | (h >>> (32 - r));
}
/** R ^= R >> s, 0 < s < 32. */
function shrXorR(s: number): void {
  const l = R[0]!, h = R[1]!;
  R[0] = l ^ ((l >>> s) | (h << (32 - s)));
  R[1] = h ^ (h >>> s);
}

// XXH64 primes, as (high, low) halves.
const P1H = 0x9e3779b1, P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f;
const P3H = 0x165667b1, P3L = 0x9e3779f9;
const P4H = 0x85ebca77, P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f, P5L = 0x165667c5;

/** R = round(0, (h:l)) = rotl((h:l) * P2, 31) * P1. */
function round0R(h: number, l: number): void {
  R[0] = l;
  R[1] = h;
  mulR(P2H, P2L);
  rotlR(31);
  mulR(P1H, P1L);
}

/**
 * XXH64 with seed 0 of `buf`, the algorithm of wasm/common/checksum.ts.
 * Returns the low 32 bits (the stored checksum); R holds the whole hash after.
 * The 32-byte stripe loop (where the time goes) is written out by hand: four
 * lanes of (acc + input × P2) rotl 31 × P1 in local variables.
 */
function xxh64Ts(buf: Uint8Array): number {
  const len = buf.length;
  if ((buf.byteOffset & 3) !== 0) buf = buf.slice(); // the word view needs 4-byte alignment
  const w = new Uint32Array(buf.buffer, buf.byteOffset, len >>> 2);
  let p = 0; // word index
  let hl: number, hh: number;
  if (len >= 32) {
    // v1 = P1 + P2, v2 = P2, v3 = 0, v4 = -P1 (mod 2^64)
    let v1h = 0x60ea27ee | 0, v1l = 0xadc0b5d6;
    let v2h = P2H | 0, v2l = P2L;
    let v3h = 0, v3l = 0;
    let v4h = 0x61c8864e, v4l = 0x7a143579;
    const stripes = len >>> 5;
    let il = 0, ih = 0, x0 = 0, x1 = 0, q = 0, m = 0, t = 0, sh = 0, sl = 0, rh = 0, rl = 0;
    for (let s = 0; s < stripes; s++, p += 8) {
      // lane 1
      il = w[p]!; ih = w[p + 1]!;
      x0 = il & 0xffff; x1 = il >>> 16;
      q = x0 * 0xeb4f; m = x1 * 0xeb4f + x0 * 0x27d4 + (q >>> 16);
      t = (((m << 16) | (q & 0xffff)) >>> 0) + v1l;
      sh = (x1 * 0x27d4 + ((m / 65536) >>> 0) + Math.imul(il, 0xc2b2ae3d) + Math.imul(ih, 0x27d4eb4f) + v1h + (t > 0xffffffff ? 1 : 0)) | 0;
      sl = t >>> 0;
      rh = (sh << 31) | (sl >>> 1); rl = (sl << 31) | (sh >>> 1);
      x0 = rl & 0xffff; x1 = rl >>> 16;
      q = x0 * 0xca87; m = x1 * 0xca87 + x0 * 0x85eb + (q >>> 16);
      v1l = ((m << 16) | (q & 0xffff)) >>> 0;
      v1h = (x1 * 0x85eb + ((m / 65536) >>> 0) + Math.imul(rl, 0x9e3779b1) + Math.imul(rh, 0x85ebca87)) | 0;
      // lane 2
      il = w[p + 2]!; ih = w[p + 3]!;
      x0 = il & 0xffff; x1 = il >>> 16;
      q = x0 * 0xeb4f; m = x1 * 0xeb4f + x0 * 0x27d4 + (q >>> 16);
      t = (((m << 16) | (q & 0xffff)) >>> 0) + v2l;
      sh = (x1 * 0x27d4 + ((m / 65536) >>> 0) + Math.imul(il, 0xc2b2ae3d) + Math.imul(ih, 0x27d4eb4f) + v2h + (t > 0xffffffff ? 1 : 0)) | 0;
      sl = t >>> 0;
      rh = (sh << 31) | (sl >>> 1); rl = (sl << 31) | (sh >>> 1);
      x0 = rl & 0xffff; x1 = rl >>> 16;
      q = x0 * 0xca87; m = x1 * 0xca87 + x0 * 0x85eb + (q >>> 16);
      v2l = ((m << 16) | (q & 0xffff)) >>> 0;
      v2h = (x1 * 0x85eb + ((m / 65536) >>> 0) + Math.imul(rl, 0x9e3779b1) + Math.imul(rh, 0x85ebca87)) | 0;
      // lane 3
      il = w[p + 4]!; ih = w[p + 5]!;
      x0 = il & 0xffff; x1 = il >>> 16;
      q = x0 * 0xeb4f; m = x1 * 0xeb4f + x0 * 0x27d4 + (q >>> 16);
      t = (((m << 16) | (q & 0xffff)) >>> 0) + v3l;
      sh = (x1 * 0x27d4 + ((m / 65536) >>> 0) + Math.imul(il, 0xc2b2ae3d) + Math.imul(ih, 0x27d4eb4f) + v3h + (t > 0xffffffff ? 1 : 0)) | 0;
      sl = t >>> 0;
      rh = (sh << 31) | (sl >>> 1); rl = (sl << 31) | (sh >>> 1);
      x0 = rl & 0xffff; x1 = rl >>> 16;
      q = x0 * 0xca87; m = x1 * 0xca87 + x0 * 0x85eb + (q >>> 16);
      v3l = ((m << 16) | (q & 0xffff)) >>> 0;
      v3h = (x1 * 0x85eb + ((m / 65536) >>> 0) + Math.imul(rl, 0x9e3779b1) + Math.imul(rh, 0x85ebca87)) | 0;
      // lane 4
      il = w[p + 6]!; ih = w[p + 7]!;
      x0 = il & 0xffff; x1 = il >>> 16;
      q = x0 * 0xeb4f; m = x1 * 0xeb4f + x0 * 0x27d4 + (q >>> 16);
      t = (((m << 16) | (q & 0xffff)) >>> 0) + v4l;
      sh = (x1 * 0x27d4 + ((m / 65536) >>> 0) + Math.imul(il, 0xc2b2ae3d) + Math.imul(ih, 0x27d4eb4f) + v4h + (t > 0xffffffff ? 1 : 0)) | 0;
      sl = t >>> 0;
      rh = (sh << 31) | (sl >>> 1); rl = (sl << 31) | (sh >>> 1);
      x0 = rl & 0xffff; x1 = rl >>> 16;
      q = x0 * 0xca87; m = x1 * 0xca87 + x0 * 0x85eb + (q >>> 16);
      v4l = ((m << 16) | (q & 0xffff)) >>> 0;
      v4h = (x1 * 0x85eb + ((m / 65536) >>> 0) + Math.imul(rl, 0x9e3779b1) + Math.imul(rh, 0x85ebca87)) | 0;
    }
    // h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)
    R[0] = v1l; R[1] = v1h; rotlR(1);
    let al = R[0]!, ah = R[1]!;
    R[0] = v2l; R[1] = v2h; rotlR(7);
    let s = al + R[0]!; ah = ah + R[1]! + (s > 0xffffffff ? 1 : 0); al = s >>> 0;
    R[0] = v3l; R[1] = v3h; rotlR(12);
    s = al + R[0]!; ah = ah + R[1]! + (s > 0xffffffff ? 1 : 0); al = s >>> 0;
    R[0] = v4l; R[1] = v4h; rotlR(18);
    s = al + R[0]!; ah = (ah + R[1]! + (s > 0xffffffff ? 1 : 0)) >>> 0; al = s >>> 0;
    hl = al; hh = ah;
    // mergeRound(h, v) = (h ^ round(0, v)) * P1 + P4, for v1..v4
    const vs = [v1h, v1l, v2h, v2l, v3h, v3l, v4h, v4l];
    for (let k = 0; k < 8; k += 2) {
      round0R(vs[k]!, vs[k + 1]!);
      R[0] = hl ^ R[0]!; R[1] = hh ^ R[1]!;
      mulR(P1H, P1L);
      addR(P4H, P4L);
      hl = R[0]!; hh = R[1]!;
    }
  } else {
    hl = P5L; hh = P5H;
  }
  // h += len
  R[0] = hl; R[1] = hh;
  addR(Math.floor(len / 4294967296), len >>> 0);
  hl = R[0]!; hh = R[1]!;
  let b = p << 2; // byte position
  while (b + 8 <= len) {
    round0R(w[p + 1]!, w[p]!);
    R[0] = hl ^ R[0]!; R[1] = hh ^ R[1]!;
    rotlR(27); mulR(P1H, P1L); addR(P4H, P4L);
    hl = R[0]!; hh = R[1]!;
    p += 2; b += 8;
  }
  if (b + 4 <= len) {
    R[0] = w[p]!; R[1] = 0;
    mulR(P1H, P1L);
    R[0] = hl ^ R[0]!; R[1] = hh ^ R[1]!;
    rotlR(23); mulR(P2H, P2L); addR(P3H, P3L);
    hl = R[0]!; hh = R[1]!;
    b += 4;
  }
  while (b < len) {
    R[0] = buf[b]!; R[1] = 0;
    mulR(P5H, P5L);
    R[0] = hl ^ R[0]!; R[1] = hh ^ R[1]!;
    rotlR(11); mulR(P1H, P1L);
    hl = R[0]!; hh = R[1]!;
    b++;
  }
  R[0] = hl; R[1] = hh;
  // avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32
  R[0] = R[0]! ^ (R[1]! >>> 1);
  mulR(P2H, P2L);
  shrXorR(29);
  mulR(P3H, P3L);
  R[0] = R[0]! ^ R[1]!;
  return R[0]!;
}

// The kernel's key hash (wasm/common/bytes.ts hashBytes): used for the Bloom
// filters and the in-block hash buckets, so a TS reader of run files must
// compute it bit for bit.
const M1H = 0x9e3779b9, M1L = 0x7f4a7c15;

/** mix() of bytes.ts on R: x ^= x>>30; x *= M2; x ^= x>>27; x *= M3; x ^= x>>31. */
function mixR(): void {
  let l = R[0]!, h = R[1]!;
  l = (l ^ ((l >>> 30) | (h << 2))) >>> 0; h = (h ^ (h >>> 30)) >>> 0;
  let a0 = l & 0xffff, a1 = l >>> 16;
  let q = a0 * 0xe5b9;
  let m = a1 * 0xe5b9 + a0 * 0x1ce4 + (q >>> 16);
  let nl = ((m << 16) | (q & 0xffff)) >>> 0;
  h = (a1 * 0x1ce4 + ((m / 65536) >>> 0) + Math.imul(l, 0xbf58476d) + Math.imul(h, 0x1ce4e5b9)) >>> 0;
  l = nl;
  l = (l ^ ((l >>> 27) | (h << 5))) >>> 0; h = (h ^ (h >>> 27)) >>> 0;
  a0 = l & 0xffff; a1 = l >>> 16;
  q = a0 * 0x11eb;
  m = a1 * 0x11eb + a0 * 0x1331 + (q >>> 16);
  nl = ((m << 16) | (q & 0xffff)) >>> 0;
  h = (a1 * 0x1331 + ((m / 65536) >>> 0) + Math.imul(l, 0x94d049bb) + Math.imul(h, 0x133111eb)) >>> 0;
  l = nl;
  R[0] = l ^ ((l >>> 31) | (h << 1));
  R[1] = h ^ (h >>> 31);
}

/** hashBytes(key) of bytes.ts: R[0] = low 32 bits, R[1] = high 32 bits. */
function keyHashTs(b: Uint8Array, off: number, len: number): void {
  // h = len * M1 ^ 0x2545f4914f6cdd1d
  R[0] = len; R[1] = 0;
  mulR(M1H, M1L);
  R[0] = R[0]! ^ 0x4f6cdd1d; R[1] = R[1]! ^ 0x2545f491;
  let i = 0;
  for (; i + 8 <= len; i += 8) {
    const p = off + i;
    R[0] = R[0]! ^ (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24));
    R[1] = R[1]! ^ (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24));
    mixR();
    addR(M1H, M1L);
  }
  if (i < len) {
    let tl = 0, th = 0, shift = 0;
    for (; i < len; i++, shift += 8) {
      const x = b[off + i]!;
      if (shift < 32) tl |= x << shift;
      else th |= x << (shift - 32);
    }
    R[0] = R[0]! ^ tl;
    R[1] = R[1]! ^ th ^ (shift << 24); // tail ^ (shift << 56)
    mixR();
  }
  mixR();
}

/** A cheaper 32-bit key hash for TS-only structures (murmur3-style lanes over little-endian words). */
function hash32(b: Uint8Array, off: number, len: number): number {
  let h = 0x9747b28c ^ len;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const p = off + i;
    let k = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let t = 0;
  for (let s = 0; i < len; i++, s += 8) t |= b[off + i]! << s;
  h ^= Math.imul(t, 0x165667b1);
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return h >>> 0;
}

// ---- kernel helpers ----

/**
 * Copies a key (and value) into the kernel's I/O buffer the way Txn.place
 * does (a byte loop for short keys: TypedArray.set costs more than the copy);
 * returns the pointer.
 */
function place(k: StorageKernel, key: Uint8Array, val?: Uint8Array): number {
  const kl = key.length, vl = val ? val.length : 0;
  const p = k.ioBuffer(kl + vl);
  const u8 = k.u8();
  if (kl <= 32) for (let i = 0; i < kl; i++) u8[p + i] = key[i]!;
  else u8.set(key, p);
  if (val) {
    if (vl <= 32) for (let i = 0; i < vl; i++) u8[p + kl + i] = val[i]!;
    else u8.set(val, p + kl);
  }
  return p;
}

/** A PlatformFile over bytes in memory (served to the kernel's host.read). */
function memFile(bytes: Uint8Array): PlatformFile {
  return {
    path: 'mem',
    readSync(buf: Uint8Array, position: number): number {
      const n = Math.max(0, Math.min(buf.length, bytes.length - position));
      buf.set(bytes.subarray(position, position + n));
      return n;
    },
    write: async () => {},
    sync: async () => {},
    truncate: async () => {},
    size: () => bytes.length,
    close: async () => {},
  } as unknown as PlatformFile;
}

let stampSeq = 10;

/** Writes rows in one transaction and commits it (stamp returned). */
function kernelCommitRows(k: StorageKernel, rows: Uint8Array[]): number {
  const x = k.x;
  const slot = x.tx_begin(++stampSeq, stampSeq - 1);
  for (const key of rows) {
    const p = place(k, key, value);
    k.check(x.kv_put(p, KEY, p + KEY, VAL, OP_PUT, slot, stampSeq - 1, 0), 'kv_put');
  }
  const stamp = ++stampSeq;
  const idp = k.ioBuffer(16);
  k.u8().fill(7, idp, idp + 16);
  k.check(x.tx_commit_prepare(slot, idp, stamp), 'commit prepare');
  x.tx_commit_finish(slot);
  return stamp;
}

/** Freezes the active memtable and flushes it into an in-memory run; installs it. Returns the run file bytes. */
function kernelFlush(k: StorageKernel, horizon: number): Uint8Array {
  const x = k.x;
  k.check(x.lsm_freeze(), 'freeze');
  const job = x.flush_begin(horizon, x.lsm_run_count() === 0 ? 1 : 0, BLOCK_BYTES, 10);
  if (job === 0) throw new Error('flush_begin failed');
  const parts: Uint8Array[] = [];
  for (;;) {
    const st = k.check(x.job_step(job, 1 << 20), 'job_step');
    const len = x.job_out_len(job);
    if (len > 0) {
      parts.push(k.copyOut(x.job_out_ptr(job), len).slice());
      x.job_out_consume(job);
    }
    if (st === 0) break;
  }
  x.job_free(job);
  const size = parts.reduce((n, p) => n + p.length, 0);
  const file = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    file.set(p, at);
    at += p.length;
  }
  const fileId = k.registerFile(memFile(file));
  const runId = x.run_open(fileId, size);
  if (runId < 0) throw new Error(`run_open ${runId}`);
  k.check(x.lsm_install_flush(runId), 'install flush');
  return file;
}

// =====================================================================
// 1. Checksums
// =====================================================================

const CRC_T = (() => {
  const t = new Uint32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let j = 0; j < 8; j++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  for (let s = 1; s < 8; s++) {
    for (let i = 0; i < 256; i++) {
      const prev = t[(s - 1) * 256 + i]!;
      t[s * 256 + i] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
})();

/** CRC32C, slicing-by-8, reading aligned little-endian words through a Uint32Array. */
function crc32cTs(buf: Uint8Array, crc = 0): number {
  const T = CRC_T;
  let c = ~crc >>> 0;
  const n = buf.length;
  let i = 0;
  while (i < n && (buf.byteOffset + i) & 3) c = (c >>> 8) ^ T[(c ^ buf[i++]!) & 0xff]!;
  const words = new Uint32Array(buf.buffer, buf.byteOffset + i, (n - i) >>> 2);
  let w = 0;
  const pairs = words.length >>> 1;
  for (let k = 0; k < pairs; k++) {
    const lo = words[w]! ^ c;
    const hi = words[w + 1]!;
    w += 2;
    c = T[1792 + (lo & 0xff)]! ^ T[1536 + ((lo >>> 8) & 0xff)]! ^ T[1280 + ((lo >>> 16) & 0xff)]! ^ T[1024 + (lo >>> 24)]! ^
      T[768 + (hi & 0xff)]! ^ T[512 + ((hi >>> 8) & 0xff)]! ^ T[256 + ((hi >>> 16) & 0xff)]! ^ T[hi >>> 24]!;
  }
  i += pairs * 8;
  while (i < n) c = (c >>> 8) ^ T[(c ^ buf[i++]!) & 0xff]!;
  return ~c >>> 0;
}

/** Checks the TS XXH64 and key hash against the kernel (and XXH64 against the BigInt reference) on many lengths. */
function verifyHashes(k: StorageKernel, probe: Probe): void {
  const data = new Uint8Array(4096 + 8);
  randomFillSync(data);
  const p = k.ioBuffer(data.length);
  k.u8().set(data, p);
  const out = probe.probe_alloc(8 + 4096);
  const pm = (): Uint8Array => new Uint8Array(probe.memory.buffer);
  pm().set(data.subarray(0, 4096), out + 8);
  const lens = [...Array.from({ length: 130 }, (_, i) => i), 255, 256, 1000, 1023, 4095, 4096];
  for (const len of lens) {
    for (const off of [0, 1, 4, 8]) {
      if (off + len > data.length) continue;
      const kc = k.x.checksum_of(p + off, len) >>> 0;
      const tc = xxh64Ts(data.subarray(off, off + len));
      const full = (BigInt(R[1]!) << 32n) | BigInt(R[0]!);
      if (kc !== tc) throw new Error(`XXH64 mismatch at len ${len} off ${off}: kernel ${kc.toString(16)} TS ${tc.toString(16)}`);
      if (len < 300 && off === 0 && hash64BigInt(data.subarray(0, len)) !== full) throw new Error(`XXH64 differs from the BigInt reference at len ${len}`);
    }
    if (len <= 64) {
      probe.probe_hash(out + 8, len, out);
      const m = new Uint32Array(probe.memory.buffer, out, 2);
      const kl = m[0]!, kh = m[1]!;
      keyHashTs(data, 0, len);
      if (kl !== R[0] || kh !== R[1]) throw new Error(`key hash mismatch at len ${len}`);
    }
  }
}

async function benchChecksums(probe: Probe): Promise<void> {
  log(`checksums over ${SUM_BYTES >> 20} MiB`);
  const data = new Uint8Array(SUM_BYTES);
  randomFillSync(data);
  const k = await StorageKernel.load(platform);
  verifyHashes(k, probe);
  const p = k.ioBuffer(SUM_BYTES);
  k.u8().set(data, p);
  const gib = (t: number): string => `${(SUM_BYTES / t / 2 ** 30).toFixed(2)} GiB/s`;
  const perKiB = (t: number): number => ns(t, SUM_BYTES / 1024);
  // XXH64: the block and WAL checksum.
  let kx = 0, tx = 0, kc = 0, tc = 0;
  const [tkx, tkxCopy, ttx, tkc, ttc] = bestEach([
    () => (kx = k.x.checksum_of(p, SUM_BYTES) >>> 0),
    () => {
      k.u8().set(data, p);
      kx = k.x.checksum_of(p, SUM_BYTES) >>> 0;
    },
    () => (tx = xxh64Ts(data)),
    () => (kc = k.x.crc32c_of(p, SUM_BYTES) >>> 0),
    () => (tc = crc32cTs(data)),
  ], REPS + 2) as [number, number, number, number, number];
  if (kx !== tx) throw new Error(`XXH64 mismatch ${kx} ${tx}`);
  results.push({ loop: `checksum XXH64, ${SUM_BYTES >> 20} MiB (ns per KiB)`, kernel: 'checksum_of (data in linear memory)', kernelNs: perKiB(tkx), ts: 'XXH64 on 32-bit halves (Math.imul, 16-bit split)', tsNs: perKiB(ttx), note: `kernel ${gib(tkx)}, TS ${gib(ttx)}` });
  results.push({ loop: 'checksum XXH64 incl. copy into linear memory', kernel: 'u8.set + checksum_of', kernelNs: perKiB(tkxCopy), ts: 'same TS XXH64', tsNs: perKiB(ttx), note: `kernel ${gib(tkxCopy)}` });
  // The BigInt reference (host/storage/checksum.ts), on 1 MiB: how far off a straightforward TS port is.
  const small = data.subarray(0, 1 << 20);
  const tBig = best(() => hash64BigInt(small), 1);
  extra.push(`XXH64 with BigInt (host/storage/checksum.ts) over 1 MiB: ${f0(ns(tBig, 1024))} ns per KiB (${((1 << 20) / tBig / 2 ** 20).toFixed(1)} MiB/s)`);
  // CRC32C (still exported; the old block checksum).
  if (kc !== tc) throw new Error(`CRC mismatch ${kc} ${tc}`);
  results.push({ loop: `CRC32C, ${SUM_BYTES >> 20} MiB (ns per KiB)`, kernel: 'crc32c_of (data in linear memory)', kernelNs: perKiB(tkc), ts: 'slicing-by-8 over Uint32Array', tsNs: perKiB(ttc), note: `kernel ${gib(tkc)}, TS ${gib(ttc)}` });
}

// =====================================================================
// 2. Memtable: the kernel's B+tree + hash index against two TS designs
// =====================================================================

// Version flags (as the kernel's mvcc/version.ts).
const VF_TOMBSTONE = 1, VF_COMMITTED = 2, VF_ABORTED = 4, VF_MOVED = 8;
const CAP = 64;

/** How far ahead the lone-memtable walk touches versions: merge_iter.ts AHEAD, the same on both sides. */
const MEM_AHEAD = 24;

/** B+tree node of the typed-array memtable: 6-byte key prefixes (exact in a double) beside version ids. */
class TNode {
  n = 0;
  readonly pre = new Float64Array(CAP + 1);
  readonly ver = new Int32Array(CAP + 1);
  readonly kids: TNode[] | null;
  next: TNode | null = null;
  constructor(leaf: boolean) {
    this.kids = leaf ? null : [];
  }
}

/** First six key bytes as a number (order-preserving, zero padded). */
function prefix6(b: Uint8Array, off: number, len: number): number {
  let v = 0;
  for (let i = 0; i < 6; i++) v = v * 256 + (i < len ? b[off + i]! : 0);
  return v;
}

// A version record of the typed-array memtable, in its byte arena (8-byte
// aligned, like the kernel's version header): i32 key length | i32 value
// length | f64 seq | f64 stamp | i32 slot | i32 flags | i32 older version
// (-1: none) | i32 pad | key | value. A version id is its byte offset.
const VR_HDR = 40;

/**
 * The TS memtable that mirrors the kernel's design in typed arrays: version
 * records (header, key, value) in one byte arena, a B+tree (fan-out 64) over
 * (key asc, seq desc) with key prefixes in the nodes, and an open-addressing
 * hash index (u32 hash | version) to the newest version of each key, older
 * versions chained.
 */
class TypedMemtable {
  arena = new Uint8Array(1 << 20);
  i32 = new Int32Array(this.arena.buffer);
  f64 = new Float64Array(this.arena.buffer);
  top = 0;
  count = 0;
  ht = new Int32Array(2 * 1024); // slot j: [2j] hash, [2j+1] version id + 1
  hcap = 1024;
  hcount = 0;
  root = new TNode(true);
  first: TNode = this.root;
  seq = 1;
  private readonly pathN: TNode[] = [];
  private readonly pathI = new Int32Array(32);

  kl(v: number): number {
    return this.i32[v >> 2]!;
  }
  vl(v: number): number {
    return this.i32[(v >> 2) + 1]!;
  }
  flags(v: number): number {
    return this.i32[(v >> 2) + 7]!;
  }
  older(v: number): number {
    return this.i32[(v >> 2) + 8]!;
  }
  /** The version is visible to (slot, snapshot): committed within the snapshot, or the reader's own live write. */
  visible(v: number, slot: number, snapshot: number): boolean {
    const f = this.i32[(v >> 2) + 7]!;
    if ((f & VF_COMMITTED) !== 0) return this.f64[(v >> 3) + 2]! <= snapshot;
    return this.i32[(v >> 2) + 6] === slot && (f & (VF_ABORTED | VF_MOVED)) === 0;
  }

  private growArena(need: number): void {
    let n = this.arena.length * 2;
    while (n < need) n *= 2;
    const a = new Uint8Array(n);
    a.set(this.arena);
    this.arena = a;
    this.i32 = new Int32Array(a.buffer);
    this.f64 = new Float64Array(a.buffer);
  }

  private growHash(): void {
    const ncap = this.hcap * 2;
    const t = new Int32Array(2 * ncap);
    const old = this.ht;
    const mask = ncap - 1;
    for (let i = 0; i < this.hcap; i++) {
      const v = old[2 * i + 1]!;
      if (v === 0) continue;
      const h = old[2 * i]!;
      let j = h & mask;
      while (t[2 * j + 1] !== 0) j = (j + 1) & mask;
      t[2 * j] = h;
      t[2 * j + 1] = v;
    }
    this.ht = t;
    this.hcap = ncap;
  }

  private keyEq(v: number, b: Uint8Array, off: number, len: number): boolean {
    if (this.i32[v >> 2] !== len) return false;
    const a = this.arena;
    const p = v + VR_HDR;
    for (let i = 0; i < len; i++) if (a[p + i] !== b[off + i]) return false;
    return true;
  }

  /** Probe (key, prefix, seq) against version v with prefix ep: <0 when the probe sorts first. */
  private cmp(b: Uint8Array, off: number, len: number, pp: number, seq: number, ep: number, v: number): number {
    if (pp !== ep) return pp < ep ? -1 : 1;
    const c = cmpAt(b, off, len, this.arena, v + VR_HDR, this.i32[v >> 2]!);
    if (c !== 0) return c;
    const es = this.f64[(v >> 3) + 1]!;
    return seq === es ? 0 : seq > es ? -1 : 1;
  }

  /** Finds the newest version of a key (-1 when absent); `hslot` is its hash slot or the empty slot to use. */
  private hslot = 0;
  private find(b: Uint8Array, off: number, len: number, h: number): number {
    const t = this.ht;
    const mask = this.hcap - 1;
    let j = h & mask;
    for (;;) {
      const e = t[2 * j + 1]!;
      if (e === 0) {
        this.hslot = j;
        return -1;
      }
      if (t[2 * j] === (h | 0) && this.keyEq(e - 1, b, off, len)) {
        this.hslot = j;
        return e - 1;
      }
      j = (j + 1) & mask;
    }
  }

  /** A write by transaction `slot` (uncommitted); returns the version id, or -1 on a write conflict. */
  put(key: Uint8Array, val: Uint8Array, slot: number, writes: number[]): number {
    const kl = key.length, vl = val.length;
    const h = hash32(key, 0, kl);
    if ((this.hcount + 1) * 2 > this.hcap) this.growHash();
    const older = this.find(key, 0, kl, h);
    const hs = this.hslot;
    // Conflict check: the newest live version.
    for (let v = older; v >= 0; v = this.older(v)) {
      const f = this.flags(v);
      if ((f & (VF_ABORTED | VF_MOVED)) !== 0) continue;
      if ((f & VF_COMMITTED) === 0 && this.i32[(v >> 2) + 6] !== slot) return -1;
      break;
    }
    // The version record: header, key and value bytes.
    const v = this.top;
    const size = (VR_HDR + kl + vl + 7) & ~7;
    if (v + size > this.arena.length) this.growArena(v + size);
    this.top = v + size;
    this.count++;
    const a = this.arena, i32 = this.i32, f64 = this.f64;
    const w = v >> 2, d = v >> 3;
    i32[w] = kl;
    i32[w + 1] = vl;
    f64[d + 1] = ++this.seq;
    f64[d + 2] = 0;
    i32[w + 6] = slot;
    i32[w + 7] = 0;
    i32[w + 8] = older;
    const at = v + VR_HDR;
    for (let i = 0; i < kl; i++) a[at + i] = key[i]!;
    for (let i = 0; i < vl; i++) a[at + kl + i] = val[i]!;
    this.insert(v, prefix6(key, 0, kl));
    const t = this.ht;
    if (older < 0) {
      t[2 * hs] = h;
      this.hcount++;
    }
    t[2 * hs + 1] = v + 1;
    writes.push(v);
    return v;
  }

  /** Reads the version visible to (slot, snapshot): a view of its value, or undefined. */
  get(key: Uint8Array, slot: number, snapshot: number): Uint8Array | undefined {
    const kl = key.length;
    for (let v = this.find(key, 0, kl, hash32(key, 0, kl)); v >= 0; v = this.older(v)) {
      if (!this.visible(v, slot, snapshot)) continue;
      if ((this.flags(v) & VF_TOMBSTONE) !== 0) return undefined;
      const p = v + VR_HDR + kl;
      return this.arena.subarray(p, p + this.vl(v));
    }
    return undefined;
  }

  private insert(v: number, pp: number): void {
    const key = this.arena, off = v + VR_HDR, len = this.kl(v), seq = this.f64[(v >> 3) + 1]!;
    let n = this.root;
    let depth = 0;
    while (n.kids !== null) {
      // child index: separators <= probe
      let lo = 0, hi = n.n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.cmp(key, off, len, pp, seq, n.pre[mid]!, n.ver[mid]!) >= 0) lo = mid + 1;
        else hi = mid;
      }
      this.pathN[depth] = n;
      this.pathI[depth] = lo;
      depth++;
      n = n.kids[lo]!;
    }
    let lo = 0, hi = n.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cmp(key, off, len, pp, seq, n.pre[mid]!, n.ver[mid]!) > 0) lo = mid + 1;
      else hi = mid;
    }
    const cnt = n.n;
    if (cnt === CAP && lo === CAP && n.next === null) {
      // Appending at the right edge: a new leaf with just this version (sequential loads fill leaves).
      const right = new TNode(true);
      right.pre[0] = pp;
      right.ver[0] = v;
      right.n = 1;
      n.next = right;
      this.pushUp(depth, pp, v, right);
      return;
    }
    const pre = n.pre, ver = n.ver;
    if (lo < cnt) {
      pre.copyWithin(lo + 1, lo, cnt);
      ver.copyWithin(lo + 1, lo, cnt);
    }
    pre[lo] = pp;
    ver[lo] = v;
    n.n = cnt + 1;
    if (cnt + 1 <= CAP) return;
    const half = (cnt + 1) >>> 1;
    const right = new TNode(true);
    right.pre.set(pre.subarray(half, cnt + 1));
    right.ver.set(ver.subarray(half, cnt + 1));
    right.n = cnt + 1 - half;
    n.n = half;
    right.next = n.next;
    n.next = right;
    this.pushUp(depth, right.pre[0]!, right.ver[0]!, right);
  }

  private pushUp(depth: number, sp: number, sv: number, child: TNode): void {
    for (let d = depth - 1; d >= 0; d--) {
      const p = this.pathN[d]!;
      const ci = this.pathI[d]!;
      const cnt = p.n;
      const pre = p.pre, ver = p.ver, kids = p.kids!;
      if (ci < cnt) {
        pre.copyWithin(ci + 1, ci, cnt);
        ver.copyWithin(ci + 1, ci, cnt);
      }
      pre[ci] = sp;
      ver[ci] = sv;
      kids.splice(ci + 1, 0, child);
      p.n = cnt + 1;
      if (cnt + 1 <= CAP) return;
      // Split around the middle separator, which moves up.
      const mid = (cnt + 1) >>> 1;
      const right = new TNode(false);
      right.pre.set(pre.subarray(mid + 1, cnt + 1));
      right.ver.set(ver.subarray(mid + 1, cnt + 1));
      right.n = cnt - mid;
      right.kids!.push(...kids.splice(mid + 1));
      p.n = mid;
      sp = pre[mid]!;
      sv = ver[mid]!;
      child = right;
    }
    const r = new TNode(false);
    r.pre[0] = sp;
    r.ver[0] = sv;
    r.n = 1;
    r.kids!.push(this.root, child);
    this.root = r;
  }

  /** Full scan by a bare leaf walk: for each key the version visible to (slot, snapshot), read in place. */
  scan(slot: number, snapshot: number): { rows: number; sum: number } {
    const a = this.arena;
    let rows = 0, sum = 0;
    let gOff = -1, gLen = 0, gPre = -1, done = false;
    let sink = 0;
    for (let n: TNode | null = this.first; n !== null; n = n.next) {
      const pre = n.pre, ver = n.ver, cnt = n.n;
      for (let i = 0; i < cnt; i++) {
        // The kernel's memRun touches the version AHEAD entries ahead (overlapping the misses); so does this loop.
        if (i + MEM_AHEAD < cnt) sink += this.i32[ver[i + MEM_AHEAD]! >> 2]!;
        const v = ver[i]!;
        const off = v + VR_HDR, kl = this.kl(v);
        if (pre[i] !== gPre || cmpAt(a, off, kl, a, gOff, gLen) !== 0) {
          gPre = pre[i]!;
          gOff = off;
          gLen = kl;
          done = false;
        }
        if (done) continue; // an older version of a key already answered
        if (!this.visible(v, slot, snapshot)) continue;
        done = true;
        if ((this.flags(v) & VF_TOMBSTONE) !== 0) continue;
        sum += kl + this.vl(v) + a[off + kl]!;
        rows++;
      }
    }
    if (sink === -1) rows = -1; // keeps the touch-ahead loads alive
    return { rows, sum };
  }
}

/** A version as a JS object (the object memtable). */
interface OV {
  key: Uint8Array;
  val: Uint8Array;
  seq: number;
  stamp: number;
  slot: number;
  flags: number;
  older: OV | null;
}
interface OLeaf { leaf: true; items: OV[]; next: OLeaf | null }
interface OInner { leaf: false; seps: OV[]; kids: ONode[] }
type ONode = OLeaf | OInner;

/** Order of versions: key ascending, then seq descending. */
function cmpOV(a: OV, b: OV): number {
  const c = cmpBytes(a.key, b.key);
  return c !== 0 ? c : b.seq - a.seq;
}

function binStr(b: Uint8Array): string {
  return String.fromCharCode.apply(null, b as unknown as number[]);
}

/**
 * The plain-objects memtable the brief suggests: version objects, a B+tree
 * (fan-out 64) over them with Uint8Array key comparison, and a Map from the
 * key as a binary string (one char per byte) to the newest version.
 */
class ObjectMemtable {
  root: ONode = { leaf: true, items: [], next: null };
  first: OLeaf = this.root as OLeaf;
  map = new Map<string, OV>();
  seq = 1;

  put(key: Uint8Array, val: Uint8Array, slot: number, writes: OV[]): OV | null {
    const s = binStr(key);
    const older = this.map.get(s) ?? null;
    for (let v = older; v !== null; v = v.older) {
      if ((v.flags & (VF_ABORTED | VF_MOVED)) !== 0) continue;
      if ((v.flags & VF_COMMITTED) === 0 && v.slot !== slot) return null;
      break;
    }
    const v: OV = { key: key.slice(), val: val.slice(), seq: ++this.seq, stamp: 0, slot, flags: 0, older };
    this.insert(v);
    this.map.set(s, v);
    writes.push(v);
    return v;
  }

  get(key: Uint8Array, slot: number, snapshot: number): Uint8Array | undefined {
    for (let v = this.map.get(binStr(key)) ?? null; v !== null; v = v.older) {
      const f = v.flags;
      const visible = (f & VF_COMMITTED) !== 0 ? v.stamp <= snapshot : v.slot === slot && (f & (VF_ABORTED | VF_MOVED)) === 0;
      if (!visible) continue;
      return (f & VF_TOMBSTONE) !== 0 ? undefined : v.val;
    }
    return undefined;
  }

  private insert(v: OV): void {
    const path: OInner[] = [];
    const idx: number[] = [];
    let n = this.root;
    while (!n.leaf) {
      let lo = 0, hi = n.seps.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cmpOV(v, n.seps[mid]!) >= 0) lo = mid + 1;
        else hi = mid;
      }
      path.push(n);
      idx.push(lo);
      n = n.kids[lo]!;
    }
    const items = n.items;
    let lo = 0, hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmpOV(v, items[mid]!) > 0) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, v);
    if (items.length <= CAP) return;
    const right: OLeaf = { leaf: true, items: items.splice(items.length >>> 1), next: n.next };
    n.next = right;
    let sep = right.items[0]!;
    let child: ONode = right;
    for (let d = path.length - 1; d >= 0; d--) {
      const p = path[d]!;
      const ci = idx[d]!;
      p.seps.splice(ci, 0, sep);
      p.kids.splice(ci + 1, 0, child);
      if (p.seps.length <= CAP) return;
      const mid = p.seps.length >>> 1;
      const r: OInner = { leaf: false, seps: p.seps.splice(mid + 1), kids: p.kids.splice(mid + 1) };
      sep = p.seps.pop()!;
      child = r;
    }
    this.root = { leaf: false, seps: [sep], kids: [this.root, child] };
  }

  scan(slot: number, snapshot: number): { rows: number; sum: number } {
    let rows = 0, sum = 0;
    let group: Uint8Array | null = null;
    let done = false;
    for (let n: OLeaf | null = this.first; n !== null; n = n.next) {
      const items = n.items;
      for (let i = 0; i < items.length; i++) {
        const v = items[i]!;
        if (group === null || cmpBytes(v.key, group) !== 0) {
          group = v.key;
          done = false;
        }
        if (done) continue;
        const f = v.flags;
        const visible = (f & VF_COMMITTED) !== 0 ? v.stamp <= snapshot : v.slot === slot && (f & (VF_ABORTED | VF_MOVED)) === 0;
        if (!visible) continue;
        done = true;
        if ((f & VF_TOMBSTONE) !== 0) continue;
        sum += v.key.length + v.val.length + v.val[0]!;
        rows++;
      }
    }
    return { rows, sum };
  }
}

/** A TS cursor over one component (memtable or run), the current entry decoded in place. */
interface TsCursor {
  valid: boolean;
  /** The bytes holding the current key and value. */
  u8: Uint8Array;
  keyPos: number;
  kl: number;
  vl: number;
  visible(slot: number, snapshot: number): boolean;
  tombstone(): boolean;
  next(): void;
}

/** A cursor over the typed-array memtable's leaf chain. */
class TsMemCursor implements TsCursor {
  valid = true;
  u8: Uint8Array;
  keyPos = 0;
  kl = 0;
  vl = 0;
  private node: TNode | null;
  private i = 0;
  private v = 0;
  constructor(private readonly mt: TypedMemtable) {
    this.u8 = mt.arena;
    this.node = mt.first;
    if (this.node.n === 0) this.valid = false;
    else this.load();
  }
  private load(): void {
    const v = this.node!.ver[this.i]!;
    this.v = v;
    this.keyPos = v + VR_HDR;
    this.kl = this.mt.kl(v);
    this.vl = this.mt.vl(v);
  }
  visible(slot: number, snapshot: number): boolean {
    return this.mt.visible(this.v, slot, snapshot);
  }
  tombstone(): boolean {
    return (this.mt.flags(this.v) & VF_TOMBSTONE) !== 0;
  }
  next(): void {
    let n = this.node!;
    let i = this.i + 1;
    while (i >= n.n) {
      const nx = n.next;
      if (nx === null) {
        this.valid = false;
        return;
      }
      n = nx;
      i = 0;
    }
    this.node = n;
    this.i = i;
    this.load();
  }
}

/**
 * The merge iterator's loop in TS (as merge_iter.ts iterNext): the smallest
 * key among the cursors; per key the first visible version in component
 * order (newest first), tombstones skipped; every cursor moved past the key.
 * Rows are read in place: returns rows and a sum over key length, value
 * length and the first value byte.
 */
function tsMergeScan(cur: TsCursor[], slot: number, snapshot: number): { rows: number; sum: number } {
  const n = cur.length;
  let rows = 0, sum = 0;
  for (;;) {
    let mi = -1;
    for (let r = 0; r < n; r++) {
      const c = cur[r]!;
      if (!c.valid) continue;
      if (mi < 0) {
        mi = r;
        continue;
      }
      const m = cur[mi]!;
      if (cmpAt(c.u8, c.keyPos, c.kl, m.u8, m.keyPos, m.kl) < 0) mi = r;
    }
    if (mi < 0) break;
    const m = cur[mi]!;
    const gk = m.u8, gp = m.keyPos, gl = m.kl; // stays valid: cached blocks and the arena do not move during the scan
    let found = false;
    for (let r = 0; r < n; r++) {
      const c = cur[r]!;
      while (c.valid && cmpAt(c.u8, c.keyPos, c.kl, gk, gp, gl) === 0) {
        if (!found && c.visible(slot, snapshot)) {
          found = true;
          if (!c.tombstone()) {
            sum += c.kl + c.vl + c.u8[c.keyPos + c.kl]!;
            rows++;
          }
        }
        c.next();
      }
    }
  }
  return { rows, sum };
}

/**
 * Reads a kernel scan batch in place (as ScanCursor.fill/next do: each batch
 * copied into a buffer the cursor reuses): rows and a checksum of what was read.
 */
function kernelScan(k: StorageKernel, snapshot: number, slot: number, expectRows: number, decode = true, reverse = false): number {
  const x = k.x;
  const p = k.ioBuffer(16);
  const it = x.iter_open(p, 0, 0, p, 0, 0, snapshot, slot, reverse ? 1 : 0, 0, 0);
  let rows = 0, sum = 0;
  let own = new Uint8Array(0);
  let dv = new DataView(own.buffer);
  for (;;) {
    const n = x.iter_next(it, 4096, 1 << 20);
    if (n < 0) throw new Error(`iter_next ${n}`);
    if (n === 0) break;
    rows += n;
    if (!decode) continue;
    const ptr = x.iter_out_ptr(it) >>> 0, len = x.iter_out_len(it);
    if (len > own.length) {
      own = new Uint8Array(Math.max(len, 2 * own.length, 1024));
      dv = new DataView(own.buffer);
    }
    own.set(k.u8().subarray(ptr, ptr + len));
    const batch = own;
    let pos = 0;
    for (let r = 0; r < n; r++) {
      const kl = dv.getUint32(pos, true);
      const vl = dv.getUint32(pos + 4, true);
      sum += kl + vl + batch[pos + 8 + kl]!;
      pos += 8 + kl + vl;
    }
  }
  x.iter_close(it);
  if (rows !== expectRows) throw new Error(`kernel scan saw ${rows} rows, wanted ${expectRows}`);
  return sum;
}

/**
 * ScanCursor's TypeScript path for a lone memtable (the store's path for
 * reverse scans; forward ones stay on iter_next, which won): the kernel
 * iterator opened (it pins the memtable and seeks), then
 * StorageKernel.memWalkFill walks the leaves in TypeScript over the kernel's
 * memory, writing each batch straight into a host buffer; the rows read in
 * place as kernelScan reads them.
 */
function tsWalkScan(k: StorageKernel, snapshot: number, slot: number, expectRows: number, reverse = false): number {
  const x = k.x;
  const p = k.ioBuffer(16);
  const it = x.iter_open(p, 0, 0, p, 0, 0, snapshot, slot, reverse ? 1 : 0, 0, 0);
  const w = k.memWalkOpen(it, new Uint8Array(0), true, WALK_HI, true, reverse, snapshot, slot, Infinity);
  if (!w) throw new Error('memWalkOpen: not a lone memtable');
  let rows = 0, sum = 0;
  for (;;) {
    const n = k.memWalkFill(w, 4096, 1 << 20);
    if (n === 0) break;
    rows += n;
    const batch = w.out;
    const dv = w.view;
    let pos = 0;
    for (let r = 0; r < n; r++) {
      const kl = dv.getUint32(pos, true);
      const vl = dv.getUint32(pos + 4, true);
      sum += kl + vl + batch[pos + 8 + kl]!;
      pos += 8 + ((kl + vl + 7) & ~7); // the walk pads rows to 8 bytes
    }
  }
  x.iter_close(it);
  if (rows !== expectRows) throw new Error(`TS walk saw ${rows} rows, wanted ${expectRows}`);
  return sum;
}
/** An upper bound above every key (the iterator above is opened without one). */
const WALK_HI = new Uint8Array(64).fill(0xff);

async function benchMemtable(): Promise<void> {
  // The keys split as the store's memtable probe takes them: a 4-byte key space prefix and the rest
  // (local: two million views would slow every later garbage collection).
  const keyPre = keys.map((key) => key.subarray(0, 4));
  const keyRest = keys.map((key) => key.subarray(4));
  log(`memtable: ${NKEYS.toLocaleString()} random ${KEY}-byte keys, ${VAL}-byte values, one transaction`);
  const expectSum = NKEYS * (KEY + VAL + 0x5a);
  const since = (t0: number): number => (performance.now() - t0) / 1000;
  let tPut = Infinity, tGet = Infinity, tScan = Infinity, tIter = Infinity;
  let tCall = Infinity, tCopy = Infinity, tMemGet = Infinity, tWalk = Infinity;
  let sPut = Infinity, sGet = Infinity;
  let aPut = Infinity, aGet = Infinity, aScan = Infinity, aWalk = Infinity;
  let oPut = Infinity, oGet = Infinity, oScan = Infinity;
  const roundPutK: number[] = [], roundPutT: number[] = [], roundScanK: number[] = [], roundScanT: number[] = [], roundWalk: number[] = [];
  // Each round runs every contender once, so a busy neighbour slows them alike.
  for (let r = 0; r < REPS; r++) {
    {
      // Kernel, called the way Txn calls it: copy key and value into the I/O buffer, kv_put / kv_get, copy the value out.
      const k = await StorageKernel.load(platform);
      const x = k.x;
      const slot = x.tx_begin(2, 1);
      let t0 = performance.now();
      for (let i = 0; i < NKEYS; i++) {
        const p = place(k, keys[i]!, value);
        if (x.kv_put(p, KEY, p + KEY, VAL, OP_PUT, slot, 1, 0) !== 0) throw new Error('kv_put');
      }
      roundPutK.push(since(t0));
      tPut = Math.min(tPut, roundPutK[roundPutK.length - 1]!);
      let bytes = 0;
      t0 = performance.now();
      for (let i = 0; i < NKEYS; i++) {
        const p = place(k, keys[i]!);
        if (x.kv_get(p, KEY, 1, slot, 0) !== 0) throw new Error('kv_get');
        bytes += k.copyOut(k.resultU32(0), k.resultU32(1)).length;
      }
      tGet = Math.min(tGet, since(t0));
      if (bytes !== NKEYS * VAL) throw new Error('kernel get bytes');
      // The store's memtable read since the kernel loop lost: StorageKernel.memGet (TypeScript over the kernel's memory) + copyOut.
      bytes = 0;
      t0 = performance.now();
      for (let i = 0; i < NKEYS; i++) {
        const m = k.memGet(keyPre[i]!, keyRest[i]!, 1, slot, Infinity);
        if (m < 0) throw new Error('memGet');
        bytes += k.copyOut(m, k.memValueLen).length;
      }
      tMemGet = Math.min(tMemGet, since(t0));
      if (bytes !== NKEYS * VAL) throw new Error('memGet bytes');
      t0 = performance.now();
      const sum = kernelScan(k, 1, slot, NKEYS);
      roundScanK.push(since(t0));
      tScan = Math.min(tScan, roundScanK[roundScanK.length - 1]!);
      if (sum !== expectSum) throw new Error('kernel memtable scan sum');
      // The same walk in TypeScript over the same memtable, as ScanCursor can run it: memWalkFill.
      t0 = performance.now();
      const wsum = tsWalkScan(k, 1, slot, NKEYS);
      roundWalk.push(since(t0));
      tWalk = Math.min(tWalk, roundWalk[roundWalk.length - 1]!);
      if (wsum !== expectSum) throw new Error('memWalkFill scan sum');
      t0 = performance.now();
      kernelScan(k, 1, slot, NKEYS, false);
      tIter = Math.min(tIter, since(t0));
    }
    {
      // TS, typed arrays (the kernel's design).
      const mt = new TypedMemtable();
      const writes: number[] = [];
      let t0 = performance.now();
      for (let i = 0; i < NKEYS; i++) if (mt.put(keys[i]!, value, 1, writes) < 0) throw new Error('typed put');
      roundPutT.push(since(t0));
      aPut = Math.min(aPut, roundPutT[roundPutT.length - 1]!);
      let bytes = 0;
      t0 = performance.now();
      for (let i = 0; i < NKEYS; i++) bytes += mt.get(keys[i]!, 1, 1)!.length;
      aGet = Math.min(aGet, since(t0));
      if (bytes !== NKEYS * VAL) throw new Error('typed get bytes');
      t0 = performance.now();
      const s = tsMergeScan([new TsMemCursor(mt)], 1, 1);
      aScan = Math.min(aScan, since(t0));
      if (s.rows !== NKEYS || s.sum !== expectSum) throw new Error(`typed scan ${s.rows}`);
      t0 = performance.now();
      const w = mt.scan(1, 1);
      roundScanT.push(since(t0));
      aWalk = Math.min(aWalk, roundScanT[roundScanT.length - 1]!);
      if (w.rows !== NKEYS || w.sum !== expectSum) throw new Error(`typed leaf walk ${w.rows}`);
    }
    {
      // TS, objects + Map.
      const mt = new ObjectMemtable();
      const writes: OV[] = [];
      let t0 = performance.now();
      for (let i = 0; i < NKEYS; i++) if (mt.put(keys[i]!, value, 1, writes) === null) throw new Error('object put');
      oPut = Math.min(oPut, since(t0));
      let bytes = 0;
      t0 = performance.now();
      for (let i = 0; i < NKEYS; i++) bytes += mt.get(keys[i]!, 1, 1)!.length;
      oGet = Math.min(oGet, since(t0));
      if (bytes !== NKEYS * VAL) throw new Error('object get bytes');
      t0 = performance.now();
      const s = mt.scan(1, 1);
      oScan = Math.min(oScan, since(t0));
      if (s.rows !== NKEYS || s.sum !== expectSum) throw new Error(`object scan ${s.rows}`);
    }
    {
      // The same through the store API (Txn.put / Txn.get, ':memory:', no background work).
      const store = await Store.open(':memory:', { platform, background: false, memtableBytesMax: 1 << 30 });
      const ks = await store.keyspace('m');
      const tx = store.begin();
      let t0 = performance.now();
      for (let i = 0; i < NKEYS; i++) tx.put(ks, keys[i]!, value);
      sPut = Math.min(sPut, since(t0));
      t0 = performance.now();
      let bytes = 0;
      for (let i = 0; i < NKEYS; i++) bytes += tx.get(ks, keys[i]!)!.length;
      sGet = Math.min(sGet, since(t0));
      if (bytes !== NKEYS * VAL) throw new Error('store get bytes');
      tx.rollback();
      await store.close();
    }
    {
      // What a kernel get pays around the lookup: key copy in and the call (on an
      // empty kernel: key hash, an empty memtable, no runs); result reads and the value copy out.
      const k = await StorageKernel.load(platform);
      const x = k.x;
      const vp = place(k, value);
      let t0 = performance.now();
      let nf = 0;
      for (let i = 0; i < NKEYS; i++) if (x.kv_get(place(k, keys[i]!), KEY, 1, 0, 0) !== 0) nf++;
      tCall = Math.min(tCall, since(t0));
      if (nf !== NKEYS) throw new Error('empty kernel found a key');
      let bytes = 0;
      t0 = performance.now();
      for (let i = 0; i < NKEYS; i++) {
        const a = k.resultU32(0), b = k.resultU32(1); // read as a get does (values unused here)
        bytes += k.copyOut(vp + (a & 0), VAL + (b & 0)).length;
      }
      tCopy = Math.min(tCopy, since(t0));
      if (bytes !== NKEYS * VAL) throw new Error('copyOut bytes');
    }
  }
  const pick = (a: number, o: number): [string, number] => (a <= o ? ['TS typed arrays: B+tree + hash index', a] : ['TS objects: B+tree + Map<string>', o]);
  const [putName, putT] = pick(aPut, oPut);
  const [getName, getT] = pick(aGet, oGet);
  results.push({ loop: 'memtable insert (random keys)', kernel: 'kv_put in a transaction', kernelNs: ns(tPut, NKEYS), ts: putName, tsNs: ns(putT, NKEYS),
    rounds: putT === aPut ? roundsWon(roundPutK, roundPutT) : undefined });
  results.push({ loop: 'memtable point get (all keys)', kernel: 'kv_get + copy value out', kernelNs: ns(tGet, NKEYS), ts: getName, tsNs: ns(getT, NKEYS), moved: true,
    note: `the store reads memtables with StorageKernel.memGet (TS over kernel memory) + copyOut: ${f0(ns(tMemGet, NKEYS))} ns; Txn.get ${f0(ns(sGet, NKEYS))} ns` });
  // iter_next walks a lone memtable without the merge bookkeeping (merge_iter.ts memRun). The TypeScript
  // loop it is held against is the same walk over the same kernel memtable as the store could run it,
  // StorageKernel.memWalkFill (per key the first visible version, the version MEM_AHEAD entries ahead
  // touched, rows written straight into a host batch). The store's forward scans run the kernel walk
  // (it won this comparison); its reverse lone-memtable scans run memWalkFill (--only memscan).
  // The typed-array TS memtable's own walk (rows read in place, no batch) is in the note.
  results.push({ loop: 'memtable full scan (ns per row)', kernel: 'iter_next batches (memRun), copied out, rows read in place', kernelNs: ns(tScan, NKEYS),
    ts: 'StorageKernel.memWalkFill over the kernel memtable, rows read in place', tsNs: ns(tWalk, NKEYS),
    rounds: roundsWon(roundScanK, roundWalk),
    note: `kernel faster in ${roundsWon(roundScanK, roundWalk).won}/${REPS} rounds; TS typed-array memtable, the same walk on its own arrays: ${f0(ns(aWalk, NKEYS))} ns (kernel faster in ${roundsWon(roundScanK, roundScanT).won}/${REPS} rounds)` });
  extra.push(`memtable, ns per op — kernel: put ${f0(ns(tPut, NKEYS))}, get ${f0(ns(tGet, NKEYS))}, scan ${f0(ns(tScan, NKEYS))} per row (iter_next alone ${f0(ns(tIter, NKEYS))}); through Store/Txn: put ${f0(ns(sPut, NKEYS))}, get ${f0(ns(sGet, NKEYS))}; ` +
    `kernel call cost around a get: key copy + kv_get on an empty kernel ${f0(ns(tCall, NKEYS))}, result reads + copyOut of ${VAL} bytes ${f0(ns(tCopy, NKEYS))}; ` +
    `TS typed arrays: put ${f0(ns(aPut, NKEYS))}, get ${f0(ns(aGet, NKEYS))}, scan through the general merge loop ${f0(ns(aScan, NKEYS))}, lone-memtable walk ${f0(ns(aWalk, NKEYS))}; ` +
    `TS objects + Map: put ${f0(ns(oPut, NKEYS))}, get ${f0(ns(oGet, NKEYS))}, bare leaf walk ${f0(ns(oScan, NKEYS))}`);
}

/**
 * The lone-memtable scan alone, both ways over the same kernel memtable:
 * iter_next (forward: merge_iter.ts memRun; reverse: the general merge loop;
 * batch copied out as ScanCursor does) and StorageKernel.memWalkFill
 * (TypeScript over the kernel's memory; ScanCursor uses it for reverse scans),
 * rows read in place; keys put in random order (one cache miss per row)
 * and in key order (versions adjacent in the arena, as a table filled by
 * ascending ids). Interleaved rounds; best of each.
 */
async function benchMemScan(): Promise<void> {
  for (const order of ['random', 'ascending'] as const) {
    const k = await StorageKernel.load(platform);
    const x = k.x;
    const slot = x.tx_begin(2, 1);
    const idx = Array.from({ length: NKEYS }, (_, i) => i);
    if (order === 'ascending') idx.sort((a, b) => cmpBytes(keys[a]!, keys[b]!));
    for (const i of idx) {
      const p = place(k, keys[i]!, value);
      if (x.kv_put(p, KEY, p + KEY, VAL, OP_PUT, slot, 1, 0) !== 0) throw new Error('kv_put');
    }
    const expectSum = NKEYS * (KEY + VAL + 0x5a);
    for (const reverse of [false, true]) {
      const rk: number[] = [], rt: number[] = [];
      for (let r = 0; r < REPS; r++) {
        let t0 = performance.now();
        if (kernelScan(k, 1, slot, NKEYS, true, reverse) !== expectSum) throw new Error('kernel scan sum');
        rk.push((performance.now() - t0) / 1000);
        t0 = performance.now();
        if (tsWalkScan(k, 1, slot, NKEYS, reverse) !== expectSum) throw new Error('walk scan sum');
        rt.push((performance.now() - t0) / 1000);
      }
      results.push({ loop: `lone-memtable ${reverse ? 'reverse' : 'forward'} scan, keys put in ${order} order (ns per row)`,
        kernel: reverse ? 'iter_next batches (general merge loop), copied out, rows read in place' : 'iter_next batches (memRun), copied out, rows read in place',
        kernelNs: ns(Math.min(...rk), NKEYS), ts: 'StorageKernel.memWalkFill, rows read in place', tsNs: ns(Math.min(...rt), NKEYS),
        moved: reverse, note: reverse ? 'the store runs the TypeScript walk (ScanCursor)' : 'the store runs the kernel walk (ScanCursor)',
        rounds: roundsWon(rk, rt) });
    }
  }
}

// =====================================================================
// Probe module (kernel Bloom, key hash and in-block lookup loops)
// =====================================================================

interface Probe {
  memory: WebAssembly.Memory;
  probe_alloc(n: number): number;
  probe_hash(p: number, len: number, out: number): void;
  hash_batch(keys: number, keyLen: number, n: number): number;
  bloom_add_batch(bits: number, blocks: number, keys: number, keyLen: number, n: number): void;
  bloom_probe_batch(bits: number, blocks: number, keys: number, keyLen: number, n: number): number;
  bloom_add_one(bits: number, blocks: number, key: number, keyLen: number): void;
  bloom_probe_one(bits: number, blocks: number, key: number, keyLen: number): number;
  block_search_batch(blocks: number, offsets: number, sizes: number, keys: number, keyLen: number, n: number): number;
}

async function loadProbe(): Promise<Probe> {
  const source = readFileSync(join(root, 'tools/bench/kernel_probe.as'), 'utf8');
  const cfg = JSON.parse(readFileSync(join(root, 'asconfig.json'), 'utf8')) as { options: { optimizeLevel: number; shrinkLevel: number } };
  let binary = undefined as Uint8Array | undefined;
  const entry = 'tools/bench/kernel_probe.ts';
  const { error } = await asc.main(
    [entry, '--optimizeLevel', String(cfg.options.optimizeLevel), '--shrinkLevel', String(cfg.options.shrinkLevel), '--runtime', 'stub',
      '--noAssert', '--enable', 'simd', '--initialMemory', '32', '--outFile', 'probe.wasm', '--baseDir', root],
    {
      readFile: (name: string, baseDir: string) => {
        if (name.replace(/\\/g, '/').endsWith(entry)) return source;
        try {
          return readFileSync(resolve(baseDir, name), 'utf8');
        } catch {
          return null;
        }
      },
      writeFile: (name: string, contents: Uint8Array | string): void => {
        if (name.endsWith('.wasm')) binary = contents as Uint8Array;
      },
      stderr: process.stderr,
      stdout: process.stdout,
    },
  );
  if (error || !binary) throw new Error(`compiling the probe module failed: ${error?.message}`);
  const module = await WebAssembly.compile(binary as BufferSource);
  const instance = await WebAssembly.instantiate(module, {
    host: { read: () => -1, log: () => {} },
    env: { abort: () => { throw new Error('probe abort'); } },
  });
  return instance.exports as unknown as Probe;
}

// =====================================================================
// 3. Bloom filter
// =====================================================================

const SALTS = new Int32Array([0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d, 0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31]);

/**
 * The kernel's split-block Bloom filter in TS: one 256-bit block per key,
 * one bit per 32-bit word; block = (hash.hi × blocks) >> 32 (exact in a
 * double while blocks < 2^21), bit = (hash.lo × salt) >>> 27.
 */
class TsBloom {
  readonly bits: Int32Array;
  constructor(readonly blocks: number, bits?: Int32Array) {
    this.bits = bits ?? new Int32Array(blocks * 8);
  }
  addHash(lo: number, hi: number): void {
    const base = Math.floor((hi * this.blocks) / 4294967296) * 8;
    const bits = this.bits;
    for (let i = 0; i < 8; i++) bits[base + i] |= 1 << (Math.imul(lo, SALTS[i]!) >>> 27);
  }
  mayContainHash(lo: number, hi: number): boolean {
    const base = Math.floor((hi * this.blocks) / 4294967296) * 8;
    const bits = this.bits;
    for (let i = 0; i < 8; i++) if ((bits[base + i]! & (1 << (Math.imul(lo, SALTS[i]!) >>> 27))) === 0) return false;
    return true;
  }
}

/** Two cheap 32-bit lanes (murmur3-style, Math.imul) as the Bloom hash of a TS-only filter. */
function cheapHash2(b: Uint8Array, off: number, len: number): void {
  let h1 = 0x9747b28c ^ len, h2 = 0x85ebca6b ^ len;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    let k = b[off + i]! | (b[off + i + 1]! << 8) | (b[off + i + 2]! << 16) | (b[off + i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h1 ^= k;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    h2 = Math.imul(h2 ^ k, 0x27d4eb2f);
    h2 ^= h2 >>> 15;
  }
  let t = 0;
  for (let s = 0; i < len; i++, s += 8) t |= b[off + i]! << s;
  h1 ^= t;
  h2 ^= Math.imul(t, 0x165667b1);
  h1 ^= h1 >>> 16; h1 = Math.imul(h1, 0x85ebca6b); h1 ^= h1 >>> 13; h1 = Math.imul(h1, 0xc2b2ae35); h1 ^= h1 >>> 16;
  h2 ^= h2 >>> 16; h2 = Math.imul(h2, 0x7feb352d); h2 ^= h2 >>> 15; h2 = Math.imul(h2, 0x846ca68b); h2 ^= h2 >>> 16;
  R[0] = h1;
  R[1] = h2;
}

async function benchBloom(probe: Probe): Promise<void> {
  log(`Bloom filter and key hash: ${NKEYS.toLocaleString()} keys, 10 bits per key`);
  const blocks = Math.max(1, Math.ceil((NKEYS * 10) / 256));
  const bits = probe.probe_alloc(blocks * 32);
  const kp = probe.probe_alloc(NKEYS * KEY);
  const ap = probe.probe_alloc(NKEYS * KEY);
  const one = probe.probe_alloc(64);
  const mem = new Uint8Array(probe.memory.buffer);
  mem.set(keysPacked, kp);
  mem.set(absentPacked, ap);
  const clear = (): void => {
    new Uint8Array(probe.memory.buffer).fill(0, bits, bits + blocks * 32);
  };
  let kx = 0, tx = 0, cx = 0;
  let hits = 0, fp = 0, hits1 = 0;
  let tb = new TsBloom(blocks), cb = new TsBloom(blocks);
  let th = 0, tfp = 0, ch = 0, cfp = 0;
  /** Copies key i into the probe's key buffer the way Txn.place copies short keys. */
  const copyKey = (m: Uint8Array, key: Uint8Array): void => {
    for (let j = 0; j < KEY; j++) m[one + j] = key[j]!;
  };
  const fns: Array<() => unknown> = [
    // 0-2: the key hash alone.
    () => (kx = probe.hash_batch(kp, KEY, NKEYS) >>> 0),
    () => {
      let x = 0;
      for (let i = 0; i < NKEYS; i++) {
        keyHashTs(keysPacked, i * KEY, KEY);
        x ^= R[0]!;
      }
      tx = x >>> 0;
    },
    () => {
      let x = 0;
      for (let i = 0; i < NKEYS; i++) x ^= hash32(keysPacked, i * KEY, KEY);
      cx = x;
    },
    // 3-5: kernel loops, keys already in linear memory.
    () => {
      clear();
      probe.bloom_add_batch(bits, blocks, kp, KEY, NKEYS);
    },
    () => (hits = probe.bloom_probe_batch(bits, blocks, kp, KEY, NKEYS)),
    () => (fp = probe.bloom_probe_batch(bits, blocks, ap, KEY, NKEYS)),
    // 6-7: kernel, one call per key with the key copied in (the per-value call pattern).
    () => {
      clear();
      const m = new Uint8Array(probe.memory.buffer);
      for (let i = 0; i < NKEYS; i++) {
        copyKey(m, keys[i]!);
        probe.bloom_add_one(bits, blocks, one, KEY);
      }
    },
    () => {
      const m = new Uint8Array(probe.memory.buffer);
      hits1 = 0;
      for (let i = 0; i < NKEYS; i++) {
        copyKey(m, keys[i]!);
        hits1 += probe.bloom_probe_one(bits, blocks, one, KEY);
      }
    },
    // 8-10: TS with the kernel's hash (a bit-identical filter: it can read the filters in run files).
    () => {
      tb = new TsBloom(blocks);
      for (let i = 0; i < NKEYS; i++) {
        keyHashTs(keysPacked, i * KEY, KEY);
        tb.addHash(R[0]!, R[1]!);
      }
    },
    () => {
      th = 0;
      for (let i = 0; i < NKEYS; i++) {
        keyHashTs(keysPacked, i * KEY, KEY);
        if (tb.mayContainHash(R[0]!, R[1]!)) th++;
      }
    },
    () => {
      tfp = 0;
      for (let i = 0; i < NKEYS; i++) {
        keyHashTs(absentPacked, i * KEY, KEY);
        if (tb.mayContainHash(R[0]!, R[1]!)) tfp++;
      }
    },
    // 11-13: TS with a cheap hash (a filter of its own format).
    () => {
      cb = new TsBloom(blocks);
      for (let i = 0; i < NKEYS; i++) {
        cheapHash2(keysPacked, i * KEY, KEY);
        cb.addHash(R[0]!, R[1]!);
      }
    },
    () => {
      ch = 0;
      for (let i = 0; i < NKEYS; i++) {
        cheapHash2(keysPacked, i * KEY, KEY);
        if (cb.mayContainHash(R[0]!, R[1]!)) ch++;
      }
    },
    () => {
      cfp = 0;
      for (let i = 0; i < NKEYS; i++) {
        cheapHash2(absentPacked, i * KEY, KEY);
        if (cb.mayContainHash(R[0]!, R[1]!)) cfp++;
      }
    },
  ];
  const [kHash, tHash, tCheap, kAdd, kProbe, kAbsent, kAddOne, kProbeOne, tAdd, tProbe, tAbsent, cAdd, cProbe, cAbsent] = bestEach(fns) as number[] as [
    number, number, number, number, number, number, number, number, number, number, number, number, number, number];
  if (kx !== tx) throw new Error(`key hash batch mismatch ${kx} ${tx}`);
  if (hits !== NKEYS || hits1 !== NKEYS) throw new Error('kernel bloom false negative');
  const kernelBits = new Int32Array(probe.memory.buffer.slice(bits, bits + blocks * 32));
  for (let i = 0; i < tb.bits.length; i++) if (tb.bits[i] !== kernelBits[i]) throw new Error('TS Bloom bits differ from the kernel filter');
  if (th !== NKEYS || tfp !== fp) throw new Error(`TS bloom differs: ${th} hits, ${tfp} false positives (kernel ${fp})`);
  if (ch !== NKEYS) throw new Error('TS cheap bloom false negative');
  results.push({ loop: `key hash (${KEY} bytes)`, kernel: 'hashBytes batch loop (probe module)', kernelNs: ns(kHash, NKEYS), ts: 'the same 64-bit hash on 32-bit halves', tsNs: ns(tHash, NKEYS), note: `32-bit murmur3-style TS hash (for TS-only formats): ${f0(ns(tCheap, NKEYS))} ns` });
  const pct = (x: number): string => `${((100 * x) / NKEYS).toFixed(2)}%`;
  const bestOf2 = (a: number, b: number): [string, number] => (a <= b ? ['same filter and hash (hashBytes on 32-bit halves)', a] : ['same filter, cheap 2×32-bit Math.imul hash', b]);
  let [n1, t1] = bestOf2(tAdd, cAdd);
  results.push({ loop: 'Bloom add', kernel: 'bloomAdd batch loop (probe module)', kernelNs: ns(kAdd, NKEYS), ts: n1, tsNs: ns(t1, NKEYS) });
  [n1, t1] = bestOf2(tProbe, cProbe);
  results.push({ loop: 'Bloom probe, present keys', kernel: 'bloomMayContain batch loop', kernelNs: ns(kProbe, NKEYS), ts: n1, tsNs: ns(t1, NKEYS) });
  [n1, t1] = bestOf2(tAbsent, cAbsent);
  results.push({ loop: 'Bloom probe, absent keys', kernel: 'bloomMayContain batch loop', kernelNs: ns(kAbsent, NKEYS), ts: n1, tsNs: ns(t1, NKEYS), note: `false positives: kernel ${pct(fp)}, TS cheap hash ${pct(cfp)}` });
  // Not a loop of the store: flushes and compactions add keys inside the kernel (run_writer.ts), point reads probe
  // inside kv_get_runs; no host code calls the filter once per key. Shown as a note (what a per-key host call costs).
  extra.push(`Bloom one call per key from the host (not a store loop: the store never calls the filter per key; reference only) — ` +
    `copy key + bloom_add_one ${f0(ns(kAddOne, NKEYS))} ns, copy key + bloom_probe_one ${f0(ns(kProbeOne, NKEYS))} ns, against the TS batch loops ${f0(ns(Math.min(tAdd, cAdd), NKEYS))} / ${f0(ns(Math.min(tProbe, cProbe), NKEYS))} ns`);
  extra.push(`Bloom, ns per key — kernel batch: add ${f0(ns(kAdd, NKEYS))}, probe ${f0(ns(kProbe, NKEYS))}, absent ${f0(ns(kAbsent, NKEYS))}; ` +
    `TS with the kernel's hash (bit-identical filter): add ${f0(ns(tAdd, NKEYS))}, probe ${f0(ns(tProbe, NKEYS))}, absent ${f0(ns(tAbsent, NKEYS))}; ` +
    `TS with the cheap hash: add ${f0(ns(cAdd, NKEYS))}, probe ${f0(ns(cProbe, NKEYS))}, absent ${f0(ns(cAbsent, NKEYS))}`);
}

// =====================================================================
// 4. Point gets on a flushed run: the run format read in TS
// =====================================================================

/** A data block held by the TS block cache: its own aligned buffer and views, offsets parsed from its header. */
interface TsBlock {
  u8: Uint8Array;
  u16: Uint16Array;
  u32: Uint32Array;
  n: number;
  /** Word index of the u64 key-prefix array. */
  prefW: number;
  /** Word index of the u32 entry offsets. */
  offW: number;
  /** Byte offset of the first entry. */
  ents: number;
}

// The decoded entry (module-level scratch, as the kernel's e* globals).
const ENT = new Float64Array(5); // 0 key pos, 1 key len, 2 value len, 3 stamp, 4 flags

/** Decodes entry i of a block into ENT; returns the key position. */
function tsDecode(b: TsBlock, i: number): number {
  const u8 = b.u8;
  let p = b.ents + b.u32[b.offW + i]!;
  const flags = u8[p++]!;
  let kl = 0, shift = 0, x = 0;
  do { x = u8[p++]!; kl |= (x & 0x7f) << shift; shift += 7; } while (x & 0x80);
  let vl = 0;
  shift = 0;
  do { x = u8[p++]!; vl |= (x & 0x7f) << shift; shift += 7; } while (x & 0x80);
  const slo = (u8[p]! | (u8[p + 1]! << 8) | (u8[p + 2]! << 16) | (u8[p + 3]! << 24)) >>> 0;
  const shi = (u8[p + 4]! | (u8[p + 5]! << 8) | (u8[p + 6]! << 16) | (u8[p + 7]! << 24)) >>> 0;
  p += 8;
  ENT[0] = p;
  ENT[1] = kl;
  ENT[2] = vl;
  ENT[3] = shi * 4294967296 + slo;
  ENT[4] = flags;
  return p;
}

/** First entry >= (key, stamp) in a block: binary search over the key-prefix array, decoding only on a prefix tie. */
function tsBlockLowerBound(b: TsBlock, key: Uint8Array, kl: number, stamp: number, ph: number, pl: number): number {
  const u32 = b.u32, pw = b.prefW;
  let lo = 0, hi = b.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // The stored u64 prefix is big-endian key bytes read as a little-endian u64: high word = bytes 0..3.
    const eh = u32[pw + 2 * mid + 1]!, el = u32[pw + 2 * mid]!;
    let c: number;
    if (ph !== eh) c = ph < eh ? -1 : 1;
    else if (pl !== el) c = pl < el ? -1 : 1;
    else {
      const kp = tsDecode(b, mid);
      c = cmpAt(key, 0, kl, b.u8, kp, ENT[1]!);
      if (c === 0) c = stamp === ENT[3] ? 0 : stamp > ENT[3]! ? -1 : 1;
    }
    if (c > 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first 8 key bytes as (high, low) big-endian words, zero padded. */
function prefixWords(key: Uint8Array, kl: number): void {
  let h = 0, l = 0;
  for (let i = 0; i < 8; i++) {
    const x = i < kl ? key[i]! : 0;
    if (i < 4) h = (h << 8) | x;
    else l = (l << 8) | x;
  }
  R[1] = h;
  R[0] = l;
}

/** A sorted run opened in TS: footer, index (prefix arrays and a sampled first level), Bloom filter, key range; blocks through a cache. */
class TsRun {
  readonly file: Uint8Array;
  readonly blocks: number;
  readonly ixHi: Uint32Array;
  readonly ixLo: Uint32Array;
  readonly ixKey: Uint8Array[] = [];
  readonly ixStamp: Float64Array;
  readonly ixOff: Float64Array;
  readonly ixSize: Uint32Array;
  readonly sHi: Uint32Array;
  readonly sLo: Uint32Array;
  readonly bloom: TsBloom;
  readonly minStamp: number;
  readonly firstKey: Uint8Array;
  readonly lastKey: Uint8Array;
  /** The block cache: one home slot per block. */
  readonly home: Array<TsBlock | undefined>;
  loads = 0;

  constructor(file: Uint8Array) {
    this.file = file;
    const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const f = file.length - 64;
    if (xxh64Ts(file.subarray(f, f + 60)) !== dv.getUint32(f + 60, true)) throw new Error('footer checksum');
    const indexOff = Number(dv.getBigUint64(f + 16, true));
    const indexLen = dv.getUint32(f + 24, true);
    const bloomLen = dv.getUint32(f + 28, true);
    const bloomOff = Number(dv.getBigUint64(f + 32, true));
    const metaOff = Number(dv.getBigUint64(f + 40, true));
    const metaLen = dv.getUint32(f + 48, true);
    const blocks = dv.getUint32(f + 52, true);
    this.blocks = blocks;
    if (xxh64Ts(file.subarray(indexOff, indexOff + indexLen - 4)) !== dv.getUint32(indexOff + indexLen - 4, true)) throw new Error('index checksum');
    this.ixHi = new Uint32Array(blocks);
    this.ixLo = new Uint32Array(blocks);
    this.ixStamp = new Float64Array(blocks);
    this.ixOff = new Float64Array(blocks);
    this.ixSize = new Uint32Array(blocks);
    const nsample = (blocks + 63) >>> 6;
    this.sHi = new Uint32Array(nsample);
    this.sLo = new Uint32Array(nsample);
    let p = indexOff;
    for (let b = 0; b < blocks; b++) {
      let kl = 0, shift = 0, x = 0;
      do { x = file[p++]!; kl |= (x & 0x7f) << shift; shift += 7; } while (x & 0x80);
      const key = file.subarray(p, p + kl);
      this.ixKey.push(key);
      prefixWords(key, kl);
      this.ixHi[b] = R[1]!;
      this.ixLo[b] = R[0]!;
      if ((b & 63) === 0) {
        this.sHi[b >>> 6] = R[1]!;
        this.sLo[b >>> 6] = R[0]!;
      }
      p += kl;
      this.ixStamp[b] = Number(dv.getBigUint64(p, true));
      this.ixOff[b] = Number(dv.getBigUint64(p + 8, true));
      this.ixSize[b] = dv.getUint32(p + 16, true);
      p += 20;
    }
    const bloomBlocks = dv.getUint32(bloomOff, true);
    if (xxh64Ts(file.subarray(bloomOff, bloomOff + bloomLen - 4)) !== dv.getUint32(bloomOff + bloomLen - 4, true)) throw new Error('bloom checksum');
    this.bloom = new TsBloom(bloomBlocks, new Int32Array(file.slice(bloomOff + 8, bloomOff + 8 + bloomBlocks * 32).buffer));
    this.minStamp = Number(dv.getBigUint64(metaOff + 24, true));
    const firstLen = dv.getUint32(metaOff + 48, true);
    const lastLen = dv.getUint32(metaOff + 52, true);
    if (firstLen + lastLen + 60 !== metaLen) throw new Error('meta');
    this.firstKey = file.slice(metaOff + 56, metaOff + 56 + firstLen);
    this.lastKey = file.slice(metaOff + 56 + firstLen, metaOff + 56 + firstLen + lastLen);
    this.home = new Array<TsBlock | undefined>(blocks).fill(undefined);
  }

  /** First block whose last entry is >= (key, stamp), as runFindBlock: the sampled level, then the prefix arrays. */
  findBlock(key: Uint8Array, kl: number, stamp: number, ph: number, pl: number): number {
    const sHi = this.sHi, sLo = this.sLo, nsample = sHi.length;
    let a = 0, z = nsample;
    while (a < z) {
      const m = (a + z) >>> 1;
      const eh = sHi[m]!;
      if (eh < ph || (eh === ph && sLo[m]! < pl)) a = m + 1;
      else z = m;
    }
    let lo = a > 0 ? ((a - 1) << 6) + 1 : 0;
    let b2 = a;
    while (b2 < nsample && sHi[b2] === ph && sLo[b2] === pl) b2++;
    let hi = b2 < nsample ? b2 << 6 : this.blocks;
    if (lo > hi) lo = hi;
    const ixHi = this.ixHi, ixLo = this.ixLo;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const eh = ixHi[mid]!, el = ixLo[mid]!;
      let c: number;
      if (ph !== eh) c = ph < eh ? -1 : 1;
      else if (pl !== el) c = pl < el ? -1 : 1;
      else {
        const ek = this.ixKey[mid]!;
        c = cmpAt(key, 0, kl, ek, 0, ek.length);
        if (c === 0) c = stamp === this.ixStamp[mid] ? 0 : stamp > this.ixStamp[mid]! ? -1 : 1;
      }
      if (c > 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Block b through the cache: a miss copies it into its own buffer and checks its checksum once. */
  block(b: number): TsBlock {
    const cached = this.home[b];
    if (cached !== undefined) return cached;
    const off = this.ixOff[b]!, size = this.ixSize[b]!;
    const buf = new ArrayBuffer((size + 7) & ~7);
    const u8 = new Uint8Array(buf, 0, size);
    u8.set(this.file.subarray(off, off + size));
    const u32 = new Uint32Array(buf);
    if (xxh64Ts(u8.subarray(0, size - 4)) !== new DataView(buf).getUint32(size - 4, true)) throw new Error(`block ${b} checksum`);
    const n = u32[0]!;
    if (8 + n * 12 + 4 > size) throw new Error(`block ${b} header`);
    const blk: TsBlock = { u8, u16: new Uint16Array(buf), u32, n, prefW: 2, offW: 2 + 2 * n, ents: 8 + 12 * n };
    this.home[b] = blk;
    this.loads++;
    return blk;
  }
}

/**
 * The in-block part of a point lookup (runPointLookup): the binary search to
 * the first version at or below the bound, then the key check. Returns the
 * entry index (n when the key is absent); ENT holds it.
 */
function tsBlockFind(blk: TsBlock, key: Uint8Array, kl: number, bound: number, ph: number, pl: number): number {
  const n = blk.n;
  const i = tsBlockLowerBound(blk, key, kl, bound, ph, pl);
  if (i >= n) return n;
  const kp = tsDecode(blk, i);
  return cmpAt(blk.u8, kp, ENT[1]!, key, 0, kl) === 0 ? i : n;
}

/**
 * A point get in TS over the run, step for step as kvGet: the key hash, the
 * (empty) memtable, the run's stamp and key range, its Bloom filter, the block
 * index, the block cache, the in-block lookup; a view of the value.
 */
function tsRunGet(run: TsRun, memtable: Map<string, Uint8Array>, key: Uint8Array, snapshot: number): Uint8Array | undefined {
  const kl = key.length;
  keyHashTs(key, 0, kl);
  const hl = R[0]!, hh = R[1]!;
  if (memtable.size > 0) {
    const m = memtable.get(binStr(key));
    if (m !== undefined) return m;
  }
  if (run.minStamp > snapshot) return undefined;
  if (cmpBytes(key, run.firstKey) < 0 || cmpBytes(key, run.lastKey) > 0) return undefined;
  if (!run.bloom.mayContainHash(hl, hh)) return undefined;
  prefixWords(key, kl);
  const ph = R[1]!, pl = R[0]!;
  const b = run.findBlock(key, kl, snapshot, ph, pl);
  if (b >= run.blocks) return undefined;
  const blk = run.block(b);
  const i = tsBlockFind(blk, key, kl, snapshot, ph, pl);
  if (i >= blk.n) return undefined;
  if ((ENT[4]! & 1) !== 0) return undefined; // tombstone
  const vp = ENT[0]! + ENT[1]!;
  return blk.u8.subarray(vp, vp + ENT[2]!);
}

async function benchRun(probe: Probe): Promise<void> {
  log(`sorted run: ${NKEYS.toLocaleString()} keys flushed into ${BLOCK_BYTES >> 10} KiB blocks, point gets with every block cached`);
  const k = await StorageKernel.load(platform);
  k.x.cache_set_limit(256 << 20);
  const stamp = kernelCommitRows(k, keys);
  const file = kernelFlush(k, stamp);
  const run = new TsRun(file);
  const x = k.x;
  const snap = stamp + 1;
  // Kernel point gets as Txn.get makes them on a miss in the memtables: kv_get_runs, value copied out.
  const kGets = (list: Uint8Array[], expectFound: number) => (): void => {
    let found = 0;
    for (let i = 0; i < list.length; i++) {
      const p = place(k, list[i]!);
      const st = x.kv_get_runs(p, KEY, snap);
      if (st === 0) found += k.copyOut(k.resultU32(0), k.resultU32(1)).length === VAL ? 1 : 0;
    }
    if (found !== expectFound) throw new Error(`kernel run gets found ${found}, wanted ${expectFound}`);
  };
  // TS over the same file.
  const emptyMemtable = new Map<string, Uint8Array>();
  const tGets = (list: Uint8Array[], expectFound: number) => (): void => {
    let found = 0;
    for (let i = 0; i < list.length; i++) {
      const v = tsRunGet(run, emptyMemtable, list[i]!, snap);
      if (v !== undefined && v.length === VAL && v[0] === 0x5a) found++;
    }
    if (found !== expectFound) throw new Error(`TS run gets found ${found}, wanted ${expectFound}`);
  };
  kGets(keys, NKEYS)(); // warm the block caches
  tGets(keys, NKEYS)();
  x.cache_stats();
  const missesBefore = k.resultF64(1);
  const loads = run.loads;
  const [tk, tt, tkAbsent, ttAbsent] = bestEach([kGets(keys, NKEYS), tGets(keys, NKEYS), kGets(absent, 0), tGets(absent, 0)]) as [number, number, number, number];
  x.cache_stats();
  if (k.resultF64(1) !== missesBefore) throw new Error('kernel block cache missed during the timed passes');
  if (run.loads !== loads) throw new Error('TS cache missed during the timed passes');
  results.push({ loop: 'point get on a flushed run (all blocks cached)', kernel: 'kv_get_runs + copy value out', kernelNs: ns(tk, NKEYS), ts: 'same steps over the same file bytes', tsNs: ns(tt, NKEYS), note: `${run.blocks.toLocaleString()} blocks of ≤ ${BLOCK_BYTES >> 10} KiB` });
  results.push({ loop: 'point get of an absent key on a run', kernel: 'kv_get_runs (the Bloom filter rejects most)', kernelNs: ns(tkAbsent, NKEYS), ts: 'same steps', tsNs: ns(ttAbsent, NKEYS) });

  // The in-block lookup alone, block known: the probe module over copies of the blocks (16-byte aligned) vs TS over its cached blocks.
  const blockOf = new Int32Array(NKEYS);
  for (let i = 0; i < NKEYS; i++) {
    prefixWords(keys[i]!, KEY);
    blockOf[i] = run.findBlock(keys[i]!, KEY, snap, R[1]!, R[0]!);
  }
  const placeAt = new Uint32Array(run.blocks);
  let total = 0;
  for (let b = 0; b < run.blocks; b++) {
    placeAt[b] = total;
    total += (run.ixSize[b]! + 15) & ~15;
  }
  const dataP = probe.probe_alloc(total + 16);
  const base = (dataP + 15) & ~15;
  const offP = probe.probe_alloc(NKEYS * 4);
  const sizeP = probe.probe_alloc(NKEYS * 4);
  const keyP = probe.probe_alloc(NKEYS * KEY);
  const m = new Uint8Array(probe.memory.buffer);
  for (let b = 0; b < run.blocks; b++) m.set(run.block(b).u8, base + placeAt[b]!);
  const offs = new Uint32Array(NKEYS), sizes = new Uint32Array(NKEYS);
  for (let i = 0; i < NKEYS; i++) {
    offs[i] = placeAt[blockOf[i]!]!;
    sizes[i] = run.ixSize[blockOf[i]!]!;
  }
  m.set(new Uint8Array(offs.buffer), offP);
  m.set(new Uint8Array(sizes.buffer), sizeP);
  m.set(keysPacked, keyP);
  const blks = Array.from({ length: NKEYS }, (_, i) => run.block(blockOf[i]!));
  const kSearch = (): void => {
    const kt = probe.block_search_batch(base, offP, sizeP, keyP, KEY, NKEYS);
    if (kt !== NKEYS * VAL) throw new Error(`kernel block search found ${kt / VAL}`);
  };
  const tSearch = (): void => {
    let t = 0;
    for (let i = 0; i < NKEYS; i++) {
      const key = keys[i]!;
      prefixWords(key, KEY);
      const blk = blks[i]!;
      const j = tsBlockLowerBound(blk, key, KEY, Number.MAX_SAFE_INTEGER, R[1]!, R[0]!);
      if (j < blk.n) {
        const kp = tsDecode(blk, j);
        if (cmpAt(blk.u8, kp, ENT[1]!, key, 0, KEY) === 0) t += ENT[2]!;
      }
    }
    if (t !== NKEYS * VAL) throw new Error(`TS block search found ${t / VAL}`);
  };
  const [ks, tsr] = bestEach([kSearch, tSearch]) as [number, number];
  results.push({ loop: 'in-block lookup, block known (binary search)', kernel: 'blockLowerBound batch (probe module)', kernelNs: ns(ks, NKEYS), ts: 'same prefix-array search', tsNs: ns(tsr, NKEYS), note: 'run format 2: no hash buckets' });
}

// =====================================================================
// 5. Merge scan over 4 runs
// =====================================================================

/** A TS cursor over a run's cached blocks, entries decoded in place. */
class TsRunCursor implements TsCursor {
  b = 0;
  i = 0;
  blk: TsBlock;
  u8: Uint8Array;
  valid = true;
  keyPos = 0;
  kl = 0;
  vl = 0;
  stamp = 0;
  flags = 0;
  constructor(readonly run: TsRun) {
    this.blk = run.block(0);
    this.u8 = this.blk.u8;
    this.load();
  }
  private load(): void {
    const blk = this.blk, u8 = this.u8;
    let p = blk.ents + blk.u32[blk.offW + this.i]!;
    this.flags = u8[p++]!;
    let kl = 0, shift = 0, x = 0;
    do { x = u8[p++]!; kl |= (x & 0x7f) << shift; shift += 7; } while (x & 0x80);
    let vl = 0;
    shift = 0;
    do { x = u8[p++]!; vl |= (x & 0x7f) << shift; shift += 7; } while (x & 0x80);
    this.stamp = ((u8[p + 4]! | (u8[p + 5]! << 8) | (u8[p + 6]! << 16) | (u8[p + 7]! << 24)) >>> 0) * 4294967296 +
      ((u8[p]! | (u8[p + 1]! << 8) | (u8[p + 2]! << 16) | (u8[p + 3]! << 24)) >>> 0);
    this.keyPos = p + 8;
    this.kl = kl;
    this.vl = vl;
  }
  visible(_slot: number, snapshot: number): boolean {
    return this.stamp <= snapshot;
  }
  tombstone(): boolean {
    return (this.flags & 1) !== 0;
  }
  next(): void {
    if (++this.i >= this.blk.n) {
      if (++this.b >= this.run.blocks) {
        this.valid = false;
        return;
      }
      this.blk = this.run.block(this.b);
      this.u8 = this.blk.u8;
      this.i = 0;
    }
    this.load();
  }
}

async function benchMerge(): Promise<void> {
  const RUNS = 4;
  log(`merge: ${NKEYS.toLocaleString()} rows across ${RUNS} runs`);
  const k = await StorageKernel.load(platform);
  k.x.cache_set_limit(256 << 20);
  // Random keys dealt round-robin into the runs, so the merge interleaves them.
  const parts: Uint8Array[][] = Array.from({ length: RUNS }, () => []);
  for (let i = 0; i < NKEYS; i++) parts[i % RUNS]!.push(keys[i]!);
  let stamp = 0;
  const files: Uint8Array[] = [];
  for (const part of parts) {
    stamp = kernelCommitRows(k, part);
    files.push(kernelFlush(k, stamp));
  }
  if (k.x.lsm_run_count() !== RUNS) throw new Error('run count');
  const snap = stamp + 1;
  const expectSum = NKEYS * (KEY + VAL + 0x5a);
  let sum = kernelScan(k, snap, 0, NKEYS); // warms the cache
  const fk = (): void => {
    sum = kernelScan(k, snap, 0, NKEYS);
  };
  const fkOnly = (): void => {
    kernelScan(k, snap, 0, NKEYS, false);
  };
  // TS: the runs decoded into sorted arrays (a Uint8Array per key and per value), merged k-way (linear minimum over the heads).
  const decoded = parts.map((part) => {
    const ks = [...part].sort(cmpBytes).map((key) => key.slice());
    return { keys: ks, vals: ks.map(() => value.slice()) };
  });
  const ft = (): void => {
    const pos = new Array<number>(RUNS).fill(0);
    let rows = 0, s = 0;
    for (;;) {
      let bi = -1;
      let bk: Uint8Array | undefined;
      for (let r = 0; r < RUNS; r++) {
        const d = decoded[r]!;
        if (pos[r]! >= d.keys.length) continue;
        const key = d.keys[pos[r]!]!;
        if (bk === undefined || cmpBytes(key, bk) < 0) {
          bk = key;
          bi = r;
        }
      }
      if (bi < 0) break;
      const val = decoded[bi]!.vals[pos[bi]!]!;
      s += bk!.length + val.length + val[0]!;
      rows++;
      // Skip the same key in the other runs (older versions).
      for (let r = 0; r < RUNS; r++) {
        if (r === bi) continue;
        const o = decoded[r]!;
        while (pos[r]! < o.keys.length && cmpBytes(o.keys[pos[r]!]!, bk!) === 0) pos[r]!++;
      }
      pos[bi]!++;
    }
    if (rows !== NKEYS || s !== expectSum) throw new Error('TS merge rows');
  };
  // TS: the same merge over the runs' own blocks (cached), entries decoded in place,
  // newest run first; per key the newest version within the snapshot, tombstones skipped.
  const runs = files.slice().reverse().map((f) => new TsRun(f)); // newest first, as the kernel's run list
  for (const r of runs) for (let b = 0; b < r.blocks; b++) r.block(b);
  const fb = (): void => {
    const { rows, sum: s } = tsMergeScan(runs.map((r) => new TsRunCursor(r)), 0, snap);
    if (rows !== NKEYS || s !== expectSum) throw new Error(`TS block merge rows ${rows}`);
  };
  const [tk, tkOnly, tt, tb] = bestEach([fk, fkOnly, ft, fb]) as [number, number, number, number];
  if (sum !== expectSum) throw new Error('kernel merge sum');
  results.push({ loop: `merge scan, ${RUNS} runs (ns per row)`, kernel: 'iter_next batches, rows read in place', kernelNs: ns(tk, NKEYS), ts: 'k-way merge over decoded arrays', tsNs: ns(tt, NKEYS) });
  results.push({ loop: `merge scan, ${RUNS} runs, same bytes`, kernel: 'iter_next batches, rows read in place', kernelNs: ns(tk, NKEYS), ts: 'k-way merge over the cached run blocks', tsNs: ns(tb, NKEYS) });
  results.push({ loop: 'merge scan, kernel side only', kernel: 'iter_next only (no copy out, no JS decode)', kernelNs: ns(tkOnly, NKEYS), ts: 'k-way merge over decoded arrays', tsNs: ns(tt, NKEYS) });
}

// ---- main ----

const m = machine();
const loadStart = loadavg();
const probe = await loadProbe();
// --only checksums,memtable,memscan,bloom,run,merge runs a subset (all by default).
const only = argValue('--only')?.split(',');
const want = (name: string): boolean => only === undefined || only.includes(name);
if (want('checksums')) await benchChecksums(probe);
if (want('memtable')) await benchMemtable();
if (want('memscan')) await benchMemScan();
if (want('bloom')) await benchBloom(probe);
if (want('run')) await benchRun(probe);
if (want('merge')) await benchMerge();

console.log(`\nScratchBird kernel micro-benchmarks — ${new Date().toISOString().slice(0, 10)}`);
console.log(`machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memory} RAM, node ${m.node}; ${NKEYS.toLocaleString()} random ${KEY}-byte keys, ${VAL}-byte values; best of ${REPS}\n`);
const verdict = (r: Result): string => {
  const ratio = r.tsNs / r.kernelNs;
  if (r.moved) return ratio >= 1.2 ? 'kernel wins, yet moved' : 'moved to TypeScript';
  if (ratio >= 1.2) return 'kernel wins';
  if (ratio > 1 && r.rounds && r.rounds.of >= 5 && r.rounds.won === r.rounds.of) return `kernel wins (${r.rounds.won}/${r.rounds.of} rounds)`;
  if (ratio > 1 / 1.1) return r.rounds ? `NOT SHOWN (< 1.2×, ${r.rounds.won}/${r.rounds.of} rounds)` : 'NOT SHOWN (< 1.2×)';
  return 'KERNEL LOSES';
};
const rows = results.map((r) => [r.loop, r.kernel, f0(r.kernelNs), r.ts, f0(r.tsNs), `${(r.tsNs / r.kernelNs).toFixed(2)}×`, verdict(r), r.note ?? '']);
const md = table(['loop', 'kernel', 'kernel ns/op', 'TypeScript', 'TS ns/op', 'TS/kernel', 'verdict', 'note'], rows);
console.log('');
extra.push(`load average of the machine (1, 5, 15 min): ${loadStart.map((x) => x.toFixed(2)).join(', ')} at the start, ${loadavg().map((x) => x.toFixed(2)).join(', ')} at the end (${m.cpus} CPUs)`);
for (const e of extra) console.log(e);
const out = argValue('--json');
if (out) writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine: m, keys: NKEYS, reps: REPS, results, extra, md }, null, 2));
