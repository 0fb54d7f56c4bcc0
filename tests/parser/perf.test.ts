// The parser is linear: a 1 MB statement (a 20,000-row VALUES list) parses in
// well under a second.

import { describe, expect, it } from 'vitest';
import { mysql, parse, postgres } from '../../sql-dialects/index.ts';

function bigInsert(rows: number): string {
  const values: string[] = [];
  for (let i = 0; i < rows; i++) values.push(`(${i}, 'name ${i} with some padding text', ${i}.5, true, NULL, '2020-01-01')`);
  return 'INSERT INTO t (a, b, c, d, e, f) VALUES ' + values.join(', ');
}

describe('performance', () => {
  it('parses a 1 MB, 20,000-row VALUES statement quickly', () => {
    const sql = bigInsert(20_000);
    expect(sql.length).toBeGreaterThan(1_000_000);
    parse(sql, postgres); // warm up the JIT
    const t0 = performance.now();
    const [s] = parse(sql, postgres);
    const ms = performance.now() - t0;
    expect(s).toMatchObject({ kind: 'insert', source: { body: { kind: 'values' } } });
    expect(ms).toBeLessThan(1000);
    const t1 = performance.now();
    parse(sql, mysql);
    expect(performance.now() - t1).toBeLessThan(1000);
  });

  it('time grows linearly with input size', () => {
    const small = bigInsert(5_000);
    const large = bigInsert(40_000);
    parse(small, postgres);
    const best = (sql: string) => {
      let min = Infinity;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        parse(sql, postgres);
        min = Math.min(min, performance.now() - t0);
      }
      return min;
    };
    const ts = best(small);
    const tl = best(large);
    // 8× the input must not cost more than ~24× the time (quadratic would be 64×).
    expect(tl / Math.max(ts, 1)).toBeLessThan(24);
  });
});
