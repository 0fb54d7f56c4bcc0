// SELECT ... FOR SHARE / FOR KEY SHARE are shared row locks (store/key_locks.ts):
// many transactions hold one at once; FOR SHARE blocks every UPDATE and
// DELETE of the row and FOR UPDATE / NO KEY UPDATE; FOR KEY SHARE blocks a
// DELETE, a key change and FOR UPDATE, not an UPDATE of other columns or
// FOR NO KEY UPDATE, in either order (PostgreSQL's conflict table;
// tests/wire/pg/row_locks_vs_pg.test.ts checks it against PostgreSQL 15).
// Before, both locked like FOR UPDATE, so two FOR SHARE readers waited for
// each other.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import type { Session } from '../../host/engine/session/session.ts';
import { key_share_rows_max } from '../../host/engine/store/key_locks.ts';
import { beginOn, memoryDb, outcome, settle } from '../sql/helpers.ts';

let db: Database;

beforeEach(async () => {
  db = await memoryDb();
  await db.exec(`CREATE TABLE t (id int PRIMARY KEY, v text, n int)`);
  await db.exec(`INSERT INTO t VALUES (1, 'a', 0), (2, 'b', 0), (3, 'c', 0)`);
});

afterEach(async () => {
  expect(db.store.keyLocks.size).toBe(0);
  await db.close();
});

const begin = (iso = ''): Promise<Session> => beginOn(db, iso);

/** `sql` runs in a new transaction while `holder` is open; then `holder` commits: ['waits' | 'ok', its final outcome]. */
async function conflictAfter(holder: Session, sql: string): Promise<[string, string]> {
  const b = await begin();
  const o = outcome(b.query(sql));
  await settle();
  const first = o.state === 'pending' ? 'waits' : o.state;
  await holder.query(`COMMIT`);
  await o.done;
  await b.query(`COMMIT`);
  return [first, o.state];
}

/** `second` runs while `first` holds its lock: 'ok' at once, or 'waits' (then it finishes once `first` commits). */
async function conflict(first: string, second: string): Promise<'ok' | 'waits'> {
  const a = await begin();
  await a.query(first);
  const b = await begin();
  const o = outcome(b.query(second));
  await settle();
  const state = o.state === 'ok' ? 'ok' : o.state === 'pending' ? 'waits' : o.state;
  await a.query(`COMMIT`);
  await o.done;
  expect(o.state).toBe('ok');
  await b.query(`COMMIT`);
  return state as 'ok' | 'waits';
}

