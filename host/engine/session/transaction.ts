// A session's transaction state with PostgreSQL's semantics:
//
//   - outside a block every statement is its own transaction;
//   - BEGIN opens a block; the store transaction starts at its first
//     statement, so SET TRANSACTION may still change its characteristics;
//   - a failed statement inside a block leaves it failed (25P02 for all but
//     COMMIT / ROLLBACK / ROLLBACK TO SAVEPOINT; COMMIT then rolls back), and
//     gives back at once what PostgreSQL's abort gives back: with a savepoint,
//     the writes and locks since the innermost one (its subtransaction
//     aborts); without, the store transaction rolls back and every lock goes;
//   - ROLLBACK TO SAVEPOINT gives back the row, table and transaction-level
//     advisory locks taken since the savepoint (waiters go ahead at once);
//   - savepoints map to store savepoints plus snapshots of the catalog
//     overlay and the settings; ROLLBACK TO undoes both and clears failure;
//   - key spaces created by rolled-back DDL are dropped, and key spaces of
//     dropped objects go only once the transaction commits.
//
// Isolation: READ COMMITTED takes a new snapshot per statement (the session
// calls refreshSnapshot), REPEATABLE READ is the store's 'snapshot',
// SERIALIZABLE its 'serializable' (DESIGN.md decision 5: PostgreSQL's
// default is READ COMMITTED).

import type { CatalogTxn } from '../catalog/catalog_store.ts';
import type { Oid, CatalogObj } from '../catalog/objects.ts';
import { SbError, SqlState } from '../sb_error.ts';
import type { BeginOptions, Isolation, Txn } from '../store/index.ts';
import type { SubMark } from '../store/txn.ts';
import type { DatabaseCore } from './result.ts';
import type { FkPending } from '../exec/foreign_keys.ts';
import type { Settings, SettingsSnapshot } from './settings.ts';

export type IsolationName = 'read committed' | 'repeatable read' | 'serializable' | 'read uncommitted';

export function storeIsolation(i: IsolationName): Isolation {
  switch (i) {
    case 'serializable':
      return 'serializable';
    case 'repeatable read':
      return 'snapshot';
    default:
      return 'read committed';
  }
}

interface Savepoint {
  name: string;
  mark: SubMark;
  /** The session's transaction-level advisory locks taken before it (AdvisoryOwner.xactMark). */
  advisory: number;
  catalog: Map<Oid, CatalogObj | null>;
  settings: SettingsSnapshot;
  onCommit: number;
  onRollback: number;
}

type Action = () => Promise<void>;

export class TransactionState {
  txn: Txn | null = null;
  cat: CatalogTxn | null = null;
  /** 'implicit': several statements of one query string run as one transaction. */
  block: 'none' | 'implicit' | 'explicit' = 'none';
  /** A statement of the block failed: only COMMIT / ROLLBACK / ROLLBACK TO go on (set by whoever saw the error). */
  get failed(): boolean {
    return this.failedFlag;
  }
  set failed(v: boolean) {
    if (v && !this.failedFlag) this.abortOnFailure();
    this.failedFlag = v;
  }
  private failedFlag = false;
  /** The session's transaction-level advisory locks: they go when the transaction ends, and a savepoint's rollback gives back its part. */
  advisory: { xactMark(): number; releaseXactSince(n: number): void; endTransaction(): void } | undefined;
  isolation: IsolationName = 'read committed';
  readOnly = false;
  /** A statement has run in this block (SET TRANSACTION ISOLATION must come before). */
  started = false;
  /** Transaction start, µs since 2000-01-01 UTC. */
  timestamp = 0;
  /** Checks of INITIALLY DEFERRED foreign keys, run at COMMIT. */
  deferred: FkPending = { parents: [], noAction: [] };
  /** Runs before a commit (the deferred checks, which may wait for a lock); an error rolls the transaction back. */
  beforeCommit: (() => Promise<void>) | undefined;
  /** Open SQL cursors (session/cursors.ts): told before a commit (WITH HOLD cursors read their rows; an error rolls back) and when the transaction ends. */
  cursorHooks: { beforeCommit(): Promise<void>; ended(committed: boolean): void } | undefined;
  private savepoints: Savepoint[] = [];
  /** The catalog handle of an ended transaction that changed nothing in the catalog: the next transaction takes it (it holds no state then). */
  private spareCat: CatalogTxn | null = null;
  private onCommit: Action[] = [];
  private onRollback: Action[] = [];
  /** The transaction defaults read from the settings, read again only after a setting changed. */
  private defaults: { version: number; isolation: IsolationName; readOnly: boolean; lockTimeoutMs: number } | undefined;
  /** The store's begin options of the last transaction (the store only reads them): reused while they are the same. */
  private beginOpts: Readonly<BeginOptions> = {};

