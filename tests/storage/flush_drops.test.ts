// Flushes leave out key spaces dropped below the GC horizon (as compaction
// does), and a flush running when a key space is dropped starts again
// without it: after ALTER TABLE ... ADD PRIMARY KEY (which moves a table to
// new key spaces) the memtable holds the whole old copy, which used to be
// written to a run only for compaction to purge it.
import { afterEach, describe, expect, it } from 'vitest';
import { Store, type Keyspace } from '../../host/engine/store/index.ts';
import { MemoryPlatform } from '../../host/platform/memory.ts';
import type { Platform, PlatformFile } from '../../host/platform/platform.ts';
import { b, node, s } from './helpers.ts';

const assets = (p: string): Promise<Uint8Array> => node.readAsset(p);

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

function rawVersions(st: Store, ks: Keyspace): number {
  const t = st.begin({ readOnly: true });
  const n = t.scan(ks, { raw: true }).versions().length;
  t.rollback();
  return n;
}

async function fill(st: Store, ks: Keyspace, rows: number, tag: string): Promise<void> {
  const value = new Uint8Array(100).fill(tag.charCodeAt(0));
  for (let i = 0; i < rows; i += 5000) {
    const t = st.begin();
    for (let j = i; j < Math.min(rows, i + 5000); j++) t.put(ks, b(`${tag}${String(j).padStart(7, '0')}`), value);
    await t.commit();
  }
}

/** A platform whose run-file writes wait while `held.on` (WAL and manifest writes go through). */
function holdRunWrites(mp: MemoryPlatform): { platform: Platform; held: { on: boolean; waiting: number; release: () => void } } {
  let waiters: Array<() => void> = [];
  const held = {
    on: false,
    waiting: 0,
    release: (): void => {
      held.on = false;
      const w = waiters;
      waiters = [];
      for (const r of w) r();
    },
  };
  const platform = Object.create(mp) as Platform;
  platform.openFile = async (path, mode, options): Promise<PlatformFile> => {
    const f = await mp.openFile(path, mode, options);
    if (!/\/run-\d+\.sbr$/.test(path)) return f;
    const wrapped = Object.create(f) as PlatformFile;
    wrapped.write = async (bytes: Uint8Array, position: number): Promise<void> => {
      if (held.on) {
        held.waiting++;
        await new Promise<void>((r) => waiters.push(r));
      }
      return f.write(bytes, position);
    };
    return wrapped;
  };
  return { platform, held };
}

describe('flush and dropped key spaces', () => {
  it('leaves out a key space dropped before the flush', async () => {
    const mp = new MemoryPlatform({ seed: 11, assets });
    store = await Store.open('/db', { platform: mp, background: false });
    const doomed = await store.keyspace('doomed');
    const kept = await store.keyspace('kept');
    await fill(store, doomed, 20_000, 'd');
    await fill(store, kept, 100, 'k');
    await store.dropKeyspace('doomed');
    await store.flush();
    expect(rawVersions(store, doomed)).toBe(0);
    expect(rawVersions(store, kept)).toBe(100);
    // 20,000 rows of 100 bytes would be over 2 MB.
    expect(store.stats.bytesFlushed).toBeLessThan(100_000);
    await store.close();
    store = await Store.open('/db', { platform: mp, background: false });
    const again = store.getKeyspace('kept')!;
    const t = store.begin();
    expect(s(t.get(again, b('k0000042')))?.length).toBe(100);
    expect(t.scan(again).toArray().length).toBe(100);
    t.rollback();
  });

  it('keeps a dropped key space that a live snapshot can still read', async () => {
    const mp = new MemoryPlatform({ seed: 12, assets });
    store = await Store.open('/db', { platform: mp, background: false });
    const doomed = await store.keyspace('doomed');
    await fill(store, doomed, 500, 'd');
    const reader = store.begin({ isolation: 'snapshot' });
    expect(reader.scan(doomed).toArray().length).toBe(500);
    await store.dropKeyspace('doomed');
    await store.flush();
    // The reader's snapshot is below the drop: the rows stay for it.
    expect(reader.scan(doomed).toArray().length).toBe(500);
    reader.rollback();
  });

  it('starts a running flush again when a key space is dropped during it', async () => {
    const mp = new MemoryPlatform({ seed: 13, assets });
    const { platform, held } = holdRunWrites(mp);
    store = await Store.open('/db', { platform, background: false });
    const doomed = await store.keyspace('doomed');
    const kept = await store.keyspace('kept');
    await fill(store, doomed, 60_000, 'd'); // about 7 MB of run output: several writes
    await fill(store, kept, 100, 'k');
    held.on = true;
    const flushing = store.flush();
    // Wait until the flush is stuck on its run-file writes.
    for (let i = 0; i < 2000 && held.waiting === 0; i++) await new Promise((r) => setTimeout(r, 1));
    expect(held.waiting).toBeGreaterThan(0);
    await store.dropKeyspace('doomed');
    held.release();
    await flushing;
    expect(store.maintenance.flushRestarts).toBe(1);
    expect(rawVersions(store, kept)).toBe(100);
    expect(rawVersions(store, doomed)).toBe(0);
    expect(store.stats.bytesFlushed).toBeLessThan(100_000);
    // Nothing of the abandoned attempt is left behind, and the store reopens.
    await store.close();
    const names = await mp.listDir('/db');
    store = await Store.open('/db', { platform: mp, background: false });
    expect(store.maintenance.failure).toBeUndefined();
    const runsNamed = names.filter((n) => n.includes('run'));
    expect(runsNamed.length).toBeLessThanOrEqual(1);
    const t = store.begin();
    expect(t.scan(store.getKeyspace('kept')!).toArray().length).toBe(100);
    t.rollback();
  });
});

