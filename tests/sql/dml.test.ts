// INSERT / UPDATE / DELETE end to end: column lists, defaults, RETURNING,
// ON CONFLICT, serial and identity columns, constraint violations with
// PostgreSQL's SQLSTATEs, messages and details, foreign key actions.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { codeOf, errorOf, memoryDb, rows } from './helpers.ts';

let db: Database;

beforeEach(async () => {
  db = await memoryDb();
});

afterEach(async () => {
  await db.close();
});

describe('INSERT', () => {
  it('fills defaults for missing columns and DEFAULT', async () => {
    await db.query("CREATE TABLE t (a int, b text DEFAULT 'dflt', c int DEFAULT 7)");
    expect((await db.query('INSERT INTO t (a) VALUES (1), (2)')).command).toBe('INSERT 0 2');
    await db.query("INSERT INTO t VALUES (3, DEFAULT, DEFAULT), (4, 'x', DEFAULT)");
    await db.query('INSERT INTO t DEFAULT VALUES');
    await db.query('INSERT INTO t VALUES (5)');
    expect(await rows(db, 'SELECT * FROM t ORDER BY a NULLS LAST')).toEqual([
      ['1', 'dflt', '7'], ['2', 'dflt', '7'], ['3', 'dflt', '7'], ['4', 'x', '7'], ['5', 'dflt', '7'], [null, 'dflt', '7'],
    ]);
    expect(await codeOf(db.query('INSERT INTO t (a, b) VALUES (1)'))).toBe('42601');
    expect(await codeOf(db.query('INSERT INTO t VALUES (1, 2, 3, 4)'))).toBe('42601');
    expect(await codeOf(db.query('INSERT INTO t (a, a) VALUES (1, 2)'))).toBe('42701');
    expect(await codeOf(db.query('INSERT INTO t (zz) VALUES (1)'))).toBe('42703');
  });

  it('converts values by assignment and rejects what does not fit', async () => {
    await db.query('CREATE TABLE t (a int, v varchar(3), n numeric(5, 2))');
    await db.query("INSERT INTO t VALUES ('12', 'abc', 1.005)");
    expect(await rows(db, 'SELECT * FROM t')).toEqual([['12', 'abc', '1.01']]);
    expect(await codeOf(db.query("INSERT INTO t (v) VALUES ('abcd')"))).toBe('22001');
    expect(await codeOf(db.query('INSERT INTO t (a) VALUES (2147483648)'))).toBe('22003');
    const e = await errorOf(db.query('INSERT INTO t (a) VALUES (true)'));
    expect(e.code).toBe('42804');
    expect(e.message).toBe('column "a" is of type integer but expression is of type boolean');
  });

  it('inserts from a SELECT, seeing the rows as they were before', async () => {
    await db.query('CREATE TABLE t (a int)');
    await db.query('INSERT INTO t VALUES (1), (2)');
    expect((await db.query('INSERT INTO t SELECT a + 10 FROM t')).command).toBe('INSERT 0 2');
    expect(await rows(db, 'SELECT a FROM t ORDER BY a')).toEqual([['1'], ['2'], ['11'], ['12']]);
  });

  it('returns RETURNING rows', async () => {
    await db.query('CREATE TABLE t (id serial PRIMARY KEY, v text)');
    const r = await db.query("INSERT INTO t (v) VALUES ('a'), ('b') RETURNING id, upper(v) AS up, *");
    expect(r.command).toBe('INSERT 0 2');
    expect(r.fields.map((f) => f.name)).toEqual(['id', 'up', 'id', 'v']);
    expect(await rows(db, "INSERT INTO t (v) VALUES ('c') RETURNING id")).toEqual([['3']]);
  });

  it('handles ON CONFLICT DO NOTHING and DO UPDATE with EXCLUDED', async () => {
    await db.query('CREATE TABLE kv (k text PRIMARY KEY, v int, hits int DEFAULT 0)');
    await db.query("INSERT INTO kv VALUES ('a', 1)");
    expect((await db.query("INSERT INTO kv VALUES ('a', 2) ON CONFLICT DO NOTHING")).command).toBe('INSERT 0 0');
    expect((await db.query("INSERT INTO kv VALUES ('a', 5), ('b', 6) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v + kv.v, hits = kv.hits + 1")).command).toBe('INSERT 0 2');
    expect(await rows(db, 'SELECT * FROM kv ORDER BY k')).toEqual([['a', '6', '1'], ['b', '6', '0']]);
    const r = await rows(db, "INSERT INTO kv VALUES ('a', 100) ON CONFLICT ON CONSTRAINT kv_pkey DO UPDATE SET v = 0 WHERE kv.v > 1000 RETURNING *");
    expect(r).toEqual([]);
    expect(await codeOf(db.query("INSERT INTO kv VALUES ('z', 1), ('z', 2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v"))).toBe('21000');
    expect(await codeOf(db.query("INSERT INTO kv VALUES ('a', 1) ON CONFLICT DO UPDATE SET v = 1"))).toBe('42601');
    expect(await codeOf(db.query("INSERT INTO kv VALUES ('a', 1) ON CONFLICT (v) DO NOTHING"))).toBe('42P10');
  });

  it('handles ON CONFLICT on a unique index', async () => {
    await db.query('CREATE TABLE u (id int PRIMARY KEY, email text UNIQUE, n int)');
    await db.query("INSERT INTO u VALUES (1, 'a@x', 0)");
    await db.query("INSERT INTO u VALUES (2, 'a@x', 5) ON CONFLICT (email) DO UPDATE SET n = u.n + EXCLUDED.n");
    expect(await rows(db, 'SELECT * FROM u')).toEqual([['1', 'a@x', '5']]);
  });
});

