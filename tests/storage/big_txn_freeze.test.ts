// Freezes and big transactions: a memtable holding mostly one live
// transaction's writes is not frozen (the freeze would copy those writes into
// the next memtable and free little); once the transaction commits, its bytes
// count toward the next freeze again. A memtable with enough settled data is
// still frozen while a transaction runs, carrying that transaction's versions.
import { describe, expect, it } from 'vitest';
import { Store } from '../../host/engine/store/index.ts';
import type { Keyspace } from '../../host/engine/store/store_core.ts';
import { KeyWriter } from '../../host/engine/keys/key_encoding.ts';
import { node, tempDir } from './helpers.ts';

const MAX = 1 << 20;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for the store');
    await sleep(5);
  }
}

function value(i: number, tag: number): Uint8Array {
  const v = new Uint8Array(100);
  const dv = new DataView(v.buffer);
  dv.setUint32(0, i);
  dv.setUint32(4, tag);
  return v;
}

function readAll(store: Store, ks: Keyspace, n: number, tag: (i: number) => number): void {
  const kw = new KeyWriter();
  const t = store.begin({ readOnly: true });
  for (let i = 0; i < n; i++) {
    const v = t.get(ks, kw.reset().int(i).view());
    expect(v).toBeDefined();
    const dv = new DataView(v!.buffer, v!.byteOffset);
    expect([dv.getUint32(0), dv.getUint32(4)]).toEqual([i, tag(i)]);
  }
  let count = 0;
  const c = t.scan(ks);
  while (c.next()) count++;
  c.close();
  t.rollback();
  expect(count).toBe(n);
}

describe('freezes and big transactions', () => {
  it('skips freezing a memtable that is mostly one live transaction, freezes it after the commit', async () => {
    const { dir, cleanup } = tempDir('sb-bigtxn-');
    try {
      let store = await Store.open(dir, { platform: node, memtableBytesMax: MAX });
      let ks = await store.keyspace('t');
      const kw = new KeyWriter();
      const N = 40_000; // ~6 MiB of versions: six times the memtable limit
      const tx = store.begin();
      for (let i = 0; i < N; i++) {
        tx.put(ks, kw.reset().int(i).view(), value(i, 1));
        if (i % 5000 === 4999) await sleep(1); // let the freeze requests run
      }
      await sleep(20);
      const k = store.kernel.x;
      expect(store.maintenance.freezesSkipped).toBeGreaterThan(0);
      // Nothing was frozen: the live transaction's versions were never copied.
      expect(store.maintenance.frozen.length).toBe(0);
      expect(store.stats.flushes).toBe(0);
      expect(k.lsm_live_bytes()).toBeGreaterThan(N * 100);
      expect(k.lsm_live_bytes()).toBeLessThanOrEqual(k.lsm_active_bytes());
      await tx.commit();
      expect(k.lsm_live_bytes()).toBe(0);
      // The commit settles the bytes: the memtable is frozen and flushed.
      await until(() => store.stats.flushes > 0 && store.maintenance.frozen.length === 0);
      expect(k.lsm_active_bytes()).toBeLessThan(MAX);
      readAll(store, ks, N, () => 1);
      await store.close();
      store = await Store.open(dir, { platform: node, memtableBytesMax: MAX });
      ks = await store.keyspace('t');
      readAll(store, ks, N, () => 1);
      await store.close();
    } finally {
      cleanup();
    }
  }, 60_000);

  it('still freezes (carrying the live versions) when the memtable holds enough settled data', async () => {
    const { dir, cleanup } = tempDir('sb-bigtxn-');
    try {
      let store = await Store.open(dir, { platform: node, memtableBytesMax: MAX });
      let ks = await store.keyspace('t');
      const kw = new KeyWriter();
      const LIVE = 2_000; // ~0.3 MiB live
      const SETTLED = 10_000; // ~1.5 MiB settled, in small transactions
      const big = store.begin();
      for (let i = 0; i < LIVE; i++) big.put(ks, kw.reset().int(i).view(), value(i, 7));
      for (let b = LIVE; b < LIVE + SETTLED; b += 500) {
        const t = store.begin();
        for (let i = b; i < b + 500; i++) t.put(ks, kw.reset().int(i).view(), value(i, 2));
        await t.commit();
      }
      await until(() => store.stats.flushes > 0);
      // The live versions were carried into the new memtable, not flushed.
      expect(store.kernel.x.lsm_live_bytes()).toBeGreaterThan(LIVE * 100);
      const other = store.begin({ readOnly: true });
      expect(other.get(ks, kw.reset().int(0).view())).toBeUndefined();
      other.rollback();
      await big.commit();
      readAll(store, ks, LIVE + SETTLED, (i) => (i < LIVE ? 7 : 2));
      await store.close();
      store = await Store.open(dir, { platform: node, memtableBytesMax: MAX });
      ks = await store.keyspace('t');
      readAll(store, ks, LIVE + SETTLED, (i) => (i < LIVE ? 7 : 2));
      await store.close();
    } finally {
      cleanup();
    }
  }, 60_000);
});
