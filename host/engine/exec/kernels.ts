// The executor's WebAssembly batch kernels (wasm/exec, build/wasm/exec.wasm):
// loading through the platform's assets (Node, Deno and the browser alike)
// and moving columns in and out, one copy per batch (never one call per value).
//
// One instance per process: the kernels keep no state between calls except
// the handles (group tables, accumulators, join tables) their callers own and
// free. The executor asks execKernels() and takes its TypeScript path while it
// is null (not loaded yet, or not loadable).
//
// Which kernels the executor uses follows tools/bench/exec_micro.ts (DESIGN.md
// ground rule 2: a kernel that does not beat the TypeScript loop by 1.2× is
// not used).

import type { Platform } from '../../platform/platform.ts';
import { SbError, SqlState } from '../sb_error.ts';

export const EXEC_ABI_VERSION = 1;

/** Filter operators (wasm/exec/filter.ts). */
export const CMP = { EQ: 0, NE: 1, LT: 2, LE: 3, GT: 4, GE: 5, BETWEEN: 6 } as const;
/** Value / key kinds (wasm/exec/keys.ts). F64_INT: a Float64Array of exact integers. */
export const KIND = { I32: 0, I64: 1, F64: 2, F64_INT: 3 } as const;
/** Accumulator kinds (wasm/exec/agg.ts). */
export const ACC = { SUM_I64: 1, SUM_F64: 2, MIN_I64: 3, MAX_I64: 4, MIN_F64: 5, MAX_F64: 6, COUNT: 7 } as const;

const ST_OK = 0;
const ST_ERR_LIMIT = -6;

export type Column = Int32Array | BigInt64Array | Float64Array;

interface ExecExports {
  memory: WebAssembly.Memory;
  _start(): void;
  exec_abi_version(): number;
  col_buffer(slot: number, bytes: number): number;
  /** Long-lived kernel-owned blocks (the column cache's vectors); 0 when out of memory. */
  exec_alloc(bytes: number): number;
  exec_free(ptr: number): void;
  filter_i32(op: number, col: number, nulls: number, n: number, c: number, c2: number, sel: number): number;
  filter_i64(op: number, col: number, nulls: number, n: number, c: bigint, c2: bigint, sel: number): number;
  filter_f64(op: number, col: number, nulls: number, n: number, c: number, c2: number, sel: number): number;
  filter_cols_i32(op: number, a: number, b: number, nulls: number, n: number, sel: number): number;
  filter_cols_i64(op: number, a: number, b: number, nulls: number, n: number, sel: number): number;
  filter_cols_f64(op: number, a: number, b: number, nulls: number, n: number, sel: number): number;
  agg_table_new(): number;
  agg_table_free(h: number): void;
  agg_group_count(h: number): number;
  agg_null_group(h: number): number;
  agg_group_keys(h: number): number;
  agg_groups(h: number, kind: number, keys: number, nulls: number, n: number, gids: number): number;
  acc_new(kind: number): number;
  acc_free(a: number): void;
  acc_data(a: number): number;
  acc_counts(a: number): number;
  acc_overflow(a: number): number;
  acc_update(a: number, gids: number, vkind: number, vals: number, nulls: number, n: number, ngroups: number): number;
  sort_perm(kind: number, keys: number, n: number, desc: number, perm: number): number;
  join_new(): number;
  join_free(h: number): void;
  join_size(h: number): number;
  join_add(h: number, kind: number, keys: number, nulls: number, n: number, rowBase: number): number;
  join_finish(h: number): number;
  join_probe_begin(h: number): void;
  join_probe_done(h: number, n: number): number;
  join_probe(h: number, kind: number, keys: number, nulls: number, n: number, outProbe: number, outBuild: number, maxOut: number): number;
}

// Column slots (wasm/exec/exports.ts col_buffer).
const S_A = 0;
const S_B = 1;
const S_NULLS = 2;
const S_OUT = 3;
const S_OUT2 = 4;

function kindOf(col: Column, exactInts: boolean): number {
  if (col instanceof Int32Array) return KIND.I32;
  if (col instanceof BigInt64Array) return KIND.I64;
  return exactInts ? KIND.F64_INT : KIND.F64;
}

export class ExecKernels {
  readonly x: ExecExports;

  private constructor(instance: WebAssembly.Instance) {
    this.x = instance.exports as unknown as ExecExports;
    this.x._start();
  }