  /** The session's backend pid (its transactions carry it for pg_locks). */
  pid = 0;

  constructor(
    private readonly core: DatabaseCore,
    private readonly settings: Settings,
    private readonly nowMicros: () => number,
  ) {}

  /** ReadyForQuery's status: idle, in a transaction block, or in a failed one. */
  status(): 'I' | 'T' | 'E' {
    if (this.block === 'none') return 'I';
    return this.failed ? 'E' : 'T';
  }

  inBlock(): boolean {
    return this.block !== 'none';
  }

  /** Starts a transaction block (BEGIN, or the implicit block of a multi-statement string). */
  beginBlock(kind: 'implicit' | 'explicit', isolation?: IsolationName, readOnly?: boolean): void {
    this.block = kind;
    this.failed = false;
    this.started = false;
    const d = this.settingDefaults();
    this.isolation = isolation ?? d.isolation;
    this.readOnly = readOnly ?? d.readOnly;
    this.timestamp = this.nowMicros();
    this.settings.beginTransaction();
  }

  private settingDefaults(): NonNullable<TransactionState['defaults']> {
    let d = this.defaults;
    if (d === undefined || d.version !== this.settings.version) {
      d = this.defaults = {
        version: this.settings.version,
        isolation: this.settings.get('default_transaction_isolation') as IsolationName,
        readOnly: this.settings.get('default_transaction_read_only') === 'on',
        lockTimeoutMs: Number(this.settings.get('lock_timeout') ?? 0),
      };
    }
    return d;
  }

  /** The store transaction, begun on first use. */
  ensureTxn(): Txn {
    if (this.txn) return this.txn;
    if (this.block === 'none') {
      const d = this.settingDefaults();
      this.isolation = d.isolation;
      this.readOnly = d.readOnly;
      this.timestamp = this.nowMicros();
      this.settings.beginTransaction();
    }
    const lockTimeoutMs = this.settingDefaults().lockTimeoutMs;
    const isolation = storeIsolation(this.isolation);
    let opts = this.beginOpts;
    if (opts.isolation !== isolation || opts.readOnly !== this.readOnly || opts.lockTimeoutMs !== lockTimeoutMs) {
      opts = this.beginOpts = { isolation, readOnly: this.readOnly, statementSnapshots: 'manual', lockTimeoutMs };
    }
    this.txn = this.core.store.begin(opts);
    this.txn.pid = this.pid;
    this.cat = this.spareCat ?? this.core.catalog.begin();
    this.spareCat = null;
    return this.txn;
  }

  atCommit(fn: Action): void {
    this.onCommit.push(fn);
  }

  atRollback(fn: Action): void {
    this.onRollback.push(fn);
  }

  async commit(): Promise<void> {
    const txn = this.txn;
    const cat = this.cat;
    const catUnchanged = cat !== null && cat.changes.size === 0;
    if (this.cursorHooks) {
      try {
        await this.cursorHooks.beforeCommit();
      } catch (e) {
        await this.rollback();
        throw e;
      }
    }
    if (txn && this.beforeCommit && (this.deferred.parents.length > 0 || this.deferred.noAction.length > 0)) {
      try {
        await this.beforeCommit();
      } catch (e) {
        await this.rollback();
        throw e;
      }
    }
    if (txn) {
      try {
        await txn.commit();
      } catch (e) {
        await this.rollback();
        throw e;
      }
      // A transaction that changed no catalog object has nothing to publish.
      if (!catUnchanged) cat!.committed();
    }
    const actions = this.onCommit;
    this.reset(true);
    if (catUnchanged) this.spareCat = cat;
    for (const a of actions) await a().catch(() => {});
  }

