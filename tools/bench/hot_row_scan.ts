// A scan over a hot row: a one-row table updated many times since the last
// flush (pgbench_branches at scale 1, a counter, a queue head). Prints the
// time of `SELECT * FROM b` fresh, after 20,000 updates in one transaction
// and after 20,000 more autocommit ones, in memory, with no background flush.
//
//   npx tsx tools/bench/hot_row_scan.ts

import { open } from '../../host/engine/db.ts';
import { nodePlatform } from '../../host/platform/node.ts';

const db = await open(':memory:', { platform: nodePlatform(), store: { background: false } });
await db.exec('CREATE TABLE b (bid int PRIMARY KEY, bal int)');
await db.exec('INSERT INTO b VALUES (1, 0)');
const s = db.session();
async function usPer(sql: string, n: number): Promise<string> {
  for (let i = 0; i < 200; i++) await s.query(sql);
  const t = performance.now();
  for (let i = 0; i < n; i++) await s.query(sql);
  return ((performance.now() - t) * 1000 / n).toFixed(1);
}
console.log(`fresh: scan ${await usPer('SELECT * FROM b', 2000)} µs`);
await s.query('BEGIN');
for (let i = 0; i < 20_000; i++) await s.query('UPDATE b SET bal = bal + 1 WHERE bid = 1');
await s.query('COMMIT');
console.log(`after 20,000 updates in one transaction: scan ${await usPer('SELECT * FROM b', 500)} µs`);
for (let i = 0; i < 20_000; i++) await s.query('UPDATE b SET bal = bal + 1 WHERE bid = 1');
console.log(`after 20,000 more autocommit updates: scan ${await usPer('SELECT * FROM b', 500)} µs`);
await s.close();
await db.close();
