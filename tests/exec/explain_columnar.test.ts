// EXPLAIN shows the aggregate path that will run, EXPLAIN ANALYZE the one that
// did (host/engine/session/explain.ts predictColumnar, ops_colagg.ts
// ranRowPathBecause): "Columnar Aggregate" only when the column cache serves
// the vector program; otherwise the row path's HashAggregate / Aggregate.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { colAggStats } from '../../host/engine/exec/ops_colagg.ts';
import { memoryDb, text } from '../sql/helpers.ts';

let db: Database;

const plan = async (q: string): Promise<string> => text(await db.query(`EXPLAIN (COSTS OFF) ${q}`)).map((r) => r[0]).join('\n');
/** EXPLAIN ANALYZE's first line, and whether the statement really ran columnar (the executor's counter). */
const analyze = async (q: string): Promise<{ top: string; ranColumnar: boolean }> => {
  const before = colAggStats.columnar;
  const lines = text(await db.query(`EXPLAIN (ANALYZE, COSTS OFF) ${q}`)).map((r) => r[0]);
  return { top: lines[0]!, ranColumnar: colAggStats.columnar > before };
};

beforeAll(async () => {
  db = await memoryDb({ colcache_min_rows: '0' });
  await db.query('CREATE TABLE t (id int PRIMARY KEY, g int, v int)');
  await db.query('INSERT INTO t SELECT x, x % 5, x * 3 FROM generate_series(1, 300) x');
}, 60_000);

afterAll(async () => {
  await db.close();
});

describe('EXPLAIN names the aggregate path that runs', () => {
  const q = 'SELECT g, sum(v) FROM t GROUP BY g';

  it('the column cache on and the table big enough: Columnar Aggregate, and it runs columnar', async () => {
    expect(await plan(q)).toMatch(/^Columnar Aggregate/);
    const a = await analyze(q);
    expect(a.top).toMatch(/^Columnar Aggregate/);
    expect(a.ranColumnar).toBe(true);
    // The scan under it was not read (the program read the column cache).
    const lines = text(await db.query(`EXPLAIN (ANALYZE, COSTS OFF) ${q}`)).map((r) => r[0]);
    expect(lines.find((l) => l!.includes('Seq Scan'))).toMatch(/never executed/);
  });

  it('colcache = off: HashAggregate / Aggregate, before and after running', async () => {
    await db.query('SET colcache = off');
    try {
      expect(await plan(q)).toMatch(/^HashAggregate/);
      expect(await plan('SELECT sum(v) FROM t')).toMatch(/^Aggregate/);
      expect(text(await db.query(`EXPLAIN (VERBOSE, COSTS OFF) ${q}`)).map((r) => r[0])).toContain('  Columnar: no (colcache is off)');
      const a = await analyze(q);
      expect(a.top).toMatch(/^HashAggregate/);
      expect(a.ranColumnar).toBe(false);
    } finally {
      await db.query('SET colcache = on');
    }
  });

  it('a table below colcache_min_rows takes the row path', async () => {
    await db.query('CREATE TABLE small (g int, v int)');
    await db.query('INSERT INTO small SELECT x % 3, x FROM generate_series(1, 50) x');
    const qs = 'SELECT g, sum(v) FROM small GROUP BY g';
    await db.query('SET colcache_min_rows = 1000');
    try {
      expect(await plan(qs)).toMatch(/^HashAggregate/);
      expect(text(await db.query(`EXPLAIN (VERBOSE, COSTS OFF) ${qs}`)).map((r) => r[0])).toContain('  Columnar: no (fewer rows than colcache_min_rows)');
      const a = await analyze(qs);
      expect(a.top).toMatch(/^HashAggregate/);
      expect(a.ranColumnar).toBe(false);
    } finally {
      await db.query('SET colcache_min_rows = 0');
    }
    // Counted below the old threshold, the table is now big enough.
    expect(await plan(qs)).toMatch(/^Columnar Aggregate/);
    expect((await analyze(qs)).ranColumnar).toBe(true);
  });

  it('a transaction that wrote the table reads it through the row path', async () => {
    await db.query('BEGIN');
    try {
      await db.query('INSERT INTO t VALUES (1000, 1, 1)');
      expect(await plan(q)).toMatch(/^HashAggregate/);
      const a = await analyze(q);
      expect(a.top).toMatch(/^HashAggregate/);
      expect(a.ranColumnar).toBe(false);
    } finally {
      await db.query('ROLLBACK');
    }
  });

  it('an aggregate the vector compiler does not take is a plain aggregate', async () => {
    expect(await plan('SELECT count(DISTINCT g) FROM t')).toMatch(/^Aggregate/);
  });

  it('an aggregate in a subquery (run synchronously, always the row path) is a plain aggregate', async () => {
    const p = await plan('SELECT id FROM t WHERE v > (SELECT sum(v) FROM t t2 WHERE t2.g = t.g)');
    expect(p).toMatch(/SubPlan/);
    expect(p).not.toMatch(/Columnar/);
  });
});
