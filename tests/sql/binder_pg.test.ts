// Binder rules the PostgreSQL 15 differential tests (tests/diff) found wrong,
// each checked against a real PostgreSQL 15: GROUP BY expressions holding
// subqueries, aggregates over subqueries, constant ORDER BY / GROUP BY items
// (negative positions, non-integer constants), INSERT ... SELECT's
// unknown-typed outputs taking the target columns' types, and regtype's name
// for bpchar.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { errorOf, memoryDb, rows } from './helpers.ts';
import { Pair, runDifferential, warnIfSkipped } from './pg_compare.ts';

const SETUP = [
  `CREATE TABLE t (x int, y int, s text)`,
  `INSERT INTO t VALUES (1, 2, 'a'), (3, 4, 'b'), (1, 5, 'a'), (NULL, 2, NULL)`,
  `CREATE TABLE ti (a int, b date, c text)`,
];

let db: Database;

beforeAll(async () => {
  db = await memoryDb();
  for (const s of SETUP) await db.exec(s);
});

afterAll(async () => {
  await db.close();
});

describe('binder rules PostgreSQL 15 follows', () => {
  it('matches a select-list expression holding a subquery to the equal GROUP BY expression', async () => {
    expect(await rows(db, 'SELECT x IN (SELECT y FROM t), count(*) FROM t GROUP BY x IN (SELECT y FROM t)')).toEqual([['f', '3'], [null, '1']]);
    expect(await rows(db, 'SELECT (SELECT max(y) FROM t t2 WHERE t2.y > t.x) AS m FROM t GROUP BY (SELECT max(y) FROM t t2 WHERE t2.y > t.x) ORDER BY 1')).toEqual([['5'], [null]]);
    // A different subquery is still bound part by part: its ungrouped column is 42803.
    expect((await errorOf(db.exec('SELECT EXISTS (SELECT 1 FROM t t2 WHERE t2.y = t.y) FROM t GROUP BY EXISTS (SELECT 1 FROM t t2 WHERE t2.y = t.x)'))).message)
      .toBe('subquery uses ungrouped column "t.y" from outer query');
  });

  it('treats a negative integer constant in ORDER BY / GROUP BY as a position (42P10) and other constants as 42601', async () => {
    const e = await errorOf(db.exec('SELECT x FROM t GROUP BY -324'));
    expect([e.code, e.message]).toEqual(['42P10', 'GROUP BY position -324 is not in select list']);
    expect((await errorOf(db.exec('SELECT x FROM t ORDER BY -1'))).message).toBe('ORDER BY position -1 is not in select list');
    expect((await errorOf(db.exec(`SELECT x FROM t ORDER BY 'a'`))).code).toBe('42601');
    expect((await errorOf(db.exec('SELECT x FROM t ORDER BY 2.5'))).message).toBe('non-integer constant in ORDER BY');
    // Two minus signs fold back to position 1; a plus sign makes an expression (a constant sort key).
    expect(await rows(db, 'SELECT x FROM t ORDER BY - -1')).toEqual([['1'], ['1'], ['3'], [null]]);
    expect((await rows(db, 'SELECT x FROM t ORDER BY +1')).length).toBe(4);
  });

  it('gives INSERT ... SELECT unknown-typed outputs the target columns\' types', async () => {
    await db.exec(`INSERT INTO ti (a) SELECT NULL`);
    await db.exec(`INSERT INTO ti SELECT 1, NULL`);
    await db.exec(`INSERT INTO ti (a, b) SELECT '5', '2024-01-01'`);
    expect(await rows(db, 'SELECT a, b, c FROM ti ORDER BY a NULLS FIRST')).toEqual([[null, null, null], ['1', null, null], ['5', '2024-01-01', null]]);
    // DISTINCT / ORDER BY resolve them to text first, as PostgreSQL does.
    expect((await errorOf(db.exec(`INSERT INTO ti (a) SELECT DISTINCT '10'`))).code).toBe('42804');
    expect((await errorOf(db.exec(`INSERT INTO ti (a) SELECT 'x'`))).code).toBe('22P02');
  });
});

// ---- against PostgreSQL 15 ------------------------------------------------------------

warnIfSkipped('tests/sql/binder_pg.test.ts');

