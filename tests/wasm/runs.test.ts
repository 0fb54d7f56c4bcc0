// Sorted-run files: flush, open, reads, statistics, Bloom filter, checksums
// and format checks; and the block cache that serves their data blocks.

import { describe, expect, it } from 'vitest';
import { Kernel, ST, LATEST, dec, enc, numKey, rng, runLayout } from './harness.ts';
import { checksum } from '../../host/storage/checksum.ts';

/** A memtable with 2000 keys: versions at stamps 10 and 20, some deleted at 30. */
function loaded(k: Kernel): void {
  const a = k.begin(1);
  for (let i = 0; i < 2000; i++) k.put(a, numKey(i * 2), `v10-${i}`.padEnd(60, '.'));
  k.commit(a, 10);
  const b = k.begin(11);
  for (let i = 0; i < 2000; i += 3) k.put(b, numKey(i * 2), `v20-${i}`);
  k.commit(b, 20);
  const c = k.begin(21);
  for (let i = 0; i < 2000; i += 10) k.del(c, numKey(i * 2));
  k.commit(c, 30);
}

function expected(i: number, snapshot: number): string | null {
  if (snapshot < 10) return null;
  if (snapshot >= 30 && i % 10 === 0) return null;
  if (snapshot >= 20 && i % 3 === 0) return `v20-${i}`;
  return `v10-${i}`.padEnd(60, '.');
}

/** A kernel whose only component is the run in `file` (as at database open). */
function openOnly(file: Uint8Array): { k: Kernel; runId: number } {
  const k = Kernel.storage();
  const runId = k.openRun(file);
  if (runId > 0) expect(k.x.lsm_append_run(runId)).toBe(ST.OK);
  return { k, runId };
}

