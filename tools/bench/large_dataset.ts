// Large data set: loads 10,000,000 rows into a store with a 64 MiB block
// cache and the default memtable, sampling load speed and memory as it goes;
// reads a sample of keys; closes, reopens (timed), verifies a sample and the
// row count with a full scan.
//
//   npx tsx tools/bench/large_dataset.ts [--rows N] [--quick] [--max-seconds S] [--json out.json]
//
// --max-seconds bounds the load (default 900): past it the load stops and the
// rest of the run works on the rows loaded so far.

import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../host/engine/store/index.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { KeyWriter } from '../../host/engine/keys/key_encoding.ts';
import { argInt, argValue, hasFlag, machine, mib, now, rate, Rng, rssBytes, since, table } from './common.ts';

const quick = hasFlag('--quick');
const N = argInt('--rows', quick ? 1_000_000 : 10_000_000);
const MAX_SECONDS = argInt('--max-seconds', 900);
const BATCH = 10_000;
const VALUE_BYTES = 100;
const SAMPLE = quick ? 20_000 : 100_000;
const SAMPLE_EVERY = Math.max(BATCH, Math.floor(N / 20 / BATCH) * BATCH);
const CACHE = 64 << 20;

const platform = nodePlatform();
const root = mkdtempSync(join(tmpdir(), 'sb-large-'));
const dir = join(root, 'db');
const template = new Rng(7).fill(new Uint8Array(VALUE_BYTES));
const value = new Uint8Array(template);
const dvValue = new DataView(value.buffer);
function valueOf(i: number): Uint8Array {
  dvValue.setUint32(0, i >>> 0, false);
  return value;
}
function checkValue(i: number, v: Uint8Array | undefined): void {
  if (!v || v.length !== VALUE_BYTES) throw new Error(`row ${i}: missing or wrong length`);
  const got = new DataView(v.buffer, v.byteOffset, 4).getUint32(0, false);
  if (got !== i >>> 0) throw new Error(`row ${i}: value holds ${got}`);
  for (let j = 4; j < VALUE_BYTES; j++) if (v[j] !== template[j]) throw new Error(`row ${i}: byte ${j} differs`);
}
const kw = new KeyWriter(16);
const keyOf = (i: number): Uint8Array => kw.reset().int(i).view();
function log(s: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
}
function dirBytes(d: string): number {
  let n = 0;
  for (const f of readdirSync(d)) n += statSync(join(d, f)).size;
  return n;
}

interface Sample {
  rows: number;
  seconds: number;
  intervalRate: number;
  rss: number;
  kernelBytes: number;
  kernelAllocated: number;
  memtables: number;
  cache: number;
  runs: number;
  flushes: number;
  compactions: number;
  stalls: number;
}

