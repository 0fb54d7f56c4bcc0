// The embedded API on Node (host/node.ts): a real data folder across close and
// reopen, the folder lock, db.transaction, concurrent sessions under each
// isolation level, serialization failures and failed transaction blocks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { open, formatRow, SbError, type Database, type Session } from '../../host/node.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sb-embedded-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function errorOf(p: Promise<unknown>): Promise<SbError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SbError) return e;
    throw e;
  }
  throw new Error('expected an error, the call succeeded');
}

describe('a database folder', () => {
  it('keeps committed data across close and reopen', async () => {
    const dir = tempDir();
    let db = await open(dir);
    await db.exec(`
      CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL, at date);
      CREATE INDEX note_body ON note (body);
      INSERT INTO note VALUES (1, 'first', '2024-02-29'), (2, 'second', NULL);
    `);
    await db.query('INSERT INTO note VALUES ($1, $2, $3)', [3, 'third', '2025-01-01']);
    await db.query("UPDATE note SET body = 'SECOND' WHERE id = 2");
    await db.query('DELETE FROM note WHERE id = 1');
    await db.close();

    db = await open(dir);
    const r = await db.query('SELECT id, body, at FROM note ORDER BY id');
    expect(r.fields.map((f) => f.name)).toEqual(['id', 'body', 'at']);
    expect(formatRow(r)).toEqual([['2', 'SECOND', null], ['3', 'third', '2025-01-01']]);
    expect(r.rows[0]![0]).toBe(2); // int4 is a JS number
    // The index survived too: a unique violation and an index lookup still work.
    expect((await errorOf(db.query("INSERT INTO note VALUES (3, 'dup', NULL)"))).code).toBe('23505');
    expect((await db.query("SELECT id FROM note WHERE body = 'third'")).rows).toEqual([[3]]);
    await db.close();
    // A third open sees the same (nothing depends on the in-process state).
    db = await open(dir);
    expect((await db.query('SELECT id FROM note ORDER BY id')).rows).toEqual([[2], [3]]);
    await db.close();
  });

  it('a second open of the same folder fails clearly while the first is open', async () => {
    const dir = tempDir();
    const db = await open(dir);
    await db.query('CREATE TABLE t (a int)');
    const e = await errorOf(open(dir));
    expect(e.code).toBe('55006');
    expect(e.message).toMatch(/lock|in use|held/i);
    // The first handle still works; after it closes, the folder opens again.
    await db.query('INSERT INTO t VALUES (1)');
    await db.close();
    const again = await open(dir);
    expect((await again.query('SELECT a FROM t')).rows).toEqual([[1]]);
    await again.close();
  });

  it('a closed database refuses queries', async () => {
    const db = await open(':memory:');
    await db.close();
    expect((await errorOf(Promise.resolve().then(() => db.query('SELECT 1')))).code).toBe('08000');
  });
});

describe('db.transaction', () => {
  let db: Database;
  beforeEach(async () => {
    db = await open(':memory:');
    await db.query('CREATE TABLE acct (id int PRIMARY KEY, bal int NOT NULL)');
    await db.query('INSERT INTO acct VALUES (1, 100), (2, 100)');
  });
  afterEach(() => db.close());

  it('commits when the function returns, with its result', async () => {
    const out = await db.transaction(async (s) => {
      await s.query('UPDATE acct SET bal = bal - 30 WHERE id = 1');
      await s.query('UPDATE acct SET bal = bal + 30 WHERE id = 2');
      return (await s.query('SELECT bal FROM acct ORDER BY id')).rows;
    });
    expect(out).toEqual([[70], [130]]);
    expect((await db.query('SELECT bal FROM acct ORDER BY id')).rows).toEqual([[70], [130]]);
  });

  it('rolls back when the function throws, and rethrows', async () => {
    await expect(db.transaction(async (s) => {
      await s.query('UPDATE acct SET bal = 0 WHERE id = 1');
      throw new Error('changed my mind');
    })).rejects.toThrow('changed my mind');
    expect((await db.query('SELECT bal FROM acct ORDER BY id')).rows).toEqual([[100], [100]]);
  });

  it('does not commit when a statement failed inside even if the function swallowed it', async () => {
    const e = await errorOf(db.transaction(async (s) => {
      await s.query('UPDATE acct SET bal = 1 WHERE id = 1');
      await s.query('INSERT INTO acct VALUES (1, 5)').catch(() => {}); // 23505, swallowed
    }));
    expect(e.code).toBe('40000');
    expect((await db.query('SELECT bal FROM acct WHERE id = 1')).rows).toEqual([[100]]);
  });

  it('runs at the requested isolation level', async () => {
    const iso = await db.transaction((s) => s.query('SHOW transaction_isolation'), { isolation: 'serializable' });
    expect(iso.rows).toEqual([['serializable']]);
  });
});

