// Auto-parameterization of simple-protocol statements (host/engine/session/autoparam.ts):
// every statement gives the same columns, types, rows and errors (code, message,
// position) with the cache as without it, for each of several literals, and the
// cached plans are not reused across DDL, search_path or users.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import type { Session } from '../../host/engine/session/session.ts';
import { SbError } from '../../host/engine/sb_error.ts';
import { autoParamStats, normalize, setAutoParameterization } from '../../host/engine/session/autoparam.ts';
import { formatRow } from '../../host/engine/db.ts';
import { memoryDb } from './helpers.ts';

const SETUP = [
  'CREATE TABLE acc (aid int PRIMARY KEY, bid int, abalance int, filler char(10))',
  "INSERT INTO acc SELECT g, g % 3, g * 2, 'f' || g FROM generate_series(1, 50) g",
  'CREATE TABLE kv (k int PRIMARY KEY, v text)',
  'CREATE TABLE small (s smallint, n numeric(6,2), b bigint, d date)',
  "INSERT INTO small VALUES (1, 1.25, 10000000000, '2020-01-01'), (2, 2.50, -5, '2021-06-30')",
];

/** What a statement gave: columns with types and rows as text, or the error's code, message and position. */
async function outcome(s: Session, sql: string): Promise<unknown> {
  try {
    const r = await s.query(sql);
    return { command: r.command, fields: r.fields.map((f) => `${f.name}:${f.type.id}:${f.typmod}`), rows: formatRow(r, s.typeContext()) };
  } catch (e) {
    if (!(e instanceof SbError)) throw e;
    return { error: e.code, message: e.message, position: e.position ?? null, detail: e.detail ?? null };
  }
}

let on: Database;
let off: Database;
let son: Session;
let soff: Session;

beforeAll(async () => {
  on = await memoryDb();
  off = await memoryDb();
  for (const sql of SETUP) {
    await on.exec(sql);
    await off.exec(sql);
  }
  son = on.session();
  soff = off.session();
  setAutoParameterization(soff.core, false);
});

afterAll(async () => {
  await on.close();
  await off.close();
});

/** Runs each statement on both databases (twice on the cached side, so the second run is a cache hit) and compares. */
async function same(statements: string[], twice = true): Promise<void> {
  for (const sql of statements) {
    const want = await outcome(soff, sql);
    const first = await outcome(son, sql);
    expect({ sql, got: first }).toEqual({ sql, got: want });
    if (twice) expect({ sql, got: await outcome(son, sql) }).toEqual({ sql, got: want });
  }
}

