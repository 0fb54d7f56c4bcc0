// FOREIGN KEY enforcement: a child row must reference an existing parent
// row; changing or deleting a parent row applies the constraint's ON UPDATE /
// ON DELETE action (NO ACTION, RESTRICT, CASCADE, SET NULL, SET DEFAULT) to
// the rows that reference it.

import { SbError, SqlState } from '../sb_error.ts';
import { TableLockMode } from '../store/table_locks.ts';
import type { ConstraintObj } from '../catalog/objects.ts';
import { type KeyColumn, KeyReader, KeyWriter, prefixSuccessor } from '../keys/key_encoding.ts';
import { bytesEqual, equalValues } from '../types/compare.ts';
import { Numeric } from '../types/numeric.ts';
import { type Batch, emptyBatch } from './batch.ts';
import type { ExecContext } from './context.ts';
import { decodeRow } from './row_codec.ts';
import { keyValue, type TableAccess } from './table_access.ts';
import { BaseOp } from './ops_basic.ts';
import { lockTableWaiting, type Signal, type Step } from './operator.ts';
import type { VecFn } from './expr.ts';
// ModifyOp and ForeignKeys use each other; both only at run time, so the cycle is harmless.
import { ModifyOp } from './ops_modify.ts';

export function formatKeyDetail(values: unknown[]): string {
  return values.map((v) => (v === null || v === undefined ? 'null' : v instanceof Numeric ? v.toString() : String(v))).join(', ');
}

/**
 * Checks PostgreSQL runs at the end of the statement (its RI triggers fire
 * after the statement): a child row's parent may be written later in the
 * same statement (self-references, cascades), and a NO ACTION parent change
 * is fine when the references are gone by then. The statement's own writes
 * are invisible to its reads until the end, so these wait for finish().
 */
export interface FkPending {
  parents: Array<{ child: TableAccess; fk: ConstraintObj; vals: unknown[] }>;
  /**
   * referenced: the key was still referenced when the check's turn came, before a later
   * foreign key's ON DELETE/UPDATE action on the same child table changed those rows.
   */
  noAction: Array<{ parent: TableAccess; fk: ConstraintObj; key: unknown[]; referenced?: boolean }>;
  /**
   * Child rows the statement's ON DELETE/UPDATE actions changed so far
   * ('<table oid>:<row key>' -> the new row, or null when deleted): reads
   * during the statement do not see its own writes, so a NO ACTION check's
   * turn (above) consults this.
   */
  changed?: Map<string, unknown[] | null>;
}

export class ForeignKeys {
  private readonly asChild: readonly ConstraintObj[];
  private readonly asParent: readonly ConstraintObj[];

  constructor(
    private readonly ctx: ExecContext,
    private readonly ta: TableAccess,
    /** End-of-statement checks, shared by the statement's nested (cascaded) modifications. */
    readonly pending: FkPending = { parents: [], noAction: [] },
    /** The foreign key whose ON UPDATE/DELETE action this (nested) modification performs. */
    private readonly cascadeFrom?: number,
    private readonly defaults?: Map<string, VecFn>,
  ) {
    this.asChild = ctx.catalog.foreignKeysOf(ta.table.oid);
    this.asParent = ctx.catalog.referencing(ta.table.oid);
  }

  /** The table holds foreign keys: new and changed rows need checkParents(). */
  get checksParents(): boolean {
    return this.asChild.length > 0;
  }

  /** Foreign keys reference the table: changed and deleted rows need onParentChange(). */
  get isReferenced(): boolean {
    return this.asParent.length > 0;
  }

  /**
   * finish() without a generator when no check is pending (the usual case):
   * ends the statement and returns true; false when finish() must run.
   */
  finishedWithoutChecks(): boolean {
    if (this.pending.parents.length > 0 || this.pending.noAction.length > 0) return false;
    this.ctx.txn.endStatement();
    return true;
  }

