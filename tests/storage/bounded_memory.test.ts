// Bounded memory: a data set many times larger than the memtable and block
// cache limits loads, reads and survives a restart, with the kernel's linear
// memory staying near those limits. (tools/bench/large_dataset.ts runs the
// 10,000,000-row version with a 64 MiB cache.)
import { describe, expect, it } from 'vitest';
import { Store } from '../../host/engine/store/index.ts';
import { KeyWriter } from '../../host/engine/keys/key_encoding.ts';
import { node, tempDir } from './helpers.ts';

const ROWS = Number(process.env.BOUNDED_ROWS ?? 1_000_000);
const LIMITS = { memtableBytesMax: 2 << 20, blockCacheBytesMax: 2 << 20 };
// Memtable + up to three frozen ones, the cache, run indexes and Bloom
// filters (proportional to the data: ~3 bytes a row here), commit records
// and job buffers. The data itself is ~60 bytes a row.
const KERNEL_BYTES_MAX = 48 << 20;

describe('bounded memory', () => {
  it(`loads, reads and reopens ${ROWS.toLocaleString()} rows with 2 MiB memtable and cache limits`, async () => {
    const { dir, cleanup } = tempDir('sb-bounded-');
    try {
      let store = await Store.open(dir, { platform: node, ...LIMITS });
      let ks = await store.keyspace('big');
      const kw = new KeyWriter();
      const value = new Uint8Array(40);
      let peak = 0;
      const sample = (): void => {
        peak = Math.max(peak, store.memoryStats().kernelBytes);
      };
      for (let b = 0; b < ROWS; b += 10_000) {
        const tx = store.begin();
        for (let i = b; i < Math.min(ROWS, b + 10_000); i++) {
          new DataView(value.buffer).setUint32(0, i);
          tx.put(ks, kw.reset().int(i).view(), value);
        }
        await tx.commit();
        sample();
      }
      await store.flush();
      await store.maintenance.requestCompaction();
      sample();
      const dataBytes = ROWS * 60;
      expect(dataBytes).toBeGreaterThan(10 * (LIMITS.memtableBytesMax + LIMITS.blockCacheBytesMax));
      // Random reads through the small cache.
      const check = (s: Store): void => {
        const t = s.begin({ readOnly: true });
        for (let n = 0; n < 2000; n++) {
          const i = (n * 7919 + 13) % ROWS;
          const v = t.get(ks, kw.reset().int(i).view());
          expect(v && new DataView(v.buffer, v.byteOffset).getUint32(0)).toBe(i);
        }
        t.rollback();
      };
      check(store);
      sample();
      await store.close();
      store = await Store.open(dir, { platform: node, ...LIMITS });
      ks = await store.keyspace('big');
      check(store);
      const t = store.begin({ readOnly: true });
      let count = 0;
      const c = t.scan(ks);
      while (c.next()) count++;
      t.rollback();
      expect(count).toBe(ROWS);
      sample();
      expect(store.memoryStats().cacheUsed).toBeLessThanOrEqual(LIMITS.blockCacheBytesMax);
      await store.close();
      expect(peak).toBeLessThan(KERNEL_BYTES_MAX);
    } finally {
      cleanup();
    }
  }, 300_000);
});
