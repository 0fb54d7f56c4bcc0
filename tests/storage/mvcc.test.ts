// MVCC behaviour of the embedded store: visibility per isolation level,
// write-write conflicts, write skew, phantoms, savepoints, waits and deadlocks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Keyspace, Store } from '../../host/engine/store/index.ts';
import { b, codeOf, codeOfSync, memoryStore, s } from './helpers.ts';

let store: Store;
let ks: Keyspace;

beforeEach(async () => {
  store = await memoryStore();
  ks = await store.keyspace('t');
  const tx = store.begin();
  tx.put(ks, b('a'), b('a0'));
  tx.put(ks, b('b'), b('b0'));
  await tx.commit();
});

afterEach(async () => {
  await store.close();
});

describe('visibility', () => {
  it('a snapshot transaction does not see commits made after it began', async () => {
    const reader = store.begin({ isolation: 'snapshot' });
    expect(s(reader.get(ks, b('a')))).toBe('a0');
    const w = store.begin();
    w.put(ks, b('a'), b('a1'));
    w.put(ks, b('c'), b('c1'));
    await w.commit();
    expect(s(reader.get(ks, b('a')))).toBe('a0');
    expect(reader.get(ks, b('c'))).toBeUndefined();
    expect(reader.scan(ks).toArray().map(([k]) => s(k))).toEqual(['a', 'b']);
    reader.rollback();
    const later = store.begin();
    expect(s(later.get(ks, b('a')))).toBe('a1');
    later.rollback();
  });

  it('read committed sees each commit at its next statement', async () => {
    const rc = store.begin({ isolation: 'read committed' });
    expect(s(rc.get(ks, b('a')))).toBe('a0');
    const w = store.begin();
    w.put(ks, b('a'), b('a1'));
    expect(s(rc.get(ks, b('a')))).toBe('a0'); // uncommitted: invisible
    await w.commit();
    expect(s(rc.get(ks, b('a')))).toBe('a1');
    rc.rollback();
  });

  it('read committed with manual statement snapshots keeps one snapshot per statement', async () => {
    const rc = store.begin({ isolation: 'read committed', statementSnapshots: 'manual' });
    const w = store.begin();
    w.put(ks, b('a'), b('a1'));
    await w.commit();
    expect(s(rc.get(ks, b('a')))).toBe('a0');
    rc.refreshSnapshot();
    expect(s(rc.get(ks, b('a')))).toBe('a1');
    rc.rollback();
  });

  it('a transaction sees its own writes and deletes; others do not', async () => {
    const t = store.begin();
    t.put(ks, b('a'), b('mine'));
    t.delete(ks, b('b'));
    t.put(ks, b('z'), b('new'));
    expect(s(t.get(ks, b('a')))).toBe('mine');
    expect(t.get(ks, b('b'))).toBeUndefined();
    expect(t.scan(ks).toArray().map(([k, v]) => `${s(k)}=${s(v)}`)).toEqual(['a=mine', 'z=new']);
    expect(t.scan(ks, { reverse: true }).toArray().map(([k]) => s(k))).toEqual(['z', 'a']);
    const other = store.begin();
    expect(s(other.get(ks, b('a')))).toBe('a0');
    expect(s(other.get(ks, b('b')))).toBe('b0');
    expect(other.get(ks, b('z'))).toBeUndefined();
    other.rollback();
    t.rollback();
    const after = store.begin();
    expect(s(after.get(ks, b('a')))).toBe('a0');
    expect(after.get(ks, b('z'))).toBeUndefined();
    after.rollback();
  });

  it('rollback discards every write', async () => {
    const t = store.begin();
    for (let i = 0; i < 100; i++) t.put(ks, b(`k${i}`), b('x'));
    t.rollback();
    const r = store.begin();
    expect(r.scan(ks).toArray().length).toBe(2);
    r.rollback();
  });
});