describe('concurrent sessions', () => {
  let db: Database;
  let s1: Session;
  let s2: Session;
  beforeEach(async () => {
    db = await open(':memory:');
    await db.query('CREATE TABLE acct (id int PRIMARY KEY, bal int NOT NULL)');
    await db.query('INSERT INTO acct VALUES (1, 100), (2, 100)');
    s1 = db.session();
    s2 = db.session();
  });
  afterEach(() => db.close());

  const bal = async (s: Session, id = 1) => (await s.query('SELECT bal FROM acct WHERE id = $1', [id])).rows[0]?.[0];

  it('uncommitted work is invisible to others; committed work is visible', async () => {
    await s1.query('BEGIN');
    await s1.query('UPDATE acct SET bal = 500 WHERE id = 1');
    await s1.query('INSERT INTO acct VALUES (3, 3)');
    expect(await bal(s1)).toBe(500);
    expect(await bal(s2)).toBe(100);
    expect((await s2.query('SELECT id FROM acct ORDER BY id')).rows).toEqual([[1], [2]]);
    await s1.query('COMMIT');
    expect(await bal(s2)).toBe(500);
    expect((await s2.query('SELECT id FROM acct ORDER BY id')).rows).toEqual([[1], [2], [3]]);
  });

  it('READ COMMITTED sees other sessions\' commits statement by statement', async () => {
    await s2.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    expect(await bal(s2)).toBe(100);
    await s1.query('UPDATE acct SET bal = 200 WHERE id = 1');
    expect(await bal(s2)).toBe(200);
    await s2.query('COMMIT');
  });

  it('REPEATABLE READ keeps its snapshot, then fails a write of a row changed since with 40001', async () => {
    await s2.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    expect(await bal(s2)).toBe(100);
    await s1.query('UPDATE acct SET bal = 200 WHERE id = 1');
    await s1.query('INSERT INTO acct VALUES (3, 3)');
    expect(await bal(s2)).toBe(100);
    expect((await s2.query('SELECT id FROM acct ORDER BY id')).rows).toEqual([[1], [2]]);
    const e = await errorOf(s2.query('UPDATE acct SET bal = bal + 1 WHERE id = 1'));
    expect(e.code).toBe('40001');
    expect(e.message).toBe('could not serialize access due to concurrent update');
    await s2.query('ROLLBACK');
    expect(await bal(s2)).toBe(200);
  });

  it('SERIALIZABLE: a write waiting on a concurrent writer gets 40001 when that one commits', async () => {
    await s1.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    await s2.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    expect(await bal(s2)).toBe(100);
    await s1.query('UPDATE acct SET bal = bal + 1 WHERE id = 1');
    let settled = false;
    const blocked = errorOf(s2.query('UPDATE acct SET bal = bal + 1 WHERE id = 1')).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(settled).toBe(false); // waits for s1's row lock
    await s1.query('COMMIT');
    expect((await blocked).code).toBe('40001');
    expect(s2.transactionStatus).toBe('E');
    await s2.query('ROLLBACK');
    expect(await bal(s2)).toBe(101);
  });

  it('SERIALIZABLE: write skew between two sessions fails one of them with 40001', async () => {
    await s1.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    await s2.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    // Each checks the total, then withdraws from a different account.
    expect((await s1.query('SELECT bal FROM acct ORDER BY id')).rows).toEqual([[100], [100]]);
    expect((await s2.query('SELECT bal FROM acct ORDER BY id')).rows).toEqual([[100], [100]]);
    await s1.query('UPDATE acct SET bal = bal - 150 WHERE id = 1');
    await s2.query('UPDATE acct SET bal = bal - 150 WHERE id = 2');
    const outcomes: string[] = [];
    for (const s of [s1, s2]) {
      try {
        outcomes.push((await s.query('COMMIT')).command);
      } catch (e) {
        outcomes.push((e as SbError).code);
      }
    }
    expect(outcomes).toContain('COMMIT');
    expect(outcomes).toContain('40001');
    const rows = (await db.query('SELECT bal FROM acct ORDER BY id')).rows.map((r) => r[0] as number);
    expect(rows[0]! + rows[1]!).toBe(50); // only one withdrawal happened
  });
});

