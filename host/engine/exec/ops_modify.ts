// INSERT, UPDATE and DELETE: writing rows and index entries, enforcing
// NOT NULL, CHECK, UNIQUE / PRIMARY KEY and FOREIGN KEY constraints, ON
// CONFLICT, RETURNING.
//
// Input row layouts (built by the binder):
//   insert: the new row, one value per table column (position = attnum - 1)
//   update: the old row, then the new row, then the row key
//   delete: the old row, then the row key
//   UPDATE ... FROM / DELETE ... USING: then the FROM columns; RETURNING and
//   the recheck see [row, row key, FROM columns]
// A write that meets another transaction's uncommitted row yields WAIT; after
// the wait, READ COMMITTED re-reads the newest version of the row and
// re-evaluates the statement's own conditions and assignments on it (as
// PostgreSQL's EvalPlanQual does), SNAPSHOT fails with 40001.

import { SbError, SqlState } from '../sb_error.ts';
import type { Txn } from '../store/index.ts';
import { TableLockMode } from '../store/table_locks.ts';
import { type Batch, emptyBatch, pushRow } from './batch.ts';
import type { ExecContext } from './context.ts';
import type { VecFn } from './expr.ts';
import { decodeRow } from './row_codec.ts';
import type { TableAccess } from './table_access.ts';
import { BaseOp } from './ops_basic.ts';
import { lockTableNow, lockTableWaiting, type Operator, type Signal, type Step } from './operator.ts';
import { formatKeyDetail, ForeignKeys, type FkPending } from './foreign_keys.ts';
import { bytesEqual } from '../types/compare.ts';

export interface ModifySpec {
  op: 'insert' | 'update' | 'delete';
  tableOid: number;
  /** CHECK constraints over the new row (positions = attnum - 1); `view`: a view's CHECK OPTION, checked after them (before any write, as PostgreSQL reports it). */
  checks: Array<{ name: string; fn: VecFn; view?: boolean }>;
  returning?: VecFn[];
  /** READ COMMITTED recheck after a lock wait: WHERE and new-row expressions over the current row. */
  recheck?: { where?: VecFn; newRow?: VecFn[] };
  onConflict?: {
    action: 'nothing' | 'update';
    indexOid?: number;
    /** Over [existing row..., proposed row...]: the updated row, one value per column. */
    newRow?: VecFn[];
    where?: VecFn;
  };
  /** SET DEFAULT actions: the default of a referencing column, by `tableOid:attnum`. */
  fkDefaults?: Map<string, VecFn>;
  /** Set on the nested modifications of ON DELETE/UPDATE actions: the statement's pending checks. */
  fkPending?: FkPending;
  /** The foreign key whose action a nested modification performs. */
  cascadeFrom?: number;
}

export class ModifyOp extends BaseOp {
  private ta!: TableAccess;
  private fks!: ForeignKeys;
  private done = false;
  count = 0;
  /** Row and unique-index keys this statement wrote (ON CONFLICT must not touch a row twice). */
  /** Keys this command inserted or updated: only ON CONFLICT DO UPDATE reads them ("cannot affect row a second time"). */
  private readonly written = new Set<string>();
  private get trackWritten(): boolean {
    return this.spec.onConflict?.action === 'update';
  }
  /** READ COMMITTED refreshed the snapshot during this statement (rows read before may be stale). */
  private refreshed = false;
  /** The table's ROW EXCLUSIVE lock is held for this statement. */
  private tableLocked = false;

  constructor(private readonly input: Operator, private readonly spec: ModifySpec, width: number) {
    super(width);
  }

  override open(ctx: ExecContext): void {
    super.open(ctx);
    this.tableLocked = false;
    this.ta = ctx.tables.get(this.spec.tableOid);
    this.fks = new ForeignKeys(ctx, this.ta, this.spec.fkPending, this.spec.cascadeFrom, this.spec.fkDefaults);
    this.done = false;
    this.count = 0;
    this.refreshed = false;
    this.input.open(ctx);
  }

  override close(): void {
    this.input.close();
  }