  static async load(platform: Platform): Promise<ExecKernels> {
    const bytes = await platform.readAsset('build/wasm/exec.wasm');
    const module = await WebAssembly.compile(bytes as BufferSource);
    const instance = await WebAssembly.instantiate(module, {
      host: { read: (): number => -1, log: (): void => {} },
      env: { abort: (): never => { throw new SbError(SqlState.internal_error, 'exec kernel aborted'); } },
    });
    const k = new ExecKernels(instance);
    const abi = k.x.exec_abi_version();
    if (abi !== EXEC_ABI_VERSION) {
      throw new SbError(SqlState.object_not_in_prerequisite_state,
        `exec kernel ABI ${abi} does not match the host's ABI ${EXEC_ABI_VERSION}`,
        { kind: 'abi_version', hint: 'Rebuild the kernels with `npm run build:wasm`.' });
    }
    return k;
  }

  /** Copies a column (first n values) into a slot; returns its address. */
  private put(slot: number, col: Column, n: number): number {
    const bytes = n * col.BYTES_PER_ELEMENT;
    const p = this.buf(slot, bytes);
    const buf = this.x.memory.buffer;
    if (col instanceof Int32Array) new Int32Array(buf, p, n).set(n === col.length ? col : col.subarray(0, n));
    else if (col instanceof BigInt64Array) new BigInt64Array(buf, p, n).set(n === col.length ? col : col.subarray(0, n));
    else new Float64Array(buf, p, n).set(n === col.length ? col : col.subarray(0, n));
    return p;
  }

  private buf(slot: number, bytes: number): number {
    const p = this.x.col_buffer(slot, Math.max(bytes, 16));
    if (p === 0) throw new SbError(SqlState.out_of_memory, 'exec kernel out of memory');
    return p;
  }

  private putNulls(nulls: Uint8Array | null, n: number): number {
    if (nulls === null) return 0;
    const len = (n + 7) >> 3;
    const p = this.buf(S_NULLS, len);
    new Uint8Array(this.x.memory.buffer, p, len).set(nulls.subarray(0, len));
    return p;
  }

  /** Rows i < n where `col[i] op c` (BETWEEN: c <= col[i] <= c2), not NULL, into sel; returns the count. */
  filter(op: number, col: Column, nulls: Uint8Array | null, n: number, c: number | bigint, c2: number | bigint, sel: Int32Array): number {
    if (n === 0) return 0;
    const p = this.put(S_A, col, n);
    const np = this.putNulls(nulls, n);
    const out = this.buf(S_OUT, n * 4);
    let k: number;
    if (col instanceof Int32Array) k = this.x.filter_i32(op, p, np, n, Number(c), Number(c2), out);
    else if (col instanceof BigInt64Array) k = this.x.filter_i64(op, p, np, n, BigInt(c), BigInt(c2), out);
    else k = this.x.filter_f64(op, p, np, n, Number(c), Number(c2), out);
    if (k < 0) throw new SbError(SqlState.internal_error, `exec kernel: bad filter operator ${op}`);
    sel.set(new Int32Array(this.x.memory.buffer, out, k));
    return k;
  }

  /** Rows where `a[i] op b[i]`; nulls is the union of both columns' NULLs. */
  filterCols(op: number, a: Column, b: Column, nulls: Uint8Array | null, n: number, sel: Int32Array): number {
    if (n === 0) return 0;
    const pa = this.put(S_A, a, n);
    const pb = this.put(S_B, b, n);
    const np = this.putNulls(nulls, n);
    const out = this.buf(S_OUT, n * 4);
    let k: number;
    if (a instanceof Int32Array) k = this.x.filter_cols_i32(op, pa, pb, np, n, out);
    else if (a instanceof BigInt64Array) k = this.x.filter_cols_i64(op, pa, pb, np, n, out);
    else k = this.x.filter_cols_f64(op, pa, pb, np, n, out);
    if (k < 0) throw new SbError(SqlState.internal_error, `exec kernel: bad filter operator ${op}`);
    sel.set(new Int32Array(this.x.memory.buffer, out, k));
    return k;
  }

  /** A group table handle (free it with freeGroupTable). */
  newGroupTable(): number {
    const h = this.x.agg_table_new();
    if (h === 0) throw new SbError(SqlState.out_of_memory, 'exec kernel out of memory');
    return h;
  }
  freeGroupTable(h: number): void {
    this.x.agg_table_free(h);
  }
  groupCount(h: number): number {
    return this.x.agg_group_count(h);
  }
  nullGroup(h: number): number {
    return this.x.agg_null_group(h);
  }
  /** Group keys [from, to) as i64. */
  groupKeys(h: number, from: number, to: number): BigInt64Array {
    const p = this.x.agg_group_keys(h);
    return new BigInt64Array(this.x.memory.buffer, p + from * 8, to - from).slice();
  }

