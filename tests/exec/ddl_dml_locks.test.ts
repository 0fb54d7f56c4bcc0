// DDL meeting DML: ALTER TABLE, CREATE INDEX, TRUNCATE and DROP wait for the
// transactions modifying the table, and those wait for them (table locks,
// store/table_locks.ts; tests/exec/table_locks.test.ts has the rest). Before, an ALTER COLUMN TYPE
// rewrite or a CREATE INDEX missed another transaction's uncommitted rows:
// after both committed, the rows were unreadable (XX001) or missing from the
// index. tests/wire/pg/row_locks_vs_pg.test.ts checks these against
// PostgreSQL 15.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { memoryDb, outcome, settle } from '../sql/helpers.ts';

let db: Database;

beforeEach(async () => {
  db = await memoryDb();
  await db.exec(`CREATE TABLE t (id int PRIMARY KEY, v text, n int)`);
  await db.exec(`INSERT INTO t VALUES (1, 'a', 0), (2, 'b', 0)`);
});

afterEach(async () => {
  expect(db.store.keyLocks.size).toBe(0);
  await db.close();
});

describe('DDL against uncommitted DML', () => {
  const DDL: Array<[string, string, string, unknown[][]]> = [
    ['ALTER COLUMN TYPE', `ALTER TABLE t ALTER COLUMN n TYPE bigint`, `SELECT id, n FROM t ORDER BY id`, [[1, 0], [2, 0], [3, 7]]],
    ['ADD COLUMN with a default', `ALTER TABLE t ADD COLUMN z int DEFAULT 5`, `SELECT id, z FROM t ORDER BY id`, [[1, 5], [2, 5], [3, 5]]],
    ['CREATE INDEX', `CREATE INDEX t_n ON t (n)`, `SELECT id FROM t WHERE n = 7`, [[3]]],
    ['ADD PRIMARY KEY rewrite (drop and add)', `ALTER TABLE t DROP CONSTRAINT t_pkey, ADD PRIMARY KEY (id, n)`, `SELECT id FROM t ORDER BY id`, [[1], [2], [3]]],
  ];
  for (const [name, ddl, check, want] of DDL) {
    it(`${name} waits for an uncommitted INSERT and then includes its row`, async () => {
      const a = db.session();
      await a.query(`BEGIN`);
      await a.query(`INSERT INTO t VALUES (3, 'c', 7)`);
      const d = outcome(db.session().query(ddl));
      await settle();
      expect(d.state).toBe('pending');
      await a.query(`COMMIT`);
      expect(await d.done).toBe('ok');
      expect((await db.query(check)).rows).toEqual(want);
    });
  }

  it('an INSERT waits for an uncommitted ALTER and runs again, planned anew, once the ALTER commits: on its own and in a block', async () => {
    for (const end of ['COMMIT', 'ROLLBACK']) {
      const a = db.session();
      await a.query(`BEGIN`);
      await a.query(`ALTER TABLE t ALTER COLUMN n TYPE bigint`);
      const ins = outcome(db.session().query(`INSERT INTO t VALUES (${end === 'COMMIT' ? 4 : 5}, 'd', 1)`));
      await settle();
      expect(ins.state).toBe('pending');
      await a.query(end);
      expect(await ins.done).toBe('ok');
    }
    const a = db.session();
    await a.query(`BEGIN`);
    await a.query(`ALTER TABLE t ALTER COLUMN v TYPE varchar(10)`);
    const b = db.session();
    await b.query(`BEGIN`);
    const ins = outcome(b.query(`INSERT INTO t VALUES (6, 'e', 1)`));
    await settle();
    expect(ins.state).toBe('pending');
    await a.query(`COMMIT`);
    expect(await ins.done).toBe('ok');
    expect((await b.query(`SELECT v FROM t WHERE id = 6`)).rows).toEqual([['e']]);
    await b.query(`ROLLBACK`);
    expect((await db.query(`SELECT id, n FROM t ORDER BY id`)).rows).toEqual([[1, 0], [2, 0], [4, 1], [5, 1]]);
  });

  it('a cancel ends a DDL wait (57014)', async () => {
    const a = db.session();
    await a.query(`BEGIN`);
    await a.query(`UPDATE t SET n = 1 WHERE id = 1`);
    const s = db.session();
    const d = outcome(s.query(`CREATE INDEX t_v ON t (v)`));
    await settle();
    s.cancel();
    expect(await d.done).toBe('57014');
    await a.query(`COMMIT`);
    // The table is usable and the index was not made.
    await db.exec(`CREATE INDEX t_v ON t (v)`);
  });

  it('the same transaction may modify and alter its own table', async () => {
    const a = db.session();
    await a.query(`BEGIN`);
    await a.query(`INSERT INTO t VALUES (3, 'c', 7)`);
    await a.query(`ALTER TABLE t ALTER COLUMN n TYPE bigint`);
    await a.query(`UPDATE t SET n = n + 1 WHERE id = 3`);
    await a.query(`COMMIT`);
    expect((await db.query(`SELECT n FROM t WHERE id = 3`)).rows).toEqual([[8]]);
  });
});
