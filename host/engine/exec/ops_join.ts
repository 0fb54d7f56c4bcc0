// Join operators, batch at a time.
//
// HashJoinOp builds a hash table on the right input (keys from rightKeys; a
// row with a NULL key never matches but is kept for RIGHT/FULL padding) and
// probes it with each left batch. NestedLoopOp materialises the right input
// once, or, for a LATERAL right side, re-opens it for every left row with
// that row pushed as outer level 1. Both evaluate the residual condition over
// candidate pairs gathered into batches of up to BATCH_ROWS rows, and pad
// outer joins with NULLs as PostgreSQL does.

import type { Expr, JoinType, Plan } from '../plan/nodes.ts';
import { someExpr } from '../plan/walk.ts';

type ScanPlan = Extract<Plan, { n: 'scan' }>;
import { hashValue } from '../types/compare.ts';
import type { SqlType } from '../types/types.ts';
import { BATCH_ROWS, type Batch } from './batch.ts';
import type { ExecContext } from './context.ts';
import type { VecFn } from './expr.ts';
import { notSupported, type Operator, PAUSE, type Signal, type Step } from './operator.ts';
import { compileEnv, registerBuilder } from './build.ts';
import { compileExpr } from './expr.ts';

/** Rows of an input held in memory, column-major. */
export class RowStore {
  readonly cols: unknown[][] = [];
  length = 0;
  constructor(width: number) {
    for (let c = 0; c < width; c++) this.cols.push([]);
  }
  append(b: Batch): void {
    for (let c = 0; c < this.cols.length; c++) {
      const dst = this.cols[c]!;
      const src = b.cols[c]!;
      for (let i = 0; i < b.length; i++) dst.push(src[i]);
    }
    this.length += b.length;
  }
}

export function gather(src: unknown[], idx: ArrayLike<number>, n: number): unknown[] {
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = src[idx[i]!];
  return out;
}

function nulls(n: number): unknown[] {
  return new Array<unknown>(n).fill(null);
}

/** Reads an operator to its end into a RowStore. */
export function* materialize(op: Operator, ctx: ExecContext): Generator<Signal, RowStore, void> {
  const store = new RowStore(op.width);
  for (;;) {
    const b = yield* op.next();
    if (b === null) break;
    store.append(b);
    if (ctx.tick()) yield PAUSE;
  }
  return store;
}

/** Shared output logic: candidate pairs -> filtered by the condition -> queued output batches. */
abstract class JoinBase implements Operator {
  readonly width: number;
  protected ctx!: ExecContext;
  protected out: Batch[] = [];
  protected leftDone = false;
  constructor(
    protected readonly left: Operator,
    protected readonly right: Operator,
    protected readonly type: JoinType,
    protected readonly cond: VecFn | undefined,
  ) {
    this.width = this.leftOnly ? left.width : left.width + right.width;
  }

  /** SEMI / ANTI joins output the left row only, once, when it has (has no) match. */
  protected get leftOnly(): boolean {
    return this.type === 'semi' || this.type === 'anti';
  }

  open(ctx: ExecContext): void {
    this.ctx = ctx;
    this.out = [];
    this.leftDone = false;
    this.left.open(ctx);
    this.right.open(ctx);
  }

  close(): void {
    this.left.close();
    this.right.close();
    this.out = [];
  }

  abstract next(): Step;

