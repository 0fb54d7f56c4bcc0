// EXPLAIN / EXPLAIN ANALYZE through the embedded API: PostgreSQL's text shape,
// the access path the planner chose, actual rows, and the bytecode listing.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { codeOf, memoryDb } from './helpers.ts';

let db: Database;

async function plan(sql: string): Promise<string[]> {
  const r = await db.query(sql);
  expect(r.fields.map((f) => f.name)).toEqual(['QUERY PLAN']);
  return r.rows.map((row) => row[0] as string);
}

beforeEach(async () => {
  db = await memoryDb();
  await db.exec(`CREATE TABLE t (id int PRIMARY KEY, a int, b text)`);
  await db.exec(`CREATE INDEX t_a ON t (a)`);
  await db.exec(`INSERT INTO t SELECT g, g % 100, 'x' || g FROM generate_series(1, 2000) g`);
});

afterEach(async () => {
  await db.close();
});

describe('EXPLAIN', () => {
  it('shows a sequential scan with its filter and cost estimate', async () => {
    const lines = await plan(`EXPLAIN SELECT * FROM t WHERE b = 'x5'`);
    expect(lines[0]).toMatch(/^Seq Scan on t {2}\(cost=\d+\.\d\d\.\.\d+\.\d\d rows=\d+ width=\d+\)$/);
    expect(lines[1]).toBe(`  Filter: (b = 'x5'::text)`);
  });

  it('uses the primary key for an equality on it', async () => {
    const lines = await plan(`EXPLAIN (COSTS OFF) SELECT b FROM t WHERE id = 42`);
    expect(lines).toEqual(['Index Scan using t_pkey on t', '  Index Cond: (id = 42)']);
    expect((await db.query(`SELECT b FROM t WHERE id = 42`)).rows).toEqual([['x42']]);
  });

  it('uses a secondary index for a selective equality, with the rest as a filter', async () => {
    const lines = await plan(`EXPLAIN (COSTS OFF) SELECT id FROM t WHERE a = 7 AND b <> 'x'`);
    expect(lines).toEqual(['Index Scan using t_a on t', '  Index Cond: (a = 7)', `  Filter: (b <> 'x'::text)`]);
  });

  it('prefers the sequential scan when the index range covers most of the table', async () => {
    await db.exec('ANALYZE t');
    expect((await plan(`EXPLAIN (COSTS OFF) SELECT id FROM t WHERE a > 3`))[0]).toBe('Seq Scan on t');
    expect((await plan(`EXPLAIN (COSTS OFF) SELECT id FROM t WHERE a > 97`))[0]).toBe('Index Scan using t_a on t');
    expect((await plan(`EXPLAIN (COSTS OFF) SELECT id FROM t WHERE id > 1990`))).toEqual(['Index Scan using t_pkey on t', '  Index Cond: (id > 1990)']);
  });

  it('folds a constant-false WHERE into a one-time filter', async () => {
    expect(await plan(`EXPLAIN (COSTS OFF) SELECT * FROM t WHERE 1 = 2`)).toEqual(['Result', '  One-Time Filter: false']);
    expect((await db.query(`SELECT * FROM t WHERE 1 = 2 AND id = 1`)).rows).toEqual([]);
  });

  it('sort, limit and their nesting', async () => {
    const lines = await plan(`EXPLAIN (COSTS OFF) SELECT id FROM t WHERE a = 1 ORDER BY id DESC LIMIT 3`);
    expect(lines).toEqual([
      'Limit', '  ->  Sort', '        Sort Key: id DESC', '        ->  Index Scan using t_a on t', '              Index Cond: (a = 1)',
    ]);
  });

  it('EXPLAIN ANALYZE reports actual rows, loops and times', async () => {
    const lines = await plan(`EXPLAIN ANALYZE SELECT id FROM t WHERE a = 5`);
    expect(lines[0]).toMatch(/^Index Scan using t_a on t {2}\(cost=[\d.]+ rows=\d+ width=\d+\) \(actual time=[\d.]+\.\.[\d.]+ rows=20 loops=1\)$/);
    expect(lines.some((l) => /^Planning Time: [\d.]+ ms$/.test(l))).toBe(true);
    expect(lines.some((l) => /^Execution Time: [\d.]+ ms$/.test(l))).toBe(true);
  });

  it('EXPLAIN ANALYZE of DML modifies, as in PostgreSQL', async () => {
    const lines = await plan(`EXPLAIN (ANALYZE, COSTS OFF) DELETE FROM t WHERE id <= 10`);
    expect(lines[0]).toMatch(/^Delete on t {2}\(actual time=/);
    expect(lines[1]).toMatch(/^ {2}->  Index Scan using t_pkey on t {2}\(actual time=[\d.]+\.\.[\d.]+ rows=10 loops=1\)$/);
    expect((await db.query(`SELECT count(*) FROM t`)).rows).toEqual([[1990]]);
  });

  it('EXPLAIN (BYTECODE) prints the SBLR program the executor runs', async () => {
    const lines = await plan(`EXPLAIN (COSTS OFF, BYTECODE) SELECT id FROM t WHERE id = 1`);
    const at = lines.indexOf('Bytecode:');
    expect(at).toBeGreaterThan(0);
    const listing = lines.slice(at + 1);
    expect(listing[0]).toMatch(/^ {2}SBLR v2, \d+ bytes, hash [0-9a-f]{14}$/);
    expect(listing[1]).toMatch(/^ {2}00000 {2}VERSION 2$/);
    expect(listing.some((l) => / SCAN \(\d+ cols\)$/.test(l))).toBe(true);
    expect(listing.some((l) => /table=\d+ access=pk/.test(l))).toBe(true);
    expect(listing.some((l) => /CONST integer 1$/.test(l))).toBe(true);
    expect(listing[listing.length - 1]).toMatch(/END$/);
  });

  it('refuses unknown options and formats', async () => {
    expect(await codeOf(db.query(`EXPLAIN (FORMAT JSON) SELECT 1`))).toBe('0A000');
    expect(await codeOf(db.query(`EXPLAIN (NONSENSE) SELECT 1`))).toBe('42601');
  });
});
