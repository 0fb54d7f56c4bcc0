// Large statements parse whole and correctly. How fast, and that time grows
// linearly with input size, is measured by tools/bench/parser_bench.ts (timed
// assertions do not belong in tests on a shared machine).

import { describe, expect, it } from 'vitest';
import { mysql, parse, postgres } from '../../sql-dialects/index.ts';

export function bigInsert(rows: number): string {
  const values: string[] = [];
  for (let i = 0; i < rows; i++) values.push(`(${i}, 'name ${i} with some padding text', ${i}.5, true, NULL, '2020-01-01')`);
  return 'INSERT INTO t (a, b, c, d, e, f) VALUES ' + values.join(', ');
}

describe('large statements', () => {
  it('parses a 1 MB, 20,000-row VALUES statement in every row', () => {
    const sql = bigInsert(20_000);
    expect(sql.length).toBeGreaterThan(1_000_000);
    for (const dialect of [postgres, mysql]) {
      const [s] = parse(sql, dialect);
      expect(s).toMatchObject({ kind: 'insert', source: { body: { kind: 'values' } } });
      const rows = (s as unknown as { source: { body: { rows: unknown[][] } } }).source.body.rows;
      expect(rows.length).toBe(20_000);
      expect(rows[19_999]!.length).toBe(6);
    }
  });
});
