// Window functions: the operator reads all of its input, then for each
// distinct (PARTITION BY, ORDER BY) specification sorts the rows (stably, so
// the last specification's order is the output order, as PostgreSQL's
// successive WindowAgg sorts), finds partitions and peer groups, and
// computes every call of that specification. Output: the input columns,
// then one column per call.
//
// Frames (ROWS / RANGE / GROUPS, offsets, EXCLUDE) are computed per row as
// [start, end) in the partition minus the excluded rows. Aggregates over a
// frame run incrementally when the frame only grows (start fixed at the
// partition start), with the inverse transition when both ends move and the
// aggregate has one, else afresh per row.

import { SbError } from '../sb_error.ts';
import type { Expr, Plan, WindowCall } from '../plan/nodes.ts';
import { registry, type AggImpl, type CallInfo, type WindowFrameView, type WindowImpl } from '../functions/registry.ts';
import { resolveOperator } from '../functions/resolve.ts';
import type { EvalContext } from '../functions/context.ts';
import { castValue } from '../types/casts.ts';
import { compareValues } from '../types/compare.ts';
import { T, type SqlType } from '../types/types.ts';
import { BATCH_ROWS, type Batch } from './batch.ts';
import { compileEnv, registerBuilder } from './build.ts';
import type { ExecContext } from './context.ts';
import { compileExpr, type VecFn } from './expr.ts';
import { BaseOp, type CompiledSortKey } from './ops_basic.ts';
import { type Operator, PAUSE, type Step } from './operator.ts';
import { exprKey } from '../bind/coerce.ts';

type Bound = WindowCall['frame']['start'];

interface CallRt {
  call: WindowCall;
  win?: WindowImpl;
  agg?: AggImpl;
  info: CallInfo;
  args: VecFn[];
  filter?: VecFn;
  startOffset?: VecFn;
  endOffset?: VecFn;
}

interface SpecRt {
  partition: Array<{ fn: VecFn; type: SqlType }>;
  order: CompiledSortKey[];
  calls: number[];
}

const ONE: Batch = { length: 1, cols: [] };

export class WindowOp extends BaseOp {
  private out: unknown[][] | null = null;
  private order: number[] = [];
  private pos = 0;

  constructor(
    private readonly input: Operator,
    private readonly calls: CallRt[],
    private readonly specs: SpecRt[],
  ) {
    super(input.width + calls.length);
  }

  override open(ctx: ExecContext): void {
    super.open(ctx);
    this.out = null;
    this.pos = 0;
    this.input.open(ctx);
  }

  override close(): void {
    this.input.close();
    this.out = null;
  }