describe('write-write conflicts', () => {
  it('a second writer of a row gets 40001 at its write (no wait)', async () => {
    const t1 = store.begin();
    const t2 = store.begin();
    t1.put(ks, b('a'), b('t1'));
    expect(codeOfSync(() => t2.put(ks, b('a'), b('t2')))).toBe('40001');
    await t1.commit();
    t2.rollback();
  });

  it('snapshot: writing a row committed by a later transaction fails with 40001 (first updater wins)', async () => {
    const t1 = store.begin({ isolation: 'snapshot' });
    const t2 = store.begin();
    t2.put(ks, b('a'), b('t2'));
    await t2.commit();
    expect(codeOfSync(() => t1.put(ks, b('a'), b('t1')))).toBe('40001');
    t1.rollback();
  });

  it('snapshot: a waiting writer fails when the blocker commits, proceeds when it aborts', async () => {
    const t1 = store.begin();
    t1.put(ks, b('a'), b('t1'));
    const t2 = store.begin();
    const p2 = codeOf(() => t2.putWait(ks, b('a'), b('t2')));
    await t1.commit();
    expect(await p2).toBe('40001');
    t2.rollback();

    const t3 = store.begin();
    t3.put(ks, b('b'), b('t3'));
    const t4 = store.begin();
    const p4 = t4.putWait(ks, b('b'), b('t4'));
    t3.rollback();
    await p4;
    await t4.commit();
    const r = store.begin();
    expect(s(r.get(ks, b('b')))).toBe('t4');
    r.rollback();
  });

  it('read committed: a waiting writer goes on top of the committed version', async () => {
    const t1 = store.begin({ isolation: 'read committed' });
    t1.put(ks, b('a'), b('t1'));
    const t2 = store.begin({ isolation: 'read committed' });
    const p2 = t2.putWait(ks, b('a'), b('t2'));
    await t1.commit();
    await p2;
    await t2.commit();
    const r = store.begin();
    expect(s(r.get(ks, b('a')))).toBe('t2');
    r.rollback();
  });

  it('no lost updates: concurrent read-modify-write increments with retries add up', async () => {
    const counter = await store.keyspace('counter');
    const init = store.begin();
    init.put(counter, b('n'), b('0'));
    await init.commit();
    const worker = async (times: number): Promise<void> => {
      for (let i = 0; i < times; i++) {
        for (;;) {
          const t = store.begin({ isolation: 'snapshot' });
          try {
            const n = Number(s(t.get(counter, b('n'))));
            await Promise.resolve(); // let others interleave
            await t.putWait(counter, b('n'), b(String(n + 1)));
            await t.commit();
            break;
          } catch (e) {
            t.rollback();
            if ((e as { code?: string }).code !== '40001') throw e;
          }
        }
      }
    };
    await Promise.all([worker(40), worker(40), worker(40), worker(40)]);
    const r = store.begin();
    expect(s(r.get(counter, b('n')))).toBe('160');
    r.rollback();
    expect(store.stats.conflicts).toBeGreaterThan(0);
  });

  it('insert of an existing key is a unique violation; over a deleted key it succeeds', async () => {
    const t = store.begin();
    expect(codeOfSync(() => t.insert(ks, b('a'), b('dup')))).toBe('23505');
    t.delete(ks, b('a'));
    t.insert(ks, b('a'), b('again'));
    await t.commit();
    const t2 = store.begin();
    t2.insert(ks, b('new'), b('1'));
    const t3 = store.begin();
    const p3 = codeOf(() => t3.insertWait(ks, b('new'), b('2')));
    await t2.commit();
    expect(await p3).toBe('23505');
    t3.rollback();
  });

  it('deadlocks are detected (40P01) and lock timeouts raise 55P03', async () => {
    const t1 = store.begin({ isolation: 'read committed' });
    const t2 = store.begin({ isolation: 'read committed' });
    t1.put(ks, b('a'), b('1'));
    t2.put(ks, b('b'), b('2'));
    const p1 = t1.putWait(ks, b('b'), b('1'));
    expect(await codeOf(() => t2.putWait(ks, b('a'), b('2')))).toBe('40P01');
    t2.rollback();
    await p1;
    const t3 = store.begin({ lockTimeoutMs: 30 });
    expect(await codeOf(() => t3.putWait(ks, b('a'), b('3')))).toBe('55P03');
    t3.rollback();
    await t1.commit();
    expect(store.stats.deadlocks).toBe(1);
  });

  it('a read-only transaction cannot write (25006)', () => {
    const t = store.begin({ readOnly: true });
    expect(codeOfSync(() => t.put(ks, b('a'), b('x')))).toBe('25006');
    t.rollback();
  });
});