  /** Group number of each key into gids (new keys get new groups). exactInts: a Float64Array holds integers. */
  groups(h: number, keys: Column, exactInts: boolean, nulls: Uint8Array | null, n: number, gids: Int32Array): void {
    if (n === 0) return;
    const p = this.put(S_A, keys, n);
    const np = this.putNulls(nulls, n);
    const out = this.buf(S_OUT, n * 4);
    const st = this.x.agg_groups(h, kindOf(keys, exactInts), p, np, n, out);
    if (st !== ST_OK) throw new SbError(SqlState.out_of_memory, `exec kernel: grouping failed (${st})`);
    gids.set(new Int32Array(this.x.memory.buffer, out, n));
  }

  newAcc(kind: number): number {
    const a = this.x.acc_new(kind);
    if (a === 0) throw new SbError(SqlState.out_of_memory, 'exec kernel out of memory');
    return a;
  }
  freeAcc(a: number): void {
    this.x.acc_free(a);
  }

  /**
   * Folds n values into an accumulator, row i into group gids[i] (gids null:
   * all into group 0). Returns false once an i64 sum overflowed (the caller
   * takes another path).
   */
  accUpdate(a: number, gids: Int32Array | null, vals: Column | null, exactInts: boolean, nulls: Uint8Array | null, n: number, ngroups: number): boolean {
    if (n === 0) return this.x.acc_overflow(a) === 0;
    const pv = vals === null ? 0 : this.put(S_A, vals, n);
    const np = this.putNulls(nulls, n);
    let pg = 0;
    if (gids !== null) {
      pg = this.buf(S_OUT, n * 4);
      new Int32Array(this.x.memory.buffer, pg, n).set(gids.subarray(0, n));
    }
    const st = this.x.acc_update(a, pg, vals === null ? KIND.I64 : kindOf(vals, exactInts), pv, np, n, ngroups);
    if (st === ST_ERR_LIMIT) return false;
    if (st !== ST_OK) throw new SbError(SqlState.internal_error, `exec kernel: accumulate failed (${st})`);
    return true;
  }

  /** Per-group values (BigInt64Array for i64 kinds, Float64Array for f64) and non-NULL counts. */
  accRead(a: number, kind: number, ngroups: number): { values: BigInt64Array | Float64Array; counts: BigInt64Array } {
    const buf = this.x.memory.buffer;
    const dp = this.x.acc_data(a);
    const cp = this.x.acc_counts(a);
    const isF = kind === ACC.SUM_F64 || kind === ACC.MIN_F64 || kind === ACC.MAX_F64;
    const values = dp === 0 ? (isF ? new Float64Array(ngroups) : new BigInt64Array(ngroups))
      : isF ? new Float64Array(buf, dp, ngroups).slice() : new BigInt64Array(buf, dp, ngroups).slice();
    const counts = cp === 0 ? new BigInt64Array(ngroups) : new BigInt64Array(buf, cp, ngroups).slice();
    return { values, counts };
  }

  /** The stable permutation sorting keys[0..n) (ascending, or descending). */
  sortPerm(keys: Column, exactInts: boolean, n: number, desc: boolean, perm: Int32Array): void {
    if (n === 0) return;
    const p = this.put(S_A, keys, n);
    const out = this.buf(S_OUT, n * 4);
    const st = this.x.sort_perm(kindOf(keys, exactInts), p, n, desc ? 1 : 0, out);
    if (st !== ST_OK) throw new SbError(SqlState.out_of_memory, `exec kernel: sort failed (${st})`);
    perm.set(new Int32Array(this.x.memory.buffer, out, n));
  }

