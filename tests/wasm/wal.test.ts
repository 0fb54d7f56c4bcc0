// The WAL codec: commit records built by tx_commit_prepare, replayed by wal_apply.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Kernel, ST, LATEST, dec } from './harness.ts';
import { checksum } from '../../host/storage/checksum.ts';

/** Applies a record to a kernel; returns the status. */
function apply(k: Kernel, rec: Uint8Array, len = rec.length): number {
  const [p] = k.place(rec);
  return k.x.wal_apply(p!, len);
}

function sampleRecord(): { rec: Uint8Array; k: Kernel } {
  const k = Kernel.storage();
  const t = k.begin(1);
  k.put(t, 'alpha', 'one');
  k.put(t, 'beta', new Uint8Array(300).fill(9)); // a two-byte varint length
  k.del(t, 'gamma');
  k.put(t, '', 'empty key');
  k.put(t, 'alpha', 'two'); // the same key twice: the later write wins on replay
  const rec = k.commit(t, 77);
  return { rec, k };
}

describe('WAL codec', () => {
  it('replays a commit record into a fresh instance with the same data', () => {
    const { rec, k } = sampleRecord();
    const f = Kernel.storage();
    const t0 = f.begin(1);
    f.put(t0, 'gamma', 'to be deleted');
    f.commit(t0, 5);
    expect(apply(f, rec)).toBe(ST.OK);
    expect(f.rf64(0)).toBe(77);
    expect(f.r32(0)).toBe(5);
    for (const kv of [f, k]) {
      expect(kv.get('alpha', 77)).toBe('two');
      expect(kv.get('alpha', 76)).toBeNull();
      expect(kv.getRaw('beta')).toEqual(new Uint8Array(300).fill(9));
      expect(kv.get('gamma', 77)).toBeNull();
      expect(kv.get('')).toBe('empty key');
    }
    expect(f.get('gamma', 76)).toBe('to be deleted');
    expect(f.scanStrings({ snapshot: 77 }).map(([key]) => key)).toEqual(k.scanStrings({ snapshot: 77 }).map(([key]) => key));
    // Replayed versions are committed: they conflict like any other.
    const w = f.begin(70);
    expect(f.put(w, 'alpha', 'x', 0, 70, 1)).toBe(ST.CONFLICT_COMMITTED);
  });

  it('round-trips random transactions', () => {
    const entry = fc.tuple(fc.uint8Array({ minLength: 0, maxLength: 12 }), fc.option(fc.uint8Array({ maxLength: 200 }), { nil: null }));
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), fc.integer({ min: 1, max: 2 ** 50 }), (ops, stamp) => {
        const k = Kernel.storage();
        const t = k.begin(0);
        const model = new Map<string, Uint8Array | null>();
        for (const [key, val] of ops) {
          expect(val === null ? k.del(t, key) : k.put(t, key, val)).toBe(ST.OK);
          model.set(Array.from(key).join(','), val);
        }
        const rec = k.commit(t, stamp);
        const f = Kernel.storage();
        expect(apply(f, rec)).toBe(ST.OK);
        expect(f.r32(0)).toBe(ops.length);
        for (const [key] of ops) {
          const want = model.get(Array.from(key).join(','));
          const got = f.getRaw(key, stamp);
          if (want === null) expect(got).toBe(ST.NOT_FOUND);
          else expect(got).toEqual(want);
          expect(f.getRaw(key, stamp - 1)).toBe(ST.NOT_FOUND);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('rejects a record with any single flipped byte and applies nothing', () => {
    const { rec } = sampleRecord();
    const f = Kernel.storage();
    for (let i = 0; i < rec.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const bad = rec.slice();
        bad[i]! ^= mask;
        expect({ i, mask, st: apply(f, bad) }).toEqual({ i, mask, st: ST.ERR_CORRUPT });
      }
    }
    expect(f.scan({ snapshot: LATEST })).toEqual([]);
    expect(f.x.lsm_active_bytes()).toBe(0); // not even an arena chunk was taken
    expect(apply(f, rec)).toBe(ST.OK); // the intact record still applies
  });

  it('rejects truncated records and wrong lengths', () => {
    const { rec } = sampleRecord();
    const f = Kernel.storage();
    for (let n = 0; n < rec.length; n++) expect(apply(f, rec.subarray(0, n))).toBe(ST.ERR_CORRUPT);
    // The right bytes with a wrong length argument.
    expect(apply(f, rec, rec.length - 1)).toBe(ST.ERR_CORRUPT);
    const longer = new Uint8Array(rec.length + 5);
    longer.set(rec);
    expect(apply(f, longer)).toBe(ST.ERR_CORRUPT);
    expect(f.scan()).toEqual([]);
  });

  it('rejects a well-checksummed record whose ops do not add up', () => {
    const { rec } = sampleRecord();
    const f = Kernel.storage();
    const reseal = (r: Uint8Array): Uint8Array => {
      const dv = new DataView(r.buffer);
      dv.setUint32(0, r.length - 8, true);
      dv.setUint32(4, checksum(r.subarray(8)), true);
      return r;
    };
    expect(apply(f, reseal(rec.slice()))).toBe(ST.OK); // resealing alone changes nothing
    const g = Kernel.storage();
    // Op count one too many / one too few.
    const more = rec.slice();
    new DataView(more.buffer).setUint32(33, 6, true);
    expect(apply(g, reseal(more))).toBe(ST.ERR_CORRUPT);
    const fewer = rec.slice();
    new DataView(fewer.buffer).setUint32(33, 4, true);
    expect(apply(g, reseal(fewer))).toBe(ST.ERR_CORRUPT);
    // A bad op kind.
    const kind = rec.slice();
    kind[37] = 7;
    expect(apply(g, reseal(kind))).toBe(ST.ERR_CORRUPT);
    // Trailing bytes inside the payload.
    const trailing = new Uint8Array(rec.length + 3);
    trailing.set(rec);
    expect(apply(g, reseal(trailing))).toBe(ST.ERR_CORRUPT);
    // An unknown record type is a format error.
    const type = rec.slice();
    type[8] = 9;
    expect(apply(g, reseal(type))).toBe(ST.ERR_FORMAT);
    expect(g.scan()).toEqual([]);
  });

  it('does not log writes of rolled-back savepoints', () => {
    const k = Kernel.storage();
    const t = k.begin(1);
    k.put(t, 'kept', '1');
    const sp = k.x.tx_write_count(t);
    k.put(t, 'dropped', '2');
    k.put(t, 'kept', 'overwritten then rolled back');
    k.x.tx_rollback_to(t, sp);
    k.put(t, 'after', '3');
    const rec = k.commit(t, 9);
    expect(dec(rec)).not.toContain('dropped');
    expect(dec(rec)).not.toContain('rolled back');
    const f = Kernel.storage();
    expect(apply(f, rec)).toBe(ST.OK);
    expect(f.r32(0)).toBe(2);
    expect(f.scanStrings()).toEqual([['after', '3'], ['kept', '1']]);
  });

  it('an empty transaction builds a record with no ops', () => {
    const k = Kernel.storage();
    const t = k.begin(1);
    const [id] = k.place(new Uint8Array(16));
    expect(k.x.tx_commit_prepare(t, id!, 5)).toBe(ST.OK);
    expect(k.r32(2)).toBe(0);
    const rec = k.copyOut(k.r32(0), k.r32(1));
    expect(rec.length).toBe(8 + 29);
    k.x.tx_commit_finish(t);
    const f = Kernel.storage();
    expect(apply(f, rec)).toBe(ST.OK);
    expect(f.r32(0)).toBe(0);
  });
});