  /** The parent rows referenced by a new or updated child row must exist (checked at finish()). */
  *checkParents(row: unknown[], oldRow: unknown[] | null): Generator<Signal, void, void> {
    for (const fk of this.asChild) {
      if (fk.oid === this.cascadeFrom) continue; // the parent itself supplied the new value
      const vals = fk.attnums.map((a) => row[a - 1]);
      if (vals.some((v) => v === null || v === undefined)) continue; // MATCH SIMPLE: a NULL disables the check
      if (oldRow && fk.attnums.every((a, i) => sameKeyValue(this.ta, a, oldRow[a - 1], vals[i]))) continue;
      this.pending.parents.push({ child: this.ta, fk, vals });
    }
  }

  /**
   * Runs the end-of-statement checks (the statement's writes are visible to
   * them); checks of INITIALLY DEFERRED constraints go to the transaction's
   * list, run at COMMIT (checkDeferred).
   */
  *finish(): Generator<Signal, void, void> {
    this.ctx.txn.endStatement();
    const sink = this.ctx.deferredChecks;
    if (sink && (this.pending.parents.length > 0 || this.pending.noAction.length > 0)) {
      const keep = (d: boolean | undefined): boolean => !d;
      sink.parents.push(...this.pending.parents.filter((p) => p.fk.deferred));
      sink.noAction.push(...this.pending.noAction.filter((p) => p.fk.deferred));
      this.pending.parents = this.pending.parents.filter((p) => keep(p.fk.deferred));
      this.pending.noAction = this.pending.noAction.filter((p) => keep(p.fk.deferred));
    }
    yield* this.runChecks();
  }

  /** Checks the pending references now (waiting where a parent row is being deleted or re-keyed). */
  *runChecks(): Generator<Signal, void, void> {
    for (const { child, fk, vals } of this.pending.parents) yield* this.checkParent(child, fk, vals);
    for (const { parent, fk, key, referenced } of this.pending.noAction) {
      if (this.parentRow(fk, key) !== undefined) continue; // the key is back (updated to itself or re-inserted)
      const child = this.ctx.tables.get(fk.tableOid);
      yield* lockTableWaiting(this.ctx.txn, child, TableLockMode.RowShare);
      if (!referenced && this.childrenNow(child, fk, key, false).length === 0) continue;
      throw this.stillReferenced(parent, child, fk, key);
    }
    this.pending.parents.length = 0;
    this.pending.noAction.length = 0;
  }

  /**
   * A new or changed child row's parent must exist, and must stay: the check
   * takes ROW SHARE on the parent table (as PostgreSQL's RI query does; a
   * parent's delete or key change takes it on the child) and a KEY SHARE
   * lock on the parent row it finds (store/key_locks.ts), so a transaction deleting that row or changing its key waits for this one
   * to end, and this check waits for such a transaction that came first, then
   * looks again. READ COMMITTED looks at the newest committed parent, as
   * PostgreSQL's check does; REPEATABLE READ and SERIALIZABLE use their
   * snapshot, and a parent gone since then (deleted or re-keyed by a
   * transaction that committed meanwhile) is a serialization failure.
   */
  private *checkParent(child: TableAccess, fk: ConstraintObj, vals: unknown[]): Generator<Signal, void, void> {
    const txn = this.ctx.txn;
    const pta = this.ctx.tables.get(fk.ref!.tableOid);
    yield* lockTableWaiting(txn, pta, TableLockMode.RowShare);
    const rc = txn.isolation === 'read committed';
    for (;;) {
      const key = rc ? this.atNewest(() => this.parentRow(fk, vals)) : this.parentRow(fk, vals);
      if (key === undefined) {
        throw new SbError(SqlState.foreign_key_violation,
          `insert or update on table "${child.table.name}" violates foreign key constraint "${fk.name}"`, {
            table: child.table.name, constraint: fk.name,
            detail: `Key (${fk.attnums.map((a) => child.table.columns[a - 1]!.name).join(', ')})=(${formatKeyDetail(vals)}) is not present in table "${pta.table.name}".`,
          });
      }
      const blocker = txn.lockKeyShare(pta.ks, key);
      if (blocker === undefined) {
        if (!rc && this.atNewest(() => this.parentRow(fk, vals)) === undefined) throw concurrentUpdate();
        return;
      }
      yield { kind: 'wait', blocker };
    }
  }