  *next(): Step {
    if (this.done) return null;
    if (!this.tableLocked) {
      // ROW EXCLUSIVE (a statement run by the session holds it already: Session.lockPlanTables; a cascade's nested modification takes it here).
      if (!lockTableNow(this.ctx.txn, this.ta, TableLockMode.RowExclusive)) yield* lockTableWaiting(this.ctx.txn, this.ta, TableLockMode.RowExclusive);
      this.tableLocked = true;
    }
    const out = emptyBatch(this.width);
    const n = this.ta.types.length;
    // Columns past the standard layout are UPDATE ... FROM / DELETE ... USING's FROM columns.
    const extraAt = this.spec.op === 'update' ? 2 * n + 1 : this.spec.op === 'delete' ? n + 1 : Infinity;
    for (;;) {
      // A point lookup's row comes without a generator step (nextSync), else through next().
      let b = this.input.nextSync === undefined ? undefined : this.input.nextSync();
      if (b === undefined) b = yield* this.input.next();
      if (b === null) break;
      const cols = b.cols;
      for (let i = 0; i < b.length; i++) {
        let result: unknown[] | null;
        if (this.spec.op === 'insert') {
          // The new row straight from the batch's columns (no intermediate row array).
          const row = new Array<unknown>(n);
          for (let c = 0; c < n; c++) row[c] = cols[c]![i];
          result = yield* this.insertRow(row);
          if (result === null) continue;
          this.count++;
          if (this.spec.returning) pushRow(out, this.evalRow(this.spec.returning, result));
          continue;
        }
        // The old row (and for UPDATE the new one) straight from the batch's columns.
        const oldRow = new Array<unknown>(n);
        for (let c = 0; c < n; c++) oldRow[c] = cols[c]![i];
        let extra: unknown[] | undefined;
        if (cols.length > extraAt) {
          extra = new Array<unknown>(cols.length - extraAt);
          for (let c = extraAt; c < cols.length; c++) extra[c - extraAt] = cols[c]![i];
        }
        switch (this.spec.op) {
          case 'update': {
            const newRow = new Array<unknown>(n);
            for (let c = 0; c < n; c++) newRow[c] = cols[n + c]![i];
            result = yield* this.updateRow(oldRow, newRow, cols[2 * n]![i] as Uint8Array, extra);
            break;
          }
          case 'delete':
            result = yield* this.deleteRow(oldRow, cols[n]![i] as Uint8Array, extra);
            break;
        }
        if (result === null) continue;
        this.count++;
        if (this.spec.returning) pushRow(out, this.evalRow(this.spec.returning, extra ? [...result, null, ...extra] : result));
      }
      if (out.length >= 1024) return out;
    }
    this.done = true;
    // The statement's top-level modification runs the deferred foreign-key checks at its end.
    if (!this.spec.fkPending && !this.fks.finishedWithoutChecks()) yield* this.fks.finish();
    return out.length > 0 ? out : null;
  }

  private evalRow(fns: VecFn[], row: unknown[]): unknown[] {
    const b: Batch = { length: 1, cols: row.map((v) => [v]) };
    return fns.map((f) => f(b, this.ctx)[0]);
  }

  private checkRow(row: unknown[]): void {
    const t = this.ta.table;
    for (const c of t.columns) {
      if (c.dropped || !c.notNull) continue;
      const v = row[c.attnum - 1];
      if (v === null || v === undefined) {
        throw new SbError(SqlState.not_null_violation,
          `null value in column "${c.name}" of relation "${t.name}" violates not-null constraint`,
          { table: t.name, column: c.name, detail: `Failing row contains (${formatRow(row)}).` });
      }
    }
    for (const { name, fn, view } of this.spec.checks) {
      if (!view && this.evalRow([fn], row)[0] === false) {
        throw new SbError(SqlState.check_violation,
          `new row for relation "${t.name}" violates check constraint "${name}"`,
          { table: t.name, constraint: name, detail: `Failing row contains (${formatRow(row)}).` });
      }
    }
    this.checkViews(row);
  }

  /** WITH CHECK OPTION of the views the row was written through: anything but true fails (PostgreSQL's ExecWithCheckOptions). */
  private checkViews(row: unknown[]): void {
    for (const { name, fn, view } of this.spec.checks) {
      if (view && this.evalRow([fn], row)[0] !== true) {
        throw new SbError('44000', `new row violates check option for view "${name}"`, {
          detail: `Failing row contains (${formatRow(row)}).`,
        });
      }
    }
  }

