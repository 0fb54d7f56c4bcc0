// Row locks that are not writes: the KEY SHARE lock a foreign-key check takes
// on the parent row it found, and the key lock a DELETE or key-changing
// UPDATE of a referenced row takes against them (PostgreSQL's FOR KEY SHARE
// against FOR UPDATE). Exclusive row locks are uncommitted versions in the
// store; these two live here, in memory, held until the transaction ends:
//
//   - share: any number of transactions at once; blocked by another live
//     transaction's key lock on the row (the parent is being deleted or its
//     key changed: wait for that transaction, then look again);
//   - key lock: one transaction; it waits for every other live sharer (each
//     may have written a row that references this one).
//
// Non-key UPDATEs of a parent take neither (FOR NO KEY UPDATE does not
// conflict with FOR KEY SHARE), so child inserts and parent updates of other
// columns never wait for each other. A lock is named by its key space and
// row key; entries go when their last live holder ends. Memory is bounded:
// past key_share_rows_max share locks in one key space, a transaction holds
// one share lock on the whole key space instead (a bulk load of child rows
// referencing a million parents keeps one entry, not a million), which every
// key lock in that key space then waits for.

import { binaryString } from '../../storage/wal_record.ts';
import type { Txn } from './txn.ts';
import type { Keyspace } from './store_core.ts';

interface Entry {
  /** The live transaction holding the key lock, if any. */
  writer: Txn | undefined;
  sharers: Txn[];
}

const live = (t: Txn): boolean => t.state === 'active' || t.state === 'committing';

/** Row share locks one transaction holds in one key space before it takes one on the whole key space. */
export const key_share_rows_max = 10_000;

export class KeyLocks {
  private readonly entries = new Map<string, Entry>();
  /** The lock names each transaction holds (released when it ends). */
  private readonly held = new Map<Txn, string[]>();

  /** Live entries (for tests and stats). */
  get size(): number {
    return this.entries.size;
  }

  /** Row share locks per transaction and key space (to know when to take the key-space lock instead). */
  private readonly counts = new Map<Txn, Map<number, number>>();

  static id(ks: Keyspace, key: Uint8Array): string {
    return `${ks.id}:${binaryString(key)}`;
  }

  /** The name of the lock on a whole key space. */
  private static whole(ksId: number): string {
    return `${ksId}:*`;
  }

  /** Takes a share lock on row `key` of `ks`, or returns the live transaction holding its key lock (wait for it, then look again). */
  share(txn: Txn, ks: Keyspace, key: Uint8Array): Txn | undefined {
    const whole = this.entries.get(KeyLocks.whole(ks.id));
    if (whole !== undefined && whole.sharers.includes(txn)) {
      // Already shares the whole key space: only a row's key lock can stop it.
      const e = this.entries.get(KeyLocks.id(ks, key));
      return e?.writer !== undefined && e.writer !== txn && live(e.writer) ? e.writer : undefined;
    }
    const id = KeyLocks.id(ks, key);
    const e = this.entry(id);
    if (e.writer !== undefined && e.writer !== txn) {
      if (live(e.writer)) return e.writer;
      e.writer = undefined;
    }
    if (e.sharers.includes(txn)) return undefined;
    let perKs = this.counts.get(txn);
    if (perKs === undefined) this.counts.set(txn, (perKs = new Map()));
    const n = (perKs.get(ks.id) ?? 0) + 1;
    if (n > key_share_rows_max) {
      // Too many rows: share the whole key space (the row entries it holds stay until it ends).
      if (e.writer === undefined && e.sharers.length === 0) this.entries.delete(id);
      this.addSharer(this.entry(KeyLocks.whole(ks.id)), txn, KeyLocks.whole(ks.id));
      return undefined;
    }
    perKs.set(ks.id, n);
    this.addSharer(e, txn, id);
    return undefined;
  }

  private addSharer(e: Entry, txn: Txn, id: string): void {
    if (e.sharers.includes(txn)) return;
    e.sharers.push(txn);
    this.hold(txn, id);
  }

  /**
   * Takes the key lock (at once, so no new sharer gets in), then returns a
   * live sharer other than `txn` to wait for, or undefined when none is left;
   * or another live transaction's key lock.
   */
  lockKey(txn: Txn, ks: Keyspace, key: Uint8Array): Txn | undefined {
    const id = KeyLocks.id(ks, key);
    const e = this.entry(id);
    if (e.writer !== undefined && e.writer !== txn && live(e.writer)) return e.writer;
    if (e.writer !== txn) {
      e.writer = txn;
      this.hold(txn, id);
    }
    e.sharers = e.sharers.filter(live);
    const sharer = e.sharers.find((t) => t !== txn);
    if (sharer !== undefined) return sharer;
    const whole = this.entries.get(KeyLocks.whole(ks.id));
    if (whole === undefined) return undefined;
    whole.sharers = whole.sharers.filter(live);
    return whole.sharers.find((t) => t !== txn);
  }

  /** The transaction ended: its locks go. */
  release(txn: Txn): void {
    const ids = this.held.get(txn);
    if (ids === undefined) return;
    this.held.delete(txn);
    this.counts.delete(txn);
    for (const id of ids) {
      const e = this.entries.get(id);
      if (e === undefined) continue;
      if (e.writer === txn) e.writer = undefined;
      const i = e.sharers.indexOf(txn);
      if (i >= 0) e.sharers.splice(i, 1);
      if (e.writer === undefined && e.sharers.length === 0) this.entries.delete(id);
    }
  }

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (e === undefined) this.entries.set(id, (e = { writer: undefined, sharers: [] }));
    return e;
  }

  private hold(txn: Txn, id: string): void {
    const ids = this.held.get(txn);
    if (ids === undefined) this.held.set(txn, [id]);
    else ids.push(id);
  }
}
