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
import type { EvalContext } from '../functions/context.ts';
import { compareValues } from '../types/compare.ts';
import { T, type SqlType } from '../types/types.ts';
import { BATCH_ROWS, type Batch } from './batch.ts';
import { compileEnv, registerBuilder } from './build.ts';
import type { ExecContext } from './context.ts';
import { compileExpr, type VecFn } from './expr.ts';
import { BaseOp, type CompiledSortKey } from './ops_basic.ts';
import { type Operator, PAUSE, type Step } from './operator.ts';
import { exprKey } from '../bind/coerce.ts';
import { checkOffsets, computeFrame, type Frame, frameCount, frameRowAt, type OrderInfo, Partition, rangeHelper } from './window_frame.ts';

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
  const range = call.frame.units === 'range' && (call.frame.start.offset || call.frame.end.offset) ? rangeHelper(order!, call, ev) : undefined;
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
