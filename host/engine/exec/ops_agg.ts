// Hash aggregation: GROUP BY, grouping sets and plain aggregates.
//
// Output row: the group expressions (NULL where a grouping set leaves one
// out), then one value per AggCall. With no groups (or an empty grouping
// set) a row comes out even when no input does, as PostgreSQL.
//
// Per input batch the operator evaluates the group keys and the aggregate
// arguments once (column arrays), maps every row to a group number
// (assignGroups), then folds each aggregate over the batch with
// accumulate(): a loop over column arrays and an Int32Array of group numbers,
// separable so that a WebAssembly kernel can take its place for fixed-width
// types. States live in one array per aggregate, indexed by group number.
//
// DISTINCT / ORDER BY inside the call (and WITHIN GROUP) collect each
// group's rows and sort / deduplicate them when the group is finished.
// AggCall fn 'grouping' (oid 0) is GROUPING(): its constant arguments are
// group positions, its value a bitmask of those absent from the row's set.

import { SbError, SqlState } from '../sb_error.ts';
import type { AggCall, Plan } from '../plan/nodes.ts';
import { registry, type AggImpl, type CallInfo, type OrderedSetAggImpl } from '../functions/registry.ts';
import type { EvalContext } from '../functions/context.ts';
import { hashValue } from '../types/compare.ts';
import type { SqlType } from '../types/types.ts';
import { BATCH_ROWS, type Batch } from './batch.ts';
import { compileEnv, registerBuilder } from './build.ts';
import type { ExecContext } from './context.ts';
import { compileExpr, type VecFn } from './expr.ts';
import { BaseOp, type CompiledSortKey, compareSortKeys } from './ops_basic.ts';
import { type Operator, PAUSE, type Step } from './operator.ts';

/** How one aggregate call runs. */
export interface AggRuntime {
  mode: 'plain' | 'count' | 'collect' | 'ordered' | 'grouping';
  impl?: AggImpl;
  osImpl?: OrderedSetAggImpl;
  call: CallInfo;
  args: VecFn[];
  /** Argument types (DISTINCT compares with them). */
  argTypes: SqlType[];
  filter?: VecFn;
  strict: boolean;
  distinct: boolean;
  /** ORDER BY inside the call / WITHIN GROUP keys (evaluated over input rows). */
  order: CompiledSortKey[];
  /** GROUPING(): group positions. */
  positions: number[];
}

/** A collecting aggregate's state: rows of [args..., order keys...]. */
interface Collected {
  rows: unknown[][];
  /** DISTINCT: keys of the argument rows kept. */
  seen?: Set<unknown>;
}

const NULL_KEY = { null: true };

export function compileAggs(aggs: AggCall[]): AggRuntime[] {
  return aggs.map((a) => {
    const ce = (e: Parameters<typeof compileExpr>[0]): VecFn => compileExpr(e, compileEnv);
    const base = {
      args: a.args.map(ce), argTypes: a.args.map((x) => x.type), distinct: a.distinct,
      order: (a.order ?? []).map((k) => ({ fn: ce(k.expr), type: k.expr.type, desc: k.desc, nullsFirst: k.nullsFirst })),
      positions: [] as number[], ...(a.filter ? { filter: ce(a.filter) } : {}),
    };
    if (a.fn === 'grouping' && a.oid === 0) {
      return { ...base, mode: 'grouping', call: { argTypes: [], retType: a.type }, strict: false, positions: a.args.map((x) => (x as { value: number }).value) };
    }
    const impl = registry.byOid.get(a.oid);
    if (impl && 'directArgs' in impl) {
      const os = impl as OrderedSetAggImpl;
      return { ...base, mode: 'ordered', osImpl: os, call: { argTypes: [...base.argTypes, ...base.order.map((k) => k.type)], retType: a.type }, strict: false };
    }
    if (!impl || !('step' in impl)) throw new SbError(SqlState.undefined_function, `aggregate function with OID ${a.oid} does not exist`);
    const agg = impl as AggImpl;
    const call: CallInfo = { argTypes: base.argTypes, retType: a.type };
    const mode = a.distinct || base.order.length > 0 ? 'collect' : agg.name === 'count' && !a.filter ? 'count' : 'plain';
    return { ...base, mode, impl: agg, call, strict: agg.strict };
  });
}

export function initState(rt: AggRuntime, ev: EvalContext): unknown {
  if (rt.mode === 'collect' || rt.mode === 'ordered') return { rows: [] } as Collected;
  if (rt.mode === 'grouping') return null;
  return rt.impl!.init(ev, rt.call);
}

/**
 * Folds one batch into per-group states: row i goes to group gids[i].
 * args[j][i] is argument j of row i; filter[i] must be true for the row to count.
 */
