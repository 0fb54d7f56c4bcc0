// The merge iterator across memtables and runs, forward and reverse, with
// every kind of bound, compared with a model; raw mode; stability of open
// iterators while the tree changes underneath them.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Kernel, ST, VF, LATEST, dec, enc, numKey } from './harness.ts';
import { Driver, trickyKeys, type Step } from './model.ts';

const stepArb: fc.Arbitrary<Step> = fc.record({ op: fc.nat(11), a: fc.nat(1000), b: fc.nat(1000), c: fc.nat(1000) });

/** A fixed history spread over the active memtable, two frozen memtables and three runs. */
function layered(): Driver {
  const d = new Driver({ keys: trickyKeys, blockTarget: 96, gc: false, cacheLimit: 2048 });
  const steps: Step[] = [];
  // Deterministic pseudo-random but dense history: begin, write, finish, and
  // a freeze/flush every few dozen steps so every component holds versions.
  let x = 12345;
  const next = (): number => (x = (x * 1103515245 + 12345) % 2 ** 31);
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 40; i++) {
      const r = next();
      steps.push({ op: [0, 2, 3, 4, 5, 2, 3, 7, 6][r % 9]!, a: next() % 1000, b: next() % 1000, c: next() % 1000 });
    }
    steps.push({ op: 8, a: 0, b: 0, c: 0 });
    if (round < 3) steps.push({ op: 9, a: 0, b: 0, c: 0 });
  }
  for (const s of steps) d.step(s);
  return d;
}

describe('merge iterator', () => {
  it('matches the model across memtables and runs for every bound and direction', () => {
    const d = layered();
    expect(d.k.x.lsm_run_count()).toBe(3);
    expect(d.k.x.lsm_frozen_count()).toBe(3);
    expect(d.live.length).toBeGreaterThan(0); // uncommitted versions of live transactions
    d.checkAll();
  });

  it('matches the model over random operation sequences', () => {
    const total = { flushes: 0, compactions: 0, conflicts: 0 };
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 10, maxLength: 120, size: 'max' }), fc.nat(), (steps, seed) => {
        const d = new Driver({ keys: trickyKeys.slice(seed % 4, 10 + (seed % 7)), blockTarget: 64 + (seed % 3) * 200, gc: false, cacheLimit: seed % 2 ? 1024 : undefined });
        for (const [i, s] of steps.entries()) {
          d.step(s);
          // Freezes, flushes and compactions more often than random steps alone would do.
          if (s.a % 5 === 0) d.step({ ...s, op: [8, 9, 9, 10][s.c % 4]! });
          if (i % 10 === 9) d.checkScan(s.a, s.b, s.c, s.op % 2 === 0);
        }
        d.checkAll();
        for (const key of Object.keys(total) as Array<keyof typeof total>) total[key] += d.stats[key];
      }),
      { numRuns: 120 },
    );
    expect(total.flushes).toBeGreaterThan(100);
    expect(total.compactions).toBeGreaterThan(30);
    expect(total.conflicts).toBeGreaterThan(50);
  });

  it('returns rows in batches bounded by count and bytes', () => {
    const k = Kernel.storage();
    const t = k.begin(1);
    for (let i = 0; i < 100; i++) k.put(t, numKey(i), 'x'.repeat(100));
    k.commit(t, 2);
    const it = k.open({});
    const b1 = k.nextBatch(it, 7);
    expect(Array.isArray(b1) && b1.length).toBe(7);
    const b2 = k.nextBatch(it, 1000, 500); // stops once past 500 bytes
    expect(Array.isArray(b2) && b2.length).toBe(5);
    expect(Array.isArray(b2) && dec(b2[0]!.key)).toBe(numKey(7));
    const rest = k.nextBatch(it, 1000);
    expect(Array.isArray(rest) && rest.length).toBe(88);
    expect(k.nextBatch(it, 1000)).toEqual([]);
    expect(k.nextBatch(it, 1000)).toEqual([]); // stays at the end
    k.x.iter_close(it);
  });
});

