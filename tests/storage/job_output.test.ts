// The output side of flushes and compactions (host/engine/store/maintenance.ts
// JobOutput): kernel output gathered into buffers, written asynchronously a
// bounded number at a time, and the run file synced in steps. A sync must
// only start once every write before it has completed (or it would not cover
// them), the file must hold exactly the bytes added, in order, and any write
// or sync failure must surface.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MemoryPlatform } from '../../host/platform/memory.ts';
import type { PlatformFile } from '../../host/platform/platform.ts';
import { JobOutput, nextChunk } from '../../host/engine/store/maintenance.ts';
import { JOB_CHUNK_BYTES } from '../../host/engine/store/options.ts';

/** A file whose writes complete after a few microtask turns (in a seeded order) and that checks the sync rule. */
async function watchedFile(seed: number): Promise<{ file: PlatformFile; log: { syncs: number; maxInFlight: number; writesDuringSync: number; violations: string[] }; mp: MemoryPlatform }> {
  const mp = new MemoryPlatform({ seed });
  await mp.mkdirp('/d');
  const f = await mp.openFile('/d/run', 'create');
  const log = { syncs: 0, maxInFlight: 0, writesDuringSync: 0, violations: [] as string[] };
  let inFlight = 0;
  let syncing = false;
  let r = seed >>> 0 || 1;
  const delay = async (): Promise<void> => {
    r ^= r << 13; r ^= r >>> 17; r ^= r << 5; r >>>= 0;
    for (let i = r % 7; i > 0; i--) await Promise.resolve();
  };
  const file = Object.create(f) as PlatformFile;
  file.write = async (bytes: Uint8Array, position: number): Promise<void> => {
    if (syncing) log.writesDuringSync++; // allowed: the sync covers only writes completed before it began
    const copy = bytes.slice(); // the caller must not change the buffer while the write is in flight
    inFlight++;
    log.maxInFlight = Math.max(log.maxInFlight, inFlight);
    await delay();
    if (bytes.some((b, i) => b !== copy[i])) log.violations.push('buffer changed during its write');
    await f.write(bytes, position);
    inFlight--;
  };
  file.sync = async (): Promise<void> => {
    if (inFlight > 0) log.violations.push(`sync started with ${inFlight} writes in flight`);
    log.syncs++;
    syncing = true;
    await delay();
    await f.sync();
    syncing = false;
  };
  return { file, log, mp };
}

describe('JobOutput', () => {
  it('writes exactly the bytes added, syncing in steps, never over a write in flight', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1 << 30 }), fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 40 }), async (seed, sizes) => {
        const { file, log, mp } = await watchedFile(seed);
        const out = new JobOutput(file, 1000, 4000);
        const expected: number[] = [];
        let n = 0;
        for (const size of sizes) {
          // A view into a scratch buffer that is overwritten right after the call, as kernel memory is.
          const scratch = new Uint8Array(size);
          for (let i = 0; i < size; i++) scratch[i] = (n++ * 31 + 7) & 0xff;
          expected.push(...scratch);
          out.add(scratch);
          scratch.fill(0xee);
          await out.backpressure();
        }
        await out.finish();
        expect(log.violations).toEqual([]);
        expect(log.maxInFlight).toBeLessThanOrEqual(2);
        expect(out.size).toBe(expected.length);
        // One sync per 4000 bytes written at most, plus the final one.
        expect(log.syncs).toBeGreaterThanOrEqual(1);
        expect(log.syncs).toBeLessThanOrEqual(Math.floor(expected.length / 4000) + 1);
        const back = await mp.readFile('/d/run');
        expect(Array.from(back)).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('syncs the file in steps while it is written', async () => {
    const { file, log } = await watchedFile(3);
    const out = new JobOutput(file, 1024, 8192);
    for (let i = 0; i < 64; i++) {
      out.add(new Uint8Array(1024).fill(i));
      await out.backpressure();
    }
    expect(log.syncs).toBeGreaterThanOrEqual(6); // 64 KiB in 8 KiB steps, before finish()
    expect(log.writesDuringSync).toBeGreaterThan(0); // the background sync does not hold up the writes
    await out.finish();
    expect(log.violations).toEqual([]);
  });

  it('reports a failed write, and settle() waits for everything started', async () => {
    const { file, mp } = await watchedFile(5);
    const out = new JobOutput(file, 100, 1 << 20);
    out.add(new Uint8Array(250));
    await out.backpressure().catch(() => {});
    mp.failNext('write');
    out.add(new Uint8Array(250));
    await expect((async () => {
      await out.backpressure();
      await out.finish();
    })()).rejects.toThrow(/injected write failure/);
    await out.settle();
  });

  it('reports a failed background sync', async () => {
    const { file, mp } = await watchedFile(9);
    const out = new JobOutput(file, 100, 300);
    mp.failNext('sync');
    await expect((async () => {
      for (let i = 0; i < 20; i++) {
        out.add(new Uint8Array(100));
        await out.backpressure();
      }
      await out.finish();
    })()).rejects.toThrow(/injected sync failure/);
    await out.settle();
  });
});

describe('nextChunk (job step sizing)', () => {
  it('aims at about a millisecond of kernel work, within bounds', () => {
    // 2 MB/ms observed: grows towards it, capped at JOB_CHUNK_BYTES.
    let c = 128 << 10;
    for (let i = 0; i < 20; i++) c = nextChunk(c, c, c / 2_000_000);
    expect(c).toBe(JOB_CHUNK_BYTES);
    // 100 KB/ms: settles near 100 KB.
    c = 1 << 20;
    for (let i = 0; i < 30; i++) c = nextChunk(c, c, c / 100_000);
    expect(Math.abs(c - 100_000)).toBeLessThan(1000);
    // Very slow steps never go below the floor; an unmeasurable step grows.
    expect(nextChunk(16 << 10, 16 << 10, 1000)).toBe(16 << 10);
    expect(nextChunk(64 << 10, 64 << 10, 0)).toBeGreaterThan(64 << 10);
  });
});
