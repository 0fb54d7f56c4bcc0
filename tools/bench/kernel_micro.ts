// Kernel micro-benchmarks: each storage-kernel loop against the same loop
// written in plain TypeScript (DESIGN.md ground rule 2).
//
//   npx tsx tools/bench/kernel_micro.ts [--keys N] [--quick] [--reps R] [--json out.json]
//
// Kernel side: the real build/wasm/storage.wasm (through StorageKernel, the
// way the store calls it), plus a bench-only probe module that links the
// kernel's own Bloom-filter and block-search source (tools/bench/kernel_probe.as)
// to time those loops without the rest of a point get around them.
// Every figure is the best of R repetitions (ns per operation).

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { randomFillSync } from 'node:crypto';
import asc from 'assemblyscript/asc';
import { StorageKernel, OP_PUT, ST } from '../../host/storage/kernel.ts';
import type { PlatformFile } from '../../host/platform/platform.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { Store } from '../../host/engine/store/index.ts';
import { argInt, argValue, hasFlag, machine, Rng, table } from './common.ts';

const quick = hasFlag('--quick');
const NKEYS = argInt('--keys', quick ? 200_000 : 1_000_000);
const REPS = argInt('--reps', quick ? 2 : 3);
const KEY = 12;
const VAL = 8;
const CRC_BYTES = quick ? 16 << 20 : 64 << 20;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const platform = nodePlatform();

interface Result {
  loop: string;
  kernel: string;
  kernelNs: number;
  ts: string;
  tsNs: number;
  note?: string;
}
const results: Result[] = [];
const extra: string[] = [];

function log(s: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
}

/** Best time in seconds over REPS runs of fn (fn may return a value to check). */
function best(fn: () => unknown, reps = REPS): number {
  let t = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    t = Math.min(t, (performance.now() - t0) / 1000);
  }
  return t;
}
async function bestAsync(fn: () => Promise<unknown>, reps = REPS): Promise<number> {
  let t = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await fn();
    t = Math.min(t, (performance.now() - t0) / 1000);
  }
  return t;
}
const ns = (seconds: number, ops: number): number => (seconds * 1e9) / ops;

// ---- data ----

const keysPacked = new Uint8Array(NKEYS * KEY);
randomFillSync(keysPacked);
const keys = Array.from({ length: NKEYS }, (_, i) => keysPacked.subarray(i * KEY, i * KEY + KEY));
const absentPacked = new Uint8Array(NKEYS * KEY);
randomFillSync(absentPacked);
const absent = Array.from({ length: NKEYS }, (_, i) => absentPacked.subarray(i * KEY, i * KEY + KEY));
const value = new Uint8Array(VAL).fill(0x5a);

function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
const sortedKeys = [...keys].sort(cmpBytes);