describe('raw mode', () => {
  it('returns every version with flags, component rank, slot and stamp', () => {
    const k = Kernel.storage();
    const a = k.begin(1);
    k.put(a, 'k', 'v1');
    k.commit(a, 10);
    k.freezeAndFlush(); // run: k@10
    const b = k.begin(11);
    k.put(b, 'k', 'v2');
    k.del(b, 'j');
    k.commit(b, 20);
    expect(k.x.lsm_freeze()).toBe(ST.OK); // frozen: k@20, j tombstone @20
    const c = k.begin(21);
    k.put(c, 'k', 'mine');
    const sp = k.x.tx_write_count(c);
    k.put(c, 'k', 'rolled back');
    k.x.tx_rollback_to(c, sp);
    const rows = k.scanRaw({}).map((r) => ({ key: dec(r.key), val: dec(r.val), flags: r.flags, rank: r.rank, slot: r.slot, stamp: r.stamp }));
    expect(rows).toEqual([
      { key: 'j', val: '', flags: VF.COMMITTED | VF.TOMBSTONE, rank: 1, slot: b, stamp: 20 },
      { key: 'k', val: 'rolled back', flags: VF.ABORTED, rank: 0, slot: c, stamp: 0 },
      { key: 'k', val: 'mine', flags: 0, rank: 0, slot: c, stamp: 0 },
      { key: 'k', val: 'v2', flags: VF.COMMITTED, rank: 1, slot: b, stamp: 20 },
      { key: 'k', val: 'v1', flags: VF.COMMITTED, rank: 2, slot: 0, stamp: 10 }, // a run entry: committed, no slot
    ]);
    // Reverse raw scans list the same versions, keys in reverse order.
    const rev = k.scanRaw({ reverse: true }).map((r) => `${dec(r.key)}:${dec(r.val)}`);
    expect(rev).toEqual(['k:rolled back', 'k:mine', 'k:v2', 'k:v1', 'j:']);
    // Bounds apply in raw mode too.
    expect(k.scanRaw({ lo: enc('k'), loIncl: false })).toEqual([]);
  });
});

describe('iterators and a changing tree', () => {
  function fill(k: Kernel, from: number, to: number, tag: string, stamp: number): void {
    const t = k.begin(stamp - 1);
    for (let i = from; i < to; i++) k.put(t, numKey(i), `${tag}${i}`);
    k.commit(t, stamp);
  }

  it('keeps reading its original components after a flush is installed mid-scan', () => {
    const k = Kernel.storage();
    fill(k, 0, 1000, 'a', 10);
    k.freezeAndFlush({ blockTarget: 256 });
    fill(k, 500, 1500, 'b', 20);
    const want = k.scanStrings({ snapshot: 20 });
    for (const reverse of [false, true]) {
      const it = k.open({ snapshot: 20, reverse });
      const got: Array<[string, string]> = [];
      let round = 0;
      for (;;) {
        const rows = k.nextBatch(it, 97);
        if (typeof rows === 'number') throw new Error(`status ${rows}`);
        if (rows.length === 0) break;
        got.push(...rows.map((r): [string, string] => [dec(r.key), dec(r.val)]));
        // Change the tree between batches: new writes, freeze + flush, compaction.
        fill(k, round * 10, round * 10 + 5, 'c', 100 + round);
        if (round === 2) k.freezeAndFlush({ blockTarget: 256 });
        if (round === 4) k.compact(0, 2, { bottom: true, blockTarget: 512 });
        round++;
      }
      k.x.iter_close(it);
      expect(got).toEqual(reverse ? [...want].reverse() : want);
    }
    // And the data is all still there for a new reader.
    expect(k.get(numKey(1499))).toBe('b1499');
    expect(k.get(numKey(0))).toBe('c0');
  });

  it('an open scan is not disturbed by writes into the memtable it is reading', () => {
    // UPDATE-style: scan a batch, write new versions of the rows just read
    // (and of rows ahead), continue. Leaf splits and inserts move entries
    // inside the B+tree the iterator's cursor points into.
    for (const reverse of [false, true]) {
      const k = Kernel.storage();
      fill(k, 0, 3000, 'v', 10);
      const t = k.begin(11);
      const it = k.open({ snapshot: 11, slot: 0, reverse });
      const seen: string[] = [];
      for (;;) {
        const rows = k.nextBatch(it, 50);
        if (typeof rows === 'number') throw new Error(`status ${rows}`);
        if (rows.length === 0) break;
        for (const r of rows) {
          const key = dec(r.key);
          seen.push(key);
          expect(dec(r.val)).toBe('v' + Number(key));
          expect(k.put(t, key, 'updated')).toBe(ST.OK);
          expect(k.put(t, key + '-extra', 'new row')).toBe(ST.OK);
        }
      }
      k.x.iter_close(it);
      const want = Array.from({ length: 3000 }, (_, i) => numKey(i));
      expect(seen).toEqual(reverse ? want.reverse() : want);
      k.commit(t, 12);
      expect(k.scan({ snapshot: 12 }).length).toBe(6000);
    }
  });

  it('an iterator sees its own transaction\'s writes after a freeze moved them', () => {
    const k = Kernel.storage();
    const t = k.begin(1);
    k.put(t, 'a', 'mine');
    expect(k.x.lsm_freeze()).toBe(ST.OK);
    expect(k.scanStrings({ slot: t })).toEqual([['a', 'mine']]);
    expect(k.get('a', 1, t)).toBe('mine');
  });

  it('reverse scans return the newest version of keys longer than 64 KiB', () => {
    const k = Kernel.storage();
    const base = 'p'.repeat(70_000);
    for (let s = 1; s <= 3; s++) fill2(k, [base + 'a', base + 'b', base + 'c'], `v${s}`, s * 10);
    const tails = (o: Parameters<Kernel['scan']>[0]): string[] => k.scan(o).map((r) => `${dec(r.key).slice(70_000)}=${dec(r.val)}`);
    expect(tails({ reverse: true })).toEqual(['c=v3', 'b=v3', 'a=v3']);
    expect(tails({ reverse: true, snapshot: 25 })).toEqual(['c=v2', 'b=v2', 'a=v2']);
    k.freezeAndFlush({ blockTarget: 4096 }); // one version per block: the walk back crosses blocks
    k.x.cache_set_limit(0); // and every block load evicts whatever is not pinned
    expect(tails({ reverse: true })).toEqual(['c=v3', 'b=v3', 'a=v3']);
    expect(tails({ reverse: true, hi: enc(base + 'b') })).toEqual(['b=v3', 'a=v3']);
    expect(tails({ reverse: true, snapshot: 15 })).toEqual(['c=v1', 'b=v1', 'a=v1']);
    expect(tails({})).toEqual(['a=v3', 'b=v3', 'c=v3']);

    function fill2(kk: Kernel, keys: string[], val: string, stamp: number): void {
      const t = kk.begin(stamp - 1);
      for (const key of keys) kk.put(t, key, val);
      kk.commit(t, stamp);
    }
  });

  it('bounds on keys absent from every component, and empty ranges', () => {
    const k = Kernel.storage();
    fill(k, 0, 100, 'v', 10);
    k.freezeAndFlush({ blockTarget: 128 });
    fill(k, 50, 150, 'w', 20);
    const keys = (o: Parameters<Kernel['scan']>[0]): string[] => k.scan(o).map((r) => dec(r.key));
    expect(keys({ lo: enc(numKey(10) + 'x'), hi: enc(numKey(12) + 'x') })).toEqual([numKey(11), numKey(12)]);
    expect(keys({ lo: enc(numKey(10) + 'x'), hi: enc(numKey(12) + 'x'), reverse: true })).toEqual([numKey(12), numKey(11)]);
    expect(keys({ lo: enc(numKey(20)), hi: enc(numKey(10)) })).toEqual([]);
    expect(keys({ lo: enc(numKey(20)), hi: enc(numKey(20)), hiIncl: false })).toEqual([]);
    expect(keys({ lo: enc(numKey(20)), hi: enc(numKey(20)) })).toEqual([numKey(20)]);
    expect(keys({ lo: enc(numKey(20)), hi: enc(numKey(20)), reverse: true })).toEqual([numKey(20)]);
    expect(keys({ lo: enc('z') })).toEqual([]);
    expect(keys({ hi: enc('') , hiIncl: false, reverse: true })).toEqual([]);
    expect(keys({ hi: enc('0'), reverse: true })).toEqual([]);
    expect(keys({ lo: enc('z'), reverse: true })).toEqual([]);
    expect(keys({ hi: enc('z'), reverse: true }).length).toBe(150);
    expect(keys({ snapshot: 9 })).toEqual([]);
    expect(keys({ snapshot: LATEST, lo: enc(numKey(149)) })).toEqual([numKey(149)]);
  });
});