describe('a failed statement aborts the transaction block', () => {
  let db: Database;
  beforeEach(async () => {
    db = await open(':memory:');
    await db.query('CREATE TABLE t (a int PRIMARY KEY)');
  });
  afterEach(() => db.close());

  it('25P02 until ROLLBACK, then the session works and nothing was written', async () => {
    const s = db.session();
    await s.query('BEGIN');
    await s.query('INSERT INTO t VALUES (1)');
    expect((await errorOf(s.query('SELECT 1/0'))).code).toBe('22012');
    expect(s.transactionStatus).toBe('E');
    for (const sql of ['SELECT 1', 'INSERT INTO t VALUES (2)', 'SAVEPOINT x']) {
      const e = await errorOf(s.query(sql));
      expect(e.code).toBe('25P02');
      expect(e.message).toBe('current transaction is aborted, commands ignored until end of transaction block');
    }
    await s.query('ROLLBACK');
    expect(s.transactionStatus).toBe('I');
    expect((await s.query('SELECT a FROM t')).rows).toEqual([]);
    expect((await s.query('SELECT 1')).rows).toEqual([[1]]);
  });

  it('COMMIT of a failed block rolls back (command tag ROLLBACK)', async () => {
    const s = db.session();
    await s.query('BEGIN');
    await s.query('INSERT INTO t VALUES (1)');
    expect((await errorOf(s.query('INSERT INTO t VALUES (1)'))).code).toBe('23505');
    expect((await s.query('COMMIT')).command).toBe('ROLLBACK');
    expect((await s.query('SELECT a FROM t')).rows).toEqual([]);
  });

  it('ROLLBACK TO SAVEPOINT leaves the failed state and keeps earlier work', async () => {
    const s = db.session();
    await s.query('BEGIN');
    await s.query('INSERT INTO t VALUES (1)');
    await s.query('SAVEPOINT sp');
    await s.query('INSERT INTO t VALUES (2)');
    expect((await errorOf(s.query('SELECT no_such_column FROM t'))).code).toBe('42703');
    await s.query('ROLLBACK TO SAVEPOINT sp');
    expect(s.transactionStatus).toBe('T');
    await s.query('INSERT INTO t VALUES (3)');
    expect((await s.query('COMMIT')).command).toBe('COMMIT');
    expect((await db.query('SELECT a FROM t ORDER BY a')).rows).toEqual([[1], [3]]);
  });

  it('a syntax error also aborts the block', async () => {
    const s = db.session();
    await s.query('BEGIN');
    expect((await errorOf(s.query('SELEC 1'))).code).toBe('42601');
    expect((await errorOf(s.query('SELECT 1'))).code).toBe('25P02');
    await s.query('ROLLBACK');
  });
});
