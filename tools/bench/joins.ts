// Join benchmarks: hash join, index lookups for a short outer input, LATERAL,
// set operations and a recursive CTE, on an embedded in-memory database.
// Prints the best of several passes per query (the machine is shared: figures
// are noisy).
//
//   npx tsx tools/bench/joins.ts [rows=100000] [passes=3]

import { open } from '../../host/engine/db.ts';
import { nodePlatform } from '../../host/platform/node.ts';

const rows = Number(process.argv[2] ?? 100_000);
const passes = Number(process.argv[3] ?? 3);

const db = await open(':memory:', { platform: nodePlatform(), store: { background: false } });
await db.query('CREATE TABLE big (id int PRIMARY KEY, grp int, v text)');
await db.query('CREATE TABLE other (id int, big_id int, w int)');
await db.query('CREATE INDEX other_big ON other (big_id)');
await db.query(`INSERT INTO big SELECT g, g % 100, 'v' || g FROM generate_series(1, ${rows}) g`);
await db.query(`INSERT INTO other SELECT g, (g * 7) % ${rows} + 1, g % 13 FROM generate_series(1, ${rows}) g`);
await db.query('CREATE TABLE small (id int)');
await db.query('INSERT INTO small SELECT g * 97 FROM generate_series(1, 100) g');

const queries: Array<[string, string]> = [
  ['hash join N x N (count)', 'SELECT count(*) FROM other o JOIN big b ON b.id = o.big_id'],
  ['hash join N x N, LEFT, residual', 'SELECT count(*) FROM other o LEFT JOIN big b ON b.id = o.big_id AND b.grp < 50'],
  ['FULL join N x N on grp (N x 100 keys)', 'SELECT count(*) FROM (SELECT DISTINCT grp FROM big) g FULL JOIN big b ON b.grp = g.grp'],
  ['100-row outer x N via primary key', 'SELECT count(*) FROM small s JOIN big b ON b.id = s.id'],
  ['100-row outer x N via secondary index', 'SELECT count(*) FROM small s JOIN other o ON o.big_id = s.id'],
  ['LATERAL generate_series (100 x 100)', 'SELECT count(*) FROM small s, LATERAL generate_series(1, 100) g'],
  ['UNION of two N-row inputs', 'SELECT count(*) FROM (SELECT grp, id % 1000 FROM big UNION SELECT w, big_id % 1000 FROM other) u'],
  ['EXCEPT ALL of two N-row inputs', 'SELECT count(*) FROM (SELECT id FROM big EXCEPT ALL SELECT big_id FROM other) u'],
  ['IN (subquery) N x N as a semi join', 'SELECT count(*) FROM big WHERE id IN (SELECT big_id FROM other)'],
  ['NOT EXISTS N x N as an anti join', 'SELECT count(*) FROM big b WHERE NOT EXISTS (SELECT 1 FROM other o WHERE o.big_id = b.id + 1)'],
  ['recursive CTE counting to N', `WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < ${rows}) SELECT count(*) FROM c`],
];

console.log(`joins benchmark: ${rows} rows per table, best of ${passes} passes`);
for (const [name, sql] of queries) {
  let best = Infinity;
  let result = '';
  for (let p = 0; p < passes; p++) {
    const t0 = performance.now();
    const r = await db.query(sql);
    best = Math.min(best, performance.now() - t0);
    result = String(r.rows[0]?.[0]);
  }
  console.log(`${name.padEnd(42)} ${best.toFixed(1).padStart(9)} ms   (${result})`);
}
await db.close();
