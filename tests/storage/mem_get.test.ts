// The host's memtable probe (StorageKernel.memGet, TypeScript over the
// kernel's memory) against the kernel's own kv_get: same version found for
// every key, snapshot, reader slot and sequence limit, across frozen
// memtables, aborted and moved versions, tombstones and own writes.
import { describe, expect, it } from 'vitest';
import { MEM_DELETED, MEM_MISS, OP_DELETE, OP_PUT, ST, StorageKernel } from '../../host/storage/kernel.ts';
import { node } from './helpers.ts';
import { rng } from '../wasm/harness.ts';

describe('memGet (host memtable probe) agrees with kv_get', () => {
  it('over random transactions, freezes and readers', async () => {
    const k = await StorageKernel.load(node);
    const x = k.x;
    const rand = rng(20261123);
    const prefixes = [new Uint8Array([0, 0, 0, 1]), new Uint8Array([0, 0, 1, 0]), new Uint8Array([9, 8, 7, 6])];
    // Key lengths 0..13 cover every hash tail length and word count.
    const keys: Uint8Array[] = [];
    for (let i = 0; i < 60; i++) {
      const key = new Uint8Array(Math.floor(rand() * 14));
      for (let j = 0; j < key.length; j++) key[j] = Math.floor(rand() * 4); // few distinct bytes: shared prefixes
      keys.push(key);
    }
    const place = (prefix: Uint8Array, key: Uint8Array, val?: Uint8Array): number => {
      const p = k.ioBuffer(4 + key.length + (val ? val.length : 0));
      const u8 = k.u8();
      u8.set(prefix, p);
      u8.set(key, p + 4);
      if (val) u8.set(val, p + 4 + key.length);
      return p;
    };
    let stamp = 10;
    const live: number[] = [];
    let checks = 0, found = 0, deleted = 0;
    const probe = (): void => {
      // Readers: committed snapshots old and new, and each live writer (own writes, with and without a sequence limit).
      const readers: Array<[number, number, number]> = [[stamp, 0, 0], [Math.max(1, stamp - 7), 0, 0]];
      for (const s of live) readers.push([stamp, s, 0], [stamp, s, Math.max(1, x.lsm_seq() - 5)]);
      for (const prefix of prefixes) {
        for (const key of keys) {
          for (const [snap, slot, seqLimit] of readers) {
            const m = k.memGet(prefix, key, snap, slot, seqLimit || Infinity);
            const mv = m >= 0 ? k.u8().slice(m, m + k.memValueLen) : undefined;
            const p = place(prefix, key);
            const st = x.kv_get(p, 4 + key.length, snap, slot, seqLimit);
            checks++;
            if (st === ST.OK) {
              found++;
              expect(mv).toEqual(k.u8().slice(k.resultU32(0), k.resultU32(0) + k.resultU32(1)));
            } else {
              expect(st).toBe(ST.NOT_FOUND);
              expect(m === MEM_MISS || m === MEM_DELETED).toBe(true);
              if (m === MEM_DELETED) deleted++;
            }
          }
        }
      }
    };
    for (let round = 0; round < 40; round++) {
      const slot = x.tx_begin(++stamp, stamp - 1);
      live.push(slot);
      const writes = 1 + Math.floor(rand() * 30);
      for (let w = 0; w < writes; w++) {
        const prefix = prefixes[Math.floor(rand() * prefixes.length)]!;
        const key = keys[Math.floor(rand() * keys.length)]!;
        const del = rand() < 0.2;
        const val = new Uint8Array(Math.floor(rand() * 20)).map(() => Math.floor(rand() * 256));
        const p = place(prefix, key, val);
        // Conflicts with other live writers are expected and skipped.
        x.kv_put(p, 4 + key.length, p + 4 + key.length, val.length, del ? OP_DELETE : OP_PUT, slot, stamp - 1, 0);
      }
      if (rand() < 0.3 && x.lsm_frozen_count() < 3) k.check(x.lsm_freeze(), 'freeze'); // carries live versions over (moved copies)
      probe();
      // Settle the oldest live writers: commit most, abort some.
      while (live.length > 2) {
        const s = live.shift()!;
        if (rand() < 0.25) x.tx_abort(s);
        else {
          const id = k.ioBuffer(16);
          k.u8().fill(s, id, id + 16);
          k.check(x.tx_commit_prepare(s, id, ++stamp), 'prepare');
          x.tx_commit_finish(s);
        }
      }
    }
    probe();
    expect(checks).toBeGreaterThan(10_000);
    expect(found).toBeGreaterThan(500);
    expect(deleted).toBeGreaterThan(10);
  });

  it('sees a memory growth (views refreshed) and a fresh kernel with no keys', async () => {
    const k = await StorageKernel.load(node);
    const prefix = new Uint8Array([1, 2, 3, 4]);
    expect(k.memGet(prefix, new Uint8Array([1]), 5, 0, Infinity)).toBe(MEM_MISS);
    const slot = k.x.tx_begin(2, 1);
    const big = new Uint8Array(1 << 20).fill(7);
    for (let i = 0; i < 80; i++) {
      const key = new Uint8Array([i, i + 1, i + 2]);
      const p = k.ioBuffer(4 + 3 + big.length);
      const u8 = k.u8();
      u8.set(prefix, p);
      u8.set(key, p + 4);
      u8.set(big, p + 7);
      k.check(k.x.kv_put(p, 7, p + 7, big.length, OP_PUT, slot, 1, 0), 'put');
    }
    for (let i = 0; i < 80; i++) {
      const m = k.memGet(prefix, new Uint8Array([i, i + 1, i + 2]), 1, slot, Infinity);
      expect(m).toBeGreaterThan(0);
      expect(k.memValueLen).toBe(big.length);
      expect(k.u8()[m + big.length - 1]).toBe(7);
      expect(k.memGet(prefix, new Uint8Array([i, i + 1, i + 2]), 1, 0, Infinity)).toBe(MEM_MISS); // uncommitted: not for others
    }
  });
});