describe('serializable', () => {
  it('prevents write skew that snapshot isolation allows', async () => {
    // Invariant: at least one of a, b stays "on".
    const setup = store.begin();
    setup.put(ks, b('a'), b('on'));
    setup.put(ks, b('b'), b('on'));
    await setup.commit();
    const run = async (isolation: 'snapshot' | 'serializable'): Promise<string[]> => {
      const t1 = store.begin({ isolation });
      const t2 = store.begin({ isolation });
      const bothOn = (t: typeof t1): boolean => s(t.get(ks, b('a'))) === 'on' && s(t.get(ks, b('b'))) === 'on';
      expect(bothOn(t1) && bothOn(t2)).toBe(true);
      t1.put(ks, b('a'), b('off'));
      t2.put(ks, b('b'), b('off'));
      const outcomes = [await codeOf(() => t1.commit()), await codeOf(() => t2.commit())];
      const r = store.begin();
      const state = [s(r.get(ks, b('a'))), s(r.get(ks, b('b')))];
      r.rollback();
      const reset = store.begin();
      reset.put(ks, b('a'), b('on'));
      reset.put(ks, b('b'), b('on'));
      await reset.commit();
      return [...outcomes.map((o) => o ?? 'ok'), ...(state as string[])];
    };
    expect(await run('snapshot')).toEqual(['ok', 'ok', 'off', 'off']); // the anomaly
    expect(await run('serializable')).toEqual(['ok', '40001', 'off', 'on']);
  });

  it('prevents phantoms: a range read then invalidated by an insert fails at commit', async () => {
    const t1 = store.begin({ isolation: 'serializable' });
    const count = t1.scan(ks, { lo: b('a'), hi: b('m') }).toArray().length;
    const t2 = store.begin({ isolation: 'serializable' });
    t2.put(ks, b('c'), b('phantom'));
    await t2.commit();
    t1.put(ks, b('summary'), b(String(count)));
    expect(await codeOf(() => t1.commit())).toBe('40001');
    // A write outside the range read does not conflict.
    const t3 = store.begin({ isolation: 'serializable' });
    t3.scan(ks, { lo: b('a'), hi: b('b') }).toArray();
    const t4 = store.begin();
    t4.put(ks, b('x'), b('elsewhere'));
    await t4.commit();
    t3.put(ks, b('summary'), b('1'));
    await t3.commit();
  });
});

describe('statement-level visibility', () => {
  it('a cursor does not see writes its transaction makes after it opened (no Halloween problem)', async () => {
    const t = store.begin();
    const c = t.scan(ks);
    const seen: string[] = [];
    while (c.next()) {
      const k = s(c.key.slice())!;
      seen.push(k);
      // Move every row forward in key order: an update that a cursor would meet again.
      t.put(ks, b(`z${k}`), c.value.slice());
    }
    expect(seen).toEqual(['a', 'b']);
    expect(t.scan(ks).toArray().map(([k]) => s(k))).toEqual(['a', 'b', 'za', 'zb']);
    t.rollback();
  });

  it('inside a statement, point reads do not see the statement\'s own writes', async () => {
    const t = store.begin();
    t.put(ks, b('a'), b('before'));
    t.beginStatement();
    t.put(ks, b('a'), b('during'));
    expect(s(t.get(ks, b('a')))).toBe('before');
    t.endStatement();
    expect(s(t.get(ks, b('a')))).toBe('during');
    t.rollback();
  });

  it('an open cursor keeps seeing its own transaction\'s rows across a memtable freeze', async () => {
    const t = store.begin();
    for (let i = 0; i < 50; i++) t.put(ks, b(`own${String(i).padStart(2, '0')}`), b('x'));
    const c = t.scan(ks, { lo: b('own') });
    expect(c.next()).toBe(true);
    await store.flush(); // freezes: the uncommitted rows move to the new memtable
    let n = 1;
    while (c.next()) n++;
    expect(n).toBe(50);
    expect(t.scan(ks, { lo: b('own') }).toArray().length).toBe(50);
    await t.commit();
  });
});

describe('savepoints', () => {
  it('rolling back to a savepoint undoes later writes only', async () => {
    const t = store.begin();
    t.put(ks, b('a'), b('a1'));
    const sp = t.savepoint();
    t.put(ks, b('a'), b('a2'));
    t.put(ks, b('n'), b('n1'));
    t.delete(ks, b('b'));
    expect(s(t.get(ks, b('a')))).toBe('a2');
    t.rollbackTo(sp);
    expect(s(t.get(ks, b('a')))).toBe('a1');
    expect(t.get(ks, b('n'))).toBeUndefined();
    expect(s(t.get(ks, b('b')))).toBe('b0');
    const sp2 = t.savepoint();
    t.put(ks, b('q'), b('q1'));
    t.rollbackTo(sp2);
    t.rollbackTo(sp2); // idempotent
    await t.commit();
    const r = store.begin();
    expect(r.scan(ks).toArray().map(([k, v]) => `${s(k)}=${s(v)}`)).toEqual(['a=a1', 'b=b0']);
    r.rollback();
  });

  it('rolling back every write makes the commit a no-op', async () => {
    const t = store.begin();
    const sp = t.savepoint();
    t.put(ks, b('a'), b('zz'));
    t.rollbackTo(sp);
    await t.commit();
    expect(store.stats.readOnlyCommits).toBeGreaterThan(0);
    const r = store.begin();
    expect(s(r.get(ks, b('a')))).toBe('a0');
    r.rollback();
  });

  it('a key rolled back to a savepoint no longer blocks other writers', async () => {
    const t = store.begin();
    const sp = t.savepoint();
    t.put(ks, b('a'), b('t'));
    t.rollbackTo(sp);
    const other = store.begin({ isolation: 'read committed' });
    other.put(ks, b('a'), b('other'));
    await other.commit();
    t.rollback();
  });
});
