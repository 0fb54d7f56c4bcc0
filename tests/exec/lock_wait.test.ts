// Row-lock waits through SQL (READ COMMITTED, as pgbench's TPC-B runs):
// waiters resume when the holder commits or rolls back, in the order they
// started waiting, each on top of what the one before it committed, and
// concurrent read-modify-write updates lose nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import type { Session } from '../../host/engine/session/session.ts';
import { memoryDb, settle } from '../sql/helpers.ts';

let db: Database;

beforeEach(async () => {
  db = await memoryDb();
  await db.exec(`CREATE TABLE t (id int PRIMARY KEY, v text, n int)`);
  await db.exec(`INSERT INTO t VALUES (1, 'x', 0), (2, 'y', 0)`);
});

afterEach(async () => {
  await db.close();
});

async function value(id: number): Promise<unknown[]> {
  return (await db.query(`SELECT v, n FROM t WHERE id = ${id}`)).rows[0]!;
}

describe('row lock waits', () => {
  it('waiters resume in the order they began waiting when the holder commits', async () => {
    const holder = db.session();
    await holder.query(`BEGIN`);
    await holder.query(`UPDATE t SET v = v || 'A', n = n + 1 WHERE id = 1`);
    const waits0 = db.store.stats.lockWaits;
    const done: string[] = [];
    const waiters: Array<Promise<unknown>> = [];
    for (const name of ['B', 'C', 'D', 'E']) {
      const s = db.session();
      waiters.push(s.query(`UPDATE t SET v = v || $1, n = n + 1 WHERE id = 1`, [name]).then(() => done.push(name)));
      await settle(); // this one is waiting before the next one starts
    }
    expect(done).toEqual([]);
    expect(db.store.stats.lockWaits - waits0).toBe(4);
    await holder.query(`COMMIT`);
    await Promise.all(waiters);
    expect(done).toEqual(['B', 'C', 'D', 'E']);
    expect(await value(1)).toEqual(['xABCDE', 5]);
  });

  it('waiters go on top of the original row when the holder rolls back', async () => {
    const holder = db.session();
    await holder.query(`BEGIN`);
    await holder.query(`UPDATE t SET v = v || 'A', n = n + 100 WHERE id = 1`);
    const s1 = db.session();
    const s2 = db.session();
    const p1 = s1.query(`UPDATE t SET v = v || 'B', n = n + 1 WHERE id = 1`);
    await settle();
    const p2 = s2.query(`UPDATE t SET v = v || 'C', n = n + 1 WHERE id = 1`);
    await settle();
    await holder.query(`ROLLBACK`);
    await Promise.all([p1, p2]);
    expect(await value(1)).toEqual(['xBC', 2]);
  });

  it('a waiter re-evaluates its WHERE on the committed row (READ COMMITTED) and skips a row that no longer qualifies', async () => {
    const holder = db.session();
    await holder.query(`BEGIN`);
    await holder.query(`UPDATE t SET n = 10 WHERE id = 1`);
    const s = db.session();
    const p = s.query(`UPDATE t SET v = 'changed' WHERE id = 1 AND n = 0`);
    await settle();
    await holder.query(`COMMIT`);
    expect((await p).rowCount).toBe(0);
    expect(await value(1)).toEqual(['x', 10]);
  });

  for (const stmt of ['UPDATE t SET n = n + 1 WHERE id = 1', 'DELETE FROM t WHERE id = 1']) {
    it(`REPEATABLE READ: ${stmt.split(' ')[0]} after a wait goes ahead when the holder rolls back, 40001 when it commits`, async () => {
      for (const end of ['ROLLBACK', 'COMMIT']) {
        await db.exec(`DELETE FROM t WHERE id = 1`);
        await db.exec(`INSERT INTO t VALUES (1, 'x', 0)`);
        const holder = db.session();
        await holder.query(`BEGIN`);
        await holder.query(`UPDATE t SET n = 100 WHERE id = 1`);
        const s = db.session();
        await s.query(`BEGIN ISOLATION LEVEL REPEATABLE READ`);
        const p = s.query(stmt).then((r) => `ok ${r.rowCount}`, (e: { code: string }) => e.code);
        await settle();
        await holder.query(end);
        expect(await p).toBe(end === 'ROLLBACK' ? 'ok 1' : '40001');
        await s.query(end === 'ROLLBACK' ? 'COMMIT' : 'ROLLBACK');
      }
    });
  }

  it('concurrent TPC-B-like transactions on a few hot rows lose no update', async () => {
    await db.exec(`CREATE TABLE h (sid int, k int, at timestamptz)`);
    const SESSIONS = 8;
    const ROUNDS = 15;
    const waits0 = db.store.stats.lockWaits;
    const run = async (s: Session, sid: number): Promise<void> => {
      for (let r = 0; r < ROUNDS; r++) {
        const first = (sid + r) % 2 === 0 ? 1 : 2; // both orders: no deadlock, since each row is taken once per transaction in one statement each
        await s.query(`BEGIN`);
        await s.query(`UPDATE t SET n = n + 1 WHERE id = $1`, [first]);
        await s.query(`SELECT n FROM t WHERE id = $1`, [first]);
        await s.query(`INSERT INTO h VALUES ($1, $2, CURRENT_TIMESTAMP)`, [sid, r]);
        await s.query(`COMMIT`);
      }
    };
    await Promise.all(Array.from({ length: SESSIONS }, (_, i) => run(db.session(), i)));
    const total = (await db.query(`SELECT sum(n) FROM t`)).rows[0]![0];
    expect(Number(total)).toBe(SESSIONS * ROUNDS);
    expect(Number((await db.query(`SELECT count(*) FROM h`)).rows[0]![0])).toBe(SESSIONS * ROUNDS);
    expect(db.store.stats.lockWaits - waits0).toBeGreaterThan(0);
  });
});