  *next(): Step {
    if (this.out === null) {
      const inW = this.input.width;
      const cols: unknown[][] = [];
      for (let c = 0; c < inW; c++) cols.push([]);
      // Per call: argument columns, filter; per spec: partition and order keys, all over the whole input.
      const argCols = this.calls.map((c) => c.args.map(() => [] as unknown[]));
      const filterCols = this.calls.map((c) => (c.filter ? ([] as unknown[]) : null));
      const partCols = this.specs.map((s) => s.partition.map(() => [] as unknown[]));
      const orderCols = this.specs.map((s) => s.order.map(() => [] as unknown[]));
      const ctx = this.ctx;
      let rowCount = 0;
      for (;;) {
        const b = yield* this.input.next();
        if (b === null) break;
        rowCount += b.length;
        for (let c = 0; c < inW; c++) append(cols[c]!, b.cols[c]!, b.length);
        this.calls.forEach((c, i) => {
          c.args.forEach((f, j) => append(argCols[i]![j]!, f(b, ctx), b.length));
          if (c.filter) append(filterCols[i]!, c.filter(b, ctx), b.length);
        });
        this.specs.forEach((s, i) => {
          s.partition.forEach((p, j) => append(partCols[i]![j]!, p.fn(b, ctx), b.length));
          s.order.forEach((o, j) => append(orderCols[i]![j]!, o.fn(b, ctx), b.length));
        });
        if (ctx.tick()) yield PAUSE;
      }
      const results = this.calls.map(() => new Array<unknown>(rowCount).fill(null));
      let perm: number[] = Array.from({ length: rowCount }, (_, i) => i);
      for (let si = 0; si < this.specs.length; si++) {
        const spec = this.specs[si]!;
        const pc = partCols[si]!;
        const oc = orderCols[si]!;
        const ptypes = spec.partition.map((p) => p.type);
        const cmpPart = (a: number, b: number): number => {
          for (let k = 0; k < pc.length; k++) {
            const c = cmpNullable(ptypes[k]!, pc[k]![a], pc[k]![b], false, false);
            if (c !== 0) return c;
          }
          return 0;
        };
        const cmpOrder = (a: number, b: number): number => {
          for (let k = 0; k < oc.length; k++) {
            const key = spec.order[k]!;
            const c = cmpNullable(key.type, oc[k]![a], oc[k]![b], key.desc, key.nullsFirst);
            if (c !== 0) return c;
          }
          return 0;
        };
        if (pc.length + oc.length > 0) {
          const keyCols = [...pc, ...oc];
          const dirs = [...pc.map(() => ({ desc: false, nullsFirst: false })), ...spec.order];
          perm = sortNumeric(perm, keyCols, dirs) ?? perm.slice().sort((a, b) => cmpPart(a, b) || cmpOrder(a, b));
        }
        let ps = 0;
        while (ps < rowCount) {
          let pe = ps + 1;
          while (pe < rowCount && cmpPart(perm[ps]!, perm[pe]!) === 0) pe++;
          const rows = perm.slice(ps, pe);
          const part = new Partition(rows, oc.length > 0 ? (a, b) => cmpOrder(rows[a]!, rows[b]!) : () => 0);
          for (const ci of spec.calls) {
            const rt = this.calls[ci]!;
            const oKey = spec.order[0];
            const ocol = oc[0];
            computeCall(rt, part, argCols[ci]!, filterCols[ci]!, results[ci]!, ctx, oKey && ocol ? { key: oKey, col: ocol } : undefined);
          }
          ps = pe;
          if (ctx.tick()) yield PAUSE;
        }
      }
      this.order = perm;
      this.out = [...cols, ...results];
    }
    const total = this.order.length;
    if (this.pos >= total) return null;
    const end = Math.min(total, this.pos + BATCH_ROWS);
    const length = end - this.pos;
    const order = this.order;
    const from = this.pos;
    const outCols: unknown[][] = this.out.map((col) => {
      const o = new Array<unknown>(length);
      for (let k = 0; k < length; k++) o[k] = col[order[from + k]!];
      return o;
    });
    this.pos = end;
    return { length, cols: outCols };
  }
}

/**
 * Stable sort of `perm` by key columns holding only JS numbers (or NULL, no
 * NaN): typed arrays and a comparator without type dispatch. Null when some
 * column does not qualify (the generic comparator sorts then).
 */
function sortNumeric(perm: number[], cols: unknown[][], dirs: Array<{ desc: boolean; nullsFirst: boolean }>): number[] | null {
  const n = perm.length;
  const vals: Float64Array[] = [];
  const nulls: Uint8Array[] = [];
  for (const col of cols) {
    const v = new Float64Array(n);
    const nl = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const x = col[perm[i]!];
      if (x === null) nl[i] = 1;
      else if (typeof x === 'number' && x === x) v[i] = x;
      else return null;
    }
    vals.push(v);
    nulls.push(nl);
  }
  const k = cols.length;
  const pos = new Array<number>(n);
  for (let i = 0; i < n; i++) pos[i] = i;
  pos.sort((a, b) => {
    for (let j = 0; j < k; j++) {
      const nl = nulls[j]!;
      const na = nl[a]!;
      const nb = nl[b]!;
      const dir = dirs[j]!;
      if (na | nb) {
        if (na & nb) continue;
        return na ? (dir.nullsFirst ? -1 : 1) : dir.nullsFirst ? 1 : -1;
      }
      const v = vals[j]!;
      const d = v[a]! - v[b]!;
      if (d !== 0) return dir.desc ? -d : d;
    }
    return a - b;
  });
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = perm[pos[i]!]!;
  return out;
}

