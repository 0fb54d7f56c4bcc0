// Garbage collection of versions no snapshot can see, and time travel.
import { afterEach, describe, expect, it } from 'vitest';
import type { Keyspace, Store } from '../../host/engine/store/index.ts';
import { b, codeOfSync, memoryStore, s } from './helpers.ts';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

async function writeVersions(st: Store, ks: Keyspace, keys: number, versions: number): Promise<number[]> {
  const stamps: number[] = [];
  for (let v = 0; v < versions; v++) {
    const t = st.begin();
    for (let k = 0; k < keys; k++) t.put(ks, b(`k${k}`), b(`v${v}`));
    await t.commit();
    stamps.push(t.commitStamp);
  }
  return stamps;
}

function rawVersions(st: Store, ks: Keyspace): number {
  const t = st.begin({ readOnly: true });
  const n = t.scan(ks, { raw: true }).versions().length;
  t.rollback();
  return n;
}

describe('garbage collection', () => {
  it('reclaims every version no snapshot can see and leaves the visible ones', async () => {
    store = await memoryStore();
    const ks = await store.keyspace('g');
    await writeVersions(store, ks, 50, 5);
    await store.flush();
    expect(rawVersions(store, ks)).toBeLessThanOrEqual(250);
    await writeVersions(store, ks, 50, 3);
    await store.flush();
    await store.compactAll();
    // One version per key is all anyone can see now.
    expect(rawVersions(store, ks)).toBe(50);
    expect(store.stats.gcVersionsDropped).toBeGreaterThan(0);
    const t = store.begin();
    for (let k = 0; k < 50; k++) expect(s(t.get(ks, b(`k${k}`)))).toBe('v2');
    t.rollback();
  });

  it('keeps the versions a live snapshot still needs, and drops them once it ends', async () => {
    store = await memoryStore();
    const ks = await store.keyspace('g');
    await writeVersions(store, ks, 10, 1);
    const reader = store.begin({ isolation: 'snapshot' });
    expect(s(reader.get(ks, b('k3')))).toBe('v0');
    const t = store.begin();
    for (let k = 0; k < 10; k++) t.put(ks, b(`k${k}`), b('new'));
    await t.commit();
    await store.flush();
    await store.compactAll();
    expect(rawVersions(store, ks)).toBe(20);
    expect(s(reader.get(ks, b('k3')))).toBe('v0');
    expect(reader.scan(ks).toArray().every(([, v]) => s(v) === 'v0')).toBe(true);
    reader.rollback();
    await store.compactAll();
    expect(rawVersions(store, ks)).toBe(10);
  });

  it('a long-running reader pins only the versions it can see (intermediate versions go)', async () => {
    store = await memoryStore();
    const ks = await store.keyspace('g');
    await writeVersions(store, ks, 10, 1);
    const reader = store.begin({ isolation: 'snapshot' });
    await writeVersions(store, ks, 10, 5);
    await store.flush();
    await store.compactAll();
    expect(rawVersions(store, ks)).toBe(20); // v0 for the reader, v4 for everyone else
    expect(s(reader.get(ks, b('k0')))).toBe('v0');
    const now = store.begin();
    expect(s(now.get(ks, b('k0')))).toBe('v4');
    now.rollback();
    reader.rollback();
  });

  it('drops tombstones at the bottom of the tree once no snapshot can see the deleted rows', async () => {
    store = await memoryStore();
    const ks = await store.keyspace('g');
    await writeVersions(store, ks, 20, 1);
    await store.flush();
    const t = store.begin();
    for (let k = 0; k < 20; k += 2) t.delete(ks, b(`k${k}`));
    await t.commit();
    await store.flush();
    expect(rawVersions(store, ks)).toBe(30);
    await store.compactAll();
    expect(rawVersions(store, ks)).toBe(10);
    expect(store.stats.gcTombstonesDropped).toBe(10);
  });

  it('the background sweep rewrites runs full of garbage', async () => {
    store = await memoryStore();
    const ks = await store.keyspace('g');
    await writeVersions(store, ks, 100, 1);
    const reader = store.begin(); // pins the old versions through the flush
    await writeVersions(store, ks, 100, 3);
    await store.flush();
    expect(rawVersions(store, ks)).toBe(200); // v0 for the reader, v3 for everyone else
    reader.rollback();
    const sweepsBefore = store.stats.gcSweeps;
    await store.gcSweep();
    expect(store.stats.gcSweeps).toBe(sweepsBefore + 1);
    expect(rawVersions(store, ks)).toBe(100);
    expect(store.stats.compactions).toBe(1);
  });

  it('drops superseded writes of one transaction and aborted versions at flush', async () => {
    store = await memoryStore();
    const ks = await store.keyspace('g');
    const t = store.begin();
    for (let i = 0; i < 5; i++) t.put(ks, b('same'), b(`v${i}`));
    await t.commit();
    const a = store.begin();
    a.put(ks, b('aborted'), b('x'));
    a.rollback();
    await store.flush();
    expect(rawVersions(store, ks)).toBe(1);
    const r = store.begin();
    expect(s(r.get(ks, b('same')))).toBe('v4');
    r.rollback();
  });

  it('purges a dropped key space at compaction', async () => {
    store = await memoryStore();
    const doomed = await store.keyspace('doomed');
    const kept = await store.keyspace('kept');
    const t = store.begin();
    for (let i = 0; i < 10; i++) {
      t.put(doomed, b(`k${i}`), b('x'));
      t.put(kept, b(`k${i}`), b('y'));
    }
    await t.commit();
    await store.flush();
    await store.dropKeyspace('doomed');
    expect(store.getKeyspace('doomed')).toBeUndefined();
    await store.compactAll();
    expect(rawVersions(store, doomed)).toBe(0);
    expect(rawVersions(store, kept)).toBe(10);
    const again = await store.keyspace('doomed');
    expect(again.id).not.toBe(doomed.id);
  });
});

describe('time travel', () => {
  it('reads as of a past stamp while its versions are retained', async () => {
    store = await memoryStore({ historyRetentionMs: 3_600_000 });
    const ks = await store.keyspace('tt');
    const stamps = await writeVersions(store, ks, 3, 4);
    await store.flush();
    await store.compactAll();
    for (let v = 0; v < 4; v++) {
      const t = store.begin({ asOf: stamps[v]! });
      expect(s(t.get(ks, b('k1')))).toBe(`v${v}`);
      expect(t.scan(ks).toArray().map(([, val]) => s(val))).toEqual([`v${v}`, `v${v}`, `v${v}`]);
      expect(codeOfSync(() => t.put(ks, b('k1'), b('no')))).toBe('25006');
      t.rollback();
    }
    const before = store.begin({ asOf: stamps[0]! - 1 });
    expect(before.get(ks, b('k1'))).toBeUndefined();
    before.rollback();
  });

  it('refuses to read below the GC horizon (72000)', async () => {
    store = await memoryStore({ historyRetentionMs: 0 });
    const ks = await store.keyspace('tt');
    const stamps = await writeVersions(store, ks, 3, 3);
    await store.flush();
    await store.compactAll();
    expect(codeOfSync(() => store!.begin({ asOf: stamps[0]! }))).toBe('72000');
    expect(codeOfSync(() => store!.begin({ asOf: Number.MAX_SAFE_INTEGER }))).toBe('22023');
  });
});
