// Advisory locks (PostgreSQL's pg_advisory_lock family): application-defined
// locks on a bigint key or a pair of int4 keys, per database, held by a
// session until unlocked (or the session ends) or by its transaction until it
// ends, exclusive or shared. Migration tools take one to run alone (Prisma
// Migrate, node-pg-migrate, Rails, Flyway...).
//
// A session's own locks never conflict with each other (it may take a key
// again, exclusive and shared, session and transaction level: each take is
// counted, each unlock gives one back). Between sessions, shared locks
// coexist and an exclusive one excludes everything. Waiters are granted in the
// order they came (a new request also waits behind earlier waiters, so an
// exclusive waiter is not starved by a stream of shared ones).
//
// The SQL functions run synchronously inside an expression, so a blocked
// pg_advisory_lock() does not wait there: it queues its request and the
// statement owes the wait (EvalContext.sleeper.waits, served by the statement
// driver before the batch goes on, like pg_sleep), which a cancel or
// statement_timeout ends with 57014, taking the request back out of the queue.

import { SbError, SqlState } from '../sb_error.ts';

/** One session's holdings (an AdvisoryOwner per session). */
interface Held {
  excl: number;
  shared: number;
  xactExcl: number;
  xactShared: number;
}

interface Waiter {
  owner: AdvisoryOwner;
  shared: boolean;
  xact: boolean;
  grant: () => void;
}

interface LockState {
  holders: Map<AdvisoryOwner, Held>;
  queue: Waiter[];
}

/** The advisory locks of one database. */
export class AdvisoryLocks {
  private readonly locks = new Map<string, LockState>();
  /** The key each waiting owner waits for (deadlock detection). */
  private readonly waitingOn = new Map<AdvisoryOwner, { key: string; shared: boolean }>();

  /** A session's handle. */
  owner(pid: number): AdvisoryOwner {
    return new AdvisoryOwner(this, pid);
  }

  /** Held locks (for tests). */
  get size(): number {
    return this.locks.size;
  }

  /**
   * pg_locks rows: one per holder and mode (granted) and per waiter (not
   * granted), with PostgreSQL's advisory lock tag (a bigint key's high and
   * low 32 bits in classid / objid and objsubid 1; an int4 pair in classid /
   * objid and objsubid 2).
   */
  lockRows(): Array<{ classid: number; objid: number; objsubid: number; pid: number; mode: string; granted: boolean }> {
    const out: Array<{ classid: number; objid: number; objsubid: number; pid: number; mode: string; granted: boolean }> = [];
    for (const [key, s] of this.locks) {
      const tag = lockTag(key);
      for (const [o, h] of s.holders) {
        if (h.excl + h.xactExcl > 0) out.push({ ...tag, pid: o.pid, mode: 'ExclusiveLock', granted: true });
        if (h.shared + h.xactShared > 0) out.push({ ...tag, pid: o.pid, mode: 'ShareLock', granted: true });
      }
      for (const w of s.queue) out.push({ ...tag, pid: w.owner.pid, mode: w.shared ? 'ShareLock' : 'ExclusiveLock', granted: false });
    }
    return out;
  }

  private state(key: string): LockState {
    let s = this.locks.get(key);
    if (s === undefined) this.locks.set(key, (s = { holders: new Map(), queue: [] }));
    return s;
  }

  /** Another owner's holding stands in the way of a request (shared: only its exclusive locks do). */
  private static blocks(o: AdvisoryOwner, h: Held, owner: AdvisoryOwner, shared: boolean): boolean {
    return o !== owner && (h.excl + h.xactExcl > 0 || (!shared && h.shared + h.xactShared > 0));
  }

  private conflicts(s: LockState, owner: AdvisoryOwner, shared: boolean): boolean {
    for (const [o, h] of s.holders) if (AdvisoryLocks.blocks(o, h, owner, shared)) return true;
    return false;
  }

  private add(key: string, s: LockState, owner: AdvisoryOwner, shared: boolean, xact: boolean): void {
    let h = s.holders.get(owner);
    if (h === undefined) s.holders.set(owner, (h = { excl: 0, shared: 0, xactExcl: 0, xactShared: 0 }));
    if (xact) {
      if (shared) h.xactShared++;
      else h.xactExcl++;
      owner.xactTaken.push(shared ? 's' + key : 'x' + key);
    } else if (shared) h.shared++;
    else h.excl++;
  }