describe('flush to a run file', () => {
  it('writes a run that serves the same reads as the memtable', () => {
    const k = Kernel.storage();
    loaded(k);
    const before = k.scan({ snapshot: 25 });
    expect(k.x.lsm_freeze()).toBe(ST.OK);
    expect(k.x.lsm_frozen_count()).toBe(1);
    const job = k.flushFile({ chunkBytes: 4096, blockTarget: 1024 });
    expect(job.status).toBe(ST.OK);
    expect(job.stats[0]).toBe(2000 + 667 + 200); // versions read
    expect(job.stats[1]).toBe(2000 + 667 + 200); // all kept: horizon 0
    const runId = k.openRun(job.file);
    expect(runId).toBeGreaterThan(0);
    expect(k.x.lsm_install_flush(runId)).toBe(ST.OK);
    k.x.job_free(job.job);
    expect(k.x.lsm_frozen_count()).toBe(0);
    expect(k.x.lsm_run_count()).toBe(1);
    expect(k.x.lsm_run_id_at(0)).toBe(runId);
    expect(k.x.lsm_active_bytes()).toBe(0);

    const info = k.runInfo(runId);
    expect(info).toMatchObject({ entries: 2867, keys: 2000, tombs: 200, minStamp: 10, maxStamp: 30 });
    expect(info.blocks).toBe(runLayout(job.file).blocks.length);
    expect(info.blocks).toBeGreaterThan(100);
    expect(k.files.get(info.file)).toBe(job.file);

    for (const snap of [5, 10, 15, 20, 29, 30, LATEST]) {
      for (let i = 0; i < 2000; i += 7) expect(k.get(numKey(i * 2), snap)).toBe(expected(i, snap));
      for (let i = 0; i < 2000; i += 101) expect(k.get(numKey(i * 2 + 1), snap)).toBeNull();
    }
    expect(k.scan({ snapshot: 25 })).toEqual(before);
    expect(k.scan({ snapshot: 25, reverse: true })).toEqual([...before].reverse());
  });

  it('finds versions of one key spread over several blocks', () => {
    const k = Kernel.storage();
    for (let s = 1; s <= 200; s++) {
      const t = k.begin(s * 10 - 1);
      k.put(t, 'hot', `v${s}`.padEnd(40, '#'));
      if (s % 50 === 0) k.put(t, 'cold' + s, 'c');
      k.commit(t, s * 10);
    }
    const runId = k.freezeAndFlush({ blockTarget: 256 });
    expect(k.runInfo(runId).blocks).toBeGreaterThan(20);
    expect(k.get('hot', 9)).toBeNull();
    for (let s = 1; s <= 200; s++) {
      expect(k.get('hot', s * 10)?.trimEnd().replace(/#+$/, '')).toBe(`v${s}`);
      expect(k.get('hot', s * 10 + 5)?.replace(/#+$/, '')).toBe(`v${s}`);
    }
    expect(k.get('cold100')).toBe('c');
    expect(k.scanStrings({ snapshot: 1000 }).map(([key]) => key)).toEqual(['cold100', 'cold50', 'hot']);
  });

  it('an empty frozen memtable flushes to a valid empty run', () => {
    const k = Kernel.storage();
    const runId = k.freezeAndFlush();
    expect(k.runInfo(runId)).toMatchObject({ entries: 0, keys: 0, tombs: 0, blocks: 0 });
    expect(k.get('x')).toBeNull();
    expect(k.scan()).toEqual([]);
    expect(k.scan({ reverse: true })).toEqual([]);
  });

  it('flush_begin without a frozen memtable returns 0; a bad run id does not lose the memtable', () => {
    const k = Kernel.storage();
    expect(k.x.flush_begin(0, 0, 4096, 10)).toBe(0);
    const t = k.begin(1);
    k.put(t, 'a', '1');
    k.commit(t, 2);
    expect(k.x.lsm_freeze()).toBe(ST.OK);
    expect(k.x.lsm_install_flush(12345)).toBe(ST.ERR_STATE);
    expect(k.x.lsm_frozen_count()).toBe(1);
    expect(k.get('a')).toBe('1');
    expect(k.flushOldest()).toBeGreaterThan(0);
    expect(k.get('a')).toBe('1');
  });
});

describe('Bloom filter', () => {
  it('answers absent keys without reading blocks', () => {
    const k = Kernel.storage();
    loaded(k);
    k.freezeAndFlush({ blockTarget: 1024 });
    const s0 = k.cacheStats();
    const reads0 = k.reads.length;
    let absent = 0;
    for (let i = 0; i < 4000; i += 2) {
      expect(k.get(numKey(i * 2 + 1))).toBeNull(); // between real keys: the index alone would read a block
      absent++;
    }
    const s1 = k.cacheStats();
    const lookups = s1.hits + s1.misses - s0.hits - s0.misses;
    expect(lookups).toBeLessThan(absent * 0.03); // about 1% false positives at 10 bits per key
    expect(k.reads.length - reads0).toBe(s1.misses - s0.misses);
    // Present keys do reach the blocks.
    for (let i = 1; i < 2000; i += 10) expect(k.get(numKey(i * 2))).toBe(expected(i, LATEST));
    const s2 = k.cacheStats();
    expect(s2.hits + s2.misses - s1.hits - s1.misses).toBe(200);
  });
});

describe('run file checks', () => {
  function sampleFile(): Uint8Array {
    const k = Kernel.storage();
    const t = k.begin(1);
    for (let i = 0; i < 300; i++) k.put(t, numKey(i), `value-${i}`);
    k.commit(t, 5);
    expect(k.x.lsm_freeze()).toBe(ST.OK);
    return k.flushFile({ blockTarget: 512 }).file;
  }

  /** Keys whose point lookup reads block b (found through an intact copy). */
  function blockKeys(file: Uint8Array, b: number): string[] {
    const { k, runId } = openOnly(file);
    expect(runId).toBeGreaterThan(0);
    const keys: string[] = [];
    const it = k.open({});
    for (;;) {
      const rows = k.nextBatch(it, 1);
      if (typeof rows === 'number' || rows.length === 0) break;
      keys.push(dec(rows[0]!.key));
    }
    k.x.iter_close(it);
    const layout = runLayout(file);
    // Keep nothing cached, so every get reads its block; watch which block it fetches.
    k.x.cache_set_limit(0);
    return keys.filter((key) => {
      const before = k.reads.length;
      k.get(key);
      return k.reads.slice(before).some(([, off]) => off === layout.blocks[b]!.offset);
    });
  }

  it('a flipped byte anywhere in a data block makes reads of that block fail with ERR_CORRUPT', () => {
    const file = sampleFile();
    const layout = runLayout(file);
    expect(layout.blocks.length).toBeGreaterThan(5);
    for (const b of [0, 3, layout.blocks.length - 1]) {
      const { offset, size } = layout.blocks[b]!;
      const keys = blockKeys(file, b);
      expect(keys.length).toBeGreaterThan(0);
      for (let pos = offset; pos < offset + size; pos++) {
        const bad = file.slice();
        bad[pos]! ^= 1 << (pos % 8);
        const { k, runId } = openOnly(bad);
        expect(runId).toBeGreaterThan(0); // data blocks are checked when read, not at open
        expect({ pos, st: k.getRaw(keys[pos % keys.length]!) }).toEqual({ pos, st: ST.ERR_CORRUPT });
        // A scan reaching the block fails too, and keeps failing.
        const it = k.open({});
        let st = 0;
        for (let i = 0; i < 1000 && st >= 0; i++) {
          const r = k.nextBatch(it, 50);
          st = typeof r === 'number' ? r : r.length === 0 ? -100 : 0;
        }
        expect({ pos, st }).toEqual({ pos, st: ST.ERR_CORRUPT });
        expect(k.nextBatch(it, 50)).toBe(ST.ERR_CORRUPT);
        k.x.iter_close(it);
        // Other blocks still read fine.
        const other = b === 0 ? numKey(299) : numKey(0);
        expect(k.get(other)).toBe(`value-${Number(other)}`);
      }
    }
  });

  it('a flipped byte in the footer, index, Bloom or meta block makes run_open fail', () => {
    const file = sampleFile();
    const l = runLayout(file);
    expect(l.indexOff + l.indexLen).toBe(l.bloomOff);
    expect(l.bloomOff + l.bloomLen).toBe(l.metaOff);
    expect(l.metaOff + l.metaLen).toBe(l.footerOff);
    expect(openOnly(file).runId).toBeGreaterThan(0);
    for (let pos = l.indexOff; pos < file.length; pos++) {
      const bad = file.slice();
      bad[pos]! ^= 0x10;
      const st = openOnly(bad).runId;
      expect({ pos, bad: st < 0 }).toEqual({ pos, bad: true });
      expect([ST.ERR_CORRUPT, ST.ERR_FORMAT]).toContain(st);
    }
  });

  it('a wrong format version (with a valid footer checksum) is ERR_FORMAT', () => {
    const file = sampleFile();
    const bad = file.slice();
    const f = bad.length - 64;
    const dv = new DataView(bad.buffer);
    expect(dv.getUint32(f + 8, true)).toBe(2);
    // Version 1 (blocks with hash buckets) and a future version 3 are refused.
    for (const v of [1, 3]) {
      dv.setUint32(f + 8, v, true);
      dv.setUint32(f + 60, checksum(bad.subarray(f, f + 60)), true);
      expect(openOnly(bad).runId).toBe(ST.ERR_FORMAT);
    }
    // Resealing the original version opens fine (the CRC recomputation is right).
    dv.setUint32(f + 8, 2, true);
    dv.setUint32(f + 60, checksum(bad.subarray(f, f + 60)), true);
    expect(openOnly(bad).runId).toBeGreaterThan(0);
  });

  it('rejects truncated files and files with trailing garbage', () => {
    const file = sampleFile();
    for (const n of [0, 1, 63, 64, 65, file.length - 65, file.length - 64, file.length - 1, 100, 1000]) {
      const st = openOnly(file.slice(0, n)).runId;
      expect({ n, bad: st < 0 }).toEqual({ n, bad: true });
    }
    const longer = new Uint8Array(file.length + 10);
    longer.set(file);
    expect(openOnly(longer).runId).toBeLessThan(0);
    // A file id the host does not know is an I/O error.
    const k = Kernel.storage();
    expect(k.x.run_open(99, file.length)).toBe(ST.ERR_IO);
  });

  it('a file shorter than its index says fails reads with ERR_CORRUPT', () => {
    const file = sampleFile();
    const { k, runId } = openOnly(file);
    expect(runId).toBeGreaterThan(0);
    // The host's file shrinks underneath the open run (e.g. a broken copy).
    const l = runLayout(file);
    k.files.set(k.runInfo(runId).file, file.slice(0, l.blocks[2]!.offset + 10));
    expect(k.getRaw(numKey(299))).toBe(ST.ERR_CORRUPT);
    expect(enc(k.get(numKey(0))!).length).toBeGreaterThan(0);
  });
});

describe('block cache', () => {
  it('stays within its byte limit while scanning and reading, evicting and counting', () => {
    const k = Kernel.storage();
    const t = k.begin(1);
    for (let i = 0; i < 3000; i++) k.put(t, numKey(i), 'p'.repeat(150) + i);
    k.commit(t, 2);
    const runId = k.freezeAndFlush({ blockTarget: 4096 });
    const blocks = k.runInfo(runId).blocks;
    expect(blocks).toBeGreaterThan(100);
    const limit = 64 * 1024;
    k.x.cache_set_limit(limit);
    const it = k.open({});
    let n = 0;
    let maxUsed = 0;
    for (;;) {
      const rows = k.nextBatch(it, 20);
      if (typeof rows === 'number') throw new Error(`status ${rows}`);
      if (rows.length === 0) break;
      n += rows.length;
      maxUsed = Math.max(maxUsed, k.cacheStats().used);
    }
    k.x.iter_close(it);
    expect(n).toBe(3000);
    const s1 = k.cacheStats();
    expect(maxUsed).toBeLessThanOrEqual(limit);
    expect(s1.limit).toBe(limit);
    expect(s1.misses).toBeGreaterThanOrEqual(blocks);
    expect(s1.evictions).toBeGreaterThan(blocks - 20);
    expect(s1.used).toBeLessThanOrEqual(limit);
    expect(s1.blocks).toBeLessThan(20);
    // Random gets.
    const rand = rng(3);
    for (let i = 0; i < 2000; i++) {
      const j = Math.floor(rand() * 3000);
      expect(k.get(numKey(j))).toBe('p'.repeat(150) + j);
      expect(k.cacheStats().used).toBeLessThanOrEqual(limit);
    }
    // Repeating one key hits.
    const s2 = k.cacheStats();
    for (let i = 0; i < 10; i++) k.get(numKey(1234));
    const s3 = k.cacheStats();
    expect(s3.hits - s2.hits).toBeGreaterThanOrEqual(9);
    expect(s3.misses - s2.misses).toBeLessThanOrEqual(1);
    expect(s3.readBytes).toBeGreaterThan(0);
    // Shrinking the limit evicts at once; 0 keeps nothing resident.
    k.x.cache_set_limit(8192);
    expect(k.cacheStats().used).toBeLessThanOrEqual(8192);
    k.x.cache_set_limit(0);
    expect(k.cacheStats().used).toBe(0);
    expect(k.get(numKey(7))).toBe('p'.repeat(150) + 7);
  });

  it('many runs and many open iterators: pinned blocks may exceed the limit, and are released', () => {
    const k = Kernel.storage();
    for (let r = 0; r < 4; r++) {
      const t = k.begin(r * 10 + 1);
      for (let i = 0; i < 500; i++) k.put(t, numKey(i * 4 + r), 'q'.repeat(100));
      k.commit(t, r * 10 + 2);
      k.freezeAndFlush({ blockTarget: 2048 });
    }
    k.x.cache_set_limit(4096);
    const its = Array.from({ length: 8 }, (_, i) => k.open({ lo: enc(numKey(i * 200)) }));
    for (const it of its) expect(k.nextBatch(it, 1)).toHaveLength(1);
    const pinned = k.cacheStats();
    expect(pinned.blocks).toBeGreaterThan(2); // more than fits: every iterator pins a block per run
    for (const it of its) k.x.iter_close(it);
    expect(k.get(numKey(1999))).toBe('q'.repeat(100)); // the next miss evicts what is no longer pinned
    expect(k.cacheStats().used).toBeLessThanOrEqual(4096);
  });
});