  /**
   * One write, waiting out a blocking transaction. Returns false when the key
   * exists (insert). `key` and `value` may be views of shared encoder buffers
   * (rowKeyView, encodeView): they are copied before a wait lets other work run.
   */
  private *write(ks: Parameters<Txn['tryWrite']>[0], key: Uint8Array, value: Uint8Array | undefined, op: 'put' | 'insert' | 'delete'): Generator<Signal, boolean, void> {
    for (;;) {
      const r = this.ctx.txn.tryWrite(ks, key, value, op);
      if (r === 'ok') return true;
      if (r === 'exists') return false;
      key = key.slice();
      value = value?.slice();
      yield { kind: 'wait', blocker: r };
      if (this.ctx.txn.isolation === 'read committed') this.ctx.txn.refreshSnapshot();
    }
  }

  private *insertRow(row: unknown[]): Generator<Signal, unknown[] | null, void> {
    this.checkRow(row);
    if (this.fks.checksParents) yield* this.fks.checkParents(row, null);
    const ta = this.ta;
    const rowId = ta.pkPositions ? undefined : this.ctx.store.clock.now();
    // Without indexes nothing else uses the key writer before the row is written: a view of it will do.
    const noIndexes = ta.indexes.length === 0;
    const rowKey = noIndexes ? ta.rowKeyView(row, rowId) : ta.rowKey(row, rowId);
    // Unique index entries first: a conflict there leaves nothing to undo but what this row wrote.
    const mark = this.ctx.txn.savepoint();
    for (const ix of ta.indexes) {
      const entry = ta.indexKey(ix, row, rowKey, this.ctx);
      if (!entry) continue; // a partial index without this row
      const { key, unique } = entry;
      const value = unique ? rowKey : new Uint8Array(0);
      const ok = yield* this.write(ix.ks, key, value, unique ? 'insert' : 'put');
      if (!ok) {
        this.ctx.txn.rollbackTo(mark);
        return yield* this.onDuplicate(row, ix.obj.oid, ix.obj.name, ix.keyNames, ta.indexValues(ix, row, this.ctx), keyId(ix.ks.id, key));
      }
      if (unique && this.trackWritten) this.written.add(keyId(ix.ks.id, key));
    }
    const ok = yield* this.write(ta.ks, rowKey, ta.encodeView(row), ta.pkPositions ? 'insert' : 'put');
    // A view may have been overwritten during a lock wait: the key again (same values, same row id) for what follows.
    const key = noIndexes && (!ok || this.trackWritten) ? ta.rowKey(row, rowId) : rowKey;
    if (!ok) {
      this.ctx.txn.rollbackTo(mark);
      const pkName = this.ctx.catalog.indexesOf(ta.table.oid).find((i) => i.primary);
      const pkPos = ta.pkPositions ?? [];
      return yield* this.onDuplicate(row, pkName?.oid ?? -1, pkName?.name ?? `${ta.table.name}_pkey`, pkPos.map((p) => ta.table.columns[p]!.name), pkPos.map((p) => row[p]), keyId(ta.ks.id, key));
    }
    if (this.trackWritten) this.written.add(keyId(ta.ks.id, key));
    return row;
  }

  private *onDuplicate(row: unknown[], indexOid: number, name: string, keyNames: string[], keyValues: unknown[], conflictKey: string): Generator<Signal, unknown[] | null, void> {
    const oc = this.spec.onConflict;
    if (!oc || (oc.indexOid !== undefined && oc.indexOid !== indexOid)) {
      const t = this.ta.table;
      throw new SbError(SqlState.unique_violation, `duplicate key value violates unique constraint "${name}"`, {
        table: t.name, constraint: name,
        detail: `Key (${keyNames.join(', ')})=(${formatKeyDetail(keyValues)}) already exists.`,
      });
    }
    if (oc.action === 'nothing') return null;
    if (this.written.has(conflictKey)) {
      throw new SbError(SqlState.cardinality_violation, 'ON CONFLICT DO UPDATE command cannot affect row a second time', {
        hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.',
      });
    }
    // DO UPDATE: find the existing row by the conflicting key, then update it.
    const existing = this.findExisting(row, indexOid);
    if (!existing) throw new SbError(SqlState.serialization_failure, 'could not serialize access due to concurrent update');
    const combined = [...existing.row, ...row];
    if (oc.where && this.evalRow([oc.where], combined)[0] !== true) return null;
    const next = this.evalRow(oc.newRow!, combined);
    return yield* this.updateRow(existing.row, next, existing.rowKey);
  }

