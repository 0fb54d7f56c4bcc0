// The planner through the embedded API: predicate pushdown, ANALYZE
// statistics, join order by cardinality, and the plan cache.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { planCacheStats } from '../../host/engine/session/plan_cache.ts';
import type { TableWithStats } from '../../host/engine/plan/stats.ts';
import { memoryDb } from './helpers.ts';

let db: Database;

async function plan(sql: string): Promise<string[]> {
  return (await db.query(`EXPLAIN (COSTS OFF) ${sql}`)).rows.map((r) => r[0] as string);
}

beforeEach(async () => {
  db = await memoryDb();
});

afterEach(async () => {
  await db.close();
});

describe('predicate pushdown', () => {
  beforeEach(async () => {
    await db.exec(`CREATE TABLE p (id int PRIMARY KEY, v int)`);
    await db.exec(`INSERT INTO p SELECT g, g * 10 FROM generate_series(1, 500) g`);
  });

  it('pushes a WHERE through a subquery and its projection into the scan, reaching the key', async () => {
    const sql = `SELECT * FROM (SELECT id, v + 1 AS w FROM p) s WHERE s.id = 7`;
    expect(await plan(sql)).toEqual(['Index Scan using p_pkey on p', '  Index Cond: (id = 7)']);
    expect((await db.query(sql)).rows).toEqual([[7, 71]]);
  });

  it('pushes through a computed column by substituting its expression', async () => {
    const sql = `SELECT * FROM (SELECT id, v + 1 AS w FROM p) s WHERE s.w = 51`;
    expect(await plan(sql)).toEqual(['Seq Scan on p', '  Filter: ((v + 1) = 51)']);
    expect((await db.query(sql)).rows).toEqual([[5, 51]]);
  });

  it('does not push below a LIMIT', async () => {
    const sql = `SELECT * FROM (SELECT id FROM p ORDER BY id LIMIT 10) s WHERE id > 5`;
    const lines = await plan(sql);
    // The filter stays above the Limit (PostgreSQL prints it on the node it applies to).
    // (ORDER BY the key is the primary-key scan's own order: no Sort.)
    expect(lines.slice(0, 3)).toEqual(['Limit', '  Filter: (id > 5)', '  ->  Index Scan using p_pkey on p']);
    expect((await db.query(sql)).rows).toEqual([[6], [7], [8], [9], [10]]);
  });

  it('pushes WHERE conjuncts into the sides of an inner join and keeps the join condition', async () => {
    await db.exec(`CREATE TABLE q (pid int, tag text)`);
    await db.exec(`INSERT INTO q SELECT g % 50 + 1, 't' || g FROM generate_series(1, 200) g`);
    const sql = `SELECT p.id, q.tag FROM p JOIN q ON q.pid = p.id WHERE p.id = 3 AND q.tag <> 't2'`;
    const lines = await plan(sql);
    expect(lines.join('\n')).toMatch(/Hash Join|Nested Loop/);
    expect(lines.some((l) => /Index Scan using p_pkey on p/.test(l))).toBe(true);
    expect(lines.some((l) => /Filter: \(q\.tag <> 't2'::text\)/.test(l))).toBe(true);
    expect((await db.query(sql)).rows.length).toBe(3); // q.pid = 3 for g = 2, 52, 102, 152; t2 is filtered
  });

  it('left join: WHERE on the preserved side goes down, ON on the nullable side goes into it', async () => {
    await db.exec(`CREATE TABLE q (pid int, tag text)`);
    await db.exec(`INSERT INTO q VALUES (1, 'a'), (1, 'b'), (2, 'c')`);
    const sql = `SELECT p.id, q.tag FROM p LEFT JOIN q ON q.pid = p.id AND q.tag <> 'b' WHERE p.id <= 3 ORDER BY 1, 2`;
    const lines = await plan(sql);
    expect(lines.some((l) => /Index Scan using p_pkey on p/.test(l) || /Filter: \(p\.id <= 3\)/.test(l))).toBe(true);
    expect(lines.some((l) => /Filter: \(q\.tag <> 'b'::text\)/.test(l))).toBe(true);
    expect((await db.query(sql)).rows).toEqual([[1, 'a'], [2, 'c'], [3, null]]);
  });
});