export function accumulate(
  rt: AggRuntime, states: unknown[], gids: Int32Array, n: number, args: unknown[][], filter: unknown[] | null, ev: EvalContext,
): void {
  const nargs = args.length;
  const strict = rt.strict;
  if (rt.mode === 'count') {
    // count(*) / count(x): no call per row.
    const a0 = nargs > 0 ? args[0]! : null;
    for (let i = 0; i < n; i++) {
      if (a0 !== null && a0[i] === null) continue;
      (states[gids[i]!] as { n: number }).n++;
    }
    return;
  }
  if (rt.mode === 'grouping') return;
  if (rt.mode === 'collect' || rt.mode === 'ordered') return; // collectRows does these
  const impl = rt.impl!;
  const call = rt.call;
  const argv = new Array<unknown>(nargs);
  rows: for (let i = 0; i < n; i++) {
    if (filter !== null && filter[i] !== true) continue;
    for (let j = 0; j < nargs; j++) {
      const v = args[j]![i];
      if (v === null && strict) continue rows;
      argv[j] = v;
    }
    const g = gids[i]!;
    states[g] = impl.step(states[g], argv, ev, call);
  }
}

/**
 * DISTINCT / ORDER BY / WITHIN GROUP aggregates: keep the rows for sorting at
 * the end; DISTINCT keeps each distinct argument row once (and a strict
 * aggregate no row with a NULL argument).
 */
function collectRows(rt: AggRuntime, states: unknown[], gids: Int32Array, n: number, args: unknown[][], keys: unknown[][], filter: unknown[] | null): void {
  const nargs = args.length;
  const w = nargs + keys.length;
  const skipNulls = rt.strict && rt.mode === 'collect';
  const distinct = rt.distinct;
  const types = rt.argTypes;
  rows: for (let i = 0; i < n; i++) {
    if (filter !== null && filter[i] !== true) continue;
    if (skipNulls) for (let j = 0; j < nargs; j++) if (args[j]![i] === null) continue rows;
    const st = states[gids[i]!] as Collected;
    if (distinct) {
      let key: unknown;
      if (nargs === 1) {
        const v = args[0]![i];
        key = v === null ? NULL_KEY : hashValue(types[0]!, v);
      } else {
        const vals = new Array<unknown>(nargs);
        for (let j = 0; j < nargs; j++) vals[j] = args[j]![i];
        key = rowKey(types, vals);
      }
      const seen = (st.seen ??= new Set());
      if (seen.has(key)) continue;
      seen.add(key);
    }
    const row = new Array<unknown>(w);
    for (let j = 0; j < nargs; j++) row[j] = args[j]![i];
    for (let j = 0; j < keys.length; j++) row[nargs + j] = keys[j]![i];
    st.rows.push(row);
  }
}

/** The value of one aggregate for one group. */
export function finishState(rt: AggRuntime, state: unknown, ev: EvalContext): unknown {
  if (rt.mode === 'plain' || rt.mode === 'count') return rt.impl!.final(state, ev, rt.call);
  const rows = (state as Collected).rows;
  const nargs = rt.args.length;
  if (rt.mode === 'ordered') {
    const os = rt.osImpl!;
    const keyed = rows.filter((r) => r[nargs] !== null);
    const key = rt.order[0]!;
    keyed.sort((a, b) => compareSortKeys([key], [a[nargs]], [b[nargs]]));
    const direct = rows.length > 0 ? rows[0]!.slice(0, nargs) : new Array<unknown>(nargs).fill(null);
    return os.final(keyed.map((r) => r[nargs]), direct, ev, rt.call);
  }
  let list = rows;
  if (rt.order.length > 0) {
    const keys = rt.order;
    const idx = list.map((_, i) => i);
    const kv = list.map((r) => r.slice(nargs));
    idx.sort((a, b) => compareSortKeys(keys, kv[a]!, kv[b]!) || a - b);
    list = idx.map((i) => rows[i]!);
  }
  const impl = rt.impl!;
  let s = impl.init(ev, rt.call);
  if (rt.distinct && rt.order.length === 0) {
    // DISTINCT without ORDER BY feeds values in sorted order, as PostgreSQL's sort-based DISTINCT.
    const keys: CompiledSortKey[] = rt.argTypes.map((t) => ({ fn: () => [], type: t, desc: false, nullsFirst: false }));
    list = [...list].sort((a, b) => compareSortKeys(keys, a, b));
  }
  const argv = new Array<unknown>(nargs);
  rows: for (const r of list) {
    for (let j = 0; j < nargs; j++) {
      const v = r[j];
      if (v === null && rt.strict) continue rows;
      argv[j] = v;
    }
    s = impl.step(s, argv, ev, rt.call);
  }
  return impl.final(s, ev, rt.call);
}