  private findExisting(row: unknown[], indexOid: number): { row: unknown[]; rowKey: Uint8Array } | null {
    const ta = this.ta;
    let rowKey: Uint8Array | undefined;
    const ix = ta.indexes.find((i) => i.obj.oid === indexOid);
    if (ix) {
      const entry = ta.indexKey(ix, row, new Uint8Array(0), this.ctx);
      if (!entry) return null;
      const v = this.ctx.txn.get(ix.ks, entry.key);
      if (!v) return null;
      rowKey = v;
    } else {
      rowKey = ta.rowKey(row);
    }
    const bytes = this.ctx.txn.get(ta.ks, rowKey);
    if (!bytes) return null;
    return { row: decodeRow(bytes, ta.types, ta.missing), rowKey };
  }

  private *updateRow(oldRow: unknown[], newRow: unknown[], rowKey: Uint8Array, extra?: unknown[]): Generator<Signal, unknown[] | null, void> {
    const ta = this.ta;
    if (this.refreshed && this.spec.op === 'update') {
      const again = this.recheckStale(oldRow, rowKey, extra);
      if (again === null) return null;
      if (again !== 'same') {
        oldRow = again.oldRow;
        newRow = again.newRow;
      }
    }
    this.checkRow(newRow);
    if (this.fks.checksParents) yield* this.fks.checkParents(newRow, oldRow);
    const newKey = ta.pkPositions ? ta.rowKey(newRow) : rowKey;
    const keyChanged = !bytesEqual(newKey, rowKey);
    // Lock the row first: writing its new version is what conflicts with concurrent writers.
    for (;;) {
      const r = this.ctx.txn.tryWrite(ta.ks, rowKey, keyChanged ? undefined : ta.encode(newRow), keyChanged ? 'delete' : 'put');
      if (r === 'ok') break;
      if (r === 'exists') throw new SbError(SqlState.internal_error, 'unexpected duplicate on update');
      yield { kind: 'wait', blocker: r };
      // REPEATABLE READ / SERIALIZABLE: a blocker that rolled back changed nothing; write again.
      if (this.ctx.txn.isolation !== 'read committed' && r.state !== 'committed') continue;
      const again = this.recheck(rowKey, extra);
      if (again === null) return null;
      oldRow = again.oldRow;
      newRow = again.newRow;
      this.checkRow(newRow);
    }
    // A key change (the primary key, or a key foreign keys reference) takes the row's key lock and waits
    // for every shared lock on it (foreign-key checks, FOR KEY SHARE, FOR SHARE); any other update only for FOR SHARE.
    const keyChange = keyChanged || this.fks.referencedKeyChanges(oldRow, newRow);
    const sharer = this.holdRowNow(rowKey, keyChange);
    if (sharer !== undefined) yield* this.holdRow(rowKey, keyChange, sharer);
    if (keyChanged) {
      const ok = yield* this.write(ta.ks, newKey, ta.encode(newRow), 'insert');
      if (!ok) {
        const pk = this.ctx.catalog.indexesOf(ta.table.oid).find((i) => i.primary);
        throw new SbError(SqlState.unique_violation, `duplicate key value violates unique constraint "${pk?.name ?? ta.table.name + '_pkey'}"`, {
          table: ta.table.name, detail: `Key (${ta.pkPositions!.map((p) => ta.table.columns[p]!.name).join(', ')})=(${formatKeyDetail(ta.pkPositions!.map((p) => newRow[p]))}) already exists.`,
        });
      }
    }
    for (const ix of ta.indexes) {
      if (!keyChanged && !ta.indexChanged(ix, oldRow, newRow)) continue; // MGA: untouched index
      const before = ta.indexKey(ix, oldRow, rowKey, this.ctx);
      const after = ta.indexKey(ix, newRow, newKey, this.ctx);
      if (before && after && !keyChanged && bytesEqual(before.key, after.key)) continue; // same entry (an expression with the same value)
      if (before) yield* this.write(ix.ks, before.key, undefined, 'delete');
      if (!after) continue; // a partial index the new row leaves
      const ok = yield* this.write(ix.ks, after.key, after.unique ? newKey : new Uint8Array(0), after.unique ? 'insert' : 'put');
      if (!ok) {
        throw new SbError(SqlState.unique_violation, `duplicate key value violates unique constraint "${ix.obj.name}"`, {
          table: ta.table.name, constraint: ix.obj.name,
          detail: `Key (${ix.keyNames.join(', ')})=(${formatKeyDetail(ta.indexValues(ix, newRow, this.ctx))}) already exists.`,
        });
      }
    }
    if (this.fks.isReferenced) yield* this.fks.onParentChange(oldRow, newRow);
    if (this.trackWritten) this.written.add(keyId(ta.ks.id, newKey));
    return newRow;
  }