  /** Takes the lock now when nothing stands in the way; else false (nothing changes). */
  tryTake(owner: AdvisoryOwner, key: string, shared: boolean, xact: boolean): boolean {
    const s = this.state(key);
    const holds = s.holders.has(owner);
    if (this.conflicts(s, owner, shared) || (!holds && s.queue.length > 0)) {
      if (s.holders.size === 0 && s.queue.length === 0) this.locks.delete(key);
      return false;
    }
    this.add(key, s, owner, shared, xact);
    return true;
  }

  /**
   * Queues a request that tryTake refused; `grant` runs once it is taken.
   * Returns a function that withdraws it (false: granted already). A request
   * whose wait would close a cycle (a holder in its way waits, directly or
   * through others, for a lock this owner holds) fails at once with 40P01.
   */
  enqueue(owner: AdvisoryOwner, key: string, shared: boolean, xact: boolean, grant: () => void): () => boolean {
    const s = this.state(key);
    if (this.closesCycle(owner, key, shared)) {
      if (s.holders.size === 0 && s.queue.length === 0) this.locks.delete(key);
      throw new SbError(SqlState.deadlock_detected, 'deadlock detected', {
        detail: `Process ${owner.pid} waits for an advisory lock held by a process that waits, directly or through others, for a lock process ${owner.pid} holds.`,
        hint: 'See the application log for the statements; take advisory locks in one order everywhere.',
      });
    }
    const w: Waiter = { owner, shared, xact, grant: () => {
      this.waitingOn.delete(owner);
      grant();
    } };
    s.queue.push(w);
    this.waitingOn.set(owner, { key, shared });
    return () => {
      const i = s.queue.indexOf(w);
      if (i < 0) return false;
      s.queue.splice(i, 1);
      this.waitingOn.delete(owner);
      this.wake(key, s);
      return true;
    };
  }

  /** The owners whose holding of `key` stands in the way of a request by `owner`. */
  private blockers(owner: AdvisoryOwner, key: string, shared: boolean): AdvisoryOwner[] {
    const s = this.locks.get(key);
    if (s === undefined) return [];
    const out: AdvisoryOwner[] = [];
    for (const [o, h] of s.holders) if (AdvisoryLocks.blocks(o, h, owner, shared)) out.push(o);
    return out;
  }

  /**
   * Set by the session layer: the backend pids a session's transaction waits
   * for in the store (a row or table lock's holder), so that a cycle through
   * them is found too.
   */
  txnWaits: ((pid: number) => readonly number[]) | undefined;

  /** The backend pids whose advisory locks stand in the way of session `pid`'s waiting request (none when it does not wait). */
  advisoryWaits(pid: number): number[] {
    for (const [o, w] of this.waitingOn) if (o.pid === pid) return this.blockers(o, w.key, w.shared).map((b) => b.pid);
    return [];
  }

  private closesCycle(owner: AdvisoryOwner, key: string, shared: boolean): boolean {
    const seen = new Set<number>();
    const todo = this.blockers(owner, key, shared).map((o) => o.pid);
    while (todo.length > 0) {
      const p = todo.pop()!;
      if (p === owner.pid) return true;
      if (seen.has(p)) continue;
      seen.add(p);
      todo.push(...this.advisoryWaits(p));
      if (this.txnWaits !== undefined) todo.push(...this.txnWaits(p));
    }
    return false;
  }

  /** Gives one lock back; false when the owner held none of that kind (PostgreSQL warns then). */
  release(owner: AdvisoryOwner, key: string, shared: boolean): boolean {
    const s = this.locks.get(key);
    const h = s?.holders.get(owner);
    if (s === undefined || h === undefined) return false;
    if (shared ? h.shared === 0 : h.excl === 0) return false;
    if (shared) h.shared--;
    else h.excl--;
    this.settle(key, s, owner, h);
    return true;
  }

  /** Gives back the transaction-level locks the owner took after its xactTaken list had `n` entries (ROLLBACK TO SAVEPOINT). */
  releaseXactSince(owner: AdvisoryOwner, n: number): void {
    for (const t of owner.xactTaken.splice(n).reverse()) {
      const key = t.slice(1);
      const s = this.locks.get(key);
      const h = s?.holders.get(owner);
      if (s === undefined || h === undefined) continue;
      if (t[0] === 's') h.xactShared = Math.max(0, h.xactShared - 1);
      else h.xactExcl = Math.max(0, h.xactExcl - 1);
      this.settle(key, s, owner, h);
    }
  }