/** Run in order on both (the INSERTs change ti; the last statements read it). */
const STATEMENTS: Array<string | [string, 'rowsort']> = [
  // aggregates over subqueries that hold aggregates of their own
  'SELECT max((SELECT min(x) FROM t)) FROM t',
  ['SELECT y, max((SELECT min(t2.x) FROM t t2 WHERE t2.y = t.y)), count(*) FROM t GROUP BY y', 'rowsort'],
  'SELECT max((SELECT min(t.x) FROM t t2)) FROM t',
  'SELECT count(*) FROM t GROUP BY (SELECT max(x) FROM t)',
  'SELECT count(*) FROM t GROUP BY (SELECT max(t.x) FROM t t2)',
  ['SELECT (SELECT max(x) FROM t), count(*) FROM t GROUP BY (SELECT max(x) FROM t), y', 'rowsort'],
  // GROUP BY expressions holding subqueries
  ['SELECT x IN (SELECT y FROM t), count(*) FROM t GROUP BY x IN (SELECT y FROM t)', 'rowsort'],
  ['SELECT (SELECT max(y) FROM t t2 WHERE t2.y > t.x) FROM t GROUP BY (SELECT max(y) FROM t t2 WHERE t2.y > t.x)', 'rowsort'],
  ['SELECT EXISTS (SELECT 1 FROM t t2 WHERE t2.y = t.x), count(*) FROM t GROUP BY EXISTS (SELECT 1 FROM t t2 WHERE t2.y = t.x)', 'rowsort'],
  ['SELECT NOT EXISTS (SELECT 1 FROM t t2 WHERE t2.y = t.x) FROM t GROUP BY EXISTS (SELECT 1 FROM t t2 WHERE t2.y = t.x)', 'rowsort'],
  ['SELECT (x + 0 IN (SELECT y FROM t)) AND true FROM t GROUP BY x + 0 IN (SELECT y FROM t)', 'rowsort'],
  'SELECT EXISTS (SELECT 1 FROM t t2 WHERE t2.y = t.y) FROM t GROUP BY EXISTS (SELECT 1 FROM t t2 WHERE t2.y = t.x)',
  'SELECT x IN (SELECT y FROM t) FROM t GROUP BY y IN (SELECT y FROM t)',
  // constant ORDER BY / GROUP BY items
  'SELECT x FROM t GROUP BY -324',
  'SELECT count(*) FROM t GROUP BY -1',
  'SELECT x FROM t GROUP BY x, -(5)',
  'SELECT x FROM t GROUP BY x, -2.5',
  'SELECT x FROM t GROUP BY x, -2147483648',
  'SELECT x FROM t GROUP BY x, 99999999999',
  'SELECT x FROM t GROUP BY x, NULL',
  'SELECT x FROM t ORDER BY -1',
  'SELECT x FROM t ORDER BY (-1)',
  'SELECT x FROM t ORDER BY -0',
  'SELECT x FROM t ORDER BY - -1',
  `SELECT x FROM t ORDER BY 'a'`,
  'SELECT x FROM t ORDER BY NULL',
  'SELECT x FROM t ORDER BY true',
  'SELECT x FROM t ORDER BY 2.5',
  `SELECT x FROM t ORDER BY B'1'`,
  'SELECT x FROM t UNION SELECT 1 ORDER BY -1',
  `SELECT x FROM t UNION SELECT 1 ORDER BY 'a'`,
  'SELECT DISTINCT ON (-1) x FROM t',
  // INSERT ... SELECT: unknown outputs take the target types (or text where PostgreSQL resolves them)
  'INSERT INTO ti (a) SELECT NULL',
  'INSERT INTO ti SELECT 1, NULL',
  `INSERT INTO ti (a) SELECT '5'`,
  `INSERT INTO ti (a, b) SELECT '5', '2024-01-01'`,
  'INSERT INTO ti (a) SELECT NULL UNION SELECT NULL',
  'INSERT INTO ti (a) SELECT 1 UNION SELECT NULL',
  `INSERT INTO ti (a) SELECT '7' UNION SELECT '8'`,
  `INSERT INTO ti (a, b) VALUES (NULL, NULL), (1, '2024-01-02')`,
  'INSERT INTO ti (a) SELECT x FROM (SELECT NULL AS x) s',
  `INSERT INTO ti (a) SELECT '9' ORDER BY 1`,
  `INSERT INTO ti (a) SELECT DISTINCT '10'`,
  `INSERT INTO ti (a) (SELECT '11')`,
  `INSERT INTO ti (a) SELECT '12' LIMIT 1`,
  `INSERT INTO ti (b) SELECT '2024-01-01' FROM ti WHERE a = 12`,
  `WITH q AS (SELECT '13' AS v) INSERT INTO ti (a) SELECT v FROM q`,
  `INSERT INTO ti (a) WITH q AS (SELECT 1) SELECT '14'`,
  `INSERT INTO ti (a) SELECT '15' GROUP BY 1`,
  `INSERT INTO ti (a) VALUES ('16') UNION SELECT '17'`,
  'INSERT INTO ti (a, c) SELECT count(*), NULL FROM ti',
  `INSERT INTO ti (a) SELECT 'x'`,
  'INSERT INTO ti (a) VALUES (NULL) LIMIT 1',
  `INSERT INTO ti (a) SELECT '18' OFFSET 0`,
  `INSERT INTO ti (c, a) SELECT NULL, s::int FROM (SELECT '19' AS s) q`,
  'SELECT a, b, c FROM ti ORDER BY a, b, c',
  // regtype output names bpchar `character`, as format_type(oid, NULL) does
  `SELECT pg_typeof('a'::char(3)), pg_typeof('a'::bpchar), pg_typeof(ARRAY['a'::char(2)]), 1042::regtype, 'bpchar'::regtype, 'character'::regtype`,
  'SELECT format_type(1042, NULL), format_type(1042, -1), format_type(1042, 7), format_type(1014, NULL), format_type(1043, NULL)',
];

describe.skipIf(!runDifferential)('binder rules against PostgreSQL 15', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await Pair.start(SETUP);
  }, 60_000);
  afterAll(async () => {
    await pair?.close();
  });

  for (const q of STATEMENTS) {
    const [sql, sort] = typeof q === 'string' ? [q, undefined] : q;
    it(sql, async () => {
      const [pg, sb] = await pair.both(sql, { sortRows: sort === 'rowsort' });
      expect(sb).toEqual(pg);
    });
  }
});
