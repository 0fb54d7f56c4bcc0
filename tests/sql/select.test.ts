// SELECT end to end: expressions with PostgreSQL typing, WHERE and access
// paths, ORDER BY / LIMIT / DISTINCT, VALUES, derived tables, subqueries,
// parameters, and the errors clients branch on.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { codeOf, errorOf, memoryDb, rows } from './helpers.ts';

let db: Database;

beforeAll(async () => {
  db = await memoryDb();
  await db.exec(`
    CREATE TABLE emp (id int PRIMARY KEY, name text NOT NULL, dept text, salary int, manager int);
    INSERT INTO emp VALUES
      (1, 'alice', 'eng', 120, NULL), (2, 'bob', 'eng', 100, 1), (3, 'carol', 'sales', 90, 1),
      (4, 'dave', 'sales', 85, 3), (5, 'erin', NULL, 70, 1), (6, 'frank', 'ops', NULL, 5);
  `);
});

afterAll(async () => {
  await db.close();
});

describe('expressions', () => {
  it('evaluates constants with PostgreSQL types', async () => {
    const r = await db.query("SELECT 1 + 2 * 3 AS a, 'a' || 'b', 2 > 1, 2147483648, 1.5, NULL::int, 'x'");
    expect(r.command).toBe('SELECT 1');
    expect(r.fields.map((f) => f.name)).toEqual(['a', '?column?', '?column?', '?column?', '?column?', 'int4', '?column?']);
    expect(r.fields.map((f) => f.typeOid)).toEqual([23, 25, 16, 20, 1700, 23, 25]);
    expect(await rows(db, "SELECT 1 + 2 * 3, 'a' || 'b', 2 > 1")).toEqual([['7', 'ab', 't']]);
  });

  it('names columns as PostgreSQL 15 does (casts and subscripts)', async () => {
    // Each name checked by hand on PostgreSQL 15 (FigureColname: a cast takes its type's name unless its operand has a stronger one).
    const r = await db.query(
      "SELECT 1::int::text, CAST(1 AS text), salary::text, count(*)::text, interval '1 day'::text, 'x'::varchar(3)::name, " +
        "(ARRAY[id])[1], (ARRAY[id])[1:1], ('{}'::jsonb)['a'], (ARRAY[salary])[1]::text FROM emp GROUP BY id, salary",
    );
    expect(r.fields.map((f) => f.name)).toEqual(['text', 'text', 'salary', 'count', 'text', 'name', 'array', 'array', 'jsonb', 'array']);
  });

  it('folds a minus into a constant', async () => {
    expect(await rows(db, 'SELECT -2147483648, pg_typeof(-2147483648)')).toEqual([['-2147483648', 'integer']]);
    expect(await rows(db, 'SELECT -(-2147483648)')).toEqual([['2147483648']]);
  });

  it('types unknown literals from their context', async () => {
    expect(await rows(db, "SELECT id FROM emp WHERE salary > '100'")).toEqual([['1']]);
    expect(await codeOf(db.query("SELECT id FROM emp WHERE salary > 'abc'"))).toBe('22P02');
  });

  it('handles CASE, COALESCE, NULLIF, GREATEST, LEAST', async () => {
    expect(await rows(db, "SELECT CASE WHEN 1 > 2 THEN 'a' ELSE 'b' END, CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' END")).toEqual([['b', 'two']]);
    expect(await rows(db, 'SELECT coalesce(NULL, 2, 3), nullif(1, 1), nullif(1, 2), greatest(1, 5, 3), least(4, NULL, 2)')).toEqual([
      ['2', null, '1', '5', '2'],
    ]);
    expect(await rows(db, 'SELECT CASE WHEN true THEN 1 ELSE 2.5 END')).toEqual([['1']]);
    expect(await codeOf(db.query("SELECT CASE WHEN true THEN 1 ELSE 'x'::text END"))).toBe('42804');
  });

  it('evaluates CASE branches lazily', async () => {
    expect(await rows(db, 'SELECT CASE WHEN salary IS NULL THEN 0 ELSE 1000 / salary END FROM emp WHERE id IN (5, 6) ORDER BY id')).toEqual([
      ['14'], ['0'],
    ]);
  });

  it('supports IN, BETWEEN [SYMMETRIC], LIKE, ILIKE, IS tests', async () => {
    expect(await rows(db, 'SELECT name FROM emp WHERE id IN (1, 3, 7) ORDER BY id')).toEqual([['alice'], ['carol']]);
    expect(await rows(db, 'SELECT name FROM emp WHERE id NOT IN (1, 2, 3, 4) ORDER BY id')).toEqual([['erin'], ['frank']]);
    expect(await rows(db, 'SELECT 1 IN (2, NULL), 2 IN (2, NULL), 1 NOT IN (2, NULL)')).toEqual([[null, 't', null]]);
    expect(await rows(db, 'SELECT name FROM emp WHERE salary BETWEEN SYMMETRIC 100 AND 85 ORDER BY id')).toEqual([['bob'], ['carol'], ['dave']]);
    expect(await rows(db, "SELECT name FROM emp WHERE name LIKE '%a%e' ORDER BY id")).toEqual([['alice'], ['dave']]);
    expect(await rows(db, "SELECT 'ABC' ILIKE 'a%', 'a_c' LIKE 'a!_c' ESCAPE '!', 'abc' NOT LIKE 'a%'")).toEqual([['t', 't', 'f']]);
    expect(await rows(db, 'SELECT name FROM emp WHERE dept IS NULL')).toEqual([['erin']]);
    expect(await rows(db, 'SELECT NULL IS DISTINCT FROM 1, NULL IS NOT DISTINCT FROM NULL, (1 = 1) IS TRUE, NULL::bool IS UNKNOWN')).toEqual([
      ['t', 't', 't', 't'],
    ]);
  });

  it('compares rows and arrays', async () => {
    expect(await rows(db, "SELECT name FROM emp WHERE (dept, salary) = ('eng', 100)")).toEqual([['bob']]);
    expect(await rows(db, 'SELECT (1, 2) < (1, 3), (2, 1) < (1, 9)')).toEqual([['t', 'f']]);
    expect(await rows(db, 'SELECT 2 = ANY (ARRAY[1, 2]), 3 = ANY (ARRAY[1, 2]), 1 < ALL (ARRAY[2, 3])')).toEqual([['t', 'f', 't']]);
    expect(await rows(db, 'SELECT ARRAY[1, 2] , ARRAY[[1, 2], [3, 4]]')).toEqual([['{1,2}', '{{1,2},{3,4}}']]);
  });

  it('returns the SQL value functions of the session', async () => {
    const r = await rows(db, 'SELECT current_user, current_schema, current_catalog, current_date = CURRENT_DATE');
    expect(r).toEqual([['sysdba', 'public', 'scratchbird', 't']]);
  });
});

