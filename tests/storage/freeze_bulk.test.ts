// A memtable filled by a transaction that is still running is not frozen
// (a freeze would copy every one of its versions into the new memtable and
// free nothing); it is frozen once enough has committed.
import { describe, expect, it } from 'vitest';
import { memoryStore } from './helpers.ts';

const MEMTABLE = 256 << 10;

describe('freezing around a bulk load', () => {
  it('waits for the loading transaction to commit, then freezes and flushes', async () => {
    const store = await memoryStore({ background: true, memtableBytesMax: MEMTABLE });
    try {
      const ks = await store.keyspace('bulk');
      const value = new Uint8Array(200).fill(1);
      const tx = store.begin();
      // About 4x the memtable limit, uncommitted.
      for (let i = 0; i < 5_000; i++) tx.put(ks, new TextEncoder().encode(`k${String(i).padStart(8, '0')}`), value);
      for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
      expect(store.memoryStats().activeMemtableBytes).toBeGreaterThan(3 * MEMTABLE);
      expect(store.memoryStats().frozenMemtableBytes).toBe(0);
      expect(store.stats.flushes).toBe(0);
      await tx.commit();
      // The commit lets the freeze happen; the flush writes the rows to a run.
      for (let i = 0; i < 200 && store.stats.flushes === 0; i++) await new Promise<void>((r) => setTimeout(r, 5));
      expect(store.stats.flushes).toBeGreaterThan(0);
      expect(store.memoryStats().runs).toBeGreaterThan(0);
      const check = store.begin({ readOnly: true });
      expect(check.get(ks, new TextEncoder().encode('k00004999'))).toEqual(value);
      check.rollback();
    } finally {
      await store.close();
    }
  });

  it('still freezes while a transaction runs when other commits filled the memtable', async () => {
    const store = await memoryStore({ background: true, memtableBytesMax: MEMTABLE });
    try {
      const ks = await store.keyspace('mixed');
      const value = new Uint8Array(200).fill(2);
      const open = store.begin();
      open.put(ks, new TextEncoder().encode('open'), value);
      for (let b = 0; b < 20; b++) {
        const tx = store.begin();
        for (let i = 0; i < 250; i++) tx.put(ks, new TextEncoder().encode(`c${b}-${i}`), value);
        await tx.commit();
      }
      for (let i = 0; i < 200 && store.stats.flushes === 0; i++) await new Promise<void>((r) => setTimeout(r, 5));
      expect(store.stats.flushes).toBeGreaterThan(0);
      open.rollback();
    } finally {
      await store.close();
    }
  });
});