describe('serial and identity', () => {
  it('numbers rows with owned sequences', async () => {
    await db.query('CREATE TABLE s (id serial, big bigserial, v text)');
    await db.query("INSERT INTO s (v) VALUES ('a'), ('b')");
    expect(await rows(db, 'SELECT id, big, v FROM s ORDER BY id')).toEqual([['1', '1', 'a'], ['2', '2', 'b']]);
    expect(await rows(db, "SELECT nextval('s_id_seq'), currval('s_id_seq')")).toEqual([['3', '3']]);
    await db.query("SELECT setval('s_id_seq', 100)");
    expect(await rows(db, "INSERT INTO s (v) VALUES ('c') RETURNING id")).toEqual([['101']]);
  });

  it('enforces GENERATED ALWAYS and allows OVERRIDING', async () => {
    await db.query('CREATE TABLE i (id int GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 5), v text)');
    await db.query("INSERT INTO i (v) VALUES ('a'), ('b')");
    expect(await rows(db, 'SELECT id FROM i ORDER BY id')).toEqual([['10'], ['15']]);
    expect(await codeOf(db.query("INSERT INTO i VALUES (1, 'x')"))).toBe('428C9');
    await db.query("INSERT INTO i OVERRIDING SYSTEM VALUE VALUES (1, 'x')");
    expect(await codeOf(db.query('UPDATE i SET id = 3'))).toBe('428C9');
    await db.query("CREATE TABLE d (id int GENERATED BY DEFAULT AS IDENTITY, v text)");
    await db.query("INSERT INTO d VALUES (50, 'mine')");
    await db.query("INSERT INTO d (v) VALUES ('gen')");
    await db.query("INSERT INTO d OVERRIDING USER VALUE VALUES (99, 'ignored')");
    expect(await rows(db, 'SELECT id, v FROM d ORDER BY v')).toEqual([['1', 'gen'], ['2', 'ignored'], ['50', 'mine']]);
  });
});

