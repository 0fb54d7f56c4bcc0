// A transaction takes its id and its kernel TIP slot at its first write: a
// reader never takes either, and the store still keeps what it reads.
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../host/engine/store/index.ts';
import { b, memoryStore, s } from './helpers.ts';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

describe('lazy transaction ids and slots', () => {
  it('a reader takes no slot and no id; its first write takes both', async () => {
    store = await memoryStore();
    const ks = await store.keyspace('l');
    const live0 = store.transactionStats().live;
    const t = store.begin();
    expect(t.slot).toBe(0);
    expect(t.idBytes).toBeUndefined();
    expect(t.get(ks, b('x'))).toBeUndefined();
    expect(t.slot).toBe(0);
    // Counted as live although it holds no slot.
    expect(store.transactionStats().live).toBe(live0 + 1);
    t.put(ks, b('x'), b('1'));
    expect(t.slot).toBeGreaterThan(0);
    expect(t.id.length).toBe(16);
    expect(store.txnBySlot(t.slot)).toBe(t);
    expect(s(t.get(ks, b('x')))).toBe('1');
    await t.commit();
    expect(store.transactionStats().live).toBe(live0);
    const r = store.begin();
    expect(s(r.get(ks, b('x')))).toBe('1');
    expect(r.commitIfNoWrites()).toBe(true);
    expect(r.slot).toBe(0);
    expect(store.transactionStats().live).toBe(live0);
  });

  it('an id asked for before any write stays the id of the transaction', async () => {
    store = await memoryStore();
    const ks = await store.keyspace('l');
    const t = store.begin();
    const id = t.id;
    expect(t.slot).toBe(0);
    t.put(ks, b('k'), b('v'));
    expect(t.id).toBe(id);
    await t.commit();
    // Two transactions' ids differ.
    const u = store.begin();
    expect(Buffer.from(u.id).equals(Buffer.from(id))).toBe(false);
    u.rollback();
  });

  it('a savepoint taken before the first write undoes every later write', async () => {
    store = await memoryStore();
    const ks = await store.keyspace('l');
    const t = store.begin();
    const mark = t.savepoint();
    t.put(ks, b('a'), b('1'));
    t.put(ks, b('b'), b('2'));
    t.rollbackTo(mark);
    expect(t.get(ks, b('a'))).toBeUndefined();
    t.put(ks, b('c'), b('3'));
    await t.commit();
    const r = store.begin();
    expect(r.get(ks, b('a'))).toBeUndefined();
    expect(s(r.get(ks, b('c')))).toBe('3');
    r.rollback();
  });

  it('a slotless reader below the GC horizon is pinned, and keeps reading its snapshot through flushes and compactions', async () => {
    store = await memoryStore();
    const ks = await store.keyspace('l');
    const w0 = store.begin();
    for (let k = 0; k < 20; k++) w0.put(ks, b(`k${k}`), b('old'));
    await w0.commit();
    const readers = [store.begin({ isolation: 'snapshot' }), store.begin({ isolation: 'snapshot' }), store.begin({ isolation: 'read committed', statementSnapshots: 'manual' })];
    for (const r of readers) expect(s(r.get(ks, b('k5')))).toBe('old');
    expect(readers.every((r) => r.slot === 0)).toBe(true);
    // The second reader ends before the maintenance: it is never pinned.
    expect(readers[1]!.commitIfNoWrites()).toBe(true);
    for (let v = 0; v < 3; v++) {
      const w = store.begin();
      for (let k = 0; k < 20; k++) {
        if (k % 2 === 0) w.delete(ks, b(`k${k}`));
        else w.put(ks, b(`k${k}`), b(`new${v}`));
      }
      await w.commit();
    }
    await store.flush();
    await store.compactAll();
    expect(readers[0]!.slot).toBeGreaterThan(0);
    expect(readers[2]!.slot).toBeGreaterThan(0);
    for (const r of [readers[0]!, readers[2]!]) {
      for (let k = 0; k < 20; k++) expect(s(r.get(ks, b(`k${k}`)))).toBe('old');
      const rows = [...(function* () {
        const c = r.scan(ks, {});
        while (c.next()) yield s(c.value);
      })()];
      expect(rows).toEqual(Array(20).fill('old'));
    }
    // READ COMMITTED moves on at its next statement snapshot.
    readers[2]!.refreshSnapshot();
    expect(s(readers[2]!.get(ks, b('k1')))).toBe('new2');
    expect(readers[2]!.get(ks, b('k0'))).toBeUndefined();
    // A pinned reader may still write (it has its slot already).
    readers[0]!.put(ks, b('z'), b('z'));
    await readers[0]!.commit();
    readers[2]!.rollback();
    expect(store.transactionStats().live).toBe(0);
  });

  it('closing the store ends slotless readers too', async () => {
    store = await memoryStore();
    const ks = await store.keyspace('l');
    const r = store.begin();
    expect(r.get(ks, b('x'))).toBeUndefined();
    expect(r.slot).toBe(0);
    await store.close();
    store = undefined;
    expect(r.state).toBe('aborted');
    await r.finished;
  });
});
