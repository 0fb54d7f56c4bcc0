// A big flush under foreground commits: what `pgbench -i` followed by TPC-B
// does to the store. Loads ROWS rows (100-byte values) into one memtable
// (no flush during the load), then runs CLIENTS TPC-B-shaped durable commit
// loops (one account of the loaded rows, one of 100 tellers, one of 10
// branches, a history key) for BASE_MS, then flushes the loaded memtable
// while they keep running, and reports, for the quiet window and the flush
// window: commits/s, commit p99, and the event loop's largest delay (a 1 ms
// timer's lateness) — how long maintenance held the thread.
//
// Unless IDLE=0, the loaded memtable is first flushed with nothing else
// running (the flush's own time), then loaded again.
//
//   npx tsx tools/bench/flush_bench.ts                      # 1,000,000 rows, 8 clients
//   ROWS=300000 ROUNDS=3 npx tsx tools/bench/flush_bench.ts
//   SB_ROOT=/path/to/other/tree npx tsx tools/bench/flush_bench.ts   # the same against another checkout

import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { paddedKey, StoreTpcb } from './common.ts';

const ROOT = resolve(process.env.SB_ROOT ?? join(import.meta.dirname, '../..'));
const { Store } = (await import(pathToFileURL(join(ROOT, 'host/engine/store/index.ts')).href)) as typeof import('../../host/engine/store/index.ts');
const { nodePlatform } = (await import(pathToFileURL(join(ROOT, 'host/platform/node.ts')).href)) as typeof import('../../host/platform/node.ts');

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const CLIENTS = Number(process.env.CLIENTS ?? 8);
const BASE_MS = Number(process.env.BASE_MS ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 1);
/** Also time a flush of the loaded memtable with no commits running (then load it again). */
const IDLE = process.env.IDLE !== '0';

interface Window {
  commits: number;
  lat: number[];
  lagMax: number;
  t0: number;
}

function summary(w: Window, t1: number): string {
  const secs = (t1 - w.t0) / 1000;
  const lat = w.lat.slice().sort((a, b) => a - b);
  const p99 = lat[Math.floor(lat.length * 0.99)] ?? 0;
  return `${(w.commits / secs).toFixed(0)} commits/s, p99 ${p99.toFixed(1)} ms, loop delay max ${w.lagMax.toFixed(1)} ms (${secs.toFixed(2)} s)`;
}

async function round(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-flush-bench-'));
  const store = await Store.open(dir, { platform: nodePlatform(), memtableBytesMax: 1 << 30 });
  try {
    const ks = await store.keyspace('bench');
    const work = new StoreTpcb(store, ks, ROWS);
    const value = work.value;
    const key = paddedKey;
    const tLoad = performance.now();
    for (let i = 0; i < ROWS; i += 10_000) {
      const tx = store.begin();
      for (let j = i; j < Math.min(ROWS, i + 10_000); j++) tx.put(ks, key('a', j), value);
      await tx.commit();
    }
    const loadMs = performance.now() - tLoad;
    // The same flush with no one else on the thread: its own cost.
    let idleMs = 0;
    if (IDLE) {
      const t = performance.now();
      await store.flush();
      idleMs = performance.now() - t;
      for (let i = 0; i < ROWS; i += 10_000) {
        const tx = store.begin();
        for (let j = i; j < Math.min(ROWS, i + 10_000); j++) tx.put(ks, key('a', j), value);
        await tx.commit();
      }
    }

    let stop = false;
    let win: Window = { commits: 0, lat: [], lagMax: 0, t0: performance.now() };
    let last = performance.now();
    const lagTimer = setInterval(() => {
      const t = performance.now();
      win.lagMax = Math.max(win.lagMax, t - last - 1);
      last = t;
    }, 1);
    const client = async (): Promise<void> => {
      while (!stop) {
        const t0 = performance.now();
        await work.txn();
        win.commits++;
        win.lat.push(performance.now() - t0);
      }
    };
    const clients = Promise.all(Array.from({ length: CLIENTS }, client));
    await new Promise((r) => setTimeout(r, BASE_MS));
    const quiet = summary(win, performance.now());
    win = { commits: 0, lat: [], lagMax: 0, t0: performance.now() };
    last = performance.now();
    const flushes0 = store.stats.flushes;
    await store.flush();
    const flushMs = performance.now() - win.t0;
    const during = summary(win, performance.now());
    stop = true;
    await clients;
    clearInterval(lagTimer);
    console.log(`load ${ROWS} rows ${(loadMs / 1000).toFixed(1)} s | idle flush ${idleMs.toFixed(0)} ms | quiet: ${quiet} | flush ${flushMs.toFixed(0)} ms ` +
      `(${store.stats.flushes - flushes0} flushes, ${(store.stats.bytesFlushed / 1048576).toFixed(0)} MiB): ${during} | load avg ${loadavg()[0]!.toFixed(2)}`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`tree ${ROOT}`);
for (let r = 0; r < ROUNDS; r++) await round();