describe('UPDATE and DELETE', () => {
  beforeEach(async () => {
    await db.exec(`
      CREATE TABLE acct (id int PRIMARY KEY, owner text, balance numeric(10, 2), region text);
      INSERT INTO acct VALUES (1, 'ann', 100, 'w'), (2, 'bob', 50, 'e'), (3, 'cy', NULL, 'w');
    `);
  });

  it('updates with expressions, row assignments and RETURNING', async () => {
    const r = await db.query('UPDATE acct SET balance = coalesce(balance, 0) + 1 WHERE region = $1 RETURNING id, balance', ['w']);
    expect(r.command).toBe('UPDATE 2');
    expect(await rows(db, 'UPDATE acct SET (owner, region) = (upper(owner), DEFAULT) WHERE id = 2 RETURNING *')).toEqual([
      ['2', 'BOB', '50.00', null],
    ]);
    await db.query('UPDATE acct SET (owner, region) = (SELECT owner, region FROM acct WHERE id = 1) WHERE id = 3');
    expect(await rows(db, 'SELECT * FROM acct ORDER BY id')).toEqual([
      ['1', 'ann', '101.00', 'w'], ['2', 'BOB', '50.00', null], ['3', 'ann', '1.00', 'w'],
    ]);
    expect((await db.query('UPDATE acct SET balance = 0 WHERE false')).command).toBe('UPDATE 0');
  });

  it('moves a row when its primary key changes', async () => {
    await db.query('UPDATE acct SET id = id + 10');
    expect(await rows(db, 'SELECT id FROM acct ORDER BY id')).toEqual([['11'], ['12'], ['13']]);
    expect(await codeOf(db.query('UPDATE acct SET id = 11 WHERE id = 12'))).toBe('23505');
  });

  it('updates with a correlated subquery', async () => {
    await db.query('CREATE TABLE r (region text, pct int)');
    await db.query("INSERT INTO r VALUES ('w', 10), ('e', 20)");
    await db.query('UPDATE acct a SET balance = balance * (100 + (SELECT pct FROM r WHERE r.region = a.region)) / 100');
    expect(await rows(db, 'SELECT id, balance FROM acct ORDER BY id')).toEqual([['1', '110.00'], ['2', '60.00'], ['3', null]]);
  });

  it('deletes with RETURNING and subqueries', async () => {
    expect(await rows(db, "DELETE FROM acct WHERE region = 'w' AND balance IS NOT NULL RETURNING owner")).toEqual([['ann']]);
    expect((await db.query('DELETE FROM acct WHERE id IN (SELECT id FROM acct WHERE balance IS NULL)')).command).toBe('DELETE 1');
    expect(await rows(db, 'SELECT id FROM acct')).toEqual([['2']]);
  });

  it('truncates, restarting owned sequences', async () => {
    await db.query('CREATE TABLE s (id serial PRIMARY KEY, v text)');
    await db.query("INSERT INTO s (v) VALUES ('a'), ('b')");
    expect((await db.query('TRUNCATE s RESTART IDENTITY')).command).toBe('TRUNCATE TABLE');
    await db.query("INSERT INTO s (v) VALUES ('c')");
    expect(await rows(db, 'SELECT * FROM s')).toEqual([['1', 'c']]);
  });
});