  /**
   * commit() without a promise when there is nothing to wait for: no open
   * cursors, no deferred checks, no commit actions, no writes (a read-only
   * statement's own transaction). False, with nothing done, otherwise.
   */
  commitSync(): boolean {
    const txn = this.txn;
    const cat = this.cat;
    if (this.cursorHooks || this.onCommit.length > 0 || this.deferred.parents.length > 0 || this.deferred.noAction.length > 0) return false;
    // (An error leaves the transaction active: the caller rolls it back.)
    if (txn && !txn.commitIfNoWrites()) return false;
    const catUnchanged = cat !== null && cat.changes.size === 0;
    if (!catUnchanged) cat?.committed();
    this.reset(true);
    if (catUnchanged) this.spareCat = cat;
    return true;
  }

  async rollback(): Promise<void> {
    if (this.txn && this.txn.state === 'active') this.txn.rollback();
    this.cat?.rolledBack();
    const actions = this.onRollback;
    this.reset(false);
    for (const a of actions.reverse()) await a().catch(() => {});
  }

  private reset(committed: boolean): void {
    this.txn = null;
    this.cat = null;
    this.block = 'none';
    this.failed = false;
    this.started = false;
    if (this.savepoints.length > 0) this.savepoints = [];
    if (this.onCommit.length > 0) this.onCommit = [];
    if (this.onRollback.length > 0) this.onRollback = [];
    if (this.deferred.parents.length > 0 || this.deferred.noAction.length > 0) this.deferred = { parents: [], noAction: [] };
    this.settings.endTransaction(committed);
    this.cursorHooks?.ended(committed);
    this.advisory?.endTransaction();
  }

  savepoint(name: string): void {
    const txn = this.ensureTxn();
    this.savepoints.push({
      name, mark: txn.subMark(), advisory: this.advisory?.xactMark() ?? 0, catalog: this.cat!.snapshot(), settings: this.settings.snapshot(),
      onCommit: this.onCommit.length, onRollback: this.onRollback.length,
    });
  }

  /**
   * A statement of the block failed: as PostgreSQL aborts the current
   * subtransaction (or the transaction) at the error, the writes and locks
   * since the innermost savepoint go now (everything, without one), so no
   * one waits for a transaction that can only roll back. The block stays
   * failed; ROLLBACK TO SAVEPOINT or ROLLBACK ends that.
   */
  private abortOnFailure(): void {
    const txn = this.txn;
    if (txn === null || txn.state !== 'active') return;
    const sp = this.savepoints[this.savepoints.length - 1];
    if (sp !== undefined) {
      txn.rollbackToSub(sp.mark);
      this.advisory?.releaseXactSince(sp.advisory);
    } else {
      txn.rollback();
      this.advisory?.endTransaction();
    }
  }

  private find(name: string): number {
    for (let i = this.savepoints.length - 1; i >= 0; i--) if (this.savepoints[i]!.name === name) return i;
    throw new SbError(SqlState.invalid_savepoint_specification, `savepoint "${name}" does not exist`);
  }

  release(name: string): void {
    this.savepoints.length = this.find(name);
  }

  async rollbackTo(name: string): Promise<void> {
    const i = this.find(name);
    const sp = this.savepoints[i]!;
    this.txn!.rollbackToSub(sp.mark);
    this.advisory?.releaseXactSince(sp.advisory);
    this.cat!.restore(sp.catalog);
    this.settings.restore(sp.settings);
    this.onCommit.length = sp.onCommit;
    const undo = this.onRollback.splice(sp.onRollback);
    this.savepoints.length = i + 1;
    this.failed = false;
    for (const a of undo.reverse()) await a().catch(() => {});
  }
}