try {
  const m = machine();
  const loadStart = loadavg();
  let store = await Store.open(dir, { platform, blockCacheBytesMax: CACHE });
  let ks = await store.keyspace('big');
  log(`loading up to ${N.toLocaleString()} rows (block cache ${mib(CACHE)}, memtable default ${mib(store.options.memtableBytesMax)}), at most ${MAX_SECONDS} s`);
  const samples: Sample[] = [];
  const t0 = now();
  let tLast = t0;
  let rowsLast = 0;
  let loaded = 0;
  let peakRss = 0;
  let peakKernel = 0;
  const sample = (): void => {
    const mem = store.memoryStats();
    const t = now();
    const s: Sample = {
      rows: loaded, seconds: (t - t0) / 1000, intervalRate: (loaded - rowsLast) / ((t - tLast) / 1000), rss: rssBytes(),
      kernelBytes: mem.kernelBytes, kernelAllocated: mem.kernelAllocated, memtables: mem.activeMemtableBytes + mem.frozenMemtableBytes,
      cache: mem.cacheUsed, runs: mem.runs, flushes: store.stats.flushes, compactions: store.stats.compactions, stalls: store.stats.writeStalls,
    };
    samples.push(s);
    peakRss = Math.max(peakRss, s.rss);
    peakKernel = Math.max(peakKernel, s.kernelBytes);
    tLast = t;
    rowsLast = loaded;
    log(`  ${loaded.toLocaleString()} rows, ${s.seconds.toFixed(0)} s, ${rate(s.intervalRate)} rows/s now, RSS ${mib(s.rss)}, kernel ${mib(s.kernelBytes)} ` +
      `(allocated ${mib(s.kernelAllocated)}), runs ${s.runs}, flushes ${s.flushes}, compactions ${s.compactions}, stalls ${s.stalls}`);
  };
  let stoppedEarly = false;
  while (loaded < N) {
    const tx = store.begin();
    const end = Math.min(N, loaded + BATCH);
    for (let i = loaded; i < end; i++) tx.insert(ks, keyOf(i), valueOf(i));
    await tx.commit();
    loaded = end;
    if (loaded % SAMPLE_EVERY === 0 || loaded === N) sample();
    if (since(t0) > MAX_SECONDS && loaded < N) {
      stoppedEarly = true;
      sample();
      log(`  stopping the load after ${MAX_SECONDS} s`);
      break;
    }
  }
  const loadSeconds = since(t0);
  const loadRate = loaded / loadSeconds;
  log(`loaded ${loaded.toLocaleString()} rows in ${loadSeconds.toFixed(1)} s: ${rate(loadRate)} rows/s`);

  // Random reads of a sample (the data as loaded: memtable and runs).
  const rng = new Rng(21);
  const rows = Array.from({ length: SAMPLE }, () => rng.below(loaded));
  const sampleKeys = rows.map((i) => new KeyWriter(8).int(i).bytes());
  const readSample = (s: Store, k: typeof ks): number => {
    const tx = s.begin({ readOnly: true });
    const t = now();
    for (let j = 0; j < rows.length; j++) checkValue(rows[j]!, tx.get(k, sampleKeys[j]!));
    const r = rows.length / since(t);
    tx.rollback();
    return r;
  };
  const c0 = store.memoryStats();
  const getsAfterLoad = readSample(store, ks);
  const c1 = store.memoryStats();
  log(`sample of ${SAMPLE.toLocaleString()} random gets after the load: ${rate(getsAfterLoad)} gets/s (cache hits ${c1.cacheHits - c0.cacheHits}, misses ${c1.cacheMisses - c0.cacheMisses})`);
  const memAfterLoad = store.memoryStats();
  const rssAfterLoad = rssBytes();
  const walStats = { ...store.wal.stats };
  const statsAfterLoad = { ...store.stats };

  let t = now();
  await store.close();
  const closeSeconds = since(t);
  const diskBytes = dirBytes(dir);
  log(`closed in ${closeSeconds.toFixed(2)} s; folder holds ${mib(diskBytes)}`);

  t = now();
  store = await Store.open(dir, { platform, blockCacheBytesMax: CACHE });
  const reopenSeconds = since(t);
  ks = (store.getKeyspace('big'))!;
  const replayed = store.stats.walRecordsReplayed;
  log(`reopened in ${reopenSeconds.toFixed(2)} s (${replayed} WAL records replayed, ${store.memoryStats().runs} runs)`);
  const getsAfterReopen = readSample(store, ks);
  log(`verified ${SAMPLE.toLocaleString()} sampled rows after reopen: ${rate(getsAfterReopen)} gets/s`);

  t = now();
  const tx = store.begin({ readOnly: true });
  const c = tx.scan(ks);
  let count = 0;
  let expect = 0;
  while (c.next()) {
    // Keys come back in order: row i is the i-th.
    if (count % 997 === 0) checkValue(expect, c.value);
    count++;
    expect++;
  }
  tx.rollback();
  const scanSeconds = since(t);
  if (count !== loaded) throw new Error(`full scan counted ${count} rows, loaded ${loaded}`);
  log(`full scan after reopen: ${count.toLocaleString()} rows in ${scanSeconds.toFixed(2)} s (${rate(count / scanSeconds)} rows/s)`);
  const memEnd = store.memoryStats();
  const rssEnd = rssBytes();
  await store.close();

  console.log(`\nScratchBird large data set — ${new Date().toISOString().slice(0, 10)}`);
  console.log(`machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memory} RAM, node ${m.node}, data in ${m.disk}`);
  console.log(`${loaded.toLocaleString()} rows${stoppedEarly ? ` (stopped at the ${MAX_SECONDS} s limit; ${N.toLocaleString()} asked)` : ''}, key: order-preserving int key, value ${VALUE_BYTES} bytes, ${BATCH.toLocaleString()}-row transactions, block cache ${mib(CACHE)}\n`);
  const summary = table(['figure', 'value'], [
    ['load', `${rate(loadRate)} rows/s (${loadSeconds.toFixed(1)} s)`],
    ['flushes / compactions / write stalls during the load', `${statsAfterLoad.flushes} / ${statsAfterLoad.compactions} / ${statsAfterLoad.writeStalls}`],
    ['WAL during the load', `${walStats.records} records, ${mib(walStats.bytes)}, ${walStats.syncs} fsyncs`],
    ['peak RSS / peak kernel memory (sampled)', `${mib(peakRss)} / ${mib(peakKernel)}`],
    ['after the load: RSS, kernel memory, allocated, runs', `${mib(rssAfterLoad)}, ${mib(memAfterLoad.kernelBytes)}, ${mib(memAfterLoad.kernelAllocated)}, ${memAfterLoad.runs}`],
    [`random gets after the load (${SAMPLE.toLocaleString()}, verified)`, `${rate(getsAfterLoad)} gets/s`],
    ['close', `${closeSeconds.toFixed(2)} s`],
    ['folder size after close', mib(diskBytes)],
    ['reopen (Store.open)', `${reopenSeconds.toFixed(2)} s, ${replayed} WAL records replayed`],
    [`random gets after reopen (${SAMPLE.toLocaleString()}, verified, cold cache)`, `${rate(getsAfterReopen)} gets/s`],
    ['full scan after reopen (count verified)', `${rate(count / scanSeconds)} rows/s (${scanSeconds.toFixed(2)} s)`],
    ['machine load average (1 min) at start / end', `${loadStart[0]!.toFixed(2)} / ${loadavg()[0]!.toFixed(2)} on ${m.cpus} CPUs`],
    ['end: RSS, kernel memory, allocated, block cache', `${mib(rssEnd)}, ${mib(memEnd.kernelBytes)}, ${mib(memEnd.kernelAllocated)}, ${mib(memEnd.cacheUsed)}`],
  ]);
  console.log('');
  const md2 = table(['rows', 's', 'rows/s (interval)', 'RSS', 'kernel memory', 'kernel allocated', 'memtables', 'block cache', 'runs', 'flushes', 'compactions', 'stalls'],
    samples.map((s) => [s.rows.toLocaleString(), s.seconds.toFixed(0), rate(s.intervalRate), mib(s.rss), mib(s.kernelBytes), mib(s.kernelAllocated), mib(s.memtables), mib(s.cache),
      String(s.runs), String(s.flushes), String(s.compactions), String(s.stalls)]));
  const out = argValue('--json');
  if (out) writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine: m, asked: N, loaded, stoppedEarly, summary, samplesMd: md2 }, null, 2));
} finally {
  rmSync(root, { recursive: true, force: true });
}