function append(dst: unknown[], src: unknown[], n: number): void {
  for (let i = 0; i < n; i++) dst.push(src[i]);
}

function cmpNullable(t: SqlType, x: unknown, y: unknown, desc: boolean, nullsFirst: boolean): number {
  if (x === null || y === null) {
    if (x === null && y === null) return 0;
    return x === null ? (nullsFirst ? -1 : 1) : nullsFirst ? 1 : -1;
  }
  const c = compareValues(t, x, y);
  return desc ? -c : c;
}

/** A sorted partition: global row numbers and peer groups. */
class Partition {
  readonly size: number;
  /** Peer group of each row; start of each group (plus a final sentinel = size). */
  readonly peer: Int32Array;
  readonly groupStart: number[] = [];
  constructor(readonly rows: number[], sameOrder: (a: number, b: number) => number) {
    this.size = rows.length;
    this.peer = new Int32Array(this.size);
    let g = -1;
    for (let i = 0; i < this.size; i++) {
      if (i === 0 || sameOrder(i - 1, i) !== 0) {
        g++;
        this.groupStart.push(i);
      }
      this.peer[i] = g;
    }
    this.groupStart.push(this.size);
  }
  peerStart(i: number): number {
    return this.groupStart[this.peer[i]!]!;
  }
  peerEnd(i: number): number {
    return this.groupStart[this.peer[i]! + 1]!;
  }
}

interface OrderInfo {
  key: CompiledSortKey;
  col: unknown[];
}

/** Frame of row i: [start, end) and the excluded range [exStart, exEnd) (with `keep` kept inside it). */
interface Frame {
  start: number;
  end: number;
  exStart: number;
  exEnd: number;
  keep: number;
}