  /** Foreign keys reference this table. */
  get referenced(): boolean {
    return this.asParent.length > 0;
  }

  /** An UPDATE changes a key that a foreign key references (a DELETE always does: see keyChanges). */
  referencedKeyChanges(oldRow: unknown[], newRow: unknown[]): boolean {
    return this.asParent.length > 0 && this.asParent.some((fk) => this.keyChanges(fk, oldRow, newRow));
  }

  /** The parent row's change touches the foreign key's referenced columns (a delete always does; NULLs reference nothing). */
  private keyChanges(fk: ConstraintObj, oldRow: unknown[], newRow: unknown[] | null): boolean {
    const refPos = fk.ref!.attnums.map((a) => a - 1);
    if (refPos.some((p) => oldRow[p] === null)) return false;
    return !newRow || !refPos.every((p) => sameKeyValue(this.ta, p + 1, oldRow[p], newRow[p]));
  }

  /** Runs a read at the newest committed state instead of the statement's snapshot. */
  private atNewest<T>(fn: () => T): T {
    return this.ctx.txn.readingAt(this.ctx.store.snapshotStamp(), fn);
  }

  /**
   * The rows referencing `key`, as PostgreSQL's RI queries see them: a NO
   * ACTION or RESTRICT check (`forAction` false) the newest committed ones
   * at any isolation level (a referencing row committed after a REPEATABLE
   * READ snapshot is still a 23503); an ON DELETE / UPDATE action
   * (`forAction`) under READ COMMITTED the newest too, under REPEATABLE READ
   * and SERIALIZABLE its snapshot's, and a referencing row committed since
   * then is a serialization failure (the action cannot change a row its
   * snapshot does not see).
   */
  private childrenNow(child: TableAccess, fk: ConstraintObj, key: unknown[], forAction: boolean): Array<{ row: unknown[]; rowKey: Uint8Array }> {
    const txn = this.ctx.txn;
    if (this.ctx.store.snapshotStamp() <= txn.snapshot) return this.findChildren(child, fk, key);
    if (!forAction || txn.isolation === 'read committed') return this.atNewest(() => this.findChildren(child, fk, key));
    const seen = this.findChildren(child, fk, key);
    const now = this.atNewest(() => this.findChildren(child, fk, key));
    if (now.some((c) => !seen.some((s) => bytesEqual(s.rowKey, c.rowKey)))) throw concurrentUpdate();
    return seen;
  }

  /** COMMIT: the checks of deferred constraints collected during the transaction. */
  static *checkDeferred(ctx: ExecContext, pending: FkPending): Generator<Signal, void, void> {
    const first = pending.parents[0]?.child ?? pending.noAction[0]?.parent;
    if (!first) return;
    const fks = new ForeignKeys(ctx, ctx.tables.get(first.table.oid), {
      // Re-resolve the tables: the catalog may have changed since the statements ran.
      parents: pending.parents.map((p) => ({ ...p, child: ctx.tables.get(p.child.table.oid) })),
      noAction: pending.noAction.map((p) => ({ ...p, parent: ctx.tables.get(p.parent.table.oid) })),
    });
    yield* fks.runChecks();
  }

  private stillReferenced(parent: TableAccess, child: TableAccess, fk: ConstraintObj, key: unknown[]): SbError {
    const refPos = fk.ref!.attnums.map((a) => a - 1);
    return new SbError(SqlState.foreign_key_violation,
      `update or delete on table "${parent.table.name}" violates foreign key constraint "${fk.name}" on table "${child.table.name}"`, {
        table: child.table.name, constraint: fk.name,
        detail: `Key (${refPos.map((p) => parent.table.columns[p]!.name).join(', ')})=(${formatKeyDetail(key)}) is still referenced from table "${child.table.name}".`,
      });
  }

