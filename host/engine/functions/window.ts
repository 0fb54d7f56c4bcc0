// Window functions over a sorted partition (registry.ts WindowFrameView):
// row_number, rank, dense_rank, percent_rank, cume_dist, ntile, lag, lead,
// first_value, last_value, nth_value. Aggregates used as window functions
// are AggImpl run by the executor over each frame (with inverse where the
// aggregate provides one).

import { SbError } from '../sb_error.ts';
import { T } from '../types/types.ts';
import { defWindow, type WindowFrameView } from './registry.ts';

const I8 = T.int8;
const F8 = T.float8;

defWindow({ name: 'row_number', args: [], ret: I8, usesFrame: false, fn: (w) => w.row + 1 });
defWindow({ name: 'rank', args: [], ret: I8, usesFrame: false, fn: (w) => w.peerStart + 1 });
defWindow({ name: 'dense_rank', args: [], ret: I8, usesFrame: false, fn: (w) => w.peerGroup + 1 });
defWindow({
  name: 'percent_rank', args: [], ret: F8, usesFrame: false,
  fn: (w) => (w.partitionSize > 1 ? w.peerStart / (w.partitionSize - 1) : 0),
});
defWindow({ name: 'cume_dist', args: [], ret: F8, usesFrame: false, fn: (w) => w.peerEnd / w.partitionSize });

defWindow({
  name: 'ntile', args: [T.int4], ret: T.int4, usesFrame: false,
  fn: (w) => {
    // The bucket count is taken from the partition's first row, as PostgreSQL does.
    const k = w.arg(0, 0) as number | null;
    if (k === null) return null;
    if (k <= 0) throw new SbError('22014', 'argument of ntile must be greater than zero');
    const n = w.partitionSize;
    const per = Math.floor(n / k);
    const rem = n % k;
    const big = (per + 1) * rem; // rows in the first `rem` buckets
    if (w.row < big) return Math.floor(w.row / (per + 1)) + 1;
    return rem + Math.floor((w.row - big) / per) + 1;
  },
});

function shifted(w: WindowFrameView, sign: 1 | -1, withOffset: boolean, withDefault: boolean): unknown {
  let offset = 1;
  if (withOffset) {
    const o = w.arg(1, w.row) as number | null;
    if (o === null) return null;
    offset = o;
  }
  const target = w.row + sign * offset;
  if (target < 0 || target >= w.partitionSize) return withDefault ? w.arg(2, w.row) : null;
  return w.arg(0, target);
}

for (const [name, sign] of [['lag', -1], ['lead', 1]] as const) {
  defWindow({ name, args: [T.anyelement], ret: T.anyelement, usesFrame: false, fn: (w) => shifted(w, sign, false, false) });
  defWindow({ name, args: [T.anyelement, T.int4], ret: T.anyelement, usesFrame: false, fn: (w) => shifted(w, sign, true, false) });
  defWindow({
    name, args: [T.anycompatible, T.int4, T.anycompatible], ret: T.anycompatible, usesFrame: false,
    fn: (w) => shifted(w, sign, true, true),
  });
}

defWindow({
  name: 'first_value', args: [T.anyelement], ret: T.anyelement, usesFrame: true,
  fn: (w) => (w.frameCount === 0 ? null : w.arg(0, w.frameRow(0))),
});
defWindow({
  name: 'last_value', args: [T.anyelement], ret: T.anyelement, usesFrame: true,
  fn: (w) => (w.frameCount === 0 ? null : w.arg(0, w.frameRow(w.frameCount - 1))),
});
defWindow({
  name: 'nth_value', args: [T.anyelement, T.int4], ret: T.anyelement, usesFrame: true,
  fn: (w) => {
    const n = w.arg(1, w.row) as number | null;
    if (n === null) return null;
    if (n <= 0) throw new SbError('22016', 'argument of nth_value must be greater than zero');
    return n <= w.frameCount ? w.arg(0, w.frameRow(n - 1)) : null;
  },
});

/** A frame view over in-memory rows (tests, and executors that materialise partitions). */
export function partitionView(
  args: unknown[][],
  peers: number[],
  row: number,
  frame: number[],
): WindowFrameView {
  const peerGroup = peers[row]!;
  let peerStart = row;
  while (peerStart > 0 && peers[peerStart - 1] === peerGroup) peerStart--;
  let peerEnd = row + 1;
  while (peerEnd < peers.length && peers[peerEnd] === peerGroup) peerEnd++;
  return {
    partitionSize: peers.length,
    row,
    peerStart,
    peerEnd,
    peerGroup,
    frameCount: frame.length,
    frameRow: (i) => frame[i]!,
    arg: (a, r) => args[r]![a] ?? null,
  };
}
