// The memtable's sequential-insert hint (a version after the last one goes
// down the rightmost path with no compares) and kv_put's skip of the hash
// probe for a key above everything in a memtable (mtAllBelow). Both only pay
// off for in-order loads; these tests mix in-order runs with every other
// shape (random, descending, keys that extend the last key, new versions of
// the last key, frozen memtables) and check the tree against a model: full
// scans both ways, point reads, raw version order, and the conflict and
// duplicate checks that the skipped hash probe would otherwise have done.

import { describe, expect, it } from 'vitest';
import { Kernel, ST, OP_INSERT, dec, enc, rng, VF } from './harness.ts';

function compare(a: string, b: string): number {
  // Keys here are ASCII plus \0: code-unit order is byte order.
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkAgainst(k: Kernel, model: Map<string, string>, rand: () => number): void {
  const keys = [...model.keys()].sort(compare);
  const fwd = k.scan({ batchRows: 997 });
  expect(fwd.length).toBe(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = dec(fwd[i]!.key);
    if (key !== keys[i] || dec(fwd[i]!.val) !== model.get(key)) {
      throw new Error(`forward scan position ${i}: ${JSON.stringify(key)}=${dec(fwd[i]!.val)}, model ${JSON.stringify(keys[i])}=${model.get(keys[i]!)}`);
    }
  }
  const rev = k.scan({ reverse: true, batchRows: 1013 });
  expect(rev.length).toBe(keys.length);
  for (let i = 0; i < keys.length; i++) {
    if (dec(rev[i]!.key) !== keys[keys.length - 1 - i]) throw new Error(`reverse scan position ${i}: ${dec(rev[i]!.key)}`);
  }
  for (let n = 0; n < 400; n++) {
    const key = keys[Math.floor(rand() * keys.length)]!;
    expect(k.get(key)).toBe(model.get(key));
  }
  // Every committed version of every key, key ascending then newest first.
  const raw = k.scanRaw({ batchRows: 1000 }).filter((r) => (r.flags & VF.ABORTED) === 0);
  for (let i = 1; i < raw.length; i++) {
    const c = compare(dec(raw[i - 1]!.key), dec(raw[i]!.key));
    if (c > 0 || (c === 0 && raw[i - 1]!.stamp < raw[i]!.stamp)) throw new Error(`raw order at ${i}: ${dec(raw[i]!.key)} ${JSON.stringify(raw.slice(i - 1, i + 1).map((r) => [r.flags, r.stamp, r.rank, r.slot]))}`);
  }
}

describe('memtable sequential-insert hint', () => {
  it.each([1, 2, 3])('keeps the tree right under mixed in-order, random, reverse and repeated writes (seed %i)', (seed) => {
    const rand = rng(seed * 7919);
    const k = Kernel.storage();
    const model = new Map<string, string>();
    let stamp = 10;
    let top = 0; // in-order runs continue from here
    let jtop = 0; // the highest 'j' key so far
    for (let round = 0; round < 30; round++) {
      const t = k.begin(stamp - 1);
      const writes = new Map<string, string>();
      const put = (key: string, val: string): void => {
        expect(k.put(t, key, val)).toBe(ST.OK);
        writes.set(key, val);
      };
      const shape = Math.floor(rand() * 8);
      const n = 200 + Math.floor(rand() * 3000);
      if (shape === 0 || shape === 1) {
        // In-order run past everything so far (the hint path), sometimes
        // with gaps that later random writes fill.
        for (let i = 0; i < n; i++) {
          top += 1 + (shape === 1 ? Math.floor(rand() * 3) : 0);
          put('k' + String(top).padStart(8, '0'), `r${round}.${i}`);
        }
      } else if (shape === 2) {
        // Random keys anywhere up to a little past the top.
        for (let i = 0; i < n; i++) put('k' + String(Math.floor(rand() * (top + 50))).padStart(8, '0'), `r${round}.${i}`);
      } else if (shape === 3) {
        // Descending below the top.
        const from = Math.floor(rand() * (top + 1));
        for (let i = 0; i < n && from - i >= 0; i++) put('k' + String(from - i).padStart(8, '0'), `r${round}.${i}`);
      } else if (shape === 4) {
        // The last key again (a newer version sorts before the older one,
        // so not an append), then keys that extend it: just above it.
        const last = 'k' + String(top).padStart(8, '0');
        put(last, `r${round}.again`);
        put(last + '\0', `r${round}.nul`);
        put(last + '\0\0', `r${round}.nulnul`);
        put(last + 'a', `r${round}.a`);
        put(last, `r${round}.again2`);
      } else if (shape === 6) {
        // In-order run in the middle of the key range (below the 'k' keys),
        // over earlier runs' keys and the gaps between them, sometimes
        // writing the same key twice in a row (a newer version sorts first).
        let j = Math.floor(rand() * (jtop + 1));
        for (let i = 0; i < n; i++) {
          j += Math.floor(rand() * 3);
          put('j' + String(j).padStart(8, '0'), `r${round}.${i}`);
          if (rand() < 0.05) put('j' + String(j).padStart(8, '0'), `r${round}.${i}b`);
        }
        jtop = Math.max(jtop, j);
      } else if (shape === 7) {
        // In-order INSERTs over keys that exist and keys that do not: the
        // hint must not hide an existing key (EXISTS) from the check.
        let j = Math.floor(rand() * (jtop + 1));
        for (let i = 0; i < n; i++) {
          j += 1;
          const key = 'j' + String(j).padStart(8, '0');
          const expected = model.has(key) ? ST.EXISTS : ST.OK;
          expect(k.put(t, key, `r${round}.${i}`, OP_INSERT)).toBe(expected);
          if (expected === ST.OK) writes.set(key, `r${round}.${i}`);
        }
        jtop = Math.max(jtop, j);
      } else {
        // Interleaved: appends alternating with writes at the low end.
        for (let i = 0; i < n; i++) {
          if (i % 2 === 0) put('k' + String(++top).padStart(8, '0'), `r${round}.${i}`);
          else put('a' + String(Math.floor(rand() * 1000)).padStart(4, '0'), `r${round}.${i}`);
        }
      }
      if (rand() < 0.2) {
        k.x.tx_abort(t);
      } else {
        k.commit(t, stamp);
        for (const [key, val] of writes) model.set(key, val);
      }
      stamp += 10;
      if (rand() < 0.15 && k.x.lsm_frozen_count() < 3) expect(k.x.lsm_freeze()).toBe(ST.OK);
      if (round % 5 === 4) checkAgainst(k, model, rand);
    }
    checkAgainst(k, model, rand);
  });

  it('a key equal to the last one of a memtable is still found: duplicates and conflicts', () => {
    const k = Kernel.storage();
    const a = k.begin(1);
    for (let i = 0; i < 5000; i++) expect(k.put(a, 'k' + String(i).padStart(6, '0'), 'v' + i)).toBe(ST.OK);
    k.commit(a, 10);
    const last = 'k004999';
    // Active memtable: the last key exists (INSERT refused), one past it does not.
    const b = k.begin(11);
    expect(k.put(b, last, 'x', OP_INSERT)).toBe(ST.EXISTS);
    expect(k.put(b, last + '\0', 'x', OP_INSERT)).toBe(ST.OK);
    // b's uncommitted last key blocks another writer.
    const c = k.begin(11);
    expect(k.put(c, last + '\0', 'y')).toBe(ST.CONFLICT_ACTIVE);
    expect(k.r32(0)).toBe(b);
    k.commit(b, 20);
    // In a frozen memtable: still found, while a key above it is new.
    expect(k.x.lsm_freeze()).toBe(ST.OK);
    const d = k.begin(21);
    expect(k.put(d, last + '\0', 'z', OP_INSERT)).toBe(ST.EXISTS);
    expect(k.put(d, last, 'z', 0, 21, 1)).toBe(ST.OK); // committed at 10 <= snapshot 21
    expect(k.put(c, last, 'c', 0, 11, 1)).toBe(ST.CONFLICT_ACTIVE); // d's write, in the active memtable
    expect(k.put(c, last + '\0', 'c', 0, 11, 1)).toBe(ST.CONFLICT_COMMITTED); // b's commit at 20 > 11
    expect(k.put(d, 'k005000', 'new', OP_INSERT)).toBe(ST.OK);
    k.commit(d, 30);
    expect(k.get(last)).toBe('z');
    expect(k.get(last + '\0')).toBe('x');
    expect(k.get('k005000')).toBe('new');
    expect(k.get(last, 15)).toBe('v4999');
    const raw = k.scanRaw({ lo: enc(last), loIncl: true, hi: enc(last), hiIncl: true });
    expect(raw.filter((r) => (r.flags & VF.COMMITTED) !== 0 || r.stamp > 0).map((r) => dec(r.val))).toEqual(['z', 'v4999']);
  });
});
