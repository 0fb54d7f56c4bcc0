// FOREIGN KEY enforcement: a child row must reference an existing parent
// row; changing or deleting a parent row applies the constraint's ON UPDATE /
// ON DELETE action (NO ACTION, RESTRICT, CASCADE, SET NULL, SET DEFAULT) to
// the rows that reference it.

import { SbError, SqlState } from '../sb_error.ts';
import type { ConstraintObj } from '../catalog/objects.ts';
import { KeyWriter } from '../keys/key_encoding.ts';
import { equalValues } from '../types/compare.ts';
import { Numeric } from '../types/numeric.ts';
import { type Batch, emptyBatch } from './batch.ts';
import type { ExecContext } from './context.ts';
import { decodeRow } from './row_codec.ts';
import { keyValue, type TableAccess } from './table_access.ts';
import { BaseOp } from './ops_basic.ts';
import type { Signal, Step } from './operator.ts';
// ModifyOp and ForeignKeys use each other; both only at run time, so the cycle is harmless.
import { ModifyOp } from './ops_modify.ts';

export function formatKeyDetail(values: unknown[]): string {
  return values.map((v) => (v === null || v === undefined ? 'null' : v instanceof Numeric ? v.toString() : String(v))).join(', ');
}

export class ForeignKeys {
  private readonly asChild: ConstraintObj[];
  private readonly asParent: ConstraintObj[];

  constructor(private readonly ctx: ExecContext, private readonly ta: TableAccess) {
    this.asChild = ctx.catalog.constraintsOf(ta.table.oid).filter((c) => c.type === 'f');
    this.asParent = ctx.catalog.referencing(ta.table.oid);
  }

  /** The parent rows referenced by a new or updated child row must exist. */
  *checkParents(row: unknown[], oldRow: unknown[] | null): Generator<Signal, void, void> {
    for (const fk of this.asChild) {
      const vals = fk.attnums.map((a) => row[a - 1]);
      if (vals.some((v) => v === null || v === undefined)) continue; // MATCH SIMPLE: a NULL disables the check
      if (oldRow && fk.attnums.every((a, i) => sameKeyValue(this.ta, a, oldRow[a - 1], vals[i]))) continue;
      if (!this.parentExists(fk, vals)) {
        const parent = this.ctx.catalog.table(fk.ref!.tableOid)!;
        throw new SbError(SqlState.foreign_key_violation,
          `insert or update on table "${this.ta.table.name}" violates foreign key constraint "${fk.name}"`, {
            table: this.ta.table.name, constraint: fk.name,
            detail: `Key (${fk.attnums.map((a) => this.ta.table.columns[a - 1]!.name).join(', ')})=(${formatKeyDetail(vals)}) is not present in table "${parent.name}".`,
          });
      }
    }
  }

  private parentExists(fk: ConstraintObj, vals: unknown[]): boolean {
    const pta = this.ctx.tables.get(fk.ref!.tableOid);
    const refPositions = fk.ref!.attnums.map((a) => a - 1);
    // The primary key when it is exactly the referenced columns...
    if (pta.pkPositions && sameSet(pta.pkPositions, refPositions)) {
      const row: unknown[] = [];
      refPositions.forEach((p, i) => (row[p] = vals[i]));
      return this.ctx.txn.get(pta.ks, pta.rowKey(row)) !== undefined;
    }
    // ...else a unique index on them.
    const ix = pta.indexes.find((i) => i.obj.unique && sameSet(i.positions, refPositions));
    if (ix) {
      const kw = new KeyWriter();
      ix.positions.forEach((p, k) => kw.value(ix.cols[k]!, keyValue(vals[refPositions.indexOf(p)])));
      return this.ctx.txn.get(ix.ks, kw.bytes()) !== undefined;
    }
    throw new SbError(SqlState.invalid_column_reference, `there is no unique constraint matching given keys for referenced table "${pta.table.name}"`);
  }

  /** A parent row was updated (newRow) or deleted (null): act on the rows referencing it. */
  *onParentChange(oldRow: unknown[], newRow: unknown[] | null): Generator<Signal, void, void> {
    for (const fk of this.asParent) {
      const refPos = fk.ref!.attnums.map((a) => a - 1);
      const oldKey = refPos.map((p) => oldRow[p]);
      if (oldKey.some((v) => v === null)) continue;
      if (newRow && refPos.every((p) => sameKeyValue(this.ta, p + 1, oldRow[p], newRow[p]))) continue;
      const action = newRow ? fk.ref!.onUpdate : fk.ref!.onDelete;
      const child = this.ctx.tables.get(fk.tableOid);
      const children = this.findChildren(child, fk, oldKey);
      if (children.length === 0) continue;
      if (action === 'a' || action === 'r') {
        throw new SbError(SqlState.foreign_key_violation,
          `update or delete on table "${this.ta.table.name}" violates foreign key constraint "${fk.name}" on table "${child.table.name}"`, {
            table: child.table.name, constraint: fk.name,
            detail: `Key (${refPos.map((p) => this.ta.table.columns[p]!.name).join(', ')})=(${formatKeyDetail(oldKey)}) is still referenced from table "${child.table.name}".`,
          });
      }
      const n = child.types.length;
      const rows: unknown[][] = [];
      let op: 'update' | 'delete';
      if (action === 'c' && !newRow) {
        op = 'delete';
        for (const c of children) rows.push([...c.row, c.rowKey]);
      } else {
        op = 'update';
        for (const c of children) {
          const next = c.row.slice();
          fk.attnums.forEach((a, i) => {
            if (action === 'c') next[a - 1] = newRow![refPos[i]!];
            else if (action === 'n') next[a - 1] = null;
            else next[a - 1] = this.columnDefault(child, a);
          });
          rows.push([...c.row, ...next, c.rowKey]);
        }
      }
      const nested = new ModifyOp(new RowsOp(rows, op === 'delete' ? n + 1 : 2 * n + 1), { op, tableOid: child.table.oid, checks: [] }, 0);
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

  private columnDefault(child: TableAccess, attnum: number): unknown {
    const col = child.table.columns[attnum - 1]!;
    if (col.default === undefined) return null;
    throw new SbError(SqlState.feature_not_supported, 'ON DELETE/UPDATE SET DEFAULT with a non-NULL default is not supported yet');
  }

  private findChildren(child: TableAccess, fk: ConstraintObj, key: unknown[]): Array<{ row: unknown[]; rowKey: Uint8Array }> {
    const out: Array<{ row: unknown[]; rowKey: Uint8Array }> = [];
    const fkPos = fk.attnums.map((a) => a - 1);
    const c = this.ctx.txn.scan(child.ks);
    try {
      while (c.next()) {
        const row = decodeRow(c.value, child.types, child.missing);
        if (fkPos.every((p, i) => row[p] !== null && equalValues(child.types[p]!, row[p], key[i]))) {
          out.push({ row, rowKey: c.key.slice() });
        }
      }
    } finally {
      c.close();
    }
    return out;
  }
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