describe('constraints', () => {
  it('reports NOT NULL violations (23502)', async () => {
    await db.query('CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL)');
    const e = await errorOf(db.query('INSERT INTO t (id) VALUES (1)'));
    expect(e.code).toBe('23502');
    expect(e.message).toBe('null value in column "name" of relation "t" violates not-null constraint');
    expect(e.detail).toBe('Failing row contains (1, null).');
    expect(e.column).toBe('name');
    expect(await codeOf(db.query("INSERT INTO t VALUES (NULL, 'x')"))).toBe('23502');
  });

  it('reports unique violations (23505) with the key', async () => {
    await db.query('CREATE TABLE t (id int PRIMARY KEY, code text UNIQUE)');
    await db.query("INSERT INTO t VALUES (1, 'a')");
    const pk = await errorOf(db.query("INSERT INTO t VALUES (1, 'b')"));
    expect(pk.code).toBe('23505');
    expect(pk.message).toBe('duplicate key value violates unique constraint "t_pkey"');
    expect(pk.detail).toBe('Key (id)=(1) already exists.');
    const uq = await errorOf(db.query("INSERT INTO t VALUES (2, 'a')"));
    expect(uq.message).toBe('duplicate key value violates unique constraint "t_code_key"');
    expect(uq.detail).toBe('Key (code)=(a) already exists.');
    await db.query('INSERT INTO t VALUES (3, NULL), (4, NULL)');
    expect(await codeOf(db.query("UPDATE t SET code = 'a' WHERE id = 3"))).toBe('23505');
    await db.query('CREATE TABLE n (v int UNIQUE NULLS NOT DISTINCT)');
    await db.query('INSERT INTO n VALUES (NULL)');
    expect(await codeOf(db.query('INSERT INTO n VALUES (NULL)'))).toBe('23505');
  });

  it('reports CHECK violations (23514)', async () => {
    await db.query('CREATE TABLE t (a int CHECK (a > 0), b int, CONSTRAINT b_small CHECK (b < 10))');
    const e = await errorOf(db.query('INSERT INTO t VALUES (0, 1)'));
    expect(e.code).toBe('23514');
    expect(e.message).toBe('new row for relation "t" violates check constraint "t_a_check"');
    expect(e.detail).toBe('Failing row contains (0, 1).');
    expect((await errorOf(db.query('INSERT INTO t VALUES (1, 10)'))).constraint).toBe('b_small');
    await db.query('INSERT INTO t VALUES (1, NULL)');
    expect(await codeOf(db.query('UPDATE t SET b = 20'))).toBe('23514');
    expect(await codeOf(db.query('CREATE TABLE bad (a int CHECK (a IN (SELECT 1)))'))).toBe('0A000');
  });

  it('enforces foreign keys (23503) with NO ACTION, CASCADE and SET NULL', async () => {
    await db.exec(`
      CREATE TABLE p (id int PRIMARY KEY, name text);
      CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p, note text);
      CREATE TABLE casc (id int, pid int REFERENCES p ON DELETE CASCADE ON UPDATE CASCADE);
      CREATE TABLE nul (id int, pid int REFERENCES p (id) ON DELETE SET NULL);
      INSERT INTO p VALUES (1, 'one'), (2, 'two'), (3, 'three');
    `);
    const e = await errorOf(db.query('INSERT INTO c VALUES (1, 9)'));
    expect(e.code).toBe('23503');
    expect(e.message).toBe('insert or update on table "c" violates foreign key constraint "c_pid_fkey"');
    expect(e.detail).toBe('Key (pid)=(9) is not present in table "p".');
    await db.query('INSERT INTO c VALUES (1, 1), (2, NULL)');
    const d = await errorOf(db.query('DELETE FROM p WHERE id = 1'));
    expect(d.code).toBe('23503');
    expect(d.message).toBe('update or delete on table "p" violates foreign key constraint "c_pid_fkey" on table "c"');
    expect(d.detail).toBe('Key (id)=(1) is still referenced from table "c".');
    await db.query('INSERT INTO casc VALUES (1, 2), (2, 2), (3, 3)');
    await db.query('INSERT INTO nul VALUES (1, 3), (2, 2)');
    await db.query('DELETE FROM p WHERE id = 2');
    expect(await rows(db, 'SELECT id FROM casc ORDER BY id')).toEqual([['3']]);
    expect(await rows(db, 'SELECT id, pid FROM nul ORDER BY id')).toEqual([['1', '3'], ['2', null]]);
    // nul's key is ON UPDATE NO ACTION: changing the referenced key fails while nul uses it.
    expect(await codeOf(db.query('UPDATE p SET id = 30 WHERE id = 3'))).toBe('23503');
    await db.query('DELETE FROM nul WHERE pid = 3');
    await db.query('UPDATE p SET id = 30 WHERE id = 3');
    expect(await rows(db, 'SELECT id, pid FROM casc')).toEqual([['3', '30']]);
  });

  it('checks foreign keys at the end of the statement (self references)', async () => {
    await db.query('CREATE TABLE emp (id int PRIMARY KEY, boss int REFERENCES emp)');
    await db.query('INSERT INTO emp VALUES (2, 1), (1, NULL), (3, 2)');
    expect(await codeOf(db.query('DELETE FROM emp WHERE id = 1'))).toBe('23503');
    await db.query('DELETE FROM emp');
    expect(await rows(db, 'SELECT id FROM emp')).toEqual([]);
  });

  it('checks deferred foreign keys at COMMIT', async () => {
    await db.query('CREATE TABLE p (id int PRIMARY KEY)');
    await db.query('CREATE TABLE c (pid int REFERENCES p DEFERRABLE INITIALLY DEFERRED)');
    await db.exec('BEGIN; INSERT INTO c VALUES (1); INSERT INTO p VALUES (1); COMMIT');
    await db.query('BEGIN');
    await db.query('INSERT INTO c VALUES (2)');
    expect(await codeOf(db.query('COMMIT'))).toBe('23503');
    expect(await rows(db, 'SELECT pid FROM c')).toEqual([['1']]);
  });
});