  /** The row key of the parent row holding `vals` in the referenced columns (visible to the transaction), or undefined. */
  private parentRow(fk: ConstraintObj, vals: unknown[]): Uint8Array | undefined {
    const pta = this.ctx.tables.get(fk.ref!.tableOid);
    const refPositions = fk.ref!.attnums.map((a) => a - 1);
    // The primary key when it is exactly the referenced columns...
    if (pta.pkPositions && sameSet(pta.pkPositions, refPositions)) {
      const row: unknown[] = [];
      refPositions.forEach((p, i) => (row[p] = vals[i]));
      const key = pta.rowKey(row);
      return this.ctx.txn.getInPlace(pta.ks, key) >= 0 ? key : undefined;
    }
    // ...else a unique index on them (its entries hold the row key).
    const ix = pta.indexes.find((i) => i.obj.unique && !i.pred && sameSet(i.positions, refPositions));
    if (ix) {
      const kw = new KeyWriter();
      ix.positions.forEach((p, k) => kw.value(ix.cols[k]!, keyValue(vals[refPositions.indexOf(p)])));
      return this.ctx.txn.get(ix.ks, kw.bytes());
    }
    throw new SbError(SqlState.invalid_column_reference, `there is no unique constraint matching given keys for referenced table "${pta.table.name}"`);
  }

  /**
   * A parent row was updated (newRow) or deleted (null): act on the rows
   * referencing it. The actions of every foreign key on one child table are
   * merged per child row first (a row referencing the parent twice gets both
   * changes in one write; a cascaded delete wins), then applied by one nested
   * modification per child table.
   */
  *onParentChange(oldRow: unknown[], newRow: unknown[] | null): Generator<Signal, void, void> {
    if (this.asParent.length === 0) return; // nothing references this table (and no closures to make per row)
    const byChild = new Map<number, { child: TableAccess; rows: Map<string, ChildChange>; cascadeFrom?: number; sets: number }>();
    const applies = (fk: ConstraintObj): boolean => this.keyChanges(fk, oldRow, newRow);
    const actionOf = (fk: ConstraintObj): string => (newRow ? fk.ref!.onUpdate : fk.ref!.onDelete);
    for (let i = 0; i < this.asParent.length; i++) {
      const fk = this.asParent[i]!;
      if (!applies(fk)) continue;
      const refPos = fk.ref!.attnums.map((a) => a - 1);
      const oldKey = refPos.map((p) => oldRow[p]);
      const action = actionOf(fk);
      const child = this.ctx.tables.get(fk.tableOid);
      yield* lockTableWaiting(this.ctx.txn, child, TableLockMode.RowShare);
      if (action === 'a') {
        // PostgreSQL fires a parent row's RI triggers in creation order: when a later foreign key's
        // CASCADE / SET NULL / SET DEFAULT rewrites rows of the same child table, this check ran first
        // and saw the rows still referencing the key.
        const later = !fk.deferred && this.asParent.slice(i + 1).some((o) => o.tableOid === fk.tableOid && 'cnd'.includes(actionOf(o)) && applies(o));
        const referenced = later && this.childrenNow(child, fk, oldKey, false).some((c) => this.stillReferences(child, fk, c, oldKey));
        this.pending.noAction.push({ parent: this.ta, fk, key: oldKey, ...(referenced ? { referenced } : {}) });
        continue;
      }
      const children = this.childrenNow(child, fk, oldKey, action !== 'r');
      if (children.length === 0) continue;
      if (action === 'r') throw this.stillReferenced(this.ta, child, fk, oldKey);
      let group = byChild.get(child.table.oid);
      if (!group) byChild.set(child.table.oid, (group = { child, rows: new Map(), sets: 0 }));
      // CASCADE copies the parent's own new key: that key needs no lookup; SET NULL/DEFAULT values do.
      if (action === 'c' && newRow) group.cascadeFrom = fk.oid;
      else if (action !== 'c') group.sets++;
      for (const c of children) {
        const id = keyString(c.rowKey);
        let change = group.rows.get(id);
        if (!change) group.rows.set(id, (change = { row: c.row, next: c.row.slice(), rowKey: c.rowKey, del: false }));
        if (action === 'c' && !newRow) {
          change.del = true;
          continue;
        }
        fk.attnums.forEach((a, i) => {
          if (action === 'c') change!.next[a - 1] = newRow![refPos[i]!];
          else if (action === 'n') change!.next[a - 1] = null;
          else change!.next[a - 1] = this.columnDefault(child, a);
        });
      }
    }
    for (const { child, rows, cascadeFrom, sets } of byChild.values()) {
      const changed = (this.pending.changed ??= new Map());
      for (const [id, c] of rows) changed.set(`${child.table.oid}:${id}`, c.del ? null : c.next);
      const n = child.types.length;
      const dels = [...rows.values()].filter((c) => c.del).map((c) => [...c.row, c.rowKey]);
      const upds = [...rows.values()].filter((c) => !c.del).map((c) => [...c.row, ...c.next, c.rowKey]);
      const batches: Array<['delete' | 'update', unknown[][]]> = [['delete', dels], ['update', upds]];
      for (const [op, list] of batches) {
        if (list.length === 0) continue;
        const nested = new ModifyOp(new RowsOp(list, op === 'delete' ? n + 1 : 2 * n + 1), {
          op, tableOid: child.table.oid, checks: [], fkPending: this.pending,
          ...(cascadeFrom !== undefined && sets === 0 ? { cascadeFrom } : {}), ...(this.defaults ? { fkDefaults: this.defaults } : {}),
        }, 0);
        nested.open(this.ctx);
        try {
          while ((yield* nested.next()) !== null) {
            /* drain */
          }
        } finally {
          nested.close();
        }
      }
    }
  }