describe('ANALYZE', () => {
  it('stores row count, null fraction, distinct count and a histogram in the catalog, transactionally', async () => {
    await db.exec(`CREATE TABLE s (id int PRIMARY KEY, k int, n text)`);
    await db.exec(`INSERT INTO s SELECT g, g % 10, CASE WHEN g % 4 = 0 THEN NULL ELSE 'x' END FROM generate_series(1, 400) g`);
    const stats = () => (db.catalog.current().ofKind('table').find((t) => t.name === 's') as TableWithStats).stats;
    await db.exec('BEGIN');
    await db.exec('ANALYZE s');
    await db.exec('ROLLBACK');
    expect(stats()).toBeUndefined();
    await db.exec('ANALYZE s');
    const st = stats()!;
    expect(st.rows).toBe(400);
    expect(st.cols['2']!.distinct).toBe(10);
    expect(st.cols['2']!.bounds![0]).toBe(0);
    expect(st.cols['2']!.bounds![st.cols['2']!.bounds!.length - 1]).toBe(9);
    expect(st.cols['3']!.nullFrac).toBeCloseTo(0.25, 5);
    expect(st.cols['3']!.distinct).toBe(1);
    expect(st.cols['1']!.distinct).toBe(400);
  });

  it('statistics change the estimate EXPLAIN shows', async () => {
    await db.exec(`CREATE TABLE s (k int)`);
    await db.exec(`INSERT INTO s SELECT g % 4 FROM generate_series(1, 1000) g`);
    const rowsOf = async () => Number(/rows=(\d+)/.exec((await db.query(`EXPLAIN SELECT * FROM s WHERE k = 1`)).rows[0]![0] as string)![1]);
    expect(await rowsOf()).toBe(5); // no statistics: PostgreSQL's default equality selectivity (0.005)
    await db.exec('ANALYZE s');
    expect(await rowsOf()).toBe(250);
  });

  it('maintains row counts of tables never analyzed', async () => {
    await db.exec(`CREATE TABLE c (x int)`);
    await db.exec(`INSERT INTO c SELECT g FROM generate_series(1, 10) g`);
    const rows = async () => Number(/rows=(\d+)/.exec((await db.query(`EXPLAIN SELECT * FROM c`)).rows[0]![0] as string)![1]);
    expect(await rows()).toBe(10);
    await db.exec(`INSERT INTO c SELECT g FROM generate_series(1, 90) g`);
    expect(await rows()).toBe(100);
    await db.exec(`DELETE FROM c WHERE x <= 50`);
    expect(await rows()).toBe(40);
  });

  it('errors on a missing table or column', async () => {
    await db.exec(`CREATE TABLE s (k int)`);
    await expect(db.query('ANALYZE nope')).rejects.toMatchObject({ code: '42P01' });
    await expect(db.query('ANALYZE s (zz)')).rejects.toMatchObject({ code: '42703' });
  });
});

describe('join order', () => {
  it('joins the small tables first and probes with the big one', async () => {
    await db.exec(`CREATE TABLE big (id int PRIMARY KEY, m int, pad text)`);
    await db.exec(`CREATE TABLE mid (id int PRIMARY KEY, s int)`);
    await db.exec(`CREATE TABLE small (id int PRIMARY KEY, name text)`);
    await db.exec(`INSERT INTO big SELECT g, g % 300 + 1, 'p' FROM generate_series(1, 5000) g`);
    await db.exec(`INSERT INTO mid SELECT g, g % 5 + 1 FROM generate_series(1, 300) g`);
    await db.exec(`INSERT INTO small SELECT g, 'n' || g FROM generate_series(1, 5) g`);
    await db.exec('ANALYZE');
    const sql = `SELECT big.id, mid.id, small.name FROM big JOIN mid ON big.m = mid.id JOIN small ON mid.s = small.id WHERE small.name = 'n2' ORDER BY big.id LIMIT 3`;
    const lines = await plan(sql);
    const text = lines.join('\n');
    // The top join probes with big; mid and small are joined below it.
    const top = lines.findIndex((l) => /Hash Join/.test(l));
    const bigAt = lines.findIndex((l) => /Seq Scan on big/.test(l));
    const innerJoin = lines.findIndex((l, i) => i > top && /Hash Join/.test(l));
    expect(top).toBeGreaterThanOrEqual(0);
    expect(innerJoin).toBeGreaterThan(top);
    expect(lines.slice(innerJoin).join('\n')).toMatch(/Seq Scan on mid[\s\S]*Seq Scan on small|Seq Scan on small[\s\S]*Seq Scan on mid/);
    expect(bigAt).toBeLessThan(innerJoin);
    expect(text).toMatch(/Hash Cond: \(big\.m = mid\.id\)/);
    // big.id = 5: m = 6, mid 6 has s = 6 % 5 + 1 = 2 -> small 'n2'; every 5th big row after it.
    const r = (await db.query(sql)).rows;
    expect(r).toEqual([[5, 6, 'n2'], [10, 11, 'n2'], [15, 16, 'n2']]);
  });
});

