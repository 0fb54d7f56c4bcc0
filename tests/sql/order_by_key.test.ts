// ORDER BY a leading part of the primary key, or of the index a scan reads,
// is served by the scan order (forward or backward) with no Sort node;
// other orders keep their sort. Results are checked against a sort in
// JavaScript of the same rows.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { memoryDb } from './helpers.ts';

let db: Database;

async function plan(sql: string): Promise<string[]> {
  return (await db.query(`EXPLAIN (COSTS OFF) ${sql}`)).rows.map((r) => r[0] as string);
}

async function rows(sql: string): Promise<unknown[][]> {
  return (await db.query(sql)).rows;
}

type Row = { a: number; b: number; c: string | null; f: number };
const data: Row[] = [];

beforeAll(async () => {
  db = await memoryDb();
  await db.exec('CREATE TABLE t (a int, b int, c text, f float8, PRIMARY KEY (a, b))');
  await db.exec('CREATE INDEX t_c_a ON t (c, a)');
  await db.exec('CREATE TABLE s (name text PRIMARY KEY, n int)');
  await db.exec('CREATE TABLE fl (x float8 PRIMARY KEY)');
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  const seen = new Set<string>();
  while (data.length < 400) {
    const a = rnd(20) - 5;
    const b = rnd(1000) - 300;
    if (seen.has(`${a},${b}`)) continue;
    seen.add(`${a},${b}`);
    data.push({ a, b, c: rnd(9) === 0 ? null : `c${rnd(30)}`, f: rnd(100) / 7 });
  }
  // Inserted out of key order, in several statements.
  for (let i = 0; i < data.length; i += 100) {
    const vals = data.slice(i, i + 100).map((r) => `(${r.a}, ${r.b}, ${r.c === null ? 'NULL' : `'${r.c}'`}, ${r.f})`).join(', ');
    await db.exec(`INSERT INTO t VALUES ${vals}`);
  }
  await db.exec(`INSERT INTO s VALUES ('pear', 1), ('apple', 2), ('Zebra', 3), ('émile', 4), ('banana', 5), ('', 6)`);
  await db.exec(`INSERT INTO fl VALUES (1.5), ('NaN'), (-0.5), (3), ('-Infinity')`);
});

afterAll(async () => {
  await db.close();
});

const byKeys = (rs: Row[], keys: Array<[keyof Row, 1 | -1]>): Row[] =>
  [...rs].sort((x, y) => {
    for (const [k, d] of keys) {
      const p = x[k]!, q = y[k]!;
      if (p !== q) return (p < q ? -1 : 1) * d;
    }
    return 0;
  });