  /** A child row found by a read in the statement still references `key` once the statement's earlier actions are applied. */
  private stillReferences(child: TableAccess, fk: ConstraintObj, c: { row: unknown[]; rowKey: Uint8Array }, key: unknown[]): boolean {
    const now = this.pending.changed?.get(`${child.table.oid}:${keyString(c.rowKey)}`);
    if (now === undefined) return true;
    if (now === null) return false;
    return fk.attnums.every((a, i) => now[a - 1] !== null && equalValues(child.types[a - 1]!, now[a - 1], key[i]));
  }

  private columnDefault(child: TableAccess, attnum: number): unknown {
    const col = child.table.columns[attnum - 1]!;
    const fn = this.defaults?.get(`${child.table.oid}:${attnum}`);
    if (fn) return fn({ length: 1, cols: [] }, this.ctx)[0];
    if (col.default === undefined && col.identitySeq === undefined) return null;
    throw new SbError(SqlState.internal_error, `the default of column "${col.name}" was not prepared for ON DELETE/UPDATE SET DEFAULT`);
  }

  /**
   * The rows of `child` whose foreign key columns hold `key`: through the
   * child's primary key or an index when its leading columns are the foreign
   * key's (a prefix scan), else by reading the whole table.
   */
  private findChildren(child: TableAccess, fk: ConstraintObj, key: unknown[]): Array<{ row: unknown[]; rowKey: Uint8Array }> {
    const out: Array<{ row: unknown[]; rowKey: Uint8Array }> = [];
    const fkPos = fk.attnums.map((a) => a - 1);
    const matches = (row: unknown[]): boolean => fkPos.every((p, i) => row[p] !== null && equalValues(child.types[p]!, row[p], key[i]));
    const txn = this.ctx.txn;
    const path = this.childPath(child, fk);
    if (path !== undefined) {
      const kw = new KeyWriter();
      for (let j = 0; j < fkPos.length; j++) kw.value(path.cols[j]!, keyValue(key[fkPos.indexOf(path.positions[j]!)]));
      const lo = kw.bytes();
      const hi = prefixSuccessor(lo);
      const c = txn.scan(path.ks, { lo, loInclusive: true, ...(hi ? { hi, hiInclusive: false } : {}) });
      try {
        while (c.next()) {
          let rowKey: Uint8Array;
          let bytes: Uint8Array | undefined;
          if (path.ks === child.ks) {
            rowKey = c.key.slice();
            bytes = c.value;
          } else {
            if (c.valueEnd > c.valueStart) rowKey = c.value.slice(); // a unique entry: its value is the row key
            else {
              const r = new KeyReader(c.key);
              for (const col of path.cols) r.skip(col);
              rowKey = c.key.slice(r.pos);
            }
            bytes = txn.get(child.ks, rowKey);
            if (bytes === undefined) continue;
          }
          const row = decodeRow(bytes, child.types, child.missing);
          if (matches(row)) out.push({ row, rowKey });
        }
      } finally {
        c.close();
      }
      return out;
    }
    const c = txn.scan(child.ks);
    try {
      while (c.next()) {
        const row = decodeRow(c.value, child.types, child.missing);
        if (matches(row)) out.push({ row, rowKey: c.key.slice() });
      }
    } finally {
      c.close();
    }
    return out;
  }

