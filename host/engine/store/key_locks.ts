// Row locks that are not writes. Exclusive row locks (UPDATE, DELETE, SELECT
// FOR UPDATE / NO KEY UPDATE) are uncommitted versions in the store; the
// shared ones live here, in memory, held until the transaction ends:
//
//   - KEY SHARE: a foreign-key check's lock on the parent row it found, and
//     SELECT ... FOR KEY SHARE; it conflicts with a DELETE or a change of
//     the row's key (PostgreSQL's FOR UPDATE), not with other updates;
//   - SHARE: SELECT ... FOR SHARE (and MySQL's LOCK IN SHARE MODE); it also
//     conflicts with every other UPDATE (FOR NO KEY UPDATE);
//   - the key lock: taken by a DELETE, a key change and SELECT ... FOR
//     UPDATE on the row they have written, so that a KEY SHARE taker, which
//     writes nothing, sees it and waits (and tells it from an UPDATE of other
//     columns, which it does not wait for).
//
// Any number of transactions share a row at once; a writer waits for the
// sharers its change conflicts with (sharerBlocking), a sharer for a live
// key lock. So child inserts and parent updates of other columns never wait
// for each other. A lock is named by its key space and
// row key; entries go when their last live holder ends. Memory is bounded:
// past key_share_rows_max locks of one kind in one key space, a transaction
// holds one lock of that kind on the whole key space instead (a bulk load of
// child rows referencing a million parents keeps 10,000 entries and one more,
// not a million; so does a million-row DELETE), which conflicts as each row's
// would.

import { binaryString } from '../../storage/wal_record.ts';
import type { Txn } from './txn.ts';
import type { Keyspace } from './store_core.ts';
import { TableLocks } from './table_locks.ts';

interface Entry {
  /** Key lock holders (a row has at most one live: the store serializes writers; a whole key space may have several). */
  writers: Txn[];
  /** KEY SHARE holders. */
  sharers: Txn[];
  /** SHARE holders. */
  strong: Txn[];
}

/** A transaction's row locks at a subtransaction's start (KeyLocks.mark). */
export interface KeyLocksMark {
  /** How many locks it had taken. */
  held: number;
  /** Per key space of its per-transaction key locks: how many rows (-1: the whole key space). */
  quiet: Map<number, number> | undefined;
}

/** A shared row lock's mode. */
export type ShareMode = 'keyshare' | 'share';

const live = (t: Txn): boolean => t.state === 'active' || t.state === 'committing';

/**
 * Row locks of one kind (shared, or key locks) one transaction holds in one
 * key space before it takes one lock of that kind on the whole key space.
 */
export const key_share_rows_max = 10_000;

/** Key locks on a key space no foreign key references, per transaction: the row keys (their names made only when asked). */
interface QuietKeys {
  keys: Uint8Array[];
  /** Past key_share_rows_max rows: the whole key space. */
  all: boolean;
  names?: Set<string>;
  /** keys.length when `names` was made. */
  named?: number;
}

export class KeyLocks {
  private readonly entries = new Map<string, Entry>();
  /**
   * Key locks on key spaces that no foreign key references, which only a
   * SELECT ... FOR KEY SHARE asks about, and then about a transaction it met
   * in the store: kept per transaction, without a name per row.
   */
  private readonly quiet = new Map<Txn, Map<number, QuietKeys>>();
  /** Shared locks held (row and whole key space): none means no writer has anything to wait for. */
  private shareHolds = 0;
  /** Table locks (PostgreSQL's eight modes; store/table_locks.ts). */
  readonly tables: TableLocks;

  /** `liveTxns`: every live transaction (the table locks find weak holders among them). */
  constructor(liveTxns: () => Iterable<Txn>) {
    this.tables = new TableLocks(liveTxns);
  }
  /** The locks each transaction holds, in the order taken: kind ('w' key lock, 'k' KEY SHARE, 's' SHARE) then name (released when it ends). */
  private readonly held = new Map<Txn, string[]>();
  /** Row locks per transaction, key space and kind (to know when to lock the whole key space instead). */
  private readonly counts = new Map<Txn, Map<string, number>>();

