// What handing work to another thread costs on this machine, the figures
// behind docs/benchmarks.md §4's TPC-B analysis:
//
//  1. Thread wake-up round trip: the main thread wakes a worker blocked in
//     Atomics.wait (a futex) and waits for its answer, after the worker has
//     slept 0, 50, 200 or 1000 µs. In a VM an idle vCPU halts, and waking it
//     costs far more than the futex call itself.
//  2. A durable WAL-sized write (300 bytes, O_DSYNC, preallocated file):
//     writeSync on the calling thread against fs.write through libuv's
//     thread pool (what the WAL uses under load) with 1-4 writes in flight.
//
//   npx tsx tools/bench/thread_hop.ts [--rounds 3000] [--dir /tmp]

import { closeSync, constants, mkdtempSync, openSync, rmSync, write, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { argInt, argValue } from './common.ts';

const ROUNDS = argInt('--rounds', 3000);
const DIR = argValue('--dir') ?? tmpdir();

const pct = (xs: number[], p: number): number => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const us = (ms: number): string => (ms * 1000).toFixed(0).padStart(5);

// ---------------------------------------------------------------- 1. wake-up round trips
{
  const sab = new SharedArrayBuffer(8);
  const flag = new Int32Array(sab);
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const a = new Int32Array(workerData);
     for (;;) {
       Atomics.wait(a, 0, 0);
       const v = Atomics.load(a, 0);
       if (v === 3) break;
       if (v === 1) { Atomics.store(a, 0, 2); Atomics.notify(a, 0); }
     }`,
    { eval: true, workerData: sab },
  );
  await new Promise((r) => setTimeout(r, 100));
  console.log('thread wake-up round trip (main -> worker -> main), µs:');
  for (const idleUs of [0, 50, 200, 1000]) {
    const lat: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      if (idleUs > 0) {
        const until = performance.now() + idleUs / 1000;
        while (performance.now() < until);
      }
      const t0 = performance.now();
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      while (Atomics.load(flag, 0) !== 2) Atomics.wait(flag, 0, 1, 5);
      lat.push(performance.now() - t0);
      Atomics.store(flag, 0, 0);
    }
    lat.sort((a, b) => a - b);
    console.log(`  worker idle ${String(idleUs).padStart(4)} µs before: p50 ${us(pct(lat, 0.5) / 1)}  p90 ${us(pct(lat, 0.9))}`);
  }
  Atomics.store(flag, 0, 3);
  Atomics.notify(flag, 0);
  await worker.terminate();
}

// ---------------------------------------------------------------- 2. durable writes: on the thread vs through the thread pool
{
  const dir = mkdtempSync(join(DIR, 'sb-thread-hop-'));
  const path = join(dir, 'wal.dat');
  const size = 16 << 20;
  writeFileSync(path, new Uint8Array(size)); // preallocated, as WAL segments are
  const fd = openSync(path, constants.O_RDWR | (constants.O_DSYNC ?? 0));
  const rec = new Uint8Array(300).fill(7);
  let pos = 0;
  const next = (): number => {
    const p = pos;
    pos = (pos + rec.length) % (size - rec.length);
    return p;
  };
  console.log('300-byte O_DSYNC writes to a preallocated file:');
  {
    const lat: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      writeSync(fd, rec, 0, rec.length, next());
      lat.push(performance.now() - t);
    }
    const el = performance.now() - t0;
    lat.sort((a, b) => a - b);
    console.log(`  writeSync on this thread:     ${String(Math.round(ROUNDS / el * 1000)).padStart(6)} writes/s, p50 ${us(pct(lat, 0.5))} µs, p90 ${us(pct(lat, 0.9))} µs`);
  }
  const poolWrite = (p: number): Promise<void> => new Promise((res, rej) => write(fd, rec, 0, rec.length, p, (e) => (e ? rej(e) : res())));
  for (const inFlight of [1, 2, 3, 4]) {
    const lat: number[] = [];
    let issued = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (issued < ROUNDS) {
        issued++;
        const t = performance.now();
        await poolWrite(next());
        lat.push(performance.now() - t);
      }
    }));
    const el = performance.now() - t0;
    lat.sort((a, b) => a - b);
    console.log(`  thread pool, ${inFlight} in flight:       ${String(Math.round(ROUNDS / el * 1000)).padStart(6)} writes/s, p50 ${us(pct(lat, 0.5))} µs, p90 ${us(pct(lat, 0.9))} µs`);
  }
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
}