describe('auto-parameterized simple statements', () => {
  it('point selects hit the cache with each new constant', async () => {
    const before = autoParamStats(son.core).hits;
    const sqls = [1, 2, 17, 50, 51, 999999].map((n) => `SELECT abalance FROM acc WHERE aid = ${n};`);
    await same(sqls);
    expect(autoParamStats(son.core).hits - before).toBeGreaterThanOrEqual(sqls.length * 2 - 1);
    expect(normalize('SELECT abalance FROM acc WHERE aid = 123;')!.text).toBe('SELECT abalance FROM acc WHERE aid = $1;');
  });

  it('integer constants take their type from their value, signs included', async () => {
    await same([
      'SELECT pg_typeof(1), 1', 'SELECT pg_typeof(7), 7',
      'SELECT pg_typeof(-2147483648), -2147483648', 'SELECT pg_typeof(2147483648), 2147483648', 'SELECT pg_typeof(-2147483649), -2147483649',
      'SELECT pg_typeof(9223372036854775807), 9223372036854775807', 'SELECT pg_typeof(9223372036854775808), 9223372036854775808',
      'SELECT pg_typeof(-9223372036854775808), -9223372036854775808', 'SELECT 2 - -3, 2-3, 2 - 3, -(4), - 5',
      'SELECT 10 - -7, 10-7', 'SELECT -0, 0, 000123, -000', 'SELECT -2^2, (-2)^2', 'SELECT -1::int8', "SELECT - 1::text", 'SELECT 3 * -2, 5*-1',
    ]);
  });

  it('numeric constants (1.0, .5, 1e3, 1.) stay numeric, with their scale', async () => {
    await same(['SELECT pg_typeof(1.0), 1.0', 'SELECT pg_typeof(2.50), 2.50', 'SELECT .5, 5., 1e3, 1.5e-3, 2E+2', 'SELECT -0.0, -1.5', 'SELECT 1.0 / 3', 'SELECT 2.0 / 3']);
  });

  it("strings are unknown-typed: '1' and 1 differ, conversions and their errors match", async () => {
    await same([
      "SELECT abalance FROM acc WHERE aid = '3'", "SELECT abalance FROM acc WHERE aid = ' 4 '", "SELECT abalance FROM acc WHERE aid = 'abc'",
      "SELECT abalance FROM acc WHERE aid = ''", "SELECT abalance FROM acc WHERE aid = '9999999999'", "SELECT abalance FROM acc WHERE aid = '5'",
      "SELECT '1' = 1, '2' = 2", "SELECT '1.5' = 1", "SELECT pg_typeof('x'), 'x'", "SELECT 'it''s', 'a\\b', ''''", "SELECT 'abc' || 1, 'abd' || 2",
      "SELECT '12'::int2, '40000'::int2", "SELECT 12::int2", "SELECT 40000::int2", "SELECT CAST('7' AS int) + 1", "SELECT CAST('x' AS int)",
      "SELECT length('héllo'), length('日本')", "SELECT 'abc' LIKE 'a%', 'abc' LIKE 'b%'",
    ]);
  });

  it('typed literals, prefixed strings, continuations and dollar quotes are left alone or stay exact', async () => {
    await same([
      "SELECT date '2020-01-01' + 1", "SELECT date '2020-01-02' + 1", "SELECT '2020-01-01'::date + 3", "SELECT interval '1 day' * 2",
      "SELECT E'a\\nb', E'c\\td'", "SELECT U&'d\\0061t'", "SELECT 'a'\n'b'", "SELECT $$x$$, $t$y$t$", 'SELECT $1', 'SELECT 1; SELECT 2',
      'SELECT /* 5 */ 6 -- 7\n', "SELECT B'101'", "SELECT X'ff'",
    ]);
  });

  it('identifiers that look like numbers, qualified names and column positions', async () => {
    await same([
      'SELECT "1" FROM (SELECT 1 AS "1") s', 'SELECT "2" FROM (SELECT 2 AS "2") s', 'SELECT t1.aid FROM acc t1 WHERE t1.aid = 3',
      'SELECT aid, bid FROM acc ORDER BY 2, 1 LIMIT 3', 'SELECT aid, bid FROM acc ORDER BY 1 DESC LIMIT 3', 'SELECT bid, count(*) FROM acc GROUP BY 1 ORDER BY 1',
      'SELECT 123abc', 'SELECT 1.2.3', 'SELECT 0x1F',
    ]);
  });

  it('LIMIT and OFFSET constants, including negative ones', async () => {
    await same([
      'SELECT aid FROM acc ORDER BY aid LIMIT 2', 'SELECT aid FROM acc ORDER BY aid LIMIT 3', 'SELECT aid FROM acc ORDER BY aid LIMIT 0',
      'SELECT aid FROM acc ORDER BY aid LIMIT -1', 'SELECT aid FROM acc ORDER BY aid LIMIT 2 OFFSET 5', 'SELECT aid FROM acc ORDER BY aid LIMIT 2 OFFSET -1',
      'SELECT aid FROM acc ORDER BY aid LIMIT 2.5', "SELECT aid FROM acc ORDER BY aid LIMIT '2'",
    ]);
  });

  it('expressions, IN lists, CASE, division by zero and typmods', async () => {
    await same([
      'SELECT 1 + 2', 'SELECT 3 + 4', 'SELECT 7 / 0', 'SELECT 8 / 2', 'SELECT aid FROM acc WHERE aid IN (1, 2, 3) ORDER BY aid',
      'SELECT aid FROM acc WHERE aid IN (4, 5, 6) ORDER BY aid', "SELECT CASE WHEN aid > 5 THEN 'big' ELSE 'small' END FROM acc WHERE aid = 3",
      "SELECT CASE WHEN aid > 5 THEN 'big' ELSE 'small' END FROM acc WHERE aid = 9", 'SELECT coalesce(NULL, 5), coalesce(NULL, 6)',
      'SELECT s FROM small WHERE s = 1', 'SELECT s FROM small WHERE s = 2', 'SELECT s FROM small WHERE s = 70000', 'SELECT n FROM small WHERE n = 1.25',
      'SELECT n FROM small WHERE n = 2.5', 'SELECT b FROM small WHERE b = 10000000000', 'SELECT b FROM small WHERE b = -5', "SELECT d FROM small WHERE d = '2020-01-01'",
      "SELECT d FROM small WHERE d = '2021-06-30'", "SELECT d FROM small WHERE d = 'nope'", 'SELECT 1.25::numeric(3,1), 2.25::numeric(3,1)', "SELECT 'abcdef'::varchar(3)",
      "SELECT filler FROM acc WHERE aid = 4", "SELECT aid FROM acc WHERE filler = 'f4'", "SELECT aid FROM acc WHERE filler = 'f5'",
    ]);
  });

  it('INSERT, UPDATE and DELETE with constants', async () => {
    await same([
      "INSERT INTO kv VALUES (1, 'one')", "INSERT INTO kv VALUES (2, 'two')", "INSERT INTO kv VALUES (2, 'dup')", "INSERT INTO kv VALUES ('x', 'bad')",
      "UPDATE kv SET v = 'uno' WHERE k = 1", "UPDATE kv SET v = 'dos' WHERE k = 2", 'DELETE FROM kv WHERE k = 2', 'SELECT k, v FROM kv ORDER BY k',
      "INSERT INTO small (s) VALUES (40000)", "UPDATE acc SET abalance = abalance + 5 WHERE aid = 1", "UPDATE acc SET abalance = abalance + -5 WHERE aid = 1",
      'SELECT abalance FROM acc WHERE aid = 1',
    ], false);
  });
});

