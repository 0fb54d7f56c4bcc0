// Window frames: a sorted partition with its peer groups, and the frame of
// each row (ROWS / RANGE / GROUPS bounds with offsets, EXCLUDE) as PostgreSQL
// defines them. RANGE offsets compare the ORDER BY key with key ± offset
// (in_range), by binary search over the partition's non-NULL keys.

import { SbError } from '../sb_error.ts';
import type { WindowCall } from '../plan/nodes.ts';
import type { CallInfo } from '../functions/registry.ts';
import { resolveOperator } from '../functions/resolve.ts';
import type { EvalContext } from '../functions/context.ts';
import { castValue } from '../types/casts.ts';
import { compareValues } from '../types/compare.ts';
import { T } from '../types/types.ts';
import type { CompiledSortKey } from './ops_basic.ts';

type Bound = WindowCall['frame']['start'];

/** A sorted partition: global row numbers and peer groups. */
export class Partition {
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

export interface OrderInfo {
  key: CompiledSortKey;
  col: unknown[];
}

/** Frame of row i: [start, end) and the excluded range [exStart, exEnd) (with `keep` kept inside it). */
export interface Frame {
  start: number;
  end: number;
  exStart: number;
  exEnd: number;
  keep: number;
}

export function frameCount(f: Frame): number {
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

export function frameRowAt(f: Frame, k: number): number {
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

export function checkOffsets(call: WindowCall, so: unknown, eo: unknown): void {
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

export interface RangeHelper {
  /** Compare the key of partition row r with (current key + sign * offset). */
  cmpShifted(part: Partition, r: number, cur: number, offset: unknown, sign: 1 | -1): number;
  isNull(part: Partition, r: number): boolean;
  desc: boolean;
  nullsFirst: boolean;
}

export function rangeHelper(order: OrderInfo, call: WindowCall, ev: EvalContext): RangeHelper {
  const keyType = order.key.type;
  const offType = (call.frame.start.offset ?? call.frame.end.offset)!.type;
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
      if (typeof base === 'number' && typeof offset === 'number' && !Number.isFinite(base) && offset === Infinity) {
        // +inf infinitely preceded / -inf infinitely followed: the bound lies beyond every value (in_range_float8_float8).
        if (sign < 0 && base > 0) return 1;
        if (sign > 0 && base < 0) return -1;
      }
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

export function computeFrame(call: WindowCall, part: Partition, i: number, so: unknown, eo: unknown, range: RangeHelper | undefined, f: Frame): void {
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