  /** Queues the pairs (lb row li[k], right row ri[k]) that satisfy the condition; marks matched rows. */
  protected emitPairs(lb: Batch, li: number[], rcols: unknown[][], ri: number[], leftMatched: Uint8Array | undefined, rightMatched: Uint8Array | undefined): void {
    const n = li.length;
    for (let from = 0; from < n; from += BATCH_ROWS) {
      const to = Math.min(n, from + BATCH_ROWS);
      const lsel = from === 0 && to === n ? li : li.slice(from, to);
      const rsel = from === 0 && to === n ? ri : ri.slice(from, to);
      const m = to - from;
      const cols: unknown[][] = [];
      for (const c of lb.cols) cols.push(gather(c, lsel, m));
      for (const c of rcols) cols.push(gather(c, rsel, m));
      let batch: Batch = { length: m, cols };
      if (this.cond) {
        const v = this.cond(batch, this.ctx);
        const keep: number[] = [];
        for (let i = 0; i < m; i++) if (v[i] === true) keep.push(i);
        if (keep.length < m) batch = { length: keep.length, cols: cols.map((c) => gather(c, keep, keep.length)) };
        for (const k of keep) {
          if (leftMatched) leftMatched[lsel[k]!] = 1;
          if (rightMatched) rightMatched[rsel[k]!] = 1;
        }
      } else {
        if (leftMatched) for (let i = 0; i < m; i++) leftMatched[lsel[i]!] = 1;
        if (rightMatched) for (let i = 0; i < m; i++) rightMatched[rsel[i]!] = 1;
      }
      if (batch.length > 0 && !this.leftOnly) this.out.push(batch);
    }
  }

  /** SEMI: the rows of lb that matched; ANTI: those that did not. */
  protected emitLeftOnly(lb: Batch, matched: Uint8Array): void {
    const want = this.type === 'semi' ? 1 : 0;
    const sel: number[] = [];
    for (let i = 0; i < lb.length; i++) if (matched[i] === want) sel.push(i);
    if (sel.length === 0) return;
    this.out.push(sel.length === lb.length ? lb : { length: sel.length, cols: lb.cols.map((c) => gather(c, sel, sel.length)) });
  }

  /** After the pairs of a left batch: outer padding, or the SEMI / ANTI rows. */
  protected finishLeft(lb: Batch, matched: Uint8Array | undefined): void {
    if (!matched) return;
    if (this.leftOnly) this.emitLeftOnly(lb, matched);
    else this.emitLeftUnmatched(lb, matched);
  }

  /** Whether a left batch needs match flags. */
  protected get tracksLeft(): boolean {
    return this.type === 'left' || this.type === 'full' || this.leftOnly;
  }

  /** Left rows of lb without a match, padded with NULLs on the right. */
  protected emitLeftUnmatched(lb: Batch, matched: Uint8Array): void {
    const sel: number[] = [];
    for (let i = 0; i < lb.length; i++) if (!matched[i]) sel.push(i);
    if (sel.length === 0) return;
    const cols = lb.cols.map((c) => gather(c, sel, sel.length));
    for (let c = 0; c < this.right.width; c++) cols.push(nulls(sel.length));
    this.out.push({ length: sel.length, cols });
  }

  /** Right rows without a match, padded with NULLs on the left. */
  protected emitRightUnmatched(rcols: unknown[][], rlen: number, matched: Uint8Array): void {
    let sel: number[] = [];
    const flush = (): void => {
      const cols: unknown[][] = [];
      for (let c = 0; c < this.left.width; c++) cols.push(nulls(sel.length));
      for (const c of rcols) cols.push(gather(c, sel, sel.length));
      this.out.push({ length: sel.length, cols });
      sel = [];
    };
    for (let j = 0; j < rlen; j++) {
      if (matched[j]) continue;
      sel.push(j);
      if (sel.length >= BATCH_ROWS) flush();
    }
    if (sel.length > 0) flush();
  }
}

/** A hash key: the canonical hash of one value, or the concatenation for several; null when a key is NULL. */
/** Positions of the rows (of n) whose join key is k. */
function rowsWithKey(types: SqlType[], keys: unknown[][], n: number, k: string | number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keyOf(types, keys, i) === k) out.push(i);
  return out;
}

function keyOf(types: SqlType[], cols: unknown[][], i: number): string | number | null {
  if (types.length === 1) {
    const v = cols[0]![i];
    return v === null ? null : hashValue(types[0]!, v);
  }
  let k = '';
  for (let c = 0; c < types.length; c++) {
    const v = cols[c]![i];
    if (v === null) return null;
    k += `\u0000${String(hashValue(types[c]!, v))}`;
  }
  return k;
}

