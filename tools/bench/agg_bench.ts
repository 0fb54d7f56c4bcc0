// Aggregation and window-function throughput through the embedded engine.
//
//   npx tsx tools/bench/agg_bench.ts [--rows 1000000] [--passes 3]
//
// Each query reads generate_series rows; the first line measures that source
// alone (a filter that keeps nothing) so the aggregation cost is the
// difference. Figures are the best of --passes runs (the machine is shared:
// take them as noisy).

import { open } from '../../host/engine/db.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { argInt, now } from './common.ts';

const rows = argInt('--rows', 1_000_000);
const passes = argInt('--passes', 3);

const QUERIES: Array<[string, string]> = [
  ['source only (filter keeps nothing)', `SELECT g FROM generate_series(1, ${rows}) g WHERE g < 0`],
  ['count(*) no GROUP BY', `SELECT count(*) FROM generate_series(1, ${rows}) g`],
  ['sum/avg/min/max no GROUP BY', `SELECT sum(g), avg(g), min(g), max(g) FROM generate_series(1, ${rows}) g`],
  ['GROUP BY int key, 1000 groups, 5 aggs', `SELECT g % 1000 AS k, count(*), sum(g), avg(g), min(g), max(g) FROM generate_series(1, ${rows}) g GROUP BY k`],
  ['GROUP BY int key, ~all distinct', `SELECT count(*) FROM (SELECT g AS k, count(*) FROM generate_series(1, ${rows}) g GROUP BY k) q`],
  ['GROUP BY two keys (text, int), 70 groups', `SELECT (g % 10)::text AS a, g % 7 AS b, count(*), sum(g) FROM generate_series(1, ${rows}) g GROUP BY a, b`],
  ['count(DISTINCT) 1000 values', `SELECT count(DISTINCT g % 1000) FROM generate_series(1, ${rows}) g`],
  ['ROLLUP 2 levels', `SELECT g % 10 AS a, g % 100 AS b, sum(g) FROM generate_series(1, ${rows}) g GROUP BY ROLLUP (a, b)`],
  ['window row_number, 100 partitions', `SELECT max(r) FROM (SELECT row_number() OVER (PARTITION BY g % 100 ORDER BY g) AS r FROM generate_series(1, ${rows}) g) q`],
  ['window running sum, descending order', `SELECT max(s) FROM (SELECT sum(g) OVER (ORDER BY g DESC) AS s FROM generate_series(1, ${rows}) g) q`],
  ['window running sum', `SELECT max(s) FROM (SELECT sum(g) OVER (ORDER BY g) AS s FROM generate_series(1, ${rows}) g) q`],
  ['window sliding sum ROWS 10 PRECEDING', `SELECT max(s) FROM (SELECT sum(g) OVER (ORDER BY g ROWS 10 PRECEDING) AS s FROM generate_series(1, ${rows}) g) q`],
];

const db = await open(':memory:', { platform: nodePlatform(), store: { background: false } });
console.log(`aggregation benchmark: ${rows.toLocaleString('en-US')} input rows, best of ${passes} passes`);
console.log('query'.padEnd(42) + 'ms'.padStart(10) + 'Mrows/s'.padStart(10));
for (const [name, sql] of QUERIES) {
  let best = Infinity;
  for (let p = 0; p < passes; p++) {
    const t0 = now();
    await db.query(sql);
    best = Math.min(best, now() - t0);
  }
  console.log(name.padEnd(42) + best.toFixed(0).padStart(10) + (rows / best / 1000).toFixed(2).padStart(10));
}
await db.close();