  /** Drops every lock of the owner of one level (session or transaction). */
  releaseAll(owner: AdvisoryOwner, xact: boolean): void {
    // Every transaction-level lock taken is in xactTaken (most transactions took none).
    if (xact) return this.releaseXactSince(owner, 0);
    for (const [key, s] of [...this.locks]) {
      const h = s.holders.get(owner);
      if (h === undefined) continue;
      h.excl = h.shared = 0;
      this.settle(key, s, owner, h);
    }
  }

  private settle(key: string, s: LockState, owner: AdvisoryOwner, h: Held): void {
    if (h.excl + h.shared + h.xactExcl + h.xactShared === 0) s.holders.delete(owner);
    this.wake(key, s);
  }

  /** Grants queued requests in order while they fit. */
  private wake(key: string, s: LockState): void {
    while (s.queue.length > 0) {
      const w = s.queue[0]!;
      if (this.conflicts(s, w.owner, w.shared)) break;
      s.queue.shift();
      this.add(key, s, w.owner, w.shared, w.xact);
      w.grant();
    }
    if (s.holders.size === 0 && s.queue.length === 0) this.locks.delete(key);
  }
}

/** The database's OID by key tag of the lock tables made so far (pg_locks reads them). */
const byDatabase = new WeakMap<object, AdvisoryLocks>();
export const advisoryLockTables = new Set<{ dbOid: number; locks: AdvisoryLocks }>();

/** The database closed: pg_locks no longer lists its advisory locks. */
export function forgetAdvisoryLocks(core: object): void {
  const l = byDatabase.get(core);
  if (l === undefined) return;
  byDatabase.delete(core);
  for (const t of advisoryLockTables) if (t.locks === l) advisoryLockTables.delete(t);
}

/** The advisory locks of a database (by its shared core: every session of it sees the same locks). */
export function advisoryLocksOf(core: { readonly dbOid?: number }): AdvisoryLocks {
  let l = byDatabase.get(core);
  if (l === undefined) {
    byDatabase.set(core, (l = new AdvisoryLocks()));
    advisoryLockTables.add({ dbOid: core.dbOid ?? 0, locks: l });
  }
  return l;
}

/** classid / objid / objsubid of a lock key ('b:<bigint>' or 'i:<int4>:<int4>'). */
function lockTag(key: string): { classid: number; objid: number; objsubid: number } {
  if (key.startsWith('i:')) {
    const [, a, b] = key.split(':');
    return { classid: Number(a) >>> 0, objid: Number(b) >>> 0, objsubid: 2 };
  }
  const v = BigInt.asUintN(64, BigInt(key.slice(2)));
  return { classid: Number(v >> 32n), objid: Number(v & 0xffffffffn), objsubid: 1 };
}

/** A session's side of the advisory locks. */
export class AdvisoryOwner {
  /** The transaction-level locks taken in this transaction, in order: 's' or 'x', then the key (a savepoint's rollback gives back its part). */
  readonly xactTaken: string[] = [];

  constructor(
    private readonly locks: AdvisoryLocks,
    readonly pid: number,
  ) {}

  tryLock(key: string, shared: boolean, xact: boolean): boolean {
    return this.locks.tryTake(this, key, shared, xact);
  }

  /** Waits for the lock: `grant` when taken; the returned function withdraws the request (false: already granted). */
  queue(key: string, shared: boolean, xact: boolean, grant: () => void): () => boolean {
    return this.locks.enqueue(this, key, shared, xact, grant);
  }

  unlock(key: string, shared: boolean): boolean {
    return this.locks.release(this, key, shared);
  }

  unlockAll(): void {
    this.locks.releaseAll(this, false);
  }

  /** A savepoint's mark: how many transaction-level locks were taken so far. */
  xactMark(): number {
    return this.xactTaken.length;
  }

  /** ROLLBACK TO SAVEPOINT: the transaction-level locks taken since xactMark() go. */
  releaseXactSince(n: number): void {
    this.locks.releaseXactSince(this, n);
  }

  /** The transaction ended: its transaction-level locks go. */
  endTransaction(): void {
    this.locks.releaseAll(this, true);
  }

  /** The session ended: everything goes. */
  close(): void {
    this.locks.releaseAll(this, true);
    this.locks.releaseAll(this, false);
  }
}
