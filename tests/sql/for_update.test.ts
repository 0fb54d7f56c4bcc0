// SELECT ... FOR UPDATE / FOR SHARE takes row locks (exec/ops_scan.ts lockRows):
// a concurrent writer waits for the locker, a locker waits for a writer, and a
// REPEATABLE READ locker meeting a row changed since its snapshot gets 40001,
// as in PostgreSQL.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { codeOf, memoryDb, rows } from './helpers.ts';

const tick = () => new Promise((r) => setTimeout(r, 30));

/** Checks that `q` is still waiting a moment after it started (a row lock holds it); `.done` is it, to await later. */
async function stillWaiting<T>(q: Promise<T>): Promise<{ done: Promise<T> }> {
  let settled = false;
  const done = q.finally(() => (settled = true));
  await tick();
  expect(settled).toBe(false);
  return { done };
}

describe('SELECT ... FOR UPDATE row locks', () => {
  let db: Database;

  beforeEach(async () => {
    db = await memoryDb();
    await db.query('CREATE TABLE acct (id int PRIMARY KEY, bal int, tag text)');
    await db.query('CREATE INDEX acct_tag ON acct (tag)');
    await db.query("INSERT INTO acct VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'a')");
  });

  afterEach(async () => {
    await db.close();
  });

  it('a writer waits for the locking transaction, then sees its commit', async () => {
    const s1 = db.session();
    const s2 = db.session();
    try {
      await s1.query('BEGIN');
      const locked = await s1.query('SELECT id, bal FROM acct WHERE id = 1 FOR UPDATE');
      expect(locked.rows.map((r) => r.map(String))).toEqual([['1', '10']]);
      const blocked = await stillWaiting(s2.query('UPDATE acct SET bal = bal + 1 WHERE id = 1'));
      await s1.query('UPDATE acct SET bal = 100 WHERE id = 1');
      await s1.query('COMMIT');
      expect((await blocked.done).command).toBe('UPDATE 1');
      expect(await rows(db, 'SELECT bal FROM acct WHERE id = 1')).toEqual([['101']]);
      // rows the lock did not cover were never blocked
      expect((await s2.query('UPDATE acct SET bal = 0 WHERE id = 2')).command).toBe('UPDATE 1');
    } finally {
      await s1.close();
      await s2.close();
    }
  });

  it('locks only the rows the scan returns (filter and index scans)', async () => {
    const s1 = db.session();
    const s2 = db.session();
    try {
      await s1.query('BEGIN');
      const r = await s1.query("SELECT id FROM acct WHERE tag = 'a' AND bal > 15 FOR SHARE");
      expect(r.rows.map((x) => x.map(String))).toEqual([['3']]);
      expect((await s2.query('UPDATE acct SET bal = 11 WHERE id = 1')).command).toBe('UPDATE 1');
      const blocked = await stillWaiting(s2.query('DELETE FROM acct WHERE id = 3'));
      await s1.query('ROLLBACK');
      expect((await blocked.done).command).toBe('DELETE 1');
    } finally {
      await s1.close();
      await s2.close();
    }
  });

  it('READ COMMITTED: a locker waits for a writer and returns the committed version (or skips a row that no longer matches)', async () => {
    const s1 = db.session();
    const s2 = db.session();
    try {
      await s1.query('BEGIN');
      await s1.query('UPDATE acct SET bal = 50 WHERE id = 1');
      await s1.query('UPDATE acct SET bal = 5 WHERE id = 3');
      await s2.query('BEGIN');
      const blocked = await stillWaiting(s2.query('SELECT id, bal FROM acct WHERE bal >= 10 ORDER BY id FOR UPDATE'));
      await s1.query('COMMIT');
      expect((await blocked.done).rows.map((x) => x.map(String))).toEqual([['1', '50'], ['2', '20']]);
      await s2.query('COMMIT');
    } finally {
      await s1.close();
      await s2.close();
    }
  });

  it('REPEATABLE READ: a row changed or deleted since the snapshot is 40001; one a rolled-back writer held is locked', async () => {
    const s1 = db.session();
    const s2 = db.session();
    try {
      await s1.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await s1.query('SELECT count(*) FROM acct');
      await s2.query('UPDATE acct SET bal = 7 WHERE id = 1');
      expect(await codeOf(s1.query('SELECT bal FROM acct WHERE id = 1 FOR UPDATE'))).toBe('40001');
      await s1.query('ROLLBACK');

      await s1.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await s1.query('SELECT count(*) FROM acct');
      await s2.query('DELETE FROM acct WHERE id = 2');
      expect(await codeOf(s1.query('SELECT * FROM acct FOR UPDATE'))).toBe('40001');
      await s1.query('ROLLBACK');

      await s2.query('BEGIN');
      await s2.query('UPDATE acct SET bal = 8 WHERE id = 3');
      await s1.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await s1.query('SELECT count(*) FROM acct');
      const blocked = s1.query('SELECT bal FROM acct WHERE id = 3 FOR UPDATE');
      await tick();
      await s2.query('ROLLBACK');
      expect((await blocked).rows.map((x) => x.map(String))).toEqual([['30']]);
      await s1.query('COMMIT');
    } finally {
      await s1.close();
      await s2.close();
    }
  });

  it('is refused in a read-only transaction (25006) and without a transaction block it locks nothing lasting', async () => {
    await db.query('BEGIN READ ONLY');
    expect(await codeOf(db.query('SELECT * FROM acct FOR UPDATE'))).toBe('25006');
    await db.query('ROLLBACK');
    const r = await db.query('SELECT id FROM acct ORDER BY id FOR UPDATE');
    expect(r.rows.map((x) => x.map(String))).toEqual([['1'], ['2'], ['3']]);
    expect(await rows(db, 'SELECT id, bal FROM acct ORDER BY id')).toEqual([['1', '10'], ['2', '20'], ['3', '30']]);
    const s2 = db.session();
    try {
      expect((await s2.query('UPDATE acct SET bal = 1 WHERE id = 1')).command).toBe('UPDATE 1');
    } finally {
      await s2.close();
    }
  });

  it('READ COMMITTED locks the newest version: a cursor FOR UPDATE never writes back a version older than a commit made after DECLARE', async () => {
    await db.query('CREATE TABLE big (id int PRIMARY KEY, v int)');
    await db.query('INSERT INTO big SELECT g, g FROM generate_series(1, 3000) g');
    const s1 = db.session();
    const s2 = db.session();
    try {
      await s1.query('BEGIN');
      await s1.query('DECLARE c CURSOR FOR SELECT id, v FROM big FOR UPDATE');
      expect((await s1.query('FETCH 1 FROM c')).rows.map((r) => r.map(String))).toEqual([['1', '1']]);
      // a row the cursor has not reached (nor locked) yet
      await s2.query('UPDATE big SET v = 999 WHERE id = 2900');
      await s1.query('MOVE 2898 FROM c');
      expect((await s1.query('FETCH 1 FROM c')).rows.map((r) => r.map(String))).toEqual([['2900', '999']]);
      await s1.query('COMMIT');
      expect((await db.query('SELECT v FROM big WHERE id = 2900')).rows.map((r) => r.map(String))).toEqual([['999']]);
    } finally {
      await s1.close();
      await s2.close();
    }
  });

  it('ORDER BY key LIMIT 1 FOR UPDATE locks the row it returns, not the rows after it', async () => {
    const s1 = db.session();
    const s2 = db.session();
    try {
      await s1.query('BEGIN');
      expect((await s1.query('SELECT id FROM acct ORDER BY id LIMIT 1 FOR UPDATE')).rows.map((r) => r.map(String))).toEqual([['1']]);
      expect((await s2.query('UPDATE acct SET bal = 0 WHERE id = 3')).command).toBe('UPDATE 1');
      const blocked = await stillWaiting(s2.query('UPDATE acct SET bal = 0 WHERE id = 1'));
      await s1.query('COMMIT');
      await blocked.done;
    } finally {
      await s1.close();
      await s2.close();
    }
  });

  it('NOWAIT fails with 55P03 on a row another transaction holds; SKIP LOCKED leaves it out (a job queue)', async () => {
    const s1 = db.session();
    const s2 = db.session();
    try {
      await s1.query('BEGIN');
      expect((await s1.query('SELECT id FROM acct ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED')).rows.map((r) => r.map(String))).toEqual([['1']]);
      await s2.query('BEGIN');
      expect((await s2.query('SELECT id FROM acct ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED')).rows.map((r) => r.map(String))).toEqual([['2']]);
      expect((await s2.query('SELECT id FROM acct ORDER BY id FOR SHARE SKIP LOCKED')).rows.map((r) => r.map(String))).toEqual([['2'], ['3']]);
      expect(await codeOf(s2.query('SELECT id FROM acct WHERE id = 1 FOR UPDATE NOWAIT'))).toBe('55P03');
      await s2.query('ROLLBACK');
      // NOWAIT wins over SKIP LOCKED when both apply to a table, as in PostgreSQL
      await s2.query('BEGIN');
      expect(await codeOf(s2.query('SELECT id FROM acct FOR UPDATE SKIP LOCKED FOR SHARE NOWAIT'))).toBe('55P03');
      await s2.query('ROLLBACK');
      expect((await s2.query('SELECT id FROM acct WHERE id = 2 FOR UPDATE NOWAIT')).rows.map((r) => r.map(String))).toEqual([['2']]);
      await s1.query('COMMIT');
    } finally {
      await s1.close();
      await s2.close();
    }
  });

  it('FOR UPDATE OF locks only the named FROM items', async () => {
    await db.query('CREATE TABLE side (id int PRIMARY KEY, n int)');
    await db.query('INSERT INTO side VALUES (1, 1)');
    const s1 = db.session();
    const s2 = db.session();
    try {
      await s1.query('BEGIN');
      await s1.query('SELECT a.id FROM acct a JOIN side s ON s.id = a.id FOR UPDATE OF s');
      expect((await s2.query('UPDATE acct SET bal = 1 WHERE id = 1')).command).toBe('UPDATE 1');
      const blocked = await stillWaiting(s2.query('UPDATE side SET n = 2 WHERE id = 1'));
      await s1.query('COMMIT');
      await blocked.done;
    } finally {
      await s1.close();
      await s2.close();
    }
  });

  it('locks the joined rows of both sides, not the rows of a subquery in WHERE', async () => {
    await db.query('CREATE TABLE side (id int PRIMARY KEY, n int)');
    await db.query('INSERT INTO side VALUES (1, 1), (2, 2)');
    await db.query('CREATE TABLE pick (id int PRIMARY KEY)');
    await db.query('INSERT INTO pick VALUES (1)');
    const s1 = db.session();
    const s2 = db.session();
    try {
      await s1.query('BEGIN');
      const r = await s1.query('SELECT a.id, s.n FROM acct a JOIN side s ON s.id = a.id WHERE a.id IN (SELECT id FROM pick) FOR UPDATE');
      expect(r.rows.map((x) => x.map(String))).toEqual([['1', '1']]);
      expect((await s2.query('UPDATE pick SET id = 7')).command).toBe('UPDATE 1');
      for (const sql of ['UPDATE side SET n = 9 WHERE id = 1', 'UPDATE acct SET bal = 9 WHERE id = 1']) {
        const blocked = await stillWaiting(s2.query(sql));
        await s1.query('COMMIT');
        await blocked.done;
        await s1.query('BEGIN');
        await s1.query('SELECT a.id, s.n FROM acct a JOIN side s ON s.id = a.id WHERE a.id = 1 FOR UPDATE');
      }
      await s1.query('COMMIT');
    } finally {
      await s1.close();
      await s2.close();
    }
  });
});