  /** Live entries, and transactions with key locks kept per transaction (for tests and stats). */
  get size(): number {
    return this.entries.size + this.quiet.size + this.tables.size;
  }

  private static id(ks: Keyspace, key: Uint8Array): string {
    return `${ks.id}:${binaryString(key)}`;
  }

  /** The name of the lock on a whole key space. */
  private static whole(ksId: number): string {
    return `${ksId}:*`;
  }

  /** A live key lock holder of the row (or of its whole key space) other than `txn`. */
  private keyHolder(txn: Txn, ks: Keyspace, key: Uint8Array): Txn | undefined {
    for (const id of [KeyLocks.id(ks, key), KeyLocks.whole(ks.id)]) {
      const t = this.entries.get(id)?.writers.find((x) => x !== txn && live(x));
      if (t !== undefined) return t;
    }
    return undefined;
  }

  /** True when `holder` holds the key lock of the row or of its whole key space. */
  keyLockedBy(holder: Txn, ks: Keyspace, key: Uint8Array): boolean {
    if (this.entries.size > 0 && [KeyLocks.id(ks, key), KeyLocks.whole(ks.id)].some((id) => this.entries.get(id)?.writers.includes(holder) === true)) return true;
    const q = this.quiet.get(holder)?.get(ks.id);
    if (q === undefined) return false;
    if (q.all) return true;
    if (q.names === undefined || q.named !== q.keys.length) {
      q.names = new Set(q.keys.map(binaryString));
      q.named = q.keys.length;
    }
    return q.names.has(binaryString(key));
  }

  /** Takes a share lock on row `key` of `ks`, or returns the live transaction holding its key lock (wait for it, then look again). */
  share(txn: Txn, ks: Keyspace, key: Uint8Array, mode: ShareMode = 'keyshare'): Txn | undefined {
    const blocker = this.keyHolder(txn, ks, key);
    if (blocker !== undefined) return blocker;
    const list = (x: Entry): Txn[] => (mode === 'share' ? x.strong : x.sharers);
    this.take(txn, ks, key, mode === 'share' ? 's' : 'k', list);
    return undefined;
  }

  /**
   * A live sharer of row `key` (or of all of `ks`) other than `txn` whose
   * lock the writer's change conflicts with: any sharer for a delete or a key
   * change (`keyChange`), a SHARE holder for any other update. Undefined:
   * nothing to wait for. Takes no lock.
   */
  sharerBlocking(txn: Txn, ks: Keyspace, key: Uint8Array, keyChange: boolean): Txn | undefined {
    if (this.shareHolds === 0) return undefined;
    for (const id of [KeyLocks.id(ks, key), KeyLocks.whole(ks.id)]) {
      const e = this.entries.get(id);
      if (e === undefined) continue;
      const t = e.strong.find((x) => x !== txn && live(x)) ?? (keyChange ? e.sharers.find((x) => x !== txn && live(x)) : undefined);
      if (t !== undefined) return t;
    }
    return undefined;
  }

  /**
   * The key lock of a row the transaction deletes, re-keys or locks FOR
   * UPDATE, after writing it: taken at once (no new sharer gets in), then a
   * live sharer other than `txn` is returned to wait for, or undefined when
   * none is left. `referenced`: a foreign key references the key space, so
   * its checks (which write nothing) must find the lock by the row's name;
   * else only a FOR KEY SHARE that met this transaction in the store asks,
   * and the lock is kept per transaction, cheaply.
   */
  lockKey(txn: Txn, ks: Keyspace, key: Uint8Array, referenced = true): Txn | undefined {
    if (referenced) {
      if (!this.keyLockedBy(txn, ks, key)) this.take(txn, ks, key, 'w', (x) => x.writers);
    } else {
      let perKs = this.quiet.get(txn);
      if (perKs === undefined) this.quiet.set(txn, (perKs = new Map()));
      let q = perKs.get(ks.id);
      if (q === undefined) perKs.set(ks.id, (q = { keys: [], all: false }));
      if (!q.all) {
        if (q.keys.length >= key_share_rows_max) {
          q.all = true;
          q.keys = [];
          q.names = undefined;
        } else {
          q.keys.push(key.slice());
        }
      }
    }
    return this.sharerBlocking(txn, ks, key, true);
  }

