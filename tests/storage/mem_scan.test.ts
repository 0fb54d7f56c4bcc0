// The lone-memtable scan walk in TypeScript, forward and reverse (ScanCursor over
// StorageKernel.memWalkFill; the store uses it for reverse scans) against the
// kernel iterator (iter_next; ScanCursor.memWalk 'none' vs 'all' here):
// the same rows for random keys, versions, deletes and rollbacks, committed
// snapshots, time travel, READ COMMITTED, own writes under a statement's
// sequence limit, every kind of bound, empty ranges, writes into the memtable
// between batches (the walk re-finds its place), and a freeze and flush in
// the middle of a scan (the iterator's pin keeps the memtable readable).
import { afterEach, describe, expect, it } from 'vitest';
import { ScanCursor, type ScanOptions } from '../../host/engine/store/scan_cursor.ts';
import type { Keyspace, Store, Txn } from '../../host/engine/store/index.ts';
import { memoryStore } from './helpers.ts';
import { rng } from '../wasm/harness.ts';

type Row = [string, string];
const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex');

/** Reads a cursor to the end (or `limit` rows) as hex pairs. */
function take(c: ScanCursor, limit = Infinity): Row[] {
  const out: Row[] = [];
  while (out.length < limit && c.next()) out.push([hex(c.key), hex(c.value)]);
  return out;
}

/** The scan through the kernel iterator and through the TS walk; asserts the walk ran when `walked`. */
function both(tx: Txn, ks: Keyspace, opts: ScanOptions, walked: boolean): { kernel: Row[]; walk: Row[] } {
  ScanCursor.memWalk = 'none';
  const kc = tx.scan(ks, opts);
  ScanCursor.memWalk = 'all';
  const wc = tx.scan(ks, opts);
  expect(kc.memWalked).toBe(false);
  expect(wc.memWalked).toBe(walked);
  return { kernel: take(kc), walk: take(wc) };
}

afterEach(() => {
  ScanCursor.memWalk = 'reverse';
});