describe('queries', () => {
  it('expands * and t.* and names columns', async () => {
    const r = await db.query('SELECT * FROM emp WHERE id = 3');
    expect(r.fields.map((f) => f.name)).toEqual(['id', 'name', 'dept', 'salary', 'manager']);
    expect(r.fields[0]!.tableOid).toBeGreaterThan(16384);
    expect(r.fields.map((f) => f.attnum)).toEqual([1, 2, 3, 4, 5]);
    expect(await rows(db, 'SELECT e.* FROM emp e WHERE e.id = 1')).toEqual([['1', 'alice', 'eng', '120', null]]);
  });

  it('orders by alias, position and expression with NULLS FIRST/LAST', async () => {
    expect(await rows(db, 'SELECT name, salary AS s FROM emp ORDER BY s DESC NULLS LAST, 1 LIMIT 3')).toEqual([
      ['alice', '120'], ['bob', '100'], ['carol', '90'],
    ]);
    expect(await rows(db, 'SELECT name FROM emp ORDER BY salary NULLS FIRST LIMIT 2')).toEqual([['frank'], ['erin']]);
    expect(await rows(db, 'SELECT name FROM emp ORDER BY -id LIMIT 2 OFFSET 1')).toEqual([['erin'], ['dave']]);
    expect(await rows(db, 'SELECT name FROM emp ORDER BY id OFFSET 4 ROWS FETCH FIRST 1 ROW ONLY')).toEqual([['erin']]);
    expect(await codeOf(db.query('SELECT name FROM emp ORDER BY 9'))).toBe('42P10');
  });

  it('supports DISTINCT and DISTINCT ON', async () => {
    expect(await rows(db, 'SELECT DISTINCT dept FROM emp ORDER BY dept')).toEqual([['eng'], ['ops'], ['sales'], [null]]);
    expect(await rows(db, 'SELECT DISTINCT ON (dept) dept, name FROM emp ORDER BY dept, salary DESC')).toEqual([
      ['eng', 'alice'], ['ops', 'frank'], ['sales', 'carol'], [null, 'erin'],
    ]);
    expect(await codeOf(db.query('SELECT DISTINCT dept FROM emp ORDER BY salary'))).toBe('42P10');
  });

  it('runs VALUES and derived tables', async () => {
    expect(await rows(db, "VALUES (1, 'a'), (2, 'b') ORDER BY 1 DESC")).toEqual([['2', 'b'], ['1', 'a']]);
    expect(await rows(db, 'SELECT x + 1 FROM (VALUES (1), (2)) AS v(x) ORDER BY x')).toEqual([['2'], ['3']]);
    expect(await rows(db, "SELECT n FROM (SELECT name AS n, salary FROM emp WHERE dept = 'eng') s WHERE salary > 100")).toEqual([['alice']]);
  });

  it('runs scalar, EXISTS, IN and ANY subqueries, correlated or not', async () => {
    expect(await rows(db, 'SELECT name FROM emp WHERE salary = (SELECT salary FROM emp WHERE id = 2)')).toEqual([['bob']]);
    expect(await rows(db, 'SELECT e.name FROM emp e WHERE EXISTS (SELECT 1 FROM emp r WHERE r.manager = e.id) ORDER BY e.id')).toEqual([
      ['alice'], ['carol'], ['erin'],
    ]);
    expect(await rows(db, "SELECT name FROM emp WHERE id IN (SELECT manager FROM emp WHERE dept = 'sales') ORDER BY id")).toEqual([
      ['alice'], ['carol'],
    ]);
    expect(await rows(db, 'SELECT e.name, (SELECT m.name FROM emp m WHERE m.id = e.manager) FROM emp e WHERE e.id IN (2, 6) ORDER BY e.id')).toEqual([
      ['bob', 'alice'], ['frank', 'erin'],
    ]);
    expect(await rows(db, "SELECT name FROM emp WHERE salary > ALL (SELECT salary FROM emp WHERE dept = 'sales') AND salary < 110")).toEqual([['bob']]);
    expect(await codeOf(db.query('SELECT (SELECT id FROM emp)'))).toBe('21000');
    expect(await codeOf(db.query('SELECT (SELECT id, name FROM emp)'))).toBe('42601');
  });

  it('uses the primary key for point lookups and ranges', async () => {
    expect(await rows(db, 'SELECT name FROM emp WHERE id = 4')).toEqual([['dave']]);
    expect(await rows(db, 'SELECT name FROM emp WHERE id >= 5 ORDER BY id')).toEqual([['erin'], ['frank']]);
    expect(await rows(db, 'SELECT name FROM emp WHERE id > 2 AND id < 4')).toEqual([['carol']]);
    expect(await rows(db, 'SELECT name FROM emp WHERE id = NULL')).toEqual([]);
  });
});

