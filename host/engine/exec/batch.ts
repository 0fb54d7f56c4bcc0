// Batches: the unit operators pass to each other. Column-major: cols[c][i] is
// row i's value of column c, in the JS representation of its SQL type
// (docs/design/sql_engine.md, "Values"); null is SQL NULL.

export const BATCH_ROWS = 1024;

export interface Batch {
  length: number;
  cols: unknown[][];
}

export function emptyBatch(width: number): Batch {
  const cols: unknown[][] = [];
  for (let c = 0; c < width; c++) cols.push([]);
  return { length: 0, cols };
}

/** A batch of the given rows (row-major input). */
export function batchOfRows(rows: unknown[][], width: number): Batch {
  const b = emptyBatch(width);
  for (const r of rows) pushRow(b, r);
  return b;
}

export function pushRow(b: Batch, row: readonly unknown[]): void {
  for (let c = 0; c < b.cols.length; c++) b.cols[c]!.push(row[c] ?? null);
  b.length++;
}

export function rowOf(b: Batch, i: number): unknown[] {
  const r = new Array<unknown>(b.cols.length);
  for (let c = 0; c < b.cols.length; c++) r[c] = b.cols[c]![i];
  return r;
}

/** Keeps the rows whose indexes are listed (ascending). */
export function selectRows(b: Batch, sel: ArrayLike<number>, n: number): Batch {
  if (n === b.length) return b;
  const cols = b.cols.map((col) => {
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = col[sel[i]!];
    return out;
  });
  return { length: n, cols };
}

/** Rows [from, to) of a batch. */
export function sliceBatch(b: Batch, from: number, to: number): Batch {
  if (from === 0 && to >= b.length) return b;
  return { length: Math.max(0, Math.min(to, b.length) - from), cols: b.cols.map((c) => c.slice(from, to)) };
}
