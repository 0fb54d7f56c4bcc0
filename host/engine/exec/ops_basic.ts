// Row-shaping operators: one-row result, VALUES, filter, projection, limit,
// sort, distinct, append.

import { SbError, SqlState } from '../sb_error.ts';
import type { SortKey } from '../plan/nodes.ts';
import { compareValues, hashValue } from '../types/compare.ts';
import type { SqlType } from '../types/types.ts';
import { BATCH_ROWS, type Batch, emptyBatch, selectRows, sliceBatch } from './batch.ts';
import type { ExecContext } from './context.ts';
import type { VecFn } from './expr.ts';
import { type Operator, PAUSE, type Step } from './operator.ts';
import { kernelSortOrder } from './kernels.ts';

export abstract class BaseOp implements Operator {
  ctx!: ExecContext;
  constructor(readonly width: number) {}
  open(ctx: ExecContext): void {
    this.ctx = ctx;
  }
  abstract next(): Step;
  close(): void {}
}

/** SELECT without FROM: one row. */
export class ResultOp extends BaseOp {
  private done = false;
  constructor(private readonly exprs: VecFn[]) {
    super(exprs.length);
  }
  override open(ctx: ExecContext): void {
    super.open(ctx);
    this.done = false;
  }
  *next(): Step {
    if (this.done) return null;
    this.done = true;
    const one: Batch = { length: 1, cols: [] };
    return { length: 1, cols: this.exprs.map((f) => f(one, this.ctx)) };
  }
}

export class ValuesOp extends BaseOp {
  private i = 0;
  constructor(private readonly rows: VecFn[][], width: number) {
    super(width);
  }
  override open(ctx: ExecContext): void {
    super.open(ctx);
    this.i = 0;
  }
  *next(): Step {
    if (this.i >= this.rows.length) return null;
    const out = emptyBatch(this.width);
    const one: Batch = { length: 1, cols: [] };
    while (this.i < this.rows.length && out.length < BATCH_ROWS) {
      const row = this.rows[this.i++]!;
      for (let c = 0; c < this.width; c++) out.cols[c]!.push(row[c]!(one, this.ctx)[0]);
      out.length++;
    }
    return out;
  }
}

export class FilterOp extends BaseOp {
  constructor(private readonly input: Operator, private readonly pred: VecFn) {
    super(input.width);
  }
  override open(ctx: ExecContext): void {
    super.open(ctx);
    this.input.open(ctx);
  }
  override close(): void {
    this.input.close();
  }
  *next(): Step {
    for (;;) {
      const b = yield* this.input.next();
      if (b === null) return null;
      const v = this.pred(b, this.ctx);
      const sel: number[] = [];
      for (let i = 0; i < b.length; i++) if (v[i] === true) sel.push(i);
      if (sel.length > 0) return selectRows(b, sel, sel.length);
      if (this.ctx.tick()) yield PAUSE;
    }
  }
}

export class ProjectOp extends BaseOp {
  constructor(private readonly input: Operator, private readonly exprs: VecFn[]) {
    super(exprs.length);
  }
  override open(ctx: ExecContext): void {
    super.open(ctx);
    this.input.open(ctx);
  }
  override close(): void {
    this.input.close();
  }
  *next(): Step {
    const b = yield* this.input.next();
    if (b === null) return null;
    return { length: b.length, cols: this.exprs.map((f) => f(b, this.ctx)) };
  }
  nextSync(): Batch | null | undefined {
    const b = this.input.nextSync?.();
    if (b === undefined || b === null) return b;
    return { length: b.length, cols: this.exprs.map((f) => f(b, this.ctx)) };
  }
}

export class LimitOp extends BaseOp {
  private skipped = 0;
  private emitted = 0;
  private count = Infinity;
  private offset = 0;
  /** WITH TIES: the last emitted row's sort keys; rows equal to them still pass. */
  private tieKey: unknown[] | null = null;
  private tiesDone = false;

  constructor(
    private readonly input: Operator,
    private readonly countFn: VecFn | undefined,
    private readonly offsetFn: VecFn | undefined,
    private readonly ties?: CompiledSortKey[],
  ) {
    super(input.width);
  }
  override open(ctx: ExecContext): void {
    super.open(ctx);
    const one: Batch = { length: 1, cols: [] };
    const c = this.countFn ? this.countFn(one, ctx)[0] : null;
    const o = this.offsetFn ? this.offsetFn(one, ctx)[0] : null;
    this.count = c === null ? Infinity : Number(c);
    this.offset = o === null ? 0 : Number(o);
    if (this.count < 0) throw new SbError('2201W', 'LIMIT must not be negative');
    if (this.offset < 0) throw new SbError('2201X', 'OFFSET must not be negative');
    this.skipped = 0;
    this.emitted = 0;
    this.tieKey = null;
    this.tiesDone = false;
    this.input.open(ctx);
  }
  override close(): void {
    this.input.close();
  }
  *next(): Step {
    while (this.emitted < this.count) {
      const b = yield* this.input.next();
      if (b === null) return null;
      let from = 0;
      if (this.skipped < this.offset) {
        from = Math.min(b.length, this.offset - this.skipped);
        this.skipped += from;
      }
      const to = Math.min(b.length, from + (this.count - this.emitted));
      if (to <= from) continue;
      this.emitted += to - from;
      if (this.ties && this.emitted >= this.count) {
        // Rows after the last one that compare equal on the sort keys come too.
        const keys = this.ties.map((k) => k.fn(b, this.ctx));
        this.tieKey = keys.map((col) => col[to - 1]);
        let end = to;
        while (end < b.length && compareSortKeys(this.ties, keys.map((col) => col[end]), this.tieKey) === 0) end++;
        if (end < b.length) this.tiesDone = true;
        return sliceBatch(b, from, end);
      }
      return sliceBatch(b, from, to);
    }
    if (!this.ties || this.tieKey === null || this.tiesDone) return null;
    const b = yield* this.input.next();
    if (b === null) return null;
    const keys = this.ties.map((k) => k.fn(b, this.ctx));
    let end = 0;
    while (end < b.length && compareSortKeys(this.ties, keys.map((col) => col[end]), this.tieKey) === 0) end++;
    if (end < b.length) this.tiesDone = true;
    return sliceBatch(b, 0, end);
  }
}

