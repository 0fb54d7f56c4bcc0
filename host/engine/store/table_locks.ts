// Table locks: PostgreSQL's eight table lock modes with its conflict table,
// held until the transaction ends. Statements take them implicitly before
// they run (session/table_lock_plan.ts: ACCESS SHARE on every table a query
// reads, ROW SHARE on tables it locks rows of, ROW EXCLUSIVE on the table it
// modifies; session/ddl_locks.ts: the mode each DDL statement takes), and
// LOCK TABLE takes one explicitly.
//
// A request that conflicts with a mode another live transaction holds waits
// for that transaction to end and asks again. A request that has to wait is
// queued: later requests that conflict with it wait behind it (so a stream
// of readers cannot starve an ALTER TABLE), except those of a transaction
// that already holds a lock on the table, which would otherwise wait for a
// request that waits for them (PostgreSQL lets them in ahead too). A cycle
// that is left is a deadlock, found by Txn.waitFor (40P01).
//
// After a transaction that changed a table's definition or storage (ALTER,
// TRUNCATE, DROP ...: noteChange) commits, the table's version goes up, so
// that a statement which waited for it knows that its plan is stale.

import { SbError, SqlState } from '../sb_error.ts';
import type { Txn } from './txn.ts';

/** PostgreSQL's table lock modes, weakest first. */
export const TableLockMode = {
  AccessShare: 1,
  RowShare: 2,
  RowExclusive: 3,
  ShareUpdateExclusive: 4,
  Share: 5,
  ShareRowExclusive: 6,
  Exclusive: 7,
  AccessExclusive: 8,
} as const;
export type TableLockMode = (typeof TableLockMode)[keyof typeof TableLockMode];

/** pg_locks.mode of each mode. */
export const TABLE_LOCK_NAMES = [
  '', 'AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock',
] as const;

/** LOCK TABLE ... IN <mode> MODE spellings. */
const MODE_BY_SQL: Record<string, TableLockMode> = {
  'ACCESS SHARE': TableLockMode.AccessShare,
  'ROW SHARE': TableLockMode.RowShare,
  'ROW EXCLUSIVE': TableLockMode.RowExclusive,
  'SHARE UPDATE EXCLUSIVE': TableLockMode.ShareUpdateExclusive,
  SHARE: TableLockMode.Share,
  'SHARE ROW EXCLUSIVE': TableLockMode.ShareRowExclusive,
  EXCLUSIVE: TableLockMode.Exclusive,
  'ACCESS EXCLUSIVE': TableLockMode.AccessExclusive,
};

/** The mode LOCK TABLE names (upper case, single spaces), or undefined. */
export function tableLockModeOf(sql: string): TableLockMode | undefined {
  return MODE_BY_SQL[sql.trim().toUpperCase().replace(/\s+/g, ' ')];
}

const bit = (m: number): number => 1 << m;

/** CONFLICTS[m]: the modes (as bits) that mode m conflicts with. */
const CONFLICTS: readonly number[] = (() => {
  const all = [1, 2, 3, 4, 5, 6, 7, 8];
  const of = (...ms: number[]): number => ms.reduce((a, m) => a | bit(m), 0);
  return [
    0,
    of(8),
    of(7, 8),
    of(5, 6, 7, 8),
    of(4, 5, 6, 7, 8),
    of(3, 4, 6, 7, 8),
    of(3, 4, 5, 6, 7, 8),
    of(2, 3, 4, 5, 6, 7, 8),
    of(...all),
  ];
})();

interface Entry {
  /** Granted holders per mode (index = mode). */
  counts: Int32Array;
  /** The modes (bits) somebody holds: a request none of whose conflicts is here goes through at once. */
  mask: number;
  /** Holders of the strong modes (SHARE UPDATE EXCLUSIVE and up), with their modes (bits). The weak ones are found through the transactions (rare: only a conflict asks). */
  strong: Map<Txn, number>;
  /** Requests waiting (bits) per transaction, in arrival order. */
  waiting: Map<Txn, number>;
}

/** A row of pg_locks. */
export interface TableLockRow {
  oid: number;
  txn: Txn;
  mode: TableLockMode;
  granted: boolean;
}

/** Tables with an entry kept while nobody holds a lock on them, at most. */
const entries_max = 4096;