  newJoin(): number {
    const h = this.x.join_new();
    if (h === 0) throw new SbError(SqlState.out_of_memory, 'exec kernel out of memory');
    return h;
  }
  freeJoin(h: number): void {
    this.x.join_free(h);
  }
  /** Adds build rows rowBase..rowBase+n-1 (NULL keys never match). */
  joinAdd(h: number, keys: Column, exactInts: boolean, nulls: Uint8Array | null, n: number, rowBase: number): void {
    if (n === 0) return;
    const p = this.put(S_A, keys, n);
    const np = this.putNulls(nulls, n);
    const st = this.x.join_add(h, kindOf(keys, exactInts), p, np, n, rowBase);
    if (st !== ST_OK) throw new SbError(SqlState.out_of_memory, `exec kernel: join build failed (${st})`);
  }
  joinFinish(h: number): void {
    const st = this.x.join_finish(h);
    if (st !== ST_OK) throw new SbError(SqlState.out_of_memory, `exec kernel: join build failed (${st})`);
  }

  /**
   * Probes a batch: calls emit(probeRows, buildRows, count) with up to
   * `chunk` pairs at a time (views valid only during the call), in probe-row
   * order, each probe row's matches in build order.
   */
  joinProbe(h: number, keys: Column, exactInts: boolean, nulls: Uint8Array | null, n: number,
    emit: (probe: Int32Array, build: Int32Array, count: number) => void, chunk = 4096): void {
    if (n === 0) return;
    const p = this.put(S_A, keys, n);
    const np = this.putNulls(nulls, n);
    const o1 = this.buf(S_OUT, chunk * 4);
    const o2 = this.buf(S_OUT2, chunk * 4);
    const kind = kindOf(keys, exactInts);
    this.x.join_probe_begin(h);
    for (;;) {
      const k = this.x.join_probe(h, kind, p, np, n, o1, o2, chunk);
      if (k < 0) throw new SbError(SqlState.internal_error, 'exec kernel: probe before the build finished');
      if (k > 0) {
        const buf = this.x.memory.buffer;
        emit(new Int32Array(buf, o1, k), new Int32Array(buf, o2, k), k);
      }
      if (this.x.join_probe_done(h, n) === 1) break;
    }
  }
}

let loaded: ExecKernels | null = null;
let loading: Promise<ExecKernels | null> | null = null;

/** Loads exec.wasm once per process; resolves null (TypeScript paths only) when it cannot be loaded. */
export function loadExecKernels(platform: Platform): Promise<ExecKernels | null> {
  if (loaded) return Promise.resolve(loaded);
  if (!loading) {
    loading = ExecKernels.load(platform).then((k) => (loaded = k), () => null);
  }
  return loading;
}

/** The loaded kernels, or null while they are not (the executor then runs its TypeScript loops). */
export function execKernels(): ExecKernels | null {
  return loaded;
}

/** Types whose values are JS numbers ordered as numbers (int8 may be a bigint: checked per value). */
const NUMBER_ORDERED = new Set(['int2', 'int4', 'int8', 'oid', 'float4', 'float8', 'date', 'time', 'timestamp', 'timestamptz']);
const NUMBER_KEYED = new Set(['int2', 'int4', 'int8', 'oid', 'date']);

/** Whether values of this type are numbers ordered numerically (the sort kernel's domain). */
export function sortsAsNumbers(typeId: string): boolean {
  return NUMBER_ORDERED.has(typeId);
}
/** Whether values of this type are integral numbers with number equality (the group-id kernel's domain; int8 may hold a bigint). */
export function groupsAsIntegers(typeId: string): boolean {
  return NUMBER_KEYED.has(typeId);
}

/**
 * The stable order of rows by one sort key with PostgreSQL's rules (NaN
 * greatest, NULLs first or last), through the sort kernel; null when the
 * kernel cannot take it (not loaded, a type not ordered as numbers, or a
 * value that is not a number) and the caller sorts in TypeScript.
 */
export function kernelSortOrder(typeId: string, desc: boolean, nullsFirst: boolean, values: readonly unknown[]): Int32Array | null {
  const k = loaded;
  const n = values.length;
  if (k === null || n < 2 || !NUMBER_ORDERED.has(typeId)) return null;
  const keys = new Float64Array(n);
  const rowOf = new Int32Array(n);
  const nullRows: number[] = [];
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null) { nullRows.push(i); continue; }
    if (typeof v !== 'number') return null;
    keys[m] = v;
    rowOf[m++] = i;
  }
  const perm = new Int32Array(m);
  k.sortPerm(keys.subarray(0, m), false, m, desc, perm);
  const order = new Int32Array(n);
  let o = 0;
  if (nullsFirst) for (const r of nullRows) order[o++] = r;
  for (let i = 0; i < m; i++) order[o++] = rowOf[perm[i]!]!;
  if (!nullsFirst) for (const r of nullRows) order[o++] = r;
  return order;
}