describe('row lock modes', () => {
  const LOCK = {
    share: `SELECT * FROM t WHERE id = 1 FOR SHARE`,
    keyshare: `SELECT * FROM t WHERE id = 1 FOR KEY SHARE`,
    update: `SELECT * FROM t WHERE id = 1 FOR UPDATE`,
    nokey: `SELECT * FROM t WHERE id = 1 FOR NO KEY UPDATE`,
  };
  const cases: Array<[string, string, string, 'ok' | 'waits']> = [
    ['FOR SHARE', 'FOR SHARE', LOCK.share, 'ok'],
    ['FOR SHARE', 'FOR KEY SHARE', LOCK.keyshare, 'ok'],
    ['FOR KEY SHARE', 'FOR SHARE', LOCK.share, 'ok'],
    ['FOR KEY SHARE', 'FOR KEY SHARE', LOCK.keyshare, 'ok'],
    ['FOR SHARE', 'FOR UPDATE', LOCK.update, 'waits'],
    ['FOR SHARE', 'FOR NO KEY UPDATE', LOCK.nokey, 'waits'],
    ['FOR SHARE', 'UPDATE of another column', `UPDATE t SET n = n + 1 WHERE id = 1`, 'waits'],
    ['FOR SHARE', 'DELETE', `DELETE FROM t WHERE id = 1`, 'waits'],
    ['FOR KEY SHARE', 'FOR UPDATE', LOCK.update, 'waits'],
    ['FOR KEY SHARE', 'FOR NO KEY UPDATE', LOCK.nokey, 'ok'],
    ['FOR KEY SHARE', 'UPDATE of another column', `UPDATE t SET n = n + 1 WHERE id = 1`, 'ok'],
    ['FOR KEY SHARE', 'UPDATE of the key', `UPDATE t SET id = 10 WHERE id = 1`, 'waits'],
    ['FOR KEY SHARE', 'DELETE', `DELETE FROM t WHERE id = 1`, 'waits'],
    ['UPDATE', 'FOR SHARE', LOCK.share, 'waits'],
    ['UPDATE', 'FOR KEY SHARE', LOCK.keyshare, 'ok'],
    ['UPDATE of the key', 'FOR KEY SHARE', LOCK.keyshare, 'waits'],
    ['DELETE', 'FOR KEY SHARE', LOCK.keyshare, 'waits'],
    ['FOR UPDATE', 'FOR KEY SHARE', LOCK.keyshare, 'waits'],
  ];
  for (const [held, asked, sql, want] of cases) {
    it(`${asked} ${want === 'ok' ? 'goes ahead' : 'waits'} while another transaction holds ${held}`, async () => {
      const first = held === 'UPDATE' ? `UPDATE t SET n = n + 1 WHERE id = 1` : held === 'UPDATE of the key' ? `UPDATE t SET id = 10 WHERE id = 1`
        : held === 'DELETE' ? `DELETE FROM t WHERE id = 1` : held === 'FOR SHARE' ? LOCK.share : held === 'FOR KEY SHARE' ? LOCK.keyshare : LOCK.update;
      expect(await conflict(first, sql)).toBe(want);
    });
  }

  it('a DELETE of more rows than the lock table keeps one by one still holds off FOR KEY SHARE on the last', async () => {
    await db.exec(`INSERT INTO t SELECT g, 'x', 0 FROM generate_series(10, ${10 + key_share_rows_max + 20}) g`);
    const a = await begin();
    await a.query(`DELETE FROM t WHERE id >= 10`);
    expect(db.store.keyLocks.size).toBeLessThanOrEqual(key_share_rows_max + 1);
    expect(await conflictAfter(a, `SELECT id FROM t WHERE id = ${10 + key_share_rows_max + 20} FOR KEY SHARE`)).toEqual(['waits', 'ok']);
  });

  it('other rows are not locked', async () => {
    expect(await conflict(LOCK.share, `UPDATE t SET n = 5 WHERE id = 2`)).toBe('ok');
  });

  it('an update waits for every FOR SHARE holder, then sees the rows unchanged', async () => {
    const a = await begin();
    const b = await begin();
    await a.query(`SELECT * FROM t WHERE id <= 2 FOR SHARE`);
    await b.query(`SELECT * FROM t WHERE id = 2 FOR SHARE`);
    const upd = outcome(db.session().query(`UPDATE t SET n = n + 1 WHERE id = 2`));
    await settle();
    expect(upd.state).toBe('pending');
    await a.query(`COMMIT`);
    await settle();
    expect(upd.state).toBe('pending'); // b still shares row 2
    await b.query(`ROLLBACK`);
    expect(await upd.done).toBe('ok');
    expect((await db.query(`SELECT n FROM t WHERE id = 2`)).rows).toEqual([[1]]);
  });

  it('FOR SHARE NOWAIT fails with 55P03 on a row being updated; SKIP LOCKED leaves it out', async () => {
    const a = await begin();
    await a.query(`UPDATE t SET n = 1 WHERE id = 1`);
    const b = await begin();
    await expect(b.query(`SELECT id FROM t WHERE id = 1 FOR SHARE NOWAIT`)).rejects.toMatchObject({ code: '55P03' });
    await b.query(`ROLLBACK`);
    const c = await begin();
    expect((await c.query(`SELECT id FROM t ORDER BY id FOR SHARE SKIP LOCKED`)).rows).toEqual([[2], [3]]);
    // And FOR UPDATE SKIP LOCKED skips a row c shares.
    const d = await begin();
    expect((await d.query(`SELECT id FROM t ORDER BY id FOR UPDATE SKIP LOCKED`)).rows).toEqual([]);
    await d.query(`COMMIT`);
    await c.query(`COMMIT`);
    await a.query(`COMMIT`);
  });

  it('FOR SHARE waits for an uncommitted update and then returns the new row (READ COMMITTED)', async () => {
    const a = await begin();
    await a.query(`UPDATE t SET v = 'new' WHERE id = 3`);
    const b = await begin();
    const sel = b.query(`SELECT v FROM t WHERE id = 3 FOR SHARE`);
    await settle();
    await a.query(`COMMIT`);
    expect((await sel).rows).toEqual([['new']]);
    await b.query(`COMMIT`);
  });

  it('FOR SHARE of a row changed since a REPEATABLE READ snapshot is a serialization failure', async () => {
    const b = await begin('REPEATABLE READ');
    await b.query(`SELECT count(*) FROM t`);
    await db.exec(`UPDATE t SET n = 9 WHERE id = 1`);
    await expect(b.query(`SELECT * FROM t WHERE id = 1 FOR SHARE`)).rejects.toMatchObject({ code: '40001' });
    await b.query(`ROLLBACK`);
  });

  it('a FOR SHARE lock taken in a transaction that writes nothing else leaves nothing to commit', async () => {
    const a = await begin();
    await a.query(`SELECT * FROM t FOR SHARE`);
    await a.query(`COMMIT`);
    expect((await db.query(`SELECT id, v, n FROM t ORDER BY id`)).rows).toEqual([[1, 'a', 0], [2, 'b', 0], [3, 'c', 0]]);
  });
});