function computeCall(rt: CallRt, part: Partition, args: unknown[][], filter: unknown[] | null, out: unknown[], ctx: ExecContext, order: OrderInfo | undefined): void {
  const call = rt.call;
  const m = part.size;
  const rows = part.rows;
  const ev = ctx.ev;
  const offs = {
    start: rt.startOffset ? rt.startOffset(ONE, ctx)[0] : null,
    end: rt.endOffset ? rt.endOffset(ONE, ctx)[0] : null,
  };
  checkOffsets(call, offs.start, offs.end);
  const range = call.frame.units === 'range' && (call.frame.start.offset || call.frame.end.offset) ? rangeHelper(order!, rt, ev) : undefined;
  const frame: Frame = { start: 0, end: 0, exStart: 0, exEnd: 0, keep: -1 };
  const frameOf = (i: number): Frame => {
    computeFrame(call, part, i, offs.start, offs.end, range, frame);
    return frame;
  };
  if (rt.win) {
    const win = rt.win;
    const view: WindowFrameView & { row: number } = {
      partitionSize: m, row: 0, peerStart: 0, peerEnd: 0, peerGroup: 0, frameCount: 0,
      frameRow: (k) => frameRowAt(frame, k),
      arg: (a, r) => args[a]![rows[r]!] ?? null,
    };
    for (let i = 0; i < m; i++) {
      view.row = i;
      view.peerStart = part.peerStart(i);
      view.peerEnd = part.peerEnd(i);
      view.peerGroup = part.peer[i]!;
      if (win.usesFrame) {
        frameOf(i);
        view.frameCount = frameCount(frame);
      }
      out[rows[i]!] = win.fn(view, ev, rt.info);
    }
    return;
  }
  const agg = rt.agg!;
  const nargs = args.length;
  const argv = new Array<unknown>(nargs);
  const include = (r: number): boolean => {
    const g = rows[r]!;
    if (filter !== null && filter[g] !== true) return false;
    for (let j = 0; j < nargs; j++) {
      const v = args[j]![g];
      if (v === null && agg.strict) return false;
      argv[j] = v;
    }
    return true;
  };
  const step = (s: unknown, r: number): unknown => (include(r) ? agg.step(s, argv, ev, rt.info) : s);
  const f = call.frame;
  const noExclude = f.exclude === 'no_others';
  if (noExclude && f.start.type === 'unbounded_preceding') {
    // The frame only grows: add rows as its end moves.
    let s = agg.init(ev, rt.info);
    let added = 0;
    let lastEnd = -1;
    let lastVal: unknown = null;
    for (let i = 0; i < m; i++) {
      const fr = frameOf(i);
      const end = Math.max(fr.end, fr.start);
      if (end === lastEnd) {
        out[rows[i]!] = lastVal;
        continue;
      }
      while (added < end) s = step(s, added++);
      lastVal = agg.final(s, ev, rt.info);
      lastEnd = end;
      out[rows[i]!] = lastVal;
    }
    return;
  }
  if (noExclude && agg.inverse) {
    let s = agg.init(ev, rt.info);
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < m; i++) {
      const fr = frameOf(i);
      const start = fr.start;
      const end = Math.max(fr.end, start);
      if (start >= hi) {
        // No overlap with the previous frame: restart.
        s = agg.init(ev, rt.info);
        lo = hi = start;
      }
      while (hi < end) s = step(s, hi++);
      while (lo < start) {
        if (include(lo)) {
          const r = agg.inverse(s, argv, ev, rt.info);
          if (r === undefined) {
            // The aggregate cannot remove this row (numeric scale): recompute the frame.
            s = agg.init(ev, rt.info);
            for (let k = start; k < hi; k++) s = step(s, k);
            lo = start;
            break;
          }
          s = r;
        }
        lo++;
      }
      out[rows[i]!] = agg.final(s, ev, rt.info);
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    const fr = frameOf(i);
    let s = agg.init(ev, rt.info);
    const n = frameCount(fr);
    for (let k = 0; k < n; k++) s = step(s, frameRowAt(fr, k));
    out[rows[i]!] = agg.final(s, ev, rt.info);
  }
}

function frameCount(f: Frame): number {
  if (f.end <= f.start) return 0;
  const exS = Math.max(f.exStart, f.start);
  const exE = Math.min(f.exEnd, f.end);
  let n = f.end - f.start;
  if (exE > exS) {
    n -= exE - exS;
    if (f.keep >= exS && f.keep < exE) n++;
  }
  return n;
}

function frameRowAt(f: Frame, k: number): number {
  const exS = Math.max(f.exStart, f.start);
  const exE = Math.min(f.exEnd, f.end);
  if (exE <= exS) return f.start + k;
  const before = exS - f.start;
  if (k < before) return f.start + k;
  k -= before;
  if (f.keep >= exS && f.keep < exE) {
    if (k === 0) return f.keep;
    k--;
  }
  return exE + k;
}

function checkOffsets(call: WindowCall, so: unknown, eo: unknown): void {
  const bad = (v: unknown): boolean => {
    if (v === null) return false;
    if (typeof v === 'number' || typeof v === 'bigint') return v < 0;
    const x = v as { sign?: () => number; isNaN?: () => boolean; months?: number; days?: number; micros?: number };
    if (typeof x.sign === 'function') return x.sign() < 0;
    if (typeof x.micros === 'number') return x.months! < 0 || x.days! < 0 || x.micros < 0;
    return false;
  };
  if (call.frame.start.offset && (so === null || bad(so))) {
    throw new SbError(so === null ? '22004' : '22013', so === null ? 'frame starting offset must not be null' : 'frame starting offset must not be negative');
  }
  if (call.frame.end.offset && (eo === null || bad(eo))) {
    throw new SbError(eo === null ? '22004' : '22013', eo === null ? 'frame ending offset must not be null' : 'frame ending offset must not be negative');
  }
}

