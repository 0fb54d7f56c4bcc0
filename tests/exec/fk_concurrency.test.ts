// Foreign keys under concurrency: a child row's check takes a KEY SHARE lock
// on the parent row it found, and deleting a referenced row or changing its
// key waits for such checks (store/key_locks.ts), as PostgreSQL's FOR KEY
// SHARE against FOR UPDATE. Without it, a child inserted by one transaction
// and its parent deleted by another, both uncommitted, both committed: an
// orphan. Every case below ends with no orphan row, and with the lock table
// empty once every transaction has ended.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import type { Session } from '../../host/engine/session/session.ts';
import { key_share_rows_max } from '../../host/engine/store/key_locks.ts';
import { beginOn, memoryDb, outcome, settle } from '../sql/helpers.ts';

let db: Database;

beforeEach(async () => {
  db = await memoryDb();
  await db.exec(`CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE, name text)`);
  await db.exec(`CREATE TABLE child (id int PRIMARY KEY, pid int REFERENCES parent (id))`);
  await db.exec(`INSERT INTO parent VALUES (1, 'a', 'one'), (2, 'b', 'two'), (3, 'c', 'three')`);
});

afterEach(async () => {
  await db.close();
});

async function orphans(table = 'child', col = 'pid', ref = 'id'): Promise<unknown[][]> {
  return (await db.query(`SELECT c.id FROM ${table} c WHERE c.${col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM parent p WHERE p.${ref} = c.${col}) ORDER BY 1`)).rows;
}

const begin = (iso = ''): Promise<Session> => beginOn(db, iso);

afterEach(() => {
  expect(db.store.keyLocks.size).toBe(0);
});