/** A Map key equal exactly for equal key values (NULLs equal). */
export function rowKey(types: readonly SqlType[], values: readonly unknown[]): unknown {
  if (values.length === 1) {
    const v = values[0];
    return v === null ? NULL_KEY : hashValue(types[0]!, v);
  }
  let k = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    k += v === null ? '\u0001' : `\u0002${String(hashValue(types[i]!, v))}\u0000`;
  }
  return k;
}

/**
 * A hash table from numbers to group numbers: open addressing with linear
 * probing over typed arrays (what a WebAssembly kernel would hold in linear
 * memory). Keys are never NaN (hashValue maps NaN to a string) and -0 is 0.
 */
export class NumberTable {
  private keys: Float64Array;
  private vals: Int32Array;
  private mask: number;
  private size = 0;
  private static readonly f64 = new Float64Array(1);
  private static readonly i32 = new Int32Array(NumberTable.f64.buffer);

  constructor(capacity = 1024) {
    this.keys = new Float64Array(capacity);
    this.vals = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
  }

  private static hash(k: number): number {
    let h: number;
    if ((k | 0) === k) h = Math.imul(k, 0x9e3779b1);
    else {
      NumberTable.f64[0] = k;
      h = Math.imul(NumberTable.i32[0]! ^ Math.imul(NumberTable.i32[1]!, 0x85ebca6b), 0x9e3779b1);
    }
    return h ^ (h >>> 15);
  }

  /** The group of k, or -1. */
  get(k: number): number {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    for (let i = NumberTable.hash(k) & mask; ; i = (i + 1) & mask) {
      const v = vals[i]!;
      if (v < 0) return -1;
      if (keys[i] === k) return v;
    }
  }

  insert(k: number, g: number): void {
    if ((this.size + 1) * 2 > this.vals.length) this.grow();
    this.place(k, g);
    this.size++;
  }

  private place(k: number, g: number): void {
    const mask = this.mask;
    let i = NumberTable.hash(k) & mask;
    while (this.vals[i]! >= 0) i = (i + 1) & mask;
    this.keys[i] = k;
    this.vals[i] = g;
  }

  private grow(): void {
    const keys = this.keys;
    const vals = this.vals;
    this.keys = new Float64Array(keys.length * 2);
    this.vals = new Int32Array(vals.length * 2).fill(-1);
    this.mask = this.vals.length - 1;
    for (let i = 0; i < vals.length; i++) if (vals[i]! >= 0) this.place(keys[i]!, vals[i]!);
  }
}

/** One grouping set's hash table and states. */
interface GroupSet {
  positions: number[];
  map: Map<unknown, number>;
  /** Group numbers of number keys (single-key sets). */
  nums: NumberTable | null;
  /** keyVals[p][g]: the value of the set's p-th key in group g. */
  keyVals: unknown[][];
  count: number;
  /** states[a][g]. */
  states: unknown[][];
}

export class HashAggOp extends BaseOp {
  private sets: GroupSet[] = [];
  private out: unknown[][] | null = null;
  private outLength = 0;
  private pos = 0;
  private gids = new Int32Array(BATCH_ROWS);

  constructor(
    private readonly input: Operator,
    private readonly groupFns: VecFn[],
    private readonly groupTypes: SqlType[],
    private readonly aggs: AggRuntime[],
    private readonly groupingSets: number[][] | undefined,
  ) {
    super(groupFns.length + aggs.length);
  }

  override open(ctx: ExecContext): void {
    super.open(ctx);
    this.out = null;
    this.pos = 0;
    const setList = this.groupingSets ?? [this.groupFns.map((_, i) => i)];
    this.sets = setList.map((positions) => ({
      positions, map: new Map(), nums: null, keyVals: positions.map(() => []), count: 0, states: this.aggs.map(() => []),
    }));
    // The empty grouping set has its one group even without input.
    for (const s of this.sets) if (s.positions.length === 0) this.newGroup(s, NULL_KEY, [], 0);
    this.input.open(ctx);
  }

  override close(): void {
    this.input.close();
    this.sets = [];
    this.out = null;
  }

  private newGroup(s: GroupSet, key: unknown, keyCols: unknown[][], i: number): number {
    const g = s.count++;
    if (typeof key === 'number') (s.nums ??= new NumberTable()).insert(key, g);
    else s.map.set(key, g);
    for (let p = 0; p < s.positions.length; p++) s.keyVals[p]!.push(keyCols[s.positions[p]!]![i]);
    const ev = this.ctx.ev;
    for (let a = 0; a < this.aggs.length; a++) s.states[a]!.push(initState(this.aggs[a]!, ev));
    return g;
  }