// ---- kernel helpers ----

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
    const p = k.ioBuffer(KEY + VAL);
    const u8 = k.u8();
    u8.set(key, p);
    u8.set(value, p + KEY);
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
  const job = x.flush_begin(horizon, x.lsm_run_count() === 0 ? 1 : 0, 16 << 10, 10);
  if (job === 0) throw new Error('flush_begin failed');
  const parts: Uint8Array[] = [];
  for (;;) {
    const st = k.check(x.job_step(job, 1 << 20), 'job_step');
    const len = x.job_out_len(job);
    if (len > 0) {
      parts.push(k.copyOut(x.job_out_ptr(job), len));
      x.job_out_consume(job);
    }
    if (st === ST.OK) break;
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

// ---- 1. CRC32C ----

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
  // Bytes until the view is 4-byte aligned.
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

async function benchCrc(): Promise<void> {
  log(`CRC32C over ${CRC_BYTES >> 20} MiB`);
  const data = new Uint8Array(CRC_BYTES);
  randomFillSync(data);
  const k = await StorageKernel.load(platform);
  const p = k.ioBuffer(CRC_BYTES);
  k.u8().set(data, p);
  let kc = 0;
  const tk = best(() => (kc = k.x.crc32c_of(p, CRC_BYTES) >>> 0), REPS + 2);
  const tkCopy = best(() => {
    k.u8().set(data, p);
    kc = k.x.crc32c_of(p, CRC_BYTES) >>> 0;
  }, REPS + 2);
  let tc = 0;
  const tt = best(() => (tc = crc32cTs(data)), REPS + 2);
  if (kc !== tc) throw new Error(`CRC mismatch ${kc} ${tc}`);
  const mbs = (t: number): string => `${(CRC_BYTES / t / 2 ** 30).toFixed(2)} GiB/s`;
  results.push({ loop: `CRC32C, ${CRC_BYTES >> 20} MiB (ns per KiB)`, kernel: 'crc32c_of (data in linear memory)', kernelNs: ns(tk, CRC_BYTES / 1024), ts: 'slicing-by-8 over Uint32Array', tsNs: ns(tt, CRC_BYTES / 1024), note: `kernel ${mbs(tk)}, TS ${mbs(tt)}` });
  results.push({ loop: `CRC32C incl. copy into linear memory (ns per KiB)`, kernel: 'u8.set + crc32c_of', kernelNs: ns(tkCopy, CRC_BYTES / 1024), ts: 'slicing-by-8', tsNs: ns(tt, CRC_BYTES / 1024), note: `kernel ${mbs(tkCopy)}` });
}

// ---- 2. memtable vs TS B+trees ----

const FANOUT = 64;
interface BLeaf<K> { leaf: true; keys: K[]; vals: Uint8Array[]; next: BLeaf<K> | null }
interface BInner<K> { leaf: false; keys: K[]; kids: Array<BNode<K>> }
type BNode<K> = BLeaf<K> | BInner<K>;

/** B+tree over Uint8Array keys (unsigned byte order). */
class BytesBTree {
  root: BNode<Uint8Array> = { leaf: true, keys: [], vals: [], next: null };
  size = 0;
  private static childIndex(n: BInner<Uint8Array>, key: Uint8Array): number {
    let lo = 0, hi = n.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmpBytes(key, n.keys[mid]!) >= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  private static lowerBound(keysArr: Uint8Array[], key: Uint8Array): number {
    let lo = 0, hi = keysArr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmpBytes(keysArr[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  get(key: Uint8Array): Uint8Array | undefined {
    let n = this.root;
    while (!n.leaf) n = n.kids[BytesBTree.childIndex(n, key)]!;
    const i = BytesBTree.lowerBound(n.keys, key);
    return i < n.keys.length && cmpBytes(n.keys[i]!, key) === 0 ? n.vals[i] : undefined;
  }
  put(key: Uint8Array, val: Uint8Array): void {
    const path: Array<BInner<Uint8Array>> = [];
    const idx: number[] = [];
    let n = this.root;
    while (!n.leaf) {
      const ci = BytesBTree.childIndex(n, key);
      path.push(n);
      idx.push(ci);
      n = n.kids[ci]!;
    }
    const i = BytesBTree.lowerBound(n.keys, key);
    if (i < n.keys.length && cmpBytes(n.keys[i]!, key) === 0) {
      n.vals[i] = val;
      return;
    }
    n.keys.splice(i, 0, key);
    n.vals.splice(i, 0, val);
    this.size++;
    if (n.keys.length <= FANOUT) return;
    const half = n.keys.length >>> 1;
    const right: BLeaf<Uint8Array> = { leaf: true, keys: n.keys.splice(half), vals: n.vals.splice(half), next: n.next };
    n.next = right;
    let sep = right.keys[0]!;
    let child: BNode<Uint8Array> = right;
    for (let d = path.length - 1; d >= 0; d--) {
      const p = path[d]!;
      const ci = idx[d]!;
      p.keys.splice(ci, 0, sep);
      p.kids.splice(ci + 1, 0, child);
      if (p.keys.length <= FANOUT) return;
      const mid = p.keys.length >>> 1;
      const r: BInner<Uint8Array> = { leaf: false, keys: p.keys.splice(mid + 1), kids: p.kids.splice(mid + 1) };
      sep = p.keys.pop()!;
      child = r;
    }
    this.root = { leaf: false, keys: [sep], kids: [this.root, child] };
  }
}

/** The same B+tree over binary strings (one char per byte; JS string order is byte order). */
class StringBTree {
  root: BNode<string> = { leaf: true, keys: [], vals: [], next: null };
  size = 0;
  private static childIndex(n: BInner<string>, key: string): number {
    let lo = 0, hi = n.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (key >= n.keys[mid]!) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  private static lowerBound(keysArr: string[], key: string): number {
    let lo = 0, hi = keysArr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keysArr[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  get(key: string): Uint8Array | undefined {
    let n = this.root;
    while (!n.leaf) n = n.kids[StringBTree.childIndex(n, key)]!;
    const i = StringBTree.lowerBound(n.keys, key);
    return i < n.keys.length && n.keys[i] === key ? n.vals[i] : undefined;
  }
  put(key: string, val: Uint8Array): void {
    const path: Array<BInner<string>> = [];
    const idx: number[] = [];
    let n = this.root;
    while (!n.leaf) {
      const ci = StringBTree.childIndex(n, key);
      path.push(n);
      idx.push(ci);
      n = n.kids[ci]!;
    }
    const i = StringBTree.lowerBound(n.keys, key);
    if (i < n.keys.length && n.keys[i] === key) {
      n.vals[i] = val;
      return;
    }
    n.keys.splice(i, 0, key);
    n.vals.splice(i, 0, val);
    this.size++;
    if (n.keys.length <= FANOUT) return;
    const half = n.keys.length >>> 1;
    const right: BLeaf<string> = { leaf: true, keys: n.keys.splice(half), vals: n.vals.splice(half), next: n.next };
    n.next = right;
    let sep = right.keys[0]!;
    let child: BNode<string> = right;
    for (let d = path.length - 1; d >= 0; d--) {
      const p = path[d]!;
      const ci = idx[d]!;
      p.keys.splice(ci, 0, sep);
      p.kids.splice(ci + 1, 0, child);
      if (p.keys.length <= FANOUT) return;
      const mid = p.keys.length >>> 1;
      const r: BInner<string> = { leaf: false, keys: p.keys.splice(mid + 1), kids: p.kids.splice(mid + 1) };
      sep = p.keys.pop()!;
      child = r;
    }
    this.root = { leaf: false, keys: [sep], kids: [this.root, child] };
  }
}

function binStr(b: Uint8Array): string {
  return String.fromCharCode.apply(null, b as unknown as number[]);
}

async function benchMemtable(): Promise<void> {
  log(`memtable: ${NKEYS.toLocaleString()} random ${KEY}-byte keys, ${VAL}-byte values`);
  // Kernel, called the way Txn calls it: io_buffer, copy key and value, kv_put / kv_get, copy the value out.
  let tPut = Infinity, tGet = Infinity;
  for (let r = 0; r < REPS; r++) {
    const k = await StorageKernel.load(platform);
    const x = k.x;
    const slot = x.tx_begin(2, 1);
    let t0 = performance.now();
    for (let i = 0; i < NKEYS; i++) {
      const p = k.ioBuffer(KEY + VAL);
      const u8 = k.u8();
      u8.set(keys[i]!, p);
      u8.set(value, p + KEY);
      if (x.kv_put(p, KEY, p + KEY, VAL, OP_PUT, slot, 1, 0) !== 0) throw new Error('kv_put');
    }
    tPut = Math.min(tPut, (performance.now() - t0) / 1000);
    let bytes = 0;
    t0 = performance.now();
    for (let i = 0; i < NKEYS; i++) {
      const p = k.ioBuffer(KEY);
      k.u8().set(keys[i]!, p);
      if (x.kv_get(p, KEY, 1, slot) !== 0) throw new Error('kv_get');
      bytes += k.copyOut(k.resultU32(0), k.resultU32(1)).length;
    }
    tGet = Math.min(tGet, (performance.now() - t0) / 1000);
    if (bytes !== NKEYS * VAL) throw new Error('kernel get bytes');
  }
  // The same through the store API (Txn.put / Txn.get, ':memory:', no background work).
  let sPut = Infinity, sGet = Infinity;
  for (let r = 0; r < REPS; r++) {
    const store = await Store.open(':memory:', { platform, background: false, memtableBytesMax: 1 << 30 });
    const ks = await store.keyspace('m');
    const tx = store.begin();
    let t0 = performance.now();
    for (let i = 0; i < NKEYS; i++) tx.put(ks, keys[i]!, value);
    sPut = Math.min(sPut, (performance.now() - t0) / 1000);
    t0 = performance.now();
    let bytes = 0;
    for (let i = 0; i < NKEYS; i++) bytes += tx.get(ks, keys[i]!)!.length;
    sGet = Math.min(sGet, (performance.now() - t0) / 1000);
    if (bytes !== NKEYS * VAL) throw new Error('store get bytes');
    tx.rollback();
    await store.close();
  }
  // TS B+tree over Uint8Array keys.
  let bPut = Infinity, bGet = Infinity;
  for (let r = 0; r < REPS; r++) {
    const t = new BytesBTree();
    let t0 = performance.now();
    for (let i = 0; i < NKEYS; i++) t.put(keys[i]!, value);
    bPut = Math.min(bPut, (performance.now() - t0) / 1000);
    let bytes = 0;
    t0 = performance.now();
    for (let i = 0; i < NKEYS; i++) bytes += t.get(keys[i]!)!.length;
    bGet = Math.min(bGet, (performance.now() - t0) / 1000);
    if (bytes !== NKEYS * VAL || t.size !== NKEYS) throw new Error('btree');
  }
  // TS B+tree over binary strings (conversion from the key bytes included).
  let sbPut = Infinity, sbGet = Infinity;
  for (let r = 0; r < REPS; r++) {
    const t = new StringBTree();
    let t0 = performance.now();
    for (let i = 0; i < NKEYS; i++) t.put(binStr(keys[i]!), value);
    sbPut = Math.min(sbPut, (performance.now() - t0) / 1000);
    let bytes = 0;
    t0 = performance.now();
    for (let i = 0; i < NKEYS; i++) bytes += t.get(binStr(keys[i]!))!.length;
    sbGet = Math.min(sbGet, (performance.now() - t0) / 1000);
    if (bytes !== NKEYS * VAL) throw new Error('string btree');
  }
  // Sorted array of binary strings: build once (push + sort), binary-search lookups. No interleaved inserts.
  let aBuild = Infinity, aGet = Infinity;
  for (let r = 0; r < REPS; r++) {
    let t0 = performance.now();
    const strs = keys.map(binStr);
    strs.sort();
    aBuild = Math.min(aBuild, (performance.now() - t0) / 1000);
    const vals = strs.map(() => value);
    let bytes = 0;
    t0 = performance.now();
    for (let i = 0; i < NKEYS; i++) {
      const key = binStr(keys[i]!);
      let lo = 0, hi = strs.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (strs[mid]! < key) lo = mid + 1;
        else hi = mid;
      }
      if (strs[lo] !== key) throw new Error('sorted array miss');
      bytes += vals[lo]!.length;
    }
    aGet = Math.min(aGet, (performance.now() - t0) / 1000);
    if (bytes !== NKEYS * VAL) throw new Error('sorted array');
  }
  const bestTsPut = Math.min(bPut, sbPut);
  const bestTsGet = Math.min(bGet, sbGet);
  results.push({ loop: 'memtable insert (random keys)', kernel: 'kv_put in a transaction', kernelNs: ns(tPut, NKEYS), ts: bPut <= sbPut ? 'B+tree, Uint8Array keys' : 'B+tree, binary-string keys', tsNs: ns(bestTsPut, NKEYS) });
  results.push({ loop: 'memtable lookup (all keys)', kernel: 'kv_get + copy value out', kernelNs: ns(tGet, NKEYS), ts: bGet <= sbGet ? 'B+tree, Uint8Array keys' : 'B+tree, binary-string keys', tsNs: ns(bestTsGet, NKEYS) });
  extra.push(`memtable, ns per op — kernel raw: put ${ns(tPut, NKEYS).toFixed(0)}, get ${ns(tGet, NKEYS).toFixed(0)}; through Store/Txn: put ${ns(sPut, NKEYS).toFixed(0)}, get ${ns(sGet, NKEYS).toFixed(0)}; ` +
    `TS B+tree (Uint8Array keys): put ${ns(bPut, NKEYS).toFixed(0)}, get ${ns(bGet, NKEYS).toFixed(0)}; TS B+tree (binary strings): put ${ns(sbPut, NKEYS).toFixed(0)}, get ${ns(sbGet, NKEYS).toFixed(0)}; ` +
    `sorted string array: build (convert + sort) ${ns(aBuild, NKEYS).toFixed(0)} per key, binary-search get ${ns(aGet, NKEYS).toFixed(0)}`);
}

// ---- probe module (kernel Bloom and block search) ----

interface Probe {
  memory: WebAssembly.Memory;
  probe_alloc(n: number): number;
  bloom_add_batch(bits: number, blocks: number, keys: number, keyLen: number, n: number): void;
  bloom_probe_batch(bits: number, blocks: number, keys: number, keyLen: number, n: number): number;
  bloom_add_one(bits: number, blocks: number, key: number, keyLen: number): void;
  bloom_probe_one(bits: number, blocks: number, key: number, keyLen: number): number;
  block_search_batch(data: number, offsets: number, sizes: number, keys: number, keyLen: number, n: number): number;
  block_search_one(b: number, size: number, key: number, keyLen: number): number;
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

// ---- 3. Bloom filter ----

const SALTS = new Uint32Array([0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d, 0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31]);

/** The same split-block Bloom filter in TS: one 256-bit block per key, one bit per 32-bit word; 2×32-bit Math.imul hash. */
class TsBloom {
  readonly bits: Int32Array;
  constructor(readonly blocks: number) {
    this.bits = new Int32Array(blocks * 8);
  }
  static hash(b: Uint8Array, off: number, len: number): void {
    // Two 32-bit murmur3-style lanes over little-endian words.
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
    hashLo = h1 >>> 0;
    hashHi = h2 >>> 0;
  }
  add(b: Uint8Array, off: number, len: number): void {
    TsBloom.hash(b, off, len);
    const base = Math.floor((hashHi * this.blocks) / 4294967296) * 8;
    const bits = this.bits;
    for (let i = 0; i < 8; i++) bits[base + i] |= 1 << (Math.imul(hashLo, SALTS[i]!) >>> 27);
  }
  mayContain(b: Uint8Array, off: number, len: number): boolean {
    TsBloom.hash(b, off, len);
    const base = Math.floor((hashHi * this.blocks) / 4294967296) * 8;
    const bits = this.bits;
    for (let i = 0; i < 8; i++) if ((bits[base + i]! & (1 << (Math.imul(hashLo, SALTS[i]!) >>> 27))) === 0) return false;
    return true;
  }
}
let hashLo = 0;
let hashHi = 0;

async function benchBloom(probe: Probe): Promise<void> {
  log(`Bloom filter: ${NKEYS.toLocaleString()} keys, 10 bits per key`);
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
  // Kernel loop, keys already in linear memory.
  const kAdd = best(() => {
    clear();
    probe.bloom_add_batch(bits, blocks, kp, KEY, NKEYS);
  });
  let hits = 0, fp = 0;
  const kProbe = best(() => (hits = probe.bloom_probe_batch(bits, blocks, kp, KEY, NKEYS)));
  const kAbsent = best(() => (fp = probe.bloom_probe_batch(bits, blocks, ap, KEY, NKEYS)));
  if (hits !== NKEYS) throw new Error('kernel bloom false negative');
  // Kernel, one call per key with the key copied in (the per-value call pattern).
  const kAddOne = best(() => {
    clear();
    const m = new Uint8Array(probe.memory.buffer);
    for (let i = 0; i < NKEYS; i++) {
      m.set(keys[i]!, one);
      probe.bloom_add_one(bits, blocks, one, KEY);
    }
  });
  let hits1 = 0;
  const kProbeOne = best(() => {
    const m = new Uint8Array(probe.memory.buffer);
    hits1 = 0;
    for (let i = 0; i < NKEYS; i++) {
      m.set(keys[i]!, one);
      hits1 += probe.bloom_probe_one(bits, blocks, one, KEY);
    }
  });
  if (hits1 !== NKEYS) throw new Error('kernel bloom (one) false negative');
  // TS.
  let tb = new TsBloom(blocks);
  const tAdd = best(() => {
    tb = new TsBloom(blocks);
    for (let i = 0; i < NKEYS; i++) tb.add(keysPacked, i * KEY, KEY);
  });
  let th = 0, tfp = 0;
  const tProbe = best(() => {
    th = 0;
    for (let i = 0; i < NKEYS; i++) if (tb.mayContain(keysPacked, i * KEY, KEY)) th++;
  });
  const tAbsent = best(() => {
    tfp = 0;
    for (let i = 0; i < NKEYS; i++) if (tb.mayContain(absentPacked, i * KEY, KEY)) tfp++;
  });
  if (th !== NKEYS) throw new Error('TS bloom false negative');
  results.push({ loop: 'Bloom add', kernel: 'bloomAdd batch loop (probe module)', kernelNs: ns(kAdd, NKEYS), ts: 'same filter, Math.imul hash', tsNs: ns(tAdd, NKEYS) });
  results.push({ loop: 'Bloom probe, present keys', kernel: 'bloomMayContain batch loop', kernelNs: ns(kProbe, NKEYS), ts: 'same', tsNs: ns(tProbe, NKEYS) });
  results.push({ loop: 'Bloom probe, absent keys', kernel: 'bloomMayContain batch loop', kernelNs: ns(kAbsent, NKEYS), ts: 'same', tsNs: ns(tAbsent, NKEYS), note: `false positives: kernel ${((100 * fp) / NKEYS).toFixed(2)}%, TS ${((100 * tfp) / NKEYS).toFixed(2)}%` });
  results.push({ loop: 'Bloom add, one call per key', kernel: 'copy key + bloom_add_one', kernelNs: ns(kAddOne, NKEYS), ts: 'same filter', tsNs: ns(tAdd, NKEYS) });
  results.push({ loop: 'Bloom probe, one call per key', kernel: 'copy key + bloom_probe_one', kernelNs: ns(kProbeOne, NKEYS), ts: 'same filter', tsNs: ns(tProbe, NKEYS) });
}

// ---- 4. block search and point gets on a flushed run ----

interface RunIndex {
  lastKeys: Uint8Array[];
  offsets: number[];
  sizes: number[];
}

function readVarint(b: Uint8Array, p: number): [number, number] {
  let v = 0, shift = 0, i = 0;
  for (;;) {
    const x = b[p + i]!;
    v |= (x & 0x7f) << shift;
    i++;
    if ((x & 0x80) === 0) return [v >>> 0, i];
    shift += 7;
  }
}

function parseRun(file: Uint8Array): RunIndex {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const f = file.length - 64;
  const indexOff = Number(dv.getBigUint64(f + 16, true));
  const blocks = dv.getUint32(f + 52, true);
  const out: RunIndex = { lastKeys: [], offsets: [], sizes: [] };
  let p = indexOff;
  for (let b = 0; b < blocks; b++) {
    const [kl, n] = readVarint(file, p);
    p += n;
    out.lastKeys.push(file.subarray(p, p + kl));
    p += kl + 8; // key, last stamp
    out.offsets.push(Number(dv.getBigUint64(p, true)));
    out.sizes.push(dv.getUint32(p + 8, true));
    p += 12;
  }
  return out;
}

/** Binary search of a sorted-run block (the run format) in TS; the value's offset in `file`, or -1. */
function tsBlockSearch(file: Uint8Array, dv: DataView, off: number, size: number, key: Uint8Array): number {
  const count = dv.getUint32(off + size - 8, true);
  const offs = off + size - 8 - 4 * count;
  const klen = key.length;
  let lo = 0, hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    let p = off + dv.getUint32(offs + 4 * mid, true) + 1;
    let kl = 0, shift = 0, x = 0;
    do { x = file[p++]!; kl |= (x & 0x7f) << shift; shift += 7; } while (x & 0x80);
    do { x = file[p++]!; } while (x & 0x80); // value length
    p += 8; // stamp (the probe's stamp is the largest: it sorts before every version of an equal key)
    const n = kl < klen ? kl : klen;
    let c = 0;
    for (let i = 0; i < n; i++) {
      c = key[i]! - file[p + i]!;
      if (c !== 0) break;
    }
    if (c === 0) c = klen - kl;
    if (c > 0) lo = mid + 1;
    else hi = mid;
  }
  if (lo >= count) return -1;
  let p = off + dv.getUint32(offs + 4 * lo, true) + 1;
  const [kl, n1] = readVarint(file, p);
  p += n1;
  const [, n2] = readVarint(file, p);
  p += n2 + 8;
  if (kl !== klen) return -1;
  for (let i = 0; i < klen; i++) if (file[p + i] !== key[i]) return -1;
  return p + kl;
}

function tsFindBlock(ix: RunIndex, key: Uint8Array): number {
  let lo = 0, hi = ix.lastKeys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmpBytes(key, ix.lastKeys[mid]!) > 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function benchRun(probe: Probe): Promise<void> {
  log('sorted run: flush, point gets, block search');
  const k = await StorageKernel.load(platform);
  k.x.cache_set_limit(256 << 20);
  const stamp = kernelCommitRows(k, keys);
  const file = kernelFlush(k, stamp);
  const ix = parseRun(file);
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const x = k.x;
  const snap = stamp + 1;
  // Kernel point gets through kv_get (Bloom, index search, block cache, block search), value copied out.
  const kGets = (list: Uint8Array[], expectFound: boolean): number => best(() => {
    let found = 0;
    for (let i = 0; i < list.length; i++) {
      const p = k.ioBuffer(KEY);
      k.u8().set(list[i]!, p);
      const st = x.kv_get(p, KEY, snap, 0);
      if (st === 0) found += k.copyOut(k.resultU32(0), k.resultU32(1)).length > 0 ? 1 : 0;
    }
    if ((found === list.length) !== expectFound && expectFound) throw new Error(`kernel run gets found ${found}`);
  });
  kGets(keys, true); // warm the block cache
  const tk = kGets(keys, true);
  const tkAbsent = kGets(absent, false);
  // TS point lookup over the same run bytes: index search, block search, value view.
  const tt = best(() => {
    let bytes = 0;
    for (let i = 0; i < NKEYS; i++) {
      const key = keys[i]!;
      const b = tsFindBlock(ix, key);
      const v = tsBlockSearch(file, dv, ix.offsets[b]!, ix.sizes[b]!, key);
      if (v < 0) throw new Error('TS run miss');
      bytes += file.subarray(v, v + VAL).length;
    }
    if (bytes !== NKEYS * VAL) throw new Error('TS run bytes');
  });
  results.push({ loop: 'point get on a flushed run (warm)', kernel: 'kv_get: Bloom + index + cache + block search, copy out', kernelNs: ns(tk, NKEYS), ts: 'index search + block search over the run bytes', tsNs: ns(tt, NKEYS), note: `${ix.offsets.length} blocks of ≤16 KiB` });
  results.push({ loop: 'point get of an absent key on a run', kernel: 'kv_get (Bloom rejects)', kernelNs: ns(tkAbsent, NKEYS), ts: '(TS Bloom probe, absent)', tsNs: NaN });
  // Block search alone: the kernel's blockLowerBound (probe module, blocks copied into its memory) vs TS.
  const blockOf = new Uint32Array(NKEYS);
  const sizeOf = new Uint32Array(NKEYS);
  for (let i = 0; i < NKEYS; i++) {
    const b = tsFindBlock(ix, keys[i]!);
    blockOf[i] = ix.offsets[b]!;
    sizeOf[i] = ix.sizes[b]!;
  }
  const dataP = probe.probe_alloc(file.length);
  const offP = probe.probe_alloc(NKEYS * 4);
  const sizeP = probe.probe_alloc(NKEYS * 4);
  const keyP = probe.probe_alloc(NKEYS * KEY);
  const oneP = probe.probe_alloc(64);
  const m = new Uint8Array(probe.memory.buffer);
  m.set(file, dataP);
  m.set(new Uint8Array(blockOf.buffer), offP);
  m.set(new Uint8Array(sizeOf.buffer), sizeP);
  m.set(keysPacked, keyP);
  let total = 0;
  const kb = best(() => (total = probe.block_search_batch(dataP, offP, sizeP, keyP, KEY, NKEYS)));
  if (total !== NKEYS * VAL) throw new Error(`kernel block search found ${total / VAL}`);
  const kbOne = best(() => {
    const mm = new Uint8Array(probe.memory.buffer);
    let t = 0;
    for (let i = 0; i < NKEYS; i++) {
      mm.set(keys[i]!, oneP);
      t += probe.block_search_one(dataP + blockOf[i]!, sizeOf[i]!, oneP, KEY);
    }
    if (t !== NKEYS * VAL) throw new Error('kernel block search (one)');
  });
  const tb = best(() => {
    let t = 0;
    for (let i = 0; i < NKEYS; i++) if (tsBlockSearch(file, dv, blockOf[i]!, sizeOf[i]!, keys[i]!) >= 0) t += VAL;
    if (t !== NKEYS * VAL) throw new Error('TS block search');
  });
  results.push({ loop: 'block search (block known)', kernel: 'blockLowerBound batch loop (probe module)', kernelNs: ns(kb, NKEYS), ts: 'binary search over the block bytes', tsNs: ns(tb, NKEYS) });
  results.push({ loop: 'block search, one call per key', kernel: 'copy key + block_search_one', kernelNs: ns(kbOne, NKEYS), ts: 'same TS search', tsNs: ns(tb, NKEYS) });
}

// ---- 5. merge iterator ----

async function benchMerge(): Promise<void> {
  const RUNS = 4;
  log(`merge: ${NKEYS.toLocaleString()} rows across ${RUNS} runs`);
  const k = await StorageKernel.load(platform);
  k.x.cache_set_limit(256 << 20);
  // Random keys dealt round-robin into the runs, so the merge interleaves them.
  const parts: Uint8Array[][] = Array.from({ length: RUNS }, () => []);
  for (let i = 0; i < NKEYS; i++) parts[i % RUNS]!.push(keys[i]!);
  let stamp = 0;
  for (const part of parts) {
    stamp = kernelCommitRows(k, part);
    kernelFlush(k, stamp);
  }
  if (k.x.lsm_run_count() !== RUNS) throw new Error('run count');
  const x = k.x;
  const scan = (): number => {
    const p = k.ioBuffer(16);
    const it = x.iter_open(p, 0, 0, p, 0, 0, stamp + 1, 0, 0, 0);
    let rows = 0, bytes = 0;
    for (;;) {
      const n = x.iter_next(it, 4096, 1 << 20);
      if (n < 0) throw new Error(`iter_next ${n}`);
      if (n === 0) break;
      const batch = k.copyOut(x.iter_out_ptr(it), x.iter_out_len(it));
      const bdv = new DataView(batch.buffer);
      let pos = 0;
      for (let r = 0; r < n; r++) {
        const kl = bdv.getUint32(pos, true);
        const vl = bdv.getUint32(pos + 4, true);
        const key = batch.subarray(pos + 8, pos + 8 + kl);
        const val = batch.subarray(pos + 8 + kl, pos + 8 + kl + vl);
        bytes += key.length + val.length;
        pos += 8 + kl + vl;
      }
      rows += n;
    }
    x.iter_close(it);
    if (rows !== NKEYS || bytes !== NKEYS * (KEY + VAL)) throw new Error(`kernel merge rows ${rows}`);
    return rows;
  };
  scan(); // warm the cache
  const tk = best(scan);
  // Kernel merge alone: iter_next without copying or decoding the batches in JS.
  const tkOnly = best(() => {
    const p = k.ioBuffer(16);
    const it = x.iter_open(p, 0, 0, p, 0, 0, stamp + 1, 0, 0, 0);
    let rows = 0;
    for (;;) {
      const n = x.iter_next(it, 4096, 1 << 20);
      if (n <= 0) break;
      rows += n;
    }
    x.iter_close(it);
    if (rows !== NKEYS) throw new Error('kernel merge rows');
  });
  // TS: the runs decoded into sorted arrays, merged k-way (linear minimum over the heads).
  const decoded = parts.map((part) => {
    const ks = [...part].sort(cmpBytes);
    return { keys: ks, vals: ks.map(() => value) };
  });
  const tt = best(() => {
    const pos = new Array<number>(RUNS).fill(0);
    let rows = 0, bytes = 0;
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
      const d = decoded[bi]!;
      const val = d.vals[pos[bi]!]!;
      bytes += bk!.length + val.length;
      rows++;
      // Skip the same key in the other runs (older versions).
      for (let r = 0; r < RUNS; r++) {
        if (r === bi) continue;
        const o = decoded[r]!;
        while (pos[r]! < o.keys.length && cmpBytes(o.keys[pos[r]!]!, bk!) === 0) pos[r]!++;
      }
      pos[bi]!++;
    }
    if (rows !== NKEYS || bytes !== NKEYS * (KEY + VAL)) throw new Error('TS merge rows');
  });
  results.push({ loop: `merge scan, ${RUNS} runs (ns per row)`, kernel: 'iter_next batches + JS row decode', kernelNs: ns(tk, NKEYS), ts: 'k-way merge over decoded arrays', tsNs: ns(tt, NKEYS) });
  results.push({ loop: `merge scan, kernel side only`, kernel: 'iter_next only (no JS decode)', kernelNs: ns(tkOnly, NKEYS), ts: 'k-way merge over decoded arrays', tsNs: ns(tt, NKEYS) });
}

// ---- main ----

const m = machine();
const loadStart = loadavg();
await benchCrc();
await benchMemtable();
const probe = await loadProbe();
await benchBloom(probe);
await benchRun(probe);
await benchMerge();

console.log(`\nScratchBird kernel micro-benchmarks — ${new Date().toISOString().slice(0, 10)}`);
console.log(`machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memory} RAM, node ${m.node}; ${NKEYS.toLocaleString()} random ${KEY}-byte keys, ${VAL}-byte values; best of ${REPS}\n`);
const rows = results.map((r) => {
  const verdict = Number.isNaN(r.tsNs) ? '' : r.kernelNs < r.tsNs ? 'kernel wins' : 'KERNEL LOSES';
  return [r.loop, r.kernel, r.kernelNs.toFixed(r.kernelNs < 10 ? 2 : 0), r.ts, Number.isNaN(r.tsNs) ? '' : r.tsNs.toFixed(r.tsNs < 10 ? 2 : 0),
    Number.isNaN(r.tsNs) ? '' : `${(r.tsNs / r.kernelNs).toFixed(2)}×`, verdict, r.note ?? ''];
});
const md = table(['loop', 'kernel', 'kernel ns/op', 'TypeScript', 'TS ns/op', 'TS/kernel', 'verdict', 'note'], rows);
console.log('');
extra.push(`load average of the machine (1, 5, 15 min): ${loadStart.map((x) => x.toFixed(2)).join(', ')} at the start, ${loadavg().map((x) => x.toFixed(2)).join(', ')} at the end (${m.cpus} CPUs)`);
for (const e of extra) console.log(e);
const out = argValue('--json');
if (out) writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine: m, keys: NKEYS, reps: REPS, results, extra, md }, null, 2));