describe('foreign keys under concurrency (READ COMMITTED)', () => {
  it('a parent delete waits for an uncommitted child insert, then fails once it commits', async () => {
    const t1 = await begin();
    await t1.query(`INSERT INTO child VALUES (10, 1)`);
    const del = outcome(db.session().query(`DELETE FROM parent WHERE id = 1`));
    await settle();
    expect(del.state).toBe('pending');
    await t1.query(`COMMIT`);
    expect(await del.done).toBe('23503');
    expect(await orphans()).toEqual([]);
  });

  it('a parent delete goes ahead when the child insert it waited for rolls back', async () => {
    const t1 = await begin();
    await t1.query(`INSERT INTO child VALUES (10, 1)`);
    const del = outcome(db.session().query(`DELETE FROM parent WHERE id = 1`));
    await settle();
    expect(del.state).toBe('pending');
    await t1.query(`ROLLBACK`);
    expect(await del.done).toBe('ok');
    expect((await db.query(`SELECT count(*) FROM parent WHERE id = 1`)).rows[0]![0]).toBe(0);
  });

  it('a child insert waits for an uncommitted parent delete, then fails once it commits, or goes ahead after a rollback', async () => {
    const t1 = await begin();
    await t1.query(`DELETE FROM parent WHERE id = 2`);
    const ins = outcome(db.session().query(`INSERT INTO child VALUES (20, 2)`));
    await settle();
    expect(ins.state).toBe('pending');
    await t1.query(`COMMIT`);
    expect(await ins.done).toBe('23503');

    const t2 = await begin();
    await t2.query(`DELETE FROM parent WHERE id = 3`);
    const ins2 = outcome(db.session().query(`INSERT INTO child VALUES (30, 3)`));
    await settle();
    expect(ins2.state).toBe('pending');
    await t2.query(`ROLLBACK`);
    expect(await ins2.done).toBe('ok');
    expect(await orphans()).toEqual([]);
  });

  it('child inserts of one parent, and updates of its other columns, do not wait for each other', async () => {
    const t1 = await begin();
    await t1.query(`INSERT INTO child VALUES (10, 1)`);
    const t2 = await begin();
    const ins = outcome(t2.query(`INSERT INTO child VALUES (11, 1)`));
    await settle();
    expect(ins.state).toBe('ok'); // KEY SHARE and KEY SHARE
    const t3 = await begin();
    const upd = outcome(t3.query(`UPDATE parent SET name = 'uno' WHERE id = 1`));
    await settle();
    expect(upd.state).toBe('ok'); // a non-key update takes no key lock
    const t4 = await begin();
    const ins4 = outcome(t4.query(`INSERT INTO child VALUES (12, 1)`));
    await settle();
    expect(ins4.state).toBe('ok'); // and a child insert does not wait for it
    for (const t of [t1, t2, t3, t4]) await t.query(`COMMIT`);
    expect((await db.query(`SELECT count(*) FROM child WHERE pid = 1`)).rows[0]![0]).toBe(3);
  });

  it('an update of a referenced key waits for the child insert, then fails (NO ACTION)', async () => {
    const t1 = await begin();
    await t1.query(`INSERT INTO child VALUES (10, 1)`);
    const upd = outcome(db.session().query(`UPDATE parent SET id = 100 WHERE id = 1`));
    await settle();
    expect(upd.state).toBe('pending');
    await t1.query(`COMMIT`);
    expect(await upd.done).toBe('23503');
    expect(await orphans()).toEqual([]);
  });

  it('ON DELETE CASCADE removes a child committed while the delete waited', async () => {
    await db.exec(`CREATE TABLE item (id int PRIMARY KEY, pid int REFERENCES parent (id) ON DELETE CASCADE)`);
    await db.exec(`INSERT INTO item VALUES (1, 1)`);
    const t1 = await begin();
    await t1.query(`INSERT INTO item VALUES (2, 1)`);
    const del = outcome(db.session().query(`DELETE FROM parent WHERE id = 1`));
    await settle();
    expect(del.state).toBe('pending');
    await t1.query(`COMMIT`);
    expect(await del.done).toBe('ok');
    expect((await db.query(`SELECT id FROM item ORDER BY id`)).rows).toEqual([]);
  });

  it('a reference through a UNIQUE column holds the parent row too', async () => {
    await db.exec(`CREATE TABLE tag (id int PRIMARY KEY, code text REFERENCES parent (code))`);
    const t1 = await begin();
    await t1.query(`INSERT INTO tag VALUES (1, 'c')`);
    const upd = outcome(db.session().query(`UPDATE parent SET code = 'z' WHERE id = 3`));
    await settle();
    expect(upd.state).toBe('pending');
    await t1.query(`COMMIT`);
    expect(await upd.done).toBe('23503');
    expect(await orphans('tag', 'code', 'code')).toEqual([]);
  });

  it('a deferred check waits at COMMIT for a parent delete, then fails', async () => {
    await db.exec(`CREATE TABLE late (id int PRIMARY KEY, pid int REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)`);
    const t1 = await begin();
    await t1.query(`INSERT INTO late VALUES (1, 2)`);
    const t2 = await begin();
    await t2.query(`DELETE FROM parent WHERE id = 2`);
    const commit = outcome(t1.query(`COMMIT`));
    await settle();
    expect(commit.state).toBe('pending');
    await t2.query(`COMMIT`);
    expect(await commit.done).toBe('23503');
    expect(await orphans('late')).toEqual([]);
  });

  it('a COMMIT waiting in a deferred check can be cancelled', async () => {
    await db.exec(`CREATE TABLE late (id int PRIMARY KEY, pid int REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)`);
    const t1 = await begin();
    await t1.query(`INSERT INTO late VALUES (1, 3)`);
    const t2 = await begin();
    await t2.query(`DELETE FROM parent WHERE id = 3`);
    const commit = outcome(t1.query(`COMMIT`));
    await settle();
    expect(commit.state).toBe('pending');
    t1.cancel();
    expect(await commit.done).toBe('57014');
    expect(t1.transactionStatus).toBe('I'); // rolled back
    await t2.query(`COMMIT`);
    expect(await orphans('late')).toEqual([]);
  });

  it('a lock cycle through a KEY SHARE lock is a deadlock (40P01), not a hang', async () => {
    const t1 = await begin();
    await t1.query(`INSERT INTO child VALUES (10, 1)`); // KEY SHARE on parent 1
    const t2 = await begin();
    const del = outcome(t2.query(`DELETE FROM parent WHERE id = 1`)); // waits for t1
    await settle();
    const upd = outcome(t1.query(`UPDATE parent SET name = 'x' WHERE id = 1`)); // waits for t2's row lock
    await Promise.race([del.done, upd.done]);
    expect([del.state, upd.state]).toContain('40P01');
    await t1.query(`ROLLBACK`);
    await t2.query(`ROLLBACK`);
    await Promise.all([del.done, upd.done]);
    expect(await orphans()).toEqual([]);
  });
});

