// TIP and visibility (mvcc.wasm, and the same exports inside storage.wasm).

import { describe, expect, it } from 'vitest';
import { Kernel, ST, VF } from './harness.ts';
import { TX_ACTIVE, TX_FREE, TX_LIMBO } from '../../host/storage/kernel.ts';

const modules: Array<[string, () => Kernel]> = [
  ['mvcc.wasm', Kernel.mvcc],
  ['storage.wasm', Kernel.storage],
];

describe.each(modules)('TIP in %s', (_name, make) => {
  it('moves transactions through their states and reuses released slots', () => {
    const k = make();
    expect(k.x.tx_live_count()).toBe(0);
    expect(k.x.tx_state(0)).toBe(TX_FREE); // slot 0 means "no transaction"
    const a = k.begin(10, 10);
    const b = k.begin(11, 11);
    const c = k.begin(12, 12);
    expect(new Set([a, b, c]).size).toBe(3);
    expect([a, b, c].every((s) => s >= 1)).toBe(true);
    expect(k.x.tx_live_count()).toBe(3);
    for (const s of [a, b, c]) expect(k.x.tx_state(s)).toBe(TX_ACTIVE);

    k.x.tx_mark_pending(a, 20);
    expect(k.x.tx_flags(a)).toBe(1); // TF_PENDING
    expect(k.x.tx_state(a)).toBe(TX_ACTIVE); // not committed until durable
    k.x.tx_commit_finish(a);
    expect(k.x.tx_state(a)).toBe(TX_FREE); // released: its versions carry the outcome
    expect(k.x.tx_flags(a)).toBe(0);
    k.x.tx_abort(b);
    expect(k.x.tx_state(b)).toBe(TX_FREE);
    expect(k.x.tx_live_count()).toBe(1);

    k.x.tx_mark_limbo(c);
    expect(k.x.tx_state(c)).toBe(TX_LIMBO);

    // Released slots come back (most recently released first), fresh.
    const d = k.begin(30);
    const e = k.begin(31);
    expect(new Set([d, e])).toEqual(new Set([a, b]));
    expect(k.x.tx_state(d)).toBe(TX_ACTIVE);
    expect(k.x.tx_flags(d)).toBe(0);
    expect(k.x.tx_write_count(d)).toBe(0);
    expect(k.x.tx_live_count()).toBe(3);
  });

  it('grows past its initial slot table and keeps every slot distinct', () => {
    const k = make();
    const slots = Array.from({ length: 300 }, (_, i) => k.begin(i + 1));
    expect(new Set(slots).size).toBe(300);
    expect(k.x.tx_live_count()).toBe(300);
    expect(k.x.tx_oldest_begin()).toBe(1);
    for (const s of slots) k.x.tx_abort(s);
    expect(k.x.tx_live_count()).toBe(0);
    // Reuse: no new slot numbers beyond the ones handed out.
    const again = Array.from({ length: 300 }, (_, i) => k.begin(i + 1000));
    expect(new Set(again)).toEqual(new Set(slots));
  });

  it('tracks OST and OAT from live transactions only', () => {
    const k = make();
    expect(k.x.tx_oldest_snapshot()).toBe(-1);
    expect(k.x.tx_oldest_begin()).toBe(-1);
    const a = k.begin(100, 100);
    const b = k.begin(105, 104);
    const c = k.begin(110, 90); // an old snapshot (e.g. AS OF)
    expect(k.x.tx_oldest_begin()).toBe(100);
    expect(k.x.tx_oldest_snapshot()).toBe(90);
    k.x.tx_abort(c);
    expect(k.x.tx_oldest_snapshot()).toBe(100);
    k.x.tx_set_snapshot(a, 120); // READ COMMITTED: a new statement snapshot
    expect(k.x.tx_oldest_snapshot()).toBe(104);
    expect(k.x.tx_oldest_begin()).toBe(100); // the begin stamp does not move
    k.x.tx_mark_pending(a, 130);
    k.x.tx_commit_finish(a);
    expect(k.x.tx_oldest_begin()).toBe(105);
    expect(k.x.tx_oldest_snapshot()).toBe(104);
    k.x.tx_commit_finish(b);
    expect(k.x.tx_oldest_snapshot()).toBe(-1);
    expect(k.x.tx_oldest_begin()).toBe(-1);
  });

  it('keeps stamps above 2^32 exact', () => {
    const k = make();
    const big = 2 ** 52 + 12345;
    const a = k.begin(big, big - 7);
    expect(k.x.tx_oldest_snapshot()).toBe(big - 7);
    expect(k.x.tx_oldest_begin()).toBe(big);
    const v = k.x.test_make_version(0, 0, a);
    expect(k.x.test_record_write(a, v)).toBe(0);
    k.x.tx_mark_pending(a, big + 1);
    k.x.tx_commit_finish(a);
    expect(k.x.test_version_stamp(v)).toBe(big + 1);
    expect(k.x.is_visible(v, 0, big)).toBe(0);
    expect(k.x.is_visible(v, 0, big + 1)).toBe(1);
  });

  it('finishing or aborting a released slot twice does not corrupt the TIP', () => {
    const k = make();
    const a = k.begin(1);
    const b = k.begin(2);
    k.x.tx_abort(a);
    k.x.tx_abort(a); // a host bug or a retried call: must not free the slot twice
    k.x.tx_commit_finish(a);
    k.x.tx_commit_finish(0);
    k.x.tx_abort(12345);
    expect(k.x.tx_live_count()).toBe(1);
    const c = k.begin(3);
    const d = k.begin(4);
    expect(new Set([b, c, d]).size).toBe(3); // no slot handed out twice
    expect(k.x.tx_live_count()).toBe(3);
    expect(k.x.tx_oldest_begin()).toBe(2);
  });
});

