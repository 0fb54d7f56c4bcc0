// Row locks that are not writes. Exclusive row locks (UPDATE, DELETE, SELECT
// FOR UPDATE / NO KEY UPDATE) are uncommitted versions in the store; the
// shared ones live here, in memory, held until the transaction ends:
//
//   - KEY SHARE: a foreign-key check's lock on the parent row it found, and
//     SELECT ... FOR KEY SHARE; it conflicts with a DELETE or a change of
//     the row's key (PostgreSQL's FOR UPDATE), not with other updates;
//   - SHARE: SELECT ... FOR SHARE (and MySQL's LOCK IN SHARE MODE); it also
//     conflicts with every other UPDATE (FOR NO KEY UPDATE);
//   - the key lock: a DELETE or key change of a row that foreign keys
//     reference, registered so that a foreign-key check, which writes
//     nothing, sees it and waits (SELECT FOR SHARE / KEY SHARE see any
//     uncommitted write in the store instead: ops_scan.ts lockRows).
//
// Any number of transactions share a row at once; a writer waits for the
// sharers its change conflicts with (sharerBlocking), a sharer for a live
// key lock. So child inserts and parent updates of other columns never wait
// for each other. A lock is named by its key space and
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
  /** KEY SHARE holders. */
  sharers: Txn[];
  /** SHARE holders. */
  strong: Txn[];
}

/** A shared row lock's mode. */
export type ShareMode = 'keyshare' | 'share';

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
  share(txn: Txn, ks: Keyspace, key: Uint8Array, mode: ShareMode = 'keyshare'): Txn | undefined {
    const whole = this.entries.get(KeyLocks.whole(ks.id));
    if (whole !== undefined && (mode === 'share' ? whole.strong : whole.sharers).includes(txn)) {
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
    const list = (x: Entry): Txn[] => (mode === 'share' ? x.strong : x.sharers);
    if (list(e).includes(txn)) return undefined;
    let perKs = this.counts.get(txn);
    if (perKs === undefined) this.counts.set(txn, (perKs = new Map()));
    const n = (perKs.get(ks.id) ?? 0) + 1;
    if (n > key_share_rows_max) {
      // Too many rows: share the whole key space (the row entries it holds stay until it ends).
      if (e.writer === undefined && e.sharers.length === 0 && e.strong.length === 0) this.entries.delete(id);
      const w = this.entry(KeyLocks.whole(ks.id));
      if (!list(w).includes(txn)) {
        list(w).push(txn);
        this.hold(txn, KeyLocks.whole(ks.id));
      }
      return undefined;
    }
    perKs.set(ks.id, n);
    list(e).push(txn);
    this.hold(txn, id);
    return undefined;
  }

  /**
   * A live sharer of row `key` (or of all of `ks`) other than `txn` whose
   * lock the writer's change conflicts with: any sharer for a delete or a key
   * change (`keyChange`), a SHARE holder for any other update. Undefined:
   * nothing to wait for. Takes no lock.
   */
  sharerBlocking(txn: Txn, ks: Keyspace, key: Uint8Array, keyChange: boolean): Txn | undefined {
    if (this.entries.size === 0) return undefined;
    for (const id of [KeyLocks.id(ks, key), KeyLocks.whole(ks.id)]) {
      const e = this.entries.get(id);
      if (e === undefined) continue;
      const t = e.strong.find((x) => x !== txn && live(x)) ?? (keyChange ? e.sharers.find((x) => x !== txn && live(x)) : undefined);
      if (t !== undefined) return t;
    }
    return undefined;
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
    return this.sharerBlocking(txn, ks, key, true);
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
      const j = e.strong.indexOf(txn);
      if (j >= 0) e.strong.splice(j, 1);
      if (e.writer === undefined && e.sharers.length === 0 && e.strong.length === 0) this.entries.delete(id);
    }
  }

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (e === undefined) this.entries.set(id, (e = { writer: undefined, sharers: [], strong: [] }));
    return e;
  }

  private hold(txn: Txn, id: string): void {
    const ids = this.held.get(txn);
    if (ids === undefined) this.held.set(txn, [id]);
    else ids.push(id);
  }
}