describe('KEY SHARE locks stay bounded', () => {
  it(`past ${key_share_rows_max} parent rows a transaction shares the whole parent table, and deletes still wait for it`, async () => {
    const n = key_share_rows_max + 50;
    await db.exec(`INSERT INTO parent SELECT g, 'k' || g, 'p' FROM generate_series(100, ${99 + n}) g`);
    const t1 = await begin();
    await t1.query(`INSERT INTO child SELECT g, g FROM generate_series(100, ${99 + n}) g`);
    // The row locks up to the limit and one for the whole parent table (besides two table locks: ROW SHARE on parent, ROW EXCLUSIVE on child).
    expect(db.store.keyLocks.size - db.store.keyLocks.tables.size).toBeLessThanOrEqual(key_share_rows_max + 1);
    expect(db.store.keyLocks.tables.size).toBe(2);
    // A parent past the row limit: held through the whole-table lock.
    const del = outcome(db.session().query(`DELETE FROM parent WHERE id = ${99 + n}`));
    await settle();
    expect(del.state).toBe('pending');
    await t1.query(`COMMIT`);
    expect(await del.done).toBe('23503');
    expect(await orphans()).toEqual([]);
  });
});

describe('foreign keys under concurrency (REPEATABLE READ)', () => {
  // PostgreSQL 15 gives these codes (checked against it): NO ACTION / RESTRICT look at the newest rows,
  // an action cannot change a row its snapshot does not see.
  it('deleting a parent whose child committed after the snapshot: 23503 (NO ACTION), 40001 (CASCADE)', async () => {
    const t1 = await begin('REPEATABLE READ');
    await t1.query(`SELECT count(*) FROM child`); // the snapshot
    await db.exec(`INSERT INTO child VALUES (10, 1)`);
    expect((await t1.query(`DELETE FROM parent WHERE id = 1`).catch((e: { code: string }) => e.code))).toBe('23503');
    await t1.query(`ROLLBACK`);
    await db.exec(`CREATE TABLE item (id int PRIMARY KEY, pid int REFERENCES parent (id) ON DELETE CASCADE)`);
    const t2 = await begin('REPEATABLE READ');
    await t2.query(`SELECT count(*) FROM item`);
    await db.exec(`INSERT INTO item VALUES (1, 2)`);
    expect((await t2.query(`DELETE FROM parent WHERE id = 2`).catch((e: { code: string }) => e.code))).toBe('40001');
    await t2.query(`ROLLBACK`);
    expect(await orphans()).toEqual([]);
    expect(await orphans('item')).toEqual([]);
  });

  it('a child insert whose parent was deleted after the snapshot is a serialization failure', async () => {
    const t1 = await begin('REPEATABLE READ');
    await t1.query(`SELECT count(*) FROM parent`);
    await db.exec(`DELETE FROM parent WHERE id = 2`);
    expect((await t1.query(`INSERT INTO child VALUES (20, 2)`).catch((e: { code: string }) => e.code))).toBe('40001');
    await t1.query(`ROLLBACK`);
    expect(await orphans()).toEqual([]);
  });

  it('a child insert waits for an uncommitted parent delete; once it commits, a serialization failure', async () => {
    const t2 = await begin();
    await t2.query(`DELETE FROM parent WHERE id = 3`);
    const t1 = await begin('REPEATABLE READ');
    const ins = outcome(t1.query(`INSERT INTO child VALUES (30, 3)`));
    await settle();
    expect(ins.state).toBe('pending');
    await t2.query(`COMMIT`);
    expect(await ins.done).toBe('40001');
    await t1.query(`ROLLBACK`);
    expect(await orphans()).toEqual([]);
  });
});
