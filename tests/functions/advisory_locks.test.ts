// pg_advisory_lock and friends through embedded sessions (the wire test
// tests/wire/pg/row_locks_vs_pg.test.ts checks the same against PostgreSQL 15).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { advisoryLocksOf } from '../../host/engine/session/advisory_locks.ts';
import { memoryDb, outcome, settle } from '../sql/helpers.ts';

let db: Database;

beforeEach(async () => {
  db = await memoryDb();
});

afterEach(async () => {
  await db.close();
});

const one = async (s: ReturnType<Database['session']>, sql: string): Promise<unknown> => (await s.query(sql)).rows[0]![0];
const held = (): number => advisoryLocksOf((db.session() as unknown as { core: object }).core).size;

describe('advisory locks', () => {
  it('a waiting pg_advisory_lock is granted when the holder unlocks, in the order the waiters came', async () => {
    const a = db.session();
    const [b, c] = [db.session(), db.session()];
    await a.query(`SELECT pg_advisory_lock(10)`);
    const order: string[] = [];
    const pb = b.query(`SELECT pg_advisory_lock(10)`).then(() => order.push('b'));
    await settle();
    const pc = c.query(`SELECT pg_advisory_lock(10)`).then(() => order.push('c'));
    await settle();
    expect(order).toEqual([]);
    expect(await one(a, `SELECT pg_advisory_unlock(10)`)).toBe(true);
    await pb;
    await settle();
    expect(order).toEqual(['b']); // c waits for b
    await b.query(`SELECT pg_advisory_unlock(10)`);
    await pc;
    expect(order).toEqual(['b', 'c']);
    expect(await one(c, `SELECT pg_advisory_unlock(10)`)).toBe(true);
    expect(await one(c, `SELECT pg_advisory_unlock(10)`)).toBe(false); // not held any more
  });

  it('a cancel ends the wait with 57014 and takes the request back', async () => {
    const a = db.session();
    const b = db.session();
    await a.query(`SELECT pg_advisory_lock(11)`);
    const w = outcome(b.query(`SELECT pg_advisory_lock(11)`));
    await settle();
    expect(w.state).toBe('pending');
    b.cancel();
    expect(await w.done).toBe('57014');
    await a.query(`SELECT pg_advisory_unlock(11)`);
    // Nobody was granted the lock behind a's back: it is free.
    expect(await one(db.session(), `SELECT pg_try_advisory_lock(11)`)).toBe(true);
  });

  it('session locks go when the session closes, transaction locks when the transaction ends', async () => {
    const a = db.session();
    const b = db.session();
    await a.query(`SELECT pg_advisory_lock(12), pg_advisory_lock_shared(13)`);
    await b.query(`BEGIN`);
    await b.query(`SELECT pg_advisory_xact_lock(14)`);
    expect(await one(db.session(), `SELECT pg_try_advisory_lock(14)`)).toBe(false);
    await b.query(`COMMIT`);
    const c = db.session();
    expect(await one(c, `SELECT pg_try_advisory_lock(14)`)).toBe(true);
    expect(await one(c, `SELECT pg_try_advisory_lock(12)`)).toBe(false);
    expect(await one(c, `SELECT pg_try_advisory_lock_shared(13)`)).toBe(true);
    await a.close();
    expect(await one(c, `SELECT pg_try_advisory_lock(12)`)).toBe(true);
    await c.close();
    expect(held()).toBe(0);
  });

  it('a wait that closes a cycle is a deadlock (40P01); the other waiter gets its lock', async () => {
    const [a, b, c] = [db.session(), db.session(), db.session()];
    await a.query(`SELECT pg_advisory_lock(20)`);
    await b.query(`SELECT pg_advisory_lock(21)`);
    await c.query(`SELECT pg_advisory_lock_shared(22)`);
    const aw = outcome(a.query(`SELECT pg_advisory_lock(21)`)); // a waits for b
    await settle();
    const bw = outcome(b.query(`SELECT pg_advisory_lock(22)`)); // b waits for c
    await settle();
    expect([aw.state, bw.state]).toEqual(['pending', 'pending']);
    // c asking for a's lock closes c -> a -> b -> c.
    await expect(c.query(`SELECT pg_advisory_lock(20)`)).rejects.toMatchObject({ code: '40P01' });
    await c.query(`SELECT pg_advisory_unlock_shared(22)`);
    expect(await bw.done).toBe('ok');
    await b.query(`SELECT pg_advisory_unlock_all()`);
    expect(await aw.done).toBe('ok');
  });

  it('an autocommit pg_advisory_xact_lock is gone after its statement', async () => {
    const a = db.session();
    await a.query(`SELECT pg_advisory_xact_lock(15)`);
    expect(await one(db.session(), `SELECT pg_try_advisory_lock(15)`)).toBe(true);
  });

  describe('deadlocks across advisory and row locks', () => {
    beforeEach(async () => {
      await db.exec(`CREATE TABLE t (id int PRIMARY KEY, n int)`);
      await db.exec(`INSERT INTO t VALUES (1, 0), (2, 0)`);
    });
    // (The timeouts turn a missed cycle into a failure instead of a hang.)
    const session = async (): Promise<ReturnType<Database['session']>> => {
      const s = db.session();
      await s.query(`SET lock_timeout = 3000`);
      await s.query(`SET statement_timeout = 3000`);
      return s;
    };

    it('a row lock wait that closes a cycle through an advisory lock wait is 40P01 at once', async () => {
      const a = await session();
      const b = await session();
      await a.query(`SELECT pg_advisory_lock(1)`);
      await a.query(`BEGIN`);
      await a.query(`UPDATE t SET n = 1 WHERE id = 1`);
      await b.query(`BEGIN`);
      await b.query(`UPDATE t SET n = 2 WHERE id = 2`);
      const adv = outcome(b.query(`SELECT pg_advisory_lock(1)`)); // b waits for a's advisory lock
      await settle();
      expect(adv.state).toBe('pending');
      expect(await outcome(a.query(`UPDATE t SET n = 1 WHERE id = 2`)).done).toBe('40P01'); // a would wait for b's row
      await a.query(`ROLLBACK`);
      await a.query(`SELECT pg_advisory_unlock(1)`);
      expect(await adv.done).toBe('ok');
      await b.query(`COMMIT`);
      await b.query(`SELECT pg_advisory_unlock_all()`);
    });

    it('an advisory lock wait that closes a cycle through a row lock wait is 40P01 at once', async () => {
      const a = await session();
      const b = await session();
      await a.query(`SELECT pg_advisory_lock(3)`);
      await b.query(`BEGIN`);
      await b.query(`UPDATE t SET n = 2 WHERE id = 2`);
      await a.query(`BEGIN`);
      const upd = outcome(a.query(`UPDATE t SET n = 1 WHERE id = 2`)); // a waits for b's row
      await settle();
      expect(upd.state).toBe('pending');
      expect(await outcome(b.query(`SELECT pg_advisory_lock(3)`)).done).toBe('40P01'); // b would wait for a's advisory lock
      await b.query(`ROLLBACK`);
      expect(await upd.done).toBe('ok');
      await a.query(`COMMIT`);
      await a.query(`SELECT pg_advisory_unlock(3)`);
    });
  });
});