/**
 * What a hash join needs to look rows up through the right table's primary key
 * or an index instead (exec chooses it at run time, see HashJoinOp).
 */
export interface IndexProbe {
  scan: ScanPlan;
  /** Per key: the right table's 0-based column position it reads, or -1 (not a plain column). */
  rightPositions: number[];
  /** Per key: the left key as an expression over the left row pushed as outer level 1. */
  leftAsOuter: Expr[];
  build: (p: Plan) => Operator;
}

/** Left inputs up to this many rows are joined by index lookups when the right table has a matching key. */
export const INDEX_PROBE_ROWS_MAX = 256;

export class HashJoinOp extends JoinBase {
  private table: Map<string | number, number | number[]> | null = null;
  private build!: RowStore;
  private rightMatched: Uint8Array | undefined;
  /** Left batches read ahead while deciding between hashing and index lookups. */
  private ahead: Batch[] = [];
  private decided = false;
  private lookup: Operator | null = null;

  constructor(
    left: Operator,
    right: Operator,
    type: JoinType,
    cond: VecFn | undefined,
    private readonly leftKeys: VecFn[],
    private readonly rightKeys: VecFn[],
    private readonly keyTypes: SqlType[],
    private readonly probe?: IndexProbe,
    /** The same through the left table, for a short right input (inner joins). */
    private readonly leftProbe?: IndexProbe,
  ) {
    super(left, right, type, cond);
  }

  override open(ctx: ExecContext): void {
    super.open(ctx);
    this.table = null;
    this.reverse = null;
    this.rightKeyCols = undefined;
    this.rightMatched = undefined;
    this.ahead = [];
    this.decided = false;
    this.lookup = null;
  }

  /** Reads the left input ahead; a short one against an indexed right table is joined by lookups. */
  private *decide(): Generator<Signal, void, void> {
    this.decided = true;
    if (!this.probe || (this.type !== 'inner' && this.type !== 'left')) return;
    let rows = 0;
    for (;;) {
      const b = yield* this.left.next();
      if (b === null) break;
      this.ahead.push(b);
      rows += b.length;
      if (rows > INDEX_PROBE_ROWS_MAX) return;
    }
    this.ahead.push(EMPTY_END);
    this.lookup = indexLookupOp(this.probe, this.ctx);
  }

  /** Index lookups into the left table, one per row of the (short) right input. */
  private reverse: Operator | null = null;
  private rpos = 0;

  private *nextReverse(): Step {
    const op = this.reverse!;
    const rcols = this.build.cols;
    const rkeys = this.rightKeys.length > 0 ? this.rightKeyCols ??= this.rightKeys.map((f) => f({ length: this.build.length, cols: rcols }, this.ctx)) : [];
    while (this.out.length === 0) {
      if (this.rpos >= this.build.length) return null;
      const j = this.rpos++;
      const k = keyOf(this.keyTypes, rkeys, j);
      if (k === null) continue;
      const store = yield* this.lookupRows(op, rcols.map((c) => c[j]));
      if (store.length === 0) continue;
      const lb: Batch = { length: store.length, cols: store.cols };
      const li = rowsWithKey(this.keyTypes, this.leftKeys.map((f) => f(lb, this.ctx)), lb.length, k);
      this.emitPairs(lb, li, rcols, li.map(() => j), undefined, undefined);
    }
    return this.out.shift()!;
  }

  /** Runs a per-row index lookup with `row` as its outer row; the rows it found. */
  private *lookupRows(op: Operator, row: unknown[]): Generator<Signal, RowStore, void> {
    this.ctx.outer.push(row);
    try {
      op.open(this.ctx);
      try {
        return yield* materialize(op, this.ctx);
      } finally {
        op.close();
      }
    } finally {
      this.ctx.outer.pop();
    }
  }

  private rightKeyCols: unknown[][] | undefined;

  private *nextLeft(): Generator<Signal, Batch | null, void> {
    if (this.ahead.length > 0) {
      const b = this.ahead.shift()!;
      return b === EMPTY_END ? null : b;
    }
    return yield* this.left.next();
  }