describe('compaction and dropped key spaces', () => {
  it('keeps a dropped key space that a snapshot taken before the drop still reads', async () => {
    const mp = new MemoryPlatform({ seed: 14, assets });
    store = await Store.open('/db', { platform: mp, background: false });
    const doomed = await store.keyspace('doomed');
    await fill(store, doomed, 500, 'd');
    await store.flush();
    const reader = store.begin({ isolation: 'snapshot' });
    expect(reader.scan(doomed).toArray().length).toBe(500);
    await store.dropKeyspace('doomed');
    await store.compactAll();
    expect(reader.scan(doomed).toArray().length).toBe(500);
    reader.rollback();
    // Once no one can read it, the next compaction purges it.
    await store.compactAll();
    expect(rawVersions(store, doomed)).toBe(0);
  });
});

describe('the GC sweep and dropped key spaces', () => {
  /** The run files in the store's folder. */
  async function runFiles(mp: MemoryPlatform): Promise<string[]> {
    return (await mp.listDir('/db')).filter((n) => /^run-\d+\.sbr$/.test(n)).sort();
  }

  it('removes a run written before its key space was dropped, once no snapshot reads it, without waiting for size-tiered compaction', async () => {
    const mp = new MemoryPlatform({ seed: 15, assets });
    store = await Store.open('/db', { platform: mp, background: false });
    const doomed = await store.keyspace('doomed');
    const kept = await store.keyspace('kept');
    // The old copy: a large run of a key space that is dropped later (ALTER TABLE ... ADD PRIMARY KEY's old table).
    await fill(store, doomed, 20_000, 'd');
    await store.flush();
    const [oldRun] = await runFiles(mp);
    expect(oldRun).toBeDefined();
    // A smaller, newer run of live data: size-tiered compaction never merges it with the larger one.
    await fill(store, kept, 2_000, 'k');
    await store.flush();
    expect((await runFiles(mp)).length).toBe(2);
    const reader = store.begin({ isolation: 'snapshot' });
    await store.dropKeyspace('doomed');
    // A snapshot from before the drop still reads the old copy: the sweep keeps it.
    await store.gcSweep();
    expect(await runFiles(mp)).toContain(oldRun);
    expect(reader.scan(doomed).toArray().length).toBe(20_000);
    reader.rollback();
    // No one can read it any more: the next sweep rewrites that run (to nothing) and its file goes.
    const compactions = store.stats.compactions;
    const compacted = store.stats.bytesCompacted;
    await store.gcSweep();
    await store.gcSweep(); // the file itself is deleted once released
    expect(store.stats.compactions).toBe(compactions + 1);
    const after = await runFiles(mp);
    expect(after).not.toContain(oldRun);
    // What the old run held besides the dropped key space (the store's own catalog entries) is all that was rewritten:
    // 20,000 rows of 100 bytes would be over 2 MB.
    expect(after.length).toBeLessThanOrEqual(2);
    expect(store.stats.bytesCompacted - compacted).toBeLessThan(100_000);
    expect(rawVersions(store, doomed)).toBe(0);
    expect(rawVersions(store, kept)).toBe(2_000);
    // Another sweep finds nothing more to do, and the store reopens with the live data.
    await store.gcSweep();
    expect(store.stats.compactions).toBe(compactions + 1);
    await store.close();
    store = await Store.open('/db', { platform: mp, background: false });
    expect(store.maintenance.failure).toBeUndefined();
    const t = store.begin();
    expect(t.scan(store.getKeyspace('kept')!).toArray().length).toBe(2_000);
    t.rollback();
  });

  it('leaves a run alone when only a little of it is dropped data', async () => {
    const mp = new MemoryPlatform({ seed: 16, assets });
    store = await Store.open('/db', { platform: mp, background: false });
    const doomed = await store.keyspace('doomed');
    const kept = await store.keyspace('kept');
    await fill(store, kept, 20_000, 'k');
    await fill(store, doomed, 500, 'd');
    await store.flush();
    await store.dropKeyspace('doomed');
    const compactions = store.stats.compactions;
    await store.gcSweep();
    expect(store.stats.compactions).toBe(compactions);
    expect(rawVersions(store, kept)).toBe(20_000);
  });
});