  /** Adds `txn` to the row's list (or, past key_share_rows_max rows of this kind, the whole key space's). */
  private take(txn: Txn, ks: Keyspace, key: Uint8Array, kind: string, list: (e: Entry) => Txn[]): void {
    const wholeId = KeyLocks.whole(ks.id);
    const whole = this.entries.get(wholeId);
    if (whole !== undefined && list(whole).includes(txn)) return; // holds it for the whole key space
    const id = KeyLocks.id(ks, key);
    const e = this.entry(id);
    if (list(e).includes(txn)) return;
    let perKs = this.counts.get(txn);
    if (perKs === undefined) this.counts.set(txn, (perKs = new Map()));
    const n = (perKs.get(ks.id + kind) ?? 0) + 1;
    if (n > key_share_rows_max) {
      // Too many rows: lock the whole key space (the row entries it holds stay until it ends).
      if (e.writers.length === 0 && e.sharers.length === 0 && e.strong.length === 0) this.entries.delete(id);
      list(this.entry(wholeId)).push(txn);
      this.hold(txn, kind + wholeId);
      if (kind !== 'w') this.shareHolds++;
      return;
    }
    perKs.set(ks.id + kind, n);
    list(e).push(txn);
    this.hold(txn, kind + id);
    if (kind !== 'w') this.shareHolds++;
  }

  /** The transaction ended: its locks go. */
  release(txn: Txn): void {
    this.quiet.delete(txn);
    this.tables.release(txn);
    const ids = this.held.get(txn);
    if (ids === undefined) return;
    this.held.delete(txn);
    this.counts.delete(txn);
    for (const h of ids) this.drop(txn, h);
  }

  /** Gives back one lock taken by hold(): `h` is its kind and name. */
  private drop(txn: Txn, h: string): void {
    const id = h.slice(1);
    const e = this.entries.get(id);
    if (e === undefined) return;
    const list = h[0] === 'w' ? e.writers : h[0] === 'k' ? e.sharers : e.strong;
    const i = list.indexOf(txn);
    if (i >= 0) {
      list.splice(i, 1);
      if (list !== e.writers) this.shareHolds--;
    }
    if (e.writers.length === 0 && e.sharers.length === 0 && e.strong.length === 0) this.entries.delete(id);
  }

  /** What `txn` holds now, for releaseSince() (a subtransaction's start). */
  mark(txn: Txn): KeyLocksMark {
    const quiet = this.quiet.get(txn);
    return {
      held: this.held.get(txn)?.length ?? 0,
      quiet: quiet === undefined ? undefined : new Map([...quiet].map(([ks, q]) => [ks, q.all ? -1 : q.keys.length])),
    };
  }

  /** Gives back the row locks `txn` took after mark() (ROLLBACK TO SAVEPOINT). */
  releaseSince(txn: Txn, m: KeyLocksMark): void {
    const ids = this.held.get(txn);
    if (ids !== undefined && ids.length > m.held) {
      const counts = this.counts.get(txn);
      for (const h of ids.splice(m.held)) {
        this.drop(txn, h);
        const ks = h.slice(1, h.indexOf(':'));
        const n = counts?.get(ks + h[0]);
        if (n !== undefined && !h.endsWith(':*')) counts!.set(ks + h[0], n - 1);
      }
    }
    const quiet = this.quiet.get(txn);
    if (quiet === undefined) return;
    for (const [ks, q] of quiet) {
      const had = m.quiet?.get(ks);
      if (had === undefined) quiet.delete(ks);
      // (A key space that went over to a whole-key-space lock since stays locked whole: more than needed, never less.)
      else if (had >= 0 && !q.all && q.keys.length > had) {
        q.keys.length = had;
        q.names = undefined;
        q.named = undefined;
      }
    }
    if (quiet.size === 0) this.quiet.delete(txn);
  }

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (e === undefined) this.entries.set(id, (e = { writers: [], sharers: [], strong: [] }));
    return e;
  }

  private hold(txn: Txn, id: string): void {
    const ids = this.held.get(txn);
    if (ids === undefined) this.held.set(txn, [id]);
    else ids.push(id);
  }
}
