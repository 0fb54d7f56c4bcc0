// Sequences keep PostgreSQL's promise across restarts: a value handed out to
// a transaction that committed is never handed out again, whatever happened
// to the transaction that reserved the range it came from.

import { afterEach, describe, expect, it } from 'vitest';
import { open } from '../../host/engine/db.ts';
import { node, rows, tempDir } from './helpers.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function reopenable(): Promise<{ dir: string; openDb: () => ReturnType<typeof open> }> {
  const t = tempDir('sb-seq-');
  cleanups.push(t.cleanup);
  return { dir: t.dir, openDb: () => open(t.dir, { platform: node, store: { background: false } }) };
}

describe('sequences across restarts', () => {
  it('resumes after the values committed transactions used', async () => {
    const { openDb } = await reopenable();
    let db = await openDb();
    await db.query('CREATE SEQUENCE s');
    for (let i = 0; i < 40; i++) await db.query("SELECT nextval('s')");
    await db.close();
    db = await openDb();
    const [[v]] = await rows(db, "SELECT nextval('s')");
    expect(Number(v)).toBeGreaterThan(40);
    await db.close();
  });

  it('does not hand out again a value whose range was reserved by a rolled-back transaction', async () => {
    const { openDb } = await reopenable();
    let db = await openDb();
    await db.query('CREATE TABLE t (id serial PRIMARY KEY, v text)');
    const a = db.session();
    await a.query('BEGIN');
    await a.query("INSERT INTO t (v) VALUES ('rolled back')"); // reserves a range in this transaction
    await a.query('ROLLBACK');
    await a.close();
    const b = db.session();
    const [[id]] = await rows(b, "INSERT INTO t (v) VALUES ('kept') RETURNING id");
    await b.close();
    await db.close();
    db = await openDb();
    const [[next]] = await rows(db, "INSERT INTO t (v) VALUES ('after restart') RETURNING id");
    expect(Number(next)).toBeGreaterThan(Number(id));
    expect((await rows(db, 'SELECT v FROM t ORDER BY id')).map((r) => r[0])).toEqual(['kept', 'after restart']);
    await db.close();
  });

  it('does not hand out again a value reserved before a rollback to a savepoint', async () => {
    const { openDb } = await reopenable();
    let db = await openDb();
    await db.query('CREATE SEQUENCE s');
    await db.query('BEGIN');
    await db.query('SAVEPOINT p');
    await db.query("SELECT nextval('s')");
    await db.query('ROLLBACK TO SAVEPOINT p');
    const [[v]] = await rows(db, "SELECT nextval('s')");
    await db.query('COMMIT');
    await db.close();
    db = await openDb();
    const [[w]] = await rows(db, "SELECT nextval('s')");
    expect(Number(w)).toBeGreaterThan(Number(v));
    await db.close();
  });

  it('keeps setval(..., false) across a restart', async () => {
    const { openDb } = await reopenable();
    let db = await openDb();
    await db.query('CREATE SEQUENCE s');
    await db.query("SELECT setval('s', 500, false)");
    await db.close();
    db = await openDb();
    expect(await rows(db, "SELECT nextval('s')")).toEqual([['500']]);
    await db.close();
    db = await openDb();
    const [[x]] = await rows(db, "SELECT nextval('s')");
    expect(Number(x)).toBeGreaterThan(500);
    await db.close();
  });
});