describe('invalidation', () => {
  it('DDL: a changed column type or a recreated table is bound again', async () => {
    const both = async (sql: string): Promise<void> => same([sql]);
    for (const sql of ['CREATE TABLE c (k int PRIMARY KEY, v int)', "INSERT INTO c VALUES (1, 10), (2, 20)"]) {
      await son.query(sql);
      await soff.query(sql);
    }
    await both('SELECT v + 1 FROM c WHERE k = 1');
    await both('SELECT v + 1 FROM c WHERE k = 2');
    for (const sql of ['ALTER TABLE c ALTER COLUMN v TYPE text']) {
      await son.query(sql);
      await soff.query(sql);
    }
    await both('SELECT v + 1 FROM c WHERE k = 1');
    await both("SELECT v || 'x' FROM c WHERE k = 1");
    for (const sql of ['DROP TABLE c', 'CREATE TABLE c (k text PRIMARY KEY, v int)', "INSERT INTO c VALUES ('1', 5)"]) {
      await son.query(sql);
      await soff.query(sql);
    }
    await both('SELECT v FROM c WHERE k = 1');
    await both("SELECT v FROM c WHERE k = '1'");
  });

  it('uncommitted DDL in a transaction block is seen', async () => {
    await same(['CREATE TABLE u (a int)', 'INSERT INTO u VALUES (1)'], false);
    await same(['SELECT a + 1 FROM u WHERE a = 1']);
    for (const s of [son, soff]) {
      await s.query('BEGIN');
      await s.query('ALTER TABLE u ALTER COLUMN a TYPE bigint');
    }
    await same(['SELECT pg_typeof(a) FROM u WHERE a = 1', 'SELECT a + 2147483647 FROM u WHERE a = 1']);
    for (const s of [son, soff]) await s.query('ROLLBACK');
    await same(['SELECT pg_typeof(a) FROM u WHERE a = 1', 'SELECT a + 2147483647 FROM u WHERE a = 1']);
  });

  it('search_path: the same text names another table', async () => {
    for (const sql of ['CREATE SCHEMA s1', 'CREATE SCHEMA s2', 'CREATE TABLE s1.x (k int, v text)', 'CREATE TABLE s2.x (k int, v int)', "INSERT INTO s1.x VALUES (1, 'one')", 'INSERT INTO s2.x VALUES (1, 100)']) {
      await son.query(sql);
      await soff.query(sql);
    }
    await same(['SET search_path = s1', 'SELECT v FROM x WHERE k = 1', "SELECT v FROM x WHERE v = 'one'", 'SET search_path = s2', 'SELECT v FROM x WHERE k = 1', "SELECT v FROM x WHERE v = 'one'", 'SET search_path = public', 'SELECT v FROM x WHERE k = 1']);
  });

  it('another user does not reuse a plan whose privileges it lacks', async () => {
    for (const sql of ["CREATE ROLE reader LOGIN PASSWORD 'pw'", 'GRANT SELECT ON kv TO reader']) {
      await son.query(sql);
      await soff.query(sql);
    }
    await same(['SELECT count(*) FROM acc WHERE aid = 1', 'SELECT count(*) FROM kv WHERE k = 1']);
    const ron = on.session({ user: 'reader' });
    const roff = off.session({ user: 'reader' });
    for (const sql of ['SELECT count(*) FROM acc WHERE aid = 1', 'SELECT count(*) FROM acc WHERE aid = 2', 'SELECT count(*) FROM kv WHERE k = 1', 'SELECT count(*) FROM kv WHERE k = 3']) {
      expect({ sql, got: await outcome(ron, sql) }).toEqual({ sql, got: await outcome(roff, sql) });
      expect({ sql, got: await outcome(ron, sql) }).toEqual({ sql, got: await outcome(roff, sql) });
    }
    expect((await outcome(ron, 'SELECT count(*) FROM acc WHERE aid = 3')) as { error: string }).toMatchObject({ error: '42501' });
  });

  it('a failed transaction block still reports 25P02', async () => {
    for (const s of [son, soff]) {
      await s.query('BEGIN');
      await s.query('SELECT 1 / 0').catch(() => {});
    }
    await same(['SELECT abalance FROM acc WHERE aid = 7']);
    for (const s of [son, soff]) await s.query('ROLLBACK');
  });
});