  /** Index mode: each left row's matches come from a key lookup on the right table. */
  private *lookupBatch(lb: Batch, keys: unknown[][]): Generator<Signal, void, void> {
    const op = this.lookup!;
    const leftMatched = this.type === 'left' ? new Uint8Array(lb.length) : undefined;
    for (let i = 0; i < lb.length; i++) {
      const k = keyOf(this.keyTypes, keys, i);
      if (k === null) continue;
      const store = yield* this.lookupRows(op, lb.cols.map((c) => c[i]));
      if (store.length === 0) continue;
      const rb: Batch = { length: store.length, cols: store.cols };
      const ri = rowsWithKey(this.keyTypes, this.rightKeys.map((f) => f(rb, this.ctx)), store.length, k);
      this.emitPairs(lb, ri.map(() => i), store.cols, ri, leftMatched, undefined);
    }
    if (leftMatched) this.emitLeftUnmatched(lb, leftMatched);
  }

  override close(): void {
    super.close();
    this.table = null;
  }

  private *buildTable(): Generator<Signal, void, void> {
    const table = new Map<string | number, number | number[]>();
    const store = new RowStore(this.right.width);
    for (;;) {
      const b = yield* this.right.next();
      if (b === null) break;
      const keys = this.rightKeys.map((f) => f(b, this.ctx));
      const base = store.length;
      store.append(b);
      for (let i = 0; i < b.length; i++) {
        const k = keyOf(this.keyTypes, keys, i);
        if (k === null) continue;
        const at = table.get(k);
        if (at === undefined) table.set(k, base + i);
        else if (typeof at === 'number') table.set(k, [at, base + i]);
        else at.push(base + i);
      }
      if (this.ctx.tick()) yield PAUSE;
    }
    this.build = store;
    this.table = table;
    if (this.type === 'right' || this.type === 'full') this.rightMatched = new Uint8Array(store.length);
  }

  *next(): Step {
    if (!this.decided) yield* this.decide();
    if (this.lookup) {
      while (this.out.length === 0) {
        if (this.leftDone) return null;
        const lb = yield* this.nextLeft();
        if (lb === null) {
          this.leftDone = true;
          continue;
        }
        yield* this.lookupBatch(lb, this.leftKeys.map((f) => f(lb, this.ctx)));
      }
      return this.out.shift()!;
    }
    if (this.table === null) {
      yield* this.buildTable();
      if (this.leftProbe && this.type === 'inner' && this.build.length <= INDEX_PROBE_ROWS_MAX) {
        this.reverse = indexLookupOp(this.leftProbe, this.ctx);
        this.rpos = 0;
      }
    }
    if (this.reverse) return yield* this.nextReverse();
    const table = this.table!;
    const outerLeft = this.tracksLeft;
    while (this.out.length === 0) {
      if (this.leftDone) return null;
      const lb = yield* this.nextLeft();
      if (lb === null) {
        this.leftDone = true;
        if (this.rightMatched) this.emitRightUnmatched(this.build.cols, this.build.length, this.rightMatched);
        continue;
      }
      if (table.size === 0 && !outerLeft) {
        if (this.type === 'anti') this.out.push(lb);
        continue;
      }
      const keys = this.leftKeys.map((f) => f(lb, this.ctx));
      const li: number[] = [];
      const ri: number[] = [];
      for (let i = 0; i < lb.length; i++) {
        const k = keyOf(this.keyTypes, keys, i);
        if (k === null) continue;
        const at = table.get(k);
        if (at === undefined) continue;
        if (typeof at === 'number') {
          li.push(i);
          ri.push(at);
        } else {
          for (const j of at) {
            li.push(i);
            ri.push(j);
          }
        }
      }
      const leftMatched = outerLeft ? new Uint8Array(lb.length) : undefined;
      this.emitPairs(lb, li, this.build.cols, ri, leftMatched, this.rightMatched);
      this.finishLeft(lb, leftMatched);
      if (this.ctx.tick()) yield PAUSE;
    }
    return this.out.shift()!;
  }
}