  /**
   * After the row's new version is written: a delete or key change takes the
   * row's key lock (store/key_locks.ts) and waits for every shared lock on
   * it; any other change waits for FOR SHARE holders only.
   */
  private holdRowNow(rowKey: Uint8Array, keyChange: boolean): Txn | undefined {
    const txn = this.ctx.txn;
    return keyChange ? txn.lockKey(this.ta.ks, rowKey, this.fks.referenced) : txn.sharerBlocking(this.ta.ks, rowKey, false);
  }

  /** holdRowNow() found `sharer` in the way: waits for it, and for any after it, until the row is held. */
  private *holdRow(rowKey: Uint8Array, keyChange: boolean, sharer: Txn): Generator<Signal, void, void> {
    for (let s: Txn | undefined = sharer; s !== undefined; s = this.holdRowNow(rowKey, keyChange)) {
      yield { kind: 'wait', blocker: s };
    }
  }

  /**
   * After waiting for a blocker: READ COMMITTED re-reads the row's newest
   * version and re-applies the statement to it (null: it no longer
   * qualifies or was deleted); SNAPSHOT cannot (its callers come here only
   * when the blocker committed: one that rolled back changed nothing).
   */
  private recheck(rowKey: Uint8Array, extra?: unknown[]): { oldRow: unknown[]; newRow: unknown[] } | null {
    const txn = this.ctx.txn;
    if (txn.isolation !== 'read committed') {
      throw new SbError(SqlState.serialization_failure, 'could not serialize access due to concurrent update');
    }
    txn.refreshSnapshot();
    this.refreshed = true;
    const bytes = txn.get(this.ta.ks, rowKey);
    if (!bytes) return null;
    const row = decodeRow(bytes, this.ta.types, this.ta.missing);
    const rc = this.spec.recheck;
    // Joined forms re-test the new row version against the same FROM row.
    const seen = extra ? [...row, rowKey, ...extra] : row;
    if (rc?.where && this.evalRow([rc.where], seen)[0] !== true) return null;
    return { oldRow: row, newRow: rc?.newRow ? this.evalRow(rc.newRow, seen) : row };
  }

  /**
   * After a READ COMMITTED snapshot refresh, rows read before it may have
   * been changed by a transaction that committed meanwhile: a row whose
   * newest version differs is re-tested as after a wait.
   */
  private recheckStale(oldRow: unknown[], rowKey: Uint8Array, extra?: unknown[]): { oldRow: unknown[]; newRow: unknown[] } | 'same' | null {
    const bytes = this.ctx.txn.get(this.ta.ks, rowKey);
    if (!bytes) return null;
    if (bytesEqual(bytes, this.ta.encode(oldRow))) return 'same';
    return this.recheck(rowKey, extra);
  }

  private *deleteRow(oldRow: unknown[], rowKey: Uint8Array, extra?: unknown[]): Generator<Signal, unknown[] | null, void> {
    const ta = this.ta;
    if (this.refreshed) {
      const again = this.recheckStale(oldRow, rowKey, extra);
      if (again === null) return null;
      if (again !== 'same') oldRow = again.oldRow;
    }
    for (;;) {
      const r = this.ctx.txn.tryWrite(ta.ks, rowKey, undefined, 'delete');
      if (r === 'ok') break;
      yield { kind: 'wait', blocker: r as Txn };
      if (this.ctx.txn.isolation !== 'read committed' && (r as Txn).state !== 'committed') continue; // it rolled back: delete again
      const again = this.recheck(rowKey, extra);
      if (again === null) return null;
      oldRow = again.oldRow;
    }
    const sharer = this.holdRowNow(rowKey, true);
    if (sharer !== undefined) yield* this.holdRow(rowKey, true, sharer);
    for (const ix of ta.indexes) {
      const entry = ta.indexKey(ix, oldRow, rowKey, this.ctx);
      if (entry) yield* this.write(ix.ks, entry.key, undefined, 'delete');
    }
    if (this.fks.isReferenced) yield* this.fks.onParentChange(oldRow, null);
    return oldRow;
  }
}

function keyId(ks: number, key: Uint8Array): string {
  let s = `${ks}:`;
  for (const b of key) s += String.fromCharCode(b);
  return s;
}


function formatRow(row: unknown[]): string {
  return formatKeyDetail(row);
}