describe('ORDER BY the primary key', () => {
  it('a leading key column ascending: a primary-key scan, no sort', async () => {
    const sql = 'SELECT a FROM t ORDER BY a';
    expect(await plan(sql)).toEqual(['Index Scan using t_pkey on t']);
    expect((await rows(sql)).map((r) => r[0])).toEqual(byKeys(data, [['a', 1]]).map((r) => r.a));
  });

  it('the whole key descending: a backward scan, and LIMIT stops early', async () => {
    const sql = 'SELECT a, b FROM t ORDER BY a DESC, b DESC LIMIT 7';
    expect(await plan(sql)).toEqual(['Limit', '  ->  Index Scan Backward using t_pkey on t']);
    expect(await rows(sql)).toEqual(byKeys(data, [['a', -1], ['b', -1]]).slice(0, 7).map((r) => [r.a, r.b]));
  });

  it('a column after one pinned by equality, either way', async () => {
    for (const [dir, d] of [['', 1], [' DESC', -1]] as const) {
      const sql = `SELECT b FROM t WHERE a = 3 ORDER BY b${dir}`;
      expect(await plan(sql)).toEqual([`Index Scan${d < 0 ? ' Backward' : ''} using t_pkey on t`, '  Index Cond: (a = 3)']);
      expect((await rows(sql)).map((r) => r[0])).toEqual(byKeys(data.filter((r) => r.a === 3), [['b', d]]).map((r) => r.b));
    }
    // The pinned column may be named too.
    expect(await plan('SELECT b FROM t WHERE a = 3 ORDER BY a, b DESC')).toEqual(['Index Scan Backward using t_pkey on t', '  Index Cond: (a = 3)']);
  });

  it('over a key range, through a subquery and a projection', async () => {
    const sql = 'SELECT x.b * 2, x.a FROM (SELECT a, b, c FROM t WHERE a > 9) x ORDER BY x.a DESC, x.b DESC';
    expect(await plan(sql)).toEqual(['Index Scan Backward using t_pkey on t', '  Index Cond: (a > 9)']);
    expect(await rows(sql)).toEqual(byKeys(data.filter((r) => r.a > 9), [['a', -1], ['b', -1]]).map((r) => [r.b * 2, r.a]));
  });

  it('a residual filter stays on the ordered scan', async () => {
    const sql = 'SELECT a, b FROM t WHERE b % 3 = 0 ORDER BY a, b';
    expect(await plan(sql)).toEqual(['Index Scan using t_pkey on t', '  Filter: ((b % 3) = 0)']);
    expect(await rows(sql)).toEqual(byKeys(data.filter((r) => r.b % 3 === 0), [['a', 1], ['b', 1]]).map((r) => [r.a, r.b]));
  });

  it('orders the scan cannot give keep their sort', async () => {
    for (const sql of ['SELECT a, b FROM t ORDER BY a, b DESC', 'SELECT a, b FROM t ORDER BY b', 'SELECT a, b FROM t ORDER BY a + 0, b',
      'SELECT a, b FROM t ORDER BY b, a']) {
      expect((await plan(sql))[0]).toMatch(/^Sort/);
    }
    expect(await rows('SELECT a, b FROM t ORDER BY a, b DESC')).toEqual(byKeys(data, [['a', 1], ['b', -1]]).map((r) => [r.a, r.b]));
  });

  it('a text key orders by code point ("C"), as the sort does', async () => {
    expect(await plan('SELECT name FROM s ORDER BY name DESC')).toEqual(['Index Scan Backward using s_pkey on s']);
    expect((await rows('SELECT name FROM s ORDER BY name DESC')).map((r) => r[0])).toEqual(['émile', 'pear', 'banana', 'apple', 'Zebra', '']);
  });

  it('a float key keeps its sort (NaN sorts last)', async () => {
    expect((await plan('SELECT x FROM fl ORDER BY x'))[0]).toMatch(/^Sort/);
    expect((await rows('SELECT x FROM fl ORDER BY x DESC')).map((r) => String(r[0]))).toEqual(['NaN', '3', '1.5', '-0.5', '-Infinity']);
  });
});

describe('ORDER BY the scanned index', () => {
  it('an index pinned on its first column serves ORDER BY its second, backward too', async () => {
    const sql = "SELECT c, a FROM t WHERE c = 'c4' ORDER BY a DESC";
    const p = await plan(sql);
    expect(p[0]).toBe('Index Scan Backward using t_c_a on t');
    expect(p.some((l) => l.includes('Sort'))).toBe(false);
    expect((await rows(sql)).map((r) => r[1])).toEqual(byKeys(data.filter((r) => r.c === 'c4'), [['a', -1]]).map((r) => r.a));
  });

  it('NULLS FIRST on an ascending NULLS LAST index column is sorted', async () => {
    const sql = "SELECT c, a FROM t WHERE c = 'c4' ORDER BY c NULLS FIRST, a";
    expect((await plan(sql))[0]).toBe('Index Scan using t_c_a on t');
    // c is pinned, so its NULLS placement orders nothing; on a range it would.
    const range = "SELECT c FROM t WHERE c >= 'c4' AND c < 'c5' ORDER BY c NULLS FIRST";
    expect((await plan(range))[0]).toMatch(/^Sort/);
    const got = (await rows(range)).map((r) => r[0]);
    expect(got).toEqual(data.filter((r) => r.c !== null && r.c >= 'c4' && r.c < 'c5').map((r) => r.c).sort());
  });
});

describe('cached plans', () => {
  it('a prepared ORDER BY with a parameter bound runs the same ordered plan each time', async () => {
    await db.exec('PREPARE q(int) AS SELECT b FROM t WHERE a = $1 ORDER BY b DESC');
    for (const a of [3, -5, 14, 99]) {
      expect((await rows(`EXECUTE q(${a})`)).map((r) => r[0])).toEqual(byKeys(data.filter((r) => r.a === a), [['b', -1]]).map((r) => r.b));
    }
    await db.exec('DEALLOCATE q');
  });
});