interface RangeHelper {
  /** Compare the key of partition row r with (current key + sign * offset). */
  cmpShifted(part: Partition, r: number, cur: number, offset: unknown, sign: 1 | -1): number;
  isNull(part: Partition, r: number): boolean;
  desc: boolean;
  nullsFirst: boolean;
}

function rangeHelper(order: OrderInfo, rt: CallRt, ev: EvalContext): RangeHelper {
  const keyType = order.key.type;
  const offType = (rt.call.frame.start.offset ?? rt.call.frame.end.offset)!.type;
  const asTs = keyType.id === 'date';
  const baseType = asTs ? T.timestamp : keyType;
  const timeKey = keyType.id === 'time';
  const plus = resolveOperator('+', timeKey ? T.timestamp : baseType, offType);
  const minus = resolveOperator('-', timeKey ? T.timestamp : baseType, offType);
  const col = order.col;
  const info = (r: typeof plus): CallInfo => ({ argTypes: r.argTypes, retType: r.retType });
  const conv = (v: unknown): unknown => (asTs ? castValue(v, T.date, T.timestamp, ev, 'implicit') : v);
  const resType = plus.retType;
  return {
    desc: order.key.desc,
    nullsFirst: order.key.nullsFirst,
    isNull: (part, r) => col[part.rows[r]!] === null,
    cmpShifted(part, r, cur, offset, sign) {
      if (keyType.id === 'time') {
        // in_range for time: the offset's time part, no wrap around midnight.
        const bound = (col[part.rows[cur]!] as number) + sign * (offset as { micros: number }).micros;
        const v = col[part.rows[r]!] as number;
        return v < bound ? -1 : v > bound ? 1 : 0;
      }
      const base = conv(col[part.rows[cur]!]);
      const v = conv(col[part.rows[r]!]);
      let bound: unknown;
      try {
        const op = sign > 0 ? plus : minus;
        bound = op.impl.fn(base, offset, ev, info(op));
      } catch {
        // Overflow: the bound lies beyond every value.
        return sign > 0 ? -1 : 1;
      }
      return compareValues(resType, resType.id === baseType.id ? v : castValue(v, baseType, resType, ev, 'implicit'), bound);
    },
  };
}

function computeFrame(call: WindowCall, part: Partition, i: number, so: unknown, eo: unknown, range: RangeHelper | undefined, f: Frame): void {
  const fr = call.frame;
  f.start = frameBound(fr.units, fr.start, part, i, so, true, range);
  f.end = frameBound(fr.units, fr.end, part, i, eo, false, range);
  f.keep = -1;
  f.exStart = f.exEnd = 0;
  switch (fr.exclude) {
    case 'current':
      f.exStart = i;
      f.exEnd = i + 1;
      break;
    case 'group':
      f.exStart = part.peerStart(i);
      f.exEnd = part.peerEnd(i);
      break;
    case 'ties':
      f.exStart = part.peerStart(i);
      f.exEnd = part.peerEnd(i);
      f.keep = i;
      break;
    default:
      break;
  }
}

/** One end of row i's frame: the first row (start) or one past the last (end). */
function frameBound(units: WindowCall['frame']['units'], b: Bound, part: Partition, i: number, off: unknown, isStart: boolean, range: RangeHelper | undefined): number {
  const m = part.size;
  switch (b.type) {
    case 'unbounded_preceding':
      return 0;
    case 'unbounded_following':
      return m;
    case 'current':
      if (units === 'rows') return isStart ? i : i + 1;
      return isStart ? part.peerStart(i) : part.peerEnd(i);
    case 'preceding':
    case 'following': {
      const sign = b.type === 'preceding' ? -1 : 1;
      if (units === 'rows') return clamp((isStart ? i : i + 1) + sign * Number(off), m);
      if (units === 'groups') {
        const g = part.peer[i]! + sign * Number(off);
        const groups = part.groupStart.length - 1;
        if (isStart) return g < 0 ? 0 : g >= groups ? m : part.groupStart[g]!;
        return g < 0 ? 0 : g >= groups ? m : part.groupStart[g + 1]!;
      }
      return rangeBound(part, i, off, sign, isStart, range!);
    }
  }
}