// Expected results are PostgreSQL 15's (checked with psql on a throwaway cluster).
describe('UPDATE ... FROM and DELETE ... USING', () => {
  beforeEach(async () => {
    await db.query('CREATE TABLE t (id int PRIMARY KEY, v int, tag text)');
    await db.query("INSERT INTO t VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'c')");
    await db.query('CREATE TABLE s (tag text, d int)');
    await db.query("INSERT INTO s VALUES ('a', 1), ('a', 2), ('b', 5), ('z', 9)");
  });

  it('joins the target with the FROM items; SET and RETURNING see both', async () => {
    const r = await db.query('UPDATE t SET v = v + s.d FROM s WHERE s.tag = t.tag RETURNING t.id, t.v, s.d, s.tag');
    expect(r.command).toBe('UPDATE 2');
    const out = r.rows.map((x) => x.map(String)).sort((a, b) => a[0]!.localeCompare(b[0]!));
    // id 1 matches two FROM rows: it is updated once, from one of them (PostgreSQL: an arbitrary one).
    expect(out.length).toBe(2);
    expect([['1', '11', '1', 'a'], ['1', '12', '2', 'a']]).toContainEqual(out[0]);
    expect(out[1]).toEqual(['2', '25', '5', 'b']);
    const after = await rows(db, 'SELECT id, v FROM t ORDER BY id');
    expect(after[0]![1]).toBe(out[0]![1]);
    expect(after.slice(1)).toEqual([['2', '25'], ['3', '30']]);
  });

  it('never modifies a row twice (a primary key moved once per row)', async () => {
    const r = await db.query('UPDATE t SET id = id + 10 FROM s RETURNING t.id');
    expect(r.command).toBe('UPDATE 3');
    expect(r.rows.map((x) => String(x[0])).sort()).toEqual(['11', '12', '13']);
    expect((await db.query('UPDATE t SET v = s.d FROM s WHERE v = 30')).command).toBe('UPDATE 1');
    expect((await db.query('CREATE TABLE e (x int)')).command).toBe('CREATE TABLE');
    expect((await db.query('UPDATE t SET v = 0 FROM e')).command).toBe('UPDATE 0');
    expect(await rows(db, 'SELECT count(*) FROM t WHERE v = 0')).toEqual([['0']]);
  });

  it('a self join through an alias reads the rows as they were before the statement', async () => {
    const r = await db.query('UPDATE t x SET v = t.v + 1 FROM t WHERE t.id = x.id + 1 RETURNING x.id, x.v, t.id');
    expect(r.rows.map((x) => x.map(String))).toEqual([['1', '21', '2'], ['2', '31', '3']]);
    expect(await rows(db, 'SELECT v FROM t ORDER BY id')).toEqual([['21'], ['31'], ['30']]);
  });

  it('rejects the target named again in FROM / USING (42712)', async () => {
    for (const sql of ['UPDATE t SET v = 0 FROM t', 'UPDATE t SET v = 0 FROM public.t', 'UPDATE public.t SET v = 0 FROM t', 'DELETE FROM t USING s, t']) {
      expect(await errorOf(db.query(sql))).toMatchObject({ code: '42712', message: 'table name "t" specified more than once' });
    }
    expect(await codeOf(db.query('UPDATE t SET v = 5 FROM s WHERE s.nope = 1'))).toBe('42703');
    expect(await rows(db, 'SELECT v FROM t ORDER BY id')).toEqual([['10'], ['20'], ['30']]);
  });

  it('READ COMMITTED: a row changed by a concurrent commit is re-tested with the same FROM row', async () => {
    const s1 = db.session();
    const s2 = db.session();
    try {
      await s1.query('BEGIN');
      await s1.query('UPDATE t SET v = 100 WHERE id = 1');
      await s1.query('UPDATE t SET v = 21 WHERE id = 2');
      await s2.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      let settled = false;
      const blocked = s2.query('UPDATE t SET v = t.v + s.d FROM s WHERE s.tag = t.tag AND t.v < 50 RETURNING t.id, t.v, s.d')
        .finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 30));
      expect(settled).toBe(false); // waits for s1's row lock
      await s1.query('COMMIT');
      const r = await blocked;
      // id 1 no longer passes WHERE; id 2 is recomputed from its new version and the same s row.
      expect(r.command).toBe('UPDATE 1');
      expect(r.rows.map((x) => x.map(String))).toEqual([['2', '26', '5']]);
      await s2.query('COMMIT');
      expect(await rows(db, 'SELECT v FROM t ORDER BY id')).toEqual([['100'], ['26'], ['30']]);
    } finally {
      await s1.close();
      await s2.close();
    }
  });

  it('READ COMMITTED: rows read before a lock wait are re-read when a concurrent commit changed them (no lost update)', async () => {
    const s1 = db.session();
    const s2 = db.session();
    try {
      await s1.query('BEGIN');
      await s1.query('UPDATE t SET v = 100 WHERE id = 1');
      await s1.query('UPDATE t SET v = 21 WHERE id = 2');
      await s1.query('DELETE FROM t WHERE id = 3');
      await s2.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const blocked = s2.query('UPDATE t SET v = v + 5 WHERE v < 50 RETURNING id, v');
      await new Promise((r) => setTimeout(r, 30));
      await s1.query('COMMIT');
      const r = await blocked;
      expect(r.rows.map((x) => x.map(String))).toEqual([['2', '26']]);
      await s2.query('COMMIT');
      expect(await rows(db, 'SELECT id, v FROM t ORDER BY id')).toEqual([['1', '100'], ['2', '26']]);
    } finally {
      await s1.close();
      await s2.close();
    }
  });

  it('DELETE ... USING several items, RETURNING columns of all of them', async () => {
    const r = await db.query("DELETE FROM t USING s, (SELECT 'c' AS tag) q WHERE t.tag IN (s.tag, q.tag) AND s.d > 4 RETURNING t.id, q.tag, s.d");
    expect(r.command).toBe('DELETE 2');
    const out = r.rows.map((x) => x.map(String)).sort((a, b) => a[0]!.localeCompare(b[0]!));
    expect(out[0]).toEqual(['2', 'c', '5']);
    expect([['3', 'c', '5'], ['3', 'c', '9']]).toContainEqual(out[1]);
    expect(await rows(db, 'SELECT * FROM t')).toEqual([['1', '10', 'a']]);
    const all = await db.query('DELETE FROM t USING s WHERE s.tag = t.tag RETURNING *');
    expect(all.rows.map((x) => x.map(String))).toEqual([['1', '10', 'a', 'a', '1']]);
  });
});
