// Comparison of a query's actual result with the expected block of a record:
// value printing, column type checks, sort modes, the two result layouts
// (one value per line, or one row per line with values separated by a space)
// and "N values hashing to H" results.

import { createHash } from 'node:crypto';
import type { ColumnType, ExpectedResult, SortMode } from './slt_parser.ts';
import type { SltResultSet } from './target.ts';

export const null_text = 'NULL';
export const empty_text = '(empty)';

/** How a value is printed in a results block. */
export function printValue(v: string | null): string {
  if (v === null) return null_text;
  if (v === '') return empty_text;
  return v;
}

const type_shapes: Record<ColumnType, { pattern: RegExp; what: string }> = {
  I: { pattern: /^-?\d+$/, what: 'an integer' },
  R: { pattern: /^(-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|NaN|-?Infinity)$/, what: 'a number' },
  T: { pattern: /[^]*/, what: 'text' },
  B: { pattern: /^[tf]$/, what: "a boolean ('t' or 'f')" },
};

/** Checks the column count and that every non-NULL value has its column's shape. */
export function checkColumnTypes(types: ColumnType[], result: SltResultSet): string | null {
  const width = result.fields.length;
  if (width !== types.length) return `expected ${types.length} column(s) (${types.join('')}), got ${width} (${result.fields.join(', ')})`;
  for (const [r, row] of result.rows.entries()) {
    if (row.length !== width) return `row ${r + 1} has ${row.length} values for ${width} columns`;
    for (const [c, v] of row.entries()) {
      if (v === null) continue;
      const shape = type_shapes[types[c]!];
      if (!shape.pattern.test(v)) return `column ${c + 1} (${result.fields[c]}) is declared ${types[c]} but row ${r + 1} has '${v}', not ${shape.what}`;
    }
  }
  return null;
}

type Layout = 'value' | 'row';

function compareArrays(a: string[], b: string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Actual rows as printed values, sorted per the sort mode, flattened one value per line. */
export function canonicalValues(rows: (string | null)[][], sort: SortMode): string[] {
  const printed = rows.map((r) => r.map(printValue));
  if (sort === 'rowsort') printed.sort(compareArrays);
  const values = printed.flat();
  if (sort === 'valuesort') values.sort(compareStrings);
  return values;
}

/** The classic sqllogictest hash: MD5 of every value followed by a newline. */
export function hashValues(values: string[]): string {
  const h = createHash('md5');
  for (const v of values) h.update(v + '\n');
  return h.digest('hex');
}

/** Lines of a layout, after applying the sort mode; null when the lines do not fit the layout. */
function arrange(lines: string[], layout: Layout, width: number, sort: SortMode): string[] | null {
  if (sort === 'nosort') return lines;
  if (layout === 'value') {
    if (sort === 'valuesort') return [...lines].sort(compareStrings);
    if (lines.length % width !== 0) return null;
    return chunk(lines, width).sort(compareArrays).flat();
  }
  if (sort === 'rowsort') return [...lines].sort(compareStrings);
  // valuesort on row lines: the values are the space-separated words.
  return lines.flatMap((l) => l.split(' ')).sort(compareStrings);
}

function render(rows: (string | null)[][], layout: Layout): string[] {
  if (layout === 'value') return rows.flat().map(printValue);
  return rows.map((r) => r.map(printValue).join(' '));
}

export interface Mismatch {
  message: string;
  expected: string[];
  actual: string[];
}

function equalLines(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Compares an actual result set (already type-checked) with an expected
 * block. Returns null when they match.
 */
export function compareResult(expected: ExpectedResult, sort: SortMode, result: SltResultSet): Mismatch | null {
  const width = result.fields.length;
  if (expected.kind === 'hash') {
    const values = canonicalValues(result.rows, sort);
    const hash = hashValues(values);
    if (values.length === expected.count && hash === expected.hash) return null;
    return {
      message: 'result hash differs',
      expected: [`${expected.count} values hashing to ${expected.hash}`],
      actual: [`${values.length} values hashing to ${hash}`, ...values],
    };
  }
  const lines = expected.lines;
  // One column: both layouts are the same. Otherwise try the layouts the
  // expected block could be written in; the first that matches wins.
  const candidates: Layout[] = [];
  if (width <= 1) candidates.push('value');
  else {
    const rowFits = lines.every((l) => l.split(' ').length >= width);
    const valueFits = lines.length % width === 0;
    if (rowFits) candidates.push('row');
    if (valueFits) candidates.push('value');
    if (candidates.length === 0) candidates.push(lines.length === result.rows.length ? 'row' : 'value');
    // Report a mismatch in the layout whose line count matches the actual result.
    if (candidates.length === 2 && lines.length === result.rows.length * width && lines.length !== result.rows.length) candidates.reverse();
  }
  for (const layout of candidates) {
    const want = arrange(lines, layout, width, sort);
    const got = arrange(render(result.rows, layout), layout, width, sort);
    if (want !== null && got !== null && equalLines(want, got)) return null;
  }
  const layout = candidates[0]!;
  const want = arrange(lines, layout, width, sort) ?? lines;
  const got = arrange(render(result.rows, layout), layout, width, sort) ?? render(result.rows, layout);
  const rows = result.rows.length;
  return { message: `result differs (${rows} row${rows === 1 ? '' : 's'}, ${sort})`, expected: want, actual: got };
}
