// Scans over keys with long chains of versions (a hot row updated many times
// since the last flush). A memtable keeps every version as its own entry,
// sorted by key then sequence descending; after a key's visible version the
// merge loop seeks past the rest of its chain instead of stepping through it
// (wasm/storage/merge_iter.ts SEEK_PAST_VERSIONS, cursor.ts curSkipPastMem).
// What the seek must keep: the right version for every snapshot, every key
// once and in order, own uncommitted writes, raw scans untouched, with one
// memtable (memRun) and with a run beside it (the general loop).

import { afterEach, describe, expect, it } from 'vitest';
import type { Keyspace, Store, Txn } from '../../host/engine/store/index.ts';
import { b, memoryStore, s } from './helpers.ts';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

/** Keys longer than 8 bytes (the loops compare past the 8-byte prefix) and one short key. */
const KEYS = ['a', ...Array.from({ length: 8 }, (_, i) => `row-${String(i).padStart(6, '0')}-with-a-long-key`), 'zz'];
const HOT = KEYS[4]!;

async function put(st: Store, ks: Keyspace, key: string, value: string): Promise<void> {
  const t = st.begin();
  t.put(ks, b(key), b(value));
  await t.commit();
}

function scan(t: Txn, ks: Keyspace, reverse = false): Array<[string, string]> {
  return t.scan(ks, { reverse }).toArray().map(([k, v]): [string, string] => [s(k)!, s(v)!]);
}

function expected(hotValue: string, reverse = false): Array<[string, string]> {
  const rows = KEYS.map((k): [string, string] => [k, k === HOT ? hotValue : `base-${k}`]);
  return reverse ? rows.reverse() : rows;
}

async function seed(st: Store, ks: Keyspace): Promise<void> {
  const t = st.begin();
  for (const k of KEYS) t.put(ks, b(k), b(`base-${k}`));
  await t.commit();
}

describe('scans over long version chains', () => {
  it('one memtable: each snapshot sees its own version of the hot key, every key once, in order', async () => {
    store = await memoryStore();
    const ks = await store.keyspace('hot');
    await seed(store, ks);
    await put(store, ks, HOT, 'v0');
    let old: Txn | undefined;
    for (let v = 1; v < 300; v++) {
      await put(store, ks, HOT, `v${v}`);
      if (v === 40) old = store.begin({ isolation: 'snapshot', readOnly: true });
    }
    const now = store.begin({ readOnly: true });
    expect(scan(now, ks)).toEqual(expected('v299'));
    expect(scan(now, ks, true)).toEqual(expected('v299', true));
    expect(scan(old!, ks)).toEqual(expected('v40'));
    expect(scan(old!, ks, true)).toEqual(expected('v40', true));
    // A range that starts and ends around the hot key.
    expect(now.scan(ks, { lo: b(HOT), hi: b(KEYS[6]!) }).toArray().map(([k, v]): [string, string] => [s(k)!, s(v)!])).toEqual([[HOT, 'v299'], [KEYS[5]!, `base-${KEYS[5]}`]]);
    // Raw scans still see every version.
    expect(now.scan(ks, { raw: true }).versions().filter((r) => s(r.key) === HOT).length).toBeGreaterThanOrEqual(300);
    now.rollback();
    old!.rollback();
  });

  it('own uncommitted writes on top of a long chain, and a tombstone at its head', async () => {
    store = await memoryStore();
    const ks = await store.keyspace('hot');
    await seed(store, ks);
    for (let v = 0; v < 100; v++) await put(store, ks, HOT, `c${v}`);
    const w = store.begin();
    for (let v = 0; v < 50; v++) w.put(ks, b(HOT), b(`own${v}`));
    expect(scan(w, ks)).toEqual(expected('own49'));
    const other = store.begin({ readOnly: true });
    expect(scan(other, ks)).toEqual(expected('c99'));
    other.rollback();
    w.delete(ks, b(HOT));
    expect(scan(w, ks)).toEqual(expected('').filter(([k]) => k !== HOT));
    await w.commit();
    const after = store.begin({ readOnly: true });
    expect(scan(after, ks).map(([k]) => k)).toEqual(KEYS.filter((k) => k !== HOT));
    after.rollback();
  });

  it('a chain in the memtable beside a run (the general merge loop)', async () => {
    store = await memoryStore();
    const ks = await store.keyspace('hot');
    await seed(store, ks);
    for (let v = 0; v < 60; v++) await put(store, ks, HOT, `r${v}`);
    await store.flush();
    const before = store.begin({ isolation: 'snapshot', readOnly: true });
    // Every key gets a newer version in the memtable too, so a seek that went one entry too far would show a run's older one.
    {
      const t = store.begin();
      for (const k of KEYS) if (k !== HOT) t.put(ks, b(k), b(`new-${k}`));
      await t.commit();
    }
    for (let v = 0; v < 200; v++) await put(store, ks, HOT, `m${v}`);
    const mid = store.begin({ isolation: 'snapshot', readOnly: true });
    for (let v = 200; v < 260; v++) await put(store, ks, HOT, `m${v}`);
    const now = store.begin({ readOnly: true });
    const newer = (hot: string, reverse = false): Array<[string, string]> => {
      const rows = KEYS.map((k): [string, string] => [k, k === HOT ? hot : `new-${k}`]);
      return reverse ? rows.reverse() : rows;
    };
    expect(scan(now, ks)).toEqual(newer('m259'));
    expect(scan(now, ks, true)).toEqual(newer('m259', true));
    expect(scan(mid, ks)).toEqual(newer('m199'));
    expect(scan(before, ks)).toEqual(expected('r59'));
    for (const t of [now, mid, before]) t.rollback();
  });
});