describe('parameters', () => {
  it('infers parameter types from their context', async () => {
    expect(await rows(db, 'SELECT name FROM emp WHERE id = $1', [3])).toEqual([['carol']]);
    expect(await rows(db, 'SELECT name FROM emp WHERE id = $1', ['3'])).toEqual([['carol']]);
    expect(await rows(db, 'SELECT $1::int + $2', [40, 2])).toEqual([['42']]);
    const r = await db.query('SELECT $1 AS v', ['hello']);
    expect(r.fields[0]!.typeOid).toBe(25);
    expect(await codeOf(db.query('SELECT $1'))).toBe('42P02');
    expect(await codeOf(db.query('SELECT name FROM emp WHERE id = $1', ['x']))).toBe('22P02');
  });
});

describe('errors', () => {
  it('reports syntax errors with their position', async () => {
    const e = await errorOf(db.query('SELECT 1 FROM emp WHERE'));
    expect(e.code).toBe('42601');
    expect(e.message).toBe('syntax error at end of input');
    const e2 = await errorOf(db.query('SELEC 1'));
    expect(e2.position).toBe(1);
  });

  it('reports missing tables and columns with their position', async () => {
    const e = await errorOf(db.query('SELECT * FROM nosuch'));
    expect(e.code).toBe('42P01');
    expect(e.message).toBe('relation "nosuch" does not exist');
    expect(e.position).toBe(15);
    const c = await errorOf(db.query('SELECT nope FROM emp'));
    expect(c.code).toBe('42703');
    expect(c.message).toBe('column "nope" does not exist');
    expect(c.position).toBe(8);
    expect(await codeOf(db.query('SELECT emp.id'))).toBe('42P01');
    expect(await codeOf(db.query('SELECT x.id FROM emp e'))).toBe('42P01');
  });

  it('reports type errors', async () => {
    expect(await codeOf(db.query('SELECT id FROM emp WHERE salary'))).toBe('42804');
    expect(await codeOf(db.query("SELECT 1 + 'a'::text"))).toBe('42883');
    expect(await codeOf(db.query('SELECT 1 / 0'))).toBe('22012');
    expect(await codeOf(db.query('SELECT 2147483647 + 1'))).toBe('22003');
  });
});
