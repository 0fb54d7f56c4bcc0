// VACUUM ANALYZE (and VACUUM (ANALYZE)) analyzes, as in PostgreSQL: pgbench -i
// runs `vacuum analyze` on its tables after loading them; before, VACUUM did
// nothing at all and the planner kept its default selectivities.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { memoryDb } from './helpers.ts';

let db: Database;
beforeEach(async () => {
  db = await memoryDb();
  await db.exec(`CREATE TABLE t (id int PRIMARY KEY, v text)`);
  await db.exec(`INSERT INTO t SELECT g, 'x' FROM generate_series(1, 5000) g`);
});
afterEach(async () => db.close());

const estimate = async (): Promise<string> => String((await db.query(`EXPLAIN SELECT * FROM t WHERE v = 'x'`)).rows[0]![0]).replace(/.*rows=(\d+).*/, '$1');

for (const sql of ['VACUUM ANALYZE t', 'VACUUM (ANALYZE) t', 'VACUUM (VERBOSE, ANALYZE) t', 'VACUUM FULL ANALYZE']) {
  it(`${sql} analyzes`, async () => {
    const before = await estimate();
    expect((await db.query(sql)).command).toBe('VACUUM');
    expect([before, await estimate()]).toEqual([before, '5000']);
  });
}

it('VACUUM alone and VACUUM (ANALYZE false) do not', async () => {
  const before = await estimate();
  await db.query(`VACUUM t`);
  await db.query(`VACUUM (ANALYZE false) t`);
  expect(await estimate()).toBe(before);
  expect(before).not.toBe('5000');
});

it('ANALYZE of a table larger than its sample (taken before rows are decoded) estimates well', async () => {
  await db.exec(`CREATE TABLE big (id int PRIMARY KEY, g int, pad text)`);
  await db.exec(`INSERT INTO big SELECT i, i % 10, repeat('x', 40) FROM generate_series(1, 100000) i`);
  await db.query(`ANALYZE big`);
  const rows = async (where: string): Promise<number> =>
    Number(String((await db.query(`EXPLAIN SELECT * FROM big WHERE ${where}`)).rows[0]![0]).replace(/.*rows=(\d+).*/, '$1'));
  // 10 values of g, 10,000 rows each; pad is one value.
  expect(await rows('g = 3')).toBeGreaterThan(8_000);
  expect(await rows('g = 3')).toBeLessThan(12_000);
  expect(await rows(`pad = '${'x'.repeat(40)}'`)).toBeGreaterThan(90_000);
});