  /** Group number of every row of the batch in one set (new groups are created). */
  private assignGroups(s: GroupSet, keyCols: unknown[][], n: number): Int32Array {
    if (this.gids.length < n) this.gids = new Int32Array(n);
    const gids = this.gids;
    const pos = s.positions;
    if (pos.length === 0) {
      gids.fill(0, 0, n);
      return gids;
    }
    if (pos.length === 1) {
      const col = keyCols[pos[0]!]!;
      const t = this.groupTypes[pos[0]!]!;
      for (let i = 0; i < n; i++) {
        const v = col[i];
        const key = v === null ? NULL_KEY : hashValue(t, v);
        if (typeof key === 'number') {
          // Numbers (integers, dates, timestamps, floats): an open-addressing table, no Map entry per group.
          const g = s.nums === null ? -1 : s.nums.get(key);
          gids[i] = g >= 0 ? g : this.newGroup(s, key, keyCols, i);
          continue;
        }
        const g = s.map.get(key);
        gids[i] = g !== undefined ? g : this.newGroup(s, key, keyCols, i);
      }
      return gids;
    }
    for (let i = 0; i < n; i++) {
      let key = '';
      for (let p = 0; p < pos.length; p++) {
        const v = keyCols[pos[p]!]![i];
        key += v === null ? '\u0001' : `\u0002${String(hashValue(this.groupTypes[pos[p]!]!, v))}\u0000`;
      }
      const g = s.map.get(key);
      gids[i] = g !== undefined ? g : this.newGroup(s, key, keyCols, i);
    }
    return gids;
  }

  private consume(b: Batch): void {
    const ctx = this.ctx;
    const n = b.length;
    const keyCols = this.groupFns.map((f) => f(b, ctx));
    const argCols = this.aggs.map((a) => a.args.map((f) => f(b, ctx)));
    const keyArgCols = this.aggs.map((a) => (a.mode === 'collect' || a.mode === 'ordered' ? a.order.map((k) => k.fn(b, ctx)) : []));
    const filters = this.aggs.map((a) => (a.filter ? a.filter(b, ctx) : null));
    for (const s of this.sets) {
      const gids = this.assignGroups(s, keyCols, n);
      for (let a = 0; a < this.aggs.length; a++) {
        const rt = this.aggs[a]!;
        if (rt.mode === 'collect' || rt.mode === 'ordered') collectRows(rt, s.states[a]!, gids, n, argCols[a]!, keyArgCols[a]!, filters[a]!);
        else accumulate(rt, s.states[a]!, gids, n, argCols[a]!, filters[a]!, ctx.ev);
      }
    }
  }

  private produce(): void {
    const width = this.width;
    const nGroups = this.groupFns.length;
    const cols: unknown[][] = [];
    for (let c = 0; c < width; c++) cols.push([]);
    const ev = this.ctx.ev;
    for (const s of this.sets) {
      const inSet = new Int32Array(nGroups).fill(-1);
      s.positions.forEach((p, k) => (inSet[p] = k));
      for (let g = 0; g < s.count; g++) {
        for (let c = 0; c < nGroups; c++) cols[c]!.push(inSet[c]! >= 0 ? s.keyVals[inSet[c]!]![g] : null);
        for (let a = 0; a < this.aggs.length; a++) {
          const rt = this.aggs[a]!;
          if (rt.mode === 'grouping') {
            let mask = 0;
            for (const p of rt.positions) mask = (mask << 1) | (inSet[p]! >= 0 ? 0 : 1);
            cols[nGroups + a]!.push(mask);
          } else cols[nGroups + a]!.push(finishState(rt, s.states[a]![g], ev));
        }
      }
    }
    this.out = cols;
    this.outLength = cols[0]?.length ?? this.sets.reduce((n, s) => n + s.count, 0);
  }

  *next(): Step {
    if (this.out === null) {
      for (;;) {
        const b = yield* this.input.next();
        if (b === null) break;
        if (b.length > 0) this.consume(b);
        if (this.ctx.tick()) yield PAUSE;
      }
      this.produce();
      this.sets = [];
    }
    if (this.pos >= this.outLength) return null;
    const end = Math.min(this.outLength, this.pos + BATCH_ROWS);
    const from = this.pos;
    this.pos = end;
    return { length: end - from, cols: this.out!.map((c) => c.slice(from, end)) };
  }
}

registerBuilder('aggregate', (plan: Plan, build) => {
  const p = plan as Extract<Plan, { n: 'aggregate' }>;
  return new HashAggOp(
    build(p.input),
    p.groups.map((g) => compileExpr(g, compileEnv)),
    p.groups.map((g) => g.type),
    compileAggs(p.aggs),
    p.groupingSets,
  );
});