describe('lone-memtable scan walk (TypeScript) agrees with the kernel iterator', () => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('over random histories, readers and bounds', async () => {
    const rand = rng(20261124);
    let compared = 0, rowsSeen = 0, emptyRanges = 0;
    for (let round = 0; round < 4; round++) {
      store = await memoryStore({ memtableBytesMax: 1 << 30 });
      const ks = await store.keyspace('t');
      const other = await store.keyspace('u'); // a neighbouring key space: bounds must stop at ours
      const nkeys = round === 3 ? 3000 : 40 + Math.floor(rand() * 300); // 3000: a three-level tree
      const keys: Uint8Array[] = [];
      for (let i = 0; i < nkeys; i++) {
        // Lengths 0..13 and few distinct bytes: equal 8-byte prefixes, keys that are prefixes of others.
        const key = new Uint8Array(Math.floor(rand() * 14));
        for (let j = 0; j < key.length; j++) key[j] = [0, 1, 2, 0xff][Math.floor(rand() * 4)]!;
        keys.push(key);
      }
      const value = (): Uint8Array => {
        const v = new Uint8Array(Math.floor(rand() * 150)); // both sides of the walk's 64-byte copy switch
        for (let j = 0; j < v.length; j++) v[j] = Math.floor(rand() * 256);
        return v;
      };
      const stamps: number[] = [];
      const live: Txn[] = [];
      const writeSome = (tx: Txn, n: number): void => {
        for (let i = 0; i < n; i++) {
          const key = keys[Math.floor(rand() * keys.length)]!;
          // A key another live transaction wrote (tryWrite: no waiting) or one committed since
          // this transaction's snapshot (40001) is skipped.
          try {
            if (rand() < 0.2) tx.tryWrite(ks, key, undefined, 'delete');
            else tx.tryWrite(rand() < 0.05 ? other : ks, key, value(), 'put');
          } catch (e) {
            if ((e as { code?: string }).code !== '40001') throw e;
          }
        }
      };
      for (let t = 0; t < 12; t++) {
        const tx = store.begin();
        writeSome(tx, round === 3 ? 1500 : 10 + Math.floor(rand() * 80));
        const r = rand();
        if (r < 0.6) {
          await tx.commit();
          stamps.push(store.snapshotStamp());
        } else if (r < 0.8) tx.rollback();
        else live.push(tx);
      }
      // Live writers with a statement open: their writes after it are invisible to their scans.
      for (const tx of live) {
        tx.beginStatement();
        writeSome(tx, 20);
      }
      const readers: Array<[Txn, boolean]> = [];
      readers.push([store.begin(), false], [store.begin({ isolation: 'read committed' }), false]);
      for (const s of stamps.slice(0, 3)) readers.push([store.begin({ asOf: s }), false]);
      for (const tx of live) readers.push([tx, true]);
      for (const [tx] of readers) {
        for (let q = 0; q < 25; q++) {
          const opts: ScanOptions = {};
          if (rand() < 0.7) {
            opts.lo = keys[Math.floor(rand() * keys.length)]!;
            opts.loInclusive = rand() < 0.5;
          }
          if (rand() < 0.7) {
            opts.hi = keys[Math.floor(rand() * keys.length)]!;
            opts.hiInclusive = rand() < 0.5;
          }
          if (rand() < 0.4) opts.reverse = true;
          if (q === 0) { // lo == hi
            opts.lo = opts.hi = keys[0]!;
            opts.loInclusive = opts.hiInclusive = true;
          }
          const { kernel, walk } = both(tx, ks, opts, true);
          expect(walk).toEqual(kernel);
          compared++;
          rowsSeen += kernel.length;
          if (kernel.length === 0) emptyRanges++;
        }
      }
      for (const [tx] of readers) tx.rollback();
      await store.close();
      store = undefined;
    }
    expect(compared).toBeGreaterThan(300);
    expect(rowsSeen).toBeGreaterThan(1000);
    expect(emptyRanges).toBeGreaterThan(0);
  });

  it('re-finds its place when the memtable takes writes between batches', async () => {
    const rand = rng(77);
    store = await memoryStore({ memtableBytesMax: 1 << 30 });
    const ks = await store.keyspace('t');
    const key = (i: number): Uint8Array => new Uint8Array([i >>> 16, (i >>> 8) & 255, i & 255]);
    const w0 = store.begin();
    for (let i = 0; i < 4000; i += 2) w0.put(ks, key(i), new Uint8Array([i & 255, 1]));
    await w0.commit();
    const reader = store.begin();
    const writer = store.begin();
    // What each should see: the committed even keys, and for the writer its writes made before its statement began.
    const committed = new Map<number, string>();
    for (let i = 0; i < 4000; i += 2) committed.set(i, hex(new Uint8Array([i & 255, 1])));
    const writerView = new Map<number, string | undefined>(committed);
    for (const [own, reverse] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      const expected: Row[] = [...(own ? writerView : committed)]
        .filter(([i, v]) => i >= 100 && i < 3900 && v !== undefined)
        .sort((a, b) => a[0] - b[0])
        .map(([i, v]): Row => [hex(key(i)), v!]);
      if (reverse) expected.reverse();
      const tx = own ? writer : reader;
      if (own) tx.beginStatement(); // the statement's own later writes stay invisible
      const opts: ScanOptions = { lo: key(100), hi: key(3900), reverse };
      ScanCursor.memWalk = 'none';
      const kc = tx.scan(ks, opts);
      ScanCursor.memWalk = 'all';
      const wc = tx.scan(ks, opts);
      expect(wc.memWalked).toBe(true);
      const kr: Row[] = [], wr: Row[] = [];
      for (let step = 0; ; step++) {
        const a = take(kc, 37), b = take(wc, 37);
        kr.push(...a);
        wr.push(...b);
        if (a.length === 0 && b.length === 0) break;
        // Inserts everywhere (odd keys between the rows, new versions of even ones, deletes): leaves split and shift.
        for (let j = 0; j < 150; j++) {
          const i = Math.floor(rand() * 4000);
          if (rand() < 0.2) {
            writer.delete(ks, key(i));
            writerView.set(i, undefined);
          } else {
            const v = new Uint8Array([i & 255, 2, step & 255]);
            writer.put(ks, key(i), v);
            writerView.set(i, hex(v));
          }
        }
      }
      expect(wr).toEqual(kr);
      expect(kr).toEqual(expected); // no write made after the scan opened is visible
      if (own) tx.endStatement();
    }
    reader.rollback();
    writer.rollback();
  });

  it('keeps reading its memtable through a freeze and flush mid-scan, and reads through the kernel after', async () => {
    const key = (i: number): Uint8Array => new Uint8Array([i >>> 8, i & 255]);
    for (const [asWriter, reverse] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      store = await memoryStore({ memtableBytesMax: 1 << 30 });
      const ks = await store.keyspace('t');
      const w0 = store.begin();
      for (let i = 0; i < 3000; i++) w0.put(ks, key(i), new Uint8Array([i & 255]));
      await w0.commit();
      // A live writer whose versions the freeze carries into the new memtable (the old copies are marked moved).
      const writer = store.begin();
      for (let i = 0; i < 3000; i += 3) {
        if (i % 2 === 0) writer.delete(ks, key(i));
        else writer.put(ks, key(i), new Uint8Array([i & 255, 9]));
      }
      const reader = store.begin();
      const tx = asWriter ? writer : reader;
      ScanCursor.memWalk = 'none';
      const kc = tx.scan(ks, { reverse });
      ScanCursor.memWalk = 'all';
      const wc = tx.scan(ks, { reverse });
      expect(wc.memWalked).toBe(true);
      const kr = take(kc, 500), wr = take(wc, 500);
      await store.flush(); // freeze + flush into a run; the open cursors keep the memtable pinned
      expect(store.memoryStats().runs).toBeGreaterThan(0);
      writer.put(ks, key(2999), new Uint8Array([7])); // a write into the new active memtable
      kr.push(...take(kc));
      wr.push(...take(wc));
      expect(wr).toEqual(kr);
      expect(kr.length).toBe(asWriter ? 3000 - 500 : 3000); // the writer deleted the 500 multiples of 6
      if (asWriter) expect(kr[reverse ? kr.length - 3 : 2]).toEqual([hex(key(3)), hex(new Uint8Array([3, 9]))]);
      // Now a run and a memtable: the scan reads through the kernel iterator, same rows.
      const { kernel, walk } = both(reader, ks, {}, false);
      expect(walk).toEqual(kernel);
      expect(kernel.length).toBe(3000);
      reader.rollback();
      writer.rollback();
      await store.close();
      store = undefined;
    }
  });

  it('by default reverse scans walk in TypeScript; forward and raw scans read through the kernel iterator', async () => {
    store = await memoryStore({ memtableBytesMax: 1 << 30 });
    const ks = await store.keyspace('t');
    const tx = store.begin();
    for (let i = 0; i < 100; i++) tx.put(ks, new Uint8Array([i]), new Uint8Array([i, i]));
    const rev = tx.scan(ks, { reverse: true });
    expect(rev.memWalked).toBe(true);
    expect(take(rev).map((r) => r[0])).toEqual([...Array(100).keys()].reverse().map((i) => hex(new Uint8Array([i]))));
    const raw = tx.scan(ks, { raw: true });
    expect(raw.memWalked).toBe(false);
    expect(raw.versions().length).toBe(100);
    const fwd = tx.scan(ks);
    expect(fwd.memWalked).toBe(false);
    expect(take(fwd).length).toBe(100);
    tx.rollback();
  });
});
