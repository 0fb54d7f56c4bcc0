// GROUP BY, HAVING, aggregates and grouping sets end to end: direct
// assertions of PostgreSQL's semantics, then a differential run of many
// queries (NULL edge cases included) against a real PostgreSQL 15.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { codeOf, memoryDb, rows } from './helpers.ts';
import { Pair, runDifferential, warnIfSkipped } from './pg_compare.ts';

const SETUP = [
  `CREATE TABLE sales (id int PRIMARY KEY, region text, product text, qty int, price numeric(8,2), big bigint, ratio float8, sold date, flag boolean)`,
  `INSERT INTO sales VALUES
    (1, 'east', 'pen', 10, 1.50, 9000000000000000000, 0.5, '2024-01-03', true),
    (2, 'east', 'ink', 5, 7.25, 9000000000000000000, 1.25, '2024-01-04', true),
    (3, 'west', 'pen', NULL, 1.50, NULL, NULL, NULL, NULL),
    (4, 'west', 'pad', 3, NULL, -4, 2, '2024-02-01', false),
    (5, NULL, 'pen', 7, 2.00, 5, -0.75, '2024-02-01', true),
    (6, 'north', NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
  `CREATE TABLE nothing (a int, b text)`,
  `CREATE TABLE nulls_only (a int, b text)`,
  `INSERT INTO nulls_only VALUES (NULL, NULL), (NULL, NULL)`,
];

let db: Database;

beforeAll(async () => {
  db = await memoryDb();
  for (const s of SETUP) await db.exec(s);
});

afterAll(async () => {
  await db.close();
});

describe('aggregates without GROUP BY', () => {
  it('return one row even over no input: count 0, the others NULL', async () => {
    expect(await rows(db, 'SELECT count(*), count(a), sum(a), avg(a), min(b), max(b), string_agg(b, \',\'), array_agg(a), bool_and(a > 0) FROM nothing')).toEqual([
      ['0', '0', null, null, null, null, null, null, null],
    ]);
    expect(await rows(db, 'SELECT count(*), count(a), sum(a), max(b) FROM nulls_only')).toEqual([['2', '0', null, null]]);
  });

  it('give no row with GROUP BY over no input', async () => {
    expect(await rows(db, 'SELECT count(*) FROM nothing GROUP BY a')).toEqual([]);
  });

  it('type sums and averages as PostgreSQL', async () => {
    const r = await db.query('SELECT sum(qty), sum(big), avg(qty), sum(ratio), avg(ratio), count(*), sum(price) FROM sales');
    // int8, numeric, numeric, float8, float8, int8, numeric
    expect(r.fields.map((f) => f.typeOid)).toEqual([20, 1700, 1700, 701, 701, 20, 1700]);
    expect(await rows(db, 'SELECT sum(qty), sum(big), avg(qty) FROM sales')).toEqual([['25', '18000000000000000001', '6.2500000000000000']]);
  });
});

describe('GROUP BY and HAVING', () => {
  it('groups many distinct keys of every kind (hash tables grow)', async () => {
    expect(await rows(db, `SELECT count(*), min(c), max(c), sum(k) FROM (SELECT g % 3000 AS k, count(*) AS c FROM generate_series(1, 9000) g GROUP BY k) q`)).toEqual([
      ['3000', '3', '3', '4498500'],
    ]);
    expect(await rows(db, `SELECT count(*), count(DISTINCT c) FROM (SELECT (g % 2500)::float8 / 4 AS k, count(*) AS c FROM generate_series(1, 5000) g GROUP BY k) q`)).toEqual([
      ['2500', '1'],
    ]);
    expect(await rows(db, `SELECT count(*) FROM (SELECT (g % 1500)::text AS k, g % 2 AS p, count(*) FROM generate_series(1, 6000) g GROUP BY k, p) q`)).toEqual([['1500']]);
    expect(await rows(db, `SELECT k, count(*) FROM (VALUES ('NaN'::float8), ('NaN'), (-0.0::float8), (0.0), (NULL), (NULL)) v(k) GROUP BY k ORDER BY k`)).toEqual([
      ['-0', '2'], ['NaN', '2'], [null, '2'],
    ]);
  });

  it('groups NULL keys together and filters groups', async () => {
    expect(await rows(db, 'SELECT region, count(*) FROM sales GROUP BY region ORDER BY region')).toEqual([
      ['east', '2'], ['north', '1'], ['west', '2'], [null, '1'],
    ]);
    expect(await rows(db, 'SELECT region FROM sales GROUP BY 1 HAVING sum(qty) > 5 ORDER BY 1')).toEqual([['east'], [null]]);
  });

  it('keeps NULL apart from the text N in GROUP BY and DISTINCT (regression: DISTINCT merged them)', async () => {
    expect(await rows(db, "SELECT x, count(*) FROM (VALUES ('N'), (NULL), ('N')) v(x) GROUP BY x ORDER BY x")).toEqual([['N', '2'], [null, '1']]);
    expect(await rows(db, "SELECT DISTINCT x FROM (VALUES ('N'), (NULL)) v(x) ORDER BY x")).toEqual([['N'], [null]]);
    expect(await rows(db, "SELECT count(DISTINCT (a, b)) FROM (VALUES ('x', 'N'), ('x', NULL)) v(a, b)")).toEqual([['2']]);
  });

  it('allows columns functionally dependent on a grouped primary key', async () => {
    expect(await rows(db, 'SELECT id, region, qty FROM sales WHERE id <= 2 GROUP BY id ORDER BY id')).toEqual([
      ['1', 'east', '10'], ['2', 'east', '5'],
    ]);
  });

  it('refuses misplaced aggregates and ungrouped columns with 42803', async () => {
    expect(await codeOf(db.query('SELECT region, qty FROM sales GROUP BY region'))).toBe('42803');
    expect(await codeOf(db.query('SELECT qty, count(*) FROM sales'))).toBe('42803');
    expect(await codeOf(db.query('SELECT id FROM sales WHERE count(*) > 1'))).toBe('42803');
    expect(await codeOf(db.query('SELECT max(count(*)) FROM sales'))).toBe('42803');
    expect(await codeOf(db.query('SELECT count(*) FROM sales GROUP BY sum(qty)'))).toBe('42803');
    expect(await codeOf(db.query('SELECT region FROM sales GROUP BY 3'))).toBe('42P10');
  });

  it('computes grouping sets with GROUPING()', async () => {
    expect(await rows(db, `SELECT region, product, sum(qty), grouping(region, product) FROM sales
      WHERE region IN ('east', 'west') GROUP BY ROLLUP (region, product) ORDER BY 4, 1, 2`)).toEqual([
      ['east', 'ink', '5', '0'], ['east', 'pen', '10', '0'], ['west', 'pad', '3', '0'], ['west', 'pen', null, '0'],
      ['east', null, '15', '1'], ['west', null, '3', '1'], [null, null, '18', '3'],
    ]);
  });
});

// ---- against PostgreSQL 15 ------------------------------------------------------------

warnIfSkipped('tests/sql/aggregate.test.ts');

const QUERIES: Array<string | [string, 'rowsort']> = [
  // NULL edge cases
  'SELECT count(*), count(a), count(b), sum(a), avg(a), min(a), max(b), stddev(a), variance(a) FROM nulls_only',
  'SELECT count(*), sum(a), avg(a), min(a), max(a), stddev(a), var_pop(a), bool_or(a > 1), every(a > 1), json_agg(a), jsonb_agg(b), json_object_agg(a, b) FROM nothing',
  'SELECT string_agg(b, \',\'), array_agg(a), array_agg(b ORDER BY b) FROM nulls_only',
  'SELECT count(DISTINCT a), sum(DISTINCT a), array_agg(DISTINCT a) FROM nulls_only',
  'SELECT a, count(*), count(a) FROM nulls_only GROUP BY a',
  'SELECT count(*) FROM nothing HAVING count(*) = 0',
  'SELECT 1 AS x FROM nothing HAVING true',
  ['SELECT region, sum(qty), avg(qty), min(price), max(sold), count(ratio) FROM sales GROUP BY region', 'rowsort'],
  'SELECT sum(qty) FILTER (WHERE qty > 100), count(*) FILTER (WHERE false), array_agg(id) FILTER (WHERE flag IS NULL) FROM sales',
  // types and values
  'SELECT sum(big), avg(big), sum(price), avg(price), sum(ratio), avg(ratio), sum(qty::int2), avg(ratio::real) FROM sales',
  'SELECT pg_typeof(sum(qty)), pg_typeof(sum(big)), pg_typeof(avg(qty)), pg_typeof(avg(ratio)), pg_typeof(sum(price)), pg_typeof(max(sold)) FROM sales',
  'SELECT min(region), max(region), min(sold), max(sold), min(flag::int), max(price), min(ratio) FROM sales',
  'SELECT stddev(qty), stddev_pop(qty), var_samp(qty), var_pop(qty), stddev(price), variance(ratio) FROM sales',
  'SELECT bool_and(flag), bool_or(flag), every(flag) FROM sales',
  'SELECT string_agg(product, \'/\' ORDER BY product DESC NULLS FIRST), array_agg(qty ORDER BY qty NULLS FIRST, id) FROM sales',
  'SELECT string_agg(DISTINCT product, \',\' ORDER BY product), count(DISTINCT region), count(DISTINCT (region, product)) FROM sales',
  'SELECT json_agg(qty ORDER BY id), jsonb_agg(product ORDER BY id), jsonb_object_agg(id, region) FROM sales',
  'SELECT count(*), count(sales.*), count(ROW(qty, price)) FROM sales',
  // grouping
  ['SELECT product, region, count(*), sum(qty) FROM sales GROUP BY CUBE (product, region)', 'rowsort'],
  ['SELECT product, region, count(*), grouping(product), grouping(region, product) FROM sales GROUP BY GROUPING SETS ((product, region), product, ())', 'rowsort'],
  ['SELECT extract(month FROM sold) AS m, count(*) FROM sales GROUP BY m', 'rowsort'],
  ['SELECT qty % 2 = 0 AS even, count(*), sum(qty) FROM sales GROUP BY 1', 'rowsort'],
  ['SELECT coalesce(region, \'?\') || \'!\', count(*) FROM sales GROUP BY coalesce(region, \'?\')', 'rowsort'],
  ['SELECT region, max(qty) - min(qty) AS spread FROM sales GROUP BY region HAVING count(qty) > 0', 'rowsort'],
  ['SELECT id, product, region FROM sales GROUP BY id HAVING qty IS NULL', 'rowsort'],
  'SELECT region, count(*) FROM sales GROUP BY region ORDER BY count(*) DESC, region NULLS FIRST',
  ['SELECT region, (SELECT count(*) FROM sales s2 WHERE s2.region = sales.region) FROM sales GROUP BY region', 'rowsort'],
  // errors
  'SELECT region, product FROM sales GROUP BY region',
  'SELECT product FROM sales GROUP BY region ORDER BY product',
  'SELECT sum(qty) FROM sales GROUP BY 2',
  'SELECT grouping(product) FROM sales GROUP BY region',
  'SELECT array_agg(DISTINCT qty ORDER BY id) FROM sales',
  'SELECT sum(product) FROM sales',
];

describe.skipIf(!runDifferential)('grouping and aggregates against PostgreSQL 15', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await Pair.start(SETUP);
  }, 60_000);
  afterAll(async () => {
    await pair?.close();
  });

  for (const q of QUERIES) {
    const [sql, sort] = typeof q === 'string' ? [q, undefined] : q;
    it(sql, async () => {
      const [pg, sb] = await pair.both(sql, { sortRows: sort === 'rowsort' });
      expect(sb).toEqual(pg);
    });
  }
});
