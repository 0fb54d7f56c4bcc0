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
});
