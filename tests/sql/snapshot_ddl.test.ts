// A REPEATABLE READ transaction whose snapshot predates a committed DDL that
// moved or re-encoded a table's rows (ADD PRIMARY KEY, ALTER COLUMN TYPE) or
// added the index a scan would use gets 40001 when it reads the table
// (exec/snapshot_storage.ts): never wrong rows (an empty table, undecodable
// old versions) or an internal error. READ COMMITTED statements take a new
// snapshot and see the new table.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database, Session } from '../../host/engine/db.ts';
import { errorOf, memoryDb } from './helpers.ts';

describe('REPEATABLE READ snapshot and a concurrent table rewrite', () => {
  let db: Database;
  let s1: Session;
  let s2: Session;

  beforeEach(async () => {
    db = await memoryDb();
    await db.query('CREATE TABLE other (x int)');
    await db.query('CREATE TABLE t (a int, b int)');
    await db.query('INSERT INTO t SELECT g, g FROM generate_series(1, 50) g');
    s1 = db.session();
    s2 = db.session();
  });

  afterEach(async () => {
    await s1.close();
    await s2.close();
    await db.close();
  });

  const text = (r: { rows: unknown[][] }) => r.rows.map((x) => x.map(String));

  for (const ddl of ['ALTER TABLE t ADD PRIMARY KEY (a)', 'ALTER TABLE t ALTER COLUMN b TYPE bigint']) {
    // (After reading t itself the transaction holds ACCESS SHARE on it, so the DDL waits for it: below.)
    for (const first of ['SELECT count(*) FROM other']) {
      it(`${ddl} after "${first}": 40001 for reads and writes, then the new table`, async () => {
        await s1.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        await s1.query(first);
        await s2.query(ddl);
        for (const sql of ['SELECT * FROM t WHERE a = 3', 'SELECT sum(b) FROM t', 'UPDATE t SET b = 0 WHERE a = 1']) {
          await s1.query('SAVEPOINT sp');
          const e = await errorOf(s1.query(sql));
          expect({ sql, code: e.code }).toEqual({ sql, code: '40001' });
          await s1.query('ROLLBACK TO sp');
        }
        await s1.query('ROLLBACK');
        await s1.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        expect(text(await s1.query('SELECT a, b FROM t WHERE a = 3'))).toEqual([['3', '3']]);
        await s1.query('COMMIT');
      });
    }
  }

  it('SERIALIZABLE: the check does not make a concurrent ANALYZE or GRANT a read-write conflict at commit', async () => {
    await db.query('CREATE ROLE sd_reader');
    await s1.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    expect(text(await s1.query('SELECT count(*) FROM t'))).toEqual([['50']]);
    await s2.query('ANALYZE t');
    await s2.query('GRANT SELECT ON t TO sd_reader');
    await s1.query('INSERT INTO other VALUES (1)');
    expect((await s1.query('COMMIT')).command).toBe('COMMIT');
  });

  it('a DDL waits for a transaction that has read the table (ACCESS SHARE), as in PostgreSQL', async () => {
    await s1.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await s1.query('SELECT count(*) FROM t');
    let done = false;
    const ddl = s2.query('ALTER TABLE t ADD PRIMARY KEY (a)').then(() => (done = true));
    for (let i = 0; i < 8; i++) await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    expect(text(await s1.query('SELECT count(*), sum(b) FROM t'))).toEqual([['50', '1275']]);
    await s1.query('COMMIT');
    await ddl;
    expect(text(await s1.query('SELECT a, b FROM t WHERE a = 3'))).toEqual([['3', '3']]);
  });

  it('READ COMMITTED reads the rewritten table', async () => {
    await s1.query('BEGIN');
    await s1.query('SELECT count(*) FROM other');
    await s2.query('ALTER TABLE t ADD PRIMARY KEY (a)');
    expect(text(await s1.query('SELECT count(*), sum(b) FROM t'))).toEqual([['50', '1275']]);
    await s1.query('COMMIT');
  });

  it('an index created after the snapshot is not scanned (40001); DDL that keeps the rows changes nothing', async () => {
    await s1.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await s1.query('SELECT count(*) FROM other');
    await s2.query('CREATE INDEX t_b ON t (b)');
    await s2.query('ALTER TABLE t ADD COLUMN c int DEFAULT 7');
    await s2.query('ANALYZE t');
    expect(text(await s1.query('SELECT count(*) FROM t'))).toEqual([['50']]);
    const plan = (await s1.query('EXPLAIN SELECT a FROM t WHERE b = 5')).rows.map((r) => String(r[0])).join('\n');
    expect(plan).toContain('Index Scan using t_b');
    expect((await errorOf(s1.query('SELECT a FROM t WHERE b = 5'))).code).toBe('40001');
    await s1.query('ROLLBACK');
    await s1.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    expect(text(await s1.query('SELECT a, c FROM t WHERE b = 5'))).toEqual([['5', '7']]);
    await s1.query('COMMIT');
  });
});