function clamp(v: number, m: number): number {
  return v < 0 ? 0 : v > m ? m : v;
}

/** RANGE offset bound: the first row (start) or one past the last row (end) within key ± offset. */
function rangeBound(part: Partition, i: number, off: unknown, sign: 1 | -1, isStart: boolean, h: RangeHelper): number {
  const m = part.size;
  if (h.isNull(part, i)) {
    // A NULL key's frame is its peers (the NULLs).
    return isStart ? part.peerStart(i) : part.peerEnd(i);
  }
  // The non-NULL rows form one sorted run.
  let lo = 0;
  let hi = m;
  while (lo < m && h.isNull(part, lo)) lo++;
  while (hi > lo && h.isNull(part, hi - 1)) hi--;
  // "preceding" moves against the sort direction.
  const dirSign = (h.desc ? -sign : sign) as 1 | -1;
  // In sort order, a row is before the bound when (desc ? key > bound : key < bound).
  const before = (r: number, inclusive: boolean): boolean => {
    const c = h.cmpShifted(part, r, i, off, dirSign);
    const cc = h.desc ? -c : c;
    return inclusive ? cc <= 0 : cc < 0;
  };
  // start: first row not before the bound; end: first row after the bound.
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (before(mid, !isStart)) a = mid + 1;
    else b = mid;
  }
  return a;
}

function specKey(c: WindowCall): string {
  return exprKey({ k: 'row', type: T.record, fields: [...c.partition, ...c.order.map((o) => o.expr)] } as Expr) + JSON.stringify(c.order.map((o) => [o.desc, o.nullsFirst]));
}

registerBuilder('window', (plan: Plan, build) => {
  const p = plan as Extract<Plan, { n: 'window' }>;
  const ce = (e: Expr): VecFn => compileExpr(e, compileEnv);
  const calls: CallRt[] = p.calls.map((c) => {
    const impl = registry.byOid.get(c.oid);
    const info: CallInfo = { argTypes: c.args.map((a) => a.type), retType: c.type };
    const rt: CallRt = {
      call: c, info, args: c.args.map(ce),
      ...(c.filter ? { filter: ce(c.filter) } : {}),
      ...(c.frame.start.offset ? { startOffset: ce(c.frame.start.offset) } : {}),
      ...(c.frame.end.offset ? { endOffset: ce(c.frame.end.offset) } : {}),
    };
    if (c.kind === 'window') {
      if (!impl || !('usesFrame' in impl)) throw new SbError('42883', `window function with OID ${c.oid} does not exist`);
      rt.win = impl as WindowImpl;
    } else {
      if (!impl || !('step' in impl)) throw new SbError('42883', `aggregate function with OID ${c.oid} does not exist`);
      rt.agg = impl as AggImpl;
    }
    return rt;
  });
  const specs: SpecRt[] = [];
  const keys: string[] = [];
  p.calls.forEach((c, i) => {
    const k = specKey(c);
    let s = keys.indexOf(k);
    if (s < 0) {
      keys.push(k);
      specs.push({
        partition: c.partition.map((e) => ({ fn: ce(e), type: e.type })),
        order: c.order.map((o) => ({ fn: ce(o.expr), type: o.expr.type, desc: o.desc, nullsFirst: o.nullsFirst })),
        calls: [],
      });
      s = specs.length - 1;
    }
    specs[s]!.calls.push(i);
  });
  return new WindowOp(build(p.input), calls, specs);
});

export type { EvalContext };