const EMPTY_END: Batch = { length: 0, cols: [] };

/**
 * The right table scan keyed by the longest prefix of its primary key or of
 * an index that the join keys cover, or null when there is none.
 */
function indexLookupOp(probe: IndexProbe, ctx: ExecContext): Operator | null {
  const ta = ctx.tables.get(probe.scan.tableOid);
  const keyOfPos = new Map<number, number>();
  probe.rightPositions.forEach((p, k) => {
    if (p >= 0 && !keyOfPos.has(p)) keyOfPos.set(p, k);
  });
  const prefix = (positions: readonly number[]): number => {
    let n = 0;
    while (n < positions.length && keyOfPos.has(positions[n]!)) n++;
    return n;
  };
  let best: { access: 'pk' | 'index'; indexOid?: number; positions: number[]; n: number } | undefined;
  if (ta.pkPositions) {
    const n = prefix(ta.pkPositions);
    if (n > 0) best = { access: 'pk', positions: ta.pkPositions, n };
  }
  for (const ix of ta.indexes) {
    if (ix.obj.where) continue;
    const positions = ix.obj.keys.map((k) => k.attnum - 1);
    const n = prefix(positions);
    if (n > (best?.n ?? 0)) best = { access: 'index', indexOid: ix.obj.oid, positions, n };
  }
  if (!best) return null;
  const eq = best.positions.slice(0, best.n).map((p) => probe.leftAsOuter[keyOfPos.get(p)!]!);
  const plan: ScanPlan = { ...probe.scan, access: best.access, bound: { eq } };
  if (best.indexOid !== undefined) plan.indexOid = best.indexOid;
  else delete plan.indexOid;
  return probe.build(plan);
}

/** An expression over the left row, rewritten to read that row as outer level 1. */
function asOuter(e: Expr): Expr {
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (x === null || typeof x !== 'object' || Object.getPrototypeOf(x) !== Object.prototype) return x;
    const o = x as Record<string, unknown>;
    if (o.k === 'const') return o;
    if (o.k === 'col') return { k: 'outer', type: o.type, level: 1, index: o.index };
    if (o.k === 'outer') return { ...o, level: (o.level as number) + 1 };
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(o)) out[key] = walk(v);
    return out;
  };
  return walk(e) as Expr;
}

/** The index probe of a hash join whose right input is a plain table scan and whose keys are simple. */
function probeOf(plan: Extract<Plan, { n: 'join' }>, build: (p: Plan) => Operator, side: 'right' | 'left' = 'right'): IndexProbe | undefined {
  const r = side === 'right' ? plan.right : plan.left;
  const keys = side === 'right' ? plan.rightKeys : plan.leftKeys;
  const other = side === 'right' ? plan.leftKeys : plan.rightKeys;
  if (r.n !== 'scan' || r.access !== 'seq' || r.withRowKey || r.forUpdate || r.reverse) return undefined;
  if (side === 'right' ? plan.type !== 'inner' && plan.type !== 'left' : plan.type !== 'inner') return undefined;
  if (other.some((k) => someExpr(k, (e) => e.k === 'subquery' || e.k === 'sublink'))) return undefined;
  const rightPositions = keys.map((k) => (k.k === 'col' ? r.attnums[k.index]! - 1 : -1));
  if (rightPositions.every((p) => p < 0)) return undefined;
  return { scan: r, rightPositions, leftAsOuter: other.map(asOuter), build };
}

export class NestedLoopOp extends JoinBase {
  private inner: RowStore | null = null;
  private rightMatched: Uint8Array | undefined;
  private cur: Batch | null = null;
  private pos = 0;
  private curMatched: Uint8Array | undefined;

  constructor(left: Operator, right: Operator, type: JoinType, cond: VecFn | undefined, private readonly lateral: boolean) {
    super(left, right, type, cond);
  }