export interface CompiledSortKey {
  fn: VecFn;
  type: SqlType;
  desc: boolean;
  nullsFirst: boolean;
}

/** Compares two rows' sort keys (keys[k][i]) under PostgreSQL's ordering rules. */
export function compareSortKeys(keys: CompiledSortKey[], a: unknown[], b: unknown[]): number {
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const x = a[k];
    const y = b[k];
    let c: number;
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      c = x === null ? (key.nullsFirst ? -1 : 1) : key.nullsFirst ? 1 : -1;
      if (c !== 0) return c;
      continue;
    }
    c = compareValues(key.type, x, y);
    if (c !== 0) return key.desc ? -c : c;
  }
  return 0;
}

/** Sorts all its input (stable). */
export class SortOp extends BaseOp {
  private rows: unknown[][] | null = null;
  private pos = 0;
  constructor(private readonly input: Operator, private readonly keys: CompiledSortKey[]) {
    super(input.width);
  }
  override open(ctx: ExecContext): void {
    super.open(ctx);
    this.rows = null;
    this.pos = 0;
    this.input.open(ctx);
  }
  override close(): void {
    this.input.close();
    this.rows = null;
  }
  *next(): Step {
    if (this.rows === null) {
      const items: Array<{ key: unknown[]; row: unknown[]; seq: number }> = [];
      for (;;) {
        const b = yield* this.input.next();
        if (b === null) break;
        const kcols = this.keys.map((k) => k.fn(b, this.ctx));
        for (let i = 0; i < b.length; i++) {
          const row = new Array<unknown>(b.cols.length);
          for (let c = 0; c < b.cols.length; c++) row[c] = b.cols[c]![i];
          items.push({ key: kcols.map((col) => col[i]), row, seq: items.length });
        }
        if (this.ctx.tick()) yield PAUSE;
      }
      // One key ordered as numbers: the sort kernel (tools/bench/exec_micro.ts), else TypeScript.
      const k0 = this.keys[0]!;
      const order = this.keys.length === 1 ? kernelSortOrder(k0.type.id, k0.desc, k0.nullsFirst, items.map((x) => x.key[0])) : null;
      if (order !== null) {
        this.rows = Array.from(order, (i) => items[i]!.row);
      } else {
        items.sort((a, b) => compareSortKeys(this.keys, a.key, b.key) || a.seq - b.seq);
        this.rows = items.map((x) => x.row);
      }
    }
    if (this.pos >= this.rows.length) return null;
    const out = emptyBatch(this.width);
    const end = Math.min(this.rows.length, this.pos + BATCH_ROWS);
    for (; this.pos < end; this.pos++) {
      const r = this.rows[this.pos]!;
      for (let c = 0; c < this.width; c++) out.cols[c]!.push(r[c]);
      out.length++;
    }
    return out;
  }
}

/** A hashable key of several values that is equal exactly when the values are (NULLs equal, as DISTINCT/GROUP BY need). */
export function groupKey(types: readonly SqlType[], values: readonly unknown[]): string {
  let k = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // NULL's marker cannot begin a value's part (each starts with \u0000): 'N' and NULL stay apart.
    k += v === null ? '\u0001' : `\u0000${String(hashValue(types[i]!, v))}`;
  }
  return k;
}

/** DISTINCT (all columns) or DISTINCT ON (the `on` expressions, on sorted input). */
export class DistinctOp extends BaseOp {
  private seen = new Set<string>();
  constructor(
    private readonly input: Operator,
    private readonly types: SqlType[],
    private readonly on?: { fns: VecFn[]; types: SqlType[] },
  ) {
    super(input.width);
  }
  override open(ctx: ExecContext): void {
    super.open(ctx);
    this.seen = new Set();
    this.input.open(ctx);
  }
  override close(): void {
    this.input.close();
  }
  *next(): Step {
    for (;;) {
      const b = yield* this.input.next();
      if (b === null) return null;
      const keyCols = this.on ? this.on.fns.map((f) => f(b, this.ctx)) : b.cols;
      const keyTypes = this.on ? this.on.types : this.types;
      const sel: number[] = [];
      for (let i = 0; i < b.length; i++) {
        const k = groupKey(keyTypes, keyCols.map((c) => c[i]));
        if (this.seen.has(k)) continue;
        this.seen.add(k);
        sel.push(i);
      }
      if (sel.length > 0) return selectRows(b, sel, sel.length);
    }
  }
}

/** UNION ALL of its inputs, in order. */
export class AppendOp extends BaseOp {
  private i = 0;
  constructor(private readonly inputs: Operator[], width: number) {
    super(width);
  }
  override open(ctx: ExecContext): void {
    super.open(ctx);
    this.i = 0;
    for (const x of this.inputs) x.open(ctx);
  }
  override close(): void {
    for (const x of this.inputs) x.close();
  }
  *next(): Step {
    while (this.i < this.inputs.length) {
      const b = yield* this.inputs[this.i]!.next();
      if (b !== null) return b;
      this.i++;
    }
    return null;
  }
}

export function requireBool(v: unknown): boolean | null {
  if (v === null || typeof v === 'boolean') return v;
  throw new SbError(SqlState.datatype_mismatch, 'argument must be type boolean');
}

export type { SortKey };