describe.each(modules)('visibility in %s', (_name, make) => {
  it('follows the truth table of decision 1', () => {
    const k = make();
    const me = k.begin(50);
    const other = k.begin(51);
    const committed = k.x.test_make_version(VF.COMMITTED, 40, 0);
    const tombstone = k.x.test_make_version(VF.COMMITTED | VF.TOMBSTONE, 40, 0);
    const aborted = k.x.test_make_version(VF.ABORTED, 0, me);
    const moved = k.x.test_make_version(VF.MOVED, 0, me);
    const mine = k.x.test_make_version(0, 0, me);
    const theirs = k.x.test_make_version(0, 0, other);
    const cases: Array<[number, number, number, number]> = [
      // version, reader slot, snapshot, visible
      [committed, 0, 39, 0],
      [committed, 0, 40, 1], // committed at the snapshot: visible
      [committed, 0, 41, 1],
      [committed, me, 39, 0], // being a transaction does not help
      [committed, other, 1e12, 1],
      [tombstone, 0, 40, 1], // visibility is the same; the reader treats it as "deleted"
      [aborted, me, 1e12, 0],
      [aborted, 0, 1e12, 0],
      [moved, me, 1e12, 0], // a carried-over copy lives elsewhere
      [mine, me, 0, 1], // own uncommitted write, whatever the snapshot
      [mine, other, 1e12, 0], // another transaction's uncommitted write
      [mine, 0, 1e12, 0], // slot 0 (a plain reader) never sees uncommitted versions
      [theirs, me, 1e12, 0],
      [theirs, other, 1, 1],
    ];
    for (const [v, slot, snap, want] of cases) {
      expect({ v, slot, snap, visible: k.x.is_visible(v, slot, snap) }).toEqual({ v, slot, snap, visible: want });
    }
  });

  it('commit stamps the written versions; abort and rollback-to-savepoint mark them aborted', () => {
    const k = make();
    const t = k.begin(10);
    const v1 = k.x.test_make_version(0, 0, t);
    const v2 = k.x.test_make_version(0, 0, t);
    const v3 = k.x.test_make_version(0, 0, t);
    const v4 = k.x.test_make_version(0, 0, t);
    expect(k.x.test_record_write(t, v1)).toBe(0);
    expect(k.x.test_record_write(t, v2)).toBe(0);
    const savepoint = k.x.tx_write_count(t);
    expect(savepoint).toBe(2);
    expect(k.x.test_record_write(t, v3)).toBe(0);
    expect(k.x.test_record_write(t, v4)).toBe(0);
    expect(k.x.tx_write_count(t)).toBe(4);
    k.x.tx_rollback_to(t, savepoint);
    expect(k.x.tx_write_count(t)).toBe(2);
    expect(k.x.test_version_flags(v3)).toBe(VF.ABORTED);
    expect(k.x.test_version_flags(v4)).toBe(VF.ABORTED);
    expect(k.x.test_version_flags(v1)).toBe(0);
    expect(k.x.is_visible(v3, t, 1e12)).toBe(0);
    expect(k.x.is_visible(v1, t, 1e12)).toBe(1);
    // Writes after the savepoint rollback are tracked again.
    const v5 = k.x.test_make_version(0, 0, t);
    expect(k.x.test_record_write(t, v5)).toBe(0);
    k.x.tx_mark_pending(t, 77);
    k.x.tx_commit_finish(t);
    for (const v of [v1, v2, v5]) {
      expect(k.x.test_version_flags(v)).toBe(VF.COMMITTED);
      expect(k.x.test_version_stamp(v)).toBe(77);
      expect(k.x.is_visible(v, 0, 76)).toBe(0);
      expect(k.x.is_visible(v, 0, 77)).toBe(1);
    }
    for (const v of [v3, v4]) {
      expect(k.x.test_version_flags(v)).toBe(VF.ABORTED); // never stamped
      expect(k.x.is_visible(v, 0, 1e12)).toBe(0);
    }

    const u = k.begin(80);
    const w1 = k.x.test_make_version(0, 0, u);
    const w2 = k.x.test_make_version(0, 0, u);
    k.x.test_record_write(u, w1);
    k.x.test_record_write(u, w2);
    k.x.tx_abort(u);
    expect(k.x.test_version_flags(w1)).toBe(VF.ABORTED);
    expect(k.x.test_version_flags(w2)).toBe(VF.ABORTED);
    expect(k.x.is_visible(w1, u, 1e12)).toBe(0);
  });

  it('a reused slot does not make the previous owner\'s versions visible', () => {
    const k = make();
    const t = k.begin(1);
    const v = k.x.test_make_version(0, 0, t);
    k.x.test_record_write(t, v);
    k.x.tx_abort(t);
    const t2 = k.begin(2);
    expect(t2).toBe(t);
    expect(k.x.is_visible(v, t2, 1e12)).toBe(0);
  });

});

describe('TIP and the memtable together', () => {
  it('rolls back to a savepoint through kv_put versions', () => {
    const k = Kernel.storage();
    const t = k.begin(1);
    expect(k.put(t, 'a', '1')).toBe(ST.OK);
    const sp = k.x.tx_write_count(t);
    expect(k.put(t, 'a', '2')).toBe(ST.OK);
    expect(k.put(t, 'b', '3')).toBe(ST.OK);
    expect(k.get('a', 0, t)).toBe('2');
    k.x.tx_rollback_to(t, sp);
    expect(k.get('a', 0, t)).toBe('1');
    expect(k.get('b', 0, t)).toBeNull();
    k.commit(t, 5);
    expect(k.get('a', 5)).toBe('1');
    expect(k.get('b', 5)).toBeNull();
  });
});