  override open(ctx: ExecContext): void {
    this.ctx = ctx;
    this.out = [];
    this.leftDone = false;
    this.inner = null;
    this.cur = null;
    this.rightMatched = undefined;
    this.left.open(ctx);
    // A lateral right side is opened per left row.
    if (!this.lateral) this.right.open(ctx);
  }

  override close(): void {
    this.left.close();
    if (!this.lateral) this.right.close();
    this.inner = null;
    this.cur = null;
    this.out = [];
  }

  *next(): Step {
    if (!this.lateral && this.inner === null) {
      this.inner = yield* materialize(this.right, this.ctx);
      if (this.type === 'right' || this.type === 'full') this.rightMatched = new Uint8Array(this.inner.length);
    }
    const outerLeft = this.tracksLeft;
    for (;;) {
      if (this.out.length > 0) return this.out.shift()!;
      if (this.leftDone) return null;
      if (this.cur === null) {
        const lb = yield* this.left.next();
        if (lb === null) {
          this.leftDone = true;
          if (this.rightMatched && this.inner) this.emitRightUnmatched(this.inner.cols, this.inner.length, this.rightMatched);
          continue;
        }
        this.curMatched = outerLeft ? new Uint8Array(lb.length) : undefined;
        if (this.lateral) {
          yield* this.lateralBatch(lb);
          continue;
        }
        this.cur = lb;
        this.pos = 0;
      }
      // Pairs are generated in slices of BATCH_ROWS so that a large cross product streams.
      const lb = this.cur;
      const inner = this.inner!;
      const r = inner.length;
      const total = lb.length * r;
      if (this.pos < total) {
        const end = Math.min(total, this.pos + BATCH_ROWS);
        const n = end - this.pos;
        const li = new Array<number>(n);
        const ri = new Array<number>(n);
        for (let k = 0, p = this.pos; k < n; k++, p++) {
          li[k] = (p / r) | 0;
          ri[k] = p % r;
        }
        this.pos = end;
        this.emitPairs(lb, li, inner.cols, ri, this.curMatched, this.rightMatched);
        if (this.ctx.tick()) yield PAUSE;
        continue;
      }
      this.finishLeft(lb, this.curMatched);
      this.cur = null;
    }
  }

  /** Runs the right side once per row of lb, with the row as outer level 1. */
  private *lateralBatch(lb: Batch): Generator<Signal, void, void> {
    for (let i = 0; i < lb.length; i++) {
      const row = lb.cols.map((c) => c[i]);
      this.ctx.outer.push(row);
      let store: RowStore;
      try {
        this.right.open(this.ctx);
        try {
          store = yield* materialize(this.right, this.ctx);
        } finally {
          this.right.close();
        }
      } finally {
        this.ctx.outer.pop();
      }
      const li = new Array<number>(store.length).fill(i);
      const ri = new Array<number>(store.length);
      for (let j = 0; j < store.length; j++) ri[j] = j;
      this.emitPairs(lb, li, store.cols, ri, this.curMatched, undefined);
    }
    this.finishLeft(lb, this.curMatched);
    if (this.ctx.tick()) yield PAUSE;
  }
}

registerBuilder('join', (plan, build) => {
  if (plan.n !== 'join') throw new Error('join builder: wrong node');
  const left = build(plan.left);
  const right = build(plan.right);
  const cond = plan.cond && compileExpr(plan.cond, compileEnv);
  if (plan.leftKeys.length > 0 && !plan.lateral) {
    return new HashJoinOp(left, right, plan.type, cond,
      plan.leftKeys.map((e) => compileExpr(e, compileEnv)), plan.rightKeys.map((e) => compileExpr(e, compileEnv)),
      plan.leftKeys.map((e) => e.type), probeOf(plan, build), probeOf(plan, build, 'left'));
  }
  // method 'index': the right side is a key-range scan whose bounds read the left row (outer level 1).
  if (plan.leftKeys.length > 0) throw notSupported('a lateral join with hash keys');
  return new NestedLoopOp(left, right, plan.type === 'cross' ? 'inner' : plan.type, cond, plan.lateral === true || plan.method === 'index');
});