  /**
   * Where the rows referencing a parent key can be found by a prefix scan:
   * the child's primary key, else a plain index (no predicate, no
   * expressions), whose leading columns are the foreign key's columns, each
   * of the referenced column's type (so the parent's values encode as the
   * child's keys do). Undefined: read the whole table.
   */
  private childPath(child: TableAccess, fk: ConstraintObj): { ks: TableAccess['ks']; cols: KeyColumn[]; positions: number[] } | undefined {
    const fkPos = fk.attnums.map((a) => a - 1);
    const parent = this.ctx.tables.get(fk.ref!.tableOid);
    const refPos = fk.ref!.attnums.map((a) => a - 1);
    const sameTypes = fkPos.every((p, i) => child.types[p]?.id === parent.types[refPos[i]!]?.id);
    if (!sameTypes) return undefined;
    const leads = (positions: readonly number[]): boolean => positions.length >= fkPos.length && sameSet(positions.slice(0, fkPos.length), fkPos);
    if (child.pkPositions && leads(child.pkPositions)) return { ks: child.ks, cols: child.pkCols, positions: child.pkPositions };
    const ix = child.indexes.find((i) => !i.pred && !i.exprs && !i.positions.includes(-1) && leads(i.positions));
    return ix ? { ks: ix.ks, cols: ix.cols, positions: ix.positions } : undefined;
  }
}

interface ChildChange {
  row: unknown[];
  next: unknown[];
  rowKey: Uint8Array;
  del: boolean;
}

function keyString(k: Uint8Array): string {
  let s = '';
  for (const b of k) s += String.fromCharCode(b);
  return s;
}

/** Operator over rows already in memory (nested modifications). */
export class RowsOp extends BaseOp {
  private done = false;
  constructor(private readonly rows: unknown[][], width: number) {
    super(width);
  }
  override open(ctx: ExecContext): void {
    super.open(ctx);
    this.done = false;
  }
  *next(): Step {
    if (this.done || this.rows.length === 0) return null;
    this.done = true;
    const b: Batch = emptyBatch(this.width);
    for (const r of this.rows) {
      for (let c = 0; c < this.width; c++) b.cols[c]!.push(r[c]);
      b.length++;
    }
    return b;
  }
}

function sameSet(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function sameKeyValue(ta: TableAccess, attnum: number, a: unknown, b: unknown): boolean {
  if (a === null || b === null || a === undefined || b === undefined) return a === b;
  return equalValues(ta.types[attnum - 1]!, a, b);
}

function concurrentUpdate(): SbError {
  return new SbError(SqlState.serialization_failure, 'could not serialize access due to concurrent update');
}