const live = (t: Txn): boolean => t.state === 'active' || t.state === 'committing';

export class TableLocks {
  private readonly entries = new Map<number, Entry>();
  private readonly versions = new Map<number, number>();

  /** `live`: every live transaction (a weak lock's holder is found among them). */
  constructor(private readonly liveTxns: () => Iterable<Txn>) {}

  /** Tables locked or waited for now. */
  get size(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.mask !== 0 || e.waiting.size > 0) n++;
    return n;
  }

  /**
   * Takes `mode` on table `oid` for `txn`, or returns a live transaction to
   * wait for (then ask again); the request is queued meanwhile (unwait()
   * withdraws it). A transaction's locks are kept on it as [oid, modes]
   * pairs (Txn.tableLocks), so the common case (no strong lock on the
   * table) touches no map but the table's entry.
   */
  lock(txn: Txn, oid: number, mode: TableLockMode): Txn | undefined {
    let e = this.entries.get(oid);
    if (e === undefined) this.entries.set(oid, (e = { counts: new Int32Array(9), mask: 0, strong: new Map(), waiting: new Map() }));
    let list = txn.tableLocks;
    let at = -1;
    let own = 0;
    if (list !== undefined) {
      for (let i = 0; i < list.length; i += 2) {
        if (list[i] === oid) {
          at = i;
          own = list[i + 1]!;
          break;
        }
      }
    }
    const b = bit(mode);
    if ((own & b) !== 0) return undefined;
    const conflicts = CONFLICTS[mode]!;
    let blocker: Txn | undefined;
    if ((e.mask & conflicts) !== 0) {
      for (let m = 1; m <= 8 && blocker === undefined; m++) {
        if ((conflicts & bit(m)) === 0 || e.counts[m]! - ((own & bit(m)) !== 0 ? 1 : 0) <= 0) continue;
        blocker = this.holder(e, oid, m, txn);
      }
    }
    if (blocker === undefined && own === 0 && e.waiting.size > 0) {
      for (const [t, mask] of e.waiting) {
        if (t === txn) break; // queued before: only those ahead of it count
        if ((mask & conflicts) !== 0 && live(t)) {
          blocker = t;
          break;
        }
      }
    }
    if (at < 0) {
      if (list === undefined) txn.tableLocks = list = [];
      at = list.length;
      list.push(oid, 0);
    }
    if (blocker !== undefined) {
      e.waiting.set(txn, (e.waiting.get(txn) ?? 0) | b);
      return blocker;
    }
    list![at + 1] = own | b;
    if (mode >= TableLockMode.ShareUpdateExclusive) e.strong.set(txn, (e.strong.get(txn) ?? 0) | b);
    if (e.waiting.size > 0) this.dropWaiting(e, txn, mode);
    e.counts[mode]!++;
    e.mask |= b;
    return undefined;
  }

  /** A live transaction other than `txn` holding mode m on `oid` (none: a holder that has just ended, not yet released). */
  private holder(e: Entry, oid: number, m: number, txn: Txn): Txn | undefined {
    if (m >= TableLockMode.ShareUpdateExclusive) {
      for (const [t, mask] of e.strong) if (t !== txn && (mask & bit(m)) !== 0 && live(t)) return t;
      return undefined;
    }
    for (const t of this.liveTxns()) {
      if (t === txn || !live(t)) continue;
      const l = t.tableLocks;
      if (l === undefined) continue;
      for (let i = 0; i < l.length; i += 2) if (l[i] === oid && (l[i + 1]! & bit(m)) !== 0) return t;
    }
    return undefined;
  }

  /** Withdraws `txn`'s waiting requests on `oid` (its wait was cancelled or failed). */
  unwait(txn: Txn, oid: number): void {
    const e = this.entries.get(oid);
    e?.waiting.delete(txn);
  }

  private dropWaiting(e: Entry, txn: Txn, mode: TableLockMode): void {
    const w = e.waiting.get(txn);
    if (w === undefined) return;
    const rest = w & ~bit(mode);
    if (rest === 0) e.waiting.delete(txn);
    else e.waiting.set(txn, rest);
  }

  /** `txn` changes the definition or storage of table `oid`: its version goes up if `txn` commits. */
  noteChange(txn: Txn, oid: number): void {
    const l = txn.tableChanges;
    if (l === undefined) txn.tableChanges = [oid];
    else if (!l.includes(oid)) l.push(oid);
  }

  /** Goes up each time a transaction that changed the table's definition or storage commits. */
  version(oid: number): number {
    return this.versions.get(oid) ?? 0;
  }

  /** Every lock held or waited for (pg_locks). */
  rows(): TableLockRow[] {
    const out: TableLockRow[] = [];
    for (const txn of this.liveTxns()) {
      const l = txn.tableLocks;
      if (l === undefined || !live(txn)) continue;
      for (let i = 0; i < l.length; i += 2) {
        for (let m = 1; m <= 8; m++) if ((l[i + 1]! & bit(m)) !== 0) out.push({ oid: l[i]!, txn, mode: m as TableLockMode, granted: true });
      }
    }
    for (const [oid, e] of this.entries) {
      for (const [txn, mask] of e.waiting) for (let m = 1; m <= 8; m++) if ((mask & bit(m)) !== 0) out.push({ oid, txn, mode: m as TableLockMode, granted: false });
    }
    return out;
  }

  /**
   * Gives back the modes `txn` took since its locks were `before` (a copy of
   * Txn.tableLocks at a subtransaction's start): ROLLBACK TO SAVEPOINT.
   */
  releaseSince(txn: Txn, before: readonly number[] | undefined): void {
    const list = txn.tableLocks;
    if (list === undefined) return;
    for (let i = 0; i < list.length; i += 2) {
      const oid = list[i]!;
      let then = 0;
      if (before !== undefined) {
        for (let j = 0; j < before.length; j += 2) {
          if (before[j] === oid) {
            then = before[j + 1]!;
            break;
          }
        }
      }
      const drop = list[i + 1]! & ~then;
      if (drop === 0) continue;
      list[i + 1] = then;
      const e = this.entries.get(oid);
      if (e === undefined) continue;
      for (let m = 1; m <= 8; m++) {
        if ((drop & bit(m)) !== 0 && --e.counts[m]! === 0) e.mask &= ~bit(m);
      }
      if (drop >= bit(TableLockMode.ShareUpdateExclusive)) {
        const strong = then & ~(bit(TableLockMode.ShareUpdateExclusive) - 1);
        if (strong === 0) e.strong.delete(txn);
        else e.strong.set(txn, strong);
      }
    }
  }

  /** The transaction ended: its locks go (and the tables it changed, if it committed, move to a new version). */
  release(txn: Txn): void {
    const changed = txn.tableChanges;
    if (changed !== undefined) {
      txn.tableChanges = undefined;
      if (txn.state === 'committed') for (const oid of changed) this.versions.set(oid, this.version(oid) + 1);
    }
    const list = txn.tableLocks;
    if (list === undefined) return;
    txn.tableLocks = undefined;
    for (let i = 0; i < list.length; i += 2) {
      const e = this.entries.get(list[i]!);
      if (e === undefined) continue;
      const mask = list[i + 1]!;
      if (mask !== 0) {
        for (let m = 1; m <= 8; m++) {
          if ((mask & bit(m)) !== 0 && --e.counts[m]! === 0) e.mask &= ~bit(m);
        }
        if (mask >= bit(TableLockMode.ShareUpdateExclusive)) e.strong.delete(txn);
      }
      if (e.waiting.size > 0) e.waiting.delete(txn);
    }
    // Entries stay for the next statement on the table (a table's is made once); past
    // entries_max, the unused ones go.
    if (this.entries.size > entries_max) {
      for (const [oid, e] of this.entries) if (e.mask === 0 && e.waiting.size === 0) this.entries.delete(oid);
    }
  }
}

/**
 * A plan over table `name` is stale: a transaction it waited for changed the
 * table and committed. Kind 'table_changed' when the statement has changed
 * nothing yet (it waited before it ran: it can run again, planned anew, even
 * inside a transaction block), 'table_changed_running' when it may have (a
 * cascade's wait in the middle of a statement: only a statement that is its
 * own transaction, rolled back first, runs again).
 */
export function tableChanged(name: string, running = false): SbError {
  return new SbError(SqlState.serialization_failure, `could not serialize access: table "${name}" was changed by a concurrent transaction`, {
    hint: 'Retry the statement.',
    // session.ts runBindable runs the statement again.
    kind: running ? 'table_changed_running' : 'table_changed',
  });
}