describe('what is parameterized', () => {
  it('strings, signed and numeric constants and DML hit; ORDER BY positions and typed literals do not', async () => {
    const hitsOf = async (sqls: string[]): Promise<number> => {
      const before = autoParamStats(son.core).hits;
      for (const sql of sqls) await son.query(sql);
      return autoParamStats(son.core).hits - before;
    };
    expect(await hitsOf(["SELECT abalance FROM acc WHERE filler = 'f1'", "SELECT abalance FROM acc WHERE filler = 'f2'"])).toBe(2);
    expect(await hitsOf(['SELECT abalance - -1 FROM acc WHERE aid = -3', 'SELECT abalance - -2 FROM acc WHERE aid = -4'])).toBe(2);
    expect(await hitsOf(['SELECT abalance * 1.5 FROM acc WHERE aid = 3', 'SELECT abalance * 2.5 FROM acc WHERE aid = 4'])).toBe(2);
    expect(await hitsOf(["UPDATE kv SET v = 'a' WHERE k = 1", "UPDATE kv SET v = 'b' WHERE k = 1"])).toBe(2);
    expect(await hitsOf(['SELECT aid, bid FROM acc ORDER BY 2, 1 LIMIT 3', 'SELECT aid, bid FROM acc ORDER BY 2, 1 LIMIT 4'])).toBe(0);
    expect(await hitsOf(["SELECT date '2020-01-01'", "SELECT date '2020-01-02'"])).toBe(0);
    expect(normalize("SELECT date '2020-01-01', 'x' FROM t WHERE a = -1 ORDER BY 1")).toEqual({
      text: "SELECT date '2020-01-01', $1 FROM t WHERE a = $2 ORDER BY 1",
      literals: [{ kind: 's', text: 'x', negative: false }, { kind: 'n', text: '1', negative: true }],
    });
  });
});
