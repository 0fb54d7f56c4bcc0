// Durability and recovery: WAL replay, torn tails, format versions, locks.
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../host/engine/store/index.ts';
import { MemoryPlatform } from '../../host/platform/memory.ts';
import { readManifest, writeManifest } from '../../host/storage/manifest.ts';
import { b, codeOf, node, s, tempDir } from './helpers.ts';

const assets = (p: string): Promise<Uint8Array> => node.readAsset(p);
const DIR = '/db';

function memPlatform(seed = 1): MemoryPlatform {
  return new MemoryPlatform({ seed, assets });
}

async function fill(store: Store, n: number, tag: string): Promise<void> {
  const ks = await store.keyspace('t');
  for (let i = 0; i < n; i++) {
    const tx = store.begin();
    tx.put(ks, b(`k${i}`), b(`${tag}${i}`));
    await tx.commit();
  }
}

async function readAll(store: Store): Promise<string[]> {
  const ks = await store.keyspace('t');
  const tx = store.begin();
  const rows = tx.scan(ks).toArray().map(([k, v]) => `${s(k)}=${s(v)}`);
  tx.rollback();
  return rows;
}

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

describe('recovery', () => {
  it('every acknowledged commit survives a power loss, with or without flushes', async () => {
    for (const flushFirst of [false, true]) {
      const p = memPlatform(7);
      const store = await Store.open(DIR, { platform: p, background: false });
      await fill(store, 50, 'a');
      if (flushFirst) await store.flush();
      await fill(store, 30, 'b');
      const after = p.crash({ loseUnsynced: true, tornWrites: true });
      const reopened = await Store.open(DIR, { platform: after, background: false });
      const rows = await readAll(reopened);
      expect(rows.length).toBe(50);
      expect(rows.filter((r) => r.includes('=b')).length).toBe(30);
      expect(reopened.stats.walRecordsReplayed).toBeGreaterThan(0);
      await reopened.close();
    }
  });

  it('a commit in flight at the crash is all there or not at all', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const p = memPlatform(seed);
      const store = await Store.open(DIR, { platform: p, background: false });
      const ks = await store.keyspace('t');
      const tx = store.begin();
      for (let i = 0; i < 200; i++) tx.put(ks, b(`k${i}`), b('x'.repeat(100)));
      const pending = tx.commit();
      for (let i = 0; i < seed % 7; i++) await Promise.resolve();
      const after = p.crash({ tornWrites: true });
      pending.catch(() => {});
      const reopened = await Store.open(DIR, { platform: after, background: false });
      const n = (await readAll(reopened)).length;
      expect([0, 200], `seed ${seed}`).toContain(n);
      await reopened.close();
    }
  });

  it('a damaged WAL tail is cut off; later commits go on', async () => {
    const p = memPlatform(3);
    const store = await Store.open(DIR, { platform: p, background: false });
    await fill(store, 10, 'a');
    await store.close();
    const seg = p.fileNames().filter((n) => n.includes('wal-')).sort().pop()!;
    const file = await p.openFile(seg, 'readwrite');
    // Segments are preallocated with zeros: the data ends at the last non-zero byte.
    const bytes = p.fileBytes(seg);
    let end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) end--;
    await file.write(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), end); // garbage after the last record
    await file.sync();
    await file.close();
    const reopened = await Store.open(DIR, { platform: p, background: false });
    expect((await readAll(reopened)).length).toBe(10);
    expect(reopened.stats.walTornBytes).toBe(bytes.length - end);
    await fill(reopened, 12, 'c');
    await reopened.close();
    const again = await Store.open(DIR, { platform: p, background: false });
    expect((await readAll(again)).filter((r) => r.includes('=c')).length).toBe(12);
    await again.close();
  });

  it('opening a folder of another format version fails with a typed error', async () => {
    const p = memPlatform(4);
    const store = await Store.open(DIR, { platform: p, background: false });
    await fill(store, 3, 'a');
    await store.close();
    const m = (await readManifest(p, DIR))!;
    m.formatVersion = 99;
    await writeManifest(p, DIR, m);
    const err = await Store.open(DIR, { platform: p, background: false }).catch((e) => e);
    expect(err.code).toBe('55000');
    expect(err.kind).toBe('format_version');
  });

  it('a run file of another format version fails with a typed error', async () => {
    const p = memPlatform(5);
    const store = await Store.open(DIR, { platform: p, background: false });
    await fill(store, 20, 'a');
    await store.flush();
    await store.close();
    const run = p.fileNames().find((n) => n.endsWith('.sbr'))!;
    const f = await p.openFile(run, 'readwrite');
    const footer = new Uint8Array(64);
    f.readSync(footer, f.size() - 64);
    // Version 1 (blocks with hash buckets): older than this build's version 2.
    new DataView(footer.buffer).setUint32(8, 1, true);
    // Recompute the footer checksum so only the version is wrong.
    const { checksum } = await import('../../host/storage/checksum.ts');
    new DataView(footer.buffer).setUint32(60, checksum(footer.subarray(0, 60)), true);
    await f.write(footer, f.size() - 64);
    await f.sync();
    await f.close();
    const err = await Store.open(DIR, { platform: p, background: false }).catch((e) => e);
    expect(err.code).toBe('55000');
    expect(err.kind).toBe('format_version');
  });

  it('a corrupted run block is reported, never returned as data', async () => {
    const p = memPlatform(6);
    const store = await Store.open(DIR, { platform: p, background: false });
    await fill(store, 50, 'a');
    await store.flush();
    await store.close();
    const run = p.fileNames().find((n) => n.endsWith('.sbr'))!;
    const f = await p.openFile(run, 'readwrite');
    await f.write(new Uint8Array([0xff, 0xee]), 20);
    await f.sync();
    await f.close();
    // The damaged block may hold catalog rows (read at open) or table rows.
    const code = await codeOf(async () => {
      const reopened = await Store.open(DIR, { platform: p, background: false });
      try {
        await readAll(reopened);
      } finally {
        await reopened.close();
      }
    });
    expect(code).toBe('XX001');
  });
});

describe('the data folder lock', () => {
  it('opening the same folder twice fails; a lock left by a crash does not block', async () => {
    const p = memPlatform(8);
    const store = await Store.open(DIR, { platform: p, background: false });
    expect(await codeOf(() => Store.open(DIR, { platform: p, background: false }))).toBe('55006');
    await fill(store, 2, 'a');
    const after = p.crash();
    const reopened = await Store.open(DIR, { platform: after, background: false });
    expect((await readAll(reopened)).length).toBe(2);
    await reopened.close();
  });

  it('works on a real folder: reopen after close, double open refused', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const store = await Store.open(t.dir, { platform: node, background: false });
    await fill(store, 5, 'a');
    expect(await codeOf(() => Store.open(t.dir, { platform: node }))).toBe('55006');
    await store.close();
    const again = await Store.open(t.dir, { platform: node, background: false });
    expect((await readAll(again)).length).toBe(5);
    await again.close();
  });
});