describe('plan cache', () => {
  it('repeated statements and EXECUTE hit; DDL invalidates', async () => {
    await db.exec(`CREATE TABLE pc (id int PRIMARY KEY, v text)`);
    await db.exec(`INSERT INTO pc VALUES (1, 'a'), (2, 'b')`);
    const s0 = planCacheStats(db);
    await db.query(`SELECT v FROM pc WHERE id = 2`);
    await db.query(`SELECT v FROM pc WHERE id = 2`);
    const r = await db.query(`SELECT v FROM pc WHERE id = 2`);
    expect(r.rows).toEqual([['b']]);
    const s1 = planCacheStats(db);
    expect(s1.misses - s0.misses).toBe(1);
    expect(s1.hits - s0.hits).toBe(2);
    await db.exec(`PREPARE q(int) AS SELECT v FROM pc WHERE id = $1`);
    expect((await db.query(`EXECUTE q(1)`)).rows).toEqual([['a']]);
    expect((await db.query(`EXECUTE q(2)`)).rows).toEqual([['b']]);
    const s2 = planCacheStats(db);
    expect(s2.hits - s1.hits).toBeGreaterThanOrEqual(1);
    await db.exec(`CREATE INDEX pc_v ON pc (v)`);
    await db.query(`SELECT v FROM pc WHERE id = 2`);
    expect(planCacheStats(db).misses - s2.misses).toBe(1);
  });

  it('caches LOCALTIMESTAMP, LOCALTIME, CURRENT_TIME and CURRENT_DATE, read when the statement runs', async () => {
    const sql = `SELECT LOCALTIMESTAMP, LOCALTIME(3), CURRENT_TIME, CURRENT_DATE`;
    const a = (await db.query(sql)).rows[0]!;
    const s0 = planCacheStats(db);
    await new Promise((r) => setTimeout(r, 5));
    const b = (await db.query(sql)).rows[0]!;
    expect(b[0] as number).toBeGreaterThan(a[0] as number);
    expect(planCacheStats(db).hits - s0.hits).toBe(1);
    expect(planCacheStats(db).uncacheable).toBe(s0.uncacheable);
  });

  it('reads a literal \'now\' at each execution', async () => {
    const a = (await db.query(`SELECT 'now'::timestamptz`)).rows[0]![0] as number;
    await new Promise((r) => setTimeout(r, 5));
    const b = (await db.query(`SELECT 'now'::timestamptz`)).rows[0]![0] as number;
    expect(b).toBeGreaterThan(a);
  });

  it('caches CURRENT_TIMESTAMP (read when the statement runs: the transaction start)', async () => {
    await db.exec(`CREATE TABLE hist (id int, at timestamptz)`);
    const sql = `INSERT INTO hist VALUES ($1, CURRENT_TIMESTAMP)`;
    await db.query(sql, [1]);
    const s0 = planCacheStats(db);
    await new Promise((r) => setTimeout(r, 5));
    await db.query(sql, [2]);
    expect(planCacheStats(db).hits - s0.hits).toBe(1);
    expect(planCacheStats(db).uncacheable).toBe(s0.uncacheable);
    const s = db.session();
    await s.query(`BEGIN`);
    await s.query(sql, [3]);
    await new Promise((r) => setTimeout(r, 5));
    await s.query(sql, [4]);
    const inTxn = (await s.query(`SELECT CURRENT_TIMESTAMP`)).rows[0]![0];
    await s.query(`COMMIT`);
    const rows = (await db.query(`SELECT id, at FROM hist ORDER BY id`)).rows as Array<[number, number]>;
    expect(rows[1]![1]).toBeGreaterThan(rows[0]![1]); // two transactions, two times
    expect(rows[3]![1]).toBe(rows[2]![1]); // one transaction: its start, twice
    expect(inTxn).toBe(rows[2]![1]);
  });

  it('EXPLAIN VERBOSE tells a cache hit', async () => {
    await db.exec(`CREATE TABLE pc (id int PRIMARY KEY)`);
    await db.query(`SELECT * FROM pc WHERE id = 1`);
    const lines = (await db.query(`EXPLAIN VERBOSE SELECT * FROM pc WHERE id = 1`)).rows.map((r) => r[0] as string);
    expect(lines.some((l) => /^Bytecode: \d+ bytes, hash [0-9a-f]+/.test(l))).toBe(true);
  });
});
