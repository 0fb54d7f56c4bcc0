// A run a flush or compaction just wrote is read into the block cache in the
// background while the cache has room (maintenance.ts warm, block_cache.ts
// cacheWarm): the first point reads after a load hit the cache instead of
// missing a block at a time, and warming never evicts (it stops at 3/4 of the
// cache's budget).
import { describe, expect, it } from 'vitest';
import { Store } from '../../host/engine/store/index.ts';
import { KeyWriter } from '../../host/engine/keys/key_encoding.ts';
import { node, tempDir } from './helpers.ts';

async function load(store: Store, rows: number): Promise<void> {
  const ks = await store.keyspace('t');
  const kw = new KeyWriter();
  const value = new Uint8Array(100);
  for (let b = 0; b < rows; b += 5_000) {
    const tx = store.begin();
    for (let i = b; i < Math.min(rows, b + 5_000); i++) tx.put(ks, kw.reset().int(i).view(), value);
    await tx.commit();
  }
  await store.flush();
}

/** Waits until the background warm stops loading blocks. */
async function settled(store: Store): Promise<void> {
  let last = -1;
  for (let i = 0; i < 500; i++) {
    const n = store.memoryStats().cacheWarmed;
    if (n === last && n > 0) return;
    last = n;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('block cache warming', () => {
  it('after a flush the new run is cached: point reads do not miss', async () => {
    const { dir, cleanup } = tempDir('sb-warm-');
    try {
      const store = await Store.open(dir, { platform: node, blockCacheBytesMax: 64 << 20 });
      await load(store, 50_000);
      await settled(store);
      const before = store.memoryStats();
      expect(before.cacheWarmed).toBeGreaterThan(1000);
      const ks = await store.keyspace('t');
      const kw = new KeyWriter();
      const t = store.begin({ readOnly: true });
      for (let n = 0; n < 2000; n++) expect(t.get(ks, kw.reset().int((n * 7919) % 50_000).view())).toBeDefined();
      t.rollback();
      const after = store.memoryStats();
      expect(after.cacheMisses - before.cacheMisses).toBe(0);
      expect(after.cacheHits - before.cacheHits).toBeGreaterThanOrEqual(2000);
      await store.close();
    } finally {
      cleanup();
    }
  });

  it('stops at 3/4 of a small cache and evicts nothing for it', async () => {
    const { dir, cleanup } = tempDir('sb-warm-');
    try {
      const limit = 1 << 20;
      const store = await Store.open(dir, { platform: node, blockCacheBytesMax: limit, memtableBytesMax: 64 << 20 });
      await load(store, 50_000);
      await settled(store);
      const m = store.memoryStats();
      expect(m.cacheWarmed).toBeGreaterThan(100);
      expect(m.cacheUsed).toBeLessThanOrEqual(limit * 0.75);
      expect(m.cacheUsed).toBeGreaterThan(limit * 0.6);
      await store.close();
    } finally {
      cleanup();
    }
  });

  it("leaves out blocks of a dropped key space (a table's old copy) still in the run", async () => {
    const warmedWith = async (drop: boolean): Promise<number> => {
      const { dir, cleanup } = tempDir('sb-warm-');
      try {
        const store = await Store.open(dir, { platform: node, blockCacheBytesMax: 64 << 20, memtableBytesMax: 64 << 20 });
        const kw = new KeyWriter();
        const value = new Uint8Array(100);
        for (const name of ['old', 'new']) {
          const ks = await store.keyspace(name);
          const tx = store.begin();
          for (let i = 0; i < 20_000; i++) tx.put(ks, kw.reset().int(i).view(), value);
          await tx.commit();
        }
        // A reader from before the drop keeps the old key space in the flushed run.
        const reader = store.begin({ readOnly: true });
        reader.get(await store.keyspace('old'), kw.reset().int(1).view());
        if (drop) await store.dropKeyspace('old');
        await store.flush();
        await settled(store);
        reader.rollback();
        const n = store.memoryStats().cacheWarmed;
        await store.close();
        return n;
      } finally {
        cleanup();
      }
    };
    const all = await warmedWith(false);
    const live = await warmedWith(true);
    expect(all).toBeGreaterThan(500);
    expect(live).toBeGreaterThan(all * 0.4);
    expect(live).toBeLessThan(all * 0.6);
  });
});
