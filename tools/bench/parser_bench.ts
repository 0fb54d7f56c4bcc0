// Parser speed: a 20,000-row (1 MB) INSERT ... VALUES in the PostgreSQL and
// MySQL dialects, and how time grows from 5,000 to 40,000 rows (8x the input:
// linear is ~8x the time, quadratic 64x). Best of N passes.
//
//   npx tsx tools/bench/parser_bench.ts [passes]

import { mysql, parse, postgres, type Dialect } from '../../sql-dialects/index.ts';

function bigInsert(rows: number): string {
  const values: string[] = [];
  for (let i = 0; i < rows; i++) values.push(`(${i}, 'name ${i} with some padding text', ${i}.5, true, NULL, '2020-01-01')`);
  return 'INSERT INTO t (a, b, c, d, e, f) VALUES ' + values.join(', ');
}

const passes = Number(process.argv[2] ?? 5);

function best(sql: string, dialect: Dialect): number {
  parse(sql, dialect); // warm-up
  let min = Infinity;
  for (let i = 0; i < passes; i++) {
    const t0 = performance.now();
    parse(sql, dialect);
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

const mid = bigInsert(20_000);
const pg = best(mid, postgres);
const my = best(mid, mysql);
console.log(`20,000-row VALUES (${(mid.length / 1e6).toFixed(2)} MB): postgres ${pg.toFixed(1)} ms (${(mid.length / 1e6 / (pg / 1000)).toFixed(1)} MB/s), mysql ${my.toFixed(1)} ms`);
const small = best(bigInsert(5_000), postgres);
const large = best(bigInsert(40_000), postgres);
console.log(`5,000 rows ${small.toFixed(1)} ms, 40,000 rows ${large.toFixed(1)} ms: 8x the input took ${(large / small).toFixed(1)}x the time (linear 8x, quadratic 64x)`);