describe('iterator memory failures', () => {
  it('iter_open under memory pressure fails with 0 and leaves the kernel intact', () => {
    const k = Kernel.storage();
    const t = k.begin(1);
    for (let i = 0; i < 200; i++) k.put(t, numKey(i), 'v' + i);
    k.commit(t, 2);
    k.x.iter_close(k.open({})); // warm the free lists an iterator uses
    const huge = new Uint8Array(3 << 20).fill(0x30); // a 3 MiB bound cannot be copied once memory is capped
    const [hp] = k.place(huge);
    const allocated = k.x.mem_allocated();
    // Nothing below the static data (result area) is ever the kernel's: a write there is a wild write.
    const low = k.u8().slice(0, k.x.result_area());
    k.x.mem_set_limit_pages(k.x.mem_pages());
    for (let i = 0; i < 5; i++) {
      expect(k.x.iter_open(hp!, huge.length, 3, 0, 0, 0, LATEST, 0, 0, 0)).toBe(0);
      expect(k.x.iter_open(0, 0, 0, hp!, huge.length, 3, LATEST, 0, 1, 0)).toBe(0);
    }
    expect(k.x.mem_allocated()).toBe(allocated); // everything taken was given back
    expect(k.u8().slice(0, low.length)).toEqual(low);
    k.x.mem_set_limit_pages(65536);
    // Heavy use of every size class afterwards: a corrupted free list shows here.
    const u = k.begin(3);
    for (let i = 0; i < 3000; i++) k.put(u, numKey(i), 'w'.repeat(i % 700));
    k.commit(u, 4);
    for (let i = 0; i < 20; i++) k.scan({ lo: enc(numKey(i * 100)), batchRows: 1 + i });
    k.freezeAndFlush({ blockTarget: 1024 });
    for (let i = 0; i < 3000; i += 7) expect(k.get(numKey(i))).toBe('w'.repeat(i % 700));
    expect(k.scan().length).toBe(3000);
    expect(k.get(numKey(5), 2)).toBe('v5');
  });
});
